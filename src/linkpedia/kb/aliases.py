"""``build --aliases FILE``: other names of entries, from a file the user passes in.

A TSV of ``alias<TAB>title`` lines (plain, .gz or .bz2; ``#`` starts a
comment), such as DBpedia's redirect list. Titles are matched to the KB's
pages as written, else case-insensitively: some lists are lower-cased
throughout ("obama<TAB>barack obama"). Pairs whose title is no page of the
KB are left out; the rest are kept in ``aux_aliases``, so an update derives
the same surfaces again.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Iterator, Sequence

from ..errors import SourceFormatError
from ..sources._io import decode_line, iter_lines, open_stream, require_file, stream_errors

__all__ = ["load_aliases"]

MAX_LINE = 10_000
BATCH = 50_000


def _pairs(path: Path) -> Iterator[tuple[str, str]]:
    with open_stream(path) as opened, stream_errors(path, opened, None):
        for number, offset, raw in iter_lines(opened.stream, MAX_LINE):
            if raw is None:
                raise SourceFormatError(f"a line longer than {MAX_LINE:,} bytes — is this an alias list?",
                                        path=str(path), position=f"line {number}")
            line = decode_line(raw, path, number, offset).rstrip("\r\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            alias, sep, title = line.partition("\t")
            alias, title = " ".join(alias.split()), " ".join(title.split())
            if not sep or not alias or not title or "\t" in title:
                raise SourceFormatError("expected 'alias<TAB>title' — write one alias and its title per line",
                                        path=str(path), position=f"line {number}")
            yield alias, title


def load_aliases(con: sqlite3.Connection, paths: Sequence[str | Path]) -> int:
    """Add the files' pairs whose title is a page of the KB to ``aux_aliases``; how many were new."""
    files = [require_file(p) for p in paths]
    con.execute("CREATE TEMP TABLE IF NOT EXISTS title_key(key TEXT PRIMARY KEY, title TEXT NOT NULL) WITHOUT ROWID")
    con.execute("DELETE FROM temp.title_key")
    # The smallest title of those that lower-case alike stands for them all (rare, deterministic).
    con.executemany("INSERT INTO temp.title_key(key, title) VALUES (?, ?) "
                    "ON CONFLICT(key) DO UPDATE SET title = min(title, excluded.title)",
                    ((t.lower(), t) for (t,) in con.execute("SELECT title FROM pages").fetchall()))
    before = con.execute("SELECT count(*) FROM aux_aliases").fetchone()[0]
    con.execute("CREATE TEMP TABLE IF NOT EXISTS raw_aliases(surface TEXT NOT NULL, title TEXT NOT NULL)")
    for path in files:
        batch: list[tuple[str, str]] = []
        for pair in _pairs(path):
            batch.append(pair)
            if len(batch) >= BATCH:
                con.executemany("INSERT INTO temp.raw_aliases VALUES (?, ?)", batch)
                batch = []
        con.executemany("INSERT INTO temp.raw_aliases VALUES (?, ?)", batch)
    con.execute(
        "INSERT OR IGNORE INTO aux_aliases(surface, title) "
        "SELECT r.surface, coalesce(p.title, k.title) FROM temp.raw_aliases r "
        "LEFT JOIN pages p ON p.title = r.title LEFT JOIN temp.title_key k ON k.key = lower(r.title) "
        "WHERE coalesce(p.title, k.title) IS NOT NULL AND r.surface != coalesce(p.title, k.title)")
    con.execute("DROP TABLE temp.raw_aliases")
    con.execute("DROP TABLE temp.title_key")
    return con.execute("SELECT count(*) FROM aux_aliases").fetchone()[0] - before
