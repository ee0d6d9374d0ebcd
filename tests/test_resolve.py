"""Tests for pipeline.resolve and pipeline.decisions."""
from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path

import jsonschema
import pytest

from pipeline.decisions import append_decision, load_decisions
from pipeline.records import Claim, EntityRef, Equivalent, Provenance, TimeRef
from pipeline.resolve import (
    Period,
    Resolution,
    block_key,
    claim_interval,
    copy_groups,
    find_dependent_docs,
    load_config,
    merge_partitions,
    resolve,
    resolve_partition,
    same_period,
)

ROOT = Path(__file__).resolve().parents[1]
SCHEMAS = ROOT / "pipeline" / "schemas"
CORPUS = ROOT / "corpus"

YEAR_2024 = ("this year", "2024-01-01", "2024-12-31", "text")

_counter = [0]


def mk(surface: str, value: float, *, doc: str = "d1", subject: str | None = "Meta", obj: str | None = None,
       metric: str = "infrastructure_spend", kind: str = "money", unit: str = "USD",
       vmin: float | None = None, vmax: float | None = None, approximate: bool = False,
       qualifier: str | None = None, bound: str | None = None, equivalents=(), time=YEAR_2024,
       vague: bool = False, counted: str | None = None, rate: str | None = None, cid: str | None = None,
       sentence: str | None = None, published: str | None = "2024-10-01", label: str = "ORG") -> Claim:
    """A Claim with sensible defaults; ``surface`` is the figure as written."""
    _counter[0] += 1
    cid = cid or f"c{_counter[0]:04d}"
    sentence = sentence or f"The company said the figure was {surface} according to filings."
    i = max(sentence.find(surface), 0)
    sent_start = 1000
    return Claim(
        claim_id=cid, doc_id=doc, kind=kind, metric=metric,
        subject=EntityRef(subject, subject, label) if subject else None,
        object=EntityRef(obj, obj, "ORG") if obj else None,
        value=float(value), value_min=vmin, value_max=vmax, unit=unit,
        surface_value=float(value), surface_unit=unit,
        approximate=approximate, bound=bound, qualifier=qualifier,
        equivalents=[Equivalent(*e) for e in equivalents], rate=rate, surface=surface,
        time=TimeRef(*time) if time else None, attribution=None, hedged=False,
        provenance=Provenance(doc_id=doc, path=f"{doc}.txt", outlet=f"Outlet {doc}", url=f"https://example.com/{doc}",
                              published=published, sentence=sentence, char_start=sent_start + i,
                              char_end=sent_start + i + len(surface), sentence_start=sent_start),
        extractor={"name": "test"}, vague=vague, counted=counted,
    )


def docs_for(claims, published="2024-10-01") -> dict[str, dict]:
    return {c.doc_id: {"text": "", "path": f"{c.doc_id}.txt", "outlet": f"Outlet {c.doc_id}",
                       "published": published, "url": None} for c in claims}


def run(*claims, **kw) -> Resolution:
    return resolve(list(claims), docs_for(claims), **kw)


# ---------------------------------------------------------------------------
# tolerance

B = 1e9

TOLERANCE_CASES = [
    # (a, b, agree) ; a and b are (surface, value, extra kwargs)
    (("$40 billion", 40 * B, {}), ("$40.4bn", 40.4 * B, {}), True),          # rounding of "40": +/-0.5bn
    (("$40 billion", 40 * B, {}), ("$40.6bn", 40.6 * B, {}), False),
    (("$10.5bn", 10.5 * B, {}), ("$10.54bn", 10.54 * B, {}), True),          # +/-0.05bn
    (("$10.5bn", 10.5 * B, {}), ("$10.6bn", 10.6 * B, {}), False),           # adjacent roundings do not meet
    (("$13.2bn", 13.2 * B, {}), ("$13.9bn", 13.9 * B, {}), False),
    (("around $40bn", 40 * B, {"approximate": True, "qualifier": "around"}), ("$43bn", 43 * B, {}), True),
    (("around $40bn", 40 * B, {"approximate": True, "qualifier": "around"}), ("$45bn", 45 * B, {}), False),
    (("roughly $40 billion", 40 * B, {"approximate": True, "qualifier": "roughly"}),
     ("$40 billion", 40 * B, {}), True),
    (("nearly $50bn", 50 * B, {"approximate": True, "qualifier": "nearly"}), ("$46bn", 46 * B, {}), True),
    (("nearly $50bn", 50 * B, {"approximate": True, "qualifier": "nearly"}), ("$54bn", 54 * B, {}), False),
    (("over $5bn", 5 * B, {"bound": "lower", "qualifier": "over"}), ("$6bn", 6 * B, {}), True),
    (("over $5bn", 5 * B, {"bound": "lower", "qualifier": "over"}), ("$4bn", 4 * B, {}), False),
    (("up to $5bn", 5 * B, {"bound": "upper", "qualifier": "up to"}), ("$4bn", 4 * B, {}), True),
    (("up to $5bn", 5 * B, {"bound": "upper", "qualifier": "up to"}), ("$7bn", 7 * B, {}), False),
    (("at least $5bn", 5 * B, {"bound": "lower", "qualifier": "at least"}),
     ("up to $5bn", 5 * B, {"bound": "upper", "qualifier": "up to"}), True),   # closed ends meet at 5bn
    (("$3.5bn and $4.5bn", 4 * B, {"vmin": 3.5 * B, "vmax": 4.5 * B}), ("$4bn", 4 * B, {}), True),
    (("$3.5bn and $4.5bn", 4 * B, {"vmin": 3.5 * B, "vmax": 4.5 * B}), ("$5.2bn", 5.2 * B, {}), False),
    (("$3.5bn and $4.5bn", 4 * B, {"vmin": 3.5 * B, "vmax": 4.5 * B}), ("$5bn", 5 * B, {}), True),  # 5bn rounds to [4.5, 5.5)
]


