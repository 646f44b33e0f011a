"""Dates as articles give them (#13): Hijri dates, datelines, and dates that are not dates."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from ingest.datelines import dateline_date
from ingest.dates import checked_date
from ingest.decoding import is_iso_date, normalize_date
from ingest.readers import RawRecord, ReadProblem, read_file
from rag.text.hijri import hijri_date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("١٥ رمضان ١٤٤٥ هـ", date(2024, 3, 25)),
        ("الرياض، 1 شوال 1445", date(2024, 4, 10)),
        ("10 ذي الحجة 1444هـ", date(2023, 6, 28)),
        ("١ جمادى الأولى ١٤٤٦", date(2024, 11, 3)),
        ("3 ربيع الآخر 1446", date(2024, 10, 6)),
        ("31 رمضان 1445", None),  # no month has 31 days
        ("5 رمضان 1200", None),  # outside the Umm al-Qura tables
        ("15 March 2024", None),
    ],
)
def test_hijri_dates(text: str, expected: date | None) -> None:
    assert hijri_date(text) == expected


def test_normalize_date_reads_hijri_and_keeps_offsets() -> None:
    assert normalize_date("١٥ رمضان ١٤٤٥ هـ") == "2024-03-25"
    assert normalize_date("Sun, 31 Mar 2024 21:10:00 -0500") == "2024-03-31T21:10:00-05:00"
    assert is_iso_date("2024-03-25") and not is_iso_date("not a date") and not is_iso_date(None)


def test_only_the_dateline_dates_an_article() -> None:
    assert dateline_date("الرياض - ١٥ رمضان ١٤٤٥هـ (واس)\nأعلنت الوزارة...") == "2024-03-25"
    assert dateline_date("أعلنت الوزارة اليوم...\nوفي ١٥ رمضان ١٤٤٥ هـ بدأت الحملة.") is None


def test_plain_text_article_is_dated_by_its_hijri_dateline(tmp_path: Path) -> None:
    path = tmp_path / "spa.txt"
    path.write_text("الرياض ١٥ رمضان ١٤٤٥ هـ\nأعلنت الوزارة مواعيد العمل في العيد.\n", encoding="utf-8")
    [record] = list(read_file(path))
    assert isinstance(record, RawRecord) and record.published_at == "2024-03-25"


def test_a_gregorian_date_field_wins_over_the_dateline(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    rows = [
        {"id": "a", "published_at": "2024-03-26T08:00+03:00", "body": "الرياض ١٥ رمضان ١٤٤٥ هـ\nنص."},
        {"id": "b", "body": "الرياض ١٥ رمضان ١٤٤٥ هـ\nنص."},
        {"id": "c", "published_at": "soon", "body": "Text."},
    ]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    a, b, c = list(read_file(path))
    assert isinstance(a, RawRecord) and a.published_at == "2024-03-26T08:00:00+03:00"
    assert isinstance(b, RawRecord) and b.published_at == "2024-03-25"
    assert isinstance(c, RawRecord)  # a date that is not one costs the date, not the article
    undated, warning = checked_date(c, datetime.now(UTC))
    assert undated.published_at is None and isinstance(warning, ReadProblem)
    assert warning.where == f"{path}:3" and warning.kind == "warning"
    assert "'published_at' is not a date: 'soon'" in warning.reason


def test_front_matter_date_that_is_not_a_date_warns(tmp_path: Path) -> None:
    path = tmp_path / "post.md"
    path.write_text("---\ntitle: T\ndate: next week\n---\nBody.\n", encoding="utf-8")
    problem, record = list(read_file(path))
    assert isinstance(record, RawRecord) and record.title == "T" and record.published_at is None
    assert isinstance(problem, ReadProblem) and problem.kind == "warning" and "next week" in problem.reason
    assert problem.where == f"{path}:3" and "field 'date'" in problem.reason


@pytest.mark.parametrize("day", ["2023-02-29", "2023-13-01"])
def test_an_impossible_yaml_date_costs_only_the_date(day: str, tmp_path: Path) -> None:
    path = tmp_path / "post.md"
    path.write_text(f"---\ntitle: Tram fares fall\nsource: Odense Post\npublished: {day}\n---\nBody.\n")
    problem, record = list(read_file(path))
    assert isinstance(record, RawRecord) and record.published_at is None
    assert record.title == "Tram fares fall" and record.source == "Odense Post"
    assert isinstance(problem, ReadProblem) and problem.kind == "warning" and problem.where == f"{path}:4"
    assert problem.reason == f"field 'published' is not a date: {day!r}; ingested as undated"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("HAMBURG, October 4, 2023 — By Jonas Weber\nThe harbour reopened.", "2023-10-04"),
        ("Ferry strike ends\n\nKIEL (dpa), Tuesday, 7 Nov. 2023 - The ferries ran again.", "2023-11-07"),
        ("عجلون، 14 نيسان 2023 — كتب: سامر الخطيب\nافتتحت البلدية سوقاً جديداً.", "2023-04-14"),
        ("مادبا - ٣ أغسطس ٢٠٢٢م\nنص الخبر.", "2022-08-03"),
        ("عنوان الخبر\nتبوك، ٥ ذو القعدة ١٤٤٤ هـ — واس\nنص.", "2023-05-25"),
        ("The council met on May 2, 2023 to vote on the budget.", None),  # a date in a sentence
        ("One\nTwo\nThree\nHAMBURG, October 4, 2023 — x", None),  # past the first three lines
        ("HAMBURG, February 30, 2023 — x", "february 30, 2023"),  # kept as written: checked later
    ],
)
def test_datelines_in_the_first_lines_date_an_article(text: str, expected: str | None) -> None:
    assert dateline_date(text) == expected


def test_text_articles_are_dated_by_a_gregorian_dateline_and_checked(tmp_path: Path) -> None:
    good = tmp_path / "harbour.txt"
    good.write_text("Harbour news\nHAMBURG, October 4, 2023 — By Jonas Weber\nThe harbour reopened.\n")
    bad = tmp_path / "bad.md"
    bad.write_text("# Ferry\n\nKIEL, February 30, 2023 — The ferries ran again.\n")
    [dated] = list(read_file(good))
    [undated] = list(read_file(bad))
    assert isinstance(dated, RawRecord) and dated.published_at == "2023-10-04"
    assert isinstance(undated, RawRecord)
    checked, warning = checked_date(undated, datetime.now(UTC))
    assert checked.published_at is None and isinstance(warning, ReadProblem)
    assert "'dateline' is not a date: 'february 30, 2023'" in warning.reason
