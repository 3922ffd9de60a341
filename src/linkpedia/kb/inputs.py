"""Checks on what the Python API is given, so a caller's mistake is an ``InputError``.

Without them ``kb.link(None)`` failed with an AttributeError deep in spotting,
``kb.link(123)`` with a TypeError and a lone surrogate with a
UnicodeEncodeError from SQLite. Where a value has one sensible meaning it is
used: UTF-8 bytes are decoded, and a lone surrogate (which no file or page
can hold) becomes U+FFFD, one code point for one, so offsets do not move.
"""

from __future__ import annotations

import re
from numbers import Real
from typing import Any, Sequence

from ..errors import InputError

__all__ = ["as_text", "as_texts", "as_threshold", "as_policy", "as_title", "as_titles", "as_mentions", "as_count"]

_SURROGATE = re.compile("[\ud800-\udfff]")


def as_text(value: Any, what: str = "text") -> str:
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value) if _has_surrogate(value) else value
    if isinstance(value, (bytes, bytearray, memoryview)):
        try:
            return bytes(value).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(f"{what} (byte {exc.start}): not valid UTF-8 — pass a str, or UTF-8 bytes") from None
    raise InputError(f"{what} is {_kind(value)} — pass a str")


def _has_surrogate(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def as_texts(values: Any) -> list[str]:
    if isinstance(values, (str, bytes, bytearray)) or not isinstance(values, Sequence):
        raise InputError(f"texts is {_kind(values)} — pass a list of str (for one text, use link)")
    return [as_text(v, f"texts[{i}]") for i, v in enumerate(values)]


def as_title(value: Any, what: str = "title") -> str | None:
    return None if value is None else as_text(value, what)


def as_titles(values: Any) -> list[str | None]:
    if isinstance(values, (str, bytes, bytearray)) or not isinstance(values, Sequence):
        raise InputError(f"titles is {_kind(values)} — pass a list of str or None, one per text")
    return [as_title(v, f"titles[{i}]") for i, v in enumerate(values)]


def as_threshold(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, Real):
        raise InputError(f"threshold is {_kind(value)} — pass a number in [0, 1], or None for the KB's default")
    return float(value)  # its range is the linker's to check (Linker.link_many), as for every caller


def as_policy(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise InputError(f"policy is {_kind(value)} — pass 'all' or 'first'")


def as_count(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InputError(f"{what} is {value!r} — pass a whole number of at least 1")
    return value


def as_mentions(value: Any) -> list[tuple[int, int]] | None:
    if value is None:
        return None
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise InputError(f"mentions is {_kind(value)} — pass a list of (start, end) pairs")
    out = []
    for i, m in enumerate(value):
        if (not isinstance(m, Sequence) or isinstance(m, (str, bytes)) or len(m) != 2
                or not all(isinstance(x, int) and not isinstance(x, bool) for x in m)):
            raise InputError(f"mentions[{i}] is {m!r} — pass (start, end) code-point offsets")
        out.append((m[0], m[1]))
    return out


def _kind(value: Any) -> str:
    if value is None:
        return "None"
    return f"{value!r:.40} (a {type(value).__name__})"
