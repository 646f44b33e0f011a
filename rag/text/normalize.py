"""Normalisation and tokenisation for lexical (BM25) search, Arabic-aware.

Everything here is for *matching only*: stored and displayed text is never rewritten
(DESIGN.md, "Invariants"). The pipeline of :func:`tokenize` is

1. Unicode NFKC (folds Arabic presentation forms such as U+FEFB "ﻻ" into base letters),
   then ``str.casefold``;
2. drop tashkeel and tatweel; Arabic-Indic digits → ASCII digits;
3. split into runs of letters and digits (``[^\\W_]+``: Arabic letters, Latin letters, digits);
4. drop stopwords, compared after :func:`normalize_arabic` (small built-in English and Arabic
   lists). Because ى folds to ي, the name علي is dropped like the preposition على;
5. stem with Snowball through PyStemmer, chosen *per token by script*: Arabic-script tokens use the
   Arabic stemmer, other tokens the stemmer of ``language`` (English by default), so mixed text
   ("قال Putin ...") is handled whatever the chunk's language tag. Arabic stems are then folded
   with :func:`normalize_arabic` (أ إ آ ٱ → ا, ى → ي, ة → ه, ؤ → و, ئ → ي), so hamza and
   teh-marbuta spelling variants meet.

The Arabic folding follows the usual light normalisation of Arabic IR (Larkey, Ballesteros &
Connell, "Improving stemming for Arabic information retrieval", SIGIR 2002).
"""

from __future__ import annotations

import re
import threading
import unicodedata
from typing import Any

#: Bumped whenever tokenisation changes, so persisted BM25 indexes built with an older one are rebuilt.
TOKENIZER_VERSION = 1

_TASHKEEL = re.compile("[\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_FOLD = str.maketrans(
    {
        "أ": "ا",  # U+0623 alef with hamza above
        "إ": "ا",  # U+0625 alef with hamza below
        "آ": "ا",  # U+0622 alef with madda
        "ٱ": "ا",  # U+0671 alef wasla
        "ى": "ي",  # U+0649 alef maksura
        "ة": "ه",  # U+0629 teh marbuta
        "ؤ": "و",  # U+0624 waw with hamza
        "ئ": "ي",  # U+0626 yeh with hamza
    }
)
_DIGITS = str.maketrans(
    {chr(0x0660 + i): str(i) for i in range(10)} | {chr(0x06F0 + i): str(i) for i in range(10)}
)
_WORD = re.compile(r"[^\W_]+")
_ARABIC_SCRIPT = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")

#: BCP 47 primary subtag → Snowball stemmer for non-Arabic-script tokens (PyStemmer names).
STEMMER_BY_LANGUAGE: dict[str, str] = {
    "en": "english",
    "fr": "french",
    "de": "german",
    "es": "spanish",
    "it": "italian",
    "pt": "portuguese",
    "nl": "dutch",
    "sv": "swedish",
    "da": "danish",
    "no": "norwegian",
    "nb": "norwegian",
    "nn": "norwegian",
    "fi": "finnish",
    "ro": "romanian",
    "hu": "hungarian",
    "tr": "turkish",
    "id": "indonesian",
    "ca": "catalan",
    "ru": "russian",
    "el": "greek",
}
#: Languages written in Arabic script that have their own Snowball stemmer.
_ARABIC_SCRIPT_STEMMER: dict[str, str] = {"fa": "persian"}

_EN_STOPWORDS_RAW = """a an and are as at be been but by for from has have he her his i if in into is it its
    me my no not of on or our she so than that the their them then there these they this those
    to was we were what when where which while who whom why will with would you your do does did
    can could should about after before over under up down out also just than very"""
_EN_STOPWORDS = frozenset(_EN_STOPWORDS_RAW.split())
_AR_STOPWORDS_RAW = """في من على إلى الى عن أن إن ان هذا هذه ذلك تلك هؤلاء التي الذي الذين اللذان
    اللتان و او أو ثم لا ما لم لن قد كان كانت يكون هو هي هم هن نحن أنا انت أنت مع بين كل بعد قبل حتى
    عند منذ إذا اذا لكن بل أي اي كما ف ب ل ك وقد وفي ولا وما وهو وهي وأن وان إلا الا عليه عليها فيه فيها
    منه منها له لها به بها هناك هنا أيضا ايضا"""
_AR_STOPWORDS = frozenset(w.translate(_FOLD) for w in _TASHKEEL.sub("", _AR_STOPWORDS_RAW).split())
STOPWORDS: frozenset[str] = _EN_STOPWORDS | _AR_STOPWORDS

