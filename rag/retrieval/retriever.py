"""Hybrid retrieval: dense (Chroma, cosine) + lexical (BM25), fused, with news-aware bonuses.

Fusion is a convex combination of normalised scores whose dense weight shrinks for long queries
(:func:`rag.retrieval.fusion.query_alpha`), plus bonuses for chunks of outlets and days the question names
(:mod:`rag.retrieval.mentions`); reciprocal rank fusion stays available as the rank-only ablation.

Only chunks the catalog lists are ever returned: the catalog row is an article's commit point, so
chunks written to Chroma by an ingest that crashed before committing (or left behind by one that
crashed before deleting them) are invisible (DESIGN.md, "Invariants"). The BM25 index is a derived
view keyed by ``Catalog.generation()``: each :meth:`HybridRetriever.retrieve` compares the
generation (one SQL query) and, when it moved, brings the index in step at the cost of what
changed (:mod:`rag.retrieval.lexical_view`).
"""

from __future__ import annotations

import dataclasses
import logging
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from langchain_core.retrievers import BaseRetriever

from rag.embedding.embedders import DocumentEmbeddings, IdentifiedEmbeddings
from rag.retrieval.chunk_filters import filter_predicate
from rag.retrieval.fusion import (
    CONVEX_ALPHA,
    LONG_QUERY_ALPHA,
    convex_combination,
    long_query_share,
    query_alpha,
    reciprocal_rank_fusion,
)
from rag.retrieval.latent_terms import (
    LATENT_DEPTH,
    LATENT_WEIGHT,
    SENTENCE_LATENT_DEPTH,
    LatentTermsSource,
    rescore_by_latent_terms,
    rescore_by_sentence_latent,
)
from rag.retrieval.lexical import LexicalIndex
from rag.retrieval.lexical_view import LexicalView
from rag.retrieval.local_days import ArticleDays
from rag.retrieval.mentions import SourceMatcher, named_days, without_days
from rag.retrieval.mixed_languages import (
    FULL_LEXICAL_SHARE,
    LANGUAGE_GAP,
    calibrated,
    lexical_scale,
    other_language_tags,
    primary,
)
from rag.retrieval.sentence_cosines import (
    CROSS_SENTENCE_DEPTH,
    CROSS_SENTENCE_WEIGHT,
    best_sentence_cosines,
    dominant_script,
    rescore_head,
)
from rag.retrieval.sentence_evidence import best_sentence_score
from rag.store.catalog import ArticleCatalog
from rag.store.chroma import ChunkStore
from rag.text import crossscript
from rag.text.language import detect_language, script_of_language
from rag.types import Chunk, Filters, Retrieved

log = logging.getLogger(__name__)

SOURCE_BOOST = 0.3
"""Bonus added to the convex score of a chunk whose outlet the question names (DEV-measured)."""

DATE_BOOST = 0.3
"""Bonus added to the convex score of a chunk published on a day the question names."""

SENTENCE_WEIGHT = 0.4
"""Weight of the best-sentence evidence of a long question (:mod:`rag.retrieval.sentence_evidence`)."""

SENTENCE_DEPTH = 20
"""How many of the best fused candidates the sentence evidence re-scores."""

CROSS_SCRIPT_WEIGHT = 0.15
"""Weight of the cross-script key channel (:mod:`rag.text.crossscript`): a chunk gets this times the
idf-weighted share of the question's name and number keys it holds (measured on XQuAD en→ar DEV,
docs/results.md, issue #14)."""

MIXED_KEY_SHARE = 0.5
"""In a mixed collection, the cross-script key share of an other-language chunk weighs this part of
the lexical weight ``1 − alpha`` (0.3 for short questions, instead of
:data:`CROSS_SCRIPT_WEIGHT`): BM25 cannot see that chunk, and the question's names in its script
are the lexical evidence it has. Mixed DEV collections, first 250 questions (hit@1, 0.15 → this;
1.0 tried): XQuAD en→ar + MultiHop 0.580 → 0.632 (0.644), ar→en + ARCD 0.656 → 0.688 (0.700),
ARCD + MultiHop 0.712 → 0.712 (0.708), XQuAD-en + ARCD 0.980 → 0.976 (0.960)."""

