"""Opening the KB's SQLite file, for writing (builds) or reading (linking)."""

from __future__ import annotations

import json
import sqlite3
import zlib
from pathlib import Path
from typing import Any, Iterator, Sequence

from ..errors import KBNotFoundError, KBVersionError
from .schema import DDL, READABLE_VERSIONS, SCHEMA_VERSION

__all__ = ["DB_NAME", "CURRENT", "live_dir", "create_db", "connect_ro", "read_meta", "write_meta", "check_kb_dir",
           "pack_text", "unpack_text", "pack_links", "unpack_links", "select_in"]

DB_NAME = "kb.sqlite"
CURRENT = "CURRENT"  # names the live generation directory, once a KB has been updated


def live_dir(path: Path) -> Path:
    """The directory holding the KB's live files.

    A fresh build keeps them in ``path`` itself; each update writes a new
    generation ``path/gNNNN/`` and then switches ``path/CURRENT`` to it with
    one atomic rename, so readers always see one whole KB, old or new.
    """
    pointer = path / CURRENT
    if pointer.is_file():
        name = pointer.read_text(encoding="utf-8").strip()
        if name and "/" not in name and name not in (".", ".."):
            return path / name
    return path


def create_db(path: Path) -> sqlite3.Connection:
    """A new, empty store tuned for bulk loading (the file is renamed into place later)."""
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA journal_mode=OFF")
    con.execute("PRAGMA synchronous=OFF")
    con.execute("PRAGMA cache_size=-200000")
    con.execute("PRAGMA temp_store=MEMORY")
    con.executescript(DDL)
    write_meta(con, {"schema_version": SCHEMA_VERSION})
    return con


def connect_ro(path: Path) -> sqlite3.Connection:
    """A read-only connection; usable from any thread but not concurrently."""
    uri = f"file:{path.resolve()}?mode=ro"
    con = sqlite3.connect(uri, uri=True, check_same_thread=False)
    con.execute("PRAGMA query_only=1")
    return con


def select_in(con: sqlite3.Connection, query: str, keys: Sequence[Any], chunk: int = 500) -> Iterator[tuple]:
    """The rows of ``query``, whose "IN ({})" takes ``keys``, a chunk at a time:
    SQLite bounds the parameters of one statement."""
    for i in range(0, len(keys), chunk):
        part = keys[i:i + chunk]
        yield from con.execute(query.format(",".join("?" * len(part))), part)


def read_meta(con: sqlite3.Connection) -> dict[str, Any]:
    return {k: json.loads(v) for k, v in con.execute("SELECT key, value FROM meta")}


def write_meta(con: sqlite3.Connection, values: dict[str, Any]) -> None:
    con.executemany(
        "INSERT INTO meta(key, value) VALUES (?, ?) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        [(k, json.dumps(v, ensure_ascii=False)) for k, v in values.items()],
    )


def check_kb_dir(path: Path) -> Path:
    """The KB's database file, or a clear error when ``path`` holds no KB."""
    db = live_dir(path) / DB_NAME
    if not db.is_file():
        if not path.exists():
            raise KBNotFoundError(f"{path}: no such KB directory — build one with `linkpedia build SOURCE --out {path}`")
        raise KBNotFoundError(f"{path}: not a linkpedia KB (no {DB_NAME}) — build one with `linkpedia build`")
    con = connect_ro(db)
    try:
        row = con.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
    except sqlite3.DatabaseError as exc:
        raise KBNotFoundError(f"{db}: not a linkpedia KB database ({exc})") from None
    finally:
        con.close()
    version = json.loads(row[0]) if row else None
    if version not in READABLE_VERSIONS:
        raise KBVersionError(
            f"{path}: KB schema version {version}, this linkpedia reads {SCHEMA_VERSION} — rebuild the KB"
        )
    return db


def pack_text(text: str) -> bytes:
    return zlib.compress(text.encode("utf-8"), 3)


def unpack_text(blob: bytes) -> str:
    return zlib.decompress(blob).decode("utf-8")


def pack_links(links: list[tuple[int, int, str]]) -> bytes | None:
    """A page's links for ``pages.links``: (start, end, target) into its plain text."""
    if not links:
        return None
    return zlib.compress(json.dumps(links, ensure_ascii=False).encode("utf-8"), 3)


def unpack_links(blob: bytes | None) -> list[tuple[int, int, str]]:
    if not blob:
        return []
    return [(int(s), int(e), str(t)) for s, e, t in json.loads(zlib.decompress(blob))]
