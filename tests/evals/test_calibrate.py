"""The calibration's vectorised replay agrees with the product's abstention rule."""

from __future__ import annotations

import itertools

from evals.calibrate import Case, fast_rates, features, rates
from rag.answer.grounding import GroundingPolicy
from rag.types import Chunk, Retrieved


def chunk(i: int, text: str, language: str) -> Chunk:
    return Chunk(f"c{i}", f"a{i}", 0, text, 0, len(text), title="", language=language)


def test_fast_replay_matches_should_abstain() -> None:
    en = chunk(0, "The central bank cut interest rates on Thursday.", "en")
    ar = chunk(1, "خفض البنك المركزي أسعار الفائدة يوم الخميس.", "ar")
    cases = []
    for i, (score, c, question, lang, answerable) in enumerate(
        itertools.product(
            [None, 0.74, 0.79, 0.83, 0.9],
            [en, ar],
            ["Why did the central bank cut interest rates?", "What is the recipe for chocolate cake?"],
            ["en"],
            [True, False],
        )
    ):
        passages = (Retrieved(c, 0.5, dense_rank=1 if score else None, dense_score=score),)
        cases.append(Case(f"g{i % 3}", answerable, question, lang, passages))
    table = [(c.group, c.answerable, features(c)) for c in cases]
    for policy in (
        GroundingPolicy(),
        GroundingPolicy(0.8, 0.75, 0.7, 0.34),
        GroundingPolicy(0.95, 0.9, 0.9, 0.67),
    ):
        assert fast_rates(table, policy) == rates(cases, policy)
