"""The HTTP API over one opened KB: link, look up, search, GERBIL, health.

``create_app`` opens the KB, read-only, before the server takes a request;
requests share it (the KB is thread-safe: its index is mmap'd and each thread
gets its own SQLite connection), and after ``linkpedia update`` new requests
get the new generation (``lookups.CurrentKB``). Blocking work runs off the
event loop under the time limit (``limits.Lane``), so a slow request never
holds up the others. No request value is ever used as a file path: the KB's
path is fixed here, and titles only ever reach SQLite as bound parameters.
"""

from __future__ import annotations

import gc
import logging
import time
from contextlib import asynccontextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Any, Literal

import orjson
from fastapi import APIRouter, FastAPI, Path as PathParam, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from pydantic import BaseModel, ConfigDict, Field, field_validator

from .. import __version__
from ..kb import KnowledgeBase
from ..link.linker import LinkerConfig
from ..nif import NifDocument, quote_title, read_nif, write_nif
from ..render import render, render_html
from ..render.json import document_to_dict
from ..types import Document
from ..wikitext import normalize_title
from .fastpath import LinkFastPath
from .limits import BodyLimitMiddleware, Lane, Limits, check_text
from .lookups import CurrentKB, inlink_count
from .pages import pages_router
from .problems import PROBLEM_SCHEMA, PROBLEM_TYPE, Problem, install_handlers
from .security import SecurityHeadersMiddleware, api_html_csp

__all__ = ["create_app", "LinkRequest", "WIKI_BASE"]

log = logging.getLogger("linkpedia.serve")

WIKI_BASE = "/wiki/"


# --- request and response models (they are the OpenAPI document) -------------

def _utf8(value: str | None) -> str | None:
    """Refuse lone surrogates: JSON allows ``"\\ud800"``, but no page or file can hold it."""
    if value is not None:
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as error:
            raise ValueError(f"holds an unpaired surrogate at position {error.start}; send valid Unicode") from None
    return value


class LinkRequest(BaseModel):
    """A text to link, and how to answer."""

    model_config = ConfigDict(extra="forbid", strict=True, json_schema_extra={
        "examples": [{"text": "Kaunas lies where the Neris meets the Nemunas.", "format": "json"}]})

    text: str = Field(description="The text to link; offsets in the answer index it in code points.")
    format: Literal["json", "html", "seed", "nif"] = Field(
        "json", description="json: linkpedia.document/2; html: a page with preview cards; "
        "seed: the seed page's plain-text layout; nif: NIF 2.0 Turtle.")
    policy: Literal["all", "first"] = Field(
        "first", description="Link every mention, or the first of each entry in each paragraph.")
    threshold: float | None = Field(
        None, ge=0.0, le=1.0, allow_inf_nan=False,
        description="Minimum confidence to link; null = the KB's calibrated default.")
    title: str | None = Field(
        None, max_length=1000, description="The document's title: shown as its heading, and never linked in it.")
    mode: Literal["wikipedia", "entities"] | None = Field(
        None, description="How mentions are found: wikipedia = what an editor would link; entities = every "
        "named entity the KB has; null = the server's default (serve --mention-mode).")

    _check_text = field_validator("text", "title")(_utf8)


class CandidateOut(BaseModel):
    title: str
    prior: float
    count: int
    score: float


class LinkOut(BaseModel):
    start: int = Field(description="Code-point offset of the mention's first character.")
    end: int = Field(description="Code-point offset just past the mention.")
    surface: str
    title: str
    qid: str | None = Field(description="The entry's Wikidata item, where the KB knows it.")
    score: float
    preview: str | None
    candidates: list[CandidateOut]


class DocumentOut(BaseModel):
    """``linkpedia.document/2`` (docs/json-schema.md)."""

    model_config = ConfigDict(title="LinkedDocument")

    schema_: str = Field(alias="schema", examples=["linkpedia.document/2"])
    title: str | None
    text: str
    links: list[LinkOut]


class SurfaceOut(BaseModel):
    surface: str
    count: int = Field(description="Times the surface names this entry in the KB's sources.")


class EntryOut(BaseModel):
    title: str
    qid: str | None = Field(description="Its Wikidata item, where the KB knows it (build --wikidata).")
    description: str | None
    instance_of: list[str] = Field(description="QIDs of its Wikidata classes (P31).")
    redirected_from: str | None = Field(description="The title asked for, when it redirects here.")
    preview: str
    popularity: int
    inlink_count: int = Field(description="Entries whose article links here.")
    is_disambiguation: bool
    surfaces: list[SurfaceOut]
    url: str = Field(description="The entry's page in the web reader.")


class SearchHit(BaseModel):
    title: str
    preview: str
    url: str


