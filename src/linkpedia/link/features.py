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

__all__ = ["CANDIDATE_FEATURES", "SPOT_FEATURES", "similarities", "coherence", "best_first"]

# Columns of the (mention, candidate) matrix, scored by the disambiguation model.
CANDIDATE_FEATURES = ("prior", "log_prior", "context", "local_context", "coherence", "exact",
                      "top_prior", "log_popularity", "graph_known", "context_gap")
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


def best_first(spot_idx: np.ndarray, p_entry: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The (spot, candidate) rows ordered by spot, best candidate first, and which
    of them is its spot's first (best): how scoring, the linking features, the
    entities detector and the trainer's held-out check all rank candidates."""
    order = np.lexsort((-p_entry, spot_idx))
    first = np.ones(len(order), dtype=bool)
    first[1:] = spot_idx[order[1:]] != spot_idx[order[:-1]]
    return order, first


def _gather(ptr: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Flat positions of the CSR rows ``rows`` and, for each, which row it came from."""
    a = ptr[rows].astype(np.int64)
    return _ranges(a, ptr[rows + 1].astype(np.int64) - a)


MAX_CONTEXT = 64  # distinct context entries per text that coherence compares a candidate with
MAX_INLINKS = 2000  # in-links of an entry that coherence reads (issue 17: 300,000 for the most linked)
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
    The words are counted once, per passage and per text, and each cosine is
    computed once per distinct (text, entry) and (passage, entry) pair, so a
    name repeated a thousand times costs what it costs once. A text's figures
    never depend on the other texts beside it: each sum runs over that text's
    own terms, in the same order.
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
    E = max(int(index.n_entries), 1)
    dkeys, doc_w, dterm = _vectors(block_doc[blk], tid, len(texts), index.idf)  # each text's
    keys, w, _ = _vectors(blk, tid, len(spans), index.idf)  # each passage's
    para = np.searchsorted(np.asarray(ends), row_doc * width + starts, side="right")
    last = np.append(first_block[1:], len(spans)) - 1  # a text's last passage
    para = np.minimum(para, last[row_doc]).astype(np.int64)
    entries = entries.astype(np.int64)
    # Only profile terms some text has can add to a cosine: find them with one
    # gather from a term -> slot table instead of a binary search per term.
    present = np.unique(dterm)
    slot = _slots(T)
    slot[present] = 0
    try:
        whole = _cosines(index, row_doc * E + entries, E, dkeys, doc_w, T, slot)
        local = _cosines(index, para * E + entries, E, keys, w, T, slot)
    finally:
        slot[present] = -1
    return whole, local


def _cosines(index: Index, pair: np.ndarray, E: int, keys: np.ndarray, weights: np.ndarray, T: int,
             slot: np.ndarray) -> np.ndarray:
    """For each (group * E + entry) of ``pair``, the cosine of the entry's profile
    with the group's vector (``keys``/``weights`` from ``_vectors``): once per distinct pair."""
    distinct, inverse = np.unique(pair, return_inverse=True)
    group, entry = np.divmod(distinct, E)
    pos, owner = _gather(index.prof_ptr, entry)
    if len(pos) == 0:
        return np.zeros(len(pair), dtype=np.float32)
    t = index.prof_term[pos]
    hit = np.flatnonzero(slot[t] >= 0)
    owner, pw, t = owner[hit], index.prof_weight[pos[hit]], t[hit].astype(np.int64)
    cos = np.bincount(owner, weights=_lookup(keys, weights, group[owner] * T + t) * pw, minlength=len(distinct))
    return cos[inverse].astype(np.float32)


_scratch = threading.local()


def _slots(size: int) -> np.ndarray:
    """This thread's term -> slot table, all -1 (callers put back the -1s they overwrite)."""
    table = getattr(_scratch, "slots", None)
    if table is None or len(table) < size:
        table = _scratch.slots = np.full(size, -1, dtype=np.int32)
    return table


def _read_inlinks(index: Index, entries: np.ndarray, cap: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Positions of the first ``cap`` in-links of each entry (sorted by source), which
    entry each is of, and the share of the source-id space each entry's read part
    covers (1.0 for a list read whole): the in-links of an entry half of Wikipedia
    links to cost what ``cap`` of them cost, and the shared in-links of two entries
    can still be estimated (their lists are cut at the same kind of place)."""
    a = index.in_ptr[entries].astype(np.int64)
    n = index.in_ptr[entries + 1].astype(np.int64) - a
    pos, owner = _ranges(a, np.minimum(n, cap))
    covered = np.ones(len(entries))
    cut = n > cap
    if cut.any():
        E = max(int(index.n_entries), 1)
        covered[cut] = (index.in_src[a[cut] + cap - 1].astype(np.float64) + 1.0) / E
    return pos, owner, covered


def _source_keys(index: Index, row_doc: np.ndarray, rpos: np.ndarray, rown: np.ndarray,
                 col_doc: np.ndarray, cpos: np.ndarray, cown: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The column in-links keyed by (text, source) and sorted, which column each
    is, and the row in-links keyed alike: a row meets only its own text's columns."""
    E = max(int(index.n_entries), 1)
    ckey = col_doc[cown] * E + index.in_src[cpos]
    order = np.argsort(ckey, kind="stable")
    return ckey[order], cown[order], row_doc[rown] * E + index.in_src[rpos]


def _shared_by_search(index: Index, rows: np.ndarray, row_doc: np.ndarray, rpos: np.ndarray, rown: np.ndarray,
                      cols: np.ndarray, col_doc: np.ndarray, cpos: np.ndarray, cown: np.ndarray
                      ) -> tuple[np.ndarray, np.ndarray]:
    """``_shared_by_masks`` for a few in-links: each row source looked up among the
    column sources, one match per shared in-link (fewer steps while they are few)."""
    C = len(cols)
    ckey, cown, rkey = _source_keys(index, row_doc, rpos, rown, col_doc, cpos, cown)
    lo = np.searchsorted(ckey, rkey, "left")
    jj, k = _ranges(lo, np.searchsorted(ckey, rkey, "right") - lo)
    return np.unique(rown[k] * C + cown[jj], return_counts=True)


_FEW_INLINKS = 4096  # in-links read below which matching them one by one is cheaper than masks


def _shared_by_masks(index: Index, rows: np.ndarray, row_doc: np.ndarray, rpos: np.ndarray, rown: np.ndarray,
                     cols: np.ndarray, col_doc: np.ndarray, cpos: np.ndarray, cown: np.ndarray
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Pair keys (row·C + col) of the same text's (row, col) pairs that share an
    in-link among those read, sorted, and how many they share.

    Each source of a text's columns carries a bit mask of the columns it links
    to (a text has at most ``MAX_CONTEXT`` of them), and a row's count per
    column is the sum of the masks of its sources: the work grows with the
    in-links read, not with the pairs they make (two entries of 2,000 in-links
    each may share 2,000, and a text has hundreds of such pairs)."""
    C = len(cols)
    corder = np.argsort(col_doc, kind="stable")
    sorted_doc = col_doc[corder]
    doc_first = np.searchsorted(sorted_doc, sorted_doc, "left")
    local = np.empty(C, dtype=np.int64)
    local[corder] = np.arange(C) - doc_first  # a column's place among its text's columns
    width = int(local.max()) // 8 + 1  # bytes of a mask that hold a column's bit
    words = (width + 7) // 8
    ckey, ckey_col, rkey = _source_keys(index, row_doc, rpos, rown, col_doc, cpos, cown)
    cloc = local[ckey_col]
    new = np.ones(len(ckey), dtype=bool)
    new[1:] = ckey[1:] != ckey[:-1]
    starts = np.flatnonzero(new)
    ukey = ckey[starts]
    bits = np.zeros((len(ckey), words), dtype=np.uint64)
    bits[np.arange(len(ckey)), cloc // 64] = np.left_shift(np.uint64(1), (cloc % 64).astype(np.uint64))
    masks = np.add.reduceat(bits, starts, axis=0)  # a source links to a column once: the sum is the union
    at = np.minimum(np.searchsorted(ukey, rkey), len(ukey) - 1)
    found = ukey[at] == rkey
    frow, fmask = rown[found], masks[at[found]]  # rows in order, as ``_ranges`` gives them
    counts = np.zeros((len(rows), width * 8), dtype=np.int32)
    for a in range(0, len(frow), _MASK_SLICE):
        rr = frow[a:a + _MASK_SLICE]
        part = fmask[a:a + _MASK_SLICE].astype("<u8", copy=False).view(np.uint8)
        unpacked = np.unpackbits(part.reshape(len(rr), words * 8)[:, :width], axis=1, bitorder="little")
        heads = np.flatnonzero(np.r_[True, rr[1:] != rr[:-1]])
        counts[rr[heads]] += np.add.reduceat(unpacked, heads, axis=0, dtype=np.int32)
    r, loc = np.nonzero(counts)
    c = corder[np.searchsorted(sorted_doc, row_doc[r], "left") + loc]
    key = r * C + c
    order = np.argsort(key, kind="stable")
    return key[order], counts[r, loc][order]


_MASK_SLICE = 65_536  # row in-links unpacked at a time (64 bytes each)


def _related(index: Index, rows: np.ndarray, row_doc: np.ndarray, cols: np.ndarray, col_doc: np.ndarray,
             cap: int = MAX_INLINKS) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Milne–Witten relatedness, from in-links, of the (row, col) pairs of the
    same text that share an in-link or are the same entry: (row, col, value),
    sorted by row, then col. An entry with more than ``cap`` in-links is read
    up to its ``cap``-th source (by entry index); two cut lists share exactly
    the common sources below the lower cut, so the count is scaled up by the
    share of the id space read (entry indexes are trie ids, in no relation to
    how linked an entry is)."""
    E = max(int(index.n_entries), 1)
    C = len(cols)
    cpos, cown, ccov = _read_inlinks(index, cols, cap)
    rpos, rown, rcov = _read_inlinks(index, rows, cap)
    if len(cpos) and len(rpos):
        count = _shared_by_masks if len(rpos) + len(cpos) > _FEW_INLINKS else _shared_by_search
        shared, shared_n = count(index, rows, row_doc, rpos, rown, cols, col_doc, cpos, cown)
    else:
        shared, shared_n = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int32)
    # The same entry in the same text: relatedness 1, in-links or not.
    ce = col_doc * E + cols
    corder = np.argsort(ce, kind="stable")
    re_ = row_doc * E + rows
    lo = np.searchsorted(ce[corder], re_, "left")
    jj, r = _ranges(lo, np.searchsorted(ce[corder], re_, "right") - lo)
    pair = np.union1d(shared, r * C + corder[jj])
    if not len(pair):
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0, dtype=np.float32)
    inter = np.zeros(len(pair), dtype=np.float64)
    inter[np.searchsorted(pair, shared)] = shared_n
    r, c = pair // C, pair % C
    a = (index.in_ptr[rows[r] + 1] - index.in_ptr[rows[r]]).astype(np.float64)
    b = (index.in_ptr[cols[c] + 1] - index.in_ptr[cols[c]]).astype(np.float64)
    share = np.minimum(rcov[r], ccov[c])
    if (share < 1.0).any():
        inter = np.minimum(inter / share, np.maximum(np.minimum(a, b), 1.0))
    W = max(float(index.n_entries), 2.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        num = np.log(np.maximum(a, b)) - np.log(inter)
        den = math.log(W) - np.log(np.minimum(a, b))
        mw = 1.0 - num / np.where(den > 0, den, 1.0)
    value = np.clip(mw, 0.0, 1.0).astype(np.float32)
    value[rows[r] == cols[c]] = 1.0  # pairs are of one text, so the same entry is the same-entry pair
    return r, c, value


def coherence(index: Index, cand_entries: np.ndarray, cand_group: np.ndarray, cand_doc: np.ndarray,
              ctx_entries: np.ndarray, ctx_group: np.ndarray, ctx_doc: np.ndarray,
              ctx_weight: np.ndarray, max_context: int = MAX_CONTEXT, inlink_cap: int = MAX_INLINKS) -> np.ndarray:
    """Weighted mean relatedness of each candidate to the likely entries of the
    other mentions of its text (``ctx_*``; groups are mentions written alike).

    Computed on distinct entries, not on mentions: the context is each text's
    ``max_context`` heaviest distinct entries (their weights summed over the
    mentions that vote for them), and relatedness is measured once per
    distinct (candidate entry, context entry) pair of a text that share an
    in-link. So a text's cost grows with its distinct names, at most
    ``max_context`` pairs each, however often they repeat. Each sum runs over
    the text's own context in entry order, so a text scores the same whatever
    texts are linked beside it. Each entry's in-links are read up to
    ``inlink_cap`` (``_related``; 0 reads every one), so a text's cost does
    not grow with how linked its entries are.
    """
    out = np.zeros(len(cand_entries), dtype=np.float32)
    if len(ctx_entries) == 0 or len(cand_entries) == 0:
        return out
    E = max(int(index.n_entries), 1)
    n_groups = int(max(cand_group.max(), ctx_group.max())) + 1
    group_doc = np.zeros(n_groups, dtype=np.int64)
    group_doc[cand_group] = cand_doc
    group_doc[ctx_group] = ctx_doc
    # The context: weight of each (mention group, entry), then of each (text, entry).
    gkeys, ginv = np.unique(ctx_group.astype(np.int64) * E + ctx_entries, return_inverse=True)
    gweight = np.bincount(ginv, weights=ctx_weight)
    g_group, g_entry = np.divmod(gkeys, E)
    vkeys, vinv = np.unique(group_doc[g_group] * E + g_entry, return_inverse=True)
    vweight = np.bincount(vinv, weights=gweight)
    v_doc, v_entry = np.divmod(vkeys, E)
    # Each text's heaviest entries only (ties: the lower entry index).
    order = np.lexsort((v_entry, -vweight, v_doc))
    sorted_doc = v_doc[order]
    rank = np.arange(len(order)) - np.searchsorted(sorted_doc, sorted_doc, "left")
    kept = np.zeros(len(vkeys), dtype=bool)
    kept[order[rank < max_context]] = True
    col_doc, col_entry, col_weight = v_doc[kept], v_entry[kept], vweight[kept]
    own_kept = kept[vinv]  # a mention group's own votes, among the kept entries
    own_keys, own_weight = gkeys[own_kept], gweight[own_kept]
    n_docs = int(group_doc.max()) + 1
    doc_total = np.bincount(col_doc, weights=col_weight, minlength=n_docs)
    own_total = np.bincount(g_group[own_kept], weights=own_weight, minlength=n_groups)
    # The candidates: each distinct (mention group, entry), and its distinct (text, entry) row.
    ckeys, cinv = np.unique(cand_group.astype(np.int64) * E + cand_entries, return_inverse=True)
    c_group, c_entry = np.divmod(ckeys, E)
    c_doc = group_doc[c_group]
    rkeys, rinv = np.unique(c_doc * E + c_entry, return_inverse=True)
    r_doc, r_entry = np.divmod(rkeys, E)
    r, c, rel = _related(index, r_entry, r_doc, col_entry, col_doc,
                         cap=inlink_cap if inlink_cap > 0 else int(index.n_entries) + 1)
    # Each candidate meets its row's related context entries, less its own mention's votes.
    rptr = np.searchsorted(r, np.arange(len(rkeys) + 1))
    pos, k = _ranges(rptr[rinv], rptr[rinv + 1] - rptr[rinv])
    cc = c[pos]
    weight = col_weight[cc] - _lookup(own_keys, own_weight, c_group[k] * E + col_entry[cc])
    num = np.bincount(k, weights=rel[pos] * weight, minlength=len(ckeys))
    denom = doc_total[c_doc] - own_total[c_group]
    coh = np.zeros(len(ckeys), dtype=np.float64)
    np.divide(num, denom, out=coh, where=denom > 1e-12)
    out[:] = np.clip(coh, 0.0, 1.0)[cinv]
    return out
