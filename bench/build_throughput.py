"""KB build throughput next to wikiextractor's plain-text extraction, on the same dumps.

For every dump, the KB build (text, links, statistics, previews, index,
scorer: ``build_kb()`` with the CLI's defaults, in a child process that also
times each phase) and ``python -m wikiextractor.WikiExtractor`` (plain text
only) run with the same number of workers, 2 then 1 by default, on the same
file. Reported: wall time (median of ``--repeats``), MB/s of
uncompressed XML, pages/s, peak memory (Σ PSS over the process tree and the
largest single process), output size, bytes per entry, and linkpedia's
throughput divided by wikiextractor's at the same worker count (target >= 1).

wikiextractor runs twice: in its default mode, which first scans the whole
dump for template definitions and then expands templates, and with
``--no-templates``, its fastest mode; the stricter ratio is the one against
``--no-templates``.

Besides the shared dumps, the bench generates a dump of ``--big-mb`` MB
(default 200) by repeating the English dump's pages under new titles
("Anarchism (copy 17)") and page ids. Links and redirects inside copy k are
rewritten to point at copy k's pages, so every copy has its own link graph,
anchors, surface/entry pairs and link contexts, as new articles would. It is
written once to ``--work`` (default ``bench/out/``, git-ignored) as .xml and
.xml.bz2 (bzip2 level 9, as Wikimedia compresses its dumps); the run reads the
.bz2 unless ``--big-format xml``. Copies do not grow the vocabulary, the red
links or the contexts of links that leave the dump, so memory and KB size are
extrapolated with ``--memory-model`` as well (see docs/benchmarks.md).

``--profile MB`` instead writes a slice of MB megabytes the same way and runs
the build under cProfile with one job and its extraction in the profiled
process (cProfile does not follow worker processes), printing the functions
with the largest own and cumulative time.
``--memory-model`` measures the peak RSS of each phase after pass 1, each in
its own process, on the generated dump's KB and on generated pass-1 KBs of
growing size (``--memory-scale``), measures bytes per key of what still grows
with the surfaces and the vocabulary, and adds it up for the full English
Wikipedia.

    .venv/bin/python bench/build_throughput.py                         # everything, ~25 min
    .venv/bin/python bench/build_throughput.py --big-mb 0 --repeats 1  # shared dumps only
    .venv/bin/python bench/build_throughput.py --profile 30
    .venv/bin/python bench/build_throughput.py --memory-model
"""

from __future__ import annotations

import argparse
import bz2
import json
import math
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (  # noqa: E402
    MB,
    REPO,
    SHARED_DUMPS,
    Measured,
    Task,
    XmlStats,
    dir_bytes,
    format_table,
    machine,
    measure_interleaved,
    median,
    open_decompressed,
    reproduce_line,
    xml_stats,
)

ENGLISH = SHARED_DUMPS / "enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2"
DEFAULT_DUMPS = [
    ENGLISH,
    SHARED_DUMPS / "bgwiki-latest-pages-articles-shortened.xml.bz2",
    SHARED_DUMPS / "enwiki-table-markup.xml.bz2",
]
WE_MODES = {"default": [], "no-templates": ["--no-templates"]}

# The full English Wikipedia, for the estimate (assumptions, see docs/benchmarks.md).
FULL_XML_BYTES = 95e9  # pages-articles.xml uncompressed (~24 GB as .bz2)
FULL_ARTICLES = 7.0e6  # main-namespace articles, July 2025
FULL_PAGES = 24e6  # <page> elements in pages-articles: articles, ~11.5M redirects, other namespaces


# --- the generated dump ---------------------------------------------------------------

_PAGE = re.compile(r"<page>.*?</page>\s*", re.S)
_TITLE = re.compile(r"<title>(.*?)</title>")
_NS = re.compile(r"<ns>(\d+)</ns>")
_PAGE_ID = re.compile(r"(</ns>\s*<id>)(\d+)(</id>)")
_REV_ID = re.compile(r"(<revision>\s*<id>)(\d+)(</id>)")
_REDIRECT = re.compile(r'(<redirect title=")(.*?)(" />)')
_LINK = re.compile(r"\[\[([^\[\]|#\n]+)(#[^\[\]|\n]*)?(\|[^\[\]]*)?\]\]")
ID_STEP = 10_000_000  # page ids of copy k start at k * ID_STEP
REV_STEP = 10_000_000_000


def _norm_title(title: str) -> str:
    title = " ".join(title.replace("_", " ").split())
    return title[:1].upper() + title[1:]


def _copy_page(page: str, k: int, titles: set[str]) -> str:
    """Page ``page`` as it appears in copy ``k``: renamed, renumbered, links into copy ``k``."""
    if k == 0:
        return page
    suffix = f" (copy {k})"

    def link(m: re.Match) -> str:
        target, section, shown = m.group(1), m.group(2) or "", m.group(3)
        norm = _norm_title(target)
        if norm not in titles:
            return m.group(0)
        return f"[[{norm}{suffix}{section}{shown or '|' + target + section}]]"

    page = _TITLE.sub(lambda m: f"<title>{m.group(1)}{suffix}</title>", page, count=1)
    page = _PAGE_ID.sub(lambda m: f"{m.group(1)}{int(m.group(2)) + k * ID_STEP}{m.group(3)}", page, count=1)
    page = _REV_ID.sub(lambda m: f"{m.group(1)}{int(m.group(2)) + k * REV_STEP}{m.group(3)}", page, count=1)
    page = _REDIRECT.sub(
        lambda m: m.group(1) + m.group(2) + (suffix if _norm_title(m.group(2)) in titles else "") + m.group(3),
        page, count=1,
    )
    start = page.find("<text")
    return page[:start] + _LINK.sub(link, page[start:]) if start >= 0 else page


