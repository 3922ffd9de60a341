"""``fold``: the key spotting matches on (lower case, no diacritics, same length)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from linkpedia.text import _FOLD, fold


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=0x2FFF, exclude_categories=("Cs",))))
def test_fold_equals_the_table_and_keeps_the_length(text):
    assert fold(text) == text.translate(_FOLD)
    assert len(fold(text)) == len(text)


def test_fold_examples():
    assert fold("Żeligowski’s Mutiny") == "zeligowski's mutiny"
    assert fold("Soviet–Lithuanian `Peace` Treaty") == "soviet-lithuanian 'peace' treaty"
    assert fold("ASCII only") == "ascii only"
