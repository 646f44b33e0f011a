"""The chat's event handlers, free of gradio imports so they are tested without a browser.

- :class:`ChatHandler` is the ``gr.ChatInterface`` function: it turns gradio's history (either
  shape) into :class:`~rag.types.Turn` objects without the display-only Sources messages, streams
  the chain's answer, then yields the final answer message and its Sources message.
- :meth:`ChatHandler.rate` records a thumbs up/down.
- :func:`ingest_uploads` copies uploaded files under the data dir and ingests them.

Messages are plain dicts ``{"role": "assistant", "content": html}``, which gradio accepts.
"""

from __future__ import annotations

import filecmp
import logging
import re
import shutil
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from rag.errors import InputError, SanadError, StoreLockedError
from rag.settings import Settings
from rag.text.language import detect_language
from rag.text.question_limit import question_too_long
from rag.types import Answer, Delta, Filters, IngestReport, Turn
from ui import render
from ui.feedback import AnsweredTurn, FeedbackLog

log = logging.getLogger(__name__)

Message = dict[str, Any]
"""A chat message as gradio takes it: ``{"role": ..., "content": ...}``."""

UPLOAD_TYPES = (".txt", ".md", ".html", ".htm", ".json", ".jsonl")
"""File types the upload box accepts (the readers in ``ingest.readers`` handle them)."""


class ChainLike(Protocol):
    """What the chat needs from :class:`rag.answer.chain.SanadChain`."""

    @property
    def model_label(self) -> str: ...

    def stream(
        self,
        question: str,
        history: Sequence[Turn] = (),
        *,
        k: int | None = None,
        filters: Filters | None = None,
    ) -> Iterator[Delta | Answer]: ...


class PipelineLike(Protocol):
    """What the upload needs from :class:`ingest.pipeline.IngestPipeline`."""

    def ingest_paths(
        self, inputs: Sequence[str], *, progress: Callable[[int], None] | None = None
    ) -> IngestReport: ...


# -- history ---------------------------------------------------------------------------------


def _field(message: Any, name: str) -> Any:
    if isinstance(message, dict):
        return message.get(name)
    return getattr(message, name, None)


def content_text(content: Any) -> str:
    """The text of a message's content in any shape gradio uses.

    Args:
        content: A string (gradio_client), a list of blocks ``[{"type": "text", "text": ...}]``
            (the browser), a single block dict, or a file/component value (no text).

    Returns:
        The text parts joined by newlines ("" when there is none).
    """
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        if content.get("type", "text") == "text" and isinstance(content.get("text"), str):
            return str(content["text"])
        return ""
    if isinstance(content, (list, tuple)):
        return "\n".join(t for t in (content_text(c) for c in content) if t)
    text = getattr(content, "text", None)
    return text if isinstance(text, str) else ""


def is_display_only(message: Any) -> bool:
    """True for messages never fed back to the model: Sources blocks (by ``metadata.title`` or
    our marker) and error messages."""
    metadata = _field(message, "metadata")
    if isinstance(metadata, dict) and metadata.get("title"):
        return True
    if metadata is not None and not isinstance(metadata, dict) and getattr(metadata, "title", None):
        return True
    text = content_text(_field(message, "content"))
    return render.is_sources_html(text) or render.is_error_html(text)


