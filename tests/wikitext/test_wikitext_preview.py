"""The preview rule, checked against all 16 previews of the seed page.

The seed's previews are read from ../shared/seed/seed_gold.json at test time.
For each one a plausible lead paragraph is rebuilt: the "..." is stripped, an
aside "(...)" goes back before each stray " ,", and a body that ends near the
300-character limit gets a continuation word long enough that the cut must
fall exactly where the seed cut. ``make_preview`` must give the seed's preview
back exactly.
"""

from __future__ import annotations

import json

import pytest
from conftest import need_shared

from linkpedia.wikitext import convert, first_paragraph, make_preview

LIMIT = 300


def seed_previews() -> list[dict]:
    path = need_shared("seed", "seed_gold.json")
    return json.loads(path.read_text(encoding="utf-8"))["previews"]


def rebuild_lead(preview: str) -> str:
    assert preview.endswith("...")
    body = preview[: -len("...")]
    # Removing "(Lithuanian: Y)" from "X (Lithuanian: Y), officially" leaves "X , officially".
    lead = body.replace(" ,", " (an aside (nested, even), with a comma),")
    if len(body) > LIMIT - 20:
        lead += " " + "w" * (LIMIT - len(body) + 5) + " and more words after the cut."
    return lead


def test_seed_has_sixteen_previews():
    assert len(seed_previews()) == 16


@pytest.mark.parametrize("index", range(16))
def test_seed_preview(index):
    entry = seed_previews()[index]
    lead = rebuild_lead(entry["preview"])
    text = lead + "\n\nSecond paragraph, which the preview never reaches."
    assert make_preview(text) == entry["preview"], entry["title"]


def test_rebuilt_leads_exercise_both_rules():
    leads = [rebuild_lead(e["preview"]) for e in seed_previews()]
    # Soviet Union, Lithuania, Vilnius region
    assert sum("(an aside" in lead for lead in leads) >= 3
    assert sum(len(lead) > LIMIT for lead in leads) >= 5  # cut at a word boundary


@pytest.mark.parametrize(
    ("text", "preview"),
    [
        ("Short lead.", "Short lead...."),
        ("The Soviet Union (USSR), officially the Union (Russian: (nested)), was a state.",
         "The Soviet Union , officially the Union , was a state...."),
        ("Unclosed (paren stays here.", "Unclosed (paren stays here...."),
        ("Stray ) is kept.", "Stray ) is kept...."),
        ("  lots   of\tspace  ", "lots of space..."),
        ("", ""),
        ("(only an aside)", ""),
    ],
)
def test_make_preview_rules(text, preview):
    assert make_preview(text) == preview


def test_make_preview_cuts_at_word_boundary():
    words = " ".join(["word"] * 100)  # 499 characters
    preview = make_preview(words, limit=22)
    assert preview == "word word word word..."  # 19 characters: "word" would end at 24
    assert make_preview("abcdefghij", limit=4) == "abcd..."  # no space at all: hard cut
    assert make_preview("word word", limit=9) == "word word..."  # exactly the limit: no cut


def test_first_paragraph_skips_headings_and_blank_lines():
    text = "\n\nHistory\n\nEarly life\n\nAntanas Smetona was born in 1874.\n\nMore text here."
    assert first_paragraph(text) == "Antanas Smetona was born in 1874."
    assert first_paragraph("Kaunas.\n\nSecond paragraph here.") == "Kaunas."
    assert first_paragraph("Lithuania is a country\n\nmore") == "Lithuania is a country"
    assert first_paragraph("History\n\nMap") == "History"  # nothing better: the first one
    assert first_paragraph("   \n\n") == ""


def test_preview_of_converted_wikitext():
    page = (
        "{{Infobox country|name=Lithuania}}\n"
        "[[File:Flag.svg|thumb|The [[flag]]]]\n"
        "'''Lithuania''' ({{lang-lt|Lietuva}}), officially the '''Republic of Lithuania'''"
        "<ref>cite</ref>, is a country in [[Northern Europe]].\n\n== History ==\nOld."
    )
    assert make_preview(convert(page).text) == (
        "Lithuania , officially the Republic of Lithuania, is a country in Northern Europe...."
    )
