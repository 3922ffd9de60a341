"""Which reader a file needs, from its content (never its extension).

The first 64 KB are decompressed by magic bytes (bz2, gzip, plain) and looked
at: ``<mediawiki`` is an XML export, ``<doc`` WikiExtractor output, a JSON
object per line WikiExtractor ``--json`` (it has ``"url"``) or JSONL articles.
"""

from __future__ import annotations

import codecs
import json
import re
from pathlib import Path
from typing import Mapping

from ..errors import EmptySourceError, SourceFormatError
from ._io import ACCEPTED, read_head, require_file
from .base import Source
from .jsonl import JsonlSource
from .mediawiki import MediaWikiSource
from .wikiextractor import WikiExtractorSource

__all__ = ["FORMATS", "detect_format", "open_source"]

FORMATS = ("mediawiki", "wikiextractor", "wikiextractor-json", "jsonl")

_HEAD = 1 << 16
_FIRST_TAG = re.compile(r"<([A-Za-z_][\w.:-]*)")
_PROLOG = re.compile(r"\s*(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>)", re.S)
_KEY = re.compile(r'"(\w+)"\s*:')
_BINARY = {
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"%PDF": "a PDF document",
    b"PK\x03\x04": "a ZIP archive",
    b"\xfd7zXZ\x00": "xz-compressed data (decompress it, or recompress with bzip2)",
    b"(\xb5/\xfd": "zstd-compressed data (decompress it, or recompress with bzip2)",
    b"7z\xbc\xaf": "a 7-Zip archive",
    b"SQLite format 3\x00": "an SQLite database (a linkpedia KB is opened, not built from)",
}


def _decode(head: bytes) -> str:
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if head.startswith(bom):
            return head.decode(encoding, errors="replace")
    return head.decode("utf-8", errors="replace")


def _found(head: bytes, text: str) -> str:
    for magic, what in _BINARY.items():
        if head.startswith(magic):
            return what
    if "\ufffd" in text[:200] or "\x00" in text[:200]:
        return f"binary data (first bytes {head[:8].hex(' ')})"
    first = text.strip().splitlines()[0] if text.strip() else ""
    snippet = first[:60] + ("..." if len(first) > 60 else "")
    if first.count(",") >= 1 or first.count("\t") >= 1:
        return f"CSV/TSV-like text starting with {snippet!r}"
    return f"text starting with {snippet!r}"


def detect_format(path: str | Path) -> str:
    """``"mediawiki"``, ``"wikiextractor"``, ``"wikiextractor-json"`` or ``"jsonl"``."""
    path = require_file(path)
    head = read_head(path, _HEAD)
    if not head.strip():
        raise EmptySourceError(f"{path}: the file is empty — give a dump, an export or a JSONL file")
    text = _decode(head).lstrip("\ufeff")
    body = text.lstrip()
    if body.startswith("<"):
        prolog = _PROLOG.match(body)
        while prolog and prolog.end() > 0:
            body = body[prolog.end():]
            prolog = _PROLOG.match(body)
        tag = _FIRST_TAG.match(body.lstrip())
        name = tag.group(1).rsplit(":", 1)[-1] if tag else ""
        if name == "mediawiki":
            return "mediawiki"
        if name == "doc":
            return "wikiextractor"
        found = f"XML/HTML whose first element is <{name}>" if name else _found(head, text)
    elif body.startswith("{"):
        first = body.split("\n", 1)[0]
        keys: set[str]
        try:
            record = json.loads(first)
            keys = set(record) if isinstance(record, dict) else set()
        except ValueError as exc:
            if "\n" in body or len(head) < _HEAD:  # a complete first line that isn't JSON
                raise SourceFormatError(
                    f"starts with '{{' but is not JSON ({exc}) — "
                    'write one JSON object per line, e.g. {"title": ..., "text": ...}',
                    path=str(path), position="line 1",
                ) from None
            keys = set(_KEY.findall(first[:4096]))  # a first line longer than the sniffed head
        if {"url", "title", "text"} <= keys or {"id", "url", "title"} <= keys:
            return "wikiextractor-json"
        return "jsonl"
    elif body.startswith("["):
        found = "a JSON array — write one JSON object per line (JSONL) instead"
    else:
        found = _found(head, text)
    raise SourceFormatError(
        f"not a source format linkpedia reads (found {found}) — {ACCEPTED}", path=str(path)
    )


def open_source(
    path: str | Path,
    *,
    format: str | None = None,
    fields: Mapping[str, str] | None = None,
    max_page_bytes: int = 10_000_000,
) -> Source:
    """Open one source file (detecting its format unless ``format`` is given).

    Fails fast on a missing file or an unknown format; a file broken further
    on raises while ``pages()`` is iterated. ``fields`` renames JSONL keys
    (``{"text": "extract"}``); it is an error for other formats.
    """
    path = require_file(path)
    if format is None:
        format = detect_format(path)
    elif format not in FORMATS:
        raise SourceFormatError(
            f"unknown format {format!r} — use one of: {', '.join(FORMATS)}", path=str(path)
        )
    if fields and format != "jsonl":
        raise SourceFormatError(
            f"field names only apply to JSONL articles, and this is {format} — drop the field mapping",
            path=str(path),
        )
    if format == "mediawiki":
        return MediaWikiSource(path, max_page_bytes=max_page_bytes)
    if format in ("wikiextractor", "wikiextractor-json"):
        return WikiExtractorSource(
            path, json=format == "wikiextractor-json", max_page_bytes=max_page_bytes
        )
    return JsonlSource(path, fields=fields, max_page_bytes=max_page_bytes)
