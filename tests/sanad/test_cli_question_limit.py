"""``sanad ask`` and ``sanad search`` refuse a question over ``SANAD_MAX_QUESTION_CHARS`` (the
API's limit) with exit 2 and the API's message in the question's language."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def run(args: list[str], tmp: Path, **env: str) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "SANAD_DATA_DIR": str(tmp / "data"), "SANAD_CACHE_DIR": str(tmp / "c"), **env}
    cmd = [sys.executable, "-m", "sanad.cli", *args]
    return subprocess.run(cmd, capture_output=True, text=True, env=full, timeout=300, check=False)


def test_a_49000_character_question_is_refused_like_the_api_does(tmp_path: Path) -> None:
    done = run(["ask", "Why? " * 9800], tmp_path)
    assert done.returncode == 2, done.stdout[:300] + done.stderr[:300]
    assert "The question is too long: 48999 characters, and the limit is 4000" in done.stderr
    assert "Traceback" not in done.stderr and not (tmp_path / "data").exists()  # nothing opened


def test_the_limit_comes_from_the_settings_and_speaks_arabic(tmp_path: Path) -> None:
    question = "ما الذي قاله رئيس البنك المركزي الأوروبي عن أسعار الفائدة؟"
    for command in ("ask", "search"):
        done = run([command, question], tmp_path, SANAD_MAX_QUESTION_CHARS="30")
        assert done.returncode == 2, done.stderr
        assert "السؤال طويل جدًا" in done.stderr and "30" in done.stderr
