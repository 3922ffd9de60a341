"""Opening source files: transparent decompression, byte counting, errors.

Every reader opens its file through ``open_stream`` so that compression is
recognised by magic bytes (a ``.xml`` that is really bzip2 still works) and so
that ``bytes_read()`` can report *compressed* bytes consumed: the only figure
that can be compared with the size on disk for a progress bar and an ETA.
"""

from __future__ import annotations

import bz2
import gzip
import io
import re
import zlib
from collections import Counter
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Iterator, Sequence

from ..errors import SourceFormatError, SourceNotFoundError
from ..wikitext import normalize_title
from ..wikitext.site import DEFAULT_SITE, SiteInfo

__all__ = [
    "decode_line",
    "ACCEPTED",
    "CountingReader",
    "Opened",
    "ReaderBase",
    "compression_of",
    "date_in_name",
    "expand_paths",
    "iter_lines",
    "normalize_title",
    "open_stream",
    "read_head",
    "require_file",
    "stream_errors",
]

ACCEPTED = (
    "accepted: MediaWiki XML export (plain, .bz2 or .gz), WikiExtractor output "
    "(<doc> files or --json lines), JSONL articles ({\"title\", \"text\"} per line)"
)

_MAGIC = {
    b"BZh": "bz2",
    b"\x1f\x8b": "gzip",
    b"\xfd7zXZ\x00": "xz",
    b"(\xb5/\xfd": "zstd",
    b"PK\x03\x04": "zip",
    b"7z\xbc\xaf\x27\x1c": "7z",
}


def require_file(path: str | Path) -> Path:
    """``path`` as a ``Path``; fail fast when it is missing or a directory."""
    path = Path(path)
    if not path.exists():
        raise SourceNotFoundError(f"{path}: no such file or directory")
    if path.is_dir():
        raise SourceFormatError(
            "is a directory — pass its files (expand_paths() lists them, as the CLI does)",
            path=str(path),
        )
    return path


def expand_paths(paths: Sequence[str | Path]) -> list[Path]:
    """Files to read: directories expand to their files, recursively and sorted.

    WikiExtractor writes ``AA/wiki_00``, ``AA/wiki_01``, ... ``AB/wiki_00``: sorted
    paths read them in the order it wrote them. Hidden files are left out.
    """
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise SourceNotFoundError(f"{path}: no such file or directory")
        if path.is_dir():
            files.extend(
                sorted(
                    p
                    for p in path.rglob("*")
                    if p.is_file()
                    and not any(part.startswith(".") for part in p.relative_to(path).parts)
                )
            )
        else:
            files.append(path)
    return files


def compression_of(magic: bytes) -> str | None:
    """``"bz2"``, ``"gzip"``, ``"xz"``, ... from the first bytes; None for uncompressed."""
    for prefix, name in _MAGIC.items():
        if magic.startswith(prefix):
            return name
    return None


class CountingReader(io.RawIOBase):
    """A raw file that counts the bytes read from disk (before decompression)."""

    def __init__(self, raw: BinaryIO):
        self._raw = raw
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        n = self._raw.readinto(buffer)  # type: ignore[attr-defined]
        self.count += n or 0
        return n

    def close(self) -> None:
        self._raw.close()
        super().close()


class Opened:
    """A decompressed binary stream over a file, and the counter of disk bytes."""

    def __init__(self, path: Path):
        raw = open(path, "rb")
        magic = raw.read(8)
        raw.seek(0)
        self.compression = compression_of(magic)
        self.counter = CountingReader(raw)
        buffered = io.BufferedReader(self.counter, 1 << 16)
        self.stream: BinaryIO
        if self.compression == "bz2":
            self.stream = bz2.BZ2File(buffered)  # type: ignore[assignment]
        elif self.compression == "gzip":
            self.stream = gzip.GzipFile(fileobj=buffered)  # type: ignore[assignment]
        elif self.compression is None:
            self.stream = buffered  # type: ignore[assignment]
        else:
            raw.close()
            raise SourceFormatError(
                f"{self.compression}-compressed data — decompress it first, "
                "or recompress it with bzip2 or gzip",
                path=str(path),
            )
        self._buffered = buffered

    def close(self) -> None:
        self.stream.close()
        self._buffered.close()

    def __enter__(self) -> "Opened":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_stream(path: Path) -> Opened:
    return Opened(path)


