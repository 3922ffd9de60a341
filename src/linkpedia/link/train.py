"""Self-supervised training of the scorer on links inside the KB's own articles.

A source's links are free training data: each linked span tells which entry
its words mean, and the same surface written again unlinked in that article
means the same entry (editors link a name once). Spans whose surface the
article never links are negatives, which teaches the model when *not* to
link. Pages are split 80/20 by a hash of their id; the 20% measure the
calibration (a reliability curve) that ``linkpedia info`` shows.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..kb.index import Index
from ..kb.store import DB_NAME, unpack_links, unpack_text
from ..text import fold
from .linker import Linker, LinkerConfig
from .model import DEFAULT_MODEL, Model

__all__ = ["TrainReport", "train_model", "fit_logistic", "reliability", "MIN_POSITIVES"]

MIN_POSITIVES = 50  # fewer labelled links than this: keep the default model


@dataclass
class TrainReport:
    model: Model | None
    pages: int
    rows: int
    positives: int
    heldout_rows: int = 0
    reliability: list[dict] = field(default_factory=list)
    ece: float | None = None
    reason: str = ""

    def to_meta(self) -> dict:
        return {"pages": self.pages, "rows": self.rows, "positives": self.positives,
                "heldout_rows": self.heldout_rows, "ece": self.ece,
                "reliability": self.reliability, "model": self.model.name if self.model else None,
                "note": self.reason}


def _sample_pages(con: sqlite3.Connection, max_pages: int) -> list[tuple[int, str, bytes, bytes]]:
    rows = con.execute(
        "SELECT id, title, text, links FROM pages WHERE kind = 'article' AND has_links = 1 "
        "AND links IS NOT NULL ORDER BY (id * 2654435761) % 4294967296 LIMIT ?", (max_pages,)
    ).fetchall()
    return rows


def page_examples(linker: Linker, index: Index, text: str, links, entry_of,
                  own: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Feature rows and labels for one page; ``own`` (the page's entry) is never a candidate."""
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
    f = linker.featurize(text, spots)
    y = np.fromiter((f.entry[r] == labels[i] for r, i in enumerate(f.spot)), dtype=np.float64,
                    count=len(f.spot))
    if own is not None:
        keep = np.asarray(f.entry) != own
        return f.X[keep], y[keep]
    return f.X, y


def fit_logistic(X: np.ndarray, y: np.ndarray, *, l2: float = 1.0, iters: int = 50) -> Model:
    """L2-regularized logistic regression by Newton's method on standardized features."""
    mean = X.mean(axis=0)
    scale = X.std(axis=0)
    scale[scale < 1e-9] = 1.0
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
    return Model(weights=tuple(float(x) for x in w[:-1]), bias=float(w[-1]),
                 name="logistic.self-supervised.v1", trained_on=len(X),
                 mean=tuple(float(x) for x in mean), scale=tuple(float(x) for x in scale))


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


MAX_CHARS = 12_000  # of each page: the lead and first sections carry most links


def train_model(kb_dir: Path, index: Index, *, max_pages: int = 3000,
                config: LinkerConfig = LinkerConfig()) -> TrainReport:
    """Fit the scorer on the KB's own links; saves ``model.json`` when there is enough data."""
    con = sqlite3.connect(kb_dir / DB_NAME)
    redirects = dict(con.execute(
        "SELECT r.title, e.title FROM redirects r JOIN entries e ON e.id = r.entry_id"))
    titles = index.titles

    def entry_of(title: str) -> int | None:
        t = redirects.get(title, title)
        return titles.get(t)

    linker = Linker(index, DEFAULT_MODEL, config)
    train_X, train_y, test_X, test_y = [], [], [], []
    pages = _sample_pages(con, max_pages)
    con.close()
    for pid, title, tblob, lblob in pages:
        text = unpack_text(tblob)[:MAX_CHARS]
        links = [lk for lk in unpack_links(lblob) if lk[1] <= len(text)]
        X, y = page_examples(linker, index, text, links, entry_of, titles.get(title))
        if len(X) == 0:
            continue
        (test_X if pid % 5 == 0 else train_X).append(X)
        (test_y if pid % 5 == 0 else train_y).append(y)
    if not train_X:
        return TrainReport(None, len(pages), 0, 0, reason="no linked article text to learn from")
    X, y = np.vstack(train_X), np.concatenate(train_y)
    positives = int(y.sum())
    if positives < MIN_POSITIVES or positives == len(y):
        return TrainReport(None, len(pages), len(y), positives,
                           reason=f"only {positives} labelled links (need {MIN_POSITIVES}): default model kept")
    model = fit_logistic(X, y)
    report = TrainReport(model, len(pages), len(y), positives)
    if test_X:
        tX, ty = np.vstack(test_X), np.concatenate(test_y)
        report.heldout_rows = len(ty)
        report.reliability, report.ece = reliability(model.score(tX), ty)
    model.save(kb_dir)
    return report

