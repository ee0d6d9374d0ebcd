"""Record linkage rules (pipeline/resolve/: blocking -> comparison -> clustering), each with a
table of claims written here (invented companies and sentences, not dev-set texts)."""
from __future__ import annotations

from datetime import date

import pytest

from pipeline.records import Claim, EntityRef, Provenance, TimeRef
from pipeline.resolve import candidate_pairs, load_config, resolve, sentence_names
from pipeline.resolve.blocking import _prepare, attach_doc_names
from pipeline.resolve.comparison import compare, stated_numbers_meet
from pipeline.resolve.periods import Period, time_compatible

B = 1e9
M = 1e6
_n = [0]


def claim(surface: str, value: float, sentence: str, *, doc: str = "A", subject: str | None = None,
          obj: str | None = None, metric: str = "", kind: str = "money", unit: str = "USD",
          time: tuple | None = None, published: str | None = "2025-03-10", bound: str | None = None,
          qualifier: str | None = None, counted: str | None = None, source: str = "text") -> Claim:
    _n[0] += 1
    i = sentence.find(surface)
    assert i >= 0, (surface, sentence)
    return Claim(
        claim_id=f"k{_n[0]:05d}", doc_id=doc, kind=kind, metric=metric,
        subject=EntityRef(subject, subject, "ORG") if subject else None,
        object=EntityRef(obj, obj, "ORG") if obj else None,
        value=float(value), value_min=None, value_max=None, unit=unit, surface_value=float(value),
        surface_unit=unit, approximate=False, bound=bound, qualifier=qualifier, equivalents=[], rate=None,
        surface=surface, time=TimeRef(time[0], time[1], time[2], source) if time else None, attribution=None,
        hedged=False,
        provenance=Provenance(doc_id=doc, path=f"{doc}.txt", outlet=f"Outlet {doc}", url=None, published=published,
                              sentence=sentence, char_start=i, char_end=i + len(surface), sentence_start=0),
        extractor={"name": "test"}, counted=counted,
    )


def docs(*claims: Claim, texts: dict | None = None) -> dict[str, dict]:
    out = {}
    for c in claims:
        out[c.doc_id] = {"text": (texts or {}).get(c.doc_id, f"text of {c.doc_id} {c.provenance.sentence}"),
                         "path": f"{c.doc_id}.txt", "outlet": f"Outlet {c.doc_id}",
                         "published": c.provenance.published, "url": None}
    return out


def run(*claims: Claim, texts: dict | None = None):
    return resolve(list(claims), docs(*claims, texts=texts))


def fact_of(res, c: Claim):
    return next(f for f in res.facts if c.claim_id in f.claim_ids)


# --------------------------------------------------------------------------- names and blocking


@pytest.mark.parametrize("sentence, names", [
    ("Quillon said on Tuesday it raised $20m from Arbor Ventures.", ["quillon", "arbor", "ventures"]),
    ("The startup's H200 cluster cost $3bn, Dr Vell said.", ["h200", "vell"]),
    ("Shares of Marrow Inc. fell 4% in March.", ["shares", "marrow"]),
    ("it raised $20m in a round led by 3 investors.", []),
    ("Kestrel's GPT-9 model has 400bn parameters.", ["kestrel", "gpt-9"]),
])
def test_sentence_names(sentence, names):
    assert sentence_names(sentence, load_config()) == names


@pytest.mark.parametrize("a, b, paired", [
    # one shared name and the same dimension: compared
    (("$20m", 20 * M, "Quillon raised $20m last week."), ("$20 million", 20 * M, "Investors gave Quillon $20 million."), True),
    # no shared name: never compared, whatever the value
    (("$20m", 20 * M, "Quillon raised $20m last week."), ("$20m", 20 * M, "Brightwater raised $20m too."), False),
    # shared name, different dimension (money vs a count of GPUs): never compared
    (("$20m", 20 * M, "Quillon raised $20m last week."), ("20,000 GPUs", 2e4, "Quillon bought 20,000 GPUs."), False),
])
def test_blocking_pairs_share_a_dimension_and_a_name(a, b, paired):
    cfg = load_config({"linking": {"value_blocks": False}})  # names only (figures: test_resolve_value_blocks)
    ca = claim(*a, doc="A")
    kw = {"kind": "chip_count", "unit": "GPU", "counted": "GPUs"} if "GPU" in b[0] else {}
    cb = claim(*b, doc="B", **kw)
    ps = [_prepare(c, i, docs(ca, cb), cfg) for i, c in enumerate([ca, cb])]
    attach_doc_names(ps, docs(ca, cb), cfg)
    assert (candidate_pairs(ps, cfg) == [(0, 1)]) is paired


