"""BM25 index over chunks, made of immutable segments, updated in proportion to what changed.

Scoring is BM25 in Lucene's variant (idf = ln(1 + (N - df + 0.5) / (df + 0.5)), always positive;
term part tf / (tf + k1 · (1 - b + b · dl / avgdl))) with Lucene's defaults k1 = 1.2 and b = 0.75
(Robertson & Zaragoza, "The Probabilistic Relevance Framework: BM25 and Beyond", FnTIR 3(4), 2009;
Lucene ``BM25Similarity``; Kamphuis et al., "Which BM25 Do You Mean?", ECIR 2020): the same
numbers bm25s gives with ``method="lucene"`` (a test compares them). Documents and queries are
tokenised by :func:`rag.text.normalize.tokenize` (or the tokenizer the index is given).

Updates work as in Lucene: the index is a list of :class:`~rag.retrieval.segments.Segment`\\ s
(raw term frequencies) plus a deletion mask per segment. :meth:`LexicalIndex.with_changes` adds
one segment for the new chunks and marks replaced or removed ones deleted: its cost follows the
change, not the archive. N, df and the average length are read from the live postings at query
time, so any sequence of updates scores exactly like a fresh :meth:`LexicalIndex.build` over the
same live chunks. :meth:`LexicalIndex.compacted` folds small segments (and deletions) together.

On disk, ``dir/CURRENT`` names the live manifest ``dir/m-<uuid>.json`` (format, tokenizer,
generation, and each segment's name with its deleted positions); segments are the files
``seg-<name>.npz/.json``. A save writes the segments not yet on disk, then a new manifest, then
swaps ``CURRENT`` with ``os.replace`` (atomic on POSIX and Windows): a crash leaves the old
index or the new one, never half of one. A reader that holds an index passes it to
:meth:`LexicalIndex.load` and reads only the segments it does not have yet.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np

from rag.retrieval.segments import DocMeta, Segment, merge
from rag.text.normalize import TOKENIZER_VERSION, stemming_variant, tokenize

__all__ = ["DocMeta", "LexicalDoc", "LexicalIndex", "Tokenizer", "required_matches"]

Tokenizer = Callable[[str, str | None], list[str]]
"""``(text, language) -> tokens``: how an index turns documents and queries into terms."""

log = logging.getLogger(__name__)

#: BM25 free parameters: Lucene's defaults (Robertson & Zaragoza 2009 recommend k1 in [1.2, 2], b = 0.75).
BM25_K1 = 1.2
BM25_B = 0.75
_FORMAT = 2
_CURRENT = "CURRENT"
_STALE_SECONDS = 60.0  # unreferenced files younger than this are left for concurrent writers/readers

MAX_SEGMENTS = 8
"""More segments than this and :meth:`LexicalIndex.compacted` folds all but the largest into one."""

FULL_MERGE_SHARE = 0.10
"""Small segments (or deleted documents) above this share of the index trigger a full merge, so a
full merge's cost is spread over at least this much growth (Lucene's tiered policy, simplified)."""


def required_matches(n_terms: int) -> int:
    """Distinct query terms a chunk must contain to count as a lexical hit.

    1 for queries of one or two terms, else 2: one common word (e.g. "thank") never makes a hit
    on its own. A fraction of the terms (Elasticsearch-style ``minimum_should_match: 25%``) was
    tried and rejected: multi-hop questions spread their terms over several articles, and it
    cut MultiHop-RAG chunk Hits@10 of BM25 from 0.912 to 0.815 on DEV (docs/results.md).
    """
    return 1 if n_terms <= 2 else 2


class LexicalDoc(NamedTuple):
    """One chunk to index.

    Attributes:
        chunk_id: Id of the chunk.
        text: Its text (tokenised with ``language``).
        language: BCP 47 code ("und" when unknown); picks the stemmer of non-Arabic-script tokens.
        source: Outlet name, kept for filtering.
        published_ts: Publication time in seconds since the epoch (UTC), or None; for filtering.
        article_id: Id of the chunk's article, for filtering.
    """

    chunk_id: str
    text: str
    language: str = "und"
    source: str = ""
    published_ts: int | None = None
    article_id: str = ""

    @property
    def meta(self) -> DocMeta:
        """The filter metadata the index keeps."""
        return DocMeta(self.source, self.language, self.published_ts, self.article_id)


class LexicalIndex:
    """An immutable BM25 index over chunk texts: segments plus their deletion masks.

    Build with :meth:`build`, :meth:`load` or :meth:`with_changes`; the constructor is internal.

    Args:
        segments: The segments, in index order (ties in scores are broken by this order).
        dead: Per segment, a bool mask [n_docs] of deleted documents (None: nothing deleted).
        tokenizer: Turns texts into terms (default :func:`rag.text.normalize.tokenize`; the
            cross-script channel indexes :func:`rag.text.crossscript.keys` instead).
        tokenizer_id: Names the tokenizer and its version in the saved index, so an index saved
            with another one is rebuilt (default :data:`rag.text.normalize.TOKENIZER_VERSION`).
    """

    def __init__(
        self,
        segments: Sequence[Segment] = (),
        dead: Sequence[np.ndarray | None] | None = None,
        tokenizer: Tokenizer = tokenize,
        tokenizer_id: int | str = TOKENIZER_VERSION,
    ) -> None:
        self._segments = tuple(segments)
        masks = list(dead) if dead is not None else [None] * len(self._segments)
        self._dead = tuple(
            np.zeros(len(s), dtype=bool) if m is None else m
            for s, m in zip(self._segments, masks, strict=True)
        )
        self._tokenize = tokenizer
        self._tokenizer_id = tokenizer_id
        offsets = np.zeros(len(self._segments) + 1, dtype=np.int64)
        np.cumsum([len(s) for s in self._segments], out=offsets[1:])
        self._offsets = offsets
        self._n_dead = tuple(int(m.sum()) for m in self._dead)
        # Live chunk id -> (segment, position); a later segment's copy of an id wins.
        where: dict[str, tuple[int, int]] = {}
        for si, (seg, mask, n_dead) in enumerate(zip(self._segments, self._dead, self._n_dead, strict=True)):
            if n_dead:
                where.update((cid, (si, i)) for i, cid in enumerate(seg.ids) if not mask[i])
            else:
                where.update((cid, (si, i)) for i, cid in enumerate(seg.ids))
        self._where = where
        self._n_live = sum(len(s) - n for s, n in zip(self._segments, self._n_dead, strict=True))
        self._total_len = sum(
            int(s.lengths[~m].sum()) if n else int(s.lengths.sum())
            for s, m, n in zip(self._segments, self._dead, self._n_dead, strict=True)
        )
        self._variants = tuple(sorted(set().union(*(s.variants for s in self._segments))))
        self._languages: frozenset[str] | None = None
        self._language_tags: frozenset[str] | None = None
        self._other_language: dict[str, np.ndarray] = {}

    # -- building ----------------------------------------------------------------------------

    @classmethod
    def build(
        cls,
        items: Iterable[LexicalDoc | tuple[str, str, str]],
        tokenizer: Tokenizer = tokenize,
        tokenizer_id: int | str = TOKENIZER_VERSION,
    ) -> LexicalIndex:
        """Index chunks.

        Args:
            items: ``LexicalDoc``s or plain ``(chunk_id, text, language)`` triples. A repeated
                chunk id keeps its first occurrence.
            tokenizer: Turns texts into terms (see the class).
            tokenizer_id: Its name and version, saved with the index (see the class).

        Returns:
            The index (empty when ``items`` is).
        """
        empty = cls((), None, tokenizer, tokenizer_id)
        return empty.with_changes(items, ())

    def with_changes(
        self, added: Iterable[LexicalDoc | tuple[str, str, str]], removed: Iterable[str]
    ) -> LexicalIndex:
        """A new index with ``added`` chunks indexed and ``removed`` ones gone; this one is unchanged.

        Costs in proportion to the change: the added chunks are tokenised into one new segment,
        and removed chunks (and older copies of re-added ids) are only marked deleted.

        Args:
            added: Chunks to index (a repeated id keeps its first occurrence; an id already
                indexed is replaced).
            removed: Chunk ids to drop (unknown ids are ignored).

        Returns:
            The updated index (``self`` when nothing changes).
        """
        docs: dict[str, LexicalDoc] = {}
        for item in added:
            doc = item if isinstance(item, LexicalDoc) else LexicalDoc(*item)
            docs.setdefault(doc.chunk_id, doc)
        gone = [cid for cid in removed if cid in self._where and cid not in docs]
        replaced = [cid for cid in docs if cid in self._where]
        if not docs and not gone:
            return self
        dead = list(self._dead)
        copied: set[int] = set()
        for cid in (*gone, *replaced):
            si, pos = self._where[cid]
            if si not in copied:
                dead[si] = dead[si].copy()
                copied.add(si)
            dead[si][pos] = True
        segments = list(self._segments)
        if docs:
            variants = frozenset(v for d in docs.values() if (v := stemming_variant(d.language)))
            segments.append(
                Segment.from_tokens(
                    list(docs),
                    [d.meta for d in docs.values()],
                    [self._tokenize(d.text, d.language) for d in docs.values()],
                    variants,
                )
            )
            dead.append(np.zeros(len(docs), dtype=bool))
        # Segments left without a live document are dropped at once (no merge needed).
        keep = [i for i, (s, m) in enumerate(zip(segments, dead, strict=True)) if len(s) and not m.all()]
        return LexicalIndex(
            [segments[i] for i in keep], [dead[i] for i in keep], self._tokenize, self._tokenizer_id
        )

    def _merge_plan(self) -> str:
        """ "full", "tiered" or "" (nothing to do): see :meth:`compacted`."""
        segs = self._segments
        if not segs or (len(segs) == 1 and not self._n_dead[0]):
            return ""
        total = int(self._offsets[-1])
        small = total - max(len(s) for s in segs)
        if small > FULL_MERGE_SHARE * total or sum(self._n_dead) > FULL_MERGE_SHARE * total:
            return "full"
        return "tiered" if len(segs) > MAX_SEGMENTS else ""

    def needs_compaction(self) -> bool:
        """True when :meth:`compacted` would merge something."""
        return bool(self._merge_plan())

    def compacted(self, force: bool = False) -> LexicalIndex:
        """Fold segments together when the merge policy asks for it (else ``self``).

        Policy (Lucene's tiered merging, simplified): when the small segments together, or the
        deleted documents, exceed :data:`FULL_MERGE_SHARE` of the index, everything is merged
        into one segment; else, past :data:`MAX_SEGMENTS` segments, all but the largest are
        merged (a cost in proportion to the recent writes). Scores never change.

        Args:
            force: Merge everything into one segment whatever the policy says.
        """
        plan = "full" if force and self._segments else self._merge_plan()
        segs = self._segments
        if plan == "full":
            return LexicalIndex([merge(segs, self._dead)], None, self._tokenize, self._tokenizer_id)
        if plan != "tiered":
            return self
        largest = max(range(len(segs)), key=lambda i: len(segs[i]))
        rest = [i for i in range(len(segs)) if i != largest]
        folded = merge([segs[i] for i in rest], [self._dead[i] for i in rest])
        return LexicalIndex(
            [segs[largest], folded], [self._dead[largest], None], self._tokenize, self._tokenizer_id
        )

    # -- reading -----------------------------------------------------------------------------

    def __len__(self) -> int:
        return self._n_live

    def __contains__(self, chunk_id: object) -> bool:
        return chunk_id in self._where

    @property
    def chunk_ids(self) -> list[str]:
        """Indexed (live) chunk ids, in index order (a copy)."""
        return list(self._where)

    @property
    def segment_count(self) -> int:
        """How many segments the index holds (1 after a full merge)."""
        return len(self._segments)

    @property
    def postings(self) -> int:
        """Stored postings (term, document) pairs, deleted documents included: the index's size."""
        return sum(len(s.docs) for s in self._segments)

    def meta(self, chunk_id: str) -> DocMeta | None:
        """Filter metadata of an indexed chunk, or None if it is not indexed."""
        at = self._where.get(chunk_id)
        return None if at is None else self._segments[at[0]].meta[at[1]]

    def _live_postings(self, term: str) -> list[tuple[int, np.ndarray, np.ndarray]]:
        """``(segment, docs, tf)`` of ``term`` over live documents, segments without it left out."""
        out: list[tuple[int, np.ndarray, np.ndarray]] = []
        for si, seg in enumerate(self._segments):
            found = seg.postings(term)
            if found is None:
                continue
            docs, tf = found
            if self._n_dead[si]:
                keep = ~self._dead[si][docs]
                docs, tf = docs[keep], tf[keep]
            if docs.size:
                out.append((si, docs, tf))
        return out

    def _idf(self, df: int) -> float:
        n = float(self._n_live)
        return math.log(1.0 + (n - df + 0.5) / (df + 0.5))

    def known_terms(self, query: str) -> int:
        """How many distinct query tokens (:meth:`query_tokens`) live chunks hold."""
        return sum(1 for tok in set(self.query_tokens(query)) if self._live_postings(tok))

    def idf(self, tokens: Iterable[str]) -> dict[str, float]:
        """Lucene's BM25 idf, ``ln(1 + (N - df + 0.5) / (df + 0.5))``, of each indexed token.

        ``N`` is the number of live chunks and ``df`` the live chunks holding the token. Tokens
        no live chunk holds are absent.
        """
        out: dict[str, float] = {}
        for tok in tokens:
            df = sum(len(d) for _, d, _ in self._live_postings(tok))
            if df:
                out[tok] = self._idf(df)
        return out

    def languages(self) -> frozenset[str]:
        """The distinct primary language subtags of the indexed chunks (computed once per index)."""
        cached = self._languages
        if cached is None:
            cached = frozenset(m.language.split("-")[0] for m in map(self.meta, self._where) if m is not None)
            self._languages = cached
        return cached

    def language_tags(self) -> frozenset[str]:
        """The distinct language tags of the indexed chunks, as stored (computed once per index)."""
        cached = self._language_tags
        if cached is None:
            cached = frozenset(m.language for m in map(self.meta, self._where) if m is not None)
            self._language_tags = cached
        return cached

    def other_language_mask(self, language: str) -> np.ndarray:
        """bool [documents, by global position]: live documents whose primary language subtag is
        not ``language``'s (computed once per index and language).

        The cross-script channel scores only chunks in another language than the question; a
        per-hit predicate walked every same-language hit in Python (~100 ms per question at 100k
        chunks when a handful of chunks are in another language, docs/results.md, issue #16).
        """
        primary = language.split("-")[0]
        mask = self._other_language.get(primary)
        if mask is None:
            parts = [
                (s.primary_languages != primary) & ~dead
                for s, dead in zip(self._segments, self._dead, strict=True)
            ]
            mask = np.concatenate(parts).astype(bool) if parts else np.zeros(0, dtype=bool)
            self._other_language[primary] = mask
        return mask

    def sources(self) -> set[str]:
        """The distinct non-empty outlet names of the indexed chunks."""
        return {m.source for m in map(self.meta, self._where) if m is not None and m.source}

    def query_tokens(self, query: str) -> list[str]:
        """Query tokens: default stemming, plus the new tokens of each of the corpus's stemming variants."""
        tokens = self._tokenize(query, None)
        seen = set(tokens)
        for lang in self._variants:
            for tok in self._tokenize(query, lang):
                if tok not in seen:
                    seen.add(tok)
                    tokens.append(tok)
        return tokens

    def search(
        self,
        query: str,
        k: int,
        allowed: Callable[[str], bool] | None = None,
        min_should_match: bool = True,
    ) -> list[tuple[str, float]]:
        """The best ``k`` chunks for ``query`` by BM25.

        Every document with a positive score is a candidate, so a restrictive ``allowed`` filter
        never starves the result (it is applied before the cut to ``k``).

        With ``min_should_match`` a chunk must contain two distinct query terms
        (:func:`required_matches`, in the spirit of Lucene/Elasticsearch ``minimum_should_match``):
        a question "What did Putin thank North Korea for?" must not retrieve every chunk that
        says "thanks". Terms are counted over the whole query, including terms the index has
        never seen (an English question over Arabic articles matches little lexically, and then
        dense retrieval should decide).

        Args:
            query: Free text in any language.
            k: How many results at most.
            allowed: Optional predicate over chunk ids; chunks for which it is False are skipped.
            min_should_match: Apply :func:`required_matches`.

        Returns:
            ``(chunk_id, score)`` pairs, best first, only scores > 0 (ties broken by index order).
            Empty for an empty index, ``k <= 0`` or a query with no known token.
        """
        if not self._n_live or k <= 0:
            return []
        terms = list(dict.fromkeys(self.query_tokens(query)))
        found = [(t, p) for t in terms if (p := self._live_postings(t))]
        if not found:
            return []
        size = int(self._offsets[-1])
        scores = np.zeros(size, dtype=np.float64)
        matched = np.zeros(size, dtype=np.int32)
        avgdl = self._total_len / self._n_live or 1.0
        for _, parts in found:
            idf = self._idf(sum(len(d) for _, d, _ in parts))
            for si, docs, tf in parts:
                f = tf.astype(np.float64)
                norm = BM25_K1 * ((1 - BM25_B) + BM25_B * self._segments[si].lengths[docs] / avgdl)
                at = self._offsets[si] + docs  # positions within one column are distinct
                scores[at] += idf * f / (f + norm)
                matched[at] += 1
        hits = np.flatnonzero(scores > 0)
        need = required_matches(len(set(self._tokenize(query, None)))) if min_should_match else 1
        if need > 1 and hits.size:
            hits = hits[matched[hits] >= need]
        if allowed is None and hits.size > k:  # only the k best (and their ties) need sorting
            kth = np.partition(scores[hits], hits.size - k)[hits.size - k]
            hits = hits[scores[hits] >= kth]
        return self._ranked(hits, scores, k, allowed)

    def evidence_share(self, query: str) -> float:
        """The largest share of the question's idf mass one chunk holds, words no chunk holds included.

        share = :meth:`coverage` of the best chunk × K / (K + U · idf_max), where K is the idf
        mass of the indexed query tokens and U the number of the question's (default-stemmed)
        tokens no live chunk holds, each counted at the largest idf (``df = 1``). An English
        question over mixed English/Arabic news whose names only the Arabic chunks hold
        ("Putin", "Pyongyang") scores low here, however well BM25's best chunk matches its
        other words. Returns 0.0 for an empty index or a question with no known token.
        """
        best = self.coverage(query, 1)
        if not best:
            return 0.0
        idf = self.idf(dict.fromkeys(self.query_tokens(query)))
        known = sum(idf.values())
        unknown = sum(1 for tok in set(self._tokenize(query, None)) if tok not in idf)
        return best[0][1] * known / (known + unknown * self._idf(1))

    def coverage(
        self,
        query: str,
        k: int,
        allowed: Callable[[str], bool] | None = None,
        mask: np.ndarray | None = None,
    ) -> list[tuple[str, float]]:
        """The ``k`` chunks holding the largest idf-weighted share of the query's terms (issue #14).

        share(d) = Σ idf(t) over the distinct indexed query terms t that d holds, divided by the
        same sum over all of them (:meth:`idf`). Unlike BM25 it ignores term frequency and chunk
        length: a chunk naming every name of a question scores 1 however long it is.

        Args:
            query: Free text.
            k: How many results at most.
            allowed: Optional predicate over chunk ids (as in :meth:`search`).
            mask: Optional bool [documents by global position] of the documents that may be
                returned (e.g. :meth:`other_language_mask`); applied before ranking, vectorised.

        Returns:
            ``(chunk_id, share in (0, 1])`` pairs, best first (ties by index order); empty when
            no query term is indexed.
        """
        if not self._n_live or k <= 0:
            return []
        found = [p for t in dict.fromkeys(self.query_tokens(query)) if (p := self._live_postings(t))]
        if not found:
            return []
        share = np.zeros(int(self._offsets[-1]), dtype=np.float64)
        total = 0.0
        for parts in found:
            idf = self._idf(sum(len(d) for _, d, _ in parts))
            total += idf
            for si, docs, _ in parts:
                share[self._offsets[si] + docs] += idf
        hits = np.flatnonzero(share > 0)
        if mask is not None:
            hits = hits[mask[hits]]
        values = share / total
        if allowed is None and hits.size > k:  # only the k best (and their ties) need sorting
            kth = np.partition(values[hits], hits.size - k)[hits.size - k]
            hits = hits[values[hits] >= kth]
        return self._ranked(hits, values, k, allowed)

    def _ranked(
        self, hits: np.ndarray, values: np.ndarray, k: int, allowed: Callable[[str], bool] | None
    ) -> list[tuple[str, float]]:
        """The ``k`` best of ``hits`` (global doc positions) by ``values``, ties by index order,
        as ``(chunk_id, value)`` pairs, skipping ids ``allowed`` rejects."""
        order = hits[np.lexsort((hits, -values[hits]))]
        out: list[tuple[str, float]] = []
        for g in order:
            si = int(np.searchsorted(self._offsets, g, side="right")) - 1
            cid = self._segments[si].ids[int(g - self._offsets[si])]
            if allowed is not None and not allowed(cid):
                continue
            out.append((cid, float(values[g])))
            if len(out) >= k:
                break
        return out

    # -- persistence -------------------------------------------------------------------------

    def save(self, directory: Path, generation: int) -> None:
        """Persist atomically under ``directory`` (created when missing).

        Writes only the segments not yet there (a save after :meth:`with_changes` costs in
        proportion to the change), then a new manifest, then swaps ``CURRENT``.

        Args:
            directory: The index directory, e.g. ``<data_dir>/bm25``.
            generation: The catalog generation the index reflects (see ``Catalog.generation``).

        Raises:
            OSError: the directory cannot be written (the previous index, if any, stays live).
        """
        directory.mkdir(parents=True, exist_ok=True)
        for seg in self._segments:
            seg.save(directory)
        name = f"m-{uuid.uuid4().hex}.json"
        payload = {
            "format": _FORMAT,
            "tokenizer": self._tokenizer_id,
            "generation": generation,
            "segments": [
                {"name": s.name, "deleted": np.flatnonzero(m).tolist()}
                for s, m in zip(self._segments, self._dead, strict=True)
            ],
        }
        previous = _current_name(directory)
        tmp = directory / f".tmp-{name}"
        try:
            with open(tmp, "w", encoding="utf-8") as fh:
                json.dump(payload, fh)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, directory / name)
            pointer = directory / f".{_CURRENT}.{name}"
            with open(pointer, "w", encoding="utf-8") as fh:
                fh.write(name)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(pointer, directory / _CURRENT)  # the commit point
            _fsync_dir(directory)
        except BaseException:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise
        _sweep(directory, keep={name, previous or ""})

    @classmethod
    def load(
        cls,
        directory: Path,
        tokenizer: Tokenizer = tokenize,
        tokenizer_id: int | str = TOKENIZER_VERSION,
        reuse: LexicalIndex | None = None,
    ) -> tuple[LexicalIndex, int] | None:
        """Load the live index under ``directory``.

        Args:
            directory: Where :meth:`save` wrote.
            tokenizer: The tokenizer the index was built with (see the class).
            tokenizer_id: Its name and version; an index saved with another is not loaded.
            reuse: An index already in memory: its segments named by the manifest are taken
                from it instead of being read again (a replica reads only what changed).

        Returns:
            ``(index, generation)``, or None when there is no index, it is unreadable or corrupt,
            or it was built by another format or tokenizer version; the caller then rebuilds.
        """
        try:
            name = (directory / _CURRENT).read_text(encoding="utf-8").strip()
            if not name.startswith("m-") or "/" in name or "\\" in name:
                return None
            payload = json.loads((directory / name).read_text(encoding="utf-8"))
            if payload.get("format") != _FORMAT or payload.get("tokenizer") != tokenizer_id:
                return None
            have = {s.name: s for s in reuse._segments} if reuse is not None else {}
            segments: list[Segment] = []
            dead: list[np.ndarray] = []
            for entry in payload["segments"]:
                seg_name = str(entry["name"])
                if not seg_name.isalnum():
                    return None
                seg = have.get(seg_name) or Segment.load(directory, seg_name)
                mask = np.zeros(len(seg), dtype=bool)
                mask[np.asarray(entry["deleted"], dtype=np.int64)] = True
                segments.append(seg)
                dead.append(mask)
            return cls(segments, dead, tokenizer, tokenizer_id), int(payload["generation"])
        except Exception as exc:  # any damage means "rebuild", never a crash
            if (directory / _CURRENT).exists():
                log.warning("BM25 index under %s is unreadable (%s); it will be rebuilt", directory, exc)
            return None


