"""Rehearsal at Wikipedia scale: synthetic dumps of growing size, built, opened and linked.

    .venv/bin/python bench/scale_rehearsal.py --pages 100000 500000 2000000 [--work DIR] [--jobs 1] [--reuse]

For each size: writes the dump (bench/synthetic_dump.py; kept and reused),
runs ``linkpedia build`` in a child process that times each phase (wall time,
CPU time of the process and its workers, peak PSS summed over the process
tree, the KB's temporary directory on disk), then measures the KB: open time
and RSS after open in a fresh process, size on disk, and linking throughput
with p50/p99 latency on news-length texts (566 words, msnbc's mean) cut from
the KB's own articles, on one core, with coherence's in-link cap at its
default and off (``--inlink-cap 0``). Then fits each figure's growth with a
power law y = a·x^b (least squares on log–log; x = pages) and projects it to
English Wikipedia: 6.8 M articles and ~10 M redirects, 16.8 M pages.

All figures are of synthetic dumps; see docs/scaling.md, "Rehearsal at
Wikipedia scale". tests/test_scale_rehearsal.py runs this at 20,000 pages (about a minute).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent / "src"))

from _common import REPO, _tree_memory, dir_bytes, format_table, machine, measure, psutil  # noqa: E402
import synthetic_dump  # noqa: E402

FULL_PAGES = 16.8e6  # English Wikipedia: 6.8 M articles + ~10 M redirects (issue 17)
NEWS_WORDS = 566  # msnbc's mean words per document
TARGETS = {"build_peak": 8 * 2**30, "build_s": 10 * 3600, "kb_bytes": 40e9}  # projected, issue 17
_WORD_END = re.compile(r"\S+")


# -- child: a build with its phases timed -------------------------------------------------------


def _tree_cpu(proc) -> float:
    """CPU seconds of this process, its reaped children and its live ones."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    dead = resource.getrusage(resource.RUSAGE_CHILDREN)
    total = own.ru_utime + own.ru_stime + dead.ru_utime + dead.ru_stime
    if proc is not None:
        for c in proc.children(recursive=True):
            try:
                t = c.cpu_times()
                total += t.user + t.system
            except psutil.Error:
                pass
    return total


def child_build(dump: Path, out: Path, jobs: int, report: Path) -> None:
    """Build ``out`` from ``dump``; write each phase's figures to ``report`` (JSON)."""
    import linkpedia
    from linkpedia.kb.build import ProgressHook

    me = psutil.Process() if psutil else None
    tmp = out.parent / f".{out.name}.tmp-{os.getpid()}"
    phases: list[dict] = []
    state = {"peak": 0, "disk": 0}
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(0.5):
            if me is not None:
                state["peak"] = max(state["peak"], _tree_memory(me))

    class Hook(ProgressHook):
        def start(self, phase, total):
            self.phase, self.t, self.cpu = phase, time.perf_counter(), _tree_cpu(me)
            state["peak"] = _tree_memory(me) if me is not None else 0

        def finish(self):
            disk = dir_bytes(tmp) if tmp.exists() else 0
            phases.append({"phase": self.phase, "wall_s": time.perf_counter() - self.t,
                           "cpu_s": _tree_cpu(me) - self.cpu, "peak_bytes": state["peak"], "disk_bytes": disk})

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    t0 = time.perf_counter()
    rep = linkpedia.build_kb([dump], out, options=linkpedia.BuildOptions(jobs=jobs), progress=Hook())
    stop.set()
    report.write_text(json.dumps({"phases": phases, "seconds": time.perf_counter() - t0, "pages": rep.pages,
                                  "entries": rep.entries, "redirects": rep.redirects,
                                  "surfaces": rep.surfaces}))


# -- child: open and link --------------------------------------------------------------------


