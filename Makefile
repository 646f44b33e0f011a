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

.PHONY: run test lint eval bench ingest ui serve chromium clean help

help:
	@echo "make run    - install, ingest samples/articles, start the chat at http://127.0.0.1:7860"
	@echo "make test   - install, run the whole test suite"
	@echo "make lint   - ruff + mypy"
	@echo "make eval   - retrieval and answer evaluation on ../shared/data (writes reports/)"
	@echo "make bench  - speed and memory benchmarks (writes reports/)"

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
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

eval: $(STAMP)
	$(BIN)/sanad eval all

bench: $(STAMP)
	$(BIN)/sanad bench

clean:
	rm -rf data reports .pytest_cache .mypy_cache .ruff_cache
