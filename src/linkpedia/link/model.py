"""The scorer: a logistic model over the disambiguation features.

Its output is a probability that the mention refers to the candidate and
should be linked; ``train`` fits it on links inside the KB's own articles and
stores it as ``model.json`` in the KB, and the hand-set default below is used
only for KBs without one.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .features import FEATURES

__all__ = ["Model", "DEFAULT_MODEL", "MODEL_FILE"]

MODEL_FILE = "model.json"


@dataclass(frozen=True)
class Model:
    weights: tuple[float, ...]
    bias: float
    name: str = "logistic.default.v1"
    trained_on: int = 0  # number of training pairs
    mean: tuple[float, ...] = ()  # feature standardization (empty = none)
    scale: tuple[float, ...] = ()

    def score(self, X: np.ndarray) -> np.ndarray:
        if len(X) == 0:
            return np.zeros(0, dtype=np.float64)
        Z = X.astype(np.float64)
        if self.mean:
            Z = (Z - np.asarray(self.mean)) / np.asarray(self.scale)
        z = Z @ np.asarray(self.weights, dtype=np.float64) + self.bias
        return 1.0 / (1.0 + np.exp(-np.clip(z, -40, 40)))

    def to_json(self) -> dict:
        return {"name": self.name, "features": list(FEATURES), "weights": list(self.weights),
                "bias": self.bias, "trained_on": self.trained_on, "mean": list(self.mean),
                "scale": list(self.scale)}

    @classmethod
    def from_json(cls, data: dict) -> "Model":
        if list(data.get("features", [])) != list(FEATURES):
            raise ValueError("model features differ from this linkpedia's")
        return cls(tuple(data["weights"]), float(data["bias"]), data.get("name", "logistic"),
                   int(data.get("trained_on", 0)), tuple(data.get("mean", ())),
                   tuple(data.get("scale", ())))

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


# prior, log_prior, context, coherence, link_prob, exact, top_prior, log_popularity, local_context
DEFAULT_MODEL = Model(weights=(2.0, 0.3, 2.0, 3.0, 3.0, 0.5, 0.5, 0.1, 2.0), bias=-3.0)
