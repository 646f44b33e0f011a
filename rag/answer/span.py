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

Before those, a question whose form says where the answer is gets it from the sentence's grammar
(:func:`rag.answer.span_shapes.shaped_span`: «على ماذا…», scores, "What is the <description>?",
definitions «ما هو X؟», «من هو الشاعر الذي…», "What type of X", «أي مدينة…», "What is X
called?"), and reason questions take the clause after a causal connective («بسبب», «لأن»,
"because", "due to") when the sentence has one. Yes/no and comparison questions get no span:
without an LLM the comparison is left to the reader.
"""

from __future__ import annotations

import dataclasses
import re

from rag.answer.answer_fit import (
    asks_population,
    counted_across,
    counts_other_people,
    dateline_end,
    is_bare_weekday,
    population_figure,
    wrong_measure,
)
from rag.answer.answer_types import (
    ENTITY_KINDS,
    TYPED_KINDS,
    Candidate,
    asked_measure,
    candidate_measure,
    candidates,
    date_candidates,
    in_question,
)
from rag.answer.demonyms import describes_next_name
from rag.answer.span_shapes import governing_preposition, shaped_span
from rag.answer.span_words import (
    ARABIC,
    ARABIC_MARK,
    CLAUSE_BREAK,
    Span,
    Word,
    bracket_depths,
    sentence_words,
    without_marks,
    word_distance,
)
from rag.text.sentences import content_keys, normalize

__all__ = ["Span", "extract_span", "governing_preposition", "span_features", "window_candidates"]

SAME_SCRIPT_KINDS = frozenset(["person", "place"])
"""An Arabic question about a person or place is answered by an Arabic-script name, not by the
Latin gloss that Arabic articles put in brackets («عائلة روتشيلد (بالإنجليزية: Rothschild
family)»), unless the question asks for the name in another language («ما اسمه بالإنجليزية؟»).
Organisations keep Latin names (companies are often written so: «Energiprojekt AB»). Same
passages, span F1 ARCD 0.2984 → 0.3047, XQuAD-ar 0.3055 → 0.3073 (with organisations too: 0.3039 /
0.3056)."""
_OTHER_LANGUAGE = re.compile(
    r"(?<!\w)(?:بال|ال|وال)?(?:إ|ا|أ)?(?:نجليزي|نكليزي|لاتيني|فرنسي|لماني|تركي|يوناني|يطالي|سباني|روسي|صيني"
    r"|ياباني|فارسي|عبري)(?:ة|ه)?(?!\w)"
)


def _wants_arabic(question: str) -> bool:
    """True for an Arabic-script question that does not ask for a name in another language."""
    return bool(ARABIC.search(question)) and not _OTHER_LANGUAGE.search(question)


def _bracketed_gloss(sentence: str, words: list[Word], depth: list[int], i: int, j: int) -> bool:
    """True when the word range ``[i, j)`` touches a bracket and has no Arabic letter or digit."""
    return any(depth[k] for k in range(i, j)) and not any(
        ARABIC.search(sentence[a:b]) or sentence[a:b].isdigit() for a, b, _ in words[i:j]
    )


MAX_SPAN_WORDS = 4
"""Longest generic span, in words. SQuAD-style gold answers are short (XQuAD/ARCD DEV median 2–3
words); longer windows only add words the F1 counts against."""

_REASON = re.compile(
    r"(?:\bbecause(?: of)?\b|\bdue to\b|\bowing to\b|\bas a result of\b|\bin order to\b|\bso that\b"
    r"|(?<!\w)(?:بسبب|لأن|لان|لانه|لأنه|نظرا ل|نظراً ل|بهدف|من أجل|من اجل|كي|لكي|حتى)(?!\w))",
    re.IGNORECASE,
)


TYPED_CONTEXT_WORDS = 5
"""A typed candidate (number, date, name) is chosen by how many of the question's words stand
within this many words of it in its own clause, before its distance to the nearest one: in «افتتحت
الجزيرة ميناءها عام 1998، واستؤنفت خدمة العبارة إليها في 12 مارس 2024» the asked date has "ferry
service resumed" in its clause, the nearer 1998 only "island". Full DEV, same passages, span F1 for
0 (off) / 3 / 5 / 8 words: XQuAD-ar 0.2880 / 0.2882 / 0.2893 / 0.2918, ARCD 0.2696 / 0.2700 /
0.2714 / 0.2709, XQuAD-en 0.4050 / 0.4198 / 0.4136 / 0.4117 (docs/results.md, 2026-11-30
session 4); crossing clause punctuation, 5 words gave 0.2885 / 0.2730 / 0.4106 and picked 1998
above."""


def _context_keys(sentence: str, words: list[Word], a: int, b: int, question_keys: set[str]) -> int:
    """How many distinct question keys the words within :data:`TYPED_CONTEXT_WORDS` of ``[a, b)``
    hold, not crossing clause punctuation (a comma, semicolon or bracket ends the context)."""
    near: set[str] = set()
    i = a - 1
    while i >= max(a - TYPED_CONTEXT_WORDS, 0) and not CLAUSE_BREAK.search(
        sentence, words[i][1], words[i + 1][0]
    ):
        near |= words[i][2] & question_keys
        i -= 1
    j = b
    while j < min(b + TYPED_CONTEXT_WORDS, len(words)) and not CLAUSE_BREAK.search(
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
    if span is not None and kind in ENTITY_KINDS and _only_a_date(span.text):
        # «مساء الأحد» is when, not who nor where: no name rather than a date labelled a person
        return None
    if span is not None and kind == "other" and _WHAT_HAPPENED.search(question) and _a_date_alone(span.text):
        # "What happened yesterday?" asks for an event: "Tuesday" is when it happened, not what
        return None
    return None if span is None else _trimmed(sentence, span)


_WHAT_HAPPENED = re.compile(
    r"\bwhat (?:happened|happens|is happening|will happen)\b"
    r"|(?:^|\s)(?:ماذا|ما الذي)\s+(?:حدث|يحدث|جرى|يجري)",
    re.IGNORECASE,
)
"""A question asking for an event ("What happened …?", «ماذا حدث …؟»)."""


def _a_date_alone(text: str) -> bool:
    """True when ``text`` is a date or a weekday and nothing else (either script)."""
    dates = date_candidates(text)
    rest = text
    for c in reversed(dates):
        rest = rest[: c.start] + " " + rest[c.end :]
    return bool(dates) and not re.search(r"\w", rest)


# Words that make a date a time of day or a point in time: «مساء الأحد», «صباح يوم الجمعة».
_TIME_OF_DAY_TEXT = "مساء صباح ظهر ظهيرة عصر ليلة ليل فجر يوم في منذ أمس"
_TIME_OF_DAY = frozenset(normalize(w) for w in _TIME_OF_DAY_TEXT.split())


def _only_a_date(text: str) -> bool:
    """True when an Arabic span is nothing but a date and time-of-day words («مساء الأحد»); a Latin
    name is found by its capitals ("June Carter"), and «معرض لندن في عام 1862» names a place."""
    if not ARABIC.search(text):
        return False
    dates = date_candidates(text)
    if not dates:
        return False
    rest = text
    for c in reversed(dates):
        rest = rest[: c.start] + " " + rest[c.end :]
    return all(w in _TIME_OF_DAY for w in normalize(rest).split())


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
    words = sentence_words(sentence)
    if not words:
        return None
    anchors = [i for i, (_, _, k) in enumerate(words) if k & qk]

    def word_range(c: Candidate) -> tuple[int, int]:
        idx = [i for i, (a, b, _) in enumerate(words) if a < c.end and c.start < b]
        return (idx[0], idx[-1] + 1) if idx else (0, 0)

    typed: list[Candidate] = []
    if kind in TYPED_KINDS or kind in ENTITY_KINDS:
        typed = [c for c in _candidates(sentence, kind) if not in_question(c.text, qk)]
        if kind in ENTITY_KINDS:
            typed = [c for c in typed if not _names_the_question(c.text, qk)]
        if kind in TYPED_KINDS:
            typed = [c for c in typed if not _repeats_numbers(c.text, question)]
        if kind == "quantity":
            # "22 crew members" is no short answer to "How many passengers…": no span rather than
            # another kind of people's count (the quotes still show what the article says)
            typed = [c for c in typed if not counts_other_people(sentence, c, question)]
        if kind == "date" and (line := dateline_end(sentence)):
            # the dateline dates the report; another date of the sentence is the asked one, unless
            # that is only a weekday («أطلقت … اليوم السبت»: the event is the dateline's day)
            after = [c for c in typed if c.start >= line]
            if after and not all(is_bare_weekday(c.text) for c in after):
                typed = after
            else:
                typed = [c for c in typed if c.start < line] or typed
        if kind == "person":
            # "Kenyan runner Peter Kiprop won…": the nationality describes the name after it
            typed = [c for c in typed if not describes_next_name(sentence, c, typed)]
            typed = [p for c in typed if (p := _without_acronyms(c)) is not None]
            typed = [_without_possessor(c) for c in typed]
        if kind in SAME_SCRIPT_KINDS and _wants_arabic(question) and ARABIC.search(sentence):
            # an Arabic sentence's Latin gloss is no answer; an English sentence's names are
            typed = [c for c in typed if ARABIC.search(c.text)]
    if kind == "reason":
        plain, at = without_marks(sentence)
        m = _REASON.search(plain)
        if m:
            tail = [w for w in words if w[0] >= at[m.end() - 1] + 1][: MAX_SPAN_WORDS * 2]
            if tail:
                a, b = tail[0][0], tail[-1][1]
                return Span(a, b, sentence[a:b], kind)
    shaped = shaped_span(question, sentence, words, anchors, kind)
    if shaped is not None:
        return shaped
    if typed:
        measures = asked_measure(question) if kind == "quantity" else frozenset()
        population = asks_population(question)
        best = min(
            typed,
            key=lambda c: (
                # a number counted in the question's own noun («كم شخصا» → «14 شخصا», "how many
                # people" → "14 people"), in either language ("how many homes" → «220 ألف منزل»),
                # is the asked figure, whatever stands nearer
                not (kind == "quantity" and _counts_asked(c.text, question, qk)),
                (candidate_measure(c.text) not in measures or wrong_measure(sentence, c, question))
                if measures
                else False,
                -_context_keys(sentence, words, *word_range(c), qk),
                # a place's population, not a count of those who fled it
                not (kind == "quantity" and population and population_figure(sentence, c)),
                word_distance(*word_range(c), anchors),
                c.start,
            ),
        )
        if kind == "quantity" and DROP_ASKED_UNIT:
            return _without_asked_unit(sentence, best, qk)
        if kind == "date" and _YEAR_ONLY_QUESTION.search(normalize(question)):
            return _year_of(best)
        if kind == "date":
            return _joined_date(sentence, best, _candidates(sentence, "date"))
        return Span(best.start, best.end, best.text, kind)
    if kind in TYPED_KINDS:
        return None  # the sentence has no number/date: no span rather than a wrong one
    return _window(sentence, words, qk, anchors, kind, arabic_question=_wants_arabic(question))


def _counts_asked(candidate: str, question: str, question_keys: set[str]) -> bool:
    """True when a number is counted in the question's own noun, in its language or the other."""
    return bool(content_keys(candidate) & question_keys) or counted_across(candidate, question)


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


