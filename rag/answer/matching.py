"""Lexical match between a question and a sentence, within one script and across scripts.

One job: how much of the question's wording a sentence carries. Used by the extractive answerer's
sentence score (:mod:`rag.answer.extractive`) and by quote selection (:mod:`rag.answer.quotes`).
"""

from __future__ import annotations

import re

from rag.text.crossscript import match_keys
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
    return overlap(question_keys, content_keys(sentence) | match_keys(sentence))


def script_of(text: str) -> str:
    """ "arabic" when Arabic letters outnumber Latin ones in ``text``, else "latin"."""
    return "arabic" if len(_ARABIC.findall(text)) > len(_LATIN.findall(text)) else "latin"


def question_match_keys(question: str) -> set[str]:
    """The question's keys for :func:`sentence_match`: content keys plus cross-script keys."""
    return content_keys(question) | match_keys(question)
