"""Claims -> facts and conflicts.

``resolve(claims, documents, decisions, config)`` groups the claims that state
the same fact, decides whether their figures agree, finds copied sources and
applies reviewers' decisions.  Everything is deterministic: the same input
gives the same facts, ids and order.

Grouping
    Block key (one dict lookup per claim, so cost is about linear in the number
    of claims): canonical subject, canonical object, canonical metric (aliases
    in ``data/resolve.json``), dimension (kind group -- money, count of a given
    counted noun, power, percentage, ... -- plus the rate, "$20 a month" is not
    "$20").  A claim without a subject or metric never leaves its own article:
    it can merge with repeats there but is never compared across articles.
    Inside a block claims are split by period, then by comparable unit, then
    grouped by value.

Periods (config ``period``)
    A claim's period is ``claim.time``; without one (or without dates) it is the
    article's publication date, marked ``source="published"``.  Publication
    fallbacks are coarsened to ``fallback_granularity`` (month).  Two explicit
    periods are the same when their overlap covers >= ``min_overlap`` of the
    longer one: 2024 vs 2024 is one fact, 2024 vs Q3 2024 or 2023 vs 2024 are a
    timeline (separate facts, never a conflict).  A fallback joins an explicit
    period covering >= ``min_overlap`` of it (an Oct-2024 article's undated
    figure joins "this year" = 2024); two fallbacks are the same when they
    overlap by >= ``min_overlap`` of the shorter.  Undated claims match only
    undated claims.

Units
    Claims compare in one unit per fact.  A claim can be expressed in its own
    unit and in the units of the equivalents stated next to it ("$10.5bn
    (£8.9bn)"); exchange rates are never invented, so USD and GBP claims with
    no stated equivalent linking them are separate facts, not a conflict.

Tolerance (config ``tolerance``, ``bounds``)
    Every claim becomes an interval in the fact's unit; claims agree when their
    intervals intersect.
    * exact: +/- half a step of the last digit written in the surface
      ("$40 billion" -> [39.5bn, 40.5bn), "$10.5bn" -> [10.45bn, 10.55bn));
    * approximate (about/around/roughly, ...): widened to +/- ``approximate``
      (10%) or the qualifier's own value; "nearly"/"almost" widen downwards
      only, "just over" upwards only;
    * bounds: lower "over $5bn" = (5bn, inf), "at least" = [5bn, inf); upper
      "up to $5bn" = [0, 5bn], "under" = [0, 5bn) (floor -inf for kinds that can
      be negative);
    * ranges and vague magnitudes: [min, max] (ranges widened by rounding).

Value groups and conflicts
    Within one article, repeats whose intervals intersect merge into one
    statement.  Statements are grouped by interval intersection (1-D stabbing,
    so every group has a common value).  Bounds and vague magnitudes join the
    first group they fit; a vague magnitude that fits none stands as a separate
    fact and never creates a conflict.  A conflict needs two groups whose
    article sets are not nested: values that differ only inside one article
    (a price and the cash part of it) become separate facts instead.
"""
from __future__ import annotations

import time as _time
from dataclasses import asdict, dataclass, field
from typing import Any, Iterable, NamedTuple

from pipeline.records import Claim, Conflict, Fact

from .config import CONFIG_PATH, load_config
from .intervals import (INF, TYPE_RANK, Interval, approx_tolerance, claim_interval, claim_interval_in, claim_type,
                        claim_units, intervals_agree, norm_unit, rounding_half_step, value_in)
from .periods import Period, claim_period, same_period
from .blocking import (_P, attach_doc_names, _claim_sort_key, _prepare, block_key, candidate_pairs, counted_head, entity_keys,
                       partition_keys, partition_plan, sentence_names)
from .display import CURRENCY_SYMBOLS, display_claim, format_value
from .copies import copy_groups, find_dependent_docs
from .clustering import (_Ctx, _build, _fact_sort_key, _hash, _unit_components, cluster_period, conflict_id_for,
                         fact_id_for, link_clusters)
from .comparison import Link, _ratio, compare, known_metrics, name_idf, spec_metrics, value_idf, word_idf
from .decisions import NO_CONFLICT, apply_decisions


