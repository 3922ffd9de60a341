"""Derive entries, redirects, surfaces and the link graph from per-page rows.

Runs after pass 1 and again after an update; everything here is a function of
the ``pages`` and ``page_links`` tables alone.

The joins and sums run inside SQLite (temp tables, ``INSERT … SELECT … GROUP
BY``) with temporary storage on disk, so memory stays bounded whatever the
dump's size: SQLite sorts hundreds of millions of links in files, not in
Python dicts. Python only streams the rows it must compute itself (title
parentheticals, aliases), one at a time.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections import Counter
from contextlib import contextmanager
from typing import Iterable, Iterator

from .extract import comma_base, parenthetical_base
from .names import WEAK_KINDS, recase

__all__ = ["derive", "resolve_redirects", "spill_to_disk", "MAX_REDIRECT_DEPTH", "DERIVED_SKIP_KEYS"]

MAX_REDIRECT_DEPTH = 16
LOOP_KEY = "redirect in a loop (dropped)"
DANGLING_KEY = "redirect to a missing page (dropped)"
DERIVED_SKIP_KEYS = (LOOP_KEY, DANGLING_KEY)  # counted by ``derive``, not by the readers
TEMP_CACHE_KIB = 64 * 1024  # page cache of the temp tables
MIN_SORT_CACHE_KIB = 64 * 1024  # SQLite sizes its sort buffers from the main cache (capped at 512 MiB)


@contextmanager
def spill_to_disk(con: sqlite3.Connection) -> Iterator[None]:
    """Temp tables and sorts in files with bounded caches, for the length of a phase.

    With ``temp_store=MEMORY`` (how the build opens its store) SQLite keeps
    temp tables in RAM and never spills a sort; here both go to files in
    ``SQLITE_TMPDIR`` (else /var/tmp or /tmp: point it at a disk if /tmp is a
    RAM disk). Must be entered outside a transaction; the settings are put
    back on exit, which drops the temp tables.
    """
    store = con.execute("PRAGMA temp_store").fetchone()[0]
    main_cache = con.execute("PRAGMA main.cache_size").fetchone()[0]
    con.execute("PRAGMA temp_store=FILE")
    con.execute(f"PRAGMA temp.cache_size=-{TEMP_CACHE_KIB}")
    if _cache_kib(con, main_cache) < MIN_SORT_CACHE_KIB:
        con.execute(f"PRAGMA main.cache_size=-{MIN_SORT_CACHE_KIB}")
    try:
        yield
    finally:
        if not con.in_transaction:  # after a failure mid-transaction the caller rolls back
            con.execute(f"PRAGMA temp_store={store}")
            con.execute(f"PRAGMA main.cache_size={main_cache}")


def _cache_kib(con: sqlite3.Connection, cache_size: int) -> int:
    if cache_size < 0:
        return -cache_size
    return cache_size * con.execute("PRAGMA page_size").fetchone()[0] // 1024


def resolve_redirects(
    redirects: dict[str, str], titles: dict[str, int]
) -> tuple[dict[str, int], int, int]:
    """Follow redirect chains to entries; (resolved, loops dropped, dangling dropped).

    The reference semantics, in memory; ``derive`` computes the same in SQL
    (``_resolve_in_sql``), and a test holds the two together.
    """
    resolved: dict[str, int] = {}
    loops = dangling = 0
    for start in redirects:
        seen = {start}
        cur = redirects[start]
        ok = None
        for _ in range(MAX_REDIRECT_DEPTH):
            if cur in titles:
                ok = titles[cur]
                break
            if cur in seen or cur not in redirects:
                break
            seen.add(cur)
            cur = redirects[cur]
        if ok is not None:
            resolved[start] = ok
        elif cur in seen or cur in redirects:
            loops += 1
        else:
            dangling += 1
    return resolved, loops, dangling


def _resolve_in_sql(con: sqlite3.Connection) -> tuple[int, int]:
    """Fill ``temp.resolved`` (redirect title -> entry id); (loops, dangling).

    Every unresolved redirect takes one step per round, up to the depth
    limit. The redirect graph has one successor per node, so a chain that
    revisits a redirect never leaves the redirects: ``resolve_redirects``'s
    ``seen`` set is not needed. A chain still on a redirect after the last
    round is a loop (or too long); one that reached anything else there is
    dangling, as in ``resolve_redirects``.
    """
    con.execute("CREATE TEMP TABLE walk(start TEXT PRIMARY KEY, cur TEXT) WITHOUT ROWID")
    con.execute("CREATE TEMP TABLE resolved(title TEXT PRIMARY KEY, eid INTEGER NOT NULL) WITHOUT ROWID")
    con.execute("INSERT INTO walk SELECT title, redirect_to FROM pages WHERE kind = 'redirect' ORDER BY title")
    is_redirect = "EXISTS (SELECT 1 FROM pages p WHERE p.title = walk.cur AND p.kind = 'redirect')"
    dangling = 0
    for _ in range(MAX_REDIRECT_DEPTH):
        con.execute("INSERT INTO resolved SELECT w.start, e.id FROM walk w JOIN entries e ON e.title = w.cur")
        con.execute("DELETE FROM walk WHERE EXISTS (SELECT 1 FROM entries e WHERE e.title = walk.cur)")
        dangling += con.execute(f"DELETE FROM walk WHERE NOT {is_redirect}").rowcount
        if not con.execute("SELECT 1 FROM walk LIMIT 1").fetchone():
            break
        con.execute("UPDATE walk SET cur = (SELECT p.redirect_to FROM pages p WHERE p.title = walk.cur)")
    left, loops = con.execute(f"SELECT count(*), coalesce(sum({is_redirect}), 0) FROM walk").fetchone()
    con.execute("DROP TABLE walk")
    return loops, dangling + left - loops


def _names(con: sqlite3.Connection) -> Iterator[tuple[str, int, int, int]]:
    """(surface, entry id, weak, mined) of every name source, in the order the counts were
    first defined: article titles, their parentheticals and aliases, redirects,
    disambiguation senses; then the names articles give themselves, the
    user's aliases and Wikidata's. ``weak`` names make a candidate ranked below the full
    names (kb/names.py); ``mined`` ones are dropped where they are another
    entry's title."""
    for eid, title, aliases in con.execute(
        "SELECT id, title, aliases FROM pages WHERE kind = 'article' ORDER BY id"
    ):
        yield title, eid, 0, 0
        base = parenthetical_base(title)
        if base:
            yield base, eid, 0, 0
        place = comma_base(title)
        if place:
            yield place, eid, 1, 0
        for alias in json.loads(aliases):
            alias = " ".join(alias.split())
            if alias:
                yield alias, eid, 0, 0
    for title, eid in con.execute(
        "SELECT p.title, r.eid FROM pages p JOIN temp.resolved r ON r.title = p.title "
        "WHERE p.kind = 'redirect' ORDER BY p.id"
    ):
        yield title, eid, 0, 0
        base = parenthetical_base(title)
        if base:
            yield base, eid, 0, 0
    last = None
    for dab_id, dab_title, target, eid, target_is_dab in con.execute(
        "SELECT p.id, p.title, pl.target, t.eid, e.is_disambiguation FROM pages p "
        "JOIN page_links pl ON pl.page = p.id LEFT JOIN temp.titles t ON t.title = pl.target "
        "LEFT JOIN entries e ON e.id = t.eid WHERE p.kind = 'disambiguation' ORDER BY p.id, pl.target"
    ):
        if (dab_id, target) == last:  # one row per anchor; a sense counts once per target
            continue
        last = dab_id, target
        if eid is not None and not target_is_dab:
            yield parenthetical_base(dab_title) or dab_title, eid, 0, 0
    for eid, names in con.execute("SELECT id, names FROM pages WHERE kind = 'article' AND names != '[]' ORDER BY id"):
        for kind, name in json.loads(names):
            yield name, eid, int(kind in WEAK_KINDS), 1
    for surface, title, eid in con.execute(
        "SELECT a.surface, a.title, t.eid FROM aux_aliases a JOIN temp.titles t ON t.title = a.title "
        "ORDER BY a.title, a.surface"
    ):
        yield recase(surface, title), eid, 0, 0
    # Wikidata's words for the entry (kb/wikidata.py): its label a full name, unless it is
    # another entry's title (Q1148740's "Cairo" is Cairo the city's); its aliases weak,
    # ranked below the names the articles and their links give ("DNA" of Douglas Adams).
    # The title and its parenthetical are named already: counted once, as without Wikidata.
    for eid, title, label, aliases in con.execute(
        "SELECT x.eid, e.title, w.label, w.aliases FROM temp.wd_entry x JOIN entries e ON e.id = x.eid "
        "JOIN wikidata w ON w.qid = x.qid ORDER BY x.eid"
    ):
        named = {title, parenthetical_base(title)}
        if label and label not in named:
            yield label, eid, 0, 1
        for alias in json.loads(aliases):
            if alias not in named and alias != label:
                yield alias, eid, 1, 0