def test_blocks_are_capped():
    cfg = load_config({"linking": {"max_block": 3, "doc_keys": 0}})
    cs = [claim(f"${k}m", k * M, f"Ostrava Group paid ${k}m to Firm{k}x.", doc=f"D{k}") for k in range(1, 6)]
    ps = [_prepare(c, i, docs(*cs), cfg) for i, c in enumerate(cs)]
    stats: dict = {}
    assert candidate_pairs(ps, cfg, stats) == [] and stats["skipped_blocks"] >= 1


# --------------------------------------------------------------------------- time compatibility


def P(start: str, end: str) -> Period:
    return Period(date.fromisoformat(start), date.fromisoformat(end), "text")


@pytest.mark.parametrize("a, a_pub, b, b_pub, ok", [
    (P("2024-01-01", "2024-12-31"), None, P("2024-01-01", "2024-12-31"), None, True),   # same year
    (P("2024-07-01", "2024-09-30"), None, P("2024-01-01", "2024-12-31"), None, False),  # Q3 vs the year
    (P("2023-01-01", "2023-12-31"), None, P("2024-01-01", "2024-12-31"), None, False),  # two years: update
    (P("2025-03-06", "2025-03-06"), None, P("2025-03-07", "2025-03-07"), None, True),   # 'Thursday' vs next day
    (P("2025-03-01", "2025-03-01"), None, P("2025-03-20", "2025-03-20"), None, False),  # days far apart
    (None, date(2025, 3, 10), P("2025-01-01", "2025-12-31"), None, True),  # undated, in the stated year
    (None, date(2025, 3, 10), P("2030-01-01", "2030-12-31"), None, True),  # undated vs a plan 'by 2030'
    (None, date(2025, 3, 10), P("2019-01-01", "2019-12-31"), None, False),  # undated vs long before
    (None, date(2025, 1, 10), None, date(2025, 3, 20), True),   # the same fact reported in Jan and March
    (None, date(2023, 1, 10), None, date(2025, 3, 20), False),  # two years apart
    (None, None, P("2019-01-01", "2019-12-31"), None, True),    # no date at all: cannot tell
])
def test_time_compatibility(a, a_pub, b, b_pub, ok):
    assert time_compatible(a, a_pub, b, b_pub, load_config())[0] is ok
    assert time_compatible(b, b_pub, a, a_pub, load_config())[0] is ok


@pytest.mark.parametrize("as_published", [False, True])
def test_null_time_and_publication_fallback_are_both_unstated(as_published):
    # today's claims carry TimeRef(source="published"); after the date change they carry None
    t = ("", "2025-01-15", "2025-01-15") if as_published else None
    a = claim("$2bn", 2 * B, "Norvane's deal with Pellucid is worth $2bn.", doc="A", subject="Norvane",
              metric="acquisition_price", time=t, source="published", published="2025-01-15")
    b = claim("$2 billion", 2 * B, "Pellucid agreed to a $2 billion sale to Norvane.", doc="B", subject="Norvane",
              metric="acquisition_price", published="2025-03-02")
    r = run(a, b)
    assert len(r.facts) == 1 and r.facts[0].status == "agreed"


# --------------------------------------------------------------------------- comparison