def _stop(keys: set[str]) -> bool:
    return not keys


def window_candidates(sentence: str, words: list[Word], qk: set[str]) -> list[tuple[int, int]]:
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
            if j - 1 > i and CLAUSE_BREAK.search(sentence, words[j - 2][1], w[0]):
                break
            if not _stop(w[2]):
                out.append((i, j))
    return out


def span_features(
    sentence: str, words: list[Word], i: int, j: int, anchors: list[int], kind: str
) -> dict[str, float]:
    """Features of the word range ``[i, j)`` as a short answer (names in :data:`FEATURES`)."""
    text = sentence[words[i][0] : words[j - 1][1]]
    first = text.split()[0]
    dist, after = word_distance(i, j, anchors)
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
        "ends_clause": 1.0 if CLAUSE_BREAK.search(after_gap) or j == len(words) else 0.0,
        "starts_clause": 1.0 if CLAUSE_BREAK.search(before_gap) or i == 0 else 0.0,
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


KEEP_UNIT_MEASURES = frozenset(["power", "energy"])
"""Measures whose unit stays with the number even when the question names it ("How many
megawatts…" → "420 megawatts": a power or energy figure is read with its prefix, kilo/mega/giga).
The other measures still drop a unit the question names: DEV golds write the bare number
("How many seconds…" → "17", "How many square kilometres…" → "5,500,000"). Keeping every measure's
unit, full DEV, same passages (docs/results.md, session 7 nc8): span F1 XQuAD-ar 0.3410 → 0.3406,
ARCD 0.3421 → 0.3429, XQuAD-en 0.4801 → 0.4780 (14 answers changed, all by the unit)."""


