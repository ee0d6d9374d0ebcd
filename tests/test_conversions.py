"""Stated conversions ("$130 million (100 million pounds)") become claims of their own.

The figure keeps its ``equivalents``; each equivalent is also a claim quoting its own
characters, with ``equivalent_of`` naming the figure. In resolution a conversion joins the
fact of its currency but never makes a conflict on its own. Sentences written for this test."""
from __future__ import annotations

import pytest

from pipeline.records import Article
from pipeline.resolve import resolve

CASES = [
    # (text, main surface, [(conversion surface, unit, value, bound)])
    ("The council will spend up to £40 million (~$52.1m) on new lifeboats.",
     "up to £40 million", [("~$52.1m", "USD", 52.1e6, "upper")]),
    ("Brightline agreed to buy the mill for $2.5bn (£2bn; €2.3bn) on Tuesday.",
     "$2.5bn", [("£2bn", "GBP", 2e9, None), ("€2.3bn", "EUR", 2.3e9, None)]),
    ("A season ticket now costs 49.95 euros (£40) at the gate.",
     "49.95 euros", [("£40", "GBP", 40.0, None)]),
    ("The ministry set aside 3 billion kronor (about $280 million) for the bridge.",
     "3 billion kronor", [("about $280 million", "USD", 280e6, None)]),
    ("Arm will spend £2-3bn ($2.5-3.8bn) on chips in 2026.",
     "£2-3bn", [("$2.5-3.8bn", "USD", 2.5e9, None)]),
    # the same measure in another unit of the same dimension is no new claim
    ("The trail is 40,000 km (25,000 miles) long, the park service said.", "40,000 km", []),
    ("The new drone weighs 3 pounds (1.4kg) with its battery.", "3 pounds", []),
]


def _articles(texts, published="2025-05-01"):
    return [Article(doc_id=f"d{i}", text=t, path=f"d{i}.txt", format="text", outlet=f"Outlet {i}",
                    published=published) for i, t in enumerate(texts)]


def _resolve(claims):
    docs = {c.doc_id for c in claims}
    return resolve(claims, {d: {"published": "2025-05-01", "outlet": f"Outlet {d}", "path": f"{d}.txt"} for d in docs})


@pytest.mark.parametrize("text,main,conversions", CASES)
def test_conversions_are_claims_with_exact_provenance(extractor, text, main, conversions):
    claims = extractor.claims(_articles([text]))
    figure = next(c for c in claims if c.surface == main)
    assert figure.equivalent_of is None
    assert len(figure.equivalents) >= len(conversions)
    derived = [c for c in claims if c.equivalent_of == figure.claim_id]
    assert [c.surface for c in derived] == [s for s, _, _, _ in conversions]
    for c, (surface, unit, value, bound) in zip(derived, conversions):
        assert text[c.provenance.char_start:c.provenance.char_end] == c.surface == surface
        assert c.unit == unit
        assert c.value == pytest.approx(value)
        assert c.bound == bound
        # the conversion states the figure's fact: same subject, metric and time
        assert (c.subject, c.metric, c.time) == (figure.subject, figure.metric, figure.time)
        assert c.equivalents == []
        if figure.value_min is not None:  # a range converts to a range
            assert c.value_min is not None and c.value_max > c.value_min


def test_plain_parentheses_make_no_conversion(extractor):
    text = "Northwind shipped 12,000 units (a record) in May."
    claims = extractor.claims(_articles([text]))
    assert claims and all(c.equivalent_of is None for c in claims)


def test_conversion_joins_the_fact_of_its_currency(extractor):
    texts = ["The harbour board will spend $130 million (100 million pounds) on cranes, the board said.",
             "The harbour board will spend £100m on cranes, the board said."]
    claims = extractor.claims(_articles(texts))
    res = _resolve(claims)
    gbp = [f for f in res.facts if f.unit == "GBP"]
    docs = {c.doc_id for f in gbp for c in claims if c.claim_id in f.claim_ids and c.unit == "GBP"}
    assert docs == {"d0", "d1"}


def test_disagreeing_conversions_are_not_a_conflict(extractor):
    # two outlets convert the same £200m at different rates: the pounds agree, the dollars
    # are each outlet's arithmetic and must not be flagged
    texts = ["Siemens will spend £200m ($250m) on its Hull turbine plant in 2025, the company said.",
             "Siemens will spend £200m ($262m) on its Hull turbine plant in 2025, the company said."]
    claims = extractor.claims(_articles(texts))
    usd = {c.claim_id for c in claims if c.equivalent_of is not None}
    assert len(usd) == 2
    res = _resolve(claims)
    assert res.conflicts == []
    # the pound figures are one agreed fact, compared in pounds (not through the dollars)
    gbp = {c.claim_id for c in claims if c.unit == "GBP"}
    (fact,) = [f for f in res.facts if gbp <= set(f.claim_ids)]
    assert fact.unit == "GBP" and fact.status == "agreed"


def test_stated_figures_still_conflict(extractor):
    # the same guard must not hide a real disagreement between stated figures
    texts = ["Siemens will spend £200m ($250m) on its Hull turbine plant in 2025, the company said.",
             "Siemens will spend £320m on its Hull turbine plant in 2025, the company said."]
    claims = extractor.claims(_articles(texts))
    res = _resolve(claims)
    assert len(res.conflicts) == 1


def test_conversions_make_no_timeline(extractor):
    # two outlets convert the same £200m differently: no "£200m -> $250m -> $260m" timeline
    texts = ["Arm said revenue rose to £200m ($250m) last year.",
             "Arm's revenue reached £200m (US$260m) last year, the company said."]
    claims = extractor.claims(_articles(texts))
    assert any(c.equivalent_of for c in claims)
    res = _resolve(claims)
    conversions = {c.claim_id for c in claims if c.equivalent_of}
    for f in res.facts:
        if set(f.claim_ids) <= conversions:
            assert f.series is None and f.updates is None
