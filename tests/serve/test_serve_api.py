"""The HTTP API against a real uvicorn process over the sample KB."""

from __future__ import annotations

import psutil
import pytest

import linkpedia
from linkpedia.nif import read_nif, write_nif
from linkpedia.types import Document

from serverproc import kb, server  # noqa: E402,F401 - fixtures

PROBLEM = "application/problem+json"
TEXT = "Kaunas lies where the Neris flows into the Nemunas, west of Vilnius in Lithuania."


def problem(response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["status"] == status and body["title"] and body["detail"]
    assert "Traceback" not in response.text
    return body


# --- health, start-up, binding ---------------------------------------------------

def test_health_reports_the_kb_and_its_open_time(server, kb):
    body = server.client.get("/healthz").json()
    assert body["status"] == "ok"
    assert body["kb"] == str(server.kb)
    assert body["entries"] == kb.index.n_entries == 54
    assert 0 <= body["open_seconds"] < 5
    assert body["limits"] == {"max_body_bytes": 2_000_000, "max_text_chars": 100_000, "timeout_s": 10.0}


def test_start_up_time_is_logged(server):
    log = server.log()
    assert "opened KB" in log and str(server.kb) in log and " s" in log


def test_binds_to_loopback_only_by_default(server):
    addresses = {c.laddr.ip for c in psutil.Process(server.proc.pid).net_connections("inet")
                 if c.status == psutil.CONN_LISTEN}
    assert addresses == {"127.0.0.1"}


def test_openapi_document_lists_the_api(server):
    spec = server.client.get("/openapi.json").json()
    assert {"/api/link", "/api/entries/{title}", "/api/search", "/gerbil", "/healthz"} <= set(spec["paths"])
    assert not any(path.startswith("/wiki") or path == "/" for path in spec["paths"])
    assert "text/turtle" in spec["paths"]["/gerbil"]["post"]["requestBody"]["content"]


# --- POST /api/link ------------------------------------------------------------

def test_link_answers_the_json_document(server, kb):
    r = server.client.post("/api/link", json={"text": TEXT, "policy": "all"})
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    body = r.json()
    assert body["schema"] == "linkpedia.document/2" and body["text"] == TEXT
    titles = [link["title"] for link in body["links"]]
    assert {"Kaunas", "Vilnius", "Lithuania"} <= set(titles)
    for link in body["links"]:
        assert TEXT[link["start"]:link["end"]] == link["surface"]
        assert link["preview"] == kb.preview(link["title"])
        assert link["candidates"][0]["title"] == link["title"]
    assert titles == [lk.title for lk in kb.link(TEXT, policy="all").links]


def test_link_formats(server):
    def post(fmt):
        return server.client.post("/api/link", json={"text": TEXT, "format": fmt, "title": "A test"})

    html = post("html")
    assert html.headers["content-type"].startswith("text/html")
    assert 'href="/wiki/Kaunas"' in html.text and "<h1>A test</h1>" in html.text
    assert "script-src 'sha256-" in html.headers["content-security-policy"]
    seed = post("seed")
    assert seed.headers["content-type"].startswith("text/plain")
    assert seed.text.startswith("A test\nEncyclopedia\n")
    nif = post("nif")
    assert nif.headers["content-type"].startswith("text/turtle")
    [doc] = read_nif(nif.text)
    as_json = post("json").json()
    assert doc.text == TEXT
    assert [(m.start, m.end, m.title) for m in doc.mentions] == [
        (link["start"], link["end"], link["title"]) for link in as_json["links"]]


def test_link_policy_and_threshold(server):
    def titles(**options):
        r = server.client.post("/api/link", json={"text": TEXT + " " + TEXT, **options})
        assert r.status_code == 200, r.text
        return [link["title"] for link in r.json()["links"]]

    every, first = titles(policy="all"), titles(policy="first")
    assert len(every) > len(first) and set(every) == set(first)
    assert len(titles(policy="all", threshold=1.0)) < len(every)
    assert titles(policy="all", threshold=0) == titles(policy="all", threshold=0.0)


def test_link_does_not_link_the_documents_own_title(server):
    links = server.client.post("/api/link", json={"text": TEXT, "title": "Kaunas"}).json()["links"]
    assert "Kaunas" not in {link["title"] for link in links}


@pytest.mark.parametrize("body, where", [
    ({}, "text"),
    ({"text": "x", "format": "pdf"}, "format"),
    ({"text": "x", "policy": "some"}, "policy"),
    ({"text": "x", "threshold": 1.5}, "threshold"),
    ({"text": "x", "threshold": False}, "threshold"),
    ({"text": "x", "threshold": "0.5"}, "threshold"),
    ({"text": 42}, "text"),
    ({"text": "x", "colour": "red"}, "colour"),
    (["text"], "body"),
], ids=["missing-text", "format", "policy", "threshold-range", "threshold-bool", "threshold-string",
        "text-number", "unknown-field", "not-an-object"])
def test_link_rejects_bad_requests_with_a_problem(server, body, where):
    detail = problem(server.client.post("/api/link", json=body), 422)
    assert where in detail["detail"] and detail["errors"]


def test_link_rejects_bodies_that_are_not_json(server):
    r = server.client.post("/api/link", content=b"text=Kaunas", headers={"content-type": "application/json"})
    assert problem(r, 422)["detail"].startswith("the body is not valid JSON (")


def test_link_rejects_unpaired_surrogates(server):
    r = server.client.post("/api/link", content=b'{"text": "Kaunas \\ud800"}',
                           headers={"content-type": "application/json"})
    assert "surrogate" in problem(r, 422)["detail"]


def test_link_keeps_unicode_and_empty_text(server):
    text = "Žeimiai 🙂 Kaunas\x00 Vilnius"
    body = server.client.post("/api/link", json={"text": text}).json()
    assert body["text"] == text
    for link in body["links"]:
        assert text[link["start"]:link["end"]] == link["surface"]
    assert server.client.post("/api/link", json={"text": ""}).json()["links"] == []


# --- GET /api/entries/{title} ----------------------------------------------------

def test_entry(server, kb):
    body = server.client.get("/api/entries/Kaunas").json()
    entry = kb.entry("Kaunas")
    assert body["title"] == "Kaunas" and body["redirected_from"] is None
    assert body["preview"] == entry.preview and body["popularity"] == entry.popularity
    assert body["inlink_count"] == len(kb.inlinks("Kaunas", limit=10_000)) > 0
    assert body["surfaces"][0] == {"surface": "Kaunas", "count": entry.surfaces[0][1]}
    assert body["url"] == "/wiki/Kaunas" and body["is_disambiguation"] is False


@pytest.mark.parametrize("asked, title, redirected_from", [
    ("Wilno", "Vilnius", "Wilno"),
    ("Memel_Territory", "Klaipėda Region", "Memel Territory"),
    ("Memel%20Territory", "Klaipėda Region", "Memel Territory"),
    ("kaunas_Fortress", "Kaunas Fortress", None),
])
def test_entry_follows_redirects_and_title_forms(server, asked, title, redirected_from):
    body = server.client.get(f"/api/entries/{asked}").json()
    assert (body["title"], body["redirected_from"]) == (title, redirected_from)


@pytest.mark.parametrize("path", [
    "/api/entries/No_such_entry",
    "/api/entries/..%2F..%2F..%2Fetc%2Fpasswd",
    "/api/entries/%2Fetc%2Fpasswd",
    "/api/entries/kb.sqlite",
    "/api/entries/index%2Ftitles.marisa",
])
def test_entry_absent_is_a_404_problem_and_never_a_file(server, path):
    body = problem(server.client.get(path), 404)
    assert "no entry titled" in body["detail"]
    assert "root:" not in body["detail"]


# --- GET /api/search --------------------------------------------------------------

def test_search_by_prefix_for_autocomplete(server):
    body = server.client.get("/api/search", params={"q": "kau"}).json()
    titles = [hit["title"] for hit in body["results"]]
    assert body["query"] == "kau" and titles[0] == "Kaunas"
    assert all(t.startswith("Kaunas") for t in titles)
    assert body["results"][0]["url"] == "/wiki/Kaunas" and body["results"][0]["preview"]
    limited = server.client.get("/api/search", params={"q": "K", "limit": 2}).json()["results"]
    assert len(limited) == 2
    assert server.client.get("/api/search", params={"q": "Qqq"}).json()["results"] == []


@pytest.mark.parametrize("params", [{}, {"q": "K", "limit": 0}, {"q": "K", "limit": 51}, {"q": "K", "limit": "x"}])
def test_search_rejects_bad_parameters(server, params):
    problem(server.client.get("/api/search", params=params), 422)


# --- POST /gerbil ------------------------------------------------------------------

def test_gerbil_a2kb_answers_nif_with_the_requests_uris(server, kb):
    uri = f"http://gerbil.example/doc/7#char=0,{len(TEXT)}"
    request = write_nif([Document(TEXT)], uris=[uri])
    r = server.client.post("/gerbil", content=request.encode(),
                           headers={"content-type": "application/x-turtle", "accept": "application/x-turtle"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/x-turtle")
    [doc] = read_nif(r.text)
    assert doc.uri == uri and doc.text == TEXT
    expected = kb.link(TEXT, policy="all")
    assert [(m.start, m.end, m.title) for m in doc.mentions] == [(lk.start, lk.end, lk.title) for lk in expected.links]


def test_gerbil_d2kb_links_exactly_the_given_spans(server):
    start = TEXT.index("Vilnius")
    request = (write_nif([Document(TEXT)], uris=[f"http://gerbil.example/d#char=0,{len(TEXT)}"])
               + f"""
<http://gerbil.example/d#char={start},{start + 7}> a nif:String, nif:RFC5147String, nif:Phrase ;
    nif:anchorOf "Vilnius"^^xsd:string ;
    nif:beginIndex "{start}"^^xsd:nonNegativeInteger ;
    nif:endIndex "{start + 7}"^^xsd:nonNegativeInteger ;
    nif:referenceContext <http://gerbil.example/d#char=0,{len(TEXT)}> .
""")
    r = server.client.post("/gerbil", content=request.encode(), headers={"content-type": "text/turtle"})
    assert r.headers["content-type"].startswith("text/turtle")
    [doc] = read_nif(r.text)
    assert [(m.start, m.title) for m in doc.mentions] == [(start, "Vilnius")]


@pytest.mark.parametrize("body, words", [
    (b"this is not turtle <<<", "not valid Turtle"),
    (b"@prefix nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#> .", "no nif:Context"),
    ("<http://x/d#char=0,3> <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#isString> \"abc\" ."
     .encode("utf-16"), "not UTF-8"),
    (b"", "no nif:Context"),
])
def test_gerbil_bad_input_is_a_400_problem(server, body, words):
    r = server.client.post("/gerbil", content=body, headers={"content-type": "text/turtle"})
    assert words in problem(r, 400)["detail"]


# --- errors and headers ------------------------------------------------------------

def test_unknown_route_and_wrong_method_are_problems(server):
    assert "/nowhere" in problem(server.client.get("/nowhere"), 404)["detail"]
    assert "GET" in problem(server.client.get("/api/link"), 405)["detail"]
    assert problem(server.client.delete("/healthz"), 405)


def test_every_answer_carries_the_safety_headers(server):
    for r in (server.client.get("/healthz"), server.client.get("/nowhere"),
              server.client.post("/api/link", json={"text": "Kaunas"})):
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["x-frame-options"] == "DENY"
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    assert "server" not in server.client.get("/healthz").headers


# --- input errors say what is wrong (issue 14, part 3) ------------------------------

GERBIL_HEAD = ("@prefix nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#> .\n"
               "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n")


def test_a_body_that_is_not_utf8_gets_the_clis_message(server):
    for ctype in ("application/json", "application/json; charset=latin-1"):
        r = server.client.post("/api/link", content='{"text": "Kaunas é"}'.encode("latin-1"),
                               headers={"content-type": ctype})
        body = problem(r, 400)
        assert "not valid UTF-8" in body["detail"] and "byte 17" in body["detail"]


def test_gerbil_invalid_turtle_message_is_whole(server):
    r = server.client.post("/gerbil", content=b"@prefix nif: <x> . garbage garbage",
                           headers={"content-type": "text/turtle"})
    detail = problem(r, 400)["detail"]
    assert "line 1" in detail and "garbage garbage" in detail and not detail.endswith(":")


@pytest.mark.parametrize("end", ["99", "3"])
def test_gerbil_wrong_end_index_is_400(server, end):
    ttl = GERBIL_HEAD + (f'<http://ex.org/d#char=0,20> a nif:Context ; nif:isString "Kaunas is in Lithua." ;'
                         f' nif:beginIndex "0"^^xsd:nonNegativeInteger ; nif:endIndex "{end}"^^xsd:nonNegativeInteger .\n')
    detail = problem(server.client.post("/gerbil", content=ttl.encode(),
                                        headers={"content-type": "text/turtle"}), 400)["detail"]
    assert f"nif:endIndex '{end}' should be 20" in detail


def test_lookups_agree_with_linking(server):
    with linkpedia.open_kb(server.kb) as kb:
        linked = {lk.surface: lk.title for lk in kb.link("Wilno and Vilna and the USSR.", threshold=0.0).links}
    for surface, title in linked.items():
        r = server.client.get(f"/api/entries/{surface}")
        assert r.status_code == 200 and r.json()["title"] == title, (surface, r.text)
