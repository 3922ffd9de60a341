"""Entity-linking scores as GERBIL defines them, as pure functions.

GERBIL (Röder, Usbeck, Ngonga Ngomo, "GERBIL – Benchmarking Named Entity
Recognition and Linking consistently", Semantic Web 9(5), 2018; code at
github.com/dice-group/gerbil) counts, per document, one true positive for
every gold mention it can pair with a not yet used prediction (gold in text
order, first matching prediction wins), a false negative for every unpaired
gold mention, and a false positive for every unused prediction. A pair must
agree on the span (*strong*: identical offsets; *weak*: overlapping) and on
the meaning: both name the same entry, or both name no KB entry at all.

Three score sets come out of one comparison, see docs/evaluation.md:

* ``inkb``  GERBIL's InKB class: gold mentions of entries the KB has, against
  predictions that link to an entry. NIL gold and NIL predictions are left
  out; a gold entry the KB lacks (``resolve() -> None``) is a *coverage gap*
  and is left out together with the predictions on its span, so a small KB
  is never charged for linking errors it could not avoid.
* ``all``   every non-NIL gold mention (gaps count as misses) against every
  linking prediction, for transparency.
* ``ee``    GERBIL's EE (emerging entity) class: gold mentions that name no
  KB entry (NIL gold and coverage gaps) against NIL predictions, i.e. spans
  the linker left unlinked although it was asked to link them (D2KB). It is
  ``None`` when the annotator made no NIL prediction at all (any A2KB run of
  a linker that only outputs links).

Titles are compared after ``resolve`` maps both sides to the KB's canonical
title (redirects followed, first letter normalized). Where the KB knows
Wikidata QIDs (``qids`` given), a gold link with a QID is scored by it: its
entry is the one with that QID, whatever its title says (the ELEVANT sets'
titles are Wikidata labels, "Apple" for Apple Inc.), and a QID-only link is
scored, not a gap. A QID the KB does not know falls back to the title when
the title's entry has no QID itself (the KB's Wikidata may miss it); when
that entry has another QID, the gold names something else: a gap. Gold
without a QID is scored by title.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Iterable, Literal, Mapping, Sequence

from ..types import Link
from .datasets import GoldDocument, GoldLink

__all__ = [
    "Counts",
    "Scores",
    "Mention",
    "Judged",
    "DocumentResult",
    "prf",
    "aggregate",
    "compare",
    "resolve_gold",
    "resolve_predicted",
    "match_counts",
    "score_documents",
    "error_counts",
    "wrong_pairs",
    "SCORE_SETS",
    "ERROR_CATEGORIES",
]

Matching = Literal["strong", "weak"]
Mode = Literal["a2kb", "d2kb"]
Resolve = Callable[[str], "str | None"]

SCORE_SETS = ("inkb", "all", "ee")
MATCHINGS: dict[str, tuple[Matching, ...]] = {"a2kb": ("strong", "weak"), "d2kb": ("strong",)}
ERROR_CATEGORIES = {
    "missed": "missed mention (gold entry, no prediction on its span)",
    "spurious": "spurious mention (prediction where the gold has no mention)",
    "wrong": "wrong entry (prediction on a gold span, other entry)",
    "not_in_kb": "gold entry not in the KB (coverage gap, not scored in InKB)",
    "nil_linked": "NIL mention linked to an entry",
}


# -- counts and scores ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Counts:
    """True positives, false positives and false negatives of one document or more."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    @property
    def empty(self) -> bool:
        return self.tp == self.fp == self.fn == 0

    def prf(self) -> tuple[float, float, float]:
        return prf(self)


def prf(c: Counts) -> tuple[float, float, float]:
    """(precision, recall, F1) with GERBIL's special cases.

    Nothing to find and nothing found is perfect (1, 1, 1); no true positive
    but some error is (0, 0, 0). GERBIL's wiki page "Precision, Recall and F1
    measure" and ``FMeasureCalculator.calculateMeasures`` define both.
    """
    if c.tp == 0:
        return (1.0, 1.0, 1.0) if c.fp == 0 and c.fn == 0 else (0.0, 0.0, 0.0)
    p = c.tp / (c.tp + c.fp)
    r = c.tp / (c.tp + c.fn)
    return p, r, 2 * p * r / (p + r)


@dataclass(frozen=True, slots=True)
class Scores:
    """Micro (pooled counts) and macro (mean of per-document values) P/R/F1."""

    micro_precision: float
    micro_recall: float
    micro_f1: float
    macro_precision: float
    macro_recall: float
    macro_f1: float
    tp: int
    fp: int
    fn: int
    documents: int

    def to_dict(self) -> dict[str, float | int]:
        return {name: getattr(self, name) for name in self.__slots__}


