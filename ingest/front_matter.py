"""Front matter of Markdown posts (Jekyll, Hugo, Zola…): metadata out, body alone to be chunked.

A post opens with YAML between ``---`` lines or TOML between ``+++`` lines. It is parsed with
python-frontmatter (YAML through PyYAML's safe loader; TOML through the standard library's
``tomllib``, since python-frontmatter's own TOML handler needs the unmaintained ``toml``
package). Keys read, first present wins (case-insensitive):

- title: ``title``, ``headline``; date: ``date``, ``published``, ``published_at``, ``pubDate``,
  ``publishDate``; source: ``source``, ``publisher``, ``outlet``, ``site``, else ``author``
  (a list gives its first name); url: ``url``, ``link``, ``permalink``, ``canonical``,
  ``canonicalURL``; language: ``lang``, ``language``, ``locale``; tags: ``tags``, ``categories``,
  ``keywords``.

A block that does not parse, or is not a mapping, is reported as a warning naming the file and
line and left out of the article (its body is kept): inside the text it became the first paragraph
and was quoted as an answer. A fence never closed is dropped alone, the text after it kept.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass, field
from typing import Any

from frontmatter.default_handlers import BaseHandler, YAMLHandler

_OPENING = re.compile(r"\A\ufeff?(?:---|\+\+\+)[ \t]*\r?\n")

TITLE_KEYS = ("title", "headline")
DATE_KEYS = ("date", "published", "published_at", "pubdate", "publishdate")
SOURCE_KEYS = ("source", "publisher", "outlet", "site", "author", "authors")
URL_KEYS = ("url", "link", "permalink", "canonical", "canonicalurl")
LANGUAGE_KEYS = ("lang", "language", "locale")
TAG_KEYS = ("tags", "categories", "keywords")


class _TomlHandler(BaseHandler):  # type: ignore[misc]
    """TOML between ``+++`` lines, read with :mod:`tomllib`."""

    FM_BOUNDARY = re.compile(r"^\+{3,}\s*$", re.MULTILINE)
    START_DELIMITER = END_DELIMITER = "+++"

    def load(self, fm: str, **kwargs: object) -> Any:
        return tomllib.loads(fm)


@dataclass(frozen=True)
class FrontMatter:
    """What a post's front matter says (None: not given).

    Attributes:
        body: The text after the front matter (the whole text when there is none or it is bad).
        title, published_at, source, url, language: Article metadata as strings; the date is
            as written (a YAML date or datetime is given in ISO form).
        tags: Tags or categories, in order.
        warning: Why a front matter block was left in the text, naming its line, or None.
    """

    body: str
    title: str | None = None
    published_at: str | None = None
    source: str | None = None
    url: str | None = None
    language: str | None = None
    tags: tuple[str, ...] = field(default_factory=tuple)
    warning: str | None = None


def _text(value: Any) -> str | None:
    # Unwrap nested lists to their first scalar: str() of a YAML alias bomb (a list of lists of
    # lists, shared by reference) would expand it into a huge title (issue #15, hostile input).
    for _ in range(8):
        if isinstance(value, list | tuple):
            value = value[0] if value else None
        elif isinstance(value, dict):
            value = value.get("name")
        else:
            break
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    text = str(value).strip()
    return text or None


def _first(meta: dict[str, Any], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        if key in meta:
            found = _text(meta[key])
            if found:
                return found
    return None


def _tags(meta: dict[str, Any]) -> tuple[str, ...]:
    for key in TAG_KEYS:
        value = meta.get(key)
        if isinstance(value, str):
            value = [t for t in re.split(r"[,\s]+", value) if t]
        if isinstance(value, list | tuple) and value:
            return tuple(str(t).strip() for t in value if isinstance(t, str | int | float) and str(t).strip())
    return ()


def split_front_matter(text: str) -> FrontMatter:
    """Split a Markdown post into its front matter's metadata and its body.

    Args:
        text: The decoded file.

    Returns:
        A :class:`FrontMatter`; ``body`` is ``text`` unchanged when there is no front matter, the
        text after a malformed block (``warning`` then says why and where), or the text after an
        opening fence that is never closed.
    """
    opening = _OPENING.match(text)
    if opening is None:
        return FrontMatter(body=text)
    after_fence = text[opening.end() :]
    text = text.removeprefix("\ufeff")
    handler = _TomlHandler() if text.startswith("+") else YAMLHandler()
    try:
        raw, body = handler.split(text)
    except ValueError:
        # No closing fence: the opening one alone is dropped (kept, it became a "---" paragraph).
        fence = "+++" if text.startswith("+") else "---"
        return FrontMatter(
            body=after_fence, warning=f"line 1: front matter opened with {fence} is never closed"
        )
    # A block that does not parse is still a metadata block, not prose: kept in the body it became
    # the article's first paragraph, and key/value lines were quoted as answers. It is left out.
    block_lines = text[: len(text) - len(body)].count("\n") + 1  # through the closing fence
    left_out = f"lines 1-{block_lines} left out of the article"
    try:
        meta = handler.load(raw)
    except Exception as exc:  # yaml.YAMLError (several kinds) or tomllib.TOMLDecodeError
        return FrontMatter(
            body=body, warning=f"line {_error_line(exc)}: malformed front matter ({_reason(exc)}); {left_out}"
        )
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        return FrontMatter(
            body=body, warning=f"line 2: front matter is not a mapping of keys to values; {left_out}"
        )
    lower = {str(k).lower(): v for k, v in meta.items()}
    return FrontMatter(
        body=body,
        title=_first(lower, TITLE_KEYS),
        published_at=_first(lower, DATE_KEYS),
        source=_first(lower, SOURCE_KEYS),
        url=_first(lower, URL_KEYS),
        language=_first(lower, LANGUAGE_KEYS),
        tags=_tags(lower),
    )


def _error_line(exc: Exception) -> int:
    """The file line of a parse error. The block's text starts with the rest of the opening fence's
    line, so its line k (0-based, YAML) or k (1-based, TOML) is the file's line k + 1 or k."""
    mark = getattr(exc, "context_mark", None) or getattr(exc, "problem_mark", None)
    if mark is not None:
        return int(mark.line) + 1
    found = re.search(r"at line (\d+)", str(exc))  # tomllib (Python 3.11) says it in the message
    return int(found.group(1)) if found else 1


def _reason(exc: Exception) -> str:
    problem = getattr(exc, "problem", None)
    return str(problem) if problem else re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
