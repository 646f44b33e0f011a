"""The large-corpus benchmark: 10k → 100k chunks of real vectors and their perturbed copies.

**Corpus.** Rows start with the real chunks (texts and stored vectors) of the largest
evaluation index on disk (MultiHop when built). Beyond them, row i copies the text and metadata
of real chunk ``i mod n`` under a new id, with the real vector plus Gaussian noise, renormalised:
σ = :data:`NOISE_SIGMA` per dimension gives cos(copy, original) ≈ 1/√(1 + 384σ²) ≈ 0.90, about
as far as a chunk's nearest real neighbour in e5-small space, so HNSW sees clusters the size of
real topics rather than the uniform noise of random unit vectors. Copies are grouped 10 to an
article.

**Per size** (:func:`bench_sizes`): hybrid retrieval p50/p95 (question embedding included),
a plain Chroma query + question embedding in the same run (their ratio is the figure), the
question embedding alone, the incremental commit (BM25 and cross-script keys) of the rows added
since the previous size, the full BM25 build (what every write cost before the index became
incremental; wall and CPU seconds) with the index's size on disk, and the data dir's size.

**Serving** (:func:`bench_serving`, on the largest store): ``sanad serve`` started as a
subprocess (UI mounted, extractive answers) plus a second ``sanad serve`` on the same data dir
(a replica); searches, then one 800-word article POSTed to the first: the time until
``/v1/search`` returns it on each server, and both servers' peak RSS (``VmHWM``).
"""

from __future__ import annotations

import dataclasses
import functools
import os
import resource
import shutil
import socket
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from evals import metrics

NOISE_SIGMA = 0.0247
"""Per-dimension noise of a perturbed copy: cos(copy, original) ≈ 0.90 in 384 dimensions."""

TOKEN = "bench-token"
NEW_ARTICLE_WORDS = 800
MARKER = "Quillfeather Zorbanite"
"""Two invented words in the new article, so the search finds exactly it."""


def dir_mb(path: Path) -> float:
    """Bytes under ``path`` in MiB."""
    total = sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) if path.exists() else 0
    return round(total / 2**20, 1)


