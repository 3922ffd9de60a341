"""``spark_build``: the local build with its two heavy passes run by Spark.

``build_kb`` takes an ``Extractor`` (pages -> ``PageRecord`` batches, in the
source's order) and an occurrence counter; this module supplies both, and the
driver does the rest exactly as a local build does (writing rows, deriving
entries, surfaces and in-links in SQLite, profiles, the index, the scorer).
Same records in the same order, same sums: the same KB (its index byte for byte;
the context sums number their targets and terms in the order they came).

Extraction: a MediaWiki dump that can be cut (plain XML, multistream bz2; see
``split``) is parsed by the executors, each reading its own byte range of the
file, which must therefore be on storage they all see (local mode: it is).
Any other source (single-stream bz2, gzip, JSONL, WikiExtractor) is read on
the driver, which ships windows of pages to the executors for extraction.
Either way the driver takes the records a window of jobs at a time, writing
one window's pages while the executors extract the next. The driver's
writing does not scale out: about three executor cores keep it busy.

Occurrence counting: the surfaces go to every executor as a broadcast; each
task counts a range of articles and the sums are reduced by tree. Executors
read the articles from the KB's SQLite file when they share the driver's
disk (local mode); on a cluster the driver ships the compressed texts.
"""

from __future__ import annotations

import html
import re
import sqlite3
import tempfile
import uuid
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Iterator, Sequence

import numpy as np

from ..errors import EmptySourceError, SourceFormatError
from ..kb.build import CHUNK, BuildOptions, BuildReport, ProgressHook, build_kb, chunked
from ..kb.extract import PageRecord, Sums, extract_page
from ..kb.occurrences import build_matcher, sparse_counts, write_counts
from ..kb.store import connect_ro, unpack_text
from ..sources import MediaWikiSource
from ..sources._io import ReaderBase, date_in_name
from ..sources.base import Source
from ..wikitext.site import SiteInfo
from .session import is_local, parallelism, spark_session
from .split import SplitPlan, plan_splits, read_fragment

if TYPE_CHECKING:
    from pyspark import SparkContext
    from pyspark.sql import SparkSession

__all__ = ["spark_build", "SparkExtractor", "SparkOccurrenceCounter"]

SPLIT_BYTES = 32 << 20  # XML bytes per task (a bz2 range is a quarter of this, compressed)
TASK_CHUNKS = 8  # chunks of CHUNK pages per task when the driver reads the source
OCCURRENCE_PAGES = 2000  # page ids per occurrence-counting task
MAX_WINDOW_TASKS = 16  # tasks per job: bounds the driver's memory (it holds two jobs' results)
TASK_SUMS = 250_000  # term and context counts a task holds before it hands them over


def spark_build(
    sources: Sequence[str | Path],
    out: str | Path,
    *,
    master: str = "local[*]",
    options: BuildOptions = BuildOptions(),
    progress: ProgressHook | None = None,
) -> BuildReport:
    """Build the KB ``build_kb`` would build, with parsing and counting on Spark.

    Uses the running SparkSession when there is one (``spark-submit``, a
    notebook); otherwise starts one on ``master`` and stops it at the end.
    """
    with spark_session(master, "linkpedia build") as spark:
        extractor = SparkExtractor(spark, max_page_bytes=options.max_page_bytes)
        try:
            return build_kb(sources, out, options=options, progress=progress, extractor=extractor,
                            count_occurrences=SparkOccurrenceCounter(spark))
        finally:
            extractor.close()


