"""The BM25 index of one store, kept in step with its catalog at the cost of what changed.

The index is a view derived from the catalog (the commit point) and the store (the texts), keyed
by ``Catalog.generation()``. When the generation moves, :meth:`LexicalView.refresh`

1. reads the saved index if it is at that generation, taking the segments it already holds from
   memory (:meth:`LexicalIndex.load` with ``reuse``): on one data dir, a replica reads only the
   segments written since its generation;
2. otherwise starts from the index it holds, and
3. compares it with the catalog's listing (:meth:`ArticleCatalog.listing`, no texts): chunks the
   catalog no longer lists are deleted; chunks it lists that the index lacks, or holds with other
   filter fields, are read from the store and added as one new segment. A replica on another
   host (server mode) thus reads from Chroma only the chunks written since its generation.

Only a view holding nothing, with no usable saved index, reads every chunk (a full build). The
writer (the ingest pipeline) calls :meth:`LexicalView.commit` under the write lock: the same
steps, then the merge policy (:meth:`LexicalIndex.compacted`), then a save that writes only the
new segment and a manifest. Readers fold segments in a background thread instead, so a query
never waits for a merge.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path

from rag.retrieval.lexical import DocMeta, LexicalDoc, LexicalIndex, Tokenizer
from rag.store.catalog import ArticleCatalog
from rag.store.chroma import ChunkStore, published_ts
from rag.text.normalize import TOKENIZER_VERSION, tokenize

log = logging.getLogger(__name__)

_FETCH_PAGE = 500

FULL_BUILD_SHARE = 0.25
"""When more than this share of the listed chunks is new or changed, one paged scan of the store
(a full build) is cheaper than fetching them by id: measured 74 s by id against 37 s by scan for
20k new of 30k chunks (make bench, docs/results.md)."""


@dataclass(frozen=True)
class LexicalState:
    """A consistent view: the index, the catalog generation it reflects, the visible chunk ids."""

    index: LexicalIndex
    generation: int
    visible: frozenset[str]


def _listed(catalog: ArticleCatalog) -> tuple[int, dict[str, DocMeta]]:
    """The generation (read first, so a view is never labelled newer than its data) and the
    filter fields of every listed chunk."""
    generation = catalog.generation()
    wanted: dict[str, DocMeta] = {}
    for aid, art in catalog.listing().items():
        meta = DocMeta(art.source, art.language, published_ts(art.published_at), aid)
        for cid in art.chunk_ids:
            wanted[cid] = meta
    return generation, wanted


def sync_lexical_index(
    index: LexicalIndex | None,
    store: ChunkStore,
    catalog: ArticleCatalog,
    tokenizer: Tokenizer = tokenize,
    tokenizer_id: int | str = TOKENIZER_VERSION,
) -> LexicalState:
    """Bring ``index`` in step with the catalog, reading from the store only what changed.

    Args:
        index: The index to start from; None builds from every listed chunk (a full build).
        store: The chunk store (texts).
        catalog: The catalog (which chunks are visible, and their filter fields).
        tokenizer: Tokenizer of a new index.
        tokenizer_id: Its name and version.

    Returns:
        The state; its index is ``index`` itself when nothing changed.

    Raises:
        StoreError: the store or the catalog cannot be read.
    """
    generation, wanted = _listed(catalog)
    visible = frozenset(wanted)

    def doc(chunk_id: str, text: str) -> LexicalDoc:
        m = wanted[chunk_id]
        return LexicalDoc(chunk_id, text, m.language, m.source, m.published_ts, m.article_id)

    missing = [] if index is None else [cid for cid, m in wanted.items() if index.meta(cid) != m]
    if index is None or len(missing) > FULL_BUILD_SHARE * len(wanted):
        docs = (doc(c.chunk_id, c.text) for c in store.iter_chunks() if c.chunk_id in wanted)
        return LexicalState(LexicalIndex.build(docs, tokenizer, tokenizer_id), generation, visible)
    removed = [cid for cid in index.chunk_ids if cid not in wanted]
    added: list[LexicalDoc] = []
    for i in range(0, len(missing), _FETCH_PAGE):
        added.extend(doc(c.chunk_id, c.text) for c in store.get(missing[i : i + _FETCH_PAGE]))
    return LexicalState(index.with_changes(added, removed), generation, visible)


class LexicalView:
    """The current BM25 index of a store, shared by the retriever and the ingest pipeline.

    Thread-safe: updates are serialised by a lock and replace the state in one assignment, so a
    reader sees the old or the new state, never a mix.

    Args:
        store: The chunk store.
        catalog: The article catalog.
        index_dir: Where the index is saved, e.g. ``<data_dir>/bm25``.
        tokenizer: Turns texts into terms (another channel may index other keys).
        tokenizer_id: Its name and version, saved with the index.
        background: Fold segments in a background thread after a refresh (readers); False
            leaves merging to :meth:`commit` (tests, batch jobs).
    """

    def __init__(
        self,
        store: ChunkStore,
        catalog: ArticleCatalog,
        index_dir: Path,
        tokenizer: Tokenizer = tokenize,
        tokenizer_id: int | str = TOKENIZER_VERSION,
        background: bool = True,
    ) -> None:
        self.store = store
        self.catalog = catalog
        self.index_dir = index_dir
        self.tokenizer = tokenizer
        self.tokenizer_id = tokenizer_id
        self.background = background
        self._lock = threading.Lock()
        self._state: LexicalState | None = None
        self._merging = False

    @property
    def generation(self) -> int | None:
        """Catalog generation of the current state (None before the first refresh)."""
        state = self._state
        return None if state is None else state.generation

    def current(self) -> LexicalState:
        """The state, refreshed first when the catalog's generation moved.

        Raises:
            StoreError: the store or the catalog cannot be read.
        """
        self.refresh()
        state = self._state
        assert state is not None  # set by refresh()
        return state

    def refresh(self) -> bool:
        """Bring the index in step with the catalog (cheap when nothing changed: one query).

        Returns:
            True when the state changed.
        """
        generation = self.catalog.generation()
        state = self._state
        if state is not None and state.generation == generation:
            return False
        with self._lock:
            state = self._state
            if state is not None and state.generation == self.catalog.generation():
                return False
            new, from_scratch = self._synced(state)
            if from_scratch:  # nothing usable was saved: save what was built (readers too)
                self._save(new)
            self._state = new
        self._fold_later(new)
        return True

    def commit(self) -> int:
        """After a write (under the write lock): sync, merge per policy, save the changes.

        Returns:
            Number of chunks indexed.

        Raises:
            OSError: the index cannot be written.
        """
        with self._lock:
            state, _ = self._synced(self._state)
            state = LexicalState(state.index.compacted(), state.generation, state.visible)
            state.index.save(self.index_dir, state.generation)
            self._state = state
            return len(state.index)

    def rebuild(self) -> int:
        """Build from every listed chunk and save (``sanad check --repair``, benchmarks).

        Returns:
            Number of chunks indexed.
        """
        with self._lock:
            state = sync_lexical_index(None, self.store, self.catalog, self.tokenizer, self.tokenizer_id)
            state.index.save(self.index_dir, state.generation)
            self._state = state
            return len(state.index)

    # -- internals ---------------------------------------------------------------------------

    def _synced(self, state: LexicalState | None) -> tuple[LexicalState, bool]:
        """The state in step with the catalog, and whether it was built from scratch."""
        held = state.index if state is not None else None
        loaded = LexicalIndex.load(self.index_dir, self.tokenizer, self.tokenizer_id, reuse=held)
        if loaded is not None and (held is None or loaded[1] == self.catalog.generation()):
            base: LexicalIndex | None = loaded[0]
        else:
            base = held
        new = sync_lexical_index(base, self.store, self.catalog, self.tokenizer, self.tokenizer_id)
        return new, base is None

    def _save(self, state: LexicalState) -> None:
        try:
            state.index.save(self.index_dir, state.generation)
        except OSError as exc:  # a read-only data dir still serves from memory
            log.warning("cannot save the BM25 index to %s: %s", self.index_dir, exc)

    def _fold_later(self, state: LexicalState) -> None:
        """Merge segments in a daemon thread; the result replaces the state only if unchanged."""
        if not self.background or self._merging or not state.index.needs_compaction():
            return
        self._merging = True

        def fold() -> None:
            try:
                merged = state.index.compacted()
                with self._lock:
                    if self._state is state:
                        self._state = LexicalState(merged, state.generation, state.visible)
            except Exception:  # a failed merge only leaves more segments to read
                log.exception("background BM25 merge failed")
            finally:
                self._merging = False

        threading.Thread(target=fold, name="bm25-merge", daemon=True).start()
