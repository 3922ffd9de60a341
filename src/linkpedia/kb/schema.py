"""The SQLite store of record: per-page rows, and aggregates derived from them.

Two layers, so a later update can replace one page's contribution without a
rebuild:

* per page (what the sources said): ``pages`` (one row per article, redirect
  or disambiguation page, with its plain text and links, zlib-compressed),
  ``page_links`` (each page's (target, anchor) pairs with counts), and the
  sums ``term_df`` and ``contexts`` that a page's text adds to;
* derived (what linking reads): ``entries``, ``redirects``, ``surfaces``,
  ``surface_entries``, ``edges``, ``terms`` and ``profiles``.

Version 3 added Wikidata (``wikidata``, ``entries.qid``). A version 2 KB still
opens (``READABLE_VERSIONS``): it knows no QIDs, and ``migrate`` brings its
store to the current version when it is updated. Version 4 keys the context
sums by ids (``context_counts``; ``contexts`` is a view of them as text).

The read-optimized index files beside the database (tries, numpy arrays) are
compiled from the derived tables and can always be recompiled from them.
"""

from __future__ import annotations

SCHEMA_VERSION = 4
READABLE_VERSIONS = (2, 3, 4)  # 2: before Wikidata; read with every QID None

_QID_INDEX = "CREATE INDEX entries_qid ON entries(qid) WHERE qid IS NOT NULL;\n"
_WIKIDATA = """
-- Wikidata items whose sitelink names a page (build --wikidata FILE, kb/wikidata.py):
-- their words in the KB's language, kept so that updates derive the same entries.
-- title: the sitelink as written (an article or a redirect); aliases, instance_of: JSON lists.
CREATE TABLE wikidata (
  qid TEXT PRIMARY KEY,
  title TEXT NOT NULL,
  label TEXT,
  description TEXT,
  aliases TEXT NOT NULL DEFAULT '[]',
  instance_of TEXT NOT NULL DEFAULT '[]'
) WITHOUT ROWID;
CREATE INDEX wikidata_title ON wikidata(title);
"""

_CONTEXT_SUMS = """
-- A context row names its target and term by id: the titles and words written out in
-- every row took three times the space (a quarter of a KB built from a large dump).
CREATE TABLE term_df (id INTEGER PRIMARY KEY, term TEXT NOT NULL UNIQUE, df INTEGER NOT NULL);
CREATE TABLE context_targets (id INTEGER PRIMARY KEY, title TEXT NOT NULL UNIQUE);
CREATE TABLE context_counts (
  target_id INTEGER NOT NULL,  -- context_targets.id
  term_id INTEGER NOT NULL,    -- term_df.id
  n INTEGER NOT NULL,
  PRIMARY KEY (target_id, term_id)
) WITHOUT ROWID;
CREATE VIEW contexts(target, term, n) AS
  SELECT t.title, w.term, c.n FROM context_counts c
  JOIN context_targets t ON t.id = c.target_id JOIN term_df w ON w.id = c.term_id;
"""

DDL = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

CREATE TABLE sources (
  id INTEGER PRIMARY KEY,
  path TEXT NOT NULL,
  format TEXT NOT NULL,
  dump_date TEXT,
  has_links INTEGER NOT NULL,
  pages INTEGER NOT NULL DEFAULT 0,
  skipped TEXT NOT NULL DEFAULT '{}',
  added_at TEXT NOT NULL
);

-- One row per source page. kind: article | redirect | disambiguation.
CREATE TABLE pages (
  id INTEGER PRIMARY KEY,
  title TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  redirect_to TEXT,
  source_id INTEGER NOT NULL REFERENCES sources(id),
  has_links INTEGER NOT NULL,
  page_id TEXT,
  revision_id TEXT,
  timestamp TEXT,
  description TEXT,
  aliases TEXT NOT NULL DEFAULT '[]',
  names TEXT NOT NULL DEFAULT '[]',  -- JSON [[kind, name], ...] mined from the text (kb/names.py)
  preview TEXT NOT NULL DEFAULT '',
  text BLOB,   -- zlib(UTF-8 plain text)
  links BLOB   -- zlib(JSON [[start, end, target], ...]) offsets into text
);

-- The links a page makes: target as written (normalized, before redirects).
CREATE TABLE page_links (
  page INTEGER NOT NULL REFERENCES pages(id),
  target TEXT NOT NULL,
  anchor TEXT NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (page, target, anchor)
) WITHOUT ROWID;

