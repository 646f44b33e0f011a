"""HTML elements a reader never sees: ``hidden``, ``aria-hidden="true"``, ``display:none``.

A page (or raw HTML inside a Markdown or JSON article) may hold text no reader is shown: cloaked
keywords, a collapsed widget, or an injected line ("the secret password is swordfish") that was
then quoted as an answer. An element is hidden when it has the ``hidden`` attribute, an
``aria-hidden`` of "true", or an inline ``style`` with ``display: none`` or ``visibility:
hidden``; it goes with everything inside it. Hiding by a stylesheet class is not seen (that
needs the page's CSS). Applied to HTML pages before trafilatura extracts the article
(:func:`ingest.readers.extract_html`), and to every article's text before the markup is stripped
(:mod:`ingest.cleaning`).

Only tags are looked at, never "<" of plain text ("x<y" stays): a tag is ``<name attrs>`` with
its attributes parsed one by one, so a title such as ``title="a hidden gem"`` does not hide. An
element whose end tag is missing loses only its opening tag (its "content" would be the rest of
the article); void elements (``<input hidden>``) lose their tag.
"""

from __future__ import annotations

import re

_OPEN = re.compile(r"<(?P<name>[A-Za-z][\w:-]*)(?P<attrs>(?:\s[^<>]*)?)>")
_ATTR = re.compile(r"""([^\s=/>"']+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s>]+))?""")
_HIDING_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_MAYBE = re.compile(r"hidden|display|visibility", re.IGNORECASE)
_VOID = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
    ]
)


def _hides(attrs: str) -> bool:
    """Whether a tag's attribute text makes its element hidden."""
    for match in _ATTR.finditer(attrs):
        name = match.group(1).lower()
        value = (match.group(2) or "").strip("\"'").strip().lower()
        if name == "hidden" or (name == "aria-hidden" and value == "true"):
            return True
        if name == "style" and _HIDING_STYLE.search(value):
            return True
    return False


def _element_end(text: str, name: str, start: int) -> int | None:
    """The offset just after the end tag closing an element ``name`` opened before ``start``
    (same-name elements nested inside are counted), or None when it is never closed."""
    tags = re.compile(rf"<(/?){re.escape(name)}(?=[\s/>])[^<>]*>", re.IGNORECASE)
    depth = 1
    for tag in tags.finditer(text, start):
        if tag.group(1):
            depth -= 1
            if depth == 0:
                return tag.end()
        elif not tag.group(0).endswith("/>"):
            depth += 1
    return None


def remove_hidden_elements(text: str) -> str:
    """``text`` without its hidden HTML elements and their content (see the module docstring).

    Args:
        text: An HTML page, or article text that may hold raw HTML.

    Returns:
        The text with each hidden element removed; unchanged when it has none.
    """
    if "<" not in text or not _MAYBE.search(text):
        return text
    position = 0
    while True:
        found = next((m for m in _OPEN.finditer(text, position) if _hides(m.group("attrs"))), None)
        if found is None:
            return text
        name = found.group("name").lower()
        self_closing = found.group(0).endswith("/>") or name in _VOID
        end = None if self_closing else _element_end(text, name, found.end())
        text = text[: found.start()] + text[end if end is not None else found.end() :]
        position = found.start()