MIXED_HEAD = 10
"""In a mixed collection the calibrated fusion applies only when a chunk in another language is
among this many best dense candidates by calibrated cosine (:meth:`HybridRetriever._other_language_hits`)."""

_LEXICAL_POOL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="sanad-lexical")
"""Runs the lexical side of each retrieval (BM25 + key channel) beside the question embedding."""

KEYS_TOKENIZER_ID = f"crossscript-{crossscript.KEY_VERSION}"
"""Tokenizer id saved with the key index: a new :data:`rag.text.crossscript.KEY_VERSION` rebuilds it."""


def _other_script_indexed(query: str, languages: frozenset[str]) -> bool:
    """True when the collection holds chunks in another script than the question's (Arabic-script
    languages against the rest). Within one script a date's month name keeps its numbers honest;
    MultiHop DEV loses two temporal questions' second gold article when they are blanked there
    (docs/results.md, session 6)."""
    asked = dominant_script(query)
    if asked is None:
        return False
    return any(script_of_language(lang) != asked for lang in languages)


def keys_index_dir(index_dir: Path) -> Path:
    """Where the cross-script key index lives: beside the BM25 index (``<data_dir>/bm25-keys``)."""
    return index_dir.with_name(index_dir.name + "-keys")


def rebuild_lexical_index(store: ChunkStore, catalog: ArticleCatalog, index_dir: Path) -> int:
    """Build the BM25 index and the cross-script key index (:func:`keys_index_dir`) from every
    listed chunk and save them (``sanad check --repair``).

    Args:
        store: The chunk store.
        catalog: The article catalog (decides which chunks are visible).
        index_dir: Where the index lives, e.g. ``<data_dir>/bm25``.

    Returns:
        Number of chunks indexed.

    Raises:
        OSError: the index cannot be written.
    """
    keys = keys_view(store, catalog, index_dir, background=False)
    keys.rebuild()
    return LexicalView(store, catalog, index_dir, background=False).rebuild()


def keys_view(
    store: ChunkStore, catalog: ArticleCatalog, index_dir: Path, background: bool = True
) -> LexicalView:
    """The cross-script key index as an incremental view (:mod:`rag.text.crossscript` keys as terms),
    saved under :func:`keys_index_dir` of the BM25 ``index_dir``."""
    return LexicalView(
        store, catalog, keys_index_dir(index_dir), crossscript.keys, KEYS_TOKENIZER_ID, background
    )


