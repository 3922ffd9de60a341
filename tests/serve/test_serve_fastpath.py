"""``LinkFastPath``: /api/link answered beside the framework must answer exactly as the route does."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from linkpedia.serve import create_app
from linkpedia.serve.app import LinkRequest

import serverproc

# FastAPI parses any application/*+json body as JSON, so this type reaches the
# route itself: the reference the fast path must match.
VIA_ROUTE = "application/vnd.linkpedia+json"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    kb = serverproc.build_sample_kb(tmp_path_factory.mktemp("fast") / "kb")
    return create_app(kb, max_text_chars=5_000)


def post(app, body: bytes, content_type: str) -> httpx.Response:
    async def send():
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
            return await client.post("/api/link", content=body, headers={"content-type": content_type})

    return asyncio.run(send())


BODIES = [
    {"text": "Kaunas lies where the Neris meets the Nemunas. Vilnius is the capital of Lithuania."},
    {"text": "Kaunas and Kaunas again.", "policy": "all", "threshold": 0.1},
    {"text": "Vilnius", "format": "html", "title": "Vilnius"},
    {"text": "Kaunas", "format": "seed"},
    {"text": "Kaunas", "format": "nif"},
    {"text": ""},
    {"text": "Kaunas", "threshold": 2},  # 422
    {"text": "Kaunas", "colour": "red"},  # 422
    {"text": "x" * 5_001},  # 413
    ["text"],  # 422
]


@pytest.mark.parametrize("body", BODIES, ids=range(len(BODIES)))
def test_fast_path_answers_as_the_route_does(app, body):
    raw = json.dumps(body).encode()
    fast, route = post(app, raw, "application/json"), post(app, raw, VIA_ROUTE)
    assert fast.status_code == route.status_code
    assert fast.content == route.content
    for name in ("content-type", "content-security-policy", "x-content-type-options", "x-frame-options",
                 "referrer-policy"):
        assert fast.headers.get(name) == route.headers.get(name), name


def test_bodies_that_are_not_json_reach_the_route(app):
    for raw in (b"text=Kaunas", b'{"text": "Kaunas \\ud800"}', b"\xef\xbb\xbf" + b'{"text": "Kaunas"}'):
        fast, route = post(app, raw, "application/json"), post(app, raw, VIA_ROUTE)
        assert (fast.status_code, fast.content) == (route.status_code, route.content)


JSON = st.recursive(st.none() | st.booleans() | st.floats(allow_nan=False) | st.integers() | st.text(max_size=5),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
                    max_leaves=6)
FIELDS = st.fixed_dictionaries({}, optional={
    "text": st.text(max_size=20) | JSON, "format": st.sampled_from(["json", "html", "nif", "seed", "pdf"]) | JSON,
    "policy": st.sampled_from(["all", "first", "some"]) | JSON, "threshold": st.floats() | st.integers() | JSON,
    "title": st.text(max_size=5) | st.none() | JSON})


@settings(max_examples=400, deadline=None)
@given(FIELDS | JSON)
def test_what_the_fast_path_accepts_the_route_accepts_alike(value):
    # The fast path validates the raw bytes (pydantic's JSON parser); the route
    # parses with the json module first. Whatever the first accepts, the second
    # must accept with the same values; the rest is handed to the route.
    raw = json.dumps(value).encode()
    try:
        fast = LinkRequest.model_validate_json(raw)
    except ValidationError:
        return
    assert LinkRequest.model_validate(json.loads(raw)) == fast


def test_the_fast_path_answers_what_validates_and_hands_the_rest_over_with_the_body():
    from starlette.requests import Request
    from starlette.responses import PlainTextResponse

    from linkpedia.serve.fastpath import LinkFastPath

    async def app(scope, receive, send):  # stands for the framework: says what body it got
        body = await Request(scope, receive).body()
        await PlainTextResponse(b"app:" + body)(scope, receive, send)

    async def answer(body: bytes):
        if body == b"ok":
            return PlainTextResponse("fast")
        LinkRequest.model_validate_json(body)  # raises ValidationError

    fast = LinkFastPath(app, "/api/link", answer)

    async def send(path, content, content_type="application/json"):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=fast), base_url="http://t") as client:
            return (await client.post(path, content=content, headers={"content-type": content_type})).text

    async def chunks():
        yield b"o"
        yield b"k"

    assert asyncio.run(send("/api/link", b"ok")) == "fast"
    assert asyncio.run(send("/api/link", chunks())) == "fast"  # a streamed body is read whole
    assert asyncio.run(send("/api/link", b"{bad")) == "app:{bad"
    assert asyncio.run(send("/api/link", b"ok", "text/plain")) == "app:ok"
    assert asyncio.run(send("/api/other", b"ok")) == "app:ok"
