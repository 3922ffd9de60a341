"""`linkpedia link` end to end on the bundled sample KB."""

from __future__ import annotations

import json
import subprocess
import sys

from click.testing import CliRunner

from linkpedia.cli import cli
from linkpedia.nif import read_nif

from conftest import SAMPLE

TEXT = "Kaunas was the temporary capital of Lithuania while Vilnius was held by Poland."


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(cli, list(args), input=input)


def test_json_from_stdin(sample_kb):
    res = run("link", "-", "--kb", str(sample_kb), "--format", "json", input=TEXT)
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["schema"] == "linkpedia.document/2"
    titles = [lk["title"] for lk in data["links"]]
    assert titles[:2] == ["Kaunas", "Lithuania"] and "Vilnius" in titles
    for lk in data["links"]:
        assert TEXT[lk["start"]:lk["end"]] == lk["surface"]
        assert 0 <= lk["score"] <= 1 and lk["preview"].endswith("...")


def test_seed_layout_from_file(sample_kb, tmp_path):
    src = tmp_path / "note.txt"
    src.write_text(TEXT + "\n\nKaunas again.\n", encoding="utf-8")
    res = run("link", str(src), "--kb", str(sample_kb), "--format", "seed", "--policy", "first")
    assert res.exit_code == 0, res.output
    lines = res.output.split("\n")
    assert lines[0] == "note" and lines[1] == "Encyclopedia"
    assert lines[2] == "Kaunas"
    assert "Kaunas" in lines and any(ln.startswith("Kaunas is Lithuania") for ln in lines)


def test_policies_differ(sample_kb):
    text = "Kaunas and Kaunas.\n\nKaunas."
    # Without context the name alone is a coin toss (about 0.46): lower the bar.
    first = json.loads(run("link", "-", "--kb", str(sample_kb), "--format", "json", "--policy", "first",
                           "--threshold", "0.3", input=text).output)
    every = json.loads(run("link", "-", "--kb", str(sample_kb), "--format", "json", "--policy", "all",
                           "--threshold", "0.3", input=text).output)
    assert [lk["start"] for lk in first["links"]] == [0, 20]
    assert [lk["start"] for lk in every["links"]] == [0, 11, 20]


def test_threshold_one_links_nothing(sample_kb):
    res = run("link", "-", "--kb", str(sample_kb), "--format", "json", "--threshold", "1", input=TEXT)
    assert json.loads(res.output)["links"] == []


def test_html_and_nif(sample_kb, tmp_path):
    out = tmp_path / "page.html"
    res = run("link", "-", "--kb", str(sample_kb), "--format", "html", "--output", str(out), input=TEXT)
    assert res.exit_code == 0 and out.read_text().startswith("<!DOCTYPE html>")
    res = run("link", "-", "--kb", str(sample_kb), "--format", "nif", input=TEXT)
    (doc,) = read_nif(res.output)
    assert doc.text == TEXT
    assert [m.title for m in doc.mentions][:2] == ["Kaunas", "Lithuania"]


def test_errors_are_one_line(sample_kb, tmp_path):
    res = run("link", str(tmp_path / "missing.txt"), "--kb", str(sample_kb))
    assert res.exit_code == 2 and res.output.startswith("Error: ") and "missing.txt" in res.output
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("caf\xe9".encode("latin-1"))
    res = run("link", str(bad), "--kb", str(sample_kb))
    assert res.exit_code == 2 and "UTF-8" in res.output and "byte 3" in res.output
    res = run("link", "-", "--kb", str(tmp_path / "nokb"), input=TEXT)
    assert res.exit_code == 2 and "no such KB" in res.output
    res = run("link", "-", "--kb", str(sample_kb), "--threshold", "2", input=TEXT)
    assert res.exit_code == 2


def test_console_script_runs(sample_kb):
    proc = subprocess.run([sys.executable, "-m", "linkpedia.cli", "link", "-", "--kb", str(sample_kb),
                           "--format", "json"], input=TEXT, capture_output=True, text=True, check=True)
    assert json.loads(proc.stdout)["links"]


def test_help_ends_with_an_example():
    for cmd in ("build", "info", "link"):
        res = run(cmd, "--help")
        assert res.exit_code == 0 and "Example:" in res.output


def test_sample_text_links_like_the_expected_file(sample_kb):
    import linkpedia

    text = (SAMPLE / "sample-text.txt").read_text(encoding="utf-8")
    expected = {(e["start"], e["end"]): e["title"] for e in
                json.loads((SAMPLE / "expected-links.json").read_text(encoding="utf-8"))}
    kb = linkpedia.open_kb(sample_kb)
    doc = kb.link(text, policy="first", title=(SAMPLE / "sample-text.title").read_text().strip())
    got = {(lk.start, lk.end): lk.title for lk in doc.links}
    correct = sum(1 for k, t in got.items() if expected.get(k) == t)
    # Measured 37 of 40 (the two national football teams and the fortress are missed).
    assert correct / len(expected) >= 0.9 and correct / len(got) >= 0.9
