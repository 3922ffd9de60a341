"""evaluate() and write_report() end to end, with a real dictionary linker."""

from __future__ import annotations

import json

import pytest
from conftest import jsonl_kb, need_shared
from dictlinker import DictLinker
from rich.console import Console

from linkpedia.errors import InputError
from linkpedia.types import Document, Link
from linkpedia.evaluate import (
    Dataset,
    EvaluationResult,
    GoldDocument,
    GoldLink,
    dataset_table,
    evaluate,
    load_dataset,
    summary_table,
    to_markdown,
    write_report,
)

D1 = "Ada Lovelace met Charles Babbage in London; Babbage & <Co> built an Engine."
D2 = "Grace Hopper visited London."


def span(text: str, surface: str, title: str | None, nth: int = 0) -> GoldLink:
    start = -1
    for _ in range(nth + 1):
        start = text.index(surface, start + 1)
    return GoldLink(start, start + len(surface), surface, title)


TINY = Dataset(
    "tiny",
    (
        GoldDocument(
            "d1",
            D1,
            (
                span(D1, "Ada Lovelace", "Ada Lovelace"),
                span(D1, "Charles Babbage", "Charles Babbage"),
                span(D1, "London", "London"),
                span(D1, "Babbage", "Charles Babbage", nth=1),
                span(D1, "<Co>", None),  # NIL
            ),
        ),
        GoldDocument("d2", D2, (span(D2, "Grace Hopper", "Grace Hopper"), span(D2, "London", "London"))),
        GoldDocument("d3", "Nothing to see."),
    ),
)


@pytest.fixture
def linker() -> DictLinker:
    return DictLinker(
        {
            "Ada Lovelace": "Ada Lovelace",
            "Charles Babbage": "Charles Babbage",
            "London": "London, England",  # a redirect: resolves to London
            "Babbage": "Babbage (crater)",  # the wrong entry
            "Engine": "Analytical Engine",  # no gold there: spurious
        },
        entries=["London"],
        redirects={"London, England": "London"},
    )


def test_a2kb_scores_by_hand(linker, capsys):
    result = evaluate(linker, [TINY])
    assert capsys.readouterr().out == ""  # silent: the CLI prints
    ds = result.datasets[0]
    assert set(ds.scores) == {"strong", "weak"}
    inkb = ds.scores["strong"]["inkb"]
    assert inkb is not None
    # d1: 3 right, Babbage wrong (fp + fn), Engine spurious; d2: London right, Grace Hopper a gap; d3 empty
    assert (inkb.tp, inkb.fp, inkb.fn) == (4, 2, 1)
    assert (inkb.micro_precision, inkb.micro_recall, inkb.micro_f1) == pytest.approx((2 / 3, 0.8, 8 / 11))
    # macro over 3 documents: d1 (0.6, 0.75, 2/3), d2 and d3 perfect
    assert (inkb.macro_precision, inkb.macro_recall, inkb.macro_f1) == pytest.approx(
        ((0.6 + 2) / 3, (0.75 + 2) / 3, (2 / 3 + 2) / 3)
    )
    everything = ds.scores["strong"]["all"]
    assert everything is not None and (everything.tp, everything.fp, everything.fn) == (4, 2, 2)
    assert ds.scores["strong"]["ee"] is None  # the linker never answers NIL in A2KB
    assert ds.coverage == pytest.approx(5 / 6)
    assert ds.gold_kinds() == {"entry": 5, "gap": 1, "nil": 1}
    assert ds.errors() == {"missed": 0, "spurious": 1, "wrong": 1, "not_in_kb": 1, "nil_linked": 0}
    data = result.to_dict()
    assert data["datasets"][0]["wrong_pairs"] == [
        {"gold": "Charles Babbage", "predicted": "Babbage (crater)", "count": 1}
    ]
    assert data["datasets"][0]["nil"] == {"gold": 1, "linked": 0, "unlinked": 1}
    assert json.loads(json.dumps(data)) == data


def test_d2kb_gives_the_gold_spans_and_scores_unlinked_spans_as_nil(linker):
    result = evaluate(linker, [TINY], mode="d2kb")
    d1_call = linker.calls[0]
    assert d1_call[0] == D1 and d1_call[1] == sorted((g.start, g.end) for g in TINY.docs[0].links)
    ds = result.datasets[0]
    assert set(ds.scores) == {"strong"}
    inkb, ee = ds.scores["strong"]["inkb"], ds.scores["strong"]["ee"]
    assert inkb is not None and (inkb.tp, inkb.fp, inkb.fn) == (4, 1, 1)
    # <Co> (NIL) and Grace Hopper (not in the KB) were left unlinked: both right
    assert ee is not None and (ee.tp, ee.fp, ee.fn) == (2, 0, 0)


