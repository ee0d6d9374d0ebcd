"""Clustering: statements, value groups, conflicts and the Fact/Conflict records."""
from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from typing import Any, Iterable

from pipeline.records import Conflict, EntityRef, Fact

from .intervals import INF, Interval, TYPE_RANK, claim_interval_in, value_in
from .periods import Period, same_period
from .blocking import _P
from .display import _reason, _severity, display_claim


@dataclass
class _Stmt:
    rep: _P
    members: list[_P]
    iv: Interval
    ctype: str

    @property
    def doc_id(self) -> str:
        return self.rep.claim.doc_id


@dataclass
class _Group:
    stmts: list[_Stmt]
    common: Interval

    def claims(self) -> list[_P]:
        return sorted((m for s in self.stmts for m in s.members), key=lambda p: p.order)

    def rep(self) -> _Stmt:
        return min(self.stmts, key=_stmt_rank)


def _rank(p: _P, iv: Interval) -> tuple:
    w = iv.width
    rel = w / abs(p.claim.value) if p.claim.value and math.isfinite(w) else (w if math.isfinite(w) else INF)
    return (TYPE_RANK[p.ctype], rel, p.order)


def _stmt_rank(s: _Stmt) -> tuple:
    return (TYPE_RANK[s.ctype], s.rep.order)


class _Ctx:
    def __init__(self, cfg: dict, documents: dict):
        self.cfg = cfg
        self.documents = documents
        self.comparisons = 0
        self.ivs: dict[tuple[int, str], Interval | None] = {}

    def iv(self, p: _P, unit: str) -> Interval:
        k = (p.order, unit)
        if k not in self.ivs:
            self.ivs[k] = claim_interval_in(p.claim, unit, self.cfg)
        return self.ivs[k]

    def meet(self, a: Interval, b: Interval) -> Interval | None:
        self.comparisons += 1
        return a.intersect(b)


def _stab(items: list, ivf, ctx: _Ctx) -> list[tuple[list, Interval]]:
    """Greedy 1-D stabbing: sort by right end, start a new group when an item
    misses the current group's common interval.  Every group's members share a
    common value; the number of groups is minimal."""
    def key(it):
        iv = ivf(it)
        return (iv.hi, not iv.hi_open, iv.lo, _order(it))
    groups: list[tuple[list, Interval]] = []
    for it in sorted(items, key=key):
        iv = ivf(it)
        if groups:
            common = ctx.meet(groups[-1][1], iv)
            if common is not None:
                groups[-1][0].append(it)
                groups[-1] = (groups[-1][0], common)
                continue
        groups.append(([it], iv))
    return groups


def _order(it) -> int:
    return it.rep.order if isinstance(it, _Stmt) else it.order


def _statements(members: list[_P], unit: str, ctx: _Ctx) -> list[_Stmt]:
    """Merge repeats of one figure within each article."""
    by_doc: dict[str, list[_P]] = {}
    for p in members:
        by_doc.setdefault(p.claim.doc_id, []).append(p)
    from .comparison import stated_numbers_meet
    out: list[_Stmt] = []
    for doc in sorted(by_doc):
        # a bound or vague magnitude repeats a figure only when it states the same number
        # ('up to $5bn' ~ 'as much as $5bn'); 'over 22%' is not a repeat of '42%'
        specific = [p for p in by_doc[doc] if p.ctype not in ("bound", "vague")]
        loose = [p for p in by_doc[doc] if p.ctype in ("bound", "vague")]
        mine: list[_Stmt] = []
        for ps, common in _stab(specific, lambda p: ctx.iv(p, unit), ctx):
            rep = min(ps, key=lambda p: _rank(p, ctx.iv(p, unit)))
            mine.append(_Stmt(rep, sorted(ps, key=lambda p: p.order), common, rep.ctype))
        rest = []
        for p in loose:
            st = next((st for st in mine if stated_numbers_meet(p, st.rep, ctx.cfg)
                       and ctx.meet(st.iv, ctx.iv(p, unit)) is not None), None)
            if st is None:
                rest.append(p)
                continue
            st.iv = st.iv.intersect(ctx.iv(p, unit))
            st.members = sorted(st.members + [p], key=lambda q: q.order)
        for ps, common in _stab(rest, lambda p: ctx.iv(p, unit), ctx):
            rep = min(ps, key=lambda p: _rank(p, ctx.iv(p, unit)))
            mine.append(_Stmt(rep, sorted(ps, key=lambda p: p.order), common, rep.ctype))
        out.extend(mine)
    return sorted(out, key=lambda s: s.rep.order)


