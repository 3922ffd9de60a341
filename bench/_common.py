"""Helpers shared by the benchmarks: measuring a command, medians, tables, the reproduce line.

A benchmark runs each tool as a child process, the way a user runs it, so the
figures include interpreter start-up, worker pools and the final writes. Peak
memory is taken two ways because neither alone answers "how much RAM does this
need": the sampled sum of PSS over the whole process tree (forked workers share
copy-on-write pages, which an RSS sum would count once per worker) and the
largest single process's ``ru_maxrss`` from ``wait4`` (exact, but blind to the
other processes alive at the same time).
"""

from __future__ import annotations

import bz2
import codecs
import gzip
import os
import platform
import shlex
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable, Mapping, Sequence

try:
    import psutil
except ImportError:  # the peak of the tree is then unknown; ru_maxrss still works
    psutil = None

REPO = Path(__file__).resolve().parent.parent
SHARED_DUMPS = REPO.parent / "shared" / "data" / "dumps"
MB = 1e6

__all__ = [
    "MB",
    "REPO",
    "SHARED_DUMPS",
    "Measured",
    "XmlStats",
    "dir_bytes",
    "format_table",
    "machine",
    "measure",
    "median",
    "open_decompressed",
    "Task",
    "measure_interleaved",
    "reproduce_line",
    "xml_stats",
]


@dataclass(frozen=True)
class Measured:
    """One run of a command."""

    seconds: float  # wall time, start of the process to its exit
    cpu_seconds: float  # user + system time of the process and its waited-for descendants
    other_load: float | None  # cores busy with other processes during the run (contention)
    peak_tree_pss: int | None  # bytes; max over samples of Σ PSS (RSS if PSS is unreadable)
    max_rss: int  # bytes; the largest single process in the tree (ru_maxrss)
    returncode: int
    stderr: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0


def _tree_memory(proc: "psutil.Process") -> int:
    total = 0
    try:
        procs = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return 0
    for p in procs:
        try:
            info = p.memory_full_info()
            total += getattr(info, "pss", None) or info.rss
        except psutil.AccessDenied:
            try:
                total += p.memory_info().rss
            except psutil.Error:
                pass
        except psutil.Error:  # exited between listing and reading
            pass
    return total


