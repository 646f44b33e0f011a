"""rag.retrieval.mentions: outlets and days a question names."""

from __future__ import annotations

import pytest

from rag.retrieval.mentions import SourceMatcher, named_days, source_aliases

SOURCES = [
    "The Verge",
    "TechCrunch",
    "Cnbc | World Business News Leader",
    "The Independent - Life and Style",
    "The Independent - Sports",
    "CBSSports.com",
    "الجزيرة نت",
    "",
]


def test_aliases_cover_full_name_and_head() -> None:
    assert source_aliases("Cnbc | World Business News Leader") == {"cnbc world business news leader", "cnbc"}
    assert source_aliases("CBSSports.com") == {"cbssports com"}
    assert source_aliases("AP") == set()  # too short to match safely


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("As reported by both The Verge and TechCrunch, who is it?", {"The Verge", "TechCrunch"}),
        ("the 'Cnbc | World Business News Leader' article", {"Cnbc | World Business News Leader"}),
        ("a CNBC piece", {"Cnbc | World Business News Leader"}),
        ("The Independent - Life and Style's report", {"The Independent - Life and Style"}),
        ("an article in The Independent", {"The Independent - Life and Style", "The Independent - Sports"}),
        ("Did CBSSports.com change its reporting?", {"CBSSports.com"}),
        ("ماذا قالت الجزيرة نت عن الزيارة؟", {"الجزيرة نت"}),
        ("Is the company on the brink of collapse?", set()),
        ("Techcrunchy snacks", set()),  # whole words only
    ],
)
def test_named_sources(question: str, expected: set[str]) -> None:
    assert SourceMatcher(SOURCES).named(question) == expected


def test_empty_matcher() -> None:
    assert SourceMatcher([]).named("The Verge") == frozenset()


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("After the report on October 7, 2023, and the one of Oct. 30th 2023", {"2023-10-07", "2023-10-30"}),
        ("published 5 December 2023", {"2023-12-05"}),
        ("on 2023-11-02", {"2023-11-02"}),
        ("في ٧ أكتوبر ٢٠٢٣ و 3 تشرين الثاني 2023 و 1 إبريل 2024", {"2023-10-07", "2023-11-03", "2024-04-01"}),
        ("on February 30, 2023", set()),
        ("in October 2023", set()),  # a month is not a day
        ("no date here, just 2023", set()),
    ],
)
def test_named_days(question: str, expected: set[str]) -> None:
    assert named_days(question) == expected
