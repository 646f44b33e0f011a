"""A typed httpx client of the Sanad API (used by the tests and the Slack app).

Example::

    with SanadClient("http://127.0.0.1:8000", token="…") as client:
        reply = client.ask("على ماذا شكر بوتين كوريا الشمالية؟")
        for event in client.ask_stream("What did Putin thank North Korea for?"):
            ...
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any
from urllib.parse import quote

import httpx

from api.schemas import (
    ArticleDetail,
    ArticleList,
    AskResponse,
    Health,
    IngestReportOut,
    SearchResponse,
)
from rag.types import Turn


class SanadAPIError(Exception):
    """The API answered with an error.

    Attributes:
        status: HTTP status code.
        type: The error body's ``type`` (e.g. "not_found"), or "http_error" when not JSON.
        message: The error body's ``message``.
    """

    def __init__(self, status: int, kind: str, message: str) -> None:
        super().__init__(f"{status} {kind}: {message}")
        self.status = status
        self.type = kind
        self.message = message


@dataclass(frozen=True)
class SSEEvent:
    """One Server-Sent Event: its name and decoded JSON data."""

    event: str
    data: Any


def iter_sse(lines: Iterable[str]) -> Iterator[SSEEvent]:
    """Parse Server-Sent Events from text lines (``event:``/``data:`` fields, blank line ends one).

    ``data`` is decoded as JSON when it parses, else kept as text; ``[DONE]`` stays text.
    """
    event = "message"
    data: list[str] = []
    for raw in lines:
        line = raw.rstrip("\r\n")
        if not line:
            if data:
                text = "\n".join(data)
                try:
                    value: Any = json.loads(text)
                except json.JSONDecodeError:
                    value = text
                yield SSEEvent(event, value)
            event, data = "message", []
            continue
        if line.startswith(":"):
            continue
        name, _, value_text = line.partition(":")
        value_text = value_text[1:] if value_text.startswith(" ") else value_text
        if name == "event":
            event = value_text
        elif name == "data":
            data.append(value_text)
    if data:
        yield SSEEvent(event, "\n".join(data))


def _turns(history: Sequence[Turn | dict[str, str]]) -> list[dict[str, str]]:
    out = []
    for t in history:
        if isinstance(t, Turn):
            out.append({"role": t.role, "text": t.text})
        else:
            out.append({"role": t["role"], "text": t["text"]})
    return out


class SanadClient:
    """Sync client of one Sanad API server.

    Args:
        base_url: e.g. ``http://127.0.0.1:8000``.
        token: The API's bearer token, if it has one.
        timeout: Seconds per request (answers with an LLM may take a while).
        transport: An httpx transport (tests may pass ``httpx.ASGITransport``-like objects).
    """

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        timeout: float = 180.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.http = httpx.Client(
            base_url=base_url.rstrip("/"), headers=headers, timeout=timeout, transport=transport
        )

    def __enter__(self) -> SanadClient:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool."""
        self.http.close()

    # -- plumbing ---------------------------------------------------------------------------

    @staticmethod
    def _check(response: httpx.Response) -> httpx.Response:
        if response.is_success:
            return response
        response.read()
        try:
            err = response.json()["error"]
            kind, message = str(err["type"]), str(err["message"])
        except (ValueError, KeyError, TypeError):
            kind, message = "http_error", response.text[:500]
        raise SanadAPIError(response.status_code, kind, message)

    def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        return self._check(self.http.request(method, path, **kwargs)).json()

    # -- endpoints --------------------------------------------------------------------------

    def healthz(self) -> Health:
        """``GET /healthz``."""
        return Health.model_validate(self._json("GET", "/healthz"))

    def readyz(self) -> Health:
        """``GET /readyz`` (raises :class:`SanadAPIError` 503 while not ready)."""
        return Health.model_validate(self._json("GET", "/readyz"))

    def ask(
        self,
        question: str,
        history: Sequence[Turn | dict[str, str]] = (),
        *,
        k: int | None = None,
        filters: dict[str, Any] | None = None,
    ) -> AskResponse:
        """``POST /v1/ask``: the answer with its citations."""
        body = _ask_body(question, history, k, filters)
        return AskResponse.model_validate(self._json("POST", "/v1/ask", json=body))

    def ask_stream(
        self,
        question: str,
        history: Sequence[Turn | dict[str, str]] = (),
        *,
        k: int | None = None,
        filters: dict[str, Any] | None = None,
    ) -> Iterator[SSEEvent]:
        """``POST /v1/ask`` as Server-Sent Events: ``delta`` (``{"text"}``)…, ``answer``, ``done``.

        The ``answer`` event's data is the :class:`AskResponse` JSON; an ``error`` event carries
        ``{"error": {type, message}}`` when the stream fails after it started.
        """
        body = _ask_body(question, history, k, filters)
        with self.http.stream(
            "POST", "/v1/ask", json=body, headers={"Accept": "text/event-stream"}
        ) as response:
            self._check(response)
            yield from iter_sse(response.iter_lines())

    def search(self, query: str, *, k: int = 10, filters: dict[str, Any] | None = None) -> SearchResponse:
        """``POST /v1/search``: ranked chunks."""
        body: dict[str, Any] = {"query": query, "k": k}
        if filters:
            body["filters"] = filters
        return SearchResponse.model_validate(self._json("POST", "/v1/search", json=body))

    def add_articles(self, articles: Sequence[dict[str, Any]]) -> IngestReportOut:
        """``POST /v1/articles``: ingest article objects; the ingest report."""
        return IngestReportOut.model_validate(
            self._json("POST", "/v1/articles", json={"articles": list(articles)})
        )

    def list_articles(self, offset: int = 0, limit: int = 50) -> ArticleList:
        """``GET /v1/articles``: one page, ordered by id."""
        return ArticleList.model_validate(
            self._json("GET", "/v1/articles", params={"offset": offset, "limit": limit})
        )

    def get_article(self, article_id: str) -> ArticleDetail:
        """``GET /v1/articles/{id}`` (raises :class:`SanadAPIError` 404 when unknown)."""
        return ArticleDetail.model_validate(self._json("GET", f"/v1/articles/{quote(article_id, safe='')}"))

    def delete_article(self, article_id: str) -> None:
        """``DELETE /v1/articles/{id}`` (raises :class:`SanadAPIError` 404 when unknown)."""
        self._json("DELETE", f"/v1/articles/{quote(article_id, safe='')}")

    def answer(self, question: str, history: tuple[Turn, ...]) -> AskResponse:
        """The Slack app's answer function: :meth:`ask` with history only."""
        return self.ask(question, history)


def _ask_body(
    question: str,
    history: Sequence[Turn | dict[str, str]],
    k: int | None,
    filters: dict[str, Any] | None,
) -> dict[str, Any]:
    body: dict[str, Any] = {"question": question}
    if history:
        body["history"] = _turns(history)
    if k is not None:
        body["k"] = k
    if filters:
        body["filters"] = filters
    return body
