"""Day filters compare the article's own calendar day (#13), on the dense and the BM25 side."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from rag.settings import load_settings
from rag.store.chroma import filters_to_where, local_day
from rag.types import Filters
from sanad.app import Sanad

# 00:30 in Amman on 1 April is 21:30 UTC on 31 March; 21:10 in New York on 31 March is 02:10 UTC
# on 1 April. A one-day window must follow each paper's own calendar.
STORIES = [
    {
        "id": "amman",
        "title": "Amman morning paper",
        "published_at": "2024-04-01T00:30+03:00",
        "body": "The city council of Amman approved the new bus lanes for the spring season.",
    },
    {
        "id": "newyork",
        "title": "Evening news",
        "published_at": "Sun, 31 Mar 2024 21:10:00 -0500",
        "body": "The city council of New York approved the new bus lanes for the spring season.",
    },
    {
        "id": "dateonly",
        "title": "Weekly",
        "published_at": "2024-04-02",
        "body": "The city council of Cairo discussed bus lanes again on Tuesday.",
    },
    {"id": "undated", "title": "Undated", "body": "The city council approved bus lanes, undated."},
]


def test_local_day_reads_the_day_as_published() -> None:
    assert local_day("2024-04-01T00:30:00+03:00") == date(2024, 4, 1)
    assert local_day("2024-03-31T21:10:00-05:00") == date(2024, 3, 31)
    assert local_day("2024-04-02") == date(2024, 4, 2)
    assert local_day("2024-04-01T10:00:00Z") == date(2024, 4, 1)
    assert local_day("not a date") is None and local_day(None) is None


def test_bare_dates_filter_on_days_and_datetimes_on_instants() -> None:
    where = filters_to_where(Filters(published_from="2024-04-01", published_to="2024-04-01"))
    assert where == {"$and": [{"published_day": {"$gte": 20240401}}, {"published_day": {"$lte": 20240401}}]}
    where = filters_to_where(Filters(published_to="2024-04-01T12:00:00+00:00"))
    assert where == {"$and": [{"published_ts": {"$gte": 0}}, {"published_ts": {"$lte": 1711972800}}]}


@pytest.fixture(scope="module")
def sanad(tmp_path_factory: pytest.TempPathFactory) -> Sanad:
    tmp = tmp_path_factory.mktemp("days")
    feed = tmp / "feed.jsonl"
    feed.write_text("".join(json.dumps(s) + "\n" for s in STORIES), encoding="utf-8")
    app = Sanad(load_settings(data_dir=tmp / "data", cache_dir=tmp / "cache"))
    assert app.pipeline.ingest_paths([str(feed)]).added == 4
    return app


def _ids(sanad: Sanad, day_from: str | None, day_to: str | None, dense_only: bool = False) -> set[str]:
    filters = Filters(published_from=day_from, published_to=day_to)
    if dense_only:
        vector = sanad.embeddings.embed_query("city council bus lanes")
        return {c.article_id for c, _ in sanad.store.query(vector, 10, filters)}
    return {r.chunk.article_id for r in sanad.retriever.retrieve("city council bus lanes", 10, filters)}


@pytest.mark.parametrize("dense_only", [False, True])
def test_one_day_window_follows_each_papers_calendar(sanad: Sanad, dense_only: bool) -> None:
    assert _ids(sanad, "2024-04-01", "2024-04-01", dense_only) == {"amman"}
    assert _ids(sanad, "2024-03-31", "2024-03-31", dense_only) == {"newyork"}
    assert _ids(sanad, "2024-04-02", None, dense_only) == {"dateonly"}
    assert _ids(sanad, None, "2024-03-31", dense_only) == {"newyork"}  # undated never match


def test_lexical_side_agrees(sanad: Sanad) -> None:
    from rag.retrieval.chunk_filters import filter_predicate

    retriever = sanad.retriever
    retriever.retrieve("bus", 1)  # refreshes the day map
    index = retriever.lexical.current().index
    allowed = filter_predicate(
        Filters(published_from="2024-04-01", published_to="2024-04-01"), index.meta, retriever.days.get
    )
    assert allowed is not None
    kept = {index.meta(cid).article_id for cid in index.chunk_ids if allowed(cid)}  # type: ignore[union-attr]
    assert kept == {"amman"}


def test_the_published_on_bonus_uses_the_local_day(sanad: Sanad) -> None:
    # "published on 1 April" names the Amman story's own day, not the New York story's UTC day.
    def order(question: str) -> list[str]:
        found = [r.chunk.article_id for r in sanad.retriever.retrieve(question, 4)]
        return [a for a in found if a in ("amman", "newyork")]

    assert order("city council bus lanes published on April 1, 2024") == ["amman", "newyork"]
    assert order("city council bus lanes published on March 31, 2024") == ["newyork", "amman"]


def test_an_older_store_gets_local_days_on_the_next_ingest(tmp_path: Path) -> None:
    from ingest.reembed import DAYS_KEY

    feed = tmp_path / "feed.jsonl"
    feed.write_text("".join(json.dumps(s) + "\n" for s in STORIES[:2]), encoding="utf-8")
    app = Sanad(load_settings(data_dir=tmp_path / "data", cache_dir=tmp_path / "cache"))
    app.pipeline.ingest_paths([str(feed)])
    store = app.store
    ids = sorted(store.all_ids())
    store._col.update(ids=ids, metadatas=[{"published_day": -1} for _ in ids])  # as if written before
    app.catalog.set_meta(DAYS_KEY, "0")
    assert _ids(app, "2024-04-01", "2024-04-01", dense_only=True) == set()
    report = app.pipeline.ingest_paths([str(feed)])
    assert any("local publication day" in n for n in report.notices)
    assert _ids(app, "2024-04-01", "2024-04-01", dense_only=True) == {"amman"}
