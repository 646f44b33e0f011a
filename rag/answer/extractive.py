"""Offline answerer: the short answer first, then the sentences of the retrieved passages that hold it.

Used when no LLM is configured, and as the fallback when the LLM fails. Steps:

1. **Abstain** (question's language, no citations) when the question has no letters, when its
   names or years are in none of the passages, or when it asks for a number or a date and no
   candidate sentence holds one (:mod:`rag.answer.relevance`).
2. **Score** each sentence of the top passages (:func:`score_sentences`)::

       cosine(e5 query embedding of the question, e5 passage embedding of the sentence)
       + LEXICAL_WEIGHT × sentence_match(question, sentence)      (share of the question's keys)
       + TYPE_BONUS  when the sentence holds a candidate of the expected answer type that the
                     question does not already contain (a number for «كم»/"how many", a date for
                     «متى»/"when", a capitalised name for "who"/"where" in Latin script)
       + MEASURE_BONUS when that number's unit is of the measure asked (hectares for «مساحة»)
       − HEADER_PENALTY when the sentence is only a headline, dateline or byline
       − INJECTION_PENALTY when it reads like an instruction to an AI or a source-list entry
       + 0.01 / 0.005 for the first / second passage (retrieval's order breaks ties)

3. **Select** the best sentence and up to ``MAX_QUOTES - 1`` others within ``RELATIVE_FLOOR`` of
   it; a sentence that is a near-duplicate of one already chosen (a syndicated copy, the same
   article twice) is not quoted again: its article goes to that citation's ``also_in``. Yes/no
   and comparison questions quote the best sentence of each of the two best articles instead,
   side by side, and say that the comparison is left to the reader.
4. **Short answer**: :func:`rag.answer.span.extract_span` on the best sentence; the answer text
   leads with it («١٢ هكتاراً [1]»), then the quotes, each ending with its ``[n]``. Citations are
   numbered per article (:func:`rag.answer.sources.merge_sources`: two quotes of one article are
   one number, the second in ``more_quotes``).

Passage text is only ever quoted, never obeyed, and the answer always starts with a notice saying
why it quotes. Cost: one query embedding; sentence vectors come from the embeddings cache when the
caller passes :class:`rag.embedding.cached.CachedEmbeddings` (computed once per sentence).
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from langchain_core.embeddings import Embeddings

from rag.answer.answer_types import (
    ENTITY_KINDS,
    Candidate,
    asked_measure,
    candidate_measure,
    candidates,
    question_type,
)
from rag.answer.citations import defuse_markers
from rag.answer.grounding import abstention_text
from rag.answer.relevance import relevance_verdict
from rag.answer.sources import merge_sources, near_duplicate_texts, source_ref
from rag.answer.span import extract_span
from rag.text.crossscript import match_keys
from rag.text.sentences import content_keys, normalize, overlap, sentence_spans
from rag.types import Answer, Citation, Retrieved, ShortAnswer, SourceRef

log = logging.getLogger(__name__)

MAX_PASSAGES = 3
COMPARISON_PASSAGES = 5
"""Yes/no and comparison questions read more passages: they need two articles."""
MAX_SENTENCES = 40
MAX_QUOTES = 3
RELATIVE_FLOOR = 1.0
"""How far below the best sentence's score another may be and still be quoted (1.0: any, so three
sentences are always quoted when there are three). Measured on the full DEV sets (docs/results.md,
2026-11-30): 0.05 → 1.0 raised answer containment 0.828 → 0.883 (XQuAD-ar), 0.792 → 0.866 (ARCD);
the best sentence holds the answer for ~0.72 of the questions and the next two for another ~0.12."""
OTHER_ARTICLE_FLOOR = 0.05
"""A sentence of another article than the best one's is quoted when it scores within this of the
best (the pre-#12 floor) or shares a word or name with the question; otherwise it is an unrelated
filler that would show the reader a source with nothing to do with the question (an ECB rate
sentence under "How many residents were evacuated?"). Full DEV, same passages: containment
XQuAD-ar 0.884 → see docs/results.md (2026-11-30, lead)."""
SECOND_ARTICLE_FLOOR = 0.3
"""Yes/no and comparison questions: how far below the best a sentence of another article may score
and still be quoted beside it, one per article (a question over two articles needs both sides).
MultiHop DEV subset (235 of 609 articles; 72 comparison/temporal questions): a sentence from two
gold articles quoted 0.333 (old answerer) → 0.583 (best of a second article within 0.15) → 0.653
(one per article for every slot) → 0.681 (outlets the question names first, 0.3); retrieval
ceiling (two gold articles among the five passages) 0.778."""
LEXICAL_WEIGHT = 0.3
TYPE_BONUS = 0.05
"""Gain of a sentence holding a candidate of the expected answer type (see docs/results.md,
Experiments 2026-11-30: 0 → 0.05 on the DEV sets)."""
MEASURE_BONUS = 0.1
"""Further gain when the candidate's unit is of the measure asked (hectares for «ما مساحة…», tonnes
for "weight limit", % for «نسبة»): the unit says the sentence holds *this* figure, not just a figure."""
HEADER_PENALTY = 0.1
"""Loss of a headline, dateline or byline: quoted only when nothing scores 0.1 better."""
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
_COMPARE_NOTE: dict[str, str] = {
    "en": "Without a language model Sanad does not compare or judge: here is what each article says; "
    "the comparison is left to you.",
    "ar": "من دون نموذج لغوي لا يقارن سند ولا يحكم: هذا ما يقوله كل مقال، والمقارنة متروكة لك.",
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
# Bylines and datelines that stand alone: "By Jane Doe", «كتب: …», "CAIRO (Reuters) -", «القاهرة - ».
_BYLINE = re.compile(r"^\s*(?:by|بقلم|كتب|كتبت|تحرير|إعداد|اعداد|مراسل)\b[\s:–—-]", re.IGNORECASE)
_DATELINE = re.compile(r"^[\w\u0600-\u06FF .,'’()/]{2,60}\s*[-–—:]\s*$")


def no_llm_notice(language: str) -> str:
    """The "no LLM configured, quoting instead" line in ``language`` (English fallback)."""
    return _NO_LLM_NOTICE.get(language.split("-")[0].lower(), _NO_LLM_NOTICE["en"])


def comparison_note(language: str) -> str:
    """The "comparison left to the reader" line in ``language`` (English fallback)."""
    return _COMPARE_NOTE.get(language.split("-")[0].lower(), _COMPARE_NOTE["en"])


@dataclass(frozen=True)
class ScoredSentence:
    """A candidate sentence and its score.

    Attributes:
        score: The total score (module docstring, step 2).
        passage: Index into the passages given to the answerer.
        start: Offset of the sentence in that passage's chunk text.
        end: Offset after it (half-open).
        text: ``chunk.text[start:end]``.
        typed: True when it holds a candidate of the expected answer type.
        header: True when it is only a headline, dateline or byline.
    """

    score: float
    passage: int
    start: int
    end: int
    text: str
    typed: bool = False
    header: bool = False


def _cosine(a: Sequence[float], b: Sequence[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=False))
    na = math.sqrt(sum(x * x for x in a))
    nb = math.sqrt(sum(y * y for y in b))
    return dot / (na * nb) if na and nb else 0.0


def candidate_sentences(
    passages: Sequence[Retrieved], max_passages: int = MAX_PASSAGES
) -> list[ScoredSentence]:
    """Unscored sentences of the first ``max_passages`` passages (at most ``MAX_SENTENCES``)."""
    out: list[ScoredSentence] = []
    n = min(len(passages), max_passages)
    per_passage = max(MAX_SENTENCES // max(n, 1), 1)
    for i, r in enumerate(passages[:n]):
        text = r.chunk.text
        spans = [(a, b) for a, b in sentence_spans(text) if b - a >= _MIN_SENTENCE_CHARS]
        out.extend(ScoredSentence(0.0, i, a, b, text[a:b]) for a, b in spans[:per_passage])
    return out[:MAX_SENTENCES]


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


def _script(text: str) -> str:
    """ "arabic" when Arabic letters outnumber Latin ones in ``text``, else "latin"."""
    arabic = len(re.findall(r"[\u0600-\u06FF]", text))
    return "arabic" if arabic > len(re.findall(r"[A-Za-z]", text)) else "latin"


def question_match_keys(question: str) -> set[str]:
    """The question's keys for :func:`sentence_match`: content keys plus cross-script keys."""
    return content_keys(question) | match_keys(question)


