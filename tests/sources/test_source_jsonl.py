"""JSONL articles: the shared ovos summaries through a field mapping, links, bad lines."""

from __future__ import annotations

import json

import pytest
from conftest import need_shared

from linkpedia.errors import SourceFormatError
from linkpedia.sources import PlainLink, detect_format, open_source

OVOS = ("data", "kb-sources", "ovos_summaries_en.jsonl")


def test_ovos_summaries_with_a_field_mapping():
    path = need_shared(*OVOS)
    assert detect_format(path) == "jsonl"
    source = open_source(path, fields={"text": "extract"})
    assert (source.format, source.has_links) == ("jsonl", False)
    pages = list(source.pages())
    assert len(pages) == 10033  # wc -l, and the README's count
    first = pages[0]
    assert first.title == "20th-century classical music" and first.description == "Art movement"
    assert first.text.startswith("20th-century classical music is Western art music")
    assert (first.markup, first.links, first.position) == ("plain", None, "line 1")
    assert sum(p.description is None for p in pages) == 171  # README: "" for 171 records
    assert source.bytes_read() == source.size


def test_missing_text_key_says_which_field_option_to_use():
    source = open_source(need_shared(*OVOS))
    with pytest.raises(SourceFormatError) as info:
        next(source.pages())
    assert str(info.value) == (
        f"{need_shared(*OVOS)} (line 1): no \"text\" key (keys: description, extract, title) — "
        "name the key holding the text with --field text=extract (fields={'text': 'extract'})"
    )


def _records(n: int) -> list[dict]:
    with need_shared(*OVOS).open(encoding="utf-8") as lines:
        return [json.loads(next(lines)) for _ in range(n)]


def test_links_aliases_and_target_key(tmp_path):
    one, two, three = _records(3)
    text = one["extract"]
    start = text.index("Western art music")
    end = start + len("Western art music")
    path = tmp_path / "articles.jsonl"
    rows = [
        {"title": one["title"], "text": text, "aliases": ["20th century music"],
         "links": [{"start": start, "end": end, "title": "western_art music"}]},
        {"title": two["title"], "text": two["extract"], "links": [{"start": 0, "end": 3, "target": "Abc"}]},
        {"title": three["title"], "text": three["extract"]},  # no links: [] in a source with links
    ]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n\n", encoding="utf-8")
    source = open_source(path)
    assert source.has_links
    pages = list(source.pages())
    assert pages[0].links == [PlainLink(start, end, "Western art music")]
    assert pages[0].aliases == ("20th century music",)
    assert pages[1].links == [PlainLink(0, 3, "Abc")]
    assert pages[2].links == []


@pytest.mark.parametrize(
    "line, message",
    [
        ("{not json", r"\(line 2\): not JSON \(.*\) — write one JSON object per line"),
        ('["a", "b"]', r"\(line 2\): a JSON list, not an object"),
        ('{"title": "X"}', r'\(line 2\): no "text" key \(keys: title\) — name the key holding the text with --field text='),
        ('{"title": "X", "text": "abc", "links": [{"start": 2, "end": 9, "title": "Y"}]}',
         r"\(line 2\): link 0 has offsets 2..9 outside the text \(length 3\) — give 0 <= start < end <= len\(text\)"),
        ('{"title": "X", "text": "abc", "links": [{"start": 1, "end": 1, "title": "Y"}]}', r"\(line 2\): link 0 has offsets 1..1"),
        ('{"title": "", "text": "abc"}', r'\(line 2\): empty "title"'),
    ],
)
def test_bad_lines_name_file_and_line(tmp_path, line, message):
    good = json.dumps({"title": "A", "text": "a"})
    path = tmp_path / "bad.jsonl"
    path.write_text(f"{good}\n{line}\n", encoding="utf-8")
    source = open_source(path, format="jsonl")
    pages = source.pages()
    assert next(pages).title == "A"
    with pytest.raises(SourceFormatError, match=f"^{path} " + message):
        next(pages)


def test_invalid_utf8_and_oversized_lines(tmp_path):
    real = need_shared(*OVOS).read_bytes()
    lines = real.split(b"\n")
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(b"\n".join(lines[:3]) + b"\n" + lines[3][:20] + b"\xe9" + lines[3][20:] + b"\n")
    offset = sum(len(l) + 1 for l in lines[:3]) + 20
    with pytest.raises(SourceFormatError) as info:
        list(open_source(bad, fields={"text": "extract"}).pages())
    assert str(info.value).startswith(f"{bad} (line 4, byte {offset}): invalid UTF-8 (byte 0xE9)")

    small = open_source(need_shared(*OVOS), fields={"text": "extract"}, max_page_bytes=1000)
    kept = sum(1 for _ in small.pages())
    expected_big = sum(len(l) > 1000 for l in lines if l)  # the newline does not count
    assert small.skipped == {"page larger than 1000 bytes": expected_big}
    assert kept + expected_big == 10033 and 0 < expected_big < 10033


def test_field_mapping_is_checked(tmp_path):
    with pytest.raises(SourceFormatError, match=r"unknown field name\(s\) body .* map one of: title, text"):
        open_source(need_shared(*OVOS), fields={"body": "extract"})
    with pytest.raises(SourceFormatError, match="field names only apply to JSONL"):
        open_source(need_shared("data", "dumps", "enwiki-table-markup.xml.bz2"), fields={"text": "x"})
