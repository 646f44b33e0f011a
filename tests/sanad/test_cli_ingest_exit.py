"""``sanad ingest`` exit codes: 0 all stored, 1 nothing stored (nothing found or all failed),
3 partial success; the message names the path the user gave (newcomer findings, #15)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ARTICLE = "Harbour reopens\n\nThe harbour reopened on Monday after the storm, the port authority said.\n"


def run(args: list[str], tmp: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SANAD_DATA_DIR": str(tmp / "data"), "SANAD_CACHE_DIR": str(tmp / "cache")}
    cmd = [sys.executable, "-m", "sanad.cli", *args]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300, check=False)


def test_an_empty_folder_exits_1_naming_it(tmp_path: Path) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    done = run(["ingest", str(folder)], tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "error: nothing found" in done.stderr and str(folder.resolve()) in done.stderr
    assert "Traceback" not in done.stderr


def test_only_unsupported_files_exit_1_and_list_them(tmp_path: Path) -> None:
    folder = tmp_path / "scans"
    folder.mkdir()
    (folder / "a.pdf").write_bytes(b"%PDF-1.4")
    (folder / "b.docx").write_bytes(b"PK")
    done = run(["ingest", str(folder), "--json"], tmp_path)
    assert done.returncode == 1
    assert json.loads(done.stdout)["skipped_files"] == 2  # stdout stays the JSON report
    assert "nothing found" in done.stderr and str(folder.resolve()) in done.stderr


def test_a_typo_in_the_path_exits_1_naming_it(tmp_path: Path) -> None:
    done = run(["ingest", str(tmp_path / "artciles")], tmp_path)
    assert done.returncode == 1
    assert "artciles" in done.stderr and "error: nothing ingested" in done.stderr


def test_every_file_failing_exits_1(tmp_path: Path) -> None:
    folder = tmp_path / "feeds"
    folder.mkdir()
    (folder / "broken.json").write_text("{not json", encoding="utf-8")
    (folder / "blank.txt").write_text("   \n", encoding="utf-8")
    done = run(["ingest", str(folder)], tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "error: nothing ingested: 2 failed" in done.stderr, done.stderr
    assert str(folder.resolve()) in done.stderr


def test_partial_success_exits_3_with_both_counts(tmp_path: Path) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "good.txt").write_text(ARTICLE, encoding="utf-8")
    (folder / "broken.json").write_text("{not json", encoding="utf-8")
    done = run(["ingest", str(folder)], tmp_path)
    assert done.returncode == 3, done.stdout + done.stderr
    assert "added 1," in done.stdout and "failed 1" in done.stdout
    assert "partial: 1 stored, 1 failed" in done.stderr and "broken.json" in done.stderr
    again = run(["ingest", str(folder / "good.txt")], tmp_path)  # unchanged is success
    assert again.returncode == 0 and "unchanged 1" in again.stdout
