"""Fixtures of the Spark tests: one local[2] session, and the English dump's local KB.

Imported by the test modules (a second conftest.py would shadow the suite's).
Without pyspark or Java the tests skip with the reason; under CI=true they fail.
"""

from __future__ import annotations

import os

import pytest

import linkpedia

from conftest import need_shared

EN = "enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2"


def _need_spark() -> None:
    from linkpedia.spark.session import SparkUnavailableError, require_pyspark

    try:
        require_pyspark()
    except SparkUnavailableError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the Spark tests: {exc}")
        pytest.skip(str(exc))


@pytest.fixture(scope="session")
def spark():
    """The session every Spark test shares: local[2], no UI, bound to 127.0.0.1."""
    _need_spark()
    from linkpedia.spark import spark_session

    with spark_session("local[2]", "linkpedia tests") as session:
        yield session


@pytest.fixture(scope="session")
def en_dump():
    return need_shared("data", "dumps", EN)


@pytest.fixture(scope="session")
def en_kb(tmp_path_factory, en_dump):
    """The English dump built by the local, single-machine build."""
    out = tmp_path_factory.mktemp("en-local") / "kb"
    linkpedia.build_kb([en_dump], out, options=linkpedia.BuildOptions(jobs=2))
    return out


@pytest.fixture(scope="session")
def link_kb(tmp_path_factory):
    """A KB that links a lot: the ~10k vital articles' summaries (no link data, so every title spots)."""
    source = need_shared("data", "kb-sources", "ovos_summaries_en.jsonl")
    out = tmp_path_factory.mktemp("vital") / "kb"
    linkpedia.build_kb([source], out, options=linkpedia.BuildOptions(jobs=2, fields={"text": "extract"}))
    return out
