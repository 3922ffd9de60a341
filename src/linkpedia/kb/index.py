"""The read-optimized index beside the database: tries and numpy arrays.

Compiled from the derived tables; opened with mmap so that many processes
(server workers, Spark executors) share one copy in the page cache, and an
open takes milliseconds whatever the KB's size.

Files (``index/`` in the KB directory):

* ``titles.marisa``   entry titles; an entry's *index* is its key id here
* ``surfaces.marisa`` exact surfaces; a surface's id is its key id here
* ``folded.marisa``   folded surfaces (lower-case, no diacritics)
* ``terms.marisa``    context vocabulary; a term's id is its key id here
* ``*.npy``           arrays indexed by those ids (see ``Index``)
"""

from __future__ import annotations

import io
import math
import sqlite3
from array import array
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

import marisa_trie
import numpy as np

from ..text import fold
from ..errors import KBVersionError
from . import manifest
from .store import DB_NAME

__all__ = ["Index", "compile_index", "load_index", "INDEX_DIR"]

INDEX_DIR = "index"
MEMO_SIZE = 200_000


@dataclass(frozen=True)
class Index:
    titles: marisa_trie.Trie
    surfaces: marisa_trie.Trie
    folded: marisa_trie.Trie
    terms: marisa_trie.Trie
    popularity: np.ndarray  # [E] in-link count
    is_dab: np.ndarray  # [E] bool
    entry_size: np.ndarray  # [E] bytes of the entry's stored text (compressed): what the KB knows of it
    sf_link_prob: np.ndarray  # [S] float32, NaN = unknown
    sf_page_link_prob: np.ndarray  # [S] float32, NaN = unknown
    sf_links: np.ndarray  # [S] times linked
    cand_ptr: np.ndarray  # [S+1] CSR into cand_* (most probable first)
    cand_entry: np.ndarray  # entry index
    cand_count: np.ndarray  # anchors + names (the prior's numerator)
    cand_anchors: np.ndarray  # anchors only
    cand_weak: np.ndarray  # weak names (a first or last name, an acronym, a demonym; kb/names.py)
    fold_ptr: np.ndarray  # [F+1] CSR into fold_members
    fold_members: np.ndarray  # surface ids sharing a folded form
    fold_upper: np.ndarray  # [F] times the articles write the folded form capitalized (mid-sentence)
    fold_lower: np.ndarray  # [F] times they write it lower-case
    fold_seen: np.ndarray  # [F] its occurrences in the sample (kb/casing.py)
    fold_dated: np.ndarray  # [F] of those, time expressions ("5 March", "on Monday")
    in_ptr: np.ndarray  # [E+1] CSR into in_src
    in_src: np.ndarray  # entry indexes linking to the entry, sorted
    prof_ptr: np.ndarray  # [E+1] CSR into prof_term/prof_weight
    prof_term: np.ndarray  # term ids, sorted
    prof_weight: np.ndarray  # L2-normalized TF-IDF weights
    idf: np.ndarray  # [T]
    n_entries: int
    max_surface_len: int
    # [E] int64: the entry's Wikidata QID number (Q42 -> 42), 0 = none; None: a KB from
    # before Wikidata (schema 2).
    qid: np.ndarray | None = None
    # Memo of per-surface lookups that repeat across documents (bounded; safe to
    # share between threads: a race costs a recomputation, never a wrong value).
    memo: dict = field(default_factory=dict, compare=False, repr=False)

    def memo_table(self, name: str) -> dict:
        """The memo table ``name``, replaced by an empty one once it has grown large.

        For loops that look up many keys per text; a race between threads costs
        a recomputation, never a wrong value.
        """
        table = self.memo.get(name)
        if table is None or len(table) > MEMO_SIZE:
            table = self.memo[name] = {}
        return table

    def title_of(self, entry: int) -> str:
        """The title of entry ``entry``, remembered: the trie restores a key by walking it."""
        return self.memoized("titles", entry, lambda: self.titles.restore_key(entry))

    def memoized(self, table: str, key, compute):
        """``compute()``, remembered under ``key`` in the memo table ``table``."""
        memo = self.memo_table(table)
        hit = memo.get(key)
        if hit is None:
            hit = memo[key] = compute()
        return hit


CHUNK = 65_536  # rows fetched from SQLite at a time


class _NpyWriter:
    """A 1-d ``.npy`` file written in chunks, byte for byte what ``np.save`` writes."""

    def __init__(self, path: Path, dtype):
        self.dtype = np.dtype(dtype)
        self.n = 0
        self.f = open(path, "wb")
        self.header_len = self.f.write(self._header())

    def _header(self) -> bytes:
        buf = io.BytesIO()
        np.lib.format.write_array_header_1_0(buf, {
            "descr": np.lib.format.dtype_to_descr(self.dtype), "fortran_order": False, "shape": (self.n,)})
        return buf.getvalue()

    def write(self, values: np.ndarray) -> None:
        self.f.write(np.ascontiguousarray(values, dtype=self.dtype).tobytes())
        self.n += len(values)

    def close(self) -> None:
        header = self._header()  # now with the real length: the same size (padded to 64 bytes)
        assert len(header) == self.header_len, "npy header changed size"
        self.f.seek(0)
        self.f.write(header)
        self.f.close()


