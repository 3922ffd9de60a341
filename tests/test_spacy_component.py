"""The spaCy component against real spaCy: a blank English pipeline, an
EntityRuler for given entities, the bundled sample KB; no model download."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap

import pytest

spacy = pytest.importorskip("spacy", reason="spaCy is not installed (pip install 'linkpedia[spacy]')")

from spacy.tokens import Doc  # noqa: E402

import linkpedia  # noqa: E402

from conftest import SAMPLE  # noqa: E402

TEXT = (SAMPLE / "sample-text.txt").read_text(encoding="utf-8")
PARAGRAPHS = [p.strip() for p in TEXT.split("\n\n") if p.strip()]
OPTIONS = {"mode": "entities", "threshold": 0.5}


def _nlp(kb, ruler_patterns=None, **config):
    nlp = spacy.blank("en")
    if ruler_patterns is not None:
        nlp.add_pipe("entity_ruler").add_patterns(ruler_patterns)
    nlp.add_pipe("linkpedia", config={"kb": str(kb), **config})
    return nlp


def _ents(doc):
    return [(e.start, e.end, e.label_, e.kb_id_, e._.linkpedia_score, e._.linkpedia_preview) for e in doc.ents]


@pytest.fixture(scope="module")
def kb(sample_kb):
    return linkpedia.open_kb(sample_kb)


def test_detected_mentions_become_ents_with_kb_ids_and_extensions(sample_kb, kb):
    doc = _nlp(sample_kb, **OPTIONS)(TEXT)
    assert len(doc.ents) >= 20
    for ent in doc.ents:
        assert ent.label_ == "ENTITY"
        assert ent.kb_id_ and kb.resolve(ent.kb_id_) == ent.kb_id_
        assert 0.5 <= ent._.linkpedia_score <= 1.0
        assert ent._.linkpedia_preview == kb.preview(ent.kb_id_)
    assert {"Kaunas", "Vilnius", "Soviet Union"} <= {e.kb_id_ for e in doc.ents}


def test_doc_links_are_kb_links_and_each_is_an_ent(sample_kb, kb):
    doc = _nlp(sample_kb, **OPTIONS)(TEXT)
    expected = kb.link(TEXT, policy="all", **OPTIONS).links
    assert doc._.linkpedia_links == expected
    assert doc._.linkpedia_skipped == ()  # the sample's mentions all fall on token boundaries
    assert [(e.start_char, e.end_char, e.kb_id_, e._.linkpedia_score) for e in doc.ents] == \
        [(lk.start, lk.end, lk.title, lk.score) for lk in expected]


def test_the_label_is_configurable(sample_kb):
    doc = _nlp(sample_kb, label="WIKI")("Kaunas lies on the Neris.")
    assert doc.ents and {e.label_ for e in doc.ents} == {"WIKI"}


RULER = [{"label": "GPE", "pattern": "Kaunas"}, {"label": "GPE", "pattern": "Vilnius"},
         {"label": "ORG", "pattern": "Acme Widgets"}]
RULER_TEXT = "Kaunas was the temporary capital of Lithuania while Poland held Vilnius; Acme Widgets stayed."


def test_entity_ruler_ents_are_linked_on_the_given_span_path(sample_kb, kb):
    nlp = _nlp(sample_kb, RULER)
    ruled = nlp.get_pipe("entity_ruler")(nlp.make_doc(RULER_TEXT))
    doc = nlp(RULER_TEXT)
    # exactly the ruler's spans, labels kept; Lithuania and Poland are not added
    assert [(e.start, e.end, e.label_) for e in doc.ents] == [(e.start, e.end, e.label_) for e in ruled.ents]
    got = {e.text: (e.kb_id_, e._.linkpedia_score) for e in doc.ents}
    assert got["Kaunas"][0] == "Kaunas" and got["Vilnius"][0] == "Vilnius"
    assert got["Acme Widgets"] == ("", None)  # unlinked: keeps its label, no kb_id_
    mentions = [(e.start_char, e.end_char) for e in ruled.ents]
    assert doc._.linkpedia_links == kb.link(RULER_TEXT, mentions=mentions, mode="entities").links


def test_labels_discard_leaves_those_ents_unlinked(sample_kb):
    nlp = _nlp(sample_kb, RULER, labels_discard=["GPE"])
    doc = nlp(RULER_TEXT)
    assert [(e.text, e.label_, e.kb_id_) for e in doc.ents] == \
        [("Kaunas", "GPE", ""), ("Vilnius", "GPE", ""), ("Acme Widgets", "ORG", "")]
    assert doc._.linkpedia_links == ()


def test_pipe_equals_one_doc_at_a_time(sample_kb):
    # A ruler pattern only some paragraphs match: a batch mixes given-span docs
    # (linked one by one) with detected ones (linked together by link_many).
    nlp = _nlp(sample_kb, [{"label": "GPE", "pattern": "Moscow"}], **OPTIONS)
    texts = PARAGRAPHS * 3
    one_by_one = [nlp(t) for t in texts]
    assert any(not any(e.label_ == "GPE" for e in d.ents) for d in one_by_one)
    assert any(e.label_ == "GPE" for d in one_by_one for e in d.ents)
    for batch_size in (1, 3, 64):
        piped = list(nlp.pipe(texts, batch_size=batch_size))
        assert [d.text for d in piped] == texts
        for a, b in zip(one_by_one, piped):
            assert _ents(a) == _ents(b)
            assert a._.linkpedia_links == b._.linkpedia_links


def test_pipe_on_detected_docs_matches_link_many(sample_kb, kb):
    docs = list(_nlp(sample_kb, **OPTIONS).pipe(PARAGRAPHS, batch_size=8))
    assert [d._.linkpedia_links for d in docs] == [d.links for d in kb.link_many(PARAGRAPHS, **OPTIONS)]


@pytest.mark.parametrize("alignment_mode, ents, skipped", [
    ("expand", [("Kaunas/Vilnius", "Kaunas"), ("Moscow", "Moscow")], ["Vilnius"]),  # widened; the overlap dropped
    ("contract", [("Moscow", "Moscow")], ["Kaunas", "Vilnius"]),  # no whole token inside either
])
def test_links_off_token_boundaries_are_skipped_and_listed(sample_kb, alignment_mode, ents, skipped):
    nlp = _nlp(sample_kb, alignment_mode=alignment_mode)
    doc = nlp(Doc(nlp.vocab, words=["Relations", "between", "Kaunas/Vilnius", "and", "Moscow", "."]))
    assert [lk.surface for lk in doc._.linkpedia_links] == ["Kaunas", "Vilnius", "Moscow"]
    assert [(e.text, e.kb_id_) for e in doc.ents] == ents
    assert [lk.surface for lk in doc._.linkpedia_skipped] == skipped


def test_to_disk_stores_the_kb_path_and_spacy_load_reopens_it(sample_kb, tmp_path):
    nlp = _nlp(sample_kb, **OPTIONS)
    nlp.to_disk(tmp_path / "pipeline")
    saved = json.loads((tmp_path / "pipeline" / "linkpedia" / "linkpedia.json").read_text())
    assert saved["kb_path"] == str(sample_kb.resolve()) and saved["config"]["mode"] == "entities"
    assert not list((tmp_path / "pipeline").rglob("kb.sqlite"))  # the path, not the KB
    loaded = spacy.load(tmp_path / "pipeline")
    assert loaded.pipe_names == ["linkpedia"]
    assert loaded.get_pipe("linkpedia").config == nlp.get_pipe("linkpedia").config
    a, b = nlp(TEXT), loaded(TEXT)
    assert _ents(a) == _ents(b) and a._.linkpedia_links == b._.linkpedia_links


def test_a_kb_given_at_load_time_overrides_the_saved_one(sample_kb, tmp_path):
    _nlp(sample_kb).to_disk(tmp_path / "pipeline")
    moved = shutil.copytree(sample_kb, tmp_path / "moved-kb")
    loaded = spacy.load(tmp_path / "pipeline", config={"components.linkpedia.kb": str(moved)})
    assert loaded.get_pipe("linkpedia").kb.path == moved.resolve()
    assert [e.kb_id_ for e in loaded("Kaunas lies on the Neris.").ents][:1] == ["Kaunas"]


def test_bad_config_gives_one_clear_line(sample_kb, tmp_path):
    nlp = spacy.blank("en")
    with pytest.raises(linkpedia.KBNotFoundError, match="no such KB directory") as missing:
        nlp.add_pipe("linkpedia", config={"kb": str(tmp_path / "nowhere")})
    with pytest.raises(linkpedia.InputError, match="unknown mention mode 'names' — use one of: wikipedia, entities") \
            as mode:
        nlp.add_pipe("linkpedia", config={"kb": str(sample_kb), "mode": "names"})
    with pytest.raises(linkpedia.InputError, match="needs a KB") as none:
        nlp.add_pipe("linkpedia")
    with pytest.raises(linkpedia.InputError, match="alignment_mode"):
        nlp.add_pipe("linkpedia", config={"kb": str(sample_kb), "alignment_mode": "loose"})
    with pytest.raises(linkpedia.InputError, match=r"threshold 1.5 is outside \[0, 1\]"):
        nlp.add_pipe("linkpedia", config={"kb": str(sample_kb), "threshold": 1.5})
    for exc in (missing, mode, none):
        assert "\n" not in str(exc.value)
    assert nlp.pipe_names == []


def test_the_entry_point_registers_the_factory_in_a_fresh_process(sample_kb):
    # No import of linkpedia: spaCy finds the factory through spacy_factories.
    code = textwrap.dedent(f"""
        import sys
        import spacy
        nlp = spacy.blank("en")
        nlp.add_pipe("linkpedia", config={{"kb": {str(sample_kb)!r}}})
        print([e.kb_id_ for e in nlp("Kaunas lies on the Neris.").ents][0])
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "Kaunas"


