"""Read articles from files: txt, md, html, json and jsonl → raw records with provenance.

Every record says where it came from (``origin``: "path", "path:LINE" or "path[INDEX]") and every
problem names the place at fault, so an ingest report can point the user at the exact line.

Nothing here touches the network. URLs (``http://``, ``https://``) are not paths: the caller
splits them out of its inputs before calling :func:`expand_paths` or :func:`read_paths`, which
treat every input as a path or glob pattern.
"""

from __future__ import annotations

import codecs
import glob
import json
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from ingest.datelines import dateline_date
from ingest.decoding import decode_bytes, is_iso_date, normalize_date
from ingest.front_matter import split_front_matter
from ingest.hidden_html import remove_hidden_elements
from rag.errors import InputError

DEFAULT_MAX_CHARS = 1_000_000
"""Default longest article body, in characters (``SANAD_INGEST__MAX_ARTICLE_CHARS``)."""

_FORMATS: dict[str, str] = {
    ".txt": "txt",
    ".text": "txt",
    ".md": "md",
    ".markdown": "md",
    ".html": "html",
    ".htm": "html",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}

SUPPORTED_EXTENSIONS = tuple(_FORMATS)
"""File name endings ``sanad ingest`` reads (lower case; matched case-insensitively)."""

# Accepted field names of JSON records, first present (and not null) wins.
ID_FIELDS = ("id", "article_id", "_id", "guid")
TITLE_FIELDS = ("title", "headline", "name")
BODY_FIELDS = ("body", "text", "content", "article", "maintext")
URL_FIELDS = ("url", "link", "href")
SOURCE_FIELDS = ("source", "outlet", "site", "publisher", "source_name")
DATE_FIELDS = ("published_at", "date", "published", "pubDate", "publish_date", "datetime", "created_at")
LANGUAGE_FIELDS = ("language", "lang")

_BYTES_PER_CHAR = 4  # UTF-8 needs at most 4 bytes per character
_JSONL_LINE_SLACK = 64 * 1024  # room for the other fields of a JSONL record, in bytes
_READ_BLOCK = 1 << 16


@dataclass(frozen=True)
class RawRecord:
    """One article as read, before cleaning.

    Attributes:
        text: The raw article body.
        title: Title from the record or page metadata, or None (the pipeline may guess one).
        source: Outlet or site name, or None.
        url: Link to the original, or None.
        published_at: ISO-8601 date or datetime when parseable, else the string as given, or None.
        language: Language code as given by the record or page, or None.
        record_id: The record's own id (JSON ``id``/``article_id``/``_id``/``guid``), or None.
        origin: "path" for a file, "path:LINE" for a JSONL line (1-based), "path[INDEX]" for an
            element of a JSON list (0-based).
        fmt: "txt", "md", "html", "json" or "jsonl".
        date_field: Where ``published_at`` came from, named in warnings about it ("pubDate",
            "dateline"…); :mod:`ingest.dates` checks it for every reader.
    """

    text: str
    title: str | None
    source: str | None
    url: str | None
    published_at: str | None
    language: str | None
    record_id: str | None
    origin: str
    fmt: str
    date_field: str = "date"


@dataclass(frozen=True)
class ReadProblem:
    """A file, line or record that yielded no article.

    Attributes:
        where: "path", "path:LINE" or "path[INDEX]".
        reason: Human-readable cause, e.g. "invalid JSON: Expecting value: line 1 column 1 (char 0)".
        kind: "failed" for bad input, "skipped" for files that are not articles (unknown extension,
            dangling or looping links), "warning" for a file still read but not as intended
            (malformed front matter: the article is ingested with it as text).
    """

    where: str
    reason: str
    kind: Literal["failed", "skipped", "warning"] = "failed"


WEB_URL_SCHEMES = ("http", "https")
"""The only schemes an article's ``url`` may have: it is shown as a link (citations, the UI, the
OpenAI route's Sources list), so ``javascript:``, ``data:``, ``file:`` and the like never are."""

