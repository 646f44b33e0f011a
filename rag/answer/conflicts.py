"""Reports that disagree on the asked figure (issue #12: news fidelity).

News outlets often carry different figures for one event ("14 people were killed" in one report,
"at least 20 killed" in another, «قتل 17 شخصا» in a third). An answer that leads with one figure
and quotes the others without a word misleads the reader: the extractive answerer now says
plainly that the reports differ and cites each figure (:func:`differing_figures`,
:func:`differ_line`).

A quoted sentence counts as another report of the asked figure only when all of these hold — each
guards against a false alarm seen on DEV, where a page's sibling paragraphs hold other figures of
the same measure about other things (the Broncos' points beside the Panthers'):

- it comes from another article than the lead quote (one article's two figures are its own
  business: a running total, an update), and both articles are dated within
  :data:`SAME_EVENT_DAYS` of each other: reports of one event appear together, while undated
  reference texts (an encyclopedia's paragraphs: every DEV false alarm) are never compared;
- both it and the lead quote hold a number of the *asked* measure or counted noun
  (:data:`rag.answer.answer_fit.FIT_ASKED`), not merely some number ("230 people injured" is no
  other report of how many were killed), and both figures are of one measure
  (:func:`candidate_measure`: money against money, a plain count against a plain count);
- it matches the question's words at least :data:`MATCH_SHARE` as well as the lead quote
  (:func:`rag.answer.matching.sentence_match`); a sentence in the other script than the lead is
  weighed on the question's cross-script name keys alone, on both sides, and a question without
  names is not compared across scripts; a lead that holds none of them is compared with nothing
  (second newcomer check, session 7: "How much did the new water treatment plant in Zarqa
  cost?" led with a family's 30 dinars a month in another district and called the plant's «١٢
  مليون دينار» a differing report);
- the two sentences say the same kind of thing: their passage-embedding cosine, with the
  language gap of :func:`rag.retrieval.mixed_languages.gap_for` added across Arabic and English,
  reaches :data:`SAME_CLAIM` (two reports of one death toll are paraphrases; a page's area and its
  deforested area are not);
- its short answer (:func:`rag.answer.span.extract_span`) and the lead's both read as numbers
  (:func:`figure_value`) that differ by more than :data:`TOLERANCE` relatively — "2.4 million" and
  "2,400,000" are one figure.

Only quantity questions are checked: dates are written at different grains ("March 2024", "12
March") and names in different forms, so a difference there is not yet a disagreement we can
tell from a paraphrase.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Sequence
from datetime import date

from rag.answer.answer_fit import FIT_ASKED, answer_fit
from rag.answer.answer_types import candidate_measure
from rag.answer.matching import question_match_keys, script_of, sentence_match
from rag.answer.span import extract_span
from rag.embedding.embedders import DocumentEmbeddings
from rag.retrieval.mixed_languages import gap_for
from rag.text.crossscript import number_key
from rag.text.normalize import fold
from rag.text.sentences import content_keys

log = logging.getLogger(__name__)


MATCH_SHARE = 0.5
"""The other report's question match must reach this share of the lead quote's: a paraphrase
("death toll" for "killed") or a report in the other language keeps half the question's words
(names and numbers count across scripts) in the invented tests; an aside does not."""

SAME_CLAIM = 0.87
"""Least cosine (language gap added) between two sentences that report one figure. Measured
(docs/results.md, session 6): invented two-outlet reports of one figure 0.891–0.937; undated DEV
pairs the other guards let through, different facts of one encyclopedia page, 0.825–0.907, so
this guard alone does not separate them and the date guard carries the rule."""

SAME_EVENT_DAYS = 7
"""Most days between the publication dates of two reports of one event (a death toll revised
over the following days is still the event's figure; the citations show each date)."""

TOLERANCE = 0.005
"""Relative difference below which two figures are one (rounding: "2.4 million" vs "2,412,000"
would still differ; "2.4 million" vs "2,400,000" do not)."""

_NUMBER = re.compile(r"[0-9\u0660-\u0669\u06f0-\u06f9]+(?:[.,\u066b\u066c][0-9\u0660-\u0669\u06f0-\u06f9]+)*")
_SCALES = {
    "thousand": 1e3,
    "thousands": 1e3,
    "million": 1e6,
    "millions": 1e6,
    "m": 1e6,
    "mn": 1e6,
    "billion": 1e9,
    "billions": 1e9,
    "bn": 1e9,
    "trillion": 1e12,
    **{
        fold(w): v
        for w, v in (
            ("ألف", 1e3),
            ("آلاف", 1e3),
            ("مليون", 1e6),
            ("ملايين", 1e6),
            ("مليار", 1e9),
            ("مليارات", 1e9),
            ("بليون", 1e9),
        )
    },
}
_WORD = re.compile(r"[^\W\d_]+")


def figure_value(text: str) -> float | None:
    """The value of the first figure written in ``text``, scale words applied, or None.

    Args:
        text: A short answer such as ``"2.4 million dinars"``, ``"٣٧ عائلة"``, ``"1,200 people"``.

    Returns:
        The value as a float (``2400000.0``, ``37.0``, ``1200.0``); None when ``text`` holds no
        digits (a figure written only in words is not compared: "dozens" is no value).
    """
    m = _NUMBER.search(text)
    if m is None:
        return None
    key = number_key(m.group())
    if key is None:
        return None
    try:
        value = float(key[1:])
    except ValueError:
        return None
    after = _WORD.search(text, m.end())
    if after is not None and text[m.end() : after.start()].strip() in ("", "-"):
        word = after.group().casefold()
        value *= _SCALES.get(word, _SCALES.get(fold(word), 1.0))
    return value


def _differ(a: float, b: float) -> bool:
    return abs(a - b) > TOLERANCE * max(abs(a), abs(b), 1e-9)


def differing_figures(
    question: str,
    kind: str,
    quotes: Sequence[str],
    articles: Sequence[str],
    languages: Sequence[str],
    published: Sequence[str | None],
    embeddings: DocumentEmbeddings | None,
) -> list[tuple[int, str]]:
    """Which quoted sentences report the asked figure differently from the lead quote.

    Args:
        question: The question.
        kind: Its expected answer type (:func:`rag.answer.answer_types.question_type`); only
            ``"quantity"`` is checked (module docstring).
        quotes: The quoted sentences, the lead quote first.
        articles: The article id of each quote, index for index.
        languages: ``Chunk.language`` of each quote's passage, index for index.
        published: ``Chunk.published_at`` of each quote's passage (ISO 8601), index for index.
        embeddings: Passage embedder for the same-claim guard (cached sentence vectors in the
            extractive answerer); None, or an embedder that fails, turns the check off: no
            similarity, no claim that reports differ.

    Returns:
        ``[(quote index, figure text)]``: the lead quote first (index 0), then each other report
        whose figure differs, in quote order; empty when the reports agree or cannot be compared.

    Raises:
        ValueError: ``quotes``, ``articles``, ``languages`` and ``published`` differ in length.
    """
    if not len(quotes) == len(articles) == len(languages) == len(published):
        raise ValueError(
            f"{len(quotes)} quotes, {len(articles)} article ids, {len(languages)} languages, "
            f"{len(published)} dates"
        )
    if kind != "quantity" or len(quotes) < 2 or embeddings is None:
        return []
    keys = content_keys(question)
    if answer_fit(quotes[0], kind, question, keys) != FIT_ASKED:
        return []
    lead_day = _day(published[0])
    if lead_day is None:
        return []
    lead_span = extract_span(question, quotes[0], kind)
    lead_value = None if lead_span is None else figure_value(lead_span.text)
    if lead_span is None or lead_value is None:
        return []
    lead_measure = candidate_measure(lead_span.text)
    match_keys = question_match_keys(question)
    q_script = script_of(question)

    names = {k for k in match_keys if k.startswith("~")}  # cross-script name keys
    lead_script = script_of(quotes[0])

    def match(text: str, names_only: bool) -> float:
        if names_only:  # across scripts only names meet: both sides are weighed on them
            return sentence_match(names, text, True) if names else 0.0
        return sentence_match(match_keys, text, script_of(text) != q_script)

    out: list[tuple[int, str]] = []
    seen = [lead_value]
    for i in range(1, len(quotes)):
        day = _day(published[i])
        if articles[i] == articles[0] or day is None or abs((day - lead_day).days) > SAME_EVENT_DAYS:
            continue
        if answer_fit(quotes[i], kind, question, keys) != FIT_ASKED:
            continue
        names_only = script_of(quotes[i]) != lead_script
        lead_match = match(quotes[0], names_only)
        if lead_match <= 0:
            continue  # a lead that names none of it is no report of the asked thing to compare
        if match(quotes[i], names_only) < MATCH_SHARE * lead_match:
            continue
        if _similarity(embeddings, quotes, languages, i) < SAME_CLAIM:
            continue
        span = extract_span(question, quotes[i], kind)
        value = None if span is None else figure_value(span.text)
        if span is None or value is None or not all(_differ(value, v) for v in seen):
            continue
        if candidate_measure(span.text) != lead_measure:
            continue
        seen.append(value)
        out.append((i, span.text))
    return [(0, lead_span.text), *out] if out else []


def _day(published: str | None) -> date | None:
    """The calendar day of an ISO 8601 ``published_at``, or None when absent or unreadable."""
    try:
        return date.fromisoformat(published[:10]) if published else None
    except ValueError:
        return None


def _similarity(
    embeddings: DocumentEmbeddings, quotes: Sequence[str], languages: Sequence[str], i: int
) -> float:
    """Cosine of quote ``i`` and the lead quote, the language gap added; -1.0 when it fails."""
    try:
        a, b = embeddings.embed_documents([quotes[0], quotes[i]])
    except Exception as exc:  # a broken remote embedder costs this note, never the answer
        log.warning("conflicts: embedding failed, reports not compared: %s", exc)
        return -1.0
    na, nb = math.sqrt(sum(x * x for x in a)), math.sqrt(sum(x * x for x in b))
    if not na or not nb:
        return -1.0
    cosine = sum(x * y for x, y in zip(a, b, strict=True)) / (na * nb)
    return cosine + gap_for(languages[0], languages[i])


def differ_line(language: str, figures: Sequence[tuple[str, int]]) -> str:
    """The sentence that says the reports differ, in the asker's language.

    Args:
        language: BCP 47 code of the question (``"ar"`` → Arabic, anything else English).
        figures: ``[(figure text, citation number)]``, the lead's first.

    Returns:
        E.g. ``"The reports differ on this figure: 14 people [1]; 20 people [2]."``.
    """
    if language.split("-")[0] == "ar":
        return "تختلف المصادر في هذا الرقم: " + "؛ ".join(f"{t} [{n}]" for t, n in figures) + "."
    return "The reports differ on this figure: " + "; ".join(f"{t} [{n}]" for t, n in figures) + "."
