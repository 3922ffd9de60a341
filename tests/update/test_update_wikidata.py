"""`update --wikidata`: a newer Wikidata file changes only the entries it names anew;
a KB of schema 2 (before Wikidata) still opens, and an update brings it to schema 3."""

from __future__ import annotations

import bz2
import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

import linkpedia
from linkpedia.cli import cli
from linkpedia.kb.schema import SCHEMA_VERSION
from linkpedia.kb.store import live_dir

from kbcompare import downgrade_contexts_to_schema_3
from wikidatakb import build_wikidata_kb, wikidata_file, write_pages


def entries(kb: Path) -> dict[str, tuple]:
    con = sqlite3.connect(live_dir(kb) / "kb.sqlite")
    try:
        return {t: rest for t, *rest in con.execute("SELECT title, qid, preview, description FROM entries")}
    finally:
        con.close()


def newer_dump(tmp: Path) -> Path:
    """The sample with Q100 (Boston) edited: another description and one more alias."""
    lines = bz2.decompress(wikidata_file().read_bytes()).decode("utf-8").split("\n")
    for i, line in enumerate(lines):
        if line.startswith('{"id":"Q100",'):
            comma = line.endswith(",")
            entity = json.loads(line.rstrip(","))
            entity["descriptions"]["en"]["value"] = "state capital of Massachusetts"
            entity["aliases"]["en"].append({"language": "en", "value": "Bean Town"})
            lines[i] = json.dumps(entity) + ("," if comma else "")
            break
    else:
        raise AssertionError("Q100 is not in the sample")
    out = tmp / "newer.json.bz2"
    out.write_bytes(bz2.compress("\n".join(lines).encode("utf-8")))
    return out


def update(*args: str):
    return CliRunner().invoke(cli, ["update", *args])


def test_a_newer_file_changes_only_the_entries_it_names_anew(tmp_path):
    kb = build_wikidata_kb(tmp_path)
    before = entries(kb)
    res = update(str(kb), "--wikidata", str(newer_dump(tmp_path)), "-j", "1")
    assert res.exit_code == 0, res.output
    assert "1 Wikidata items new or changed" in res.output
    after = entries(kb)
    assert {t for t in before if before[t] != after[t]} == {"Boston"}
    assert after["Boston"][0] == "Q100" and after["Boston"][2] == "state capital of Massachusetts"
    with linkpedia.open_kb(kb) as opened:
        assert [c.title for c in opened.candidates("Bean Town")] == ["Boston"]
    res = update(str(kb), "--wikidata", str(newer_dump(tmp_path)), "-j", "1")
    assert res.exit_code == 0 and res.output.startswith("Unchanged"), res.output


def downgrade_to_schema_2(kb: Path) -> None:
    """What a KB written before Wikidata holds: no qid column, no wikidata table, no qid.npy."""
    con = sqlite3.connect(kb / "kb.sqlite")
    downgrade_contexts_to_schema_3(con)
    con.executescript("DROP INDEX entries_qid; ALTER TABLE entries DROP COLUMN qid; DROP TABLE wikidata;"
                      "UPDATE meta SET value = '2' WHERE key = 'schema_version';")
    con.close()
    (kb / "index" / "qid.npy").unlink()
    manifest = json.loads((kb / "index" / "manifest.json").read_text())
    del manifest["files"]["qid.npy"]
    (kb / "index" / "manifest.json").write_text(json.dumps(manifest))


def test_a_schema_2_kb_opens_without_qids_and_an_update_brings_them(tmp_path):
    kb = tmp_path / "kb"
    linkpedia.build_kb([write_pages(tmp_path)], kb, options=linkpedia.BuildOptions(jobs=1))
    downgrade_to_schema_2(kb)
    with linkpedia.open_kb(kb) as opened:
        assert not opened.has_qids
        assert opened.entry("Boston").qid is None
        assert all(lk.qid is None for lk in opened.link("Boston is a city.").links)
        with pytest.raises(linkpedia.EntryNotFoundError):
            opened.entry("Q100")
    res = update(str(kb), "--wikidata", str(wikidata_file()), "-j", "1")
    assert res.exit_code == 0, res.output
    with linkpedia.open_kb(kb) as opened:
        assert opened.info()["schema_version"] == SCHEMA_VERSION == 4
        assert opened.entry("Q100").title == "Boston"


def test_update_with_a_bad_wikidata_file_leaves_the_kb_as_it_was(tmp_path):
    kb = build_wikidata_kb(tmp_path)
    before = entries(kb)
    bad = tmp_path / "bad.json"
    bad.write_text('[\n{"id":"Q100","sitelinks":{"enwiki":{"title":"Boston"}}\n', encoding="utf-8")
    res = update(str(kb), "--wikidata", str(bad), "-j", "1")
    assert res.exit_code == 2 and res.output.startswith(f"Error: {bad}"), res.output
    assert len(res.output.strip().splitlines()) == 1
    assert entries(kb) == before and not (kb / "CURRENT").exists()


def test_check_counts_qids_and_repairs_a_schema_2_index(tmp_path):
    kb = build_wikidata_kb(tmp_path)
    res = CliRunner().invoke(cli, ["check", str(kb)])
    assert res.exit_code == 0, res.output
    old = tmp_path / "old"
    linkpedia.build_kb([write_pages(tmp_path)], old, options=linkpedia.BuildOptions(jobs=1))
    downgrade_to_schema_2(old)
    (old / "index" / "titles.marisa").write_bytes(b"garbage")
    res = CliRunner().invoke(cli, ["check", str(old), "--repair"])
    assert res.exit_code == 0 and "recompiled" in res.output, res.output
    assert not (old / "index" / "qid.npy").exists()
    with linkpedia.open_kb(old) as opened:
        assert opened.entry("Boston").qid is None
