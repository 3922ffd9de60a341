"""`linkpedia evaluate` end to end on the bundled sample KB."""

from __future__ import annotations

import json

from click.testing import CliRunner

from linkpedia.cli import cli

DOCS = [
    {"id": "a", "text": "Kaunas was the temporary capital of Lithuania while Vilnius was held by Poland.",
     "links": [{"start": 0, "end": 6, "surface": "Kaunas", "title": "Kaunas", "qid": None},
               {"start": 36, "end": 45, "surface": "Lithuania", "title": "Lithuania", "qid": None},
               {"start": 52, "end": 59, "surface": "Vilnius", "title": "Vilnius", "qid": None},
               {"start": 72, "end": 78, "surface": "Poland", "title": "Atlantis", "qid": None}]},
    {"id": "b", "text": "The USSR signed the pact with a small neighbour.",
     "links": [{"start": 4, "end": 8, "surface": "USSR", "title": "Soviet Union", "qid": None}]},
    {"id": "c", "text": "Nothing to see here.", "links": []},
]


def test_evaluate_a2kb_and_d2kb_with_report(sample_kb, tmp_path):
    data = tmp_path / "tiny.jsonl"
    data.write_text("".join(json.dumps(d) + "\n" for d in DOCS), encoding="utf-8")
    runner = CliRunner()
    res = runner.invoke(cli, ["evaluate", "--kb", str(sample_kb), str(data), "--mode", "a2kb", "--json"])
    assert res.exit_code == 0, res.output
    result = json.loads(res.output)
    (ds,) = result["datasets"]
    assert ds["name"] == "tiny"
    assert ds["coverage"] == 0.8  # "Atlantis" is not in the sample KB
    strong = ds["scores"]["strong"]["inkb"]
    assert strong["micro_f1"] > 0.5
    report = tmp_path / "report"
    res = runner.invoke(cli, ["evaluate", "--kb", str(sample_kb), str(data), "--mode", "d2kb",
                              "--report", str(report)])
    assert res.exit_code == 0, res.output
    assert "D2KB" in res.output
    names = {p.name for p in report.iterdir()}
    assert {"summary.json", "summary.md", "tiny.documents.jsonl", "tiny.errors.json", "tiny.html"} <= names
    summary = json.loads((report / "summary.json").read_text())
    d2kb = summary["datasets"][0]["scores"]["strong"]["inkb"]
    assert d2kb["micro_recall"] == 1.0  # every in-KB gold span gets its entry


def test_evaluate_bad_dataset(sample_kb, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{not json\n", encoding="utf-8")
    res = CliRunner().invoke(cli, ["evaluate", "--kb", str(sample_kb), str(bad)])
    assert res.exit_code == 2 and res.output.startswith("Error: ") and "bad.jsonl" in res.output
