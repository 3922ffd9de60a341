"""Real server processes for the serve tests: uvicorn on a free loopback port.

``start(kb, **options)`` runs ``linkpedia.serve.serve`` in a child process and
waits for ``/healthz``; ``shared(request, name, factory)`` keeps one server per
name for the whole session (several test files use the sample KB's server),
stopped when the session ends. KBs are built from the bundled sample (and the
seed, in the browser tests) into pytest's temporary directories.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from collections.abc import Callable

import httpx
import pytest

import linkpedia

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "src/linkpedia/data/sample"

_RUN = """\
import json, sys
from pathlib import Path
from linkpedia.serve import serve
serve(Path(sys.argv[1]), port=int(sys.argv[2]), **json.loads(sys.argv[3]))
"""


@dataclass
class Server:
    """A running server: its base URL, process and the log it writes on stderr."""

    url: str
    port: int
    proc: subprocess.Popen
    log_path: Path
    kb: Path
    client: httpx.Client = field(init=False)

    def __post_init__(self) -> None:
        self.client = httpx.Client(base_url=self.url, timeout=30)

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        self.client.close()
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(kb: Path, log_dir: Path, **options: Any) -> Server:
    """A server over ``kb`` with ``serve(**options)``, answering ``/healthz``."""
    port = free_port()
    log_path = log_dir / f"server-{port}.log"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with log_path.open("wb") as log:
        proc = subprocess.Popen([sys.executable, "-c", _RUN, str(kb), str(port), json.dumps(options)],
                                stdout=log, stderr=subprocess.STDOUT, env=env, cwd=log_dir)
    server = Server(f"http://127.0.0.1:{port}", port, proc, log_path, kb)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with code {proc.returncode}:\n{server.log()}")
        try:
            if httpx.get(f"{server.url}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    server.stop()
    raise RuntimeError(f"server did not answer /healthz in 30 s:\n{server.log()}")


_SHARED: dict[str, Server] = {}


def shared(request: Any, name: str, factory: Callable[[], Server]) -> Server:
    """One server per ``name`` for the session, stopped when pytest exits."""
    server = _SHARED.get(name)
    if server is None or server.proc.poll() is not None:
        server = _SHARED[name] = factory()
        request.config.add_cleanup(server.stop)
    return server


def build_sample_kb(out: Path) -> Path:
    linkpedia.build_kb([SAMPLE / "sample-wiki.xml"], out, options=linkpedia.BuildOptions(jobs=1))
    return out


def sample_server(request: Any, tmp_path_factory: Any) -> Server:
    """The session's server over the bundled sample KB: default limits, two worker processes.

    Two workers, as a deployment would run it; the API tests then also show that
    any worker answers alike.
    """

    def make() -> Server:
        tmp = tmp_path_factory.mktemp("serve-sample")
        return start(build_sample_kb(tmp / "kb"), tmp, workers=2)

    return shared(request, "sample", make)


@pytest.fixture(scope="module")
def server(request: Any, tmp_path_factory: Any) -> Server:
    """``sample_server`` as a fixture: ``from serverproc import server`` in a test module."""
    return sample_server(request, tmp_path_factory)


@pytest.fixture(scope="module")
def kb(server: Server):
    """The sample server's KB, opened in the test process too."""
    with linkpedia.open_kb(server.kb) as opened:
        yield opened


def hostile_server(request: Any, tmp_path_factory: Any) -> Server:
    """The session's server over ``build_evil_kb``, with small limits (1,000 characters, 10,000 bytes).

    The escaping tests and the limit tests share it: one process fewer to start.
    """

    def make() -> Server:
        tmp = tmp_path_factory.mktemp("serve-hostile")
        return start(build_evil_kb(tmp / "kb"), tmp, max_text_chars=1000, max_body_bytes=10_000)

    return shared(request, "hostile", make)


# An entry whose title and preview are attack payloads: the pages must show them as text.
EVIL_TITLE = 'Evil "Quote" & \'Apos\' / AC/DC?'
EVIL_PAYLOADS = [
    "<script>alert('preview')</script>",
    '"><img src=x onerror=alert(1)>',
    "' onmouseover='alert(2)",
    "</span></a><a href=javascript:alert(3)>x</a>",
]


def build_evil_kb(out: Path) -> Path:
    """A KB whose entry preview and title carry script and attribute-injection payloads."""
    records = [
        {"title": EVIL_TITLE, "aliases": ["Evil entry"],
         "text": " ".join(EVIL_PAYLOADS) + " is a test entry about injection, long enough to be previewed."},
        {"title": "Harbour", "text": "Harbour is a town near the Evil entry, a place of no harm.",
         "links": [{"start": 27, "end": 37, "title": EVIL_TITLE}]},
    ]
    source = out.parent / "evil.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    linkpedia.build_kb([source], out, options=linkpedia.BuildOptions(jobs=1))
    return out
