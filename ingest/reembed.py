"""Bring an older store in step: vectors with the embedder input form, chunks with local days.

The embedder reads :func:`rag.text.normalize.embedding_text` of a chunk, not the stored text
(rag.embedding.embedders). When that form changes (:data:`EMBEDDING_INPUT_VERSION` is bumped), a
store built before holds vectors of the old form for exactly the chunks the new form changes
(vocalised or tatweel-stretched Arabic, presentation forms, bidi marks); the vectors of every
other chunk are already right. The first write run re-embeds those chunks in place (through the
embeddings cache) and records the version in the catalog, so the upgrade is automatic, costs only
what changed, and an interrupted upgrade is simply redone by the next run.

Likewise chunks written before ``published_day`` (the article's local calendar day, which day
filters compare: rag.store.chroma.local_day) get it, once, without embedding anything.
"""

from __future__ import annotations

from rag.embedding.cache import EmbeddingCache, embed_with_cache
from rag.embedding.embedders import IdentifiedEmbeddings
from rag.store.catalog import ArticleCatalog
from rag.store.chroma import ChunkStore
from rag.text.normalize import EMBEDDING_INPUT_VERSION, TOKENIZER_VERSION, embedding_text

DAYS_KEY = "chunk_days"
"""Catalog meta key set once every chunk carries ``published_day``."""

META_KEY = "embedding_input"
"""Catalog meta key holding the :data:`EMBEDDING_INPUT_VERSION` the store's vectors were made with."""


def pending_upgrades(catalog: ArticleCatalog) -> list[str]:
    """What the next write run would upgrade in a store built by an older Sanad (empty: nothing).

    Read-only; for ``sanad check``. An empty store needs nothing.
    """
    if catalog.count() == 0:
        return []
    out: list[str] = []
    if stored_version(catalog) != EMBEDDING_INPUT_VERSION:
        out.append(f"embedder input version {stored_version(catalog)} → {EMBEDDING_INPUT_VERSION}")
    if catalog.get_meta("tokenizer") != str(TOKENIZER_VERSION):
        out.append(f"BM25 tokenizer version {catalog.get_meta('tokenizer') or 1} → {TOKENIZER_VERSION}")
    if catalog.get_meta(DAYS_KEY) != "1":
        out.append("chunks without their local publication day")
    return out


def stored_version(catalog: ArticleCatalog) -> int:
    """The embedder input version of the store's vectors (0: raw text, before the key existed)."""
    value = catalog.get_meta(META_KEY)
    return int(value) if value and value.isdigit() else 0


def outdated_chunks(store: ChunkStore, catalog: ArticleCatalog) -> list[str]:
    """Ids of the chunks whose vectors were made from another input form than today's.

    Empty when the store is current. Reads every chunk's text once (no embedding).
    """
    if stored_version(catalog) == EMBEDDING_INPUT_VERSION:
        return []
    return [c.chunk_id for c in store.iter_chunks() if embedding_text(c.text) != c.text]


def upgrade_embedding_input(
    store: ChunkStore,
    catalog: ArticleCatalog,
    embeddings: IdentifiedEmbeddings,
    cache: EmbeddingCache | None,
    batch_size: int = 64,
) -> tuple[int, int] | None:
    """Re-embed the chunks whose embedder input changed; call under the write lock.

    Args:
        store: The chunk store.
        catalog: Its catalog (holds the recorded version).
        embeddings: The store's embedder.
        cache: The embeddings cache, or None.
        batch_size: Passages per embedder call.

    Returns:
        None when the store was current; else ``(chunks re-embedded in place, of which newly
        embedded rather than found in the cache)``.

    Raises:
        EmbeddingError: the embedder failed (nothing recorded; the next run tries again).
        StoreError: the store cannot be read or written.
    """
    if stored_version(catalog) == EMBEDDING_INPUT_VERSION:
        return None
    chunks = [c for c in store.iter_chunks() if embedding_text(c.text) != c.text]
    embedded = 0
    for i in range(0, len(chunks), 1000):
        part = chunks[i : i + 1000]
        vectors, new = embed_with_cache(embeddings, cache, [c.text for c in part], batch_size)
        store.update_vectors([c.chunk_id for c in part], vectors)
        embedded += new
    catalog.set_meta(META_KEY, str(EMBEDDING_INPUT_VERSION))
    return len(chunks), embedded


def upgrade_local_days(store: ChunkStore, catalog: ArticleCatalog) -> int | None:
    """Add ``published_day`` to the chunks of a store written before it; call under the write lock.

    Returns:
        None when done before; else the number of chunks updated (0 for an empty store).

    Raises:
        StoreError: the store cannot be read or written (nothing recorded; the next run retries).
    """
    if catalog.get_meta(DAYS_KEY) == "1":
        return None
    updated = store.add_local_days() if catalog.count() > 0 else 0
    catalog.set_meta(DAYS_KEY, "1")
    return updated
