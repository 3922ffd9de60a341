"""``build --wikidata FILE``: each entry's QID, label, aliases, description and classes.

Reads a Wikidata JSON dump (``latest-all.json.bz2``, ``.gz`` or plain): one
JSON array with one entity a line, each line ending in ",". It is streamed a
line at a time, so memory stays constant whatever the dump's size; the many
entities with no sitelink to the KB's own wiki are skipped before their JSON
is parsed (a substring test), which is most of the dump and most of the time.

An item is kept when its sitelink (``enwiki`` for an English KB) names a page
of the KB, an article or a redirect; ``aggregate`` then follows the redirect
and gives the entry its QID. Kept rows live in the ``wikidata`` table, keyed
by QID, so that an update derives the same entries again, and a newer file
replaces only the rows that differ. Items are matched to the pages there when
a file is read; one that no longer names the site keeps its row (only the
items that do are parsed).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import SourceFormatError
from ..sources._io import iter_lines, open_stream, require_file, stream_errors
from ..sources.base import Source
from ..wikitext import normalize_title

try:  # 3-4x faster on the entities that are parsed, where the [serve] extra installed it
    from orjson import loads as _fast_loads
except ImportError:  # pragma: no cover - the standard library does the same, slower
    _fast_loads = json.loads


def _loads(line: bytes):
    try:
        return _fast_loads(line)
    except ValueError:  # orjson refuses what JSON allows, such as a lone surrogate escape
        return json.loads(line)

__all__ = ["Item", "WikidataStats", "items", "load_wikidata", "site_of", "language_of", "DEFAULT_SITE_ID"]

DEFAULT_SITE_ID = "enwiki"
MAX_LINE = 64 << 20  # the largest entities (a few MB of claims) fit many times over
BATCH = 20_000
INSTANCE_OF = "P31"


@dataclass(frozen=True, slots=True)
class Item:
    """What the KB keeps of one Wikidata item: its sitelink's title and its words in one language."""

    qid: str
    title: str
    label: str | None
    description: str | None
    aliases: tuple[str, ...]
    instance_of: tuple[str, ...]


@dataclass
class WikidataStats:
    """How many entities the files held, how many link to the site, how many name a page, how many rows changed."""

    entities: int = 0
    sitelinked: int = 0
    kept: int = 0
    changed: int = 0


def site_of(sources: Sequence[Source]) -> str:
    """The site id of the KB's wiki: the first ``<siteinfo>`` dbname, else the
    language's ``wiki`` (JSONL and WikiExtractor carry none: ``enwiki``)."""
    for s in sources:
        if s.site.dbname:
            return s.site.dbname
    for s in sources:
        if s.site.lang and s.site.lang != "en":
            return f"{s.site.lang}wiki"
    return DEFAULT_SITE_ID


def language_of(site: str) -> str:
    """The language code Wikidata labels use for a site id: ``enwiki`` -> ``en``."""
    return (site[: -len("wiki")] if site.endswith("wiki") else site).replace("_", "-")


def _words(entity: dict, key: str, lang: str) -> str | None:
    value = (entity.get(key) or {}).get(lang)
    text = value.get("value") if isinstance(value, dict) else None
    return " ".join(text.split()) or None if isinstance(text, str) else None


def _item(entity: dict, site: str, lang: str) -> Item | None:
    link = (entity.get("sitelinks") or {}).get(site)
    qid = entity.get("id")
    if not isinstance(link, dict) or not isinstance(qid, str):
        return None
    title = normalize_title(str(link.get("title") or ""))
    if not title:
        return None
    seen: dict[str, None] = {}
    for alias in (entity.get("aliases") or {}).get(lang) or ():
        text = " ".join(str(alias.get("value") or "").split()) if isinstance(alias, dict) else ""
        if text:
            seen.setdefault(text)
    classes: dict[str, None] = {}
    for claim in (entity.get("claims") or {}).get(INSTANCE_OF) or ():
        value = ((claim.get("mainsnak") or {}).get("datavalue") or {}).get("value")
        if isinstance(value, dict):
            # Dumps before 2015 give only {"entity-type": "item", "numeric-id": 5}.
            cls = value.get("id") or (f"Q{value['numeric-id']}" if isinstance(value.get("numeric-id"), int) else None)
            if isinstance(cls, str):
                classes.setdefault(cls)
    return Item(qid, title, _words(entity, "labels", lang), _words(entity, "descriptions", lang),
                tuple(seen), tuple(classes))


def _bad(path: Path, number: int, offset: int, what: str) -> SourceFormatError:
    return SourceFormatError(what, path=str(path), position=f"line {number}, byte {offset:,}")


