"""Server mode: a real ``chroma run`` shared by CLI runs and by two ``sanad serve`` processes.

The Chroma server holds the chunks *and* the article catalog (rag/chroma_catalog.py), so
processes with different data dirs see one corpus: an article posted to one API process is found
by the other without a restart (the shared catalog generation moves), and a delete on one is
seen by the other. The sweep never removes another process's not-yet-committed chunks.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner, Result

from ingest.maintenance import check_store
from ingest.readers import RawRecord
from rag.settings import load_settings
from rag.store.catalog import ArticleCatalog, Catalog
from rag.store.chroma import open_client, sweepable_orphans
from rag.store.chroma_catalog import ChromaCatalog
from rag.types import Article
from sanad.app import Sanad
from sanad.cli import app
from tests.fixtures.processes import free_port, stop, wait_http

TOKEN = "server-mode-token-0123456789"
CHROMA = Path(sys.executable).parent / "chroma"

ARTICLES: list[dict[str, Any]] = [
    {
        "id": "s1",
        "title": "Ferry route approved",
        "source": "Harbour Wire",
        "published_at": "2024-03-01",
        "body": "The harbour committee approved ferry route seven on Monday. Boats will leave every hour.",
    },
    {
        "id": "s2",
        "title": "ECB cuts interest rates",
        "source": "Example Wire",
        "body": "The European Central Bank cut its key interest rate by a quarter point on Thursday.",
    },
    {
        "id": "s3",
        "title": "Bike lanes",
        "source": "City Desk",
        "body": "The city council approved new protected bike lanes downtown, opening in May.",
    },
]


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real ``chroma run`` on a free loopback port, for this module."""
    if not CHROMA.exists():
        pytest.skip("the chroma CLI is not installed")
    root = tmp_path_factory.mktemp("chroma-server")
    port = free_port()
    log = root / "chroma.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(CHROMA), "run", "--path", str(root / "db"), "--host", "127.0.0.1", "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_http(f"{url}/api/v2/heartbeat", proc, log, timeout=60)
        yield url
    finally:
        stop(proc)


def sanad_env(url: str, collection: str, data: Path, cache: Path) -> dict[str, str]:
    """The settings of one Sanad process in server mode, as environment variables."""
    return {
        "SANAD_STORE__CHROMA_URL": url,
        "SANAD_STORE__COLLECTION": collection,
        "SANAD_DATA_DIR": str(data),
        "SANAD_CACHE_DIR": str(cache),
        "SANAD_API__TOKEN": TOKEN,
        "SANAD_API__MOUNT_UI": "false",
    }


def cli(args: list[str], env: dict[str, str], timeout: float = 180) -> subprocess.CompletedProcess[str]:
    """``sanad ARGS`` in a subprocess (a separate process, as in production)."""
    return subprocess.run(
        [sys.executable, "-m", "sanad.cli", *args],
        env={**os.environ, **env},
        text=True,
        capture_output=True,
        timeout=timeout,
    )


def cli_here(args: list[str], env: dict[str, str]) -> Result:
    """``sanad ARGS`` in this process (saves a process start: the embedder is already loaded)."""
    return CliRunner().invoke(app, args, env=env)