@pytest.mark.parametrize("a,b,agree", TOLERANCE_CASES,
                         ids=[f"{a[0]}~{b[0]}" for a, b, _ in TOLERANCE_CASES])
def test_tolerance(a, b, agree):
    ca = mk(a[0], a[1], doc="A", **a[2])
    cb = mk(b[0], b[1], doc="B", **b[2])
    ia, ib = claim_interval(ca, load_config()), claim_interval(cb, load_config())
    assert (ia.intersect(ib) is not None) is agree
    r = run(ca, cb)
    assert len(r.facts) == 1
    assert r.facts[0].status == ("agreed" if agree else "conflict")
    assert len(r.conflicts) == (0 if agree else 1)


def test_percentage_rounding_and_lower_bound():
    a = mk("22 percent", 22, doc="A", kind="percentage", unit="percent", metric="revenue_growth")
    b = mk("over 22%", 22, doc="B", kind="percentage", unit="percent", metric="revenue_growth",
           bound="lower", qualifier="over")
    assert run(a, b).facts[0].status == "agreed"


def test_exact_interval_follows_written_digits():
    cfg = load_config()
    iv = claim_interval(mk("$40 billion", 40 * B), cfg)
    assert iv.lo == pytest.approx(39.5 * B) and iv.hi == pytest.approx(40.5 * B)
    iv = claim_interval(mk("100,000", 100000, kind="chip_count", unit="GPU"), cfg)
    assert iv.lo == pytest.approx(99999.5) and iv.hi == pytest.approx(100000.5)
    iv = claim_interval(mk("150 megawatts", 150e6, kind="power", unit="W"), cfg)
    assert iv.hi - iv.lo == pytest.approx(1e6)
    up = claim_interval(mk("up to $5bn", 5 * B, bound="upper", qualifier="up to"), cfg)
    assert (up.lo, up.hi, up.hi_open) == (0.0, 5 * B, False)
    over = claim_interval(mk("over $5bn", 5 * B, bound="lower", qualifier="over"), cfg)
    assert over.lo == 5 * B and over.lo_open and over.hi == float("inf")


def test_approximate_tolerance_is_configurable():
    a = mk("around $40bn", 40 * B, doc="A", approximate=True, qualifier="around")
    b = mk("$47bn", 47 * B, doc="B")
    assert run(a, b).facts[0].status == "conflict"
    wide = {"tolerance": {"qualifiers": {"around": 0.2}}}
    assert run(a, b, config=wide).facts[0].status == "agreed"


def test_bound_conflict_reason_and_severity():
    a = mk("up to $5bn", 5 * B, doc="A", metric="loss", bound="upper", qualifier="up to")
    b = mk("$7bn", 7 * B, doc="B", metric="loss")
    r = run(a, b)
    (c,) = r.conflicts
    assert c.reason == "up to $5bn vs $7bn: above the stated upper bound"
    assert c.severity == "medium"  # 40% beyond the bound
    assert [g["surfaces"] for g in c.groups] == [["up to $5bn"], ["$7bn"]]


def test_exact_conflict_reason():
    r = run(mk("$13.2bn", 13.2 * B, doc="A", metric="revenue"), mk("$13.9bn", 13.9 * B, doc="B", metric="revenue"))
    (c,) = r.conflicts
    assert c.reason == "$13.2bn vs $13.9bn: exact figures differ by 5.3%"
    assert c.severity == "low"
    assert r.facts[0].value is None and r.facts[0].status == "conflict"


@pytest.mark.parametrize("other,expect_facts", [
    (("$500m", 500e6), 1),   # fits "hundreds of millions": supports it
    (("$2bn", 2 * B), 2),    # does not fit: a separate fact, never a conflict
])
def test_vague_never_conflicts_with_exact(other, expect_facts):
    v = mk("hundreds of millions of dollars", 3e8, doc="A", metric="training_cost", vague=True,
           vmin=1e8, vmax=1e9)
    e = mk(other[0], other[1], doc="B", metric="training_cost")
    r = run(v, e)
    assert r.conflicts == []
    assert len(r.facts) == expect_facts
    if expect_facts == 1:  # the vague magnitude supports the figure but is not a second source of it
        assert r.facts[0].status == "single" and len(r.facts[0].claim_ids) == 2


# ---------------------------------------------------------------------------
# grouping


def test_different_periods_form_a_timeline_not_a_conflict():
    a = mk("$28bn", 28 * B, doc="A", time=("2023", "2023-01-01", "2023-12-31", "text"))
    b = mk("$40bn", 40 * B, doc="B", time=("2024", "2024-01-01", "2024-12-31", "text"))
    r = run(a, b)
    assert r.conflicts == []
    assert [f.time.start for f in r.facts] == ["2023-01-01", "2024-01-01"]
    assert {f.status for f in r.facts} == {"single"}


def test_quarter_and_year_are_different_facts():
    a = mk("$10bn", 10 * B, doc="A", metric="revenue", time=("Q3", "2024-07-01", "2024-09-30", "text"))
    b = mk("$40bn", 40 * B, doc="B", metric="revenue", time=("2024", "2024-01-01", "2024-12-31", "text"))
    r = run(a, b)
    assert len(r.facts) == 2 and r.conflicts == []


