"""Question shapes that say where the short answer is, before any scoring.

Each rule reads the question's form and finds the answer by the sentence's grammar rather than by
distance: «على ماذا…» → the phrase after «على»; "What was the final score?" → "20–18"; "What is
the busiest airport?" → "Van Nuys Airport, the busiest airport"; «ما هو X؟» → the description
after X's copula or apposition; «من هو الشاعر الذي…» → the name after «الشاعر»; "What type of X"
→ X's modifiers; «أي مدينة…» → «مدينة دمشق»; "What is X called?" → the words after "called";
"Who funded…?", «من موّل…؟» → the agent after «بتمويل من» / "funded by" (:mod:`rag.answer.agents`).
:func:`shaped_span` runs them in that order; :mod:`rag.answer.span` falls back to typed
candidates and the window scorer when none applies. Every rule's figures (same passages, span
F1) are in its docstring and in docs/results.md (2026-11-30 sessions 4–5).
"""

from __future__ import annotations

import re

from rag.answer.agents import agent_in, asked_relation
from rag.answer.answer_types import ENTITY_KINDS
from rag.answer.roles import asked_role, name_after_role, titled_name
from rag.answer.span_words import (
    ARABIC,
    ARABIC_MARK,
    CLAUSE_BREAK,
    DEFINITE,
    Span,
    Word,
    bracket_depths,
    phrase_after,
    without_marks,
    word_distance,
    word_span,
)
from rag.text.sentences import content_keys, normalize

GOVERNED_MAX_WORDS = 8
"""Longest phrase after a governing preposition, in words (twice the generic span)."""


# --- «على ماذا شكر…؟» / "What … for?" → the phrase after the governing preposition ---------------

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


def governed_phrase(sentence: str, words: list[Word], anchors: list[int], preposition: str) -> Span | None:
    """The words after ``preposition`` where it follows a question word closely, up to the clause
    end or the next question word (at most :data:`GOVERNED_MAX_WORDS` words, no trailing stopword),
    or None."""
    if not anchors:
        return None
    anchor_set = set(anchors)
    for i, (a, b, _) in enumerate(words):
        if normalize(sentence[a:b]).lower() != normalize(preposition):
            continue
        if not any(0 < i - j <= GOVERNED_NEAR_WORDS for j in anchors):
            continue
        tail: list[Word] = []
        for j, (a2, b2, keys) in enumerate(words[i + 1 : i + 1 + GOVERNED_MAX_WORDS], start=i + 1):
            if tail and CLAUSE_BREAK.search(sentence[tail[-1][1] : a2]):
                break
            if j in anchor_set:  # the question's own words again: the answer has ended
                break
            tail.append((a2, b2, keys))
        while tail and not tail[-1][2]:  # no trailing stopword or preposition ("… كاملة في")
            tail.pop()
        if tail:
            return Span(tail[0][0], tail[-1][1], sentence[tail[0][0] : tail[-1][1]], "other")
    return None


# --- "What was the final score?" → "20–18" ----------------------------------------------------------

_ASKS_SCORE = re.compile(
    r"\bscore\b(?! (?:a|an|the|\d)\b)|(?:^|\s)(?:ال)?نتيجه(?:\s+ال\w+)?\s+(?:ل|في|فى|بين)"
    # «ما نتيجة مباراة الفيصلي والوحدات؟», «كم كانت نتيجة المباراة؟» (newcomer check, session 6)
    r"|^\W*(?:ما|ماهي|ما هي|كم|وما)\s+(?:هي\s+|كانت\s+)?(?:ال)?نتيجه\s+(?:ال)?(?:مباراه|لقاء|مواجهه|نهائي)"
)


