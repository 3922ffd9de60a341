"""`build --wikidata` throughput: entities/s and MB/s of the Wikidata pass, with peak RSS.

The real sample (``small-real/wikidata-sample-1704-entities.json.bz2``: 1,704
entities, 16.9 MB of JSON) is too small to time, so the bench writes a dump of
``--copies`` copies of it (default 30, ~500 MB of JSON, bzip2 level 9 as
Wikimedia compresses): copy k renumbers every QID (Q42 -> Q42 + k * 10^9) and
suffixes every enwiki sitelink (" (copy k)"), so each copy's items are new
items naming new pages, and the share of entities with an enwiki sitelink stays
the sample's. The KB's pages are the OVOS summaries the sample links to, and
their copies.

Three child processes, each run ``--repeats`` times (default 3) and measured
by ``_common.measure``: the median wall time, the largest peak memory of the
process tree:

* ``read``: ``kb.wikidata.items()`` over the dump alone (decompress, filter, parse);
* ``build``: ``linkpedia build PAGES --out KB``;
* ``build --wikidata``: the same with ``--wikidata DUMP``; its "reading
  Wikidata" phase (read, filter, parse, match and store; the build times it
  into the KB's meta) is the Wikidata pass. Deriving names from the items
  comes after, with the other aggregates.

Rates are per entity and per MB of the file on disk (bz2) and of JSON; the
projection to the full dump (about 110 M entities, ``--full-entities``, and
``--full-gb`` GB compressed) uses both and says which is the bound.

    .venv/bin/python bench/wikidata_build.py                 # ~5 min on 2 cores
    .venv/bin/python bench/wikidata_build.py --copies 5 --repeats 1   # a minute
"""

from __future__ import annotations

import argparse
import bz2
import gzip
import json
import os
import shutil
import sqlite3
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import MB, REPO, Measured, format_table, machine, measure, reproduce_line  # noqa: E402

SHARED = Path(os.environ.get("LINKPEDIA_SHARED", REPO.parent / "shared")) / "data"
SAMPLE = SHARED / "small-real" / "wikidata-sample-1704-entities.json.bz2"
OVOS = SHARED / "kb-sources" / "ovos_summaries_en.jsonl"
QID_STEP = 10**9

_READ = """\
import sys
from linkpedia.kb.wikidata import items
for _ in items(sys.argv[1], "enwiki"):
    pass
"""


def _phase_seconds(kb: Path) -> float:
    """How long the build's "reading Wikidata" phase took, from the KB's meta."""
    con = sqlite3.connect(kb / "kb.sqlite")
    try:
        return json.loads(con.execute("SELECT value FROM meta WHERE key = 'wikidata'").fetchone()[0])["seconds"]
    finally:
        con.close()


