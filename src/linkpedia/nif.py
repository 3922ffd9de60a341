"""NIF 2.0 in Turtle, read and written the way GERBIL exchanges it.

One ``nif:Context`` per document holds the text (``nif:isString``); each
mention is a ``nif:Phrase`` whose URI is ``<base#char=start,end>`` (RFC 5147)
and whose ``itsrdf:taIdentRef`` names the entity. A phrase without
``taIdentRef`` is a span to link (GERBIL's D2KB request). Offsets are Unicode
code points, as the NIF standard says and GERBIL converts to since 2017, so
they are Python ``str`` indices; see docs/nif.md for astral-plane characters.

Writing is plain string building, so the output is stable and diff-able;
reading goes through rdflib, which accepts any valid Turtle.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import quote, unquote

from .errors import InputError, SourceFormatError
from .types import Document, Link

__all__ = [
    "NIF",
    "ITSRDF",
    "NifMention",
    "WIKIDATA_URI",
    "NifDocument",
    "write_nif",
    "read_nif",
    "title_from_uri",
    "quote_title",
    "is_nil_uri",
]

NIF = "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#"
ITSRDF = "http://www.w3.org/2005/11/its/rdf#"
XSD = "http://www.w3.org/2001/XMLSchema#"

DEFAULT_BASE_URI = "http://linkpedia.local/doc/"
DEFAULT_KB_URI = "http://en.wikipedia.org/wiki/"
WIKIDATA_URI = "http://www.wikidata.org/entity/"  # a link's second taIdentRef, where its QID is known
_WIKIDATA_ENTITY = re.compile(r"^https?://(?:www\.)?wikidata\.org/(?:entity|wiki)/(Q[1-9][0-9]*)$")


@dataclass(frozen=True, slots=True)
class NifMention:
    """A span of a NIF context, with the entity it names when the file says one.

    ``uri`` is ``None`` for a span to link; ``is_nil`` marks a URI that says
    "not in the KB" (GERBIL's ``notInWiki`` URIs). ``uris`` keeps every
    ``taIdentRef`` when a dataset gives several equivalent ones.
    """

    start: int
    end: int
    surface: str
    uri: str | None = None
    is_nil: bool = False
    uris: tuple[str, ...] = ()
    score: float | None = None  # itsrdf:taConfidence, if given

    @property
    def title(self) -> str | None:
        """The Wikipedia title the URI names, or ``None``."""
        if self.uri is None or self.is_nil:
            return None
        return title_from_uri(self.uri)

    @property
    def qid(self) -> str | None:
        """The Wikidata item one of the URIs names ("Q42"), or ``None``."""
        for uri in self.uris:
            m = _WIKIDATA_ENTITY.match(uri)
            if m:
                return m.group(1)
        return None


@dataclass(frozen=True)
class NifDocument:
    """One ``nif:Context``: its URI (with its ``#char=`` fragment), text and mentions."""

    uri: str
    text: str
    mentions: list[NifMention] = field(default_factory=list)
    source_url: str | None = None

    def to_document(self) -> Document:
        """The mentions that name a Wikipedia/DBpedia entry, as a ``Document``'s links."""
        links = tuple(
            Link(m.start, m.end, m.surface, title, score=1.0 if m.score is None else m.score, qid=m.qid)
            for m in self.mentions
            if (title := m.title) is not None
        )
        return Document(text=self.text, links=links)


# --- URIs -------------------------------------------------------------------

# MediaWiki's wfUrlencode leaves these readable in a page's URL.
_TITLE_SAFE = ";@$!*(),/~:"
_WIKI_URI = re.compile(
    r"^https?://(?:[\w-]+\.)*(?:wikipedia\.org/wiki/|dbpedia\.org/(?:resource|page)/)([^?#]+)",
    re.IGNORECASE,
)


def quote_title(title: str) -> str:
    """A title as Wikipedia writes it in a URL: spaces as ``_``, percent-encoded UTF-8."""
    return quote(title.replace(" ", "_"), safe=_TITLE_SAFE)


def title_from_uri(uri: str) -> str | None:
    """The title a Wikipedia or DBpedia resource URI names, else ``None``.

    ``http://en.wikipedia.org/wiki/Klaip%C4%97da_Region`` -> ``"Klaipėda Region"``;
    the first letter is upper-cased, as MediaWiki does for article titles.
    """
    match = _WIKI_URI.match(uri.strip())
    if match is None:
        return None
    title = unquote(match.group(1)).replace("_", " ").strip()
    if not title:
        return None
    return title[0].upper() + title[1:]


def is_nil_uri(uri: str) -> bool:
    """Whether a ``taIdentRef`` says "no entry": GERBIL's ``notInWiki`` URIs, or ``.../NIL``.

    A Wikipedia or DBpedia resource is never NIL, even one titled "NIL" (an
    article's name, not a marker).
    """
    lowered = uri.lower()
    if "notinwiki" in lowered:
        return True
    if title_from_uri(uri) is not None:
        return False
    return lowered.rstrip("/").rsplit("/", 1)[-1] in {"nil", "--nme--"}


def _iri(value: str) -> str:
    """``value`` safe inside Turtle's ``<...>``: characters IRIs forbid are percent-encoded."""
    return re.sub(r'[\x00-\x20<>"{}|^`\\]', lambda m: "".join(f"%{b:02X}" for b in m.group().encode()), value)


# --- writing ----------------------------------------------------------------

_ECHAR = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}


def _literal(value: str, datatype: str = "xsd:string") -> str:
    escaped = re.sub(
        r'["\\\x00-\x1f\x7f]', lambda m: _ECHAR.get(m.group(), f"\\u{ord(m.group()):04X}"), value
    )
    return f'"{escaped}"^^{datatype}'


def _double(value: float) -> str:
    value = float(value)
    if math.isnan(value):
        lexical = "NaN"
    elif math.isinf(value):
        lexical = "INF" if value > 0 else "-INF"
    else:
        lexical = repr(value)
    return f'"{lexical}"^^xsd:double'


def _index(value: int) -> str:
    return f'"{value}"^^xsd:nonNegativeInteger'


def write_nif(
    docs: Sequence[Document] | Document,
    *,
    base_uri: str = DEFAULT_BASE_URI,
    kb_uri: str = DEFAULT_KB_URI,
    uris: Sequence[str] | None = None,
) -> str:
    """Documents and their links as NIF 2.0 Turtle.

    Document ``i`` gets the base ``base_uri + str(i)``, unless ``uris`` gives
    its URI: a URI with a ``#`` fragment (the context URI GERBIL sent, as
    ``NifDocument.uri``) is kept as the context's URI verbatim, so an answer
    to GERBIL uses the request's URIs. Links point at ``kb_uri + quote_title(title)``, and
    those whose QID is known at ``WIKIDATA_URI + qid`` too (a second ``taIdentRef``).
    """
    if isinstance(docs, Document):
        docs = [docs]
    if uris is not None and len(uris) != len(docs):
        raise InputError(
            f"write_nif got {len(docs)} documents but {len(uris)} URIs; give one URI per document"
        )
    out = [
        f"@prefix nif: <{NIF}> .",
        f"@prefix itsrdf: <{ITSRDF}> .",
        f"@prefix xsd: <{XSD}> .",
        "",
    ]
    for number, doc in enumerate(docs):
        uri = uris[number] if uris is not None else f"{base_uri}{number}"
        base, _, fragment = uri.partition("#")
        context = uri if fragment else f"{base}#char=0,{len(doc.text)}"
        context, base = _iri(context), _iri(base)
        out += [
            f"<{context}>",
            "    a nif:String, nif:Context, nif:RFC5147String ;",
            f"    nif:isString {_literal(doc.text)} ;",
            f"    nif:beginIndex {_index(0)} ;",
            f"    nif:endIndex {_index(len(doc.text))} .",
            "",
        ]
        for link in sorted(doc.links, key=lambda link: (link.start, link.end)):
            _check_link(doc, link, number)
            out += [
                f"<{base}#char={link.start},{link.end}>",
                "    a nif:String, nif:RFC5147String, nif:Phrase ;",
                f"    nif:anchorOf {_literal(link.surface)} ;",
                f"    nif:beginIndex {_index(link.start)} ;",
                f"    nif:endIndex {_index(link.end)} ;",
                f"    nif:referenceContext <{context}> ;",
                f"    itsrdf:taIdentRef <{_iri(kb_uri + quote_title(link.title))}> ;",
                *([f"    itsrdf:taIdentRef <{WIKIDATA_URI}{link.qid}> ;"] if link.qid else []),
                f"    itsrdf:taConfidence {_double(link.score)} .",
                "",
            ]
    return "\n".join(out)


def _check_link(doc: Document, link: Link, number: int) -> None:
    if not (0 <= link.start <= link.end <= len(doc.text)) or doc.text[link.start : link.end] != link.surface:
        raise InputError(
            f"document {number}: link {link.surface!r} at {link.start}-{link.end} does not match "
            f"its text ({len(doc.text)} code points); offsets must index Document.text"
        )


# --- reading ----------------------------------------------------------------

_CHAR_FRAGMENT = re.compile(r"#char=(\d+),(\d+)")
# Parts of a text that are not mentions even though they point at a context.
_STRUCTURE = {f"{NIF}{name}" for name in ("Sentence", "Word", "Paragraph", "Title", "Context")}


def read_nif(turtle: str, *, source: str = "<NIF>", strict: bool = False) -> list[NifDocument]:
    """Every ``nif:Context`` of a Turtle text, with its mentions sorted by offset.

    ``source`` names the input in error messages. Contexts come in natural
    order of their URIs (``doc/2`` before ``doc/10``). ``strict`` (the GERBIL
    endpoint) refuses a context whose nif:beginIndex/nif:endIndex do not span
    its text, and empty phrases, instead of reading past them: a request's
    client should hear that its offsets are wrong.
    """
    # rdflib is imported on first read: it costs ~0.15 s and writing needs none of it.
    from rdflib import Graph, Literal, URIRef
    from rdflib.namespace import RDF

    graph = Graph()
    try:
        graph.parse(data=turtle, format="turtle")
    except Exception as error:  # rdflib raises many unrelated types for bad syntax
        position, reason = _turtle_error(error)
        raise SourceFormatError(f"not valid Turtle: {reason} — fix the Turtle there", path=source,
                                position=position) from None

    is_string, reference = URIRef(NIF + "isString"), URIRef(NIF + "referenceContext")
    contexts = set(graph.subjects(RDF.type, URIRef(NIF + "Context"))) | set(graph.subjects(is_string, None))
    documents = []
    for context in sorted(contexts, key=lambda node: _natural(str(node))):
        text = graph.value(context, is_string)
        if not isinstance(text, Literal):
            raise SourceFormatError(
                f"context <{context}> has no nif:isString; each nif:Context needs its text",
                path=source,
            )
        text = str(text)
        if strict:
            _check_context_span(graph, context, text, source)
        mentions = [
            _mention(graph, node, text, source)
            for node in set(graph.subjects(reference, context))
            if _is_mention(graph, node)
        ]
        mentions.sort(key=lambda m: (m.start, m.end, m.uri or ""))
        if strict:
            for m in mentions:
                if m.start >= m.end:
                    raise SourceFormatError(f"a phrase of <{context}> is empty ({m.start}-{m.end}); "
                                            "nif:endIndex must be past nif:beginIndex", path=source)
        url = graph.value(context, URIRef(NIF + "sourceUrl"))
        documents.append(NifDocument(str(context), text, mentions, None if url is None else str(url)))
    return documents


def _turtle_error(error: Exception) -> tuple[str | None, str]:
    """rdflib's multi-line message as (position, one line): 'at line 1 of <>:' then the
    reason, then the text around the error with a caret."""
    text = str(error).strip()
    if not text:
        return None, type(error).__name__
    line = re.search(r"at line (\d+)", text)
    parts = [p.strip() for p in re.split(r"\bat line \d+ of <[^>]*>:", text) if p.strip()]
    reason = " ".join(" ".join(parts).split()) if parts else text
    reason, caret, around = reason.partition(" at ^ in")
    if caret:  # around: "b'<text before>'^b'<text after>'" (or plain text with a caret)
        after = around.split("^", 1)[-1].strip(' :"')
        after = re.sub(r"^b?'(.*)'$", r"\1", after)
        reason += f" at {after[:40]!r}" if after else " at the end of the body"
    if len(reason) > 200:
        reason = reason[:200] + "..."
    return (f"line {line.group(1)}" if line else None), reason


def _check_context_span(graph, context, text: str, source: str) -> None:
    from rdflib import URIRef

    for name, want in (("beginIndex", (0,)), ("endIndex", (len(text), _utf16_len(text)))):
        given = graph.value(context, URIRef(NIF + name))
        if given is None:
            continue
        try:
            value = int(str(given))
        except ValueError:
            value = None
        if value not in want:
            raise SourceFormatError(
                f"context <{context}>: nif:{name} {str(given)!r} should be {want[0]} "
                f"(its nif:isString has {len(text)} code points) — send the text's real offsets",
                path=source)


def _utf16_len(text: str) -> int:
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def _is_mention(graph, node) -> bool:
    from rdflib import URIRef
    from rdflib.namespace import RDF

    if (node, URIRef(ITSRDF + "taIdentRef"), None) in graph:
        return True
    types = {str(kind) for kind in graph.objects(node, RDF.type)}
    return f"{NIF}Phrase" in types or not types & _STRUCTURE


def _mention(graph, node, text: str, source: str) -> NifMention:
    from rdflib import URIRef

    def value(name: str):
        return graph.value(node, URIRef(NIF + name))

    where = f"phrase <{node}>"
    begin, end = value("beginIndex"), value("endIndex")
    try:
        if begin is not None and end is not None:
            start, stop = int(str(begin)), int(str(end))
        elif match := _CHAR_FRAGMENT.search(str(node)):
            start, stop = int(match.group(1)), int(match.group(2))
        else:
            raise ValueError
    except ValueError:
        raise SourceFormatError(
            f"{where} has no usable nif:beginIndex/nif:endIndex nor a #char=begin,end URI",
            path=source,
        ) from None
    anchor = value("anchorOf")
    surface = None if anchor is None else str(anchor)
    start, stop = _check_span(text, start, stop, surface, where, source)

    refs = sorted({str(ref) for ref in graph.objects(node, URIRef(ITSRDF + "taIdentRef"))}, key=_preference)
    uri = refs[0] if refs else None
    confidence = graph.value(node, URIRef(ITSRDF + "taConfidence"))
    try:
        score = None if confidence is None else float(str(confidence))
    except ValueError:
        raise SourceFormatError(
            f"{where}: itsrdf:taConfidence {str(confidence)!r} is not a number", path=source
        ) from None
    return NifMention(
        start,
        stop,
        text[start:stop],
        uri=uri,
        is_nil=uri is not None and is_nil_uri(uri),
        uris=tuple(sorted(refs)),
        score=score,
    )


def _check_span(
    text: str, start: int, stop: int, anchor: str | None, where: str, source: str
) -> tuple[int, int]:
    """The span in code points; UTF-16 offsets (older Java tools) are converted when the anchor says so."""
    if 0 <= start <= stop <= len(text) and (anchor is None or text[start:stop] == anchor):
        return start, stop
    if anchor is not None:
        converted = _from_utf16(text, start, stop)
        if converted is not None and text[converted[0] : converted[1]] == anchor:
            return converted
        found = text[start:stop] if 0 <= start <= stop <= len(text) else "(outside the text)"
        raise SourceFormatError(
            f"{where}: nif:anchorOf {anchor!r} is not the context's text at {start}-{stop}, "
            f"which is {found!r}; offsets must count code points",
            path=source,
        )
    raise SourceFormatError(
        f"{where}: offsets {start}-{stop} are outside the context's text ({len(text)} code points)",
        path=source,
    )


def _from_utf16(text: str, start: int, stop: int) -> tuple[int, int] | None:
    units = 0
    index: dict[int, int] = {}
    for position, char in enumerate(text):
        index[units] = position
        units += 2 if ord(char) > 0xFFFF else 1
    index[units] = len(text)
    if start in index and stop in index:
        return index[start], index[stop]
    return None


def _preference(uri: str) -> tuple[int, str]:
    """Wikipedia URIs first, then DBpedia, then other KBs, then NIL markers."""
    if is_nil_uri(uri):
        return 3, uri
    if title_from_uri(uri) is None:
        return 2, uri
    return (0 if "wikipedia.org" in uri.lower() else 1), uri


def _natural(value: str) -> list:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", value)]
