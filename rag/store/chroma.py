"""Chroma adapter: chunks and their vectors in, ``Chunk`` objects out.

The collection records the embedder's id and dimension; opening it with another embedder
raises :class:`EmbedderMismatchError`. Chroma's default embedding function downloads a model,
so every collection is opened with ``embedding_function=None`` and we always pass vectors
(stack.md §3, P2). No Chroma dict crosses this module's boundary.

Every chunk carries ``indexed_at`` (Unix seconds, the writer's clock) so that, in server mode,
a sweep can tell a crash's leftover from a chunk another process wrote a moment ago and is about
to commit in the catalog (:func:`sweepable_orphans`).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from rag.errors import EmbedderMismatchError, StoreError
from rag.settings import Settings
from rag.store.chroma_watch import WriteLogWatch, open_collection_afresh
from rag.types import Chunk, Filters

_GET_PAGE = 2000


def published_ts(published_at: str | None) -> int | None:
    """Seconds since the Unix epoch (UTC) of an ISO-8601 date or datetime, or None if unparseable."""
    if not published_at:
        return None
    text = published_at.strip().replace("Z", "+00:00")
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        try:
            dt = datetime.fromisoformat(text[:10])
        except ValueError:
            return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return int(dt.timestamp())


def local_day(published_at: str | None) -> date | None:
    """The calendar day an article was published on, in its own time zone, or None.

    A news reader's and an editor's "1 April" is the paper's own day: ``2024-04-01T00:30+03:00``
    (Amman) is 1 April although it is 31 March in UTC, and ``Sun, 31 Mar 2024 21:10 -0500``
    (stored as ``2024-03-31T21:10:00-05:00``) is 31 March although it is 1 April in UTC. An ISO
    datetime carries its local date before the ``T``; a date-only value is that date; a value in
    UTC (``Z``, ``+00:00``) or without offset gives its date as written.

    Args:
        published_at: ISO-8601 date or datetime as stored (ingest.decoding.normalize_date).

    Returns:
        The date, or None when undated or unparseable.
    """
    if not published_at:
        return None
    text = published_at.strip()
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        pass
    ts = published_ts(text)
    return None if ts is None else datetime.fromtimestamp(ts, tz=UTC).date()


def day_number(day: date) -> int:
    """``YYYYMMDD`` as an integer (Chroma compares numbers, not strings): 2024-04-01 → 20240401."""
    return day.year * 10000 + day.month * 100 + day.day


def is_date_only(value: str) -> bool:
    """True for a bare ``YYYY-MM-DD`` (a calendar day), False for a datetime."""
    return len(value.strip()) == 10


def chunk_to_metadata(chunk: Chunk) -> dict[str, str | int]:
    """Flat Chroma metadata for a chunk (no None values: Chroma rejects them, stack.md P3).

    ``published_ts`` is seconds since the epoch (UTC) for ordering and datetime bounds;
    ``published_day`` is the local calendar day as ``YYYYMMDD`` (:func:`local_day`) for day
    bounds; both -1 when undated.
    """
    meta: dict[str, str | int] = {
        "article_id": chunk.article_id,
        "ordinal": chunk.ordinal,
        "start": chunk.start,
        "end": chunk.end,
        "title": chunk.title,
        "source": chunk.source,
        "language": chunk.language,
        "content_hash": chunk.content_hash,
        # Every key always present: Chroma's upsert merges metadata, so an omitted key would
        # keep a stale value (stack.md P4). "" and -1 stand for "none".
        "url": chunk.url or "",
        "published_at": chunk.published_at or "",
        "published_ts": published_ts(chunk.published_at) or -1,
        "published_day": day_number(d) if (d := local_day(chunk.published_at)) else -1,
    }
    return meta


def metadata_to_chunk(chunk_id: str, text: str, meta: dict[str, Any]) -> Chunk:
    """The inverse of :func:`chunk_to_metadata`."""
    return Chunk(
        chunk_id=chunk_id,
        article_id=str(meta["article_id"]),
        ordinal=int(meta["ordinal"]),
        text=text,
        start=int(meta["start"]),
        end=int(meta["end"]),
        title=str(meta.get("title", "")),
        source=str(meta.get("source", "")),
        url=str(meta["url"]) if meta.get("url") else None,
        published_at=str(meta["published_at"]) if meta.get("published_at") else None,
        language=str(meta.get("language", "und")),
        content_hash=str(meta.get("content_hash", "")),
    )


def _readable(meta: Any) -> bool:
    # A process whose Chroma view predates another process's delete can still see the deleted
    # row's id with empty metadata: skip it rather than fail the whole query.
    return bool(meta) and "article_id" in meta


def _date_clauses(lo: str | None, hi: str | None) -> list[dict[str, Any]]:
    """Date bounds: a bare date compares the article's local calendar day (``published_day``),
    a datetime compares the instant (``published_ts``, UTC). Undated articles never match."""
    clauses: list[dict[str, Any]] = []
    for bound, op in ((lo, "$gte"), (hi, "$lte")):
        if not bound:
            continue
        if is_date_only(bound) and (day := local_day(bound)) is not None:
            clauses.append({"published_day": {op: day_number(day)}})
        elif (ts := published_ts(bound)) is not None:
            clauses.append({"published_ts": {op: ts}})
    if not any(op == "$gte" for c in clauses for cond in c.values() for op in cond):
        key = next(iter(clauses[0])) if clauses else "published_ts"
        clauses.insert(0, {key: {"$gte": 0}})  # undated chunks (-1) never match a date filter
    return clauses


def filters_to_where(filters: Filters | None) -> dict[str, Any] | None:
    """A Chroma ``where`` clause for the filters, or None when there are none.

    Date bounds are inclusive; a bare date (``YYYY-MM-DD``) means that calendar day in each
    article's own time zone (:func:`local_day`), so ``published_to="2024-04-01"`` keeps the whole
    of 1 April wherever the article was published.
    """
    if filters is None or filters.is_empty():
        return None
    clauses: list[dict[str, Any]] = []
    if filters.sources:
        clauses.append({"source": {"$in": list(filters.sources)}})
    if filters.languages:
        clauses.append({"language": {"$in": list(filters.languages)}})
    if filters.published_from or filters.published_to:
        clauses.extend(_date_clauses(filters.published_from, filters.published_to))
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def sweepable_orphans(
    store: ChunkStore, orphans: set[str], grace_seconds: float, now: float | None = None
) -> tuple[set[str], set[str]]:
    """Split orphan chunk ids into those safe to delete and those possibly in flight.

    In server mode writers on other hosts are not held back by our data-dir lock: a chunk the
    catalog does not list yet may belong to an article another process is committing right now
    (chunks are upserted before the catalog record). Only orphans written more than
    ``grace_seconds`` ago are crash leftovers for sure. Chunks written before ``indexed_at``
    existed count as old.

    Args:
        store: The chunk store.
        orphans: Stored chunk ids that no catalog record lists.
        grace_seconds: Minimum age; 0 makes every orphan sweepable (on-disk mode, where the
            write lock serialises every writer).
        now: The current Unix time (tests); default ``time.time()``.

    Returns:
        ``(sweepable, pending)``.
    """
    if grace_seconds <= 0 or not orphans:
        return set(orphans), set()
    cutoff = (time.time() if now is None else now) - grace_seconds
    written = store.indexed_at(sorted(orphans))
    pending = {cid for cid in orphans if written.get(cid, 0) > cutoff}
    return set(orphans) - pending, pending


def open_client(
    settings: Settings, creating: Callable[[], AbstractContextManager[object]] = nullcontext
) -> Any:
    """The chromadb client chosen by settings: HTTP when ``store.chroma_url`` is set, else on-disk.

    Args:
        settings: Store location.
        creating: Context held while an on-disk store that does not exist yet is created:
            Chroma's first open runs its migrations, and two processes running them together
            fail with "table collections already exists" (issue #15). The composition root
            passes the data dir's creation lock (rag/store/locking.py).

    Raises:
        StoreError: the URL is malformed or the client cannot be created (server unreachable).
    """
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    try:
        if not settings.store.chroma_url and not (settings.chroma_path / "chroma.sqlite3").exists():
            with creating():
                return _client(settings)
        return _client(settings)
    except StoreError:
        raise
    except Exception as exc:
        where = settings.store.chroma_url or str(settings.chroma_path)
        raise StoreError(f"cannot open the Chroma store at {where}: {exc}") from exc


def _client(settings: Settings) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    url = settings.store.chroma_url
    if url:
        parsed = urlparse(url)
        if not parsed.hostname:
            raise StoreError(f"SANAD_STORE__CHROMA_URL is not a URL: {url!r}")
        port = parsed.port or (443 if parsed.scheme == "https" else 8000)
        return chromadb.HttpClient(
            host=parsed.hostname, port=port, ssl=parsed.scheme == "https", settings=chroma_settings
        )
    path = settings.chroma_path
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


class ChunkStore:
    """Chunks with their embeddings in one Chroma collection (cosine space).

    An existing collection is opened with the dimension it records, so opening never needs the
    embedder (``sanad stats``/``check``/``export`` work while a remote embedder is down); the
    dimension is asked for only to create a new collection.

    Args:
        client: A chromadb client (persistent or HTTP).
        collection: Collection name.
        embedder_id: Id of the embedder whose vectors go in.
        dimension: Vector length of that embedder, or a callable giving it (called only when the
            collection must be created, e.g. a remote embedder's probe).
        creating: Context held while a missing collection is created (the composition root
            passes the data dir's creation lock: processes starting together on an empty store
            create it once, the others open it). Opening an existing one never takes it.
        watch: The on-disk Chroma directory, to follow other processes' writes: before each
            call the store checks the write log (rag/store/chroma_watch.py) and, when another
            process wrote, reopens the collection so that its vectors are seen and filtered
            queries never fail on them. None (HTTP clients, tests) follows nothing.

    Attributes:
        dimension: The vector length of the collection (recorded, or the embedder's if new).

    Raises:
        EmbedderMismatchError: the collection was built with another embedder or dimension.
        StoreError: the collection cannot be opened or created.
        EmbeddingError: a new collection's dimension probe failed (nothing was created).
    """

    def __init__(
        self,
        client: Any,
        collection: str,
        embedder_id: str,
        dimension: int | Callable[[], int],
        creating: Callable[[], AbstractContextManager[object]] = nullcontext,
        watch: Path | None = None,
    ) -> None:
        self.client = client
        self.embedder_id = embedder_id
        col = self._existing(client, collection)
        wanted = None if callable(dimension) else dimension
        if col is None:
            with creating():  # the creation lock: a racer may have created it meanwhile
                col = self._existing(client, collection)
                if col is None:
                    wanted = dimension() if callable(dimension) else dimension
                    col = self._create(client, collection, embedder_id, wanted)
        self._col = col
        meta = col.metadata or {}
        recorded = _recorded_dimension(meta)
        if (
            recorded is None
            or meta.get("embedder_id") != embedder_id
            or (wanted is not None and recorded != wanted)
        ):
            shown = f" (dimension {wanted})" if wanted is not None else ""
            raise EmbedderMismatchError(
                f"collection {collection!r} was built with embedder {meta.get('embedder_id')!r} "
                f"(dimension {meta.get('dimension')}), but {embedder_id!r}{shown} is "
                "configured. Re-index: delete the data directory (or choose another SANAD_STORE__COLLECTION) "
                "and run `sanad ingest` again, or switch back to the original embedder."
            )
        self.dimension = recorded
        self._dir = watch
        self._watch = WriteLogWatch(watch) if watch is not None else None
        self._reopening = threading.Lock()
        self._probed: tuple[int, object] | None = None  # what the last passing probe saw

    def _fresh(self) -> Any:
        """The collection, reopened first when another process wrote since this view was current."""
        if self._watch is not None and self._watch.moved():
            return self._reopen()
        return self._col

    def _reopen(self, stale: Any = None) -> Any:
        """Open the collection afresh (once for a burst of callers) and return it.

        Args:
            stale: The collection a caller found wanting (a failed query): reopened even when
                the write log did not move, unless another caller replaced it meanwhile.

        Raises:
            StoreError: the store can no longer be opened.
        """
        assert self._dir is not None and self._watch is not None
        with self._reopening:
            if not self._watch.moved() and (stale is None or self._col is not stale):
                return self._col  # another thread reopened it meanwhile
            try:
                col = open_collection_afresh(self._dir, self.name)
            except Exception as exc:
                raise StoreError(f"cannot reopen Chroma collection {self.name!r}: {exc}") from exc
            # A running query keeps the old collection alive; it is freed when the last returns.
            self._col = col
            self._watch.mark()
            return col

    def _wrote(self) -> None:
        """After this process's write: its index replayed the log, so the view is current
        (writers hold the data dir's write lock, so no other process wrote meanwhile)."""
        if self._watch is not None:
            self._watch.mark()

    @staticmethod
    def _create(client: Any, collection: str, embedder_id: str, dimension: int) -> Any:
        try:
            return client.get_or_create_collection(
                collection,
                embedding_function=None,  # never Chroma's downloading default (stack.md P2)
                configuration={"hnsw": {"space": "cosine"}},
                metadata={"embedder_id": embedder_id, "dimension": dimension},
            )
        except Exception as exc:
            raise StoreError(f"cannot open Chroma collection {collection!r}: {exc}") from exc

    @staticmethod
    def _existing(client: Any, collection: str) -> Any:
        """The collection if it exists, else None (one call; no embedder involved)."""
        from chromadb.errors import NotFoundError

        try:
            return client.get_collection(collection, embedding_function=None)
        except NotFoundError:
            return None
        except Exception as exc:
            raise StoreError(f"cannot open Chroma collection {collection!r}: {exc}") from exc

    @property
    def name(self) -> str:
        """Collection name."""
        return str(self._col.name)

    def count(self) -> int:
        """Number of chunks stored."""
        return int(self._fresh().count())

    def upsert(self, chunks: Sequence[Chunk], vectors: Sequence[Sequence[float]]) -> None:
        """Write chunks with their vectors (ids are content-derived, so a rewrite is identical)."""
        if not chunks:
            return
        now = int(time.time())
        col = self._fresh()
        for i in range(0, len(chunks), 1000):
            part = chunks[i : i + 1000]
            col.upsert(
                ids=[c.chunk_id for c in part],
                documents=[c.text for c in part],
                metadatas=[{**chunk_to_metadata(c), "indexed_at": now} for c in part],  # type: ignore[misc]
                embeddings=[list(v) for v in vectors[i : i + 1000]],  # type: ignore[arg-type]
            )
        self._wrote()

    def update_vectors(self, chunk_ids: Sequence[str], vectors: Sequence[Sequence[float]]) -> None:
        """Replace the vectors of stored chunks, keeping their text and metadata.

        Raises:
            StoreError: Chroma refused the update.
        """
        try:
            col = self._fresh()
            for i in range(0, len(chunk_ids), 1000):
                col.update(
                    ids=list(chunk_ids[i : i + 1000]),
                    embeddings=[list(v) for v in vectors[i : i + 1000]],  # type: ignore[arg-type]
                )
        except StoreError:
            raise
        except Exception as exc:
            raise StoreError(f"cannot update embeddings: {exc}") from exc
        self._wrote()

    def add_local_days(self) -> int:
        """Give every chunk its ``published_day`` (:func:`local_day` of its ``published_at``).

        Stores written before that field existed hold only the UTC ``published_ts``; Chroma merges
        the metadata of an update, so only the day is written. Returns the chunks updated.

        Raises:
            StoreError: Chroma refused the update.
        """
        ids: list[str] = []
        metas: list[dict[str, str | int]] = []
        for chunk in self.iter_chunks():
            day = local_day(chunk.published_at)
            ids.append(chunk.chunk_id)
            metas.append({"published_day": day_number(day) if day else -1})
        try:
            col = self._fresh()
            for i in range(0, len(ids), 1000):
                col.update(ids=ids[i : i + 1000], metadatas=metas[i : i + 1000])  # type: ignore[arg-type]
        except StoreError:
            raise
        except Exception as exc:
            raise StoreError(f"cannot update chunk metadata: {exc}") from exc
        self._wrote()
        return len(ids)

    def delete(self, chunk_ids: Sequence[str]) -> None:
        """Delete chunks by id (unknown ids are ignored)."""
        col = self._fresh()
        for i in range(0, len(chunk_ids), 1000):
            part = list(chunk_ids[i : i + 1000])
            if part:
                col.delete(ids=part)
        self._wrote()

    def all_ids(self) -> set[str]:
        """Every chunk id in the collection."""
        ids: set[str] = set()
        offset = 0
        col = self._fresh()
        while True:
            got = col.get(include=[], limit=_GET_PAGE, offset=offset)
            ids.update(got["ids"])
            if len(got["ids"]) < _GET_PAGE:
                return ids
            offset += _GET_PAGE

    def indexed_at(self, chunk_ids: Sequence[str]) -> dict[str, int]:
        """When each chunk was last written (Unix seconds; 0 for chunks older than the field)."""
        out: dict[str, int] = {}
        col = self._fresh()
        for i in range(0, len(chunk_ids), _GET_PAGE):
            got = col.get(ids=list(chunk_ids[i : i + _GET_PAGE]), include=["metadatas"])
            for cid, meta in zip(got["ids"], got["metadatas"] or [], strict=True):
                out[cid] = int((meta or {}).get("indexed_at", 0) or 0)
        return out

    def get(self, chunk_ids: Sequence[str]) -> list[Chunk]:
        """The chunks with these ids, in the given order (missing ids are left out)."""
        found: dict[str, Chunk] = {}
        col = self._fresh()
        for i in range(0, len(chunk_ids), _GET_PAGE):
            got = col.get(ids=list(chunk_ids[i : i + _GET_PAGE]), include=["documents", "metadatas"])
            for cid, doc, meta in zip(
                got["ids"], got["documents"] or [], got["metadatas"] or [], strict=True
            ):
                found[cid] = metadata_to_chunk(cid, doc or "", dict(meta or {}))
        return [found[c] for c in chunk_ids if c in found]

    def iter_chunks(self) -> Iterator[Chunk]:
        """Every chunk, page by page (order: Chroma's)."""
        offset = 0
        col = self._fresh()
        while True:
            got = col.get(include=["documents", "metadatas"], limit=_GET_PAGE, offset=offset)
            for cid, doc, meta in zip(
                got["ids"], got["documents"] or [], got["metadatas"] or [], strict=True
            ):
                yield metadata_to_chunk(cid, doc or "", dict(meta or {}))
            if len(got["ids"]) < _GET_PAGE:
                return
            offset += _GET_PAGE

    def vectors(self, chunk_ids: Sequence[str]) -> dict[str, list[float]]:
        """Stored embeddings by chunk id (raises StoreError if a row is unreadable)."""
        out: dict[str, list[float]] = {}
        try:
            col = self._fresh()
            for i in range(0, len(chunk_ids), _GET_PAGE):
                got = col.get(ids=list(chunk_ids[i : i + _GET_PAGE]), include=["embeddings"])
                embs = got["embeddings"]
                for cid, vec in zip(got["ids"], embs if embs is not None else [], strict=True):
                    out[cid] = [float(x) for x in vec]
        except Exception as exc:
            raise StoreError(f"cannot read embeddings: {exc}") from exc
        return out

    def query(
        self, vector: Sequence[float], n: int, filters: Filters | None = None
    ) -> list[tuple[Chunk, float]]:
        """Nearest chunks by cosine similarity.

        Args:
            vector: Query embedding of length ``dimension``.
            n: How many to return at most.
            filters: Optional source/language/date filters.

        Returns:
            ``(chunk, similarity)`` pairs, most similar first; similarity = 1 - cosine distance.

        Raises:
            StoreError: the vector index lacks records its metadata lists, even after reopening
                (over HTTP: at all), Chroma's "Error finding id".
        """
        if n <= 0:
            return []
        got = self._nearest(vector, n, filters_to_where(filters))
        ids = got["ids"][0]
        docs = (got["documents"] or [[]])[0]
        metas = (got["metadatas"] or [[]])[0]
        dists = (got["distances"] or [[]])[0]
        return [
            (metadata_to_chunk(cid, doc or "", dict(meta or {})), 1.0 - float(dist))
            for cid, doc, meta, dist in zip(ids, docs, metas, dists, strict=True)
            if _readable(meta)
        ]

    def probe(self) -> int:
        """Count the chunks and, when the store changed since the last probe, run one query
        filtered to all of them (the vector index must hold every record), for readiness checks.

        The filtered query costs ~0.1 s per 8k chunks (MultiHop's eval index, loaded host), so
        it runs once per change: of the write log on disk (:class:`WriteLogWatch`), of the
        count over HTTP.

        Returns:
            The number of chunks.

        Raises:
            StoreError: the query fails even after reopening (see :meth:`query`).
        """
        count = self.count()
        version = (count, self._watch.version() if self._watch is not None else None)
        if count and version != self._probed:
            self._nearest([1.0] + [0.0] * (self.dimension - 1), 1, {"ordinal": {"$gte": 0}})
        self._probed = version
        return count

    def _nearest(self, vector: Sequence[float], n: int, where: dict[str, Any] | None) -> Any:
        """Chroma's answer to one query; an index found behind its records is reopened once."""
        col = self._fresh()
        try:
            return self._query(col, vector, n, where)
        except Exception as exc:
            if not _index_behind(exc):
                raise
            if self._watch is None:
                raise StoreError(f"the Chroma index is behind its records: {exc}") from exc
        try:  # another process wrote between our check and the query
            return self._query(self._reopen(stale=col), vector, n, where)
        except Exception as exc:
            if not _index_behind(exc):
                raise
            raise StoreError(f"the Chroma index is behind its records: {exc}") from exc

    @staticmethod
    def _query(col: Any, vector: Sequence[float], n: int, where: dict[str, Any] | None) -> Any:
        # Chroma (1.5) answers fewer rows when n exceeds the collection, even an empty one; no
        # count() round trip per question (~7 ms at 30k chunks on a loaded host, issue #16).
        return col.query(
            query_embeddings=[list(vector)],
            n_results=n,
            where=where,
            include=["documents", "metadatas", "distances"],
        )


def _index_behind(exc: Exception) -> bool:
    """Chroma's error for a record its metadata holds but its vector index does not (#7032)."""
    return "Error finding id" in str(exc)


def _recorded_dimension(meta: Any) -> int | None:
    try:
        value = int(meta.get("dimension"))
    except (TypeError, ValueError):
        return None
    return value if value > 0 else None


def open_store(
    settings: Settings,
    embedder_id: str,
    dimension: int | Callable[[], int],
    client: Any = None,
    creating: Callable[[], AbstractContextManager[object]] = nullcontext,
) -> ChunkStore:
    """Open (or create) the chunk store chosen by settings.

    Args:
        settings: Store location and collection name.
        embedder_id: Id of the embedder whose vectors go in.
        dimension: Its vector length, or a callable giving it; a callable is called only when
            the collection does not exist yet (an existing one gives its recorded dimension).
        client: A chromadb client to share (e.g. with the Chroma catalog); default: a new one
            from :func:`open_client`.
        creating: Context held while a missing store or collection is created (see
            :func:`open_client`).

    Raises:
        StoreError: the store cannot be opened.
        EmbedderMismatchError: it was built with another embedder.
        EmbeddingError: creating a new collection needed the dimension and its probe failed.
    """
    chroma = client if client is not None else open_client(settings, creating)
    watch = None if settings.store.chroma_url else settings.chroma_path
    return ChunkStore(chroma, settings.store.collection, embedder_id, dimension, creating, watch)
