"""Spotting: find the spans of a text that are written like some KB surface.

Longest match over the folded-surface trie, starting at word starts and ending
at word ends (a possessive "'s" may follow), so "Żeligowski's Mutiny" finds
the surface "Zeligowski's Mutiny" and "Lithuania's" finds "Lithuania".
"""

from __future__ import annotations

import math
import re
from itertools import accumulate, compress
from typing import Iterable, NamedTuple

from ..kb.index import Index
from ..text import fold, is_word_char, singulars

__all__ = ["Spot", "spot", "choose_surfaces", "surfaces_of", "lookup_surfaces", "fold_id", "CASE_MISMATCH_PENALTY"]

_WORD_SPLIT = re.compile(r"(\w+)")  # a mention may start at any run of word characters
_WORD_RUN = re.compile(r"\w*")
CASE_MISMATCH_PENALTY = 0.25
MAX_SPOT_CHARS = 120  # longer surfaces (rare, mostly list titles) are not spotted
# Lower-case function words that no mention starts with ("the" in "the Beatles"
# is not part of the name); skipping them saves a trie lookup per word.
_SKIP_STARTS = frozenset("the a an of and or in on at to for by with from as is was are were be it "
                         "its this that which who he she they his her their".split())  # lower-case text matching only capitalized surfaces ("apple"/"Apple")


# A named tuple's own constructor is a Python-level function; tuple.__new__ builds
# the same tuple in C, three times faster (a text makes a few hundred).
_new = tuple.__new__


class Spot(NamedTuple):
    """A candidate mention; ``surface_ids`` are the KB surfaces it stands for.

    A named tuple, not a dataclass: a text makes hundreds, and a tuple is built in C.
    """

    start: int
    end: int
    surface_ids: tuple[int, ...]
    link_prob: float  # per occurrence; NaN when the KB cannot tell
    exact: bool  # written exactly like a KB surface
    page_link_prob: float = math.nan  # per article that writes it
    fold_id: int = -1  # its folded form's id in the index (how the KB writes it: kb/casing.py)


def choose_surfaces(index: Index, fid: int, written: str) -> tuple[tuple[int, ...], bool, float, float]:
    """The surfaces a span written ``written`` stands for, whether it is one of
    them exactly, and its (per occurrence, per page) link probabilities.

    Its exact form when anchors or a title give it; else every variant (case,
    diacritics), pooling their evidence: a name that no page links and no
    entry is titled ("Canadian", mined from some article's lead) does not hide
    its variants ("canadian" -> Canada in a lower-cased redirect list).
    """
    sid = index.surfaces.get(written)
    a, b = int(index.fold_ptr[fid]), int(index.fold_ptr[fid + 1])
    if sid is not None:
        if index.sf_links[sid] > 0 or b - a == 1 or written in index.titles:
            return _with_title_case(index, sid, written), True, float(index.sf_link_prob[sid]), \
                float(index.sf_page_link_prob[sid])
        return tuple(index.fold_members[a:b].tolist()), True, float(index.sf_link_prob[sid]), \
            float(index.sf_page_link_prob[sid])
    members = index.fold_members[a:b].tolist()
    if written[:1].islower():
        lower = [m for m in members if index.surfaces.restore_key(m)[:1].islower()]
        if not lower:
            # Written lower-case, known only capitalized: the form with a capital
            # first letter where a title, redirect or alias gives it (titles begin
            # with a capital: "internet", "documentary"), never an acronym ("man"
            # is not MAN) nor a first name alone ("guy" is not Guy Fawkes).
            cap = written[:1].upper() + written[1:]
            lower = [m for m in members if index.surfaces.restore_key(m) == cap and _has_full_name(index, m)]
            if not lower:
                return (), False, 0.0, 0.0
        members = lower
    links = occ = 0.0
    known = False
    plp = math.nan
    for sid in members:
        lp = float(index.sf_link_prob[sid])
        n = float(index.sf_links[sid])
        if not math.isnan(lp):
            known = True
            links += n
            occ += n / lp if lp > 0 else 0.0
        p = float(index.sf_page_link_prob[sid])
        if not math.isnan(p) and (math.isnan(plp) or p > plp):
            plp = p
    lp = (links / occ if occ > 0 else 0.0) if known else math.nan
    if written[:1].islower() and not any(
        index.surfaces.restore_key(s)[:1].islower() for s in members
    ):
        lp = (lp if not math.isnan(lp) else 1.0) * CASE_MISMATCH_PENALTY
        plp = (plp if not math.isnan(plp) else 1.0) * CASE_MISMATCH_PENALTY
    return tuple(members), False, lp, plp


