"""sanad check / --repair / export: verify, repair and back up a real store."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

from ingest.maintenance import check_store, export_jsonl, repair_store
from rag.settings import load_settings
from sanad.app import Sanad

ROOT = Path(__file__).resolve().parents[2]
ARTICLES = [
    {
        "id": "m1",
        "title": "Rain in Cairo",
        "source": "Wire",
        "published_at": "2024-01-02",
        "body": "Heavy rain fell on Cairo on Tuesday. Streets flooded near the river.",
    },
    {
        "id": "m2",
        "title": "Chess final",
        "source": "Wire",
        "body": "The chess final ended in a draw after six hours. Both players shared the title.",
    },
]


def ingested(tmp_path: Path) -> Sanad:
    feed = tmp_path / "feed.jsonl"
    feed.write_text("".join(json.dumps(r) + "\n" for r in ARTICLES), encoding="utf-8")
    seed = tmp_path / "seed.txt"
    shutil.copy(ROOT / "samples" / "articles" / "ar-putin-pyongyang-visit.txt", seed)
    sanad = Sanad(load_settings(data_dir=tmp_path / "data", cache_dir=tmp_path / "cache"))
    report = sanad.pipeline.ingest_paths([str(feed), str(seed)])
    assert report.added == 3
    return sanad


def test_check_finds_and_repair_fixes_a_damaged_store(tmp_path: Path) -> None:
    sanad = ingested(tmp_path)
    assert check_store(sanad).ok
    # Damage: an orphan chunk, a lost chunk of m2, and a stale BM25 index.
    some = sanad.store.get(sorted(sanad.catalog.chunk_ids())[:1])[0]
    sanad.store.upsert([replace(some, chunk_id="ghost::0")], [[0.1] * sanad.store.dimension])
    m2 = sanad.catalog.get("m2")
    assert m2 is not None
    sanad.store.delete([m2.chunk_ids[0]])
    shutil.rmtree(sanad.settings.lexical_index_dir)

    found = check_store(sanad)
    assert not found.ok
    assert found.orphans == ["ghost::0"] and found.missing == [m2.chunk_ids[0]]
    assert found.broken_articles == ["m2"] and not found.lexical_in_step

    fixed = repair_store(sanad, found)
    assert fixed.added == 1 and fixed.failed == 0
    after = check_store(sanad)
    assert after.ok, after
    restored = sanad.catalog.get("m2")
    assert restored is not None and restored.article.text == m2.article.text
    assert sanad.retriever.retrieve("chess final draw", k=1)[0].chunk.article_id == "m2"


def test_export_then_ingest_restores_the_same_articles_and_chunks(tmp_path: Path) -> None:
    sanad = ingested(tmp_path)
    backup = tmp_path / "backup.jsonl"
    assert export_jsonl(sanad, backup) == 3
    rows = [json.loads(line) for line in backup.read_text(encoding="utf-8").splitlines()]
    assert all(row["chunks"] and row["body"] for row in rows)

    fresh = Sanad(load_settings(data_dir=tmp_path / "restored", cache_dir=tmp_path / "cache"))
    report = fresh.pipeline.ingest_paths([str(backup)])
    assert report.added == 3 and report.chunks_embedded == 0  # vectors from the cache
    for record in sanad.catalog.records():
        copy = fresh.catalog.get(record.article.article_id)
        assert copy is not None
        a, b = record.article, copy.article
        assert (a.text, a.title, a.source, a.url, a.published_at, a.language, a.content_hash) == (
            b.text,
            b.title,
            b.source,
            b.url,
            b.published_at,
            b.language,
            b.content_hash,
        )
        assert copy.chunk_ids == record.chunk_ids
