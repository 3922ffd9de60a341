"""The three benchmark readers, on small files written here and on the shared benchmarks."""

from __future__ import annotations

import bz2
import gzip
import json

import pytest
from conftest import need_shared

from linkpedia.errors import EmptySourceError, SourceFormatError, SourceNotFoundError
from linkpedia.evaluate import GoldDocument, GoldLink, load_dataset, read_conll, read_jsonl
from linkpedia.evaluate.datasets import read_nif_dataset


def write_jsonl(path, docs):
    path.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs), encoding="utf-8")
    return path


# -- common JSONL -----------------------------------------------------------------

JSONL_DOCS = [
    {
        "id": "a",
        "text": "Ōtaki lies north of Wellington 🌊 and Quux.",
        "links": [
            {"start": 0, "end": 5, "surface": "Ōtaki", "title": "Ōtaki", "qid": "Q1"},
            {"start": 20, "end": 30, "surface": "Wellington", "title": None, "qid": "Q23661"},
            {"start": 37, "end": 41, "surface": "Quux", "title": None, "qid": None},
        ],
    },
    {"id": "b", "text": "No mention here.", "links": []},
]


def test_jsonl_reader_keeps_code_point_offsets_nil_and_qid_only(tmp_path):
    docs = read_jsonl(write_jsonl(tmp_path / "b.jsonl", JSONL_DOCS))
    assert [d.id for d in docs] == ["a", "b"]
    a = docs[0]
    assert a.links == (
        GoldLink(0, 5, "Ōtaki", "Ōtaki", "Q1"),
        GoldLink(20, 30, "Wellington", None, "Q23661"),
        GoldLink(37, 41, "Quux", None, None),
    )
    assert [a.text[g.start : g.end] for g in a.links] == ["Ōtaki", "Wellington", "Quux"]
    assert [g.is_nil for g in a.links] == [False, False, True]
    assert docs[1].links == ()


@pytest.mark.parametrize(
    "line, message",
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "expected a JSON object"),
        ('{"id": "x", "links": []}', '"text" is missing'),
        ('{"text": "abc", "links": [{"start": 0, "end": 9, "title": "A"}]}', "not code-point offsets"),
        ('{"text": "abc", "links": [{"start": 0, "end": 2, "surface": "bc", "title": "A"}]}', "not the surface"),
        ('{"text": "abc", "links": [{"start": 0, "end": 1, "title": 5}]}', "strings or null"),
    ],
)
def test_jsonl_errors_name_file_and_line(tmp_path, line, message):
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(JSONL_DOCS[1]) + "\n\n" + line + "\n", encoding="utf-8")
    with pytest.raises(SourceFormatError, match=message) as info:
        load_dataset(path)
    assert str(info.value).startswith(f"{path} (line 3): ")


# -- AIDA-CoNLL ---------------------------------------------------------------------

CONLL = "\n".join(
    [
        "-DOCSTART- (7 testa MADEUP)",
        "Greta\tB\tGreta Holmqvist\t--NME--",
        "Holmqvist\tI\tGreta Holmqvist\t--NME--",
        "flew",
        "to",
        "São\tB\tSão Paulo\tS\\u00e3o_Paulo\thttp://en.wikipedia.org/wiki/S%C3%A3o_Paulo\t390875\t/m/022pfm",
        "Paulo\tI\tSão Paulo\tS\\u00e3o_Paulo\thttp://en.wikipedia.org/wiki/S%C3%A3o_Paulo\t390875\t/m/022pfm",
        ".",
        "",
        "Zürich\tB\tZürich\tZ\\u00fcrich",
        "and",
        "Bern\tB\tBern\tBern\thttp://en.wikipedia.org/wiki/Bern\t1\t/m/x",
        "Bern\tB\tBern\tBern\thttp://en.wikipedia.org/wiki/Bern\t1\t/m/x",
        "agreed",
        "",
        "-DOCSTART- (8 testa MADEUP)",
        "Nothing",
        "linked",
        "",
    ]
)


