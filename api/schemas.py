"""HTTP request and response models of the Sanad API, and the JSON form of an :class:`Answer`.

Pydantic lives here, at the edge (DESIGN.md style rule 2): the routes convert these models to and
from the frozen dataclasses of :mod:`rag.types`. Unknown fields are refused (422) in requests so a
typo such as ``{"filters": {"source": ...}}`` is an error, not a silently ignored filter; the
OpenAI-compatible request is the exception (clients send many options we do not use).

Types are checked strictly where a lax conversion would hide a client bug: ``k`` must be a JSON
integer (``"5"``, ``5.0`` and ``true`` are 422), dates must be ``YYYY-MM-DD`` strings (``0`` is not
1970-01-01), and text fields refuse NUL characters and lone surrogates.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from ingest.decoding import is_iso_date, normalize_date
from ingest.readers import DATE_FIELDS, URL_FIELDS, web_url
from rag.answer.citations import citation_to_dict, short_answer_to_dict
from rag.text.normalize import has_visible_text
from rag.types import Answer, Filters, IngestReport, Turn

CONVERSATION_ROLES = ("user", "assistant")
"""Roles of ``/v1/chat/completions`` messages that form the conversation; others are ignored."""

MAX_HISTORY_TURNS = 50
"""Most history turns accepted in one request (the chain itself reads the last few)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


_NUL = "\x00"


def _clean_text(value: str) -> str:
    """Refuse text that no part of the pipeline can store or embed: NUL and lone surrogates."""
    if _NUL in value:
        raise ValueError("must not contain NUL characters (\\u0000)")
    if any("\ud800" <= ch <= "\udfff" for ch in value):
        raise ValueError("must be valid Unicode text (it holds a lone surrogate such as \\ud800)")
    return value


Text = Annotated[str, AfterValidator(_clean_text)]
"""A request string without NUL characters or lone surrogates (either is a 422 naming the field)."""

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_date(value: object) -> object:
    """Accept only ``YYYY-MM-DD`` strings (or dates): numbers such as 0 are not dates."""
    if value is None or isinstance(value, dt.date):
        return value
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value.strip()):
        raise ValueError("must be a date written YYYY-MM-DD, e.g. 2024-06-18")
    return value.strip()


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date)]
"""A calendar date given as ``YYYY-MM-DD``; numbers and other formats are refused."""


# --------------------------------------------------------------------------------------- errors


class ErrorDetail(BaseModel):
    """What went wrong.

    Attributes:
        type: A stable machine-readable kind, e.g. "validation_error", "not_found", "unauthorized".
        message: A sentence for humans naming the field or resource at fault.
    """

    type: str
    message: str


class ErrorBody(BaseModel):
    """Every error response: ``{"error": {"type": ..., "message": ...}}``."""

    error: ErrorDetail


def error_body(kind: str, message: str) -> dict[str, Any]:
    """The JSON error body ``{"error": {"type": kind, "message": message}}``."""
    return {"error": {"type": kind, "message": message}}


# -------------------------------------------------------------------------------------- requests


class FiltersIn(_Strict):
    """Retrieval filters; every field is optional and they combine with AND."""

    sources: list[Text] = Field(default_factory=list, max_length=100, description="keep these sources")
    languages: list[Text] = Field(
        default_factory=list, max_length=50, description="keep these BCP 47 language codes, e.g. ar"
    )
    published_from: IsoDate | None = Field(None, description="published on or after (YYYY-MM-DD)")
    published_to: IsoDate | None = Field(None, description="published on or before (YYYY-MM-DD)")

    @model_validator(mode="after")
    def _ordered_dates(self) -> FiltersIn:
        if self.published_from and self.published_to and self.published_from > self.published_to:
            raise ValueError(
                f"published_from ({self.published_from}) is after published_to ({self.published_to})"
            )
        return self

    def to_filters(self) -> Filters:
        """The :class:`rag.types.Filters` these fields describe."""
        return Filters(
            sources=tuple(self.sources),
            languages=tuple(self.languages),
            published_from=self.published_from.isoformat() if self.published_from else None,
            published_to=self.published_to.isoformat() if self.published_to else None,
        )


class TurnIn(_Strict):
    """One earlier message of the conversation."""

    role: Literal["user", "assistant"]
    text: Text = Field(max_length=20_000)


def _not_blank(value: str) -> str:
    if not has_visible_text(value):
        raise ValueError("must not be empty or only whitespace or invisible characters")
    return value


