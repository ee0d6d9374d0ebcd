"""A bare '$' from an outlet at home in another dollar country is no conflict when it fits
once read in that dollar (``dollar_locale`` in data/resolve.json)."""
from __future__ import annotations

from dataclasses import replace

import pytest

from pipeline.resolve import load_config, resolve
from pipeline.resolve.currency import bare_dollar, home_dollar
from tests.test_resolve_linking import B, claim

US = ("Harbor Ledger", "https://www.harborledger.com/markets/story-1")


def _at(c, outlet, url):
    return replace(c, provenance=replace(c.provenance, outlet=outlet, url=url))


def _docs(*cs):
    return {c.doc_id: {"text": c.provenance.sentence, "path": f"{c.doc_id}.txt", "outlet": c.provenance.outlet,
                       "url": c.provenance.url, "published": c.provenance.published} for c in cs}


def _story(surface, value, sentence, outlet, url, base=4.5 * B, base_surface="$4.5 billion"):
    a = _at(claim(base_surface, base, f"Orvana Robotics raised {base_surface} in its latest funding round.",
                  doc="A", subject="Orvana", metric="funding"), *US)
    b = _at(claim(base_surface, base, f"Investors put {base_surface} into Orvana in a new funding round.",
                  doc="B", subject="Orvana", metric="funding"), "Midwest Tribune", "https://midwesttribune.com/x")
    c = _at(claim(surface, value, sentence, doc="C", subject="Orvana", metric="funding"), outlet, url)
    return [a, b, c]


CASES = [
    # (name, claims, conflict expected)
    ("Sydney paper by host, bare $", _story("$6.6bn", 6.6 * B, "Orvana banks $6.6bn in a funding round led by tech investors.",
                                           "Harbourside Daily", "https://www.harboursidedaily.com.au/biz/orvana"), False),
    ("Canadian outlet by name, bare $", _story("$6.1 billion", 6.1 * B, "Orvana's funding round brings in $6.1 billion, sources said.",
                                             "Canadian Business Wire", "https://cbw.com/orvana"), False),
    ("Auckland paper, 'about $7.3b'", _story("about $7.3b", 7.3 * B, "Orvana gets about $7.3b in a funding round.",
                                            "Waitemata Herald", "https://www.waitemataherald.co.nz/orvana"), False),
    ("Australian outlet but written US$", _story("US$6.6bn", 6.6 * B, "Orvana raised US$6.6bn in its funding round.",
                                               "Harbourside Daily", "https://www.harboursidedaily.com.au/biz/orvana"), True),
    ("US outlet, bare $", _story("$6.6bn", 6.6 * B, "Orvana raised $6.6bn in its funding round.",
                                 "Great Plains Post", "https://greatplainspost.com/orvana"), True),
    ("Australian outlet, figure too far to be a conversion",
     _story("$12bn", 12 * B, "Orvana raised $12bn in its funding round.",
            "Harbourside Daily", "https://www.harboursidedaily.com.au/biz/orvana"), True),
]


@pytest.mark.parametrize("name,claims,conflict", CASES, ids=[c[0] for c in CASES])
def test_home_dollar_is_not_a_conflict(name, claims, conflict):
    res = resolve(claims, _docs(*claims))
    assert bool(res.conflicts) == conflict
    main = next(f for f in res.facts if claims[0].claim_id in f.claim_ids)
    assert claims[1].claim_id in main.claim_ids
    if not conflict:
        assert main.status == "agreed" and claims[2].claim_id not in main.claim_ids


def test_without_locales_the_home_dollar_cases_conflict():
    cfg = {"dollar_locale": None}
    for name, claims, conflict in CASES[:3]:
        assert resolve(claims, _docs(*claims), config=cfg).conflicts, name


@pytest.mark.parametrize("surface,bare", [
    ("$7.6b", True), ("about $5 bln", True), ("US $5 bln", False), ("more than $2 billion", True),
    ("US$5b", False), ("A$ 3m", False), ("$US5m", False), ("HK$40bn", False), ("£100m", False),
])
def test_bare_dollar(surface, bare):
    assert bare_dollar(surface) is bare


@pytest.mark.parametrize("outlet,url,code", [
    ("The Coastal Review", "https://www.coastalreview.com.au/a", "AUD"),
    ("The Australian Business Review", "https://abr.com/a", "AUD"),
    ("Prairie Times", "https://prairietimes.ca/story", "CAD"),
    ("Hong Kong Morning Ledger", None, "HKD"),
    ("Harbor Ledger", "https://harborledger.com/a", None),
    (None, "not a url", None),
])
def test_home_dollar(outlet, url, code):
    assert home_dollar(outlet, url, load_config()) == code
