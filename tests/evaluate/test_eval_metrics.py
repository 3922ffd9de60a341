"""GERBIL's counting, checked on cases computed by hand."""

from __future__ import annotations

import pytest

from linkpedia.evaluate.datasets import GoldDocument, GoldLink
from linkpedia.evaluate.metrics import (
    Counts,
    aggregate,
    compare,
    error_counts,
    prf,
    score_documents,
    wrong_pairs,
)
from linkpedia.types import Link

ENTRIES = {"Paris", "Paris Hilton", "France", "Berlin", "Seine"}
REDIRECTS = {"Paris, France": "Paris", "Hilton": "Paris Hilton"}


def resolve(title: str) -> str | None:
    title = title[:1].upper() + title[1:]
    title = REDIRECTS.get(title, title)
    return title if title in ENTRIES else None


def gold(text: str, *spans: tuple[str, str | None], qid: str | None = None) -> GoldDocument:
    """Gold links found by surface, left to right: (surface, title or None = NIL)."""
    links, pos = [], 0
    for surface, title in spans:
        start = text.index(surface, pos)
        links.append(GoldLink(start, start + len(surface), surface, title, qid))
        pos = start + 1
    return GoldDocument("d", text, links)


def link(text: str, surface: str, title: str, nth: int = 0) -> Link:
    start = -1
    for _ in range(nth + 1):
        start = text.index(surface, start + 1)
    return Link(start, start + len(surface), surface, title)


def test_prf_special_cases_follow_gerbil():
    assert prf(Counts(0, 0, 0)) == (1.0, 1.0, 1.0)  # nothing to find, nothing found
    assert prf(Counts(0, 2, 0)) == (0.0, 0.0, 0.0)
    assert prf(Counts(0, 0, 3)) == (0.0, 0.0, 0.0)
    assert prf(Counts(1, 1, 3)) == pytest.approx((0.5, 0.25, 1 / 3))


def test_strong_and_weak_matching():
    text = "Paris Hilton visited Paris in France."
    doc = gold(text, ("Paris Hilton", "Paris Hilton"), ("Paris", "Paris"), ("France", "France"))
    predicted = [
        Link(0, 5, "Paris", "Hilton"),  # partial span, right entry (via a redirect)
        link(text, "Paris", "Paris, France", nth=1),  # exact span, redirect to the right entry
        link(text, "France", "Berlin"),  # exact span, wrong entry
    ]
    r = compare(doc, predicted, resolve)
    assert r.counts["strong"]["inkb"] == Counts(tp=1, fp=2, fn=2)
    assert r.counts["weak"]["inkb"] == Counts(tp=2, fp=1, fn=1)
    assert prf(r.counts["strong"]["inkb"]) == pytest.approx((1 / 3, 1 / 3, 1 / 3))
    assert prf(r.counts["weak"]["inkb"]) == pytest.approx((2 / 3, 2 / 3, 2 / 3))
    assert [j.status for j in r.gold] == ["missed", "correct", "wrong"]
    assert [j.status for j in r.predicted] == ["spurious", "correct", "wrong"]
    assert wrong_pairs([r]) == {("France", "Berlin"): 1}
    assert error_counts([r]) == {"missed": 1, "spurious": 1, "wrong": 1, "not_in_kb": 0, "nil_linked": 0}


def test_weak_matching_pairs_greedily_in_gold_order():
    # Both gold mentions overlap the one prediction; the first gold takes it (GERBIL).
    text = "the Seine river Seine banks"
    doc = GoldDocument("d", text, [GoldLink(4, 15, text[4:15], "Seine"), GoldLink(10, 21, text[10:21], "Seine")])
    r = compare(doc, [Link(10, 15, text[10:15], "Seine")], resolve)
    assert r.counts["weak"]["inkb"] == Counts(tp=1, fp=0, fn=1)
    assert r.counts["strong"]["inkb"] == Counts(tp=0, fp=1, fn=2)


def test_nil_gold_is_left_out_of_inkb_but_a_link_on_it_is_a_false_positive():
    text = "Jorvald met Berlin officials."
    doc = gold(text, ("Jorvald", None), ("Berlin", "Berlin"))
    r = compare(doc, [link(text, "Jorvald", "Paris"), link(text, "Berlin", "Berlin")], resolve)
    assert r.counts["strong"]["inkb"] == Counts(tp=1, fp=1, fn=0)
    assert r.counts["strong"]["all"] == Counts(tp=1, fp=1, fn=0)
    assert r.counts["strong"]["ee"] == Counts(tp=0, fp=0, fn=1)
    assert [j.status for j in r.gold] == ["nil", "correct"]
    assert [j.status for j in r.predicted] == ["nil", "correct"]
    assert error_counts([r])["nil_linked"] == 1
    # an A2KB annotator that never answers NIL is not scored on EE
    assert score_documents([r])["strong"]["ee"] is None


def test_d2kb_unlinked_span_is_a_nil_prediction():
    text = "Jorvald met Berlin officials near the Seine."
    doc = gold(text, ("Jorvald", None), ("Berlin", "Berlin"), ("Seine", "Seine"))
    predicted = [
        link(text, "Berlin", "Paris"),  # wrong entry
        link(text, "officials", "France"),  # not a given span: dropped, as GERBIL does
    ]  # Jorvald and Seine left unlinked
    r = compare(doc, predicted, resolve, mode="d2kb")
    assert set(r.counts) == {"strong"}
    assert r.counts["strong"]["inkb"] == Counts(tp=0, fp=1, fn=2)
    assert r.counts["strong"]["ee"] == Counts(tp=1, fp=1, fn=0)  # Jorvald right, Seine wrongly NIL
    assert [j.status for j in r.gold] == ["nil", "wrong", "missed"]
    assert [j.status for j in r.predicted] == ["unlinked", "wrong", "unlinked"]
    scores = score_documents([r])["strong"]
    ee = scores["ee"]
    assert ee is not None
    assert (ee.micro_precision, ee.micro_recall, ee.micro_f1) == pytest.approx((0.5, 1.0, 2 / 3))


