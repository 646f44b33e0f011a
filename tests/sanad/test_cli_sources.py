"""``sanad ask`` (plain and ``--json``) shows one source per article and lists syndicated copies."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.fixtures.fake_openai import FakeOpenAI, fake_llm, fake_llm_server

__all__ = ["fake_llm", "fake_llm_server"]

WIRE = (
    "The river bridge will close to lorries heavier than 40 tonnes from Monday, the transport ministry "
    "said. Engineers found cracks in two of its steel girders during an inspection last month."
)
COPIES = {
    "reuters.txt": ("Bridge closes to heavy lorries", "LONDON (Reuters) - " + WIRE),
    "post.txt": ("Ministry shuts bridge to lorries", "By Staff Writer. " + WIRE),
    "news.txt": ("Heavy lorries banned from bridge", WIRE.replace("said.", "said on Thursday.")),
}


def run(args: list[str], data: Path, base_url: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "SANAD_DATA_DIR": str(data),
        "SANAD_LLM__BASE_URL": base_url,
        "SANAD_LLM__MODEL": "fake-model",
        "SANAD_LLM__MAX_RETRIES": "0",
    }
    cmd = [sys.executable, "-m", "sanad.cli", *args]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300, check=False)


def test_ask_lists_copies_once_in_plain_and_json(tmp_path: Path, fake_llm: FakeOpenAI) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, (title, body) in COPIES.items():
        (corpus / name).write_text(f"{title}\n\n{body}\n", encoding="utf-8")
    data = tmp_path / "data"
    assert run(["ingest", str(corpus)], data, fake_llm.base_url).returncode == 0
    question = "When will the bridge close to lorries heavier than 40 tonnes?"
    fake_llm.enqueue("From Monday [1][2], said the ministry [3].")
    plain = run(["ask", question], data, fake_llm.base_url)
    assert plain.returncode == 0, plain.stderr
    assert "From Monday [1], said the ministry [1]." in plain.stdout
    assert "[2]" not in plain.stdout and plain.stdout.count("also in: ") == 1
    fake_llm.enqueue("From Monday [1][2], said the ministry [3].")
    payload = json.loads(run(["ask", question, "--json"], data, fake_llm.base_url).stdout)
    (cite,) = payload["citations"]
    assert len(cite["also_in"]) == 2 and payload["short_answer"] is None
    names = {cite["article_id"], *(s["article_id"] for s in cite["also_in"])}
    assert len(names) == 3 and all(n.endswith(".txt") for n in names)
