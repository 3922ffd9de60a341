"""Score a linker on entity-linking benchmarks, the way GERBIL does.

``load_dataset`` reads a benchmark (common JSONL, NIF 2.0 Turtle, AIDA-CoNLL),
``evaluate`` links it with an annotator (anything with ``link`` and
``resolve``, such as an opened KB) and returns the numbers, ``write_report``
writes tables, per-document scores, error examples and HTML pages.
docs/evaluation.md explains the metrics.
"""

from __future__ import annotations

from .datasets import Dataset, GoldDocument, GoldLink, load_dataset, read_conll, read_jsonl, read_nif_dataset
from .metrics import Counts, DocumentResult, Scores, aggregate, compare, prf
from .report import dataset_table, summary_table, to_markdown, write_report
from .run import Annotator, DatasetResult, EvaluationResult, evaluate

__all__ = [
    "Annotator",
    "Counts",
    "Dataset",
    "DatasetResult",
    "DocumentResult",
    "EvaluationResult",
    "GoldDocument",
    "GoldLink",
    "Scores",
    "aggregate",
    "compare",
    "dataset_table",
    "evaluate",
    "load_dataset",
    "prf",
    "read_conll",
    "read_jsonl",
    "read_nif_dataset",
    "summary_table",
    "to_markdown",
    "write_report",
]
