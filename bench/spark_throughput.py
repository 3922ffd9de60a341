"""Throughput of ``spark link`` and ``spark build`` next to one process, on the same input.

Linking: the WNED-WIKI articles (../shared/data/benchmarks/wned-wiki.jsonl)
repeated to ``--docs`` documents (ids ``<id>#<k>``), written once to
``bench/out/spark-docs.jsonl``, linked with policy "all" by

* one process: ``link_row`` (``kb.link`` + the JSON schema) per document,
  written as JSONL: the work of a Spark partition, without Spark;
* ``spark_link`` on ``local[1]`` and ``local[2]``.

Building (unless ``--no-build``): the English dump's pages repeated to
``--build-mb`` MB of plain XML (so executors read byte ranges; copy k's titles
end with " (copy k)"), built by ``build_kb`` with 1 and 2 jobs and by
``spark_build`` on ``local[1]`` and ``local[2]``; "driver alone" is
the driver's share of the pages pass (writing rows and sums, with records
extracted beforehand), the part a cluster does not spread.

Every configuration runs as a child process, interleaved, ``--repeats``
times; the table gives medians. Columns: the child's wall time; the job's own
time (after the Spark session is up, or after the KB is opened, so start-up is
left out) and documents (or MB of XML) per second of it; the CPU seconds the
job's whole process tree used (Spark's JVM and Python workers included), and
documents per CPU second, which a busy machine does not skew; and the other
load on the machine during the job (cores busy with processes outside the
tree: wall-clock figures are only comparable at equal load). The build table
gives wall-clock figures only. The outputs of all linking runs are compared
with the single-process output.

    .venv/bin/python bench/spark_throughput.py [--kb KB_DIR] [--docs 20000] [--repeats 2]
        [--no-link] [--no-build | --build-mb 60]
"""

from __future__ import annotations

import argparse
import bz2
import json
import re
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import REPO, SHARED_DUMPS, Task, format_table, machine, measure_interleaved, median, reproduce_line  # noqa: E402

SHARED = REPO.parent / "shared" / "data"
WORK = REPO / "bench" / "out"
EN = SHARED_DUMPS / "enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2"
LINK_CONFIGS = ["single process", "spark local[1]", "spark local[2]"]
BUILD_CONFIGS = ["build --jobs 1", "build --jobs 2", "spark build local[1]", "spark build local[2]",
                 "driver alone"]


# -- children ---------------------------------------------------------------------------


class Clock:
    """Wall time, CPU of this process tree (the JVM and Python workers included) and the
    machine's other load (cores busy with processes outside the tree) over one job."""

    def __init__(self):
        self.t0, self.cpu0, self.busy0 = time.perf_counter(), self.tree_cpu(), self.machine_busy()

    def stop(self) -> dict[str, float]:
        seconds = time.perf_counter() - self.t0
        cpu = self.tree_cpu() - self.cpu0
        other = (self.machine_busy() - self.busy0 - cpu) / seconds
        return {"seconds": seconds, "cpu": cpu, "other_load": max(0.0, other)}

    @staticmethod
    def tree_cpu() -> float:
        import psutil

        me = psutil.Process()
        total = 0.0
        for p in [me, *me.children(recursive=True)]:
            try:  # children_*: processes of the tree that have exited (pool workers, Python workers)
                t = p.cpu_times()
                total += t.user + t.system + t.children_user + t.children_system
            except psutil.Error:
                pass
        return total

    @staticmethod
    def machine_busy() -> float:
        import psutil

        t = psutil.cpu_times()
        return t.user + t.system + getattr(t, "nice", 0.0) + getattr(t, "irq", 0.0) + getattr(t, "softirq", 0.0)



def child_link(args) -> None:
    """One linking run; writes the job's seconds, CPU seconds and documents to --report."""
    sys.path.insert(0, str(REPO / "src"))
    import linkpedia
    from linkpedia.spark import spark_link, spark_session
    from linkpedia.spark.link import link_row

    out = Path(args.output)
    if args.master == "single":
        kb = linkpedia.open_kb(args.kb)
        clock = Clock()
        n = 0
        out.mkdir(parents=True)
        with open(args.input, encoding="utf-8") as f, open(out / "part-00000", "w", encoding="utf-8") as w:
            for line in f:
                row = json.loads(line)
                w.write(json.dumps(link_row(kb, row["id"], row["text"]), ensure_ascii=False) + "\n")
                n += 1
        figures = clock.stop()
    else:
        with spark_session(args.master, "linkpedia bench") as spark:
            spark.sparkContext.parallelize(range(4), 4).count()  # executors up before the clock starts
            clock = Clock()
            report = spark_link(args.kb, args.input, out, master=args.master)
            figures = clock.stop()
            n = report.documents
    Path(args.report).write_text(json.dumps({**figures, "documents": n}))


