"""Candidates of a spot, ranked by the prior p(entry | surface), and what the
text around a spot changes in them: a demonym before a noun, a noun a list shares."""

from __future__ import annotations

import re
from typing import Callable

from ..kb.index import Index
from ..kb.names import DEMONYM_SUFFIXES, demonym_of, shared_prefix
from ..text import singulars

__all__ = ["candidates_of", "candidates_of_all", "candidates_of_spans", "extensions", "qualified", "qualified_too", "TextWords",
           "nation_first", "head_first", "shared_head", "GENERATORS"]


def candidates_of(index: Index, surface_ids: tuple[int, ...], k: int) -> list[tuple[int, float, int]]:
    """Up to ``k`` (entry index, prior, anchor count), most probable first.

    Disambiguation pages are never candidates: they list senses, they are not one.
    """
    return candidates_of_all(index, [surface_ids], k)[0]


def candidates_of_all(index: Index, surface_ids: list[tuple[int, ...]], k: int, *, names_only: bool = False
                      ) -> list[list[tuple[int, float, int]]]:
    """``candidates_of`` for many spots at once: one memo lookup each, no call per spot.

    ``names_only``: as if the KB had no anchors, only its names (titles,
    redirects, aliases, mined names): what the trainer shows the names model.
    """
    memo = index.memo_table("candidates-names" if names_only else "candidates")
    out = [memo.get((sids, k)) for sids in surface_ids]
    for i, hit in enumerate(out):
        if hit is None:
            out[i] = memo[(surface_ids[i], k)] = _candidates(index, surface_ids[i], k, names_only)
    return out  # type: ignore[return-value]


WEAK_WEIGHT = 0.2  # a weak name (kb/names.py) counts as a fifth of a full name or an anchor
WEAK_ONLY_NAMES = 2  # at most this many weak names each, and no full name: the surface is a first name or such
WEAK_ONLY_WIDER = 4
NAME_TRUST = 0.5  # names alone: half the prior from their counts, half uniform (0.3, 0.5, 0.7 tried)


def _candidates(index: Index, surface_ids: tuple[int, ...], k: int, names_only: bool = False
                ) -> list[tuple[int, float, int]]:
    counts: dict[int, list[float]] = {}
    for sid in surface_ids:
        a, b = int(index.cand_ptr[sid]), int(index.cand_ptr[sid + 1])
        for e, c, n, w in zip(index.cand_entry[a:b].tolist(), index.cand_count[a:b].tolist(),
                              index.cand_anchors[a:b].tolist(), index.cand_weak[a:b].tolist()):
            if index.is_dab[e]:
                continue
            if names_only:
                c, n = c - n, 0
                if not c and not w:
                    continue
            c += WEAK_WEIGHT * w
            acc = counts.get(e)
            if acc is None:
                counts[e] = [c, n]
            else:
                acc[0] += c
                acc[1] += n
    total = sum(c for c, _ in counts.values())
    if not total:
        return []
    if len(counts) > k and all(c <= WEAK_WEIGHT * WEAK_ONLY_NAMES for c, _ in counts.values()):
        k *= WEAK_ONLY_WIDER  # "Steve" alone names many people equally: let the context choose among more
    # Ties (names alone, no anchors) go to the entry more is linked to, then the one the KB says more of.
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1][0], -int(index.popularity[kv[0]]),
                                                    -int(index.entry_size[kv[0]]), kv[0]))
    top = ranked[:k]
    if len(top) > 1 and not any(n for _, n in counts.values()):
        # Names alone (no anchor says how often each is meant): trust the count less.
        u = 1.0 / len(top)
        return [(e, NAME_TRUST * c / total + (1 - NAME_TRUST) * u, int(n)) for e, (c, n) in top]
    return [(e, c / total, int(n)) for e, (c, n) in top]


EXTENSIONS = 4  # titles extending a name that become its candidates
_SCANNED = 64  # titles looked at per name (the trie lists them alphabetically)


def extensions(index: Index, written: str, k: int = EXTENSIONS) -> tuple[int, ...]:
    """Entries whose title extends a name: "Charles I" -> Charles I of England,
    "Stanford" -> Stanford University, "Phoenix" -> Phoenix, Arizona. The
    most linked-to and most described first; never a disambiguation page."""
    memo = index.memo_table("extensions")
    key = written
    hit = memo.get(key)
    if hit is not None:
        return hit
    found: set[int] = set()
    if written[:1].islower():
        # Titles begin with a capital: "first-class" -> First-class cricket, "heavy metal" ->
        # Heavy metal music; but a lone word is no title's start ("his" is no His Dark Materials).
        written = written[:1].upper() + written[1:] if any(ch in written for ch in " -") else ""
    if len(written) >= 3 and written[:1].isupper():
        for sep in (" ", ", "):
            for i, title in enumerate(index.titles.iterkeys(written + sep)):
                if i == _SCANNED:
                    break
                e = index.titles[title]
                if not index.is_dab[e]:
                    found.add(e)
    ranked = sorted(found, key=lambda e: (-int(index.popularity[e]), -int(index.entry_size[e]), e))
    hit = memo[key] = tuple(ranked[:k])
    return hit