def test_gold_entry_missing_from_the_kb_is_a_coverage_gap_not_an_error():
    text = "Atlantis sank near France."
    doc = gold(text, ("Atlantis", "Atlantis"), ("France", "France"))
    r = compare(doc, [link(text, "Atlantis", "Berlin"), link(text, "France", "France")], resolve)
    assert r.counts["strong"]["inkb"] == Counts(tp=1, fp=0, fn=0)
    assert r.counts["weak"]["inkb"] == Counts(tp=1, fp=0, fn=0)
    assert r.counts["strong"]["all"] == Counts(tp=1, fp=1, fn=1)
    assert [j.status for j in r.gold] == ["gap", "correct"]
    assert [j.status for j in r.predicted] == ["gap", "correct"]
    assert error_counts([r])["not_in_kb"] == 1
    # unlinked in D2KB, the gap is a correct EE answer
    d = compare(doc, [link(text, "France", "France")], resolve, mode="d2kb")
    assert d.counts["strong"]["ee"] == Counts(tp=1, fp=0, fn=0)


def test_qid_only_gold_is_a_gap_for_a_title_kb():
    text = "Paris is big."
    doc = GoldDocument("d", text, [GoldLink(0, 5, "Paris", None, "Q90")])
    r = compare(doc, [link(text, "Paris", "Paris")], resolve)
    assert r.gold[0].status == "gap" and r.gold[0].mention.key == "qid:Q90"
    assert r.counts["strong"]["inkb"] == Counts(0, 0, 0)


def test_duplicate_spans_pair_once():
    text = "Paris and more."
    twice = GoldDocument("d", text, [GoldLink(0, 5, "Paris", "Paris"), GoldLink(0, 5, "Paris", "Paris")])
    r = compare(twice, [link(text, "Paris", "Paris")], resolve)
    assert r.counts["strong"]["inkb"] == Counts(tp=1, fp=0, fn=1)
    assert [j.status for j in r.gold] == ["correct", "missed"]

    once = gold(text, ("Paris", "Paris"))
    r = compare(once, [link(text, "Paris", "Paris"), link(text, "Paris", "Paris")], resolve)
    assert r.counts["strong"]["inkb"] == Counts(tp=1, fp=1, fn=0)
    assert sorted(j.status for j in r.predicted) == ["correct", "spurious"]


def test_document_without_gold_or_predictions_is_perfect_and_macro_averages_documents():
    text = "Paris and Berlin."
    a = compare(
        gold(text, ("Paris", "Paris")), [link(text, "Paris", "Paris"), link(text, "Berlin", "Berlin")], resolve
    )
    b = compare(GoldDocument("b", "Nothing here."), [], resolve)
    c = compare(GoldDocument("c", text), [link(text, "Berlin", "Berlin")], resolve)
    assert [x.counts["strong"]["inkb"] for x in (a, b, c)] == [Counts(1, 1, 0), Counts(0, 0, 0), Counts(0, 1, 0)]
    s = score_documents([a, b, c])["strong"]["inkb"]
    assert s is not None
    # micro: tp=1 fp=2 fn=0
    assert (s.micro_precision, s.micro_recall, s.micro_f1) == pytest.approx((1 / 3, 1.0, 0.5))
    # macro: P (0.5 + 1 + 0) / 3, R (1 + 1 + 0) / 3, F1 (2/3 + 1 + 0) / 3
    assert (s.macro_precision, s.macro_recall, s.macro_f1) == pytest.approx((0.5, 2 / 3, 5 / 9))
    assert (s.tp, s.fp, s.fn, s.documents) == (1, 2, 0, 3)


def test_nothing_to_score_is_none():
    assert aggregate([Counts(), Counts()]) is None
    assert aggregate([]) is None
    empty = compare(GoldDocument("e", "Nothing."), [], resolve)
    assert score_documents([empty])["strong"]["inkb"] is None


def test_unknown_mode_is_refused():
    with pytest.raises(ValueError, match="d2kb"):
        compare(GoldDocument("e", "x"), [], resolve, mode="c2kb")  # type: ignore[arg-type]


# -- the pairing looks only at nearby spans, and counts as the plain scan does -----------

from hypothesis import given, strategies as st  # noqa: E402

from linkpedia.evaluate.metrics import Mention, match_counts  # noqa: E402


def _scan_counts(gold_m, pred_m, matching):
    """GERBIL's pairing as written: every gold scans every prediction."""
    def span(g, p):
        if matching == "strong":
            return g.start == p.start and g.end == p.end
        return p.start < g.end if p.start >= g.start else g.start < p.end

    used, tp = [False] * len(pred_m), 0
    for g in gold_m:
        for i, p in enumerate(pred_m):
            if not used[i] and span(g, p) and g.key == p.key:
                used[i] = True
                tp += 1
                break
    return Counts(tp=tp, fp=len(pred_m) - tp, fn=len(gold_m) - tp)


mentions_st = st.lists(st.tuples(st.integers(0, 40), st.integers(1, 8), st.sampled_from("AB")).map(
    lambda t: Mention(t[0], t[0] + t[1], "x" * t[1], "entry", t[2])), max_size=25)


@given(mentions_st, mentions_st, st.sampled_from(["strong", "weak"]))
def test_pairing_counts_as_the_plain_scan(gold_m, pred_m, matching):
    assert match_counts(gold_m, pred_m, matching) == _scan_counts(gold_m, pred_m, matching)
