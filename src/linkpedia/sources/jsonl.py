"""JSONL articles: one ``{"title", "text"}`` object per line, already plain text.

Optional keys: ``aliases`` (list of str), ``description`` (str), ``redirect``
(str), ``id``, and ``links``: ``[{"start", "end", "title"}]`` code-point offsets
into ``text`` (``"target"`` is accepted for ``"title"``). ``fields`` maps these
names to the file's own keys, e.g. ``{"text": "extract"}``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator, Mapping

from ..errors import SourceFormatError
from ._io import ReaderBase, decode_line, iter_lines, normalize_title, read_head, stream_errors
from .base import Page, PlainLink

__all__ = ["JsonlSource", "FIELDS"]

FIELDS = ("title", "text", "aliases", "description", "links", "redirect", "id")


class JsonlSource(ReaderBase):
    """A JSONL file of articles (``markup="plain"``).

    ``has_links`` is True when a record in the first megabyte has a ``links``
    key; it turns True later if one shows up further on. In a source with
    links, a record without them gets ``links=[]``.
    """

    format = "jsonl"

    def __init__(
        self,
        path: str | Path,
        *,
        fields: Mapping[str, str] | None = None,
        max_page_bytes: int = 10_000_000,
    ):
        super().__init__(path, max_page_bytes=max_page_bytes)
        unknown = set(fields or ()) - set(FIELDS)
        if unknown:
            raise SourceFormatError(
                f"unknown field name(s) {', '.join(sorted(unknown))} in the field mapping — "
                f"map one of: {', '.join(FIELDS)} (e.g. text=extract)",
                path=self.path,
            )
        self.fields = {name: (fields or {}).get(name, name) for name in FIELDS}
        self.has_links = self._links_in_head()

    def _links_in_head(self) -> bool:
        key = self.fields["links"]
        head = read_head(self._path, 1 << 20)
        if f'"{key}"'.encode() not in head:
            return False
        for line in head.splitlines()[:-1] or head.splitlines():
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if isinstance(record, dict) and record.get(key) is not None:
                return True
        return False

    def pages(self) -> Iterator[Page]:
        opened = self._open()
        try:
            with stream_errors(self._path, opened, self.size):
                for number, offset, raw in iter_lines(opened.stream, self.max_page_bytes):
                    if raw is None:
                        self.skipped[self.too_big] += 1
                        continue
                    page = self._page(raw, number, offset)
                    if page is not None:
                        yield page
        finally:
            self._close()

    def _error(self, number: int, what: str) -> SourceFormatError:
        return SourceFormatError(what, path=self.path, position=f"line {number}")

    def _page(self, raw: bytes, number: int, offset: int) -> Page | None:
        line = decode_line(raw, self.path, number, offset)
        if not line.strip():
            return None
        try:
            record = json.loads(line)
        except ValueError as exc:
            raise self._error(
                number, f"not JSON ({exc}) — write one JSON object per line"
            ) from None
        if not isinstance(record, dict):
            raise self._error(
                number, f"a JSON {type(record).__name__}, not an object — "
                'write one {"title": ..., "text": ...} object per line',
            )
        f = self.fields
        title = self._string(record, "title", number, required=True)
        text = self._string(record, "text", number, required=True)
        assert title is not None and text is not None
        if not title.strip():
            raise self._error(number, f'empty "{f["title"]}" — every article needs a title')
        if not normalize_title(title):
            self.skipped["invalid or missing title"] += 1
            return None
        aliases = record.get(f["aliases"])
        if aliases is None:
            aliases = []
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            raise self._error(number, f'"{f["aliases"]}" must be a list of strings')
        description = self._string(record, "description", number) or None
        redirect = self._string(record, "redirect", number)
        links = self._links(record, text, number)
        page_id = record.get(f["id"])
        return Page(
            title=normalize_title(title),
            text=text,
            markup="plain",
            redirect=normalize_title(redirect) or None if redirect else None,
            links=links,
            aliases=tuple(a.strip() for a in aliases if a.strip()),
            description=description.strip() if description else None,
            page_id=None if page_id is None else str(page_id),
            position=f"line {number}",
        )

    def _string(
        self, record: dict[str, Any], name: str, number: int, required: bool = False
    ) -> str | None:
        key = self.fields[name]
        value = record.get(key)
        if value is None:
            if required:
                keys = ", ".join(sorted(record)) or "none"
                unused = (k for k, v in record.items() if isinstance(v, str) and k not in self.fields.values())
                hint = next(unused, None)
                fix = f"--field {name}={hint} (fields={{'{name}': '{hint}'}})" if hint else f"--field {name}=KEY"
                raise self._error(
                    number, f'no "{key}" key (keys: {keys}) — name the key holding the {name} with {fix}'
                )
            return None
        if not isinstance(value, str):
            raise self._error(number, f'"{key}" is a {type(value).__name__}, not a string')
        return value

    def _links(self, record: dict[str, Any], text: str, number: int) -> list[PlainLink] | None:
        key = self.fields["links"]
        raw = record.get(key)
        if raw is None:
            return [] if self.has_links else None
        if not isinstance(raw, list):
            raise self._error(number, f'"{key}" must be a list of {{"start", "end", "title"}}')
        self.has_links = True
        links = []
        for i, link in enumerate(raw):
            if not isinstance(link, dict):
                raise self._error(number, f'link {i} is not an object {{"start", "end", "title"}}')
            start, end = link.get("start"), link.get("end")
            target = link.get("title", link.get("target"))
            if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)):
                raise self._error(
                    number,
                    f"link {i} has offsets {start!r}..{end!r} outside the text (length {len(text)}) — "
                    "give 0 <= start < end <= len(text) in code points (Python str indices)",
                )
            if not isinstance(target, str) or not target.strip():
                raise self._error(number, f'link {i} has no "title" (or "target") string')
            target = normalize_title(target)
            if target:  # a target MediaWiki would refuse (e.g. "[x]") links nowhere
                links.append(PlainLink(start, end, target))
        return links