_CONTROL = re.compile(r"[\x00-\x20\x7f]")


def web_url(value: str | None) -> str | None:
    """``value`` stripped when it is an absolute http(s) URL with a host, else None.

    The one check of an article's URL: ingest (:func:`checked_url`, for every reader) and the
    HTTP API's article schema both use it. Whitespace or control characters inside the URL, a
    missing host, a relative URL or any other scheme (``javascript:``, ``data:``, ``ftp:``…)
    make it None.
    """
    if value is None:
        return None
    url = value.strip()
    if not url or _CONTROL.search(url):
        return None
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:  # e.g. a malformed IPv6 host or port
        return None
    if parts.scheme.lower() not in WEB_URL_SCHEMES or not host:
        return None
    return url


def checked_url(record: RawRecord) -> tuple[RawRecord, ReadProblem | None]:
    """``record`` with its URL kept only when :func:`web_url` accepts it.

    Returns:
        The record (its ``url`` stripped, or None) and, when a URL was dropped, a warning naming
        the record's origin ("path:LINE", "api[3]"…); the article is still ingested, without URL.
    """
    if record.url is None:
        return record, None
    url = web_url(record.url)
    if url == record.url:
        return record, None
    clean = replace(record, url=url)
    if url is not None:
        return clean, None
    shown = record.url if len(record.url) <= 80 else record.url[:77] + "..."
    warning = ReadProblem(
        record.origin, f"field 'url' is not an http(s) URL, ingested without it: {shown!r}", "warning"
    )
    return clean, warning


# --------------------------------------------------------------------------------------- paths


def _format_of(path: Path) -> str | None:
    return _FORMATS.get(path.suffix.lower())


def _unsupported(path: Path) -> ReadProblem:
    suffix = path.suffix.lower()
    shown = suffix if suffix else "(none)"
    return ReadProblem(str(path), f"unsupported extension {shown}", "skipped")


def _is_glob(pattern: str) -> bool:
    return any(ch in pattern for ch in "*?[")


def _dangling(path: Path) -> ReadProblem:
    try:
        target = os.readlink(path)
    except OSError:
        target = "?"
    reason = f"dangling symbolic link (points to {target}, which does not exist)"
    return ReadProblem(str(path), reason, "skipped")


def _walk(directory: Path, problems: list[ReadProblem]) -> Iterator[Path]:
    """Files under ``directory``, recursively, sorted, hidden files and directories skipped.

    Links to folders are followed, each real folder once: a link back to a folder being read (a
    loop) or to one already read is reported as skipped, and so is a dangling link. Nothing is
    left out without a :class:`ReadProblem` saying why (hidden names excepted).
    """
    seen = {os.path.realpath(directory)}
    for root, dirs, files in os.walk(directory, followlinks=True):
        keep: list[str] = []
        # Real folders claim their place before links to them, so a link is what gets skipped.
        for name in sorted(dirs, key=lambda d: (os.path.islink(os.path.join(root, d)), d)):
            if name.startswith("."):
                continue
            sub = Path(root) / name
            real = os.path.realpath(sub)
            if real in seen:
                problems.append(
                    ReadProblem(
                        str(sub),
                        f"symbolic link to a folder already read ({real}): not followed again",
                        "skipped",
                    )
                )
                continue
            seen.add(real)
            keep.append(name)
        dirs[:] = sorted(keep)
        for name in sorted(files):
            if name.startswith("."):
                continue
            path = Path(root) / name
            if path.is_symlink() and not path.exists():
                problems.append(_dangling(path))
                continue
            yield path