def _add_runs(counts: np.ndarray, keys: np.ndarray) -> None:
    """counts[k] += occurrences of k, for ``keys`` sorted (one chunk of a sorted stream)."""
    if len(keys):
        starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
        counts[keys[starts]] += np.diff(np.r_[starts, len(keys)])


def _ptr(counts: np.ndarray) -> np.ndarray:
    ptr = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(counts, out=ptr[1:])
    return ptr


def _chunks(cur: sqlite3.Cursor) -> Iterator[list[tuple]]:
    while rows := cur.fetchmany(CHUNK):
        yield rows


def _csr_from_sorted(con: sqlite3.Connection, sql: str, n_groups: int,
                     columns: list[tuple[Path, type]]) -> np.ndarray:
    """Write the CSR value arrays of a query whose rows are (group, value, ...) sorted by group;
    returns the pointer array."""
    counts = np.zeros(n_groups, dtype=np.int64)
    writers = [_NpyWriter(path, dtype) for path, dtype in columns]
    try:
        exact = np.int64 if all(np.dtype(d).kind in "iub" for _, d in columns) else np.float64
        for rows in _chunks(con.execute(sql)):
            block = np.array(rows, dtype=exact)  # ids < 2**53 are exact in float64 too
            _add_runs(counts, block[:, 0].astype(np.int64))
            for i, w in enumerate(writers, start=1):
                w.write(block[:, i])
    finally:
        for w in writers:
            w.close()
    return _ptr(counts)


def _id_map(con: sqlite3.Connection, table: str, pairs: Iterable[tuple[int, int]]) -> None:
    """A temp table from a KB row id to a trie key id, for SQLite to sort by."""
    con.execute(f"CREATE TEMP TABLE {table}(id INTEGER PRIMARY KEY, k INTEGER NOT NULL)")
    con.executemany(f"INSERT INTO temp.{table}(id, k) VALUES (?, ?)", pairs)


def compile_index(kb_dir: Path) -> None:
    """Write ``index/`` from the KB's database (replacing an older one).

    The tries are built from streamed keys; the arrays of one value per
    entry, surface or term are filled in chunks and saved as soon as they are
    complete; the CSR arrays of one value per pair (candidates, in-links,
    profile terms) come from queries that SQLite sorts on disk, and are
    written to their files as the rows arrive. Memory: a trie being built
    and arrays of a few numbers per entry or surface, not per pair.
    """
    from .aggregate import spill_to_disk  # not at the top: linking imports this module, not the build's

    con = sqlite3.connect(kb_dir / DB_NAME, isolation_level=None)
    out = kb_dir / INDEX_DIR
    tmp = kb_dir / (INDEX_DIR + ".tmp")
    tmp.mkdir(exist_ok=True)
    try:
        with spill_to_disk(con):
            con.execute("BEGIN")  # for the temp tables; the KB itself is only read
            _compile(con, tmp)
            con.execute("ROLLBACK")
    finally:
        con.close()
    manifest.write_manifest(tmp)
    if out.exists():
        old = kb_dir / (INDEX_DIR + ".old")
        out.rename(old)
        tmp.rename(out)
        for f in old.iterdir():
            f.unlink()
        old.rmdir()
    else:
        tmp.rename(out)


def _compile(con: sqlite3.Connection, tmp: Path) -> None:
    E = _entries(con, tmp)
    surfaces = _surfaces(con, tmp)
    # Candidates of each surface, most probable first.
    np.save(tmp / "cand_ptr.npy", _csr_from_sorted(
        con, "SELECT s.k, se.anchors + se.names AS c, se.anchors, e.k, se.weak FROM surface_entries se "
             "JOIN temp.surface_key s ON s.id = se.surface_id JOIN temp.entry_key e ON e.id = se.entry_id "
             "ORDER BY s.k, c DESC, se.weak DESC, e.k",
        len(surfaces), [(tmp / "cand_count.npy", np.int32), (tmp / "cand_anchors.npy", np.int32),
                        (tmp / "cand_entry.npy", np.int32), (tmp / "cand_weak.npy", np.int32)]))
    _folded(con, surfaces, tmp)
    del surfaces
    np.save(tmp / "in_ptr.npy", _csr_from_sorted(
        con, "SELECT d.k, s.k FROM edges g JOIN temp.entry_key s ON s.id = g.src "
             "JOIN temp.entry_key d ON d.id = g.dst ORDER BY d.k, s.k",
        E, [(tmp / "in_src.npy", np.int32)]))
    _terms(con, tmp, n_docs=max(1, E))
    np.save(tmp / "prof_ptr.npy", _csr_from_sorted(
        con, "SELECT e.k, t.k, p.weight FROM profiles p JOIN temp.entry_key e ON e.id = p.entry_id "
             "JOIN temp.term_key t ON t.id = p.term_id ORDER BY e.k, t.k",
        E, [(tmp / "prof_term.npy", np.int32), (tmp / "prof_weight.npy", np.float32)]))


