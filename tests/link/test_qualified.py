"""A name whose entry's title adds a qualifier the text names ("Liberal Party"
in a text about Australia: Liberal Party of Australia) reaches that entry,
in a KB built for the test."""

from __future__ import annotations

import pytest
from conftest import jsonl_kb, span_of

from linkpedia.link.candidates import qualified_too

ARTICLES = {
    "Liberal Party (UK)": "The Liberal Party was a political party in the United Kingdom. The Liberal Party "
                          "formed governments in London under Gladstone.",
    "Liberal Party of Australia": "The Liberal Party of Australia is a political party in Australia. It "
                                  "competes with the Labor Party in Australia.",
    "Australia": "Australia is a country in Oceania. Australia has six states, among them Western Australia.",
    "Albany": "Albany is a city in Western Australia, on King George Sound.",
    "Albany, New York": "Albany is the capital city of the state of New York, on the Hudson River.",
    "New York (state)": "New York is a state in the northeastern United States.",
    "Nirvana": "Nirvana is a concept in Buddhism: the end of rebirth and suffering.",
    "Nirvana (band)": "Nirvana was an American rock band formed in Aberdeen, Washington, in 1987.",
}


@pytest.fixture(scope="module")
def kb(tmp_path_factory):
    return jsonl_kb(tmp_path_factory.mktemp("qualified"), ARTICLES)



def _candidates(kb, text: str, name: str) -> list[str]:
    return [c.title for c in kb.candidates_in(text, [span_of(text, name)])[0]]


@pytest.mark.parametrize("text, name, title", [
    ("He stood for the Liberal Party at the 1990 election in Perth, Australia.", "Liberal Party",
     "Liberal Party of Australia"),
    ("The road runs from Albany to Troy, New York, along the Hudson.", "Albany", "Albany, New York"),
])
def test_a_qualifier_the_text_names_comes_first(kb, text, name, title):
    assert _candidates(kb, text, name)[0] == title


def test_without_its_qualifier_in_the_text_the_name_keeps_its_own_order(kb):
    text = "He stood for the Liberal Party at the 1906 election, in Manchester."
    assert _candidates(kb, text, "Liberal Party") == ["Liberal Party (UK)"]
    text = "The ship sailed from Albany to the Southern Ocean."
    assert _candidates(kb, text, "Albany")[0] == "Albany"


def test_a_parenthesized_kind_does_not_come_first(kb):
    # "(band)" says what the entry is, not where: the name's own order stands, for the context to rank.
    own = _candidates(kb, "Nirvana is the goal of the path.", "Nirvana")
    assert _candidates(kb, "The band Nirvana played in Seattle, and the band toured.", "Nirvana") == own


def test_a_qualifier_must_be_in_the_text_not_only_its_words(kb):
    # "New", "York" and "Albany" are all there, "New York" is not: the candidates stay as they were.
    own = [(kb.index.titles["Albany"], 0.5, 0), (kb.index.titles["Albany, New York"], 0.5, 0)]
    for text in ("In Albany, New stores opened; York came later.", "In Albany, new stores opened."):
        assert qualified_too(kb.index, own, text, "Albany") == own
    text = "In Albany, New York, stores opened."
    assert qualified_too(kb.index, own, text, "Albany")[0][0] == own[1][0]


def test_a_qualifier_is_named_as_whole_words(kb):
    own = [(kb.index.titles["Nirvana"], 1.0, 0)]
    band = kb.index.titles["Nirvana (band)"]
    assert qualified_too(kb.index, own, "Her husband sought Nirvana.", "Nirvana") == own
    assert [e for e, _, _ in qualified_too(kb.index, own, "The band Nirvana.", "Nirvana")] == [own[0][0], band]


def test_the_prior_a_qualified_entry_takes(kb):
    ix = kb.index
    uk, aus = ix.titles["Liberal Party (UK)"], ix.titles["Liberal Party of Australia"]
    text = "He stood for the Liberal Party in Australia."
    # "X of Y" is X's own kind in Y: the first candidate's prior
    assert qualified_too(ix, [(uk, 0.8, 0)], text, "Liberal Party")[0] == (aus, 0.8, 0)
    # "X, Y" is a place beside a better known X: half of it
    albany, ny = ix.titles["Albany"], ix.titles["Albany, New York"]
    got = qualified_too(ix, [(albany, 0.8, 0), (ny, 0.2, 0)], "From Albany, New York, by rail.", "Albany")
    assert got == [(ny, 0.4, 0), (albany, 0.8, 0)]


def test_a_long_text_answers_as_a_short_one():
    # A long text gathers its words first and looks each qualifier up once: the same answers.
    from linkpedia.link.candidates import TextWords, _has_words

    filler = "The river runs on. " * (TextWords.LONG // 19 + 1)
    text = filler + "He moved to Troy, New York, and later to the husband's farm in Washington, D.C."
    assert len(text) >= TextWords.LONG and TextWords(text).words is not None
    for q in ("New York", "band", "D.C.", "Washington, D.C.", "York City", "river", "Ohio"):
        assert TextWords(text)(q) == _has_words(text, q) == TextWords(text[-200:])(q)
