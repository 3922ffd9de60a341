"""The small value objects every stage exchanges.

Stages never mutate these: the linker returns a new ``Document``; renderers,
the server, evaluation and Spark only read them. Offsets are Python ``str``
indices (Unicode code points) into ``Document.text``, so
``doc.text[link.start:link.end] == link.surface`` always holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

__all__ = ["Candidate", "Link", "Document", "Entry"]


@dataclass(frozen=True, slots=True)
class Candidate:
    """One entry a surface may refer to, with the evidence for it."""

    title: str
    prior: float  # p(entry | surface) from link counts
    count: int = 0  # times the surface linked to this entry in the KB's sources
    score: float = 0.0  # the disambiguator's confidence, in [0, 1]


@dataclass(frozen=True, slots=True)
class Link:
    """A mention in a text linked to an entry."""

    start: int
    end: int
    surface: str
    title: str
    score: float = 1.0
    candidates: tuple[Candidate, ...] = ()
    qid: str | None = None  # the entry's Wikidata item, where the KB knows it (build --wikidata)


@dataclass(frozen=True, slots=True)
class Entry:
    """What the KB knows of one entry, as ``kb.entry(title)`` (or ``kb.entry("Q42")``) returns it."""

    title: str
    preview: str
    popularity: int = 0  # in-link count
    is_disambiguation: bool = False
    surfaces: tuple[tuple[str, int], ...] = ()  # (surface, link count), most frequent first
    qid: str | None = None  # its Wikidata item; None when the KB was built without --wikidata
    description: str | None = None  # a short description (the source's, else Wikidata's)
    instance_of: tuple[str, ...] = ()  # QIDs of its Wikidata classes (P31)


@dataclass(frozen=True)
class Document:
    """A text and its links; ``previews`` maps each linked title to its preview."""

    text: str
    links: tuple[Link, ...] = ()
    title: str | None = None
    previews: Mapping[str, str] = field(default_factory=dict)
