"""Benchmark readers: every format becomes a list of ``GoldDocument``.

Three formats are read: the project's common JSONL (``../shared/data/README.md``),
NIF 2.0 Turtle (GERBIL's datasets, parsed by ``linkpedia.nif``) and the
AIDA-CoNLL TSV. Offsets are code points into ``GoldDocument.text`` and
``text[start:end] == surface`` holds for every link, whatever the source, so
the metrics never re-check them. A NIL link has neither ``title`` nor ``qid``.
"""

from __future__ import annotations

import bz2
import gzip
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Iterable
from urllib.parse import unquote

from ..errors import EmptySourceError, SourceFormatError, SourceNotFoundError

__all__ = [
    "GoldLink",
    "GoldDocument",
    "Dataset",
    "load_dataset",
    "read_jsonl",
    "read_nif_dataset",
    "read_conll",
    "normalize_title",
]


@dataclass(frozen=True, slots=True)
class GoldLink:
    """A gold mention: ``title``/``qid`` both ``None`` means NIL (no entry exists)."""

    start: int
    end: int
    surface: str
    title: str | None = None
    qid: str | None = None

    @property
    def is_nil(self) -> bool:
        return self.title is None and self.qid is None


@dataclass(frozen=True, slots=True)
class GoldDocument:
    """A benchmark text and its gold links, sorted by (start, end)."""

    id: str
    text: str
    links: tuple[GoldLink, ...] = ()

    def __post_init__(self) -> None:
        # Accept any sequence, keep an immutable, ordered tuple.
        ordered = tuple(sorted(self.links, key=lambda g: (g.start, g.end)))
        object.__setattr__(self, "links", ordered)


@dataclass(frozen=True, slots=True)
class Dataset:
    """A named benchmark; ``name`` labels it in tables and report file names."""

    name: str
    docs: tuple[GoldDocument, ...]
    path: str | None = None
    format: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "docs", tuple(self.docs))


def normalize_title(title: str) -> str:
    """Wikipedia's spelling of a title: spaces, single-spaced, first letter upper-case."""
    title = " ".join(title.replace("_", " ").split())
    return title[:1].upper() + title[1:]


# -- format detection ---------------------------------------------------------

_COMPRESSED = {".gz": gzip.open, ".bz2": bz2.open}
_JSONL = {".jsonl", ".json", ".ndjson"}
_NIF = {".ttl", ".nif", ".turtle"}
_CONLL = {".tsv", ".conll", ".tab"}
_BY_SUFFIX = {
    **dict.fromkeys(_JSONL, "jsonl"),
    **dict.fromkeys(_NIF, "nif"),
    **dict.fromkeys(_CONLL, "conll"),
}


def _suffixes(path: Path) -> tuple[str, str | None]:
    """(format suffix, compression suffix) of e.g. ``aida.tsv.gz``."""
    suffixes = [s.lower() for s in path.suffixes]
    compression = suffixes.pop() if suffixes and suffixes[-1] in _COMPRESSED else None
    return (suffixes[-1] if suffixes else ""), compression


def _open_text(path: Path) -> IO[str]:
    _, compression = _suffixes(path)
    if compression:
        return _COMPRESSED[compression](path, "rt", encoding="utf-8", newline="")  # type: ignore[operator]
    return open(path, encoding="utf-8", newline="")


def _read_all(path: Path) -> str:
    try:
        with _open_text(path) as f:
            return f.read()
    except UnicodeDecodeError as e:
        raise SourceFormatError(
            f"not UTF-8 text ({e.reason} at byte {e.start}); save the file as UTF-8",
            path=str(path),
        ) from None
    except (OSError, EOFError) as e:
        raise SourceFormatError(f"cannot be read ({e}); check the file", path=str(path)) from None


def _sniff(path: Path) -> str | None:
    """Guess a format from the first non-blank line."""
    try:
        with _open_text(path) as f:
            for _, line in zip(range(200), f):
                line = line.strip()
                if not line:
                    continue
                if line.startswith("{"):
                    return "jsonl"
                if line.startswith("-DOCSTART-"):
                    return "conll"
                if line.startswith(("@prefix", "@base", "PREFIX", "<")) or "nif:" in line:
                    return "nif"
                return None
    except (UnicodeDecodeError, OSError, EOFError):
        return None
    return None


