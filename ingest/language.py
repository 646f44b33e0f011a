"""Language detection and title guessing for articles that do not say."""

from __future__ import annotations

_SAMPLE_CHARS = 2000
# Letters used by Persian, Urdu and other Arabic-script languages but not by Arabic.
_NON_ARABIC_LETTERS = frozenset("پچژگکیٹڈڑںےہۀۃ")
_TITLE_END_PUNCTUATION = (".", "…", ":", ",", "،", ";", "؛")


def _is_arabic_script(ch: str) -> bool:
    cp = ord(ch)
    return (
        0x0600 <= cp <= 0x06FF
        or 0x0750 <= cp <= 0x077F
        or 0x08A0 <= cp <= 0x08FF
        or 0xFB50 <= cp <= 0xFDFF
        or 0xFE70 <= cp <= 0xFEFF
    )


def detect_language(text: str) -> str:
    """Detect the language of ``text`` as a BCP 47 code.

    Looks at the first 2000 characters only. When more than half of the letters are in the
    Arabic script and at most 2% are letters specific to Persian/Urdu (پ چ ژ گ ک ی …), returns
    "ar" without a model; otherwise asks py3langid (ISO 639-1 codes such as "en", "fr", "fa").

    Args:
        text: Any text.

    Returns:
        A code such as "ar" or "en"; "und" when the text has no letters.
    """
    sample = text[:_SAMPLE_CHARS]
    letters = [ch for ch in sample if ch.isalpha()]
    if not letters:
        return "und"
    arabic = sum(map(_is_arabic_script, letters))
    if arabic / len(letters) > 0.5:
        non_arabic = sum(ch in _NON_ARABIC_LETTERS for ch in letters)
        if non_arabic / len(letters) <= 0.02:
            return "ar"
    import py3langid

    code, _score = py3langid.classify(sample)
    return str(code) if code else "und"


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
