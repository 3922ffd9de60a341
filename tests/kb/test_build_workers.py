"""Pass 1 in worker processes: same KB as in one process, counts kept by the workers."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import sys
from collections import Counter
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import linkpedia
from linkpedia.kb import build, workers
from linkpedia.kb.extract import CONTEXT_WINDOW, article_sums, link_contexts, page_terms
from linkpedia.kb.workers import LocalExtractor, WorkerError
from linkpedia.sources import open_source
from linkpedia.text import WORD, _term

from conftest import need_shared

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "update"))
from kbcompare import assert_same_kb  # noqa: E402

EN = "enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2"
HEAD = '<mediawiki xmlns="http://www.mediawiki.org/xml/export-0.11/" version="0.11" xml:lang="en">\n'


def write_dump(path: Path, pages: list[tuple[str, str]]) -> Path:
    body = "".join(f"<page><title>{escape(t)}</title><ns>0</ns><id>{i}</id><revision><id>{i}</id>"
                   f"<text>{escape(x)}</text></revision></page>\n" for i, (t, x) in enumerate(pages, 1))
    path.write_text(HEAD + body + "</mediawiki>\n", encoding="utf-8")
    return path


def rows(kb: Path, sql: str) -> set:
    con = sqlite3.connect(kb / "kb.sqlite")
    try:
        return set(con.execute(sql))
    finally:
        con.close()


def test_two_workers_build_the_same_kb_as_one_process(tmp_path, monkeypatch):
    dump = need_shared("data", "dumps", EN)
    # Tiny limits, so the workers hand over their counts many times and the
    # parent adds them to the database in several flushes.
    monkeypatch.setattr(workers, "SUMS_LIMIT", 5_000)
    monkeypatch.setattr(workers, "CHUNK_CHARS", 20_000)
    monkeypatch.setattr(build, "FLUSH_AT", 7_000)
    one = tmp_path / "one"
    two = tmp_path / "two"
    linkpedia.build_kb([dump], one, options=linkpedia.BuildOptions(jobs=1, train=False))
    linkpedia.build_kb([dump], two, options=linkpedia.BuildOptions(jobs=2, train=False))
    assert_same_kb(one, two)
    assert len(rows(two, "SELECT target, term FROM contexts")) > 10_000


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_duplicate_title_counts_once_whichever_source_gives_it(tmp_path, jobs):
    neman = ("Neman", "The Neman flows through [[Belarus]] and [[Lithuania]].")
    a = write_dump(tmp_path / "a.xml", [("Kaunas", "Kaunas is a city on the [[Neman]] river in [[Lithuania]]."),
                                        neman])
    dup = ("Kaunas", "A second Kaunas page: fortress walls near the [[Neris]] confluence, [[Vilnius]] road.")
    new = ("Vilnius", "Vilnius is the capital of [[Lithuania]], east of [[Kaunas]].")
    with_dup = write_dump(tmp_path / "b.xml", [dup, new])
    a_without = write_dump(tmp_path / "c.xml", [neman])
    opts = linkpedia.BuildOptions(jobs=jobs, train=False)
    got = linkpedia.build_kb([a, with_dup], tmp_path / "kb1", options=opts)
    linkpedia.build_kb([a_without, with_dup], tmp_path / "kb2", options=opts)
    linkpedia.build_kb([with_dup, a], tmp_path / "kb3", options=opts)
    assert got.skipped["duplicate title (merged into one entry)"] == 1
    for table in ("SELECT term, df FROM term_df", "SELECT target, term, n FROM contexts"):
        assert rows(tmp_path / "kb1", table) == rows(tmp_path / "kb2", table) == rows(tmp_path / "kb3", table)
    # The longer page (both have links) gives the entry; the shorter one's counts are gone.
    assert ("fortress", ) in rows(tmp_path / "kb1", "SELECT term FROM term_df")
    assert ("city", ) not in rows(tmp_path / "kb1", "SELECT term FROM term_df")


def test_records_come_back_in_source_order(tmp_path, monkeypatch):
    pages = [(f"Page {i}", f"Text {i} about [[Page {i + 1}]] " + "word " * (i * 37 % 300))
             for i in range(120)]
    dump = write_dump(tmp_path / "d.xml", pages)
    monkeypatch.setattr(workers, "CHUNK_CHARS", 500)  # many small chunks, finished out of order
    ex = LocalExtractor(2)
    try:
        titles = [r.title for batch in ex.records(open_source(dump)) for r in batch]
    finally:
        ex.close()
    assert titles == [t for t, _ in pages]


def test_a_killed_worker_is_an_error_not_a_hang(tmp_path):
    dump = write_dump(tmp_path / "d.xml", [(f"P{i}", "Some [[text]] here.") for i in range(50)])
    ex = LocalExtractor(2)
    try:
        for proc in ex._procs:
            os.kill(proc.pid, signal.SIGKILL)
            proc.join()
        with pytest.raises(WorkerError, match="worker died"):
            list(ex.records(open_source(dump)))
    finally:
        ex.close()


# -- article_sums against a plain reading of its contract ---------------------------


def reference(text: str, links: list[tuple[int, int, str]]) -> tuple[frozenset, Counter]:
    """One regex call per piece between link boundaries; windows from the gaps."""
    gaps, words, prev = [], [], 0
    for start, end, _ in sorted(links):
        cut = max(prev, start)
        gaps.append(WORD.findall(text[prev:cut]))
        if end > prev:
            words += WORD.findall(text[cut:end])
        prev = max(prev, end)
    gaps.append(WORD.findall(text[prev:]))
    words += [w for g in gaps for w in g]
    terms = [[t for t in map(_term, g) if t] for g in gaps]
    ctx: Counter = Counter()
    for i, (_, _, target) in enumerate(sorted(links)):
        for t in terms[i][-CONTEXT_WINDOW:] + terms[i + 1][:CONTEXT_WINDOW]:
            ctx[(target, t)] += 1
    return frozenset(t for t in map(_term, words) if t), ctx


pieces = st.sampled_from(["the", "Kaunas", "city's", "river", "x", "well-known", "2024", " ", " ",
                          "\n", ", ", "’", "-", "Ürdingen", "\x00", "of", "fortress"])


@settings(max_examples=300, deadline=None)
@given(st.lists(pieces, max_size=60).map("".join), st.data())
def test_article_sums_matches_the_reference(text, data):
    n = len(text)
    spans = data.draw(st.lists(st.tuples(st.integers(0, n), st.integers(0, 12),
                                         st.sampled_from(["A", "B", "C"])), max_size=8))
    links = [(s, min(n, s + k), t) for s, k, t in spans]
    terms, ctx = reference(text, links)
    words: list[str] = []
    assert link_contexts(text, links, words) == ctx
    assert page_terms(text, words) == terms
    found, windows = article_sums(text, links)
    assert frozenset(found) == terms
    assert Counter((t, w) for t, ws in windows.items() for w in ws) == ctx


def test_article_sums_on_a_long_linked_text():
    text = " ".join(f"Word{i} the alpha-beta city's [link {i}] river" for i in range(400))
    links = [(m.start(), m.end(), f"T{i % 7}") for i, m in enumerate(re.finditer(r"link \d+", text))]
    terms, ctx = reference(text, links)
    found, windows = article_sums(text, links)
    assert frozenset(found) == terms
    assert Counter((t, w) for t, ws in windows.items() for w in ws) == ctx


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab1_ -'’‐\u2019é\n\x00ß"), max_size=80))
def test_possessive_word_pattern_finds_the_same_words(text):
    from linkpedia.kb.extract import _WORDS

    assert _WORDS.findall(text) == WORD.findall(text)


def test_in_process_and_worker_extraction_agree():
    dump = need_shared("data", "dumps", EN)
    got = {}
    for name, ex in {"here": LocalExtractor(1, keep_sums=True, in_process=True),
                     "workers": LocalExtractor(2, keep_sums=True)}.items():
        try:
            records = [r for batch in ex.records(open_source(dump)) for r in batch]
            df: Counter = Counter()
            ctx: Counter = Counter()
            for s in ex.take_sums() + ex.finish_sums():
                df.update(s.df)
                ctx.update({(t, w): n for t, w, n in s.context_rows()})
        finally:
            ex.close()
        got[name] = ([(r.title, r.kind, r.text_z, r.links, r.anchors, r.summed) for r in records], df, ctx)
    assert got["here"] == got["workers"]
    assert any(r[-1] for r in got["here"][0]) and len(got["here"][2]) > 1000
