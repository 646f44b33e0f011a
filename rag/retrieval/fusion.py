"""Reciprocal rank fusion (Cormack, Clarke & Büttcher, SIGIR 2009).

RRF combines ranked lists using ranks only, so the incomparable scales of cosine similarity and
BM25 never meet: score(d) = Σ_i w_i / (k + rank_i(d)), with 1-based ranks and k = 60 as in the paper.
"""

from __future__ import annotations

from collections.abc import Sequence

#: The paper's constant: "k = 60 was fixed during a pilot investigation and not altered".
RRF_K = 60
CONVEX_ALPHA = 0.4
"""Dense weight of :func:`convex_combination` (measured on DEV; docs/results.md)."""


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[str]], k: int = RRF_K, weights: Sequence[float] | None = None
) -> list[tuple[str, float]]:
    """Fuse ranked lists of ids with reciprocal rank fusion.

    score(d) = Σ_i w_i / (k + rank_i(d)), summed over the lists that contain d, where rank_i is
    1-based (Cormack, Clarke & Büttcher, "Reciprocal Rank Fusion outperforms Condorcet and
    individual Rank Learning Methods", SIGIR 2009). An id repeated within one list counts at its
    first (best) position only.

    Args:
        rankings: Lists of ids, each best first.
        k: Smoothing constant (>= 0); larger values flatten the advantage of top ranks.
        weights: One weight per list (default 1.0 each).

    Returns:
        ``(id, score)`` pairs, best first. Ties are broken by the best single rank the id reached
        in any list, then by id, so the order is deterministic.

    Raises:
        ValueError: ``k`` is negative or ``weights`` does not have one entry per list.
    """
    if k < 0:
        raise ValueError(f"k must be >= 0, got {k}")
    if weights is None:
        weights = [1.0] * len(rankings)
    elif len(weights) != len(rankings):
        raise ValueError(f"{len(weights)} weights for {len(rankings)} rankings")
    scores: dict[str, float] = {}
    best: dict[str, int] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        seen: set[str] = set()
        for rank, doc_id in enumerate(ranking, start=1):
            if doc_id in seen:
                continue
            seen.add(doc_id)
            scores[doc_id] = scores.get(doc_id, 0.0) + weight / (k + rank)
            best[doc_id] = min(best.get(doc_id, rank), rank)
    return sorted(scores.items(), key=lambda item: (-item[1], best[item[0]], item[0]))


def convex_combination(
    dense: Sequence[tuple[str, float]],
    lexical: Sequence[tuple[str, float]],
    alpha: float = CONVEX_ALPHA,
    lexical_scale: float = 1.0,
) -> list[tuple[str, float]]:
    """Fuse two scored lists by a convex combination of normalised scores.

    score(d) = alpha * dense_norm(d) + (1 - alpha) * lexical_norm(d), where the dense
    cosine similarities are min-max normalised over the dense candidates and BM25 scores are
    divided by the best BM25 score (BM25's natural minimum is 0); a document absent from a list
    gets 0 from it. Bruch, Gai & Ingber (2023), "An Analysis of Fusion Functions for Hybrid
    Retrieval", ACM TOIS 42(1), found this convex combination more effective than RRF and
    sample-efficient to tune; on our DEV sets it beat RRF (k=60) on XQuAD ar/en and ARCD
    (docs/results.md).

    Args:
        dense: ``(id, cosine similarity)`` best first.
        lexical: ``(id, BM25 score >= 0)`` best first.
        alpha: Weight of the dense side, in [0, 1].
        lexical_scale: Factor on the lexical side's normalised scores, in [0, 1]
            (:func:`rag.retrieval.mixed_languages.lexical_scale`); 1 is the plain combination.

    Returns:
        ``(id, fused score in [0, 1])`` best first; ties broken by best single rank, then id.

    Raises:
        ValueError: alpha outside [0, 1].
    """
    if not 0.0 <= alpha <= 1.0:
        raise ValueError(f"alpha must be in [0, 1], got {alpha}")
    scores: dict[str, float] = {}
    best_rank: dict[str, int] = {}
    if dense:
        values = [s for _, s in dense]
        lo, hi = min(values), max(values)
        span = hi - lo
        for rank, (doc, s) in enumerate(dense, 1):
            norm = (s - lo) / span if span > 0 else 1.0
            scores[doc] = scores.get(doc, 0.0) + alpha * norm
            best_rank[doc] = min(best_rank.get(doc, rank), rank)
    if lexical:
        top = max(s for _, s in lexical)
        for rank, (doc, s) in enumerate(lexical, 1):
            norm = lexical_scale * s / top if top > 0 else 0.0
            scores[doc] = scores.get(doc, 0.0) + (1.0 - alpha) * norm
            best_rank[doc] = min(best_rank.get(doc, rank), rank)
    return sorted(scores.items(), key=lambda kv: (-kv[1], best_rank[kv[0]], kv[0]))


LONG_QUERY_ALPHA = 0.2
"""Dense weight of :func:`query_alpha` for long queries (measured on DEV; docs/results.md)."""

SHORT_QUERY_TERMS = 12
"""Up to this many indexed query terms, a query is short and keeps the base dense weight."""

LONG_QUERY_TERMS = 24
"""From this many indexed query terms on, a query is long and gets :data:`LONG_QUERY_ALPHA`."""


def long_query_share(n_terms: int, short: int = SHORT_QUERY_TERMS, long: int = LONG_QUERY_TERMS) -> float:
    """How "long" a query with ``n_terms`` indexed terms is: 0 up to ``short``, 1 from ``long``,
    linear in between.

    Raises:
        ValueError: ``long <= short``.
    """
    if long <= short:
        raise ValueError(f"long ({long}) must exceed short ({short})")
    return min(max((n_terms - short) / (long - short), 0.0), 1.0)


def query_alpha(
    n_terms: int,
    alpha: float = CONVEX_ALPHA,
    alpha_long: float = LONG_QUERY_ALPHA,
    short: int = SHORT_QUERY_TERMS,
    long: int = LONG_QUERY_TERMS,
) -> float:
    """The dense weight of :func:`convex_combination` for a query with ``n_terms`` indexed terms.

    A single-vector embedding of a long multi-part question averages several topics, while BM25
    gains evidence with every term the collection knows, so the lexical side earns more weight as
    a query grows: ``alpha`` up to ``short`` terms, ``alpha_long`` from ``long`` terms on,
    linear in between (:func:`long_query_share`). Measured on DEV (docs/results.md): MultiHop-RAG
    questions (median 27 indexed terms) gain chunk Hits@10 0.954 → 0.969 with the news signals
    on; XQuAD and ARCD questions (median 4–6 terms) are unchanged; a cross-lingual query (≈0
    indexed terms) keeps ``alpha``, and BM25 rarely scores there anyway.

    Args:
        n_terms: Distinct query terms present in the BM25 vocabulary (``LexicalIndex.known_terms``).
        alpha: Dense weight of short queries, in [0, 1].
        alpha_long: Dense weight of long queries, in [0, 1].
        short: Term count up to which ``alpha`` applies.
        long: Term count from which ``alpha_long`` applies (> ``short``).

    Returns:
        The dense weight, in [0, 1].

    Raises:
        ValueError: ``long <= short``.
    """
    return alpha + (alpha_long - alpha) * long_query_share(n_terms, short, long)
