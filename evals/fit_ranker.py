"""Refit the extractive answerer's sentence ranker (:data:`rag.answer.ranker.RANKER_WEIGHTS`) on DEV.

Recipe (docs/results.md, Experiments, 2026-11-30 session 4):

1. every answerable DEV question of XQuAD-ar, ARCD, XQuAD-en and XQuAD en→ar is retrieved as the
   chain does (the eval index, ``k`` of the settings); questions the grounding policy or the
   relevance rules abstain on are left out (the ranker never sees them);
2. each candidate sentence of the passages read (:func:`rag.answer.extractive.sentence_facts`)
   gets the runtime features (:func:`rag.answer.ranker.sentence_features`) and the label "holds a
   gold answer" (:func:`evals.metrics.containment` of the sentence);
3. L2-regularised logistic regression (Newton's method on standardised features, λ = 1; the
   hand-set :data:`rag.answer.ranker.FIXED_WEIGHTS` columns left out), weights mapped back to raw
   feature units.

It reports, beside the hand-set linear score: five folds grouped by page (a page's paragraphs,
and its XQuAD translations, fall in one fold), each dataset held out in turn (its pages also
removed from training), and the in-sample fit; then prints the weights to paste into
``rag/answer/ranker.py``. Figures: share of questions whose best sentence holds a gold answer
(top-1) and whose three quoted sentences do (top-3: the best, then the next two that are not
headers, planted lines or near-duplicates of one already picked, as :mod:`rag.answer.quotes`).

Usage: ``python -m evals.fit_ranker [--passages DIR]`` (DIR keeps ``ret-<set>.pkl`` pickles of the
retrieved passages so a second run skips retrieval). numpy only.
"""

from __future__ import annotations

import argparse
import pickle
import re
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from evals import metrics
from evals.datasets import load_dataset
from evals.index import eval_settings
from rag.answer.answer_types import question_type
from rag.answer.extractive import MAX_PASSAGES, _linear_score, sentence_facts
from rag.answer.grounding import GroundingPolicy, should_abstain
from rag.answer.matching import question_match_keys, script_of
from rag.answer.ranker import FEATURES, FIXED_WEIGHTS, sentence_features
from rag.answer.relevance import relevance_verdict
from rag.answer.sources import near_duplicate_texts
from rag.embedding.cached import CachedEmbeddings
from rag.text.language import detect_language
from rag.types import Retrieved

SETS = ("xquad-ar", "arcd", "xquad-en", "xquad-en-ar")
FOLDS = 5
LAMBDA = 1.0
FITTED = [i for i, name in enumerate(FEATURES) if name not in FIXED_WEIGHTS]


@dataclass
class QuestionRows:
    """The candidates of one question: features, labels, and what the top-3 rule needs."""

    dataset: str
    group: str
    X: np.ndarray  # (sentences, features)
    y: np.ndarray  # (sentences,) 1.0 when the sentence holds a gold answer
    linear: np.ndarray  # (sentences,) the hand-set score, for comparison
    skip: np.ndarray  # (sentences,) header or planted: never a filler quote
    texts: list[str]


def page_of(gold_id: str) -> str:
    """The page of a paragraph id: ``ar:xquad-Super_Bowl_50-p3`` → ``xquad-Super_Bowl_50``."""
    return re.sub(r"-p\d+$", "", gold_id.split(":", 1)[-1])


def retrieved(name: str, cache_dir: Path | None) -> tuple[dict[str, list[Retrieved]], object]:
    """Passages of every question of ``name`` (pickled under ``cache_dir`` when given)."""
    from sanad.app import Sanad

    ds = load_dataset(name)
    settings = eval_settings(ds.corpus)
    sanad = Sanad(settings)
    path = cache_dir / f"ret-{name}.pkl" if cache_dir else None
    data: dict[str, list[Retrieved]] = pickle.loads(path.read_bytes()) if path and path.exists() else {}
    todo = [q for q in ds.questions if q.qid not in data]
    for q in todo:
        data[q.qid] = sanad.retriever.retrieve(q.text, settings.retrieval.k)
    if path and todo:
        path.write_bytes(pickle.dumps(data))
    return data, sanad


def collect(name: str, cache_dir: Path | None) -> list[QuestionRows]:
    """Feature rows of every answerable question of ``name`` that the answerer answers."""
    ds = load_dataset(name)
    data, sanad = retrieved(name, cache_dir)
    emb = CachedEmbeddings(sanad.embeddings, sanad.cache)  # type: ignore[attr-defined]
    policy = GroundingPolicy.from_settings(sanad.settings.retrieval)  # type: ignore[attr-defined]
    out = []
    for q in ds.questions:
        if q.is_null or not q.gold_ids:
            continue
        ps = data[q.qid]
        if should_abstain(ps, policy, query=q.text, language=detect_language(q.text)):
            continue
        kind = question_type(q.text)
        cands, facts = sentence_facts(q.text, ps, emb, kind, MAX_PASSAGES)
        if not cands or relevance_verdict(q.text, kind, ps[:MAX_PASSAGES], [c.text for c in cands]):
            continue
        qk, qs = question_match_keys(q.text), script_of(q.text)
        n = min(len(ps), MAX_PASSAGES)
        X = np.array(sentence_features(qk, qs, facts, [r.score for r in ps[:n]]))
        out.append(
            QuestionRows(
                dataset=name,
                group=page_of(q.gold_ids[0]),
                X=X,
                y=np.array([metrics.containment(c.text, q.answers) for c in cands]),
                linear=np.array([_linear_score(qk, qs, f) for f in facts]),
                skip=np.array([f.header or f.planted for f in facts]),
                texts=[c.text for c in cands],
            )
        )
    return out


