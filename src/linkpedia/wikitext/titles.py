"""Page titles as MediaWiki stores them.

Link targets, redirect targets and category names all go through
``normalize_title`` so that ``[[soviet_Union#History]]`` and ``[[Soviet Union]]``
count as the same entry in the KB.
"""

from __future__ import annotations

import html
import re
from urllib.parse import unquote

__all__ = ["normalize_title"]

_SPACES = re.compile(r"[\s_]+")
_BIDI = re.compile("[\u200e\u200f\u202a-\u202e]")
# Characters MediaWiki refuses in titles, plus the converter's private-use markers.
_INVALID = re.compile("[\\[\\]{}|<>\x00-\x1f\x7f\ue000-\ue0ff\ud800-\udfff]")  # lone surrogates: no page has them
_MAX_BYTES = 255
# Anything that needs more than the first letter upper-cased.
_NEEDS_WORK = re.compile(
    "[&%#_\\[\\]{}|<>\x00-\x1f\x7f\x85\xa0\u1680\u2000-\u200f\u2028-\u202f\u205f\u3000"
    "\ue000-\ue0ff\ud800-\udfff]"
)


def normalize_title(raw: str) -> str:
    """The canonical form of a title, or "" when ``raw`` names no valid page.

    Entities and %-escapes are decoded, ``#section`` and one leading ``:`` dropped,
    underscores and whitespace runs become one space, and the first letter is
    upper-cased (unless upper-casing would change its length, like "ß").
    """
    if (
        0 < len(raw) <= 60
        and raw[0] not in " :"
        and raw[-1] != " "
        and "  " not in raw
        and not _NEEDS_WORK.search(raw)
    ):
        first = raw[0].upper()
        return first + raw[1:] if len(first) == 1 else raw
    s = raw
    if "&" in s:
        s = html.unescape(s)
    if "%" in s:
        try:
            s = unquote(s, errors="strict")
        except UnicodeDecodeError:
            pass
    cut = s.find("#")
    if cut >= 0:
        s = s[:cut]
    s = _BIDI.sub("", s)
    s = _SPACES.sub(" ", s).strip()
    if s.startswith(":"):
        s = s[1:].lstrip()
    if not s or _INVALID.search(s) or len(s) * 4 > _MAX_BYTES and len(s.encode()) > _MAX_BYTES:
        return ""
    first = s[0].upper()
    if len(first) == 1:
        s = first + s[1:]
    return s