def child_build(args) -> None:
    """One build; writes the extraction phase's and the whole build's seconds to --report."""
    sys.path.insert(0, str(REPO / "src"))
    import linkpedia
    from linkpedia.kb.build import ProgressHook
    from linkpedia.spark import spark_build, spark_session

    class Phases(ProgressHook):
        def __init__(self):
            self.seconds: dict[str, float] = {}

        def start(self, phase, total):
            self.phase, self.t0 = phase, time.perf_counter()

        def finish(self):
            self.seconds[self.phase] = time.perf_counter() - self.t0

    phases = Phases()
    if args.master == "driver":  # the records are extracted beforehand: what the driver does with them
        from linkpedia.kb.build import LocalExtractor
        from linkpedia.sources import open_source

        batches = list(LocalExtractor(2).records(open_source(args.input)))

        class Replay:
            def records(self, source):
                return iter(batches)

            def close(self):
                pass

        clock = Clock()
        linkpedia.build_kb([args.input], args.output, progress=phases, extractor=Replay(),
                           options=linkpedia.BuildOptions(jobs=1))
    elif args.master.startswith("jobs"):
        clock = Clock()
        linkpedia.build_kb([args.input], args.output, progress=phases,
                           options=linkpedia.BuildOptions(jobs=int(args.master[4:])))
    else:
        with spark_session(args.master, "linkpedia bench") as spark:
            spark.sparkContext.parallelize(range(4), 4).count()
            clock = Clock()
            spark_build([args.input], args.output, master=args.master, progress=phases)
    Path(args.report).write_text(json.dumps({**clock.stop(), "phases": phases.seconds}))


# -- parent ------------------------------------------------------------------------------


def write_docs(path: Path, n: int) -> tuple[int, int]:
    base = [json.loads(line) for line in (SHARED / "benchmarks" / "wned-wiki.jsonl").open(encoding="utf-8")]
    chars = 0
    with open(path, "w", encoding="utf-8") as w:
        for i in range(n):
            doc = base[i % len(base)]
            chars += len(doc["text"].encode("utf-8"))
            w.write(json.dumps({"id": f"{doc['id']}#{i // len(base)}", "text": doc["text"]}, ensure_ascii=False) + "\n")
    return n, chars


def read_parts(out: Path) -> list[str]:
    return [line for part in sorted(out.glob("part-*")) for line in part.open(encoding="utf-8")]


def run_children(kind: str, configs: list[str], tags: dict[str, str], outs: dict[str, Path],
                 args: list[str], repeats: int) -> tuple[dict[str, float], dict[str, list[dict]]]:
    """``--child kind`` once per configuration and repeat, interleaved: the median wall
    seconds and the children's reports of each configuration."""
    reports: dict[str, list[dict]] = {c: [] for c in configs}

    def task(config: str) -> Task:
        report = WORK / f"spark-{kind}-report-{tags[config]}.json"
        cmd = [sys.executable, __file__, "--child", kind, "--master", tags[config], *args,
               "--output", str(outs[config]), "--report", str(report)]
        return Task(config, cmd, before=lambda: shutil.rmtree(outs[config], ignore_errors=True),
                    after=lambda m: m.ok and reports[config].append(json.loads(report.read_text())))

    runs = measure_interleaved([task(c) for c in configs], repeats)
    walls = {}
    for config in configs:
        ok = [m for m in runs[config] if m.ok]
        if not ok:
            raise SystemExit(f"{config} failed:\n{runs[config][-1].stderr[-3000:]}")
        walls[config] = median(m.seconds for m in ok)
    return walls, reports