_SCORE_DIGITS = r"(?<![\d٠-٩])[\d٠-٩]{1,3}\s*[–—-]\s*[\d٠-٩]{1,3}(?![\d٠-٩])"
_AR_GOALS = r"(?:هدف|هدفا|هدفين|هدفان|اهداف|أهداف|نقطه|نقطة|نقطتين|نقاط|اشواط|أشواط|شوط|شوطين)"
_AR_COUNT = (
    r"(?:[\d٠-٩]{1,3}|ثلاثه|ثلاثة|اربعه|أربعة|خمسه|خمسة|سته|ستة|سبعه|سبعة|ثمانيه|ثمانية|تسعه|تسعة|عشره|عشرة)"
)
_SCORE_WORDS = (
    # «بهدفين مقابل هدف», «بثلاثة أهداف مقابل لا شيء», «بـ٣ أهداف مقابل هدفين», «بهدف نظيف»
    rf"(?<!\w)ب?ـ?(?:{_AR_COUNT}\s+)?{_AR_GOALS}\s+(?:مقابل\s+(?:لا\s+شيء|(?:{_AR_COUNT}\s+)?{_AR_GOALS}"
    rf"|{_AR_COUNT})|نظيف\w*)(?!\w)"
    # "by two goals to one", "3 goals to 1"
    r"|\b(?:\w+ )?goals? to (?:nil|nothing|zero|one|two|three|four|five|\d)\b"
)
_SCORE = re.compile(rf"{_SCORE_DIGITS}|{_SCORE_WORDS}", re.IGNORECASE)


def asks_score(question: str) -> bool:
    """True for a question about a match's score ("What was the final score…", «ما نتيجة
    مباراة…»)."""
    return bool(_ASKS_SCORE.search(normalize(question).lower()))


def has_score(sentence: str) -> bool:
    """True when ``sentence`` writes a score ("20–18", «بهدفين مقابل هدف»), read without marks."""
    return bool(_SCORE.search(without_marks(sentence)[0]))


def score_span(question: str, sentence: str, words: list[Word], anchors: list[int]) -> Span | None:
    """For a question about a match's score ("What was the final score of…", «ما هي النتيجة
    النهائية للمباراة…»), the sentence's "20–18" nearest the question's words. None when the
    question asks no score or the sentence writes none. Only for "other" questions: "How many
    points did X score…" asks a number. Same passages, span F1 XQuAD-ar 0.3352 → 0.3386, XQuAD-en
    0.4393 → 0.4425, en→ar 0.1342 → 0.1359, ARCD unchanged (a news bot is asked scores; DEV has
    few such questions, all in the Super Bowl article)."""
    if not asks_score(question):
        return None
    plain, keep = without_marks(sentence)
    # offsets in the sentence as written: a vocalised «بِهَدَفَيْنِ مُقَابِلَ هَدَفٍ» keeps its marks
    found = [(keep[m.start()], keep[m.end() - 1] + 1) for m in _SCORE.finditer(plain) if m.end() > m.start()]
    if not found:
        return None

    def index(m: tuple[int, int]) -> tuple[int, int]:
        idx = [i for i, (a, b, _) in enumerate(words) if a < m[1] and m[0] < b]
        return (idx[0], idx[-1] + 1) if idx else (0, 0)

    a, b = min(found, key=lambda m: word_distance(*index(m), anchors) if anchors else (0, 0))
    while b < len(sentence) and ARABIC_MARK.match(sentence[b]):
        b += 1  # the marks of its last letter
    return Span(a, b, sentence[a:b], "quantity")


# --- definitions: «ما هو X؟» / «من هو X؟» / "What is X?" -------------------------------------------

DEFINITION_KINDS = frozenset(["other", "person", "organisation", "place"])
"""Answer types a definition question gets: a «من هو X؟» is typed "person", «ما هو نادي X؟»
"organisation". Same passages, ARCD span F1 with other+person / +organisation / +place: 0.3212 /
0.3221 / 0.3221, the other sets unchanged."""


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