def measure(
    cmd: Sequence[str],
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    interval: float = 0.2,
) -> Measured:
    """Run ``cmd`` to completion, timing it and sampling its process tree's memory.

    Sampling runs in a thread every ``interval`` seconds; on a 2-core machine a
    shorter interval steals noticeable CPU from the process being measured.
    Output goes to a pipe for stderr (kept for error messages) and to
    /dev/null for stdout.
    """
    busy0 = _busy_seconds()
    started = time.perf_counter()
    proc = subprocess.Popen(
        list(cmd), cwd=cwd, env=None if env is None else dict(env),
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    peak: list[int] = [0]
    stop = threading.Event()

    def sample() -> None:
        try:
            handle = psutil.Process(proc.pid)
        except psutil.Error:  # already gone
            return
        while not stop.is_set():
            peak[0] = max(peak[0], _tree_memory(handle))
            stop.wait(interval)

    sampler = threading.Thread(target=sample, daemon=True) if psutil else None
    if sampler:
        sampler.start()
    stderr_chunks: list[bytes] = []
    reader = threading.Thread(target=lambda: stderr_chunks.append(proc.stderr.read()), daemon=True)
    reader.start()
    # wait4, not Popen.wait: it also returns the child's resource usage.
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    busy1 = _busy_seconds()
    cpu = usage.ru_utime + usage.ru_stime
    proc.returncode = os.waitstatus_to_exitcode(status)
    stop.set()
    if sampler:
        sampler.join()
    reader.join()
    proc.stderr.close()
    return Measured(
        seconds=seconds,
        cpu_seconds=cpu,
        other_load=None if busy0 is None or busy1 is None else max(0.0, (busy1 - busy0 - cpu) / seconds),
        peak_tree_pss=peak[0] if sampler else None,
        max_rss=usage.ru_maxrss * 1024,  # kilobytes on Linux
        returncode=proc.returncode,
        stderr=b"".join(stderr_chunks).decode("utf-8", "replace"),
    )


def _busy_seconds() -> float | None:
    """CPU seconds the whole machine has spent busy (all cores), or None without psutil."""
    if psutil is None:
        return None
    t = psutil.cpu_times()
    return t.user + t.system + getattr(t, "nice", 0.0) + getattr(t, "irq", 0.0) + getattr(t, "softirq", 0.0)


@dataclass
class Task:
    """A command to measure repeatedly; ``before`` (untimed) clears what the last run left."""

    name: str
    cmd: Sequence[str]
    before: Callable[[], None] | None = None
    after: Callable[[Measured], None] | None = None  # untimed, e.g. collect a report file


def measure_interleaved(tasks: Sequence[Task], repeats: int, **kwargs) -> dict[str, list[Measured]]:
    """``repeats`` rounds of running each task once, in turn.

    Interleaving spreads slow drifts of a shared machine's load over every
    task instead of penalising whichever ran during a busy minute. A task that
    fails is not run again: repeating a failure only wastes time.
    """
    runs: dict[str, list[Measured]] = {t.name: [] for t in tasks}
    for _ in range(max(1, repeats)):
        for t in tasks:
            if runs[t.name] and not runs[t.name][-1].ok:
                continue
            if t.before:
                t.before()
            m = measure(t.cmd, **kwargs)
            runs[t.name].append(m)
            if t.after:
                t.after(m)
    return runs


def median(values: Iterable[float]) -> float:
    return statistics.median(list(values))


def dir_bytes(path: Path) -> int:
    """Bytes of all files under ``path`` (a file counts itself)."""
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def open_decompressed(path: Path):
    """A binary stream of ``path``'s content, decompressed by magic bytes (bz2, gzip, plain)."""
    with open(path, "rb") as f:
        magic = f.read(3)
    if magic == b"BZh":
        return bz2.open(path, "rb")
    if magic[:2] == b"\x1f\x8b":
        return gzip.open(path, "rb")
    return open(path, "rb")


@dataclass(frozen=True)
class XmlStats:
    bytes: int  # uncompressed bytes, in the file's own encoding
    pages: int  # <page> elements
    encoding: str


def xml_stats(path: Path, chunk: int = 1 << 22) -> XmlStats:
    """Uncompressed size and page count of a MediaWiki XML export (UTF-8 or UTF-16)."""
    total = 0
    pages = 0
    with open_decompressed(path) as f:
        head = f.read(chunk)
        encoding = "utf-16" if head[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) else "utf-8"
        decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
        tail = ""
        data = head
        while data:
            total += len(data)
            text = tail + decoder.decode(data)
            pages += text.count("<page>")
            tail = text[-5:]  # a "<page>" split across chunks is counted once, in the next one
            data = f.read(chunk)
    return XmlStats(bytes=total, pages=pages, encoding=encoding)


def format_table(headers: Sequence[str], rows: Sequence[Sequence[object]], right: Sequence[bool] | None = None) -> str:
    """A Markdown pipe table, padded so that it also reads well in a terminal."""
    cells = [[str(h) for h in headers]] + [["" if c is None else str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    right = right or [False] * len(headers)

    def line(r: Sequence[str]) -> str:
        return "| " + " | ".join(c.rjust(w) if a else c.ljust(w) for c, w, a in zip(r, widths, right)) + " |"

    rule = "|" + "|".join(("-" * (w + 1) + ":") if a else ("-" * (w + 2)) for w, a in zip(widths, right)) + "|"
    return "\n".join([line(cells[0]), rule, *(line(r) for r in cells[1:])])


def reproduce_line(script: Path, argv: Sequence[str]) -> str:
    """The command that reruns this benchmark with the same arguments, from the repo root."""
    python = os.path.relpath(sys.executable, REPO) if Path(sys.executable).is_relative_to(REPO) else sys.executable
    return shlex.join([python, os.path.relpath(script, REPO), *argv])


def machine() -> str:
    """One line naming the machine, for the record next to the figures."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = f", {psutil.virtual_memory().total / 2**30:.0f} GiB RAM" if psutil else ""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    date = datetime.now(timezone.utc).strftime("%Y-%m-%d")
    return (f"{date}, {cores} cores ({cpu}){ram}, Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}")
