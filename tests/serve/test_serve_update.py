"""A running `linkpedia serve` picks up `linkpedia update` without a restart,
and no request fails while the KB is swapped."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import linkpedia

from serverproc import SAMPLE, start

TEXT = "Kaunas was the temporary capital of Lithuania while Vilnius was held by Poland. " * 10


def test_running_server_follows_an_update_without_failing(tmp_path):
    dump = SAMPLE / "sample-wiki.xml"
    linkpedia.build_kb([dump], tmp_path / "kb", options=linkpedia.BuildOptions(jobs=1))
    server = start(tmp_path / "kb", tmp_path, workers=2)
    try:
        assert server.client.get("/api/entries/Zarasai").status_code == 404
        failures: list[str] = []
        done = threading.Event()
        count = 0

        def hammer() -> None:
            nonlocal count
            while not done.is_set():
                r = server.client.post("/api/link", json={"text": TEXT, "format": "json"})
                count += 1
                if r.status_code != 200 or not r.json()["links"]:
                    failures.append(f"{r.status_code} {r.text[:200]}")

        threads = [threading.Thread(target=hammer) for _ in range(4)]
        for t in threads:
            t.start()
        new = tmp_path / "new.jsonl"
        new.write_text('{"title": "Zarasai", "text": "Zarasai is a lakeside town in Lithuania."}\n',
                       encoding="utf-8")
        subprocess.run([sys.executable, "-m", "linkpedia.cli", "update", str(tmp_path / "kb"), str(new)],
                       check=True, capture_output=True)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if server.client.get("/api/entries/Zarasai").status_code == 200:
                break
            time.sleep(0.2)
        time.sleep(1.5)  # keep linking across the swap in both workers
        done.set()
        for t in threads:
            t.join()
        assert server.client.get("/api/entries/Zarasai").json()["title"] == "Zarasai"
        assert count > 20 and not failures, failures[:3]
    finally:
        server.stop()