def definition(sentence: str, words: list[Word], subject: frozenset[str]) -> Span | None:
    """The description that follows the defined subject: the words after its copula («السرطان
    (بالإنجليزية: Cancer) هو مجموعة من الأمراض…», "X is …") or after the comma of an apposition
    («توماس ألفا أديسون (…)، مخترع ورجل أعمال أمريكي»), to the clause end (at most
    :data:`DEF_MAX_WORDS` words); a leading relative («الذي كان أباً…») is left out. Bracketed
    words (glosses, dates) are skipped. None when the subject is not followed, within
    :data:`DEF_GAP_WORDS` words, by a copula or an apposition."""
    depth = bracket_depths(sentence, words)
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
            if depth[j] or (tail and CLAUSE_BREAK.search(sentence[words[j - 1][1] : words[j][0]])):
                break
            tail.append(j)
        while tail and not words[tail[-1]][2]:  # no trailing stopword
            tail.pop()
        if not tail:
            return None
        return word_span(sentence, words, tail[0], tail[-1])
    return None


# --- «من [هو] الشاعر الذي…؟» → «… الشاعر تيودور فونتان …» -------------------------------------------

_AR_TITLE_QUESTION = re.compile(r"^[\s\-–—:.]*و?من\s+(?:(?:هو|هي|هى|هم|كان|كانت)\s+)?(ال\w+)")


NAME_AFTER_TITLE_WORDS = 3
"""Longest name taken after the title noun. Same passages, XQuAD-ar span F1 for 0 (off) / 2 / 3 / 4
words: 0.3073 / 0.3113 / 0.3110 / 0.3110 (ARCD 0.3099 for all; docs/results.md, 2026-11-30
session 5): 3 kept for three-word names («عبد الرحمن بن …»)."""


def named_after_title(question: str, sentence: str, words: list[Word], qk: set[str]) -> Span | None:
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
        if not keys & title or not normalize(sentence[a:b]).startswith(DEFINITE):
            continue
        start = i + 1
        while (
            start < len(words)
            and start <= i + 2
            and normalize(sentence[words[start][0] : words[start][1]]).startswith(DEFINITE)
            and not CLAUSE_BREAK.search(sentence, words[start - 1][1], words[start][0])
        ):
            start += 1  # the title's adjectives: «الشاعر الألماني …»
        name: list[int] = []
        for j in range(start, min(len(words), start + NAME_AFTER_TITLE_WORDS)):
            word = normalize(sentence[words[j][0] : words[j][1]])
            if name and CLAUSE_BREAK.search(sentence, words[j - 1][1], words[j][0]):
                break
            if words[j][2] & qk or not words[j][2] or (not name and word.startswith("ال")):
                break
            if name and word.startswith("و") and len(word) > 4:  # «… الخطيب ووزير النقل»
                break
            name.append(j)
        if name:
            return word_span(sentence, words, name[0], name[-1])
    return None


# --- "What type of city…?" → "… a multi-cultural city" / «ما نوع المدينة…؟» → «مدينة متعددة الثقافات» --

_EN_KIND_OF = re.compile(
    r"\b(?:what|which) (?:type|kind|sort|form)s? of (?:an? |the )?([a-z][\w-]*)", re.IGNORECASE
)


_AR_KIND_OF = re.compile(r"(?:ما|اي|أي|لأي|لاي)\s+(?:نوع|أنواع|انواع)\s+(?:من\s+)?(?:أنواع\s+)?(\w+)")


KIND_OF_WORDS = 2
"""Modifier words taken. Same passages, span F1 XQuAD-en for 1 / 2 / 3 words: 0.4576 / 0.4591 /
0.4591 (XQuAD-ar 0.3384 / 0.3395 / 0.3395; keeping the noun too: 0.4569, 0.3389)."""


def kind_of(question: str, sentence: str, words: list[Word], qk: set[str]) -> Span | None:
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
        if not keys & noun or (arabic and normalize(sentence[a:b]).startswith(DEFINITE)):
            continue  # Arabic: the indefinite «جسر معلق» describes, the definite «الجسر» is the topic
        mods: list[int] = []
        step = -1 if english else 1
        j = i + step
        while 0 <= j < len(words) and len(mods) < KIND_OF_WORDS:
            left, right = (j, j + 1) if english else (j - 1, j)
            if (
                not words[j][2]
                or words[j][2] & qk
                or CLAUSE_BREAK.search(sentence, words[left][1], words[right][0])
            ):
                break
            mods.append(j)
            j += step
        if mods:
            return word_span(sentence, words, min(mods), max(mods))
    return None


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


