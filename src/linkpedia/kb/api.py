"""``KnowledgeBase``: an opened, read-only KB — the object ``open_kb`` returns.

Safe to share between threads: the index is immutable mmap'd memory and each
thread gets its own SQLite connection. Opening the same KB in many processes
shares the index pages through the OS page cache.
"""

from __future__ import annotations

import json
import re
import threading
import time
from pathlib import Path
from typing import Any, Sequence

from ..errors import EntryNotFoundError, InputError, KBVersionError
from ..link.candidates import GENERATORS
from ..link.linker import Linker, LinkerConfig, Scored
from ..link.spot import lookup_surfaces
from ..link.model import DEFAULT_MODEL, Model
from ..types import Candidate, Document, Entry, Link
from ..wikitext import normalize_title
from . import inputs, named
from .index import load_index
from .store import check_kb_dir, connect_ro, read_meta, select_in

__all__ = ["KnowledgeBase", "open_kb"]

_QID = re.compile(r"^Q[1-9][0-9]*$")


def open_kb(path: str | Path, *, config: LinkerConfig | None = None) -> "KnowledgeBase":
    """Open the KB directory at ``path`` read-only."""
    return KnowledgeBase(Path(path), config=config)


class KnowledgeBase:
    def __init__(self, path: Path, *, config: LinkerConfig | None = None):
        t0 = time.perf_counter()
        self.path = path
        self._db = check_kb_dir(path)
        self.live = self._db.parent  # this generation's files, whatever later updates do
        self._local = threading.local()
        self.index = load_index(self.live)
        try:
            self.model = Model.load(self.live) or DEFAULT_MODEL
        except (ValueError, KeyError) as exc:
            raise KBVersionError(f"{path}: its scorer does not fit this linkpedia ({exc}) — rebuild the KB") from None
        self.config = config or LinkerConfig()
        self.linker = Linker(self.index, self.model, self.config)
        self.meta: dict[str, Any] = read_meta(self._con())
        self.open_seconds = time.perf_counter() - t0

    # -- plumbing -----------------------------------------------------------
    def _con(self):
        con = getattr(self._local, "con", None)
        if con is None:
            con = self._local.con = connect_ro(self._db)
        return con

    def close(self) -> None:
        con = getattr(self._local, "con", None)
        if con is not None:
            con.close()
            self._local.con = None

    def __enter__(self) -> "KnowledgeBase":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<KnowledgeBase {str(self.path)!r} entries={self.index.n_entries}>"

    # -- lookups ------------------------------------------------------------
    def title_of(self, entry_index: int) -> str:
        return self.index.title_of(entry_index)

    def resolve(self, title: str) -> str | None:
        """The entry a title names, after redirects; None when the KB lacks it."""
        t = normalize_title(inputs.as_text(title, "title"))
        if not t:
            return None
        if t in self.index.titles:
            return t
        row = self._con().execute(
            "SELECT e.title FROM redirects r JOIN entries e ON e.id = r.entry_id WHERE r.title = ?",
            (t,),
        ).fetchone()
        return row[0] if row else None

    def is_disambiguation(self, title: str) -> bool:
        """Whether the entry titled ``title`` (canonical) is a disambiguation page:
        a list of senses, which is never a link target."""
        i = self.index.titles.get(title)
        return i is not None and bool(self.index.is_dab[i])

    @property
    def has_qids(self) -> bool:
        """Whether the KB knows Wikidata QIDs: built or updated with ``--wikidata``."""
        return self.index.qid is not None and self.meta.get("counts", {}).get("qids", 0) > 0

    def by_qid(self, qid: str) -> str | None:
        """The title of the entry with Wikidata item ``qid`` ("Q42"); None when none has it."""
        if not self.has_qids or not _QID.match(qid):
            return None
        row = self._con().execute("SELECT title FROM entries WHERE qid = ?", (qid,)).fetchone()
        return row[0] if row else None

    def qid_of_title(self, title: str) -> str | None:
        """The QID of the entry titled ``title`` (its canonical title); None when it has none."""
        i = self.index.titles.get(title)
        return None if i is None else self.qid_of(i)

    def qid_of(self, entry_index: int) -> str | None:
        q = self.index.qid
        return f"Q{int(q[entry_index])}" if q is not None and q[entry_index] else None

    def lookup(self, title: str) -> str | None:
        """A QID ("Q42") where the KB knows it, else ``resolve``, then the entry an alias
        names (``aliases``): what a reader means by a name that links in text. ``entry``,
        ``preview`` and the server look titles up so."""
        title = inputs.as_text(title, "title")
        return self.by_qid(title.strip()) or self.resolve(title) or named.entry_named(self._con(), title)

    def _require(self, title: str) -> str:
        resolved = self.lookup(title)
        if resolved is None:
            raise EntryNotFoundError(f"no entry titled {title!r} in this KB")
        return resolved

    def preview(self, title: str) -> str:
        """The entry's preview (redirects followed); EntryNotFoundError when absent."""
        t = self._require(title)
        return self._con().execute("SELECT preview FROM entries WHERE title = ?", (t,)).fetchone()[0]

    def previews(self, titles: Sequence[str]) -> dict[str, str]:
        # Remembered beside the index: the same entries are linked from text after
        # text, and a query per document costs more than the rest of rendering.
        memo = self.index.memo_table("previews")
        out: dict[str, str] = {}
        for t in titles:
            hit = memo.get(t)
            if hit is not None:
                out[t] = hit
        found = dict(select_in(self._con(), "SELECT title, preview FROM entries WHERE title IN ({})",
                               sorted(set(titles) - out.keys())))
        out.update(found)
        memo.update(found)
        return out

    def entry(self, title: str) -> Entry:
        t = self._require(title)
        con = self._con()
        eid, is_dab, preview, popularity, description, qid = con.execute(
            "SELECT id, is_disambiguation, preview, popularity, description, "
            f"{'NULL' if self.index.qid is None else 'qid'} FROM entries WHERE title = ?", (t,)
        ).fetchone()
        row = qid and con.execute("SELECT instance_of FROM wikidata WHERE qid = ?", (qid,)).fetchone()
        classes = tuple(json.loads(row[0])) if row else ()
        surfaces = tuple(
            (s, n) for s, n in con.execute(
                "SELECT s.surface, se.anchors + se.names FROM surface_entries se "
                "JOIN surfaces s ON s.id = se.surface_id WHERE se.entry_id = ? "
                "ORDER BY se.anchors + se.names DESC, s.surface LIMIT 50", (eid,)
            )
        )
        return Entry(title=t, preview=preview, popularity=popularity, is_disambiguation=bool(is_dab),
                     surfaces=surfaces, qid=qid, description=description, instance_of=classes)

    def inlink_count(self, title: str) -> int:
        """How many entries link to ``title`` (redirects followed)."""
        i = self.index.titles[self._require(title)]
        return int(self.index.in_ptr[i + 1] - self.index.in_ptr[i])

    def inlinks(self, title: str, limit: int = 100) -> list[str]:
        """Titles of entries linking to ``title``, most linked-to first."""
        t = self._require(title)
        return [r[0] for r in self._con().execute(
            "SELECT e.title FROM edges g JOIN entries e ON e.id = g.src "
            "WHERE g.dst = (SELECT id FROM entries WHERE title = ?) "
            "ORDER BY e.popularity DESC, e.title LIMIT ?", (t, limit))]

    def search(self, prefix: str, limit: int = 10) -> list[str]:
        """Entry titles starting with ``prefix`` (case of the first letter ignored), most popular first."""
        prefix = inputs.as_text(prefix, "prefix").strip()
        if not prefix:
            return []
        keys = set(self.index.titles.keys(prefix))
        keys.update(self.index.titles.keys(prefix[:1].upper() + prefix[1:]))
        ranked = sorted(keys, key=lambda t: (-int(self.index.popularity[self.index.titles[t]]), t))
        return ranked[:limit]

    def candidates(self, surface: str, k: int = 20) -> list[Candidate]:
        """Entries ``surface`` may refer to, ranked by prior p(entry | surface)."""
        surface, k = inputs.as_text(surface, "surface"), inputs.as_count(k, "k")
        surface = surface.strip()
        hit = lookup_surfaces(self.index, surface)
        sids = hit[0][0] if hit is not None else ()
        # The linker's own generator, so that what this lists is what linking weighs.
        found = GENERATORS[self.linker.config.candidates](self.index, [surface], [sids], k)[0]
        return [Candidate(self.title_of(e), prior, n) for e, prior, n in found]

    def candidates_in(self, text: str, spans: Sequence[tuple[int, int]]) -> list[tuple[Candidate, ...]]:
        """The candidates linking weighs for each span of ``text``, best first, as
        the text gives them: more than ``candidates(surface)`` lists, since a later
        "Nickerson" after "Eugene Nickerson" has him. ``()`` where the KB knows
        no entry for the span."""
        spans = inputs.as_mentions(spans) or []
        doc = self.link(text, mentions=spans, threshold=0.0, policy="all")
        at = {(lk.start, lk.end): lk.candidates for lk in doc.links}
        return [at.get(span, ()) for span in spans]

    # -- linking ------------------------------------------------------------
    def link(
        self,
        text: str,
        *,
        policy: str | None = None,
        threshold: float | None = None,
        mentions: Sequence[tuple[int, int]] | None = None,
        title: str | None = None,
        mode: str | None = None,
    ) -> Document:
        """Link ``text``; ``mentions`` given = link exactly those spans (D2KB).

        ``title`` names the document; its own entry is never linked (an
        article does not link to itself). ``mode`` is how mentions are found:
        ``"wikipedia"`` links what an editor would, ``"entities"`` every named
        entity the KB has (link/mentions.py); the default is the config's.
        """
        text, title, mentions = inputs.as_text(text), inputs.as_title(title), inputs.as_mentions(mentions)
        policy, threshold = inputs.as_policy(policy), inputs.as_threshold(threshold)
        return self._link([text], policy, threshold, None if mentions is None else [mentions], [title], mode)[0]

    def link_many(
        self,
        texts: Sequence[str],
        *,
        policy: str | None = None,
        threshold: float | None = None,
        titles: Sequence[str | None] | None = None,
        mode: str | None = None,
    ) -> list[Document]:
        """``link`` each text, scoring them together: the same documents, for
        less work per text (most of a short text's cost is the fixed price of
        its array operations, paid here once per batch)."""
        texts, policy, threshold = inputs.as_texts(texts), inputs.as_policy(policy), inputs.as_threshold(threshold)
        if titles is not None:
            titles = inputs.as_titles(titles)
        if titles is not None and len(titles) != len(texts):
            raise InputError(f"{len(titles)} titles for {len(texts)} texts")
        return self._link(texts, policy, threshold, None, titles or [None] * len(texts), mode)

    def _link(self, texts: Sequence[str], policy: str | None, threshold: float | None,
              mentions: Sequence[Sequence[tuple[int, int]]] | None,
              titles: Sequence[str | None], mode: str | None = None) -> list[Document]:
        """The linker's work (``Linker.link_many``) turned into documents with previews."""
        own = [self.index.titles.get(self.resolve(t) or "") if t else None for t in titles]
        batch = self.linker.link_many(texts, mentions=mentions, own=own, policy=policy, threshold=threshold,
                                      mode=mode)
        docs = []
        for text, title, scored in zip(texts, titles, batch):
            links = self._to_links(text, scored)
            docs.append(Document(text=text, links=links, title=title,
                                 previews=self.previews([lk.title for lk in links])))
        return docs

    def _to_links(self, text: str, scored: list[Scored]) -> tuple[Link, ...]:
        title_of = self.title_of
        out = []
        for s in scored:
            cands = tuple(Candidate(title_of(e), prior, n, score)
                          for e, prior, n, score in zip(s.entries, s.priors, s.counts, s.scores))
            out.append(Link(s.start, s.end, text[s.start:s.end], cands[0].title, cands[0].score, cands,
                            self.qid_of(s.entries[0])))
        return tuple(out)

    def info(self) -> dict[str, Any]:
        updates = [
            {"at": at, "source": source, "added": added, "changed": changed, "deleted": deleted}
            for at, source, added, changed, deleted in self._con().execute(
                "SELECT at, source, added, changed, deleted FROM updates ORDER BY id")
        ]
        return {"path": str(self.path), **self.meta, "open_seconds": round(self.open_seconds, 4),
                "model": self.model.name, "updates": updates, "mention_modes": self.mention_modes()}

    def mention_modes(self) -> dict[str, str]:
        """What each mention mode rests on in this KB, and which one suits it, in words for ``info``."""
        con = self._con()
        linked, articles = con.execute(
            "SELECT coalesce(sum(has_links AND links IS NOT NULL), 0), count(*) FROM pages WHERE kind = 'article'"
        ).fetchone()
        links = con.execute("SELECT coalesce(sum(n), 0) FROM page_links").fetchone()[0]
        counted = con.execute("SELECT count(*) FROM casing").fetchone()[0]
        share = linked / articles if articles else 0.0
        trained = self.model is not DEFAULT_MODEL
        wikipedia = (f"link probabilities from {linked:,} of {articles:,} articles ({share:.1%}) with "
                     f"{links:,} links; {'a scorer trained on them' if trained else 'hand-set default weights'}")
        entities = (f"case: the text's, and how the {articles:,} articles write {counted:,} surfaces; "
                    "no links needed")
        suits = "wikipedia" if share >= 0.5 and trained else "entities"
        why = ("most articles carry links" if suits == "wikipedia" else
               "few articles carry links, so link probabilities say little" if linked else
               "no source has links")
        return {"wikipedia": wikipedia, "entities": entities, "suits": f"{suits} ({why})"}
