"""The write lock's wait: a second writer says whom it waits for, waits up to the setting, then fails."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rag.errors import StoreLockedError
from rag.settings import load_settings
from rag.store.locking import write_lock
from sanad.app import Sanad
from tests.ingest.test_crash_safety import cli, committed, write_corpus

HOLD = (
    "import sys, time\nfrom pathlib import Path\nfrom rag.store.locking import write_lock\n"
    "with write_lock(Path(sys.argv[1])):\n    print('held', flush=True)\n    time.sleep(float(sys.argv[2]))\n"
)


def hold_in_child(data: Path, seconds: float) -> subprocess.Popen[str]:
    """Another process holding the lock for ``seconds`` (returns once it holds it)."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(data), str(seconds)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    return proc


def read_until(proc: subprocess.Popen[str], marker: str) -> list[str]:
    """stderr lines of ``proc`` up to and including the first holding ``marker`` (all, at EOF)."""
    assert proc.stderr is not None
    lines: list[str] = []
    while line := proc.stderr.readline():
        lines.append(line)
        if marker in line:
            break
    return lines


def test_write_lock_tells_once_whom_it_waits_for(tmp_path: Path) -> None:
    notices: list[str] = []
    with write_lock(tmp_path, 5, on_wait=notices.append):
        pass
    assert notices == []  # a free lock: no notice

    holder = hold_in_child(tmp_path, 1.0)
    started = time.monotonic()
    with write_lock(tmp_path, 30, on_wait=notices.append):
        waited = time.monotonic() - started
    holder.wait(timeout=30)
    assert notices == [notices[0]] and notices[0].startswith(f"pid {holder.pid}: ")
    assert 0.3 < waited < 20


def test_a_short_timeout_fails_naming_the_holder_and_the_setting(tmp_path: Path) -> None:
    holder = hold_in_child(tmp_path, 5.0)
    try:
        with (
            pytest.raises(StoreLockedError) as err,
            write_lock(tmp_path, 0.2, setting="SANAD_INGEST__LOCK_TIMEOUT"),
        ):
            pass
    finally:
        holder.kill()
        holder.wait(timeout=30)
    message = str(err.value)
    assert f"holder: pid {holder.pid}: " in message and "waited 0.2 s" in message
    assert "SANAD_INGEST__LOCK_TIMEOUT" in message


def test_lock_timeouts_are_settings_with_a_long_cli_default() -> None:
    settings = load_settings()
    assert settings.ingest.lock_timeout >= 600
    assert 0 < settings.ingest.server_lock_timeout <= 60
    assert load_settings(ingest={"lock_timeout": 5}).ingest.lock_timeout == 5


def test_cli_ingest_short_timeout_fails_with_a_clear_message(tmp_path: Path) -> None:
    corpus = tmp_path / "feed.jsonl"
    write_corpus(corpus, 2)
    data, cache = tmp_path / "data", tmp_path / "cache"
    env = {"SANAD_INGEST__LOCK_TIMEOUT": "1"}
    with write_lock(data):
        proc = cli(["ingest", str(corpus)], data, cache, env)
        _, err = proc.communicate(timeout=120)
    assert proc.returncode == 1
    assert err.count("waiting for another Sanad process") == 1
    assert f"holder: pid {os.getpid()}" in err
    assert "error: another Sanad process is writing to" in err and "waited 1 s" in err
    assert "SANAD_INGEST__LOCK_TIMEOUT" in err and "Traceback" not in err


@pytest.mark.slow
def test_cli_ingest_waits_past_the_old_fixed_30_s(tmp_path: Path) -> None:
    corpus = tmp_path / "feed.jsonl"
    write_corpus(corpus, 3)
    data, cache = tmp_path / "data", tmp_path / "cache"
    with write_lock(data):
        proc = cli(["ingest", str(corpus)], data, cache, {"SANAD_INGEST__LOCK_TIMEOUT": "120"})
        lines = read_until(proc, "waiting for another Sanad process")
        assert lines and f"holder: pid {os.getpid()}" in lines[-1], "".join(lines)
        assert "up to 120 s" in lines[-1]
        time.sleep(31)  # longer than the old hard-coded 30 s
        assert proc.poll() is None, "the ingest gave up while the holder was still writing"
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    assert "added 3" in out and "waiting for" not in err  # said once, not repeated


@pytest.mark.slow
def test_two_concurrent_cli_ingests_both_succeed_and_the_second_says_it_waits(tmp_path: Path) -> None:
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    write_corpus(a, 120)  # ~12 s of embedding: the second starts well before the end
    b.write_text(a.read_text(encoding="utf-8").replace('"id": "n', '"id": "b-n'), encoding="utf-8")
    data, cache = tmp_path / "data", tmp_path / "cache"
    first = cli(["ingest", str(a)], data, cache)
    deadline = time.monotonic() + 240
    while committed(data) < 1 and first.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert first.poll() is None, "the first ingest must still hold the lock"
    second = cli(["ingest", str(b)], data, cache)
    _, err_first = first.communicate(timeout=300)
    out_second, err_second = second.communicate(timeout=300)
    assert first.returncode == 0, err_first
    assert second.returncode == 0, err_second
    assert err_second.count("waiting for another Sanad process") == 1
    assert f"holder: pid {first.pid}: " in err_second
    assert "added 120" in out_second
    sanad = Sanad(load_settings(data_dir=data, cache_dir=cache))
    assert sanad.catalog.count() == 240
    assert sanad.store.all_ids() == sanad.catalog.chunk_ids()
