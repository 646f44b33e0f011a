"""Who-questions asked by what the agent did: "Who funded the library?", «من موّل المكتبة؟».

One job: :func:`asked_relation` reads the relation a who- or which-question asks about (funding,
sponsoring, organising) in English or Arabic, and :func:`agent_in` finds, in a sentence of either
language, the agent news writes after that relation's marker: «بتمويل من الاتحاد الأوروبي»,
«برعاية وزارة الثقافة», "funded by the European Union", "with a grant from the World Bank",
"organised by the Red Crescent". The agent is rarely a person's name (Arabic has no capitals to
find it by, and an English question over an Arabic article shares no word with it), so before this
the short answer was a window of the lede («عامة جديدة تضم خمسة وثلاثين», kind person) or none,
and the funding sentence was not quoted (newcomer check nc8, D8).

The tables are ours: the verbs and nouns of each relation as questions write them (folded by
:func:`rag.text.sentences.normalize`), and the phrases articles put right before the agent. A
phrase without the agent after it («بتمويل أوروبي», "publicly funded") gives nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.answer.answer_types import name_candidates
from rag.answer.span_words import Span, phrase_after, sentence_words, without_marks
from rag.text.sentences import normalize


@dataclass(frozen=True)
class Relation:
    """What an agent did, as questions ask it and as sentences introduce the agent.

    Attributes:
        name: A label ("fund").
        asked: Matches the question (after :func:`normalize`) when it asks for this relation's agent.
        marker: Matches, in a sentence without Arabic marks, the words right before the agent.
    """

    name: str
    asked: re.Pattern[str]
    marker: re.Pattern[str]


_BY = r"\s+(?:(?:jointly|entirely|partly|partially|largely|fully|mainly|mostly)\s+)?by\s+"

RELATIONS: tuple[Relation, ...] = (
    Relation(
        "fund",
        re.compile(
            r"\b(?:fund|funds|funded|funding|funder|funders|finance|finances|financed|financing|financier"
            r"|bankroll\w*|paid for|pays for|pay for)\b"
            r"|(?:^|\s)(?:مول|يمول|تمول|مولت|سيمول|ستمول|الممول|المموله|ممول|مموله|تمويل|بتمويل|التمويل)(?:\s|$|[؟?])"
        ),
        re.compile(
            r"\b(?:funded|financed|bankrolled|paid for|underwritten)"
            + _BY
            + r"|\b(?:funding|financing|a grant|grants|a loan|loans|money)\s+from\s+"
            r"|(?:^|\s)[وف]?(?:ب|ب?ال)?تمويل(?:\s+(?:مشترك|كامل|جزئي))?\s+(?:من\s+(?:قبل\s+)?|قدمه\s+|قدمته\s+)"
            r"|(?:^|\s)[وف]?(?:ممول|ممولة|ممولا|ممولاً)\s+من\s+(?:قبل\s+)?"
            r"|(?:^|\s)[وف]?ب?(?:منحة|منحه|قرض|دعم مالي)\s+(?:مقدمة\s+|مقدم\s+)?من\s+(?:قبل\s+)?"
            r"|(?:^|\s)[وف]?(?:موّ?ل|يموّ?ل|تموّ?ل)(?:ه|ها|ته|تها)\s+"
        ),
    ),
    Relation(
        "sponsor",
        re.compile(
            r"\b(?:sponsor|sponsors|sponsored|sponsoring|patron)\b|(?:^|\s)(?:رعي|يرعي|ترعي|رعايه|الراعي)(?:\s|$|[؟?])"
        ),
        re.compile(
            r"\bsponsored" + _BY + r"|\bunder the patronage of\s+"
            r"|(?:^|\s)[وف]?(?:برعاية|تحت رعاية)\s+(?:من\s+)?"
        ),
    ),
    Relation(
        "organise",
        re.compile(
            r"\b(?:organi[sz]e|organi[sz]es|organi[sz]ed|organi[sz]ing|organi[sz]er|organi[sz]ers)\b"
            r"|(?:^|\s)(?:نظم|ينظم|تنظم|نظمت|المنظم|المنظمه|منظم)(?:\s|$|[؟?])"
        ),
        re.compile(
            r"\borgani[sz]ed" + _BY + r"|(?:^|\s)[وف]?بتنظيم\s+(?:من\s+)?"
            r"|(?:^|\s)[وف]?(?:نظمه|نظمها|نظمته|نظمتها|تنظمه|تنظمها|ينظمه|ينظمها)\s+"
        ),
    ),
)

_WHO = re.compile(r"^\W*(?:who|which|what)\b|(?:^|\s)(?:من|اي|ما)\s", re.IGNORECASE)
AGENT_WORDS = 4
"""Longest agent taken: «الاتحاد الأوروبي», "the European Bank for Reconstruction" is four."""
_LEADING = frozenset(["the", "a", "an"])


def asked_relation(question: str) -> Relation | None:
    """The relation whose agent a who/which-question asks for ("Who funded…?", «من موّل…؟», "Which
    company sponsored…?", «من الجهة المنظمة…؟»), else None."""
    if not _WHO.search(question):
        return None
    text = normalize(question)
    return next((r for r in RELATIONS if r.asked.search(text)), None)


def agent_in(sentence: str, relation: Relation, question_keys: set[str]) -> Span | None:
    """The agent written after ``relation``'s marker in ``sentence`` (kind "organisation"), else
    None. A capitalised name right after the marker is the agent; otherwise (Arabic) at most
    :data:`AGENT_WORDS` content words up to clause punctuation, ended by a word of the question
    (it names the funded thing). A leading "the" is left out."""
    plain, at = without_marks(sentence)
    words = sentence_words(sentence)
    for m in relation.marker.finditer(plain):
        end = at[m.end() - 1] + 1 if m.end() > 0 else 0
        first = next((i for i, w in enumerate(words) if w[0] >= end), None)
        if first is None:
            continue
        if sentence[words[first][0] : words[first][1]].lower() in _LEADING and first + 1 < len(words):
            first += 1
        start = words[first][0]
        # a capitalised name is taken whole, the question's words too ("a loan from the World Bank"
        # for "Which bank…?")
        named = next((c for c in name_candidates(sentence, "organisation") if c.start == start), None)
        if named is not None:
            return Span(named.start, named.end, named.text, "organisation")
        run = phrase_after(sentence, words, first, AGENT_WORDS, question_keys)
        if run:
            a, b = words[run[0]][0], words[run[-1]][1]
            return Span(a, b, sentence[a:b], "organisation")
    return None
