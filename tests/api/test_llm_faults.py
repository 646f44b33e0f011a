"""LLM faults through the real HTTP API: every fault ends in a 200 answer, never a 500.

The chain calls the loopback fake OpenAI server (tests/fixtures/fake_openai.py), scripted per
test: slow first token, timeout, 429 with ``Retry-After``, 500, 400, connection refused (a second
app whose LLM URL is a closed port), a stream cut mid-answer, malformed JSON chunks and an empty
answer. Each runs through ``/v1/ask`` (JSON and SSE) and ``/v1/chat/completions`` (plain and
streamed). Asserted: status 200; the extractive fallback with its notice (or the LLM's answer for
the two recoverable faults); citations that point at stored passages whose article text holds the
quote at ``[start, end)``; and a bounded number of LLM requests (``max_retries + 1`` for retryable
faults, 1 once text was streamed or for a client error). Timeouts and backoffs are tiny so the
file runs in seconds.
"""

from __future__ import annotations

import json
import shutil
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.server import MODEL_ID, create_app
from rag.settings import Settings, load_settings
from sanad.app import Sanad
from tests.api.conftest import AR_QUESTION, ARABIC_SAMPLE, ServerThread, wait_ready
from tests.fixtures.embeddings import MemoEmbeddings
from tests.fixtures.fake_openai import FakeOpenAI

MAX_RETRIES = 1
TIMEOUT = 1.0  # seconds per LLM request
SLOW = 0.3  # a slow first token that still arrives within TIMEOUT
HANG = 4.0  # longer than TIMEOUT: the client gives up first
RETRY_AFTER = 0.4  # seconds; far above the backoff, so the gap shows it was honoured

LLM_REPLY = "شكر بوتين كوريا الشمالية على دعمها لتصرفات روسيا في أوكرانيا [1]."
NOTICE_AR = "النموذج اللغوي غير متاح"  # "the language model is unavailable"


@dataclass
class Env:
    """The store and two API servers over it: one calling the fake LLM, one a closed port."""

    sanad: Sanad
    url: str
    refused_url: str


MEMO = MemoEmbeddings()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _app(data_dir: Path, base_url: str) -> tuple[Sanad, Settings]:
    settings = load_settings(
        data_dir=data_dir,
        llm={
            "base_url": base_url,
            "api_key": "x",
            "model": "fake-model",
            "max_retries": MAX_RETRIES,
            "timeout": TIMEOUT,
        },
    )
    sanad = Sanad(settings)
    sanad.embeddings = MEMO  # same model and id; only saves re-embedding the same sentences
    sanad.chain.retry_base_delay = 0.01  # the backoff is the chain's; keep it tiny here
    sanad.chain.retry_max_delay = 1.0  # caps Retry-After too
    return sanad, settings


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory, fake_llm_server: FakeOpenAI) -> Iterator[Env]:
    """The Arabic sample in a fresh store; API servers with the fake LLM and with a dead one."""
    root = tmp_path_factory.mktemp("llm-faults")
    (root / "articles").mkdir()
    shutil.copy(ARABIC_SAMPLE, root / "articles" / ARABIC_SAMPLE.name)
    sanad, settings = _app(root / "data", fake_llm_server.base_url)
    report = sanad.pipeline.ingest_paths([str(root / "articles")])
    assert report.added == 1 and not report.failures, report
    refused, refused_settings = _app(root / "data", f"http://127.0.0.1:{_closed_port()}/v1")
    servers = [
        ServerThread(create_app(sanad, settings, mount_ui=False)),
        ServerThread(create_app(refused, refused_settings, mount_ui=False)),
    ]
    urls = [s.start() for s in servers]
    for url in urls:
        wait_ready(url)
    yield Env(sanad, urls[0], urls[1])
    for s in servers:
        s.stop()


# ------------------------------------------------------------------------------ the faults


@dataclass(frozen=True)
class Fault:
    """How to script the fake, and what the API must then answer."""

    script: Callable[[FakeOpenAI], None]
    attempts: int  # LLM requests the fake must see
    fallback: bool
    reason: str = ""  # in the notice's "(reason)"
    refused: bool = False  # use the server whose LLM URL is a closed port


def _times(n: int, action: Callable[[FakeOpenAI], None]) -> Callable[[FakeOpenAI], None]:
    def script(fake: FakeOpenAI) -> None:
        for _ in range(n):
            action(fake)

    return script


def _429_then_answer(fake: FakeOpenAI) -> None:
    fake.enqueue_error(429, headers={"Retry-After": str(RETRY_AFTER)})
    fake.enqueue(LLM_REPLY)


ALL = MAX_RETRIES + 1
FAULTS: dict[str, Fault] = {
    "slow-first-token": Fault(lambda f: f.enqueue_delay(SLOW, LLM_REPLY), 1, fallback=False),
    "429-then-success": Fault(_429_then_answer, 2, fallback=False),
    "timeout": Fault(_times(ALL, lambda f: f.enqueue_delay(HANG, LLM_REPLY)), ALL, True, "timeout"),
    "429": Fault(
        _times(ALL, lambda f: f.enqueue_error(429, headers={"Retry-After": "0"})), ALL, True, "HTTP 429"
    ),
    "500": Fault(_times(ALL, lambda f: f.enqueue_error(500)), ALL, True, "HTTP 500"),
    "400-not-retried": Fault(lambda f: f.enqueue_error(400), 1, True, "HTTP 400"),
    "refused": Fault(lambda f: None, 0, True, "connection failed", refused=True),
    "cut-mid-answer": Fault(
        lambda f: f.enqueue_cut("شكر بوتين كوريا الشمالية على"), 1, True, "stream interrupted"
    ),
    "malformed-chunks": Fault(_times(ALL, lambda f: f.enqueue_malformed()), ALL, True, "malformed response"),
    "empty-answer": Fault(_times(ALL, lambda f: f.enqueue("")), ALL, True, "empty answer"),
}