@dataclass
class Resolution:
    """What :func:`resolve` returns: ``facts`` and ``conflicts``; ``dependent_docs``, the document pairs
    judged copies; ``stale_decisions``, reviewers' decisions that no longer match (each with its ``reason``);
    ``timings``, seconds per stage; ``stats``, counters (blocks, comparisons, ...); ``series``, the
    timelines."""

    facts: list[Fact]
    conflicts: list[Conflict]
    dependent_docs: list[dict]  # pairs judged copies, with similarity scores
    stale_decisions: list[dict]
    timings: dict[str, float]
    stats: dict[str, int] = field(default_factory=dict)
    # timelines: [{series, facts: [fact_id, in time order], label}] (see :func:`series_list`)
    series: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The resolution as nested dicts and lists (``dataclasses.asdict``)."""
        return asdict(self)


class PartitionResult(NamedTuple):
    """What :func:`resolve_partition` returns (a tuple: picklable, unpackable)."""
    facts: list[Fact]
    conflicts: list[Conflict]
    decisions: dict[int, str | None]  # index in decisions -> None (applied) or why stale; only those judged here
    stats: dict[str, int]  # blocks, largest_block, comparisons
    timings: dict[str, float]  # blocking, grouping, decisions


def resolve_partition(claims: list[Claim], documents: dict[str, dict], decisions: list[dict] | None,
                      cfg: dict, dependent_groups: list[list[str]],
                      pairs: list[tuple[str, str]] | None = None) -> PartitionResult:
    """Resolve ``claims`` that form whole :func:`block_key` groups (any union
    of them; all claims sharing a key must be in the same call).

    ``documents`` needs only the claims' documents, and only their metadata
    (published, path, outlet, url; ``text`` is not read).  ``cfg`` is
    ``load_config(config)``; ``dependent_groups`` is
    ``copy_groups(find_dependent_docs(all documents, all claims))``, computed
    once over the whole corpus.  ``pairs``: the candidate pairs (claim ids) of
    these claims from corpus-wide blocking (:func:`partition_plan`); None:
    blocking runs on ``claims`` alone.  Facts come back unsorted; decisions
    are applied to the conflicts found here."""
    timings: dict[str, float] = {}
    ctx = _Ctx(cfg, documents)
    lc = cfg["linking"]
    t = _time.perf_counter()
    ordered = sorted(claims, key=_claim_sort_key)
    ps = [_prepare(c, i, documents, cfg) for i, c in enumerate(ordered)]
    attach_doc_names(ps, documents, cfg)
    if "_idf" not in cfg:  # a direct call: names and words weighed over these claims only
        cfg = {**cfg, "_idf": name_idf(ps), "_widf": word_idf(ps), "_vidf": value_idf(ps)}
    bstats: dict[str, int] = {}
    if pairs is None:
        index_pairs = candidate_pairs(ps, cfg, bstats)
    else:  # corpus-wide blocking's pairs, in the same (sorted) order
        at = {p.claim.claim_id: p.order for p in ps}
        index_pairs = sorted((min(at[a], at[b]), max(at[a], at[b])) for a, b in pairs)
    timings["blocking"] = _time.perf_counter() - t

    t = _time.perf_counter()
    cache: dict = {}
    known = known_metrics(cfg)
    links = []
    for i, j in index_pairs:  # only same-fact, series and strong links are used below: the rest are counted, not kept
        ln = compare(ps[i], ps[j], cfg, cache, known)
        if ln.same_fact or ln.series or ln.strong:
            links.append(ln)
    n_compared = len(index_pairs)
    del index_pairs
    strong = {(ln.a, ln.b): ln for ln in links if ln.strong}
    timings["comparison"] = _time.perf_counter() - t

    t = _time.perf_counter()
    clusters = link_clusters(ps, links, cfg, cache)
    cluster_of = {p.order: k for k, cl in enumerate(clusters) for p in cl.members}
    group_of = {d: i for i, g in enumerate(dependent_groups) for d in g}
    weights = {"weights": lc["weights"], "thresholds": lc["thresholds"]}
    max_rec = int(lc["max_links_recorded"])

    def gate(groups) -> tuple[dict, list[int]] | None:
        """Evidence for a conflict: a strong pair across two value groups, from independent
        sources published close together (module docstring of comparison).  Of several, the
        pair with the closest values (then the highest topic) is the evidence and its two groups
        compete; another group joins only if pairs naming the same metric join it to every
        competing group.  The publication-gap rule (an update) does not apply to two claims about
        one stated period that ended before both were published (past results).  Returns (evidence, [group
        indices]) or None."""
        gap = lc["update_gap_days"]
        specs = spec_metrics()
        best = None
        edges: dict[int, set[int]] = {}
        for gi in range(len(groups)):
            for gj in range(gi + 1, len(groups)):
                for x in groups[gi].claims():
                    for y in groups[gj].claims():
                        ln = strong.get((min(x.order, y.order), max(x.order, y.order)))
                        if ln is None:
                            continue
                        dx, dy = x.claim.doc_id, y.claim.doc_id
                        if dx == dy or (dx in group_of and group_of.get(dy) == group_of[dx]):
                            continue
                        past = (x.explicit is not None and y.explicit is not None and x.published
                                and y.published and max(x.explicit.end, y.explicit.end)
                                < min(x.published, y.published))
                        if not past and x.published and y.published \
                                and abs((x.published - y.published).days) > gap:
                            continue  # a later report revises an estimate: an update
                        if x.claim.metric in specs and y.claim.metric in specs and not (
                                x.published or y.published or x.explicit is not None or y.explicit is not None):
                            # two undated specs ("0.98 inches thin" vs "0.71 inches") may describe two
                            # generations or models of a product: their periods are not known to overlap
                            continue
                        if ln.signals.get("metric") == 1:
                            edges.setdefault(gi, set()).add(gj)
                            edges.setdefault(gj, set()).add(gi)
                        rank = (_ratio(x, y, cfg), -ln.topic, x.order, y.order)
                        if best is None or rank < best[0]:
                            best = (rank, ln, x, y, gi, gj)
        if best is None:
            return None
        _, ln, x, y, gi, gj = best
        # more than two groups compete only through evidence naming the same metric that joins
        # each to every group already competing (complete linkage: no chain $1,799 ~ $2,199 ~
        # $2,799 of three different products)
        members = {gi, gj}
        for g in sorted(set(edges.get(gi, ())) - members, key=lambda g: (-len(edges[g]), g)):
            if all(m in edges[g] for m in members):
                members.add(g)
        return ({"rule": "same fact (topic >= conflict threshold), incompatible values, independent sources "
                         "published close together; the evidence is the closest pair of figures",
                 "evidence": ln.record(x.claim.claim_id, y.claim.claim_id), **weights}, sorted(members))

    def why_for(cl):
        def why(orders: list[int]) -> dict:
            mine = set(orders)
            recs = [ln.record(ps[ln.a].claim.claim_id, ps[ln.b].claim.claim_id)
                    for ln in cl.links if ln.a in mine and ln.b in mine]
            return {"rule": "linked: time compatible, not cannot-linked, and topic >= link threshold or "
                            "agreeing values with topic >= agree threshold",
                    "links": recs[:max_rec], "links_total": len(recs), **weights}
        return why

    facts: list[Fact] = []
    conflicts: list[Conflict] = []
    fact_cluster: dict[str, int] = {}
    for k, cl in enumerate(clusters):
        period = cluster_period(cl.members)
        cid = "c_" + _hash(min(p.claim.claim_id for p in cl.members))
        for unit, comp in _unit_components(cl.members):
            extra = {"cluster": cid}
            if len(cl.members) == 1 and cl.members[0].doc_scope:
                extra["doc_id"] = cl.members[0].doc_scope
            fs, cs = _build(comp, period, unit, ctx, dependent_groups, gate=gate, extra_key=extra,
                            why=why_for(cl))
            facts.extend(fs)
            conflicts.extend(cs)
            for f in fs:
                fact_cluster[f.fact_id] = k
    ctx.comparisons += n_compared
    _assign_series(facts, clusters, links, cluster_of, fact_cluster, ps)
    timings["grouping"] = _time.perf_counter() - t

    t = _time.perf_counter()
    judged = apply_decisions(facts, conflicts, decisions or [])
    timings["decisions"] = _time.perf_counter() - t
    stats = {"blocks": bstats.get("blocks", 0), "largest_block": bstats.get("largest_block", 0),
             "comparisons": ctx.comparisons}
    return PartitionResult(facts, conflicts, judged, stats, timings)


def timeline_order_key(start: str | None, end: str | None, published: Iterable[str], fact_id: str) -> tuple:
    """Where a fact stands in its timeline: by the stated period's start (else its earliest
    publication date), then the period's end, then the earliest publication date, then the fact
    id. ISO strings of any precision compare correctly ('2024-03-05' < '2024-03-20'), so two
    periods in one month keep their order. The report orders timelines with this key too."""
    pubs = sorted(p for p in published if p)
    first = pubs[0] if pubs else ""
    return (start or first, end or start or first, first, fact_id)


def _assign_series(facts: list[Fact], clusters, links, cluster_of: dict[int, int], fact_cluster: dict[str, int],
                   ps: list[_P]) -> None:
    """Facts of one cluster, and of clusters joined by a series link (the same thing at another
    time), form a series; ``series`` = 's_' + hash of its first claim id, ``updates`` = the
    previous fact (by period start, then earliest publication, then fact id).  Facts alone in
    their series get none."""
    parent = list(range(len(clusters)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for ln in sorted((ln for ln in links if ln.series), key=lambda ln: (ln.a, ln.b)):
        ra, rb = find(cluster_of[ln.a]), find(cluster_of[ln.b])
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    by_series: dict[int, list[Fact]] = {}
    for f in facts:
        by_series.setdefault(find(fact_cluster[f.fact_id]), []).append(f)

    def when(f: Fact) -> tuple:
        return timeline_order_key(f.time.start if f.time is not None and f.time.source == "text" else None,
                                  f.time.end if f.time is not None and f.time.source == "text" else None,
                                  [str(r.get("published") or "") for r in f.provenance], f.fact_id)

    # a fact made only of stated conversions ("(US$260m)") is the outlets' arithmetic on another
    # fact's figure, not a step in time: it takes no part in a timeline
    conversions = {p.claim.claim_id for p in ps if p.claim.equivalent_of is not None}
    for fs in by_series.values():
        fs = [f for f in fs if not set(f.claim_ids) <= conversions]
        if len(fs) < 2:
            continue
        sid = "s_" + _hash(min(cid for f in fs for cid in f.claim_ids))
        prev = None
        for f in sorted(fs, key=when):
            f.series = sid
            f.updates = prev.fact_id if prev is not None else None
            prev = f


def series_list(facts: list[Fact]) -> list[dict]:
    """Timelines: [{series, facts: [fact_id in time order], label}] for every series of >= 2 facts,
    ordered by series id.  ``label`` reads 'SUBJECT METRIC: $29bn (2023-01) -> $80bn (2023-10)'."""
    by: dict[str, list[Fact]] = {}
    for f in facts:
        if f.series:
            by.setdefault(f.series, []).append(f)
    out = []
    for sid in sorted(by):
        fs = by[sid]
        order = []
        cur = next((f for f in sorted(fs, key=lambda f: f.fact_id) if f.updates is None or
                    f.updates not in {g.fact_id for g in fs}), fs[0])
        seen = set()
        nxt = {f.updates: f for f in fs if f.updates}
        while cur is not None and cur.fact_id not in seen:
            order.append(cur)
            seen.add(cur.fact_id)
            cur = nxt.get(cur.fact_id)
        order += [f for f in sorted(fs, key=lambda f: f.fact_id) if f.fact_id not in seen]

        def when(f: Fact, digits: int) -> str:
            """The step's date to ``digits`` characters of ISO (7: month, 10: day): the stated
            period's start, else the earliest publication date of its sources."""
            if f.time is not None and f.time.start and f.time.source == "text":
                return f.time.start[:digits]
            pubs = sorted(str(r.get("published") or "") for r in f.provenance if r.get("published"))
            start = pubs[0] if pubs else (f.time.start if f.time is not None and f.time.start else "")
            return f"published {start[:digits]}" if start else ""

        # months first; steps that would read alike ("2024-03" twice) are told apart by the day
        whens = [when(f, 7) for f in order]
        whens = [when(f, 10) if w and whens.count(w) > 1 else w for f, w in zip(order, whens)]

        def step(f: Fact, w: str) -> str:
            v = "conflict" if f.value is None else format_value(f.value, f.unit)
            return f"{v} ({w})" if w else v

        who = " ".join(x for x in ((order[0].subject.canonical if order[0].subject else ""), order[0].metric) if x)
        out.append({"series": sid, "facts": [f.fact_id for f in order],
                    "label": (who + ": " if who else "") + " -> ".join(step(f, w) for f, w in zip(order, whens))})
    return out


