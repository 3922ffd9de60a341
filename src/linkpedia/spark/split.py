"""Cutting a MediaWiki XML dump into byte ranges that tasks parse on their own.

A range owns the pages whose ``<page>`` tag starts inside it: its task skips
the tail of the page before, and reads past its end to finish its last page
(the rule Hadoop uses for lines). Wrapped in the dump's own header (root tag
and ``<siteinfo>``) and a closing ``</mediawiki>``, each range is a complete
export that ``MediaWikiSource`` reads as usual, so every page is parsed
exactly as a local build parses it.

Ranges are byte offsets in the file for plain XML, and bz2 stream starts for
multistream bz2 (Wikimedia's ``-multistream`` dumps, pbzip2/lbzip2 output);
pages may straddle streams. A single-stream bz2 or a gzip file cannot be cut
without decompressing it first, nor can a file that is not UTF-8 or does not
end with ``</mediawiki>``: ``plan_splits`` returns None and the caller reads
it on the driver instead (which also reports a broken file exactly as the
local build does).

A literal ``<page>`` can only be a tag: in text and attributes XML escapes
``<`` as ``&lt;``.
"""

from __future__ import annotations

import bz2
import mmap
import re
from bisect import bisect_left
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

__all__ = ["Split", "SplitPlan", "plan_splits", "read_fragment", "stream_starts"]