def is_header(r: Retrieved, start: int, sentence: str) -> bool:
    """True when ``sentence`` is only the article's headline, a dateline or a byline."""
    norm = normalize(sentence).strip(" .:-–—")
    title = normalize(r.chunk.title).strip(" .:-–—")
    if title and norm == title:
        return True
    words = sentence.split()
    if _BYLINE.match(sentence) and len(words) <= 8:
        return True
    if _DATELINE.match(sentence) and len(words) <= 6:
        return True
    # a short first line with no sentence punctuation, at the top of the article, is a headline
    first_line = r.chunk.ordinal == 0 and start == 0 and "\n" in r.chunk.text[:400]
    return first_line and len(words) <= 14 and not sentence.rstrip().endswith((".", "؟", "?", "!"))


def typed_candidates(sentence: str, kind: str, question_keys: set[str]) -> list[Candidate]:
    """Candidates of ``kind`` in ``sentence`` that the question does not already contain."""
    out = []
    for c in candidates(sentence, kind):
        keys = content_keys(c.text)
        if not keys or not keys <= question_keys:
            out.append(c)
    return out


def measure_matches(found: Sequence[Candidate], measures: frozenset[str]) -> bool:
    """True when some candidate's unit is of a measure the question asks for (hectares for «مساحة»)."""
    return bool(measures) and any(candidate_measure(c.text) in measures for c in found)


