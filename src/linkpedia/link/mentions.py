"""Mention detectors: P(a spotted span is a mention), one detector per mention mode.

* ``wikipedia``: what an editor would link, learned from the KB's own links
  (link probability and how well the best candidate fits; ``Model.linking``).
  It needs a KB with linked sources.
* ``entities``: every mention of a named entity, as entity-linking benchmarks
  annotate them, from evidence that needs no links and no labels: how the
  text writes the span (capitalized mid-sentence is a name, lower-case is a
  common word) and, where the text's case says nothing (a sentence's first
  word, an all-caps headline or dateline, a title-case heading), how the
  KB's own articles write it (``kb/casing.py``: "Paris" capitalized, "winter"
  lower-case).

Detectors are registered by name (``DETECTORS``), as spaCy registers its
pipeline functions; ``Linker`` looks them up by the mode.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import Callable, Sequence

import numpy as np

from ..kb.index import Index
from ..text import NUMBER_AFTER, STOPWORDS, fold, opens_sentence
from .features import best_first
from .spot import Spot

__all__ = ["MODES", "DETECTORS", "entity_probability", "named", "is_shouted", "Lines", "kb_capitalized"]

MODES = ("wikipedia", "entities")

# P(name) where the text's case is evidence: capitalized mid-sentence, or not.
CAPITALIZED_MID_SENTENCE = 0.95
LOWER_CASE = 0.02


def named(written: str) -> bool:
    """Whether a span is written like a name: some letter of it is upper-case ("Paris", "iPhone", "U.S.")."""
    return written != written.lower()


def is_shouted(text: str, start: int, end: int, lines: "Lines | None" = None) -> bool:
    """Whether the span stands in an all-caps or title-case run (a headline, a
    dateline such as "BAGHDAD, Iraq"), where capitals say nothing."""
    written = text[start:end]
    if len(written) > 1 and written.isupper():
        # An acronym in running text ("a US Airways flight") is no shouting:
        # only a neighbouring word in capitals too makes a run ("NEW YORK -").
        before = _CAPS_BEFORE.search(text, max(0, start - 40), start)
        return bool(before and before.group(1).isupper()) or bool(
            (after := _CAPS_AFTER.match(text, end)) and after.group(1).isupper())
    return (lines or Lines(text)).title_case(start)


_CAPS_BEFORE = re.compile(r"([^\W\d_]{2,})[^\w\n]{1,3}\Z")  # \Z: "$" would also match before a line break
_CAPS_AFTER = re.compile(r"[^\w\n]{1,3}([^\W\d_]{2,})")


class Lines:
    """A text's lines, each judged once: a spot asks about its own line, and a
    100,000-character text on one line must not be read again for every spot."""

    def __init__(self, text: str):
        self.text = text
        self.starts = [0] + [m.end() for m in _NEWLINE.finditer(text)]
        self._title_case: dict[int, bool] = {}

    def title_case(self, position: int) -> bool:
        """Whether the line holding ``position`` is a heading: four words or more, 80% capitalized."""
        i = bisect_right(self.starts, position) - 1
        hit = self._title_case.get(i)
        if hit is None:
            end = self.starts[i + 1] - 1 if i + 1 < len(self.starts) else len(self.text)
            words = [w for w in self.text[self.starts[i]:end].split() if w[:1].isalpha()]
            hit = self._title_case[i] = len(words) >= 4 and sum(w[0].isupper() for w in words) >= 0.8 * len(words)
        return hit


_NEXT = re.compile(r"(?:'s|’s)?[ \t]+(?:(?:of|de|du|von|van)[ \t]+)?(\w)")
PART_OF_A_NAME = 0.08
_NEWLINE = re.compile("\n")
WEAK_CONTEXT = 0.1  # context similarity a span known only by weak names needs to count as a mention
UNSUPPORTED_WEAK = 0.1
TIME_WORD = 0.5  # share of a surface's occurrences in the KB that are time expressions ("on Monday", "5 March")
MIN_SEEN = 5
COMMON_WORD = 0.6  # a span the KB writes capitalized less often than this is a common word ("school", "river")
_ABBREVIATION_IN_NAME = re.compile(r"[A-Z][a-z]{1,2}")
_PERIOD_THEN_NAME = re.compile(r"\.[ \t]+[A-Z]")
_DAY_AFTER_ABBREVIATION = re.compile(r"\.[ \t]+\d{1,2}\b")  # "Dec. 16"
_DATE_BEFORE = re.compile(r"\b\d{1,2}[ \t]+\Z")  # "3 March"; an ordinal ("the 38th Vice President") is no date


def in_longer_name(index: Index, text: str, start: int, end: int, common: bool = False) -> bool:
    """Whether the span is only a part of a longer capitalized name that the KB
    lacks: "Louisiana" in "Louisiana State University", "Rico" in "Puerto
    Rico". A capitalized word after it continues the name; one before it does
    too, unless it is a title the KB writes in lower case ("President Bush")
    or an abbreviation ("Mr. Smith"). A ``common`` word (one the KB writes in
    lower case) capitalized after any capitalized word is a name's part too:
    "Law School", "Grand Rapids", "School of Art"."""
    if _INITIAL_BEFORE.search(text, max(0, start - 4), start):
        return True  # "W. J. E. Bennett": the KB would know the whole name if it meant its Bennett
    after = _NEXT.match(text, end)
    if after and after.group(1).isupper() and text[end:after.start(1)].strip(" \t") in ("", "of", "de", "du",
                                                                                        "von", "van"):
        if text[end:end + 2] not in ("'s", "’s"):
            return True
    before = _word_before(text, start)
    if before is None or not before[0][:1].isupper():
        return False
    word, word_start, word_end = before
    if opens_sentence(text, word_start):
        # A sentence's first word is capitalized whatever it is: it starts a
        # name only if the KB writes it so too ("Gunter Pauli is ...", not "In Paris").
        if " " in text[start:end] or text[word_end:start].strip(" \t"):
            return False
        word = word.lower()
        fid = index.folded.get(word, -1)
        return word not in STOPWORDS if fid < 0 else kb_capitalized(index, fid) >= 0.5
    if common or text[word_end:start].strip(" \t"):
        return True  # "Law School"; and "University of London": a title takes no "of"
    fid = index.folded.get(word.lower(), -1)
    if fid < 0:
        return True  # a capitalized word the KB does not know: most likely a name's first part
    # A known word before a name of several words is a title ("President John Quincy Adams").
    return " " not in text[start:end] and kb_capitalized(index, fid) >= 0.5


_INITIAL_BEFORE = re.compile(r"(?<![\w.])[A-Z]\.[ \t]+\Z")


def _word_before(text: str, start: int) -> tuple[str, int, int] | None:
    """The word before ``start`` (within 40 characters), past spaces and one
    "of", "the" or "de": (word, its start, its end). Matched on the window
    reversed, so one anchored match stands for a search at every position."""
    lo = max(0, start - 40)
    m = _PREV_REVERSED.match(text[lo:start][::-1])
    if m is None:
        return None
    return m.group(1)[::-1], start - m.end(1), start - m.start(1)


# "word [of|the|de] " read backwards; a newline just before the span counts as
# "$" does before a final newline.
_PREV_REVERSED = re.compile(r"\n?(?:[ \t]+(?:fo|eht|ed))?[ \t]+([\w'’\-]*\w)")
_CAPITALIZED_RUN = re.compile(r"[A-Z][\w'’\-]*(?:[ \t]+[A-Z][\w'’\-]*)+")


def name_pairs(text: str) -> dict[str, list[tuple[str, str]]]:
    """Each capitalized word of the text's runs of capitalized words, with the
    words beside it and the two written together: one pass, however many lone
    names ask (``in_unknown_name``)."""
    out: dict[str, list[tuple[str, str]]] = {}
    for m in _CAPITALIZED_RUN.finditer(text):
        words = m.group(0).split()
        for a, b in zip(words, words[1:]):
            pair = f"{a} {b}"
            out.setdefault(a, []).append((b, pair))
            out.setdefault(b, []).append((a, pair))
    return out


def in_unknown_name(index: Index, text: str, written: str,
                    pairs: dict[str, list[tuple[str, str]]] | None = None) -> bool:
    """Whether the text also writes a lone name (a surname, a first name) inside
    a longer one the KB does not know: in a text about "Mark Davis", "Davis"
    alone is Mark Davis, not the KB's Miles Davis. The other word must be a
    name's (capitalized, no stopword, not a word the KB writes lower-case:
    "President Carter" is still Carter). ``pairs``: ``name_pairs(text)``."""
    if pairs is None:
        pairs = name_pairs(text)
    for word, pair in pairs.get(written, ()):
        if word.lower() in STOPWORDS:
            continue
        fid = index.folded.get(word.lower(), -1)
        if fid >= 0 and kb_capitalized(index, fid) < 0.5:
            continue
        if index.folded.get(fold(pair), -1) < 0:
            return True
    return False


def kb_capitalized(index: Index, fid: int) -> float:
    """How often the KB's articles write the folded form ``fid`` capitalized (mid-sentence), smoothed."""
    u, w = float(index.fold_upper[fid]), float(index.fold_lower[fid])
    return (u + 1.0) / (u + w + 2.0)


