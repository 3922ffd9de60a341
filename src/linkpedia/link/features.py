"""Disambiguation features, computed for all (mention, candidate) pairs of a document at once.

Vectorized with numpy over the KB's CSR arrays, so a document costs a handful
of array operations instead of a Python loop per candidate pair.
"""

from __future__ import annotations

import math
import threading

import numpy as np

from ..kb.index import Index
from ..text import WORD, _term, paragraph_spans

__all__ = ["CANDIDATE_FEATURES", "SPOT_FEATURES", "similarities", "relatedness_matrix", "coherence"]

# Columns of the (mention, candidate) matrix, scored by the disambiguation model.
CANDIDATE_FEATURES = ("prior", "log_prior", "context", "local_context", "coherence", "exact",
                      "top_prior", "log_popularity", "graph_known")
# Columns of the per-mention matrix, scored by the linking (mention or not) model.
SPOT_FEATURES = ("link_prob", "link_prob_unknown", "best_score", "margin", "best_context",
                 "best_coherence", "capitalized", "words", "exact", "log_candidates",
                 "page_link_prob", "best_graph_known")


def _gather(ptr: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Flat positions of the CSR rows ``rows`` and, for each, which row it came from."""
    a = ptr[rows].astype(np.int64)
    lens = ptr[rows + 1].astype(np.int64) - a
    total = int(lens.sum())
    owner = np.repeat(np.arange(len(rows)), lens)
    if total == 0:
        return np.zeros(0, dtype=np.int64), owner
    starts = np.cumsum(lens) - lens
    pos = np.arange(total, dtype=np.int64) - np.repeat(starts, lens) + np.repeat(a, lens)
    return pos, owner


BLOCK_CHARS = 400  # short paragraphs are merged into blocks of about this size


def _blocks(text: str) -> list[tuple[int, int]]:
    """Paragraphs, short ones merged with their neighbours, as (start, end)."""
    out: list[tuple[int, int]] = []
    for b, e in paragraph_spans(text):
        if out and (out[-1][1] - out[-1][0] < BLOCK_CHARS or e - b < BLOCK_CHARS // 4):
            out[-1] = (out[-1][0], e)
        else:
            out.append((b, e))
    return out


def _lookup(keys: np.ndarray, weights: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """weights[i] where keys[i] == wanted, else 0 (``keys`` sorted)."""
    if len(keys) == 0:
        return np.zeros(len(wanted))
    j = np.searchsorted(keys, wanted)
    j[j >= len(keys)] = 0
    return np.where(keys[j] == wanted, weights[j], 0.0)


def _passage_terms(index: Index, text: str, spans: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
    """The term id and passage of every word of ``text`` that the KB's vocabulary knows."""
    ids = index.memo_table("term-ids")
    get = ids.get
    tids: list[int] = []
    lens: list[int] = []
    for b, e in spans:
        words = WORD.findall(text[b:e])
        row = list(map(get, words))
        if None in row:  # words never seen before: look them up once
            for k, w in enumerate(words):
                if row[k] is None:
                    t = _term(w)
                    row[k] = ids[w] = index.terms.get(t, -1) if t is not None else -1
        tids += row
        lens.append(len(row))
    tid = np.array(tids, dtype=np.int64)
    blk = np.repeat(np.arange(len(spans), dtype=np.int64), lens)
    known = tid >= 0
    return tid[known], blk[known]


def similarities(index: Index, text: str, entries: np.ndarray, starts: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Cosine of each entry's profile with the whole text, and with the passage
    its mention stands in.

    The whole document says what it is about; the passage says which sense
    a name has here ("Kaunas" in a passage about a siege is the fortress).
    The words are counted once, per passage and for the whole text, with
    array operations, and all passages are scored in one vectorized pass.
    """
    n = len(entries)
    zero = np.zeros(n, dtype=np.float32)
    spans = _blocks(text) or [(0, len(text))]
    tid, blk = _passage_terms(index, text, spans)
    if n == 0 or len(tid) == 0:
        return zero, zero.copy()
    # The whole text's vector (float32: the profiles' precision).
    doc_ids, tf = np.unique(tid, return_counts=True)
    doc_w = (1.0 + np.log(tf.astype(np.float64))).astype(np.float32) * index.idf[doc_ids]
    doc_w /= float(np.linalg.norm(doc_w)) or 1.0
    # Passage vectors, keyed by (passage, term) as passage * T + term id.
    T = len(index.idf) + 1
    keys, tf = np.unique(blk * T + tid, return_counts=True)
    kblk = keys // T
    w = (1.0 + np.log(tf.astype(np.float64))) * index.idf[keys - kblk * T]
    norms = np.sqrt(np.bincount(kblk, weights=w * w, minlength=len(spans)))
    w /= np.where(norms > 0, norms, 1.0)[kblk]
    # Every candidate's profile, gathered once.
    pos, owner = _gather(index.prof_ptr, entries)
    if len(pos) == 0:
        return zero, zero.copy()
    t = index.prof_term[pos]
    # Only profile terms the text has can add to a cosine: find them with one
    # gather from a term -> slot table instead of a binary search per term.
    slot = _slots(T)
    slot[doc_ids] = np.arange(len(doc_ids), dtype=np.int32)
    try:
        found = slot[t]
    finally:
        slot[doc_ids] = -1
    hit = np.flatnonzero(found >= 0)
    owner, pw, t = owner[hit], index.prof_weight[pos[hit]], t[hit].astype(np.int64)
    whole = np.bincount(owner, weights=doc_w[found[hit]] * pw, minlength=n)
    ends = np.asarray([e for _, e in spans])
    para = np.minimum(np.searchsorted(ends, starts, side="right"), len(spans) - 1)
    local = np.bincount(owner, weights=_lookup(keys, w, para[owner] * T + t) * pw, minlength=n)
    return whole.astype(np.float32), local.astype(np.float32)


_scratch = threading.local()


def _slots(size: int) -> np.ndarray:
    """This thread's term -> slot table, all -1 (callers put back the -1s they overwrite)."""
    table = getattr(_scratch, "slots", None)
    if table is None or len(table) < size:
        table = _scratch.slots = np.full(size, -1, dtype=np.int32)
    return table


def relatedness_matrix(index: Index, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Milne–Witten relatedness between ``rows`` and ``cols`` entries, from in-links."""
    R, C = len(rows), len(cols)
    rel = np.zeros((R, C), dtype=np.float32)
    if R == 0 or C == 0:
        return rel
    cpos, cown = _gather(index.in_ptr, cols)
    if len(cpos) == 0:
        return rel
    csrc = index.in_src[cpos]
    order = np.argsort(csrc, kind="stable")
    csrc, cown = csrc[order], cown[order]
    rpos, rown = _gather(index.in_ptr, rows)
    if len(rpos) == 0:
        return rel
    rsrc = index.in_src[rpos]
    lo = np.searchsorted(csrc, rsrc, "left")
    hi = np.searchsorted(csrc, rsrc, "right")
    cnt = hi - lo
    if int(cnt.sum()) == 0:
        return rel
    rr = np.repeat(rown, cnt)
    starts = np.cumsum(cnt) - cnt
    jj = np.arange(int(cnt.sum())) - np.repeat(starts, cnt) + np.repeat(lo, cnt)
    inter = np.bincount(rr * C + cown[jj], minlength=R * C)
    # Only pairs sharing an in-link can be related: the formula runs on those alone.
    pair = np.flatnonzero(inter)
    r, c = pair // C, pair % C
    a = (index.in_ptr[rows[r] + 1] - index.in_ptr[rows[r]]).astype(np.float64)
    b = (index.in_ptr[cols[c] + 1] - index.in_ptr[cols[c]]).astype(np.float64)
    W = max(float(index.n_entries), 2.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        num = np.log(np.maximum(a, b)) - np.log(inter[pair].astype(np.float64))
        den = math.log(W) - np.log(np.minimum(a, b))
        mw = 1.0 - num / np.where(den > 0, den, 1.0)
    rel.flat[pair] = np.clip(mw, 0.0, 1.0)
    rel[rows[:, None] == cols[None, :]] = 1.0
    return rel


def coherence(index: Index, cand_entries: np.ndarray, cand_group: np.ndarray,
              ctx_entries: np.ndarray, ctx_group: np.ndarray, ctx_weight: np.ndarray) -> np.ndarray:
    """Weighted mean relatedness of each candidate to the other mentions' likely entries."""
    out = np.zeros(len(cand_entries), dtype=np.float32)
    if len(ctx_entries) == 0 or len(cand_entries) == 0:
        return out
    rel = relatedness_matrix(index, cand_entries, ctx_entries)  # [N cands, M ctx]
    mask = cand_group[:, None] != ctx_group[None, :]
    wts = np.where(mask, ctx_weight[None, :], 0.0)
    denom = wts.sum(axis=1)
    num = (rel * wts).sum(axis=1)
    np.divide(num, denom, out=out, where=denom > 0, casting="unsafe")
    return out
