"""THE text normaliser of Sanad, and the tokeniser for lexical (BM25) search, Arabic-aware.

Everything here is for *comparison and embedding only*: stored, displayed and quoted text is never
rewritten, and offsets always refer to the original cleaned text (DESIGN.md, "Invariants").
Two levels, each documented where it is defined:

- :func:`embedding_text`, the *display-invariant* form fed to the embedder (passages, queries,
  sentences): NFKC (presentation forms), Arabic tashkeel and Quranic marks, tatweel, zero-width
  and bidi controls removed. Two texts that look the same to a reader embed the same; on ordinary
  unvocalised text it is the identity, so cached embeddings of such text stay valid. Letters are
  NOT folded here: the model knows أ/ا, ة/ه and ى/ي spellings and reads them better as written.
- :func:`fold`, the *matching* form used by every comparison (BM25 tokens, sentence keys,
  abstention evidence, outlet and day matching, duplicates): :func:`embedding_text`, then
  ``str.casefold``, Latin accents removed (é → e), Arabic-Indic and Persian digits → ASCII, and
  the Arabic letter folds ``أ إ آ ٱ → ا``, ``ى → ي``, ``ة → ه``, ``ؤ → و``, ``ئ → ي``.

Hamza on a seat (ؤ ئ) folds to the bare seat letter, as the light normalisation of Arabic IR does
for alef forms (Larkey, Ballesteros & Connell, SIGIR 2002): typed questions often drop the hamza
(مسئول/مسؤول typed مسوول/مسيول) far more often than they swap its seat, and BM25 on the DEV sets
was tuned with this fold.

The tokeniser (:func:`tokenize`) splits the folded text into runs of letters and digits, drops
stopwords and stems with Snowball through PyStemmer, chosen *per token by script*: Arabic-script
tokens use the Arabic stemmer, other tokens the stemmer of ``language`` (English by default), so
mixed text ("قال Putin ...") is handled whatever the chunk's language tag.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache
from typing import Any

#: Bumped whenever :func:`fold` or :func:`tokenize` changes, so persisted BM25 indexes built with an
#: older one are rebuilt (rag.retrieval.lexical).
TOKENIZER_VERSION = 2

#: Bumped whenever :func:`embedding_text` changes, so stores whose vectors were embedded from an
#: older form re-embed the chunks it changes (rag.store.chroma, ingest.pipeline). 0 = raw text.
EMBEDDING_INPUT_VERSION = 1

# Arabic marks that do not change the letters a reader sees: signs U+0610–U+061A (honorific and
# small high letters), tashkeel U+064B–U+065F (harakat, tanween, shadda, sukun, hamza marks),
# superscript alef U+0670, Quranic annotation U+06D6–U+06ED, extended Quranic marks U+08D3–U+08FF
# (except U+08E2, a format character), and tatweel U+0640 (kashida, a stretch of the baseline).
_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u08d3-\u08e1\u08e3-\u08ff\u0640]")
# Zero-width and bidi controls: ZWSP/ZWNJ/ZWJ/LRM/RLM U+200B–U+200F, embeddings and overrides
# U+202A–U+202E, word joiner and invisible operators U+2060–U+2064, isolates U+2066–U+2069, BOM
# U+FEFF, Arabic letter mark U+061C, soft hyphen U+00AD (see strip_invisible).
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u061c\u00ad]")
_ARABIC_LETTERS = str.maketrans(
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
_ACCENTS = re.compile("[\u0300-\u036f]")  # combining diacritical marks (Latin, Greek, Cyrillic)
_WORD = re.compile(r"[^\W_]+")
_ARABIC_SCRIPT = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")


def strip_invisible(text: str) -> str:
    """Remove zero-width, bidi control, invisible operator and soft-hyphen characters.

    U+200B–U+200F (zero-width space/non-joiner/joiner, LRM, RLM), U+202A–U+202E (bidi embeddings
    and overrides), U+2060–U+2064 (word joiner, invisible operators and separator), U+2066–U+2069
    (bidi isolates), U+FEFF (zero-width no-break space), U+061C (Arabic letter mark) and U+00AD
    (soft hyphen). Ingest's cleaning removes the same set from stored text (ingest.cleaning).
    """
    return _INVISIBLE.sub("", text)


def embedding_text(text: str) -> str:
    """The display-invariant form of ``text``: what the embedder reads.

    NFKC (Arabic presentation forms such as U+FEFB "ﻻ" → "لا", full-width Latin, ligatures), then
    Arabic marks and tatweel (see ``_MARKS``) and zero-width/bidi controls removed. The identity on
    unvocalised NFKC text without controls, which is what ingest's cleaning stores.

    Args:
        text: Any text.

    Returns:
        The text as a reader sees it, without marks (may be shorter; offsets are not preserved).
    """
    if text.isascii():
        return text
    return _INVISIBLE.sub("", _MARKS.sub("", unicodedata.normalize("NFKC", text)))


def strip_marks_mapped(text: str) -> tuple[str, list[int]]:
    """``text`` without Arabic marks and tatweel (``_MARKS``), with where each kept character was.

    Patterns written for unvocalised Arabic («مليون دولار») then match a vocalised article
    («مِلْيُونِ دُولَارٍ») and their offsets map back to the verbatim text (issue 12).

    Args:
        text: Any text.

    Returns:
        ``(bare, where)``: ``bare[i] == text[where[i]]``; ``len(where) == len(bare)``.
    """
    where = [i for i, ch in enumerate(text) if not _MARKS.match(ch)]
    return "".join(text[i] for i in where), where


def _lower(text: str) -> str:
    """:func:`embedding_text`, casefolded, digits in ASCII: the stemmer's input (accents kept)."""
    return embedding_text(text).casefold().translate(_DIGITS)


