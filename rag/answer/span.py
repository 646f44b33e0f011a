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
4. for a typed candidate, has the most of the question's words around it
   (:data:`TYPED_CONTEXT_WORDS`);
5. lies closest to the words the sentence shares with the question (distance in words), ties
   going to the span that follows them (Arabic and English both put the new information after
   the given: «تبلغ مساحة الحديقة ١٢ هكتاراً», "the park covers 12 hectares").

A definition question («ما هو X؟», «من هو X؟», "What is X?", X being the whole rest of the
question) takes the description after X's copula or apposition (:func:`definition_subject`), when
the sentence opens one. Reason questions take the clause after a causal connective («بسبب»,
«لأن», "because", "due to") when the sentence has one. Yes/no and comparison questions get no
span: without an LLM the comparison is left to the reader.
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
    in_question,
)
from rag.text.sentences import content_keys, normalize

SAME_SCRIPT_KINDS = frozenset(["person", "place"])
"""An Arabic question about a person or place is answered by an Arabic-script name, not by the
Latin gloss that Arabic articles put in brackets («عائلة روتشيلد (بالإنجليزية: Rothschild
family)»), unless the question asks for the name in another language («ما اسمه بالإنجليزية؟»).
Organisations keep Latin names (companies are often written so: «Energiprojekt AB»). Same
passages, span F1 ARCD 0.2984 → 0.3047, XQuAD-ar 0.3055 → 0.3073 (with organisations too: 0.3039 /
0.3056)."""
_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff]")
_OTHER_LANGUAGE = re.compile(
    r"(?<!\w)(?:بال|ال|وال)?(?:إ|ا|أ)?(?:نجليزي|نكليزي|لاتيني|فرنسي|لماني|تركي|يوناني|يطالي|سباني|روسي|صيني"
    r"|ياباني|فارسي|عبري)(?:ة|ه)?(?!\w)"
)


def _wants_arabic(question: str) -> bool:
    """True for an Arabic-script question that does not ask for a name in another language."""
    return bool(_ARABIC.search(question)) and not _OTHER_LANGUAGE.search(question)


def _bracketed_gloss(
    sentence: str, words: list[tuple[int, int, set[str]]], depth: list[int], i: int, j: int
) -> bool:
    """True when the word range ``[i, j)`` touches a bracket and has no Arabic letter or digit."""
    return any(depth[k] for k in range(i, j)) and not any(
        _ARABIC.search(sentence[a:b]) or sentence[a:b].isdigit() for a, b, _ in words[i:j]
    )


MAX_SPAN_WORDS = 4
"""Longest generic span, in words. SQuAD-style gold answers are short (XQuAD/ARCD DEV median 2–3
words); longer windows only add words the F1 counts against."""

_WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")
_REASON = re.compile(
    r"(?:\bbecause(?: of)?\b|\bdue to\b|\bowing to\b|\bas a result of\b|\bin order to\b|\bso that\b"
    r"|(?<!\w)(?:بسبب|لأن|لان|لانه|لأنه|نظرا ل|نظراً ل|بهدف|من أجل|من اجل|كي|لكي|حتى)(?!\w))",
    re.IGNORECASE,
)


# The preposition that governs a question's wh-word: «على ماذا شكر…» / «علام…» ("for what"),
# "What did Putin thank North Korea for?". The answer is the phrase that follows the same
# preposition after the question's words in the sentence («… شكر … كوريا الشمالية على دعم
# تصرفاتها في أوكرانيا»). Arabic ب/ل/ك attach to the next word and are left out: too ambiguous.
_AR_GOVERNED = re.compile(
    r"^\s*(?:و\s*)?(على|عن|في|من|إلى|الى)\s+(?:ماذا|ما)(?!\w)|^\s*(?:و\s*)?(علام|عم|فيم|مم)(?!\w)"
)
# only at the question's start: inside a question «مما»/«فيما»/«في ما» are relatives ("which",
# "regarding", "in what is now…"), not a governed wh-word
_AR_CONTRACTED = {"علام": "على", "عم": "عن", "فيم": "في", "مم": "من"}
_EN_STRANDED = re.compile(
    r"^\s*(?:what|which|who|whom)\b.*\b(for|about|with|on|to|from|of|against|into)\s*[?؟]*\s*$", re.IGNORECASE
)
_EN_FRONTED = re.compile(
    r"^\s*(for|about|with|on|to|from|of|against|into)\s+(?:what|which|whom)\b", re.IGNORECASE
)
GOVERNED_NEAR_WORDS = 3
"""The preposition must follow one of the question's words within this many words."""


def governing_preposition(question: str) -> str | None:
    """The preposition governing the question's wh-word («على» of «على ماذا…», "for" of "What …
    for?"), lower-cased, or None."""
    m = _AR_GOVERNED.search(question)
    if m:
        return m.group(1) or _AR_CONTRACTED[m.group(2)]
    m = _EN_STRANDED.match(question) or _EN_FRONTED.match(question)
    return m.group(1).lower() if m else None


