"""Calibrate the abstention policy (:class:`rag.answer.grounding.GroundingPolicy`) on the DEV sets.

Answerable questions are each set's DEV questions over their own corpus; out-of-corpus
questions are the same questions over another set's corpus (Wikipedia trivia over 2023 news and
back, in the same language and across languages), where the answer is absent by construction.
For every question the top-k passages are retrieved once and their evidence features kept
(cosine, language, share of the question's content words); a grid search then picks the
thresholds that maximise balanced accuracy, macro-averaged over the question groups so that a
large group cannot dominate. MultiHop null queries ask about topics the corpus does cover
("Insufficient information" needs reasoning over the passages); they are reported, not fitted:
that judgement belongs to the LLM.

Run: ``python -m evals.calibrate [--limit N]`` (writes reports/calibration.json and prints the
Markdown that docs/abstention.md quotes).
"""

from __future__ import annotations

import itertools
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from evals.datasets import Dataset, load_dataset
from evals.index import build_index
from rag.answer.grounding import LEXICAL_MIN_TERMS, GroundingPolicy, should_abstain
from rag.text.language import detect_language
from rag.text.sentences import content_keys
from rag.types import Retrieved

# (group name, questions of this set, over the corpus of this set, answerable?)
GROUPS: list[tuple[str, str, str, bool]] = [
    ("ar→ar in corpus (XQuAD)", "xquad-ar", "xquad-ar", True),
    ("en→ar in corpus (XQuAD)", "xquad-en-ar", "xquad-ar", True),
    ("en→en in corpus (XQuAD)", "xquad-en", "xquad-en", True),
    ("ar→ar in corpus (ARCD)", "arcd", "arcd", True),
    ("en→en absent (news questions over XQuAD-en)", "multihop", "xquad-en", False),
    ("en→ar absent (news questions over XQuAD-ar)", "multihop", "xquad-ar", False),
    ("ar→en absent (ARCD over XQuAD-en)", "arcd", "xquad-en", False),
    ("ar→ar absent (XQuAD-ar over ARCD)", "xquad-ar", "arcd", False),
]
# With --multihop (needs the MultiHop index, ~6,300 chunks to embed once):
MULTIHOP_GROUPS: list[tuple[str, str, str, bool]] = [
    ("en→en in corpus (MultiHop)", "multihop", "multihop", True),
    ("en→en absent (XQuAD-en over news)", "xquad-en", "multihop", False),
]
MULTIHOP_NULL = "MultiHop null queries (reported only)"


@dataclass(frozen=True)
class Case:
    """One question's retrieved passages, kept to replay the policy under other thresholds."""

    group: str
    answerable: bool
    question: str
    language: str
    passages: tuple[Retrieved, ...]


def collect(limit: int, k: int = 5, multihop: bool = False) -> list[Case]:
    """Retrieve the top ``k`` passages for up to ``limit`` questions of every group."""
    cases: list[Case] = []
    indexes: dict[str, Any] = {}
    datasets: dict[str, Dataset] = {}
    for name, qset, corpus, answerable in GROUPS + (MULTIHOP_GROUPS if multihop else []):
        if corpus not in indexes:
            indexes[corpus], _ = build_index(load_dataset(corpus), show_progress=False)
        ds = datasets.setdefault(qset, load_dataset(qset))
        questions = [q for q in ds.questions if not q.is_null][:limit]
        retriever = indexes[corpus].retriever
        for q in questions:
            hits = retriever.retrieve(q.text, k=k)
            cases.append(Case(name, answerable, q.text, detect_language(q.text), tuple(hits)))
        print(f"{name}: {len(questions)} questions", file=sys.stderr)
    nulls = [q for q in datasets["multihop"].questions if q.is_null] if multihop else []
    for q in nulls:
        hits = indexes["multihop"].retriever.retrieve(q.text, k=k)
        cases.append(Case(MULTIHOP_NULL, False, q.text, detect_language(q.text), tuple(hits)))
    return cases


def rates(cases: list[Case], policy: GroundingPolicy) -> dict[str, float]:
    """Share of each group's questions decided correctly (answered if answerable, else abstained).

    Runs the product's :func:`rag.answer.grounding.should_abstain` (used for the reported tables).
    """
    out: dict[str, list[int]] = {}
    for c in cases:
        abstained = should_abstain(c.passages, policy, query=c.question, language=c.language)
        out.setdefault(c.group, []).append(int(abstained != c.answerable))
    return {g: sum(v) / len(v) for g, v in out.items()}


def features(c: Case) -> np.ndarray:
    """Per passage: ``(cosine, cross-lingual 0/1, coverage, enough matched terms 0/1)``, shape (n, 4).

    The same quantities :func:`rag.answer.grounding.passage_evidence` tests, computed once so the grid
    search does not recompute them for every threshold.
    """
    keys = content_keys(c.question)
    rows = []
    for r in c.passages:
        dense = r.dense_score if r.dense_score is not None else float("nan")
        lang = r.chunk.language.split("-")[0].lower()
        cross = float(lang not in ("", "und", c.language.split("-")[0].lower()))
        hits = len(keys & content_keys(r.chunk.text + " " + r.chunk.title)) if keys else 0
        coverage = hits / len(keys) if keys else 0.0
        enough = float(bool(keys) and hits >= min(LEXICAL_MIN_TERMS, len(keys)))
        rows.append((dense, cross, coverage, enough))
    return np.array(rows or [(float("nan"), 0.0, 0.0, 0.0)], dtype=np.float64)


