"""The surface trie finds what a plain search finds: every whole-word occurrence.

The occurrence and casing counts once used an Aho–Corasick automaton; the trie
that replaced it (kb/scan.py) must give the same counts. The reference here is
the obviously correct method: ``str.find`` for every key at every position,
kept where no word character touches the match.
"""

from __future__ import annotations

import sqlite3
from collections import Counter

import pytest
from hypothesis import given, settings, strategies as st

import linkpedia
from linkpedia.kb.casing import SAMPLE_CHARS
from linkpedia.kb.scan import WINDOW, build_scanner
from linkpedia.kb.store import unpack_text
from linkpedia.text import fold

from conftest import need_shared

EN = "enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2"


def _word(c: str) -> bool:
    return c.isalnum() or c == "_"


def brute(keys, text: str) -> list[tuple[int, int, str]]:
    """(start, last, key) of each whole-word occurrence, found with str.find."""
    out = []
    for key in set(keys):
        if not key:
            continue
        i = text.find(key)
        while i != -1:
            j = i + len(key)
            if not (i > 0 and _word(text[i - 1])) and not (j < len(text) and _word(text[j])):
                out.append((i, j - 1, key))
            i = text.find(key, i + 1)
    return sorted(out)


def scanned(keys, text: str) -> list[tuple[int, int, str]]:
    scanner = build_scanner(keys)
    return sorted((s, e, scanner.trie.restore_key(k)) for s, e, k in scanner.matches(text))


def test_overlapping_nested_and_punctuated_keys():
    keys = ["New York", "York", "New York City", "C++", "(album)", "a", "US", "U.S.", ""]
    text = "New York City, New Yorker, C++ and C+++; (album) a U.S. US_x U.S.A. xUS a"
    assert scanned(keys, text) == brute(keys, text)
    assert ("York" in {k for *_, k in scanned(keys, text)})  # nested in "New York" too


def test_keys_longer_than_the_window():
    long = "word " * (WINDOW // 5 + 10)
    keys = [long.strip(), long.strip()[:WINDOW], long.strip() + " tail", "word"]
    text = "x " + long + "tail " + long
    assert scanned(keys, text) == brute(keys, text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet="ab _.é1-", min_size=0, max_size=6), max_size=12),
       st.text(alphabet="ab _.é1-xA", max_size=80))
def test_matches_equal_a_plain_search(keys, text):
    assert scanned(keys, text) == brute(keys, text)


@pytest.fixture(scope="module")
def en_kb(tmp_path_factory):
    dump = need_shared("data", "dumps", EN)
    out = tmp_path_factory.mktemp("scan") / "kb"
    linkpedia.build_kb([dump], out, options=linkpedia.BuildOptions(jobs=2, train=False))
    return out


def test_occurrence_counts_of_a_real_dump_equal_a_plain_search(en_kb):
    con = sqlite3.connect(en_kb / "kb.sqlite")
    surfaces = con.execute("SELECT surface, occurrences, occurrence_pages FROM surfaces").fetchall()
    texts = [unpack_text(b) for (b,) in con.execute(
        "SELECT text FROM pages WHERE kind = 'article' AND has_links = 1 AND text IS NOT NULL")]
    con.close()
    occ: Counter[str] = Counter()
    pages: Counter[str] = Counter()
    for text in texts:
        found = Counter(k for *_, k in brute([s for s, _, _ in surfaces], text))
        occ.update(found)
        pages.update(found.keys())
    assert len(surfaces) > 200 and sum(occ.values()) > 1000
    assert [(s, o, p) for s, o, p in surfaces] == [(s, occ[s], pages[s]) for s, _, _ in surfaces]


def test_casing_sample_counts_of_a_real_dump_equal_a_plain_search(en_kb):
    con = sqlite3.connect(en_kb / "kb.sqlite")
    keys = sorted({fold(s) for (s,) in con.execute("SELECT surface FROM surfaces") if len(s) > 1})
    seen_db = dict(con.execute("SELECT folded, seen FROM casing"))
    texts = [fold(unpack_text(b)[:SAMPLE_CHARS]) for (b,) in con.execute(
        "SELECT text FROM pages WHERE kind = 'article' AND text IS NOT NULL")]
    con.close()
    seen = Counter(k for text in texts for *_, k in brute(keys, text))
    assert len(seen) > 100
    assert seen_db == dict(seen)


def test_texts_longer_than_the_kept_powers(monkeypatch):
    from linkpedia.kb import scan

    monkeypatch.setattr(scan, "KEEP_POWERS", 64)
    monkeypatch.setattr(scan, "_TABLES", {})
    keys = ["New York", "York", "ab", "U.S."]
    text = "x New York ab, U.S. Yorkab " * 40
    assert scanned(keys, text) == brute(keys, text)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet="ab _.é1-", min_size=1, max_size=5), max_size=8),
       st.lists(st.text(alphabet="ab _.é1-xA\n", max_size=30), min_size=1, max_size=6))
def test_starts_found_for_many_texts_at_once_give_each_texts_matches(keys, texts):
    scanner = build_scanner(keys)
    for group_chars in (1 << 18, 40):  # one group, and groups of a few texts
        starts_of = scanner.starts_of_many(texts, group_chars)
        assert len(starts_of) == len(texts)
        for text, starts in zip(texts, starts_of):
            assert sorted(scanner.matches(text, starts)) == sorted(scanner.matches(text))
