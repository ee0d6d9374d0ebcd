"""The period a claim refers to, anchored on the article's publication date.

Public API
----------
``time_for(qspan, sent, published) -> TimeRef | None``
    The period of the time expression that *governs* the quantity ``qspan``
    (a spaCy ``Span`` inside the sentence ``sent``), or ``None`` when the
    sentence states no time for it.  The publication date is never a period
    by itself: it stays in ``Provenance.published``.
``resolve_expression(text, published) -> (start, end) | None``
    ISO dates (inclusive) for one time expression, or ``None`` when it names
    no resolvable period ("the next few years", a relative expression with no
    publication date).
``find_expressions(text) -> list[TimeExpr]``
    The time expressions of a text, by character offsets.

``published`` may be partial ("2024", "2024-07") or full ("2024-07-23").

Kinds of expression (vocabulary in ``data/time_words.json``)
-----------------------------------------------------------
* weekday     "on Monday" = the Monday on or before publication; a future
              verb ("will meet on Monday") or "next Monday" takes the one after.
* week        "last week", "this week", "next week('s)" = Monday-Sunday weeks.
* span        "in the past three months", "over the last two years",
              "the next five years", "since 2020", "through 2027": N units
              ending (or starting) at the publication date.
* quarter     "Q3", "Q3 2024", "3Q24", "second-quarter", "the June quarter",
              "the three months to June 30", halves ("H1", "first half of 2025").
              Without a year, the nearest such quarter: from two quarters back
              to one ahead of publication.
* fiscal      "fiscal 2024", "FY2025", "FY24": the calendar year unless the
              sentence names a company in ``fiscal_year_start_month``
              (Microsoft's FY2025 is July 2024-June 2025); split years
              "2012-13", "FY2024-25" start in ``split_year_start_month`` (April).
* relative    "this year", "last month", "next quarter", "earlier this year",
              "year-end", "currently".
* shift       "a year earlier", "a year ago", "the previous year", "year-ago",
              "two quarters earlier": the period the sentence is about (its
              other stated period, else the previous sentence's of the same
              paragraph), moved back; without one, the publication period
              moved back.
* absolute    "in 2023", "June 2024", "in June", "July 4, 2024", "mid-2025",
              "2020-2023"; anything else spaCy marks DATE goes to dateparser.

Which expression governs a quantity (``time_for``)
--------------------------------------------------
Each expression attaches to a head in the dependency parse (its root's head,
past a preposition).  An expression governs a quantity when that head is the
quantity itself or one of its ancestors (the verb of its clause, a verb above
it), when the expression sits inside the quantity's own phrase, or when it
modifies the subject of a verb above the quantity ("second-quarter revenue
rose to $5m").  The nearest governing expression wins (fewest steps up from
the quantity).  A shift expression right after a figure ("from $4m a year
earlier") belongs to that figure only.  With no governing expression and a
single time expression in the sentence, that one is used (parses fail) unless
it describes an entity ("Figure, founded in 2022, ..."); with none, the result
is ``None``.  An expression right after a baseline figure ("versus £200m in
the fourth quarter of 2023") dates that figure only, and a shift after a
baseline word with no figure ("up 9% from a year ago") is no period at all.
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

from spacy.tokens import Span, Token

from .annotate import doc_text, load_json
from .records import TimeRef

_W = load_json("time_words.json")
MONTHS: dict[str, int] = _W["months"]
WEEKDAYS: dict[str, int] = _W["weekdays"]
ORDINALS: dict[str, int] = _W["ordinals"]
NUMBERS: dict[str, int] = _W["numbers"]
UNITS: dict[str, str] = _W["units"]
RELATIVE: dict[str, int] = _W["relative"]
NOW_WORDS = set(_W["now_words"])
FUTURE_AUX = set(_W["future_auxiliaries"])
SPLIT_START = int(_W["split_year_start_month"])
FISCAL_START = {k: int(v) for k, v in _W["fiscal_year_start_month"].items() if not k.startswith("_")}
QUARTERS = {**ORDINALS, "1": 1, "2": 2, "3": 3, "4": 4}
EDGE_NOUNS = set(_W["edge_nouns"])  # "by the end of next year": the expression governs through "end"
WEEKDAY_NAME_WORDS = set(_W["weekday_name_words"])
_NON_TIME = re.compile(r"\b(?:" + "|".join(re.escape(p) for p in sorted(_W["non_time_phrases"], key=len, reverse=True))
                       + r")\b", re.I)  # "buy now, pay later", "year on year": idioms, not periods  # "Black Friday", "Super Tuesday": names, not days


def _alt(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


# month and weekday names only count capitalised ("may" and "march" are verbs)
_MON = "(?-i:" + "|".join(sorted({w.capitalize() for w in MONTHS}, key=len, reverse=True)) + r")(?:\.(?=\s\d))?"
_WD = "(?-i:" + "|".join(w.capitalize() for w in WEEKDAYS) + ")"
_YEAR = r"(?:1[89]\d\d|20\d\d)"
_NUM = r"(?:\d{1,3}|" + _alt(NUMBERS) + ")"
_UNIT = "(?:" + _alt(UNITS) + ")"
_BACK = _alt(_W["span_backward"])
_BACK1, _FWD1 = "past|last", "next|coming"  # "the past year" is a span; "the previous year" a shift
_FWD = _alt(_W["span_forward"])
_SHIFT = _alt(_W["shift_back"])
_REL = _alt(RELATIVE)
_ORD = _alt(ORDINALS)
_QMON = "(?-i:March|June|September|December|Mar|Jun|Sept|Sep|Dec)"
_NOW = _alt(NOW_WORDS)
_VAGUE = _alt(_W["vague_counts"])
_BASELINE = re.compile(r"\b(?:" + _alt(_W["baseline_before"]) + r")\s+(?:(?:in|during|for|on|at|over)\s+)?$", re.I)

# (kind, pattern) in priority order: at one position the longest match wins, then the earliest rule
_RULES: list[tuple[str, str]] = [
    ("vague_span", rf"\b(?:(?:in|over|during|for|within)\s+)?(?:the\s+)?(?:{_BACK}|{_FWD})\s+(?:{_VAGUE})\s+(?:{_UNIT})\b"),
    ("span", rf"\b(?:(?:in|over|during|for|within|across)\s+)?the\s+(?P<dir>{_BACK1}|{_FWD1})\s+(?P<unit>{_UNIT})\b"),
    ("span", rf"\b(?:(?:in|over|during|for|within|across)\s+)?the\s+(?P<dir>{_BACK}|{_FWD})\s+(?P<n>{_NUM})\s+(?P<unit>{_UNIT})\b"),
    ("span", rf"\b(?:(?:in|over|during|for|within|across)\s+)?(?P<dir>{_BACK}|{_FWD})\s+(?P<n>{_NUM})\s+(?P<unit>{_UNIT})\b"),
    ("span", rf"\bwithin\s+(?:the\s+)?(?P<dir>{_FWD})?\s*(?P<n>{_NUM})\s+(?P<unit>{_UNIT})\b"),
    ("since", rf"\bsince\s+(?:(?P<month>{_MON})\s+)?(?P<year>{_YEAR})\b"),
    ("since", rf"\bsince\s+(?:early\s+|mid-|late\s+)?(?P<month>{_MON})\b(?!\s+\d)"),
    ("year_range", rf"\b(?:(?:from|between)\s+)?(?P<y1>{_YEAR})\s*(?:-|–|—|to|and|through)\s*(?P<y2>{_YEAR})\b"),
    ("split_year", rf"\b(?:(?:fiscal|financial)\s+(?:year\s+)?|FY\s?)?(?P<y1>{_YEAR})\s?[-–/]\s?(?P<y2>\d\d)\b(?![-–/]?\d)"),
    ("split_year", r"\bFY\s?(?P<y1s>\d\d)\s?[-–/]\s?(?P<y2>\d\d)\b"),
    ("fiscal_quarter", rf"\b(?:the\s+)?(?:(?P<ord>{_ORD})[- ]quarter|Q(?P<q>[1-4]))\s+(?:of\s+)?(?:(?:fiscal|financial)\s+(?:year\s+)?|FY\s?)(?P<year>{_YEAR}|\d\d)\b"),
    ("fiscal_quarter", rf"\b(?:(?:fiscal|financial)\s+(?:year\s+)?|FY\s?)(?P<year>{_YEAR}|\d\d)\s+(?:(?P<ord>{_ORD})[- ]quarter|Q(?P<q>[1-4]))\b"),
    ("fiscal_quarter", rf"\bQ(?P<q>[1-4])\s?FY\s?(?P<year>{_YEAR}|\d\d)\b"),
    ("fiscal_quarter", rf"\b(?:the\s+)?(?:company['’]s\s+)?(?:fiscal|financial)(?:[- ]year)?\s+(?P<ord>{_ORD})[- ]quarter\b"),
    ("fiscal", rf"\b(?:(?:the\s+)?(?:fiscal|financial)\s+(?:year\s+)?|FY\s?-?)(?P<year>{_YEAR}|\d\d)\b"),
    ("half", rf"\b(?:the\s+)?(?P<ord>first|second|1st|2nd)[- ]half(?:\s+(?:of\s+)?(?:the\s+year\s+)?(?P<year>{_YEAR}))?\b"),
    ("half", rf"\b(?P<year>{_YEAR})\s+(?P<ord>first|second)[- ]half\b"),
    ("half", rf"\b(?-i:H(?P<h>[12])|(?P<h2>[12])H)(?:\s?['’]\s?(?P<year>\d\d)|\s?(?P<yearb>{_YEAR}))?\b(?!\d)"),
    ("quarter", rf"\b(?:the\s+)?(?P<ord>{_ORD})[- ]quarter(?:\s+(?:of\s+)?(?P<year>{_YEAR}))?\b"),
    ("quarter", rf"\b(?P<year>{_YEAR})\s+(?P<ord>{_ORD})[- ]quarter\b"),
    ("quarter", rf"\b(?-i:Q)(?P<q>[1-4])(?:\s?['’]\s?(?P<year>\d\d)|\s?(?P<yearb>{_YEAR}))?\b(?!\d)"),
    ("quarter", rf"\b(?P<q>[1-4])(?-i:Q)\s?['’]?(?P<year>{_YEAR}|\d\d)\b"),
    ("month_range", rf"\b(?:(?:in|during|for|between|from)\s+)?(?:the\s+)?(?P<m1>{_MON})\s*(?:-|–|—|to|through|and)\s*(?P<m2>{_MON})(?:\s+(?P<year>{_YEAR}))?(?:\s+(?:period|quarter))?\b"),
    ("month_quarter", rf"\b(?:the\s+)?(?P<month>{_QMON})(?:\s+(?P<year>{_YEAR}))?\s+quarter\b"),
    ("months_to", rf"\b(?:the\s+)?(?:(?P<n>{_NUM})\s+months?|quarter|(?P<half>half[- ]year)|(?P<fy>(?:financial\s+|fiscal\s+)?year))\s+(?:to|ended|ending|through)\s+(?:the\s+end\s+of\s+)?(?P<month>{_MON})(?:\s+\d{{1,2}})?(?:,?\s+(?P<year>{_YEAR}))?\b"),
    ("week", rf"\b(?P<rel>{_REL})\s+week(?:['’]s)?\b"),
    ("week", r"\b(?P<edge>earlier|later)\s+this\s+week\b"),
    ("weekday", rf"\b(?:(?:on|last|this|next|from|by|until)\s+)?(?P<wd>{_WD})(?:['’]s)?\b"),
    ("shift", r"\b(?:(?:in|during|for|over|of)\s+)?(?:the\s+)?(?:same\s+)?(?:quarter|period|month|half)?\s*(?:of\s+|a\s+)?(?:the\s+)?(?:previous|prior|preceding)[- ](?P<punit>year|quarter|month)(?:['’]s)?\b(?:\s+(?:period|quarter))?"),
    ("shift", r"\b(?:the\s+)?same\s+(?:quarter|period|month|half|time)\s+(?:of\s+|a\s+)?last\s+year\b"),
    ("shift", r"\b(?:the\s+)?(?P<unit>year|quarter|month)[- ](?:earlier|ago|before|prior)(?:\s+(?:period|quarter|month|year))?\b"),
    ("shift", rf"\b(?P<n>{_NUM})\s+(?P<unit>{_UNIT})\s+(?:{_SHIFT})\b"),
    ("edge", r"\b(?P<edge>earlier|later|so\s+far|early|late)\s+(?:in\s+)?this\s+(?P<unit>year|month|quarter)\b"),
    ("ytd", r"\b(?:the\s+)?year[- ]to[- ]date\b"),
    ("relative", rf"\b(?:(?:in|during|for|by|of)\s+)?(?P<rel>{_REL})\s+(?P<unit>year|month|quarter)(?:['’]s)?\b"),
    ("relative", r"\b(?:by\s+|at\s+)?(?:the\s+)?(?:year['’]?s?[- ]end|end\s+of\s+(?:the|this)\s+year|full[- ]year)\b"),
    ("through", rf"\b(?:through|until|till|thru)\s+(?:the\s+end\s+of\s+)?(?P<year>{_YEAR})\b(?![-–]\d)"),
    ("year", rf"\b(?:(?:in|during|for|by|through|until|throughout|across|of|the\s+year|calendar|(?:by\s+)?the\s+end\s+of)\s+)+(?:(?:early|mid|late)[- ])?(?:calendar\s+)?(?P<year>{_YEAR})\b(?!\s*(?:%|per|[-–]\d))"),
    ("year", rf"\b(?:early|mid|late)[- ](?P<year>{_YEAR})\b"),
    ("date", rf"\b(?:(?:on|in|by|since|until|through|of)\s+)?(?P<month>{_MON})\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(?P<year>{_YEAR}))?\b"),
    ("date", rf"\b(?:(?:on|by|until|through)\s+)?(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<month>{_MON})(?:,?\s+(?P<year>{_YEAR}))?\b"),
    ("month", rf"\b(?:(?:in|during|for|by|of|until|through|since|(?:early|mid|late)[- ]?)\s*)?(?P<month>{_MON})(?:,?\s+(?P<year>{_YEAR}))?\b"),
    ("now", rf"\b(?:{_NOW})\b"),
    ("relday", r"\b(?P<word>yesterday|tomorrow)\b"),
]
_COMPILED = [(kind, re.compile(p, re.I)) for kind, p in _RULES]


@dataclass
class TimeExpr:
    """One time expression: ``text[start:end]``; ``kind`` names its rule, ``parts`` its fields."""
    kind: str
    start: int
    end: int
    text: str
    parts: dict = field(default_factory=dict)


def find_expressions(text: str) -> list[TimeExpr]:
    """Non-overlapping time expressions of ``text`` (longest first at any position), in order."""
    return list(_find(text))


@lru_cache(maxsize=4096)
def _find(text: str) -> tuple[TimeExpr, ...]:
    found = []
    for rank, (kind, rx) in enumerate(_COMPILED):
        for m in rx.finditer(text):
            s, e = m.span()
            while s < e and text[s].isspace():
                s += 1
            if e <= s:
                continue
            if kind == "month" and not _month_ok(text, m):
                continue
            if kind == "weekday" and re.search(r"\b(?:" + _alt(WEEKDAY_NAME_WORDS) + r")[\s-]+$",
                                                text[max(0, m.start() - 12):m.start("wd")], re.I):
                continue
            parts = {k: v for k, v in m.groupdict().items() if v is not None}
            found.append((s, -(e - s), rank, TimeExpr(kind, s, e, text[s:e], parts)))
    blocked = [m.span() for m in _NON_TIME.finditer(text)]
    found = [f for f in found if not any(a < f[3].end and f[3].start < b for a, b in blocked)]
    found.sort(key=lambda f: (f[0], f[1], f[2]))
    out: list[TimeExpr] = []
    for _, _, _, ex in found:
        if out and ex.start < out[-1].end:
            continue
        out.append(ex)
    return tuple(out)


def _month_ok(text: str, m: re.Match) -> bool:
    """A bare month name is a date only with a year, a preposition before it or a capital not at the
    start of a sentence ("May" / "March" are also verbs and names)."""
    name = m.group("month").rstrip(".").lower()
    if m.group("year"):
        return True
    whole = text[m.start():m.end()].strip()
    if whole.lower() != m.group("month").lower():
        return True  # a preposition or early/mid/late before it
    if name in ("may", "march", "mar", "jan", "jun", "jul", "aug", "sep", "oct", "nov", "dec", "feb", "apr", "sept"):
        return False
    return True


# --------------------------------------------------------------------------- dates


def parse_published(published: str | None) -> tuple[date | None, str | None]:
    """(anchor date, granularity) for '2024', '2024-07', '2024-07-23'; (None, None) when unusable."""
    if not published:
        return None, None
    m = re.match(r"^(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?", published.strip())
    if not m:
        return None, None
    y = int(m.group(1))
    try:
        if m.group(3):
            return date(y, int(m.group(2)), int(m.group(3))), "day"
        if m.group(2):
            return date(y, int(m.group(2)), 1), "month"
    except ValueError:
        return None, None
    return date(y, 1, 1), "year"


def _month_end(y: int, m: int) -> date:
    return date(y, m, calendar.monthrange(y, m)[1])


def _add_months(y: int, m: int, k: int) -> tuple[int, int]:
    t = y * 12 + (m - 1) + k
    return t // 12, t % 12 + 1


def _months(y: int, m: int, n: int) -> tuple[date, date]:
    """n months starting with month m of year y."""
    ey, em = _add_months(y, m, n - 1)
    return date(y, m, 1), _month_end(ey, em)


def period(d: date, gran: str) -> tuple[str, str]:
    """(start, end) ISO of the year / quarter / month / day containing ``d``."""
    if gran == "year":
        return date(d.year, 1, 1).isoformat(), date(d.year, 12, 31).isoformat()
    if gran == "quarter":
        a, b = _months(d.year, (d.month - 1) // 3 * 3 + 1, 3)
        return a.isoformat(), b.isoformat()
    if gran == "month":
        a, b = _months(d.year, d.month, 1)
        return a.isoformat(), b.isoformat()
    return d.isoformat(), d.isoformat()


def _iso(a: date, b: date) -> tuple[str, str]:
    return a.isoformat(), b.isoformat()


def _year(s: str) -> int:
    """'2024' -> 2024; two digits: '24' -> 2024, '99' -> 1999."""
    return int(s) if len(s) == 4 else (2000 + int(s) if int(s) < 70 else 1900 + int(s))


def _count(s: str | None) -> int:
    if not s:
        return 1
    s = s.lower()
    return int(s) if s.isdigit() else NUMBERS.get(s, 1)


def _shift_period(a: date, b: date, months: int) -> tuple[date, date]:
    """Move a period by whole months, keeping month ends at month ends."""
    ay, am = _add_months(a.year, a.month, months)
    by, bm = _add_months(b.year, b.month, months)
    start = date(ay, am, min(a.day, calendar.monthrange(ay, am)[1]))
    if b == _month_end(b.year, b.month):
        end = _month_end(by, bm)
    else:
        end = date(by, bm, min(b.day, calendar.monthrange(by, bm)[1]))
    return start, end


_UNIT_MONTHS = {"month": 1, "quarter": 3, "year": 12, "decade": 120}


@dataclass
class _Ctx:
    anchor: date | None
    gran: str | None
    future: bool = False
    fiscal_start: int = 1
    reference: tuple[date, date] | None = None


def _resolve(ex: TimeExpr, ctx: _Ctx) -> tuple[date, date] | None:
    """Dates of one expression in its context, or None."""
    p, a, g = ex.parts, ctx.anchor, ctx.gran
    kind = ex.kind
    day_anchor = a if g == "day" else None
    if kind == "vague_span":
        return None
    if kind == "year":
        y = int(p["year"])
        return date(y, 1, 1), date(y, 12, 31)
    if kind == "year_range":
        y1, y2 = int(p["y1"]), int(p["y2"])
        return (date(y1, 1, 1), date(y2, 12, 31)) if y1 < y2 <= y1 + 50 else None
    if kind == "split_year":
        y1 = _year(p["y1"]) if "y1" in p else _year(p["y1s"])
        y2 = int(p["y2"])
        if y2 != (y1 + 1) % 100:
            return None
        return _months(y1, SPLIT_START, 12)
    if kind == "fiscal":
        y = _year(p["year"])
        return _fiscal_year(y, ctx.fiscal_start)
    if kind == "fiscal_quarter":
        q = QUARTERS[(p.get("ord") or p.get("q")).lower()]
        if "year" not in p:  # "fiscal fourth-quarter": the nearest such quarter of the company's calendar
            if a is None:
                return None
            first = (ctx.fiscal_start - 1 + 3 * (q - 1)) % 12 + 1
            return _months(_nearest_year(a, first, 3), first, 3)
        fy, _ = _fiscal_year(_year(p["year"]), ctx.fiscal_start)
        sy, sm = _add_months(fy.year, fy.month, 3 * (q - 1))
        return _months(sy, sm, 3)
    if kind in ("quarter", "month_quarter", "half"):
        if kind == "quarter":
            first_month, n = 3 * QUARTERS[(p.get("ord") or p.get("q")).lower()] - 2, 3
        elif kind == "month_quarter":
            first_month, n = MONTHS[p["month"].rstrip(".").lower()] - 2, 3
        else:
            h = int(p.get("h") or p.get("h2") or (1 if p["ord"].lower() in ("first", "1st") else 2))
            first_month, n = 6 * h - 5, 6
        if "year" in p or "yearb" in p:
            return _months(_year(p.get("year") or p["yearb"]), first_month, n)
        if a is None:
            return None
        return _months(_nearest_year(a, first_month, n), first_month, n)
    if kind == "month_range":  # "the April-June period", "between January and March 2024"
        m1, m2 = MONTHS[p["m1"].rstrip(".").lower()], MONTHS[p["m2"].rstrip(".").lower()]
        n = (m2 - m1) % 12 + 1
        if "year" in p:  # the year names the end month's year
            sy, sm = _add_months(int(p["year"]), m2, -(n - 1))
            return _months(sy, sm, n)
        if a is None:
            return None
        return _months(_nearest_year(a, m1, n), m1, n)
    if kind == "months_to":
        n = 6 if p.get("half") else 12 if p.get("fy") else (_count(p["n"]) if p.get("n") else 3)
        em = MONTHS[p["month"].rstrip(".").lower()]
        if "year" in p:
            ey = int(p["year"])
        elif a is None:
            return None
        else:
            ey = a.year if em <= a.month else a.year - 1
        sy, sm = _add_months(ey, em, -(n - 1))
        return _months(sy, sm, n)
    if kind == "date":
        mth, day = MONTHS[p["month"].rstrip(".").lower()], int(p["day"])
        if "year" in p:
            y = int(p["year"])
        elif a is None:
            return None
        else:
            y = _nearest_year(a, mth, 1, future=ctx.future)
        try:
            d = date(y, mth, day)
        except ValueError:
            return None
        return d, d
    if kind == "month":
        mth = MONTHS[p["month"].rstrip(".").lower()]
        if "year" in p:
            return _months(int(p["year"]), mth, 1)
        if a is None:
            return None
        return _months(_nearest_year(a, mth, 1, future=ctx.future), mth, 1)
    if kind == "shift":
        n = _count(p.get("n"))
        unit = (p.get("unit") or p.get("punit") or "year").lower()
        unit = UNITS.get(unit, unit)
        if unit in ("day", "week"):
            if day_anchor is None:
                return None
            d = day_anchor - timedelta(days=n * (7 if unit == "week" else 1))
            return d, d
        months = n * _UNIT_MONTHS[unit]
        if ctx.reference is not None:
            return _shift_period(*ctx.reference, -months)
        if a is None:
            return None
        # no other period in the sentence: "the previous quarter" is the quarter before the
        # publication's; "a year ago" the publication's own period a year back
        s, e = period(a, unit if "punit" in p and g in ("day", "month") else g)
        return _shift_period(date.fromisoformat(s), date.fromisoformat(e), -months)
    # everything below is relative to the publication date
    if a is None:
        return None
    if kind == "through":  # "through 2027": from publication to the end of that year
        s = a if g == "day" else date.fromisoformat(period(a, g)[0])
        e = date(int(p["year"]), 12, 31)
        return (s, e) if s <= e else None
    if kind == "since":
        m0 = MONTHS[p["month"].rstrip(".").lower()] if p.get("month") else 1
        s = date(int(p["year"]) if p.get("year") else _nearest_year(a, m0, 1), m0, 1)
        e = date.fromisoformat(period(a, g)[1])
        return (s, e) if s <= e else None
    if kind == "span":
        unit = UNITS[p["unit"].lower()]
        n = _count(p.get("n"))
        fwd = ex.text.lower().startswith("within") or p["dir"].lower() in _W["span_forward"]
        if unit in ("day", "week"):
            if day_anchor is None:
                return None
            days = n * (7 if unit == "week" else 1)
            return (a + timedelta(days=1), a + timedelta(days=days)) if fwd else (a - timedelta(days=days - 1), a)
        months = n * _UNIT_MONTHS[unit]
        if fwd:
            s = a + timedelta(days=1) if g == "day" else date.fromisoformat(period(a, g)[1]) + timedelta(days=1)
            e = _shift_period(s, s, months)[0] - timedelta(days=1)
            return s, e
        e = a if g == "day" else date.fromisoformat(period(a, g)[1])
        s = _shift_period(e + timedelta(days=1), e + timedelta(days=1), -months)[0]
        return s, e
    if kind == "week":
        if day_anchor is None:
            return None
        monday = a - timedelta(days=a.weekday())
        if p.get("edge"):
            return (monday, a) if p["edge"].lower() == "earlier" else (a, monday + timedelta(days=6))
        k = RELATIVE[p["rel"].lower()]
        s = monday + timedelta(days=7 * k)
        return s, s + timedelta(days=6)
    if kind == "weekday":
        if day_anchor is None:
            return None
        wd = WEEKDAYS[p["wd"].lower()]
        lead = ex.text.lower().split()[0]
        back = (a.weekday() - wd) % 7
        if lead == "next" or (ctx.future and lead not in ("last",)):
            fwd = (wd - a.weekday()) % 7 or 7
            d = a + timedelta(days=fwd)
        else:
            if lead == "last" and back == 0:
                back = 7
            d = a - timedelta(days=back)
        return d, d
    if kind == "edge":
        unit = p["unit"].lower()
        s, e = (date.fromisoformat(x) for x in period(a, unit if unit != "quarter" else "quarter"))
        edge = re.sub(r"\s+", " ", p["edge"].lower())
        own_end = date.fromisoformat(period(a, g)[1])  # the end of the publication's own period
        if edge in ("earlier", "so far", "early"):
            return s, min(own_end, e)
        return (max(a, s) if g == "day" else s), e
    if kind == "ytd":
        return date(a.year, 1, 1), (a if g == "day" else date.fromisoformat(period(a, g)[1]))
    if kind == "relative":
        if "rel" not in p:
            return date(a.year, 1, 1), date(a.year, 12, 31)
        k = RELATIVE[p["rel"].lower()]
        unit = p["unit"].lower()
        if unit == "year":
            return date(a.year + k, 1, 1), date(a.year + k, 12, 31)
        if unit == "quarter":
            if g == "year":
                return None
            y, m = _add_months(a.year, (a.month - 1) // 3 * 3 + 1, 3 * k)
            return _months(y, m, 3)
        if g == "year":
            return None
        y, m = _add_months(a.year, a.month, k)
        return _months(y, m, 1)
    if kind == "now":
        s, e = period(a, g)
        return date.fromisoformat(s), date.fromisoformat(e)
    if kind == "relday":
        if day_anchor is None:
            return None
        d = a + timedelta(days=1 if p["word"].lower() == "tomorrow" else -1)
        return d, d
    return None


def _fiscal_year(y: int, start_month: int) -> tuple[date, date]:
    """Fiscal year ``y`` (the one ending in calendar year y) of a company whose year starts in start_month."""
    if start_month == 1:
        return date(y, 1, 1), date(y, 12, 31)
    return _months(y - 1, start_month, 12)


def _nearest_year(a: date, first_month: int, n: int, future: bool = False) -> int:
    """The year of the n-month period starting in ``first_month`` nearest the anchor."""
    here = a.year * 12 + a.month - 1
    if n == 1:  # a month: the latest one on or before the anchor, or the next one for a future verb
        lo, hi = (0, 11) if future else (-11, 0)
    else:       # a quarter or half: results come after it, guidance before it
        lo, hi = (-9, 3)
    for y in (a.year, a.year - 1, a.year + 1):
        off = y * 12 + first_month - 1 - here
        if lo <= off <= hi:
            return y
    return a.year


def resolve_expression(text: str, published: str | None) -> tuple[str | None, str | None] | None:
    """(start, end) ISO dates for a time expression, or None when it is not a period.

    The grammar of this module reads the text when one of its rules covers it; other text
    (a spaCy DATE entity such as "July 4th of 2023") goes to dateparser."""
    anchor, gran = parse_published(published)
    ex = _whole_expression(text)
    ctx = _Ctx(anchor, gran)
    if ex is not None:
        r = _resolve(ex, ctx)
        return _iso(*r) if r else None
    return _fallback(text, anchor, gran)


def _whole_expression(text: str) -> TimeExpr | None:
    """The grammar's expression when it covers ``text`` but for leading prepositions / articles."""
    exs = find_expressions(text)
    if len(exs) != 1:
        return None
    ex = exs[0]
    rest = (text[:ex.start] + " " + text[ex.end:]).lower()
    if re.sub(r"\b(?:in|on|by|during|for|at|of|the|alone|so|far|s)\b|[\s'’.,]", "", rest):
        return None
    return ex


