"""``LiveKB``: a KB that follows updates, for long-running processes (the server).

``current()`` returns the opened generation; when ``linkpedia update`` has
switched the KB's ``CURRENT`` pointer, the next call (at most every
``check_every`` seconds) opens the new generation and returns it from then on.
Requests already running keep the object they got, whose files stay in place
until the update after next, so no request fails during the swap.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

from .api import KnowledgeBase
from .store import live_dir

__all__ = ["LiveKB"]


class LiveKB:
    def __init__(self, path: str | Path, *, check_every: float = 1.0, **kwargs):
        self.path = Path(path)
        self.check_every = check_every
        self._kwargs = kwargs
        self._lock = threading.Lock()
        self._kb = KnowledgeBase(self.path, **kwargs)
        self._checked = time.monotonic()
        self.reloads = 0

    def current(self) -> KnowledgeBase:
        now = time.monotonic()
        if now - self._checked < self.check_every:
            return self._kb
        with self._lock:
            if now - self._checked >= self.check_every:
                self._checked = now
                if live_dir(self.path) != self._kb.live:
                    self._kb = KnowledgeBase(self.path, **self._kwargs)
                    self.reloads += 1
        return self._kb
