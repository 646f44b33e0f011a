"""`sanad ask` prints the notice sentences the answer text does not already say, once."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sanad.cli import _unsaid


def test_only_the_notice_sentences_not_in_the_answer_are_printed() -> None:
    text = "No LLM is configured, so here are the most relevant passages from the articles:\n\n…"
    notice = (
        "No LLM is configured, so here are the most relevant passages from the articles. "
        "The quoted passages are in Arabic; quotes are shown as written."
    )
    assert _unsaid(notice, text) == "The quoted passages are in Arabic; quotes are shown as written."


def test_a_notice_the_text_already_holds_prints_nothing() -> None:
    assert _unsaid("Answered from 2 articles.", "Answered from 2 articles. [1]") == ""
    assert _unsaid(None, "text") == ""
    assert _unsaid("لم أجد ذلك في المقالات؟ جرّب كلمات أخرى.", "لم أجد ذلك في المقالات") == "جرّب كلمات أخرى."


def test_the_other_language_notice_goes_to_stdout_with_the_answer(tmp_path: Path) -> None:
    # `sanad ask … > answer.txt` keeps it (newcomer check, session 6: it went to stderr)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "aqaba.txt").write_text(
        "محطة تحلية في العقبة\n\nأعلنت وزارة المياه الأردنية توقيع اتفاقية لبناء محطة تحلية في العقبة "
        "بكلفة ٢٫١ مليار دولار، تنتج ٣٠٠ مليون متر مكعب من المياه سنوياً.\n",
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("SANAD_LLM")}
    env["SANAD_DATA_DIR"] = str(tmp_path / "data")

    def sanad(*args: str) -> subprocess.CompletedProcess[str]:
        cmd = [sys.executable, "-m", "sanad.cli", *args]
        return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300, check=False)

    assert sanad("ingest", str(corpus)).returncode == 0
    out = sanad("ask", "How much will the Aqaba desalination plant cost?")
    assert out.returncode == 0, out.stderr
    assert "The quoted passages are in Arabic" in out.stdout
    assert "The quoted passages are in Arabic" not in out.stderr
