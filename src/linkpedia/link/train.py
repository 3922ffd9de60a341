"""Self-supervised training of the scorers on links inside the KB's own articles.

A source's links are free training data: each linked span tells which entry
its words mean, and the same surface written again unlinked in that article
means the same entry (editors link a name once). Spans whose surface the
article never links are negatives for the linking model, which teaches it
when *not* to link. Pages are split 80/20 by their id; the 20% measure the
calibration of the final confidence (a reliability curve, in ``info``).

So that the models also know what to do where a KB cannot tell a surface's
link probability or an entry's links (names and articles from link-less
sources), the link probabilities of 30% of the training mentions, and the
link graph of 30% of the training pages, are hidden from them.
"""

from __future__ import annotations

import heapq
import multiprocessing as mp
import sqlite3
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..kb.index import Index
from ..kb.store import DB_NAME, select_in, unpack_links, unpack_text
from ..text import fold
from .features import CANDIDATE_FEATURES, SPOT_FEATURES, best_first
from .linker import Features, Linker, LinkerConfig
from .model import DEFAULT_MODEL, Logistic, Model
from .spot import Spot

__all__ = ["TrainReport", "train_model", "fit_logistic", "reliability", "MIN_POSITIVES",
           "label_spots"]

MIN_POSITIVES = 50  # fewer labelled links than this: keep the default model
MAX_CHARS = 6_000  # of each page: the lead and first sections carry most links (12,000 scored the same on the dev sets and cost twice the time)
HIDDEN_LINK_PROB = 0.3
MIN_SCALE = 0.25  # of a standardized feature (see fit_logistic)


@dataclass
class TrainReport:
    model: Model | None
    pages: int
    mentions: int
    positives: int
    heldout_mentions: int = 0
    reliability: list[dict] = field(default_factory=list)
    ece: float | None = None
    reason: str = ""

    def to_meta(self) -> dict:
        return {"pages": self.pages, "mentions": self.mentions, "positives": self.positives,
                "heldout_mentions": self.heldout_mentions, "ece": self.ece,
                "reliability": self.reliability, "model": self.model.name if self.model else None,
                "note": self.reason}


def label_spots(linker: Linker, text: str, links, entry_of) -> tuple[list[Spot], list[int]]:
    """The linker's spots on a page and, for each, the entry it means (-1: not a mention)."""
    gold: dict[tuple[int, int], int] = {}
    by_surface: dict[str, int] = {}
    for s, e, target in links:
        eid = entry_of(target)
        if eid is None:
            continue
        gold[(s, e)] = eid
        by_surface.setdefault(fold(text[s:e]), eid)
    spans = sorted(gold)
    spots, labels = [], []
    for sp in linker.spots(text):
        label = gold.get((sp.start, sp.end))
        if label is None:
            if any(s < sp.end and sp.start < e for s, e in spans):
                continue  # part of a longer (or shifted) link: no clear label
            label = by_surface.get(fold(text[sp.start:sp.end]), -1)
        spots.append(sp)
        labels.append(label)
    return spots, labels


def fit_logistic(X: np.ndarray, y: np.ndarray, features: tuple[str, ...], *, l2: float = 1.0,
                 iters: int = 50) -> Logistic:
    """L2-regularized logistic regression by Newton's method on standardized features."""
    mean = X.mean(axis=0)
    # A feature that hardly varies in training ("exact": 99% of mentions are
    # written as the KB writes them) would be stretched by its tiny deviation
    # and take a weight that a few examples decide, and flip between builds
    # (an all-caps dateline's confidence went from 0.74 to 0.13): floor the scale.
    scale = np.maximum(X.std(axis=0), MIN_SCALE)
    Z = np.hstack([(X - mean) / scale, np.ones((len(X), 1))])
    w = np.zeros(Z.shape[1])
    reg = np.full(Z.shape[1], l2)
    reg[-1] = 0.0
    for _ in range(iters):
        p = 1.0 / (1.0 + np.exp(-np.clip(Z @ w, -40, 40)))
        g = Z.T @ (p - y) + reg * w
        H = (Z * (p * (1 - p))[:, None]).T @ Z + np.diag(reg + 1e-9)
        step = np.linalg.solve(H, g)
        w -= step
        if float(np.abs(step).max()) < 1e-6:
            break
    return Logistic(features, tuple(float(x) for x in w[:-1]), float(w[-1]),
                    tuple(float(x) for x in mean), tuple(float(x) for x in scale))