def make_big_dump(source: Path, work: Path, min_mb: float, *, name: str, force: bool = False) -> tuple[Path, Path]:
    """Write ``name``.xml and ``name``.xml.bz2 of at least ``min_mb`` MB from ``source``'s pages."""
    xml_path, bz2_path = work / f"{name}.xml", work / f"{name}.xml.bz2"
    if xml_path.exists() and bz2_path.exists() and not force:
        return xml_path, bz2_path
    with open_decompressed(source) as f:
        text = f.read().decode("utf-8")
    pages = [m.group(0) for m in _PAGE.finditer(text)]
    if not pages:
        raise SystemExit(f"Error: {source}: no <page> elements; pass a UTF-8 MediaWiki XML export")
    first = _PAGE.search(text)
    header, footer = text[: first.start()], text[text.rfind("</page>") + len("</page>"):].lstrip()
    titles = {_norm_title(m.group(1)) for p in pages if (m := _TITLE.search(p))
              and (ns := _NS.search(p)) and ns.group(1) == "0"}
    work.mkdir(parents=True, exist_ok=True)
    tmp_xml, tmp_bz2 = xml_path.with_suffix(".xml.tmp"), bz2_path.with_suffix(".bz2.tmp")
    target = min_mb * MB
    written = 0
    with open(tmp_xml, "wb") as plain, bz2.open(tmp_bz2, "wb", compresslevel=9) as packed:
        def write(s: str) -> None:
            nonlocal written
            b = s.encode("utf-8")
            plain.write(b)
            packed.write(b)
            written += len(b)

        write(header)
        k = 0
        while written < target - len(footer):
            for page in pages:
                write(_copy_page(page, k, titles))
            k += 1
        write(footer)
    os.replace(tmp_xml, xml_path)
    os.replace(tmp_bz2, bz2_path)
    print(f"wrote {xml_path} ({written / MB:.0f} MB, {k} copies of {len(pages)} pages) and its .bz2",
          file=sys.stderr)
    return xml_path, bz2_path


# --- runs -----------------------------------------------------------------------------


@dataclass
class Row:
    dump: str
    xml: XmlStats
    tool: str
    jobs: int
    runs: list[Measured]
    out_bytes: int | None = None
    entries: int | None = None  # KB entries, or documents written by wikiextractor
    phases: list[dict] = field(default_factory=list)  # linkpedia only: phase, seconds, main_max_rss

    @property
    def ok(self) -> bool:
        return bool(self.runs) and all(r.ok for r in self.runs)

    @property
    def seconds(self) -> float:
        return median(r.seconds for r in self.runs)

    @property
    def cpu_seconds(self) -> float:
        return median(r.cpu_seconds for r in self.runs)

    @property
    def other_load(self) -> float | None:
        vals = [r.other_load for r in self.runs if r.other_load is not None]
        return max(vals) if vals else None

    @property
    def mb_per_s(self) -> float:
        return self.xml.bytes / MB / self.seconds

    @property
    def peak_pss(self) -> int | None:
        vals = [r.peak_tree_pss for r in self.runs if r.peak_tree_pss is not None]
        return max(vals) if vals else None

    @property
    def max_rss(self) -> int:
        return max(r.max_rss for r in self.runs)

    def error(self) -> str:
        bad = next(r for r in self.runs if not r.ok)
        lines = [ln for ln in bad.stderr.strip().splitlines() if ln.strip()]
        return f"exit {bad.returncode}: {lines[-1][:160] if lines else 'no message'}"


def child_build(dump: Path, out: Path, jobs: int, phases_json: Path) -> None:
    """What ``linkpedia build DUMP --out OUT --jobs N`` does, plus its report and phase timings.

    The CLI calls ``build_kb`` with the same default options and a progress bar
    that stays silent when stderr is not a terminal; this passes a hook that
    records each phase's wall time, the main process's CPU time during it and
    its peak RSS when it ends. A phase whose main-process CPU time is close to
    its wall time is serial: more workers cannot shorten it.
    """
    import resource
    import time

    from linkpedia import BuildOptions, build_kb
    from linkpedia.kb.build import ProgressHook

    phases: list[dict] = []

    class Timer(ProgressHook):
        def start(self, phase: str, total: int | None) -> None:
            own = resource.getrusage(resource.RUSAGE_SELF)
            phases.append({"phase": phase, "t0": time.perf_counter(), "cpu0": own.ru_utime + own.ru_stime})

        def finish(self) -> None:
            p = phases[-1]
            own = resource.getrusage(resource.RUSAGE_SELF)
            p["seconds"] = time.perf_counter() - p.pop("t0")
            p["main_cpu"] = own.ru_utime + own.ru_stime - p.pop("cpu0")
            p["main_max_rss"] = own.ru_maxrss * 1024

    report = build_kb([dump], out, options=BuildOptions(jobs=jobs), progress=Timer())
    phases_json.write_text(json.dumps({"entries": report.entries, "pages": report.pages, "phases": phases}))