def items(path: str | Path, site: str = DEFAULT_SITE_ID, stats: WikidataStats | None = None,
          progress: Callable[[int, int], None] | None = None) -> Iterator[Item]:
    """The items of a dump with a sitelink to ``site``, in file order; ``SourceFormatError``
    (file and position) on a line that is no entity, or a file that ends before its ``]``."""
    path = require_file(path)
    stats = stats if stats is not None else WikidataStats()
    lang, needle = language_of(site), f'"{site}"'.encode()
    size = path.stat().st_size
    with open_stream(path) as opened, stream_errors(path, opened, size):
        state = "start"  # -> "open" after "[" -> "closed" after "]"
        for number, offset, raw in iter_lines(opened.stream, MAX_LINE):
            if raw is None:
                raise _bad(path, number, offset, f"a line longer than {MAX_LINE:,} bytes — is this a Wikidata dump?")
            line = raw.strip()
            if not line:
                continue
            if state == "start":
                if line != b"[":
                    raise _bad(path, number, offset, "expected '[' on the first line — pass a Wikidata JSON "
                                                     "dump (latest-all.json.bz2), one entity a line")
                state = "open"
                continue
            if state == "closed" or line == b"]":
                if state == "closed":
                    raise _bad(path, number, offset, "text after the closing ']' — is the file two dumps in one?")
                state = "closed"
                continue
            if line.endswith(b","):
                line = line[:-1]
            if not (line.startswith(b"{") and line.endswith(b"}")):
                raise _bad(path, number, offset, "not a JSON entity (cut short?) — download or copy the file again")
            stats.entities += 1
            if progress is not None and stats.entities % 4096 == 0:
                progress(opened.counter.count, stats.entities)
            if needle not in line:
                continue
            try:
                entity = _loads(line)
            except ValueError as exc:
                raise _bad(path, number, offset, f"invalid JSON ({exc}) — download or copy the file again") from None
            item = _item(entity, site, lang) if isinstance(entity, dict) else None
            if item is not None:
                stats.sitelinked += 1
                yield item
        if state != "closed":
            raise SourceFormatError("the file ends before the closing ']' — it is truncated: download or "
                                    "copy it again", path=str(path), position=f"byte {opened.counter.count:,} on disk")


def _row(item: Item) -> tuple:
    return (item.qid, item.title, item.label, item.description,
            json.dumps(list(item.aliases), ensure_ascii=False), json.dumps(list(item.instance_of)))


def load_wikidata(con: sqlite3.Connection, paths: Sequence[str | Path], site: str,
                  progress: Callable[[int, int], None] | None = None) -> WikidataStats:
    """Put the files' items that name a page of the KB into ``wikidata``, in a
    transaction the caller holds (inside ``aggregate.spill_to_disk``, so that the
    staged items' temp table is a file, not memory): a row whose QID is new or
    whose words differ replaces the stored one (``changed`` counts them), a
    stored row that loses its title to another QID goes."""
    stats = WikidataStats()
    con.execute("CREATE TEMP TABLE IF NOT EXISTS raw_wikidata(qid TEXT PRIMARY KEY, title TEXT NOT NULL,"
                " label TEXT, description TEXT, aliases TEXT NOT NULL, instance_of TEXT NOT NULL)")
    con.execute("DELETE FROM temp.raw_wikidata")
    for path in paths:
        batch: list[tuple] = []
        for item in items(path, site, stats, progress):
            batch.append(_row(item))
            if len(batch) >= BATCH:
                _insert_raw(con, batch)
                batch = []
        _insert_raw(con, batch)
    con.execute("DELETE FROM temp.raw_wikidata WHERE NOT EXISTS (SELECT 1 FROM pages p "
                "WHERE p.title = raw_wikidata.title)")
    stats.kept = con.execute("SELECT count(*) FROM temp.raw_wikidata").fetchone()[0]
    fresh = ("SELECT r.* FROM temp.raw_wikidata r LEFT JOIN wikidata w ON w.qid = r.qid WHERE w.qid IS NULL OR "
             "(w.title, w.label, w.description, w.aliases, w.instance_of) IS NOT "
             "(r.title, r.label, r.description, r.aliases, r.instance_of)")
    con.execute(f"CREATE TEMP TABLE changed_wikidata AS {fresh}")
    stats.changed = con.execute("SELECT count(*) FROM temp.changed_wikidata").fetchone()[0]
    con.execute("DELETE FROM wikidata WHERE title IN (SELECT title FROM temp.changed_wikidata) "
                "AND qid NOT IN (SELECT qid FROM temp.changed_wikidata)")
    con.execute("INSERT OR REPLACE INTO wikidata SELECT * FROM temp.changed_wikidata")
    con.execute("DROP TABLE temp.changed_wikidata")
    con.execute("DROP TABLE temp.raw_wikidata")
    return stats


def _insert_raw(con: sqlite3.Connection, rows: list[tuple]) -> None:
    # A QID twice in one set of files: the later line wins, as a newer file's does.
    con.executemany("INSERT OR REPLACE INTO temp.raw_wikidata VALUES (?,?,?,?,?,?)", rows)
