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

import calendar
import copy
import hashlib
import json
import math
import re
import time as _time
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from itertools import chain
from pathlib import Path
from typing import Any, Iterable, NamedTuple

from pipeline.records import Claim, Conflict, EntityRef, Fact, TimeRef

CONFIG_PATH = Path(__file__).parent / "data" / "resolve.json"
INF = math.inf

CURRENCY_SYMBOLS = {"USD": "$", "GBP": "£", "EUR": "€", "JPY": "¥", "INR": "₹", "KRW": "₩"}

TYPE_RANK = {"exact": 0, "approximate": 1, "range": 2, "bound": 3, "vague": 4}


# --------------------------------------------------------------------------
# Results


@dataclass
class Resolution:
    facts: list[Fact]
    conflicts: list[Conflict]
    dependent_docs: list[dict]  # pairs judged copies, with similarity scores
    stale_decisions: list[dict]
    timings: dict[str, float]
    stats: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# --------------------------------------------------------------------------
# Configuration


def _merge(base: dict, over: dict) -> dict:
    out = copy.deepcopy(base)
    for k, v in (over or {}).items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = _merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


def load_config(config: dict | None = None) -> dict:
    """Defaults from ``data/resolve.json``, overridden key by key by ``config``."""
    with open(CONFIG_PATH, encoding="utf-8") as fh:
        base = json.load(fh)
    return _merge(base, config or {})


# --------------------------------------------------------------------------
# Intervals


@dataclass(frozen=True)
class Interval:
    lo: float
    hi: float
    lo_open: bool = False
    hi_open: bool = False

    def intersect(self, other: "Interval") -> "Interval | None":
        if self.lo > other.lo:
            lo, lo_open = self.lo, self.lo_open
        elif other.lo > self.lo:
            lo, lo_open = other.lo, other.lo_open
        else:
            lo, lo_open = self.lo, self.lo_open or other.lo_open
        if self.hi < other.hi:
            hi, hi_open = self.hi, self.hi_open
        elif other.hi < self.hi:
            hi, hi_open = other.hi, other.hi_open
        else:
            hi, hi_open = self.hi, self.hi_open or other.hi_open
        eps = 1e-9 * max(1.0, abs(lo) if math.isfinite(lo) else 1.0, abs(hi) if math.isfinite(hi) else 1.0)
        if lo > hi + eps:
            return None
        if abs(hi - lo) <= eps and (lo_open or hi_open) and math.isfinite(lo):
            return None
        return Interval(lo, hi, lo_open, hi_open)

    def scaled(self, f: float) -> "Interval":
        a, b = self.lo * f, self.hi * f
        if f >= 0:
            return Interval(a, b, self.lo_open, self.hi_open)
        return Interval(b, a, self.hi_open, self.lo_open)

    def hull(self, other: "Interval") -> "Interval":
        lo = min(self.lo, other.lo)
        hi = max(self.hi, other.hi)
        lo_open = (self.lo_open if self.lo == lo else True) and (other.lo_open if other.lo == lo else True)
        hi_open = (self.hi_open if self.hi == hi else True) and (other.hi_open if other.hi == hi else True)
        return Interval(lo, hi, lo_open, hi_open)

    @property
    def width(self) -> float:
        return self.hi - self.lo


def intervals_agree(a: Interval, b: Interval) -> bool:
    return a.intersect(b) is not None


_NUM_RE = re.compile(r"(?<![A-Za-z0-9.])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?")


def _written_numbers(surface: str | None) -> list[tuple[float, int]]:
    """Numbers written with digits in ``surface``: (value, decimals)."""
    out = []
    # text rebuilt from tokens splits numbers ("$1, 799", "2. 3 GHz"): read them whole
    surface = re.sub(r"(\d)([,.]) (\d)", r"\1\2\3", surface or "")
    for m in _NUM_RE.finditer(surface):
        whole = m.group(1).replace(",", "")
        dec = m.group(2) or ""
        out.append((float(whole + ("." + dec if dec else "")), len(dec)))
    return out


