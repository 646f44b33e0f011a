"""Fixtures of the chat UI tests: one real store with the Arabic sample, built once per session.

Embedding the sample takes ~10 s, so the store is session-scoped and shared by the handler and
browser tests; everything lives under pytest's tmp dirs, never in the repo tree.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from rag.settings import Settings, load_settings
from sanad.app import Sanad

REPO = Path(__file__).resolve().parents[2]
ARABIC_SAMPLE = REPO / "samples" / "articles" / "ar-putin-pyongyang-visit.txt"

AR_QUESTION = "على ماذا شكر بوتين كوريا الشمالية؟"
EN_FOLLOW_UP = "What did Putin thank North Korea for?"
AR_PASSAGE = "شكر الرئيس الروسي"


@pytest.fixture(scope="session")
def sample_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Settings, Sanad]]:
    """Settings and a :class:`Sanad` whose store holds the Arabic sample article."""
    root = tmp_path_factory.mktemp("ui-store")
    articles = root / "articles"
    articles.mkdir()
    shutil.copy(ARABIC_SAMPLE, articles / ARABIC_SAMPLE.name)
    settings = load_settings(data_dir=root / "data")
    sanad = Sanad(settings)
    report = sanad.pipeline.ingest_paths([str(articles)])
    assert report.added == 1 and not report.failures, report
    yield settings, sanad
