"""Negatives of the answer evaluation: the excluding retriever and the precision/recall table."""

from __future__ import annotations

import pytest

from evals.answers import abstention_figures, render_markdown
from evals.datasets import Question
from evals.negatives import CROSS_SET, ExcludingRetriever, negative_sets
from rag.types import Chunk, Filters, Retrieved


def chunk(article: str, i: int) -> Chunk:
    return Chunk(f"{article}-{i}", article, i, f"text {article} {i}", 0, 10)


class ListRetriever:
    """Returns its passages in order, recording the ``k`` it was asked for."""

    def __init__(self, chunks: list[Chunk]) -> None:
        self.items = [Retrieved(c, score=1.0 - n / 100) for n, c in enumerate(chunks)]
        self.asked: list[int] = []

    def retrieve(self, query: str, k: int = 5, filters: Filters | None = None) -> list[Retrieved]:
        self.asked.append(k)
        return self.items[:k]


def test_excluding_retriever_drops_the_gold_and_still_returns_k() -> None:
    inner = ListRetriever(
        [chunk("gold", 0), chunk("p1", 0), chunk("gold", 1), chunk("p2", 0), chunk("p3", 0)]
    )
    r = ExcludingRetriever(inner, overfetch=3)
    assert [x.chunk.article_id for x in r.retrieve("q", k=2)] == ["gold", "p1"]
    r.exclude = frozenset({"gold"})
    assert [x.chunk.chunk_id for x in r.retrieve("q", k=3)] == ["p1-0", "p2-0", "p3-0"]
    assert inner.asked == [2, 6]


def q(qid: str, gold: tuple[str, ...] = ("p",), qtype: str = "extractive") -> Question:
    return Question(qid, "?", "ar", gold, ("x",), qtype)


def test_negative_sets_of_each_dataset() -> None:
    questions = [q("a"), q("b", ())]
    kinds = {ns.kind: ns for ns in negative_sets("xquad-en", questions)}
    assert list(kinds) == ["gold_removed"] and [x.qid for x in kinds["gold_removed"].questions] == ["a"]
    assert negative_sets("multihop", questions) == []
    assert CROSS_SET["xquad-ar"] == "arcd" and CROSS_SET["arcd"] == "xquad-ar"


def test_abstention_figures_and_table() -> None:
    questions = [q("a"), q("b"), q("n", (), "null_query")]
    rows = [{"abstained": False}, {"abstained": True}, {"abstained": True}]
    negs = {"gold_removed": {"flags": [True, True, False], "source": "x", "n": 3}}
    ab = abstention_figures(questions, rows, negs)
    # should: n + 3 negatives = 4; abstained: b (wrong), n, 2 negatives → precision 3/4, recall 3/4
    assert ab == {"n_should_abstain": 4, "n_answerable": 2, "precision": 0.75, "recall": 0.75}
    overall = {"n": 3, "latency_ms": {"p50": 1.0, "p95": 2.0}, "short_f1": 0.5}
    neg = {"source": "x", "n": 3, "abstention_rate": 0.6667, "latency_ms": {"p50": 1.0, "p95": 2.0}}
    md = render_markdown(
        {
            "dataset": "d",
            "answerer": "t",
            "overall": overall,
            "negatives": {"gold_removed": neg},
            "abstention": ab,
        }
    )
    assert "| gold_removed | x | 3 | 0 | 0.667 |" in md and "Abstention precision 0.750, recall 0.750" in md
    assert "short_f1" in md


def test_answer_latency_table_reports_the_ratio() -> None:
    from evals.bench import render_blocks
    from evals.bench_answer import _ratio

    row = {
        "dataset": "xquad-ar",
        "queries": 50,
        "answered": 47,
        "retrieval_ms": {"p50": 80.0, "p95": 200.0},
        "answer_ms": {"p50": 100.0, "p95": 290.0},
        "ratio_p50": _ratio(100.0, 80.0),
        "ratio_p95": _ratio(290.0, 200.0),
    }
    blocks = render_blocks({"answer": [row], "peak_rss_mb": 1.0})
    assert list(blocks) == ["bench:answer"]  # --only answer leaves the other bench blocks alone
    assert "| xquad-ar (50) | 47 | 80.0 | 200.0 | 100.0 | 290.0 | 1.25 | **1.45** |" in blocks["bench:answer"]
    assert _ratio(1.0, None) is None and _ratio(None, 2.0) is None


def test_a_cited_copy_of_the_gold_counts_and_short_answers_are_scored() -> None:
    from evals.answers import score_answer
    from rag.types import Answer, Citation, ShortAnswer, SourceRef

    q = Question("q", "Who?", "en", ("gold", "other-gold"), ("Christine Lagarde",), "comparison_query")
    cites = (
        Citation(1, chunk("copy", 0), "x", also_in=(SourceRef("gold"),)),
        Citation(2, chunk("noise", 0), "y"),
    )
    ans = Answer("Lagarde said so [1][2].", cites, language="en", short_answer=ShortAnswer("Lagarde", 1))
    row = score_answer(q, ans, 10.0)
    assert row["citation_precision"] == 0.5 and row["citation_recall"] == 0.5
    assert row["short_em"] == 0.0 and row["short_f1"] == pytest.approx(2 / 3) and row["has_short_answer"]
    assert row["two_gold_quoted"] == 0.0  # only one of the two gold articles is quoted


def test_gold_removed_leaves_out_questions_answered_elsewhere() -> None:
    from evals.negatives import answer_elsewhere

    corpus = {"p0": " born in 1958 in medina ", "p1": " he studied in indiana ", "p2": " other text "}
    asked = Question("a", "Where did he study?", "en", ("p1",), ("Indiana",))
    repeated = Question("b", "When was he born?", "en", ("p2",), ("1958",))
    assert not answer_elsewhere(asked, corpus) and answer_elsewhere(repeated, corpus)
    (ns,) = negative_sets("xquad-en", [asked, repeated], corpus=corpus)
    assert [x.qid for x in ns.questions] == ["a"] and ns.left_out == 1


def test_no_span_scores_zero_even_against_an_empty_gold() -> None:
    from evals.answers import score_answer
    from rag.types import Answer

    q = Question("q", "?", "ar", ("p",), ("«»",))  # normalises to nothing
    row = score_answer(q, Answer("نص [1]", language="ar"), 1.0)
    assert row["short_em"] == 0.0 and row["short_f1"] == 0.0 and not row["has_short_answer"]
