"""Per-index memo tables for lookups that repeat across documents.

Words, surfaces and their candidates recur from one text to the next; the
answers depend only on the (read-only) index, so they are kept beside it and
shared by every thread. A race costs a recomputation, never a wrong value.
"""

from __future__ import annotations

from ..kb.index import MEMO_SIZE, Index

__all__ = ["memo_table"]


def memo_table(index: Index, name: str) -> dict:
    """The index's memo table ``name``, emptied when it has grown large (checked once per text)."""
    table = index.memo.get(name)
    if table is None or len(table) > MEMO_SIZE:
        table = index.memo[name] = {}
    return table
