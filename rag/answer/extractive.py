"""Offline answerer: the short answer first, then the sentences of the retrieved passages that hold it.

Used when no LLM is configured, and as the fallback when the LLM fails. Steps:

1. **Abstain** (question's language, no citations) when the question has no letters, when its
   names or years are in none of the passages, or when it asks for a number or a date and no
   candidate sentence holds one (:mod:`rag.answer.relevance`).
2. **Score** each sentence of the top passages (:func:`score_sentences`) with the learned ranker
   (:mod:`rag.answer.ranker`): a logistic regression of "this sentence holds the answer" on cheap
   features — the e5 cosine of question and sentence (and its gap to the best; when the passages
   read mix Arabic and English, sentences in the other language get back the ~0.08 e5 takes from
   them, :func:`fair_cosines`), the share of the
   question's keys in the sentence (plain, IDF-weighted over the candidates, and over the
   sentence with its neighbours), a candidate of the expected answer type and of the asked
   measure, the passage's rank and retrieval score, the sentence's position and length, script
   and repetition — fitted on DEV by ``python -m evals.fit_ranker``; a headline, dateline or
   byline and a planted instruction keep hand-set penalties. Yes/no and comparison questions keep
   the hand-set linear score their per-article floors were measured on::

       cosine + LEXICAL_WEIGHT × sentence_match + TYPE_BONUS + MEASURE_BONUS
       − HEADER_PENALTY − INJECTION_PENALTY + 0.01 / 0.005 for the first / second passage

3. **Select** the best sentence and up to ``MAX_QUOTES - 1`` others within ``RELATIVE_FLOOR`` of
   it; a sentence that is a near-duplicate of one already chosen (a syndicated copy, the same
   article twice) is not quoted again: its article goes to that citation's ``also_in``. Yes/no
   and comparison questions quote the best sentence of each of the two best articles instead
   (of each article the question names first, :func:`rag.answer.quotes.compared_facets`),
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

from langchain_core.embeddings import Embeddings

from rag.answer.answer_types import (
    ENTITY_KINDS,
    Candidate,
    asked_measure,
    candidate_measure,
    candidates,
    in_question,
    question_type,
)
from rag.answer.citations import defuse_markers
from rag.answer.conflicts import differ_line, differing_figures
from rag.answer.grounding import abstention_text
from rag.answer.latent_sentences import latent_gaps
from rag.answer.matching import question_match_keys, script_of, sentence_match
from rag.answer.originals import originals_first
from rag.answer.quotes import (
    ScoredSentence,
    compared_facets,
    is_planted,
    lead_from,
    lead_with_asked_fact,
    named_article,
    select_quotes,
)
from rag.answer.ranker import SentenceFacts, rank_score, sentence_features
from rag.answer.relevance import relevance_verdict
from rag.answer.sources import merge_sources
from rag.answer.span import extract_span
from rag.retrieval.latent_terms import LatentTermsSource
from rag.retrieval.mentions import SourceMatcher
from rag.retrieval.mixed_languages import gap_for, primary
from rag.text.sentences import normalize, sentence_spans
from rag.types import Answer, Citation, Retrieved, ShortAnswer

log = logging.getLogger(__name__)

MAX_PASSAGES = 3
COMPARISON_PASSAGES = 5
"""Yes/no and comparison questions read more passages: they need two articles."""
MAX_SENTENCES = 40
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

# Bylines and datelines that stand alone: "By Jane Doe", «كتب: …», "CAIRO (Reuters) -", «القاهرة - ».
_BYLINE = re.compile(r"^\s*(?:by|بقلم|كتب|كتبت|تحرير|إعداد|اعداد|مراسل)\b[\s:–—-]", re.IGNORECASE)
_DATELINE = re.compile(r"^[\w\u0600-\u06FF .,'’()/]{2,60}\s*[-–—:]\s*$")
# A dateline then the byline or the agency on one line: "BERLIN, September 29, 2024 — By Anna
# Keller", «إربد، 12 مارس 2024 — كتبت: ليلى العبادي», «الرباط، 3 يونيو 2024 — (وكالة المغرب العربي
# للأنباء)». Its names are the writer's and the agency's, never the asked person or place.
_DATELINE_BYLINE = re.compile(
    r"^[\w\u0600-\u06FF .,'’/]{2,60}\s[-–—]\s*"
    r"(?:(?:by|بقلم|كتب|كتبت|تحرير|إعداد|اعداد|مراسل)\b[\s:–—-][^.!?؟]{0,80}|\([^()]{2,60}\))\s*$",
    re.IGNORECASE,
)


def no_llm_notice(language: str) -> str:
    """The "no LLM configured, quoting instead" line in ``language`` (English fallback)."""
    return _NO_LLM_NOTICE.get(language.split("-")[0].lower(), _NO_LLM_NOTICE["en"])


def comparison_note(language: str) -> str:
    """The "comparison left to the reader" line in ``language`` (English fallback)."""
    return _COMPARE_NOTE.get(language.split("-")[0].lower(), _COMPARE_NOTE["en"])


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
    if _DATELINE_BYLINE.match(sentence) and len(words) <= 14:
        return True
    # a short first line with no sentence punctuation, at the top of the article, is a headline
    first_line = r.chunk.ordinal == 0 and start == 0 and "\n" in r.chunk.text[:400]
    return first_line and len(words) <= 14 and not sentence.rstrip().endswith((".", "؟", "?", "!"))


def fair_cosines(question: str, languages: Sequence[str], dense: Sequence[float]) -> list[float]:
    """``dense`` with :func:`rag.retrieval.mixed_languages.gap_for` added to the sentences of
    passages in the other language than the question, when the passages read mix Arabic and English.

    e5 scores a passage in another language ~0.08 lower than one in the question's (measured on
    parallel XQuAD paragraphs, :mod:`rag.retrieval.mixed_languages`), so over a mixed collection an
    English sentence that only shares the topic outranks the Arabic one that answers. Passages all
    in one language are compared among themselves and keep their cosines: every DEV set, en→ar
    included, is unchanged by construction. The language is the passage's (``Chunk.language``),
    not the sentence's script: an Arabic Wikipedia sentence listing Latin names is still Arabic.

    Args:
        question: The question (its script says whether it is Arabic or English).
        languages: ``Chunk.language`` of each sentence's passage, index for index with ``dense``.
        dense: Cosines of the question and each sentence.
    """
    present = {primary(t) for t in languages}
    asked = "ar" if script_of(question) == "arabic" else "en"
    if not {"ar", "en"} <= present:
        return list(dense)
    return [d + (gap_for(asked, t) if d else 0.0) for d, t in zip(dense, languages, strict=True)]


def typed_candidates(sentence: str, kind: str, question_keys: set[str]) -> list[Candidate]:
    """Candidates of ``kind`` in ``sentence`` that the question does not already contain."""
    return [c for c in candidates(sentence, kind) if not in_question(c.text, question_keys)]


def measure_matches(found: Sequence[Candidate], measures: frozenset[str]) -> bool:
    """True when some candidate's unit is of a measure the question asks for (hectares for «مساحة»)."""
    return bool(measures) and any(candidate_measure(c.text) in measures for c in found)


