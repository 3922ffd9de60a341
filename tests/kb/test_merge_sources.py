"""A title several sources give is one entry built from all of them, whatever their order.

build(A, B) and build(B, A) write the same index, byte for byte, and the
same scores: the page with links gives the text, links and anchors, every
page adds its aliases and mined names, the longest description is kept.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3

import pytest

import linkpedia

LINKED = [  # a source with link data: offsets into each text
    {"title": "Kaunas", "text": "Kaunas is a city in Lithuania on the Nemunas.",
     "links": [{"start": 20, "end": 29, "title": "Lithuania"}, {"start": 37, "end": 44, "title": "Nemunas"}]},
    {"title": "Lithuania", "text": "Lithuania is a country. Its second city is Kaunas.",
     "links": [{"start": 43, "end": 49, "title": "Kaunas"}]},
    {"title": "Nemunas", "text": "The Nemunas is a river that flows past Kaunas.", "links": []},
]
PLAIN = [  # a source without links, with longer texts, aliases and descriptions
    {"title": "Kaunas", "aliases": ["Kovno"], "description": "Second-largest city of Lithuania",
     "text": "Kaunas (also Kovno) is the second-largest city of Lithuania, where the Neris meets the "
             "Nemunas. It was the temporary capital between the world wars. Kaunas has a fortress."},
    {"title": "Vilnius", "text": "Vilnius is the capital of Lithuania, on the Neris."},
    {"title": "Nemunas", "aliases": ["Neman"], "text": "The Nemunas is the largest river of Lithuania."},
]


def _jsonl(path, records):
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def _index_bytes(kb_dir):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted((kb_dir / "index").iterdir())}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    d = tmp_path_factory.mktemp("merge")
    a, b = _jsonl(d / "linked.jsonl", LINKED), _jsonl(d / "plain.jsonl", PLAIN)
    opts = linkpedia.BuildOptions(jobs=1)
    linkpedia.build_kb([a, b], d / "ab", options=opts)
    linkpedia.build_kb([b, a], d / "ba", options=opts)
    return d / "ab", d / "ba"


def test_the_order_of_the_sources_changes_nothing(built):
    ab, ba = built
    assert _index_bytes(ab) == _index_bytes(ba)
    text = "Kaunas lies on the Nemunas in Lithuania; Kovno is its old name."
    with linkpedia.open_kb(ab) as one, linkpedia.open_kb(ba) as other:
        for mode in ("wikipedia", "entities"):
            assert one.link(text, mode=mode) == other.link(text, mode=mode)
        assert one.info()["counts"] == other.info()["counts"]


def test_one_entry_from_every_source(built):
    ab, _ = built
    con = sqlite3.connect(ab / "kb.sqlite")
    has_links, aliases, description = con.execute(
        "SELECT has_links, aliases, description FROM pages WHERE title = 'Kaunas'").fetchone()
    assert has_links == 1  # the linked source gave the text and the links
    assert json.loads(aliases) == ["Kovno"]  # the plain source gave the alias
    assert description == "Second-largest city of Lithuania"
    assert con.execute("SELECT count(*) FROM page_links pl JOIN pages p ON p.id = pl.page "
                       "WHERE p.title = 'Kaunas'").fetchone()[0] == 2
    with linkpedia.open_kb(ab) as kb:
        assert [c.title for c in kb.candidates("Kovno")] == ["Kaunas"]
        assert [c.title for c in kb.candidates("Neman")] == ["Nemunas"]
        assert kb.info()["skipped"]["duplicate title (merged into one entry)"] == 2
        # Without links in either, the longer text gives the entry: Nemunas's is the plain one.
        assert "largest river" in kb.preview("Nemunas")
