"""A demonym written as an adjective reaches its place by form alone where
the place's article never writes it ("a Sicilian architect" -> Sicily), in a
KB built for the test; words that only look like one keep their own entries."""

from __future__ import annotations

import pytest
from conftest import jsonl_kb

from linkpedia.link.candidates import demonym_entry

ARTICLES = {
    "Sicily": "Sicily is the largest island in the Mediterranean Sea, a region of Italy.",
    "Sicilian cuisine": "Sicilian cuisine is the style of cooking on the island of Sicily. Sicilian cuisine "
                        "uses lemons. Sicilian cuisine uses pistachio.",
    "Bermuda": "Bermuda is a British Overseas Territory in the North Atlantic Ocean.",
    "Rome": "Rome is the capital city of Italy.",
    "Romania": "Romania is a country in Southeast Europe.",
    "Christ": "Christ is a title meaning the anointed one.",
    "Sabah": "Sabah is a state of Malaysia on the island of Borneo.",
    "Martian": "A Martian is an inhabitant of the planet Mars in fiction.",
    "Martok": "Martok is a fictional character.",
    "Allene": "An allene is a compound in which one carbon atom has double bonds with each of its two "
              "adjacent carbon centres.",
    "Jews": "The Jews are an ethnoreligious group and nation.",
}


@pytest.fixture(scope="module")
def kb(tmp_path_factory):
    return jsonl_kb(tmp_path_factory.mktemp("demonym-form"), ARTICLES)


@pytest.mark.parametrize("word, title", [
    ("Sicilian", "Sicily"), ("Bermudian", "Bermuda"),
    ("Roman", "Rome"),  # the least cut off: not Romania
    ("Christian", None), ("Saban", None), ("Allen", None), ("Jewish", None),
    ("Martian", None),  # an entry of its own
])
def test_the_place_a_word_is_the_demonym_of(kb, word, title):
    e = demonym_entry(kb.index, word)
    assert (None if e is None else kb.index.title_of(e)) == title


@pytest.mark.parametrize("text, word, title", [
    ("Andrea Giganti was a Sicilian architect of the Baroque.", "Sicilian", "Sicily"),
    ("Pilgrim is a former Bermudian cricketer.", "Bermudian", "Bermuda"),
    ("The Martian invaders landed in a field.", "Martian", "Martian"),
])
def test_an_adjective_links_to_its_place(kb, text, word, title):
    start = text.index(word)
    assert [lk.title for lk in kb.link(text, mentions=[(start, start + len(word))]).links] == [title]
