"""``update_kb``: apply new, changed and deleted pages to a KB without a rebuild.

Each page's whole contribution is replaced: its row (entry, preview, text,
links), the anchors it adds to surface counts (``page_links``), its terms and
link contexts (``term_df``, ``contexts``, recomputed from its stored text and
links and taken away), and through them the redirects, graph, surface
occurrence counts and profiles, which are derived again. Occurrence counts are
updated incrementally: the old versions' counts are taken away, the new ones'
added, and only surfaces that did not exist before are counted in the
unchanged pages. The result equals a build from scratch of the final pages.

Atomicity: the update works on a copy in ``KB/.update-<pid>/``, renames it to a
new generation ``KB/gNNNN/`` and switches ``KB/CURRENT`` to it with one
``os.replace``. Killed at any point before that, the KB is untouched (the next
update or build removes the leftovers, see ``leftovers``); readers that opened the old generation keep a
consistent view, and the previous generation is kept until the next update so
they can still open connections. The target's write lock (``lock``) keeps
other updates and builds of the same KB out while one runs.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import sqlite3
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from ..errors import InputError
from ..sources import detect_format, expand_paths, open_source
from ..sources._io import require_file
from ..wikitext import normalize_title
from . import leftovers, occurrences
from .lock import write_lock
from .aggregate import DERIVED_SKIP_KEYS
from .build import (BuildOptions, LocalExtractor, ProgressHook, _now, add_sums, aliases_json, finish_kb,
                    insert_page, load_wikidata)
from .extract import link_contexts, page_terms
from .index import INDEX_DIR
from .schema import SCHEMA_VERSION, migrate
from .store import (CURRENT, DB_NAME, check_kb_dir, connect_ro, live_dir, read_meta, unpack_links,
                    unpack_text)

__all__ = ["UpdateReport", "update_kb", "read_titles"]

_GEN = re.compile(r"^g(\d{4,})$")


@dataclass
class UpdateReport:
    kb: Path
    generation: str
    added: int
    changed: int
    deleted: int
    seconds: float
    unchanged: int = 0  # given pages identical to the KB's (nothing to do for them)
    wikidata_changed: int = 0  # Wikidata items new or different from the KB's (--wikidata)


def read_titles(path: Path) -> list[str]:
    """Titles to delete, one per line (blank lines and lines starting with '#' ignored)."""
    if not path.is_file():
        raise InputError(f"{path}: no such file — give a text file with one title per line")
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError as exc:
        raise InputError(f"{path} (byte {exc.start}): not valid UTF-8 — save the list as UTF-8") from None
    return [t for line in lines if (t := normalize_title(line)) and not line.lstrip().startswith("#")]


def read_meta_of(kb_dir: Path) -> dict:
    con = connect_ro(live_dir(kb_dir) / DB_NAME)
    try:
        return read_meta(con)
    finally:
        con.close()


def _cleanup(kb_dir: Path, keep: set[Path] | None = None) -> None:
    """Remove dead updates' work directories and (given ``keep``) generations nobody needs."""
    for p in kb_dir.iterdir():
        if p.name.startswith(".update-"):
            pid = p.name.rsplit("-", 1)[-1]
            if pid.isdigit() and int(pid) != os.getpid() and not leftovers.alive(int(pid)):
                shutil.rmtree(p, ignore_errors=True)
        elif keep is not None and _GEN.match(p.name) and p not in keep:
            shutil.rmtree(p, ignore_errors=True)
    if keep is not None and kb_dir not in keep:  # the flat files of the original build
        for name in (DB_NAME, INDEX_DIR, "model.json"):
            p = kb_dir / name
            if p.is_dir():
                shutil.rmtree(p, ignore_errors=True)
            elif p.exists():
                p.unlink()


def _next_generation(kb_dir: Path) -> str:
    numbers = [int(m.group(1)) for p in kb_dir.iterdir() if (m := _GEN.match(p.name))]
    return f"g{max(numbers, default=0) + 1:04d}"


