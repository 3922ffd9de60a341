"""A given span that is no KB surface is looked up in other forms (D2KB, ``kb.candidates``)."""

from __future__ import annotations

import pytest
from conftest import jsonl_kb

from linkpedia.link.spot import variants

ARTICLES = {
    "London Heathrow Airport": "London Heathrow Airport is the main international airport of London, England.",
    "Strawberry": "The strawberry is a widely grown hybrid plant cultivated for its fruit.",
    "Boston": "Boston is the capital and largest city of Massachusetts in the United States.",
    "Fox News": "Fox News is an American news channel owned by the Fox Corporation.",
    "University of California, Berkeley": "The University of California, Berkeley is a public university.",
    "Football": "Football is a family of team sports that involve kicking a ball to score a goal.",
    "Clergy": "Clergy are formal leaders within established religions.",
}


@pytest.fixture(scope="module")
def kb(tmp_path_factory):
    return jsonl_kb(tmp_path_factory.mktemp("variants"), ARTICLES)


def test_the_forms_in_order():
    # the first that is a surface wins, so a form no entry has ("Fox New") costs nothing
    assert variants("London's Heathrow Airport") == ["London's Heathrow Airport", "London Heathrow Airport"]
    assert variants("Fox News's")[:2] == ["Fox News's", "Fox News"]
    assert variants("Strawberries") == ["Strawberries", "Strawberry"]
    assert variants("Test matches") == ["Test matches", "Test matche", "Test match"]  # "-es" after ch, sh, ss, x, z
    assert variants("Porsches")[:2] == ["Porsches", "Porsche"]
    assert variants("Hindus") == ["Hindus", "Hindu"]
    assert variants("Boston, Massachusetts")[-1] == "Boston"
    assert variants("University of California-Berkeley") == ["University of California-Berkeley",
                                                             "University of California, Berkeley"]
    assert variants("Jay-Z") == ["Jay-Z"]  # a dash inside a name, not between two
    # a possessive before a common word is no name's part: nothing to drop
    assert variants("Boston's harbour") == ["Boston's harbour"]
    # a lower-case agent noun, last: what its agent does
    assert variants("footballers")[-2:] == ["footballer", "football"]
    assert variants("clergymen")[-1] == "clergy"
    # not a short base, which is too often another word, nor a name
    assert variants("bowler") == ["bowler"]
    assert variants("Webber") == ["Webber"]


@pytest.mark.parametrize("given, title", [
    ("London's Heathrow Airport", "London Heathrow Airport"), ("Fox News's", "Fox News"),
    ("Strawberries", "Strawberry"), ("Boston, Massachusetts", "Boston"),
    ("University of California-Berkeley", "University of California, Berkeley"),
    ("footballer", "Football"), ("clergyman", "Clergy"),
])
def test_each_form_reaches_its_entry(kb, given, title):
    assert [c.title for c in kb.candidates(given)] == [title]
    text = f"We read about {given} today."
    start = text.index(given)
    assert [lk.title for lk in kb.link(text, mentions=[(start, start + len(given))]).links] == [title]