def test_publication_fallback_joins_explicit_year():
    a = mk("$40bn", 40 * B, doc="A", time=("this year", "2024-01-01", "2024-12-31", "text"))
    b = mk("$40bn", 40 * B, doc="B", time=None)  # falls back to the document's date 2024-10
    r = run(a, b)
    (f,) = r.facts
    assert f.status == "agreed" and f.time.source == "text"
    # alone, the fallback is marked as such and coarsened to the month
    (g,) = run(mk("$40bn", 40 * B, doc="C", time=None)).facts
    assert (g.time.source, g.time.start, g.time.end) == ("published", "2024-10-01", "2024-10-31")


@pytest.mark.parametrize("p,q,same", [
    (("2024-01-01", "2024-12-31", "text"), ("2024-01-01", "2024-12-31", "text"), True),
    (("2024-01-01", "2024-12-31", "text"), ("2024-07-01", "2024-09-30", "text"), False),
    (("2024-01-01", "2024-12-31", "text"), ("2024-10-01", "2024-10-31", "published"), True),
    (("2023-01-01", "2023-12-31", "text"), ("2024-10-01", "2024-10-31", "published"), False),
    (("2024-10-01", "2024-10-31", "published"), ("2024-10-01", "2024-10-31", "published"), True),
    (("2024-07-01", "2024-07-31", "published"), ("2024-10-01", "2024-10-31", "published"), False),
])
def test_same_period_rule(p, q, same):
    from datetime import date
    P = Period(date.fromisoformat(p[0]), date.fromisoformat(p[1]), p[2])
    Q = Period(date.fromisoformat(q[0]), date.fromisoformat(q[1]), q[2])
    assert same_period(P, Q, load_config()) is same
    assert same_period(Q, P, load_config()) is same


def test_different_subjects_do_not_conflict():
    r = run(mk("$40bn", 40 * B, doc="A", subject="Meta"), mk("$14bn", 14 * B, doc="B", subject="Microsoft"))
    assert r.conflicts == [] and len(r.facts) == 2


@pytest.mark.parametrize("scope_a, scope_b, conflicts", [
    ("in 54 games", None, 0),                      # a partial figure is not the season's total
    ("in 54 games", "in a combined 157 games", 0),
    ("in 54 games", "In 54 games", 1),             # the same scope, different figures: a real conflict
    (None, None, 1),
])
def test_scoped_figures_are_their_own_facts(scope_a, scope_b, conflicts):
    a = mk("43 RBIs", 43, doc="A", subject="Mark Teixeira", metric="rbi_count", kind="count", unit="rbi")
    b = mk("121 RBIs", 121, doc="B", subject="Mark Teixeira", metric="rbi_count", kind="count", unit="rbi")
    a.scope, b.scope = scope_a, scope_b
    assert len(run(a, b).conflicts) == conflicts


@pytest.mark.parametrize("a, b", [
    (("$1, 799", 1799), ("$2, 199", 2199)),          # numbers split by tokenised text keep their digits
    (("2. 3 GHz", 2.3e9), ("2.5GHz", 2.5e9)),
])
def test_split_numbers_keep_their_rounding(a, b):
    unit = "Hz" if "GHz" in a[0] else "USD"
    kind = "other" if unit == "Hz" else "money"
    r = run(mk(a[0], a[1], doc="A", unit=unit, kind=kind), mk(b[0], b[1], doc="B", unit=unit, kind=kind))
    assert len(r.conflicts) == 1


def test_undated_conflicts_say_so_and_stay_low():
    a = mk("$1,799", 1799, doc="A", unit="USD", time=None, published=None)
    b = mk("$2,199", 2199, doc="B", unit="USD", time=None, published=None)
    r = resolve([a, b], docs_for([a, b], published=None))
    (x,) = r.conflicts
    assert x.severity == "low" and "no source is dated" in x.reason


def test_untargeted_claims_join_the_one_named_target():
    a = mk("$5.4 billion", 5.4 * B, doc="A", subject="AMD", metric="acquisition_price")
    b = mk("$5.4 billion", 5.4 * B, doc="B", subject="AMD", metric="acquisition_price", obj="ATI")
    r = run(a, b)
    assert len(r.facts) == 1 and r.facts[0].status == "agreed"
    c = mk("$1 billion", 1 * B, doc="C", subject="AMD", metric="acquisition_price", obj="Xilinx")
    r = run(a, b, c)  # two named targets: the untargeted claim joins the one whose figure it states
    assert sorted(len(f.claim_ids) for f in r.facts) == [1, 2] and r.conflicts == []
    (ati,) = [f for f in r.facts if len(f.claim_ids) == 2]
    assert ati.object.canonical == "ATI" and set(ati.claim_ids) == {a.claim_id, b.claim_id}


def test_descriptive_objects_do_not_split_a_fact():
    a = mk("$40 billion", 40 * B, doc="A")
    b = mk("roughly $40 billion", 40 * B, doc="B", approximate=True, qualifier="roughly")
    b.object = EntityRef("data centers", "data centers", "NP")
    r = run(a, b)
    assert len(r.facts) == 1 and r.facts[0].status == "agreed"
    c = mk("$14.3bn", 14.3 * B, doc="A", metric="investment", obj="Scale AI")
    d = mk("$2bn", 2 * B, doc="B", metric="investment", obj="Perplexity")
    assert run(c, d).conflicts == []  # named targets are different facts