def score_sentences(
    question: str,
    passages: Sequence[Retrieved],
    embeddings: Embeddings | None,
    kind: str | None = None,
    max_passages: int = MAX_PASSAGES,
) -> list[ScoredSentence]:
    """Score candidate sentences of the top passages against ``question`` (module docstring, step 2).

    Args:
        question: The (standalone) question.
        passages: Retrieved passages, best first; only the first ``max_passages`` are read.
        embeddings: Embedder for the similarity term; None or a failing embedder leaves the
            lexical terms alone.
        kind: Expected answer type; default :func:`rag.answer.answer_types.question_type`.
        max_passages: How many passages to read.

    Returns:
        Scored sentences, best first.
    """
    cands = candidate_sentences(passages, max_passages)
    if not cands:
        return []
    kind = kind or question_type(question)
    dense = [0.0] * len(cands)
    if embeddings is not None:
        try:
            q = embeddings.embed_query(question)
            vecs = embeddings.embed_documents([c.text for c in cands])
            dense = [_cosine(q, v) for v in vecs]
        except Exception as exc:  # offline answers must survive a broken remote embedder
            log.warning("extractive: embedding failed, lexical scores only: %s", exc)
    qk = question_match_keys(question)
    q_script = _script(question)
    measures = asked_measure(question) if kind == "quantity" else frozenset()
    scored = []
    for c, d in zip(cands, dense, strict=True):
        s = d + LEXICAL_WEIGHT * sentence_match(qk, c.text, _script(c.text) != q_script)
        s += {0: 0.01, 1: 0.005}.get(c.passage, 0.0)
        found = typed_candidates(c.text, kind, qk)
        typed = bool(found)
        if typed and not (kind in ENTITY_KINDS and _arabic_only(c.text)):
            s += TYPE_BONUS
        if measure_matches(found, measures):
            s += MEASURE_BONUS
        header = is_header(passages[c.passage], c.start, c.text)
        if header:
            s -= HEADER_PENALTY
        if _INJECTION.search(c.text) or _SOURCE_LINE.match(c.text):
            s -= INJECTION_PENALTY
        scored.append(ScoredSentence(s, c.passage, c.start, c.end, c.text, typed, header))
    scored.sort(key=lambda t: (-t.score, t.passage, t.start))
    return scored


def _arabic_only(text: str) -> bool:
    return not re.search(r"[A-Za-z]", text)


def _names_outlet(question_keys: set[str], source: str) -> bool:
    keys = content_keys(source)
    return bool(keys) and keys <= question_keys


def _select(
    scored: Sequence[ScoredSentence], passages: Sequence[Retrieved], kind: str, question_keys: set[str]
) -> tuple[list[ScoredSentence], dict[int, list[SourceRef]]]:
    """The quoted sentences (best first) and, per quoted sentence index, its near-duplicate copies.

    Up to ``MAX_QUOTES`` sentences no more than ``RELATIVE_FLOOR`` below the best, skipping
    overlaps and near-duplicates (whose articles are recorded as copies). Yes/no and comparison
    questions first take one sentence per article (outlets the question names first) within
    ``SECOND_ARTICLE_FLOOR`` of the best.
    """
    picked: list[ScoredSentence] = []
    copies: dict[int, list[SourceRef]] = {}
    best = scored[0].score

    def admit(cand: ScoredSentence) -> bool:
        if any(p.passage == cand.passage and p.start < cand.end and cand.start < p.end for p in picked):
            return False
        dup = next((i for i, p in enumerate(picked) if near_duplicate_texts(p.text, cand.text)), None)
        if dup is not None:
            owner = passages[picked[dup].passage].chunk.article_id
            article = passages[cand.passage].chunk.article_id
            refs = copies.setdefault(dup, [])
            if article != owner and all(r.article_id != article for r in refs):
                refs.append(source_ref(passages[cand.passage].chunk))
            return False
        picked.append(cand)
        return True

    admit(scored[0])
    if kind in ("yes_no", "comparison"):
        # one sentence per article first: the question is about two (or more) of them; articles
        # of an outlet the question names ("the TechCrunch article … and The Verge's …") first
        named = [c for c in scored[1:] if _names_outlet(question_keys, passages[c.passage].chunk.source)]
        for cand in [*named, *(c for c in scored[1:] if c not in named)]:
            if len(picked) >= MAX_QUOTES:
                break
            if cand.score < best - SECOND_ARTICLE_FLOOR:
                continue
            quoted = {passages[p.passage].chunk.article_id for p in picked}
            if passages[cand.passage].chunk.article_id not in quoted and not cand.header:
                admit(cand)
    top_article = passages[scored[0].passage].chunk.article_id
    for cand in scored[1:]:
        if len(picked) >= MAX_QUOTES or cand.score < best - RELATIVE_FLOOR:
            break
        if cand in picked or cand.header:  # a headline only ever leads, when nothing beats it
            continue
        if _INJECTION.search(cand.text) or _SOURCE_LINE.match(cand.text):
            continue  # planted instructions and source lists never fill a slot
        other = passages[cand.passage].chunk.article_id != top_article
        if other and cand.score < best - OTHER_ARTICLE_FLOOR and not sentence_match(question_keys, cand.text):
            continue  # another article's sentence that shares no word with the question: unrelated
        admit(cand)
    return picked, copies


