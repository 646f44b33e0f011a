"""Publication dates that cannot be right: checked once for every reader, before cleaning.

A date that is not a day at all ("2024-02-30", "next week"), more than a day after now (UTC),
before 1800, or a system's zero date (1900-01-01 of Excel and SQL Server, 1970-01-01 00:00 of a
Unix timestamp 0) is almost always a parsing or data error. The article is stored **undated**
and a warning names the record and the field. Why undated rather than kept and flagged: a date
steers answers (``date_boost`` ranks recent articles first, "the latest on …" and ``--since``
filter by it), so a story dated 2099 would top every "latest" question for decades, and a
newsroom would rather see it as undated (and fix the feed, told by the warning) than as news
from the future. Plausible old dates (an archive's 1923 story) pass untouched.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

from ingest.readers import RawRecord, ReadProblem

MAX_AHEAD = timedelta(days=1)
"""How far after now a date may be: time zones put a story up to 14 h ahead of UTC (Kiribati),
and a date-only value is read as 00:00 UTC of that day."""

EARLIEST_YEAR = 1800
"""Earlier years are placeholders ("0001-01-01", the zero time of Go and .NET) or misreadings."""

ZERO_DATES = {
    date(1900, 1, 1): "the zero date of Excel and SQL Server",
    date(1970, 1, 1): "the Unix epoch (a timestamp of 0)",
}
"""Days a system writes when it has no date, suspect only at midnight (or without a time)."""

HIJRI_YEARS = range(1343, 1501)
"""Hijri years of 1924–2077 (the Umm al-Qura tables, :mod:`rag.text.hijri`): read as a Gregorian
year, "1445-09-15" is a Hijri date written in ISO form."""


def date_problem(value: str, now: datetime) -> str | None:
    """Why ``value`` cannot be an article's publication date, or None when it is plausible.

    Args:
        value: The date as :func:`ingest.decoding.normalize_date` gave it (ISO 8601 when it
            understood it, else the text as written).
        now: The current time, timezone-aware.

    Returns:
        A phrase that follows "field 'date' …", e.g. "is 2099-01-01, in the future (…)".
    """
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return (
            f"is not a date: {value!r} (write ISO 8601 such as 2024-04-01T09:30:00+03:00, "
            "RFC 2822, or a Hijri date such as ١٥ رمضان ١٤٤٥ هـ)"
        )
    day = parsed.date()
    if day.year < EARLIEST_YEAR:
        hint = (
            " (a Hijri date written as YYYY-MM-DD? write the month's name: ١٥ رمضان ١٤٤٥ هـ)"
            if day.year in HIJRI_YEARS
            else ""
        )
        return f"is {value}, before {EARLIEST_YEAR}: a placeholder or a misread date{hint}"
    if day in ZERO_DATES and parsed.time() == time(0):
        return f"is {value}, {ZERO_DATES[day]}: a placeholder for 'no date'"
    moment = parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
    if moment - now > MAX_AHEAD:
        return f"is {value}, in the future (more than a day after {now.astimezone(UTC):%Y-%m-%d %H:%M} UTC)"
    return None


def checked_date(record: RawRecord, now: datetime) -> tuple[RawRecord, ReadProblem | None]:
    """``record`` undated when its date cannot be right, with a warning naming where and why.

    Args:
        record: What a reader returned.
        now: The current time, timezone-aware (one value for a whole run).

    Returns:
        The record (``published_at`` None when it was dropped) and a warning or None.
    """
    if not record.published_at:
        return record, None
    problem = date_problem(record.published_at, now)
    if problem is None:
        return record, None
    reason = f"field {record.date_field!r} {problem}; ingested as undated"
    return replace(record, published_at=None), ReadProblem(record.origin, reason, "warning")
