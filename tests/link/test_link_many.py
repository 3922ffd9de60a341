"""``kb.link_many``: texts linked together give exactly the documents ``kb.link`` gives each alone."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import linkpedia
from linkpedia.errors import InputError

from conftest import SAMPLE


@pytest.fixture(scope="module")
def kb(sample_kb):
    return linkpedia.open_kb(sample_kb)


SENTENCES = re.split(r"(?<=[.;])\s+", (SAMPLE / "sample-text.txt").read_text(encoding="utf-8").replace("\n", " "))
EDGE = ["", "Kaunas", "kaunas", "The the the", "Vilnius and Kaunas\n\nWarsaw. " * 20, "Ж ё 日本 ✓", "  \n\n  "]


def test_a_batch_links_each_text_as_it_would_be_linked_alone(kb):
    texts = [" ".join(SENTENCES[i:i + 9]) for i in range(0, len(SENTENCES), 3)] + EDGE
    assert kb.link_many(texts) == [kb.link(t) for t in texts]
    assert kb.link_many(texts, policy="first", threshold=0.3) == [kb.link(t, policy="first", threshold=0.3)
                                                                   for t in texts]
    titles = ["Kaunas", None, "Vilnius"] * len(texts)
    assert kb.link_many(texts, titles=titles[:len(texts)]) == [kb.link(t, title=title)
                                                                for t, title in zip(texts, titles)]
    assert kb.link_many([]) == []


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(st.sampled_from(SENTENCES + EDGE), max_size=12).map(" ".join), max_size=6))
def test_no_text_depends_on_the_others_in_its_batch(kb, texts):
    assert kb.link_many(texts) == [kb.link(t) for t in texts]


def test_a_bad_option_is_one_clear_error(kb):
    with pytest.raises(InputError, match="unknown policy"):
        kb.link_many(["Kaunas"], policy="most")
    with pytest.raises(InputError, match="2 titles for 1 texts"):
        kb.link_many(["Kaunas"], titles=["A", "B"])
