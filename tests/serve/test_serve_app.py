"""The app in-process: error mapping, start-up failures, limits and the public surface."""

from __future__ import annotations

import asyncio

import httpx
import pytest

import linkpedia
import linkpedia.errors as errors
import linkpedia.kb.api
import linkpedia.serve as serve_module
from linkpedia.serve import Limits, create_app
from linkpedia.serve.run import ENV_KB, app_from_env

import serverproc


@pytest.fixture(scope="module")
def kb(tmp_path_factory):
    return serverproc.build_sample_kb(tmp_path_factory.mktemp("app") / "kb")


def call(app, method: str, path: str, **kw) -> httpx.Response:
    async def send():
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
            return await client.request(method, path, **kw)

    return asyncio.run(send())


def get(app, path: str, **kw) -> httpx.Response:
    return call(app, "GET", path, **kw)


def test_public_names():
    assert sorted(serve_module.__all__) == ["Limits", "app_from_env", "create_app", "serve"]


@pytest.mark.parametrize("name", errors.__all__)
def test_every_library_error_answers_its_status_and_message(kb, name):
    kind = getattr(errors, name)
    app = create_app(kb)

    @app.get("/raise")
    def boom():
        raise kind("something is wrong in file.txt (line 3); fix it")

    r = get(app, "/raise")
    assert r.status_code == kind.http_status
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json() == {"type": f"linkpedia:{name}", "title": r.reason_phrase, "status": kind.http_status,
                        "detail": "something is wrong in file.txt (line 3); fix it"}
    assert {errors.InputError: 400, errors.EntryNotFoundError: 404}.get(kind, r.status_code) == r.status_code


def test_unexpected_errors_are_a_500_problem_without_the_traceback(kb, caplog):
    app = create_app(kb)

    @app.get("/crash")
    def crash():
        raise ZeroDivisionError("secret internals")

    async def call():
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            return await client.get("/crash")

    r = asyncio.run(call())
    assert r.status_code == 500 and r.headers["content-type"] == "application/problem+json"
    assert "secret" not in r.text and "Traceback" not in r.text
    assert "ZeroDivisionError" in caplog.text  # the log keeps it for the operator


def test_slow_request_is_503_and_the_app_keeps_serving(kb):
    app = create_app(kb, timeout_s=0.001)
    r = call(app, "POST", "/api/link", json={"text": "Kaunas lies on the Nemunas. " * 300})
    assert r.status_code == 503 and r.headers["retry-after"] == "1"
    assert "longer than this server's limit of 0.001 s" in r.json()["detail"]
    assert get(app, "/healthz").status_code == 200


def test_waiting_for_a_turn_counts_toward_the_time_limit():
    import time

    from linkpedia.serve.limits import Lane
    from linkpedia.serve.problems import Problem

    lane = Lane(Limits(timeout_s=0.1))

    async def run():
        first = asyncio.ensure_future(lane.run(time.sleep, 0.3, chars=10))  # holds its turn for 0.3 s
        second = lane.run(lambda: "ran", chars=10)
        return await asyncio.gather(first, second, return_exceptions=True)

    first, second = asyncio.run(run())
    assert first is None  # a turn that has started is finished (a short text's work is bounded)
    assert isinstance(second, Problem) and second.status == 503 and second.headers == {"Retry-After": "1"}


def test_lane_links_short_texts_on_the_loop_in_arrival_order_and_long_ones_on_a_thread():
    import threading

    from linkpedia.serve.limits import INLINE_CHARS, Lane

    lane = Lane(Limits())
    seen: list[tuple[int, str]] = []

    def work(i: int) -> int:
        seen.append((i, threading.current_thread().name))
        return i

    async def run():
        loop_thread = threading.current_thread().name
        sizes = [10, INLINE_CHARS, INLINE_CHARS + 1, 10, 10]
        results = await asyncio.gather(*(lane.run(work, i, chars=n) for i, n in enumerate(sizes)))
        return loop_thread, results

    loop_thread, results = asyncio.run(run())
    assert results == [0, 1, 2, 3, 4]
    assert [i for i, _ in seen] == [0, 1, 2, 3, 4]  # one turn at a time, first come first served
    assert [name == loop_thread for _, name in seen] == [True, True, False, True, True]


class RecordingKB(linkpedia.kb.api.KnowledgeBase):
    """The sample KB, noting the batches it links (and failing on demand, for the fallback)."""

    def __init__(self, path, fail_on: str | None = None):
        super().__init__(path)
        self.batches: list[int] = []
        self.fail_on = fail_on

    def link_many(self, texts, **options):
        self.batches.append(len(texts))
        if self.fail_on in texts:
            raise RuntimeError("one bad text")
        return super().link_many(texts, **options)

    def link(self, text, **options):
        if text == self.fail_on:
            raise RuntimeError("one bad text")
        return super().link(text, **options)


