"""Markdown front matter (#13): metadata out of the text, the body alone chunked; bad blocks warn."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.front_matter import split_front_matter
from ingest.readers import RawRecord, ReadProblem, read_file
from rag.settings import load_settings
from sanad.app import Sanad

JEKYLL = """---
layout: post
title: "افتتاح مكتبة عامة جديدة في إربد"
date: 2024-04-01 09:30:00 +0300
author: أحمد سالم
source: صحيفة الشمال
tags: [ثقافة, مكتبات]
lang: ar
permalink: https://example.org/2024/04/01/library
---

افتتحت بلدية إربد صباح الاثنين مكتبة عامة جديدة تضم عشرين ألف كتاب.
وقال رئيس البلدية إن المكتبة تفتح أبوابها يوميا حتى العاشرة مساء.
"""

HUGO = """+++
title = "Harbour bridge reopens"
date = 2024-03-31T21:10:00-05:00
publisher = "Coastal Herald"
url = "https://example.org/bridge"
tags = ["transport"]
+++
The harbour bridge reopened on Sunday evening after two years of repairs.
"""


def _records(path: Path) -> list[RawRecord | ReadProblem]:
    return list(read_file(path))


def test_yaml_front_matter_becomes_metadata(tmp_path: Path) -> None:
    post = tmp_path / "2024-04-01-library.md"
    post.write_text(JEKYLL, encoding="utf-8")
    [record] = _records(post)
    assert isinstance(record, RawRecord)
    assert record.title == "افتتاح مكتبة عامة جديدة في إربد"
    assert record.published_at == "2024-04-01T09:30:00+03:00"
    assert record.source == "صحيفة الشمال"
    assert record.url == "https://example.org/2024/04/01/library"
    assert record.language == "ar"
    assert record.text.strip().startswith("افتتحت بلدية إربد")
    assert "layout" not in record.text and "---" not in record.text


def test_toml_front_matter_becomes_metadata(tmp_path: Path) -> None:
    post = tmp_path / "bridge.md"
    post.write_text(HUGO, encoding="utf-8")
    [record] = _records(post)
    assert isinstance(record, RawRecord)
    assert (record.title, record.source, record.url) == (
        "Harbour bridge reopens",
        "Coastal Herald",
        "https://example.org/bridge",
    )
    assert record.published_at == "2024-03-31T21:10:00-05:00"
    assert record.text.strip().startswith("The harbour bridge")


def test_author_stands_in_for_a_missing_source_and_tags_are_read() -> None:
    meta = split_front_matter("---\nauthor:\n  - name: Lina Haddad\ntags: a, b\n---\nText.\n")
    assert meta.source == "Lina Haddad" and meta.tags == ("a", "b")


def test_malformed_front_matter_warns_with_its_line_and_keeps_the_article(tmp_path: Path) -> None:
    post = tmp_path / "broken.md"
    post.write_text("---\ntitle: ok\ntags: [unclosed\n---\nThe article text survives.\n", encoding="utf-8")
    problem, record = _records(post)
    assert isinstance(problem, ReadProblem) and problem.kind == "warning"
    assert problem.where == f"{post}:3" and "malformed front matter" in problem.reason
    assert isinstance(record, RawRecord) and "The article text survives." in record.text

    post.write_text("+++\ntitle = \n+++\nText.\n", encoding="utf-8")
    problem, record = _records(post)
    assert isinstance(problem, ReadProblem) and problem.where == f"{post}:2"

    post.write_text("---\ntitle: never closed\nText.\n", encoding="utf-8")
    problem, record = _records(post)
    assert isinstance(problem, ReadProblem) and "never closed" in problem.reason
    assert isinstance(record, RawRecord)


def test_plain_markdown_is_unchanged(tmp_path: Path) -> None:
    post = tmp_path / "plain.md"
    post.write_text("# A title\n\nSome text --- with a dash.\n\n---\n\nMore.\n", encoding="utf-8")
    [record] = _records(post)
    assert isinstance(record, RawRecord) and record.title == "A title" and "More." in record.text


def test_jekyll_post_is_cited_by_its_arabic_title_and_date(tmp_path: Path) -> None:
    folder = tmp_path / "_posts"
    folder.mkdir()
    (folder / "2024-04-01-library.md").write_text(JEKYLL, encoding="utf-8")
    (folder / "broken.md").write_text(
        "---\ntitle: [x\n---\nUnrelated words about weather.\n", encoding="utf-8"
    )
    sanad = Sanad(load_settings(data_dir=tmp_path / "data", cache_dir=tmp_path / "cache"))
    report = sanad.pipeline.ingest_paths([str(folder)])
    assert report.added == 2 and report.failed == 0
    assert any(n.startswith(f"warning {folder / 'broken.md'}:2") for n in report.notices)
    best = sanad.retriever.retrieve("كم كتابا في مكتبة إربد الجديدة؟", k=1)[0].chunk
    assert best.title == "افتتاح مكتبة عامة جديدة في إربد"
    assert best.published_at == "2024-04-01T09:30:00+03:00"
    assert best.source == "صحيفة الشمال"
    assert best.text.startswith("افتتحت بلدية إربد")


BROKEN_BLOCKS = {
    "yaml": "---\ntitle: Harbour toll rises\ntags: [unclosed\nauthor: Desk\n---\n",
    "toml": '+++\ntitle = "Harbour toll rises\nauthor = Desk\n+++\n',
    "not a mapping": "---\n- Harbour toll rises\n- Desk\n---\n",
}


@pytest.mark.parametrize("kind", BROKEN_BLOCKS)
def test_a_block_that_does_not_parse_never_becomes_the_first_paragraph(kind: str, tmp_path: Path) -> None:
    post = tmp_path / "post.md"
    body = "The port raised its toll on Monday.\n\nShippers said the rise was steep.\n"
    post.write_text(BROKEN_BLOCKS[kind] + body, encoding="utf-8")
    problem, record = _records(post)
    assert isinstance(problem, ReadProblem) and problem.kind == "warning"
    lines = BROKEN_BLOCKS[kind].count("\n")
    assert f"lines 1-{lines} left out of the article" in problem.reason
    assert problem.where.startswith(f"{post}:")
    assert isinstance(record, RawRecord)
    assert record.text.lstrip().startswith("The port raised its toll")
    assert "Desk" not in record.text and "---" not in record.text and "+++" not in record.text


def test_a_never_closed_fence_is_not_kept_as_a_paragraph(tmp_path: Path) -> None:
    post = tmp_path / "post.md"
    post.write_text("---\nThe port raised its toll on Monday.\n", encoding="utf-8")
    problem, record = _records(post)
    assert isinstance(problem, ReadProblem) and "never closed" in problem.reason
    assert isinstance(record, RawRecord) and record.text.strip() == "The port raised its toll on Monday."


def test_an_unclosed_block_of_keys_is_front_matter_not_the_first_paragraph(tmp_path: Path) -> None:
    post = tmp_path / "post.md"
    post.write_text(
        "---\ntitle: Ferry fares frozen\ndate: 2023-05-02\ntags:\n  - ferries\n\nFares stay at 12 euros.\n",
        encoding="utf-8",
    )
    problem, record = _records(post)
    assert isinstance(problem, ReadProblem) and problem.where == f"{post}:1"
    assert "never closed; lines 2-5 read as front matter" in problem.reason
    assert isinstance(record, RawRecord) and record.title == "Ferry fares frozen"
    assert record.published_at == "2023-05-02" and record.text.strip() == "Fares stay at 12 euros."

    post.write_text("---\ntitle: [Ferry\nsource: x\n\nFares stay at 12 euros.\n", encoding="utf-8")
    problem, record = _records(post)
    assert isinstance(problem, ReadProblem) and "lines 2-3 do not parse" in problem.reason
    assert isinstance(record, RawRecord) and record.title is None
    assert record.text.strip() == "Fares stay at 12 euros."