def reliability(p: np.ndarray, y: np.ndarray, bins: int = 10) -> tuple[list[dict], float]:
    """Reliability curve (per probability bin: mean prediction vs observed rate) and ECE."""
    out, ece = [], 0.0
    edges = np.linspace(0, 1, bins + 1)
    idx = np.clip(np.digitize(p, edges) - 1, 0, bins - 1)
    for b in range(bins):
        m = idx == b
        n = int(m.sum())
        if n == 0:
            continue
        mp, fy = float(p[m].mean()), float(y[m].mean())
        ece += n / len(p) * abs(mp - fy)
        out.append({"lo": round(float(edges[b]), 2), "hi": round(float(edges[b + 1]), 2), "n": n,
                    "predicted": round(mp, 4), "observed": round(fy, 4)})
    return out, round(ece, 4)


@dataclass
class _Page:
    pid: int
    text: str
    spots: list[Spot]
    labels: list[int]
    f: Features
    names: Features  # the same spots' features with the candidates the KB's names alone give


_WORK: dict = {}  # what forked workers need: set before the pool starts


def _page_examples(item: tuple[str, bytes, bytes]) -> _Page | None:
    title, tblob, lblob = item
    linker, index, redirects = _WORK["linker"], _WORK["index"], _WORK["redirects"]

    def entry_of(target: str) -> int | None:
        return index.titles.get(redirects.get(target, target))

    text = unpack_text(tblob)[:MAX_CHARS]
    links = [lk for lk in unpack_links(lblob) if lk[1] <= len(text)]
    own = index.titles.get(title)
    spots, labels = label_spots(linker, text, links, entry_of)
    if own is not None:  # an article never links itself: its own name teaches nothing
        keep = [i for i, sp in enumerate(spots) if not _names(linker, sp, own)]
        spots, labels = [spots[i] for i in keep], [labels[i] for i in keep]
    if not spots:
        return None
    return _Page(zlib.crc32(title.encode("utf-8")), text, spots, labels, linker.featurize(text, spots),
                 linker.featurize(text, spots, names_only=True))


def _pages(con: sqlite3.Connection, linker: Linker, index: Index, max_pages: int,
           jobs: int = 1) -> list[_Page]:
    # A sample fixed by the titles (not by row ids), so the same pages give the
    # same model whether the KB was built at once or updated page by page.
    # Streamed, the first ``max_pages`` kept: a full KB has millions of linked articles.
    eligible = heapq.nsmallest(max_pages, ((zlib.crc32(title.encode("utf-8")), title, row_id) for row_id, title in
                                           con.execute("SELECT id, title FROM pages WHERE kind = 'article' "
                                                       "AND has_links = 1 AND links IS NOT NULL")))
    items = [(title, *con.execute("SELECT text, links FROM pages WHERE id = ?", (row_id,)).fetchone())
             for _, title, row_id in eligible]
    _WORK.update(linker=linker, index=index, redirects=_redirects_of(con, items))
    try:
        if jobs > 1 and len(items) > 50:
            with mp.get_context("fork").Pool(jobs) as pool:
                pages = pool.map(_page_examples, items, chunksize=16)
        else:
            pages = [_page_examples(it) for it in items]
    finally:
        _WORK.clear()
    return [p for p in pages if p is not None]


def _redirects_of(con: sqlite3.Connection, items: list[tuple[str, bytes, bytes]]) -> dict[str, str]:
    """The redirects among the sampled pages' link targets, to their entries' titles:
    only those, not the KB's millions."""
    targets = sorted({t for _, _, lblob in items for _, _, t in unpack_links(lblob)})
    return dict(select_in(con, "SELECT r.title, e.title FROM redirects r JOIN entries e ON e.id = r.entry_id "
                               "WHERE r.title IN ({})", targets))


def _names(linker: Linker, sp: Spot, entry: int) -> bool:
    from .candidates import candidates_of

    return entry in [e for e, _, _ in candidates_of(linker.index, sp.surface_ids, 1)]


def _hide_graph(page: _Page) -> None:
    """As if the KB had no links into these entries: no coherence to measure."""
    for f in (page.f, page.names):
        if page.pid % 10 < 3 and len(f.X):
            f.X[:, 4] = 0.0
            f.X[:, 8] = 0.0


