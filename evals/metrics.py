"""Evaluation metrics: pure functions over ids, strings and numbers (no I/O, no model).

Retrieval (one query at a time; the runner averages):

- article level: :func:`hit_at_k`, :func:`reciprocal_rank_at_k`, :func:`evidence_recall_at_k`,
  :func:`all_evidence_at_k` over the article ids of the ranked chunks (``k`` counts chunks, i.e.
  what the answerer is given, so an article retrieved twice uses two of the ``k`` slots);
- chunk level, MultiHop-RAG's rule: :func:`chunk_is_relevant`, then :func:`hit_at_k` /
  :func:`reciprocal_rank_at_k` on the relevance flags.

Answers: :func:`normalize_answer` (SQuAD's, made Arabic-aware), :func:`exact_match`,
:func:`f1_score`, :func:`containment`, :func:`citation_precision`, :func:`citation_recall`,
:func:`rate`; latency: :func:`percentile`.
"""

from __future__ import annotations

import math
import re
import string
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Sequence

# ------------------------------------------------------------------------------ retrieval


def relevance_flags(ranked_ids: Sequence[str], gold: Collection[str]) -> list[bool]:
    """Per rank, whether the ranked item's id is gold.

    Args:
        ranked_ids: Ids in rank order (e.g. the article id of each retrieved chunk).
        gold: Gold ids.

    Returns:
        ``[id in gold for id in ranked_ids]``.
    """
    return [i in gold for i in ranked_ids]


def hit_at_k(relevant: Sequence[bool], k: int) -> float:
    """Hits@k: 1.0 when at least one of the first ``k`` items is relevant, else 0.0.

    Source: MultiHop-RAG (Tang & Yang 2024, arXiv 2401.15391, §4.1 and ``retrieval_evaluate.py``):
    "the share of queries with at least one relevant chunk in the top K".

    Args:
        relevant: Relevance flag per rank (rank 1 first).
        k: Cut-off (>= 1).
    """
    return 1.0 if any(relevant[:k]) else 0.0


def reciprocal_rank_at_k(relevant: Sequence[bool], k: int) -> float:
    """Reciprocal rank of the first relevant item within the first ``k``; 0.0 when there is none.

    Averaged over queries this is MRR@k (Voorhees, TREC-8 QA track, 1999; MultiHop-RAG's MRR@10).

    Args:
        relevant: Relevance flag per rank (rank 1 first).
        k: Cut-off (>= 1).
    """
    for rank, flag in enumerate(relevant[:k], 1):
        if flag:
            return 1.0 / rank
    return 0.0


def evidence_recall_at_k(ranked_ids: Sequence[str], gold: Collection[str], k: int) -> float:
    """Share of the distinct gold ids that occur among the first ``k`` ranked ids (recall@k).

    Standard set recall (Manning, Raghavan & Schütze, *Introduction to Information Retrieval*,
    2008, §8.3) restricted to the top ``k``. For MultiHop, the gold ids are the evidence articles.

    Args:
        ranked_ids: Ids in rank order (duplicates allowed: one article may supply several chunks).
        gold: Gold ids; must not be empty.

    Raises:
        ValueError: ``gold`` is empty (recall is undefined; skip null queries).
    """
    gold_set = set(gold)
    if not gold_set:
        raise ValueError("recall is undefined without gold ids")
    return len(gold_set & set(ranked_ids[:k])) / len(gold_set)


def all_evidence_at_k(ranked_ids: Sequence[str], gold: Collection[str], k: int) -> float:
    """1.0 when every gold id occurs among the first ``k`` ranked ids, else 0.0.

    The strict multi-hop criterion (all evidence retrieved), as in MultiHop-RAG's discussion of
    multi-document evidence and "all-evidence" recall in multi-hop QA (e.g. Yang et al. 2018,
    HotpotQA, supporting-fact recall).

    Raises:
        ValueError: ``gold`` is empty.
    """
    return 1.0 if evidence_recall_at_k(ranked_ids, gold, k) == 1.0 else 0.0


def _squash(text: str) -> str:
    return text.replace(" ", "").replace("\n", "")


def chunk_is_relevant(chunk_text: str, facts: Iterable[str]) -> bool:
    """MultiHop-RAG's chunk-level relevance rule.

    A chunk is relevant when, after removing every space and newline from both, it contains at
    least one gold evidence fact as a substring. Source: the official ``retrieval_evaluate.py`` of
    github.com/yixuantt/MultiHop-RAG (``item.replace(" ", "").replace("\\n", "")`` on the gold and
    the retrieved texts, then ``gold_item in retrieved_item``). Only meaningful for non-null
    queries (a null query has no facts, so nothing is relevant).

    Args:
        chunk_text: The retrieved chunk's text.
        facts: Gold ``fact`` strings.
    """
    squashed = _squash(chunk_text)
    return any(_squash(f) in squashed for f in facts if _squash(f))


# ------------------------------------------------------------------------------ answers

