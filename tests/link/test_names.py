"""Short names: a part of a name linked earlier takes that name's entry (link/names.py)."""

from __future__ import annotations

import re

from hypothesis import given, settings, strategies as st

import linkpedia
from linkpedia.link.linker import LinkerConfig
from linkpedia.link.names import name_parts, occurrences, short_names, standalone

TEXT = ("In 1926 Antanas Smetona took power in a coup. Smetona then ruled Lithuania until 1940, "
        "and President Smetona's regime banned the parties.")


def test_name_parts_are_first_and_last_capitalized_words():
    assert name_parts("Antanas Smetona") == ["Antanas", "Smetona"]
    assert name_parts("George W. Bush's") == ["George", "Bush"]
    assert name_parts("League of Nations") == ["League", "Nations"]
    assert name_parts("Kaunas") == []  # one word: nothing shorter to stand for it
    assert name_parts("the Baltic states") == []  # lower-case ends
    assert name_parts("Al Gore") == ["Gore"]  # two letters are too short


def test_a_part_shared_by_two_names_is_ambiguous():
    text = "George Washington met George Canning."
    parts = short_names(text, [(0, 17, 1, 0.9), (22, 36, 2, 0.8)])
    assert "George" not in parts
    assert parts["Washington"] == (1, 0.9) and parts["Canning"] == (2, 0.8)


def test_standalone_means_no_capitalized_word_follows():
    text = "Smetona said. Smetona Street. President Smetona's regime. Smetona-Era"
    spans = occurrences(text, ["Smetona"])
    assert [standalone(text, b, e) for b, e, _ in spans] == [True, False, True, False]


def test_later_short_forms_take_the_full_names_entry(sample_kb):
    kb = linkpedia.open_kb(sample_kb)
    links = [(lk.surface, lk.title) for lk in kb.link(TEXT).links]
    assert links.count(("Smetona", "Antanas Smetona")) == 2  # "Smetona then", "Smetona's"
    assert ("Antanas Smetona", "Antanas Smetona") in links
    short = [lk for lk in kb.link(TEXT).links if lk.surface == "Smetona"]
    full = next(lk for lk in kb.link(TEXT).links if lk.surface == "Antanas Smetona")
    assert all(lk.score == full.score for lk in short)  # the full name's confidence


def test_a_part_used_as_a_modifier_is_not_linked(sample_kb):
    kb = linkpedia.open_kb(sample_kb)
    text = TEXT + " Smetona Street is named after him."
    assert "Smetona" not in [lk.surface for lk in kb.link(text).links]


def test_a_part_the_kb_gives_another_clear_meaning_is_not_relinked(sample_kb):
    # "Lithuania" ends "Republic of Central Lithuania" but means Lithuania.
    kb = linkpedia.open_kb(sample_kb)
    text = "The Republic of Central Lithuania was annexed by Poland. Lithuania protested."
    titles = {lk.surface: lk.title for lk in kb.link(text).links}
    assert titles.get("Lithuania") in (None, "Lithuania")


def test_d2kb_given_spans_use_short_names_too(sample_kb):
    kb = linkpedia.open_kb(sample_kb)
    spans = [(8, 23), (46, 53)]
    doc = kb.link(TEXT, mentions=spans)
    assert [(lk.surface, lk.title) for lk in doc.links] == [
        ("Antanas Smetona", "Antanas Smetona"), ("Smetona", "Antanas Smetona")]


def test_short_names_can_be_turned_off(sample_kb):
    kb = linkpedia.open_kb(sample_kb, config=LinkerConfig(short_names=False))
    assert "Smetona" not in [lk.surface for lk in kb.link(TEXT).links]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab_ c1é'’-.É", max_size=40),
       st.lists(st.text(alphabet="abcéÉ", min_size=1, max_size=3), min_size=1, max_size=4))
def test_occurrences_are_the_whole_word_matches_of_a_regex(text, parts):
    pattern = re.compile(r"(?<!\w)(" + "|".join(map(re.escape, sorted(set(parts), key=len, reverse=True)))
                         + r")(?!\w)")
    assert occurrences(text, parts) == [(m.start(), m.end(), m.group()) for m in pattern.finditer(text)]
