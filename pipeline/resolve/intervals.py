"""Value intervals: what a claim's figure allows (rounding at the last written digit,
approximation, bounds, ranges), in its own unit or a stated equivalent."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Iterable

from pipeline.records import Claim




INF = math.inf


TYPE_RANK = {"exact": 0, "approximate": 1, "range": 2, "bound": 3, "vague": 4}


@dataclass(frozen=True)
class Interval:
    """The values a claim allows, ``lo``..``hi`` in one unit (infinite for an open-ended bound);
    ``lo_open``/``hi_open`` exclude that end."""

    lo: float
    hi: float
    lo_open: bool = False
    hi_open: bool = False

    def intersect(self, other: "Interval") -> "Interval | None":
        """Where the two intervals meet (open ends respected, with a 1e-9 relative tolerance), or None when
        they do not."""
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
        """The interval with both ends multiplied by ``f`` (swapped when ``f`` is negative)."""
        a, b = self.lo * f, self.hi * f
        if f >= 0:
            return Interval(a, b, self.lo_open, self.hi_open)
        return Interval(b, a, self.hi_open, self.lo_open)

    def hull(self, other: "Interval") -> "Interval":
        """The smallest interval holding both; an end is open only when every interval with that end has it
        open."""
        lo = min(self.lo, other.lo)
        hi = max(self.hi, other.hi)
        lo_open = (self.lo_open if self.lo == lo else True) and (other.lo_open if other.lo == lo else True)
        hi_open = (self.hi_open if self.hi == hi else True) and (other.hi_open if other.hi == hi else True)
        return Interval(lo, hi, lo_open, hi_open)

    @property
    def width(self) -> float:
        """``hi - lo`` (infinite for a bound)."""
        return self.hi - self.lo


def intervals_agree(a: Interval, b: Interval) -> bool:
    """True when the two intervals meet (:meth:`Interval.intersect`)."""
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
    """The relative tolerance a claim's qualifier allows (``cfg["tolerance"]["qualifiers"]``: the whole
    qualifier, else the longest word of the table in it, else ``tolerance.approximate``)."""
    q = _qualifier(c)
    table = cfg["tolerance"]["qualifiers"]
    if q in table:
        return float(table[q])
    for word in sorted(table, key=lambda w: (-len(w), w)):
        if re.search(r"\b" + re.escape(word) + r"\b", q):
            return float(table[word])
    return float(cfg["tolerance"]["approximate"])


def claim_type(c: Claim) -> str:
    """How a claim states its value: ``"vague"``, ``"bound"``, ``"range"``, ``"approximate"`` or ``"exact"``,
    first match in that order."""
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
    """A unit name through ``cfg["units"]["aliases"]`` (exact, then ignoring case); others stripped and kept
    as written; None -> ""."""
    u = (u or "").strip()
    aliases = cfg["units"]["aliases"]
    if u in aliases:
        return aliases[u]
    low = u.lower()
    for k, val in aliases.items():
        if k.lower() == low:
            return val
    return u


def claim_unit(c: Claim, cfg: dict) -> str:
    """The claim's own unit, normalised; for counts of people the counted-noun alias of
    ``units.counted_aliases`` when it names people ('jobs', 'roles', 'workers' -> 'person')."""
    u = norm_unit(c.unit, cfg)
    if cfg["kinds"]["groups"].get(c.kind, c.kind) == "count":
        w = u.lower()
        w = w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w
        alias = cfg["units"].get("counted_aliases", {}).get(w)
        if alias == "person":
            return alias
    return u


def claim_units(c: Claim, cfg: dict) -> list[str]:
    """The claim's own unit (:func:`claim_unit`) followed by the units of its stated equivalents, each
    once."""
    units = [claim_unit(c, cfg)]
    for e in c.equivalents or []:
        u = norm_unit(e.unit, cfg)
        if u not in units:
            units.append(u)
    return units


def value_in(c: Claim, unit: str, cfg: dict) -> float | None:
    """The claim's value in ``unit``: its own when that is its unit, else a stated equivalent's; None when it
    states none in ``unit`` (nothing is converted)."""
    if claim_unit(c, cfg) == unit:
        return float(c.value)
    for e in c.equivalents or []:
        if norm_unit(e.unit, cfg) == unit:
            return float(e.value)
    return None


def claim_interval_in(c: Claim, unit: str, cfg: dict) -> Interval | None:
    """``claim_interval`` expressed in ``unit``: the claim's own unit, or one of
    the equivalents stated with it (never an invented exchange rate)."""
    base = claim_interval(c, cfg)
    if claim_unit(c, cfg) == unit:
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

