"""Blocking on the figure itself (``linking.value_blocks``): two articles stating the same figure
are compared even when they share no name, but such a pair links only with the same metric, the
same stated number, and one named owner that the other claim does not contradict.
Invented sentences (not dev-set texts)."""
from __future__ import annotations

import pytest

from pipeline.records import EntityRef
from test_resolve_linking import M, claim, fact_of, run

TEXTS = {"A": "A note on regional networks, landing stations and repair ships in the south.",
         "B": "Weekly column about carriers, tariffs and the cost of bandwidth for small firms."}


def c(surface, value, sentence, doc, owner=None, np=None, metric="traffic_share", kind="percentage",
      unit="percent", **kw):
    x = claim(surface, value, sentence, doc=doc, subject=owner, metric=metric, kind=kind, unit=unit,
              published="2025-04-0" + ("1" if doc == "A" else "3"), **kw)
    if np:
        x.subject = EntityRef(np, np, "NP")
    return x


ROWS = [
    # one named owner, the other figure unnamed: the same fact
    (c("90%", 90, "These three circuits account for 90% of the traffic.", "A", np="three circuits"),
     c("Close to 90 percent", 90, "Close to 90 percent of data traffic runs on the lines, Norvik said.", "B",
       owner="Norvik"), True),
    (c("7.5 hours", 7.5, "The new pack lasts 7.5 hours on one charge.", "A", np="new pack", metric="battery_life",
       kind="other", unit="hour"),
     c("7.5 hours", 7.5, "Trelis quotes 7.5 hours of use per charge.", "B", owner="Trelis", metric="battery_life",
       kind="other", unit="hour"), True),
    # the same number, different metrics: two facts
    (c("30%", 30, "Staff numbers in the back office will shrink by 30%.", "A", owner="Ardent", metric="cut_decline"),
     c("30%", 30, "Quarterly sales at Pellow climbed 30%.", "B", owner="Pellow", metric="revenue_growth"), False),
    # the same metric and number, two different named owners: two facts
    (c("$2 billion", 2e3 * M, "Ardent booked revenue of $2 billion.", "A", owner="Ardent", metric="revenue",
       kind="money", unit="USD"),
     c("$2 billion", 2e3 * M, "Pellow booked revenue of $2 billion.", "B", owner="Pellow", metric="revenue",
       kind="money", unit="USD"), False),
    # nobody named on either side: two facts
    (c("12%", 12, "Roughly 12% of the traffic is video calls.", "A", np="traffic"),
     c("12%", 12, "About 12% of the traffic now goes by satellite.", "B", np="traffic"), False),
]


@pytest.mark.parametrize("a, b, together", ROWS)
def test_a_figure_alone_links_only_with_the_same_metric_number_and_owner(a, b, together):
    r = run(a, b, texts=TEXTS)
    assert (fact_of(r, a).fact_id == fact_of(r, b).fact_id) is together
    assert r.conflicts == []


def test_without_value_blocks_the_same_figures_never_meet():
    from pipeline.resolve import resolve
    from test_resolve_linking import docs

    a, b, _ = ROWS[0]
    r = resolve([a, b], docs(a, b, texts=TEXTS), config={"linking": {"value_blocks": False}})
    assert fact_of(r, a).fact_id != fact_of(r, b).fact_id