class SparkExtractor:
    """An ``Extractor`` whose pages are parsed and extracted by Spark executors.

    Yields the records in the source's page order, as ``LocalExtractor``
    does; skipped-page counters and the dump date found by the executors are
    merged into the driver's ``source`` before the last batch is consumed.

    Each task sums its articles' term and context counts itself (records
    come back ``summed``, as ``LocalExtractor(keep_sums=True)`` gives them) and
    hands the sums over with its records: the driver merges a few ``Sums``
    per task instead of adding up every page, which kept it busy enough that
    two executors were as fast as one (issue 17).
    """

    def __init__(self, spark: "SparkSession", *, max_page_bytes: int = 10_000_000,
                 split_bytes: int = SPLIT_BYTES):
        self._spark = spark
        self._max_page_bytes = max_page_bytes
        self._split_bytes = split_bytes
        self.last_mode: str | None = None  # "ranges" or "driver": how the last source was read
        self._handed: list[Sums] = []

    def records(self, source: Source) -> Iterator[list[PageRecord]]:
        plan = None
        if isinstance(source, MediaWikiSource):
            plan = plan_splits(source.path, min_splits=4 * parallelism(self._spark),
                               split_bytes=self._split_bytes)
        if plan is None:
            self.last_mode = "driver"
            return self._from_driver(source)
        self.last_mode = "ranges"
        return self._from_ranges(source, plan)

    def close(self) -> None:
        pass

    def take_sums(self) -> list[Sums]:
        """The counts the tasks handed over since the last call."""
        out, self._handed = self._handed, []
        return out

    def finish_sums(self) -> list[Sums]:
        """All counts not taken yet (every task has handed its own over by now)."""
        return self.take_sums()

    # -- executors read byte ranges of the dump --------------------------------

    def _from_ranges(self, source: Source, plan: SplitPlan) -> Iterator[list[PageRecord]]:
        sc = self._spark.sparkContext
        n = len(plan.splits)
        work = partial(_extract_splits, plan, source.site, self._max_page_bytes)
        rdd = sc.parallelize(range(n), n).mapPartitions(work)
        window = min(2 * parallelism(self._spark), MAX_WINDOW_TASKS)
        windows = [list(range(i, min(i + window, n))) for i in range(0, n, window)]
        skipped: Counter[str] = Counter()
        pages = articles = 0
        newest: str | None = None
        for kind, *item in _pipelined(sc, lambda parts: sc.runJob(rdd, _identity, parts), windows):
            if kind == "records":
                yield item[0]
            elif kind == "sums":
                self._handed.append(item[0])
            elif kind == "stats":
                index, part_skipped, part_pages, part_articles, stamp = item
                skipped.update(part_skipped)
                pages += part_pages
                articles += part_articles
                if stamp and (newest is None or stamp > newest):
                    newest = stamp
                _progress(source, plan.splits[index].end)
            else:
                raise SourceFormatError(item[1], path=source.path, position=item[0])
        source.skipped.clear()
        source.skipped.update(skipped)
        if newest and date_in_name(Path(source.path)) is None:
            source.dump_date = newest
        if articles == 0:
            raise EmptySourceError(
                f"{source.path}: no article (namespace 0) page in {pages} page(s) — "
                "export the main namespace (e.g. a pages-articles dump)"
            )

    # -- the driver reads, executors extract ------------------------------------

    def _from_driver(self, source: Source) -> Iterator[list[PageRecord]]:
        sc = self._spark.sparkContext
        tasks = min(2 * parallelism(self._spark), MAX_WINDOW_TASKS)
        windows = _batched(chunked(source.pages(), source.site), tasks * TASK_CHUNKS)
        for kind, item in _pipelined(sc, partial(_extract_window, sc), windows):
            if kind == "records":
                yield item
            else:
                self._handed.append(item)


class SparkOccurrenceCounter:
    """``count_occurrences`` for ``build_kb``: the surface-trie pass, on Spark."""

    def __init__(self, spark: "SparkSession", *, ship_texts: bool | None = None):
        self._spark = spark
        self._ship = not is_local(spark.sparkContext.master) if ship_texts is None else ship_texts

    def __call__(self, con: sqlite3.Connection, db_path: Path, jobs: int = 1) -> None:
        sc = self._spark.sparkContext
        rows = con.execute("SELECT id, surface FROM surfaces").fetchall()
        if not rows:
            return
        n = max(sid for sid, _ in rows) + 1
        surfaces = (uuid.uuid4().hex, sc.broadcast(rows))
        lo, hi = con.execute("SELECT min(id), max(id) FROM pages").fetchone()
        ranges = [(i, i + OCCURRENCE_PAGES) for i in range(lo, hi + 1, OCCURRENCE_PAGES)]
        try:
            if self._ship:
                parts = (
                    sc.parallelize(batch, len(batch)).map(partial(_count_texts, surfaces)).treeReduce(_add_sparse)
                    for batch in _batched(_texts_of(con, ranges),
                                          min(2 * parallelism(self._spark), MAX_WINDOW_TASKS))
                )
                total = _sum_sparse(parts)
            else:
                work = partial(_count_db_range, str(Path(db_path).resolve()), surfaces)
                total = sc.parallelize(ranges, len(ranges)).map(work).treeReduce(_add_sparse)
        finally:
            surfaces[1].destroy()
        occurrences = np.zeros(n, dtype=np.int64)
        pages = np.zeros(n, dtype=np.int64)
        ids, occ, per_page = total
        occurrences[ids] = occ
        pages[ids] = per_page
        write_counts(con, ((int(occurrences[sid]), int(pages[sid]), sid) for sid, _ in rows))


