"""The ``linkpedia`` command: a thin wrapper over the library.

Each command parses options, calls the library and prints; a
``LinkpediaError`` becomes ``Error: <message>`` on stderr and exit code 2.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
from pathlib import Path
from typing import Callable

import click

from .errors import InputError, LinkpediaError

__all__ = ["main", "cli"]

EPILOG_BUILD = """\b
Example:
    linkpedia build enwiki-latest-pages-articles.xml.bz2 --out enwiki-kb
    linkpedia build summaries.jsonl --field text=extract --out kb
    linkpedia build enwiki-latest-pages-articles.xml.bz2 --wikidata latest-all.json.bz2 --out enwiki-kb
"""


def _fail(message: str, code: int = 2) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(code)


class _Terminated(KeyboardInterrupt):
    """SIGTERM, raised where Ctrl-C would be, so the same cleanup runs."""


def _on_sigterm(signum, frame) -> None:
    if os.getpid() != _owner[0]:  # a forked worker (pool.terminate()): die as it would have
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTERM)
        return
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second one must not cut the cleanup short
    raise _Terminated()


def _redeliver_dropped(unraisable) -> None:
    """A SIGTERM whose handler ran inside a finalizer (a weakref callback, a
    multiprocessing ``Finalize``) raised there, where Python drops exceptions,
    and the command would go on to finish: send it again, from a thread and a
    moment later, so it is raised once the finalizer has returned (sent from
    here, it would be handled, and dropped, before this hook returns)."""
    if isinstance(unraisable.exc_value, _Terminated) and os.getpid() == _owner[0]:
        try:
            signal.signal(signal.SIGTERM, _on_sigterm)
        except ValueError:  # not the main thread, where the handler raised: nothing to redeliver
            return
        threading.Timer(0.01, os.kill, (os.getpid(), signal.SIGTERM)).start()
        return
    sys.__unraisablehook__(unraisable)


def _terminate_like_interrupt() -> None:
    """SIGTERM (timeout, docker stop, a cancelled CI job) ends a command as Ctrl-C does:
    temporary files removed, workers stopped, one line. Not for ``serve``: uvicorn
    handles the signal itself, finishing the requests in flight."""
    if threading.current_thread() is threading.main_thread():
        _owner[0] = os.getpid()
        _saved.append(signal.signal(signal.SIGTERM, _on_sigterm))
        _saved_hooks.append(sys.unraisablehook)
        sys.unraisablehook = _redeliver_dropped


_owner = [0]  # the process whose command installed the handler
_saved: list = []  # the handler before a command's, put back when it ends (CliRunner, tests)
_saved_hooks: list = []  # likewise sys.unraisablehook


def _default_in_child() -> None:
    """A forked worker gets SIGTERM's default back. Its parent ends it with SIGTERM
    (``Process.terminate``, ``Pool.terminate``), and a Python handler there runs only
    when the worker's main thread wakes: one blocked reading its task queue, with the
    signal taken by its queue's feeder thread, would never end."""
    if signal.getsignal(signal.SIGTERM) is _on_sigterm:
        try:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
        except ValueError:  # not the main thread: leave it (the handler kills a child anyway)
            pass


os.register_at_fork(after_in_child=_default_in_child)


class _Group(click.Group):
    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except LinkpediaError as exc:
            _fail(str(exc), exc.exit_code)
        except _Terminated:
            _fail("terminated", 128 + signal.SIGTERM)
        except KeyboardInterrupt:
            _fail("interrupted", 130)
        except BrokenPipeError:
            sys.stderr.close()
            sys.exit(1)
        finally:
            while _saved:
                signal.signal(signal.SIGTERM, _saved.pop())
            while _saved_hooks:
                sys.unraisablehook = _saved_hooks.pop()


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="linkpedia")
def cli() -> None:
    """Turn plain text into a hyperlinked encyclopedia page.

    \b
    Example:
        linkpedia build sample-wiki.xml --out sample-kb
        echo "Kaunas is a city in Lithuania." | linkpedia link - --kb sample-kb
    """