def fit(questions: Sequence[QuestionRows], lam: float = LAMBDA, iters: int = 25) -> np.ndarray:
    """Logistic regression weights in raw feature units, ``(len(FEATURES) + 1,)`` (bias last)."""
    X = np.vstack([q.X for q in questions])[:, FITTED]
    y = np.concatenate([q.y for q in questions])
    mu, sd = X.mean(0), X.std(0) + 1e-9
    Z = np.hstack([(X - mu) / sd, np.ones((len(X), 1))])
    reg = lam * np.r_[np.ones(len(FITTED)), 0.0]
    w = np.zeros(Z.shape[1])
    for _ in range(iters):
        p = 1.0 / (1.0 + np.exp(-Z @ w))
        grad = Z.T @ (p - y) + reg * w
        hess = (Z * (p * (1 - p))[:, None]).T @ Z + np.diag(reg)
        w -= np.linalg.solve(hess, grad)
    coef = np.zeros(len(FEATURES))
    coef[FITTED] = w[:-1] / sd
    unit = coef[FEATURES.index("dense")] + coef[FEATURES.index("dense_gap")]  # ranker.SCORE_UNIT
    for name, value in FIXED_WEIGHTS.items():  # in cosine-equivalents: to logits
        coef[FEATURES.index(name)] = value * unit
    bias = float(w[-1] - coef[FITTED] @ mu)
    return np.append(coef, bias)


def hits(
    questions: Sequence[QuestionRows], score: Callable[[QuestionRows], np.ndarray]
) -> tuple[float, float]:
    """(top-1, top-3) shares of ``questions`` (module docstring)."""
    h1 = h3 = 0
    for q in questions:
        s = score(q)
        order = np.lexsort((np.arange(len(s)), -s))
        pick = [int(order[0])]
        for i in order[1:]:
            if len(pick) == 3:
                break
            if q.skip[i] or any(near_duplicate_texts(q.texts[j], q.texts[i]) for j in pick):
                continue
            pick.append(int(i))
        h1 += bool(q.y[order[0]])
        h3 += bool(q.y[pick].any())
    n = max(len(questions), 1)
    return h1 / n, h3 / n


def fold_of(group: str) -> int:
    """Deterministic fold of a page."""
    return zlib.crc32(group.encode()) % FOLDS


def _ranker(w: np.ndarray) -> Callable[[QuestionRows], np.ndarray]:
    return lambda q: q.X @ w[:-1] + w[-1]


def _fmt(h: tuple[float, float]) -> str:
    return f"{h[0]:.3f} / {h[1]:.3f}"


def report(rows: dict[str, list[QuestionRows]]) -> np.ndarray:
    """Print the folds, the leave-one-dataset-out and in-sample figures; return the full fit."""
    every = [q for name in SETS for q in rows[name]]
    print("top-1 / top-3; hand-set linear score in brackets")
    totals = {name: np.zeros(3) for name in SETS}
    for f in range(FOLDS):
        w = fit([q for q in every if fold_of(q.group) != f])
        cells = []
        for name in SETS:
            test = [q for q in rows[name] if fold_of(q.group) == f]
            h, base = hits(test, _ranker(w)), hits(test, lambda q: q.linear)
            totals[name] += np.array([h[0], h[1], 1.0]) * len(test)
            cells.append(f"{name} {_fmt(h)} ({_fmt(base)}) n={len(test)}")
        print(f"fold {f}: " + " | ".join(cells))
    for name in SETS:
        t = totals[name]
        print(
            f"cross-validated {name}: {t[0] / t[2]:.3f} / {t[1] / t[2]:.3f}"
            f" (hand-set {_fmt(hits(rows[name], lambda q: q.linear))})"
        )
    for held in SETS:
        pages = {q.group for q in rows[held]}
        w = fit([q for q in every if q.dataset != held and q.group not in pages])
        print(f"held-out dataset {held}: {_fmt(hits(rows[held], _ranker(w)))}")
    w = fit(every)
    for name in SETS:
        print(f"in-sample {name}: {_fmt(hits(rows[name], _ranker(w)))}")
    return w


def main(argv: Sequence[str] | None = None) -> None:
    """Collect, report, print the weights."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=Path, help="directory for ret-<set>.pkl passage pickles")
    args = parser.parse_args(argv)
    rows = {name: collect(name, args.passages) for name in SETS}
    w = report(rows)
    print("RANKER_WEIGHTS: dict[str, float] = {")
    for name, value in zip((*FEATURES, "bias"), w, strict=True):
        if name not in FIXED_WEIGHTS:
            print(f'    "{name}": {value:.4f},')
    print("}")


if __name__ == "__main__":
    main()
