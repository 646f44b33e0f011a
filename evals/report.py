"""Reports: JSON + Markdown under ``reports/`` (git-ignored), and the summary in ``docs/results.md``.

Every report records what is needed to reproduce it: the commit (``git rev-parse HEAD`` and
whether the tree was dirty), the settings (secrets masked), the sha256 of every dataset file used
(as in ``MANIFEST_dev.json``) and the machine (platform, Python, CPU count, RAM).
"""

from __future__ import annotations

import json
import os
import platform
import re
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from evals.datasets import REPO_ROOT

_SECRET_KEYS = {"api_key", "token"}


def git_commit(repo: Path = REPO_ROOT) -> dict[str, Any]:
    """``{"commit": sha or None, "dirty": bool or None}`` of the repository at ``repo``."""
    try:
        sha = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True, timeout=10, check=True
        ).stdout.strip()
        status = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=repo,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout
        return {"commit": sha, "dirty": bool(status.strip())}
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "dirty": None}


def _ram_bytes() -> int | None:
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        return None


def machine_info() -> dict[str, Any]:
    """Platform, Python version, processor, CPU count and RAM (GiB)."""
    ram = _ram_bytes()
    cpu = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpu": cpu,
        "cpu_count": os.cpu_count(),
        "ram_gib": None if ram is None else round(ram / 2**30, 1),
        "omp_num_threads": os.environ.get("OMP_NUM_THREADS"),
    }


def masked_settings(settings: Any) -> dict[str, Any]:
    """``settings.model_dump(mode="json")`` with API keys and tokens replaced by ``"***"``."""

    def mask(obj: Any) -> Any:
        if isinstance(obj, dict):
            return {k: ("***" if k in _SECRET_KEYS and v else mask(v)) for k, v in obj.items()}
        return obj

    return dict(mask(settings.model_dump(mode="json")))


def report_meta(settings: Any, checksums: dict[str, str]) -> dict[str, Any]:
    """The reproducibility header of a report."""
    return {
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "git": git_commit(),
        "settings": masked_settings(settings) if settings is not None else None,
        "datasets_sha256": dict(sorted(checksums.items())),
        "machine": machine_info(),
    }


def default_reports_dir() -> Path:
    """``$SANAD_REPORTS_DIR``, else ``<repo>/reports``."""
    env = os.environ.get("SANAD_REPORTS_DIR")
    return Path(env) if env else REPO_ROOT / "reports"


def render_meta_markdown(meta: dict[str, Any]) -> str:
    """A short Markdown block of the reproducibility header."""
    git = meta["git"]
    m = meta["machine"]
    lines = [
        f"- created: {meta['created']}",
        f"- commit: `{git['commit']}`" + (" (uncommitted changes)" if git.get("dirty") else ""),
        f"- machine: {m['platform']}, {m['cpu']}, {m['cpu_count']} CPUs, {m['ram_gib']} GiB RAM, "
        f"Python {m['python']}",
    ]
    if meta.get("settings"):
        s = meta["settings"]
        llm = s["llm"]
        configured = bool(llm.get("api_key") or llm.get("base_url"))
        lines.append(
            f"- settings: embedder {s['embedder']['backend']}, chunking {s['chunking']}, "
            f"retrieval {s['retrieval']}, LLM {llm['model'] if configured else 'none (extractive)'}"
        )
    for rel, sha in meta["datasets_sha256"].items():
        lines.append(f"- data `{rel}` sha256 `{sha[:16]}…`")
    return "\n".join(lines) + "\n"


def write_report(
    kind: str, body: dict[str, Any], markdown: str, meta: dict[str, Any], out_dir: Path | None = None
) -> tuple[Path, Path]:
    """Write ``<kind>-<UTC timestamp>.json`` and ``.md`` (and ``latest-<kind>.*`` copies).

    Args:
        kind: e.g. ``"eval"`` or ``"bench"``.
        body: The figures (JSON-serialisable).
        markdown: Their Markdown rendering.
        meta: :func:`report_meta`.
        out_dir: Default :func:`default_reports_dir`.

    Returns:
        ``(json_path, markdown_path)``.
    """
    out = out_dir or default_reports_dir()
    out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    data = {"meta": meta, **body}
    text = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    md = f"# Sanad {kind} report\n\n{render_meta_markdown(meta)}\n{markdown}"
    jp, mp = out / f"{kind}-{stamp}.json", out / f"{kind}-{stamp}.md"
    jp.write_text(text, encoding="utf-8")
    mp.write_text(md, encoding="utf-8")
    (out / f"latest-{kind}.json").write_text(text, encoding="utf-8")
    (out / f"latest-{kind}.md").write_text(md, encoding="utf-8")
    return jp, mp


