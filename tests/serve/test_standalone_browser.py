"""A standalone HTML page opened from a file, in real Chromium: every link leads somewhere.

Three pages of the bundled sample text: with ``--link-base`` (the served
reader's /wiki/), from a KB whose dump names a real wiki (here the served
reader's address, put in the sample dump's ``<siteinfo><base>``), and from
the sample KB itself, whose base is a reserved .example domain, so its links
jump to the page's own Entries section. A click on "Kaunas" must land on
Kaunas in each case.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from linkpedia.cli import cli

import serverproc
from conftest import build_sample_with_base
from test_reader_browser import shoot
from test_serve_browser import _need_chromium, browser, page  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser

TEXT = serverproc.SAMPLE / "sample-text.txt"


@pytest.fixture(scope="module")
def pages(request, tmp_path_factory):
    _need_chromium()
    server = serverproc.sample_server(request, tmp_path_factory)
    tmp = tmp_path_factory.mktemp("standalone")
    wiki_kb = build_sample_with_base(tmp, server.url + "/wiki/Main_Page")
    out = {}
    for name, kb, extra in (("link-base", server.kb, ["--link-base", server.url + "/wiki/"]),
                            ("source-wiki", wiki_kb, []),
                            ("entries", server.kb, [])):
        path = tmp / f"{name}.html"
        res = CliRunner().invoke(cli, ["link", str(TEXT), "--kb", str(kb), "--format", "html",
                                       "--output", str(path), *extra])
        assert res.exit_code == 0, res.output
        out[name] = path.as_uri()
    return server, out


@pytest.mark.parametrize("case", ["link-base", "source-wiki"])
def test_a_link_lands_on_the_entry_page(pages, page, case):  # noqa: F811
    server, uris = pages
    page.goto(uris[case])
    with page.expect_navigation():
        page.locator("a.lp-link[data-title='Kaunas']").first.click()
    assert page.url == server.url + "/wiki/Kaunas"
    assert page.locator("h1").inner_text() == "Kaunas"


def test_without_a_site_a_link_jumps_to_its_entry_on_the_page(pages, page):  # noqa: F811
    _, uris = pages
    page.goto(uris["entries"])
    link = page.locator("a.lp-link[data-title='Kaunas']").first
    link.click()
    assert page.url.startswith(uris["entries"] + "#lp-entry-")
    target = page.locator(":target")
    assert target.inner_text() == "Kaunas"
    assert target.locator("xpath=following-sibling::dd[1]").inner_text().startswith("Kaunas")
    top = target.evaluate("e => e.getBoundingClientRect().top")
    assert 0 <= top < page.viewport_size["height"]  # scrolled into view
    shoot(page, "standalone-entries.png")
    assert not page.errors
