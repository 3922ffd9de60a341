"""Compare two KBs by content (titles, not row ids)."""

from __future__ import annotations

import math
import sqlite3
from pathlib import Path

import numpy as np

from linkpedia.kb.store import live_dir

QUERIES = {
    "pages": "SELECT title, kind, redirect_to, preview, text, links, aliases FROM pages",
    "page_links": "SELECT p.title, l.target, l.anchor, l.n FROM page_links l JOIN pages p ON p.id = l.page",
    "entries": "SELECT title, is_disambiguation, preview, popularity, description FROM entries",
    "redirects": "SELECT r.title, e.title FROM redirects r JOIN entries e ON e.id = r.entry_id",
    "surfaces": "SELECT surface, link_count, occurrences, link_prob, link_pages, occurrence_pages,"
                " page_link_prob FROM surfaces",
    "surface_entries": "SELECT s.surface, e.title, se.anchors, se.names FROM surface_entries se"
                       " JOIN surfaces s ON s.id = se.surface_id JOIN entries e ON e.id = se.entry_id",
    "edges": "SELECT a.title, b.title, g.n FROM edges g JOIN entries a ON a.id = g.src"
             " JOIN entries b ON b.id = g.dst",
    "term_df": "SELECT term, df FROM term_df",
    "contexts": "SELECT target, term, n FROM contexts",
    "terms": "SELECT term, df FROM terms",
}


def snapshot(kb: Path) -> dict[str, set]:
    con = sqlite3.connect(live_dir(kb) / "kb.sqlite")
    try:
        out = {name: set(con.execute(q)) for name, q in QUERIES.items()}
        out["profiles"] = {
            (e, t, round(w, 5)) for e, t, w in con.execute(
                "SELECT e.title, t.term, p.weight FROM profiles p JOIN entries e ON e.id = p.entry_id"
                " JOIN terms t ON t.id = p.term_id")
        }
    finally:
        con.close()
    return out


def assert_same_kb(a: Path, b: Path) -> None:
    sa, sb = snapshot(a), snapshot(b)
    for name in sa:
        only_a, only_b = sa[name] - sb[name], sb[name] - sa[name]
        assert not only_a and not only_b, (name, sorted(only_a, key=str)[:5], sorted(only_b, key=str)[:5])
    ia, ib = live_dir(a) / "index", live_dir(b) / "index"
    for f in sorted(p.name for p in ia.iterdir()):
        if f in ("entry_db_id.npy", "manifest.json"):
            continue  # row ids of the store, which differ by history (and so the hashes); everything else may not
        if f.endswith(".marisa"):
            assert (ia / f).read_bytes() == (ib / f).read_bytes(), f
        else:
            x, y = np.load(ia / f), np.load(ib / f)
            if x.dtype.kind == "f":
                assert np.allclose(x, y, atol=1e-5, equal_nan=True), f
            else:
                assert np.array_equal(x, y), f


def models_close(a: dict, b: dict) -> bool:
    for part in ("disambiguation", "linking"):
        for key in ("weights", "mean", "scale"):
            if not all(math.isclose(x, y, rel_tol=1e-6, abs_tol=1e-9) for x, y in zip(a[part][key], b[part][key])):
                return False
    return True


def downgrade_contexts_to_schema_3(con: sqlite3.Connection) -> None:
    """The context sums as a version 3 KB held them: titles and terms written in every row."""
    con.executescript("""
CREATE TABLE contexts_v3 (target TEXT NOT NULL, term TEXT NOT NULL, n INTEGER NOT NULL,
  PRIMARY KEY (target, term)) WITHOUT ROWID;
INSERT INTO contexts_v3 SELECT target, term, n FROM contexts;
CREATE TABLE term_df_v3 (term TEXT PRIMARY KEY, df INTEGER NOT NULL) WITHOUT ROWID;
INSERT INTO term_df_v3 SELECT term, df FROM term_df;
DROP VIEW contexts; DROP TABLE context_counts; DROP TABLE context_targets; DROP TABLE term_df;
ALTER TABLE contexts_v3 RENAME TO contexts; ALTER TABLE term_df_v3 RENAME TO term_df;
""")
