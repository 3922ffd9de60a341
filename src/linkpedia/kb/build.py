"""``build_kb``: stream sources into a new KB directory, atomically.

Pass 1 reads pages (a thread of this process), extracts them (``jobs`` worker
processes, see ``workers``, which also keep the articles' term and context
sums) and writes per-page rows; the later passes derive the aggregates from
those rows (``aggregate``), count surface occurrences (``occurrences``), build
context profiles (``profiles``) and compile the read-optimized index (``index``).
Everything is written in ``.<name>.tmp-<pid>`` beside the target and renamed
on success, so a failed or killed build never leaves a KB that looks valid;
the target's write lock (``lock``) keeps a second build or an update out
meanwhile, and the next build removes what a killed one left (``leftovers``).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from itertools import repeat
from pathlib import Path
from typing import Callable, Iterable, Iterator, Mapping, Protocol, Sequence

from ..errors import EmptySourceError, InputError
from ..sources import detect_format, expand_paths, open_source
from ..sources._io import require_file
from ..sources.base import Page, Source
from ..wikitext.site import SiteInfo
from . import aggregate, index, leftovers, occurrences, profiles, swap, wikidata
from .aliases import load_aliases
from .casing import count_casing
from .lock import write_lock
from .extract import PageRecord, Sums, article_sums
from .schema import SCHEMA_VERSION
from .store import DB_NAME, create_db, live_dir, pack_links, read_meta, unpack_links, unpack_text, write_meta
from .workers import LocalExtractor

__all__ = ["BuildOptions", "BuildReport", "build_kb", "ProgressHook", "Extractor", "LocalExtractor",
           "OccurrenceCounter", "chunked", "add_sums", "write_sums", "finish_kb",
           "insert_page", "load_wikidata"]

CHUNK = 64  # pages per task sent to a worker (Spark)
FLUSH_AT = 2_000_000  # buffered term/context counts before they are added to the database


@dataclass(frozen=True)
class BuildOptions:
    """Knobs of a build; stored in the KB's meta so a build can be reproduced."""

    jobs: int = 0  # 0 = all cores
    fields: Mapping[str, str] = field(default_factory=dict)  # JSONL field mapping
    format: str | None = None  # force a source format
    max_page_bytes: int = 10_000_000
    profile_terms: int = 32
    min_anchor_count: int = 1  # drop (surface, entry) pairs seen fewer times (noise)
    train: bool = True  # fit the scorer on the KB's own links
    aliases: tuple[str, ...] = ()  # alias<TAB>title files (kb/aliases.py)
    wikidata: tuple[str, ...] = ()  # Wikidata JSON dumps (kb/wikidata.py)
    site: str | None = None  # the wiki whose sitelinks name the pages (default: the sources', else enwiki)

    def to_meta(self) -> dict:
        return {
            "jobs": self.jobs,
            "fields": dict(self.fields),
            "format": self.format,
            "max_page_bytes": self.max_page_bytes,
            "profile_terms": self.profile_terms,
            "min_anchor_count": self.min_anchor_count,
            "train": self.train,
            "aliases": [str(a) for a in self.aliases],
            "wikidata": [str(w) for w in self.wikidata],
            "site": self.site,
        }


@dataclass
class BuildReport:
    out: Path
    pages: int
    entries: int
    redirects: int
    disambiguation: int
    surfaces: int
    seconds: float
    bytes_in: int
    skipped: dict[str, int]


class ProgressHook:
    """Receives progress; the CLI passes one that draws a rich bar."""

    def start(self, phase: str, total: int | None) -> None: ...

    def advance(self, done: int, pages: int) -> None: ...

    def finish(self) -> None: ...


def chunked(pages: Iterator[Page], site: SiteInfo, size: int = CHUNK) -> Iterator[tuple[list[Page], SiteInfo]]:
    batch: list[Page] = []
    for page in pages:
        batch.append(page)
        if len(batch) >= size:
            yield batch, site
            batch = []
    if batch:
        yield batch, site