def _examples(pages: list[_Page], names: bool) -> tuple[list[np.ndarray], list[bool]]:
    """Rows of the labelled mentions (of a KB entry), and whether each is the mention's entry.

    With ``names``, only mentions whose entry the names reach: a mention the
    names miss says nothing of how to rank them, and would teach the model
    that names are seldom right (they are, when anchors are missing because
    the source had none, not because the KB hid them)."""
    X, y = [], []
    for p in pages:
        f = p.names if names else p.f
        reached = {i for r, i in enumerate(f.spot) if f.entry[r] == p.labels[i]}
        for r, i in enumerate(f.spot):
            if p.labels[i] >= 0 and (not names or i in reached):
                X.append(f.X[r])
                y.append(f.entry[r] == p.labels[i])
    return X, y


def _both_classes(y) -> bool:
    return 0 < sum(y) < len(y)


def _hide_link_prob(page: _Page) -> list[Spot]:
    nan = float("nan")
    return [sp._replace(link_prob=nan, page_link_prob=nan)
            if (page.pid * 31 + i) % 10 < 3 else sp for i, sp in enumerate(page.spots)]


def _best_per_spot(trained: Linker, page: _Page) -> list[tuple[float, int, int]]:
    """(score, entry, label) of each spot's best candidate, as ``trained.score`` would
    give them, from the features the page already has (a held-out page's are untouched)."""
    f = page.f
    if not len(f.X):
        return []
    p_entry = trained.model.p_entry(f.X, f.spot, f.count)
    p_spot = trained.model.linking.score(trained.spot_features(page.text, page.spots, f, p_entry))
    spot_idx = np.asarray(f.spot, dtype=np.int64)
    final = p_entry * p_spot[spot_idx]
    order, first = best_first(spot_idx, p_entry)  # as score() ranks
    return [(float(final[r]), f.entry[r], page.labels[f.spot[r]]) for r in order[first].tolist()]


def train_model(kb_dir: Path, index: Index, *, max_pages: int = 1500,
                config: LinkerConfig = LinkerConfig(), jobs: int = 1) -> TrainReport:
    """Fit both scorers on the KB's own links; saves ``model.json`` when there is enough data."""
    linker = Linker(index, DEFAULT_MODEL, config)
    con = sqlite3.connect(kb_dir / DB_NAME)
    try:
        pages = _pages(con, linker, index, max_pages, jobs)
    finally:
        con.close()
    train = [p for p in pages if p.pid % 5]
    test = [p for p in pages if not p.pid % 5]
    # Disambiguation: mentions of a KB entry that is among their candidates.
    for p in train:
        _hide_graph(p)
    Xd, yd = _examples(train, names=False)
    positives = int(sum(yd))
    n_mentions = sum(len(p.spots) for p in train)
    if positives < MIN_POSITIVES:
        return TrainReport(None, len(pages), n_mentions, positives,
                           reason=f"only {positives} labelled links (need {MIN_POSITIVES}): default model kept")
    notes = []
    if _both_classes(yd):
        dis = fit_logistic(np.asarray(Xd), np.asarray(yd, dtype=np.float64), CANDIDATE_FEATURES)
    else:  # e.g. every surface has a single candidate: nothing to tell apart
        dis = DEFAULT_MODEL.disambiguation
        notes.append("disambiguation: default weights (no wrong candidate to learn from)")
    # Linking: every spot; is it a mention of some KB entry?
    Xs, ys = [], []
    for p in train:
        spots = _hide_link_prob(p)
        Xs.append(linker.spot_features(p.text, spots, p.f, dis.score(p.f.X)))
        ys.extend(lab >= 0 for lab in p.labels)
    if _both_classes(ys):
        lnk = fit_logistic(np.vstack(Xs), np.asarray(ys, dtype=np.float64), SPOT_FEATURES)
    else:
        lnk = DEFAULT_MODEL.linking
        notes.append("linking: default weights (every span is a link)")
    # The same mentions with their anchors hidden: how far a prior counted from names goes.
    Xn, yn = _examples(train, names=True)
    names = None
    if sum(yn) >= MIN_POSITIVES and _both_classes(yn):
        names = fit_logistic(np.asarray(Xn), np.asarray(yn, dtype=np.float64), CANDIDATE_FEATURES)
    else:
        notes.append("names: no names model (too few mentions that names alone reach)")
    model = Model(dis, lnk, name="logistic.self-supervised.v3", trained_on=n_mentions, names=names)
    report = TrainReport(model, len(pages), n_mentions, positives, reason="; ".join(notes))
    if test:
        trained = Linker(index, model, config)
        probs, hits = [], []
        for p in test:
            for score, entry, label in _best_per_spot(trained, p):
                probs.append(score)
                hits.append(entry == label)
        report.heldout_mentions = len(probs)
        report.reliability, report.ece = reliability(np.asarray(probs), np.asarray(hits, dtype=float))
    model.save(kb_dir)
    return report