EXPERIMENTS_HEADING = "## Experiments"
"""Heading of the hand-written experiment log in ``docs/results.md``; new blocks go above it."""

RESULTS_HEADER = """# Results

Figures measured by `make eval` / `make bench` (`sanad eval …`, `sanad bench`) on the DEV halves of
the public sets in `../shared/data` (see its README). Each block below is replaced by the latest
run of that command; the full reports (with commit, settings, dataset checksums and machine) are
written under `reports/`. Record experiments by hand under "## Experiments" at the end.

"""


def _block_re(key: str) -> re.Pattern[str]:
    return re.compile(
        rf"<!-- sanad:{re.escape(key)}:begin -->.*?<!-- sanad:{re.escape(key)}:end -->\n?", re.S
    )


def update_results_md(blocks: dict[str, str], meta: dict[str, Any], path: Path | None = None) -> Path:
    """Replace (or add) generated blocks in ``docs/results.md``, keeping everything else.

    Args:
        blocks: ``{key: markdown}``, e.g. ``{"retrieval:multihop": "…"}``; each is stored between
            ``<!-- sanad:<key>:begin -->`` and ``<!-- sanad:<key>:end -->`` markers.
        meta: :func:`report_meta` (its commit and date head each block).
        path: Default ``$SANAD_RESULTS_DOC`` if set (a scratch copy, for runs that should not
            publish their figures), else ``<repo>/docs/results.md``.

    Returns:
        The path written.
    """
    target = path or Path(os.environ.get("SANAD_RESULTS_DOC") or REPO_ROOT / "docs" / "results.md")
    text = target.read_text(encoding="utf-8") if target.exists() else RESULTS_HEADER
    git = meta["git"]
    stamp = (
        f"_{meta['created'][:10]}, commit `{(git['commit'] or 'unknown')[:10]}`"
        + (" + uncommitted changes" if git.get("dirty") else "")
        + f", {meta['machine']['cpu_count']} CPUs_\n\n"
    )
    for key, md in blocks.items():
        block = f"<!-- sanad:{key}:begin -->\n{md.rstrip()}\n\n{stamp}<!-- sanad:{key}:end -->\n"
        pattern = _block_re(key)
        if pattern.search(text):
            text = pattern.sub(lambda _m, b=block: b, text, count=1)  # type: ignore[misc]
        elif EXPERIMENTS_HEADING in text:  # generated blocks stay above the hand-written log
            head, _, tail = text.partition(EXPERIMENTS_HEADING)
            text = head.rstrip("\n") + "\n\n" + block + "\n" + EXPERIMENTS_HEADING + tail
        else:
            text = text.rstrip("\n") + "\n\n" + block
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return target