DERIVED = 2  # ``mined`` of a name derived from another: dropped where the entry has it already
_DOTTED = re.compile(r"\b(?:[A-Z]\.){2,5}(?!\w)")
_PLAIN = re.compile(r"[A-Z]{2,5}")


def _unpunctuated(m: re.Match) -> str:
    return m.group(0).replace(".", "")


def _with_initialisms(names: Iterable[tuple[str, int, int, int]]) -> Iterator[tuple[str, int, int, int]]:
    """Each name, and after an initialism its other spelling: "U.S." and "US"
    are one abbreviation, its periods a matter of house style (an alias file
    that lists one of them names the other too)."""
    for name in names:
        yield name
        surface, eid, weak, _ = name
        if "." in surface and (plain := _DOTTED.sub(_unpunctuated, surface)) != surface:
            yield plain, eid, weak, DERIVED  # "U.S. Open" -> "US Open" too


_FEW_WORDS = 3  # spaces: a preview of fewer than 4 words is a heading or a caption, not a lead


def _attach_wikidata(con: sqlite3.Connection) -> None:
    """``temp.wd_entry`` (entry id -> QID) and each entry's QID, description, and
    preview where its article has no usable lead. An item whose sitelink is a
    redirect names the redirect's entry; of two items for one entry, the one
    naming its title wins, then the older (smaller) QID."""
    con.execute("CREATE TEMP TABLE wd_entry(eid INTEGER PRIMARY KEY, qid TEXT NOT NULL)")
    con.execute(
        "INSERT INTO temp.wd_entry SELECT eid, qid FROM (SELECT coalesce(e.id, r.eid) AS eid, w.qid,"
        " row_number() OVER (PARTITION BY coalesce(e.id, r.eid) ORDER BY e.id IS NULL, length(w.qid), w.qid) AS rk"
        " FROM wikidata w LEFT JOIN entries e ON e.title = w.title LEFT JOIN temp.resolved r ON r.title = w.title"
        " WHERE coalesce(e.id, r.eid) IS NOT NULL) WHERE rk = 1")
    con.execute(
        "UPDATE entries SET qid = w.qid, description = coalesce(entries.description, w.description),"
        " preview = CASE WHEN w.description IS NOT NULL AND length(trim(entries.preview))"
        f" - length(replace(trim(entries.preview), ' ', '')) < {_FEW_WORDS} THEN w.description"
        " ELSE entries.preview END "
        "FROM (SELECT x.eid, x.qid, d.description FROM temp.wd_entry x JOIN wikidata d ON d.qid = x.qid) w "
        "WHERE entries.id = w.eid")