def _read_report(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


def measure_dump(dump: Path, xml: XmlStats, jobs: list[int], modes: list[str], repeats: int,
                 work: Path) -> list[Row]:
    """linkpedia and wikiextractor at each worker count, interleaved ``repeats`` times."""
    tasks: list[Task] = []
    rows: dict[str, Row] = {}
    outputs: dict[str, Path] = {}
    reports: dict[str, list[dict]] = {}
    for j in jobs:
        kb = work / f"kb-{dump.name}-j{j}"
        phases_json = work / f"report-{dump.name}-j{j}.json"
        name = f"linkpedia-j{j}"
        rows[name], outputs[name], reports[name] = Row(dump.name, xml, "linkpedia build", j, []), kb, []

        def before(kb: Path = kb, phases_json: Path = phases_json) -> None:
            shutil.rmtree(kb, ignore_errors=True)
            phases_json.unlink(missing_ok=True)

        def after(_: Measured, name: str = name, phases_json: Path = phases_json) -> None:
            reports[name].append(_read_report(phases_json))

        tasks.append(Task(name, [sys.executable, __file__, "--child-build", str(dump), str(kb), str(j),
                                 str(phases_json)], before, after))
        for mode in modes:
            out = work / f"we-{dump.name}-j{j}-{mode}"
            name = f"wikiextractor-{mode}-j{j}"
            rows[name], outputs[name] = Row(dump.name, xml, f"wikiextractor ({mode})", j, []), out
            tasks.append(Task(name, [sys.executable, "-m", "wikiextractor.WikiExtractor", str(dump), "-o",
                                     str(out), "--processes", str(j), "-q", *WE_MODES[mode]],
                              lambda out=out: shutil.rmtree(out, ignore_errors=True)))
    for name, runs in measure_interleaved(tasks, repeats).items():
        row, out = rows[name], outputs[name]
        row.runs = runs
        if not row.ok:
            continue
        if row.tool == "linkpedia build":
            order = sorted(range(len(runs)), key=lambda i: runs[i].seconds)
            report = reports[name][order[len(order) // 2]]  # that of the median run
            row.entries = report.get("entries")
            row.phases = report.get("phases", [])
            row.out_bytes = dir_bytes(out)
        else:
            files = [p for p in out.rglob("*") if p.is_file()]
            row.out_bytes = sum(p.stat().st_size for p in files)
            row.entries = sum(p.read_bytes().count(b"<doc ") for p in files)
            if row.entries == 0:  # it exits 0 having written nothing (e.g. no <siteinfo>)
                last = runs[-1]
                tail = [ln for ln in last.stderr.splitlines() if ln.strip()]
                row.runs[-1] = replace(last, returncode=1,
                                       stderr="no documents written " + (tail[-1] if tail else ""))
    return list(rows.values())


def label(dump_name: str) -> str:
    """A dump's file name without the parts every dump has: the tables stay readable."""
    return re.sub(r"-latest-pages-articles|\.xml|-p\d+p\d+", "", dump_name)


PHASES = {  # build_kb's progress phases, by the first word of their name
    "reading": "read+extract",
    "deriving": "derive",
    "counting": "occurrences",
    "building": "profiles",
    "compiling": "index",
    "training": "train",
}


def phase_tables(rows: list[Row]) -> str:
    """Where linkpedia's wall time goes, and the main process's peak RSS after each phase."""
    rows = [r for r in rows if r.ok and r.phases]
    if not rows:
        return ""
    names = list(PHASES.values())
    times, mems = [], []
    for r in rows:
        by = {PHASES.get(p["phase"].split()[0], p["phase"]): p for p in r.phases}
        other = r.seconds - sum(p["seconds"] for p in r.phases)
        times.append([label(r.dump), r.jobs, f"{r.seconds:,.1f}", f"{other:,.1f}"] + [
            f"{by[n]['seconds']:,.1f} ({100 * by[n]['seconds'] / r.seconds:.0f}%)" if n in by else ""
            for n in names])
        mems.append([label(r.dump), r.jobs] + [
            f"{by[n].get('main_cpu', float('nan')):,.1f} s, {_mb(by[n]['main_max_rss'])} MiB" if n in by else ""
            for n in names])
    return "\n".join([
        "linkpedia phases, wall seconds (share of the run); 'other' = start-up, imports, file moves:",
        format_table(["dump", "jobs", "wall s", "other", *names], times, [False] + [True] * (len(names) + 3)),
        "",
        "linkpedia main process (workers not included): CPU seconds in each phase, and peak RSS by its end;",
        "CPU close to the phase's wall time means the phase is serial:",
        format_table(["dump", "jobs", *names], mems, [False] + [True] * (len(names) + 1)),
    ])


def _mb(n: int | None) -> str:
    return "" if n is None else f"{n / 2**20:,.0f}"


def table(rows: list[Row]) -> str:
    headers = ["dump", "XML MB", "pages", "jobs", "tool", "wall s", "CPU s", "MB/s", "pages/s",
               "peak RAM MiB", "largest proc MiB", "output MB", "entries", "bytes/entry",
               "linkpedia ÷ this (wall)", "(CPU)", "other load"]
    out: list[list] = []
    failures: list[str] = []
    ours = {(r.dump, r.jobs): r for r in rows if r.tool == "linkpedia build" and r.ok}
    for r in rows:
        if not r.ok:
            out.append([label(r.dump), f"{r.xml.bytes / MB:,.1f}", f"{r.xml.pages:,}", r.jobs, r.tool,
                        "failed", *[""] * 11])
            failures.append(f"{label(r.dump)}, {r.tool}, jobs {r.jobs}: {r.error()}")
            continue
        mine = ours.get((r.dump, r.jobs))
        vs = mine is not None and r is not mine
        out.append([
            label(r.dump), f"{r.xml.bytes / MB:,.1f}", f"{r.xml.pages:,}", r.jobs, r.tool,
            f"{r.seconds:,.1f}", f"{r.cpu_seconds:,.1f}", f"{r.mb_per_s:.2f}",
            f"{r.xml.pages / r.seconds:,.0f}", _mb(r.peak_pss), _mb(r.max_rss),
            "" if r.out_bytes is None else f"{r.out_bytes / MB:,.1f}",
            "" if r.entries is None else f"{r.entries:,}",
            f"{r.out_bytes / r.entries:,.0f}" if r.entries else "",
            f"{r.seconds / mine.seconds:.2f}" if vs else "",
            f"{r.cpu_seconds / mine.cpu_seconds:.2f}" if vs else "",
            "" if r.other_load is None else f"{r.other_load:.1f}",
        ])
    right = [False, True, True, True, False] + [True] * 12
    notes = "".join(f"\n- failed: {f}" for f in failures)
    return format_table(headers, out, right) + notes


def estimate(small: Row | None, big: Row | None) -> str:
    """The full English Wikipedia on this machine, extrapolated from the measured runs."""
    if big is None or not big.ok:
        return "no estimate: the generated dump was not measured (--big-mb 0 or a failed run)"
    gb = FULL_XML_BYTES / MB
    lines = [f"Full English Wikipedia (~{FULL_XML_BYTES / 1e9:.0f} GB XML, ~{FULL_PAGES / 1e6:.0f}M pages, "
             f"~{FULL_ARTICLES / 1e6:.1f}M articles), {big.jobs} jobs, extrapolated from {label(big.dump)}:"]
    lines.append(f"  time   {gb / big.mb_per_s / 3600:,.1f} h at the measured {big.mb_per_s:.2f} MB/s "
                 f"(other load {big.other_load or 0:.1f} cores)")
    main_cpu = sum(p.get("main_cpu", 0.0) for p in big.phases)
    if main_cpu:
        bound = max(main_cpu, big.cpu_seconds / big.jobs)
        lines.append(f"         {gb / (big.xml.bytes / MB / bound) / 3600:,.1f} h on an idle machine at best: "
                     f"max(main-process CPU {main_cpu:,.0f} s, tree CPU {big.cpu_seconds:,.0f} s / {big.jobs}) "
                     f"per {big.xml.bytes / MB:,.0f} MB")
    per_mb = big.out_bytes / (big.xml.bytes / MB)
    lines.append(f"  KB     {per_mb * gb / 1e9:,.0f} GB at {per_mb / 1e3:,.0f} kB per XML MB; "
                 f"{big.out_bytes / big.entries * FULL_ARTICLES / 1e9:,.0f} GB at {big.out_bytes / big.entries:,.0f}"
                 f" bytes/entry (too high: {big.xml.bytes / big.entries / 1e3:,.0f} kB of XML per entry here,"
                 f" {FULL_XML_BYTES / FULL_ARTICLES / 1e3:,.0f} kB in the full dump); copies add few context rows,"
                 " see --memory-model")
    if small is not None and small.ok and small.peak_pss and big.peak_pss and big.xml.bytes > small.xml.bytes:
        slope = (big.peak_pss - small.peak_pss) / (big.xml.bytes - small.xml.bytes)
        ram = small.peak_pss + slope * (FULL_XML_BYTES - small.xml.bytes)
        lines.append(f"  RAM    {ram / 2**30:,.0f} GiB if the peak grew linearly "
                     f"({slope * 1e9 / 2**20:,.0f} MiB per GB of XML, {label(small.dump)} -> {label(big.dump)}); "
                     "it does not: see --memory-model and docs/benchmarks.md")
    return "\n".join(lines)


# --- profile --------------------------------------------------------------------------


def profile(mb: float, work: Path, source: Path, top: int = 25) -> None:
    import pstats

    xml, _ = make_big_dump(source, work, mb, name=f"enwiki-slice-{mb:g}MB")
    prof = work / f"build-{mb:g}MB.prof"
    kb = work / f"kb-profile-{mb:g}MB"
    shutil.rmtree(kb, ignore_errors=True)
    cmd = [sys.executable, "-m", "cProfile", "-o", str(prof), __file__, "--child-profile", str(xml), str(kb)]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    stats = pstats.Stats(str(prof))
    total = stats.total_tt  # type: ignore[attr-defined]
    print(f"cProfile of a one-process build (`build_kb`, jobs 1, extraction in the profiled process) on "
          f"{xml.name} ({dir_bytes(xml) / MB:.0f} MB): "
          f"{total:,.1f} s under the profiler")
    entries = stats.stats  # type: ignore[attr-defined]

    def name(func) -> str:
        path, line, fn = func
        for root in (str(REPO / "src") + "/", str(Path(sys.prefix)) + "/"):
            path = path.replace(root, "")
        return f"{fn} ({path}:{line})" if line else fn

    for key, label in ((2, "own time (tottime)"), (3, "cumulative time")):
        rows = sorted(entries.items(), key=lambda kv: kv[1][key], reverse=True)[:top]
        print(f"\ntop {top} by {label}:")
        print(format_table(
            ["function", "calls", "own s", "own %", "cum s", "cum %"],
            [[name(f), f"{v[1]:,}", f"{v[2]:.1f}", f"{100 * v[2] / total:.1f}", f"{v[3]:.1f}",
              f"{100 * v[3] / total:.1f}"] for f, v in rows],
            [False, True, True, True, True, True],
        ))
    print(f"\nprofile saved to {prof}; reproduce: {shlex_join(cmd)}")


def child_profile(xml: Path, kb: Path) -> None:
    """A build whose extraction runs in this process (``linkpedia build -j 1`` uses a
    worker process, which cProfile does not follow)."""
    from linkpedia import BuildOptions, build_kb
    from linkpedia.kb.build import LocalExtractor

    extractor = LocalExtractor(1, keep_sums=True, in_process=True)
    try:
        build_kb([xml], kb, options=BuildOptions(jobs=1), extractor=extractor)
    finally:
        extractor.close()


def shlex_join(cmd: list[str]) -> str:
    import shlex

    return shlex.join(cmd)


# --- memory model ---------------------------------------------------------------------

# Counts assumed for the full English Wikipedia (see docs/benchmarks.md for the sources).
FULL_WORDS = 5.0e9  # words in article text
FULL_REDIRECTS = 11.5e6  # main-namespace redirects
FULL_LINKS = 2.0e8  # wikilinks in article text
FULL_TARGETS = 1.0e7  # distinct link targets as written: articles, redirects and red links
FULL_EDGES = 1.8e8  # distinct article -> entry pairs after resolving redirects
FULL_PAIRS = 5.0e7  # distinct (surface, entry) pairs: anchors, titles, redirects, dab senses
FULL_ANCHORS = 3.0e7  # distinct anchor texts
FULL_SURFACES = 4.0e7  # distinct surfaces: the anchor texts and ~10M names never used as anchors (assumed)
FULL_VOCAB_KEPT = 0.4  # share of distinct words with df >= MIN_DF (2) (assumed)
PROFILE_TERMS = 32  # BuildOptions.profile_terms


def _power_law_mean(alpha: float, kmax: int) -> float:
    k = range(1, kmax + 1)
    w = [x ** -alpha for x in k]
    return sum(x * y for x, y in zip(k, w)) / sum(w)


def _context_pairs(links: float, targets: float, distinct, kmax: int = 200_000) -> float:
    """Distinct (target, term) pairs when in-links follow a power law with mean links/targets
    and a target with k in-links has ``distinct(k)`` distinct context terms."""
    lo, hi = 1.01, 4.0
    for _ in range(40):  # the exponent whose mean matches, by bisection
        mid = (lo + hi) / 2
        lo, hi = (lo, mid) if _power_law_mean(mid, kmax) < links / targets else (mid, hi)
    alpha = (lo + hi) / 2
    w = [k ** -alpha for k in range(1, kmax + 1)]
    per_target = sum(p * distinct(k) for k, p in zip(range(1, kmax + 1), w)) / sum(w)
    return targets * per_target


def _table_bytes_per_row(kb: Path, table: str) -> float | None:
    """On-disk bytes per row of ``table`` in a built KB (SQLite's dbstat), None if unknown."""
    import sqlite3

    try:
        con = sqlite3.connect(f"file:{kb / 'kb.sqlite'}?mode=ro", uri=True)
        size = con.execute("SELECT sum(pgsize) FROM dbstat WHERE name = ?", (table,)).fetchone()[0]
        rows = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        con.close()
    except sqlite3.Error:
        return None
    return size / rows if size and rows else None


POST_PASS1 = ("derive", "occurrences", "profiles", "index")  # finish_kb's phases, in order
PASS1_TABLES = ("pages", "page_links", "term_df", "contexts")


def _status_bytes(field: str) -> int:
    """A size from /proc/self/status (VmRSS: resident now; VmHWM: its peak), in bytes."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"/proc/self/status has no {field}: --memory-model needs Linux")


def _reset_peak() -> int:
    """Restart the peak RSS from the current RSS, and return that.

    ``ru_maxrss`` cannot be used here: Linux carries it over ``execve``, so a
    child would report its parent's peak. VmHWM belongs to the address space,
    and writing 5 to clear_refs resets it (Linux >= 4.0).
    """
    Path("/proc/self/clear_refs").write_text("5")
    return _status_bytes("VmRSS")


def _connect_like_build(db: Path):
    """A connection to ``db`` with the settings ``store.create_db`` gives the build's own."""
    import sqlite3
    import tempfile

    from linkpedia.kb.store import create_db

    with tempfile.TemporaryDirectory() as d:
        probe = create_db(Path(d) / "probe.sqlite")
        pragmas = {p: probe.execute(f"PRAGMA {p}").fetchone()[0]
                   for p in ("journal_mode", "synchronous", "cache_size", "temp_store")}
        probe.close()
    con = sqlite3.connect(db, isolation_level=None)
    for p, v in pragmas.items():
        con.execute(f"PRAGMA {p}={v}")
    return con


def child_phase(phase: str, kb: Path) -> None:
    """Run one of ``finish_kb``'s phases on ``kb`` as the build does; print its peak RSS as JSON.

    A fresh process per phase, so that the peak is that phase's own (in one
    process it only ever grows). ``before`` is the RSS of the interpreter
    with linkpedia imported; occurrence counting forks 2 workers (a 2-core
    build), whose largest peak (``ru_maxrss``, counting the pages they share
    with this process) is ``workers``.
    """
    import resource
    import time
    from collections import Counter

    from linkpedia import BuildOptions
    from linkpedia.kb import aggregate, index, occurrences, profiles

    options = BuildOptions()
    db = kb / "kb.sqlite"
    con = _connect_like_build(db)
    before = _reset_peak()
    started = time.perf_counter()
    if phase == "derive":
        aggregate.derive(con, Counter(), min_anchor_count=options.min_anchor_count)
    elif phase == "occurrences":
        occurrences.count(con, db, 2)
    elif phase == "profiles":
        n_docs = con.execute("SELECT count(*) FROM pages WHERE kind = 'article'").fetchone()[0]
        profiles.build(con, n_docs, keep=options.profile_terms)
    elif phase == "index":
        con.execute("ANALYZE")
        index.compile_index(kb)
    seconds = time.perf_counter() - started
    con.close()
    print(json.dumps({"phase": phase, "seconds": seconds, "before": before, "peak": _status_bytes("VmHWM"),
                      "workers": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024}))


def measure_phases(db: Path, work: Path) -> tuple[dict[str, int], list[dict]]:
    """(pass-1 row counts, one child_phase report per phase) for a copy of ``db``'s pass-1 rows."""
    import sqlite3

    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    shutil.copyfile(db, work / "kb.sqlite")
    con = sqlite3.connect(work / "kb.sqlite")
    for table in ("entries", "redirects", "surfaces", "surface_entries", "edges", "terms", "profiles"):
        con.execute(f"DELETE FROM {table}")
    con.execute("DROP TABLE IF EXISTS sqlite_stat1")
    con.commit()
    con.execute("VACUUM")
    rows = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in PASS1_TABLES}
    con.close()
    reports = []
    for phase in POST_PASS1:
        done = subprocess.run([sys.executable, __file__, "--child-phase", phase, str(work)],
                              check=True, capture_output=True, text=True)
        reports.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return rows, reports


def make_pass1_kb(path: Path, articles: int) -> Path:
    """A generated KB holding only pass 1's rows, shaped roughly like Wikipedia's.

    Per article: 1.5 redirects (1 in 50 of them in a chain), ~25 distinct
    links to Zipf-distributed targets (a quarter of them red links, 40 % with
    an anchor other than the title), a 60-word lead; 1 disambiguation page per
    30 articles; ~40 context terms per second link target, over a fixed
    200,000-word vocabulary. Links, context rows and pages all grow linearly
    with ``articles``, which is the point: the peaks must not.
    """
    import json as _json
    import random
    import zlib

    import numpy as np

    from linkpedia.kb.store import create_db

    path.mkdir(parents=True, exist_ok=True)
    db = path / "kb.sqlite"
    db.unlink(missing_ok=True)
    rng, rnd = np.random.default_rng(0), random.Random(0)
    vocab = [f"w{i:x}q" for i in range(200_000)]
    titles = [f"Article {i}" + (" (topic)" if i % 7 == 0 else "") for i in range(articles)]
    redirects = [f"Redirect {i}" for i in range(articles * 3 // 2)]
    dabs = [f"Name {i} (disambiguation)" for i in range(articles // 30)]
    targets = titles + redirects + [f"Red link {i}" for i in range(articles // 4)]
    con = create_db(db)
    con.execute("INSERT INTO sources(path, format, has_links, added_at) VALUES ('generated', 'xml', 1, 'now')")
    con.execute("BEGIN")

    def pages():
        words = rng.zipf(1.3, size=articles * 60) % len(vocab)
        for i, t in enumerate(titles):
            lead = " ".join(vocab[w] for w in words[i * 60:(i + 1) * 60])
            yield (t, "article", None, _json.dumps([f"Alias {i}"] if i % 5 == 0 else []), t,
                   zlib.compress((lead + "\n\nrest").encode(), 3))
        for i, t in enumerate(redirects):
            to = titles[i * 7919 % articles] if i % 50 else redirects[(i + 1) % len(redirects)]
            yield (t, "redirect", to, "[]", "", None)
        for t in dabs:
            yield (t, "disambiguation", None, "[]", t, zlib.compress(b"may refer to", 3))

    def links():
        for page in range(1, articles + 1):
            for t in set((rng.zipf(1.15, size=25) * 7919 % len(targets)).tolist()):
                anchor = targets[t] if rnd.random() < 0.6 else f"anchor {t % 5000}"
                yield (page, targets[t], anchor, 1 + (t % 3 == 0))
        first_dab = articles + len(redirects) + 1
        for j in range(len(dabs)):
            for k in range(5):
                t = titles[(j * 31 + k) % articles]
                yield (first_dab + j, t, t, 1)

    def contexts():
        for t in range(0, len(targets), 2):
            for w in sorted(set((rng.zipf(1.3, size=40) % len(vocab)).tolist())):
                yield (targets[t], vocab[w], 1 + w % 4)

    con.executemany("INSERT INTO pages(title, kind, redirect_to, source_id, has_links, aliases, preview, text)"
                    " VALUES (?, ?, ?, 1, 1, ?, ?, ?)", pages())
    con.executemany("INSERT OR IGNORE INTO page_links VALUES (?, ?, ?, ?)", links())
    con.executemany("INSERT INTO term_df VALUES (?, ?)",
                    ((w, 1 + len(vocab) // (i + 1)) for i, w in enumerate(vocab)))
    con.executemany("INSERT OR IGNORE INTO contexts VALUES (?, ?, ?)", contexts())
    con.execute("COMMIT")
    con.close()
    return db


def child_cost(kind: str, n: int, kb: Path) -> None:
    """Bytes per key of a structure that grows with the surfaces or the vocabulary; print JSON.

    Keys are surface-like: as many words as a random surface of the built
    KB ``kb`` has, each a random word of its articles' text: a marisa-trie
    built from a stream of keys (peak while building, and saved size), as
    the index and the occurrence and casing counts (kb/scan.py) build theirs.
    """
    import random
    import sqlite3

    from linkpedia.kb.store import unpack_text
    from linkpedia.text import WORD

    con = sqlite3.connect(f"file:{kb / 'kb.sqlite'}?mode=ro", uri=True)
    lengths = [len(s.split()) for (s,) in con.execute("SELECT surface FROM surfaces")]
    words = [w for (blob,) in con.execute("SELECT text FROM pages WHERE text IS NOT NULL")
             for w in WORD.findall(unpack_text(blob))]  # as often as they occur in text
    con.close()
    rnd = random.Random(0)
    keys = list(dict.fromkeys(" ".join(rnd.choice(words) for _ in range(rnd.choice(lengths)))
                              for _ in range(n)))
    out: dict[str, float] = {"keys": len(keys), "mean_len": sum(map(len, keys)) / len(keys)}
    before = _reset_peak()
    import marisa_trie

    trie = marisa_trie.Trie(iter(keys))
    out["build"] = (_status_bytes("VmHWM") - before) / len(keys)
    out["saved"] = len(trie.tobytes()) / len(keys)
    print(json.dumps(out))


def _child_json(*args: str) -> dict:
    done = subprocess.run([sys.executable, __file__, *args], check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _phase_table(runs: list[tuple[str, dict[str, int], list[dict]]]) -> str:
    rows = []
    for name, counts, reports in runs:
        by = {r["phase"]: r for r in reports}
        rows.append([name, f"{counts['pages']:,}", f"{counts['page_links']:,}", f"{counts['contexts']:,}",
                     _mb(by["derive"]["before"])]
                    + [f"{_mb(by[p]['peak'])} ({by[p]['seconds']:,.1f} s)" for p in POST_PASS1]
                    + [_mb(by["occurrences"]["workers"])])
    return format_table(["pass-1 rows of", "pages", "links", "context rows", "before",
                         *(f"{p} MiB (s)" for p in POST_PASS1), "occurrence workers MiB"],
                        rows, [False] + [True] * 9)


def memory_model(source: Path, work: Path, big_dump: Path | None, scale: list[int]) -> None:
    """Peak RSS of each phase after pass 1, measured, and the full English Wikipedia's.

    1. Link and vocabulary statistics from real pages (``extract_page`` on the
       source dump) give the full dump's context rows and vocabulary.
    2. Each of ``finish_kb``'s phases runs in its own child process on a copy
       of the pass-1 rows of the synthetic dump's KB, then of generated
       pass-1 KBs of growing size (``make_pass1_kb``): the peaks must not grow
       with the rows.
    3. What does grow, with the entries, surfaces and vocabulary: bytes per
       key of the tries (measured), and the count and index arrays (their
       dtypes), multiplied out for the full dump.
    """
    from collections import Counter

    from linkpedia.kb.extract import CONTEXT_WINDOW, extract_page
    from linkpedia.kb.store import unpack_text
    from linkpedia.sources import open_source
    from linkpedia.text import WORD, terms

    src = open_source(source)
    records = [r for r in (extract_page(p, src.site) for p in src.pages()) if r.kind == "article"]
    pairs: dict[str, set[str]] = {}
    in_links: Counter[str] = Counter()
    for rec in records:
        in_links.update(t for _, _, t in rec.links)
        for target, term in rec.contexts:
            pairs.setdefault(target, set()).add(term)
    n_links = sum(in_links.values())
    n_pairs = sum(len(v) for v in pairs.values())
    # a·k^gamma from the mean distinct terms of targets with 1 and with 5-16 in-links
    d1 = [len(v) for t, v in pairs.items() if in_links[t] == 1]
    dk = [(in_links[t], len(v)) for t, v in pairs.items() if 5 <= in_links[t] <= 16]
    a = sum(d1) / len(d1)
    k_mean = sum(k for k, _ in dk) / len(dk)
    gamma = math.log(sum(d for _, d in dk) / len(dk) / a) / math.log(k_mean)
    # Heaps' law on the lower-cased words that feed the document frequencies.
    seen: set[str] = set()
    n = n_terms = 0
    marks = []
    for rec in records:
        text = unpack_text(rec.text_z) if rec.text_z else ""
        n_terms += len(terms(text))
        for w in WORD.findall(text.lower()):
            n += 1
            seen.add(w)
            if n == 30_000:
                marks.append((n, len(seen)))
    marks.append((n, len(seen)))
    (n1, v1), (n2, v2) = marks
    content = n_terms / n2  # share of words that are context terms (not stopwords, numbers)
    beta = math.log(v2 / v1) / math.log(n2 / n1)
    vocab = v2 * (FULL_WORDS / n2) ** beta
    full_terms = FULL_VOCAB_KEPT * vocab
    # Many links to one target: its windows' terms grow like any text's vocabulary (Heaps).
    window = 2 * CONTEXT_WINDOW / content  # words of running text around one link
    full_ctx = _context_pairs(FULL_LINKS, FULL_TARGETS,
                              lambda k: min(a * k ** gamma, v2 * (window * k / n2) ** beta))
    print(f"Measured on {source.name}: {len(records):,} articles, {n_links:,} links to {len(in_links):,} "
          f"targets, {n_pairs:,} distinct (target, context term) pairs; a target with k in-links has "
          f"{a:.1f}·k^{gamma:.2f} distinct context terms; Heaps' law V ∝ n^{beta:.2f} over {n2:,} words")

    runs = []
    if big_dump is not None:
        kb = work / f"kb-{big_dump.name}-j2"
        if not (kb / "kb.sqlite").is_file():
            from linkpedia import BuildOptions, build_kb

            print(f"building {kb} (no training) ...", file=sys.stderr, flush=True)
            build_kb([big_dump], kb, options=BuildOptions(jobs=2, train=False))
        runs.append((label(big_dump.name), *measure_phases(kb / "kb.sqlite", work / "memory-model" / "kb")))
    for articles in scale:
        print(f"generating and measuring {articles:,} articles ...", file=sys.stderr, flush=True)
        db = make_pass1_kb(work / "memory-model" / f"pass1-{articles}", articles)
        runs.append((f"generated, {articles:,} articles", *measure_phases(db, work / "memory-model" / "kb")))
    print("\nPeak RSS of each phase after pass 1, each in a fresh process (MiB; 'before': the interpreter "
          "with linkpedia imported; wall seconds in brackets):")
    print(_phase_table(runs))

    probe = work / f"kb-{source.name}-j2"  # real surfaces, for keys of the right shape
    if not (probe / "kb.sqlite").is_file():
        from linkpedia import BuildOptions, build_kb

        build_kb([source], probe, options=BuildOptions(jobs=2, train=False))
    trie = _child_json("--child-cost", "trie", "2000000", str(probe))
    print(f"\nPer key ({trie['keys']:,} surface-like keys, {trie['mean_len']:.1f} characters on average): "
          f"marisa-trie {trie['build']:.0f} B while building, {trie['saved']:.1f} B built")

    last = {r["phase"]: r for r in runs[-1][2]} if runs else {}
    flat = {p: last[p]["peak"] if last else 0 for p in POST_PASS1}
    # A phase whose peak still grew by a quarter from the second-largest generated KB is not bounded.
    prev = {r["phase"]: r for r in runs[-2][2]} if len(scale) > 1 else {}
    grows = {p for p in POST_PASS1 if prev and last[p]["peak"] > 1.25 * prev[p]["peak"]}
    E, S, T = FULL_ARTICLES, FULL_SURFACES, full_terms
    build, saved = trie["build"], trie["saved"]
    # What grows, by phase and by stage: a phase's peak is its measured flat
    # peak plus its largest stage (the stages of a phase come one after another).
    stages = [
        # phase, stage, [(structure, count, bytes per item)]
        ("occurrences", "surface trie being built (kb/scan.py)", [("marisa-trie keyset", S, build)]),
        ("occurrences", "counting (kb/occurrences.py)",
         [("surface trie, mmap'd", S, saved),
          ("totals by key id, then by surface id, and the id map", S, 40)]),
        ("occurrences", "casing: folded trie being built (kb/casing.py)", [("marisa-trie keyset", S, build)]),
        ("occurrences", "casing: counting", [("folded trie, mmap'd", S, saved),
                                              ("upper, lower, seen, dated by key id", S, 32)]),
        ("profiles", "vocabulary trie being built", [("marisa-trie keyset", T, build)]),
        ("profiles", "streaming the entries", [("vocabulary: trie, terms.id and idf arrays", T, saved + 16)]),
        ("index", "titles trie being built", [("marisa-trie keyset", E, build)]),
        ("index", "entry arrays", [("ids, popularity, flags (then saved)", E, 13)]),
        ("index", "surfaces trie being built", [("marisa-trie keyset", S, build)]),
        ("index", "surface arrays", [("surfaces trie", S, saved),
                                     ("link probabilities, links, candidate counts (then saved)", S, 28)]),
        ("index", "folded trie being built", [("surfaces trie", S, saved), ("marisa-trie keyset", S, build)]),
        ("index", "folded members", [("surfaces and folded tries", S, 2 * saved),
                                     ("folded key, member, stable order, result, counts", S, 28)]),
        ("index", "in-links and profiles", [("counts and pointers per entry", E, 16)]),
    ]
    print(f"\nFull English Wikipedia: {E / 1e6:.1f}M entries, {S / 1e6:,.0f}M surfaces, {vocab / 1e6:,.0f}M "
          f"distinct words of which {T / 1e6:,.1f}M with df >= 2 (assumed {FULL_VOCAB_KEPT:.0%}); "
          f"{FULL_LINKS / 1e6:,.0f}M links, {full_ctx / 1e9:,.1f}G context rows (these only stream)")
    rows, peaks = [], {}
    for phase in POST_PASS1:
        if phase in grows:
            rows.append([phase, f"measured: grows ({_mb(prev[phase]['peak'])} -> {_mb(last[phase]['peak'])} MiB "
                         "over the last two generated KBs), not bounded", "", "", "", ""])
        else:
            rows.append([phase, "measured flat part (largest generated KB)", "", "", "",
                         f"{flat[phase] / 2**30:,.2f}"])
        top = 0.0
        for ph, stage, parts in stages:
            if ph != phase:
                continue
            total = sum(c * b for _, c, b in parts)
            top = max(top, total)
            for name, c, b in parts:
                rows.append([phase, stage, name, f"{c / 1e6:,.1f}M", f"{b:,.0f}", f"{c * b / 2**30:,.2f}"])
        peaks[phase] = math.inf if phase in grows else flat[phase] + top
    print(format_table(["phase", "stage", "structure", "items", "bytes/item", "GiB"], rows,
                       [False, False, False, True, True, True]))
    print("peak by phase (flat part + largest stage): "
          + ", ".join(f"{ph} {v / 2**30:,.1f} GiB" if v < math.inf else f"{ph} unbounded"
                      for ph, v in peaks.items()))
    row = _table_bytes_per_row(work / f"kb-{source.name}-j2", "contexts")
    if row:
        print(f"contexts table on disk: {full_ctx / 1e9:,.1f}G rows x {row:.0f} bytes = "
              f"{full_ctx * row / 1e9:,.0f} GB of the KB (bytes per row from the KB the benchmark built)")


# --- main -----------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("dumps", nargs="*", type=Path, default=DEFAULT_DUMPS,
                        help="MediaWiki dumps to build (default: the shared dumps)")
    parser.add_argument("--repeats", type=int, default=3, help="runs per small dump; the median counts")
    parser.add_argument("--big-repeats", type=int, default=1, help="runs on the generated dump")
    parser.add_argument("--big-mb", type=float, default=200, help="size of the generated dump; 0 skips it")
    parser.add_argument("--big-format", choices=["bz2", "xml"], default="bz2")
    parser.add_argument("--big-source", type=Path, default=ENGLISH, help="dump whose pages are repeated")
    parser.add_argument("--jobs", default="2,1", help="worker counts to compare, comma-separated")
    parser.add_argument("--wikiextractor", choices=["both", *WE_MODES], default="both")
    parser.add_argument("--work", type=Path, default=REPO / "bench" / "out",
                        help="where generated dumps, KBs and extractions go (never the repo's tracked files)")
    parser.add_argument("--regenerate", action="store_true", help="rewrite the generated dump")
    parser.add_argument("--profile", type=float, metavar="MB",
                        help="profile a build of a generated MB-sized dump instead of benchmarking")
    parser.add_argument("--memory-model", action="store_true",
                        help="measure the peak RAM of each phase after pass 1 and extrapolate")
    parser.add_argument("--memory-scale", default="50000,200000",
                        help="articles of the generated pass-1 KBs --memory-model measures (comma-separated)")
    parser.add_argument("--child-phase", nargs=2, metavar=("PHASE", "KB"), help=argparse.SUPPRESS)
    parser.add_argument("--child-cost", nargs=3, metavar=("KIND", "N", "KB"), help=argparse.SUPPRESS)
    parser.add_argument("--child-build", nargs=4, metavar=("DUMP", "OUT", "JOBS", "PHASES_JSON"),
                        help=argparse.SUPPRESS)
    parser.add_argument("--child-profile", nargs=2, metavar=("DUMP", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child_phase:
        child_phase(args.child_phase[0], Path(args.child_phase[1]))
        return 0
    if args.child_cost:
        child_cost(args.child_cost[0], int(args.child_cost[1]), Path(args.child_cost[2]))
        return 0
    if args.child_profile:
        child_profile(Path(args.child_profile[0]), Path(args.child_profile[1]))
        return 0
    if args.child_build:
        dump, out, jobs, phases_json = args.child_build
        child_build(Path(dump), Path(out), int(jobs), Path(phases_json))
        return 0

    missing = [p for p in [*args.dumps, args.big_source] if not p.exists()]
    if missing:
        print(f"Error: {missing[0]} does not exist; pass MediaWiki dumps or mount ../shared", file=sys.stderr)
        return 2
    if args.profile:
        profile(args.profile, args.work, args.big_source)
        return 0
    if args.memory_model:
        big = None
        if args.big_mb > 0:
            _, big = make_big_dump(args.big_source, args.work, args.big_mb,
                                   name=f"enwiki-synthetic-{args.big_mb:g}MB")
        memory_model(args.big_source, args.work, big,
                     [int(n) for n in args.memory_scale.split(",") if n.strip() and int(n) > 0])
        print(f"\nreproduce: {reproduce_line(Path(__file__), argv)}")
        return 0
    jobs = [int(j) for j in args.jobs.split(",") if j.strip()]
    modes = list(WE_MODES) if args.wikiextractor == "both" else [args.wikiextractor]
    work = args.work
    work.mkdir(parents=True, exist_ok=True)

    plan: list[tuple[Path, int]] = [(d, args.repeats) for d in args.dumps]
    big_path = None
    if args.big_mb > 0:
        xml_path, bz2_path = make_big_dump(args.big_source, work, args.big_mb,
                                           name=f"enwiki-synthetic-{args.big_mb:g}MB", force=args.regenerate)
        big_path = bz2_path if args.big_format == "bz2" else xml_path
        plan.append((big_path, args.big_repeats))

    rows: list[Row] = []
    for dump, repeats in plan:
        xml = xml_stats(dump)  # also warms the page cache for both tools
        print(f"{dump.name}: {xml.bytes / MB:,.1f} MB, {repeats} x jobs {jobs} ...", file=sys.stderr, flush=True)
        rows.extend(measure_dump(dump, xml, jobs, modes, repeats, work))

    print(f"\nKB build vs wikiextractor — {machine()}")
    print(f"median of {args.repeats} interleaved runs ({args.big_repeats} on the generated dump). "
          "peak RAM: max over runs of the sampled Σ PSS of the process tree; largest proc: ru_maxrss. "
          "CPU s: user+system of the tree. other load: cores busy with other processes (max over runs); "
          "above ~0.2 the wall times are inflated.\n")
    print(table(rows))
    print()
    print(phase_tables(rows))
    top_jobs = max(jobs)
    small = next((r for r in rows if r.tool == "linkpedia build" and r.jobs == top_jobs
                  and r.dump == ENGLISH.name), None)
    big = next((r for r in rows if r.tool == "linkpedia build" and r.jobs == top_jobs
                and big_path is not None and r.dump == big_path.name), None)
    print()
    print(estimate(small, big))
    print(f"\nreproduce: {reproduce_line(Path(__file__), argv)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
