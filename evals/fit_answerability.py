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
3. Per question script (Arabic, Latin), fit a logistic regression (numpy Newton steps, L2
   ``1.0`` on standardised features) with label 1 = should abstain; every dataset weighs the
   same and, within it, positives and negatives balance.
4. Choose the script's threshold on grouped five-fold cross-validation (folds by page:
   XQuAD/ARCD paragraph's page, MultiHop question): the most gold-removed/cross-set/null
   abstention with false abstention ≤ :data:`MAX_FALSE_ABSTENTION` on every set; report the
   folds and leave-one-dataset-out there, and print the ``WEIGHTS`` entry (coefficients on raw
   features) to paste into :mod:`rag.answer.answerability`.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from rag.answer.answerability import FEATURES, TermStats, answerability_features
from rag.types import Retrieved

L2 = 1.0
FOLDS = 5
MAX_FALSE_ABSTENTION = 0.045
"""Cross-validated false abstention allowed per set (issue #12 allows 0.05; the margin absorbs
the difference between this harness and ``sanad eval answers``)."""
GRID = tuple(x / 4 for x in range(0, 17))
"""Thresholds tried (log-odds 0 … 4)."""


@dataclass(frozen=True)
class Case:
    """One question asked against some passages.

    Attributes:
        dataset: The evaluated dataset.
        kind: ``"pos"``, ``"gold_removed"``, ``"cross"`` or ``"null"``.
        group: Fold group (the gold paragraph's page, or the question id).
        features: :data:`rag.answer.answerability.FEATURES` values.
        answered: Whether the policy and the relevance rules answer it today.
        script: The question's script (which model it belongs to).
    """

    dataset: str
    kind: str
    group: str
    features: tuple[float, ...]
    answered: bool
    script: str = "latin"


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


def _arrays(cases: Sequence[Case]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x = np.array([c.features for c in cases])
    y = np.array([c.kind != "pos" for c in cases], float)
    return x, y, balanced_weights(cases)


def fit_all(all_cases: Sequence[Case]) -> tuple[np.ndarray, float]:
    """The model fitted on every case answered today."""
    x, y, w = _arrays([c for c in all_cases if c.answered])
    return fit_logistic(x, y, w)


def report(all_cases: Sequence[Case], threshold: float, quiet: bool = False) -> dict[str, float]:
    """Print the cross-validated figures at ``threshold`` (folds by page, then
    leave-one-dataset-out) and return the pooled five-fold rates."""
    cases = [c for c in all_cases if c.answered]
    x, y, w = _arrays(cases)
    groups = sorted({f"{c.dataset}|{c.group}" for c in cases})
    order = np.random.default_rng(0).permutation(len(groups))
    fold = {g: int(i) % FOLDS for g, i in zip(groups, order, strict=True)}
    folds = np.array([fold[f"{c.dataset}|{c.group}"] for c in cases])
    scores = np.zeros(len(cases))
    for f in range(FOLDS):
        train = folds != f
        coef, b = fit_logistic(x[train], y[train], w[train])
        scores[~train] = b + x[~train] @ coef
        if not quiet:
            held = [c for c, t in zip(cases, train, strict=True) if not t]
            print(
                f"fold {f} (cases answered today only):",
                abstention_rates(scores[~train], held, threshold, []),
            )
    pooled = abstention_rates(scores, cases, threshold, all_cases)
    if quiet:
        return pooled
    print("5-fold by page, pooled:", pooled)
    for d in sorted({c.dataset for c in cases}):
        train = np.array([c.dataset != d for c in cases])
        if train.all() or not train.any():
            continue
        coef, b = fit_logistic(x[train], y[train], w[train])
        held = [c for c, t in zip(cases, train, strict=True) if not t]
        print(f"leave-{d}-out:", abstention_rates(b + x[~train] @ coef, held, threshold, all_cases))
    return pooled


def case_features(
    question: str, passages: Sequence[Retrieved], stats: TermStats
) -> tuple[tuple[float, ...], str] | None:
    """:data:`FEATURES` of one case and its script (None when there is nothing to weigh)."""
    f = answerability_features(question, passages, stats)
    return None if f is None else (f.values(), f.script)


def build_cases(dataset: str, limit: int | None = None) -> list[Case]:
    """Retrieve and judge every case of ``dataset`` (see the module docstring, steps 1–2); the
    first ``limit`` questions (and cross-set questions) only, when given."""
    from evals.datasets import load_dataset
    from evals.index import eval_settings
    from evals.negatives import OVERFETCH, negative_sets, normalised_corpus
    from rag.answer.answerability import term_stats
    from rag.answer.extractive import extractive_answer
    from rag.answer.grounding import GroundingPolicy, should_abstain
    from rag.embedding.cached import CachedEmbeddings
    from rag.text.language import detect_language
    from sanad.app import Sanad

    ds = load_dataset(dataset, limit=limit)
    settings = eval_settings(ds.corpus)
    sanad = Sanad(settings)
    stats = term_stats(sanad.retriever)
    if stats is None:
        raise SystemExit(f"{dataset}: the retriever has no lexical index")
    k = settings.retrieval.k
    policy = GroundingPolicy.from_settings(settings.retrieval)
    embeddings = CachedEmbeddings(sanad.embeddings, sanad.cache)
    negatives = negative_sets(dataset, ds.questions, limit=limit, corpus=normalised_corpus(ds))
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
        feats = case_features(text, passages, stats)
        if feats is None:
            continue
        answered = not should_abstain(passages, policy, query=text, language=lang) and not (
            extractive_answer(text, passages, embeddings, lang, latent=sanad.latent_terms).abstained
        )
        out.append(Case(dataset, kind, group, feats[0], answered, feats[1]))
    return out


def choose_threshold(cases: Sequence[Case], max_false: float = MAX_FALSE_ABSTENTION) -> float:
    """The grid threshold with the most cross-validated gold-removed abstention (mean over sets)
    whose cross-validated false abstention is ≤ ``max_false`` on every set."""
    best, best_gain = GRID[-1], -1.0
    for t in GRID:
        with contextlib.redirect_stdout(io.StringIO()):
            rates = report(cases, t, quiet=True)
        fa = [v for k, v in rates.items() if k.endswith(":pos")]
        gain = [v for k, v in rates.items() if not k.endswith(":pos")]
        if fa and max(fa) <= max_false and gain and sum(gain) / len(gain) > best_gain:
            best, best_gain = t, sum(gain) / len(gain)
    return best


def main(argv: Sequence[str] | None = None) -> None:
    """Build the cases, fit one model per script, report the folds and print the weights."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default="xquad-ar,arcd,xquad-en,multihop")
    parser.add_argument("--limit", type=int, default=None, help="first N questions per set (a smoke run)")
    args = parser.parse_args(argv)
    cases = [c for d in args.datasets.split(",") for c in build_cases(d, args.limit)]
    print("FEATURES =", FEATURES)
    for script in sorted({c.script for c in cases}):
        mine = [c for c in cases if c.script == script]
        for t in GRID:  # the table the shipped thresholds are read from
            with contextlib.redirect_stdout(io.StringIO()):
                rates = report(mine, t, quiet=True)
            print(f"{script} threshold {t}:", rates)
        threshold = choose_threshold(mine)
        print(f"== {script}: suggested threshold {threshold}")
        coef, intercept = fit_all(mine)
        report(mine, threshold)
        weights = tuple(float(f"{c:.4g}") for c in coef)
        print(f'    "{script}": Weights({weights}, {float(f"{intercept:.4g}")}, {threshold}),')


if __name__ == "__main__":
    main()
