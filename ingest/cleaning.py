"""Named debris rules for article text, and :func:`clean_text` which applies them in order.

Each rule is a small pure function ``str -> str`` listed in :data:`RULES`; the order matters and
is documented there. Scraped news text carries debris such as ``[ad_1]`` markers, a trailing
"المصدر" or "Source: Reuters" line, zero-width and bidi control characters, and Arabic
presentation forms, and sometimes live markup (HTML tags, Markdown images and links); the rules
remove or fold them so that equal articles hash equally and
chunks carry only the article.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from ingest.hidden_html import remove_hidden_elements
from rag.text.markup import strip_markup
from rag.text.normalize import strip_invisible


@dataclass(frozen=True)
class Cleaned:
    """The result of :func:`clean_text`.

    Attributes:
        text: The cleaned text ("" when the input was only debris).
        source_name: The value of a trailing "Source: X" / "المصدر: X" line, or None.
        rules_applied: Names of the rules that changed the text, in the order applied.
    """

    text: str
    source_name: str | None
    rules_applied: tuple[str, ...]


def drop_bom(text: str) -> str:
    """Remove a leading byte-order mark (U+FEFF)."""
    return text.removeprefix("\ufeff")


def normalize_nfkc(text: str) -> str:
    """Apply Unicode NFKC normalisation.

    Folds compatibility characters: Arabic presentation forms (U+FEFB → "لا"), full-width
    Latin, ligatures such as "ﬁ", and non-breaking or other typographic spaces into U+0020.
    """
    return unicodedata.normalize("NFKC", text)


def remove_invisible(text: str) -> str:
    """Remove zero-width, bidi control, invisible operator and soft-hyphen characters: the set of
    :func:`rag.text.normalize.strip_invisible`, so stored text and the matching form agree."""
    return strip_invisible(text)


_NEWLINE_RE = re.compile("\r\n|[\r\v\f\x85\u2028]")


def normalize_newlines(text: str) -> str:
    """Turn CRLF, CR, vertical tab, form feed, NEL and U+2028 into "\\n"; U+2029 into "\\n\\n"."""
    return _NEWLINE_RE.sub("\n", text).replace("\u2029", "\n\n")


def remove_hidden_html(text: str) -> str:
    """Remove HTML elements a reader is never shown (``hidden``, ``aria-hidden="true"``,
    ``display:none``…) with their content (:func:`ingest.hidden_html.remove_hidden_elements`):
    :func:`remove_markup` would keep their text, and it was quoted as an answer."""
    return remove_hidden_elements(text)


def remove_markup(text: str) -> str:
    """Remove live markup: HTML tags (script/style/iframe… with their content), Markdown images
    and links; an image's alt text and a link's text stay (:func:`rag.text.markup.strip_markup`).

    Quotes are exact spans of the cleaned text, so this is what keeps a tracking pixel or an
    ``onerror=`` handler in an article from reaching API clients that render Markdown or HTML.
    """
    return strip_markup(text)


_AD_MARKER_RE = re.compile(r"\[\s*/?\s*(?:ad(?:[ _-]?\d+)?|advertisement)\s*\]", re.IGNORECASE)


def remove_ad_markers(text: str) -> str:
    """Remove scraper ad markers such as ``[ad_1]``, ``[ad]``, ``[/ad]``, ``[Advertisement]``.

    Case-insensitive, on their own line or inline; the spaces left behind are collapsed by
    :func:`collapse_whitespace`.
    """
    return _AD_MARKER_RE.sub("", text)


_SOURCE_LINE_RE = re.compile(
    r"(?P<label>المصدر|المصادر|sources?)\s*(?P<colon>[:：])?\s*(?P<value>.*)", re.IGNORECASE
)
_MAX_SOURCE_CHARS = 100


def extract_source_footer(text: str) -> tuple[str, str | None]:
    """Remove a trailing source line and return its value.

    The last non-empty line is removed when it is a bare label ("المصدر", "المصدر:",
    "Source", "Sources:"; case-insensitive, optional colon) or a label, a colon and a short value
    ("Source: Reuters", "المصدر : وكالات"; at most 100 characters, a trailing "." dropped). A
    value needs the colon, so a closing sentence like "Sources said the talks failed." stays.

    Args:
        text: Text with "\\n" line endings.

    Returns:
        ``(text without the line, source value or None)``; ``text`` unchanged when no match.
    """
    lines = text.split("\n")
    index = len(lines) - 1
    while index >= 0 and not lines[index].strip():
        index -= 1
    if index < 0:
        return text, None
    match = _SOURCE_LINE_RE.fullmatch(lines[index].strip())
    if match is None:
        return text, None
    value = match.group("value").strip().rstrip(".").strip()
    if value and (match.group("colon") is None or len(value) > _MAX_SOURCE_CHARS):
        return text, None
    return "\n".join(lines[:index]), value or None


def remove_source_footer(text: str) -> str:
    """Remove a trailing "Source: X" / "المصدر" line (see :func:`extract_source_footer`)."""
    return extract_source_footer(text)[0]


def strip_lines(text: str) -> str:
    """Strip spaces and tabs from both ends of every line (blank-looking lines become empty)."""
    return "\n".join(line.strip(" \t") for line in text.split("\n"))


_SPACES_RE = re.compile(r"[ \t]{2,}|\t")
_BLANK_LINES_RE = re.compile(r"\n{3,}")


def collapse_whitespace(text: str) -> str:
    """Collapse runs of spaces and tabs into one space, and 3+ newlines into 2."""
    return _BLANK_LINES_RE.sub("\n\n", _SPACES_RE.sub(" ", text))


def strip_text(text: str) -> str:
    """Strip whitespace from both ends of the whole text."""
    return text.strip()


RULES: tuple[tuple[str, Callable[[str], str]], ...] = (
    ("drop_bom", drop_bom),
    ("normalize_nfkc", normalize_nfkc),
    ("remove_invisible", remove_invisible),
    ("normalize_newlines", normalize_newlines),
    ("remove_hidden_html", remove_hidden_html),
    ("remove_markup", remove_markup),
    ("remove_ad_markers", remove_ad_markers),
    ("remove_source_footer", remove_source_footer),
    ("strip_lines", strip_lines),
    ("collapse_whitespace", collapse_whitespace),
    ("strip_text", strip_text),
)
"""The rules in the order :func:`clean_text` applies them.

Unicode first (so later patterns see one canonical form), then line endings (so line-based rules
see "\\n"), then hidden HTML elements (while the tags that hide them are there), then markup (so
a tag cannot hide a footer or an ad marker), then ad markers (so a
"[ad_2]" after the source line does not hide it), then the source footer, then whitespace
tidying last.
"""


def clean_text(raw: str) -> Cleaned:
    """Clean raw article text by applying :data:`RULES` in order.

    Args:
        raw: Article body as read.

    Returns:
        :class:`Cleaned` with the text ("" when it was only debris: the pipeline reports that as
        "article is empty after cleaning"), the source name from a trailing "Source: X" line,
        and the names of the rules that changed something.
    """
    text = raw
    source_name: str | None = None
    applied: list[str] = []
    for name, rule in RULES:
        if name == "remove_source_footer":
            new, source_name = extract_source_footer(text)
        else:
            new = rule(text)
        if new != text:
            applied.append(name)
        text = new
    return Cleaned(text=text, source_name=source_name, rules_applied=tuple(applied))
