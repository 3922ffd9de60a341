"""The public Python API: exports, lookups, thread safety, shared memory."""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import linkpedia
from linkpedia.errors import EntryNotFoundError, InputError

TEXT = ("Kaunas was the temporary capital of Lithuania while Vilnius was held by Poland. "
        "The Soviet Union signed a non-aggression pact with Lithuania in 1926.")


def test_exported_members_match_all():
    public = {name for name in dir(linkpedia) if not name.startswith("_")}
    modules = {"cli", "errors", "kb", "link", "render", "sources", "text", "types", "wikitext",
               "nif", "evaluate", "progress", "info", "serve", "spark"}
    assert public - modules <= set(linkpedia.__all__)
    for name in linkpedia.__all__:
        assert hasattr(linkpedia, name)


def test_lookups(sample_kb):
    kb = linkpedia.open_kb(sample_kb)
    assert kb.resolve("USSR") == "Soviet Union"
    assert kb.resolve("soviet_Union") == "Soviet Union"
    assert kb.preview("USSR") == kb.preview("Soviet Union")
    entry = kb.entry("Kaunas")
    assert entry.title == "Kaunas" and not entry.is_disambiguation and entry.popularity > 0
    assert ("Kaunas", entry.surfaces[0][1]) in entry.surfaces or entry.surfaces
    assert kb.entry("Kaunas (disambiguation)").is_disambiguation
    assert [c.title for c in kb.candidates("Kaunas")][:2] == ["Kaunas", "Kaunas Fortress"]
    assert sum(c.prior for c in kb.candidates("Kaunas")) == pytest.approx(1.0)
    assert [c.title for c in kb.candidates("Żeligowski's Mutiny")] == ["Zeligowski's Mutiny"]
    assert kb.search("Kau")[:1] == ["Kaunas"]
    assert "Kaunas" in kb.search("kau")
    assert kb.inlinks("Kaunas")
    with pytest.raises(EntryNotFoundError):
        kb.preview("No such entry")


def test_link_document(sample_kb):
    kb = linkpedia.open_kb(sample_kb)
    doc = kb.link(TEXT)
    assert doc.text == TEXT
    for lk in doc.links:
        assert TEXT[lk.start:lk.end] == lk.surface
        assert doc.previews[lk.title] == kb.preview(lk.title)
    got = {lk.surface: lk.title for lk in doc.links}
    assert got["Kaunas"] == "Kaunas" and got["Lithuania"] == "Lithuania"
    assert got["Vilnius"] == "Vilnius" and got["Soviet Union"] == "Soviet Union"
    assert [lk.start for lk in doc.links] == sorted(lk.start for lk in doc.links)


def test_link_given_mentions(sample_kb):
    kb = linkpedia.open_kb(sample_kb)
    start = TEXT.index("Vilnius")
    doc = kb.link(TEXT, mentions=[(start, start + 7), (0, 6)], threshold=0.0)
    assert [(lk.start, lk.title) for lk in doc.links] == [(0, "Kaunas"), (start, "Vilnius")]
    nil = kb.link("Xyzzy is here.", mentions=[(0, 5)])
    assert nil.links == ()
    with pytest.raises(InputError):
        kb.link(TEXT, mentions=[(5, 500)])
    # The same spans' candidates, in the order given; none for a span the KB cannot name.
    cands = kb.candidates_in(TEXT, [(start, start + 7), (0, 6)])
    assert [c[0].title for c in cands] == ["Vilnius", "Kaunas"]
    assert kb.candidates_in("Xyzzy is here.", [(0, 5)]) == [()]
    with pytest.raises(InputError):
        kb.candidates_in(TEXT, "Vilnius")
    assert not kb.is_disambiguation("Vilnius")


def test_bad_arguments(sample_kb):
    kb = linkpedia.open_kb(sample_kb)
    with pytest.raises(InputError):
        kb.link(TEXT, policy="some")
    with pytest.raises(InputError):
        kb.link(TEXT, threshold=1.5)


def test_unicode_offsets(sample_kb):
    kb = linkpedia.open_kb(sample_kb)
    text = "🙂 Żeligowski's Mutiny shook Klaipėda Region and the Soviet–Lithuanian Peace Treaty held."
    doc = kb.link(text)
    got = {lk.surface: lk.title for lk in doc.links}
    assert got["Żeligowski's Mutiny"] == "Zeligowski's Mutiny"
    assert got["Klaipėda Region"] == "Klaipėda Region"
    assert got["Soviet–Lithuanian Peace Treaty"] == "Soviet–Lithuanian Peace Treaty"
    for lk in doc.links:
        assert text[lk.start:lk.end] == lk.surface


def test_possessive(sample_kb):
    kb = linkpedia.open_kb(sample_kb)
    doc = kb.link("It recognized Lithuania's interests.", threshold=0.3)
    assert [(lk.surface, lk.title) for lk in doc.links] == [("Lithuania", "Lithuania")]


def test_thread_safe(sample_kb):
    kb = linkpedia.open_kb(sample_kb)
    texts = [TEXT, TEXT.upper(), "Vilnius and Riga.", TEXT[::-1]] * 25
    expected = [kb.link(t) for t in texts]
    with ThreadPoolExecutor(8) as pool:
        got = list(pool.map(kb.link, texts))
    assert got == expected


def test_index_is_memory_mapped(sample_kb):
    kb = linkpedia.open_kb(sample_kb)
    arr = kb.index.cand_entry
    base = arr
    while getattr(base, "base", None) is not None and not isinstance(base, np.memmap):
        base = base.base
    assert isinstance(base, np.memmap) or "mmap" in type(base).__name__
    assert kb.open_seconds < 1.0


def test_opens_fast_in_a_fresh_process(sample_kb):
    code = ("import time, linkpedia; t=time.perf_counter(); kb=linkpedia.open_kb(%r); "
            "print(kb.open_seconds)" % str(sample_kb))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert float(out.stdout) < 1.0
