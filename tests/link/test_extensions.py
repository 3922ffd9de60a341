"""Titles that extend a given span that is no KB surface (``surfaces+extensions.v1``)."""

from __future__ import annotations


import pytest
from conftest import jsonl_kb


ARTICLES = {
    "First-class cricket": "First-class cricket is a form of cricket played over several days.",
    "Heavy metal music": "Heavy metal is a genre of rock music that developed in the late 1960s.",
    "His Dark Materials": "His Dark Materials is a trilogy of fantasy novels by Philip Pullman.",
    "Stanford University": "Stanford University is a private research university in California.",
}


@pytest.fixture(scope="module")
def kb(tmp_path_factory):
    return jsonl_kb(tmp_path_factory.mktemp("extensions"), ARTICLES)


def titles(kb, surface):
    return [c.title for c in kb.candidates(surface)]


def test_a_name_reaches_the_titles_that_extend_it(kb):
    assert titles(kb, "Stanford") == ["Stanford University"]


def test_a_lower_case_phrase_reaches_them_as_a_title_would_begin(kb):
    assert titles(kb, "first-class") == ["First-class cricket"]
    assert titles(kb, "heavy metal") == ["Heavy metal music"]


def test_a_lone_lower_case_word_is_no_titles_start(kb):
    assert titles(kb, "his") == []
    text = "He read his book."
    assert kb.link(text, mentions=[(3, 6)]).links == ()