def aggregate(per_document: Sequence[Counts]) -> Scores | None:
    """Micro and macro scores over documents; ``None`` when nothing was there to score.

    Macro averages over every document, each scored with ``prf``, so a
    document without gold and without predictions counts 1.0 as in GERBIL.
    GERBIL reports a class (InKB, EE) only when its pooled counts are not all
    zero; ``None`` mirrors that.
    """
    total = sum(per_document, Counts())
    if total.empty:
        return None
    micro = prf(total)
    n = len(per_document)
    sums = [0.0, 0.0, 0.0]
    for c in per_document:
        for i, v in enumerate(prf(c)):
            sums[i] += v
    macro = [s / n for s in sums]
    return Scores(*micro, *macro, total.tp, total.fp, total.fn, n)


# -- mentions after resolution ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class Mention:
    """A gold or predicted mention with what it names, after resolution.

    ``kind``: ``entry`` names an entry (``key`` = canonical title), ``gap`` is a
    gold entry the KB lacks (``key`` = its title, or ``qid:Q…``), ``nil`` names
    nothing (``key`` is ``None``). ``title`` is the title as written. ``by``: how a
    gold entry was looked up, ``"qid"`` or ``"title"`` (None for NIL and predictions).
    """

    start: int
    end: int
    surface: str
    kind: Literal["entry", "gap", "nil"]
    key: str | None
    title: str | None = None
    by: Literal["qid", "title"] | None = None


@dataclass(frozen=True)
class Qids:
    """A KB's QIDs for scoring: ``entry`` maps a QID to its entry's title, ``of`` an
    entry's title to its QID (each None where the KB knows none)."""

    entry: Resolve
    of: Resolve


def resolve_gold(links: Iterable[GoldLink], resolve: Resolve, qids: Qids | None = None) -> list[Mention]:
    """Gold links as mentions: by QID where the link has one and ``qids`` is given, else by
    title (see the module docstring); a QID-only link without ``qids`` is a gap."""
    out = []
    for g in links:
        if g.is_nil:
            out.append(Mention(g.start, g.end, g.surface, "nil", None, None))
            continue
        by_title = resolve(g.title) if g.title is not None else None
        if g.qid is not None and qids is not None:
            canonical = qids.entry(g.qid)
            if canonical is not None or by_title is None or qids.of(by_title) is not None:
                kind = "entry" if canonical is not None else "gap"
                out.append(Mention(g.start, g.end, g.surface, kind, canonical or f"qid:{g.qid}", g.title, "qid"))
                continue
        if g.title is None:
            out.append(Mention(g.start, g.end, g.surface, "gap", f"qid:{g.qid}", None, "qid"))
        else:
            kind = "entry" if by_title is not None else "gap"
            out.append(Mention(g.start, g.end, g.surface, kind, by_title or g.title, g.title, "title"))
    return out


def resolve_predicted(links: Iterable[Link], resolve: Resolve) -> list[Mention]:
    """Predicted links as mentions; a link without a title is NIL."""
    out = []
    for link in sorted(links, key=lambda x: (x.start, x.end)):
        if not link.title:
            out.append(Mention(link.start, link.end, link.surface, "nil", None, None))
        else:
            key = resolve(link.title) or link.title
            out.append(Mention(link.start, link.end, link.surface, "entry", key, link.title))
    return out


def _same_span(a: Mention, b: Mention) -> bool:
    return a.start == b.start and a.end == b.end


def _overlap(g: Mention, p: Mention) -> bool:
    # GERBIL's WeakSpanMatchingsSearcher, gold first: the spans share a character.
    return p.start < g.end if p.start >= g.start else g.start < p.end


SPAN_MATCH: dict[str, Callable[[Mention, Mention], bool]] = {"strong": _same_span, "weak": _overlap}


def _same_meaning(g: Mention, p: Mention) -> bool:
    # GERBIL: both in the KB and the same entry, or both outside the KB.
    if p.kind == "nil":
        return g.kind != "entry"
    return g.kind != "nil" and g.key == p.key


class _Spans:
    """Mentions sorted by start, to find those that may span-match a gold mention
    without scanning them all (a long document has thousands)."""

    def __init__(self, mentions: Sequence[Mention]):
        self.order = sorted(range(len(mentions)), key=lambda i: mentions[i].start)
        self.starts = [mentions[i].start for i in self.order]
        self.longest = max((m.end - m.start for m in mentions), default=0)

    def near(self, g: Mention, matching: str) -> list[int]:
        """Indexes (in the original order) of the mentions whose span may match ``g``'s."""
        if matching == "strong":
            lo, hi = bisect_left(self.starts, g.start), bisect_right(self.starts, g.start)
        else:  # overlapping: starts before g ends, and not so early that it ends before g starts
            lo, hi = bisect_left(self.starts, g.start - self.longest), bisect_left(self.starts, g.end)
        return sorted(self.order[lo:hi])


