"""The seed page layout: the plain-text page linkpedia was made to produce.

The layout, line by line (lines joined by ``\\n``, no newline at the end):

1. the title: ``doc.title``, or when it is ``None`` the text's first
   non-empty line cut to 80 characters;
2. the word ``Encyclopedia``;
3. block 1, the article with a line break after each link;
4. block 2, the article again where each link's line is followed by the linked
   entry's title and its preview (just the title when ``doc.previews`` has no
   preview for it). Block 2 starts at the first link's title: the text up to
   and including the first link is already the first line of block 1.

Any whitespace run holding a newline (a paragraph break) is one line break,
lines are stripped of the spaces around them (so a line never starts with the
space that followed a link) and empty lines are dropped. A document without
links has no block 2.
"""

from __future__ import annotations

import re

from ..types import Document
from ._spans import fallback_title, ordered_links

__all__ = ["render_seed"]

_BREAK = re.compile(r"\s*\n\s*")


def render_seed(doc: Document) -> str:
    """The document laid out as the seed page (see the module docstring)."""
    links = ordered_links(doc)
    text = doc.text
    # One piece per link: the text after the previous link up to this link's end,
    # so the piece's last line is the link's line. The tail follows the last link.
    cuts = [0, *(link.end for link in links)]
    pieces = [_lines(text[a:b]) for a, b in zip(cuts, cuts[1:])]
    tail = _lines(text[cuts[-1] :])

    block1 = [line for piece in pieces for line in piece] + tail
    block2: list[str] = []
    for index, (link, piece) in enumerate(zip(links, pieces)):
        if index:
            block2.extend(piece)
        block2.append(_one_line(link.title))
        preview = _one_line(doc.previews.get(link.title) or "")
        if preview:
            block2.append(preview)
    if links:
        block2.extend(tail)
    return "\n".join([_one_line(fallback_title(doc)), "Encyclopedia", *block1, *block2])


def _lines(piece: str) -> list[str]:
    return [line for line in (part.strip() for part in _BREAK.split(piece)) if line]


def _one_line(value: str) -> str:
    return _BREAK.sub(" ", value).strip()
