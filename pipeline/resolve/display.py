"""Display helpers (also used by report.py) and the wording of conflict reasons."""
from __future__ import annotations

from pipeline.records import Claim
from pipeline.values import CURRENCY_SYMBOLS, format_quantity  # noqa: F401  (CURRENCY_SYMBOLS re-exported)

from .intervals import INF, approx_tolerance, claim_unit, value_in
from .blocking import _P


# one formatter for people, shared with the report
format_value = format_quantity


def display_claim(c: Claim) -> str:
    """The figure as written, with its qualifier ('up to $5bn')."""
    s = (c.surface or "").strip() or format_value(c.value, c.unit)
    q = (c.qualifier or "").strip()
    if q and q.lower() not in s.lower():
        s = f"{q} {s}"
    return s


def _pct(x: float) -> str:
    return f"{x * 100:.1f}%"


def _extent(p: _P, unit: str, cfg: dict) -> tuple[float, float]:
    """The stated extent of a claim in ``unit`` (no tolerance)."""
    c = p.claim
    v = value_in(c, unit, cfg)
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


def _reason(reps: list[_P], unit: str, cfg: dict) -> tuple[str, float]:
    """The conflict's reason and the largest relative gap, from each competing value group's
    representative claim (``reps``, at least two, in the groups' order) compared in ``unit``."""
    a, b = reps[0], reps[1]
    da, db = display_claim(a.claim), display_claim(b.claim)
    rel = _rel_gap(_extent(a, unit, cfg), _extent(b, unit, cfg))
    # the largest gap between any two competing values sets the severity
    worst = max(_rel_gap(_extent(x, unit, cfg), _extent(y, unit, cfg))
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
        tol = approx_tolerance(ap.claim, cfg)
        why = f"figures differ by {_pct(rel)}, more than the ±{tol * 100:g}% allowed for '{q}'"
    else:
        why = f"exact figures differ by {_pct(rel)}"
    reason = f"{da} vs {db}: {why}"
    if len(reps) > 2:
        reason += f" ({len(reps)} competing values)"
    if any(claim_unit(r.claim, cfg) != unit for r in reps):
        reason += f" (compared in {unit} via equivalents stated in the articles)"
    return reason, worst


def _severity(rel: float, cfg: dict) -> str:
    if rel < cfg["severity"]["low"]:
        return "low"
    if rel < cfg["severity"]["medium"]:
        return "medium"
    return "high"