def child_link(kb_dir: Path, texts: Path, cap: int | None, repeats: int) -> None:
    """Print JSON: RSS after open, then docs/s and latencies over ``texts``, one core."""
    import link_throughput
    import linkpedia

    docs = [json.loads(line)["text"] for line in texts.open(encoding="utf-8")]
    config = None if cap is None else linkpedia.LinkerConfig(inlink_cap=cap)
    t = time.perf_counter()
    kb = linkpedia.open_kb(kb_dir, config=config)
    opened = time.perf_counter() - t
    rss_open = psutil.Process().memory_info().rss if psutil else 0
    kb.link(docs[0])  # warm up
    total, times = link_throughput.run_texts(kb, docs, repeats)
    row = link_throughput.summary("news", docs, total, times)
    sample = docs[:50]
    links = sum(len(kb.link(d).links) for d in sample) / len(sample)
    print(json.dumps({"open_s": opened, "links_per_doc": links, "rss_after_open": rss_open, "docs_s": row[3], "p50_ms": row[6],
                      "p99_ms": row[7], "words_per_doc": row[2],
                      "max_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))


def news_texts(kb_dir: Path, out: Path, n: int) -> int:
    """Write up to ``n`` news-length texts (the first NEWS_WORDS words of the KB's longer articles)."""
    import sqlite3

    from linkpedia.kb.store import unpack_text

    con = sqlite3.connect(f"file:{kb_dir / 'kb.sqlite'}?mode=ro", uri=True)
    written = 0
    with out.open("w", encoding="utf-8") as f:
        for (blob,) in con.execute("SELECT text FROM pages WHERE kind = 'article' AND text IS NOT NULL ORDER BY id"):
            text = unpack_text(blob)
            ends = [m.end() for _, m in zip(range(NEWS_WORDS), _WORD_END.finditer(text))]
            if len(ends) == NEWS_WORDS:
                f.write(json.dumps({"text": text[:ends[-1]]}) + "\n")
                written += 1
                if written >= n:
                    break
    con.close()
    return written


# -- one size ------------------------------------------------------------------------------


def _py(*args: str) -> list[str]:
    return [sys.executable, str(Path(__file__).resolve()), *args]


def _child_json(*args: str) -> dict:
    done = subprocess.run(_py(*args), check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def rehearse(pages: int, work: Path, jobs: int = 1, seed: int = 0, docs: int = 200, repeats: int = 3,
             compress: bool = True, log=print) -> dict:
    """Generate, build, open and link one size; its figures."""
    work.mkdir(parents=True, exist_ok=True)
    dump = work / f"synthetic-{pages}.xml{'.bz2' if compress else ''}"
    result: dict = {"pages": pages}
    if not dump.is_file():
        log(f"[{pages:,}] writing {dump} ...")
        t = time.perf_counter()
        result["dump"] = synthetic_dump.write_dump(pages, dump, seed)
        result["generate_s"] = time.perf_counter() - t
    result["dump_bytes"] = dump.stat().st_size
    kb = work / f"kb-{pages}"
    report = work / f"build-{pages}.json"
    log(f"[{pages:,}] building {kb} (--jobs {jobs}) ...")
    m = measure(_py("--child-build", str(dump), str(kb), str(jobs), str(report)))
    if not m.ok:
        raise SystemExit(f"Error: the build of {dump} failed: {m.stderr.strip().splitlines()[-1:]}")
    built = json.loads(report.read_text())
    result.update(build_wall_s=m.seconds, build_cpu_s=m.cpu_seconds, build_peak_bytes=m.peak_tree_pss,
                  build_max_rss=m.max_rss, other_load=m.other_load, **{k: built[k] for k in
                                                                        ("phases", "entries", "redirects",
                                                                         "surfaces")})
    result["build_disk_peak"] = max((p["disk_bytes"] for p in built["phases"]), default=0)
    result["kb_bytes"] = dir_bytes(kb)
    texts = work / f"news-{pages}.jsonl"
    result["docs"] = news_texts(kb, texts, docs)
    log(f"[{pages:,}] opening and linking {result['docs']} news-length texts ...")
    import link_throughput

    result["open_s"] = link_throughput.open_time(kb)
    result["link"] = _child_json("--child-link", str(kb), str(texts), "-", str(repeats))
    result["link_uncapped"] = _child_json("--child-link", str(kb), str(texts), "0", str(repeats))
    return result


# -- fits and the table -----------------------------------------------------------------------


def fit_power(xs: list[float], ys: list[float]) -> tuple[float, float] | None:
    """(a, b) of y = a·x^b by least squares on log–log; None with fewer than two points."""
    pts = [(math.log(x), math.log(y)) for x, y in zip(xs, ys) if x > 0 and y and y > 0]
    if len(pts) < 2:
        return None
    mx = sum(p[0] for p in pts) / len(pts)
    my = sum(p[1] for p in pts) / len(pts)
    sxx = sum((p[0] - mx) ** 2 for p in pts)
    if sxx == 0:
        return None
    b = sum((p[0] - mx) * (p[1] - my) for p in pts) / sxx
    return math.exp(my - b * mx), b


METRICS = [  # (name, how to read it from a result, unit divisor, unit)
    ("build wall", lambda r: r["build_wall_s"], 1, "s"),
    ("build CPU", lambda r: r["build_cpu_s"], 1, "s"),
    ("build peak (PSS, tree)", lambda r: r["build_peak_bytes"], 2**30, "GiB"),
    ("build disk peak", lambda r: r["build_disk_peak"], 1e9, "GB"),
    ("KB on disk", lambda r: r["kb_bytes"], 1e9, "GB"),
    ("KB open", lambda r: r["open_s"], 1e-3, "ms"),
    ("RSS after open", lambda r: r["link"]["rss_after_open"], 2**20, "MiB"),
    ("link docs/s (cap 2,000)", lambda r: r["link"]["docs_s"], 1, "docs/s"),
    ("link p99 (cap 2,000)", lambda r: r["link"]["p99_ms"], 1, "ms"),
    ("link docs/s (no cap)", lambda r: r["link_uncapped"]["docs_s"], 1, "docs/s"),
    ("surfaces", lambda r: r["surfaces"], 1e6, "M"),
]


def report(results: list[dict], argv: list[str]) -> str:
    """The tables, the fits and the projection, as Markdown."""
    results = sorted(results, key=lambda r: r["pages"])
    lines = [f"Synthetic dumps (bench/synthetic_dump.py), {machine()}", ""]
    rows = []
    for r in results:
        lk, lu = r["link"], r["link_uncapped"]
        rows.append([f"{r['pages']:,}", f"{r['entries']:,}", f"{r['surfaces']:,}", f"{r['dump_bytes'] / 1e6:,.0f}",
                     f"{r['build_wall_s']:,.0f}", f"{r['build_cpu_s']:,.0f}",
                     f"{(r['build_peak_bytes'] or 0) / 2**20:,.0f}", f"{r['kb_bytes'] / 1e6:,.0f}",
                     f"{r['open_s'] * 1000:,.1f}", f"{lk['rss_after_open'] / 2**20:,.0f}",
                     f"{lk['docs_s']:,.0f}", f"{lk['p50_ms']:.1f}", f"{lk['p99_ms']:.1f}", f"{lu['docs_s']:,.0f}",
                     f"{r['other_load']:.1f}" if r.get("other_load") is not None else ""])
    lines.append(format_table(["pages", "entries", "surfaces", "bz2 MB", "build s", "CPU s", "peak MiB",
                               "KB MB", "open ms", "RSS open MiB", "docs/s", "p50 ms", "p99 ms",
                               "docs/s no cap", "other load"], rows, [True] * 15))
    lines += ["", "Build phases (wall s / CPU s / peak PSS MiB of the process tree):", ""]
    names = [p["phase"] for p in results[-1]["phases"]]
    prow = []
    for name in names:
        cells = [name]
        for r in results:
            p = next((q for q in r["phases"] if q["phase"] == name), None)
            cells.append(f"{p['wall_s']:,.1f} / {p['cpu_s']:,.1f} / {p['peak_bytes'] / 2**20:,.0f}" if p else "")
        prow.append(cells)
    lines.append(format_table(["phase", *(f"{r['pages']:,} pages" for r in results)], prow,
                              [False] + [True] * len(results)))
    lines += ["", f"Fits y = a·pages^b and the projection to English Wikipedia ({FULL_PAGES / 1e6:.1f} M pages):", ""]
    frow = []
    xs = [r["pages"] for r in results]
    for name, get, div, unit in METRICS:
        ys = [get(r) for r in results]
        fit = fit_power(xs, ys)
        if fit is None:
            frow.append([name, "", "", "needs two sizes"])
            continue
        a, b = fit
        frow.append([name, f"{a:.3g}", f"{b:.2f}", f"{a * FULL_PAGES ** b / div:,.1f} {unit}"])
    lines.append(format_table(["figure", "a", "b", "projected"], frow, [False, True, True, True]))
    lines += ["", "reproduce: " + " ".join([os.path.relpath(sys.executable, REPO)
                                           if Path(sys.executable).is_relative_to(REPO) else sys.executable,
                                           "bench/scale_rehearsal.py", *argv])]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child-build"]:
        child_build(Path(argv[1]), Path(argv[2]), int(argv[3]), Path(argv[4]))
        return 0
    if argv[:1] == ["--child-link"]:
        child_link(Path(argv[1]), Path(argv[2]), None if argv[3] == "-" else int(argv[3]), int(argv[4]))
        return 0
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, nargs="+", required=True)
    ap.add_argument("--work", type=Path, default=BENCH / "out" / "rehearsal")
    ap.add_argument("--jobs", type=int, default=1, help="build workers (default 1)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--docs", type=int, default=200, help="news-length texts to link")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--reuse", action="store_true",
                    help="take a size's figures from an earlier run's result-PAGES.json in --work, if there")
    args = ap.parse_args(argv)
    if any(p < 100 for p in args.pages):
        print("Error: --pages: give sizes of at least 100 pages", file=sys.stderr)
        return 2
    results = []
    for pages in args.pages:
        done = args.work / f"result-{pages}.json"
        if args.reuse and done.exists():
            results.append(json.loads(done.read_text()))
            continue
        r = rehearse(pages, args.work, args.jobs, args.seed, args.docs, args.repeats,
                     log=lambda m: print(m, file=sys.stderr, flush=True))
        results.append(r)
        tmp = done.with_suffix(".json.part")
        tmp.write_text(json.dumps(r, indent=1))
        tmp.replace(done)
    print(report(results, argv))
    return 0


if __name__ == "__main__":
    sys.exit(main())
