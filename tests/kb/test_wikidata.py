"""`build --wikidata`: QIDs, Wikidata's words and classes, on the real 1,704-entity sample
(the KB: ``tests/wikidatakb.py``)."""

from __future__ import annotations

import bz2
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import linkpedia
from linkpedia.cli import cli

from test_build_dumps import q as row
from test_build_errors import assert_clean_failure
from wikidatakb import ADAMS, build_wikidata_kb, wikidata_file


@pytest.fixture(scope="module")
def wd_kb(tmp_path_factory) -> Path:
    return build_wikidata_kb(tmp_path_factory.mktemp("wikidata"))


def test_entries_get_their_qids_words_and_classes(wd_kb):
    assert row(wd_kb, "SELECT qid FROM entries WHERE title = 'Boston'") == [("Q100",)]
    label, description, aliases, classes = row(
        wd_kb, "SELECT label, description, aliases, instance_of FROM wikidata WHERE qid = 'Q100'")[0]
    assert (label, description) == ("Boston", "city in Massachusetts, United States of America")
    assert "Beantown" in json.loads(aliases)
    assert "Q515" in json.loads(classes)  # instance of: city
    with linkpedia.open_kb(wd_kb) as kb:
        entry = kb.entry("Boston")
        assert entry.qid == "Q100" and entry.description.startswith("city in Massachusetts")
        assert "Q515" in entry.instance_of


def test_a_sitelink_naming_a_redirect_gives_its_entry_the_qid(wd_kb):
    assert row(wd_kb, "SELECT qid FROM entries WHERE title = ?", ADAMS) == [("Q42",)]


def test_entries_without_a_sitelink_stay_out_and_info_counts_qids(wd_kb):
    n_pages = row(wd_kb, "SELECT count(*) FROM entries")[0][0]
    with_qid = row(wd_kb, "SELECT count(*) FROM entries WHERE qid IS NOT NULL")[0][0]
    assert with_qid == n_pages  # every page was chosen by a sitelink
    assert row(wd_kb, "SELECT count(*) FROM wikidata")[0][0] == with_qid  # of 390 sitelinked items
    res = CliRunner().invoke(cli, ["info", str(wd_kb), "--json"])
    data = json.loads(res.output)
    assert data["schema_version"] == 4
    assert data["counts"]["qids"] == with_qid
    assert data["wikidata"]["entities"] == 1704 and data["wikidata"]["sitelinked"] == 390
    res = CliRunner().invoke(cli, ["info", str(wd_kb)])
    assert f"{with_qid} of {n_pages} entries have a QID" in " ".join(res.output.split())


def test_an_alias_is_a_candidate_below_real_names(wd_kb):
    with linkpedia.open_kb(wd_kb) as kb:
        assert [c.title for c in kb.candidates("Beantown")] == ["Boston"]
        assert [c.title for c in kb.candidates("Douglas Noël Adams")] == [ADAMS]
    weak = row(wd_kb, "SELECT se.names, se.weak FROM surface_entries se JOIN surfaces s ON s.id = se.surface_id "
                      "JOIN entries e ON e.id = se.entry_id WHERE s.surface = 'Beantown' AND e.title = 'Boston'")
    assert weak == [(0, 1)]  # a weak name: ranked below titles, redirects and anchors


def test_the_description_backs_a_missing_preview(wd_kb):
    # Q42's article here has a one-sentence lead; an entry whose text is too short for
    # a lead shows Wikidata's description instead.
    tmp = wd_kb.parent
    src = tmp / "short.jsonl"
    src.write_text(json.dumps({"title": "Boston", "text": "Boston"}) + "\n", encoding="utf-8")
    out = tmp / "short-kb"
    linkpedia.build_kb([src], out, options=linkpedia.BuildOptions(jobs=1, wikidata=(str(wikidata_file()),)))
    with linkpedia.open_kb(out) as kb:
        assert kb.preview("Boston") == "city in Massachusetts, United States of America"


