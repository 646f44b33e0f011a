"""``sanad ingest --dry-run`` writes nothing, not even a fresh data directory, and says what it
*would* store; ``--help`` shows flags as flags (nc8 report, D11)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ARTICLE = "Harbour reopens\n\nThe harbour reopened on Monday after the storm, the port authority said.\n"


def run(args: list[str], data: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SANAD_DATA_DIR": str(data), "COLUMNS": "120"}
    env.pop("SANAD_CACHE_DIR", None)  # the cache goes under the data dir, where nothing may appear
    cmd = [sys.executable, "-m", "sanad.cli", *args]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300, check=False)


def test_a_dry_run_on_a_fresh_data_dir_creates_nothing_and_says_would_store(tmp_path: Path) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "good.txt").write_text(ARTICLE, encoding="utf-8")
    (folder / "broken.json").write_text("{not json", encoding="utf-8")
    data = tmp_path / "data"
    done = run(["ingest", "--dry-run", str(folder)], data)
    assert done.returncode == 3, done.stdout + done.stderr
    assert "would be: added 1," in done.stdout and "failed 1" in done.stdout
    assert "partial: would store 1, 1 failed" in done.stderr, done.stderr
    assert not data.exists(), sorted(p.name for p in data.rglob("*"))


def test_a_dry_run_over_a_store_predicts_unchanged_and_writes_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "good.txt").write_text(ARTICLE, encoding="utf-8")
    data = tmp_path / "data"
    assert run(["ingest", "-q", str(folder)], data).returncode == 0
    bridge = "Bridge opens\n\nThe new bridge opened to traffic on Sunday.\n"
    (folder / "new.txt").write_text(bridge, encoding="utf-8")
    before = {p: p.stat().st_mtime_ns for p in data.rglob("*") if p.is_file() and "lock" not in p.name}
    done = run(["ingest", "--dry-run", str(folder)], data)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "would be: added 1, updated 0, unchanged 1" in done.stdout
    after = {p: p.stat().st_mtime_ns for p in data.rglob("*") if p.is_file() and "lock" not in p.name}
    assert set(after) == set(before)


def test_help_shows_flags_without_a_value_type(tmp_path: Path) -> None:
    done = run(["ingest", "--help"], tmp_path / "data")
    assert done.returncode == 0, done.stderr
    assert "--dry-run" in done.stdout and "--quiet" in done.stdout
    assert "<bool>" not in done.stdout  # "--dry-run <bool>" invited "--dry-run true"
    assert "<int" in run(["ask", "--help"], tmp_path / "data").stdout  # valued options keep theirs
