"""One question-length limit (``settings.max_question_chars``) on every surface, refused in the
question's language (newcomer findings: the CLI took 49,000 characters, the API refused 4,001)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from api.server import create_app
from api.slack_format import SEARCHING
from rag.settings import SlackSettings
from tests.api.conftest import TOKEN, ApiEnv, FakeSlack, ServerThread
from tests.api.test_slack import GRACE, _event, _mention, _post

LIMIT = 60
AR_LONG = "ما الذي قاله رئيس البنك المركزي الأوروبي عن أسعار الفائدة في اجتماع يونيو الماضي؟"  # 81
EN_LONG = "What exactly did the president of the European Central Bank say about further cuts?"  # 83
AR_REFUSAL = "السؤال طويل جدًا"


@pytest.fixture(scope="module")
def small_limit(api_env: ApiEnv) -> Iterator[httpx.Client]:
    """The session store behind a second server whose settings allow 60-character questions."""
    settings = api_env.settings.model_copy(update={"max_question_chars": LIMIT, "slack": SlackSettings()})
    server = ServerThread(create_app(api_env.sanad, settings, mount_ui=False))
    url = server.start(until_ready=True)
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=120) as http:
        yield http
    server.stop()


def _body(path: str, question: str, **extra: Any) -> dict[str, Any]:
    if path == "/v1/chat/completions":
        return {"model": "sanad", "messages": [{"role": "user", "content": question}], **extra}
    return {("query" if path == "/v1/search" else "question"): question, **extra}


@pytest.mark.parametrize(
    ("path", "field", "extra"),
    [
        ("/v1/ask", "question", {}),
        ("/v1/ask", "question", {"stream": True}),
        ("/v1/search", "query", {}),
        ("/v1/chat/completions", "messages", {}),
        ("/v1/chat/completions", "messages", {"stream": True}),
    ],
)
def test_every_route_refuses_over_the_settings_limit_in_the_question_language(
    small_limit: httpx.Client, path: str, field: str, extra: dict[str, Any]
) -> None:
    for question, words in ((AR_LONG, AR_REFUSAL), (EN_LONG, "The question is too long")):
        response = small_limit.post(path, json=_body(path, question, **extra))
        assert response.status_code == 422, response.text[:300]
        error = response.json()["error"]
        assert error["type"] == "validation_error" and error["message"].startswith(f"{field}: ")
        assert words in error["message"] and str(LIMIT) in error["message"]
    fits = small_limit.post(path, json=_body(path, "  " + EN_LONG[:LIMIT] + "  ", **extra))
    assert fits.status_code == 200, fits.text[:300]  # surrounding spaces do not count


def test_the_default_limit_still_holds(api_env: ApiEnv) -> None:
    with httpx.Client(base_url=api_env.url, headers={"Authorization": f"Bearer {TOKEN}"}) as http:
        response = http.post("/v1/ask", json={"question": "q" * 4001})
    assert response.status_code == 422 and "4000" in response.json()["error"]["message"]


def test_slack_refuses_a_long_question_in_its_language_without_searching(
    api_env: ApiEnv, fake_slack: FakeSlack
) -> None:
    question = AR_LONG * 60  # ~4,900 characters: over the default 4,000
    body = _event(_mention("CLIM", "1700000900.000100", question), "EvLimit")
    assert _post(api_env.url, body).status_code == 200
    posted = fake_slack.wait_for("chat.postMessage", "CLIM")
    time.sleep(GRACE)
    posted = fake_slack.of("chat.postMessage", "CLIM")
    assert len(posted) == 1 and posted[0]["text"] != SEARCHING
    assert AR_REFUSAL in posted[0]["text"] and "4000" in posted[0]["text"]
    assert posted[0]["thread_ts"] == "1700000900.000100" and not fake_slack.of("chat.update", "CLIM")