def history_to_turns(history: Sequence[Any] | None) -> list[Turn]:
    """Conversation turns for the chain from gradio's chat history.

    Sources and error messages are dropped (an error takes its unanswered question with it);
    assistant HTML becomes plain text with its ``[n]`` markers; consecutive messages of one role
    are merged; empty messages are skipped.

    Args:
        history: Messages as dicts or ``ChatMessage``-like objects with ``role``, ``content``
            (string or list of blocks) and optional ``metadata``.

    Returns:
        ``[Turn(role="user"|"assistant", text=...)]`` in order.
    """
    turns: list[Turn] = []
    for message in history or ():
        role = str(_field(message, "role") or "")
        if role not in ("user", "assistant"):
            continue
        if is_display_only(message):
            if (
                render.is_error_html(content_text(_field(message, "content")))
                and turns
                and turns[-1].role == "user"
            ):
                turns.pop()  # a question that got an error instead of an answer is not context
            continue
        raw = content_text(_field(message, "content"))
        text = render.plain_text(raw) if role == "assistant" else raw.strip()
        if not text:
            continue
        if turns and turns[-1].role == role:
            turns[-1] = Turn(role=role, text=f"{turns[-1].text}\n\n{text}")
        else:
            turns.append(Turn(role=role, text=text))
    return turns


# -- filters ---------------------------------------------------------------------------------


def _iso_date(value: str | None, name: str) -> str | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise InputError(f"'{value}' is not a date; use YYYY-MM-DD", where=name) from None


def build_filters(
    sources: Sequence[str] | None,
    languages: Sequence[str] | None,
    date_from: str | None,
    date_to: str | None,
) -> Filters | None:
    """Retrieval filters from the side panel, or None when none is set.

    Raises:
        InputError: a date is not ``YYYY-MM-DD`` or ``from`` is after ``to``.
    """
    start, end = _iso_date(date_from, "from date"), _iso_date(date_to, "to date")
    if start and end and start > end:
        raise InputError(f"the 'from' date {start} is after the 'to' date {end}")
    filters = Filters(
        sources=tuple(s for s in sources or () if s),
        languages=tuple(s for s in languages or () if s),
        published_from=start,
        published_to=end,
    )
    return None if filters.is_empty() else filters


# -- chat ------------------------------------------------------------------------------------


def _assistant(content: str) -> Message:
    return {"role": "assistant", "content": content}


def readable_error(exc: BaseException) -> str:
    """A one-line message for the user (the traceback goes to the log only)."""
    if isinstance(exc, SanadError):
        return str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