def _pair(gold: Sequence[Mention], pred: Sequence[Mention], matching: str) -> tuple[list[int | None], list[bool]]:
    """GERBIL's greedy pairing: each gold takes the first unused matching prediction."""
    span = SPAN_MATCH[matching]
    used = [False] * len(pred)
    partner: list[int | None] = []
    spans = _Spans(pred)
    for g in gold:
        for i in spans.near(g, matching):
            if not used[i] and span(g, pred[i]) and _same_meaning(g, pred[i]):
                used[i] = True
                partner.append(i)
                break
        else:
            partner.append(None)
    return partner, used


def match_counts(gold: Sequence[Mention], pred: Sequence[Mention], matching: Matching = "strong") -> Counts:
    """Counts of one document for already filtered gold and predictions."""
    partner, used = _pair(gold, pred, matching)
    tp = sum(1 for i in partner if i is not None)
    return Counts(tp=tp, fp=len(pred) - tp, fn=len(gold) - tp)


def _score_sets(gold: Sequence[Mention], pred: Sequence[Mention], matching: Matching) -> dict[str, Counts]:
    span = SPAN_MATCH[matching]
    entries = [g for g in gold if g.kind == "entry"]
    gaps = [g for g in gold if g.kind == "gap"]
    linked = [p for p in pred if p.kind == "entry"]

    gap_spans, entry_spans = _Spans(gaps), _Spans(entries)

    # A prediction on a coverage gap's span (and on no in-KB gold span) is not scored.
    def on_gap_only(p: Mention) -> bool:
        return (any(span(gaps[i], p) for i in gap_spans.near(p, matching))
                and not any(span(entries[i], p) for i in entry_spans.near(p, matching)))

    return {
        "inkb": match_counts(entries, [p for p in linked if not on_gap_only(p)], matching),
        "all": match_counts([g for g in gold if g.kind != "nil"], linked, matching),
        "ee": match_counts([g for g in gold if g.kind != "entry"], [p for p in pred if p.kind == "nil"], matching),
    }


# -- one document ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Judged:
    """A mention and its verdict; ``other`` is the title on the other side of its span.

    Gold verdicts: correct, wrong, missed, gap, nil. Predicted verdicts:
    correct, wrong, spurious, gap (on a coverage gap), nil (a NIL gold span
    linked to an entry), unlinked (D2KB: a given span left without a link).
    """

    mention: Mention
    status: str
    other: str | None = None


@dataclass(frozen=True)
class DocumentResult:
    """A document's gold and predicted mentions, judged, with counts per matching and set."""

    doc: GoldDocument
    gold: tuple[Judged, ...]
    predicted: tuple[Judged, ...]
    counts: Mapping[str, Mapping[str, Counts]] = field(default_factory=dict)

    def primary(self, score_set: str = "inkb") -> Counts:
        """Counts under strong matching, the matching the verdicts use."""
        return self.counts["strong"][score_set]


def _d2kb_predictions(gold: Sequence[Mention], pred: Sequence[Mention]) -> list[Mention]:
    """Keep predictions on given spans (GERBIL's filter) and add NIL for spans left unlinked."""
    free: dict[tuple[int, int], int] = Counter((g.start, g.end) for g in gold)  # given spans not yet used
    kept = []
    for p in pred:
        if free.get((p.start, p.end), 0) > 0:
            free[(p.start, p.end)] -= 1
            kept.append(p)
    covered = {(p.start, p.end) for p in kept}
    for g in gold:
        if (g.start, g.end) not in covered:
            covered.add((g.start, g.end))
            kept.append(Mention(g.start, g.end, g.surface, "nil", None, None))
    kept.sort(key=lambda m: (m.start, m.end))
    return kept


