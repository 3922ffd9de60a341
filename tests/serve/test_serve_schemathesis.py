"""Schemathesis, run against the OpenAPI document a real server publishes, finds no failure.

Property-based: it generates valid and invalid requests for every operation
from the document and checks the answers: no server error, only documented
status codes, content types and bodies, invalid input refused. The one check
left out for ``POST /gerbil`` is "schema-valid data is accepted": its schema
can only say "a string", and most strings are not NIF.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from serverproc import server  # noqa: E402,F401 - fixtures

CONFIG = """\
[[operations]]
include-path = "/gerbil"
checks.positive_data_acceptance.enabled = false
"""


def test_schemathesis_finds_no_failure(server, tmp_path):
    pytest.importorskip("schemathesis", reason="pip install 'linkpedia[test]'")
    config = tmp_path / "schemathesis.toml"
    config.write_text(CONFIG, encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "schemathesis.cli", "--no-color", "--config-file", str(config), "run",
         f"{server.url}/openapi.json", "--max-examples", "15", "--seed", "20261127",
         "--request-timeout", "20"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
    )
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    assert "5/5" in run.stdout  # every operation was tested
    assert "Server error" not in run.stdout
    assert "Traceback" not in server.log()
