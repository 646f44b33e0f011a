"""A process keeps querying an on-disk store while another process writes to it (nc8 D1).

chromadb keeps each collection's vector index in memory per process. Before the fix, chunks
another process wrote were invisible to dense search, and every filtered query that selected one
failed with "Error finding id" until restart. Real parts: Chroma on disk, the writer a real
subprocess; vectors are fixed unit vectors (the store, not the embedder, is under test).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from rag.settings import Settings, load_settings
from rag.store.chroma import ChunkStore, open_store
from rag.types import Chunk, Filters

DIM = 8
EMBEDDER = "unit-vectors"
REPO = Path(__file__).resolve().parents[3]

WRITER = """
import json, sys
from rag.settings import load_settings
from rag.store.chroma import open_store
from rag.types import Chunk
chunks, vectors = json.loads(sys.argv[2])
store = open_store(load_settings(data_dir=sys.argv[1]), "unit-vectors", 8)
store.upsert([Chunk(**c) for c in chunks], vectors)
"""


def _chunk(article_id: str, language: str, text: str) -> Chunk:
    return Chunk(
        chunk_id=f"{article_id}#0",
        article_id=article_id,
        ordinal=0,
        text=text,
        start=0,
        end=len(text),
        title=article_id,
        source="Wire",
        url=None,
        published_at="2024-05-01",
        language=language,
        content_hash=article_id,
    )


def _axis(i: int) -> list[float]:
    return [1.0 if j == i else 0.0 for j in range(DIM)]


def _write_elsewhere(settings: Settings, chunks: list[Chunk], vectors: list[list[float]]) -> None:
    """Upsert from another process, as ``sanad ingest`` beside a running server does."""
    payload = json.dumps([[c.__dict__ for c in chunks], vectors])
    subprocess.run(
        [sys.executable, "-c", WRITER, str(settings.data_dir), payload], cwd=REPO, check=True, timeout=120
    )


@pytest.fixture
def reader(tmp_path: Path) -> tuple[Settings, ChunkStore]:
    """This process's store, holding two English chunks and queried once (its index loaded)."""
    settings = load_settings(data_dir=tmp_path / "data")
    store = open_store(settings, EMBEDDER, DIM)
    store.upsert([_chunk("en-1", "en", "first"), _chunk("en-2", "en", "second")], [_axis(0), _axis(1)])
    assert store.query(_axis(0), 5, Filters(languages=("en",)))[0][0].article_id == "en-1"
    return settings, store


def test_filtered_and_dense_queries_see_another_process_writes(reader: tuple[Settings, ChunkStore]) -> None:
    settings, store = reader
    arabic_chunks = [_chunk("ar-1", "ar", "عربي"), _chunk("ar-2", "ar", "ثان")]
    _write_elsewhere(settings, arabic_chunks, [_axis(2), _axis(3)])

    arabic = store.query(_axis(2), 5, Filters(languages=("ar",)))  # was: InternalError "Error finding id"
    assert [c.article_id for c, _ in arabic] == ["ar-1", "ar-2"]
    assert store.query(_axis(3), 1)[0][0].article_id == "ar-2"  # dense search sees the new vectors
    assert store.probe() == 4


def test_a_write_missed_by_the_watch_is_healed_by_one_reopen(reader: tuple[Settings, ChunkStore]) -> None:
    settings, store = reader
    _write_elsewhere(settings, [_chunk("ar-1", "ar", "عربي")], [_axis(2)])
    # As if the other process wrote between the watch's check and the query (a race).
    assert store._watch is not None
    store._watch.mark()

    assert [c.article_id for c, _ in store.query(_axis(2), 5, Filters(languages=("ar",)))] == ["ar-1"]
    store._watch.mark()
    assert store.probe() == 3


def test_own_writes_do_not_reopen(reader: tuple[Settings, ChunkStore]) -> None:
    _, store = reader
    before = store._col
    store.upsert([_chunk("en-3", "en", "third")], [_axis(4)])
    store.delete(["en-2#0"])
    assert store.query(_axis(4), 1, Filters(languages=("en",)))[0][0].article_id == "en-3"
    assert store._col is before
