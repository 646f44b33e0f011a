"""A remote embedder that is down: what needs no embedding still works.

Each test builds a store through its own loopback fake OpenAI server, then stops that server:
its port is closed, so every embeddings request fails with a connection error while the
configured embedder (and so the embedder id the collection records) stays the same.
``sanad stats``, ``check`` and ``export`` open the existing collection with the dimension it
records and never embed, so they succeed; ``sanad ingest`` fails saying the embedder is
unreachable and that nothing was written, and leaves the store as it was.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from ingest.maintenance import check_store, export_jsonl
from rag.settings import Settings, load_settings
from sanad.app import Sanad
from tests.fixtures.fake_openai import FakeOpenAI
from tests.fixtures.processes import remote_embedder_env, run_sanad
from tests.ingest.test_embedder_faults import FIRST, SECOND, snapshot, write_jsonl


def _settings(data: Path, base_url: str) -> Settings:
    embedder = {
        "backend": "openai",
        "base_url": base_url,
        "model": "fake-embed",
        "timeout": 1.0,
        "max_retries": 0,
    }
    return load_settings(data_dir=data, embedder=embedder)


def _cli(args: list[str], data: Path, base_url: str) -> subprocess.CompletedProcess[str]:
    return run_sanad(args, remote_embedder_env(data, base_url, 0), data.parent, timeout=120)


@pytest.fixture
def built(tmp_path: Path, embedder: FakeOpenAI) -> tuple[Path, str]:
    """A data dir holding FIRST, built through ``embedder``, which is then stopped."""
    data = tmp_path / "data"
    sanad = Sanad(_settings(data, embedder.base_url))
    assert sanad.pipeline.ingest_paths([str(write_jsonl(tmp_path / "first.jsonl", FIRST))]).added == 1
    # The maintenance calls send no embeddings request even when the embedder is up.
    embedder.embedding_requests.clear()
    fresh = Sanad(_settings(data, embedder.base_url))
    assert fresh.catalog.stats()["articles"] == 1 and fresh.store.count() >= 1
    assert check_store(fresh).ok
    assert export_jsonl(fresh, tmp_path / "in-process.jsonl") == 1
    assert embedder.embedding_requests == []
    embedder.stop()  # the embedder goes down: its port refuses connections
    return data, embedder.base_url


def test_stats_check_export_work_while_the_embedder_is_down(built: tuple[Path, str]) -> None:
    data, url = built
    stats = _cli(["stats", "--json"], data, url)
    assert stats.returncode == 0, stats.stderr
    got = json.loads(stats.stdout)
    assert got["articles"] == 1 and got["chunks_in_store"] == got["chunks"] >= 1, got
    assert got["embedder"] == f"openai/fake-embed@{url}"

    check = _cli(["check"], data, url)
    assert check.returncode == 0, check.stderr
    assert "articles 1," in check.stdout and check.stdout.strip().endswith("ok"), check.stdout

    out = data.parent / "backup.jsonl"
    export = _cli(["export", str(out)], data, url)
    assert export.returncode == 0, export.stderr
    assert [json.loads(line)["id"] for line in out.read_text(encoding="utf-8").splitlines()] == ["ecb"]


def test_ingest_while_the_embedder_is_down_says_so_and_writes_nothing(
    built: tuple[Path, str], tmp_path: Path
) -> None:
    data, url = built
    second = write_jsonl(tmp_path / "second.jsonl", SECOND)
    before = snapshot(Sanad(_settings(data, url)))  # opens without the embedder

    # The existing store: every article fails, each one named, the embedder said unreachable.
    failed = _cli(["ingest", str(second)], data, url)
    assert failed.returncode == 1, failed.stderr
    assert "Traceback" not in failed.stderr
    assert "added 0, updated 0, unchanged 0, removed 0, failed 2" in failed.stdout
    for line in (1, 2):
        assert f"{second}:{line}: embeddings endpoint failed: the embedder at {url} is unreachable" in (
            failed.stderr
        ), failed.stderr
    after = Sanad(_settings(data, url))
    assert snapshot(after) == before and check_store(after).ok

    # A fresh data dir: the new collection's dimension cannot be learned; one clear line.
    fresh = _cli(["ingest", str(second)], tmp_path / "fresh", url)
    assert fresh.returncode == 1, fresh.stdout
    assert "Traceback" not in fresh.stderr
    message = fresh.stderr.strip()
    assert message.startswith("error: cannot create collection"), message
    assert f"the embedder at {url} is unreachable" in message and "nothing was written" in message
