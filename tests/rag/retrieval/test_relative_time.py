"""Time relative to now in questions (#13): windows, "latest", notices; chain and CLI end to end."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import pytest

from rag.retrieval.relative_time import TimedPassages, When, read_when, when_notice
from rag.settings import load_settings
from sanad.app import Sanad
from tests.fixtures.processes import run_sanad

TODAY = date(2024, 4, 2)  # a Tuesday


@pytest.mark.parametrize(
    ("question", "start", "end"),
    [
        ("ماذا حدث أمس في إربد؟", date(2024, 4, 1), date(2024, 4, 1)),
        ("What happened yesterday in Irbid?", date(2024, 4, 1), date(2024, 4, 1)),
        ("ماذا حدث اليوم في عمان؟", TODAY, TODAY),
        ("أخبار أول أمس", date(2024, 3, 31), date(2024, 3, 31)),
        ("news from the past 3 days", date(2024, 3, 31), TODAY),
        ("ما الجديد في آخر ٣ أيام؟", date(2024, 3, 31), TODAY),
        ("في الأيام الثلاثة الماضية", date(2024, 3, 31), TODAY),
        ("this week in Amman", date(2024, 4, 1), TODAY),
        ("ماذا نشر الأسبوع الماضي؟", date(2024, 3, 25), date(2024, 3, 31)),
        ("last week", date(2024, 3, 25), date(2024, 3, 31)),
        ("the past week", date(2024, 3, 27), TODAY),
        ("أخبار الشهر الماضي", date(2024, 3, 1), date(2024, 3, 31)),
        ("this month", date(2024, 4, 1), TODAY),
        ("last year", date(2023, 1, 1), date(2023, 12, 31)),
    ],
)
def test_windows(question: str, start: date, end: date) -> None:
    when = read_when(question, TODAY)
    assert when is not None and (when.start, when.end) == (start, end)


@pytest.mark.parametrize(
    "question",
    [
        "كم تأكل المشطيات في اليوم؟",  # "per day"
        "بماذا يسمى اليوم العاشر من محرم؟",  # "the tenth day"
        "من كان آخر رئيس وزراء لألمانيا الشرقية؟",  # "the last prime minister"
        "يوجد تعريف آخر لتعداد السكان",  # "another definition"
        "the band's latest tour",
        "Who won the match on October 7, 2023?",
    ],
)
def test_words_that_are_not_about_now(question: str) -> None:
    assert read_when(question, TODAY) is None


@pytest.mark.parametrize(
    "question", ["What's the latest on the bridge?", "most recent news about Irbid", "ما آخر أخبار إربد؟"]
)
def test_latest(question: str) -> None:
    when = read_when(question, TODAY)
    assert when is not None and when.latest and not when.window


def test_notices_name_the_dates() -> None:
    day = When(date(2024, 4, 1), date(2024, 4, 1))
    week = When(date(2024, 3, 25), date(2024, 3, 31), latest=True)
    assert when_notice(TimedPassages([], day, True), "en") == "Articles from 1 April 2024."
    assert when_notice(TimedPassages([], day, True), "ar") == "المقالات من 1 أبريل 2024."
    assert when_notice(TimedPassages([], week, True), "en") == (
        "Articles from 25 to 31 March 2024. Newest articles first."
    )
    assert when_notice(TimedPassages([], day, False), "en").startswith("No articles from 1 April 2024")


STORIES = [
    {
        "id": "irbid-library",
        "title": "مكتبة إربد",
        "source": "صحيفة الشمال",
        "published_at": "2024-04-01T08:00:00+03:00",
        "body": "افتتحت بلدية إربد مكتبة عامة جديدة تضم عشرين ألف كتاب في وسط المدينة.",
    },
    {
        "id": "irbid-market",
        "title": "سوق إربد",
        "source": "صحيفة الشمال",
        "published_at": "2024-03-28T09:00:00+03:00",
        "body": "افتتحت بلدية إربد سوقا شعبيا جديدا للخضار في وسط المدينة.",
    },
    {
        "id": "amman-bus",
        "title": "حافلات عمان",
        "source": "صحيفة العاصمة",
        "published_at": "2024-04-01T10:00:00+03:00",
        "body": "أطلقت أمانة عمان خطوط حافلات سريعة جديدة بين الجامعة والوسط.",
    },
]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("relative")
    feed = tmp / "feed.jsonl"
    feed.write_text("".join(json.dumps(s, ensure_ascii=False) + "\n" for s in STORIES), encoding="utf-8")
    return feed


def _sanad(corpus: Path, as_of: str) -> Sanad:
    root = corpus.parent
    app = Sanad(load_settings(data_dir=root / "data", cache_dir=root / "cache", retrieval={"as_of": as_of}))
    app.pipeline.ingest_paths([str(corpus)])
    return app


def test_what_happened_yesterday_in_irbid_reads_that_day(corpus: Path) -> None:
    app = _sanad(corpus, "2024-04-02")
    answer = app.chain.answer("ماذا حدث أمس في إربد؟")
    assert {r.chunk.published_at[:10] for r in answer.retrieved if r.chunk.published_at} == {"2024-04-01"}
    assert answer.retrieved[0].chunk.article_id == "irbid-library"
    assert answer.notice is not None and answer.notice.startswith("المقالات من 1 أبريل 2024.")
    # Both Irbid stories say the municipality opened something; "yesterday" picks the library.
    opened = app.chain.answer("ماذا افتتحت بلدية إربد أمس؟")
    assert not opened.abstained and opened.citations
    cited = {c.chunk.article_id for c in opened.citations}
    assert "irbid-library" in cited and "irbid-market" not in cited  # 28 March is not yesterday
    assert "مكتبة" in opened.text


def test_an_empty_window_falls_back_to_all_dates_and_says_so(corpus: Path) -> None:
    answer = _sanad(corpus, "2026-11-30").chain.answer("ماذا افتتحت بلدية إربد أمس؟")
    assert answer.notice is not None and answer.notice.startswith("لا مقالات من 29 نوفمبر 2026")
    assert any(c.chunk.article_id.startswith("irbid") for c in answer.citations)


def test_latest_ranks_newer_relevant_articles_first(corpus: Path) -> None:
    app = _sanad(corpus, "2024-04-02")
    plain = app.retriever.retrieve("ما أخبار إربد؟", 3)
    latest = app.chain.answer("ما آخر أخبار إربد؟")
    irbid = [r.chunk.article_id for r in latest.retrieved if r.chunk.article_id.startswith("irbid")]
    assert irbid[0] == "irbid-library" and "irbid-market" in irbid
    assert plain[0].chunk.article_id == "irbid-market"  # without "latest", the older one leads
    assert latest.notice is not None and "الأحدث أولا" in latest.notice


def test_cli_as_of(corpus: Path, tmp_path: Path) -> None:
    env = {**os.environ, "SANAD_DATA_DIR": str(tmp_path / "data"), "OMP_WAIT_POLICY": "PASSIVE"}
    env["SANAD_CACHE_DIR"] = str(corpus.parent / "cache")  # vectors from the tests above
    assert run_sanad(["ingest", str(corpus)], env, tmp_path).returncode == 0
    done = run_sanad(["ask", "--as-of", "2024-04-02", "What happened yesterday in Irbid?"], env, tmp_path)
    assert done.returncode == 0, done.stderr
    assert "(Articles from 1 April 2024." in done.stdout  # first of the notices, with the answer
    bad = run_sanad(["ask", "--as-of", "yesterday", "What happened?"], env, tmp_path)
    assert bad.returncode == 2 and "--as-of" in bad.stderr
