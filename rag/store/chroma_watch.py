"""Keeping a process's view of an on-disk Chroma store in step with other processes' writes.

chromadb (1.5) keeps each collection's HNSW vector index in memory, per process. Another
process's writes reach the shared SQLite file (records, metadata, the write log) but not that
index: this process then answers unfiltered queries from the old vectors, and every query whose
``where`` filter selects a record written since fails with "Error finding id"
(chroma-core/chroma#7032), until it restarts (nc8 report, D1: ``sanad ingest`` beside a running
``sanad serve``). A process's own writes replay the whole log into its index first, so only
other processes' writes make it stale.

:class:`WriteLogWatch` notices them cheaply: the SQLite file's ``stat`` (microseconds, every
call) and, only when that changed, the write log's last sequence number (one indexed query).
:func:`open_collection_afresh` then opens the collection on a new chromadb ``System`` of its own,
outside chromadb's per-path cache of shared systems: it loads the index from disk and replays
the log. The stale one is freed once no running query holds it (plain reference counting).
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

_LOG_QUERY = "SELECT max(seq_id) FROM embeddings_queue"
"""Chroma's write log (``embeddings_queue``): every add, upsert, update and delete appends a row
with a growing ``seq_id``; purging keeps the rows from the oldest unapplied one on, so the last
row stays (checked on chromadb 1.5.9 stores)."""


class WriteLogWatch:
    """Tells whether an on-disk Chroma store was written since the view was last marked current.

    Not locked: a race at worst reports one change twice (one needless reopen).

    Args:
        chroma_dir: The Chroma directory (holding ``chroma.sqlite3``).
    """

    def __init__(self, chroma_dir: Path) -> None:
        self.path = chroma_dir / "chroma.sqlite3"
        self._stamp: tuple[int, int, int] | None = None
        self._position: int | None = None
        self.mark()

    def moved(self) -> bool:
        """True when the store was written since :meth:`mark` (by another process, if this one
        marks after its own writes)."""
        stamp = self._file_stamp()
        if stamp == self._stamp:
            return False
        position = self._log_position()
        if position is not None and position == self._position:
            self._stamp = stamp  # bookkeeping that logged nothing (e.g. a client opening the file)
            return False
        return True

    def version(self) -> tuple[int, int, int] | None:
        """The SQLite file's state now (mtime, size, inode): equal versions, no write between."""
        return self._file_stamp()

    def mark(self) -> None:
        """Record the store's state as the one the view reflects (after opening it afresh, or
        after this process's own write, which replayed the log)."""
        self._stamp = self._file_stamp()
        self._position = self._log_position()

    def _file_stamp(self) -> tuple[int, int, int] | None:
        # Journal mode "delete": every commit rewrites pages of the main file, so its mtime moves.
        try:
            st = os.stat(self.path)
        except OSError:
            return None
        return st.st_mtime_ns, st.st_size, st.st_ino

    def _log_position(self) -> int | None:
        """The log's last sequence number, or None when it cannot be read (busy, other schema)."""
        try:
            db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=1.0)
            try:
                row = db.execute(_LOG_QUERY).fetchone()
            finally:
                db.close()
        except sqlite3.Error:
            return None
        return int(row[0]) if row and row[0] is not None else 0


def open_collection_afresh(chroma_dir: Path, name: str) -> Any:
    """The collection opened on a new chromadb ``System`` that this process shares with no one.

    ``chromadb.PersistentClient`` hands every client of one path the same cached ``System``
    (the stale index with it); a ``System`` built here is not in that cache, so opening it reads
    the store as it is on disk now. Other clients of the path keep theirs.

    Args:
        chroma_dir: The Chroma directory.
        name: The collection's name.

    Returns:
        A ``chromadb`` collection, opened with ``embedding_function=None`` (stack.md P2).

    Raises:
        Exception: chromadb's, when the store or the collection cannot be opened.
    """
    from chromadb.api import ServerAPI
    from chromadb.api.models.Collection import Collection
    from chromadb.config import DEFAULT_DATABASE, DEFAULT_TENANT, System
    from chromadb.config import Settings as ChromaSettings

    settings = ChromaSettings(
        anonymized_telemetry=False, is_persistent=True, persist_directory=str(chroma_dir)
    )
    system = System(settings)
    server = system.instance(ServerAPI)  # type: ignore[type-abstract]  # as chromadb's own clients
    system.start()
    model = server.get_collection(name=name, tenant=DEFAULT_TENANT, database=DEFAULT_DATABASE)
    return Collection(client=server, model=model, embedding_function=None)
