"""Linking throughput: docs/s, words/s, p50/p99 ms per document, peak RSS, KB open time.

Links every document of the dev benchmarks (../shared/data/benchmarks/*.jsonl)
one after another on one core, with the KB built from ../shared/data/kb-sources/
plus the English dump (built into bench/out/eval-kb when --kb is not given).

    .venv/bin/python bench/link_throughput.py [--kb KB_DIR] [--repeats 3] [--batch 8]
    .venv/bin/python bench/link_throughput.py --kb KB --texts news.jsonl [--inlink-cap 0]

``--texts`` links the "text" fields of a JSONL file instead of the benchmarks
(bench/scale_rehearsal.py writes news-length texts of a synthetic KB that way);
``--inlink-cap`` sets ``LinkerConfig.inlink_cap`` (0 = coherence reads every in-link).

With ``--batch N`` the documents are linked N at a time with ``kb.link_many``
(the same documents; what the server does with texts waiting their turn), and
a document's time is its batch's divided by N.

For scale: ReFinED reports the 231 AIDA test documents in 29.7 s on a CPU
(about 7.8 docs/s); the target here is >= 200 news-length documents per second.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared" / "data"
sys.path.insert(0, str(REPO / "src"))

import linkpedia  # noqa: E402

DATASETS = ["kore50", "msnbc", "oke-2015-train", "oke-2016-train", "wned-wiki"]
REFINED_DOCS_PER_S = 231 / 29.7


def build_eval_kb(out: Path) -> None:
    sources = [SHARED / "dumps" / "enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2",
               SHARED / "kb-sources" / "ovos_summaries_en.jsonl", SHARED / "kb-sources" / "wikiextractor"]
    print(f"building {out} from kb-sources + the English dump ...", file=sys.stderr)
    linkpedia.build_kb(sources, out, options=linkpedia.BuildOptions(fields={"text": "extract"}))


def open_time(kb: Path, runs: int = 5) -> float:
    """Median time to open the KB in a fresh process (imports excluded)."""
    code = f"import linkpedia, time; t=time.perf_counter(); linkpedia.open_kb({str(kb)!r}); print(time.perf_counter()-t)"
    times = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                  check=True, env={"PYTHONPATH": str(REPO / "src")}).stdout)
             for _ in range(runs)]
    return statistics.median(times)


def run_texts(kb, texts: list[str], repeats: int = 3, batch: int = 1, mode: str = "wikipedia"
              ) -> tuple[float, list[float]]:
    """Seconds of the median of ``repeats`` runs over ``texts``, and its per-document times."""
    runs = []
    for _ in range(repeats):
        times = []
        t0 = time.perf_counter()
        for i in range(0, len(texts), batch):
            part = texts[i:i + batch]
            t = time.perf_counter()
            if batch == 1:
                kb.link(part[0], mode=mode)
            else:
                kb.link_many(part, mode=mode)
            times += [(time.perf_counter() - t) / len(part)] * len(part)
        runs.append((time.perf_counter() - t0, times))
    return sorted(runs, key=lambda r: r[0])[len(runs) // 2]


def summary(name: str, texts: list[str], total: float, times: list[float]) -> tuple:
    """(name, docs, words/doc, docs/s, words/s, MB/s, p50 ms, p99 ms)."""
    words = sum(len(t.split()) for t in texts)
    chars = sum(len(t.encode("utf-8")) for t in texts)
    times_ms = sorted(x * 1000 for x in times)
    return (name, len(texts), words / len(texts), len(texts) / total, words / total, chars / total / 1e6,
            statistics.median(times_ms), times_ms[min(len(times_ms) - 1, int(len(times_ms) * 0.99))])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kb", type=Path, default=None)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--batch", type=int, default=1, help="link this many documents at a time (kb.link_many)")
    ap.add_argument("--mention-mode", default="wikipedia", choices=["wikipedia", "entities"])
    ap.add_argument("--texts", type=Path, default=None, help="JSONL of {\"text\"} to link instead of the benchmarks")
    ap.add_argument("--inlink-cap", type=int, default=None, help="LinkerConfig.inlink_cap (0 = every in-link)")
    args = ap.parse_args()
    kb_dir = args.kb or REPO / "bench" / "out" / "eval-kb"
    if not (kb_dir / "kb.sqlite").is_file():
        build_eval_kb(kb_dir)
    if args.texts:
        docs = {args.texts.stem: [json.loads(line)["text"] for line in args.texts.open()]}
    else:
        docs = {name: [json.loads(line)["text"] for line in (SHARED / "benchmarks" / f"{name}.jsonl").open()]
                for name in DATASETS}
    config = None if args.inlink_cap is None else linkpedia.LinkerConfig(inlink_cap=args.inlink_cap)
    kb = linkpedia.open_kb(kb_dir, config=config)
    kb.link("warm up the caches: Vilnius, Kaunas and Riga.")
    rows = []
    for name, texts in docs.items():
        total, times = run_texts(kb, texts, args.repeats, args.batch, args.mention_mode)
        rows.append(summary(name, texts, total, times))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"KB: {kb_dir} ({kb.index.n_entries:,} entries); open in a fresh process: "
          f"{open_time(kb_dir) * 1000:.1f} ms (median of 5); peak RSS of this process: {peak_mb:.0f} MB")
    print(f"{'dataset':16} {'docs':>5} {'words/doc':>9} {'docs/s':>8} {'words/s':>9} {'MB/s':>6} "
          f"{'p50 ms':>7} {'p99 ms':>7}")
    for r in rows:
        print(f"{r[0]:16} {r[1]:5d} {r[2]:9.0f} {r[3]:8.1f} {r[4]:9.0f} {r[5]:6.2f} {r[6]:7.2f} {r[7]:7.2f}")
    news = next((r for r in rows if r[0] == "msnbc"), rows[0])
    print(f"news-length (msnbc, {news[2]:.0f} words/doc): {news[3]:.1f} docs/s on one core"
          f"{f' in batches of {args.batch}' if args.batch > 1 else ''}; "
          f"{news[3] / REFINED_DOCS_PER_S:.1f}x ReFinED's reported {REFINED_DOCS_PER_S:.1f} docs/s "
          "(AIDA, not run here)")
    print("reproduce: .venv/bin/python bench/link_throughput.py" + (f" --kb {args.kb}" if args.kb else "")
          + (f" --texts {args.texts}" if args.texts else "")
          + (f" --inlink-cap {args.inlink_cap}" if args.inlink_cap is not None else "")
          + (f" --batch {args.batch}" if args.batch > 1 else "")
          + (f" --mention-mode {args.mention_mode}" if args.mention_mode != "wikipedia" else ""))


if __name__ == "__main__":
    main()
