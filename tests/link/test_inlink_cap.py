"""Coherence reads at most ``inlink_cap`` in-links of an entry, whatever the entry's count.

At Wikipedia scale the most linked entries have 300,000 in-links; reading them
all made a text's cost grow with them (issue 17). A real KB is built here
with two entries linked from hundreds of pages; with a cap, coherence must
not depend on anything past the cap's in-links, and with a cap above the
longest list it must equal the uncapped value.
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import linkpedia
from linkpedia.link.features import _read_inlinks, _shared_by_masks, _shared_by_search, coherence
from linkpedia.link.linker import LinkerConfig

TOWNS = 300
PLACES = 2000
LINKPEDIA = str(Path(sys.executable).with_name("linkpedia"))  # the venv's command


def _page(title: str, text: str, i: int) -> str:
    return (f"<page><title>{title}</title><ns>0</ns><id>{i}</id><revision><id>{i}</id>"
            f"<text xml:space=\"preserve\">{text}</text></revision></page>\n")


@pytest.fixture(scope="module")
def hub_kb(tmp_path_factory):
    """Hubland is linked from every town, River from two towns in three; places that
    link to neither make the two related (Milne–Witten weighs shared in-links
    against the size of the KB)."""
    d = tmp_path_factory.mktemp("hub")
    pages = [_page("Hubland", "'''Hubland''' is a country of many towns.", 1),
             _page("River", "'''River''' is a river that flows through Hubland.", 2)]
    for k in range(TOWNS):
        river = " It lies on the [[River]]." if k % 3 else ""
        pages.append(_page(f"Town {k}", f"'''Town {k}''' is a town in [[Hubland]].{river} "
                                        f"It is near [[Town {(k + 1) % TOWNS}]].", k + 3))
    for k in range(PLACES):
        pages.append(_page(f"Place {k}", f"'''Place {k}''' is a place near [[Place {(k + 1) % PLACES}]].",
                           TOWNS + 3 + k))
    (d / "hub.xml").write_text("<mediawiki><siteinfo><dbname>enwiki</dbname></siteinfo>\n"
                               + "".join(pages) + "</mediawiki>\n", encoding="utf-8")
    out = d / "kb"
    linkpedia.build_kb([d / "hub.xml"], out, options=linkpedia.BuildOptions(jobs=1))
    return out


def _coh(index, cap: int) -> np.ndarray:
    """Coherence of Hubland and River, each as the other's context, in one text."""
    e = np.array([index.titles["Hubland"], index.titles["River"]], dtype=np.int64)
    group = np.array([0, 1])
    doc = np.zeros(2, dtype=np.int64)
    return coherence(index, e, group, doc, e, group, doc, np.ones(2), inlink_cap=cap)


def _with_tail_replaced(index, entry: int, cap: int):
    """The index with the in-links of ``entry`` past its ``cap``-th replaced by others
    (as many, sorted, all after the cut): what a capped read never sees."""
    a, b = int(index.in_ptr[entry]), int(index.in_ptr[entry + 1])
    src = np.array(index.in_src, copy=True)
    tail = src[a + cap:b].copy()
    rng = np.random.default_rng(0)
    src[a + cap:b] = np.sort(rng.integers(int(src[a + cap - 1]) + 1, index.n_entries, size=len(tail)))
    assert not np.array_equal(src[a + cap:b], tail)
    return dataclasses.replace(index, in_src=src)


def test_the_hub_has_hundreds_of_in_links(hub_kb):
    index = linkpedia.open_kb(hub_kb).index
    hub = index.titles["Hubland"]
    assert index.in_ptr[hub + 1] - index.in_ptr[hub] == TOWNS
    pos, owner, covered = _read_inlinks(index, np.array([hub]), 40)
    assert len(pos) == 40 and covered[0] < 1.0  # the first 40 only, by source id


def test_a_capped_coherence_reads_nothing_past_the_cap(hub_kb):
    index = linkpedia.open_kb(hub_kb).index
    hub = index.titles["Hubland"]
    changed = _with_tail_replaced(index, hub, 40)
    assert np.array_equal(_coh(index, 40), _coh(changed, 40))  # the tail is never read
    assert not np.array_equal(_coh(index, 0), _coh(changed, 0))  # uncapped, it is


