"""Request limits on a real server: body size, text length, time; 413/503 as problem details."""

from __future__ import annotations

import socket

import pytest

from linkpedia.nif import write_nif
from linkpedia.types import Document

import serverproc

SENTENCE = "Kaunas lies on the Nemunas and Vilnius on the Neris. "


@pytest.fixture(scope="module")
def server(request, tmp_path_factory):
    return serverproc.hostile_server(request, tmp_path_factory)  # 1,000 characters, 10,000 bytes


def problem(response, status):
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return response.json()["detail"]


def test_text_over_the_limit_is_413_with_the_numbers(server):
    detail = problem(server.client.post("/api/link", json={"text": "x" * 1001}), 413)
    assert "1,001 characters" in detail and "at most 1,000" in detail
    assert server.client.post("/api/link", json={"text": "x" * 1000}).status_code == 200


def test_body_over_the_limit_is_413_before_it_is_read(server):
    detail = problem(server.client.post("/api/link", json={"text": "x" * 999, "title": "t" * 10_000}), 413)
    assert "10,000 bytes" in detail


def test_chunked_body_over_the_limit_is_413(server):
    def chunks():
        yield b'{"text": "'
        for _ in range(30):
            yield b"x" * 1000
        yield b'"}'

    r = server.client.post("/api/link", content=chunks(), headers={"content-type": "application/json"})
    assert "content-length" not in r.request.headers
    assert "10,000 bytes" in problem(r, 413)


def test_content_length_that_is_not_a_number_is_400(server):
    with socket.create_connection(("127.0.0.1", server.port)) as s:
        s.sendall(b"POST /api/link HTTP/1.1\r\nHost: x\r\nContent-Length: lots\r\n\r\n")
        head = s.recv(4096).decode()
    assert head.startswith("HTTP/1.1 400")


def test_gerbil_text_over_the_limit_is_413(server):
    turtle = write_nif([Document(SENTENCE * 30)])
    r = server.client.post("/gerbil", content=turtle.encode(), headers={"content-type": "text/turtle"})
    assert "characters" in problem(r, 413)


def test_reader_shows_the_limit_as_a_page(server):
    r = server.client.post("/read", data={"text": SENTENCE * 30}, headers={"accept": "text/html"})
    assert r.status_code == 413
    assert r.headers["content-type"].startswith("text/html")
    assert "characters; this server links at most 1,000" in r.text
