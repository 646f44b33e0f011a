"""The Slack app (slack-bolt): mentions, direct messages and ``/sanad``, answered in the thread.

``build_slack_app(settings, answerer)`` wires the listeners; the answerer is a
:class:`~api.client.SanadClient` (the bot calls the API by URL) or any function
``(question, history) -> AskResponse`` (in-process, when mounted in ``sanad serve``).

Behaviour:

- Bolt acknowledges every event before the listener runs (``process_before_response=False``),
  so Slack gets its 200 within 3 seconds and retrieval happens afterwards in Bolt's threads.
- A ``"searching…"`` placeholder is posted in the thread, then replaced (``chat.update``) by the
  answer; answers longer than one message continue in further thread replies.
- The thread's earlier messages are the conversation history (``conversations.replies``).
- A question deleted while it is being answered (a ``message_deleted`` event; the app must
  subscribe to ``message.channels``/``message.im``) stops its in-process answer, and the LLM
  request in it, and removes the placeholder. An answer asked of the API by URL runs on.
- Exactly one reply per question: Slack retries (same ``event_id``, ``X-Slack-Retry-Num``)
  and the ``app_mention`` + ``message`` pair of one message (same channel and ``ts``) are
  de-duplicated; messages from bots and from the app itself are ignored.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from api.client import SanadClient
from api.schemas import AskResponse, ask_response
from api.slack_format import SEARCHING, escape, render_messages, strip_mentions
from api.streaming import Stopped, answer_stop, drain
from rag.errors import ConfigError
from rag.settings import Settings
from rag.text.question_limit import question_too_long
from rag.types import Turn

if TYPE_CHECKING:
    from sanad.app import Sanad

log = logging.getLogger(__name__)

Answerer = Callable[[str, tuple[Turn, ...]], AskResponse]
"""Answers ``(question, history)``; raises on failure (the bot shows a short apology)."""

HISTORY_MESSAGES = 20
"""Earlier thread messages read as history."""

USAGE = "Ask me a question about the articles, e.g. `@Sanad what did Putin thank North Korea for?`"

_SOURCES_MARKERS = ("\n\n*Sources*", "\n\n*المصادر*")


class Once:
    """Thread-safe memory of recently seen keys (bounded, with a time to live).

    Args:
        ttl: Seconds a key is remembered (Slack retries within minutes).
        size: Most keys kept.
    """

    def __init__(self, ttl: float = 3600.0, size: int = 10_000) -> None:
        self.ttl = ttl
        self.size = size
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def first(self, key: str) -> bool:
        """True the first time ``key`` is seen (within the TTL), False afterwards."""
        now = time.monotonic()
        with self._lock:
            while self._seen and (
                len(self._seen) > self.size or next(iter(self._seen.values())) < now - self.ttl
            ):
                self._seen.popitem(last=False)
            if key in self._seen:
                return False
            self._seen[key] = now
            return True


def _bot_text(text: str) -> str:
    """The answer part of one of our replies (without the Sources list)."""
    for marker in _SOURCES_MARKERS:
        text = text.split(marker)[0]
    return strip_mentions(text)


def thread_history(
    client: WebClient,
    channel: str,
    thread_ts: str,
    before_ts: str,
    bot_user_id: str | None,
    bot_id: str | None,
) -> tuple[Turn, ...]:
    """The thread's messages before ``before_ts`` as turns (empty when it cannot be read).

    Our own replies are ``assistant`` turns (placeholders skipped), people's messages ``user``
    turns; other bots' messages are left out.
    """
    try:
        reply = client.conversations_replies(channel=channel, ts=thread_ts, limit=HISTORY_MESSAGES + 5)
    except SlackApiError as exc:
        log.warning("cannot read the thread history (%s); answering without it", exc.response.get("error"))
        return ()
    turns: list[Turn] = []
    for m in reply.get("messages") or []:
        ts = str(m.get("ts", ""))
        if not ts or float(ts) >= float(before_ts):
            continue
        text = str(m.get("text") or "")
        ours = (bot_id is not None and m.get("bot_id") == bot_id) or (
            bot_user_id is not None and m.get("user") == bot_user_id
        )
        if ours:
            if text and text != SEARCHING:
                turns.append(Turn("assistant", _bot_text(text)))
        elif not m.get("bot_id") and text:
            turns.append(Turn("user", strip_mentions(text)))
    return tuple(t for t in turns if t.text)[-HISTORY_MESSAGES:]


def _apology(exc: BaseException) -> str:
    reason = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return f":warning: Sorry, I could not answer: {escape(str(reason)[:300])}"


def build_slack_app(
    settings: Settings,
    answerer: SanadClient | Answerer,
    *,
    client: WebClient | None = None,
    process_before_response: bool = False,
    token_verification_enabled: bool = True,
) -> App:
    """The Bolt app answering mentions, direct messages and ``/sanad``.

    Args:
        settings: ``settings.slack.bot_token`` and ``signing_secret``.
        answerer: A :class:`SanadClient` or a function ``(question, history) -> AskResponse``.
        client: The Slack Web API client (default: one with the bot token; tests point one at a
            fake with ``base_url``).
        process_before_response: Run listeners before the HTTP ack (only for FaaS or tests;
            keep False in production so Slack gets its ack within 3 seconds).
        token_verification_enabled: Call ``auth.test`` at construction (False to build offline).

    Raises:
        ConfigError: no bot token and no client.
    """
    answer: Answerer = answerer.answer if isinstance(answerer, SanadClient) else answerer
    if client is None:
        if not settings.slack.bot_token:
            raise ConfigError("the Slack app needs SANAD_SLACK__BOT_TOKEN (xoxb-…)")
        client = WebClient(token=settings.slack.bot_token)
    app = App(
        client=client,
        signing_secret=settings.slack.signing_secret or "",
        process_before_response=process_before_response,
        token_verification_enabled=token_verification_enabled,
    )
    seen = Once()
    inflight: dict[tuple[str, str], threading.Event] = {}  # (channel, ts) of questions being answered
    inflight_lock = threading.Lock()

    def withdraw(event: dict[str, Any]) -> None:
        """A deleted question: stop answering it (in-process answers; an API call runs on)."""
        key = (str(event.get("channel", "")), str(event.get("deleted_ts", "")))
        with inflight_lock:
            stop = inflight.get(key)
        if stop is not None:
            log.info("question %s deleted in %s: stopping its answer", key[1], key[0])
            stop.set()

    def answer_unless_deleted(channel: str, ts: str, question: str, history: tuple[Turn, ...]) -> AskResponse:
        stop = threading.Event()
        with inflight_lock:
            inflight[(channel, ts)] = stop
        token = answer_stop.set(stop)
        try:
            return answer(question, history)
        finally:
            answer_stop.reset(token)
            with inflight_lock:
                inflight.pop((channel, ts), None)

    def handle(event: dict[str, Any], body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        if event.get("bot_id") or event.get("subtype") or not event.get("user"):
            return  # bots (including us), edits, joins and other subtypes
        if context.bot_user_id and event.get("user") == context.bot_user_id:
            return
        event_id = body.get("event_id")
        if event_id and not seen.first(f"event:{event_id}"):
            log.info("duplicate Slack event %s ignored (retry %s)", event_id, context.get("retry_num"))
            return
        channel, ts = str(event.get("channel", "")), str(event.get("ts", ""))
        if not seen.first(f"message:{channel}:{ts}"):
            return  # the same message delivered as app_mention and as message
        thread_ts = str(event.get("thread_ts") or ts)
        question = strip_mentions(str(event.get("text") or ""), [x for x in (context.bot_user_id,) if x])
        if not question:
            client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=USAGE)
            return
        too_long = question_too_long(question, settings.max_question_chars)
        if too_long is not None:  # the API's limit and words, in the question's language
            client.chat_postMessage(
                channel=channel, thread_ts=thread_ts, text=f":warning: {escape(too_long)}"
            )
            return
        placeholder = client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=SEARCHING)
        history: tuple[Turn, ...] = ()
        if event.get("thread_ts"):
            history = thread_history(client, channel, thread_ts, ts, context.bot_user_id, context.bot_id)
        try:
            messages = render_messages(answer_unless_deleted(channel, ts, question, history))
        except Stopped:  # the question was deleted: take the placeholder away too
            client.chat_delete(channel=str(placeholder["channel"]), ts=str(placeholder["ts"]))
            return
        except Exception as exc:  # the edge: tell the user, keep the bot alive
            log.exception("answering from Slack failed")
            messages = [_apology(exc)]
        client.chat_update(channel=str(placeholder["channel"]), ts=str(placeholder["ts"]), text=messages[0])
        for more in messages[1:]:
            client.chat_postMessage(
                channel=channel, thread_ts=thread_ts, text=more, unfurl_links=False, unfurl_media=False
            )

    @app.event("app_mention")
    def on_mention(
        event: dict[str, Any], body: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        handle(event, body, client, context)

    @app.event("message")
    def on_message(
        event: dict[str, Any], body: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        if event.get("subtype") == "message_deleted":
            withdraw(event)
            return
        # In channels the app answers mentions only (app_mention); in direct messages, everything.
        if event.get("channel_type") == "im":
            handle(event, body, client, context)

    @app.command("/sanad")
    def on_command(ack: Callable[..., None], command: dict[str, Any], respond: Callable[..., Any]) -> None:
        question = strip_mentions(str(command.get("text") or ""))
        if not question:
            ack(text="Usage: `/sanad <your question>`")
            return
        too_long = question_too_long(question, settings.max_question_chars)
        if too_long is not None:
            ack(text=f":warning: {escape(too_long)}")
            return
        ack(text=SEARCHING)
        try:
            messages = render_messages(answer(question, ()))
        except Exception as exc:
            log.exception("answering /sanad failed")
            respond(text=_apology(exc), response_type="ephemeral")
            return
        messages[0] = f"*{escape(question)}*\n\n{messages[0]}"
        for text in messages:
            respond(text=text, response_type="in_channel", replace_original=False)

    return app


def in_process_answerer(sanad: Sanad) -> Answerer:
    """An answerer over ``sanad`` (:class:`sanad.app.Sanad`) in this process."""

    def answer(question: str, history: tuple[Turn, ...]) -> AskResponse:
        started = time.perf_counter()
        result = drain(sanad.chain.stream(question, history))  # stops if the question is deleted
        return ask_response(result, {"total": round((time.perf_counter() - started) * 1000, 1)})

    return answer


def run_slack(
    settings: Settings,
    *,
    socket: bool,
    sanad: Sanad,
    host: str | None = None,
    port: int | None = None,
) -> None:
    """Run the Slack app alone: Socket Mode, or HTTP events at ``/slack/events``.

    The bot calls ``settings.slack.api_url`` with ``settings.api.token`` when set, else answers
    in-process (then this process must be the only writer of the data dir: it only reads).

    Raises:
        ConfigError: a token or secret the chosen transport needs is missing.
    """
    answerer: SanadClient | Answerer
    if settings.slack.api_url:
        answerer = SanadClient(settings.slack.api_url, token=settings.api.token)
    else:
        answerer = in_process_answerer(sanad)
    if socket:
        if not settings.slack.app_token:
            raise ConfigError("Socket Mode needs SANAD_SLACK__APP_TOKEN (xapp-…, scope connections:write)")
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        handler = SocketModeHandler(build_slack_app(settings, answerer), settings.slack.app_token)
        handler.start()  # type: ignore[no-untyped-call]
        return
    if not settings.slack.signing_secret:
        raise ConfigError("HTTP mode needs SANAD_SLACK__SIGNING_SECRET (or use --socket)")
    import uvicorn
    from fastapi import FastAPI, Request, Response
    from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
    from starlette.concurrency import run_in_threadpool

    bolt = build_slack_app(settings, answerer)
    web = FastAPI(title="Sanad Slack app", docs_url=None, redoc_url=None, openapi_url=None)

    @web.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @web.post("/slack/events")
    async def events(request: Request) -> Response:
        body = await request.body()
        return to_starlette_response(await run_in_threadpool(bolt.dispatch, to_bolt_request(request, body)))

    uvicorn.run(web, host=host or settings.api.host, port=3000 if port is None else port)