class Extractor(Protocol):
    """Turns a source's pages into ``PageRecord`` batches, in the source's order.

    The local build uses worker processes (``LocalExtractor``); ``linkpedia
    spark build`` plugs in one that runs on a Spark cluster. Whatever runs them, the
    records and their order are the same, so the KB is the same. An extractor
    may keep the articles' term and context counts itself (records with
    ``summed`` set) if it also has ``take_sums()`` and ``finish_sums()``, as
    ``LocalExtractor(keep_sums=True)`` does.
    """

    def records(self, source: Source) -> Iterator[list[PageRecord]]: ...

    def close(self) -> None: ...


OccurrenceCounter = Callable[[sqlite3.Connection, Path, int], None]


def _tmp_dir(out: Path) -> Path:
    tmp = out.parent / f".{out.name}.tmp-{os.getpid()}"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    return tmp


def _replace_dir(tmp: Path, out: Path) -> None:
    """Move the finished KB into place; an old KB there is replaced, anything else refused."""
    if out.exists():
        if not (live_dir(out) / DB_NAME).is_file():
            raise InputError(f"{out}: exists and is not a linkpedia KB — choose another --out or remove it")
        if swap.exchange(tmp, out):  # tmp now holds the old KB
            shutil.rmtree(tmp, ignore_errors=True)
            return
        old = out.parent / f".{out.name}.old-{os.getpid()}"
        os.rename(out, old)
        os.rename(tmp, out)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.rename(tmp, out)


def build_kb(
    sources: Sequence[str | Path],
    out: str | Path,
    *,
    options: BuildOptions = BuildOptions(),
    progress: ProgressHook | None = None,
    extractor: Extractor | None = None,
    count_occurrences: OccurrenceCounter | None = None,
) -> BuildReport:
    """Build a KB directory at ``out`` from ``sources``; see the module docstring.

    ``extractor`` and ``count_occurrences`` replace the local process pool for
    the two heavy passes (Spark plugs in here); the caller closes an extractor
    it passes.
    """
    started = time.perf_counter()
    out = Path(out)
    paths = expand_paths(sources)
    for w in options.wikidata:  # before the long first pass, not after it
        require_file(w)
    opened = []
    for p in paths:
        fmt = options.format or detect_format(p)
        opened.append(open_source(p, format=fmt, max_page_bytes=options.max_page_bytes,
                                  fields=(options.fields or None) if fmt == "jsonl" else None))
    if out.exists() and not (live_dir(out) / DB_NAME).is_file():
        raise InputError(f"{out}: exists and is not a linkpedia KB — choose another --out or remove it")
    with write_lock(out):
        leftovers.clean(out)
        return _build_locked(opened, out, options, progress, extractor, count_occurrences, started)


