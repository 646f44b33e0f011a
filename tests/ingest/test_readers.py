"""Readers: formats, encodings, provenance and every way a file can be bad."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from ingest.decoding import decode_bytes, normalize_date
from ingest.readers import (
    RawRecord,
    ReadProblem,
    count_records,
    expand_paths,
    read_file,
    read_paths,
)
from rag.errors import InputError

ARABIC = "سيول، كوريا الجنوبية – شكر الرئيس الروسي فلاديمير بوتين كوريا الشمالية على دعم تصرفاتها."


def records(items: list[RawRecord | ReadProblem]) -> list[RawRecord]:
    return [item for item in items if isinstance(item, RawRecord)]


def problems(items: list[RawRecord | ReadProblem]) -> list[ReadProblem]:
    return [item for item in items if isinstance(item, ReadProblem)]


# ------------------------------------------------------------------------------ decode_bytes


def test_decode_utf8_and_boms() -> None:
    assert decode_bytes("café مرحبا".encode(), "x") == "café مرحبا"
    assert decode_bytes(b"\xef\xbb\xbfhello", "x") == "hello"
    assert decode_bytes("مرحبا بالعالم".encode("utf-16"), "x") == "مرحبا بالعالم"
    assert decode_bytes(b"\xfe\xff" + "abc".encode("utf-16-be"), "x") == "abc"


def test_decode_latin1_cafe() -> None:
    assert decode_bytes("café".encode("latin-1"), "x") == "café"
    sentence = "Le café est très bon à Paris, où il fait beau."
    assert decode_bytes(sentence.encode("latin-1"), "x") == sentence


def test_decode_windows_1256_arabic() -> None:
    assert decode_bytes("مرحبا بالعالم".encode("cp1256"), "x") == "مرحبا بالعالم"
    assert decode_bytes(ARABIC.replace("–", "-").encode("cp1256"), "x") == ARABIC.replace("–", "-")


def test_decode_binary_raises_input_error() -> None:
    with pytest.raises(InputError) as info:
        decode_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "img.txt")
    assert info.value.reason == "binary file, not text"
    assert info.value.where == "img.txt"
    with pytest.raises(InputError, match="binary file"):
        decode_bytes(bytes(range(128, 256)) * 8 + bytes(range(1, 32)) * 8, "x")


# ------------------------------------------------------------------------------ expand_paths


def test_expand_paths_walks_sorted_skips_hidden_and_reports(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "2.txt").write_text("two")
    (tmp_path / "a.md").write_text("one")
    (tmp_path / "c.jsonl").write_text("{}")
    (tmp_path / "image.png").write_bytes(b"\x89PNG")
    (tmp_path / ".hidden.txt").write_text("secret")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "x.txt").write_text("git")
    files, probs = expand_paths([str(tmp_path), str(tmp_path / "missing.txt")])
    assert files == [tmp_path / "a.md", tmp_path / "c.jsonl", tmp_path / "b" / "2.txt"]
    assert ReadProblem(str(tmp_path / "image.png"), "unsupported extension .png", "skipped") in probs
    assert ReadProblem(str(tmp_path / "missing.txt"), "no such file or directory", "failed") in probs
    assert len(probs) == 2


def test_expand_paths_globs_direct_files_and_dedup(tmp_path: Path) -> None:
    for name in ("x1.json", "x2.json", "y.txt", "notes.xyz"):
        (tmp_path / name).write_text("{}")
    files, probs = expand_paths(
        [str(tmp_path / "x*.json"), str(tmp_path / "x1.json"), str(tmp_path / "notes.xyz")]
    )
    assert files == [tmp_path / "x1.json", tmp_path / "x2.json"]
    assert probs == [ReadProblem(str(tmp_path / "notes.xyz"), "unsupported extension .xyz", "skipped")]
    files, probs = expand_paths([str(tmp_path / "nothing*.txt")])
    assert files == []
    assert probs[0].kind == "failed"
    assert "no files match" in probs[0].reason


# ---------------------------------------------------------------------------------- txt / md


def test_read_txt(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("Title line\n\nBody text.\n", encoding="utf-8")
    [record] = list(read_file(path))
    assert isinstance(record, RawRecord)
    assert record.text == "Title line\n\nBody text.\n"
    assert record.title is None
    assert (record.origin, record.fmt, record.record_id) == (str(path), "txt", None)


def test_read_latin1_and_cp1256_files(tmp_path: Path) -> None:
    latin = tmp_path / "latin.txt"
    latin.write_bytes("Un café au lait, s'il vous plaît.".encode("latin-1"))
    arabic = tmp_path / "arabic.txt"
    arabic.write_bytes("مرحبا بالعالم\nهذا خبر قصير عن الطقس.".encode("cp1256"))
    [first] = list(read_file(latin))
    [second] = list(read_file(arabic))
    assert isinstance(first, RawRecord) and first.text == "Un café au lait, s'il vous plaît."
    assert isinstance(second, RawRecord) and second.text == "مرحبا بالعالم\nهذا خبر قصير عن الطقس."


def test_read_markdown_heading_becomes_title(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text("# Putin visits Pyongyang\n\nThe visit was the first in 24 years.\n")
    [record] = list(read_file(path))
    assert isinstance(record, RawRecord)
    assert record.title == "Putin visits Pyongyang"
    assert record.text.strip() == "The visit was the first in 24 years."
    assert record.fmt == "md"


def test_utf8_with_stray_bytes_is_read_with_a_warning(tmp_path: Path) -> None:
    """nc8 D7: two bad bytes refused a whole Arabic article as "binary file, not text"."""
    path = tmp_path / "camp.txt"
    path.write_bytes("مخيم الزعتري\n".encode() + ARABIC.encode() + b" \xff\xfe " + "ويضم ٣٢ مدرسة.".encode())
    warning, record = read_file(path)
    assert isinstance(warning, ReadProblem) and warning.kind == "warning" and warning.where == str(path)
    offset = len("مخيم الزعتري\n".encode() + ARABIC.encode()) + 1
    assert warning.reason == (
        f"invalid UTF-8 at line 2 (byte {offset}); 2 invalid byte sequences replaced by U+FFFD"
    )
    assert isinstance(record, RawRecord) and record.text.endswith(ARABIC + " \ufffd\ufffd ويضم ٣٢ مدرسة.")
    feed = tmp_path / "feed.jsonl"
    feed.write_bytes(b'{"body": "' + ARABIC.encode() + b'\xff"}\n')
    warning, record = read_file(feed)
    at = len(b'{"body": "' + ARABIC.encode())
    reason = f"invalid UTF-8 at byte {at}; 1 invalid byte sequence replaced by U+FFFD"
    assert (warning.where, warning.reason) == (f"{feed}:1", reason)
    assert isinstance(record, RawRecord) and record.text == ARABIC + "\ufffd"


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.txt", b"", "empty article"),
        ("blank.txt", b"  \n\t\n  ", "empty article"),
        ("binary.txt", b"\x00\x01\x02\x03PK\x03\x04\x00\x00binary", "binary file, not text"),
    ],
)
def test_bad_text_files_fail(tmp_path: Path, name: str, content: bytes, reason: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    assert list(read_file(path)) == [ReadProblem(str(path), reason, "failed")]


def test_unreadable_path_fails_with_os_reason(tmp_path: Path) -> None:
    path = tmp_path / "x.txt"
    path.mkdir()  # a directory named like a text file cannot be read, even by root
    [problem] = list(read_file(path))
    assert isinstance(problem, ReadProblem)
    assert problem.kind == "failed"
    assert problem.where == str(path)
    assert "directory" in problem.reason.lower()


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads files despite chmod 000")
def test_permission_denied_fails(tmp_path: Path) -> None:
    path = tmp_path / "locked.txt"
    path.write_text("secret")
    path.chmod(0)
    try:
        [problem] = list(read_file(path))
    finally:
        path.chmod(0o644)
    assert problem == ReadProblem(str(path), "Permission denied", "failed")


def test_unknown_extension_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "a.xyz"
    path.write_text("text")
    assert list(read_file(path)) == [ReadProblem(str(path), "unsupported extension .xyz", "skipped")]


def test_text_file_over_byte_limit_fails_without_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text("a" * 401)
    [problem] = list(read_file(path, max_chars=100))
    assert isinstance(problem, ReadProblem) and problem.kind == "failed"
    assert "over the limit" in problem.reason and "SANAD_INGEST__MAX_ARTICLE_CHARS" in problem.reason


def test_text_file_over_char_limit_fails(tmp_path: Path) -> None:
    path = tmp_path / "long.txt"
    path.write_text("a" * 150)
    [problem] = list(read_file(path, max_chars=100))
    assert problem == ReadProblem(
        str(path), "article is 150 characters, over the limit of 100 (SANAD_INGEST__MAX_ARTICLE_CHARS)"
    )
    path.write_text("a" * 100)
    [record] = list(read_file(path, max_chars=100))
    assert isinstance(record, RawRecord) and len(record.text) == 100


# --------------------------------------------------------------------------------------- html

HTML = """<!doctype html>
<html><head>
<meta charset="utf-8">
<title>Council approves budget - Example Times</title>
<meta property="article:published_time" content="2024-06-18T10:00:00Z">
<meta property="og:site_name" content="Example Times">
<link rel="canonical" href="https://example.com/news/budget">
<script>var trackingSecret = "DO-NOT-EXTRACT";</script>
</head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/world">World menu entry</a></li></ul></nav>
<article>
<h1>Council approves budget</h1>
<p>The city council voted on Tuesday to approve the new budget, which includes money for
schools, parks and the repair of the old bridge over the river.</p>
<p>Officials said the plan would take effect next month after a final review by the mayor and
the finance committee, who must sign it before the end of the fiscal year.</p>
</article>
<script>console.log("inline script text");</script>
<footer><p>Copyright 2024 Example Times. All rights reserved. Footer boilerplate.</p></footer>
</body></html>
"""


def test_read_html_extracts_main_text_and_metadata(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(HTML, encoding="utf-8")
    [record] = list(read_file(path))
    assert isinstance(record, RawRecord)
    assert "voted on Tuesday to approve the new budget" in record.text
    assert "finance committee" in record.text
    for debris in ("DO-NOT-EXTRACT", "inline script", "World menu entry", "Footer boilerplate"):
        assert debris not in record.text
    assert record.title is not None and record.title.startswith("Council approves budget")
    assert record.published_at == "2024-06-18"
    assert record.source == "Example Times"
    assert record.url == "https://example.com/news/budget"
    assert record.fmt == "html"


_PAGE = "<html><head><title>T</title>{head}</head><body><article>{body}</article></body></html>"
_META = '<meta property="article:published_time" content="2024-05-06T10:00:00+03:00">'
_CANONICAL = '<link rel="canonical" href="https://example.org/2015/03/07/story">'


@pytest.mark.parametrize(
    ("head", "body", "expected"),
    [
        # nc8 D4: a year in the text, or in a footer, is no publication date (was 1 January)
        ("", "<p>The Amman zoo, founded in 1998, added two lions.</p><p>Its 2019 budget grew.</p>", None),
        ("", "<p>Jerash hosted a marathon with 3,000 runners.</p><footer>© 2021 Example News</footer>", None),
        ("", "<p>Aqaba airport handled 700,000 passengers in 2023.</p>", None),
        # dates from markup, the canonical URL or a date line are kept
        (
            '<meta property="article:published_time" content="2024-05-06T10:00:00+03:00">',
            "<p>Petra.</p>",
            "2024-05-06",
        ),
        ("", '<time datetime="2023-11-02">2 November 2023</time><p>Aqaba port reopened.</p>', "2023-11-02"),
        (
            '<link rel="canonical" href="https://example.org/2015/03/07/story">',
            "<p>Madaba.</p>",
            "2015-03-07",
        ),
        ("", "<p>عمّان، ٥ أيار ٢٠٢٤ — افتتحت أمانة عمّان حديقة جديدة تضم ألف شجرة.</p>", "2024-05-05"),
    ],
)
def test_html_date_only_from_markup_url_or_dateline(
    tmp_path: Path, head: str, body: str, expected: str | None
) -> None:
    path = tmp_path / "page.html"
    path.write_text(_PAGE.format(head=head, body=body), encoding="utf-8")
    [record] = list(read_file(path))
    assert isinstance(record, RawRecord) and record.published_at == expected


def test_html_without_text_fails(tmp_path: Path) -> None:
    path = tmp_path / "empty.htm"
    path.write_text("<html><head><title>x</title></head><body><script>1</script></body></html>")
    [problem] = list(read_file(path))
    assert isinstance(problem, ReadProblem) and problem.kind == "failed"
    assert "no article text" in problem.reason


# --------------------------------------------------------------------------------------- json


def test_read_json_object_and_field_aliases(tmp_path: Path) -> None:
    path = tmp_path / "one.json"
    obj = {
        "article_id": 42,
        "headline": "عنوان الخبر",
        "maintext": ARABIC,
        "link": "https://example.com/a",
        "source": {"id": "x", "name": "الجزيرة"},
        "pubDate": "Tue, 18 Jun 2024 10:00:00 GMT",
        "lang": "ar",
    }
    path.write_text(json.dumps(obj, ensure_ascii=False), encoding="utf-8")
    assert list(read_file(path)) == [
        RawRecord(
            text=ARABIC,
            title="عنوان الخبر",
            source="الجزيرة",
            url="https://example.com/a",
            published_at="2024-06-18T10:00:00+00:00",
            language="ar",
            record_id="42",
            origin=str(path),
            fmt="json",
            date_field="pubDate",
        )
    ]


def test_read_json_list_origins_and_bad_elements(tmp_path: Path) -> None:
    path = tmp_path / "many.json"
    data = [{"id": "a", "text": "first"}, "not an object", {"title": "no body"}, {"body": 3}]
    path.write_text(json.dumps(data))
    items = list(read_file(path))
    assert [r.origin for r in records(items)] == [f"{path}[0]"]
    assert [(p.where, p.reason) for p in problems(items)] == [
        (f"{path}[1]", "expected a JSON object (an article), got string"),
        (f"{path}[2]", "missing article body (expected one of: body, text, content, article, maintext)"),
        (f"{path}[3]", "article body field 'body' is not a string (got int)"),
    ]


def test_a_date_that_is_no_string_or_number_is_kept_as_written(tmp_path: Path) -> None:
    """nc8 D10: {"y": 2024} was dropped silently; as written, ingest.dates warns and drops it."""
    path = tmp_path / "feed.jsonl"
    rows = [{"body": "A.", "date": {"y": 2024}}, {"body": "B.", "date": ""}, {"body": "C.", "date": ["x"]}]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    assert [(r.published_at, r.date_field) for r in records(list(read_file(path)))] == [
        ('{"y": 2024}', "date"),
        (None, "date"),  # blank: undated, nothing to say
        ('["x"]', "date"),
    ]


def test_first_present_field_wins(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_text(json.dumps({"body": None, "text": "from text", "content": "from content", "title": "T"}))
    [record] = list(read_file(path))
    assert isinstance(record, RawRecord) and record.text == "from text" and record.title == "T"


def test_invalid_json_file_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{\n  "body": "x",\n  oops\n}')
    [problem] = list(read_file(path))
    assert isinstance(problem, ReadProblem)
    assert problem.where == f"{path}:3"
    assert problem.reason.startswith("invalid JSON: ")


def test_json_nested_too_deeply_fails_that_file_only(tmp_path: Path) -> None:
    deep = tmp_path / "deep.json"
    deep.write_bytes(b"[" * 100_000 + b"]" * 100_000)  # nc8's file: a RecursionError ended the run
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"body": "The solar plant opened."}))
    items = list(read_paths([str(tmp_path)]))
    assert [(p.where, p.reason) for p in problems(items)] == [(str(deep), "JSON nested too deeply")]
    assert [r.text for r in records(items)] == ["The solar plant opened."]
    assert count_records([deep, good]) == 2


# -------------------------------------------------------------------------------------- jsonl


def test_jsonl_line_nested_too_deeply_fails_that_line(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    deep = '{"body": ' * 50_000 + '"x"' + "}" * 50_000
    path.write_text(json.dumps({"body": "first"}) + "\n" + deep + "\n" + json.dumps({"body": "third"}))
    items = list(read_file(path))
    assert [r.text for r in records(items)] == ["first", "third"]
    assert [(p.where, p.reason) for p in problems(items)] == [(f"{path}:2", "JSON nested too deeply")]


def test_jsonl_invalid_line_7_others_still_read(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    lines = [json.dumps({"id": f"r{i}", "body": f"Article number {i}."}) for i in range(1, 11)]
    lines[6] = '{"id": "r7", "body": "broken'
    path.write_text("\n".join(lines[:3]) + "\n\n" + "\n".join(lines[3:]) + "\n")  # blank line 4
    items = list(read_file(path))
    got = records(items)
    assert [r.record_id for r in got] == ["r1", "r2", "r3", "r4", "r5", "r6", "r8", "r9", "r10"]
    assert got[0].origin == f"{path}:1"
    assert got[3].origin == f"{path}:5"  # the blank line still counts
    [problem] = problems(items)
    assert problem.where == f"{path}:8"
    assert problem.reason.startswith("invalid JSON: Unterminated string")
    assert all(r.fmt == "jsonl" for r in got)


def test_jsonl_invalid_json_where_is_path_colon_line(tmp_path: Path) -> None:
    path = tmp_path / "feed.ndjson"
    lines = [json.dumps({"body": f"text {i}"}) for i in range(10)]
    lines[6] = "not json at all"
    path.write_text("\n".join(lines))
    items = list(read_file(path))
    assert len(records(items)) == 9
    assert [p.where for p in problems(items)] == [f"{path}:7"]


def test_jsonl_missing_body_and_non_object(tmp_path: Path) -> None:
    path = tmp_path / "f.jsonl"
    path.write_text('{"title": "only a title"}\n[1, 2]\n{"content": "   "}\n{"content": "ok"}\n')
    items = list(read_file(path))
    assert [(p.where, p.reason) for p in problems(items)] == [
        (f"{path}:1", "missing article body (expected one of: body, text, content, article, maintext)"),
        (f"{path}:2", "expected a JSON object (an article), got array"),
        (f"{path}:3", "empty article (field 'content' is blank)"),
    ]
    assert [r.text for r in records(items)] == ["ok"]


def test_jsonl_huge_line_fails_and_reading_goes_on(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    with path.open("w") as handle:
        handle.write(json.dumps({"body": "x" * 20_000_000}) + "\n")
        handle.write(json.dumps({"body": "small one"}) + "\n")
    items = list(read_file(path))
    [problem] = problems(items)
    assert problem.where == f"{path}:1"
    assert "over the limit" in problem.reason
    assert [r.text for r in records(items)] == ["small one"]
    assert records(items)[0].origin == f"{path}:2"


def test_jsonl_body_over_char_limit(tmp_path: Path) -> None:
    path = tmp_path / "f.jsonl"
    path.write_text(json.dumps({"body": "y" * 150}) + "\n")
    [problem] = list(read_file(path, max_chars=100))
    assert problem == ReadProblem(
        f"{path}:1", "article is 150 characters, over the limit of 100 (SANAD_INGEST__MAX_ARTICLE_CHARS)"
    )


def test_jsonl_empty_file_fails(tmp_path: Path) -> None:
    path = tmp_path / "f.jsonl"
    path.write_text("\n\n")
    assert list(read_file(path)) == [ReadProblem(str(path), "empty article")]


# --------------------------------------------------------------------------------- read_paths


def test_read_paths_combines_expansion_and_reading(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Alpha.")
    (tmp_path / "b.jsonl").write_text('{"body": "Beta."}\n{"body": "Gamma."}\n')
    (tmp_path / "c.pdf").write_bytes(b"%PDF")
    items = list(read_paths([str(tmp_path), str(tmp_path / "nope")]))
    assert [r.text for r in records(items)] == ["Alpha.", "Beta.", "Gamma."]
    assert sorted((p.kind, p.reason) for p in problems(items)) == [
        ("failed", "no such file or directory"),
        ("skipped", "unsupported extension .pdf"),
    ]


# ---------------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-06-18", "2024-06-18"),
        ("2024-06-18T10:00:00Z", "2024-06-18T10:00:00+00:00"),
        ("2024-06-18 10:00:00", "2024-06-18T10:00:00"),
        ("Tue, 18 Jun 2024 10:00:00 +0300", "2024-06-18T10:00:00+03:00"),
        ("June 18, 2024", "2024-06-18"),
        (1718704800, "2024-06-18T10:00:00+00:00"),
        (1718704800000, "2024-06-18T10:00:00+00:00"),
        ("yesterday-ish", "yesterday-ish"),
        ("  ", None),
        (None, None),
    ],
)
def test_normalize_date(raw: object, expected: str | None) -> None:
    assert normalize_date(raw) == expected
