"""Builds and updates under signals and races (issue 14, part 2): real processes, real signals.

SIGKILL at random moments leaves the previous KB whole and the next build or
update cleans up; SIGTERM ends a build like Ctrl-C; a second writer of the
same KB is refused with the first one's pid.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import linkpedia
from linkpedia.kb import leftovers
from linkpedia.kb.lock import lock_path, write_lock
from linkpedia.kb.update import update_kb

from conftest import SAMPLE

TEXT = (SAMPLE / "sample-text.txt").read_text(encoding="utf-8")
OPTIONS = linkpedia.BuildOptions(jobs=1)  # one worker process (two with the parent) on 2 cores
CTX = mp.get_context("fork")
ENV = {**os.environ, "PYTHONPATH": str(Path(linkpedia.__file__).parent.parent)}


def _build(src: Path, out: Path) -> None:
    linkpedia.build_kb([src], out, options=OPTIONS)


def _update(kb: Path, src: Path) -> None:
    update_kb(kb, [src], options=OPTIONS)


def _run(target, *args) -> tuple[int, float]:
    started = time.perf_counter()
    proc = CTX.Process(target=target, args=args)
    proc.start()
    proc.join()
    return proc.exitcode, time.perf_counter() - started


def _kill_at(delay: float, target, *args) -> None:
    proc = CTX.Process(target=target, args=args)
    proc.start()
    time.sleep(delay)
    os.kill(proc.pid, signal.SIGKILL)
    proc.join()


def _links(kb_dir: Path):
    with linkpedia.open_kb(kb_dir) as kb:
        return kb.link(TEXT).links


def _clean(out: Path) -> None:
    assert leftovers.find(out) == []
    assert not lock_path(out).exists()
    assert not [p for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.tmp-")]


def _edited(tmp_path: Path, k: int) -> Path:
    """Three sample pages with a changed ending (k alternates, so each update changes them)."""
    src = (SAMPLE / "sample-wiki.xml").read_text(encoding="utf-8")
    head, rest = src.split("<page>", 1)
    pages = ["<page>" + p.split("</mediawiki>")[0] for p in rest.split("<page>")][:3]
    pages = [p.replace("</text>", f"\n\nEdit {k}: [[Kaunas]] and [[Vilnius]].</text>") for p in pages]
    path = tmp_path / f"edit{k}.xml"
    path.write_text(head + "".join(pages) + "</mediawiki>\n", encoding="utf-8")
    return path


def test_sigkill_at_20_moments_of_a_build(tmp_path):
    src, out = SAMPLE / "sample-wiki.xml", tmp_path / "kb"
    code, seconds = _run(_build, src, out)
    assert code == 0
    before = _links(out)
    assert before
    rng = random.Random(14)
    for _ in range(20):
        _kill_at(rng.uniform(0, seconds * 1.1), _build, src, out)
        assert _links(out) == before  # the previous KB (or, just finished, an equal one)
        code, seconds = _run(_build, src, out)
        assert code == 0
        _clean(out)
        assert _links(out) == before


def test_sigkill_at_20_moments_of_an_update(tmp_path):
    out = tmp_path / "kb"
    linkpedia.build_kb([SAMPLE / "sample-wiki.xml"], out, options=OPTIONS)
    edits = [_edited(tmp_path, 0), _edited(tmp_path, 1)]
    code, seconds = _run(_update, out, edits[0])
    assert code == 0
    rng = random.Random(14)
    for i in range(20):
        before, live = _links(out), (out / "CURRENT").read_text()
        _kill_at(rng.uniform(0, seconds * 1.1), _update, out, edits[(i + 1) % 2])
        if (out / "CURRENT").read_text() == live:  # killed before the switch: the KB as it was
            assert _links(out) == before
        else:
            _links(out)  # switched just before the kill: the new KB, whole
        code, seconds = _run(_update, out, edits[i % 2])
        assert code == 0
        _clean(out)
        gens = sorted(p.name for p in out.iterdir() if p.name.startswith("g"))
        assert len(gens) <= 2, gens  # the live generation and the one before it


def _cli(*args: str, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "linkpedia.cli", *args], env=env or ENV, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _big_dump(tmp_path: Path, copies: int = 8) -> Path:
    src = (SAMPLE / "sample-wiki.xml").read_text(encoding="utf-8")
    head, rest = src.split("<page>", 1)
    body = "<page>" + rest.rsplit("</mediawiki>", 1)[0]
    parts = [head, body]
    for k in range(1, copies):
        parts.append(body.replace("<title>", f"<title>C{k} ").replace('<redirect title="', f'<redirect title="C{k} '))
    path = tmp_path / "big.xml"
    path.write_text("".join(parts) + "</mediawiki>\n", encoding="utf-8")
    return path


def _wait_for(pred, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not pred():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_sigterm_ends_a_build_like_ctrl_c(tmp_path):
    out = tmp_path / "kb"
    linkpedia.build_kb([SAMPLE / "sample-wiki.xml"], out, options=OPTIONS)
    before = _links(out)
    proc = _cli("build", str(_big_dump(tmp_path)), "--out", str(out), "-j", "2")
    _wait_for(lambda: (tmp_path / f".kb.tmp-{proc.pid}" / "kb.sqlite").exists())
    time.sleep(0.3)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 143, err
    assert err.strip() == "Error: terminated"
    _clean(out)
    assert _links(out) == before


def _hold(out: Path, ready, done) -> None:
    with write_lock(out):
        ready.set()
        done.wait(30)


@pytest.mark.parametrize("command", ["build", "update"])
def test_a_second_writer_is_refused_with_the_first_ones_pid(tmp_path, command):
    out = tmp_path / "kb"
    linkpedia.build_kb([SAMPLE / "sample-wiki.xml"], out, options=OPTIONS)
    ready, done = CTX.Event(), CTX.Event()
    holder = CTX.Process(target=_hold, args=(out, ready, done))
    holder.start()
    try:
        assert ready.wait(10)
        args = (["build", str(SAMPLE / "sample-wiki.xml"), "--out", str(out)] if command == "build"
                else ["update", str(out), str(_edited(tmp_path, 0))])
        proc = _cli(*args)
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 2
        lines = err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: ") and f"pid {holder.pid}" in lines[0], err
    finally:
        done.set()
        holder.join()
    _clean(out)


def test_two_real_builds_at_once(tmp_path):
    out, dump = tmp_path / "kb", _big_dump(tmp_path)
    first = _cli("build", str(dump), "--out", str(out), "-j", "1")
    _wait_for(lambda: lock_path(out).exists() and lock_path(out).read_text().strip() == str(first.pid))
    second = _cli("build", str(dump), "--out", str(out), "-j", "1")
    _, err2 = second.communicate(timeout=60)
    out1, err1 = first.communicate(timeout=120)
    assert first.returncode == 0 and out1.startswith("Built"), err1
    assert second.returncode == 2 and f"pid {first.pid}" in err2 and "Built" not in err2
    _clean(out)


def test_info_reports_leftovers(tmp_path):
    out = tmp_path / "kb"
    linkpedia.build_kb([SAMPLE / "sample-wiki.xml"], out, options=OPTIONS)
    dead = CTX.Process(target=time.sleep, args=(0,))
    dead.start()
    dead.join()
    (tmp_path / f".kb.tmp-{dead.pid}").mkdir()
    (tmp_path / f".kb.tmp-{dead.pid}" / "kb.sqlite").write_bytes(b"x" * 1000)
    proc = _cli("info", str(out), env={**ENV, "COLUMNS": "300"})
    text, _ = proc.communicate(timeout=60)
    assert f".kb.tmp-{dead.pid}" in text and "dead" in text
    proc = _cli("info", str(out), "--json")
    found = json.loads(proc.communicate(timeout=60)[0])["leftovers"]
    assert [(Path(f["path"]).name, f["pid"], f["alive"]) for f in found] == [(f".kb.tmp-{dead.pid}", dead.pid, False)]
    linkpedia.build_kb([SAMPLE / "sample-wiki.xml"], out, options=OPTIONS)
    _clean(out)


def test_a_kb_stranded_between_two_renames_is_put_back(tmp_path):
    # Where renameat2 cannot swap the directories, a build moves the old KB aside first;
    # killed right then, the next build or update finds it there and puts it back.
    out = tmp_path / "kb"
    linkpedia.build_kb([SAMPLE / "sample-wiki.xml"], out, options=OPTIONS)
    before = _links(out)
    dead = CTX.Process(target=time.sleep, args=(0,))
    dead.start()
    dead.join()
    out.rename(tmp_path / f".kb.old-{dead.pid}")
    (tmp_path / f".kb.tmp-{dead.pid}").mkdir()
    leftovers.clean(out)
    assert _links(out) == before
    _clean(out)


_FINALIZER_SCRIPT = """\
import os, signal, sys, time, weakref
from linkpedia import cli
cli._terminate_like_interrupt()
class Held: pass
held = Held()
def finalize():
    os.kill(os.getpid(), signal.SIGTERM)
    for _ in range(200):
        time.sleep(0.001)  # the handler runs in here, and Python drops what it raises
weakref.finalize(held, finalize)
try:
    del held
    for _ in range(200):
        time.sleep(0.01)
    print("went on")
except cli._Terminated:
    print("terminated")
"""


def test_a_sigterm_that_lands_in_a_finalizer_still_ends_the_command():
    """A finalizer (a weakref callback, multiprocessing's Finalize) swallows the
    exception the handler raises inside it; the signal is delivered again after."""
    done = subprocess.run([sys.executable, "-c", _FINALIZER_SCRIPT], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "terminated", done.stdout + done.stderr
    assert "Exception ignored" not in done.stderr
