"""``spot``: every span written like a KB surface, checked against a plain reference scan."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import linkpedia

from conftest import SAMPLE
from linkpedia.link.spot import _SKIP_STARTS, MAX_SPOT_CHARS, Spot, choose_surfaces, spot
from linkpedia.text import fold


def reference_spots(text, index):
    """The definition, one regex match and one prefix walk per word, no shortcuts."""
    folded = fold(text)
    out = []
    for m in re.finditer(r"\w+", folded):
        st_ = m.start()
        if m.group() in _SKIP_STARTS and text[st_].islower():
            continue
        for key, fid in index.folded.iter_prefixes_with_ids(folded[st_: st_ + min(index.max_surface_len,
                                                                                   MAX_SPOT_CHARS)]):
            e = st_ + len(key)
            if e < len(text) and (folded[e].isalnum() or folded[e] == "_"):
                continue
            if not (folded[e - 1].isalnum() or folded[e - 1] in "_.)"):
                continue
            sids, exact, lp, plp = choose_surfaces(index, fid, text[st_:e])
            out.append(Spot(st_, e, sids, lp, exact, plp))
    return out


@pytest.fixture(scope="module", params=["wiki", "wiki+linkless"])
def index(request, sample_kb, tmp_path_factory):
    """The sample KB, and one that adds articles without links: their names'
    link probabilities are unknown (NaN), which the floor treats apart."""
    if request.param == "wiki":
        return linkpedia.open_kb(sample_kb).index
    tmp = tmp_path_factory.mktemp("linkless")
    articles = tmp / "linkless.jsonl"
    names = ["Nemunas Delta", "Kaunas Fortress Museum", "Vilnius Old Town", "Pact", "Lithuanian Grand Duchy",
             "The Baltic Way", "Union of Lublin", "U.S. Embassy", "1926 Coup", "St.", "Acme Inc.", "Jr.",
             "Kaunas (city)", "Nemunas!"]
    articles.write_text("".join(json.dumps({"title": n, "text": f"{n} is a name from a link-less source."}) + "\n"
                                for n in names), encoding="utf-8")
    out = tmp / "kb"
    linkpedia.build_kb([SAMPLE / "sample-wiki.xml", articles], out, options=linkpedia.BuildOptions(jobs=1))
    return linkpedia.open_kb(out).index


def _pieces(index):
    keys = sorted(index.surfaces.keys())
    unknown = [k for k in keys if index.sf_page_link_prob[index.surfaces[k]] != index.sf_page_link_prob[index.surfaces[k]]]
    surfaces = keys[:400] + unknown[:100]
    return surfaces + ["the", "The", "of", "a", "’s", "'s", ".", ")", "(", " ", "  ", "\n", "-", "_", "x", "9"]


def _nan_equal(a, b):
    return a == b or (a != a and b != b)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_spot_equals_the_reference_scan(index, data):
    pieces = _pieces(index)
    text = "".join(data.draw(st.lists(st.sampled_from(pieces), max_size=30)))
    floor = data.draw(st.sampled_from([None, 0.0, 0.02, 0.5]))
    got, want = spot(text, index, min_link_prob=floor), reference_spots(text, index)
    if floor is not None:  # the linker's rule: a known link probability over the floor, or a capitalized name
        want = [s for s in want if (s.page_link_prob >= floor if s.page_link_prob == s.page_link_prob
                                    else text[s.start].isupper() and s.end - s.start >= 2)]
    assert [(s.start, s.end, s.surface_ids, s.exact) for s in got] == \
        [(s.start, s.end, s.surface_ids, s.exact) for s in want]
    assert all(_nan_equal(a.link_prob, b.link_prob) and _nan_equal(a.page_link_prob, b.page_link_prob)
               for a, b in zip(got, want))