TWO_WORD_UNIT = re.compile(r"(?:cubic|square|sq) \S+|\S+ (?:مكعب|مربع)\S*")


def _without_asked_unit(sentence: str, c: Candidate, question_keys: set[str]) -> Span:
    """The number alone when its unit word repeats the question's noun ("how many touchdowns" →
    "three", not "three touchdowns"); a unit the question does not name stays ("12 hectares"), and
    so does a power or energy unit it names (:data:`KEEP_UNIT_MEASURES`: "How many
    megawatts…" → "420 megawatts", «كم ميغاواط…» → «420 ميغاواط»; newcomer check nc8)."""
    if candidate_measure(c.text) in KEEP_UNIT_MEASURES:
        return Span(c.start, c.end, c.text, "quantity")
    words = c.text.split()
    two = " ".join(words[-2:])
    # "7,000,000 square kilometres" for "How many square kilometers…": the whole unit goes when
    # the question names both its words («بكم ميلاً…» keeps «٨٫٦٤٦ ميلاً مربّعاً»)
    if (
        len(words) >= 3
        and TWO_WORD_UNIT.fullmatch(normalize(two).lower())
        and all(content_keys(w) and content_keys(w) <= question_keys for w in words[-2:])
    ):
        end = c.start + len(c.text) - len(" ".join(words[-2:]))
        while end > c.start and not sentence[end - 1].isalnum():
            end -= 1
        return Span(c.start, end, sentence[c.start : end], "quantity")
    if len(words) >= 2 and content_keys(words[-1]) and content_keys(words[-1]) <= question_keys:
        end = c.start + len(c.text) - len(words[-1])
        while end > c.start and not sentence[end - 1].isalnum():
            end -= 1
        return Span(c.start, end, sentence[c.start : end], "quantity")
    return Span(c.start, c.end, c.text, "quantity")


