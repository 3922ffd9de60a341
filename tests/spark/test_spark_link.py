"""``spark link`` output equals single-process linking, row for row, in input order.

The KB is the vital articles' summaries (it links a lot); the documents are the shared benchmarks'
(read in place, written to tmp_path as JSONL, Parquet or text files).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import linkpedia
from linkpedia.cli import cli
from linkpedia.errors import InputError
from linkpedia.render.json import document_to_dict
from linkpedia.spark import spark_link

from conftest import need_shared
from spark_fixtures import link_kb, spark  # noqa: F401 - fixtures

pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def docs() -> list[dict]:
    """kore50 and the first 120 WNED-WIKI articles: short and long documents."""
    out = []
    for name, limit in (("kore50", None), ("wned-wiki", 120)):
        with need_shared("data", "benchmarks", f"{name}.jsonl").open(encoding="utf-8") as f:
            rows = [json.loads(line) for line in f]
        out += [{"id": f"{name}/{r['id']}", "text": r["text"]} for r in rows[:limit]]
    return out


@pytest.fixture(scope="module")
def expected(link_kb, docs) -> list[dict]:
    """What a single process writes for each document, with policy "all"."""
    with linkpedia.open_kb(link_kb) as kb:
        return [{"id": d["id"], **document_to_dict(kb.link(d["text"], policy="all"))} for d in docs]


def read_jsonl_parts(out: Path) -> list[dict]:
    return [json.loads(line) for part in sorted(out.glob("part-*")) for line in part.open(encoding="utf-8")]


def test_jsonl_output_equals_single_process(spark, link_kb, docs, expected, tmp_path):
    path = tmp_path / "docs.jsonl"
    lines = [json.dumps(d, ensure_ascii=False) for d in docs]
    # Unusable lines are counted and skipped, not fatal.
    lines[5:5] = ["", "{not json", json.dumps({"id": "no-text"}), json.dumps({"text": "no id"}), "[1, 2]"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = spark_link(link_kb, path, tmp_path / "out", master="local[2]")
    got = read_jsonl_parts(tmp_path / "out")
    assert [r["id"] for r in got] == [d["id"] for d in docs]
    assert got == expected
    assert report.documents == len(docs) and report.format == "jsonl"
    assert report.links == sum(len(r["links"]) for r in expected) > 1000
    assert report.skipped == {"line is not JSON": 1, "line is not a JSON object": 1,
                              "no 'id' field": 1, "no text in 'text'": 1}
    assert not report.kb_shipped
    assert linkpedia.render.json.document_from_dict(got[0]).text == docs[0]["text"]


def test_parquet_in_and_out_with_a_shipped_kb(spark, link_kb, docs, expected, tmp_path):
    rows = [(d["id"], d["text"]) for d in docs[:60]]
    spark.createDataFrame(rows, "doc_id string, body string").coalesce(1).write.parquet(str(tmp_path / "in.parquet"))
    report = spark_link(link_kb, tmp_path / "in.parquet", tmp_path / "out.parquet", master="local[2]",
                        id_column="doc_id", text_column="body", policy="all", ship_kb=True)
    assert report.format == "parquet" and report.kb_shipped and report.documents == 60
    got = {r["id"]: r.asDict(recursive=True) for r in spark.read.parquet(str(tmp_path / "out.parquet")).collect()}
    assert got == {e["id"]: e for e in expected[:60]}


def test_text_files_equal_the_link_command(spark, link_kb, docs, tmp_path):
    folder = tmp_path / "texts"
    folder.mkdir()
    picked = docs[50:54]
    for i, d in enumerate(picked):
        name = d["id"].split("/", 1)[1].replace("/", "_")
        data = d["text"].encode("utf-8")
        if i == 0:
            data = b"\xef\xbb\xbf" + data.replace(b"\n", b"\r\n")  # a BOM and Windows line ends
        (folder / f"{name}.txt").write_bytes(data)
    (folder / "latin1.txt").write_bytes("café Zürich".encode("latin-1"))
    report = spark_link(link_kb, folder, tmp_path / "out", master="local[2]", policy="first")
    got = {r.pop("id"): r for r in read_jsonl_parts(tmp_path / "out")}
    assert report.skipped == {"file is not UTF-8": 1}
    assert sorted(got) == sorted(p.name for p in folder.glob("*.txt") if p.name != "latin1.txt")
    for name, row in got.items():
        result = CliRunner().invoke(cli, ["link", str(folder / name), "--kb", str(link_kb),
                                          "--format", "json", "--policy", "first"])
        assert result.exit_code == 0, result.output
        assert row == json.loads(result.output)
        assert row["title"] == Path(name).stem.replace("_", " ")


def test_mistakes_fail_before_any_job_with_one_line(spark, link_kb, tmp_path):
    path = tmp_path / "docs.jsonl"
    path.write_text(json.dumps({"id": 1, "body": "Anarchism"}) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"docs.jsonl \(line 1\): no 'text' field \(fields: body, id\)"):
        spark_link(link_kb, path, tmp_path / "out")
    (tmp_path / "out").mkdir()
    with pytest.raises(InputError, match="already exists — choose another --output"):
        spark_link(link_kb, path, tmp_path / "out", text_column="body")
    with pytest.raises(InputError, match="unknown policy 'some'"):
        spark_link(link_kb, path, tmp_path / "out2", policy="some")
    with pytest.raises(InputError, match="no such file or directory"):
        spark_link(link_kb, tmp_path / "missing.jsonl", tmp_path / "out2")
    with pytest.raises(linkpedia.KBNotFoundError):
        spark_link(tmp_path / "no-kb", path, tmp_path / "out2")
