"""A rich progress bar for builds: pages/s, MB/s and ETA on a terminal, silent otherwise."""

from __future__ import annotations

import sys
import time

from rich.console import Console
from rich.progress import (BarColumn, Progress, ProgressColumn, TaskProgressColumn, TextColumn,
                           TimeElapsedColumn, TimeRemainingColumn)
from rich.text import Text

from .kb.build import ProgressHook

__all__ = ["RichProgress"]


class _Rate(ProgressColumn):
    def render(self, task) -> Text:
        elapsed = task.elapsed or 0.0
        if elapsed <= 0:
            return Text("")
        pages = task.fields.get("pages", 0)
        mb = (task.completed or 0) / 1e6 / elapsed
        parts = [f"{pages / elapsed:,.0f} pages/s"]
        if task.total:
            parts.append(f"{mb:.1f} MB/s")
        return Text(" ".join(parts), style="cyan")


class RichProgress(ProgressHook):
    """Draws on stderr when it is a terminal; does nothing otherwise."""

    def __init__(self, console: Console | None = None):
        self.console = console or Console(stderr=True)
        self.enabled = self.console.is_terminal and sys.stderr.isatty()
        self._progress: Progress | None = None
        self._task = None
        self._t0 = 0.0

    def start(self, phase: str, total: int | None) -> None:
        self.finish()
        self._t0 = time.perf_counter()
        if not self.enabled:
            return
        self._progress = Progress(
            TextColumn("[bold]{task.description}"), BarColumn(), TaskProgressColumn(),
            _Rate(), TimeElapsedColumn(), TimeRemainingColumn(), console=self.console,
            transient=False,
        )
        self._progress.start()
        self._task = self._progress.add_task(phase, total=total, pages=0)

    def advance(self, done: int, pages: int) -> None:
        if self._progress is not None:
            self._progress.update(self._task, completed=done, pages=pages)

    def finish(self) -> None:
        if self._progress is not None:
            task = self._progress.tasks[0]
            if task.total:
                self._progress.update(self._task, completed=task.total)
            self._progress.stop()
            self._progress = None
