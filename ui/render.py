"""Pure rendering: :class:`~rag.types.Answer` → the HTML shown in the Gradio chat.

Gradio 6's chatbot renders markdown but not footnotes, so the markup is built here:

- the answer is one ``<div dir="auto" class="sanad-answer">`` whose ``[n]`` markers become
  ``<sup class="sanad-cite"><a href="#src-<answer id>-<n>">[n]</a></sup>``;
- the sources are a *separate* chat message, a ``<details class="sanad-sources">`` listing each
  cited article (title, source, date, link, quoted passage) with ``id="src-<answer id>-<n>"``;
  a click on a citation opens it and scrolls to the passage (script :data:`CITATION_SCRIPT`).

Every piece of article or model text is HTML-escaped, every block carries ``dir="auto"`` so
Arabic reads right to left and English left to right in one conversation, and nothing is left
for markdown to interpret (the output has no blank lines, so it stays one raw HTML block).
The sources message carries :data:`SOURCES_CLASS`, the marker the chat handler uses to keep it
out of the history given to the model.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Sequence
from html.parser import HTMLParser

from rag.answer.grounding import unsaid_notice
from rag.store.catalog import ArticleRecord
from rag.text.language import LANGUAGE_NAMES
from rag.types import Answer, Citation, IngestReport

SOURCES_CLASS = "sanad-sources"
"""CSS class of the Sources message: display only, never fed back as history."""

ANSWER_CLASS = "sanad-answer"
NOTICE_CLASS = "sanad-notice"
ERROR_CLASS = "sanad-error"

_MARKER = re.compile(r"\[(\d{1,3})\]")
_ANSWER_ID = re.compile(r'data-answer-id="([0-9A-Za-z_-]{1,64})"')
_SAFE_ID = re.compile(r"[^0-9A-Za-z_-]")

_LABELS: dict[str, dict[str, str]] = {
    "en": {
        "sources": "Sources",
        "open": "open article",
        "thinking": "Searching the articles…",
        "also_in": "Also in:",
        "answer": "Answer:",
    },
    "ar": {
        "sources": "المصادر",
        "open": "فتح المقال",
        "thinking": "جارٍ البحث في المقالات…",
        "also_in": "ورد أيضاً في:",
        "answer": "الإجابة:",
    },
}


def label(key: str, language: str) -> str:
    """A UI label in ``language`` (Arabic or English; other languages get English)."""
    return _LABELS.get(language, _LABELS["en"]).get(key, _LABELS["en"][key])


_LINE_BREAKS = re.compile(r"[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]+")


def _esc(text: str) -> str:
    """HTML-escaped text on one line: a blank line inside our HTML block would end it and hand
    the rest (e.g. a hostile title's ``[x](javascript:…)``) to the markdown renderer."""
    return html.escape(_LINE_BREAKS.sub(" ", text), quote=True)


def _paragraphs(text: str) -> str:
    """Escaped text with paragraphs as ``<p>`` and newlines as ``<br>`` (no blank lines).

    Paragraphs carry no ``dir`` on purpose: ``dir="auto"`` on the enclosing block ignores
    descendants that have their own ``dir``, so the block's direction comes from its first
    paragraph; the app's CSS gives each paragraph ``unicode-bidi: plaintext`` so an Arabic
    passage quoted in an English answer still reads right to left.
    """
    parts = [p.strip() for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    return "".join("<p>" + "<br>".join(_esc(line) for line in p.split("\n")) + "</p>" for p in parts)


def anchor_id(answer_id: str, number: int) -> str:
    """The element id of citation ``number`` of answer ``answer_id`` (``src-<id>-<n>``)."""
    return f"src-{_SAFE_ID.sub('', answer_id)}-{number}"


def _lang_attr(language: str) -> str:
    return f' lang="{_esc(language)}"' if language and language != "und" else ""


def link_citations(escaped: str, answer_id: str, numbers: Iterable[int]) -> str:
    """Replace ``[n]`` in already-escaped HTML by superscript links to the Sources entries.

    Args:
        escaped: HTML-escaped text (``[`` and ``]`` are not touched by escaping).
        answer_id: Id shared with the Sources message of the same answer.
        numbers: The citation numbers that exist; other ``[n]`` stay plain text.

    Returns:
        The HTML with each known marker as ``<sup class="sanad-cite"><a href="#src-…">[n]</a></sup>``.
    """
    known = set(numbers)

    def repl(m: re.Match[str]) -> str:
        n = int(m.group(1))
        if n not in known:
            return m.group(0)
        target = anchor_id(answer_id, n)
        return f'<sup class="sanad-cite"><a href="#{target}" data-cite="{n}">[{n}]</a></sup>'

    return _MARKER.sub(repl, escaped)


def render_streaming(text: str, language: str = "und") -> str:
    """The answer while it is being generated: escaped text, no links yet.

    Returns:
        ``<div dir="auto" class="sanad-answer sanad-streaming">…</div>``; a placeholder while
        no text has arrived.
    """
    body = _paragraphs(text) if text.strip() else f"<p><em>{_esc(label('thinking', language))}</em></p>"
    return f'<div dir="auto" class="{ANSWER_CLASS} sanad-streaming"{_lang_attr(language)}>{body}</div>'


def render_answer(answer: Answer, answer_id: str) -> str:
    """The final answer message.

    Args:
        answer: The chain's answer; ``answer.text`` is authoritative.
        answer_id: A short id unique in the conversation (letters, digits, ``-``, ``_``).

    Returns:
        One HTML block: the answer paragraphs with linked ``[n]`` markers, then the notice's
        sentences the text does not already say (if any) in a ``sanad-notice`` element.
        ``data-answer-id`` lets feedback find the answer.
    """
    numbers = [c.number for c in answer.citations]
    body = link_citations(_paragraphs(answer.text), answer_id, numbers)
    short = answer.short_answer
    if short is not None and short.text.strip() and short.text not in answer.text:
        # The answerer did not lead its text with the span: show it first, cited.
        cite = f" [{short.citation}]" if short.citation is not None else ""
        lead = f"<b>{_esc(label('answer', answer.language))}</b> {_esc(short.text.strip())}{cite}"
        body = f'<p dir="auto" class="sanad-short">{link_citations(lead, answer_id, numbers)}</p>{body}'
    notice = ""
    if unsaid := unsaid_notice(answer.notice, answer.text):
        # only what the text does not already say: the offline text opens with its notice
        notice = f'<div dir="auto" class="{NOTICE_CLASS}"><small>{_esc(unsaid)}</small></div>'
    classes = ANSWER_CLASS + (" sanad-abstained" if answer.abstained else "")
    return (
        f'<div dir="auto" class="{classes}" data-answer-id="{_esc(_SAFE_ID.sub("", answer_id))}"'
        f"{_lang_attr(answer.language)}>{body}{notice}</div>"
    )


def _citation_item(c: Citation, answer_id: str, language: str) -> str:
    ch = c.chunk
    title = _esc(ch.title.strip() or ch.article_id)
    meta: list[str] = []
    if ch.source:
        meta.append(_esc(ch.source))
    if ch.published_at:
        meta.append(_esc(ch.published_at[:10]))
    if ch.url and ch.url.lower().startswith(("http://", "https://")):
        link_text = _esc(label("open", language))
        meta.append(f'<a href="{_esc(ch.url)}" target="_blank" rel="noopener noreferrer">{link_text}</a>')
    meta_html = f'<div dir="auto" class="sanad-src-meta">{" · ".join(meta)}</div>' if meta else ""
    quotes = [c.quote.strip() or ch.text.strip(), *(q.text.strip() for q in c.more_quotes if q.text.strip())]
    quotes_html = "".join(
        f'<blockquote dir="auto" class="sanad-quote">{"<br>".join(map(_esc, q.splitlines()))}</blockquote>'
        for q in quotes
    )
    return (
        f'<li id="{anchor_id(answer_id, c.number)}" dir="auto" class="sanad-src">'
        f'<div class="sanad-src-title"><b>[{c.number}]</b> <b>{title}</b></div>{meta_html}'
        f"{quotes_html}{_also_in(c, language)}</li>"
    )


def _also_in(c: Citation, language: str) -> str:
    """The near-duplicate copies of a source: outlet, date, link (empty when there are none)."""
    if not c.also_in:
        return ""
    items = []
    for s in c.also_in:
        text = " ".join(x for x in (s.source or s.title or s.article_id, (s.published_at or "")[:10]) if x)
        if s.url and s.url.lower().startswith(("http://", "https://")):
            items.append(
                f'<a href="{_esc(s.url)}" target="_blank" rel="noopener noreferrer">{_esc(text)}</a>'
            )
        else:
            items.append(_esc(text))
    head = _esc(label("also_in", language))
    return f'<div dir="auto" class="sanad-src-also"><small>{head} {" · ".join(items)}</small></div>'


def render_sources(answer: Answer, answer_id: str, *, open_: bool = False) -> str | None:
    """The collapsible Sources message, or None when there is nothing to cite (abstention).

    Args:
        answer: The answer whose citations are listed in number order.
        answer_id: The same id given to :func:`render_answer`.
        open_: Render expanded.

    Returns:
        ``<details class="sanad-sources" dir="auto"><summary>Sources (n)</summary><ol>…</ol></details>``.
    """
    if answer.abstained or not answer.citations:
        return None
    lang = answer.language
    items = "".join(
        _citation_item(c, answer_id, lang) for c in sorted(answer.citations, key=lambda c: c.number)
    )
    summary = f"{_esc(label('sources', lang))} ({len(answer.citations)})"
    return (
        f'<details dir="auto" class="{SOURCES_CLASS}" data-answer-id="{_esc(_SAFE_ID.sub("", answer_id))}"'
        f"{' open' if open_ else ''}{_lang_attr(lang)}><summary>{summary}</summary>"
        f'<ol class="sanad-src-list">{items}</ol></details>'
    )


def render_error(message: str, partial: str = "", lead: str = "Sorry, something went wrong:") -> str:
    """A readable error message in the chat (never a traceback), after any partial answer.

    ``lead`` (bold, before the message) is left out when empty: a refusal already worded for the
    user, in the question's language (e.g. a question over the length limit), stands alone.
    """
    before = _paragraphs(partial) if partial.strip() else ""
    head = f"<b>{_esc(lead)}</b> " if lead else ""
    return f'<div dir="auto" class="{ANSWER_CLASS} {ERROR_CLASS}">{before}<p>{head}{_esc(message)}</p></div>'


def is_sources_html(content: str) -> bool:
    """True when a chat message is a Sources block (display only)."""
    return f'class="{SOURCES_CLASS}"' in content


def is_error_html(content: str) -> bool:
    """True when a chat message is an error rendered by :func:`render_error`."""
    return f'class="{ANSWER_CLASS} {ERROR_CLASS}"' in content


def answer_id_of(content: str) -> str | None:
    """The ``data-answer-id`` carried by a rendered answer or Sources message, if any."""
    m = _ANSWER_ID.search(content)
    return m.group(1) if m else None


class _TextExtractor(HTMLParser):
    """Text content of our markup, skipping notices, errors' labels and Sources blocks."""

    _SKIP = (SOURCES_CLASS, NOTICE_CLASS)
    _VOID = frozenset({"br", "hr", "img", "input", "meta", "link", "wbr"})
    _BLOCK = frozenset({"p", "div", "li", "blockquote", "details", "ol", "ul"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._stack: list[bool] = []  # per open element: does it start a skipped subtree?
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            if not self._skipping:
                self.parts.append("\n")
            return
        if tag in self._VOID:
            return
        classes = (dict(attrs).get("class") or "").split()
        skip = any(c in self._SKIP for c in classes)
        self._stack.append(skip)
        if skip:
            self._skipping += 1
        if tag in self._BLOCK and not self._skipping and self.parts and not self.parts[-1].endswith("\n"):
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._VOID or not self._stack:
            return
        if self._stack.pop():
            self._skipping -= 1
        if tag == "p" and not self._skipping:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def plain_text(content: str) -> str:
    """The plain text of a rendered message, for the conversation history.

    Citation links become their visible ``[n]``; notices and Sources blocks are dropped; text
    that is not our HTML comes back unchanged apart from entity decoding.
    """
    if "<" not in content:
        return html.unescape(content).strip()
    parser = _TextExtractor()
    parser.feed(content)
    parser.close()
    text = "".join(parser.parts)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


# -- side panel (markdown for gr.Markdown) ---------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|>~-])")


def md_escape(text: str) -> str:
    """Text made inert for markdown: HTML-escaped, markdown punctuation backslash-escaped."""
    return _MD_SPECIAL.sub(r"\\\1", _esc(" ".join(text.split())))


def language_name(code: str) -> str:
    """ "Arabic (ar)" for "ar"; the bare code when the name is unknown."""
    name = LANGUAGE_NAMES.get(code)
    return f"{name} ({code})" if name else code


def _counts(values: object, name: Callable[[str], str] = lambda s: s) -> str:
    if not isinstance(values, dict) or not values:
        return "none"
    return " · ".join(f"{md_escape(name(str(k)))} {v}" for k, v in values.items())


def render_stats(stats: dict[str, object], model_label: str) -> str:
    """The side panel's status: active answerer and collection stats, as markdown.

    Args:
        stats: ``Catalog.stats()``: ``{"articles", "chunks", "languages": {code: n}, "sources": {name: n}}``.
        model_label: ``SanadChain.model_label``.
    """
    return "\n".join(
        [
            f"**Answerer:** {md_escape(model_label)}",
            "",
            f"**Collection:** {stats.get('articles', 0)} articles · {stats.get('chunks', 0)} chunks",
            "",
            f"**Languages:** {_counts(stats.get('languages'), language_name)}",
            "",
            f"**Sources:** {_counts(stats.get('sources'))}",
        ]
    )


def filter_choices(stats: dict[str, object]) -> tuple[list[str], list[tuple[str, str]]]:
    """Choices of the source and language filters from ``Catalog.stats()``.

    Returns:
        ``(source names, [(label, language code)])``; "(none)" sources are left out.
    """
    sources = stats.get("sources")
    languages = stats.get("languages")
    names = sorted(str(s) for s in sources if s != "(none)") if isinstance(sources, dict) else []
    langs = [(language_name(str(c)), str(c)) for c in languages] if isinstance(languages, dict) else []
    return names, langs


_QUESTION_TEMPLATES = {
    "ar": "ماذا يقول المقال عن «{title}»؟",
    "en": 'What does the article say about "{title}"?',
}


def example_question(title: str, language: str, max_chars: int = 70) -> str:
    """A question about an article from its title, in the article's language (Arabic/English)."""
    title = " ".join(title.split())
    if len(title) > max_chars:
        title = title[: max_chars - 1].rstrip() + "…"
    template = _QUESTION_TEMPLATES["ar" if language == "ar" else "en"]
    return template.format(title=title)


def example_questions(records: Iterable[ArticleRecord], limit: int = 6) -> list[str]:
    """Example questions from stored articles, languages interleaved so each one shows up.

    Args:
        records: Catalog records (articles without a title are skipped).
        limit: Most questions to return.
    """
    by_lang: dict[str, list[str]] = {}
    for rec in records:
        title = rec.article.title.strip()
        if title:
            by_lang.setdefault(rec.article.language, []).append(example_question(title, rec.article.language))
    out: list[str] = []
    queues = [list(v) for _, v in sorted(by_lang.items(), key=lambda kv: (kv[0] != "ar", kv[0]))]
    while len(out) < limit and any(queues):
        for q in queues:
            if q and len(out) < limit:
                out.append(q.pop(0))
    return out


def render_report(
    report: IngestReport | None,
    refused: Sequence[tuple[str, str]] = (),
    notes: Sequence[tuple[str, str]] = (),
) -> str:
    """An ingest report as markdown: counts, then each failure with its reason, then notes and
    the run's notices (warnings such as a dropped date or a replaced article id).

    Args:
        report: The pipeline's report, or None when nothing was ingested.
        refused: Files refused before ingest, as ``(name, reason)``.
        notes: What was done to accepted files, as ``(name, note)`` (e.g. a renamed upload).
    """
    lines: list[str] = []
    if report is not None:
        lines.append(
            f"**Ingested:** {report.added} added · {report.updated} updated · {report.unchanged} unchanged"
            f" · {report.removed} removed · {report.failed} failed"
            f" — {report.chunks_written} chunks in {report.seconds:.1f} s"
        )
    problems = [
        *refused,
        *(report.failures if report else []),
        *(report.skipped if report else []),
        *notes,
    ]
    notices = report.notices if report else []
    if problems or notices:
        lines.append("")
        lines.extend(f"- {md_escape(where)}: {md_escape(reason)}" for where, reason in problems)
        lines.extend(f"- {md_escape(notice)}" for notice in notices)
    return "\n".join(lines) if lines else "Nothing to ingest."
