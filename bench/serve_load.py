"""Load test of ``POST /api/link`` on loopback: requests/s, p50/p99 latency, errors.

Starts the server (``linkpedia.serve.serve``) on a free loopback port for each
worker count, then keeps ``--clients`` keep-alive connections busy for
``--seconds``, each posting ~``--chars``-character documents (sentences of the
bundled sample text, shuffled, so no two requests are alike). With ``--rate``
the clients send at that total rate instead of as fast as answers come (an
open loop: latency at a given load, not at saturation). The client is a
minimal HTTP/1.1 writer on asyncio (on uvloop when installed), so it costs far
less CPU than the server.

Target: zero errors and p99 under 100 ms. The machine's core count matters:
the client shares the cores with the server's workers.

    .venv/bin/python bench/serve_load.py                      # sample KB, 1 and 2 workers, 32 clients, 60 s
    .venv/bin/python bench/serve_load.py --kb KB --workers 2 --seconds 20 --rate 100
    .venv/bin/python bench/serve_load.py --soak 600           # 10 minutes, 2 workers, normal and hard texts

``--soak SECONDS`` runs one long load at ``--workers`` (default 2 there) whose
bodies mix the normal documents with the shapes that used to cost more than
linear time (``bench/link_cost.py``'s ``make_text``: one sentence repeated,
one huge paragraph, many distinct names, no spaces), samples each worker's
RSS every 5 s, and prints requests, errors and RSS per minute. Target: 0
errors, and every worker's RSS in the last minute within 10% of the second.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "src/linkpedia/data/sample"
OUT = REPO / "bench/out"

SERVER = """\
import sys
from pathlib import Path
from linkpedia.serve import serve
serve(Path(sys.argv[1]), port=int(sys.argv[2]), workers=int(sys.argv[3]), log_level="warning")
"""


def documents(chars: int, count: int = 64, seed: int = 1) -> list[bytes]:
    """``count`` request bodies of about ``chars`` characters, each a different sentence order."""
    text = (SAMPLE / "sample-text.txt").read_text(encoding="utf-8")
    sentences = re.split(r"(?<=[.;])\s+", text.replace("\n", " ").strip())
    rng = random.Random(seed)
    bodies = []
    for _ in range(count):
        words: list[str] = []
        while sum(len(s) + 1 for s in words) < chars:
            rng.shuffle(sentences)
            words += sentences
        doc = " ".join(words)[:chars].rsplit(" ", 1)[0]
        bodies.append(json.dumps({"text": doc, "format": "json"}).encode())
    return bodies


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(kb: Path, workers: int) -> tuple[subprocess.Popen, int]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-c", SERVER, str(kb), str(port), str(workers)])
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
                if r.status == 200:
                    return proc, port
        except OSError:
            if proc.poll() is not None:
                raise SystemExit(f"the server exited with code {proc.returncode}") from None
            time.sleep(0.1)
    proc.terminate()
    raise SystemExit("the server did not answer /healthz within 60 s")


async def client(port: int, bodies: list[bytes], stop_at: float, latencies: list[float],
                 errors: dict[str, int], tickets: asyncio.Queue | None, offset: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    i = offset
    try:
        while time.perf_counter() < stop_at:
            if tickets is not None:
                try:
                    await asyncio.wait_for(tickets.get(), timeout=max(0.0, stop_at - time.perf_counter()))
                except TimeoutError:
                    break
            body = bodies[i % len(bodies)]
            i += 1
            head = (f"POST /api/link HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    f"Content-Length: {len(body)}\r\n\r\n").encode()
            t0 = time.perf_counter()
            try:
                async with asyncio.timeout(10):
                    writer.write(head + body)
                    status, length = _parse_head(await reader.readuntil(b"\r\n\r\n"))
                    await reader.readexactly(length)
            except (TimeoutError, OSError, ValueError, asyncio.IncompleteReadError) as error:
                errors[type(error).__name__] = errors.get(type(error).__name__, 0) + 1
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                continue
            latencies.append(time.perf_counter() - t0)
            if status != 200:
                errors[f"HTTP {status}"] = errors.get(f"HTTP {status}", 0) + 1
    finally:
        writer.close()


def _parse_head(head: bytes) -> tuple[int, int]:
    """The status and Content-Length of a response head (one read per response keeps the client cheap)."""
    lines = head.split(b"\r\n")
    status = int(lines[0].split()[1])
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    return status, length


async def _tick(tickets: asyncio.Queue, rate: float, stop_at: float) -> None:
    start = time.perf_counter()
    sent = 0
    while (now := time.perf_counter()) < stop_at:
        due = int((now - start) * rate) - sent
        for _ in range(due):
            tickets.put_nowait(None)
        sent += due
        await asyncio.sleep(0.002)


async def load(port: int, bodies: list[bytes], clients: int, seconds: float, rate: float | None) -> dict:
    latencies: list[float] = []
    errors: dict[str, int] = {}
    start = time.perf_counter()
    stop_at = start + seconds
    tickets: asyncio.Queue | None = asyncio.Queue() if rate else None
    tasks = [client(port, bodies, stop_at, latencies, errors, tickets, k * 7) for k in range(clients)]
    if tickets is not None:
        tasks.append(_tick(tickets, rate, stop_at))
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - start
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000 if latencies else float("nan")

    return {"requests": len(latencies), "rps": len(latencies) / elapsed, "p50_ms": pct(0.50),
            "p99_ms": pct(0.99), "max_ms": latencies[-1] * 1000 if latencies else float("nan"),
            "errors": sum(errors.values()), "error_kinds": errors}


def _run(coro):
    """``asyncio.run``, on uvloop when it is installed: the client then takes less of the CPU it shares with the server."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coro)
    return uvloop.run(coro)


