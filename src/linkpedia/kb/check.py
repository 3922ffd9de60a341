"""``linkpedia check``: is this KB whole? The store, the index, the scorer.

Opening a KB checks what is cheap (index sizes against the manifest, array
shapes); this reads everything: SQLite's ``integrity_check``, every index
file's hash, every id's range, and the index's counts against the store.
``repair`` recompiles a damaged index from ``kb.sqlite``, the store of record.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import KBDamagedError, KBVersionError
from . import index, manifest
from .lock import write_lock
from .store import check_kb_dir, connect_ro

__all__ = ["Finding", "check_kb"]


@dataclass(frozen=True)
class Finding:
    part: str  # "kb.sqlite", "index", "scorer"
    ok: bool
    message: str


def _store(db: Path) -> Finding:
    try:
        con = connect_ro(db)
        try:
            rows = [r[0] for r in con.execute("PRAGMA integrity_check")]
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        return Finding("kb.sqlite", False, f"cannot be read ({exc}) — rebuild the KB with `linkpedia build`")
    if rows == ["ok"]:
        return Finding("kb.sqlite", True, "integrity_check ok")
    return Finding("kb.sqlite", False, f"integrity_check: {'; '.join(rows[:3])}"
                   f"{f' (and {len(rows) - 3} more)' if len(rows) > 3 else ''} — rebuild the KB with `linkpedia build`")


def _index(kb: Path, live: Path, db: Path) -> Finding:
    try:
        ix = index.load_index(live)
        manifest.verify_shapes(live, ix, full=True)
    except (KBDamagedError, KBVersionError) as exc:
        return Finding("index", False, str(exc))
    changed = manifest.check_hashes(live, live / index.INDEX_DIR)
    if changed:
        return Finding("index", False, str(manifest.damaged(live, f"{', '.join(changed)} changed since compiled")))
    con = connect_ro(db)
    try:
        q = lambda sql: con.execute(sql).fetchone()[0]  # noqa: E731
        counts = {"entries": (q("SELECT count(*) FROM entries"), len(ix.titles)),
                  "surfaces": (q("SELECT count(*) FROM surfaces"), len(ix.surfaces)),
                  "terms": (q("SELECT count(*) FROM terms"), len(ix.terms))}
        if ix.qid is not None:
            counts["QIDs"] = (q("SELECT count(*) FROM entries WHERE qid IS NOT NULL"), int(np.count_nonzero(ix.qid)))
    finally:
        con.close()
    for name, (stored, indexed) in counts.items():
        if stored != indexed:
            return Finding("index", False, str(manifest.damaged(
                live, f"{indexed:,} {name} in the index, {stored:,} in kb.sqlite")))
    files = len(list((live / index.INDEX_DIR).iterdir()))
    return Finding("index", True, f"{files} files; sizes, shapes, ids, hashes and counts as compiled")


def _scorer(live: Path) -> Finding:
    from ..link.model import Model

    try:
        model = Model.load(live)
    except (ValueError, KeyError, TypeError) as exc:
        return Finding("scorer", False, f"model.json does not load ({exc}) — rebuild the KB")
    return Finding("scorer", True, "model.json loads" if model is not None else "no model.json: default weights")


def check_kb(path: str | Path, *, repair: bool = False) -> list[Finding]:
    """Every check's finding; with ``repair``, a damaged index is recompiled and checked again."""
    kb = Path(path)
    db = check_kb_dir(kb)
    live = db.parent
    store = _store(db)
    found = _index(kb, live, db)
    if repair and not found.ok and store.ok:
        with write_lock(kb):
            index.compile_index(live)
        again = _index(kb, live, db)
        found = Finding("index", again.ok, ("recompiled from kb.sqlite: " if again.ok else "") + again.message)
    return [store, found, _scorer(live)]
