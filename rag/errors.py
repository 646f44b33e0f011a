"""One error hierarchy; the library raises, the edges (CLI, API, UI) translate."""

from __future__ import annotations


class SanadError(Exception):
    """Base class of every error Sanad raises on purpose."""


class ConfigError(SanadError):
    """A setting is missing or invalid."""


class InputError(SanadError):
    """Bad input: names the file, line or field at fault in its message.

    Attributes:
        where: "path", "path:line" or "field" naming the place at fault ("" if none).
    """

    def __init__(self, message: str, where: str = "") -> None:
        super().__init__(f"{where}: {message}" if where else message)
        self.where = where
        self.reason = message


class EmbedderMismatchError(SanadError):
    """The store was built with another embedder (id or dimension) than the configured one."""


class StoreError(SanadError):
    """The vector store or the article catalog cannot be opened or written."""


class StoreLockedError(StoreError):
    """Another process holds the write lock on the data directory."""


class EmbeddingError(SanadError):
    """The embedder failed (e.g. a remote embeddings endpoint returned an error)."""


class LLMError(SanadError):
    """The chat model failed after retries (timeout, 5xx, 429, connection refused, bad stream)."""