# The article links whose target resolves to an entry (``t.r``: the target's
# rank in title order, which with the page id orders the links as page_links'
# primary key does).
_RESOLVED_LINKS = (
    "FROM pages p JOIN page_links pl ON pl.page = p.id JOIN temp.titles t ON t.title = pl.target "
    "WHERE p.kind = 'article'"
)


def derive(con: sqlite3.Connection, skipped: Counter[str], *, min_anchor_count: int = 1) -> dict:
    """Fill the derived tables; returns statistics for the KB's meta.

    Surface ids follow the order in which a surface is first seen: anchors
    in page_links order (page, target, anchor), then titles, parentheticals
    and aliases by page, redirects, disambiguation senses. Memory: SQLite's
    caches and sort buffers (see ``spill_to_disk``), nothing per row.
    """
    for table in ("entries", "redirects", "surfaces", "surface_entries", "edges"):
        con.execute(f"DELETE FROM {table}")
    with spill_to_disk(con):
        con.execute("BEGIN")
        stats = _derive(con, skipped, min_anchor_count)
        con.execute("COMMIT")
    return stats


def _derive(con: sqlite3.Connection, skipped: Counter[str], min_anchor_count: int) -> dict:
    con.execute(
        "INSERT INTO entries(id, title, is_disambiguation, preview, description, size) "
        "SELECT id, title, kind = 'disambiguation', preview, description, coalesce(length(text), 0) FROM pages "
        "WHERE kind != 'redirect'"
    )
    loops, dangling = _resolve_in_sql(con)
    if loops:
        skipped[LOOP_KEY] += loops
    if dangling:
        skipped[DANGLING_KEY] += dangling
    con.execute("INSERT INTO redirects(title, entry_id) SELECT title, eid FROM temp.resolved")
    _attach_wikidata(con)
    # Every title a link can resolve to (entries and redirects never share one).
    con.execute("CREATE TEMP TABLE titles(title TEXT PRIMARY KEY, eid INTEGER NOT NULL, r INTEGER NOT NULL)"
                " WITHOUT ROWID")
    con.execute("INSERT INTO temp.titles SELECT title, eid, row_number() OVER (ORDER BY title) FROM "
                "(SELECT title, id AS eid FROM entries UNION ALL SELECT title, eid FROM temp.resolved)")
    n_titles = con.execute("SELECT count(*) FROM temp.titles").fetchone()[0]

    # Names: seq (the rowid) keeps their order.
    con.execute("CREATE TEMP TABLE names(surface TEXT NOT NULL, eid INTEGER NOT NULL, weak INTEGER NOT NULL,"
                " mined INTEGER NOT NULL)")
    con.executemany("INSERT INTO temp.names(surface, eid, weak, mined) VALUES (?, ?, ?, ?)",
                    _with_initialisms(_names(con)))
    con.execute("CREATE INDEX temp.names_pair ON names(surface, eid)")
    con.execute("DELETE FROM temp.names WHERE mined = ? AND EXISTS (SELECT 1 FROM temp.names n"
                " WHERE n.surface = names.surface AND n.eid = names.eid AND n.rowid != names.rowid"
                " AND (n.mined != ? OR n.rowid < names.rowid))", (DERIVED, DERIVED))
    con.execute("DROP INDEX temp.names_pair")
    # A full name an article seems to give itself that is another entry's title
    # ("Iraq" in "History of Iraq ... Iraq is") names that entry, not this one.
    # Weak names stay: "Dylan" is a disambiguation page's title and still Bob Dylan's name.
    con.execute("DELETE FROM temp.names WHERE mined AND NOT weak AND EXISTS (SELECT 1 FROM temp.titles t"
                " WHERE t.title = names.surface AND t.eid != names.eid)")
    # (surface, entry) pairs: anchors, names, and where each was first seen
    # (k0: first link, by page and target; seq: first name).
    con.execute("CREATE TEMP TABLE pairs(surface TEXT NOT NULL, eid INTEGER NOT NULL, anchors INTEGER NOT NULL,"
                " names INTEGER NOT NULL, weak INTEGER NOT NULL, k0 INTEGER, seq INTEGER)")
    con.execute(
        "INSERT INTO temp.pairs SELECT surface, eid, sum(a), sum(nm), sum(wk), min(k0), min(seq) FROM ("
        f" SELECT pl.anchor AS surface, t.eid AS eid, pl.n AS a, 0 AS nm, 0 AS wk, pl.page * ? + t.r AS k0,"
        f" NULL AS seq {_RESOLVED_LINKS}"
        " UNION ALL SELECT surface, eid, 0, 1 - weak, weak, NULL, rowid FROM temp.names"
        ") GROUP BY surface, eid", (n_titles + 1,))
    con.execute("DROP TABLE temp.names")
    total_links = con.execute(
        "SELECT coalesce(sum(pl.n), 0) FROM pages p JOIN page_links pl ON pl.page = p.id "
        "WHERE p.kind = 'article'").fetchone()[0]
    unresolved = total_links - con.execute("SELECT coalesce(sum(anchors), 0) FROM temp.pairs").fetchone()[0]
    con.execute("DELETE FROM temp.pairs WHERE anchors < ? AND names = 0 AND weak = 0", (min_anchor_count,))

    # Surfaces, numbered in the order they were first seen.
    con.execute("CREATE TEMP TABLE link_pages(anchor TEXT PRIMARY KEY, pages INTEGER NOT NULL) WITHOUT ROWID")
    con.execute(
        "INSERT INTO temp.link_pages SELECT pl.anchor, count(DISTINCT pl.page) FROM pages p "
        "JOIN page_links pl ON pl.page = p.id WHERE p.kind = 'article' GROUP BY pl.anchor")
    con.execute(
        "INSERT INTO surfaces(id, surface, link_count, occurrences, link_pages) "
        "SELECT row_number() OVER (ORDER BY s.k0 IS NULL, s.k0, CASE WHEN s.k0 IS NULL THEN s.seq END,"
        " s.surface), s.surface, s.links, 0, CASE WHEN s.links THEN coalesce(lp.pages, 0) ELSE 0 END "
        "FROM (SELECT surface, sum(anchors) AS links, min(k0) AS k0, min(seq) AS seq FROM temp.pairs"
        " GROUP BY surface) s LEFT JOIN temp.link_pages lp ON lp.anchor = s.surface")
    con.execute(
        "INSERT INTO surface_entries(surface_id, entry_id, anchors, names, weak) "
        "SELECT s.id, p.eid, p.anchors, p.names, p.weak FROM temp.pairs p JOIN surfaces s ON s.surface = p.surface "
        "ORDER BY s.id, p.eid")  # in key order: appends, not random inserts
    # The edges arrive in primary-key order; their other indexes are faster built once, after.
    indexes = con.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'edges'"
                          " AND sql IS NOT NULL").fetchall()
    for name, _ in indexes:
        con.execute(f"DROP INDEX {name}")
    con.execute(
        f"INSERT INTO edges(src, dst, n) SELECT pl.page, t.eid, sum(pl.n) {_RESOLVED_LINKS} "
        "AND t.eid != pl.page GROUP BY pl.page, t.eid")
    for _, sql in indexes:
        con.execute(sql)
    con.execute(
        "UPDATE entries SET popularity = (SELECT count(*) FROM edges WHERE edges.dst = entries.id)"
    )
    for table in ("pairs", "link_pages", "titles", "resolved", "wd_entry"):
        con.execute(f"DROP TABLE temp.{table}")
    return {"unresolved_links": unresolved, "redirect_loops": loops, "dangling_redirects": dangling}
