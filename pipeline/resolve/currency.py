"""Ambiguous dollars: a bare '$' figure from an outlet at home in another dollar country.

``data/resolve.json`` section ``dollar_locale`` holds the hosts, outlet words and
approximate rates; see its ``_doc``."""
from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlparse

from .intervals import Interval

_BARE_DOLLAR_RE = re.compile(r"(?<![A-Za-z$])(?<![A-Z] )\$(?!\s?[A-Z]{1,3}(?![a-z]))")


def bare_dollar(surface: str | None) -> bool:
    """True when ``surface`` writes its currency as a bare '$' ('$7.6b', 'about $5 bln'),
    not 'US$5b', 'A$ 3m' or '$US5m'."""
    return bool(surface) and _BARE_DOLLAR_RE.search(surface) is not None


def home_dollar(outlet: str | None, url: str | None, cfg: dict) -> str | None:
    """The ISO code of the outlet's home dollar when it is not USD, else None.
    From the URL host suffix ('.com.au' -> AUD), else a word of the outlet's name."""
    dl = cfg.get("dollar_locale") or {}
    host = ""
    if url:
        try:
            host = (urlparse(url).hostname or "").lower()
        except ValueError:
            host = ""
    for suffix, code in sorted((dl.get("hosts") or {}).items()):
        if host.endswith(suffix):
            return code
    name = f" {(outlet or '').lower()} "
    for word, code in sorted((dl.get("outlet_words") or {}).items(), key=lambda kv: (-len(kv[0]), kv[0])):
        if re.search(rf"(?<![a-z]){re.escape(word)}(?![a-z])", name):
            return code
    return None


def foreign_dollar_groups(groups: list[Any], unit: str, documents: dict, cfg: dict) -> list[Any]:
    """The value groups (``clustering._Group``) of a would-be USD conflict whose every claim is a
    bare '$' from one non-USD dollar home, and whose interval, read in that dollar at
    ``usd_per`` (+/- ``tolerance``), meets another group's interval.  Such a group is
    probably the same figure in the outlet's own dollar, not a competing figure."""
    dl = cfg.get("dollar_locale") or {}
    rates = dl.get("usd_per") or {}
    tol = float(dl.get("tolerance", 0.0))
    if unit != "USD" or len(groups) < 2:
        return []
    out = []
    for g in groups:
        homes = set()
        for p in g.claims():
            c = p.claim
            pv = c.provenance
            doc = documents.get(c.doc_id) or {}
            if not bare_dollar(c.surface):
                homes = set()
                break
            homes.add(home_dollar((pv.outlet if pv else None) or doc.get("outlet"),
                                  (pv.url if pv else None) or doc.get("url"), cfg))
        if len(homes) != 1:
            continue
        code = next(iter(homes))
        if code is None or code not in rates:
            continue
        r = float(rates[code])
        read = Interval(g.common.lo * r * (1 - tol), g.common.hi * r * (1 + tol))
        if any(h is not g and read.intersect(h.common) is not None for h in groups):
            out.append(g)
    return out
