"""How the server reaches its KB: the live generation, and reads beyond the public API.

The server holds a ``LiveKB``: after ``linkpedia update`` switches the KB to a
new generation, requests that start later get the new one (checked at most
once a second), while requests already running finish on the one they got.
"""

from __future__ import annotations

import logging
from pathlib import Path

from ..kb import KnowledgeBase
from ..kb.live import LiveKB
from ..link.linker import LinkerConfig

__all__ = ["CurrentKB", "inlink_count"]

log = logging.getLogger("linkpedia.serve")


class CurrentKB:
    """Call it for the KB generation a new request should use; logs each switch.

    Thread-safe (``LiveKB`` locks its reload). Opening a new generation maps its
    files, which takes milliseconds, so it is done inline.
    """

    def __init__(self, kb_dir: Path, config: LinkerConfig | None = None):
        self.live = LiveKB(kb_dir, config=config)
        self._seen = self.live.reloads

    @property
    def path(self) -> Path:
        return self.live.path

    @property
    def reloads(self) -> int:
        return self.live.reloads

    def __call__(self) -> KnowledgeBase:
        kb = self.live.current()
        if self.live.reloads != self._seen:
            self._seen = self.live.reloads
            log.info("KB %s updated: opened %s (%d entries) in %.3f s",
                     self.live.path, kb.live, kb.index.n_entries, kb.open_seconds)
        return kb


def inlink_count(kb: KnowledgeBase, title: str) -> int:
    """How many entries link to ``title`` (an entry's canonical title): its in-link row's length.

    Reads the index directly until ``KnowledgeBase`` has a method for it.
    """
    method = getattr(kb, "inlink_count", None)
    if method is not None:
        return int(method(title))
    i = kb.index.titles[title]
    return int(kb.index.in_ptr[i + 1] - kb.index.in_ptr[i])
