"""One citation number per article, near-duplicate articles listed once (every answerer uses this).

An answer's raw citations may name one article twice (two passages of one TechCrunch story cited
as [1] and [2]) or name copies of one story (the same wire report carried by three outlets, the
same article under two file names). :func:`merge_sources` rewrites the answer so that:

1. **one article, one number**: every citation of an article after its first is merged into the
   first; its quote becomes one of the first's ``more_quotes`` (exact repeats dropped);
2. **near-duplicates are one source**: a citation whose article is a near-duplicate of an
   earlier cited one (:func:`near_duplicate_texts` on a quote pair or on the chunk texts) is
   folded into it: the copy is listed in ``also_in`` and its quotes that are not repeats join
   ``more_quotes``;
3. markers in the text are rewritten to the surviving numbers, renumbered 1, 2, … by first use.

The LLM path (:func:`rag.answer.citations.resolve_citations`) and the extractive answerer call
the same function, so the UI, API, Slack and CLI always see per-article citations.

Near-duplicate detection (:func:`near_duplicate_texts`) aligns the two texts word by word with
RapidFuzz's Indel opcodes, on words folded by :func:`rag.text.sentences.normalize` (punctuation,
spacing, tashkeel and letter variants dropped), and asks that one unbroken run of shared words
covers most of the shorter text. Copies of a wire story differ at the edges (a dateline, a byline,
"said on Thursday"), which leaves one long run; two different reports that share a template
("the bank raised / cut its key rate by a quarter point") or differ in a figure break the run,
whereas a character ratio would call them 92–93 % similar.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from rapidfuzz.distance import Indel

from rag.answer.citations import map_markers, parse_markers
from rag.text.sentences import normalize
from rag.types import Chunk, Citation, Quote, SourceRef

NEAR_DUPLICATE_RUN = 0.85
"""Share of the shorter text's words that one unbroken run of shared words must cover. Invented
pairs (tests/rag/answer/test_sources.py): a syndicated sentence with and without a dateline
("LONDON (Reuters) -") and a trailing "on Thursday" scores 0.89; tashkeel-only differences 1.0;
"raised"/"cut" in an otherwise equal sentence 0.69; two quarterly-results sentences with other
figures 0.35; "3 percent in May"/"4 percent in June" 0.40."""

MIN_DUPLICATE_WORDS = 5
"""Texts of fewer words are never called duplicates ("He said.", "Reuters")."""

_WORD = re.compile(r"\w+")


def fold_for_duplicates(text: str) -> list[str]:
    """``text``'s words as compared for near-duplicates (normalised, punctuation dropped)."""
    return _WORD.findall(normalize(text))


def _numbers(words: Sequence[str]) -> set[str]:
    return {w for w in words if any(ch.isdigit() for ch in w)}


def near_duplicate_texts(a: str, b: str, run: float = NEAR_DUPLICATE_RUN) -> bool:
    """True when ``a`` and ``b`` are the same passage up to edits at the edges (module docstring).

    Args:
        a: A sentence or passage (any language; Arabic folded).
        b: Another.
        run: Share in (0, 1] of the shorter text's words one shared run must cover.

    Returns:
        True when both have at least :data:`MIN_DUPLICATE_WORDS` words, every number of the
        shorter one is in the longer one, and the longest run of words they share in order
        covers ``run`` of the shorter one. The number rule keeps a copy that changed a figure
        ("45 dollars" / "60 dollars") a source of its own: merging it would show one article's
        citation over another article's figure.
    """
    wa, wb = fold_for_duplicates(a), fold_for_duplicates(b)
    shorter = min(len(wa), len(wb))
    if shorter < MIN_DUPLICATE_WORDS:
        return False
    if wa == wb:
        return True
    short_words, long_words = (wa, wb) if len(wa) <= len(wb) else (wb, wa)
    if not _numbers(short_words) <= _numbers(long_words):
        return False
    longest = max((op.src_end - op.src_start for op in Indel.opcodes(wa, wb) if op.tag == "equal"), default=0)
    return longest >= run * shorter


def source_ref(chunk: Chunk) -> SourceRef:
    """The :class:`~rag.types.SourceRef` naming ``chunk``'s article."""
    return SourceRef(
        article_id=chunk.article_id,
        title=chunk.title,
        source=chunk.source,
        url=chunk.url,
        published_at=chunk.published_at,
    )


