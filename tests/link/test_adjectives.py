"""A demonym written as an adjective names the nation ("an English
cricketer"), though the word's full name in the KB is the language's; used
as a noun ("written in English") it stays the language."""

from __future__ import annotations

import pytest
from conftest import jsonl_kb

ARTICLES = {
    "English language": "English is a West Germanic language that was first spoken in early medieval England."
                        " English is spoken by many people, and English grammar is taught in schools.",
    "England": "England is a country that is part of the United Kingdom. The English people live there;"
               " the English monarchy and English law began in England, and English towns grew.",
}


@pytest.fixture(scope="module")
def kb(tmp_path_factory):
    return jsonl_kb(tmp_path_factory.mktemp("adjectives"), ARTICLES)


def given(kb, text, word):
    start = text.index(word)
    return [lk.title for lk in kb.link(text, mentions=[(start, start + len(word))]).links]


def test_before_a_noun_the_demonym_names_the_nation(kb):
    assert [c.title for c in kb.candidates("English")][0] == "English language"
    assert given(kb, "Smith is a former English cricketer who played for Kent.", "English") == ["England"]


def test_as_a_noun_it_stays_the_language(kb):
    assert given(kb, "The poem was written in English and French.", "English") == ["English language"]
    assert given(kb, "The poem was written in English.", "English") == ["English language"]


def test_the_form_of_a_demonym():
    from linkpedia.kb.names import demonym_of

    assert demonym_of("England", "English") and demonym_of("Norway", "Norwegian") and demonym_of("China", "Chinese")
    assert not demonym_of("England", "England") and not demonym_of("United Kingdom", "British")
