"""The answering chain: condense → retrieve → abstain or answer → citations.

``SanadChain.stream`` is the one implementation (DESIGN.md rule 8): it yields ``Delta`` pieces
and then exactly one ``Answer``; ``answer`` drains it.

- **Condense.** With history, the LLM rewrites a follow-up as a standalone question
  (``prompts/condense.txt``); offline (or if that call fails) a rule prepends the previous user
  question's content words when the follow-up is short or uses a pronoun-like word
  (:func:`condense_offline`).
- **Retrieve** ``k`` passages (``settings.retrieval.k``) through any :class:`RetrieverProtocol`.
  A yes/no or comparison question naming several articles ("Does the TechCrunch article … and
  The Verge's …?") gets a passage of each among them (:mod:`rag.retrieval.facets`) when the
  retriever knows the collection's outlets.
- **Abstain** by policy (:func:`rag.answer.grounding.should_abstain`): the abstention sentence in the
  question's language, no citations, and no LLM call.
- **Answer.** LLM path: ``ChatPromptTemplate | chat_model`` streaming, with numbered passages
  inside ``<passage id="n">`` data blocks; text goes through :class:`~rag.answer.citations.MarkerBuffer`
  so no delta ends in half a marker; at the end markers are resolved (dangling ones dropped,
  renumbered by first use) and quotes chosen. A refusal without valid citations becomes an
  abstention. An answer without any valid citation that is not a refusal is returned with a
  "not verified" notice (kept rather than hidden: the user sees it is unsupported).
  Offline path: :func:`rag.answer.extractive.extractive_answer`.
- **Failures** of the LLM (timeout, 5xx, 429, connection refused, malformed or cut stream,
  empty answer) are retried up to ``settings.llm.max_retries`` times with exponential backoff
  (honouring ``Retry-After``, capped) while nothing has been streamed; then the extractive
  answer is returned with ``fallback=True`` and a notice. Nothing is raised to the caller for
  LLM failures; retriever errors (``SanadError``) propagate to the edges.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import time
from collections.abc import Iterator, Sequence
from datetime import date
from functools import cache
from importlib import resources
from typing import Any, Protocol

from langchain_core.embeddings import Embeddings
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate, MessagesPlaceholder

from rag.answer.answer_types import question_type
from rag.answer.answerability import term_stats
from rag.answer.budget import MESSAGE_OVERHEAD, estimate_tokens, fit_passages
from rag.answer.citations import (
    MarkerBuffer,
    defuse_markers,
    embedding_similarity,
    resolve_citations,
    strip_markers,
)
from rag.answer.crosslingual import with_cross_language_notes
from rag.answer.extractive import extractive_answer
from rag.answer.grounding import (
    GroundingPolicy,
    abstention_text,
    join_notices,
    model_says_unknown,
    should_abstain,
)
from rag.answer.llm import model_name
from rag.answer.quotes import compared_facets
from rag.answer.relevance import has_words
from rag.answer.sources import merge_sources, passage_groups
from rag.embedding.cache import EmbeddingCache
from rag.embedding.cached import CachedEmbeddings
from rag.embedding.embedders import IdentifiedEmbeddings
from rag.errors import describe_error
from rag.retrieval.facets import SourceAware, retrieve_facets
from rag.retrieval.latent_terms import LatentTermsSource
from rag.retrieval.relative_time import read_when, retrieve_when, when_notice
from rag.settings import Settings
from rag.text.language import detect_language, language_name
from rag.text.markup import StreamStripper, strip_markup
from rag.text.sentences import content_keys
from rag.types import Answer, Delta, Filters, Retrieved, Turn

log = logging.getLogger(__name__)

EXTRACTIVE_LABEL = "extractive (no LLM configured)"
HISTORY_TURNS = 8

ANSWER_RESERVE = 512
"""Tokens kept free for the answer when ``llm.max_tokens`` is unset (a few cited sentences)."""

_FALLBACK_NOTICE = {
    "en": "The language model is unavailable ({reason}); showing passages from the articles instead.",
    "ar": "النموذج اللغوي غير متاح ({reason})؛ هذه مقاطع من المقالات بدلاً من ذلك.",
}
_UNVERIFIED_NOTICE = {
    "en": "This answer cites no passage from the articles; treat it as unverified.",
    "ar": "هذه الإجابة لا تستشهد بأي مقطع من المقالات؛ تعامل معها على أنها غير مُتحقَّق منها.",
}

_FOLLOW_UP_TEXT = """and also he she it they them him her his hers its their theirs there that this
    those these و هو هي هم هما هن هناك ذلك تلك هذا هذه له لها لهم ومن وماذا واين وأين وهل ومتى وكيف
    ولماذا وكم"""
_FOLLOW_UP_WORDS = frozenset(_FOLLOW_UP_TEXT.split())
"""Words that lean on the conversation. "what about" is checked as a pair (:func:`is_follow_up`):
"what" alone made every what-question a follow-up, so the README's "What did Putin thank North
Korea for?" asked after its Arabic twin was read with the Arabic words prepended (newcomer,
session 7)."""
_WORD = re.compile(r"\w+")


class RetrieverProtocol(Protocol):
    """What the chain needs from a retriever (``rag.retrieval.retriever.HybridRetriever`` fits)."""

    def retrieve(self, query: str, k: int = 5, filters: Filters | None = None) -> list[Retrieved]:
        """Return up to ``k`` passages for ``query``, best first."""
        ...


class _EmptyAnswer(Exception):
    """The model streamed nothing."""


@cache
def _template(name: str) -> str:
    return resources.files("rag.answer.prompts").joinpath(name).read_text(encoding="utf-8")


def answer_prompt() -> ChatPromptTemplate:
    """System rules, the history as messages, then the numbered passages and the question.

    Variables: ``language_name``, ``abstention``, ``history`` (messages), ``passages``,
    ``question``.
    """
    return ChatPromptTemplate.from_messages(
        [
            ("system", _template("answer_system.txt")),
            MessagesPlaceholder("history"),
            ("human", _template("answer_user.txt")),
        ]
    )


def condense_prompt() -> ChatPromptTemplate:
    """The follow-up rewriting prompt; variables ``history`` (text) and ``question``."""
    return ChatPromptTemplate.from_messages([("human", _template("condense.txt"))])


# "<" opening anything tag-like ("</passage>", "<system>", "<!-- ", "<|im_start|>"), also in
# full-width forms and with invisible characters or spaces before the name.
_INVISIBLE = r"[\s\u200b-\u200f\u2060\ufeff]*"
_TAG_OPEN = re.compile(rf"[<\uff1c\ufe64](?={_INVISIBLE}[/!?|]?{_INVISIBLE}[A-Za-z|!?/])")
_TOKEN_CLOSE = re.compile(r"\|[>\uff1e\ufe65]")


def fence_safe(text: str) -> str:
    """Article text made unable to leave (or fake) a ``<passage>`` data block.

    - every tag-like ``<`` (``</passage>``, ``<passage id="9">``, ``<system>``, chat-template
      tokens such as ``<|im_start|>``, their full-width forms) becomes ``‹``, and ``|>`` becomes
      ``|›``, so no closing tag, fake block or special token survives; ``x < 5`` is left alone;
    - citation-like markers (``[3]``, ``Sources: [1] …``) become ``［3］`` (see
      :func:`rag.answer.citations.defuse_markers`), so the model cannot copy an article's marker as
      a citation.
    """
    text = _TAG_OPEN.sub("\u2039", text)
    text = _TOKEN_CLOSE.sub("|\u203a", text)
    return defuse_markers(text)


def format_passages(passages: Sequence[Retrieved]) -> str:
    """Number passages for the prompt: a ``[n]`` line, then a ``<passage id="n">`` data block.

    Everything that comes from the article is inside the block: a first line ``title — source
    — date`` (whitespace collapsed, so a title cannot add lines), then the text; both pass
    through :func:`fence_safe`. Outside the blocks there is only Sanad's own numbering::

        [1]
        <passage id="1">
        ECB cuts interest rates — Example Wire — 2024-06-06
        The European Central Bank cut …
        </passage>
    """
    blocks = []
    for i, r in enumerate(passages, start=1):
        c = r.chunk
        fields = (c.title, c.source, (c.published_at or "")[:10])
        head = " — ".join(" ".join(f.split()) for f in fields if f and f.strip())
        body = fence_safe(f"{head}\n{c.text}" if head else c.text)
        blocks.append(f'[{i}]\n<passage id="{i}">\n{body}\n</passage>')
    return "\n\n".join(blocks)


def history_messages(history: Sequence[Turn], max_turns: int = HISTORY_TURNS) -> list[BaseMessage]:
    """The last ``max_turns`` turns as chat messages (old ``[n]`` markers removed)."""
    out: list[BaseMessage] = []
    for turn in list(history)[-max_turns:]:
        if turn.role == "user":
            out.append(HumanMessage(turn.text))
        else:
            out.append(AIMessage(strip_markers(turn.text)))
    return out


def is_follow_up(question: str) -> bool:
    """True when ``question`` likely leans on the conversation (short or pronoun-like words)."""
    words = [w.lower() for w in _WORD.findall(question)]
    if len(words) <= 3:
        return True
    return any(w in _FOLLOW_UP_WORDS for w in words) or " ".join(words[:2]) == "what about"


def condense_offline(question: str, history: Sequence[Turn]) -> str:
    """Prepend the previous user question's content words to a follow-up question.

    Example: history ``"What did Putin thank North Korea for?"`` and follow-up ``"and who did
    he meet there?"`` give ``"Putin thank North Korea and who did he meet there?"``. Questions
    that stand alone, or without a previous user turn, are returned unchanged.
    """
    previous = next((t.text for t in reversed(history) if t.role == "user"), None)
    if not previous or not is_follow_up(question):
        return question
    terms = [w for w in _WORD.findall(previous) if content_keys(w)]
    return f"{' '.join(terms)} {question}".strip() if terms else question


def fallback_notice(language: str, reason: str) -> str:
    """The "language model is unavailable (reason)" notice in ``language`` (English fallback)."""
    tpl = _FALLBACK_NOTICE.get(language.split("-")[0].lower(), _FALLBACK_NOTICE["en"])
    return tpl.format(reason=reason)


def unverified_notice(language: str) -> str:
    """The notice attached to an LLM answer that cites no passage."""
    return _UNVERIFIED_NOTICE.get(language.split("-")[0].lower(), _UNVERIFIED_NOTICE["en"])


def _status(exc: BaseException) -> int | None:
    status = getattr(exc, "status_code", None)
    return status if isinstance(status, int) else None


def _retryable(exc: BaseException) -> bool:
    status = _status(exc)
    if status is None:
        return True  # timeouts, refused connections, cut or malformed streams
    return status in (408, 409, 429) or status >= 500


def _reason(exc: BaseException, streamed: bool) -> str:
    status = _status(exc)
    if status == 429:
        return "rate limited, HTTP 429"
    if status is not None:
        return f"HTTP {status}"
    name = type(exc).__name__
    if isinstance(exc, _EmptyAnswer):
        return "empty answer"
    if "Timeout" in name:
        return "timeout"
    if streamed:
        return "stream interrupted"
    if isinstance(exc, ValueError):
        return "malformed response"
    if "Connection" in name:
        return "connection failed"
    return name


def _retry_after(exc: BaseException) -> float | None:
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    if headers is None:
        return None
    value = headers.get("retry-after")
    try:
        return float(value) if value is not None else None
    except ValueError:  # an HTTP date: use our own backoff
        return None


def _piece_text(chunk: Any) -> str:
    if isinstance(chunk, BaseMessage):
        return str(chunk.text)
    return str(chunk)


class SanadChain:
    """Question (+ history) → streamed answer with numbered citations.

    Args:
        retriever: Any object with ``retrieve(query, k, filters) -> list[Retrieved]``.
        embeddings: The embedder (extractive sentence scores, quote matching across languages).
        settings: Sanad settings (``retrieval.k``, ``retrieval.abstain_threshold``,
            ``llm.max_retries``).
        chat_model: A LangChain chat model, or None for offline extractive answers.
        cache: The embeddings cache; the extractive answerer then reads sentence vectors from it
            (each sentence embedded once, ever) instead of embedding them on every question.
        retry_base_delay: First backoff in seconds (doubles per retry).
        retry_max_delay: Cap in seconds on one backoff, ``Retry-After`` included.
        latent_terms: Sparse "latent terms" (:class:`rag.embedding.latent.LatentTerms`): the
            extractive answerer also scores sentences in another script than the question by the
            terms they share with it (:mod:`rag.answer.latent_sentences`). None: not scored.
    """

    def __init__(
        self,
        retriever: RetrieverProtocol,
        embeddings: Embeddings,
        settings: Settings,
        chat_model: BaseChatModel | None = None,
        *,
        cache: EmbeddingCache | None = None,
        retry_base_delay: float = 0.5,
        retry_max_delay: float = 4.0,
        latent_terms: LatentTermsSource | None = None,
    ) -> None:
        self.retriever = retriever
        self.latent_terms = latent_terms
        self.embeddings = embeddings
        self.sentence_embeddings: Embeddings = (
            CachedEmbeddings(embeddings, cache)
            if cache is not None and isinstance(embeddings, IdentifiedEmbeddings)
            else embeddings
        )
        self.settings = settings
        self.chat_model = chat_model
        self.retry_base_delay = retry_base_delay
        self.retry_max_delay = retry_max_delay
        self._policy = GroundingPolicy.from_settings(settings.retrieval)

    @property
    def model_label(self) -> str:
        """The chat model's name, or "extractive (no LLM configured)"."""
        return model_name(self.chat_model) if self.chat_model is not None else EXTRACTIVE_LABEL

    def answer(
        self,
        question: str,
        history: Sequence[Turn] = (),
        *,
        k: int | None = None,
        filters: Filters | None = None,
    ) -> Answer:
        """Drain :meth:`stream` and return its final Answer."""
        final: Answer | None = None
        for event in self.stream(question, history, k=k, filters=filters):
            if isinstance(event, Answer):
                final = event
        if final is None:  # unreachable: stream always ends with an Answer
            raise RuntimeError("SanadChain.stream ended without an Answer")
        return final

    def stream(
        self,
        question: str,
        history: Sequence[Turn] = (),
        *,
        k: int | None = None,
        filters: Filters | None = None,
    ) -> Iterator[Delta | Answer]:
        """Answer ``question``, yielding text pieces as they come and then the Answer.

        Args:
            question: The user's question, any language.
            history: Earlier turns, oldest first.
            k: Passages to retrieve (default ``settings.retrieval.k``).
            filters: Retrieval filters.

        Yields:
            ``Delta`` pieces (never ending in half a ``[n`` marker), then exactly one
            ``Answer``. When the LLM fails after text was streamed, a last ``Delta`` starts with
            a blank line and the fallback text; clients should show ``Answer.text`` at the end.

        Raises:
            SanadError: only from retrieval (e.g. StoreError); LLM failures never raise.
        """
        notes: list[str] = []  # which dates a question about time used (relative_time)
        for event in self._stream(question, history, k, filters, notes):
            if isinstance(event, Answer) and notes:
                event = dataclasses.replace(event, notice=join_notices(*notes, event.notice))
            if isinstance(event, Answer):  # quotes in another language: say so (issue #14)
                event = with_cross_language_notes(event)
            yield event

    def _stream(
        self,
        question: str,
        history: Sequence[Turn],
        k: int | None,
        filters: Filters | None,
        notes: list[str],
    ) -> Iterator[Delta | Answer]:
        language = detect_language(question)
        label = model_name(self.chat_model) if self.chat_model is not None else "extractive"
        if not has_words(question):  # emoji, punctuation, digits, a bare URL: never retrieve on noise
            text = abstention_text(language)
            yield Delta(text)
            yield Answer(text=text, abstained=True, language=language, model=label)
            return
        query = self._condense(question, history)
        when = read_when(question, self.settings.retrieval.as_of or date.today())
        if when is None:
            passages = self._retrieve(query, k or self.settings.retrieval.k, filters)
        else:  # "yesterday", «الأسبوع الماضي», "the latest on …"
            timed = retrieve_when(self.retriever, query, k or self.settings.retrieval.k, filters, when)
            passages = timed.passages
            notes.append(when_notice(timed, language))
        stats = term_stats(self.retriever)  # the answerability verdict weighs words by idf
        if should_abstain(passages, self._policy, query=query, language=language, stats=stats):
            text = abstention_text(language)
            yield Delta(text)
            yield Answer(text=text, abstained=True, language=language, model=label, retrieved=tuple(passages))
            return
        if self.chat_model is None:
            ans = extractive_answer(
                query, passages, self.sentence_embeddings, language, latent=self.latent_terms
            )
            yield Delta(ans.text)
            yield ans
            return
        yield from self._llm_answer(self.chat_model, question, query, history, passages, language)

    def _retrieve(self, query: str, k: int, filters: Filters | None) -> list[Retrieved]:
        """``k`` passages for ``query``; a yes/no or comparison question naming several articles
        ("Does the TechCrunch article … and The Verge's …?") gets a passage of each among them
        (rag.retrieval.facets) when the retriever knows the collection's outlets."""
        if isinstance(self.retriever, SourceAware):
            facets = compared_facets(query, question_type(query), self.retriever.source_matcher())
            if facets:
                return retrieve_facets(self.retriever, query, k, filters, facets)
        return self.retriever.retrieve(query, k=k, filters=filters)

    def _condense(self, question: str, history: Sequence[Turn]) -> str:
        if not history:
            return question
        if self.chat_model is not None:
            convo = "\n".join(
                f"{'User' if t.role == 'user' else 'Assistant'}: {strip_markers(t.text)}"
                for t in list(history)[-HISTORY_TURNS:]
            )
            try:
                out = (condense_prompt() | self.chat_model | StrOutputParser()).invoke(
                    {"history": convo, "question": question}
                )
                line = next((ln.strip() for ln in out.splitlines() if ln.strip()), "")
                if 0 < len(line) <= 500:
                    return line
            except Exception as exc:
                log.warning(
                    "condensing the follow-up with the LLM failed (%s); using the rule",
                    describe_error(exc, (self.settings.llm.api_key,)),
                )
        return condense_offline(question, history)

    def _fallback(self, query: str, passages: Sequence[Retrieved], language: str, reason: str) -> Answer:
        """The extractive answer given instead of the LLM's, with the notice saying why."""
        return extractive_answer(
            query,
            passages,
            self.sentence_embeddings,
            language,
            notice=fallback_notice(language, reason),
            fallback=True,
            latent=self.latent_terms,
        )

    @property
    def _window(self) -> int:
        return self.settings.llm.context_tokens

    def _fit_context(self, inputs: dict[str, Any], passages: Sequence[Retrieved]) -> list[Retrieved]:
        """The best-ranked passages whose prompt fits ``llm.context_tokens`` minus the answer's
        reserve (rag/answer/budget.py); all of them when no window is configured."""
        if not self._window:
            return list(passages)
        reserve = self.settings.llm.max_tokens or ANSWER_RESERVE

        def tokens(kept: Sequence[Retrieved]) -> int:
            messages = answer_prompt().format_messages(**{**inputs, "passages": format_passages(kept)})
            return sum(estimate_tokens(str(m.content)) + MESSAGE_OVERHEAD for m in messages)

        return fit_passages(passages, tokens, self._window - reserve)

    def _llm_answer(
        self,
        chat_model: BaseChatModel,
        question: str,
        query: str,
        history: Sequence[Turn],
        passages: Sequence[Retrieved],
        language: str,
    ) -> Iterator[Delta | Answer]:
        inputs = {
            "language_name": language_name(language),
            "abstention": abstention_text(language),
            "history": history_messages(history),
            "passages": format_passages(passages),
            "question": question,
        }
        kept = self._fit_context(inputs, passages)
        if not kept:  # not even one passage fits the model's window (e.g. a huge question)
            log.info("the prompt is over the LLM's context (%d tokens); answering extractively", self._window)
            ans = self._fallback(query, passages, language, "the question does not fit the model's context")
            yield Delta(ans.text)
            yield ans
            return
        if len(kept) < len(passages):
            log.info("dropped %d lowest-ranked passages to fit the LLM's context", len(passages) - len(kept))
            passages = kept
            inputs["passages"] = format_passages(passages)
        runnable = answer_prompt() | chat_model
        label = model_name(chat_model)
        groups = passage_groups([p.chunk for p in passages])  # one number per article, live too
        attempt = 0
        while True:
            buffer = MarkerBuffer(len(passages), groups)
            plain = StreamStripper()  # answer text is plain text: no live HTML/Markdown images
            raw: list[str] = []
            streamed = False
            upstream = runnable.stream(inputs)
            try:
                for chunk in upstream:
                    piece = _piece_text(chunk)
                    raw.append(piece)
                    shown = plain.feed(buffer.feed(piece))
                    if shown:
                        streamed = True
                        yield Delta(shown)
                if not "".join(raw).strip():
                    raise _EmptyAnswer("the model returned no text")
                tail = plain.feed(buffer.flush()) + plain.flush()
                if tail:
                    yield Delta(tail)
                break
            except Exception as exc:
                reason = _reason(exc, streamed)
                if streamed or attempt >= self.settings.llm.max_retries or not _retryable(exc):
                    safe = describe_error(exc, (self.settings.llm.api_key,))  # no echoed key
                    log.warning("LLM failed (%s: %s); answering extractively", reason, safe)
                    ans = self._fallback(query, passages, language, reason)
                    yield Delta(("\n\n" if streamed else "") + ans.text)
                    yield ans
                    return
                delay = min(self.retry_base_delay * 2**attempt, self.retry_max_delay)
                after = _retry_after(exc)
                if after is not None:
                    delay = min(max(after, 0.0), self.retry_max_delay)
                attempt += 1
                log.info("LLM attempt %d failed (%s); retrying in %.1f s", attempt, reason, delay)
                time.sleep(delay)
            finally:
                # A consumer that stops early (the client left: GeneratorExit at a yield above)
                # closes the LLM's HTTP stream now, not when the garbage collector gets to it.
                getattr(upstream, "close", lambda: None)()

        full = strip_markup("".join(raw))
        text, citations = merge_sources(
            *resolve_citations(full, passages, embedding_similarity(self.embeddings))
        )
        if not citations and model_says_unknown(full):
            yield Answer(
                text=abstention_text(language),
                abstained=True,
                language=language,
                model=label,
                retrieved=tuple(passages),
            )
            return
        yield Answer(
            text=text.strip(),
            citations=citations,
            language=language,
            model=label,
            retrieved=tuple(passages),
            notice=None if citations else unverified_notice(language),
        )