@dataclass
class _Group:
    """One surviving source while merging (mutable scratch, never leaves this module)."""

    head: Citation
    quotes: list[Quote] = field(default_factory=list)  # head quote first
    also_in: list[SourceRef] = field(default_factory=list)
    chunks: list[Chunk] = field(default_factory=list)

    def article_ids(self) -> set[str]:
        return {self.head.chunk.article_id} | {s.article_id for s in self.also_in}

    def add_quotes(self, quotes: Sequence[Quote], threshold: float) -> None:
        for q in quotes:
            if any(
                q.text == have.text or near_duplicate_texts(q.text, have.text, threshold)
                for have in self.quotes
            ):
                continue
            self.quotes.append(q)

    def add_source(self, ref: SourceRef) -> None:
        if ref.article_id not in self.article_ids():
            self.also_in.append(ref)


def _quotes_of(c: Citation) -> list[Quote]:
    return [Quote(c.chunk, c.quote), *c.more_quotes]


def _same_story(g: _Group, c: Citation, threshold: float) -> bool:
    if c.chunk.content_hash and any(ch.content_hash == c.chunk.content_hash for ch in g.chunks):
        return True
    if any(near_duplicate_texts(q.text, have.text, threshold) for q in _quotes_of(c) for have in g.quotes):
        return True
    return any(near_duplicate_texts(c.chunk.text, ch.text, threshold) for ch in g.chunks)


def merge_sources(
    text: str, citations: Sequence[Citation], *, threshold: float = NEAR_DUPLICATE_RUN
) -> tuple[str, tuple[Citation, ...]]:
    """One number per article and near-duplicate articles folded (see the module docstring).

    Args:
        text: Answer text whose ``[n]`` markers refer to ``citations`` by ``number``.
        citations: The raw citations, one per cited passage, numbers unique (any order).
        threshold: Near-duplicate run share (:data:`NEAR_DUPLICATE_RUN`).

    Returns:
        ``(text, citations)``: markers rewritten (a run citing one source twice shows it once),
        and the merged citations numbered 1…n in order of first use in ``text`` (citations the
        text never cites follow, in their old number order). Each keeps its first quote as
        ``quote``; further quotes are ``more_quotes`` in answer order; folded copies are in
        ``also_in`` (their own ``also_in`` carried over).
    """
    by_number = {c.number: c for c in citations}
    order: list[int] = []
    for n in parse_markers(text):
        if n in by_number and n not in order:
            order.append(n)
    order += sorted(n for n in by_number if n not in order)

    groups: list[_Group] = []
    target: dict[int, int] = {}  # old number -> index into groups
    for n in order:
        c = by_number[n]
        found = next((i for i, g in enumerate(groups) if c.chunk.article_id in g.article_ids()), None)
        if found is None:
            found = next((i for i, g in enumerate(groups) if _same_story(g, c, threshold)), None)
            if found is not None:
                groups[found].add_source(source_ref(c.chunk))
        if found is None:
            groups.append(_Group(head=c, quotes=_quotes_of(c), chunks=[c.chunk]))
            found = len(groups) - 1
        else:
            groups[found].add_quotes(_quotes_of(c), threshold)
            groups[found].chunks.append(c.chunk)
        for ref in c.also_in:
            groups[found].add_source(ref)
        target[n] = found

    mapping = {old: gi + 1 for old, gi in target.items()}
    merged = tuple(
        replace(
            g.head,
            number=i,
            quote=g.quotes[0].text,
            more_quotes=tuple(g.quotes[1:]),
            also_in=tuple(g.also_in),
        )
        for i, g in enumerate(groups, start=1)
    )
    return map_markers(text, mapping), merged


def passage_groups(chunks: Sequence[Chunk], *, threshold: float = NEAR_DUPLICATE_RUN) -> list[int]:
    """A source key per passage: passages of one article, or near-duplicate copies, share a key.

    Used while streaming (:class:`rag.answer.citations.MarkerBuffer`) so the numbers shown live
    already follow :func:`merge_sources`'s grouping (equal content hash, or near-duplicate chunk
    text); the final answer may still fold copies that only share the quoted sentence.

    Args:
        chunks: The passages' chunks, in prompt order.
        threshold: Near-duplicate run share (:data:`NEAR_DUPLICATE_RUN`).

    Returns:
        ``keys[i]``: the index of the first passage of ``chunks[i]``'s group.
    """
    keys: list[int] = []
    for i, c in enumerate(chunks):
        key = i
        for j in range(i):
            if keys[j] != j:
                continue  # compare with each group's first passage only
            o = chunks[j]
            if (
                o.article_id == c.article_id
                or (c.content_hash and o.content_hash == c.content_hash)
                or near_duplicate_texts(o.text, c.text, threshold)
            ):
                key = j
                break
        keys.append(key)
    return keys
