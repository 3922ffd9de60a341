"""``linkpedia info`` output: metadata and counts as rich tables."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

__all__ = ["print_info"]


def print_info(data: dict[str, Any], console: Console | None = None) -> None:
    console = console or Console()
    t = Table(title=f"KB {data['path']}", show_header=False)
    t.add_column("key", style="bold")
    t.add_column("value")
    t.add_row("schema version", str(data.get("schema_version")))
    t.add_row("created", str(data.get("created")))
    t.add_row("linkpedia", str(data.get("linkpedia_version")))
    t.add_row("model", str(data.get("model")))
    t.add_row("open time", f"{data.get('open_seconds', 0) * 1000:.1f} ms")
    for row in _source_rows(data.get("sources", [])):
        t.add_row("source", row)
    for k, v in data.get("counts", {}).items():
        t.add_row(k.replace("_", " "), f"{v:,}")
    wd = data.get("wikidata")
    if wd:
        counts = data.get("counts", {})
        t.add_row("wikidata", f"{counts.get('qids', 0):,} of {counts.get('entries', 0):,} entries have a QID "
                              f"({wd['entities']:,} entities read, {wd['sitelinked']:,} linked to {wd['site']}, "
                              f"{wd['kept']:,} naming a page)")
    for k in ("unresolved_links", "redirect_loops", "dangling_redirects"):
        if k in data:
            t.add_row(k.replace("_", " "), f"{data[k]:,}")
    for k, v in sorted(data.get("skipped", {}).items()):
        t.add_row("skipped", f"{k}: {v:,}")
    for m in data.get("missing_statistics", []):
        t.add_row("missing statistic", m)
    for u in data.get("updates", []):
        t.add_row("update", f"{u['at']} from {u['source']}: {u['added']:,} added, "
                            f"{u['changed']:,} changed, {u['deleted']:,} deleted")
    modes = data.get("mention_modes") or {}
    for mode in ("wikipedia", "entities"):
        if mode in modes:
            t.add_row(f"mention mode {mode}", modes[mode])
    if "suits" in modes:
        t.add_row("mention mode to use", modes["suits"])
    for left in data.get("leftovers", []):
        owner = f"process {left['pid']}" if left["pid"] is not None else "no process"
        state = "still running" if left["alive"] else \
            "dead: the next build or update of this KB removes it"
        t.add_row("leftover", f"{left['path']} ({left['bytes'] / 1e6:,.1f} MB; {owner}, {state})")
    t.add_row("options", str(data.get("options")))
    console.print(t)
    training = data.get("training")
    if training:
        _print_training(training, console)


def _source_rows(sources: list[dict[str, Any]]) -> list[str]:
    """One row per source, or per run of sources of one folder, format and kind (a WikiExtractor
    output is hundreds of files): which gave links is what matters."""
    rows: list[str] = []
    run: list[dict[str, Any]] = []

    def key(src: dict[str, Any]) -> tuple:
        parts = str(src["path"]).replace("\\", "/").split("/")
        return "/".join(parts[:-2]), src["format"], bool(src.get("has_links"))

    def flush() -> None:
        if not run:
            return
        links = "with links" if run[0].get("has_links") else "without links"
        if len(run) == 1:
            src = run[0]
            rows.append(f"{src['path']} ({src['format']}, dump date {src.get('dump_date')}, {links})")
        else:
            rows.append(f"{run[0]['path']} … {run[-1]['path']} ({len(run)} files, {run[0]['format']}, {links})")
        run.clear()

    for src in sources:
        if run and key(run[0]) != key(src):
            flush()
        run.append(src)
    flush()
    return rows


def _print_training(training: dict[str, Any], console: Console) -> None:
    if not training.get("model"):
        console.print(f"scorer: default weights ({training.get('note', '')})")
        return
    console.print(
        f"scorer: {training['model']}, trained on {training['mentions']:,} mentions of "
        f"{training['pages']:,} pages; calibration on {training['heldout_mentions']:,} held-out "
        f"mentions: ECE {training['ece']}"
    )
    r = Table(title="reliability (held-out links)", show_edge=False)
    for col in ("confidence", "mentions", "mean confidence", "share correct"):
        r.add_column(col, justify="right")
    for b in training.get("reliability", []):
        r.add_row(f"{b['lo']:.1f}-{b['hi']:.1f}", f"{b['n']:,}", f"{b['predicted']:.3f}",
                  f"{b['observed']:.3f}")
    console.print(r)