def test_claim_without_subject_never_conflicts():
    a = mk("$40bn", 40 * B, doc="A", subject=None)
    b = mk("$14bn", 14 * B, doc="B", subject=None)
    c = mk("$40bn", 40 * B, doc="B", subject=None)
    r = run(a, b, c)
    assert r.conflicts == []
    assert all(f.status == "single" for f in r.facts)
    assert len(r.facts) == 3  # not even grouped across documents


def test_metric_aliases_group_together():
    r = run(mk("$40bn", 40 * B, doc="A", metric="capex"), mk("$40bn", 40 * B, doc="B", metric="infrastructure_spend"))
    (f,) = r.facts
    assert f.status == "agreed" and f.metric == "infrastructure_spend"


def test_currencies_compare_only_through_stated_equivalents():
    usd = mk("$10.5bn", 10.5 * B, doc="A", metric="chip_spend")
    gbp = mk("£8.9bn", 8.9 * B, doc="B", metric="chip_spend", unit="GBP")
    r = run(usd, gbp)  # no stated rate: two facts, never a conflict
    assert r.conflicts == [] and sorted(f.unit for f in r.facts) == ["GBP", "USD"]

    usd_eq = mk("$10.5bn", 10.5 * B, doc="A", metric="chip_spend", equivalents=[(8.9 * B, "GBP", "£8.9bn")])
    (f,) = run(usd_eq, gbp).facts
    assert f.status == "agreed"

    gbp_far = mk("£9.5bn", 9.5 * B, doc="B", metric="chip_spend", unit="GBP")
    r = run(usd_eq, gbp_far)
    (c,) = r.conflicts
    assert c.key["unit"] == "GBP"
    assert "via equivalents" in c.reason


def test_euro_claim_with_dollar_equivalent_matches_dollar_claim():
    eur = mk("2m euros", 2e6, doc="A", metric="fine", unit="EUR", equivalents=[(2.6e6, "USD", "$2.6m")])
    usd = mk("$2.6m", 2.6e6, doc="B", metric="fine")
    (f,) = run(eur, usd).facts
    assert f.status == "agreed" and f.unit == "USD" and f.value == 2.6e6


def test_different_counted_things_do_not_conflict():
    gpus = mk("350,000", 3.5e5, doc="B", kind="chip_count", unit="GPU", metric="gpu_count",
              counted="Nvidia H100 GPUs")
    servers = mk("40,000", 4e4, doc="A", kind="count", unit="server", metric="gpu_count", counted="servers")
    r = run(gpus, servers)
    assert r.conflicts == [] and len(r.facts) == 2
    # "H100 chips" and "H100 GPUs" are the same counted thing (units.counted_aliases)
    chips = mk("100,000", 1e5, doc="C", kind="chip_count", unit="GPU", metric="gpu_count", counted="H100 chips")
    gpus2 = mk("100,000", 1e5, doc="D", kind="count", unit="GPU", metric="gpu_count", counted="H100 GPUs")
    (f,) = run(chips, gpus2).facts
    assert f.status == "agreed"


def test_training_cluster_vs_gpus_owned_do_not_conflict():
    # sample corpus: a 100,000-H100 training cluster vs the 350,000 H100s Meta will own by year end
    cluster = mk("100,000", 1e5, doc="A", subject="cluster", label="NP", kind="chip_count", unit="GPU",
                 metric="gpu_count", counted="H100 chips", time=None)
    owned = mk("350,000", 3.5e5, doc="B", subject="Meta", kind="chip_count", unit="GPU", metric="gpu_count",
               counted="Nvidia Corp. H100 GPUs", time=("by year's end", None, "2024-12-31", "text"))
    r = run(cluster, owned)
    assert r.conflicts == [] and len(r.facts) == 2


def test_sample_false_conflicts_stay_apart():
    # 500 million monthly users of Meta AI vs a licence threshold of >700m MAU for other products
    users = mk("500 million", 5e8, doc="A", subject="Meta AI", metric="monthly_users", kind="user_count", unit="user")
    threshold = mk("over 700 million", 7e8, doc="B", subject="products", label="NP", metric="monthly_active_users",
                   kind="user_count", unit="user", bound="lower", qualifier="over")
    # $334m price vs $281m of it in cash, even if extraction gave both the same metric
    price = mk("$334m", 334e6, doc="C", subject="Acme", metric="acquisition_price")
    cash = mk("$281m", 281e6, doc="C", subject="Acme", metric="acquisition_price")
    r = run(users, threshold, price, cash)
    assert r.conflicts == []
    assert len(r.facts) == 4


def test_values_differing_only_within_one_article_do_not_conflict_across():
    # article C states both a price and its cash part; D repeats the price
    price = mk("$334m", 334e6, doc="C", subject="Acme", metric="acquisition_price")
    cash = mk("$281m", 281e6, doc="C", subject="Acme", metric="acquisition_price")
    again = mk("$334m", 334e6, doc="D", subject="Acme", metric="acquisition_price")
    r = run(price, cash, again)
    assert r.conflicts == []
    assert sorted(f.status for f in r.facts) == ["agreed", "single"]


