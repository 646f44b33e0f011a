"""Answers as Slack mrkdwn: pure functions, no Slack client.

Slack reads ``&``, ``<`` and ``>`` as control characters, so article text is escaped; links are
``<url|title>``; a Sources list follows the answer with the quoted passage of each citation; long
answers are split into several messages under :data:`MAX_MESSAGE_CHARS` (Slack truncates
``text`` at 40,000 characters and advises keeping messages under 4,000).

Reference: https://api.slack.com/reference/surfaces/formatting
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from api.schemas import AskResponse, CitationOut

MAX_MESSAGE_CHARS = 3500
"""Longest message this module produces (Slack's advised limit is 4,000)."""

QUOTE_CHARS = 300
"""Longest quoted passage shown per source."""

SEARCHING = "_Searching the articles…_"
"""The placeholder posted before retrieval starts."""

_BOLD = re.compile(r"\*\*(.+?)\*\*")
_SOURCES = {"ar": "المصادر", "en": "Sources"}
_ALSO_IN = {"ar": "ورد أيضاً في:", "en": "also in:"}
_ANSWER = {"ar": "الإجابة:", "en": "Answer:"}


def escape(text: str) -> str:
    """Escape Slack's control characters ``&``, ``<`` and ``>`` (in that order)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_MRKDWN_LOOKALIKES = str.maketrans({"*": "\u2217", "_": "\u02cd", "~": "\u223c", "`": "\u02cb"})


def inert(text: str) -> str:
    """Article text made plain for mrkdwn: escaped (:func:`escape`), and ``*``, ``_``, ``~`` and
    the backtick replaced by look-alikes (∗ ˍ ∼ ˋ), since Slack has no way to escape them.

    Titles, sources and quotes are data: a title such as ``*Breaking_ news`` must not turn the
    rest of a message bold or italic, and a quote holding three backticks must not open a code
    block. ``<!channel>``, ``<@U123>`` and ``<http://evil|click>`` come out as visible text.
    """
    return escape(text).translate(_MRKDWN_LOOKALIKES)


def link(url: str | None, title: str) -> str:
    """``<url|title>`` for http(s) URLs, else the title alone, made :func:`inert`.

    ``|`` in the title is replaced (it would end the label); a URL holding ``<``, ``>``, ``|``
    or whitespace is percent-encoded there; other schemes (``javascript:``) give no link.
    """
    label = inert(" ".join(title.replace("|", "¦").split())) or "link"
    if not url or not url.lower().startswith(("http://", "https://")):
        return label
    safe = url.strip()
    for ch, code in (
        ("|", "%7C"),
        ("<", "%3C"),
        (">", "%3E"),
        (" ", "%20"),
        ("\t", "%09"),
        ("\n", ""),
        ("\r", ""),
    ):
        safe = safe.replace(ch, code)
    return f"<{safe}|{label}>"


def answer_mrkdwn(text: str) -> str:
    """The answer text as mrkdwn: escaped, ``**bold**`` → ``*bold*``; ``[n]`` markers kept."""
    return _BOLD.sub(r"*\1*", escape(text))


def quote_block(passage: str, limit: int = QUOTE_CHARS) -> str:
    """A passage as one ``>`` quote line (whitespace collapsed, cut at ``limit`` characters)."""
    flat = " ".join(passage.split())
    if len(flat) > limit:
        flat = flat[:limit].rsplit(" ", 1)[0] + "…"
    return "> " + inert(flat)


def _meta(source: str, published_at: str | None) -> str:
    return ", ".join(inert(" ".join(x.split())) for x in (source, (published_at or "")[:10]) if x)


def source_entry(citation: CitationOut, language: str = "en") -> str:
    """``[n] <url|title> — source, date``, then each quoted passage on its own ``>`` line, then
    ``also in: <url|outlet>, …`` naming the near-duplicate copies of the source (if any)."""
    title = citation.title or citation.article_id
    meta = _meta(citation.source, citation.published_at)
    lines = [f"*[{citation.number}]* {link(citation.url, title)}" + (f" — {meta}" if meta else "")]
    for quote in (citation.quote, *(q.quote for q in citation.more_quotes)):
        if quote.strip():
            lines.append(quote_block(quote))
    if citation.also_in:
        copies = ", ".join(
            link(s.url, s.source or s.title or s.article_id)
            + (f" ({d})" if (d := (s.published_at or "")[:10]) else "")
            for s in citation.also_in
        )
        lines.append(f"_{_ALSO_IN.get(language, _ALSO_IN['en'])}_ {copies}")
    return "\n".join(lines)


def render_answer(answer: AskResponse) -> str:
    """The whole reply: the short answer (when the text does not already hold it), the answer
    text, an optional italic notice, then the Sources list."""
    parts = []
    short = answer.short_answer
    if short is not None and short.text.strip() and short.text not in answer.answer:
        cite = f" [{short.citation}]" if short.citation is not None else ""
        parts.append(f"*{_ANSWER.get(answer.language, _ANSWER['en'])}* {inert(short.text.strip())}{cite}")
    parts.append(answer_mrkdwn(answer.answer.strip()))
    if answer.notice and answer.notice not in answer.answer:
        parts.append(f"_{inert(answer.notice)}_")
    if answer.citations:
        heading = _SOURCES.get(answer.language, _SOURCES["en"])
        parts.append(f"*{heading}*\n" + "\n".join(source_entry(c, answer.language) for c in answer.citations))
    return "\n\n".join(p for p in parts if p)


def split_message(text: str, limit: int = MAX_MESSAGE_CHARS) -> list[str]:
    """Split ``text`` into messages of at most ``limit`` characters.

    Cuts at paragraph breaks, then line breaks, then spaces; never inside a ``<…>`` link or an
    ``&…;`` entity. A run without any break point is cut hard.
    """
    if len(text) <= limit:
        return [text]
    out: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = _cut_point(rest, limit)
        out.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip("\n ")
    if rest.strip():
        out.append(rest)
    return [m for m in out if m.strip()]


def _cut_point(text: str, limit: int) -> int:
    for sep in ("\n\n", "\n", " "):
        at = text.rfind(sep, 0, limit)
        while at > 0 and not _safe(text, at):
            at = text.rfind(sep, 0, at)
        if at > limit // 4:
            return at
    at = limit
    while at > 1 and not _safe(text, at):
        at -= 1
    return at if at > 1 else limit


def _safe(text: str, at: int) -> bool:
    """True when position ``at`` is outside any ``<…>`` link and ``&…;`` entity."""
    head = text[:at]
    if head.rfind("<") > head.rfind(">"):
        return False
    amp = head.rfind("&")
    return not (amp >= 0 and ";" not in head[amp:] and at - amp <= 6)


def render_messages(answer: AskResponse, limit: int = MAX_MESSAGE_CHARS) -> list[str]:
    """:func:`render_answer` split into Slack-sized messages (at least one)."""
    return split_message(render_answer(answer), limit) or [""]


def strip_mentions(text: str, user_ids: Iterable[str] = ()) -> str:
    """The question in a message: ``<@U…>`` mentions removed, Slack's entities unescaped."""
    out = re.sub(r"<@[A-Z0-9]+(\|[^>]*)?>", " ", text)
    for uid in user_ids:
        out = out.replace(f"@{uid}", " ")
    out = re.sub(r"<(https?://[^|>]+)\|([^>]+)>", r"\2 (\1)", out)
    out = re.sub(r"<(https?://[^>]+)>", r"\1", out)
    out = out.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return " ".join(out.split())