def _governed_phrase(
    sentence: str, words: list[tuple[int, int, set[str]]], anchors: list[int], preposition: str
) -> Span | None:
    """The words after ``preposition`` where it follows a question word closely, up to the clause
    end or the next question word (at most ``2 × MAX_SPAN_WORDS`` words, no trailing stopword),
    or None."""
    if not anchors:
        return None
    anchor_set = set(anchors)
    for i, (a, b, _) in enumerate(words):
        if sentence[a:b].lower() != preposition:
            continue
        if not any(0 < i - j <= GOVERNED_NEAR_WORDS for j in anchors):
            continue
        tail: list[tuple[int, int, set[str]]] = []
        for j, (a2, b2, keys) in enumerate(words[i + 1 : i + 1 + MAX_SPAN_WORDS * 2], start=i + 1):
            if tail and _CLAUSE_BREAK.search(sentence[tail[-1][1] : a2]):
                break
            if j in anchor_set:  # the question's own words again: the answer has ended
                break
            tail.append((a2, b2, keys))
        while tail and not tail[-1][2]:  # no trailing stopword or preposition ("… كاملة في")
            tail.pop()
        if tail:
            return Span(tail[0][0], tail[-1][1], sentence[tail[0][0] : tail[-1][1]], "other")
    return None


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


TYPED_CONTEXT_WORDS = 5
"""A typed candidate (number, date, name) is chosen by how many of the question's words stand
within this many words of it in its own clause, before its distance to the nearest one: in «افتتحت
الجزيرة ميناءها عام 1998، واستؤنفت خدمة العبارة إليها في 12 مارس 2024» the asked date has "ferry
service resumed" in its clause, the nearer 1998 only "island". Full DEV, same passages, span F1 for
0 (off) / 3 / 5 / 8 words: XQuAD-ar 0.2880 / 0.2882 / 0.2893 / 0.2918, ARCD 0.2696 / 0.2700 /
0.2714 / 0.2709, XQuAD-en 0.4050 / 0.4198 / 0.4136 / 0.4117 (docs/results.md, 2026-11-30
session 4); crossing clause punctuation, 5 words gave 0.2885 / 0.2730 / 0.4106 and picked 1998
above."""


def _context_keys(
    sentence: str, words: list[tuple[int, int, set[str]]], a: int, b: int, question_keys: set[str]
) -> int:
    """How many distinct question keys the words within :data:`TYPED_CONTEXT_WORDS` of ``[a, b)``
    hold, not crossing clause punctuation (a comma, semicolon or bracket ends the context)."""
    near: set[str] = set()
    i = a - 1
    while i >= max(a - TYPED_CONTEXT_WORDS, 0) and not _CLAUSE_BREAK.search(
        sentence, words[i][1], words[i + 1][0]
    ):
        near |= words[i][2] & question_keys
        i -= 1
    j = b
    while j < min(b + TYPED_CONTEXT_WORDS, len(words)) and not _CLAUSE_BREAK.search(
        sentence, words[j - 1][1], words[j][0]
    ):
        near |= words[j][2] & question_keys
        j += 1
    return len(near)


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
    span = _extract(question, sentence, kind)
    return None if span is None else _trimmed(sentence, span)


_EDGE = "<>‹›«»()[]{}\"'“”‘’:;,،؛-–— \t\n"
"""Characters a span never starts or ends with: brackets, quotes and separators at its edges
belong to the sentence around it («أبطأ> من المتوقع» was cut through a "<…>" pair)."""


_PAIRS = {"(": ")", "[": "]", "{": "}", "«": "»", "‹": "›", "<": ">", "“": "”", "‘": "’"}
_CLOSERS = {v: k for k, v in _PAIRS.items()}


def _paired(text: str, ch: str) -> bool:
    """True when ``ch`` at an edge of ``text`` has its partner inside ``text`` ("(2019)")."""
    if ch in _PAIRS:
        return text.count(_PAIRS[ch]) >= text.count(ch)
    if ch in _CLOSERS:
        return text.count(_CLOSERS[ch]) >= text.count(ch)
    return False


def _trimmed(sentence: str, span: Span) -> Span | None:
    start, end = span.start, span.end
    while start < end and sentence[start] in _EDGE and not _paired(sentence[start:end], sentence[start]):
        start += 1
    while end > start and sentence[end - 1] in _EDGE and not _paired(sentence[start:end], sentence[end - 1]):
        end -= 1
    if start == end:
        return None
    return Span(start, end, sentence[start:end], span.kind)


