"""Fixtures of the ingest tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fixtures.fake_openai import FakeOpenAI


@pytest.fixture
def embedder() -> Iterator[FakeOpenAI]:
    """A fake embeddings server of this test only (so the test can delay it or take it down)."""
    server = FakeOpenAI()
    server.start()
    yield server
    server.stop()
