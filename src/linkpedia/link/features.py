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

__all__ = ["CANDIDATE_FEATURES", "SPOT_FEATURES", "similarities", "coherence"]

# Columns of the (mention, candidate) matrix, scored by the disambiguation model.
CANDIDATE_FEATURES = ("prior", "log_prior", "context", "local_context", "coherence", "exact",
                      "top_prior", "log_popularity", "graph_known")
# Columns of the per-mention matrix, scored by the linking (mention or not) model.
SPOT_FEATURES = ("link_prob", "link_prob_unknown", "best_score", "margin", "best_context",
                 "best_coherence", "capitalized", "words", "exact", "log_candidates",
                 "page_link_prob", "best_graph_known")


def _ranges(lo: np.ndarray, lens: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Flat positions of the ranges ``[lo, lo + lens)`` and, for each, which range it came from."""
    total = int(lens.sum())
    owner = np.repeat(np.arange(len(lens)), lens)
    if total == 0:
        return np.zeros(0, dtype=np.int64), owner
    starts = np.cumsum(lens) - lens
    return np.arange(total, dtype=np.int64) - np.repeat(starts, lens) + np.repeat(lo, lens), owner


def _gather(ptr: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Flat positions of the CSR rows ``rows`` and, for each, which row it came from."""
    a = ptr[rows].astype(np.int64)
    return _ranges(a, ptr[rows + 1].astype(np.int64) - a)


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


def _passage_terms(index: Index, spans: list[tuple[str, int, int]]) -> tuple[np.ndarray, np.ndarray]:
    """The term id and passage of every word of the passages ``(text, start, end)`` that the KB's vocabulary knows."""
    ids = index.memo_table("term-ids")
    get = ids.get
    tids: list[int] = []
    lens: list[int] = []
    for text, b, e in spans:
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


def _vectors(group: np.ndarray, tid: np.ndarray, n_groups: int, idf: np.ndarray
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The TF-IDF vector of each group (a text, a passage) of the words ``tid``:
    its (group * T + term id) keys, sorted, their L2-normalized
    (1 + log tf) * idf weights, and their term ids."""
    T = len(idf) + 1
    keys, tf = np.unique(group * T + tid, return_counts=True)
    kgroup, term = np.divmod(keys, T)
    w = (1.0 + np.log(tf.astype(np.float64))) * idf[term]
    norms = np.sqrt(np.bincount(kgroup, weights=w * w, minlength=n_groups))
    return keys, w / np.where(norms > 0, norms, 1.0)[kgroup], term


def similarities(index: Index, texts: list[str], entries: np.ndarray, row_doc: np.ndarray,
                 starts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cosine of each entry's profile with its text (``texts[row_doc]``), and
    with the passage its mention (starting at ``starts``) stands in.

    The whole document says what it is about; the passage says which sense
    a name has here ("Kaunas" in a passage about a siege is the fortress).
    The words are counted once, per passage and per text, with array
    operations, and all passages of all texts are scored in one vectorized
    pass. A text's figures never depend on the other texts beside it: each
    sum runs over that text's own terms, in the same order.
    """
    n = len(entries)
    zero = np.zeros(n, dtype=np.float32)
    spans: list[tuple[str, int, int]] = []
    first_block = []  # each text's first passage
    ends = []  # each passage's end, made increasing across texts
    width = max(map(len, texts), default=0) + 1
    for d, text in enumerate(texts):
        first_block.append(len(spans))
        blocks = _blocks(text) or [(0, len(text))]
        spans += [(text, b, e) for b, e in blocks]
        ends += [d * width + e for _, e in blocks]
    tid, blk = _passage_terms(index, spans)
    if n == 0 or len(tid) == 0:
        return zero, zero.copy()
    block_doc = np.repeat(np.arange(len(texts), dtype=np.int64),
                          np.diff(np.append(first_block, len(spans))))
    T = len(index.idf) + 1
    dkeys, doc_w, dterm = _vectors(block_doc[blk], tid, len(texts), index.idf)  # each text's
    keys, w, _ = _vectors(blk, tid, len(spans), index.idf)  # each passage's
    # Every candidate's profile, gathered once.
    pos, owner = _gather(index.prof_ptr, entries)
    if len(pos) == 0:
        return zero, zero.copy()
    t = index.prof_term[pos]
    # Only profile terms some text has can add to a cosine: find them with one
    # gather from a term -> slot table instead of a binary search per term.
    present = np.unique(dterm)
    slot = _slots(T)
    slot[present] = 0
    try:
        found = slot[t]
    finally:
        slot[present] = -1
    hit = np.flatnonzero(found >= 0)
    owner, pw, t = owner[hit], index.prof_weight[pos[hit]], t[hit].astype(np.int64)
    whole = np.bincount(owner, weights=_lookup(dkeys, doc_w, row_doc[owner] * T + t) * pw, minlength=n)
    para = np.searchsorted(np.asarray(ends), row_doc * width + starts, side="right")
    last = np.append(first_block[1:], len(spans)) - 1  # a text's last passage
    para = np.minimum(para, last[row_doc])
    local = np.bincount(owner, weights=_lookup(keys, w, para[owner] * T + t) * pw, minlength=n)
    return whole.astype(np.float32), local.astype(np.float32)


_scratch = threading.local()


def _slots(size: int) -> np.ndarray:
    """This thread's term -> slot table, all -1 (callers put back the -1s they overwrite)."""
    table = getattr(_scratch, "slots", None)
    if table is None or len(table) < size:
        table = _scratch.slots = np.full(size, -1, dtype=np.int32)
    return table


def _related(index: Index, rows: np.ndarray, row_doc: np.ndarray, cols: np.ndarray, col_doc: np.ndarray
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Milne–Witten relatedness, from in-links, of the (row, col) pairs of the
    same text that share an in-link or are the same entry: (row, col, value),
    sorted by row, then col."""
    E = max(int(index.n_entries), 1)
    C = len(cols)
    keys: list[np.ndarray] = []
    cpos, cown = _gather(index.in_ptr, cols)
    rpos, rown = _gather(index.in_ptr, rows)
    if len(cpos) and len(rpos):
        # Sources keyed by text, so a row meets only the columns of its own text.
        ckey = col_doc[cown] * E + index.in_src[cpos]
        order = np.argsort(ckey, kind="stable")
        ckey, cown = ckey[order], cown[order]
        rkey = row_doc[rown] * E + index.in_src[rpos]
        lo = np.searchsorted(ckey, rkey, "left")
        jj, k = _ranges(lo, np.searchsorted(ckey, rkey, "right") - lo)
        keys.append(rown[k] * C + cown[jj])
    # The same entry in the same text: relatedness 1, in-links or not.
    ce = col_doc * E + cols
    corder = np.argsort(ce, kind="stable")
    re_ = row_doc * E + rows
    lo = np.searchsorted(ce[corder], re_, "left")
    jj, r = _ranges(lo, np.searchsorted(ce[corder], re_, "right") - lo)
    keys.append(r * C + corder[jj])
    if not any(map(len, keys)):
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0, dtype=np.float32)
    pair, inter = np.unique(np.concatenate(keys), return_counts=True)
    r, c = pair // C, pair % C
    a = (index.in_ptr[rows[r] + 1] - index.in_ptr[rows[r]]).astype(np.float64)
    b = (index.in_ptr[cols[c] + 1] - index.in_ptr[cols[c]]).astype(np.float64)
    W = max(float(index.n_entries), 2.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        num = np.log(np.maximum(a, b)) - np.log(inter.astype(np.float64))
        den = math.log(W) - np.log(np.minimum(a, b))
        mw = 1.0 - num / np.where(den > 0, den, 1.0)
    value = np.clip(mw, 0.0, 1.0).astype(np.float32)
    value[rows[r] == cols[c]] = 1.0  # pairs are of one text, so the same entry is the same-entry pair
    return r, c, value


def coherence(index: Index, cand_entries: np.ndarray, cand_group: np.ndarray, cand_doc: np.ndarray,
              ctx_entries: np.ndarray, ctx_group: np.ndarray, ctx_doc: np.ndarray,
              ctx_weight: np.ndarray) -> np.ndarray:
    """Weighted mean relatedness of each candidate to the likely entries of the
    other mentions of its text (``ctx_*``; groups are mentions written alike).

    Sparse: only pairs that share an in-link count, and each candidate's sums
    run over its own text's context in order, so a text scores the same
    whatever texts are linked beside it.
    """
    out = np.zeros(len(cand_entries), dtype=np.float32)
    if len(ctx_entries) == 0 or len(cand_entries) == 0:
        return out
    n_docs = int(max(cand_doc.max(), ctx_doc.max())) + 1
    n_groups = int(max(cand_group.max(), ctx_group.max())) + 1
    # Every context weight of the text, less those of the candidate's own mention.
    denom = (np.bincount(ctx_doc, weights=ctx_weight, minlength=n_docs)[cand_doc]
             - np.bincount(ctx_group, weights=ctx_weight, minlength=n_groups)[cand_group])
    r, c, rel = _related(index, cand_entries, cand_doc, ctx_entries, ctx_doc)
    other = cand_group[r] != ctx_group[c]
    num = np.bincount(r[other], weights=rel[other] * ctx_weight[c[other]], minlength=len(cand_entries))
    np.divide(num, denom, out=out, where=denom > 1e-12, casting="unsafe")
    return out
