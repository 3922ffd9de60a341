"""The web reader's pages, read as a browser's parser reads them, against real servers.

Escaping is tested with script and attribute-injection payloads in the posted
text, in an uploaded file's name, and in a KB whose entry title and preview are
payloads; each page must hold only the reader's own markup.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from html import unescape
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import linkpedia
from linkpedia.nif import quote_title

import serverproc
from serverproc import kb, server  # noqa: E402,F401 - fixtures
from serverproc import EVIL_PAYLOADS, EVIL_TITLE

# Every element the reader's pages may contain.
ALLOWED = {"html", "head", "meta", "title", "style", "body", "header", "a", "form", "input", "datalist",
           "button", "main", "article", "h1", "h2", "p", "span", "div", "label", "textarea", "fieldset",
           "legend", "script", "details", "summary", "ol", "li", "nav"}
VOID = {"meta", "input", "br", "img", "link", "hr"}


class Page(HTMLParser):
    """The parts of a page the tests check, as an HTML parser sees them."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str, str | None]] = []
        self.blocks: dict[str, list[str]] = {"script": [], "style": []}
        self.h1: list[str] = []
        self.text: list[str] = []
        self.cards: list[str] = []
        self.links: list[tuple[str, str]] = []  # (href, text)
        self._open: list[tuple[str, str]] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes += [(tag, name, value) for name, value in attrs]
        if tag == "a":
            self.links.append((dict(attrs).get("href") or "", ""))
        if tag not in VOID:
            self._open.append((tag, dict(attrs).get("class") or ""))

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        assert self._open and self._open[-1][0] == tag, f"</{tag}> closes {self._open[-1:]}"
        self._open.pop()

    def handle_data(self, data):
        tags = [tag for tag, _ in self._open]
        classes = [kind for _, kind in self._open]
        if tags and tags[-1] in self.blocks:
            self.blocks[tags[-1]].append(data)
        elif "lp-card-text" in classes:
            self.cards.append(data)
        elif "h1" in tags:
            self.h1.append(data)
        if "a" in tags and self.links:
            href, text = self.links[-1]
            self.links[-1] = (href, text + data)
        if tags and tags[-1] not in self.blocks:
            self.text.append(data)


