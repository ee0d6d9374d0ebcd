"""Comparison: the signals of a candidate pair and the decision to link it (config ``linking``).

Signals (each in [-1, 1]; weights in ``linking.weights``):
    subject   1 when both canonical subjects are entities and equal
    object    1 when both name the same target; -1 (weight ``object_differs``) when both name
              different targets ("invested in X" vs "in Y")
    entities  idf-weighted Dice coefficient of the two entity lists (:func:`weighted_overlap`)
    doc_entities  the same for the two articles' main names (two articles)
    words     the same for the content words of the two sentences ('13-inch', 'retina', 'seed')
    metric    1 same metric (after aliases), -1 (``metric_differs``) two different known families
              (:func:`known_metrics`), 0 otherwise
    same_doc  1 when both come from one document
    rare_value  two articles stating the same number: its idf over the documents / ``rare_value_idf``
              (capped at 1): '$160 million' in two articles says more than '$1 billion'
Hard signals:
    time      :func:`pipeline.resolve.periods.time_compatible`
    values    1 when the intervals intersect in a unit both can be expressed in
    cannot    one document, values that do not intersect: never one fact

``topic`` is the weighted sum of the soft signals.  A pair links (one fact) when time is
compatible, it is not a cannot-link, and either ``topic >= thresholds.link`` or the values agree,
both state the same number (:func:`stated_numbers_meet`: '£100m' and 'up to £100m'), and
``topic >= thresholds.agree``.  Two vague magnitudes of two articles never link (a *weak* link: it may
only join clusters whose values keep a common point).  Entity overlaps weigh names by idf over the
corpus (:func:`name_idf`).  ``strong`` pairs -- topic >= ``thresholds.conflict``, the same subject, the same metric or
sentences sharing content words (``conflict_min_words``), metrics and objects not different, values that differ by at most ``max_value_ratio`` times
(``max_value_ratio_same_metric`` when both name the same metric) (a thousandfold gap is a
misread scale or another figure, not a disagreement) -- are the evidence a conflict needs.  A pair whose only obstacle is time is a
*series* link: the same thing at another time (a timeline).
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

from pipeline.datafiles import load_json

from .blocking import _P
from .intervals import Interval, claim_interval_in, rounding_half_step, value_in
from .periods import time_compatible


@dataclass
class Link:
    """The comparison of two claims, ``a`` and ``b`` (their ``order`` in the claim list): the topic score, the
    ``signals`` behind it and the verdicts (``same_fact``, ``series``, ``strong``, ...) that linking reads."""

    a: int  # position (order) of the first claim
    b: int
    topic: float
    signals: dict[str, Any] = field(default_factory=dict)
    same_fact: bool = False
    series: bool = False  # the same thing at another time
    strong: bool = False
    values_agree: bool = False
    cannot: bool = False
    weak: bool = False  # linked by agreeing values only (topic below the link threshold)
    same_number: bool = False  # both state the same number (:func:`stated_numbers_meet`)

    @property
    def score(self) -> float:
        """Order in which links are applied: the same stated number first, then agreeing values,
    then topic."""
        return self.topic + (1.0 if self.values_agree else 0.0) + (1.0 if self.same_number else 0.0)

    def record(self, claim_id_a: str, claim_id_b: str) -> dict[str, Any]:
        """The link as output evidence: ``{"claims": [claim_id_a, claim_id_b], "topic": <3 decimals>,
        "signals": {...}}``."""
        return {"claims": [claim_id_a, claim_id_b], "topic": round(self.topic, 3),
                "signals": self.signals}


def _ratio(a: _P, b: _P, cfg: dict) -> float:
    """How many times larger the larger value is (in the shared unit; inf when not comparable)."""
    u = next((u for u in a.units if u in b.units), None)
    if u is None:
        return float("inf")
    x, y = value_in(a.claim, u, cfg), value_in(b.claim, u, cfg)
    if not x or not y or (x > 0) != (y > 0):
        return float("inf")
    return max(abs(x), abs(y)) / min(abs(x), abs(y))


def _metrics_json() -> dict:
    """``data/metrics.json`` through the one cached loader the claims stage reads it with
    (:func:`pipeline.datafiles.load_json`); ``{}`` when it is missing or not JSON."""
    try:
        return load_json("metrics.json")
    except (OSError, ValueError):
        return {}


@functools.cache
def _rule_metrics() -> frozenset[str]:
    """Metric names the claims stage assigns (``data/metrics.json``: taxonomy family ids, or the
    older rule metrics)."""
    data = _metrics_json()
    rules = data.get("rules") or []
    # metrics.json now describes families (``id``) instead of rules (``metric``): read both
    families = data.get("families") or []
    return frozenset([str(r.get("metric")) for r in rules if isinstance(r, dict) and r.get("metric")]
                     + [str(f.get("id")) for f in families if isinstance(f, dict) and f.get("id")])


@functools.cache
def spec_metrics() -> frozenset[str]:
    """Metric families that measure a product's or contract's attribute in their own units
    (``data/metrics.json`` families with ``units``: battery life, clock speed, thickness, ...)."""
    families = _metrics_json().get("families") or []
    return frozenset(str(f["id"]) for f in families if isinstance(f, dict) and f.get("id") and f.get("units"))


def known_metrics(cfg: dict) -> set[str]:
    """Metric families: those the claims stage assigns (taxonomy family ids), the alias targets and ``metrics.families``.
    Other metric names (a verb such as 'start' or 'get') are read as generic."""
    m = cfg["metrics"]
    return set(_rule_metrics()) | set(m["aliases"].values()) | set(m.get("families", []))


def _direction(metric: str, cfg: dict) -> str | None:
    """'up' / 'down' from the metric name's suffix (``linking.direction_suffixes``), else None."""
    for d, suffixes in cfg["linking"]["direction_suffixes"].items():
        if any(metric.endswith(sfx) for sfx in suffixes):
            return d
    return None


