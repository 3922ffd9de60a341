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

import math
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

import marisa_trie
import numpy as np

from ..text import fold
from ..errors import KBVersionError
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
    entry_db_id: np.ndarray  # [E] entries.id of each entry index
    popularity: np.ndarray  # [E] in-link count
    is_dab: np.ndarray  # [E] bool
    sf_link_prob: np.ndarray  # [S] float32, NaN = unknown
    sf_page_link_prob: np.ndarray  # [S] float32, NaN = unknown
    sf_links: np.ndarray  # [S] times linked
    cand_ptr: np.ndarray  # [S+1] CSR into cand_* (most probable first)
    cand_entry: np.ndarray  # entry index
    cand_count: np.ndarray  # anchors + names (the prior's numerator)
    cand_anchors: np.ndarray  # anchors only
    fold_ptr: np.ndarray  # [F+1] CSR into fold_members
    fold_members: np.ndarray  # surface ids sharing a folded form
    in_ptr: np.ndarray  # [E+1] CSR into in_src
    in_src: np.ndarray  # entry indexes linking to the entry, sorted
    prof_ptr: np.ndarray  # [E+1] CSR into prof_term/prof_weight
    prof_term: np.ndarray  # term ids, sorted
    prof_weight: np.ndarray  # L2-normalized TF-IDF weights
    idf: np.ndarray  # [T]
    n_entries: int
    max_surface_len: int
    # Memo of per-surface lookups that repeat across documents (bounded; safe to
    # share between threads: a race costs a recomputation, never a wrong value).
    memo: dict = field(default_factory=dict, compare=False, repr=False)

    def memoized(self, table: str, key, compute):
        """``compute()``, remembered under ``key`` in ``table`` (cleared when it grows large)."""
        memo = self.memo.get(table)
        if memo is None:
            memo = self.memo.setdefault(table, {})
        hit = memo.get(key)
        if hit is None:
            hit = compute()
            if len(memo) > MEMO_SIZE:
                memo.clear()
            memo[key] = hit
        return hit


def _csr(groups: list[list], dtype) -> tuple[np.ndarray, np.ndarray]:
    ptr = np.zeros(len(groups) + 1, dtype=np.int64)
    ptr[1:] = np.cumsum([len(g) for g in groups])
    flat = np.fromiter((x for g in groups for x in g), dtype=dtype, count=int(ptr[-1]))
    return ptr, flat


