"""Entries by another name: an alias that links in text is also a title to look up.

``resolve`` follows titles and redirects only, but a page's aliases (JSONL
``aliases``, names the lead declares) are spotting surfaces too, so "Wilno"
was linked to Vilnius in text while ``/api/entries/Wilno`` answered 404. A
lookup that finds no title or redirect falls back here: the entry the exact
surface names (``names`` > 0: declared, not merely anchor text), the most
frequent first. Linking itself is not changed.
"""

from __future__ import annotations

import sqlite3

from ..wikitext import normalize_title

__all__ = ["entry_named"]

_SQL = ("SELECT e.title FROM surfaces s JOIN surface_entries se ON se.surface_id = s.id "
        "JOIN entries e ON e.id = se.entry_id WHERE s.surface = ? AND se.names > 0 "
        "ORDER BY se.anchors + se.names DESC, e.title LIMIT 1")


def entry_named(con: sqlite3.Connection, name: str) -> str | None:
    plain = " ".join(name.replace("_", " ").split())
    for surface in dict.fromkeys((plain, normalize_title(plain))):
        if surface:
            row = con.execute(_SQL, (surface,)).fetchone()
            if row:
                return row[0]
    return None
