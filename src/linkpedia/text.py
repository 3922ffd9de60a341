"""Tokens with exact offsets, and a length-preserving fold for matching.

Both the KB builder and the linker use these, so the words a profile was
built from are the words a mention's context is compared with.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import lru_cache
from typing import Iterator

__all__ = ["WORD", "tokens", "is_word_char", "fold", "terms", "term_counts", "paragraph_spans", "STOPWORDS",
           "opens_sentence", "NUMBER_AFTER", "singulars"]

# A word: letters/digits (any script), joined by apostrophes or hyphens inside
# ("Żeligowski's", "second-largest"); an en dash splits ("Soviet–Lithuanian").
WORD = re.compile(r"\w+(?:['’\-]\w+)*")


# A day or year number after a word ("March 1990", "Monday, 5"): the word is part of a date.
NUMBER_AFTER = re.compile(r",?[ \t]+\d{1,4}\b")


def opens_sentence(text: str, start: int) -> bool:
    """Whether ``start`` is a sentence's, a line's or a quotation's first word: there
    case says nothing (the KB's casing counts and the entities detector agree on it)."""
    i = start - 1
    while i >= 0 and text[i] in " \t\"'“‘(«":
        i -= 1
    return i < 0 or text[i] in ".!?:;\n…•*·|"


def is_word_char(ch: str) -> bool:
    """What the regex ``\\w`` matches: ``str.isalnum()`` or the underscore."""
    return ch.isalnum() or ch == "_"


def tokens(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of every word in ``text``."""
    for m in WORD.finditer(text):
        yield m.span()


class _FoldTable(dict):
    """``str.translate`` table built lazily: one char in, one char out.

    Lower-case and without diacritics, but never changing the length, so an
    offset in the folded text is the same offset in the original.
    """

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        base = unicodedata.normalize("NFD", ch)[0]
        low = base.lower()
        out = low if len(low) == 1 else (ch.lower() if len(ch.lower()) == 1 else ch)
        if out in "’‘ʼ`´":
            out = "'"
        elif out in "‐‑‒–—―−":
            out = "-"
        self[code] = out
        return out


_FOLD = _FoldTable()


_NON_ASCII = re.compile(r"([^\x00-\x7f]+)")


def fold(text: str) -> str:
    """Case- and diacritic-insensitive key with ``len(fold(t)) == len(t)``."""
    # ASCII folds by lower() alone (and "`" -> "'"), which runs in C; only the
    # non-ASCII runs go through the table, char by char: three times faster.
    if text.isascii():
        out = text.lower()
    else:
        parts = _NON_ASCII.split(text)
        for i, part in enumerate(parts):
            parts[i] = part.translate(_FOLD) if i % 2 else part.lower()
        out = "".join(parts)
    return out.replace("`", "'") if "`" in out else out


STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each
    few for from further had has have having he her here hers herself him himself his how
    i if in into is it its itself just me more most my myself no nor not now of off on
    once only or other our ours ourselves out over own same she should so some such than
    that the their theirs them themselves then there these they this those through to too
    under until up very was we were what when where which while who whom why will with
    would you your yours yourself yourselves one two three first also known may many
    new used use became became since later several however although well made
    """.split()
)


@lru_cache(maxsize=1 << 18)
def _term(word: str) -> str | None:
    """The term a word counts as, or None for stopwords, numbers and short words."""
    w = fold(word)
    if len(w) < 3 or w in STOPWORDS or w.isdigit():
        return None
    if w.endswith("'s"):
        w = w[:-2]
    return w


def terms(text: str) -> list[str]:
    """Content words of ``text`` in order, folded (for windows around a link)."""
    out = []
    for w in WORD.findall(text):
        t = _term(w)
        if t is not None:
            out.append(t)
    return out


def term_counts(text: str) -> Counter[str]:
    """Content words of ``text`` with their counts; counts in C, filters once per distinct word."""
    out: Counter[str] = Counter()
    for w, n in Counter(WORD.findall(text)).items():
        t = _term(w)
        if t is not None:
            out[t] += n
    return out


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each paragraph: lines separated by line breaks.

    Every line break starts a new paragraph; WikiExtractor output and the seed
    both put one paragraph per line.
    """
    spans = []
    pos = 0
    for line in text.split("\n"):
        end = pos + len(line)
        if line.strip():
            spans.append((pos, end))
        pos = end + 1
    return spans


_ES_PLURALS = ("ches", "shes", "sses", "xes", "zes")  # plurals that add "-es" to the singular


def singulars(word: str) -> list[str]:
    """The forms a plural may have in the singular, the likelier first:
    "counties" -> county; "Porsches" -> Porsche, then Porsch; "parishes" ->
    parishe, then parish. None for a word that is no plural ("glass")."""
    if word.endswith("ies") and len(word) > 4:
        return [word[:-3] + "y"]
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return [word[:-1]] + ([word[:-2]] if word.endswith(_ES_PLURALS) and len(word) > 5 else [])
    return []

