"""linkpedia.document/2 JSON: the fields, the round trip, and what a bad file is told."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linkpedia.errors import InputError
from linkpedia.render.json import SCHEMA, document_from_json, document_to_dict, render_json
from linkpedia.types import Candidate, Document, Link

DOC = Document(
    text="Żeligowski's Mutiny 😀 reached Kaunas.",
    title="Test “page”",
    links=(
        Link(
            0,
            19,
            "Żeligowski's Mutiny",
            "Zeligowski's Mutiny",
            score=0.75,
            candidates=(Candidate("Zeligowski's Mutiny", 0.9, 12, 0.75), Candidate("Mutiny", 0.1, 1, 0.05)),
        ),
        Link(30, 36, "Kaunas", "Kaunas", score=0.5, qid="Q4115712"),
    ),
    previews={"Zeligowski's Mutiny": "A sham mutiny…"},
)


def test_fields_and_code_point_offsets():
    data = json.loads(render_json(DOC))
    assert data["schema"] == SCHEMA == "linkpedia.document/2"
    assert data["title"] == DOC.title and data["text"] == DOC.text
    first, second = data["links"]
    assert first == {
        "start": 0,
        "end": 19,
        "surface": "Żeligowski's Mutiny",
        "title": "Zeligowski's Mutiny",
        "qid": None,
        "score": 0.75,
        "preview": "A sham mutiny…",
        "candidates": [
            {"title": "Zeligowski's Mutiny", "prior": 0.9, "count": 12, "score": 0.75},
            {"title": "Mutiny", "prior": 0.1, "count": 1, "score": 0.05},
        ],
    }
    # after the emoji, offsets still count code points (not UTF-16 units)
    assert (second["start"], second["end"], second["preview"], second["candidates"]) == (30, 36, None, [])
    assert data["text"][second["start"] : second["end"]] == "Kaunas"
    assert second["qid"] == "Q4115712"


def test_version_1_documents_are_still_read():
    data = json.loads(render_json(DOC))
    data["schema"] = "linkpedia.document/1"
    for link in data["links"]:
        del link["qid"]
    doc = document_from_json(json.dumps(data))
    assert [lk.qid for lk in doc.links] == [None, None]
    assert [lk.title for lk in doc.links] == [lk.title for lk in DOC.links]


def test_non_ascii_is_written_as_is():
    out = render_json(DOC)
    assert "Żeligowski" in out and "😀" in out and "\\u" not in out
    assert render_json(DOC, indent=None).count("\n") == 0


def test_round_trip():
    assert document_from_json(render_json(DOC)) == DOC
    assert document_from_json(render_json(DOC).encode("utf-8")) == DOC


def test_a_document_without_title_or_links():
    doc = Document(text="Nothing to link.")
    assert document_to_dict(doc) == {"schema": SCHEMA, "title": None, "text": "Nothing to link.", "links": []}
    assert document_from_json(render_json(doc)) == doc


def bad(change) -> str:
    data = json.loads(render_json(DOC))
    change(data)
    return json.dumps(data)


@pytest.mark.parametrize(
    "text, message",
    [
        ("{not json", r"^doc\.json: not valid JSON \(.* at line 1, column 2\)$"),
        ("[]", r"^doc\.json: the document must be a JSON object, not an array$"),
        (
            bad(lambda d: d.update(schema="linkpedia.document/3")),
            r"'linkpedia.document/3' is not supported.*upgrade",
        ),
        (
            bad(lambda d: d.pop("schema")),
            r'^doc\.json: no "schema" field; a linkpedia document has "schema": \'linkpedia.document/2\'$',
        ),
        ('{"schema": "other/1"}', r'"schema" is \'other/1\'; a linkpedia document has'),
        (bad(lambda d: d.pop("text")), r"^doc\.json: text is missing$"),
        (
            bad(lambda d: d["links"][1].update(end=99)),
            r"links\[1\] spans 30-99, outside the text \(37 code points\)",
        ),
        (
            bad(lambda d: d["links"][1].update(start=29)),
            r"links\[1\]\.surface is 'Kaunas' but the text at 29-36 is",
        ),
        (
            bad(lambda d: d["links"][0].update(start="0")),
            r"links\[0\]\.start must be an integer, not a string",
        ),
        (bad(lambda d: d["links"][0].update(end=True)), r"links\[0\]\.end must be an integer, not a boolean"),
        (bad(lambda d: d["links"][0].update(score="high")), r"links\[0\]\.score must be a finite number"),
        (
            bad(lambda d: d["links"][0]["candidates"][1].pop("title")),
            r"links\[0\]\.candidates\[1\]\.title is missing",
        ),
        (bad(lambda d: d.update(links={})), r"links must be an array, not an object"),
    ],
)
def test_bad_documents_fail_with_a_one_line_message_naming_the_field(text, message):
    with pytest.raises(InputError, match=message) as error:
        document_from_json(text, source="doc.json")
    assert "\n" not in str(error.value)


def test_unknown_fields_are_ignored_within_a_version():
    text = bad(lambda d: (d.update(generator="x"), d["links"][0].update(extra=[1])))
    assert document_from_json(text) == DOC


@st.composite
def documents(draw):
    text = draw(st.text(max_size=30))
    cuts = sorted(draw(st.lists(st.integers(0, len(text)), max_size=6)))
    links = tuple(
        Link(a, b, text[a:b], draw(st.text(min_size=1, max_size=5)), score=draw(st.floats(0, 1)))
        for a, b in zip(cuts[::2], cuts[1::2])
    )
    previews = {link.title: draw(st.text(max_size=8)) for link in links}
    return Document(text=text, links=links, title=draw(st.none() | st.text(max_size=5)), previews=previews)


@settings(max_examples=150, deadline=None)
@given(documents())
def test_any_document_round_trips(doc):
    back = document_from_json(render_json(doc))
    assert back.text == doc.text and back.title == doc.title and back.links == doc.links
    assert {link.title: back.previews.get(link.title) for link in doc.links} == {
        link.title: doc.previews.get(link.title) for link in doc.links
    }
