"""Context profiles: each entry's top TF-IDF terms, from its lead and its in-link contexts.

The linker compares a mention's surrounding words with these profiles, the
classic bag-of-words context model (as in Wikifier and TagMe's successors),
cheap enough for a CPU and small enough to mmap.

Built in one pass over the entries in id order, merged with the in-link
contexts that SQLite joins, sums and sorts by entry on disk: one entry's
counts are in memory at a time, and rows are written as they are made. What
stays in memory grows with the vocabulary only (terms with ``df >= MIN_DF``):
a trie and two arrays, about 22 bytes per term (110 while the trie is built).
"""

from __future__ import annotations

import math
import sqlite3
from array import array
from itertools import groupby
from operator import itemgetter
from typing import Iterable, Iterator

import marisa_trie

from ..text import term_counts
from .aggregate import spill_to_disk
from .store import unpack_text

__all__ = ["build", "idf"]

MIN_DF = 2  # rarer terms identify nothing and bloat the vocabulary
CONTEXT_WEIGHT = 0.5  # an in-link context word counts half a lead word


def idf(df: int, n_docs: int) -> float:
    return math.log((n_docs + 1) / (df + 1)) + 1.0


class _Vocab:
    """The terms with ``df >= MIN_DF``: term -> terms.id through a trie, and idf by terms.id."""

    def __init__(self, con: sqlite3.Connection, n_docs: int):
        self.trie = marisa_trie.Trie(t for (t,) in con.execute("SELECT term FROM terms"))
        n = len(self.trie)
        self.tid = array("q", bytes(8 * n))  # trie key -> terms.id
        self.idf = array("d", bytes(8 * (n + 1)))  # terms.id (1..n) -> idf
        for tid, term, df in con.execute("SELECT id, term, df FROM terms"):
            self.tid[self.trie[term]] = tid
            self.idf[tid] = idf(df, n_docs)

    def lead_counts(self, blob: bytes) -> dict[int, float]:
        """terms.id -> count, for the words of an article's lead that are in the vocabulary."""
        get, tid = self.trie.get, self.tid
        out: dict[int, float] = {}
        for t, n in term_counts(unpack_text(blob).split("\n\n", 1)[0]).items():
            k = get(t)
            if k is not None:
                out[tid[k]] = n
        return out


def build(con: sqlite3.Connection, n_docs: int, *, keep: int = 32) -> None:
    """Fill ``terms`` and ``profiles`` from ``term_df``, ``contexts`` and the articles' leads."""
    con.execute("DELETE FROM terms")
    con.execute("DELETE FROM profiles")
    with spill_to_disk(con):
        con.execute("BEGIN")
        # ids in term order, as sorted() gives them (UTF-8 byte order is code point order)
        con.execute("INSERT INTO terms(id, term, df) SELECT row_number() OVER (ORDER BY term), term, df "
                    "FROM term_df WHERE df >= ?", (MIN_DF,))
        vocab = _Vocab(con, n_docs)
        con.execute("CREATE TEMP TABLE entry_titles(title TEXT PRIMARY KEY, eid INTEGER NOT NULL) WITHOUT ROWID")
        con.execute("INSERT INTO temp.entry_titles SELECT title, id FROM entries "
                    "UNION ALL SELECT title, entry_id FROM redirects ORDER BY title")
        # Each context target's entry and each counted word's term, by id, so that the
        # sums are joined on integers, once per target and word, not on text once per row.
        con.execute("CREATE TEMP TABLE target_entry(target_id INTEGER PRIMARY KEY, eid INTEGER NOT NULL)")
        con.execute("INSERT INTO temp.target_entry SELECT c.id, m.eid FROM context_targets c "
                    "JOIN temp.entry_titles m ON m.title = c.title")
        con.execute("CREATE TEMP TABLE word_term(term_id INTEGER PRIMARY KEY, tid INTEGER NOT NULL)")
        con.execute("INSERT INTO temp.word_term SELECT w.id, t.id FROM term_df w JOIN terms t ON t.term = w.term")
        contexts = con.execute(
            "SELECT m.eid, w.tid, sum(c.n) FROM context_counts c JOIN temp.target_entry m ON m.target_id = c.target_id "
            "JOIN temp.word_term w ON w.term_id = c.term_id GROUP BY m.eid, w.tid ORDER BY m.eid, w.tid")
        leads = con.execute("SELECT e.id, p.text FROM entries e JOIN pages p ON p.id = e.id ORDER BY e.id")
        con.executemany("INSERT INTO profiles(entry_id, term_id, weight) VALUES (?,?,?)",
                        _rows(leads, contexts, vocab, keep))
        for table in ("entry_titles", "target_entry", "word_term"):
            con.execute(f"DROP TABLE temp.{table}")
        con.execute("COMMIT")


def _rows(leads: Iterable[tuple[int, bytes | None]], contexts: Iterable[tuple[int, int, int]],
          vocab: _Vocab, keep: int) -> Iterator[tuple[int, int, float]]:
    """Profile rows of every entry: the leads (by entry id) merged with the context sums (by entry id)."""
    groups = groupby(contexts, key=itemgetter(0))
    ctx = next(groups, None)
    for eid, blob in leads:
        tf = vocab.lead_counts(blob) if blob is not None else {}
        while ctx is not None and ctx[0] <= eid:
            if ctx[0] == eid:
                for _, tid, n in ctx[1]:
                    tf[tid] = tf.get(tid, 0) + n * CONTEXT_WEIGHT
            ctx = next(groups, None)  # contexts only map to entries: none is skipped
        if tf:
            yield from _profile(eid, tf, vocab.idf, keep)


def _profile(eid: int, tf: dict[int, float], idf_of: array, keep: int) -> list[tuple[int, int, float]]:
    weights = [((1.0 + math.log(n)) * idf_of[tid], tid) for tid, n in tf.items() if n > 0]
    weights.sort(reverse=True)
    weights = weights[:keep]
    norm = math.sqrt(sum(w * w for w, _ in weights)) or 1.0
    return [(eid, tid, w / norm) for w, tid in weights]
