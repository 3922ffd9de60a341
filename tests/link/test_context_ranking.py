"""Context against a strong prior: where the names alone favour one entry and
the text is clearly about another, the text wins (issue 13, item 6)."""

from __future__ import annotations


import numpy as np
import pytest
from conftest import jsonl_kb

import linkpedia
from linkpedia.link.features import CANDIDATE_FEATURES
from linkpedia.link.model import DEFAULT_MODEL, Logistic, Model

ARTICLES = {
    "Apple": "An apple is a round, edible fruit produced by an apple tree. Apple trees are grown in "
             "orchards worldwide; the fruit is picked in autumn and eaten raw, baked or pressed into cider.",
    "Apple Inc.": "Apple Inc. is an American technology company headquartered in Cupertino, California. "
                  "It designs the iPhone smartphone, the iPad tablet and the Mac computers, and its software "
                  "includes iOS. Its shares trade on the Nasdaq.",
    "IPhone": "The iPhone is a smartphone designed by Apple Inc. and sold since 2007.",
    "Cider": "Cider is an alcoholic drink made from the fermented juice of apples.",
    "Orchard": "An orchard is a plantation of fruit trees, such as apple, pear or plum trees.",
    "Apple pie": "An apple pie is a pie whose filling is apple; it is often eaten in autumn.",
    "Pear": "The pear is a sweet fruit of the pear tree, picked in late summer and autumn.",
}


@pytest.fixture(scope="module")
def kb(tmp_path_factory):
    return jsonl_kb(tmp_path_factory.mktemp("context"), ARTICLES)


def best(kb, text, surface="Apple"):
    start = text.index(surface)
    (link,) = kb.link(text, mentions=[(start, start + len(surface))]).links
    return link.title


def test_names_alone_rank_the_title_first(kb):
    assert [c.title for c in kb.candidates("Apple")] == ["Apple", "Apple Inc."]


def test_a_text_about_the_company_links_the_company(kb):
    text = ("Apple released a new iPhone and iPad at its headquarters in Cupertino. The company said its "
            "Mac computers and iOS software sold well, and its shares rose on the Nasdaq.")
    assert best(kb, text) == "Apple Inc."


def test_a_text_about_the_fruit_keeps_the_fruit(kb):
    assert best(kb, "The Apple harvest was good: the orchards gave fruit for cider all autumn.") == "Apple"


def test_the_context_gap_is_measured_against_the_mentions_best_candidate(kb):
    text = "Apple sold the iPhone and the iPad in Cupertino."
    linker = kb.linker
    f = linker.featurize(text, linker.spots(text, [(0, 5)]))
    gap = f.X[:, CANDIDATE_FEATURES.index("context_gap")]
    context = f.X[:, CANDIDATE_FEATURES.index("context")]
    assert gap.max() == 0.0 and np.allclose(gap, context - context.max())


def test_the_names_model_scores_the_mentions_no_anchor_reaches():
    features = CANDIDATE_FEATURES
    always = Logistic(features, (0.0,) * len(features), 40.0)  # p = 1
    never = Logistic(features, (0.0,) * len(features), -40.0)  # p = 0
    model = Model(always, DEFAULT_MODEL.linking, names=never)
    X = np.zeros((3, len(features)))
    # spot 0 has an anchored candidate, spot 1 has names alone
    p = model.p_entry(X, [0, 0, 1], [3, 0, 0])
    assert p.round(3).tolist() == [1.0, 1.0, 0.0]
    assert Model.from_json(model.to_json()).names == never


def test_a_model_saved_before_a_feature_was_added_still_loads():
    old = DEFAULT_MODEL.disambiguation.to_json()
    old["features"], old["weights"] = old["features"][:-1], old["weights"][:-1]
    loaded = Logistic.from_json(old, CANDIDATE_FEATURES)
    assert loaded.features == CANDIDATE_FEATURES and loaded.weights[-1] == 0.0
    with pytest.raises(ValueError, match="rebuild the KB"):
        Logistic.from_json({**old, "features": ["nonsense"]}, CANDIDATE_FEATURES)


def test_coherence_counts_as_known_only_where_the_text_names_other_linked_entries(sample_kb):
    kb = linkpedia.open_kb(sample_kb)
    linker, col = kb.linker, CANDIDATE_FEATURES.index("graph_known")
    alone = "Vilnius was quiet."
    f = linker.featurize(alone, linker.spots(alone, [(0, 7)]))
    assert not f.X[:, col].any()  # nothing else in the text to be coherent with
    both = "Vilnius and Kaunas were quiet."
    f = linker.featurize(both, linker.spots(both, [(0, 7), (12, 18)]))
    assert f.X[:, col].all()