def _extract(question: str, sentence: str, kind: str) -> Span | None:
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
        typed = [c for c in candidates(sentence, kind) if not in_question(c.text, qk)]
        if kind in ENTITY_KINDS:
            typed = [c for c in typed if not _names_the_question(c.text, qk)]
        if kind in TYPED_KINDS:
            typed = [c for c in typed if not _repeats_numbers(c.text, question)]
        if kind in SAME_SCRIPT_KINDS and _wants_arabic(question):
            typed = [c for c in typed if _ARABIC.search(c.text)]
    if kind == "reason":
        m = _REASON.search(sentence)
        if m:
            tail = [w for w in words if w[0] >= m.end()][: MAX_SPAN_WORDS * 2]
            if tail:
                a, b = tail[0][0], tail[-1][1]
                return Span(a, b, sentence[a:b], kind)
    if kind in ("other", "reason") and (preposition := governing_preposition(question)):
        governed = _governed_phrase(sentence, words, anchors, preposition)
        if governed is not None:
            return Span(governed.start, governed.end, governed.text, kind)
    if kind == "other" and (score := _score(question, sentence, words, anchors)) is not None:
        return Span(score.start, score.end, score.text, kind)
    if kind in DEFINITION_KINDS and (subject := definition_subject(question)):
        defined = _definition(sentence, words, subject)
        if defined is not None:
            return Span(defined.start, defined.end, defined.text, kind)
    if kind == "person" and (named := _named_after_title(question, sentence, words, qk)) is not None:
        return Span(named.start, named.end, named.text, kind)
    if kind == "other" and (sort := _kind_of(question, sentence, words, qk)) is not None:
        return Span(sort.start, sort.end, sort.text, kind)
    if kind in WHICH_KINDS and (which := _which_noun_phrase(question, sentence, words, qk)) is not None:
        return Span(which.start, which.end, which.text, kind)
    if kind in WHICH_KINDS and (called := _name_given(question, sentence, words, qk)) is not None:
        return Span(called.start, called.end, called.text, kind)
    if typed:
        measures = asked_measure(question) if kind == "quantity" else frozenset()
        best = min(
            typed,
            key=lambda c: (
                # a number counted in the question's own noun («كم شخصا» → «14 شخصا», "how many
                # people" → "14 people") is the asked figure, whatever stands nearer
                not (kind == "quantity" and bool(content_keys(c.text) & qk)),
                candidate_measure(c.text) not in measures if measures else False,
                -_context_keys(sentence, words, *word_range(c), qk),
                _distance(*word_range(c), anchors),
                c.start,
            ),
        )
        if kind == "quantity" and DROP_ASKED_UNIT:
            return _without_asked_unit(sentence, best, qk)
        if kind == "date" and _YEAR_ONLY_QUESTION.search(normalize(question)):
            return _year_of(best)
        return Span(best.start, best.end, best.text, kind)
    if kind in TYPED_KINDS:
        return None  # the sentence has no number/date: no span rather than a wrong one
    return _window(sentence, words, qk, anchors, kind, arabic_question=_wants_arabic(question))


FEATURES = (
    "bias",
    "len1",
    "len2",
    "len3",
    "len4",
    "len5",
    "distance",
    "after_anchor",
    "before_anchor",
    "ends_clause",
    "starts_clause",
    "arabic_article",
    "capitalised",
    "digits",
    "person_arabic_name",
    "person_capitalised",
    "stop_share",
    "position",
    "after_preposition",
    "place_after_preposition",
    "after_copula",
    "after_title",
)
"""Features of a candidate span (see :func:`span_features`)."""

SPAN_WEIGHTS: dict[str, float] = {
    "bias": 0.1054,
    "len1": -0.0198,
    "len2": 0.0128,
    "len3": 0.0291,
    "len4": 0.0378,
    "len5": 0.0454,
    "distance": -0.0934,
    "after_anchor": 0.0158,
    "before_anchor": -0.0215,
    "ends_clause": 0.03,
    "starts_clause": -0.0176,
    "arabic_article": 0.0164,
    "capitalised": 0.0673,
    "digits": -0.0178,
    "person_arabic_name": 0.0153,
    "person_capitalised": -0.0713,
    "stop_share": -0.056,
    "position": 0.0072,
    "after_preposition": -0.0057,
    "place_after_preposition": 0.0765,
    "after_copula": 0.0191,
    "after_title": 0.0387,
}
"""Linear weights of :data:`FEATURES`: ridge regression (λ = 1) of each window's SQuAD F1 against
the gold, over the best sentence of 1,255 DEV questions of XQuAD-ar, ARCD and XQuAD-en whose span
is not found by type (docs/results.md, Experiments 2026-11-30). 5-fold cross-validation grouped by
article: held-out span F1 0.243 against 0.179 for the nearest run, better in every fold
(0.198/0.264/0.227/0.266/0.258 vs 0.160/0.177/0.170/0.193/0.197). Empty → the nearest run."""

MAX_WINDOW_WORDS = 5
_PREPOSITIONS = frozenset(["في", "فى", "من", "إلى", "الى", "الي", "بين", "in", "at", "from", "to", "near"])
_COPULAS = frozenset(
    ["هو", "هي", "هى", "هم", "كان", "كانت", "is", "was", "are", "were", "called", "named", "يسمى"]
)
_TITLES = frozenset(
    [
        "الرئيس",
        "الملك",
        "الأمير",
        "الامير",
        "الوزير",
        "الشيخ",
        "الدكتور",
        "السيد",
        "اللاعب",
        "المدرب",
        "القائد",
    ]
)
_CLAUSE_BREAK = re.compile(r"[,،;؛:()\[\]«»\"“”.!?؟–—]")


def _stop(keys: set[str]) -> bool:
    return not keys


def window_candidates(
    sentence: str, words: list[tuple[int, int, set[str]]], qk: set[str]
) -> list[tuple[int, int]]:
    """Word ranges ``[i, j)`` of at most :data:`MAX_WINDOW_WORDS` words that hold no question word,
    cross no clause punctuation, and neither start nor end on a stop word."""
    out: list[tuple[int, int]] = []
    n = len(words)
    for i in range(n):
        if _stop(words[i][2]) or words[i][2] & qk:
            continue
        for j in range(i + 1, min(n, i + MAX_WINDOW_WORDS) + 1):
            w = words[j - 1]
            if w[2] & qk:
                break
            if j - 1 > i and _CLAUSE_BREAK.search(sentence, words[j - 2][1], w[0]):
                break
            if not _stop(w[2]):
                out.append((i, j))
    return out


