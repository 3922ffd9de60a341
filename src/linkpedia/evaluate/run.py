"""Run an annotator over benchmarks and keep every number the report needs.

``evaluate()`` is silent and returns an ``EvaluationResult``; the CLI prints
it and ``write_report()`` writes it, so a script or a notebook gets the same
numbers as ``linkpedia evaluate``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable, Protocol, Sequence

from ..types import Document
from .datasets import Dataset, GoldDocument
from .metrics import (
    ERROR_CATEGORIES,
    MATCHINGS,
    DocumentResult,
    Mode,
    Qids,
    Resolve,
    Scores,
    compare,
    error_counts,
    score_documents,
    wrong_pairs,
)

__all__ = ["Annotator", "DatasetResult", "EvaluationResult", "evaluate", "resolvers"]


class Annotator(Protocol):
    """What ``evaluate`` needs of a linker; an opened KB provides both methods.

    ``link(text)`` finds and links mentions (A2KB). ``link(text, mentions=spans)``
    links exactly those (start, end) spans (D2KB); a span may come back
    unlinked, which is a NIL answer. ``resolve(title)`` is the KB's canonical
    title after redirects, or ``None`` when the KB has no such entry.
    """

    def link(self, text: str, *, mentions: Sequence[tuple[int, int]] | None = None) -> Document: ...

    def resolve(self, title: str) -> str | None: ...

    # Optional: ``candidates_in(text, spans)`` -> for each span, objects with
    # ``.title``; when the annotator has it, each dataset reports its candidate recall.
    # Optional: ``is_disambiguation(title)``; a gold title that resolves to such a
    # page is scored as an entry the KB lacks.
    # Optional: ``has_qids``, ``by_qid(qid)`` -> title or None and ``qid_of_title(title)``
    # -> QID or None; when the annotator knows QIDs, gold links with one are scored by it.


def resolvers(annotator: Any) -> tuple[Resolve, Qids | None]:
    """The annotator's title resolver and, where it knows QIDs, its QIDs, each cached."""
    def cached(lookup: Resolve) -> Resolve:
        cache: dict[str, str | None] = {}

        def resolve(key: str) -> str | None:
            if key not in cache:
                cache[key] = lookup(key)
            return cache[key]
        return resolve

    def linkable(lookup: Resolve) -> Resolve:
        # A title that reaches a disambiguation page names an entity the KB has no
        # article for: the page lists senses and is never linked (a gap, not an entry).
        is_dab = getattr(annotator, "is_disambiguation", None)
        if is_dab is None:
            return lookup

        def entry(key: str) -> str | None:
            title = lookup(key)
            return None if title is None or is_dab(title) else title
        return entry

    by_qid, of = getattr(annotator, "by_qid", None), getattr(annotator, "qid_of_title", None)
    knows = by_qid is not None and of is not None and getattr(annotator, "has_qids", False)
    return cached(linkable(annotator.resolve)), (Qids(cached(linkable(by_qid)), cached(of)) if knows else None)