def test_a_cap_above_every_list_is_no_cap(hub_kb):
    index = linkpedia.open_kb(hub_kb).index
    full = _coh(index, 0)
    assert full.min() > 0.3  # related: they share two thirds of their sources
    assert np.array_equal(_coh(index, TOWNS), full)
    assert np.abs(_coh(index, 100) - full).max() < 0.1  # the estimate from a third of the list


def test_the_linker_and_the_cli_take_the_cap(hub_kb):
    text = "Hubland is a country. The River flows through Hubland and Town 7."
    capped = linkpedia.open_kb(hub_kb, config=LinkerConfig(inlink_cap=5)).link(text)
    assert [lk.title for lk in capped.links]  # it links
    done = subprocess.run([LINKPEDIA, "link", "-", "--kb", str(hub_kb),
                           "--inlink-cap", "5", "--format", "json"], input=text, capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr
    bad = subprocess.run([LINKPEDIA, "link", "-", "--kb", str(hub_kb),
                          "--inlink-cap", "-1"], input=text, capture_output=True, text=True)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


def _by_both_ways(index, rows, row_doc, cols, col_doc, cap):
    cpos, cown, _ = _read_inlinks(index, cols, cap)
    rpos, rown, _ = _read_inlinks(index, rows, cap)
    args = (index, rows, row_doc, rpos, rown, cols, col_doc, cpos, cown)
    return _shared_by_masks(*args), _shared_by_search(*args)


def test_shared_in_links_counted_by_masks_equal_the_ones_matched_one_by_one(hub_kb):
    """Many in-links are counted with per-source column masks, a few by matching
    each: both must give every pair's count, in texts of more than 64 context
    entries too (masks of several words) and with texts side by side."""
    index = linkpedia.open_kb(hub_kb).index
    towns = np.array([index.titles[f"Town {k}"] for k in range(0, TOWNS, 3)], dtype=np.int64)  # 100
    hubs = np.array([index.titles["Hubland"], index.titles["River"]], dtype=np.int64)
    rows = np.concatenate([hubs, towns[:30], hubs, towns[50:]])
    row_doc = np.array([0] * 32 + [1] * 52, dtype=np.int64)
    cols = np.concatenate([towns[:80], hubs, towns[10:20], hubs])
    col_doc = np.array([0] * 82 + [1] * 12, dtype=np.int64)
    for cap in (0, 40, 250):
        cap = cap or int(index.n_entries) + 1
        (k1, n1), (k2, n2) = _by_both_ways(index, rows, row_doc, cols, col_doc, cap)
        assert len(k1) > 100 and np.array_equal(k1, k2) and np.array_equal(n1, n2)
    # Each shared count is the size of the two in-link sets' intersection.
    src = lambda e: set(index.in_src[index.in_ptr[e]:index.in_ptr[e + 1]].tolist())
    (keys, counts), _ = _by_both_ways(index, rows, row_doc, cols, col_doc, int(index.n_entries) + 1)
    for key, n in zip(keys.tolist(), counts.tolist()):
        r, c = divmod(key, len(cols))
        assert row_doc[r] == col_doc[c] and n == len(src(rows[r]) & src(cols[c]))


def test_the_server_takes_the_cap(hub_kb, tmp_path):
    """``linkpedia serve --inlink-cap N`` links as ``LinkerConfig(inlink_cap=N)`` does."""
    import socket
    import time

    import httpx

    text = "Hubland is a country. The River flows through Hubland and Town 7."
    scores = {cap: [round(lk.score, 6) for lk in
                    linkpedia.open_kb(hub_kb, config=LinkerConfig(inlink_cap=cap)).link(text).links]
              for cap in (0, 5)}
    assert scores[0] != scores[5]  # the cap changes coherence here
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = (tmp_path / "serve.log").open("wb")
    proc = subprocess.Popen([LINKPEDIA, "serve", "--kb", str(hub_kb), "--port", str(port), "--inlink-cap", "5"],
                            stdout=log, stderr=log)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            for _ in range(300):
                try:
                    if client.get("/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert proc.poll() is None, (tmp_path / "serve.log").read_text()
                time.sleep(0.1)
            body = client.post("/api/link", json={"text": text, "policy": "all"}).json()
        assert [round(lk["score"], 6) for lk in body["links"]] == scores[5]
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()
    bad = subprocess.run([LINKPEDIA, "serve", "--kb", str(hub_kb), "--inlink-cap", "-1"],
                         capture_output=True, text=True)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