def _value_groups(stmts: list[_Stmt], ctx: _Ctx) -> tuple[list[_Group], list[_Group]]:
    """(groups that can compete, vague-only groups)."""
    vague_conflicts = ctx.cfg["grouping"]["vague_conflicts"]
    anchor_types = {"exact", "approximate", "range"} | ({"vague"} if vague_conflicts else set())
    anchors = [s for s in stmts if s.ctype in anchor_types]
    bounds = [s for s in stmts if s.ctype == "bound"]
    vagues = [s for s in stmts if s.ctype == "vague" and not vague_conflicts]

    groups = [_Group(list(ss), iv) for ss, iv in _stab(anchors, lambda s: s.iv, ctx)]

    def attach(items: list[_Stmt]) -> list[_Stmt]:
        """Each bound / vague statement joins a group it fits, preferring one that states its
        number ('over 22%' joins 22%, not 42%), else the first."""
        from .comparison import stated_numbers_meet
        left = []
        for s in items:
            fits = [(g, c) for g in groups for c in [ctx.meet(g.common, s.iv)] if c is not None]
            if not fits:
                left.append(s)
                continue
            g, common = next(((g, c) for g, c in fits
                              if any(stated_numbers_meet(s.rep, t.rep, ctx.cfg) for t in g.stmts)), fits[0])
            g.stmts.append(s)
            g.common = common
        return left

    left_bounds = attach(bounds)
    groups += [_Group(list(ss), iv) for ss, iv in _stab(left_bounds, lambda s: s.iv, ctx)]
    left_vague = attach(vagues)
    vague_groups = [_Group(list(ss), iv) for ss, iv in _stab(left_vague, lambda s: s.iv, ctx)]
    return groups, vague_groups


def _is_conflict(groups: list[_Group], cfg: dict) -> bool:
    if len(groups) < 2:
        return False
    inc_vague = cfg["grouping"]["vague_conflicts"]
    # a stated conversion ("(100 million pounds)") is the outlet's arithmetic, not a source's
    # figure: it joins its fact, but only statements with a figure of their own can conflict
    # (the figure it converts is compared through its equivalents already)
    docsets = [{s.doc_id for s in g.stmts if (inc_vague or s.ctype != "vague")
                and any(m.claim.equivalent_of is None for m in s.members)} for g in groups]
    if cfg["grouping"]["same_doc_conflicts"]:
        return len(set().union(*docsets)) >= 1
    for i in range(len(docsets)):
        for j in range(i + 1, len(docsets)):
            a, b = docsets[i], docsets[j]
            if a and b and not (a <= b or b <= a):
                return True
    return False


def _sources(doc_ids: Iterable[str], groups: list[list[str]], documents: dict) -> dict[str, Any]:
    docs = sorted(set(doc_ids))
    present = set(docs)
    dep_groups = []
    drop = set()
    for g in groups:
        inter = [d for d in g if d in present]
        if len(inter) >= 2:
            dep_groups.append(inter)
            keep = min(inter, key=lambda d: ((documents.get(d) or {}).get("published") or "9999", d))
            drop.update(d for d in inter if d != keep)
    independent = [d for d in docs if d not in drop]
    return {
        "doc_ids": docs,
        "independent": independent,
        "dependent_groups": dep_groups,
        "n_docs": len(docs),
        "n_independent": len(independent),
    }


def _hash(s: str, n: int = 16) -> str:
    return hashlib.sha256(s.encode("utf-8")).hexdigest()[:n]


def fact_id_for(key: dict) -> str:
    """``"f_"`` + 16 hex digits of the SHA-256 of the fact's key (JSON, sorted keys): the same fact gets the
    same id in every run."""
    return "f_" + _hash(json.dumps(key, sort_keys=True, ensure_ascii=False))


