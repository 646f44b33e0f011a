"""Reciprocal rank fusion (Cormack, Clarke & Büttcher, SIGIR 2009).

RRF combines ranked lists using ranks only, so the incomparable scales of cosine similarity and
BM25 never meet: score(d) = Σ_i w_i / (k + rank_i(d)), with 1-based ranks and k = 60 as in the paper.
"""

from __future__ import annotations

from collections.abc import Sequence

#: The paper's constant: "k = 60 was fixed during a pilot investigation and not altered".
RRF_K = 60


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