def _entries(con: sqlite3.Connection, tmp: Path) -> int:
    """titles.marisa and the per-entry arrays; ``temp.entry_key``: entries.id -> entry index."""
    titles = marisa_trie.Trie(t for (t,) in con.execute("SELECT title FROM entries"))
    titles.save(str(tmp / "titles.marisa"))
    E = len(titles)
    pop = np.zeros(E, dtype=np.int32)
    dab = np.zeros(E, dtype=np.bool_)
    size = np.zeros(E, dtype=np.int32)
    qid = np.zeros(E, dtype=np.int64)
    # A schema 2 store (before Wikidata; ``check --repair`` recompiles its index) has no qids.
    has_qid = any(col == "qid" for _, col, *_ in con.execute("PRAGMA table_info(entries)"))

    def rows() -> Iterator[tuple[int, int]]:
        for chunk in _chunks(con.execute(
                "SELECT id, title, is_disambiguation, popularity, size, "
                f"{'qid' if has_qid else 'NULL'} FROM entries ORDER BY id")):
            eid, title, is_dab, popularity, chars, q = zip(*chunk)
            keys = [titles[t] for t in title]
            pop[keys], dab[keys], size[keys] = popularity, is_dab, chars
            qid[keys] = [int(x[1:]) if x else 0 for x in q]
            yield from zip(eid, keys)

    _id_map(con, "entry_key", rows())
    # (No array of entries.id: it follows the order the sources were read in, and the
    # index must not: build(A, B) and build(B, A) write the same bytes.)
    for name, arr in (("popularity", pop), ("is_dab", dab), ("entry_size", size), ("qid", qid)):
        if name != "qid" or has_qid:
            np.save(tmp / f"{name}.npy", arr)
    return E


def _surfaces(con: sqlite3.Connection, tmp: Path) -> marisa_trie.Trie:
    """surfaces.marisa and the per-surface arrays; ``temp.surface_key``: surfaces.id -> surface id."""
    surfaces = marisa_trie.Trie(s for (s,) in con.execute("SELECT surface FROM surfaces"))
    surfaces.save(str(tmp / "surfaces.marisa"))
    S = len(surfaces)
    lp = np.full(S, np.nan, dtype=np.float32)
    plp = np.full(S, np.nan, dtype=np.float32)
    links = np.zeros(S, dtype=np.int32)
    max_len = 0

    def rows() -> Iterator[tuple[int, int]]:
        nonlocal max_len
        for chunk in _chunks(con.execute(
                "SELECT id, surface, link_count, link_prob, page_link_prob FROM surfaces ORDER BY id")):
            sid, surface, link_count, link_prob, page_link_prob = zip(*chunk)
            keys = [surfaces[s] for s in surface]
            links[keys] = link_count
            lp[keys] = np.array(link_prob, dtype=np.float64)  # None -> NaN
            plp[keys] = np.array(page_link_prob, dtype=np.float64)
            max_len = max(max_len, max(map(len, surface)))
            yield from zip(sid, keys)

    _id_map(con, "surface_key", rows())
    for name, arr in (("sf_link_prob", lp), ("sf_page_link_prob", plp), ("sf_links", links),
                      ("max_surface_len", np.array([max_len], dtype=np.int64))):
        np.save(tmp / f"{name}.npy", arr)
    return surfaces


