"""What every source reader yields: ``Page`` objects, streamed.

A reader never holds more than one page in memory: the KB builder's memory
must not grow with the size of the dump.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Iterator, Literal, Protocol

from ..wikitext.site import DEFAULT_SITE, SiteInfo

__all__ = ["Page", "PlainLink", "Source"]


@dataclass(frozen=True, slots=True)
class PlainLink:
    """A link in an already plain text: ``text[start:end]`` is the anchor."""

    start: int
    end: int
    target: str  # the linked title, normalized (spaces, upper-case first letter)


@dataclass(slots=True)
class Page:
    """One article (or redirect) of a source.

    ``markup`` says how to read ``text``: ``"wikitext"`` goes through the
    wikitext converter; ``"plain"`` is already plain text whose links, when the
    source has them, are in ``links`` (``None`` = the source has no link data,
    ``[]`` = it has, and this page links nowhere).
    """

    title: str
    text: str
    markup: Literal["wikitext", "plain"]
    redirect: str | None = None  # normalized target title when this page is a redirect
    links: list[PlainLink] | None = None
    aliases: tuple[str, ...] = ()  # other names of the entry, given by the source
    description: str | None = None  # a short description (e.g. Wikidata's), if any
    page_id: str | None = None
    revision_id: str | None = None
    timestamp: str | None = None
    position: str = ""  # where in the source, for messages: "page 12, byte 3456"


class Source(Protocol):
    """An opened source file. Iterate ``pages()`` once."""

    path: str
    format: str  # "mediawiki", "wikiextractor", "wikiextractor-json", "jsonl"
    site: SiteInfo
    dump_date: str | None  # newest revision timestamp, or the file's date when unknown
    size: int | None  # bytes of the file on disk, for progress
    has_links: bool  # False for sources without link data (plain WikiExtractor)
    skipped: Counter[str]  # reason -> pages skipped (one bad page is skipped, not fatal)

    def pages(self) -> Iterator[Page]: ...

    def bytes_read(self) -> int:
        """Bytes of the file consumed so far (compressed bytes for .bz2/.gz)."""
        ...


@dataclass
class SourceStats:
    """Counters a reader keeps while streaming (shared helper for readers)."""

    pages: int = 0
    skipped: Counter[str] = field(default_factory=Counter)


DEFAULT = DEFAULT_SITE