def fast_rates(table: list[tuple[str, bool, np.ndarray]], policy: GroundingPolicy) -> dict[str, float]:
    """:func:`rates` on precomputed :func:`features` (same rule, vectorised over all questions)."""
    groups, answerable, feats = _stack(table)
    d, cross, cov, enough = feats[..., 0], feats[..., 1], feats[..., 2], feats[..., 3]
    with np.errstate(invalid="ignore"):  # NaN (no dense score, or padding) compares False
        evidence = (
            (d >= policy.dense_threshold)
            | ((cross > 0) & (d >= policy.cross_lingual_threshold))
            | (
                (enough > 0)
                & (cov >= policy.lexical_coverage)
                & (np.isnan(d) | (d >= policy.lexical_threshold))
            )
        )
    correct = evidence.any(axis=1) == answerable
    return {g: float(correct[groups == g].mean()) for g in dict.fromkeys(groups.tolist())}


_STACKS: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}


def _stack(table: list[tuple[str, bool, np.ndarray]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(groups, answerable, features)`` with features padded to (questions, passages, 4)."""
    key = id(table)
    if key not in _STACKS:
        width = max((f.shape[0] for _, _, f in table), default=1)
        feats = np.zeros((len(table), width, 4))
        feats[..., 0] = np.nan  # padding rows: no dense score, nothing else
        for i, (_, _, f) in enumerate(table):
            feats[i, : f.shape[0]] = f
        _STACKS[key] = (
            np.array([g for g, _, _ in table]),
            np.array([a for _, a, _ in table]),
            feats,
        )
    return _STACKS[key]


def objective(r: dict[str, float]) -> float:
    """Balanced accuracy: mean of the answerable groups' mean and the absent groups' mean."""
    groups = GROUPS + MULTIHOP_GROUPS
    pos = [r[g] for g, _, _, ok in groups if ok and g in r]
    neg = [r[g] for g, _, _, ok in groups if not ok and g in r]
    return (sum(pos) / len(pos) + sum(neg) / len(neg)) / 2


def grid_search(cases: list[Case]) -> tuple[GroundingPolicy, dict[str, float]]:
    """The policy with the best :func:`objective` over a grid of thresholds."""
    table = [(c.group, c.answerable, features(c)) for c in cases if c.group != MULTIHOP_NULL]
    steps = [round(0.70 + 0.01 * i, 2) for i in range(23)]  # 0.70 … 0.92
    best: tuple[float, GroundingPolicy, dict[str, float]] | None = None
    for dense, cross, lexical, coverage in itertools.product(
        [s for s in steps if s >= 0.80],
        [s for s in steps if s <= 0.88],
        [s for s in steps if s <= 0.86],
        [0.34, 0.5, 0.67],
    ):
        if cross > dense or lexical > dense:
            continue
        policy = GroundingPolicy(dense, cross, lexical, coverage)
        r = fast_rates(table, policy)
        score = objective(r)
        if best is None or score > best[0] + 1e-9:
            best = (score, policy, r)
    assert best is not None
    return best[1], best[2]


def main(argv: list[str] | None = None) -> None:
    """Collect features, search the grid, print and write the result."""
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=150, help="questions per group (DEV, file order)")
    parser.add_argument("--out", type=Path, default=Path("reports/calibration.json"))
    parser.add_argument("--multihop", action="store_true", help="also MultiHop groups (needs its index)")
    parser.add_argument("--reuse", action="store_true", help="reuse the passages retrieved by the last run")
    args = parser.parse_args(argv)
    import pickle

    cache = args.out.with_suffix(".cases.pkl")
    if args.reuse and cache.exists():
        cases = pickle.loads(cache.read_bytes())
    else:
        cases = collect(args.limit, multihop=args.multihop)
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_bytes(pickle.dumps(cases))
    policy, _ = grid_search(cases)
    default = GroundingPolicy()
    rows = []
    for label, p in (("calibrated", policy), ("shipped default", default)):
        r = rates(cases, p)
        rows.append((label, p, r, objective({g: v for g, v in r.items() if g != MULTIHOP_NULL})))
    lines = [
        "| policy | dense | cross-lingual | lexical | coverage | balanced accuracy |",
        "|---|---|---|---|---|---|",
    ]
    for label, p, _, score in rows:
        lines.append(
            f"| {label} | {p.dense_threshold:.2f} | {p.cross_lingual_threshold:.2f} | "
            f"{p.lexical_threshold:.2f} | {p.lexical_coverage:.2f} | {score:.3f} |"
        )
    lines += [
        "",
        "| group | questions | correct (calibrated) | correct (shipped default) |",
        "|---|---|---|---|",
    ]
    counts: dict[str, int] = {}
    for c in cases:
        counts[c.group] = counts.get(c.group, 0) + 1
    for g in [*(g for g, *_ in GROUPS + MULTIHOP_GROUPS), MULTIHOP_NULL]:
        if g not in counts:
            continue
        lines.append(
            f"| {g} | {counts.get(g, 0)} | {rows[0][2].get(g, 0):.3f} | {rows[1][2].get(g, 0):.3f} |"
        )
    text = "\n".join(lines)
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps(
            {"calibrated": policy.__dict__, "default": default.__dict__, "table": text, "limit": args.limit},
            indent=2,
        ),
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
