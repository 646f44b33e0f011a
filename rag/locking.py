"""One writer per data directory: an inter-process lock around every write.

Two processes writing to one on-disk Chroma store corrupt rows silently (stack.md P1), so every
writer takes this lock (the filelock library). The holder's pid and command are written beside
the lock so a blocked writer can say who holds it.

Server mode (``SANAD_STORE__CHROMA_URL``): the lock is still taken, on the local data dir, but it
no longer guards the store. It only serialises writers that share this data dir (its BM25 index
and embeddings cache, and a sweep running under one process's commit); writers with other data
dirs or on other hosts are not held back. The Chroma server serialises their writes itself
(stack.md: two HttpClient writers, 8,000/8,000 rows readable), and cross-process safety comes from
the commit protocol (chunks, then the shared catalog record, then stale deletes; readers trust
only listed ids) plus the sweep's grace period (``store.orphan_grace_seconds``). A lock shared
across hosts would need a compare-and-swap Chroma does not offer.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path

from filelock import FileLock, Timeout

from rag.errors import StoreLockedError


@contextlib.contextmanager
def write_lock(data_dir: Path, timeout: float = 30.0) -> Iterator[None]:
    """Hold the data directory's write lock for the duration of the block.

    Args:
        data_dir: The data directory (created when missing).
        timeout: Seconds to wait for another writer; 0 fails at once, a negative value waits forever.

    Raises:
        StoreLockedError: another process kept the lock for ``timeout`` seconds; the message names it.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(data_dir / ".write.lock"), timeout=timeout)
    holder_file = data_dir / ".write.lock.holder"
    try:
        lock.acquire()
    except Timeout:
        holder = holder_file.read_text(encoding="utf-8").strip() if holder_file.exists() else "unknown"
        raise StoreLockedError(
            f"another Sanad process is writing to {data_dir} (holder: {holder}); "
            f"waited {timeout:g} s. Try again when it has finished."
        ) from None
    try:
        holder_file.write_text(f"pid {os.getpid()}: {' '.join(sys.argv)[:200]}", encoding="utf-8")
        yield
    finally:
        with contextlib.suppress(OSError):
            holder_file.unlink()
        lock.release()
