"""The answerability verdict (issue 12): passages about the subject that do not hold the asked fact
abstain; the passage that holds it answers; a question about one outlet's article needs a passage
from that outlet. Real BM25 index over invented articles (Arabic and English): a page about a dam
in four paragraphs plus two unrelated articles.

Dense scores are set by hand to 0.795 for every passage: inside the band where the grounding
policy passes a passage on lexical evidence (cosine >= 0.79 and a third of the question's words),
which is where the verdict decides. Every article here is invented for the test.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pytest

from rag.answer.answerability import answerability_features, term_stats
from rag.answer.grounding import GroundingPolicy, should_abstain
from rag.answer.outlets import named_outlets
from rag.retrieval.lexical import LexicalIndex
from rag.types import Retrieved
from tests.rag.answer.conftest import make_chunk

DAM_EN = (
    "The Orin Valley dam was built between 1958 and 1962 by the state water company. Its concrete "
    "wall is 120 metres high and stands on the Orin river north of the city of Velmar.",
    "The reservoir behind the Orin Valley dam holds 4.2 billion cubic metres of water when full. "
    "It supplies drinking water to about two million people in Velmar and the nearby villages.",
    "Tourism grew around the Orin Valley lake in the 1990s. Visitors come for boat trips, fishing "
    "and the hiking trails along the eastern shore of the reservoir.",
    "Velmar city council approved a new bus line to the Orin Valley dam in 2023. The line runs "
    "every hour on weekends and stops at the visitor centre.",
    "Harbour United beat Northgate 3-1 in the cup final on Saturday. Their striker scored twice in "
    "the second half.",
    "The central bank kept its key interest rate at 4.5 percent on Thursday, saying inflation was slowing.",
)
DAM_AR = (
    "بُني سد وادي أورين بين عامي 1958 و1962 على يد شركة المياه الحكومية. ويبلغ ارتفاع جداره "
    "الخرساني 120 متراً ويقع على نهر أورين شمال مدينة فيلمار.",
    "تتسع بحيرة سد وادي أورين لـ4.2 مليار متر مكعب من المياه عند امتلائها. وتزود بمياه الشرب نحو "
    "مليوني شخص في فيلمار والقرى المحيطة بها.",
    "ازدهرت السياحة حول بحيرة وادي أورين في التسعينيات. ويأتي الزوار للقيام برحلات القوارب وصيد "
    "الأسماك والمشي على الطرق المحاذية للضفة الشرقية.",
    "وافق مجلس مدينة فيلمار عام 2023 على خط حافلات جديد إلى سد وادي أورين. ويعمل الخط كل ساعة في "
    "عطلات نهاية الأسبوع ويتوقف عند مركز الزوار.",
    "فاز فريق الميناء على نورثغيت بثلاثة أهداف مقابل هدف في نهائي الكأس يوم السبت. وسجل مهاجمه "
    "هدفين في الشوط الثاني.",
    "أبقى البنك المركزي سعر الفائدة الرئيسي عند 4.5 في المئة يوم الخميس، وقال إن التضخم يتباطأ.",
)
DENSE = 0.795


def _collection(texts: Sequence[str]) -> tuple[list[Retrieved], LexicalIndex]:
    titles = ["Orin Valley dam"] * 4 + ["Cup final", "Central bank"]
    chunks = [make_chunk(i, t, title=title) for i, (t, title) in enumerate(zip(texts, titles, strict=True))]
    index = LexicalIndex.build((c.chunk_id, c.text, c.language) for c in chunks)
    return [Retrieved(c, score=1.0, dense_score=DENSE) for c in chunks], index


def _ask(question: str, texts: Sequence[str], drop: int | None) -> tuple[list[Retrieved], LexicalIndex]:
    """The dam's paragraphs (paragraph ``drop`` left out, as a gold-removed negative) in BM25 order."""
    every, index = _collection(texts)
    lexical = dict(index.search(question, 10, None))
    kept = [
        Retrieved(
            r.chunk,
            score=lexical.get(r.chunk.chunk_id, 0.0),
            dense_score=DENSE,
            lexical_score=lexical.get(r.chunk.chunk_id),
        )
        for i, r in enumerate(every)
        if i != drop
    ]
    kept.sort(key=lambda r: -r.score)
    return kept[:5], index


CASES = [
    # the siblings name the dam as often as the answering paragraph: only the verdict tells them apart
    ("en", "How high is the concrete wall of the Orin Valley dam?", DAM_EN, 0, True),
    # Arabic: the siblings hold too few of the question's words, the policy already refuses them
    ("ar", "ما ارتفاع الجدار الخرساني لسد وادي أورين بالأمتار؟", DAM_AR, 0, False),
]