@dataclass(frozen=True)
class DatasetResult:
    """One benchmark's scores, counts and judged documents."""

    name: str
    mode: str
    documents: tuple[DocumentResult, ...]
    scores: dict[str, dict[str, Scores | None]]  # matching -> score set -> scores
    seconds: float
    path: str | None = None
    # Share of in-KB gold mentions whose entry is among the candidates the annotator
    # weighs for that span in its document (None: it lists no candidates). D2KB
    # cannot do better than this.
    candidate_recall: float | None = None

    @property
    def gold_links(self) -> int:
        return sum(len(r.gold) for r in self.documents)

    def scored_by(self) -> dict[str, int]:
        """Non-NIL gold mentions by how they were scored: by QID or by title."""
        by = {"qid": 0, "title": 0}
        for r in self.documents:
            for j in r.gold:
                if j.mention.by is not None:
                    by[j.mention.by] += 1
        return by

    def gold_kinds(self) -> dict[str, int]:
        """Gold mentions by kind: entry (in the KB), gap (entry missing from the KB), nil."""
        kinds = {"entry": 0, "gap": 0, "nil": 0}
        for r in self.documents:
            for j in r.gold:
                kinds[j.mention.kind] += 1
        return kinds

    @property
    def predicted_links(self) -> int:
        return sum(1 for r in self.documents for j in r.predicted if j.mention.kind == "entry")

    @property
    def coverage(self) -> float | None:
        """Share of non-NIL gold mentions whose entry the KB has; ``None`` without any."""
        kinds = self.gold_kinds()
        named = kinds["entry"] + kinds["gap"]
        return kinds["entry"] / named if named else None

    def nil_counts(self) -> dict[str, int]:
        """NIL gold mentions, and how many of them the annotator linked to an entry anyway."""
        nil = [j for r in self.documents for j in r.gold if j.mention.kind == "nil"]
        linked = sum(1 for j in nil if j.other is not None)
        return {"gold": len(nil), "linked": linked, "unlinked": len(nil) - linked}

    def errors(self) -> dict[str, int]:
        return error_counts(self.documents)

    def to_dict(self, *, top_pairs: int = 20) -> dict[str, Any]:
        kinds = self.gold_kinds()
        return {
            "name": self.name,
            "path": self.path,
            "mode": self.mode,
            "documents": len(self.documents),
            "gold_links": self.gold_links,
            "gold_in_kb": kinds["entry"],
            "gold_not_in_kb": kinds["gap"],
            "gold_nil": kinds["nil"],
            "gold_scored_by": self.scored_by(),
            "coverage": self.coverage,
            "candidate_recall": self.candidate_recall,
            "predicted_links": self.predicted_links,
            "seconds": round(self.seconds, 3),
            "scores": {
                matching: {name: (s.to_dict() if s else None) for name, s in sets.items()}
                for matching, sets in self.scores.items()
            },
            "nil": self.nil_counts(),
            "errors": self.errors(),
            "wrong_pairs": [
                {"gold": g, "predicted": p, "count": n}
                for (g, p), n in wrong_pairs(self.documents).most_common(top_pairs)
            ],
        }


@dataclass(frozen=True)
class EvaluationResult:
    """The results of one ``evaluate()`` call, one ``DatasetResult`` per benchmark."""

    mode: str
    datasets: tuple[DatasetResult, ...]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready numbers (no per-document detail; the report has that)."""
        return {
            "mode": self.mode,
            "matchings": list(MATCHINGS[self.mode]),
            "error_categories": dict(ERROR_CATEGORIES),
            "datasets": [d.to_dict() for d in self.datasets],
        }


def evaluate(
    annotator: Annotator,
    datasets: Sequence[Dataset],
    *,
    mode: Mode = "a2kb",
    progress: Callable[[str, int, int], None] | None = None,
) -> EvaluationResult:
    """Link every benchmark document and score the links against the gold.

    ``mode="a2kb"`` lets the annotator find mentions itself (scored with
    strong and weak matching); ``mode="d2kb"`` gives it the gold spans.
    ``progress(dataset_name, done, total)`` is called after each document.
    Titles on both sides go through ``annotator.resolve`` (cached per title);
    gold QIDs through ``annotator.by_qid`` where it knows QIDs (``resolvers``).
    """
    if mode not in MATCHINGS:
        raise ValueError(f"unknown mode {mode!r}; use 'a2kb' or 'd2kb'")
    resolve, qids = resolvers(annotator)

    results = []
    for ds in datasets:
        started = time.perf_counter()
        judged = []
        for done, doc in enumerate(ds.docs, 1):
            if mode == "d2kb":
                spans = sorted({(g.start, g.end) for g in doc.links})
                linked = annotator.link(doc.text, mentions=spans)
            else:
                linked = annotator.link(doc.text)
            judged.append(compare(doc, linked.links, resolve, mode=mode, qids=qids))
            if progress is not None:
                progress(ds.name, done, len(ds.docs))
        seconds = time.perf_counter() - started
        results.append(
            DatasetResult(ds.name, mode, tuple(judged), score_documents(judged), seconds, ds.path,
                          _candidate_recall(annotator, ds.docs, judged))
        )
    return EvaluationResult(mode, tuple(results))


def _candidate_recall(annotator: Any, docs: Sequence[GoldDocument], judged: Sequence[DocumentResult]) -> float | None:
    """The share of in-KB gold mentions whose entry ``annotator.candidates_in`` lists for the gold span."""
    candidates_in = getattr(annotator, "candidates_in", None)
    if candidates_in is None:
        return None
    total = hits = 0
    for doc, r in zip(docs, judged):
        gold = [j.mention for j in r.gold if j.mention.kind == "entry"]
        if not gold:
            continue
        spans = sorted({(m.start, m.end) for m in gold})
        listed = {span: {c.title for c in cands} for span, cands in zip(spans, candidates_in(doc.text, spans))}
        total += len(gold)
        hits += sum(m.key in listed[(m.start, m.end)] for m in gold)
    return hits / total if total else None
