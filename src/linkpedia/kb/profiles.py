"""Context profiles: each entry's top TF-IDF terms, from its lead and its in-link contexts.

The linker compares a mention's surrounding words with these profiles, the
classic bag-of-words context model (as in Wikifier and TagMe's successors),
cheap enough for a CPU and small enough to mmap.
"""

from __future__ import annotations

import math
import sqlite3
from collections import Counter

from ..text import term_counts
from .store import unpack_text

__all__ = ["build", "idf"]

MIN_DF = 2  # rarer terms identify nothing and bloat the vocabulary
CONTEXT_WEIGHT = 0.5  # an in-link context word counts half a lead word


def idf(df: int, n_docs: int) -> float:
    return math.log((n_docs + 1) / (df + 1)) + 1.0


def build(con: sqlite3.Connection, n_docs: int, *, keep: int = 32) -> None:
    """Fill ``terms`` and ``profiles`` from ``term_df``, ``contexts`` and the articles' leads."""
    con.execute("DELETE FROM terms")
    con.execute("DELETE FROM profiles")
    con.execute("BEGIN")
    df = dict(con.execute("SELECT term, df FROM term_df WHERE df >= ?", (MIN_DF,)))
    vocab = {t: i for i, t in enumerate(sorted(df), start=1)}
    con.executemany("INSERT INTO terms(id, term, df) VALUES (?,?,?)",
                    ((i, t, df[t]) for t, i in vocab.items()))
    entry_of = dict(con.execute("SELECT title, id FROM entries"))
    entry_of.update(con.execute("SELECT title, entry_id FROM redirects"))
    by_entry: dict[int, Counter[str]] = {}
    for target, term, n in con.execute("SELECT target, term, n FROM contexts"):
        eid = entry_of.get(target)
        if eid is not None and term in vocab:
            acc = by_entry.get(eid)
            if acc is None:
                acc = by_entry[eid] = Counter()
            acc[term] += n * CONTEXT_WEIGHT
    rows = []
    for eid, blob in con.execute(
        "SELECT e.id, p.text FROM entries e JOIN pages p ON p.id = e.id WHERE p.text IS NOT NULL"
    ):
        lead = unpack_text(blob).split("\n\n", 1)[0]
        tf = term_counts(lead)
        ctx = by_entry.pop(eid, None)
        if ctx:
            tf.update(ctx)
        rows.extend(_profile(eid, tf, vocab, df, n_docs, keep))
    for eid, ctx in by_entry.items():  # entries whose page has no text
        rows.extend(_profile(eid, ctx, vocab, df, n_docs, keep))
    con.executemany("INSERT INTO profiles(entry_id, term_id, weight) VALUES (?,?,?)", rows)
    con.execute("COMMIT")


def _profile(eid: int, tf: Counter[str], vocab: dict[str, int], df: Counter[str], n_docs: int,
             keep: int) -> list[tuple[int, int, float]]:
    weights = []
    for t, n in tf.items():
        tid = vocab.get(t)
        if tid is not None and n > 0:
            weights.append(((1.0 + math.log(n)) * idf(df[t], n_docs), tid))
    weights.sort(reverse=True)
    weights = weights[:keep]
    norm = math.sqrt(sum(w * w for w, _ in weights)) or 1.0
    return [(eid, tid, w / norm) for w, tid in weights]