def test_progress_is_reported_per_document(linker):
    seen = []
    evaluate(linker, [TINY], progress=lambda name, done, total: seen.append((name, done, total)))
    assert seen == [("tiny", 1, 3), ("tiny", 2, 3), ("tiny", 3, 3)]


def test_tables_for_terminal_and_markdown(linker):
    result = evaluate(linker, [TINY])
    console = Console(record=True, width=220)
    console.print(summary_table(result))
    console.print(dataset_table(result.datasets[0]))
    shown = console.export_text()
    assert "tiny" in shown and "72.7" in shown and "83.3" in shown  # InKB F1, coverage
    markdown = to_markdown(result)
    assert "| tiny | A2KB strong | 3 | 5/1/1 | 0/6 | 83.3 | - | 66.7 | 80.0 | 72.7 |" in markdown  # no candidates listed: "-"
    assert "| Charles Babbage | Babbage (crater) | 1 |" in markdown


def test_write_report_files(linker, tmp_path):
    result = evaluate(linker, [TINY])
    out = write_report(result, tmp_path / "report")
    assert sorted(p.name for p in out.iterdir()) == [
        "index.html",
        "summary.json",
        "summary.md",
        "tiny.documents.jsonl",
        "tiny.errors.json",
        "tiny.html",
    ]
    assert json.loads((out / "summary.json").read_text()) == result.to_dict()

    rows = [json.loads(line) for line in (out / "tiny.documents.jsonl").read_text().splitlines()]
    assert [r["id"] for r in rows] == ["d1", "d2", "d3"]
    assert {k: rows[0][k] for k in ("tp", "fp", "fn")} == {"tp": 3, "fp": 2, "fn": 1}
    assert (rows[0]["precision"], rows[0]["recall"]) == pytest.approx((0.6, 0.75))
    assert rows[2]["f1"] == 1.0

    errors = json.loads((out / "tiny.errors.json").read_text())
    assert {k: v["count"] for k, v in errors.items()} == result.datasets[0].errors()
    (wrong,) = errors["wrong"]["examples"]
    assert (wrong["doc"], wrong["surface"], wrong["gold"], wrong["predicted"]) == (
        "d1",
        "Babbage",
        "Charles Babbage",
        "Babbage (crater)",
    )
    assert "[Babbage]" in wrong["context"]
    assert errors["not_in_kb"]["examples"][0]["gold"] == "Grace Hopper"
    assert errors["spurious"]["examples"][0]["surface"] == "Engine"

    page = (out / "tiny.html").read_text()
    assert page.startswith("<!DOCTYPE html>")
    assert "&amp; &lt;Co&gt;" in page and "<Co>" not in page
    assert '<mark class="wrong"' in page and '<mark class="spurious"' in page and '<mark class="gap"' in page
    assert "://" not in page and "<script" not in page and "<link" not in page  # standalone
    assert page.count("<details") == 3


def test_write_report_replaces_an_earlier_report_atomically(linker, tmp_path):
    out = tmp_path / "report"
    write_report(evaluate(linker, [TINY]), out)
    (out / "stale.txt").write_text("from an earlier run")
    write_report(evaluate(linker, [TINY], mode="d2kb"), out)
    assert not (out / "stale.txt").exists()
    assert json.loads((out / "summary.json").read_text())["mode"] == "d2kb"
    assert [p.name for p in tmp_path.iterdir()] == ["report"]  # no temporary directory left


def test_write_report_refuses_a_foreign_directory(linker, tmp_path):
    mine = tmp_path / "notes"
    mine.mkdir()
    (mine / "keep.txt").write_text("precious")
    with pytest.raises(InputError, match="holds no earlier report"):
        write_report(evaluate(linker, [TINY]), mine)
    assert (mine / "keep.txt").read_text() == "precious"
    afile = tmp_path / "file"
    afile.write_text("x")
    with pytest.raises(InputError, match="not a directory"):
        write_report(evaluate(linker, [TINY]), afile)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file", "notes"]


def test_dataset_names_become_distinct_file_names(linker, tmp_path):
    twin = Dataset("tiny", TINY.docs)
    odd = Dataset("../summary", TINY.docs[:1])
    result = evaluate(linker, [TINY, twin, odd])
    assert isinstance(result, EvaluationResult)
    out = write_report(result, tmp_path / "r")
    names = sorted(p.name for p in out.iterdir())
    assert "tiny.html" in names and "tiny-2.html" in names and "summary-2.html" in names
    assert all(p.parent == out for p in out.iterdir())


