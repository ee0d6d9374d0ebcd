"""Values for people: a normalised value and unit as a reader writes them.

``format_quantity(4e10, "USD")`` -> ``'$40bn'``, ``(1.5e8, "W")`` -> ``'150 MW'``,
``(5e8, "user")`` -> ``'500 million users'``; :func:`plural` pluralises a unit noun with the
irregular and invariable forms in ``pipeline/data/report.json``. Used by the resolution stage
(conflict reasons, timeline labels) and by every report.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent / "data"
CURRENCY_SYMBOLS = {"USD": "$", "GBP": "£", "EUR": "€", "JPY": "¥", "INR": "₹", "KRW": "₩"}


@lru_cache(maxsize=1)
def _wording() -> dict[str, Any]:
    return json.loads((DATA / "report.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _currency_codes() -> frozenset[str]:
    data = json.loads((DATA / "currencies.json").read_text(encoding="utf-8"))
    return frozenset(data.get("codes") or [])


def _num(x: float, digits: int = 3) -> str:
    s = f"{x:,.{digits}f}".rstrip("0").rstrip(".")
    return s if s not in ("-0", "") else "0"


def plural(word: str, n: float | None = 2) -> str:
    """``word`` for ``n`` things: "user" -> "users", "person" -> "people"; symbols
    and normalised units (W, USD, percent) stay as they are."""
    w = _wording()
    if not word or n == 1 or word in w["invariable_units"] or not word[-1:].isalpha():
        return word
    head, _, last = word.rpartition(" ")
    low = last.lower()
    if low in w["irregular_plurals"]:
        p = w["irregular_plurals"][low]
    elif last.isupper() and len(last) > 1:  # GPU -> GPUs, TPU -> TPUs
        p = last + "s"
    elif low.endswith(("s", "x", "z", "ch", "sh")):
        p = last + "es"
    elif low.endswith("y") and low[-2:-1] not in "aeiou":
        p = last[:-1] + "ies"
    else:
        p = last + "s"
    return f"{head} {p}" if head else p


def format_quantity(value: float | None, unit: str | None) -> str:
    """A normalised value for people: '$13.2bn', '150 MW', '22%', '500 million users'."""
    import math

    if value is None:
        return "?"
    if isinstance(value, float) and math.isinf(value):
        return "∞" if value > 0 else "-∞"
    u = unit or ""
    a = abs(value)
    sign = "-" if value < 0 else ""
    if u in CURRENCY_SYMBOLS or u in _currency_codes():
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
    noun = "" if u in ("-", "") else plural(u, value)
    for scale, suffix in ((1e12, " trillion"), (1e9, " billion"), (1e6, " million")):
        if a >= scale:
            return f"{sign}{_num(a / scale)}{suffix} {noun}".rstrip()
    return f"{_num(value)} {noun}".rstrip()
