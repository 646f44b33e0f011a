"""Hostile article text in Slack mrkdwn (issue #7): escaped per Slack's rules, inert, unbroken.

Slack reads ``&``, ``<`` and ``>`` as control characters (``<!channel>``, ``<@U123>``,
``<http://evil|click>``) and ``*``, ``_``, ``~`` and backticks as formatting; nothing taken from
an article may act as either. Reference: https://api.slack.com/reference/surfaces/formatting
"""

from __future__ import annotations

import re

import pytest

from api.schemas import AskResponse, CitationOut
from api.slack_format import inert, link, quote_block, render_answer, render_messages, source_entry

HOSTILE = [
    "<!channel> wake up",
    "<!here|here> and <!everyone>",
    "ping <@U024BE7LH> and <#C024BE7LR|general>",
    "<http://evil.example|click for the real story>",
    "<https://evil.example>",
    "Tom & Jerry &lt;b&gt; &amp;",
    "*Breaking_ news~ `code` ```block``` _half",
    "<script>alert(1)</script>",
]
# Our own links: <http(s)://… | label>, the URL without spaces, "<", ">" or "|".
OWN_LINK = re.compile(r"<https?://[^\s<>|]+\|[^<>]*>")
ENTITY = re.compile(r"&(?:amp|lt|gt);")


def _no_control_sequences(mrkdwn: str, own_links: int) -> None:
    """Only our own links use ``<…>``; outside their URLs every ``&`` starts an entity."""
    assert len(OWN_LINK.findall(mrkdwn)) == own_links, mrkdwn
    rest = OWN_LINK.sub("", mrkdwn)
    assert "<" not in rest and ">" not in rest.replace("\n> ", "\n").removeprefix("> "), mrkdwn
    labels = re.sub(r"<https?://[^\s<>|]+\|", "<|", mrkdwn)  # URLs keep a raw "&" (Slack accepts it)
    assert "&" not in ENTITY.sub("", labels), mrkdwn


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _citation(n: int, title: str, source: str, quote: str, url: str | None) -> CitationOut:
    return CitationOut(
        number=n,
        article_id=f"a{n}",
        chunk_id=f"c{n}",
        title=title,
        source=source,
        url=url,
        published_at="2024-06-06",
        quote=quote,
        start=0,
        end=len(quote),
    )


@pytest.mark.parametrize("text", HOSTILE)
def test_inert_escapes_control_characters_and_formatting(text: str) -> None:
    out = inert(text)
    _no_control_sequences(out, 0)
    assert not set(out) & set("*_~`"), out
    # what readers see: the same text, with look-alike formatting characters
    visible = _unescape(out).translate(str.maketrans("\u2217\u02cd\u223c\u02cb", "*_~`"))
    assert visible == text


@pytest.mark.parametrize("title", HOSTILE)
def test_hostile_titles_cannot_break_out_of_their_link(title: str) -> None:
    out = link("https://news.example/a?x=1&y=2", title + " | fake|label")
    _no_control_sequences(out, 1)
    assert out.startswith("<https://news.example/a?x=1&y=2|") and out.count("|") == 1
    assert not set(out) & set("*_~`")


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "JaVaScRiPt:alert(1)",
        "//evil.example",
    ],
)
def test_only_http_urls_become_links(url: str) -> None:
    out = link(url, "<!channel> Title")
    assert out == "&lt;!channel&gt; Title"


def test_url_with_control_characters_stays_one_link() -> None:
    out = link("https://x.example/a b|c<d>e\tf\n<!channel>", "T")
    _no_control_sequences(out, 1)
    assert out == "<https://x.example/a%20b%7Cc%3Cd%3Ee%09f%3C!channel%3E|T>"


def test_whole_answer_with_hostile_sources_keeps_its_formatting() -> None:
    citations = [
        _citation(
            1,
            "*Breaking_ <!channel>",
            "Wire ~ `x` <@U1>",
            "Quote ```code``` <http://evil|click> & more",
            "https://n.example/1",
        ),
        _citation(2, "<script>alert(1)</script>", "<!here>", "> not a quote\n*bold* _it_", None),
    ]
    answer = AskResponse(
        answer="Rates fell **sharply** [1], said <!channel> & <@U1> [2].",
        citations=citations,
        abstained=False,
        language="en",
        model="fake",
        notice="not_verified *notice*",
    )
    text = render_answer(answer)
    _no_control_sequences(text, 1)
    lines = text.split("\n")
    assert lines[0] == "Rates fell *sharply* [1], said &lt;!channel&gt; &amp; &lt;@U1&gt; [2]."
    assert "_not\u02cdverified \u2217notice\u2217_" in lines  # our italics, the notice's own marks inert
    assert "*Sources*" in lines
    # our bold markers are the only "*" in the sources; titles/sources/quotes are inert
    sources = text.split("*Sources*\n", 1)[1]
    assert re.findall(r"\*[^*\n]+\*", sources) == ["*[1]*", "*[2]*"]
    assert not set(sources.replace("*[1]*", "").replace("*[2]*", "")) & set("*_~`")
    assert "> Quote \u02cb\u02cb\u02cbcode\u02cb\u02cb\u02cb &lt;http://evil|click&gt; &amp; more" in lines
    assert "> &gt; not a quote \u2217bold\u2217 \u02cdit\u02cd" in lines
    for message in render_messages(answer, limit=80):
        assert len(message) <= 80
        assert message.count("<") == len(OWN_LINK.findall(message))  # no link cut in half


def test_source_entry_and_quote_are_single_lines() -> None:
    entry = source_entry(_citation(3, "Title\n\n*injected*", "Src\nline", "q\n\n> x", "https://n.example/3"))
    head, quote = entry.split("\n")
    assert head == "*[3]* <https://n.example/3|Title \u2217injected\u2217> — Src line, 2024-06-06"
    assert quote == quote_block("q\n\n> x") == "> q &gt; x"
