"""Answer evaluation: ``sanad.chain.answer`` on a dataset's questions, scored against the gold.

Works with whatever answerer the settings configure: the offline extractive answerer (no LLM
settings) or any chat model. Figures:

- EM / F1 (SQuAD, Arabic-aware normalisation) and containment of a gold answer in the answer body
  (the answer text without the leading notice line and without ``[n]`` markers), on answerable
  questions where the system answered;
- lead containment: a gold answer in the first quoted sentence (the one the short answer is taken
  from), on the same questions;
- short-answer EM / F1: the same SQuAD rules on ``Answer.short_answer`` (the answer span; a
  missing span scores 0), and the share of answers that carry one;
- end-to-end containment (abstentions count as misses);
- abstention accuracy on MultiHop null queries and the false-abstention rate on answerable ones;
- abstention on negatives (:mod:`evals.negatives`: gold-removed and cross-set questions), and
  abstention precision/recall over answerable questions + null queries + negatives;
- MultiHop comparison/temporal questions: the share whose answer quotes two gold articles;
- citation precision and recall at article level (a citation stands for its article and the
  near-duplicate copies it lists in ``also_in``; precision counts citations whose source holds a
  gold article, recall the gold articles among all sources);
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
from evals.negatives import NegativeSet, excluding_chain, negative_sets, normalised_corpus

if TYPE_CHECKING:
    from rag.types import Answer, Citation
    from sanad.app import Sanad

_MARKER = re.compile(r"\s*\[\d+\]")

AnswerFn = Callable[[str], "Answer"]


def answer_body(answer: Answer) -> str:
    """The answer's text without the leading notice line and without ``[n]`` markers."""
    text = answer.text
    if answer.notice and text.startswith(answer.notice):
        text = text[len(answer.notice) :]
    return _MARKER.sub("", text).strip()


TWO_ARTICLE_TYPES = frozenset({"comparison_query", "temporal_query"})
"""MultiHop question types answered from two articles (the two-gold-quoted figure)."""


def source_articles(citation: Citation) -> set[str]:
    """Ids of the articles one citation stands for: its own, its quotes', its listed copies'."""
    ids = {citation.chunk.article_id}
    ids.update(q.chunk.article_id for q in citation.more_quotes)
    ids.update(s.article_id for s in citation.also_in)
    return ids


def quoted_articles(answer: Answer) -> set[str]:
    """Ids of the articles an answer quotes: cited, further quotes, and listed near-duplicates."""
    return set().union(*(source_articles(c) for c in answer.citations))


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
    if q.question_type in TWO_ARTICLE_TYPES:
        out["two_gold_quoted"] = metrics.gold_articles_quoted(quoted_articles(answer), q.gold_ids)
    out["end_to_end_containment"] = 0.0 if answer.abstained else metrics.containment(body, q.answers)
    if answer.abstained:
        return out
    out["em"] = metrics.exact_match(body, q.answers)
    out["f1"] = metrics.f1_score(body, q.answers)
    out["containment"] = metrics.containment(body, q.answers)
    # the first quoted sentence (the one the short answer comes from) holds the answer: a news
    # lede quoted before the detail sentence with the asked fact passes containment, not this
    lead = answer.citations[0].quote if answer.citations else ""
    out["lead_containment"] = metrics.containment(lead, q.answers)
    short = answer.short_answer.text if answer.short_answer is not None else ""
    out["has_short_answer"] = bool(short.strip())
    # No span scores 0, even against a gold that normalises to nothing (a few ARCD golds do).
    out["short_em"] = metrics.exact_match(short, q.answers) if out["has_short_answer"] else 0.0
    out["short_f1"] = metrics.f1_score(short, q.answers) if out["has_short_answer"] else 0.0
    # A source is its article plus the near-duplicate copies listed with it (also_in): citing
    # one copy of the gold passage cites the gold passage.
    gold = set(q.gold_ids)
    sources = [source_articles(c) for c in answer.citations]
    out["citation_precision"] = sum(1 for ids in sources if ids & gold) / len(sources) if sources else None
    out["citation_recall"] = metrics.citation_recall(quoted_articles(answer), q.gold_ids)
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
    short_rate = metrics.rate(r["has_short_answer"] for r in answered)
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
        "short_em": avg("short_em", answered),
        "short_f1": avg("short_f1", answered),
        "short_answer_rate": None if short_rate is None else round(short_rate, 4),
        "two_gold_quoted": avg("two_gold_quoted", answerable),
        "containment": avg("containment", answered),
        "lead_containment": avg("lead_containment", answered),
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


def _progress(items: Sequence[Any], desc: str, show: bool) -> Any:
    if not show:
        return items
    from tqdm import tqdm

    return tqdm(items, unit="q", desc=desc, file=sys.stderr, leave=False)