def _folded(con: sqlite3.Connection, surfaces: marisa_trie.Trie, tmp: Path) -> None:
    """folded.marisa, the surfaces of each folded form (in the surface trie's order) and
    how the articles write it (``casing``)."""
    # Single characters ("A", "I") are never spotted: as words they are
    # letters and pronouns, and as prefixes they would match every word.
    folded = marisa_trie.Trie(fold(s) for s in surfaces.iterkeys() if len(s) > 1)
    folded.save(str(tmp / "folded.marisa"))
    fkey, members = array("i"), array("i")
    for s, k in surfaces.iteritems():
        if len(s) > 1:
            fkey.append(folded[fold(s)])
            members.append(k)
    fkeys = np.frombuffer(fkey, dtype=np.int32)
    np.save(tmp / "fold_ptr.npy", _ptr(np.bincount(fkeys, minlength=len(folded))))
    np.save(tmp / "fold_members.npy", np.frombuffer(members, dtype=np.int32)[np.argsort(fkeys, kind="stable")])
    upper = np.zeros(len(folded), dtype=np.int32)
    lower = np.zeros(len(folded), dtype=np.int32)
    seen = np.zeros(len(folded), dtype=np.int32)
    dated = np.zeros(len(folded), dtype=np.int32)
    for rows in _chunks(con.execute("SELECT folded, upper, lower, seen, dated FROM casing")):
        for key, u, w, n, d in rows:
            k = folded.get(key)
            if k is not None:
                upper[k], lower[k], seen[k], dated[k] = u, w, n, d
    for name, arr in (("fold_upper", upper), ("fold_lower", lower), ("fold_seen", seen), ("fold_dated", dated)):
        np.save(tmp / f"{name}.npy", arr)


def _terms(con: sqlite3.Connection, tmp: Path, n_docs: int) -> None:
    """terms.marisa and idf; ``temp.term_key``: terms.id -> term id."""
    terms = marisa_trie.Trie(t for (t,) in con.execute("SELECT term FROM terms"))
    terms.save(str(tmp / "terms.marisa"))
    idf = np.zeros(len(terms), dtype=np.float32)

    def rows() -> Iterator[tuple[int, int]]:
        for chunk in _chunks(con.execute("SELECT id, term, df FROM terms")):
            tid, term, df = zip(*chunk)
            keys = [terms[t] for t in term]
            idf[keys] = [math.log((n_docs + 1) / (d + 1)) + 1.0 for d in df]
            yield from zip(tid, keys)

    _id_map(con, "term_key", rows())
    np.save(tmp / "idf.npy", idf)


def load_index(kb_dir: Path) -> Index:
    """Open ``index/`` memory-mapped; ``KBDamagedError`` when a file is missing or
    cut short, or does not fit the others (``manifest``)."""
    d = kb_dir / INDEX_DIR
    manifest.check_sizes(kb_dir, d)

    def trie(name: str) -> marisa_trie.Trie:
        if not (d / name).is_file():
            raise KBVersionError(f"{kb_dir}: its index lacks {name} (an older or damaged KB) — rebuild it")
        t = marisa_trie.Trie()
        try:
            t.mmap(str(d / name))
        except (RuntimeError, OSError, ValueError) as exc:
            raise manifest.damaged(kb_dir, f"{name} is not a trie: {str(exc).rsplit(': ', 1)[-1]}") from None
        return t

    def arr(name: str) -> np.ndarray:
        # A plain ndarray view of the mapping: np.memmap's Python-level
        # __getitem__ costs more than the lookups themselves.
        path = d / f"{name}.npy"
        if not path.is_file():
            raise KBVersionError(f"{kb_dir}: its index lacks {name}.npy (an older or damaged KB) — rebuild it")
        try:
            return np.load(path, mmap_mode="r").view(np.ndarray)
        except (ValueError, OSError, EOFError) as exc:
            raise manifest.damaged(kb_dir, f"{name}.npy cannot be read: {exc}") from None

    titles = trie("titles.marisa")
    max_len = arr("max_surface_len")
    if max_len.shape != (1,):
        raise manifest.damaged(kb_dir, f"max_surface_len.npy has shape {max_len.shape}, expected (1,)")
    ix = Index(
        titles=titles,
        surfaces=trie("surfaces.marisa"),
        folded=trie("folded.marisa"),
        terms=trie("terms.marisa"),
        popularity=arr("popularity"),
        is_dab=arr("is_dab"),
        entry_size=arr("entry_size"),
        sf_link_prob=arr("sf_link_prob"),
        sf_page_link_prob=arr("sf_page_link_prob"),
        sf_links=arr("sf_links"),
        cand_ptr=arr("cand_ptr"),
        cand_entry=arr("cand_entry"),
        cand_count=arr("cand_count"),
        cand_anchors=arr("cand_anchors"),
        cand_weak=arr("cand_weak"),
        fold_ptr=arr("fold_ptr"),
        fold_members=arr("fold_members"),
        fold_upper=arr("fold_upper"),
        fold_lower=arr("fold_lower"),
        fold_seen=arr("fold_seen"),
        fold_dated=arr("fold_dated"),
        in_ptr=arr("in_ptr"),
        in_src=arr("in_src"),
        prof_ptr=arr("prof_ptr"),
        prof_term=arr("prof_term"),
        prof_weight=arr("prof_weight"),
        idf=arr("idf"),
        n_entries=len(titles),
        max_surface_len=int(max_len[0]),
        qid=arr("qid") if (d / "qid.npy").is_file() else None,
    )
    manifest.verify_shapes(kb_dir, ix)
    return ix