def _metric_signal(a: str, b: str, cfg: dict, known: set[str] | None = None) -> int:
    """1 same metric, -1 two different known families or opposite directions
    ('share_price_growth' vs 'share_price_decline'), 0 otherwise (generic or unknown)."""
    generic = set(cfg["linking"]["generic_metrics"])
    if a in generic or b in generic:
        return 0
    if a == b:
        return 1
    da, db = _direction(a, cfg), _direction(b, cfg)
    if da and db and da != db:
        return -1  # a rise and a fall are two facts, whatever the metric names
    known = known_metrics(cfg) if known is None else known
    return -1 if a in known and b in known else 0


def weighted_overlap(a: list[str], b: list[str], idf: dict[str, float] | None,
                     _cache: dict | None = None) -> float:
    """Dice coefficient of two name lists, each name weighted by its idf (rare names count more;
    names found in one document only, idf absent, cannot be shared and are left out):
    2 x shared weight / (weight of a + weight of b).  Without ``idf``: plain Dice."""
    if idf is None:
        return 2 * len(set(a) & set(b)) / (len(set(a)) + len(set(b)))
    wa, sa = _weights(a, idf, _cache)
    wb, sb = _weights(b, idf, _cache)
    if not wa or not wb:
        return 0.0
    if len(wa) > len(wb):
        wa, wb = wb, wa
    shared = sum(w for k, w in wa.items() if k in wb)
    return 2 * shared / (sa + sb)


def _weights(names: list[str], idf: dict[str, float], cache: dict | None) -> tuple[dict[str, float], float]:
    key = id(names)
    if cache is not None and key in cache and cache[key][0] is names:
        return cache[key][1]
    w = {k: idf[k] for k in names if k in idf}
    out = (w, sum(w.values()))
    if cache is not None:
        cache[key] = (names, out)
    return out


def _stated(p: _P, unit: str, cfg: dict) -> Interval | None:
    """The number as written, +/- rounding at its last digit, in ``unit``: a bound's or a vague
    magnitude's reference number ('up to £100m' -> £100m), an exact or approximate figure's
    value, a range's [min, max]."""
    c = p.claim
    v = value_in(c, unit, cfg)
    if v is None:
        return None
    f = v / c.value if c.value else 1.0
    if p.ctype == "range":
        return None  # a range states two numbers: see stated_numbers_meet
    elif p.ctype == "bound":
        ref = c.value_min if c.bound == "lower" and c.value_min is not None else (
            c.value_max if c.bound == "upper" and c.value_max is not None else c.value)
        lo = hi = ref * f
    elif p.ctype == "vague":
        return None
    else:
        lo = hi = v
    h = rounding_half_step(c.surface, v, cfg)
    return Interval(lo - h, hi + h, False, h > 0)


def _same_ends(a: _P, b: _P, unit: str, cfg: dict) -> bool:
    fa = (value_in(a.claim, unit, cfg) or 0) / a.claim.value if a.claim.value else 1.0
    fb = (value_in(b.claim, unit, cfg) or 0) / b.claim.value if b.claim.value else 1.0
    ends = []
    for p, f in ((a, fa), (b, fb)):
        h = rounding_half_step(p.claim.surface, p.claim.value_min, cfg) * f
        ends.append((Interval(p.claim.value_min * f - h, p.claim.value_min * f + h, False, h > 0),
                     Interval(p.claim.value_max * f - h, p.claim.value_max * f + h, False, h > 0)))
    return ends[0][0].intersect(ends[1][0]) is not None and ends[0][1].intersect(ends[1][1]) is not None


