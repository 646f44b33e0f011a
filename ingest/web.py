"""Read articles from the web: an article page, or an RSS/Atom feed of them → raw records.

A page gives one record extracted exactly like an ``.html`` file (:func:`ingest.readers.
extract_html`); its ``url`` is the canonical URL (``<link rel="canonical">``/``og:url`` when the
page names one, else the final URL after redirects), fragment removed, so the pipeline uses it as
the article id and re-fetching an unchanged page is skipped. A feed gives one record per entry:
the linked page when it can be fetched and holds text, else the entry's own content or summary.

Every failure (HTTP status, refused connection, timeout, oversized body, no text) is a
:class:`~ingest.readers.ReadProblem` naming the URL; nothing here raises for bad input.
"""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urldefrag, urljoin

import httpx

from ingest.decoding import decode_bytes, normalize_date
from ingest.readers import (
    DEFAULT_MAX_CHARS,
    RawRecord,
    ReadProblem,
    _over_limit,
    extract_html,
)
from rag.errors import InputError

USER_AGENT = "Sanad/0.1 (+https://pypi.org/project/sanad/; article indexer)"
"""The User-Agent header sent with every request."""

TIMEOUT_SECONDS = 20.0
"""Connect/read/write/pool timeout of each request, in seconds."""

MAX_BYTES = 10 * 1024 * 1024
"""Largest response body accepted, in bytes (10 MiB); larger ones are refused while streaming."""

MAX_REDIRECTS = 10
"""Most redirects followed for one request."""

_FEED_PREFIXES = (b"<?xml", b"<rss", b"<feed", b"<rdf:rdf")
_ACCEPT = (
    "text/html, application/xhtml+xml, application/rss+xml, application/atom+xml, "
    "application/xml;q=0.9, */*;q=0.8"
)
_HTML_TYPES = ("text/html", "application/xhtml+xml")


def is_url(value: str) -> bool:
    """True when ``value`` is an http:// or https:// URL (case-insensitive scheme)."""
    return value.strip().lower().startswith(("http://", "https://"))


def make_client() -> httpx.Client:
    """An HTTP client with Sanad's User-Agent, a 20 s timeout and redirects followed.

    Returns:
        A new :class:`httpx.Client`; the caller closes it (use it as a context manager).
    """
    return httpx.Client(
        headers={"User-Agent": USER_AGENT, "Accept": _ACCEPT},
        timeout=TIMEOUT_SECONDS,
        follow_redirects=True,
        max_redirects=MAX_REDIRECTS,
    )


# ------------------------------------------------------------------------------------- fetching


@dataclass(frozen=True)
class _Fetched:
    url: str  # final URL after redirects
    content_type: str  # lower-cased media type and parameters, "" when absent
    body: bytes


def _error_reason(url: str, exc: Exception) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return f"timed out after {TIMEOUT_SECONDS:g} s fetching {url}"
    if isinstance(exc, httpx.TooManyRedirects):
        return f"more than {MAX_REDIRECTS} redirects fetching {url}"
    detail = str(exc) or type(exc).__name__
    return f"cannot fetch {url}: {detail}"


def _fetch(client: httpx.Client, url: str, max_bytes: int) -> _Fetched | ReadProblem:
    """GET ``url`` and return its body, or a failed problem naming ``url``."""
    try:
        with client.stream("GET", url) as response:
            final = str(response.url)
            if not response.is_success:
                return ReadProblem(url, f"HTTP {response.status_code} from {final}")
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                return ReadProblem(url, f"response is {declared} bytes, over the limit of {max_bytes} bytes")
            chunks: list[bytes] = []
            size = 0
            for block in response.iter_bytes():
                size += len(block)
                if size > max_bytes:
                    return ReadProblem(url, f"response is over the limit of {max_bytes} bytes")
                chunks.append(block)
            content_type = response.headers.get("content-type", "").lower()
    except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError, OSError, ValueError) as exc:
        return ReadProblem(url, _error_reason(url, exc))
    return _Fetched(final, content_type, b"".join(chunks))


def _charset(content_type: str) -> str | None:
    match = re.search(r"charset\s*=\s*\"?([\w.:-]+)", content_type)
    return match.group(1) if match else None


