"""Fair fusion in a collection that mixes languages (issue #14: English questions over Arabic news).

In a collection holding chunks in the question's language *and* in others, both channels favour
the question's language for reasons that have nothing to do with relevance:

- **Dense.** multilingual-e5-small scores a passage lower when it is in another language than the
  question: over the 632 parallel XQuAD DEV paragraphs, the gold paragraph's cosine is 0.085
  lower in Arabic than in English for an English question (median; p10 0.057, p90 0.112), and
  0.081 lower in English than in Arabic for an Arabic one. A relevant Arabic chunk then loses to
  an English chunk that only shares the topic, and often is not even among the dense candidates.
- **BM25** only ever matches chunks in the question's script, and the convex fusion divides its
  scores by the best one, so the best same-language chunk gets the whole lexical weight however
  little of the question it holds.

Measured on mixed DEV collections (XQuAD en→ar questions over the Arabic paragraphs plus the 609
English MultiHop articles; docs/results.md, "mixed-language collections"): article hit@1 0.035
with the plain fusion, dense alone 0.130. The remedy here: take dense candidates from each
language (:func:`other_language_tags`) and keep the best by cosine plus :data:`LANGUAGE_GAP` for
chunks in another language (:func:`calibrated`), fuse those calibrated cosines, and, when a chunk
in another language is the best dense candidate and that language shows evidence of its own (a
chunk near the head holds one of the question's names or numbers, or the question names none),
weigh BM25 by how much of the question its best chunk holds (:func:`lexical_scale`). The gap is
not the same for every passage: over the same XQuAD pairs it is 0.08 for the gold paragraph but
0.05–0.06 for sibling and hard unrelated paragraphs, so the correction also lifts other-language
boilerplate that is close to every question; the names check keeps that from costing a
same-language question its BM25 evidence. None of it applies to a collection in one language, so every
single-language DEV figure is unchanged by construction. The gap is measured for Arabic–English
only (:data:`GAP_PAIRS`), Sanad's two first-class languages; other pairs (MultiHop's 9 Spanish
chunks among English news) are left to the plain fusion until their gap is measured: the same 0.08
lifted Spanish chunks over closer English ones and changed 112 of 300 MultiHop top-10 lists.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rag.types import Chunk

LANGUAGE_GAP = 0.08
"""Cosine added to chunks in another language than the question, in mixed collections.

The median gap between a question's cosine to its gold paragraph in its own language and to the
parallel paragraph in the other one, XQuAD DEV (632 pairs each way): 0.085 (English questions),
0.081 (Arabic questions); rounded down so that a same-language chunk wins a tie."""

GAP_PAIRS: frozenset[frozenset[str]] = frozenset({frozenset({"ar", "en"})})
"""Language pairs (primary subtags) whose cosine gap was measured and is corrected."""

FULL_LEXICAL_SHARE = 0.9
"""Share of the question's idf mass (:meth:`rag.retrieval.lexical.LexicalIndex.evidence_share`)
from which BM25 keeps its whole weight in a mixed collection; below it, the weight shrinks in
proportion. Chosen on the mixed DEV collections (0.7 and 0.9 tried; docs/results.md)."""


def primary(tag: str) -> str:
    """The primary subtag of a BCP 47 tag, lower-cased (``"ar-EG"`` → ``"ar"``)."""
    return tag.split("-")[0].lower()


def other_language_tags(question_language: str, tags: Iterable[str]) -> tuple[str, ...]:
    """The stored language tags of a mixed collection that are not the question's language.

    Args:
        question_language: The question's BCP 47 tag; ``"und"`` (undetermined) never mixes.
        tags: Every language tag the collection's chunks carry.

    Returns:
        The other tags whose pair with the question's language is in :data:`GAP_PAIRS`, sorted;
        empty when the collection is not mixed for this question (the question's language is
        undetermined or absent from the collection, or no chunk is in a paired language).
    """
    lang = primary(question_language)
    seen = sorted(set(tags))
    if lang == "und" or not any(primary(t) == lang for t in seen):
        return ()
    return tuple(t for t in seen if frozenset({lang, primary(t)}) in GAP_PAIRS)


def gap_for(question_language: str, chunk_language: str, gap: float = LANGUAGE_GAP) -> float:
    """The cosine to add to a chunk (or sentence) in ``chunk_language`` for a question in
    ``question_language``: ``gap`` for a :data:`GAP_PAIRS` pair of two different languages, else 0."""
    asked, other = primary(question_language), primary(chunk_language)
    return gap if other != asked and frozenset({asked, other}) in GAP_PAIRS else 0.0


def calibrated(
    hits: Sequence[tuple[Chunk, float]], question_language: str, gap: float = LANGUAGE_GAP
) -> list[tuple[str, float]]:
    """``(chunk_id, cosine)`` with :func:`gap_for` added, best first.

    Only the fusion sees these scores: ``Retrieved.dense_score`` keeps the raw cosine, which the
    abstention thresholds are calibrated on.
    """
    out = [(c.chunk_id, sim + gap_for(question_language, c.language, gap)) for c, sim in hits]
    return sorted(out, key=lambda kv: -kv[1])


def lexical_scale(share: float, full: float = FULL_LEXICAL_SHARE) -> float:
    """BM25's weight factor in a mixed collection: ``min(1, share / full)``, in [0, 1].

    Args:
        share: :meth:`rag.retrieval.lexical.LexicalIndex.evidence_share` of the question.
        full: The share from which BM25 keeps its whole weight (> 0).

    Raises:
        ValueError: ``full <= 0``.
    """
    if full <= 0:
        raise ValueError(f"full must be > 0, got {full}")
    return max(0.0, min(1.0, share / full))