@pytest.mark.parametrize("a, b, same_number", [
    (("£100m", 100 * M, {}), ("up to £100m", 100 * M, {"bound": "upper", "qualifier": "up to"}), True),
    (("$7bn", 7 * B, {}), ("more than $5bn", 5 * B, {"bound": "lower", "qualifier": "more than"}), False),
    (("$1.3bn", 1.3 * B, {}), ("$1.30 billion", 1.3 * B, {}), True),
    (("$1.3bn", 1.3 * B, {}), ("$1.4bn", 1.4 * B, {}), False),
])
def test_same_stated_number(a, b, same_number):
    cfg = load_config()
    ca = claim(a[0], a[1], f"Tarrow spent {a[0]}.", unit="GBP" if "£" in a[0] else "USD", **a[2])
    cb = claim(b[0], b[1], f"Tarrow spent {b[0]}.", doc="B", unit="GBP" if "£" in b[0] else "USD", **b[2])
    pa, pb = (_prepare(c, i, {}, cfg) for i, c in enumerate([ca, cb]))
    assert stated_numbers_meet(pa, pb, cfg) is same_number


@pytest.mark.parametrize("kw_a, kw_b, signal, sign", [
    ({"subject": "Tarrow"}, {"subject": "Tarrow"}, "subject", 1),
    ({"obj": "Lumen"}, {"obj": "Lumen"}, "object", 1),
    ({"obj": "Lumen"}, {"obj": "Vesta"}, "object", -1),
    ({"metric": "valuation"}, {"metric": "valuation"}, "metric", 1),
    ({"metric": "valuation"}, {"metric": "revenue"}, "metric", -1),
    ({"metric": "valuation"}, {"metric": "start"}, "metric", None),  # a verb, not a known family
])
def test_comparison_signals(kw_a, kw_b, signal, sign):
    cfg = load_config()
    ca = claim("$9bn", 9 * B, "Tarrow and Lumen: $9bn.", **kw_a)
    cb = claim("$9bn", 9 * B, "Tarrow and Lumen: $9bn.", doc="B", **kw_b)
    pa, pb = (_prepare(c, i, {}, cfg) for i, c in enumerate([ca, cb]))
    assert compare(pa, pb, cfg).signals.get(signal) == sign


# --------------------------------------------------------------------------- clustering


def test_agreement_across_rewordings_despite_different_subjects():
    # the subject differs (a person vs the company; a noun phrase) but the article names agree
    a = claim("$675 million", 675 * M, "Skyloft chief Ana Ruiz said Skyloft raised $675 million from Orbis.",
              doc="A", subject="Ana Ruiz", metric="funding")
    b = claim("$675m", 675 * M, "Robot maker Skyloft landed $675m, with Orbis leading.", doc="B",
              subject="robot maker", metric="funding")
    c = claim("$675M", 675 * M, "Orbis backs Skyloft with $675M.", doc="C", subject="Orbis", metric="raise")
    r = run(a, b, c)
    f = fact_of(r, a)
    assert set(f.claim_ids) == {a.claim_id, b.claim_id, c.claim_id} and f.status == "agreed"
    assert f.why["links"] and all({"claims", "topic", "signals"} <= set(x) for x in f.why["links"])


def test_two_values_in_one_article_are_two_facts():
    a = claim("$40m", 40 * M, "Ferrow raised $40m and is now valued at $400m.", doc="A", subject="Ferrow",
              metric="funding")
    b = claim("$400m", 400 * M, "Ferrow raised $40m and is now valued at $400m.", doc="A", subject="Ferrow",
              metric="funding")
    r = run(a, b)
    assert len(r.facts) == 2 and r.conflicts == []


@pytest.mark.parametrize("values, n_facts", [
    # bounds agree with many figures but may not chain them into one fact
    ([("up to $100m", 100 * M, "upper"), ("$113m", 113 * M, None), ("$130m", 130 * M, None)], 3),
    ([("$90m", 90 * M, None), ("up to $100m", 100 * M, "upper"), ("$100m", 100 * M, None)], 2),
])
def test_weak_links_do_not_chain_different_values(values, n_facts):
    cs = []
    for k, (surface, v, bound) in enumerate(values):
        cs.append(claim(surface, v, f"Halden Labs, backed by Corvid, got {surface} in funding.", doc=f"D{k}",
                        metric=["funding", "raise", "get"][k], bound=bound,
                        qualifier="up to" if bound else None))
    r = run(*cs)
    assert len(r.facts) == n_facts and r.conflicts == []