def test_short_texts_waiting_their_turn_are_linked_together_each_as_alone(kb):
    from linkpedia.serve.limits import INLINE_CHARS, MAX_BATCH, Lane

    recording = RecordingKB(kb)
    lane = Lane(Limits())
    texts = [f"Kaunas and Vilnius, text {i}." for i in range(MAX_BATCH + 3)] + ["Kaunas. " * (INLINE_CHARS // 7)]

    async def run():
        return await asyncio.gather(*(lane.link(recording, t, policy="first") for t in texts))

    docs = asyncio.run(run())
    plain = linkpedia.open_kb(kb)
    assert docs == [plain.link(t, policy="first") for t in texts]
    # Arrival order: the first turn takes MAX_BATCH texts, the next turn the rest;
    # the long text is linked alone, on a thread.
    assert recording.batches == [MAX_BATCH, 3]
    assert not lane._waiting


def test_one_texts_error_in_a_batch_is_its_own(kb):
    from linkpedia.serve.limits import Lane

    recording = RecordingKB(kb, fail_on="bad")
    lane = Lane(Limits())

    async def run():
        return await asyncio.gather(*(lane.link(recording, t) for t in ["Kaunas.", "bad", "Vilnius."]),
                                    return_exceptions=True)

    good, bad, other = asyncio.run(run())
    assert [lk.title for lk in good.links] == ["Kaunas"] and [lk.title for lk in other.links] == ["Vilnius"]
    assert isinstance(bad, RuntimeError) and str(bad) == "one bad text"


def test_requests_follow_a_kb_update(tmp_path, caplog):
    import json
    import time

    from linkpedia.kb.update import update_kb

    def jsonl(name, records):
        path = tmp_path / name
        path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
        return path

    first = jsonl("a.jsonl", [{"title": "Kaunas", "text": "Kaunas is a city on the Nemunas river."}])
    linkpedia.build_kb([first], tmp_path / "kb", options=linkpedia.BuildOptions(jobs=1, train=False))
    app = create_app(tmp_path / "kb")
    assert get(app, "/api/entries/Zarasai").status_code == 404
    caplog.set_level("INFO", logger="linkpedia.serve")
    update_kb(tmp_path / "kb", [jsonl("b.jsonl", [{"title": "Zarasai", "text": "Zarasai is a lakeside town."}])],
              options=linkpedia.BuildOptions(jobs=1, train=False))
    time.sleep(1.1)  # LiveKB looks for a new generation at most once a second
    r = get(app, "/api/entries/Zarasai")
    assert r.status_code == 200 and r.json()["preview"].startswith("Zarasai is a lakeside town")
    health = get(app, "/healthz").json()
    assert health["reloads"] == 1 and health["entries"] == 2 and health["generation"] != health["kb"]
    assert "updated: opened" in caplog.text


def test_a_missing_kb_fails_at_start_up(tmp_path):
    with pytest.raises(errors.KBNotFoundError, match="no such KB directory"):
        create_app(tmp_path / "nowhere")


def test_start_up_is_logged(kb, caplog):
    caplog.set_level("INFO", logger="linkpedia.serve")
    create_app(kb)
    assert f"opened KB {kb}" in caplog.text


@pytest.mark.parametrize("bad", [{"max_text_chars": 0}, {"max_body_bytes": -1}, {"timeout_s": 0}])
def test_limits_must_be_positive(bad):
    with pytest.raises(ValueError, match="positive"):
        Limits(**bad)


def test_unknown_limit_is_refused(kb):
    with pytest.raises(TypeError, match="max_words"):
        create_app(kb, max_words=10)


def test_worker_factory_reads_the_environment(kb, monkeypatch):
    monkeypatch.delenv(ENV_KB, raising=False)
    with pytest.raises(RuntimeError, match="linkpedia serve --kb"):
        app_from_env()
    monkeypatch.setenv(ENV_KB, str(kb))
    monkeypatch.setenv("LINKPEDIA_SERVE_LIMITS", '{"max_text_chars": 7}')
    app = app_from_env()
    assert app.state.limits.max_text_chars == 7
    assert get(app, "/healthz").json()["limits"]["max_text_chars"] == 7


def test_start_up_objects_are_frozen_out_of_the_garbage_collectors_sight(kb):
    import gc

    from starlette.testclient import TestClient

    gc.unfreeze()
    try:
        with TestClient(create_app(kb)) as client:  # runs the lifespan, as uvicorn does
            assert gc.get_freeze_count() > 0
            assert client.get("/healthz").status_code == 200
    finally:
        gc.unfreeze()