def _copy_store(src_dir: Path, work: Path) -> sqlite3.Connection:
    """A private copy of the store of record to change (the online backup API)."""
    work.mkdir(parents=True)
    src = sqlite3.connect(f"file:{src_dir / DB_NAME}?mode=ro", uri=True)
    dst = sqlite3.connect(work / DB_NAME, isolation_level=None)
    src.backup(dst)
    src.close()
    dst.execute("PRAGMA journal_mode=OFF")
    dst.execute("PRAGMA synchronous=OFF")
    dst.execute("PRAGMA cache_size=-200000")
    return dst


class _Changes:
    """Replaces pages in the working copy, remembering what occurrence counting needs."""

    def __init__(self, con: sqlite3.Connection):
        self.con = con
        self.removed_texts: list[str] = []  # old versions of linked articles
        self.new_pages: set[int] = set()  # row ids of new versions
        self.added = self.changed = self.deleted = self.unchanged = 0
        self.df: Counter[str] = Counter()
        self.ctx: Counter[tuple[str, str]] = Counter()
        self.old_df: Counter[str] = Counter()
        self.old_ctx: Counter[tuple[str, str]] = Counter()

    def _remove(self, title: str) -> bool:
        row = self.con.execute(
            "SELECT id, kind, has_links, text, links FROM pages WHERE title = ?", (title,)).fetchone()
        if row is None:
            return False
        pid, kind, has_links, tblob, lblob = row
        if kind == "article" and tblob is not None:
            text = unpack_text(tblob)
            words: list[str] = []  # exactly as extract_page counted them
            self.old_ctx.update(link_contexts(text, unpack_links(lblob), words))
            self.old_df.update(page_terms(text, words))
            if has_links:
                self.removed_texts.append(text)
        self.con.execute("DELETE FROM page_links WHERE page = ?", (pid,))
        self.con.execute("DELETE FROM pages WHERE id = ?", (pid,))
        self.new_pages.discard(pid)
        return True

    def _same(self, rec) -> bool:
        """Is the page stored exactly as ``rec`` would store it? (Then replacing it is no change.)"""
        row = self.con.execute(
            "SELECT kind, redirect_to, has_links, page_id, revision_id, timestamp, description, aliases,"
            " preview, text, links FROM pages WHERE title = ?", (rec.title,)).fetchone()
        if row is None:
            return False
        *fields, tblob, lblob = row
        return (fields == [rec.kind, rec.redirect_to, int(rec.has_links), rec.page_id, rec.revision_id,
                           rec.timestamp, rec.description, aliases_json(rec.aliases), rec.preview]
                and (unpack_text(tblob) if tblob is not None else None)
                == (unpack_text(rec.text_z) if rec.text_z is not None else None)
                and unpack_links(lblob) == [tuple(x) for x in rec.links])

    def put(self, rec, source_id: int, skipped: Counter[str]) -> None:
        if rec.title and self._same(rec):
            self.unchanged += 1
            return
        existed = self._remove(rec.title) if rec.title else False
        if insert_page(self.con, rec, source_id, skipped):
            pid = self.con.execute("SELECT id FROM pages WHERE title = ?", (rec.title,)).fetchone()[0]
            if rec.kind == "article":
                self.df.update(rec.page_terms)
                self.ctx.update(rec.contexts)
                if rec.has_links:
                    self.new_pages.add(pid)
            if existed:
                self.changed += 1
            else:
                self.added += 1

    def delete(self, title: str) -> None:
        if self._remove(title):
            self.deleted += 1

    def apply_sums(self) -> None:
        add_sums(self.con, self.old_df, self.old_ctx, sign=-1)
        add_sums(self.con, self.df, self.ctx)


