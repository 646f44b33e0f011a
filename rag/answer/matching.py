"""Lexical match between a question and a sentence, within one script and across scripts.

One job: how much of the question's wording a sentence carries. Used by the extractive answerer's
sentence score (:mod:`rag.answer.extractive`) and by quote selection (:mod:`rag.answer.quotes`).
"""

from __future__ import annotations

import re

from rag.retrieval.mentions import day_mentions
from rag.text.crossscript import match_keys
from rag.text.normalize import fold
from rag.text.sentences import content_keys, overlap

_ARABIC = re.compile(r"[\u0600-\u06FF]")
_LATIN = re.compile(r"[A-Za-z]")


def sentence_match(question_keys: set[str], sentence: str, cross_script: bool = True) -> float:
    """How well ``sentence`` matches the question's words, in [0, 1]: the share of the question's
    keys (:func:`question_match_keys`) found in the sentence's.

    The one place a lexical sentence/question match is computed. Across scripts it also counts
    cross-script name and number keys (:func:`rag.text.crossscript.match_keys`: English "Sara
    Haddad" ↔ «سارة حداد», "2015" ↔ «٢٠١٥»), so over a passage in another script the sentence
    naming the asked person or town still outscores its neighbours (issue #14). Within one script
    (``cross_script=False``) the words themselves are compared: the looser skeleton keys only
    added false matches there (XQuAD-en containment 0.939 → 0.926 with them, docs/results.md).
    """
    if not cross_script:
        return overlap({k for k in question_keys if not k.startswith("~")}, content_keys(sentence))
    have = content_keys(sentence) | match_keys(sentence)
    if any(k.startswith(_DAY) for k in question_keys):
        days, date_numbers = _day_keys(sentence)
        have = (have - date_numbers) | days
    return overlap(question_keys, have)


_DAY = "~@"
"""Prefix of a calendar-day key ("~@2025-06-05")."""


def _day_keys(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """The calendar days ``text`` names as keys, and the number keys they are written with.

    Across scripts a date is one fact, not three numbers: "June 5, 2025" and «٥ حزيران ٢٠٢٥» meet
    as ``~@2025-06-05``, while «٥ آب ٢٠٢٥» (5 August) no longer matches it through its "5" and
    "2025" (the newcomer check of session 6: a Gaza dateline of 5 August was quoted for "What
    happened at Arafat on June 5, 2025?"). Dates are read by
    :func:`rag.retrieval.mentions.day_mentions`, the reader of retrieval's day bonus.

    Returns:
        ``(day keys, "~#n" keys of the numbers inside the dates)``.
    """
    folded = re.sub(r"\s+", " ", fold(text))
    found = day_mentions(folded)
    if not found:
        return frozenset(), frozenset()
    numbers = frozenset(
        k for start, end, _ in found for k in match_keys(folded[start:end]) if k.startswith("~#")
    )
    return frozenset(_DAY + day for _, _, day in found), numbers


def script_of(text: str) -> str:
    """ "arabic" when Arabic letters outnumber Latin ones in ``text``, else "latin"."""
    return "arabic" if len(_ARABIC.findall(text)) > len(_LATIN.findall(text)) else "latin"


def question_match_keys(question: str) -> set[str]:
    """The question's keys for :func:`sentence_match`: content keys plus cross-script keys; a
    calendar day it names is one key (:func:`_day_keys`), not the numbers it is written with."""
    days, date_numbers = _day_keys(question)
    keys = content_keys(question) | match_keys(question)
    if not days:
        return keys
    return (keys - date_numbers) | days