def compare(
    doc: GoldDocument,
    predicted: Sequence[Link],
    resolve: Resolve,
    *,
    mode: Mode = "a2kb",
    qids: Qids | None = None,
) -> DocumentResult:
    """Judge one document's predicted links against its gold.

    In ``d2kb`` mode the linker was given the gold spans: predictions on other
    spans are dropped (as GERBIL does) and a given span without a link is a
    NIL prediction. Counts are computed for each matching of the mode
    (A2KB: strong and weak; D2KB: strong) and each score set. ``qids``: the KB's
    QIDs, for gold scored by QID (see the module docstring).
    """
    if mode not in MATCHINGS:
        raise ValueError(f"unknown mode {mode!r}; use 'a2kb' or 'd2kb'")
    gold = resolve_gold(doc.links, resolve, qids)
    pred = resolve_predicted(predicted, resolve)
    if mode == "d2kb":
        pred = _d2kb_predictions(gold, pred)
    counts = {m: _score_sets(gold, pred, m) for m in MATCHINGS[mode]}
    judged_gold, judged_pred = _judge(gold, pred)
    return DocumentResult(doc, judged_gold, judged_pred, counts)


def _judge(gold: Sequence[Mention], pred: Sequence[Mention]) -> tuple[tuple[Judged, ...], tuple[Judged, ...]]:
    """Verdicts under strong matching, consistent with the ``inkb`` counts."""
    entries = [g for g in gold if g.kind == "entry"]
    gap_spans = {(g.start, g.end) for g in gold if g.kind == "gap"}
    entry_spans = {(g.start, g.end) for g in entries}
    scored = [
        p
        for p in pred
        if p.kind == "entry" and ((p.start, p.end) in entry_spans or (p.start, p.end) not in gap_spans)
    ]
    partner, used = _pair(entries, scored, "strong")
    matched_gold = {id(g) for g, i in zip(entries, partner) if i is not None}
    matched_pred = {id(scored[i]) for i in partner if i is not None}

    linked_at: dict[tuple[int, int], str] = {}
    for p in pred:
        if p.kind == "entry":
            linked_at.setdefault((p.start, p.end), p.key or "")
    gold_at: dict[tuple[int, int], Mention] = {}
    for g in gold:
        gold_at.setdefault((g.start, g.end), g)

    judged_gold = []
    for g in gold:
        other = linked_at.get((g.start, g.end))
        if g.kind == "nil":
            status = "nil"
        elif g.kind == "gap":
            status = "gap"
        elif id(g) in matched_gold:
            status = "correct"
        else:  # a second gold copy of a matched mention is a miss, not a wrong entry
            status = "wrong" if other is not None and other != g.key else "missed"
        judged_gold.append(Judged(g, status, other))

    judged_pred = []
    for p in pred:
        g = gold_at.get((p.start, p.end))
        other = None if g is None else g.key
        if p.kind == "nil":
            status = "unlinked"
        elif id(p) in matched_pred:
            status = "correct"
        elif (p.start, p.end) in entry_spans:  # a repeated correct link is an extra, not a wrong entry
            status = "wrong" if p.key != other else "spurious"
        elif (p.start, p.end) in gap_spans:
            status = "gap"
        elif g is not None:  # a NIL gold span
            status = "nil"
        else:
            status = "spurious"
        judged_pred.append(Judged(p, status, other))
    return tuple(judged_gold), tuple(judged_pred)


# -- many documents -----------------------------------------------------------------


def score_documents(results: Sequence[DocumentResult]) -> dict[str, dict[str, Scores | None]]:
    """Micro/macro scores per matching and score set over a dataset's documents."""
    if not results:
        return {}
    any_nil = any(j.mention.kind == "nil" for r in results for j in r.predicted)
    out: dict[str, dict[str, Scores | None]] = {}
    for matching in results[0].counts:
        out[matching] = {s: aggregate([r.counts[matching][s] for r in results]) for s in SCORE_SETS}
        if not any_nil:  # an annotator that never answers NIL is not scored on EE
            out[matching]["ee"] = None
    return out


def error_counts(results: Iterable[DocumentResult]) -> dict[str, int]:
    """How many mentions fall in each of ``ERROR_CATEGORIES`` (strong matching)."""
    counts = dict.fromkeys(ERROR_CATEGORIES, 0)
    for r in results:
        for j in r.gold:
            if j.status in ("missed", "wrong"):
                counts[j.status] += 1
            elif j.status == "gap":
                counts["not_in_kb"] += 1
            elif j.status == "nil" and j.other is not None:
                counts["nil_linked"] += 1
        counts["spurious"] += sum(1 for j in r.predicted if j.status == "spurious")
    return counts


def wrong_pairs(results: Iterable[DocumentResult]) -> Counter[tuple[str, str]]:
    """(gold entry, predicted entry) of every wrong-entry mention, by frequency."""
    pairs: Counter[tuple[str, str]] = Counter()
    for r in results:
        for j in r.gold:
            if j.status == "wrong" and j.mention.key is not None and j.other is not None:
                pairs[(j.mention.key, j.other)] += 1
    return pairs