def candidates_of_spans(index: Index, written: list[str], surface_ids: list[tuple[int, ...]], k: int,
                        *, names_only: bool = False) -> list[list[tuple[int, float, int]]]:
    """The candidates of each span: its surfaces' (``candidates_of_all``), and
    for a span that is no KB surface, the titles that extend it (``extensions``),
    ranked by context like any other. (Added beside a surface's own candidates,
    extensions cost accuracy on every dev set: "Paris" became Paris Hilton.)"""
    out = candidates_of_all(index, surface_ids, k, names_only=names_only)
    for i, cands in enumerate(out):
        if not cands and not surface_ids[i]:
            extra = extensions(index, written[i])
            if extra:
                out[i] = [(e, 1.0 / len(extra), 0) for e in extra]
    return out


_QUALIFIED_BY = (" of ", ", ", " (")


def qualified(index: Index, written: str) -> tuple[tuple[int, str, str], ...]:
    """Entries whose title is a name and a qualifier ("Liberal Party of
    Australia", "Albany, New York", "Nirvana (band)"), with the qualifier and
    what joins it; the most linked-to first, never a disambiguation page."""
    memo = index.memo_table("qualified")
    hit = memo.get(written)
    if hit is None:
        found = []
        for sep in _QUALIFIED_BY:
            prefix = written + sep
            for _, title in zip(range(_SCANNED), index.titles.iterkeys(prefix)):
                e = index.titles[title]
                if not index.is_dab[e]:
                    found.append((e, title[len(prefix):].rstrip(")"), sep))
        found.sort(key=lambda eqs: (-int(index.popularity[eqs[0]]), -int(index.entry_size[eqs[0]]), eqs[0]))
        hit = memo[written] = tuple(found)
    return hit


_WORDS = re.compile(r"[^\W_]+")  # letters and digits, as ``_has_words`` bounds a word


def _has_words(text: str, words: str) -> bool:
    """Whether ``text`` has ``words`` as whole words ("band" is not in "husband")."""
    i, n = text.find(words), len(words)
    while i >= 0:
        if (i == 0 or not text[i - 1].isalnum()) and (i + n == len(text) or not text[i + n].isalnum()):
            return True
        i = text.find(words, i + 1)
    return False


class TextWords:
    """Whether a text names a qualifier (``_has_words``), each qualifier looked
    for once; in a long text only where all its words are among the text's, so
    that a text's cost grows with its length once, not once per name in it."""

    LONG = 20_000  # characters from which the text's words are gathered first

    def __init__(self, text: str):
        self.text = text
        self.found: dict[str, bool] = {}
        self.words: frozenset[str] | None = frozenset(_WORDS.findall(text)) if len(text) >= self.LONG else None

    def __call__(self, q: str) -> bool:
        hit = self.found.get(q)
        if hit is None:
            hit = self.found[q] = (self.words is None or all(w in self.words for w in _WORDS.findall(q))) \
                and _has_words(self.text, q)
        return hit


def qualified_too(index: Index, cands: list[tuple[int, float, int]], text: str, written: str,
                  named_in: Callable[[str], bool] | None = None) -> list[tuple[int, float, int]]:
    """``cands`` with the entries titled by the name and a qualifier the text
    names first ("Liberal Party" in a text that names Australia: Liberal Party
    of Australia), at the first candidate's prior or half of it (below). A
    parenthesized qualifier says a kind, not a place ("Nirvana (band)"): its
    entry comes last, for the context to rank. ``named_in``: whether the text
    names a qualifier (``TextWords``), for a caller that asks it of many names."""
    named_in = named_in or (lambda q: _has_words(text, q))
    named = [(e, sep) for e, q, sep in qualified(index, written) if q and named_in(q)]
    if not named:
        return cands
    have = {e: n for e, _, n in cands}
    front = [(e, sep) for e, sep in named if sep != " ("][:EXTENSIONS]
    back = [e for e, sep in named if sep == " (" and e not in have][:EXTENSIONS]
    top, floor = cands[0][1], min(p for _, p, _ in cands)
    # "X of Y" is X's own kind in Y (Liberal Party of Australia) and takes the first's
    # prior; "X, Y" is a place beside a better known X and takes half (at the full
    # prior, London, Ohio outranked London wherever a text named Ohio), as any
    # qualified title does where an entry is titled X itself (United Kingdom).
    primary = index.title_of(cands[0][0]) == written
    ahead = {e for e, _ in front}
    return ([(e, top if sep == " of " and not primary else top / 2, have.get(e, 0)) for e, sep in front]
            + [c for c in cands if c[0] not in ahead] + [(e, floor, 0) for e in back])


