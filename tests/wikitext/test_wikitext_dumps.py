"""The converter on real pages of the English and Bulgarian dumps in ../shared/data/dumps."""

from __future__ import annotations

import bz2
from functools import lru_cache
from pathlib import Path

import pytest
from conftest import need_shared
from lxml import etree

from linkpedia.wikitext import (
    DEFAULT_SITE,
    convert,
    is_disambiguation,
    make_preview,
    normalize_title,
    parse_redirect,
)

EN = "enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2"
EN_TABLES = "enwiki-table-markup.xml.bz2"
BG = "bgwiki-latest-pages-articles-shortened.xml.bz2"
BG_SITE = DEFAULT_SITE.merged(
    lang="bg", dbname="bgwiki", file_prefixes=("Файл",), category_prefixes=("Категория",)
)
NEVER_IN_OUTPUT = ("{{", "}}", "[[", "]]", "<ref", "</ref", "'''", "<!--", "{|", "&amp;", "&nbsp;")


@lru_cache(maxsize=None)
def pages(name: str) -> dict[str, tuple[int, str]]:
    """title -> (namespace, wikitext) of one dump (lxml reads its UTF-16 too)."""
    path: Path = need_shared("data", "dumps", name)
    found = {}
    with bz2.open(path, "rb") as f:
        for _, el in etree.iterparse(f, tag="{*}page"):
            found[el.findtext("{*}title")] = (
                int(el.findtext("{*}ns") or 0),
                el.findtext("{*}revision/{*}text") or "",
            )
            el.clear()
    return found


def anchors(title: str, dump: str = EN, site=DEFAULT_SITE) -> list[tuple[str, str]]:
    result = convert(pages(dump)[title][1], site)
    return [(result.text[link.start : link.end], link.target) for link in result.links]


@pytest.mark.parametrize("dump", [EN, EN_TABLES, BG])
def test_every_page_converts_cleanly(dump):
    """Articles lose all markup; on every page (talk pages too) links and spacing are sound."""
    site = BG_SITE if dump == BG else DEFAULT_SITE
    for title, (namespace, wikitext) in pages(dump).items():
        result = convert(wikitext, site)
        text = result.text
        if namespace == 0 and parse_redirect(wikitext, site) is None:
            for token in NEVER_IN_OUTPUT:
                assert token not in text, (title, token)
        assert "\n\n\n" not in text and text == text.strip(), title
        assert "  " not in text and "\t" not in text, title
        previous_end = 0
        for link in result.links:
            assert previous_end <= link.start < link.end <= len(text), (title, link)
            anchor = text[link.start : link.end]
            assert anchor == anchor.strip() and "\n" not in anchor, (title, link)
            assert link.target and normalize_title(link.target) == link.target
            previous_end = link.end


def test_english_article_anarchism():
    result = convert(pages(EN)["Anarchism"][1])
    assert result.text.startswith("Anarchism is a political philosophy that advocates self-")
    found = anchors("Anarchism")
    assert found[:4] == [
        ("political philosophy", "Political philosophy"),
        ("self-governed", "Self-governance"),
        ("stateless societies", "Stateless society"),
        ("hierarchical", "Hierarchy"),
    ]
    assert ("Pierre-Joseph Proudhon", "Pierre-Joseph Proudhon") in found
    assert "Political ideologies" in result.categories
    assert "anarchism sidebar" in result.templates
    assert not is_disambiguation(result)
    assert make_preview(result.text).startswith("Anarchism is a political philosophy")


def test_english_article_with_file_captions_and_refs():
    result = convert(pages(EN)["Animal Farm"][1])
    text = result.text
    # [[File:15th Congress ...|thumb|Front row ... [[Alexey Rykov|Rykov]] ... [above] ...]] is gone.
    assert "Front row (left to right)" not in text and "thumb" not in text
    assert "Penguin edition" not in text  # inside a <ref>
    found = anchors("Animal Farm")
    assert ("George Orwell", "George Orwell") in found


def test_english_redirect_pages():
    assert parse_redirect(pages(EN)["AccessibleComputing"][1]) == "Computer accessibility"
    assert parse_redirect(pages(EN)["AssistiveTechnology"][1]) == "Assistive technology"
    assert parse_redirect(pages(EN)["Anarchism"][1]) is None


def test_english_tables_are_dropped():
    result = convert(pages(EN_TABLES)["Academy Award for Best Production Design"][1])
    assert result.text.startswith("The Academy Award for Best Production Design recognizes")
    assert "wikitable" not in result.text and "||" not in result.text
    assert "Best Art Direction Academy Award winners" in result.categories


def test_bulgarian_article():
    title = "Григориански календар"
    assert pages(BG)[title][0] == 0
    result = convert(pages(BG)[title][1], BG_SITE)
    assert result.text.startswith("Григорианският календар (понякога наричан")
    found = anchors(title, BG, BG_SITE)
    assert ("светски", "Светски") in found
    assert ("Григорий XIII", "Григорий XIII") in found
    # [[тропическа година|тропическата година]]
    assert ("тропическата година", "Тропическа година") in found
    assert result.categories == ["Календари"]
    assert "lang-la" in result.templates
    for prefix in ("File:", "Файл:", "Картинка:", "Категория:", "thumb"):
        assert prefix not in result.text
    assert make_preview(result.text).startswith("Григорианският календар е съвременният")


def test_bulgarian_project_page_keeps_user_links_as_text():
    title = next(t for t in pages(BG) if t.startswith("Уикипедия:Разговори"))
    result = convert(pages(BG)[title][1], BG_SITE)
    assert "Картинка:" not in result.text  # [[Картинка:Usmivka.png]] smileys vanish
    assert all(not link.target.startswith("Потребител") for link in result.links)