def _half_step_from_number(x: float, cfg: dict) -> float:
    """Rounding half-step of a bare number (no surface): from its significant
    digits, capped at ``max_rounding`` (relative)."""
    if x == 0:
        return 0.0
    try:
        d = Decimal(repr(float(x))).normalize()
        step = float(Decimal(1).scaleb(d.as_tuple().exponent))
    except (InvalidOperation, ValueError):
        step = abs(x) * 2 * cfg["tolerance"]["default_rounding"]
    return min(step / 2, abs(x) * cfg["tolerance"]["max_rounding"])


def rounding_half_step(surface: str | None, ref_value: float, cfg: dict) -> float:
    """Half a step of the last digit written in ``surface``, in the unit of
    ``ref_value`` (the normalised value of the first written number)."""
    nums = _written_numbers(surface)
    if nums and nums[0][0] != 0 and ref_value:
        w, dec = nums[0]
        mult = abs(ref_value / w)
        return 0.5 * (10.0 ** -dec) * mult
    return abs(ref_value) * cfg["tolerance"]["default_rounding"]


def _qualifier(c: Claim) -> str:
    return re.sub(r"\s+", " ", (c.qualifier or "").strip().lower())


def approx_tolerance(c: Claim, cfg: dict) -> float:
    q = _qualifier(c)
    table = cfg["tolerance"]["qualifiers"]
    if q in table:
        return float(table[q])
    for word in sorted(table, key=lambda w: (-len(w), w)):
        if re.search(r"\b" + re.escape(word) + r"\b", q):
            return float(table[word])
    return float(cfg["tolerance"]["approximate"])


def claim_type(c: Claim) -> str:
    if c.vague:
        return "vague"
    if c.bound in ("lower", "upper"):
        return "bound"
    if c.value_min is not None and c.value_max is not None and c.value_max > c.value_min:
        return "range"
    if c.approximate:
        return "approximate"
    return "exact"


def _matches_any(q: str, words: Iterable[str]) -> bool:
    return any(q == w or re.search(r"\b" + re.escape(w) + r"\b", q) for w in words)


def claim_interval(c: Claim, cfg: dict) -> Interval:
    """The values ``c`` allows, in ``c.unit`` (see module docstring)."""
    t = claim_type(c)
    v = float(c.value)
    tol = approx_tolerance(c, cfg) if c.approximate else 0.0
    q = _qualifier(c)
    if t == "vague":
        lo = c.value_min if c.value_min is not None else v
        hi = c.value_max if c.value_max is not None else v
        lo, hi = min(lo, hi), max(lo, hi)
        return Interval(lo, hi, False, hi > lo)
    if t == "bound":
        strict = _matches_any(q, cfg["bounds"]["strict_qualifiers"]) and not tol
        if c.bound == "lower":
            ref = c.value_min if c.value_min is not None else v
            return Interval(ref - tol * abs(ref), INF, strict, True)
        ref = c.value_max if c.value_max is not None else v
        hi = ref + tol * abs(ref)
        floor = 0.0 if c.kind in cfg["bounds"]["nonnegative_kinds"] and hi >= 0 else -INF
        return Interval(floor, hi, False, strict)
    if t == "range":
        h = rounding_half_step(c.surface, c.value_min, cfg)
        lo = c.value_min - h - tol * abs(c.value_min)
        hi = c.value_max + h + tol * abs(c.value_max)
        return Interval(lo, hi, False, True)
    h = rounding_half_step(c.surface, v, cfg)
    down = up = max(h, tol * abs(v))
    if tol and _matches_any(q, cfg["tolerance"]["below_qualifiers"]):
        up = h
    elif tol and _matches_any(q, cfg["tolerance"]["above_qualifiers"]):
        down = h
    return Interval(v - down, v + up, False, up > 0)


def norm_unit(u: str | None, cfg: dict) -> str:
    u = (u or "").strip()
    aliases = cfg["units"]["aliases"]
    if u in aliases:
        return aliases[u]
    low = u.lower()
    for k, val in aliases.items():
        if k.lower() == low:
            return val
    return u


def claim_units(c: Claim, cfg: dict) -> list[str]:
    units = [norm_unit(c.unit, cfg)]
    for e in c.equivalents or []:
        u = norm_unit(e.unit, cfg)
        if u not in units:
            units.append(u)
    return units


def value_in(c: Claim, unit: str, cfg: dict) -> float | None:
    if norm_unit(c.unit, cfg) == unit:
        return float(c.value)
    for e in c.equivalents or []:
        if norm_unit(e.unit, cfg) == unit:
            return float(e.value)
    return None