def sentence_facts(
    question: str,
    passages: Sequence[Retrieved],
    embeddings: Embeddings | None,
    kind: str,
    max_passages: int = MAX_PASSAGES,
) -> tuple[list[ScoredSentence], list[SentenceFacts]]:
    """The candidate sentences of the top passages and what is known of each (for the ranker).

    Args:
        question: The (standalone) question.
        passages: Retrieved passages, best first; only the first ``max_passages`` are read.
        embeddings: Embedder for the cosine; None or a failing embedder leaves it 0.0.
        kind: Expected answer type (:func:`rag.answer.answer_types.question_type`).
        max_passages: How many passages to read.

    Returns:
        The unscored candidates (:func:`candidate_sentences`) and their facts, index for index.
    """
    cands = candidate_sentences(passages, max_passages)
    if not cands:
        return [], []
    dense = [0.0] * len(cands)
    if embeddings is not None:
        try:
            q = embeddings.embed_query(question)
            vecs = embeddings.embed_documents([c.text for c in cands])
            dense = [_cosine(q, v) for v in vecs]
        except Exception as exc:  # offline answers must survive a broken remote embedder
            log.warning("extractive: embedding failed, lexical scores only: %s", exc)
        dense = fair_cosines(question, [passages[c.passage].chunk.language for c in cands], dense)
    qk = question_match_keys(question)
    measures = asked_measure(question) if kind == "quantity" else frozenset()
    facts = []
    index: dict[int, int] = {}
    for c, d in zip(cands, dense, strict=True):
        found = typed_candidates(c.text, kind, qk)
        facts.append(
            SentenceFacts(
                passage=c.passage,
                index=index.get(c.passage, 0),
                text=c.text,
                dense=d,
                typed=bool(found) and not (kind in ENTITY_KINDS and _arabic_only(c.text)),
                measure=measure_matches(found, measures),
                header=is_header(passages[c.passage], c.start, c.text),
                planted=is_planted(c.text),
            )
        )
        index[c.passage] = index.get(c.passage, 0) + 1
    return cands, facts