def merge_partitions(parts: Iterable[PartitionResult], decisions: list[dict] | None = None
                     ) -> tuple[list[Fact], list[Conflict], list[dict], dict[str, int], dict[str, float]]:
    """Concatenate partition results in the one deterministic order
    (facts by key, conflicts by their fact); list the stale decisions in input
    order.  Returns (facts, conflicts, stale_decisions, stats, timings summed
    over partitions)."""
    facts: list[Fact] = []
    conflicts: list[Conflict] = []
    judged: dict[int, str | None] = {}
    stats = {"blocks": 0, "largest_block": 0, "comparisons": 0, "partitions": 0}
    timings: dict[str, float] = {}
    for part in parts:
        facts.extend(part.facts)
        conflicts.extend(part.conflicts)
        judged.update(part.decisions)
        stats["partitions"] += 1
        stats["blocks"] += part.stats["blocks"]
        stats["comparisons"] += part.stats["comparisons"]
        stats["largest_block"] = max(stats["largest_block"], part.stats["largest_block"])
        for k, v in part.timings.items():
            timings[k] = timings.get(k, 0.0) + v
    facts.sort(key=_fact_sort_key)
    pos = {f.fact_id: i for i, f in enumerate(facts)}
    conflicts.sort(key=lambda c: (pos[c.fact_id], c.conflict_id))
    stale = []
    for i, d in enumerate(decisions or []):
        reason = judged.get(i, NO_CONFLICT)
        if reason is not None:
            stale.append({**d, "reason": reason})
    return facts, conflicts, stale, stats, timings


