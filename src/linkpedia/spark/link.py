"""``spark_link``: annotate a corpus on Spark, row for row what ``kb.link`` returns.

Every executor Python worker opens the KB once (the index is mmap'd, so the
workers of one machine share its pages) and links the documents of each
partition it is given, one after another, with the same ``kb.link`` call and
the same JSON schema (``linkpedia.document/2``) a local run uses; the output
keeps the input's order (partition by partition, then row by row).

The KB reaches the executors either as a path they all see (local mode, or a
shared file system) or shipped once per executor with ``SparkContext.addFile``
(the default on a cluster).

Inputs: JSONL (one object per line with an id and a text field), Parquet
(an id and a text column), or text files (one document per file: the file
name is its id and, as in ``linkpedia link FILE``, its stem is the title).
Outputs: JSONL part files (one object per line: ``id`` plus the document) or
Parquet with the same fields as columns.
"""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator
from urllib.parse import unquote, urlsplit

from ..errors import InputError
from ..kb.api import KnowledgeBase, open_kb
from ..render.json import document_to_dict
from .session import is_local, parallelism, spark_session

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

__all__ = ["SparkLinkReport", "spark_link", "INPUT_FORMATS", "OUTPUT_FORMATS", "link_row"]

INPUT_FORMATS = ("jsonl", "parquet", "text")
OUTPUT_FORMATS = ("jsonl", "parquet")
_JSONL_SUFFIXES = (".jsonl", ".json", ".ndjson")
_COMPRESSED = (".gz", ".bz2")
_DOCS, _LINKS = ("documents",), ("links",)


@dataclass
class SparkLinkReport:
    output: str
    format: str  # "jsonl" or "parquet"
    documents: int  # documents linked and written
    links: int
    skipped: dict[str, int] = field(default_factory=dict)  # reason -> input rows not linked
    seconds: float = 0.0
    partitions: int = 0
    kb_shipped: bool = False  # True: the KB went to the executors with SparkContext.addFile


def spark_link(
    kb_dir: str | Path,
    input_path: str | Path,
    output_path: str | Path,
    *,
    master: str = "local[*]",
    text_column: str = "text",
    id_column: str = "id",
    input_format: str | None = None,
    policy: str = "all",
    threshold: float | None = None,
    output_format: str | None = None,
    ship_kb: bool | None = None,
) -> SparkLinkReport:
    """Link every document of ``input_path`` with the KB at ``kb_dir``; write ``output_path``.

    ``input_format`` (jsonl, parquet, text) is guessed from the file names
    when None; ``output_format`` is parquet when ``output_path`` ends with
    ``.parquet``, else jsonl. ``ship_kb``: copy the KB to the executors (the
    default unless the master is local) or read it where it is.
    """
    started = time.perf_counter()
    kb_dir = Path(kb_dir)
    input_path, output_path = str(input_path), str(output_path)
    with open_kb(kb_dir) as kb:
        kb.link("", policy=policy, threshold=threshold)  # a bad policy or threshold fails here, once
    fmt = input_format or _guess_input_format(input_path)
    if fmt not in INPUT_FORMATS:
        raise InputError(f"unknown input format {fmt!r} — use one of: {', '.join(INPUT_FORMATS)}")
    out_fmt = output_format or ("parquet" if output_path.rstrip("/").endswith(".parquet") else "jsonl")
    if out_fmt not in OUTPUT_FORMATS:
        raise InputError(f"unknown output format {out_fmt!r} — use one of: {', '.join(OUTPUT_FORMATS)}")
    local_out = _local_path(output_path)
    if local_out is not None and local_out.exists():
        raise InputError(f"{output_path}: already exists — choose another --output or remove it")
    if fmt == "jsonl":
        _check_first_jsonl_row(input_path, id_column, text_column)
    with spark_session(master, "linkpedia link") as spark:
        from ._counter import CounterParam

        sc = spark.sparkContext
        ship = (not is_local(sc.master)) if ship_kb is None else ship_kb
        kb_ref = _ship_kb(spark, kb_dir) if ship else ("path", str(kb_dir.resolve()))
        stats = sc.accumulator(Counter(), CounterParam())
        rows = _read_rows(spark, fmt, input_path, id_column, text_column)
        work = partial(_link_partition, kb_ref, fmt, id_column, text_column, policy, threshold,
                       out_fmt, stats)
        linked = rows.mapPartitions(work)
        _write(spark, linked, out_fmt, output_path)
        counts = Counter(stats.value)
        partitions = rows.getNumPartitions()
    skipped = {key[1]: n for key, n in sorted(counts.items()) if key[0] == "skipped"}
    return SparkLinkReport(
        output=output_path, format=out_fmt, documents=counts[_DOCS], links=counts[_LINKS],
        skipped=skipped, seconds=time.perf_counter() - started, partitions=partitions, kb_shipped=ship,
    )