def write_feed(path: Path, rows: list[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


# ------------------------------------------------------------------------- the catalog seam


def _article(aid: str, text: str, **kw: Any) -> Article:
    return Article(article_id=aid, title=kw.pop("title", aid), text=text, content_hash="h-" + text, **kw)


def _exercise(cat: ArticleCatalog) -> list[Any]:
    """The same calls on either catalog; returns what they observed (must be equal)."""
    seen: list[Any] = [cat.count(), cat.generation(), cat.get("a"), cat.get_meta("chunking")]
    g0 = cat.generation()
    cat.put(
        _article("b", "two", url="https://x/b", published_at="2024-01-02", source="S", origin="/f:1"),
        ["b::1", "b::2"],
    )
    g1 = cat.generation()
    cat.put(_article("a", "one", language="en", origin="api"), ["a::1"])
    cat.put(_article("c", "three", source="S"), ["c::1"])
    g2 = cat.generation()
    # A replace drops url/published_at: Chroma's upsert merges metadata, so this catches a stale key.
    cat.put(_article("b", "two v2", source="S", origin="/f:1"), ["b::3"])
    cat.set_meta("chunking", "v1")
    g3 = cat.generation()
    seen += [
        len({g0, g1, g2, g3}) == 4,
        cat.get_meta("chunking"),
        cat.generation() == g3,  # set_meta does not move it
        cat.count(),
        cat.hashes(),
        cat.origins(),
        sorted(cat.chunk_ids()),
        cat.stats(),
        [(r.article, r.chunk_ids) for r in cat.records()],
        [r.article.article_id for r in cat.records(1, 1)],
        [r.article.article_id for r in cat.records(2)],
    ]
    removed = cat.delete("a")
    seen += [
        removed.article if removed else None,
        cat.delete("a"),
        cat.generation() != g3,
        cat.count(),
        cat.get("b"),
    ]
    return [(x.article, x.chunk_ids) if hasattr(x, "chunk_ids") else x for x in seen]


def test_chroma_catalog_behaves_like_the_sqlite_catalog(chroma_url: str, tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path, store={"chroma_url": chroma_url, "collection": "seam"})
    chroma = ChromaCatalog(open_client(settings), "seam")
    assert _exercise(chroma) == _exercise(Catalog(tmp_path / "catalog.sqlite"))
    # Another process (another client) reads the same records and the same generation.
    other = ChromaCatalog(open_client(settings), "seam")
    assert other.generation() == chroma.generation() != 0
    assert other.get("b") == chroma.get("b") and other.count() == 2
    # The factory chooses by settings.
    assert isinstance(Sanad(settings).catalog, ChromaCatalog)
    assert isinstance(Sanad(load_settings(data_dir=tmp_path / "disk")).catalog, Catalog)


# ----------------------------------------------------------------------- CLI through the server


def test_cli_ingest_ask_and_reingest_through_the_server(chroma_url: str, tmp_path: Path) -> None:
    feed = tmp_path / "feed.jsonl"
    write_feed(feed, ARTICLES)
    data = tmp_path / "data"
    env = sanad_env(chroma_url, "cli", data, tmp_path / "cache")

    first = cli(["ingest", str(feed), "--json"], env)
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["added"] == 3

    question = "What did the European Central Bank do to its key interest rate?"
    asked = cli_here(["ask", question, "--json"], env)
    assert asked.exit_code == 0, asked.output
    answer = json.loads(asked.stdout)
    assert not answer["abstained"], answer
    assert "s2" in {c["article_id"] for c in answer["citations"]}

    # Re-runs in this process: the first run already proved the cross-process path.
    again = cli_here(["ingest", str(feed), "--json"], env)
    report = json.loads(again.stdout)
    assert (report["unchanged"], report["chunks_written"], report["chunks_embedded"]) == (3, 0, 0), report

    changed = [dict(ARTICLES[0]), ARTICLES[1], ARTICLES[2]]
    changed[0]["body"] = "The harbour committee cancelled ferry route seven after a storm on Friday."
    write_feed(feed, changed)
    third = cli_here(["ingest", str(feed), "--json"], env)
    report = json.loads(third.stdout)
    assert (report["updated"], report["unchanged"], report["added"]) == (1, 2, 0), report

    # The catalog is in the server (no SQLite catalog in the data dir) and equals the store.
    assert not (data / "catalog.sqlite").exists()
    sanad = Sanad(load_settings(data_dir=data, store={"chroma_url": chroma_url, "collection": "cli"}))
    listed = sanad.catalog.chunk_ids()
    assert sanad.store.all_ids() == listed and sanad.store.count() == len(listed)
    s1 = sanad.catalog.get("s1")
    assert s1 is not None and "cancelled" in s1.article.text
    assert all("cancelled" in c.text or "storm" in c.text for c in sanad.store.get(list(s1.chunk_ids)))

    stats = cli_here(["stats", "--json"], env)
    assert stats.exit_code == 0, stats.output
    st = json.loads(stats.stdout)
    assert (st["articles"], st["store"]) == (3, chroma_url) and st["chunks"] == st["chunks_in_store"]
    checked = cli_here(["check"], env)
    assert checked.exit_code == 0 and checked.stdout.strip().endswith("ok"), checked.output


# --------------------------------------------------------------------- sweep safety in server mode


def test_sweep_leaves_another_writers_uncommitted_chunks(chroma_url: str, tmp_path: Path) -> None:
    def sanad(name: str, **store: Any) -> Sanad:
        settings = load_settings(
            data_dir=tmp_path / name,
            cache_dir=tmp_path / "cache",
            store={"chroma_url": chroma_url, "collection": "sweep", **store},
        )
        return Sanad(settings)

    writer, other = sanad("writer"), sanad("other")
    assert writer.settings.store.sweep_grace_seconds == 3600
    assert load_settings(data_dir=tmp_path).store.sweep_grace_seconds == 0  # on disk: sweep at once
    raw = RawRecord("Ferry route seven opens.", "Ferry", None, None, None, "en", "w1", "api[0]", "json")
    assert writer.pipeline.ingest_records([raw], origin="api").added == 1
    base = writer.store.get(sorted(writer.catalog.chunk_ids()))[0]

    # `other` is mid-commit: its chunk is in Chroma, its catalog record not yet.
    inflight = replace(base, chunk_id="o1::abc::0000", article_id="o1")
    other.store.upsert([inflight], [[0.1] * other.store.dimension])
    report = writer.pipeline.ingest_records([], origin="api")  # every run starts with a sweep
    assert report.failed == 0
    assert "o1::abc::0000" in writer.store.all_ids()
    found = check_store(writer)
    assert found.pending == ["o1::abc::0000"] and found.orphans == [] and found.ok
    other.catalog.put(Article("o1", "O", inflight.text, content_hash="x"), [inflight.chunk_id])
    assert [h.chunk.article_id for h in writer.retriever.retrieve("ferry route seven", k=5)].count("o1") == 1

    # A crash leftover: never committed. Old enough ⇒ swept (age logic, then a real sweep).
    leftover = replace(base, chunk_id="dead::abc::0000", article_id="dead")
    other.store.upsert([leftover], [[0.1] * other.store.dimension])
    sweepable, pending = sweepable_orphans(writer.store, {"dead::abc::0000"}, 60, now=time.time() + 61)
    assert (sweepable, pending) == ({"dead::abc::0000"}, set())
    time.sleep(1.1)
    impatient = sanad("impatient", orphan_grace_seconds=1)
    assert check_store(impatient).orphans == ["dead::abc::0000"]
    impatient.pipeline.ingest_records([], origin="api")
    assert "dead::abc::0000" not in writer.store.all_ids()
    assert writer.store.all_ids() == writer.catalog.chunk_ids()  # the committed one stayed


# ------------------------------------------------------------------- two API processes, one server


def test_two_api_processes_share_one_chroma_server(chroma_url: str, tmp_path: Path) -> None:
    procs: list[subprocess.Popen[bytes]] = []
    urls: list[str] = []
    try:
        for name in ("a", "b"):
            port = free_port()
            log = tmp_path / f"{name}.log"
            env = sanad_env(chroma_url, "api", tmp_path / name, tmp_path / f"cache-{name}")
            with log.open("wb") as out:
                procs.append(
                    subprocess.Popen(
                        [
                            sys.executable,
                            "-m",
                            "sanad.cli",
                            "serve",
                            "--host",
                            "127.0.0.1",
                            "--port",
                            f"{port}",
                        ],
                        env={**os.environ, **env},
                        stdout=out,
                        stderr=subprocess.STDOUT,
                    )
                )
            urls.append(f"http://127.0.0.1:{port}")
        for name, proc, url in zip("ab", procs, urls, strict=True):
            wait_http(f"{url}/readyz", proc, tmp_path / f"{name}.log", timeout=180)
        headers = {"Authorization": f"Bearer {TOKEN}"}
        with (
            httpx.Client(base_url=urls[0], headers=headers, timeout=120) as a,
            httpx.Client(base_url=urls[1], headers=headers, timeout=120) as b,
        ):
            # B answers (and builds its BM25 view) before A writes: it must notice the change.
            assert b.post("/v1/search", json={"query": "ferry route", "k": 5}).json()["results"] == []
            rows = [{"id": r["id"], "title": r["title"], "text": r["body"]} for r in ARTICLES[:2]]
            posted = a.post("/v1/articles", json={"articles": rows})
            assert posted.status_code == 200 and posted.json()["added"] == 2, posted.text

            hits = b.post("/v1/search", json={"query": "harbour committee ferry route", "k": 3}).json()
            assert hits["results"] and hits["results"][0]["article_id"] == "s1", hits
            ask = b.post("/v1/ask", json={"question": "What did the harbour committee approve?"}).json()
            assert "s1" in {c["article_id"] for c in ask["citations"]}, ask
            assert b.get("/v1/articles").json()["total"] == 2

            assert b.delete("/v1/articles/s1").status_code == 200
            assert a.get("/v1/articles/s1").status_code == 404
            after = a.post("/v1/search", json={"query": "harbour committee ferry route", "k": 5}).json()
            assert "s1" not in {h["article_id"] for h in after["results"]}, after
            assert {h["article_id"] for h in after["results"]} == {"s2"}
    finally:
        for proc in procs:
            stop(proc)