def conflict_id_for(fact_id: str, claim_ids: Iterable[str]) -> str:
    """``"x_"`` + 16 hex digits of the SHA-256 of the fact id and the sorted claim ids."""
    return "x_" + _hash(fact_id + "|" + ",".join(sorted(claim_ids)))


def _copy_ref(e: EntityRef | None) -> EntityRef | None:
    return None if e is None else EntityRef(e.text, e.canonical, e.label)


def _finite(x: float) -> float | None:
    return x if x is not None and math.isfinite(x) else None


def _provenance(p: _P, unit: str, group: int | None, merged_into: str | None, ctx: _Ctx) -> dict:
    c = p.claim
    pv = c.provenance
    doc = ctx.documents.get(c.doc_id) or {}
    return {
        "claim_id": c.claim_id,
        "doc_id": c.doc_id,
        "path": (pv.path if pv else None) or doc.get("path"),
        "outlet": (pv.outlet if pv else None) or doc.get("outlet"),
        "url": (pv.url if pv else None) or doc.get("url"),
        "published": (pv.published if pv else None) or doc.get("published"),
        "sentence": pv.sentence if pv else "",
        "sentence_start": pv.sentence_start if pv else 0,
        "char_start": pv.char_start if pv else 0,
        "char_end": pv.char_end if pv else 0,
        "surface": c.surface,
        "display": display_claim(c),
        "value": value_in(c, unit, ctx.cfg),
        "unit": unit,
        "group": group,
        "merged_into": merged_into,
    }


def _group_record(g: _Group, unit: str, ctx: _Ctx) -> dict:
    rep = g.rep().rep
    claims = g.claims()
    surfaces = []
    for p in claims:
        s = display_claim(p.claim)
        if s not in surfaces:
            surfaces.append(s)
    return {
        "value": value_in(rep.claim, unit, ctx.cfg),
        "value_min": _finite(g.common.lo),
        "value_max": _finite(g.common.hi),
        "unit": unit,
        "claim_ids": [p.claim.claim_id for p in claims],
        "doc_ids": sorted({p.claim.doc_id for p in claims}),
        "surfaces": surfaces,
        "representative": rep.claim.claim_id,
        "type": rep.ctype,
    }


def _majority(values: list, default=None):
    """The most frequent non-empty value, ties to the first seen."""
    counts: dict = {}
    for v in values:
        if v:
            counts[v] = counts.get(v, 0) + 1
    return max(counts, key=lambda v: (counts[v], -values.index(v))) if counts else default


