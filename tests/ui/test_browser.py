"""The chat in a real browser: Debian's chromium driven headless by Playwright.

Skipped with an install hint when /usr/bin/chromium is missing, except under CI (``CI=true``)
where a missing browser fails, so this test can never silently vanish.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from rag.settings import Settings
from sanad.app import Sanad
from tests.ui.conftest import AR_PASSAGE, AR_QUESTION, EN_FOLLOW_UP

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
SCREENSHOT_COPY = Path("/tmp/sanad-ui.png")
FINAL_ANSWERS = "#chatbot .sanad-answer:not(.sanad-streaming):not(.sanad-error)"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not os.path.exists(CHROMIUM):
        message = (
            "chromium is missing: install it with `apt-get install -y chromium` (never `playwright install`)"
        )
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def app_url(sample_store: tuple[Settings, Sanad], browser: Any) -> Iterator[str]:
    from ui.app import launch

    settings, sanad = sample_store
    port = _free_port()
    demo = launch(settings, host="127.0.0.1", port=port, sanad=sanad, block=False)
    yield f"http://127.0.0.1:{port}/"
    demo.close()


def _direction(page: Any, index: int) -> str:
    return str(
        page.evaluate(
            "([sel, i]) => { const el = document.querySelectorAll(sel)[i];"
            " return el.getAttribute('dir') === 'auto' ? getComputedStyle(el).direction : 'no dir=auto'; }",
            [FINAL_ANSWERS, index],
        )
    )


def test_arabic_answer_then_english_follow_up(
    app_url: str, browser: Any, sample_store: tuple[Settings, Sanad], tmp_path: Path
) -> None:
    settings, _ = sample_store
    page = browser.new_page(viewport={"width": 1360, "height": 1500})
    page.set_default_timeout(60_000)
    page.goto(app_url, wait_until="load")  # never "networkidle": gradio keeps a connection open
    box = page.locator("#question textarea")
    stats = page.locator("#collection-stats")
    assert "extractive" in stats.inner_text() and "1 articles" in stats.inner_text()
    page.locator("#examples button").first.click()  # an example question fills the box
    page.wait_for_function("() => document.querySelector('#question textarea').value.length > 0")
    assert box.input_value().startswith("ماذا يقول المقال عن")
    box.fill(AR_QUESTION)
    box.press("Enter")

    first = page.locator(FINAL_ANSWERS).nth(0)
    first.locator(".sanad-cite a").first.wait_for()
    assert "بوتين" in first.inner_text()
    assert _direction(page, 0) == "rtl"

    sources = page.locator("#chatbot details.sanad-sources").nth(0)
    assert sources.get_attribute("open") is None  # collapsed until a citation is clicked
    first.locator(".sanad-cite a").first.click()
    passage = sources.locator("li.sanad-src").first
    passage.wait_for(state="visible")
    assert sources.get_attribute("open") is not None
    quotes = passage.locator("blockquote.sanad-quote")  # a citation may hold several quotes
    assert AR_PASSAGE in quotes.first.inner_text()  # the cited quote comes first
    texts = [t.strip() for t in quotes.all_inner_texts()]
    assert all(texts) and len(set(texts)) == len(texts)  # further quotes: non-empty, no repeats

    page.locator("#chatbot button[aria-label='Like']").first.click()  # thumbs up on the answer
    page.locator("#feedback-note").get_by_text("Thanks for the feedback.").wait_for()
    rows = (settings.data_dir / "feedback.jsonl").read_text(encoding="utf-8").splitlines()
    assert json.loads(rows[-1])["question"] == AR_QUESTION

    box.fill(EN_FOLLOW_UP)
    box.press("Enter")
    second = page.locator(FINAL_ANSWERS).nth(1)
    second.locator(".sanad-cite a").first.wait_for()
    assert _direction(page, 1) == "ltr"
    assert page.locator("#chatbot [data-testid='user']").count() == 2

    shot = tmp_path / "sanad-chat.png"
    page.screenshot(path=str(shot), full_page=True)
    shutil.copyfile(shot, SCREENSHOT_COPY)
    page.close()
