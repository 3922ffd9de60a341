"""Linking cost against text length: time and peak memory for the shapes that used to blow up.

    .venv/bin/python bench/link_cost.py [--kb KB_DIR] [--lengths 4000,25000,50000,100000]

Each (shape, length) runs in two fresh processes: each opens the KB and links
a short text to warm up. The first then links the text once cold (memo tables
empty for its words) and three times warm; the second links it once under
tracemalloc, which slows Python down too much to time. It prints the cold and
median warm times, the ratio of the cold time to the same shape's at the first
length, and the memory the call took above the opened KB: the tracemalloc
peak (Python and numpy allocations) and the growth of the peak RSS. Without ``--kb`` the bundled sample KB is built into
``bench/out/sample-kb``.

Shapes:

* ``repeated``: one sentence naming KB entries, over and over (the issue-14 case);
* ``paragraph``: the sample article's text, repeated without a line break;
* ``distinct``: sentences naming every entry title of the KB in turn, so the
  text has as many distinct names as the KB offers;
* ``nospace``: names joined by punctuation, no whitespace at all;
* ``token``: one word of letters, as long as the text.

Target (issue 14): at 100,000 characters, at most 300 MB above the opened KB
and at most 25x the time of the 4,000-character text.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

SHAPES = ("repeated", "paragraph", "distinct", "nospace", "token")

_CHILD = r"""
import json, resource, sys, time, tracemalloc
import linkpedia
kb_dir, shape, n, traced, mode = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[5] == "traced", sys.argv[6]
kb = linkpedia.open_kb(kb_dir)
sys.path.insert(0, sys.argv[4])
from link_cost import make_text
text = make_text(kb, shape, n)
kb.link("warm up: Vilnius, Kaunas and Riga.", mode=mode)
def rss_peak():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
before = rss_peak()
if traced:  # tracemalloc slows Python code down several times: a run of its own
    tracemalloc.start()
    kb.link(text, mode=mode)
    print(json.dumps({"traced": tracemalloc.get_traced_memory()[1]}))
    sys.exit()
t = time.perf_counter()
doc = kb.link(text, mode=mode)
cold = time.perf_counter() - t
rss = rss_peak() - before
warm = []
for _ in range(3):
    t = time.perf_counter()
    kb.link(text, mode=mode)
    warm.append(time.perf_counter() - t)
print(json.dumps({"chars": len(text), "links": len(doc.links), "cold": cold, "warm": sorted(warm)[1],
                  "rss": rss}))
"""


def make_text(kb, shape: str, n: int) -> str:
    """A text of about ``n`` characters of the given shape (deterministic)."""
    sample = (REPO / "src" / "linkpedia" / "data" / "sample" / "sample-text.txt").read_text(encoding="utf-8")
    names = [t for t in kb.index.titles.keys() if t.isascii() and "(" not in t][:5000] or ["Kaunas"]
    if shape == "repeated":
        unit = f"{names[0]} is the second city of {names[min(1, len(names) - 1)]}. "
        return (unit * (n // len(unit) + 1))[:n]
    if shape == "paragraph":
        flat = " ".join(sample.split())
        return ((flat + " ") * (n // len(flat) + 1))[:n]
    if shape == "distinct":
        parts, size, i = [], 0, 0
        while size < n:
            a, b = names[i % len(names)], names[(i * 7 + 3) % len(names)]
            s = f"{a} met {b} in the spring of {1900 + i % 100}. "
            parts.append(s)
            size += len(s)
            i += 1
        return "".join(parts)[:n]
    if shape == "nospace":
        unit = ",".join(w for w in names[:50]).replace(" ", "-") + ";"
        return (unit * (n // len(unit) + 1))[:n]
    if shape == "token":
        return ("Kaunasvilnius" * (n // 13 + 1))[:n]
    raise ValueError(shape)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kb", type=Path, default=None)
    ap.add_argument("--lengths", default="4000,25000,50000,100000")
    ap.add_argument("--shapes", default=",".join(SHAPES))
    ap.add_argument("--mention-mode", default="wikipedia", choices=["wikipedia", "entities"])
    args = ap.parse_args()
    kb_dir = args.kb
    if kb_dir is None:
        import linkpedia

        kb_dir = REPO / "bench" / "out" / "sample-kb"
        if not (kb_dir / "kb.sqlite").is_file():
            linkpedia.build_kb([REPO / "src" / "linkpedia" / "data" / "sample" / "sample-wiki.xml"], kb_dir)
    lengths = [int(x) for x in args.lengths.split(",")]
    print(f"KB: {kb_dir}; mention mode {args.mention_mode}")
    print(f"{'shape':10} {'chars':>7} {'links':>6} {'cold s':>8} {'warm s':>8} {'x first':>8} "
          f"{'traced MB':>10} {'RSS+ MB':>8}")
    worst_ratio, worst_mb = 0.0, 0.0
    for shape in args.shapes.split(","):
        first = None
        for n in lengths:
            r = {}
            for mode in ("timed", "traced"):
                out = subprocess.run([sys.executable, "-c", _CHILD, str(kb_dir), shape, str(n),
                                      str(REPO / "bench"), mode, args.mention_mode],
                                     capture_output=True, text=True, env={"PYTHONPATH": str(REPO / "src")})
                if out.returncode:
                    print(f"{shape:10} {n:7d} FAILED: {out.stderr.strip().splitlines()[-1:]}")
                    break
                r.update(json.loads(out.stdout))
            if "traced" not in r:
                continue
            first = first or r
            ratio = r["cold"] / max(first["cold"], 1e-9)
            mb = max(r["traced"], r["rss"]) / 1e6
            if n == lengths[-1]:
                worst_ratio, worst_mb = max(worst_ratio, ratio), max(worst_mb, mb)
            print(f"{shape:10} {r['chars']:7d} {r['links']:6d} {r['cold']:8.3f} {r['warm']:8.3f} {ratio:8.1f} "
                  f"{r['traced'] / 1e6:10.1f} {r['rss'] / 1e6:8.1f}")
    print(f"at {lengths[-1]:,} characters: worst time ratio to {lengths[0]:,} characters {worst_ratio:.1f}x "
          f"(target <= {lengths[-1] / lengths[0]:.0f}x), worst memory above the opened KB {worst_mb:.0f} MB "
          "(target <= 300)")
    print("reproduce: .venv/bin/python bench/link_cost.py" + (f" --kb {args.kb}" if args.kb else "")
          + (f" --lengths {args.lengths}" if args.lengths != "4000,25000,50000,100000" else "")
          + (f" --mention-mode {args.mention_mode}" if args.mention_mode != "wikipedia" else ""))


if __name__ == "__main__":
    main()
