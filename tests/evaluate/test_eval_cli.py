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


def _tiny(tmp_path):
    data = tmp_path / "tiny-benchmark-with-a-long-name.jsonl"
    data.write_text("".join(json.dumps(d) + "\n" for d in DOCS), encoding="utf-8")
    return data


def test_piped_output_is_full_width_markdown(sample_kb, tmp_path):
    data = _tiny(tmp_path)
    res = CliRunner().invoke(cli, ["evaluate", "--kb", str(sample_kb), str(data)])  # not a terminal
    assert res.exit_code == 0, res.output
    header = next(line for line in res.output.splitlines() if line.startswith("| Dataset"))
    assert "| Gold in KB/gap/NIL |" in header and "| InKB macro F1 |" in header
    assert "| tiny-benchmark-with-a-long-name | A2KB strong |" in res.output
    assert "…" not in res.output
    res = CliRunner().invoke(cli, ["evaluate", "--kb", str(sample_kb), str(data), "--format", "table"])
    assert res.exit_code == 0 and "tiny-benchmark-with-a-long-name" in res.output and "…" not in res.output
    assert max(len(line) for line in res.output.splitlines()) > 80  # not cut to 80 columns


def test_sweep_is_exact_and_finds_the_best_threshold(sample_kb, tmp_path):
    data = _tiny(tmp_path)
    runner = CliRunner()
    res = runner.invoke(cli, ["evaluate", "--kb", str(sample_kb), str(data), "--sweep", "--format", "json"])
    assert res.exit_code == 0, res.output
    (sweep,) = json.loads(res.output)["sweep"]
    points = {p["threshold"]: p for p in sweep["points"]}
    assert sorted(points) == [round(i * 0.05, 2) for i in range(21)]
    assert sweep["best"]["f1"] == max(p["f1"] for p in points.values())
    assert sum(b["links"] for b in sweep["reliability"]) > 0
    for t in (0.3, 0.75):  # each point is a real run at that threshold
        one = runner.invoke(cli, ["evaluate", "--kb", str(sample_kb), str(data), "--json", "--threshold", str(t)])
        inkb = json.loads(one.output)["datasets"][0]["scores"]["strong"]["inkb"]
        assert points[t]["f1"] == inkb["micro_f1"] and points[t]["precision"] == inkb["micro_precision"]
    res = runner.invoke(cli, ["evaluate", "--kb", str(sample_kb), str(data), "--sweep", "--format", "markdown"])
    assert "| Threshold | InKB P | InKB R | InKB F1 |" in res.output and "Best threshold" in res.output


def test_report_has_the_threshold_charts(sample_kb, tmp_path):
    data = _tiny(tmp_path)
    res = CliRunner().invoke(cli, ["evaluate", "--kb", str(sample_kb), str(data), "--report", str(tmp_path / "r")])
    assert res.exit_code == 0, res.output
    page = (tmp_path / "r" / "index.html").read_text(encoding="utf-8")
    assert page.count("<svg") == 2 and "<script" not in page
    assert 'class="lp-f1"' in page and 'class="lp-bin"' in page and 'id="best"' in page
    assert "sweep" in json.loads((tmp_path / "r" / "summary.json").read_text())
    assert "Best threshold" in (tmp_path / "r" / "summary.md").read_text()


def test_json_and_format_disagree(sample_kb, tmp_path):
    res = CliRunner().invoke(cli, ["evaluate", "--kb", str(sample_kb), str(_tiny(tmp_path)), "--json",
                                   "--format", "table"])
    assert res.exit_code == 2 and res.output.startswith("Error: ") and len(res.output.splitlines()) == 1