@pytest.mark.parametrize(("language", "question", "texts", "gold", "verdict_decides"), CASES)
def test_the_answering_paragraph_answers_and_its_siblings_alone_do_not(
    language: str, question: str, texts: Sequence[str], gold: int, verdict_decides: bool
) -> None:
    policy = GroundingPolicy()
    with_gold, index = _ask(question, texts, None)
    without, _ = _ask(question, texts, gold)
    assert with_gold[0].chunk.article_id == f"a{gold}"  # BM25 finds the answering paragraph
    assert not should_abstain(with_gold, policy, query=question, language=language, stats=index)
    assert should_abstain(without, policy, query=question, language=language, stats=index)
    # without the verdict (no statistics, or turned off) the policy alone decides
    off = GroundingPolicy(answerability_shift=None)
    assert should_abstain(without, policy, query=question, language=language) is not verdict_decides
    assert should_abstain(without, off, query=question, language=language, stats=index) is not verdict_decides


@pytest.mark.parametrize(("language", "question", "texts", "gold"), [c[:4] for c in CASES])
def test_the_asked_words_meet_in_one_window_only_with_the_answering_paragraph(
    language: str, question: str, texts: Sequence[str], gold: int
) -> None:
    with_gold, index = _ask(question, texts, None)
    without, _ = _ask(question, texts, gold)
    f_gold = answerability_features(question, with_gold, index)
    f_sib = answerability_features(question, without, index)
    assert f_gold is not None and f_sib is not None
    assert f_gold.window_cover > f_sib.window_cover + 0.3
    assert f_gold.log_odds() + 2.5 < f_sib.log_odds()
    assert f_gold.script == f_sib.script == ("arabic" if language == "ar" else "latin")


def test_the_verdict_stays_out_of_cross_lingual_questions() -> None:
    # an English question over the Arabic paragraphs: no word can meet, the policy decides alone
    question = "How high is the concrete wall of the Orin Valley dam?"
    passages, index = _ask(question, DAM_AR, 0)
    policy = GroundingPolicy()
    assert should_abstain(passages, policy, query=question, language="en", stats=index) == should_abstain(
        passages, policy, query=question, language="en"
    )


@dataclass
class _State:
    index: LexicalIndex


class _View:
    def __init__(self, index: LexicalIndex) -> None:
        self.index = index

    def current(self) -> _State:
        return _State(self.index)


class _Retriever:
    def __init__(self, index: LexicalIndex) -> None:
        self.lexical = _View(index)


def test_term_stats_reads_the_retrievers_lexical_view() -> None:
    _, index = _collection(DAM_EN)
    assert term_stats(_Retriever(index)) is index
    assert term_stats(object()) is None  # a dense-only retriever: the policy alone decides


BRIDGE = (
    "The new river bridge in Velmar opened to traffic on Monday. Trucks heavier than 40 tonnes are "
    "banned from it, the transport ministry said."
)


def _from(outlets: Sequence[str]) -> list[Retrieved]:
    return [
        Retrieved(make_chunk(i, BRIDGE, title="Velmar bridge opens", source=s), score=1.0, dense_score=0.9)
        for i, s in enumerate(outlets)
    ]


@pytest.mark.parametrize(
    "question",
    [
        "What weight limit did the Harbour Gazette article give for the Velmar bridge?",
        "According to an article from The Harbour Gazette, what weight limit applies to the Velmar bridge?",
    ],
)
def test_a_question_about_one_outlets_article_needs_a_passage_from_it(question: str) -> None:
    policy = GroundingPolicy()
    assert named_outlets(question) == [{"harbo", "gazet"}]
    assert should_abstain(_from(["Velmar Daily", "Levant Wire"]), policy, query=question, language="en")
    assert not should_abstain(
        _from(["Levant Wire", "The Harbour Gazette"]), policy, query=question, language="en"
    )


def test_words_that_only_look_like_outlets_are_not_outlets() -> None:
    assert named_outlets("What did the IPCC report say about an AI-powered DJ feature?") == []
    assert named_outlets("Does the November article on the Velmar bridge give a weight limit?") == []
    question = "What weight limit applies to the Velmar bridge?"  # no outlet named: the passages decide
    assert not should_abstain(_from(["Velmar Daily"]), GroundingPolicy(), query=question, language="en")


def test_no_verdict_without_cosines() -> None:
    # a lexical-only retriever: the weights need a cosine, so the policy alone decides
    question = "How high is the concrete wall of the Orin Valley dam?"
    passages, index = _ask(question, DAM_EN, 0)
    lexical_only = [Retrieved(r.chunk, r.score, lexical_score=r.lexical_score) for r in passages]
    assert answerability_features(question, lexical_only, index) is None
    policy = GroundingPolicy()
    assert should_abstain(lexical_only, policy, query=question, language="en", stats=index) == should_abstain(
        lexical_only, policy, query=question, language="en"
    )
