"""Symbolic links in ingested folders (#13): folder links followed once, loops and dangling links named."""

from __future__ import annotations

import os
from pathlib import Path

from ingest.readers import expand_paths


def _tree(tmp_path: Path) -> Path:
    root = tmp_path / "news"
    (root / "local").mkdir(parents=True)
    (root / "local" / "a.txt").write_text("Story A.", encoding="utf-8")
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "b.txt").write_text("Story B.", encoding="utf-8")
    os.symlink(shared, root / "linked")  # a folder link inside the ingested folder
    os.symlink(root, root / "local" / "loop")  # a link back up: a loop
    os.symlink(root / "local", root / "again")  # a second path to a folder read anyway
    os.symlink(tmp_path / "gone.txt", root / "dangling.txt")
    os.symlink(tmp_path / "gone-dir", root / "dangling-dir")
    return root


def test_folder_links_are_followed_once_and_nothing_is_skipped_silently(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    files, problems = expand_paths([str(root)])
    assert sorted(p.name for p in files) == ["a.txt", "b.txt"]  # b.txt through the folder link
    reasons = {Path(p.where).name: (p.kind, p.reason) for p in problems}
    assert reasons["loop"][0] == "skipped" and "already read" in reasons["loop"][1]
    assert "already read" in reasons["again"][1] and "local" not in reasons  # the real folder is read
    assert reasons["dangling.txt"] == (
        "skipped",
        f"dangling symbolic link (points to {tmp_path / 'gone.txt'}, which does not exist)",
    )
    assert "dangling symbolic link" in reasons["dangling-dir"][1]


def test_a_dangling_link_given_directly_is_named(tmp_path: Path) -> None:
    os.symlink(tmp_path / "nowhere.md", tmp_path / "post.md")
    files, problems = expand_paths([str(tmp_path / "post.md")])
    assert files == [] and "dangling symbolic link" in problems[0].reason


def test_ingest_reports_the_links(tmp_path: Path) -> None:
    from rag.settings import load_settings
    from sanad.app import Sanad

    root = _tree(tmp_path)
    report = Sanad(
        load_settings(data_dir=tmp_path / "data", cache_dir=tmp_path / "cache")
    ).pipeline.ingest_paths([str(root)])
    assert report.added == 2 and report.failed == 0
    skipped = dict(report.skipped)
    assert str(root / "dangling.txt") in skipped and str(root / "local" / "loop") in skipped