def expand_paths(inputs: Sequence[str]) -> tuple[list[Path], list[ReadProblem]]:
    """Expand files, directories and glob patterns into the article files to read.

    Directories are walked recursively in sorted order, skipping hidden files and directories
    (names starting with "."). Links to folders are followed, each real folder once (loops and
    second paths are reported as skipped); dangling links are reported as skipped.
    Glob patterns (``*``, ``?``, ``[...]``; ``**`` recurses) are
    expanded in sorted order; a pattern that matches a directory walks it. A path that exists
    literally is taken as a path even if it contains glob characters. A file reached twice is
    listed once. Every input is a path: the caller splits out URLs before calling this.

    Args:
        inputs: Paths, directories or glob patterns, as typed by the user (``~`` is expanded).

    Returns:
        ``(files, problems)``: the supported files in input order, and one
        :class:`ReadProblem` per missing input ("failed", "no such file or directory"; "no
        files match the pattern") or unsupported file ("skipped", "unsupported extension .xyz").
    """
    files: list[Path] = []
    problems: list[ReadProblem] = []
    seen: set[Path] = set()

    def add(path: Path) -> None:
        if _format_of(path) is None:
            problems.append(_unsupported(path))
            return
        try:
            key = path.resolve()
        except OSError:
            key = path.absolute()
        if key not in seen:
            seen.add(key)
            files.append(path)

    def add_any(path: Path) -> None:
        if path.is_dir():
            for found in _walk(path, problems):
                add(found)
        elif path.is_file():
            add(path)
        else:
            problems.append(ReadProblem(str(path), "not a regular file"))

    for raw in inputs:
        path = Path(raw).expanduser()
        if path.exists():
            add_any(path)
        elif path.is_symlink():
            problems.append(_dangling(path))
        elif _is_glob(raw):
            matches = sorted(glob.glob(os.path.expanduser(raw), recursive=True))
            if not matches:
                problems.append(ReadProblem(raw, "no files match the pattern"))
            for match in matches:
                add_any(Path(match))
        else:
            problems.append(ReadProblem(raw, "no such file or directory"))
    return files, problems


def _over_limit(chars: int, max_chars: int) -> str:
    return f"article is {chars} characters, over the limit of {max_chars} (SANAD_INGEST__MAX_ARTICLE_CHARS)"


def _first(obj: dict[str, Any], names: Sequence[str]) -> tuple[str, Any] | None:
    for name in names:
        if name in obj and obj[name] is not None:
            return name, obj[name]
    return None


def _as_text(value: Any) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str | int | float):
        text = str(value).strip()
        return text or None
    return None


def _field_text(obj: dict[str, Any], names: Sequence[str]) -> str | None:
    found = _first(obj, names)
    return None if found is None else _as_text(found[1])


def _source_of(obj: dict[str, Any]) -> str | None:
    found = _first(obj, SOURCE_FIELDS)
    if found is None:
        return None
    value = found[1]
    if isinstance(value, dict):
        return _as_text(value.get("name"))
    return _as_text(value)