def _fallback(text: str, anchor: date | None, gran: str | None) -> tuple[str, str] | None:
    """A DATE entity the grammar does not cover: a bare year, else dateparser against the anchor."""
    t = re.sub(r"^(?:in|on|by|during|for|at|of)\s+", "", text.lower().strip())
    m = re.fullmatch(r"(?:the\s+)?(?:calendar\s+)?(?:year\s+)?(1[89]\d\d|20\d\d)(?:\s+alone)?", t)
    if m:
        y = int(m.group(1))
        return date(y, 1, 1).isoformat(), date(y, 12, 31).isoformat()
    if anchor is None or not re.search(r"\d", t):
        return None  # words dateparser would read against today, or vague ("recent years")
    parsed = _dateparse(t, anchor.isoformat())
    if parsed is None:
        return None
    return period(*parsed)


@lru_cache(maxsize=4096)
def _dateparse(text: str, anchor_iso: str):
    try:
        data = _ddp(anchor_iso).get_date_data(text, date_formats=None)
    except Exception:  # dateparser raises on some odd strings
        return None
    if data is None or data.date_obj is None:
        return None
    g = data.period or "day"
    return data.date_obj.date(), (g if g in ("year", "month", "day") else "day")


@lru_cache(maxsize=64)
def _ddp(anchor_iso: str):
    """A parser whose missing parts (the year of "June") come from the anchor date."""
    from datetime import datetime

    from dateparser.date import DateDataParser

    return DateDataParser(languages=["en"], settings={
        "PREFER_DAY_OF_MONTH": "first", "PREFER_DATES_FROM": "past", "RETURN_TIME_AS_PERIOD": False,
        "RELATIVE_BASE": datetime.fromisoformat(anchor_iso)})


