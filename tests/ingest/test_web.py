"""URLs and feeds: pages and RSS/Atom feeds served on 127.0.0.1, ingested into a real store."""

from __future__ import annotations

import socket
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from ingest.readers import RawRecord, ReadProblem
from ingest.web import MAX_BYTES, USER_AGENT, is_url, read_url
from rag.settings import load_settings
from sanad.app import Sanad

Route = tuple[int, str, bytes] | tuple[int, str, bytes, dict[str, str]]


@dataclass
class Site:
    """A loopback web server: ``routes`` maps a path (with query) to (status, type, body[, headers])."""

    base: str
    routes: dict[str, Route] = field(default_factory=dict)
    hits: Counter[str] = field(default_factory=Counter)
    agents: list[str] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.base + path

    def page(self, path: str, html: str, content_type: str = "text/html; charset=utf-8") -> str:
        self.routes[path] = (200, content_type, html.encode("utf-8"))
        return self.url(path)


@pytest.fixture()
def site() -> Iterator[Site]:
    state: dict[str, Site] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            current = state["site"]
            current.hits[self.path] += 1
            current.agents.append(self.headers.get("User-Agent", ""))
            route = current.routes.get(self.path, (404, "text/html", b"<html><body>Not found</body></html>"))
            status, content_type, body = route[0], route[1], route[2]
            headers = route[3] if len(route) > 3 else {}  # type: ignore[misc]
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state["site"] = Site(f"http://127.0.0.1:{server.server_address[1]}")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state["site"]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture()
def refused_url() -> str:
    """A loopback URL on a port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/article.html"


@pytest.fixture()
def sanad(tmp_path: Path) -> Sanad:
    return Sanad(load_settings(data_dir=tmp_path / "data"))


def article_html(
    title: str,
    paragraphs: list[str],
    *,
    canonical: str | None = None,
    site_name: str | None = "Nile Wire",
    date: str | None = "2024-06-18T09:30:00Z",
    lang: str = "en",
) -> str:
    head = [f"<title>{title}</title>", '<meta charset="utf-8">']
    if canonical:
        head.append(f'<link rel="canonical" href="{canonical}">')
    if site_name:
        head.append(f'<meta property="og:site_name" content="{site_name}">')
    if date:
        head.append(f'<meta property="article:published_time" content="{date}">')
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f'<!doctype html><html lang="{lang}"><head>{"".join(head)}</head><body>'
        f"<nav><a href='/'>Home</a></nav><article><h1>{title}</h1>{body}</article>"
        "<footer>© Nile Wire</footer></body></html>"
    )


RAIN = article_html(
    "Rain floods Cairo streets",
    [
        "Heavy rain fell on Cairo on Tuesday and flooded streets near the river.",
        "Officials said the drains were cleared by the evening and traffic resumed.",
    ],
    canonical="{base}/news/rain",
)
CHESS_TITLE = "Chess final ends in a draw"
CHESS = article_html(
    CHESS_TITLE,
    ["The chess final in Doha ended in a draw after six hours of play.", "Both players shared the title."],
)
GOLD = article_html(
    "ارتفاع أسعار الذهب",
    ["ارتفع سعر الذهب في أسواق دبي يوم الأحد.", "وقال التجار إن الطلب زاد قبل العيد."],
    site_name="وكالة الأنباء",
    lang="ar",
)


def rss(base: str) -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel>
  <title>Nile Wire — Top stories</title><link>{base}/</link><description>News</description>
  <item><title>Chess final ends in a draw</title><link>{base}/sport/chess.html</link>
    <pubDate>Tue, 18 Jun 2024 10:00:00 GMT</pubDate><description>Short teaser.</description></item>
  <item><title>ارتفاع أسعار الذهب</title><link>{base}/economy/gold.html</link>
    <pubDate>Sun, 16 Jun 2024 08:00:00 GMT</pubDate></item>
  <item><title>Ferry service resumes</title><link>{base}/gone.html</link>
    <pubDate>Mon, 17 Jun 2024 07:15:00 GMT</pubDate>
    <description>&lt;p&gt;The ferry service between Aswan and the islands resumed on Monday.&lt;/p&gt;
    &lt;p&gt;Boats now run every &lt;b&gt;half hour&lt;/b&gt;.&lt;/p&gt;</description></item>
</channel></rss>"""


