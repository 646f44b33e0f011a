"""Hybrid retrieval: dense (Chroma, cosine) + lexical (BM25), fused by reciprocal rank fusion.

Only chunks the catalog lists are ever returned: the catalog row is an article's commit point, so
chunks written to Chroma by an ingest that crashed before committing (or left behind by one that
crashed before deleting them) are invisible (DESIGN.md, "Invariants"). The BM25 index is a derived
view keyed by ``Catalog.generation()``: each :meth:`HybridRetriever.retrieve` compares the
generation (one SQL query) and, when it moved, loads the index the ingest saved or rebuilds it.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from rag.catalog import Catalog
from rag.embeddings import IdentifiedEmbeddings
from rag.fusion import CONVEX_ALPHA, convex_combination, reciprocal_rank_fusion
from rag.lexical import DocMeta, LexicalDoc, LexicalIndex
from rag.store import ChunkStore, filters_to_where, published_ts
from rag.types import Chunk, Filters, Retrieved

log = logging.getLogger(__name__)


def build_lexical_index(store: ChunkStore, catalog: Catalog) -> tuple[LexicalIndex, int, frozenset[str]]:
    """Build the BM25 index of every chunk the catalog lists and the store holds.

    The generation is read *before* the data, so the index is never labelled newer than what it
    contains (a write in between only causes one more rebuild later).

    Returns:
        ``(index, generation, listed chunk ids)``.
    """
    generation = catalog.generation()
    listed = frozenset(catalog.chunk_ids())
    docs = (
        LexicalDoc(c.chunk_id, c.text, c.language, c.source, published_ts(c.published_at), c.article_id)
        for c in store.iter_chunks()
        if c.chunk_id in listed
    )
    return LexicalIndex.build(docs), generation, listed


def rebuild_lexical_index(store: ChunkStore, catalog: Catalog, index_dir: Path) -> int:
    """Rebuild and save the BM25 index (the ingest pipeline calls this at the end of a run).

    Args:
        store: The chunk store.
        catalog: The article catalog (decides which chunks are visible).
        index_dir: Where the index lives, e.g. ``<data_dir>/bm25``.

    Returns:
        Number of chunks indexed.

    Raises:
        OSError: the index cannot be written.
    """
    index, generation, _ = build_lexical_index(store, catalog)
    index.save(index_dir, generation)
    return len(index)


def filter_predicate(
    filters: Filters | None, meta: Callable[[str], DocMeta | None]
) -> Callable[[str], bool] | None:
    """A predicate over chunk ids that applies the same filter as the dense search.

    It evaluates the very ``where`` clause :func:`rag.store.filters_to_where` gives Chroma, over
    each chunk's ``source``, ``language``, ``published_ts`` and ``article_id``, so the two paths
    cannot drift apart. As in Chroma, a comparison on a missing key (an undated chunk) is False.

    Args:
        filters: The filters, or None.
        meta: Looks up a chunk's metadata (None for an unknown chunk, which is then rejected).

    Returns:
        The predicate, or None when no filter applies.

    Raises:
        ValueError: the where clause uses an operator this evaluator does not know.
    """
    where = filters_to_where(filters)
    if where is None:
        return None
    _check_where(where)

    def allowed(chunk_id: str) -> bool:
        m = meta(chunk_id)
        if m is None:
            return False
        fields: dict[str, Any] = {"source": m.source, "language": m.language, "article_id": m.article_id}
        if m.published_ts is not None:
            fields["published_ts"] = m.published_ts
        return _matches(where, fields)

    return allowed


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "$eq": lambda v, x: bool(v == x),
    "$ne": lambda v, x: bool(v != x),
    "$gt": lambda v, x: bool(v > x),
    "$gte": lambda v, x: bool(v >= x),
    "$lt": lambda v, x: bool(v < x),
    "$lte": lambda v, x: bool(v <= x),
    "$in": lambda v, x: v in x,
    "$nin": lambda v, x: v not in x,
}


def _check_where(where: dict[str, Any]) -> None:
    for key, cond in where.items():
        if key in ("$and", "$or"):
            for sub in cond:
                _check_where(sub)
        elif isinstance(cond, dict):
            unknown = set(cond) - set(_COMPARE)
            if unknown:
                raise ValueError(f"unsupported where operator(s) {sorted(unknown)} on {key!r}")


def _matches(where: dict[str, Any], fields: dict[str, Any]) -> bool:
    for key, cond in where.items():
        if key == "$and":
            if not all(_matches(sub, fields) for sub in cond):
                return False
        elif key == "$or":
            if not any(_matches(sub, fields) for sub in cond):
                return False
        else:
            if key not in fields:
                return False
            ops = cond if isinstance(cond, dict) else {"$eq": cond}
            try:
                if not all(_COMPARE[op](fields[key], value) for op, value in ops.items()):
                    return False
            except TypeError:  # e.g. comparing a str with an int: no match, as in Chroma
                return False
    return True


class HybridRetriever:
    """Dense + BM25 retrieval over the catalog's chunks, fused (convex combination or RRF).

    Args:
        store: Chunk store (dense search and chunk lookup).
        catalog: Article catalog: the chunk ids it lists are the only ones ever returned.
        embeddings: Embeds the query (the same embedder the store was built with).
        index_dir: Directory of the persisted BM25 index, e.g. ``<data_dir>/bm25``.
        dense_k: Candidates taken from the dense retriever.
        lexical_k: Candidates taken from BM25.
        rrf_k: Reciprocal rank fusion constant (60, Cormack et al. 2009).
        fusion: "convex" (normalised-score convex combination, Bruch et al. 2023; the default)
            or "rrf" (reciprocal rank fusion).
        alpha: Dense weight of the convex combination, in [0, 1].

    Thread-safe: refreshes are serialised by a lock and swap the state in one assignment, so a
    concurrent :meth:`retrieve` sees either the old or the new index.
    """

    def __init__(
        self,
        store: ChunkStore,
        catalog: Catalog,
        embeddings: IdentifiedEmbeddings,
        index_dir: Path,
        dense_k: int = 40,
        lexical_k: int = 40,
        rrf_k: int = 60,
        fusion: str = "convex",
        alpha: float = CONVEX_ALPHA,
    ) -> None:
        if fusion not in ("convex", "rrf"):
            raise ValueError(f"unknown fusion {fusion!r}: choose 'convex' or 'rrf'")
        self.store = store
        self.catalog = catalog
        self.embeddings = embeddings
        self.index_dir = index_dir
        self.dense_k = dense_k
        self.lexical_k = lexical_k
        self.rrf_k = rrf_k
        self.fusion = fusion
        self.alpha = alpha
        self._lock = threading.Lock()
        # (index, generation, visible chunk ids), replaced as a whole.
        self._state: tuple[LexicalIndex, int, frozenset[str]] | None = None

    @property
    def generation(self) -> int | None:
        """Catalog generation the loaded BM25 index reflects (None before the first refresh)."""
        state = self._state
        return None if state is None else state[1]

    def refresh(self) -> bool:
        """Bring the BM25 index and the visible-id set in step with the catalog.

        Cheap when nothing changed (one SQL query). Otherwise loads the saved index if it matches
        the catalog's generation, else rebuilds it from the store and saves it.

        Returns:
            True when the index was (re)loaded or rebuilt.
        """
        generation = self.catalog.generation()
        state = self._state
        if state is not None and state[1] == generation:
            return False
        with self._lock:
            generation = self.catalog.generation()
            state = self._state
            if state is not None and state[1] == generation:
                return False
            loaded = LexicalIndex.load(self.index_dir)
            if loaded is not None and loaded[1] == generation:
                # Same generation *and* same chunks: a stale index left beside a recreated catalog
                # whose counter happens to match is not trusted.
                visible = frozenset(self.catalog.chunk_ids())
                if frozenset(loaded[0].chunk_ids) == visible:
                    self._state = (loaded[0], generation, visible)
                    return True
            index, built_generation, listed = build_lexical_index(self.store, self.catalog)
            try:
                index.save(self.index_dir, built_generation)
            except OSError as exc:  # a read-only data dir still serves from memory
                log.warning("cannot save the BM25 index to %s: %s", self.index_dir, exc)
            self._state = (index, built_generation, listed)
            return True

    def retrieve(self, query: str, k: int = 5, filters: Filters | None = None) -> list[Retrieved]:
        """The ``k`` best chunks for ``query``.

        Dense: the store's ``dense_k`` nearest chunks (cosine) under ``filters``; lexical: BM25's
        ``lexical_k`` best under the same filters. Chunks the catalog does not list are dropped;
        the two lists are fused by ``fusion`` (``Retrieved.score`` is the fused score).

        Args:
            query: The (condensed) question.
            k: How many results at most.
            filters: Optional source, language and date filters.

        Returns:
            Retrieved chunks, best fused score first, with each list's rank and score.

        Raises:
            EmbeddingError: the embedder failed.
            StoreError: the store cannot be read.
        """
        if not query.strip() or k <= 0:
            return []
        self.refresh()
        state = self._state
        assert state is not None  # set by refresh()
        index, _, visible = state

        dense_hits = [
            (chunk, sim)
            for chunk, sim in self.store.query(self.embeddings.embed_query(query), self.dense_k, filters)
            if chunk.chunk_id in visible
        ]
        lexical_hits = index.search(query, self.lexical_k, filter_predicate(filters, index.meta))

        dense_ids = [c.chunk_id for c, _ in dense_hits]
        lexical_ids = [cid for cid, _ in lexical_hits]
        chunks: dict[str, Chunk] = {c.chunk_id: c for c, _ in dense_hits}
        dense_info = {c.chunk_id: (rank, sim) for rank, (c, sim) in enumerate(dense_hits, 1)}
        lexical_info = {cid: (rank, score) for rank, (cid, score) in enumerate(lexical_hits, 1)}

        if self.fusion == "rrf":
            fused = reciprocal_rank_fusion([dense_ids, lexical_ids], k=self.rrf_k)
        else:
            fused = convex_combination(
                [(c.chunk_id, sim) for c, sim in dense_hits], lexical_hits, alpha=self.alpha
            )
        out: list[Retrieved] = []
        pos = 0
        while len(out) < k and pos < len(fused):
            window = fused[pos : pos + k - len(out)]
            pos += len(window)
            missing = [cid for cid, _ in window if cid not in chunks]
            if missing:  # lexical-only hits; a chunk deleted since the index was built is skipped
                chunks.update((c.chunk_id, c) for c in self.store.get(missing))
            for cid, score in window:
                chunk = chunks.get(cid)
                if chunk is None:
                    continue
                d_rank, d_sim = dense_info.get(cid, (None, None))
                l_rank, l_score = lexical_info.get(cid, (None, None))
                out.append(
                    Retrieved(
                        chunk=chunk,
                        score=score,
                        dense_rank=d_rank,
                        lexical_rank=l_rank,
                        dense_score=d_sim,
                        lexical_score=l_score,
                    )
                )
        return out

    def as_langchain(self, k: int = 5, filters: Filters | None = None) -> BaseRetriever:
        """This retriever behind LangChain's ``BaseRetriever`` seam (``.invoke(query)`` → Documents).

        Args:
            k: Documents per query.
            filters: Filters applied to every query.
        """
        return SanadLangChainRetriever(retriever=self, k=k, filters=filters)


def retrieved_to_document(item: Retrieved) -> Document:
    """A LangChain ``Document``: the chunk text, its fields as metadata, plus score and ranks."""
    meta: dict[str, Any] = dataclasses.asdict(item.chunk)
    del meta["text"]
    meta.update(
        score=item.score,
        dense_rank=item.dense_rank,
        lexical_rank=item.lexical_rank,
        dense_score=item.dense_score,
        lexical_score=item.lexical_score,
    )
    return Document(page_content=item.chunk.text, metadata=meta, id=item.chunk.chunk_id)


class SanadLangChainRetriever(BaseRetriever):
    """LangChain adapter of :class:`HybridRetriever`.

    Attributes:
        retriever: The hybrid retriever.
        k: Documents per query.
        filters: Filters applied to every query (None for none).
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    retriever: HybridRetriever
    k: int = 5
    filters: Filters | None = None

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        return [retrieved_to_document(r) for r in self.retriever.retrieve(query, self.k, self.filters)]
