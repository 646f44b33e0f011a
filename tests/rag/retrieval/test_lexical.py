"""rag.retrieval.lexical: BM25 over chunks, persistence and damage handling."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rag.retrieval.lexical import LexicalDoc, LexicalIndex, required_matches

DOCS = [
    ("c1", "The central bank raised interest rates to fight inflation.", "en"),
    ("c2", "Heavy rain caused flooding in the northern provinces.", "en"),
    ("c3", "The football team won the championship final.", "en"),
    ("c4", "شكر الرئيس الروسي فلاديمير بوتين كوريا الشمالية على دعم تصرفاتها في أوكرانيا", "ar"),
    ("c5", "افتتحت المدرسة الجديدة أبوابها للطلاب في العاصمة", "ar"),
    ("c6", "Le gouvernement a présenté les élections présidentielles.", "fr"),
    ("c7", "Rates of rain and rates of sun: a weather report.", "en"),
]


@pytest.fixture
def index() -> LexicalIndex:
    return LexicalIndex.build(DOCS)


def ids(hits: list[tuple[str, float]]) -> list[str]:
    return [cid for cid, _ in hits]


def test_exact_keyword_chunk_ranks_first(index: LexicalIndex) -> None:
    hits = index.search("inflation", 5)
    assert ids(hits) == ["c1"]
    assert hits[0][1] > 0
    assert ids(index.search("flooding provinces", 5))[0] == "c2"


def test_scores_are_positive_and_sorted(index: LexicalIndex) -> None:
    hits = index.search("interest rates rain", 10, min_should_match=False)
    assert len(hits) >= 3
    scores = [s for _, s in hits]
    assert scores == sorted(scores, reverse=True) and all(s > 0 for s in scores)
    assert len(index.search("interest rates rain", 1)) == 1


def test_minimum_should_match_drops_single_common_word_hits(index: LexicalIndex) -> None:
    # Three terms → a hit needs two: c2 says only "rain", c1 and c7 hold two of the words.
    assert set(ids(index.search("interest rates rain", 10))) == {"c1", "c7"}
    assert "c2" in ids(index.search("interest rates rain", 10, min_should_match=False))
    # Terms unknown to the index still count: one shared word out of four is not enough.
    assert index.search("rain Putin Pyongyang summit", 10) == []
    assert required_matches(1) == required_matches(2) == 1
    assert required_matches(3) == required_matches(8) == required_matches(30) == 2


def test_arabic_variants_match(index: LexicalIndex) -> None:
    assert ids(index.search("مدرسه", 3)) == ["c5"]  # ه spelling of المدرسة, no article
    assert ids(index.search("بوتين اوكرانيا", 3)) == ["c4"]  # no hamza
    assert ids(index.search("الرئيس الروسيّ", 3)) == ["c4"]  # shadda


def test_french_document_found_with_french_and_plain_query(index: LexicalIndex) -> None:
    assert ids(index.search("élection présidentielle", 3))[0] == "c6"


def test_unknown_tokens_and_stopwords_return_nothing(index: LexicalIndex) -> None:
    assert index.search("zzzqqq", 5) == []
    assert index.search("the of and في من", 5) == []
    assert index.search("", 5) == []
    assert index.search("inflation", 0) == []


def test_empty_index() -> None:
    empty = LexicalIndex.build([])
    assert len(empty) == 0 and empty.search("anything", 5) == []
    only_stopwords = LexicalIndex.build([("x", "the of في", "en")])
    assert len(only_stopwords) == 1 and only_stopwords.search("the", 5) == []


def test_filter_does_not_starve_results(index: LexicalIndex) -> None:
    # c7 mentions "rates" twice in a short text and outranks c1; keep only c1 with k=1.
    assert ids(index.search("rates", 5))[0] == "c7"
    assert ids(index.search("rates", 1, allowed=lambda cid: cid == "c1")) == ["c1"]
    assert index.search("rates", 5, allowed=lambda cid: False) == []


def test_metadata_kept_for_filtering() -> None:
    idx = LexicalIndex.build([LexicalDoc("a", "inflation", "en", "reuters", 1_700_000_000, "art")])
    meta = idx.meta("a")
    assert meta is not None and (meta.source, meta.language, meta.published_ts, meta.article_id) == (
        "reuters",
        "en",
        1_700_000_000,
        "art",
    )
    assert idx.meta("nope") is None and "a" in idx and idx.chunk_ids == ["a"]


def test_save_load_round_trip(index: LexicalIndex, tmp_path: Path) -> None:
    index.save(tmp_path / "bm25", generation=7)
    loaded = LexicalIndex.load(tmp_path / "bm25")
    assert loaded is not None
    again, generation = loaded
    assert generation == 7 and again.chunk_ids == index.chunk_ids
    for q in ("inflation", "rates rain", "مدرسه", "élection présidentielle"):
        before, after = index.search(q, 5), again.search(q, 5)
        assert before and ids(after) == ids(before)
        assert [s for _, s in after] == pytest.approx([s for _, s in before])
    assert again.meta("c4") == index.meta("c4")


def test_save_replaces_atomically(index: LexicalIndex, tmp_path: Path) -> None:
    directory = tmp_path / "bm25"
    index.save(directory, generation=1)
    LexicalIndex.build(DOCS[:2]).save(directory, generation=2)
    loaded = LexicalIndex.load(directory)
    assert loaded is not None and loaded[1] == 2 and loaded[0].chunk_ids == ["c1", "c2"]
    assert not [p for p in directory.iterdir() if p.name.startswith(".tmp-")]


def test_empty_index_round_trip(tmp_path: Path) -> None:
    LexicalIndex.build([]).save(tmp_path / "bm25", generation=3)
    loaded = LexicalIndex.load(tmp_path / "bm25")
    assert loaded is not None and loaded[1] == 3 and len(loaded[0]) == 0


def test_missing_index_loads_as_none(tmp_path: Path) -> None:
    assert LexicalIndex.load(tmp_path / "nothing") is None


def _manifest(directory: Path) -> Path:
    return directory / (directory / "CURRENT").read_text().strip()


def _segment_files(directory: Path, ext: str) -> list[Path]:
    names = [s["name"] for s in json.loads(_manifest(directory).read_text())["segments"]]
    return [directory / f"seg-{n}.{ext}" for n in names]


@pytest.mark.parametrize(
    "damage",
    ["truncate_arrays", "garbage_vocab", "garbage_meta", "wrong_tokenizer", "bad_pointer", "missing_segment"],
)
def test_corrupted_index_loads_as_none_and_rebuild_recovers(
    index: LexicalIndex, tmp_path: Path, damage: str
) -> None:
    directory = tmp_path / "bm25"
    index.save(directory, generation=5)
    if damage == "truncate_arrays":
        data = _segment_files(directory, "npz")[0]
        data.write_bytes(data.read_bytes()[:200])
    elif damage == "garbage_vocab":
        _segment_files(directory, "json")[0].write_text("{not json")
    elif damage == "garbage_meta":
        _manifest(directory).write_text('{"format": 2, "segm')
    elif damage == "wrong_tokenizer":
        payload = json.loads(_manifest(directory).read_text())
        payload["tokenizer"] = -1
        _manifest(directory).write_text(json.dumps(payload))
    elif damage == "bad_pointer":
        (directory / "CURRENT").write_text("../../etc")
    else:
        for p in _segment_files(directory, "npz"):
            p.unlink()
    assert LexicalIndex.load(directory) is None
    LexicalIndex.build(DOCS).save(directory, generation=6)  # what a caller does on None
    loaded = LexicalIndex.load(directory)
    assert loaded is not None and loaded[1] == 6 and ids(loaded[0].search("inflation", 1)) == ["c1"]


# -- segments: incremental updates score exactly like a rebuild ---------------------------------

MORE = [
    ("d1", "Inflation fell as the central bank held interest rates.", "en"),
    ("d2", "أعلن البنك المركزي رفع أسعار الفائدة لمواجهة التضخم", "ar"),
    ("d3", "Flooding closed schools in the northern provinces after rain.", "en"),
]
QUERIES = [
    "inflation interest rates",
    "rain flooding provinces",
    "البنك المركزي التضخم",
    "élections",
    "rates",
]


def assert_same_results(a: LexicalIndex, b: LexicalIndex) -> None:
    assert sorted(a.chunk_ids) == sorted(b.chunk_ids) and len(a) == len(b)
    for q in QUERIES:
        got, want = a.search(q, 10), b.search(q, 10)
        assert dict(got) == pytest.approx(dict(want)), q
        assert a.known_terms(q) == b.known_terms(q)
        assert a.idf(a.query_tokens(q)) == pytest.approx(b.idf(b.query_tokens(q)))


def test_scores_equal_bm25s_lucene(index: LexicalIndex) -> None:
    import bm25s

    from rag.text.normalize import tokenize

    corpus = [tokenize(text, lang) for _, text, lang in DOCS]
    reference = bm25s.BM25(k1=1.2, b=0.75, method="lucene")
    reference.index(corpus, show_progress=False)
    for q in QUERIES:
        toks = sorted({t for t in index.query_tokens(q) if t in reference.vocab_dict})
        want = reference.get_scores_from_ids([reference.vocab_dict[t] for t in toks])
        got = dict(index.search(q, 10, min_should_match=False))
        for (cid, _, _), score in zip(DOCS, want, strict=True):
            assert got.get(cid, 0.0) == pytest.approx(float(score), rel=1e-5), (q, cid)


def test_added_and_removed_chunks_score_like_a_rebuild(index: LexicalIndex) -> None:
    updated = index.with_changes(MORE, removed=["c3", "c7", "unknown"])
    rebuilt = LexicalIndex.build([d for d in DOCS if d[0] not in ("c3", "c7")] + MORE)
    assert_same_results(updated, rebuilt)
    assert "c3" not in updated and updated.meta("c3") is None and "d2" in updated
    assert index.search("football championship", 1) and not updated.search("football championship", 1)
    assert len(index) == len(DOCS)  # the old index is unchanged


def test_replacing_a_chunk_keeps_one_copy_with_the_new_text(index: LexicalIndex) -> None:
    updated = index.with_changes([LexicalDoc("c1", "A recipe for lentil soup.", "en", "bbc")], ())
    assert updated.chunk_ids.count("c1") == 1 and updated.meta("c1") == ("bbc", "en", None, "")
    assert ids(updated.search("lentil soup", 3)) == ["c1"] and not updated.search("inflation", 3)


def test_many_small_writes_compact_without_changing_scores() -> None:
    # A main segment of 200 chunks, then 10 writes of two chunks, each deleting two older ones.
    main = [(f"m{i}", f"{DOCS[i % 7][1]} item {i}", DOCS[i % 7][2]) for i in range(200)]
    current = LexicalIndex.build(main)
    for i in range(10):
        doc = MORE[i % 3]
        added = [(f"w{i}a", doc[1], doc[2]), (f"w{i}b", f"{doc[1]} again", doc[2])]
        current = current.with_changes(added, removed=[f"w{i - 1}a", f"m{i}"])
    assert current.segment_count == 11
    tiered = current.compacted()  # small segments: 20 of 220 chunks (< 10 %)
    assert tiered.segment_count == 2 and tiered.postings < current.postings
    assert_same_results(tiered, current)
    full = current.compacted(force=True)
    assert full.segment_count == 1 and len(full) == len(current) == 200 - 10 + 11
    assert_same_results(full, current)
    assert current.with_changes([], [f"m{i}" for i in range(12, 40)]).compacted().segment_count == 1


def test_load_reads_only_new_segments(index: LexicalIndex, tmp_path: Path) -> None:
    directory = tmp_path / "bm25"
    index.save(directory, generation=1)
    replica = LexicalIndex.load(directory)
    assert replica is not None
    before = set(directory.iterdir())
    index.with_changes(MORE[:1], ["c2"]).save(directory, generation=2)
    new_files = {p.name for p in set(directory.iterdir()) - before}
    assert len([n for n in new_files if n.startswith("seg-")]) == 2  # one small segment: .npz + .json
    for p in directory.glob("seg-*"):
        if p.name not in new_files:
            p.write_bytes(b"unreadable: a replica holding the index never reads it again")
    loaded = LexicalIndex.load(directory, reuse=replica[0])
    assert loaded is not None and loaded[1] == 2
    assert_same_results(loaded[0], LexicalIndex.build([d for d in DOCS if d[0] != "c2"] + MORE[:1]))
    assert LexicalIndex.load(directory) is None  # without the old segments in memory: damaged
