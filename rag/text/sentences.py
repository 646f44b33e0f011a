"""Sentence spans for quoting, and light lexical keys for matching sentences to questions.

Sentences end at ``. ! ? ؟ …`` followed by whitespace (or the end) and at newlines; a "sentence"
longer than 400 characters (Arabic news often chains clauses with commas) is cut further at
``؛ ; ،`` so a quote stays readable. Spans are half-open character offsets into the input, with
surrounding whitespace trimmed, so ``text[start:end]`` is always an exact substring.

The lexical keys (:func:`content_keys`) compare sentences to questions: words of the text folded
by Sanad's one normaliser (:func:`rag.text.normalize.fold`), common Arabic proclitics
(``و ف ب ك ل ال``) stripped, stop words dropped, and every key cut to its first five characters
as a crude stem ("thanked" and "thanks" both become "thank").
"""

from __future__ import annotations

import re

from rag.text.normalize import fold

_TERMINATOR = re.compile(r"[.!?؟…]+[\"'”’»)\]]*(?=\s|$)|\n+")
_SOFT_BREAK = re.compile(r"[؛;،](?=\s)")
_MAX_SENTENCE_CHARS = 400
_ABBREVIATION = re.compile(r"(?:^|\s)(?:(?:[A-Z]\.)+|(?:Mr|Mrs|Ms|Dr|St|Jr|Sr|No|vs|etc|e\.g|i\.e)\.)$")

_WORD = re.compile(r"\w+")
_AR_PREFIXES = ("وال", "فال", "بال", "كال", "لل", "ال")
_EN_STOP = """a an the and or but of in on at to for from by with about as is are was were be been being
    do does did done have has had it its this that these those there here he she they them his her
    their we you i me my our your what which who whom whose when where why how not no yes than then
    so if into over under after before also said says will would can could should may might more
    most some any all each other such only own same very just up out again once"""
_AR_STOP = """في من على إلى الى عن مع أن ان إن لا لم لن ما ماذا هل هو هي هم هن هذا هذه ذلك تلك التي الذي
    الذين كان كانت يكون قد لقد كل بعد قبل حتى أو او ثم بين عند وقال قال وقالت قالت أي اي كما ولا
    وفي ومن وعلى"""


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Split ``text`` into sentences.

    Args:
        text: Any text (Arabic or Latin script).

    Returns:
        Half-open ``(start, end)`` character offsets into ``text``, in order, trimmed of
        whitespace, never empty.
    """
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _TERMINATOR.finditer(text):
        end = m.end()
        if m.group().startswith(".") and _ABBREVIATION.search(text[start : m.start() + 1]):
            continue
        spans.extend(_split_long(text, start, end))
        start = end
    spans.extend(_split_long(text, start, len(text)))
    return spans


def _split_long(text: str, start: int, end: int) -> list[tuple[int, int]]:
    pieces: list[tuple[int, int]] = []
    if end - start > _MAX_SENTENCE_CHARS:
        cut = start
        for m in _SOFT_BREAK.finditer(text, start, end):
            if m.end() - cut >= 80:
                pieces.append((cut, m.end()))
                cut = m.end()
        pieces.append((cut, end))
    else:
        pieces.append((start, end))
    out: list[tuple[int, int]] = []
    for a, b in pieces:
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if b > a:
            out.append((a, b))
    return out


def sentences(text: str) -> list[str]:
    """The sentences of ``text`` as strings (see :func:`sentence_spans`)."""
    return [text[a:b] for a, b in sentence_spans(text)]


def normalize(text: str) -> str:
    """Normalise for lexical matching only: :func:`rag.text.normalize.fold` (kept under this name)."""
    return fold(text)


_STOPWORDS = frozenset(normalize(w) for w in (_EN_STOP + " " + _AR_STOP).split())


def content_keys(text: str) -> set[str]:
    """Crude content-word stems of ``text`` for overlap scores (stop words dropped).

    Returns:
        A set of keys of at most five characters, each at least two characters long.
    """
    keys: set[str] = set()
    for tok in _WORD.findall(normalize(text)):
        if tok in _STOPWORDS or (tok.isdigit() and len(tok) < 3):
            continue
        for pre in _AR_PREFIXES:
            if tok.startswith(pre) and len(tok) - len(pre) >= 2:
                tok = tok[len(pre) :]
                break
        if tok.endswith("'s"):
            tok = tok[:-2]
        if len(tok) >= 2 and tok not in _STOPWORDS:
            keys.add(tok[:5])
    return keys


def overlap(question_keys: set[str], sentence_keys: set[str]) -> float:
    """Share of ``question_keys`` found in ``sentence_keys``, in [0, 1] (0 when no keys)."""
    if not question_keys:
        return 0.0
    return len(question_keys & sentence_keys) / len(question_keys)