def test_conll_reader_rebuilds_text_and_mentions(tmp_path):
    path = tmp_path / "aida.tsv"
    path.write_text(CONLL, encoding="utf-8")
    docs = read_conll(path)
    assert [d.id for d in docs] == ["7 testa MADEUP", "8 testa MADEUP"]
    first = docs[0]
    assert first.text == "Greta Holmqvist flew to São Paulo .\nZürich and Bern Bern agreed"
    assert [(g.surface, g.title) for g in first.links] == [
        ("Greta Holmqvist", None),
        ("São Paulo", "São Paulo"),
        ("Zürich", "Zürich"),  # from the YAGO2 name, \u escapes decoded
        ("Bern", "Bern"),
        ("Bern", "Bern"),  # two B tags: two mentions
    ]
    assert all(first.text[g.start : g.end] == g.surface for g in first.links)
    assert first.links[0].is_nil
    assert docs[1] == GoldDocument("8 testa MADEUP", "Nothing linked", ())
    assert load_dataset(path).format == "conll"


def test_conll_errors_name_the_line(tmp_path):
    path = tmp_path / "a.tsv"
    path.write_text("Token\n-DOCSTART- (1)\n", encoding="utf-8")
    with pytest.raises(SourceFormatError, match=r"\(line 1\): token before the first -DOCSTART-"):
        read_conll(path)
    path.write_text("-DOCSTART- (1)\nOne\nTwo\tX\tTwo\t--NME--\n", encoding="utf-8")
    with pytest.raises(SourceFormatError, match=r"\(line 3\): second column is 'X'"):
        read_conll(path)


# -- NIF 2.0 Turtle ---------------------------------------------------------------------

NIF_TEXT = "Ada met Quentin Vale in Köln and on Mars."
NIF = """@prefix nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#> .
@prefix itsrdf: <http://www.w3.org/2005/11/its/rdf#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

<http://example.org/doc1#char=0,41> a nif:String, nif:Context, nif:RFC5147String ;
    nif:isString "Ada met Quentin Vale in Köln and on Mars."^^xsd:string ;
    nif:beginIndex "0"^^xsd:nonNegativeInteger ; nif:endIndex "41"^^xsd:nonNegativeInteger .

<http://example.org/doc1#char=0,3> a nif:String, nif:RFC5147String, nif:Phrase ;
    nif:anchorOf "Ada"^^xsd:string ;
    nif:beginIndex "0"^^xsd:nonNegativeInteger ; nif:endIndex "3"^^xsd:nonNegativeInteger ;
    nif:referenceContext <http://example.org/doc1#char=0,41> ;
    itsrdf:taIdentRef <http://dbpedia.org/resource/Ada_Lovelace> .

<http://example.org/doc1#char=8,20> a nif:String, nif:RFC5147String, nif:Phrase ;
    nif:anchorOf "Quentin Vale"^^xsd:string ;
    nif:beginIndex "8"^^xsd:nonNegativeInteger ; nif:endIndex "20"^^xsd:nonNegativeInteger ;
    nif:referenceContext <http://example.org/doc1#char=0,41> ;
    itsrdf:taIdentRef <http://aksw.org/notInWiki/Quentin_Vale> .

<http://example.org/doc1#char=24,28> a nif:String, nif:RFC5147String, nif:Phrase ;
    nif:anchorOf "Köln"^^xsd:string ;
    nif:beginIndex "24"^^xsd:nonNegativeInteger ; nif:endIndex "28"^^xsd:nonNegativeInteger ;
    nif:referenceContext <http://example.org/doc1#char=0,41> ;
    itsrdf:taIdentRef <http://en.wikipedia.org/wiki/Cologne> .

<http://example.org/doc1#char=36,40> a nif:String, nif:RFC5147String, nif:Phrase ;
    nif:anchorOf "Mars"^^xsd:string ;
    nif:beginIndex "36"^^xsd:nonNegativeInteger ; nif:endIndex "40"^^xsd:nonNegativeInteger ;
    nif:referenceContext <http://example.org/doc1#char=0,41> ;
    itsrdf:taIdentRef <http://www.wikidata.org/entity/Q111> .
"""


