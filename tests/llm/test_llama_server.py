"""Sanad against a real OpenAI-compatible server (llama.cpp + SmolLM2-135M): the plumbing.

Asserted: answers arrive on every surface (the chain, ``/v1/ask`` JSON and SSE, the OpenAI route
plain and streamed through the ``openai`` client, the Slack handler); every citation points to a
passage given to the model and quotes its chunk, or was dropped; streams end cleanly; a prompt
over the model's 2048-token context is trimmed (passages dropped lowest-ranked first) or answered
extractively with a notice, never a 500. The 135M model's wisdom is not asserted.
"""

from __future__ import annotations

import json
import re
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from openai import OpenAI
from slack_sdk import WebClient

from api.schemas import AskResponse
from api.server import MODEL_ID, create_app
from rag.settings import Settings, load_settings
from rag.types import Answer
from sanad.app import Sanad
from tests.api.conftest import ENGLISH_ARTICLES, SIGNING_SECRET, FakeSlack, ServerThread, wait_ready
from tests.api.test_slack import _event, _mention, _post
from tests.fixtures.embeddings import MemoEmbeddings
from tests.llm.conftest import N_CTX

pytestmark = pytest.mark.llm

REPO = Path(__file__).resolve().parents[2]
ARABIC_SAMPLE = REPO / "samples" / "articles" / "ar-putin-pyongyang-visit.txt"
EN_QUESTION = "What did the European Central Bank do to interest rates?"
AR_QUESTION = "على ماذا شكر بوتين كوريا الشمالية؟"
STYLES_SEEN: list[str] = []  # raw answers, printed at the end: the citation styles SmolLM2 uses


@dataclass
class Env:
    sanad: Sanad
    settings: Settings
    url: str
    slack: FakeSlack


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory, llama_server: str) -> Iterator[Env]:
    root = tmp_path_factory.mktemp("llm-tier")
    (root / "articles").mkdir()
    shutil.copy(ARABIC_SAMPLE, root / "articles" / ARABIC_SAMPLE.name)
    (root / "articles" / "en.jsonl").write_text(
        "".join(
            json.dumps({**a, "id": a.get("id", f"en-{i}")}) + "\n" for i, a in enumerate(ENGLISH_ARTICLES)
        ),
        encoding="utf-8",
    )
    settings = load_settings(
        data_dir=root / "data",
        llm={
            "base_url": llama_server,
            "api_key": "x",
            "model": "smollm2",
            "temperature": 0,
            "timeout": 300,
            "max_retries": 0,
            "max_tokens": 64,
            "context_tokens": N_CTX,
        },
        slack={"signing_secret": SIGNING_SECRET, "bot_token": "xoxb-test"},
    )
    sanad = Sanad(settings)
    sanad.embeddings = MemoEmbeddings()
    report = sanad.pipeline.ingest_paths([str(root / "articles")])
    assert report.added == 4 and not report.failures, report
    slack = FakeSlack()
    slack.start()
    client = WebClient(token="xoxb-test", base_url=f"{slack.url}/api/")
    server = ServerThread(create_app(sanad, settings, mount_ui=False, slack_client=client))
    url = server.start()
    wait_ready(url)
    yield Env(sanad, settings, url, slack)
    server.stop()
    slack.server.stop()
    print("\ncitation styles SmolLM2 wrote:\n" + "\n".join(map(repr, STYLES_SEEN)))


def assert_valid(answer: Answer | AskResponse) -> None:
    """Text arrived; every [n] in it is a citation, and every citation quotes its passage."""
    text = answer.text if isinstance(answer, Answer) else answer.answer
    assert text.strip()
    if isinstance(answer, Answer):
        numbers = {c.number for c in answer.citations}
        for c in answer.citations:
            assert c.quote and c.quote in c.chunk.text
        retrieved = {r.chunk.chunk_id for r in answer.retrieved}
        assert all(c.chunk.chunk_id in retrieved for c in answer.citations)
    else:
        numbers = {c.number for c in answer.citations}
    assert {int(n) for n in re.findall(r"\[(\d+)\]", text)} <= numbers, text


def test_chain_answers_with_valid_or_dropped_citations(env: Env) -> None:
    for question in (EN_QUESTION, AR_QUESTION):
        answer = env.sanad.chain.answer(question)
        STYLES_SEEN.append(answer.text)
        assert_valid(answer)
        assert answer.model == "smollm2" or answer.fallback


def test_ask_json_and_sse_end_cleanly(env: Env) -> None:
    with httpx.Client(base_url=env.url, timeout=600) as client:
        r = client.post("/v1/ask", json={"question": EN_QUESTION})
        assert r.status_code == 200, r.text
        assert_valid(AskResponse.model_validate(r.json()))
        r = client.post("/v1/ask", json={"question": AR_QUESTION, "stream": True})
        assert r.status_code == 200
        events = [line[7:] for line in r.text.splitlines() if line.startswith("event: ")]
        assert events[-1] == "done" and events.count("answer") == 1 and "error" not in events, events
        payload = next(
            json.loads(line[6:])
            for line in r.text.split("event: answer\n", 1)[1].splitlines()
            if line[:6] == "data: "
        )
        assert_valid(AskResponse.model_validate(payload))


def test_openai_route_through_the_openai_client(env: Env) -> None:
    client = OpenAI(base_url=f"{env.url}/v1", api_key="unused", timeout=600, max_retries=0)
    messages = [{"role": "user", "content": EN_QUESTION}]
    done = client.chat.completions.create(model=MODEL_ID, messages=messages)  # type: ignore[arg-type]
    assert done.choices[0].message.content and done.choices[0].finish_reason == "stop"
    stream = client.chat.completions.create(model=MODEL_ID, messages=messages, stream=True)  # type: ignore[arg-type]
    pieces, finish = [], None
    for chunk in stream:
        if chunk.choices:
            pieces.append(chunk.choices[0].delta.content or "")
            finish = chunk.choices[0].finish_reason or finish
    assert "".join(pieces).strip() and finish == "stop"


def test_slack_mention_is_answered(env: Env) -> None:
    channel = "CLLM1"
    assert (
        _post(env.url, _event(_mention(channel, "1800000500.000100", EN_QUESTION), "EvLlm1")).status_code
        == 200
    )
    updates = env.slack.wait_for("chat.update", channel, timeout=600)
    assert updates[0]["text"].strip() and "Sorry" not in updates[0]["text"]


def test_a_prompt_over_the_context_is_trimmed_or_falls_back(env: Env) -> None:
    # Eight Arabic passages (~1 token per character) cannot all fit 2048 tokens: some are dropped.
    started = time.monotonic()
    answer = env.sanad.chain.answer(AR_QUESTION, k=8)
    assert_valid(answer)
    assert not answer.fallback or answer.notice, answer
    # A question that alone is over the window: extractive answer with a notice, no 400, no 500.
    huge = AR_QUESTION + " " + "وضح ذلك بالتفصيل. " * 400
    with httpx.Client(base_url=env.url, timeout=600) as client:
        r = client.post("/v1/ask", json={"question": huge[:3900]})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["fallback"] and body["notice"], body
    assert time.monotonic() - started < 600
