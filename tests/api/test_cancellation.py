"""A client that goes away cancels the work it started, the upstream LLM stream included.

The loopback LLM (tests/fixtures/fake_openai.py) streams a long answer slowly and records when
each chunk left it and how its stream ended. A client reads the first event of a streaming
surface and disconnects (the Gradio chat: its handler generator is closed, and a real Gradio
server gets the stop button's cancel through gradio_client; Slack: the question's message is
deleted); within 1 s the LLM's stream
must be abandoned, at most 2 chunks may leave it after the drop (one in flight, one in the
socket), and nothing is logged as an error.
"""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from slack_sdk import WebClient

from api.server import MODEL_ID, create_app
from rag.settings import load_settings
from sanad.app import Sanad
from tests.api.conftest import AR_QUESTION, ARABIC_SAMPLE, SIGNING_SECRET, FakeSlack, ServerThread, wait_ready
from tests.api.test_slack import _event, _mention, _post
from tests.fixtures.embeddings import MemoEmbeddings
from tests.fixtures.fake_openai import FakeOpenAI
from ui.feedback import FeedbackLog
from ui.handlers import ChatHandler

CHUNK_DELAY = 0.1  # seconds between the fake LLM's chunks: 120 chunks = a 12 s answer
LONG_REPLY = "شكر بوتين كوريا الشمالية على دعمها [1]. " * 12
ALLOWED_AFTER_DROP = 2
CLOSE_WITHIN = 1.0  # seconds from the drop to the upstream stream's end


@dataclass
class Env:
    sanad: Sanad
    url: str


@pytest.fixture(scope="module")
def env(
    tmp_path_factory: pytest.TempPathFactory, fake_llm_server: FakeOpenAI, fake_slack: FakeSlack
) -> Iterator[Env]:
    """The Arabic sample in a fresh store, served by an API (Slack mounted) whose LLM is the fake."""
    root = tmp_path_factory.mktemp("cancel")
    (root / "articles").mkdir()
    shutil.copy(ARABIC_SAMPLE, root / "articles" / ARABIC_SAMPLE.name)
    settings = load_settings(
        data_dir=root / "data",
        llm={"base_url": fake_llm_server.base_url, "api_key": "x", "model": "fake-model", "timeout": 30},
        slack={"signing_secret": SIGNING_SECRET, "bot_token": "xoxb-test"},
    )
    sanad = Sanad(settings)
    sanad.embeddings = MemoEmbeddings()
    report = sanad.pipeline.ingest_paths([str(root / "articles")])
    assert report.added == 1 and not report.failures, report
    slack_client = WebClient(token="xoxb-test", base_url=f"{fake_slack.url}/api/")
    server = ServerThread(create_app(sanad, settings, mount_ui=False, slack_client=slack_client))
    url = server.start()
    wait_ready(url)
    yield Env(sanad, url)
    server.stop()


def assert_cancelled(fake: FakeOpenAI, dropped_at: float, caplog: pytest.LogCaptureFixture) -> None:
    """The upstream stream ended, abandoned, within CLOSE_WITHIN s; few chunks after the drop."""
    deadline = dropped_at + CLOSE_WITHIN + 2.0
    while not fake.stream_ends and time.monotonic() < deadline:
        time.sleep(0.02)
    assert fake.stream_ends, "the upstream LLM stream is still running after the client left"
    ended_at, how = fake.stream_ends[0]
    assert how == "abandoned", "the upstream stream ran to its end: nobody cancelled it"
    assert ended_at - dropped_at <= CLOSE_WITHIN, f"closed {ended_at - dropped_at:.2f} s after the drop"
    assert fake.chunks_after(dropped_at) <= ALLOWED_AFTER_DROP, fake.chunks_after(dropped_at)
    time.sleep(0.3)  # anything the server logs as it unwinds
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, [r.getMessage() for r in errors]


def _drop_after_first(client: httpx.Client, path: str, body: dict[str, object], marker: str) -> float:
    """POST, read lines until one holds ``marker``, close the connection; returns when."""
    with client.stream("POST", path, json=body, timeout=30) as response:
        assert response.status_code == 200
        for line in response.iter_lines():
            if marker in line:
                break
        dropped = time.monotonic()
    return dropped


