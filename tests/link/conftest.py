from __future__ import annotations

from pathlib import Path

import pytest

import linkpedia

SAMPLE = Path(__file__).resolve().parents[2] / "src/linkpedia/data/sample"


@pytest.fixture(scope="session")
def sample_kb(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sample") / "kb"
    linkpedia.build_kb([SAMPLE / "sample-wiki.xml"], out, options=linkpedia.BuildOptions(jobs=1))
    return out