# --------------------------------------------------------------------------- attachment


@dataclass
class _Cand:
    ex: TimeExpr
    span: Span | None
    start: int  # doc-relative characters
    end: int


def _candidates(sent: Span) -> list[_Cand]:
    """The sentence's time expressions: the grammar's, plus spaCy DATE entities it does not cover."""
    doc, off = sent.doc, sent.start_char
    out = []
    for ex in find_expressions(sent.text):
        a, b = off + ex.start, off + ex.end
        if _BASELINE.search(doc_text(doc)[max(off, a - 20):a]) and ex.kind != "span":
            continue  # "compared with 2023", "up 9% from a year ago": a baseline, not the claim's period
        if ex.kind == "month" and "year" not in ex.parts and any(
                e.label_ in ("PERSON", "ORG", "WORK_OF_ART") and e.start_char <= a + ex.text.find(ex.parts["month"]) < e.end_char
                for e in sent.ents):
            continue  # "April Jones", "June Holdings": a name
        out.append(_Cand(ex, doc.char_span(a, b, alignment_mode="expand"), a, b))
    for ent in sent.ents:
        if ent.label_ != "DATE" or any(c.start < ent.end_char and ent.start_char < c.end for c in out):
            continue
        if any(ex.start + off < ent.end_char and ent.start_char < ex.end + off for ex in find_expressions(sent.text)):
            continue  # overlaps an expression dropped as a baseline
        if _BASELINE.search(doc_text(doc)[max(off, ent.start_char - 20):ent.start_char]):
            continue
        out.append(_Cand(TimeExpr("entity", ent.start_char - off, ent.end_char - off, ent.text), ent,
                         ent.start_char, ent.end_char))
    return out