def with_corpus_stats(cfg: dict, claims: list[Claim], documents: dict[str, dict]) -> tuple[dict, dict]:
    """What linking weighs over the whole corpus, so that every partition weighs alike:
    (``cfg`` plus ``_idf``: name -> idf, ``_widf``: sentence word -> idf, ``_vidf``: figure -> idf, see
    :func:`pipeline.resolve.comparison.name_idf`;
    ``documents`` with ``_names``: each article's main names, see :func:`attach_doc_names`)."""
    ordered = sorted(claims, key=_claim_sort_key)
    ps = [_prepare(c, i, documents, cfg) for i, c in enumerate(ordered)]
    attach_doc_names(ps, documents, cfg)
    docs = {d: dict(meta or {}) for d, meta in documents.items()}
    for p in ps:
        docs.setdefault(p.claim.doc_id, {})["_names"] = p.doc_ents
    return {**cfg, "_idf": name_idf(ps), "_widf": word_idf(ps), "_vidf": value_idf(ps)}, docs


def partition_by_block(claims: list[Claim], documents: dict[str, dict], cfg: dict, npartitions: int,
                       stats: dict | None = None) -> list[tuple[list[Claim], list[tuple[str, str]]]]:
    """Group-by on :func:`partition_plan`'s keys (claims that can be compared stay together),
    whole groups packed into at most ``npartitions`` non-empty partitions (largest group first
    onto the lightest partition; deterministic).  Returns (claims, their candidate pairs as claim
    ids) per partition; ``stats`` receives blocking's counts."""
    keys, pairs = partition_plan(claims, documents, cfg, stats)
    by_key: dict[str, list[Claim]] = {}
    for c in claims:
        by_key.setdefault(keys[c.claim_id], []).append(c)
    npartitions = max(1, min(npartitions, len(by_key)))
    parts: list[list[Claim]] = [[] for _ in range(npartitions)]
    for k in sorted(by_key, key=lambda k: (-len(by_key[k]), k)):
        min(parts, key=len).extend(by_key[k])
    part_of = {c.claim_id: n for n, part in enumerate(parts) for c in part}
    part_pairs: list[list[tuple[str, str]]] = [[] for _ in parts]
    for a, b in pairs:  # a pair never crosses two key groups
        part_pairs[part_of[a]].append((a, b))
    return [(p, pp) for p, pp in zip(parts, part_pairs) if p]


