"""Tables and a report directory for an ``EvaluationResult``.

The terminal gets rich ``Table`` objects, the report directory gets the same
numbers as Markdown and JSON, one JSONL line per document, the error
categories with examples, and one standalone HTML page per benchmark that
shows every document with its gold and predicted links side by side. The
directory is written into a temporary sibling and renamed into place, so a
failed run never leaves a half-written report.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any, Iterable, Sequence

from rich.table import Table

from ..errors import InputError
from .charts import curve_svg, reliability_svg
from .metrics import ERROR_CATEGORIES, DocumentResult, Judged, Scores, prf, wrong_pairs
from .run import DatasetResult, EvaluationResult
from .sweep import DatasetSweep

__all__ = [
    "summary_table",
    "summary_markdown",
    "dataset_table",
    "sweep_tables",
    "sweep_markdown",
    "to_markdown",
    "error_examples",
    "document_rows",
    "dataset_html",
    "index_html",
    "write_report",
]

SET_LABELS = {"inkb": "InKB", "all": "all gold", "ee": "EE (NIL + not in KB)"}
MARKER = "summary.json"  # a directory holding it is a report this module may replace
EXAMPLES = 10
TOP_PAIRS = 20


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}"


def _f(scores: Scores | None, name: str) -> str:
    return "-" if scores is None else _pct(getattr(scores, name))


# -- tables -------------------------------------------------------------------------


def _summary_rows(result: EvaluationResult) -> list[list[str]]:
    rows = []
    for ds in result.datasets:
        kinds = ds.gold_kinds()
        for matching, sets in ds.scores.items():
            inkb = sets.get("inkb")
            rows.append(
                [
                    ds.name,
                    f"{result.mode.upper()} {matching}",
                    str(len(ds.documents)),
                    f"{kinds['entry']}/{kinds['gap']}/{kinds['nil']}",
                    "{qid}/{title}".format(**ds.scored_by()),
                    _pct(ds.coverage),
                    _pct(ds.candidate_recall),
                    _f(inkb, "micro_precision"),
                    _f(inkb, "micro_recall"),
                    _f(inkb, "micro_f1"),
                    _f(inkb, "macro_f1"),
                    _f(sets.get("all"), "micro_f1"),
                    _f(sets.get("ee"), "micro_f1"),
                ]
            )
    return rows


SUMMARY_COLUMNS = [
    "Dataset",
    "Task / match",
    "Docs",
    "Gold in KB/gap/NIL",
    "Scored by QID/title",
    "Coverage %",
    "Cand. recall %",
    "InKB P",
    "InKB R",
    "InKB F1",
    "InKB macro F1",
    "All-gold F1",
    "EE F1",
]


def summary_table(result: EvaluationResult) -> Table:
    """One row per benchmark and matching: the headline numbers (percent)."""
    table = Table(title=f"linkpedia evaluate ({result.mode.upper()}, micro scores unless marked macro)")
    for i, name in enumerate(SUMMARY_COLUMNS):
        table.add_column(name, justify="left" if i < 2 else "right")
    for row in _summary_rows(result):
        table.add_row(*row)
    return table


def summary_markdown(result: EvaluationResult) -> str:
    """The summary table as Markdown: full width wherever it is pasted or piped."""
    return (f"linkpedia evaluate ({result.mode.upper()}, micro scores unless marked macro)\n\n"
            + _md_table(SUMMARY_COLUMNS, _summary_rows(result)) + "\n")


# -- threshold sweep ------------------------------------------------------------------

BEST_COLUMNS = ["Dataset", "Best threshold", "InKB P", "InKB R", "InKB F1", "Links", "Calibration error %"]
CURVE_COLUMNS = ["Threshold", "InKB P", "InKB R", "InKB F1", "Links", "Docs differing if filtered"]
BIN_COLUMNS = ["Score", "Links", "Mean score %", "Correct %"]


def _best_rows(sweeps: Sequence[DatasetSweep]) -> list[list[str]]:
    rows = []
    for s in sweeps:
        b = s.best
        rows.append([s.name, f"{b.threshold:.2f}", _pct(b.precision), _pct(b.recall), _pct(b.f1), str(b.links),
                     _pct(s.calibration_error)])
    return rows


def _curve_rows(s: DatasetSweep) -> list[list[str]]:
    return [[f"{p.threshold:.2f}", _pct(p.precision), _pct(p.recall), _pct(p.f1), str(p.links),
             str(p.filter_differs)] for p in s.points]


def _bin_rows(s: DatasetSweep) -> list[list[str]]:
    return [[f"{b.low:.1f}-{b.high:.1f}", str(b.links), _pct(b.mean_score), _pct(b.correct)] for b in s.bins]


def _rich(title: str, columns: Sequence[str], rows: Iterable[Sequence[str]]) -> Table:
    table = Table(title=title)
    for i, name in enumerate(columns):
        table.add_column(name, justify="left" if i == 0 else "right")
    for row in rows:
        table.add_row(*row)
    return table


def sweep_tables(sweeps: Sequence[DatasetSweep]) -> list[Table]:
    """The best threshold of each benchmark, then each one's curve and reliability bins."""
    mode = sweeps[0].mode.upper() if sweeps else ""
    tables = [_rich(f"Best threshold ({mode}, InKB, strong match)", BEST_COLUMNS, _best_rows(sweeps))]
    for s in sweeps:
        tables.append(_rich(f"{s.name}: scores by threshold", CURVE_COLUMNS, _curve_rows(s)))
        tables.append(_rich(f"{s.name}: reliability (threshold-0 links by score)", BIN_COLUMNS, _bin_rows(s)))
    return tables


