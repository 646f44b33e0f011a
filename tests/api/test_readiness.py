"""``/readyz`` checks live dependencies; ``/healthz`` only says the process is up.

Real parts only: a real ``chroma run`` that the test stops and restarts on the same port, the
loopback fake OpenAI server as the remote embedder (its scripted 503s stand for an outage), and
``sanad serve`` as a subprocess with the chat UI mounted.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.server import ApiState, create_app
from rag.settings import Settings, load_settings
from sanad.app import Sanad
from tests.api.conftest import REPO, ServerThread, wait_ready
from tests.fixtures.fake_openai import FakeOpenAI
from tests.fixtures.processes import free_port, remote_embedder_env, run_sanad, stop, wait_http
from tests.ingest.test_embedder_faults import FIRST, write_jsonl

CHROMA = Path(sys.executable).parent / "chroma"
EMBED_KEY = "sk-embed-readiness-0123456789"
DOWN = 100_000  # scripted embeddings errors: "the embedder is down until reset()"


def _embedder(fake: FakeOpenAI) -> dict[str, Any]:
    return {
        "backend": "openai",
        "base_url": fake.base_url,
        "model": "fake-embed",
        "api_key": EMBED_KEY,
        "timeout": 2.0,
        "max_retries": 0,
    }


def _until(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(f"not within {timeout} s: {what}")


def _not_ready(url: str, part: str) -> bool:
    r = httpx.get(f"{url}/readyz", timeout=10)
    return r.status_code == 503 and f"{part}: " in r.json()["error"]["message"]


def _ready(url: str) -> bool:
    return httpx.get(f"{url}/readyz", timeout=10).status_code == 200


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    """A fake OpenAI-compatible server of this test only."""
    server = FakeOpenAI()
    server.start()
    yield server
    server.stop()


def _fast(state: ApiState) -> None:
    state.retry_seconds = 0.2
    state.probe_ttl_seconds = 0.3


class _Chroma:
    """A real ``chroma run`` that can be stopped and started again on the same port and path."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        log = self.root / "chroma.log"
        with log.open("ab") as out:
            self.proc = subprocess.Popen(
                [
                    str(CHROMA),
                    "run",
                    "--path",
                    str(self.root / "db"),
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
                env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
            )
        wait_http(f"{self.url}/api/v2/heartbeat", self.proc, log, timeout=60)

    def stop(self) -> None:
        if self.proc is not None:
            stop(self.proc)


def test_readyz_is_503_naming_chroma_while_it_is_down(tmp_path: Path, fake: FakeOpenAI) -> None:
    if not CHROMA.exists():
        pytest.skip("the chroma CLI is not installed")
    chroma = _Chroma(tmp_path)
    chroma.start()
    server: ServerThread | None = None
    try:
        settings = load_settings(
            data_dir=tmp_path / "data", store={"chroma_url": chroma.url}, embedder=_embedder(fake)
        )
        app = create_app(Sanad(settings), settings, mount_ui=False)
        _fast(app.state.api)
        server = ServerThread(app)
        url = server.start()
        wait_ready(url, timeout=60)

        chroma.stop()
        r = httpx.get(f"{url}/readyz", timeout=30)
        assert r.status_code == 503, r.text
        error = r.json()["error"]
        assert error["type"] == "not_ready" and "catalog: " in error["message"], error
        assert EMBED_KEY not in r.text
        assert httpx.get(f"{url}/healthz", timeout=5).status_code == 200  # liveness: the process is up

        chroma.start()  # same port, same data: the replica is ready again without a restart
        _until(lambda: _ready(url), 30, "ready after Chroma came back")
    finally:
        if server is not None:
            server.stop()
        chroma.stop()


def _built(data: Path, fake: FakeOpenAI) -> Settings:
    settings = load_settings(data_dir=data, embedder=_embedder(fake))
    assert (
        Sanad(settings).pipeline.ingest_paths([str(write_jsonl(data.parent / "first.jsonl", FIRST))]).added
        == 1
    )
    return settings


def test_readyz_follows_the_embedder_and_articles_are_served_meanwhile(
    tmp_path: Path, fake: FakeOpenAI
) -> None:
    settings = _built(tmp_path / "data", fake)
    fake.enqueue_embedding_error(503, times=DOWN, message=f"overloaded, key {EMBED_KEY}")  # down at start
    app = create_app(Sanad(settings), settings, mount_ui=False)
    state: ApiState = app.state.api
    _fast(state)
    server = ServerThread(app)
    url = server.start()
    try:
        _until(lambda: _not_ready(url, "embedder"), 20, "readyz names the embedder")
        r = httpx.get(f"{url}/readyz", timeout=10)
        assert "HTTP 503" in r.text and EMBED_KEY not in r.text, r.text
        assert httpx.get(f"{url}/healthz", timeout=5).status_code == 200
        # What needs no embedding is served; what needs it says not ready.
        listed = httpx.get(f"{url}/v1/articles", timeout=10)
        assert listed.status_code == 200 and [a["article_id"] for a in listed.json()["items"]] == ["ecb"]
        assert httpx.get(f"{url}/v1/articles/ecb", timeout=10).status_code == 200
        search = httpx.post(f"{url}/v1/search", json={"query": "interest rate"}, timeout=10)
        assert search.status_code == 503 and search.json()["error"]["type"] == "not_ready"

        fake.reset()  # the embedder is back: ready without a restart
        _until(lambda: _ready(url), 30, "ready after the embedder came back")
        hits = httpx.post(f"{url}/v1/search", json={"query": "interest rate cut", "k": 1}, timeout=30)
        assert hits.status_code == 200 and hits.json()["results"][0]["article_id"] == "ecb"

        # Down after warm-up: readiness sees it within the probe's time to live.
        fake.enqueue_embedding_error(503, times=DOWN)
        _until(lambda: _not_ready(url, "embedder"), 10, "readyz sees the embedder go down")
        fake.reset()
        _until(lambda: _ready(url), 10, "ready again")

        # Probes do not hammer the embedder: one ping per time to live, however many probes.
        state.probe_ttl_seconds = 60
        time.sleep(0.4)
        fake.embedding_requests.clear()
        for _ in range(20):
            assert httpx.get(f"{url}/readyz", timeout=10).status_code == 200
        assert len(fake.embedding_requests) <= 1, fake.embedding_requests
    finally:
        server.stop()


def test_a_cli_ingest_beside_the_server_is_served_without_a_restart(tmp_path: Path, fake: FakeOpenAI) -> None:
    """nc8 D1: after a ``sanad ingest`` from another process, every filtered or Arabic question
    was a 500 ("Error finding id") until restart, while /readyz said ready."""
    data = tmp_path / "data"
    settings = _built(data, fake)
    server = ServerThread(create_app(Sanad(settings), settings, mount_ui=False))
    url = server.start()
    try:
        wait_ready(url, timeout=60)
        english = {"query": "interest rate", "filters": {"languages": ["en"]}}
        assert httpx.post(f"{url}/v1/search", json=english, timeout=30).status_code == 200  # index loaded
        park = {"id": "park", "title": "حديقة", "lang": "ar", "body": "افتتحت أمانة عمّان حديقة تضم ألف شجرة."}
        env = {**remote_embedder_env(data, fake.base_url), "SANAD_EMBEDDER__API_KEY": EMBED_KEY}
        done = run_sanad(["ingest", str(write_jsonl(tmp_path / "park.jsonl", [park]))], env, cwd=REPO)
        assert done.returncode == 0, done.stdout + done.stderr

        arabic = {"query": "حديقة عمّان", "filters": {"languages": ["ar"]}}
        r = httpx.post(f"{url}/v1/search", json=arabic, timeout=30)
        assert r.status_code == 200, r.text
        assert [hit["article_id"] for hit in r.json()["results"]] == ["park"]
        r = httpx.post(f"{url}/v1/ask", json={"question": "كم شجرة تضم حديقة عمّان؟"}, timeout=60)
        assert r.status_code == 200, r.text
        assert httpx.get(f"{url}/readyz", timeout=10).status_code == 200
    finally:
        server.stop()


@pytest.mark.parametrize("fresh", [False, True], ids=["existing-store", "fresh-store"])
def test_sanad_serve_starts_with_the_embedder_down_and_recovers(
    tmp_path: Path, fake: FakeOpenAI, fresh: bool
) -> None:
    """The real command, chat UI mounted: it stays up, reports not ready, serves the articles.

    On a fresh store nothing can be created until the embedder tells its vector size; the chat
    UI builds its chain lazily, so the server still starts.
    """
    data = tmp_path / "data"
    if not fresh:
        _built(data, fake)
    fake.enqueue_embedding_error(503, times=DOWN)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp_path / "serve.log"
    env = {
        **os.environ,
        "SANAD_DATA_DIR": str(data),
        "SANAD_EMBEDDER__BACKEND": "openai",
        "SANAD_EMBEDDER__BASE_URL": fake.base_url,
        "SANAD_EMBEDDER__MODEL": "fake-embed",
        "SANAD_EMBEDDER__API_KEY": EMBED_KEY,
        "SANAD_EMBEDDER__TIMEOUT": "2",
        "SANAD_EMBEDDER__MAX_RETRIES": "0",
    }
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "sanad.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_http(f"{url}/healthz", proc, log, timeout=90)
        _until(lambda: _not_ready(url, "embedder"), 20, "readyz names the embedder")
        listed = httpx.get(f"{url}/v1/articles", timeout=10)
        assert listed.status_code == 200 and listed.json()["total"] == (0 if fresh else 1), listed.text
        fake.reset()
        _until(lambda: _ready(url), 40, "ready after the embedder came back")
        assert proc.poll() is None
    finally:
        stop(proc)
    assert EMBED_KEY not in log.read_text(encoding="utf-8", errors="replace")