# -- executor side -------------------------------------------------------------------


def _extract_splits(plan: SplitPlan, site: SiteInfo, max_page_bytes: int,
                    indexes: Iterable[int]) -> Iterator[tuple]:
    """Parse and extract the pages of each split; a ("stats", ...) item closes each split."""
    for index in indexes:
        yield from _extract_split(plan, site, max_page_bytes, index)


def _extract_split(plan: SplitPlan, site: SiteInfo, max_page_bytes: int, index: int) -> Iterator[tuple]:
    start = plan.splits[index].start
    where = f"the pages from {'the bz2 stream at ' if plan.compression else ''}byte {start:,}"
    try:
        fragment = read_fragment(plan, index)
    except (OSError, EOFError, ValueError) as exc:
        yield ("error", where, f"the bz2 data is corrupt ({exc}) — download or copy the file again")
        return
    if fragment is None:
        yield ("stats", index, {}, 0, 0, None)
        return
    with tempfile.TemporaryDirectory(prefix="linkpedia-split-") as tmp:
        path = Path(tmp) / "pages.xml"  # no date in the name: the dump date comes from the pages
        path.write_bytes(fragment)
        del fragment
        yielded = 0
        has_article = 1
        batch: list[PageRecord] = []
        sums = Sums()
        title = None
        try:
            source = _RangeSource(path, max_page_bytes=max_page_bytes)
            for page in source.pages():
                yielded += 1
                title = page.title
                batch.append(extract_page(page, site, sums))
                if len(batch) >= CHUNK:
                    yield ("records", batch)
                    batch = []
                    if len(sums) > TASK_SUMS:
                        yield ("sums", sums)
                        sums = Sums()
        except EmptySourceError:
            has_article = 0  # raised after the last page: this split has none in namespace 0
        except SourceFormatError as exc:
            message = str(exc)
            prefix = f"{exc.path} ({exc.position}): " if exc.position else f"{exc.path}: "
            # lxml may report an error before the events of the pages ahead of it
            # (it parses a chunk at a time): the file itself says which page came last.
            title = _title_before(path, exc.position) or title
            after = f", after the page {title!r}" if title else ", in the first page"
            yield ("error", where + after, message[len(prefix):] if message.startswith(prefix) else message)
            return
        if batch:
            yield ("records", batch)
        if len(sums):
            yield ("sums", sums)
        skipped = dict(source.skipped)
        yield ("stats", index, skipped, yielded + sum(skipped.values()), has_article, source.dump_date)


def _title_before(path: Path, position: str | None) -> str | None:
    """The last page title in the lines of ``path`` before the ``line N`` of ``position``."""
    m = re.match(r"line (\d+)", position or "")
    if not m:
        return None
    with open(path, "rb") as f:
        head = b"".join(islice(f, int(m.group(1)) - 1))
    titles = re.findall(rb"<title>([^<]*)</title>", head)
    return html.unescape(titles[-1].decode("utf-8", "replace")) if titles else None


class _RangeSource(MediaWikiSource):
    """A range of a dump: it always ends, so an XML error in it is broken XML, never a cut file."""

    def _syntax_error(self, exc):
        error = super()._syntax_error(exc)
        if "ends in the middle" in str(error):
            message = (exc.msg or str(exc)).split(", line ")[0].strip()
            error = SourceFormatError(f"broken XML ({message}) — export or download the file again",
                                      path=error.path, position=error.position)
        return error


