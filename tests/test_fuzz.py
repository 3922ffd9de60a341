"""A sample of bench/fuzz.py's inputs (issue 14, part 4): no exception but LinkpediaError, no 5xx.

The benchmark runs 100,000 inputs per target; this runs a few hundred of each,
with the seed of the day so that every run tries new ones (the seed is in the
failure message, to replay it: ``bench/fuzz.py --seed S --n N --targets T``).
"""

from __future__ import annotations

import datetime
import importlib.util
import os

import pytest

import sys


from conftest import REPO

sys.path.insert(0, str(REPO / "tests" / "serve"))
from serverproc import kb, server  # noqa: E402,F401 - fixtures

SEED = int(os.environ.get("LINKPEDIA_FUZZ_SEED") or datetime.date.today().strftime("%Y%m%d"))
N = 300


def _fuzz():
    spec = importlib.util.spec_from_file_location("fuzz", REPO / "bench" / "fuzz.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules["fuzz"] = mod  # dataclasses look their module up there
    spec.loader.exec_module(mod)
    return mod


fuzz = _fuzz()


@pytest.mark.parametrize("target", list(fuzz.TARGETS))
def test_fuzz_sample(target, kb, server, tmp_path):
    res = fuzz.run_target(target, N, SEED, kb=kb, port=server.port, work=tmp_path)
    assert res.tried == N
    assert res.n_crashes == 0, (f"seed {SEED}: " + "; ".join(f"{n} x {k}" for k, n in res.crashes.items())
                                + "\n\n" + next(iter(res.examples.values()))[:3000])
    if target in ("api-link", "gerbil"):
        assert "unhandled error" not in server.log()
