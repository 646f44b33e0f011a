"""Article → Chunk[]: sentence-aware packing with overlap, for Arabic and Latin scripts.

Offsets are half-open character offsets into the article text, so ``text[start:end]`` is the
chunk; every span starts and ends on a non-whitespace character. The token counter is injected
(the embedder's tokenizer in production, a word counter in tests), and no chunk ever exceeds
``max_tokens`` by that counter: sentences that are too long are split at clause punctuation
("،" "," ";" ":"), then at whitespace, then, for a single enormous "word", by characters.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass

from rag.errors import ConfigError
from rag.types import Article, Chunk

TokenCounter = Callable[[str], int]
Span = tuple[int, int]

# Sentence-ending punctuation, with any closing quotes/brackets, followed by whitespace or the end.
_TERMINAL_RE = re.compile(r"[.!?؟؛…]+[\"'”’»)\]]*(?=\s|\Z)")
_LINE_BREAK_RE = re.compile("[\n\r\u2028\u2029]")
_CLAUSE_RE = re.compile(r"[،,;:]+[\"'”’»)\]]*(?=\s)")
_WORD_RE = re.compile(r"\S+")
_INITIALS_RE = re.compile(r"(?:[A-Za-z]\.)*[A-Z]")
_OPENERS = "\"'“‘«(["
ABBREVIATIONS = frozenset(
    {
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "st",
        "jr",
        "sr",
        "vs",
        "etc",
        "no",
        "nos",
        "inc",
        "ltd",
        "co",
        "corp",
        "gen",
        "gov",
        "sen",
        "rep",
        "lt",
        "col",
        "capt",
        "sgt",
        "maj",
        "cmdr",
        "adm",
        "pres",
        "fig",
        "approx",
        "dept",
        "est",
        "ave",
        "blvd",
        "mt",
        "ft",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "e.g",
        "i.e",
        "cf",
        "al",
    }
)
"""Lower-cased words that end with "." without ending a sentence ("Dr. Smith", "e.g. this")."""


CHUNKER_VERSION = 1
"""Bump when the chunking rules change, so re-ingest re-chunks every article."""


def _trim(text: str, start: int, end: int) -> Span | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def _spans_between(text: str, start: int, end: int, cuts: list[int]) -> list[Span]:
    """Trimmed, non-empty spans of ``text[start:end]`` split at the sorted positions ``cuts``."""
    spans: list[Span] = []
    previous = start
    for cut in [*cuts, end]:
        span = _trim(text, previous, cut)
        if span is not None:
            spans.append(span)
        previous = cut
    return spans


def _is_abbreviation(text: str, match: re.Match[str]) -> bool:
    if match.group() != ".":
        return False
    word_start = match.start()
    while word_start > 0 and not text[word_start - 1].isspace():
        word_start -= 1
    word = text[word_start : match.start()].lstrip(_OPENERS)
    if not word:
        return False
    return word.lower() in ABBREVIATIONS or _INITIALS_RE.fullmatch(word) is not None


def split_sentences(text: str) -> list[Span]:
    """Split text into sentence spans.

    A sentence ends after ". ! ? ؟ ؛ …" (a run of them, plus closing quotes or brackets)
    followed by whitespace or the end of the text, and at every line break. A "." does not end
    a sentence inside a number ("3.5": no whitespace follows), after initials ("U.S.", "J.")
    or after a common abbreviation ("Mr.", "Dr.", "etc.": see :data:`ABBREVIATIONS`).

    Args:
        text: Any text.

    Returns:
        Half-open ``(start, end)`` character spans in order, each starting and ending on
        non-whitespace; together they cover every non-whitespace character. [] for blank text.
    """
    cuts = {m.end() for m in _TERMINAL_RE.finditer(text) if not _is_abbreviation(text, m)}
    cuts.update(m.start() for m in _LINE_BREAK_RE.finditer(text))
    return _spans_between(text, 0, len(text), sorted(cuts))


@dataclass(frozen=True)
class _Unit:
    start: int
    end: int
    tokens: int


def _split_by_chars(text: str, start: int, end: int, count: TokenCounter, max_tokens: int) -> list[_Unit]:
    """Cut a whitespace-free span into the longest prefixes that fit ``max_tokens``."""
    units: list[_Unit] = []
    while start < end:
        low, high = start + 1, end  # the longest fitting end is in [low, high]
        while low < high:
            middle = (low + high + 1) // 2
            if count(text[start:middle]) <= max_tokens:
                low = middle
            else:
                high = middle - 1
        units.append(_Unit(start, low, count(text[start:low])))
        start = low
    return units


def _units(text: str, span: Span, count: TokenCounter, max_tokens: int, level: int = 0) -> list[_Unit]:
    """Split ``span`` until every piece fits ``max_tokens``.

    Level 0 splits at clause punctuation, level 1 at whitespace, level 2 by characters.
    """
    start, end = span
    tokens = count(text[start:end])
    if tokens <= max_tokens:
        return [_Unit(start, end, tokens)]
    if level >= 2:
        return _split_by_chars(text, start, end, count, max_tokens)
    if level == 0:
        cuts = [m.end() for m in _CLAUSE_RE.finditer(text, start, end)]
        parts = _spans_between(text, start, end, cuts)
    else:
        parts = [(m.start(), m.end()) for m in _WORD_RE.finditer(text, start, end)]
    if len(parts) <= 1:
        return _units(text, span, count, max_tokens, level + 1)
    units: list[_Unit] = []
    for part in parts:
        units.extend(_units(text, part, count, max_tokens, level + 1))
    return units


def _check_sizes(target_tokens: int, overlap_tokens: int, max_tokens: int) -> None:
    if target_tokens < 1:
        raise ConfigError(f"chunk target_tokens must be at least 1 (got {target_tokens})")
    if max_tokens < target_tokens:
        raise ConfigError(f"chunk max_tokens ({max_tokens}) must be at least target_tokens ({target_tokens})")
    if not 0 <= overlap_tokens < target_tokens:
        raise ConfigError(
            f"chunk overlap_tokens ({overlap_tokens}) must be >= 0 and below target_tokens ({target_tokens})"
        )


def chunk_text(
    text: str,
    token_count: TokenCounter,
    target_tokens: int = 240,
    overlap_tokens: int = 32,
    max_tokens: int = 480,
) -> list[Span]:
    """Pack consecutive sentences into chunks of about ``target_tokens`` with overlap.

    Sentences (see :func:`split_sentences`) longer than ``max_tokens`` are split at "، , ; :"
    then at whitespace, then by characters. Units are packed greedily while the sum of their
    token counts stays within ``target_tokens`` (a chunk always takes at least one new unit);
    each chunk's real count is then checked and units are dropped until it fits ``max_tokens``.
    The next chunk starts with the trailing units of the previous one totalling at most
    ``overlap_tokens``, never the whole previous chunk, so starts strictly increase.

    Args:
        text: The article text.
        token_count: Tokens in a string, as the embedder counts them (without special tokens).
        target_tokens: Preferred chunk size, in tokens.
        overlap_tokens: Most tokens repeated from the end of one chunk at the start of the next.
        max_tokens: Hard upper bound on every chunk, in tokens.

    Returns:
        Half-open ``(start, end)`` spans into ``text``, starting and ending on non-whitespace,
        with strictly increasing starts and ends, covering every non-whitespace character.
        [] for blank text.

    Raises:
        ConfigError: ``target_tokens < 1``, ``max_tokens < target_tokens``, or
            ``overlap_tokens`` outside ``[0, target_tokens)``.
    """
    _check_sizes(target_tokens, overlap_tokens, max_tokens)
    units: list[_Unit] = []
    for sentence in split_sentences(text):
        units.extend(_units(text, sentence, token_count, max_tokens))

    def fits(first: int, last: int) -> bool:
        return token_count(text[units[first].start : units[last - 1].end]) <= max_tokens

    spans: list[Span] = []
    start, done = 0, 0  # next chunk is units[start:end]; it must take units[done]
    while done < len(units):
        end = done + 1
        estimate = sum(unit.tokens for unit in units[start:end])
        while start < done and estimate > max_tokens:  # the overlap must not break the bound
            estimate -= units[start].tokens
            start += 1
        while end < len(units) and estimate + units[end].tokens <= target_tokens:
            estimate += units[end].tokens
            end += 1
        while end > done + 1 and not fits(start, end):
            end -= 1
        while start < done and not fits(start, end):
            start += 1
        spans.append((units[start].start, units[end - 1].end))
        done = end
        if done < len(units):
            overlap_start, overlap = end, 0
            while overlap_start - 1 > start and overlap + units[overlap_start - 1].tokens <= overlap_tokens:
                overlap_start -= 1
                overlap += units[overlap_start].tokens
            start = overlap_start
    return spans


def chunk_article(
    article: Article,
    token_count: TokenCounter,
    target_tokens: int = 240,
    overlap_tokens: int = 32,
    max_tokens: int = 480,
) -> list[Chunk]:
    """Chunk an article (see :func:`chunk_text`) into :class:`~rag.types.Chunk` objects.

    ``chunk_id`` is ``f"{article_id}::{content_hash[:12]}::{ordinal:04d}"`` (the sha256 of the
    text stands in when ``article.content_hash`` is empty); title, source, url, published_at,
    language and content_hash are copied from the article. Invariant:
    ``article.text[chunk.start:chunk.end] == chunk.text``.

    Args:
        article: The cleaned article.
        token_count: Tokens in a string, as the embedder counts them (without special tokens).
        target_tokens: Preferred chunk size, in tokens.
        overlap_tokens: Most tokens repeated at the start of the next chunk.
        max_tokens: Hard upper bound on every chunk, in tokens.

    Returns:
        Chunks in order with ordinals 0, 1, …; [] when the text is blank.

    Raises:
        ConfigError: Invalid sizes (see :func:`chunk_text`).
    """
    spans = chunk_text(article.text, token_count, target_tokens, overlap_tokens, max_tokens)
    digest = article.content_hash or hashlib.sha256(article.text.encode("utf-8")).hexdigest()
    return [
        Chunk(
            chunk_id=f"{article.article_id}::{digest[:12]}::{ordinal:04d}",
            article_id=article.article_id,
            ordinal=ordinal,
            text=article.text[start:end],
            start=start,
            end=end,
            title=article.title,
            source=article.source,
            url=article.url,
            published_at=article.published_at,
            language=article.language,
            content_hash=article.content_hash,
        )
        for ordinal, (start, end) in enumerate(spans)
    ]
