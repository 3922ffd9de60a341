"""`linkpedia update`: a KB built from A and updated with B equals one built from scratch."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import linkpedia
from linkpedia.cli import cli
from linkpedia.kb.store import live_dir
from linkpedia.kb.update import update_kb
from linkpedia.sources import open_source

from conftest import SAMPLE, need_shared
from kbcompare import assert_same_kb, downgrade_contexts_to_schema_3, models_close

EN = "enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2"
HEAD = '<mediawiki xmlns="http://www.mediawiki.org/xml/export-0.11/" version="0.11" xml:lang="en">\n'


def write_dump(path: Path, pages: list[tuple[str, str, str | None]]) -> Path:
    body = []
    for i, (title, text, redirect) in enumerate(pages, start=1):
        red = f"<redirect title={quoteattr(redirect)} />" if redirect else ""
        body.append(f"<page><title>{escape(title)}</title><ns>0</ns><id>{i}</id>{red}<revision>"
                    f"<id>{i}</id><text>{escape(text)}</text></revision></page>\n")
    path.write_text(HEAD + "".join(body) + "</mediawiki>\n", encoding="utf-8")
    return path


def read_pages(dump: Path) -> list[tuple[str, str, str | None]]:
    return [(p.title, p.text, p.redirect) for p in open_source(dump).pages()]


def edit(text: str, k: int) -> str:
    """A changed version: drop the first link's brackets, add new links and words."""
    i = text.find("[[")
    j = text.find("]]", i)
    if i >= 0 and j > i:
        inner = text[i + 2:j].split("|")[-1]
        text = text[:i] + inner + text[j + 2:]
    return text + f"\n\nEdit {k} mentions [[Aristotle]], [[Kaunas|the city of Kaunas]] and [[Zzz new entry {k}]]."


@pytest.fixture(scope="module")
def en_pages():
    return read_pages(need_shared("data", "dumps", EN))


def test_update_equals_rebuild_on_the_english_dump(en_pages, tmp_path):
    articles = [i for i, p in enumerate(en_pages) if not p[2]]
    new = set(articles[-15:])
    deleted = set(articles[:60:6])
    edited = set(articles[3:80:8]) - deleted
    a_pages = [p for i, p in enumerate(en_pages) if i not in new]
    b_pages = [(t, edit(x, i), r) for i, (t, x, r) in enumerate(en_pages) if i in edited] + \
              [p for i, p in enumerate(en_pages) if i in new]
    b_pages.append(("Zzz new entry 3", "A brand new page about [[Aristotle]].", None))
    final = {t: (t, x, r) for t, x, r in a_pages}
    for title in (en_pages[i][0] for i in deleted):
        del final[title]
    for t, x, r in b_pages:
        final[t] = (t, x, r)
    opts = linkpedia.BuildOptions(jobs=2)
    linkpedia.build_kb([write_dump(tmp_path / "a.xml", a_pages)], tmp_path / "kb", options=opts)
    (tmp_path / "deleted.txt").write_text("\n".join(en_pages[i][0] for i in deleted), encoding="utf-8")
    res = CliRunner().invoke(cli, ["update", str(tmp_path / "kb"), str(write_dump(tmp_path / "b.xml", b_pages)),
                                   "--delete", str(tmp_path / "deleted.txt")])
    assert res.exit_code == 0, res.output
    linkpedia.build_kb([write_dump(tmp_path / "f.xml", list(final.values()))], tmp_path / "scratch", options=opts)
    assert_same_kb(tmp_path / "kb", tmp_path / "scratch")
    ma = json.loads((live_dir(tmp_path / "kb") / "model.json").read_text())
    mb = json.loads((live_dir(tmp_path / "scratch") / "model.json").read_text())
    assert models_close(ma, mb)
    kb = linkpedia.open_kb(tmp_path / "kb")
    (u,) = kb.info()["updates"]
    assert (u["added"], u["changed"], u["deleted"]) == (16, len(edited), len(deleted))
    assert kb.resolve("Zzz new entry 3") == "Zzz new entry 3"
    res = CliRunner().invoke(cli, ["info", str(tmp_path / "kb")])
    assert "16 added" in res.output


def _sample_pages() -> list[tuple[str, str, str | None]]:
    return read_pages(SAMPLE / "sample-wiki.xml")


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_edit_sequences(tmp_path_factory, data):
    pages = _sample_pages()
    titles = [p[0] for p in pages]
    tmp = tmp_path_factory.mktemp("prop")
    opts = linkpedia.BuildOptions(jobs=1, train=False)
    start = data.draw(st.sets(st.sampled_from(titles), min_size=10), label="initial pages")
    current = {t: p for t, p in ((p[0], p) for p in pages) if t in start}
    linkpedia.build_kb([write_dump(tmp / "a.xml", list(current.values()))], tmp / "kb", options=opts)
    for step in range(data.draw(st.integers(1, 3), label="updates")):
        add = data.draw(st.sets(st.sampled_from(titles), max_size=8), label="add or change")
        drop = data.draw(st.sets(st.sampled_from(sorted(current)), max_size=4), label="delete") - add
        if len(drop) >= len(current):
            drop = set()
        changed = []
        for t in sorted(add):
            p = next(p for p in pages if p[0] == t)
            if t in current and data.draw(st.booleans(), label=f"edit {t}"):
                p = (p[0], edit(p[1], step), p[2])
            changed.append(p)
            current[t] = p
        for t in drop:
            del current[t]
        (tmp / "del.txt").write_text("\n".join(sorted(drop)), encoding="utf-8")
        if not changed and not drop:
            continue
        update_kb(tmp / "kb", [write_dump(tmp / f"b{step}.xml", changed)] if changed else [],
                  delete=sorted(drop), options=opts)
    linkpedia.build_kb([write_dump(tmp / "f.xml", list(current.values()))], tmp / "scratch", options=opts)
    assert_same_kb(tmp / "kb", tmp / "scratch")