def _best_context(n_spots: int, row_spot: Sequence[int], X: np.ndarray, p_entry: np.ndarray) -> np.ndarray:
    """The text-context similarity (``X``'s column 2) of each spot's best candidate; 0 without one."""
    out = np.zeros(n_spots)
    if len(row_spot):
        spot_idx = np.asarray(row_spot, dtype=np.int64)
        order, first = best_first(spot_idx, p_entry)
        heads = order[first]
        out[spot_idx[heads]] = X[heads, 2]
    return out


def weak_only(index: Index, surface_ids: tuple[int, ...]) -> bool:
    """Whether a span's candidates come from weak names alone (a lone first or last
    name, an acronym: kb/names.py), with no title, redirect, alias or anchor behind them."""
    memo = index.memo_table("weak-only")
    hit = memo.get(surface_ids)
    if hit is None:
        hit = True
        for sid in surface_ids:
            a, b = int(index.cand_ptr[sid]), int(index.cand_ptr[sid + 1])
            if (index.cand_count[a:b] > 0).any():
                hit = False
                break
        memo[surface_ids] = hit = hit and bool(surface_ids)
    return hit


def entity_probability(index: Index, texts: Sequence[str], spots: Sequence[list[Spot]],
                       row_spot: Sequence[int] = (), X: np.ndarray | None = None,
                       p_entry: np.ndarray | None = None) -> np.ndarray:
    """P(the span names an entity) of each spot, numbered across the texts.

    With the candidate features (``row_spot``, ``X``, ``p_entry``), a span known
    only by weak names must also fit its text: a lone "Riley" is seldom the
    one Riley the KB knows, unless the text speaks of what that Riley did.
    """
    out: list[float] = []
    n_spots = sum(map(len, spots))
    context = _best_context(n_spots, row_spot, X, p_entry) if X is not None else np.ones(n_spots)
    for text, sps in zip(texts, spots):
        lines = Lines(text)
        elsewhere: dict[str, bool] = {}
        pairs: dict[str, list[tuple[str, str]]] | None = None
        parts = _parts_of_names(index, text, sps, lines)
        for sp, p in zip(sps, parts):
            supported = True
            if weak_only(index, sp.surface_ids):
                written = text[sp.start:sp.end]
                if written not in elsewhere:
                    pairs = name_pairs(text) if pairs is None else pairs
                    elsewhere[written] = in_unknown_name(index, text, written, pairs)
                supported = context[len(out)] >= WEAK_CONTEXT and not elsewhere[written]
            out.append(p if supported else UNSUPPORTED_WEAK * p)
    return np.asarray(out, dtype=np.float64)