class ChatHandler:
    """The chat generator and the feedback hook, around one chain.

    Args:
        chain: The answering chain.
        feedback: Where ratings go.
        default_k: Passages per answer when the panel gives none.
        remember: How many recent answers are kept for feedback lookups.
        max_question_chars: Longest question answered (``settings.max_question_chars``).
    """

    def __init__(
        self,
        chain: ChainLike,
        feedback: FeedbackLog,
        *,
        default_k: int = 5,
        remember: int = 1000,
        max_question_chars: int = Settings.model_fields["max_question_chars"].default,
    ) -> None:
        self.chain = chain
        self.feedback = feedback
        self.default_k = default_k
        self.max_question_chars = max_question_chars
        self._remember = remember
        self._answers: OrderedDict[str, AnsweredTurn] = OrderedDict()
        self._lock = threading.Lock()

    def respond(
        self,
        message: Any,
        history: Sequence[Any] | None,
        k: float | None = None,
        sources: Sequence[str] | None = None,
        languages: Sequence[str] | None = None,
        date_from: str | None = None,
        date_to: str | None = None,
    ) -> Iterator[list[Message]]:
        """Answer ``message`` given the chat ``history`` (the ``gr.ChatInterface`` function).

        Yields:
            Lists of assistant messages replacing the response so far: first the streamed
            text (escaped, growing), then the final answer with linked citations followed by
            its Sources message (omitted on abstention). Any error ends the stream with one
            readable error message, never a traceback.
        """
        question = content_text(message).strip()
        if not question:
            yield [_assistant(render.render_error("please type a question."))]
            return
        too_long = question_too_long(question, self.max_question_chars)
        if too_long is not None:  # the API's limit and words, in the question's language
            yield [_assistant(render.render_error(too_long, lead=""))]
            return
        streamed = ""
        try:
            turns = history_to_turns(history)
            filters = build_filters(sources, languages, date_from, date_to)
            kk = int(k) if k else self.default_k
            language = detect_language(question)
            yield [_assistant(render.render_streaming("", language))]
            final: Answer | None = None
            # Gradio closes this generator on the stop button or a closed tab; closing the chain's
            # stream with it ends the LLM request at once (issue #15).
            events = self.chain.stream(question, turns, k=kk, filters=filters)
            try:
                for item in events:
                    if isinstance(item, Delta):
                        if item.text:
                            streamed += item.text
                            yield [_assistant(render.render_streaming(streamed, language))]
                    elif isinstance(item, Answer):
                        final = item
            finally:
                getattr(events, "close", lambda: None)()
            if final is None:
                raise SanadError("the answerer finished without an answer")
        except Exception as exc:  # the edge: everything becomes a readable message
            log.exception("chat failed for question %r", question)
            yield [_assistant(render.render_error(readable_error(exc), streamed))]
            return
        answer_id = uuid.uuid4().hex[:12]
        self._keep(answer_id, AnsweredTurn.from_answer(question, final))
        messages = [_assistant(render.render_answer(final, answer_id))]
        sources_html = render.render_sources(final, answer_id)
        if sources_html:
            messages.append(_assistant(sources_html))
        yield messages

    def _keep(self, answer_id: str, turn: AnsweredTurn) -> None:
        with self._lock:
            self._answers[answer_id] = turn
            while len(self._answers) > self._remember:
                self._answers.popitem(last=False)

    def answered(self, answer_id: str) -> AnsweredTurn | None:
        """The remembered answer with this id (None once forgotten or unknown)."""
        with self._lock:
            return self._answers.get(answer_id)

    def rate(self, history: Sequence[Any] | None, index: Any, liked: bool | str) -> str:
        """Record a thumbs up/down on the message at ``index`` of ``history``.

        Args:
            history: The chatbot's messages.
            index: Position of the rated message (an int; a ``[row, col]`` pair uses its first item).
            liked: gradio's ``LikeData.liked``.

        Returns:
            A short status line for the UI.
        """
        messages = list(history or ())
        i = index[0] if isinstance(index, (list, tuple)) else index
        if not isinstance(i, int) or not 0 <= i < len(messages):
            return "Nothing to rate."
        target = messages[i]
        if _field(target, "role") != "assistant":
            return "Only answers can be rated."
        content = content_text(_field(target, "content"))
        answer_id = render.answer_id_of(content)
        turn = self.answered(answer_id) if answer_id else None
        if turn is None:
            # Unknown id (e.g. after a restart): rebuild from the visible conversation.
            if render.is_sources_html(content):
                for j in range(i - 1, -1, -1):
                    if _field(messages[j], "role") == "assistant":
                        content = content_text(_field(messages[j], "content"))
                        break
            question = ""
            for j in range(i - 1, -1, -1):
                if _field(messages[j], "role") == "user":
                    question = content_text(_field(messages[j], "content")).strip()
                    break
            turn = AnsweredTurn(question=question, answer=render.plain_text(content))
        try:
            self.feedback.record(turn, liked)
        except OSError as exc:
            log.exception("feedback not written")
            return f"Feedback could not be saved: {exc}"
        return "Thanks for the feedback."


# -- upload ----------------------------------------------------------------------------------

_UNSAFE_NAME = re.compile(r"[^\w.\- ]+", re.UNICODE)


def _upload_name(path: Path) -> str:
    return _UNSAFE_NAME.sub("_", path.name).strip(" .") or "upload"


_SAME_NAME_LIMIT = 1000
"""Most different files kept under one upload name (``name``, ``name-2`` … ``name-1000``)."""


