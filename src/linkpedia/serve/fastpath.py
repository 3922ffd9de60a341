"""``POST /api/link`` answered beside the framework, for the common case.

Measured under load (``bench/serve_load.py``), FastAPI's per-request
machinery (routing, dependency solving, the endpoint's exit stack, its
telemetry and exception layers) cost a worker 0.8-1.7 ms of CPU per
``/api/link`` request, a quarter of the whole. This middleware answers the
request that matters for throughput (a JSON body that validates) with the
same code the route runs: the same ``LinkRequest`` model, the same checks,
``Lane`` and answer, and the same problem details for the errors they raise.
Anything else (another content type, a body that fails validation, one over
the size limit) is handed to the app with the body it has read, so those
errors and the OpenAPI document stay the framework's, defined once in
``app.py``.

It sits inside the security-headers and body-limit middlewares, so its
answers carry the same headers and its reads the same limit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import ValidationError
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..errors import InputError, LinkpediaError
from .problems import Problem, error_response

__all__ = ["LinkFastPath"]



def _is_json(content_type: bytes | None) -> bool:
    """application/json, with any parameters (a charset that is not UTF-8 is answered as
    a body that is not UTF-8: JSON is UTF-8, RFC 8259)."""
    return content_type is not None and content_type.split(b";", 1)[0].strip() == b"application/json"


class LinkFastPath:
    """``answer(body)`` for well-formed ``POST /api/link`` requests; the app for the rest.

    ``answer`` returns the response; it raises pydantic's ``ValidationError``
    to hand the request to the app.
    """

    def __init__(self, app: ASGIApp, path: str, answer: Callable[[bytes], Any]):
        self.app = app
        self.path = path
        self.answer = answer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != self.path or scope["method"] != "POST" \
                or not _is_json(_header(scope, b"content-type")):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        try:
            while True:
                message = await receive()
                if message["type"] != "http.request":
                    return await self._hand_over(scope, chunks, message, receive, send)
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    break
        except HTTPException as error:  # the body limit, while the body streamed in
            return await self.app(scope, _raising(error), send)
        body = b"".join(chunks)
        try:
            body.decode("utf-8")
        except UnicodeDecodeError as error:  # FastAPI would say only "error parsing the body"
            response = error_response(None, InputError(
                f"the request body (byte {error.start}): not valid UTF-8 — send the JSON as UTF-8"))
            return await response(scope, receive, send)
        try:
            response = await self.answer(body)
        except ValidationError:
            return await self._hand_over(scope, [body], None, receive, send)
        except (Problem, LinkpediaError) as error:
            response = error_response(None, error)
        await response(scope, receive, send)

    async def _hand_over(self, scope: Scope, chunks: list[bytes], last: Message | None,
                         receive: Receive, send: Send) -> None:
        """The app, reading first what was already read."""
        pending: list[Message] = [{"type": "http.request", "body": b"".join(chunks), "more_body": last is not None}]
        if last is not None:
            pending.append(last)

        async def replay() -> Message:
            return pending.pop(0) if pending else await receive()

        await self.app(scope, replay, send)


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope["headers"]:
        if key == name:
            return value.lower()
    return None


def _raising(error: Exception) -> Receive:
    async def receive() -> Message:
        raise error

    return receive
