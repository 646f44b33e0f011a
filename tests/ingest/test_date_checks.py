"""Publication dates that cannot be right (newcomer findings, #13): a date more than a day in the
future, before 1800, a system's zero date or an impossible day is a warning naming the record and
field, and the article is stored undated; plausible dates pass untouched."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ingest.dates import checked_date, date_problem
from ingest.readers import RawRecord, ReadProblem, read_file
from rag.settings import load_settings
from sanad.app import Sanad

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("2099-01-01", "in the future"),
        ("2026-12-02", "in the future"),  # 39 h ahead
        ("2026-12-01T12:00:00+00:00", "in the future"),  # 27 h ahead
        ("2026-12-01T23:00:00+14:00", None),  # 00:00 UTC tomorrow: Kiribati is already there
        ("2026-12-01", None),  # tomorrow, date only: within a day of now
        ("2026-11-30T10:00:00", None),  # naive: read as UTC, an hour ahead
        ("0001-01-01", "before 1800"),
        ("0001-01-01T00:00:00Z".replace("Z", "+00:00"), "before 1800"),
        ("1445-09-15", "Hijri"),  # a Hijri date written in ISO form
        ("1900-01-01", "placeholder"),
        ("1970-01-01T00:00:00+00:00", "placeholder"),
        ("1900-06-12", None),  # an old archive's real day
        ("1970-01-01T09:30:00+02:00", None),
        ("2024-02-30", "not a date"),
        ("next week", "not a date"),
        ("2024-03-25", None),
    ],
)
def test_date_problem(value: str, says: str | None) -> None:
    problem = date_problem(value, NOW)
    if says is None:
        assert problem is None
    else:
        assert problem is not None and says in problem, problem


def test_checked_date_names_the_record_and_field_and_drops_the_date() -> None:
    record = RawRecord(
        "Body.", None, None, None, "2099-01-01", None, None, "feed.jsonl:7", "jsonl", "pubDate"
    )
    clean, warning = checked_date(record, NOW)
    assert clean.published_at is None and clean.text == "Body."
    assert isinstance(warning, ReadProblem) and warning.kind == "warning" and warning.where == "feed.jsonl:7"
    assert "field 'pubDate'" in warning.reason and "2099-01-01" in warning.reason
    assert "undated" in warning.reason
    fine = RawRecord("Body.", None, None, None, "2024-03-25", None, None, "a.txt", "txt")
    assert checked_date(fine, NOW) == (fine, None)


def test_hijri_dates_in_arabic_text_are_checked_after_conversion(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    rows = [
        {"id": "a", "date": "١٥ رمضان ١٤٤٥ هـ", "body": "نص."},  # 2024-03-25
        {"id": "b", "date": "١ محرم ١٥٠٠ هـ", "body": "نص."},  # 2076: the future
        {"id": "c", "date": "٣١ صفر ١٤٤٥ هـ", "body": "نص."},  # no month has 31 days
    ]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    items = [checked_date(r, NOW) for r in read_file(path) if isinstance(r, RawRecord)]
    assert [r.published_at for r, _ in items] == ["2024-03-25", None, None]
    assert items[0][1] is None
    assert items[1][1] is not None and "in the future" in items[1][1].reason
    assert items[2][1] is not None and "not a date" in items[2][1].reason


def test_ingest_stores_suspicious_dates_as_undated_with_a_warning(tmp_path: Path) -> None:
    feed = tmp_path / "feed.jsonl"
    ahead = (datetime.now(UTC) + timedelta(days=3)).date().isoformat()
    rows = [
        {"id": "future", "published_at": "2099-01-01", "body": "The council approved the budget."},
        {"id": "impossible", "date": "2024-02-30", "body": "The ferry timetable changed."},
        {"id": "soon", "date": ahead, "body": "The library opened a new wing."},
        {"id": "fine", "date": "2024-03-25", "body": "The harbour reopened after the storm."},
    ]
    feed.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    post = tmp_path / "post.md"
    post.write_text("---\ntitle: Bridge\ndate: 2099-05-05\n---\nThe bridge reopened.\n", encoding="utf-8")
    sanad = Sanad(load_settings(data_dir=tmp_path / "data", cache_dir=tmp_path / "cache"))
    report = sanad.pipeline.ingest_paths([str(feed), str(post)])
    assert (report.added, report.failed) == (5, 0), report.failures
    dates = {r.article.article_id: r.article.published_at for r in sanad.catalog.records()}
    assert dates == {"future": None, "impossible": None, "soon": None, "fine": "2024-03-25", str(post): None}
    notes = "\n".join(report.notices)
    assert f"warning {feed}:1: field 'published_at'" in notes and f"warning {feed}:2: field 'date'" in notes
    assert f"warning {feed}:3: field 'date'" in notes and f"warning {post}: field 'date'" in notes