def _incremental_occurrences(con: sqlite3.Connection, old: dict[str, tuple[int, int]],
                             changes: _Changes) -> None:
    """Occurrence counts of the new surface set without rescanning for old surfaces."""
    rows = con.execute("SELECT id, surface FROM surfaces").fetchall()
    if not rows:
        return
    n = max(sid for sid, _ in rows) + 1
    occ = np.zeros(n, dtype=np.int64)
    pages = np.zeros(n, dtype=np.int64)
    by_surface = {s: sid for sid, s in rows}
    known = [(sid, s) for sid, s in rows if s in old]
    for sid, s in known:
        occ[sid], pages[sid] = old[s]
    # Take away what the old versions of changed and deleted pages counted.
    if changes.removed_texts and known:
        a = occurrences.build_matcher(known)
        o, p = occurrences.count_texts(a, changes.removed_texts, n)
        occ -= o
        pages -= p
    # Add what the new versions count, for every surface.
    new_ids = sorted(changes.new_pages)

    def texts(ids: Iterable[int]) -> Iterable[str]:
        for pid in ids:
            (blob,) = con.execute("SELECT text FROM pages WHERE id = ?", (pid,)).fetchone()
            yield unpack_text(blob)

    if new_ids:
        o, p = occurrences.count_texts(occurrences.build_matcher(rows), texts(new_ids), n)
        occ += o
        pages += p
    # Surfaces that did not exist before: count them in every unchanged page too.
    fresh = [(sid, s) for sid, s in rows if s not in old]
    if fresh:
        new_set = set(new_ids)
        unchanged = (unpack_text(blob) for pid, blob in con.execute(
            "SELECT id, text FROM pages WHERE kind = 'article' AND has_links = 1 AND text IS NOT NULL")
            if pid not in new_set)
        o, p = occurrences.count_texts(occurrences.build_matcher(fresh), unchanged, n)
        occ += o
        pages += p
    occurrences.write_counts(con, ((int(occ[sid]), int(pages[sid]), sid) for sid in by_surface.values()))


def update_kb(
    kb_dir: str | Path,
    sources: Sequence[str | Path] = (),
    *,
    delete: Sequence[str] = (),
    options: BuildOptions | None = None,
    progress: ProgressHook | None = None,
    aliases: Sequence[str | Path] = (),
    wikidata: Sequence[str | Path] = (),
    site: str | None = None,
) -> UpdateReport:
    """Apply ``sources`` (new and changed pages) and ``delete`` (titles) to the KB at ``kb_dir``.

    The aliases the KB was built with are kept in it; ``aliases`` adds more files.
    ``wikidata`` (newer Wikidata dumps) replaces the items that differ from the
    KB's: only the entries they name change (``site``: whose sitelinks, default the
    KB's). A KB of schema 2 is brought to 3.
    """
    started = time.perf_counter()
    kb_dir = Path(kb_dir)
    check_kb_dir(kb_dir)
    if not sources and not delete and not aliases and not wikidata:
        raise InputError("nothing to update — give SOURCE files, --aliases FILE, --wikidata FILE "
                         "and/or --delete TITLES_FILE")
    if options is None:  # as the KB was built (its JSONL field mapping included)
        stored = read_meta_of(kb_dir).get("options", {})
        options = BuildOptions(**{k: (dict(v) if k == "fields" else v) for k, v in stored.items()
                                  if k in BuildOptions.__dataclass_fields__})
    options = dataclasses.replace(options, aliases=tuple(str(a) for a in aliases),
                                  wikidata=tuple(str(require_file(w)) for w in wikidata),
                                  site=site or options.site)
    opened = []
    for p in expand_paths(sources):
        fmt = options.format or detect_format(p)
        opened.append(open_source(p, format=fmt, fields=(options.fields or None) if fmt == "jsonl" else None))
    with write_lock(kb_dir):
        leftovers.clean(kb_dir)
        return _update_locked(kb_dir, opened, delete, options, progress or ProgressHook(), started)


