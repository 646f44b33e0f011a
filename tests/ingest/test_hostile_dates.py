"""Hostile input for the news-fidelity surfaces of #13 (issue #15, item 5).

Relative dates on the last and first days of months and years (leap day included), Hijri dates
outside the Umm al-Qura tables or impossible, and front matter that is not YAML (JSON, a list, a
scalar, binary junk, an alias bomb): each gives a right answer or none, quickly, never a crash.
"""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import pytest

from ingest.front_matter import split_front_matter
from ingest.readers import RawRecord, read_file
from rag.retrieval.relative_time import read_when
from rag.text.hijri import hijri_date


@pytest.mark.parametrize(
    ("question", "today", "start", "end"),
    [
        ("What happened yesterday?", date(2024, 3, 1), date(2024, 2, 29), date(2024, 2, 29)),  # leap day
        ("ماذا حدث أمس؟", date(2024, 1, 1), date(2023, 12, 31), date(2023, 12, 31)),
        ("أخبار الشهر الماضي", date(2024, 1, 1), date(2023, 12, 1), date(2023, 12, 31)),
        ("last month", date(2023, 3, 31), date(2023, 2, 1), date(2023, 2, 28)),
        ("last month", date(2024, 3, 31), date(2024, 2, 1), date(2024, 2, 29)),
        ("this month", date(2024, 2, 29), date(2024, 2, 1), date(2024, 2, 29)),
        ("last week", date(2024, 1, 2), date(2023, 12, 25), date(2023, 12, 31)),
        ("news from the past 3 days", date(2024, 1, 1), date(2023, 12, 30), date(2024, 1, 1)),
        ("this year", date(2024, 1, 1), date(2024, 1, 1), date(2024, 1, 1)),
        ("last year", date(2024, 12, 31), date(2023, 1, 1), date(2023, 12, 31)),
        ("أخبار أول أمس", date(2024, 3, 1), date(2024, 2, 28), date(2024, 2, 28)),
    ],
)
def test_relative_dates_at_month_and_year_ends(question: str, today: date, start: date, end: date) -> None:
    when = read_when(question, today)
    assert when is not None and (when.start, when.end) == (start, end)


@pytest.mark.parametrize(
    "text",
    [
        "1 محرم 1342",  # before the tables (1343 AH)
        "1 محرم 1501",  # after them (1500 AH)
        "0 رمضان 1445",
        "99 رمضان 1445",
        "1 رمضان 14450",  # five digits: not a year
        "١٥ رمضان ٠٠٠٠",
    ],
)
def test_hijri_dates_out_of_range_or_impossible_give_no_date(text: str) -> None:
    assert hijri_date(text) is None


def test_hijri_at_the_edges_of_the_tables_converts() -> None:
    assert hijri_date("1 محرم 1343") is not None
    assert hijri_date("29 ذو الحجة 1500") is not None


@pytest.mark.parametrize(
    "front",
    [
        '{"title": "JSON, not YAML", "date": "2024-01-01"}',
        "- a list\n- not a mapping",
        "just a scalar line",
        "title: [unclosed",
        "title: \ufffd\ufffd junk \u202e reversed",
        "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
        "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
        "title: [*d, *d, *d, *d, *d, *d, *d, *d, *d]",  # an alias bomb: 9^5 leaves if expanded
        "date: 2024-02-30\ntitle: an impossible day",
        "date: 99999-01-01\ntitle: year 99999",
    ],
)
def test_front_matter_that_is_not_yaml_keeps_the_article(front: str, tmp_path: Path) -> None:
    text = f"---\n{front}\n---\nThe harbour committee met on Monday.\n"
    started = time.monotonic()
    split = split_front_matter(text)
    assert "The harbour committee met on Monday." in split.body
    path = tmp_path / "post.md"
    path.write_text(text, encoding="utf-8")
    records = [r for r in read_file(path) if isinstance(r, RawRecord)]
    assert len(records) == 1 and "harbour committee" in records[0].text
    assert len(records[0].title or "") < 500  # an expanded alias bomb never becomes the title
    assert time.monotonic() - started < 2.0


def test_binary_junk_in_front_matter_is_a_clear_problem(tmp_path: Path) -> None:
    path = tmp_path / "junk.md"
    path.write_text("---\n\x00\x01\x02 binary junk\n---\nThe harbour committee met.\n", encoding="utf-8")
    problems = [p for p in read_file(path) if not isinstance(p, RawRecord)]
    assert problems and str(path) in problems[0].where and "binary" in problems[0].reason
