"""rag.retrieval.lexical_view: the BM25 view follows the catalog at the cost of what changed."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from rag.retrieval.lexical import LexicalIndex
from rag.retrieval.lexical_view import LexicalView, sync_lexical_index
from rag.settings import load_settings
from rag.store.catalog import Catalog
from rag.store.chroma import ChunkStore, open_store
from rag.types import Article, Chunk

TEXTS = {
    "rates": ["The central bank raised interest rates to fight inflation.", "Analysts expect a slowdown."],
    "flood": ["Heavy rain caused flooding in the northern provinces."],
    "oil": ["ارتفعت أسعار النفط بعد قرار أوبك خفض الإنتاج"],
    "frog": ["Scientists discovered a new species of frog in the Amazon rainforest."],
}
QUERIES = ["interest rates inflation", "flooding rain", "أسعار النفط", "frog species Amazon", "solar Aswan"]


class Recorder:
    """Wraps the real store and records which chunk ids were read from it."""

    def __init__(self, store: ChunkStore) -> None:
        self.store = store
        self.got: list[str] = []
        self.full_scans = 0

    def get(self, ids: Sequence[str]) -> list[Chunk]:
        self.got.extend(ids)
        return self.store.get(ids)

    def iter_chunks(self) -> Iterator[Chunk]:
        self.full_scans += 1
        return self.store.iter_chunks()


def put(store: ChunkStore, catalog: Catalog, aid: str, texts: list[str], source: str = "wire") -> list[str]:
    text = " ".join(texts)
    digest = hashlib.sha256(text.encode()).hexdigest()
    lang = "ar" if aid == "oil" else "en"
    article = Article(aid, aid, text, source, None, "2024-05-01", lang, digest)
    chunks = [
        Chunk(
            f"{aid}::{digest[:8]}::{i}",
            aid,
            i,
            t,
            0,
            len(t),
            aid,
            source,
            None,
            "2024-05-01",
            article.language,
        )
        for i, t in enumerate(texts)
    ]
    store.upsert(chunks, [[1.0, 0.0, 0.0, 0.0]] * len(chunks))
    catalog.put(article, [c.chunk_id for c in chunks])
    return [c.chunk_id for c in chunks]


@pytest.fixture
def world(tmp_path: Path) -> Iterator[tuple[ChunkStore, Catalog]]:
    store = open_store(load_settings(data_dir=tmp_path), "test-embedder", 4)
    catalog = Catalog(tmp_path / "catalog.sqlite")
    for aid, texts in TEXTS.items():
        put(store, catalog, aid, texts)
    yield store, catalog
    catalog.close()


def same_results(a: LexicalIndex, b: LexicalIndex) -> None:
    assert sorted(a.chunk_ids) == sorted(b.chunk_ids)
    for q in QUERIES:
        assert dict(a.search(q, 10)) == pytest.approx(dict(b.search(q, 10))), q


def test_writer_and_replica_read_only_what_changed(world: tuple[ChunkStore, Catalog], tmp_path: Path) -> None:
    store, catalog = world
    writer = LexicalView(store, catalog, tmp_path / "bm25", background=False)
    writer.commit()
    shared = Recorder(store)  # a replica on the same data dir
    replica = LexicalView(shared, catalog, tmp_path / "bm25", background=False)  # type: ignore[arg-type]
    remote = Recorder(store)  # a replica with its own data dir (server mode, another host)
    far = LexicalView(remote, catalog, tmp_path / "far-bm25", background=False)  # type: ignore[arg-type]
    replica.refresh(), far.refresh()
    assert shared.full_scans == 0 and far.generation == replica.generation == catalog.generation()
    assert remote.full_scans == 1  # nothing saved under its own dir yet: one full build
    remote.got.clear()

    new_ids = put(store, catalog, "solar", ["Egypt opened the largest solar power plant near Aswan."])
    catalog.delete("flood")
    before = set((tmp_path / "bm25").iterdir())
    writer.commit()
    written = {p.name for p in set((tmp_path / "bm25").iterdir()) - before}
    assert {n.rsplit(".", 1)[1] for n in written if n.startswith("seg-")} == {"npz", "json"}
    assert len([n for n in written if n.startswith("seg-")]) == 2  # one new small segment

    assert replica.refresh() and far.refresh()
    assert shared.got == [] and shared.full_scans == 0  # read the new segment from disk only
    assert remote.got == new_ids and remote.full_scans == 1  # read the new chunk from Chroma only
    rebuilt = sync_lexical_index(None, store, catalog).index
    for view in (writer, replica, far):
        state = view.current()
        assert state.generation == catalog.generation() and state.visible == frozenset(rebuilt.chunk_ids)
        same_results(state.index, rebuilt)
        assert state.index.search("solar Aswan", 1)[0][0] == new_ids[0]
        assert not state.index.search("flooding rain", 5)


def test_metadata_only_change_reaches_the_filters(world: tuple[ChunkStore, Catalog], tmp_path: Path) -> None:
    store, catalog = world
    view = LexicalView(store, catalog, tmp_path / "bm25", background=False)
    ids = [cid for cid in view.current().index.chunk_ids if cid.startswith("rates")]
    put(store, catalog, "rates", TEXTS["rates"], source="reuters")  # same text: same chunk ids
    index = view.current().index
    assert [m.source for m in map(index.meta, ids) if m] == ["reuters", "reuters"]


def test_replaced_article_keeps_one_version(world: tuple[ChunkStore, Catalog], tmp_path: Path) -> None:
    store, catalog = world
    view = LexicalView(store, catalog, tmp_path / "bm25", background=False)
    view.commit()
    put(store, catalog, "frog", ["Scientists discovered a new species of toad in Borneo."])
    view.commit()
    hits = view.current().index.search("species toad Borneo", 5)
    assert len(hits) == 1 and hits[0][0].startswith("frog::")
    assert not view.current().index.search("Amazon rainforest", 5)


def test_many_writes_fold_in_the_background(world: tuple[ChunkStore, Catalog], tmp_path: Path) -> None:
    store, catalog = world
    writer = LexicalView(store, catalog, tmp_path / "bm25", background=False)
    reader = LexicalView(store, catalog, tmp_path / "reader-bm25")
    reader.refresh()
    for i in range(12):
        put(store, catalog, f"w{i}", [f"Update number {i} on the interest rates decision."])
        writer.commit()
        reader.refresh()
    assert writer.current().index.segment_count <= 2  # the writer merges per policy
    deadline = time.monotonic() + 10
    while reader.current().index.needs_compaction() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not reader.current().index.needs_compaction()
    same_results(reader.current().index, sync_lexical_index(None, store, catalog).index)


def test_a_large_delta_is_read_by_one_scan(world: tuple[ChunkStore, Catalog], tmp_path: Path) -> None:
    store, catalog = world
    recorder = Recorder(store)
    view = LexicalView(recorder, catalog, tmp_path / "bm25", background=False)  # type: ignore[arg-type]
    view.refresh()
    assert recorder.full_scans == 1
    for i in range(4):  # 4 new chunks over 9 listed: more than FULL_BUILD_SHARE
        put(store, catalog, f"bulk{i}", [f"Bulk update {i} on flooding and rain."])
    view.refresh()
    assert recorder.full_scans == 2 and recorder.got == []
    same_results(view.current().index, sync_lexical_index(None, store, catalog).index)
