"""The local publication day of every article, for day filters and the "published on" bonus.

Chroma filters on each chunk's ``published_day`` (rag.store.chroma.local_day). The BM25 side
keeps only the UTC ``published_ts`` of a chunk, so it asks this map for the article's own
calendar day; both sides then agree that a 00:30+03:00 story is of 1 April and a 21:10-05:00 one
of 31 March. The map is rebuilt from the catalog's listing when the catalog's generation moves.
"""

from __future__ import annotations

import threading

from rag.store.catalog import ArticleCatalog
from rag.store.chroma import day_number, local_day


class ArticleDays:
    """Local publication days by article id, in step with the catalog after :meth:`refresh`.

    Args:
        catalog: The article catalog.
    """

    def __init__(self, catalog: ArticleCatalog) -> None:
        self.catalog = catalog
        self._lock = threading.Lock()
        self._generation: int | None = None
        self._days: dict[str, int] = {}

    def refresh(self) -> None:
        """Re-read the catalog if it changed since the last call (one generation read otherwise)."""
        generation = self.catalog.generation()
        if generation == self._generation:
            return
        with self._lock:
            if generation == self._generation:
                return
            days: dict[str, int] = {}
            for article_id, listed in self.catalog.listing().items():
                day = local_day(listed.published_at)
                if day is not None:
                    days[article_id] = day_number(day)
            self._days, self._generation = days, generation

    def get(self, article_id: str) -> int | None:
        """The article's local publication day as ``YYYYMMDD``, or None when undated/unknown."""
        return self._days.get(article_id)

    def iso(self, article_id: str) -> str | None:
        """The article's local publication day as ``YYYY-MM-DD``, or None."""
        n = self._days.get(article_id)
        return None if n is None else f"{n // 10000:04d}-{n // 100 % 100:02d}-{n % 100:02d}"
