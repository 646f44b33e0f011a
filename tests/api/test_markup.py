"""Answers and quotes are plain text: article markup never reaches a client live (issue #15).

Two articles, Arabic (Markdown file) and English (JSONL), hold the facts asked about next to the
four hostile kinds: a Markdown image beacon, ``<img onerror=…>``, ``<iframe>`` and ``<script>``.
They are asked through ``sanad ask --json`` (CLI), ``/v1/ask`` (JSON and SSE) and
``/v1/chat/completions`` (plain and streamed), answered extractively and by an LLM (the loopback
fake) that copies the markup into its answer. No response body may carry live markup.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from api.server import MODEL_ID, create_app
from rag.settings import load_settings
from sanad.app import Sanad
from tests.api.conftest import ServerThread, wait_ready
from tests.fixtures.embeddings import MemoEmbeddings
from tests.fixtures.fake_openai import FakeOpenAI
from tests.fixtures.hostile import BEACON, IFRAME, IMG, SCRIPT, live_markup
from tests.fixtures.processes import run_sanad

REPO = Path(__file__).resolve().parents[2]
AR_ARTICLE = f"""# البرلمان يقر الميزانية

صادق البرلمان على الميزانية الجديدة {BEACON} بأغلبية 80 صوتا يوم الثلاثاء. {IMG}
وقال رئيس المجلس إن الميزانية {IFRAME} تخصص 12 مليار دينار للتعليم. {SCRIPT}
"""
EN_ARTICLE = {
    "id": "news/harbour-budget",
    "title": f"Harbour budget approved {IMG}",
    "source": f"Example Wire{SCRIPT}",
    "published_at": "2024-05-02",
    "text": (
        f"The harbour board approved a budget of 45 million dollars {IMG} on Monday. {BEACON} "
        f"The new ferry terminal {SCRIPT} will open in March, the board said. {IFRAME}"
    ),
}
QUESTIONS = {
    "ar": "بكم صوتا صادق البرلمان على الميزانية؟",
    "en": "What budget did the harbour board approve?",
}
LLM_ECHO = f"The board approved 45 million dollars [1]. {BEACON} {IMG} {IFRAME} {SCRIPT}"


@dataclass
class Env:
    extractive: str  # API base URL answering without an LLM
    llm: str  # API base URL whose LLM is the fake
    data: Path


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory, fake_llm_server: FakeOpenAI) -> Iterator[Env]:
    root = tmp_path_factory.mktemp("markup")
    articles = root / "articles"
    articles.mkdir()
    (articles / "ar-budget.md").write_text(AR_ARTICLE, encoding="utf-8")
    (articles / "en.jsonl").write_text(json.dumps(EN_ARTICLE) + "\n", encoding="utf-8")
    memo = MemoEmbeddings()
    plain = Sanad(load_settings(data_dir=root / "data"))
    plain.embeddings = memo
    report = plain.pipeline.ingest_paths([str(articles)])
    assert report.added == 2 and not report.failures, report
    llm_settings = load_settings(
        data_dir=root / "data",
        llm={"base_url": fake_llm_server.base_url, "api_key": "x", "model": "fake-model", "timeout": 30},
    )
    with_llm = Sanad(llm_settings)
    with_llm.embeddings = memo
    servers = [
        ServerThread(create_app(plain, plain.settings, mount_ui=False)),
        ServerThread(create_app(with_llm, llm_settings, mount_ui=False)),
    ]
    urls = [s.start() for s in servers]
    for url in urls:
        wait_ready(url)
    yield Env(urls[0], urls[1], root / "data")
    for s in servers:
        s.stop()


def _bodies(base: str, question: str, fake: FakeOpenAI | None) -> dict[str, str]:
    """Every surface's whole response body for ``question``."""
    out: dict[str, str] = {}
    chat = {"model": MODEL_ID, "messages": [{"role": "user", "content": question}]}
    with httpx.Client(base_url=base, timeout=120) as client:
        for name, path, body in (
            ("ask-json", "/v1/ask", {"question": question}),
            ("ask-sse", "/v1/ask", {"question": question, "stream": True}),
            ("openai", "/v1/chat/completions", chat),
            ("openai-stream", "/v1/chat/completions", {**chat, "stream": True}),
        ):
            if fake is not None:
                fake.enqueue(LLM_ECHO)
            r = client.post(path, json=body)
            assert r.status_code == 200, r.text
            out[name] = r.text
    return out


@pytest.mark.parametrize("language", ["ar", "en"])
def test_extractive_answers_and_quotes_carry_no_live_markup(env: Env, language: str) -> None:
    for name, body in _bodies(env.extractive, QUESTIONS[language], None).items():
        assert live_markup(body) == [], (name, body[:2000])
        assert "[1]" in body, (name, body[:500])  # answered, with a citation


def test_llm_output_copying_markup_is_plain_text(env: Env, fake_llm: FakeOpenAI) -> None:
    for name, body in _bodies(env.llm, QUESTIONS["en"], fake_llm).items():
        assert live_markup(body) == [], (name, body[:2000])
        assert "45 million" in body, (name, body[:500])


def test_cli_ask_json_carries_no_live_markup(env: Env) -> None:
    environ = {**os.environ, "SANAD_DATA_DIR": str(env.data), "OMP_WAIT_POLICY": "PASSIVE"}
    done = run_sanad(["ask", "--json", QUESTIONS["ar"]], environ, REPO)
    assert done.returncode == 0, done.stderr
    assert live_markup(done.stdout) == [], done.stdout
    assert json.loads(done.stdout)["citations"], done.stdout


def test_the_stored_article_text_is_plain(env: Env) -> None:
    from rag.store.catalog import Catalog

    catalog = Catalog(env.data / "catalog.sqlite")
    records = list(catalog.records())
    texts = [r.article.text for r in records]
    catalog.close()
    assert len(texts) == 2 and all(live_markup(t) == [] for t in texts), texts
    assert any("80 صوتا" in t for t in texts) and any("45 million dollars" in t for t in texts)
    assert all(live_markup(f"{r.article.title} {r.article.source}") == [] for r in records)
