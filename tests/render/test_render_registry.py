"""The format registry the CLI and the server look renderers up in."""

from __future__ import annotations

import json

import pytest

from linkpedia.errors import InputError
from linkpedia.render import RENDERERS, render
from linkpedia.render.json import document_from_json
from linkpedia.types import Document, Link

DOC = Document(
    text="Kaunas lies on the Neris.",
    links=(Link(0, 6, "Kaunas", "Kaunas", score=0.9), Link(19, 24, "Neris", "Neris")),
    title="Kaunas",
    previews={"Kaunas": "Kaunas is a city."},
)


def test_the_four_formats():
    assert list(RENDERERS) == ["seed", "html", "json", "nif"]


def test_each_format_renders_the_same_document():
    outputs = {name: render(DOC, name) for name in RENDERERS}
    assert outputs["seed"] == (
        "Kaunas\nEncyclopedia\nKaunas\nlies on the Neris\n."  # block 1
        "\nKaunas\nKaunas is a city.\nlies on the Neris\nNeris\n."  # block 2
    )
    assert outputs["html"].count('class="lp-link"') == 2
    assert document_from_json(outputs["json"]) == DOC and json.loads(outputs["json"])["title"] == "Kaunas"
    assert "<http://en.wikipedia.org/wiki/Neris>" in outputs["nif"]


def test_unknown_format_lists_the_valid_ones():
    with pytest.raises(InputError) as error:
        render(DOC, "xml")
    assert str(error.value) == "unknown format 'xml'; use one of: seed, html, json, nif"