def compile_index(kb_dir: Path) -> None:
    """Write ``index/`` from the KB's database (replacing an older one)."""
    con = sqlite3.connect(kb_dir / DB_NAME)
    out = kb_dir / INDEX_DIR
    tmp = kb_dir / (INDEX_DIR + ".tmp")
    tmp.mkdir(exist_ok=True)
    rows = con.execute("SELECT id, title, is_disambiguation, popularity FROM entries").fetchall()
    titles = marisa_trie.Trie([r[1] for r in rows])
    E = len(titles)
    idx_of: dict[int, int] = {}
    db_id = np.zeros(E, dtype=np.int64)
    pop = np.zeros(E, dtype=np.int32)
    dab = np.zeros(E, dtype=np.bool_)
    for eid, title, is_dab, popularity in rows:
        i = titles[title]
        idx_of[eid] = i
        db_id[i], pop[i], dab[i] = eid, popularity, bool(is_dab)

    srows = con.execute(
        "SELECT id, surface, link_count, link_prob, page_link_prob FROM surfaces").fetchall()
    surfaces = marisa_trie.Trie([r[1] for r in srows])
    S = len(surfaces)
    sid_of: dict[int, int] = {}
    lp = np.full(S, np.nan, dtype=np.float32)
    plp = np.full(S, np.nan, dtype=np.float32)
    links = np.zeros(S, dtype=np.int32)
    max_len = 0
    for db_sid, surface, link_count, link_prob, page_link_prob in srows:
        k = surfaces[surface]
        sid_of[db_sid] = k
        links[k] = link_count
        if link_prob is not None:
            lp[k] = link_prob
        if page_link_prob is not None:
            plp[k] = page_link_prob
        max_len = max(max_len, len(surface))
    cands: list[list[tuple[int, int, int]]] = [[] for _ in range(S)]
    for db_sid, eid, anchors, names in con.execute(
        "SELECT surface_id, entry_id, anchors, names FROM surface_entries"
    ):
        cands[sid_of[db_sid]].append((anchors + names, anchors, idx_of[eid]))
    for c in cands:
        c.sort(key=lambda x: (-x[0], x[2]))
    cand_ptr, cand_entry = _csr([[x[2] for x in c] for c in cands], np.int32)
    _, cand_count = _csr([[x[0] for x in c] for c in cands], np.int32)
    _, cand_anchors = _csr([[x[1] for x in c] for c in cands], np.int32)

    # Single characters ("A", "I") are never spotted: as words they are
    # letters and pronouns, and as prefixes they would match every word.
    folded = marisa_trie.Trie([fold(s) for s in surfaces.keys() if len(s) > 1])
    members: list[list[int]] = [[] for _ in range(len(folded))]
    for s in surfaces.keys():
        if len(s) > 1:
            members[folded[fold(s)]].append(surfaces[s])
    fold_ptr, fold_members = _csr(members, np.int32)

    inl: list[list[int]] = [[] for _ in range(E)]
    for src, dst in con.execute("SELECT src, dst FROM edges"):
        if src in idx_of and dst in idx_of:
            inl[idx_of[dst]].append(idx_of[src])
    for lst in inl:
        lst.sort()
    in_ptr, in_src = _csr(inl, np.int32)

    trows = con.execute("SELECT id, term, df FROM terms").fetchall()
    terms = marisa_trie.Trie([r[1] for r in trows])
    n_docs = max(1, con.execute("SELECT count(*) FROM entries").fetchone()[0])
    idf = np.zeros(len(terms), dtype=np.float32)
    tid_of: dict[int, int] = {}
    for db_tid, term, df in trows:
        k = terms[term]
        tid_of[db_tid] = k
        idf[k] = math.log((n_docs + 1) / (df + 1)) + 1.0
    prof: list[list[tuple[int, float]]] = [[] for _ in range(E)]
    for eid, tid, w in con.execute("SELECT entry_id, term_id, weight FROM profiles"):
        if eid in idx_of and tid in tid_of:
            prof[idx_of[eid]].append((tid_of[tid], w))
    for p in prof:
        p.sort()
    prof_ptr, prof_term = _csr([[t for t, _ in p] for p in prof], np.int32)
    _, prof_weight = _csr([[w for _, w in p] for p in prof], np.float32)
    con.close()

    titles.save(str(tmp / "titles.marisa"))
    surfaces.save(str(tmp / "surfaces.marisa"))
    folded.save(str(tmp / "folded.marisa"))
    terms.save(str(tmp / "terms.marisa"))
    arrays = dict(
        entry_db_id=db_id, popularity=pop, is_dab=dab, sf_link_prob=lp, sf_page_link_prob=plp,
        sf_links=links,
        cand_ptr=cand_ptr, cand_entry=cand_entry, cand_count=cand_count,
        cand_anchors=cand_anchors, fold_ptr=fold_ptr, fold_members=fold_members,
        in_ptr=in_ptr, in_src=in_src, prof_ptr=prof_ptr, prof_term=prof_term,
        prof_weight=prof_weight, idf=idf, max_surface_len=np.array([max_len], dtype=np.int64),
    )
    for name, arr in arrays.items():
        np.save(tmp / f"{name}.npy", arr)
    if out.exists():
        old = kb_dir / (INDEX_DIR + ".old")
        out.rename(old)
        tmp.rename(out)
        for f in old.iterdir():
            f.unlink()
        old.rmdir()
    else:
        tmp.rename(out)


def load_index(kb_dir: Path) -> Index:
    """Open ``index/`` memory-mapped."""
    d = kb_dir / INDEX_DIR

    def trie(name: str) -> marisa_trie.Trie:
        if not (d / name).is_file():
            raise KBVersionError(f"{kb_dir}: its index lacks {name} (an older or damaged KB) — rebuild it")
        t = marisa_trie.Trie()
        t.mmap(str(d / name))
        return t

    def arr(name: str) -> np.ndarray:
        # A plain ndarray view of the mapping: np.memmap's Python-level
        # __getitem__ costs more than the lookups themselves.
        path = d / f"{name}.npy"
        if not path.is_file():
            raise KBVersionError(f"{kb_dir}: its index lacks {name}.npy (an older or damaged KB) — rebuild it")
        return np.load(path, mmap_mode="r").view(np.ndarray)

    titles = trie("titles.marisa")
    return Index(
        titles=titles,
        surfaces=trie("surfaces.marisa"),
        folded=trie("folded.marisa"),
        terms=trie("terms.marisa"),
        entry_db_id=arr("entry_db_id"),
        popularity=arr("popularity"),
        is_dab=arr("is_dab"),
        sf_link_prob=arr("sf_link_prob"),
        sf_page_link_prob=arr("sf_page_link_prob"),
        sf_links=arr("sf_links"),
        cand_ptr=arr("cand_ptr"),
        cand_entry=arr("cand_entry"),
        cand_count=arr("cand_count"),
        cand_anchors=arr("cand_anchors"),
        fold_ptr=arr("fold_ptr"),
        fold_members=arr("fold_members"),
        in_ptr=arr("in_ptr"),
        in_src=arr("in_src"),
        prof_ptr=arr("prof_ptr"),
        prof_term=arr("prof_term"),
        prof_weight=arr("prof_weight"),
        idf=arr("idf"),
        n_entries=len(titles),
        max_surface_len=int(arr("max_surface_len")[0]),
    )
