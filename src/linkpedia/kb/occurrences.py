"""How often each surface occurs in article text, in one Aho–Corasick pass.

The denominator of a surface's link probability (times linked / times
written). Only text from sources that carry links counts: in link-less text
every occurrence would look like a missed link.
"""

from __future__ import annotations

import multiprocessing as mp
import sqlite3
from pathlib import Path
from typing import Iterable

import ahocorasick
import numpy as np

from .store import connect_ro, unpack_text

__all__ = ["count", "count_in_text", "count_texts", "build_automaton", "write_counts"]

_AUTOMATON: "ahocorasick.Automaton | None" = None
_DB: Path | None = None
_N = 0
BATCH = 2000  # pages per task
MIN_PARALLEL = 200  # fewer pages than this are counted in this process


def build_automaton(surfaces) -> "ahocorasick.Automaton":
    """An automaton over (surface, id) pairs; values are (id, length)."""
    a = ahocorasick.Automaton()
    for sid, surface in surfaces:
        a.add_word(surface, (sid, len(surface)))
    a.make_automaton()
    return a


def whole_words(automaton, text: str):
    """(start, last, value) of the automaton's matches in ``text`` that no word character touches."""
    n = len(text)
    for end, value in automaton.iter(text):
        start = end - value[1] + 1
        if start > 0 and (text[start - 1].isalnum() or text[start - 1] == "_"):
            continue
        if end + 1 < n and (text[end + 1].isalnum() or text[end + 1] == "_"):
            continue
        yield start, end, value


def count_in_text(automaton, text: str, out: list[int]) -> None:
    """Append the id of every whole-word occurrence in ``text`` to ``out``."""
    out.extend(value[0] for _, _, value in whole_words(automaton, text))


def count_texts(automaton, texts: Iterable[str], n: int) -> tuple[np.ndarray, np.ndarray]:
    """(occurrences, texts with an occurrence) of each of the automaton's ``n`` ids."""
    found: list[int] = []
    pages: list[np.ndarray] = []
    for text in texts:
        start = len(found)
        count_in_text(automaton, text, found)
        pages.append(np.unique(np.asarray(found[start:], dtype=np.int64)))
    occ = np.bincount(np.asarray(found, dtype=np.int64), minlength=n)
    per_page = np.bincount(np.concatenate(pages) if pages else np.zeros(0, np.int64), minlength=n)
    return occ, per_page


def _count_range(bounds: tuple[int, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(surface ids, occurrences, pages with an occurrence) of the surfaces found in a range
    of pages: sparse, so that a range costs what it found, not the number of surfaces."""
    con = connect_ro(_DB)
    try:
        occ, per_page = count_texts(_AUTOMATON, (unpack_text(blob) for (blob,) in con.execute(
            "SELECT text FROM pages WHERE id >= ? AND id < ? AND kind = 'article' AND has_links = 1"
            " AND text IS NOT NULL", bounds)), _N)
    finally:
        con.close()
    ids = np.flatnonzero(occ)
    return ids, occ[ids], per_page[ids]


def count(con: sqlite3.Connection, db_path: Path, jobs: int = 1) -> None:
    """Fill the occurrence counts and link probabilities of ``surfaces``."""
    global _AUTOMATON, _DB, _N
    _N = (con.execute("SELECT max(id) FROM surfaces").fetchone()[0] or 0) + 1
    if _N == 1:
        return
    _AUTOMATON = build_automaton(con.execute("SELECT id, surface FROM surfaces"))
    _DB = db_path
    lo, hi = con.execute("SELECT min(id), max(id) FROM pages").fetchone()
    # Ranges of at most BATCH pages, and at least 4 per worker so the workers finish together.
    step = max(1, min(BATCH, -(-(hi + 1 - lo) // (4 * jobs)))) if jobs > 1 and hi - lo >= MIN_PARALLEL else BATCH
    ranges = [(i, i + step) for i in range(lo, hi + 1, step)]
    totals = np.zeros(_N, dtype=np.int64)
    page_totals = np.zeros(_N, dtype=np.int64)
    try:
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
    finally:
        _AUTOMATON = None
    write_counts(con, ((int(totals[sid]), int(page_totals[sid]), sid) for sid in range(1, _N)))


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
