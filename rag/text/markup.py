"""Plain text out of text that may carry live markup: HTML, Markdown images and links.

Sanad's answer and quote text is plain text (DESIGN.md, "Invariants"): an API client that renders
Markdown or HTML must never fetch a tracking pixel (``![](https://tracker.example/p.gif)``), run
an ``onerror=`` handler or load an ``<iframe>`` because an article (or an LLM copying one) held
it. :func:`strip_markup` is applied at ingest to the indexed text of txt/md/json articles (so
quotes, which are exact spans of it, are plain) and to LLM output; :class:`StreamStripper` does
the same to text streamed piece by piece.

What is kept: an image's alt text, a link's text, the text inside harmless tags. What goes:
tags, and the content of ``script``, ``style``, ``iframe`` and other embedding elements. HTML
is parsed by ``nh3`` (the Rust ``ammonia`` sanitiser: a real HTML5 parser, not a regex), with no
tag allowed; entities are then decoded, and the pass repeats until nothing changes, so escaped
markup (``&lt;script&gt;``) decoded by one pass is removed by the next.
"""

from __future__ import annotations

import html
import re

import nh3

_DROP_WITH_CONTENT = {
    "script",
    "style",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "noscript",
    "template",
    "svg",
    "math",
    "head",
    "title",
    "textarea",
    "select",
}
"""Elements whose content is never article text (code, embedded documents, form widgets)."""

