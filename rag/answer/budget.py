"""Fitting the answer prompt into the model's context window (``SANAD_LLM__CONTEXT_TOKENS``).

Small local models have small windows (SmolLM2 served by llama.cpp with ``--n_ctx 2048``), and a
prompt over the window is an HTTP 400 at best. Before calling the model the chain estimates the
prompt's tokens and drops passages, lowest-ranked first, until the prompt plus the answer's
reserve fits; when not even one passage fits (a huge question), it answers extractively with a
notice instead of calling the model.

No tokenizer of the served model is at hand (and tiktoken would download its files, stack.md
P5), so tokens are estimated from characters, on the safe side: 1 per 3 ASCII characters and 1.2
per other character. Measured with SmolLM2's tokenizer through llama.cpp: 0.24 tokens per
character of English news, 1.05 per character of Arabic news.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")

MESSAGE_OVERHEAD = 8
"""Tokens a chat template adds around each message (role markers, separators)."""


def estimate_tokens(text: str) -> int:
    """A generous estimate of the tokens ``text`` costs a byte-level BPE model."""
    ascii_chars = sum(1 for ch in text if ord(ch) < 128)
    return math.ceil(ascii_chars / 3 + 1.2 * (len(text) - ascii_chars))


def fit_passages(passages: Sequence[T], prompt_tokens: Callable[[Sequence[T]], int], budget: int) -> list[T]:
    """The best-ranked prefix of ``passages`` whose prompt fits ``budget`` tokens.

    Args:
        passages: Ranked best first.
        prompt_tokens: Estimated tokens of the whole prompt built from a list of passages.
        budget: Tokens the prompt may use (the context minus the answer's reserve).

    Returns:
        The longest prefix that fits; empty when not even one passage does.
    """
    kept = list(passages)
    while kept and prompt_tokens(kept) > budget:
        kept.pop()  # the lowest-ranked passage goes first
    return kept
