"""The linking pipeline: spot -> candidates -> features -> score -> resolve -> policy.

``Linker`` holds no per-call state, so one instance serves many threads.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import NamedTuple, Sequence

import numpy as np

from ..kb.index import Index
from ..text import STOPWORDS, fold, is_word_char, paragraph_spans
from .candidates import GENERATORS, TextWords, candidates_of, head_first, nation_first, qualified, qualified_too
from .names import occurrences, short_names, standalone
from .features import CANDIDATE_FEATURES, MAX_INLINKS, SPOT_FEATURES, best_first, coherence, similarities
from .model import Model
from .spans import Covering, SpanUnion
from ..errors import InputError
from .mentions import DETECTORS, MODES
from .spot import Spot, lookup_surfaces, spot, surfaces_of

__all__ = ["LinkerConfig", "Linker", "Features", "Scored", "POLICIES"]

POLICIES = ("all", "first")
_new = tuple.__new__  # builds a named tuple in C (its own constructor is Python code)


@dataclass(frozen=True)
class LinkerConfig:
    """Defaults of ``kb.link``; stored with evaluation results for reproducibility."""

    policy: str = "all"
    mode: str = "wikipedia"  # mention detection: "wikipedia" (what editors link) or "entities" (link/mentions.py)
    threshold: float = 0.5
    # Given spans (D2KB) are known mentions: each is linked to its best candidate
    # unless NIL wins, i.e. unless even that one is this unlikely (GERBIL counts
    # an abstention as an error). 0.1 is the best of 0-0.5 on every dev set.
    nil_threshold: float = 0.1
    min_link_prob: float = 0.02
    unknown_link_prob: float = 0.3  # assumed for surfaces of link-less sources
    max_candidates: int = 8
    candidates: str = "surfaces+extensions.v1"  # the candidate generator (link/candidates.py GENERATORS)
    context_per_mention: int = 2  # candidates of each mention that vote in coherence
    short_names: bool = True  # a later "Saddam" is the "Saddam Hussein" linked before (link/names.py)
    # In-links of an entry coherence reads (link/features.py; 0 = all): the most linked
    # entries of English Wikipedia have 300,000, and reading them all made a text's cost grow with them.
    inlink_cap: int = MAX_INLINKS


MIN_VOTE = 0.01  # prior x link probability of a candidate whose in-links make a text's graph known


@dataclass(frozen=True, slots=True)
class Features:
    """Features of a text's mentions: ``X`` has a row per (spot, candidate) pair
    (columns ``CANDIDATE_FEATURES``); ``spot_lp`` is each spot's link
    probability (NaN = unknown)."""

    spot: list[int]
    entry: list[int]
    prior: list[float]
    count: list[int]
    X: np.ndarray
    spot_lp: list[float]


class Scored(NamedTuple):
    """A mention with its ranked, scored candidates (entry indexes)."""

    start: int
    end: int
    entries: tuple[int, ...]
    priors: tuple[float, ...]
    counts: tuple[int, ...]
    scores: tuple[float, ...]

    @property
    def best(self) -> float:
        return self.scores[0] if self.scores else 0.0


class Linker:
    def __init__(self, index: Index, model: Model, config: LinkerConfig = LinkerConfig()):
        self.index = index
        self.model = model
        self.config = config

    # -- the whole pipeline ---------------------------------------------------
    def link_many(self, texts: Sequence[str], *, mentions: Sequence[Sequence[tuple[int, int]]] | None = None,
                  own: Sequence[int | None] | None = None, policy: str | None = None,
                  threshold: float | None = None, mode: str | None = None) -> list[list[Scored]]:
        """Each text's links, as scored mentions in text order: spot (or the given
        ``mentions``) -> candidates -> features -> scores -> overlaps -> short names
        -> policy. ``own[d]``: the entry text ``d`` is the article of (never linked
        in it). Options left ``None`` take the config's; a bad one is an ``InputError``."""
        cfg = self.config
        policy = policy or cfg.policy
        if policy not in POLICIES:
            raise InputError(f"unknown policy {policy!r} — use one of: {', '.join(POLICIES)}")
        mode = mode or cfg.mode
        if mode not in MODES:
            raise InputError(f"unknown mention mode {mode!r} — use one of: {', '.join(MODES)}")
        if threshold is None:
            threshold = cfg.threshold if mentions is None else cfg.nil_threshold
        if not 0.0 <= threshold <= 1.0:
            raise InputError(f"threshold {threshold} is outside [0, 1]")
        for text, spans in zip(texts, mentions or ()):
            for s, e in spans:
                if not 0 <= s < e <= len(text):
                    raise InputError(f"mention ({s}, {e}) is outside the text (length {len(text)})")
        folded = [fold(text) for text in texts]  # spotting and the features both need it
        given = [None] * len(texts) if mentions is None else [list(m) for m in mentions]
        spots = [self.spots(text, given[d], folded=folded[d], mode=mode) for d, text in enumerate(texts)]
        batch = self.score_many(texts, spots, given=mentions is not None, folded=folded, mode=mode)
        own = own or [None] * len(texts)
        return [self.finish(text, scored, threshold=threshold, policy=policy, mentions=given[d], own=own[d],
                            folded=folded[d])
                for d, (text, scored) in enumerate(zip(texts, batch))]

    def finish(self, text: str, scored: list[Scored], *, threshold: float, policy: str,
               mentions: list[tuple[int, int]] | None = None, own: int | None = None,
               folded: str | None = None) -> list[Scored]:
        """A text's scored spots made its links: the article's own name left out,
        overlaps resolved (given spans: those that clear the bar), short names, the policy."""
        if own is not None:
            # The document's own name is not linked, nor are the words inside it.
            blocked = Covering((sp.start, sp.end) for sp in spot(text, self.index, folded=folded)
                               if [c[0] for c in candidates_of(self.index, sp.surface_ids, 1)] == [own])
            scored = [_without(s, own) for s in scored if not blocked(s.start, s.end)]
        if mentions is None:
            scored = self.resolve_overlaps(scored, threshold)
        else:
            scored = sorted((s for s in scored if s.entries and s.best >= threshold),
                            key=lambda s: (s.start, s.end))
        scored = self.link_short_names(text, scored, mentions)
        return self.apply_policy(text, scored, policy)

    # -- stages -----------------------------------------------------------
    def spots(self, text: str, mentions: list[tuple[int, int]] | None = None, *,
              folded: str | None = None, mode: str | None = None) -> list[Spot]:
        cfg = self.config
        if mentions is not None:
            return [self._given(text, s, e) for s, e in mentions]
        if (mode or cfg.mode) == "entities":  # names, however seldom editors link them
            return spot(text, self.index, folded=folded, named_only=True)
        return spot(text, self.index, min_link_prob=cfg.min_link_prob, folded=folded)

    def _given(self, text: str, start: int, end: int) -> Spot:
        """A gold span (D2KB): its surfaces if the KB knows it, else none (NIL).
        A span that cuts a word and is no name as given ("ivil engineering") is
        looked up as the whole words ("Australia" of "Australian" stays itself)."""
        a, b = start, end
        while a > 0 and is_word_char(text[a - 1]) and is_word_char(text[a]):
            a -= 1
        while b < len(text) and is_word_char(text[b]) and is_word_char(text[b - 1]):
            b += 1
        hit = lookup_surfaces(self.index, text[start:end])
        if hit is None and (a, b) != (start, end):
            hit = lookup_surfaces(self.index, text[a:b])
        if hit is None:
            return Spot(start, end, (), math.nan, False)
        (sids, exact, lp, plp), fid = hit
        return Spot(start, end, sids, lp, exact, plp, fid)

    def featurize(self, text: str, spots: list[Spot], *, folded: str | None = None,
                  names_only: bool = False) -> Features:
        """The candidate features of every (spot, candidate) pair of the text (``folded``: ``fold(text)``)."""
        return self.featurize_many([text], [spots], None if folded is None else [folded], names_only=names_only)

    def featurize_many(self, texts: Sequence[str], spots: Sequence[list[Spot]],
                       folded: Sequence[str] | None = None, *, names_only: bool = False) -> Features:
        """``featurize`` for several texts at once: one set of array operations
        for all of them, which is what costs most on short texts. Spots are
        numbered across the texts, in order; each text's features are the same
        as when it is featurized alone. ``names_only``: candidates as if the KB
        had no anchors (the trainer's examples for the names model)."""
        cfg, index = self.config, self.index
        if folded is None:
            folded = [fold(t) for t in texts]  # same length as the text: spans carry over
        flat_spots = [sp for sps in spots for sp in sps]
        spot_doc = [d for d, sps in enumerate(spots) for _ in sps]
        groups: dict[tuple[int, str], int] = {}  # spots of a text written alike (folded) are one mention
        spot_group = [groups.setdefault((d, f[sp.start:sp.end]), len(groups))
                      for d, (f, sps) in enumerate(zip(folded, spots)) for sp in sps]
        spot_lp = [sp.link_prob for sp in flat_spots]
        written = [t[sp.start:sp.end] for t, sps in zip(texts, spots) for sp in sps]
        cands = GENERATORS[cfg.candidates](index, written, [sp.surface_ids for sp in flat_spots],
                                           cfg.max_candidates, names_only=names_only)
        # What the words around a spot say of its candidates (link/candidates.py).
        spot_text = [t for t, sps in zip(texts, spots) for _ in sps]
        cands = [nation_first(index, cs, w) if _adjective(t, sp, w) else cs
                 for cs, w, t, sp in zip(cands, written, spot_text, flat_spots)]
        cands = [head_first(index, cs, t, sp.start, sp.end) if w[:1].isupper() else cs
                 for cs, w, t, sp in zip(cands, written, spot_text, flat_spots)]
        cands = self._qualified(texts, spot_doc, written, cands)
        lens = [len(c) for c in cands]
        flat = [c for cs in cands for c in cs]
        rows_spot = [i for i, k in enumerate(lens) for _ in range(k)]
        rows_entry = [c[0] for c in flat]
        rows_prior = [c[1] for c in flat]
        rows_count = [c[2] for c in flat]
        N = len(rows_entry)
        X = np.zeros((N, len(CANDIDATE_FEATURES)), dtype=np.float64)
        if N:
            spot_idx = np.asarray(rows_spot)
            entries = np.asarray(rows_entry, dtype=np.int64)
            prior = np.asarray(rows_prior)
            rank = np.arange(N) - (np.cumsum(lens) - lens)[spot_idx]
            lps = np.asarray(spot_lp)[spot_idx]
            lps = np.where(np.isnan(lps), cfg.unknown_link_prob, lps)
            group = np.asarray(spot_group)[spot_idx]
            doc = np.asarray(spot_doc, dtype=np.int64)[spot_idx]
            voters = rank < cfg.context_per_mention
            X[:, 0] = prior
            X[:, 1] = np.log(prior + 1e-4)
            X[:, 2], X[:, 3] = similarities(index, list(texts), entries, doc,
                                            np.asarray([sp.start for sp in flat_spots])[spot_idx])
            X[:, 4] = coherence(index, entries, group, doc, entries[voters], group[voters], doc[voters],
                                prior[voters] * lps[voters], inlink_cap=cfg.inlink_cap)
            X[:, 5] = np.asarray([sp.exact for sp in flat_spots], dtype=np.float64)[spot_idx]
            X[:, 6] = rank == 0
            pop = np.asarray(index.popularity[entries], dtype=np.float64)
            X[:, 7] = np.log1p(pop)
            # Whether coherence can say anything: an entry nothing links to has
            # no in-links to compare (KBs from link-less sources are mostly so),
            # nor has one whose text names nothing else that has in-links.
            linked = voters & (pop > 0) & (prior * lps >= MIN_VOTE)  # not "The" -> Theory
            others = (np.bincount(doc[linked], minlength=len(texts))[doc]
                      - np.bincount(group[linked], minlength=int(group.max()) + 1)[group])
            X[:, 8] = (pop > 0) & (others > 0)
            # How far the candidate's context falls behind its mention's best: a
            # cosine's scale depends on the text, the gap between rivals does not.
            best = np.full(len(lens), -np.inf)
            np.maximum.at(best, spot_idx, X[:, 2])
            X[:, 9] = X[:, 2] - best[spot_idx]
        return Features(rows_spot, rows_entry, rows_prior, rows_count, X, spot_lp)

    def _qualified(self, texts: Sequence[str], spot_doc: list[int], written: list[str],
                   cands: list[list[tuple[int, float, int]]]) -> list[list[tuple[int, float, int]]]:
        """``candidates.qualified_too`` for each capitalized spot, once per text
        and name however often the text repeats it (a qualifier is searched in the whole text)."""
        done: dict[tuple, list[tuple[int, float, int]]] = {}
        named_in: dict[int, TextWords] = {}
        out = []
        for d, w, cs in zip(spot_doc, written, cands):
            if cs and w[:1].isupper() and qualified(self.index, w):
                key = (d, w, tuple(cs))
                hit = done.get(key)
                if hit is None:
                    if d not in named_in:
                        named_in[d] = TextWords(texts[d])
                    hit = done[key] = qualified_too(self.index, cs, texts[d], w, named_in[d])
                cs = hit
            out.append(cs)
        return out

    def spot_features(self, text: str, spots: list[Spot], f: Features,
                      p_entry: np.ndarray) -> np.ndarray:
        """The linking model's features of each spot (columns ``SPOT_FEATURES``)."""
        return self.spot_features_many([text], [spots], f, p_entry)

    def spot_features_many(self, texts: Sequence[str], spots: Sequence[list[Spot]], f: Features,
                           p_entry: np.ndarray) -> np.ndarray:
        """``spot_features`` of the spots of several texts, numbered across them (``featurize_many``'s ``f``)."""
        flat_spots = [sp for sps in spots for sp in sps]
        n = len(flat_spots)
        S = np.zeros((n, len(SPOT_FEATURES)), dtype=np.float64)
        spot_idx = np.asarray(f.spot, dtype=np.int64)
        ncand = np.bincount(spot_idx, minlength=n).astype(np.float64)
        best = np.full(n, -1, dtype=np.int64)
        second = np.zeros(n)
        if len(spot_idx):
            order, first = best_first(spot_idx, p_entry)
            heads = order[first]
            best[spot_idx[heads]] = heads
            pos = np.nonzero(first)[0] + 1  # the runner-up follows the best, if any
            ok = pos < len(order)
            ok[ok] &= ~first[pos[ok]]
            second[spot_idx[heads[ok]]] = p_entry[order[pos[ok]]]
        has = best >= 0
        unknown_lp = self.config.unknown_link_prob
        lp = np.fromiter((sp.link_prob for sp in flat_spots), dtype=np.float64, count=n)
        plp = np.fromiter((sp.page_link_prob for sp in flat_spots), dtype=np.float64, count=n)
        unknown = np.isnan(lp) | np.isnan(plp)
        written = [text[sp.start:sp.end] for text, sps in zip(texts, spots) for sp in sps]
        S[:, 0] = np.where(unknown, unknown_lp, lp)
        S[:, 1] = unknown
        S[:, 10] = np.where(unknown, unknown_lp, plp)
        S[:, 6] = [w[:1].isupper() for w in written]
        S[:, 7] = [min(w.count(" ") + 1, 6) for w in written]
        S[:, 8] = [sp.exact for sp in flat_spots]
        rows = best[has]
        S[has, 2] = p_entry[rows]
        S[has, 3] = p_entry[rows] - second[has]
        S[has, 4] = f.X[rows, 2]
        S[has, 5] = f.X[rows, 4]
        S[has, 11] = f.X[rows, 8]
        S[:, 9] = np.log1p(ncand)
        return S

    def score(self, text: str, spots: list[Spot], *, given: bool = False,
              folded: str | None = None, mode: str | None = None) -> list[Scored]:
        """Score every candidate of every spot; candidates best first.

        A candidate's score is P(entry | mention) times P(the span is a
        mention); ``given`` (D2KB: the spans are known mentions) drops the second.
        """
        return self.score_many([text], [spots], given=given, folded=None if folded is None else [folded],
                               mode=mode)[0]

    def score_many(self, texts: Sequence[str], spots: Sequence[list[Spot]], *, given: bool = False,
                   folded: Sequence[str] | None = None, mode: str | None = None) -> list[list[Scored]]:
        """``score`` for several texts in one pass; each text scores as it would alone."""
        f = self.featurize_many(texts, spots, folded)
        n_spots = sum(map(len, spots))
        p_entry = self.model.p_entry(f.X, f.spot, f.count)
        detect = DETECTORS.get(mode or self.config.mode)
        if given:
            p_spot = np.ones(n_spots)
        elif detect is not None:
            p_spot = detect(self.index, texts, spots, f.spot, f.X, p_entry)
        else:
            p_spot = self.model.linking.score(self.spot_features_many(texts, spots, f, p_entry))
        spot_idx = np.asarray(f.spot, dtype=np.int64)
        order = np.lexsort((-p_entry, spot_idx)).tolist()  # by spot, best candidate first
        bounds = np.searchsorted(spot_idx[order], np.arange(n_spots + 1)).tolist() if order else \
            [0] * (n_spots + 1)
        final = (p_entry * p_spot[spot_idx]).tolist() if order else []
        # Columns in (spot, best first) order, so each spot's candidates are one slice.
        entry = [f.entry[r] for r in order]
        prior = [f.prior[r] for r in order]
        count = [f.count[r] for r in order]
        final = [final[r] for r in order]
        out: list[list[Scored]] = []
        i = 0
        for sps in spots:
            doc = []
            for sp in sps:
                a, b = bounds[i], bounds[i + 1]
                doc.append(_new(Scored, (sp.start, sp.end, tuple(entry[a:b]), tuple(prior[a:b]),
                                         tuple(count[a:b]), tuple(final[a:b]))))
                i += 1
            out.append(doc)
        return out

    @staticmethod
    def resolve_overlaps(scored: list[Scored], threshold: float) -> list[Scored]:
        """Longest mention first, among those that clear the threshold."""
        keep: list[Scored] = []
        taken = SpanUnion()
        ranked = sorted((-(s.end - s.start), -s.scores[0], s.start, i) for i, s in enumerate(scored)
                        if s.scores and s.scores[0] >= threshold)
        for *_, i in ranked:
            s = scored[i]
            if taken.overlaps(s.start, s.end):
                continue
            keep.append(s)
            taken.add(s.start, s.end)
        keep.sort(key=lambda s: s.start)
        return keep

    def link_short_names(self, text: str, kept: list[Scored],
                         given: Sequence[tuple[int, int]] | None = None) -> list[Scored]:
        """``kept`` plus the short forms of its multi-word names (``given``: only those spans).

        A short form takes the full name's entry and confidence; a lone word
        linked elsewhere on its own ("Bush" -> another Bush) is relinked.
        """
        if not self.config.short_names:
            return kept
        parts = short_names(text, ((s.start, s.end, s.entries[0], s.best) for s in kept))
        allowed = self.index.memo_table("may-shorten")  # the KB's answer never changes
        for w, (entry, _) in parts.items():
            if (w, entry) not in allowed:
                allowed[(w, entry)] = self._may_shorten(w, entry)
        parts = {w: v for w, v in parts.items() if allowed[(w, v[0])]}
        if not parts:
            return kept
        # A part glued to another capitalized word outside its own name ("Lithuanian"
        # in "Soviet–Lithuanian Peace Treaty") is a modifier in this text, not a name.
        found = [(b, e, w, standalone(text, b, e)) for b, e, w in occurrences(text, list(parts))]
        own: dict[int, list[tuple[int, int]]] = {}  # each entry's linked spans
        for s in kept:
            own.setdefault(s.entries[0], []).append((s.start, s.end))
        inside = {entry: Covering(spans) for entry, spans in own.items()}
        nowhere = Covering(())
        modifiers = {w for b, e, w, alone in found if not alone
                     and not inside.get(parts[w][0], nowhere)(b, e)}
        parts = {w: v for w, v in parts.items() if w not in modifiers}
        if given is None:
            spans = [(b, e, w) for b, e, w, alone in found if w in parts and alone]
        else:
            spans = [(b, e, text[b:e]) for b, e in given if text[b:e] in parts]
        at = {(s.start, s.end): i for i, s in enumerate(kept)}
        out: list[Scored | None] = list(kept)
        taken = SpanUnion((s.start, s.end) for s in kept)
        for b, e, part in spans:
            entry, score = parts[part]
            current = at.get((b, e))
            if current is not None:
                if out[current] is None or out[current].entries[0] == entry:  # type: ignore[union-attr]
                    continue
                out[current] = None
            elif taken.overlaps(b, e):
                continue
            out.append(Scored(b, e, (entry,), (0.0,), (0,), (score,)))
            taken.add(b, e)
        linked = [s for s in out if s is not None]
        linked.sort(key=lambda s: (s.start, s.end))
        return linked

    def _may_shorten(self, part: str, entry: int) -> bool:
        """Whether the KB lets ``part`` stand for ``entry``: it does not know the
        word, ranks the entry first, or knows no clear meaning of it (prior under
        one half); "Lithuania" of "Republic of Central Lithuania" means Lithuania."""
        found = surfaces_of(self.index, part)
        if found is None:
            return True
        cands = candidates_of(self.index, found[0], self.config.max_candidates)
        return not cands or cands[0][0] == entry or cands[0][1] < 0.5

    @staticmethod
    def apply_policy(text: str, scored: list[Scored], policy: str) -> list[Scored]:
        if policy == "all":
            return scored
        paras = paragraph_spans(text)
        out, seen, p = [], set(), 0
        for s in scored:
            while p < len(paras) - 1 and s.start >= paras[p][1]:
                p += 1
            key = (p, s.entries[0])
            if key in seen:
                continue
            seen.add(key)
            out.append(s)
        return out


def _without(s: Scored, entry: int) -> Scored:
    if entry not in s.entries:
        return s
    keep = [i for i, e in enumerate(s.entries) if e != entry]
    return Scored(s.start, s.end, *(tuple(col[i] for i in keep) for col in
                                    (s.entries, s.priors, s.counts, s.scores)))


_NEXT_WORD = re.compile(r"[ \t]+([a-z][\w\-]*)")


def _adjective(text: str, sp: Spot, written: str) -> bool:
    """Whether a one-word capitalized span stands before a lower-case noun, as an
    adjective does ("an English cricketer"; not "in English and French")."""
    if not written[:1].isupper() or not written.isalpha():
        return False
    after = _NEXT_WORD.match(text, sp.end)
    return after is not None and after.group(1) not in STOPWORDS