def evaluate_negatives(
    sets: Sequence[NegativeSet], sanad: Sanad, *, show_progress: bool = True
) -> dict[str, dict[str, Any]]:
    """Ask every negative question and record whether the system abstained.

    Gold-removed questions go through a chain whose retriever excludes the question's gold
    articles (:func:`evals.negatives.excluding_chain`); cross-set questions through the same
    chain with nothing excluded.

    Returns:
        ``{kind: {"source", "n", "abstention_rate", "latency_ms": {p50, p95}, "flags": [bool…],
        "examples": [...]}}`` (``flags`` per question, for the precision/recall figures).
    """
    if not sets:
        return {}
    chain, retriever = excluding_chain(sanad)
    out: dict[str, dict[str, Any]] = {}
    for ns in sets:
        flags: list[bool] = []
        lat: list[float] = []
        examples: list[dict[str, Any]] = []
        for q in _progress(ns.questions, f"negatives {ns.kind}", show_progress):
            retriever.exclude = frozenset(q.gold_ids) if ns.kind == "gold_removed" else frozenset()
            t0 = time.perf_counter()
            ans = chain.answer(q.text)
            lat.append((time.perf_counter() - t0) * 1000)
            flags.append(ans.abstained)
            if not ans.abstained and len(examples) < 3:
                examples.append({"qid": q.qid, "question": q.text, "answer": answer_body(ans)[:300]})
        rate = metrics.rate(flags)
        out[ns.kind] = {
            "source": ns.source,
            "n": len(flags),
            "left_out": ns.left_out,
            "abstention_rate": None if rate is None else round(rate, 4),
            "latency_ms": {"p50": _r(metrics.percentile(lat, 50)), "p95": _r(metrics.percentile(lat, 95))},
            "flags": flags,
            "examples": examples,
        }
    retriever.exclude = frozenset()
    return out


def abstention_figures(
    questions: Sequence[Question], rows: Sequence[dict[str, Any]], negatives: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    """Abstention precision/recall over answerable + null questions + every negative set."""
    abstained = [bool(r["abstained"]) for r in rows]
    should = [q.is_null for q in questions]
    for neg in negatives.values():
        abstained += list(neg["flags"])
        should += [True] * len(neg["flags"])
    precision, recall = metrics.abstention_precision_recall(abstained, should)
    return {
        "n_should_abstain": sum(should),
        "n_answerable": len(should) - sum(should),
        "precision": None if precision is None else round(precision, 4),
        "recall": None if recall is None else round(recall, 4),
    }


def evaluate_answers(
    dataset: Dataset,
    sanad: Sanad,
    *,
    show_progress: bool = True,
    negatives: bool = True,
    negatives_limit: int | None = None,
) -> dict[str, Any]:
    """Answer every question of ``dataset`` (already limited by the caller) and score the answers.

    Args:
        dataset: The dataset, its corpus indexed into ``sanad``.
        sanad: Sanad over the dataset's evaluation index.
        show_progress: tqdm bar on stderr.
        negatives: Also ask the negative sets of :func:`evals.negatives.negative_sets`.
        negatives_limit: Cross-set questions asked (None: all of the other set's DEV questions).

    Returns:
        ``{"dataset", "answerer", "overall": figures, "by_type"?: {type: figures},
        "negatives": {kind: figures}, "abstention": precision/recall, "examples": [...]}``.
    """
    answer, label = chain_answerer(sanad)
    rows: list[dict[str, Any]] = []
    examples: list[dict[str, Any]] = []
    for q in _progress(dataset.questions, f"answering {dataset.name}", show_progress):
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
                    "short_answer": ans.short_answer.text if ans.short_answer else None,
                    "abstained": ans.abstained,
                    "cited": sorted({c.chunk.article_id for c in ans.citations}),
                }
            )
    sets: list[NegativeSet] = []
    if negatives:
        sets = negative_sets(dataset.name, dataset.questions, negatives_limit, normalised_corpus(dataset))
    negs = evaluate_negatives(sets, sanad, show_progress=show_progress)
    result: dict[str, Any] = {
        "dataset": dataset.name,
        "answerer": label,
        "overall": summarise(dataset.questions, rows),
        "negatives": {k: {kk: vv for kk, vv in v.items() if kk != "flags"} for k, v in negs.items()},
        "abstention": abstention_figures(dataset.questions, rows, negs),
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
    "short_em",
    "short_f1",
    "short_answer_rate",
    "containment",
    "lead_containment",
    "end_to_end_containment",
    "abstention_accuracy",
    "false_abstention_rate",
    "two_gold_quoted",
    "citation_precision",
    "citation_recall",
    "language_match",
    "declared_language_match",
)


def render_markdown(result: dict[str, Any]) -> str:
    """Markdown tables of one :func:`evaluate_answers` result (answers, then negatives)."""
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
    negs = result.get("negatives") or {}
    if negs:
        lines += [
            "",
            "| negatives | from | n | left out | abstention | p50 ms | p95 ms |",
            "|---|---|---|---|---|---|---|",
        ]
        for kind, f in negs.items():
            lines.append(
                f"| {kind} | {f['source']} | {f['n']} | {f.get('left_out', 0)} | "
                f"{_fmt(f['abstention_rate'])} | "
                f"{_fmt(f['latency_ms']['p50'])} | {_fmt(f['latency_ms']['p95'])} |"
            )
    ab = result.get("abstention")
    if ab and ab.get("n_should_abstain"):
        lines += [
            "",
            f"Abstention precision {_fmt(ab['precision'])}, recall {_fmt(ab['recall'])} "
            f"({ab['n_should_abstain']} questions that should be abstained on, "
            f"{ab['n_answerable']} answerable).",
        ]
    lines += [
        "",
        "EM/F1/containment are over answered (non-abstained) answerable questions; short_em/short_f1 "
        "score `Answer.short_answer` (the answer span) by SQuAD rules, 0 when there is none; "
        "end-to-end containment counts abstentions as misses; two_gold_quoted: comparison/temporal "
        "questions whose answer quotes two gold articles. Negatives: gold-removed = the same "
        "questions with their gold paragraph excluded from retrieval (left out: questions whose answer "
        "string occurs in another paragraph); cross_set = another corpus's "
        "questions. Language match: detected language of the answer body = question's.",
        "",
    ]
    return "\n".join(lines) + "\n"
