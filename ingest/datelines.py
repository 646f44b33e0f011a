"""The date of a news dateline («إربد، 12 مارس 2024 — كتبت: …», "BERLIN, September 29, 2024 — By …").

A plain-text or Markdown article without a date field is dated by its dateline: a line among the
first :data:`DATELINE_LINES` non-blank lines that holds, in this order, an optional place (at most
:data:`MAX_PLACE_WORDS` words, no digits, e.g. a city, "BERLIN (Reuters)" or a weekday), a date,
and then nothing, a dash, a bar, a bracket or a colon (a byline, an agency, the story). The date
is Gregorian ("September 29, 2024", "29 Sept. 2024", "12 مارس 2024", "١٢ آذار ٢٠٢٤م") or Hijri
("٢٠ شوال ١٤٤٥ هـ", converted by :mod:`rag.text.hijri`). A date inside a sentence ("وفي ١٥ رمضان
١٤٤٥ هـ بدأت الحملة", "The council met on May 2, 2024 to …") is what the story is about, not
when it was published, and is not read: the text after the date must end the dateline.

Month names come from Babel's CLDR data, not a table of our own: English (wide and abbreviated,
plus "Sept"), Egyptian/Gulf Arabic (يناير…), Levantine and Iraqi (كانون الثاني، آذار…), Moroccan
(ماي، يوليوز، غشت…) and Algerian/Tunisian (جانفي، فيفري…). The date found goes through the same
checks as any other (:mod:`ingest.dates`: an impossible or future day leaves the article undated).
"""

from __future__ import annotations

import re
from datetime import date
from functools import cache

from rag.text.hijri import HIJRI_PATTERN, hijri_of
from rag.text.normalize import fold

DATELINE_LINES = 3
"""Non-blank lines read from the top: a headline and a byline may come before the dateline."""

MAX_LINE_CHARS = 200
"""Only the start of each line is read (a dateline is short; the rest is the story)."""

MAX_PLACE_WORDS = 5
"""Words before the date: a city ("ABU DHABI"), an agency ("(Reuters)"), a weekday."""

MONTH_LOCALES = ("en", "ar", "ar_SY", "ar_MA", "ar_TN")
"""CLDR locales whose Gregorian month names are read (the other Arabic locales repeat these)."""

# What may follow the date: an era mark (م / AD / CE), or the Hijri one (هـ, للهجرة, folded),
# then the end of the line, a dash, bar, bracket or colon, or «الموافق» (a second, Gregorian,
# date of the same day).
_AFTER = re.compile(r"\A\s*(?:م|ه|للهجره|ad|ce)?\.?\s*(?:\Z|[-–—|(\[/:]|الموافق)")
_PLACE = re.compile(rf"\A(?:[(\[]?[^\W\d_][^\s\d]*\s*){{0,{MAX_PLACE_WORDS}}}\Z")


@cache
def _months() -> dict[str, int]:
    """Folded month name → month number (1–12), from Babel's CLDR data."""
    from babel.dates import get_month_names

    names: dict[str, int] = {"sept": 9}
    for locale in MONTH_LOCALES:
        for width in ("wide", "abbreviated"):
            for month, name in get_month_names(width, locale=locale).items():
                names[fold(name)] = int(month)
    return names


@cache
def _gregorian_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(day month year, month day year) over folded text."""
    alt = "|".join(sorted((re.escape(m) for m in _months()), key=len, reverse=True))
    day_first = re.compile(
        rf"(?<![\w])(?P<day>\d{{1,2}})\s+(?P<month>{alt})\.?\s*,?\s*(?P<year>\d{{4}})(?!\d)"
    )
    month_first = re.compile(
        rf"(?<![\w])(?P<month>{alt})\.?\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s*,?\s*(?P<year>\d{{4}})(?!\d)"
    )
    return day_first, month_first


def _gregorian(match: re.Match[str]) -> date | None:
    try:
        return date(int(match.group("year")), _months()[match.group("month")], int(match.group("day")))
    except ValueError:  # 30 February: no date rather than a wrong one
        return None


def _line_date(line: str) -> str | None:
    """The ISO date of ``line`` when it is a dateline (place, date, then its end or a dash…); the
    date as written (folded) when that day does not exist, for :mod:`ingest.dates` to warn."""
    folded = re.sub(r"\s+", " ", fold(line[:MAX_LINE_CHARS])).strip()
    day_first, month_first = _gregorian_patterns()
    found: list[tuple[re.Match[str], date | None]] = []
    for pattern in (day_first, month_first):
        found += [(m, _gregorian(m)) for m in pattern.finditer(folded)]
    found += [(m, hijri_of(m)) for m in HIJRI_PATTERN.finditer(folded)]
    for match, day in sorted(found, key=lambda item: item[0].start()):
        place = folded[: match.start()].strip(" ,،-–—:|")
        if _PLACE.match(place) and _AFTER.match(folded[match.end() :]):
            return day.isoformat() if day else match.group(0)
        return None  # only the first date of a line can be its dateline
    return None


def dateline_date(text: str) -> str | None:
    """The ISO date of an article's dateline, or None when it has none.

    Args:
        text: The article body (after front matter and a Markdown title).

    Returns:
        E.g. "2024-09-29" for "BERLIN, September 29, 2024 — By Anna Keller", "2024-04-29" for
        «جدة، ٢٠ شوال ١٤٤٥ هـ — …» on the second line after a headline; the date as written
        (folded, e.g. "february 30, 2024") when that day does not exist, so that
        :func:`ingest.dates.checked_date` warns; None when none of the first
        :data:`DATELINE_LINES` non-blank lines is a dateline.
    """
    lines = [line for line in text.lstrip("\ufeff").splitlines()[:20] if line.strip()]
    for line in lines[:DATELINE_LINES]:
        day = _line_date(line)
        if day is not None:
            return day
    return None
