"""``build --aliases FILE``: other names of entries, from a file the user passes in.

A TSV of ``alias<TAB>title`` lines (plain, .gz or .bz2; ``#`` starts a
comment), such as DBpedia's redirect list. Titles are matched to the KB's
pages as written, else case-insensitively: some lists are lower-cased
throughout ("obama<TAB>barack obama"). Pairs whose title is no page of the
KB are left out, unless one of that title's names is a page spelled with
its letters (``_resolve``); the rest are kept in ``aux_aliases``, so an
update derives the same surfaces again.
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
    _resolve(con)
    con.execute("INSERT OR IGNORE INTO aux_aliases(surface, title) "
                "SELECT surface, page FROM temp.alias_pages WHERE page IS NOT NULL AND surface != page")
    con.execute("DROP TABLE temp.alias_pages")
    con.execute("DROP TABLE temp.raw_aliases")
    con.execute("DROP TABLE temp.title_key")
    return con.execute("SELECT count(*) FROM aux_aliases").fetchone()[0] - before


def _letters(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum())


def _resolve(con: sqlite3.Connection) -> None:
    """``temp.alias_pages(surface, page)``: each pair's page, its title matched
    as written or case-insensitively. A title that is no page but whose names
    include a page of the KB spelled with the same letters (a list older than
    the KB: "walmart" -> "wal-mart", where Walmart is the page) names that
    page, with all its names ("wallmart"), if it is the only one. (Any page
    among its names would do, but then "page" made Page of "polyacrylamide gel
    electrophoresis". Following the list's own redirect chains, "test matches"
    -> "test match" -> "test cricket", went through lower-case collisions:
    "sequel film" became SQL.)"""
    con.execute("CREATE TEMP TABLE alias_pages AS SELECT r.surface AS surface, r.title AS title, "
                "coalesce(p.title, k.title) AS page FROM temp.raw_aliases r "
                "LEFT JOIN pages p ON p.title = r.title LEFT JOIN temp.title_key k ON k.key = lower(r.title)")
    # The pages among the names of each title that is no page.
    con.create_function("letters", 1, _letters, deterministic=True)
    con.execute("CREATE TEMP TABLE alias_orphans AS SELECT a.title AS title, min(k.title) AS page, "
                "count(DISTINCT k.title) AS pages FROM temp.alias_pages a "
                "JOIN temp.title_key k ON k.key = lower(a.surface) "
                "WHERE a.page IS NULL AND letters(a.surface) = letters(a.title) GROUP BY a.title")
    con.execute("CREATE UNIQUE INDEX temp.alias_orphans_title ON alias_orphans(title)")
    con.execute("UPDATE temp.alias_pages SET page = o.page FROM temp.alias_orphans o "
                "WHERE alias_pages.page IS NULL AND o.title = alias_pages.title AND o.pages = 1")
    con.execute("INSERT INTO temp.alias_pages(surface, title, page) "
                "SELECT title, title, page FROM temp.alias_orphans WHERE pages = 1")
    con.execute("DROP TABLE temp.alias_orphans")
