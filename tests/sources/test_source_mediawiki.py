"""MediaWiki XML dumps: counts measured on the real shared dumps, memory, bad input."""

from __future__ import annotations

import bz2
import shutil
import tracemalloc
from pathlib import Path

import psutil
import pytest
from conftest import need_shared

from linkpedia.errors import EmptySourceError, SourceFormatError
from linkpedia.sources import MediaWikiSource, detect_format, open_source

EN = ("data", "dumps", "enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2")
BG = ("data", "dumps", "bgwiki-latest-pages-articles-shortened.xml.bz2")
TABLES = ("data", "dumps", "enwiki-table-markup.xml.bz2")


def _split(dump: Path) -> tuple[bytes, bytes]:
    """(head up to the first <page>, all <page> elements) of a real dump."""
    data = bz2.open(dump).read()
    head, rest = data.split(b"  <page>", 1)
    return head, b"  <page>" + rest.rsplit(b"</mediawiki>", 1)[0]


def test_english_dump_counts_and_a_redirect():
    # Measured with: bzcat <dump> | grep -c '<ns>0</ns>' -> 205; 100 <redirect>, one of them in ns 4.
    source = open_source(need_shared(*EN))
    assert source.format == "mediawiki"
    pages = list(source.pages())
    assert len(pages) == 205
    assert sum(p.redirect is not None for p in pages) == 99
    assert source.skipped == {"outside the main namespace": 1}
    first = pages[0]
    assert (first.title, first.redirect) == ("AccessibleComputing", "Computer accessibility")
    assert first.markup == "wikitext" and first.text.startswith("#REDIRECT")
    assert (first.page_id, first.revision_id) == ("10", "631144794")
    assert first.timestamp == "2014-10-26T04:50:23Z"
    anarchism = next(p for p in pages if p.title == "Anarchism")
    assert anarchism.redirect is None and "[[" in anarchism.text
    # No YYYYMMDD in the file name: the newest revision timestamp (grep '<timestamp>' | sort).
    assert source.dump_date == "2016-05-01T07:08:29Z"
    assert source.bytes_read() == source.size == need_shared(*EN).stat().st_size
    assert source.site.lang == "en" and source.site.dbname == "enwiki"


def test_bulgarian_dump_is_utf16_and_knows_its_namespaces():
    source = open_source(need_shared(*BG))
    site = source.site
    assert (site.lang, site.dbname) == ("bg", "bgwiki")
    assert "файл" in site.file_prefixes and "file" in site.file_prefixes
    assert "категория" in site.category_prefixes
    assert {"шаблон", "уикипедия", "потребител беседа"} <= site.other_prefixes
    pages = list(source.pages())  # 3 pages: 1 article, 2 in the Уикипедия: namespace
    assert [p.title for p in pages] == ["Григориански календар"]
    assert source.skipped == {"outside the main namespace": 2}
    assert pages[0].text.startswith("[[File:")


def test_export_without_siteinfo_uses_english_defaults():
    source = open_source(need_shared(*TABLES))
    assert source.site.lang == "en" and source.site.dbname is None
    pages = list(source.pages())
    assert len(pages) == 5 and pages[0].title == "Constructive vote of no confidence"
    assert source.dump_date == "2017-12-29T02:02:23Z"


def test_bytes_read_grows_while_streaming():
    source = open_source(need_shared(*EN))
    seen = [source.bytes_read() for _ in source.pages()]
    assert seen == sorted(seen) and 0 < seen[0] < seen[-1] <= source.size


def test_date_in_file_name_wins(tmp_path):
    dump = tmp_path / "bgwiki-20170420-pages-articles.xml.bz2"
    shutil.copy(need_shared(*BG), dump)
    source = open_source(dump)
    list(source.pages())
    assert source.dump_date == "2017-04-20"


def test_gzip_and_plain_read_the_same_pages(tmp_path):
    import gzip

    data = bz2.open(need_shared(*TABLES)).read()
    plain = tmp_path / "export.bz2"  # the extension lies: content decides
    plain.write_bytes(data)
    gz = tmp_path / "export.xml"
    gz.write_bytes(gzip.compress(data))
    assert detect_format(plain) == detect_format(gz) == "mediawiki"
    titles = [[p.title for p in open_source(f).pages()] for f in (plain, gz, need_shared(*TABLES))]
    assert titles[0] == titles[1] == titles[2]