def span_features(
    sentence: str, words: list[tuple[int, int, set[str]]], i: int, j: int, anchors: list[int], kind: str
) -> dict[str, float]:
    """Features of the word range ``[i, j)`` as a short answer (names in :data:`FEATURES`)."""
    text = sentence[words[i][0] : words[j - 1][1]]
    first = text.split()[0]
    dist, after = _distance(i, j, anchors)
    before_gap = sentence[words[i - 1][1] : words[i][0]] if i > 0 else "."
    after_gap = sentence[words[j - 1][1] : words[j][0]] if j < len(words) else "."
    arabic_article = first.startswith(("ال", "وال", "بال", "لل", "فال"))
    capitalised = all(w[:1].isupper() for w in text.split())
    n_words = j - i
    prev = sentence[words[i - 1][0] : words[i - 1][1]].lower() if i > 0 else ""
    f = {
        "bias": 1.0,
        f"len{min(n_words, 5)}": 1.0,
        "distance": min(dist, 10) / 10,
        "after_anchor": 1.0 if after == 0 and dist <= 2 else 0.0,
        "before_anchor": 1.0 if after == 1 and dist <= 2 else 0.0,
        "ends_clause": 1.0 if _CLAUSE_BREAK.search(after_gap) or j == len(words) else 0.0,
        "starts_clause": 1.0 if _CLAUSE_BREAK.search(before_gap) or i == 0 else 0.0,
        "arabic_article": 1.0 if arabic_article else 0.0,
        "capitalised": 1.0 if capitalised else 0.0,
        "digits": 1.0 if any(ch.isdigit() for ch in text) else 0.0,
        "person_arabic_name": 1.0 if kind == "person" and not arabic_article and not capitalised else 0.0,
        "person_capitalised": 1.0 if kind in ENTITY_KINDS and capitalised else 0.0,
        "stop_share": sum(1 for w in words[i:j] if _stop(w[2])) / n_words,
        "position": i / max(len(words), 1),
        "after_preposition": 1.0 if prev in _PREPOSITIONS else 0.0,
        "place_after_preposition": 1.0 if kind == "place" and prev in _PREPOSITIONS else 0.0,
        "after_copula": 1.0 if prev in _COPULAS else 0.0,
        "after_title": 1.0 if prev in _TITLES else 0.0,
    }
    return f


DROP_ASKED_UNIT = True
"""Drop a quantity's unit word when it repeats the question's noun. Span F1 on full DEV, same
passages: XQuAD-ar 0.2819 → 0.2864, ARCD 0.2819 → 0.2805, XQuAD-en 0.3806 → 0.3883."""


def _without_asked_unit(sentence: str, c: Candidate, question_keys: set[str]) -> Span:
    """The number alone when its unit word repeats the question's noun ("how many touchdowns" →
    "three", not "three touchdowns"); a unit the question does not name stays ("12 hectares")."""
    words = c.text.split()
    if len(words) >= 2 and content_keys(words[-1]) and content_keys(words[-1]) <= question_keys:
        end = c.start + len(c.text) - len(words[-1])
        while end > c.start and not sentence[end - 1].isalnum():
            end -= 1
        return Span(c.start, end, sentence[c.start : end], "quantity")
    return Span(c.start, c.end, c.text, "quantity")


def _window(
    sentence: str,
    words: list[tuple[int, int, set[str]]],
    qk: set[str],
    anchors: list[int],
    kind: str,
    arabic_question: bool = False,
) -> Span | None:
    """The best-scoring window (:data:`SPAN_WEIGHTS`), or the nearest run when no weights are set;
    for an Arabic question (``arabic_question``, :func:`_wants_arabic`), never a bracketed gloss in
    another script. Dropping those: ARCD span F1 0.3047 → 0.3064, the others unchanged; dropping
    every Latin-script window instead: ARCD 0.3064, XQuAD-ar 0.3073 → 0.3071 ("DTIME")."""
    if not anchors:  # no shared word (another language): nothing to stand next to
        return None
    ranges = window_candidates(sentence, words, qk)
    if arabic_question:  # a Latin gloss in brackets («(بالإنجليزية: Cancer)») answers no Arabic question
        depth = _depths(sentence, words)
        ranges = [r for r in ranges if not _bracketed_gloss(sentence, words, depth, *r)]
    if not ranges:
        return None
    if SPAN_WEIGHTS:
        weights = SPAN_WEIGHTS

        def score(r: tuple[int, int]) -> float:
            feats = span_features(sentence, words, r[0], r[1], anchors, kind)
            return sum(weights.get(k, 0.0) * v for k, v in feats.items())

        a, b = max(ranges, key=score)
    else:
        a, b = min(ranges, key=lambda r: (_distance(r[0], r[1], anchors), -(r[1] - r[0]), r[0]))
    start, end = words[a][0], words[b - 1][1]
    return Span(start, end, sentence[start:end], kind)


# --- definitions: «ما هو X؟» / «من هو X؟» / "What is X?" -------------------------------------------

DEFINITION_KINDS = frozenset(["other", "person"])
"""Answer types a definition question gets (a «من هو X؟» is typed "person")."""

_AR_DEFINITION = re.compile(
    r"^[\s\-–—:.]*و?(?:(?:ما|من)\s+(?:هو|هي|هى|هم|هن)|ماهو|ماهي|ماهى"
    # «ما تعريف/معنى/مفهوم X؟», «ما مهنة/وظيفة/جنسية X؟»: answered by X's description too
    r"|(?:ما|ماهو|ماهي)\s+(?:هو\s+|هي\s+)?(?:تعريف|معنى|معني|مفهوم|مهن[ةه]|وظيف[ةه]|جنسي[ةه]))"
    r"\s+(.+?)[\s?؟.!]*$"
)
_EN_DEFINITION = re.compile(r"^\s*(?:what|who)\s+(?:is|was|are|were)\s+(.+?)[\s?.!]*$", re.IGNORECASE)
_RELATIVE_IN_SUBJECT = re.compile(r"(?<!\w)(?:الذي|التي|الذين|اللذين|اللتين)(?!\w)")

