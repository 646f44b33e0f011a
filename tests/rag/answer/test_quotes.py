"""Quote selection: which sentences are quoted and which copies are listed (rag.answer.quotes).

Every article here is invented for the test.
"""

from __future__ import annotations

from rag.answer.quotes import ScoredSentence, select_quotes
from rag.text.sentences import content_keys, sentence_spans
from rag.types import Retrieved
from tests.rag.answer.conftest import make_chunk

RATE_A = (
    "The central bank raised its key interest rate by a quarter point on Tuesday, its third rise this year. "
    "Consumer prices rose 8 % in May from a year earlier, the statistics office said."
)
QUESTION = "What did the central bank do, and how much did consumer prices rise in May?"


def _scored(passages: list[Retrieved], scores: dict[tuple[int, int], float]) -> list[ScoredSentence]:
    out = []
    for p, r in enumerate(passages):
        for i, (a, b) in enumerate(sentence_spans(r.chunk.text)):
            out.append(ScoredSentence(scores[(p, i)], p, a, b, r.chunk.text[a:b]))
    return sorted(out, key=lambda s: -s.score)


def _passages(*texts: str) -> list[Retrieved]:
    return [
        Retrieved(make_chunk(i, t, title="Central bank raises rates"), score=0.5) for i, t in enumerate(texts)
    ]


# the copy's first sentence ranks second: it is seen, and recorded as a copy, before the slots fill
SCORES = {(0, 0): 1.0, (1, 0): 0.99, (0, 1): 0.9, (1, 1): 0.5}


def test_a_wire_copy_carrying_every_quoted_sentence_is_listed() -> None:
    passages = _passages(RATE_A, RATE_A.replace("Tuesday,", "Tuesday ,"))
    picked, copies = select_quotes(_scored(passages, SCORES), passages, "other", content_keys(QUESTION))
    assert [p.passage for p in picked] == [0, 0]
    assert [r.article_id for r in copies[0]] == ["a1"]


def test_a_copy_that_changed_another_quoted_figure_is_not_listed() -> None:
    passages = _passages(RATE_A, RATE_A.replace("rose 8 %", "rose 12 %"))
    picked, copies = select_quotes(_scored(passages, SCORES), passages, "other", content_keys(QUESTION))
    quoted = [p.text for p in picked]
    assert any("8 %" in q for q in quoted) and picked[0].passage == 0
    # a1 carries the first sentence word for word but printed 12 %, not the 8 % quoted from a0
    assert all(r.article_id != "a1" for refs in copies.values() for r in refs)
    assert any("12 %" in q for q in quoted)  # it is its own source instead
