"""Format detection, opening and path expansion: fail fast, one-line messages."""

from __future__ import annotations

import bz2
import gzip

import pytest
from conftest import need_shared

import linkpedia.sources as sources
from linkpedia.errors import EmptySourceError, SourceFormatError, SourceNotFoundError
from linkpedia.sources import detect_format, expand_paths, open_source

ACCEPTED = "accepted: MediaWiki XML export"


def test_exported_names():
    assert set(sources.__all__) == {
        name for name in dir(sources) if not name.startswith("_")
        and name not in {"annotations", "base", "detect", "jsonl", "mediawiki", "wikiextractor"}
    }


@pytest.mark.parametrize(
    "parts, expected",
    [
        (("data", "dumps", "enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2"), "mediawiki"),
        (("data", "dumps", "bgwiki-latest-pages-articles-shortened.xml.bz2"), "mediawiki"),  # UTF-16
        (("data", "kb-sources", "wikiextractor", "AB", "wiki_17"), "wikiextractor"),
        (("data", "kb-sources", "ovos_summaries_en.jsonl"), "jsonl"),
    ],
)
def test_detects_real_files(parts, expected):
    assert detect_format(need_shared(*parts)) == expected


def test_compression_is_read_from_magic_bytes_not_the_name(tmp_path):
    doc = need_shared("data", "kb-sources", "wikiextractor", "AA", "wiki_00").read_bytes()
    for name, data in (("a.txt", bz2.compress(doc)), ("b.bz2", gzip.compress(doc)), ("c.gz", doc)):
        path = tmp_path / name
        path.write_bytes(data)
        assert detect_format(path) == "wikiextractor"
        assert sum(1 for _ in open_source(path).pages()) == 38


def test_missing_file(tmp_path):
    missing = tmp_path / "nope.xml.bz2"
    for call in (detect_format, open_source, lambda p: expand_paths([p])):
        with pytest.raises(SourceNotFoundError) as info:
            call(missing)
        assert str(info.value) == f"{missing}: no such file or directory"


def test_directory_is_not_a_file(tmp_path):
    with pytest.raises(SourceFormatError, match=r": is a directory — pass its files"):
        open_source(tmp_path)


def test_expand_paths_mixes_files_and_directories(tmp_path):
    (tmp_path / "AB").mkdir()
    (tmp_path / "AA").mkdir()
    for name in ("AB/wiki_00", "AA/wiki_01", "AA/wiki_00", ".hidden"):
        (tmp_path / name).write_text("")
    single = tmp_path / "AA" / "wiki_01"
    assert expand_paths([single, tmp_path]) == [
        single, tmp_path / "AA" / "wiki_00", tmp_path / "AA" / "wiki_01", tmp_path / "AB" / "wiki_00",
    ]


@pytest.mark.parametrize(
    "content, found",
    [
        (b"\x89PNG\r\n\x1a\n" + bytes(64), "found a PNG image"),
        (b"title,text\nParis,The capital of France\n", "found CSV/TSV-like text starting with 'title,text'"),
        (b"<html><body>hi</body></html>", "found XML/HTML whose first element is <html>"),
        (b'[{"title": "a", "text": "b"}]', "found a JSON array — write one JSON object per line"),
        (bz2.compress(b"just some words\n"), "found text starting with 'just some words'"),
        (b"\xfd7zXZ\x00\x00" + bytes(32), "xz-compressed data — decompress it first"),
    ],
)
def test_unknown_formats_fail_fast(tmp_path, content, found):
    path = tmp_path / "input.xml"
    path.write_bytes(content)
    with pytest.raises(SourceFormatError) as info:
        open_source(path)
    message = str(info.value)
    assert message.startswith(f"{path}: ") and found in message and "\n" not in message
    if "compressed data" not in found:
        assert ACCEPTED in message


def test_empty_and_unknown_format_names(tmp_path):
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    with pytest.raises(EmptySourceError, match="the file is empty"):
        open_source(empty)
    with pytest.raises(SourceFormatError, match=r"unknown format 'csv' — use one of: mediawiki, wikiextractor"):
        open_source(need_shared("data", "kb-sources", "ovos_summaries_en.jsonl"), format="csv")


def test_first_line_not_json(tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_text('{"title": "a", "text": }\n')
    with pytest.raises(SourceFormatError, match=r"\(line 1\): starts with '\{' but is not JSON"):
        detect_format(path)


def test_truncated_bz2_before_any_content(tmp_path):
    path = tmp_path / "tiny.bz2"
    path.write_bytes(need_shared("data", "dumps", "enwiki-table-markup.xml.bz2").read_bytes()[:40])
    with pytest.raises(SourceFormatError, match=r"the bz2 file ends early .* truncated"):
        detect_format(path)
