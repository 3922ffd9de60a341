"""The scale rehearsal's pipeline at a small size: a synthetic dump builds, opens and links.

bench/scale_rehearsal.py measures builds of 100,000 pages and more on a
developer machine; CI runs the same pipeline (generate, build with its phases
timed, open, link news-length texts with and without the in-link cap, fit)
at 20,000 pages (under a minute), so the pipeline keeps working at scale
shape: redirects, disambiguation pages, Zipfian in-links.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"
sys.path.insert(0, str(BENCH))

import scale_rehearsal  # noqa: E402
import synthetic_dump  # noqa: E402

PAGES = 20_000  # the CI size: about 53 s on 2 shared cores


@pytest.fixture(scope="module")
def rehearsal(tmp_path_factory):
    work = tmp_path_factory.mktemp("rehearsal")
    return scale_rehearsal.rehearse(PAGES, work, jobs=2, docs=20, repeats=1, compress=False, log=lambda m: None)


def test_the_synthetic_dump_has_wikipedia_shape(rehearsal):
    dump = rehearsal["dump"]
    assert dump["pages"] == PAGES
    assert 1.3 < dump["redirects"] / (dump["articles"] + dump["disambiguation"]) < 1.7
    assert dump["disambiguation"] > 0.02 * dump["articles"]
    assert 15 < dump["links"] / dump["articles"] < 40


def test_the_kb_builds_with_every_phase_timed(rehearsal):
    assert rehearsal["entries"] > 0.35 * PAGES and rehearsal["redirects"] > 0.5 * PAGES
    phases = [p["phase"] for p in rehearsal["phases"]]
    assert phases[0] == "reading pages" and "counting surface occurrences" in phases
    assert all(p["wall_s"] >= 0 and p["cpu_s"] >= 0 for p in rehearsal["phases"])
    assert rehearsal["kb_bytes"] > 0 and rehearsal["build_peak_bytes"] > 0


def test_the_kb_opens_and_links_news_length_texts(rehearsal):
    assert rehearsal["docs"] == 20
    assert rehearsal["open_s"] < 1.0
    for run in (rehearsal["link"], rehearsal["link_uncapped"]):
        assert run["docs_s"] > 0 and run["p99_ms"] >= run["p50_ms"] > 0
        assert run["links_per_doc"] > 5  # the texts name the KB's entries, and they are found


def test_the_report_fits_and_projects(rehearsal):
    smaller = dict(rehearsal, pages=PAGES // 2, build_wall_s=rehearsal["build_wall_s"] / 2)
    text = scale_rehearsal.report([smaller, rehearsal], ["--pages", str(PAGES // 2), str(PAGES)])
    assert "16.8 M pages" in text and "reproduce:" in text
    a, b = scale_rehearsal.fit_power([10, 100], [3, 30])
    assert abs(b - 1.0) < 1e-9 and abs(a - 0.3) < 1e-9


def test_bad_sizes_are_one_line():
    assert scale_rehearsal.main(["--pages", "5"]) == 2
    assert synthetic_dump.main(["5"]) == 2
