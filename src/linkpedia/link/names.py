"""Short names: a later "Saddam" or "Hussein" means the "Saddam Hussein" linked earlier.

News and biographies name a person or an organisation in full once, then by a
part of the name. The part is seldom a KB surface of that entry, or it names a
more common one ("Bush"), but inside one text it is the same entity: the
within-document coreference rule of classic entity linkers (AIDA, REL).

A part is the first or the last word of a linked name of two or more words,
capitalized, at least three letters and not a stopword; a part that two linked
names share ("George" of two Georges) is ambiguous and dropped. An occurrence
counts only standing alone: a capitalized word after it ("Soviet" in
"Lithuanian–Soviet War") makes it part of another name, and a part that is so
used anywhere in the text is taken for a modifier there and not linked at all.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable, Sequence

from ..text import STOPWORDS, fold, is_word_char

__all__ = ["name_parts", "short_names", "standalone", "occurrences"]

_STRIP = ".,;:!?\"'’()[]"
# The next word on the same line, across spaces or a hyphen or dash only.
_AFTER = re.compile(r"[ \t\-–—]*(\w+)")
_POSSESSIVE = ("'s", "’s")


def name_parts(surface: str) -> list[str]:
    """The words of a linked name that may stand for it later in the text."""
    return list(_name_parts(surface))


@lru_cache(maxsize=1 << 16)
def _name_parts(surface: str) -> tuple[str, ...]:  # the same names are linked text after text
    words = surface.split()
    if len(words) < 2:
        return ()
    out: list[str] = []
    for w in (words[0], words[-1]):
        w = w.strip(_STRIP)
        for p in _POSSESSIVE:
            if w.endswith(p):
                w = w[: -len(p)]
        if len(w) >= 3 and w[0].isupper() and w.isalpha() and fold(w) not in STOPWORDS and w not in out:
            out.append(w)
    return tuple(out)


def short_names(text: str, linked: Iterable[tuple[int, int, int, float]]) -> dict[str, tuple[int, float]]:
    """Each unambiguous name part of the ``(start, end, entry, score)`` links -> (entry, score)."""
    parts: dict[str, tuple[int, float]] = {}
    ambiguous: set[str] = set()
    for start, end, entry, score in linked:
        for part in _name_parts(text[start:end]):
            seen = parts.get(part)
            if seen is None:
                parts[part] = (entry, score)
            elif seen[0] != entry:
                ambiguous.add(part)
            elif score > seen[1]:
                parts[part] = (entry, score)
    for part in ambiguous:
        del parts[part]
    return parts


def standalone(text: str, start: int, end: int) -> bool:
    """Whether no capitalized word follows on the span's line: "Smetona said" and
    "President Smetona" are the name, "Smetona Street" and "Soviet War" are other
    names that it only modifies."""
    after = _AFTER.match(text, end)
    return not (after and after.group(1)[0].isupper())


def occurrences(text: str, parts: Sequence[str]) -> list[tuple[int, int, str]]:
    """Whole-word occurrences of the parts (possessive "'s" allowed after), in text order.

    Parts are single words, so each is found with ``str.find`` and kept where
    no word character touches it: cheaper than a regex compiled per text.
    """
    out = []
    for part in set(parts):
        at = text.find(part)
        while at >= 0:
            end = at + len(part)
            if not (at and is_word_char(text[at - 1])) and not (end < len(text) and is_word_char(text[end])):
                out.append((at, end, part))
            at = text.find(part, at + 1)
    out.sort()
    return out
