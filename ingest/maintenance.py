"""Store maintenance: ``sanad check [--repair]`` and ``sanad export``.

- :func:`check_store` verifies that Chroma holds exactly the chunks the catalog lists, that every
  stored embedding is readable, and that the persisted BM25 index is in step with the catalog.
- :func:`repair_store` deletes orphan chunks, re-indexes every article with a missing or
  unreadable chunk from the cleaned text the catalog keeps, and rebuilds BM25.
- :func:`export_jsonl` writes articles (with their chunk offsets) as JSONL that ``sanad ingest``
  reads back: the backup and restore path.

Server mode (``SANAD_STORE__CHROMA_URL``): the catalog read is the shared one in the Chroma server
(rag/chroma_catalog.py) and other processes may be writing while we check. Unlisted chunks
younger than ``store.orphan_grace_seconds`` are reported as ``pending`` (possibly mid-commit),
not as orphans, so ``--repair`` never deletes them; missing chunks are re-read before they count.
The BM25 index checked is this data dir's local copy: stale after another process's write until
the next query or ``--repair`` rebuilds it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingest.readers import RawRecord
from ingest.reembed import pending_upgrades
from rag.errors import StoreError
from rag.retrieval.lexical import LexicalIndex
from rag.store.chroma import sweepable_orphans
from rag.store.locking import write_lock
from rag.types import IngestReport

_PROBE = 200  # chunk ids read per embeddings probe


@dataclass
class CheckReport:
    """What :func:`check_store` found.

    Attributes:
        articles: Articles in the catalog.
        chunks_listed: Chunk ids the catalog lists.
        chunks_stored: Chunk ids Chroma holds.
        orphans: Stored chunk ids no article lists (left by an interrupted run).
        pending: Server mode: unlisted chunk ids written within the grace period (another
            process may be committing them); neither a problem nor repaired.
        missing: Listed chunk ids Chroma does not hold.
        unreadable: Stored chunk ids whose embedding cannot be read.
        broken_articles: Articles with a missing or unreadable chunk.
        lexical_in_step: The saved BM25 index matches the catalog (generation and chunk ids).
        upgrades: What an older Sanad left for the next write run to upgrade (normaliser
            versions, local days: ingest.reembed.pending_upgrades); ``--repair`` runs it.
    """

    articles: int = 0
    chunks_listed: int = 0
    chunks_stored: int = 0
    orphans: list[str] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)
    broken_articles: list[str] = field(default_factory=list)
    lexical_in_step: bool = True
    upgrades: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """True when the store holds no article and no chunk (healthy: nothing ingested yet)."""
        return self.articles == 0 and self.chunks_stored == 0

    @property
    def ok(self) -> bool:
        """True when nothing needs repair."""
        return not (self.orphans or self.missing or self.unreadable or self.upgrades) and self.lexical_in_step


def _unreadable(store: Any, ids: list[str]) -> list[str]:
    """Ids whose embedding cannot be read, found by bisecting failing batches."""
    bad: list[str] = []
    stack = [ids[i : i + _PROBE] for i in range(0, len(ids), _PROBE)]
    while stack:
        part = stack.pop()
        try:
            got = store.vectors(part)
        except StoreError:
            if len(part) == 1:
                bad.extend(part)
            else:
                mid = len(part) // 2
                stack += [part[:mid], part[mid:]]
            continue
        bad.extend(cid for cid in part if cid not in got)
    return sorted(bad)


def check_store(sanad: Any) -> CheckReport:
    """Verify the store against the catalog (reads only).

    Args:
        sanad: A :class:`sanad.app.Sanad`.

    Returns:
        The findings; ``report.ok`` is True when nothing needs repair.
    """
    catalog, store = sanad.catalog, sanad.store
    listed = catalog.chunk_ids()
    stored = store.all_ids()
    report = CheckReport(articles=catalog.count(), chunks_listed=len(listed), chunks_stored=len(stored))
    orphans, pending = sweepable_orphans(store, stored - listed, sanad.settings.store.sweep_grace_seconds)
    report.orphans, report.pending = sorted(orphans), sorted(pending)
    missing = listed - stored
    if missing and sanad.settings.store.server_mode:
        # Another writer may have replaced an article between our two reads: re-read both.
        still_listed = catalog.chunk_ids()
        present = {c.chunk_id for c in store.get(sorted(missing))}
        missing = {cid for cid in missing if cid in still_listed and cid not in present}
    report.missing = sorted(missing)
    report.upgrades = pending_upgrades(catalog)
    report.unreadable = _unreadable(store, sorted(listed & stored))
    bad = set(report.missing) | set(report.unreadable)
    report.broken_articles = sorted(
        r.article.article_id for r in catalog.records() if any(cid in bad for cid in r.chunk_ids)
    )
    loaded = LexicalIndex.load(sanad.settings.lexical_index_dir)
    if loaded is None:
        report.lexical_in_step = not listed  # nothing to index: no saved index is in step
    else:
        report.lexical_in_step = loaded[1] == catalog.generation() and set(loaded[0].chunk_ids) == listed
    return report


def never_written(settings: Any) -> bool:
    """True for an on-disk store nothing was ever written to (no catalog, no Chroma database).

    ``sanad check`` then reports it empty and healthy without creating anything (creating the
    collection would load the embedder for its dimension). Server mode always opens the server.
    """
    if settings.store.server_mode:
        return False
    return not settings.catalog_path.exists() and not (settings.chroma_path / "chroma.sqlite3").exists()


def repair_store(sanad: Any, found: CheckReport) -> IngestReport:
    """Fix what :func:`check_store` found: orphans deleted, broken articles re-indexed, BM25 rebuilt.

    Broken articles are re-ingested from the cleaned text kept in the catalog (embeddings come
    from the cache when it has them). Each write waits up to ``settings.ingest.lock_timeout``
    seconds for another writer, like ``sanad ingest``.

    Raises:
        StoreLockedError: another process held the write lock for that long.
    """
    from rag.retrieval.retriever import rebuild_lexical_index

    catalog, store = sanad.catalog, sanad.store
    records = [catalog.get(aid) for aid in found.broken_articles]
    timeout = sanad.settings.ingest.lock_timeout
    setting = "SANAD_INGEST__LOCK_TIMEOUT"
    with write_lock(sanad.settings.data_dir, timeout, setting=setting):
        store.delete(found.orphans)
        for record in records:
            if record is not None:
                catalog.delete(record.article.article_id)
                store.delete(list(record.chunk_ids))
    # One ingest run per origin (a run stamps one origin on its records), not per article: each
    # run ends by rebuilding BM25 over the whole store.
    by_origin: dict[str, list[RawRecord]] = {}
    for record in records:
        if record is None:
            continue
        a = record.article
        by_origin.setdefault(a.origin, []).append(
            RawRecord(
                text=a.text,
                title=a.title,
                source=a.source,
                url=a.url,
                published_at=a.published_at,
                language=a.language,
                record_id=a.article_id,
                origin=a.origin or a.article_id,
                fmt="txt",
            )
        )
    total = IngestReport()
    if found.upgrades:  # an empty write run upgrades the store (ingest.reembed)
        done = sanad.pipeline.ingest_records([], origin="sanad check --repair", lock_timeout=timeout)
        total.chunks_embedded += done.chunks_embedded
        total.notices += done.notices
    for origin, raws in by_origin.items():
        done = sanad.pipeline.ingest_records(raws, origin=origin, lock_timeout=timeout)
        total.added += done.added
        total.failed += done.failed
        total.failures += done.failures
        total.chunks_written += done.chunks_written
        total.chunks_embedded += done.chunks_embedded
    with write_lock(sanad.settings.data_dir, timeout, setting=setting):
        rebuild_lexical_index(store, catalog, sanad.settings.lexical_index_dir)
    return total


def export_jsonl(sanad: Any, path: Path) -> int:
    """Write every article, with its chunks' offsets, as JSONL that ``sanad ingest`` restores.

    One object per line: ``id, title, body, source, url, published_at, language, origin,
    content_hash, chunks: [{chunk_id, start, end}]`` (UTF-8, ``ensure_ascii=False``). The file is
    written to a temporary name and renamed, so a crash never leaves half a backup.

    Returns:
        The number of articles written.
    """
    tmp = path.with_name(path.name + ".tmp")
    n = 0
    with tmp.open("w", encoding="utf-8") as out:
        for record in sanad.catalog.records():
            a = record.article
            chunks = sanad.store.get(list(record.chunk_ids))
            row = {
                "id": a.article_id,
                "title": a.title,
                "body": a.text,
                "source": a.source,
                "url": a.url,
                "published_at": a.published_at,
                "language": a.language,
                "origin": a.origin,
                "content_hash": a.content_hash,
                "chunks": [{"chunk_id": c.chunk_id, "start": c.start, "end": c.end} for c in chunks],
            }
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
            n += 1
    tmp.replace(path)
    return n