def perturbed(vector: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """``vector`` + N(0, σ²) per dimension, renormalised to unit length."""
    v = vector + rng.normal(0.0, NOISE_SIGMA, size=vector.shape).astype(np.float32)
    out: np.ndarray = v / np.linalg.norm(v)
    return out


def fill(
    sanad: Any, real: Sequence[Any], vecs: np.ndarray, start: int, stop: int, rng: np.random.Generator
) -> int:
    """Add rows ``start..stop-1`` (store, then catalog); returns how many were perturbed copies."""

    by_article: dict[str, list[Any]] = defaultdict(list)
    vec_by_id: dict[str, list[float]] = {}
    copies = 0
    for i in range(start, stop):
        src = i % len(real)
        if i < len(real):
            chunk = real[i]
            vec_by_id[chunk.chunk_id] = vecs[i].tolist()
        else:
            cid, aid = f"copy-{i:06d}", f"copy-a{i // 10:05d}"
            chunk = dataclasses.replace(real[src], chunk_id=cid, article_id=aid, ordinal=i % 10)
            vec_by_id[cid] = perturbed(vecs[src], rng).tolist()
            copies += 1
        by_article[chunk.article_id].append(chunk)
    from evals.bench import write_bench_rows

    write_bench_rows(sanad, by_article, vec_by_id, batch=2000)
    return copies


def bench_sizes(
    sizes: Sequence[int], queries: Sequence[str], data_dir: Path, real: Sequence[Any], vecs: np.ndarray
) -> list[dict[str, Any]]:
    """Fill one store to each size in turn and measure it (see the module docstring)."""
    from rag.retrieval.lexical_view import sync_lexical_index
    from rag.settings import load_settings
    from sanad.app import Sanad

    sanad = Sanad(load_settings(data_dir=data_dir, cache_dir=data_dir / "cache"))
    emb = sanad.embeddings
    emb.queries.size = 0  # every path embeds its question: the LRU would favour the later ones
    plain = sanad.store.client.get_collection(sanad.store.name, embedding_function=None)
    emb.embed_query("warm up")
    rng = np.random.default_rng(0)
    rows: list[dict[str, Any]] = []
    filled = copies = 0
    sanad.lexical.background = False
    for size in sizes:
        t0 = time.perf_counter()
        copies += fill(sanad, real, vecs, filled, size, rng)
        filled = size
        fill_s = time.perf_counter() - t0
        # The product's path for rows written behind the pipeline's back: an ingest run sweeps,
        # migrates the new rows and commits BM25 + the key index for them (not a full build).
        t0 = time.perf_counter()
        sanad.pipeline.ingest_records([], origin="bench")
        commit = sanad.pipeline.rebuild_lexical
        assert commit is not None
        commit()  # saved for the serving processes (an empty run saves nothing when nothing moved)
        commit_s = time.perf_counter() - t0
        indexed = len(sanad.lexical.current().index)
        t0, c0 = time.perf_counter(), time.process_time()
        sync_lexical_index(None, sanad.store, sanad.catalog)  # what every write cost before #16
        bm25_s, bm25_cpu = time.perf_counter() - t0, time.process_time() - c0
        retriever = sanad.make_retriever()
        for q in queries[:3]:
            retriever.retrieve(q, 10)
        ours = metrics.latency_ms(functools.partial(retriever.retrieve, k=10), queries)
        base = metrics.latency_ms(
            lambda q: plain.query(
                query_embeddings=[emb.embed_query(q)],
                n_results=10,
                include=["documents", "metadatas", "distances"],
            ),
            queries,
        )
        embed = metrics.latency_ms(emb.embed_query, queries)
        row = {
            "chunks": indexed,
            "copies": copies,
            "fill_seconds": round(fill_s, 1),
            "bm25_full_build_seconds": round(bm25_s, 2),
            "bm25_full_build_cpu_seconds": round(bm25_cpu, 2),
            "ingest_run_over_new_rows_seconds": round(commit_s, 2),
            "bm25_mb": dir_mb(sanad.settings.lexical_index_dir),
            "disk_mb": dir_mb(data_dir),
            "sanad_ms": ours,
            "plain_chroma_ms": base,
            "embed_ms": embed,
            "ratio_p95": round(ours["p95"] / base["p95"], 3) if ours["p95"] and base["p95"] else None,
            "bench_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        }
        rows.append(row)
        print(f"  bench: {indexed} chunks: {row}", file=sys.stderr)
    return rows


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _vm_hwm_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def _serve(data_dir: Path, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    env = {
        **os.environ,
        "SANAD_DATA_DIR": str(data_dir),
        "SANAD_CACHE_DIR": str(data_dir / "cache"),
        "SANAD_API__TOKEN": TOKEN,
        "SANAD_LLM__API_KEY": "",
        "SANAD_LLM__BASE_URL": "",
        "OPENAI_API_KEY": "",
        "GRADIO_ANALYTICS_ENABLED": "False",
    }
    cmd = [str(Path(sys.executable).with_name("sanad")), "serve", "--host", "127.0.0.1", "--port", str(port)]
    with open(log, "ab") as fh:
        proc = subprocess.Popen(cmd, env=env, stdout=fh, stderr=subprocess.STDOUT)
    return proc, f"http://127.0.0.1:{port}"


def _wait_ready(proc: subprocess.Popen[bytes], url: str, log: Path, timeout: float = 900) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"sanad serve exited ({proc.returncode}): {log.read_text()[-2000:]}")
        try:
            if httpx.get(f"{url}/readyz", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} never became ready")


def _search_ids(url: str, query: str) -> list[str]:
    import httpx

    r = httpx.post(
        f"{url}/v1/search",
        json={"query": query, "k": 10},
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=120,
    )
    r.raise_for_status()
    return [h["article_id"] for h in r.json()["results"]]


def new_article(real_texts: Sequence[str]) -> dict[str, str]:
    """An 800-word article from real chunk texts, naming :data:`MARKER` in its first sentence."""
    words: list[str] = []
    for text in real_texts:
        words.extend(text.split())
        if len(words) >= NEW_ARTICLE_WORDS:
            break
    body = f"{MARKER} said on Monday that the report was accurate. " + " ".join(words[:NEW_ARTICLE_WORDS])
    return {"id": "bench-new-article", "title": f"{MARKER} speaks", "source": "bench wire", "body": body}


def bench_serving(
    data_dir: Path, queries: Sequence[str], real_texts: Sequence[str], workdir: Path
) -> dict[str, Any]:
    """``sanad serve`` + a replica on ``data_dir``: peak RSS and new-article freshness."""
    import httpx

    log = workdir / "serve.log"
    servers = [_serve(data_dir, log), _serve(data_dir, log)]
    try:
        for proc, url in servers:
            _wait_ready(proc, url, log)
        for _, url in servers:
            for q in queries[:10]:
                _search_ids(url, q)
        article = new_article(real_texts)
        (writer, wurl), (replica, rurl) = servers
        t0 = time.perf_counter()
        r = httpx.post(
            f"{wurl}/v1/articles",
            json={"articles": [article]},
            headers={"Authorization": f"Bearer {TOKEN}"},
            timeout=600,
        )
        r.raise_for_status()
        post_s = time.perf_counter() - t0
        report = r.json()
        visible: dict[str, float | None] = {}
        for name, url in (("writer", wurl), ("replica", rurl)):
            deadline = time.perf_counter() + 120
            seen = None
            while time.perf_counter() < deadline:
                if article["id"] in _search_ids(url, MARKER):
                    seen = round(time.perf_counter() - t0, 2)
                    break
                time.sleep(0.05)
            visible[name] = seen
        return {
            "post_seconds": round(post_s, 2),
            "ingest_report_seconds": report.get("seconds"),
            "chunks_embedded": report.get("chunks_embedded"),
            "visible_after_post_start_s": visible,
            "serve_peak_rss_mb": _vm_hwm_mb(writer.pid),
            "replica_peak_rss_mb": _vm_hwm_mb(replica.pid),
        }
    finally:
        for proc, _ in servers:
            proc.terminate()
        for proc, _ in servers:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()


def run_large(
    sizes: Sequence[int], queries: Sequence[str], workdir: Path, index_root: Path | None = None
) -> dict[str, Any]:
    """The whole large-corpus benchmark in ``workdir`` (removed by the caller)."""
    from evals.bench import real_chunks

    real, vecs, corpus = real_chunks(index_root)
    if not real:
        raise RuntimeError("no evaluation index on disk: build one (sanad eval retrieval) first")
    data_dir = workdir / "large"
    rows = bench_sizes(sizes, queries, data_dir, real, vecs)
    serving = bench_serving(data_dir, queries, [c.text for c in real[:40]], workdir)
    shutil.rmtree(data_dir, ignore_errors=True)
    return {"real_rows": len(real), "real_source": corpus, "queries": len(queries), "sizes": rows, **serving}


def plot(result: dict[str, Any], path: Path) -> Path:
    """PNG: latency p50/p95 against corpus size (left) and peak RSS against size (right)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = result["sizes"]
    xs = [r["chunks"] for r in rows]
    fig, (lat, mem) = plt.subplots(1, 2, figsize=(11, 4))
    for key, label, color in (
        ("sanad_ms", "Sanad hybrid", "tab:blue"),
        ("plain_chroma_ms", "plain Chroma", "tab:orange"),
        ("embed_ms", "question embedding alone", "tab:gray"),
    ):
        lat.plot(xs, [r[key]["p50"] for r in rows], "-o", color=color, label=f"{label} p50")
        lat.plot(xs, [r[key]["p95"] for r in rows], "--", color=color, alpha=0.6, label=f"{label} p95")
    lat.set_xlabel("chunks in the store")
    lat.set_ylabel("ms per query (question embedding included)")
    lat.set_title("Retrieval latency vs corpus size")
    lat.grid(True, alpha=0.3)
    lat.legend(fontsize=7)
    if all("bench_peak_rss_mb" in r for r in rows):
        mem.plot(xs, [r["bench_peak_rss_mb"] for r in rows], "-o", label="bench process (store + index)")
    if result.get("serve_peak_rss_mb"):
        mem.plot([xs[-1]], [result["serve_peak_rss_mb"]], "s", color="tab:red", label="sanad serve")
        mem.plot([xs[-1]], [result["replica_peak_rss_mb"]], "^", color="tab:purple", label="replica")
    mem.plot(xs, [r["disk_mb"] for r in rows], "-x", color="tab:green", label="data dir on disk")
    mem.axhline(1536, color="tab:red", alpha=0.3, linestyle=":", label="1.5 GB target")
    mem.set_xlabel("chunks in the store")
    mem.set_ylabel("MiB")
    mem.set_title("Peak RSS and disk vs corpus size")
    mem.grid(True, alpha=0.3)
    mem.legend(fontsize=7)
    from evals.bench import save_figure

    return save_figure(fig, path)


def render_markdown(result: dict[str, Any], plot_path: str | None = None) -> str:
    """The large-corpus block of docs/results.md."""
    lines = [
        "### Large corpus (10k–100k chunks)",
        "",
        f"{result['real_rows']} real chunks with their vectors from `{result['real_source']}`; the "
        "other rows are perturbed copies (real vector + N(0, 0.0247²) per dimension, renormalised: "
        "cos ≈ 0.90 to the original; real texts under new ids). "
        f"{result['queries']} MultiHop questions, k = 10, question embedding included everywhere.",
        "",
        "| chunks | Sanad p50 | Sanad p95 | plain Chroma p50 | plain Chroma p95 | **p95 ratio** "
        "| embedding p95 | BM25 full build s (CPU s) | BM25 MiB | disk MiB |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in result["sizes"]:
        lines.append(
            f"| {r['chunks']} | {r['sanad_ms']['p50']} | {r['sanad_ms']['p95']} | "
            f"{r['plain_chroma_ms']['p50']} | {r['plain_chroma_ms']['p95']} | **{r['ratio_p95']}** | "
            f"{r['embed_ms']['p95']} | {r['bm25_full_build_seconds']} "
            f"({r.get('bm25_full_build_cpu_seconds')}) | "
            f"{r['bm25_mb']} | {r['disk_mb']} |"
        )
    vis = result.get("visible_after_post_start_s", {})
    lines += [
        "",
        f"One {NEW_ARTICLE_WORDS}-word article POSTed to `sanad serve` at {result['sizes'][-1]['chunks']} "
        f"chunks: the POST took {result.get('post_seconds')} s ({result.get('chunks_embedded')} chunks "
        f"embedded); `/v1/search` returned it {vis.get('writer')} s after the POST started on that "
        f"server and {vis.get('replica')} s on a second `sanad serve` on the same data dir. Peak RSS: "
        f"`sanad serve` {result.get('serve_peak_rss_mb')} MiB, "
        f"replica {result.get('replica_peak_rss_mb')} MiB.",
        "",
    ]
    if plot_path:
        lines += [f"![latency and RSS vs corpus size]({plot_path})", ""]
    return "\n".join(lines) + "\n"
