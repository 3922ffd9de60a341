"""A damaged index says so in one line at open; `linkpedia check` finds damage and repairs the index."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

import linkpedia
from linkpedia.cli import cli
from linkpedia.errors import KBDamagedError


@pytest.fixture
def kb(sample_kb, tmp_path) -> Path:
    out = tmp_path / "kb"
    shutil.copytree(sample_kb, out)
    return out


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def one_error_line(res, *needles):
    assert res.exit_code == 2, res.output
    lines = [ln for ln in res.output.splitlines() if ln.startswith("Error: ")]
    assert len(lines) == 1 and "Traceback" not in res.output, res.output
    for n in needles:
        assert n in lines[0], lines[0]


def truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


@pytest.mark.parametrize("damage", ["truncated npy", "garbage marisa", "truncated npy, no manifest",
                                    "garbage marisa, no manifest", "wrong shape"])
def test_damaged_index_is_one_line_at_open(kb, damage):
    ix = kb / "index"
    if "npy" in damage:
        truncate(ix / "cand_entry.npy")
    elif "marisa" in damage:
        (ix / "surfaces.marisa").write_bytes(b"\x00garbage" * 300)
    else:
        import numpy as np
        np.save(ix / "popularity.npy", np.zeros(3, dtype=np.int32))
    if "no manifest" in damage or damage == "wrong shape":
        (ix / "manifest.json").unlink()
    with pytest.raises(KBDamagedError, match="rebuild the index with `linkpedia check"):
        linkpedia.open_kb(kb)
    one_error_line(run("link", "-", "--kb", kb), "index is damaged", "--repair")
    one_error_line(run("check", kb), "index")
    res = run("check", kb, "--repair")
    assert res.exit_code == 0, res.output
    assert linkpedia.open_kb(kb).link("Kaunas is in Lithuania.").links
    assert run("check", kb).exit_code == 0


def test_check_a_sound_kb(kb):
    res = run("check", kb)
    assert res.exit_code == 0, res.output
    assert [ln.split(":")[0] for ln in res.output.splitlines()] == ["kb.sqlite", "index", "scorer"]


def test_check_finds_a_flipped_byte_and_a_corrupt_store(kb):
    path = kb / "index" / "prof_weight.npy"
    data = bytearray(path.read_bytes())
    data[-3] ^= 0xFF
    path.write_bytes(bytes(data))
    one_error_line(run("check", kb), "index")
    assert run("check", kb, "--repair").exit_code == 0
    db = kb / "kb.sqlite"
    con = sqlite3.connect(db)
    page = con.execute("PRAGMA page_size").fetchone()[0]
    con.close()
    data = bytearray(db.read_bytes())
    for i in range(page * 3, page * 6):  # inside some b-tree pages, past the schema
        data[i] = 0x55
    db.write_bytes(bytes(data))
    res = run("check", kb)
    assert res.exit_code == 2 and "Traceback" not in res.output, res.output
    assert "kb.sqlite: DAMAGED" in res.output or "not a linkpedia KB" in res.output


def test_check_on_no_kb(tmp_path):
    one_error_line(run("check", tmp_path / "nokb"), "no such KB")
