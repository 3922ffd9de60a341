"""The seed layout: byte-for-byte the seed page, and the edge cases around links."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linkpedia.errors import InputError
from linkpedia.render.seed import render_seed
from linkpedia.types import Document, Link

SEED_PAGE = "000_58d5dfd114e78f01.txt"


def seed_document(seed_dir: Path) -> Document:
    gold = json.loads((seed_dir / "seed_gold.json").read_text(encoding="utf-8"))
    links = tuple(Link(g["start"], g["end"], g["surface"], title=g["target"]) for g in gold["links"])
    previews = {p["title"]: p["preview"] for p in gold["previews"]}
    return Document(text=gold["text"], links=links, title=gold["title"], previews=previews)


def doc_with(text: str, *surfaces: str, title: str | None = "T", previews=None) -> Document:
    """A document linking the first occurrence (after the previous link) of each surface."""
    links, position = [], 0
    for surface in surfaces:
        start = text.index(surface, position)
        position = start + len(surface)
        links.append(Link(start, position, surface, title=surface.upper()))
    return Document(text=text, links=tuple(links), title=title, previews=previews or {})


def test_seed_document_renders_to_the_seed_page_byte_for_byte(seed_dir):
    doc = seed_document(seed_dir)
    assert len(doc.links) == 17 and len(doc.previews) == 16
    expected = (seed_dir / SEED_PAGE).read_bytes()
    assert render_seed(doc).encode("utf-8") == expected


def test_seed_page_blocks_match_line_by_line(seed_dir):
    expected = (seed_dir / SEED_PAGE).read_text(encoding="utf-8").split("\n")
    lines = render_seed(seed_document(seed_dir)).split("\n")
    assert len(lines) == len(expected) == 75
    assert lines[:22] == expected[:22]  # title, "Encyclopedia", block 1
    assert lines[22:75] == expected[22:75]  # block 2, from the first link's title
    assert lines[22] == "Non-aggression pact"


def test_no_links_gives_the_text_lines_and_no_second_block():
    doc = Document(text="First paragraph.\n\nSecond one.\n", title="Plain")
    assert render_seed(doc) == "Plain\nEncyclopedia\nFirst paragraph.\nSecond one."


def test_link_at_the_very_start():
    doc = doc_with("Kaunas is a city.", "Kaunas", previews={"KAUNAS": "A city."})
    assert render_seed(doc) == "T\nEncyclopedia\nKaunas\nis a city.\nKAUNAS\nA city.\nis a city."


def test_link_at_the_very_end_leaves_no_trailing_newline():
    doc = doc_with("I live in Kaunas", "Kaunas", previews={"KAUNAS": "A city."})
    assert render_seed(doc) == "T\nEncyclopedia\nI live in Kaunas\nKAUNAS\nA city."


def test_adjacent_links_each_get_a_line():
    spaced = doc_with("See Vilnius Kaunas now", "Vilnius", "Kaunas")
    assert render_seed(spaced) == "T\nEncyclopedia\nSee Vilnius\nKaunas\nnow\nVILNIUS\nKaunas\nKAUNAS\nnow"
    touching = doc_with("See VilniusKaunas.", "Vilnius", "Kaunas")
    assert render_seed(touching) == "T\nEncyclopedia\nSee Vilnius\nKaunas\n.\nVILNIUS\nKaunas\nKAUNAS\n."


def test_links_across_paragraph_boundaries():
    text = "Go to Kaunas\n\nVilnius is big.\n\n\nIt borders Latvia.\n\nEnd."
    doc = doc_with(text, "Kaunas", "Vilnius", "Latvia", previews={"VILNIUS": "Capital."})
    assert render_seed(doc).split("\n") == [
        "T",
        "Encyclopedia",
        "Go to Kaunas",
        "Vilnius",
        "is big.",
        "It borders Latvia",
        ".",
        "End.",
        # block 2: a link right before or right after a paragraph break makes no empty line
        "KAUNAS",
        "Vilnius",
        "VILNIUS",
        "Capital.",
        "is big.",
        "It borders Latvia",
        "LATVIA",
        ".",
        "End.",
    ]


def test_text_before_the_first_link_is_left_out_of_block_two_even_across_paragraphs():
    doc = doc_with("Intro.\n\nThen Kaunas, fine.", "Kaunas")
    assert render_seed(doc) == "T\nEncyclopedia\nIntro.\nThen Kaunas\n, fine.\nKAUNAS\n, fine."


def test_missing_title_falls_back_to_the_first_line_cut_to_80_characters():
    first = "word " * 30
    doc = Document(text=f"\n{first}\nmore")
    assert render_seed(doc).split("\n")[0] == ("word " * 16).strip() + "…"  # between words
    assert len(render_seed(doc).split("\n")[0]) <= 80


def test_previews_with_newlines_stay_on_one_line():
    doc = doc_with("Kaunas.", "Kaunas", previews={"KAUNAS": "Line one\nline two"})
    assert render_seed(doc) == "T\nEncyclopedia\nKaunas\n.\nKAUNAS\nLine one line two\n."


def test_unsorted_links_are_laid_out_in_text_order():
    doc = doc_with("A Vilnius B Kaunas C", "Vilnius", "Kaunas")
    shuffled = Document(text=doc.text, links=doc.links[::-1], title="T")
    assert render_seed(shuffled) == render_seed(doc)


def test_overlapping_links_are_refused():
    doc = Document(text="New York City", links=(Link(0, 8, "New York", "NY"), Link(4, 13, "York City", "YC")))
    with pytest.raises(InputError, match="overlaps link 'New York'"):
        render_seed(doc)


def test_a_link_whose_surface_is_not_the_text_is_refused():
    doc = Document(text="Kaunas", links=(Link(0, 6, "Vilnius", "Vilnius"),))
    with pytest.raises(InputError, match="not the surface") as error:
        render_seed(doc)
    assert "\n" not in str(error.value)


@st.composite
def documents(draw):
    text = draw(st.text(alphabet="ab .,\n\t", max_size=60))
    cuts = sorted(draw(st.lists(st.integers(0, len(text)), max_size=8)))
    spans = [(a, b) for a, b in zip(cuts[::2], cuts[1::2]) if text[a:b] and text[a:b] == text[a:b].strip()]
    # titles and previews are marked so block 2's added lines can be told apart
    links = tuple(Link(a, b, text[a:b], f"<T{i}>") for i, (a, b) in enumerate(spans))
    previews = {link.title: f"<P{i}>" for i, link in enumerate(links) if i % 2 == 0}
    return Document(text=text, links=links, title="T", previews=previews)


@settings(max_examples=300, deadline=None)
@given(documents())
def test_layout_invariants(doc):
    out = render_seed(doc)
    assert not out.endswith("\n")
    lines = out.split("\n")[2:]
    assert all(line and line == line.strip() for line in lines)
    marked = [i for i, line in enumerate(lines) if line.startswith("<")]
    block1, block2 = (lines[: marked[0]], lines[marked[0] :]) if marked else (lines, [])
    # block 1 keeps every visible character of the text, in order
    assert "".join("".join(block1).split()) == "".join(doc.text.split())
    # block 2 is block 1 without the text up to the first link, plus each link's title and preview
    if doc.links:
        first_piece = len(render_seed(Document(doc.text[: doc.links[0].end], title="T")).split("\n")) - 2
        assert [line for line in block2 if not line.startswith("<")] == block1[first_piece:]
        expected = [x for link in doc.links for x in (link.title, doc.previews.get(link.title)) if x]
        assert [line for line in block2 if line.startswith("<")] == expected
