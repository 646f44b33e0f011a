"""One error hierarchy; the library raises, the edges (CLI, API, UI) translate."""

from __future__ import annotations

from collections.abc import Iterable


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


def redact(text: str, secrets: Iterable[str | None]) -> str:
    """``text`` with every occurrence of each secret (4+ characters) replaced by ``***``."""
    for secret in sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True):
        text = text.replace(secret, "***")
    return text


def describe_error(exc: BaseException, secrets: Iterable[str | None] = (), limit: int = 300) -> str:
    """A one-line description of ``exc`` that is safe to log or show.

    Upstream HTTP errors (anything with an integer ``status_code``, e.g. the OpenAI SDK's
    ``APIStatusError``) give ``"HTTP 401 AuthenticationError"`` without the response body, which
    may echo the API key back; other errors give ``"Type: message"`` with ``secrets`` redacted
    and cut at ``limit`` characters.
    """
    status = getattr(exc, "status_code", None)
    if isinstance(status, int):
        return f"HTTP {status} {type(exc).__name__}"
    message = " ".join(redact(str(exc), secrets).split())
    if len(message) > limit:
        message = message[: limit - 1] + "…"
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__
