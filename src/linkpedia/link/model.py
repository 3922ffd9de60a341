"""The scorers: two small logistic models over the linker's features.

* ``disambiguation``: P(entry | mention), over a mention's candidates;
* ``names`` (optional): the same where no candidate of the mention has an
  anchor, so that its prior counts names alone ("Dylan" is the title of the
  language's page and only a name of Bob Dylan's): trained on the KB's links
  with their anchors hidden, it learns how far such a prior may be trusted
  against the context;
* ``linking``: P(the span is a mention of some KB entry), from its link
  probability and how well its best candidate fits.

A link's confidence is their product (A2KB); with the mentions given (D2KB)
it is the first alone. ``train`` fits both on links inside the KB's own
articles and stores them as ``model.json`` in the KB; the hand-set defaults
below serve KBs without one.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from .features import CANDIDATE_FEATURES, SPOT_FEATURES

__all__ = ["Logistic", "Model", "DEFAULT_MODEL", "MODEL_FILE"]

MODEL_FILE = "model.json"


@dataclass(frozen=True)
class Logistic:
    """Logistic regression on standardized features."""

    features: tuple[str, ...]
    weights: tuple[float, ...]
    bias: float
    mean: tuple[float, ...] = ()
    scale: tuple[float, ...] = ()

    def score(self, X: np.ndarray) -> np.ndarray:
        if len(X) == 0:
            return np.zeros(0, dtype=np.float64)
        Z = X.astype(np.float64)
        if self.mean:
            Z = (Z - self._mean) / self._scale
        # Column by column rather than ``Z @ w``: BLAS may sum a row's terms in an
        # order that depends on the number of rows, and a text's scores must not
        # depend on the texts scored beside it (``Linker.score_many``).
        z = Z[:, 0] * self.weights[0]
        for j in range(1, Z.shape[1]):
            z += Z[:, j] * self.weights[j]
        z += self.bias
        return 1.0 / (1.0 + np.exp(-np.clip(z, -40, 40)))

    # The parameters as arrays, made once: a document is scored in microseconds,
    # so converting the tuples on every call would be a fair share of it.
    @cached_property
    def _mean(self) -> np.ndarray:
        return np.asarray(self.mean, dtype=np.float64)

    @cached_property
    def _scale(self) -> np.ndarray:
        return np.asarray(self.scale, dtype=np.float64)

    def to_json(self) -> dict:
        return {"features": list(self.features), "weights": list(self.weights), "bias": self.bias,
                "mean": list(self.mean), "scale": list(self.scale)}

    @classmethod
    def from_json(cls, data: dict, expected: tuple[str, ...]) -> "Logistic":
        features = tuple(data.get("features", ()))
        if features != expected[:len(features)] or not features:
            raise ValueError("the model's features differ from this linkpedia's: rebuild the KB")
        # A model of an older KB lacks the features added since: they weigh nothing there.
        pad = len(expected) - len(features)
        mean, scale = tuple(data.get("mean", ())), tuple(data.get("scale", ()))
        return cls(expected, tuple(data["weights"]) + (0.0,) * pad, float(data["bias"]),
                   mean + (0.0,) * pad if mean else (), scale + (1.0,) * pad if scale else ())


@dataclass(frozen=True)
class Model:
    disambiguation: Logistic
    linking: Logistic
    name: str = "logistic.default.v2"
    trained_on: int = 0
    names: Logistic | None = None

    def p_entry(self, X: np.ndarray, spot: list[int], anchors: list[int]) -> np.ndarray:
        """P(entry | mention) of each (spot, candidate) row: by the names model
        where none of the spot's candidates has an anchor, else by ``disambiguation``."""
        p = self.disambiguation.score(X)
        if self.names is None or not len(X):
            return p
        spot_idx = np.asarray(spot, dtype=np.int64)
        anchored = np.bincount(spot_idx, weights=np.asarray(anchors, dtype=np.float64)) > 0
        rows = np.flatnonzero(~anchored[spot_idx])
        if len(rows):
            p[rows] = self.names.score(X[rows])
        return p

    def to_json(self) -> dict:
        out = {"name": self.name, "trained_on": self.trained_on,
               "disambiguation": self.disambiguation.to_json(), "linking": self.linking.to_json()}
        if self.names is not None:
            out["names"] = self.names.to_json()
        return out

    @classmethod
    def from_json(cls, data: dict) -> "Model":
        names = data.get("names")
        return cls(Logistic.from_json(data["disambiguation"], CANDIDATE_FEATURES),
                   Logistic.from_json(data["linking"], SPOT_FEATURES),
                   data.get("name", "logistic"), int(data.get("trained_on", 0)),
                   None if names is None else Logistic.from_json(names, CANDIDATE_FEATURES))

    def save(self, kb_dir: Path) -> None:
        tmp = kb_dir / (MODEL_FILE + ".tmp")
        tmp.write_text(json.dumps(self.to_json(), indent=1))
        os.replace(tmp, kb_dir / MODEL_FILE)

    @classmethod
    def load(cls, kb_dir: Path) -> "Model | None":
        path = kb_dir / MODEL_FILE
        if not path.is_file():
            return None
        return cls.from_json(json.loads(path.read_text()))


DEFAULT_MODEL = Model(
    # prior, log_prior, context, local_context, coherence, exact, top_prior, log_popularity,
    # graph_known, context_gap
    disambiguation=Logistic(CANDIDATE_FEATURES, (3.0, 0.5, 2.0, 2.0, 3.0, 0.3, 0.5, 0.1, 0.0, 10.0), -3.0),
    # link_prob, link_prob_unknown, best_score, margin, best_context, best_coherence,
    # capitalized, words, exact, log_candidates, page_link_prob, best_graph_known
    linking=Logistic(SPOT_FEATURES, (3.0, 1.0, 2.0, 1.0, 1.0, 1.0, 1.0, 0.2, 0.3, 0.0, 3.0, 0.0), -2.5),
)