def sample_kb() -> Path:
    """The bundled sample's KB, built afresh (a second) so it always matches this linkpedia."""
    import shutil

    import linkpedia

    kb = OUT / "serve-sample-kb"
    shutil.rmtree(kb, ignore_errors=True)
    linkpedia.build_kb([SAMPLE / "sample-wiki.xml"], kb, options=linkpedia.BuildOptions(jobs=1))
    return kb


SOAK_SHAPES = ("repeated", "paragraph", "distinct", "nospace")


def soak_bodies(kb_dir: Path, chars: int, seed: int = 14) -> list[bytes]:
    """Normal documents, and one in five of a hard shape at 5,000 to 50,000 characters."""
    sys.path.insert(0, str(REPO / "bench"))
    import linkpedia
    from link_cost import make_text

    rng = random.Random(seed)
    normal = documents(chars, count=160, seed=seed)
    hard = []
    with linkpedia.open_kb(kb_dir) as kb:
        for i in range(40):
            text = make_text(kb, SOAK_SHAPES[i % len(SOAK_SHAPES)], rng.choice([5_000, 10_000, 25_000, 50_000]))
            hard.append(json.dumps({"text": text, "format": rng.choice(["json", "html", "seed"])}).encode())
    bodies = normal + hard
    rng.shuffle(bodies)
    return bodies


def _worker_rss(proc: subprocess.Popen) -> dict[int, int]:
    import psutil

    parent = psutil.Process(proc.pid)
    procs = [c for c in parent.children(recursive=True) if "resource_tracker" not in " ".join(c.cmdline())] or [parent]
    out = {}
    for p in procs:
        try:
            out[p.pid] = p.memory_info().rss
        except psutil.Error:
            pass
    return out


async def _soak(port: int, proc: subprocess.Popen, bodies: list[bytes], clients: int, seconds: float) -> dict:
    samples: list[tuple[float, dict[int, int]]] = []
    per_minute: list[tuple[int, int]] = []  # (requests, errors) of each minute
    start = time.perf_counter()

    async def sample() -> None:
        while (now := time.perf_counter()) < start + seconds:
            samples.append((now - start, _worker_rss(proc)))
            await asyncio.sleep(5)

    async def minutes() -> None:
        t = start
        while t < start + seconds - 1:
            t = min(t + 60, start + seconds)
            r = await load(port, bodies, clients, t - time.perf_counter(), None)
            per_minute.append((r["requests"], r["errors"], r["p99_ms"], r["error_kinds"]))

    await asyncio.gather(sample(), minutes())
    return {"samples": samples, "minutes": per_minute}


