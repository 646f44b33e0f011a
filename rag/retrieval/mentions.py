"""News-aware query signals: the outlets and the publication days a question names.

News questions often say where and when a report appeared ("the TechCrunch article … published on
October 7, 2023", "حسب الجزيرة في 7 أكتوبر 2023"). The retriever gives chunks of articles from a
named outlet, or published on a named day, a fixed bonus on top of their fused score
(:mod:`rag.retrieval.retriever`). On MultiHop-RAG DEV this lifted chunk-level Hits@10 from 0.888 to 0.954
with a fixed fusion weight (docs/results.md, "news-aware retrieval").

Matching is deliberately literal: an outlet counts as named when one of its aliases (the full
name, or the part before `` | ``/`` - ``/``: ``) appears as whole words in the question, ignoring
case, diacritics and Arabic letter forms (:func:`rag.text.normalize.fold`). Days are read from
English ("October 7, 2023", "7 Oct 2023"), ISO (2023-10-07) and Arabic ("7 أكتوبر 2023",
"٧ تشرين الأول ٢٠٢٣") forms.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date

from rag.text.normalize import fold

_NON_WORD = re.compile(r"[^\w]+")
_ALIAS_SEPARATORS = (" | ", " - ", " – ", ": ")
_MIN_ALIAS_CHARS = 3

_EN_MONTHS_RAW = (
    ("january", "jan"),
    ("february", "feb"),
    ("march", "mar"),
    ("april", "apr"),
    ("may",),
    ("june", "jun"),
    ("july", "jul"),
    ("august", "aug"),
    ("september", "sep", "sept"),
    ("october", "oct"),
    ("november", "nov"),
    ("december", "dec"),
)
_EN_MONTHS = {name: i for i, names in enumerate(_EN_MONTHS_RAW, start=1) for name in names}
# Egyptian/Gulf transliterations and the Levantine (Syriac) names; folded like the query is.
_AR_MONTHS_RAW = {
    1: ("يناير", "كانون الثاني"),
    2: ("فبراير", "شباط"),
    3: ("مارس", "آذار"),
    4: ("أبريل", "إبريل", "نيسان"),
    5: ("مايو", "أيار"),
    6: ("يونيو", "يونيه", "حزيران"),
    7: ("يوليو", "يوليه", "تموز"),
    8: ("أغسطس", "آب"),
    9: ("سبتمبر", "أيلول"),
    10: ("أكتوبر", "تشرين الأول"),
    11: ("نوفمبر", "تشرين الثاني"),
    12: ("ديسمبر", "كانون الأول"),
}
_AR_MONTHS = {fold(name): month for month, names in _AR_MONTHS_RAW.items() for name in names}

_MONTH_ALT = "|".join(sorted((re.escape(m) for m in (*_EN_MONTHS, *_AR_MONTHS)), key=len, reverse=True))
_DAY = r"(\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(\d{4})"
_MONTH_DAY_YEAR = re.compile(rf"\b({_MONTH_ALT})\.?\s+{_DAY},?\s+{_YEAR}\b")
_DAY_MONTH_YEAR = re.compile(rf"(?<!\d){_DAY}\s+(?:of\s+)?({_MONTH_ALT})\.?,?\s+{_YEAR}\b")
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def _words(text: str) -> str:
    """``text`` folded and reduced to single-space-separated words, padded with spaces."""
    return " " + _NON_WORD.sub(" ", fold(text)).strip() + " "


def source_aliases(source: str) -> set[str]:
    """The folded aliases under which a question may name ``source``.

    Args:
        source: An outlet name as stored with articles, e.g. "Cnbc | World Business News Leader".

    Returns:
        Word strings without padding, e.g. {"cnbc world business news leader", "cnbc"}; aliases
        shorter than three characters are dropped (too ambiguous). A leading "The" is kept: "The
        Verge" is named by "the Verge", not by "on the verge of".
    """
    names = {source}
    for sep in _ALIAS_SEPARATORS:
        if sep in source:
            names.add(source.split(sep, 1)[0])
    out: set[str] = set()
    for name in names:
        words = _words(name).strip()
        if not words:
            continue
        out.add(words)
    return {a for a in out if len(a) >= _MIN_ALIAS_CHARS}


class SourceMatcher:
    """Finds which of a collection's outlets a question names.

    Args:
        sources: Outlet names of the stored articles (empty names are ignored).
    """

    def __init__(self, sources: Iterable[str]) -> None:
        by_alias: dict[str, set[str]] = {}
        for source in {s for s in sources if s and s.strip()}:
            for alias in source_aliases(source):
                by_alias.setdefault(alias, set()).add(source)
        # Longest first, so "the independent life and style" wins over "the independent".
        self._aliases = sorted(by_alias.items(), key=lambda kv: -len(kv[0]))

    def __len__(self) -> int:
        return len(self._aliases)

    def mentions(self, words: Sequence[str]) -> list[tuple[int, int, frozenset[str]]]:
        """Where the folded word sequence ``words`` names outlets, in order.

        Args:
            words: The question's words, folded (:func:`rag.text.normalize.fold`).

        Returns:
            ``(first word, end word, outlets)`` per mention (end exclusive); a longer alias
            consumes its words, as in :meth:`named`.
        """
        used = [False] * len(words)
        found: list[tuple[int, int, frozenset[str]]] = []
        for alias, sources in self._aliases:
            parts = alias.split()
            n = len(parts)
            for i in range(len(words) - n + 1):
                if words[i] != parts[0]:
                    continue
                if list(words[i : i + n]) == parts and not any(used[i : i + n]):
                    used[i : i + n] = [True] * n
                    found.append((i, i + n, frozenset(sources)))
        return sorted(found, key=lambda m: m[0])

    def named(self, question: str) -> frozenset[str]:
        """The outlets ``question`` names (exact source strings; empty when none)."""
        if not self._aliases:
            return frozenset()
        text = _words(question)
        found: set[str] = set()
        for alias, sources in self._aliases:
            padded = f" {alias} "
            if padded in text:
                found |= sources
                text = text.replace(padded, " \x00 ")  # a longer alias consumes its words
        return frozenset(found)


def month_name(month: int, language: str) -> str:
    """The usual name of ``month`` (1–12): English ("April"), or for Arabic the Egyptian/Gulf
    transliteration («أبريل»), the form news agencies across the region print."""
    if language.split("-")[0].lower() == "ar":
        return _AR_MONTHS_RAW[month][0]
    return _EN_MONTHS_RAW[month - 1][0].capitalize()


def _day(year: str, month: int, day: str) -> str | None:
    try:
        return date(int(year), month, int(day)).isoformat()
    except ValueError:
        return None


def named_days(question: str) -> frozenset[str]:
    """The calendar days ``question`` names, as ISO dates ("2023-10-07").

    Recognised: "October 7, 2023", "Oct. 7th 2023", "7 October 2023", "2023-10-07", and Arabic
    "7 أكتوبر 2023" / "٧ تشرين الأول ٢٠٢٣" (Arabic-Indic digits included). Impossible dates
    (February 30) are ignored.
    """
    return frozenset(day for _, _, day in day_mentions(re.sub(r"\s+", " ", fold(question))))


def day_mentions(folded: str) -> list[tuple[int, int, str]]:
    """Where the folded text ``folded`` names a calendar day: ``(start, end, ISO day)``, in order.

    The forms of :func:`named_days`; impossible dates are skipped.
    """
    found: list[tuple[int, int, str | None]] = []
    for m in _MONTH_DAY_YEAR.finditer(folded):
        found.append((m.start(), m.end(), _day(m.group(3), _month(m.group(1)), m.group(2))))
    for m in _DAY_MONTH_YEAR.finditer(folded):
        found.append((m.start(), m.end(), _day(m.group(3), _month(m.group(2)), m.group(1))))
    for m in _ISO.finditer(folded):
        found.append((m.start(), m.end(), _day(m.group(1), int(m.group(2)), m.group(3))))
    return sorted((s, e, d) for s, e, d in found if d)


def day_spans(text: str) -> list[tuple[int, int, str]]:
    """Where ``text`` names a calendar day, as ``(start, end, ISO day)`` offsets into ``text`` itself.

    :func:`day_mentions` reads the folded text, whose offsets differ from the original's; this
    folds character by character and maps each folded character back to its source.
    """
    pieces: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        for fc in fold(ch):
            if fc.isspace():
                if pieces and pieces[-1] == " ":
                    continue
                fc = " "
            pieces.append(fc)
            origin.append(i)
    return [(origin[s], origin[e - 1] + 1, day) for s, e, day in day_mentions("".join(pieces))]


_DIGITS = re.compile(r"[0-9\u0660-\u0669\u06f0-\u06f9]+(?:[.,/-][0-9\u0660-\u0669\u06f0-\u06f9]+)*")


def without_days(text: str) -> str:
    """``text`` with the numbers of the calendar days it names blanked out ("What happened on June
    5, 2025?" → "What happened on June  ,  ?").

    Retrieval's lexical side reads this: a named day is matched by the day bonus on the chunk's
    publication day, and its numbers as words only match other dates («٥ آب ٢٠٢٥» holds the "5"
    and the "2025" of "June 5, 2025"; the newcomer check of session 6). The month's name stays:
    within one script it is a word of the text like any other. MultiHop DEV (300 questions,
    before → after): article hit@1 0.800 → 0.808, MRR@10 0.874 → 0.879, chunk MRR@10 0.703 →
    0.706, chunk hit@10 0.973 → 0.969, all@10 0.596 → 0.589; blanking the whole date instead:
    chunk hit@10 0.965.
    """
    spans = day_spans(text)
    if not spans:
        return text
    out, pos = [], 0
    for start, end, _ in spans:
        out.append(text[pos:start])
        out.append(_DIGITS.sub(" ", text[start:end]))  # the month's name stays a word
        pos = end
    out.append(text[pos:])
    return "".join(out)


def _month(name: str) -> int:
    return _EN_MONTHS.get(name) or _AR_MONTHS[name]