def _build(block_ps: list[_P], period: Period, unit: str, ctx: _Ctx, dep_groups: list[list[str]],
           gate=None, extra_key: dict | None = None, why=None) -> tuple[list[Fact], list[Conflict]]:
    """Facts (and at most one conflict) of claims already judged one fact, in one period and one
    unit.  ``gate(groups) -> (evidence, [group indices]) | None`` decides whether competing value
    groups are a conflict and which compete (None: they become separate facts); ``why(claims) -> dict`` explains a fact's links."""
    cfg = ctx.cfg
    first = block_ps[0]
    stmts = _statements(block_ps, unit, ctx)
    groups, vague_groups = _value_groups(stmts, ctx)
    conflict = _is_conflict(groups, cfg)
    evidence = None
    in_conflict = groups
    if conflict and gate is not None:
        judged = gate(groups)
        conflict = judged is not None
        if judged is not None:
            # only the groups joined by conflict evidence compete; other figures are facts of their own
            evidence, members = judged
            in_conflict = [groups[i] for i in members]

    def order(g: _Group) -> tuple:
        rep = g.rep().rep
        v = value_in(rep.claim, unit, cfg)
        return (rep.claim.value if v is None else v, g.common.lo, rep.order)

    groups.sort(key=order)
    vague_groups.sort(key=order)
    if conflict:
        in_conflict.sort(key=order)
        rest = [g for g in groups if all(g is not h for h in in_conflict)]
        fact_sets = [in_conflict] + [[g] for g in rest] + [[g] for g in vague_groups]
    else:
        fact_sets = [[g] for g in groups] + [[g] for g in vague_groups]

    facts: list[Fact] = []
    conflicts: list[Conflict] = []
    for variant, gs in enumerate(fact_sets):
        mine = sorted((p for g in gs for p in g.claims()), key=lambda p: p.order)
        subject = _majority([p.subject for p in mine], mine[0].subject)
        metric = _majority([p.metric for p in mine], mine[0].metric)
        key = {
            "subject": subject,
            "object": _majority([p.obj for p in mine], mine[0].obj),
            "metric": metric,
            "dimension": first.dimension,
            "unit": unit,
            "period": period.as_key(),
        }
        if extra_key:
            key.update(extra_key)
        elif first.doc_scope:
            key["doc_id"] = first.doc_scope
        if variant:
            key["variant"] = variant
        fid = fact_id_for(key)
        claims = sorted((p for g in gs for p in g.claims()), key=lambda p: p.order)
        rep_p = next((p for p in claims if p.subject == subject), claims[0])
        kinds: dict[str, int] = {}
        for p in claims:
            kinds[p.claim.kind] = kinds.get(p.claim.kind, 0) + 1
        kind = min(kinds, key=lambda k: (-kinds[k], k))
        prov = []
        for gi, g in enumerate(gs):
            for s in g.stmts:
                for p in s.members:
                    merged = s.rep.claim.claim_id if p is not s.rep else None
                    prov.append(_provenance(p, unit, gi, merged, ctx))
        prov.sort(key=lambda r: (r["doc_id"], r["char_start"], r["claim_id"]))
        sources = _sources((p.claim.doc_id for p in claims), dep_groups, ctx.documents)
        is_conflict = conflict and variant == 0 and len(gs) > 1
        if is_conflict:
            status, value, vmin, vmax = "conflict", None, None, None
        else:
            g = gs[0]
            value = value_in(g.rep().rep.claim, unit, cfg)
            vmin, vmax = _finite(g.common.lo), _finite(g.common.hi)
            # a vague magnitude ('hundreds of millions') may support a figure but is no source of it
            firm = _sources((p.claim.doc_id for p in claims if p.ctype != "vague"), dep_groups, ctx.documents)
            n = firm["n_independent"] if cfg["status"]["agreed_requires_independent"] else firm["n_docs"]
            status = "agreed" if n >= 2 else "single"
        fact = Fact(
            fact_id=fid,
            key=key,
            subject=_copy_ref(rep_p.claim.subject),
            # the fact's target: the representative's, else the one its family names
            object=_copy_ref(rep_p.claim.object if rep_p.claim.object is not None else
                             next((p.claim.object for p in claims if p.claim.object is not None
                                   and p.claim.object.label != "NP"), None)),
            metric=metric,
            kind=kind,
            unit=unit,
            time=period.time_ref(),
            value=value,
            value_min=vmin,
            value_max=vmax,
            status=status,
            claim_ids=[p.claim.claim_id for p in claims],
            sources=sources,
            provenance=prov,
            why=why([p.order for p in claims]) if why is not None else None,
        )
        facts.append(fact)
        if is_conflict:
            reason, rel = _reason([g.rep().rep for g in gs], unit, cfg)
            severity = _severity(rel, cfg)
            if period.source == "unknown":
                # no date in the text nor in the metadata: the sources may describe different
                # times (a 2009 and a 2012 model), so the reviewer is told and the severity capped
                reason += "; no source is dated, so they may describe different periods"
                severity = "low"
            conflicts.append(Conflict(
                conflict_id=conflict_id_for(fid, fact.claim_ids),
                fact_id=fid,
                key=key,
                groups=[_group_record(g, unit, ctx) for g in gs],
                reason=reason,
                severity=severity,
                why=evidence,
            ))
    return facts, conflicts


def _period_clusters(ps: list[_P], ctx: _Ctx) -> list[tuple[Period, list[_P]]]:
    cfg = ctx.cfg
    explicit = sorted((p for p in ps if p.period.source == "text"),
                      key=lambda p: (p.period.start, p.period.end, p.order))
    fallback = sorted((p for p in ps if p.period.source == "published"),
                      key=lambda p: (p.period.start, p.period.end, p.order))
    unknown = [p for p in ps if p.period.source == "unknown"]
    clusters: list[tuple[Period, list[_P]]] = []
    # explicit periods first, so a publication-date fallback joins the period it falls in
    for p in explicit + fallback:
        for rep, members in clusters:
            ctx.comparisons += 1
            if same_period(rep, p.period, cfg):
                members.append(p)
                break
        else:
            clusters.append((p.period, [p]))
    if unknown:
        clusters.append((Period(None, None, "unknown"), unknown))
    return clusters