class AskRequest(_Strict):
    """``POST /v1/ask``: a question, optional history, passages to use and filters."""

    question: Text = Field(
        min_length=1,
        description="the question, any language; at most SANAD_MAX_QUESTION_CHARS characters (4000), "
        "else a 422 in the question's language",
    )
    history: list[TurnIn] = Field(
        default_factory=list, max_length=MAX_HISTORY_TURNS, description="oldest first"
    )
    k: int | None = Field(
        None, ge=1, le=50, strict=True, description="passages to answer from (default from settings)"
    )
    filters: FiltersIn | None = None
    stream: bool = Field(
        False,
        strict=True,  # "yes" or "1" was read as true (nc8 report, D12): JSON true or false only
        description="answer with Server-Sent Events (also: Accept: text/event-stream)",
    )

    _question_not_blank = field_validator("question")(_not_blank)

    def turns(self) -> tuple[Turn, ...]:
        """The history as :class:`rag.types.Turn` objects."""
        return tuple(Turn(role=t.role, text=t.text) for t in self.history)


class SearchRequest(_Strict):
    """``POST /v1/search``: a query, how many chunks and filters."""

    query: Text = Field(min_length=1, description="at most SANAD_MAX_QUESTION_CHARS characters (4000)")
    k: int = Field(10, ge=1, le=100, strict=True, description="chunks to return")
    filters: FiltersIn | None = None

    _query_not_blank = field_validator("query")(_not_blank)


def _is_date(value: object) -> bool:
    """A date field's value is a date string (or Unix seconds) that ingest understands."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return False
    if isinstance(value, int | float) and value <= 0:
        return False  # 0 is a "no date" placeholder, not 1 January 1970
    return is_iso_date(normalize_date(value))


def _is_web_url_or_blank(value: object) -> bool:
    """No URL (null or blank), or one :func:`ingest.readers.web_url` accepts (http/https only)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return True
    return isinstance(value, str) and web_url(value) is not None


class ArticlesIn(_Strict):
    """``POST /v1/articles``: article objects with the fields the JSONL reader accepts.

    Each object needs a body (``body``/``text``/``content``/``article``/``maintext``) and may
    carry ``id``, ``title``, ``url``, ``source``, ``published_at`` and ``language``. Without an id
    or a URL the article's id is ``api-`` plus the first 16 hex digits of its body's sha256.
    A ``url``/``link``/``href`` must be an http(s) URL (else 422 naming the field).
    """

    articles: list[Any] = Field(min_length=1, max_length=10_000)

    @field_validator("articles")
    @classmethod
    def _text_fields_are_clean(cls, articles: list[Any]) -> list[Any]:
        """Text fields hold no NUL characters and no lone surrogates; date fields hold dates; URL
        fields (``url``/``link``/``href``) hold http(s) URLs (:func:`ingest.readers.web_url`)."""
        for i, obj in enumerate(articles):
            if not isinstance(obj, dict):
                continue  # the reader reports it per article: "api[i]: not an object"
            for key, value in obj.items():
                if isinstance(value, str):
                    try:
                        _clean_text(value)
                    except ValueError as exc:
                        raise ValueError(f"api[{i}].{key} {exc}") from None
                if key in URL_FIELDS and not _is_web_url_or_blank(value):
                    shown = value if not isinstance(value, str) or len(value) <= 80 else value[:77] + "..."
                    raise ValueError(
                        f"api[{i}].{key} must be an http(s) URL such as https://example.com/a, got {shown!r}"
                    )
                if key in DATE_FIELDS and value is not None and not _is_date(value):
                    raise ValueError(
                        f"api[{i}].{key} must be a date (ISO 8601 such as 2024-04-01T09:30:00+03:00, "
                        f"RFC 2822, or a Hijri date such as ١٥ رمضان ١٤٤٥), got {value!r}"
                    )
        return articles


# ------------------------------------------------------------------------------------- responses


class QuoteOut(BaseModel):
    """A further supporting span of a source (offsets in its article, as for ``quote``)."""

    article_id: str
    chunk_id: str
    quote: str
    start: int
    end: int


class SourceRefOut(BaseModel):
    """Another article carrying the same passage (a syndicated copy, a duplicate file)."""

    article_id: str
    title: str
    source: str
    url: str | None
    published_at: str | None


class ShortAnswerOut(BaseModel):
    """The answer span: a few words from a cited sentence, with that citation's number."""

    text: str
    citation: int | None
    kind: str
    transliteration: str | None = None
    """The span in the reader's digits/month names when it is a number or date quoted from a
    passage in another language (e.g. «١٢ يناير ٢٠٢٤» → "12 January 2024"), else null."""


