"""``spark build`` writes the KB the local build writes, row for row and byte for byte.

Two paths are checked against the local build of the English dump: the dump
as it is (one bz2 stream: the driver reads it and executors extract) and a
pbzip2-style multistream copy (executors read their own byte ranges; texts
for occurrence counting shipped from the driver, as on a cluster).
"""

from __future__ import annotations

import bz2
import hashlib
import json
import sqlite3
from pathlib import Path

import pytest

import linkpedia
from linkpedia.errors import EmptySourceError, SourceFormatError
from linkpedia.kb.build import LocalExtractor
from linkpedia.sources import open_source
from linkpedia.spark import SparkExtractor, SparkOccurrenceCounter, spark_build

from conftest import SAMPLE
from spark_fixtures import en_dump, en_kb, spark  # noqa: F401 - fixtures

pytestmark = pytest.mark.spark


def kb_contents(kb_dir: Path, *, same_path: bool = True) -> dict[str, object]:
    """Every table's rows (sorted) and every index file's hash; what may differ is left out.

    Left out: the build time (and its Wikidata phase's) and, when the source files differ (a recompressed
    copy), their paths.
    """
    con = sqlite3.connect(kb_dir / "kb.sqlite")
    out: dict[str, object] = {}
    try:
        tables = [t for (t,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        for table in tables:
            cols = [r[1] for r in con.execute(f"PRAGMA table_info({table})")]
            if table == "sources":
                cols = [c for c in cols if c != "added_at" and (same_path or c != "path")]
            if table == "meta":
                meta = {k: json.loads(v) for k, v in con.execute("SELECT key, value FROM meta")}
                meta.pop("created")
                meta.get("wikidata", {}).pop("seconds", None)  # how long reading Wikidata took
                if not same_path:
                    for source in meta["sources"]:
                        source.pop("path")
                out["meta"] = meta
                continue
            if table in _NUMBERED:  # ids in the order the sums came: the same rows, other numbers
                out[table] = con.execute(_NUMBERED[table]).fetchall()
                continue
            order = ", ".join(cols)
            out[table] = con.execute(f"SELECT {order} FROM {table} ORDER BY {order}").fetchall()
    finally:
        con.close()
    for path in sorted(kb_dir.rglob("*")):
        if path.is_file() and path.name != "kb.sqlite":
            out[f"file {path.relative_to(kb_dir)}"] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


_NUMBERED = {"term_df": "SELECT term, df FROM term_df ORDER BY term",
             "context_targets": "SELECT title FROM context_targets ORDER BY title",
             "context_counts": "SELECT target, term, n FROM contexts ORDER BY target, term"}


def assert_same_kb(local: Path, other: Path, *, same_path: bool = True) -> None:
    a, b = kb_contents(local, same_path=same_path), kb_contents(other, same_path=same_path)
    assert sorted(a) == sorted(b)
    assert {"entries", "redirects", "surfaces", "surface_entries", "edges", "pages", "file index/titles.marisa"} <= set(a)
    for key in a:
        assert a[key] == b[key], f"{key} differs"


def test_single_stream_dump_builds_the_local_kb(spark, en_dump, en_kb, tmp_path):
    out = tmp_path / "kb"
    report = spark_build([en_dump], out, master="local[2]", options=linkpedia.BuildOptions(jobs=2))
    assert (report.entries, report.pages) == (106, 205)
    assert_same_kb(en_kb, out)


def test_multistream_dump_is_read_by_ranges_and_builds_the_local_kb(spark, en_dump, en_kb, tmp_path):
    xml = bz2.decompress(en_dump.read_bytes())
    copy = tmp_path / "enwiki-multistream.xml.bz2"
    copy.write_bytes(b"".join(bz2.compress(xml[i: i + 250_000]) for i in range(0, len(xml), 250_000)))
    extractor = SparkExtractor(spark)
    out = tmp_path / "kb"
    linkpedia.build_kb([copy], out, options=linkpedia.BuildOptions(jobs=2), extractor=extractor,
                       count_occurrences=SparkOccurrenceCounter(spark, ship_texts=True))
    assert extractor.last_mode == "ranges"
    assert_same_kb(en_kb, out, same_path=False)


def _summed(sums) -> tuple[dict, dict]:
    df, ctx = {}, {}
    for s in sums:
        for term, n in s.df.items():
            df[term] = df.get(term, 0) + n
        for (target, term, n) in s.context_rows():
            ctx[target, term] = ctx.get((target, term), 0) + n
    return df, ctx


def test_plain_xml_records_match_the_local_extractor(spark):
    """Same records, in order, and the same term and context counts, which the executors sum themselves."""
    path = SAMPLE / "sample-wiki.xml"
    local_source, spark_source = open_source(path), open_source(path)
    workers = LocalExtractor(1, keep_sums=True, in_process=True)
    local = [r for batch in workers.records(local_source) for r in batch]
    extractor = SparkExtractor(spark, split_bytes=20_000)  # several tasks, each with its own sums
    records = [r for batch in extractor.records(spark_source) for r in batch]
    assert extractor.last_mode == "ranges"
    assert records == local and any(r.summed for r in records)
    handed = extractor.finish_sums()
    assert len(handed) > 1
    assert _summed(handed) == _summed(workers.finish_sums()) and _summed(handed)[1]
    assert spark_source.skipped == local_source.skipped
    assert spark_source.dump_date == local_source.dump_date


def _export(tmp_path: Path, pages: str) -> Path:
    head = SAMPLE.joinpath("sample-wiki.xml").read_text(encoding="utf-8")
    path = tmp_path / "export.xml"
    path.write_text(head[: head.index("<page>")] + pages + "</mediawiki>\n", encoding="utf-8")
    return path


def _page(title: str, ns: int, text: str) -> str:
    return (f"  <page>\n    <title>{title}</title>\n    <ns>{ns}</ns>\n    <id>1</id>\n"
            f"    <revision><id>2</id><timestamp>2024-01-01T00:00:00Z</timestamp>"
            f"<text>{text}</text></revision>\n  </page>\n")


def test_broken_page_in_a_range_names_the_file(spark, tmp_path):
    pages = "".join(_page(f"Page {i}", 0, f"Text of [[page {i + 1}]]. " * 40) for i in range(60))
    broken = pages.replace("<title>Page 40</title>", "<title>Page 40</titel>")
    path = _export(tmp_path, broken)
    with pytest.raises(SourceFormatError) as local:
        linkpedia.build_kb([path], tmp_path / "local-kb", options=linkpedia.BuildOptions(jobs=1))
    with pytest.raises(SourceFormatError) as ours:
        spark_build([path], tmp_path / "spark-kb", master="local[2]")
    message = str(ours.value)
    assert message.startswith(f"{path} (the pages from byte ")
    assert ", after the page 'Page 39'): broken XML (" in message
    assert "pages.xml" not in message
    assert "Opening and ending tag mismatch: title" in str(local.value)
    assert not (tmp_path / "spark-kb").exists()


def test_dump_without_articles_fails_as_the_local_build_does(spark, tmp_path):
    path = _export(tmp_path, "".join(_page(f"Wikipedia:Rule {i}", 4, "Policy text.") for i in range(30)))
    with pytest.raises(EmptySourceError) as local:
        linkpedia.build_kb([path], tmp_path / "local-kb", options=linkpedia.BuildOptions(jobs=1))
    with pytest.raises(EmptySourceError) as ours:
        spark_build([path], tmp_path / "spark-kb", master="local[2]")
    assert str(ours.value) == str(local.value)


def test_wikidata_builds_the_local_kb(spark, tmp_path):
    from wikidatakb import wikidata_file, write_pages

    pages = write_pages(tmp_path)
    options = linkpedia.BuildOptions(jobs=2, wikidata=(str(wikidata_file()),))
    linkpedia.build_kb([pages], tmp_path / "local", options=options)
    spark_build([pages], tmp_path / "spark", master="local[2]", options=options)
    assert_same_kb(tmp_path / "local", tmp_path / "spark")
    con = sqlite3.connect(tmp_path / "spark" / "kb.sqlite")
    assert con.execute("SELECT qid FROM entries WHERE title = 'Boston'").fetchone() == ("Q100",)
    con.close()