def extractive_answer(
    question: str,
    passages: Sequence[Retrieved],
    embeddings: Embeddings | None,
    language: str,
    *,
    notice: str | None = None,
    fallback: bool = False,
) -> Answer:
    """Answer by the short answer and one to three quoted sentences of the retrieved passages.

    Args:
        question: The (standalone) question.
        passages: Retrieved passages, best first (the chain has already applied the grounding
            policy of :func:`rag.answer.grounding.should_abstain`).
        embeddings: Embedder for sentence similarity (see :func:`score_sentences`).
        language: BCP 47 code of the question; the notice and abstention use it.
        notice: First line of the answer; defaults to :func:`no_llm_notice`.
        fallback: Set on the Answer when the LLM failed and this answers instead.

    Returns:
        ``Answer(model="extractive")`` whose text is the notice, the short answer with its
        ``[n]`` (when one is found), then one quoted sentence per line ending with ``[n]``;
        citations numbered per article by first use, with exact quotes; ``short_answer`` set.
        With no usable sentence, or when :func:`rag.answer.relevance.relevance_verdict` says the
        passages do not answer, an abstention (``abstained=True``, no citations).
    """
    given_notice = notice
    notice = notice or no_llm_notice(language)
    kind = question_type(question)
    reading = COMPARISON_PASSAGES if kind in ("yes_no", "comparison") else MAX_PASSAGES
    scored = score_sentences(question, passages, embeddings, kind, reading)
    verdict = relevance_verdict(question, kind, passages[:reading], [s.text for s in scored])
    if not scored or verdict is not None:
        if verdict:
            log.info("extractive: abstaining (%s)", verdict)
        return Answer(
            text=abstention_text(language),
            abstained=True,
            language=language,
            model="extractive",
            retrieved=tuple(passages),
            notice=given_notice,  # "here are the passages" would announce quotes that do not follow
            fallback=fallback,
        )
    picked, copies = _select(scored, passages, kind, content_keys(question))
    lead = picked[0]
    span = extract_span(question, lead.text, kind)
    # the sentence that holds the short answer first, then the others in reading order; yes/no and
    # comparison: side by side, best article first
    ordered = [0, *sorted(range(1, len(picked)), key=lambda i: (picked[i].passage, picked[i].start))]
    if kind in ("yes_no", "comparison"):
        ordered = list(range(len(picked)))
    lines = [notice]
    raw: list[Citation] = []
    number_of: dict[int, int] = {}
    for i in ordered:
        s = picked[i]
        chunk = passages[s.passage].chunk
        number_of[i] = len(raw) + 1
        raw.append(Citation(number=len(raw) + 1, chunk=chunk, quote=s.text, also_in=tuple(copies.get(i, ()))))
    if span is not None:
        lines.append(f"{defuse_markers(span.text)} [{number_of[0]}]")
    for i in ordered:
        lines.append(f"{defuse_markers(picked[i].text)} [{number_of[i]}]")  # article "[3]" is no citation
    if kind in ("yes_no", "comparison") and len({passages[p.passage].chunk.article_id for p in picked}) > 1:
        lines.append(comparison_note(language))
    text, citations = merge_sources("\n\n".join(lines), raw)
    short = None
    if span is not None:
        head = text.split("\n\n")[1]
        m = re.search(r"\[(\d+)\]\s*$", head)
        short = ShortAnswer(text=span.text, citation=int(m.group(1)) if m else None, kind=kind)
    return Answer(
        text=text,
        citations=citations,
        language=language,
        model="extractive",
        retrieved=tuple(passages),
        notice=notice,
        fallback=fallback,
        short_answer=short,
    )
