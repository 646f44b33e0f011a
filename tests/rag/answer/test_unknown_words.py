"""Questions whose every word is unknown to the collection abstain (newcomer check, session 7)."""

from __future__ import annotations

import pytest

from rag.answer.answerability import unknown_words
from rag.answer.grounding import GroundingPolicy, should_abstain
from rag.retrieval.lexical import LexicalDoc, LexicalIndex
from rag.types import Chunk, Retrieved

EN = "The former CEO of FTX was convicted of fraud by a jury in New York on Thursday."
AR = "شكر الرئيس الروسي فلاديمير بوتين كوريا الشمالية على دعم تصرفاتها في أوكرانيا."


def _index(*docs: tuple[str, str]) -> LexicalIndex:
    return LexicalIndex.build(LexicalDoc(f"c{i}", text, lang) for i, (text, lang) in enumerate(docs))


BOTH = _index((EN, "en"), (AR, "ar"))
ARABIC_ONLY = _index((AR, "ar"))


@pytest.mark.parametrize(
    "question",
    ["asdkjh qwe zxcv", "qwxz plmk vbnr", "hello", "ش" * 3999, "ببببب ججججج؟"],
)
def test_words_the_collection_never_holds_abstain(question: str) -> None:
    assert unknown_words(question, BOTH)


@pytest.mark.parametrize(
    "question",
    [
        "Who was convicted?",  # one known word is enough
        "Who was the FTX boss?",
        "ماذا قال بوتين؟",
        "What is it?",  # stop words only: no token, nothing to judge
        # a sentence of a language whose content words only the other script holds
        "How many spectators attended the Wehdat Faisaly match?",
    ],
)
def test_a_known_word_or_no_word_to_judge_answers(question: str) -> None:
    assert not unknown_words(question, BOTH)


def test_a_collection_in_another_script_is_not_judged() -> None:
    """An English question over Arabic news shares no word with it by nature."""
    assert not unknown_words("What did the Russian president thank North Korea for?", ARABIC_ONLY)
    assert unknown_words("ببببب ججججج", ARABIC_ONLY)


def test_grounding_abstains_before_any_other_evidence() -> None:
    chunk = Chunk("c0", "a0", 0, EN, 0, len(EN), "FTX", "test", None, "2023-11-03", "en", "")
    passages = [Retrieved(chunk=chunk, score=1.0, dense_rank=0, dense_score=0.95)]
    policy = GroundingPolicy(dense_threshold=0.8)
    assert should_abstain(passages, policy, query="qwxz plmk vbnr", language="en", stats=BOTH)
    assert not should_abstain(
        passages, policy, query="Who was convicted of fraud?", language="en", stats=BOTH
    )