def _parts_of_names(index: Index, text: str, sps: Sequence[Spot], lines: Lines) -> list[float]:
    """``_named`` of each spot, where the tail of a part of a longer name is such
    a part too: "York" of "New York" of "State University of New York". (A
    head's own next word already continues the name: "New" of "New York". A
    span that opens lower-case, "god Vishnu" of "Hindu god Vishnu", is no name's part.)"""
    out = [_named(index, text, sp, lines) for sp in sps]
    first: dict[int, int] = {}  # a part's end -> the earliest start of a part ending there
    for sp, p in zip(sps, out):
        if p == PART_OF_A_NAME and text[sp.start].isupper() and first.get(sp.end, sp.end) > sp.start:
            first[sp.end] = sp.start
    if first:
        out = [PART_OF_A_NAME if p > PART_OF_A_NAME and first.get(sp.end, sp.end) < sp.start else p
               for sp, p in zip(sps, out)]
    return out


def _kb_ratio(index: Index, fid: int) -> float:
    """``kb_capitalized`` of a folded form, -1 for a time word ("March", "Monday"),
    0.5 where the KB never saw it; memoized, as the same forms come text after text."""
    memo = index.memo_table("kb-ratio")
    hit = memo.get(fid)
    if hit is None:
        if fid < 0:
            hit = 0.5
        else:
            seen, dated = int(index.fold_seen[fid]), int(index.fold_dated[fid])
            hit = -1.0 if seen >= MIN_SEEN and dated >= TIME_WORD * seen else kb_capitalized(index, fid)
        memo[fid] = hit
    return hit


def _named(index: Index, text: str, sp: Spot, lines: Lines) -> float:
    """P(name) of one spot from case: the text's where it tells, the KB's where it does not."""
    written = text[sp.start:sp.end]
    if not named(written):
        return LOWER_CASE
    kb_ratio = _kb_ratio(index, sp.fold_id)
    if kb_ratio < 0:  # a month or a weekday, as the KB uses it
        return LOWER_CASE
    if len(written) <= 2 and written.endswith("."):  # an initial ("N."), not a name
        return LOWER_CASE
    if NUMBER_AFTER.match(text, sp.end) or _DAY_AFTER_ABBREVIATION.match(text, sp.end) \
            or _DATE_BEFORE.search(text, max(0, sp.start - 8), sp.start):
        return LOWER_CASE  # "November 1992", "3 March": a date, not an entity
    if _ABBREVIATION_IN_NAME.fullmatch(written) and _PERIOD_THEN_NAME.match(text, sp.end):
        return PART_OF_A_NAME  # "St. Paul", "Mt. Hood": an abbreviation that begins a name
    if is_shouted(text, sp.start, sp.end, lines):
        return kb_ratio
    if in_longer_name(index, text, sp.start, sp.end, kb_ratio < COMMON_WORD):
        return PART_OF_A_NAME
    if opens_sentence(text, sp.start):
        return kb_ratio
    # Capitalized mid-sentence: a name, unless the KB never writes it so.
    return CAPITALIZED_MID_SENTENCE if kb_ratio >= 0.2 else 0.3 + kb_ratio


DETECTORS: dict[str, Callable[..., np.ndarray]] = {"entities": entity_probability}
