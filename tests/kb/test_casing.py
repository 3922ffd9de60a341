"""How the articles write a surface: the counts behind the "entities" mention mode."""

from __future__ import annotations

import numpy as np

from linkpedia.kb.casing import casing_of_text
from linkpedia.kb.scan import build_scanner


def counts(text: str, keys: list[str]) -> dict[str, tuple[int, int, int, int]]:
    scanner = build_scanner(keys)
    arrays = np.zeros((4, len(keys)), dtype=np.int64)
    casing_of_text(scanner, text, *arrays)
    return {k: tuple(int(a[scanner.trie.key_id(k)]) for a in arrays) for k in keys}


def test_capitalized_mid_sentence_and_lower_case_are_counted_sentence_starts_are_not():
    text = "Paris is big. We saw Paris and paris. Winter came; in winter we skied at the Winter Olympics."
    got = counts(text, ["paris", "winter"])
    # "Paris is" opens the text: no evidence; "saw Paris": upper; "paris": lower.
    assert got["paris"][:3] == (1, 1, 3)
    # "Winter came" follows ";" (a new clause); "Winter Olympics" is part of a longer name: neither counts.
    assert got["winter"][:2] == (0, 1)


def test_time_expressions_are_counted():
    text = "They met on Monday, 5 March 1920. In March the talks went on. Monday came."
    got = counts(text, ["monday", "march"])
    assert got["monday"][2:] == (2, 1)  # "on Monday"; "Monday came" is no time expression
    assert got["march"][2:] == (2, 1)  # "5 March"; "In March" is not counted as one


def test_all_caps_runs_say_nothing():
    got = counts("THE NEWS FROM PARIS TODAY. Then Paris slept.", ["paris"])
    assert got["paris"][:2] == (1, 0)


def test_words_inside_a_longer_name_say_nothing_of_the_word_alone():
    text = ("He studied at Harvard University and at the University of Paris. The university was old; "
            "later the University closed.")
    got = counts(text, ["university"])
    # "Harvard University" and "University of Paris" are names' parts; "the University" counts.
    assert got["university"][:2] == (1, 1)