def sweep_markdown(sweeps: Sequence[DatasetSweep]) -> str:
    """``sweep_tables`` as Markdown."""
    mode = sweeps[0].mode.upper() if sweeps else ""
    parts = [f"Best threshold ({mode}, InKB, strong match)", "", _md_table(BEST_COLUMNS, _best_rows(sweeps))]
    for s in sweeps:
        parts += ["", f"{s.name}: scores by threshold", "", _md_table(CURVE_COLUMNS, _curve_rows(s)),
                  "", f"{s.name}: reliability (threshold-0 links by score)", "", _md_table(BIN_COLUMNS, _bin_rows(s))]
    return "\n".join(parts) + "\n"


DETAIL_COLUMNS = ["Match", "Scores", "P", "R", "F1", "macro P", "macro R", "macro F1", "TP", "FP", "FN"]


def _detail_rows(ds: DatasetResult) -> list[list[str]]:
    rows = []
    for matching, sets in ds.scores.items():
        for name, s in sets.items():
            rows.append(
                [matching, SET_LABELS[name]]
                + [_f(s, a) for a in ("micro_precision", "micro_recall", "micro_f1")]
                + [_f(s, a) for a in ("macro_precision", "macro_recall", "macro_f1")]
                + (["-", "-", "-"] if s is None else [str(s.tp), str(s.fp), str(s.fn)])
            )
    return rows


def dataset_table(ds: DatasetResult) -> Table:
    """Every score set of one benchmark, micro and macro, with the raw counts."""
    table = Table(title=f"{ds.name} ({ds.mode.upper()}, {len(ds.documents)} documents)")
    for i, name in enumerate(DETAIL_COLUMNS):
        table.add_column(name, justify="left" if i < 2 else "right")
    for row in _detail_rows(ds):
        table.add_row(*row)
    return table


