"""What the words beside a span say of it: a number makes it a date's word
("3 March", "November 1992"), an ordinal does not ("the 38th Vice
President"); a sentence's capitalized first word starts a longer name where
the KB writes that word capitalized ("Jerry Pauli"), not where it is a common
word ("While Pauli")."""

from __future__ import annotations

import re

import pytest
from conftest import jsonl_kb

ARTICLES = {
    "Vice President of the United States": "The Vice President of the United States is the second-highest"
                                           " officer in the executive branch of the federal government.",
    "March": "March is the third month of the year in the Julian and Gregorian calendars.",
    "DEC": "DEC, the Digital Equipment Corporation, was an American computer company.",
    "Mt (band)": "Mt is a rock band from Ohio that toured with the Shins.",
}


@pytest.fixture(scope="module")
def kb(tmp_path_factory):
    return jsonl_kb(tmp_path_factory.mktemp("dates"), ARTICLES)


def linked(kb, text):
    return [(lk.surface, lk.title) for lk in kb.link(text, mode="entities").links]


def test_an_ordinal_before_a_name_leaves_it_a_name(kb):
    text = "Hubert Humphrey was the 38th Vice President of the United States."
    assert linked(kb, text) == [("Vice President of the United States", "Vice President of the United States")]


def test_a_day_number_makes_a_date(kb):
    assert linked(kb, "He left on 3 March and came back.") == []
    assert linked(kb, "He left in March 1992 and came back.") == []
    assert linked(kb, "They met on Dec. 16 and parted.") == []  # a month's abbreviation
    assert linked(kb, "They bought a Dec computer.") == [("Dec", "DEC")]


def test_a_short_abbreviation_before_a_name_begins_that_name(kb):
    assert linked(kb, "They climbed Mt. Hood in May.") == []
    assert linked(kb, "They heard Mt play in May.") == [("Mt", "Mt (band)")]


# -- a sentence's first word starts a name where the KB writes it capitalized --------

PAULI = {
    "Wolfgang Pauli": "Wolfgang Pauli (25 April 1900 – 15 December 1958) was an Austrian theoretical physicist."
                      " Pauli worked on quantum physics and the exclusion principle in Zurich, where he taught.",
    "Jerry Lewis": "Jerry Lewis (1926 – 2017) was an American comedian. Lewis and Jerry Seinfeld met."
                   " The comedian Jerry Lewis acted with Dean Martin, and he wrote films.",
}


@pytest.fixture(scope="module")
def pauli_kb(tmp_path_factory):
    return jsonl_kb(tmp_path_factory.mktemp("pauli"), PAULI)


def test_a_first_word_the_kb_writes_capitalized_starts_a_longer_name(pauli_kb):
    # "Jerry" is a name in this KB's text, so "Jerry Pauli" is someone it does not know.
    assert linked(pauli_kb, "Jerry Pauli worked on quantum physics in Zurich.") == []
    # An unknown capitalized first word is most likely a first name too.
    assert linked(pauli_kb, "Gunter Pauli worked on quantum physics in Zurich.") == []


def test_a_first_word_that_is_a_common_word_does_not(pauli_kb):
    from linkpedia.link.mentions import in_longer_name

    index = pauli_kb.linker.index
    for text, longer in (("While Pauli worked.", False), ("Jerry Pauli worked.", True),
                         ("Gunter Pauli worked.", True), ("In Pauli's view.", False)):
        start = text.index("Pauli")
        assert in_longer_name(index, text, start, start + 5) is longer, text


def test_a_lone_name_the_text_gives_someone_unknown_is_theirs(pauli_kb):
    from linkpedia.link.mentions import in_unknown_name

    index = pauli_kb.linker.index
    gunter = "Gunter Pauli founded a company in Zurich. Pauli worked on quantum physics there."
    assert in_unknown_name(index, gunter, "Pauli")  # the text's Pauli is Gunter, whom the KB lacks
    assert linked(pauli_kb, gunter) == []
    # the KB's own Wolfgang Pauli, or no longer name at all, leave it to the context
    assert not in_unknown_name(index, "Wolfgang Pauli was a physicist. Pauli worked in Zurich.", "Pauli")
    assert not in_unknown_name(index, "While Pauli worked in Zurich, he met Bohr.", "Pauli")


def test_a_name_after_a_capitalized_word_and_of_is_part_of_that_name(pauli_kb):
    from linkpedia.link.mentions import in_longer_name

    index = pauli_kb.linker.index
    text = "She studied at the University of Zurich, then in Zurich itself."
    first, second = text.index("Zurich"), text.rindex("Zurich")
    assert in_longer_name(index, text, first, first + 6)  # "University of Zurich": an institution's name
    assert not in_longer_name(index, text, second, second + 6)


def test_an_initial_before_a_name_makes_it_someone_else(pauli_kb):
    # "W. E. Pauli" is a Pauli the KB would know by that whole name if it were Wolfgang.
    assert linked(pauli_kb, "In 1930 W. E. Pauli worked on quantum physics in Zurich.") == []
    from linkpedia.link.mentions import in_longer_name

    index = pauli_kb.linker.index
    for text, longer in (("They met W. E. Pauli there.", True), ("They met Pauli there.", False),
                         ("In the U.S. Pauli taught.", False)):
        start = text.index("Pauli")
        assert in_longer_name(index, text, start, start + 5) is longer, text


NEW_YORK = {
    "New York (state)": "New York is a state in the northeastern United States. New York borders Vermont,"
                        " and the state of New York has many cities.",
    "York": "York is a cathedral city in North Yorkshire, England. York was founded by the Romans.",
}


@pytest.fixture(scope="module")
def york_kb(tmp_path_factory):
    return jsonl_kb(tmp_path_factory.mktemp("york"), NEW_YORK)


def test_the_tail_of_a_longer_names_part_is_a_part_too(york_kb):
    # "New York" is a part of "State University of New York", so "York" inside it is too.
    assert linked(york_kb, "She studied at the State University of New York at Albany.") == []
    assert linked(york_kb, "She moved from York to New York in 1990.") == [
        ("York", "York"), ("New York", "New York (state)")]


def test_the_word_before_a_span_is_read_past_spaces_and_one_small_word():
    """``_word_before`` reads the window backwards: the same word, start and end
    as a search for "word [of|the|de] " ending at the span."""
    from linkpedia.link.mentions import _word_before
    search = re.compile(r"(\w[\w'’\-]*)[ \t]+(?:(?:of|the|de)[ \t]+)?$")
    texts = ["University of London", "the Bank of  America", "Mr. Smith", "O'Brien-Kelly Paris",
             "Xof Paris", "(of Paris", "end.\nParis", "word \nParis", "a" * 50 + " Paris", "Paris"]
    for text in texts:
        start = text.rindex(text.split()[-1])
        m = search.search(text, max(0, start - 40), start)
        assert _word_before(text, start) == (m and (m.group(1), m.start(1), m.end(1))), text