def _build_locked(opened: list[Source], out: Path, options: BuildOptions, progress: ProgressHook | None,
                  extractor: Extractor | None, count_occurrences: OccurrenceCounter | None,
                  started: float) -> BuildReport:
    tmp = _tmp_dir(out)
    try:
        jobs = options.jobs or os.cpu_count() or 1
        own = extractor is None
        ex = LocalExtractor(jobs, keep_sums=True) if own else extractor
        try:
            report = _build(opened, tmp, options, progress or ProgressHook(), started, ex,
                            count_occurrences or occurrences.count)
        finally:
            if own:
                ex.close()
        _replace_dir(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    report.out = out
    return report


def _build(sources: list[Source], tmp: Path, options: BuildOptions, progress: ProgressHook,
           started: float, extractor: Extractor, count_occurrences: OccurrenceCounter) -> BuildReport:
    con = create_db(tmp / DB_NAME)
    jobs = options.jobs or os.cpu_count() or 1
    sums = _Sums(con)
    take = getattr(extractor, "take_sums", None)
    skipped: Counter[str] = Counter()
    total_bytes = sum(s.size or 0 for s in sources)
    progress.start("reading pages", total_bytes or None)
    done_before = 0
    pages_seen = 0
    try:
        con.execute("BEGIN")
        for source in sources:
            cur = con.execute(
                "INSERT INTO sources(path, format, dump_date, has_links, added_at) VALUES (?,?,?,?,?)",
                (str(source.path), source.format, source.dump_date, int(source.has_links), _now()),
            )
            source_id = cur.lastrowid
            n_source = 0
            for records in extractor.records(source):
                for rec in records:
                    outcome, replaced = merge_page(con, rec, source_id, skipped)
                    if outcome != "lost":
                        n_source += 1
                        if rec.kind == "article" and not rec.summed:
                            sums.add_record(rec)
                        if replaced is not None:  # the page it takes the place of counts no more
                            sums.take_away_text(*replaced)
                    elif rec.summed:  # a duplicate whose counts a worker already has
                        sums.take_away(rec)
                if take is not None:
                    sums.merge(take())
                pages_seen += len(records)
                progress.advance(done_before + source.bytes_read(), pages_seen)
            done_before += source.size or 0
            skipped.update(source.skipped)
            con.execute("UPDATE sources SET pages=?, skipped=? WHERE id=?",
                        (n_source, json.dumps(dict(source.skipped)), source_id))
        finish = getattr(extractor, "finish_sums", None)
        if finish is not None:
            sums.merge(finish())
        sums.flush()
        con.execute("COMMIT")
    finally:
        progress.finish()
    n_pages = con.execute("SELECT count(*) FROM pages").fetchone()[0]
    if n_pages == 0:
        raise EmptySourceError(
            f"{', '.join(str(s.path) for s in sources)}: no article pages found — is this the right file?"
        )
    counts = finish_kb(con, tmp, options, progress, skipped, count_occurrences, jobs, {
        "created": _now(),
        "sources": [
            {"path": str(s.path), "format": s.format, "dump_date": s.dump_date,
             "has_links": s.has_links, "site": s.site.dbname or s.site.lang, "base": s.site.base}
            for s in sources
        ],
        "missing_statistics": _missing_statistics(sources),
        "wikidata_site": options.site or wikidata.site_of(sources),
    })
    con.close()
    return BuildReport(
        out=tmp, pages=n_pages, entries=counts["entries"], redirects=counts["redirects"],
        disambiguation=counts["disambiguation_pages"], surfaces=counts["surfaces"],
        seconds=time.perf_counter() - started, bytes_in=total_bytes, skipped=dict(skipped),
    )


def finish_kb(con: sqlite3.Connection, kb_dir: Path, options: BuildOptions, progress: ProgressHook,
              skipped: Counter[str], count_occurrences: OccurrenceCounter, jobs: int,
              meta: dict) -> dict[str, int]:
    """Everything after the per-page rows: aggregates, occurrences, profiles, meta,
    index and scorer. The build and an update share it, so both give one KB."""
    if options.aliases:
        progress.start("reading aliases", None)
        con.execute("BEGIN")
        load_aliases(con, options.aliases)
        con.execute("COMMIT")
        progress.finish()
    if options.wikidata:
        meta = {**meta, "wikidata": load_wikidata(con, options, progress, meta)}
    progress.start("deriving entries, redirects and surfaces", None)
    stats = aggregate.derive(con, skipped, min_anchor_count=options.min_anchor_count)
    progress.finish()
    progress.start("counting surface occurrences", None)
    count_occurrences(con, kb_dir / DB_NAME, jobs)
    progress.finish()
    progress.start("counting how the articles write each surface", None)
    count_casing(con, kb_dir / DB_NAME, jobs)
    progress.finish()
    progress.start("building context profiles", None)
    n_docs = con.execute("SELECT count(*) FROM pages WHERE kind = 'article'").fetchone()[0]
    profiles.build(con, n_docs, keep=options.profile_terms)
    progress.finish()
    progress.start("compiling the index", None)
    counts = _counts(con)
    write_meta(con, {
        "schema_version": SCHEMA_VERSION,
        "linkpedia_version": _version(),
        "options": options.to_meta(),
        "counts": counts,
        "skipped": dict(skipped),
        **stats,
        **meta,
    })
    con.execute("ANALYZE")
    index.compile_index(kb_dir)
    progress.finish()
    if options.train:
        progress.start("training the scorer on the KB's own links", None)
        from ..link.train import train_model

        training = train_model(kb_dir, index.load_index(kb_dir), jobs=jobs)
        write_meta(con, {"training": training.to_meta()})
        progress.finish()
    return counts


def load_wikidata(con: sqlite3.Connection, options: BuildOptions, progress: ProgressHook, meta: dict) -> dict:
    """Read ``options.wikidata`` into the store in a transaction of its own (call it outside
    one), its temp tables on disk (a full dump's sitelinked items are millions of rows);
    what it found, for the meta. The site: ``options.site``, else the build's, else the KB's."""
    site = (options.site or meta.get("wikidata_site") or read_meta(con).get("wikidata_site")
            or wikidata.DEFAULT_SITE_ID)
    progress.start("reading Wikidata", sum(Path(w).stat().st_size for w in options.wikidata) or None)
    began = time.perf_counter()
    try:
        with aggregate.spill_to_disk(con):
            con.execute("BEGIN")
            counted = wikidata.load_wikidata(con, options.wikidata, site, progress.advance)  # entities as "pages"
            con.execute("COMMIT")
    finally:
        progress.finish()
    return {"site": site, "files": [str(w) for w in options.wikidata], "entities": counted.entities,
            "sitelinked": counted.sitelinked, "kept": counted.kept, "changed": counted.changed,
            "seconds": round(time.perf_counter() - began, 3)}


DUPLICATE_KEY = "duplicate title (merged into one entry)"


def _rank(kind: str, has_links: bool, links: list, text: str) -> tuple:
    """Which of two pages of one title gives the entry its text: an article before a
    redirect, one with links before one without, the longer text, then the text itself
    (so the choice never depends on the order the sources were read in)."""
    return kind != "redirect", bool(has_links and links), len(text), hashlib.sha1(text.encode("utf-8")).digest()


def merge_page(con, rec: PageRecord, source_id: int, skipped: Counter[str]
               ) -> tuple[str, tuple[str, list[tuple[int, int, str]]] | None]:
    """Store ``rec``, or merge it with the page of the same title another source gave.

    One entry is built from all of them: its text, links and anchors from the
    page ``_rank`` puts first, its aliases and mined names from every page, the
    longest description. Returns ("new" | "won" | "lost", replaced): "won" when
    ``rec`` took the place of the stored page, whose article (text, links) is
    ``replaced`` (for its sums to be taken away).
    """
    if not rec.title:
        skipped["page without a usable title"] += 1
        return "lost", None
    if _insert_row(con, rec, source_id):  # most titles come once: look the stored page up only when taken
        return "new", None
    row = con.execute("SELECT id, kind, has_links, text, links, aliases, names, description FROM pages "
                      "WHERE title = ?", (rec.title,)).fetchone()
    skipped[DUPLICATE_KEY] += 1
    pid, kind, has_links, text_z, links_z, aliases, names, description = row
    old_text = unpack_text(text_z) if text_z else ""
    old_links = unpack_links(links_z)
    new_text = unpack_text(rec.text_z) if rec.text_z else ""
    aliases = aliases_json(sorted(set(json.loads(aliases)) | set(rec.aliases)))
    names = json.dumps(sorted({tuple(n) for n in json.loads(names)} | set(rec.names)), ensure_ascii=False)
    description = max((d for d in (description, rec.description) if d), key=lambda d: (len(d), d), default=None)
    if _rank(rec.kind, rec.has_links, rec.links, new_text) <= _rank(kind, bool(has_links), old_links, old_text):
        con.execute("UPDATE pages SET aliases = ?, names = ?, description = ? WHERE id = ?",
                    (aliases, names, description, pid))
        return "lost", None
    con.execute(
        "UPDATE pages SET kind = ?, redirect_to = ?, source_id = ?, has_links = ?, page_id = ?, revision_id = ?,"
        " timestamp = ?, description = ?, aliases = ?, preview = ?, text = ?, links = ?, names = ? WHERE id = ?",
        (rec.kind, rec.redirect_to, source_id, int(rec.has_links), rec.page_id, rec.revision_id, rec.timestamp,
         description, aliases, rec.preview, rec.text_z, pack_links(rec.links), names, pid))
    con.execute("DELETE FROM page_links WHERE page = ?", (pid,))
    _insert_links(con, pid, rec)
    return "won", ((old_text, old_links) if kind == "article" else None)


def _insert_links(con, pid: int, rec: PageRecord) -> None:
    if rec.anchors:
        targets, anchors = zip(*rec.anchors)
        con.executemany("INSERT INTO page_links(page, target, anchor, n) VALUES (?,?,?,?)",
                        zip(repeat(pid), targets, anchors, rec.anchors.values()))


def aliases_json(aliases) -> str:
    """A page's aliases as the ``pages.aliases`` column stores them."""
    return json.dumps(list(aliases), ensure_ascii=False) if aliases else "[]"


def _insert_row(con, rec: PageRecord, source_id: int) -> bool:
    """Store ``rec`` and its links unless its title is taken; whether it was stored."""
    cur = con.execute(
        "INSERT INTO pages(title, kind, redirect_to, source_id, has_links, page_id, revision_id,"
        " timestamp, description, aliases, preview, text, links, names)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(title) DO NOTHING",
        (rec.title, rec.kind, rec.redirect_to, source_id, int(rec.has_links), rec.page_id,
         rec.revision_id, rec.timestamp, rec.description, aliases_json(rec.aliases), rec.preview,
         rec.text_z, pack_links(rec.links),
         json.dumps([list(n) for n in rec.names], ensure_ascii=False) if rec.names else "[]"),
    )
    if not cur.rowcount:
        return False
    _insert_links(con, cur.lastrowid, rec)
    return True


def insert_page(con, rec: PageRecord, source_id: int, skipped: Counter[str]) -> bool:
    """Store ``rec`` as a new page (an update's: the old version is gone); the first of two wins."""
    if not rec.title:
        skipped["page without a usable title"] += 1
        return False
    if not _insert_row(con, rec, source_id):
        skipped["duplicate title (first source wins)"] += 1
        return False
    return True


class _Sums:
    """The pass's term and context counts, added to the database in bulk (bounded memory)."""

    def __init__(self, con: sqlite3.Connection):
        self.con = con
        self.held = Sums()
        self.took_away = False

    def add_record(self, rec: PageRecord) -> None:
        self.held.add_pairs(rec.page_terms, rec.contexts)
        self._check()

    def take_away(self, rec: PageRecord) -> None:
        """Undo a summed record's counts (it was not stored: its title was taken)."""
        self.take_away_text(unpack_text(rec.text_z) if rec.text_z else "", rec.links)

    def take_away_text(self, text: str, links: list[tuple[int, int, str]]) -> None:
        """Undo an article's counts, from its text and links."""
        terms, windows = article_sums(text, links)
        self.held.add(terms, windows, sign=-1)
        self.took_away = True
        self._check()

    def merge(self, handed: list[Sums]) -> None:
        for other in handed:
            if not len(self.held):
                self.held = other
                continue
            self.held.df.update(other.df)
            ctx = self.held.ctx
            for target, c in other.ctx.items():
                mine = ctx.get(target)
                if mine is None:
                    ctx[target] = c
                else:
                    mine.update(c)
            self.held.recount()
        self._check()

    def _check(self) -> None:
        if len(self.held) > FLUSH_AT:
            self.flush(final=False)

    def flush(self, final: bool = True) -> None:
        write_sums(self.con, self.held)
        self.held = Sums()
        if final and self.took_away:  # rows that only a duplicate's counts made
            _drop_spent(self.con)


def write_sums(con: sqlite3.Connection, sums: Sums) -> None:
    """Add a ``Sums``' counts to ``term_df`` and ``contexts``."""
    con.executemany(_ADD_DF, sums.df.items())
    _add_contexts(con, sums.ctx.keys(), sums.context_rows())


def add_sums(con: sqlite3.Connection, df: Counter[str], ctx: Counter[tuple[str, str]],
             sign: int = 1) -> None:
    """Add (sign=1) or take away (sign=-1) pages' term and context counts."""
    con.executemany(_ADD_DF, ((t, sign * n) for t, n in df.items()))
    _add_contexts(con, {t for t, _ in ctx}, ((t, w, sign * n) for (t, w), n in ctx.items()))
    if sign < 0:
        _drop_spent(con)


_ADD_DF = "INSERT INTO term_df(term, df) VALUES (?, ?) ON CONFLICT(term) DO UPDATE SET df = df + excluded.df"


def _add_contexts(con: sqlite3.Connection, targets: Iterable[str], rows: Iterable[tuple[str, str, int]]) -> None:
    """Add (target, term, n) counts; every term is in ``term_df`` already (a
    context's words are words of the page that has it)."""
    con.executemany("INSERT INTO context_targets(title) VALUES (?) ON CONFLICT(title) DO NOTHING",
                    ((t,) for t in targets))
    con.executemany(
        "INSERT INTO context_counts(target_id, term_id, n) VALUES ("
        "(SELECT id FROM context_targets WHERE title = ?), (SELECT id FROM term_df WHERE term = ?), ?) "
        "ON CONFLICT(target_id, term_id) DO UPDATE SET n = n + excluded.n", rows)


def _drop_spent(con: sqlite3.Connection) -> None:
    """Rows whose counts a taken-away page brought to zero (a term at df 0 is in no context)."""
    con.execute("DELETE FROM context_counts WHERE n <= 0")
    con.execute("DELETE FROM term_df WHERE df <= 0")


def _counts(con) -> dict[str, int]:
    q = lambda sql: con.execute(sql).fetchone()[0]  # noqa: E731
    return {
        "pages": q("SELECT count(*) FROM pages"),
        "entries": q("SELECT count(*) FROM entries"),
        "articles": q("SELECT count(*) FROM entries WHERE NOT is_disambiguation"),
        "disambiguation_pages": q("SELECT count(*) FROM entries WHERE is_disambiguation"),
        "redirects": q("SELECT count(*) FROM redirects"),
        "surfaces": q("SELECT count(*) FROM surfaces"),
        "surface_entry_pairs": q("SELECT count(*) FROM surface_entries"),
        "links": q("SELECT coalesce(sum(n), 0) FROM page_links"),
        "edges": q("SELECT count(*) FROM edges"),
        "terms": q("SELECT count(*) FROM terms"),
        "qids": q("SELECT count(*) FROM entries WHERE qid IS NOT NULL"),
    }


def _missing_statistics(sources: list[Source]) -> list[str]:
    if all(s.has_links for s in sources):
        return []
    without = [str(s.path) for s in sources if not s.has_links]
    if not any(s.has_links for s in sources):
        return [
            "anchor counts (no source has links: priors come from titles, redirects and aliases only)",
            "link probabilities (unknown: every title surface is a spotting candidate)",
            "link graph (popularity and coherence are zero)",
            "link contexts in profiles (profiles use article leads only)",
        ]
    return [f"link data for {len(without)} source(s) without links: " + ", ".join(without[:3])]


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _version() -> str:
    from .. import __version__

    return __version__
