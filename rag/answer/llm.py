"""Chat model construction from :class:`~rag.settings.LLMSettings`.

Any OpenAI-compatible server works through ``langchain_openai.ChatOpenAI`` (OpenAI, Ollama,
vLLM, llama.cpp). The client's own retries are off (``max_retries=0``): :mod:`rag.answer.chain` retries
with backoff itself, because it must know whether text was already streamed. Never call
``get_num_tokens*`` on the model: tiktoken would try to download its BPE files (stack.md §8).
"""

from __future__ import annotations

from typing import Any

from langchain_core.language_models import BaseChatModel
from pydantic import SecretStr

from rag.settings import LLMSettings


def build_chat_model(cfg: LLMSettings) -> BaseChatModel | None:
    """The configured chat model, or None when no LLM is configured (offline answers).

    Args:
        cfg: LLM settings; ``cfg.configured`` is True when an API key or a base URL is set.

    Returns:
        A streaming ``ChatOpenAI`` using the Chat Completions API, or None.
    """
    if not cfg.configured:
        return None
    from langchain_openai import ChatOpenAI

    limit: dict[str, Any] = {}
    if cfg.max_tokens:
        # ChatOpenAI sends max_completion_tokens, which OpenAI wants but llama.cpp's server
        # ignores: OpenAI-compatible servers get the classic max_tokens field instead.
        limit = (
            {"extra_body": {"max_tokens": cfg.max_tokens}} if cfg.base_url else {"max_tokens": cfg.max_tokens}
        )
    return ChatOpenAI(
        model=cfg.model,
        base_url=cfg.base_url,
        api_key=SecretStr(cfg.api_key or "not-needed"),
        temperature=cfg.temperature,
        timeout=cfg.timeout,
        max_retries=0,
        **limit,
        streaming=True,
        use_responses_api=False,  # OpenAI-compatible servers implement Chat Completions only
    )


def model_name(chat_model: BaseChatModel) -> str:
    """The model name a chat model reports (``model_name`` or ``model``), else its class name."""
    for attr in ("model_name", "model"):
        value = getattr(chat_model, attr, None)
        if isinstance(value, str) and value:
            return value
    return type(chat_model).__name__