def test_same_fact_in_two_periods_is_a_timeline_not_a_conflict():
    a = claim("$29bn", 29 * B, "Pendra was valued at $29bn in January 2024.", doc="A", subject="Pendra",
              metric="valuation", time=("January 2024", "2024-01-01", "2024-01-31"), published="2024-01-20")
    b = claim("$80bn", 80 * B, "Pendra was valued at $80bn in October 2024.", doc="B", subject="Pendra",
              metric="valuation", time=("October 2024", "2024-10-01", "2024-10-31"), published="2024-10-20")
    r = run(a, b)
    fa, fb = fact_of(r, a), fact_of(r, b)
    assert fa.fact_id != fb.fact_id and r.conflicts == []
    assert fa.series == fb.series is not None and fb.updates == fa.fact_id and fa.updates is None
    (tl,) = r.series
    assert tl["facts"] == [fa.fact_id, fb.fact_id] and "$29bn (2024-01) -> $80bn (2024-10)" in tl["label"]


LAUNCH = ("Lanxi launched the new Corvo Book laptop on Monday in a webcast for developers and press. "
          "It has a faster chip and a brighter screen than last year. ")


def _price_claims(text_b: str):
    a = claim("$1,099", 1099, "The 13-inch Corvo Book from Lanxi starts at $1,099.", doc="A", subject="Lanxi",
              metric="price", published="2025-06-11")
    b = claim("$1,199", 1199, "Lanxi's 13-inch Corvo Book starts at $1,199.", doc="B", subject="Lanxi",
              metric="price", published="2025-06-12")
    texts = {"A": LAUNCH + a.provenance.sentence, "B": text_b}
    return a, b, texts


def test_conflict_needs_independent_sources():
    a, b, texts = _price_claims("A different story about the Corvo Book from an outlet of its own.")
    r = run(a, b, texts=texts)
    (x,) = r.conflicts
    assert x.why["evidence"]["signals"]["subject"] == 1 and "weights" in x.why
    # the same disagreement between an article and its copy: one source, no conflict
    a, b, texts = _price_claims(LAUNCH + "Lanxi's 13-inch Corvo Book starts at $1,199.")
    r = run(a, b, texts=texts)
    assert r.conflicts == [] and r.dependent_docs


def test_reports_months_apart_are_an_update_not_a_conflict():
    a = claim("$2bn", 2 * B, "Voss expects $2bn of chip sales next year.", doc="A", subject="Voss",
              metric="revenue", time=("next year", "2026-01-01", "2026-12-31"), published="2025-03-01")
    b = claim("$3bn", 3 * B, "Voss now expects $3bn of chip sales next year.", doc="B", subject="Voss",
              metric="revenue", time=("next year", "2026-01-01", "2026-12-31"), published="2025-10-01")
    r = run(a, b)
    assert r.conflicts == [] and fact_of(r, a).series == fact_of(r, b).series is not None


def test_people_counted_as_jobs_roles_or_workers_are_one_fact():
    a = claim("4,000 jobs", 4000, "Brantel will cut 4,000 jobs.", doc="A", subject="Brantel", kind="count",
              unit="jobs", counted="jobs", metric="job_cuts")
    b = claim("4,000 roles", 4000, "Brantel is axing 4,000 roles.", doc="B", subject="Brantel", kind="count",
              unit="roles", counted="roles", metric="job_cuts")
    c = claim("4,000 workers", 4000, "Brantel lays off 4,000 workers.", doc="C", subject="Brantel", kind="count",
              unit="workers", counted="workers", metric="job_cuts")
    r = run(a, b, c)
    assert len(fact_of(r, a).claim_ids) == 3


def test_resolution_is_deterministic_and_order_free():
    a, b, texts = _price_claims("A different story about the Corvo Book from an outlet of its own.")
    c = claim("$1,099", 1099, "Corvo Book by Lanxi: $1,099.", doc="C", subject="Lanxi", metric="price",
              published="2025-06-11")
    d1 = docs(a, b, c, texts=texts)
    r1 = resolve([a, b, c], d1)
    r2 = resolve([c, b, a], dict(reversed(list(d1.items()))))
    assert [f.to_dict() for f in r1.facts] == [f.to_dict() for f in r2.facts]
    assert [x.to_dict() for x in r1.conflicts] == [x.to_dict() for x in r2.conflicts]


