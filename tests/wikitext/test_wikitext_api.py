"""The public surface of ``linkpedia.wikitext``: names, signatures, titles, redirects, dabs."""

from __future__ import annotations

import dataclasses
import inspect

import pytest

import linkpedia.wikitext as wikitext
from linkpedia.wikitext import (
    DEFAULT_SITE,
    Converted,
    SiteInfo,
    WikiLink,
    convert,
    is_disambiguation,
    normalize_title,
    parse_redirect,
)

BG = DEFAULT_SITE.merged(lang="bg")


def test_exported_members():
    expected = {
        "Converted", "DEFAULT_SITE", "SiteInfo", "WikiLink", "convert", "first_paragraph",
        "is_disambiguation", "make_preview", "normalize_title", "parse_redirect",
    }
    assert set(wikitext.__all__) == expected
    for name in expected:
        assert getattr(wikitext, name) is not None


def test_signatures_other_modules_rely_on():
    def params(fn):
        return [(p.name, p.default) for p in inspect.signature(fn).parameters.values()]

    empty = inspect.Parameter.empty
    assert params(wikitext.convert) == [("wikitext", empty), ("site", DEFAULT_SITE)]
    assert params(wikitext.normalize_title) == [("raw", empty)]
    assert params(wikitext.parse_redirect) == [("wikitext", empty), ("site", DEFAULT_SITE)]
    assert params(wikitext.is_disambiguation) == [("converted", empty), ("site", DEFAULT_SITE)]
    assert params(wikitext.first_paragraph) == [("text", empty)]
    assert params(wikitext.make_preview) == [("text", empty), ("limit", 300)]
    assert [f.name for f in dataclasses.fields(WikiLink)] == ["start", "end", "target"]
    assert [f.name for f in dataclasses.fields(Converted)] == [
        "text", "links", "categories", "templates",
    ]
    with pytest.raises(dataclasses.FrozenInstanceError):
        WikiLink(0, 1, "A").start = 2  # type: ignore[misc]
    assert isinstance(DEFAULT_SITE, SiteInfo)


@pytest.mark.parametrize(
    ("raw", "title"),
    [
        ("Soviet Union", "Soviet Union"),
        ("soviet_Union", "Soviet Union"),
        ("  Soviet   Union ", "Soviet Union"),
        (":Soviet Union", "Soviet Union"),
        ("Soviet Union#History", "Soviet Union"),
        ("AT&amp;T", "AT&T"),
        ("C&#43;&#43;", "C++"),
        ("Côte_d&#39;Ivoire", "Côte d'Ivoire"),
        ("Caf%C3%A9", "Café"),
        ("100%", "100%"),
        ("Foo\u00a0bar", "Foo bar"),
        ("Foo\u200ebar", "Foobar"),
        ("ßtraße", "ßtraße"),  # "ß".upper() is "SS": left alone
        ("éclair", "Éclair"),
        ("софия", "София"),
        ("iPod", "IPod"),
        ("", ""),
        ("   ", ""),
        ("#Section", ""),
        (":", ""),
        ("a|b", ""),
        ("a[b]", ""),
        ("a{b}", ""),
        ("a<b>", ""),
        ("x" * 300, ""),
    ],
)
def test_normalize_title(raw, title):
    assert normalize_title(raw) == title


@pytest.mark.parametrize(
    ("page", "target"),
    [
        ("#REDIRECT [[Computer accessibility]]", "Computer accessibility"),
        ("#REDIRECT [[Soviet Union#History|x]]\n{{R from move}}", "Soviet Union"),
        ("#redirect:[[assistive_technology]]", "Assistive technology"),
        ("  #Redirect  [[ AT&amp;T ]]", "AT&T"),
        ("#REDIRECT[[Foo]]", "Foo"),
        ("Text first\n#REDIRECT [[Foo]]", None),
        ("#REDIRECT [[]]", None),
        ("#REDIRECT Foo", None),
        ("A normal article about [[Foo]].", None),
        ("", None),
    ],
)
def test_parse_redirect(page, target):
    assert parse_redirect(page) == target


def test_parse_redirect_localized_words():
    assert parse_redirect("#пренасочване [[Григориански календар]]", BG) == "Григориански календар"
    assert parse_redirect("#ПРЕНАСОЧВАНЕ [[софия]]", BG) == "София"
    assert parse_redirect("#REDIRECT [[София]]", BG) == "София"  # English words stay valid
    assert parse_redirect("#пренасочване [[София]]") is None  # the English site does not know it
    custom = DEFAULT_SITE.merged(redirect_words=("#WEITERLEITUNG",))
    assert parse_redirect("#weiterleitung [[Berlin]]", custom) == "Berlin"


@pytest.mark.parametrize(
    ("page", "site", "expected"),
    [
        ("Mercury may refer to:\n* [[Mercury (planet)]]\n{{disambiguation}}", DEFAULT_SITE, True),
        ("Foo may mean:\n{{Disambig|geo}}", DEFAULT_SITE, True),
        ("x\n{{hndis|Smith, John}}", DEFAULT_SITE, True),
        ("x\n[[Category:Place name disambiguation pages]]", DEFAULT_SITE, True),
        ("x\n[[Category:All disambiguation pages]]", DEFAULT_SITE, True),
        ("x __DISAMBIG__", DEFAULT_SITE, True),
        ("'''Варна''' може да се отнася за:\n{{пояснение}}", BG, True),
        ("Текст.\n[[Категория:Пояснителни страници]]", BG, True),
        ("Lithuania is a country.{{Infobox country}}[[Category:Baltic]]", DEFAULT_SITE, False),
        ("See [[Category:Disambiguation pages]] for more", DEFAULT_SITE, True),
        ("Mentions [[:Category:Disambiguation pages]] only", DEFAULT_SITE, False),
    ],
)
def test_is_disambiguation(page, site, expected):
    assert is_disambiguation(convert(page, site), site) is expected


def test_is_disambiguation_on_a_hand_built_converted():
    assert is_disambiguation(Converted("x", [], [], ["dab"]))
    assert not is_disambiguation(Converted("x", [], ["Rivers"], ["infobox river"]))


def test_an_entity_naming_a_control_character_vanishes():
    # Found by bench/fuzz.py: html.unescape("&#x1;") is "", and max("") raised ValueError.
    from linkpedia.wikitext import convert

    assert convert("a &#x1; b [[Kaunas]]").text == "a b Kaunas"