def _strip_accents(text: str) -> str:
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFD", text)
    if not _ACCENTS.search(decomposed):
        return text  # Arabic letters stay composed (NFD would split أ into ا + hamza)
    return unicodedata.normalize("NFC", _ACCENTS.sub("", decomposed))


def fold(text: str) -> str:
    """The matching form of ``text``, used by every comparison in Sanad.

    :func:`embedding_text`; ``str.casefold``; Arabic-Indic (U+0660–U+0669) and Persian
    (U+06F0–U+06F9) digits → ASCII; Latin accents removed (combining marks U+0300–U+036F after
    NFD: "Café" → "cafe"); ``أ إ آ ٱ → ا``, ``ى → ي``, ``ة → ه``, ``ؤ → و``, ``ئ → ي``.
    Idempotent: ``fold(fold(t)) == fold(t)``.

    Args:
        text: Any text.

    Returns:
        The folded text (offsets are not preserved: never show or quote it).
    """
    return _strip_accents(_lower(text)).translate(_ARABIC_LETTERS)


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
_AR_STOPWORDS = frozenset(fold(w) for w in _AR_STOPWORDS_RAW.split())
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
    clean = _lower(text)
    primary = (language or "").split("-")[0].lower()
    latin = stemmer_name(language)
    arabic = _ARABIC_SCRIPT_STEMMER.get(primary, "arabic")
    return [stem for word in _WORD.findall(clean) if (stem := _word_token(word, latin, arabic))]


@lru_cache(maxsize=1 << 18)
def _word_token(word: str, latin: str, arabic: str) -> str:
    # One lowered word's token ("" for a stopword). Cached: news vocabulary is Zipfian, and the
    # retriever tokenises the sentences of its top chunks on every long question (sentence
    # evidence), so most words repeat; 2^18 entries hold a large archive's frequent words in
    # ~40 MB. Pure function of its arguments (the stemmers are thread-local, the cache is locked).
    if _strip_accents(word).translate(_ARABIC_LETTERS) in STOPWORDS:
        return ""
    if is_arabic_script(word):
        return str(_stemmer(arabic).stemWord(_pre_stem(word))).translate(_ARABIC_LETTERS)
    # the stemmer reads the accents (French suffixes); the token drops them
    return _strip_accents(_stemmer(latin).stemWord(word))


def _pre_stem(word: str) -> str:
    # Snowball's Arabic stemmer strips ة and ي suffixes but not ه or ى, so spelling variants
    # (مدرسه/مدرسة, مستشفى/مستشفي) are canonicalised towards the forms it strips; the stem is then
    # folded like :func:`fold`. Measured: المدرسه, المياه, الاتجاه now stem like their variants.
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
