"""Source readers: stream ``Page`` objects out of dumps, exports and JSONL.

``open_source(path)`` sniffs the format from the content (after transparent
bz2/gzip decompression) and returns a ``Source`` whose ``pages()`` yields one
page at a time, so memory stays constant in the size of the dump.
"""

from __future__ import annotations

from ._io import expand_paths
from .base import Page, PlainLink, Source
from .detect import FORMATS, detect_format, open_source
from .jsonl import JsonlSource
from .mediawiki import MediaWikiSource
from .wikiextractor import WikiExtractorSource

__all__ = [
    "FORMATS",
    "JsonlSource",
    "MediaWikiSource",
    "Page",
    "PlainLink",
    "Source",
    "WikiExtractorSource",
    "detect_format",
    "expand_paths",
    "open_source",
]
