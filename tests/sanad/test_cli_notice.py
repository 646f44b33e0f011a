"""`sanad ask` prints the notice sentences the answer text does not already say, once."""

from __future__ import annotations

from sanad.cli import _unsaid


def test_only_the_notice_sentences_not_in_the_answer_are_printed() -> None:
    text = "No LLM is configured, so here are the most relevant passages from the articles:\n\n…"
    notice = (
        "No LLM is configured, so here are the most relevant passages from the articles. "
        "The quoted passages are in Arabic; quotes are shown as written."
    )
    assert _unsaid(notice, text) == "The quoted passages are in Arabic; quotes are shown as written."


def test_a_notice_the_text_already_holds_prints_nothing() -> None:
    assert _unsaid("Answered from 2 articles.", "Answered from 2 articles. [1]") == ""
    assert _unsaid(None, "text") == ""
    assert _unsaid("لم أجد ذلك في المقالات؟ جرّب كلمات أخرى.", "لم أجد ذلك في المقالات") == "جرّب كلمات أخرى."
