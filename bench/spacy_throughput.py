"""spaCy component throughput: docs/s of ``nlp.pipe`` next to ``kb.link_many`` on the same texts.

What the component adds to linking is spaCy's tokenizer, the Doc and its
spans; this measures that price. Three contenders, run in turn each round:
``kb.link_many`` over the texts in batches, ``nlp.pipe`` of a blank English
pipeline with the ``linkpedia`` component (Docs without ents, so it links
through ``link_many`` with the same batches), and ``nlp.pipe`` with the
tokenizer alone (what spaCy costs before any linking). The figure is the median
over ``--repeats`` rounds.

    .venv/bin/python bench/spacy_throughput.py                          # sample KB, sample paragraphs x 50
    .venv/bin/python bench/spacy_throughput.py --kb bench/out/eval-kb \\
        --texts ../shared/data/benchmarks/msnbc.jsonl                    # news-length texts

Without ``--kb`` the bundled sample KB is built into bench/out/sample-kb.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import REPO, format_table, machine, median, reproduce_line  # noqa: E402

import linkpedia  # noqa: E402

SAMPLE = REPO / "src" / "linkpedia" / "data" / "sample"


def load_texts(path: Path | None, copies: int) -> list[str]:
    if path is None:
        text = (SAMPLE / "sample-text.txt").read_text(encoding="utf-8")
        return [p.strip() for p in text.split("\n\n") if p.strip()] * copies
    return [json.loads(line)["text"] for line in path.open(encoding="utf-8") if line.strip()]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kb", type=Path, default=None, help="KB directory (default: the sample KB, built if absent)")
    ap.add_argument("--texts", type=Path, default=None, help='JSONL with a "text" field (default: sample paragraphs)')
    ap.add_argument("--copies", type=int, default=50, help="repeat the sample paragraphs this many times")
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--mode", default="entities")
    args = ap.parse_args()

    import spacy

    kb_dir = args.kb or REPO / "bench" / "out" / "sample-kb"
    if args.kb is None and not (kb_dir / "kb.sqlite").is_file():
        linkpedia.build_kb([SAMPLE / "sample-wiki.xml"], kb_dir, options=linkpedia.BuildOptions(jobs=1))
    texts = load_texts(args.texts, args.copies)
    kb = linkpedia.open_kb(kb_dir)
    nlp = spacy.blank("en")
    nlp.add_pipe("linkpedia", config={"kb": str(kb_dir), "mode": args.mode})
    tokenizer_only = spacy.blank("en")
    bs = args.batch_size

    def run_link_many() -> int:
        return sum(len(d.links) for i in range(0, len(texts), bs)
                   for d in kb.link_many(texts[i:i + bs], mode=args.mode))

    def run_pipe() -> int:
        return sum(len(d.ents) for d in nlp.pipe(texts, batch_size=bs))

    def run_tokenizer() -> int:
        return sum(len(d) for d in tokenizer_only.pipe(texts, batch_size=bs))

    contenders = {"kb.link_many": run_link_many, "nlp.pipe (linkpedia)": run_pipe,
                  "nlp.pipe (tokenizer only)": run_tokenizer}
    for run in contenders.values():  # warm up caches and lazy imports
        run()
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(args.repeats):
        for name, run in contenders.items():
            t0 = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - t0)
    link_many_s = median(times["kb.link_many"])
    rows = []
    for name, ts in times.items():
        s = median(ts)
        rows.append([name, f"{len(texts) / s:,.0f}", f"{1000 * s / len(texts):.2f}", f"{s / link_many_s:.2f}"])
    words = sum(len(t.split()) for t in texts) / len(texts)
    kb_name = os.path.relpath(kb_dir, REPO) if kb_dir.resolve().is_relative_to(REPO) else kb_dir
    print(f"{len(texts)} texts ({words:.0f} words on average), KB {kb_name}, mode {args.mode}, "
          f"batch size {bs}, median of {args.repeats} rounds, spaCy {spacy.__version__}")
    print(machine())
    print()
    print(format_table(["what", "docs/s", "ms/doc", "time ÷ link_many"], rows, [False, True, True, True]))
    print()
    print(reproduce_line(Path(__file__), sys.argv[1:]))


if __name__ == "__main__":
    main()