def test_within_article_repeats_merge():
    a = mk("as much as $5bn", 5 * B, doc="A", metric="loss", bound="upper", qualifier="as much as")
    b = mk("up to $5bn", 5 * B, doc="A", metric="loss", bound="upper", qualifier="up to",
           sentence="That implies a loss of up to $5bn this year.")
    r = run(a, b)
    (f,) = r.facts
    assert f.status == "single" and sorted(f.claim_ids) == sorted([a.claim_id, b.claim_id])
    merged = [row for row in f.provenance if row["merged_into"]]
    assert len(merged) == 1 and merged[0]["merged_into"] in (a.claim_id, b.claim_id)
    # a third article stating $7bn conflicts with the (merged) upper bound, as one statement
    r = run(a, b, mk("$7bn", 7 * B, doc="B", metric="loss"))
    (c,) = r.conflicts
    assert sorted(c.groups[0]["claim_ids"]) == sorted([a.claim_id, b.claim_id])
    assert c.groups[0]["doc_ids"] == ["A"]


# ---------------------------------------------------------------------------
# copied sources

LOREM = ("Meta said on Wednesday that its capital spending would rise sharply as the company races to build "
         "data centres for artificial intelligence, with executives telling analysts that the investment was "
         "necessary to keep pace with rivals. The company expects spending of about forty billion dollars and "
         "warned that costs would grow faster next year as it trains larger models on bigger clusters of chips. "
         "Shares fell in after-hours trading as investors weighed the outlay against slower revenue growth.")
OTHER = ("Regulators in Brussels opened an inquiry into cloud contracts on Monday, saying smaller providers had "
         "complained about licensing terms. Officials declined to name the companies involved, but said the "
         "review would look at pricing, switching fees and data portability across the bloc's member states.")


def _claims_from(doc: str, sigs: list[tuple[float, str]]) -> list[Claim]:
    return [mk(f"{v:g}", v, doc=doc, unit=u, metric=f"m{i}") for i, (v, u) in enumerate(sigs)]


def test_near_copy_detected():
    copy = LOREM.replace("Wednesday", "Thursday").replace("sharply", "steeply")
    docs = {"a": {"text": LOREM, "published": "2024-10-30"}, "b": {"text": copy, "published": "2024-10-31"},
            "c": {"text": OTHER, "published": "2024-10-30"}}
    pairs = find_dependent_docs(docs)
    assert [p["doc_ids"] for p in pairs] == [["a", "b"]]
    assert pairs[0]["method"] == "near_copy" and pairs[0]["similarity"] > 0.5


def _corpus(name: str) -> str:
    return next(CORPUS.glob(name + "_*.txt")).read_text(encoding="utf-8")


def test_paraphrased_rewrite_detected_from_shared_figures_and_vocabulary():
    # two rewrites of one Wired story (sample corpus): few exact 5-grams, but the same figures
    texts = {"w1": _corpus("000"), "w2": _corpus("001"), "g": _corpus("003"), "y": _corpus("004")}
    docs = {k: {"text": t, "published": "2024-10" if k.startswith("w") else "2024-07"} for k, t in texts.items()}
    figures = [(1e5, "GPU"), (150e6, "W"), (30e6, "W"), (40e9, "USD"), (9, "percent"), (22, "percent"), (5e8, "user")]
    claims = (_claims_from("w1", figures) + _claims_from("w2", figures + [(42, "percent")])
              + _claims_from("g", [(1e12, "USD"), (10.5e9, "USD"), (5e9, "USD"), (25, "percent"), (20, "USD")])
              + _claims_from("y", [(3.5e5, "GPU"), (5e8, "USD")]))
    pairs = find_dependent_docs(docs, claims)
    assert [p["doc_ids"] for p in pairs] == [["w1", "w2"]]
    assert pairs[0]["method"] == "rewrite"
    assert pairs[0]["containment"] < 0.05  # not a near copy: paraphrased


def test_shared_figures_alone_do_not_make_copies():
    docs = {"a": {"text": LOREM, "published": "2024-10-30"}, "b": {"text": OTHER, "published": "2024-10-30"}}
    figures = [(40e9, "USD"), (9, "percent"), (22, "percent"), (5e8, "user")]
    assert find_dependent_docs(docs, _claims_from("a", figures) + _claims_from("b", figures)) == []


def test_fact_sources_count_copies_once():
    copy = LOREM.replace("Wednesday", "Thursday")
    a = mk("$40bn", 40 * B, doc="a")
    b = mk("$40bn", 40 * B, doc="b")
    c = mk("about $40bn", 40 * B, doc="c", approximate=True, qualifier="about")
    docs = {"a": {"text": LOREM, "published": "2024-10-30"}, "b": {"text": copy, "published": "2024-10-31"},
            "c": {"text": OTHER, "published": "2024-10-30"}}
    r = resolve([a, b, c], docs)
    (f,) = r.facts
    assert f.sources["doc_ids"] == ["a", "b", "c"]
    assert f.sources["independent"] == ["a", "c"]  # the earlier of the copies represents them
    assert f.sources["dependent_groups"] == [["a", "b"]]
    assert r.dependent_docs[0]["group"] == ["a", "b"]


def test_agreed_can_require_independent_sources():
    copy = LOREM.replace("Wednesday", "Thursday")
    docs = {"a": {"text": LOREM, "published": "2024-10-30"}, "b": {"text": copy, "published": "2024-10-31"}}
    claims = [mk("$40bn", 40 * B, doc="a"), mk("$40bn", 40 * B, doc="b")]
    assert resolve(claims, docs).facts[0].status == "single"  # copies are one source (the default)
    loose = {"status": {"agreed_requires_independent": False}}
    assert resolve(claims, docs, config=loose).facts[0].status == "agreed"


# ---------------------------------------------------------------------------
# decisions


def _conflicting():
    return [mk("$13.2bn", 13.2 * B, doc="A", metric="revenue", cid="cA"),
            mk("$13.9bn", 13.9 * B, doc="B", metric="revenue", cid="cB")]