# Tashkeel (harakat U+064B–U+065F incl. sukun and shadda, superscript alef U+0670), Quranic
# annotation marks (U+0610–U+061A, U+06D6–U+06ED) and tatweel (U+0640).
_TASHKEEL = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_ALEF = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ٲ": "ا", "ٳ": "ا", "ى": "ي", "ة": "ه"})
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_EN_ARTICLES = re.compile(r"\b(a|an|the)\b")
_ASCII_PUNCT = set(string.punctuation)


def _is_punct(ch: str) -> bool:
    return ch in _ASCII_PUNCT or unicodedata.category(ch).startswith("P")


def normalize_answer(text: str, strip_arabic_article: bool = True) -> str:
    """SQuAD answer normalisation, extended for Arabic.

    SQuAD v1.1's ``normalize_answer`` (Rajpurkar et al. 2016, official ``evaluate-v1.1.py``):
    lower-case, remove punctuation, remove the English articles *a/an/the*, collapse whitespace.
    Added for Arabic, the folding of Sanad's matcher (:func:`rag.text.sentences.normalize`):
    Unicode NFKC (presentation forms → letters); strip tashkeel, Quranic marks and tatweel; fold
    alef forms أ إ آ ٱ → ا, ى → ي and ة → ه; Arabic-Indic digits → ASCII digits. Punctuation is
    every Unicode category-P character (e.g. ، ؛ ؟ « »), not only ASCII, as in the official MLQA
    evaluation script (Lewis et al. 2020, ``mlqa_evaluation_v1.py``, ``PUNCT``). Optionally
    (``strip_arabic_article``, default on) the Arabic definite article is removed as MLQA's
    script does for ``lang == "ar"`` (``re.sub('\\sال^|ال', ' ', text)``, the Arabic counterpart of
    SQuAD's a/an/the), but only at the start of a word and when at least two letters remain
    (MLQA's pattern also cuts "ال" inside words, e.g. "مال"; we keep those). Applied to both
    sides, so it can only merge, never split, answers.

    Args:
        text: A predicted or gold answer.
        strip_arabic_article: Drop a leading "ال" from Arabic words.

    Returns:
        Space-separated normalised tokens.
    """
    text = unicodedata.normalize("NFKC", text).lower()
    text = _TASHKEEL.sub("", text).translate(_ALEF).translate(_DIGITS)
    text = "".join(" " if _is_punct(ch) else ch for ch in text)
    text = _EN_ARTICLES.sub(" ", text)
    tokens = text.split()
    if strip_arabic_article:
        tokens = [t[2:] if t.startswith("ال") and len(t) >= 4 else t for t in tokens]
    return " ".join(tokens)


def exact_match(prediction: str, golds: Sequence[str]) -> float:
    """SQuAD exact match: 1.0 when the normalised prediction equals any normalised gold.

    Source: SQuAD v1.1 ``evaluate-v1.1.py`` (max over the gold answers), with the Arabic-aware
    :func:`normalize_answer`.
    """
    pred = normalize_answer(prediction)
    return 1.0 if any(pred == normalize_answer(g) for g in golds) else 0.0


def _f1(pred_tokens: list[str], gold_tokens: list[str]) -> float:
    if not pred_tokens or not gold_tokens:
        return 1.0 if pred_tokens == gold_tokens else 0.0
    common = Counter(pred_tokens) & Counter(gold_tokens)
    same = sum(common.values())
    if same == 0:
        return 0.0
    precision = same / len(pred_tokens)
    recall = same / len(gold_tokens)
    return 2 * precision * recall / (precision + recall)


def f1_score(prediction: str, golds: Sequence[str]) -> float:
    """SQuAD token F1: harmonic mean of token precision and recall, max over the golds.

    Source: SQuAD v1.1 ``evaluate-v1.1.py`` (bag-of-tokens overlap after normalisation), with the
    Arabic-aware :func:`normalize_answer`. Two empty answers score 1.0, one empty scores 0.0.
    """
    pred = normalize_answer(prediction).split()
    return max((_f1(pred, normalize_answer(g).split()) for g in golds), default=0.0)


def containment(prediction: str, golds: Sequence[str]) -> float:
    """1.0 when some normalised gold occurs in the normalised prediction as whole tokens.

    The "answer recall"/"has answer" criterion used for long or extractive outputs (e.g. Kandpal
    et al. 2023; Liu et al. 2024, *Lost in the Middle*, §2: "whether any of the correct answers
    is contained in the predicted output"). Token-boundary matching keeps "10" from matching "100".
    """
    pred = f" {normalize_answer(prediction)} "
    return 1.0 if any(g.strip() and f" {g} " in pred for g in (normalize_answer(x) for x in golds)) else 0.0


def citation_precision(cited_ids: Collection[str], gold_ids: Collection[str]) -> float | None:
    """Share of the distinct cited articles that are gold; None when nothing is cited.

    Article-level citation precision (ALCE, Gao et al. 2023, arXiv 2305.14627, measures citation
    precision per statement; we judge a citation correct when it points to a gold article).
    """
    cited = set(cited_ids)
    if not cited:
        return None
    return len(cited & set(gold_ids)) / len(cited)


