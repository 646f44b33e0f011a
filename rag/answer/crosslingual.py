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
from rag.text.language import language_name
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


def transliterate(text: str, language: str) -> str | None:
    """``text`` with its digits and Gregorian month names in the conventions of ``language``.

    English (and any non-Arabic language): Arabic-Indic and Persian digits → 0–9, «٫» → ".",
    «٬» → ",", Arabic month names (Egyptian and Levantine) → English. Arabic: 0–9 →
    Arabic-Indic digits, English month names → «يناير» …

    Args:
        text: A short answer (a number, a date, a quantity).
        language: BCP 47 code of the reader.

    Returns:
        The transliterated text, or None when it has no digit (nothing deterministic to do) or
        would not change.
    """
    if not _DIGIT.search(text):
        return None
    if _primary(language) == "ar":
        out = _EN_MONTH.sub(lambda m: _MONTHS_AR[_month_index(m.group(1))], text).translate(_TO_ARABIC)
    else:
        out = _AR_MONTH.sub(lambda m: _AR_TO_EN[m.group(0)], text).translate(_TO_WESTERN)
    return out if out != text else None


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
