"""Rendering of answers, citations and the side panel (pure functions, no gradio)."""

from __future__ import annotations

import re

from rag.store.catalog import ArticleRecord
from rag.types import Answer, Article, Chunk, Citation, IngestReport
from ui import render

AR_TEXT = "شكر بوتين كوريا الشمالية على دعمها [1]، وقال إن البلدين سيتعاونان [2]."
EN_TEXT = "Putin thanked North Korea for its support [1]. Prices rose by $5 and $10 [2]."


def chunk(
    n: int, *, title: str = "عنوان", text: str = "نص", url: str | None = None, source: str = "وكالة"
) -> Chunk:
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
        published_at="2024-06-18T10:00:00+00:00",
        language="ar",
    )


def answer(text: str, *cites: Citation, language: str = "ar", **kw: object) -> Answer:
    return Answer(text=text, citations=cites, language=language, **kw)  # type: ignore[arg-type]


def test_arabic_answer_links_each_citation_to_its_source() -> None:
    a = answer(AR_TEXT, Citation(1, chunk(1), "شكر الرئيس الروسي"), Citation(2, chunk(2), "سيتعاونان"))
    html = render.render_answer(a, "abc123")
    assert html.startswith('<div dir="auto" class="sanad-answer"')
    assert 'lang="ar"' in html
    assert '<sup class="sanad-cite"><a href="#src-abc123-1" data-cite="1">[1]</a></sup>' in html
    assert 'href="#src-abc123-2"' in html
    sources = render.render_sources(a, "abc123")
    assert sources is not None
    assert sources.startswith('<details dir="auto" class="sanad-sources"')
    assert "<summary>المصادر (2)</summary>" in sources
    assert 'id="src-abc123-1"' in sources and 'id="src-abc123-2"' in sources
    assert "شكر الرئيس الروسي" in sources and "2024-06-18" in sources
    assert "\n\n" not in html + sources  # one raw HTML block each: markdown never touches it


def test_english_answer_keeps_dollar_amounts_and_uses_english_labels() -> None:
    a = answer(
        EN_TEXT,
        Citation(1, chunk(1, title="Putin in Pyongyang", url="https://example.com/a?x=1&y=2"), ""),
        Citation(2, chunk(2), ""),
        language="en",
    )
    html = render.render_answer(a, "e1")
    assert "$5 and $10" in html
    sources = render.render_sources(a, "e1")
    assert sources is not None and "<summary>Sources (2)</summary>" in sources
    assert 'href="https://example.com/a?x=1&amp;y=2" target="_blank" rel="noopener noreferrer"' in sources
    # the quote falls back to the chunk text when the citation has none
    assert "<blockquote" in sources


def test_markers_without_a_citation_stay_plain_text() -> None:
    html = render.render_answer(answer("One [1] two [7].", Citation(1, chunk(1), "q"), language="en"), "x")
    assert "[7]" in html and 'href="#src-x-7"' not in html


def test_every_block_has_dir_auto() -> None:
    a = answer(
        "para one [1]\n\npara two", Citation(1, chunk(1), "q"), notice="No LLM configured", language="en"
    )
    for html in (
        render.render_answer(a, "d"),
        render.render_sources(a, "d") or "",
        render.render_streaming("x"),
        render.render_error("boom"),
    ):
        assert re.match(r'<(div|details) dir="auto"', html), html  # the message block itself
        tags = re.findall(r"<(details|li|blockquote)\b([^>]*)>", html)
        assert all('dir="auto"' in attrs for _, attrs in tags), html
        # paragraphs carry no dir, or the block's dir="auto" would skip them (HTML spec)
        assert not re.search(r"<p [^>]*dir=", html)


def test_article_html_is_escaped_everywhere() -> None:
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    c = Citation(1, chunk(1, title=evil, text=evil, source=evil, url="javascript:alert(1)"), evil)
    a = answer(f"Answer {evil} [1]", c, language="en", notice=evil)
    out = render.render_answer(a, "z") + (render.render_sources(a, "z") or "") + render.render_streaming(evil)
    assert "<script" not in out and "<img" not in out
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in out
    assert "javascript:" not in out  # only http(s) URLs become links
    tags = re.findall(r"<([a-zA-Z]+)([^>]*)>", out)
    assert {t for t, _ in tags} <= {
        "div",
        "p",
        "sup",
        "a",
        "details",
        "summary",
        "ol",
        "li",
        "blockquote",
        "b",
        "small",
        "br",
        "em",
    }
    assert not any(re.search(r"\bon\w+=", attrs) for _, attrs in tags)


def test_abstention_renders_without_sources() -> None:
    a = Answer(text="لم أجد ذلك في المقالات.", abstained=True, language="ar")
    html = render.render_answer(a, "n")
    assert "sanad-abstained" in html and "sanad-cite" not in html
    assert render.render_sources(a, "n") is None


def test_notice_shown_once() -> None:
    notice = "No LLM is configured, so here are the most relevant passages from the articles:"
    in_text = answer(f"{notice}\n\nA passage. [1]", Citation(1, chunk(1), "A passage."), notice=notice)
    assert render.render_answer(in_text, "a").count(notice) == 1
    separate = answer("A passage. [1]", Citation(1, chunk(1), "A passage."), notice="LLM unavailable")
    assert 'class="sanad-notice"' in render.render_answer(separate, "b")


