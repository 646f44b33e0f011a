"""The data that flows through Sanad: Article → Chunk → Retrieved → Answer with Citations.

Frozen dataclasses only; the UI, API, Slack bot and evaluation see these, never a LangChain or
Chroma object (DESIGN.md, "Data that flows").
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Article:
    """One cleaned article.

    Attributes:
        article_id: Stable id per source (record id, file path or canonical URL).
        title: Title from the record or page metadata, else the first short line; may be "".
        text: The cleaned text; every chunk's offsets point into it.
        source: Outlet or site name ("" when unknown).
        url: Link to the original, or None.
        published_at: ISO-8601 date or datetime string, or None.
        language: BCP 47 code such as "ar" or "en" ("und" when undetermined).
        content_hash: sha256 hex digest of ``text``; equal hash ⇒ re-ingest skips the article.
        origin: Where it was read from (file path, "file:line" or URL); used by ``--prune``.
    """

    article_id: str
    title: str
    text: str
    source: str = ""
    url: str | None = None
    published_at: str | None = None
    language: str = "und"
    content_hash: str = ""
    origin: str = ""


@dataclass(frozen=True)
class Chunk:
    """A contiguous span of an article, the unit that is embedded and retrieved.

    Invariant: ``article.text[start:end] == text`` (half-open character offsets).
    """

    chunk_id: str
    article_id: str
    ordinal: int
    text: str
    start: int
    end: int
    title: str = ""
    source: str = ""
    url: str | None = None
    published_at: str | None = None
    language: str = "und"
    content_hash: str = ""


@dataclass(frozen=True)
class Retrieved:
    """A chunk returned by retrieval.

    Attributes:
        chunk: The chunk.
        score: Fused score (convex combination in [0, 1] or reciprocal rank fusion; higher is better).
        dense_rank: 1-based rank in the dense list, or None when absent from it.
        lexical_rank: 1-based rank in the BM25 list, or None when absent from it.
        dense_score: Cosine similarity in [-1, 1] when the dense retriever scored it.
        lexical_score: BM25 score (unbounded, >= 0) when the lexical retriever scored it.
    """

    chunk: Chunk
    score: float
    dense_rank: int | None = None
    lexical_rank: int | None = None
    dense_score: float | None = None
    lexical_score: float | None = None


@dataclass(frozen=True)
class SourceRef:
    """Another article that carries the same passage: a syndicated copy, a re-post, a duplicate file.

    Attributes:
        article_id: The other article's id.
        title: Its title ("" when unknown).
        source: Its outlet ("" when unknown).
        url: Its link, or None.
        published_at: Its ISO-8601 date or datetime, or None.
    """

    article_id: str
    title: str = ""
    source: str = ""
    url: str | None = None
    published_at: str | None = None


@dataclass(frozen=True)
class Quote:
    """One more supporting span from the cited article (a citation may hold several).

    Attributes:
        chunk: The chunk the span is from: the citation's article, or a near-duplicate copy of
            it that the citation lists in ``also_in``.
        text: The exact span of ``chunk.text``.
    """

    chunk: Chunk
    text: str


@dataclass(frozen=True)
class Citation:
    """A numbered source of an answer: one number per article.

    Attributes:
        number: The ``n`` of ``[n]`` in the answer text (1-based, in order of first use).
        chunk: The cited chunk.
        quote: The exact span of ``chunk.text`` that supports the claim.
        more_quotes: Further supporting spans of the same article, in answer order.
        also_in: Other articles that carry the same passage (near-duplicates), listed here
            instead of being cited again.
    """

    number: int
    chunk: Chunk
    quote: str
    more_quotes: tuple[Quote, ...] = ()
    also_in: tuple[SourceRef, ...] = ()


@dataclass(frozen=True)
class ShortAnswer:
    """The answer span: the few words that answer the question, taken from a cited sentence.

    Attributes:
        text: The span, verbatim from the cited chunk (e.g. "١٢ هكتاراً", "12 hectares").
        citation: The number of the citation it comes from, or None when it is not from one.
        kind: The expected answer type it satisfies ("quantity", "date", "person", "place",
            "organisation", "reason", "yes_no", "other").
        transliteration: When the span comes from a passage in another language than the
            question and holds digits or month names, the same span in the reader's digits and
            month names («١٢ يناير» → "12 January"); None otherwise (rag.answer.crosslingual).
    """

    text: str
    citation: int | None = None
    kind: str = "other"
    transliteration: str | None = None


@dataclass(frozen=True)
class Answer:
    """The final answer.

    Attributes:
        text: Answer text with ``[n]`` markers that all point into ``citations``.
        citations: Citations in number order.
        abstained: True when the articles do not say (no citations then).
        language: BCP 47 code of the answer language.
        model: Chat model name, or "extractive" for the offline answerer.
        retrieved: What retrieval returned, best first (for debugging and evaluation).
        notice: A short note for the user (e.g. "no LLM configured", "LLM unavailable").
        fallback: True when the LLM failed and the extractive answerer answered instead.
        short_answer: The answer span, when one was found (shown before the supporting quotes).
    """

    text: str
    citations: tuple[Citation, ...] = ()
    abstained: bool = False
    language: str = "und"
    model: str = "extractive"
    retrieved: tuple[Retrieved, ...] = ()
    notice: str | None = None
    fallback: bool = False
    short_answer: ShortAnswer | None = None


@dataclass(frozen=True)
class Delta:
    """A piece of answer text while streaming."""

    text: str


@dataclass(frozen=True)
class Filters:
    """Retrieval filters; every field is optional and they combine with AND.

    Attributes:
        sources: Keep chunks whose source is one of these.
        languages: Keep chunks whose language is one of these BCP 47 codes.
        published_from: ISO date (inclusive lower bound on ``published_at``).
        published_to: ISO date (inclusive upper bound on ``published_at``, whole day).
    """

    sources: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    published_from: str | None = None
    published_to: str | None = None

    def is_empty(self) -> bool:
        """True when no filter is set."""
        return not (self.sources or self.languages or self.published_from or self.published_to)


@dataclass(frozen=True)
class Turn:
    """One message of the conversation history."""

    role: str  # "user" or "assistant"
    text: str


@dataclass
class IngestReport:
    """What one ingest run did (mutable: filled in as the run goes).

    Counts are of articles except ``chunks_written``; ``failures`` holds
    ``(where, reason)`` pairs such as ``("feed.jsonl:7", "invalid JSON: …")``. ``unavailable``
    counts the failures caused by a backend (embedder or store) rather than by the input: the
    same articles may well succeed on a later run. ``notices`` are one-line remarks for the user
    (e.g. an automatic re-index after a normaliser change).
    """

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    failed: int = 0
    unavailable: int = 0
    skipped_files: int = 0
    chunks_written: int = 0
    chunks_embedded: int = 0
    seconds: float = 0.0
    dry_run: bool = False
    failures: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    @property
    def chunks_per_second(self) -> float:
        """Chunks written per wall-clock second (0 when nothing was written)."""
        return self.chunks_written / self.seconds if self.seconds > 0 else 0.0
