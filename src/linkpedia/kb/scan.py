"""Whole-word occurrences of many keys in text, found with a marisa-trie.

The occurrence and casing counts look for every surface in every article. An
Aho–Corasick automaton did that at about 492 bytes per surface (some 19 GiB for
English Wikipedia's ~40 M); a marisa-trie holds them in about 6 bytes each,
saved to a file and mmap'd, so forked workers share its pages through the page
cache. The matches are the automaton's: at each position no word character
precedes, every key that starts there (overlapping and nested keys too) and
that no word character follows. ``\\w`` is ``str.isalnum()`` or ``_``, the test
the automaton's callers applied.
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


class Scanner:
    """The keys of a trie, found in text; see the module docstring."""

    def __init__(self, trie: marisa_trie.Trie, firsts: str, longest: int, heads: frozenset[str] = frozenset()):
        self.trie = trie
        self.longest = longest
        self.window = min(WINDOW, longest)
        self.heads = heads or None  # the first WINDOW characters of the (rare) longer keys
        # A start: no word character before it, and some key begins with the character there.
        self._starts = re.compile(r"(?<!\w)[" + "".join(map(re.escape, sorted(firsts))) + "]") if firsts else None

    def __len__(self) -> int:
        return len(self.trie)

    def matches(self, text: str) -> Iterator[tuple[int, int, int]]:
        """(start, last, key id) of every whole-word occurrence of a key in ``text``."""
        if self._starts is None:
            return
        n = len(text)
        prefixes, width, heads = self.trie.iter_prefixes_with_ids, self.window, self.heads
        for m in self._starts.finditer(text):
            i = m.start()
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
        ``matches`` inlined, since this loop is the occurrence count's whole cost."""
        if self._starts is None:
            return
        n = len(text)
        prefixes, width, heads, add = self.trie.iter_prefixes_with_ids, self.window, self.heads, out.append
        for m in self._starts.finditer(text):
            i = m.start()
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


def build_scanner(keys: Iterable[str], path: Path | None = None) -> Scanner:
    """A scanner of ``keys`` (streamed; repeats and "" are dropped). With ``path``
    the trie is saved there and mmap'd (the caller removes the file when done)."""
    firsts: set[str] = set()
    heads: set[str] = set()
    longest = 0

    def seen(stream: Iterable[str]) -> Iterator[str]:
        nonlocal longest
        for key in stream:
            if key:
                firsts.add(key[0])
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
    return Scanner(trie, "".join(firsts), longest, frozenset(heads))


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