def test_an_update_brings_a_schema_3_kb_to_the_rebuild(tmp_path):
    """Version 3 wrote titles and terms in every context row; the update that
    migrates it leaves the KB a build of the same pages gives."""
    pages = _sample_pages()
    opts = linkpedia.BuildOptions(jobs=1, train=False)
    linkpedia.build_kb([write_dump(tmp_path / "a.xml", pages[:-5])], tmp_path / "kb", options=opts)
    con = sqlite3.connect(live_dir(tmp_path / "kb") / "kb.sqlite")
    downgrade_contexts_to_schema_3(con)
    con.execute("UPDATE meta SET value = '3' WHERE key = 'schema_version'")
    con.commit()
    con.close()
    changed = [(t, edit(x, 1), r) for t, x, r in pages[:3]] + pages[-5:]
    update_kb(tmp_path / "kb", [write_dump(tmp_path / "b.xml", changed)], options=opts)
    final = {t: (t, x, r) for t, x, r in pages}
    final.update({t: (t, x, r) for t, x, r in changed})
    linkpedia.build_kb([write_dump(tmp_path / "f.xml", list(final.values()))], tmp_path / "scratch", options=opts)
    assert_same_kb(tmp_path / "kb", tmp_path / "scratch")
    con = sqlite3.connect(live_dir(tmp_path / "kb") / "kb.sqlite")
    assert con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == ("4",)
    assert con.execute("SELECT count(*) FROM context_counts").fetchone()[0] > 100
    con.close()


def test_killed_update_leaves_the_kb_whole(tmp_path):
    pages = _sample_pages()
    linkpedia.build_kb([write_dump(tmp_path / "a.xml", pages[:30])], tmp_path / "kb",
                       options=linkpedia.BuildOptions(jobs=1))
    before = linkpedia.open_kb(tmp_path / "kb").info()["counts"]
    dump = write_dump(tmp_path / "b.xml", pages[30:])
    env = {**os.environ, "PYTHONPATH": str(Path(linkpedia.__file__).parent.parent)}
    for delay in (0.3, 0.8, 1.5):
        proc = subprocess.Popen([sys.executable, "-m", "linkpedia.cli", "update", str(tmp_path / "kb"),
                                 str(dump)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        kb = linkpedia.open_kb(tmp_path / "kb")  # whole: the old KB, or the new one if it finished
        assert kb.info()["counts"]["entries"] in (before["entries"], len(pages) - 5 - 2 + 2)
        kb.close()
    res = CliRunner().invoke(cli, ["update", str(tmp_path / "kb"), str(dump)])
    assert res.exit_code == 0, res.output
    assert not [p for p in (tmp_path / "kb").iterdir() if p.name.startswith(".update-")]


def test_readers_keep_their_view(tmp_path):
    pages = _sample_pages()
    linkpedia.build_kb([write_dump(tmp_path / "a.xml", pages[:40])], tmp_path / "kb",
                       options=linkpedia.BuildOptions(jobs=1, train=False))
    old = linkpedia.open_kb(tmp_path / "kb")
    text = "Kaunas was the temporary capital of Lithuania."
    before = old.link(text)
    update_kb(tmp_path / "kb", [write_dump(tmp_path / "b.xml", pages[40:])],
              options=linkpedia.BuildOptions(jobs=1, train=False))
    assert old.link(text) == before  # the old generation is still there for it
    new = linkpedia.open_kb(tmp_path / "kb")
    assert new.index.n_entries > old.index.n_entries


def test_update_errors(tmp_path):
    runner = CliRunner()
    res = runner.invoke(cli, ["update", str(tmp_path / "nokb"), str(tmp_path / "x.xml")])
    assert res.exit_code == 2 and "no such KB" in res.output
    pages = _sample_pages()
    linkpedia.build_kb([write_dump(tmp_path / "a.xml", pages[:20])], tmp_path / "kb",
                       options=linkpedia.BuildOptions(jobs=1, train=False))
    res = runner.invoke(cli, ["update", str(tmp_path / "kb")])
    assert res.exit_code == 2 and "nothing to update" in res.output
    res = runner.invoke(cli, ["update", str(tmp_path / "kb"), "--delete", str(tmp_path / "missing.txt")])
    assert res.exit_code == 2 and "missing.txt" in res.output
    bad = tmp_path / "bad.xml"
    bad.write_text(HEAD + "<page><title>X</title>", encoding="utf-8")
    res = runner.invoke(cli, ["update", str(tmp_path / "kb"), str(bad)])
    assert res.exit_code == 2 and "bad.xml" in res.output
    assert not [p for p in (tmp_path / "kb").iterdir() if p.name.startswith(".update-")]
    assert linkpedia.open_kb(tmp_path / "kb").info()["updates"] == []


def test_live_kb_follows_updates(tmp_path):
    from linkpedia.kb.live import LiveKB

    pages = _sample_pages()
    linkpedia.build_kb([write_dump(tmp_path / "a.xml", pages[:40])], tmp_path / "kb",
                       options=linkpedia.BuildOptions(jobs=1, train=False))
    live = LiveKB(tmp_path / "kb", check_every=0.0)
    first = live.current()
    assert live.current() is first
    update_kb(tmp_path / "kb", [write_dump(tmp_path / "b.xml", pages[40:])],
              options=linkpedia.BuildOptions(jobs=1, train=False))
    second = live.current()
    assert second is not first and live.reloads == 1
    assert second.index.n_entries > first.index.n_entries
    assert first.link("Kaunas and Vilnius.").text  # the old one still works
