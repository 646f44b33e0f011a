"""The one limit on a question's length, and the message refusing a longer one in its language.

Every surface (``sanad ask``/``search``, the HTTP API's JSON, SSE and OpenAI routes, the chat UI,
Slack) checks ``settings.max_question_chars`` with :func:`question_too_long` before answering, so
a question the API refuses is refused everywhere, with the same words.
"""

from __future__ import annotations

from rag.text.language import detect_language

_TOO_LONG = {
    "en": "The question is too long: {n} characters, and the limit is {limit}. Please shorten it.",
    "ar": "السؤال طويل جدًا: {n} حرفًا، والحد الأقصى {limit} حرف. يُرجى اختصاره.",
}


def question_length(question: str) -> int:
    """Characters counted against the limit: the question without surrounding whitespace."""
    return len(question.strip())


def question_too_long(question: str, limit: int) -> str | None:
    """The message refusing ``question`` when it is over ``limit`` characters, else None.

    Args:
        question: The user's question, any language.
        limit: ``settings.max_question_chars``.

    Returns:
        One sentence in the question's language (Arabic or English; English for others) naming
        its length and the limit, or None when the question fits.
    """
    n = question_length(question)
    if n <= limit:
        return None
    language = detect_language(question).split("-")[0]
    return _TOO_LONG.get(language, _TOO_LONG["en"]).format(n=n, limit=limit)
