"""The event loop whose listeners take one connection per turn (serve/balance.py), on real loopback sockets."""

from __future__ import annotations

import asyncio
import socket

import pytest

from linkpedia.serve import balance


class Echo(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        self.transport.write(data)


def listening_socket() -> socket.socket:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    return sock


def run(coro):
    loop = balance.new_event_loop()
    try:
        return loop.run_until_complete(coro)
    finally:
        loop.close()


async def wait_until(predicate, seconds: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while not predicate():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.01)


def test_a_handed_socket_is_served_one_connection_at_a_time_and_counted():
    async def main():
        sock = listening_socket()
        port = sock.getsockname()[1]
        server = await asyncio.get_running_loop().create_server(Echo, sock=sock, backlog=64)
        assert isinstance(server, balance.OneAtATimeServer) and server.is_serving()
        clients = [await asyncio.open_connection("127.0.0.1", port) for _ in range(12)]
        for i, (reader, writer) in enumerate(clients):  # every connection is served
            writer.write(f"ping {i}\n".encode())
            assert await asyncio.wait_for(reader.readline(), 5) == f"ping {i}\n".encode()
        assert server.connections == 12
        for _, writer in clients[:5]:
            writer.close()
        await wait_until(lambda: server.connections == 7)
        server.close()
        await server.wait_closed()
        assert not server.is_serving() and server.sockets == ()
        with pytest.raises(OSError):  # no longer listening
            await asyncio.open_connection("127.0.0.1", port)
        for _, writer in clients[5:]:  # open connections outlive the listener, as with asyncio's servers
            writer.write(b"still here\n")
        assert await asyncio.wait_for(clients[5][0].readline(), 5) == b"still here\n"
        for _, writer in clients[5:]:
            writer.close()

    run(main())


def test_a_host_and_port_get_the_loops_own_server():
    async def main():
        server = await asyncio.get_running_loop().create_server(Echo, "127.0.0.1", 0)
        assert not isinstance(server, balance.OneAtATimeServer)
        port = server.sockets[0].getsockname()[1]
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"hi\n")
        assert await asyncio.wait_for(reader.readline(), 5) == b"hi\n"
        writer.close()
        server.close()
        await server.wait_closed()

    run(main())


def test_uvicorn_can_import_the_loop_by_its_string():
    from uvicorn.config import Config

    loop_factory = Config(app="x:y", loop=balance.LOOP).get_loop_factory()
    loop = loop_factory()
    try:
        assert isinstance(loop, balance._OneAtATime)
    finally:
        loop.close()
