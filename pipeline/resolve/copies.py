"""Copied sources: pairs of documents that are near copies or rewrites of each other.

Each document is reduced, one at a time, to a :class:`CopySignature` -- sorted
arrays of 64-bit hashes of its word shingles, long sentences and content words,
a content hash and a MinHash sketch -- and its text and word lists are dropped
before the next document is read.  Every test then works from the signatures,
so copy detection holds about 8 bytes per shingle of the corpus (a streaming
run reads each text once from its spool), not every document's words and
shingle strings at once.  Two different shingles (sentences, words) count as
one only if their 64-bit BLAKE2b hashes collide (about n^2 / 2^65 for n
distinct shingles: ~3e-7 for 3 million).
"""
from __future__ import annotations

import hashlib
import math
import re
import zlib
from dataclasses import dataclass
from typing import Iterable

import numpy as np

from pipeline.records import Claim

from .config import load_config
from .intervals import norm_unit
from .periods import _date_bounds


_WORD_RE = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def _words(text: str) -> list[str]:
    t = text.lower().replace("’", "'").replace("‘", "'")
    return _WORD_RE.findall(t)


_SENT_SPLIT_RE = re.compile(r"(?<=[.!?])\s+|\n+")


def _sentences(text: str, min_words: int) -> set[str]:
    return _words_and_sentences(text, min_words)[1]


def _words_and_sentences(text: str, min_words: int) -> tuple[list[str], set[str]]:
    """``_words(text)`` and the sentences of >= ``min_words`` words, in one
    pass (no word spans a sentence break, so the words are the same)."""
    words: list[str] = []
    out = set()
    for s in _SENT_SPLIT_RE.split(text):
        w = _words(s)
        words.extend(w)
        if len(w) >= min_words:
            out.add(" ".join(w))
    return words, out


_EMPTY = np.empty(0, dtype=np.uint64)


def _h64(data: bytes) -> int:
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "little")


def _hash_set(items: Iterable[str]) -> np.ndarray:
    """Sorted unique uint64 array of the 64-bit hashes of ``items``."""
    hs = [_h64(x.encode("utf-8", "surrogatepass")) for x in items]
    return np.unique(np.array(hs, dtype=np.uint64)) if hs else _EMPTY


@dataclass(frozen=True)
class CopySignature:
    """What copy detection keeps of one document (no strings).

    ``words``: number of normalised words; ``content``: 16-byte BLAKE2b of the
    normalised word sequence (exact copies); ``shingles``, ``sentences``,
    ``vocab``: sorted unique ``uint64`` arrays of the hashes of its word
    ``shingle``-grams, sentences of >= ``sentence_words`` words and content
    words (no stopwords, digits or words of <= 2 letters); ``sketch``:
    one-permutation MinHash of the shingles (``int64``, ``bins`` slots, -1 for
    an empty slot; see :func:`_sketch`)."""

    words: int
    content: bytes
    shingles: np.ndarray
    sentences: np.ndarray
    vocab: np.ndarray
    sketch: np.ndarray


def copy_signature(text: str, config: dict | None = None, _cfg: dict | None = None) -> CopySignature:
    """The :class:`CopySignature` of ``text`` under ``dependence`` in ``data/resolve.json``
    (``config`` overrides it as in :func:`load_config`)."""
    dc = (_cfg or load_config(config))["dependence"]
    return _signature(text or "", int(dc["shingle"]), int(dc["sentence_words"]), frozenset(dc["stopwords"]),
                      int((dc.get("copies") or {}).get("bins") or 1))


def _signature(text: str, n: int, sentence_words: int, stop: frozenset, bins: int) -> CopySignature:
    w, ss = _words_and_sentences(text, sentence_words)
    content = hashlib.blake2b(" ".join(w).encode("utf-8"), digest_size=16).digest()
    shingle_strs = {" ".join(w[i:i + n]) for i in range(len(w) - n + 1)}
    slots = [-1] * bins  # one-permutation MinHash: slot crc32 % bins keeps the least crc32 in it
    hs = []
    for x in shingle_strs:
        b = x.encode("utf-8")
        h = zlib.crc32(b)
        k = h % bins
        if slots[k] < 0 or h < slots[k]:
            slots[k] = h
        hs.append(_h64(b))
    shingles = np.unique(np.array(hs, dtype=np.uint64)) if hs else _EMPTY
    vocab = _hash_set({x for x in set(w) - stop if len(x) > 2 and not x.isdigit()})
    return CopySignature(len(w), content, shingles, _hash_set(ss), vocab, np.array(slots, dtype=np.int64))


def _sig(c: Claim, cfg: dict) -> tuple[str, float]:
    return (norm_unit(c.unit, cfg), float(f"{float(c.value):.3g}"))