def record_from_object(
    obj: object, *, origin: str, fmt: str, max_chars: int = DEFAULT_MAX_CHARS
) -> RawRecord | ReadProblem:
    """Turn one decoded JSON value into a record, or a problem naming the field at fault.

    Field names accepted (first present and not null wins) are listed in ``ID_FIELDS``,
    ``TITLE_FIELDS``, ``BODY_FIELDS``, ``URL_FIELDS``, ``SOURCE_FIELDS`` (a dict source gives
    its "name"), ``DATE_FIELDS`` and ``LANGUAGE_FIELDS``.

    Args:
        obj: The decoded JSON value.
        origin: "path:LINE" or "path[INDEX]" (also used as the problem's ``where``).
        fmt: "json" or "jsonl".
        max_chars: Longest accepted body, in characters.

    Returns:
        A :class:`RawRecord`, or a failed :class:`ReadProblem` when ``obj`` is not an object,
        its body is missing, not a string, empty, or over ``max_chars``. A date that is not one
        is kept as written (:mod:`ingest.dates` warns and drops it). Without a date field, the
        date of the body's dateline is used (:func:`ingest.datelines.dateline_date`).
    """
    if not isinstance(obj, dict):
        kind = "null" if obj is None else type(obj).__name__
        kind = {"dict": "object", "list": "array", "str": "string", "int": "number"}.get(kind, kind)
        return ReadProblem(origin, f"expected a JSON object (an article), got {kind}")
    found = _first(obj, BODY_FIELDS)
    if found is None:
        return ReadProblem(origin, f"missing article body (expected one of: {', '.join(BODY_FIELDS)})")
    name, body = found
    if not isinstance(body, str):
        kind = {"dict": "object", "list": "array"}.get(type(body).__name__, type(body).__name__)
        return ReadProblem(origin, f"article body field {name!r} is not a string (got {kind})")
    if not body.strip():
        return ReadProblem(origin, f"empty article (field {name!r} is blank)")
    if len(body) > max_chars:
        return ReadProblem(origin, _over_limit(len(body), max_chars))
    date_found = _first(obj, DATE_FIELDS)
    # A date that does not parse stays as written: ingest.dates warns and stores the article
    # undated (one bad field should not cost the article; the HTTP API refuses it with a 422).
    published_at = None if date_found is None else normalize_date(date_found[1])
    if date_found is not None and published_at is None and not isinstance(date_found[1], str):
        # e.g. {"y": 2024}: kept as written, so that ingest.dates warns instead of a silent drop
        published_at = json.dumps(date_found[1], ensure_ascii=False)
    return RawRecord(
        text=body,
        title=_field_text(obj, TITLE_FIELDS),
        source=_source_of(obj),
        url=_field_text(obj, URL_FIELDS),
        published_at=published_at if date_found is not None else dateline_date(body),
        language=_field_text(obj, LANGUAGE_FIELDS),
        record_id=_field_text(obj, ID_FIELDS),
        origin=origin,
        fmt=fmt,
        date_field=date_found[0] if date_found is not None else "dateline",
    )


# --------------------------------------------------------------------------------------- files


def _os_reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _read_text_file(path: Path, max_chars: int, notes: list[str]) -> str | ReadProblem:
    """Read and decode a whole txt/md/html file, or say why not; ``notes`` receives what to warn
    about (bytes replaced while decoding)."""
    where = str(path)
    limit = _BYTES_PER_CHAR * max_chars
    try:
        size = path.stat().st_size
        if size > limit:
            return ReadProblem(
                where,
                f"file is {size} bytes, over the limit of {limit} bytes for articles of at most "
                f"{max_chars} characters (SANAD_INGEST__MAX_ARTICLE_CHARS)",
            )
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        return ReadProblem(where, _os_reason(exc))
    if not data.strip():
        return ReadProblem(where, "empty article")
    try:
        text = decode_bytes(data, where, notes)
    except InputError as exc:
        return ReadProblem(where, exc.reason)
    if not text.strip():
        return ReadProblem(where, "empty article")
    return text


_MD_TITLE_RE = re.compile(r"\A\s*#[ \t]+(?P<title>[^\n]*?)[ \t#]*(?:\n|\Z)")


