"""A long ingest run streams: batches are committed as it goes, BM25 included (issue 16, item 4)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import ingest.pipeline
from rag.retrieval.lexical import LexicalIndex
from rag.settings import load_settings
from sanad.app import Sanad


def test_bm25_is_committed_during_the_run_and_ends_equal_to_the_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    feed = tmp_path / "feed.jsonl"
    rows = [
        {"id": f"s{i}", "title": f"Item {i}", "body": f"Item {i}: the tram line {i} reopens on Monday."}
        for i in range(10)
    ]
    feed.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    monkeypatch.setattr(ingest.pipeline, "LEXICAL_COMMIT_CHUNKS", 4)
    sanad = Sanad(load_settings(data_dir=tmp_path / "data", embedder={"batch_size": 2}))
    pipeline = sanad.pipeline
    commit = pipeline.rebuild_lexical
    assert commit is not None
    seen: list[int] = []  # articles in the catalog at each BM25 commit

    def counting() -> object:
        seen.append(sanad.catalog.count())
        return commit()

    pipeline.rebuild_lexical = counting
    done: list[float] = []  # fractions of articles while their chunks are embedded
    report = pipeline.ingest_paths([str(feed)], articles_done=done.append)
    assert report.added == 10 and sum(done) == pytest.approx(10)
    assert seen[:2] == [4, 8] and seen[-1] == 10  # every 4 chunks, then at the end
    saved = LexicalIndex.load(sanad.settings.lexical_index_dir)
    assert saved is not None and saved[1] == sanad.catalog.generation()
    assert sorted(saved[0].chunk_ids) == sorted(sanad.catalog.chunk_ids()) == sorted(sanad.store.all_ids())
    hits = sanad.retriever.retrieve("tram line 7 reopens", k=3)
    assert hits and hits[0].chunk.article_id == "s7"
