"""Candidates of a spot, ranked by the prior p(entry | surface)."""

from __future__ import annotations

from ..kb.index import Index

__all__ = ["candidates_of", "candidates_of_all"]


def candidates_of(index: Index, surface_ids: tuple[int, ...], k: int) -> list[tuple[int, float, int]]:
    """Up to ``k`` (entry index, prior, anchor count), most probable first.

    Disambiguation pages are never candidates: they list senses, they are not one.
    """
    return candidates_of_all(index, [surface_ids], k)[0]


def candidates_of_all(index: Index, surface_ids: list[tuple[int, ...]], k: int
                      ) -> list[list[tuple[int, float, int]]]:
    """``candidates_of`` for many spots at once: one memo lookup each, no call per spot."""
    memo = index.memo_table("candidates")
    out = [memo.get((sids, k)) for sids in surface_ids]
    for i, hit in enumerate(out):
        if hit is None:
            out[i] = memo[(surface_ids[i], k)] = _candidates(index, surface_ids[i], k)
    return out  # type: ignore[return-value]


WEAK_WEIGHT = 0.2  # a weak name (kb/names.py) counts as a fifth of a full name or an anchor


def _candidates(index: Index, surface_ids: tuple[int, ...], k: int) -> list[tuple[int, float, int]]:
    counts: dict[int, list[float]] = {}
    for sid in surface_ids:
        a, b = int(index.cand_ptr[sid]), int(index.cand_ptr[sid + 1])
        for e, c, n, w in zip(index.cand_entry[a:b].tolist(), index.cand_count[a:b].tolist(),
                              index.cand_anchors[a:b].tolist(), index.cand_weak[a:b].tolist()):
            if index.is_dab[e]:
                continue
            c += WEAK_WEIGHT * w
            acc = counts.get(e)
            if acc is None:
                counts[e] = [c, n]
            else:
                acc[0] += c
                acc[1] += n
    total = sum(c for c, _ in counts.values())
    if not total:
        return []
    # Ties (names alone, no anchors) go to the entry more is linked to, then the one the KB says more of.
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1][0], -int(index.popularity[kv[0]]),
                                                    -int(index.entry_size[kv[0]]), kv[0]))
    return [(e, c / total, int(n)) for e, (c, n) in ranked[:k]]
