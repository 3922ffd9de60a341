"""Response headers that keep a page's text from ever becoming code.

Every piece of text is escaped when a page is built; the Content-Security-Policy
is the second wall: a page may run only the inline script and style blocks
whose SHA-256 is listed, so markup smuggled past the escaping would stay inert.
Responses without their own policy (JSON, Turtle, errors) get one that
allows nothing at all.
"""

from __future__ import annotations

import base64
import hashlib
from functools import cache

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..render.html import CSS, JS

__all__ = ["SecurityHeadersMiddleware", "csp_for", "api_html_csp"]

DENY_ALL = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"


def _hash(block: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(block.encode("utf-8")).digest()).decode() + "'"


def _sources(blocks: list[str]) -> str:
    return " ".join(_hash(block) for block in blocks) or "'none'"


def csp_for(styles: list[str], scripts: list[str]) -> str:
    """A policy allowing exactly these inline ``<style>`` and ``<script>`` contents."""
    return (
        "default-src 'none'; "
        f"style-src {_sources(styles)}; script-src {_sources(scripts)}; "
        "connect-src 'self'; img-src 'self' data:; form-action 'self'; "
        "base-uri 'none'; frame-ancestors 'none'"
    )


@cache
def api_html_csp() -> str:
    """The policy for ``render_html``'s standalone page, which embeds ``"\\n" + CSS`` and ``"\\n" + JS``."""
    return csp_for(["\n" + CSS], ["\n" + JS])


_ALWAYS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]


class SecurityHeadersMiddleware:
    """Adds ``nosniff``, ``no-referrer``, no framing, and a deny-all CSP unless one is set."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(k, v) for k, v in _ALWAYS if k not in present]
                if b"content-security-policy" not in present:
                    headers.append((b"content-security-policy", DENY_ALL.encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)
