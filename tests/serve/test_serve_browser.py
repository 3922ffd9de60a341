"""The web reader in real headless Chromium, on the seed's KB.

Paste the seed's text, hover "Kaunas" and see its card with the seed's
preview; reach it with the keyboard and see the card too; browse to the entry
page; and read with JavaScript off. Screenshots go to test-artifacts/.
Needs /usr/bin/chromium (Debian's package; `.ci/run` installs it) and the
playwright Python package; never `playwright install`.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import linkpedia

import serverproc
from seedkb import write_seed_dump

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = serverproc.REPO / "test-artifacts"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]


def _need_chromium() -> None:
    problem = None
    if not CHROMIUM.exists():
        problem = f"{CHROMIUM} is absent: install Debian's chromium package (apt-get install chromium)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            problem = "the playwright package is absent: pip install 'linkpedia[browser]'"
    if problem:
        if os.environ.get("CI") == "true":
            pytest.fail(problem)
        pytest.skip(problem)


@pytest.fixture(scope="module")
def seed(tmp_path_factory):
    from conftest import need_shared

    _need_chromium()  # before building anything
    seed_dir = need_shared("seed")
    tmp = tmp_path_factory.mktemp("serve-seed")
    gold = write_seed_dump(seed_dir, tmp / "seed-wiki.xml")
    linkpedia.build_kb([tmp / "seed-wiki.xml"], tmp / "kb", options=linkpedia.BuildOptions(jobs=1))
    server = serverproc.start(tmp / "kb", tmp)
    yield server, gold
    server.stop()


@pytest.fixture(scope="module")
def browser():
    _need_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    page.errors = []  # console errors and CSP violations
    page.on("console", lambda m: m.type == "error" and page.errors.append(m.text))
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    yield page
    context.close()


def preview_of(gold: dict, title: str) -> str:
    return next(p["preview"] for p in gold["previews"] if p["title"] == title)


def read_seed(page, server, gold) -> None:
    page.goto(server.url + "/")
    page.fill("#lp-title", gold["title"])
    page.fill("#lp-text", gold["text"])
    with page.expect_navigation():
        page.click("form.lp-form button[type=submit]")
    assert page.url.startswith(server.url + "/read")  # "/read?text=..." once the script has run


def card_of(link):
    return link.locator("xpath=following-sibling::span[contains(@class, 'lp-card')]")


def test_hovering_kaunas_shows_the_seeds_preview(seed, page):
    server, gold = seed
    read_seed(page, server, gold)
    assert page.locator("h1").inner_text() == gold["title"]
    kaunas = page.locator("a.lp-link[data-title='Kaunas']").first
    card = card_of(kaunas)
    assert not card.is_visible()
    kaunas.hover()
    card.wait_for(state="visible")
    assert card.locator(".lp-card-title").inner_text() == "Kaunas"
    assert card.locator(".lp-card-text").inner_text() == preview_of(gold, "Kaunas")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "serve-reader-hover-kaunas.png"), animations="disabled")
    # Every gold link is there, to the seed's entry.
    targets = page.locator("a.lp-link").evaluate_all("links => links.map(a => a.dataset.title)")
    assert {g["target"] for g in gold["links"]} <= set(targets)
    assert not page.errors


def test_keyboard_focus_shows_the_card(seed, page):
    server, gold = seed
    read_seed(page, server, gold)
    page.mouse.move(0, 0)
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.dataset && document.activeElement.dataset.title") == "Kaunas":
            break
    else:
        pytest.fail("Tab never reached the Kaunas link")
    card = card_of(page.locator("a.lp-link:focus"))
    card.wait_for(state="visible")
    assert card.locator(".lp-card-text").inner_text() == preview_of(gold, "Kaunas")
    page.screenshot(path=str(ARTIFACTS / "serve-reader-focus-kaunas.png"), animations="disabled")
    page.keyboard.press("Escape")
    card.wait_for(state="hidden")
    assert not page.errors


def test_links_lead_to_entry_pages_that_list_what_links_there(seed, page):
    server, gold = seed
    read_seed(page, server, gold)
    with page.expect_navigation():
        page.locator("a.lp-link[data-title='Kaunas']").first.click()
    assert page.url == server.url + "/wiki/Kaunas"
    assert page.locator("h1").inner_text() == "Kaunas"
    assert page.get_by_text(preview_of(gold, "Kaunas"), exact=True).is_visible()
    linking = page.locator(".lp-list a.lp-link")
    assert gold["title"] in linking.all_inner_texts()
    with page.expect_navigation():
        linking.filter(has_text=gold["title"]).click()
    assert page.locator("h1").inner_text() == gold["title"]
    assert not page.errors


def test_title_autocomplete(seed, page):
    server, _ = seed
    page.goto(server.url + "/wiki/Kaunas")
    page.locator("#lp-q").press_sequentially("Kau", delay=30)
    page.locator("#lp-titles option").first.wait_for(state="attached")
    options = page.locator("#lp-titles option").evaluate_all("os => os.map(o => o.value)")
    assert options[0] == "Kaunas"
    with page.expect_navigation():
        page.locator("#lp-q").press("Enter")
    assert page.url.startswith(server.url + "/wiki/Kaunas") or "/search" in page.url
    assert not page.errors


def test_reading_works_with_javascript_off(seed, browser):
    server, gold = seed
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        read_seed(page, server, gold)
        kaunas = page.locator("a.lp-link[data-title='Kaunas']").first
        kaunas.hover()  # the cards are CSS; the script only keeps them in the window
        assert card_of(kaunas).is_visible()
        with page.expect_navigation():
            kaunas.click()
        assert page.locator("h1").inner_text() == "Kaunas"
        assert gold["title"] in page.locator(".lp-list a.lp-link").all_inner_texts()
    finally:
        context.close()


def test_uploading_a_txt_file(seed, page, tmp_path):
    server, gold = seed
    upload = tmp_path / "Soviet–Lithuanian_Non-Aggression_Pact.txt"
    upload.write_text(gold["text"], encoding="utf-8")
    page.goto(server.url + "/")
    page.set_input_files("#lp-file", str(upload))
    with page.expect_navigation():
        page.click("form.lp-form button[type=submit]")
    assert page.locator("h1").inner_text() == gold["title"]
    kaunas = page.locator("a.lp-link[data-title='Kaunas']").first
    kaunas.hover()
    assert card_of(kaunas).locator(".lp-card-text").inner_text() == preview_of(gold, "Kaunas")
    assert page.locator(f"a.lp-link[data-title='{gold['title']}']").count() == 0