def citation_recall(cited_ids: Collection[str], gold_ids: Collection[str]) -> float | None:
    """Share of the distinct gold articles that are cited; None when there is no gold article.

    Article-level counterpart of ALCE's citation recall (Gao et al. 2023).
    """
    gold = set(gold_ids)
    if not gold:
        return None
    return len(gold & set(cited_ids)) / len(gold)


def rate(flags: Iterable[bool]) -> float | None:
    """Share of True among ``flags``; None for no flags.

    Used for abstention accuracy (share of null queries the system abstains on; MultiHop-RAG's
    null queries, Tang & Yang 2024 §3) and the false-abstention rate (share of answerable queries
    it abstains on), and for answer-language match.
    """
    values = list(flags)
    if not values:
        return None
    return sum(1 for v in values if v) / len(values)


def mean(values: Iterable[float | None]) -> float | None:
    """Arithmetic mean of the values that are not None; None when there are none."""
    kept = [v for v in values if v is not None]
    return sum(kept) / len(kept) if kept else None


def percentile(values: Sequence[float], q: float) -> float | None:
    """The ``q``-th percentile with linear interpolation between closest ranks.

    Same definition as ``numpy.percentile(values, q)`` (method "linear", Hyndman & Fan 1996
    definition 7). Used for latency p50/p95.

    Args:
        values: Samples (any order).
        q: Percentile in [0, 100].

    Returns:
        The percentile, or None for no samples.

    Raises:
        ValueError: ``q`` outside [0, 100].
    """
    if not 0 <= q <= 100:
        raise ValueError("q must be in [0, 100]")
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def language_match(answer_language: str, question_language: str) -> bool:
    """True when the answer is in the question's language (primary BCP 47 subtags compared).

    Sanad's contract (DESIGN.md, "Invariants"): answers, and abstentions, come in the language of
    the question. ``"ar-EG"`` matches ``"ar"``; comparison is case-insensitive.
    """
    return answer_language.split("-")[0].lower() == question_language.split("-")[0].lower()


def abstention_precision_recall(
    abstained: Sequence[bool], should_abstain: Sequence[bool]
) -> tuple[float | None, float | None]:
    """Precision and recall of abstention, "abstain" being the positive class.

    Precision: share of the abstentions that were on questions the corpus cannot answer (null
    queries, gold-removed and cross-set negatives); recall: share of those questions abstained
    on. Standard binary precision/recall (Manning et al. 2008, §8.3); selective-QA work reports
    abstention this way (e.g. Kamath, Jia & Liang 2020, *Selective Question Answering under
    Domain Shift*, which also builds its unanswerable questions from another dataset).

    Args:
        abstained: Per question, whether the system abstained.
        should_abstain: Per question, whether it should have (same order and length).

    Returns:
        ``(precision, recall)``; precision is None when nothing was abstained on, recall None
        when no question should have been.

    Raises:
        ValueError: the sequences differ in length.
    """
    if len(abstained) != len(should_abstain):
        raise ValueError("abstained and should_abstain differ in length")
    tp = sum(1 for a, s in zip(abstained, should_abstain, strict=True) if a and s)
    n_abstained = sum(1 for a in abstained if a)
    n_should = sum(1 for s in should_abstain if s)
    precision = tp / n_abstained if n_abstained else None
    recall = tp / n_should if n_should else None
    return precision, recall


def gold_articles_quoted(quoted_ids: Collection[str], gold_ids: Collection[str], need: int = 2) -> float:
    """1.0 when quotes come from at least ``need`` distinct gold articles (or from all, if fewer).

    The comparison/temporal criterion of issue 12: a MultiHop question comparing two articles is
    served when a sentence of each is quoted. Article-level, like :func:`citation_recall`.

    Args:
        quoted_ids: Ids of the articles the answer quotes (citations, further quotes, copies).
        gold_ids: The question's evidence articles.
        need: Distinct gold articles required.
    """
    gold = set(gold_ids)
    return 1.0 if len(gold & set(quoted_ids)) >= min(need, len(gold)) else 0.0


def latency_ms(fn: Callable[[str], object], queries: Sequence[str]) -> dict[str, float | None]:
    """Wall-clock latency of ``fn(q)`` over ``queries``: ``{"p50": ms, "p95": ms}`` (2 decimals).

    Each call is timed alone with :func:`time.perf_counter`; percentiles by :func:`percentile`
    (None when ``queries`` is empty).
    """
    lat: list[float] = []
    for q in queries:
        t0 = time.perf_counter()
        fn(q)
        lat.append((time.perf_counter() - t0) * 1000)
    p50, p95 = percentile(lat, 50), percentile(lat, 95)
    return {"p50": None if p50 is None else round(p50, 2), "p95": None if p95 is None else round(p95, 2)}
