"""Per-page work of a build: runs in worker processes, returns plain data.

Everything expensive about one page (wikitext conversion, preview, terms,
link contexts) happens here, so ``--jobs`` scales it across cores while the
parent only writes rows.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from ..sources.base import Page
from ..text import WORD, _term, fold
from .store import pack_text
from ..wikitext import DEFAULT_SITE, SiteInfo, convert, is_disambiguation, make_preview

__all__ = ["PageRecord", "extract_page", "parenthetical_base", "page_terms", "link_contexts",
           "CONTEXT_WINDOW"]

CONTEXT_WINDOW = 8  # content words on each side of a link that describe its target
_PAREN = re.compile(r"^(.+?) \(([^()]+)\)$")


def parenthetical_base(title: str) -> str | None:
    """'Mercury (planet)' -> 'Mercury'; None when the title has no qualifier."""
    m = _PAREN.match(title)
    return m.group(1) if m else None


@dataclass(slots=True)
class PageRecord:
    """What one page contributes to the KB."""

    title: str
    kind: str  # article | redirect | disambiguation
    redirect_to: str | None
    has_links: bool
    page_id: str | None
    revision_id: str | None
    timestamp: str | None
    description: str | None
    aliases: tuple[str, ...]
    preview: str
    text_z: bytes | None  # zlib-compressed plain text
    links: list[tuple[int, int, str]]  # (start, end, target) into the plain text
    anchors: Counter[tuple[str, str]] = field(default_factory=Counter)  # (target, anchor) -> n
    page_terms: frozenset[str] = frozenset()  # distinct terms, for document frequencies
    contexts: Counter[tuple[str, str]] = field(default_factory=Counter)  # (target, term) -> n


def page_terms(text: str, words: list[str] | None = None) -> frozenset[str]:
    """The distinct context terms of a page (each distinct word filtered once)."""
    out = set()
    for w in set(WORD.findall(text) if words is None else words):
        t = _term(w)
        if t is not None:
            out.add(t)
    return frozenset(out)


def _head(words: list[str], n: int) -> list[str]:
    out = []
    for w in words:
        t = _term(w)
        if t is not None:
            out.append(t)
            if len(out) == n:
                break
    return out


def link_contexts(text: str, links: list[tuple[int, int, str]],
                  words: list[str] | None = None) -> Counter[tuple[str, str]]:
    """(target, term) -> count: the content words just before and after each link.

    The text between consecutive links is tokenized once (in C) and only the
    words next to a link are looked at, so link-dense articles stay cheap.
    ``words`` (if given) receives every word of the text, for ``page_terms``.
    """
    out: Counter[tuple[str, str]] = Counter()
    if not links:
        if words is not None:
            words.extend(WORD.findall(text))
        return out
    ordered = sorted(links)
    gaps: list[list[str]] = []
    prev = 0
    for start, end, _ in ordered:
        gaps.append(WORD.findall(text, prev, max(prev, start)))
        if words is not None and end > prev:
            words.extend(WORD.findall(text, max(prev, start), end))
        prev = max(prev, end)
    gaps.append(WORD.findall(text, prev))
    if words is not None:
        for gap in gaps:
            words.extend(gap)
    for i, (_, _, target) in enumerate(ordered):
        for t in _head(gaps[i][::-1], CONTEXT_WINDOW):
            out[(target, t)] += 1
        for t in _head(gaps[i + 1], CONTEXT_WINDOW):
            out[(target, t)] += 1
    return out


def _sense_links(text: str, links: list[tuple[int, int, str]], name: str) -> list[tuple[int, int, str]]:
    """A disambiguation page's senses, not the links in its glosses.

    A sense is the first link of a line that either opens the line
    ("* [[Kaunas Fortress]], the forts") or names the page's subject
    ("the [[Kaunas District Municipality]]"); "a city in [[Lithuania]]" is a gloss.
    """
    key = fold(name)
    out, last_line = [], -1
    for start, end, target in links:
        line_start = text.rfind("\n", 0, start) + 1
        if line_start == last_line:
            continue
        if start == line_start or key in fold(target):
            out.append((start, end, target))
            last_line = line_start
    return out


def extract_page(page: Page, site: SiteInfo = DEFAULT_SITE) -> PageRecord:
    """Convert one source page into its KB contribution."""
    if page.markup == "wikitext":
        if page.redirect:
            return _redirect(page, has_links=True)
        conv = convert(page.text, site)
        text = conv.text
        links = [(lk.start, lk.end, lk.target) for lk in conv.links if lk.target]
        kind = "disambiguation" if is_disambiguation(conv, site) else "article"
        if kind == "disambiguation":
            links = _sense_links(text, links, parenthetical_base(page.title) or page.title)
        has_links = True
    else:
        if page.redirect:
            return _redirect(page, has_links=page.links is not None)
        text = page.text
        links = [(lk.start, lk.end, lk.target) for lk in (page.links or []) if lk.target]
        kind = "article"
        has_links = page.links is not None
    anchors: Counter[tuple[str, str]] = Counter()
    for start, end, target in links:
        anchor = " ".join(text[start:end].split())
        if anchor:
            anchors[(target, anchor)] += 1
    words: list[str] = []
    contexts = link_contexts(text, links, words) if kind == "article" else Counter()
    return PageRecord(
        title=page.title,
        kind=kind,
        redirect_to=None,
        has_links=has_links,
        page_id=page.page_id,
        revision_id=page.revision_id,
        timestamp=page.timestamp,
        description=page.description,
        aliases=tuple(page.aliases),
        preview=make_preview(text),
        text_z=pack_text(text),
        links=links,
        anchors=anchors,
        page_terms=page_terms(text, words) if kind == "article" else frozenset(),
        contexts=contexts,
    )


def _redirect(page: Page, *, has_links: bool) -> PageRecord:
    return PageRecord(
        title=page.title,
        kind="redirect",
        redirect_to=page.redirect,
        has_links=has_links,
        page_id=page.page_id,
        revision_id=page.revision_id,
        timestamp=page.timestamp,
        description=None,
        aliases=(),
        preview="",
        text_z=None,
        links=[],
    )