def _attach(span: Span) -> Token:
    """The token an expression modifies: its root's head, past prepositions and edge nouns
    ("by the end of next year")."""
    root = span.root
    h = root.head
    toks = set(range(span.start, span.end))
    while h.i in toks and h.head.i != h.i:
        h = h.head
    while h.head.i != h.i and (h.dep_ in ("prep", "agent") or (h.dep_ == "pobj" and h.lower_ in EDGE_NOUNS)):
        h = h.head
    return h


def _is_figure(tok: Token) -> bool:
    return tok.like_num or tok.pos_ == "NUM" or tok.tag_ == "$" or any(c.dep_ == "nummod" for c in tok.children)


def _distance(c: _Cand, qspan: Span) -> float | None:
    """Steps up from the quantity to the head this expression modifies, or None if it does not govern."""
    if c.span is None or not len(c.span):
        return None
    qtoks = {t.i for t in qspan}
    qroot = qspan.root
    chain = _chain(qroot)
    h = _attach(c.span)
    if h.i in qtoks:
        return 0.0
    if h in chain:
        return float(chain.index(h))
    # inside the quantity's own phrase ("$5bn of revenue in 2023"), not inside another figure or a conjunct
    path = [h, *h.ancestors]
    if qroot in path:
        between = path[:path.index(qroot)]
        if not any(t.dep_ in ("conj", "appos") or _is_figure(t) for t in between):
            return 0.25
    # the subject of a verb above the quantity ("second-quarter revenue fell to $23.5m")
    if h.dep_ in ("nsubj", "nsubjpass", "csubj") and not _is_figure(h) and h.head in chain:
        return chain.index(h.head) + 0.5
    return None


