"""Span sets for the linker's last stages, in O(log n) a query.

A long text keeps thousands of links; testing each new span against every
span kept so far made those stages quadratic in the text's length.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from itertools import accumulate
from typing import Iterable

__all__ = ["SpanUnion", "Covering"]


class SpanUnion:
    """The union of the spans added so far, kept as sorted disjoint runs, so
    "does (b, e) overlap any span taken?" looks at one neighbour."""

    def __init__(self, spans: Iterable[tuple[int, int]] = ()):
        self._starts: list[int] = []
        self._ends: list[int] = []
        for b, e in spans:
            self.add(b, e)

    def overlaps(self, b: int, e: int) -> bool:
        i = bisect_left(self._starts, e)  # runs starting before e
        return i > 0 and self._ends[i - 1] > b

    def add(self, b: int, e: int) -> None:
        lo = bisect_left(self._ends, b)  # the first run that ends at or after b
        hi = bisect_right(self._starts, e)  # runs starting at or before e
        if lo < hi:  # touching or overlapping runs merge
            b = min(b, self._starts[lo])
            e = max(e, self._ends[hi - 1])
        self._starts[lo:hi] = [b]
        self._ends[lo:hi] = [e]


class Covering:
    """Whether some span of a fixed set covers (b, e): ``start <= b and e <= end``."""

    def __init__(self, spans: Iterable[tuple[int, int]]):
        ordered = sorted(spans)
        self._starts = [b for b, _ in ordered]
        self._reach = list(accumulate((e for _, e in ordered), max))  # the furthest end so far

    def __call__(self, b: int, e: int) -> bool:
        i = bisect_right(self._starts, b)
        return i > 0 and self._reach[i - 1] >= e

    def __bool__(self) -> bool:
        return bool(self._starts)