# One level of balanced parentheses in a link destination, as CommonMark allows.
_DEST = r"<[^<>\n]*>|(?:[^\s()]|\((?:[^\s()])*\))*"
_TITLE = r"""(?:\s+(?:"[^"\n]*"|'[^'\n]*'|\([^()\n]*\)))?"""
_MD_IMAGE = re.compile(r"!\[([^\[\]\n]*)\]\(\s*(?:" + _DEST + r")" + _TITLE + r"\s*\)")
_MD_IMAGE_REF = re.compile(r"!\[([^\[\]\n]*)\]\[[^\[\]\n]*\]")
_MD_LINK = re.compile(r"(?<!!)\[([^\[\]\n]+)\]\(\s*(?:" + _DEST + r")" + _TITLE + r"\s*\)")
_MD_REF_DEF = re.compile(r"^ {0,3}\[[^\[\]\n]+\]:[ \t]*\S+.*$", re.MULTILINE)
_AUTOLINK = re.compile(r"<((?:https?|ftp|mailto):[^<>\s]*)>", re.IGNORECASE)
_IMG_TAG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_ALT = re.compile(r"""\balt\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)
_HTML_ELEMENTS = (
    "a|abbr|address|applet|area|article|aside|audio|b|base|basefont|bdi|bdo|big|blink|blockquote|"
    "body|br|button|canvas|caption|center|cite|code|col|colgroup|data|datalist|dd|del|details|dfn|"
    "dialog|dir|div|dl|dt|em|embed|fieldset|figcaption|figure|font|footer|form|frame|frameset|"
    "h[1-6]|head|header|hgroup|hr|html|i|iframe|img|input|ins|isindex|kbd|keygen|label|legend|li|"
    "link|listing|main|map|mark|marquee|math|menu|meta|meter|nav|nobr|noembed|noframes|noscript|"
    "object|ol|optgroup|option|output|p|param|picture|plaintext|pre|progress|q|rp|rt|ruby|s|samp|"
    "script|search|section|select|slot|small|source|span|strike|strong|style|sub|summary|sup|svg|"
    "table|tbody|td|template|textarea|tfoot|th|thead|time|title|tr|track|tt|u|ul|var|video|wbr|xmp"
)
# A tag is markup when it names an HTML element, or when it carries attributes (``<x onclick=…>``:
# a browser makes any such element live). Anything else that starts with "<" — "x<y", "<and>",
# "<press@bank.example>", "<|im_end|>" — is plain text and stays; before this rule an HTML
# parser read "x<y. Then more text." as an unclosed tag and dropped the rest of the article.
_TAG = re.compile(
    r"<!--.*?-->"
    r"|</?(?:" + _HTML_ELEMENTS + r")(?=[\s/>])[^<>]*>"
    r"|</?[A-Za-z][\w:-]*\s+[^<>]*=[^<>]*>",
    re.IGNORECASE | re.DOTALL,
)
_MAX_PASSES = 5


def _alt_of(match: re.Match[str]) -> str:
    alt = _ALT.search(match.group(0))
    return next((g for g in alt.groups() if g), "") if alt else ""


def _markdown(text: str) -> str:
    text = _MD_IMAGE.sub(lambda m: m.group(1), text)
    text = _MD_IMAGE_REF.sub(lambda m: m.group(1), text)
    text = _MD_LINK.sub(lambda m: m.group(1), text)
    text = _MD_REF_DEF.sub("", text)
    return _AUTOLINK.sub(lambda m: m.group(1), text)


def _unclosed_droppers(text: str) -> str:
    """``text`` with the opening tag of a content-dropping element removed when it is never closed.

    ``<svg onload=…>`` with no ``</svg>`` would otherwise drop everything after it as its content.
    """
    for name in _DROP_WITH_CONTENT:
        if re.search(rf"<{name}\b", text, re.IGNORECASE) and not re.search(
            rf"</{name}\s*>", text, re.IGNORECASE
        ):
            text = re.sub(rf"<{name}\b[^<>]*>", "", text, flags=re.IGNORECASE)
    return text


def _html(text: str) -> str:
    if not _TAG.search(text):
        return text  # no tag: leave entities and every "<" of plain text as they are
    text = _unclosed_droppers(_IMG_TAG.sub(_alt_of, text))
    # only what _TAG calls markup reaches the parser as markup; every other "<" is escaped first
    marked: list[str] = []
    last = 0
    for m in _TAG.finditer(text):
        marked.append(text[last : m.start()].replace("<", "&lt;"))
        marked.append(m.group(0))
        last = m.end()
    marked.append(text[last:].replace("<", "&lt;"))
    cleaned = nh3.clean(
        "".join(marked), tags=set(), clean_content_tags=_DROP_WITH_CONTENT, strip_comments=True
    )
    return html.unescape(cleaned)


def strip_markup(text: str) -> str:
    """``text`` without live HTML or Markdown images/links (alt and link text kept).

    Text without markup comes back unchanged (entities and a lone ``<`` included). Whitespace
    is left as it was; removed elements leave nothing behind.

    Args:
        text: Article text or model output.

    Returns:
        Plain text: no tag, no Markdown image or link; an image's alt text and a link's text stay.
    """
    for _ in range(_MAX_PASSES):
        new = _html(_markdown(text))
        if new == text:
            return text
        text = new
    return text.replace("<", "‹")  # still markup after several passes: make any "<" inert


def has_markup(text: str) -> bool:
    """True when :func:`strip_markup` would change ``text``."""
    return strip_markup(text) != text


_OPEN_TAIL = re.compile(r"(<[^>]*|!?\[[^\]\n]*(?:\]|\]\([^)\n]*)?|&[#\w]*)$")
_HOLD_LIMIT = 400  # characters held back waiting for a construct to close


class StreamStripper:
    """:func:`strip_markup` over text that arrives in pieces (an LLM's stream).

    A piece may end inside a tag (``<img src=x on``) or a Markdown image (``![](https://tr``):
    that tail is held back until it closes (or grows past 400 characters), so no construct is
    ever emitted half-stripped. ``feed`` returns what is safe to show now; ``flush`` the rest.
    """

    def __init__(self) -> None:
        self._held = ""

    def feed(self, piece: str) -> str:
        """Add a piece; returns the plain text that can be shown now (possibly "")."""
        text = self._held + piece
        tail = _OPEN_TAIL.search(text)
        cut = tail.start() if tail and len(text) - tail.start() <= _HOLD_LIMIT else len(text)
        self._held = text[cut:]
        return strip_markup(text[:cut]) if cut else ""

    def flush(self) -> str:
        """The held-back rest, stripped (call once at the end of the stream)."""
        text, self._held = self._held, ""
        return strip_markup(text)