def _decode(fetched: _Fetched, where: str) -> str | ReadProblem:
    """Decode with the declared charset when it works, else like a file (:func:`decode_bytes`)."""
    charset = _charset(fetched.content_type)
    if charset:
        try:
            return fetched.body.decode(charset)
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        return decode_bytes(fetched.body, where)
    except InputError as exc:
        return ReadProblem(where, exc.reason)


def _canonical(record_url: str | None, final_url: str) -> str:
    """The page's canonical URL (relative ones resolved against ``final_url``), fragment removed."""
    url = urljoin(final_url, record_url) if record_url else final_url
    if not is_url(url):
        url = final_url
    return urldefrag(url).url


# ---------------------------------------------------------------------------------------- pages


def _page_record(fetched: _Fetched, where: str, max_chars: int) -> RawRecord | ReadProblem:
    """Extract one article from a fetched page; ``where`` is the record's origin."""
    media = fetched.content_type.split(";", 1)[0].strip()
    if media and not media.startswith("text/") and media not in _HTML_TYPES:
        return ReadProblem(where, f"unsupported content type {media} from {fetched.url}")
    if not fetched.body.strip():
        return ReadProblem(where, f"empty page at {fetched.url}")
    text = _decode(fetched, where)
    if isinstance(text, ReadProblem):
        return text
    if media == "text/plain":
        if not text.strip():
            return ReadProblem(where, f"empty page at {fetched.url}")
        if len(text) > max_chars:
            return ReadProblem(where, _over_limit(len(text), max_chars))
        url = urldefrag(fetched.url).url
        return RawRecord(text, None, None, url, None, None, None, where, "txt")
    found = extract_html(text, where, max_chars, url=fetched.url)
    if isinstance(found, ReadProblem):
        return found
    return RawRecord(
        text=found.text,
        title=found.title,
        source=found.source,
        url=_canonical(found.url, fetched.url),
        published_at=found.published_at,
        language=found.language,
        record_id=None,
        origin=where,
        fmt="html",
    )


# ---------------------------------------------------------------------------------------- feeds