def _stage_one(src: Path, uploads_dir: Path) -> tuple[Path, str | None]:
    """Copy ``src`` under its name, or under ``<stem>-N<suffix>`` when other text holds the name.

    The stored path is the article id, so a different story uploaded under a name already used
    becomes a new article instead of replacing the earlier one (nc8 report, D2); a file whose
    bytes equal a stored one maps to it (re-uploading stays idempotent). Each name is claimed
    with an exclusive create, so two uploads at once never share one.

    Returns:
        ``(stored path, note)``: the note says which name a renamed file got, else None.

    Raises:
        OSError: the file cannot be read or written, or the name is used too many times.
    """
    name = _upload_name(src)
    stem, suffix = Path(name).stem, Path(name).suffix
    for n in range(1, _SAME_NAME_LIMIT + 1):
        dest = uploads_dir / (name if n == 1 else f"{stem}-{n}{suffix}")
        note = None if n == 1 else f"stored as {dest.name}: a different file named {name} was uploaded before"
        try:
            out = dest.open("xb")
        except FileExistsError:
            if filecmp.cmp(src, dest, shallow=False):
                return dest, note
            continue
        try:
            with out, src.open("rb") as inp:
                shutil.copyfileobj(inp, out)
        except OSError:
            dest.unlink(missing_ok=True)  # a partial copy would pass for another version
            raise
        return dest, note
    raise OSError(f"{_SAME_NAME_LIMIT} different files named {name} were uploaded already")


def stage_uploads(
    files: Sequence[Any] | None, uploads_dir: Path
) -> tuple[list[Path], list[tuple[str, str]], list[tuple[str, str]]]:
    """Copy uploaded files into ``uploads_dir``, each under its own name when that is free.

    The stored path is the article id: re-uploading the same file leaves its article unchanged,
    and a different file under a name already taken is kept as ``<stem>-2<suffix>`` (then -3 …),
    a new article (:func:`_stage_one`).

    Args:
        files: gradio ``File`` values: paths (str/Path) or objects with a ``name``/``path``.
        uploads_dir: Destination directory (created when missing).

    Returns:
        ``(staged paths, refused [(file name, reason)], notes [(file name, note)])``.
    """
    staged: list[Path] = []
    refused: list[tuple[str, str]] = []
    notes: list[tuple[str, str]] = []
    for f in files or ():
        raw = f if isinstance(f, (str, Path)) else (_field(f, "path") or _field(f, "name"))
        if not raw:
            continue
        src = Path(str(raw))
        if src.suffix.lower() not in UPLOAD_TYPES:
            refused.append((src.name, f"unsupported file type; use {', '.join(UPLOAD_TYPES)}"))
            continue
        uploads_dir.mkdir(parents=True, exist_ok=True)
        try:
            dest, note = _stage_one(src, uploads_dir)
        except OSError as exc:
            refused.append((src.name, f"could not be copied: {exc.strerror or exc}"))
            continue
        staged.append(dest)
        if note:
            notes.append((src.name, note))
    return staged, refused, notes


def ingest_uploads(
    pipeline: Callable[[], PipelineLike],
    files: Sequence[Any] | None,
    uploads_dir: Path,
    progress: Callable[[int], None] | None = None,
) -> str:
    """Ingest uploaded files and describe the outcome.

    Args:
        pipeline: Returns the ingest pipeline (called only when there is something to ingest).
        files: The upload box's value.
        uploads_dir: Where uploads are kept (under the data dir).
        progress: Called with the number of chunks embedded so far.

    Returns:
        Markdown: the ingest report, or a readable error (store busy, bad input, ...).
    """
    staged, refused, notes = stage_uploads(files, uploads_dir)
    if not staged:
        if refused:
            return render.render_report(None, refused)
        return "Drop .txt, .md, .html, .json or .jsonl files here to add them."
    try:
        report = pipeline().ingest_paths([str(p) for p in staged], progress=progress)
    except StoreLockedError:
        return (
            "**Busy:** another process is writing to the collection (e.g. `sanad ingest`);"
            " try again when it finishes."
        )
    except Exception as exc:  # the edge
        log.exception("upload ingest failed")
        return "**Ingest failed:** " + render.md_escape(readable_error(exc))
    return render.render_report(report, refused, notes)