def test_ask_sse_client_drop_closes_the_llm_stream(
    env: Env, fake_llm: FakeOpenAI, caplog: pytest.LogCaptureFixture
) -> None:
    fake_llm.enqueue(LONG_REPLY, chunk_delay=CHUNK_DELAY)
    with caplog.at_level(logging.WARNING), httpx.Client(base_url=env.url) as client:
        dropped = _drop_after_first(
            client, "/v1/ask", {"question": AR_QUESTION, "stream": True}, "event: delta"
        )
        assert_cancelled(fake_llm, dropped, caplog)


def test_streamed_chat_completion_client_drop_closes_the_llm_stream(
    env: Env, fake_llm: FakeOpenAI, caplog: pytest.LogCaptureFixture
) -> None:
    fake_llm.enqueue(LONG_REPLY, chunk_delay=CHUNK_DELAY)
    body = {"model": MODEL_ID, "stream": True, "messages": [{"role": "user", "content": AR_QUESTION}]}
    with caplog.at_level(logging.WARNING), httpx.Client(base_url=env.url) as client:
        dropped = _drop_after_first(client, "/v1/chat/completions", body, "شكر")
        assert_cancelled(fake_llm, dropped, caplog)


def test_gradio_chat_closed_mid_answer_closes_the_llm_stream(
    env: Env, fake_llm: FakeOpenAI, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    handler = ChatHandler(env.sanad.chain, FeedbackLog(tmp_path / "feedback.jsonl"))
    fake_llm.enqueue(LONG_REPLY, chunk_delay=CHUNK_DELAY)
    with caplog.at_level(logging.WARNING):
        replies = handler.respond(AR_QUESTION, [])
        for messages in replies:
            if "شكر" in str(messages[0]["content"]):  # the LLM's text is streaming in
                break
        replies.close()  # what Gradio does on the stop button or a closed tab
        dropped = time.monotonic()
        assert_cancelled(fake_llm, dropped, caplog)


def _answered(fake: FakeSlack, channel: str) -> bool:
    return any(channel == c["args"].get("channel") for c in fake.calls if c["method"] == "chat.update")


def test_slack_question_deleted_mid_answer_closes_the_llm_stream(
    env: Env, fake_llm: FakeOpenAI, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    channel, ts = "CCANCEL1", "1800000900.000100"
    fake_llm.enqueue(LONG_REPLY, chunk_delay=CHUNK_DELAY)
    with caplog.at_level(logging.WARNING):
        assert _post(env.url, _event(_mention(channel, ts, AR_QUESTION), "EvCancel1")).status_code == 200
        deadline = time.monotonic() + 60
        while len(fake_llm.chunk_times) < 3 and time.monotonic() < deadline:
            time.sleep(0.02)  # the answer is streaming in from the LLM
        assert fake_llm.chunk_times, "the Slack question never reached the LLM"
        deleted = {"type": "message", "subtype": "message_deleted", "channel": channel, "deleted_ts": ts}
        deleted["ts"] = "1800000901.000100"
        assert _post(env.url, _event(deleted, "EvCancel2")).status_code == 200
        dropped = time.monotonic()
        assert_cancelled(fake_llm, dropped, caplog)
        placeholder = fake_slack.wait_for("chat.postMessage", channel)[0]
        deadline = time.monotonic() + 10
        while not fake_slack.of("chat.delete", channel) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert fake_slack.of("chat.delete", channel)[0]["ts"] == placeholder["_returned_ts"]
        assert not _answered(fake_slack, channel), "an answer was posted for a deleted question"


def test_gradio_stop_through_a_real_gradio_server_closes_the_llm_stream(
    env: Env, fake_llm: FakeOpenAI, caplog: pytest.LogCaptureFixture
) -> None:
    from gradio_client import Client

    from tests.fixtures.processes import free_port
    from ui.app import build_app

    demo = build_app(env.sanad, env.sanad.settings)
    demo.queue()
    port = free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    try:
        client = Client(f"http://127.0.0.1:{port}/", verbose=False)
        fake_llm.enqueue(LONG_REPLY, chunk_delay=CHUNK_DELAY)
        with caplog.at_level(logging.WARNING):
            job = client.submit(AR_QUESTION, 5, [], [], "", "", api_name="/chat")
            deadline = time.monotonic() + 60
            while len(fake_llm.chunk_times) < 3 and time.monotonic() < deadline:
                time.sleep(0.02)  # the answer is streaming into the chat
            assert fake_llm.chunk_times, "the chat question never reached the LLM"
            job.cancel()  # what the stop button sends
            dropped = time.monotonic()
            assert_cancelled(fake_llm, dropped, caplog)
    finally:
        demo.close()
