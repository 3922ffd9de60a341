"""NIF 2.0: writing what GERBIL reads, reading what GERBIL and its datasets write."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from linkpedia.errors import InputError, SourceFormatError
from linkpedia.nif import (
    ITSRDF,
    NIF,
    NifMention,
    is_nil_uri,
    quote_title,
    read_nif,
    title_from_uri,
    write_nif,
)
from linkpedia.render import render
from linkpedia.types import Document, Link

N = lambda name: URIRef(NIF + name)  # noqa: E731
ITS = lambda name: URIRef(ITSRDF + name)  # noqa: E731
STRING = URIRef("http://www.w3.org/2001/XMLSchema#string")
INDEX = URIRef("http://www.w3.org/2001/XMLSchema#nonNegativeInteger")

DOC = Document(
    text='Żeligowski\'s Mutiny 😀 reached "Kaunas"\\ and C++.\n\tEnd.',
    links=(
        Link(0, 19, "Żeligowski's Mutiny", "Zeligowski's Mutiny", score=0.75),
        Link(31, 37, "Kaunas", "Kaunas", score=0.5),
        Link(44, 47, "C++", "C++"),
    ),
)

# Written by hand in the layout GERBIL sends and its NIF datasets use: prefixed
# names, typed literals, a span to link, a NIL entity, equivalent URIs, an emoji.
GERBIL_EXAMPLE = """\
@prefix rdf:   <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix xsd:   <http://www.w3.org/2001/XMLSchema#> .
@prefix itsrdf: <http://www.w3.org/2005/11/its/rdf#> .
@prefix nif:   <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#> .
@prefix dbr:   <http://dbpedia.org/resource/> .

<http://example.org/news/7#char=0,62>
        a               nif:RFC5147String , nif:String , nif:Context ;
        nif:beginIndex  "0"^^xsd:nonNegativeInteger ;
        nif:endIndex    "62"^^xsd:nonNegativeInteger ;
        nif:isString    "Ada Lovelace 👏 met Charles Babbage in London with Mrs Quibble."^^xsd:string ;
        nif:sourceUrl   <http://example.org/source/7> .

<http://example.org/news/7#char=0,12>
        a                     nif:RFC5147String , nif:String , nif:Phrase ;
        nif:anchorOf          "Ada Lovelace"^^xsd:string ;
        nif:beginIndex        "0"^^xsd:nonNegativeInteger ;
        nif:endIndex          "12"^^xsd:nonNegativeInteger ;
        nif:referenceContext  <http://example.org/news/7#char=0,62> ;
        itsrdf:taIdentRef     dbr:Ada_Lovelace , <http://en.wikipedia.org/wiki/Ada_Lovelace> .

<http://example.org/news/7#char=19,34>
        a                     nif:RFC5147String , nif:String , nif:Phrase ;
        nif:anchorOf          "Charles Babbage"^^xsd:string ;
        nif:beginIndex        "19"^^xsd:nonNegativeInteger ;
        nif:endIndex          "34"^^xsd:nonNegativeInteger ;
        nif:referenceContext  <http://example.org/news/7#char=0,62> ;
        itsrdf:taIdentRef     <http://dbpedia.org/resource/Charles_Babbage> ;
        itsrdf:taConfidence   "0.8"^^xsd:double .

<http://example.org/news/7#char=38,44>
        a                     nif:RFC5147String , nif:String , nif:Phrase ;
        nif:anchorOf          "London"^^xsd:string ;
        nif:beginIndex        "38"^^xsd:nonNegativeInteger ;
        nif:endIndex          "44"^^xsd:nonNegativeInteger ;
        nif:referenceContext  <http://example.org/news/7#char=0,62> .

<http://example.org/news/7#char=50,61>
        a                     nif:RFC5147String , nif:String , nif:Phrase ;
        nif:anchorOf          "Mrs Quibble"^^xsd:string ;
        nif:beginIndex        "50"^^xsd:nonNegativeInteger ;
        nif:endIndex          "61"^^xsd:nonNegativeInteger ;
        nif:referenceContext  <http://example.org/news/7#char=0,62> ;
        itsrdf:taIdentRef     <http://aksw.org/notInWiki/Mrs_Quibble> .

<http://example.org/news/7#char=0,3>
        a                     nif:Word ;
        nif:referenceContext  <http://example.org/news/7#char=0,62> .
