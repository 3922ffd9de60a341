"""How often each surface occurs in article text, in one pass over a surface trie.

The denominator of a surface's link probability (times linked / times
written). Only text from sources that carry links counts: in link-less text
every occurrence would look like a missed link. The surfaces are found with a
marisa-trie saved beside the store and mmap'd (``scan``): a few bytes per
surface, shared by the workers, where an Aho–Corasick automaton took ~492.
Counts are kept by trie key id and mapped to surface ids once, at the end.
"""

from __future__ import annotations

import multiprocessing as mp
import sqlite3
from pathlib import Path
from typing import Iterable

import numpy as np

from .scan import Scanner, build_scanner, id_map
from .store import connect_ro, unpack_text

__all__ = ["count", "count_texts", "sparse_counts", "build_matcher", "write_counts"]

_SCANNER: Scanner | None = None
_DB: Path | None = None
BATCH = 2000  # pages per task
MIN_PARALLEL = 200  # fewer pages than this are counted in this process
TRIE_NAME = ".occurrences.marisa"  # beside the store while the pass runs


def build_matcher(surfaces: Iterable[tuple[int, str]]) -> tuple[Scanner, np.ndarray]:
    """A scanner of (id, surface) pairs held in memory, and its key id -> id map
    (for the few surfaces an update or a Spark task counts)."""
    pairs = list(surfaces)
    scanner = build_scanner((s for _, s in pairs), expected=len(pairs))
    return scanner, id_map(scanner, pairs)


def sparse_counts(scanner: Scanner, texts: Iterable[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(key ids, occurrences, texts with an occurrence) of the keys found in ``texts``,
    sparse: a batch of texts costs what it found, not the number of keys."""
    found: list[int] = []
    pages: list[np.ndarray] = []
    for text in texts:
        start = len(found)
        scanner.key_ids(text, found)
        if len(found) > start:
            pages.append(np.unique(np.asarray(found[start:], dtype=np.int64)))
    ids, occ = np.unique(np.asarray(found, dtype=np.int64), return_counts=True)
    per_page = np.unique(np.concatenate(pages), return_counts=True)[1] if pages else occ
    # every key with an occurrence has a text with one: the two id arrays are equal
    return ids, occ.astype(np.int64), per_page.astype(np.int64)


def count_texts(matcher: tuple[Scanner, np.ndarray], texts: Iterable[str], n: int
                ) -> tuple[np.ndarray, np.ndarray]:
    """(occurrences, texts with an occurrence) of each of ``n`` ids, from ``build_matcher``."""
    scanner, ids_of = matcher
    kids, occ, per_page = sparse_counts(scanner, texts)
    out_occ = np.zeros(n, dtype=np.int64)
    out_pages = np.zeros(n, dtype=np.int64)
    out_occ[ids_of[kids]] = occ
    out_pages[ids_of[kids]] = per_page
    return out_occ, out_pages


def _count_range(bounds: tuple[int, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sparse (key ids, occurrences, pages with an occurrence) over a range of pages."""
    con = connect_ro(_DB)
    try:
        return sparse_counts(_SCANNER, (unpack_text(blob) for (blob,) in con.execute(
            "SELECT text FROM pages WHERE id >= ? AND id < ? AND kind = 'article' AND has_links = 1"
            " AND text IS NOT NULL", bounds)))
    finally:
        con.close()


def count(con: sqlite3.Connection, db_path: Path, jobs: int = 1) -> None:
    """Fill the occurrence counts and link probabilities of ``surfaces``."""
    global _SCANNER, _DB
    n = (con.execute("SELECT max(id) FROM surfaces").fetchone()[0] or 0) + 1
    if n == 1:
        return
    trie_path = db_path.parent / TRIE_NAME
    try:
        _count(con, db_path, jobs, n, trie_path)
    finally:
        _SCANNER = None
        trie_path.unlink(missing_ok=True)


def _count(con: sqlite3.Connection, db_path: Path, jobs: int, n: int, trie_path: Path) -> None:
    global _SCANNER, _DB
    _SCANNER = build_scanner((s for (s,) in con.execute("SELECT surface FROM surfaces")), trie_path,
                             expected=con.execute("SELECT count(*) FROM surfaces").fetchone()[0])
    _DB = db_path
    lo, hi = con.execute("SELECT min(id), max(id) FROM pages").fetchone()
    # Ranges of at most BATCH pages, and at least 4 per worker so the workers finish together.
    step = max(1, min(BATCH, -(-(hi + 1 - lo) // (4 * jobs)))) if jobs > 1 and hi - lo >= MIN_PARALLEL else BATCH
    ranges = [(i, i + step) for i in range(lo, hi + 1, step)]
    totals = np.zeros(len(_SCANNER), dtype=np.int64)  # by key id
    page_totals = np.zeros(len(_SCANNER), dtype=np.int64)
    if jobs > 1 and len(ranges) > 1:
        ctx = mp.get_context("fork")
        with ctx.Pool(jobs) as pool:
            for ids, occ, per_page in pool.imap_unordered(_count_range, ranges):  # summed as they arrive
                totals[ids] += occ
                page_totals[ids] += per_page
    else:
        for ids, occ, per_page in map(_count_range, ranges):
            totals[ids] += occ
            page_totals[ids] += per_page
    sid_of = id_map(_SCANNER, con.execute("SELECT id, surface FROM surfaces"))
    by_sid = np.zeros((2, n), dtype=np.int64)
    by_sid[0, sid_of], by_sid[1, sid_of] = totals, page_totals
    del totals, page_totals, sid_of
    write_counts(con, ((int(by_sid[0, sid]), int(by_sid[1, sid]), sid) for sid in range(1, n)))


def write_counts(con: sqlite3.Connection, rows: Iterable[tuple[int, int, int]]) -> None:
    """Store (occurrences, occurrence_pages, surface id) rows and the link probabilities."""
    con.execute("BEGIN")
    con.executemany(
        "UPDATE surfaces SET occurrences = ?, occurrence_pages = ? WHERE id = ?", rows)
    con.execute(
        "UPDATE surfaces SET link_prob = CASE "
        " WHEN occurrences = 0 AND link_count = 0 THEN NULL "
        " ELSE CAST(link_count AS REAL) / max(occurrences, link_count) END, "
        "page_link_prob = CASE "
        " WHEN occurrence_pages = 0 AND link_pages = 0 THEN NULL "
        " ELSE CAST(link_pages AS REAL) / max(occurrence_pages, link_pages) END"
    )
    con.execute("COMMIT")
