"""Abstention policy shared by the LLM and the extractive answerer.

Rule (:func:`should_abstain`): abstain when retrieval returned nothing, or when the best dense
cosine similarity (``Retrieved.dense_score``) is below the threshold **and** there is no strong
lexical evidence. Lexical evidence is strong when one passage contains at least 75% of the
query's content words and at least two of them (Arabic-aware keys, :func:`rag.sentences.content_keys`);
it rescues exact-name questions whose embedding similarity is low. When no passage carries a
dense score (a lexical-only retriever), the lexical rule alone decides.

The threshold is ``settings.retrieval.abstain_threshold`` (default 0.80, on the compressed
cosine scale of multilingual-e5-small where unrelated texts still score about 0.7); it is to be
calibrated on the DEV sets (docs/abstention.md).

The model's own signal: :func:`model_says_unknown` recognises the abstention phrasing in the
answer; the chain turns such an answer without valid citations into an abstention.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rag.sentences import content_keys, normalize
from rag.types import Retrieved

LEXICAL_COVERAGE = 0.75
LEXICAL_MIN_TERMS = 2

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
        hit = len(q & content_keys(r.chunk.text + " " + r.chunk.title))
        best = max(best, (hit / len(q), hit))
    return best


def should_abstain(retrieved: Sequence[Retrieved], threshold: float, query: str | None = None) -> bool:
    """Decide whether the evidence is too weak to answer (see the module docstring).

    Args:
        retrieved: What retrieval returned, best first.
        threshold: Minimum best cosine similarity, in [-1, 1].
        query: The (condensed) question, enabling the lexical rescue; None disables it.

    Returns:
        True to abstain (no LLM call, no citations).
    """
    if not retrieved:
        return True
    dense = best_dense_score(retrieved)
    if dense is not None and dense >= threshold:
        return False
    if query is not None:
        coverage, hits = lexical_support(query, retrieved)
        if coverage >= LEXICAL_COVERAGE and hits >= LEXICAL_MIN_TERMS:
            return False
    # No dense score and no query: nothing to judge with, so answer rather than refuse.
    return not (dense is None and query is None)


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
