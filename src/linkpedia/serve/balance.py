"""An event loop whose listeners take one connection per turn, so that worker
processes sharing a listening socket share its connections too.

With several workers on one socket, the kernel wakes them all when clients
connect, and libuv's accept loop then takes every queued connection at once:
32 keep-alive clients connecting together may end up 22 on one worker and 10
on the other, or all on one, for as long as they stay connected. nginx's
answer (``multi_accept off``) is to accept one connection per readiness
event. A worker busy linking a text is not accepting meanwhile, so the next
connection goes to a worker that is free.

uvicorn takes the loop by import string (``loop="linkpedia.serve.balance:new_event_loop"``);
only ``create_server(sock=...)``, the way uvicorn's workers listen, changes.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from typing import Any, Callable

__all__ = ["new_event_loop", "OneAtATimeServer", "LOOP"]

LOOP = f"{__name__}:new_event_loop"  # for uvicorn's ``loop=``

log = logging.getLogger("linkpedia.serve")

RETRY_AFTER_S = 0.5  # after the process ran out of file descriptors
# A worker holding n connections waits n times this before taking another, so
# the least loaded worker wins the race (measured: 32 clients connecting at once
# split 16/16 or 15/17 between two workers; uvloop's own accept split them
# from 14/18 to 32/0).
STAGGER_S = 0.0005
MAX_STAGGER = 50  # at most 25 ms


class OneAtATimeServer(asyncio.AbstractServer):
    """Serves ``sock`` (already listening) by accepting one connection each time it is readable."""

    def __init__(self, loop: asyncio.AbstractEventLoop, protocol_factory: Callable[[], asyncio.BaseProtocol],
                 sock: socket.socket, backlog: int = 100):
        self._loop = loop
        self._factory = protocol_factory
        self._sock = sock
        self._serving = False
        self._closed = asyncio.Event()
        self._pending: set[asyncio.Task] = set()
        self._open = 0  # connections accepted and not yet lost
        sock.setblocking(False)
        sock.listen(backlog)  # what loop.create_server does with a socket handed to it

    def _readable(self) -> None:
        """A connection is waiting: race the other workers for it, with a head start for the least loaded."""
        self._loop.remove_reader(self._sock.fileno())
        delay = min(self._open, MAX_STAGGER) * STAGGER_S
        if delay:
            self._loop.call_later(delay, self._accept)
        else:
            self._accept()

    def _accept(self) -> None:
        if not self._serving:
            return
        try:
            conn, _ = self._sock.accept()
        except (BlockingIOError, InterruptedError, ConnectionAbortedError):
            pass  # another worker took it, or the client gave up
        except OSError as error:  # out of file descriptors (EMFILE, ENFILE), or out of memory
            log.error("cannot accept a connection (%s); trying again in %.1f s", error, RETRY_AFTER_S)
            self._loop.call_later(RETRY_AFTER_S, self._resume)
            return
        else:
            conn.setblocking(False)
            self._open += 1
            task = self._loop.create_task(self._connect(conn))
            self._pending.add(task)
            task.add_done_callback(self._pending.discard)
        self._resume()

    async def _connect(self, conn: socket.socket) -> None:
        try:
            await self._loop.connect_accepted_socket(self._counted, conn)
        except OSError:  # the client hung up before the transport was made
            self._open -= 1
            conn.close()

    def _counted(self) -> asyncio.BaseProtocol:
        """The server's protocol, with its connection counted until it is lost."""
        protocol = self._factory()
        lost = protocol.connection_lost

        def connection_lost(exc: Exception | None) -> None:
            self._open -= 1
            lost(exc)

        protocol.connection_lost = connection_lost  # type: ignore[method-assign]
        return protocol

    def _resume(self) -> None:
        if self._serving:
            self._loop.add_reader(self._sock.fileno(), self._readable)

    @property
    def connections(self) -> int:
        """Connections this server accepted that are still open."""
        return self._open

    # -- asyncio.AbstractServer -------------------------------------------
    async def start_serving(self) -> None:
        if not self._serving and not self._closed.is_set():
            self._serving = True
            self._resume()

    def close(self) -> None:
        if self._closed.is_set():
            return
        if self._serving:
            self._loop.remove_reader(self._sock.fileno())
        self._serving = False
        self._closed.set()
        self._sock.close()

    async def wait_closed(self) -> None:
        await self._closed.wait()

    def get_loop(self) -> asyncio.AbstractEventLoop:
        return self._loop

    def is_serving(self) -> bool:
        return self._serving

    @property
    def sockets(self) -> tuple[socket.socket, ...]:
        return () if self._closed.is_set() else (self._sock,)

    async def serve_forever(self) -> None:
        await self.start_serving()
        await self.wait_closed()


class _OneAtATime:
    """Mixin for an event loop class: ``create_server`` on a given plain socket returns a ``OneAtATimeServer``."""

    async def create_server(self, protocol_factory, host=None, port=None, *, sock=None, ssl=None,
                            backlog=100, start_serving=True, **kwargs: Any):
        if sock is None or ssl is not None:
            return await super().create_server(protocol_factory, host, port, sock=sock, ssl=ssl,  # type: ignore[misc]
                                               backlog=backlog, start_serving=start_serving, **kwargs)
        server = OneAtATimeServer(self, protocol_factory, sock, backlog)  # type: ignore[arg-type]
        if start_serving:
            await server.start_serving()
        return server


def _loop_class() -> type[asyncio.AbstractEventLoop]:
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop comes with the [serve] extra on Linux and macOS
        base: type = asyncio.SelectorEventLoop
    else:
        base = uvloop.Loop
    return type("OneAtATimeLoop", (_OneAtATime, base), {})


def new_event_loop() -> asyncio.AbstractEventLoop:
    """A uvloop loop (asyncio's when uvloop is missing) whose socket listeners take one connection per turn."""
    return _loop_class()()