def _read_plain(path: Path, fmt: str, max_chars: int) -> Iterator[RawRecord | ReadProblem]:
    notes: list[str] = []
    text = _read_text_file(path, max_chars, notes)
    yield from (ReadProblem(str(path), note, "warning") for note in notes)
    if isinstance(text, ReadProblem):
        yield text
        return
    title: str | None = None
    meta = None
    if fmt == "md":
        meta = split_front_matter(text)
        if meta.warning:
            line, _, reason = meta.warning.partition(": ")
            yield ReadProblem(f"{path}:{line.removeprefix('line ')}", reason, "warning")
        elif not meta.body.strip():
            yield ReadProblem(str(path), "empty article (only front matter)")
            return
        text = meta.body
        title = meta.title
        match = None if title else _MD_TITLE_RE.match(text)
        if match and match.group("title").strip():
            title = match.group("title").strip()
            text = text[match.end() :]
            if not text.strip():
                yield ReadProblem(str(path), "empty article (only a title)")
                return
    if len(text) > max_chars:
        yield ReadProblem(str(path), _over_limit(len(text), max_chars))
        return
    if meta is None:
        yield RawRecord(text, title, None, None, dateline_date(text), None, None, str(path), fmt, "dateline")
        return
    published_at = normalize_date(meta.published_at) if meta.published_at else dateline_date(text)
    if meta.published_at and not is_iso_date(published_at):
        # Only the date is lost, not the title and source: said here, where its line is known.
        line = f":{meta.date_line}" if meta.date_line else ""
        reason = f"field {meta.date_key!r} is not a date: {meta.published_at!r}; ingested as undated"
        yield ReadProblem(f"{path}{line}", reason, "warning")
        published_at = None
    yield RawRecord(
        text=text,
        title=title,
        source=meta.source,
        url=meta.url,
        published_at=published_at,
        language=meta.language,
        record_id=None,
        origin=str(path),
        fmt=fmt,
        date_field=(meta.date_key or "date") if meta.published_at else "dateline",
    )


def _read_html(path: Path, max_chars: int) -> Iterator[RawRecord | ReadProblem]:
    notes: list[str] = []
    html = _read_text_file(path, max_chars, notes)
    yield from (ReadProblem(str(path), note, "warning") for note in notes)
    yield html if isinstance(html, ReadProblem) else extract_html(html, str(path), max_chars)


def extract_html(
    html: str, where: str, max_chars: int = DEFAULT_MAX_CHARS, url: str | None = None
) -> RawRecord | ReadProblem:
    """Extract the main text and metadata of an HTML page with trafilatura (no network).

    Comments, tables and hidden elements (:mod:`ingest.hidden_html`) are left out. Title, date,
    site name (as ``source``), language and the canonical URL (``<link rel="canonical">`` or
    ``og:url``; else ``url``) come from the page. The date comes from the page's markup (meta
    tags, ``<time>``, JSON-LD, the URL, a full date in a date element) or else from a dateline
    (:func:`ingest.datelines.dateline_date`); htmldate's "extensive search" is off, since it
    turned any year in the text into 1 January ("founded in 1998", "© 2021": nc8 report, D4).

    Args:
        html: The decoded page.
        where: The file path or URL, used as the record's origin and in problems.
        max_chars: Longest accepted article body, in characters.
        url: The address the page was fetched from, if any (fallback for the canonical URL and
            the site name).

    Returns:
        A :class:`RawRecord` (fmt "html"), or a failed :class:`ReadProblem` when the page cannot
        be parsed, holds no article text, or its text is over ``max_chars``.
    """
    import trafilatura
    from trafilatura.settings import set_date_params

    try:
        doc = trafilatura.bare_extraction(
            remove_hidden_elements(html),
            url=url,
            with_metadata=True,
            include_comments=False,
            include_tables=False,
            favor_recall=True,
            date_extraction_params=set_date_params(extensive=False),
        )
    except Exception as exc:  # trafilatura/lxml raise many types on malformed pages
        return ReadProblem(where, f"cannot parse HTML: {exc}")
    text = getattr(doc, "text", None) if doc is not None else None
    if not isinstance(text, str) or not text.strip():
        return ReadProblem(where, "no article text found in the HTML page")
    if len(text) > max_chars:
        return ReadProblem(where, _over_limit(len(text), max_chars))

    def meta(name: str) -> str | None:
        return _as_text(getattr(doc, name, None))

    published_at = normalize_date(getattr(doc, "date", None))
    return RawRecord(
        text=text,
        title=meta("title"),
        source=meta("sitename"),
        url=meta("url"),
        published_at=published_at or dateline_date(text),
        language=meta("language"),
        record_id=None,
        origin=where,
        fmt="html",
        date_field="date" if published_at else "dateline",
    )


