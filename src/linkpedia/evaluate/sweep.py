"""Scores over the confidence threshold, for someone choosing one.

Each benchmark is linked again at every threshold of the grid (the exact
way): the overlap resolution keeps the longest mention *among those that
clear the threshold*, so a higher bar can bring in a shorter mention that a
longer, weaker one hid, and the short names and the ``first`` policy follow
the links kept. Filtering one threshold-0 run by score would miss that; the
sweep counts where the two differ (``filter_differs``) so the shortcut's
error is known. Linking is fast (docs/benchmarks.md), so 21 runs cost seconds.

The reliability diagram comes from the threshold-0 run: the links binned by
their calibrated score, against the share of them that are correct (strong
match, InKB; links on coverage gaps are left out, as in the InKB score).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, Sequence

from ..types import Document
from .datasets import Dataset
from .metrics import Counts, Mode, compare, prf
from .run import resolvers

__all__ = ["ThresholdAnnotator", "Point", "Bin", "DatasetSweep", "sweep", "THRESHOLDS"]

THRESHOLDS = tuple(round(i * 0.05, 2) for i in range(21))
BINS = 10


class ThresholdAnnotator(Protocol):
    """An ``Annotator`` whose ``link`` takes the threshold; an opened KB is one."""

    def link(self, text: str, *, mentions: Sequence[tuple[int, int]] | None = None,
             threshold: float | None = None) -> Document: ...

    def resolve(self, title: str) -> str | None: ...


@dataclass(frozen=True)
class Point:
    """Micro InKB scores (strong match) at one threshold."""

    threshold: float
    precision: float
    recall: float
    f1: float
    links: int  # predicted links to an entry
    filter_differs: int  # documents whose links differ from the threshold-0 run filtered by score

    def to_dict(self) -> dict[str, Any]:
        return {"threshold": self.threshold, "precision": self.precision, "recall": self.recall,
                "f1": self.f1, "links": self.links, "filter_differs": self.filter_differs}


@dataclass(frozen=True)
class Bin:
    """Links whose score is in [low, high): how many, their mean score, the share correct."""

    low: float
    high: float
    links: int
    mean_score: float | None
    correct: float | None

    def to_dict(self) -> dict[str, Any]:
        return {"low": self.low, "high": self.high, "links": self.links,
                "mean_score": self.mean_score, "correct": self.correct}


@dataclass(frozen=True)
class DatasetSweep:
    name: str
    mode: str
    points: tuple[Point, ...]
    bins: tuple[Bin, ...]

    @property
    def best(self) -> Point:
        """The threshold with the highest F1; on a tie the higher one (fewer links, same F1)."""
        return max(reversed(self.points), key=lambda p: p.f1)

    @property
    def calibration_error(self) -> float | None:
        """Expected calibration error: the links' mean |score - share correct| over the bins."""
        total = sum(b.links for b in self.bins)
        if not total:
            return None
        return sum(b.links * abs(b.mean_score - b.correct) for b in self.bins if b.links) / total

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "mode": self.mode, "best": self.best.to_dict(),
                "calibration_error": self.calibration_error,
                "points": [p.to_dict() for p in self.points], "reliability": [b.to_dict() for b in self.bins]}


def sweep(annotator: ThresholdAnnotator, datasets: Sequence[Dataset], *, mode: Mode = "a2kb",
          thresholds: Sequence[float] = THRESHOLDS) -> list[DatasetSweep]:
    """Link every benchmark at each threshold and score it; see the module docstring."""
    resolve, qids = resolvers(annotator)

    def link(doc, threshold: float) -> Document:
        if mode == "d2kb":
            return annotator.link(doc.text, mentions=sorted({(g.start, g.end) for g in doc.links}),
                                  threshold=threshold)
        return annotator.link(doc.text, threshold=threshold)

    out = []
    for ds in datasets:
        base = [link(doc, 0.0) for doc in ds.docs]
        points = []
        for t in thresholds:
            linked = base if t == 0.0 else [link(doc, t) for doc in ds.docs]
            total, links, differs = Counts(), 0, 0
            for doc, got, zero in zip(ds.docs, linked, base):
                total = total + compare(doc, got.links, resolve, mode=mode, qids=qids).primary()
                links += sum(1 for lk in got.links if lk.title)
                differs += _key(got.links) != _key(lk for lk in zero.links if lk.score >= t)
            p, r, f1 = prf(total)
            points.append(Point(t, p, r, f1, links, differs))
        out.append(DatasetSweep(ds.name, mode, tuple(points), _reliability(ds, base, resolve, mode, qids)))
    return out


def _key(links) -> list[tuple[int, int, str]]:
    return sorted((lk.start, lk.end, lk.title) for lk in links)


def _reliability(ds: Dataset, base: list[Document], resolve, mode: Mode, qids=None) -> tuple[Bin, ...]:
    scored: list[list[tuple[float, bool]]] = [[] for _ in range(BINS)]
    for doc, got in zip(ds.docs, base):
        score_at = {(lk.start, lk.end): lk.score for lk in got.links}
        for j in compare(doc, got.links, resolve, mode=mode, qids=qids).predicted:
            m = j.mention
            if m.kind != "entry" or j.status == "gap":
                continue
            score = score_at.get((m.start, m.end), 0.0)
            scored[min(int(score * BINS), BINS - 1)].append((score, j.status == "correct"))
    bins = []
    for i, items in enumerate(scored):
        n = len(items)
        bins.append(Bin(i / BINS, (i + 1) / BINS, n,
                        sum(s for s, _ in items) / n if n else None,
                        sum(ok for _, ok in items) / n if n else None))
    return tuple(bins)
