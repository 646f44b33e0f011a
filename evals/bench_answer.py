"""Offline answer latency against retrieval alone, on the same questions (``sanad bench``).

The offline (extractive) answer is retrieval plus the abstention policy plus sentence scoring
and quoting, so its latency is reported as a ratio to retrieval alone (issue 12: answer p95 at
most 1.5 × retrieval p95). Both are timed on the same DEV questions over the same evaluation
index, alternating per question so machine load hits both alike, with the embedder's question
LRU off so both embed the question; the chain is a copy of the configured one without a chat
model, so no LLM call is ever timed (sentence vectors still come from the embeddings cache).
"""

from __future__ import annotations

import copy
import sys
import time
from collections.abc import Sequence
from typing import Any

from evals import metrics

ANSWER_DATASETS: tuple[str, ...] = ("xquad-ar", "xquad-en")
"""DEV sets whose questions are timed (Arabic first; each over its own evaluation index)."""

ANSWER_RATIO_TARGET = 1.5
"""Issue 12's bound on offline answer p95 / retrieval p95."""


def _ms(values: Sequence[float]) -> dict[str, float | None]:
    def r(x: float | None) -> float | None:
        return None if x is None else round(x, 1)

    return {"p50": r(metrics.percentile(values, 50)), "p95": r(metrics.percentile(values, 95))}


def _ratio(a: float | None, b: float | None) -> float | None:
    return None if a is None or not b else round(a / b, 2)


def bench_answer_latency(dataset: str, n_queries: int) -> dict[str, Any]:
    """Time ``retriever.retrieve`` and the offline ``chain.answer`` on ``n_queries`` questions.

    Args:
        dataset: One of :data:`evals.datasets.DATASETS` (its evaluation index is built or reused).
        n_queries: Questions timed (the first N of the DEV file).

    Returns:
        ``{"dataset", "queries", "answered", "retrieval_ms": {p50, p95}, "answer_ms": {p50, p95},
        "ratio_p50", "ratio_p95"}``.
    """
    from evals.datasets import load_dataset
    from evals.index import build_index

    ds = load_dataset(dataset, limit=n_queries)
    sanad, _ = build_index(ds, show_progress=False)
    chain = copy.copy(sanad.chain)  # the configured chain (its caches too), made offline
    chain.chat_model = None
    # Each timed call must embed its question: the embedder's question LRU is emptied before
    # each one, or the call timed second would reuse the first one's vector and look ~50 ms
    # cheaper than it is. Inside one answer the LRU stays on, as in production: the extractive
    # answerer's sentence scoring reuses the vector retrieval has just computed.
    queries = getattr(sanad.embeddings, "queries", None)
    forget = getattr(queries, "clear", lambda: None)
    k = sanad.settings.retrieval.k
    questions = [q.text for q in ds.questions]
    for q in questions[:3]:  # warm up: model load, BM25 index, caches
        chain.answer(q)
    retrieval: list[float] = []
    answer: list[float] = []
    answered = 0
    for q in questions:
        forget()
        t0 = time.perf_counter()
        sanad.retriever.retrieve(q, k=k)
        retrieval.append((time.perf_counter() - t0) * 1000)
        forget()
        t0 = time.perf_counter()
        ans = chain.answer(q)
        answer.append((time.perf_counter() - t0) * 1000)
        answered += not ans.abstained
    r, a = _ms(retrieval), _ms(answer)
    print(f"  bench: {dataset} answer p95 {a['p95']} ms vs retrieval p95 {r['p95']} ms", file=sys.stderr)
    return {
        "dataset": dataset,
        "queries": len(questions),
        "answered": answered,
        "retrieval_ms": r,
        "answer_ms": a,
        "ratio_p50": _ratio(a["p50"], r["p50"]),
        "ratio_p95": _ratio(a["p95"], r["p95"]),
    }


def bench_answers(n_queries: int, datasets: Sequence[str] = ANSWER_DATASETS) -> list[dict[str, Any]]:
    """:func:`bench_answer_latency` on each dataset."""
    return [bench_answer_latency(name, n_queries) for name in datasets]


def render_answer_latency(rows: Sequence[dict[str, Any]]) -> list[str]:
    """Markdown lines of the answer-latency table."""
    lines = [
        "### Offline answer latency",
        "",
        "Offline answer latency vs retrieval alone, same questions, same index (extractive chain, "
        f"no LLM; target: answer p95 ≤ {ANSWER_RATIO_TARGET} × retrieval p95).",
        "",
        "| questions | answered | retrieval p50 ms | retrieval p95 ms | answer p50 ms | answer p95 ms "
        "| ratio p50 | ratio p95 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['dataset']} ({r['queries']}) | {r['answered']} | {r['retrieval_ms']['p50']} | "
            f"{r['retrieval_ms']['p95']} | {r['answer_ms']['p50']} | {r['answer_ms']['p95']} | "
            f"{r['ratio_p50']} | **{r['ratio_p95']}** |"
        )
    return [*lines, ""]