class CitationOut(BaseModel):
    """A numbered source of an answer: one number per article.

    ``quote`` is the supporting span; ``start``/``end`` are its character offsets in the article's
    cleaned text (half-open, ``article.text[start:end] == quote``). ``more_quotes`` are further
    spans of the same source; ``also_in`` lists near-duplicate copies of it (other outlets).
    """

    number: int
    article_id: str
    chunk_id: str
    title: str
    source: str
    url: str | None
    published_at: str | None
    quote: str
    start: int
    end: int
    more_quotes: list[QuoteOut] = Field(default_factory=list)
    also_in: list[SourceRefOut] = Field(default_factory=list)


class RetrievalOut(BaseModel):
    """One retrieved passage: fused score (RRF) and its ranks in the dense and BM25 lists."""

    chunk_id: str
    article_id: str
    score: float
    dense_rank: int | None
    lexical_rank: int | None
    dense_score: float | None
    lexical_score: float | None


class AskResponse(BaseModel):
    """An answer with ``[n]`` markers, its citations and how it was found."""

    answer: str
    citations: list[CitationOut]
    short_answer: ShortAnswerOut | None = None
    abstained: bool
    language: str
    model: str
    notice: str | None = None
    fallback: bool = False
    retrieval: list[RetrievalOut] = Field(default_factory=list)
    timing_ms: dict[str, float] = Field(default_factory=dict)


class SearchHit(BaseModel):
    """A ranked chunk with its fused, dense and lexical scores."""

    rank: int
    chunk_id: str
    article_id: str
    title: str
    source: str
    url: str | None
    published_at: str | None
    language: str
    text: str
    score: float
    dense_rank: int | None
    dense_score: float | None
    lexical_rank: int | None
    lexical_score: float | None


class SearchResponse(BaseModel):
    """``POST /v1/search`` result: chunks best first."""

    results: list[SearchHit]
    timing_ms: dict[str, float] = Field(default_factory=dict)


class Problem(BaseModel):
    """An article or input that failed or was skipped, and why."""

    where: str
    reason: str


class IngestReportOut(BaseModel):
    """What one ``POST /v1/articles`` did (counts are of articles except the chunk counts)."""

    added: int
    updated: int
    unchanged: int
    removed: int
    failed: int
    unavailable: int = Field(
        0, description="failures caused by the embedder or the store, not the input (retry later)"
    )
    chunks_written: int
    chunks_embedded: int
    seconds: float
    failures: list[Problem]
    article_ids: list[str] = Field(default_factory=list, description="ids of the articles accepted")
    notices: list[str] = Field(
        default_factory=list, description="remarks, e.g. an automatic re-index after a normaliser change"
    )

    @classmethod
    def from_report(cls, report: IngestReport, article_ids: list[str]) -> IngestReportOut:
        """Convert the pipeline's report."""
        data = asdict(report)
        return cls(
            added=data["added"],
            updated=data["updated"],
            unchanged=data["unchanged"],
            removed=data["removed"],
            failed=data["failed"],
            unavailable=data["unavailable"],
            chunks_written=data["chunks_written"],
            chunks_embedded=data["chunks_embedded"],
            seconds=round(float(data["seconds"]), 3),
            failures=[Problem(where=w, reason=r) for w, r in report.failures],
            article_ids=article_ids,
            notices=list(report.notices),
        )


class ArticleSummary(BaseModel):
    """A stored article without its text."""

    article_id: str
    title: str
    source: str
    url: str | None
    published_at: str | None
    language: str
    origin: str
    chunks: int
    updated_at: str


class ArticleDetail(ArticleSummary):
    """A stored article with its cleaned text and chunk ids."""

    text: str
    chunk_ids: list[str]


class ArticleList(BaseModel):
    """A page of articles ordered by id."""

    items: list[ArticleSummary]
    total: int
    offset: int
    limit: int


class Deleted(BaseModel):
    """``DELETE /v1/articles/{id}`` result."""

    article_id: str
    deleted: bool = True


class Health(BaseModel):
    """``/healthz`` and ``/readyz``."""

    status: str
    detail: str = ""


# ----------------------------------------------------------------------- OpenAI-compatible chat


class ChatMessageIn(BaseModel):
    """An OpenAI chat message; ``content`` is text or a list of ``{"type": "text", "text"}`` parts."""

    model_config = ConfigDict(extra="allow")

    role: str
    content: str | list[dict[str, Any]] | None = None

    def text(self) -> str:
        """The message's text (text parts joined; images and other parts ignored)."""
        if self.content is None:
            return ""
        if isinstance(self.content, str):
            return self.content
        return "\n".join(str(p.get("text", "")) for p in self.content if p.get("type") == "text")