DEF_MAX_SUBJECT = 4
"""A definition question names its subject in at most this many words («ما هو التقويم
الميلادي؟»); longer ones ask about an attribute («ما هو الكتاب الذي وضع فيه…»). Span F1 ARCD for
3 / 4 / 6 words: 0.2965 / 0.2984 / 0.2978 (docs/results.md, 2026-11-30 session 5)."""

DEF_MAX_WORDS = 8
"""Longest definition span, in words: ARCD's descriptions are long («مجموعة من الأمراض التي تتميز
خلاياها بالعدائية»). ARCD span F1 for 4 / 6 / 8 / 10 words: 0.2916 / 0.2940 / 0.2950 / 0.2954."""

DEF_GAP_WORDS = 2
"""Words (outside brackets) allowed between the subject's words and the copula or apposition
(«السُّكَّري أو الداء السكري …»). ARCD span F1 for 0 / 1 / 2 / 3: 0.2938 / 0.2966 / 0.2984 / 0.2980."""

_DEF_COPULAS = frozenset(
    normalize(w)
    for w in [
        "هو",
        "هي",
        "هى",
        "هم",
        "هن",
        "وهو",
        "وهي",
        "وهم",
        "يعد",
        "يعتبر",
        "تعد",
        "تعتبر",
        "تعني",
        "يعني",
        "is",
        "was",
        "are",
        "were",
    ]
)
_RELATIVE_LEAD = frozenset(normalize(w) for w in ["الذي", "التي", "الذين"])


def definition_subject(question: str) -> frozenset[str] | None:
    """The content keys of X in «ما هو X؟», «من هي X؟», «ماهو X؟», «ما تعريف X؟», «ما مهنة X؟»
    (also معنى، مفهوم، وظيفة، جنسية: ARCD span F1 0.3064 → 0.3099), "What is X?", "Who was X?" —
    when X is the whole rest of the question (at most :data:`DEF_MAX_SUBJECT` words, no relative
    clause) — else None."""
    m = _AR_DEFINITION.match(question) or _EN_DEFINITION.match(question)
    if m is None:
        return None
    subject = m.group(1)
    if len(subject.split()) > DEF_MAX_SUBJECT or _RELATIVE_IN_SUBJECT.search(subject):
        return None
    return frozenset(content_keys(subject)) or None


def _depths(sentence: str, words: list[tuple[int, int, set[str]]]) -> list[int]:
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


def _definition(
    sentence: str, words: list[tuple[int, int, set[str]]], subject: frozenset[str]
) -> Span | None:
    """The description that follows the defined subject: the words after its copula («السرطان
    (بالإنجليزية: Cancer) هو مجموعة من الأمراض…», "X is …") or after the comma of an apposition
    («توماس ألفا أديسون (…)، مخترع ورجل أعمال أمريكي»), to the clause end (at most
    :data:`DEF_MAX_WORDS` words); a leading relative («الذي كان أباً…») is left out. Bracketed
    words (glosses, dates) are skipped. None when the subject is not followed, within
    :data:`DEF_GAP_WORDS` words, by a copula or an apposition."""
    depth = _depths(sentence, words)
    norm = [normalize(sentence[a:b]) for a, b, _ in words]
    last = -1
    for i, (a, _, keys) in enumerate(words):
        if depth[i]:
            continue
        if keys & subject:
            last = i
            continue
        if last < 0:
            continue
        gap = sentence[words[i - 1][1] : a]
        if norm[i] in _DEF_COPULAS:
            start = i + 1
        elif "،" in gap or "," in gap:
            start = i
        elif i - last <= DEF_GAP_WORDS:
            continue
        else:
            return None
        if start < len(words) and norm[start] in _RELATIVE_LEAD:
            start += 1 + (start + 1 < len(words) and norm[start + 1] in ("كان", "كانت"))
        tail: list[int] = []
        for j in range(start, min(len(words), start + DEF_MAX_WORDS)):
            if depth[j] or (tail and _CLAUSE_BREAK.search(sentence[words[j - 1][1] : words[j][0]])):
                break
            tail.append(j)
        while tail and not words[tail[-1]][2]:  # no trailing stopword
            tail.pop()
        if not tail:
            return None
        return _word_span(sentence, words, tail[0], tail[-1])
    return None


# --- «من [هو] الشاعر الذي…؟» → «… الشاعر تيودور فونتان …» -------------------------------------------

_AR_TITLE_QUESTION = re.compile(r"^[\s\-–—:.]*و?من\s+(?:(?:هو|هي|هى|هم|كان|كانت)\s+)?(ال\w+)")
_DEFINITE = ("ال", "وال", "بال", "لل", "فال")
NAME_AFTER_TITLE_WORDS = 3
"""Longest name taken after the title noun. Same passages, XQuAD-ar span F1 for 0 (off) / 2 / 3 / 4
words: 0.3073 / 0.3113 / 0.3110 / 0.3110 (ARCD 0.3099 for all; docs/results.md, 2026-11-30
session 5): 3 kept for three-word names («عبد الرحمن بن …»)."""


