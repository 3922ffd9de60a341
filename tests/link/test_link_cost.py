"""A text's linking cost is bounded: memory and pairs grow with distinct names, not with repetitions.

One request of repeated mentions used to take gigabytes (coherence over pairs
of mention occurrences). The figures against length are bench/link_cost.py's;
these tests hold the bound and check the distinct-entry features against
their plain definition.
"""

from __future__ import annotations

import math
import tracemalloc

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import linkpedia
from linkpedia.link.features import coherence
from linkpedia.link.spans import Covering, SpanUnion

MB = 1 << 20


@pytest.fixture(scope="module")
def kb(sample_kb):
    return linkpedia.open_kb(sample_kb)


def _traced_peak(call) -> int:
    tracemalloc.start()
    try:
        call()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_repeated_text_of_50k_characters_links_in_bounded_memory(kb):
    text = ("Kaunas is the second city of Lithuania. " * 1300)[:50_000]
    kb.link("Kaunas and Vilnius")  # the KB's own memo tables are not the text's cost
    peak = _traced_peak(lambda: kb.link(text))
    assert peak < 64 * MB, f"linking 50k characters took {peak / MB:.0f} MB"  # the target is 300 MB
    doc = kb.link(text)
    assert len(doc.links) >= 2 * 1250  # every repetition is still linked
    assert {lk.title for lk in doc.links} >= {"Kaunas", "Lithuania"}


def test_a_batch_of_repeated_texts_is_bounded_too(kb):
    texts = [("Vilnius and Kaunas. " * 2500)[:50_000], ("Warsaw, Vilnius; " * 3000)[:50_000]]
    peak = _traced_peak(lambda: kb.link_many(texts))
    assert peak < 128 * MB
    assert kb.link_many(texts) == [kb.link(t) for t in texts]


def test_given_spans_repeated_are_bounded(kb):
    unit = "Kaunas is the second city of Lithuania. "
    text = unit * 1250
    spans = [(i * len(unit), i * len(unit) + 6) for i in range(1250)]
    peak = _traced_peak(lambda: kb.link(text, mentions=spans))
    assert peak < 64 * MB
    assert len(kb.link(text, mentions=spans).links) == 1250


# -- coherence on distinct entries equals its definition over mentions ---------------


def _relatedness(index, a: int, b: int) -> float:
    if a == b:
        return 1.0
    A = set(index.in_src[index.in_ptr[a]:index.in_ptr[a + 1]].tolist())
    B = set(index.in_src[index.in_ptr[b]:index.in_ptr[b + 1]].tolist())
    inter = len(A & B)
    if not inter:
        return 0.0
    W = max(float(index.n_entries), 2.0)
    den = math.log(W) - math.log(min(len(A), len(B)))
    mw = 1.0 - (math.log(max(len(A), len(B))) - math.log(inter)) / (den if den > 0 else 1.0)
    return min(max(mw, 0.0), 1.0)


def reference_coherence(index, ent, grp, doc, vote, w):
    """Weighted mean relatedness to every voting mention of the text outside the candidate's own group."""
    out = []
    for i in range(len(ent)):
        num = den = 0.0
        for j in range(len(ent)):
            if vote[j] and doc[j] == doc[i] and grp[j] != grp[i]:
                num += _relatedness(index, int(ent[i]), int(ent[j])) * w[j]
                den += w[j]
        out.append(num / den if den > 1e-12 else 0.0)
    return np.asarray(out)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_coherence_equals_its_definition_over_mentions(kb, data):
    index = kb.index
    popular = np.flatnonzero(np.diff(index.in_ptr) > 0)
    n = data.draw(st.integers(1, 40))
    ent = np.asarray(data.draw(st.lists(st.sampled_from(popular.tolist()), min_size=n, max_size=n)))
    grp = np.sort(np.asarray(data.draw(st.lists(st.integers(0, 12), min_size=n, max_size=n))))
    doc = grp // 5
    vote = np.asarray(data.draw(st.lists(st.booleans(), min_size=n, max_size=n)))
    w = np.asarray(data.draw(st.lists(st.floats(0.01, 1.0), min_size=n, max_size=n)))
    got = coherence(index, ent, grp, doc, ent[vote], grp[vote], doc[vote], w[vote], max_context=10**6)
    np.testing.assert_allclose(got, reference_coherence(index, ent, grp, doc, vote, w), atol=1e-6)


