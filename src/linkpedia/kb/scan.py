"""Whole-word occurrences of many keys in text, found with a marisa-trie.

The occurrence and casing counts look for every surface in every article. An
Aho–Corasick automaton did that at about 492 bytes per surface (some 19 GiB for
English Wikipedia's ~40 M); a marisa-trie holds them in about 6 bytes each,
saved to a file and mmap'd, so forked workers share its pages through the page
cache. The matches are the automaton's: at each position no word character
precedes, every key that starts there (overlapping and nested keys too) and
that no word character follows. ``\\w`` is ``str.isalnum()`` or ``_``, the test
the automaton's callers applied.

Asking the trie at every word costs about a microsecond of Python a word,
so the starts are filtered first, with numpy over the text's code points: a
key that starts at a word begins with that whole word (its end cannot fall
inside a word), so a polynomial hash of each word, and of each pair of words
with what stands between them, is looked up in two bitmaps (about a byte
per key, at most 32 MiB each) of the keys' one-word forms and two-word
beginnings. Only the starts that pass (the true matches and a few false
positives) reach the trie. Keys that begin with a non-word character
("(album)", ".NET") are looked up wherever that character starts.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Iterable, Iterator

import marisa_trie
import numpy as np

__all__ = ["Scanner", "build_scanner", "id_map"]

WINDOW = 256  # characters handed to the trie per start: cheap (the walk stops where keys do)
# Bits per bitmap: about 8 per key, 2**16 to 2**28 (32 MiB); a false positive only costs a trie lookup.
MIN_BITS, MAX_BITS = 1 << 16, 1 << 28
_P = 0x100000001B3  # the hash's base (odd, so invertible modulo 2**64)
_P_INV = pow(_P, -1, 1 << 64)
_U64 = (1 << 64) - 1
_WORDS = re.compile(r"\w+")
_TABLES: dict[str, np.ndarray] = {}


def _word_table() -> np.ndarray:
    """Whether each code point is a word character (``\\w``), built once per process."""
    table = _TABLES.get("word")
    if table is None:
        table = _TABLES["word"] = np.array([chr(c).isalnum() for c in range(0x110000)], dtype=bool)
        table[ord("_")] = True
        table[0xD800:0xE000] = False  # surrogates: no text here holds one
    return table


KEEP_POWERS = 1 << 20  # powers kept per process (16 MiB); a longer text makes its own


def _powers(n: int) -> tuple[np.ndarray, np.ndarray]:
    """P**k and P**-k modulo 2**64 for k < n (at least)."""
    pw = _TABLES.get("pow")
    if pw is not None and len(pw) >= n:
        return pw, _TABLES["inv"]
    size = max(n, min(KEEP_POWERS, 2 * len(pw) if pw is not None else 1 << 16))
    pw = np.full(size, _P, dtype=np.uint64)
    inv = np.full(size, _P_INV, dtype=np.uint64)
    pw[0] = inv[0] = 1
    with np.errstate(over="ignore"):
        pw, inv = np.cumprod(pw, dtype=np.uint64), np.cumprod(inv, dtype=np.uint64)
    if size <= KEEP_POWERS:
        _TABLES["pow"], _TABLES["inv"] = pw, inv
    return pw, inv


def _hash(s: str) -> int:
    """The polynomial hash of ``s`` modulo 2**64, as ``_span_hashes`` computes it in bulk."""
    h, p = 0, 1
    for ch in s:
        h = (h + ord(ch) * p) & _U64
        p = (p * _P) & _U64
    return h


def _code_points(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)


def _span_hashes(cps: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """The hash of each span ``cps[lo:hi]``: prefix sums of cp·P**k, shifted down by P**-lo."""
    pw, inv = _powers(len(cps) + 1)
    with np.errstate(over="ignore"):
        prefix = np.zeros(len(cps) + 1, dtype=np.uint64)
        np.cumsum(cps.astype(np.uint64) * pw[:len(cps)], dtype=np.uint64, out=prefix[1:])
        return (prefix[hi] - prefix[lo]) * inv[lo]


def _test(bits: np.ndarray, h: np.ndarray) -> np.ndarray:
    h = (h & np.uint64(8 * len(bits) - 1)).astype(np.int64)
    return (bits[h >> 3] >> (h & 7).astype(np.uint8)) & 1 == 1


def _set(bits: np.ndarray, h: int) -> None:
    h &= 8 * len(bits) - 1
    bits[h >> 3] |= 1 << (h & 7)


class Scanner:
    """The keys of a trie, found in text; see the module docstring."""

    def __init__(self, trie: marisa_trie.Trie, one: np.ndarray, two: np.ndarray, others: str, longest: int,
                 heads: frozenset[str] = frozenset()):
        self.trie = trie
        self.one, self.two = one, two  # bitmaps: one-word forms; two-word beginnings
        self.longest = longest
        self.window = min(WINDOW, longest)
        self.heads = heads or None  # the first WINDOW characters of the (rare) longer keys
        self.others = np.zeros(0x110000, dtype=bool) if others else None  # first characters that are not \w
        for c in others:
            self.others[ord(c)] = True

    def __len__(self) -> int:
        return len(self.trie)

    def starts(self, text: str) -> np.ndarray:
        """Where a key may start in ``text``: a superset of the matches' starts."""
        if not text:
            return np.zeros(0, dtype=np.int64)
        cps = _code_points(text)
        word = _word_table()[cps]
        edge = np.diff(word.view(np.int8), prepend=np.int8(0), append=np.int8(0))
        lo, hi = np.flatnonzero(edge == 1), np.flatnonzero(edge == -1)  # each word [lo, hi)
        hit = _test(self.one, _span_hashes(cps, lo, hi))
        if len(lo) > 1:
            hit[:-1] |= _test(self.two, _span_hashes(cps, lo[:-1], hi[1:]))
        found = lo[hit]
        if self.others is not None:
            after = np.ones(len(cps), dtype=bool)
            after[1:] = ~word[:-1]
            found = np.concatenate([found, np.flatnonzero(self.others[cps] & after)])
        return found

    def starts_of_many(self, texts: list[str], group_chars: int = 1 << 18) -> list[np.ndarray]:
        """``starts`` of each text, one numpy pass per group of texts of about
        ``group_chars``: short texts (the casing count's samples) would otherwise
        cost their calls' overhead each, and a group's arrays stay small."""
        out: list[np.ndarray] = []
        i = 0
        while i < len(texts):
            j, size = i, 0
            while j < len(texts) and (j == i or size + len(texts[j]) < group_chars):
                size += len(texts[j]) + 1
                j += 1
            group = texts[i:j]
            joined = "\n".join(group)  # no word character: a word never spans two texts
            found = np.sort(self.starts(joined))  # a superset of each text's own starts
            offsets = np.cumsum([0] + [len(t) + 1 for t in group])
            cut = np.searchsorted(found, offsets)
            out += [found[cut[k]:cut[k + 1]] - offsets[k] for k in range(len(group))]
            i = j
        return out

    def matches(self, text: str, starts: np.ndarray | None = None) -> Iterator[tuple[int, int, int]]:
        """(start, last, key id) of every whole-word occurrence of a key in ``text``
        (``starts``: from ``starts_of_many``, else found here)."""
        n = len(text)
        prefixes, width, heads = self.trie.iter_prefixes_with_ids, self.window, self.heads
        for i in (self.starts(text) if starts is None else starts).tolist():
            window = text[i:i + width]
            if heads is not None and window in heads:
                window = text[i:i + self.longest]
            for key, kid in prefixes(window):
                j = i + len(key)
                if j < n:
                    c = text[j]
                    if c.isalnum() or c == "_":
                        continue
                yield i, j - 1, kid

    def key_ids(self, text: str, out: list[int]) -> None:
        """Append the key id of every whole-word occurrence in ``text`` to ``out``:
        ``matches`` inlined, as this loop is most of the occurrence count's time."""
        n = len(text)
        prefixes, width, heads, add = self.trie.iter_prefixes_with_ids, self.window, self.heads, out.append
        for i in self.starts(text).tolist():
            window = text[i:i + width]
            if heads is not None and window in heads:
                window = text[i:i + self.longest]
            for key, kid in prefixes(window):
                j = i + len(key)
                if j < n:
                    c = text[j]
                    if c.isalnum() or c == "_":
                        continue
                add(kid)


