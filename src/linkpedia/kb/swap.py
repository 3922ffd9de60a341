"""Replace one directory by another in a single step, where the kernel allows it.

Two renames (old out of the way, new in) leave a moment with no KB at all; a
build killed in it would leave none. Linux's ``renameat2(RENAME_EXCHANGE)``
swaps the two names atomically, so readers and a kill see the old KB or the
new one, never neither. Where it is missing (other systems, some file
systems) the two renames remain, and the next build or update puts a
stranded old KB back (``leftovers.clean``).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
from pathlib import Path

__all__ = ["exchange"]

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _renameat2():
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return None
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    fn.restype = ctypes.c_int
    return fn


_FN = _renameat2()


def exchange(a: Path, b: Path) -> bool:
    """Swap the names ``a`` and ``b`` atomically; False when this system cannot."""
    if _FN is None:
        return False
    if _FN(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (22, 38, 95):  # EINVAL, ENOSYS, EOPNOTSUPP: not here
        return False
    raise OSError(err, os.strerror(err), str(a), None, str(b))
