"""Answer evaluation: ``sanad.chain.answer`` on a dataset's questions, scored against the gold.

Works with whatever answerer the settings configure: the offline extractive answerer (no LLM
settings) or any chat model. Figures:

- EM / F1 (SQuAD, Arabic-aware normalisation) and containment of a gold answer in the answer body
  (the answer text without the leading notice line and without ``[n]`` markers), on answerable
  questions where the system answered;
- end-to-end containment (abstentions count as misses);
- abstention accuracy on MultiHop null queries and the false-abstention rate on answerable ones;
- citation precision and recall at article level;
- answer-language match (detected language of the answer body vs the question's language), and
  the language the answer declares;
- latency p50/p95 of one ``answer`` call (ms).
"""

from __future__ import annotations

import re
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from evals import metrics
from evals.datasets import Dataset, Question

if TYPE_CHECKING:
    from rag.types import Answer
    from sanad.app import Sanad

_MARKER = re.compile(r"\s*\[\d+\]")

AnswerFn = Callable[[str], "Answer"]


def answer_body(answer: Answer) -> str:
    """The answer's text without the leading notice line and without ``[n]`` markers."""
    text = answer.text
    if answer.notice and text.startswith(answer.notice):
        text = text[len(answer.notice) :]
    return _MARKER.sub("", text).strip()


def chain_answerer(sanad: Sanad) -> tuple[AnswerFn, str]:
    """``sanad.chain.answer`` and a label naming the answerer.

    When ``rag.answer.chain`` is not importable (not built yet), falls back to what the chain
    composes offline — retrieve, :func:`rag.answer.grounding.should_abstain`,
    :func:`rag.answer.extractive.extractive_answer` — and says so in the label.
    """
    try:
        chain = sanad.chain
    except ImportError:
        from rag.answer.extractive import extractive_answer
        from rag.answer.grounding import GroundingPolicy, abstention_text, should_abstain
        from rag.text.language import detect_language
        from rag.types import Answer as AnswerType

        settings = sanad.settings

        def fallback(question: str) -> Answer:
            lang = detect_language(question)
            passages = sanad.retriever.retrieve(question, settings.retrieval.k)
            policy = GroundingPolicy.from_settings(settings.retrieval)
            if should_abstain(passages, policy, query=question, language=lang):
                return AnswerType(
                    text=abstention_text(lang), abstained=True, language=lang, retrieved=tuple(passages)
                )
            return extractive_answer(question, passages, sanad.embeddings, lang)

        return fallback, "fallback: retriever + grounding + extractive (rag.answer.chain unavailable)"
    model = "extractive" if not sanad.settings.llm.configured else sanad.settings.llm.model
    return (lambda q: chain.answer(q)), f"chain ({model})"


def score_answer(q: Question, answer: Answer, latency_ms: float) -> dict[str, Any]:
    """Per-question answer figures (see the module docstring); keys absent when undefined."""
    from rag.text.language import detect_language

    body = answer_body(answer)
    out: dict[str, Any] = {
        "qid": q.qid,
        "abstained": answer.abstained,
        "latency_ms": latency_ms,
        "declared_language_match": metrics.language_match(answer.language, q.lang),
    }
    out["language_match"] = metrics.language_match(detect_language(body) if body else answer.language, q.lang)
    if q.is_null:
        return out
    out["end_to_end_containment"] = 0.0 if answer.abstained else metrics.containment(body, q.answers)
    if answer.abstained:
        return out
    out["em"] = metrics.exact_match(body, q.answers)
    out["f1"] = metrics.f1_score(body, q.answers)
    out["containment"] = metrics.containment(body, q.answers)
    cited = {c.chunk.article_id for c in answer.citations}
    out["citation_precision"] = metrics.citation_precision(cited, q.gold_ids)
    out["citation_recall"] = metrics.citation_recall(cited, q.gold_ids)
    out["answer_words"] = len(body.split())
    return out


