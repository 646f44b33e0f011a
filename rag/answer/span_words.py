"""Words of a sentence as material for a short answer (:mod:`rag.answer.span`,
:mod:`rag.answer.span_shapes`): the :class:`Span` type, each word's offsets and content keys,
clause punctuation, bracket depth, and the word runs that can name an answer."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.text.sentences import content_keys

Word = tuple[int, int, set[str]]
"""``(start, end, keys)`` of one word of a sentence: character offsets (half-open) and its content
keys (:func:`rag.text.sentences.content_keys`, possibly empty for a stopword)."""


@dataclass(frozen=True)
class Span:
    """A short answer inside a sentence.

    Attributes:
        start: Offset of its first character in the sentence.
        end: Offset after its last character (half-open).
        text: ``sentence[start:end]``, verbatim.
        kind: The answer type it was found as (:data:`rag.answer.answer_types.KINDS`).
    """

    start: int
    end: int
    text: str
    kind: str


ARABIC_MARK = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]")
"""One Arabic mark written on a letter: tashkeel (U+064B–U+065F), superscript alef, Quranic marks."""
_WORD = re.compile(rf"(?:[^\W_]|{ARABIC_MARK.pattern})+(?:[-'’](?:[^\W_]|{ARABIC_MARK.pattern})+)*")
"""A word: letters and digits with the Arabic marks written on them (tashkeel, superscript alef,
Quranic marks are not ``\\w``: without them «الدَّوْلَةُ» fell apart into «الد», «و», «ل», «ة»)."""


def sentence_words(sentence: str) -> list[Word]:
    """``(start, end, keys)`` of every word; keys as :func:`content_keys` makes them (may be empty)."""
    return [(m.start(), m.end(), _keys(m.group())) for m in _WORD.finditer(sentence)]


def _keys(word: str) -> set[str]:
    """:func:`content_keys` of a sentence word, plus those of the word without a leading «و»/«ف»
    ("and"/"so", written onto the next word): «وانتهت في 11 نوفمبر» stands next to the question's
    «انتهت», which content keys miss (they strip only «وال»). Not applied to the question's words
    (XQuAD-ar 0.3132 → 0.3119 when it was). Same passages, span F1 XQuAD-ar 0.3132 → 0.3141, ARCD
    0.3103 → 0.3118, XQuAD-en and en→ar unchanged."""
    keys = content_keys(word)
    if keys and word[:1] in "وف" and len(word) >= 5 and not word.startswith(("وال", "فال")):
        keys = keys | content_keys(word[1:])
    return keys


def word_distance(a: int, b: int, anchors: list[int]) -> tuple[int, int]:
    """Word distance from the span ``[a, b)`` (word indexes) to the nearest anchor, and 0 when
    the nearest anchor precedes the span (new information follows the given), else 1."""
    best = (10**6, 1)
    for i in anchors:
        if i < a:
            best = min(best, (a - i, 0))
        elif i >= b:
            best = min(best, (i - b + 1, 1))
    return best


CLAUSE_BREAK = re.compile(r"[,،;؛:()\[\]«»\"“”.!?؟–—]")
"""Punctuation between two words that ends a clause: an answer does not run across it."""

ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff]")
"""A letter of the Arabic script (Arabic, Arabic Supplement, Arabic Extended-A blocks)."""

DEFINITE = ("ال", "وال", "بال", "لل", "فال")
"""The Arabic article as written onto a word, alone or after «و»/«ب»/«ل»/«ف»."""


def bracket_depths(sentence: str, words: list[Word]) -> list[int]:
    """Bracket depth of each word: 0 outside brackets, 1 inside "(…)", 2 inside "((…))"..."""
    out: list[int] = []
    depth = 0
    pos = 0
    for a, _, _ in words:
        for ch in sentence[pos:a]:
            if ch in "([{":
                depth += 1
            elif ch in ")]}" and depth:
                depth -= 1
        out.append(depth)
        pos = a
    return out


def word_span(sentence: str, words: list[Word], first: int, last: int) -> Span:
    """The span from word ``first`` to word ``last`` (inclusive), kind "other" (callers re-kind it)."""
    a, b = words[first][0], words[last][1]
    return Span(a, b, sentence[a:b], "other")


def phrase_after(
    sentence: str,
    words: list[Word],
    start: int,
    limit: int,
    qk: set[str],
    through_stopwords: bool = False,
) -> list[int]:
    """Indexes of the words from ``start`` on that can name an answer: at most ``limit`` words,
    ending before clause punctuation, a question word, or (unless ``through_stopwords``) a
    stopword; never ending on a stopword."""
    out: list[int] = []
    for j in range(start, min(len(words), start + limit)):
        if (out and CLAUSE_BREAK.search(sentence, words[j - 1][1], words[j][0])) or words[j][2] & qk:
            break
        if not words[j][2] and not through_stopwords:
            break
        out.append(j)
    while out and not words[out[-1]][2]:
        out.pop()
    return out


def without_marks(sentence: str) -> tuple[str, list[int]]:
    """``sentence`` without its Arabic marks, and for each character left its offset in
    ``sentence`` (patterns written for bare letters then match «بِسَبَبِ», «مَارِسَ»)."""
    keep = [i for i, ch in enumerate(sentence) if not ARABIC_MARK.match(ch)]
    return "".join(sentence[i] for i in keep), keep