def _extract_window(sc: "SparkContext", window: list) -> list[tuple[str, object]]:
    """("records", batch) for each chunk of the window in order, and each task's ("sums", Sums)."""
    slices = -(-len(window) // TASK_CHUNKS)
    return sc.parallelize(window, slices).mapPartitions(_extract_chunks).collect()


def _extract_chunks(chunks: Iterable[tuple[list, SiteInfo]]) -> Iterator[tuple[str, object]]:
    sums = Sums()
    for pages, site in chunks:
        yield ("records", [extract_page(p, site, sums) for p in pages])
        if len(sums) > TASK_SUMS:
            yield ("sums", sums)
            sums = Sums()
    if len(sums):
        yield ("sums", sums)


_MATCHERS: dict[str, object] = {}  # one surface trie per Python worker and counting job


def _matcher(surfaces: tuple) -> object:
    """The trie and id map of ``(job key, broadcast surfaces)``, built once per worker process."""
    key, broadcast = surfaces
    matcher = _MATCHERS.get(key)
    if matcher is None:
        _MATCHERS.clear()
        matcher = _MATCHERS[key] = build_matcher(broadcast.value)
    return matcher


def _count_db_range(db_path: str, surfaces, bounds: tuple[int, int]) -> tuple[np.ndarray, ...]:
    con = connect_ro(Path(db_path))
    try:
        blobs = [b for (b,) in con.execute(_ARTICLE_TEXTS, bounds)]
    finally:
        con.close()
    return _count_texts(surfaces, blobs)


def _count_texts(surfaces, blobs: list[bytes]) -> tuple[np.ndarray, ...]:
    """Sparse (surface ids, occurrences, pages with an occurrence) over some articles."""
    scanner, ids_of = _matcher(surfaces)
    kids, occ, per_page = sparse_counts(scanner, (unpack_text(blob) for blob in blobs))
    sids = ids_of[kids]
    order = np.argsort(sids)  # _add_sparse and the driver want ids in order
    return sids[order], occ[order], per_page[order]


def _add_sparse(a: tuple[np.ndarray, ...], b: tuple[np.ndarray, ...]) -> tuple[np.ndarray, ...]:
    ids, inverse = np.unique(np.concatenate([a[0], b[0]]), return_inverse=True)
    occ = np.bincount(inverse, weights=np.concatenate([a[1], b[1]]), minlength=len(ids))
    pages = np.bincount(inverse, weights=np.concatenate([a[2], b[2]]), minlength=len(ids))
    return ids, occ.astype(np.int64), pages.astype(np.int64)


# -- driver helpers --------------------------------------------------------------


# The articles whose text counts, as occurrences._count_range reads them (keep the two in step).
_ARTICLE_TEXTS = ("SELECT text FROM pages WHERE id >= ? AND id < ? AND kind = 'article' AND has_links = 1"
                  " AND text IS NOT NULL")


def _texts_of(con: sqlite3.Connection, ranges: list[tuple[int, int]]) -> Iterator[list[bytes]]:
    for bounds in ranges:
        yield [b for (b,) in con.execute(_ARTICLE_TEXTS, bounds)]


def _sum_sparse(parts: Iterable[tuple[np.ndarray, ...]]) -> tuple[np.ndarray, ...]:
    total = (np.zeros(0, np.int64),) * 3
    for part in parts:
        total = _add_sparse(total, part)
    return total


def _pipelined(sc: "SparkContext", run: Callable[[object], list], units: Iterable) -> Iterator:
    """``run(unit)``'s results, unit after unit, with the next unit's job running meanwhile.

    The driver consumes one job's results while the cluster computes the
    next: extraction and the driver's writing overlap, and the driver holds at
    most two jobs' results. A consumer that stops early cancels the job in
    flight.
    """
    group = f"linkpedia-{uuid.uuid4().hex[:8]}"

    def job(unit) -> list:
        sc.setJobGroup(group, "linkpedia build", interruptOnCancel=True)
        return run(unit)

    done = False
    with ThreadPoolExecutor(1, thread_name_prefix="linkpedia-spark") as pool:
        try:
            running: Future | None = None
            for unit in units:  # the driver side of the next unit (e.g. reading pages) happens here
                submitted = pool.submit(job, unit)
                if running is not None:
                    yield from running.result()
                running = submitted
            if running is not None:
                yield from running.result()
            done = True
        finally:
            if not done:
                sc.cancelJobGroup(group)


def _identity(items: Iterable) -> Iterable:
    return items


def _batched(items: Iterable, n: int) -> Iterator[list]:
    it = iter(items)
    while batch := list(islice(it, n)):
        yield batch


def _progress(source: Source, offset: int) -> None:
    """Let the progress bar follow the ranges done (readers report bytes they read themselves)."""
    if isinstance(source, ReaderBase):
        source._done_bytes = offset  # noqa: SLF001 - the driver never opens the file in this mode