def _parse_json(text: str | bytes) -> Any:
    """``json.loads``, with nesting too deep to decode as an :class:`InputError`.

    Python's decoder recurses once per ``[``/``{`` and raises ``RecursionError`` past the
    interpreter's limit (about 1,000): 200 KB of ``[`` would otherwise end the whole run
    (nc8 report, D3) instead of failing that one file or line.

    Raises:
        json.JSONDecodeError: the text is not JSON.
        InputError: it nests too deeply.
    """
    try:
        return json.loads(text)
    except RecursionError:
        raise InputError("JSON nested too deeply") from None


def _read_json(path: Path, max_chars: int) -> Iterator[RawRecord | ReadProblem]:
    where = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        yield ReadProblem(where, _os_reason(exc))
        return
    if not data.strip():
        yield ReadProblem(where, "empty article")
        return
    notes: list[str] = []
    try:
        value = _parse_json(decode_bytes(data, where, notes))
    except InputError as exc:
        yield ReadProblem(where, exc.reason)
        return
    except json.JSONDecodeError as exc:
        yield ReadProblem(f"{where}:{exc.lineno}", f"invalid JSON: {exc.msg} (column {exc.colno})")
        return
    yield from (ReadProblem(where, note, "warning") for note in notes)
    if isinstance(value, list):
        if not value:
            yield ReadProblem(where, "empty list: no articles")
        for index, item in enumerate(value):
            yield record_from_object(item, origin=f"{where}[{index}]", fmt="json", max_chars=max_chars)
    else:
        yield record_from_object(value, origin=where, fmt="json", max_chars=max_chars)


def _read_jsonl(path: Path, max_chars: int) -> Iterator[RawRecord | ReadProblem]:
    """Stream a JSONL file line by line; memory is bounded by the longest accepted line."""
    where = str(path)
    line_limit = _BYTES_PER_CHAR * max_chars + _JSONL_LINE_SLACK
    try:
        handle = path.open("rb")
    except OSError as exc:
        yield ReadProblem(where, _os_reason(exc))
        return
    with handle:
        lineno = 0
        any_line = False
        try:
            while True:
                line = handle.readline(line_limit + 1)
                if not line:
                    break
                lineno += 1
                here = f"{where}:{lineno}"
                if len(line) > line_limit and not line.endswith(b"\n"):
                    size = len(line)
                    while True:  # drain the rest of the over-long line without keeping it
                        block = handle.readline(_READ_BLOCK)
                        size += len(block)
                        if not block or block.endswith(b"\n"):
                            break
                    yield ReadProblem(
                        here,
                        f"line is {size} bytes, over the limit of {line_limit} bytes for articles "
                        f"of at most {max_chars} characters (SANAD_INGEST__MAX_ARTICLE_CHARS)",
                    )
                    any_line = True
                    continue
                if lineno == 1:
                    if line.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                        yield ReadProblem(where, "JSONL must be UTF-8 (this file is UTF-16)")
                        return
                    if line.startswith(codecs.BOM_UTF8):
                        line = line[len(codecs.BOM_UTF8) :]
                line = line.strip()
                if not line:
                    continue
                any_line = True
                try:
                    text = line.decode("utf-8")
                except UnicodeDecodeError:
                    notes: list[str] = []
                    try:
                        text = decode_bytes(line, here, notes)
                    except InputError as exc:
                        yield ReadProblem(here, exc.reason)
                        continue
                    yield from (ReadProblem(here, note, "warning") for note in notes)
                try:
                    value = _parse_json(text)
                except json.JSONDecodeError as exc:
                    yield ReadProblem(here, f"invalid JSON: {exc.msg} (column {exc.colno})")
                    continue
                except InputError as exc:
                    yield ReadProblem(here, exc.reason)
                    continue
                yield record_from_object(value, origin=here, fmt="jsonl", max_chars=max_chars)
        except OSError as exc:
            yield ReadProblem(f"{where}:{lineno + 1}", _os_reason(exc))
            return
        if not any_line:
            yield ReadProblem(where, "empty article")