def _chain(tok: Token) -> list[Token]:
    """The token and its ancestors up to the head of the relative clause it sits in, if any: a
    relative clause keeps its own time ("launched it a month ago; it has since handled 2 million")."""
    out = [tok]
    for t in tok.ancestors:
        if out[-1].dep_ == "relcl":
            break
        out.append(t)
    return out


def _in_modifier(c: _Cand) -> bool:
    if c.span is None or not len(c.span):
        return False
    h = _attach(c.span)
    return any(t.dep_ in ("acl", "relcl", "appos") for t in (h, *h.ancestors))


def _bound_figure_before(c: _Cand) -> bool:
    """A shift expression right after a figure ("from $24.7m a year earlier") belongs to that figure."""
    sp = c.span
    if sp is None:
        return False
    doc = sp.doc
    for t in doc[max(sp.sent.start, sp.start - 3):sp.start]:
        if _is_figure(t) or t.text in ("%", "bn", "m", "million", "billion") or t.dep_ == "quantmod":
            return True
    return False


def _baseline_figure_before(c: _Cand) -> bool:
    """An expression right after a baseline figure ("versus £200m in the fourth quarter of 2023",
    "from 3.9% in May") dates that figure only."""
    sp = c.span
    if sp is None or not len(sp):
        return False
    doc = sp.doc
    figs = [t for t in doc[max(sp.sent.start, sp.start - 3):sp.start] if _is_figure(t)]
    if not figs:
        return False
    f = figs[0]
    while f.i > sp.sent.start and (doc[f.i - 1].tag_ == "$" or doc[f.i - 1].pos_ == "SYM"
                                   or doc[f.i - 1].dep_ in ("quantmod", "nummod") or doc[f.i - 1].like_num):
        f = doc[f.i - 1]
    return bool(_BASELINE.search(doc_text(doc)[max(sp.sent.start_char, f.idx - 25):f.idx]))