def _md_table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    def cell(value: str) -> str:
        return str(value).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(cell(h) for h in header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def to_markdown(result: EvaluationResult) -> str:
    """The summary, each benchmark's score sets, error categories and frequent wrong pairs."""
    parts = [
        f"# Evaluation ({result.mode.upper()})",
        "",
        "Scores in percent, GERBIL definitions (docs/evaluation.md). InKB leaves out NIL gold, NIL "
        "predictions and gold entries the KB lacks (coverage gaps); all-gold counts gaps as misses.",
        "",
        _md_table(SUMMARY_COLUMNS, _summary_rows(result)),
    ]
    for ds in result.datasets:
        parts += ["", f"## {ds.name}", "", _md_table(DETAIL_COLUMNS, _detail_rows(ds)), ""]
        errors = ds.errors()
        error_rows = [[ERROR_CATEGORIES[k], str(v)] for k, v in errors.items()]
        parts += [_md_table(["Error category", "Count"], error_rows)]
        pairs = wrong_pairs(ds.documents).most_common(TOP_PAIRS)
        if pairs:
            pair_rows = [[g, p, str(n)] for (g, p), n in pairs]
            parts += ["", _md_table(["Gold entry", "Predicted entry", "Count"], pair_rows)]
    return "\n".join(parts) + "\n"


# -- per-document data ----------------------------------------------------------------


def document_rows(ds: DatasetResult) -> list[dict[str, Any]]:
    """One dict per document: InKB counts and P/R/F1 under strong matching, plus weak when scored."""
    rows = []
    for r in ds.documents:
        c = r.primary()
        p, rec, f1 = prf(c)
        kinds = {"entry": 0, "gap": 0, "nil": 0}
        for j in r.gold:
            kinds[j.mention.kind] += 1
        row: dict[str, Any] = {
            "id": r.doc.id,
            "tp": c.tp,
            "fp": c.fp,
            "fn": c.fn,
            "precision": p,
            "recall": rec,
            "f1": f1,
            "gold_in_kb": kinds["entry"],
            "gold_not_in_kb": kinds["gap"],
            "gold_nil": kinds["nil"],
            "predicted": sum(1 for j in r.predicted if j.mention.kind == "entry"),
        }
        if "weak" in r.counts:
            w = r.counts["weak"]["inkb"]
            row["weak"] = {"tp": w.tp, "fp": w.fp, "fn": w.fn, "f1": prf(w)[2]}
        rows.append(row)
    return rows


def _context(text: str, start: int, end: int, width: int = 40) -> str:
    left = text[max(0, start - width) : start]
    right = text[end : end + width]
    return " ".join(f"{left}[{text[start:end]}]{right}".split())


def error_examples(ds: DatasetResult, limit: int = EXAMPLES) -> dict[str, dict[str, Any]]:
    """Each error category: its count and up to ``limit`` examples with their context."""
    out: dict[str, dict[str, Any]] = {
        k: {"label": label, "count": 0, "examples": []} for k, label in ERROR_CATEGORIES.items()
    }

    def add(category: str, r: DocumentResult, j: Judged, gold: str | None, predicted: str | None) -> None:
        entry = out[category]
        entry["count"] += 1
        if len(entry["examples"]) < limit:
            m = j.mention
            entry["examples"].append(
                {
                    "doc": r.doc.id,
                    "start": m.start,
                    "end": m.end,
                    "surface": m.surface,
                    "gold": gold,
                    "predicted": predicted,
                    "context": _context(r.doc.text, m.start, m.end),
                }
            )

    for r in ds.documents:
        for j in r.gold:
            m = j.mention
            if j.status in ("missed", "wrong"):
                add(j.status, r, j, m.key, j.other)
            elif j.status == "gap":
                add("not_in_kb", r, j, m.title or m.key, j.other)
            elif j.status == "nil" and j.other is not None:
                add("nil_linked", r, j, None, j.other)
        for j in r.predicted:
            if j.status == "spurious":
                add("spurious", r, j, None, j.mention.key)
    return out


# -- HTML ---------------------------------------------------------------------------------

_CSS = """
body{font:15px/1.5 system-ui,sans-serif;margin:1.5em auto;max-width:1400px;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:.5em 0 1em}td,th{border:1px solid #ccc;padding:.2em .6em;text-align:right}
td:first-child,th:first-child,td.l{text-align:left}
details{border:1px solid #ddd;border-radius:4px;margin:.4em 0;padding:.3em .6em}
summary{cursor:pointer}summary .ok{color:#1a7f37}summary .bad{color:#b3261e}
.cols{display:grid;grid-template-columns:1fr 1fr;gap:1em}.cols h4{margin:.3em 0}
.text{white-space:pre-wrap;border:1px solid #eee;padding:.5em;background:#fcfcfc}
mark{border-radius:3px;padding:0 1px;color:inherit}
.correct{background:#c8f0cc}.wrong{background:#ffc9c4}.missed{background:#ffe59a}
.spurious{background:#cfe0ff}.gap{background:#e4e4e4;outline:1px dashed #888}
.nil{background:#ead9ff}.unlinked{background:#f3f3f3;outline:1px dotted #888}
.legend mark{margin-right:.6em}.overlap{color:#666;font-size:90%}
"""

_LEGEND = {
    "correct": "correct",
    "wrong": "wrong entry",
    "missed": "missed (gold only)",
    "spurious": "spurious (predicted only)",
    "gap": "gold entry not in KB",
    "nil": "NIL gold / linked NIL",
    "unlinked": "left unlinked (D2KB)",
}


def _esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def _tooltip(side: str, j: Judged) -> str:
    m = j.mention
    mine = m.key if m.kind != "nil" else "NIL"
    if side == "gold":
        if m.kind == "gap":
            mine = f"{m.title or m.key} (not in KB)"
        return f"gold: {mine}; predicted: {j.other or '-'} [{j.status}]"
    return f"predicted: {mine}; gold: {j.other or '-'} [{j.status}]"


def _render_text(text: str, judged: Sequence[Judged], side: str) -> str:
    """The text with each judged mention marked; overlapping marks are listed below it."""
    out, leftovers, pos = [], [], 0
    for j in sorted(judged, key=lambda j: (j.mention.start, -j.mention.end)):
        m = j.mention
        if m.start < pos:
            leftovers.append(j)
            continue
        out.append(_esc(text[pos : m.start]))
        tip = _esc(_tooltip(side, j))
        out.append(f'<mark class="{_esc(j.status)}" title="{tip}">{_esc(text[m.start : m.end])}</mark>')
        pos = m.end
    out.append(_esc(text[pos:]))
    body = f'<div class="text">{"".join(out)}</div>'
    if leftovers:
        items = "; ".join(
            f'<mark class="{_esc(j.status)}">{_esc(j.mention.surface)}</mark> '
            f"{j.mention.start}-{j.mention.end} {_esc(_tooltip(side, j))}"
            for j in leftovers
        )
        body += f'<p class="overlap">Overlapping, not shown inline: {items}</p>'
    return body


def _scores_html(ds: DatasetResult) -> str:
    head = "".join(f"<th>{_esc(c)}</th>" for c in DETAIL_COLUMNS)
    rows = "".join(
        "<tr>"
        + "".join(f'<td class="l">{_esc(v)}</td>' if i < 2 else f"<td>{_esc(v)}</td>" for i, v in enumerate(row))
        + "</tr>"
        for row in _detail_rows(ds)
    )
    return f"<table><tr>{head}</tr>{rows}</table>"


def dataset_html(ds: DatasetResult) -> str:
    """A standalone page: scores, error counts, wrong pairs, then every document, gold beside predicted."""
    kinds = ds.gold_kinds()
    errors = ds.errors()
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_esc(ds.name)}: linkpedia evaluation</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>{_esc(ds.name)} <small>({_esc(ds.mode.upper())})</small></h1>",
        f"<p>{len(ds.documents)} documents; gold mentions: {kinds['entry']} in the KB, {kinds['gap']} "
        f"not in the KB, {kinds['nil']} NIL; KB coverage {_pct(ds.coverage)}%; "
        f"{ds.predicted_links} predicted links. Scores in percent; verdicts use strong matching.</p>",
        _scores_html(ds),
        "<h2>Errors</h2><table><tr><th>Category</th><th>Count</th></tr>",
        "".join(f'<tr><td class="l">{_esc(ERROR_CATEGORIES[k])}</td><td>{v}</td></tr>' for k, v in errors.items()),
        "</table>",
    ]
    pairs = wrong_pairs(ds.documents).most_common(TOP_PAIRS)
    if pairs:
        parts.append("<h2>Most frequent wrong entries</h2>")
        parts.append("<table><tr><th>Gold</th><th>Predicted</th><th>Count</th></tr>")
        parts += [
            f'<tr><td class="l">{_esc(g)}</td><td class="l">{_esc(p)}</td><td>{n}</td></tr>' for (g, p), n in pairs
        ]
        parts.append("</table>")
    legend = "".join(f'<mark class="{k}">{_esc(v)}</mark>' for k, v in _LEGEND.items())
    parts.append(f'<h2>Documents</h2><p class="legend">{legend}</p>')
    for r in ds.documents:
        c = r.primary()
        p, rec, f1 = prf(c)
        flawless = c.fp == 0 and c.fn == 0
        verdict = "ok" if flawless else "bad"
        parts.append(
            f"<details{'' if flawless else ' open'}><summary><b>{_esc(r.doc.id)}</b> "
            f'<span class="{verdict}">P {_pct(p)} R {_pct(rec)} F1 {_pct(f1)}</span> '
            f"(TP {c.tp}, FP {c.fp}, FN {c.fn})</summary>"
            f'<div class="cols"><div><h4>Gold</h4>{_render_text(r.doc.text, r.gold, "gold")}</div>'
            f'<div><h4>Predicted</h4>{_render_text(r.doc.text, r.predicted, "predicted")}</div></div></details>'
        )
    parts.append("</body></html>")
    return "\n".join(parts)


