"""One writer per KB: a lock file beside the target, held for a whole build or update.

``fcntl.lockf`` (a POSIX record lock), not ``flock``: a record lock belongs to
the process, so the extraction workers a build forks do not inherit it, and
the kernel drops it the moment the holder dies, even by SIGKILL — a stale
lock cannot outlive its process. The file holds the holder's pid, so the one
refused can say who it is. The holder removes the file before it lets go; a
process that locked a file just removed this way sees that the path no longer
names its file and tries again, so two writers never both hold a lock.
"""

from __future__ import annotations

import fcntl
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from ..errors import InputError, KBBusyError

__all__ = ["lock_path", "write_lock"]


def lock_path(target: Path) -> Path:
    return target.parent / f".{target.name}.lock"


def _open(path: Path) -> int:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise InputError(f"{path}: cannot create the KB's lock file ({exc.strerror}) — "
                         "check that its directory is writable") from None


def _same_file(fd: int, path: Path) -> bool:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return False
    mine = os.fstat(fd)
    return (st.st_dev, st.st_ino) == (mine.st_dev, mine.st_ino)


@contextmanager
def write_lock(target: Path) -> Iterator[Path]:
    """Hold ``target``'s write lock; ``KBBusyError`` naming the holder's pid when taken."""
    path = lock_path(Path(target))
    while True:
        fd = _open(path)
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
            os.close(fd)
            raise KBBusyError(f"{target}: another linkpedia (pid {holder}) is building or updating it — "
                              "wait for it to finish, or stop it") from None
        if _same_file(fd, path):
            break
        os.close(fd)  # its holder removed it as we opened it
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        yield path
    finally:
        try:
            os.unlink(path)
        finally:
            os.close(fd)
