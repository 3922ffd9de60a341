"""Several worker processes over one KB: each opens it read-only and maps the same index files."""

from __future__ import annotations

import asyncio
import json
import os
import time
from pathlib import Path

import psutil

from serverproc import server  # noqa: E402,F401 - fixtures (the sample server: two workers)


def workers_of(server) -> list[psutil.Process]:
    """The server's child processes that serve requests (they map the KB's index)."""
    index = str(server.kb / "index")
    found = []
    for child in psutil.Process(server.proc.pid).children(recursive=True):
        try:
            if any(m.path.startswith(index) for m in child.memory_maps(grouped=True)):
                found.append(child)
        except psutil.NoSuchProcess:
            pass
    return found


def wait_for_workers(server, count: int) -> list[psutil.Process]:
    deadline = time.monotonic() + 20
    while len(found := workers_of(server)) < count and time.monotonic() < deadline:
        time.sleep(0.1)
    return found


def test_two_workers_answer(server):
    for _ in range(20):
        r = server.client.post("/api/link", json={"text": "Kaunas and Vilnius."})
        assert r.status_code == 200
        assert {link["title"] for link in r.json()["links"]} == {"Kaunas", "Vilnius"}


def test_each_worker_maps_the_index_and_opens_the_database_read_only(server):
    workers = wait_for_workers(server, 2)
    assert len(workers) == 2
    index_files = {p.name for p in (server.kb / "index").iterdir()}
    for worker in workers:
        mapped = {Path(m.path).name for m in worker.memory_maps(grouped=True)
                  if m.path.startswith(str(server.kb / "index"))}
        assert {"titles.marisa", "cand_entry.npy"} <= mapped <= index_files
        db = [f for f in worker.open_files() if f.path == str((server.kb / "kb.sqlite").resolve())]
        assert db, "the worker has no connection to kb.sqlite"
        for f in db:
            assert f.mode == "r", f"kb.sqlite opened with mode {f.mode!r}"
            assert os.stat(f.path)  # a real file, the KB's own


def test_start_up_time_is_logged_by_every_worker(server):
    wait_for_workers(server, 2)
    log = server.log()
    assert "starting 2 workers" in log
    assert log.count("opened KB") >= 3  # the parent's check, then each worker


def test_connections_opened_together_are_shared_between_the_workers(server):
    """32 keep-alive clients connecting at once: uvloop's own accept loop often gave one
    worker 18 to 22 of them, once all 32; serve/balance.py's listeners split them 16/16 or 15/17."""
    workers = wait_for_workers(server, 2)
    body = json.dumps({"text": "Kaunas and Vilnius."}).encode()
    request = (f"POST /api/link HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
               f"Content-Length: {len(body)}\r\n\r\n").encode() + body

    async def client() -> tuple[asyncio.StreamWriter, int]:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(request)
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 30)
        assert head.startswith(b"HTTP/1.1 200")
        return writer, writer.get_extra_info("sockname")[1]

    async def main() -> dict[int, int]:
        clients = await asyncio.gather(*(client() for _ in range(32)))
        try:
            mine = {port for _, port in clients}
            held = {}
            for worker in workers:
                held[worker.pid] = sum(1 for c in worker.net_connections(kind="tcp")
                                       if c.laddr and c.laddr.port == server.port and c.raddr
                                       and c.raddr.port in mine)
            return held
        finally:
            for writer, _ in clients:
                writer.close()

    held = asyncio.run(main())
    assert sum(held.values()) == 32, held
    assert min(held.values()) >= 13, f"connections per worker: {held}"
