"""Checks every renderer makes before it lays out a document's links.

A renderer walks the text from link to link, so it needs the links in text
order, inside the text and not overlapping; a link that breaks this would make
it drop or repeat text silently, so it is refused with an ``InputError``.
"""

from __future__ import annotations

from ..errors import InputError
from ..types import Document, Link

__all__ = ["ordered_links", "fallback_title", "shorten"]


def ordered_links(doc: Document, *, allow_overlap: bool = False) -> list[Link]:
    """The document's links sorted by offset, after checking they can be laid out.

    Formats that list links rather than lay them out (JSON, NIF) pass
    ``allow_overlap=True``.
    """
    links = sorted(doc.links, key=lambda link: (link.start, link.end))
    size = len(doc.text)
    previous: Link | None = None
    for link in links:
        where = f"link {link.surface!r} -> {link.title!r} at {link.start}-{link.end}"
        if not 0 <= link.start <= link.end <= size:
            raise InputError(
                f"{where}: offsets are outside the text ({size} code points); "
                "offsets count code points of Document.text"
            )
        if doc.text[link.start : link.end] != link.surface:
            raise InputError(
                f"{where}: the text there is {doc.text[link.start : link.end]!r}, not the surface; "
                "offsets must index Document.text"
            )
        if not allow_overlap and previous is not None and link.start < previous.end:
            raise InputError(
                f"{where}: overlaps link {previous.surface!r} at {previous.start}-{previous.end}; "
                "keep one of them"
            )
        previous = link
    return links


def fallback_title(doc: Document, limit: int = 80) -> str:
    """``doc.title``, or the text's first non-empty line, shortened to ``limit`` between words."""
    if doc.title is not None:
        return doc.title
    for line in doc.text.splitlines():
        if line.strip():
            return shorten(line, limit)
    return ""


def shorten(text: str, limit: int) -> str:
    """``text`` (whitespace collapsed) in at most ``limit`` characters, cut between words and ended
    with "…" when cut: a heading reading "...Emmanuel Macron in P" looks broken."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    budget = limit - 1  # one character for the "…"
    cut = text[:budget]
    if text[budget] != " ":  # the cut falls inside a word: end before it, unless it is most of the line
        space = cut.rfind(" ")
        if space >= limit // 2:
            cut = cut[:space]
    return cut.rstrip(" ,;:–—-") + "…"
