"""rag.answer.crosslingual: the other-language notice and deterministic transliteration of spans."""

from __future__ import annotations

from rag.answer.crosslingual import other_language_notice, transliterate, with_cross_language_notes
from rag.types import Answer, Chunk, Citation, ShortAnswer


def _chunk(language: str, text: str) -> Chunk:
    return Chunk("a:0", "a", 0, text, 0, len(text), "A", "test", None, None, language, "")


def _answer(question_language: str, passage_language: str, short: str | None) -> Answer:
    text = "افتتح الجسر في ١٢ يناير ٢٠٢٤." if passage_language == "ar" else "It opened on 12 January 2024."
    citation = Citation(1, _chunk(passage_language, text), text)
    return Answer(
        text=f"{short or ''} [1]",
        citations=(citation,),
        abstained=False,
        language=question_language,
        short_answer=ShortAnswer(short, 1, "date") if short else None,
    )


def test_transliterate_digits_and_months_to_the_readers_conventions() -> None:
    assert transliterate("١٢ يناير ٢٠٢٤", "en") == "12 January 2024"
    assert transliterate("١٢ كانون الثاني ٢٠٢٤", "en") == "12 January 2024"
    assert transliterate("٣٫٥ مليون", "en") == "3.5 million"
    assert transliterate("12 January 2024", "ar") == "١٢ يناير ٢٠٢٤"
    assert transliterate("شميت", "en") is None  # names: nothing deterministic
    assert transliterate("2024", "en") is None  # already in the reader's digits


def test_scale_words_currencies_and_units_from_a_closed_list() -> None:
    assert transliterate("٢٫١ مليار دولار", "en") == "2.1 billion dollars"
    assert transliterate("٨٥ قرشاً", "en") == "85 piastres"  # marks and case endings read through
    assert transliterate("٤٥٪", "en") == "45 percent"
    assert transliterate("$22.6 billion", "ar") == "٢٢٫٦ مليار دولار"


def test_no_half_translated_gloss() -> None:
    # a word outside the closed lists stays in its script, so no gloss at all
    assert transliterate("12,400 people", "ar") is None
    assert transliterate("٣٧ عائلة", "en") is None


def test_a_hijri_date_gets_its_month_in_english_and_the_gregorian_day() -> None:
    assert transliterate("٩ ذو الحجة ١٤٤٦ هـ", "en") == "9 Dhu al-Hijjah 1446 AH (5 June 2025)"
    assert transliterate("٣٠ صفر ١٥٠٢", "en") == "30 Safar 1502 AH"  # outside Umm al-Qura: no day


def test_notice_in_the_askers_language() -> None:
    en = other_language_notice(_answer("en", "ar", None))
    assert en is not None and "Arabic" in en
    ar = other_language_notice(_answer("ar", "en", None))
    assert ar is not None and "الإنجليزية" in ar
    assert other_language_notice(_answer("ar", "ar", None)) is None


def test_notice_says_some_when_only_some_quotes_are_in_another_language() -> None:
    mixed = _answer("ar", "ar", None)
    english = "It opened on 12 January 2024."
    mixed = Answer(
        text=mixed.text,
        citations=(*mixed.citations, Citation(2, _chunk("en", english), english)),
        abstained=False,
        language="ar",
    )
    notice = other_language_notice(mixed)
    assert notice is not None and notice.startswith("بعض المقاطع") and "الإنجليزية" in notice
    whole = other_language_notice(_answer("ar", "en", None))
    assert whole is not None and whole.startswith("المقاطع")


def test_short_answer_from_a_foreign_passage_gets_its_transliteration() -> None:
    answer = with_cross_language_notes(_answer("en", "ar", "١٢ يناير ٢٠٢٤"))
    assert answer.short_answer is not None
    assert answer.short_answer.text == "١٢ يناير ٢٠٢٤"  # the original script stays
    assert answer.short_answer.transliteration == "12 January 2024"
    assert answer.text.startswith("١٢ يناير ٢٠٢٤ (12 January 2024) [1]")  # every surface shows it
    assert answer.notice and "Arabic" in answer.notice
    same = _answer("ar", "ar", "١٢ يناير ٢٠٢٤")
    assert with_cross_language_notes(same) == same


def test_notices_join_as_sentences() -> None:
    from rag.answer.grounding import join_notices

    lead = "No LLM is configured, so here are the most relevant passages from the articles:"
    joined = join_notices(lead, "The quoted passages are in Arabic.")
    assert joined == (
        "No LLM is configured, so here are the most relevant passages from the articles. "
        "The quoted passages are in Arabic."
    )
    assert join_notices(None, "  ") is None