def claim_interval_in(c: Claim, unit: str, cfg: dict) -> Interval | None:
    """``claim_interval`` expressed in ``unit``: the claim's own unit, or one of
    the equivalents stated with it (never an invented exchange rate)."""
    base = claim_interval(c, cfg)
    if norm_unit(c.unit, cfg) == unit:
        return base
    for e in c.equivalents or []:
        if norm_unit(e.unit, cfg) != unit:
            continue
        ev = float(e.value)
        if e.surface:
            h = rounding_half_step(e.surface, ev, cfg)
        else:
            h = _half_step_from_number(ev, cfg)
        own = Interval(ev - h, ev + h, False, h > 0)
        if c.value:
            return base.scaled(ev / float(c.value)).hull(own)
        return own
    return None


# --------------------------------------------------------------------------
# Periods


def _date_bounds(s: str | None) -> tuple[date, date] | None:
    if not s:
        return None
    s = str(s).strip()
    m = re.match(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", s)
    if not m:
        m2 = re.match(r"^(\d{4})-?Q([1-4])$", s, re.I)
        if not m2:
            return None
        y, qn = int(m2.group(1)), int(m2.group(2))
        first = date(y, 3 * qn - 2, 1)
        last_m = 3 * qn
        return first, date(y, last_m, calendar.monthrange(y, last_m)[1])
    try:
        y = int(m.group(1))
        if m.group(3):
            d = date(y, int(m.group(2)), int(m.group(3)))
            return d, d
        if m.group(2):
            mo = int(m.group(2))
            return date(y, mo, 1), date(y, mo, calendar.monthrange(y, mo)[1])
        return date(y, 1, 1), date(y, 12, 31)
    except ValueError:
        return None


def _bucket(d: date, granularity: str) -> tuple[date, date]:
    if granularity == "day":
        return d, d
    if granularity == "year":
        return date(d.year, 1, 1), date(d.year, 12, 31)
    if granularity == "quarter":
        q0 = 3 * ((d.month - 1) // 3) + 1
        return date(d.year, q0, 1), date(d.year, q0 + 2, calendar.monthrange(d.year, q0 + 2)[1])
    return date(d.year, d.month, 1), date(d.year, d.month, calendar.monthrange(d.year, d.month)[1])


@dataclass
class Period:
    start: date | None
    end: date | None
    source: str  # text | published | unknown
    text: str | None = None

    @property
    def days(self) -> int:
        if self.start is None or self.end is None:
            return 0
        return (self.end - self.start).days + 1

    def as_key(self) -> dict[str, Any]:
        return {
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
            "source": self.source,
        }

    def time_ref(self) -> TimeRef | None:
        if self.source == "unknown":
            return None
        k = self.as_key()
        return TimeRef(text=self.text, start=k["start"], end=k["end"], source=self.source)


def _span(start: str | None, end: str | None) -> tuple[date, date] | None:
    a = _date_bounds(start)
    b = _date_bounds(end)
    if a and b:
        s, e = a[0], b[1]
    elif a:
        s, e = a
    elif b:
        s, e = b[1], b[1]
    else:
        return None
    if e < s:
        s, e = e, s
    return s, e


def claim_period(c: Claim, documents: dict[str, dict], cfg: dict) -> Period:
    """The claim's period; falls back to the article's publication date."""
    gran = cfg["period"]["fallback_granularity"]
    t = c.time
    if t is not None and t.source != "published":
        sp = _span(t.start, t.end)
        if sp:
            return Period(sp[0], sp[1], "text", t.text)
    sp = None
    if t is not None:
        sp = _span(t.start, t.end)
    if sp is None:
        doc = documents.get(c.doc_id) or {}
        pub = doc.get("published") or (c.provenance.published if c.provenance else None)
        sp = _span(pub, None)
    if sp is None:
        return Period(None, None, "unknown")
    b = _bucket(sp[0], gran)
    if (sp[1] - sp[0]).days > (b[1] - b[0]).days:
        b = sp
    return Period(b[0], b[1], "published")


def _overlap_days(p: Period, q: Period) -> int:
    s = max(p.start, q.start)
    e = min(p.end, q.end)
    return (e - s).days + 1 if e >= s else 0


def same_period(p: Period, q: Period, cfg: dict) -> bool:
    """See module docstring ("Periods")."""
    if p.start is None or q.start is None:
        return p.start is None and q.start is None
    ov = _overlap_days(p, q)
    if ov <= 0:
        return False
    k = cfg["period"]["min_overlap"]
    fp, fq = p.source == "published", q.source == "published"
    if fp and fq:
        return ov >= k * min(p.days, q.days)
    if fp:
        return ov >= k * p.days
    if fq:
        return ov >= k * q.days
    return ov >= k * max(p.days, q.days)


# --------------------------------------------------------------------------
# Prepared claims


def _singular(word: str) -> str:
    w = word.lower()
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 3 and w.endswith("s") and not w.endswith("ss"):
        return w[:-1]
    return w


def counted_head(c: Claim, cfg: dict) -> str:
    """The counted thing: head noun of ``counted`` (else the unit), singular,
    lower-case, through ``units.counted_aliases``."""
    src = c.counted or norm_unit(c.unit, cfg) or ""
    words = re.findall(r"[A-Za-z0-9]+", src)
    head = _singular(words[-1]) if words else ""
    return cfg["units"].get("counted_aliases", {}).get(head, head)


def _canon(e: EntityRef | None) -> str | None:
    if e is None:
        return None
    return (e.canonical or e.text or "").strip() or None


@dataclass
class _P:
    claim: Claim
    order: int
    block: tuple
    period: Period
    units: list[str]
    ctype: str
    subject: str | None
    obj: str | None
    metric: str
    dimension: str
    doc_scope: str | None


def _block_parts(c: Claim, cfg: dict) -> tuple:
    """(subject, object, metric, dimension, doc_scope): claims are compared only
    inside one such block (module docstring, "Grouping")."""
    subject = _canon(c.subject)
    # a named target ("into Scale AI") separates facts; a descriptive one ("in data centers") does not
    obj = _canon(c.object) if c.object is not None and c.object.label != "NP" else None
    metric = (c.metric or "").strip()
    metric = cfg["metrics"]["aliases"].get(metric, metric)
    group = cfg["kinds"]["groups"].get(c.kind, c.kind)
    dim = group
    if group == "count":
        dim = "count:" + counted_head(c, cfg)
    if c.rate:
        dim += "/" + c.rate
    if getattr(c, "scope", None):
        # "43 RBIs in 54 games" is not the season's 121 RBIs: a scoped figure is its own fact
        nums = re.findall(r"\d[\d,.]*", c.scope)
        words = re.findall(r"[a-z]+", c.scope.lower())
        dim += " @" + " ".join(nums + [_singular(words[-1])] if words else nums)
    doc_scope = c.doc_id if (subject is None or not metric) else None
    return (subject, obj, metric, dim, doc_scope)


def block_key(claim: Claim, documents: dict[str, dict] | None = None, cfg: dict | None = None) -> str:
    """The key claims must share to be compared: a JSON string of canonical
    subject, metric, dimension and (for a claim without subject or metric) its
    doc_id.  The object is left out on purpose: a claim that names no target
    ("AMD paid $5.4bn") joins the one named target of its family ("... for ATI"),
    which :func:`resolve_partition` decides, so the family must travel together.  ``cfg`` is ``load_config(config)`` (loaded here when
    None; pass it when keying many claims).  ``documents`` is accepted for
    symmetry with :func:`resolve_partition`; the key does not depend on it.

    Resolution is a group-by on this key: :func:`resolve_partition` on any
    union of whole groups, then :func:`merge_partitions`."""
    subject, _obj, metric, dim, doc_scope = _block_parts(claim, cfg if cfg is not None else load_config())
    return json.dumps([subject, metric, dim, doc_scope], ensure_ascii=False)


def _prepare(c: Claim, order: int, documents: dict, cfg: dict) -> _P:
    block = _block_parts(c, cfg)
    subject, obj, metric, dim, doc_scope = block
    return _P(c, order, block, claim_period(c, documents, cfg), claim_units(c, cfg), claim_type(c),
              subject, obj, metric, dim, doc_scope)


def _claim_sort_key(c: Claim) -> tuple:
    p = c.provenance
    return (c.doc_id, p.char_start if p else 0, p.char_end if p else 0, c.claim_id)


# --------------------------------------------------------------------------
# Statements and value groups


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

    def docs(self, include_vague: bool = True) -> set[str]:
        return {s.doc_id for s in self.stmts if include_vague or s.ctype != "vague"}

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
    out: list[_Stmt] = []
    for doc in sorted(by_doc):
        for ps, common in _stab(by_doc[doc], lambda p: ctx.iv(p, unit), ctx):
            rep = min(ps, key=lambda p: _rank(p, ctx.iv(p, unit)))
            out.append(_Stmt(rep, sorted(ps, key=lambda p: p.order), common, rep.ctype))
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
        left = []
        for s in items:
            for g in groups:
                common = ctx.meet(g.common, s.iv)
                if common is not None:
                    g.stmts.append(s)
                    g.common = common
                    break
            else:
                left.append(s)
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
    docsets = [g.docs(include_vague=inc_vague) for g in groups]
    if cfg["grouping"]["same_doc_conflicts"]:
        return len(set().union(*docsets)) >= 1
    for i in range(len(docsets)):
        for j in range(i + 1, len(docsets)):
            a, b = docsets[i], docsets[j]
            if a and b and not (a <= b or b <= a):
                return True
    return False


# --------------------------------------------------------------------------
# Display helpers (also used by report.py)


def _num(x: float, digits: int = 3) -> str:
    s = f"{x:,.{digits}f}".rstrip("0").rstrip(".")
    return s if s not in ("-0", "") else "0"


def format_value(value: float | None, unit: str | None) -> str:
    """'$13.2bn', '£8.9bn', '150 MW', '22%', '100,000 GPU'."""
    if value is None:
        return "?"
    if value in (INF, -INF):
        return "∞" if value > 0 else "-∞"
    u = unit or ""
    a = abs(value)
    sign = "-" if value < 0 else ""
    if u in CURRENCY_SYMBOLS or re.fullmatch(r"[A-Z]{3}", u):
        sym = CURRENCY_SYMBOLS.get(u)
        for scale, suffix in ((1e12, "tn"), (1e9, "bn"), (1e6, "m")):
            if a >= scale:
                body = _num(a / scale) + suffix
                break
        else:
            body = _num(a, 2)
        return f"{sign}{sym}{body}" if sym else f"{sign}{body} {u}"
    if u in ("W", "Wh"):
        for scale, prefix in ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")):
            if a >= scale:
                return f"{sign}{_num(a / scale)} {prefix}{u}"
        return f"{sign}{_num(a)} {u}"
    if u == "percent":
        return f"{_num(value)}%"
    if u == "percentage_point":
        return f"{_num(value)} pp"
    if a >= 1e6:
        for scale, suffix in ((1e12, " trillion"), (1e9, " billion"), (1e6, " million")):
            if a >= scale:
                return f"{sign}{_num(a / scale)}{suffix} {u}".rstrip()
    return f"{_num(value)} {u}".rstrip()


def display_claim(c: Claim) -> str:
    """The figure as written, with its qualifier ('up to $5bn')."""
    s = (c.surface or "").strip() or format_value(c.value, c.unit)
    q = (c.qualifier or "").strip()
    if q and q.lower() not in s.lower():
        s = f"{q} {s}"
    return s


def _pct(x: float) -> str:
    return f"{x * 100:.1f}%"


def _extent(p: _P, unit: str, ctx: _Ctx) -> tuple[float, float]:
    """The stated extent of a claim in ``unit`` (no tolerance)."""
    c = p.claim
    v = value_in(c, unit, ctx.cfg)
    f = (v / c.value) if (v is not None and c.value) else 1.0
    if p.ctype == "bound":
        return (v, INF) if c.bound == "lower" else (-INF, v)
    if p.ctype in ("range", "vague") and c.value_min is not None and c.value_max is not None:
        return (c.value_min * f, c.value_max * f)
    return (v, v)


def _rel_gap(a: tuple[float, float], b: tuple[float, float]) -> float:
    if a[1] < b[0]:
        x, y = a[1], b[0]
    elif b[1] < a[0]:
        x, y = b[1], a[0]
    else:
        return 0.0
    ref = min(abs(x), abs(y)) or max(abs(x), abs(y))
    return abs(y - x) / ref if ref else 0.0


def _reason(groups: list[_Group], unit: str, ctx: _Ctx) -> tuple[str, float]:
    a, b = groups[0].rep().rep, groups[1].rep().rep
    da, db = display_claim(a.claim), display_claim(b.claim)
    rel = _rel_gap(_extent(a, unit, ctx), _extent(b, unit, ctx))
    # the largest gap between any two competing values sets the severity
    reps = [g.rep().rep for g in groups]
    worst = max(_rel_gap(_extent(x, unit, ctx), _extent(y, unit, ctx))
                for i, x in enumerate(reps) for y in reps[i + 1:])
    if a.ctype == "bound" and a.claim.bound == "upper":
        why = "above the stated upper bound"
    elif b.ctype == "bound" and b.claim.bound == "lower":
        why = "below the stated lower bound"
    elif a.ctype == "bound" and b.ctype == "bound":
        why = "the stated bounds do not overlap"
    elif "bound" in (a.ctype, b.ctype):
        why = "outside the stated bound"
    elif "range" in (a.ctype, b.ctype):
        why = f"outside the stated range (by {_pct(rel)})"
    elif "vague" in (a.ctype, b.ctype):
        why = f"outside the stated magnitude (by {_pct(rel)})"
    elif "approximate" in (a.ctype, b.ctype):
        ap = a if a.ctype == "approximate" else b
        q = (ap.claim.qualifier or "approximately").strip()
        tol = approx_tolerance(ap.claim, ctx.cfg)
        why = f"figures differ by {_pct(rel)}, more than the ±{tol * 100:g}% allowed for '{q}'"
    else:
        why = f"exact figures differ by {_pct(rel)}"
    reason = f"{da} vs {db}: {why}"
    if len(groups) > 2:
        reason += f" ({len(groups)} competing values)"
    if any(norm_unit(g.rep().rep.claim.unit, ctx.cfg) != unit for g in groups):
        reason += f" (compared in {unit} via equivalents stated in the articles)"
    return reason, worst


def _severity(rel: float, cfg: dict) -> str:
    if rel < cfg["severity"]["low"]:
        return "low"
    if rel < cfg["severity"]["medium"]:
        return "medium"
    return "high"


# --------------------------------------------------------------------------
# Copied sources


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
    for d in ids:
        text = (documents[d] or {}).get("text") or ""
        w, ss = _words_and_sentences(text, int(dc["sentence_words"]))
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
    candidates = sorted(pairs)
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


# --------------------------------------------------------------------------
# Facts


def _hash(s: str, n: int = 16) -> str:
    return hashlib.sha256(s.encode("utf-8")).hexdigest()[:n]


def fact_id_for(key: dict) -> str:
    return "f_" + _hash(json.dumps(key, sort_keys=True, ensure_ascii=False))


def conflict_id_for(fact_id: str, claim_ids: Iterable[str]) -> str:
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


def _build(block_ps: list[_P], period: Period, unit: str, ctx: _Ctx, dep_groups: list[list[str]]
           ) -> tuple[list[Fact], list[Conflict]]:
    cfg = ctx.cfg
    first = block_ps[0]
    stmts = _statements(block_ps, unit, ctx)
    groups, vague_groups = _value_groups(stmts, ctx)
    conflict = _is_conflict(groups, cfg)
    def order(g: _Group) -> tuple:
        rep = g.rep().rep
        v = value_in(rep.claim, unit, cfg)
        return (rep.claim.value if v is None else v, g.common.lo, rep.order)

    groups.sort(key=order)
    vague_groups.sort(key=order)
    fact_sets = ([groups] if conflict else [[g] for g in groups]) + [[g] for g in vague_groups]

    base_key = {
        "subject": first.subject,
        "object": first.obj,
        "metric": first.metric,
        "dimension": first.dimension,
        "unit": unit,
        "period": period.as_key(),
    }
    if first.doc_scope:
        base_key["doc_id"] = first.doc_scope

    facts: list[Fact] = []
    conflicts: list[Conflict] = []
    for variant, gs in enumerate(fact_sets):
        key = dict(base_key)
        if variant:
            key["variant"] = variant
        fid = fact_id_for(key)
        claims = sorted((p for g in gs for p in g.claims()), key=lambda p: p.order)
        rep_p = claims[0]
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
            n = sources["n_independent"] if cfg["status"]["agreed_requires_independent"] else sources["n_docs"]
            status = "agreed" if n >= 2 else "single"
        fact = Fact(
            fact_id=fid,
            key=key,
            subject=_copy_ref(rep_p.claim.subject),
            # the fact's target: the representative's, else the one its family names
            object=_copy_ref(rep_p.claim.object if rep_p.claim.object is not None else
                             next((p.claim.object for p in claims if p.claim.object is not None
                                   and p.claim.object.label != "NP"), None)),
            metric=first.metric,
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
        )
        facts.append(fact)
        if is_conflict:
            reason, rel = _reason(gs, unit, ctx)
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
    the unit most claims are written in, then alphabetical."""
    remaining = sorted(ps, key=lambda p: p.order)
    out = []
    while remaining:
        counts: dict[str, int] = {}
        own: dict[str, int] = {}
        for p in remaining:
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
# Decisions


NO_CONFLICT = "no current conflict has this id (the claims or figures changed)"


def _apply_decisions(facts: list[Fact], conflicts: list[Conflict], decisions: list[dict]) -> dict[int, str | None]:
    """Apply the decisions whose conflict is in ``conflicts``; returns, for each
    of those (by index in ``decisions``), None when valid or why it is stale.
    The last valid decision for a conflict wins.  Decisions about conflicts not
    here are not judged (see :func:`merge_partitions`)."""
    by_id = {c.conflict_id: c for c in conflicts}
    fact_by_id = {f.fact_id: f for f in facts}
    chosen: dict[str, dict] = {}
    judged: dict[int, str | None] = {}
    for i, d in enumerate(decisions or []):
        cid = d.get("conflict_id")
        c = by_id.get(cid)
        if c is None:
            continue
        acc = d.get("accept_claim")
        if acc is not None and not any(acc in g["claim_ids"] for g in c.groups):
            judged[i] = f"claim {acc} is not part of conflict {cid}"
            continue
        if d.get("value") is not None:
            try:
                v = float(d["value"])
            except (TypeError, ValueError):
                v = math.nan
            if not math.isfinite(v):
                judged[i] = f"value {d['value']!r} is not a finite number"
                continue
        judged[i] = None
        chosen[cid] = d
    for cid in sorted(chosen):
        d = chosen[cid]
        c = by_id[cid]
        fact = fact_by_id[c.fact_id]
        acc = d.get("accept_claim")
        value = d.get("value")
        group = None
        if acc is not None:
            group = next(g for g in c.groups if acc in g["claim_ids"])
        if value is not None:
            value = float(value)
        elif acc is not None:
            value = next((r["value"] for r in fact.provenance if r["claim_id"] == acc), group["value"])
        resolution = {
            "value": value,
            "unit": fact.unit,
            "claim_id": acc,
            "who": d.get("who"),
            "when": d.get("when"),
            "note": d.get("note"),
        }
        c.resolution = dict(resolution)
        fact.resolution = dict(resolution)
        fact.status = "resolved"
        fact.value = value
        if group is not None and d.get("value") is None:
            fact.value_min, fact.value_max = group["value_min"], group["value_max"]
        else:
            fact.value_min = fact.value_max = fact.value
    return judged


# --------------------------------------------------------------------------
# Partitions and entry point


class PartitionResult(NamedTuple):
    """What :func:`resolve_partition` returns (a tuple: picklable, unpackable)."""
    facts: list[Fact]
    conflicts: list[Conflict]
    decisions: dict[int, str | None]  # index in decisions -> None (applied) or why stale; only those judged here
    stats: dict[str, int]  # blocks, largest_block, comparisons
    timings: dict[str, float]  # blocking, grouping, decisions


def copy_groups(dependent_docs: list[dict]) -> list[list[str]]:
    """Groups of documents linked by copy pairs (``find_dependent_docs``)."""
    return _uf_groups((p["doc_ids"][0], p["doc_ids"][1]) for p in dependent_docs)


def resolve_partition(claims: list[Claim], documents: dict[str, dict], decisions: list[dict] | None,
                      cfg: dict, dependent_groups: list[list[str]]) -> PartitionResult:
    """Resolve ``claims`` that form whole :func:`block_key` groups (any union
    of them; all claims sharing a key must be in the same call).

    ``documents`` needs only the claims' documents, and only their metadata
    (published, path, outlet, url; ``text`` is not read).  ``cfg`` is
    ``load_config(config)``; ``dependent_groups`` is
    ``copy_groups(find_dependent_docs(all documents, all claims))``, computed
    once over the whole corpus.  Facts come back unsorted; decisions are
    applied to the conflicts found here."""
    timings: dict[str, float] = {}
    ctx = _Ctx(cfg, documents)
    t = _time.perf_counter()
    ordered = sorted(claims, key=_claim_sort_key)
    blocks: dict[tuple, list[_P]] = {}
    for i, c in enumerate(ordered):
        p = _prepare(c, i, documents, cfg)
        blocks.setdefault(p.block, []).append(p)
    _attach_untargeted(blocks)
    timings["blocking"] = _time.perf_counter() - t

    t = _time.perf_counter()
    facts: list[Fact] = []
    conflicts: list[Conflict] = []
    for bkey in sorted(blocks, key=lambda k: tuple("" if x is None else x for x in k)):
        for period, members in _period_clusters(blocks[bkey], ctx):
            for unit, comp in _unit_components(members):
                fs, cs = _build(comp, period, unit, ctx, dependent_groups)
                facts.extend(fs)
                conflicts.extend(cs)
    timings["grouping"] = _time.perf_counter() - t

    t = _time.perf_counter()
    from pipeline.decisions import apply_decisions
    judged = apply_decisions(facts, conflicts, decisions or [])
    timings["decisions"] = _time.perf_counter() - t
    stats = {"blocks": len(blocks), "largest_block": max((len(v) for v in blocks.values()), default=0),
             "comparisons": ctx.comparisons}
    return PartitionResult(facts, conflicts, judged, stats, timings)


def _attach_untargeted(blocks: dict[tuple, list[_P]]) -> None:
    """Claims that name no object join their family's block when the family names exactly one
    object ("AMD paid $5.4bn" and "AMD paid $5.4bn for ATI" are one fact); with several named
    objects they stay apart, since which one they mean is unknown."""
    families: dict[tuple, list[tuple]] = {}
    for key in blocks:
        subject, obj, metric, dim, doc_scope = key
        families.setdefault((subject, metric, dim, doc_scope), []).append(key)
    for fam, keys in families.items():
        named = [k for k in keys if k[1] is not None]
        bare = [k for k in keys if k[1] is None]
        if len(named) != 1 or not bare:
            continue
        target = named[0]
        for k in bare:
            for p in blocks.pop(k):
                p.obj = target[1]
                p.block = target
                blocks[target].append(p)
        blocks[target].sort(key=lambda p: p.order)


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


def resolve(claims: list[Claim], documents: dict[str, dict], decisions: list[dict] | None = None,
            config: dict | None = None) -> Resolution:
    """Group ``claims`` into facts, find conflicts and copied sources, apply
    ``decisions`` (see :mod:`pipeline.decisions`).

    The same steps as a distributed run (:func:`pipeline.engine.resolve_dask`):
    copies over the whole corpus, then one :func:`resolve_partition` holding
    every block, then :func:`merge_partitions`."""
    t0 = _time.perf_counter()
    cfg = load_config(config)
    documents = documents or {}
    stats: dict[str, int] = {}

    t = _time.perf_counter()
    dependent = find_dependent_docs(documents, claims, _cfg=cfg, _stats=stats)
    dep_groups = copy_groups(dependent)
    t_dep = _time.perf_counter() - t

    part = resolve_partition(claims, documents, decisions, cfg, dep_groups)
    facts, conflicts, stale, pstats, ptimes = merge_partitions([part], decisions)
    timings = {"dependence": t_dep, **ptimes, "total": _time.perf_counter() - t0}
    stats.update({
        "claims": len(claims),
        "blocks": pstats["blocks"],
        "largest_block": pstats["largest_block"],
        "comparisons": pstats["comparisons"],
        "facts": len(facts),
        "conflicts": len(conflicts),
    })
    return Resolution(facts=facts, conflicts=conflicts, dependent_docs=dependent,
                      stale_decisions=stale, timings=timings, stats=stats)