def link_row(kb: KnowledgeBase, doc_id: Any, text: str, *, policy: str = "all",
             threshold: float | None = None, title: str | None = None) -> dict[str, Any]:
    """One output row: ``{"id": ..., **document}`` — what a local run writes for a document."""
    doc = kb.link(text, policy=policy, threshold=threshold, title=title)
    return {"id": doc_id, **document_to_dict(doc)}


# -- input ---------------------------------------------------------------------------


def _local_path(path: str) -> Path | None:
    """The local file-system path of ``path``, None for another file system (hdfs://, s3a://)."""
    parts = urlsplit(path)
    if parts.scheme == "file":
        return Path(unquote(parts.path))
    if parts.scheme and len(parts.scheme) > 1:
        return None
    return Path(path)


def _format_of_name(name: str) -> str:
    name = name.lower()
    for suffix in _COMPRESSED:
        name = name.removesuffix(suffix)
    if name.endswith(_JSONL_SUFFIXES):
        return "jsonl"
    if name.endswith(".parquet"):
        return "parquet"
    return "text"


def _input_files(path: Path) -> list[Path]:
    """What Spark reads from a directory: its visible files, not those in subdirectories."""
    return sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith((".", "_")))


def _guess_input_format(input_path: str) -> str:
    local = _local_path(input_path)
    if local is None:
        name = input_path.rstrip("/").rsplit("/", 1)[-1]
        if "." not in name:
            raise InputError(f"{input_path}: cannot tell the input format from the name — "
                             f"pass the input format ({', '.join(INPUT_FORMATS)})")
        return _format_of_name(name)
    if not local.exists():
        raise InputError(f"{input_path}: no such file or directory")
    if local.is_file():
        return _format_of_name(local.name)
    files = _input_files(local)
    if not files:
        raise InputError(f"{input_path}: no input files in this directory (subdirectories are not read)")
    kinds = {_format_of_name(p.name) for p in files}
    if "parquet" in kinds:
        return "parquet"
    return "jsonl" if kinds == {"jsonl"} else "text"


def _check_first_jsonl_row(input_path: str, id_column: str, text_column: str) -> None:
    """Name a missing field before any Spark job starts (local, uncompressed files only)."""
    local = _local_path(input_path)
    if local is None or not local.exists():
        return
    files = [local] if local.is_file() else _input_files(local)
    first = next((p for p in files if not p.name.lower().endswith(_COMPRESSED)), None)
    if first is None:
        return
    with open(first, encoding="utf-8", errors="replace") as f:
        for number, line in enumerate(f, 1):
            if line.strip():
                break
        else:
            return
    try:
        row = json.loads(line.lstrip("\ufeff"))
    except ValueError as exc:
        raise InputError(f"{first} (line {number}): not JSON ({exc}) — write one JSON object per line") from None
    if not isinstance(row, dict):
        raise InputError(f"{first} (line {number}): a JSON object per line is expected, not {type(row).__name__}")
    for name, what in ((text_column, "text"), (id_column, "id")):
        if name not in row:
            fields = ", ".join(sorted(row)) or "none"
            raise InputError(f"{first} (line {number}): no {name!r} field (fields: {fields}) — "
                             f"name the {what} field with the {what}-column option")


def _read_rows(spark: "SparkSession", fmt: str, input_path: str, id_column: str, text_column: str):
    """An RDD of raw inputs, in input order: lines, Rows or (file URI, bytes)."""
    sc = spark.sparkContext
    partitions = 4 * parallelism(spark)
    if fmt == "jsonl":
        return sc.textFile(input_path, minPartitions=partitions)
    if fmt == "text":
        return sc.binaryFiles(input_path, minPartitions=partitions)
    df = spark.read.parquet(input_path)
    for name, what in ((text_column, "text"), (id_column, "id")):
        if name not in df.columns:
            raise InputError(f"{input_path}: no {name!r} column (columns: {', '.join(df.columns)}) — "
                             f"name the {what} column with the {what}-column option")
    return df.select(id_column, text_column).rdd


