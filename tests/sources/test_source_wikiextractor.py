"""WikiExtractor output: the shared link-less corpus and real --links/--json runs."""

from __future__ import annotations

import html
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from conftest import need_shared
from hypothesis import given
from hypothesis import strategies as st

from linkpedia.errors import SourceFormatError
from linkpedia.sources import detect_format, expand_paths, open_source
from linkpedia.wikitext import normalize_title
from linkpedia.sources.wikiextractor import plain_text_and_links

CORPUS = ("data", "kb-sources", "wikiextractor")
DUMP = ("data", "dumps", "enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2")


def test_expand_paths_keeps_wikiextractor_order():
    files = expand_paths([need_shared(*CORPUS)])
    root = need_shared(*CORPUS)
    assert len(files) == 400
    assert files[0] == root / "AA" / "wiki_00" and files[-1] == root / "AD" / "wiki_99"
    assert files == sorted(files)


def test_one_doc_file():
    path = need_shared(*CORPUS, "AA", "wiki_00")
    assert detect_format(path) == "wikiextractor"
    source = open_source(path)
    assert (source.format, source.has_links) == ("wikiextractor", False)
    pages = list(source.pages())
    assert len(pages) == path.read_bytes().count(b'<doc id="') == 38
    first = pages[0]
    assert (first.title, first.page_id, first.position) == ("Anarchism", "12", "line 1")
    assert first.markup == "plain" and first.links is None
    assert first.text.startswith("Anarchism is a political philosophy")  # title line dropped
    # WikiExtractor's one-line paragraphs are separated by blank lines in Page.text.
    assert all("\n" not in p for page in pages for p in page.text.split("\n\n"))
    assert first.text.count("\n\n") == 10  # 11 non-empty body lines after the title
    assert source.bytes_read() == source.size


def test_whole_shared_corpus():
    pages = 0
    for path in expand_paths([need_shared(*CORPUS)]):
        source = open_source(path)
        pages += sum(1 for _ in source.pages())
        assert not source.has_links and not source.skipped
    assert pages == 30729  # the README's count; grep -c '^<doc ' agrees


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> dict[str, Path]:
    """Real WikiExtractor output of the shared English dump, with --links, as doc and --json."""
    dump = need_shared(*DUMP)
    out = tmp_path_factory.mktemp("wikiextractor")
    runs = {"doc": ["--links"], "json": ["--json", "--links"], "json-plain": ["--json"]}
    started = {}
    for name, options in runs.items():  # the three runs in parallel
        command = [sys.executable, "-m", "wikiextractor.WikiExtractor", *options, "-q",
                   "--processes", "1", "-o", str(out / name), str(dump)]
        try:
            started[name] = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        except OSError as exc:
            pytest.skip(f"wikiextractor did not run: {exc}")
    for name, process in started.items():
        try:
            stdout, stderr = process.communicate(timeout=180)
        except subprocess.TimeoutExpired:
            process.kill()
            pytest.skip("wikiextractor did not finish in 180 s")
        files = expand_paths([out / name]) if (out / name).exists() else []
        if process.returncode != 0 or not any(f.stat().st_size for f in files):
            tail = (stderr or stdout).strip().splitlines()[-1:] or ["no output"]
            message = f"wikiextractor failed (exit {process.returncode}): {tail[0]}"
            if os.environ.get("CI") == "true":
                pytest.fail(message)
            pytest.skip(message)
    return {name: out / name for name in runs}


def _read(directory: Path):
    sources = [open_source(f) for f in expand_paths([directory])]
    return sources, [page for source in sources for page in source.pages()]


