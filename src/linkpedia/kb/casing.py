"""How the KB's own text writes each surface: capitalized or lower-case.

Mention detection without links (``mode="entities"``) needs to know whether a
span written "Paris" or "Winter" names something. The KB's articles say so:
"Paris" is capitalized wherever it stands, "winter" is lower-case unless a
sentence starts with it. For every folded surface this pass counts its
whole-word occurrences in article text (every source, linked or not) that
are capitalized and those that are lower-case, leaving out the positions
where case says nothing: a sentence's first word and all-caps runs.

One Aho–Corasick pass over the folded text. The ratio needs a sample, not
every word of a dump: each article counts with its first ``SAMPLE_CHARS``
characters, so the pass costs the same per article whatever its length.
"""

from __future__ import annotations

import multiprocessing as mp
import re
import sqlite3
from pathlib import Path

import ahocorasick
import numpy as np

from ..text import fold
from .store import connect_ro, unpack_text

__all__ = ["count_casing", "casing_of_text", "SAMPLE_CHARS"]

SAMPLE_CHARS = 2000
# A capital after it: the word is part of a longer name ("Winter Olympics"), which says
# nothing of how the word alone is written.
_NAME_GOES_ON = re.compile(r"[ \t]+[A-Z]")
BATCH = 2000  # pages per task
_STATE: dict = {}


def _automaton(keys: list[str]) -> "ahocorasick.Automaton":
    a = ahocorasick.Automaton()
    for i, key in enumerate(keys):
        a.add_word(key, (i, len(key)))
    a.make_automaton()
    return a


def _sentence_start(text: str, start: int) -> bool:
    """Whether ``start`` opens a sentence, a line or a quotation: there case is no evidence."""
    i = start - 1
    while i >= 0 and text[i] in " \t\"'“‘(«":
        i -= 1
    return i < 0 or text[i] in ".!?:;\n…•*·|"


def casing_of_text(automaton, text: str, upper: np.ndarray, lower: np.ndarray) -> None:
    """Add the case of each whole-word occurrence of the automaton's keys in ``text``."""
    folded = fold(text)
    n = len(folded)
    for end, (key, length) in automaton.iter(folded):
        start = end - length + 1
        if start > 0 and (folded[start - 1].isalnum() or folded[start - 1] == "_"):
            continue
        if end + 1 < n and (folded[end + 1].isalnum() or folded[end + 1] == "_"):
            continue
        first = text[start]
        if first.islower():
            lower[key] += 1
        elif first.isupper() and not _sentence_start(text, start) and not _NAME_GOES_ON.match(text, end + 1):
            written = text[start:end + 1]
            if not (len(written) > 1 and written.isupper() and written.isalpha()
                    and text[max(0, start - 12):start].isupper()):  # an all-caps heading says nothing
                upper[key] += 1


def _count_range(bounds: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    automaton, n, db = _STATE["automaton"], _STATE["n"], _STATE["db"]
    upper = np.zeros(n, dtype=np.int64)
    lower = np.zeros(n, dtype=np.int64)
    con = connect_ro(db)
    try:
        for (blob,) in con.execute("SELECT text FROM pages WHERE id >= ? AND id < ? AND kind = 'article'"
                                   " AND text IS NOT NULL", bounds):
            casing_of_text(automaton, unpack_text(blob)[:SAMPLE_CHARS], upper, lower)
    finally:
        con.close()
    return upper, lower


def count_casing(con: sqlite3.Connection, db_path: Path, jobs: int = 1) -> None:
    """Fill ``casing`` (folded surface -> capitalized and lower-case counts) from the articles."""
    keys = sorted({fold(s) for (s,) in con.execute("SELECT surface FROM surfaces") if len(s) > 1})
    con.execute("DELETE FROM casing")
    if not keys:
        return
    _STATE.update(automaton=_automaton(keys), n=len(keys), db=db_path)
    lo, hi = con.execute("SELECT min(id), max(id) FROM pages").fetchone()
    ranges = [(i, i + BATCH) for i in range(lo, hi + 1, BATCH)]
    upper = np.zeros(len(keys), dtype=np.int64)
    lower = np.zeros(len(keys), dtype=np.int64)
    try:
        if jobs > 1 and len(ranges) > 1:
            with mp.get_context("fork").Pool(jobs) as pool:
                for u, w in pool.imap_unordered(_count_range, ranges):
                    upper += u
                    lower += w
        else:
            for u, w in map(_count_range, ranges):
                upper += u
                lower += w
    finally:
        _STATE.clear()
    seen = np.flatnonzero(upper + lower)
    con.execute("BEGIN")
    con.executemany("INSERT INTO casing(folded, upper, lower) VALUES (?, ?, ?)",
                    ((keys[i], int(upper[i]), int(lower[i])) for i in seen.tolist()))
    con.execute("COMMIT")
