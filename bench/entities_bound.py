"""The most A2KB F1 that entities mode can score on a dataset, whatever the linker does.

    .venv/bin/python bench/entities_bound.py --kb eval-kb ../shared/data/benchmarks/*.jsonl

Entities mode links every mention of a named entity in the KB and leaves
lower-case words alone. A perfect linker in that mode finds and links right
every capitalized gold mention whose entry is in the KB. It misses every
lower-case one. It also links, unavoidably, the named-entity mentions the gold
leaves unannotated: entries the document never annotates, at spans no gold
mention touches, and, with policy ``all``, repeats of an entry annotated
elsewhere. The linker's own links count those two kinds here; a sample of the
first is printed, so that one can check they are real entities. InKB, strong
match, gold restricted to entries in the KB, as ``linkpedia evaluate``
scores it. See docs/evaluation.md, "What bounds entities-mode A2KB".
"""

from __future__ import annotations

import argparse
import random

import linkpedia
from linkpedia.evaluate.datasets import load_dataset
from linkpedia.evaluate.metrics import resolve_gold
from linkpedia.evaluate.run import resolvers


def bound(kb: linkpedia.KnowledgeBase, path: str) -> dict:
    """The bound on one dataset, read and resolved as ``linkpedia evaluate`` does."""
    resolve, qids = resolvers(kb)
    dataset = load_dataset(path)
    gold_n = lower = unannotated = repeats = 0
    sample: list[tuple[str, str]] = []
    for doc in dataset.docs:
        gold = [m for m in resolve_gold(doc.links, resolve, qids) if m.kind == "entry"]
        gold_n += len(gold)
        lower += sum(doc.text[m.start:m.end][:1].islower() for m in gold)
        annotated = {m.key for m in gold}
        for link in kb.link(doc.text, mode="entities").links:
            if any(g.start < link.end and g.end > link.start for g in doc.links):
                continue
            if link.title in annotated:
                repeats += 1
            else:
                unannotated += 1
                sample.append((doc.text[link.start:link.end], link.title))
    found = gold_n - lower
    recall = found / gold_n if gold_n else 0.0

    def f1(wrong: int) -> float:
        p = found / (found + wrong) if found + wrong else 0.0
        return 200 * p * recall / (p + recall) if p + recall else 0.0

    random.Random(0).shuffle(sample)
    return {"dataset": dataset.name, "gold_in_kb": gold_n, "lower_case": lower, "unannotated": unannotated,
            "repeats": repeats, "bound_first": round(f1(unannotated), 1),
            "bound_all": round(f1(unannotated + repeats), 1), "sample": sample[:10]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kb", required=True)
    ap.add_argument("datasets", nargs="+", help="benchmarks: JSONL, NIF or AIDA-CoNLL, as evaluate reads them")
    args = ap.parse_args()
    kb = linkpedia.open_kb(args.kb)
    print("| dataset | gold in KB | lower-case | unannotated entries linked | repeats "
          "| bound, repeats left out | bound, every mention |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    rows = [bound(kb, p) for p in args.datasets]
    for r in rows:
        print(f"| {r['dataset']} | {r['gold_in_kb']:,} | {r['lower_case']:,} | {r['unannotated']:,} "
              f"| {r['repeats']:,} | {r['bound_first']} | {r['bound_all']} |")
    for r in rows:
        print(f"{r['dataset']}, unannotated links (sample): " + "; ".join(f"{s} -> {t}" for s, t in r["sample"]))
    print(f"reproduce: .venv/bin/python bench/entities_bound.py --kb {args.kb} "
          + " ".join(str(p) for p in args.datasets))


if __name__ == "__main__":
    main()
