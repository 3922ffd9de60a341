"""What one request may cost: body size, text length, time.

Linking is CPU-bound and grows with the text, so an unbounded request could
hold a worker for minutes. The body limit is enforced before the body is read
(``Content-Length``) and again while it streams in (chunked uploads); the text
limit once the text is decoded; the time limit around the work itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from itertools import islice
from typing import Any, TypeVar

import anyio
import anyio.to_thread
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .problems import Problem, problem_response

__all__ = ["Limits", "Lane", "BodyLimitMiddleware", "BodyTooLarge", "check_text"]

T = TypeVar("T")


@dataclass(frozen=True)
class Limits:
    """Per-request limits and defaults; ``create_app(kb, **limits)`` takes these fields by name."""

    max_body_bytes: int = 2_000_000
    max_text_chars: int = 100_000
    timeout_s: float = 10.0
    mode: str = "wikipedia"  # mention mode of requests that name none (and of /gerbil)
    inlink_cap: int | None = None  # in-links of an entry coherence reads (None: LinkerConfig's; 0: all)

    def __post_init__(self) -> None:
        if self.max_body_bytes < 1 or self.max_text_chars < 1 or not self.timeout_s > 0:
            raise ValueError(f"limits must be positive, got {self}")
        if self.mode not in ("wikipedia", "entities"):
            raise ValueError(f"mode must be wikipedia or entities, got {self.mode!r}")
        if self.inlink_cap is not None and self.inlink_cap < 0:
            raise ValueError(f"inlink_cap must be 0 (all) or more, got {self.inlink_cap}")


class BodyTooLarge(HTTPException):
    """A body that grew past the limit while streaming in.

    An ``HTTPException`` because FastAPI turns any other error raised while it
    reads a body into a generic 400.
    """

    def __init__(self, limit: int):
        super().__init__(413, _too_large(limit))


def _too_large(limit: int) -> str:
    return (f"the request body is larger than this server accepts ({limit:,} bytes); "
            "send a shorter text or start the server with a higher limit")


class BodyLimitMiddleware:
    """Refuses bodies over ``limit`` bytes with 413, reading no more than that."""

    def __init__(self, app: ASGIApp, limit: int):
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.limit):
            status = 413 if length.isdigit() else 400
            detail = _too_large(self.limit) if status == 413 else "Content-Length is not a number"
            response = problem_response(Request(scope), status, detail, headers={"Connection": "close"})
            await response(scope, receive, send)
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise BodyTooLarge(self.limit)
            return message

        await self.app(scope, limited, send)


def check_text(text: str, limits: Limits) -> None:
    """413 when ``text`` is longer than the server links in one request."""
    if len(text) > limits.max_text_chars:
        raise Problem(
            413,
            f"the text has {len(text):,} characters; this server links at most "
            f"{limits.max_text_chars:,} per request — split the text, or start the server "
            "with a higher --max-text-chars",
            kind="linkpedia:TextTooLong",
        )


# Texts up to this long (about 5 ms of linking) are linked on the event loop itself.
INLINE_CHARS = 5_000
# Short texts waiting their turn are linked together, up to this many at once
# (kb.link_many: most of a short text's cost is fixed per call; per text, a
# batch of 4-8 news-length texts cost about half as much to score as one).
MAX_BATCH = 8


@dataclass(eq=False)
class _Job:
    """A short text waiting to be linked, and its document once linked (by its own turn or another's batch)."""

    kb: Any
    text: str
    options: tuple[str | None, float | None, str | None]  # policy, threshold, mode: a batch shares them
    title: str | None
    deadline: float
    done: bool = False
    result: Any = None
    error: BaseException | None = field(default=None, repr=False)


class Lane:
    """Runs an app's heavy calls (linking, parsing NIF) one at a time, in arrival
    order, under the time limit.

    Linking is mostly pure-Python CPU work, so under the GIL more threads would
    not link faster, only interleave (every request in flight finishing later);
    more throughput comes from more worker processes. A short text is linked on
    the event-loop thread: handing a few milliseconds of work to a thread costs
    more than it saves (the hand-over, and under load the loop waiting up to
    the interpreter's 5 ms switch interval for the GIL: together 15-30% of a
    worker's throughput, measured). A longer text goes to a thread, so the loop stays free for
    lookups and the time limit can abandon it. Turns are taken in FIFO order
    (``anyio.Lock`` is fair), and waiting for a turn counts toward
    ``limits.timeout_s``, so an overloaded worker answers 503 instead of
    queueing without end. Lookups (an entry, a title prefix) are quick SQLite
    reads and use the shared thread pool, so they never queue behind a text.
    """

    def __init__(self, limits: Limits):
        self.limits = limits
        self._turn: anyio.Lock | None = None  # made on first use, inside the event loop
        self._waiting: dict[_Job, None] = {}  # short texts not yet linked, in arrival order

    async def link(self, kb: Any, text: str, *, policy: str | None = None, threshold: float | None = None,
                   title: str | None = None, mode: str | None = None) -> Any:
        """``kb.link(text, ...)`` in its turn. A short text may be linked
        together with the short texts waiting behind it (``kb.link_many``,
        which gives each the document ``kb.link`` would); the later ones then
        find their document ready when their turn comes."""
        mode = mode or self.limits.mode
        if len(text) > INLINE_CHARS:
            return await self.run(kb.link, text, policy=policy, threshold=threshold, title=title, mode=mode,
                                  chars=len(text))
        job = _Job(kb, text, (policy, threshold, mode), title, anyio.current_time() + self.limits.timeout_s)
        self._waiting[job] = None
        try:
            with anyio.move_on_after(self.limits.timeout_s):
                async with self._lock():
                    if not job.done:
                        if anyio.current_time() >= job.deadline:
                            raise self._overdue()
                        self._link_batch(job)
                    if job.error is not None:
                        raise job.error
                    return job.result
            raise self._overdue()
        finally:
            self._waiting.pop(job, None)

    def _lock(self) -> anyio.Lock:
        """The turn, made on first use (inside the event loop)."""
        if self._turn is None:
            self._turn = anyio.Lock()
        return self._turn

    def _link_batch(self, head: _Job) -> None:
        """Link ``head`` and the next waiting texts that share its KB and options and are not overdue."""
        now = anyio.current_time()
        batch = [head, *islice((j for j in self._waiting if j is not head and j.kb is head.kb
                                and j.options == head.options and j.deadline > now), MAX_BATCH - 1)]
        for job in batch:
            self._waiting.pop(job, None)
        policy, threshold, mode = head.options
        try:
            docs = head.kb.link_many([j.text for j in batch], policy=policy, threshold=threshold,
                                     titles=[j.title for j in batch], mode=mode)
        except Exception:
            docs = None  # one text's error is its own: link each alone to tell whose it is
        for k, job in enumerate(batch):
            if docs is not None:
                job.result = docs[k]
            else:
                try:
                    job.result = job.kb.link(job.text, policy=policy, threshold=threshold, title=job.title,
                                             mode=mode)
                except Exception as error:
                    job.error = error
            job.done = True

    async def run(self, fn: Callable[..., T], *args: Any, chars: int, **kwargs: Any) -> T:
        """``fn(*args, **kwargs)`` in its turn; ``chars`` is the length of the text it works on."""
        call = partial(fn, *args, **kwargs)
        # A thread cannot be stopped, so an overdue call is abandoned: it finishes in
        # the background and its result is dropped, while the client gets its answer
        # on time. max_text_chars bounds how long such a call can run.
        deadline = anyio.current_time() + self.limits.timeout_s
        with anyio.move_on_after(self.limits.timeout_s):
            async with self._lock():
                if anyio.current_time() >= deadline:  # a busy loop may hand over the turn before the timer fires
                    raise self._overdue()
                if chars <= INLINE_CHARS:
                    return call()
                return await anyio.to_thread.run_sync(call, abandon_on_cancel=True)
        raise self._overdue()

    async def lookup(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``fn(*args, **kwargs)`` in the shared thread pool."""
        with anyio.move_on_after(self.limits.timeout_s):
            return await anyio.to_thread.run_sync(partial(fn, *args, **kwargs), abandon_on_cancel=True)
        raise self._overdue()

    def _overdue(self) -> Problem:
        return Problem(
            503,
            f"the request took longer than this server's limit of {self.limits.timeout_s:g} s; "
            "send a shorter text or retry later",
            kind="linkpedia:Timeout",
            headers={"Retry-After": "1"},
        )
