"""Faults of a remote (OpenAI-compatible) embeddings endpoint during ingest.

The embedder is ``SANAD_EMBEDDER__BACKEND=openai`` pointed at the loopback fake
(tests/fixtures/fake_openai.py), which fails only requests holding a marker word, so the
dimension probe and the first, healthy run go through. For each fault (500, 429, timeout,
malformed body, wrong vector count, wrong dimension) a run over two new articles must: name both
in ``report.failures``, store nothing of them (Chroma, catalog and embeddings cache exactly as
before, ``check_store`` clean), and a later run with the endpoint healthy must ingest them. The
same is checked through ``sanad ingest`` (exit 1, failures on stderr) and ``POST /v1/articles``.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.server import create_app
from ingest.maintenance import check_store
from rag.errors import EmbedderMismatchError, EmbeddingError
from rag.settings import Settings, load_settings
from sanad.app import Sanad
from tests.api.conftest import ServerThread, wait_ready
from tests.fixtures.fake_openai import FakeOpenAI, fake_llm, fake_llm_server
from tests.fixtures.processes import remote_embedder_env, run_sanad

__all__ = ["fake_llm", "fake_llm_server"]

RETRIES = 1
MARK = "Guaiba"  # only requests holding this word fail

FIRST = [
    {
        "id": "ecb",
        "title": "ECB cuts interest rates",
        "body": "The European Central Bank cut its key interest rate by a quarter point on Thursday.",
    }
]
SECOND = [
    {
        "id": "floods",
        "title": "Floods in southern Brazil",
        "body": "Thousands of residents of Porto Alegre were evacuated as the Guaiba river rose to a record.",
    },
    {
        "id": "bikes",
        "title": "Bike lanes approved",
        "body": "The city council approved new protected bike lanes downtown, to open in May.",
    },
]


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    """Write ``rows`` as JSONL and return the path."""
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def remote_settings(data_dir: Path, fake: FakeOpenAI, **embedder: Any) -> Settings:
    """Settings whose embedder is the fake endpoint, with a 1 s timeout and one retry."""
    options = {
        "backend": "openai",
        "base_url": fake.base_url,
        "model": "fake-embed",
        "timeout": 1.0,
        "max_retries": RETRIES,
        **embedder,
    }
    return load_settings(data_dir=data_dir, embedder=options)


def snapshot(sanad: Sanad) -> dict[str, Any]:
    """Everything a failed run must leave as it was."""
    ids = sorted(sanad.store.all_ids())
    return {
        "chunks": ids,
        "texts": sorted(c.text for c in sanad.store.get(ids)),
        "articles": sorted(sanad.catalog.hashes()),
        "cached": sanad.cache.count(sanad.embeddings.embedder_id),
    }


ALL = RETRIES + 1
FAULTS: dict[str, tuple[Callable[[FakeOpenAI], None], str]] = {
    "500": (lambda f: f.enqueue_embedding_error(500, times=ALL, match=MARK), "500"),
    "429": (
        lambda f: f.enqueue_embedding_error(429, {"retry-after-ms": "10"}, times=ALL, match=MARK),
        "429",
    ),
    "timeout": (lambda f: f.enqueue_embedding_delay(3.0, times=ALL, match=MARK), "timed out"),
    "malformed": (lambda f: f.enqueue_embedding_malformed(match=MARK), "malformed response"),  # no retry
    "wrong-count": (lambda f: f.enqueue_embedding_wrong_count(match=MARK), "1 vectors for 2 texts"),
    "wrong-dimension": (lambda f: f.enqueue_embedding_wrong_dimension(8, match=MARK), "dimension [8]"),
}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_a_failing_endpoint_stores_nothing_and_a_later_run_recovers(
    tmp_path: Path, fake_llm: FakeOpenAI, fault: str
) -> None:
    first = write_jsonl(tmp_path / "first.jsonl", FIRST)
    second = write_jsonl(tmp_path / "second.jsonl", SECOND)
    sanad = Sanad(remote_settings(tmp_path / "data", fake_llm))
    assert sanad.pipeline.ingest_paths([str(first)]).added == 1
    before = snapshot(sanad)

    script, reason = FAULTS[fault]
    script(fake_llm)
    report = sanad.pipeline.ingest_paths([str(second)])
    assert (report.added, report.failed) == (0, 2), report
    where = dict(report.failures)
    assert set(where) == {f"{second}:1", f"{second}:2"}, report.failures  # each article named
    assert all(reason in r for r in where.values()), report.failures
    assert fake_llm.embedding_faults_pending == 0
    assert snapshot(sanad) == before  # no chunk, catalog row or cached vector of a failed article
    assert check_store(sanad).ok

    fake_llm.reset()  # the endpoint is healthy again
    again = sanad.pipeline.ingest_paths([str(second)])
    assert (again.added, again.failed) == (2, 0), again
    assert sorted(sanad.catalog.hashes()) == ["bikes", "ecb", "floods"]
    assert check_store(sanad).ok
    hits = sanad.retriever.retrieve("Guaiba river Porto Alegre evacuated", k=1)
    assert hits and hits[0].chunk.article_id == "floods"


def test_only_the_batch_that_failed_is_reported(tmp_path: Path, fake_llm: FakeOpenAI) -> None:
    """Batches of one article: the healthy article of the same run is stored."""
    second = write_jsonl(tmp_path / "second.jsonl", SECOND)
    sanad = Sanad(remote_settings(tmp_path / "data", fake_llm, batch_size=1))
    fake_llm.enqueue_embedding_error(503, times=ALL, match=MARK)
    report = sanad.pipeline.ingest_paths([str(second)])
    assert (report.added, report.failed) == (1, 1), report
    assert [w for w, _ in report.failures] == [f"{second}:1"]
    assert sorted(sanad.catalog.hashes()) == ["bikes"]
    assert check_store(sanad).ok


def test_wrong_dimension_is_refused_with_a_clear_error(tmp_path: Path, fake_llm: FakeOpenAI) -> None:
    sanad = Sanad(remote_settings(tmp_path / "data", fake_llm))
    assert sanad.embeddings.dimension == 16
    fake_llm.enqueue_embedding_wrong_dimension(8)
    with pytest.raises(EmbeddingError, match=r"dimension \[8\], expected 16.*re-index"):
        sanad.embeddings.embed_documents(["a passage"])
    # A vector of another dimension in one batch is refused too.
    fake_llm.enqueue_embedding_wrong_count()
    with pytest.raises(EmbeddingError, match="2 vectors for 1 texts"):
        sanad.embeddings.embed_query("a question")

    # The server's model changed between runs: the store opens with its recorded dimension (no
    # probe) and tells the embedder, so the first answer of the new model is refused.
    assert sanad.pipeline.ingest_paths([str(write_jsonl(tmp_path / "a.jsonl", FIRST))]).added == 1
    later = Sanad(remote_settings(tmp_path / "data", fake_llm))
    assert later.store.dimension == 16
    fake_llm.enqueue_embedding_wrong_dimension(8)
    with pytest.raises(EmbeddingError, match=r"dimension \[8\], expected 16.*re-index"):
        later.retriever.retrieve("a question", k=1)
    # An embedder that already saw the new model's vectors cannot open the old collection.
    changed = Sanad(remote_settings(tmp_path / "data", fake_llm))
    fake_llm.enqueue_embedding_wrong_dimension(8)
    assert len(changed.embeddings.embed_query("q")) == 8
    with pytest.raises(EmbedderMismatchError, match="dimension 8"):
        _ = changed.store
    assert sorted(sanad.catalog.hashes()) == ["ecb"] and check_store(sanad).ok


def _cli(args: list[str], data: Path, fake: FakeOpenAI) -> subprocess.CompletedProcess[str]:
    return run_sanad(args, remote_embedder_env(data, fake.base_url, RETRIES), data.parent, timeout=300)


def test_sanad_ingest_exits_1_naming_the_failed_articles(tmp_path: Path, fake_llm: FakeOpenAI) -> None:
    data = tmp_path / "data"
    first = write_jsonl(tmp_path / "first.jsonl", FIRST)
    second = write_jsonl(tmp_path / "second.jsonl", SECOND)
    ok = _cli(["ingest", str(first)], data, fake_llm)
    assert ok.returncode == 0, ok.stderr

    fake_llm.enqueue_embedding_error(500, times=ALL, match=MARK)
    bad = _cli(["ingest", str(second)], data, fake_llm)
    assert bad.returncode == 1, bad.stderr
    assert "added 0, updated 0, unchanged 0, removed 0, failed 2" in bad.stdout
    assert f"failed  {second}:1: embeddings endpoint failed" in bad.stderr
    assert f"failed  {second}:2: embeddings endpoint failed" in bad.stderr
    assert "Traceback" not in bad.stderr
    check = _cli(["check"], data, fake_llm)
    assert check.returncode == 0 and "articles 1," in check.stdout and "ok" in check.stdout, check

    fake_llm.reset()
    healed = _cli(["ingest", "--json", str(second)], data, fake_llm)
    assert healed.returncode == 0, healed.stderr
    assert json.loads(healed.stdout)["added"] == 2


def test_post_articles_names_the_failed_articles(tmp_path: Path, fake_llm: FakeOpenAI) -> None:
    settings = remote_settings(tmp_path / "data", fake_llm, batch_size=1)
    sanad = Sanad(settings)
    server = ServerThread(create_app(sanad, settings, mount_ui=False))
    url = server.start()
    try:
        wait_ready(url)
        fake_llm.enqueue_embedding_error(500, times=ALL, match=MARK)
        mixed = httpx.post(f"{url}/v1/articles", json={"articles": SECOND}, timeout=60)
        assert mixed.status_code == 200, mixed.text
        body = mixed.json()
        assert (body["added"], body["failed"]) == (1, 1)
        assert body["failures"][0]["where"] == "api[0]"
        assert "embeddings endpoint failed" in body["failures"][0]["reason"]
        assert body["article_ids"] == ["bikes"]  # the failed one is not reported as accepted

        fake_llm.enqueue_embedding_wrong_dimension(8, match=MARK)
        only_bad = httpx.post(f"{url}/v1/articles", json={"articles": SECOND[:1]}, timeout=60)
        assert only_bad.status_code == 503, only_bad.text  # no article accepted: backend fault
        error = only_bad.json()["error"]
        assert "api[0]" in error["message"] and "dimension" in error["message"]
        assert sorted(sanad.catalog.hashes()) == ["bikes"] and check_store(sanad).ok
        listed = httpx.get(f"{url}/v1/articles", timeout=60).json()
        assert [a["article_id"] for a in listed["items"]] == ["bikes"]

        healed = httpx.post(f"{url}/v1/articles", json={"articles": SECOND}, timeout=60).json()
        assert (healed["added"], healed["unchanged"], healed["failed"]) == (1, 1, 0)
    finally:
        server.stop()