def _has_full_name(index: Index, sid: int) -> bool:
    """Whether some candidate of the surface has it as more than a weak name (kb/names.py)."""
    a, b = int(index.cand_ptr[sid]), int(index.cand_ptr[sid + 1])
    return bool((index.cand_count[a:b] > 0).any())


def _with_title_case(index: Index, sid: int, written: str) -> tuple[int, ...]:
    """A lower-case surface and, where an entry is titled so, its form with a
    capital first letter: a title's first letter is a capital because titles
    start so ("architecture" is the entry Architecture, as MediaWiki reads
    [[architecture]]), even where some page links the word elsewhere."""
    if not written[:1].islower():
        return (sid,)
    cap = written[:1].upper() + written[1:]
    csid = index.surfaces.get(cap) if cap in index.titles else None
    return (sid,) if csid is None else (sid, csid)


def surfaces_of(index: Index, written: str) -> tuple[tuple[int, ...], bool, float, float] | None:
    """``choose_surfaces`` for a span written ``written``; None when no KB surface folds like it."""
    fid = index.folded.get(fold(written))
    return None if fid is None else choose_surfaces(index, fid, written)


def lookup_surfaces(index: Index, written: str) -> tuple[tuple[tuple[int, ...], bool, float, float], int] | None:
    """``surfaces_of`` for a span given whole (D2KB, ``kb.candidates``) and its folded id;
    where the KB has no such surface, the first of its variants that is one
    (``variants``). None when none of them is a surface. (Dropping leading title
    words, "President George W. Bush", cost OKE 1.3 points of D2KB F1: it
    gave NIL spans such as "Judge ..." candidates.)"""
    if len(written) == 1:
        # A single character is never spotted (no folded form: ``kb/index.py``), but
        # given as a span it is one: a symbol ("Y" of yttrium, "J" of joule) or a letter.
        sid = index.surfaces.get(written)
        if sid is None:
            return None
        return ((sid,), True, float(index.sf_link_prob[sid]), float(index.sf_page_link_prob[sid])), -1
    for form in variants(written):
        found = surfaces_of(index, form)
        if found is not None:
            return found, fold_id(index, form)
    return None


_POSSESSIVE = re.compile(r"(?:'s|’s|'|’)$")
_INNER_POSSESSIVE = re.compile(r"(\w)(?:'s|’s) (?=[A-Z])")
_DASHED = re.compile(r"(?<=[a-z])[-–—](?=[A-Z][a-z])")  # between two capitalized words
_QUALIFIED = re.compile(r"^([^,]+), \S")


def variants(written: str) -> list[str]:
    """The forms a given span is looked up in, in order: as written; without a
    possessive ("Fox News Channel's"), or one inside that a name follows
    ("London's Heathrow Airport"); with a comma for a dash between names
    ("University of California-Berkeley"); in the singular ("Strawberries",
    "Hindus", "Test matches"); its head before a qualifier ("Boston,
    Massachusetts"); and last, for a lower-case agent noun, what its agent
    does ("footballer" -> football), where the whole is no name the KB knows.
    (Splitting at hyphens and dashes too gave "Jay-Z" Jay Leno and "1902–03"
    the year 1902.)"""
    out = [written]
    bare = _POSSESSIVE.sub("", written)
    if bare != written and len(bare) > 1:
        out.append(bare)
    inner = _INNER_POSSESSIVE.sub(r"\1 ", bare)
    if inner != bare:
        out.append(inner)  # "London's Heathrow Airport" -> London Heathrow Airport
    comma = _DASHED.sub(", ", bare)
    if comma != bare:
        out.append(comma)  # "University of California-Berkeley" -> "University of California, Berkeley"
    out.extend(singulars(bare))  # "Strawberries", "Porsches" -> "Porsche", "Test matches" -> "Test match"
    head = _QUALIFIED.match(bare)
    if head and len(head.group(1)) > 2:
        out.append(head.group(1))
    for form in list(out):
        agent = _AGENT.match(form)
        if agent and len(agent.group(1)) >= 5:
            out.append(agent.group(1))  # "footballer" -> football, "clergyman" -> clergy
    return out


# A lower-case agent noun and its base: a person who does what the base names.
# (A base of four letters or fewer is too often another word: "bowl" of "bowler".)
_AGENT = re.compile(r"^([a-z][a-z-]+?)(?:er|man|men)$")


def fold_id(index: Index, written: str) -> int:
    """The id of ``written``'s folded form in the index, -1 when the KB has none."""
    return index.folded.get(fold(written), -1)