# PyStemmer objects are not thread-safe: one instance per (thread, algorithm).
_local = threading.local()


def _stemmer(algorithm: str) -> Any:
    cache: dict[str, Any] | None = getattr(_local, "stemmers", None)
    if cache is None:
        cache = {}
        _local.stemmers = cache
    stemmer = cache.get(algorithm)
    if stemmer is None:
        import Stemmer

        stemmer = Stemmer.Stemmer(algorithm)
        cache[algorithm] = stemmer
    return stemmer


def normalize_arabic(text: str) -> str:
    """Light Arabic normalisation for matching (never applied to stored text).

    Strips tashkeel (U+064B–U+065F, superscript alef U+0670, Quranic marks U+06D6–U+06ED) and
    tatweel (U+0640); folds أ إ آ ٱ → ا, ى → ي, ة → ه, ؤ → و, ئ → ي. Non-Arabic characters are
    left unchanged.

    Args:
        text: Any text.

    Returns:
        The normalised text (may be shorter than the input; offsets are not preserved).
    """
    return _TASHKEEL.sub("", text).translate(_FOLD)


def is_arabic_script(token: str) -> bool:
    """True when the token's first character is in an Arabic Unicode block."""
    return bool(token) and _ARABIC_SCRIPT.match(token) is not None


def stemmer_name(language: str | None) -> str:
    """The Snowball algorithm for non-Arabic-script tokens of ``language`` (English by default).

    Args:
        language: A BCP 47 code such as "en", "fr-CA" or "und"; None means unknown.
    """
    if not language:
        return "english"
    return STEMMER_BY_LANGUAGE.get(language.split("-")[0].lower(), "english")


def stemming_variant(language: str | None) -> str | None:
    """The primary subtag of ``language`` when it is stemmed differently from the default, else None.

    The default (None or an unsupported language) is English for non-Arabic-script tokens and
    Arabic for Arabic-script ones. An index whose documents use several variants tokenises a query
    once per variant so it meets all of them.
    """
    primary = (language or "").split("-")[0].lower()
    if primary in _ARABIC_SCRIPT_STEMMER or (primary in STEMMER_BY_LANGUAGE and primary != "en"):
        return primary
    return None


def tokenize(text: str, language: str | None = None) -> list[str]:
    """Normalised, stopword-free, stemmed tokens of ``text`` for BM25.

    Arabic-script tokens are stemmed with the Arabic Snowball stemmer (Persian for ``language``
    "fa"); every other token with the stemmer of ``language`` (see :data:`STEMMER_BY_LANGUAGE`;
    English when None or unsupported). Queries and documents must be tokenised the same way.

    Args:
        text: Raw text (any script; presentation forms, diacritics and case are folded).
        language: BCP 47 code of the text, or None.

    Returns:
        Tokens in text order (duplicates kept, so term frequencies survive).
    """
    if not text:
        return []
    clean = _TASHKEEL.sub("", unicodedata.normalize("NFKC", text).casefold()).translate(_DIGITS)
    primary = (language or "").split("-")[0].lower()
    latin = _stemmer(stemmer_name(language))
    arabic = _stemmer(_ARABIC_SCRIPT_STEMMER.get(primary, "arabic"))
    out: list[str] = []
    for word in _WORD.findall(clean):
        folded = word.translate(_FOLD)
        if folded in STOPWORDS:
            continue
        if is_arabic_script(word):
            stem = arabic.stemWord(_pre_stem(word)).translate(_FOLD)
        else:
            stem = latin.stemWord(word)
        if stem:
            out.append(stem)
    return out


def _pre_stem(word: str) -> str:
    # Snowball's Arabic stemmer strips ة and ي suffixes but not ه or ى, so spelling variants
    # (مدرسه/مدرسة, مستشفى/مستشفي) are canonicalised towards the forms it strips; the stem is then
    # folded with normalize_arabic. Measured: المدرسه, المياه, الاتجاه now stem like their variants.
    word = word.replace("ى", "ي")
    return word[:-1] + "ة" if word.endswith("ه") and len(word) > 2 else word


def has_visible_text(text: str) -> bool:
    """True when ``text`` holds at least one character that is not whitespace, a control or an
    invisible format character (Unicode categories Z*, Cc, Cf: zero-width spaces, bidi marks,
    BOM). A question of only such characters is empty to a reader, whatever ``str.strip`` says.
    """
    return any(
        not (ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf", "Zs", "Zl", "Zp")) for ch in text
    )
