"""A KB built with `--wikidata` from the real 1,704-entity sample, for tests across the suite.

Its pages are the records of the shared OVOS summaries whose titles are
sitelinks of the sample, plus a redirect ("Douglas Adams") the sample's Q42
names, to an article of the test's own (``ADAMS``).
"""

from __future__ import annotations

import bz2
import json
from pathlib import Path

import linkpedia

from conftest import need_shared

SAMPLE = ("data", "small-real", "wikidata-sample-1704-entities.json.bz2")
ADAMS = "Douglas Adams (writer)"


def wikidata_file() -> Path:
    return need_shared(*SAMPLE)


def sitelinks(path: Path) -> set[str]:
    out = set()
    with bz2.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            line = line.strip().rstrip(",")
            if line.startswith("{"):
                link = json.loads(line).get("sitelinks", {}).get("enwiki")
                if link:
                    out.add(link["title"])
    return out


def write_pages(tmp: Path) -> Path:
    """The OVOS records the sample links to, as a JSONL source, and Q42's redirect."""
    titles = sitelinks(wikidata_file())
    out = tmp / "pages.jsonl"
    with out.open("w", encoding="utf-8") as f:
        for line in need_shared("data", "kb-sources", "ovos_summaries_en.jsonl").open(encoding="utf-8"):
            record = json.loads(line)
            if record["title"] in titles:
                f.write(json.dumps({"title": record["title"], "text": record["extract"]}) + "\n")
        f.write(json.dumps({"title": ADAMS, "text": "Adams wrote The Hitchhiker's Guide to the Galaxy."}) + "\n")
        f.write(json.dumps({"title": "Douglas Adams", "text": "", "redirect": ADAMS}) + "\n")
    return out


def build_wikidata_kb(tmp: Path) -> Path:
    out = tmp / "kb"
    linkpedia.build_kb([write_pages(tmp)], out, options=linkpedia.BuildOptions(
        jobs=1, wikidata=(str(wikidata_file()),)))
    return out
