"""Pass 1's worker processes: pages go out in chunks, records come back in order.

Not ``multiprocessing.Pool.imap``, for two reasons. Its feeder reads the
source as fast as it can, so when the workers are slower the unread part of
a dump piles up in memory; here at most ``AHEAD`` chunks per worker are out
at a time. And a pool worker cannot hand over what it has accumulated when
the input ends; here each worker keeps the running term and context counts
of its articles (``Sums``) and sends them when they grow past a limit and
when told that the input has ended, so these counts cross between processes
once per worker instead of once per page.

The source is read by a thread of the parent (decompression and SQLite
writes release the GIL, so reading overlaps the parent's writing), and
records are yielded in the source's order whatever order workers finish in.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import pickle
import queue
import signal
import threading
import traceback
from typing import Iterator

from ..sources.base import Page, Source
from ..wikitext.site import SiteInfo
from .extract import PageRecord, Sums, extract_page

__all__ = ["LocalExtractor", "chunks_of", "CHUNK_CHARS"]

CHUNK = 64  # pages per chunk at most
CHUNK_CHARS = 1 << 19  # characters of page text per chunk at most (small chunks balance the workers)
AHEAD = 3  # chunks out per worker: enough to keep it busy while the parent writes
SUMS_LIMIT = 1_000_000  # counts held by all workers together before they hand them over
POLL = 0.05  # seconds between checks on the reader thread and the workers while waiting


def chunks_of(pages: Iterator[Page], size: int = CHUNK, chars: int = CHUNK_CHARS) -> Iterator[list[Page]]:
    """Pages in chunks of at most ``size`` pages or about ``chars`` characters of text."""
    batch: list[Page] = []
    held = 0
    for page in pages:
        batch.append(page)
        held += len(page.text)
        if len(batch) >= size or held >= chars:
            yield batch
            batch, held = [], 0
    if batch:
        yield batch


class WorkerError(RuntimeError):
    """An extraction worker died or failed without a picklable exception."""


class LocalExtractor:
    """Extraction in ``jobs`` worker processes, while this one reads and writes.

    With one job on a single-core machine (or ``in_process=True``) everything
    runs in this process.

    With ``keep_sums=True`` an article's term and context counts stay with
    whoever extracted it (records come back with ``summed`` set and without
    them); ``take_sums()`` returns what was handed over so far and
    ``finish_sums()`` collects the rest, after the last source. Not
    thread-safe; ``close()`` stops the workers.
    """

    def __init__(self, jobs: int, *, keep_sums: bool = False, in_process: bool | None = None):
        self.jobs = max(1, jobs)
        self.keep_sums = keep_sums
        self._handed: list[Sums] = []
        here = (self.jobs == 1 and (os.cpu_count() or 1) == 1) if in_process is None else in_process
        self._local: Sums | None = Sums() if keep_sums and here else None
        self._procs: list = []
        self._seq = 0
        self._finished = False
        self._reader: _Reader | None = None
        if not here:
            ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else mp.get_context()
            self._tasks = ctx.Queue()
            self._results = ctx.Queue()
            for _ in range(self.jobs):
                proc = ctx.Process(target=_work, args=(self._tasks, self._results, keep_sums,
                                                       SUMS_LIMIT // self.jobs, os.getpid()),
                                   name="linkpedia-extract", daemon=True)
                proc.start()
                self._procs.append(proc)

    # -- the Extractor protocol ---------------------------------------------

    def records(self, source: Source) -> Iterator[list[PageRecord]]:
        if self._finished:
            raise RuntimeError("finish_sums() was called: this extractor takes no more sources")
        if not self._procs:
            return self._here(source)
        return self._parallel(source)

    def close(self) -> None:
        if self._reader is not None:
            self._reader.stop()
            self._reader = None
        procs, self._procs = self._procs, []
        for proc in procs:
            if proc.is_alive():
                proc.terminate()
        for proc in procs:
            proc.join()
        if procs:
            for q in (self._tasks, self._results):
                q.cancel_join_thread()
                q.close()

    # -- sums kept by the workers --------------------------------------------

    def take_sums(self) -> list[Sums]:
        """The counts handed over since the last call."""
        out, self._handed = self._handed, []
        return out

    def finish_sums(self) -> list[Sums]:
        """All counts not taken yet; ends the workers, so no source can follow."""
        self._finished = True
        if self._local is not None:
            if len(self._local):
                self._handed.append(self._local)
            self._local = None
        if self._procs:
            for _ in self._procs:
                self._tasks.put(None)
            done = 0
            while done < len(self._procs):
                kind, value, _ = self._receive(None)
                if kind == "sums":
                    self._handed.append(value)
                elif kind == "done":
                    done += 1
                elif kind == "error":
                    raise value
            for proc in self._procs:
                proc.join()
            self._procs = []
        return self.take_sums()

    # -- internals -----------------------------------------------------------

    def _here(self, source: Source) -> Iterator[list[PageRecord]]:
        site = source.site
        for batch in chunks_of(source.pages()):
            yield [extract_page(p, site, self._local) for p in batch]
            if self._local is not None and len(self._local) > SUMS_LIMIT:
                self._handed.append(self._local)
                self._local = Sums()

    def _parallel(self, source: Source) -> Iterator[list[PageRecord]]:
        reader = self._reader = _Reader(source, self._tasks, self._seq, AHEAD * self.jobs)
        reader.start()
        pending: dict[int, list[PageRecord]] = {}
        nxt = self._seq
        try:
            while True:
                while nxt in pending:
                    records = pending.pop(nxt)
                    nxt += 1
                    reader.slots.release()
                    yield records
                if reader.done and nxt >= reader.end:
                    break
                kind, value, seq = self._receive(reader)
                if kind == "records":
                    pending[seq] = value
                elif kind == "sums":
                    self._handed.append(value)
                elif kind == "error":
                    raise value
            if reader.error is not None:
                raise reader.error
        finally:
            reader.stop()
            self._reader = None
        self._seq = nxt

    def _receive(self, reader: "_Reader | None") -> tuple:
        while True:
            try:
                return self._results.get(timeout=POLL)
            except queue.Empty:
                pass
            dead = [p for p in self._procs if p.exitcode not in (None, 0)]
            if dead:
                raise WorkerError(f"an extraction worker died (exit code {dead[0].exitcode}) — "
                                  "out of memory? try fewer --jobs")
            if reader is not None and reader.done:
                if reader.error is not None:
                    raise reader.error
                return ("idle", None, None)


class _Reader(threading.Thread):
    """Reads the source and queues its pages in chunks, at most ``ahead`` chunks out."""

    def __init__(self, source: Source, tasks, first: int, ahead: int):
        super().__init__(name="linkpedia-reader", daemon=True)
        self.source, self.tasks = source, tasks
        self.slots = threading.Semaphore(ahead)
        self.end = first  # sequence number of the next chunk
        self.done = False
        self.error: BaseException | None = None
        self._stopping = False

    def run(self) -> None:
        pages = self.source.pages()
        site: SiteInfo = self.source.site
        try:
            for batch in chunks_of(pages):
                while not self.slots.acquire(timeout=POLL):
                    if self._stopping:
                        return
                if self._stopping:
                    return
                self.tasks.put((self.end, batch, site))
                self.end += 1
        except BaseException as exc:  # handed to the consumer, which raises it
            self.error = exc
        finally:
            pages.close()
            self.done = True

    def stop(self) -> None:
        self._stopping = True
        self.join()


def _die_with(parent: int) -> None:
    """End this worker when its parent dies, even by SIGKILL: else it would wait on
    the task queue forever (Linux only; elsewhere the parent's ``close`` ends it)."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # it died before the line above
        os._exit(1)


def _work(tasks, results, keep_sums: bool, limit: int, parent: int) -> None:
    """A worker's loop: extract chunks until told to stop, then hand over the sums."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle: it ends us
    _die_with(parent)
    sums = Sums() if keep_sums else None
    while True:
        task = tasks.get()
        if task is None:
            break
        seq, pages, site = task
        try:
            records = [extract_page(p, site, sums) for p in pages]
        except BaseException as exc:
            results.put(("error", _portable(exc), seq))
            continue
        results.put(("records", records, seq))
        if sums is not None and len(sums) > limit:
            results.put(("sums", sums, None))
            sums = Sums()
    if sums is not None and len(sums):
        results.put(("sums", sums, None))
    results.put(("done", None, None))


def _portable(exc: BaseException) -> BaseException:
    """``exc`` if it survives pickling, else a ``WorkerError`` carrying its traceback."""
    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:
        text = "".join(traceback.format_exception(exc))
        return WorkerError(f"extraction failed in a worker: {exc!r}\n{text}")
