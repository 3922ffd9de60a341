"""The phases after pass 1 (derive, profiles, index) in bounded memory, on real SQLite.

Their Python allocations must not grow with the number of pages, links and
context rows (SQLite's own memory is bounded by its cache settings); the
redirect walk in SQL must keep the in-memory reference's semantics; surface
ids must keep their first-seen order.
"""

from __future__ import annotations

import io
import json
import sqlite3
import tracemalloc
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linkpedia.kb import aggregate, index, profiles
from linkpedia.kb.build import add_sums
from linkpedia.kb.store import create_db, pack_text

VOCAB = [f"term{i}" for i in range(400)]


def pass1_kb(path: Path, n: int) -> sqlite3.Connection:
    """The per-page rows of a pass-1 KB with ``n`` articles, n/2 redirects, n/50
    disambiguation pages, ~20 links per article and ~20 context terms per target."""
    con = create_db(path / "kb.sqlite")
    con.execute("INSERT INTO sources(path, format, has_links, added_at) VALUES ('synthetic', 'xml', 1, 'now')")
    con.execute("BEGIN")
    articles = [f"Article {i}" + (" (place)" if i % 5 == 0 else "") for i in range(n)]
    redirects = [f"Redirect {i}" for i in range(n // 2)]
    dabs = [f"Name {i} (disambiguation)" for i in range(n // 50)]

    def lead(i: int) -> bytes:
        return pack_text(" ".join(VOCAB[(i * 7 + j * j) % len(VOCAB)] for j in range(30)) + "\n\nmore")

    con.executemany(
        "INSERT INTO pages(title, kind, redirect_to, source_id, has_links, aliases, preview, text)"
        " VALUES (?, ?, ?, 1, 1, ?, ?, ?)",
        [(t, "article", None, json.dumps([f" alias  {i} "] if i % 3 == 0 else []), t, lead(i))
         for i, t in enumerate(articles)]
        + [(t, "redirect", articles[i * 3 % n] if i % 40 else f"Missing {i}", "[]", "", None)
           for i, t in enumerate(redirects)]
        + [(t, "disambiguation", None, "[]", t, pack_text("may refer to")) for t in dabs])
    targets = articles + redirects + [f"Red link {i}" for i in range(n // 4)]
    links = Counter()
    for page in range(1, n + 1):
        for j in range(20):
            t = targets[(page * 31 + j * j * 17) % len(targets)]
            links[(page, t, t if j % 3 else f"anchor {j}")] += 1
    for k, page in enumerate(range(n + len(redirects) + 1, n + len(redirects) + len(dabs) + 1)):
        for j in range(4):
            t = targets[(k * 13 + j) % len(targets)]
            links[(page, t, t)] += 1
    con.executemany("INSERT INTO page_links VALUES (?, ?, ?, ?)", [(*k, v) for k, v in links.items()])
    add_sums(con, Counter({t: 1 + i % 9 for i, t in enumerate(VOCAB)}),
             Counter({(t, VOCAB[(i * 11 + j * 29) % len(VOCAB)]): 1 + j % 3
                      for i, t in enumerate(targets) for j in range(20)}))
    con.execute("COMMIT")
    return con


def run_phases(kb: Path, con: sqlite3.Connection) -> dict[str, int]:
    """derive, profiles and compile_index as the build runs them; Python peak bytes of each."""
    peaks = {}
    tracemalloc.start()
    try:
        for name, phase in (
            ("derive", lambda: aggregate.derive(con, Counter())),
            ("profiles", lambda: profiles.build(con, con.execute(
                "SELECT count(*) FROM pages WHERE kind = 'article'").fetchone()[0])),
            ("index", lambda: index.compile_index(kb)),
        ):
            tracemalloc.reset_peak()
            base = tracemalloc.get_traced_memory()[0]
            phase()
            peaks[name] = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    return peaks


def test_python_memory_does_not_grow_with_rows(tmp_path, monkeypatch):
    # Small chunks, so that both sizes stream many of them: what is measured is
    # what grows with rows, not the size of one chunk.
    monkeypatch.setattr(index, "CHUNK", 1024)
    peaks, rows = {}, {}
    for n in (1000, 4000):
        kb = tmp_path / str(n)
        kb.mkdir()
        con = pass1_kb(kb, n)
        peaks[n] = run_phases(kb, con)
        rows[n] = sum(con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                      for t in ("page_links", "contexts", "edges", "surface_entries", "profiles"))
        con.close()
    assert rows[4000] > 3.5 * rows[1000]
    for phase in ("derive", "profiles", "index"):
        # Allowed to grow: the index's arrays of a few numbers per entry and
        # surface (~60 bytes per article here, all arrays together). Holding
        # the rows in Python instead (dicts of pairs and edges, lists of
        # profile rows) takes megabytes here, four times as many at 4,000.
        allowance = 60 * (4000 - 1000) * 1.6
        assert peaks[4000][phase] < 1.2 * peaks[1000][phase] + allowance, (phase, peaks)
        assert peaks[4000][phase] < 2 * 2**20, (phase, peaks)


def test_index_files_are_what_np_save_writes(tmp_path):
    con = pass1_kb(tmp_path, 300)
    aggregate.derive(con, Counter())
    profiles.build(con, 300)
    index.compile_index(tmp_path)
    con.close()
    for f in sorted((tmp_path / "index").glob("*.npy")):
        buf = io.BytesIO()
        np.save(buf, np.load(f))
        assert f.read_bytes() == buf.getvalue(), f.name
    idx = index.load_index(tmp_path)
    assert idx.cand_ptr[-1] == len(idx.cand_entry) > 0
    assert idx.in_ptr[-1] == len(idx.in_src) > 0
    assert idx.prof_ptr[-1] == len(idx.prof_term) > 0


def test_spill_to_disk_restores_the_connection(tmp_path):
    con = create_db(tmp_path / "kb.sqlite")
    before = [con.execute(f"PRAGMA {p}").fetchone()[0] for p in ("temp_store", "main.cache_size")]
    with aggregate.spill_to_disk(con):
        assert con.execute("PRAGMA temp_store").fetchone()[0] == 1  # FILE
    assert [con.execute(f"PRAGMA {p}").fetchone()[0] for p in ("temp_store", "main.cache_size")] == before
    con.close()


def test_surface_ids_in_first_seen_order(tmp_path):
    con = create_db(tmp_path / "kb.sqlite")
    con.execute("INSERT INTO sources(path, format, has_links, added_at) VALUES ('x', 'xml', 1, 'now')")
    con.executemany(
        "INSERT INTO pages(id, title, kind, redirect_to, source_id, has_links, aliases) VALUES (?,?,?,?,1,1,?)",
        [(1, "Mercury (planet)", "article", None, '["Planet  Mercury"]'),
         (2, "Apple", "article", None, "[]"),
         (3, "Pomme", "redirect", "Apple", "[]"),
         (4, "Mercury (disambiguation)", "disambiguation", None, "[]")])
    con.executemany("INSERT INTO page_links VALUES (?, ?, ?, ?)", [
        (2, "Pomme", "pomme", 1), (2, "Mercury (planet)", "zz planet", 2), (2, "Mercury (planet)", "mercury", 1),
        (1, "Apple", "apple", 1), (1, "Nowhere", "lost", 5), (4, "Mercury (planet)", "Mercury (planet)", 1)])
    stats = aggregate.derive(con, Counter())
    assert stats == {"unresolved_links": 5, "redirect_loops": 0, "dangling_redirects": 0}
    surfaces = [s for (s,) in con.execute("SELECT surface FROM surfaces ORDER BY id")]
    # anchors by (page, target, anchor), then titles, parentheticals and
    # aliases by page, redirects, disambiguation senses
    assert surfaces == ["apple", "mercury", "zz planet", "pomme", "Mercury (planet)", "Mercury",
                        "Planet Mercury", "Apple", "Pomme"]
    pairs = set(con.execute("SELECT s.surface, e.title, se.anchors, se.names FROM surface_entries se "
                            "JOIN surfaces s ON s.id = se.surface_id JOIN entries e ON e.id = se.entry_id"))
    assert ("Mercury", "Mercury (planet)", 0, 2) in pairs  # parenthetical and disambiguation sense
    assert ("pomme", "Apple", 1, 0) in pairs
    assert ("Mercury (planet)", "Mercury (planet)", 0, 1) in pairs  # a dab page's link is no anchor
    con.close()


titles = st.sampled_from([f"T{i}" for i in range(12)])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kinds=st.dictionaries(titles, st.sampled_from(["article", "redirect"]), min_size=1),
       targets=st.lists(st.one_of(st.none(), titles, st.just("Missing")), min_size=12, max_size=12),
       chain=st.integers(0, 20))
def test_redirect_walk_matches_the_reference(tmp_path_factory, kinds, targets, chain):
    con = create_db(tmp_path_factory.mktemp("walk") / "kb.sqlite")
    con.execute("INSERT INTO sources(path, format, has_links, added_at) VALUES ('x', 'xml', 1, 'now')")
    rows = [(t, k, targets[int(t[1:])] if k == "redirect" else None) for t, k in kinds.items()]
    # a chain of ``chain`` redirects, ending on T0 (the depth limit is 16)
    rows += [(f"C{i}", "redirect", f"C{i + 1}" if i + 1 < chain else "T0") for i in range(chain)]
    con.executemany("INSERT INTO pages(title, kind, redirect_to, source_id, has_links) VALUES (?,?,?,1,1)", rows)
    stats = aggregate.derive(con, Counter())
    redirects = {t: r for t, k, r in rows if k == "redirect"}
    entries = dict(con.execute("SELECT title, id FROM entries"))
    resolved, loops, dangling = aggregate.resolve_redirects(redirects, entries)
    assert dict(con.execute("SELECT title, entry_id FROM redirects")) == resolved
    assert (stats["redirect_loops"], stats["dangling_redirects"]) == (loops, dangling)
    con.close()
