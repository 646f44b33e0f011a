"""The article catalog: which articles are stored, their content hash and their chunk ids.

A catalog record is the *commit point* of an article: chunks are written to Chroma first, then
the record, then stale chunks are deleted. Readers trust only chunk ids the catalog lists, so a
crash leaves the old or the new version visible, never none and never both; the next ingest
sweeps unlisted chunks (DESIGN.md, "Invariants").

Two implementations behind one seam, :class:`ArticleCatalog`:

- :class:`Catalog`: SQLite (WAL) under the data dir, for the on-disk store (one host, writers
  serialised by :func:`rag.store.locking.write_lock`).
- :class:`rag.store.chroma_catalog.ChromaCatalog`: collections in the Chroma server, for server mode
  (``SANAD_STORE__CHROMA_URL``), so API processes on several hosts share one catalog.

:func:`sanad.app.Sanad.catalog` chooses.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple, Protocol

from rag.store.sqlite import connect_wal
from rag.types import Article

_SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
  article_id TEXT PRIMARY KEY,
  content_hash TEXT NOT NULL,
  title TEXT NOT NULL,
  text TEXT NOT NULL,
  source TEXT NOT NULL,
  url TEXT,
  published_at TEXT,
  language TEXT NOT NULL,
  origin TEXT NOT NULL,
  chunk_ids TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS articles_origin ON articles(origin);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


@dataclass(frozen=True)
class ArticleRecord:
    """A stored article and the ids of its chunks (in ordinal order)."""

    article: Article
    chunk_ids: tuple[str, ...]
    updated_at: str


class ListedArticle(NamedTuple):
    """What derived views (the BM25 index) need of an article: its chunk ids and filter fields."""

    chunk_ids: tuple[str, ...]
    source: str
    language: str
    published_at: str | None


class ArticleCatalog(Protocol):
    """What every catalog offers: the seam between the SQLite and the Chroma-server catalogs.

    Readers (retriever, API, UI, ``sanad stats``/``check``) and the ingest pipeline use only these
    methods. Implementations must make :meth:`put` and :meth:`delete` change :meth:`generation`
    *after* the record itself changed, so a reader that reads the generation before the data
    never labels a view newer than it is.
    """

    def get(self, article_id: str) -> ArticleRecord | None:
        """The record of one article, or None."""
        ...

    def hashes(self) -> dict[str, str]:
        """content_hash by article_id for every article."""
        ...

    def origins(self) -> dict[str, str]:
        """origin by article_id for every article."""
        ...

    def chunk_ids(self) -> set[str]:
        """Every chunk id the catalog lists (the chunks readers may show)."""
        ...

    def listing(self) -> dict[str, ListedArticle]:
        """Chunk ids and filter fields by article_id, without the texts (cheap to read often)."""
        ...

    def count(self) -> int:
        """Number of articles."""
        ...

    def records(self, offset: int = 0, limit: int | None = None) -> Iterator[ArticleRecord]:
        """Records ordered by article_id; ``limit=None`` means all."""
        ...

    def stats(self) -> dict[str, object]:
        """``{"articles": n, "chunks": n, "languages": {code: n}, "sources": {name: n}}``."""
        ...

    def generation(self) -> int:
        """A value that changes on every write (0 for a catalog never written).

        Only equality is meaningful: derived views (the BM25 index) store the generation they
        reflect and rebuild when the catalog's differs. Not necessarily monotonic.
        """
        ...

    def get_meta(self, key: str) -> str | None:
        """A value of the catalog's key/value table (None when unset)."""
        ...

    def set_meta(self, key: str, value: str) -> None:
        """Set a value of the catalog's key/value table (does not change the generation)."""
        ...

    def put(self, article: Article, chunk_ids: list[str]) -> None:
        """Insert or replace an article's record: the commit point of its chunks."""
        ...

    def delete(self, article_id: str) -> ArticleRecord | None:
        """Remove an article's record; returns what was removed (None if absent)."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...


class Catalog:
    """Articles by id, persisted in ``path`` (SQLite; the on-disk mode's :class:`ArticleCatalog`).

    Args:
        path: SQLite file (created with its directory when missing).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.RLock()
        # Idempotent, so processes creating the catalog together all succeed (rag/store/sqlite.py).
        self._db = connect_wal(path, _SCHEMA)

    # -- reads -------------------------------------------------------------------------------

    def get(self, article_id: str) -> ArticleRecord | None:
        """The record of one article, or None."""
        with self._lock:
            row = self._db.execute("SELECT * FROM articles WHERE article_id=?", (article_id,)).fetchone()
        return _record(row) if row else None

    def hashes(self) -> dict[str, str]:
        """content_hash by article_id for every article."""
        with self._lock:
            return dict(self._db.execute("SELECT article_id, content_hash FROM articles").fetchall())

    def origins(self) -> dict[str, str]:
        """origin by article_id for every article."""
        with self._lock:
            return dict(self._db.execute("SELECT article_id, origin FROM articles").fetchall())

    def chunk_ids(self) -> set[str]:
        """Every chunk id the catalog lists (the chunks readers may show)."""
        out: set[str] = set()
        with self._lock:
            for (ids,) in self._db.execute("SELECT chunk_ids FROM articles"):
                out.update(json.loads(ids))
        return out

    def listing(self) -> dict[str, ListedArticle]:
        """Chunk ids and filter fields by article_id, without the texts."""
        with self._lock:
            rows = self._db.execute(
                "SELECT article_id, chunk_ids, source, language, published_at FROM articles"
            ).fetchall()
        return {
            str(aid): ListedArticle(tuple(json.loads(ids)), str(src), str(lang), str(pub) if pub else None)
            for aid, ids, src, lang, pub in rows
        }

    def count(self) -> int:
        """Number of articles."""
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM articles").fetchone()[0])

    def records(self, offset: int = 0, limit: int | None = None) -> Iterator[ArticleRecord]:
        """Records ordered by article_id; ``limit=None`` means all."""
        with self._lock:
            rows = self._db.execute(
                "SELECT * FROM articles ORDER BY article_id LIMIT ? OFFSET ?",
                (-1 if limit is None else limit, offset),
            ).fetchall()
        for row in rows:
            yield _record(row)

    def stats(self) -> dict[str, object]:
        """Articles, chunks, and article counts by language and by source."""
        with self._lock:
            rows = self._db.execute("SELECT language, source, chunk_ids FROM articles").fetchall()
        return catalog_stats((lang, source, len(json.loads(ids))) for lang, source, ids in rows)

    def generation(self) -> int:
        """A counter bumped by every write; derived indexes (BM25) compare it to know if stale."""
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key='generation'").fetchone()
        return int(row[0]) if row else 0

    def get_meta(self, key: str) -> str | None:
        """A value of the catalog's key/value table (None when unset)."""
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return str(row[0]) if row else None

    # -- writes ------------------------------------------------------------------------------

    def set_meta(self, key: str, value: str) -> None:
        """Set a value of the catalog's key/value table."""
        with self._lock, self._db:
            self._db.execute(
                "INSERT INTO meta(key, value) VALUES(?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value=excluded.value",
                (key, value),
            )

    def put(self, article: Article, chunk_ids: list[str]) -> None:
        """Insert or replace an article's record (one transaction: the commit point)."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self._lock, self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO articles VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (
                    article.article_id,
                    article.content_hash,
                    article.title,
                    article.text,
                    article.source,
                    article.url,
                    article.published_at,
                    article.language,
                    article.origin,
                    json.dumps(chunk_ids),
                    now,
                ),
            )
            self._bump()

    def delete(self, article_id: str) -> ArticleRecord | None:
        """Remove an article's record; returns what was removed (None if absent)."""
        with self._lock, self._db:
            row = self._db.execute("SELECT * FROM articles WHERE article_id=?", (article_id,)).fetchone()
            if row is None:
                return None
            self._db.execute("DELETE FROM articles WHERE article_id=?", (article_id,))
            self._bump()
        return _record(row)

    def _bump(self) -> None:
        self._db.execute(
            "INSERT INTO meta(key, value) VALUES('generation', '1') "
            "ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1"
        )

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._db.close()


def catalog_stats(articles: Iterable[tuple[str, str, int]]) -> dict[str, object]:
    """``sanad stats`` figures from ``(language, source, chunk count)`` per article.

    Returns:
        ``{"articles", "chunks", "languages": {code: n}, "sources": {name: n}}``, most common
        first; an empty source counts as "(none)".
    """
    langs: Counter[str] = Counter()
    sources: Counter[str] = Counter()
    chunks = 0
    for lang, source, n_chunks in articles:
        langs[lang] += 1
        sources[source or "(none)"] += 1
        chunks += n_chunks
    return {
        "articles": sum(langs.values()),
        "chunks": chunks,
        "languages": dict(langs.most_common()),
        "sources": dict(sources.most_common()),
    }


def _record(row: tuple[object, ...]) -> ArticleRecord:
    (aid, chash, title, text, source, url, published_at, language, origin, chunk_ids, updated) = row
    article = Article(
        article_id=str(aid),
        title=str(title),
        text=str(text),
        source=str(source),
        url=str(url) if url else None,
        published_at=str(published_at) if published_at else None,
        language=str(language),
        content_hash=str(chash),
        origin=str(origin),
    )
    return ArticleRecord(
        article=article, chunk_ids=tuple(json.loads(str(chunk_ids))), updated_at=str(updated)
    )
