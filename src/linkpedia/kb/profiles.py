"""Context profiles: each entry's top TF-IDF terms, from its lead and its in-link contexts.

The linker compares a mention's surrounding words with these profiles, the
classic bag-of-words context model (as in Wikifier and TagMe's successors),
cheap enough for a CPU and small enough to mmap.
"""

from __future__ import annotations

import math
import sqlite3
from collections import Counter

from ..text import _term, term_counts
from .store import unpack_text

__all__ = ["build", "idf"]

MIN_DF = 2  # rarer terms identify nothing and bloat the vocabulary
CONTEXT_WEIGHT = 0.5  # an in-link context word counts half a lead word


def idf(df: int, n_docs: int) -> float:
    return math.log((n_docs + 1) / (df + 1)) + 1.0


def build(
    con: sqlite3.Connection,
    df: Counter[str],  # lower-cased word -> pages containing it
    n_docs: int,
    contexts: dict[str, Counter[str]],
    *,
    keep: int = 32,
) -> None:
    """Fill ``terms`` and ``profiles``."""
    con.execute("DELETE FROM terms")
    con.execute("DELETE FROM profiles")
    con.execute("BEGIN")
    df = term_df(df)
    vocab = {t: i for i, t in enumerate(sorted(t for t, n in df.items() if n >= MIN_DF), start=1)}
    con.executemany("INSERT INTO terms(id, term, df) VALUES (?,?,?)",
                    ((i, t, df[t]) for t, i in vocab.items()))
    entry_of = dict(con.execute("SELECT title, id FROM entries"))
    entry_of.update(con.execute("SELECT title, entry_id FROM redirects"))
    by_entry: dict[int, Counter[str]] = {}
    for target, counts in contexts.items():
        eid = entry_of.get(target)
        if eid is None:
            continue
        acc = by_entry.setdefault(eid, Counter())
        for t, n in counts.items():
            acc[t] += n * CONTEXT_WEIGHT
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
    for eid, ctx in by_entry.items():  # entries known only through links to them
        rows.extend(_profile(eid, ctx, vocab, df, n_docs, keep))
    con.executemany("INSERT INTO profiles(entry_id, term_id, weight) VALUES (?,?,?)", rows)
    con.execute("COMMIT")


def term_df(word_df: Counter[str]) -> Counter[str]:
    """Document frequencies of terms from those of lower-cased words (filtered once per word)."""
    out: Counter[str] = Counter()
    for w, n in word_df.items():
        t = _term(w)
        if t is not None:
            out[t] += n
    return out


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