def _documents(fmt: str, id_column: str, text_column: str, items: Iterable,
               counts: Counter) -> Iterator[tuple[Any, str, str | None]]:
    """(id, text, title) of each input item; unusable items are counted, not fatal."""
    for item in items:
        if fmt == "jsonl":
            if not item.strip():
                continue
            try:
                row = json.loads(item.lstrip("\ufeff"))
            except ValueError:
                counts[("skipped", "line is not JSON")] += 1
                continue
            if not isinstance(row, dict):
                counts[("skipped", "line is not a JSON object")] += 1
                continue
            doc_id, text, title = row.get(id_column), row.get(text_column), None
            if id_column not in row:
                counts[("skipped", f"no {id_column!r} field")] += 1
                continue
        elif fmt == "parquet":
            doc_id, text, title = item[0], item[1], None
        else:
            uri, data = item
            doc_id = unquote(urlsplit(uri).path.rsplit("/", 1)[-1])
            title = Path(doc_id).stem.replace("_", " ")
            try:  # read as `linkpedia link FILE` reads it
                text = bytes(data).decode("utf-8").replace("\r\n", "\n").lstrip("\ufeff")
            except UnicodeDecodeError:
                counts[("skipped", "file is not UTF-8")] += 1
                continue
        if not isinstance(text, str):
            counts[("skipped", f"no text in {text_column!r}" if fmt != "text" else "no text")] += 1
            continue
        yield doc_id, text, title


# -- executors ------------------------------------------------------------------------

_KBS: dict[tuple[str, int], KnowledgeBase] = {}  # one opened KB per Python worker process


def _ship_kb(spark: "SparkSession", kb_dir: Path) -> tuple[str, str]:
    sc = spark.sparkContext
    resolved = kb_dir.resolve()
    name = resolved.name
    for uri in sc.listFiles:
        parts = urlsplit(uri)
        if unquote(parts.path).rstrip("/").rsplit("/", 1)[-1] == name and Path(unquote(parts.path)) != resolved:
            raise InputError(f"{kb_dir}: another KB named {name!r} was already sent to this Spark session's "
                             "executors — rename the KB directory or start a new session")
    sc.addFile(str(resolved), recursive=True)
    return ("shipped", name)


def _opened_kb(kb_ref: tuple[str, str]) -> KnowledgeBase:
    kind, value = kb_ref
    if kind == "shipped":
        from pyspark import SparkFiles

        path = SparkFiles.get(value)
    else:
        path = value
    key = (path, os.stat(path).st_mtime_ns)
    kb = _KBS.get(key)
    if kb is None:
        kb = _KBS[key] = open_kb(path)
    return kb


def _link_partition(kb_ref, fmt, id_column, text_column, policy, threshold, out_fmt, stats,
                    items: Iterable) -> Iterator:
    kb = _opened_kb(kb_ref)
    counts: Counter = Counter()
    try:
        for doc_id, text, title in _documents(fmt, id_column, text_column, items, counts):
            row = link_row(kb, doc_id, text, policy=policy, threshold=threshold, title=title)
            counts[_DOCS] += 1
            counts[_LINKS] += len(row["links"])
            if out_fmt == "jsonl":
                yield json.dumps(row, ensure_ascii=False, allow_nan=False)
            else:
                yield _parquet_row(row)
    finally:
        stats.add(counts)


# -- output ---------------------------------------------------------------------------

_CANDIDATE = "struct<title:string,prior:double,count:bigint,score:double>"
_LINK = (f"struct<start:bigint,end:bigint,surface:string,title:string,qid:string,score:double,preview:string,"
         f"candidates:array<{_CANDIDATE}>>")
PARQUET_SCHEMA = f"id string, schema string, title string, text string, links array<{_LINK}>"


def _parquet_row(row: dict[str, Any]) -> tuple:
    doc_id = row["id"]
    return (
        None if doc_id is None else doc_id if isinstance(doc_id, str) else json.dumps(doc_id),
        row["schema"], row["title"], row["text"],
        [(lk["start"], lk["end"], lk["surface"], lk["title"], lk["qid"], lk["score"], lk["preview"],
          [(c["title"], c["prior"], c["count"], c["score"]) for c in lk["candidates"]])
         for lk in row["links"]],
    )


def _write(spark: "SparkSession", rows, out_fmt: str, output_path: str) -> None:
    """JSONL as plain text part files (no DataFrame: converting rows costs the JVM more than the
    writing), Parquet through a DataFrame with a fixed schema."""
    from py4j.protocol import Py4JJavaError
    from pyspark.errors import AnalysisException

    try:
        if out_fmt == "jsonl":
            rows.saveAsTextFile(output_path)
        else:
            spark.createDataFrame(rows, PARQUET_SCHEMA, verifySchema=False).write.mode("errorifexists") \
                .parquet(output_path)
    except (AnalysisException, Py4JJavaError) as exc:
        if "PATH_ALREADY_EXISTS" in str(exc) or "FileAlreadyExistsException" in str(exc):
            raise InputError(f"{output_path}: already exists — choose another --output or remove it") from None
        raise
