"""`evaluate` scores by QID where the gold has one and the KB knows QIDs, by title otherwise."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import linkpedia
from linkpedia.cli import cli

from wikidatakb import ADAMS, wikidata_file, write_pages

DOCS = [
    # QID only: scored by QID, not dropped.
    {"id": "qid-only", "text": "Boston is a city in Massachusetts.",
     "links": [{"start": 0, "end": 6, "surface": "Boston", "title": None, "qid": "Q100"}]},
    # A Wikidata label for a title ("Adams" names no page): the QID finds the entry.
    {"id": "label", "text": "Douglas Noël Adams wrote the Guide.",
     "links": [{"start": 0, "end": 18, "surface": "Douglas Noël Adams", "title": "Adams", "qid": "Q42"}]},
    # Title only: scored by title.
    {"id": "title-only", "text": "Mozambique is a country in Africa.",
     "links": [{"start": 0, "end": 10, "surface": "Mozambique", "title": "Mozambique", "qid": None}]},
    # A QID the KB lacks: its title's entry has no QID (the KB's Wikidata misses it), so the
    # title decides; "Boston" has another QID, so this gold names something else: a gap.
    {"id": "unknown-qid", "text": "Kaunas and Boston.",
     "links": [{"start": 0, "end": 6, "surface": "Kaunas", "title": "Kaunas", "qid": "Q4115712"},
               {"start": 11, "end": 17, "surface": "Boston", "title": "Boston", "qid": "Q999999999"}]},
]
KAUNAS = {"title": "Kaunas", "text": "Kaunas is the second-largest city in Lithuania."}


def build_kb(tmp: Path, *, wikidata: bool) -> Path:
    """The Wikidata test KB's pages and Kaunas, an article no item of the sample names."""
    extra = tmp / "kaunas.jsonl"
    extra.write_text(json.dumps(KAUNAS) + "\n", encoding="utf-8")
    out = tmp / "kb"
    linkpedia.build_kb([write_pages(tmp), extra], out, options=linkpedia.BuildOptions(
        jobs=1, wikidata=(str(wikidata_file()),) if wikidata else ()))
    return out


@pytest.fixture(scope="module")
def dataset(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("qid-gold") / "qid-gold.jsonl"
    path.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in DOCS), encoding="utf-8")
    return path


def run_evaluate(kb: Path, dataset: Path) -> dict:
    res = CliRunner().invoke(cli, ["evaluate", str(dataset), "--kb", str(kb), "--mode", "d2kb", "--json"])
    assert res.exit_code == 0, res.output
    return json.loads(res.output)["datasets"][0]


def test_gold_with_qids_is_scored_by_qid(tmp_path_factory, dataset):
    kb = build_kb(tmp_path_factory.mktemp("qid-kb"), wikidata=True)
    ds = run_evaluate(kb, dataset)
    assert ds["gold_scored_by"] == {"qid": 3, "title": 2}  # Kaunas by title, Q999999999 by QID
    assert (ds["gold_in_kb"], ds["gold_not_in_kb"]) == (4, 1)
    assert ds["scores"]["strong"]["inkb"]["tp"] == 4
    with linkpedia.open_kb(kb) as opened:
        assert opened.entry("Q42").title == ADAMS


def test_a_kb_without_qids_scores_by_title(tmp_path, dataset):
    ds = run_evaluate(build_kb(tmp_path, wikidata=False), dataset)
    # The QID-only link is a coverage gap, the label names no title; the rest is found by title.
    assert ds["gold_scored_by"] == {"qid": 1, "title": 4}
    assert (ds["gold_in_kb"], ds["gold_not_in_kb"]) == (3, 2)


def test_the_summary_says_how_gold_was_scored(tmp_path_factory, dataset):
    kb = build_kb(tmp_path_factory.mktemp("qid-kb-md"), wikidata=True)
    res = CliRunner().invoke(cli, ["evaluate", str(dataset), "--kb", str(kb), "--mode", "d2kb",
                                   "--format", "markdown"])
    assert res.exit_code == 0, res.output
    assert "| Scored by QID/title |" in res.output and "| 3/2 |" in res.output
