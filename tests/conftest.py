"""Fixtures shared by the whole suite.

Tests that read ../shared/data skip with a reason when it is absent, and fail
under CI=true (CI always has it beside the clone).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("LINKPEDIA_SHARED", REPO.parent / "shared"))


def need_shared(*parts: str) -> Path:
    """Path under ../shared, or skip (fail under CI=true) when it is missing."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        message = f"{path} is absent: this test needs the project's shared data beside the clone"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture
def shared_data() -> Path:
    return need_shared("data")


@pytest.fixture
def seed_dir() -> Path:
    return need_shared("seed")


SAMPLE = REPO / "src" / "linkpedia" / "data" / "sample"


@pytest.fixture(scope="session")
def sample_kb(tmp_path_factory) -> Path:
    """A KB built once per run from the bundled sample encyclopedia."""
    import linkpedia

    out = tmp_path_factory.mktemp("sample") / "kb"
    linkpedia.build_kb([SAMPLE / "sample-wiki.xml"], out, options=linkpedia.BuildOptions(jobs=1))
    return out


def build_sample_with_base(tmp_path: Path, base: str) -> Path:
    """A KB of the bundled sample dump, as if it came from the wiki whose main page is ``base``."""
    import re

    import linkpedia

    xml = (SAMPLE / "sample-wiki.xml").read_text(encoding="utf-8")
    (tmp_path / "wiki.xml").write_text(re.sub(r"<base>[^<]*</base>", f"<base>{base}</base>", xml, count=1),
                                       encoding="utf-8")
    out = tmp_path / "kb"
    linkpedia.build_kb([tmp_path / "wiki.xml"], out, options=linkpedia.BuildOptions(jobs=1))
    return out


def jsonl_kb(directory: Path, articles: dict[str, str]):
    """A KB built from link-less JSONL articles (title -> text) written for a test, opened."""
    import json

    import linkpedia

    src = directory / "articles.jsonl"
    src.write_text("".join(json.dumps({"title": t, "text": x}) + "\n" for t, x in articles.items()),
                   encoding="utf-8")
    linkpedia.build_kb([src], directory / "kb", options=linkpedia.BuildOptions(jobs=1))
    return linkpedia.open_kb(directory / "kb")


def span_of(text: str, name: str) -> tuple[int, int]:
    """The (start, end) of ``name``'s first occurrence in ``text``: a gold span written for a test."""
    start = text.index(name)
    return start, start + len(name)