def atom(base: str) -> str:
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Desert Daily</title><id>urn:desert</id><updated>2024-06-19T00:00:00Z</updated>
  <entry><title>Chess final ends in a draw</title><id>urn:chess</id>
    <link href="{base}/sport/chess.html"/><updated>2024-06-18T10:00:00Z</updated></entry>
  <entry><title>Dates harvest starts early</title><id>urn:dates</id>
    <link href="{base}/missing.html"/><published>2024-06-19T06:00:00Z</published>
    <content type="html">&lt;p&gt;Farmers in Siwa began the dates harvest
      two weeks early this year.&lt;/p&gt;</content>
  </entry>
  <entry><title>Nothing to read</title><id>urn:empty</id>
    <link href="{base}/also-missing.html"/><updated>2024-06-19T07:00:00Z</updated></entry>
</feed>"""


def records(items: list[RawRecord | ReadProblem]) -> list[RawRecord]:
    return [it for it in items if isinstance(it, RawRecord)]


def problems(items: list[RawRecord | ReadProblem]) -> list[ReadProblem]:
    return [it for it in items if isinstance(it, ReadProblem)]


# ------------------------------------------------------------------------------- read_url alone


def test_is_url() -> None:
    assert is_url("https://example.org/a") and is_url("HTTP://x") and is_url(" http://x")
    assert not is_url("news/a.html") and not is_url("ftp://x") and not is_url("http.txt")


def test_page_gives_one_record_with_canonical_url(site: Site) -> None:
    site.page("/news/rain.html?utm_source=feed", RAIN.replace("{base}", site.base))
    items = list(read_url(site.url("/news/rain.html?utm_source=feed")))
    (record,) = items
    assert isinstance(record, RawRecord)
    assert record.url == site.url("/news/rain")
    assert record.origin == site.url("/news/rain.html?utm_source=feed")
    assert record.title == "Rain floods Cairo streets"
    assert record.source == "Nile Wire"
    assert record.published_at is not None and record.published_at.startswith("2024-06-18")
    assert record.fmt == "html"
    assert "Heavy rain fell on Cairo" in record.text and "Home" not in record.text
    assert site.agents == [USER_AGENT]


def test_redirect_without_canonical_uses_final_url_without_fragment(site: Site) -> None:
    final = site.page("/sport/chess.html", CHESS)
    site.routes["/old/chess"] = (301, "text/html", b"", {"Location": "/sport/chess.html#top"})
    (record,) = list(read_url(site.url("/old/chess#comments")))
    assert isinstance(record, RawRecord)
    assert record.url == final
    assert record.title == "Chess final ends in a draw"


def test_arabic_page_in_windows_1256_declared_by_header(site: Site) -> None:
    site.routes["/ar.html"] = (200, "text/html; charset=windows-1256", GOLD.encode("cp1256"))
    (record,) = list(read_url(site.url("/ar.html")))
    assert isinstance(record, RawRecord)
    assert record.title == "ارتفاع أسعار الذهب"
    assert "ارتفع سعر الذهب" in record.text
    assert record.source == "وكالة الأنباء"


def test_http_errors_and_refused_connections_are_problems(site: Site, refused_url: str) -> None:
    missing = site.url("/nope.html")
    (problem,) = list(read_url(missing))
    assert problem == ReadProblem(missing, f"HTTP 404 from {missing}")
    (refused,) = list(read_url(refused_url))
    assert isinstance(refused, ReadProblem) and refused.where == refused_url
    assert refused.kind == "failed" and refused_url in refused.reason
    (bad,) = list(read_url("http://"))
    assert isinstance(bad, ReadProblem) and bad.where == "http://"


def test_size_cap_content_type_and_empty_pages(site: Site) -> None:
    site.routes["/big.html"] = (200, "text/html", b"<p>" + b"a" * 2048 + b"</p>")
    (big,) = list(read_url(site.url("/big.html"), max_bytes=1024))
    assert isinstance(big, ReadProblem) and "over the limit of 1024 bytes" in big.reason
    assert MAX_BYTES == 10 * 1024 * 1024
    site.routes["/photo.jpg"] = (200, "image/jpeg", b"\xff\xd8\xff\xe0" + b"\x00" * 16)
    (image,) = list(read_url(site.url("/photo.jpg")))
    assert isinstance(image, ReadProblem) and "unsupported content type image/jpeg" in image.reason
    site.routes["/blank.html"] = (200, "text/html", b"<html><body> </body></html>")
    (blank,) = list(read_url(site.url("/blank.html")))
    assert isinstance(blank, ReadProblem) and "no article text" in blank.reason


def test_rss_feed_fetches_linked_pages_and_falls_back_to_descriptions(site: Site) -> None:
    chess = site.page("/sport/chess.html", CHESS)
    gold = site.page("/economy/gold.html", GOLD)
    site.routes["/feed.xml"] = (200, "application/rss+xml", rss(site.base).encode("utf-8"))
    items = list(read_url(site.url("/feed.xml")))
    assert problems(items) == []
    first, second, third = records(items)
    assert (first.url, first.origin, first.title, first.source) == (chess, chess, CHESS_TITLE, "Nile Wire")
    assert second.url == gold and "ارتفع سعر الذهب" in second.text
    assert third.url == site.url("/gone.html")
    assert third.title == "Ferry service resumes"
    assert third.source == "Nile Wire — Top stories"
    assert third.published_at == "2024-06-17T07:15:00+00:00"
    assert third.text == (
        "The ferry service between Aswan and the islands resumed on Monday.\nBoats now run every half hour."
    )
    assert site.hits["/gone.html"] == 1


def test_atom_feed_detected_by_body_with_content_fallback_and_problem(site: Site) -> None:
    site.page("/sport/chess.html", CHESS)
    site.routes["/atom"] = (200, "text/plain", atom(site.base).encode("utf-8"))  # mislabelled type
    items = list(read_url(site.url("/atom")))
    chess, dates = records(items)
    assert chess.title == CHESS_TITLE and chess.url == site.url("/sport/chess.html")
    assert dates.url == site.url("/missing.html")
    assert dates.title == "Dates harvest starts early" and dates.source == "Desert Daily"
    assert dates.text == "Farmers in Siwa began the dates harvest two weeks early this year."
    assert dates.published_at == "2024-06-19T06:00:00+00:00"
    (problem,) = problems(items)
    empty = site.url("/also-missing.html")
    assert problem.where == empty
    assert f"HTTP 404 from {empty}" in problem.reason and "no content or summary" in problem.reason


# --------------------------------------------------------------------------- through the pipeline


def test_ingest_url_then_again_is_unchanged(site: Site, sanad: Sanad) -> None:
    url = site.page("/news/rain.html", RAIN.replace("{base}", site.base))
    canonical = site.url("/news/rain")
    report = sanad.pipeline.ingest_paths([url])
    assert (report.added, report.failed) == (1, 0), report.failures
    stored = sanad.catalog.get(canonical)
    assert stored is not None
    article = stored.article
    assert article.title == "Rain floods Cairo streets"
    assert article.source == "Nile Wire"
    assert article.url == canonical
    assert article.published_at is not None and article.published_at.startswith("2024-06-18")
    assert article.origin == url

    again = sanad.pipeline.ingest_paths([url])
    assert (again.added, again.updated, again.unchanged, again.failed) == (0, 0, 1, 0)
    assert again.chunks_embedded == 0 and again.chunks_written == 0
    assert site.hits["/news/rain.html"] == 2
    assert sanad.catalog.stats()["articles"] == 1


def test_ingest_rss_feed(site: Site, sanad: Sanad) -> None:
    site.page("/sport/chess.html", CHESS)
    site.page("/economy/gold.html", GOLD)
    feed = site.url("/feed.xml")
    site.routes["/feed.xml"] = (200, "application/rss+xml; charset=utf-8", rss(site.base).encode("utf-8"))
    report = sanad.pipeline.ingest_paths([feed])
    assert (report.added, report.failed) == (3, 0), report.failures
    ferry = sanad.catalog.get(site.url("/gone.html"))
    assert ferry is not None and ferry.article.title == "Ferry service resumes"
    gold = sanad.catalog.get(site.url("/economy/gold.html"))
    assert gold is not None and gold.article.language == "ar"
    again = sanad.pipeline.ingest_paths([feed])
    assert (again.unchanged, again.chunks_embedded) == (3, 0)


def test_failed_urls_are_reported_and_the_rest_ingested(
    site: Site, sanad: Sanad, refused_url: str, tmp_path: Path
) -> None:
    local = tmp_path / "note.txt"
    local.write_text(
        "The Nile ferry timetable changed on Monday. Boats now leave every hour.", encoding="utf-8"
    )
    missing = site.url("/missing.html")
    page = site.page("/sport/chess.html", CHESS)
    report = sanad.pipeline.ingest_paths([missing, str(local), refused_url, page])
    assert (report.added, report.failed) == (2, 2)
    where = dict(report.failures)
    assert where[missing] == f"HTTP 404 from {missing}"
    assert refused_url in where and refused_url in where[refused_url]
    assert sanad.catalog.get(page) is not None
    assert sanad.catalog.get(str(local.resolve())) is not None


def test_dry_run_fetches_but_writes_nothing(site: Site, sanad: Sanad) -> None:
    url = site.page("/sport/chess.html", CHESS)
    report = sanad.pipeline.ingest_paths([url], dry_run=True)
    assert (report.added, report.chunks_embedded) == (1, 0)
    assert sanad.catalog.get(url) is None
