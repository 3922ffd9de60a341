"""What the server reads from a KB beyond ``KnowledgeBase``'s public methods.

Kept here, in one place, so that a KB method taking over (``kb.inlink_count``)
replaces one function rather than code in every route.
"""

from __future__ import annotations

from ..kb import KnowledgeBase

__all__ = ["inlink_count"]


def inlink_count(kb: KnowledgeBase, title: str) -> int:
    """How many entries link to ``title`` (an entry's canonical title): its in-link row's length."""
    method = getattr(kb, "inlink_count", None)
    if method is not None:
        return int(method(title))
    i = kb.index.titles[title]
    return int(kb.index.in_ptr[i + 1] - kb.index.in_ptr[i])