def nation_first(index: Index, cands: list[tuple[int, float, int]], written: str) -> list[tuple[int, float, int]]:
    """``cands`` of a demonym written as an adjective ("an English cricketer"),
    with the entry it is the demonym of (England) first: it takes the first
    candidate's prior, which takes its own. The surface's full name is often
    the language's ("English is a West Germanic language"); before a noun,
    the word names the nation. Where no candidate is such an entry, the one
    whose title the word is the demonym of by form comes first ("a Sicilian
    architect": Sicily, whose article need not write "Sicilian" itself)."""
    memo = index.memo_table("nation-first")
    key = (written, tuple(cands))
    hit = memo.get(key)
    if hit is None:
        hit = cands
        for i, (e, prior, n) in enumerate(cands[1:], 1):
            if demonym_of(index.title_of(e), written):
                first = cands[0]
                hit = [(e, first[1], n), (first[0], prior, first[2])] + [c for j, c in enumerate(cands[1:], 1) if j != i]
                break
        else:
            if not cands or not demonym_of(index.title_of(cands[0][0]), written):
                nation = demonym_entry(index, written)
                if nation is not None:
                    hit = [(nation, cands[0][1] if cands else 1.0, 0)] + [c for c in cands if c[0] != nation]
        memo[key] = hit
    return hit


_DEMONYM_ENDINGS = tuple(sorted({s for s in DEMONYM_SUFFIXES if s}, key=len, reverse=True))


def demonym_entry(index: Index, written: str) -> int | None:
    """The entry whose one-word title ``written`` is the demonym of by form
    (``_demonym_cut``: "Sicilian" -> Sicily, "Bermudian" -> Bermuda), the one
    with the fewest letters cut, then the most linked-to; None where there is none."""
    if not written.isalpha() or not written[:1].isupper() or len(written) < 5 or written in index.titles:
        return None  # a word with an entry of its own ("Martian") is that entry's
    found: set[int] = set()
    for ending in _DEMONYM_ENDINGS:
        if not written.endswith(ending) or len(written) - len(ending) < 3:
            continue
        stem = written[:len(written) - len(ending)]
        for _, title in zip(range(_SCANNED), index.titles.iterkeys(stem)):
            cut = _demonym_cut(title, written)
            if cut is not None:
                e = index.titles[title]
                if not index.is_dab[e]:
                    found.add((cut, e))
    if not found:
        return None
    # the least of the title cut off first: "Roman" is Rome's, not Romania's
    return min(found, key=lambda ce: (ce[0], -int(index.popularity[ce[1]]), -int(index.entry_size[ce[1]]), ce[1]))[1]


def _demonym_cut(title: str, written: str) -> int | None:
    """How many of the one-word ``title``'s last letters ``written`` drops
    before its adjectival ending (Sicily -> "Sicilian": 1), None where it is no
    demonym of the title by form. Stricter than ``names.demonym_of``, since no
    name of the KB vouches for the pair: one letter cut at most, and only
    before an ending longer than "-n" (Italy -> "Italian"; not Sabah ->
    "Saban"); the ending is never empty but for a final "y" (Germany ->
    "German"); a title ending in a consonant takes only "-i", "-ese" or
    "-ish" whole (Israel -> "Israeli", Japan -> "Japanese"; not Christ ->
    "Christian", Republic -> "Republican"); and a plural title is a people,
    not a place (Jews)."""
    if not title.isalpha() or title.endswith("s") or len(title) < 4:
        return None
    k = shared_prefix(title, written)
    cut, ending = len(title) - k, written[k:]
    if ending == "" and cut == 1 and title.endswith("y"):
        return cut  # Germany -> "German", Normandy -> "Norman"
    if k < 3 or cut > 1 or not ending or ending not in DEMONYM_SUFFIXES or (ending == "n" and cut):
        return None  # not Americium -> "American", Sabah -> "Saban"
    if cut == 0 and title[-1] not in "aeiouy" and ending not in ("i", "ese", "ish"):
        return None
    return cut