def build_scanner(keys: Iterable[str], path: Path | None = None, expected: int | None = None) -> Scanner:
    """A scanner of ``keys`` (streamed; repeats and "" are dropped), about ``expected``
    of them (sizes the bitmaps; unknown: the largest). With ``path`` the trie is
    saved there and mmap'd (the caller removes the file when done)."""
    bits = MAX_BITS if expected is None else min(MAX_BITS, max(MIN_BITS, 1 << (8 * expected).bit_length()))
    one = np.zeros(bits >> 3, dtype=np.uint8)
    two = np.zeros(bits >> 3, dtype=np.uint8)
    others: set[str] = set()
    heads: set[str] = set()
    longest = 0

    def seen(stream: Iterable[str]) -> Iterator[str]:
        nonlocal longest
        for key in stream:
            if not key:
                continue
            words = _WORDS.finditer(key)
            first = next(words, None)
            if first is None or first.start() > 0:
                others.add(key[0])
            else:
                second = next(words, None)
                if second is None:  # "Paris", "C++": its word is the text's whole word
                    _set(one, _hash(first.group()))
                else:  # "New York", "U.S.": the text's two words and what is between them
                    _set(two, _hash(key[:second.end()]))
            if len(key) > longest:
                longest = len(key)
            if len(key) > WINDOW:
                heads.add(key[:WINDOW])
            yield key

    trie = marisa_trie.Trie(seen(keys))
    if path is not None:
        trie.save(os.fspath(path))
        del trie
        trie = marisa_trie.Trie()
        trie.mmap(os.fspath(path))
    return Scanner(trie, one, two, "".join(others), longest, frozenset(heads))


def id_map(scanner: Scanner, pairs: Iterable[tuple[int, str]], chunk: int = 1 << 20) -> np.ndarray:
    """``out[key id]`` = the caller's id of that key, from (id, key) pairs; where a key
    comes twice the last pair wins, as an automaton's ``add_word`` did; -1 where none."""
    out = np.full(len(scanner), -1, dtype=np.int64)
    key_id = scanner.trie.key_id
    kids: list[int] = []
    ids: list[int] = []

    def flush() -> None:
        out[np.asarray(kids, dtype=np.int64)] = np.asarray(ids, dtype=np.int64)  # in order: the last wins
        kids.clear()
        ids.clear()

    for ident, key in pairs:
        if key:
            kids.append(key_id(key))
            ids.append(ident)
            if len(kids) >= chunk:
                flush()
    if kids:
        flush()
    return out
