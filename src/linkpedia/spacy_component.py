"""linkpedia as a spaCy pipeline component: ``nlp.add_pipe("linkpedia", config={"kb": PATH})``.

spaCy finds the factory through the ``spacy_factories`` entry point, which
imports this module whenever a ``Language`` is created.

A Doc that already has entities (any NER, an EntityRuler) is linked on the
given-span path: exactly those spans, each keeping its label, with ``kb_id_``
set when it links. A Doc without entities gets linkpedia's own mentions as
``doc.ents``. linkpedia's offsets are code points, as spaCy's ``start_char``
and ``end_char`` are; a detected link is widened to the tokens it touches
(``alignment_mode="expand"``, configurable), and a link that then has no token
span, or overlaps a longer one, is left out of ``doc.ents`` and listed in
``doc._.linkpedia_skipped``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Iterable, Iterator, List, Optional

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans, minibatch

from .errors import InputError, LinkpediaError
from .kb import KnowledgeBase, open_kb
from .link.linker import POLICIES
from .link.mentions import MODES
from .types import Candidate, Document, Link

__all__ = ["LinkpediaComponent", "make_linkpedia"]

SETTINGS_FILE = "linkpedia.json"
ALIGNMENT_MODES = ("expand", "contract", "strict")

# A Doc's links live in doc.user_data as plain lists, which Doc.to_bytes, DocBin
# and nlp.pipe(n_process=...) can serialize (msgpack); the getters give Links.
LINKS_KEY = ("linkpedia", "links")
SKIPPED_KEY = ("linkpedia", "skipped")


def _pack(lk: Link) -> list:
    return [lk.start, lk.end, lk.surface, lk.title, lk.score,
            [[c.title, c.prior, c.count, c.score] for c in lk.candidates]]


def _unpack(row) -> Link:
    start, end, surface, title, score, cands = row
    return Link(start, end, surface, title, score, tuple(Candidate(*c) for c in cands))


def _doc_links(doc: Doc) -> tuple[Link, ...]:
    return tuple(_unpack(row) for row in doc.user_data.get(LINKS_KEY, ()))


def _doc_skipped(doc: Doc) -> tuple[Link, ...]:
    rows = doc.user_data.get(LINKS_KEY, ())
    return tuple(_unpack(rows[i]) for i in doc.user_data.get(SKIPPED_KEY, ()))


def _existing_ents(doc: Doc) -> tuple[Span, ...]:
    # doc.ents walks every token; a Doc no NER has touched has no ENT_IOB at all.
    return doc.ents if doc.has_annotation("ENT_IOB") else ()


def _set_links(doc: Doc, links: tuple[Link, ...], skipped: Iterable[Link]) -> None:
    index = {id(lk): i for i, lk in enumerate(links)}
    doc.user_data[LINKS_KEY] = [_pack(lk) for lk in links]
    doc.user_data[SKIPPED_KEY] = sorted(index[id(lk)] for lk in skipped)


Doc.set_extension("linkpedia_links", getter=_doc_links, force=True)
Doc.set_extension("linkpedia_skipped", getter=_doc_skipped, force=True)
Span.set_extension("linkpedia_score", default=None, force=True)
Span.set_extension("linkpedia_preview", default=None, force=True)
Span.set_extension("linkpedia_qid", default=None, force=True)  # the entry's Wikidata QID, where the KB knows it


@Language.factory(
    "linkpedia",
    default_config={"kb": None, "mode": "entities", "threshold": None, "policy": "all",
                    "label": "ENTITY", "alignment_mode": "expand", "labels_discard": []},
)
def make_linkpedia(nlp: Language, name: str, kb: Optional[str], mode: str, threshold: Optional[float],
                   policy: str, label: str, alignment_mode: str,
                   labels_discard: List[str]) -> "LinkpediaComponent":
    """The ``linkpedia`` factory. ``mode`` defaults to "entities" (every named
    entity the KB has, as NER annotates them) rather than linkpedia's
    "wikipedia", because a spaCy user expects ``doc.ents`` to be names;
    ``threshold`` None means the KB's own defaults (0.5 for detected mentions,
    the lower NIL threshold for given spans). ``labels_discard``, named as
    spaCy's EntityLinker names it, lists entity labels never linked (DATE,
    CARDINAL, ... of an NER: a KB of Wikipedia has articles for years and
    weekdays)."""
    return LinkpediaComponent(nlp, name, kb=kb, mode=mode, threshold=threshold, policy=policy,
                              label=label, alignment_mode=alignment_mode, labels_discard=labels_discard)


class LinkpediaComponent:
    """Links a Doc's entities, or finds and links its mentions, with one opened KB."""

    def __init__(self, nlp: Language, name: str = "linkpedia", *, kb: Optional[str], mode: str = "entities",
                 threshold: Optional[float] = None, policy: str = "all", label: str = "ENTITY",
                 alignment_mode: str = "expand", labels_discard: Iterable[str] = ()):
        self.name = name
        self.config = {"kb": kb, "mode": mode, "threshold": threshold, "policy": policy,
                       "label": label, "alignment_mode": alignment_mode, "labels_discard": list(labels_discard)}
        self._discard = frozenset(labels_discard)
        self._check(self.config)
        self._set_kb(self._open(kb))

    @property
    def kb(self) -> KnowledgeBase:
        # nlp.pipe(n_process=...) forks: a child must not use the parent's
        # SQLite connection, so it opens the KB again (milliseconds).
        if self._pid != os.getpid():
            self._set_kb(self._open(self._kb.path))
        return self._kb

    def _set_kb(self, kb: KnowledgeBase) -> None:
        self._kb, self._pid = kb, os.getpid()

    # -- settings -----------------------------------------------------------
    @staticmethod
    def _check(config: dict) -> None:
        # Raised here, in linkpedia's words, rather than as a spaCy config
        # validation table or a failure at the first Doc.
        if not config["kb"]:
            raise InputError('the linkpedia component needs a KB: '
                             'nlp.add_pipe("linkpedia", config={"kb": "path/to/kb"})')
        if config["mode"] not in MODES:
            raise InputError(f"unknown mention mode {config['mode']!r} — use one of: {', '.join(MODES)}")
        if config["policy"] not in POLICIES:
            raise InputError(f"unknown policy {config['policy']!r} — use one of: {', '.join(POLICIES)}")
        t = config["threshold"]
        if t is not None and not 0.0 <= t <= 1.0:
            raise InputError(f"threshold {t} is outside [0, 1]")
        if config["alignment_mode"] not in ALIGNMENT_MODES:
            raise InputError(f"unknown alignment_mode {config['alignment_mode']!r} — "
                             f"use one of: {', '.join(ALIGNMENT_MODES)}")

    @staticmethod
    def _open(path: str | Path) -> KnowledgeBase:
        try:
            return open_kb(Path(path).expanduser().resolve())
        except LinkpediaError as exc:
            # The message says it all; the frames inside open_kb add nothing
            # to the spaCy ones above.
            raise exc.with_traceback(None) from None

    def _options(self) -> dict:
        c = self.config
        return {"mode": c["mode"], "threshold": c["threshold"], "policy": c["policy"]}

    # -- linking ------------------------------------------------------------
    def __call__(self, doc: Doc) -> Doc:
        ents = _existing_ents(doc)
        if ents:
            return self._given(doc, ents)
        return self._detected(doc, self.kb.link(doc.text, **self._options()))

    def pipe(self, stream: Iterable[Doc], batch_size: int = 128) -> Iterator[Doc]:
        """Docs without entities are linked a batch at a time with ``kb.link_many``;
        Docs with entities one by one, as ``link_many`` takes no given spans."""
        for batch in minibatch(stream, size=batch_size):
            ents = [_existing_ents(doc) for doc in batch]
            detect = [doc.text for doc, given in zip(batch, ents) if not given]
            linked = iter(self.kb.link_many(detect, **self._options()) if detect else ())
            for doc, given in zip(batch, ents):
                yield self._given(doc, given) if given else self._detected(doc, next(linked))

    def _given(self, doc: Doc, ents: tuple[Span, ...]) -> Doc:
        mentions = [(e.start_char, e.end_char) for e in ents if e.label_ not in self._discard]
        linked = self.kb.link(doc.text, mentions=mentions, **self._options())
        by_span = {(lk.start, lk.end): lk for lk in linked.links}
        out, placed = [], set()
        for e in ents:
            lk = by_span.get((e.start_char, e.end_char))
            if lk is None:
                out.append(e)  # unlinked or discarded: stays as it was
                continue
            out.append(self._span(doc, e.start, e.end, e.label_, lk, linked.previews))
            placed.add((lk.start, lk.end))
        doc.ents = out
        _set_links(doc, linked.links, (lk for lk in linked.links if (lk.start, lk.end) not in placed))
        return doc

    def _detected(self, doc: Doc, linked: Document) -> Doc:
        spans, skipped = [], []
        for lk in linked.links:
            span = doc.char_span(lk.start, lk.end, alignment_mode=self.config["alignment_mode"])
            if span is None or not span.text.strip():
                skipped.append(lk)
            else:
                spans.append((span, lk))
        kept = {(s.start, s.end) for s in filter_spans([s for s, _ in spans])}
        ents = []
        for span, lk in spans:
            if (span.start, span.end) in kept:
                kept.discard((span.start, span.end))  # two links widened to the same tokens: the first wins
                ents.append(self._span(doc, span.start, span.end, self.config["label"], lk, linked.previews))
            else:
                skipped.append(lk)
        doc.ents = ents
        _set_links(doc, linked.links, skipped)
        return doc

    @staticmethod
    def _span(doc: Doc, start: int, end: int, label: str, lk: Link, previews) -> Span:
        # Span extensions are keyed by offsets, label and kb_id: set them on the final span.
        span = Span(doc, start, end, label=label, kb_id=lk.title)
        span._.linkpedia_score = lk.score
        span._.linkpedia_preview = previews.get(lk.title)
        span._.linkpedia_qid = lk.qid
        return span

    # -- serialization ------------------------------------------------------
    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        """The KB's absolute path and the settings, never the KB itself (it is
        large, and shared by every pipeline that opens it)."""
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        data = {"kb_path": str(Path(self.kb.path).resolve()), "config": self.config}
        (path / SETTINGS_FILE).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> "LinkpediaComponent":
        """Re-open the KB at the saved absolute path: the KB the pipeline was
        saved with, whatever the loading process's working directory makes of
        a relative ``kb`` in config.cfg. A ``kb`` this component was made
        with that differs from the saved one is a load-time override
        (``spacy.load(path, config={"components.linkpedia.kb": NEW})`` for a
        KB that moved) and stays. The other settings need nothing here: they
        are in config.cfg, which spaCy hands to the factory."""
        file = Path(path) / SETTINGS_FILE
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
            saved_kb, kb_path = data["config"]["kb"], Path(data["kb_path"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise InputError(f"{file}: not a saved linkpedia component ({exc})") from None
        if self.config["kb"] == saved_kb and kb_path != Path(self.kb.path).resolve():
            self._set_kb(self._open(kb_path))
        return self
