"""Fuzzing: generated and mutated inputs for every entry point that takes a user's data.

    .venv/bin/python bench/fuzz.py                          # 100,000 inputs per target (~25 min on 2 cores)
    .venv/bin/python bench/fuzz.py --n 2000 --targets link,gerbil --seed 7

Targets: the wikitext converter; each source reader (mutated MediaWiki dumps,
JSONL, WikiExtractor ``<doc>`` and ``--json`` files, some of them compressed
before or after the mutation); ``kb.link`` (random Unicode, combining marks,
NULs, lone surrogates, huge tokens, wrong argument types); ``POST /api/link``
and ``POST /gerbil`` bodies against a real ``linkpedia serve`` on a loopback
port. A crash is any exception that is not a ``LinkpediaError`` (and, for
linking, an answer whose offsets do not index its text), or any 5xx answer.
It prints the inputs tried and the crashes found per target, and writes an
example of each distinct crash to ``bench/out/fuzz/``. Target: 0 crashes.

``tests/test_fuzz.py`` runs a sample of each target (a few hundred inputs).
"""

from __future__ import annotations

import argparse
import asyncio
import bz2
import gzip
import json
import os
import random
import re
import sys
import tempfile
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "src/linkpedia/data/sample"
OUT = REPO / "bench/out/fuzz"

TOKENS = ["[[", "]]", "[[:", "[[Category:", "[[File:x.jpg|thumb|", "{{", "}}", "{{{1}}}", "{{!}}", "|", "||",
          "{|", "|}", "|-", "!", "'''", "''", "'''''", "<ref>", "</ref>", "<ref name=x/>", "<!--", "-->",
          "<nowiki>", "</nowiki>", "<math>", "</math>", "<pre>", "<gallery>", "<br/>", "<div", "</span>",
          "&amp;", "&#0;", "&#x110000;", "&#xD800;", "&nbsp;", "&", "<", ">", "\n", "\n\n", "=", "==", "== x ==",
          "#REDIRECT [[", "__DISAMBIG__", "__TOC__", "[http://x.org y]", "http://", "~~~~", "\x00", "\x0b",
          "\u0301", "\u0301" * 50, "\ud800", "\udfff", "\ufeff", "\u202e", "\u200b", "\U0001F600", "ß", "İ",
          "\t", "\r", "\r\n", "*", "#", ":", ";", "----", "]]]]", "[[[[", "}}}}", "{{{{", "\\", '"', "\u2028"]
BYTES = [b"\xff", b"\xfe", b"\x00", b"\xc3", b"\xe2\x82", b"\xf0\x9f\x98", b"]]>", b"<![CDATA[", b"</page>",
         b"<page>", b"<title>", b"</text>", b"<text>", b"</mediawiki>", b"<siteinfo>", b"<ns>1</ns>", b"&#0;",
         b"&amp;", b"&bogus;", b"<redirect title=\"\"/>", b"\n", b"{", b"}", b'"', b"[", b",", b"null", b"1e999",
         b"</doc>", b"<doc id=\"1\" title=\"\">", b"\\u0000", b"\\ud800", b"\r\n", b"<?xml version=\"1.0\"?>",
         b"BZh91AY&SY", b"\x1f\x8b\x08"]


# --- mutation ---------------------------------------------------------------------

