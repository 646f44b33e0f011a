"""After a restore: re-ingesting the original files keeps BM25 in step, and dry runs predict real runs."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import httpx
import pytest

from ingest.maintenance import check_store, export_jsonl
from rag.retrieval.lexical import LexicalIndex
from rag.settings import load_settings
from sanad.app import Sanad

ROOT = Path(__file__).resolve().parents[2]
ARTICLES = [
    {
        "id": "r1",
        "title": "Rain in Cairo",
        "source": "Wire",
        "body": "Heavy rain fell on Cairo. Streets flooded.",
    },
    {
        "id": "r2",
        "title": "Chess final",
        "source": "Wire",
        "body": "The chess final ended in a draw after hours.",
    },
]


def originals(tmp_path: Path) -> list[str]:
    """A JSONL feed and a text file (whose id is its path), as absolute paths."""
    src = tmp_path / "src"
    src.mkdir()
    feed = src / "feed.jsonl"
    feed.write_text("".join(json.dumps(r) + "\n" for r in ARTICLES), encoding="utf-8")
    shutil.copy(ROOT / "samples" / "articles" / "ar-putin-pyongyang-visit.txt", src / "seed.txt")
    return [str(feed), str(src / "seed.txt")]


def restored(tmp_path: Path, files: list[str]) -> tuple[Sanad, Path]:
    """A store restored from a backup of ``files`` into an empty data dir (origins = the backup)."""
    cache = tmp_path / "cache"
    first = Sanad(load_settings(data_dir=tmp_path / "first", cache_dir=cache))
    assert first.pipeline.ingest_paths(files).added == 3
    backup = tmp_path / "backup.jsonl"
    export_jsonl(first, backup)
    sanad = Sanad(load_settings(data_dir=tmp_path / "restored", cache_dir=cache))
    assert sanad.pipeline.ingest_paths([str(backup)]).added == 3
    assert set(sanad.catalog.origins().values()) == {str(backup.resolve())}
    return sanad, backup


def test_reingest_that_only_moves_origins_leaves_bm25_in_step(tmp_path: Path) -> None:
    files = originals(tmp_path)
    sanad, _ = restored(tmp_path, files)
    assert check_store(sanad).ok
    before = sanad.catalog.generation()

    report = sanad.pipeline.ingest_paths(files)
    assert (report.unchanged, report.added, report.updated) == (3, 0, 0)
    assert sanad.catalog.generation() != before  # the origins moved to the files just read
    found = check_store(sanad)
    assert found.lexical_in_step and found.ok, found
    loaded = LexicalIndex.load(sanad.settings.lexical_index_dir)
    assert loaded is not None and loaded[1] == sanad.catalog.generation()
    assert sanad.retriever.retrieve("chess final draw", k=1)[0].chunk.article_id == "r2"


def test_prune_dry_run_after_a_restore_predicts_the_real_run(tmp_path: Path) -> None:
    files = originals(tmp_path)
    sanad, backup = restored(tmp_path, files)
    backup.rename(tmp_path / "elsewhere.jsonl")  # the backup is moved away

    dry = sanad.pipeline.ingest_paths(files, prune=True, dry_run=True)
    real = sanad.pipeline.ingest_paths(files, prune=True)
    counts = ("added", "updated", "unchanged", "removed", "failed")
    assert [getattr(dry, c) for c in counts] == [getattr(real, c) for c in counts] == [0, 0, 3, 0, 0]
    assert sanad.catalog.count() == 3

    # A file that is gone still counts as removed in both.
    Path(files[1]).unlink()
    dry = sanad.pipeline.ingest_paths(files[:1], prune=True, dry_run=True)
    real = sanad.pipeline.ingest_paths(files[:1], prune=True)
    assert (dry.unchanged, dry.removed) == (real.unchanged, real.removed) == (2, 1)


def test_dry_run_predicts_rechunking_when_chunk_settings_change(tmp_path: Path) -> None:
    files = originals(tmp_path)
    data, cache = tmp_path / "data", tmp_path / "cache"
    assert Sanad(load_settings(data_dir=data, cache_dir=cache)).pipeline.ingest_paths(files).added == 3
    small = Sanad(
        load_settings(data_dir=data, cache_dir=cache, chunking={"target_tokens": 32, "overlap_tokens": 0})
    )
    dry = small.pipeline.ingest_paths(files, dry_run=True)
    real = small.pipeline.ingest_paths(files)
    assert (dry.updated, dry.unchanged) == (real.updated, real.unchanged) == (3, 0)


def test_a_dead_store_logs_one_line_per_article_without_tracebacks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    files = originals(tmp_path)
    sanad = Sanad(load_settings(data_dir=tmp_path / "data", cache_dir=tmp_path / "cache"))
    store = sanad.store

    def refused(*args: object, **kwargs: object) -> None:
        raise httpx.ConnectError("[Errno 111] Connection refused")

    monkeypatch.setattr(store, "upsert", refused)
    with caplog.at_level(logging.INFO, logger="ingest.pipeline"):
        report = sanad.pipeline.ingest_paths(files)
    assert report.failed == 3 and report.added == 0
    failures = [r for r in caplog.records if "failed" in r.getMessage()]
    assert len(failures) == 3, [r.getMessage() for r in failures]
    for record in failures:
        assert record.levelno == logging.WARNING and record.exc_info is None
        assert "ConnectError: [Errno 111] Connection refused" in record.getMessage()
        assert "\n" not in record.getMessage()


def test_an_unexpected_write_error_keeps_its_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    files = originals(tmp_path)
    sanad = Sanad(load_settings(data_dir=tmp_path / "data", cache_dir=tmp_path / "cache"))

    def bug(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("a bug of ours")

    monkeypatch.setattr(sanad.store, "upsert", bug)
    with caplog.at_level(logging.INFO, logger="ingest.pipeline"):
        report = sanad.pipeline.ingest_paths(files[:1])
    assert report.failed == 2
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 2 and all(r.exc_info is not None for r in errors)
