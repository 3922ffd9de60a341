"""Bad input to `linkpedia build`: one-line errors, exit code 2, nothing half-written."""

from __future__ import annotations

import bz2
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from linkpedia.cli import cli

from conftest import need_shared

EN = "enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2"
HEAD = ('<mediawiki xmlns="http://www.mediawiki.org/xml/export-0.11/" version="0.11" xml:lang="en">'
        "<siteinfo><sitename>T</sitename><dbname>testwiki</dbname></siteinfo>\n")


def page(title: str, text: str, pid: int, redirect: str | None = None) -> str:
    red = f'<redirect title="{redirect}" />' if redirect else ""
    return (f"<page><title>{title}</title><ns>0</ns><id>{pid}</id>{red}<revision><id>{pid}</id>"
            f"<timestamp>2026-01-01T00:00:00Z</timestamp><text>{text}</text></revision></page>\n")


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def assert_clean_failure(res, out: Path, *needles: str) -> None:
    assert res.exit_code == 2, res.output
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: "), res.output
    assert "Traceback" not in res.output
    for n in needles:
        assert n in lines[0], lines[0]
    assert not out.exists()
    assert not [p for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.")]


def test_missing_file(tmp_path):
    res = run("build", str(tmp_path / "nope.xml.bz2"), "--out", str(tmp_path / "kb"))
    assert_clean_failure(res, tmp_path / "kb", "nope.xml.bz2", "no such file")


def test_wrong_format(tmp_path):
    src = tmp_path / "picture.png"
    src.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 100)
    res = run("build", str(src), "--out", str(tmp_path / "kb"))
    assert_clean_failure(res, tmp_path / "kb", "picture.png")


def test_truncated_bz2(tmp_path):
    data = need_shared("data", "dumps", EN).read_bytes()
    src = tmp_path / "cut.xml.bz2"
    src.write_bytes(data[: len(data) // 2])
    res = run("build", str(src), "--out", str(tmp_path / "kb"))
    assert_clean_failure(res, tmp_path / "kb", "cut.xml.bz2")


def test_xml_broken_mid_stream(tmp_path):
    src = tmp_path / "broken.xml"
    src.write_text(HEAD + page("A", "x [[B]]", 1) + "<page><title>B</ti", encoding="utf-8")
    res = run("build", str(src), "--out", str(tmp_path / "kb"))
    assert_clean_failure(res, tmp_path / "kb", "broken.xml", "line")


def test_invalid_utf8(tmp_path):
    src = tmp_path / "bad.xml"
    src.write_bytes((HEAD + page("A", "caf\udce9", 1) + "</mediawiki>").encode("utf-8", "surrogateescape"))
    res = run("build", str(src), "--out", str(tmp_path / "kb"))
    assert_clean_failure(res, tmp_path / "kb", "bad.xml")


def test_empty_dump(tmp_path):
    src = tmp_path / "empty.xml.bz2"
    src.write_bytes(bz2.compress((HEAD + "</mediawiki>").encode()))
    res = run("build", str(src), "--out", str(tmp_path / "kb"))
    assert_clean_failure(res, tmp_path / "kb", "empty.xml.bz2")


def test_huge_page_is_skipped_and_counted(tmp_path):
    src = tmp_path / "huge.xml"
    with src.open("w", encoding="utf-8") as f:
        f.write(HEAD + page("Small", "A small page about [[Big]].", 1))
        f.write(page("Big", "word " * 10_000_000, 2))  # 50 MB of text
        f.write("</mediawiki>")
    res = run("build", str(src), "--out", str(tmp_path / "kb"), "--jobs", "1")
    assert res.exit_code == 0, res.output
    info = json.loads(run("info", str(tmp_path / "kb"), "--json").output)
    assert info["counts"]["entries"] == 1
    assert any("larger than" in k and v == 1 for k, v in info["skipped"].items())


def test_redirect_loop_is_dropped_and_counted(tmp_path):
    src = tmp_path / "loop.xml"
    src.write_text(HEAD + page("A", "Text about [[C]].", 1) + page("B", "#REDIRECT [[C]]", 2, "C")
                   + page("C", "#REDIRECT [[B]]", 3, "B") + page("D", "#REDIRECT [[A]]", 4, "A")
                   + "</mediawiki>", encoding="utf-8")
    res = run("build", str(src), "--out", str(tmp_path / "kb"))
    assert res.exit_code == 0, res.output
    info = json.loads(run("info", str(tmp_path / "kb"), "--json").output)
    assert info["redirect_loops"] == 2
    assert info["counts"]["redirects"] == 1  # D -> A


def test_failed_rebuild_keeps_the_old_kb(tmp_path):
    good = tmp_path / "good.xml"
    good.write_text(HEAD + page("A", "Alpha.", 1) + "</mediawiki>", encoding="utf-8")
    assert run("build", str(good), "--out", str(tmp_path / "kb")).exit_code == 0
    bad = tmp_path / "bad.xml"
    bad.write_text(HEAD + page("A", "Alpha.", 1) + "<page><title>", encoding="utf-8")
    res = run("build", str(bad), "--out", str(tmp_path / "kb"))
    assert res.exit_code == 2
    info = json.loads(run("info", str(tmp_path / "kb"), "--json").output)
    assert info["counts"]["entries"] == 1


def test_refuses_to_replace_a_directory_that_is_not_a_kb(tmp_path):
    good = tmp_path / "good.xml"
    good.write_text(HEAD + page("A", "Alpha.", 1) + "</mediawiki>", encoding="utf-8")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "keep.txt").write_text("mine")
    res = run("build", str(good), "--out", str(tmp_path / "docs"))
    assert res.exit_code == 2 and "not a linkpedia KB" in res.output
    assert (tmp_path / "docs" / "keep.txt").read_text() == "mine"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".docs.")]


def test_info_on_a_missing_kb(tmp_path):
    res = run("info", str(tmp_path / "nokb"))
    assert res.exit_code == 2 and res.output.startswith("Error: ") and "no such KB" in res.output


def test_bad_field_option(tmp_path):
    res = run("build", "x.jsonl", "--field", "text", "--out", str(tmp_path / "kb"))
    assert res.exit_code == 2 and "--field" in res.output


def test_broken_tag_mid_file_is_not_called_cut(tmp_path):
    src = tmp_path / "typo.xml"
    src.write_text(HEAD + page("A", "Alpha.", 1) + "<page><titel>B</title></page>\n"
                   + page("C", "Gamma.", 3) + "</mediawiki>", encoding="utf-8")
    res = run("build", str(src), "--out", str(tmp_path / "kb"))
    assert_clean_failure(res, tmp_path / "kb", "typo.xml", "broken XML")
    assert "cut" not in res.output
