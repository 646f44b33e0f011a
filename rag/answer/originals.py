"""The original report before its copies (issue #12: one story, one citation — the right one).

A syndicated story carried by several outlets is quoted once and its copies are listed in
``Citation.also_in`` (:func:`rag.answer.quotes.select_quotes`). Which copy is cited was left to the
ranking, and identical sentences score alike, so the newcomer check of session 6 saw the citation
flip between Reuters and a newspaper that reprinted it with "(Reuters)" at its foot. A *sanad* names
the source that vouches for a report; for a copied story that is the original. So before quotes are
chosen, a sentence whose near-duplicate from another article ranks just above it
(:data:`SAME_SCORE` apart at most) takes that place when its article is the more original
(:func:`more_original`):

1. published on an earlier day (the copy follows the report);
2. on the same day, its outlet is credited in the other's text ("(Reuters)", "— AFP",
   «(رويترز)»: the outlet's name written in the copy) while the copy's outlet is not in its text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rag.answer.quotes import ScoredSentence
from rag.answer.sources import near_duplicate_texts
from rag.store.chroma import local_day
from rag.text.normalize import fold
from rag.types import Chunk, Retrieved

SAME_SCORE = 0.05
"""How far apart (sentence score) two copies of a sentence may rank for the more original to move
first; identical sentences differ only by their passage's rank features (~0.01–0.03)."""

DEPTH = 12
"""Scored sentences examined (quotes come from the first few)."""


def _credits(texts: Sequence[str], outlet: str) -> bool:
    """True when ``outlet`` (a source name) is written, as whole words, in one of ``texts``."""
    name = fold(outlet).strip()
    if len(name) < 2:
        return False
    pattern = re.compile(rf"(?<!\w){re.escape(name)}(?!\w)")
    return any(pattern.search(fold(t)) for t in texts)


def more_original(a: Chunk, b: Chunk, texts: dict[str, list[str]]) -> bool:
    """True when ``a``'s article is the original of which ``b``'s is a copy (module docstring).

    Args:
        a: A chunk of one article.
        b: A chunk of the other.
        texts: ``{article_id: texts of its passages read}``.
    """
    day_a, day_b = local_day(a.published_at), local_day(b.published_at)
    if day_a is not None and day_b is not None and day_a != day_b:
        return day_a < day_b
    if not a.source or not b.source or fold(a.source) == fold(b.source):
        return False
    return _credits(texts.get(b.article_id, []), a.source) and not _credits(
        texts.get(a.article_id, []), b.source
    )


def originals_first(scored: Sequence[ScoredSentence], passages: Sequence[Retrieved]) -> list[ScoredSentence]:
    """``scored`` with each copied sentence's original moved to the copy's place (module docstring).

    Args:
        scored: Scored sentences, best first (``passage`` indexes ``passages``).
        passages: The passages read.

    Returns:
        The same sentences; only near-duplicate pairs of different articles within
        :data:`SAME_SCORE` of each other among the first :data:`DEPTH` may swap.
    """
    out = list(scored)
    texts: dict[str, list[str]] = {}
    for r in passages:
        texts.setdefault(r.chunk.article_id, []).append(r.chunk.text)
    head = min(len(out), DEPTH)
    for i in range(head):
        for j in range(i + 1, head):
            a, b = out[i], out[j]
            if a.score - b.score > SAME_SCORE:
                break
            ca, cb = passages[a.passage].chunk, passages[b.passage].chunk
            if ca.article_id == cb.article_id or not near_duplicate_texts(a.text, b.text):
                continue
            if more_original(cb, ca, texts):
                out[i], out[j] = b, a
    return out