class GoldEcho:
    """An annotator that answers a benchmark's own gold links: every score must be perfect."""

    def __init__(self, dataset: Dataset):
        self.gold = {d.text: d for d in dataset.docs}
        self.titles = {g.title for d in dataset.docs for g in d.links if g.title}

    def resolve(self, title: str) -> str | None:
        return title if title in self.titles else None

    def link(self, text, *, mentions=None):
        links = tuple(Link(g.start, g.end, g.surface, g.title) for g in self.gold[text].links if g.title)
        return Document(text, links)


@pytest.mark.shared
@pytest.mark.parametrize("name", ["kore50", "msnbc", "oke-2015-train", "oke-2016-train", "wned-wiki"])
def test_gold_answers_score_perfectly_on_the_shared_benchmarks(name):
    dataset = load_dataset(need_shared("data", "benchmarks", f"{name}.jsonl"))
    for mode in ("a2kb", "d2kb"):
        ds = evaluate(GoldEcho(dataset), [dataset], mode=mode).datasets[0]
        for matching, sets in ds.scores.items():
            inkb = sets["inkb"]
            assert inkb is not None and inkb.micro_f1 == 1.0 and inkb.macro_f1 == 1.0, (mode, matching)
            if sets["ee"] is not None:  # D2KB: NIL gold spans came back unlinked
                assert sets["ee"].micro_f1 == 1.0
        assert ds.coverage == 1.0
        assert sum(ds.errors().values()) == 0


SENSES = {
    "Mercury": "Mercury may refer to:\n* Mercury (planet), the closest planet to the Sun\n* Mercury (element)",
    "Mercury (planet)": "Mercury is the smallest planet of the Solar System and the closest to the Sun."
                        " Mercury has no moons.",
    "Civil engineering": "Civil engineering is the design and building of roads, bridges and dams."
                         " Civil engineering is taught at universities.",
}


@pytest.fixture(scope="module")
def senses_kb(tmp_path_factory):
    return jsonl_kb(tmp_path_factory.mktemp("senses"), SENSES)


def test_a_gold_title_that_reaches_a_disambiguation_page_is_an_entry_the_kb_lacks(senses_kb):
    assert senses_kb.is_disambiguation("Mercury") and not senses_kb.is_disambiguation("Mercury (planet)")
    text = "Mercury is hot. The planet Mercury has no moons."
    ds = Dataset("dab", (GoldDocument("m1", text, (span(text, "Mercury", "Mercury"),
                                                   span(text, "Mercury", "Mercury (planet)", nth=1))),))
    result = evaluate(senses_kb, [ds], mode="d2kb").datasets[0]
    # The page lists senses and is never linked: its gold counts as outside the KB, not as a miss.
    assert result.coverage == pytest.approx(0.5)
    assert [j.mention.kind for j in result.documents[0].gold] == ["gap", "entry"]


def test_candidate_recall_counts_the_candidates_of_the_span_in_its_text(senses_kb):
    text = "He taught civil engineering for years."
    cut = span(text, "ivil engineering", "Civil engineering")  # a gold span cut inside a word, as OKE has
    assert "Civil engineering" not in [c.title for c in senses_kb.candidates("ivil engineering")]
    assert [c.title for c in senses_kb.candidates_in(text, [(cut.start, cut.end)])[0]] == ["Civil engineering"]
    ds = Dataset("cut", (GoldDocument("c1", text, (cut,)),))
    assert evaluate(senses_kb, [ds]).datasets[0].candidate_recall == 1.0


def test_candidate_recall_of_an_opened_kb(sample_kb):
    import linkpedia

    kb = linkpedia.open_kb(sample_kb)
    text = "Kaunas and Vilnius; later Plokstai."
    ds = Dataset("cands", (GoldDocument("c1", text, (span(text, "Kaunas", "Kaunas"), span(text, "Vilnius", "Vilnius"),
                                                      span(text, "Plokstai", "Lithuania"))),))
    result = evaluate(kb, [ds])
    # Kaunas and Vilnius are among their surfaces' candidates; "Plokstai" names nothing in the KB.
    assert result.datasets[0].candidate_recall == pytest.approx(2 / 3)
    assert result.to_dict()["datasets"][0]["candidate_recall"] == pytest.approx(2 / 3)
