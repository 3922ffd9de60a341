"""``index/manifest.json``: what the index compiler wrote, so damage is found at open.

A truncated ``.npy`` or a garbage ``.marisa`` used to surface as a numpy
ValueError or a MARISA_FORMAT_ERROR from deep inside the first lookup. The
manifest records each file's size (checked at every open: one ``stat`` per
file) and its SHA-256 (checked by ``linkpedia check``, which reads it all);
``verify_shapes`` checks that the arrays agree with the tries and each other.
KBs compiled before the manifest existed are checked for shapes only.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path


from ..errors import KBDamagedError

__all__ = ["MANIFEST", "write_manifest", "check_sizes", "check_hashes", "verify_shapes", "damaged"]

MANIFEST = "manifest.json"


def damaged(kb_dir: Path, what: str) -> KBDamagedError:
    if re.match(r"^g\d{4,}$", kb_dir.name) and (kb_dir.parent / "CURRENT").is_file():
        kb_dir = kb_dir.parent  # a generation: name the KB the user knows
    return KBDamagedError(f"{kb_dir}: its index is damaged ({what}) — rebuild the index with "
                          f"`linkpedia check {kb_dir} --repair` (kb.sqlite is the store of record)")


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    buf = bytearray(1 << 16)  # one small buffer, whatever the file's size (the build's memory is bounded)
    view = memoryview(buf)
    with open(path, "rb") as f:
        while n := f.readinto(buf):
            h.update(view[:n])
    return h.hexdigest()


def write_manifest(index_dir: Path) -> None:
    files = {p.name: {"bytes": p.stat().st_size, "sha256": _sha256(p)}
             for p in sorted(index_dir.iterdir()) if p.name != MANIFEST}
    (index_dir / MANIFEST).write_text(json.dumps({"version": 1, "files": files}, indent=1), encoding="utf-8")


def _read(kb_dir: Path, index_dir: Path) -> dict | None:
    path = index_dir / MANIFEST
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))["files"]
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise damaged(kb_dir, f"{MANIFEST} is not readable") from None


def check_sizes(kb_dir: Path, index_dir: Path) -> None:
    files = _read(kb_dir, index_dir)
    for name, want in (files or {}).items():
        path = index_dir / name
        if not path.is_file():
            raise damaged(kb_dir, f"{name} is missing")
        size = path.stat().st_size
        if size != want["bytes"]:
            raise damaged(kb_dir, f"{name} has {size:,} bytes, the manifest says {want['bytes']:,}")


def check_hashes(kb_dir: Path, index_dir: Path) -> list[str]:
    """Files whose content differs from what was compiled (a full read of the index)."""
    files = _read(kb_dir, index_dir)
    if files is None:
        return []
    return [name for name, want in files.items()
            if (index_dir / name).is_file() and _sha256(index_dir / name) != want["sha256"]]


def verify_shapes(kb_dir: Path, ix, *, full: bool = False) -> None:
    """The arrays' lengths against the tries' sizes and the CSR pointers' ends
    (cheap: lengths and one value each); ``full`` also checks every id is in range."""
    E, S, F, T = len(ix.titles), len(ix.surfaces), len(ix.folded), len(ix.terms)
    want = {"popularity": E, "is_dab": E, "sf_link_prob": S, "sf_page_link_prob": S,
            "sf_links": S, "cand_ptr": S + 1, "fold_ptr": F + 1, "in_ptr": E + 1, "prof_ptr": E + 1, "idf": T}
    if ix.qid is not None:  # KBs from before Wikidata have none
        want["qid"] = E
    for name, n in want.items():
        a = getattr(ix, name)
        if a.ndim != 1 or len(a) != n:
            raise damaged(kb_dir, f"{name}.npy has shape {a.shape}, expected ({n},)")
    for ptr, values in (("cand_ptr", ("cand_entry", "cand_count", "cand_anchors")),
                        ("fold_ptr", ("fold_members",)), ("in_ptr", ("in_src",)),
                        ("prof_ptr", ("prof_term", "prof_weight"))):
        p = getattr(ix, ptr)
        end = int(p[-1])
        if int(p[0]) != 0 or end < 0:
            raise damaged(kb_dir, f"{ptr}.npy does not start at 0")
        for name in values:
            if len(getattr(ix, name)) != end:
                raise damaged(kb_dir, f"{name}.npy has {len(getattr(ix, name)):,} values, "
                                      f"{ptr}.npy points to {end:,}")
    if not full:
        return
    for name, bound in (("cand_entry", E), ("in_src", E), ("fold_members", S), ("prof_term", T)):
        a = getattr(ix, name)
        if len(a) and (int(a.min()) < 0 or int(a.max()) >= bound):
            raise damaged(kb_dir, f"{name}.npy holds ids outside [0, {bound})")
