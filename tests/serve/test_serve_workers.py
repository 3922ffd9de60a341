"""Several worker processes over one KB: each opens it read-only and maps the same index files."""

from __future__ import annotations

import os
import time
from pathlib import Path

import psutil
import pytest

import serverproc


@pytest.fixture(scope="module")
def server(request, tmp_path_factory):
    return serverproc.sample_server(request, tmp_path_factory)  # two workers


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
