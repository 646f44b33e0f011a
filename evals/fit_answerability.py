"""Fit the answerability verdict's weights (:mod:`rag.answer.answerability`) on DEV.

Recipe (``python -m evals.fit_answerability [--datasets …]``, ~10 min on 2 cores):

1. For each dataset, retrieve every question against its evaluation index (``k + OVERFETCH``
   passages once, as :class:`evals.negatives.ExcludingRetriever` does), and build the cases the
   answer evaluation asks: answerable questions (first ``k``), gold-removed negatives (gold
   article dropped; questions whose answer occurs elsewhere left out), cross-set negatives and
   MultiHop null queries.
2. Keep the cases the product still answers today: the grounding policy passes them and the
   extractive relevance rules do not abstain (the verdict is stacked on both). Cases whose
   question and passages differ in language are left out (the verdict does not apply to them).
3. Fit a logistic regression (numpy Newton steps, L2 ``1.0`` on standardised features) with
   label 1 = should abstain; every dataset weighs the same and, within it, positives and
   negatives balance.
4. Report grouped five-fold cross-validation (folds by page: XQuAD/ARCD paragraph's page,
   MultiHop question) and leave-one-dataset-out at the shipped threshold, then print the
   coefficients on raw features to paste into :mod:`rag.answer.answerability`.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Sequence
from dataclasses import astuple, dataclass

import numpy as np

from rag.answer.answerability import FEATURES, TermStats, answerability_features
from rag.types import Retrieved

L2 = 1.0
FOLDS = 5


@dataclass(frozen=True)
class Case:
    """One question asked against some passages.

    Attributes:
        dataset: The evaluated dataset.
        kind: ``"pos"``, ``"gold_removed"``, ``"cross"`` or ``"null"``.
        group: Fold group (the gold paragraph's page, or the question id).
        features: :data:`rag.answer.answerability.FEATURES` values.
        answered: Whether the policy and the relevance rules answer it today.
    """

    dataset: str
    kind: str
    group: str
    features: tuple[float, ...]
    answered: bool


def page_of(article_id: str) -> str:
    """The page of a paragraph id (``ar:xquad-Super_Bowl_50-p3`` → ``xquad-Super_Bowl_50``)."""
    return re.sub(r"-p\d+$", "", article_id.split(":", 1)[-1])


def fit_logistic(x: np.ndarray, y: np.ndarray, w: np.ndarray, l2: float = L2) -> tuple[np.ndarray, float]:
    """Weighted L2-regularised logistic regression on standardised ``x`` (rows × features).

    Returns:
        ``(coefficients, intercept)`` on the *raw* features: ``log-odds = intercept + x @ coef``.
    """
    mu, sd = x.mean(0), x.std(0) + 1e-9
    z = np.hstack([(x - mu) / sd, np.ones((len(x), 1))])
    b = np.zeros(z.shape[1])
    ridge = l2 * np.diag(np.r_[np.ones(len(b) - 1), 0.0])
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-z @ b))
        grad = z.T @ (w * (p - y)) + ridge @ b
        hess = (z * (w * p * (1 - p))[:, None]).T @ z + ridge + 1e-9 * np.eye(len(b))
        step = np.linalg.solve(hess, grad)
        b -= step
        if np.abs(step).max() < 1e-9:
            break
    coef = b[:-1] / sd
    return coef, float(b[-1] - (mu * coef).sum())


def balanced_weights(cases: Sequence[Case]) -> np.ndarray:
    """Every dataset weighs the same; within one, positives and negatives balance."""
    w = np.zeros(len(cases))
    for d in {c.dataset for c in cases}:
        for neg in (False, True):
            idx = [i for i, c in enumerate(cases) if c.dataset == d and (c.kind != "pos") == neg]
            if idx:
                w[idx] = 1.0 / len(idx)
    out: np.ndarray = w * len(cases) / w.sum()
    return out


def abstention_rates(
    scores: np.ndarray, cases: Sequence[Case], threshold: float, all_cases: Sequence[Case]
) -> dict[str, float]:
    """``{"dataset:kind": abstention rate}`` when the verdict abstains above ``threshold`` on
    ``cases`` (answered today) and every other case of those datasets keeps today's decision."""
    sets = {c.dataset for c in cases}
    flags: dict[str, list[bool]] = {}
    for c in all_cases:
        if c.dataset in sets and not c.answered:
            flags.setdefault(f"{c.dataset}:{c.kind}", []).append(True)
    for c, s in zip(cases, scores, strict=True):
        flags.setdefault(f"{c.dataset}:{c.kind}", []).append(bool(s > threshold))
    return {k: round(float(np.mean(v)), 3) for k, v in sorted(flags.items())}


def report(all_cases: Sequence[Case], threshold: float) -> tuple[np.ndarray, float]:
    """Print the cross-validated figures and return the fit on every case."""
    cases = [c for c in all_cases if c.answered]
    x = np.array([c.features for c in cases])
    y = np.array([c.kind != "pos" for c in cases], float)
    w = balanced_weights(cases)
    groups = sorted({f"{c.dataset}|{c.group}" for c in cases})
    order = np.random.default_rng(0).permutation(len(groups))
    fold = {g: int(i) % FOLDS for g, i in zip(groups, order, strict=True)}
    folds = np.array([fold[f"{c.dataset}|{c.group}"] for c in cases])
    scores = np.zeros(len(cases))
    for f in range(FOLDS):
        train = folds != f
        coef, b = fit_logistic(x[train], y[train], w[train])
        scores[~train] = b + x[~train] @ coef
        held = [c for c, t in zip(cases, train, strict=True) if not t]
        print(f"fold {f}:", abstention_rates(scores[~train], held, threshold, []))
    print("5-fold by page, pooled:", abstention_rates(scores, cases, threshold, all_cases))
    for d in sorted({c.dataset for c in cases}):
        train = np.array([c.dataset != d for c in cases])
        coef, b = fit_logistic(x[train], y[train], w[train])
        held = [c for c, t in zip(cases, train, strict=True) if not t]
        print(f"leave-{d}-out:", abstention_rates(b + x[~train] @ coef, held, threshold, all_cases))
    return fit_logistic(x, y, w)


def case_features(question: str, passages: Sequence[Retrieved], stats: TermStats) -> tuple[float, ...] | None:
    """:data:`FEATURES` of one case as a tuple (None when there is nothing to weigh)."""
    f = answerability_features(question, passages, stats)
    return None if f is None else tuple(float(v) for v in astuple(f))


def build_cases(dataset: str) -> list[Case]:
    """Retrieve and judge every case of ``dataset`` (see the module docstring, steps 1–2)."""
    from evals.datasets import load_dataset
    from evals.index import eval_settings
    from evals.negatives import OVERFETCH, negative_sets, normalised_corpus
    from rag.answer.answerability import term_stats
    from rag.answer.extractive import extractive_answer
    from rag.answer.grounding import GroundingPolicy, should_abstain
    from rag.embedding.cached import CachedEmbeddings
    from rag.text.language import detect_language
    from sanad.app import Sanad

    ds = load_dataset(dataset)
    settings = eval_settings(ds.corpus)
    sanad = Sanad(settings)
    stats = term_stats(sanad.retriever)
    if stats is None:
        raise SystemExit(f"{dataset}: the retriever has no lexical index")
    k = settings.retrieval.k
    policy = GroundingPolicy.from_settings(settings.retrieval)
    embeddings = CachedEmbeddings(sanad.embeddings, sanad.cache)
    negatives = negative_sets(dataset, ds.questions, corpus=normalised_corpus(ds))
    removed = {q.qid for ns in negatives if ns.kind == "gold_removed" for q in ns.questions}
    asked: list[tuple[str, str, str, list[Retrieved]]] = []
    for q in ds.questions:
        got = sanad.retriever.retrieve(q.text, k + OVERFETCH)
        group = page_of(q.gold_ids[0]) if q.gold_ids else q.qid
        asked.append(("null" if q.is_null else "pos", group, q.text, got[:k]))
        if q.qid in removed:
            kept = [r for r in got if r.chunk.article_id not in q.gold_ids][:k]
            asked.append(("gold_removed", group, q.text, kept))
    for ns in negatives:
        if ns.kind == "cross_set":
            for q in ns.questions:
                got = sanad.retriever.retrieve(q.text, k)
                asked.append(("cross", "x:" + page_of(q.gold_ids[0]), q.text, got))
    out = []
    for kind, group, text, passages in asked:
        lang = detect_language(text)
        if any(r.chunk.language.split("-")[0] != lang.split("-")[0] for r in passages[:1]):
            continue  # across languages the verdict does not apply
        features = case_features(text, passages, stats)
        if features is None:
            continue
        answered = not should_abstain(passages, policy, query=text, language=lang) and not (
            extractive_answer(text, passages, embeddings, lang).abstained
        )
        out.append(Case(dataset, kind, group, features, answered))
    return out


def main(argv: Sequence[str] | None = None) -> None:
    """Build the cases, report the folds and print the constants."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default="xquad-ar,arcd,xquad-en,multihop")
    parser.add_argument("--threshold", type=float, default=3.0, help="log-odds to report at")
    args = parser.parse_args(argv)
    cases = [c for d in args.datasets.split(",") for c in build_cases(d)]
    coef, intercept = report(cases, args.threshold)
    print("FEATURES =", FEATURES)
    print("COEFFICIENTS =", tuple(float(f"{c:.4g}") for c in coef))
    print("INTERCEPT =", float(f"{intercept:.4g}"))


if __name__ == "__main__":
    main()