def test_nif_reader_maps_uris_to_titles_qids_and_nil(tmp_path):
    path = tmp_path / "tiny.ttl"
    path.write_text(NIF, encoding="utf-8")
    docs = read_nif_dataset(path)
    assert len(docs) == 1
    doc = docs[0]
    assert doc.id == "http://example.org/doc1#char=0,41"
    assert doc.text == NIF_TEXT
    assert doc.links == (
        GoldLink(0, 3, "Ada", "Ada Lovelace", None),
        GoldLink(8, 20, "Quentin Vale", None, None),  # notInWiki: NIL
        GoldLink(24, 28, "Köln", "Cologne", None),
        GoldLink(36, 40, "Mars", None, "Q111"),
    )
    dataset = load_dataset(path)
    assert (dataset.name, dataset.format, len(dataset.docs)) == ("tiny", "nif", 1)


def test_broken_nif_names_the_file(tmp_path):
    path = tmp_path / "broken.ttl"
    path.write_text("@prefix nif: <http://x#> .\n<a> nif:isString \"unterminated .\n", encoding="utf-8")
    with pytest.raises(SourceFormatError, match="broken.ttl"):
        load_dataset(path)


# -- load_dataset ---------------------------------------------------------------------------


def test_load_dataset_sniffs_content_and_reads_compressed_files(tmp_path):
    plain = write_jsonl(tmp_path / "bench.data", JSONL_DOCS)
    assert load_dataset(plain).format == "jsonl"
    packed = tmp_path / "bench.jsonl.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    ds = load_dataset(packed)
    assert (ds.name, ds.format, len(ds.docs)) == ("bench", "jsonl", 2)
    aida = tmp_path / "aida.txt.bz2"
    aida.write_bytes(bz2.compress(CONLL.encode()))
    assert load_dataset(aida, name="aida-sample").name == "aida-sample"
    assert load_dataset(aida).format == "conll"


def test_load_dataset_errors(tmp_path):
    with pytest.raises(SourceNotFoundError, match="no such benchmark file"):
        load_dataset(tmp_path / "missing.jsonl")
    odd = tmp_path / "notes.txt"
    odd.write_text("just some prose\n", encoding="utf-8")
    with pytest.raises(SourceFormatError, match="cannot tell the benchmark format"):
        load_dataset(odd)
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n", encoding="utf-8")
    with pytest.raises(EmptySourceError, match="holds no benchmark document"):
        load_dataset(empty)
    latin = tmp_path / "latin.jsonl"
    latin.write_bytes('{"text": "caf\xe9"}\n'.encode("latin-1"))
    with pytest.raises(SourceFormatError, match="not UTF-8"):
        load_dataset(latin)


# -- the shared dev benchmarks ----------------------------------------------------------------

# docs, links, NIL, qid-only: the table of ../shared/data/README.md
BENCHMARKS = {
    "kore50": (50, 144, 1, 0),
    "msnbc": (20, 739, 83, 0),
    "oke-2015-train": (95, 340, 40, 0),
    "oke-2016-train": (95, 383, 57, 0),
    "wned-wiki": (319, 6793, 0, 0),
}


@pytest.mark.shared
@pytest.mark.parametrize("name", sorted(BENCHMARKS))
def test_shared_benchmarks_match_their_readme(name):
    ds = load_dataset(need_shared("data", "benchmarks", f"{name}.jsonl"))
    links = [g for d in ds.docs for g in d.links]
    nil = sum(g.is_nil for g in links)
    qid_only = sum(g.title is None and g.qid is not None for g in links)
    assert (len(ds.docs), len(links), nil, qid_only) == BENCHMARKS[name]
    assert ds.name == name
    assert all(d.text[g.start : g.end] == g.surface for d in ds.docs for g in d.links)
