"""The period a claim refers to, anchored on the article's publication date.

``published`` may be partial ("2024", "2024-07") or full ("2024-07-23"). A
relative expression ("this year", "last month", "by year's end") resolves to
a period at its own granularity; "currently"/"now"/"this week" resolve to the
publication period; absolute expressions ("in 2023", "June 2024", "Q1 2025")
go through dateparser (``DateDataParser``), whose ``period`` gives the
granularity.
"""
from __future__ import annotations

import calendar
import re
from datetime import date
from functools import lru_cache

from spacy.tokens import Span

from .records import TimeRef

BASELINE = re.compile(r"\b(?:compared (?:to|with)|from|since|than|versus|vs\.?|over)\s*$", re.I)
NOW_WORDS = {"currently", "now", "today", "presently", "so far"}
QUARTERS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "1": 1, "2": 2, "3": 3, "4": 4}


def parse_published(published: str | None) -> tuple[date | None, str | None]:
    """(anchor date, granularity) for '2024', '2024-07', '2024-07-23'."""
    if not published:
        return None, None
    m = re.match(r"^(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?", published.strip())
    if not m:
        return None, None
    y = int(m.group(1))
    if m.group(3):
        return date(y, int(m.group(2)), int(m.group(3))), "day"
    if m.group(2):
        return date(y, int(m.group(2)), 1), "month"
    return date(y, 1, 1), "year"


def period(d: date, gran: str) -> tuple[str, str]:
    if gran == "year":
        return date(d.year, 1, 1).isoformat(), date(d.year, 12, 31).isoformat()
    if gran == "quarter":
        q = (d.month - 1) // 3
        start = date(d.year, q * 3 + 1, 1)
        end_m = q * 3 + 3
        return start.isoformat(), date(d.year, end_m, calendar.monthrange(d.year, end_m)[1]).isoformat()
    if gran == "month":
        return date(d.year, d.month, 1).isoformat(), date(d.year, d.month, calendar.monthrange(d.year, d.month)[1]).isoformat()
    return d.isoformat(), d.isoformat()


def resolve_expression(text: str, published: str | None) -> tuple[str | None, str | None] | None:
    """(start, end) ISO dates for a time expression, or None when it is not a period."""
    t = text.lower().strip()
    t = re.sub(r"^(?:in|on|by|during|for|at|of)\s+", "", t)
    anchor, gran = parse_published(published)
    m = re.search(r"\b(1[89]\d\d|20\d\d)\b", t)
    year_only = re.fullmatch(r"(?:the\s+)?(?:fiscal\s+|calendar\s+|fy\s*)?(?:year\s+)?(1[89]\d\d|20\d\d)(?:\s+alone)?", t)
    if year_only:
        y = int(year_only.group(1))
        return date(y, 1, 1).isoformat(), date(y, 12, 31).isoformat()
    qm = re.search(r"\b(?:q([1-4])|(first|second|third|fourth) quarter)\b", t)
    if qm:
        qn = QUARTERS[qm.group(1) or qm.group(2)]
        y = int(m.group(1)) if m else (anchor.year if anchor else None)
        if y is None:
            return None
        return period(date(y, qn * 3 - 2, 1), "quarter")
    if anchor is None:
        return None
    rel = {"this": 0, "the current": 0, "current": 0, "last": -1, "past": -1, "previous": -1, "next": 1, "coming": 1}
    rm = re.fullmatch(r"(?:(this|the current|current|last|past|previous|next|coming)\s+)(year|month|quarter|week)(?:\s+alone)?", t)
    if rm or re.search(r"\b(?:year'?s end|year-end|end of (?:the|this) year|the year|full[- ]year|this year)\b", t):
        if rm:
            shift, unit = rel[rm.group(1)], rm.group(2)
        else:
            shift, unit = 0, "year"
        if unit == "week":
            unit = "month" if gran != "day" else "day"
            if unit == "day":
                return anchor.isoformat(), anchor.isoformat()
        if unit == "year":
            return period(date(anchor.year + shift, 1, 1), "year")
        if unit == "quarter":
            mth = anchor.month + 3 * shift
            y = anchor.year + (mth - 1) // 12
            return period(date(y, (mth - 1) % 12 + 1, 1), "quarter")
        mth = anchor.month + shift
        y = anchor.year + (mth - 1) // 12
        return period(date(y, (mth - 1) % 12 + 1, 1), "month")
    if t in NOW_WORDS or re.fullmatch(r"(?:this|last|on)?\s*(?:week|monday|tuesday|wednesday|thursday|friday|saturday|sunday)", t) \
            or t in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"):
        return period(anchor, gran if gran != "year" else "year")
    if re.search(r"\b(?:next|past|last|coming)\s+(?:few|several|\d+|two|three|four|five|ten)\b", t):
        return None  # a span of time ("the next few years"), not a reference period
    parsed = _dateparse(t, anchor.isoformat())
    if parsed is None:
        return None
    d, g = parsed
    if g == "month" and not m and anchor is not None and d > anchor and gran != "day":
        # "in June" in a July article: the most recent June
        d = date(d.year - 1, d.month, 1) if d.month > anchor.month else d
    return period(d, g)


@lru_cache(maxsize=4096)
def _dateparse(text: str, anchor_iso: str):
    from datetime import datetime

    import dateparser
    from dateparser.date import DateDataParser

    base = datetime.fromisoformat(anchor_iso)
    ddp = _ddp(anchor_iso)
    try:
        data = ddp.get_date_data(text, date_formats=None)
    except Exception:  # dateparser raises on some odd strings
        return None
    if data is None or data.date_obj is None:
        return None
    d = data.date_obj.date()
    g = data.period or "day"
    if g not in ("year", "month", "day"):
        g = "day"
    if not re.search(r"\d", text) and g == "day" and not re.search(r"yesterday|tomorrow|ago", text):
        # relative words dateparser reads against *today*; re-read against the anchor
        data = dateparser.parse(text, settings={"RELATIVE_BASE": base, "PREFER_DATES_FROM": "past"})
        if data is None:
            return None
        d = data.date()
    return d, g


@lru_cache(maxsize=64)
def _ddp(anchor_iso: str):
    """A parser whose missing parts (the year of "June") come from the anchor date."""
    from datetime import datetime

    from dateparser.date import DateDataParser

    return DateDataParser(languages=["en"], settings={
        "PREFER_DAY_OF_MONTH": "first", "PREFER_DATES_FROM": "past", "RETURN_TIME_AS_PERIOD": False,
        "RELATIVE_BASE": datetime.fromisoformat(anchor_iso)})


def resolve_time(sent: Span, qspan: Span, published: str | None) -> TimeRef | None:
    """The time expression of the sentence that the quantity refers to."""
    doc = sent.doc
    cands = []
    for ent in sent.ents:
        if ent.label_ not in ("DATE",):
            continue
        if ent.start_char < qspan.end_char and qspan.start_char < ent.end_char:
            continue
        before = doc.text[max(sent.start_char, ent.start_char - 20):ent.start_char]
        if BASELINE.search(before):
            continue
        dist = min(abs(ent.start - qspan.end), abs(qspan.start - ent.end))
        cands.append((dist, ent.start_char, ent))
    for tok in sent:
        if tok.lower_ in NOW_WORDS and tok.pos_ == "ADV":
            cands.append((abs(tok.i - qspan.start) + 3, tok.idx, tok))
    for dist, _, ent in sorted(cands, key=lambda c: (c[0], c[1])):
        text = ent.text
        res = resolve_expression(text, published)
        if res is None:
            continue
        return TimeRef(text=text, start=res[0], end=res[1], source="text")
    return None
