"""Detect the language of a question or an article (one implementation for both).

Rule: quoted passages («…», “…”, "…", „…“) are set aside first, since news quotes people in other
languages (an Arabic story quoting an English statement is still Arabic); then, if more than half
of the letters left are in Arabic script (and hardly any are Persian/Urdu letters) the text is
Arabic ("ar"); very short text or text without letters is undetermined ("en" for questions,
"und" for articles); otherwise py3langid (Lui & Baldwin, 2012, "langid.py") decides among common
news languages, and an unsure verdict is also undetermined.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from typing import Any

# Common news languages; restricting the classifier makes short questions far more reliable.
_CANDIDATES = (
    "en",
    "ar",
    "fr",
    "es",
    "de",
    "it",
    "pt",
    "nl",
    "ru",
    "uk",
    "tr",
    "fa",
    "ur",
    "zh",
    "ja",
    "ko",
    "hi",
    "id",
    "sv",
    "pl",
    "he",
    "el",
)
_MIN_LETTERS = 8
# Letters used by Persian, Urdu and other Arabic-script languages but not by Arabic.
_NON_ARABIC_LETTERS = frozenset("پچژگکیٹڈڑںےہۀۃ")
_MIN_CONFIDENCE = 0.4

# A quoted passage within one line: straight, curly, guillemet and low-high quotes. Single quotes
# are left alone (apostrophes: "don't"); 600 characters bound what an unpaired quote can swallow.
_QUOTED = re.compile(r'"[^"\n]{1,600}"|“[^”\n]{1,600}”|«[^»\n]{1,600}»|„[^“”\n]{1,600}[“”]')

_ARABIC_RANGES = (
    (0x0600, 0x06FF),
    (0x0750, 0x077F),
    (0x08A0, 0x08FF),
    (0xFB50, 0xFDFF),
    (0xFE70, 0xFEFF),
)

LANGUAGE_NAMES: dict[str, str] = {
    "en": "English",
    "ar": "Arabic",
    "fr": "French",
    "es": "Spanish",
    "de": "German",
    "it": "Italian",
    "pt": "Portuguese",
    "nl": "Dutch",
    "ru": "Russian",
    "uk": "Ukrainian",
    "tr": "Turkish",
    "fa": "Persian",
    "ur": "Urdu",
    "zh": "Chinese",
    "ja": "Japanese",
    "ko": "Korean",
    "hi": "Hindi",
    "id": "Indonesian",
    "sv": "Swedish",
    "pl": "Polish",
    "he": "Hebrew",
    "el": "Greek",
}


def is_arabic_char(ch: str) -> bool:
    """True when ``ch`` (one character) is in an Arabic-script Unicode block."""
    cp = ord(ch)
    return any(lo <= cp <= hi for lo, hi in _ARABIC_RANGES)


_IDENTIFIER_LOCK = threading.Lock()


def _identifier() -> Any:
    # lru_cache alone lets every concurrent first caller load the model (~3 s of LZMA each):
    # 20 questions arriving together at a fresh API server took ~50 s each (issue #7).
    with _IDENTIFIER_LOCK:
        return _load_identifier()


@lru_cache(maxsize=1)
def _load_identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    ident.set_languages(list(_CANDIDATES))
    return ident


def load_language_model() -> None:
    """Load the language classifier now (once per process; servers call it while warming up)."""
    _identifier()


def outside_quotes(text: str) -> str:
    """``text`` without its quoted passages, or ``text`` itself when they hold nearly all of it
    (fewer than 8 letters left: a bare quote is in its own language)."""
    rest = _QUOTED.sub(" ", text)
    return rest if sum(ch.isalpha() for ch in rest) >= _MIN_LETTERS else text


def detect_language(text: str, undetermined: str = "en", sample_chars: int = 2000) -> str:
    """Guess the BCP 47 language code of ``text`` (a question or an article).

    Only the first ``sample_chars`` characters are looked at, without their quoted passages
    (:func:`outside_quotes`).

    Args:
        text: Any text.
        undetermined: What to return when there is too little to judge: "en" for questions
            (answers and abstentions then come in English), "und" for articles.
        sample_chars: How much of the text to classify.

    Returns:
        "ar" when more than 50% of the letters are Arabic script and at most 2% are letters of
        Persian/Urdu only (پ چ ژ گ ک ی …); ``undetermined`` for text with fewer than 8 letters or
        when the classifier is unsure (probability < 0.4); otherwise the py3langid verdict
        among common news languages (e.g. "fr", "fa").
    """
    sample = outside_quotes(text[:sample_chars])
    letters = [ch for ch in sample if ch.isalpha()]
    if not letters:
        return undetermined
    arabic = sum(1 for ch in letters if is_arabic_char(ch))
    if arabic * 2 > len(letters) and sum(ch in _NON_ARABIC_LETTERS for ch in letters) <= 0.02 * len(letters):
        return "ar"
    if len(letters) < _MIN_LETTERS:
        return undetermined
    lang, prob = _identifier().classify(sample)
    if float(prob) < _MIN_CONFIDENCE:
        return undetermined
    return str(lang)


ARABIC_SCRIPT_LANGUAGES = frozenset({"ar", "fa", "ur", "ps", "ckb"})
"""Primary language subtags written in Arabic script (the others Sanad meets are in Latin script)."""


def script_of_language(language: str) -> str:
    """``"arabic"`` for an Arabic-script language (its primary subtag: "ar", "fa-IR"), else ``"latin"``."""
    return "arabic" if language.split("-")[0].lower() in ARABIC_SCRIPT_LANGUAGES else "latin"


def language_name(code: str) -> str:
    """English name of a BCP 47 code ("ar" → "Arabic"); the code itself when unknown."""
    return LANGUAGE_NAMES.get(code.split("-")[0].lower(), code)
