"""Answers that quote passages in another language than the question (issue #14).

An English reader asking about Arabic news gets Arabic quotes (quotes are always verbatim), so the
answer says so in the reader's language, and a short answer that is a number or a date is also
given in the reader's digits and month names: «١٢ يناير ٢٠٢٤» → "12 January 2024". Only that is
transliterated, because only that is deterministic (a digit has one value, a Gregorian month one
name); names are shown in their original script, as quoted.
"""

from __future__ import annotations

import dataclasses
import re

from rag.answer.grounding import join_notices
from rag.text.hijri import HIJRI_PATTERN, hijri_of, month_of
from rag.text.hijri import MONTHS_EN as HIJRI_MONTHS_EN
from rag.text.language import language_name
from rag.text.normalize import fold
from rag.types import Answer

_ARABIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"
_PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"
_TO_WESTERN = str.maketrans(_ARABIC_DIGITS + _PERSIAN_DIGITS + "٫٬", "0123456789" * 2 + ".,")
_TO_ARABIC = str.maketrans("0123456789", _ARABIC_DIGITS)

_MONTHS_EN = [
    *("January", "February", "March", "April", "May", "June"),
    *("July", "August", "September", "October", "November", "December"),
]
# Egyptian/Gulf names, then Levantine/Iraqi names of the Gregorian months (both are in use).
_MONTHS_AR = [
    *("يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو"),
    *("يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر"),
]
_MONTHS_LEVANT = (
    "كانون الثاني",
    "شباط",
    "آذار",
    "نيسان",
    "أيار",
    "حزيران",
    "تموز",
    "آب",
    "أيلول",
    "تشرين الأول",
    "تشرين الثاني",
    "كانون الأول",
)
_AR_TO_EN = {name: _MONTHS_EN[i % 12] for i, name in enumerate((*_MONTHS_AR, *_MONTHS_LEVANT))}
_AR_TO_EN.update({"إبريل": "April", "ابريل": "April", "اغسطس": "August", "اكتوبر": "October"})
_AR_MONTH = re.compile("|".join(sorted(map(re.escape, _AR_TO_EN), key=len, reverse=True)))
_EN_MONTH = re.compile(r"\b(" + "|".join(_MONTHS_EN) + r")\b", re.IGNORECASE)
_DIGIT = re.compile(r"\d")

_NOTICES = {
    "en": "The quoted passages are in {langs}; quotes are shown as written.",
    "ar": "المقاطع المقتبسة باللغة {langs}؛ تُعرض الاقتباسات كما وردت.",
}
_SOME_NOTICES = {
    "en": "Some quoted passages are in {langs}; quotes are shown as written.",
    "ar": "بعض المقاطع المقتبسة باللغة {langs}؛ تُعرض الاقتباسات كما وردت.",
}
_LANGUAGE_NAMES_AR = {
    "en": "الإنجليزية",
    "ar": "العربية",
    "fr": "الفرنسية",
    "es": "الإسبانية",
    "de": "الألمانية",
}


def _primary(code: str | None) -> str:
    return (code or "").split("-")[0].lower()


def passage_languages(answer: Answer) -> list[str]:
    """Languages of the cited passages that differ from the answer's (question's) language, sorted;
    undetermined ones ("und", "") are left out."""
    asked = _primary(answer.language)
    found = {_primary(c.chunk.language) for c in answer.citations}
    return sorted(found - {asked, "und", ""})


def other_language_notice(answer: Answer) -> str | None:
    """One line in the question's language saying the quotes are in another language, or None.

    English for any question language without its own sentence (as the abstention texts do).
    When some cited passages are in the question's language, it says "Some quoted passages …":
    an Arabic answer quoting two Arabic articles and one English one was told its quotes were in
    English (newcomer check, session 4).
    """
    langs = passage_languages(answer)
    if not langs:
        return None
    asked = _primary(answer.language)
    some = any(_primary(c.chunk.language) in (asked, "und", "") for c in answer.citations)
    notices = _SOME_NOTICES if some else _NOTICES
    if asked == "ar":
        names = " و".join(_LANGUAGE_NAMES_AR.get(code, language_name(code)) for code in langs)
        return notices["ar"].format(langs=names)
    return notices["en"].format(langs=" and ".join(language_name(code) for code in langs))


# Closed word lists that have one rendering in the other language: scale words, currencies, units.
# A short answer is glossed only when every word of it is a number, a month or one of these;
# "12,400 people" → "١٢,٤٠٠ people" helped no one (newcomer check, session 6).
_AR_WORDS_RAW: dict[str, tuple[str, ...]] = {
    "billion": ("مليار", "مليارات", "بليون"),
    "million": ("مليون", "ملايين"),
    "thousand": ("ألف", "آلاف"),
    "dollars": ("دولار", "دولارا", "دولارات"),
    "euros": ("يورو",),
    "dinars": ("دينار", "دينارا", "دنانير"),
    "riyals": ("ريال", "ريالا", "ريالات"),
    "pounds": ("جنيه", "جنيها", "جنيهات"),
    "dirhams": ("درهم", "دراهم"),
    "lira": ("ليرة", "ليرات"),
    "piastres": ("قرش", "قرشا", "قروش"),
    "kilometres": ("كيلومتر", "كيلومترا", "كيلومترات", "كم"),
    "metres": ("متر", "مترا", "أمتار"),
    "millimetres": ("ملم", "مليمتر", "مليمترا"),
    "hectares": ("هكتار", "هكتارا", "هكتارات"),
    "tonnes": ("طن", "طنا", "أطنان"),
    "percent": ("بالمئة", "بالمائة"),
    "AH": ("هـ",),
}
_AR_WORDS = {fold(w): en for en, words in _AR_WORDS_RAW.items() for w in words}
_EN_WORDS = {
    "billion": "مليار",
    "million": "مليون",
    "thousand": "ألف",
    "dollars": "دولار",
    "dollar": "دولار",
    "euros": "يورو",
    "euro": "يورو",
    "percent": "بالمئة",
    "kilometres": "كيلومتر",
    "kilometers": "كيلومتر",
    "km": "كم",
    "metres": "متر",
    "meters": "متر",
    "tonnes": "طن",
    "tons": "طن",
    "hectares": "هكتار",
}
_WORD = re.compile(r"[^\W\d_]+")
_ARABIC_LETTER = re.compile(r"[\u0600-\u06FF]")
_LATIN_LETTER = re.compile(r"[A-Za-z]")