def test_multistream_bz2(tmp_path):
    head, pages = _split(need_shared(*TABLES))
    cut = pages.index(b"  <page>", len(pages) // 2)
    dump = tmp_path / "multistream.xml.bz2"  # several bz2 streams, like *-multistream.xml.bz2
    parts = (head, pages[:cut], pages[cut:], b"</mediawiki>\n")
    dump.write_bytes(b"".join(bz2.compress(part) for part in parts))
    assert sum(1 for _ in open_source(dump).pages()) == 5


def test_memory_stays_bounded(tmp_path):
    source = open_source(need_shared(*EN))
    uncompressed = len(bz2.open(need_shared(*EN)).read())
    tracemalloc.start()
    try:
        for _ in source.pages():
            pass
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < uncompressed / 4, (peak, uncompressed)

    # lxml's tree lives outside tracemalloc's view: check the process size on
    # a 48 MB dump made of the real pages eight times (uncleared it grows ~60 MB).
    head, pages = _split(need_shared(*EN))
    big = tmp_path / "big.xml"
    with big.open("wb") as out:
        out.write(head)
        for _ in range(8):
            out.write(pages)
        out.write(b"</mediawiki>\n")
    process = psutil.Process()
    before = process.memory_info().rss
    grown = 0
    for n, _ in enumerate(open_source(big).pages()):
        if n % 100 == 0:
            grown = max(grown, process.memory_info().rss - before)
    assert grown < big.stat().st_size / 4, (grown, big.stat().st_size)


def test_a_50_mb_page_is_skipped_not_fatal(tmp_path):
    head, pages = _split(need_shared(*EN))
    first = pages.index(b"</page>") + len(b"</page>\n")
    huge = (
        b"  <page>\n    <title>Huge page</title>\n    <ns>0</ns>\n    <id>1</id>\n    <revision>\n"
        b"      <id>2</id>\n      <timestamp>2020-01-01T00:00:00Z</timestamp>\n"
        b'      <text xml:space="preserve">' + b"word " * 10_000_000 + b"</text>\n    </revision>\n  </page>\n"
    )
    dump = tmp_path / "huge.xml"
    dump.write_bytes(head + pages[:first] + huge + pages[first:] + b"</mediawiki>\n")
    source = open_source(dump)
    titles = [p.title for p in source.pages()]
    assert len(titles) == 205 and "Huge page" not in titles
    assert source.skipped["page larger than 10000000 bytes"] == 1


def test_truncated_bz2(tmp_path):
    cut = tmp_path / "enwiki-cut.xml.bz2"
    cut.write_bytes(need_shared(*EN).read_bytes()[:800_000])
    source = open_source(cut)  # the head is intact: opening works, reading fails
    with pytest.raises(SourceFormatError) as info:
        for _ in source.pages():
            pass
    message = str(info.value)
    assert message.startswith(f"{cut} (byte 800,000 of 800,000 on disk): the bz2 file ends early")
    assert "truncated" in message and "\n" not in message


def test_xml_cut_mid_stream(tmp_path):
    data = bz2.open(need_shared(*EN)).read()
    cut = tmp_path / "cut.xml"
    cut.write_bytes(data[: len(data) // 2])
    lines = cut.read_bytes().count(b"\n") + 1
    source = open_source(cut)
    with pytest.raises(SourceFormatError) as info:
        for _ in source.pages():
            pass
    message = str(info.value)
    assert message.startswith(f"{cut} (line {lines}, column ")
    assert "the XML ends in the middle" in message and "export or download it again" in message


def test_invalid_utf8(tmp_path):
    data = bz2.open(need_shared(*EN)).read()
    at = data.index(b"Anarchism is")
    line = data[:at].count(b"\n") + 1
    bad = tmp_path / "bad.xml"
    bad.write_bytes(data[:at] + b"\xff\xfe" + data[at:])
    with pytest.raises(SourceFormatError) as info:
        for _ in open_source(bad).pages():
            pass
    assert str(info.value).startswith(f"{bad} (line {line}, column ")
    assert "invalid text encoding" in str(info.value)


def test_empty_dump_has_no_article(tmp_path):
    text = bz2.open(need_shared(*BG)).read().decode("utf-16")  # this dump is UTF-16
    empty = tmp_path / "empty.xml"
    empty.write_text(text.split("  <page>")[0] + "</mediawiki>\n", encoding="utf-16")
    source = open_source(empty)
    assert source.site.lang == "bg"
    with pytest.raises(EmptySourceError, match=r"no article \(namespace 0\) page in 0 page"):
        list(source.pages())


def test_other_xml_fails_fast(tmp_path):
    other = tmp_path / "feed.xml"
    other.write_text("<?xml version='1.0'?>\n<rss><channel/></rss>\n")
    with pytest.raises(SourceFormatError, match=r"first element is <rss>.*accepted: MediaWiki"):
        open_source(other)
    with pytest.raises(SourceFormatError, match=r"\(line 2\): the XML root is <rss>, not <mediawiki>"):
        MediaWikiSource(other)