def random_char(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.4:
        return chr(rng.randrange(32, 127))
    if r < 0.55:
        return chr(rng.randrange(0x300, 0x370))  # combining marks
    if r < 0.6:
        return chr(rng.randrange(0, 32))
    if r < 0.65:
        return chr(rng.randrange(0xD800, 0xE000))  # lone surrogates
    if r < 0.8:
        return chr(rng.randrange(0x80, 0x3000))
    if r < 0.9:
        return chr(rng.randrange(0x4E00, 0x9FFF))
    return chr(rng.randrange(0x10000, 0x110000))


def random_text(rng: random.Random, n: int) -> str:
    out = []
    while len(out) < n:
        r = rng.random()
        if r < 0.5:
            out.append(rng.choice(["Kaunas", "Vilnius", "Lithuania", "the", "Soviet Union", "Neris", " ", " ",
                                   ". ", ", ", "\n", "Wilno", "USSR"]))
        elif r < 0.7:
            out.append(rng.choice(TOKENS))
        else:
            out.append(random_char(rng))
    return "".join(out)


def mutate_text(rng: random.Random, text: str, ops: int | None = None) -> str:
    for _ in range(ops or rng.randint(1, 8)):
        n = len(text)
        i = rng.randrange(n + 1)
        op = rng.random()
        if op < 0.3:
            text = text[:i] + rng.choice(TOKENS) + text[i:]
        elif op < 0.45:
            text = text[:i] + random_char(rng) + text[i:]
        elif op < 0.6 and n:
            j = min(n, i + rng.randint(1, 200))
            text = text[:i] + text[j:]
        elif op < 0.7 and n:
            j = min(n, i + rng.randint(1, 200))
            text = text[:j] + text[i:j] * rng.randint(1, 5) + text[j:]
        elif op < 0.8:
            text = text[:i]
        elif op < 0.9 and n > 2:
            a, b = sorted(rng.sample(range(n), 2))
            text = text[:a] + text[b:] + text[a:b]
        else:
            text = text[:i] + random_text(rng, rng.randint(1, 40)) + text[i:]
    return text


def mutate_bytes(rng: random.Random, data: bytes, ops: int | None = None) -> bytes:
    buf = bytearray(data)
    for _ in range(ops or rng.randint(1, 8)):
        n = len(buf)
        i = rng.randrange(n + 1)
        op = rng.random()
        if op < 0.25 and n:
            buf[min(i, n - 1)] ^= 1 << rng.randrange(8)
        elif op < 0.5:
            buf[i:i] = rng.choice(BYTES)
        elif op < 0.65 and n:
            del buf[i:i + rng.randint(1, 300)]
        elif op < 0.75:
            del buf[i:]
        elif op < 0.85 and n:
            j = min(n, i + rng.randint(1, 300))
            buf[j:j] = buf[i:j] * rng.randint(1, 3)
        else:
            buf[i:i] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
    return bytes(buf)


# --- bookkeeping --------------------------------------------------------------------

@dataclass
class Result:
    target: str
    tried: int = 0
    expected_errors: int = 0  # LinkpediaError: a clear error, as it should be
    crashes: Counter = field(default_factory=Counter)
    examples: dict = field(default_factory=dict)
    seconds: float = 0.0

    def crash(self, kind: str, example: str) -> None:
        self.crashes[kind] += 1
        self.examples.setdefault(kind, example)

    @property
    def n_crashes(self) -> int:
        return sum(self.crashes.values())


def _kind(exc: BaseException) -> str:
    tb = traceback.extract_tb(exc.__traceback__)
    where = f"{Path(tb[-1].filename).name}:{tb[-1].lineno}" if tb else "?"
    return f"{type(exc).__name__} at {where}: {str(exc).splitlines()[0][:120] if str(exc) else ''}"


def _call(result: Result, fn: Callable[[], None], show: Callable[[], str]) -> None:
    from linkpedia.errors import LinkpediaError

    result.tried += 1
    try:
        fn()
    except LinkpediaError:
        result.expected_errors += 1
    except RecursionError as exc:
        result.crash(_kind(exc), show())
    except Exception as exc:  # noqa: BLE001 - any other exception is what we hunt
        result.crash(_kind(exc), show() + "\n\n" + "".join(traceback.format_exception(exc))[-3000:])


# --- seeds ----------------------------------------------------------------------------

def _sample_pages() -> list:
    from linkpedia.sources import open_source

    return list(open_source(SAMPLE / "sample-wiki.xml").pages())


def wikitext_seeds() -> list[str]:
    texts = [p.text for p in _sample_pages() if p.text]
    dump = Path(os.environ.get("LINKPEDIA_SHARED", REPO.parent / "shared")) / "data/dumps/enwiki-table-markup.xml.bz2"
    if dump.is_file():
        from linkpedia.sources import open_source

        for i, p in enumerate(open_source(dump).pages()):
            if i >= 100:
                break
            texts.append(p.text[:6000])
    return texts


def _xml_head() -> str:
    src = (SAMPLE / "sample-wiki.xml").read_text(encoding="utf-8")
    return src[: src.index("<page>")]


def source_seeds() -> dict[str, list[bytes]]:
    pages = _sample_pages()[:12]
    head = _xml_head()
    from xml.sax.saxutils import escape, quoteattr

    def xml(ps) -> bytes:
        body = "".join(
            f"<page><title>{escape(p.title)}</title><ns>0</ns><id>{i}</id>"
            + (f"<redirect title={quoteattr(p.redirect)} />" if p.redirect else "")
            + f"<revision><id>{i}</id><timestamp>2026-01-01T00:00:00Z</timestamp>"
            f"<text>{escape(p.text[:1500])}</text></revision></page>\n" for i, p in enumerate(ps, 1))
        return (head + body + "</mediawiki>\n").encode("utf-8")

    def jsonl(ps) -> bytes:
        rows = []
        for p in ps:
            row = {"title": p.title, "text": p.text[:800]}
            if p.title.startswith("K"):
                row.update(aliases=["Kovno", p.title.upper()], description="a city",
                           links=[{"start": 0, "end": min(6, len(row["text"])), "title": "Kaunas"}])
            rows.append(json.dumps(row, ensure_ascii=p.title < "M"))
        return ("\n".join(rows) + "\n").encode("utf-8")

    def wx_doc(ps) -> bytes:
        return "".join(f'<doc id="{i}" url="https://en.wikipedia.org/wiki?curid={i}" title={quoteattr(p.title)}>\n'
                       f"{p.title}\n\n{p.text[:800]}\n</doc>\n" for i, p in enumerate(ps, 1)).encode("utf-8")

    def wx_links(ps) -> bytes:
        return "".join(f'<doc id="{i}" url="https://x/{i}" title={quoteattr(p.title)}>\n{p.title}\n\n'
                       f'<a href="Kaunas">the city</a> lies on <a href="Neris%20River">Neris</a>. {p.text[:300]}\n'
                       f"</doc>\n" for i, p in enumerate(ps, 1)).encode("utf-8")

    def wx_json(ps) -> bytes:
        return "".join(json.dumps({"id": str(i), "url": f"https://x/{i}", "title": p.title, "text": p.text[:800]})
                       + "\n" for i, p in enumerate(ps, 1)).encode("utf-8")

    groups = [pages[i:i + 4] for i in range(0, len(pages), 4)]
    return {"mediawiki": [xml(g) for g in groups], "jsonl": [jsonl(g) for g in groups],
            "wikiextractor": [wx_doc(g) for g in groups] + [wx_links(groups[0])],
            "wikiextractor-json": [wx_json(g) for g in groups]}


# --- targets ---------------------------------------------------------------------------

def fuzz_wikitext(n: int, rng: random.Random, **_) -> Result:
    from linkpedia.wikitext import convert, make_preview

    seeds = wikitext_seeds()
    res = Result("wikitext converter")
    for _ in range(n):
        r = rng.random()
        text = random_text(rng, rng.randint(0, 600)) if r < 0.25 else mutate_text(rng, rng.choice(seeds)[:4000])

        def run(text=text):
            out = convert(text)
            for link in out.links:
                assert 0 <= link.start <= link.end <= len(out.text), f"link {link} outside the text"
            make_preview(out.text)

        _call(res, run, lambda text=text: repr(text))
    return res


def _reader_target(fmt: str):
    def fuzz(n: int, rng: random.Random, *, work: Path, **_) -> Result:
        from linkpedia.sources import detect_format, open_source

        seeds = source_seeds()[fmt]
        res = Result(f"reader {fmt}")
        suffix = {"mediawiki": ".xml", "jsonl": ".jsonl", "wikiextractor": "", "wikiextractor-json": ""}[fmt]
        for k in range(n):
            data = rng.choice(seeds)
            r = rng.random()
            if r < 0.1:  # compressed, then mutated: broken streams
                data = mutate_bytes(rng, (bz2.compress if rng.random() < 0.5 else gzip.compress)(data), 2)
            elif r < 0.2:  # mutated, then compressed: the reader sees the damage after decompression
                data = (bz2.compress if rng.random() < 0.5 else gzip.compress)(mutate_bytes(rng, data))
            elif r < 0.6:  # few changes: most inputs get deep into the reader
                data = mutate_bytes(rng, data, rng.randint(1, 3))
            else:
                data = mutate_text(rng, data.decode("utf-8"), rng.randint(1, 3)).encode("utf-8", "surrogatepass")
            path = work / f"in{k % 2}{suffix}"
            path.write_bytes(data)

            def run(path=path):
                forced = rng.random() < 0.5
                detected = fmt if forced else detect_format(path)
                src = open_source(path, format=detected)
                for page in src.pages():
                    assert isinstance(page.title, str) and isinstance(page.text, str)

            _call(res, run, lambda data=data: repr(data[:6000]))
        return res

    return fuzz


def _random_options(rng: random.Random, text: str) -> dict:
    opts: dict = {}
    r = rng.random()
    if r < 0.1:
        opts["threshold"] = rng.choice([-1, 2, float("nan"), "0.5", None, True, 0, 1, 0.0001])
    elif r < 0.5:
        opts["threshold"] = rng.random()
    if rng.random() < 0.2:
        opts["policy"] = rng.choice(["all", "first", "none", 3, None, ""])
    if rng.random() < 0.1:
        opts["title"] = rng.choice([None, "Kaunas", random_text(rng, 20), 5])
    if rng.random() < 0.1:
        L = len(text)
        opts["mentions"] = rng.choice([
            [(0, min(6, L))] if L else [],
            [tuple(sorted(rng.sample(range(L + 1), 2)))] if L > 1 else [(0, 0)],
            [(0, L + 5)], [(3, 1)], [(0, "x")], "0,6", None])
    return opts


def fuzz_link(n: int, rng: random.Random, *, kb, **_) -> Result:
    sample = (SAMPLE / "sample-text.txt").read_text(encoding="utf-8")
    res = Result("kb.link")
    for _ in range(n):
        r = rng.random()
        if r < 0.005:
            text = "".join(rng.choice("abcdefghij") for _ in range(rng.randint(10_000, 50_000)))  # a huge token
        elif r < 0.01:
            text = ("Kaunas" + "\u0301" * rng.randint(1, 3000)) * rng.randint(1, 5)  # stacked combining marks
        elif r < 0.3:
            text = mutate_text(rng, sample[: rng.randint(0, 3000)])
        elif r < 0.35:
            text = rng.choice([None, 123, b"Kaunas \xff", b"Kaunas", ["Kaunas"], 1.5])
        else:
            text = random_text(rng, rng.randint(0, 800))
        opts = _random_options(rng, text if isinstance(text, str) else "")

        def run(text=text, opts=opts):
            doc = kb.link(text, **opts)
            for lk in doc.links:
                assert doc.text[lk.start:lk.end] == lk.surface, f"offsets {lk.start}-{lk.end} do not index the text"
                assert 0.0 <= lk.score <= 1.0, f"score {lk.score}"
            if rng.random() < 0.05:
                kb.candidates(text if isinstance(text, str) else "Kaunas")

        _call(res, run, lambda text=text, opts=opts: f"{text!r:.6000} {opts!r}")
    return res


# --- HTTP targets: a real server ---------------------------------------------------------

CONTENT_TYPES = ["application/json", "application/json; charset=utf-8", "application/json; charset=latin-1",
                 "text/plain", "", "application/x-www-form-urlencoded", "application/json;;", "APPLICATION/JSON"]


def api_bodies(rng: random.Random) -> Iterator[tuple[str, bytes]]:
    sample = (SAMPLE / "sample-text.txt").read_text(encoding="utf-8")
    base = json.dumps({"text": sample[:400], "format": "json"}).encode()
    while True:
        r = rng.random()
        if r < 0.45:
            body: dict = {"text": rng.choice([random_text(rng, rng.randint(0, 500)),
                                              mutate_text(rng, sample[:800])])}
            for key, values in (("format", ["json", "html", "seed", "nif", "xml", 1, None]),
                                ("policy", ["all", "first", "x", None, 0]),
                                ("threshold", [0.5, 0, 1, -1, 2, "0.5", None, 1e308, True]),
                                ("title", [None, "Kaunas", random_text(rng, 30), 7, "x" * 2000])):
                if rng.random() < 0.5:
                    body[key] = rng.choice(values)
            if rng.random() < 0.05:
                body["extra"] = 1
            if rng.random() < 0.05:
                body["text"] = rng.choice([None, 5, ["a"], {"a": 1}, True])
            data = json.dumps(body, ensure_ascii=rng.random() < 0.5).encode("utf-8", "surrogatepass")
        elif r < 0.85:
            data = mutate_bytes(rng, base)
        elif r < 0.95:
            data = rng.choice([b"", b"null", b"[]", b"{}", b"\"x\"", b"{\"text\": \"\\ud800\"}", b"{" * 5000,
                               b"[" * 100_000, b"{\"text\": \"" + b"a" * 200_000 + b"\"}",
                               "{\"text\": \"Kaunas é\"}".encode("latin-1"), b"\xef\xbb\xbf{\"text\": \"x\"}"])
        else:
            data = bytes(rng.randrange(256) for _ in range(rng.randint(0, 200)))
        yield rng.choice(CONTENT_TYPES) if rng.random() < 0.3 else "application/json", data


def _turtle_str(text: str) -> str:
    """A Turtle string literal: controls and lone surrogates as \\u escapes, the rest as is."""
    out = []
    for ch in text:
        o = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif o < 0x20 or 0xD800 <= o < 0xE000:
            out.append(f"\\u{o:04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _random_nif(rng: random.Random) -> str:
    """A well-formed request with a random text and random phrases (valid or not)."""
    text = random_text(rng, rng.randint(0, 400))
    n = len(text)
    uri = "http://ex.org/r"
    out = ["@prefix nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#> .",
           "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .",
           f"<{uri}#char=0,{n}> a nif:Context ; nif:isString {_turtle_str(text)} ;",
           f' nif:beginIndex "0"^^xsd:nonNegativeInteger ; nif:endIndex "{n if rng.random() < 0.9 else n + 1}"'
           "^^xsd:nonNegativeInteger ."]
    for k in range(rng.randint(0, 4)):
        a = rng.randint(-1, n + 1)
        b = rng.randint(a, n + 2)
        anchor = f" nif:anchorOf {_turtle_str(text[max(a, 0):b])} ;" if rng.random() < 0.7 else ""
        out.append(f"<{uri}#p{k}> a nif:Phrase ; nif:referenceContext <{uri}#char=0,{n}> ;{anchor}"
                   f' nif:beginIndex "{a}"^^xsd:nonNegativeInteger ; nif:endIndex "{b}"^^xsd:nonNegativeInteger .')
    return "\n".join(out) + "\n"


def gerbil_bodies(rng: random.Random, seeds: list[str]) -> Iterator[tuple[str, bytes]]:
    while True:
        r = rng.random()
        if r < 0.3:
            data = _random_nif(rng).encode("utf-8", "surrogatepass")
        elif r < 0.7:
            data = mutate_text(rng, rng.choice(seeds), rng.randint(1, 3)).encode("utf-8", "surrogatepass")
        elif r < 0.9:
            data = mutate_bytes(rng, rng.choice(seeds).encode("utf-8"))
        else:
            data = bytes(rng.randrange(256) for _ in range(rng.randint(0, 300)))
        yield rng.choice(["text/turtle", "application/x-turtle", "text/plain", ""]), data


def gerbil_seeds(kb) -> list[str]:
    from linkpedia.nif import write_nif

    sample = (SAMPLE / "sample-text.txt").read_text(encoding="utf-8")
    docs = [kb.link(sample[i:i + 300]) for i in range(0, 1500, 300)]
    seeds = [write_nif([d], uris=[f"http://ex.org/doc{i}"]) for i, d in enumerate(docs)]
    plain = ("@prefix nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#> .\n"
             "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
             '<http://ex.org/d#char=0,31> a nif:Context, nif:RFC5147String ; nif:isString "Kaunas is a city in '
             'Lithuania." ;\n nif:beginIndex "0"^^xsd:nonNegativeInteger ; nif:endIndex "31"^^xsd:nonNegativeInteger .\n'
             '<http://ex.org/d#char=0,6> a nif:Phrase ; nif:referenceContext <http://ex.org/d#char=0,31> ;\n'
             ' nif:anchorOf "Kaunas" ; nif:beginIndex "0"^^xsd:nonNegativeInteger ; nif:endIndex "6"^^xsd:nonNegativeInteger .\n')
    return seeds + [plain]


async def _http(port: int, path: str, bodies: Iterator[tuple[str, bytes]], n: int, res: Result,
                connections: int = 8) -> None:
    lock = asyncio.Lock()

    async def one_connection() -> None:
        reader = writer = None
        while True:
            async with lock:
                if res.tried >= n:
                    break
                ctype, body = next(bodies)
                res.tried += 1
            if writer is None:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
            head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + (f"Content-Type: {ctype}\r\n" if ctype else "")
                    + f"Content-Length: {len(body)}\r\n\r\n").encode("latin-1")
            try:
                async with asyncio.timeout(30):
                    writer.write(head + body)
                    raw = await reader.readuntil(b"\r\n\r\n")
                    lines = raw.split(b"\r\n")
                    status = int(lines[0].split()[1])
                    length = next((int(v) for k, _, v in (ln.partition(b":") for ln in lines[1:])
                                   if k.strip().lower() == b"content-length"), 0)
                    answer = await reader.readexactly(length)
                    close = any(ln.lower().startswith(b"connection: close") for ln in lines[1:])
            except (OSError, ValueError, TimeoutError, asyncio.IncompleteReadError) as exc:
                res.crash(f"no answer: {type(exc).__name__}", f"{ctype!r} {body[:3000]!r}")
                writer.close()
                reader = writer = None
                continue
            if status >= 500:
                res.crash(f"HTTP {status}: {answer[:160].decode('utf-8', 'replace')}", f"{ctype!r} {body[:6000]!r}")
            elif status >= 400:
                res.expected_errors += 1
                if b"Traceback" in answer:
                    res.crash(f"HTTP {status} with a traceback", f"{ctype!r} {body[:3000]!r}")
            if close:
                writer.close()
                reader = writer = None
        if writer is not None:
            writer.close()

    await asyncio.gather(*(one_connection() for _ in range(connections)))


def fuzz_http(path: str):
    def fuzz(n: int, rng: random.Random, *, kb, port: int, **_) -> Result:
        res = Result(f"POST {path}")
        bodies = api_bodies(rng) if path == "/api/link" else gerbil_bodies(rng, gerbil_seeds(kb))
        asyncio.run(_http(port, path, bodies, n, res))
        return res

    return fuzz


TARGETS: dict[str, Callable[..., Result]] = {
    "wikitext": fuzz_wikitext,
    "mediawiki": _reader_target("mediawiki"),
    "jsonl": _reader_target("jsonl"),
    "wikiextractor": _reader_target("wikiextractor"),
    "wikiextractor-json": _reader_target("wikiextractor-json"),
    "link": fuzz_link,
    "api-link": fuzz_http("/api/link"),
    "gerbil": fuzz_http("/gerbil"),
}


def run_target(name: str, n: int, seed: int, **ctx) -> Result:
    started = time.perf_counter()
    res = TARGETS[name](n, random.Random(f"{seed}-{name}"), **ctx)
    res.seconds = time.perf_counter() - started
    return res


# --- the command ------------------------------------------------------------------------

def _server(kb_dir: Path, log: Path):
    import socket
    import subprocess
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "linkpedia.cli", "serve", "--kb", str(kb_dir), "--port", str(port),
                             "--workers", "2"], stdout=log.open("wb"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return proc, port
        except OSError:
            if proc.poll() is not None:
                raise SystemExit(f"the server exited:\n{log.read_text()}")
            time.sleep(0.1)
    proc.terminate()
    raise SystemExit("the server did not start")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="inputs per target")
    parser.add_argument("--targets", default=",".join(TARGETS), help="comma-separated: " + ", ".join(TARGETS))
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--kb", type=Path, default=None, help="KB to link against (default: the sample KB)")
    args = parser.parse_args(argv)
    import signal

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # the finally below stops the server
    sys.path.insert(0, str(REPO / "src"))
    import linkpedia

    OUT.mkdir(parents=True, exist_ok=True)
    kb_dir = args.kb
    if kb_dir is None:
        import shutil

        kb_dir = OUT / "sample-kb"
        shutil.rmtree(kb_dir, ignore_errors=True)
        linkpedia.build_kb([SAMPLE / "sample-wiki.xml"], kb_dir, options=linkpedia.BuildOptions(jobs=1))
    kb = linkpedia.open_kb(kb_dir)
    names = [t.strip() for t in args.targets.split(",") if t.strip()]
    proc = port = None
    if any(name in ("api-link", "gerbil") for name in names):
        proc, port = _server(kb_dir, OUT / "server.log")
    total = 0
    print(f"{'target':<22} {'inputs':>9} {'clear errors':>13} {'crashes':>8} {'seconds':>8}")
    try:
        # In memory where there is a tmpfs: each input is a file, and ext4 made the readers I/O-bound.
        with tempfile.TemporaryDirectory(dir="/dev/shm" if Path("/dev/shm").is_dir() else None) as work:
            for name in names:
                res = run_target(name, args.n, args.seed, kb=kb, port=port, work=Path(work))
                total += res.n_crashes
                print(f"{res.target:<22} {res.tried:>9,} {res.expected_errors:>13,} {res.n_crashes:>8,} "
                      f"{res.seconds:>8.1f}", flush=True)
                for i, (kind, count) in enumerate(res.crashes.most_common()):
                    print(f"    {count:>6,} x {kind}")
                    (OUT / f"{name}-{i}.txt").write_text(f"{kind}\n\n{res.examples[kind]}", encoding="utf-8",
                                                         errors="backslashreplace")
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=30)
    if proc is not None:
        log = (OUT / "server.log").read_text(encoding="utf-8", errors="replace")
        unhandled = log.count("unhandled error")
        print(f"server log: {unhandled} unhandled errors")
        total += unhandled
    print(f"crashes: {total} (target 0)")
    print("reproduce: .venv/bin/python bench/fuzz.py " + " ".join(argv if argv is not None else sys.argv[1:]))
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main())