def _unit_components(ps: list[_P]) -> list[tuple[str, list[_P]]]:
    """Split claims into sets comparable in one unit (own unit or a stated
    equivalent): the unit most claims can be expressed in first, ties going to
    the unit most claims are written in, then alphabetical. Conversion claims
    (``equivalent_of``) join a set in their unit but do not choose it: two outlets'
    conversions of the same £200m must not make the dollar the unit of comparison."""
    remaining = sorted(ps, key=lambda p: p.order)
    out = []
    while remaining:
        counts: dict[str, int] = {}
        own: dict[str, int] = {}
        stated = [p for p in remaining if p.claim.equivalent_of is None] or remaining
        for p in stated:
            own[p.units[0]] = own.get(p.units[0], 0) + 1
            for u in p.units:
                counts[u] = counts.get(u, 0) + 1
        unit = min(counts, key=lambda u: (-counts[u], -own.get(u, 0), u))
        comp = [p for p in remaining if unit in p.units]
        remaining = [p for p in remaining if unit not in p.units]
        out.append((unit, comp))
    return out


def _fact_sort_key(f: Fact) -> tuple:
    k = f.key
    per = k.get("period") or {}
    return (k.get("subject") or "\uffff", k.get("object") or "", k.get("metric") or "", k.get("dimension") or "",
            per.get("start") or "", per.get("end") or "", k.get("unit") or "", k.get("doc_id") or "",
            k.get("variant", 0), f.fact_id)



# --------------------------------------------------------------------------
# Linking: links -> clusters (facts) -> series (timelines)


class _Cluster:
    """A set of claims judged one fact, with what the cannot-link checks need."""

    def __init__(self, p: _P):
        self.members: list[_P] = [p]
        self.by_doc: dict[str, list[_P]] = {p.claim.doc_id: [p]}
        self.explicit: list[Period] = [p.explicit] if p.explicit is not None else []
        self.objects: set[str] = {p.obj} if p.obj else set()
        self.links: list = []  # the links that merged it (a spanning tree)
        self.common: dict[str, Interval | None] | None = None  # per unit: the values all specific claims allow


def _figures_differ(p: _P, q: _P, rel: float) -> bool:
    """Two non-vague claims in one unit whose stated figures differ by more than ``rel`` of the
    larger (bounds included: 'up to 16GB' vs 'up to 768GB')."""
    if p.ctype == "vague" or q.ctype == "vague" or p.claim.unit != q.claim.unit:
        return False
    x, y = p.claim.value, q.claim.value
    if x is None or y is None:
        return False
    x, y = float(x), float(y)
    if not (math.isfinite(x) and math.isfinite(y)):
        return False
    return abs(x - y) > rel * max(abs(x), abs(y))


def _can_merge(a: _Cluster, b: _Cluster, cfg: dict, cache: dict) -> bool:
    """Cannot-link: one document's claims whose values do not intersect; two different named
    objects ('for ATI', 'for Xilinx'); explicit periods that are not the same period."""
    from .comparison import values_meet
    from .periods import periods_near
    small, big = (a, b) if len(a.members) <= len(b.members) else (b, a)
    rel = float(cfg["linking"].get("same_doc_figure_rel", -1))
    for doc, ps in small.by_doc.items():
        for q in big.by_doc.get(doc, ()):
            for p in ps:
                if values_meet(p, q, cfg, cache) is False:
                    return False
                if rel >= 0 and _figures_differ(p, q, rel):
                    return False
    if a.objects and b.objects and a.objects != b.objects:
        return False
    for pe in a.explicit:
        for qe in b.explicit:
            if not periods_near(pe, qe, cfg):
                return False
    return True


