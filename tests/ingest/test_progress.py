"""`sanad ingest` shows a progress bar with an ETA on a terminal, and only there (issue 16, item 4)."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest

from ingest.readers import count_records, expand_paths, read_file


def _feed(path: Path, n: int) -> None:
    rows = [
        {"id": f"p{i}", "title": f"Notice {i}", "body": f"Notice {i}: the library opens at {i} o'clock."}
        for i in range(n)
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n\n", encoding="utf-8")


def test_count_records_counts_what_the_readers_yield(tmp_path: Path) -> None:
    _feed(tmp_path / "a.jsonl", 7)
    (tmp_path / "b.json").write_text(json.dumps([{"body": "one"}, {"body": "two"}]), encoding="utf-8")
    (tmp_path / "c.md").write_text("# T\n\nbody", encoding="utf-8")
    (tmp_path / "d.jsonl").write_text('{"body": "x"}\n  \n{"body": "no newline at end"}', encoding="utf-8")
    (tmp_path / "e.json").write_text("{not json", encoding="utf-8")
    files, _ = expand_paths([str(tmp_path)])
    read = sum(1 for f in files for item in read_file(f) if getattr(item, "kind", "") != "warning")
    assert count_records(files) == read == 7 + 2 + 1 + 2 + 1


def _cli(args: list[str], data: Path, *, tty: bool) -> tuple[str, str, int]:
    """Run ``sanad`` with stdout on a pipe and stderr on a pseudo-terminal (or a pipe)."""
    env = {**os.environ, "SANAD_DATA_DIR": str(data), "SANAD_CACHE_DIR": str(data / "cache")}
    if not tty:
        done = subprocess.run(
            [sys.executable, "-m", "sanad.cli", *args], env=env, capture_output=True, text=True, timeout=300
        )
        return done.stdout, done.stderr, done.returncode
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 120, 0, 0))  # a real size
    proc = subprocess.Popen(
        [sys.executable, "-m", "sanad.cli", *args], env=env, stdout=subprocess.PIPE, stderr=follower
    )
    os.close(follower)
    err = b""
    while True:
        try:
            block = os.read(leader, 4096)
        except OSError:  # the child closed the terminal
            break
        if not block:
            break
        err += block
    out, _ = proc.communicate(timeout=300)
    os.close(leader)
    return out.decode(), err.decode(errors="replace"), proc.returncode


@pytest.mark.slow
def test_the_bar_counts_articles_on_a_terminal_and_json_stays_clean(tmp_path: Path) -> None:
    feed = tmp_path / "feed.jsonl"
    _feed(feed, 5)
    out, err, code = _cli(["ingest", str(feed), "--json"], tmp_path / "data", tty=True)
    assert code == 0, err
    assert json.loads(out)["added"] == 5  # stdout is the report alone
    assert "ingesting" in err and "5/5" in err and "article" in err

    quiet_out, quiet_err, code = _cli(["ingest", str(feed), "--json", "-q"], tmp_path / "data", tty=True)
    assert code == 0 and json.loads(quiet_out)["unchanged"] == 5
    assert "ingesting" not in quiet_err


def test_no_bar_when_stderr_is_not_a_terminal(tmp_path: Path) -> None:
    feed = tmp_path / "feed.jsonl"
    _feed(feed, 2)
    out, err, code = _cli(["ingest", str(feed)], tmp_path / "data", tty=False)
    assert code == 0 and "added" in out
    assert "ingesting" not in err and "article/s" not in err


def test_articles_advance_as_their_chunks_are_embedded_not_per_batch(tmp_path: Path) -> None:
    """A batch of articles embedded at ~8 chunks/s used to advance the bar in one jump at its end."""
    from rag.settings import load_settings
    from sanad.app import Sanad

    feed = tmp_path / "feed.jsonl"
    rows = [
        {
            "id": f"a{n}",
            "title": f"Ferries {n}",
            "body": " ".join(
                f"Ferry {n}{i} to island {i} leaves at {i + n} from pier {n}." for i in range(15)
            ),
        }
        for n in range(3)
    ]
    feed.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    chunking = {"target_tokens": 32, "overlap_tokens": 0}
    settings = load_settings(data_dir=tmp_path / "data", cache_dir=tmp_path / "cache", chunking=chunking)
    steps: list[float] = []
    report = Sanad(settings).pipeline.ingest_paths([str(feed)], articles_done=steps.append)
    assert report.added == 3 and report.chunks_embedded >= 24  # one batch of articles (64 chunks max)
    assert len(steps) >= 3 and max(steps) < 2, steps  # several small steps, not one jump of 3
    assert sum(steps) == pytest.approx(3)
