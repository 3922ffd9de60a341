"""Incremental update vs full rebuild: time to apply N changed pages, and linking
throughput right after the update.

Builds the evaluation KB (../shared/data/kb-sources/ plus the English dump),
then applies N changed pages (the first N WikiExtractor articles with a new
sentence each, as JSONL) with `linkpedia update`, and links the dev benchmark
texts before and after.

    .venv/bin/python bench/update_speed.py [--pages 1000] [--out bench/out/update]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared" / "data"
sys.path.insert(0, str(REPO / "src"))

import linkpedia  # noqa: E402
from linkpedia.kb.update import update_kb  # noqa: E402
from linkpedia.sources import expand_paths, open_source  # noqa: E402

SOURCES = [SHARED / "dumps" / "enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2",
           SHARED / "kb-sources" / "ovos_summaries_en.jsonl", SHARED / "kb-sources" / "wikiextractor"]


def link_rate(kb_dir: Path, texts: list[str], repeats: int = 5) -> float:
    kb = linkpedia.open_kb(kb_dir)
    kb.link(texts[0])
    runs = []
    for _ in range(repeats):
        t = time.perf_counter()
        for text in texts:
            kb.link(text)
        runs.append(len(texts) / (time.perf_counter() - t))
    kb.close()
    return statistics.median(runs)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=1000)
    ap.add_argument("--out", type=Path, default=REPO / "bench" / "out" / "update")
    args = ap.parse_args()
    shutil.rmtree(args.out, ignore_errors=True)
    args.out.mkdir(parents=True)
    kb_dir = args.out / "kb"
    opts = linkpedia.BuildOptions(fields={"text": "extract"})
    t = time.perf_counter()
    linkpedia.build_kb(SOURCES, kb_dir, options=opts)
    build_s = time.perf_counter() - t
    changed = args.out / "changed.jsonl"
    with changed.open("w", encoding="utf-8") as f:
        n = 0
        for path in expand_paths([SHARED / "kb-sources" / "wikiextractor"]):
            for page in open_source(path).pages():
                text = page.text + "\n\nIn 2026 the article was revised to mention Lithuania and Kaunas."
                # "extract": the field the KB's JSONL sources were mapped from
                f.write(json.dumps({"title": page.title, "extract": text}, ensure_ascii=False) + "\n")
                n += 1
                if n == args.pages:
                    break
            if n == args.pages:
                break
    texts = [json.loads(line)["text"] for name in ("msnbc", "wned-wiki")
             for line in (SHARED / "benchmarks" / f"{name}.jsonl").open()]
    before = link_rate(kb_dir, texts)
    t = time.perf_counter()
    report = update_kb(kb_dir, [changed])
    update_s = time.perf_counter() - t
    after = link_rate(kb_dir, texts)
    # The same final pages built from scratch (the changed versions listed first win).
    t = time.perf_counter()
    linkpedia.build_kb([changed, *SOURCES], args.out / "rebuilt", options=opts)
    rebuild_s = time.perf_counter() - t
    rebuilt = link_rate(args.out / "rebuilt", texts)
    print(f"KB: {kb_dir} ({report.changed:,} changed, {report.added:,} added pages applied)")
    print(f"{'initial build':40} {build_s:8.1f} s")
    print(f"{'update with ' + str(args.pages) + ' changed pages':40} {update_s:8.1f} s")
    print(f"{'full rebuild of the final pages':40} {rebuild_s:8.1f} s   "
          f"(the update is {rebuild_s / update_s:.1f}x faster)")
    print(f"{'linking before the update':40} {before:8.1f} docs/s (msnbc + wned-wiki, median of 5)")
    print(f"{'linking right after the update':40} {after:8.1f} docs/s")
    print(f"{'linking with the rebuilt KB':40} {rebuilt:8.1f} docs/s "
          f"(updated/rebuilt: {after / rebuilt:.2f}x)")
    print("reproduce: .venv/bin/python bench/update_speed.py --pages", args.pages)


if __name__ == "__main__":
    main()
