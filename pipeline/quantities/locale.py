"""The currency of a bare "$" by where the text was published.

"$7.6b" in the Australian Financial Review is 7.6 billion Australian dollars; in
the New York Times it is US dollars. :func:`dollar_currency` reads a document's
locale from its URL's host and outlet name (``pipeline/data/currency_locales.json``);
:func:`localise_dollars` relabels the quantities whose currency was a bare
dollar sign. Qualified symbols ("US$", "A$", "$US", "C$") keep their own currency.
"""
from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urlsplit

from ..datafiles import load_json
from ..records import Quantity

# country letters around a "$": glued ("US$", "U.S.$", "A$", "$US", "$A") or spaced capitals ("US $", "$ US")
_QUALIFIED_BEFORE = re.compile(r"(?:[A-Za-z.$]|\b[A-Z]{1,3}\s)$")
_QUALIFIED_AFTER = re.compile(r"[A-Za-z]|\s[A-Z]{1,3}\b")


def _is_bare(text: str, i: int) -> bool:
    """``text[i]`` is a "$" with no country letters around it."""
    return not _QUALIFIED_BEFORE.search(text, max(0, i - 4), i) and not _QUALIFIED_AFTER.match(text, i + 1)


@lru_cache(maxsize=1)
def _locales() -> dict:
    d = load_json("currency_locales.json")
    cues = d["outlet_cues"]
    d["_re_cues"] = re.compile(r"(?i)\b(%s)\b" % "|".join(re.escape(c) for c in sorted(cues, key=len, reverse=True)))
    return d


def dollar_currency(url: str | None = None, outlet: str | None = None) -> str:
    """ISO 4217 code a bare "$" means for a document from ``url`` / ``outlet``.

    The URL's host wins (longest matching suffix of ``domains``: "www.afr.com.au" -> AUD), then
    a cue word in the outlet's name ("The Australian Financial Review" -> AUD); otherwise
    ``dollar_default`` (USD). Never raises: a malformed URL counts as no URL."""
    d = _locales()
    host = ""
    if url:
        try:
            host = (urlsplit(url if "//" in url else "//" + url).hostname or "").lower()
        except ValueError:
            host = ""
    if host:
        hits = [sfx for sfx in d["domains"] if host.endswith(sfx)]
        if hits:
            return d["domains"][max(hits, key=len)]
    if outlet:
        m = d["_re_cues"].search(outlet)
        if m:
            return d["outlet_cues"][m.group(1).lower()]
    return d["dollar_default"]


def bare_dollar(text: str, start: int, end: int) -> bool:
    """True when the money figure ``text[start:end]`` carries a bare "$" (not "US$", "A$", "$US")."""
    i = text.find("$", start, end)
    return i >= 0 and _is_bare(text, i)


def localise_dollars(quantities: list[Quantity], text: str, code: str) -> list[Quantity]:
    """Give ``code`` to the USD money quantities of ``text`` written with a bare "$" (in place; returned).

    ``quantities`` carry offsets into ``text``. Nothing changes when ``code`` is USD. Equivalents
    in brackets ("(about $126m)") follow the same rule on their own surface."""
    if code == "USD":
        return quantities
    for q in quantities:
        if q.kind != "money":
            continue
        if q.unit == "USD" and bare_dollar(text, q.start, q.end):
            q.unit = code
        for e in q.equivalents:
            if e.unit == "USD" and bare_dollar(e.surface, 0, len(e.surface)):
                e.unit = code
    return quantities
