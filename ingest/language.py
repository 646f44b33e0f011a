"""Language detection and title guessing for articles that do not say, and the check of a
language they do say."""

from __future__ import annotations

import functools
import re
from dataclasses import replace

from ingest.readers import RawRecord, ReadProblem
from rag.text.language import detect_language as _detect
from rag.text.language import is_arabic_char

_LANGUAGE_CODE = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*")
"""A BCP 47 tag's shape as feeds write it: a 2–3 letter primary language ("ar", "en", "und"),
then subtags ("en-GB", "zh-Hant", "ar_JO")."""


@functools.cache
def _primary_languages() -> frozenset[str]:
    """The primary language subtags CLDR names (Babel's English names: ~600 codes, "ar", "en",
    "fil", "ckb"…), with "und"; BCP 47 takes the 2-letter code where there is one ("ar", not
    "ara")."""
    from babel import Locale

    return frozenset(c for c in Locale("en").languages if isinstance(c, str) and "_" not in c) | {"und"}


def is_language_code(tag: str) -> bool:
    """True when ``tag`` has a BCP 47 tag's shape and a primary language CLDR knows ("ar",
    "en-GB", "ar_JO"); False for "klingon", "Arabic", "xx" or "eng"."""
    if not _LANGUAGE_CODE.fullmatch(tag):
        return False
    return re.split("[-_]", tag, maxsplit=1)[0].lower() in _primary_languages()


_TITLE_END_PUNCTUATION = (".", "…", ":", ",", "،", ";", "؛")


def detect_language(text: str) -> str:
    """The article's BCP 47 language code ("und" when undeterminable); see rag.language."""
    return _detect(text, undetermined="und")


def guess_title(text: str, max_chars: int = 120) -> str | None:
    """Guess a title from the first line of an article.

    Rule: the first non-empty line (stripped) is the title when it is at most ``max_chars``
    characters, contains a letter, does not end like a sentence or a lead-in ("." "…" ":" ","
    "،" ";" "؛"; headlines may end with "?", "؟" or "!"), and is not the only line of the text.

    Args:
        text: Cleaned article text.
        max_chars: Longest acceptable title, in characters.

    Returns:
        The title, or None when the first line does not look like one.
    """
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) < 2:
        return None
    first = lines[0]
    if len(first) > max_chars or not any(ch.isalpha() for ch in first):
        return None
    if first.endswith(_TITLE_END_PUNCTUATION):
        return None
    return first


def _script_mismatch(tag: str, text: str) -> str | None:
    """Why ``tag`` cannot be the language of ``text``, judged by script alone, else None.

    Only the sure cases: an Arabic text (:func:`rag.text.language.detect_language` says "ar")
    labelled another language ("lang: en" on an Arabic body, nc8 report D10), and a text of at
    least 8 letters without a single Arabic letter labelled "ar". The raw text may hold markup,
    whose ASCII letters only make an Arabic text look less Arabic.
    """
    sample = text[:2000]
    arabic = any(is_arabic_char(ch) for ch in sample)
    if tag.split("-")[0].split("_")[0].lower() == "ar":
        letters = sum(ch.isalpha() for ch in sample)
        return "the text has no Arabic letter" if not arabic and letters >= 8 else None
    return "the text is Arabic" if arabic and _detect(text, undetermined="und") == "ar" else None


def checked_language(record: RawRecord) -> tuple[RawRecord, ReadProblem | None]:
    """``record`` with its language kept only when it is a language code (:func:`is_language_code`)
    that its script allows (:func:`_script_mismatch`).

    A value such as "klingon" or "Arabic" was stored as given and then shown in stats, the UI's
    filters and answer notices, and "en" on an Arabic body was kept (nc8 report, D10); such a
    value is dropped with a warning, and the pipeline detects the language from the text instead.

    Returns:
        The record (``language`` None when dropped) and a warning naming its origin, or None.
    """
    given = (record.language or "").strip()
    if not given:
        return record, None
    shown = given if len(given) <= 40 else given[:37] + "..."
    if not is_language_code(given):
        why = f"is not a language code: {shown!r}"
    else:
        mismatch = _script_mismatch(given, record.text)
        if mismatch is None:
            return record, None
        why = f"is {shown!r} but {mismatch}"
    reason = f"field 'language' {why}; detected from the text instead"
    return replace(record, language=None), ReadProblem(record.origin, reason, "warning")