def test_linked_docs_serialize_with_their_links(sample_kb):
    # The links live in user_data as plain lists: Doc.to_bytes and DocBin keep them.
    from spacy.tokens import DocBin

    nlp = _nlp(sample_kb, **OPTIONS)
    docs = [nlp(t) for t in PARAGRAPHS]
    again = [Doc(nlp.vocab).from_bytes(d.to_bytes()) for d in docs]
    again += DocBin(store_user_data=True, docs=docs).get_docs(nlp.vocab)
    for a, b in zip(docs * 2, again):
        assert _ents(a) == _ents(b) and a._.linkpedia_links == b._.linkpedia_links


def test_pipe_with_two_processes(sample_kb):
    # The workers fork; each opens the KB again rather than share the parent's SQLite connection.
    nlp = _nlp(sample_kb, **OPTIONS)
    texts = PARAGRAPHS * 2
    piped = list(nlp.pipe(texts, batch_size=2, n_process=2))
    for a, b in zip([nlp(t) for t in texts], piped):
        assert _ents(a) == _ents(b) and a._.linkpedia_links == b._.linkpedia_links


def test_the_docs_example_runs(sample_kb, tmp_path):
    from conftest import REPO

    page = (REPO / "docs" / "spacy.md").read_text(encoding="utf-8")
    code = page.split("```python\n", 1)[1].split("```", 1)[0]
    (tmp_path / "demo-out").mkdir()
    (tmp_path / "demo-out" / "sample-kb").symlink_to(sample_kb)
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    printed = page.split("It prints:\n\n```\n", 1)[1].split("```", 1)[0]
    # the first line and the EntityRuler's; the scores may move with the linker
    assert out.stdout.splitlines()[0].rsplit(" ", 1)[0] == printed.splitlines()[0].rsplit(" ", 1)[0]
    assert "[('Acme Widgets', 'ORG', ''), ('Vilnius', 'GPE', 'Vilnius')]" in out.stdout
    assert (tmp_path / "demo-out" / "spacy-pipeline" / "linkpedia" / "linkpedia.json").is_file()


def test_an_ent_carries_its_qid_where_the_kb_knows_it(tmp_path):
    from wikidatakb import build_wikidata_kb

    # Mid-sentence, where the text's capital says it is a name: this small KB
    # writes "Boston" only at sentences' starts, which says nothing of its case.
    doc = _nlp(build_wikidata_kb(tmp_path), **OPTIONS)("The Red Sox play in Boston, Massachusetts.")
    assert {e.kb_id_: e._.linkpedia_qid for e in doc.ents}["Boston"] == "Q100"
