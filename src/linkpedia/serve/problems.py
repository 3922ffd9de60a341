"""Every error the server answers, as RFC 9457 problem details.

API clients get ``application/problem+json`` — ``{type, title, status, detail}``
— never a traceback or an HTML error page; the reader's pages (a browser asking
for HTML outside ``/api``) get the same message as a small HTML page instead.
Library errors keep their own ``http_status`` and one-line message, so the CLI
and the server say the same thing about the same mistake.

    LinkpediaError            its http_status (InputError 400, EntryNotFoundError 404)
    Problem                   raised by the server itself (413, 503, ...)
    RequestValidationError    422, with the failing fields in ``errors``
    HTTPException             its status (404 unknown route, 405 wrong method)
    anything else             500, logged with its traceback, answered without it
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, Response

from ..errors import LinkpediaError

__all__ = ["Problem", "PROBLEM_TYPE", "problem_response", "error_response", "install_handlers", "PROBLEM_SCHEMA"]

log = logging.getLogger("linkpedia.serve")

PROBLEM_TYPE = "application/problem+json"

# The problem body as OpenAPI documents it for every error status.
PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string",
                 "description": "'linkpedia:<ErrorName>', or 'about:blank' for plain HTTP errors."},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string", "description": "What went wrong and what to do, in one line."},
        "errors": {"type": "array", "items": {"type": "object"}, "description": "Failing fields (422 only)."},
    },
}


class Problem(Exception):
    """An error the server raises itself, with the status and message to answer."""

    def __init__(self, status: int, detail: str, *, kind: str = "about:blank", headers: dict[str, str] | None = None):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.kind = kind
        self.headers = headers or {}


def problem_response(
    request: Request | None,
    status: int,
    detail: str,
    *,
    kind: str = "about:blank",
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> Response:
    """The problem as JSON, or as an HTML page when a browser asked for a reader page."""
    title = _title(status)
    if request is not None and _wants_html(request):
        from .pages import error_page  # pages imports this module

        return error_page(status, title, detail, headers=headers)
    body: dict[str, Any] = {"type": kind, "title": title, "status": status, "detail": detail}
    if extra:
        body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_TYPE, headers=headers)


def _title(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


_API_PREFIXES = ("/api/", "/gerbil", "/healthz", "/openapi.json")


def _wants_html(request: Request) -> bool:
    path = request.url.path
    if path.startswith(_API_PREFIXES):
        return False
    return "text/html" in request.headers.get("accept", "")


def install_handlers(app: FastAPI) -> None:
    """Route every exception through ``problem_response``."""
    handlers: dict[Any, Callable] = {
        LinkpediaError: _error,
        Problem: _error,
        RequestValidationError: _validation_error,
        HTTPException: _http_error,
        Exception: _server_error,
    }
    for kind, handler in handlers.items():
        app.add_exception_handler(kind, handler)


def error_response(request: Request | None, exc: Problem | LinkpediaError) -> Response:
    """The answer to a ``Problem`` or a library error (``request`` None: an API answer)."""
    if isinstance(exc, Problem):
        return problem_response(request, exc.status, exc.detail, kind=exc.kind, headers=exc.headers)
    return problem_response(request, exc.http_status, str(exc), kind=f"linkpedia:{type(exc).__name__}")


async def _error(request: Request, exc: Problem | LinkpediaError) -> Response:
    return error_response(request, exc)


async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
    raw = list(exc.errors())
    errors = [{"loc": [str(part) for part in error.get("loc", ())], "msg": str(error.get("msg", "")),
               "type": str(error.get("type", ""))} for error in raw]
    detail = _describe(raw[0]) if raw else "the request does not match the API's schema"
    if len(raw) > 1:
        detail += f" (and {len(raw) - 1} more; see errors)"
    return problem_response(request, 422, detail, kind="linkpedia:ValidationError", extra={"errors": errors})


def _describe(error: dict[str, Any]) -> str:
    """One error of a validation failure as a line a person can act on."""
    if error.get("type") == "json_invalid":
        reason = (error.get("ctx") or {}).get("error", "")
        return f"the body is not valid JSON ({reason}); send a JSON object" if reason else \
            "the body is not valid JSON; send a JSON object"
    loc = [str(part) for part in error.get("loc", ())]
    field = ".".join(loc[1:]) if len(loc) > 1 else ""
    if not field:
        return f"the body: {error.get('msg', 'is invalid')}; send a JSON object with Content-Type: application/json"
    return f"{field}: {error.get('msg', 'is invalid')}"


# Starlette's own errors carry only the status phrase; say what it means here.
_HTTP_DETAIL = {
    404: "nothing at {path}; the API is described at /openapi.json",
    405: "{method} is not allowed on {path}",
}


async def _http_error(request: Request, exc: HTTPException) -> Response:
    detail = exc.detail
    if not isinstance(detail, str) or detail == _title(exc.status_code):
        template = _HTTP_DETAIL.get(exc.status_code, "{phrase}")
        detail = template.format(path=request.url.path, method=request.method, phrase=_title(exc.status_code))
    return problem_response(request, exc.status_code, detail, headers=getattr(exc, "headers", None))


async def _server_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem_response(request, 500, "the server failed on this request; the error is in its log")