def write_copies(work: Path, copies: int) -> tuple[Path, Path, int]:
    """The generated dump and pages; and the dump's JSON bytes."""
    dump, pages = work / f"wikidata-x{copies}.json.bz2", work / f"pages-x{copies}.jsonl"
    json_bytes = work / f"wikidata-x{copies}.bytes"
    if dump.is_file() and pages.is_file() and json_bytes.is_file():
        return dump, pages, int(json_bytes.read_text())
    entities = []
    with bz2.open(SAMPLE, "rt", encoding="utf-8") as f:
        entities = [json.loads(line.rstrip().rstrip(",")) for line in f if line.startswith("{")]
    titles = {e["sitelinks"]["enwiki"]["title"] for e in entities if "enwiki" in e.get("sitelinks", {})}
    records = [json.loads(line) for line in OVOS.open(encoding="utf-8")]
    records = [r for r in records if r["title"] in titles]
    size = 0
    with bz2.open(dump, "wt", encoding="utf-8", compresslevel=9) as out, pages.open("w", encoding="utf-8") as p:
        out.write("[\n")
        for k in range(copies):
            suffix = f" (copy {k})" if k else ""
            for r in records:
                p.write(json.dumps({"title": r["title"] + suffix, "text": r["extract"]}) + "\n")
            for i, e in enumerate(entities):
                e = dict(e, id=f"Q{int(e['id'][1:]) + k * QID_STEP}")
                link = e.get("sitelinks", {}).get("enwiki")
                if link:
                    e["sitelinks"] = {**e["sitelinks"], "enwiki": {**link, "title": link["title"] + suffix}}
                last = k == copies - 1 and i == len(entities) - 1
                line = json.dumps(e, ensure_ascii=False, separators=(",", ":")) + ("\n" if last else ",\n")
                size += len(line.encode("utf-8"))
                out.write(line)
        out.write("]\n")
    json_bytes.write_text(str(size))
    return dump, pages, size


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--copies", type=int, default=30, help="copies of the 1,704-entity sample")
    ap.add_argument("--jobs", type=int, default=1, help="workers of the page pass (not the Wikidata pass)")
    ap.add_argument("--repeats", type=int, default=3, help="runs of each command; the median time is shown")
    ap.add_argument("--work", type=Path, default=REPO / "bench" / "out" / "wikidata")
    ap.add_argument("--full-entities", type=float, default=110e6, help="entities of the full dump")
    ap.add_argument("--full-gb", type=float, default=130.0, help="GB of the full dump, bz2-compressed")
    args = ap.parse_args(argv)
    if not SAMPLE.is_file():
        sys.exit(f"{SAMPLE} is absent: set LINKPEDIA_SHARED to the shared folder")
    args.work.mkdir(parents=True, exist_ok=True)
    dump, pages, json_size = write_copies(args.work, args.copies)
    gz = dump.with_suffix(".gz")
    if not gz.is_file():  # the same JSON, gzip-compressed as Wikimedia's latest-all.json.gz
        with bz2.open(dump, "rb") as src, gzip.open(gz, "wb", compresslevel=6) as out:
            shutil.copyfileobj(src, out, 1 << 20)
    python, cli = sys.executable, str(Path(sys.executable).parent / "linkpedia")
    n = args.copies * 1704

    phase: dict[Path, list[float]] = {}  # the Wikidata phase's own seconds, as each build timed it

    def ok(cmd: list[str], kb: Path | None = None) -> Measured:
        """The middle of ``--repeats`` runs by time (peak memory: the largest of them)."""
        runs = []
        for _ in range(args.repeats):
            m = measure(cmd)
            if not m.ok:
                sys.exit(m.stderr)
            runs.append(m)
            if kb is not None:
                phase.setdefault(kb, []).append(_phase_seconds(kb))
        mid = sorted(runs, key=lambda m: m.seconds)[len(runs) // 2]
        peak = max((m.peak_tree_pss or m.max_rss) for m in runs)
        return Measured(mid.seconds, mid.cpu_seconds, mid.other_load, peak, mid.max_rss, 0, "")

    def peak(m) -> str:
        return f"{(m.peak_tree_pss or m.max_rss) / MB:,.0f}"

    build = ok([cli, "build", str(pages), "--out", str(args.work / "kb"), "-j", str(args.jobs)])
    rows = [["build, pages only", "", f"{build.seconds:,.1f}", "", "", "", peak(build)]]
    passes = {}
    for path in (dump, gz):
        kind, disk = path.suffix.lstrip("."), path.stat().st_size
        read = ok([python, "-c", _READ, str(path)])
        kb = args.work / f"kb-{kind}"
        with_wd = ok([cli, "build", str(pages), "--out", str(kb), "-j", str(args.jobs), "--wikidata", str(path)], kb)
        in_build = sorted(phase[kb])[len(phase[kb]) // 2]
        passes[kind] = (in_build, disk)
        for name, seconds, m in (("read (decompress, filter, parse)", read.seconds, read),
                                 ("build --wikidata", with_wd.seconds, with_wd),
                                 ("Wikidata phase of that build (its own timing)", in_build, None)):
            rates = ["", "", ""] if name == "build --wikidata" else [
                f"{n / seconds:,.0f}", f"{disk / MB / seconds:,.2f}", f"{json_size / MB / seconds:,.1f}"]
            rows.append([name, kind, f"{seconds:,.1f}", *rates, peak(m) if m else ""])
    print(f"# Wikidata build throughput — {machine()}\n")
    print(f"Dump: {args.copies} copies of the sample, {n:,} entities, {json_size / MB:,.1f} MB JSON "
          f"({json_size / n:,.0f} bytes/entity), {dump.stat().st_size / MB:,.1f} MB bz2, "
          f"{gz.stat().st_size / MB:,.1f} MB gz; pages: {pages.name}, page pass with {args.jobs} job(s)\n")
    print(format_table(["run", "file", "seconds", "entities/s", "MB/s on disk", "MB/s JSON", "peak MB"], rows,
                       [False, False, True, True, True, True, True]))
    seconds, disk = passes["bz2"]
    by_bytes = args.full_gb * 1e9 / (disk / seconds)
    by_entities = args.full_entities / (n / seconds)
    print(f"\nFull dump ({args.full_entities / 1e6:,.0f} M entities, {args.full_gb:,.0f} GB bz2), one core: "
          f"{by_bytes / 3600:,.1f} h at the bz2 MB/s on disk, {by_entities / 3600:,.1f} h at the entities/s. "
          "The sample's entities are popular items, larger than the dump's average: the bytes projection "
          "is the one to trust.")
    print("\nReproduce: " + reproduce_line(Path(__file__), argv if argv is not None else sys.argv[1:]))


if __name__ == "__main__":
    main()
