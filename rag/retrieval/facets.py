"""The articles a question over several articles points at, and retrieving a passage of each.

A comparison or temporal question names its articles by outlet and day: "Does the TechCrunch
article on X … while The Verge's article on Y …?", "Between the Sporting News report published on
November 13, 2023, and the one published on November 27, 2023, …". Each named article is a
*facet*: an outlet (or several, for an ambiguous alias), a local publication day, or both, and the
clause of the question that describes it. A question with two or more facets needs a passage of
each among the few passages the answerer reads; one ranked list over the whole question often
spends them all on the article that matches most of its words (issue #12: with five passages, two
gold articles were among them for 0.69 of MultiHop DEV comparison/temporal questions).

:func:`question_facets` reads the facets (outlets through :class:`~rag.retrieval.mentions.SourceMatcher`,
days as :func:`~rag.retrieval.mentions.named_days` reads them); :func:`retrieve_facets` retrieves
each facet's clause under its outlet and day filters and makes room for its best passage among
the passages of the whole question.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Protocol, runtime_checkable

from rag.retrieval.mentions import SourceMatcher, day_mentions
from rag.store.chroma import local_day
from rag.text.normalize import fold
from rag.text.sentences import content_keys
from rag.types import Chunk, Filters, Retrieved

FACET_K = 5
"""Passages retrieved for one facet's clause (under its outlet and day filters). MultiHop DEV
(docs/results.md, 2026-11-30 session 4): comparison/temporal questions with two gold articles
among the five passages read 0.69 (whole question) → 0.80 (each facet's best passage of the whole
question's top 20) → 0.88 (each facet's own clause retrieval)."""

_WORD = re.compile(r"[^\W_]+")
# A day right after one of these words bounds a period instead of naming an article's day.
_BOUND = re.compile(r"\b(?:after|before|since|until|by|from|prior to|بعد|قبل|منذ|حتى)\s+(?:on\s+)?$")


class Retriever(Protocol):
    """What :func:`retrieve_facets` needs (``HybridRetriever`` and the chain's retrievers fit)."""

    def retrieve(self, query: str, k: int = 5, filters: Filters | None = None) -> list[Retrieved]:
        """Up to ``k`` passages for ``query``, best first."""
        ...


@runtime_checkable
class SourceAware(Protocol):
    """A retriever that knows the collection's outlets (``HybridRetriever``)."""

    def source_matcher(self) -> SourceMatcher:
        """The outlets of the indexed articles."""
        ...


@dataclass(frozen=True)
class Facet:
    """One article a question names.

    Attributes:
        sources: The outlets it may be from (empty: any outlet).
        day: Its local publication day as ISO ``YYYY-MM-DD`` (None: any day).
        clause: The words of the question that describe it (from its first mention to the next
            facet's), the query of a retrieval for this article alone.
    """

    sources: frozenset[str]
    day: str | None
    clause: str

    def fits(self, chunk: Chunk) -> bool:
        """True when ``chunk`` is from one of the outlets and published on the day (when set)."""
        if self.sources and chunk.source not in self.sources:
            return False
        if self.day is None:
            return True
        day = local_day(chunk.published_at)
        return day is not None and day.isoformat() == self.day

    def filters(self, base: Filters | None) -> Filters | None:
        """``base`` narrowed to this facet's outlets and day; None when they exclude each other."""
        base = base or Filters()
        sources = tuple(sorted(self.sources))
        if base.sources and sources:
            sources = tuple(s for s in sources if s in base.sources)
            if not sources:
                return None
        narrowed = replace(base, sources=sources or base.sources)
        if self.day is not None:
            if (base.published_from and self.day < base.published_from) or (
                base.published_to and self.day > base.published_to
            ):
                return None
            narrowed = replace(narrowed, published_from=self.day, published_to=self.day)
        return narrowed


def question_facets(question: str, matcher: SourceMatcher) -> tuple[Facet, ...]:
    """The articles ``question`` names, in the order it names them.

    Anchors are the outlet mentions and named days, in order. An anchor joins the article being
    read when that one lacks its kind ("the TechCrunch report published on October 2, 2023" is one
    article); otherwise it starts the next. When the question names a single outlet, articles
    named only by day are of that outlet ("TechCrunch's reports of October 2 and October 7").

    Args:
        question: The question, any language.
        matcher: The collection's outlets.

    Returns:
        The facets; fewer than two means the question does not name several articles.
    """
    tokens = question.split()
    opened: list[_Named] = []
    for at, sources, day in _anchors(tokens, matcher):
        current = opened[-1] if opened else None
        if current is not None and sources is not None and current.sources is None:
            current.sources = sources
        elif current is not None and day is not None and current.day is None:
            current.day = day
        else:
            opened.append(_Named(at, sources, day))
    named = {n.sources for n in opened if n.sources is not None}
    only = next(iter(named)) if len(named) == 1 else frozenset()
    out: list[Facet] = []
    for i, n in enumerate(opened):
        start = 0 if i == 0 else n.at
        end = opened[i + 1].at if i + 1 < len(opened) else len(tokens)
        facet = Facet(n.sources or only, n.day, " ".join(tokens[start:end]))
        repeated = any(f.sources == facet.sources and f.day == facet.day for f in out)
        if repeated and thin(facet):
            continue  # "… as reported by The Guardian?": the article named before, named again
        out.append(facet)
    return tuple(out)


_Anchor = tuple[int, frozenset[str] | None, str | None]
"""(token index, outlets or None, ISO day or None): where a question names an outlet or a day."""


@dataclass
class _Named:
    """An article being read off the question: its first token, outlets and day so far."""

    at: int
    sources: frozenset[str] | None
    day: str | None


def _anchors(
    tokens: Sequence[str], matcher: SourceMatcher
) -> list[tuple[int, frozenset[str] | None, str | None]]:
    """``(token index, outlets, None)`` per outlet mention and ``(token index, None, ISO day)`` per
    named day of the whitespace tokens ``tokens``, in order (days bounding a period left out)."""
    # fold keeps whitespace but may drop marks inside a token, so words are found per token
    words: list[str] = []
    owner: list[int] = []
    for i, tok in enumerate(tokens):
        for w in _WORD.findall(fold(tok)):
            words.append(w)
            owner.append(i)
    found: list[_Anchor] = [(owner[start], sources, None) for start, _, sources in matcher.mentions(words)]
    folded = [fold(t) for t in tokens]
    text = " ".join(folded)
    starts = [0]
    for tok in folded[:-1]:
        starts.append(starts[-1] + len(tok) + 1)
    for pos, _, day in day_mentions(text):
        if _BOUND.search(text[:pos]):
            continue  # "published after December 5": a bound, not the article's day
        found.append((bisect_right(starts, pos) - 1, None, day))
    return sorted(found, key=lambda a: a[0])


def best_of_facet(
    passages: Sequence[Retrieved], facet: Facet, taken: Sequence[Retrieved]
) -> Retrieved | None:
    """The first passage fitting ``facet`` of an article not in ``taken`` (else of any article)."""
    fitting = [p for p in passages if facet.fits(p.chunk) and p not in taken]
    articles = {p.chunk.article_id for p in taken}
    return next((p for p in fitting if p.chunk.article_id not in articles), fitting[0] if fitting else None)


def retrieve_facets(
    retriever: Retriever,
    query: str,
    k: int,
    filters: Filters | None,
    facets: Sequence[Facet],
) -> list[Retrieved]:
    """``k`` passages for a question naming several articles, a passage of each among them.

    Each facet's passage is the best of a retrieval of its clause under its outlet and day
    filters (``FACET_K`` passages; an article no earlier facet took), or, when that finds none,
    the best passage fitting it among the ``k`` retrieved for ``query``. The rest are the best of
    those ``k``.

    Args:
        retriever: The retriever.
        query: The (condensed) question.
        k: Passages wanted.
        filters: The caller's filters (every retrieval keeps them).
        facets: :func:`question_facets` of the question (two or more).

    Returns:
        Up to ``k`` passages: those of the whole question in their order, then the facets'
        passages it did not hold.
    """
    pool = retriever.retrieve(query, k, filters)
    in_pool = {p.chunk.chunk_id: p for p in pool}
    picks: list[Retrieved] = []
    for facet in facets:
        narrowed = facet.filters(filters)
        own = retriever.retrieve(facet_query(facet, query), FACET_K, narrowed) if narrowed else []
        pick = best_of_facet(own, facet, picks)
        if pick is None or pick.chunk.article_id in {p.chunk.article_id for p in picks}:
            pick = best_of_facet(pool, facet, picks) or pick
        if pick is not None:
            pick = in_pool.get(pick.chunk.chunk_id, pick)  # its rank and score for the question
            if pick not in picks:
                picks.append(pick)
    return keep_picks(pool, picks, k)


def keep_picks(pool: Sequence[Retrieved], picks: Sequence[Retrieved], k: int) -> list[Retrieved]:
    """The best ``k`` of ``pool`` with every pick among them: picks from the pool keep their rank,
    picks from elsewhere follow the pool's passages (their scores answer another query)."""
    ids = {p.chunk.chunk_id for p in picks}
    room = max(k - len(picks), 0)
    kept = [p for p in pool if p.chunk.chunk_id in ids]
    kept_ids = {p.chunk.chunk_id for p in kept}
    others = [p for p in pool if p.chunk.chunk_id not in ids][:room]
    ordered = [p for p in pool if p in kept or p in others]
    return [*ordered, *(p for p in picks if p.chunk.chunk_id not in kept_ids)][:k]


MIN_CLAUSE_WORDS = 4
"""A facet's clause with fewer content words than this (besides the outlet's name) says too
little to retrieve by ("… as reported by The Guardian?"): the whole question is asked instead."""


def thin(facet: Facet) -> bool:
    """True when the facet's clause has fewer than ``MIN_CLAUSE_WORDS`` content words besides its
    outlet's name."""
    named = {w for source in facet.sources for w in _WORD.findall(fold(source))}
    words = {w for w in _WORD.findall(fold(facet.clause)) if w not in named}
    return len(content_keys(" ".join(words))) < MIN_CLAUSE_WORDS


def facet_query(facet: Facet, question: str) -> str:
    """What to retrieve a facet's own passages by: its clause, or ``question`` when that is thin."""
    return question if thin(facet) else facet.clause
