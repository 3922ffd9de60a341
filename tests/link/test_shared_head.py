"""A name in a list that shares a plural noun ("the Wabash and Ohio rivers")
reaches the entry titled by the name and that noun, in a KB built for the test."""

from __future__ import annotations

import pytest
from conftest import jsonl_kb, span_of

from linkpedia.link.candidates import shared_head

ARTICLES = {
    "Ohio": "Ohio is a state in the Midwestern United States. Ohio borders Lake Erie. Ohio has many cities.",
    "Ohio River": "The Ohio River is a river in the United States, a tributary of the Mississippi River.",
    "Wabash River": "The Wabash River is a river in Indiana that flows into the Ohio River.",
    "Montgomery, Alabama": "Montgomery is the capital city of Alabama.",
    "Montgomery County": "Montgomery County may refer to:\n* Montgomery County, Mississippi\n"
                         "* Montgomery County, Maryland",
    "Montgomery County, Mississippi": "Montgomery County is a county in the state of Mississippi.",
    "Montgomery County, Maryland": "Montgomery County is a county in the state of Maryland.",
    "Grenada County, Mississippi": "Grenada County is a county in the state of Mississippi.",
    "County Sligo": "County Sligo is a county in Ireland, in the province of Connacht.",
    "County Leitrim": "County Leitrim is a county in Ireland, in the province of Connacht.",
    "Sligo": "Sligo is a town in Ireland on the coast of the Atlantic Ocean. Sligo is a port.",
    "Jefferson Parish": "Jefferson Parish is a parish in the state of Louisiana.",
    "Thomas Jefferson": "Thomas Jefferson was an American statesman. Jefferson wrote the Declaration.",
}


@pytest.fixture(scope="module")
def kb(tmp_path_factory):
    return jsonl_kb(tmp_path_factory.mktemp("shared-head"), ARTICLES)



def test_the_noun_a_list_shares_before_or_after_it():
    text = "Via the Driftwood, White, Wabash and Ohio rivers, it is part of the watershed."
    assert shared_head(text, *span_of(text, "Ohio")) == (("River",), ["Driftwood", "White", "Wabash", "Ohio"])
    text = "It is found in the counties of Sligo, Donegal, Leitrim and Cavan."
    assert shared_head(text, *span_of(text, "Leitrim")) == (("County",), ["Sligo", "Donegal", "Leitrim", "Cavan"])
    text = "Parts of Grenada and Montgomery counties lie east of the road."
    assert shared_head(text, *span_of(text, "Grenada")) == (("County",), ["Grenada", "Montgomery"])
    # a name on its own, or a list followed by a verb, shares no noun
    for text, name in [("The Ohio rivers flow west.", "Ohio"), ("Germany and France signed it.", "France"),
                       ("Bach and Handel was played.", "Handel")]:
        assert shared_head(text, *span_of(text, name)) is None


@pytest.mark.parametrize("text, name, title", [
    ("Via the Wabash and Ohio rivers, the water reaches the Mississippi.", "Ohio", "Ohio River"),
    ("It is found in the counties of Sligo and Leitrim, in Ireland.", "Sligo", "County Sligo"),
    ("It is found in the counties of Sligo and Leitrim, in Ireland.", "Leitrim", "County Leitrim"),
    # the qualified titles are candidates; the disambiguation page never is
    ("Parts of Grenada and Montgomery counties in Mississippi lie east of the road.", "Montgomery",
     "Montgomery County, Mississippi"),
    # a plural in "-es" ("parishes"): its singular drops the "-es", not only the "-s"
    ("The levee runs through Orleans and Jefferson parishes in Louisiana.", "Jefferson", "Jefferson Parish"),
])
def test_a_listed_name_reaches_the_entry_its_noun_titles(kb, text, name, title):
    span = span_of(text, name)
    cands = [c.title for c in kb.candidates_in(text, [span])[0]]
    assert title in cands and "Montgomery County" not in cands
    assert [lk.title for lk in kb.link(text, mentions=[span]).links] == [title]


def test_a_name_outside_a_list_keeps_its_own_candidates(kb):
    text = "Ohio is a state, and Sligo is a town."
    assert [lk.title for lk in kb.link(text, mentions=[span_of(text, "Ohio"), span_of(text, "Sligo")]).links] == \
        ["Ohio", "Sligo"]


def test_a_long_list_is_read_near_the_name_only():
    # Reading to the end of the list from each name would cost the square of its length.
    names = [f"Name{i}" for i in range(2000)]
    text = "Along the " + ", ".join(names) + " and Ohio rivers."
    assert shared_head(text, *span_of(text, "Name0")) is None
    assert shared_head(text, *span_of(text, "Ohio"))[0] == ("River",)
    assert shared_head(text, *span_of(text, "Name1999"))[0] == ("River",)