def test_the_context_is_capped_at_the_heaviest_distinct_entries(kb):
    index = kb.index
    popular = np.flatnonzero(np.diff(index.in_ptr) > 0)[:6]
    ent = np.asarray(popular.tolist() * 50)  # 300 mentions of 6 entries
    grp = np.arange(len(ent)) % 12
    doc = np.zeros(len(ent), dtype=np.int64)
    w = np.linspace(0.1, 1.0, len(ent))
    full = coherence(index, ent, grp, doc, ent, grp, doc, w, max_context=6)
    np.testing.assert_allclose(full, reference_coherence(index, ent, grp, doc, np.ones(len(ent), bool), w),
                               atol=1e-6)
    capped = coherence(index, ent, grp, doc, ent, grp, doc, w, max_context=2)
    assert capped.shape == full.shape and np.all((capped >= 0) & (capped <= 1))


# -- span sets --------------------------------------------------------------------------

spans_st = st.lists(st.tuples(st.integers(0, 60), st.integers(1, 12)).map(lambda t: (t[0], t[0] + t[1])),
                    max_size=30)


@given(spans_st, spans_st)
def test_span_union_answers_as_a_scan_does(added, queries):
    union, plain = SpanUnion(), []
    for b, e in added:
        for qb, qe in queries:
            assert union.overlaps(qb, qe) == any(qb < pe and pb < qe for pb, pe in plain)
        union.add(b, e)
        plain.append((b, e))


@given(spans_st, spans_st)
def test_covering_answers_as_a_scan_does(fixed, queries):
    cover = Covering(fixed)
    for b, e in queries:
        assert cover(b, e) == any(pb <= b and e <= pe for pb, pe in fixed)


# -- in-link lists read up to a cap: the relatedness estimate stays close -----------------


def _synthetic_inlinks(kb, seed=7):
    """The sample index with three entries of 2,000-4,000 in-links among 20,000 entries."""
    import dataclasses

    rng = np.random.default_rng(seed)
    E = 20_000
    common = rng.choice(E, 1500, replace=False)
    lists = [np.union1d(common, rng.choice(E, 2500, replace=False)),
             np.union1d(common[:900], rng.choice(E, 1200, replace=False)),
             rng.choice(E, 3000, replace=False)]
    lists += [np.zeros(0, dtype=np.int64)] * (E - len(lists))
    ptr = np.zeros(E + 1, dtype=np.int64)
    ptr[1:] = np.cumsum([len(x) for x in lists])
    src = np.concatenate([np.sort(x) for x in lists]).astype(np.int32)
    return dataclasses.replace(kb.index, in_ptr=ptr, in_src=src, n_entries=E)


def test_capped_inlink_lists_estimate_relatedness_closely(kb):
    from linkpedia.link.features import _related

    ix = _synthetic_inlinks(kb)
    rows = cols = np.arange(3)
    doc = np.zeros(3, dtype=np.int64)
    full = dict(zip(zip(*_related(ix, rows, doc, cols, doc, cap=10**9)[:2]), _related(ix, rows, doc, cols, doc,
                                                                                        cap=10**9)[2]))
    r, c, v = _related(ix, rows, doc, cols, doc, cap=600)
    capped = dict(zip(zip(r, c), v))
    assert full[(0, 1)] > 0.3  # related through their 900 common sources
    for pair, value in full.items():
        assert abs(capped.get(pair, 0.0) - value) < 0.06, pair
    same = _related(ix, rows, doc, cols, doc, cap=5_000)
    assert all(np.array_equal(x, y) for x, y in zip(same, _related(ix, rows, doc, cols, doc, cap=10**9)))