PAGE = b"<page>"
END = b"</mediawiki>"
HEAD_LIMIT = 64 << 20  # a header (root tag + siteinfo) longer than this is not a dump
READ = 1 << 20
_STREAM = re.compile(rb"BZh[1-9]\x31\x41\x59\x26\x53\x59")  # stream header + first block's magic
_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)""")


@dataclass(frozen=True)
class Split:
    start: int  # file offset (a stream start for bz2)
    end: int


@dataclass(frozen=True)
class SplitPlan:
    path: str
    compression: str | None  # None (plain XML) or "bz2" (several streams)
    header: bytes  # everything before the first <page>: XML declaration, root tag, siteinfo
    splits: tuple[Split, ...]


def plan_splits(path: str | Path, *, min_splits: int = 1, split_bytes: int = 32 << 20) -> SplitPlan | None:
    """Ranges of about ``split_bytes`` of XML (at least ``min_splits`` of them), or None if unsplittable.

    A bz2 range is a quarter of ``split_bytes`` on disk: about that much XML once decompressed.
    """
    path = Path(path)
    size = path.stat().st_size
    if size == 0:
        return None
    with open(path, "rb") as f:
        magic = f.read(4)
    if magic.startswith(b"BZh"):
        starts = stream_starts(path)
        if len(starts) < 2:
            return None
        compression = "bz2"
    elif magic[:2] == b"\x1f\x8b" or magic.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None  # gzip, or UTF-16 (the bytes of "<page>" differ)
    else:
        starts = []
        compression = None
    header = _header(path, compression)
    if header is None or not _utf8(header) or not _ends_cleanly(path, compression, starts):
        return None
    n = max(min_splits, -(-size // (split_bytes if compression is None else max(1, split_bytes // 4))))
    if compression is None:
        bounds = sorted({size * k // n for k in range(n)})
    else:
        bounds = sorted({starts[min(bisect_left(starts, size * k // n), len(starts) - 1)] for k in range(n)})
    ends = bounds[1:] + [size]
    return SplitPlan(str(path.resolve()), compression, header,
                     tuple(Split(a, b) for a, b in zip(bounds, ends) if a < b))


def stream_starts(path: str | Path) -> list[int]:
    """Offsets of the bz2 streams in a (multistream) bz2 file.

    Found by their 10-byte signature; a chance match inside compressed data is
    about one in 2**77 per byte, so none is expected in any real dump.
    """
    with open(path, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        return [m.start() for m in _STREAM.finditer(mm)]


def read_fragment(plan: SplitPlan, index: int) -> bytes | None:
    """The pages that start in split ``index``, as a complete export; None when none starts there."""
    split = plan.splits[index]
    chunks = _bz2_chunks(plan.path, split) if plan.compression == "bz2" else _plain_chunks(plan.path, split)
    data = bytearray()
    own = 0  # bytes of data that belong to this split
    after: list[bytes] = []
    for owned, chunk in chunks:
        if owned:
            data += chunk
            own = len(data)
        else:
            after.append(chunk)
            break
    rest = iter(after)

    def more() -> bool:
        chunk = next(rest, None)
        if chunk is None:
            chunk = next((c for _, c in chunks), None)
        if chunk is None:
            return False
        data.extend(chunk)
        return True

    # The first page starting in our bytes (its tag may end in the next split's).
    while len(data) < own + len(PAGE) - 1 and more():
        pass
    first = data.find(PAGE, 0, own + len(PAGE) - 1)
    if first < 0:
        return None
    # Up to the first page starting after our bytes, or the end of the pages.
    searched_page, searched_end = own, first
    while True:
        nxt = data.find(PAGE, searched_page)
        stop = data.find(END, searched_end)
        if nxt >= 0 or stop >= 0:
            cut = min(x for x in (nxt, stop) if x >= 0)
            break
        searched_page = max(own, len(data) - len(PAGE) + 1)
        searched_end = max(first, len(data) - len(END) + 1)
        if not more():
            cut = len(data)
            break
    return b"".join((plan.header, bytes(data[first:cut]), END, b"\n"))


# -- reading -------------------------------------------------------------------


def _plain_chunks(path: str, split: Split) -> Iterator[tuple[bool, bytes]]:
    with open(path, "rb") as f:
        f.seek(split.start)
        pos = split.start
        while True:
            want = min(READ, split.end - pos) if pos < split.end else READ
            chunk = f.read(want)
            if not chunk:
                return
            yield pos < split.end, chunk
            pos += len(chunk)


def _bz2_chunks(path: str, split: Split) -> Iterator[tuple[bool, bytes]]:
    """Decompressed bytes from ``split.start`` on, flagged by whether their stream starts in the split."""
    with open(path, "rb") as f:
        f.seek(split.start)
        pos = split.start  # file offset just past the bytes read so far
        stream = split.start
        dec = bz2.BZ2Decompressor()
        pending = b""
        while True:
            if pending:
                data, pending = pending, b""
            else:
                data = f.read(READ)
                if not data:
                    return
                pos += len(data)
            out = dec.decompress(data)
            if out:
                yield stream < split.end, out
            if dec.eof:
                pending = dec.unused_data
                stream = pos - len(pending)
                if pending and not pending.startswith(b"BZh"):
                    return  # padding after the last stream
                dec = bz2.BZ2Decompressor()


def _decompressed(path: Path, compression: str | None) -> Iterator[bytes]:
    if compression is None:
        with open(path, "rb") as f:
            while chunk := f.read(READ):
                yield chunk
    else:
        with bz2.open(path, "rb") as f:  # reads across streams
            while chunk := f.read(READ):
                yield chunk


def _header(path: Path, compression: str | None) -> bytes | None:
    head = bytearray()
    for chunk in _decompressed(path, compression):
        head += chunk
        at = head.find(PAGE)
        if at >= 0:
            return bytes(head[:at])
        if len(head) > HEAD_LIMIT:
            return None
    return None


def _utf8(header: bytes) -> bool:
    m = _ENCODING.match(header.lstrip(b"\xef\xbb\xbf"))
    return m is None or m.group(1).lower() in (b"utf-8", b"utf8")


def _ends_cleanly(path: Path, compression: str | None, starts: list[int]) -> bool:
    """Whether the pages end with ``</mediawiki>`` (else the file is cut: let the local reader say so)."""
    if compression is None:
        with open(path, "rb") as f:
            f.seek(max(0, path.stat().st_size - 4096))
            tail = f.read()
    else:
        split = Split(starts[-1], path.stat().st_size)
        try:
            tail = b"".join(chunk for _, chunk in _bz2_chunks(str(path), split))[-4096:]
        except (OSError, EOFError, ValueError):
            return False
    return tail.rstrip().endswith(END)