def _future(c: _Cand) -> bool:
    if c.span is None:
        return False
    h = _attach(c.span)
    for t in (h, *list(h.ancestors)[:1]):
        if any(ch.dep_ == "aux" and ch.lower_ in FUTURE_AUX for ch in t.children):
            return True
        if t.lower_ in ("plans", "plan", "expects", "expect", "intends", "aims"):
            return True
    return False


def _fiscal_start(sent: Span) -> int:
    for ent in sent.ents:
        if ent.label_ == "ORG":
            k = ent.text.lower().removesuffix("'s").removesuffix(" inc.").removesuffix(" corp.").strip()
            if k in FISCAL_START:
                return FISCAL_START[k]
    for tok in sent:
        if tok.lower_ in FISCAL_START and tok.pos_ == "PROPN":
            return FISCAL_START[tok.lower_]
    return 1


def time_for(qspan: Span, sent: Span, published: str | None) -> TimeRef | None:
    """The stated period of the quantity ``qspan`` in sentence ``sent`` (see module docstring).

    Returns ``TimeRef(text, start, end, source="text")`` with inclusive ISO dates, or None when no
    time expression of the sentence governs the quantity or none resolves."""
    cands = [c for c in _candidates(sent) if not (c.start < qspan.end_char and qspan.start_char < c.end)]
    if not cands:
        return None
    anchor, gran = parse_published(published)
    fiscal = _fiscal_start(sent) if any(c.ex.kind.startswith("fiscal") for c in cands) else 1
    scored = []
    for c in cands:
        if (c.ex.kind == "shift" and _bound_figure_before(c)) or _baseline_figure_before(c):
            d = 0.0 if c.span is not None and 0 <= c.span.start - qspan.end <= 3 else None
        else:
            d = _distance(c, qspan)
            if d is not None and c.ex.kind == "shift" and c.span is not None and c.span.start < qspan.start:
                d += 0.1  # "a year earlier, sales were $4m": fine, but a closer period wins
        if d is not None and c.ex.kind == "now":
            d += 0.3  # "now expects $40bn in 2024": a stated period beats "now" at the same head
        if d is not None:
            scored.append((d, abs(c.start - qspan.start_char), c))
    if not scored:
        # a parse that links nothing: the sentence's only time expression, unless it describes
        # an entity ("Figure, founded in 2022, raised $675m"; "orders to be delivered this year"),
        # the figure sits in a relative clause, or the expression is a weak "now" ("buy now, pay later")
        if len(cands) != 1 or cands[0].ex.kind in ("shift", "now") or _in_modifier(cands[0]) \
                or any(t.dep_ == "relcl" for t in (qspan.root, *qspan.root.ancestors)):
            return None
        scored = [(9.0, 0, cands[0])]
    for _, _, c in sorted(scored, key=lambda s: (s[0], s[1])):
        if c.ex.kind == "vague_span":
            return None  # "over the next few years" governs it: its time is stated as unknown
        res = _resolve_cand(c, cands, anchor, gran, fiscal)
        if res is not None:
            return TimeRef(text=c.ex.text if c.ex.kind == "entity" else sent.text[c.ex.start:c.ex.end],
                           start=res[0], end=res[1], source="text")
    return None