def _uf_groups(pairs: Iterable[tuple[str, str]]) -> list[list[str]]:
    parent: dict[str, str] = {}

    def find(x):
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[str, list[str]] = {}
    for x in parent:
        groups.setdefault(find(x), []).append(x)
    return sorted((sorted(g) for g in groups.values()), key=lambda g: g[0])


class _Postings:
    """Items found in 2..max_df documents (sorted ``items``, their document counts ``df``)
    and, for each, the documents holding it: ``docs[start[k]:start[k] + df[k]]``."""

    __slots__ = ("items", "df", "start", "docs", "rank")

    def __init__(self, items: np.ndarray, df: np.ndarray, start: np.ndarray, docs: np.ndarray):
        self.items, self.df, self.start, self.docs = items, df, start, docs
        # rarest first, then by value: a fixed total order of the items (prefix filtering needs one)
        order = np.lexsort((items, df))
        self.rank = np.empty(len(items), dtype=np.int64)
        self.rank[order] = np.arange(len(items), dtype=np.int64)


def _member(s: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """Mask of the items of ``s`` found in ``keep`` (sorted unique arrays)."""
    if not len(keep) or not len(s):
        return np.zeros(len(s), dtype=bool)
    idx = np.minimum(np.searchsorted(keep, s), len(keep) - 1)
    return keep[idx] == s


def _shared_index(sets: list[np.ndarray], max_df: int) -> tuple[list[np.ndarray], _Postings]:
    """Per document, the items that can be shared (found in 2..``max_df``
    documents; more is boilerplate), and their postings item -> documents.
    ``sets``: sorted unique uint64 arrays, one per document.  Transient memory:
    about 30 bytes per item of every document."""
    lens = np.array([len(s) for s in sets], dtype=np.int64)
    total = int(lens.sum())
    if not total:
        return [_EMPTY for _ in sets], _Postings(_EMPTY, np.empty(0, np.int64), np.empty(0, np.int64),
                                                 np.empty(0, np.int32))
    allv = np.concatenate(sets)
    order = np.argsort(allv, kind="stable")  # by value, then document (stable: documents are in order)
    sv = allv[order]
    del allv
    owner = np.repeat(np.arange(len(sets), dtype=np.int32), lens)[order]
    del order
    new = np.empty(total, dtype=bool)
    new[0] = True
    np.not_equal(sv[1:], sv[:-1], out=new[1:])
    starts = np.flatnonzero(new)
    del new
    df = np.diff(np.append(starts, total))
    ok = (df >= 2) & (df <= max_df)
    keep, kdf, kstart = sv[starts[ok]], df[ok], starts[ok]
    del sv, starts, df, ok
    shared = [s[_member(s, keep)] for s in sets]
    return shared, _Postings(keep, kdf, kstart, owner)


def _prefix_join(shared: list[np.ndarray], post: _Postings, sizes: list[int], min_overlap) -> set:
    """Candidate pairs (i, j), i < j: a superset of the pairs whose ``shared``
    sets overlap in at least ``max(1, min_overlap(m))`` items, m = the smaller
    of ``sizes[i]``, ``sizes[j]`` (exact prefix filtering: no false negatives).

    Items are ranked rarest first (then by value).  If two sets share >= o
    items, the first shared item in that ranking lies in the first
    ``len - o + 1`` items of each set; so document x, the smaller of the pair
    by (size, index), only looks up the documents of its rarest
    ``len(x) - o(x) + 1`` items.  Unrelated documents, whose rare items are
    their own, meet nobody; common items, ranked last, produce no candidates."""
    out: set[tuple[int, int]] = set()
    sz = np.array(sizes, dtype=np.int64)
    for i, s in enumerate(shared):
        if not len(s):
            continue
        o = max(1, min_overlap(sizes[i]))
        plen = len(s) - o + 1
        if plen <= 0:
            continue
        idx = np.searchsorted(post.items, s)
        if plen < len(idx):
            idx = idx[np.argpartition(post.rank[idx], plen - 1)[:plen]]
        counts = post.df[idx]
        # the documents of every prefix item: ranges start[k] .. start[k] + df[k] of post.docs
        offs = np.repeat(post.start[idx] - np.concatenate(([0], np.cumsum(counts)[:-1])), counts)
        near = np.unique(post.docs[offs + np.arange(int(counts.sum()))])
        later = near[(sz[near] > sizes[i]) | ((sz[near] == sizes[i]) & (near > i))]
        for j in later.tolist():
            out.add((i, j) if i < j else (j, i))
    return out


def _overlap(a: np.ndarray, b: np.ndarray) -> int:
    """Number of items in both sorted unique arrays."""
    if not len(a) or not len(b):
        return 0
    return int(np.intersect1d(a, b, assume_unique=True).size)


def _copy_candidates(sigs: list[CopySignature], cc: dict, stats: dict | None = None) -> set[tuple[int, int]]:
    """Pairs (i, j), i < j, of near-exact copies, found at any scale.

    Documents with one normalised word sequence (a content hash) are a group:
    each links to the group's first document.  Then documents whose MinHash
    sketches agree on a whole band share a bucket; in each bucket a document is
    compared with at most ``max_leaders`` earlier leaders (first one whose
    Jaccard over all shingles is >= ``jaccard`` wins, else it becomes a leader
    while there is room).  Cost: O(shingles + documents x bands x max_leaders),
    so 10,000 copies of one article cost 10,000 comparisons, not 50 million."""
    out: set[tuple[int, int]] = set()
    first: dict[bytes, int] = {}
    leader_of: list[int] = []
    for i, sg in enumerate(sigs):
        j = first.setdefault(sg.content, i)
        leader_of.append(j)
        if j != i and sg.words:
            out.add((j, i))
    bins, rows = int(cc["bins"]), int(cc["rows"])
    max_leaders, jmin = int(cc["max_leaders"]), float(cc["jaccard"])
    buckets: dict[tuple, list[int]] = {}
    for i, sg in enumerate(sigs):
        if not len(sg.shingles) or leader_of[i] != i:
            continue  # exact copies ride on their group's first document
        sk = sg.sketch
        for b in range(0, bins - rows + 1, rows):
            band = sk[b:b + rows]
            if (band < 0).all():
                continue
            buckets.setdefault((b, band.tobytes()), []).append(i)
    compared = 0
    for members in buckets.values():
        if len(members) < 2:
            continue
        leaders: list[int] = []
        for i in members:
            for j in leaders:
                compared += 1
                inter = _overlap(sigs[i].shingles, sigs[j].shingles)
                union = len(sigs[i].shingles) + len(sigs[j].shingles) - inter
                if union and inter / union >= jmin:
                    out.add((j, i) if j < i else (i, j))
                    break
            else:
                if len(leaders) < max_leaders:
                    leaders.append(i)
    if stats is not None:
        stats["copy_pairs_compared"] = compared
    return out


def find_dependent_docs(documents: dict[str, dict], claims: list[Claim] | None = None,
                        config: dict | None = None, _cfg: dict | None = None,
                        _stats: dict | None = None, _exhaustive: bool = False) -> list[dict]:
    """Pairs of documents judged copies (near-duplicate wording, or a rewrite
    sharing most of its figures and vocabulary); see ``dependence`` in
    ``data/resolve.json``.

    ``documents``: doc_id -> {"text", "published", ...}; each document's
    ``text`` is read once (``documents[d].get("text")``, so a mapping that
    fetches texts from disk on demand works) and reduced to its
    :class:`CopySignature` before the next is read; a document may instead
    carry a ready ``"copy_signature"``.  Returns one dict per pair (doc_ids,
    similarity, method, jaccard, containment, shared_sentences, shared_claims,
    claim_overlap, vocab_containment, group), ordered by the pair's doc_ids.

    Cost is about linear in the number of documents (plus the copy pairs
    found): candidate pairs come from a prefix-filtered inverted index over
    rare items (:func:`_prefix_join`), one per test, with the least overlap the
    test needs -- shingles: min(containment, 2 jaccard / (1 + jaccard)) x the
    smaller document; sentences: shared_sentences; claim signatures:
    max(min_shared_claims, claim_overlap x the smaller).  Only pairs that can
    pass a test are compared, so the decisions are those of comparing every
    pair that shares an item (``_exhaustive=True`` does that, for tests).
    ``_stats["doc_pairs_compared"]`` counts the pairs compared."""
    cfg = _cfg or load_config(config)
    dc = cfg["dependence"]
    n = int(dc["shingle"])
    stop = frozenset(dc["stopwords"])
    max_df = dc["max_df"]
    bins = int((dc.get("copies") or {}).get("bins") or 1)
    ids = sorted(documents)
    docsig: list[CopySignature] = []
    for d in ids:
        meta = documents[d] or {}
        ready = meta.get("copy_signature")
        docsig.append(ready if ready is not None else
                      _signature(meta.get("text") or "", n, int(dc["sentence_words"]), stop, bins))
    shingles = [sg.shingles for sg in docsig]
    sents = [sg.sentences for sg in docsig]
    vocab = [sg.vocab for sg in docsig]
    pos = {d: i for i, d in enumerate(ids)}
    sig_sets: list[set] = [set() for _ in ids]
    for c in claims or []:
        if c.doc_id in pos:
            sig_sets[pos[c.doc_id]].add(_sig(c, cfg))
    sigs = [_hash_set(f"{u}\x1f{v + 0.0!r}" for u, v in s) for s in sig_sets]  # + 0.0: -0.0 is 0.0, as in a set
    del sig_sets

    sh_shared, sh_post = _shared_index(shingles, max_df)
    se_shared, se_post = _shared_index(sents, max_df)
    sig_shared, sig_post = _shared_index(sigs, max_df)

    # the least overlap each test needs (minus one, against float rounding);
    # a test any pair passes (threshold <= 0) makes every pair sharing an item a candidate
    # shingles: containment >= C needs C x m shared; Jaccard >= J needs J x (|a| + |b|) / (1 + J) >= 2J / (1 + J) x m
    near_t = min(dc["containment"], 2 * dc["jaccard"] / (1 + dc["jaccard"])) if dc["jaccard"] > -1 else 0
    trivial = near_t <= 0 or dc["shared_sentences"] <= 0 or (dc["min_shared_claims"] <= 0 and dc["claim_overlap"] <= 0)
    if trivial or _exhaustive:
        def sh_need(m): return 1
        def se_need(m): return 1
        def sig_need(m): return 1
    else:
        def sh_need(m): return math.ceil(near_t * m) - 1
        def se_need(m): return int(math.ceil(dc["shared_sentences"]))
        def sig_need(m): return max(int(math.ceil(dc["min_shared_claims"])), math.ceil(dc["claim_overlap"] * m) - 1)
    pairs = (_prefix_join(sh_shared, sh_post, [len(s) for s in shingles], sh_need)
             | _prefix_join(se_shared, se_post, [len(s) for s in sents], se_need)
             | _prefix_join(sig_shared, sig_post, [len(s) for s in sigs], sig_need))
    del sh_post, se_post, sig_post
    cc = dc.get("copies")
    copies = _copy_candidates(docsig, cc, _stats) if cc else set()
    candidates = sorted(pairs | copies)
    if _stats is not None:
        _stats["doc_pairs_compared"] = len(candidates)

    def published(i):
        b = _date_bounds((documents[ids[i]] or {}).get("published"))
        return b[0] if b else None

    out = []
    for a, b in candidates:
        inter = _overlap(sh_shared[a], sh_shared[b])
        union = len(shingles[a]) + len(shingles[b]) - inter
        small = min(len(shingles[a]), len(shingles[b]))
        jac = inter / union if union else 0.0
        cont = inter / small if small else 0.0
        shared_sent = _overlap(se_shared[a], se_shared[b])
        shared_claims = _overlap(sig_shared[a], sig_shared[b])
        smin = min(len(sigs[a]), len(sigs[b]))
        claim_ov = shared_claims / smin if smin else 0.0
        method = None
        sim = voc = 0.0
        maybe_rewrite = shared_claims >= dc["min_shared_claims"] and claim_ov >= dc["claim_overlap"]
        if maybe_rewrite or jac >= dc["jaccard"] or cont >= dc["containment"] or shared_sent >= dc["shared_sentences"]:
            vmin = min(len(vocab[a]), len(vocab[b]))
            voc = _overlap(vocab[a], vocab[b]) / vmin if vmin else 0.0
        if (a, b) in copies and not (jac >= dc["jaccard"] or cont >= dc["containment"]):
            # a near-exact copy whose shingles are too common for the idf-limited test
            inter = _overlap(shingles[a], shingles[b])
            union = len(shingles[a]) + len(shingles[b]) - inter
            jac = inter / union if union else 1.0
            cont = inter / small if small else 1.0
        if jac >= dc["jaccard"] or cont >= dc["containment"] or shared_sent >= dc["shared_sentences"]:
            method, sim = "near_copy", max(cont, jac)
        elif maybe_rewrite and voc >= dc["vocab_containment"]:
            pa, pb = published(a), published(b)
            if pa is None or pb is None or abs((pa - pb).days) <= dc["max_days_apart"]:
                method, sim = "rewrite", (claim_ov + voc) / 2
        if method:
            out.append({
                "doc_ids": [ids[a], ids[b]],
                "similarity": round(sim, 4),
                "method": method,
                "jaccard": round(jac, 4),
                "containment": round(cont, 4),
                "shared_sentences": shared_sent,
                "shared_claims": shared_claims,
                "claim_overlap": round(claim_ov, 4),
                "vocab_containment": round(voc, 4),
            })
    groups = _uf_groups((p["doc_ids"][0], p["doc_ids"][1]) for p in out)
    where = {d: g for g in groups for d in g}
    for p in out:
        p["group"] = where[p["doc_ids"][0]]
    return out


def copy_groups(dependent_docs: list[dict]) -> list[list[str]]:
    """Groups of documents linked by copy pairs (``find_dependent_docs``)."""
    return _uf_groups((p["doc_ids"][0], p["doc_ids"][1]) for p in dependent_docs)

