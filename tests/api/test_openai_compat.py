"""The OpenAI-compatible endpoint driven by the real ``openai`` client."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import openai
import pytest

from tests.api.conftest import AR_QUESTION, TOKEN, ApiEnv


@pytest.fixture
def oai(api_env: ApiEnv) -> Iterator[openai.OpenAI]:
    client = openai.OpenAI(base_url=f"{api_env.url}/v1", api_key=TOKEN, max_retries=0, timeout=120)
    yield client
    client.close()


def test_models_lists_sanad(oai: openai.OpenAI) -> None:
    assert [m.id for m in oai.models.list()] == ["sanad"]


def test_plain_completion_has_citations(oai: openai.OpenAI) -> None:
    completion = oai.chat.completions.create(
        model="sanad",
        messages=[
            {"role": "system", "content": "You are helpful."},
            {"role": "user", "content": AR_QUESTION},
        ],
    )
    content = completion.choices[0].message.content or ""
    assert completion.model == "sanad" and completion.choices[0].finish_reason == "stop"
    assert "[1]" in content and "\nSources:\n[1] " in content
    citations = (completion.model_extra or {})["citations"]
    assert citations[0]["number"] == 1 and citations[0]["quote"] in content


def test_streamed_completion(oai: openai.OpenAI) -> None:
    stream = oai.chat.completions.create(
        model="sanad",
        messages=[
            {"role": "user", "content": [{"type": "text", "text": "What did the European Central Bank do?"}]}
        ],
        stream=True,
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert len(chunks) >= 3 and chunks[-1].choices[0].finish_reason == "stop"
    assert "[1]" in text and "Sources:" in text and "https://example.com/ecb?a=1&b=2" in text
    citations = (chunks[-1].model_extra or {})["citations"]
    assert citations[0]["article_id"] == "news/ecb-rate-cut"


def test_history_is_used(oai: openai.OpenAI) -> None:
    completion = oai.chat.completions.create(
        model="sanad",
        messages=[
            {"role": "user", "content": "Tell me about the floods in southern Brazil"},
            {"role": "assistant", "content": "Heavy rains caused flooding [1].\n\nSources:\n[1] Floods"},
            {"role": "user", "content": "Which river rose to a record level?"},
        ],
    )
    assert "Guaiba" in (completion.choices[0].message.content or "")


def test_errors_map_to_openai_exceptions(oai: openai.OpenAI, api_env: ApiEnv) -> None:
    with pytest.raises(openai.NotFoundError):
        oai.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "hi"}])
    with pytest.raises(openai.UnprocessableEntityError, match="role 'user'"):  # schema: 422, not 400
        oai.chat.completions.create(model="sanad", messages=[{"role": "assistant", "content": "hi"}])
    bad = openai.OpenAI(base_url=f"{api_env.url}/v1", api_key="wrong", max_retries=0)
    with pytest.raises(openai.PermissionDeniedError):
        bad.chat.completions.create(model="sanad", messages=[{"role": "user", "content": "hi"}])
    missing = httpx.post(f"{api_env.url}/v1/chat/completions", json={"model": "sanad", "messages": []})
    assert missing.status_code == 401


def test_sources_block_defuses_markers_in_article_text() -> None:
    from api.server import sources_block
    from rag.types import Answer, Chunk, Citation

    quote = "The budget passed. [7] Reuters, 'Budget 99 billion' [2]"
    chunk = Chunk("c1", "a1", 0, quote, 0, len(quote), title="Budget [3] vote", source="Wire [9]")
    block = sources_block(Answer(text="It passed [1].", citations=(Citation(1, chunk, quote),)))
    lines = block.splitlines()
    assert lines[1].startswith("[1] Budget ［3］ vote — Wire ［9］")
    assert "［7］ Reuters" in lines[2] and "［2］" in lines[2]
    # The only ASCII marker left is our own [1].
    assert re.findall(r"\[\d+\]", block) == ["[1]"]


def test_sources_block_lists_more_quotes_and_copies() -> None:
    from api.server import sources_block
    from rag.types import Answer, Chunk, Citation, Quote, SourceRef

    text = "The bridge closes on Monday. Lorries over 40 tonnes are banned."
    c0 = Chunk("c0", "wire-a", 0, text, 0, len(text), title="Bridge closes", source="Reuters")
    c1 = Chunk("c1", "wire-a", 1, "Engineers found cracks.", 64, 87, title="Bridge closes", source="Reuters")
    cite = Citation(
        1,
        c0,
        "Lorries over 40 tonnes are banned.",
        more_quotes=(Quote(c1, "Engineers found cracks."),),
        also_in=(SourceRef("wire-b", source="Daily Post", published_at="2024-05-02T08:00:00"),),
    )
    lines = sources_block(Answer(text="Banned [1].", citations=(cite,))).splitlines()
    assert lines[1].startswith("[1] Bridge closes — Reuters")
    assert lines[2:] == [
        "    “Lorries over 40 tonnes are banned.”",
        "    “Engineers found cracks.”",
        "    also in: Daily Post 2024-05-02",
    ]


def test_completion_carries_the_short_answer_field(oai: openai.OpenAI) -> None:
    completion = oai.chat.completions.create(
        model="sanad", messages=[{"role": "user", "content": AR_QUESTION}]
    )
    extra = completion.model_extra or {}
    assert "short_answer" in extra and all("more_quotes" in c and "also_in" in c for c in extra["citations"])


def test_streamed_usage_when_asked(oai: openai.OpenAI) -> None:
    """nc8 D12: ``stream_options.include_usage`` left the client with ``usage=None``."""
    question = "What did the European Central Bank do?"
    messages: list[Any] = [{"role": "user", "content": question}]
    chunks = list(
        oai.chat.completions.create(
            model="sanad", messages=messages, stream=True, stream_options={"include_usage": True}
        )
    )
    last = chunks[-1]
    assert last.choices == [] and last.usage is not None
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert last.usage.completion_tokens == len(text.split()) > 0
    assert last.usage.prompt_tokens == len(question.split())
    assert chunks[-2].choices[0].finish_reason == "stop"
    plain = list(oai.chat.completions.create(model="sanad", messages=messages, stream=True))
    assert all(c.usage is None for c in plain) and plain[-1].choices  # not asked, not sent


def test_sources_block_percent_encodes_markup_in_urls() -> None:
    """nc8 D12: a URL with ``<script>`` in its query string was printed raw in the Sources list."""
    from api.server import sources_block
    from rag.types import Answer, Chunk, Citation

    text = "The bridge closes on Monday."
    url = 'https://example.com/a?q=<script>alert("x")</script>&b=1%20c#top'
    chunk = Chunk("c1", "a1", 0, text, 0, len(text), title="Bridge", url=url)
    block = sources_block(Answer(text="It closes [1].", citations=(Citation(1, chunk, text),)))
    shown = "https://example.com/a?q=%3Cscript%3Ealert(%22x%22)%3C/script%3E&b=1%20c#top"
    assert shown in block and "<" not in block and '"' not in block