ROUTES = ["ask-json", "ask-sse", "chat-json", "chat-sse"]


def _sse_events(text: str) -> list[tuple[str, Any]]:
    events = []
    for block in text.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        events.append((lines.get("event", ""), json.loads(lines["data"])))
    return events


@dataclass
class Reply:
    """What a route answered, in one shape: the text, citations and (for /v1/ask) the flags."""

    text: str
    citations: list[dict[str, Any]]
    fallback: bool  # the OpenAI-compatible route carries it as an extension field
    notice: str | None


def _call(url: str, route: str) -> Reply:
    if route.startswith("ask"):
        stream = route == "ask-sse"
        r = httpx.post(f"{url}/v1/ask", json={"question": AR_QUESTION, "stream": stream}, timeout=60)
        assert r.status_code == 200, r.text
        if not stream:
            body = r.json()
        else:
            events = _sse_events(r.text)
            names = [name for name, _ in events]
            assert names[-2:] == ["answer", "done"] and "error" not in names, names
            body = events[-2][1]
            streamed = "".join(data["text"] for name, data in events if name == "delta")
            assert streamed.strip().endswith(body["answer"].strip()) or body["answer"] in streamed
        return Reply(body["answer"], body["citations"], body["fallback"], body["notice"])
    stream = route == "chat-sse"
    payload = {"model": MODEL_ID, "messages": [{"role": "user", "content": AR_QUESTION}], "stream": stream}
    r = httpx.post(f"{url}/v1/chat/completions", json=payload, timeout=60)
    assert r.status_code == 200, r.text
    if not stream:
        body = r.json()
        return Reply(body["choices"][0]["message"]["content"], body["citations"], body["fallback"], None)
    lines = [ln[len("data: ") :] for ln in r.text.splitlines() if ln.startswith("data: ")]
    assert lines[-1] == "[DONE]", lines[-3:]
    chunks = [json.loads(ln) for ln in lines[:-1]]
    assert all("error" not in c for c in chunks), chunks
    text = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks)
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"
    return Reply(text, chunks[-1]["citations"], chunks[-1]["fallback"], None)


def _assert_citations_are_real(sanad: Sanad, reply: Reply) -> None:
    assert reply.citations, reply
    for c in reply.citations:
        assert f"[{c['number']}]" in reply.text
        (chunk,) = sanad.store.get([c["chunk_id"]])
        assert chunk.article_id == c["article_id"] and c["quote"] and c["quote"] in chunk.text
        record = sanad.catalog.get(c["article_id"])
        assert record is not None and record.article.text[c["start"] : c["end"]] == c["quote"]


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("name", list(FAULTS))
def test_llm_fault_answers_200(env: Env, fake_llm: FakeOpenAI, name: str, route: str) -> None:
    fault = FAULTS[name]
    fault.script(fake_llm)
    started = time.monotonic()
    reply = _call(env.refused_url if fault.refused else env.url, route)
    elapsed = time.monotonic() - started

    assert len(fake_llm.requests) == fault.attempts, fake_llm.requests
    assert fake_llm.pending == 0
    _assert_citations_are_real(env.sanad, reply)
    assert reply.fallback is fault.fallback
    if route.startswith("ask"):
        assert (reply.notice is not None and NOTICE_AR in reply.notice) is fault.fallback, reply.notice
    if fault.fallback:
        assert NOTICE_AR in reply.text and f"{fault.reason})" in reply.text, reply.text
    else:
        assert reply.text.startswith("شكر بوتين كوريا الشمالية") and NOTICE_AR not in reply.text
    if name == "429-then-success":
        gap = fake_llm.request_times[1] - fake_llm.request_times[0]
        assert gap >= RETRY_AFTER * 0.9, gap  # Retry-After honoured, not the 0.01 s backoff
    # Bounded: the attempts' timeouts plus small backoffs, never a hang.
    assert elapsed < ALL * TIMEOUT + 10, elapsed


def test_condense_failure_then_answer_failure_stays_bounded(env: Env, fake_llm: FakeOpenAI) -> None:
    """A follow-up: the condense call fails, then every answer attempt; still one 200 fallback."""
    _times(1 + ALL, lambda f: f.enqueue_error(503))(fake_llm)
    history = [
        {"role": "user", "text": "من زار بيونغ يانغ؟"},
        {"role": "assistant", "text": "زار بوتين بيونغ يانغ [1]."},
    ]
    r = httpx.post(f"{env.url}/v1/ask", json={"question": AR_QUESTION, "history": history}, timeout=60)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["fallback"] is True and NOTICE_AR in body["notice"]
    assert len(fake_llm.requests) == 1 + ALL and fake_llm.pending == 0
    _assert_citations_are_real(env.sanad, Reply(body["answer"], body["citations"], True, body["notice"]))
