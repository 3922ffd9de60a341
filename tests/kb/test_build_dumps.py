"""Builds from the real shared dumps and KB sources: counts, links, anchors, text."""

from __future__ import annotations

import json
import sqlite3

import pytest

import linkpedia
from linkpedia.kb.store import unpack_links, unpack_text

from conftest import need_shared

EN = "enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2"
BG = "bgwiki-latest-pages-articles-shortened.xml.bz2"


@pytest.fixture(scope="module")
def en_kb(tmp_path_factory):
    dump = need_shared("data", "dumps", EN)
    out = tmp_path_factory.mktemp("en") / "kb"
    report = linkpedia.build_kb([dump], out, options=linkpedia.BuildOptions(jobs=2))
    return out, report


def q(kb_dir, sql, *args):
    con = sqlite3.connect(kb_dir / "kb.sqlite")
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()


def test_english_dump_counts(en_kb):
    out, report = en_kb
    # Counted by hand from the dump: 206 <page>s, one outside namespace 0;
    # 99 redirects (13 land on a page of the dump), 106 articles of which 8
    # carry a disambiguation template.
    assert report.pages == 205
    assert report.entries == 106
    assert report.redirects == 13
    assert report.disambiguation == 8
    assert q(out, "SELECT count(*) FROM pages WHERE kind = 'redirect'") == [(99,)]
    assert report.skipped["redirect to a missing page (dropped)"] == 86
    dabs = {t for (t,) in q(out, "SELECT title FROM entries WHERE is_disambiguation")}
    assert {"Austin (disambiguation)", "Aberdeen (disambiguation)", "Animal (disambiguation)"} <= dabs


def test_english_redirects_resolve(en_kb):
    out, _ = en_kb
    kb = linkpedia.open_kb(out)
    assert kb.resolve("AynRand") == "Ayn Rand"
    assert kb.resolve("Analysis of Variance") == "Analysis of variance"
    assert kb.resolve("ayn_Rand") == "Ayn Rand"
    assert kb.resolve("No such page at all") is None


def test_english_anchors_and_graph(en_kb):
    out, _ = en_kb
    # [[Political philosophy]] opens the Anarchism article's lead in the dump.
    links = dict(q(out, "SELECT target, anchor FROM page_links WHERE page = "
                        "(SELECT id FROM pages WHERE title = 'Anarchism')"))
    assert links.get("Political philosophy") == "political philosophy"
    kb = linkpedia.open_kb(out)
    # Anarchism links to Agriculture in the dump, and both are articles there.
    assert "Anarchism" in kb.inlinks("Agriculture")
    assert kb.entry("Aristotle").popularity >= 1
    cands = kb.candidates("Aristotle")
    assert cands and cands[0].title == "Aristotle" and cands[0].count >= 1


def test_english_plain_text_matches_wikitext(en_kb):
    out, _ = en_kb
    (blob, lblob), = q(out, "SELECT text, links FROM pages WHERE title = 'Anarchism'")
    text = unpack_text(blob)
    assert text.startswith("Anarchism is a political philosophy")
    for marker in ("{{", "}}", "[[", "]]", "<ref", "'''", "&amp;"):
        assert marker not in text
    for start, end, target in unpack_links(lblob):
        assert text[start:end].strip() == text[start:end] and text[start:end]
        assert target[:1] == target[:1].upper()


def test_english_previews_follow_the_rule(en_kb):
    out, _ = en_kb
    kb = linkpedia.open_kb(out)
    p = kb.preview("Anarchism")
    assert p.startswith("Anarchism is a political philosophy") and p.endswith("...")
    assert len(p) <= 303 and "(" not in p


def test_link_probabilities_are_counted(en_kb):
    out, _ = en_kb
    rows = q(out, "SELECT surface, link_count, occurrences, link_prob FROM surfaces "
                  "WHERE surface = 'Aristotle'")
    (surface, links, occ, lp), = rows
    assert occ >= links >= 1 and lp == pytest.approx(links / occ)


def test_info_prints_counts_and_options(en_kb):
    from click.testing import CliRunner

    from linkpedia.cli import cli

    out, _ = en_kb
    res = CliRunner().invoke(cli, ["info", str(out), "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["counts"]["entries"] == 106
    assert data["schema_version"] == 4
    assert data["sources"][0]["format"] == "mediawiki"
    assert data["skipped"]["redirect to a missing page (dropped)"] == 86
    res = CliRunner().invoke(cli, ["info", str(out)])
    assert res.exit_code == 0 and "entries" in res.output


def test_bulgarian_dump(tmp_path):
    dump = need_shared("data", "dumps", BG)
    report = linkpedia.build_kb([dump], tmp_path / "kb", options=linkpedia.BuildOptions(jobs=1))
    assert report.entries == 1
    kb = linkpedia.open_kb(tmp_path / "kb")
    assert kb.resolve("Григориански календар") == "Григориански календар"
    (blob,), = q(tmp_path / "kb", "SELECT text FROM pages")
    text = unpack_text(blob)
    assert "Файл:" not in text and "Категория:" not in text and "{{" not in text
    targets = {t for (t,) in q(tmp_path / "kb", "SELECT target FROM page_links")}
    assert "1582" in targets and "15 октомври" in targets


def test_wikiextractor_source_without_links(tmp_path):
    files = need_shared("data", "kb-sources", "wikiextractor", "AA", "wiki_00")
    linkpedia.build_kb([files], tmp_path / "kb", options=linkpedia.BuildOptions(jobs=2))
    kb = linkpedia.open_kb(tmp_path / "kb")
    assert kb.resolve("Anarchism") == "Anarchism"
    assert kb.preview("Anarchism").startswith("Anarchism is a political philosophy")
    assert any("link probabilities" in m for m in kb.meta["missing_statistics"])
    # Without links, titles still give surfaces and priors.
    assert kb.candidates("Anarchism")[0].title == "Anarchism"
    doc = kb.link("Anarchism is discussed here.")
    assert [lk.title for lk in doc.links] == ["Anarchism"]


def test_jsonl_summaries_with_field_mapping(tmp_path):
    src = need_shared("data", "kb-sources", "ovos_summaries_en.jsonl")
    report = linkpedia.build_kb([src], tmp_path / "kb", options=linkpedia.BuildOptions(
        jobs=2, fields={"text": "extract"}))
    assert report.entries > 9_000
    kb = linkpedia.open_kb(tmp_path / "kb")
    assert kb.resolve("Albert Einstein") == "Albert Einstein"
    assert kb.preview("Albert Einstein").endswith("...")


def test_scorer_is_trained_on_the_dumps_links(en_kb):
    out, _ = en_kb
    kb = linkpedia.open_kb(out)
    assert kb.model.name == "logistic.self-supervised.v3"
    assert kb.meta["training"]["mentions"] > 100  # 168 with the 6,000-character window
    assert (out / "model.json").is_file()
    # (Its calibration is checked on a larger KB in tests/link/test_heldout_links.py.)