class StreamOptionsIn(BaseModel):
    """OpenAI's ``stream_options``: ``include_usage`` adds a last chunk with ``usage`` and no choices."""

    model_config = ConfigDict(extra="allow")

    include_usage: bool = Field(False, strict=True)


class ChatCompletionRequest(BaseModel):
    """``POST /v1/chat/completions`` (OpenAI-compatible; options Sanad does not use are ignored,
    but ``n`` above 1 is refused: one choice only).

    Only ``user`` and ``assistant`` messages count (``system``, ``developer``, ``tool`` and other
    roles are ignored). The last of them must come from the user and hold the question (at most
    ``settings.max_question_chars`` characters, checked by the route); the ones before it are the
    history. A conversation ending in an assistant message (a "continue this reply" request), or
    without any user message, is a 422 naming ``messages``: Sanad answers questions, it does not
    continue replies.
    """

    model_config = ConfigDict(extra="allow")

    model: str = Field("sanad", description='must be "sanad"')
    messages: list[ChatMessageIn] = Field(
        min_length=1,
        max_length=200,
        description="the conversation; the last message is the user's question",
    )
    stream: bool = Field(False, strict=True, description="JSON true or false, as OpenAI's API")
    stream_options: StreamOptionsIn | None = None
    n: int | None = Field(
        None, strict=True, description="choices to return: 1 (Sanad gives one answer per question)"
    )

    @field_validator("n")
    @classmethod
    def _one_choice(cls, n: int | None) -> int | None:
        # n: 2 silently returned one choice (nc8 report, D12); a client counting on two must know.
        if n is not None and n != 1:
            raise ValueError(f"Sanad returns one choice per request: n must be 1 (or left out), not {n}")
        return n

    @field_validator("messages")
    @classmethod
    def _last_is_a_question(cls, messages: list[ChatMessageIn]) -> list[ChatMessageIn]:
        for m in messages:
            _clean_text(m.text())
        turns = [m for m in messages if m.role in CONVERSATION_ROLES]
        if not turns:
            raise ValueError("must include a message with role 'user' holding the question")
        if turns[-1].role != "user":
            raise ValueError(
                "the last user or assistant message must have role 'user' and hold the question "
                "(Sanad answers questions; it does not continue an assistant reply)"
            )
        question = turns[-1].text().strip()
        if not has_visible_text(question):
            raise ValueError(
                "the last user message (the question) must not be empty or only whitespace "
                "or invisible characters"
            )
        return messages  # its length is checked against the settings by the route

    def turns(self) -> list[ChatMessageIn]:
        """The ``user`` and ``assistant`` messages, oldest first (the last one is the question)."""
        return [m for m in self.messages if m.role in CONVERSATION_ROLES]


# ------------------------------------------------------------------------------ conversions


def answer_to_dict(answer: Answer) -> dict[str, Any]:
    """The JSON form of an answer (the CLI's ``ask --json`` and the HTTP API share it).

    Returns:
        ``{answer, short_answer: {text, citation, kind} | null, abstained, language, model, notice,
        fallback, citations: [{number, article_id, chunk_id, title, source, url, published_at,
        quote, start, end, more_quotes, also_in}] (see
        :func:`rag.answer.citations.citation_to_dict`), retrieval: [{chunk_id,
        article_id, score, dense_rank, lexical_rank, dense_score, lexical_score}]}``.
    """
    return {
        "answer": answer.text,
        "short_answer": short_answer_to_dict(answer),
        "abstained": answer.abstained,
        "language": answer.language,
        "model": answer.model,
        "notice": answer.notice,
        "fallback": answer.fallback,
        "citations": [citation_to_dict(c) for c in answer.citations],
        "retrieval": [
            {
                "chunk_id": r.chunk.chunk_id,
                "article_id": r.chunk.article_id,
                "score": r.score,
                "dense_rank": r.dense_rank,
                "lexical_rank": r.lexical_rank,
                "dense_score": r.dense_score,
                "lexical_score": r.lexical_score,
            }
            for r in answer.retrieved
        ],
    }


def ask_response(answer: Answer, timing_ms: dict[str, float] | None = None) -> AskResponse:
    """The :class:`AskResponse` of an answer."""
    return AskResponse.model_validate({**answer_to_dict(answer), "timing_ms": timing_ms or {}})