@pytest.mark.parametrize("v_b, metric_b, conflict", [
    (1299, "price", True),    # same metric, 8% apart: a disagreement
    (2899, "price", True),    # same metric named by both: even 2.4x apart is a disagreement
    (21999, "price", False),  # but not 18x apart: another figure (or a misread one)
    (2899, "", False),        # metric unknown on one side and 2.4x apart: two different figures
])
def test_figures_far_apart_link_only_when_the_metric_is_known_to_match(v_b, metric_b, conflict):
    a = claim("$1,199", 1199, "The Corvo Book from Lanxi costs $1,199.", doc="A", subject="Lanxi", metric="price")
    s = f"${v_b:,}"
    b = claim(s, v_b, f"Lanxi prices the Corvo Book at {s}.", doc="B", subject="Lanxi", metric=metric_b)
    assert bool(run(a, b).conflicts) is conflict


@pytest.mark.parametrize("m_a, m_b, sign", [
    ("share_price_growth", "share_price_decline", -1),   # a rise and a fall: two facts
    ("sales_increase", "sales_drop", -1),
    ("share_price_growth", "share_price_growth", 1),
    ("share_price_growth", "ask", 0),                     # a verb: unknown, no signal
])
def test_metric_directions(m_a, m_b, sign):
    cfg = load_config()
    ca = claim("5%", 5, "Pellam shares moved 5% on Friday.", subject="Pellam", metric=m_a, kind="percentage",
               unit="percent")
    cb = claim("7%", 7, "Pellam shares moved 7% on Monday.", doc="B", subject="Pellam", metric=m_b,
               kind="percentage", unit="percent")
    pa, pb = (_prepare(c, i, {}, cfg) for i, c in enumerate([ca, cb]))
    assert compare(pa, pb, cfg).signals.get("metric") == (sign or None)


@pytest.mark.parametrize("metrics, published, n_groups", [
    # three outlets, one stated past period, one metric: a three-way conflict, months apart or not
    (("revenue", "revenue", "revenue"), ("2025-02-01", "2025-03-01", "2025-04-20"), 3),
    # the third figure's metric is not named alike: only the two joined by evidence compete
    (("revenue", "revenue", "ask"), ("2025-02-01", "2025-02-02", "2025-02-03"), 2),
])
def test_which_figures_compete(metrics, published, n_groups):
    year = ("in 2024", "2024-01-01", "2024-12-31")
    sentences = ["Dorrit Corp reported revenue of {} in 2024, the filing shows.",
                 "In 2024 Dorrit's annual revenue reached {}, according to analysts at Pell.",
                 "Dorrit says its revenue was {} last year (2024), its chief executive told investors."]
    cs = [claim(s, v * B, t.format(s), doc=d, subject="Dorrit", metric=m, time=year, published=p)
          for s, v, d, m, p, t in zip(("$5.2 billion", "$6.1 billion", "$7.9 billion"), (5.2, 6.1, 7.9), "ABC",
                                      metrics, published, sentences)]
    texts = {c.doc_id: c.provenance.sentence for c in cs}
    (x,) = run(*cs, texts=texts).conflicts
    assert len(x.groups) == n_groups


@pytest.mark.parametrize("sent_a, sent_b, conflict", [
    # the same who (Lanxi, Corvo Book) and the same what (base price of the 13-inch): a disagreement
    ("Lanxi's 13-inch Corvo Book base model starts at $1,099.", "The 13-inch Corvo Book base model from Lanxi starts at $1,199.", True),
    # the same who, nothing shared about what: two figures of one story
    ("Lanxi: $1,099 for the tablet.", "Lanxi agreed on $1,199 per seat.", False),
])
def test_conflict_needs_who_and_what(sent_a, sent_b, conflict):
    a = claim("$1,099", 1099, sent_a, doc="A", subject="Lanxi", metric="ask", published="2025-06-11")
    b = claim("$1,199", 1199, sent_b, doc="B", subject="Lanxi", metric="tag", published="2025-06-11")
    texts = {"A": "Independent report one. " + sent_a, "B": "A separate account, written apart. " + sent_b}
    assert bool(run(a, b, texts=texts).conflicts) is conflict
