"""rag.retrieval.fusion: reciprocal rank fusion, checked against hand-computed scores."""

from __future__ import annotations

import pytest

from rag.retrieval.fusion import convex_combination, reciprocal_rank_fusion


def test_two_lists_exact_scores_and_deterministic_ties() -> None:
    fused = reciprocal_rank_fusion([["a", "b", "c"], ["b", "a", "d"]])
    assert [d for d, _ in fused] == ["a", "b", "c", "d"]  # a/b tie (best rank 1) → id; c/d tie → id
    scores = dict(fused)
    assert scores["a"] == pytest.approx(1 / 61 + 1 / 62)
    assert scores["b"] == pytest.approx(1 / 62 + 1 / 61)
    assert scores["c"] == pytest.approx(1 / 63)
    assert scores["d"] == pytest.approx(1 / 63)


def test_document_in_both_lists_beats_single_list_top() -> None:
    fused = reciprocal_rank_fusion([["x", "y"], ["z", "y"]])
    assert fused[0] == ("y", pytest.approx(2 / 62))
    assert [d for d, _ in fused[1:]] == ["x", "z"]


def test_tie_broken_by_best_single_rank_before_id() -> None:
    # k=0: "b" scores 1/2 from rank 2 of one list; "a" scores 1/4 + 1/4 = 1/2 from rank 4 of both.
    fused = reciprocal_rank_fusion([["x", "b", "p", "a"], ["y", "q", "r", "a"]], k=0)
    scores = dict(fused)
    assert scores["a"] == pytest.approx(0.5) and scores["b"] == pytest.approx(0.5)
    assert [d for d, _ in fused][:5] == ["x", "y", "b", "q", "a"]  # best rank 2 beats 4, despite ids


def test_weights_and_custom_k() -> None:
    fused = dict(reciprocal_rank_fusion([["a"], ["b", "a"]], k=10, weights=[2.0, 0.5]))
    assert fused["a"] == pytest.approx(2.0 / 11 + 0.5 / 12)
    assert fused["b"] == pytest.approx(0.5 / 11)


def test_duplicates_within_a_list_count_once() -> None:
    assert dict(reciprocal_rank_fusion([["a", "a", "b"]]))["a"] == pytest.approx(1 / 61)
    assert dict(reciprocal_rank_fusion([["a", "a", "b"]]))["b"] == pytest.approx(1 / 63)


def test_empty_inputs() -> None:
    assert reciprocal_rank_fusion([]) == []
    assert reciprocal_rank_fusion([[], []]) == []


def test_bad_arguments() -> None:
    with pytest.raises(ValueError):
        reciprocal_rank_fusion([["a"]], weights=[1.0, 1.0])
    with pytest.raises(ValueError):
        reciprocal_rank_fusion([["a"]], k=-1)


def test_convex_combination_hand_computed() -> None:
    dense = [("a", 0.90), ("b", 0.80), ("c", 0.70)]
    lexical = [("c", 10.0), ("d", 5.0)]
    fused = dict(convex_combination(dense, lexical, alpha=0.5))
    # dense min-max: a 1, b 0.5, c 0; BM25 / max: c 1, d 0.5.
    assert fused == pytest.approx({"a": 0.5, "b": 0.25, "c": 0.5, "d": 0.25})
    order = [d for d, _ in convex_combination(dense, lexical, alpha=0.5)]
    assert order == ["a", "c", "b", "d"]  # ties broken by best single rank (a #1 dense, c #1 BM25 → id)
    assert [d for d, _ in convex_combination(dense, lexical, alpha=1.0)][:3] == ["a", "b", "c"]
    assert convex_combination([], []) == []
    with pytest.raises(ValueError):
        convex_combination(dense, lexical, alpha=1.5)


def test_query_alpha_schedule() -> None:
    from rag.retrieval.fusion import query_alpha

    assert query_alpha(0) == query_alpha(12) == 0.4
    assert query_alpha(24) == query_alpha(60) == 0.2
    assert query_alpha(18) == pytest.approx(0.3)
    assert query_alpha(15, alpha=0.5, alpha_long=0.5) == 0.5
    with pytest.raises(ValueError, match="must exceed"):
        query_alpha(5, short=10, long=10)