-- Sums of per-page contributions (an update subtracts a page's old ones,
-- recomputed from its stored text and links, and adds its new ones):
-- how many articles contain each context term, and the content words around
-- the links to each target (as written, before redirects).
""" + _CONTEXT_SUMS + """
-- Derived: linkable entries (articles and disambiguation pages); id = pages.id.
CREATE TABLE entries (
  id INTEGER PRIMARY KEY,
  title TEXT NOT NULL UNIQUE,
  is_disambiguation INTEGER NOT NULL,
  preview TEXT NOT NULL,
  popularity INTEGER NOT NULL DEFAULT 0,
  description TEXT,
  size INTEGER NOT NULL DEFAULT 0,  -- bytes of its stored text: how much the KB says of it
  qid TEXT  -- its Wikidata item (build --wikidata), NULL when unknown
);
""" + _QID_INDEX + """
-- Derived: every redirect title, resolved through chains to an entry.
CREATE TABLE redirects (
  title TEXT PRIMARY KEY,
  entry_id INTEGER NOT NULL REFERENCES entries(id)
) WITHOUT ROWID;

-- Derived: the ways entries are written. link_prob = link_count / occurrences
-- (per occurrence); page_link_prob = link_pages / occurrence_pages (per
-- article: editors link a name once, so this one does not fall with how
-- often an article repeats it). NULL when unknown: the surface never occurs
-- in text that carries link data.
CREATE TABLE surfaces (
  id INTEGER PRIMARY KEY,
  surface TEXT NOT NULL UNIQUE,
  link_count INTEGER NOT NULL,
  occurrences INTEGER NOT NULL,
  link_prob REAL,
  link_pages INTEGER NOT NULL DEFAULT 0,
  occurrence_pages INTEGER NOT NULL DEFAULT 0,
  page_link_prob REAL
);

-- Derived: surface -> entry with counts. anchors: times the surface linked to
-- the entry; names: how many name sources (title, redirect, alias,
-- parenthetical, disambiguation page, lead sentence) give the surface for the
-- entry; weak: how many weaker ones do (a person's first or last name, an
-- acronym or a demonym the article writes, the place before a title's comma).
CREATE TABLE surface_entries (
  surface_id INTEGER NOT NULL REFERENCES surfaces(id),
  entry_id INTEGER NOT NULL REFERENCES entries(id),
  anchors INTEGER NOT NULL,
  names INTEGER NOT NULL,
  weak INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (surface_id, entry_id)
) WITHOUT ROWID;

-- Derived: the link graph between entries (after redirects).
CREATE TABLE edges (
  src INTEGER NOT NULL,
  dst INTEGER NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (src, dst)
) WITHOUT ROWID;
CREATE INDEX edges_dst ON edges(dst);

-- Derived: context vocabulary with document frequencies, and per-entry
-- TF-IDF profiles (top terms of the lead and of text around in-links).
CREATE TABLE terms (id INTEGER PRIMARY KEY, term TEXT NOT NULL UNIQUE, df INTEGER NOT NULL);
CREATE TABLE profiles (
  entry_id INTEGER NOT NULL,
  term_id INTEGER NOT NULL,
  weight REAL NOT NULL,
  PRIMARY KEY (entry_id, term_id)
) WITHOUT ROWID;

-- Aliases a user passed in (build --aliases FILE): a surface and the title it
-- names, kept so that updates derive the same surfaces again.
CREATE TABLE aux_aliases (
  surface TEXT NOT NULL,
  title TEXT NOT NULL,
  PRIMARY KEY (surface, title)
) WITHOUT ROWID;

-- Derived: how the articles write each folded surface (kb/casing.py): capitalized
-- where a sentence does not start, or lower-case; and of all its occurrences
-- (seen), how many are a time expression (dated: "5 March", "on Monday").
CREATE TABLE casing (
  folded TEXT PRIMARY KEY,
  upper INTEGER NOT NULL,
  lower INTEGER NOT NULL,
  seen INTEGER NOT NULL DEFAULT 0,
  dated INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

CREATE TABLE updates (
  id INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  source TEXT NOT NULL,
  added INTEGER NOT NULL,
  changed INTEGER NOT NULL,
  deleted INTEGER NOT NULL
);
""" + _WIKIDATA


MIGRATIONS = {  # version -> the statements that bring a store of that version to the next
    2: "ALTER TABLE entries ADD COLUMN qid TEXT;\n" + _QID_INDEX + _WIKIDATA,
    3: "ALTER TABLE term_df RENAME TO term_df_v3;\nALTER TABLE contexts RENAME TO contexts_v3;\n"
       + _CONTEXT_SUMS + """
INSERT INTO term_df(term, df) SELECT term, df FROM term_df_v3 ORDER BY term;
INSERT INTO context_targets(title) SELECT DISTINCT target FROM contexts_v3 ORDER BY target;
INSERT INTO context_counts SELECT t.id, w.id, c.n FROM contexts_v3 c
  JOIN context_targets t ON t.title = c.target JOIN term_df w ON w.term = c.term ORDER BY 1, 2;
DROP TABLE contexts_v3;
DROP TABLE term_df_v3;
""",
}


def migrate(con, version: int) -> None:
    """Bring a writable store of an older readable version to ``SCHEMA_VERSION`` (an update's copy)."""
    while version < SCHEMA_VERSION:
        con.executescript(MIGRATIONS[version])
        version += 1
    con.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
