"""Standalone pages link somewhere a reader can follow: --link-base, the source wiki, or the page itself."""

from __future__ import annotations

import re

from click.testing import CliRunner

import linkpedia
from linkpedia.cli import cli
from linkpedia.render.targets import article_base, kb_link_base

from conftest import SAMPLE, build_sample_with_base


def test_article_base_from_a_main_page_url():
    assert article_base("https://en.wikipedia.org/wiki/Main_Page") == "https://en.wikipedia.org/wiki/"
    assert article_base("https://bg.wikipedia.org/wiki/Начална_страница") == "https://bg.wikipedia.org/wiki/"
    assert article_base("http://w.org/index.php?title=Main_Page") == "http://w.org/index.php?title="
    assert article_base("http://127.0.0.1:8000/wiki/Main_Page") == "http://127.0.0.1:8000/wiki/"
    for dead in (None, "", "https://sample.linkpedia.example/wiki/Main_Page", "http://x.test/wiki/A",
                 "https://www.example.org/wiki/A", "ftp://w.org/wiki/A", "Main_Page"):
        assert article_base(dead) is None, dead


def test_kb_link_base_takes_the_first_known_wiki():
    meta = {"sources": [{"path": "a.jsonl", "base": None},
                        {"path": "b.xml", "base": "https://en.wikipedia.org/wiki/Main_Page"}]}
    assert kb_link_base(meta) == "https://en.wikipedia.org/wiki/"
    assert kb_link_base({}) is None and kb_link_base({"sources": [{"path": "a"}]}) is None


def _hrefs(html: str) -> list[str]:
    return re.findall(r'<a class="lp-link" href="([^"]*)"', html)


def link_html(kb, *extra: str) -> str:
    res = CliRunner().invoke(cli, ["link", str(SAMPLE / "sample-text.txt"), "--kb", str(kb),
                                   "--format", "html", *extra])
    assert res.exit_code == 0, res.output
    return res.output


def test_the_sample_kb_stores_its_base_and_its_page_links_to_its_entries(sample_kb):
    with linkpedia.open_kb(sample_kb) as kb:
        assert kb.meta["sources"][0]["base"] == "https://sample.linkpedia.example/wiki/Main_Page"
    html = link_html(sample_kb)  # a reserved .example domain: no real site, so the page's own entries
    hrefs = _hrefs(html)
    assert hrefs and all(h.startswith("#lp-entry-") for h in hrefs)
    assert all(f'<dt id="{h[1:]}">' in html for h in hrefs)


def test_a_kb_from_a_real_wiki_links_to_its_articles(tmp_path):
    kb = build_sample_with_base(tmp_path, "https://lt.wikipedia.org/wiki/Pagrindinis_puslapis")
    hrefs = _hrefs(link_html(kb))
    assert hrefs and all(h.startswith("https://lt.wikipedia.org/wiki/") for h in hrefs)
    assert "https://lt.wikipedia.org/wiki/Kaunas" in hrefs


def test_link_base_wins_and_applies_to_html_only(sample_kb):
    hrefs = _hrefs(link_html(sample_kb, "--link-base", "https://en.wikipedia.org/wiki/"))
    assert "https://en.wikipedia.org/wiki/Kaunas" in hrefs
    res = CliRunner().invoke(cli, ["link", str(SAMPLE / "sample-text.txt"), "--kb", str(sample_kb),
                                   "--link-base", "https://en.wikipedia.org/wiki/"])
    assert res.exit_code == 2 and res.output == "Error: --link-base applies to --format html, not seed\n"
