"""Secrets never leak (issue #7): not in responses, not in logs, not in the CLI's output.

A server is configured with an API token, an LLM key, a Slack signing secret and bot token;
failures are provoked (wrong tokens, an LLM answering 401/500 with the key echoed in its error
body, a bad Slack signature, an embeddings endpoint echoing its key) while every log record is
captured at DEBUG (root, ``uvicorn``, ``uvicorn.error``, ``uvicorn.access``); then no response
body, log line, settings repr or ``sanad`` output may contain any secret.
"""

from __future__ import annotations

import io
import logging
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from slack_sdk import WebClient
from slack_sdk.signature import SignatureVerifier

from api.server import create_app
from rag.settings import Settings, load_settings
from sanad.app import Sanad
from tests.api.conftest import ApiEnv, FakeSlack, ServerThread, wait_ready
from tests.fixtures.fake_openai import FakeOpenAI

API_TOKEN = "tok-SECRET-api-7d41c0ffee9b"
LLM_KEY = "sk-SECRET-llm-5f1e2d3c4b"
EMBED_KEY = "sk-SECRET-embed-a8b7c6d5"
SIGNING_SECRET = "SECRET-signing-0a9b8c7d6e"
BOT_TOKEN = "xoxb-SECRET-bot-1234567890"
SECRETS = (API_TOKEN, LLM_KEY, EMBED_KEY, SIGNING_SECRET, BOT_TOKEN)
LOGGERS = ("", "uvicorn", "uvicorn.error", "uvicorn.access", "httpx", "httpcore", "openai", "slack_bolt")


def _echo(status: int, key: str) -> dict[str, object]:
    return {"error": {"message": f"Incorrect API key provided: {key}. HTTP {status}", "type": "auth"}}