class HybridRetriever:
    """Dense + BM25 retrieval over the catalog's chunks, fused (convex combination or RRF).

    Args:
        store: Chunk store (dense search and chunk lookup).
        catalog: Article catalog: the chunk ids it lists are the only ones ever returned.
        embeddings: Embeds the query (the same embedder the store was built with).
        index_dir: Directory of the persisted BM25 index, e.g. ``<data_dir>/bm25``.
        dense_k: Candidates taken from the dense retriever.
        lexical_k: Candidates taken from BM25.
        rrf_k: Reciprocal rank fusion constant (60, Cormack et al. 2009).
        fusion: "convex" (normalised-score convex combination, Bruch et al. 2023; the default)
            or "rrf" (reciprocal rank fusion).
        alpha: Dense weight of the convex combination for short queries, in [0, 1].
        alpha_long: Dense weight for long queries (:func:`rag.retrieval.fusion.query_alpha`).
        source_boost: Bonus on the convex score of chunks from an outlet the question names.
        date_boost: Bonus on the convex score of chunks published on a day the question names
            (news-aware retrieval, :mod:`rag.retrieval.mentions`).
        sentence_weight: Weight of the best-sentence evidence for long queries, scaled by
            :func:`rag.retrieval.fusion.long_query_share`
            (:mod:`rag.retrieval.sentence_evidence`). With the two
            bonuses and this at 0 and ``alpha_long = alpha`` the fusion is the plain convex
            combination. RRF ignores all four (it is the rank-only ablation).
        cross_script_weight: Weight of the cross-script key channel (:meth:`_key_shares`): the
            idf-weighted share of the question's name/number keys (:mod:`rag.text.crossscript`)
            a chunk holds. 0 turns the channel off; RRF ignores it.
        lexical: The BM25 view to use (shared with the ingest pipeline in one process); by
            default one of its own over ``index_dir``.
        keys: The cross-script key view (likewise shared); by default :func:`keys_view`.
        language_gap: In a collection mixing the question's language with others, dense
            candidates are also taken from the other languages and this is added to their
            cosines before fusing; BM25 weighs by :func:`lexical_scale` with
            ``full_lexical_share`` (:mod:`rag.retrieval.mixed_languages`). 0 turns it off; RRF
            ignores it.
        full_lexical_share: See ``language_gap``.
        sentence_embeddings: Cached passage embedder for the cross-lingual sentence re-scoring
            (:mod:`rag.retrieval.sentence_cosines`); None turns it off.
        cross_sentence_weight: Its weight; 0 turns it off.
        latent_terms: Sparse "latent terms" vectors for the cross-lingual re-scoring of
            :mod:`rag.retrieval.latent_terms`; None (or an embedder without a sparse head)
            turns it off.
        latent_weight: Its weight; 0 turns it off.

    Thread-safe: the BM25 view swaps its state in one assignment, so a concurrent
    :meth:`retrieve` sees either the old or the new index.
    """

    def __init__(
        self,
        store: ChunkStore,
        catalog: ArticleCatalog,
        embeddings: IdentifiedEmbeddings,
        index_dir: Path,
        dense_k: int = 40,
        lexical_k: int = 40,
        rrf_k: int = 60,
        fusion: str = "convex",
        alpha: float = CONVEX_ALPHA,
        alpha_long: float = LONG_QUERY_ALPHA,
        source_boost: float = SOURCE_BOOST,
        date_boost: float = DATE_BOOST,
        sentence_weight: float = SENTENCE_WEIGHT,
        cross_script_weight: float = CROSS_SCRIPT_WEIGHT,
        lexical: LexicalView | None = None,
        keys: LexicalView | None = None,
        language_gap: float = LANGUAGE_GAP,
        full_lexical_share: float = FULL_LEXICAL_SHARE,
        sentence_embeddings: DocumentEmbeddings | None = None,
        cross_sentence_weight: float = CROSS_SENTENCE_WEIGHT,
        latent_terms: LatentTermsSource | None = None,
        latent_weight: float = LATENT_WEIGHT,
    ) -> None:
        if fusion not in ("convex", "rrf"):
            raise ValueError(f"unknown fusion {fusion!r}: choose 'convex' or 'rrf'")
        self.store = store
        self.catalog = catalog
        self.days = ArticleDays(catalog)
        self.embeddings = embeddings
        self.index_dir = index_dir
        self.dense_k = dense_k
        self.lexical_k = lexical_k
        self.rrf_k = rrf_k
        self.fusion = fusion
        self.alpha = alpha
        self.alpha_long = alpha_long
        self.source_boost = source_boost
        self.date_boost = date_boost
        self.sentence_weight = sentence_weight
        self.cross_script_weight = cross_script_weight
        self.language_gap = language_gap
        self.full_lexical_share = full_lexical_share
        self.sentence_embeddings = sentence_embeddings
        self.cross_sentence_weight = cross_sentence_weight
        self.latent_terms = latent_terms
        self.latent_weight = latent_weight
        self.lexical = lexical or LexicalView(store, catalog, index_dir)
        # The cross-script key channel: the same incremental view over key tokens.
        self.keys = keys or keys_view(store, catalog, index_dir)
        # Outlets of the indexed chunks, rebuilt when the BM25 index object changes.
        self._sources: tuple[LexicalIndex, SourceMatcher] | None = None

    @property
    def generation(self) -> int | None:
        """Catalog generation the loaded BM25 index reflects (None before the first refresh)."""
        return self.lexical.generation

    def refresh(self) -> bool:
        """Bring the BM25 index and the visible-id set in step with the catalog.

        Cheap when nothing changed (one catalog query); otherwise costs what changed
        (:meth:`rag.retrieval.lexical_view.LexicalView.refresh`).

        Returns:
            True when the index changed.
        """
        return self.lexical.refresh()

    def retrieve(self, query: str, k: int = 5, filters: Filters | None = None) -> list[Retrieved]:
        """The ``k`` best chunks for ``query``.

        Dense: the store's ``dense_k`` nearest chunks (cosine) under ``filters``; lexical: BM25's
        ``lexical_k`` best under the same filters. Chunks the catalog does not list are dropped;
        the two lists are fused by ``fusion`` (``Retrieved.score`` is the fused score: for convex
        fusion in [0, 1] plus any outlet/day bonus).

        Args:
            query: The (condensed) question.
            k: How many results at most.
            filters: Optional source, language and date filters.

        Returns:
            Retrieved chunks, best fused score first, with each list's rank and score.

        Raises:
            EmbeddingError: the embedder failed.
            StoreError: the store cannot be read.
        """
        if not query.strip() or k <= 0:
            return []
        state = self.lexical.current()
        index, visible = state.index, state.visible
        self.days.refresh()

        # The lexical side needs no question vector: it runs on another thread while this one
        # embeds the question and queries Chroma (both release the GIL), so on two cores BM25
        # and the key channel cost no latency (docs/results.md, issue #16).
        # across scripts a day the question names is matched by the day bonus, not by its numbers
        # as words (they meet other dates: «٥ آب ٢٠٢٥» holds the 5 and 2025 of "June 5, 2025")
        lexical_query = query
        if self.date_boost > 0 and _other_script_indexed(query, index.languages()):
            lexical_query = without_days(query)
        lexical_side = _LEXICAL_POOL.submit(self._lexical_side, lexical_query, index, filters)
        question_lang, others = self._mixed_languages(query, index)
        vector = self.embeddings.embed_query(query)
        dense_hits = [
            (chunk, sim)
            for chunk, sim in self.store.query(vector, self.dense_k, filters)
            if chunk.chunk_id in visible
        ]
        calibrated_scores: list[tuple[str, float]] = []
        if others:
            mixed = self._other_language_hits(vector, dense_hits, question_lang, others, filters, visible)
            if mixed is None:  # no other-language chunk competes: the plain fusion, unchanged
                others = ()
            else:
                dense_hits, calibrated_scores = mixed
        lexical_hits, key_shares = lexical_side.result()

        dense_ids = [c.chunk_id for c, _ in dense_hits]
        lexical_ids = [cid for cid, _ in lexical_hits]
        chunks: dict[str, Chunk] = {c.chunk_id: c for c, _ in dense_hits}
        dense_info = {c.chunk_id: (rank, sim) for rank, (c, sim) in enumerate(dense_hits, 1)}
        lexical_info = {cid: (rank, score) for rank, (cid, score) in enumerate(lexical_hits, 1)}

        if self.fusion == "rrf":
            fused = reciprocal_rank_fusion([dense_ids, lexical_ids], k=self.rrf_k)
        else:
            n_terms = index.known_terms(query)
            alpha = query_alpha(n_terms, self.alpha, self.alpha_long)
            dense_scores, scale = [(c.chunk_id, sim) for c, sim in dense_hits], 1.0
            if others:  # a mixed collection: fair to chunks in another language (mixed_languages)
                dense_scores = calibrated_scores
                best = chunks[dense_scores[0][0]] if dense_scores else None
                other_best = best is not None and primary(best.language) != primary(question_lang)
                if (
                    lexical_hits
                    and other_best
                    and self._other_language_holds_names(
                        query, question_lang, dense_scores, key_shares, chunks
                    )
                ):
                    # another language holds the best calibrated chunk: BM25, blind to it, weighs by
                    # how much of the question its best chunk holds
                    scale = lexical_scale(index.evidence_share(query), self.full_lexical_share)
            fused = convex_combination(dense_scores, lexical_hits, alpha=alpha, lexical_scale=scale)
            if key_shares:
                weight = self.cross_script_weight
                if others:  # names in the other script stand in for the BM25 it cannot have
                    weight = max(weight, MIXED_KEY_SHARE * (1 - alpha))
                fused = self._add_key_shares(fused, key_shares, weight)
            fused = self._news_boost(query, fused, index)
            weight = self.sentence_weight * long_query_share(n_terms)
            if weight > 0:
                fused = self._sentence_evidence(query, fused, index, chunks, weight)
            if self.cross_sentence_weight > 0 and self.sentence_embeddings is not None:
                fused = self._cross_lingual_sentences(query, vector, fused, chunks)
            if self.latent_weight > 0 and self.latent_terms is not None:
                fused = self._cross_lingual_latent(query, fused, chunks)
        out: list[Retrieved] = []
        pos = 0
        while len(out) < k and pos < len(fused):
            window = fused[pos : pos + k - len(out)]
            pos += len(window)
            missing = [cid for cid, _ in window if cid not in chunks]
            if missing:  # lexical-only hits; a chunk deleted since the index was built is skipped
                chunks.update((c.chunk_id, c) for c in self.store.get(missing))
            for cid, score in window:
                chunk = chunks.get(cid)
                if chunk is None:
                    continue
                d_rank, d_sim = dense_info.get(cid, (None, None))
                l_rank, l_score = lexical_info.get(cid, (None, None))
                out.append(
                    Retrieved(
                        chunk=chunk,
                        score=score,
                        dense_rank=d_rank,
                        lexical_rank=l_rank,
                        dense_score=d_sim,
                        lexical_score=l_score,
                    )
                )
        return out

    def _mixed_languages(self, query: str, index: LexicalIndex) -> tuple[str, tuple[str, ...]]:
        """The question's language and the collection's other language tags, when it mixes them.

        ``("und", ())`` for RRF, a zero ``language_gap`` or a collection in one language (no
        language detection is run then).
        """
        languages = index.languages()
        if self.fusion == "rrf" or self.language_gap <= 0 or len(languages) < 2:
            return "und", ()
        question_lang = detect_language(query, undetermined="und")
        if question_lang == "und":
            # a short question of names ("Who coaches Al-Faisaly?") leaves the classifier unsure;
            # its script still tells which of the collection's languages it is in, when only one
            # of them is written in that script
            asked = dominant_script(query)
            same = [lang for lang in languages if script_of_language(lang) == asked]
            if len(same) == 1:
                question_lang = same[0]
        return question_lang, other_language_tags(question_lang, index.language_tags())

    @staticmethod
    def _other_language_holds_names(
        query: str,
        question_lang: str,
        dense_scores: list[tuple[str, float]],
        key_shares: list[tuple[str, float]],
        chunks: dict[str, Chunk],
    ) -> bool:
        """Whether the other language shows evidence of its own before BM25 is discounted.

        True when the question names no one and nothing (no cross-script key: the dense
        evidence is all there is), or when a chunk in another language among the first
        :data:`MIXED_HEAD` calibrated candidates holds one of its names or numbers. An Arabic
        question over Arabic news beside English web pages otherwise lost its BM25 evidence to
        English boilerplate ("Email (required) Sign up…") that is close to every question:
        ARCD over ARCD + MultiHop hit@1 0.724 → 0.644; with this check 0.712, and XQuAD en→ar over
        the Arabic paragraphs + MultiHop keeps 0.580 of the plain fusion's 0.012 (first 250
        questions each; docs/results.md).
        """
        if not crossscript.keys(query):
            return True
        keyed = {cid for cid, share in key_shares if share > 0}
        lang = primary(question_lang)
        return any(
            cid in keyed and primary(chunks[cid].language) != lang for cid, _ in dense_scores[:MIXED_HEAD]
        )

    def _other_language_hits(
        self,
        vector: list[float],
        dense_hits: list[tuple[Chunk, float]],
        question_lang: str,
        others: tuple[str, ...],
        filters: Filters | None,
        visible: frozenset[str],
    ) -> tuple[list[tuple[Chunk, float]], list[tuple[str, float]]] | None:
        """``dense_hits`` and the ``dense_k`` nearest chunks in the ``others`` languages, ordered
        by calibrated cosine: ``(hits with their raw cosines, (chunk_id, calibrated cosine))``
        (:func:`calibrated`); None when no other-language chunk reaches the first
        :data:`MIXED_HEAD` of them.

        Other-language cosines are ~0.08 lower than a same-language chunk's on the same content,
        so in a collection mostly in the question's language they rarely reach the first
        ``dense_k``; ranked by calibrated cosine, they enter only where they compete (a few stray
        chunks in a third language change nothing, not even the min-max normalisation of the
        dense scores). A language filter of the caller still applies (the intersection). One
        more store query.
        """
        wanted = tuple(t for t in others if not filters or not filters.languages or t in filters.languages)
        if not wanted:
            return None
        scoped = dataclasses.replace(filters or Filters(), languages=wanted)
        seen = {c.chunk_id for c, _ in dense_hits}
        extra = [
            (chunk, sim)
            for chunk, sim in self.store.query(vector, self.dense_k, scoped)
            if chunk.chunk_id in visible and chunk.chunk_id not in seen
        ]
        merged = dense_hits + extra
        # the union, not its dense_k best: lifted by the gap, other-language chunks would push the
        # question-language chunks BM25 confirms out of the dense list (ARCD questions over ARCD +
        # MultiHop news: hit@1 0.727 → 0.661 with the cut)
        order = calibrated(merged, question_lang, self.language_gap)
        by_id = {chunk.chunk_id: (chunk, sim) for chunk, sim in merged}
        head = [by_id[cid][0] for cid, _ in order[:MIXED_HEAD]]
        if all(primary(c.language) == primary(question_lang) for c in head):
            return None
        return [by_id[cid] for cid, _ in order], order

    def _news_boost(
        self, query: str, fused: list[tuple[str, float]], index: LexicalIndex
    ) -> list[tuple[str, float]]:
        """Add the outlet and day bonuses to ``fused`` and re-sort (stable for ties)."""
        if not (self.source_boost or self.date_boost) or not fused:
            return fused
        sources = self._source_matcher(index).named(query) if self.source_boost else frozenset()
        days = named_days(query) if self.date_boost else frozenset()
        if not sources and not days:
            return fused
        boosted: list[tuple[str, float]] = []
        for cid, score in fused:
            meta = index.meta(cid)
            if meta is not None:
                if meta.source in sources:
                    score += self.source_boost
                if days and self.days.iso(meta.article_id) in days:
                    score += self.date_boost
            boosted.append((cid, score))
        return sorted(boosted, key=lambda kv: -kv[1])

    def _source_matcher(self, index: LexicalIndex) -> SourceMatcher:
        cached = self._sources
        if cached is None or cached[0] is not index:
            cached = (index, SourceMatcher(index.sources()))
            self._sources = cached
        return cached[1]

    def source_matcher(self) -> SourceMatcher:
        """The outlets of the indexed articles, to find the ones a question names (rebuilt when
        the index changes)."""
        return self._source_matcher(self.lexical.current().index)

    def keys_index(self) -> LexicalIndex:
        """The cross-script key index, in step with the catalog (a second incremental view,
        :class:`rag.retrieval.lexical_view.LexicalView`, saved under :func:`keys_index_dir`)."""
        return self.keys.current().index

    def _lexical_side(
        self, query: str, index: LexicalIndex, filters: Filters | None
    ) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
        """BM25's ``lexical_k`` best under ``filters`` and the cross-script key shares
        (:meth:`_key_shares`; empty for RRF or a zero weight), as ``(hits, shares)``."""
        allowed = filter_predicate(filters, index.meta, self.days.get)
        hits = index.search(query, self.lexical_k, allowed)
        convex = self.fusion != "rrf" and self.cross_script_weight > 0
        return hits, self._key_shares(query, filters) if convex else []

    def _key_shares(self, query: str, filters: Filters | None) -> list[tuple[str, float]]:
        """The cross-script key share of the chunks in another language than the question.

        The share is :meth:`LexicalIndex.coverage` over the key index: the idf-weighted part of
        the question's names and numbers (in any script) the chunk holds. Chunks in the
        question's own language are left to BM25, which already matches their names (keys there
        would count the same evidence twice: measured, docs/results.md); a question whose
        language is undetermined gets keys everywhere. Returns ``(chunk_id, share)`` pairs, best
        first, at most ``lexical_k``.
        """
        if not crossscript.keys(query):
            return []
        keys = self.keys_index()
        question_lang = detect_language(query, undetermined="und").split("-")[0]
        if keys.languages() <= {question_lang}:  # no chunk in another language: nothing to add
            return []
        predicate = filter_predicate(filters, keys.meta)
        mask = keys.other_language_mask(question_lang)
        return keys.coverage(query, self.lexical_k, predicate, mask=mask)

    def _add_key_shares(
        self, fused: list[tuple[str, float]], shares: list[tuple[str, float]], weight: float
    ) -> list[tuple[str, float]]:
        """Add ``weight × share`` to the chunks of ``shares`` (:meth:`_key_shares`); chunks found
        only by their keys join the candidates. Returns ``fused`` re-sorted (stable for ties)."""
        scores = dict(fused)
        for cid, share in shares:
            scores[cid] = scores.get(cid, 0.0) + weight * share
        order = {cid: i for i, (cid, _) in enumerate(fused)}
        return sorted(scores.items(), key=lambda kv: (-kv[1], order.get(kv[0], len(order))))

    def _cross_lingual_sentences(
        self,
        query: str,
        vector: list[float],
        fused: list[tuple[str, float]],
        chunks: dict[str, Chunk],
    ) -> list[tuple[str, float]]:
        """Re-score the first :data:`CROSS_SENTENCE_DEPTH` candidates by their best sentence when
        one of them is in another script than the question (:mod:`rag.retrieval.sentence_cosines`).
        Fetches the texts of lexical-only candidates into ``chunks`` (one store call)."""
        head = self._fetch_head(fused, CROSS_SENTENCE_DEPTH, chunks)
        if not head or head[0] not in chunks:
            return fused
        asked = dominant_script(query)
        # any candidate of the head in the other script opens the gate: in a collection of both
        # languages the best may be a same-language article on the topic and the second the
        # other-language one holding the fact (DEV mixed collections, session 7: XQuAD en→ar +
        # MultiHop 0.642 → 0.687 hit@1, ar→en + ARCD 0.672 → 0.687, the others equal or better)
        if asked is None or all(
            dominant_script(chunks[cid].text[:400]) in (asked, None) for cid in head if cid in chunks
        ):
            return fused
        texts = [chunks[cid].text if cid in chunks else "" for cid in head]
        assert self.sentence_embeddings is not None  # checked by the caller
        cosines = best_sentence_cosines(vector, texts, self.sentence_embeddings)
        if cosines is None:
            return fused
        # a head that mixes scripts (a mixed collection): sentences in the other script than the
        # question are scored the language gap lower by e5, as whole chunks are (mixed_languages)
        cosines = [
            c + (self.language_gap if dominant_script(t[:400]) not in (asked, None) else 0.0)
            for c, t in zip(cosines, texts, strict=True)
        ]
        return rescore_head(fused, cosines, self.cross_sentence_weight)

    def _cross_lingual_latent(
        self, query: str, fused: list[tuple[str, float]], chunks: dict[str, Chunk]
    ) -> list[tuple[str, float]]:
        """Re-score the first :data:`LATENT_DEPTH` candidates by the latent terms they share with
        the question when the best one is in another script (:mod:`rag.retrieval.latent_terms`).
        Fetches the texts of lexical-only candidates into ``chunks`` (one store call)."""
        head = self._fetch_head(fused, LATENT_DEPTH, chunks)
        texts = [chunks[cid].text if cid in chunks else None for cid in head]
        assert self.latent_terms is not None  # checked by the caller
        fused = rescore_by_latent_terms(query, fused, texts, self.latent_terms, self.latent_weight)
        # then the new head by its closest sentence (the chunk vector sums five or six sentences)
        head = [cid for cid, _ in fused[:SENTENCE_LATENT_DEPTH]]
        texts = [chunks[cid].text if cid in chunks else None for cid in head]
        return rescore_by_sentence_latent(query, fused, texts, self.latent_terms)

    def _fetch_head(self, fused: list[tuple[str, float]], depth: int, chunks: dict[str, Chunk]) -> list[str]:
        """The ids of the first ``depth`` candidates, with the chunks of the lexical-only ones
        fetched into ``chunks`` (one store call; a chunk deleted since stays absent)."""
        head = [cid for cid, _ in fused[:depth]]
        missing = [cid for cid in head if cid not in chunks]
        if missing:
            chunks.update((c.chunk_id, c) for c in self.store.get(missing))
        return head

    def _sentence_evidence(
        self,
        query: str,
        fused: list[tuple[str, float]],
        index: LexicalIndex,
        chunks: dict[str, Chunk],
        weight: float,
    ) -> list[tuple[str, float]]:
        """Re-score the best :data:`SENTENCE_DEPTH` candidates with their best sentence.

        Adds ``weight × best_sentence / max best_sentence`` (so in [0, weight]) and re-sorts
        them; the rest of ``fused`` keeps its order below. Fetches the texts of lexical-only
        candidates into ``chunks`` (one store call).
        """
        head, tail = fused[:SENTENCE_DEPTH], fused[SENTENCE_DEPTH:]
        missing = [cid for cid, _ in head if cid not in chunks]
        if missing:
            chunks.update((c.chunk_id, c) for c in self.store.get(missing))
        terms = set(index.query_tokens(query))
        idf = index.idf(terms)
        evidence = {
            cid: best_sentence_score(chunks[cid].text, chunks[cid].language, terms, idf)
            for cid, _ in head
            if cid in chunks
        }
        top = max(evidence.values(), default=0.0)
        if top <= 0:
            return fused
        rescored = [(cid, score + weight * evidence.get(cid, 0.0) / top) for cid, score in head]
        return sorted(rescored, key=lambda kv: -kv[1]) + tail

    def as_langchain(self, k: int = 5, filters: Filters | None = None) -> BaseRetriever:
        """This retriever behind LangChain's ``BaseRetriever`` seam (``.invoke(query)`` → Documents).

        Args:
            k: Documents per query.
            filters: Filters applied to every query.
        """
        from rag.retrieval.langchain_retriever import SanadLangChainRetriever

        return SanadLangChainRetriever(retriever=self, k=k, filters=filters)
