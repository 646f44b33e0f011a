"""Immutable BM25 segments: term postings of a batch of chunks, in the manner of Lucene segments.

A :class:`Segment` stores, for each term, the positions of the documents holding it and its
frequency there (compressed sparse columns: ``indptr`` over terms, ``docs`` and ``tf`` per
posting), plus each document's length in tokens. It stores *raw* term frequencies, not scores:
collection statistics (N, df, average length) are applied at query time over every live segment
(:mod:`rag.retrieval.lexical`), so an index made of several segments, with deletions, scores
exactly as one index built from scratch over the same live chunks.

On disk a segment is ``seg-<name>.npz`` (the arrays) plus ``seg-<name>.json`` (chunk ids, their
filter metadata and the vocabulary, in column order). Segments are never modified: a write adds a
new one, and :func:`merge` folds several into one.
"""

from __future__ import annotations

import json
import os
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import NamedTuple

import numpy as np

_TF_MAX = np.iinfo(np.uint16).max


class DocMeta(NamedTuple):
    """What lexical filtering needs to know about an indexed chunk.

    Attributes:
        source: Outlet name ("" when unknown).
        language: BCP 47 code.
        published_ts: Publication time in seconds since the epoch (UTC), or None.
        article_id: Id of the chunk's article.
    """

    source: str
    language: str
    published_ts: int | None
    article_id: str = ""


@dataclass(frozen=True, eq=False)
class Segment:
    """The postings of a batch of chunks.

    Attributes:
        name: Unique name (a uuid hex); also names the files on disk.
        ids: Chunk ids; position i is local document i.
        meta: Filter metadata, parallel to ``ids``.
        vocab: Column of each term.
        indptr: int64 [n_terms + 1]: the postings of term column c are ``indptr[c]:indptr[c+1]``.
        docs: int32 [n_postings]: local document positions, ascending within a column.
        tf: uint16 [n_postings]: term frequency in that document (capped at 65,535).
        lengths: int32 [n_docs]: document lengths in tokens.
        variants: Stemming variants of the segment's documents' languages.
    """

    name: str
    ids: tuple[str, ...]
    meta: tuple[DocMeta, ...]
    vocab: dict[str, int]
    indptr: np.ndarray
    docs: np.ndarray
    tf: np.ndarray
    lengths: np.ndarray
    variants: frozenset[str] = frozenset()
    positions: dict[str, int] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if not self.positions:
            self.positions.update((cid, i) for i, cid in enumerate(self.ids))

    def __len__(self) -> int:
        return len(self.ids)

    @cached_property
    def primary_languages(self) -> np.ndarray:
        """str [n_docs]: each document's primary language subtag ("en" of "en-GB"), computed once."""
        return np.array([m.language.split("-")[0] for m in self.meta], dtype=object)

    def postings(self, term: str) -> tuple[np.ndarray, np.ndarray] | None:
        """``(docs, tf)`` of ``term`` (views, ascending positions), or None if absent."""
        col = self.vocab.get(term)
        if col is None:
            return None
        a, b = int(self.indptr[col]), int(self.indptr[col + 1])
        return self.docs[a:b], self.tf[a:b]

    # -- building ----------------------------------------------------------------------------

    @classmethod
    def from_tokens(
        cls,
        ids: Sequence[str],
        meta: Sequence[DocMeta],
        tokens: Sequence[Sequence[str]],
        variants: frozenset[str] = frozenset(),
    ) -> Segment:
        """A segment over documents given as token lists (parallel to ``ids`` and ``meta``)."""
        vocab: dict[str, int] = {}
        term_col: list[int] = []
        doc_pos: list[int] = []
        freqs: list[int] = []
        lengths = np.zeros(len(ids), dtype=np.int32)
        for i, toks in enumerate(tokens):
            lengths[i] = len(toks)
            for tok, n in Counter(toks).items():
                term_col.append(vocab.setdefault(tok, len(vocab)))
                doc_pos.append(i)
                freqs.append(n)
        return cls.from_postings(
            ids,
            meta,
            vocab,
            np.asarray(term_col, dtype=np.int64),
            np.asarray(doc_pos, dtype=np.int64),
            np.minimum(np.asarray(freqs, dtype=np.int64), _TF_MAX).astype(np.uint16),
            lengths,
            variants,
        )

    @classmethod
    def from_postings(
        cls,
        ids: Sequence[str],
        meta: Sequence[DocMeta],
        vocab: dict[str, int],
        cols: np.ndarray,
        docs: np.ndarray,
        tf: np.ndarray,
        lengths: np.ndarray,
        variants: frozenset[str],
    ) -> Segment:
        """A segment from unordered postings: ``cols[i]`` (term column), ``docs[i]`` (document
        position) and ``tf[i]`` (uint16 count) are parallel arrays of one length; they are sorted
        by (column, document) into compressed-column form."""
        order = np.lexsort((docs, cols))
        indptr = np.zeros(len(vocab) + 1, dtype=np.int64)
        np.cumsum(np.bincount(cols, minlength=len(vocab)), out=indptr[1:])
        return cls(
            name=uuid.uuid4().hex,
            ids=tuple(ids),
            meta=tuple(meta),
            vocab=vocab,
            indptr=indptr,
            docs=docs[order].astype(np.int32),
            tf=tf[order],
            lengths=lengths,
            variants=variants,
        )

    # -- persistence -------------------------------------------------------------------------

    def save(self, directory: Path) -> None:
        """Write ``seg-<name>.npz`` and ``seg-<name>.json`` (skipped when already there).

        Raises:
            OSError: the directory cannot be written.
        """
        arrays, header = directory / f"seg-{self.name}.npz", directory / f"seg-{self.name}.json"
        if arrays.exists() and header.exists():
            return
        tmp = directory / f".tmp-{self.name}.npz"
        with open(tmp, "wb") as fh:
            np.savez(fh, indptr=self.indptr, docs=self.docs, tf=self.tf, lengths=self.lengths)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, arrays)
        terms = sorted(self.vocab, key=self.vocab.__getitem__)
        payload = {
            "ids": list(self.ids),
            "meta": [list(m) for m in self.meta],
            "vocab": terms,
            "variants": sorted(self.variants),
        }
        tmp = directory / f".tmp-{self.name}.json"
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(payload, fh, ensure_ascii=False)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, header)

    @classmethod
    def load(cls, directory: Path, name: str) -> Segment:
        """Read a segment written by :meth:`save`.

        Raises:
            ValueError: the files are missing, unreadable or inconsistent (any damage).
        """
        try:
            header = json.loads((directory / f"seg-{name}.json").read_text(encoding="utf-8"))
            with np.load(directory / f"seg-{name}.npz", allow_pickle=False) as npz:
                indptr, docs = npz["indptr"].astype(np.int64), npz["docs"].astype(np.int32)
                tf, lengths = npz["tf"].astype(np.uint16), npz["lengths"].astype(np.int32)
            ids = tuple(str(c) for c in header["ids"])
            meta = tuple(
                DocMeta(str(m[0]), str(m[1]), None if m[2] is None else int(m[2]), str(m[3]))
                for m in header["meta"]
            )
            terms = [str(t) for t in header["vocab"]]
            variants = frozenset(str(v) for v in header["variants"])
        except Exception as exc:
            raise ValueError(f"segment {name}: {exc}") from exc
        n_docs = len(ids)
        if (
            len(meta) != n_docs
            or len(set(ids)) != n_docs
            or len(lengths) != n_docs
            or len(indptr) != len(terms) + 1
            or int(indptr[0]) != 0
            or int(indptr[-1]) != len(docs)
            or len(tf) != len(docs)
            or np.any(np.diff(indptr) < 0)
            or (len(docs) and (int(docs.min()) < 0 or int(docs.max()) >= n_docs))
        ):
            raise ValueError(f"segment {name}: inconsistent arrays")
        vocab = {t: i for i, t in enumerate(terms)}
        if len(vocab) != len(terms):
            raise ValueError(f"segment {name}: repeated terms")
        return cls(name, ids, meta, vocab, indptr, docs, tf, lengths, variants)


