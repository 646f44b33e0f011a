"""Hijri dates written in Arabic («١٥ رمضان ١٤٤٥ هـ») → Gregorian dates.

Many Gulf and religious outlets date their stories in the Hijri calendar only. The conversion
uses hijridate (Umm al-Qura calendar, the official calendar of Saudi Arabia, valid for
1343–1500 AH, i.e. 1924–2077); a day outside that range, or a day the month does not have
(30 in a 29-day month), gives no date rather than a wrong one. Month names are matched after
:func:`rag.text.normalize.fold` (hamza, alef and ya forms, Arabic-Indic digits), with the usual
variants: ربيع الأول/الآخر/الثاني, جمادى الأولى/الآخرة/الثانية, ذو/ذي القعدة, ذو/ذي الحجة.
"""

from __future__ import annotations

import re
from datetime import date

from rag.text.normalize import fold

_MONTHS_RAW: dict[int, tuple[str, ...]] = {
    1: ("محرم", "المحرم"),
    2: ("صفر",),
    3: ("ربيع الأول", "ربيع الاول", "ربيع أول"),
    4: ("ربيع الآخر", "ربيع الثاني", "ربيع ثاني", "ربيع آخر"),
    5: ("جمادى الأولى", "جمادى الأول", "جمادى الاولى"),
    6: ("جمادى الآخرة", "جمادى الثانية", "جمادى الآخر", "جمادى الثاني"),
    7: ("رجب",),
    8: ("شعبان",),
    9: ("رمضان",),
    10: ("شوال",),
    11: ("ذو القعدة", "ذي القعدة"),
    12: ("ذو الحجة", "ذي الحجة"),
}
_MONTHS = {fold(name): month for month, names in _MONTHS_RAW.items() for name in names}
_MONTH_ALT = "|".join(sorted((re.escape(m) for m in _MONTHS), key=len, reverse=True))
# day, month name, 4-digit year (the era mark is not part of it): digits are ASCII after fold.
HIJRI_PATTERN = re.compile(rf"(?<!\d)(\d{{1,2}})\s+({_MONTH_ALT})\s*،?\s*(\d{{4}})(?!\d)")
"""A Hijri date in :func:`rag.text.normalize.fold`-ed text (groups: day, month name, year)."""


MONTHS_EN = (
    *("Muharram", "Safar", "Rabi al-Awwal", "Rabi al-Thani", "Jumada al-Ula", "Jumada al-Akhirah"),
    *("Rajab", "Shaban", "Ramadan", "Shawwal", "Dhu al-Qadah", "Dhu al-Hijjah"),
)
"""English names of the Hijri months, 1–12 (the usual simplified romanisation)."""


def month_of(match: re.Match[str]) -> int:
    """The month number (1–12) of a :data:`HIJRI_PATTERN` match."""
    return _MONTHS[match.group(2)]


def hijri_of(match: re.Match[str]) -> date | None:
    """The Gregorian date of a :data:`HIJRI_PATTERN` match, or None when the day does not exist
    or is outside 1343–1500 AH."""
    from hijridate import Hijri

    day, month, year = int(match.group(1)), month_of(match), int(match.group(3))
    try:
        return date(*Hijri(year, month, day).to_gregorian().datetuple())
    except (ValueError, OverflowError):
        return None


def hijri_date(text: str) -> date | None:
    """The Gregorian date of the first Hijri date written in ``text``, or None.

    Args:
        text: Text such as "١٥ رمضان ١٤٤٥ هـ" or "الرياض، 1 شوال 1445".

    Returns:
        The Gregorian date (e.g. 2024-03-25 for 15 Ramadan 1445), or None when there is no
        Hijri date, or it is impossible or outside 1343–1500 AH.
    """
    match = HIJRI_PATTERN.search(re.sub(r"\s+", " ", fold(text)))
    return None if match is None else hijri_of(match)
