"""Thumbs up/down on answers, appended to ``<data_dir>/feedback.jsonl`` for evaluation scripts.

One JSON object per line (UTF-8, ``ensure_ascii=False``)::

    {"timestamp": "2026-11-29T10:00:00+00:00", "rating": "up", "liked": true,
     "question": "...", "answer": "... [1]", "model": "extractive", "language": "ar",
     "citations": [{"number": 1, "article_id": "...", "chunk_id": "...", "title": "...",
                    "source": "...", "url": null, "published_at": null, "quote": "..."}]}
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rag.answer.citations import citation_to_dict
from rag.types import Answer

FEEDBACK_FILE = "feedback.jsonl"


@dataclass(frozen=True)
class AnsweredTurn:
    """What feedback needs to know about one answer.

    Attributes:
        question: The user's question as typed.
        answer: The answer text with ``[n]`` markers.
        citations: One dict per citation (see the module docstring).
        model: Model name or "extractive".
        language: BCP 47 code of the answer.
    """

    question: str
    answer: str
    citations: tuple[dict[str, Any], ...] = ()
    model: str = ""
    language: str = "und"
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_answer(cls, question: str, answer: Answer) -> AnsweredTurn:
        """Build from the chain's :class:`~rag.types.Answer`."""
        cites = tuple(citation_to_dict(c) for c in answer.citations)
        return cls(
            question=question,
            answer=answer.text,
            citations=cites,
            model=answer.model,
            language=answer.language,
            extra={"abstained": answer.abstained},
        )


class FeedbackLog:
    """Appends ratings to a JSONL file (thread-safe within the process; one ``write`` per line).

    Args:
        path: The JSONL file; its directory is created on the first write.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def record(self, turn: AnsweredTurn, liked: bool | str, *, now: datetime | None = None) -> dict[str, Any]:
        """Append one rating.

        Args:
            turn: The rated answer and its question.
            liked: True (thumbs up), False (thumbs down) or a free-form feedback option string.
            now: Timestamp override (tests); default is the current UTC time.

        Returns:
            The object written.

        Raises:
            OSError: when the file cannot be written.
        """
        rating = "up" if liked is True else "down" if liked is False else str(liked)
        row: dict[str, Any] = {
            "timestamp": (now or datetime.now(UTC)).isoformat(timespec="seconds"),
            "rating": rating,
            "liked": liked if isinstance(liked, bool) else None,
            "question": turn.question,
            "answer": turn.answer,
            "model": turn.model,
            "language": turn.language,
            "citations": list(turn.citations),
            **turn.extra,
        }
        line = json.dumps(row, ensure_ascii=False) + "\n"
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as fh:
                fh.write(line)
        return row

    def read(self) -> list[dict[str, Any]]:
        """Every recorded rating, oldest first (empty when the file does not exist)."""
        if not self.path.exists():
            return []
        with self.path.open(encoding="utf-8") as fh:
            return [json.loads(line) for line in fh if line.strip()]
