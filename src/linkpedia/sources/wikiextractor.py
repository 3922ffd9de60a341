"""WikiExtractor output: ``<doc id url title>`` text files and ``--json`` lines.

Both are already plain text (``markup="plain"``). With ``--links`` WikiExtractor
keeps links as ``<a href="Target%20name">anchor</a>`` (HTML-escaped to
``&lt;a href=...&gt;`` by its default ``--html-safe``); they become
``PlainLink`` offsets into the text with the tags removed. Without ``--links``
the source has no link data: ``has_links`` is False and ``Page.links`` None.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Iterator
from urllib.parse import unquote

from ..errors import SourceFormatError
from ..wikitext.site import DEFAULT_SITE
from ._io import ReaderBase, decode_line, iter_lines, normalize_title, read_head, stream_errors
from .base import Page, PlainLink

__all__ = ["WikiExtractorSource", "plain_text_and_links"]

_HEADER = re.compile(r'^<doc\s+id="([^"]*)"\s+url="([^"]*)"\s+title="(.*)"\s*>\s*$')
_ATTR = re.compile(r'(\w+)="([^"]*)"')
_LINK = re.compile(r'(?:<|&lt;)a href="([^"]*)"(?:>|&gt;)(.*?)(?:<|&lt;)/a(?:>|&gt;)', re.S)
_HAS_LINK = re.compile(rb'(?:<|&lt;)a href=\\?"')
# Tags WikiExtractor leaves behind (e.g. <br> in poems, <onlyinclude>): noise in plain text.
_RESIDUAL_TAG = re.compile(
    r"</?(?:br|onlyinclude|includeonly|noinclude|ref|references|poem|dfn|span|div|small|big"
    r"|sup|sub|center|font|em|strong|code|tt|nowiki|abbr|ins|del|blockquote|b|i|u|s|p|li"
    r"|ul|ol|dl|dd|dt|score|imagemap|gallery)\b[^<>\n]*/?>",
    re.I,
)
_SKIP_PREFIXES = (
    DEFAULT_SITE.file_prefixes
    | DEFAULT_SITE.category_prefixes
    | {p for p in DEFAULT_SITE.other_prefixes if len(p) > 2}
)


def _clean(segment: str) -> str:
    if "&" in segment:
        segment = html.unescape(segment)
    if "<" in segment:
        segment = _RESIDUAL_TAG.sub(_tag_replacement, segment)
    return segment


def _tag_replacement(match: re.Match[str]) -> str:
    return " " if match.group(0)[1:3].lower() == "br" else ""


def _target(href: str) -> str | None:
    """The linked article's title, or None for external, in-page or non-article links."""
    target = unquote(html.unescape(href))
    if "&" in target:  # an entity in the wikitext link itself, e.g. OS&nbsp;X
        target = html.unescape(target)
    if "://" in target or target.startswith("//"):
        return None
    target = target.split("#", 1)[0].strip()
    if not target:
        return None
    if ":" in target and target.split(":", 1)[0].strip().lower() in _SKIP_PREFIXES:
        return None
    return normalize_title(target) or None


def plain_text_and_links(
    paragraphs: list[str], *, keep_links: bool
) -> tuple[str, list[PlainLink] | None]:
    """Join paragraphs with ``"\\n\\n"``, dropping ``<a>`` tags and recording their offsets."""
    parts: list[str] = []
    links: list[PlainLink] | None = [] if keep_links else None
    length = 0
    for paragraph in paragraphs:
        if parts:
            parts.append("\n\n")
            length += 2
        position = 0
        for match in _LINK.finditer(paragraph) if "a href=" in paragraph else ():
            before = _clean(paragraph[position : match.start()])
            anchor = _clean(match.group(2))
            parts += (before, anchor)
            start = length + len(before)
            length = start + len(anchor)
            position = match.end()
            target = _target(match.group(1))
            stripped = anchor.strip()
            if links is not None and target and stripped:
                lead = len(anchor) - len(anchor.lstrip())
                links.append(PlainLink(start + lead, start + lead + len(stripped), target))
        rest = _clean(paragraph[position:])
        parts.append(rest)
        length += len(rest)
    return "".join(parts), links


def _paragraphs(lines: list[str]) -> list[str]:
    return [line.strip() for line in lines if line.strip()]