def _fsync_dir(path: Path) -> None:
    # Durability of renames on POSIX; not possible (nor needed) on Windows.
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _current_name(directory: Path) -> str | None:
    try:
        return (directory / _CURRENT).read_text(encoding="utf-8").strip()
    except OSError:
        return None


def _referenced(directory: Path, manifest: str) -> set[str]:
    """File names a manifest needs (itself and its segments' files); empty when unreadable."""
    try:
        payload = json.loads((directory / manifest).read_text(encoding="utf-8"))
        names = [str(s["name"]) for s in payload["segments"]]
    except (OSError, ValueError, KeyError, TypeError):
        return set()
    return {manifest, *(f"seg-{n}.{ext}" for n in names for ext in ("npz", "json"))}


def _sweep(directory: Path, keep: set[str]) -> None:
    """Delete files no kept manifest references: not the live one, not the previous (a concurrent
    reader may still be loading it), and nothing younger than a minute (another process may be
    writing or swapping it). Version directories of the format-1 index go the same way."""
    current = _current_name(directory)
    if current is None:
        return
    needed = {_CURRENT}
    for manifest in {current, *keep} - {""}:
        needed |= _referenced(directory, manifest)
    now = time.time()
    for entry in directory.iterdir():
        if entry.name in needed or not entry.name.startswith(("m-", "seg-", "v-", ".tmp-", f".{_CURRENT}.")):
            continue
        try:
            if now - entry.stat().st_mtime < _STALE_SECONDS:
                continue
            if entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink()
        except OSError:
            continue
