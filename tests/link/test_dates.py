"""A number beside a span makes it a date's word ("3 March", "November 1992");
an ordinal before a name does not ("the 38th Vice President")."""

from __future__ import annotations

import pytest
from conftest import jsonl_kb

ARTICLES = {
    "Vice President of the United States": "The Vice President of the United States is the second-highest"
                                           " officer in the executive branch of the federal government.",
    "March": "March is the third month of the year in the Julian and Gregorian calendars.",
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