def transliterate(text: str, language: str) -> str | None:
    """``text`` in the conventions of ``language``, when that is deterministic.

    English (and any non-Arabic language): Arabic-Indic and Persian digits → 0–9, «٫» → ".",
    «٬» → ","; Gregorian month names (Egyptian and Levantine) → English; a Hijri date → its
    English month name and "AH" with the Gregorian day after it («٩ ذو الحجة ١٤٤٦ هـ» → "9 Dhu
    al-Hijjah 1446 AH (5 June 2025)", Umm al-Qura calendar, :mod:`rag.text.hijri`); scale words,
    currencies and units from a closed list («٢٫١ مليار دولار» → "2.1 billion dollars"). Arabic:
    0–9 → Arabic-Indic digits, English month names, scale words and currencies → Arabic.

    Args:
        text: A short answer (a number, a date, a quantity).
        language: BCP 47 code of the reader.

    Returns:
        The transliterated text, or None when it has no digit, would not change, or would keep a
        word of the other script (no half-translated gloss).
    """
    if not _DIGIT.search(text):
        return None
    if _primary(language) == "ar":
        out = _EN_MONTH.sub(lambda m: _MONTHS_AR[_month_index(m.group(1))], text)
        out = _WORD.sub(lambda m: _EN_WORDS.get(m.group(0).lower(), m.group(0)), out.replace("$", ""))
        if "$" in text and "دولار" not in out:
            out += " دولار"
        out = _SEPARATORS.sub(lambda m: "٫" if m.group(1) == "." else "٬", out).translate(_TO_ARABIC)
        leftover = _LATIN_LETTER.search(out)
    else:
        hijri = _hijri_in_english(text)
        if hijri is not None:
            return hijri
        out = _AR_MONTH.sub(lambda m: _AR_TO_EN[m.group(0)], _MARKS.sub("", text)).translate(_TO_WESTERN)
        out = _WORD.sub(lambda m: _AR_WORDS.get(_bare(m.group(0)), m.group(0)), out)
        out = re.sub(r"\s*[%٪]", " percent", out)
        leftover = _ARABIC_LETTER.search(out)
    if leftover is not None or out == text:
        return None
    return re.sub(r"\s+", " ", out).strip()


_MARKS = re.compile(r"[\u064B-\u0652\u0670\u0640]")
_SEPARATORS = re.compile(r"(?<=\d)([.,])(?=\d)")


def _bare(word: str) -> str:
    """An Arabic word as the closed list keys it: without marks («قرشاً» → «قرشا»), folded, without
    «ال» or a clitic «ب»/«و»."""
    w = fold(_MARKS.sub("", word))
    for prefix in ("وال", "بال", "ال", "و"):
        if w.startswith(prefix) and fold(w[len(prefix) :]) in _AR_WORDS:
            return fold(w[len(prefix) :])
    return w


def _hijri_in_english(text: str) -> str | None:
    """A Hijri date as "9 Dhu al-Hijjah 1446 AH (5 June 2025)", or None when ``text`` holds none."""
    match = HIJRI_PATTERN.search(re.sub(r"\s+", " ", fold(text)))
    if match is None:
        return None
    hijri = f"{int(match.group(1))} {HIJRI_MONTHS_EN[month_of(match) - 1]} {match.group(3)} AH"
    day = hijri_of(match)
    return hijri if day is None else f"{hijri} ({day.day} {_MONTHS_EN[day.month - 1]} {day.year})"


def _month_index(name: str) -> int:
    return [m.lower() for m in _MONTHS_EN].index(name.lower())


def with_cross_language_notes(answer: Answer) -> Answer:
    """``answer`` with the other-language notice appended to its notice and, for a number or date
    short answer from such a passage, the transliteration in ``ShortAnswer.transliteration``.
    Unchanged when every cited passage is in the question's language."""
    notice = other_language_notice(answer)
    if notice is None:
        return answer
    short = answer.short_answer
    text = answer.text
    source = next((c for c in answer.citations if short and c.number == short.citation), None)
    foreign = source is not None and _primary(source.chunk.language) in passage_languages(answer)
    if short is not None and foreign and short.transliteration is None:
        translit = transliterate(short.text, answer.language)
        if translit is not None:
            short = dataclasses.replace(short, transliteration=translit)
            # the answer line "«span» [n]" shows it too, so every surface does
            lead = f"{short.text} [{short.citation}]"
            text = text.replace(lead, f"{short.text} ({translit}) [{short.citation}]", 1)
    merged = join_notices(answer.notice, notice)
    return dataclasses.replace(answer, text=text, notice=merged, short_answer=short)
