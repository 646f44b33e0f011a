"""Filters as a predicate over chunk ids: the dense search's ``where`` clause, evaluated in Python.

The BM25 side of hybrid retrieval and the key channel see chunk ids, not Chroma rows, so they
apply :class:`rag.types.Filters` through :func:`filter_predicate`, which evaluates the very
``where`` clause :func:`rag.store.chroma.filters_to_where` gives Chroma: the two paths cannot
drift apart.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from rag.retrieval.lexical import DocMeta
from rag.store.chroma import day_number, filters_to_where
from rag.types import Filters


def filter_predicate(
    filters: Filters | None,
    meta: Callable[[str], DocMeta | None],
    day_of: Callable[[str], int | None] | None = None,
) -> Callable[[str], bool] | None:
    """A predicate over chunk ids that applies the same filter as the dense search.

    It evaluates the very ``where`` clause :func:`rag.store.chroma.filters_to_where` gives Chroma, over
    each chunk's ``source``, ``language``, ``published_ts``, ``published_day`` and ``article_id``,
    so the two paths cannot drift apart. As in Chroma, a comparison on a missing key (an undated
    chunk) is False.

    Args:
        filters: The filters, or None.
        meta: Looks up a chunk's metadata (None for an unknown chunk, which is then rejected).
        day_of: The local publication day (``YYYYMMDD``) of an article id
            (:class:`rag.retrieval.local_days.ArticleDays`); default: the UTC day of
            ``published_ts``.

    Returns:
        The predicate, or None when no filter applies.

    Raises:
        ValueError: the where clause uses an operator this evaluator does not know.
    """
    where = filters_to_where(filters)
    if where is None:
        return None
    _check_where(where)

    def allowed(chunk_id: str) -> bool:
        m = meta(chunk_id)
        if m is None:
            return False
        fields: dict[str, Any] = {"source": m.source, "language": m.language, "article_id": m.article_id}
        if m.published_ts is not None:
            fields["published_ts"] = m.published_ts
        day = day_of(m.article_id) if day_of is not None else _utc_day_number(m.published_ts)
        if day is not None:
            fields["published_day"] = day
        return _matches(where, fields)

    return allowed


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "$eq": lambda v, x: bool(v == x),
    "$ne": lambda v, x: bool(v != x),
    "$gt": lambda v, x: bool(v > x),
    "$gte": lambda v, x: bool(v >= x),
    "$lt": lambda v, x: bool(v < x),
    "$lte": lambda v, x: bool(v <= x),
    "$in": lambda v, x: v in x,
    "$nin": lambda v, x: v not in x,
}


def _check_where(where: dict[str, Any]) -> None:
    for key, cond in where.items():
        if key in ("$and", "$or"):
            for sub in cond:
                _check_where(sub)
        elif isinstance(cond, dict):
            unknown = set(cond) - set(_COMPARE)
            if unknown:
                raise ValueError(f"unsupported where operator(s) {sorted(unknown)} on {key!r}")


def _matches(where: dict[str, Any], fields: dict[str, Any]) -> bool:
    for key, cond in where.items():
        if key == "$and":
            if not all(_matches(sub, fields) for sub in cond):
                return False
        elif key == "$or":
            if not any(_matches(sub, fields) for sub in cond):
                return False
        else:
            if key not in fields:
                return False
            ops = cond if isinstance(cond, dict) else {"$eq": cond}
            try:
                if not all(_COMPARE[op](fields[key], value) for op, value in ops.items()):
                    return False
            except TypeError:  # e.g. comparing a str with an int: no match, as in Chroma
                return False
    return True


def _utc_day_number(ts: int | None) -> int | None:
    """The UTC calendar day of a Unix timestamp as ``YYYYMMDD`` (None for None)."""
    return None if ts is None else day_number(datetime.fromtimestamp(ts, UTC).date())