def _common(c: _Cluster, cfg: dict, cache: dict) -> dict[str, Interval | None]:
    """unit -> intersection of the specific (not bound, not vague) claims' intervals, None when empty."""
    if c.common is None:
        out: dict[str, Interval | None] = {}
        for p in c.members:
            if p.ctype in ("bound", "vague"):
                continue
            for u in p.units:
                k = (p.order, u)
                if k not in cache:
                    cache[k] = claim_interval_in(p.claim, u, cfg)
                iv = cache[k]
                if iv is None:
                    continue
                if u not in out:
                    out[u] = iv
                elif out[u] is not None:
                    out[u] = out[u].intersect(iv)
        c.common = out
    return c.common


def _values_cohere(a: _Cluster, b: _Cluster, cfg: dict, cache: dict) -> bool:
    """A weak (value-only) link may join two clusters only if their values keep a common point."""
    ca, cb = _common(a, cfg, cache), _common(b, cfg, cache)
    for u in set(ca) & set(cb):
        if ca[u] is None or cb[u] is None or ca[u].intersect(cb[u]) is None:
            return False
    return True


def link_clusters(ps: list[_P], links: list, cfg: dict, cache: dict) -> list[_Cluster]:
    """Union-find over the same-fact links, strongest first (agreeing values, then topic), a merge
    refused when it would break a cannot-link (:func:`_can_merge`) or, for a weak link, leave the
    values without a common point (:func:`_values_cohere`: no chaining $100m ~ $113m ~ $130m).
    A link between different figures is not used when either article also states the other's
    figure (:func:`states_elsewhere`: then the two figures are two facts of one story).  Deterministic: ties in
    score go to the earlier pair."""
    parent = list(range(len(ps)))
    clusters = {i: _Cluster(p) for i, p in enumerate(ps)}

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    from .comparison import values_meet
    by_doc_dim: dict[tuple, list[_P]] = {}
    for p in ps:
        by_doc_dim.setdefault((p.claim.doc_id, p.dimension), []).append(p)

    def states_elsewhere(x: _P, y: _P) -> bool:
        """y's article also states x's figure (another claim): then y's different figure is
        another fact, not a disagreement with x."""
        return any(q is not y and values_meet(x, q, cfg, cache) for q in by_doc_dim[(y.claim.doc_id, y.dimension)])

    for ln in sorted((ln for ln in links if ln.same_fact), key=lambda ln: (-ln.score, ln.a, ln.b)):
        ra, rb = find(ln.a), find(ln.b)
        if ra == rb:
            continue
        if not ln.values_agree:
            x, y = ps[ln.a], ps[ln.b]
            if states_elsewhere(x, y) or states_elsewhere(y, x):
                continue
        ca, cb = clusters[ra], clusters[rb]
        if not _can_merge(ca, cb, cfg, cache):
            continue
        if ln.weak and not _values_cohere(ca, cb, cfg, cache):
            continue
        keep, gone = (ra, rb) if ra < rb else (rb, ra)
        ck, cg = clusters[keep], clusters.pop(gone)
        parent[gone] = keep
        ck.members.extend(cg.members)
        for d, xs in cg.by_doc.items():
            ck.by_doc.setdefault(d, []).extend(xs)
        ck.explicit.extend(cg.explicit)
        ck.objects |= cg.objects
        ck.links.extend(cg.links)
        ck.links.append(ln)
        ck.common = None
    out = [clusters[k] for k in sorted(clusters)]
    for c in out:
        c.members.sort(key=lambda p: p.order)
    return out


def cluster_period(members: list[_P]) -> Period:
    """The fact's period: the stated period most of its claims give (ties: the shorter, then the
    earlier); without one, the span of the publication months, marked 'published'; else unknown."""
    from .periods import _bucket
    stated: dict[tuple, list[Period]] = {}
    for p in members:
        if p.explicit is not None:
            stated.setdefault((p.explicit.start, p.explicit.end), []).append(p.explicit)
    if stated:
        k = max(stated, key=lambda k: (len(stated[k]), -(k[1] - k[0]).days, -k[0].toordinal()))
        return stated[k][0]
    pubs = sorted(p.published for p in members if p.published is not None)
    if pubs:
        return Period(_bucket(pubs[0], "month")[0], _bucket(pubs[-1], "month")[1], "published")
    return Period(None, None, "unknown")
