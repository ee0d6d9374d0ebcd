"""Copied sources: pairs of documents that are near copies or rewrites of each other."""
from __future__ import annotations

import hashlib
import math
import re
import zlib
from collections import Counter
from itertools import chain
from typing import Any, Iterable

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


def _shared_index(sets: list[set], max_df: int) -> tuple[list[set], dict[Any, list[int]]]:
    """Per document, the items that can be shared (found in 2..``max_df``
    documents; more is boilerplate), and their postings item -> documents."""
    df = Counter(chain.from_iterable(sets))
    keep = {x for x, k in df.items() if 2 <= k <= max_df}
    shared = [s & keep for s in sets]
    postings: dict[Any, list[int]] = {x: [] for x in keep}
    for i, s in enumerate(shared):
        for x in s:
            postings[x].append(i)
    return shared, postings


def _prefix_join(shared: list[set], postings: dict[Any, list[int]], sizes: list[int], min_overlap) -> set:
    """Candidate pairs (i, j), i < j: a superset of the pairs whose ``shared``
    sets overlap in at least ``max(1, min_overlap(m))`` items, m = the smaller
    of ``sizes[i]``, ``sizes[j]`` (exact prefix filtering: no false negatives).

    Items are ranked rarest first (then by value).  If two sets share >= o
    items, the first shared item in that ranking lies in the first
    ``len - o + 1`` items of each set; so document x, the smaller of the pair
    by (size, index), only looks up the documents of its rarest
    ``len(x) - o(x) + 1`` items.  Unrelated documents, whose rare items are
    their own, meet nobody; common items, ranked last, produce no candidates."""
    rank = {x: r for r, x in enumerate(sorted(postings, key=lambda x: (len(postings[x]), x)))}
    out: set[tuple[int, int]] = set()
    for i, s in enumerate(shared):
        if not s:
            continue
        o = max(1, min_overlap(sizes[i]))
        plen = len(s) - o + 1
        if plen <= 0:
            continue
        prefix = sorted(s, key=rank.__getitem__)[:plen]
        near = set().union(*(postings[x] for x in prefix))
        me = (sizes[i], i)
        for j in near:
            if (sizes[j], j) > me:
                out.add((i, j) if i < j else (j, i))
    return out


def _sketch(shingles: set, bins: int) -> tuple:
    """One-permutation MinHash: ``bins`` slots, slot = crc32 % bins, value =
    the least crc32 falling in that slot (None for an empty slot).
    Deterministic across processes (no salted ``hash``)."""
    slots: list = [None] * bins
    for x in shingles:
        h = zlib.crc32(x.encode("utf-8"))
        k = h % bins
        v = slots[k]
        if v is None or h < v:
            slots[k] = h
    return tuple(slots)


def _copy_candidates(words: list[list[str]], shingles: list[set], cc: dict,
                     stats: dict | None = None) -> set[tuple[int, int]]:
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
    for i, w in enumerate(words):
        key = hashlib.blake2b(" ".join(w).encode("utf-8"), digest_size=16).digest()
        j = first.setdefault(key, i)
        leader_of.append(j)
        if j != i and w:
            out.add((j, i))
    bins, rows = int(cc["bins"]), int(cc["rows"])
    max_leaders, jmin = int(cc["max_leaders"]), float(cc["jaccard"])
    buckets: dict[tuple, list[int]] = {}
    for i, s in enumerate(shingles):
        if not s or leader_of[i] != i:
            continue  # exact copies ride on their group's first document
        sk = _sketch(s, bins)
        for b in range(0, bins - rows + 1, rows):
            band = sk[b:b + rows]
            if all(v is None for v in band):
                continue
            buckets.setdefault((b, band), []).append(i)
    compared = 0
    for members in buckets.values():
        if len(members) < 2:
            continue
        leaders: list[int] = []
        for i in members:
            for j in leaders:
                compared += 1
                inter = len(shingles[i] & shingles[j])
                union = len(shingles[i]) + len(shingles[j]) - inter
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
    stop = set(dc["stopwords"])
    max_df = dc["max_df"]
    ids = sorted(documents)
    shingles: list[set] = []
    sents: list[set] = []
    vocab: list[set] = []
    all_words: list[list[str]] = []
    for d in ids:
        text = (documents[d] or {}).get("text") or ""
        w, ss = _words_and_sentences(text, int(dc["sentence_words"]))
        all_words.append(w)
        shingles.append({" ".join(w[i:i + n]) for i in range(len(w) - n + 1)})
        sents.append(ss)
        vocab.append({x for x in set(w) - stop if len(x) > 2 and not x.isdigit()})
    pos = {d: i for i, d in enumerate(ids)}
    sigs: list[set] = [set() for _ in ids]
    for c in claims or []:
        if c.doc_id in pos:
            sigs[pos[c.doc_id]].add(_sig(c, cfg))

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
    cc = dc.get("copies")
    copies = _copy_candidates(all_words, shingles, cc, _stats) if cc else set()
    candidates = sorted(pairs | copies)
    if _stats is not None:
        _stats["doc_pairs_compared"] = len(candidates)

    def published(i):
        b = _date_bounds((documents[ids[i]] or {}).get("published"))
        return b[0] if b else None

    out = []
    for a, b in candidates:
        inter = len(sh_shared[a] & sh_shared[b])
        union = len(shingles[a]) + len(shingles[b]) - inter
        small = min(len(shingles[a]), len(shingles[b]))
        jac = inter / union if union else 0.0
        cont = inter / small if small else 0.0
        shared_sent = len(se_shared[a] & se_shared[b])
        shared_claims = len(sig_shared[a] & sig_shared[b])
        smin = min(len(sigs[a]), len(sigs[b]))
        claim_ov = shared_claims / smin if smin else 0.0
        method = None
        sim = voc = 0.0
        maybe_rewrite = shared_claims >= dc["min_shared_claims"] and claim_ov >= dc["claim_overlap"]
        if maybe_rewrite or jac >= dc["jaccard"] or cont >= dc["containment"] or shared_sent >= dc["shared_sentences"]:
            vmin = min(len(vocab[a]), len(vocab[b]))
            voc = len(vocab[a] & vocab[b]) / vmin if vmin else 0.0
        if (a, b) in copies and not (jac >= dc["jaccard"] or cont >= dc["containment"]):
            # a near-exact copy whose shingles are too common for the idf-limited test
            inter = len(shingles[a] & shingles[b])
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