def _parse_feed(fetched: _Fetched) -> Any | None:
    """The feedparser result when the response is an RSS/Atom feed, else None."""
    media = fetched.content_type.split(";", 1)[0].strip()
    head = fetched.body[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    by_type = "rss" in media or "atom" in media or ("xml" in media and "xhtml" not in media)
    by_body = head.startswith(_FEED_PREFIXES)
    if not (by_type or by_body):
        return None
    import feedparser

    headers = {"content-location": fetched.url}
    if fetched.content_type:
        headers["content-type"] = fetched.content_type
    parsed = feedparser.parse(fetched.body, response_headers=headers)
    if parsed.get("version") or parsed.get("entries"):
        return parsed
    return None


class _TextOnly(HTMLParser):
    """Collects the text of an HTML fragment, with line breaks at block elements."""

    _BLOCKS = frozenset(
        {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "section"}
        | {"article", "tr", "pre", "td", "th", "dd", "dt", "figcaption"}
    )
    _HIDDEN = frozenset({"script", "style", "template"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._HIDDEN:
            self._hidden += 1
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._HIDDEN:
            self._hidden = max(self._hidden - 1, 0)
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(re.sub(r"\s+", " ", data))  # HTML: line breaks in text are spaces


def _fragment_text(fragment: str) -> str:
    """Plain text of an HTML (or plain-text) fragment from a feed: tags dropped, spaces tidied."""
    if re.search(r"<[a-zA-Z/!]", fragment):
        parser = _TextOnly()
        parser.feed(fragment)
        parser.close()
        text = "".join(parser.parts)
    else:
        text = html_lib.unescape(fragment)
    lines = (re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in text.splitlines())
    return re.sub(r"\n{2,}", "\n", "\n".join(line for line in lines if line)).strip()


def _entry_body(entry: Mapping[str, Any]) -> str:
    """The longest of the entry's content blocks and summary, as plain text ("" when none)."""
    candidates: list[str] = []
    for block in entry.get("content") or []:
        value = block.get("value") if isinstance(block, Mapping) else None
        if isinstance(value, str):
            candidates.append(value)
    summary = entry.get("summary")
    if isinstance(summary, str):
        candidates.append(summary)
    texts = [_fragment_text(c) for c in candidates]
    return max(texts, key=len, default="")


def _entry_date(entry: Mapping[str, Any]) -> str | None:
    for name in ("published", "updated", "created"):
        value = entry.get(name)
        if isinstance(value, str) and value.strip():
            return normalize_date(value)
    return None


def _text_field(obj: Mapping[str, Any], name: str) -> str | None:
    value = obj.get(name)
    if isinstance(value, str):
        value = _fragment_text(value) if "<" in value or "&" in value else value.strip()
        return value or None
    return None


def _entry_record(
    entry: Mapping[str, Any],
    index: int,
    feed_url: str,
    feed_title: str | None,
    client: httpx.Client,
    max_chars: int,
    max_bytes: int,
) -> RawRecord | ReadProblem:
    """One feed entry: its linked page when that yields text, else its content or summary."""
    link = entry.get("link")
    link = urldefrag(link).url if isinstance(link, str) and is_url(link) else None
    where = link or f"{feed_url}[{index}]"
    title = _text_field(entry, "title")
    published = _entry_date(entry)
    page_problem: ReadProblem | None = None
    if link is not None:
        fetched = _fetch(client, link, max_bytes)
        page = fetched if isinstance(fetched, ReadProblem) else _page_record(fetched, where, max_chars)
        if isinstance(page, RawRecord):
            return RawRecord(
                text=page.text,
                title=page.title or title,
                source=page.source or feed_title,
                url=page.url,
                published_at=page.published_at or published,
                language=page.language,
                record_id=None,
                origin=where,
                fmt=page.fmt,
            )
        page_problem = page
    body = _entry_body(entry)
    if not body:
        if page_problem is not None:
            return ReadProblem(where, f"{page_problem.reason}; the feed entry has no content or summary")
        return ReadProblem(where, "feed entry has no link, content or summary")
    if len(body) > max_chars:
        return ReadProblem(where, _over_limit(len(body), max_chars))
    entry_id = entry.get("id")
    return RawRecord(
        text=body,
        title=title,
        source=feed_title,
        url=link,
        published_at=published,
        language=_text_field(entry, "language"),
        record_id=None if link else (entry_id if isinstance(entry_id, str) and entry_id else where),
        origin=where,
        fmt="html",
    )


# ------------------------------------------------------------------------------------------ API


def read_url(
    url: str,
    client: httpx.Client | None = None,
    max_chars: int = DEFAULT_MAX_CHARS,
    *,
    max_bytes: int = MAX_BYTES,
) -> Iterator[RawRecord | ReadProblem]:
    """Fetch a URL and read the article(s) it holds.

    A page gives one record (fmt "html", origin ``url``, ``url`` set to the canonical URL without
    fragment). An RSS/Atom feed (content type naming rss/atom/xml, or a body starting with
    ``<?xml``/``<rss``/``<feed`` that feedparser reads as a feed) gives one record per entry,
    fetched from the entry's link (origin the link) and falling back to the entry's content or
    summary, with the entry's title and date, when the page fails or holds no text.

    Args:
        url: An http:// or https:// URL.
        client: The HTTP client to use (see :func:`make_client`); None makes and closes one.
        max_chars: Longest accepted article body, in characters.
        max_bytes: Largest accepted response body, in bytes (per request).

    Yields:
        :class:`RawRecord` per article and failed :class:`ReadProblem` per URL or feed entry that
        gave none: "HTTP 404 from <url>", connection errors and timeouts with their reason, bodies
        over ``max_bytes``, pages without text, feed entries whose page failed and that have no
        summary (named by the entry's link). Never raises for bad input or network errors.
    """
    if not is_url(url):
        yield ReadProblem(url, "not an http:// or https:// URL")
        return
    if client is None:
        with make_client() as own:
            yield from read_url(url, own, max_chars, max_bytes=max_bytes)
        return
    fetched = _fetch(client, url, max_bytes)
    if isinstance(fetched, ReadProblem):
        yield fetched
        return
    feed = _parse_feed(fetched)
    if feed is None:
        yield _page_record(fetched, url, max_chars)
        return
    entries = feed.get("entries") or []
    if not entries:
        yield ReadProblem(url, "feed has no entries")
        return
    feed_title = _text_field(feed.get("feed") or {}, "title")
    for index, entry in enumerate(entries):
        yield _entry_record(entry, index, fetched.url, feed_title, client, max_chars, max_bytes)