def score_sentences(
    question: str,
    passages: Sequence[Retrieved],
    embeddings: Embeddings | None,
    kind: str | None = None,
    max_passages: int = MAX_PASSAGES,
    latent: LatentTermsSource | None = None,
) -> list[ScoredSentence]:
    """Score candidate sentences of the top passages against ``question`` (module docstring, step 2).

    Args:
        question: The (standalone) question.
        passages: Retrieved passages, best first; only the first ``max_passages`` are read.
        embeddings: Embedder for the similarity term; None or a failing embedder leaves the
            lexical terms alone.
        kind: Expected answer type; default :func:`rag.answer.answer_types.question_type`.
        max_passages: How many passages to read.
        latent: Sparse "latent terms" of the question and sentences
            (:mod:`rag.answer.latent_sentences`): sentences in another script than the question
            are also scored by the terms they share with it. None leaves the ranker alone.

    Returns:
        Scored sentences, best first.
    """
    kind = kind or question_type(question)
    cands, facts = sentence_facts(question, passages, embeddings, kind, max_passages)
    if not cands:
        return []
    qk = question_match_keys(question)
    q_script = script_of(question)
    if kind in ("yes_no", "comparison"):
        scores = [_linear_score(qk, q_script, f) for f in facts]
    else:
        n = min(len(passages), max_passages)
        rows = sentence_features(qk, q_script, facts, [r.score for r in passages[:n]])
        gaps = latent_gaps(question, [f.text for f in facts], latent)
        scores = [rank_score(x) + g for x, g in zip(rows, gaps, strict=True)]
    scored = [
        ScoredSentence(s, c.passage, c.start, c.end, c.text, f.typed, f.header)
        for c, f, s in zip(cands, facts, scores, strict=True)
    ]
    scored.sort(key=lambda t: (-t.score, t.passage, t.start))
    return scored


def _linear_score(question_keys: set[str], question_script: str, f: SentenceFacts) -> float:
    """The hand-set score yes/no and comparison questions keep (their per-article floors in
    :mod:`rag.answer.quotes` were measured on it)."""
    s = f.dense + LEXICAL_WEIGHT * sentence_match(question_keys, f.text, script_of(f.text) != question_script)
    s += {0: 0.01, 1: 0.005}.get(f.passage, 0.0)
    if f.typed:
        s += TYPE_BONUS
    if f.measure:
        s += MEASURE_BONUS
    if f.header:
        s -= HEADER_PENALTY
    if f.planted:
        s -= INJECTION_PENALTY
    return s


def _arabic_only(text: str) -> bool:
    return not re.search(r"[A-Za-z]", text)


def extractive_answer(
    question: str,
    passages: Sequence[Retrieved],
    embeddings: Embeddings | None,
    language: str,
    *,
    notice: str | None = None,
    fallback: bool = False,
    latent: LatentTermsSource | None = None,
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
        latent: Sparse "latent terms" for sentences in another script (see :func:`score_sentences`).

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
    scored = score_sentences(question, passages, embeddings, kind, reading, latent)
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
    outlets = SourceMatcher(p.chunk.source for p in passages)
    named = named_article(question, kind, outlets)
    if named is not None:
        scored = lead_from(scored, passages, named)
    scored = lead_with_asked_fact(scored, passages, kind, question)
    scored = originals_first(scored, passages)  # a copied story is cited by its original
    facets = compared_facets(question, kind, outlets)
    picked, copies = select_quotes(
        scored, passages, kind, question_match_keys(question), facets, script_of(question)
    )
    lead = picked[0]
    # a headline, dateline or byline leads only when nothing better is read; its names are the
    # writer's, the agency's or the place of filing, never the person, place or firm asked about
    span = None if lead.header and kind in ENTITY_KINDS else extract_span(question, lead.text, kind)
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
        # reports that carry another figure for the asked quantity are named, not left to be found
        chunks = [passages[s.passage].chunk for s in picked]
        differ = differing_figures(
            question,
            kind,
            [s.text for s in picked],
            [c.article_id for c in chunks],
            [c.language for c in chunks],
            [c.published_at for c in chunks],
            embeddings,
        )
        if differ:
            lines.append(differ_line(language, [(defuse_markers(t), number_of[i]) for i, t in differ]))
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