def _named_after_title(
    question: str, sentence: str, words: list[tuple[int, int, set[str]]], qk: set[str]
) -> Span | None:
    """For «من [هو] ال<title> …؟» («من هو الشاعر الألماني الذي…», «من المهندس المعماري الذي…»), the
    name that follows the same definite title noun in the sentence, its definite adjectives skipped
    («الشاعر تيودور فونتان», «الكيميائي الاسكتلندي جيمس ديوار»): Arabic writes a name after its
    title, and a name does not start with the article (later words may: «سامر الخطيب», «دارا
    الثالث»); a word joined by «و» starts the next item. None when the question
    is a definition (:func:`definition_subject`), names nothing but the title, or the sentence
    has no such name."""
    m = _AR_TITLE_QUESTION.match(question)
    if m is None or definition_subject(question) or len(qk) <= 2:
        return None
    title = content_keys(m.group(1))
    for i, (a, b, keys) in enumerate(words):
        if not keys & title or not normalize(sentence[a:b]).startswith(_DEFINITE):
            continue
        start = i + 1
        while (
            start < len(words)
            and start <= i + 2
            and normalize(sentence[words[start][0] : words[start][1]]).startswith(_DEFINITE)
            and not _CLAUSE_BREAK.search(sentence, words[start - 1][1], words[start][0])
        ):
            start += 1  # the title's adjectives: «الشاعر الألماني …»
        name: list[int] = []
        for j in range(start, min(len(words), start + NAME_AFTER_TITLE_WORDS)):
            word = normalize(sentence[words[j][0] : words[j][1]])
            if name and _CLAUSE_BREAK.search(sentence, words[j - 1][1], words[j][0]):
                break
            if words[j][2] & qk or not words[j][2] or (not name and word.startswith("ال")):
                break
            if name and word.startswith("و") and len(word) > 4:  # «… الخطيب ووزير النقل»
                break
            name.append(j)
        if name:
            return _word_span(sentence, words, name[0], name[-1])
    return None


_YEAR_ONLY_QUESTION = re.compile(
    r"\b(?:what|which|in what|in which) year\b|(?:^|\s)(?:في |فى )?اي (?:عام|سنه)\b"
    r"|(?:^|\s)(?:ما|ماهو|ماهي|ما هو|ما هي) (?:هو |هي )?(?:ال)?(?:عام|سنه)\b"
)
"""A question that asks for the year alone ("What year…", «في أي عام/سنة…», «ما العام الذي…»), on
:func:`rag.text.sentences.normalize`'d text; decades and centuries are not years."""
_YEAR_IN_DATE = re.compile(
    r"(?<![0-9\u0660-\u0669])(?:1[0-9]|20)[0-9]{2}(?![0-9])(?:م|هـ)?|[\u0661\u0662][\u0660-\u0669]{3}(?:م|هـ)?"
)


def _year_of(c: Candidate) -> Span:
    """The year inside a date candidate, for a question that asks for the year: «8 مارس 1920» →
    «1920», "January 7, 1943" → "1943", «عام 1037م» → «1037م» (an era letter written onto the year
    stays; «عام» goes). The last year when there are several; the whole candidate when it holds
    none (a century, a time). Same passages, span F1 XQuAD-ar 0.3110 → 0.3132, ARCD 0.3099 →
    0.3103, XQuAD-en 0.4302 → 0.4310, en→ar 0.1249 → 0.1281; keeping «عام/سنة» before the year:
    0.3129 / 0.3109 / 0.4310 / 0.1269; without the era letter ARCD fell to 0.3076."""
    found = list(_YEAR_IN_DATE.finditer(c.text))
    if not found:
        return Span(c.start, c.end, c.text, "date")
    m = found[-1]
    return Span(c.start + m.start(), c.start + m.end(), m.group(), "date")


_NUMBER_RUN = re.compile(r"[0-9\u0660-\u0669\u06f0-\u06f9]+(?:[.,٫٬][0-9\u0660-\u0669\u06f0-\u06f9]+)*")


def _numbers(text: str) -> frozenset[str]:
    """The numbers written in ``text`` (digit runs with their separators, Arabic-Indic digits folded)."""
    return frozenset(normalize(m.group()) for m in _NUMBER_RUN.finditer(text))


def _repeats_numbers(candidate: str, question: str) -> bool:
    """True when every number of a number/date candidate is written in the question: «كم كان عمر
    إلواي حين فاز بالسوبر بول 33؟» is not answered by «33» but by «38» («… السوبر بول 33 في عمر
    38»), "at 60 Hz" not by "60". Content keys drop short numbers, so
    :func:`rag.answer.answer_types.in_question` cannot see these repeats. Same passages, span F1
    XQuAD-ar 0.3141 → 0.3180, ARCD 0.3118 → 0.3121, XQuAD-en 0.4310 → 0.4326, en→ar 0.1281 →
    0.1298 (quantities alone: 0.3180 / 0.3118 / 0.4310 / 0.1298)."""
    numbers = _numbers(candidate)
    return bool(numbers) and numbers <= _numbers(question)


def _word_span(sentence: str, words: list[tuple[int, int, set[str]]], first: int, last: int) -> Span:
    """The span from word ``first`` to word ``last`` (inclusive), kind "other" (callers re-kind it)."""
    a, b = words[first][0], words[last][1]
    return Span(a, b, sentence[a:b], "other")


