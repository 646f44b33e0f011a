"""SIGKILL in the middle of `sanad ingest`, then re-run: nothing lost, nothing doubled."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rag.retrieval.lexical import LexicalIndex
from rag.settings import load_settings
from rag.store.chroma import open_store
from sanad.app import Sanad


def write_corpus(path: Path, n: int = 24) -> None:
    rows = [
        {
            "id": f"n{i}",
            "title": f"Bulletin {i}",
            "body": f"Bulletin {i}: the harbour committee met and approved ferry route {i}. "
            f"Residents of district {i} asked for later departures on weekends.",
        }
        for i in range(n)
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def cli(
    args: list[str], data: Path, cache: Path, extra_env: dict[str, str] | None = None
) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "SANAD_DATA_DIR": str(data),
        "SANAD_CACHE_DIR": str(cache),
        "SANAD_EMBEDDER__BATCH_SIZE": "4",
        **(extra_env or {}),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "sanad.cli", *args],
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def committed(data: Path) -> int:
    """Articles committed so far by the running ingest (read straight from the catalog file)."""
    path = data / "catalog.sqlite"
    if not path.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1) as db:
            return int(db.execute("SELECT COUNT(*) FROM articles").fetchone()[0])
    except sqlite3.Error:
        return 0


@pytest.mark.slow
@pytest.mark.parametrize("kill_at", [1, 8, 16])
def test_sigkill_mid_ingest_then_rerun_is_consistent(tmp_path: Path, kill_at: int) -> None:
    corpus = tmp_path / "feed.jsonl"
    write_corpus(corpus)
    data, cache = tmp_path / "data", tmp_path / "cache"
    proc = cli(["ingest", str(corpus)], data, cache)
    deadline = time.monotonic() + 240
    while committed(data) < kill_at and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)  # mid-run: some articles committed, the rest not
    proc.wait(timeout=30)
    assert 0 < committed(data) < 24, "the kill must land in the middle of the run"

    before_rerun = committed(data)
    rerun = cli(["ingest", str(corpus), "--json"], data, cache)
    out, err = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, err
    report = json.loads(out)
    assert report["added"] + report["updated"] + report["unchanged"] == 24
    assert report["unchanged"] >= before_rerun  # resumed: what was committed is not redone

    sanad = Sanad(load_settings(data_dir=data, cache_dir=cache))
    records = list(sanad.catalog.records())
    assert sorted(r.article.article_id for r in records) == sorted(f"n{i}" for i in range(24))
    listed = sanad.catalog.chunk_ids()
    assert sanad.store.all_ids() == listed  # no orphan, none missing, none doubled
    vectors = sanad.store.vectors(sorted(listed))  # every row readable
    assert len(vectors) == len(listed)
    # The saved BM25 index lists exactly the stored chunks, at the catalog's generation.
    saved = LexicalIndex.load(sanad.settings.lexical_index_dir)
    assert saved is not None and saved[1] == sanad.catalog.generation()
    assert sorted(saved[0].chunk_ids) == sorted(listed)
    check = cli(["check"], data, cache)
    check_out, check_err = check.communicate(timeout=300)
    assert check.returncode == 0, check_out + check_err
    # Same chunks as a clean run into a fresh store.
    clean = Sanad(load_settings(data_dir=tmp_path / "clean", cache_dir=cache))
    clean.pipeline.ingest_paths([str(corpus)])
    assert clean.catalog.chunk_ids() == listed
    # BM25 follows the catalog: every listed chunk is searchable lexically.
    hits = sanad.retriever.retrieve("harbour committee ferry route 7", k=3)
    assert hits and hits[0].chunk.article_id == "n7"
    # The embeddings cache is intact: a third run embeds nothing.
    assert open_store(
        sanad.settings, sanad.embeddings.embedder_id, sanad.embeddings.dimension
    ).count() == len(listed)
    third = cli(["ingest", str(corpus), "--json"], data, cache)
    out3, _ = third.communicate(timeout=300)
    assert json.loads(out3)["chunks_embedded"] == 0 and json.loads(out3)["unchanged"] == 24


@pytest.mark.slow
def test_two_concurrent_ingests_take_turns_and_lose_nothing(tmp_path: Path) -> None:
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    write_corpus(a, 10)
    rows = [json.loads(line) for line in a.read_text(encoding="utf-8").splitlines()]
    b.write_text(
        "".join(
            json.dumps({**r, "id": "b-" + r["id"], "body": r["body"] + " Second feed."}) + "\n" for r in rows
        ),
        encoding="utf-8",
    )
    data, cache = tmp_path / "data", tmp_path / "cache"
    first, second = cli(["ingest", str(a)], data, cache), cli(["ingest", str(b)], data, cache)
    for proc in (first, second):
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
    sanad = Sanad(load_settings(data_dir=data, cache_dir=cache))
    assert sanad.catalog.count() == 20
    listed = sanad.catalog.chunk_ids()
    assert sanad.store.all_ids() == listed
    assert len(sanad.store.vectors(sorted(listed))) == len(listed)  # no unreadable row


def test_a_held_write_lock_names_its_holder(tmp_path: Path) -> None:
    from rag.store.locking import write_lock

    code = (
        "from pathlib import Path\nfrom rag.store.locking import write_lock\n"
        f"with write_lock(Path({str(tmp_path)!r}), timeout=0.2):\n    pass\n"
    )
    with write_lock(tmp_path):  # another process must wait, then fail naming us
        proc = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
        )
    assert proc.returncode != 0
    assert "StoreLockedError" in proc.stderr and f"holder: pid {os.getpid()}" in proc.stderr
