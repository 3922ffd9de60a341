"""Real data: hold articles back from the English dump's KB, link their text, and
see how many of their original links come back."""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

import pytest

import linkpedia
from linkpedia.sources import open_source
from linkpedia.wikitext import convert

from conftest import need_shared

EN = "enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2"


def _page(p) -> str:
    red = f"<redirect title={quoteattr(p.redirect)} />" if p.redirect else ""
    return (f"<page><title>{escape(p.title)}</title><ns>0</ns><id>{p.page_id}</id>{red}"
            f"<revision><id>{p.page_id}</id><text>{escape(p.text)}</text></revision></page>\n")


@pytest.fixture(scope="module")
def heldout(tmp_path_factory):
    dump = need_shared("data", "dumps", EN)
    tmp = tmp_path_factory.mktemp("heldout")
    kept, held = [], []
    articles = 0
    for p in open_source(dump).pages():
        if not p.redirect:
            articles += 1
            if articles % 5 == 0:
                held.append(p)
                continue
        kept.append(p)
    xml = tmp / "kept.xml"
    xml.write_text('<mediawiki xmlns="http://www.mediawiki.org/xml/export-0.11/" version="0.11">'
                   + "".join(_page(p) for p in kept) + "</mediawiki>", encoding="utf-8")
    # The dump's other articles carry the links; the lead summaries of ~10k vital
    # articles add the entries most links point to (without links of their own).
    summaries = need_shared("data", "kb-sources", "ovos_summaries_en.jsonl")
    linkpedia.build_kb([xml, summaries], tmp / "kb",
                       options=linkpedia.BuildOptions(jobs=2, fields={"text": "extract"}))
    return linkpedia.open_kb(tmp / "kb"), held


def recovery(kb, held, policy="first"):
    tp = predicted = gold_n = 0
    for p in held:
        conv = convert(p.text)
        gold = {}
        for lk in conv.links:
            title = kb.resolve(lk.target)
            if title is not None:  # only links the KB can know
                gold[(lk.start, lk.end)] = title
        doc = kb.link(conv.text, policy=policy, title=p.title)
        got = {(lk.start, lk.end): lk.title for lk in doc.links}
        gold_n += len(gold)
        predicted += len(got)
        tp += sum(1 for span, t in got.items() if gold.get(span) == t)
    return tp / max(predicted, 1), tp / max(gold_n, 1), gold_n


def test_heldout_links_come_back(heldout):
    kb, held = heldout
    precision, recall, n = recovery(kb, held)
    print(f"held-out articles: {len(held)}, in-KB gold links: {n}, P={precision:.3f} R={recall:.3f}")
    assert len(held) >= 15 and n >= 100
    # Floors measured on this dump (see the note on issue 3); Wikipedia links a
    # name once per article, so "first" is the fair policy, and correct links on
    # spans the editors left unlinked count against precision here.
    assert recall >= FLOOR_RECALL
    assert precision >= FLOOR_PRECISION


# Measured 2026-11-27 on 21 held-out articles (656 in-KB gold links): P=0.488, R=0.152.
FLOOR_RECALL = 0.12
FLOOR_PRECISION = 0.42


def test_confidence_is_calibrated_on_heldout_links(heldout):
    kb, _ = heldout
    training = kb.meta["training"]
    # 880 held-out mentions on this dump with the 6,000-character training window.
    assert training["heldout_mentions"] > 500
    # Expected calibration error of the link confidence on the held-out fifth of
    # the pages the scorer was trained from (measured 0.06).
    assert training["ece"] < 0.1
    top = training["reliability"][-1]
    assert top["lo"] >= 0.9 and abs(top["observed"] - top["predicted"]) < 0.08
