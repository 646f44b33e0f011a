"""Ctrl-C during ``sanad ingest``: one line says what was kept, and the same command finishes.

The run is a real subprocess embedding through the loopback fake OpenAI server, whose scripted
delay holds it mid-embedding while the test sends SIGINT (what Ctrl-C sends).
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.fixtures.fake_openai import FakeOpenAI
from tests.fixtures.processes import remote_embedder_env, run_sanad
from tests.ingest.test_embedder_faults import FIRST, SECOND, write_jsonl


def test_ctrl_c_says_what_was_kept_and_a_rerun_finishes(tmp_path: Path, embedder: FakeOpenAI) -> None:
    data = tmp_path / "data"
    env = {**remote_embedder_env(data, embedder.base_url), "SANAD_EMBEDDER__TIMEOUT": "30"}
    first, second = write_jsonl(tmp_path / "a.jsonl", FIRST), write_jsonl(tmp_path / "b.jsonl", SECOND)
    assert run_sanad(["ingest", str(first)], env, tmp_path).returncode == 0
    embedder.embedding_requests.clear()
    embedder.enqueue_embedding_delay(5, times=10)
    proc = subprocess.Popen(
        [sys.executable, "-m", "sanad.cli", "ingest", str(first), str(second)],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # a terminal delivers Ctrl-C with the default disposition; the suite's process may hold
        # SIGINT ignored (a child started in the background inherits that), and Python then
        # installs no KeyboardInterrupt handler: the run finished with exit 0 under `make test`
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 60
    while not embedder.embedding_requests and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)

    assert proc.returncode == 130, out + err
    assert "interrupted: the articles stored so far are kept; run the same command to finish" in err
    assert "Traceback" not in err  # nc8 D9: the run vanished without a word
    rerun = run_sanad(["ingest", str(first), str(second)], env, tmp_path)
    assert rerun.returncode == 0 and "unchanged 1" in rerun.stdout, rerun.stdout + rerun.stderr