def _partition_task(args: tuple) -> PartitionResult:
    """``resolve_partition(*args)``: one argument, for any ``map``."""
    return resolve_partition(*args)


def resolve(claims: list[Claim], documents: dict[str, dict], decisions: list[dict] | None = None,
            config: dict | None = None, map=map, npartitions: int = 1) -> Resolution:
    """Group ``claims`` into facts, find conflicts and copied sources, apply
    ``decisions`` (see :mod:`pipeline.decisions`).

    ``documents``: doc_id -> metadata (published, path, outlet, url, title;
    ``text`` is read once, by copy detection).  The steps: copies over the
    whole corpus (:func:`find_dependent_docs`, in this process), corpus-wide
    weights (:func:`with_corpus_stats`), the claims cut into at most
    ``npartitions`` groups of whole blocks (:func:`partition_by_block`), each
    resolved by :func:`resolve_partition` through ``map`` (the built-in map, a
    process pool or a Dask client: see :mod:`pipeline.engine`), then
    :func:`merge_partitions`.  The result does not depend on ``map`` or
    ``npartitions``."""
    t0 = _time.perf_counter()
    cfg = load_config(config)
    documents = documents or {}
    stats: dict[str, int] = {}

    t = _time.perf_counter()
    dependent = find_dependent_docs(documents, claims, _cfg=cfg, _stats=stats)
    dep_groups = copy_groups(dependent)
    t_dep = _time.perf_counter() - t

    cfg, docs = with_corpus_stats(cfg, claims, documents)
    if npartitions <= 1:
        tasks = [(claims, docs, decisions, cfg, dep_groups)]
    else:
        group_of = {d: g for g in dep_groups for d in g}
        tasks = []
        bstats: dict[str, int] = {}
        for part, pairs in partition_by_block(claims, docs, cfg, npartitions, bstats):
            doc_ids = {c.doc_id for c in part}
            pdocs = {d: {k: v for k, v in docs[d].items() if k != "text"} for d in sorted(doc_ids) if d in docs}
            groups = [list(g) for g in sorted({tuple(group_of[d]) for d in doc_ids if d in group_of})]
            tasks.append((part, pdocs, decisions, cfg, groups, pairs))
    facts, conflicts, stale, pstats, ptimes = merge_partitions(map(_partition_task, tasks), decisions)
    timings = {"dependence": t_dep, **ptimes, "total": _time.perf_counter() - t0}
    if npartitions > 1:  # blocking ran once, corpus-wide
        pstats["blocks"], pstats["largest_block"] = bstats.get("blocks", 0), bstats.get("largest_block", 0)
    stats.update({
        "claims": len(claims),
        "blocks": pstats["blocks"],
        "largest_block": pstats["largest_block"],
        "comparisons": pstats["comparisons"],
        "facts": len(facts),
        "conflicts": len(conflicts),
    })
    if npartitions > 1:
        stats["partitions"] = pstats["partitions"]
    return Resolution(facts=facts, conflicts=conflicts, dependent_docs=dependent,
                      stale_decisions=stale, timings=timings, stats=stats, series=series_list(facts))



__all__ = ["Link", "compare", "candidate_pairs", "entity_keys", "partition_keys", "partition_plan", "sentence_names", "series_list", "with_corpus_stats",
           "CONFIG_PATH", "CURRENCY_SYMBOLS", "INF", "Interval", "NO_CONFLICT", "PartitionResult", "Period", "Resolution",
           "TYPE_RANK", "approx_tolerance", "block_key", "claim_interval", "claim_interval_in", "claim_period",
           "claim_type", "claim_units", "conflict_id_for", "copy_groups", "counted_head", "display_claim",
           "fact_id_for", "find_dependent_docs", "format_value", "intervals_agree", "load_config",
           "merge_partitions", "norm_unit", "partition_by_block", "resolve", "resolve_partition", "rounding_half_step", "same_period",
           "value_in"]
