"""Time relative to now in questions: "yesterday", «الأسبوع الماضي», "the latest on …".

A news question often says *when* without a date: "what happened yesterday in Irbid?",
«ماذا حدث أمس في …», "last month", "in the past 3 days". :func:`read_when` turns such a phrase
into a window of calendar days relative to a reference day (today, or ``as_of`` for archives and
tests: ``SANAD_RETRIEVAL__AS_OF`` / ``--as-of``), and recognises "latest" questions, which rank
newer articles first among the relevant ones. :func:`retrieve_when` applies both around any
retriever, and :func:`when_notice` says in the answer which dates were used.

Rules (phrases matched on :func:`rag.text.normalize.fold` text, whole words):

- today / «اليوم» (not «في اليوم» "per day", nor «اليوم العالمي …» "the day of …"); yesterday /
  «أمس» «البارحة»; the day before yesterday / «أول أمس»;
- this week / «هذا الأسبوع» (Monday to the reference day, ISO weeks); last week / «الأسبوع
  الماضي» (the previous Monday–Sunday); the past week / «الأسبوع الأخير» (the last 7 days);
- this month / «هذا الشهر»; last month / «الشهر الماضي» (the previous calendar month);
- this year / «هذا العام»; last year / «العام الماضي» «السنة الماضية»;
- in the past/last N days|weeks, «آخر N أيام», «الأيام الثلاثة الماضية» (N in digits or
  a small number word), counting the reference day;
- latest: "latest news/on/about…", "most recent", "newest", «آخر أخبار/مستجدات/تطورات»,
  «أحدث». A bare «آخر» ("last"/"another") or "latest tour" is not a news request.

A window applies only when the user set no explicit date filter, and when it leaves no article,
retrieval falls back to all dates and the notice says so: a question about "today" over an
archive still gets an answer, with the dates made plain.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

from rag.retrieval.mentions import month_name
from rag.store.chroma import published_ts
from rag.text.normalize import fold
from rag.types import Filters, Retrieved

LATEST_SHARE = 0.75
"""A "latest" question ranks by date the passages scoring at least this share of the best fused
score; weaker ones follow by score. Set on invented examples (no DEV set asks for the latest):
two reports of one topic score within 10–15 % of each other, an unrelated one far below."""

_NUMBER_WORDS = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "ten": 10, "fourteen": 14,
    "اثنين": 2, "ثلاثه": 3, "ثلاث": 3, "اربعه": 4, "اربع": 4, "خمسه": 5, "خمس": 5, "سته": 6,
    "ست": 6, "سبعه": 7, "سبع": 7, "عشره": 10, "عشر": 10,
}  # fmt: skip
_N = r"(\d{1,3}|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + ")"
_AR_DAYS = r"(?:ايام|يوما|يوم)"
_AR_WEEKS = r"(?:اسابيع|اسبوعا|اسبوع)"


@dataclass(frozen=True)
class When:
    """What a question says about time.

    Attributes:
        start: First day of the window (inclusive), or None when no window.
        end: Last day of the window (inclusive), or None.
        latest: The question asks for the newest articles.
        phrase: The words that said it (folded), for logs and tests.
    """

    start: date | None = None
    end: date | None = None
    latest: bool = False
    phrase: str = ""

    @property
    def window(self) -> bool:
        """True when the question names a window of days."""
        return self.start is not None and self.end is not None


def _days_back(today: date, n: int) -> tuple[date, date]:
    return today - timedelta(days=max(n, 1) - 1), today


def _month_before(today: date) -> tuple[date, date]:
    last = today.replace(day=1) - timedelta(days=1)
    return last.replace(day=1), last


def _week(today: date, weeks_back: int) -> tuple[date, date]:
    monday = today - timedelta(days=today.weekday()) - timedelta(weeks=weeks_back)
    return monday, (monday + timedelta(days=6)) if weeks_back else today


def _number(word: str) -> int:
    return int(word) if word.isdigit() else _NUMBER_WORDS[word]


def _ago(days: int) -> Callable[[date], tuple[date, date]]:
    return lambda t: (t - timedelta(days=days), t - timedelta(days=days))


def _this_month(t: date) -> tuple[date, date]:
    return t.replace(day=1), t


def _this_year(t: date) -> tuple[date, date]:
    return t.replace(month=1, day=1), t


def _last_year(t: date) -> tuple[date, date]:
    return date(t.year - 1, 1, 1), date(t.year - 1, 12, 31)


def _words(english: str, arabic: str) -> re.Pattern[str]:
    """English alternatives as ``\\b``-bounded words, Arabic ones bounded by spaces (folded text)."""
    return re.compile(rf"\b(?:{english})\b|(?:^| )(?:{arabic})(?= |$)")


_TODAY_AR = r"(?<!في )(?<!فى )(?<!من )(?<!هذا )(?<!ذلك )اليوم(?! ال)"  # not "per day", "the day of"
_DAYS = "days"
_WEEKS = "weeks"
# (pattern, window for the reference day); the first that matches wins, so longer phrases first.
_WINDOWS: list[tuple[re.Pattern[str], str | Callable[[date], tuple[date, date]]]] = [
    (re.compile(rf"\b(?:in |over |during |within )?(?:the )?(?:past|last) {_N} days?\b"), _DAYS),
    (re.compile(rf"\b(?:in |over |during )?(?:the )?(?:past|last) {_N} weeks?\b"), _WEEKS),
    (re.compile(rf"(?:^| )(?:خلال |في )?(?:ال)?اخر {_N} {_AR_DAYS}(?= |$)"), _DAYS),
    (re.compile(rf"(?:^| )(?:خلال |في )?(?:ال)?اخر {_N} {_AR_WEEKS}(?= |$)"), _WEEKS),
    (re.compile(rf"(?:^| )(?:خلال |في )?ال{_AR_DAYS} ال?{_N} الماضيه(?= |$)"), _DAYS),
    (re.compile(rf"(?:^| )(?:خلال |في )?ال{_AR_WEEKS} ال?{_N} الماضيه(?= |$)"), _WEEKS),
    (_words("the last two days|the past two days", "اليومين الماضيين"), lambda t: _days_back(t, 2)),
    (_words("the day before yesterday", "اول امس|اول البارحه"), _ago(2)),
    (_words("yesterday", "امس|البارحه|بالامس"), _ago(1)),
    (_words("today|tonight", _TODAY_AR), _ago(0)),
    (_words("(?:the )?past week", "الاسبوع الاخير"), lambda t: _days_back(t, 7)),
    (_words("this week", "هذا الاسبوع|الاسبوع الحالي|الاسبوع الجاري"), lambda t: _week(t, 0)),
    (_words("last week", "الاسبوع الماضي"), lambda t: _week(t, 1)),
    (_words("this month", "هذا الشهر|الشهر الحالي|الشهر الجاري"), _this_month),
    (_words("last month|the past month", "الشهر الماضي"), _month_before),
    (_words("this year", "هذا العام|هذه السنه|العام الحالي|العام الجاري"), _this_year),
    (_words("last year", "العام الماضي|السنه الماضيه"), _last_year),
]
_NEWS = r"(?:news|on|about|in|from|updates?|developments?|reports?|articles?|stories|story|headlines)"
_LATEST = re.compile(
    rf"\b(?:latest|newest) {_NEWS}\b|\bwhat(?:'s| is) the latest\b|\bmost recent\b|\bnewest\b"
    r"|(?:^| )(?:اخر|احدث) (?:ال)?(?:اخبار|مستجدات|تطورات|تقارير|ما)(?= |$)|(?:^| )احدث ال\w+"
)


def read_when(question: str, today: date) -> When | None:
    """What ``question`` says about time, relative to ``today``.

    Args:
        question: The user's question (any language; English and Arabic phrases are known).
        today: The reference day (``SANAD_RETRIEVAL__AS_OF`` or the local date).

    Returns:
        A :class:`When`, or None when the question says nothing about time.

    Example:
        ``read_when("ماذا حدث أمس في إربد؟", date(2024, 4, 2))`` →
        ``When(start=date(2024, 4, 1), end=date(2024, 4, 1), phrase="امس")``.
    """
    text = " ".join(re.sub(r"[^\w']+", " ", fold(question).replace("\u2019", "'")).split())
    latest = _LATEST.search(text)
    for pattern, rule in _WINDOWS:
        found = pattern.search(text)
        if found is None:
            continue
        if isinstance(rule, str):
            n = _number(found.group(1))
            start, end = _days_back(today, n * (7 if rule == _WEEKS else 1))
        else:
            start, end = rule(today)
        return When(start, end, latest is not None, found.group(0).strip())
    return When(latest=True, phrase=latest.group(0).strip()) if latest else None


class _Retriever(Protocol):
    def retrieve(self, query: str, k: int = 5, filters: Filters | None = None) -> list[Retrieved]: ...


@dataclass(frozen=True)
class TimedPassages:
    """Passages retrieved for a question about time, and what was done.

    Attributes:
        passages: The passages, best first (newest first among the relevant for "latest").
        when: What the question said.
        window_used: The window's dates filtered retrieval (False: none, or it left nothing).
    """

    passages: list[Retrieved]
    when: When
    window_used: bool


def retrieve_when(
    retriever: _Retriever, query: str, k: int, filters: Filters | None, when: When
) -> TimedPassages:
    """Retrieve under the question's window and order, falling back to all dates when empty.

    An explicit date filter (``filters.published_from``/``published_to``) wins over the window.

    Args:
        retriever: Any object with ``retrieve(query, k, filters)``.
        query: The (condensed) question.
        k: Passages wanted.
        filters: The user's filters, or None.
        when: :func:`read_when` of the question.
    """
    base = filters or Filters()
    wanted = k * 3 if when.latest else k
    explicit = bool(base.published_from or base.published_to)
    if when.window and not explicit:
        assert when.start is not None and when.end is not None
        narrowed = dataclasses.replace(
            base, published_from=when.start.isoformat(), published_to=when.end.isoformat()
        )
        found = retriever.retrieve(query, k=wanted, filters=narrowed)
        if found:
            return TimedPassages(_newest_first(found, k) if when.latest else found[:k], when, True)
    found = retriever.retrieve(query, k=wanted, filters=filters)
    return TimedPassages(_newest_first(found, k) if when.latest else found[:k], when, False)


def _newest_first(found: Sequence[Retrieved], k: int) -> list[Retrieved]:
    """The passages scoring :data:`LATEST_SHARE` of the best or more, newest first; then the rest."""
    if not found:
        return []
    floor = max(r.score for r in found) * LATEST_SHARE
    relevant = [r for r in found if r.score >= floor]
    rest = [r for r in found if r.score < floor]
    relevant.sort(key=lambda r: -(published_ts(r.chunk.published_at) or -(2**62)))
    return (relevant + rest)[:k]


_NOTICES = {  # (window used, window empty, latest)
    "en": (
        "Articles from {dates}.",
        "No articles from {dates}; answered from all dates.",
        "Newest articles first.",
    ),
    "ar": ("المقالات من {dates}.", "لا مقالات من {dates}؛ الإجابة من كل التواريخ.", "الأحدث أولا."),
}


def _day(d: date, language: str, year: bool = True) -> str:
    return f"{d.day} {month_name(d.month, language)}" + (f" {d.year}" if year else "")


def _span(start: date, end: date, language: str) -> str:
    to = " إلى " if language == "ar" else " to "
    if start == end:
        return _day(start, language)
    if start.year == end.year:
        if start.month == end.month:
            return f"{start.day}{to}{_day(end, language)}"
        return f"{_day(start, language, year=False)}{to}{_day(end, language)}"
    return f"{_day(start, language)}{to}{_day(end, language)}"


def when_notice(timed: TimedPassages, language: str) -> str:
    """The sentence telling the reader which dates were used, in ``language`` (English fallback).

    Examples: "Articles from 1 April 2024.", "Articles from 25 to 31 March 2024.",
    «المقالات من 1 أبريل 2024.», "No articles from 30 November 2026; answered from all dates.",
    "Newest articles first."
    """
    used, empty, newest = _NOTICES.get(language.split("-")[0].lower(), _NOTICES["en"])
    parts: list[str] = []
    when = timed.when
    if when.window:
        assert when.start is not None and when.end is not None
        dates = _span(when.start, when.end, language.split("-")[0].lower())
        parts.append((used if timed.window_used else empty).format(dates=dates))
    if when.latest:
        parts.append(newest)
    return " ".join(parts)
