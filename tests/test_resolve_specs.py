"""Product and contract specs across outlets (issue 7, ecbplus-like product news).

- Two undated spec figures (families with ``units`` in data/metrics.json) never conflict: with no
  date anywhere, a 0.98-inch and a 0.71-inch laptop are as likely two generations as a dispute.
  Dated ones do, and undated prices still do (flagged low).
- Measures of different quantities (inches, pounds, hours) are blocked apart.
- A spec with no named owner carries the article's topic organisation as linking material.
Invented products and sentences (not dev-set texts)."""
from __future__ import annotations

import pytest

from pipeline.resolve import block_key, candidate_pairs, load_config
from pipeline.resolve.blocking import _prepare, attach_doc_names
from test_claims import claim_over, claims_of
from test_resolve_linking import claim, docs, fact_of, run

TEXTS = {"A": "A long review of the new machine, its screen, keyboard and ports, from our lab.",
         "B": "Launch-day notes from the keynote hall, with prices and shipping dates by region."}

# (first figure, its value, second figure, its value, kind, unit, metric)
SPECS = [
    ("0.98 inches", 0.0249, "0.71 inches", 0.0180, "other", "m", "thickness"),
    ("8 hours", 8, "5 hours", 5, "other", "hour", "battery_life"),
    ("2.66GHz", 2.66e9, "2.4GHz", 2.4e9, "other", "Hz", "clock_speed"),
    ("6.6 pounds", 2.99, "4.46 pounds", 2.02, "other", "kg", "weight"),
]


def _pair(row, published_a, published_b):
    sa, va, sb, vb, kind, unit, metric = row
    a = claim(sa, va, f"The Corvo Pro laptop from Lanxi has {sa} in its spec sheet.", doc="A", subject="Lanxi",
              kind=kind, unit=unit, metric=metric, published=published_a)
    b = claim(sb, vb, f"Lanxi's Corvo Pro laptop has {sb} in its spec sheet.", doc="B", subject="Lanxi",
              kind=kind, unit=unit, metric=metric, published=published_b)
    return a, b


@pytest.mark.parametrize("row", SPECS)
def test_undated_spec_figures_are_two_facts_not_a_conflict(row):
    a, b = _pair(row, None, None)
    r = run(a, b, texts=TEXTS)
    assert r.conflicts == [] and fact_of(r, a).fact_id != fact_of(r, b).fact_id


@pytest.mark.parametrize("row", SPECS)
def test_dated_spec_figures_of_one_week_conflict(row):
    a, b = _pair(row, "2025-06-11", "2025-06-12")
    r = run(a, b, texts=TEXTS)
    (x,) = r.conflicts
    assert {a.claim_id, b.claim_id} <= set(fact_of(r, a).claim_ids)


def test_undated_prices_still_conflict_flagged_low():
    a, b = _pair(("$1,099", 1099, "$1,199", 1199, "money", "USD", "price"), None, None)
    r = run(a, b, texts=TEXTS)
    (x,) = r.conflicts
    assert x.severity == "low" and "no source is dated" in x.reason


def test_measures_of_different_quantities_are_blocked_apart():
    cfg = load_config({"linking": {"max_block": 4}})
    # five lengths crowd the name "Lanxi"; the two weights still meet in a block of their own
    cs = [claim(f"{k}.5 inches", k * 0.0254, f"The Lanxi Corvo part {k} is {k}.5 inches long.", doc=f"L{k}",
                kind="other", unit="m", metric="length") for k in range(5)]
    w1 = claim("6.6 pounds", 2.99, "The Lanxi Corvo Pro weighs 6.6 pounds.", doc="W1", kind="other", unit="kg",
               metric="weight")
    w2 = claim("6.6 pounds", 2.99, "At 6.6 pounds, the Lanxi Corvo Pro is light.", doc="W2", kind="other",
               unit="kg", metric="weight")
    assert block_key(cs[0]) != block_key(w1) == block_key(w2)
    allc = cs + [w1, w2]
    ps = [_prepare(c, i, docs(*allc), cfg) for i, c in enumerate(allc)]
    attach_doc_names(ps, docs(*allc), cfg)
    assert (len(cs), len(cs) + 1) in candidate_pairs(ps, cfg)


@pytest.mark.parametrize("text, figure, owner", [
    ("Nokia unveiled its new phone on Tuesday, and Nokia said it ships in May. "
     "There are plenty of other highlights, including a 48-megapixel camera.", "48-megapixel", "Nokia"),
    ("Lenovo launched a new laptop at a fair in Oslo, Lenovo said. "
     "The new battery system will deliver 14 hours on a single charge.", "14 hours", "Lenovo"),
    ("Sony Corp. showed its latest handset in Tokyo. Sony says the phone comes in three colours. "
     "Other features include a 2.8GHz processor.", "2.8GHz", "Sony"),
])
def test_spec_with_no_named_owner_carries_the_articles_topic(extractor, text, figure, owner):
    c = claim_over(claims_of(extractor, text), text, figure)
    assert c.subject is None or c.subject.label == "NP"
    assert owner in [e.canonical for e in c.entities]