class WikiExtractorSource(ReaderBase):
    """WikiExtractor output; ``json=True`` for its ``--json`` lines.

    ``has_links`` is decided from the first megabyte of the file: a ``--links``
    extraction has ``<a href`` in nearly every article. If links only show up
    later, ``has_links`` turns True from that page on.
    """

    def __init__(self, path: str | Path, *, json: bool = False, max_page_bytes: int = 10_000_000):
        super().__init__(path, max_page_bytes=max_page_bytes)
        self.json = json
        self.format = "wikiextractor-json" if json else "wikiextractor"
        self.has_links = bool(_HAS_LINK.search(read_head(self._path, 1 << 20)))

    def pages(self) -> Iterator[Page]:
        opened = self._open()
        try:
            with stream_errors(self._path, opened, self.size):
                lines = iter_lines(opened.stream, self.max_page_bytes)
                yield from (self._json_pages(lines) if self.json else self._doc_pages(lines))
        finally:
            self._close()

    # -- --json ---------------------------------------------------------------

    def _json_pages(self, lines: Iterator[tuple[int, int, bytes | None]]) -> Iterator[Page]:
        for number, offset, raw in lines:
            if raw is None:
                self.skipped[self.too_big] += 1
                continue
            line = self._decode(raw, number, offset).strip()
            if not line:
                continue
            try:
                record = json.loads(line)
            except ValueError as exc:
                raise SourceFormatError(
                    f"not a JSON object ({exc}) — WikiExtractor --json writes one object per line; "
                    "the file may be cut or not WikiExtractor output",
                    path=self.path, position=f"line {number}",
                ) from None
            if not isinstance(record, dict) or not isinstance(record.get("title"), str) \
                    or not isinstance(record.get("text"), str):
                raise SourceFormatError(
                    'expected {"id", "url", "title", "text"} — for other JSONL use format="jsonl"',
                    path=self.path, position=f"line {number}",
                )
            page = self._page(
                record["title"], record["text"].split("\n"), number,
                page_id=record.get("id"), revision_id=record.get("revid"), drop_title=False,
            )
            if page is not None:
                yield page

    # -- <doc> files ------------------------------------------------------------

    def _doc_pages(self, lines: Iterator[tuple[int, int, bytes | None]]) -> Iterator[Page]:
        header: tuple[str, str, int] | None = None  # (id, title, line number)
        body: list[str] = []
        size = 0
        too_big = False
        for number, offset, raw in lines:
            if raw is None:
                if header is None:
                    raise self._outside(number)
                too_big = True
                continue
            line = self._decode(raw, number, offset)
            if header is None:
                if not line.strip():
                    continue
                header = self._header(line, number)
                body, size, too_big = [], 0, False
            elif line.startswith("</doc>"):
                if too_big:
                    self.skipped[self.too_big] += 1
                else:
                    page = self._page(header[1], body, header[2], page_id=header[0], drop_title=True)
                    if page is not None:
                        yield page
                header, body = None, []
            elif line.startswith("<doc ") and _HEADER.match(line.rstrip("\r\n")):
                raise SourceFormatError(
                    f"<doc> of line {header[2]} is not closed before the next one — "
                    "the file is damaged: extract it again",
                    path=self.path, position=f"line {number}",
                )
            elif not too_big:
                size += len(raw)
                if size > self.max_page_bytes:
                    too_big, body = True, []
                else:
                    body.append(line.rstrip("\r\n"))
        if header is not None:
            raise SourceFormatError(
                f"the file ends inside the <doc> of line {header[2]} — it is cut: extract or copy it again",
                path=self.path, position="end of file",
            )

    def _header(self, line: str, number: int) -> tuple[str, str, int]:
        text = line.strip()
        match = _HEADER.match(text)
        if match:
            return match.group(1), html.unescape(match.group(3)), number
        if text.startswith("<doc"):
            attrs = dict(_ATTR.findall(text))
            if "title" in attrs:
                return attrs.get("id", ""), html.unescape(attrs["title"]), number
        raise self._outside(number)

    def _outside(self, number: int) -> SourceFormatError:
        return SourceFormatError(
            'text outside <doc id="..." url="..." title="..."> ... </doc> — '
            "this is not WikiExtractor output; pick another format",
            path=self.path, position=f"line {number}",
        )

    # -- shared -------------------------------------------------------------------

    def _page(
        self, title: str, lines: list[str], number: int, *,
        page_id: object = None, revision_id: object = None, drop_title: bool,
    ) -> Page | None:
        paragraphs = _paragraphs(lines)
        if drop_title and paragraphs and _clean(paragraphs[0]).strip() in (title.strip(), ""):
            paragraphs = paragraphs[1:]
        if not self.has_links and any("a href=" in p and _LINK.search(p) for p in paragraphs):
            self.has_links = True
        text, links = plain_text_and_links(paragraphs, keep_links=self.has_links)
        title = normalize_title(html.unescape(title))
        if not title:
            self.skipped["invalid or missing title"] += 1
            return None
        return Page(
            title=title,
            text=text,
            markup="plain",
            links=links,
            page_id=None if page_id in (None, "") else str(page_id),
            revision_id=None if revision_id in (None, "") else str(revision_id),
            position=f"line {number}",
        )

    def _decode(self, raw: bytes, number: int, offset: int) -> str:
        return decode_line(raw, self.path, number, offset)
