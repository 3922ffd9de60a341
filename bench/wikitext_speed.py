"""How fast ``linkpedia.wikitext.convert`` turns real pages into text, next to wikiextractor.

The KB build must be at least as fast as wikiextractor's plain-text extraction
while doing much more than converting, so the converter alone should be several
times faster. Both run on the same page texts, read up front from the English
dump (parsing the XML is not timed); wikiextractor runs without template
expansion, its fastest mode. Figures are the best of ``--repeat`` runs, in
CPU time of this process (steadier than wall time on a shared machine).

    .venv/bin/python bench/wikitext_speed.py [DUMP.xml.bz2] [--repeat 5]
"""

from __future__ import annotations

import argparse
import bz2
import logging
import sys
import time
from pathlib import Path

from lxml import etree

from linkpedia.wikitext import convert

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DUMP = (
    REPO.parent
    / "shared/data/dumps/enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2"
)


def read_pages(path: Path) -> list[tuple[str, str, str]]:
    """(id, title, wikitext) of every page in a MediaWiki XML export."""
    pages = []
    opener = bz2.open if path.suffix == ".bz2" else open
    with opener(path, "rb") as f:
        for _, el in etree.iterparse(f, tag="{*}page"):
            pages.append(
                (el.findtext("{*}id") or "", el.findtext("{*}title") or "",
                 el.findtext("{*}revision/{*}text") or "")
            )
            el.clear()
    return pages


def best_times(runs: list, repeat: int) -> list[float]:
    """Best CPU time of each run; rounds alternate so machine load hits all alike."""
    best = [float("inf")] * len(runs)
    for _ in range(repeat):
        for i, run in enumerate(runs):
            t0 = time.process_time()
            run()
            best[i] = min(best[i], time.process_time() - t0)
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("dump", nargs="?", type=Path, default=DEFAULT_DUMP)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    if not args.dump.exists():
        print(f"Error: {args.dump} does not exist; pass a MediaWiki XML dump", file=sys.stderr)
        return 2

    pages = read_pages(args.dump)
    mb = sum(len(text.encode("utf-8")) for _, _, text in pages) / 1e6

    def ours() -> None:
        for _, _, text in pages:
            convert(text)

    runs = [("linkpedia.wikitext.convert", ours)]
    try:
        from wikiextractor.extract import Extractor
    except ImportError:
        print("wikiextractor is not installed (pip install wikiextractor); skipping it")
    else:
        logging.disable(logging.CRITICAL)

        def theirs() -> None:
            for page_id, title, text in pages:
                Extractor(page_id, "", "", title, []).clean_text(text, expand_templates=False)

        runs.append(("wikiextractor Extractor.clean_text", theirs))
    times = best_times([run for _, run in runs], args.repeat)
    rows = [(name, seconds) for (name, _), seconds in zip(runs, times)]

    print(f"{args.dump.name}: {len(pages)} pages, {mb:.2f} MB of wikitext, best of {args.repeat}")
    for name, seconds in rows:
        print(f"  {name:36s} {mb / seconds:7.1f} MB/s  {len(pages) / seconds:8.0f} pages/s")
    if len(rows) == 2:
        print(f"  ratio (convert / wikiextractor)      {rows[1][1] / rows[0][1]:7.1f}x")
    print(f"reproduce: .venv/bin/python bench/wikitext_speed.py {args.dump} --repeat {args.repeat}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