def which_noun_phrase(question: str, sentence: str, words: list[Word], qk: set[str]) -> Span | None:
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
        name = phrase_after(sentence, words, i + 1, WHICH_NAME_WORDS, qk)
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


def name_given(question: str, sentence: str, words: list[Word], qk: set[str]) -> Span | None:
    """For an English question that asks for a name ("What is the name of…", "… called what?",
    "known as"), the words after the sentence's "called"/"known as"/"named" — or, over Arabic
    articles, «يسمى»/«المعروف باسم»/«يدعى» — up to :data:`NAME_GIVEN_WORDS` words, the clause end
    or a question word ("In Tibetan Buddhism the teachers … are most commonly called a Lama" →
    "Lama"). Arabic questions are left to the other rules: «بماذا عرفت…» and «ماذا أطلق على…» ask
    for more than a name (ARCD 0.3212 → 0.3208 with them). Same passages, span F1 XQuAD-en 0.4326
    → 0.4393, en→ar 0.1298 → 0.1342, the Arabic sets unchanged."""
    if not _EN_ASKS_NAME.search(question) or ARABIC.search(question):
        return None
    for m in _NAME_GIVEN.finditer(sentence):
        start = next((j for j, w in enumerate(words) if w[0] >= m.end()), len(words))
        while start < len(words) and sentence[words[start][0] : words[start][1]].lower() in _NAME_LEAD:
            start += 1
        name = phrase_after(sentence, words, start, NAME_GIVEN_WORDS, qk, through_stopwords=True)
        if name:
            return word_span(sentence, words, name[0], name[-1])
    return None


# --- "What is the world's busiest general aviation airport?" → "Van Nuys Airport, the world's …" --

_EN_DESCRIBED = re.compile(
    r"^\s*(?:what|who|which)\s+(?:is|was|are|were)\s+(?:the|a|an)\s+(.+?)[\s?.!]*$", re.I
)
APPOSITION_NAME_WORDS = 5
"""Longest capitalised name taken before ", the <description>"."""


