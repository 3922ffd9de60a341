"""How the KB's own text writes each surface: capitalized or lower-case.

Mention detection without links (``mode="entities"``) needs to know whether a
span written "Paris" or "Winter" names something. The KB's articles say so:
"Paris" is capitalized wherever it stands, "winter" is lower-case unless a
sentence starts with it. For every folded surface this pass counts its
whole-word occurrences in article text (every source, linked or not) that
are capitalized and those that are lower-case, leaving out the positions
where case says nothing: a sentence's first word, all-caps runs, and the
words inside a longer name (a capitalized word before or after them).

The same pass counts how often a surface is a time expression: next to a day
or year number ("5 March", "March 1990") or after "on", "every", "last",
"next", "this" ("on Monday"). Months and weekdays are capitalized like names,
but entity-linking benchmarks do not count them as entities, and the
articles' own usage tells them apart from names ("Paris" almost never, "March"
nine times in ten).

One pass over the folded text with a trie of the folded surfaces (``scan``:
saved beside the store and mmap'd, a few bytes per key), counted by trie key
id. The ratio needs a sample, not every word of a dump: each article counts
with its first ``SAMPLE_CHARS`` characters, so the pass costs the same per
article whatever its length.
"""

from __future__ import annotations

import multiprocessing as mp
import re
import sqlite3
from collections import defaultdict
from pathlib import Path

import numpy as np

from ..text import NUMBER_AFTER, fold, opens_sentence
from .scan import Scanner, build_scanner
from .store import connect_ro, unpack_text

__all__ = ["count_casing", "casing_of_text", "SAMPLE_CHARS"]

SAMPLE_CHARS = 2000
# A capital after it: the word is part of a longer name ("Winter Olympics"), which says
# nothing of how the word alone is written.
_NAME_GOES_ON = re.compile(r"[ \t]+(?:(?:of|the|de|du|von|van)[ \t]+){0,2}[A-Z]")  # "University of Paris"
_NAME_BEFORE = re.compile(r"([A-Z][\w'’.\-]*)[ \t]+\Z")


def _inside_name(text: str, start: int) -> bool:
    """Whether a capitalized word comes right before, other than a sentence's
    first: "University" of "Harvard University" says nothing of "University" alone."""
    m = _NAME_BEFORE.search(text, max(0, start - 40), start)
    return m is not None and not opens_sentence(text, m.start(1))
_TIME_BEFORE = re.compile(r"(?:\b\d{1,2}(?:st|nd|rd|th)?|\b(?:on|every|last|next|this))[ \t]+\Z")
BATCH = 2000  # pages per task
TRIE_NAME = ".casing.marisa"  # beside the store while the pass runs
_STATE: dict = {}


def casing_of_text(scanner: Scanner, text: str, upper, lower, seen=None, dated=None, *,
                   folded: str | None = None, starts=None) -> None:
    """Add the case (and the time-expression use) of each whole-word occurrence of the
    scanner's keys in ``text`` to the counts (arrays or dicts, by the keys' trie ids);
    ``folded`` and ``starts`` when the caller has them (``Scanner.starts_of_many``)."""
    folded = fold(text) if folded is None else folded
    for start, end, key in scanner.matches(folded, starts):
        if seen is not None:
            seen[key] += 1
            if NUMBER_AFTER.match(folded, end + 1) or _TIME_BEFORE.search(folded, max(0, start - 10), start):
                dated[key] += 1
        first = text[start]
        if first.islower():
            lower[key] += 1
        elif first.isupper() and not opens_sentence(text, start) and not _NAME_GOES_ON.match(text, end + 1) \
                and not _inside_name(text, start):
            written = text[start:end + 1]
            if not (len(written) > 1 and written.isupper() and written.isalpha()
                    and text[max(0, start - 12):start].isupper()):  # an all-caps heading says nothing
                upper[key] += 1


def _count_range(bounds: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """Key ids and their upper, lower, seen and dated counts (four rows) over a range of
    pages, sparse (dicts by key id), so that a range costs what it found."""
    scanner, db = _STATE["scanner"], _STATE["db"]
    counts = [defaultdict(int) for _ in range(4)]
    con = connect_ro(db)
    try:
        texts = [unpack_text(blob)[:SAMPLE_CHARS] for (blob,) in con.execute(
            "SELECT text FROM pages WHERE id >= ? AND id < ? AND kind = 'article' AND text IS NOT NULL", bounds)]
    finally:
        con.close()
    folded = [fold(t) for t in texts]
    for text, f, starts in zip(texts, folded, scanner.starts_of_many(folded)):
        casing_of_text(scanner, text, *counts, folded=f, starts=starts)
    ids = list(counts[2])  # seen: every key found
    return np.asarray(ids, dtype=np.int64), np.array([[c.get(k, 0) for k in ids] for c in counts],
                                                     dtype=np.int64).reshape(4, len(ids))


def count_casing(con: sqlite3.Connection, db_path: Path, jobs: int = 1) -> None:
    """Fill ``casing`` (folded surface -> capitalized and lower-case counts) from the articles."""
    con.execute("DELETE FROM casing")
    trie_path = db_path.parent / TRIE_NAME
    try:
        scanner = build_scanner((f for (s,) in con.execute("SELECT surface FROM surfaces") if len(s) > 1
                                 for f in (fold(s),)), trie_path,
                                expected=con.execute("SELECT count(*) FROM surfaces").fetchone()[0])
        if not len(scanner):
            return
        _STATE.update(scanner=scanner, db=db_path)
        lo, hi = con.execute("SELECT min(id), max(id) FROM pages").fetchone()
        ranges = [(i, i + BATCH) for i in range(lo, hi + 1, BATCH)]
        counts = np.zeros((4, len(scanner)), dtype=np.int64)  # by key id
        if jobs > 1 and len(ranges) > 1:
            with mp.get_context("fork").Pool(jobs) as pool:
                for ids, part in pool.imap_unordered(_count_range, ranges):
                    counts[:, ids] += part
        else:
            for ids, part in map(_count_range, ranges):
                counts[:, ids] += part
        upper, lower, seen, dated = counts
        restore = scanner.trie.restore_key
        con.execute("BEGIN")  # WITHOUT ROWID on the folded key: the table is the same in any order
        con.executemany("INSERT INTO casing(folded, upper, lower, seen, dated) VALUES (?, ?, ?, ?, ?)",
                        ((restore(i), int(upper[i]), int(lower[i]), int(seen[i]), int(dated[i]))
                         for i in np.flatnonzero(seen).tolist()))
        con.execute("COMMIT")
    finally:
        _STATE.clear()
        trie_path.unlink(missing_ok=True)
