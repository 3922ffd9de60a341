"""Cutting dumps into ranges (no Spark needed): every page lands in exactly one range.

The ranges' page bytes, concatenated in order, must be the dump's page bytes,
however the file is cut: plain XML at any offset, multistream bz2 with
streams at page boundaries (Wikimedia) or anywhere (pbzip2), boundaries in
the middle of a ``<page>`` tag. Files that cannot be cut are refused.
"""

from __future__ import annotations

import bz2
import gzip
import re

import pytest

from linkpedia.spark.split import END, PAGE, Split, SplitPlan, plan_splits, read_fragment, stream_starts

from spark_fixtures import en_dump  # noqa: F401 - fixture


@pytest.fixture(scope="module")
def xml(en_dump) -> bytes:  # noqa: F811
    return bz2.decompress(en_dump.read_bytes())


def _pages_region(data: bytes) -> bytes:
    return data[data.index(PAGE): data.rindex(END)]


def _bodies(plan: SplitPlan) -> bytes:
    out = []
    for i in range(len(plan.splits)):
        fragment = read_fragment(plan, i)
        if fragment is None:
            continue
        assert fragment.startswith(plan.header) and fragment.endswith(END + b"\n")
        body = fragment[len(plan.header): -len(END) - 1]
        assert body.startswith(PAGE)
        out.append(body)
    return b"".join(out)


def _multistream(data: bytes, cuts: list[int], path) -> None:
    bounds = [0, *cuts, len(data)]
    path.write_bytes(b"".join(bz2.compress(data[a:b]) for a, b in zip(bounds, bounds[1:])))


@pytest.mark.parametrize("min_splits", [1, 3, 17, 101])
def test_plain_xml_ranges_cover_every_page_once(tmp_path, xml, min_splits):
    path = tmp_path / "dump.xml"
    path.write_bytes(xml)
    plan = plan_splits(path, min_splits=min_splits)
    assert plan is not None and plan.compression is None
    assert len(plan.splits) == min_splits
    assert plan.header == xml[: xml.index(PAGE)]
    assert _bodies(plan) == _pages_region(xml)


@pytest.fixture(scope="module")
def pbzip2(tmp_path_factory, xml):
    """pbzip2-style files: streams cut anywhere, so pages (and tags) straddle them."""
    out = {}
    for stream_bytes in (4096, 150_000):
        out[stream_bytes] = tmp_path_factory.mktemp("pbzip2") / "dump.xml.bz2"
        _multistream(xml, list(range(stream_bytes, len(xml), stream_bytes)), out[stream_bytes])
    return out


@pytest.mark.parametrize("stream_bytes", [4096, 150_000])
@pytest.mark.parametrize("min_splits", [1, 5, 40])
def test_multistream_ranges_cover_every_page_once(pbzip2, xml, stream_bytes, min_splits):
    path = pbzip2[stream_bytes]
    plan = plan_splits(path, min_splits=min_splits)
    assert plan is not None and plan.compression == "bz2"
    assert all(s.start in set(stream_starts(path)) for s in plan.splits)
    assert _bodies(plan) == _pages_region(xml)


def test_wikimedia_multistream_streams_of_whole_pages(tmp_path, xml):
    starts = [m.start() for m in re.finditer(rb"  <page>", xml)]
    path = tmp_path / "dump-multistream.xml.bz2"
    _multistream(xml, [*starts[::10], xml.rindex(END)], path)
    plan = plan_splits(path, min_splits=8)
    assert plan is not None and len(plan.splits) == 8
    assert _bodies(plan) == _pages_region(xml)


@pytest.mark.parametrize("shift", [-1, 0, 1, 3, 6])
def test_boundary_inside_a_page_tag(tmp_path, xml, shift):
    path = tmp_path / "dump.xml"
    path.write_bytes(xml)
    tag = xml.index(PAGE, len(xml) // 2)
    cut = tag + shift
    plan = SplitPlan(str(path), None, xml[: xml.index(PAGE)], (Split(0, cut), Split(cut, len(xml))))
    first, second = read_fragment(plan, 0), read_fragment(plan, 1)
    owner_of_tag = first if shift > 0 else second
    assert owner_of_tag.count(PAGE) >= 1
    assert _bodies(plan) == _pages_region(xml)


def test_a_range_without_a_page_start_is_empty(tmp_path, xml):
    path = tmp_path / "dump.xml"
    path.write_bytes(xml)
    tag = xml.index(PAGE, len(xml) // 2)
    plan = SplitPlan(str(path), None, xml[: xml.index(PAGE)],
                     (Split(0, tag + 1), Split(tag + 1, tag + 20), Split(tag + 20, len(xml))))
    assert read_fragment(plan, 1) is None
    assert _bodies(plan) == _pages_region(xml)


def test_files_that_cannot_be_cut(tmp_path, en_dump, xml):  # noqa: F811
    assert plan_splits(en_dump) is None  # one bz2 stream: only a sequential read can decompress it
    gz = tmp_path / "dump.xml.gz"
    gz.write_bytes(gzip.compress(xml))
    assert plan_splits(gz) is None
    utf16 = tmp_path / "dump-utf16.xml"
    utf16.write_bytes(xml.decode("utf-8").replace('encoding="utf-8"', 'encoding="utf-16"').encode("utf-16"))
    assert plan_splits(utf16) is None
    cut = tmp_path / "cut.xml"
    cut.write_bytes(xml[: len(xml) // 2])  # no </mediawiki>: the local reader reports where it breaks
    assert plan_splits(cut) is None
    latin = tmp_path / "latin1.xml"
    latin.write_bytes(xml.replace(b"<?xml version=\"1.0\"?>", b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>", 1)
                      if xml.startswith(b"<?xml") else b'<?xml version="1.0" encoding="ISO-8859-1"?>\n' + xml)
    assert plan_splits(latin) is None