def _parse_fields(values: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for v in values:
        ours, sep, theirs = v.partition("=")
        if not sep or not ours or not theirs:
            raise InputError(f"--field {v!r}: write OURS=THEIRS, e.g. --field text=extract")
        out[ours.strip()] = theirs.strip()
    return out


def _decorators(*decorators: Callable) -> Callable:
    """One decorator applying ``decorators`` in order, as if stacked above a function."""
    def apply(f: Callable) -> Callable:
        for d in reversed(decorators):
            f = d(f)
        return f
    return apply


# Options that `build` and `spark build` share.
_sources_and_out = _decorators(
    click.argument("sources", nargs=-1, required=True, type=click.Path(path_type=Path)),
    click.option("--out", "-o", required=True, type=click.Path(path_type=Path), help="KB directory to write."),
)
_reading_options = _decorators(
    click.option("--format", "fmt", type=click.Choice(["mediawiki", "wikiextractor", "wikiextractor-json", "jsonl"]),
                 help="Source format (detected from the content when omitted)."),
    click.option("--field", "fields", multiple=True, metavar="OURS=THEIRS",
                 help="JSONL field mapping, e.g. --field text=extract."),
    click.option("--max-page-bytes", type=click.IntRange(min=1000), default=10_000_000, show_default=True,
                 help="Skip (and count) pages larger than this."),
)

_wikidata_options = _decorators(
    click.option("--wikidata", "wikidata", multiple=True, type=click.Path(path_type=Path), metavar="FILE",
                 help="A Wikidata JSON dump (latest-all.json.bz2, .gz or plain): each entry's QID, label, "
                      "aliases, description and instance-of classes, through its sitelink."),
    click.option("--site", default=None, metavar="SITE",
                 help="The Wikidata site id of the KB's wiki (default: the dump's <siteinfo> dbname, else enwiki)."),
)


_inlink_cap = click.option(
    "--inlink-cap", "inlink_cap", type=click.IntRange(min=0), default=None, metavar="N",
    help="In-links of an entry that coherence reads (default 2,000; 0 = all): bounds the time a "
         "text costs where entries have hundreds of thousands.")


def _config(inlink_cap: int | None):
    """The linker config of the command's options (None: the KB's defaults)."""
    from .link.linker import LinkerConfig

    return None if inlink_cap is None else LinkerConfig(inlink_cap=inlink_cap)


_mention_mode = click.option(
    "--mention-mode", "mention_mode", type=click.Choice(["wikipedia", "entities"]), default=None,
    help="How mentions are found: wikipedia = what an editor would link (needs a KB with links); "
         "entities = every named entity the KB has, from capitalization (default: wikipedia).")


def _echo_build_report(out: Path, report) -> None:
    mb = report.bytes_in / 1e6
    click.echo(
        f"Built {out}: {report.entries:,} entries, {report.redirects:,} redirects, "
        f"{report.disambiguation:,} disambiguation pages, {report.surfaces:,} surfaces "
        f"from {report.pages:,} pages ({mb:,.1f} MB) in {report.seconds:,.1f} s"
    )
    if report.skipped:
        click.echo("Skipped: " + ", ".join(f"{k}: {v:,}" for k, v in sorted(report.skipped.items())))


@cli.command(epilog=EPILOG_BUILD)
@_sources_and_out
@click.option("--jobs", "-j", type=click.IntRange(min=0), default=0, show_default=True,
              help="Worker processes; 0 = all cores.")
@_reading_options
@click.option("--aliases", "aliases", multiple=True, type=click.Path(path_type=Path), metavar="FILE",
              help="A TSV of alias<TAB>title lines (.gz/.bz2 too); titles matched case-insensitively.")
@_wikidata_options
def build(sources, out, jobs, fmt, fields, max_page_bytes, aliases, wikidata, site) -> None:
    """Build a knowledge base from MediaWiki dumps, WikiExtractor output or JSONL articles."""
    _terminate_like_interrupt()
    from .kb.build import BuildOptions, build_kb
    from .progress import RichProgress

    options = BuildOptions(jobs=jobs, fields=_parse_fields(fields), format=fmt,
                           max_page_bytes=max_page_bytes, aliases=tuple(str(a) for a in aliases),
                           wikidata=tuple(str(w) for w in wikidata), site=site)
    _echo_build_report(out, build_kb(sources, out, options=options, progress=RichProgress()))


@cli.command(epilog="\b\nExample:\n    linkpedia info sample-kb\n    linkpedia info sample-kb --json")
@click.argument("kb_dir", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the metadata as JSON.")
def info(kb_dir, as_json) -> None:
    """Print a KB's metadata and counts."""
    from .kb import leftovers, open_kb

    with open_kb(kb_dir) as kb:
        data = kb.info()
    data["leftovers"] = [left.to_dict() for left in leftovers.find(kb_dir)]
    if as_json:
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    from .info import print_info

    print_info(data)


@cli.command(epilog="\b\nExample:\n    linkpedia check sample-kb\n    linkpedia check sample-kb --repair")
@click.argument("kb_dir", type=click.Path(path_type=Path))
@click.option("--repair", is_flag=True, help="Recompile a damaged index from kb.sqlite (the store of record).")
def check(kb_dir, repair) -> None:
    """Check a KB: SQLite's integrity_check, the index against its manifest and the store, the scorer.

    Exit code 0 when all is well, 2 when something is damaged.
    """
    from .kb.check import check_kb

    findings = check_kb(kb_dir, repair=repair)
    for f in findings:
        click.echo(f"{f.part}: {'ok' if f.ok else 'DAMAGED'} — {f.message}")
    bad = [f for f in findings if not f.ok]
    if bad:
        _fail(f"{kb_dir}: {len(bad)} of {len(findings)} checks failed ({', '.join(f.part for f in bad)})")


@cli.command(epilog="""\b
Example:
    linkpedia link article.txt --kb sample-kb --format seed --policy first
    echo "Vilnius is the capital." | linkpedia link - --kb sample-kb --format json
""")
@click.argument("file", default="-", type=click.Path(allow_dash=True, path_type=Path))
@click.option("--kb", "kb_dir", required=True, type=click.Path(path_type=Path), help="KB directory.")
@click.option("--format", "fmt", type=click.Choice(["seed", "html", "json", "nif"]), default="seed",
              show_default=True)
@click.option("--policy", type=click.Choice(["all", "first"]), default="first", show_default=True,
              help="Link every mention, or the first of each entry in each paragraph.")
@click.option("--threshold", type=click.FloatRange(0, 1), default=None,
              help="Minimum confidence to link (default: the KB's calibrated 0.5).")
@click.option("--title", default=None, help="Document title (default: the file name).")
@click.option("--link-base", default=None, metavar="URL",
              help="HTML: links go to URL + title, e.g. https://en.wikipedia.org/wiki/ (default: the "
                   "source wiki's article URL when the KB knows it, else the page's own Entries section).")
@click.option("--output", "-o", type=click.Path(path_type=Path), default=None,
              help="Write here instead of standard output.")
@_mention_mode
@_inlink_cap
def link(file, kb_dir, fmt, policy, threshold, title, link_base, output, mention_mode, inlink_cap) -> None:
    """Link a text file (or standard input) and print the page."""
    _terminate_like_interrupt()
    from .kb import open_kb
    from .render import render, render_html
    from .render.targets import kb_link_base

    if link_base is not None and fmt != "html":
        raise InputError(f"--link-base applies to --format html, not {fmt}")
    if link_base is not None and not link_base.strip():
        raise InputError("--link-base is empty; give a URL such as https://en.wikipedia.org/wiki/")
    text = _read_text(file)
    if title is None:
        title = None if str(file) == "-" else file.stem.replace("_", " ")
    with open_kb(kb_dir, config=_config(inlink_cap)) as kb:
        doc = kb.link(text, policy=policy, threshold=threshold, title=title, mode=mention_mode)
        if fmt == "html" and link_base is None:
            link_base = kb_link_base(kb.meta)
    out = render_html(doc, link_base=link_base) if fmt == "html" else render(doc, fmt)
    if output is None:
        click.echo(out, nl=not out.endswith("\n"))
    else:
        _write_atomic(output, out)


@cli.command(epilog="""\b
Example:
    linkpedia evaluate --kb eval-kb ../shared/data/benchmarks/kore50.jsonl --mode a2kb
    linkpedia evaluate --kb eval-kb data/*.jsonl --mode d2kb --report report/
    linkpedia evaluate --kb eval-kb data/*.jsonl --sweep --format markdown > sweep.md
""")
@click.argument("datasets", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--kb", "kb_dir", required=True, type=click.Path(path_type=Path), help="KB directory.")
@click.option("--mode", type=click.Choice(["a2kb", "d2kb"]), default="a2kb", show_default=True,
              help="a2kb: find and link mentions; d2kb: link the gold mentions.")
@click.option("--policy", type=click.Choice(["all", "first"]), default="all", show_default=True)
@click.option("--threshold", type=click.FloatRange(0, 1), default=None,
              help="Minimum confidence to link (default: the KB's 0.5).")
@click.option("--format", "fmt", type=click.Choice(["table", "markdown", "json"]), default=None,
              help="How to print the scores (default: table on a terminal, else full-width markdown).")
@click.option("--json", "as_json", is_flag=True, help="Same as --format json.")
@click.option("--sweep", is_flag=True,
              help="Also score every threshold from 0 to 1 (step 0.05): the curve, the best threshold "
                   "and the reliability of the scores.")
@click.option("--report", "report_dir", type=click.Path(path_type=Path), default=None,
              help="Write tables, per-document scores, errors, threshold charts and HTML pages here.")
@_mention_mode
@_inlink_cap
def evaluate(datasets, kb_dir, mode, policy, threshold, fmt, as_json, sweep, report_dir, mention_mode,
             inlink_cap) -> None:
    """Score the linker on benchmarks (JSONL, NIF or AIDA-CoNLL) the way GERBIL does."""
    _terminate_like_interrupt()
    from .evaluate import load_dataset, write_report
    from .evaluate import evaluate as run_evaluation
    from .evaluate.sweep import sweep as run_sweep
    from .kb import open_kb

    if as_json:
        if fmt not in (None, "json"):
            raise InputError(f"--json and --format {fmt} disagree; give one of them")
        fmt = "json"
    fmt = fmt or ("table" if sys.stdout.isatty() else "markdown")
    loaded = [load_dataset(p) for p in datasets]
    sweeps = None
    with open_kb(kb_dir, config=_config(inlink_cap)) as kb:
        annotator = _PolicyAnnotator(kb, policy, threshold, mention_mode)
        result = run_evaluation(annotator, loaded, mode=mode)
        if sweep or report_dir is not None:
            sweeps = run_sweep(annotator, loaded, mode=mode)
    _print_evaluation(result, sweeps if sweep else None, fmt)
    if report_dir is not None:
        path = write_report(result, report_dir, sweeps)
        click.echo(f"Report written to {path}", err=True)


def _print_evaluation(result, sweeps, fmt: str) -> None:
    from .evaluate.report import summary_markdown, summary_table, sweep_markdown, sweep_tables

    if fmt == "json":
        data = result.to_dict()
        if sweeps is not None:
            data["sweep"] = [s.to_dict() for s in sweeps]
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    elif fmt == "markdown":
        click.echo(summary_markdown(result) + ("\n" + sweep_markdown(sweeps) if sweeps is not None else ""),
                   nl=False)
    else:
        from rich.console import Console

        # A table is cut to the terminal's width; off a terminal there is none, so nothing is cut.
        console = Console() if sys.stdout.isatty() else Console(width=1000)
        console.print(summary_table(result))
        for table in sweep_tables(sweeps) if sweeps is not None else ():
            console.print(table)


class _PolicyAnnotator:
    """An opened KB seen through the evaluation's Annotator protocol, with fixed options."""

    def __init__(self, kb, policy: str, threshold: float | None, mention_mode: str | None = None):
        self.kb, self.policy, self.threshold, self.mention_mode = kb, policy, threshold, mention_mode

    def link(self, text, *, mentions=None, threshold=None):
        threshold = self.threshold if threshold is None else threshold
        return self.kb.link(text, policy=self.policy, threshold=threshold, mentions=mentions,
                            mode=self.mention_mode)

    def resolve(self, title):
        return self.kb.resolve(title)

    def is_disambiguation(self, title):
        return self.kb.is_disambiguation(title)

    @property
    def has_qids(self) -> bool:
        return self.kb.has_qids

    def by_qid(self, qid):
        return self.kb.by_qid(qid)

    def qid_of_title(self, title):
        return self.kb.qid_of_title(title)

    def candidates_in(self, text, spans):
        return self.kb.candidates_in(text, spans)


@cli.command(epilog="""\b
Example:
    linkpedia update enwiki-kb enwiki-20261127-pages-meta-hist-incr.xml.bz2
    linkpedia update my-kb changed.jsonl --delete removed-titles.txt
    linkpedia update enwiki-kb --wikidata latest-all.json.bz2
""")
@click.argument("kb_dir", type=click.Path(path_type=Path))
@click.argument("sources", nargs=-1, type=click.Path(path_type=Path))
@click.option("--delete", "delete_file", type=click.Path(path_type=Path), default=None,
              help="A file of titles to delete, one per line.")
@click.option("--jobs", "-j", type=click.IntRange(min=0), default=None,
              help="Worker processes (default: as the KB was built).")
@click.option("--field", "fields", multiple=True, metavar="OURS=THEIRS",
              help="JSONL field mapping (default: the one the KB was built with).")
@click.option("--aliases", "aliases", multiple=True, type=click.Path(path_type=Path), metavar="FILE",
              help="More alias<TAB>title files (those the KB was built with are kept).")
@_wikidata_options
def update(kb_dir, sources, delete_file, jobs, fields, aliases, wikidata, site) -> None:
    """Apply new and changed pages, and deletions, to a KB without a rebuild."""
    _terminate_like_interrupt()
    import dataclasses

    from .kb.build import BuildOptions
    from .kb.store import check_kb_dir
    from .kb.update import read_meta_of, read_titles, update_kb
    from .progress import RichProgress

    check_kb_dir(kb_dir)
    titles = read_titles(delete_file) if delete_file is not None else []
    options = None
    if jobs is not None or fields:
        stored = read_meta_of(kb_dir).get("options", {})
        options = BuildOptions(**{k: (dict(v) if k == "fields" else v) for k, v in stored.items()
                                  if k in BuildOptions.__dataclass_fields__})
        if jobs is not None:
            options = dataclasses.replace(options, jobs=jobs)
        if fields:
            options = dataclasses.replace(options, fields=_parse_fields(fields))
    report = update_kb(kb_dir, sources, delete=titles, options=options, progress=RichProgress(),
                       aliases=aliases, wikidata=wikidata, site=site)
    items = " and Wikidata items" if wikidata else ""
    if not (report.added or report.changed or report.deleted or report.wikidata_changed):
        click.echo(f"Unchanged {kb_dir}: the {report.unchanged:,} given pages{items} are identical to the KB's, "
                   f"nothing deleted ({report.seconds:,.1f} s)")
        return
    unchanged = f", {report.unchanged:,} unchanged" if report.unchanged else ""
    changed_items = f", {report.wikidata_changed:,} Wikidata items new or changed" if wikidata else ""
    click.echo(f"Updated {kb_dir} (generation {report.generation}): {report.added:,} added, "
               f"{report.changed:,} changed{unchanged}, {report.deleted:,} deleted{changed_items} "
               f"in {report.seconds:,.1f} s")


@cli.command(epilog="""\b
Example:
    linkpedia serve --kb demo-out/sample-kb
    linkpedia serve --kb enwiki-kb --host 0.0.0.0 --port 8080 --workers 2
""")
@click.option("--kb", "kb_dir", required=True, type=click.Path(path_type=Path), help="KB directory.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to bind; other than loopback only when you mean it.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
              help="Worker processes; they share the KB's index through mmap.")
@click.option("--max-text-chars", type=click.IntRange(min=1), default=100_000, show_default=True,
              help="Longest text /api/link accepts (413 beyond).")
@click.option("--max-body-bytes", type=click.IntRange(min=1), default=2_000_000, show_default=True,
              help="Largest request body (413 beyond).")
@click.option("--timeout", "timeout_s", type=click.FloatRange(min=0.1), default=10.0, show_default=True,
              help="Seconds a request may take (503 beyond).")
@_mention_mode
@_inlink_cap
def serve(kb_dir, host, port, workers, max_text_chars, max_body_bytes, timeout_s, mention_mode,
          inlink_cap) -> None:
    """Serve the HTTP API and the web reader for a KB."""
    from .kb.store import check_kb_dir

    check_kb_dir(kb_dir)
    try:
        from .serve import serve as run_server
    except ImportError as exc:
        raise InputError(f"the server needs its extra ({exc.name} is missing) — "
                         "pip install 'linkpedia[serve]'") from None
    run_server(kb_dir, host=host, port=port, workers=workers, max_text_chars=max_text_chars,
               max_body_bytes=max_body_bytes, timeout_s=timeout_s, mode=mention_mode or "wikipedia",
               inlink_cap=inlink_cap)


@cli.group(epilog="""\b
Example:
    linkpedia spark link --kb enwiki-kb --input crawl/ --output linked/ --master local[2]
    linkpedia spark build enwiki-pages-articles-multistream.xml.bz2 --out enwiki-kb
""")
def spark() -> None:
    """Run linking or a KB build on Apache Spark (needs linkpedia[spark] and Java)."""


def _spark_api():
    from . import spark as api
    from .spark.session import require_pyspark

    require_pyspark()  # SparkUnavailableError, a one-line message with the fix
    return api


@spark.command("link", epilog="""\b
Example:
    linkpedia spark link --kb enwiki-kb --input docs.jsonl --output linked.jsonl
    linkpedia spark link --kb kb --input crawl.parquet --output out.parquet --text-column body
""")
@click.option("--kb", "kb_dir", required=True, type=click.Path(path_type=Path), help="KB directory.")
@click.option("--input", "input_path", required=True,
              help="JSONL, Parquet or text files (a file, a directory or a glob).")
@click.option("--output", "output_path", required=True,
              help="Where to write one row per document: its id and its links (the json schema); "
                   "Parquet when it ends with .parquet, else JSONL.")
@click.option("--master", default="local[*]", show_default=True,
              help="Spark master: local[N], spark://host:port, yarn, ...")
@click.option("--text-column", default="text", show_default=True)
@click.option("--id-column", default="id", show_default=True)
@click.option("--input-format", type=click.Choice(["jsonl", "parquet", "text"]), default=None,
              help="Input format (guessed from the file names when omitted).")
@click.option("--output-format", type=click.Choice(["jsonl", "parquet"]), default=None,
              help="Overrides the choice made from --output's suffix.")
@click.option("--policy", type=click.Choice(["all", "first"]), default="all", show_default=True)
@click.option("--threshold", type=click.FloatRange(0, 1), default=None,
              help="Minimum confidence to link (default: the KB's calibrated 0.5).")
@click.option("--ship-kb/--no-ship-kb", default=None,
              help="Copy the KB to the executors (default on a cluster) or open it where it is "
                   "(default on local masters).")
def spark_link_cmd(kb_dir, input_path, output_path, master, text_column, id_column, input_format,
                   output_format, policy, threshold, ship_kb) -> None:
    """Link a corpus on Spark; the output equals `linkpedia link` document by document."""
    _terminate_like_interrupt()
    from .kb.store import check_kb_dir

    check_kb_dir(kb_dir)
    api = _spark_api()
    report = api.spark_link(kb_dir, input_path, output_path, master=master, text_column=text_column,
                            id_column=id_column, input_format=input_format, policy=policy,
                            threshold=threshold, output_format=output_format, ship_kb=ship_kb)
    click.echo(f"Linked {report.documents:,} documents ({report.links:,} links) into {report.output} "
               f"({report.format}) in {report.seconds:,.1f} s", err=True)
    if report.skipped:
        click.echo("Skipped: " + ", ".join(f"{k}: {v:,}" for k, v in sorted(report.skipped.items())),
                   err=True)


@spark.command("build", epilog="""\b
Example:
    linkpedia spark build enwiki-pages-articles-multistream.xml.bz2 --out enwiki-kb --master local[2]
""")
@_sources_and_out
@click.option("--master", default="local[*]", show_default=True,
              help="Spark master: local[N], spark://host:port, yarn, ...")
@_reading_options
@_wikidata_options
def spark_build_cmd(sources, out, master, fmt, fields, max_page_bytes, wikidata, site) -> None:
    """Build a KB with page parsing and occurrence counting on Spark; the KB equals `linkpedia build`'s.

    Plain XML and multistream .bz2 dumps are read by the executors in byte
    ranges (same path on every executor); other sources, and --wikidata, are
    read by the driver.
    """
    _terminate_like_interrupt()
    from .kb.build import BuildOptions
    from .progress import RichProgress

    api = _spark_api()
    report = api.spark_build(sources, out, master=master, progress=RichProgress(),
                             options=BuildOptions(fields=_parse_fields(fields), format=fmt,
                                                  max_page_bytes=max_page_bytes,
                                                  wikidata=tuple(str(w) for w in wikidata), site=site))
    _echo_build_report(out, report)


def _read_text(file: Path) -> str:
    if str(file) == "-":
        data = sys.stdin.buffer.read()
        name = "<stdin>"
    else:
        if not file.is_file():
            raise InputError(f"{file}: no such file")
        data = file.read_bytes()
        name = str(file)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{name} (byte {exc.start}): not valid UTF-8 — convert the file to UTF-8") from None
    return text.replace("\r\n", "\n").lstrip("\ufeff")


def _write_atomic(path: Path, content: str) -> None:
    """Write ``path`` whole or not at all (a temporary file renamed over it)."""
    if path.is_dir():
        raise InputError(f"--output {path}: is a directory — give a file name, e.g. {path / 'page.html'}")
    if not path.parent.is_dir():
        raise InputError(f"--output {path}: directory {path.parent} does not exist — create it first")
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        tmp.write_text(content, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        raise InputError(f"--output {path}: cannot write it ({exc.strerror}) — check the path and "
                         "its permissions") from None
    finally:
        tmp.unlink(missing_ok=True)


def main() -> None:
    cli(prog_name="linkpedia")


if __name__ == "__main__":
    main()