def test_plain_text_recovers_answer_without_notice_or_sources() -> None:
    a = answer(
        "Line one [1]\n\nسطر [2] & <b>",
        Citation(1, chunk(1), "q"),
        Citation(2, chunk(2), "q"),
        notice="LLM unavailable",
        language="en",
    )
    text = render.plain_text(render.render_answer(a, "p") + (render.render_sources(a, "p") or ""))
    assert text == "Line one [1]\n\nسطر [2] & <b>"
    assert render.answer_id_of(render.render_answer(a, "p")) == "p"
    assert render.is_sources_html(render.render_sources(a, "p") or "")


def test_side_panel_markdown_and_examples() -> None:
    stats = {
        "articles": 2,
        "chunks": 9,
        "languages": {"ar": 1, "en": 1},
        "sources": {"Reuters": 1, "(none)": 1},
    }
    md = render.render_stats(stats, "extractive (no LLM configured)")
    assert (
        "extractive \\(no LLM configured\\)" in md
        and "2 articles · 9 chunks" in md
        and "Arabic \\(ar\\) 1" in md
    )
    assert render.filter_choices(stats) == (["Reuters"], [("Arabic (ar)", "ar"), ("English (en)", "en")])
    records = [
        ArticleRecord(Article("1", "Markets *rally*", "t", language="en"), ("c",), "now"),
        ArticleRecord(Article("2", "بوتين في بيونغ يانغ", "t", language="ar"), ("c",), "now"),
        ArticleRecord(Article("3", "", "untitled", language="en"), ("c",), "now"),
    ]
    assert render.example_questions(records) == [
        "ماذا يقول المقال عن «بوتين في بيونغ يانغ»؟",
        'What does the article say about "Markets *rally*"?',
    ]


def test_ingest_report_lists_failures_escaped() -> None:
    report = IngestReport(
        added=2,
        unchanged=1,
        failed=1,
        chunks_written=7,
        seconds=1.25,
        failures=[("feed.jsonl:3", "invalid JSON: <bad>")],
        notices=["warning page.html: field 'date' is in the future; ingested as undated"],
    )
    md = render.render_report(report, [("x.pdf", "unsupported file type")])
    assert "2 added" in md and "1 unchanged" in md and "1 failed" in md and "7 chunks in 1.2 s" in md
    assert "feed.jsonl:3: invalid JSON: &lt;bad&gt;" in md and "x.pdf" in md
    assert "- warning page.html: field " in md and "is in the future; ingested as undated" in md  # was hidden


def test_sources_show_more_quotes_copies_and_the_short_answer() -> None:
    from rag.types import Quote, ShortAnswer, SourceRef

    c0 = chunk(1, title="Bridge closes", text="Lorries over 40 tonnes are banned.")
    cite = Citation(
        1,
        c0,
        "Lorries over 40 tonnes are banned.",
        more_quotes=(Quote(chunk(1, text="Engineers found <cracks>."), "Engineers found <cracks>."),),
        also_in=(
            SourceRef(
                "a9", source="Daily Post", url="https://post.test/x?a=1&b=2", published_at="2024-05-02T08:00"
            ),
            SourceRef("a8", source="Evening <News>", url="javascript:alert(1)"),
        ),
    )
    a = answer(
        "They are banned [1].", cite, language="en", short_answer=ShortAnswer("40 tonnes", 1, "quantity")
    )
    html = render.render_answer(a, "s1")
    assert '<p dir="auto" class="sanad-short"><b>Answer:</b> 40 tonnes <sup class="sanad-cite">' in html
    assert html.index("40 tonnes") < html.index("They are banned")
    sources = render.render_sources(a, "s1")
    assert sources is not None and sources.count('class="sanad-quote"') == 2
    assert "Engineers found &lt;cracks&gt;." in sources
    assert (
        '<a href="https://post.test/x?a=1&amp;b=2" target="_blank" rel="noopener noreferrer">'
        "Daily Post 2024-05-02</a>" in sources
    )
    assert "Also in:" in sources and "Evening &lt;News&gt;" in sources and "javascript:" not in sources
    led = answer(
        "40 tonnes [1]\n\nThey are banned [1].", cite, language="en", short_answer=ShortAnswer("40 tonnes", 1)
    )
    assert "sanad-short" not in render.render_answer(led, "s2")  # the text already leads with it


def test_offline_answer_over_arabic_shows_its_notice_once_and_the_language_note() -> None:
    # nc8 D13: the offline text opens with the no-LLM notice and the chain appends "The quoted
    # passages are in Arabic" to answer.notice; the UI printed the whole notice again below
    from rag.answer.crosslingual import with_cross_language_notes
    from rag.answer.extractive import no_llm_notice

    lead = no_llm_notice("en")
    quote = "وبلغت كلفة المشروع مليوني دينار بتمويل من الاتحاد الأوروبي."
    offline = answer(
        f"{lead}\n\n{quote} [1]", Citation(1, chunk(1, text=quote), quote), notice=lead, language="en"
    )
    shown = with_cross_language_notes(offline)
    assert shown.notice is not None and "Arabic" in shown.notice  # the chain's real notice
    html = render.render_answer(shown, "d13")
    assert html.count("No LLM is configured") == 1
    assert 'class="sanad-notice"' in html and "Arabic" in html.split('class="sanad-notice"')[1]
