"""The chat handlers over a real store (the Arabic sample), without a browser."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from rag.errors import LLMError, StoreLockedError
from rag.settings import Settings, load_settings
from rag.types import Answer, Delta, Filters, IngestReport, Turn
from sanad.app import Sanad
from tests.ui.conftest import AR_PASSAGE, AR_QUESTION, EN_FOLLOW_UP
from ui import render
from ui.feedback import FeedbackLog
from ui.handlers import ChatHandler, build_filters, content_text, history_to_turns, ingest_uploads


class RecordingChain:
    """Delegates to the real chain and records what the handler asked it."""

    def __init__(self, chain: Any) -> None:
        self.chain = chain
        self.calls: list[tuple[str, list[Turn], int | None, Filters | None]] = []

    @property
    def model_label(self) -> str:
        return str(self.chain.model_label)

    def stream(
        self,
        question: str,
        history: Sequence[Turn] = (),
        *,
        k: int | None = None,
        filters: Filters | None = None,
    ) -> Iterator[Delta | Answer]:
        self.calls.append((question, list(history), k, filters))
        yield from self.chain.stream(question, history, k=k, filters=filters)


class FailingChain:
    """Streams a little text, then fails like an unreachable LLM would."""

    model_label = "broken"

    def stream(
        self,
        question: str,
        history: Sequence[Turn] = (),
        *,
        k: int | None = None,
        filters: Filters | None = None,
    ) -> Iterator[Delta | Answer]:
        yield Delta("Partial ")
        raise LLMError("the LLM at http://127.0.0.1:9/v1 refused the connection")


def browser_shape(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """History as the browser sends it: content as a list of text blocks, metadata null."""
    return [
        {
            "role": m["role"],
            "content": [{"type": "text", "text": m["content"]}],
            "metadata": m.get("metadata"),
        }
        for m in messages
    ]


@pytest.fixture(scope="module")
def handler(sample_store: tuple[Settings, Sanad], tmp_path_factory: pytest.TempPathFactory) -> ChatHandler:
    _, sanad = sample_store
    feedback = tmp_path_factory.mktemp("feedback") / "feedback.jsonl"
    return ChatHandler(RecordingChain(sanad.chain), FeedbackLog(feedback))


@pytest.fixture(scope="module")
def ar_outputs(handler: ChatHandler) -> list[list[dict[str, Any]]]:
    """Everything the handler yielded for the Arabic question (asked once per module)."""
    return list(handler.respond(AR_QUESTION, []))


def test_streams_text_then_final_answer_with_sources(ar_outputs: list[list[dict[str, Any]]]) -> None:
    outputs = ar_outputs
    assert len(outputs) >= 3  # placeholder, streamed text, final
    for partial in outputs[:-1]:
        assert len(partial) == 1 and "sanad-streaming" in partial[0]["content"]
    assert any(AR_PASSAGE in p[0]["content"] for p in outputs[1:-1])
    final = outputs[-1]
    assert [m["role"] for m in final] == ["assistant", "assistant"]
    answer_html, sources_html = final[0]["content"], final[1]["content"]
    assert 'class="sanad-cite"' in answer_html and 'dir="auto"' in answer_html
    href = answer_html.split('href="#', 1)[1].split('"', 1)[0]
    assert f'id="{href}"' in sources_html
    assert render.is_sources_html(sources_html) and AR_PASSAGE in sources_html


def test_history_is_cleaned_of_sources_before_prompting(
    handler: ChatHandler, ar_outputs: list[list[dict[str, Any]]]
) -> None:
    first = ar_outputs[-1]
    shown = [
        {"role": "user", "content": AR_QUESTION},
        *first,
        {"role": "assistant", "content": "Sources: [1] …", "metadata": {"title": "Sources (1)"}},
    ]
    outputs = list(handler.respond(EN_FOLLOW_UP, browser_shape(shown)))
    chain = handler.chain
    assert isinstance(chain, RecordingChain)
    question, turns, k, filters = chain.calls[-1]
    assert question == EN_FOLLOW_UP and k == 5 and filters is None
    assert [t.role for t in turns] == ["user", "assistant"]
    assert turns[0].text == AR_QUESTION
    assert "[1]" in turns[1].text and AR_PASSAGE in turns[1].text
    for t in turns:
        assert "<" not in t.text and "Sources" not in t.text and "المصادر" not in t.text
    final = outputs[-1]
    assert "sanad-cite" in final[0]["content"] and 'lang="en"' in final[0]["content"]


def test_both_history_shapes_give_the_same_turns() -> None:
    answer = Answer(text="It rose [1].", language="en")
    shown = [
        {"role": "user", "content": "Did it rise?"},
        {"role": "assistant", "content": render.render_answer(answer, "a1")},
    ]
    expected = [Turn("user", "Did it rise?"), Turn("assistant", "It rose [1].")]
    assert history_to_turns(shown) == expected
    assert history_to_turns(browser_shape(shown)) == expected
    assert content_text([{"type": "text", "text": "a"}, {"type": "file", "file": {"path": "/x"}}]) == "a"


def test_errors_become_a_readable_message(tmp_path: Path) -> None:
    handler = ChatHandler(FailingChain(), FeedbackLog(tmp_path / "f.jsonl"))
    final = list(handler.respond("Anything?", []))[-1]
    assert len(final) == 1
    html = final[0]["content"]
    assert "Sorry, something went wrong" in html and "refused the connection" in html
    assert "Partial" in html and "Traceback" not in html
    # an error message is not fed back as an answer
    assert history_to_turns([{"role": "user", "content": "Anything?"}, *final]) == []


def test_invalid_filter_is_reported_not_raised(handler: ChatHandler) -> None:
    final = list(handler.respond(AR_QUESTION, [], 5, [], [], "18/06/2024", ""))[-1]
    assert "not a date; use YYYY-MM-DD" in final[0]["content"]
    assert build_filters(["Reuters"], [], "2024-06-01", None) == Filters(
        sources=("Reuters",), published_from="2024-06-01"
    )
    assert build_filters([], [], "", "") is None


def test_thumbs_are_appended_to_feedback_jsonl(
    handler: ChatHandler, ar_outputs: list[list[dict[str, Any]]]
) -> None:
    final = ar_outputs[-1]
    history = browser_shape([{"role": "user", "content": AR_QUESTION}, *final])
    assert handler.rate(history, 1, True) == "Thanks for the feedback."
    assert handler.rate(history, 2, False) == "Thanks for the feedback."  # on the Sources message
    assert handler.rate(history, 0, True) == "Only answers can be rated."
    rows = [json.loads(line) for line in handler.feedback.path.read_text(encoding="utf-8").splitlines()]
    assert [r["rating"] for r in rows] == ["up", "down"]
    row = rows[0]
    assert row["question"] == AR_QUESTION and "[1]" in row["answer"] and row["timestamp"]
    assert row["citations"][0]["number"] == 1 and AR_PASSAGE in row["citations"][0]["quote"]
    assert rows[1]["answer"] == row["answer"]


def test_upload_ingests_into_the_data_dir(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path / "data")
    sanad = Sanad(settings)
    upload = tmp_path / "gradio-tmp" / "bees.md"
    upload.parent.mkdir()
    upload.write_text(
        "# Honey bees\n\nHoney bees dance to show other bees where flowers are.\n", encoding="utf-8"
    )
    bad = tmp_path / "gradio-tmp" / "scan.pdf"
    bad.write_bytes(b"%PDF-1.4")
    seen: list[int] = []
    md = ingest_uploads(
        lambda: sanad.pipeline, [str(upload), str(bad)], settings.data_dir / "uploads", seen.append
    )
    assert "1 added" in md and "0 failed" in md and "scan.pdf: unsupported file type" in md
    assert (settings.data_dir / "uploads" / "bees.md").exists() and seen
    assert sanad.catalog.stats()["articles"] == 1
    assert "1 unchanged" in ingest_uploads(
        lambda: sanad.pipeline, [str(upload)], settings.data_dir / "uploads"
    )


def test_a_different_file_under_a_used_name_becomes_a_new_article(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path / "data")
    sanad = Sanad(settings)
    uploads = settings.data_dir / "uploads"
    first, second = tmp_path / "editor-a" / "story.md", tmp_path / "editor-b" / "story.md"
    for path, text in (
        (first, "Karak castle restoration cost 2 million dinars."),
        (second, "Madaba mosaics reopen."),
    ):
        path.parent.mkdir()
        path.write_text(text + "\n", encoding="utf-8")

    assert "1 added" in ingest_uploads(lambda: sanad.pipeline, [str(first)], uploads)
    md = ingest_uploads(lambda: sanad.pipeline, [str(second)], uploads)  # nc8 D2: was "1 updated"
    assert "1 added" in md and "0 updated" in md
    assert r"story.md: stored as story\-2.md: a different file named story.md was uploaded before" in md
    assert sanad.catalog.stats()["articles"] == 2
    again = ingest_uploads(lambda: sanad.pipeline, [str(second), str(first)], uploads)
    assert "2 unchanged" in again and r"stored as story\-2.md" in again
    assert sorted(p.name for p in uploads.iterdir()) == ["story-2.md", "story.md"]


def test_busy_store_is_reported(tmp_path: Path) -> None:
    class Busy:
        def ingest_paths(self, inputs: Sequence[str], *, progress: Any = None) -> IngestReport:
            raise StoreLockedError("locked by pid 42")

    f = tmp_path / "a.txt"
    f.write_text("text", encoding="utf-8")
    assert "another process is writing" in ingest_uploads(lambda: Busy(), [str(f)], tmp_path / "uploads")


def test_a_question_over_the_limit_is_refused_in_its_language_without_asking(tmp_path: Path) -> None:
    chain = RecordingChain(FailingChain())
    handler = ChatHandler(chain, FeedbackLog(tmp_path / "f.jsonl"), max_question_chars=20)
    [[refusal]] = list(handler.respond("ما الذي قاله رئيس البنك المركزي الأوروبي؟", []))
    assert "السؤال طويل جدًا" in refusal["content"] and "20" in refusal["content"]
    assert "Sorry, something went wrong" not in refusal["content"] and chain.calls == []
    [[english]] = list(handler.respond("What did the central bank president say?", []))
    assert "The question is too long" in english["content"]