def bench_link(args, kb: Path) -> tuple[str, bool]:
    docs = WORK / "spark-docs.jsonl"
    n, size = write_docs(docs, args.docs)
    outs = {c: WORK / f"spark-link-out-{i}" for i, c in enumerate(LINK_CONFIGS)}
    masters = {"single process": "single", "spark local[1]": "local[1]", "spark local[2]": "local[2]"}
    walls, reports = run_children("link", LINK_CONFIGS, masters, outs,
                                  ["--kb", str(kb), "--input", str(docs)], args.repeats)
    rows = []
    for config in LINK_CONFIGS:
        job = median(r["seconds"] for r in reports[config])
        cpu = median(r["cpu"] for r in reports[config])
        rows.append((config, f"{n:,}", f"{walls[config]:.1f}", f"{job:.1f}",
                     f"{n / job:.0f}", f"{size / job / 1e6:.2f}", f"{cpu:.1f}", f"{n / cpu:.0f}",
                     f"{median(r['other_load'] for r in reports[config]):.1f}"))
    reference = read_parts(outs["single process"])
    same = all(read_parts(outs[c]) == reference for c in LINK_CONFIGS[1:])
    table = format_table(["linking", "docs", "wall s", "job s", "docs/s", "MB/s", "CPU s", "docs/CPU s",
                          "other load"], rows, [False] + [True] * 8)
    return table, same


def synthetic_xml(path: Path, mb: int) -> None:
    """The English dump's pages, repeated under new titles to about ``mb`` MB."""
    data = bz2.decompress(EN.read_bytes())
    first, end = data.index(b"  <page>"), data.rindex(b"</mediawiki>")
    pages = data[first:end]
    with open(path, "wb") as w:
        w.write(data[:first])
        for k in range(max(1, round(mb * 1e6 / len(data)))):
            w.write(pages if k == 0 else re.sub(rb"<title>(.*?)</title>",
                                                lambda m: b"<title>%s (copy %d)</title>" % (m.group(1), k), pages))
        w.write(data[end:])


def bench_build(args) -> str:
    xml = WORK / f"spark-enwiki-{args.build_mb}MB.xml"
    if not xml.exists():
        synthetic_xml(xml, args.build_mb)
    mb = xml.stat().st_size / 1e6
    masters = dict(zip(BUILD_CONFIGS, ["jobs1", "jobs2", "local[1]", "local[2]", "driver"]))
    outs = {c: WORK / f"spark-build-kb-{masters[c]}" for c in BUILD_CONFIGS}
    walls, reports = run_children("build", BUILD_CONFIGS, masters, outs, ["--input", str(xml)], args.repeats)
    rows = []
    for config in BUILD_CONFIGS:
        job = median(r["seconds"] for r in reports[config])
        reading = median(r["phases"]["reading pages"] for r in reports[config])
        rows.append((config, f"{mb:.1f}", f"{walls[config]:.1f}", f"{job:.1f}",
                     f"{reading:.1f}", f"{mb / reading:.2f}"))
    return format_table(["building", "MB XML", "wall s", "build s", "pages pass s", "MB/s (pages pass)"],
                        rows, [False] + [True] * 5)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kb", type=Path, default=None, help="KB to link with (default: bench/out/eval-kb)")
    ap.add_argument("--docs", type=int, default=20_000)
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--no-link", action="store_true")
    ap.add_argument("--no-build", action="store_true")
    ap.add_argument("--build-mb", type=int, default=60, help="MB of XML to build from")
    ap.add_argument("--child", choices=["link", "build"], help=argparse.SUPPRESS)
    ap.add_argument("--master", help=argparse.SUPPRESS)
    ap.add_argument("--input", help=argparse.SUPPRESS)
    ap.add_argument("--output", help=argparse.SUPPRESS)
    ap.add_argument("--report", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child == "link":
        return child_link(args)
    if args.child == "build":
        return child_build(args)
    WORK.mkdir(parents=True, exist_ok=True)
    print(machine())
    if not args.no_link:
        kb = args.kb or WORK / "eval-kb"
        if not (kb / "kb.sqlite").is_file():
            from link_throughput import build_eval_kb

            build_eval_kb(kb)
        table, same = bench_link(args, kb)
        print(f"KB: {kb}")
        print(table)
        print(f"Spark outputs identical to the single-process output: {'yes' if same else 'NO'}")
        print()
    if not args.no_build:
        print(bench_build(args))
    argv = [a for a in sys.argv[1:]]
    print(f"reproduce: {reproduce_line(Path(__file__), argv)}")


if __name__ == "__main__":
    main()
