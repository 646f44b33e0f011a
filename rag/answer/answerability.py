"""Do the passages *answer* the question, or are they only about its subject? (issue #12)

The grounding policy (:mod:`rag.answer.grounding`) passes a question when some passage is close
to it; a page's sibling paragraphs are close to every question about the page, whether they hold
the asked fact or not. This verdict looks at *which* of the question's words the passages hold,
weighted by how distinctive each word is in the collection (BM25 idf), and at how the retrieval
scores look, and abstains when a small logistic model is confident the passages do not answer.

Features (:class:`AnswerabilityFeatures`; all from the passages, the question and the lexical
index's document frequencies — no embedding beyond retrieval's own):

- ``dense_top``: the best passage cosine (``Retrieved.dense_score``);
- ``window_cover``: the best share of the idf mass of the question's indexed tokens held by two
  consecutive sentences of one of the first :data:`READ` passages, with the article's title
  (the asked words must meet in one place: a page's siblings hold the name in one paragraph and
  the attribute in another);
- ``union_cover``: the share of that mass held anywhere in the first :data:`READ` passages;
- ``unknown_share``: the share of the question's idf mass on tokens no indexed chunk holds (each
  weighing the largest idf possible, ``ln(1 + (N + 0.5) / 0.5)``); such a word is in no passage,
  so the covers leave it out, and the model weighs it on its own (on DEV it is mostly a
  paraphrase: its log-odds weight is small and negative);
- ``agree``: 1 when the best dense and the best BM25 passage are of the same article;
- ``type_in_window``: 1 when the best window holds a candidate of the expected answer type that
  the question does not contain (:mod:`rag.answer.answer_types`; always 1 for kinds without a
  reliable candidate finder).

Token weights are Lucene's BM25 idf over the live chunks. The verdict applies only when the
question and the best passage share a language: across languages the words cannot meet (the
grounding policy's cross-lingual and cross-script rules decide there).

The weights (:data:`WEIGHTS`, one model per question script) are logistic regressions fitted on
DEV by ``python -m evals.fit_answerability`` (answerable questions against gold-removed,
cross-set and MultiHop null questions, only those the policy and the relevance rules still
answer; each set weighing the same, positives and negatives balanced within it): Arabic on
XQuAD-ar + ARCD, Latin on XQuAD-en + MultiHop. Cross-validated by page in five folds and
leave-one-dataset-out: docs/results.md, Experiments "2026-11-30 (session 4) — answerability
(issue 12)". ``GroundingPolicy.answerability_shift`` moves every script's threshold (log-odds).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from rag.answer.answer_types import ENTITY_KINDS, TYPED_KINDS, candidates, question_type
from rag.answer.matching import script_of
from rag.text.language import script_of_language
from rag.text.normalize import STOPWORDS, fold, tokenize
from rag.text.sentences import content_keys, sentence_spans
from rag.types import Retrieved

READ = 3
"""Passages whose words are read (the extractive answerer quotes from the first three)."""

FEATURES = ("dense_top", "window_cover", "union_cover", "unknown_share", "agree", "type_in_window")


@dataclass(frozen=True)
class Weights:
    """One script's logistic model: ``log-odds = intercept + Σ coefficients × features``.

    Attributes:
        coefficients: Log-odds per unit of each feature (order of :data:`FEATURES`).
        intercept: Log-odds with every feature 0.
        threshold: Log-odds above which the passages do not answer (before the policy's shift).
    """

    coefficients: tuple[float, ...]
    intercept: float
    threshold: float


WEIGHTS: dict[str, Weights] = {
    "arabic": Weights((-23.39, -3.482, -0.9722, 0.8711, -1.168, -0.8302), 24.24, 3.0),
    "latin": Weights((-73.75, -7.775, -4.186, -9.976, 0.7196, -1.61), 71.46, 2.0),
}
"""Fitted per question script (Arabic matching is looser — clitics, broken plurals, translated
questions — so the same coverage means less) by ``python -m evals.fit_answerability`` at commit
a6414b0; each threshold is the one it suggests: the most cross-validated abstention on the
negatives with false abstention ≤ 0.045 on every set of the script (docs/results.md). The Latin
model leans on the cosine (−73.75 per unit: 0.05 of cosine moves the log-odds by 3.7): MultiHop's
null queries are refused before it (named-outlet rule), so its negatives are almost all XQuAD-en
sibling paragraphs, told from the gold paragraph mostly by a lower best cosine."""

_ARABIC = re.compile(r"[\u0600-\u06FF]")


class TermStats(Protocol):
    """Document frequencies of the collection (:class:`rag.retrieval.lexical.LexicalIndex`)."""

    def query_tokens(self, query: str) -> list[str]:
        """The BM25 tokens of ``query``."""
        ...

    def idf(self, tokens: Iterable[str]) -> dict[str, float]:
        """BM25 idf of each indexed token (absent when no chunk holds it)."""
        ...

    def __len__(self) -> int:
        """Number of live chunks."""
        ...

    def languages(self) -> frozenset[str]:
        """The primary language subtags of the indexed chunks."""
        ...


_WORDS = re.compile(r"\w+")


def unknown_words(query: str, stats: TermStats) -> bool:
    """True when the question's words are all unknown to a collection that is written in its script.

    Gibberish ("asdkjh qwe zxcv", «ششششش…») or a greeting ("hello") still finds passages: e5 gives
    any text a cosine of ~0.75–0.8 with anything, above the cross-lingual bar, so the newcomer check
    (session 7) got cited passages for them. Such input is no sentence of a language: it holds no
    function word (:data:`rag.text.normalize.STOPWORDS`) and none of its BM25 tokens is indexed.
    A question with a function word is left to the other checks even when its content words are
    unknown: in a collection of both languages the answer may sit in the other script ("How many
    spectators attended the Wehdat Faisaly match?" over an Arabic match report beside English
    news was refused by the first version of this rule; second newcomer check, session 7).
    A collection with no chunk in the question's script (an English question over Arabic news)
    is never judged here: its words cannot meet the question's.

    Args:
        query: The question.
        stats: The collection's term statistics (:func:`term_stats`).

    Returns:
        True to abstain. False when the question holds a function word, has no BM25 token, some
        token is indexed, or no indexed chunk is in the question's script.
    """
    words = [w.lower() for w in _WORDS.findall(query)]
    if any(w in STOPWORDS or fold(w) in STOPWORDS for w in words):
        return False  # a sentence of a language ("How many … the Wehdat match?"): other checks judge it
    tokens = stats.query_tokens(query)
    if not tokens or stats.idf(tokens):
        return False
    scripts = {script_of_language(lang) for lang in stats.languages()}
    return script_of(query) in scripts


def term_stats(retriever: Any) -> TermStats | None:
    """The lexical index behind ``retriever`` (its ``lexical`` view), or None when it has none."""
    view = getattr(retriever, "lexical", None)
    current = getattr(view, "current", None)
    if current is None:
        return None
    try:
        return current().index  # type: ignore[no-any-return]
    except Exception:  # an index that cannot be read gives no statistics: the policy alone decides
        return None


@dataclass(frozen=True)
class AnswerabilityFeatures:
    """The verdict's inputs (module docstring); shares in [0, 1], flags 0/1, cosine in [-1, 1]."""

    dense_top: float
    window_cover: float
    union_cover: float
    unknown_share: float
    agree: float
    type_in_window: float
    script: str = "latin"
    """Which :data:`WEIGHTS` apply: ``"arabic"`` for a question in Arabic script, else ``"latin"``."""

    def values(self) -> tuple[float, ...]:
        """The features in the order of :data:`FEATURES`."""
        return tuple(float(getattr(self, name)) for name in FEATURES)

    def log_odds(self) -> float:
        """Log-odds that the passages do not answer (higher: more surely unanswered)."""
        w = WEIGHTS[self.script]
        return w.intercept + sum(c * x for c, x in zip(w.coefficients, self.values(), strict=True))


def _passage_tokens(r: Retrieved, text: str) -> set[str]:
    return set(tokenize(text, r.chunk.language))


def answerability_features(
    question: str, passages: Sequence[Retrieved], stats: TermStats
) -> AnswerabilityFeatures | None:
    """The features of ``question`` over ``passages`` (best first), or None when there is nothing
    to weigh (no question tokens, or no passage with a cosine)."""
    tokens = list(dict.fromkeys(stats.query_tokens(question)))
    if not tokens or not any(r.dense_score is not None for r in passages):
        return None  # the weights were fitted with cosines: a lexical-only retriever gets no verdict
    known = stats.idf(tokens)
    top_idf = math.log(1.0 + (len(stats) + 0.5) / 0.5)
    weight = {t: known.get(t, top_idf) for t in tokens}
    mass = sum(weight.values())
    known_mass = sum(known.values())

    def cover(found: set[str]) -> float:
        # over the words the collection uses: one it never uses cannot be in any passage
        return sum(known[t] for t in known if t in found) / known_mass if known_mass else 0.0

    kind = question_type(question)
    asked = content_keys(question)
    union: set[str] = set()
    best, best_window = 0.0, ""
    for r in passages[:READ]:
        title = _passage_tokens(r, r.chunk.title.replace("_", " "))
        text = r.chunk.text
        spans = sentence_spans(text)
        sentences = [_passage_tokens(r, text[a:b]) for a, b in spans]
        union |= title.union(*sentences)
        for i, sentence in enumerate(sentences):
            nxt = sentences[i + 1] if i + 1 < len(sentences) else set()
            share = cover(sentence | nxt | title)
            if share > best:
                best, best_window = share, text[spans[i][0] : spans[min(i + 1, len(spans) - 1)][1]]
    # (score, -position): of equal scores the earlier passage is the best
    dense = [(r.dense_score, -i) for i, r in enumerate(passages) if r.dense_score is not None]
    lexical = [(r.lexical_score, -i) for i, r in enumerate(passages) if r.lexical_score is not None]
    agree = bool(dense and lexical) and (
        passages[-max(dense)[1]].chunk.article_id == passages[-max(lexical)[1]].chunk.article_id
    )
    return AnswerabilityFeatures(
        dense_top=max(dense)[0],
        window_cover=best,
        union_cover=cover(union),
        unknown_share=(mass - known_mass) / mass,
        agree=float(agree),
        type_in_window=float(_type_found(kind, best_window, asked)),
        script="arabic" if _ARABIC.search(question) else "latin",
    )


def _type_found(kind: str, window: str, asked: set[str]) -> bool:
    """True when ``window`` holds a candidate of ``kind`` the question does not already contain
    (always True for kinds without a reliable finder: reasons, definitions, Arabic names)."""
    if kind not in TYPED_KINDS and not (kind in ENTITY_KINDS and not _ARABIC.search(window)):
        return True
    return any(not (keys := content_keys(c.text)) or not keys <= asked for c in candidates(window, kind))


def unanswered(
    question: str, passages: Sequence[Retrieved], stats: TermStats, shift: float = 0.0
) -> float | None:
    """The log-odds that ``passages`` do not answer ``question`` when above its script's
    threshold plus ``shift``, else None (also None when there is nothing to weigh)."""
    features = answerability_features(question, passages, stats)
    if features is None:
        return None
    odds = features.log_odds()
    return odds if odds > WEIGHTS[features.script].threshold + shift else None
