"""An article's URL is http(s) or nothing: ``javascript:`` and friends never reach a citation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest.readers import RawRecord, checked_url, read_file, web_url
from rag.settings import load_settings
from sanad.app import Sanad


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/a?b=1#c",
        "http://example.com",
        "HTTPS://Example.com/Path",
        "  https://news.example/ar/مقال  ",
    ],
)
def test_web_urls_are_kept(url: str) -> None:
    assert web_url(url) == url.strip()


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        " JavaScript:alert(1)",
        "java\nscript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "file:///etc/passwd",
        "ftp://example.com/a",
        "mailto:a@example.com",
        "//example.com/a",
        "/relative/path",
        "https://",
        "https:///nohost",
        "https://exa mple.com/",
        "https://example.com/\x00",
        "http://[::1",
        "",
    ],
)
def test_other_urls_are_refused(url: str) -> None:
    assert web_url(url) is None


def test_checked_url_drops_a_javascript_url_with_a_warning_naming_the_origin() -> None:
    record = RawRecord("Text.", None, None, "javascript:alert(1)", None, None, None, "f.jsonl:3", "jsonl")
    clean, warning = checked_url(record)
    assert clean.url is None and clean.text == "Text."
    assert warning is not None and warning.kind == "warning" and warning.where == "f.jsonl:3"
    assert "'url'" in warning.reason and "javascript:alert(1)" in warning.reason
    kept, none = checked_url(
        RawRecord("T.", None, None, " https://a.example/x ", None, None, None, "o", "json")
    )
    assert kept.url == "https://a.example/x" and none is None


def test_jsonl_javascript_url_is_dropped_and_the_article_still_ingested(tmp_path: Path) -> None:
    source = tmp_path / "news.jsonl"
    rows = [
        {
            "id": "good",
            "title": "Harbour",
            "url": "https://news.example/harbour",
            "body": "The harbour reopened.",
        },
        {
            "id": "bad",
            "title": "Lighthouse",
            "url": "javascript:alert('x')",
            "body": "The lighthouse was restored.",
        },
        {"title": "No id", "link": "data:text/html,hi", "body": "A bridge was painted blue."},
    ]
    source.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    raw = [r for r in read_file(source) if isinstance(r, RawRecord)]
    assert raw[1].url == "javascript:alert('x')"  # readers read; the pipeline checks

    sanad = Sanad(load_settings(data_dir=tmp_path / "data", cache_dir=tmp_path / "cache"))
    planned = sanad.pipeline.ingest_paths([str(source)], dry_run=True)
    assert planned.added == 3 and len(planned.notices) == 2
    report = sanad.pipeline.ingest_paths([str(source)])
    assert report.added == 3 and report.failed == 0, report
    assert [n.split(": ", 1)[0] for n in report.notices] == [
        f"warning {source}:2",
        f"warning {source}:3",
    ]
    assert "not an http(s) URL" in report.notices[0] and "javascript:alert('x')" in report.notices[0]
    good, bad = sanad.catalog.get("good"), sanad.catalog.get("bad")
    assert good is not None and good.article.url == "https://news.example/harbour"
    assert bad is not None and bad.article.url is None
    # without an id, a refused URL is not the id either: the file's line is
    third = sanad.catalog.get(f"{source}:3")
    assert third is not None and third.article.url is None
    assert all(r.article.url is None or r.article.url.startswith("https://") for r in sanad.catalog.records())
