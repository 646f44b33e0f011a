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
and was quoted as an answer. A YAML date that is no day (``date: 2024-02-30``) costs only the
date: it is kept as written (``date_key``/``date_line`` say where) for the reader to warn and drop.
A fence never closed: the ``key: value`` (``key = value``) lines right after it are still the
front matter when they parse as a mapping, and are left out of the body when they do not; the
text after them is kept.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass, field
from typing import Any

import yaml  # type: ignore[import-untyped]
from frontmatter.default_handlers import BaseHandler, YAMLHandler

_OPENING = re.compile(r"\A\ufeff?(?:---|\+\+\+)[ \t]*\r?\n")

TITLE_KEYS = ("title", "headline")
DATE_KEYS = ("date", "published", "published_at", "pubdate", "publishdate")
SOURCE_KEYS = ("source", "publisher", "outlet", "site", "author", "authors")
URL_KEYS = ("url", "link", "permalink", "canonical", "canonicalurl")
LANGUAGE_KEYS = ("lang", "language", "locale")
TAG_KEYS = ("tags", "categories", "keywords")


class _Loader(yaml.SafeLoader):  # type: ignore[misc]
    """PyYAML's safe loader, except that a timestamp that is no day ("2024-02-30", "2024-13-01")
    stays the string written instead of failing the whole block."""

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> object:
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            return self.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)

# The lines of a block whose closing fence is missing: "key: value" / "key = value", then list
# items and indented continuations. The first other line (a blank one, prose) ends the block.
_KEY_LINE = re.compile(r"[A-Za-z_][\w-]*[ \t]*(?::(?:[ \t]|$)|=)")
_CONTINUATION = re.compile(r"[ \t]+\S|-[ \t]")


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
        date_key: The key ``published_at`` came from ("date", "published"…), or None.
        date_line: The file line (1-based) of that key, or None.
    """

    body: str
    title: str | None = None
    published_at: str | None = None
    source: str | None = None
    url: str | None = None
    language: str | None = None
    tags: tuple[str, ...] = field(default_factory=tuple)
    warning: str | None = None
    date_key: str | None = None
    date_line: int | None = None


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
        text after a malformed block (``warning`` then says why and where), or, when the opening
        fence is never closed, the text after it and after the key/value lines that follow it.
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
        return _unclosed(after_fence, handler, "+++" if text.startswith("+") else "---")
    # A block that does not parse is still a metadata block, not prose: kept in the body it became
    # the article's first paragraph, and key/value lines were quoted as answers. It is left out.
    block_lines = text[: len(text) - len(body)].count("\n") + 1  # through the closing fence
    left_out = f"lines 1-{block_lines} left out of the article"
    try:
        meta = handler.load(raw, Loader=_Loader)
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
    return _front_matter(meta, raw, body)


def _front_matter(meta: dict[Any, Any], raw: str, body: str, warning: str | None = None) -> FrontMatter:
    """The metadata of a parsed block; ``raw`` is its text, whose line k (0-based) is file line k + 1."""
    lower = {str(k).lower(): v for k, v in meta.items()}
    date_key = next((k for k in DATE_KEYS if k in lower and _text(lower[k])), None)
    date_line = None
    if date_key is not None:
        key = re.compile(rf"[ \t]*[\"']?{re.escape(date_key)}[\"']?[ \t]*[:=]", re.IGNORECASE)
        date_line = next((k + 1 for k, line in enumerate(raw.split("\n")) if key.match(line)), None)
    return FrontMatter(
        body=body,
        title=_first(lower, TITLE_KEYS),
        published_at=_first(lower, DATE_KEYS),
        source=_first(lower, SOURCE_KEYS),
        url=_first(lower, URL_KEYS),
        language=_first(lower, LANGUAGE_KEYS),
        tags=_tags(lower),
        warning=warning,
        date_key=date_key,
        date_line=date_line,
    )


def _unclosed(after_fence: str, handler: YAMLHandler | _TomlHandler, fence: str) -> FrontMatter:
    """A post whose opening fence is never closed: the key/value lines right after the fence are
    its front matter when they parse as a mapping, else they are left out; never body text (kept,
    "title: …" became the article's title and first paragraph)."""
    said = f"line 1: front matter opened with {fence} is never closed"
    lines = after_fence.split("\n")
    count = 0
    if lines and _KEY_LINE.match(lines[0]):
        count = 1
        while count < len(lines) and (_KEY_LINE.match(lines[count]) or _CONTINUATION.match(lines[count])):
            count += 1
    if count == 0:  # no key lines: the opening fence alone is dropped (kept, it became a "---" paragraph)
        return FrontMatter(body=after_fence, warning=said)
    raw = "\n" + "\n".join(lines[:count])  # as a closed block's text: line k is file line k + 1
    body = "\n".join(lines[count:])
    where = f"lines 2-{count + 1}"
    try:
        meta = handler.load(raw, Loader=_Loader)
    except Exception:  # yaml.YAMLError (several kinds) or tomllib.TOMLDecodeError
        meta = None
    if not isinstance(meta, dict) or not meta:
        return FrontMatter(body=body, warning=f"{said}; {where} do not parse and are left out of the article")
    return _front_matter(meta, raw, body, f"{said}; {where} read as front matter")


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
