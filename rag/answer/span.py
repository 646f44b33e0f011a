"""The short answer: the few words of the best sentence that answer the question.

:func:`extract_span` picks, in one sentence, the candidate span that

1. has the expected answer type (:func:`rag.answer.answer_types.candidates`: a number with its
   unit for "how many"/«كم», a date for "when"/«متى», a capitalised name for "who"/"where" in
   Latin script), or — for the other kinds and for names in Arabic script — is a run of at most
   :data:`MAX_SPAN_WORDS` words that the question does not contain (the sliding-window answer of
   Richardson et al., MCTest, EMNLP 2013: the answer sits next to the question's words but is not
   one of them);
2. for a quantity question that names a measure, has a unit of that measure (hectares for
   «ما مساحة…», tonnes for "weight limit");
3. is not already in the question (a question about "2022" is not answered by "2022");
4. lies closest to the words the sentence shares with the question (distance in words), ties
   going to the span that follows them (Arabic and English both put the new information after
   the given: «تبلغ مساحة الحديقة ١٢ هكتاراً», "the park covers 12 hectares").

Reason questions take the clause after a causal connective («بسبب», «لأن», "because", "due to")
when the sentence has one. Yes/no and comparison questions get no span: without an LLM the
comparison is left to the reader.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.answer.answer_types import (
    ENTITY_KINDS,
    TYPED_KINDS,
    Candidate,
    asked_measure,
    candidate_measure,
    candidates,
)
from rag.text.sentences import content_keys

MAX_SPAN_WORDS = 4
"""Longest generic span, in words. SQuAD-style gold answers are short (XQuAD/ARCD DEV median 2–3
words); longer windows only add words the F1 counts against."""

_WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")
_REASON = re.compile(
    r"(?:\bbecause(?: of)?\b|\bdue to\b|\bowing to\b|\bas a result of\b|\bin order to\b|\bso that\b"
    r"|(?<!\w)(?:بسبب|لأن|لان|لانه|لأنه|نظرا ل|نظراً ل|بهدف|من أجل|من اجل|كي|لكي|حتى)(?!\w))",
    re.IGNORECASE,
)


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


def _words(sentence: str) -> list[tuple[int, int, set[str]]]:
    """``(start, end, keys)`` of every word; keys as :func:`content_keys` makes them (may be empty)."""
    return [(m.start(), m.end(), content_keys(m.group())) for m in _WORD.finditer(sentence)]


def _distance(a: int, b: int, anchors: list[int]) -> tuple[int, int]:
    """Word distance from the span ``[a, b)`` (word indexes) to the nearest anchor, and 0 when
    the nearest anchor precedes the span (new information follows the given), else 1."""
    best = (10**6, 1)
    for i in anchors:
        if i < a:
            best = min(best, (a - i, 0))
        elif i >= b:
            best = min(best, (i - b + 1, 1))
    return best


def _in_question(keys: set[str], question_keys: set[str]) -> bool:
    return bool(keys) and keys <= question_keys


def extract_span(question: str, sentence: str, kind: str) -> Span | None:
    """The short answer to ``question`` inside ``sentence`` (None when there is none).

    Args:
        question: The question (any language).
        sentence: The sentence that answers it best (verbatim from the cited chunk).
        kind: The expected answer type (:func:`rag.answer.answer_types.question_type`).

    Returns:
        A :class:`Span` whose text is ``sentence[start:end]``, or None for yes/no and comparison
        questions and when every word of the sentence is in the question.
    """
    if kind in ("yes_no", "comparison"):
        return None
    qk = content_keys(question)
    words = _words(sentence)
    if not words:
        return None
    anchors = [i for i, (_, _, k) in enumerate(words) if k & qk]

    def word_range(c: Candidate) -> tuple[int, int]:
        idx = [i for i, (a, b, _) in enumerate(words) if a < c.end and c.start < b]
        return (idx[0], idx[-1] + 1) if idx else (0, 0)

    typed: list[Candidate] = []
    if kind in TYPED_KINDS or kind in ENTITY_KINDS:
        typed = [c for c in candidates(sentence, kind) if not _in_question(content_keys(c.text), qk)]
    if kind == "reason":
        m = _REASON.search(sentence)
        if m:
            tail = [w for w in words if w[0] >= m.end()][: MAX_SPAN_WORDS * 2]
            if tail:
                a, b = tail[0][0], tail[-1][1]
                return Span(a, b, sentence[a:b], kind)
    if typed:
        measures = asked_measure(question) if kind == "quantity" else frozenset()
        best = min(
            typed,
            key=lambda c: (
                candidate_measure(c.text) not in measures if measures else False,
                _distance(*word_range(c), anchors),
                c.start,
            ),
        )
        return Span(best.start, best.end, best.text, kind)
    if kind in TYPED_KINDS:
        return None  # the sentence has no number/date: no span rather than a wrong one
    return _window(sentence, words, qk, anchors, kind)


def _window(
    sentence: str, words: list[tuple[int, int, set[str]]], qk: set[str], anchors: list[int], kind: str
) -> Span | None:
    """The run of non-question content words nearest the question's words (see the module doc)."""
    runs: list[tuple[int, int]] = []
    i = 0
    while i < len(words):
        if words[i][2] and not (words[i][2] & qk):
            j = i
            while j < len(words) and not (words[j][2] & qk) and j - i < MAX_SPAN_WORDS:
                j += 1
            # trim stop words (no keys) at the end of the run
            while j > i + 1 and not words[j - 1][2]:
                j -= 1
            runs.append((i, j))
            i = j
        else:
            i += 1
    if not runs or not anchors:  # no shared word (another language): nothing to stand next to
        return None
    a, b = min(runs, key=lambda r: (_distance(r[0], r[1], anchors), r[0]))
    start, end = words[a][0], words[b - 1][1]
    return Span(start, end, sentence[start:end], kind)