def test_a_kb_without_wikidata_has_no_qids(tmp_path):
    src = tmp_path / "a.jsonl"
    src.write_text(json.dumps({"title": "Boston", "text": "Boston is a city in Massachusetts."}) + "\n",
                   encoding="utf-8")
    linkpedia.build_kb([src], tmp_path / "kb", options=linkpedia.BuildOptions(jobs=1))
    with linkpedia.open_kb(tmp_path / "kb") as kb:
        assert kb.entry("Boston").qid is None


def _build_with(tmp_path: Path, wikidata: Path, out: str = "kb"):
    pages = tmp_path / "pages.jsonl"
    pages.write_text(json.dumps({"title": "Boston", "text": "Boston is a city."}) + "\n", encoding="utf-8")
    return CliRunner().invoke(cli, ["build", str(pages), "--wikidata", str(wikidata), "--out",
                                    str(tmp_path / out), "-j", "1"])


def test_truncated_bz2_is_one_line_with_the_position(tmp_path):
    data = wikidata_file().read_bytes()
    cut = tmp_path / "cut.json.bz2"
    cut.write_bytes(data[: len(data) // 2])
    assert_clean_failure(_build_with(tmp_path, cut), tmp_path / "kb", "cut.json.bz2", "byte", "truncated")


def test_a_dump_cut_at_a_line_lacks_its_closing_bracket(tmp_path):
    lines = bz2.decompress(wikidata_file().read_bytes()).split(b"\n")
    cut = tmp_path / "cut.json"
    cut.write_bytes(b"\n".join(lines[:50]) + b"\n")
    assert_clean_failure(_build_with(tmp_path, cut), tmp_path / "kb", "cut.json", "closing ']'")


def test_a_malformed_entity_names_its_line(tmp_path):
    lines = bz2.decompress(wikidata_file().read_bytes()).split(b"\n")
    lines[10] = lines[10][:200]
    bad = tmp_path / "bad.json"
    bad.write_bytes(b"\n".join(lines))
    assert_clean_failure(_build_with(tmp_path, bad), tmp_path / "kb", "bad.json", "line 11, byte")


def test_invalid_json_inside_an_entity_names_its_line(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('[\n{"id":"Q1","sitelinks":{"enwiki":{"title":"Boston"}},}\n]\n', encoding="utf-8")
    assert_clean_failure(_build_with(tmp_path, bad), tmp_path / "kb", "bad.json", "line 2", "invalid JSON")


def test_not_a_dump(tmp_path):
    bad = tmp_path / "pages.jsonl.txt"
    bad.write_text('{"title": "Boston"}\n', encoding="utf-8")
    assert_clean_failure(_build_with(tmp_path, bad), tmp_path / "kb", "line 1", "expected '['")


def test_missing_wikidata_file_fails_before_reading_pages(tmp_path):
    assert_clean_failure(_build_with(tmp_path, tmp_path / "nope.json.bz2"), tmp_path / "kb", "nope.json.bz2",
                          "no such file")


def test_gzip_and_plain_dumps_read_alike(tmp_path):
    import gzip

    data = bz2.decompress(wikidata_file().read_bytes())
    (tmp_path / "all.json").write_bytes(data)
    (tmp_path / "all.json.gz").write_bytes(gzip.compress(data))
    for name in ("all.json", "all.json.gz"):
        res = _build_with(tmp_path, tmp_path / name)
        assert res.exit_code == 0, res.output
        with linkpedia.open_kb(tmp_path / "kb") as kb:
            assert kb.entry("Boston").qid == "Q100"
    cut = tmp_path / "cut.json.gz"
    cut.write_bytes(gzip.compress(data)[:100_000])
    assert_clean_failure(_build_with(tmp_path, cut, "kb2"), tmp_path / "kb2", "cut.json.gz", "truncated")
