"""Build the seed's KB in a test: the 16 linked entries, the pact article, distractors.

The entries' lead paragraphs are rebuilt from seed_gold.json's previews at test
time (nothing of the seed is stored in the repository): the "..." is dropped,
a parenthetical aside goes back where the preview shows the stray " ,", and a
lead that was cut at 300 characters gets a continuation that forces the cut
exactly there. The pact article is the seed text with its 17 links written
as wikitext. Distractors come from the bundled sample encyclopedia.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from xml.sax.saxutils import escape

from lxml import etree

SAMPLE = Path(__file__).resolve().parent.parent / "src/linkpedia/data/sample/sample-wiki.xml"
CONTINUATION = "continuation of the paragraph, which the preview leaves out."
EXPORT_NS = "http://www.mediawiki.org/xml/export-0.11/"


def lead_from_preview(preview: str) -> str:
    body = preview[:-3]
    body = re.sub(r"(\w) ,", r"\1 (an aside the preview drops),", body)
    first_word = CONTINUATION.split()[0]
    if len(preview[:-3]) + 1 + len(first_word) > 300:
        body += " " + CONTINUATION
    return body


def pact_wikitext(gold: dict) -> str:
    text = gold["text"]
    out, pos = [], 0
    for link in gold["links"]:
        out.append(text[pos : link["start"]])
        surface, target = link["surface"], link["target"]
        out.append(f"[[{target}]]" if surface == target else f"[[{target}|{surface}]]")
        pos = link["end"]
    out.append(text[pos:])
    lead = "".join(out)
    return "{{Infobox treaty\n| name = " + gold["title"] + "\n| signed = 1926\n}}\n" + lead + \
        "\n\n[[Category:Treaties of Lithuania]]"


def entry_wikitext(title: str, preview: str) -> str:
    lead = lead_from_preview(preview)
    return (
        "{{Infobox entity | name = " + title + " | note = {{small|test}} }}\n"
        + lead
        + "<ref>{{cite book |title=A source}}</ref>\n\n"
        + "== History ==\nA second paragraph about " + title + " that is not part of the preview.\n"
    )


def _page(title: str, text: str, page_id: int, redirect: str | None = None) -> str:
    red = f'<redirect title="{escape(redirect, {chr(34): "&quot;"})}" />' if redirect else ""
    return (
        f"<page><title>{escape(title)}</title><ns>0</ns><id>{page_id}</id>{red}"
        f"<revision><id>{page_id}</id><timestamp>2026-11-01T00:00:00Z</timestamp>"
        f"<text xml:space=\"preserve\">{escape(text)}</text></revision></page>\n"
    )


def sample_pages(exclude: set[str]) -> list[tuple[str, str, str | None]]:
    """(title, wikitext, redirect) of the bundled sample's pages not titled like ``exclude``."""
    if not SAMPLE.exists():
        return []
    tree = etree.parse(str(SAMPLE))
    ns = {"m": EXPORT_NS}
    out = []
    for page in tree.iterfind("m:page", ns):
        title = page.findtext("m:title", namespaces=ns)
        if title in exclude or page.findtext("m:ns", namespaces=ns) != "0":
            continue
        red = page.find("m:redirect", ns)
        text = page.findtext("m:revision/m:text", namespaces=ns) or ""
        target = red.get("title") if red is not None else None
        if target in exclude:
            continue  # a sample redirect into a seed entry would add our own names for it
        out.append((title, text, target))
    return out


def write_seed_dump(seed_dir: Path, out: Path) -> dict:
    """Write the seed KB's MediaWiki XML to ``out``; returns seed_gold.json."""
    gold = json.loads((seed_dir / "seed_gold.json").read_text(encoding="utf-8"))
    seed_titles = {p["title"] for p in gold["previews"]} | {gold["title"]}
    pages = [_page(gold["title"], pact_wikitext(gold), 1)]
    for i, p in enumerate(gold["previews"], start=2):
        pages.append(_page(p["title"], entry_wikitext(p["title"], p["preview"]), i))
    for j, (title, text, red) in enumerate(sample_pages(seed_titles), start=100):
        pages.append(_page(title, text, j, red))
    out.write_text(
        f'<mediawiki xmlns="{EXPORT_NS}" version="0.11" xml:lang="en"><siteinfo>'
        "<sitename>Seed test</sitename><dbname>seedwiki</dbname><case>first-letter</case>"
        '<namespaces><namespace key="0" case="first-letter" /><namespace key="6" case="first-letter">File</namespace>'
        '<namespace key="14" case="first-letter">Category</namespace></namespaces></siteinfo>\n'
        + "".join(pages) + "</mediawiki>\n",
        encoding="utf-8",
    )
    return gold
