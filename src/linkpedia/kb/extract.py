"""Per-page work of a build: runs in worker processes, returns plain data.

Everything expensive about one page (wikitext conversion, preview, terms,
link contexts) happens here, so ``--jobs`` scales it across cores while the
parent only writes rows.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Iterable, Iterator

from ..sources.base import Page
from ..text import WORD, _term, fold
from .names import body_of, mine_names
from .store import pack_text
from ..wikitext import DEFAULT_SITE, SiteInfo, convert, is_disambiguation, make_preview

__all__ = ["PageRecord", "Sums", "extract_page", "parenthetical_base", "comma_base", "page_terms", "link_contexts",
           "article_sums", "window_counts", "CONTEXT_WINDOW"]

CONTEXT_WINDOW = 8  # content words on each side of a link that describe its target
_PAREN = re.compile(r"^(.+?) \(([^()]+)\)$")


def comma_base(title: str) -> str | None:
    """'Phoenix, Arizona' -> 'Phoenix': a place named with the region it is in (capitalized after the comma)."""
    head, sep, rest = title.partition(", ")
    if not sep or "(" in title or not rest[:1].isupper() or not head[:1].isupper() or len(head) < 3:
        return None
    return head


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
    summed: bool = False  # page_terms and contexts went to a ``Sums`` instead
    names: tuple[tuple[str, str], ...] = ()  # (kind, name) the article gives itself (kb/names.py)


class Sums:
    """Running ``term_df`` and ``contexts`` increments of many articles.

    Contexts are kept per target (target -> Counter of terms), so adding a
    page is one C-level count per target it links to.
    """

    __slots__ = ("df", "ctx", "_pairs")

    def __init__(self) -> None:
        self.df: Counter[str] = Counter()
        self.ctx: dict[str, Counter[str]] = {}
        self._pairs = 0

    def __len__(self) -> int:
        """Entries held: distinct terms plus distinct (target, term) pairs."""
        return len(self.df) + self._pairs

    def add(self, terms: Iterable[str], windows: dict[str, list[str]], sign: int = 1) -> None:
        """Count one article (``article_sums``' output); ``sign=-1`` takes it away."""
        if sign > 0:
            self.df.update(terms)
        else:
            self.df.subtract(terms)
        ctx = self.ctx
        for target, window in windows.items():
            c = ctx.get(target)
            if c is None:
                c = ctx[target] = Counter()
            n = len(c)
            if sign > 0:
                c.update(window)
            else:
                c.subtract(window)
            self._pairs += len(c) - n

    def add_pairs(self, terms: Iterable[str], contexts: Counter[tuple[str, str]]) -> None:
        """Count one record's ``page_terms`` and ``contexts``."""
        self.df.update(terms)
        ctx = self.ctx
        for (target, term), n in contexts.items():
            c = ctx.get(target)
            if c is None:
                c = ctx[target] = Counter()
            if term not in c:
                self._pairs += 1
            c[term] += n

    def recount(self) -> None:
        """Recount the pairs held, after ``ctx`` was changed directly."""
        self._pairs = sum(map(len, self.ctx.values()))

    def context_rows(self) -> Iterator[tuple[str, str, int]]:
        return ((t, w, n) for t, c in self.ctx.items() for w, n in c.items())


class _Terms(dict):
    """word -> its term ("" for none), filled as words are seen; one per process.

    A plain dict lookup mapped over a page's words in C, instead of a call per
    word. Cleared when it grows large, so a whole-dump build stays bounded.
    """

    def __missing__(self, word: str) -> str:
        if len(self) > _MAX_TERMS:
            self.clear()
            self[_SEP] = _SEP
        t = self[word] = _term(word) or ""
        return t


_MAX_TERMS = 1 << 21
_SEP = "\x00"  # marks piece boundaries in one token stream; never part of a word
_TERMS = _Terms({_SEP: _SEP})
# ``WORD`` with possessive quantifiers: the same matches (nothing follows that could
# make the engine back off), found without saving backtracking points.
_WORDS = re.compile(r"\w++(?:['’\-]\w++)*+")
_WORD_OR_SEP = re.compile(_WORDS.pattern + "|\x00")


def _pieces(text: str, ordered: list[tuple[int, int, str]]) -> list[str]:
    """gap 0, link 0, gap 1, link 1, ..., gap n: the text cut at the link boundaries.

    A word that crosses a boundary counts as two words, as if each piece were
    tokenized on its own; overlapping links leave empty gaps.
    """
    pieces = []
    prev = 0
    for start, end, _ in ordered:
        cut = start if start > prev else prev
        pieces.append(text[prev:cut])
        if end > prev:
            pieces.append(text[cut:end])
            prev = end
        else:
            pieces.append("")
    pieces.append(text[prev:])
    return pieces


def article_sums(text: str, links: list[tuple[int, int, str]],
                 words: list[str] | None = None) -> tuple[set[str], dict[str, list[str]]]:
    """An article's distinct terms and, per link target, the terms around its links.

    The second part maps each target to the content words just before and
    after each of its links (``CONTEXT_WINDOW`` each side, within the text
    between neighbouring links), repeated as often as they occur. The whole
    text is tokenized by one regex call and mapped to terms in C; only the
    link boundaries are visited in Python. ``words`` (if given) receives the
    words for ``page_terms``.
    """
    if not links:
        tokens = _WORDS.findall(text)
        if words is not None:
            words.extend(tokens)
        found = set(map(_TERMS.__getitem__, tokens))
        found.discard("")
        return found, {}
    ordered = sorted(links)
    if _SEP in text:
        return _article_sums_slow(text, ordered, words)
    tokens = _WORD_OR_SEP.findall(_SEP.join(_pieces(text, ordered)))
    if words is not None:
        words.extend(filter(_SEP.__ne__, tokens))
    seq = list(filter(None, map(_TERMS.__getitem__, tokens)))  # terms and separators
    found = set(seq)
    found.discard(_SEP)
    # seq = gap 0, SEP, link 0, SEP, gap 1, ...: the gaps around link k are
    # seq[g0:e0] (before it) and seq[g1:e1] (after it).
    windows: dict[str, list[str]] = {}
    n = CONTEXT_WINDOW
    index = seq.index
    g0 = 0
    e0 = index(_SEP)
    for _, _, target in ordered:
        g1 = index(_SEP, e0 + 1) + 1
        try:
            e1 = index(_SEP, g1)
        except ValueError:
            e1 = len(seq)
        win = windows.get(target)
        if win is None:
            win = windows[target] = []
        win += seq[g0 if e0 - n < g0 else e0 - n:e0]
        win += seq[g1:e1 if e1 < g1 + n else g1 + n]
        g0, e0 = g1, e1
    return found, windows


def _article_sums_slow(text: str, ordered: list[tuple[int, int, str]],
                       words: list[str] | None) -> tuple[set[str], dict[str, list[str]]]:
    """``article_sums`` for a text that contains the separator: one regex call per piece."""
    pieces = [[t for t in map(_TERMS.__getitem__, WORD.findall(piece)) if t]
              for piece in _pieces(text, ordered)]
    if words is not None:
        for piece in _pieces(text, ordered):
            words.extend(WORD.findall(piece))
    found = {t for piece in pieces for t in piece}
    windows: dict[str, list[str]] = {}
    n = CONTEXT_WINDOW
    for k, (_, _, target) in enumerate(ordered):
        win = windows.setdefault(target, [])
        win += pieces[2 * k][-n:]
        win += pieces[2 * k + 2][:n]
    return found, windows


def window_counts(windows: dict[str, list[str]]) -> Counter[tuple[str, str]]:
    """``article_sums``' windows as (target, term) -> count."""
    out: Counter[tuple[str, str]] = Counter()
    for target, terms in windows.items():
        for term, n in Counter(terms).items():
            out[(target, term)] = n
    return out


def page_terms(text: str, words: list[str] | None = None) -> frozenset[str]:
    """The distinct context terms of a page (each distinct word filtered once)."""
    found = set(map(_TERMS.__getitem__, set(_WORDS.findall(text) if words is None else words)))
    found.discard("")
    return frozenset(found)


def link_contexts(text: str, links: list[tuple[int, int, str]],
                  words: list[str] | None = None) -> Counter[tuple[str, str]]:
    """(target, term) -> count: the content words just before and after each link.

    ``words`` (if given) receives every word of the text, for ``page_terms``.
    """
    return window_counts(article_sums(text, links, words)[1])


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


def extract_page(page: Page, site: SiteInfo = DEFAULT_SITE, sums: Sums | None = None) -> PageRecord:
    """Convert one source page into its KB contribution.

    With ``sums``, an article's term and context counts are added there and
    the record comes back with ``summed`` set and without them (the build's
    workers keep running sums, so they cross between processes once, not
    once per page).
    """
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
        kind = "disambiguation" if _plain_disambiguation(page.title, text) else "article"
        has_links = page.links is not None
    # (target, anchor with its whitespace collapsed) -> n, empty anchors left out; counted in C
    anchors: Counter[tuple[str, str]] = Counter(filter(itemgetter(1), zip(
        [t for _, _, t in links], map(" ".join, map(str.split, [text[a:b] for a, b, _ in links])))))
    terms: set[str] | frozenset[str] = frozenset()
    contexts: Counter[tuple[str, str]] = Counter()
    summed = False
    if kind == "article":
        terms, windows = article_sums(text, links)
        if sums is not None and page.title:
            sums.add(terms, windows)
            terms, summed = frozenset(), True
        else:
            contexts = window_counts(windows)
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
        page_terms=frozenset(terms),
        contexts=contexts,
        summed=summed,
        names=tuple(mine_names(page.title, text, page.text if page.markup == "wikitext" else None))
        if kind == "article" and page.title else (),
    )


_MAY_REFER = r"\W*(?:\([^)]*\)\W*)?(?:may|can|might) (?:also )?(?:refer to|mean|stand for)\b"


def _plain_disambiguation(title: str, text: str) -> bool:
    """A plain-text page that lists the senses of a name (it has no templates to say so):
    its title says so, or its first sentence is "<name> may refer to", nothing before
    but another form of the name."""
    if title.endswith("(disambiguation)"):
        return True
    base = parenthetical_base(title) or title
    return re.match(r"\W*(?:The |A |An )?" + re.escape(base) + _ALSO_WRITTEN + _MAY_REFER,
                    body_of(title, text)[:300]) is not None


# Another form of the name between it and "may refer to": "Dow, or the acronym DOW, may refer to".
_ALSO_WRITTEN = r"(?:, (?:or|also) [^.;:()\n]{1,60},| or [^.;:,()\n]{1,40})?"


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
