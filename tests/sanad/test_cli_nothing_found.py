"""``sanad search``/``ask`` say why there is nothing to show: filters that leave no result, or a data
directory that holds no articles (named, and not created), in the question's language."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def run(args: list[str], data: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SANAD_DATA_DIR": str(data), "OMP_WAIT_POLICY": "PASSIVE"}
    cmd = [sys.executable, "-m", "sanad.cli", *args]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=cwd, timeout=300, check=False)


def test_ask_and_search_name_a_missing_or_empty_data_directory(tmp_path: Path) -> None:
    data = tmp_path / "nowhere" / "data"
    asked = run(["ask", "Who won the regatta?"], data, tmp_path)
    assert asked.returncode == 1 and "Traceback" not in asked.stderr
    assert f"the data directory {data} does not exist" in asked.stderr
    assert "SANAD_DATA_DIR" in asked.stderr and not data.exists()  # nothing created
    assert run(["stats"], data, tmp_path).returncode == 0  # an empty store now exists
    searched = run(["search", "من فاز بسباق القوارب؟"], data, tmp_path)
    assert searched.returncode == 1
    assert f"مجلد البيانات {data} لا يحوي أي مقال" in searched.stderr


def test_a_search_its_filters_empty_says_so_and_names_them(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "regatta.txt").write_text(
        "Regatta\nKIEL, June 22, 2023 — The Danish crew won the Kiel regatta on Saturday.\n", encoding="utf-8"
    )
    data = tmp_path / "data"
    assert run(["ingest", str(corpus)], data, tmp_path).returncode == 0
    found = run(["search", "--since", "2023-06-01", "Kiel regatta"], data, tmp_path)
    assert found.returncode == 0 and "regatta.txt" in found.stdout  # dated by its dateline
    empty = run(["search", "--since", "2023-07-01", "--until", "2023-08-01", "Kiel regatta"], data, tmp_path)
    assert empty.returncode == 0
    assert empty.stdout.strip() == (
        "No results for this search with the filters --since 2023-07-01 --until 2023-08-01."
    )
    arabic = run(["search", "--language", "ar", "سباق القوارب في كيل"], data, tmp_path)
    assert arabic.stdout.strip() == "لا نتائج لهذا البحث مع المرشّحات --language ar."
