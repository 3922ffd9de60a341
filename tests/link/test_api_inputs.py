"""A caller's mistake in the Python API is an InputError, or links where it has one meaning."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import linkpedia
from linkpedia.cli import cli
from linkpedia.errors import InputError

TEXT = "Kaunas was the temporary capital of Lithuania while Vilnius was held by Poland."


@pytest.fixture(scope="module")
def kb(sample_kb):
    with linkpedia.open_kb(sample_kb) as kb:
        yield kb


@pytest.mark.parametrize("call", [
    lambda kb: kb.link(None),
    lambda kb: kb.link(123),
    lambda kb: kb.link(["Kaunas"]),
    lambda kb: kb.link(b"\xff\xfeKaunas"),
    lambda kb: kb.link(TEXT, threshold="0.5"),
    lambda kb: kb.link(TEXT, threshold=float("nan")),
    lambda kb: kb.link(TEXT, threshold=True),
    lambda kb: kb.link(TEXT, policy=3),
    lambda kb: kb.link(TEXT, title=5),
    lambda kb: kb.link(TEXT, mentions=[(0, "6")]),
    lambda kb: kb.link(TEXT, mentions="0,6"),
    lambda kb: kb.link_many(TEXT),
    lambda kb: kb.link_many([TEXT, None]),
    lambda kb: kb.link_many([TEXT], titles="x"),
    lambda kb: kb.candidates(None),
    lambda kb: kb.candidates(b"\xff"),
    lambda kb: kb.candidates("Kaunas", k=0),
    lambda kb: kb.entry(None),
    lambda kb: kb.preview(7),
    lambda kb: kb.resolve(None),
    lambda kb: kb.search(None),
], ids=lambda f: "")
def test_wrong_types_are_input_errors(kb, call):
    with pytest.raises(InputError):
        call(kb)


def test_bytes_and_surrogates_link(kb):
    assert kb.link(TEXT.encode("utf-8")).links == kb.link(TEXT).links
    broken = TEXT.replace(" was the", "\ud800was the", 1)
    doc = kb.link(broken)
    assert len(doc.text) == len(broken) and "\ufffd" in doc.text  # one code point for one
    assert [lk.title for lk in doc.links] == [lk.title for lk in kb.link(broken.replace("\ud800", " ")).links]
    from linkpedia.render.json import document_to_dict

    json.dumps(document_to_dict(doc), ensure_ascii=False).encode("utf-8")
    assert kb.candidates("Kaunas\udc00") == []
    assert kb.link("Kaunas\x00Vilnius \u0301\u0301 " + "x" * 100_000).text


def test_an_alias_that_links_is_found_by_lookups(tmp_path):
    src = tmp_path / "al.jsonl"
    rows = [
        {"title": "Vilnius", "text": "Vilnius is the capital of Lithuania.", "aliases": ["Wilno", "Vilna"]},
        {"title": "Lithuania", "text": "Lithuania is a country whose capital is Wilno.",
         "links": [{"start": 40, "end": 45, "title": "Vilnius"}]},
    ]
    src.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    linkpedia.build_kb([src], tmp_path / "kb", options=linkpedia.BuildOptions(jobs=1))
    with linkpedia.open_kb(tmp_path / "kb") as kb:
        assert kb.candidates("Wilno")[0].title == "Vilnius"
        assert kb.lookup("Wilno") == kb.lookup("wilno") == "Vilnius"
        assert kb.entry("Wilno").title == "Vilnius" and kb.preview("Vilna") == kb.preview("Vilnius")
        assert kb.resolve("Wilno") is None  # titles and redirects only, as evaluation needs
        assert kb.lookup("capital") is None  # mere words are not names


def test_link_output_errors_are_one_line(sample_kb, tmp_path):
    text = tmp_path / "t.txt"
    text.write_text(TEXT, encoding="utf-8")
    runner = CliRunner()
    (tmp_path / "out").mkdir()
    for target, needle in ((tmp_path / "out", "is a directory"),
                           (Path("/nonexistent/x.html"), "does not exist")):
        res = runner.invoke(cli, ["link", str(text), "--kb", str(sample_kb), "--format", "html",
                                  "--output", str(target)])
        assert res.exit_code == 2, res.output
        lines = res.output.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: ") and needle in lines[0], res.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "t.txt"]
    assert list((tmp_path / "out").iterdir()) == []


def test_update_with_identical_pages_changes_nothing(sample_kb, tmp_path):
    import shutil

    from conftest import SAMPLE

    kb = tmp_path / "kb"
    shutil.copytree(sample_kb, kb)
    res = CliRunner().invoke(cli, ["update", str(kb), str(SAMPLE / "sample-wiki.xml")])
    assert res.exit_code == 0, res.output
    assert "identical" in res.output and "changed" not in res.output.replace("Unchanged", "")
    assert not (kb / "CURRENT").exists()
    with linkpedia.open_kb(kb) as opened:
        assert opened.info()["updates"] == []
