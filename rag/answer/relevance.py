"""Does what was retrieved *answer* the question, or is it only related?

The grounding policy (:mod:`rag.answer.grounding`) asks whether the passages are about the
question; an article that names a city is "about" a question on that city's population. Before
quoting, the extractive answerer also asks (:func:`relevance_verdict`):

1. **words**: a question with no letters (emoji, punctuation, digits only, bidi marks, a bare
   URL) asks nothing: abstain (:func:`has_words`);
2. **names and years**: some name the question gives (a run of capitalised Latin words that is
   not the question's first word) and every year it gives must appear in some passage — its text,
   title, outlet or publication date (:func:`rag.answer.grounding.passage_keys`). One name of
   several may be missing (a paraphrase: "the AAA", "Celsius"; DEV XQuAD-en: requiring every name
   abstained on 2.7 % of answerable questions), none of them may. Names are
   checked only when every passage is in Latin script (an Arabic passage spells "Putin" «بوتين»).
   A year counts as missing only when the best passage dates its events with another year: many
   passages never state the year their story is in (a season report, a profile), and a question
   that adds "in 2015" to them is still answered (DEV: requiring every year abstained on 2 % of
   answerable XQuAD-ar questions); "Who won the 2022 World Cup?" over a Champions League
   report names neither "2022" nor "World Cup" there;
3. **asked attribute**: a quantity question's noun ("population", «مساحة», "clinics",
   :func:`rag.answer.answer_types.asked_attribute`) must be in some passage of the question's
   script, or a number in a unit of the measure asked (hectares for «ما المساحة…»): an article
   that names a city but no population does not answer "What is the population of …?" however
   many other numbers it holds. Arabic keys also match on a skeleton
   (alef and final ه dropped, one letter of difference allowed) so broken plurals meet their
   singulars;
4. **answer type**: a question asking for a number or a date (:data:`TYPED_KINDS`) needs a
   sentence among the candidates that holds one the question does not already contain.

Each rule returns the reason it fired, for the log; None means "answer".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from rapidfuzz import fuzz

from rag.answer.answer_types import (
    TYPED_KINDS,
    asked_attribute,
    asked_measure,
    candidate_measure,
    candidates,
    name_candidates,
)
from rag.answer.grounding import passage_keys
from rag.text.sentences import content_keys
from rag.types import Retrieved

_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_YEAR = re.compile(r"(?<!\d)(?:1[5-9]|20)\d\d(?!\d)")
_ARABIC_DIGITS = str.maketrans(
    {chr(0x0660 + i): str(i) for i in range(10)} | {chr(0x06F0 + i): str(i) for i in range(10)}
)
_LATIN = re.compile(r"[A-Za-z]")
SKELETON_SIMILARITY = 80.0
"""``fuzz.ratio`` (0–100) at which two Arabic skeletons are one word. At 75 «سكان» met «سيكون»."""
_ARABIC_LETTER = re.compile(r"[\u0620-\u064A]")


def has_words(question: str) -> bool:
    """True when ``question`` holds at least one letter outside URLs (Unicode category L*)."""
    text = _URL.sub(" ", question)
    return any(unicodedata.category(ch).startswith("L") for ch in text)


def question_names(question: str) -> list[set[str]]:
    """Content keys of each name the question gives: runs of capitalised words, not counting the
    question's first word (capitalised because it starts the sentence: "Prior", "Besides")."""
    names = []
    lead = len(question) - len(question.lstrip())
    for c in name_candidates(question):
        words = c.text.split()
        if c.start == lead:
            words = words[1:]
        keys = content_keys(" ".join(words))
        if keys:
            names.append(keys)
    return names


def question_years(question: str) -> set[str]:
    """The four-digit years (1500–2099) in ``question``, as ASCII digits."""
    return set(_YEAR.findall(question.translate(_ARABIC_DIGITS)))