@contextmanager
def stream_errors(path: Path, opened: Opened | None, size: int | None) -> Iterator[None]:
    """Turn decompressor errors into a one-line ``SourceFormatError``."""
    try:
        yield
    except EOFError as exc:
        where = _disk_position(opened, size)
        raise SourceFormatError(
            f"the {_kind(opened)} file ends early ({exc}) — it is truncated: "
            "download or copy it again",
            path=str(path),
            position=where,
        ) from None
    except (OSError, zlib.error) as exc:
        if isinstance(exc, (FileNotFoundError, PermissionError)):
            raise
        where = _disk_position(opened, size)
        raise SourceFormatError(
            f"the {_kind(opened)} data is corrupt ({exc}) — download or copy the file again",
            path=str(path),
            position=where,
        ) from None


def _kind(opened: Opened | None) -> str:
    return opened.compression if opened is not None and opened.compression else "compressed"


def _disk_position(opened: Opened | None, size: int | None) -> str:
    if opened is None:
        return ""
    if size:
        return f"byte {opened.counter.count:,} of {size:,} on disk"
    return f"byte {opened.counter.count:,} on disk"


def read_head(path: Path, n: int) -> bytes:
    """Up to ``n`` decompressed bytes from the start (less if the file is shorter)."""
    with open_stream(path) as opened, stream_errors(path, opened, None):
        chunks: list[bytes] = []
        got = 0
        try:
            while got < n:
                chunk = opened.stream.read(n - got)
                if not chunk:
                    break
                chunks.append(chunk)
                got += len(chunk)
        except EOFError:
            if not chunks:  # truncated before anything useful: report it now
                raise
        return b"".join(chunks)


def iter_lines(stream: BinaryIO, limit: int) -> Iterator[tuple[int, int, bytes | None]]:
    """``(line number, byte offset, line)``; ``line`` is None when longer than ``limit``.

    An over-long line is skipped in 1 MB pieces, so memory stays bounded by
    ``limit`` however long the line is.
    """
    number = 0
    offset = 0
    while True:
        line = stream.readline(limit + 1)
        if not line:
            return
        number += 1
        start = offset
        offset += len(line)
        if len(line) > limit and not line.endswith(b"\n"):
            while True:
                more = stream.readline(1 << 20)
                offset += len(more)
                if not more or more.endswith(b"\n"):
                    break
            yield number, start, None
        else:
            yield number, start, line


_DATE_IN_NAME = re.compile(r"(?<!\d)((?:19|20)\d\d)(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?!\d)")


def decode_line(raw: bytes, path: Path, number: int, offset: int) -> str:
    """A line of a text source as UTF-8, or a one-line error with its line and byte."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SourceFormatError(
            f"invalid UTF-8 (byte 0x{raw[exc.start]:02X}) — convert the file to UTF-8 "
            "(e.g. iconv -f latin1 -t utf-8)",
            path=str(path), position=f"line {number}, byte {offset + exc.start}",
        ) from None


def date_in_name(path: Path) -> str | None:
    """``"2024-01-01"`` for ``enwiki-20240101-pages-articles.xml.bz2``, else None."""
    match = _DATE_IN_NAME.search(path.name)
    return "-".join(match.groups()) if match else None


class ReaderBase:
    """What every reader shares: the file, its size, progress and skip counters."""

    format: str = ""
    has_links: bool = False

    def __init__(self, path: str | Path, *, max_page_bytes: int = 10_000_000):
        resolved = require_file(path)
        self._path = resolved
        self.path = str(resolved)
        self.size: int | None = resolved.stat().st_size
        self.max_page_bytes = max_page_bytes
        self.site: SiteInfo = DEFAULT_SITE
        self.dump_date: str | None = date_in_name(resolved)
        self.skipped: Counter[str] = Counter()
        self._opened: Opened | None = None
        self._done_bytes = 0

    @property
    def too_big(self) -> str:
        return f"page larger than {self.max_page_bytes} bytes"

    def bytes_read(self) -> int:
        """Bytes of the file consumed so far (compressed bytes for .bz2/.gz)."""
        if self._opened is not None:
            return self._opened.counter.count
        return self._done_bytes

    def _open(self) -> Opened:
        self.skipped.clear()
        self._opened = open_stream(self._path)
        return self._opened

    def _close(self) -> None:
        if self._opened is not None:
            self._done_bytes = self._opened.counter.count
            self._opened.close()
            self._opened = None

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.format} {self.path!r}>"
