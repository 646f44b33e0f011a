"""rag.retrieval.mentions: outlets and days a question names."""

from __future__ import annotations

import pytest

from rag.retrieval.mentions import SourceMatcher, day_spans, named_days, source_aliases, without_days

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


@pytest.mark.parametrize(
    ("text", "blanked", "day"),
    [
        ("What happened at Arafat on June 5, 2025?", "What happened at Arafat on June  ,  ?", "2025-06-05"),
        ("ماذا حدث في ٥ حزيران ٢٠٢٥؟", "ماذا حدث في   حزيران  ؟", "2025-06-05"),
        (
            "Which   article of 7 October  2023 named Gaza?",
            "Which   article of   October    named Gaza?",
            "2023-10-07",
        ),
    ],
)
def test_day_spans_point_into_the_original_text(text: str, blanked: str, day: str) -> None:

    (start, end, found), *rest = day_spans(text)
    assert found == day and not rest
    assert named_days(text[start:end]) == {day}  # the span is the whole date, in the original text
    assert without_days(text) == blanked


def test_text_without_a_day_is_unchanged() -> None:

    assert without_days("Who won in 2025, 5 times?") == "Who won in 2025, 5 times?"
