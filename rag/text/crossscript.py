"""Script-neutral keys for names and numbers, so "Schmidt" meets «شميت» and "2015" meets «٢٠١٥».

An English question and an Arabic article share no words, but the names and numbers they both
hold survive translation: a translator writes "Denver Broncos" as «دنفر برونكوس», "Nairobi" as
«نيروبي». This module reduces a word of either script to a *consonant skeleton* over nine
sound classes, so that the two spellings of one name get the same key:

=====  ==================================  =====================================
class  Latin                               Arabic
=====  ==================================  =====================================
B      b p                                 ب پ
F      f v ph                              ف ڤ
T      t d th dh                           ت ط ث د ذ ض ظ
K      k c(hard) q g j x(→KS) ck kh gh     ك ق خ ج غ گ
S      s z c(before e i y) sh sch ch tch   س ص ش ز چ تش
L M N R                                    ل م ن ر
(none) vowels, h, w, y                     ا و ي ى ة ه ح ع ء (long vowels, glides, gutturals)
=====  ==================================  =====================================

Then repeated classes collapse ("Panthers" → BNTRS ← «بانثرز»). The classes merge what
transliteration blurs: voicing (t/d, b/p, f/v, k/g: "Schmidt" → «شميت»), ق/ك/غ/ج for q, k, g and j
(Arabic writers render English g as غ, ج or ق), s/z/sh (plural -s is written ز). Vowels are dropped
on both sides: Arabic writes long vowels only, and Latin vowels map to them unpredictably. This is
in the spirit of consonant-skeleton name matching across scripts (e.g. Soundex-like keys for
Arabic names, Aqeel, Beitzel, Jensen, Grossman & Frieder, "On the development of name search
techniques for Arabic", JASIST 57(6), 2006), with classes chosen for Arabic↔Latin
transliteration; no library does this mapping (see docs/results.md, issue #14 notes).

Arabic words lose the article «ال» (with و ف ب ك ل before it, and «لل»); a word starting with
one of the proclitics و ف ب ك ل also keys without it (both keys are emitted, since «بون» may
be Bonn or "in Un…"). Keys shorter than two classes are dropped: one consonant names nothing.

Which words are keyed: every Arabic-script word that is not a stopword (Arabic has no capitals,
so a name cannot be told from a noun), but only *name-like* Latin words (capitalised, not a
stopword or question word), since English common nouns keyed would collide with Arabic words.

Numbers are keyed as ``#`` + their digits with Western, Arabic-Indic (U+0660–0669) and Persian
(U+06F0–06F9) digits folded to ASCII, thousands separators (``,`` ``٬`` and a thin or plain
space is not one) dropped and the decimal point (``.`` ``٫``) kept: "1,200" and «١٬٢٠٠» → ``#1200``.
Small number words ("three", «ثلاثة») are keyed as their value too.

Pure functions; nothing happens at import time beyond building tables.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from rag.text.normalize import STOPWORDS, embedding_text, fold, is_arabic_script

KEY_VERSION = 1
"""Bumped whenever keys change, so persisted key indexes built with an older version are rebuilt."""

MIN_KEY_CLASSES = 2
"""Shortest key kept (in sound classes): a single consonant matches too many words to mean anything."""

_DIGITS = str.maketrans(
    {chr(0x0660 + i): str(i) for i in range(10)} | {chr(0x06F0 + i): str(i) for i in range(10)}
)
# A number: digits with optional thousands separators (, ٬) and one decimal part (. ٫).
_NUMBER = re.compile(r"\d+(?:[,\u066c]\d{3})*(?:[.\u066b]\d+)?")
_WORD = re.compile(r"[^\W\d_]+")
_TOKEN = re.compile(r"\d+(?:[,\u066c]\d{3})*(?:[.\u066b]\d+)?|[^\W\d_]+(?:['’][^\W\d_]+)?")

_LATIN_DIGRAPHS: tuple[tuple[str, str], ...] = (
    ("sch", "S"),
    ("tch", "S"),
    ("chr", "KR"),  # Christ, Chris: Greek ch is k
    ("ch", "S"),
    ("sh", "S"),
    ("ph", "F"),
    ("th", "T"),
    ("dh", "T"),
    ("kh", "K"),
    ("gh", "K"),
    ("ck", "K"),
    ("qu", "K"),
    ("x", "KS"),
)
_SOFT_C = re.compile("c(?=[eiy])")
_POSSESSIVE = re.compile("['’]s?$")
_LATIN_CLASS = str.maketrans(
    {
        "b": "B",
        "p": "B",
        "f": "F",
        "v": "F",
        "t": "T",
        "d": "T",
        "k": "K",
        "c": "K",
        "q": "K",
        "g": "K",
        "j": "K",
        "s": "S",
        "z": "S",
        "l": "L",
        "m": "M",
        "n": "N",
        "r": "R",
    }
)
_ARABIC_CLASS = str.maketrans(
    {
        "ب": "B",
        "پ": "B",
        "ف": "F",
        "ڤ": "F",
        "ت": "T",
        "ط": "T",
        "ث": "T",
        "د": "T",
        "ذ": "T",
        "ض": "T",
        "ظ": "T",
        "ك": "K",
        "ک": "K",
        "ق": "K",
        "خ": "K",
        "ج": "K",
        "غ": "K",
        "گ": "K",
        "س": "S",
        "ص": "S",
        "ش": "S",
        "ز": "S",
        "چ": "S",
        "ل": "L",
        "م": "M",
        "ن": "N",
        "ر": "R",
    }
)
_ARTICLE_PREFIXES = ("وبال", "وال", "فال", "بال", "كال", "لل", "ال")
_PROCLITICS = "وفبكل"

# Question words and sentence openers that are capitalised without being names.
_LATIN_NOT_NAMES_RAW = """how what which who whom whose when where why many much during after before
    since until
    according following in on at as the a an is are was were did does do has have had there this
    that these those it its if while although though however also some most more other another
    one two first last new old mr mrs ms dr st january february march april may june july august
    september october november december monday tuesday wednesday thursday friday saturday sunday"""
_LATIN_NOT_NAMES = frozenset(_LATIN_NOT_NAMES_RAW.split())

NUMBER_WORDS: dict[str, int] = {
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "twenty": 20,
    "hundred": 100,
    "thousand": 1000,
    "million": 1000000,
    "billion": 1000000000,
}
"""English number words keyed as their value (the tens and scales a translator writes in words)."""

_AR_NUMBER_WORDS_RAW: dict[str, int] = {
    "اثنان": 2,
    "اثنين": 2,
    "اثنتان": 2,
    "اثنتين": 2,
    "ثلاث": 3,
    "ثلاثة": 3,
    "أربع": 4,
    "أربعة": 4,
    "خمس": 5,
    "خمسة": 5,
    "ست": 6,
    "ستة": 6,
    "سبع": 7,
    "سبعة": 7,
    "ثمان": 8,
    "ثماني": 8,
    "ثمانية": 8,
    "تسع": 9,
    "تسعة": 9,
    "عشر": 10,
    "عشرة": 10,
    "عشرون": 20,
    "عشرين": 20,
    "مائة": 100,
    "مئة": 100,
    "ألف": 1000,
    "مليون": 1000000,
    "مليار": 1000000000,
}
AR_NUMBER_WORDS: dict[str, int] = {fold(w): v for w, v in _AR_NUMBER_WORDS_RAW.items()}
"""Arabic number words (folded with :func:`rag.text.normalize.fold`) keyed as their value."""


def number_key(token: str) -> str | None:
    """The script-neutral key of a numeral, or None if ``token`` is not one.

    Args:
        token: A numeral in Western, Arabic-Indic or Persian digits, optionally with thousands
            separators (``,`` ``٬``) and a decimal part (``.`` ``٫``), e.g. ``"1,200"``, ``"٣٫٥"``.

    Returns:
        ``"#"`` + the ASCII digits (thousands separators dropped, decimal point ``.``), e.g.
        ``"#1200"``, ``"#3.5"``; leading zeros of an integer are kept ("007" stays ``#007``).
    """
    ascii_token = token.translate(_DIGITS)
    if not _NUMBER.fullmatch(ascii_token):
        return None
    return "#" + ascii_token.replace(",", "").replace("\u066c", "").replace("\u066b", ".")


def _collapse(classes: str) -> str:
    out: list[str] = []
    for ch in classes:
        if not out or out[-1] != ch:
            out.append(ch)
    return "".join(out)


def latin_key(word: str) -> str | None:
    """The consonant-skeleton key of a Latin-script word (see the module docstring).

    Args:
        word: One word; accents are removed ("Müller" → "muller"), case is ignored.

    Returns:
        The key, e.g. ``"SMT"`` for "Schmidt", or None when it has fewer than
        :data:`MIN_KEY_CLASSES` classes.
    """
    decomposed = unicodedata.normalize("NFKD", _POSSESSIVE.sub("", word).casefold())
    letters = "".join(ch for ch in decomposed if "a" <= ch <= "z")
    for digraph, repl in _LATIN_DIGRAPHS:
        letters = letters.replace(digraph, repl.lower())
    letters = _SOFT_C.sub("s", letters)
    key = _collapse("".join(ch for ch in letters.translate(_LATIN_CLASS) if ch.isupper()))
    return key if len(key) >= MIN_KEY_CLASSES else None


def _arabic_skeleton(word: str) -> str:
    # تش is how Arabic writes English ch/tch ("Charles" → «تشارلز»): one class, S.
    return _collapse(
        "".join(ch for ch in word.replace("تش", "ش").translate(_ARABIC_CLASS) if "A" <= ch <= "Z")
    )


def arabic_keys(word: str) -> list[str]:
    """The consonant-skeleton keys of an Arabic-script word (one or two; see the module docstring).

    Args:
        word: One word, possibly with tashkeel, tatweel, the article and proclitics.

    Returns:
        Distinct keys, the full form first: the article «ال» (and «لل», «وال» …) is always
        stripped; a leading proclitic و ف ب ك ل adds a second key without it. Keys shorter than
        :data:`MIN_KEY_CLASSES` classes are dropped (so the list may be empty).
    """
    bare = embedding_text(word)
    forms = [bare]
    for prefix in _ARTICLE_PREFIXES:
        if bare.startswith(prefix) and len(bare) - len(prefix) >= 2:
            forms = [bare[len(prefix) :]]
            break
    else:
        if len(bare) > 3 and bare[0] in _PROCLITICS:
            forms.append(bare[1:])
    out: list[str] = []
    for form in forms:
        key = _arabic_skeleton(form)
        if len(key) >= MIN_KEY_CLASSES and key not in out:
            out.append(key)
    return out


def is_name_like(word: str, at_sentence_start: bool = False) -> bool:
    """True when a Latin-script word looks like (part of) a name: capitalised, not a stopword or a
    question word. A capitalised word opening a sentence counts too (questions often start with the
    name), unless it is one of the usual openers ("How", "What", "During", …).
    """
    del at_sentence_start  # openers are excluded by word list, wherever they stand
    if not word or not word[0].isupper():
        return False
    folded = word.casefold()
    return folded not in STOPWORDS and folded not in _LATIN_NOT_NAMES


def keys(text: str, language: str | None = None) -> list[str]:
    """Cross-script keys of a text, in text order (duplicates kept, so frequencies survive).

    Arabic-script words (not stopwords) give :func:`arabic_keys`; name-like Latin words
    (:func:`is_name_like`) give :func:`latin_key`; numerals give :func:`number_key`; number words
    ("three", «ثلاثة») give the key of their value. ``language`` is accepted for symmetry with
    :func:`rag.text.normalize.tokenize` and unused: the script of each word decides.

    Args:
        text: Any text.
        language: BCP 47 code of the text (unused).

    Returns:
        Keys such as ``"TNFR"``, ``"BRNKS"``, ``"#2015"``.
    """
    del language
    if not text:
        return []
    out: list[str] = []
    for tok in _TOKEN.findall(embedding_text(text)):
        if tok[0].isdigit():
            num = number_key(tok)
            if num:
                out.append(num)
            continue
        if is_arabic_script(tok):
            folded = fold(tok)
            if folded in STOPWORDS:
                continue
            value = AR_NUMBER_WORDS.get(folded)
            if value is None and len(folded) > 3 and folded[0] == "و":
                value = AR_NUMBER_WORDS.get(folded[1:])
            if value is not None:
                out.append(f"#{value}")
                continue
            out.extend(arabic_keys(tok))
            continue
        value = NUMBER_WORDS.get(tok.casefold())
        if value is not None:
            out.append(f"#{value}")
        elif is_name_like(tok):
            key = latin_key(tok)
            if key:
                out.append(key)
    return out


def key_set(text: str) -> frozenset[str]:
    """The distinct cross-script keys of ``text`` (:func:`keys`)."""
    return frozenset(keys(text))


def match_keys(text: str) -> frozenset[str]:
    """Cross-script keys tagged with ``~`` ("~SMT", "~#2015") so they can join another set of
    lexical keys (e.g. :func:`rag.text.sentences.content_keys`) without colliding with its words."""
    return frozenset("~" + k for k in keys(text))


def key_overlap(question_keys: Iterable[str], sentence_keys: Iterable[str]) -> float:
    """Share of the question's distinct keys found among a sentence's keys, in [0, 1].

    Args:
        question_keys: Keys of the question (:func:`keys` or :func:`key_set`).
        sentence_keys: Keys of a sentence.

    Returns:
        ``|Q ∩ S| / |Q|`` over distinct keys; 0.0 when the question has no key.
    """
    q = set(question_keys)
    if not q:
        return 0.0
    return len(q.intersection(sentence_keys)) / len(q)
