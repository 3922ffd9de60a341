"""Renderers: pure functions from a ``Document`` to text, looked up by format name.

A renderer never opens a KB: the previews it shows are already in
``Document.previews``, so the CLI, the server and Spark render the same way.

    seed   the plain-text seed page layout (``render.seed``)
    html   a standalone HTML page with link preview cards (``render.html``)
    json   ``linkpedia.document/2`` JSON (``render.json``, docs/json-schema.md)
    nif    NIF 2.0 Turtle as GERBIL exchanges it (``linkpedia.nif``, docs/nif.md)
"""

from __future__ import annotations

from collections.abc import Callable

from ..errors import InputError
from ..nif import write_nif
from ..types import Document
from .html import render_html
from .json import document_from_json, render_json
from .seed import render_seed

__all__ = [
    "RENDERERS",
    "render",
    "render_seed",
    "render_html",
    "render_json",
    "document_from_json",
    "write_nif",
]


def _render_nif(doc: Document) -> str:
    return write_nif(doc)


RENDERERS: dict[str, Callable[[Document], str]] = {
    "seed": render_seed,
    "html": render_html,
    "json": render_json,
    "nif": _render_nif,
}


def render(doc: Document, format: str) -> str:
    """The document in ``format``, one of ``RENDERERS``."""
    renderer = RENDERERS.get(format)
    if renderer is None:
        raise InputError(f"unknown format {format!r}; use one of: {', '.join(RENDERERS)}")
    return renderer(doc)