def index_html(result: EvaluationResult, sweeps: Sequence[DatasetSweep], stems: Sequence[str]) -> str:
    """The report's front page: the summary, the best threshold of each benchmark and its two charts."""
    head = "".join(f"<th>{_esc(c)}</th>" for c in SUMMARY_COLUMNS)
    rows = "".join("<tr>" + "".join(f'<td class="l">{_esc(v)}</td>' if i < 2 else f"<td>{_esc(v)}</td>"
                                    for i, v in enumerate(row)) + "</tr>" for row in _summary_rows(result))
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>linkpedia evaluation ({_esc(result.mode.upper())})</title>",
        f"<style>{_CSS}.charts{{display:flex;flex-wrap:wrap;gap:1em}}</style></head><body>",
        f"<h1>linkpedia evaluation <small>({_esc(result.mode.upper())})</small></h1>",
        "<p>Scores in percent (micro unless marked macro). Each benchmark's page lists every document.</p>",
        f"<table><tr>{head}</tr>{rows}</table>",
        "<ul>" + "".join(f'<li><a href="{_esc(stem)}.html">{_esc(ds.name)}</a></li>'
                         for stem, ds in zip(stems, result.datasets)) + "</ul>",
    ]
    if sweeps:
        best_head = "".join(f"<th>{_esc(c)}</th>" for c in BEST_COLUMNS)
        best_rows = "".join("<tr>" + "".join(f'<td class="l">{_esc(v)}</td>' if i == 0 else f"<td>{_esc(v)}</td>"
                                             for i, v in enumerate(row)) + "</tr>" for row in _best_rows(sweeps))
        parts += [
            "<h2>Threshold</h2>",
            "<p>InKB scores with strong matching, the benchmark linked again at each threshold. The "
            "reliability diagram bins the links of the threshold-0 run by their score: a calibrated "
            "score puts each bar on the diagonal.</p>",
            f'<table id="best"><tr>{best_head}</tr>{best_rows}</table>',
        ]
        for s in sweeps:
            parts += [f"<h3>{_esc(s.name)}</h3>",
                      f'<div class="charts">{curve_svg(s.points, s.best, s.name)}'
                      f"{reliability_svg(s.bins, s.name)}</div>"]
    parts.append("</body></html>")
    return "\n".join(parts)