class SearchOut(BaseModel):
    query: str
    results: list[SearchHit]


class LimitsOut(BaseModel):
    max_body_bytes: int
    max_text_chars: int
    timeout_s: float


class HealthOut(BaseModel):
    status: Literal["ok"]
    version: str
    kb: str = Field(description="The KB directory this server reads.")
    generation: str = Field(description="The directory of the KB's live files (changes with `linkpedia update`).")
    entries: int
    open_seconds: float = Field(description="Seconds this worker took to open the live generation.")
    reloads: int = Field(description="Updates this worker has switched to since it started.")
    limits: LimitsOut


def _problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {status: {"description": _DESCRIPTIONS[status],
                     "content": {PROBLEM_TYPE: {"schema": PROBLEM_SCHEMA}}} for status in statuses}


_DESCRIPTIONS = {
    400: "The input cannot be used (bad NIF, bad encoding).",
    404: "No entry has that title.",
    413: "The body or the text is larger than this server accepts.",
    422: "The request does not match the schema.",
    503: "The request took longer than the server's time limit.",
}


# --- the application ---------------------------------------------------------

def create_app(kb_dir: Path, **limits: Any) -> FastAPI:
    """The server's ASGI app over the KB at ``kb_dir``; ``limits`` are ``Limits`` fields.

    Opens the KB now, so a missing or broken KB fails here (``KBNotFoundError``)
    rather than on the first request, and logs how long the open took.
    """
    settings = Limits(**limits)
    started = time.perf_counter()
    current = CurrentKB(kb_dir, None if settings.inlink_cap is None
                        else LinkerConfig(inlink_cap=settings.inlink_cap))
    kb = current()
    seconds = time.perf_counter() - started
    log.info("opened KB %s (%d entries) in %.3f s", kb.path, kb.index.n_entries, seconds)

    app = FastAPI(
        title="linkpedia",
        version=__version__,
        summary="Link plain text to encyclopedia entries, with previews.",
        docs_url=None,
        redoc_url=None,
        lifespan=_lifespan,
    )
    app.state.kb = current
    app.state.limits = settings
    app.state.open_seconds = seconds
    install_handlers(app)
    lane = Lane(settings)
    app.include_router(_api_router(current, lane))
    app.include_router(pages_router(current, lane))
    app.add_middleware(LinkFastPath, path="/api/link", answer=_fast_link(current, lane))
    app.add_middleware(BodyLimitMiddleware, limit=settings.max_body_bytes)
    app.add_middleware(SecurityHeadersMiddleware)
    return app


@asynccontextmanager
async def _lifespan(app: FastAPI):
    """Freeze what start-up made (modules, the app, the KB) out of the garbage
    collector's sight before serving: everything lives as long as the process,
    and each full collection walking those ~65,000 objects paused a worker for
    20-45 ms, which set the p99 under load (1.7 ms per collection once frozen)."""
    gc.collect()
    gc.freeze()
    yield


def _api_router(current: CurrentKB, lane: Lane) -> APIRouter:
    api = APIRouter()
    limits = lane.limits

    @api.post(
        "/api/link",
        summary="Link a text",
        response_class=JSONResponse,
        responses={
            200: {"model": DocumentOut, "description": "The linked document, in the format asked for.",
                  "content": {"text/html": {"schema": {"type": "string"}},
                              "text/plain": {"schema": {"type": "string"}},
                              "text/turtle": {"schema": {"type": "string"}}}},
            **_problems(400, 413, 422, 503),
        },
    )
    async def link(body: LinkRequest) -> Response:
        return await _link(current, lane, body)

    @api.get(
        "/api/entries/{title:path}",
        summary="One entry",
        response_model=EntryOut,
        responses=_problems(404, 422, 503),
    )
    async def entry(title: str = PathParam(description="The entry's title (a redirect's title is followed) "
                                                       "or its Wikidata QID (Q42).",
                                           max_length=1000)) -> dict[str, Any]:
        return await lane.lookup(_entry, current(), title)

    @api.get(
        "/api/search",
        summary="Entries by title prefix",
        description="For autocomplete: titles starting with `q` (case of the first letter ignored), "
                    "most linked-to first.",
        response_model=SearchOut,
        responses=_problems(422, 503),
    )
    async def search(q: str = Query(max_length=1000, description="The beginning of a title."),
                     limit: int = Query(10, ge=1, le=50)) -> dict[str, Any]:
        return await lane.lookup(_search, current(), q, limit)

    @api.post(
        "/gerbil",
        summary="Link NIF documents (GERBIL's NIF annotator protocol)",
        description="A2KB: a context without phrases is linked in full. D2KB: when the request "
                    "marks phrases, exactly those spans are linked. The answer reuses the "
                    "request's context URIs.",
        response_class=Response,
        openapi_extra={"requestBody": {"required": True, "content": {
            "text/turtle": {"schema": {"type": "string"}},
            "application/x-turtle": {"schema": {"type": "string"}}}}},
        responses={200: {"description": "NIF 2.0 Turtle with one phrase per link.",
                         "content": {"text/turtle": {"schema": {"type": "string"}},
                                     "application/x-turtle": {"schema": {"type": "string"}}}},
                   **_problems(400, 413, 503)},
    )
    async def gerbil(request: Request) -> Response:
        raw = await request.body()
        try:
            turtle = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise Problem(400, f"the NIF body is not UTF-8 (byte {error.start}); send UTF-8 Turtle",
                          kind="linkpedia:InputError") from None
        answer = await lane.run(_gerbil, current(), turtle, limits, chars=len(turtle))
        accept = request.headers.get("accept", "")
        media = "application/x-turtle" if "application/x-turtle" in accept else "text/turtle"
        return Response(answer, media_type=f"{media}; charset=utf-8")

    @api.get("/healthz", summary="Liveness and what this worker serves", response_model=HealthOut)
    async def healthz() -> dict[str, Any]:
        kb = current()
        return {"status": "ok", "version": __version__, "kb": str(current.path), "generation": str(kb.live),
                "entries": kb.index.n_entries, "open_seconds": round(kb.open_seconds, 4),
                "reloads": current.reloads, "limits": asdict(limits)}

    return api


