"""The Slack app through the real server: signed requests to /slack/events, a fake Slack Web API.

The app runs as in production (``process_before_response=False``): Bolt acks first and answers
in its own threads, so the tests poll the fake for the calls they expect.
"""

from __future__ import annotations

import json
import re
import time
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from slack_sdk import WebClient
from slack_sdk.signature import SignatureVerifier

from api.schemas import AskResponse, CitationOut
from api.slack import Once, build_slack_app, thread_history
from api.slack_format import (
    SEARCHING,
    escape,
    link,
    render_answer,
    render_messages,
    split_message,
    strip_mentions,
)
from rag.settings import load_settings
from rag.types import Turn
from tests.api.conftest import AR_QUESTION, SIGNING_SECRET, ApiEnv, FakeSlack

GRACE = 1.0  # seconds to wait for calls that must NOT happen


def _post(
    url: str,
    body: bytes,
    content_type: str = "application/json",
    *,
    age: int = 0,
    secret: str = SIGNING_SECRET,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    ts = str(int(time.time()) - age)
    signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    all_headers = {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": signature,
        **(headers or {}),
    }
    return httpx.post(f"{url}/slack/events", content=body, headers=all_headers, timeout=10)


def _event(event: dict[str, Any], event_id: str) -> bytes:
    return json.dumps(
        {
            "token": "legacy",
            "team_id": "T111",
            "api_app_id": "A111",
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(time.time()),
            "authorizations": [{"team_id": "T111", "user_id": "UBOT", "is_bot": True}],
            "event": {"event_ts": event.get("ts"), **event},
        }
    ).encode()


def _mention(channel: str, ts: str, text: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": "app_mention",
        "user": "U123",
        "text": f"<@UBOT> {text}",
        "ts": ts,
        "channel": channel,
        **extra,
    }


def test_url_verification(api_env: ApiEnv) -> None:
    body = json.dumps({"token": "legacy", "challenge": "abc123", "type": "url_verification"}).encode()
    response = _post(api_env.url, body)
    assert response.status_code == 200 and response.json() == {"challenge": "abc123"}


def test_mention_gets_placeholder_then_answer_in_thread(api_env: ApiEnv, fake_slack: FakeSlack) -> None:
    response = _post(api_env.url, _event(_mention("C1", "1700000001.000100", AR_QUESTION), "Ev1"))
    assert response.status_code == 200
    update = fake_slack.wait_for("chat.update", "C1")[0]
    posted = fake_slack.of("chat.postMessage", "C1")
    assert posted[0]["text"] == SEARCHING and posted[0]["thread_ts"] == "1700000001.000100"
    assert len(posted) == 1 and update["ts"] == posted[0]["_returned_ts"]
    text = update["text"]
    assert "[1]" in text and "*المصادر*" in text and "\n> " in text


def test_english_answer_has_working_links(api_env: ApiEnv, fake_slack: FakeSlack) -> None:
    _post(
        api_env.url,
        _event(_mention("C2", "1700000002.000100", "What did the European Central Bank do?"), "Ev2"),
    )
    text = fake_slack.wait_for("chat.update", "C2")[0]["text"]
    assert "*Sources*" in text
    assert "<https://example.com/ecb?a=1&b=2|ECB cuts interest rates>" in text


def test_retry_of_the_same_event_answers_once(api_env: ApiEnv, fake_slack: FakeSlack) -> None:
    body = _event(_mention("C3", "1700000003.000100", AR_QUESTION), "Ev3")
    assert _post(api_env.url, body).status_code == 200
    retry = _post(
        api_env.url, body, headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    )
    assert retry.status_code == 200
    fake_slack.wait_for("chat.update", "C3")
    time.sleep(GRACE)
    assert len(fake_slack.of("chat.postMessage", "C3")) == 1
    assert len(fake_slack.of("chat.update", "C3")) == 1


def test_mention_and_message_duplicate_answers_once(api_env: ApiEnv, fake_slack: FakeSlack) -> None:
    ts = "1700000004.000100"
    _post(api_env.url, _event(_mention("D4", ts, AR_QUESTION, channel_type="im"), "Ev4a"))
    message = {"type": "message", "channel_type": "im", "user": "U123", "text": f"<@UBOT> {AR_QUESTION}"}
    _post(api_env.url, _event({**message, "ts": ts, "channel": "D4"}, "Ev4b"))
    fake_slack.wait_for("chat.update", "D4")
    time.sleep(GRACE)
    assert len(fake_slack.of("chat.update", "D4")) == 1


def test_direct_message_is_answered(api_env: ApiEnv, fake_slack: FakeSlack) -> None:
    message = {"type": "message", "channel_type": "im", "user": "U123", "text": "Which river rose in Brazil?"}
    _post(api_env.url, _event({**message, "ts": "1700000005.000100", "channel": "D5"}, "Ev5"))
    assert "Guaiba" in fake_slack.wait_for("chat.update", "D5")[0]["text"]


def test_thread_history_is_read(api_env: ApiEnv, fake_slack: FakeSlack) -> None:
    root, follow = "1700000006.000100", "1700000006.000300"
    fake_slack.thread_messages[root] = [
        {"ts": root, "user": "U123", "text": "<@UBOT> Tell me about the floods in southern Brazil"},
        {
            "ts": "1700000006.000200",
            "bot_id": "BBOT",
            "user": "UBOT",
            "text": "Heavy rains [1].\n\n*Sources*\n…",
        },
        {"ts": follow, "user": "U123", "text": "<@UBOT> and how many residents were evacuated there?"},
    ]
    _post(
        api_env.url,
        _event(_mention("C6", follow, "and how many residents were evacuated there?", thread_ts=root), "Ev6"),
    )
    update = fake_slack.wait_for("chat.update", "C6")[0]
    assert fake_slack.of("conversations.replies", "C6")[0]["ts"] == root
    assert fake_slack.of("chat.postMessage", "C6")[0]["thread_ts"] == root
    assert "<https://example.com/brazil-floods|Floods in southern Brazil>" in update["text"]
    client = WebClient(token="xoxb-test", base_url=f"{fake_slack.url}/api/")
    turns = thread_history(client, "C6", root, follow, "UBOT", "BBOT")
    assert turns == (
        Turn("user", "Tell me about the floods in southern Brazil"),
        Turn("assistant", "Heavy rains [1]."),
    )


def test_bot_messages_are_ignored(api_env: ApiEnv, fake_slack: FakeSlack) -> None:
    other_bot = {"type": "message", "channel_type": "im", "bot_id": "B999", "subtype": "bot_message"}
    _post(
        api_env.url,
        _event({**other_bot, "text": AR_QUESTION, "ts": "1700000007.000100", "channel": "D7"}, "Ev7"),
    )
    ourselves = {
        "type": "message",
        "channel_type": "im",
        "user": "UBOT",
        "bot_id": "BBOT",
        "text": AR_QUESTION,
    }
    _post(api_env.url, _event({**ourselves, "ts": "1700000007.000200", "channel": "D7"}, "Ev7b"))
    channel_chatter = {"type": "message", "channel_type": "channel", "user": "U123", "text": AR_QUESTION}
    _post(api_env.url, _event({**channel_chatter, "ts": "1700000007.000300", "channel": "C7"}, "Ev7c"))
    time.sleep(GRACE)
    assert not fake_slack.of("chat.postMessage", "D7") and not fake_slack.of("chat.postMessage", "C7")


@pytest.mark.parametrize(("age", "secret"), [(0, "wrong-secret"), (600, SIGNING_SECRET)])
def test_bad_signature_or_stale_timestamp_is_401(
    api_env: ApiEnv, fake_slack: FakeSlack, age: int, secret: str
) -> None:
    body = _event(_mention("C8", f"1700000008.{age:06d}", AR_QUESTION), f"Ev8-{age}")
    response = _post(api_env.url, body, age=age, secret=secret)
    assert response.status_code == 401 and response.json()["error"]["type"] == "unauthorized"
    time.sleep(0.3)
    assert not fake_slack.of("chat.postMessage", "C8")


def test_slash_command_acks_then_responds(api_env: ApiEnv, fake_slack: FakeSlack) -> None:
    form = {
        "token": "legacy",
        "team_id": "T111",
        "channel_id": "C9",
        "user_id": "U123",
        "command": "/sanad",
        "text": "What did the European Central Bank do?",
        "response_url": f"{fake_slack.url}/respond/cmd9",
        "trigger_id": "1.2.3",
    }
    response = _post(api_env.url, urlencode(form).encode(), "application/x-www-form-urlencoded")
    assert response.status_code == 200 and response.text == SEARCHING
    deadline = time.monotonic() + 60
    while not [r for r in fake_slack.responses if r["id"] == "cmd9"] and time.monotonic() < deadline:
        time.sleep(0.05)
    replies = [r for r in fake_slack.responses if r["id"] == "cmd9"]
    assert replies and replies[0]["response_type"] == "in_channel"
    assert (
        replies[0]["text"].startswith("*What did the European Central Bank do?*")
        and "[1]" in replies[0]["text"]
    )


def test_socket_mode_app_builds_offline() -> None:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    settings = load_settings(slack={"bot_token": "xoxb-offline", "app_token": "xapp-offline"})

    def answer(question: str, history: tuple[Any, ...]) -> AskResponse:
        raise AssertionError("not called")

    app = build_slack_app(settings, answer, token_verification_enabled=False)
    handler = SocketModeHandler(app, "xapp-offline")
    assert handler.app is app
    assert isinstance(app.client, WebClient)


# ---------------------------------------------------------------------------- formatting


def _reply(text: str, citations: list[CitationOut], language: str = "en") -> AskResponse:
    return AskResponse(
        answer=text, citations=citations, abstained=False, language=language, model="extractive"
    )


def _cite(
    n: int, url: str | None, title: str = "A <b> & c", quote: str = "quoted <passage> & more"
) -> CitationOut:
    return CitationOut(
        number=n,
        article_id=f"a{n}",
        chunk_id=f"c{n}",
        title=title,
        source="Wire",
        url=url,
        published_at="2024-06-06",
        quote=quote,
        start=0,
        end=10,
    )


def test_format_escapes_and_links() -> None:
    assert escape("a & <b> c") == "a &amp; &lt;b&gt; c"
    assert link("https://x.test/a?b=1&c=2", "T|itle <x>") == "<https://x.test/a?b=1&c=2|T¦itle &lt;x&gt;>"
    assert link("javascript:alert(1)", "Title") == "Title"
    text = render_answer(
        _reply("Rates fell <sharply> & **fast** [1][2].", [_cite(1, "https://x.test/1"), _cite(2, None)])
    )
    assert "Rates fell &lt;sharply&gt; &amp; *fast* [1][2]." in text
    assert "*[1]* <https://x.test/1|A &lt;b&gt; &amp; c> — Wire, 2024-06-06" in text
    assert "*[2]* A &lt;b&gt; &amp; c — Wire" in text
    assert "> quoted &lt;passage&gt; &amp; more" in text


def test_long_answers_split_within_limits() -> None:
    citations = [
        _cite(i, f"https://example.com/{i}", title=f"Title {i}", quote="word " * 200) for i in range(1, 30)
    ]
    reply = _reply(" ".join(f"Sentence number {i} [{i % 29 + 1}]." for i in range(600)), citations)
    messages = render_messages(reply, limit=3000)
    assert len(messages) > 2 and all(0 < len(m) <= 3000 for m in messages)
    for m in messages:  # no link cut in half
        assert m.count("<https://") == len(re.findall(r"<https://example\.com/\d+\|Title \d+>", m))
    assert sum(m.count("<https://") for m in messages) == 29
    assert split_message("x" * 7000, 3000) == ["x" * 3000, "x" * 3000, "x" * 1000]
    assert split_message("a &amp; b", 5)[0] in ("a", "a &amp;")


def test_strip_mentions_and_once() -> None:
    assert (
        strip_mentions("<@UBOT> what about <https://x.test|x> &amp; y?")
        == "what about x (https://x.test) & y?"
    )
    once = Once()
    assert once.first("e1") and not once.first("e1") and once.first("e2")


def test_short_answer_more_quotes_and_copies_in_mrkdwn() -> None:
    from api.schemas import ask_response
    from rag.types import Answer, Chunk, Citation, Quote, ShortAnswer, SourceRef

    text = "قالت الوزارة إن الجسر سيغلق. ولا يُسمح بعبور الشاحنات التي يزيد وزنها على ٤٠ طناً."
    c0 = Chunk(
        "c0", "wire-a", 0, text, 0, len(text), title="إغلاق الجسر", source="واس", url="https://a.test/1"
    )
    c1 = Chunk("c1", "wire-a", 1, "عثر المهندسون على تشققات.", 90, 115, title="إغلاق الجسر", source="واس")
    cite = Citation(
        1,
        c0,
        "ولا يُسمح بعبور الشاحنات التي يزيد وزنها على ٤٠ طناً.",
        more_quotes=(Quote(c1, "عثر المهندسون على تشققات."),),
        also_in=(
            SourceRef("wire-b", source="الشرق", url="https://b.test/2", published_at="2024-05-02T08:00"),
        ),
    )
    ans = Answer(
        "يُمنع عبور الشاحنات [1].", (cite,), language="ar", short_answer=ShortAnswer("٤٠ طناً", 1, "quantity")
    )
    out = render_answer(ask_response(ans))
    assert out.startswith("*الإجابة:* ٤٠ طناً [1]\n\nيُمنع عبور الشاحنات [1].")
    assert "> ولا يُسمح بعبور الشاحنات التي يزيد وزنها على ٤٠ طناً.\n> عثر المهندسون على تشققات." in out
    assert out.endswith("_ورد أيضاً في:_ <https://b.test/2|الشرق> (2024-05-02)")
    # an answer whose text already leads with the span does not repeat it
    lead = Answer(
        "٤٠ طناً [1]\n\nيُمنع عبور الشاحنات [1].", (cite,), language="ar", short_answer=ShortAnswer("٤٠ طناً", 1)
    )
    assert render_answer(ask_response(lead)).count("٤٠ طناً [1]") == 1