def load_dataset(path: str | Path, *, name: str | None = None) -> Dataset:
    """Read a benchmark file, choosing the reader by extension, else by content.

    ``.jsonl``/``.json`` = common JSONL, ``.ttl``/``.nif`` = NIF 2.0 Turtle,
    ``.tsv``/``.conll`` = AIDA-CoNLL; ``.gz``/``.bz2`` are decompressed on the
    fly. Raises ``SourceNotFoundError``, ``SourceFormatError`` (with file and
    line) or ``EmptySourceError`` (no document).
    """
    path = Path(path)
    if not path.is_file():
        raise SourceNotFoundError(f"{path}: no such benchmark file; check the path")
    suffix, _ = _suffixes(path)
    fmt = _BY_SUFFIX.get(suffix) or _sniff(path)
    if fmt is None:
        raise SourceFormatError(
            "cannot tell the benchmark format; use common JSONL (.jsonl), NIF 2.0 Turtle (.ttl) "
            "or AIDA-CoNLL TSV (.tsv, starting with -DOCSTART-)",
            path=str(path),
        )
    reader = {"jsonl": read_jsonl, "nif": read_nif_dataset, "conll": read_conll}[fmt]
    docs = reader(path)
    if not docs:
        raise EmptySourceError(f"{path}: holds no benchmark document; check the file")
    if name is None:
        name = path.name[: len(path.name) - len("".join(path.suffixes))] if path.suffixes else path.name
        name = name or path.name
    return Dataset(name=name, docs=tuple(docs), path=str(path), format=fmt)


# -- common JSONL ---------------------------------------------------------------


def read_jsonl(path: str | Path) -> list[GoldDocument]:
    """Read the common JSONL format: one ``{"id", "text", "links"}`` object per line."""
    path = Path(path)
    docs: list[GoldDocument] = []
    try:
        with _open_text(path) as f:
            for line_no, line in enumerate(f, 1):
                if line.strip():
                    docs.append(_jsonl_document(line, path, line_no))
    except UnicodeDecodeError as e:
        raise SourceFormatError(
            f"not UTF-8 text ({e.reason}); save the file as UTF-8", path=str(path)
        ) from None
    except (OSError, EOFError) as e:
        raise SourceFormatError(f"cannot be read ({e}); check the file", path=str(path)) from None
    return docs


def _jsonl_document(line: str, path: Path, line_no: int) -> GoldDocument:
    def fail(message: str) -> SourceFormatError:
        return SourceFormatError(message, path=str(path), position=f"line {line_no}")

    try:
        obj = json.loads(line)
    except json.JSONDecodeError as e:
        raise fail(
            f"not valid JSON ({e.msg}, column {e.colno}); each line must hold one document object"
        ) from None
    if not isinstance(obj, dict):
        raise fail('expected a JSON object {"id", "text", "links"}')
    text = obj.get("text")
    if not isinstance(text, str):
        raise fail('"text" is missing or not a string')
    raw_links = obj.get("links", [])
    if not isinstance(raw_links, list):
        raise fail('"links" must be a list of link objects')
    links = []
    for i, raw in enumerate(raw_links):
        where = f"link {i}"
        if not isinstance(raw, dict):
            raise fail(f"{where} is not an object")
        start, end = raw.get("start"), raw.get("end")
        if not (type(start) is int and type(end) is int and 0 <= start <= end <= len(text)):
            raise fail(
                f"{where}: start/end {start!r}-{end!r} are not code-point offsets inside the text "
                f"({len(text)} code points)"
            )
        surface = raw.get("surface", text[start:end])
        if surface != text[start:end]:
            raise fail(
                f"{where}: text[{start}:{end}] is {text[start:end]!r}, not the surface {surface!r}; "
                "offsets count Unicode code points"
            )
        title, qid = raw.get("title"), raw.get("qid")
        if title is not None and not isinstance(title, str) or qid is not None and not isinstance(qid, str):
            raise fail(f'{where}: "title" and "qid" must be strings or null')
        links.append(GoldLink(start, end, surface, normalize_title(title) if title else None, qid or None))
    doc_id = obj.get("id", str(line_no))
    return GoldDocument(id=str(doc_id), text=text, links=tuple(links))


# -- NIF 2.0 Turtle ----------------------------------------------------------------

_WIKIDATA = re.compile(r"^https?://(?:www\.)?wikidata\.org/(?:entity|wiki)/(Q\d+)$")