def _resolve_cand(c: _Cand, cands: list[_Cand], anchor, gran, fiscal) -> tuple[str, str] | None:
    if c.ex.kind == "entity":
        return _fallback(c.ex.text, anchor, gran)
    ctx = _Ctx(anchor, gran, future=_future(c), fiscal_start=fiscal)
    if c.ex.kind == "shift":
        # the period the sentence is about: its nearest other stated, non-shift period
        for o in sorted((o for o in cands if o.ex.kind not in ("shift", "entity")),
                        key=lambda o: abs(o.start - c.start)):
            r = _resolve(o.ex, _Ctx(anchor, gran, future=_future(o), fiscal_start=fiscal))
            if r is not None:
                ctx.reference = r
                break
        else:
            ctx.reference = _previous_period(c, anchor, gran, fiscal)
    r = _resolve(c.ex, ctx)
    return _iso(*r) if r else None


def _previous_period(c: _Cand, anchor, gran, fiscal) -> tuple[date, date] | None:
    """The last stated period of the previous sentence of the same paragraph: "Second-quarter
    revenue was $23.5m. That compares with $24.7m a year earlier." """
    if c.span is None or not len(c.span):
        return None
    sent = c.span.sent
    doc = sent.doc
    if sent.start == 0:
        return None
    prev = doc[sent.start - 1].sent
    if "\n\n" in doc_text(doc)[prev.end_char:sent.start_char] or "\n\n" in prev.text:
        return None
    for o in reversed(_candidates(prev)):
        if o.ex.kind in ("shift", "entity"):
            continue
        r = _resolve(o.ex, _Ctx(anchor, gran, future=_future(o), fiscal_start=fiscal))
        if r is not None:
            return r
    return None


def resolve_time(sent: Span, qspan: Span, published: str | None) -> TimeRef | None:
    """:func:`time_for` in the claims stage's argument order (its one call site)."""
    return time_for(qspan, sent, published)
