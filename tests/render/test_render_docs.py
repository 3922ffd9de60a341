"""The examples in docs/json-schema.md and docs/nif.md are what the code writes."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

from linkpedia.nif import read_nif, write_nif
from linkpedia.render.json import document_from_json, document_to_dict

DOCS = Path(__file__).resolve().parents[2] / "docs"


def block(path: Path, language: str) -> str:
    (found,) = re.findall(rf"```{language}\n(.*?)```", path.read_text(encoding="utf-8"), re.S)
    return found


def test_json_example_is_a_valid_document_and_every_field_is_in_the_table():
    page = DOCS / "json-schema.md"
    example = block(page, "json")
    doc = document_from_json(example, source=str(page))
    assert document_to_dict(doc) == json.loads(example)
    table = set(re.findall(r"^\| `([\w\[\].]+)` \|", page.read_text(encoding="utf-8"), re.M))
    data = document_to_dict(doc)
    fields = set(data) | {f"links[].{key}" for key in data["links"][0]}
    fields |= {f"links[].candidates[].{key}" for key in data["links"][0]["candidates"][0]}
    assert fields == table


def test_nif_example_is_exactly_what_write_nif_writes_for_the_json_example():
    doc = document_from_json(block(DOCS / "json-schema.md", "json"))
    turtle = block(DOCS / "nif.md", "turtle")
    assert write_nif(doc) == turtle.rstrip("\n") + "\n"
    (back,) = read_nif(turtle)
    # NIF carries no candidates
    assert back.to_document().links == tuple(replace(link, candidates=()) for link in doc.links)