def read_file(path: Path, max_chars: int = DEFAULT_MAX_CHARS) -> Iterator[RawRecord | ReadProblem]:
    """Read the articles of one file, chosen by extension (case-insensitive).

    ``.txt``/``.text`` and ``.md``/``.markdown`` give one article (title None, except a leading
    Markdown "# Title" line, which becomes the title and is removed from the body). A Markdown
    file's YAML (``---``) or TOML (``+++``) front matter gives title, date, source, url and
    language, and only the body after it is kept (:mod:`ingest.front_matter`); malformed front
    matter is a "warning" problem naming its line, and the file is read as plain text. ``.html``/
    ``.htm`` give the main text extracted by trafilatura (no comments, no tables, no network),
    with title, date, site name and canonical URL from the page metadata. ``.json`` holds one
    article object or a list of them (read whole: use JSONL for large feeds); ``.jsonl``/
    ``.ndjson`` one object per line (blank lines ignored), streamed line by line so memory stays
    bounded by the longest accepted line.

    Args:
        path: The file.
        max_chars: Longest accepted article body, in characters. txt/md/html files over
            ``4 * max_chars`` bytes are refused before being read; JSONL lines likewise.

    Yields:
        :class:`RawRecord` per article and :class:`ReadProblem` per file, line or record that
        gave none ("failed": unreadable, empty, binary, invalid JSON, missing body, over the
        limit; "skipped": unsupported extension). Never raises for bad input.
    """
    fmt = _format_of(path)
    if fmt is None:
        yield _unsupported(path)
    elif fmt in ("txt", "md"):
        yield from _read_plain(path, fmt, max_chars)
    elif fmt == "html":
        yield from _read_html(path, max_chars)
    elif fmt == "json":
        yield from _read_json(path, max_chars)
    else:
        yield from _read_jsonl(path, max_chars)


def read_paths(
    inputs: Sequence[str], max_chars: int = DEFAULT_MAX_CHARS
) -> Iterator[RawRecord | ReadProblem]:
    """Expand ``inputs`` (see :func:`expand_paths`) and read every file (see :func:`read_file`).

    Args:
        inputs: Paths, directories or glob patterns (no URLs: split those out first).
        max_chars: Longest accepted article body, in characters.

    Yields:
        First the problems found while expanding the inputs, then the records and problems of
        each file in order.
    """
    files, problems = expand_paths(inputs)
    yield from problems
    for path in files:
        yield from read_file(path, max_chars)


def count_records(paths: Sequence[Path]) -> int:
    """How many records (articles or per-record problems) reading ``paths`` yields, cheaply.

    For a progress bar's total: one per txt/md/html file, one per non-blank line of a JSONL file
    (read in blocks, no JSON parsing), the list length of a JSON file (parsed: JSON
    files are read whole anyway). An unreadable or malformed file counts as one. Exact for
    well-formed input; off by the lines a reader reports together (e.g. a UTF-16 JSONL file).

    Args:
        paths: Files as returned by :func:`expand_paths`.
    """
    total = 0
    for path in paths:
        fmt = _format_of(path)
        try:
            if fmt == "jsonl":
                total += _count_lines(path)
            elif fmt == "json":
                value = _parse_json(path.read_bytes())
                total += len(value) if isinstance(value, list) and value else 1
            else:
                total += 1
        except (OSError, ValueError, InputError):
            total += 1
    return total


def _count_lines(path: Path) -> int:
    """Non-blank lines of a file, read in blocks (memory bounded by the block size)."""
    count = 0
    blank = True  # the current line holds only whitespace so far
    with path.open("rb") as handle:
        while block := handle.read(_READ_BLOCK):
            parts = block.split(b"\n")
            for i, part in enumerate(parts):
                if part.strip():
                    blank = False
                if i < len(parts) - 1:  # a newline ends this line
                    count += not blank
                    blank = True
    return count + (not blank)
