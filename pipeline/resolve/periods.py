"""Periods: a claim's stated period (``claim.time``), or its publication date as a hint."""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from pipeline.records import Claim, TimeRef




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
    """The period a claim refers to: ``start``..``end`` (inclusive dates; None when unknown), ``source``
    (``text``, ``published`` or ``unknown``) and ``text``, the time words when the text states it."""

    start: date | None
    end: date | None
    source: str  # text | published | unknown
    text: str | None = None

    @property
    def days(self) -> int:
        """Days from ``start`` to ``end``, both included; 0 when either is unknown."""
        if self.start is None or self.end is None:
            return 0
        return (self.end - self.start).days + 1

    def as_key(self) -> dict[str, Any]:
        """``{"start", "end"}`` as ISO dates (or None) and ``source``: the period's part of a fact key."""
        return {
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
            "source": self.source,
        }

    def time_ref(self) -> TimeRef | None:
        """The period as a :class:`~pipeline.records.TimeRef`; None when unknown."""
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
# Linking: time compatibility of two claims


def publication_date(c: Claim, documents: dict[str, dict]) -> date | None:
    """The first day of the claim's article's publication date (document metadata, else
    provenance, else a ``source="published"`` time), or None."""
    doc = documents.get(c.doc_id) or {}
    pub = doc.get("published") or (c.provenance.published if c.provenance else None)
    if not pub and c.time is not None and c.time.source == "published":
        pub = c.time.start
    b = _date_bounds(pub)
    return b[0] if b else None


def explicit_period(c: Claim) -> Period | None:
    """The period the text states (``claim.time`` with source 'text' and a date), else None:
    a null time and the publication-date fallback are both 'not stated'."""
    t = c.time
    if t is None or t.source == "published":
        return None
    sp = _span(t.start, t.end)
    return Period(sp[0], sp[1], "text", t.text) if sp else None


def _gap_days(p: Period, d: date) -> int:
    if p.start <= d <= p.end:
        return 0
    return (p.start - d).days if d < p.start else (d - p.end).days


def periods_near(p: Period, q: Period, cfg: dict) -> bool:
    """Two explicit periods are the same for linking: overlap >= ``min_overlap`` of the longer,
    or both <= ``short_days`` long and <= ``near_days`` apart."""
    pc = cfg["period"]
    if same_period(p, q, cfg):
        return True
    if p.days <= pc["short_days"] and q.days <= pc["short_days"]:
        gap = max((q.start - p.end).days, (p.start - q.end).days, 0)
        return gap <= pc["near_days"]
    return False


def time_compatible(a_explicit: Period | None, a_pub: date | None, b_explicit: Period | None,
                    b_pub: date | None, cfg: dict) -> tuple[bool, str]:
    """Can two claims state the same fact, as far as time goes?  (ok, why).  Two explicit
    periods: :func:`periods_near`; one unstated: the explicit period ends <= ``unknown_window_days``
    before the other's publication date, or later (a plan, a forecast); both unstated: published <= that many days apart."""
    w = cfg["period"]["unknown_window_days"]
    if a_explicit is not None and b_explicit is not None:
        ok = periods_near(a_explicit, b_explicit, cfg)
        return ok, "same stated period" if ok else "different stated periods"
    if a_explicit is not None or b_explicit is not None:
        e, pub = (a_explicit, b_pub) if a_explicit is not None else (b_explicit, a_pub)
        if pub is None:
            return True, "one period unstated (no publication date)"
        ok = e.end >= pub or _gap_days(e, pub) <= w
        return ok, "unstated period near the stated one" if ok else "unstated period long after the stated one"
    if a_pub is None or b_pub is None:
        return True, "no period stated"
    ok = abs((a_pub - b_pub).days) <= w
    return ok, "no period stated, published close together" if ok else "no period stated, published far apart"