# A list of names and the plural noun they share: "the Wabash and Ohio rivers",
# "Grenada and Montgomery counties", "the counties of Sligo, Donegal and Leitrim".
_ITEM = r"[A-Z][\w'.\-]*+(?: [A-Z][\w'.\-]*+){0,3}+"
_SEP = r"(?:,\s*+(?:and\s++|or\s++)?|\s++(?:and|or|&)\s++)"
_LIST_THEN_HEAD = re.compile(r"(?:" + _SEP + _ITEM + r")*+\s++([a-z]{3,}s)\b")
_THE_HEAD = re.compile(r"\b[Tt]he\s++([a-z]{3,}s)$")
_LIST_SO_FAR = re.compile(r"\s*+(?:" + _ITEM + _SEP + r")*+")
_REST_OF_LIST = re.compile(r"(?:" + _SEP + _ITEM + r")*+")
_LEAD_OF_LIST = re.compile(r"(?:" + _ITEM + _SEP + r")*+$")
_ITEMS = re.compile(_ITEM)
_BEFORE = 200  # characters of a list read either side of a name (so a long list costs no more)


def shared_head(text: str, start: int, end: int) -> tuple[tuple[str, ...], list[str]] | None:
    """The plural noun a list of names shares, in its singular forms,
    capitalized (("County",), ("Parishe", "Parish")), and the list's names,
    where the span at ``start:end`` is one of them; None where it stands in no such list."""
    m = _LIST_THEN_HEAD.match(text, end, end + _BEFORE)  # bounded: a long list costs no more
    if m:
        head, tail = m.group(1), text[end:m.start(1)]
        lead = _LEAD_OF_LIST.search(text, max(0, start - _BEFORE), start)
        names = _ITEMS.findall(lead.group(0) if lead else "") + [text[start:end]] + _ITEMS.findall(tail)
    else:
        window = text[max(0, start - _BEFORE):start]
        of = window.rfind(" of ")  # the list's names have no "of" (cheap: this runs for every name)
        if of < 0 or not _LIST_SO_FAR.fullmatch(window, of + 4):
            return None
        m = _THE_HEAD.search(window, max(0, of - 40), of)
        if not m:
            return None
        head = m.group(1)
        rest = _REST_OF_LIST.match(text, end, end + _BEFORE)
        names = _ITEMS.findall(window[of + 4:]) + [text[start:end]] + _ITEMS.findall(rest.group(0))
    names = [n.rstrip(".") for n in names]  # "... and Cavan." ends a sentence
    forms = tuple(f.capitalize() for f in singulars(head))
    if not forms or len(names) < 2:
        return None
    return forms, names


def _headed(index: Index, name: str, head: str) -> tuple[tuple[int, ...], tuple[tuple[int, str], ...]]:
    """Entries titled by a name and a head noun ("Ohio River", "County Sligo"),
    and the qualified ones with their qualifiers, most linked-to first
    ("Montgomery County, Mississippi"); never a disambiguation page."""
    exact = [index.titles[t] for t in (f"{name} {head}", f"{head} {name}", f"{head} of {name}") if t in index.titles]
    prefix = f"{name} {head}, "
    extra = [(index.titles[t], t[len(prefix):]) for _, t in zip(range(_SCANNED), index.titles.iterkeys(prefix))]
    extra.sort(key=lambda eq: (-int(index.popularity[eq[0]]), -int(index.entry_size[eq[0]]), eq[0]))
    return (tuple(e for e in exact if not index.is_dab[e]),
            tuple((e, q) for e, q in extra if not index.is_dab[e]))


def head_first(index: Index, cands: list[tuple[int, float, int]], text: str, start: int, end: int
               ) -> list[tuple[int, float, int]]:
    """The candidates of a name in a list that shares a plural noun ("the Wabash
    and Ohio rivers"): the entries titled by the name and that noun (Ohio River),
    which the list says it names, instead of ``cands`` (Ohio, the state).
    ``cands`` where the KB has no such entry. (Put first and keeping the name's
    own candidates after them, they lost to those: the name's prior is its own.)"""
    found = shared_head(text, start, end)
    if found is None:
        return cands
    name = text[start:end]
    memo = index.memo_table("head-first")
    for head in found[0]:  # "parishes": Parishe, then Parish
        headed = memo.get((head, name))
        if headed is None:
            headed = memo[(head, name)] = _headed(index, name, head)
        if headed != ((), ()):
            break
    exact, qualified = headed
    # A qualifier the text names comes first ("Washington County, Oregon" in a text
    # about Oregon, before the list of Washington Counties).
    named = [e for e, q in qualified if _has_words(text, q)]
    entries = (named + [e for e in exact if e not in named]
               + [e for e, q in qualified if e not in named])[:EXTENSIONS]
    if not entries:
        return cands
    have = {e: n for e, _, n in cands}
    return [(e, 1.0 / len(entries), have.get(e, 0)) for e in entries]


# Candidate generators by name, as spaCy registers its functions: each maps
# (index, written spans, their surface ids, k, names_only=) to ranked (entry, prior, anchors).
GENERATORS = {"surfaces.v1": lambda index, written, sids, k, names_only=False: candidates_of_all(
                  index, sids, k, names_only=names_only),
              "surfaces+extensions.v1": candidates_of_spans}
