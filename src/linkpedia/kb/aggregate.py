"""Derive entries, redirects, surfaces and the link graph from per-page rows.

Runs after pass 1 and again after an update; everything here is a function of
the ``pages`` and ``page_links`` tables alone.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter, defaultdict

from .extract import parenthetical_base

__all__ = ["derive", "resolve_redirects", "MAX_REDIRECT_DEPTH", "DERIVED_SKIP_KEYS"]

MAX_REDIRECT_DEPTH = 16
LOOP_KEY = "redirect in a loop (dropped)"
DANGLING_KEY = "redirect to a missing page (dropped)"
DERIVED_SKIP_KEYS = (LOOP_KEY, DANGLING_KEY)  # counted by ``derive``, not by the readers


def resolve_redirects(
    redirects: dict[str, str], titles: dict[str, int]
) -> tuple[dict[str, int], int, int]:
    """Follow redirect chains to entries; (resolved, loops dropped, dangling dropped)."""
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


def derive(con: sqlite3.Connection, skipped: Counter[str], *, min_anchor_count: int = 1) -> dict:
    """Fill the derived tables; returns statistics for the KB's meta."""
    for table in ("entries", "redirects", "surfaces", "surface_entries", "edges"):
        con.execute(f"DELETE FROM {table}")
    con.execute("BEGIN")
    con.execute(
        "INSERT INTO entries(id, title, is_disambiguation, preview, description) "
        "SELECT id, title, kind = 'disambiguation', preview, description FROM pages "
        "WHERE kind != 'redirect'"
    )
    titles = dict(con.execute("SELECT title, id FROM entries"))
    redirect_rows = dict(
        con.execute("SELECT title, redirect_to FROM pages WHERE kind = 'redirect'")
    )
    resolved, loops, dangling = resolve_redirects(redirect_rows, titles)
    if loops:
        skipped[LOOP_KEY] += loops
    if dangling:
        skipped[DANGLING_KEY] += dangling
    con.executemany("INSERT INTO redirects(title, entry_id) VALUES (?, ?)", resolved.items())

    def target_id(title: str) -> int | None:
        return titles.get(title) or resolved.get(title)

    # Anchors and the graph.
    pairs: dict[tuple[str, int], list[int]] = defaultdict(lambda: [0, 0])
    edges: Counter[tuple[int, int]] = Counter()
    unresolved = 0
    for page, target, anchor, n in con.execute(
        "SELECT pl.page, pl.target, pl.anchor, pl.n FROM page_links pl "
        "JOIN pages p ON p.id = pl.page WHERE p.kind = 'article'"
    ):
        eid = target_id(target)
        if eid is None:
            unresolved += n
            continue
        pairs[(anchor, eid)][0] += n
        if eid != page:
            edges[(page, eid)] += n
    # Names: titles, parentheticals, redirects, aliases, disambiguation pages.
    for eid, title, aliases in con.execute(
        "SELECT id, title, aliases FROM pages WHERE kind = 'article'"
    ):
        pairs[(title, eid)][1] += 1
        base = parenthetical_base(title)
        if base:
            pairs[(base, eid)][1] += 1
        for alias in json.loads(aliases):
            alias = " ".join(alias.split())
            if alias:
                pairs[(alias, eid)][1] += 1
    for title, eid in resolved.items():
        pairs[(title, eid)][1] += 1
        base = parenthetical_base(title)
        if base:
            pairs[(base, eid)][1] += 1
    dab_ids = {eid for (eid,) in con.execute("SELECT id FROM entries WHERE is_disambiguation")}
    for dab_id, dab_title in con.execute("SELECT id, title FROM pages WHERE kind = 'disambiguation'"):
        name = parenthetical_base(dab_title) or dab_title
        for (target,) in con.execute("SELECT DISTINCT target FROM page_links WHERE page = ?", (dab_id,)):
            eid = target_id(target)
            if eid is not None and eid not in dab_ids:
                pairs[(name, eid)][1] += 1
    # Surfaces.
    surface_ids: dict[str, int] = {}
    link_counts: Counter[str] = Counter()
    rows = []
    for (surface, eid), (anchors, names) in pairs.items():
        if anchors < min_anchor_count and names == 0:
            continue
        sid = surface_ids.get(surface)
        if sid is None:
            sid = surface_ids[surface] = len(surface_ids) + 1
        link_counts[surface] += anchors
        rows.append((sid, eid, anchors, names))
    link_pages = dict(con.execute(
        "SELECT pl.anchor, count(DISTINCT pl.page) FROM page_links pl "
        "JOIN pages p ON p.id = pl.page WHERE p.kind = 'article' GROUP BY pl.anchor"))
    con.executemany(
        "INSERT INTO surfaces(id, surface, link_count, occurrences, link_pages) VALUES (?, ?, ?, 0, ?)",
        ((sid, s, link_counts[s], link_pages.get(s, 0) if link_counts[s] else 0)
         for s, sid in surface_ids.items()),
    )
    con.executemany(
        "INSERT INTO surface_entries(surface_id, entry_id, anchors, names) VALUES (?,?,?,?)", rows
    )
    con.executemany("INSERT INTO edges(src, dst, n) VALUES (?,?,?)",
                    ((s, d, n) for (s, d), n in edges.items()))
    con.execute(
        "UPDATE entries SET popularity = (SELECT count(*) FROM edges WHERE edges.dst = entries.id)"
    )
    con.execute("COMMIT")
    return {"unresolved_links": unresolved, "redirect_loops": loops, "dangling_redirects": dangling}
