"""What killed builds and updates leave behind, and putting it right.

A build works in ``.NAME.tmp-PID/`` beside the target and an update in
``NAME/.update-PID/``; a kill (SIGKILL, a power cut) leaves them, a few MB to
many GB each. The next build or update of the same target, holding its write
lock (``lock``), removes those of dead processes, and puts back a KB stranded
as ``.NAME.old-PID/`` by a build killed between its two renames. ``info``
lists what it finds.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from .store import CURRENT, DB_NAME, live_dir

__all__ = ["Leftover", "find", "clean", "alive"]

_GEN = re.compile(r"^g(\d{4,})$")


@dataclass(frozen=True)
class Leftover:
    path: Path
    pid: int | None  # the process that made it; None: no owner (a generation never switched to)
    alive: bool
    bytes: int

    def to_dict(self) -> dict:
        return {"path": str(self.path), "pid": self.pid, "alive": self.alive, "bytes": self.bytes}


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    total = 0
    for root, _dirs, files in os.walk(path):
        for f in files:
            try:
                total += os.lstat(os.path.join(root, f)).st_size
            except OSError:
                pass
    return total


def _owned(path: Path) -> Leftover:
    pid = int(path.name.rsplit("-", 1)[-1])
    return Leftover(path, pid, pid != os.getpid() and alive(pid), _size(path))


def find(target: Path) -> list[Leftover]:
    """Work directories of builds and updates of ``target`` that did not finish."""
    target = Path(target)
    found: list[Leftover] = []
    pattern = re.compile(rf"^\.{re.escape(target.name)}\.(tmp|old)-(\d+)$")
    if target.parent.is_dir():
        found += [_owned(p) for p in sorted(target.parent.iterdir()) if pattern.match(p.name)]
    if target.is_dir():
        found += [_owned(p) for p in sorted(target.iterdir())
                  if re.match(r"^\.update-\d+$", p.name)]
        live = live_dir(target)
        if live != target and (m := _GEN.match(live.name)):
            # Renamed into place, never switched to: its update died before CURRENT moved.
            found += [Leftover(p, None, False, _size(p)) for p in sorted(target.iterdir())
                      if (g := _GEN.match(p.name)) and int(g.group(1)) > int(m.group(1))]
        stray = target / (CURRENT + ".tmp")
        if stray.is_file():
            found.append(Leftover(stray, None, False, _size(stray)))
    return found


def clean(target: Path) -> list[Leftover]:
    """Remove the leftovers of dead processes (call it holding ``target``'s write lock)."""
    target = Path(target)
    removed = []
    for left in find(target):
        if left.alive:
            continue
        if left.path.name.startswith(f".{target.name}.old-") and not target.exists() \
                and (live_dir(left.path) / DB_NAME).is_file():
            os.rename(left.path, target)  # the KB a killed build had moved aside
            continue
        if left.path.is_dir():
            shutil.rmtree(left.path, ignore_errors=True)
        else:
            left.path.unlink(missing_ok=True)
        removed.append(left)
    return removed
