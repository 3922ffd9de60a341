"""A small, real annotator for the evaluation tests: a surface dictionary.

It implements the ``Annotator`` protocol ``evaluate()`` expects: ``link``
finds dictionary surfaces at word boundaries (longest first, no overlaps) or
links exactly the spans it is given, and ``resolve`` follows redirects.
"""

from __future__ import annotations

import re
from typing import Mapping, Sequence

from linkpedia.types import Document, Link


class DictLinker:
    def __init__(
        self,
        surfaces: Mapping[str, str],
        entries: Sequence[str] = (),
        redirects: Mapping[str, str] | None = None,
    ):
        self.surfaces = dict(surfaces)
        self.entries = set(entries) | set(self.surfaces.values())
        self.redirects = dict(redirects or {})
        alternatives = sorted(self.surfaces, key=len, reverse=True)
        pattern = r"\b(?:" + "|".join(map(re.escape, alternatives)) + r")\b"
        self._pattern = re.compile(pattern) if alternatives else None
        self.calls: list[tuple[str, list[tuple[int, int]] | None]] = []

    def resolve(self, title: str) -> str | None:
        title = title[:1].upper() + title[1:]
        title = self.redirects.get(title, title)
        return title if title in self.entries else None

    def link(self, text: str, *, mentions: Sequence[tuple[int, int]] | None = None) -> Document:
        self.calls.append((text, None if mentions is None else list(mentions)))
        links = []
        if mentions is not None:
            for start, end in mentions:
                title = self.surfaces.get(text[start:end])
                if title is not None:
                    links.append(Link(start, end, text[start:end], title))
        elif self._pattern is not None:
            for m in self._pattern.finditer(text):
                links.append(Link(m.start(), m.end(), m.group(), self.surfaces[m.group()]))
        return Document(text=text, links=tuple(links))
