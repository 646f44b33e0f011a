"""Relaying a blocking event stream to an HTTP client, and closing it when the client leaves.

Starlette iterates a sync generator in the threadpool, and when the client disconnects it only
cancels the task awaiting the next item: nobody closes the generator, so the answer stream,
and the LLM request inside it, ran to its end (44 upstream chunks, 11 s after the client left,
issue #15). :func:`relay` watches for the disconnect itself and closes the generator at once, or,
when a ``next()`` is running in a worker thread (a generator cannot be closed while it runs),
right after that item arrives: at most one more upstream chunk is read. Closing raises
``GeneratorExit`` at the generator's ``yield``; the chain's LLM loop closes its HTTP response
as it unwinds, and nothing is logged as an error (``GeneratorExit`` is no ``Exception``).

Answers that reach their client another way (the Slack bot posts them) are stopped through
:data:`answer_stop` and :func:`drain` instead: the bot sets an event when the question's message
is deleted.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Generator, Iterator, MutableMapping
from contextvars import ContextVar
from typing import Any

from starlette.concurrency import run_in_threadpool

from rag.types import Answer, Delta

_END = object()

Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]


class _Puller:
    """Pulls items in worker threads; whoever finishes last after a cancel closes the generator."""

    def __init__(self, stream: Generator[str, None, None]) -> None:
        self.stream = stream
        self._lock = threading.Lock()
        self._busy = False
        self._cancelled = False

    def next(self) -> object:
        """The next item, or ``_END`` when the stream is finished or was cancelled."""
        with self._lock:
            if self._cancelled:
                return _END
            self._busy = True
        try:
            item = next(self.stream, _END)
        finally:
            with self._lock:
                self._busy = False
                close = self._cancelled
        if close:  # the client left while this item was being made
            self.stream.close()
            return _END
        return item

    def cancel(self) -> None:
        """Stop: close the generator now, or after the ``next()`` running in a thread returns."""
        with self._lock:
            self._cancelled = True
            close = not self._busy
        if close:
            self.stream.close()


async def _disconnected(receive: Receive) -> None:
    """Returns when the client has gone (the request body was read before the stream began)."""
    while (await receive())["type"] != "http.disconnect":
        pass


async def relay(receive: Receive, stream: Generator[str, None, None]) -> AsyncIterator[str]:
    """Items of ``stream`` (pulled in the threadpool) until it ends or the client disconnects.

    Args:
        receive: The request's ASGI ``receive`` (``request.receive``), watched for
            ``http.disconnect``.
        stream: A generator of response pieces (e.g. SSE events), closed on disconnect, on
            cancellation of the response task, and when it ends.

    Yields:
        The stream's items, in order.
    """
    puller = _Puller(stream)
    gone = asyncio.ensure_future(_disconnected(receive))
    try:
        while True:
            pull = asyncio.ensure_future(run_in_threadpool(puller.next))
            done, _ = await asyncio.wait({pull, gone}, return_when=asyncio.FIRST_COMPLETED)
            if pull not in done:
                pull.add_done_callback(_consume)
                return  # the client left; ``finally`` stops the stream
            item = pull.result()
            if item is _END:
                return
            yield str(item)
    finally:
        puller.cancel()
        gone.cancel()


def _consume(future: asyncio.Future[object]) -> None:
    """Retrieve an abandoned pull's outcome so asyncio does not log it as never retrieved."""
    if not future.cancelled():
        future.exception()


# -- answers that are not streamed to a connection (Slack) ------------------------------------

answer_stop: ContextVar[threading.Event | None] = ContextVar("answer_stop", default=None)
"""Set by a caller (the Slack bot) that may withdraw its question while the answer is made."""


class Stopped(Exception):
    """The question was withdrawn (e.g. its Slack message deleted) while it was being answered."""


def drain(events: Iterator[Delta | Answer]) -> Answer:
    """The final Answer of a chain stream, stopping early when :data:`answer_stop` is set.

    The stop event is checked after every item (a streamed LLM answer yields one per chunk), so
    at most one more upstream chunk is read; the stream is then closed, which closes the LLM
    request.

    Raises:
        Stopped: the stop event was set before the answer was complete.
    """
    stop = answer_stop.get()
    final: Answer | None = None
    try:
        for item in events:
            if stop is not None and stop.is_set():
                raise Stopped("the question was withdrawn")
            if isinstance(item, Answer):
                final = item
    finally:
        close = getattr(events, "close", None)
        if close is not None:
            close()
    if final is None:  # the chain always ends with an Answer
        raise RuntimeError("the answer stream ended without an Answer")
    return final