def test_decisions_round_trip(tmp_path):
    claims = _conflicting()
    docs = docs_for(claims)
    (c,) = resolve(claims, docs).conflicts
    path = tmp_path / "review" / "decisions.jsonl"
    d1 = append_decision(path, c.conflict_id, accept_claim="cA", note="first look")
    d2 = append_decision(path, c.conflict_id, accept_claim="cB", note="10-K says 13.9", who="alice")
    append_decision(path, "x_0000000000000000", value=1.0, who="bob")
    assert d1["who"] and d1["when"].endswith("Z")
    loaded = load_decisions(path)
    assert [d["conflict_id"] for d in loaded] == [c.conflict_id, c.conflict_id, "x_0000000000000000"]
    assert loaded[1] == d2

    r = resolve(claims, docs, decisions=loaded)
    (f,) = r.facts
    (c2,) = r.conflicts
    assert f.status == "resolved" and f.value == 13.9 * B
    assert f.resolution["claim_id"] == "cB" and f.resolution["who"] == "alice"  # the last decision wins
    assert c2.resolution == f.resolution and c2.conflict_id == c.conflict_id
    assert [s["conflict_id"] for s in r.stale_decisions] == ["x_0000000000000000"]
    assert "reason" in r.stale_decisions[0]


def test_decision_with_value_and_bad_claim(tmp_path):
    claims = _conflicting()
    (c,) = run(*claims).conflicts
    decisions = [{"conflict_id": c.conflict_id, "accept_claim": "nope", "value": None, "note": None,
                  "who": "x", "when": "t"},
                 {"conflict_id": c.conflict_id, "accept_claim": None, "value": 13.5e9, "note": "average",
                  "who": "y", "when": "t"}]
    r = run(*claims, decisions=decisions)
    assert r.facts[0].status == "resolved" and r.facts[0].value == 13.5e9
    assert r.facts[0].resolution["claim_id"] is None and r.facts[0].resolution["note"] == "average"
    assert len(r.stale_decisions) == 1 and "not part of conflict" in r.stale_decisions[0]["reason"]
    junk = [{"conflict_id": c.conflict_id, "accept_claim": None, "value": "lots", "note": None,
             "who": "z", "when": "t"}]
    r = run(*claims, decisions=junk)
    assert r.facts[0].status == "conflict" and "not a finite number" in r.stale_decisions[0]["reason"]