"""


def test_write_emits_gerbils_nif_vocabulary():
    graph = Graph().parse(data=write_nif(DOC), format="turtle")
    context = URIRef("http://linkpedia.local/doc/0#char=0,54")
    assert set(graph.objects(context, RDF.type)) == {N("Context"), N("String"), N("RFC5147String")}
    assert graph.value(context, N("isString")) == Literal(DOC.text, datatype=STRING)
    assert graph.value(context, N("endIndex")) == Literal("54", datatype=INDEX)
    phrase = URIRef("http://linkpedia.local/doc/0#char=0,19")
    assert set(graph.objects(phrase, RDF.type)) == {N("Phrase"), N("String"), N("RFC5147String")}
    assert graph.value(phrase, N("anchorOf")) == Literal("Żeligowski's Mutiny", datatype=STRING)
    assert graph.value(phrase, N("beginIndex")) == Literal("0", datatype=INDEX)
    assert graph.value(phrase, N("endIndex")) == Literal("19", datatype=INDEX)
    assert graph.value(phrase, N("referenceContext")) == context
    assert graph.value(phrase, ITS("taIdentRef")) == URIRef(
        "http://en.wikipedia.org/wiki/Zeligowski%27s_Mutiny"
    )
    assert float(graph.value(phrase, ITS("taConfidence"))) == 0.75
    cpp = URIRef("http://linkpedia.local/doc/0#char=44,47")
    assert graph.value(cpp, ITS("taIdentRef")) == URIRef("http://en.wikipedia.org/wiki/C%2B%2B")


def test_round_trip_keeps_text_offsets_and_titles():
    (back,) = read_nif(write_nif(DOC))
    assert back.uri == "http://linkpedia.local/doc/0#char=0,54"
    assert back.text == DOC.text
    assert back.to_document() == Document(text=DOC.text, links=DOC.links)


def test_render_registry_writes_nif():
    assert render(DOC, "nif") == write_nif(DOC)


def test_kb_and_base_uris_are_configurable_and_gerbils_uris_are_kept():
    turtle = write_nif(DOC, base_uri="urn:x:", kb_uri="http://dbpedia.org/resource/")
    assert "<urn:x:0#char=0,54>" in turtle and "<http://dbpedia.org/resource/Kaunas>" in turtle
    sent = "http://gerbil.example/doc/42#char=0,54"
    (back,) = read_nif(write_nif(DOC, uris=[sent]))
    assert back.uri == sent
    assert "<http://gerbil.example/doc/42#char=31,37>" in write_nif(DOC, uris=[sent])
    with pytest.raises(InputError, match="2 URIs"):
        write_nif(DOC, uris=["a", "b"])


def test_reads_a_gerbil_style_document():
    (doc,) = read_nif(GERBIL_EXAMPLE, source="example.ttl")
    assert doc.uri == "http://example.org/news/7#char=0,62"
    assert doc.source_url == "http://example.org/source/7"
    assert len(doc.text) == 62  # the 👏 is one code point
    ada, babbage, london, quibble = doc.mentions  # the nif:Word is structure, not a mention
    assert ada == NifMention(
        0,
        12,
        "Ada Lovelace",
        uri="http://en.wikipedia.org/wiki/Ada_Lovelace",
        uris=("http://dbpedia.org/resource/Ada_Lovelace", "http://en.wikipedia.org/wiki/Ada_Lovelace"),
    )
    assert (babbage.start, babbage.end, babbage.surface, babbage.score) == (19, 34, "Charles Babbage", 0.8)
    assert babbage.title == "Charles Babbage"
    assert london == NifMention(38, 44, "London")  # a span to link (D2KB)
    assert quibble.is_nil and quibble.uri == "http://aksw.org/notInWiki/Mrs_Quibble" and quibble.title is None
    assert [link.title for link in doc.to_document().links] == ["Ada Lovelace", "Charles Babbage"]


def test_reads_several_contexts_in_natural_order():
    docs = [
        Document(
            text=(text := f"Text {n} about Kaunas."),
            links=(Link(text.index("K"), text.index("."), "Kaunas", "Kaunas"),),
        )
        for n in range(12)
    ]
    docs[3] = Document(text="No links here.")
    back = read_nif(write_nif(docs))
    assert [d.uri.split("#")[0] for d in back] == [f"http://linkpedia.local/doc/{n}" for n in range(12)]
    assert [d.text for d in back] == [d.text for d in docs]
    assert [len(d.mentions) for d in back] == [0 if n == 3 else 1 for n in range(12)]
    assert all(m.surface == "Kaunas" and m.title == "Kaunas" for d in back for m in d.mentions)


def test_reads_a_hand_written_file_with_two_contexts_sharing_nothing():
    turtle = GERBIL_EXAMPLE + (
        '<http://example.org/news/8#char=0,5> a nif:Context ; nif:isString "Paris" .\n'
        "<http://example.org/news/8#char=0,5_> nif:referenceContext <http://example.org/news/8#char=0,5> ;\n"
        '    nif:anchorOf "Paris" ; itsrdf:taIdentRef dbr:Paris .\n'
    )
    first, second = read_nif(turtle)
    assert len(first.mentions) == 4
    assert second.text == "Paris"
    # no beginIndex/endIndex: the #char= fragment of the URI gives the span
    assert second.mentions == [
        NifMention(
            0, 5, "Paris", "http://dbpedia.org/resource/Paris", False, ("http://dbpedia.org/resource/Paris",)
        )
    ]


def test_utf16_offsets_of_older_tools_are_converted_when_the_anchor_proves_it():
    turtle = GERBIL_EXAMPLE.replace('"19"^^', '"20"^^').replace('"34"^^', '"35"^^')
    (doc,) = read_nif(turtle)
    assert (doc.mentions[1].start, doc.mentions[1].end) == (19, 34)


def test_an_anchor_that_is_not_the_text_is_refused():
    turtle = GERBIL_EXAMPLE.replace('"38"^^', '"37"^^')
    with pytest.raises(
        SourceFormatError, match=r"^example\.ttl: phrase <.*char=38,44>: nif:anchorOf 'London' is not"
    ) as error:
        read_nif(turtle, source="example.ttl")
    assert "\n" not in str(error.value)


def test_invalid_turtle_is_a_one_line_source_error():
    with pytest.raises(SourceFormatError, match=r"^in\.ttl \(line 1\): not valid Turtle: .+ at ' '") as error:
        read_nif("<a> <b> ", source="in.ttl")
    assert "\n" not in str(error.value) and not str(error.value).endswith(":")


def test_a_context_without_text_is_refused():
    turtle = f"@prefix nif: <{NIF}> .\n<urn:d#char=0,1> a nif:Context ."
    with pytest.raises(SourceFormatError, match="has no nif:isString"):
        read_nif(turtle)


def test_an_empty_file_has_no_documents():
    assert read_nif("") == []


@pytest.mark.parametrize(
    "title, quoted",
    [
        ("Zeligowski's Mutiny", "Zeligowski%27s_Mutiny"),
        ("Klaipėda Region", "Klaip%C4%97da_Region"),
        ("AC/DC", "AC/DC"),
        ("C++", "C%2B%2B"),
        ("Who? (band)", "Who%3F_(band)"),
        ('Say "hi" & <go>', "Say_%22hi%22_%26_%3Cgo%3E"),
        ("Lao Tzu: Tao, Te; Ching!", "Lao_Tzu:_Tao,_Te;_Ching!"),
    ],
)
def test_titles_are_quoted_as_wikipedia_does(title, quoted):
    assert quote_title(title) == quoted
    assert title_from_uri("http://en.wikipedia.org/wiki/" + quoted) == title


@pytest.mark.parametrize(
    "uri, title",
    [
        ("http://dbpedia.org/resource/Klaip%C4%97da_Region", "Klaipėda Region"),
        ("http://dbpedia.org/resource/Klaipėda_Region", "Klaipėda Region"),
        ("https://de.wikipedia.org/wiki/Kaunas#Geschichte", "Kaunas"),
        ("http://en.m.wikipedia.org/wiki/kaunas", "Kaunas"),
        ("http://fr.dbpedia.org/page/Paris", "Paris"),
        ("http://www.wikidata.org/entity/Q64", None),
        ("http://aksw.org/notInWiki/Mrs_Quibble", None),
        ("http://en.wikipedia.org/wiki/", None),
    ],
)
def test_title_from_uri(uri, title):
    assert title_from_uri(uri) == title


def test_nil_uris():
    assert is_nil_uri("http://aksw.org/notInWiki/X") and is_nil_uri("http://www.aksw.org/notInWiki/X")
    assert is_nil_uri("http://example.org/NIL") and not is_nil_uri("http://dbpedia.org/resource/Nile")


def test_bad_links_are_refused_when_writing():
    with pytest.raises(InputError, match="does not match its text"):
        write_nif(Document(text="abc", links=(Link(0, 9, "abc", "A"),)))


@st.composite
def documents(draw):
    text = draw(st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=40))
    cuts = sorted(draw(st.lists(st.integers(0, len(text)), max_size=6)))
    titles = st.text(
        alphabet=st.characters(exclude_categories=("Cs", "Cc", "Zs", "Zl", "Zp")), min_size=1, max_size=6
    )
    links = tuple(
        Link(a, b, text[a:b], draw(titles), score=draw(st.floats(0, 1)))
        for a, b in zip(cuts[::2], cuts[1::2])
        if a < b
    )
    return Document(text=text, links=links)


@settings(max_examples=150, deadline=None)
@given(st.lists(documents(), min_size=1, max_size=3))
def test_any_documents_round_trip(docs):
    back = read_nif(write_nif(docs))
    assert [d.text for d in back] == [d.text for d in docs]
    for original, read in zip(docs, back):
        assert [(m.start, m.end, m.surface, m.score) for m in read.mentions] == [
            (link.start, link.end, link.surface, link.score) for link in original.links
        ]
        # titles survive the URI round trip, up to MediaWiki's first-letter capital
        # and its equivalence of spaces and underscores
        assert [m.title for m in read.mentions] == [
            (t := link.title.replace("_", " ").strip())[:1].upper() + t[1:] or None for link in original.links
        ]
