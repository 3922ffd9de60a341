"""`evaluate` scores by QID where the gold has one and the KB knows QIDs, by title otherwise."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import linkpedia
from linkpedia.cli import cli

from wikidatakb import ADAMS, build_wikidata_kb, write_pages

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
]


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
    kb = build_wikidata_kb(tmp_path_factory.mktemp("qid-kb"))
    ds = run_evaluate(kb, dataset)
    assert ds["gold_scored_by"] == {"qid": 2, "title": 1}
    assert (ds["gold_in_kb"], ds["gold_not_in_kb"]) == (3, 0)
    assert ds["scores"]["strong"]["inkb"]["tp"] == 3
    with linkpedia.open_kb(kb) as opened:
        assert opened.entry("Q42").title == ADAMS


def test_a_kb_without_qids_scores_by_title(tmp_path, dataset):
    kb = tmp_path / "kb"
    linkpedia.build_kb([write_pages(tmp_path)], kb, options=linkpedia.BuildOptions(jobs=1))
    ds = run_evaluate(kb, dataset)
    # The QID-only link is a coverage gap, the label names no title: only Mozambique is in the KB.
    assert ds["gold_scored_by"] == {"qid": 1, "title": 2}
    assert (ds["gold_in_kb"], ds["gold_not_in_kb"]) == (1, 2)


def test_the_summary_says_how_gold_was_scored(tmp_path_factory, dataset):
    kb = build_wikidata_kb(tmp_path_factory.mktemp("qid-kb-md"))
    res = CliRunner().invoke(cli, ["evaluate", str(dataset), "--kb", str(kb), "--mode", "d2kb",
                                   "--format", "markdown"])
    assert res.exit_code == 0, res.output
    assert "| Scored by QID/title |" in res.output and "| 2/1 |" in res.output