def _latin_script(text: str) -> bool:
    """True when most letters of (the start of) ``text`` are Latin: a passage that can spell a
    Latin name. An Arabic passage may name "Putin" only as «بوتين», so names are not checked
    when any passage is in another script (cross-script keys would lift this)."""
    head = text[:600]
    latin = len(_LATIN.findall(head))
    return latin > 0 and latin >= len(_ARABIC_LETTER.findall(head))


def missing_terms(question: str, passages: Sequence[Retrieved]) -> str | None:
    """The first name or year of ``question`` found in no passage (rule 2), or None."""
    if not passages:
        return None
    years = question_years(question)
    if years:
        text = " ".join(
            f"{r.chunk.text} {r.chunk.title} {r.chunk.published_at or ''}" for r in passages
        ).translate(_ARABIC_DIGITS)
        top = f"{passages[0].chunk.text} {passages[0].chunk.title}".translate(_ARABIC_DIGITS)
        other_years = set(_YEAR.findall(top)) - years
        for y in sorted(years):
            if y not in text and other_years:
                return f"year {y}"
    if all(_latin_script(r.chunk.text) for r in passages):
        keys: set[str] = set()
        for r in passages:
            keys |= passage_keys(r.chunk)
        names = question_names(question)
        if names and not any(name & keys for name in names):
            return f"names {' / '.join(' '.join(sorted(n)) for n in names)}"
    return None


def _script(text: str) -> str:
    return "latin" if _latin_script(text) else "arabic"


def _attribute_found(attribute: str, question: str, passages: Sequence[Retrieved]) -> bool:
    """True when the asked attribute is in some passage written in the question's script (or
    when no passage is, so that words cannot be compared)."""
    same = [r for r in passages if _script(r.chunk.text) == _script(question)]
    if not same:
        return True
    keys = content_keys(attribute)
    skeletons = {_skeleton(k) for k in keys}
    for r in same:
        have = passage_keys(r.chunk)
        if keys & have or any(_skeleton_match(sk, _skeleton(h)) for sk in skeletons for h in have):
            return True
    return False


def _skeleton_match(asked: str, have: str) -> bool:
    # equal, or one letter apart in a five-letter key (RapidFuzz Indel similarity >= 0.8)
    return asked == have or fuzz.ratio(asked, have) >= SKELETON_SIMILARITY


def _skeleton(key: str) -> str:
    """An Arabic key without alef and final ه: a broken plural meets its singular («نقاط»/«نقطة»
    → نقط; «جوائز»/«جائزة» → جويز/جيز, one letter apart)."""
    return key.rstrip("ه").replace("ا", "")


def _measure_found(question: str, sentences: Sequence[str]) -> bool:
    """True when a sentence holds a number in a unit of the measure asked («مساحة» → hectares)."""
    measures = asked_measure(question)
    return bool(measures) and any(
        candidate_measure(c.text) in measures for s in sentences for c in candidates(s, "quantity")
    )


def relevance_verdict(
    question: str, kind: str, passages: Sequence[Retrieved], sentences: Sequence[str]
) -> str | None:
    """Why the passages do not answer ``question`` (module docstring), or None when they may.

    Args:
        question: The (standalone) question.
        kind: Its expected answer type (:func:`rag.answer.answer_types.question_type`).
        passages: The passages the answerer reads.
        sentences: The candidate sentences of those passages.

    Returns:
        A short reason ("no words", "year 2022", "name cup world", "no quantity"), or None.
    """
    if not has_words(question):
        return "no words"
    missing = missing_terms(question, passages)
    if missing:
        return missing
    attribute = asked_attribute(question) if kind == "quantity" else None
    if (
        attribute
        and not _attribute_found(attribute, question, passages)
        and not _measure_found(question, sentences)
    ):
        return f"attribute {attribute}"
    if kind in TYPED_KINDS and sentences:
        qk = content_keys(question)
        if not any(
            not content_keys(c.text) or not content_keys(c.text) <= qk
            for s in sentences
            for c in candidates(s, kind)
        ):
            return f"no {kind}"
    return None