def _phrase_after(
    sentence: str,
    words: list[tuple[int, int, set[str]]],
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
        if (out and _CLAUSE_BREAK.search(sentence, words[j - 1][1], words[j][0])) or words[j][2] & qk:
            break
        if not words[j][2] and not through_stopwords:
            break
        out.append(j)
    while out and not words[out[-1]][2]:
        out.pop()
    return out


# --- «أي مدينة…؟» → «… مدينة دمشق …» ----------------------------------------------------------------

WHICH_KINDS = frozenset(["other", "place", "organisation", "person"])
"""Answer types the «أي X» rule answers; numbers and dates keep their typed candidates (with them
too: XQuAD-ar 0.3261 → 0.3211)."""
_AR_WHICH = re.compile(r"^[\s\-–—:.]*و?(?:(?:في|فى|من|إلى|الى|على|عن)\s+|[بل])?(?:أي|اي|أى|اى)\s+(\w+)")
_AR_WHAT_NOUN = re.compile(
    r"^[\s\-–—:.]*و?(?:ما|ماهو|ماهي|ماهى)\s+(?:(?:هو|هي|هى)\s+)?(ال\w+)(?:\s+ال\w+)?\s+"
    r"(?:الذي|التي|الذين|اللذين|اللتين|اللذان|اللتان)(?!\w)"
)
"""«ما [هي] ال<noun> [ال<adjective>] التي/الذي …؟» asks «أي <noun>» too («ما هو الكتاب الذي وضع
فيه الشافعي…» → «كتاب الرسالة»): XQuAD-ar 0.3261 → 0.3352, ARCD 0.3182 → 0.3212."""
WHICH_NAME_WORDS = 3
"""Words taken after the asked noun. Same passages, span F1 XQuAD-ar / ARCD for 2 / 3 / 4 words:
0.3256 / 0.3174, 0.3261 / 0.3182, 0.3261 / 0.3182 (docs/results.md, 2026-11-30 session 5)."""


def _which_noun_phrase(
    question: str, sentence: str, words: list[tuple[int, int, set[str]]], qk: set[str]
) -> Span | None:
    """For «أي X …؟» («في أي مدينة ولد…», «أي نهر بني عبره جسر…») and «ما ال<X> الذي…؟»
    (:data:`_AR_WHAT_NOUN`), the sentence's X with the words
    that name it («مدينة دمشق», «نهر تاين», «معركة حطين»): Arabic names a thing after its class
    noun. The noun is kept: SQuAD-style golds include it as often as not («محكمة العدل»; span F1
    without it: XQuAD-ar 0.3237, ARCD 0.3157 vs 0.3261 / 0.3182 with it). Up to
    :data:`WHICH_NAME_WORDS` words, stopping at a question word, a stopword or clause punctuation;
    None when X is not followed by such a word."""
    m = _AR_WHICH.match(question) or _AR_WHAT_NOUN.match(question)
    if m is None:
        return None
    noun = content_keys(m.group(1))
    if not noun:
        return None
    for i, (a, _, keys) in enumerate(words):
        if not keys & noun:
            continue
        name = _phrase_after(sentence, words, i + 1, WHICH_NAME_WORDS, qk)
        if name:
            end = words[name[-1]][1]
            return Span(a, end, sentence[a:end], "other")
    return None


# --- "What is X called?" → "… X is known as a guru …" ----------------------------------------------

_EN_ASKS_NAME = re.compile(r"\bname of\b|\bcalled\b|\bknown as\b|\bnamed\b|\bnickname\b|\bterm for\b", re.I)
_NAME_GIVEN = re.compile(
    r"\b(?:called|known as|named|nicknamed|termed|dubbed)\b"
    r"|(?<!\w)(?:يسمى|تسمى|ويسمى|وتسمى|باسم|بإسم|يدعى|تدعى|يلقب|تلقب|بلقب|الملقب|الملقبة|يعرف|تعرف|ويعرف"
    r"|وتعرف|المعروف|المعروفة|اسمه|اسمها|سمي|سميت)(?!\w)",
    re.IGNORECASE,
)
_NAME_LEAD = frozenset(["as", "a", "an", "the", "باسم", "بإسم"])
NAME_GIVEN_WORDS = 3
"""Words taken after "called"/"known as"/«يسمى». Same passages, span F1 XQuAD-en / en→ar for 2 / 3 /
4 words: 0.4390 / 0.1346, 0.4393 / 0.1342, 0.4398 / 0.1337 (docs/results.md, 2026-11-30 session
5)."""


def _name_given(
    question: str, sentence: str, words: list[tuple[int, int, set[str]]], qk: set[str]
) -> Span | None:
    """For an English question that asks for a name ("What is the name of…", "… called what?",
    "known as"), the words after the sentence's "called"/"known as"/"named" — or, over Arabic
    articles, «يسمى»/«المعروف باسم»/«يدعى» — up to :data:`NAME_GIVEN_WORDS` words, the clause end
    or a question word ("In Tibetan Buddhism the teachers … are most commonly called a Lama" →
    "Lama"). Arabic questions are left to the other rules: «بماذا عرفت…» and «ماذا أطلق على…» ask
    for more than a name (ARCD 0.3212 → 0.3208 with them). Same passages, span F1 XQuAD-en 0.4326
    → 0.4393, en→ar 0.1298 → 0.1342, the Arabic sets unchanged."""
    if not _EN_ASKS_NAME.search(question) or _ARABIC.search(question):
        return None
    for m in _NAME_GIVEN.finditer(sentence):
        start = next((j for j, w in enumerate(words) if w[0] >= m.end()), len(words))
        while start < len(words) and sentence[words[start][0] : words[start][1]].lower() in _NAME_LEAD:
            start += 1
        name = _phrase_after(sentence, words, start, NAME_GIVEN_WORDS, qk, through_stopwords=True)
        if name:
            return _word_span(sentence, words, name[0], name[-1])
    return None


# --- "What was the final score?" → "20–18" ----------------------------------------------------------

_ASKS_SCORE = re.compile(
    r"\bscore\b(?! (?:a|an|the|\d)\b)|(?:^|\s)(?:ال)?نتيجه(?:\s+ال\w+)?\s+(?:ل|في|فى|بين)"
)
_SCORE = re.compile(r"(?<![\d٠-٩])[\d٠-٩]{1,3}\s*[–—-]\s*[\d٠-٩]{1,3}(?![\d٠-٩])")


def _score(
    question: str, sentence: str, words: list[tuple[int, int, set[str]]], anchors: list[int]
) -> Span | None:
    """For a question about a match's score ("What was the final score of…", «ما هي النتيجة
    النهائية للمباراة…»), the sentence's "20–18" nearest the question's words. None when the
    question asks no score or the sentence writes none. Only for "other" questions: "How many
    points did X score…" asks a number. Same passages, span F1 XQuAD-ar 0.3352 → 0.3386, XQuAD-en
    0.4393 → 0.4425, en→ar 0.1342 → 0.1359, ARCD unchanged (a news bot is asked scores; DEV has
    few such questions, all in the Super Bowl article)."""
    if not _ASKS_SCORE.search(normalize(question).lower()):
        return None
    found = list(_SCORE.finditer(sentence))
    if not found:
        return None

    def index(m: re.Match[str]) -> tuple[int, int]:
        idx = [i for i, (a, b, _) in enumerate(words) if a < m.end() and m.start() < b]
        return (idx[0], idx[-1] + 1) if idx else (0, 0)

    best = min(found, key=lambda m: _distance(*index(m), anchors) if anchors else (0, 0))
    return Span(best.start(), best.end(), best.group(), "quantity")


# --- "What type of city…?" → "… a multi-cultural city" / «ما نوع المدينة…؟» → «مدينة متعددة الثقافات» --

_EN_KIND_OF = re.compile(
    r"\b(?:what|which) (?:type|kind|sort|form)s? of (?:an? |the )?([a-z][\w-]*)", re.IGNORECASE
)
_AR_KIND_OF = re.compile(r"(?:ما|اي|أي|لأي|لاي)\s+(?:نوع|أنواع|انواع)\s+(?:من\s+)?(?:أنواع\s+)?(\w+)")
KIND_OF_WORDS = 2
"""Modifier words taken. Same passages, span F1 XQuAD-en for 1 / 2 / 3 words: 0.4576 / 0.4591 /
0.4591 (XQuAD-ar 0.3384 / 0.3395 / 0.3395; keeping the noun too: 0.4569, 0.3389)."""


def _kind_of(
    question: str, sentence: str, words: list[tuple[int, int, set[str]]], qk: set[str]
) -> Span | None:
    """For "What type/kind/sort of X…?", the words that modify the sentence's X — before it in
    English ("a multi-cultural city", "deep-level tunnels"), after it in Arabic («أنفاق عميقة
    المستوى») — at most :data:`KIND_OF_WORDS`, none of them a question word or across clause
    punctuation; X itself is left out (SQuAD golds: "multi-cultural", "electric"). In Arabic only
    an indefinite X counts (the definite «الجسر» is the topic, «جسر معلق» describes). Same passages,
    span F1 XQuAD-en 0.4425 → 0.4591, XQuAD-ar 0.3386 → 0.3395, ARCD and en→ar unchanged."""
    english = _EN_KIND_OF.search(question)
    arabic = None if english else _AR_KIND_OF.search(question)
    m = english or arabic
    if m is None:
        return None
    noun = content_keys(m.group(1))
    for i, (a, b, keys) in enumerate(words):
        if not keys & noun or (arabic and normalize(sentence[a:b]).startswith(_DEFINITE)):
            continue  # Arabic: the indefinite «جسر معلق» describes, the definite «الجسر» is the topic
        mods: list[int] = []
        step = -1 if english else 1
        j = i + step
        while 0 <= j < len(words) and len(mods) < KIND_OF_WORDS:
            left, right = (j, j + 1) if english else (j - 1, j)
            if (
                not words[j][2]
                or words[j][2] & qk
                or _CLAUSE_BREAK.search(sentence, words[left][1], words[right][0])
            ):
                break
            mods.append(j)
            j += step
        if mods:
            return _word_span(sentence, words, min(mods), max(mods))
    return None


def _singular(keys: set[str]) -> set[str]:
    """Content keys with an English plural "s" dropped ("bowls" → "bowl")."""
    return {k[:-1] if len(k) > 3 and k.endswith("s") and k.isascii() else k for k in keys}


def _names_the_question(candidate: str, question_keys: set[str]) -> bool:
    """True when a name candidate only repeats the question's words up to an English plural
    ("Super Bowls" for "… to more than one Super Bowl?"), which
    :func:`rag.answer.answer_types.in_question` compares exactly. Same passages, span F1 XQuAD-en
    0.4591 → 0.4607, the others unchanged."""
    keys = _singular(content_keys(candidate))
    return bool(keys) and keys <= _singular(question_keys)
