"""BM25 index over chunks (bm25s, numpy backend), persisted beside Chroma.

Scoring is BM25 in Lucene's variant (``method="lucene"``: idf = ln(1 + (N - df + 0.5) / (df + 0.5)),
always positive) with Lucene's defaults k1 = 1.2 and b = 0.75 (Robertson & Zaragoza, "The
Probabilistic Relevance Framework: BM25 and Beyond", FnTIR 3(4), 2009; Lucene ``BM25Similarity``;
Kamphuis et al., "Which BM25 Do You Mean?", ECIR 2020). Documents and queries are tokenised by
:func:`rag.text.normalize.tokenize`, so bm25s only ever sees pre-tokenised lists of strings.

On disk, ``dir/CURRENT`` names the live version directory ``dir/v-<uuid>/`` (bm25s arrays plus
``sanad.json`` with the chunk ids, their filter metadata and the catalog generation). A save writes
a new version directory completely, then swaps ``CURRENT`` with ``os.replace`` (atomic on POSIX and
Windows), so a crash leaves the old index or the new one, never half of one.
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
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from rag.text.normalize import TOKENIZER_VERSION, stemming_variant, tokenize

Tokenizer = Callable[[str, str | None], list[str]]
"""``(text, language) -> tokens``: how an index turns documents and queries into terms."""

log = logging.getLogger(__name__)

#: BM25 free parameters: Lucene's defaults (Robertson & Zaragoza 2009 recommend k1 in [1.2, 2], b = 0.75).
BM25_K1 = 1.2
BM25_B = 0.75
_FORMAT = 1
_META_NAME = "sanad.json"
_CURRENT = "CURRENT"
_STALE_SECONDS = 60.0  # old version directories younger than this are left for concurrent readers


def _quiet_bm25s() -> None:
    # bm25s sets its logger to DEBUG at import; follow the root logger instead.
    logging.getLogger("bm25s").setLevel(logging.NOTSET)


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


@dataclass(frozen=True)
class DocMeta:
    """What lexical filtering needs to know about an indexed chunk."""

    source: str
    language: str
    published_ts: int | None
    article_id: str = ""


class LexicalIndex:
    """An immutable BM25 index over chunk texts.

    Build with :meth:`build` or :meth:`load`; the constructor is internal.

    Args:
        chunk_ids: Indexed chunk ids; position i is bm25s document i.
        meta: Filter metadata by chunk id.
        bm25: The bm25s model, or None when no document has a token.
        variants: Languages of the documents whose stemming differs from the default
            (:func:`rag.text.normalize.stemming_variant`); a query is also tokenised with each of them.
        tokenizer: Turns texts into terms (default :func:`rag.text.normalize.tokenize`; the
            cross-script channel indexes :func:`rag.text.crossscript.keys` instead).
        tokenizer_id: Names the tokenizer and its version in the saved index, so an index saved
            with another one is rebuilt (default :data:`rag.text.normalize.TOKENIZER_VERSION`).
    """

    def __init__(
        self,
        chunk_ids: list[str],
        meta: dict[str, DocMeta],
        bm25: Any | None,
        variants: tuple[str, ...],
        tokenizer: Tokenizer = tokenize,
        tokenizer_id: int | str = TOKENIZER_VERSION,
    ) -> None:
        self._ids = chunk_ids
        self._meta = meta
        self._bm25 = bm25
        self._variants = variants
        self._tokenize = tokenizer
        self._tokenizer_id = tokenizer_id

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
        import bm25s

        _quiet_bm25s()

        ids: list[str] = []
        meta: dict[str, DocMeta] = {}
        corpus: list[list[str]] = []
        variants: set[str] = set()
        for item in items:
            doc = item if isinstance(item, LexicalDoc) else LexicalDoc(*item)
            if doc.chunk_id in meta:
                continue
            ids.append(doc.chunk_id)
            meta[doc.chunk_id] = DocMeta(doc.source, doc.language, doc.published_ts, doc.article_id)
            corpus.append(tokenizer(doc.text, doc.language))
            variant = stemming_variant(doc.language)
            if variant:
                variants.add(variant)
        bm25: Any | None = None
        if any(corpus):  # bm25s cannot index a corpus without a single token
            bm25 = bm25s.BM25(k1=BM25_K1, b=BM25_B, method="lucene")
            bm25.index(corpus, show_progress=False)
        return cls(ids, meta, bm25, tuple(sorted(variants)), tokenizer, tokenizer_id)

    # -- reading -----------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, chunk_id: object) -> bool:
        return chunk_id in self._meta

    @property
    def chunk_ids(self) -> list[str]:
        """Indexed chunk ids, in index order (a copy)."""
        return list(self._ids)

    def meta(self, chunk_id: str) -> DocMeta | None:
        """Filter metadata of an indexed chunk, or None if it is not indexed."""
        return self._meta.get(chunk_id)

    def known_terms(self, query: str) -> int:
        """How many distinct query tokens (:meth:`query_tokens`) the index vocabulary holds."""
        if self._bm25 is None:
            return 0
        vocab = self._bm25.vocab_dict
        return sum(1 for tok in set(self.query_tokens(query)) if tok in vocab)

    def idf(self, tokens: Iterable[str]) -> dict[str, float]:
        """Lucene's BM25 idf, ``ln(1 + (N - df + 0.5) / (df + 0.5))``, of each indexed token.

        ``N`` is the number of indexed chunks and ``df`` the chunks holding the token (read from
        the bm25s score matrix, one column per token). Tokens the index has never seen are absent.
        """
        if self._bm25 is None:
            return {}
        vocab = self._bm25.vocab_dict
        indptr = self._bm25.scores["indptr"]
        n_docs = float(self._bm25.scores["num_docs"])
        out: dict[str, float] = {}
        for tok in tokens:
            col = vocab.get(tok)
            if col is None or col + 1 >= len(indptr):
                continue
            df = float(indptr[col + 1] - indptr[col])
            out[tok] = math.log(1.0 + (n_docs - df + 0.5) / (df + 0.5))
        return out

    def sources(self) -> set[str]:
        """The distinct non-empty outlet names of the indexed chunks."""
        return {m.source for m in self._meta.values() if m.source}

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

        Returns:
            ``(chunk_id, score)`` pairs, best first, only scores > 0 (ties broken by index order).
            Empty for an empty index, ``k <= 0`` or a query with no known token.
        """
        if self._bm25 is None or k <= 0:
            return []
        vocab: dict[str, int] = self._bm25.vocab_dict
        query_tokens = self._tokenize(query, None)
        token_ids = sorted({vocab[t] for t in self.query_tokens(query) if t in vocab})
        if not token_ids:
            return []
        scores = np.asarray(self._bm25.get_scores_from_ids(token_ids), dtype=np.float64)
        hits = np.flatnonzero(scores > 0)
        need = required_matches(len(set(query_tokens))) if min_should_match else 1
        if need > 1 and hits.size:
            matched = np.zeros(scores.shape[0], dtype=np.int32)
            for tid in token_ids:
                matched += np.asarray(self._bm25.get_scores_from_ids([tid])) > 0
            hits = hits[matched[hits] >= need]
        order = hits[np.lexsort((hits, -scores[hits]))]
        out: list[tuple[str, float]] = []
        for i in order:
            cid = self._ids[int(i)]
            if allowed is not None and not allowed(cid):
                continue
            out.append((cid, float(scores[i])))
            if len(out) >= k:
                break
        return out

    # -- persistence -------------------------------------------------------------------------

    def save(self, directory: Path, generation: int) -> None:
        """Persist atomically under ``directory`` (created when missing).

        Args:
            directory: The index directory, e.g. ``<data_dir>/bm25``.
            generation: The catalog generation the index reflects (see ``Catalog.generation``).

        Raises:
            OSError: the directory cannot be written (the previous index, if any, stays live).
        """
        directory.mkdir(parents=True, exist_ok=True)
        name = f"v-{uuid.uuid4().hex}"
        tmp = directory / f".tmp-{name}"
        try:
            tmp.mkdir()
            if self._bm25 is not None:
                self._bm25.save(str(tmp), show_progress=False)
            payload = {
                "format": _FORMAT,
                "tokenizer": self._tokenizer_id,
                "generation": generation,
                "empty": self._bm25 is None,
                "variants": list(self._variants),
                "chunk_ids": self._ids,
                "meta": {
                    cid: [m.source, m.language, m.published_ts, m.article_id] for cid, m in self._meta.items()
                },
            }
            (tmp / _META_NAME).write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
            previous = _current_name(directory)
            _fsync_dir(tmp)
            os.replace(tmp, directory / name)
            pointer = directory / f".{_CURRENT}.{name}"
            with open(pointer, "w", encoding="utf-8") as fh:
                fh.write(name)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(pointer, directory / _CURRENT)  # the commit point
            _fsync_dir(directory)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        _sweep(directory, keep={name, previous or ""})

    @classmethod
    def load(
        cls, directory: Path, tokenizer: Tokenizer = tokenize, tokenizer_id: int | str = TOKENIZER_VERSION
    ) -> tuple[LexicalIndex, int] | None:
        """Load the live index under ``directory``.

        Args:
            directory: Where :meth:`save` wrote.
            tokenizer: The tokenizer the index was built with (see the class).
            tokenizer_id: Its name and version; an index saved with another is not loaded.

        Returns:
            ``(index, generation)``, or None when there is no index, it is unreadable or corrupt,
            or it was built by another format or tokenizer version; the caller then rebuilds.
        """
        try:
            name = (directory / _CURRENT).read_text(encoding="utf-8").strip()
            if not name.startswith("v-") or "/" in name or "\\" in name:
                return None
            version = directory / name
            payload = json.loads((version / _META_NAME).read_text(encoding="utf-8"))
            if payload.get("format") != _FORMAT or payload.get("tokenizer") != tokenizer_id:
                return None
            ids = [str(c) for c in payload["chunk_ids"]]
            meta = {
                str(cid): DocMeta(str(m[0]), str(m[1]), None if m[2] is None else int(m[2]), str(m[3]))
                for cid, m in payload["meta"].items()
            }
            if set(meta) != set(ids) or len(ids) != len(meta):
                return None
            bm25: Any | None = None
            if not payload["empty"]:
                import bm25s

                _quiet_bm25s()

                bm25 = bm25s.BM25.load(str(version), show_progress=False, verbosity=0)
                if int(bm25.scores["num_docs"]) != len(ids) or not bm25.vocab_dict:
                    return None
                indptr = bm25.scores["indptr"]
                term_ids = [i for tok, i in bm25.vocab_dict.items() if tok]  # "" is bm25s's empty token
                if int(indptr[-1]) != len(bm25.scores["data"]) or max(term_ids) >= len(indptr) - 1:
                    return None
            variants = tuple(str(v) for v in payload["variants"])
            return cls(ids, meta, bm25, variants, tokenizer, tokenizer_id), int(payload["generation"])
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


def _sweep(directory: Path, keep: set[str]) -> None:
    """Delete version directories other than the live, the previous (a concurrent reader may still be
    loading it) and those younger than a minute (another process may be writing or swapping them)."""
    current = _current_name(directory)
    if current is None:
        return
    now = time.time()
    for entry in directory.iterdir():
        if entry.name in keep or entry.name in (current, _CURRENT):
            continue
        if not entry.name.startswith(("v-", ".tmp-", f".{_CURRENT}.")):
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