# (dataset, kind, figure key, comparison, target, label); kind "retrieval" reads the hybrid system.
TARGETS: tuple[tuple[str, str, str, str, float, str], ...] = (
    ("multihop", "retrieval", "chunk_hit@10", ">=", 0.97, "MultiHop chunk-level Hits@10"),
    ("multihop", "retrieval", "chunk_mrr@10", ">=", 0.80, "MultiHop chunk-level MRR@10"),
    ("xquad-ar", "retrieval", "hit@1", ">=", 0.93, "XQuAD ar→ar hit@1"),
    ("xquad-ar", "retrieval", "mrr@10", ">=", 0.96, "XQuAD ar→ar MRR@10"),
    ("xquad-en-ar", "retrieval", "hit@1", ">=", 0.86, "XQuAD en→ar hit@1"),
    ("xquad-en-ar", "retrieval", "mrr@10", ">=", 0.91, "XQuAD en→ar MRR@10"),
    ("xquad-en-ar", "retrieval", "hit@5", ">=", 0.98, "XQuAD en→ar hit@5"),
    ("xquad-en-ar", "answers", "end_to_end_containment", ">=", 0.75, "XQuAD en→ar end-to-end containment"),
    ("xquad-en-ar", "answers", "false_abstention_rate", "<=", 0.10, "XQuAD en→ar false abstention"),
    ("arcd", "retrieval", "hit@1", ">=", 0.78, "ARCD ar→ar hit@1"),
    ("arcd", "retrieval", "mrr@10", ">=", 0.87, "ARCD ar→ar MRR@10"),
    ("multihop", "answers", "abstention_accuracy", ">=", 0.90, "MultiHop null-query abstention"),
    ("multihop", "answers", "false_abstention_rate", "<=", 0.05, "MultiHop false abstention"),
    ("xquad-ar", "answers", "containment", ">=", 0.93, "XQuAD ar→ar answer containment"),
    ("arcd", "answers", "containment", ">=", 0.92, "ARCD answer containment"),
    ("xquad-en", "answers", "containment", ">=", 0.95, "XQuAD en→en answer containment"),
    ("xquad-ar", "answers", "false_abstention_rate", "<=", 0.05, "XQuAD ar→ar false abstention"),
    ("arcd", "answers", "false_abstention_rate", "<=", 0.05, "ARCD false abstention"),
    ("xquad-en", "answers", "false_abstention_rate", "<=", 0.05, "XQuAD en→en false abstention"),
    ("xquad-en", "answers", "short_f1", ">=", 0.40, "XQuAD en→en short-answer F1"),
    ("xquad-ar", "answers", "short_f1", ">=", 0.30, "XQuAD ar→ar short-answer F1"),
    ("arcd", "answers", "short_f1", ">=", 0.30, "ARCD short-answer F1"),
    ("xquad-ar", "negatives", "gold_removed", ">=", 0.80, "XQuAD ar→ar gold-removed abstention"),
    ("arcd", "negatives", "gold_removed", ">=", 0.80, "ARCD gold-removed abstention"),
    ("multihop", "answers", "two_gold_quoted", ">=", 0.70, "MultiHop comparison/temporal: two gold quoted"),
)
"""The DEV targets of issues 5, 12 and 14 (answer containment raised from 0.85 to issue 12's 0.93;
en→ar hit@1 raised from 0.85 to issue 14's 0.86, with MRR@10 and end-to-end answers added).

Kind "negatives" reads ``answers[dataset]["negatives"][key]["abstention_rate"]``."""


def render_targets(results: dict[str, Any]) -> str:
    """Markdown table: each target of :data:`TARGETS`, the measured figure, met or not.

    Also flags a set where the hybrid retriever is below its best component (dense or BM25) on
    hit@1 or MRR@10 (the issue's rule: the hybrid must never be worse than its best component).

    Args:
        results: ``{"retrieval": {dataset: result}, "answers": {dataset: result}}``.
    """
    lines = ["### Targets (DEV)", "", "| target | goal | measured | met |", "|---|---|---|---|"]
    for ds, kind, key, op, goal, label in TARGETS:
        res = results.get(kind, {}).get(ds)
        value: float | None = None
        if kind == "negatives":
            res = results.get("answers", {}).get(ds)
            neg = (res or {}).get("negatives", {}).get(key)
            value = None if neg is None else neg.get("abstention_rate")
        elif res is not None:
            figs = res["systems"]["hybrid"]["overall"] if kind == "retrieval" else res["overall"]
            value = figs.get(key)
        met = "—" if value is None else ("yes" if (value >= goal if op == ">=" else value <= goal) else "no")
        shown = "not run" if value is None else f"{value:.3f}"
        lines.append(f"| {label} | {op} {goal:.2f} | {shown} | {met} |")
    worse: list[str] = []
    for ds, res in results.get("retrieval", {}).items():
        systems = res["systems"]
        if "hybrid" not in systems:
            continue
        for key in ("hit@1", "mrr@10"):
            h = systems["hybrid"]["overall"].get(key)
            best = max(
                ((n, systems[n]["overall"].get(key)) for n in ("dense", "bm25") if n in systems),
                key=lambda t: t[1] or 0.0,
                default=None,
            )
            if h is not None and best is not None and best[1] is not None and h < best[1]:
                worse.append(f"{ds} {key}: hybrid {h:.3f} < {best[0]} {best[1]:.3f}")
    lines += ["", "Hybrid below its best component: " + ("; ".join(worse) if worse else "none") + ".", ""]
    return "\n".join(lines) + "\n"