# -- writing -----------------------------------------------------------------------------------


def _file_stems(names: Sequence[str]) -> list[str]:
    stems, seen = [], set()
    for name in names:
        stem = re.sub(r"[^\w.-]+", "_", name).strip("._") or "dataset"
        candidate, n = stem, 2
        while candidate.lower() in seen or candidate.lower() in ("summary", "index"):
            candidate, n = f"{stem}-{n}", n + 1
        seen.add(candidate.lower())
        stems.append(candidate)
    return stems


def write_report(result: EvaluationResult, out_dir: str | Path,
                 sweeps: Sequence[DatasetSweep] | None = None) -> Path:
    """Write the report directory and return its path.

    Files: ``summary.json`` (``result.to_dict()``, plus ``sweep`` when
    ``sweeps`` is given), ``summary.md``, ``index.html``, and per
    benchmark ``<name>.documents.jsonl``, ``<name>.errors.json`` and
    ``<name>.html``. Everything is written into a temporary directory beside
    ``out_dir`` and renamed into place; an existing report there is
    replaced, any other non-empty directory is refused.
    """
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise InputError(f"{out}: exists and is not a directory; choose another --report path")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise InputError(
            f"{out}: directory is not empty and holds no earlier report; choose a new or empty --report path"
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent))
    try:
        os.chmod(tmp, 0o755)
        _write_files(result, tmp, sweeps or ())
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".old", dir=out.parent))
            old.rmdir()
            out.rename(old)
            tmp.rename(out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            tmp.rename(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


def _write_files(result: EvaluationResult, root: Path, sweeps: Sequence[DatasetSweep]) -> None:
    def write(name: str, content: str) -> None:
        (root / name).write_text(content, encoding="utf-8")

    summary = result.to_dict()
    if sweeps:
        summary["sweep"] = [s.to_dict() for s in sweeps]
    write("summary.json", json.dumps(summary, ensure_ascii=False, indent=2) + "\n")
    write("summary.md", to_markdown(result) + ("\n" + sweep_markdown(sweeps) if sweeps else ""))
    stems = _file_stems([d.name for d in result.datasets])
    write("index.html", index_html(result, sweeps, stems))
    for stem, ds in zip(stems, result.datasets):
        write(
            f"{stem}.documents.jsonl",
            "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in document_rows(ds)),
        )
        write(f"{stem}.errors.json", json.dumps(error_examples(ds), ensure_ascii=False, indent=2) + "\n")
        write(f"{stem}.html", dataset_html(ds))