def spot(text: str, index: Index, *, min_link_prob: float | None = None, folded: str | None = None,
         named_only: bool = False) -> list[Spot]:
    """Every span matching a KB surface (overlaps included; the linker resolves them).

    With ``min_link_prob``, only the spans worth linking: a known page link
    probability at least that, or, for surfaces of link-less sources (NaN), a
    capitalized name of two or more characters. Deciding here saves building
    the many spans ("city", "war") that would be dropped. ``folded`` is
    ``fold(text)``, for a caller that has it already. ``named_only`` keeps
    only spans written with a capital letter (named entities: "entities" mode).
    """
    if folded is None:
        folded = fold(text)
    n = len(text)
    maxlen = min(index.max_surface_len, MAX_SPOT_CHARS)
    prefixes = index.folded.iter_prefixes_with_ids
    # A match must end at a word end, so a word that no surface starts with
    # (the whole word, not a part of it) starts no match: one remembered trie
    # probe per distinct word, looked up for all words in one C-level map,
    # and a prefix walk only where a surface may start.
    pieces = _WORD_SPLIT.split(folded)  # non-word, word, non-word, word, ...
    at = list(accumulate(map(len, pieces), initial=0))
    words = pieces[1::2]
    starts = index.memo_table("spot-starts")
    gates = list(map(starts.get, words))
    if None in gates:
        for k, word in enumerate(words):
            if gates[k] is None:
                gates[k] = starts[word] = _gate(index, word)
    chosen = index.memo_table("surfaces")
    followers = index.memo_table("spot-followers")
    word_ends = set(at[2::2])
    last = len(words) - 1
    out: list[Spot] = []
    for k in compress(range(len(words)), gates):
        st = at[2 * k + 1]
        if gates[k] == _CAPITALIZED and text[st].islower():
            continue
        # Most words start only short surfaces ("war", "war of 1812"): where the
        # text goes on with a space and a word that no surface starting with
        # this word has next, the word alone is all the trie walk could find.
        word = words[k]
        follow = followers.get(word, _UNKNOWN)
        if follow is _UNKNOWN:
            follow = followers[word] = _followers(index, word, maxlen)
        matches: Iterable[tuple[str, int]]
        if follow is not None and pieces[2 * k + 2] == " " and k < last and words[k + 1] not in follow[0]:
            if follow[1] < 0:
                continue
            matches = ((word, follow[1]),)
        else:
            matches = prefixes(folded[st : st + maxlen])
        for key, fid in matches:
            e = st + len(key)
            # A match ends where a word ends, or just after a "." or ")" that no
            # word character follows ("U.S.", "(band)").
            if e not in word_ends and (folded[e - 1] not in ".)" or (e < n and is_word_char(folded[e]))):
                continue
            written = text[st:e]
            if named_only and written == written.lower():
                continue
            hit = chosen.get(written)
            if hit is None:
                hit = chosen[written] = choose_surfaces(index, fid, written)
            sids, exact, lp, plp = hit
            if min_link_prob is not None:
                if math.isnan(plp):  # names of link-less sources only: trust capitalized multi-letter ones
                    if not (written[:1].isupper() and len(written) >= 2):
                        continue
                elif plp < min_link_prob:
                    continue
            out.append(_new(Spot, (st, e, sids, lp, exact, plp, fid)))
    return out


_CAPITALIZED = 2  # a truthy gate: the word starts a mention only when written capitalized
_UNKNOWN = object()
LISTED_KEYS = 64  # a word starting more multi-word surfaces than this is always walked


def _followers(index: Index, word: str, maxlen: int) -> tuple[frozenset[str], int] | None:
    """The words that come next, after one space, in the surfaces starting
    with ``word`` (folded, whole): {"of"} for "war" with "war of 1812"; and
    the word's own surface id (-1: none). None when there are too many to list.

    One trie query per new word: a text's words are mostly known after a few
    documents, and a word never seen before must cost little more than before.
    """
    if len(word) > maxlen:
        return None
    n = len(word) + 1
    nexts = set()
    for i, key in enumerate(index.folded.iterkeys(word + " ")):
        if i == LISTED_KEYS:
            return None
        nexts.add(_WORD_RUN.match(key, n).group())  # "" when a non-word character follows the space
    return frozenset(nexts), index.folded.get(word, -1)


def _gate(index: Index, word: str) -> bool | int:
    """Whether a mention may start at ``word`` (folded): some surface starts with it."""
    if next(iter(index.folded.iterkeys(word)), None) is None:
        return False
    return _CAPITALIZED if word in _SKIP_STARTS else True
