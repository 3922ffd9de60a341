"""A Spark accumulator of ``Counter``s (imports pyspark: import it lazily)."""

from __future__ import annotations

from collections import Counter

from pyspark.accumulators import AccumulatorParam

__all__ = ["CounterParam"]


class CounterParam(AccumulatorParam):
    """Tasks add their own ``Counter``; the driver reads the sum.

    Like every accumulator updated inside a transformation, a task that
    Spark retries adds its counts again.
    """

    def zero(self, value: Counter) -> Counter:
        return Counter()

    def addInPlace(self, a: Counter, b: Counter) -> Counter:  # noqa: N802 - pyspark's name
        a.update(b)
        return a