def _window(
    sentence: str,
    words: list[Word],
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
        depth = bracket_depths(sentence, words)
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
        a, b = min(ranges, key=lambda r: (word_distance(r[0], r[1], anchors), -(r[1] - r[0]), r[0]))
    start, end = words[a][0], words[b - 1][1]
    return Span(start, end, sentence[start:end], kind)


_YEAR_ONLY_QUESTION = re.compile(
    r"\b(?:what|which|in what|in which) year\b|(?:^|\s)(?:في |فى )?اي (?:عام|سنه)\b"
    r"|(?:^|\s)(?:ما|ماهو|ماهي|ما هو|ما هي) (?:هو |هي )?(?:ال)?(?:عام|سنه)\b"
)
"""A question that asks for the year alone ("What year…", «في أي عام/سنة…», «ما العام الذي…»), on
:func:`rag.text.sentences.normalize`'d text; decades and centuries are not years."""
_YEAR_IN_DATE = re.compile(
    r"(?<![0-9\u0660-\u0669])(?:1[0-9]|20)[0-9]{2}(?![0-9])(?:م|هـ)?|[\u0661\u0662][\u0660-\u0669]{3}(?:م|هـ)?"
)


_ACRONYM = re.compile(r"[A-Z]{2,5}s?")
_TITLE_TEXT = """chief executive president vice mayor minister prime director governor secretary chairman
chairwoman chair senator general colonel lieutenant major captain coach judge dr mr mrs ms prof
professor sir king queen prince princess sheikh emir spokesman spokeswoman"""
_TITLE_WORDS = frozenset(_TITLE_TEXT.split())


def _title_word(word: str) -> bool:
    return bool(_ACRONYM.fullmatch(word)) or word.rstrip(".").lower() in _TITLE_WORDS


def _without_acronyms(c: Candidate) -> Candidate | None:
    """A person candidate without its leading job titles ("CTO Gary Wang", "Chief executive
    Hussein Safadi", "Mayor Samih Tubaila" → the name); None when it is only titles ("CEO",
    "Chief"): a title names the role the question asks about, not the person."""
    words = c.text.split()
    drop = 0
    while drop < len(words) and _title_word(words[drop]):
        drop += 1
    if drop == len(words):
        return None
    if drop == 0:
        return c
    start = c.start + c.text.index(words[drop], len(" ".join(words[:drop])))
    return dataclasses.replace(c, start=start, text=c.text[start - c.start :])


_POSSESSOR = re.compile(r"^[A-Z][\w.-]*['’]s\s+(?=[A-Z]\w*\s+[A-Z])")


def _without_possessor(c: Candidate) -> Candidate:
    """A person candidate without a possessor before a full name: "Portugal's Ana Ferreira",
    "Nordvik's Maria Lindqvist" → the name (the country or firm says whose, not who; newcomer
    check, session 6). A possessive before one word stays ("Kenya's Kiprop" is all the name)."""
    m = _POSSESSOR.match(c.text)
    if m is None:
        return c
    return dataclasses.replace(c, start=c.start + m.end(), text=c.text[m.end() :])


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


_DATE_GLUE = re.compile(r"^\s*(?:[,،]\s*)?(?:من|في|فى|of|in)?\s*$")
"""What may stand between two parts of one date: nothing, a comma, «من»/«في», "of"/"in"."""


def _joined_date(sentence: str, best: Candidate, dates: list[Candidate]) -> Span:
    """``best`` joined with the date candidates written onto it as one date: «الأول من سبتمبر» +
    «من» + «عام 1939» → «الأول من سبتمبر من عام 1939», «27 يوليو» + «1299م» (the date finder
    returns such parts separately). A part the question names joins too («15 يوليو من عام 2018»
    for «متى أقيم كأس العالم 2018؟»: the gold is the whole date). Same passages, span F1 ARCD
    0.3221 → 0.3236 (0.3231 joining only parts the question lacks), the others unchanged."""
    start, end = best.start, best.end
    grown = True
    while grown:
        grown = False
        for c in dates:
            if c.start >= end and _DATE_GLUE.match(sentence[end : c.start]):
                end, grown = c.end, True
            elif c.end <= start and _DATE_GLUE.match(sentence[c.end : start]):
                start, grown = c.start, True
    return Span(start, end, sentence[start:end], "date")


def _candidates(sentence: str, kind: str) -> list[Candidate]:
    """:func:`rag.answer.answer_types.candidates` read through the Arabic marks: the candidates of
    the sentence without tashkeel, mapped back onto the sentence as written («١٢ مَارِسَ ٢٠٢٠»,
    «سَبْعُ عِيَادَاتٍ» were not found: their patterns do not expect marks inside words). Same
    passages, span F1 ARCD 0.3316 → 0.3329, the others unchanged."""
    plain, keep = without_marks(sentence)
    if len(keep) == len(sentence):
        return candidates(sentence, kind)
    out: list[Candidate] = []
    for c in candidates(plain, kind):
        if c.end <= c.start:
            continue
        a, b = keep[c.start], keep[c.end - 1] + 1
        while b < len(sentence) and ARABIC_MARK.match(sentence[b]):
            b += 1  # the marks written on its last letter
        out.append(Candidate(a, b, sentence[a:b], c.kind))
    return out