def named_before_apposition(question: str, sentence: str, words: list[Word]) -> Span | None:
    """For "What/Who is the <description>?", the capitalised name that the sentence describes so in
    an apposition: "Van Nuys Airport, the world's busiest general aviation airport" → "Van Nuys
    Airport", "Henry Cole, the V&A's first director" → "Henry Cole" (English puts the name first).
    The apposition (", the …" or "(the …") must hold at least half of the description's content
    words within eight words; the name is at most :data:`APPOSITION_NAME_WORDS` capitalised words
    right before it, not all of them the question's. Same passages, span F1 XQuAD-en 0.4615 →
    0.4691 (five questions, no loss), the others unchanged."""
    m = _EN_DESCRIBED.match(question)
    if m is None:
        return None
    described = content_keys(m.group(1))
    asked = content_keys(question)
    for i in range(1, len(words)):
        gap = sentence[words[i - 1][1] : words[i][0]]
        if ("," not in gap and "(" not in gap) or sentence[words[i][0] : words[i][1]].lower() not in (
            "the",
            "a",
            "an",
        ):
            continue
        near = set().union(*(w[2] for w in words[i : i + 8]))
        if len(described & near) < max(1, (len(described) + 1) // 2):
            continue
        name: list[int] = []
        j = i - 1
        while (
            j >= 0 and sentence[words[j][0] : words[j][1]][:1].isupper() and len(name) < APPOSITION_NAME_WORDS
        ):
            name.insert(0, j)
            j -= 1
        if name and not set().union(*(words[k][2] for k in name)) <= asked:
            return word_span(sentence, words, name[0], name[-1])
    return None


# --- "Which organisation said …?" → «أعلنت الأمم المتحدة أن …» ------------------------------------------

_SAYS_EN = re.compile(
    r"\b(?:said|says|say|announced|reported|stated|told|warned|confirmed|according)\b", re.I
)
_SAYS_AR = (
    r"قال|قالت|يقول|تقول|اعلن|اعلنت|يعلن|تعلن|ذكر|ذكرت|اكد|اكدت|افاد|افادت|صرح|صرحت|حذر|حذرت|اوضح|اوضحت"
)
_SAYS_AR_QUESTION = re.compile(rf"(?:^|\s)(?:{_SAYS_AR})(?:\s|$)")
_SAYS_AR_VERB = re.compile(rf"^[وف]?(?:{_SAYS_AR})$")
_THAT_AR = frozenset(["ان", "إن", "أن", "بان", "بأن"])
SPEAKER_WORDS = 4
"""Longest speaker taken after an Arabic speech verb («أعلنت الأمم المتحدة أن»: two words;
«قال الهلال الأحمر المصري إن»: three)."""


def speaker(question: str, sentence: str, qk: set[str]) -> Span | None:
    """For a question about who said something ("Which organisation said only 140 trucks
    entered…?", «أي منظمة أعلنت…»), the subject of the Arabic sentence's speech verb: the words
    between «أعلنت/قال/ذكر…» and «أن/إن» or clause punctuation, at most :data:`SPEAKER_WORDS`,
    none of them the question's («أعلنت الأمم المتحدة أن ١٤٠ شاحنة…» → «الأمم المتحدة»). Arabic
    puts the verb first, so the organisation stands right after it. None for other sentences."""
    if not (_SAYS_EN.search(question) or _SAYS_AR_QUESTION.search(normalize(question))):
        return None
    words = list(re.finditer(r"[\u0621-\u065F\u0670-\u06D3]+", sentence))
    for i, w in enumerate(words):
        if not _SAYS_AR_VERB.match(normalize(w.group())):
            continue
        name: list[re.Match[str]] = []
        for nxt in words[i + 1 : i + 1 + SPEAKER_WORDS + 1]:
            gap = sentence[(name[-1] if name else w).end() : nxt.start()]
            if CLAUSE_BREAK.search(gap) or normalize(nxt.group()) in _THAT_AR:
                break
            name.append(nxt)
        else:
            continue  # no «أن/إن» or clause end within reach: not a speaker
        keys = content_keys(" ".join(m.group() for m in name))
        if name and keys and not keys <= qk:
            return Span(
                name[0].start(), name[-1].end(), sentence[name[0].start() : name[-1].end()], "organisation"
            )
    return None


# --- "Which company will build…?" over «… وتنفذه شركة «ميريديام» الفرنسية» → «ميريديام» --------------

# English class nouns of organisation questions and the Arabic nouns written before such a name
_CLASS_NOUNS: dict[str, tuple[str, ...]] = {
    "company": ("شركه", "شركات"),
    "firm": ("شركه",),
    "contractor": ("شركه", "مقاول"),
    "organisation": ("منظمه", "هيئه", "مؤسسه", "جمعيه"),
    "organization": ("منظمه", "هيئه", "مؤسسه", "جمعيه"),
    "agency": ("وكاله", "هيئه"),
    "bank": ("بنك", "مصرف"),
    "university": ("جامعه",),
    "club": ("نادي",),
    "team": ("فريق", "نادي"),
    "newspaper": ("صحيفه", "جريده"),
    "airline": ("شركه طيران", "خطوط"),
    # venues, for place questions
    "stadium": ("ستاد", "استاد", "ملعب"),
    "arena": ("صاله", "ملعب"),
    "airport": ("مطار",),
    "hospital": ("مستشفي",),
    "port": ("ميناء",),
    "hotel": ("فندق",),
    "museum": ("متحف",),
    "prison": ("سجن",),
    "camp": ("مخيم",),
}
_VENUES = frozenset(["stadium", "arena", "airport", "hospital", "port", "hotel", "museum", "prison", "camp"])
_EN_CLASS_QUESTION = re.compile(r"\b(?:which|what) (" + "|".join(_CLASS_NOUNS) + r")\b", re.IGNORECASE)
CLASS_NAME_WORDS = 2
"""Words of a name taken after its Arabic class noun («شركة «ميريديام»»: one)."""


def class_named(question: str, sentence: str, words: list[Word], qk: set[str]) -> Span | None:
    """For an English "Which company/organisation/agency/stadium… ?" over an Arabic sentence, the name
    written after the Arabic class noun («وتنفذه شركة «ميريديام» الفرنسية» → «ميريديام»): Arabic
    names an organisation after its class, and the English question shares no word with it. The
    name's first word may follow a quotation mark; the class noun itself is left out."""
    m = _EN_CLASS_QUESTION.search(question)
    if m is None or ARABIC.search(question) or not ARABIC.search(sentence):
        return None
    classes = _CLASS_NOUNS[m.group(1).lower()]
    norm = [normalize(sentence[a:b]) for a, b, _ in words]
    for i, w in enumerate(norm):
        bare = re.sub(r"^[وفبل]?(?:ال)?", "", w) if len(w) > 4 else w
        if bare not in classes and w not in classes:
            continue
        name = phrase_after(sentence, words, i + 1, CLASS_NAME_WORDS, qk)
        venue = m.group(1).lower() in _VENUES
        first_word = normalize(sentence[words[name[0]][0] : words[name[0]][1]]) if name else ""
        if name and (venue or not first_word.startswith(DEFINITE)):
            # a venue's name keeps its class noun («ستاد عمّان الدولي», «ستاد القاهرة الدولي»)
            return word_span(sentence, words, i if venue else name[0], name[-1])
    return None


def shaped_span(
    question: str, sentence: str, words: list[Word], anchors: list[int], kind: str
) -> Span | None:
    """The short answer a question shape points at, as a span of ``kind``, or None when no shape
    rule applies (the caller then scores typed candidates and windows).

    Args:
        question: The question.
        sentence: The sentence to answer from.
        words: :func:`rag.answer.span_words.sentence_words` of the sentence.
        anchors: Indexes of the words that hold a question key.
        kind: The expected answer type (:func:`rag.answer.answer_types.question_type`).
    """
    qk = content_keys(question)
    found: Span | None = None
    if kind in ENTITY_KINDS and (relation := asked_relation(question)) is not None:
        # "Who funded…?", «من موّل…؟» → the agent after «بتمويل من», "funded by" (an organisation)
        agent = agent_in(sentence, relation, qk)
        if agent is not None:
            return agent
    if kind == "person" and (role := asked_role(question)) is not None:
        # «من هو رئيس بلدية نابلس؟» → the name after «رئيس البلدية», in either language
        named = name_after_role(sentence, role, qk)
        found = None if named is None else Span(named.start, named.end, named.text, kind)
    elif (
        kind == "person"
        and not (ARABIC.search(question) and definition_subject(question))  # «من هو X؟» asks who X is
        and (named := titled_name(sentence, qk))
    ):
        # a who-question over an Arabic sentence: the name after a title («اللاعب …»); Arabic
        # questions too: «من سجل أهداف الفيصلي؟» took «محمود المرضي هدف الوحدات» (session 6)
        found = Span(named.start, named.end, named.text, kind)
    elif kind == "organisation" and (said := speaker(question, sentence, qk)):
        found = said
    elif kind in ("organisation", "place") and (classed := class_named(question, sentence, words, qk)):
        found = classed
    if found is None and kind in ("other", "reason") and (preposition := governing_preposition(question)):
        found = governed_phrase(sentence, words, anchors, preposition)
    if found is None and kind == "other":
        found = score_span(question, sentence, words, anchors)
    if found is None and kind in DEFINITION_KINDS:
        found = named_before_apposition(question, sentence, words)
    if found is None and kind in DEFINITION_KINDS and (subject := definition_subject(question)):
        found = definition(sentence, words, subject)
    if found is None and kind == "person":
        found = named_after_title(question, sentence, words, qk)
    if found is None and kind == "other":
        found = kind_of(question, sentence, words, qk)
    if found is None and kind in WHICH_KINDS:
        found = which_noun_phrase(question, sentence, words, qk) or name_given(question, sentence, words, qk)
    return None if found is None else Span(found.start, found.end, found.text, kind)
