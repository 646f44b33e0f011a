"""Offline condensing of follow-up questions (rag.answer.chain.condense_offline)."""

from __future__ import annotations

import pytest

from rag.answer.chain import condense_offline, is_follow_up
from rag.types import Turn

HISTORY = [Turn("user", "على ماذا شكر بوتين كوريا الشمالية؟"), Turn("assistant", "…")]


@pytest.mark.parametrize(
    "question",
    ["What did Putin thank North Korea for?", "What is the population of Kessa today?"],
)
def test_a_standalone_what_question_is_not_a_follow_up(question: str) -> None:
    assert not is_follow_up(question)
    assert condense_offline(question, HISTORY) == question


@pytest.mark.parametrize(
    "question", ["What about Kim Jong Un then?", "And who did he meet there?", "وماذا قال عن العقوبات؟"]
)
def test_a_follow_up_borrows_the_previous_questions_words(question: str) -> None:
    assert is_follow_up(question)
    assert condense_offline(question, HISTORY) == f"شكر بوتين كوريا الشمالية {question}"
