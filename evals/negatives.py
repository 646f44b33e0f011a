"""Questions the index cannot answer, built from the DEV sets (issue 12, item 6).

- **Gold-removed** negatives: every question of a paragraph set (XQuAD, ARCD) asked against its
  own index *without its gold paragraph*. The sibling paragraphs of the same page stay, so the
  passages are about the subject but do not hold the answer. Implemented as a per-question
  exclusion in front of the real retriever (:class:`ExcludingRetriever`), not as one index per
  question: it over-fetches and drops the gold article's chunks. Dense cosines, which the
  abstention policy reads, are unchanged by the exclusion; BM25 still counts the gold paragraph
  in its document frequencies (one of 120–231 paragraphs), a negligible difference.
  A question whose gold answer string still occurs in another paragraph of the corpus (token-
  bounded, after :func:`evals.metrics.normalize_answer`) is left out: on DEV that is 267 of
  693 ARCD questions (245 in a sibling paragraph: its paragraph records repeat a page's opening
  sentences), 110 of 632 XQuAD-ar (58 in a sibling) and 133 of 632 XQuAD-en (73), so what remains
  is unanswerable by construction rather than by assumption. The report gives both counts.
- **Cross-set** negatives: the questions of another corpus (XQuAD-ar questions against the ARCD
  index and ARCD questions against the XQuAD-ar index). Both are Arabic Wikipedia, so a few pages
  may overlap in subject; the figure is a lower bound of abstention on truly absent facts.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from evals.datasets import Dataset, Question
from evals.metrics import normalize_answer
from rag.types import Filters, Retrieved

if TYPE_CHECKING:
    from rag.answer.chain import RetrieverProtocol, SanadChain
    from sanad.app import Sanad

GOLD_REMOVED_SETS = frozenset({"xquad-ar", "xquad-en-ar", "xquad-en", "arcd"})
"""Datasets whose questions have one gold paragraph among sibling paragraphs of its page."""

CROSS_SET: dict[str, str] = {"xquad-ar": "arcd", "arcd": "xquad-ar"}
"""Dataset → the dataset whose questions are asked against its index as negatives."""

OVERFETCH = 8
"""Extra passages fetched before dropping the excluded article's chunks (a DEV paragraph is one
to three chunks, so ``k`` passages always remain)."""


class ExcludingRetriever:
    """A retriever that never returns chunks of the articles in :attr:`exclude`.

    Args:
        inner: The real retriever (e.g. ``sanad.retriever``).
        overfetch: Extra passages fetched before filtering.
    """

    def __init__(self, inner: RetrieverProtocol, overfetch: int = OVERFETCH) -> None:
        self.inner = inner
        self.overfetch = overfetch
        self.exclude: frozenset[str] = frozenset()

    @property
    def lexical(self) -> object:
        """The inner retriever's lexical view (the answerability verdict reads its idf)."""
        return getattr(self.inner, "lexical", None)

    def retrieve(self, query: str, k: int = 5, filters: Filters | None = None) -> list[Retrieved]:
        """The inner retriever's top ``k`` passages once the excluded articles are dropped."""
        got = self.inner.retrieve(query, k + self.overfetch if self.exclude else k, filters)
        return [r for r in got if r.chunk.article_id not in self.exclude][:k]


@dataclass(frozen=True)
class NegativeSet:
    """Negative questions of one kind and how to ask them.

    Attributes:
        kind: ``"gold_removed"`` or ``"cross_set"``.
        questions: The questions (their gold says what to exclude, for gold-removed).
        source: The dataset the questions come from.
        left_out: Questions not asked because their answer is still in the index.
    """

    kind: str
    questions: tuple[Question, ...]
    source: str
    left_out: int = 0


def answer_elsewhere(question: Question, corpus: dict[str, str]) -> bool:
    """True when a gold answer of ``question`` occurs in a corpus text other than its gold's.

    Args:
        question: A paragraph-set question.
        corpus: ``{article id as indexed: normalised text}`` (:func:`normalised_corpus`).
    """
    golds = [f" {g} " for g in (normalize_answer(a) for a in question.answers) if g.strip()]
    gold_ids = set(question.gold_ids)
    return any(g in text for aid, text in corpus.items() if aid not in gold_ids for g in golds)


def normalised_corpus(dataset: Dataset) -> dict[str, str]:
    """``{article id as indexed: " normalised text "}`` of ``dataset``'s corpus records."""
    from ingest.readers import RawRecord

    return {
        r.record_id: f" {normalize_answer(r.text)} "
        for r in dataset.records()
        if isinstance(r, RawRecord) and r.record_id
    }


def negative_sets(
    dataset: str,
    questions: Sequence[Question],
    limit: int | None = None,
    corpus: dict[str, str] | None = None,
) -> list[NegativeSet]:
    """The negative sets of ``dataset`` (empty for MultiHop, which has its own null queries).

    Args:
        dataset: The evaluated dataset's name.
        questions: Its (possibly limited) questions: the gold-removed negatives reuse them.
        limit: Cross-set questions kept (the first N of the other set's DEV file); None for all.
        corpus: The dataset's :func:`normalised_corpus`; when given, gold-removed questions whose
            answer occurs elsewhere in it are left out (see the module docstring).

    Raises:
        DatasetError: the other set's files are missing or changed.
    """
    from evals.datasets import load_dataset

    out: list[NegativeSet] = []
    if dataset in GOLD_REMOVED_SETS:
        kept = tuple(
            q for q in questions if q.gold_ids and (corpus is None or not answer_elsewhere(q, corpus))
        )
        out.append(NegativeSet("gold_removed", kept, dataset, len(questions) - len(kept)))
    other = CROSS_SET.get(dataset)
    if other is not None:
        out.append(NegativeSet("cross_set", load_dataset(other, limit=limit).questions, other))
    return out


def excluding_chain(sanad: Sanad) -> tuple[SanadChain, ExcludingRetriever]:
    """A copy of ``sanad.chain`` (same embedder, caches, settings and chat model) whose retriever
    is an :class:`ExcludingRetriever` around ``sanad.retriever``."""
    retriever = ExcludingRetriever(sanad.retriever)
    chain = copy.copy(sanad.chain)
    chain.retriever = retriever
    return chain, retriever
