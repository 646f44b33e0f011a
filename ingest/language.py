"""Language detection and title guessing for articles that do not say."""

from __future__ import annotations

from rag.text.language import detect_language as _detect

_TITLE_END_PUNCTUATION = (".", "…", ":", ",", "،", ";", "؛")


def detect_language(text: str) -> str:
    """The article's BCP 47 language code ("und" when undeterminable); see rag.language."""
    return _detect(text, undetermined="und")


def guess_title(text: str, max_chars: int = 120) -> str | None:
    """Guess a title from the first line of an article.

    Rule: the first non-empty line (stripped) is the title when it is at most ``max_chars``
    characters, contains a letter, does not end like a sentence or a lead-in ("." "…" ":" ","
    "،" ";" "؛"; headlines may end with "?", "؟" or "!"), and is not the only line of the text.

    Args:
        text: Cleaned article text.
        max_chars: Longest acceptable title, in characters.

    Returns:
        The title, or None when the first line does not look like one.
    """
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) < 2:
        return None
    first = lines[0]
    if len(first) > max_chars or not any(ch.isalpha() for ch in first):
        return None
    if first.endswith(_TITLE_END_PUNCTUATION):
        return None
    return first
