"""Retrieval over collections that mix languages (issue #14): two DEV corpora in one store.

A newsroom's archive holds Arabic and English articles together, while every DEV set indexes one
language, so the DEV figures cannot show what the language of the *other* articles does to a
question. Here each pair ``(questions, distractors)`` asks the first set's questions over one
store holding both corpora: e.g. XQuAD's English questions over the Arabic paragraphs (their
gold) plus the 609 English MultiHop news articles. The store is assembled from the two
evaluation indexes' stored chunks, articles and vectors (no embedding; the indexes must exist:
``sanad eval retrieval --dataset …`` builds them), under ``<index root>/mixed-<a>+<b>-…``.

Both rows of a pair come from the product's :class:`rag.retrieval.retriever.HybridRetriever`
in the same run: with the mixed-language fusion (:mod:`rag.retrieval.mixed_languages`) and with
``language_gap = 0``, which is the plain fusion. Figures: article hit@1 (the best article is a
gold one) and MRR@10 over distinct articles. Run: ``python -m evals.mixed_languages``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path
from typing import Any

PAIRS: tuple[tuple[str, str], ...] = (
    ("xquad-en-ar", "multihop"),
    ("xquad-ar-en", "arcd"),
    ("xquad-en", "arcd"),
    ("arcd", "multihop"),
    ("multihop", "xquad-ar"),
)
"""(questions, distractor corpus): the two cross-lingual directions, then questions in the
language most of the collection is in, whose answers must not be lost to the other language."""


def build_mixed_store(questions: str, distractors: str, root: Path | None = None) -> Any:
    """A :class:`sanad.app.Sanad` over both corpora, built once from the evaluation indexes.

    Raises:
        FileNotFoundError: an evaluation index is missing.
    """
    from evals.datasets import load_dataset
    from evals.index import default_index_root, eval_settings
    from sanad.app import Sanad

    root = root or default_index_root()
    parts = [load_dataset(questions).corpus, load_dataset(distractors).corpus]
    mixed_settings = eval_settings(f"mixed-{parts[0]}+{parts[1]}", root)
    target = mixed_settings.data_dir
    done = target / "complete"
    if not done.exists():
        shutil.rmtree(target, ignore_errors=True)
        sources = []
        for corpus in parts:
            settings = eval_settings(corpus, root)
            if not (settings.data_dir / "catalog.sqlite").exists():
                raise FileNotFoundError(f"no evaluation index for {corpus!r} under {root}: run `sanad eval`")
            sources.append(Sanad(settings))
        mixed = Sanad(mixed_settings)
        for src in sources:
            for record in src.catalog.records():
                chunks = src.store.get(list(record.chunk_ids))
                vectors = src.store.vectors([c.chunk_id for c in chunks])
                mixed.store.upsert(chunks, [vectors[c.chunk_id] for c in chunks])
                mixed.catalog.put(record.article, [c.chunk_id for c in chunks])
        done.write_text("ok\n", encoding="utf-8")
    return Sanad(mixed_settings)


def article_ranks(retriever: Any, question: str, gold: set[str], k: int = 10) -> tuple[bool, float]:
    """(hit@1, reciprocal rank within the first ``k`` distinct articles) for one question."""
    articles: list[str] = []
    for hit in retriever.retrieve(question, k=4 * k):
        if hit.chunk.article_id not in articles:
            articles.append(hit.chunk.article_id)
    articles = articles[:k]
    rank = next((i for i, a in enumerate(articles, 1) if a in gold), None)
    return bool(articles) and articles[0] in gold, 1.0 / rank if rank else 0.0


def evaluate_pair(questions: str, distractors: str, limit: int | None = None) -> dict[str, Any]:
    """Both fusions on one pair: ``{"pair", "questions", "chunks", "mixed": {hit@1, mrr@10},
    "plain": {…}}``."""
    from evals.datasets import load_dataset

    sanad = build_mixed_store(questions, distractors)
    ds = load_dataset(questions, limit=limit)
    asked = [q for q in ds.questions if q.gold_ids]
    mixed = sanad.retriever
    plain = sanad.make_retriever()
    plain.language_gap = 0.0
    out: dict[str, Any] = {"pair": f"{questions} + {distractors}", "questions": len(asked)}
    out["chunks"] = len(mixed.lexical.current().index)
    for name, retriever in (("mixed", mixed), ("plain", plain)):
        hits = rr = 0.0
        for q in asked:
            hit, recip = article_ranks(retriever, q.text, set(q.gold_ids))
            hits += hit
            rr += recip
        out[name] = {"hit@1": round(hits / len(asked), 3), "mrr@10": round(rr / len(asked), 3)}
        print(f"  {out['pair']} {name}: {out[name]}", file=sys.stderr, flush=True)
    return out


def render_markdown(rows: list[dict[str, Any]]) -> str:
    """A table of :func:`evaluate_pair` rows."""
    lines = [
        "| questions + distractor corpus | questions | chunks | mixed-language fusion hit@1 / MRR@10 "
        "| plain fusion hit@1 / MRR@10 |",
        "|---|---|---|---|---|",
    ]
    for r in rows:
        m, p = r["mixed"], r["plain"]
        lines.append(
            f"| {r['pair']} | {r['questions']} | {r['chunks']} | {m['hit@1']} / {m['mrr@10']} "
            f"| {p['hit@1']} / {p['mrr@10']} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    """``python -m evals.mixed_languages [--limit N] [--pairs a+b,c+d]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--pairs", default=",".join(f"{a}+{b}" for a, b in PAIRS))
    args = parser.parse_args(argv)
    rows = []
    for pair in args.pairs.split(","):
        a, b = pair.split("+")
        rows.append(evaluate_pair(a, b, args.limit))
    print(json.dumps(rows, indent=1))
    print(render_markdown(rows))


if __name__ == "__main__":
    main()
