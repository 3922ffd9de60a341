"""Acceptance on the seed: build its KB, link its text, render its page."""

from __future__ import annotations

from pathlib import Path

import pytest

import linkpedia
from linkpedia.render import render
from linkpedia.types import Document, Link

from seedkb import write_seed_dump


@pytest.fixture(scope="module")
def seed(tmp_path_factory):
    from conftest import need_shared

    seed_dir = need_shared("seed")
    tmp = tmp_path_factory.mktemp("seedkb")
    gold = write_seed_dump(seed_dir, tmp / "seed-wiki.xml")
    linkpedia.build_kb([tmp / "seed-wiki.xml"], tmp / "kb", options=linkpedia.BuildOptions(jobs=1))
    kb = linkpedia.open_kb(tmp / "kb")
    yield kb, gold, seed_dir
    kb.close()


def test_previews_equal_the_seed(seed):
    kb, gold, _ = seed
    for p in gold["previews"]:
        assert kb.preview(p["title"]) == p["preview"], p["title"]


def test_all_gold_links_found_and_none_wrong(seed):
    kb, gold, _ = seed
    doc = kb.link(gold["text"], policy="first", title=gold["title"])
    found = {(lk.start, lk.end): lk.title for lk in doc.links}
    for g in gold["links"]:
        assert found.get((g["start"], g["end"])) == g["target"], g
    wrong = []
    for lk in doc.links:
        assert doc.text[lk.start:lk.end] == lk.surface
        # A link beyond the gold ones must name the entry its words name: the entry
        # the seed links the same words to, or the entry titled (or redirected from)
        # exactly those words ("Estonia" -> Estonia, never "Kaunas" -> Kaunas Fortress).
        if (lk.start, lk.end) in {(g["start"], g["end"]) for g in gold["links"]}:
            continue
        same_words = {g["target"] for g in gold["links"] if g["surface"] == lk.surface}
        if lk.title not in same_words and kb.resolve(lk.surface) != lk.title:
            wrong.append((lk.surface, lk.title))
    assert not wrong, wrong


def test_link_scores_are_probabilities_with_ranked_candidates(seed):
    kb, gold, _ = seed
    doc = kb.link(gold["text"], policy="first", title=gold["title"])
    for lk in doc.links:
        assert 0.0 <= lk.score <= 1.0
        assert lk.candidates and lk.candidates[0].title == lk.title
        scores = [c.score for c in lk.candidates]
        assert scores == sorted(scores, reverse=True)


def test_seed_rendering_is_byte_for_byte(seed):
    kb, gold, seed_dir = seed
    links = tuple(Link(g["start"], g["end"], g["surface"], g["target"]) for g in gold["links"])
    doc = Document(gold["text"], links, gold["title"], kb.previews([g["target"] for g in gold["links"]]))
    page = render(doc, "seed")
    expected = (seed_dir / "000_58d5dfd114e78f01.txt").read_text(encoding="utf-8")
    got_lines, want_lines = page.split("\n"), expected.split("\n")
    assert got_lines[:22] == want_lines[:22]
    assert got_lines[-53:] == want_lines[22:75]
    assert page == expected


def test_linked_document_renders_like_the_seed(seed):
    kb, gold, seed_dir = seed
    doc = kb.link(gold["text"], policy="first", title=gold["title"])
    gold_spans = {(g["start"], g["end"]) for g in gold["links"]}
    doc = Document(doc.text, tuple(lk for lk in doc.links if (lk.start, lk.end) in gold_spans),
                   doc.title, doc.previews)
    expected = (seed_dir / "000_58d5dfd114e78f01.txt").read_text(encoding="utf-8")
    assert render(doc, "seed") == expected