def _assert_clean(*texts: str) -> None:
    for text in texts:
        for secret in SECRETS:
            assert secret not in text, f"{secret} leaked in: {text[:2000]}"
            assert secret.split("SECRET-", 1)[1] not in text, f"part of {secret} leaked"


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """Every log record of every logger at DEBUG, formatted with tracebacks, into a buffer."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setLevel(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    saved: list[tuple[logging.Logger, int]] = []
    for name in LOGGERS:
        logger = logging.getLogger(name)
        saved.append((logger, logger.level))
        logger.setLevel(logging.DEBUG)
        logger.addHandler(handler)
    yield buffer
    for logger, level in saved:
        logger.removeHandler(handler)
        logger.setLevel(level)


def _settings(data_dir: Path, fake: FakeOpenAI, *, slack: bool = True, **extra: object) -> Settings:
    return load_settings(
        data_dir=data_dir,
        api={"token": API_TOKEN, "max_body_bytes": 65_536},
        llm={"base_url": fake.base_url, "api_key": LLM_KEY, "model": "fake-model", "max_retries": 0},
        slack={"signing_secret": SIGNING_SECRET, "bot_token": BOT_TOKEN} if slack else {},
        **extra,  # type: ignore[arg-type]
    )


@pytest.fixture(scope="module")
def secret_api(api_env: ApiEnv, fake_llm_server: FakeOpenAI, fake_slack: FakeSlack) -> Iterator[str]:
    """An API over the session store with every secret configured and Slack mounted."""
    settings = _settings(api_env.settings.data_dir, fake_llm_server)
    client = WebClient(token=BOT_TOKEN, base_url=f"{fake_slack.url}/api/")
    server = ServerThread(create_app(Sanad(settings), settings, mount_ui=False, slack_client=client))
    url = server.start()
    wait_ready(url)
    yield url
    server.stop()


def test_secrets_stay_out_of_responses_and_logs(
    secret_api: str, fake_llm: FakeOpenAI, captured: io.StringIO, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    bodies: list[str] = []
    auth = {"Authorization": f"Bearer {API_TOKEN}"}
    with httpx.Client(base_url=secret_api, timeout=120) as http:
        # wrong tokens: close to the real one, the real one in the wrong scheme, none
        for header in (
            f"Bearer {API_TOKEN[:-1]}",
            f"Bearer {API_TOKEN}x",
            f"Basic {API_TOKEN}",
            f"bearer  {LLM_KEY}",
            "",
        ):
            r = http.post("/v1/ask", json={"question": "q"}, headers={"Authorization": header})
            assert r.status_code in (401, 403)
            bodies.append(r.text + str(r.headers))
        # the LLM refuses the key and echoes it (JSON, streamed, condensing, OpenAI-compatible)
        fake_llm.enqueue_error(401, body=_echo(401, LLM_KEY))
        r = http.post("/v1/ask", json={"question": "What did the European Central Bank do?"}, headers=auth)
        assert r.status_code == 200 and r.json()["fallback"] and "HTTP 401" in r.json()["notice"]
        bodies.append(r.text)
        fake_llm.enqueue_error(500, body=_echo(500, LLM_KEY))
        fake_llm.enqueue_error(500, body=_echo(500, LLM_KEY))
        history = [{"role": "user", "text": "Tell me about the ECB"}]
        body = {"question": "and did it cut rates?", "history": history, "stream": True}
        r = http.post("/v1/ask", json=body, headers=auth)
        assert r.status_code == 200 and "HTTP 500" in r.text
        bodies.append(r.text)
        fake_llm.enqueue_error(401, body=_echo(401, LLM_KEY))
        chat = {"model": "sanad", "messages": [{"role": "user", "content": "What did the ECB do?"}]}
        r = http.post("/v1/chat/completions", json=chat, headers=auth)
        assert r.status_code == 200
        bodies.append(r.text)
        assert len(fake_llm.requests) == 4  # every failure above really reached the LLM
        # a Slack request signed with the wrong secret, then a valid one
        payload = b'{"type": "url_verification", "challenge": "c1"}'
        ts = str(int(time.time()))
        for secret in ("wrong-secret", SIGNING_SECRET):
            signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=payload)
            headers = {
                "Content-Type": "application/json",
                "X-Slack-Request-Timestamp": ts,
                "X-Slack-Signature": str(signature),
            }
            r = http.post("/slack/events", content=payload, headers=headers)
            assert r.status_code == (401 if secret == "wrong-secret" else 200)
            bodies.append(r.text)
        # validation errors echo nothing from the headers
        r = http.post("/v1/ask", json={"question": "", "k": "x"}, headers=auth)
        assert r.status_code == 422
        bodies.append(r.text)
    logs = captured.getvalue() + "\n".join(
        f"{rec.name} {rec.getMessage()} {rec.exc_text or ''}" for rec in caplog.records
    )
    assert "LLM failed" in logs and "401" in logs  # the failures were logged, only without the key
    _assert_clean(logs, *bodies)


def test_embedder_errors_echoing_the_key_are_redacted(
    tmp_path: Path, fake_llm_server: FakeOpenAI, captured: io.StringIO
) -> None:
    settings = _settings(
        tmp_path / "data",
        fake_llm_server,
        slack=False,
        embedder={
            "backend": "openai",
            "base_url": fake_llm_server.base_url,
            "api_key": EMBED_KEY,
            "max_retries": 0,
        },
    )
    fake_llm_server.enqueue_embedding_error(401, times=20, message=f"Incorrect API key provided: {EMBED_KEY}")
    server = ServerThread(create_app(Sanad(settings), settings, mount_ui=False))
    url = server.start()
    bodies: list[str] = []
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            r = httpx.get(f"{url}/readyz", timeout=10)
            if "not ready" in r.text:
                break
            time.sleep(0.1)
        assert r.status_code == 503 and "embeddings endpoint failed" in r.text, r.text
        bodies.append(r.text)
        auth = {"Authorization": f"Bearer {API_TOKEN}"}
        r = httpx.post(f"{url}/v1/search", json={"query": "q"}, headers=auth, timeout=10)
        assert r.status_code == 503
        bodies.append(r.text)
    finally:
        server.stop()
        fake_llm_server.reset()
    logs = captured.getvalue()
    assert "warm-up failed" in logs
    _assert_clean(logs, *bodies)


def test_settings_repr_and_cli_output_hold_no_secret(
    api_env: ApiEnv, fake_llm: FakeOpenAI, tmp_path: Path
) -> None:
    settings = _settings(api_env.settings.data_dir, fake_llm)
    _assert_clean(repr(settings), str(settings), repr(settings.llm), repr(settings.slack), repr(settings.api))
    env = {
        **os.environ,
        "SANAD_DATA_DIR": str(api_env.settings.data_dir),
        "SANAD_LLM__BASE_URL": fake_llm.base_url,
        "SANAD_LLM__API_KEY": LLM_KEY,
        "SANAD_LLM__MAX_RETRIES": "0",
        "SANAD_API__TOKEN": API_TOKEN,
        "SANAD_SLACK__SIGNING_SECRET": SIGNING_SECRET,
        "SANAD_SLACK__BOT_TOKEN": BOT_TOKEN,
        "SANAD_LOG_LEVEL": "DEBUG",
    }
    sanad = [sys.executable, "-m", "sanad.cli"]
    outputs = []
    for args, extra in (
        (["--help"], {}),
        (["serve", "--help"], {}),
        (["stats"], {"SANAD_LLM__TIMEOUT": "not-a-number", "SANAD_API__PORT": API_TOKEN}),
    ):
        done = subprocess.run(
            [*sanad, *args], env={**env, **extra}, capture_output=True, text=True, timeout=120, cwd=tmp_path
        )
        outputs.append(done.stdout + done.stderr)
    assert "invalid setting" in outputs[-1]  # the settings error was printed, without the values
    fake_llm.enqueue_error(401, body=_echo(401, LLM_KEY))
    done = subprocess.run(
        [*sanad, "ask", "What did the European Central Bank do?", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "HTTP 401" in done.stdout and len(fake_llm.requests) == 1
    _assert_clean(*outputs, done.stdout, done.stderr)
