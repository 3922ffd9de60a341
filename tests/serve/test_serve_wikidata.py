"""QIDs through the API and every output: `kb.entry("Q42")`, `/api/entries/Q…` over a real
server, JSON document/2 and NIF's second taIdentRef."""

from __future__ import annotations

from pathlib import Path

import pytest

import linkpedia
from linkpedia.nif import WIKIDATA_URI, read_nif, write_nif
from linkpedia.render.json import document_from_json, render_json

from serverproc import shared, start
from wikidatakb import ADAMS, build_wikidata_kb

TEXT = "Boston is a city in Massachusetts."


@pytest.fixture(scope="module")
def wd_kb(tmp_path_factory) -> Path:
    return build_wikidata_kb(tmp_path_factory.mktemp("wikidata-serve"))


@pytest.fixture(scope="module")
def wd_server(request, tmp_path_factory, wd_kb):
    return shared(request, "wikidata", lambda: start(wd_kb, tmp_path_factory.mktemp("wikidata-log")))


def test_kb_entry_resolves_a_qid(wd_kb):
    with linkpedia.open_kb(wd_kb) as kb:
        assert kb.entry("Q42").title == ADAMS
        assert kb.entry("Q42").qid == "Q42"
        assert kb.by_qid("Q100") == "Boston" and kb.by_qid("Q999999999") is None
        with pytest.raises(linkpedia.EntryNotFoundError):
            kb.entry("Q999999999")


def test_links_carry_their_qid_in_json_and_nif(wd_kb):
    with linkpedia.open_kb(wd_kb) as kb:
        doc = kb.link(TEXT)
    boston = next(lk for lk in doc.links if lk.title == "Boston")
    assert boston.qid == "Q100"
    assert document_from_json(render_json(doc)) == doc  # document/2 keeps the QID
    turtle = write_nif(doc)
    assert f"itsrdf:taIdentRef <{WIKIDATA_URI}Q100>" in turtle
    assert "itsrdf:taIdentRef <http://en.wikipedia.org/wiki/Boston>" in turtle
    read = read_nif(turtle)[0]
    mention = next(m for m in read.mentions if m.surface == "Boston")
    assert (mention.title, mention.qid) == ("Boston", "Q100")
    assert next(lk for lk in read.to_document().links if lk.title == "Boston").qid == "Q100"


def test_api_entries_by_qid(wd_server):
    r = wd_server.client.get("/api/entries/Q100")
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["title"], body["qid"], body["redirected_from"]) == ("Boston", "Q100", None)
    assert body["description"] == "city in Massachusetts, United States of America"
    assert "Q515" in body["instance_of"]
    assert wd_server.client.get("/api/entries/Boston").json()["qid"] == "Q100"
    assert wd_server.client.get("/api/entries/Q42").json()["title"] == ADAMS
    assert wd_server.client.get("/api/entries/Q999999999").status_code == 404


def test_api_link_json_and_nif_carry_the_qid(wd_server):
    body = wd_server.client.post("/api/link", json={"text": TEXT}).json()
    assert body["schema"] == "linkpedia.document/2"
    assert {lk["title"]: lk["qid"] for lk in body["links"]}["Boston"] == "Q100"
    nif = wd_server.client.post("/api/link", json={"text": TEXT, "format": "nif"}).text
    assert f"<{WIKIDATA_URI}Q100>" in nif