def stated_numbers_meet(a: _P, b: _P, cfg: dict) -> bool:
    """Both state the same number (within rounding), whatever their qualifiers: '£100m' and
    'up to £100m' do; 'over $5bn' and '$7bn' do not (they only agree).  Two ranges state the
    same numbers when both ends agree; a range and a single figure never do ('$1,099 to $1,499'
    is not '$1,199').  Vague magnitudes never."""
    u = next((u for u in a.units if u in b.units), None)
    if u is None:
        return False
    if a.ctype == "range" or b.ctype == "range":
        if a.ctype != b.ctype:
            return False
        return (claim_interval_in(a.claim, u, cfg) or Interval(0, -1)).intersect(
            claim_interval_in(b.claim, u, cfg) or Interval(1, 0)) is not None and _same_ends(a, b, u, cfg)
    x, y = _stated(a, u, cfg), _stated(b, u, cfg)
    return x is not None and y is not None and x.intersect(y) is not None


def values_meet(a: _P, b: _P, cfg: dict, cache: dict | None = None) -> bool | None:
    """True when the two claims' intervals intersect in a unit both are expressed in, False when
    they share a unit and do not, None when no unit is shared (never compared)."""
    shared = [u for u in a.units if u in b.units]
    if not shared:
        return None
    u = shared[0]

    def iv(p: _P) -> Interval | None:
        if cache is None:
            return claim_interval_in(p.claim, u, cfg)
        k = (p.order, u)
        if k not in cache:
            cache[k] = claim_interval_in(p.claim, u, cfg)
        return cache[k]

    ia, ib = iv(a), iv(b)
    if ia is None or ib is None:
        return None
    return ia.intersect(ib) is not None


def compare(a: _P, b: _P, cfg: dict, cache: dict | None = None, known: set[str] | None = None) -> Link:
    """Compare two prepared claims of one dimension (module docstring)."""
    lc = cfg["linking"]
    w = lc["weights"]
    th = lc["thresholds"]
    sig: dict[str, Any] = {}
    topic = 0.0
    if a.subject and b.subject and a.claim.subject is not None and b.claim.subject is not None \
            and a.claim.subject.label != "NP" and b.claim.subject.label != "NP" and a.subject == b.subject:
        sig["subject"] = 1
        topic += w["subject"]
    if a.obj and b.obj:
        if a.obj == b.obj:
            sig["object"] = 1
            topic += w["object"]
        else:
            sig["object"] = -1
            topic += w["object_differs"]
    idf = cfg.get("_idf")
    wcache = cache.setdefault("_weights", {}) if cache is not None else None
    if a.ents and b.ents:
        ov = weighted_overlap(a.ents, b.ents, idf, wcache)
        if ov:
            sig["entities"] = round(ov, 3)
            topic += w["entities"] * ov
    if a.doc_ents and b.doc_ents and a.claim.doc_id != b.claim.doc_id:
        dov = weighted_overlap(a.doc_ents, b.doc_ents, idf, wcache)
        if dov:
            sig["doc_entities"] = round(dov, 3)
            topic += w["doc_entities"] * dov
    if a.words and b.words and "_widf" in cfg:
        wov = weighted_overlap(a.words, b.words, cfg["_widf"], wcache)
        if wov:
            sig["words"] = round(wov, 3)
            topic += w["words"] * wov
    m = _metric_signal(a.metric, b.metric, cfg, known)
    if m:
        sig["metric"] = m
        topic += w["metric"] if m > 0 else w["metric_differs"]
    same_doc = a.claim.doc_id == b.claim.doc_id
    if same_doc:
        sig["same_doc"] = 1
        topic += w["same_doc"]
    agree = values_meet(a, b, cfg, cache)
    sig["values"] = "agree" if agree else ("differ" if agree is False else "no shared unit")
    t_ok, t_why = time_compatible(a.explicit, a.published, b.explicit, b.published, cfg)
    sig["time"] = t_why
    link = Link(a.order, b.order, topic, sig, values_agree=bool(agree))
    link.cannot = same_doc and agree is False
    specific = bool(agree) and stated_numbers_meet(a, b, cfg)
    link.same_number = specific
    if specific and "_vidf" in cfg and a.claim.doc_id != b.claim.doc_id:
        # the same number in two articles is evidence in proportion to how rare it is
        rar = min(cfg["_vidf"].get(value_key(a), 0.0), cfg["_vidf"].get(value_key(b), 0.0)) / lc["rare_value_idf"]
        if rar > 0:
            rar = round(min(1.0, rar), 3)
            sig["rare_value"] = rar
            topic += w["rare_value"] * rar
            link.topic = topic
    link.weak = not topic >= th["link"]
    fits = topic >= th["link"] or (agree and specific and topic >= th["agree"])
    if agree is None and topic < th["link"]:
        fits = False
    if a.ctype == "vague" and b.ctype == "vague" and not same_doc:
        fits = False  # 'billions' and 'multibillion' say too little to be one fact across articles
    max_ratio = lc["max_value_ratio_same_metric"] if m > 0 else lc["max_value_ratio"]
    if agree is False and _ratio(a, b, cfg) > max_ratio:
        fits = False  # figures this far apart are two facts, not one disputed fact
    mk, dk = int(lc["max_keys"]), int(lc["doc_keys"])
    if fits and not (same_doc or set(a.ents[:mk]) & set(b.ents[:mk]) or set(a.doc_ents[:dk]) & set(b.doc_ents[:dk])):
        # met only through the figure itself (``value_blocks``): "30%" of job cuts and "30%" revenue
        # growth share a number and nothing else, so the figure needs the same metric, the same
        # stated number, and an owner named by one of them that the other does not contradict
        owners = {x.subject for x in (a, b) if _named(x)}
        fits = m > 0 and specific and len(owners) == 1
        sig["met_by"] = "the figure alone"
    link.same_fact = fits and t_ok and not link.cannot
    link.series = fits and not t_ok
    # who (subject, names) is not enough for a disagreement: also what (the same metric, or
    # sentences sharing content words)
    same_what = m > 0 or sig.get("words", 0) >= lc["conflict_min_words"]
    same_who = sig.get("subject") == 1
    if not same_who and agree is False and _owner_implied(a, b, lc):
        # "a cluster of 100,000 GPUs needs 150 MW" (no named owner) vs "Meta's cluster draws 250 MW"
        # in an article mainly about Meta: linked as one fact, so the disagreement is evidence too
        sig["owner"] = "one subject unnamed; the other's is its article's main name"
        same_who = True
    link.strong = (topic >= th["conflict"] and agree is False and m >= 0 and same_who
                   and same_what and sig.get("object", 0) >= 0 and _ratio(a, b, cfg) <= max_ratio)
    return link


