"""The reader for someone reading, in real Chromium over the sample KB: the keyboard walks the
text's links, the options live in the address, search pages show previews.

With LINKPEDIA_SCREENSHOTS=1 these tests also write docs/images/*.png, the
screenshots docs/server.md shows; without it they write only to
test-artifacts/ and never touch docs/.
"""

from __future__ import annotations

import os
from urllib.parse import parse_qs, urlsplit

import pytest

import serverproc
from test_serve_browser import ARTIFACTS, _need_chromium, browser, card_of, page  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser

DOCS_IMAGES = serverproc.REPO / "docs" / "images"
TEXT = (serverproc.SAMPLE / "sample-text.txt").read_text(encoding="utf-8")
TITLE = (serverproc.SAMPLE / "sample-text.title").read_text(encoding="utf-8").strip()


def shoot(page, name: str, *, full_page: bool = False, element=None) -> None:
    """A screenshot (of ``element`` when given) in test-artifacts/, and in docs/images/ when
    LINKPEDIA_SCREENSHOTS=1 (written to a temporary name, then renamed)."""
    target = element if element is not None else page
    options = {"animations": "disabled", "type": "png"}
    if element is None:
        options["full_page"] = full_page
    ARTIFACTS.mkdir(exist_ok=True)
    target.screenshot(path=str(ARTIFACTS / name), **options)
    if os.environ.get("LINKPEDIA_SCREENSHOTS") == "1":
        DOCS_IMAGES.mkdir(exist_ok=True)
        tmp = DOCS_IMAGES / f".{name}.tmp"
        target.screenshot(path=str(tmp), **options)
        tmp.replace(DOCS_IMAGES / name)


@pytest.fixture(scope="module")
def server(request, tmp_path_factory):
    _need_chromium()
    return serverproc.sample_server(request, tmp_path_factory)


def read(page, server, *, threshold: str | None = None, mode: str | None = None) -> None:
    page.goto(server.url + "/")
    page.fill("#lp-title", TITLE)
    page.fill("#lp-text", TEXT)
    if threshold is not None:
        page.fill("#lp-threshold", threshold)
    if mode is not None:
        page.check(f"input[name=mode][value={mode}]")
    with page.expect_navigation():
        page.click("form.lp-form button[type=submit]")


def test_home_page(server, page):  # noqa: F811
    page.goto(server.url + "/")
    page.fill("#lp-title", TITLE)
    page.fill("#lp-text", TEXT[:600])
    shoot(page, "reader-home.png", full_page=True)
    assert not page.errors


def test_tab_walks_the_texts_links_in_order_and_shows_each_card(server, page):  # noqa: F811
    read(page, server)
    page.mouse.move(0, 0)
    links = page.locator("#lp-read a.lp-link")
    order = links.evaluate_all("links => links.map(a => a.dataset.title)")
    for i in range(3):
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.dataset.title") == order[i]
        card = card_of(links.nth(i))
        card.wait_for(state="visible")
        assert card.locator(".lp-card-title").inner_text() == order[i]
    shoot(page, "reader-keyboard.png")
    assert not page.errors


def test_the_options_are_in_the_address_and_survive_a_reload(server, page):  # noqa: F811
    read(page, server)
    default = page.locator("#lp-read a.lp-link").count()
    read(page, server, threshold="0.9", mode="entities")
    query = parse_qs(urlsplit(page.url).query)
    assert query["threshold"] == ["0.9"] and query["mode"] == ["entities"] and query["title"] == [TITLE]
    assert query["text"] == [TEXT.replace("\r\n", "\n")]
    strict = page.locator("#lp-read a.lp-link").count()
    assert strict < default
    page.reload()
    assert page.locator("#lp-read a.lp-link").count() == strict
    assert page.locator("#lp-again-threshold").input_value() == "0.9"
    # Reading again with another threshold from the form under the text changes the address too.
    page.click(".lp-again summary")
    page.fill("#lp-again-threshold", "0.2")
    shoot(page, "reader-options.png", element=page.locator(".lp-again"))
    with page.expect_navigation():
        page.click(".lp-again button[type=submit]")
    assert parse_qs(urlsplit(page.url).query)["threshold"] == ["0.2"]
    assert page.locator("#lp-read a.lp-link").count() > strict  # the same mode, a lower bar
    assert page.locator("h1").inner_text() == TITLE
    assert not page.errors


def test_reading_page_with_a_card(server, page):  # noqa: F811
    read(page, server)
    kaunas = page.locator("a.lp-link[data-title='Kaunas']").first
    kaunas.hover()
    card_of(kaunas).wait_for(state="visible")
    shoot(page, "reader-read.png")


def test_entry_page(server, page):  # noqa: F811
    page.goto(server.url + "/wiki/Kaunas")
    assert page.locator("h1").inner_text() == "Kaunas"
    shoot(page, "reader-entry.png")


def test_search_results_show_previews(server, page):  # noqa: F811
    page.goto(server.url + "/")
    page.fill("#lp-q", "Soviet")
    with page.expect_navigation():
        page.press("#lp-q", "Enter")
    assert "/search?q=Soviet" in page.url
    items = page.locator(".lp-results li")
    assert items.count() >= 3
    assert all(text.strip() for text in page.locator(".lp-results .lp-result-text").all_inner_texts())
    with page.expect_navigation():
        items.first.locator("a").click()
    assert page.locator("h1").inner_text().startswith("Soviet")
    page.go_back()
    shoot(page, "reader-search.png")
    assert not page.errors
