"""Features of a candidate sentence for the extractive answerer's learned sentence ranker.

One job: turn each candidate sentence of the retrieved passages into a fixed vector of cheap
features (:data:`FEATURES`), so :mod:`rag.answer.extractive` can score it as ``RANKER_WEIGHTS · x``.
Everything here is computed from text already at hand and from the sentence vectors (read from the
embeddings cache): no model call.

The weights are a logistic regression of "this sentence holds a gold answer" on these features,
fitted on the DEV sets (XQuAD-ar, ARCD, XQuAD-en, XQuAD en→ar) by ``python -m evals.fit_ranker``,
which also reports the article-grouped folds and the leave-one-dataset-out figures
(docs/results.md, Experiments, 2026-11-30 session 4).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from rag.answer.matching import script_of, sentence_match
from rag.text.sentences import content_keys

FEATURES = (
    "dense",  # cosine(question, sentence), e5 vectors
    "dense_gap",  # dense − best dense among the candidates (≤ 0)
    "lex",  # matching.sentence_match: share of the question's keys in the sentence
    "lex_gap",  # lex − best lex among the candidates (≤ 0)
    "lex_idf",  # IDF-weighted share of the question's keys, IDF over the candidate sentences
    "window",  # sentence_match of the sentence with its two neighbours in the passage
    "neighbour",  # best sentence_match of the previous or next sentence
    "typed",  # holds a candidate of the expected answer type the question lacks
    "measure",  # that number's unit is of the measure asked
    "header",  # headline, dateline or byline
    "planted",  # reads like an instruction to an AI or a source-list line
    "passage1",  # in the best passage
    "passage2",  # in the second passage
    "score_gap",  # retrieval score of its passage − the best passage's (≤ 0)
    "first",  # first sentence of its passage
    "position",  # log(1 + index of the sentence in its passage)
    "length",  # log(characters)
    "cross",  # sentence and question in different scripts
    "cross_lex",  # lex, across scripts (its keys are names and numbers only)
    "novel",  # share of the sentence's keys that are not the question's (room for an answer)
    "dense_lex",  # dense × lex
    "repeated",  # the same sentence (normalised) is in another passage read
)


RANKER_WEIGHTS: dict[str, float] = {
    "dense": 11.5793,
    "dense_gap": 19.6390,
    "lex": -7.2366,
    "lex_gap": 1.4136,
    "lex_idf": 3.0730,
    "window": 2.4625,
    "neighbour": -2.2885,
    "typed": 0.5568,
    "measure": 0.3722,
    "passage1": 1.1210,
    "passage2": 0.1777,
    "score_gap": 1.1190,
    "first": -0.6812,
    "position": -0.5395,
    "length": 0.3837,
    "cross": 0.3062,
    "cross_lex": 4.5955,
    "novel": -0.9326,
    "dense_lex": 5.0062,
    "repeated": 0.4570,
    "bias": -11.8646,
}
"""Weights of :data:`FEATURES` (raw feature units) and ``"bias"``: L2 logistic regression (λ = 1
on standardised features) of "the sentence holds a gold answer" over the candidate sentences of
2,479 answered DEV questions of XQuAD-ar, ARCD, XQuAD-en and XQuAD en→ar (``python -m
evals.fit_ranker``, which prints them). Share of questions whose three quoted sentences hold the
answer, 5 folds grouped by page, against the hand-set linear score: XQuAD-ar 0.906 (0.883), ARCD
0.905 (0.867), XQuAD-en 0.966 (0.940), en→ar 0.813 (0.777); each dataset held out of training in
turn: 0.906 / 0.900 / 0.960 / 0.792 (docs/results.md, 2026-11-30 session 4)."""

SCORE_UNIT = RANKER_WEIGHTS["dense"] + RANKER_WEIGHTS["dense_gap"]
"""Logit per unit of cosine between two sentences of one question. :func:`rank_score` divides by
it, so scores are in cosine-equivalents: the units the quote floors of :mod:`rag.answer.quotes`
(``RELATIVE_FLOOR``, ``OTHER_ARTICLE_FLOOR``) and the penalties below were set in."""

FIXED_WEIGHTS: dict[str, float] = {"header": -0.1, "planted": -0.25}
"""Penalties set by hand, in cosine-equivalents, not fitted: DEV holds no planted instruction and
only 12 header-like sentences (one truncated XQuAD-en line), so the fit cannot see them. They carry
the pre-ranker penalties over: a headline, dateline or byline is quoted only when nothing scores
0.1 better; an instruction to an AI or a source-list line loses 0.25."""


def rank_score(features: Sequence[float]) -> float:
    """The ranker's score of one sentence, in cosine-equivalents (higher is better).

    (bias + Σ fitted weight × feature) / :data:`SCORE_UNIT` + Σ fixed weight × feature: the
    logit of "this sentence holds the answer", scaled, plus the hand-set penalties.
    """
    logit = RANKER_WEIGHTS.get("bias", 0.0)
    fixed = 0.0
    for name, x in zip(FEATURES, features, strict=True):
        if name in FIXED_WEIGHTS:
            fixed += FIXED_WEIGHTS[name] * x
        else:
            logit += RANKER_WEIGHTS.get(name, 0.0) * x
    return logit / SCORE_UNIT + fixed


@dataclass(frozen=True)
class SentenceFacts:
    """What the extractive answerer already knows about one candidate sentence.

    Attributes:
        passage: Index of its passage (0 = best retrieved).
        index: Index of the sentence among its passage's candidates.
        text: The sentence.
        dense: Cosine of the question's and the sentence's vectors (0.0 without an embedder).
        typed: Holds a candidate of the expected answer type.
        measure: That candidate's unit is of the asked measure.
        header: Headline, dateline or byline.
        planted: Instruction to an AI or a source-list line.
    """

    passage: int
    index: int
    text: str
    dense: float
    typed: bool
    measure: bool
    header: bool
    planted: bool


def sentence_features(
    question_keys: set[str],
    question_script: str,
    facts: Sequence[SentenceFacts],
    passage_scores: Sequence[float],
) -> list[list[float]]:
    """One feature vector (:data:`FEATURES` order) per candidate sentence.

    Args:
        question_keys: :func:`rag.answer.matching.question_match_keys` of the question.
        question_script: :func:`rag.answer.matching.script_of` of the question.
        facts: The candidates, grouped by passage in reading order.
        passage_scores: Retrieval score of each passage read (best first).

    Returns:
        ``len(facts)`` lists of ``len(FEATURES)`` floats.
    """
    if not facts:
        return []
    cross = [script_of(f.text) != question_script for f in facts]
    lex = [sentence_match(question_keys, f.text, c) for f, c in zip(facts, cross, strict=True)]
    keys = [content_keys(f.text) for f in facts]
    n = len(facts)
    plain = {k for k in question_keys if not k.startswith("~")}
    idf = {k: math.log((n + 1) / (sum(k in ks for ks in keys) + 0.5)) for k in plain}
    idf_total = sum(idf.values())
    best_dense = max(f.dense for f in facts)
    best_lex = max(lex)
    top_score = passage_scores[0] if passage_scores else 0.0
    norms = [" ".join(sorted(ks)) for ks in keys]
    seen = Counter(norms)
    rows = []
    for i, f in enumerate(facts):
        prev = i - 1 if i > 0 and facts[i - 1].passage == f.passage else None
        nxt = i + 1 if i + 1 < n and facts[i + 1].passage == f.passage else None
        near = [j for j in (prev, nxt) if j is not None]
        window_text = " ".join(facts[j].text for j in sorted([i, *near]))
        window = sentence_match(question_keys, window_text, cross[i])
        lex_idf = sum(idf[k] for k in plain & keys[i]) / idf_total if idf_total > 0 else 0.0
        score = passage_scores[f.passage] if f.passage < len(passage_scores) else top_score
        rows.append(
            [
                f.dense,
                f.dense - best_dense,
                lex[i],
                lex[i] - best_lex,
                lex_idf,
                window,
                max((lex[j] for j in near), default=0.0),
                float(f.typed),
                float(f.measure),
                float(f.header),
                float(f.planted),
                float(f.passage == 0),
                float(f.passage == 1),
                score - top_score,
                float(f.index == 0),
                math.log1p(f.index),
                math.log(max(len(f.text), 1)),
                float(cross[i]),
                lex[i] if cross[i] else 0.0,
                len(keys[i] - plain) / len(keys[i]) if keys[i] else 0.0,
                f.dense * lex[i],
                float(seen[norms[i]] > 1),
            ]
        )
    return rows