def _named(p: _P) -> bool:
    return bool(p.subject) and p.claim.subject is not None and p.claim.subject.label != "NP"


def _owner_implied(a: _P, b: _P, lc: dict) -> bool:
    """One claim names its owner, the other names none (no subject, or a noun phrase such as
    "the cluster"), and the named owner is one of the unnamed claim's own names or its article's
    first ``doc_keys`` main names: both are about that owner."""
    if _named(a) == _named(b):
        return False
    named, other = (a, b) if _named(a) else (b, a)
    key = (named.subject or "").lower()
    return key in other.ents or key in other.doc_ents[:int(lc["doc_keys"])]


def value_key(p: _P) -> tuple:
    """(unit, value to 3 significant digits): the figure as a token."""
    return (p.units[0] if p.units else "", float(f"{float(p.claim.value):.3g}"))


def value_idf(ps: list[_P]) -> dict[tuple, float]:
    """idf of every figure (:func:`value_key`) over the documents stating it."""
    import math
    docs: dict[tuple, set[str]] = {}
    all_docs = set()
    for p in ps:
        all_docs.add(p.claim.doc_id)
        docs.setdefault(value_key(p), set()).add(p.claim.doc_id)
    n = len(all_docs)
    return {k: math.log((n + 1) / len(d)) for k, d in docs.items()}


def _idf(ps: list[_P], features, min_docs: int = 1) -> dict[str, float]:
    """log((documents + 1) / documents with the feature) for every feature that
    ``features(p)`` yields in at least ``min_docs`` documents."""
    import math
    docs: dict[str, set[str]] = {}
    all_docs = set()
    for p in ps:
        all_docs.add(p.claim.doc_id)
        for k in features(p):
            docs.setdefault(k, set()).add(p.claim.doc_id)
    n = len(all_docs)
    return {k: math.log((n + 1) / len(d)) for k, d in sorted(docs.items()) if len(d) >= min_docs}


def word_idf(ps: list[_P]) -> dict[str, float]:
    """idf of every sentence word (words of one document included: unlike names, a sentence's
    own words say what else it is about, and count against the overlap)."""
    return _idf(ps, lambda p: p.words)


def name_idf(ps: list[_P]) -> dict[str, float]:
    """idf of every name found in >= 2 documents (claims' entities and articles' main names):
    log(documents / documents with the name)."""
    return _idf(ps, lambda p: list(p.ents) + list(p.doc_ents), min_docs=2)
