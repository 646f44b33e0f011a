"""Citation styles small models write, rewritten into Sanad's ``[n]`` before markers are parsed.

Seen from SmolLM2, Qwen and Llama models through llama.cpp, Ollama and vLLM: a literal ``[n]``
copied from the prompt's instructions (SmolLM2-135M, tests/llm), ``【1】``, footnotes ``[^1]``
(with ``[^1]: …`` definitions), ``(1)`` after a claim, ``Source 1``
/ ``Passage 2`` / ``المصدر 1``, markers inside code spans (`` `[1]` ``) and a trailing
"Sources:" list instead of inline markers. :func:`canonical_markers` turns them into ``[n]``
(``[1, 2]`` and ``[1][2]`` are parsed as they are by rag/answer/citations.py). A number is only
taken for a citation when it names a passage (1..n): "(2019)" or "Source 12" of a 5-passage
prompt stay text. Full-width ``［1］`` is never read: it is the form
:func:`rag.answer.citations.defuse_markers` gives markers found in articles, so a copied article
marker must stay text.
"""

from __future__ import annotations

import re

_NUMS = r"\d{1,3}(?:\s*(?:,|،|and|و)\s*\d{1,3})*"
_BRACKETS = re.compile(r"[【〔〘]\s*(" + _NUMS + r")\s*[】〕〙]")
_FOOTNOTE_DEF = re.compile(r"^[ \t]*\[\^\d{1,3}\]:.*$\n?", re.MULTILINE)
_FOOTNOTE = re.compile(r"\[\^(\d{1,3})\]")
_CODE_SPAN = re.compile(r"`+\s*(\[[\d\s,،\-–]+\])\s*`+")
_NAMED = re.compile(
    r"[\[(]?\b(?:sources?|passages?|refs?|references?|documents?|docs?)\s*(?:#|no\.?|:)?\s*("
    + _NUMS
    + r")\b[\])]?"
    r"|[\[(]?(?:المصدر|المصادر|المقطع)\s*:?\s*(" + _NUMS + r")[\])]?",
    re.IGNORECASE,
)
# "(1)" after a claim, before punctuation or the line's end; "(1) first, (2) second" stays a list.
_PAREN = re.compile(r"(?<=\S)[ \t]?\((" + _NUMS + r")\)(?=[.,;:!?،؛؟]|[ \t]*$)", re.MULTILINE)
_SOURCES_HEAD = re.compile(
    r"\n[ \t]*(?:\*\*|#+[ \t]*)?(?:sources?|references?|citations?|المصادر|المراجع)"
    r"(?:\*\*)?[ \t]*:?(?:\*\*)?[ \t]*\n",
    re.IGNORECASE,
)
_LISTED = re.compile(r"^[ \t]*(?:[-*•][ \t]*)?\[?\^?(\d{1,3})[\].):]", re.MULTILINE)


def _markers(numbers: str, n_passages: int) -> str | None:
    found = [int(x) for x in re.findall(r"\d+", numbers)]
    if not found or not all(1 <= x <= n_passages for x in found):
        return None
    return "".join(f"[{x}]" for x in found)


def _sub(pattern: re.Pattern[str], text: str, n_passages: int) -> str:
    def repl(m: re.Match[str]) -> str:
        numbers = next((g for g in m.groups() if g), "")
        marks = _markers(numbers, n_passages)
        if marks is None:
            return m.group(0)
        return (" " if m.group(0)[:1].isspace() else "") + marks

    return pattern.sub(repl, text)


def _trailing_sources(text: str, n_passages: int) -> str:
    """Drop a trailing "Sources:" list; if the body cites nothing, cite what the list names."""
    heads = list(_SOURCES_HEAD.finditer(text))
    if not heads:
        return text
    head = heads[-1]
    body, listed = text[: head.start()], text[head.end() :]
    numbers = [int(n) for n in _LISTED.findall(listed) if 1 <= int(n) <= n_passages]
    if not numbers:
        return text  # a heading followed by prose, not a list of passages
    if re.search(r"\[\d", body):
        return body.rstrip()
    marks = "".join(f"[{n}]" for n in dict.fromkeys(numbers))
    stripped = body.rstrip()
    end = len(stripped) - 1 if stripped[-1:] in ".!?؟。" else len(stripped)
    return f"{stripped[:end]} {marks}{stripped[end:]}"


# SmolLM2-135M through llama.cpp copies the prompt's marker template literally: "[n] The bank…".
_PLACEHOLDER = re.compile(
    r"^[ \t]*\[(?:n|N|x|X|#|number|رقم)\][ \t]*|[ \t]*\[(?:n|N|x|X|#|number|رقم)\]", re.MULTILINE
)


def canonical_markers(text: str, n_passages: int) -> str:
    """``text`` with every recognised citation style written as ``[n]`` markers.

    Args:
        text: The model's answer.
        n_passages: Passages in the prompt; only numbers 1..n become markers.

    Returns:
        The rewritten text (unchanged when it uses no other style).
    """
    if n_passages <= 0:
        return text
    text = _PLACEHOLDER.sub("", text)  # a template marker points nowhere
    text = _FOOTNOTE_DEF.sub("", text)
    text = _FOOTNOTE.sub(lambda m: f"[{m.group(1)}]", text)
    text = _CODE_SPAN.sub(lambda m: m.group(1), text)
    text = _sub(_BRACKETS, text, n_passages)
    text = _trailing_sources(text, n_passages)
    text = _sub(_NAMED, text, n_passages)
    return _sub(_PAREN, text, n_passages)
