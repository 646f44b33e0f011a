"""Hostile article text in the chat's HTML (issue #7): escaped, one raw block, no live markup.

The rendered HTML is parsed back with :mod:`html.parser`: the only elements and attributes are
the ones :mod:`ui.render` writes itself, no ``href`` is anything but ``#src-…`` or http(s), and
the hostile strings come back as the text a reader sees.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from rag.types import Answer, Chunk, Citation
from ui import render

SCRIPT = "<script>alert('xss')</script>"
IMG = '<img src=x onerror="alert(1)">'
JS_URL = "javascript:alert(document.cookie)"
MD_LINK = (
    "[click me](javascript:alert(1)) ![x](https://evil.example/t.png) <a href='javascript:alert(1)'>a</a>"
)
BREAKOUT = 'x"><svg onload=alert(1)>\n\n[md](javascript:alert(2))\n\n</div></details><b>'

ALLOWED_TAGS = {
    "div",
    "p",
    "br",
    "sup",
    "a",
    "details",
    "summary",
    "ol",
    "li",
    "b",
    "blockquote",
    "small",
    "em",
}
ALLOWED_ATTRS = {"dir", "class", "lang", "href", "data-cite", "data-answer-id", "id", "target", "rel", "open"}


class _Collector(HTMLParser):
    """Elements, attributes and text of an HTML string."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(markup: str) -> _Collector:
    c = _Collector()
    c.feed(markup)
    c.close()
    return c


def _assert_inert(markup: str) -> str:
    """Only our tags and attributes, only safe hrefs, no blank line; returns the visible text."""
    assert "\n\n" not in markup and "\r" not in markup  # one raw HTML block: markdown never runs
    parsed = _parse(markup)
    for tag, attrs in parsed.tags:
        assert tag in ALLOWED_TAGS, (tag, markup)
        for name, value in attrs:
            assert name in ALLOWED_ATTRS, (name, markup)
            if name == "href":
                assert value and (value.startswith("#src-") or value.startswith(("http://", "https://")))
    return "".join(parsed.text)


def _chunk(n: int, *, title: str, source: str, text: str, url: str | None) -> Chunk:
    return Chunk(
        chunk_id=f"c{n}",
        article_id=f"a{n}",
        ordinal=0,
        text=text,
        start=0,
        end=len(text),
        title=title,
        source=source,
        url=url,
        published_at="2024-06-18",
        language="en",
    )


@pytest.mark.parametrize("hostile", [SCRIPT, IMG, JS_URL, MD_LINK, BREAKOUT])
def test_answer_and_sources_render_hostile_text_literally(hostile: str) -> None:
    cites = (
        Citation(1, _chunk(1, title=hostile, source=hostile, text=hostile, url=JS_URL), hostile),
        Citation(
            2, _chunk(2, title=f"T {hostile}", source="S", text="q", url=f"https://ok.example/{hostile}"), ""
        ),
    )
    answer = Answer(text=f"Claim {hostile} [1] and [2].", citations=cites, language="en", notice=hostile)
    body = _assert_inert(render.render_answer(answer, "a1"))
    flat = "".join(hostile.split())  # compared without whitespace: paragraphs become <p>
    assert flat in "".join(body.split())
    sources = render.render_sources(answer, "a1")
    assert sources is not None
    visible = "".join(_assert_inert(sources).split())
    assert visible.count(flat) >= 2  # title and source (and the quote) show literally
    hrefs = [v or "" for _, attrs in _parse(sources).tags for k, v in attrs if k == "href"]
    assert hrefs and all(not h.lower().startswith("javascript") for h in hrefs)
    for markup in (render.render_streaming(answer.text), render.render_error(hostile, partial=hostile)):
        assert flat in "".join(_assert_inert(markup).split())


def test_article_markers_are_not_linked_unless_they_are_citations() -> None:
    answer = Answer(
        text="Quoted ［3］ text [1]; [7] points nowhere.",
        citations=(Citation(1, _chunk(1, title="t", source="s", text="x", url=None), "x"),),
        language="en",
    )
    markup = render.render_answer(answer, "z")
    links = [dict(a).get("href") for t, a in _parse(markup).tags if t == "a"]
    assert links == ["#src-z-1"]
    assert "［3］" in markup and "[7]" in markup


def test_side_panel_markdown_is_inert() -> None:
    stats = {"articles": 1, "chunks": 1, "languages": {"en": 1}, "sources": {MD_LINK: 1, SCRIPT: 2}}
    panel = render.render_stats(stats, model_label=IMG)
    assert "<" not in panel.replace("&lt;", "")
    assert "](javascript" not in panel and "\\[click me\\]\\(javascript:alert\\(1\\)\\)" in panel