def check_safe(response) -> Page:
    """Only the reader's markup: allowed elements, no event handlers, the CSP's own blocks."""
    page = Page(response.text)
    assert set(page.tags) <= ALLOWED, set(page.tags) - ALLOWED
    assert not [a for a in page.attributes if a[1].startswith("on")]
    assert not [a for a in page.attributes if a[1] in ("href", "src", "action") and a[2] and
                re.match(r"\s*(javascript|data|https?):", a[2], re.I)]
    assert page.tags.count("script") == 1 and page.tags.count("style") == 1
    csp = response.headers["content-security-policy"]
    for kind in ("script", "style"):
        [block] = page.blocks[kind]
        digest = base64.b64encode(hashlib.sha256(block.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in csp.split(f"{kind}-src ")[1].split(";")[0]
    assert "'unsafe-inline'" not in csp and "default-src 'none'" in csp
    return page


@pytest.fixture(scope="module")
def evil(request, tmp_path_factory):
    return serverproc.hostile_server(request, tmp_path_factory)


TEXT = "Kaunas lies where the Neris flows into the Nemunas.\n\nVilnius is the capital of Lithuania."


# --- the home page and reading ---------------------------------------------------

def test_home_has_the_form_and_loads_nothing_from_elsewhere(server):
    r = server.client.get("/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    page = check_safe(r)
    assert {"textarea", "form", "fieldset"} <= set(page.tags)
    attrs = {(tag, name): value for tag, name, value in page.attributes}
    assert ("input", "type") in attrs
    assert 'action="/read" method="post" enctype="multipart/form-data"' in r.text
    assert 'name="file" type="file" accept=".txt,text/plain"' in r.text
    assert not re.search(r'(src|href)="(https?:)?//', r.text)


def test_reading_pasted_text_links_it_with_preview_cards(server, kb):
    r = server.client.post("/read", data={"text": TEXT, "title": "Two cities", "policy": "first"})
    assert r.status_code == 200
    page = check_safe(r)
    assert "Two cities" in page.h1
    hrefs = [href for href, _ in page.links]
    assert "/wiki/Kaunas" in hrefs and "/wiki/Vilnius" in hrefs
    assert kb.preview("Kaunas") in page.cards
    assert "<p>" in r.text and r.text.count("<p>") >= 2  # the paragraphs survive


def test_reading_an_uploaded_file(server, kb):
    data = "\ufeffKaunas lies on the Nemunas.\r\nVilnius lies on the Neris.\r\n".encode()
    r = server.client.post("/read", files={"file": ("river_towns.txt", data, "text/plain")},
                           data={"text": "", "policy": "all"})
    page = check_safe(r)
    assert "river towns" in page.h1
    assert {"/wiki/Kaunas", "/wiki/Vilnius"} <= {href for href, _ in page.links}
    assert "\ufeff" not in r.text and "\r" not in r.text


@pytest.mark.parametrize("send, status, words", [
    ({"data": {"text": "  \n "}}, 400, "there is no text to read"),
    ({"data": {"text": "Kaunas", "policy": "every"}}, 400, "policy"),
    ({"files": {"file": ("<img src=x onerror=alert(1)>.txt", "Kaunas a\u00eft".encode("latin-1"))}}, 400,
     "not valid UTF-8"),
])
def test_reading_mistakes_answer_an_html_page(server, send, status, words):
    r = server.client.post("/read", headers={"accept": "text/html"}, **send)
    assert r.status_code == status and r.headers["content-type"].startswith("text/html")
    page = check_safe(r)
    assert words in "".join(page.text)
    assert "<img" not in r.text


def test_injection_in_posted_text_and_title_stays_text(server):
    text = "Kaunas " + " ".join(EVIL_PAYLOADS) + " Vilnius"
    title = EVIL_PAYLOADS[1] + EVIL_PAYLOADS[0]
    r = server.client.post("/read", data={"text": text, "title": title})
    page = check_safe(r)
    assert "".join(page.h1) == title
    shown = "".join(page.text)
    for payload in EVIL_PAYLOADS:
        assert payload in shown
    for fmt in ("html",):
        api = server.client.post("/api/link", json={"text": text, "title": title, "format": fmt})
        api_page = Page(api.text)
        assert not [a for a in api_page.attributes if a[1].startswith("on")]
        assert api_page.tags.count("script") == 1 and "img" not in api_page.tags


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(list("<>&\"'=/ \nabx;") + ["Kaunas", "Vilnius", "<script>", "onerror=", "&amp;"]),
                min_size=1, max_size=40).map("".join))
def test_any_text_renders_as_text(server, text):
    r = server.client.post("/read", data={"text": text, "title": text[:40]})
    if not text.strip():
        assert r.status_code == 400
        return
    assert r.status_code == 200, r.text
    check_safe(r)


# --- entry pages and search ------------------------------------------------------

def test_entry_page_shows_the_preview_and_what_links_there(server, kb):
    r = server.client.get("/wiki/Kaunas")
    page = check_safe(r)
    assert "".join(page.h1) == "Kaunas"
    assert kb.preview("Kaunas") in page.text
    linking = kb.inlinks("Kaunas")
    hrefs = [href for href, _ in page.links]
    assert all("/wiki/" + quote_title(title) in hrefs for title in linking)
    for title in linking:  # each entry that links here has its own preview card
        assert kb.preview(title) in page.cards
    assert f"{len(linking)} entries link here" in "".join(page.text)


@pytest.mark.parametrize("path, location", [
    ("/wiki/Kaunas%20Fortress", "/wiki/Kaunas_Fortress"),
    ("/wiki/kaunas_Fortress", "/wiki/Kaunas_Fortress"),
    ("/wiki/Wilno", "/wiki/Vilnius"),
    ("/wiki/Memel_Territory", "/wiki/Klaip%C4%97da_Region"),
    ("/search?q=kaunas", "/wiki/Kaunas"),
    ("/search?q=Wilno", "/wiki/Vilnius"),
    ("/search?q=", "/"),
])
def test_redirects_to_the_canonical_entry_url(server, path, location):
    r = server.client.get(path)
    assert r.status_code in (301, 303) and r.headers["location"] == location
    assert server.client.get(location).status_code == 200


@pytest.mark.parametrize("path", ["/wiki/Kau", "/wiki/..%2F..%2F..%2Fetc%2Fpasswd", "/wiki/kb.sqlite"])
def test_missing_entry_is_a_404_page_with_suggestions(server, path):
    r = server.client.get(path)
    assert r.status_code == 404
    page = check_safe(r)
    assert "no entry with this title" in "".join(page.text)
    assert "root:" not in r.text
    if path == "/wiki/Kau":
        assert "/wiki/Kaunas" in [href for href, _ in page.links]


def test_search_page_lists_entries_by_prefix(server):
    r = server.client.get("/search", params={"q": "Kau"})
    page = check_safe(r)
    hrefs = [href for href, _ in page.links]
    assert hrefs.index("/wiki/Kaunas") < hrefs.index("/wiki/Kaunas_Fortress")
    nothing = check_safe(server.client.get("/search", params={"q": "<b>Zzz"}))
    assert "No entry title starts with “<b>Zzz”." in "".join(nothing.text)


def test_errors_are_pages_for_browsers_and_problems_for_clients(server):
    html = server.client.get("/nowhere", headers={"accept": "text/html,*/*"})
    assert html.status_code == 404 and html.headers["content-type"].startswith("text/html")
    check_safe(html)
    api = server.client.get("/api/entries/Nope", headers={"accept": "text/html"})
    assert api.headers["content-type"] == "application/problem+json"


# --- a KB whose own data is hostile ------------------------------------------------

def test_hostile_entry_title_and_preview_are_escaped_on_its_page(evil):
    r = evil.client.get("/wiki/" + quote_title(EVIL_TITLE))
    assert r.status_code == 200, r.text
    page = check_safe(r)
    assert "".join(page.h1) == EVIL_TITLE
    with linkpedia.open_kb(evil.kb) as kb:
        preview = kb.preview(EVIL_TITLE)
    assert preview.startswith("<script>") and '"><img src=x onerror=' in preview
    assert preview in page.text
    assert "/wiki/Harbour" in [href for href, _ in page.links]


def test_hostile_preview_in_a_card_and_in_search(evil):
    r = evil.client.post("/read", data={"text": "We sailed past the Evil entry at dawn."})
    page = check_safe(r)
    [card] = page.cards
    assert card.startswith("<script>alert</script>")
    assert ("/wiki/" + quote_title(EVIL_TITLE)) in [href for href, _ in page.links]
    results = check_safe(evil.client.get("/search", params={"q": "Ev"}))
    assert EVIL_TITLE in [text for _, text in results.links]
    api = evil.client.get("/api/entries/" + quote_title(EVIL_TITLE)).json()
    assert api["title"] == EVIL_TITLE and api["preview"].startswith("<script>")


# --- the reader's options, its address, and paged search ---------------------------

def links_of(response) -> list[str]:
    return re.findall(r'<a class="lp-link" href="/wiki/([^"]+)"', response.text)


def test_the_form_has_the_threshold_and_the_mode(server):
    r = server.client.get("/")
    assert 'name="threshold" type="number" min="0" max="1" step="0.05" value="0.5"' in r.text
    assert 'name="mode" value="wikipedia" checked' in r.text and 'name="mode" value="entities"' in r.text


def test_a_reading_is_in_its_address_with_its_options(server):
    posted = server.client.post("/read", data={"text": TEXT, "title": "Two cities", "threshold": "0.2",
                                               "mode": "entities", "policy": "all"})
    assert posted.status_code == 200
    (share,) = re.findall(r'id="lp-read" tabindex="-1" data-share="([^"]+)"', posted.text)
    share = share.replace("&amp;", "&")
    assert share.startswith("/read?") and "threshold=0.2" in share and "mode=entities" in share
    got = check_safe(server.client.get(share))
    assert links_of(server.client.get(share)) == links_of(posted) and "Two cities" in got.h1
    assert 'value="0.2"' in server.client.get(share).text  # the form shows the values in use


def test_the_threshold_changes_the_links(server):
    low = server.client.get("/read", params={"text": TEXT, "threshold": "0"})
    high = server.client.get("/read", params={"text": TEXT, "threshold": "1"})
    assert len(links_of(low)) > len(links_of(high)) == 0


@pytest.mark.parametrize("params, message", [
    ({"threshold": "2"}, "threshold '2' is not a number from 0 to 1"),
    ({"threshold": "abc"}, "threshold 'abc' is not a number from 0 to 1"),
    ({"mode": "people"}, "mode 'people' is not one of: entities, wikipedia"),
    ({"policy": "some"}, "policy 'some' is not one of: first, all"),
])
def test_bad_options_are_a_clear_400(server, params, message):
    r = server.client.get("/read", params={"text": TEXT, **params}, headers={"accept": "text/html"})
    assert r.status_code == 400 and message in unescape(r.text)


def test_a_long_text_is_read_but_not_put_in_the_address(server):
    text = TEXT + "\n\n" + "Kaunas lies on the Nemunas. " * 400
    r = server.client.post("/read", data={"text": text})
    assert r.status_code == 200 and 'data-share="' not in r.text
    assert "too long to share by its address" in r.text and 'method="post"' in r.text


def test_read_without_text_goes_home(server):
    r = server.client.get("/read")
    assert r.status_code == 303 and r.headers["location"] == "/"


def test_the_reading_mode_reaches_the_linker(server):
    text = "Kaunas was the temporary capital of Lithuania."
    for mode in ("wikipedia", "entities"):
        r = server.client.get("/read", params={"text": text, "mode": mode})
        assert r.status_code == 200 and f'name="mode" value="{mode}" checked' in r.text


def test_search_results_have_previews_and_come_in_pages(tmp_path):
    from linkpedia.serve.pages import PAGE_SIZE, _results

    lakes = [{"title": f"Lake {n:02d}", "text": f"Lake {n:02d} is lake number {n} of the district."}
             for n in range(1, 46)]
    (tmp_path / "lakes.jsonl").write_text("".join(json.dumps(d) + "\n" for d in lakes), encoding="utf-8")
    linkpedia.build_kb([tmp_path / "lakes.jsonl"], tmp_path / "kb", options=linkpedia.BuildOptions(jobs=1))
    with linkpedia.open_kb(tmp_path / "kb") as kb:
        pages = [_results(kb, "Lake", n).body.decode() for n in (1, 2, 3, 4)]
    shown = [re.findall(r'<li><a href="/wiki/(Lake_\d+)">', p) for p in pages]
    assert [len(s) for s in shown] == [PAGE_SIZE, PAGE_SIZE, 45 - 2 * PAGE_SIZE, 0]
    assert sorted(sum(shown, [])) == [f"Lake_{n:02d}" for n in range(1, 46)]
    assert "Entries 1–20 of 45" in pages[0] and "Page 1 of 3" in pages[0]
    assert 'rel="next" href="/search?q=Lake&amp;page=2"' in pages[0] and 'rel="prev"' not in pages[0]
    assert 'rel="prev" href="/search?q=Lake&amp;page=2"' in pages[2] and 'rel="next"' not in pages[2]
    assert re.search(r'<span class="lp-result-text">Lake \d+ is lake number \d+ of the district\.[^<]*</span>', pages[0])
    assert "There are only 3 pages" in pages[3]


def test_search_page_number_must_be_a_number(server):
    r = server.client.get("/search", params={"q": "Kau", "page": "x"}, headers={"accept": "text/html"})
    assert r.status_code == 400 and "page 'x' is not a whole number from 1" in unescape(r.text)
    second = server.client.get("/search", params={"q": "Kaunas", "page": "2"})  # no redirect past page 1
    assert second.status_code == 200
