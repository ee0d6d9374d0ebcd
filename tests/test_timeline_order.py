"""Timelines keep time order and tell apart two steps in one month (a trial user's defect: two
periods in the same month appeared out of order, both labelled with the month).

Invented companies and sentences; fact records are written here in the output format."""
from __future__ import annotations

import pytest

from pipeline.report import build_view
from test_resolve_linking import B, claim, fact_of, run


def _fact(fid: str, period: tuple[str, str, str], value: float, surface: str, doc: str,
          updates: str | None = None) -> dict:
    sentence = f"Pendra was valued at {surface} that week."
    i = sentence.index(surface)
    return {"fact_id": fid, "key": {"subject": "Pendra", "object": None, "metric": "valuation",
                                    "period": {"start": period[0], "end": period[1], "source": period[2]}},
            "subject": None, "unit": "USD", "value": value, "value_min": value, "value_max": value,
            "status": "single", "claim_ids": [fid + "c"], "resolution": None, "series": "s_pendra",
            "updates": updates,
            "sources": {"doc_ids": [doc], "independent": [doc], "dependent_groups": []},
            "provenance": [{"claim_id": fid + "c", "doc_id": doc, "path": f"{doc}.txt", "outlet": None,
                            "url": None, "published": None, "sentence": sentence, "sentence_start": 0,
                            "char_start": i, "char_end": i + len(surface), "surface": surface,
                            "display": surface, "value": value, "unit": "USD", "group": 0, "merged_into": None}]}


MONTH = ("2024-03-01", "2024-03-31", "published")

# (facts in file order, publication date of each document, expected timeline text)
REPORT_CASES = [
    # two stated days of one month; the later fact's id sorts first
    ([_fact("f_a", ("2024-03-25", "2024-03-25", "text"), 40 * B, "$40bn", "late"),
      _fact("f_b", ("2024-03-03", "2024-03-03", "text"), 29 * B, "$29bn", "early")],
     {"late": "2024-03-26", "early": "2024-03-04"},
     "Pendra valuation: $29bn (3 Mar 2024) → $40bn (25 Mar 2024)"),
    # two undated facts of one cluster share the publication month as their period: the resolver's
    # chain (updates) and the publication days order them, not the fact ids
    ([_fact("f_a", MONTH, 35 * B, "$35bn", "late", updates="f_z"),
      _fact("f_z", MONTH, 31 * B, "$31bn", "early")],
     {"late": "2024-03-28", "early": "2024-03-05"},
     "Pendra valuation: $31bn (published 5 Mar 2024) → $35bn (published 28 Mar 2024)"),
    # the same without a chain: the earliest publication date decides
    ([_fact("f_a", MONTH, 35 * B, "$35bn", "late"), _fact("f_z", MONTH, 31 * B, "$31bn", "early")],
     {"late": "2024-03-28", "early": "2024-03-05"},
     "Pendra valuation: $31bn (published 5 Mar 2024) → $35bn (published 28 Mar 2024)"),
    # different months keep the short month labels
    ([_fact("f_a", ("2024-04-01", "2024-04-30", "text"), 40 * B, "$40bn", "late"),
      _fact("f_b", ("2024-03-01", "2024-03-31", "text"), 29 * B, "$29bn", "early")],
     {"late": "2024-05-02", "early": "2024-04-02"},
     "Pendra valuation: $29bn (Mar 2024) → $40bn (Apr 2024)"),
]


@pytest.mark.parametrize("facts, published, text", REPORT_CASES)
def test_report_timeline_in_time_order_with_days_when_months_tie(facts, published, text):
    docs = {d: {"path": f"{d}.txt", "published": p} for d, p in published.items()}
    (t,) = build_view(facts, [], [], docs)["timelines"]
    assert t["text"] == text


@pytest.mark.parametrize("first_doc_is_late", [True, False])
@pytest.mark.parametrize("early, late, label", [
    (("March 3, 2024", "2024-03-03", "2024-03-03"), ("March 25, 2024", "2024-03-25", "2024-03-25"),
     "Pendra valuation: $29bn (2024-03-03) -> $40bn (2024-03-25)"),
    (("the first week of March 2024", "2024-03-01", "2024-03-07"), ("March 20, 2024", "2024-03-20", "2024-03-20"),
     "Pendra valuation: $29bn (2024-03-01) -> $40bn (2024-03-20)"),
    (("January 2024", "2024-01-01", "2024-01-31"), ("October 2024", "2024-10-01", "2024-10-31"),
     "Pendra valuation: $29bn (2024-01) -> $40bn (2024-10)"),
])
def test_resolver_series_label_in_time_order(early, late, label, first_doc_is_late):
    a = claim("$29bn", 29 * B, f"Pendra was valued at $29bn in {early[0]}.", doc="E", subject="Pendra",
              metric="valuation", time=early, published=early[1])
    b = claim("$40bn", 40 * B, f"Pendra was valued at $40bn on {late[0]}.", doc="L", subject="Pendra",
              metric="valuation", time=late, published=late[1])
    r = run(*((b, a) if first_doc_is_late else (a, b)))
    (tl,) = r.series
    assert tl["facts"] == [fact_of(r, a).fact_id, fact_of(r, b).fact_id]
    assert tl["label"] == label
    assert fact_of(r, b).updates == fact_of(r, a).fact_id


# two stated periods: adjacent calendar months are two periods (a timeline), days of one week's
# news are one period (a disagreement)
@pytest.mark.parametrize("early, late, timeline", [
    (("March 2024", "2024-03-01", "2024-03-31"), ("April 2024", "2024-04-01", "2024-04-30"), True),
    (("May 2024", "2024-05-01", "2024-05-31"), ("June 2024", "2024-06-01", "2024-06-30"), True),
    (("Q1 2024", "2024-01-01", "2024-03-31"), ("Q2 2024", "2024-04-01", "2024-06-30"), True),
    (("Thursday", "2024-03-07", "2024-03-07"), ("Friday", "2024-03-08", "2024-03-08"), False),
    (("Monday", "2024-03-04", "2024-03-04"), ("Wednesday", "2024-03-06", "2024-03-06"), False),
])
def test_adjacent_months_are_a_timeline_days_of_one_week_one_period(early, late, timeline):
    a = claim("$29bn", 29 * B, f"Pendra was valued at $29bn in {early[0]}.", doc="E", subject="Pendra",
              metric="valuation", time=early, published=early[2])
    b = claim("$40bn", 40 * B, f"Pendra was valued at $40bn in {late[0]}.", doc="L", subject="Pendra",
              metric="valuation", time=late, published=late[2])
    r = run(a, b)
    if timeline:
        assert r.conflicts == [] and fact_of(r, a).series == fact_of(r, b).series is not None
    else:
        (x,) = r.conflicts