def test_load_decisions_missing_and_malformed(tmp_path):
    assert load_decisions(tmp_path / "none.jsonl") == []
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"conflict_id": "x_1"}\n{oops\n', encoding="utf-8")
    with pytest.raises(ValueError, match=":2:"):
        load_decisions(bad)


def test_changed_claims_make_old_decision_stale(tmp_path):
    claims = _conflicting()
    (c,) = run(*claims).conflicts
    path = tmp_path / "d.jsonl"
    append_decision(path, c.conflict_id, accept_claim="cA")
    extra = mk("$14.1bn", 14.1 * B, doc="C", metric="revenue", cid="cC")
    r = run(*claims, extra, decisions=load_decisions(path))
    assert r.conflicts[0].conflict_id != c.conflict_id and r.conflicts[0].resolution is None
    assert [s["conflict_id"] for s in r.stale_decisions] == [c.conflict_id]


# ---------------------------------------------------------------------------
# determinism, ids, schemas


def _mixed_claims() -> list[Claim]:
    return [
        mk("$40 billion", 40 * B, doc="A", cid="k1"),
        mk("roughly $40 billion", 40 * B, doc="B", approximate=True, qualifier="roughly", cid="k2"),
        mk("$13.2bn", 13.2 * B, doc="A", metric="revenue", cid="k3"),
        mk("$13.9bn", 13.9 * B, doc="B", metric="revenue", cid="k4"),
        mk("up to $5bn", 5 * B, doc="C", metric="loss", bound="upper", qualifier="up to", cid="k5"),
        mk("$7bn", 7 * B, doc="A", metric="loss", cid="k6"),
        mk("150 megawatts", 150e6, doc="A", kind="power", unit="W", metric="power_draw", subject="cluster",
           approximate=True, qualifier="around", time=None, cid="k7"),
        mk("hundreds of millions", 3e8, doc="C", metric="training_cost", vague=True, vmin=1e8, vmax=1e9, cid="k8"),
        mk("500 million", 5e8, doc="B", subject="Meta AI", metric="monthly_users", kind="user_count", unit="user",
           time=None, cid="k9"),
    ]


def test_deterministic_across_input_order():
    claims = _mixed_claims()
    docs = docs_for(claims)
    ref = resolve(claims, docs)
    for seed in range(5):
        shuffled = claims[:]
        random.Random(seed).shuffle(shuffled)
        docs_shuffled = dict(sorted(docs.items(), key=lambda kv: random.Random(seed).random()))
        r = resolve(shuffled, docs_shuffled)
        assert [f.to_dict() for f in r.facts] == [f.to_dict() for f in ref.facts]
        assert [c.to_dict() for c in r.conflicts] == [c.to_dict() for c in ref.conflicts]
        assert r.dependent_docs == ref.dependent_docs


def test_ids_are_hashes_of_key_and_claims():
    r = resolve(_mixed_claims(), docs_for(_mixed_claims()))
    for f in r.facts:
        expect = "f_" + hashlib.sha256(json.dumps(f.key, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]
        assert f.fact_id == expect
    assert len({f.fact_id for f in r.facts}) == len(r.facts)
    for c in r.conflicts:
        claim_ids = sorted(i for g in c.groups for i in g["claim_ids"])
        expect = "x_" + hashlib.sha256((c.fact_id + "|" + ",".join(claim_ids)).encode()).hexdigest()[:16]
        assert c.conflict_id == expect


def test_records_validate_against_schemas():
    fact_schema = json.loads((SCHEMAS / "fact.schema.json").read_text())
    conflict_schema = json.loads((SCHEMAS / "conflict.schema.json").read_text())
    claims = _mixed_claims()
    first = resolve(claims, docs_for(claims))
    decisions = [{"conflict_id": first.conflicts[0].conflict_id, "accept_claim": None, "value": 1.0,
                  "note": "n", "who": "w", "when": "2024-01-01T00:00:00Z"}]
    r = resolve(claims, docs_for(claims), decisions=decisions)
    assert {f.status for f in r.facts} >= {"agreed", "single", "conflict", "resolved"}
    fv = jsonschema.Draft202012Validator(fact_schema)
    cv = jsonschema.Draft202012Validator(conflict_schema)
    for f in r.facts:
        fv.validate(json.loads(json.dumps(f.to_dict())))
    for c in r.conflicts:
        cv.validate(json.loads(json.dumps(c.to_dict())))
    bad = r.facts[0].to_dict() | {"status": "maybe"}
    assert not fv.is_valid(bad)


# ---------------------------------------------------------------------------
# cost


def _many(n_subjects: int, per_subject: int = 3) -> list[Claim]:
    out = []
    for s in range(n_subjects):
        for j in range(per_subject):
            out.append(mk(f"${s + 1}bn", (s + 1) * B, doc=f"d{j}", subject=f"Company {s}", cid=f"s{s}_{j}"))
    return out


def test_blocking_keeps_cost_linear():
    small = _many(200)
    big = _many(800)
    rs = resolve(small, docs_for(small))
    rb = resolve(big, docs_for(big))
    assert rb.stats["largest_block"] <= load_config()["linking"]["max_block"]
    # comparisons grow with the number of claims, not its square
    assert rb.stats["comparisons"] / len(big) <= 1.1 * rs.stats["comparisons"] / len(small)
    assert rb.stats["comparisons"] <= 5 * len(big)
    assert all(f.status == "agreed" for f in rb.facts)


# ---------------------------------------------------------------------------
# copy detection at scale


def _synthetic_corpus(n: int, seed: int = 0, sentence_sharing: bool = False):
    """``n`` unrelated articles (random words, 2 stock phrases each, 6 figures of
    their own + 2 common ones), plus: a near copy of every 10th (from lightly
    to heavily edited, around the thresholds), a paraphrase of every 10th
    (same figures and vocabulary, shuffled words) and, with
    ``sentence_sharing``, stock sentences shared by some articles."""
    rng = random.Random(seed)
    vocab = [f"w{i}" for i in range(4000)]
    phrases = [[rng.choice(vocab) for _ in range(8)] for _ in range(10)]
    stock = [" ".join(rng.choice(vocab) for _ in range(10)) + "." for _ in range(5)]
    common = [(10.0, "percent"), (1e9, "USD"), (2.0, "percent"), (5e6, "USD")]
    docs: dict[str, dict] = {}
    claims: list[Claim] = []

    def add(doc: str, words: list[str], figs, extra: list[str] = (), published: str = "2024-10-01"):
        sents = [" ".join(words[j:j + 15]) + "." for j in range(0, len(words), 15)]
        docs[doc] = {"text": " ".join(sents + list(extra)), "published": published}
        claims.extend(mk(f"{v:g}", v, doc=doc, unit=u, metric=f"m{k}", cid=f"{doc}_{k}") for k, (v, u) in enumerate(figs))

    for i in range(n):
        words = [rng.choice(vocab) for _ in range(150)]
        for ph in rng.sample(phrases, 2):
            k = rng.randrange(10, 140)
            words[k:k] = ph
        figs = [(float(rng.randrange(100, 999)), f"u{rng.randrange(10 ** 6)}") for _ in range(6)] + rng.sample(common, 2)
        extra = rng.sample(stock, rng.choice([2, 3])) if sentence_sharing and i % 10 == 7 else []
        add(f"d{i:05d}", words, figs, extra)
        if i % 10 == 1:
            edited = list(words)
            for _ in range(rng.randrange(2, 30)):
                edited[rng.randrange(len(edited))] = rng.choice(vocab)
            add(f"d{i:05d}c", edited, figs[: rng.randrange(0, 9)], published="2024-10-02")
        if i % 10 == 5:
            shuffled = [w if rng.random() < 0.6 else rng.choice(vocab) for w in words]
            rng.shuffle(shuffled)
            own = [(float(rng.randrange(100, 999)), f"v{rng.randrange(10 ** 6)}") for _ in range(rng.randrange(0, 4))]
            add(f"d{i:05d}r", shuffled, figs[: rng.choice([2, 3, 3, 4, 6, 8])] + own,
                published=rng.choice(["2024-10-03", "2024-10-20", "2025-03-01"]))
    return docs, claims


def test_pruned_copy_candidates_decide_like_comparing_every_pair():
    for seed in range(3):
        docs, claims = _synthetic_corpus(150, seed, sentence_sharing=True)
        fast, slow = {}, {}
        got = find_dependent_docs(docs, claims, _stats=fast)
        ref = find_dependent_docs(docs, claims, _stats=slow, _exhaustive=True)
        assert got == ref
        assert {p["method"] for p in got} == {"near_copy", "rewrite"}
        assert fast["doc_pairs_compared"] < slow["doc_pairs_compared"] / 5
    texts = {p.stem: {"text": p.read_text(encoding="utf-8")} for p in CORPUS.glob("*.txt")}
    assert find_dependent_docs(texts) == find_dependent_docs(texts, _exhaustive=True)


def test_copy_detection_compares_about_linearly_many_pairs():
    counts, found = [], []
    for n in (150, 600):
        docs, claims = _synthetic_corpus(n, seed=1)
        stats: dict = {}
        pairs = find_dependent_docs(docs, claims, _stats=stats)
        counts.append(stats["doc_pairs_compared"])
        found.append(len(pairs))
        assert all(p["doc_ids"][1].startswith(p["doc_ids"][0]) for p in pairs)  # only the planted copies
    # 4x the documents: about 4x the pairs compared, about the copies found (comparing every pair
    # sharing a stock phrase or a common figure: ~4,700 pairs at 150 documents)
    assert counts[1] <= 5 * counts[0] + 10
    assert counts[1] <= 3 * found[1] + 10


# ---------------------------------------------------------------------------
# partitioned resolution (the path of the distributed engine)


def test_block_key_is_the_dimension_every_compared_pair_shares():
    cfg = load_config()
    a = mk("$40bn", 40 * B, doc="A", metric="capex")
    b = mk("$41bn", 41 * B, doc="B", metric="capex", subject="Google")
    c = mk("$20 a month", 20, doc="A", rate="month")
    d = mk("100 GPUs", 100, doc="A", kind="chip_count", unit="GPU", counted="GPUs")
    e = mk("100 servers", 100, doc="A", kind="count", unit="server", counted="servers")
    assert block_key(a, None, cfg) == block_key(b, None, cfg) == json.dumps(["money"])
    assert len({block_key(x, None, cfg) for x in (a, c, d, e)}) == 4


def _by_partitions(claims, docs, decisions, k, seed):
    cfg = load_config()
    dependent = find_dependent_docs(docs, claims, _cfg=cfg)
    groups = copy_groups(dependent)
    by_key: dict[str, list[Claim]] = {}
    for c in claims:
        by_key.setdefault(block_key(c, docs, cfg), []).append(c)
    rng = random.Random(seed)
    parts: list[list[Claim]] = [[] for _ in range(k)]
    for key in sorted(by_key):
        parts[rng.randrange(k)].extend(by_key[key])
    results = [resolve_partition(p, docs, decisions, cfg, groups) for p in reversed(parts)]
    facts, conflicts, stale, _, _ = merge_partitions(results, decisions)
    return facts, conflicts, stale


def test_resolution_by_partitions_equals_resolve():
    import copy as _copy

    claims = _mixed_claims() + _conflicting()
    docs = docs_for(claims)
    first = resolve(claims, docs)
    assert len(first.conflicts) >= 2
    x0, x1 = first.conflicts[0], first.conflicts[1]
    accept = x1.groups[0]["claim_ids"][0]
    decisions = [
        {"conflict_id": x0.conflict_id, "accept_claim": None, "value": 1.0, "who": "a"},
        {"conflict_id": "x_0000000000000000", "accept_claim": None, "value": 2.0, "who": "b"},  # stale: gone
        {"conflict_id": x1.conflict_id, "accept_claim": "nope", "value": None, "who": "c"},    # stale: bad claim
        {"conflict_id": x1.conflict_id, "accept_claim": None, "value": "nan", "who": "d"},     # stale: bad value
        {"conflict_id": x1.conflict_id, "accept_claim": accept, "value": None, "who": "e"},
        {"conflict_id": x0.conflict_id, "accept_claim": None, "value": 3.0, "who": "f"},       # last one wins
    ]
    ref = resolve(_copy.deepcopy(claims), docs, decisions)
    assert len(ref.stale_decisions) == 3 and {f.status for f in ref.facts} >= {"resolved"}
    for k, seed in ((1, 0), (2, 1), (3, 2), (7, 3)):
        facts, conflicts, stale = _by_partitions(_copy.deepcopy(claims), docs, decisions, k, seed)
        assert [f.to_dict() for f in facts] == [f.to_dict() for f in ref.facts]
        assert [c.to_dict() for c in conflicts] == [c.to_dict() for c in ref.conflicts]
        assert stale == ref.stale_decisions


def test_partitioned_resolution_blocks_corpus_wide():
    """A block capped over the whole corpus stays capped in a partition that holds only part of it:
    partitions compare exactly the corpus's candidate pairs, so the facts never depend on the
    partition count (small caps make the corpus's blocks overflow)."""
    claims = []
    for d in range(8):  # eight articles on one company, each with a shared and an own figure
        claims += [mk("$5 billion", 5e9, doc=f"D{d}", metric="revenue"),
                   mk(f"${10 + d} billion", (10 + d) * 1e9, doc=f"D{d}", metric="revenue", subject=f"Firm{d % 3}"),
                   mk(f"{20 + d}%", 20 + d, doc=f"D{d}", kind="percentage", unit="percent", metric="margin")]
    docs = docs_for(claims)
    config = {"linking": {"max_block": 4, "max_value_block": 3}}
    want = resolve(claims, docs, config=config)
    for n in (2, 3, 5):
        got = resolve(claims, docs, config=config, npartitions=n)
        assert [f.to_dict() for f in got.facts] == [f.to_dict() for f in want.facts], n
        assert [c.to_dict() for c in got.conflicts] == [c.to_dict() for c in want.conflicts], n