async def _link(current: CurrentKB, lane: Lane, request: LinkRequest) -> Response:
    """The answer to a ``/api/link`` request that validated: the route's and ``LinkFastPath``'s."""
    check_text(request.text, lane.limits)
    doc = await lane.link(current(), request.text, policy=request.policy, threshold=request.threshold,
                          title=request.title, mode=request.mode)
    return _answer(doc, request.format)


def _fast_link(current: CurrentKB, lane: Lane):
    """``/api/link`` for ``LinkFastPath``: the body validated here, the rest as the route does it."""

    async def answer(body: bytes) -> Response:
        # A ValidationError hands the request to the route, which says what is wrong.
        return await _link(current, lane, LinkRequest.model_validate_json(body))

    return answer


def _answer(doc: Document, fmt: str) -> Response:
    if fmt == "json":
        # orjson: serializing the answer with the json module cost as much as 5% of a request.
        return Response(orjson.dumps(document_to_dict(doc)), media_type="application/json")
    # An HTML answer comes from this server, whose /wiki/ pages its links can use.
    text = render_html(doc, link_base="/wiki/") if fmt == "html" else render(doc, fmt)
    if fmt == "html":
        return HTMLResponse(text, headers={"Content-Security-Policy": api_html_csp()})
    if fmt == "nif":
        return Response(text, media_type="text/turtle; charset=utf-8")
    return PlainTextResponse(text)


def _entry(kb: KnowledgeBase, title: str) -> dict[str, Any]:
    entry = kb.entry(title)  # EntryNotFoundError -> 404 problem
    asked = normalize_title(title)
    return {
        "title": entry.title,
        "qid": entry.qid,
        "description": entry.description,
        "instance_of": list(entry.instance_of),
        "redirected_from": asked if asked and asked not in (entry.title, entry.qid) else None,
        "preview": entry.preview,
        "popularity": int(entry.popularity),
        "inlink_count": inlink_count(kb, entry.title),
        "is_disambiguation": entry.is_disambiguation,
        "surfaces": [{"surface": s, "count": int(n)} for s, n in entry.surfaces],
        "url": WIKI_BASE + quote_title(entry.title),
    }


def _search(kb: KnowledgeBase, q: str, limit: int) -> dict[str, Any]:
    titles = kb.search(q, limit)
    previews = kb.previews(titles)
    return {"query": q, "results": [{"title": t, "preview": previews.get(t, ""),
                                     "url": WIKI_BASE + quote_title(t)} for t in titles]}


def _gerbil(kb: KnowledgeBase, turtle: str, limits: Limits) -> str:
    docs: list[NifDocument] = read_nif(turtle, source="the request body", strict=True)
    if not docs:
        raise Problem(400, "the NIF body holds no nif:Context; send one context per document",
                      kind="linkpedia:InputError")
    linked = []
    for nif_doc in docs:
        check_text(nif_doc.text, limits)
        spans = sorted({(m.start, m.end) for m in nif_doc.mentions if m.start < m.end}) or None
        linked.append(kb.link(nif_doc.text, policy="all", mentions=spans, mode=limits.mode))
    return write_nif(linked, uris=[d.uri for d in docs])