def test_links_output_as_doc_files(extracted):
    sources, pages = _read(extracted["doc"])
    assert {(s.format, s.has_links) for s in sources} == {("wikiextractor", True)}
    docs = sum(f.read_bytes().count(b'<doc id="') for f in expand_paths([extracted["doc"]]))
    assert len(pages) == docs == 106  # WikiExtractor: "wrote 106 article(s)"
    anarchism = pages[0]
    assert anarchism.title == "Anarchism" and anarchism.text.startswith("Anarchism is a political")
    assert "<a" not in anarchism.text and "&lt;a" not in anarchism.text and "href" not in anarchism.text
    link = anarchism.links[0]
    assert (anarchism.text[link.start:link.end], link.target) == ("political philosophy", "Political philosophy")
    targets = {l.target for l in anarchism.links}
    assert "State (polity)" in targets  # from href="state%20%28polity%29"
    total = 0
    for page in pages:
        assert page.links is not None
        for l in page.links:
            anchor = page.text[l.start:l.end]
            assert anchor and anchor == anchor.strip() and l.target and "%" not in l.target
            assert l.target == normalize_title(l.target)
        total += len(page.links)
    assert total > 10_000


def test_json_output_matches_doc_output(extracted):
    sources, pages = _read(extracted["json"])
    assert detect_format(sources[0]._path) == "wikiextractor-json"
    assert {(s.format, s.has_links) for s in sources} == {("wikiextractor-json", True)}
    _, doc_pages = _read(extracted["doc"])
    assert [(p.title, p.text, p.links) for p in pages] == [(p.title, p.text, p.links) for p in doc_pages]
    assert pages[0].revision_id == "716551092" and pages[0].page_id == "12"


def test_json_output_without_links(extracted):
    sources, pages = _read(extracted["json-plain"])
    assert {s.has_links for s in sources} == {False}
    assert len(pages) == 106 and all(p.links is None for p in pages)
    _, linked = _read(extracted["json"])
    assert [p.title for p in pages] == [p.title for p in linked]
    # WikiExtractor itself quotes and spaces a few words differently with --links
    # ('""persuade""', 'latitudes and ,'): the same text modulo those, in nearly all pages.
    norm = lambda text: " ".join(text.replace('"', "").replace("'", "").split())  # noqa: E731
    same = sum(norm(a.text) == norm(b.text) for a, b in zip(pages, linked))
    assert same >= 100


words = st.text(st.characters(blacklist_characters="\n<>&", blacklist_categories=("Cs",)), max_size=20)
targets = st.from_regex(r"[a-z][a-z ()]{0,15}", fullmatch=True)


@given(st.lists(st.lists(st.tuples(words, words, targets), max_size=4), max_size=4))
def test_link_offsets_round_trip(paragraphs):
    """Whatever WikiExtractor writes (escaped or not), offsets point at the anchors."""
    for escape in (False, True):
        lines, expected = [], []
        for paragraph in paragraphs:
            line = ""
            for before, anchor, target in paragraph:
                tag = f'<a href="{quote(target)}">{anchor}</a>'
                line += html.escape(before, quote=False) + (html.escape(tag, quote=False) if escape else tag)
                expected.append((anchor.strip(), target))
            lines.append(line)
        text, links = plain_text_and_links([l for l in lines if l], keep_links=True)
        got = [(text[l.start:l.end], l.target) for l in links]
        want = [(a, normalize_title(t)) for a, t in expected if a]
        assert got == want


def test_broken_doc_files(tmp_path):
    real = need_shared(*CORPUS, "AA", "wiki_00").read_bytes()
    cut = tmp_path / "cut"
    cut.write_bytes(real[: len(real) // 2])
    with pytest.raises(SourceFormatError, match=r"\(end of file\): the file ends inside the <doc> of line \d+"):
        list(open_source(cut).pages())

    at = real.index(b"Autism is")
    line = real[:at].count(b"\n") + 1
    bad = tmp_path / "bad-utf8"
    bad.write_bytes(real[:at] + b"\xff" + real[at:])
    with pytest.raises(SourceFormatError) as info:
        list(open_source(bad).pages())
    assert str(info.value).startswith(f"{bad} (line {line}, byte {at}): invalid UTF-8 (byte 0xFF)")

    small = open_source(need_shared(*CORPUS, "AA", "wiki_00"), max_page_bytes=5_000)
    kept = list(small.pages())
    assert 0 < small.skipped["page larger than 5000 bytes"] < 38
    assert len(kept) + small.skipped["page larger than 5000 bytes"] == 38
