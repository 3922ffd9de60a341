"""A document as versioned JSON (``linkpedia.document/2``), and back.

Version 2 added each link's ``qid`` (its Wikidata item, or null); files of
version 1 are still read, their links without QIDs.

The schema is documented in docs/json-schema.md. Offsets are code points
(Python ``str`` indices), so a JavaScript or Java reader must convert them
for texts with characters outside the Basic Multilingual Plane. Reading
checks the version and every offset, so a stale or hand-edited file fails
with a message that names the field, not later inside a renderer.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

from ..errors import InputError
from ..types import Candidate, Document, Link
from ._spans import ordered_links

__all__ = ["SCHEMA", "render_json", "document_to_dict", "document_from_dict", "document_from_json"]

SCHEMA = "linkpedia.document/2"
READS = ("linkpedia.document/1", SCHEMA)
_FAMILY = SCHEMA.rsplit("/", 1)[0] + "/"


def document_to_dict(doc: Document) -> dict[str, Any]:
    """The JSON object of a document, for callers (the server) that serialize it themselves."""
    return {
        "schema": SCHEMA,
        "title": doc.title,
        "text": doc.text,
        "links": [
            {
                "start": link.start,
                "end": link.end,
                "surface": link.surface,
                "title": link.title,
                "qid": link.qid,
                "score": float(link.score),
                "preview": doc.previews.get(link.title),
                "candidates": [
                    {
                        "title": candidate.title,
                        "prior": float(candidate.prior),
                        "count": int(candidate.count),
                        "score": float(candidate.score),
                    }
                    for candidate in link.candidates
                ],
            }
            for link in ordered_links(doc, allow_overlap=True)
        ],
    }


def render_json(doc: Document, *, indent: int | None = 2) -> str:
    """The document as JSON text (UTF-8 characters kept as they are, not ``\\u`` escapes)."""
    return json.dumps(document_to_dict(doc), ensure_ascii=False, indent=indent, allow_nan=False)


def document_from_json(text: str | bytes, *, source: str = "<JSON>") -> Document:
    """The ``Document`` a ``render_json`` output holds; ``source`` names it in error messages."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(
            f"{source}: not valid JSON ({error.msg} at line {error.lineno}, column {error.colno})"
        ) from None
    except UnicodeDecodeError:
        raise InputError(f"{source}: not UTF-8 text; save the JSON as UTF-8") from None
    return document_from_dict(data, source=source)


def document_from_dict(data: Any, *, source: str = "<JSON>") -> Document:
    """Like ``document_from_json`` for an already decoded object."""
    reader = _Reader(source)
    doc = reader.object(data, "the document")
    schema = doc.get("schema")
    if schema not in READS:
        if isinstance(schema, str) and schema.startswith(_FAMILY):
            raise InputError(
                f"{source}: schema {schema!r} is not supported by this linkpedia, which reads "
                f"{' and '.join(map(repr, READS))}; upgrade linkpedia or re-render the document"
            )
        found = 'no "schema" field' if "schema" not in doc else f'"schema" is {schema!r}'
        raise InputError(f'{source}: {found}; a linkpedia document has "schema": {SCHEMA!r}')
    text = reader.field(doc, "text", str, "text")
    title = reader.field(doc, "title", (str, type(None)), "title", default=None)
    links: list[Link] = []
    previews: dict[str, str] = {}
    for index, item in enumerate(reader.field(doc, "links", list, "links", default=[])):
        where = f"links[{index}]"
        item = reader.object(item, where)
        start = reader.field(item, "start", int, f"{where}.start")
        end = reader.field(item, "end", int, f"{where}.end")
        surface = reader.field(item, "surface", str, f"{where}.surface")
        link_title = reader.field(item, "title", str, f"{where}.title")
        if not 0 <= start <= end <= len(text):
            raise InputError(
                f"{source}: {where} spans {start}-{end}, outside the text ({len(text)} code points); "
                "offsets count code points"
            )
        if text[start:end] != surface:
            raise InputError(
                f"{source}: {where}.surface is {surface!r} but the text at {start}-{end} is "
                f"{text[start:end]!r}; offsets count code points"
            )
        candidates = []
        for number, raw in enumerate(
            reader.field(item, "candidates", list, f"{where}.candidates", default=[])
        ):
            at = f"{where}.candidates[{number}]"
            raw = reader.object(raw, at)
            candidates.append(
                Candidate(
                    title=reader.field(raw, "title", str, f"{at}.title"),
                    prior=reader.number(raw, "prior", f"{at}.prior", 0.0),
                    count=reader.field(raw, "count", int, f"{at}.count", default=0),
                    score=reader.number(raw, "score", f"{at}.score", 0.0),
                )
            )
        preview = reader.field(item, "preview", (str, type(None)), f"{where}.preview", default=None)
        if preview is not None:
            previews.setdefault(link_title, preview)
        links.append(
            Link(
                start,
                end,
                surface,
                link_title,
                score=reader.number(item, "score", f"{where}.score", 1.0),
                candidates=tuple(candidates),
                qid=reader.field(item, "qid", (str, type(None)), f"{where}.qid", default=None),
            )
        )
    return Document(text=text, links=tuple(links), title=title, previews=previews)


class _Reader:
    """Typed field access that fails with the field's path and the source's name."""

    def __init__(self, source: str):
        self.source = source

    def object(self, value: Any, where: str) -> Mapping[str, Any]:
        if not isinstance(value, dict):
            raise InputError(f"{self.source}: {where} must be a JSON object, not {_kind(value)}")
        return value

    def field(self, data: Mapping[str, Any], key: str, kind: Any, where: str, **kw: Any) -> Any:
        if key not in data:
            if "default" in kw:
                return kw["default"]
            raise InputError(f"{self.source}: {where} is missing")
        value = data[key]
        # bool is an int in Python but not an offset or a count in JSON.
        if isinstance(value, bool) and kind is int or not isinstance(value, kind):
            expected = {str: "a string", int: "an integer", list: "an array"}.get(kind, "a string or null")
            raise InputError(f"{self.source}: {where} must be {expected}, not {_kind(value)}")
        return value

    def number(self, data: Mapping[str, Any], key: str, where: str, default: float) -> float:
        value = data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise InputError(f"{self.source}: {where} must be a finite number, not {_kind(value)}")
        return float(value)


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    return {dict: "an object", list: "an array", str: "a string", int: "a number", float: "a number"}.get(
        type(value), type(value).__name__
    )
