"""The article catalog inside a Chroma server, shared by every process that uses the server.

Server mode (``SANAD_STORE__CHROMA_URL``) exists so several API processes, possibly on several
hosts, serve and write one corpus; a SQLite file in one host's data dir cannot be their commit
point. This catalog keeps the same records in two small collections next to the chunks:

- ``<collection>__articles``: one record per article, id = ``article_id``, document = the cleaned
  text, metadata = ``content_hash, title, source, url, published_at, language, origin,
  updated_at`` and ``chunk_ids`` (a JSON list in a string: Chroma metadata holds no empty lists).
- ``<collection>__meta``: one record per key (``generation``, ``chunking``), the value in the
  metadata key ``value``.

Chroma needs a vector per record; every record gets the constant ``[1.0]`` and both collections
are opened with ``embedding_function=None``, so Chroma's downloading default embedding function
is never involved (stack.md P2). ``upsert`` merges metadata (P4), so every write carries every
key, and ``None`` becomes ``""`` (P3).

Generation: every :meth:`ChromaCatalog.put`/:meth:`ChromaCatalog.delete` writes the record first
and then a fresh random 62-bit token as ``generation``. A counter would need a read-modify-write
that two writers could interleave (both writing n+1); a fresh token differs from every value a
reader saw before whoever wins, and readers compare generations only for equality.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from rag.errors import StoreError
from rag.store.catalog import ArticleRecord, ListedArticle, catalog_stats
from rag.types import Article

_PAGE = 1000
_VECTOR = [1.0]  # records are looked up by id, never by similarity


def _metadata(article: Article, chunk_ids: Sequence[str], updated_at: str) -> dict[str, str]:
    """Every key, every time (upsert merges); "" stands for None."""
    return {
        "content_hash": article.content_hash,
        "title": article.title,
        "source": article.source,
        "url": article.url or "",
        "published_at": article.published_at or "",
        "language": article.language,
        "origin": article.origin,
        "chunk_ids": json.dumps(list(chunk_ids)),
        "updated_at": updated_at,
    }


def _record(article_id: str, text: str | None, meta: dict[str, Any]) -> ArticleRecord:
    article = Article(
        article_id=article_id,
        title=str(meta.get("title", "")),
        text=text or "",
        source=str(meta.get("source", "")),
        url=str(meta["url"]) if meta.get("url") else None,
        published_at=str(meta["published_at"]) if meta.get("published_at") else None,
        language=str(meta.get("language", "und")),
        content_hash=str(meta.get("content_hash", "")),
        origin=str(meta.get("origin", "")),
    )
    return ArticleRecord(
        article=article,
        chunk_ids=tuple(json.loads(str(meta.get("chunk_ids") or "[]"))),
        updated_at=str(meta.get("updated_at", "")),
    )


class ChromaCatalog:
    """Articles by id in a Chroma server (server mode's :class:`rag.store.catalog.ArticleCatalog`).

    Thread-safe as far as the chromadb client is (one HTTP client; no local state), and shared
    by every process using the same server and collection name.

    Args:
        client: A ``chromadb.HttpClient`` (a ``PersistentClient`` works too, for tests).
        collection: The chunk collection's name; the catalog uses ``<collection>__articles`` and
            ``<collection>__meta``.

    Raises:
        StoreError: the collections cannot be opened (server down, bad name). Every method
            raises StoreError when the server fails.
    """

    def __init__(self, client: Any, collection: str) -> None:
        self.articles_name = f"{collection}__articles"
        self.meta_name = f"{collection}__meta"
        try:
            # embedding_function=None on every open: never Chroma's downloading default (P2).
            self._articles = client.get_or_create_collection(self.articles_name, embedding_function=None)
            self._meta = client.get_or_create_collection(self.meta_name, embedding_function=None)
        except Exception as exc:
            raise StoreError(f"cannot open the catalog collections of {collection!r}: {exc}") from exc

    # -- reads -------------------------------------------------------------------------------

    def get(self, article_id: str) -> ArticleRecord | None:
        """The record of one article, or None."""
        got = self._call(self._articles.get, ids=[article_id], include=["documents", "metadatas"])
        if not got["ids"]:
            return None
        meta = (got["metadatas"] or [{}])[0] or {}
        return _record(got["ids"][0], (got["documents"] or [""])[0], dict(meta))

    def hashes(self) -> dict[str, str]:
        """content_hash by article_id for every article."""
        return {aid: str(meta.get("content_hash", "")) for aid, meta in self._scan()}

    def origins(self) -> dict[str, str]:
        """origin by article_id for every article."""
        return {aid: str(meta.get("origin", "")) for aid, meta in self._scan()}

    def chunk_ids(self) -> set[str]:
        """Every chunk id the catalog lists (the chunks readers may show)."""
        out: set[str] = set()
        for _, meta in self._scan():
            out.update(json.loads(str(meta.get("chunk_ids") or "[]")))
        return out

    def listing(self) -> dict[str, ListedArticle]:
        """Chunk ids and filter fields by article_id (metadata only, page by page)."""
        return {
            aid: ListedArticle(
                tuple(json.loads(str(meta.get("chunk_ids") or "[]"))),
                str(meta.get("source", "")),
                str(meta.get("language", "und")),
                str(meta.get("published_at") or "") or None,
            )
            for aid, meta in self._scan()
        }

    def count(self) -> int:
        """Number of articles."""
        return int(self._call(self._articles.count))

    def records(self, offset: int = 0, limit: int | None = None) -> Iterator[ArticleRecord]:
        """Records ordered by article_id; ``limit=None`` means all.

        Chroma has no ORDER BY: the ids are read (ids only), sorted, sliced, then the page's
        records fetched by id. An article deleted in between is left out.
        """
        ids = sorted(self._all_ids())
        page = ids[offset:] if limit is None else ids[offset : offset + limit]
        for i in range(0, len(page), _PAGE):
            part = page[i : i + _PAGE]
            got = self._call(self._articles.get, ids=part, include=["documents", "metadatas"])
            rows = zip(got["ids"], got["documents"] or [], got["metadatas"] or [], strict=True)
            found = {aid: _record(aid, doc, dict(meta or {})) for aid, doc, meta in rows}
            yield from (found[aid] for aid in part if aid in found)

    def stats(self) -> dict[str, object]:
        """Articles, chunks, and article counts by language and by source."""
        return catalog_stats(
            (
                str(meta.get("language", "und")),
                str(meta.get("source") or ""),
                len(json.loads(str(meta.get("chunk_ids") or "[]"))),
            )
            for _, meta in self._scan()
        )

    def generation(self) -> int:
        """The token of the last write (0 when never written); compare for equality only."""
        value = self.get_meta("generation")
        return int(value) if value else 0

    def get_meta(self, key: str) -> str | None:
        """A value of the catalog's key/value collection (None when unset)."""
        got = self._call(self._meta.get, ids=[key], include=["metadatas"])
        if not got["ids"]:
            return None
        meta = (got["metadatas"] or [{}])[0] or {}
        return str(meta["value"]) if "value" in meta else None

    # -- writes ------------------------------------------------------------------------------

    def set_meta(self, key: str, value: str) -> None:
        """Set a value of the catalog's key/value collection."""
        self._call(
            self._meta.upsert, ids=[key], documents=[""], metadatas=[{"value": value}], embeddings=[_VECTOR]
        )

    def put(self, article: Article, chunk_ids: list[str]) -> None:
        """Insert or replace an article's record (the commit point), then change the generation."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        self._call(
            self._articles.upsert,
            ids=[article.article_id],
            documents=[article.text],
            metadatas=[_metadata(article, chunk_ids, now)],
            embeddings=[_VECTOR],
        )
        self._bump()

    def delete(self, article_id: str) -> ArticleRecord | None:
        """Remove an article's record; returns what was removed (None if absent)."""
        record = self.get(article_id)
        if record is None:
            return None
        self._call(self._articles.delete, ids=[article_id])
        self._bump()
        return record

    def close(self) -> None:
        """Nothing to release: the chromadb client is shared with the chunk store."""

    # -- internals ---------------------------------------------------------------------------

    def _bump(self) -> None:
        # After the record: a reader that read the old token before our write sees a new one.
        self.set_meta("generation", str(secrets.randbits(62) + 1))

    def _scan(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """``(article_id, metadata)`` of every record, page by page (documents not read)."""
        offset = 0
        while True:
            got = self._call(self._articles.get, include=["metadatas"], limit=_PAGE, offset=offset)
            for aid, meta in zip(got["ids"], got["metadatas"] or [], strict=True):
                if meta:
                    yield aid, dict(meta)
            if len(got["ids"]) < _PAGE:
                return
            offset += _PAGE

    def _all_ids(self) -> list[str]:
        ids: list[str] = []
        offset = 0
        while True:
            got = self._call(self._articles.get, include=[], limit=_PAGE, offset=offset)
            ids.extend(got["ids"])
            if len(got["ids"]) < _PAGE:
                return ids
            offset += _PAGE

    def _call(self, fn: Any, **kwargs: Any) -> Any:
        try:
            return fn(**kwargs)
        except Exception as exc:
            raise StoreError(f"the Chroma catalog ({self.articles_name}) failed: {exc}") from exc