def summarise(questions: Sequence[Question], rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Aggregate per-question rows into the reported figures."""
    null = [r for q, r in zip(questions, rows, strict=True) if q.is_null]
    answerable = [r for q, r in zip(questions, rows, strict=True) if not q.is_null]
    answered = [r for r in answerable if not r["abstained"]]
    lat = [r["latency_ms"] for r in rows]

    def avg(key: str, items: Sequence[dict[str, Any]]) -> float | None:
        v = metrics.mean(r.get(key) for r in items)
        return None if v is None else round(v, 4)

    abst = metrics.rate(r["abstained"] for r in null)
    false_abst = metrics.rate(r["abstained"] for r in answerable)
    lang = metrics.rate(r["language_match"] for r in rows)
    declared = metrics.rate(r["declared_language_match"] for r in rows)
    return {
        "n": len(rows),
        "n_null": len(null),
        "n_answerable": len(answerable),
        "n_answered": len(answered),
        "em": avg("em", answered),
        "f1": avg("f1", answered),
        "containment": avg("containment", answered),
        "end_to_end_containment": avg("end_to_end_containment", answerable),
        "abstention_accuracy": None if abst is None else round(abst, 4),
        "false_abstention_rate": None if false_abst is None else round(false_abst, 4),
        "citation_precision": avg("citation_precision", answered),
        "citation_recall": avg("citation_recall", answered),
        "language_match": None if lang is None else round(lang, 4),
        "declared_language_match": None if declared is None else round(declared, 4),
        "median_answer_words": statistics.median(r["answer_words"] for r in answered) if answered else None,
        "latency_ms": {"p50": _r(metrics.percentile(lat, 50)), "p95": _r(metrics.percentile(lat, 95))},
    }


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 1)


def evaluate_answers(dataset: Dataset, sanad: Sanad, *, show_progress: bool = True) -> dict[str, Any]:
    """Answer every question of ``dataset`` (already limited by the caller) and score the answers.

    Args:
        dataset: The dataset, its corpus indexed into ``sanad``.
        sanad: Sanad over the dataset's evaluation index.
        show_progress: tqdm bar on stderr.

    Returns:
        ``{"dataset", "answerer", "overall": figures, "by_type"?: {type: figures}, "examples": [...]}``.
    """
    answer, label = chain_answerer(sanad)
    rows: list[dict[str, Any]] = []
    examples: list[dict[str, Any]] = []
    items: Any = dataset.questions
    if show_progress:
        from tqdm import tqdm

        items = tqdm(
            dataset.questions, unit="q", desc=f"answering {dataset.name}", file=sys.stderr, leave=False
        )
    for q in items:
        t0 = time.perf_counter()
        ans = answer(q.text)
        ms = (time.perf_counter() - t0) * 1000
        rows.append(score_answer(q, ans, ms))
        if len(examples) < 5:
            examples.append(
                {
                    "qid": q.qid,
                    "question": q.text,
                    "gold": list(q.answers),
                    "answer": answer_body(ans)[:400],
                    "abstained": ans.abstained,
                    "cited": sorted({c.chunk.article_id for c in ans.citations}),
                }
            )
    result: dict[str, Any] = {
        "dataset": dataset.name,
        "answerer": label,
        "overall": summarise(dataset.questions, rows),
        "examples": examples,
    }
    types = sorted({q.question_type for q in dataset.questions})
    if len(types) > 1:
        result["by_type"] = {
            t: summarise(
                [q for q in dataset.questions if q.question_type == t],
                [r for q, r in zip(dataset.questions, rows, strict=True) if q.question_type == t],
            )
            for t in types
        }
    return result


def _fmt(x: Any) -> str:
    if x is None:
        return "—"
    return f"{x:.3f}" if isinstance(x, float) else str(x)


ANSWER_COLS = (
    "n",
    "em",
    "f1",
    "containment",
    "end_to_end_containment",
    "abstention_accuracy",
    "false_abstention_rate",
    "citation_precision",
    "citation_recall",
    "language_match",
    "declared_language_match",
)


def render_markdown(result: dict[str, Any]) -> str:
    """Markdown table of one :func:`evaluate_answers` result."""
    o = result["overall"]
    lines = [f"### Answers — {result['dataset']} ({o['n']} questions; answerer: {result['answerer']})", ""]
    header = [*ANSWER_COLS, "p50 ms", "p95 ms"]
    lines.append("| scope | " + " | ".join(header) + " |")
    lines.append("|---|" + "---|" * len(header))

    def row(scope: str, f: dict[str, Any]) -> str:
        vals = [_fmt(f.get(c)) for c in ANSWER_COLS] + [
            _fmt(f["latency_ms"]["p50"]),
            _fmt(f["latency_ms"]["p95"]),
        ]
        return f"| {scope} | " + " | ".join(vals) + " |"

    lines.append(row("all", o))
    for t, f in result.get("by_type", {}).items():
        lines.append(row(t, f))
    lines += [
        "",
        "EM/F1/containment are over answered (non-abstained) answerable questions; end-to-end containment "
        "counts abstentions as misses. Language match: detected language of the answer body = question's.",
        "",
    ]
    return "\n".join(lines) + "\n"