def read_nif_dataset(path: str | Path) -> list[GoldDocument]:
    """Read a NIF 2.0 Turtle corpus (GERBIL's datasets) through ``linkpedia.nif``.

    A mention without a URI, or with a URI that says "not in the KB" (GERBIL's
    ``notInWiki`` emerging entities), is NIL. A Wikipedia or DBpedia URI
    becomes a title, a Wikidata URI a ``qid``; a URI of any other KB is kept
    whole as the title, so the KB cannot resolve it and it counts as a
    coverage gap, never as NIL.
    """
    from .. import nif  # imported here: rdflib is only needed for NIF files

    path = Path(path)
    docs = []
    for nd in nif.read_nif(_read_all(path), source=str(path)):
        links = []
        for m in nd.mentions:
            title = qid = None
            if m.uri and not m.is_nil:
                wikidata = _WIKIDATA.match(m.uri)
                if wikidata:
                    qid = wikidata.group(1)
                else:
                    found = nif.title_from_uri(m.uri)
                    title = normalize_title(found) if found else m.uri
            links.append(GoldLink(m.start, m.end, m.surface, title, qid))
        docs.append(GoldDocument(id=nd.uri, text=nd.text, links=tuple(links)))
    return docs


# -- AIDA-CoNLL TSV ----------------------------------------------------------------

_DOCSTART = re.compile(r"^-DOCSTART-\s*(?:\((.*)\))?\s*$")
_YAGO_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")


def _title_from_aida(entity: str, url: str | None) -> str | None:
    """The Wikipedia title of an AIDA annotation, from its URL, else its YAGO2 name."""
    if url and "/wiki/" in url:
        return normalize_title(unquote(url.rsplit("/wiki/", 1)[1]))
    if entity and entity != "--NME--":
        return normalize_title(_YAGO_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), entity))
    return None


def read_conll(path: str | Path) -> list[GoldDocument]:
    """Read AIDA-CoNLL (CoNLL-YAGO) TSV: one token per line, ``-DOCSTART- (id)`` per document.

    Columns of an annotated token: token, B/I, full mention, YAGO2 entity or
    ``--NME--`` (NIL), Wikipedia URL, Wikipedia id, Freebase mid. The text is
    rebuilt by joining a sentence's tokens with spaces and sentences with a
    line break, so offsets are code points into that text.
    """
    path = Path(path)
    return _parse_conll(_read_all(path).splitlines(), str(path))


def _parse_conll(lines: Iterable[str], path: str) -> list[GoldDocument]:
    docs: list[GoldDocument] = []
    doc_id: str | None = None
    parts: list[str] = []  # text pieces of the current document
    size = 0  # code points in parts
    sentence_open = False
    spans: list[tuple[int, int, str | None]] = []  # (start, end, title) of finished mentions
    current: list | None = None  # [start, end, title, mention text] of the open mention

    def close_mention() -> None:
        nonlocal current
        if current is not None:
            spans.append((current[0], current[1], current[2]))
            current = None

    def close_document() -> None:
        nonlocal parts, size, spans, sentence_open
        close_mention()
        if doc_id is not None:
            text = "".join(parts)
            links = tuple(GoldLink(s, e, text[s:e], title, None) for s, e, title in spans)
            docs.append(GoldDocument(id=doc_id, text=text, links=links))
        parts, size, spans, sentence_open = [], 0, [], False

    for line_no, raw in enumerate(lines, 1):
        line = raw.rstrip("\r\n")
        if line.startswith("-DOCSTART-"):
            m = _DOCSTART.match(line.strip())
            close_document()
            doc_id = ((m.group(1) if m else None) or "").strip() or str(len(docs) + 1)
            continue
        if not line.strip():  # sentence break
            close_mention()
            sentence_open = False
            continue
        where = f"line {line_no}"
        if doc_id is None:
            raise SourceFormatError(
                "token before the first -DOCSTART- line; AIDA-CoNLL files start each document with "
                "'-DOCSTART- (id)'",
                path=path,
                position=where,
            )
        cols = line.split("\t")
        token = cols[0]
        if not token.strip():
            raise SourceFormatError("empty token in the first column", path=path, position=where)
        tag = cols[1] if len(cols) > 1 else ""
        if tag not in ("", "B", "I", "O"):
            raise SourceFormatError(
                f"second column is {tag!r}; expected B or I (AIDA-CoNLL columns: token, B/I, "
                "mention, YAGO2 entity or --NME--, Wikipedia URL)",
                path=path,
                position=where,
            )
        if parts:
            parts.append(" " if sentence_open else "\n")
            size += 1
        start = size
        parts.append(token)
        size += len(token)
        sentence_open = True

        if tag in ("", "O"):
            close_mention()
            continue
        mention = cols[2] if len(cols) > 2 else token
        if tag == "I" and current is not None and current[3] == mention:
            current[1] = size
            continue
        close_mention()  # a B, or an I that continues nothing, opens a mention
        entity = cols[3] if len(cols) > 3 else "--NME--"
        url = cols[4] if len(cols) > 4 else None
        current = [start, size, _title_from_aida(entity, url), mention]
    close_document()
    return docs
