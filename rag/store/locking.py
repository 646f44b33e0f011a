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

First-time creation (the Chroma database and collection of an empty data dir) takes a second,
short lock, :func:`init_lock`: processes starting together on an empty directory create the
store once and the others open it, and a reader never waits for a long ingest to finish.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

from filelock import FileLock, Timeout

from rag.errors import StoreLockedError

DEFAULT_TIMEOUT = 30.0
"""Seconds :func:`write_lock` waits when the caller names no timeout (library callers)."""

WaitNotice = Callable[[str], None]
"""Called once with the holder ("pid 123: sanad ingest …") when the lock is not free at once."""


def lock_holder(data_dir: Path) -> str:
    """Who holds the data directory's write lock: ``"pid N: command"``, or ``"unknown"``."""
    holder_file = data_dir / ".write.lock.holder"
    try:
        return holder_file.read_text(encoding="utf-8").strip() or "unknown"
    except OSError:
        return "unknown"


@contextlib.contextmanager
def write_lock(
    data_dir: Path,
    timeout: float = DEFAULT_TIMEOUT,
    *,
    on_wait: WaitNotice | None = None,
    setting: str | None = None,
) -> Iterator[None]:
    """Hold the data directory's write lock for the duration of the block.

    Args:
        data_dir: The data directory (created when missing).
        timeout: Seconds to wait for another writer; 0 fails at once, a negative value waits forever.
        on_wait: Called once, before waiting, with the holder's description (``"pid N: command"``)
            when another process holds the lock; not called when the lock is free.
        setting: Name of the environment variable that sets ``timeout`` (e.g.
            ``SANAD_INGEST__LOCK_TIMEOUT``), quoted in the error so the user knows what to raise.

    Raises:
        StoreLockedError: another process kept the lock for ``timeout`` seconds; the message names it.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(data_dir / ".write.lock"), timeout=timeout)
    holder_file = data_dir / ".write.lock.holder"
    try:
        try:
            lock.acquire(timeout=0)
        except Timeout:
            if timeout == 0:
                raise
            if on_wait is not None:
                on_wait(lock_holder(data_dir))
            lock.acquire(timeout=timeout)
    except Timeout:
        hint = f" (set {setting} to wait longer)" if setting else ""
        raise StoreLockedError(
            f"another Sanad process is writing to {data_dir} (holder: {lock_holder(data_dir)}); "
            f"waited {timeout:g} s{hint}. Try again when it has finished."
        ) from None
    try:
        holder_file.write_text(f"pid {os.getpid()}: {' '.join(sys.argv)[:200]}", encoding="utf-8")
        yield
    finally:
        with contextlib.suppress(OSError):
            holder_file.unlink()
        lock.release()


@contextlib.contextmanager
def init_lock(data_dir: Path, timeout: float = DEFAULT_TIMEOUT) -> Iterator[None]:
    """Hold the data directory's creation lock: first-time initialisation, never a long write.

    Held only while something that does not exist yet is created (Chroma's database runs its
    migrations on first open; a new collection), so the wait is seconds at most, whatever the
    writers are doing. Callers re-check for the thing under the lock before creating it.

    Args:
        data_dir: The data directory (created when missing).
        timeout: Seconds to wait; a negative value waits forever.

    Raises:
        StoreLockedError: another process kept it for ``timeout`` seconds (a creation hung).
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(data_dir / ".init.lock"), timeout=timeout)
    try:
        lock.acquire()
    except Timeout:
        raise StoreLockedError(
            f"another Sanad process is creating the store in {data_dir} and has not finished "
            f"after {timeout:g} s; try again"
        ) from None
    try:
        yield
    finally:
        lock.release()