def soak(args, kb: Path) -> int:
    workers = int(args.workers) if "," not in args.workers else 2
    bodies = soak_bodies(kb, args.chars)
    print(f"soak: POST /api/link, {workers} workers, {args.clients} clients, {args.soak:g} s; "
          f"{len(bodies)} bodies, one in five a hard shape ({', '.join(SOAK_SHAPES)}, 5,000-50,000 chars); "
          f"KB {kb}; {os.cpu_count()} CPUs")
    proc, port = start_server(kb, workers)
    try:
        r = _run(_soak(port, proc, bodies, args.clients, args.soak))
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    samples, minutes = r["samples"], r["minutes"]
    pids = sorted({pid for _, rss in samples for pid in rss})
    print(f"{'minute':>6} {'requests':>9} {'errors':>7} {'p99 ms':>8} " + " ".join(f"{'RSS MB ' + str(p):>14}" for p in pids))
    means: list[dict[int, float]] = []
    for m, (requests, errors, p99, kinds) in enumerate(minutes):
        window = [rss for t, rss in samples if m * 60 <= t < (m + 1) * 60]
        mean = {p: sum(w.get(p, 0) for w in window) / max(1, len(window)) for p in pids}
        means.append(mean)
        print(f"{m + 1:>6} {requests:>9,} {errors:>7} {p99:>8.1f} "
              + " ".join(f"{mean[p] / 1e6:>14.1f}" for p in pids) + (f"  {kinds}" if errors else ""))
    errors = sum(m[1] for m in minutes)
    growth = {p: means[-1][p] / means[1][p] - 1 for p in pids if len(means) > 2 and means[1][p]}
    flat = all(abs(g) <= 0.10 for g in growth.values())
    print(f"total: {sum(m[0] for m in minutes):,} requests, {errors} errors; RSS last minute vs second: "
          + ", ".join(f"pid {p} {g:+.1%}" for p, g in growth.items()))
    print("target (0 errors, RSS last minute within 10% of the second):",
          "met" if errors == 0 and flat and growth else "NOT met")
    print("reproduce: .venv/bin/python bench/serve_load.py --soak " + f"{args.soak:g}"
          + (f" --kb {args.kb}" if args.kb else ""))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kb", type=Path, default=None, help="KB directory (default: the sample KB, built once)")
    parser.add_argument("--workers", default="1,2", help="worker counts to test, comma-separated")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--chars", type=int, default=2000)
    parser.add_argument("--rate", type=float, default=None, help="total requests/s (open loop); default: closed loop")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds of load before measuring")
    parser.add_argument("--soak", type=float, default=None, metavar="SECONDS",
                        help="one long run mixing hard texts in, with worker RSS per minute (see above)")
    args = parser.parse_args(argv)

    kb = args.kb or sample_kb()
    if args.soak:
        return soak(args, kb)
    bodies = documents(args.chars)
    mode = f"{args.rate:g} req/s offered" if args.rate else "closed loop"
    print(f"POST /api/link, {args.clients} clients, {args.seconds:g} s, ~{args.chars} chars/doc, {mode}; "
          f"KB {kb}; {os.cpu_count()} CPUs")
    print(f"{'workers':>7} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'errors':>7}")
    failed = False
    for workers in [int(w) for w in args.workers.split(",")]:
        proc, port = start_server(kb, workers)
        try:
            if args.warmup:
                _run(load(port, bodies, args.clients, args.warmup, args.rate))
            r = _run(load(port, bodies, args.clients, args.seconds, args.rate))
        finally:
            proc.terminate()
            proc.wait(timeout=30)
        print(f"{workers:>7} {r['requests']:>9,} {r['rps']:>8.1f} {r['p50_ms']:>8.1f} {r['p99_ms']:>8.1f} "
              f"{r['max_ms']:>8.1f} {r['errors']:>7}" + (f"  {r['error_kinds']}" if r["errors"] else ""))
        failed |= r["errors"] > 0 or not r["p99_ms"] < 100
    print("target (0 errors, p99 < 100 ms):", "met" if not failed else "NOT met")
    print("reproduce: .venv/bin/python bench/serve_load.py " + " ".join(argv if argv is not None else sys.argv[1:]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