def _update_locked(kb_dir: Path, opened: list, delete: Sequence[str], options: BuildOptions,
                   progress: ProgressHook, started: float) -> UpdateReport:
    old_live = live_dir(kb_dir)
    work = kb_dir / f".update-{os.getpid()}"
    con = _copy_store(old_live, work)
    try:
        meta = read_meta(con)
        if meta.get("schema_version", SCHEMA_VERSION) < SCHEMA_VERSION:
            migrate(con, meta["schema_version"])
        jobs = options.jobs or os.cpu_count() or 1
        old_occ = {s: (o, p) for s, o, p in con.execute(
            "SELECT surface, occurrences, occurrence_pages FROM surfaces")}
        skipped: Counter[str] = Counter({k: v for k, v in meta.get("skipped", {}).items()
                                         if k not in DERIVED_SKIP_KEYS})
        changes = _Changes(con)
        con.execute("BEGIN")
        # No workers for an update without pages (--delete, --wikidata alone): ended as soon
        # as they start, a worker may not have its SIGTERM default back yet and never ends.
        extractor = LocalExtractor(jobs, in_process=True if not opened else None)
        try:
            progress.start("reading changed pages", None)
            for source in opened:
                cur = con.execute(
                    "INSERT INTO sources(path, format, dump_date, has_links, added_at) VALUES (?,?,?,?,?)",
                    (str(source.path), source.format, source.dump_date, int(source.has_links), _now()))
                for records in extractor.records(source):
                    for rec in records:
                        changes.put(rec, cur.lastrowid, skipped)
                skipped.update(source.skipped)
        finally:
            extractor.close()
            progress.finish()
        for title in delete:
            changes.delete(title)
        new_meta: dict = {"updated": _now()}
        if options.wikidata:  # after the pages: items may name the new ones
            con.execute("COMMIT")  # load_wikidata runs its own (the copy goes if nothing changed)
            new_meta["wikidata"] = load_wikidata(con, options, progress, meta)
            con.execute("BEGIN")
        wd_changed = new_meta.get("wikidata", {}).get("changed", 0)
        if not (changes.added or changes.changed or changes.deleted or wd_changed):
            # Nothing differs from the KB: no new generation, no retraining.
            con.execute("ROLLBACK")
            con.close()
            shutil.rmtree(work, ignore_errors=True)
            return UpdateReport(kb_dir, old_live.name if old_live != kb_dir else "(the build)", 0, 0, 0,
                                time.perf_counter() - started, changes.unchanged)
        changes.apply_sums()
        con.execute(
            "INSERT INTO updates(at, source, added, changed, deleted) VALUES (?,?,?,?,?)",
            (_now(), ", ".join([str(s.path) for s in opened] + list(options.wikidata)) or "(deletions only)",
             changes.added, changes.changed, changes.deleted))
        con.execute("COMMIT")
        if con.execute("SELECT count(*) FROM pages").fetchone()[0] == 0:
            raise InputError(f"{kb_dir}: the update would delete every page — build a new KB instead")

        def count(c: sqlite3.Connection, _db: Path, _jobs: int) -> None:
            _incremental_occurrences(c, old_occ, changes)

        finish_kb(con, work, dataclasses.replace(options, wikidata=()), progress, skipped, count, jobs, new_meta)
        con.close()
        generation = _next_generation(kb_dir)
        os.rename(work, kb_dir / generation)
        pointer = kb_dir / (CURRENT + ".tmp")
        pointer.write_text(generation + "\n", encoding="utf-8")
        os.replace(pointer, kb_dir / CURRENT)
    except BaseException:
        con.close()
        shutil.rmtree(work, ignore_errors=True)
        raise
    # The generation just replaced stays for readers that still use it.
    _cleanup(kb_dir, keep={kb_dir / generation, old_live})
    return UpdateReport(kb_dir, generation, changes.added, changes.changed, changes.deleted,
                        time.perf_counter() - started, changes.unchanged, wd_changed)