def merge(segments: Sequence[Segment], deleted: Sequence[np.ndarray]) -> Segment:
    """One segment holding the live documents of ``segments``, in order.

    Args:
        segments: The segments to fold.
        deleted: Per segment, a bool mask [n_docs] of its deleted documents.

    Returns:
        A new segment (new name); postings of deleted documents are dropped.
    """
    vocab: dict[str, int] = {}
    cols: list[np.ndarray] = []
    docs: list[np.ndarray] = []
    tfs: list[np.ndarray] = []
    ids: list[str] = []
    meta: list[DocMeta] = []
    lengths: list[np.ndarray] = []
    variants: set[str] = set()
    offset = 0
    for seg, dead in zip(segments, deleted, strict=True):
        live = ~dead
        new_pos = np.cumsum(live, dtype=np.int64) - 1 + offset
        col_map = np.fromiter(
            (vocab.setdefault(t, len(vocab)) for t in sorted(seg.vocab, key=seg.vocab.__getitem__)),
            dtype=np.int64,
            count=len(seg.vocab),
        )
        term_of = np.repeat(col_map, np.diff(seg.indptr))
        keep = live[seg.docs]
        cols.append(term_of[keep])
        docs.append(new_pos[seg.docs[keep]])
        tfs.append(seg.tf[keep])
        ids.extend(cid for cid, d in zip(seg.ids, dead, strict=True) if not d)
        meta.extend(m for m, d in zip(seg.meta, dead, strict=True) if not d)
        lengths.append(seg.lengths[live])
        variants |= seg.variants
        offset += int(live.sum())
    # Terms held only by deleted documents keep an empty column; harmless, and folded away
    # by the next merge only if still unused (df is read from live postings, never from here).
    return Segment.from_postings(
        ids,
        meta,
        vocab,
        np.concatenate(cols) if cols else np.zeros(0, dtype=np.int64),
        np.concatenate(docs) if docs else np.zeros(0, dtype=np.int64),
        np.concatenate(tfs) if tfs else np.zeros(0, dtype=np.uint16),
        np.concatenate(lengths) if lengths else np.zeros(0, dtype=np.int32),
        frozenset(variants),
    )
