"""Tests for pipeline.report."""
from __future__ import annotations

import html
import os
import re

import pytest

from pipeline.records import Claim, EntityRef, Provenance, TimeRef
from pipeline.report import format_conflicts_text, write_report
from pipeline.resolve import format_value, resolve

B = 1e9
_n = [0]


def mk(surface: str, value: float, sentence: str, *, doc: str, metric: str = "loss", bound: str | None = None,
       qualifier: str | None = None, cid: str | None = None, subject: str = "OpenAI",
       sentence_start: int = 500) -> Claim:
    _n[0] += 1
    i = sentence.index(surface)
    return Claim(
        claim_id=cid or f"r{_n[0]:03d}", doc_id=doc, kind="money", metric=metric,
        subject=EntityRef(subject, subject, "ORG"), object=None,
        value=value, value_min=None, value_max=None, unit="USD", surface_value=value, surface_unit="dollar",
        approximate=False, bound=bound, qualifier=qualifier, equivalents=[], rate=None, surface=surface,
        time=TimeRef("this year", "2024-01-01", "2024-12-31", "text"), attribution=None, hedged=False,
        provenance=Provenance(doc_id=doc, path=f"corpus/{doc}.txt", outlet=None, url=None, published="2024-07",
                              sentence=sentence, char_start=sentence_start + i,
                              char_end=sentence_start + i + len(surface), sentence_start=sentence_start),
        extractor={},
    )


DOCS = {
    "g": {"text": "", "path": "corpus/g.txt", "outlet": "The Guardian", "published": "2024-07-26",
          "url": "https://www.theguardian.com/x?a=1&b=2"},
    "w": {"text": "", "path": "corpus/w.txt", "outlet": None, "published": "2024-07-30", "url": None},
    "z": {"text": "", "path": "corpus/z.txt", "outlet": "Zeit <Online>", "published": "2024-07-28", "url": None},
}


@pytest.fixture
def scenario():
    claims = [
        mk("$5bn", 5 * B, "OpenAI could lose as much as $5bn this year, the Information reported.", doc="g",
           bound="upper", qualifier="as much as", cid="g1"),
        mk("$7bn", 7 * B, "Analysts now put OpenAI's loss at $7bn & rising.", doc="w", cid="w1"),
        mk("$8.5bn", 8.5 * B, "It amasses $8.5bn-worth of operating costs.", doc="g", metric="operating_cost",
           cid="g2"),
        mk("$8.5bn", 8.5 * B, "Operating costs reached $8.5bn <estimated>.", doc="z", metric="operating_cost",
           cid="z1", sentence_start=0),
    ]
    return claims


def test_html_has_reason_and_marked_figure(tmp_path, scenario):
    r = resolve(scenario, DOCS)
    (c,) = r.conflicts
    paths = write_report(r, scenario, DOCS, tmp_path)
    assert set(paths) == {"html", "md"}
    page = open(paths["html"], encoding="utf-8").read()
    assert html.escape(c.reason) in page
    assert c.reason == "as much as $5bn vs $7bn: above the stated upper bound"
    assert "lose as much as <mark>$5bn</mark> this year" in page
    assert "loss at <mark>$7bn</mark> &amp; rising" in page  # the sentence is escaped around the mark
    assert "Operating costs reached <mark>$8.5bn</mark> &lt;estimated&gt;" in page
    assert "<script src" not in page and "<style>" in page  # self-contained: one inline filter script
    assert 'href="https://www.theguardian.com/x?a=1&amp;b=2"' in page
    assert "The Guardian" in page and "2024-07" in page and "Zeit &lt;Online&gt;" in page
    # sections in order: summary, conflicts, facts, timelines, sources, stale decisions
    order = [page.index(s) for s in ('id="summary"', 'id="conflicts"', 'id="facts"', 'id="timelines"',
                                     'id="sources"', 'id="stale"')]
    assert order == sorted(order)


def test_markdown_has_same_content(tmp_path, scenario):
    r = resolve(scenario, DOCS)
    paths = write_report(r, scenario, DOCS, tmp_path)
    md = open(paths["md"], encoding="utf-8").read()
    assert "## Conflicts (1)" in md and "## Facts (2)" in md and "## Stale decisions (0)" in md
    assert "above the stated upper bound" in md
    assert "as much as **\\$5bn** this year" in md


def test_report_shows_resolution_and_stale_decisions(tmp_path, scenario):
    (c,) = resolve(scenario, DOCS).conflicts
    decisions = [
        {"conflict_id": c.conflict_id, "accept_claim": "w1", "value": None, "note": "later figure",
         "who": "alice", "when": "2024-08-01T00:00:00Z"},
        {"conflict_id": "x_deadbeefdeadbeef", "accept_claim": None, "value": 3.0, "note": None,
         "who": "bob", "when": "2024-08-02T00:00:00Z"},
    ]
    r = resolve(scenario, DOCS, decisions=decisions)
    paths = write_report(r, scenario, DOCS, tmp_path)
    page = open(paths["html"], encoding="utf-8").read()
    assert "Resolved:" in page and "alice" in page and "later figure" in page
    assert "x_deadbeefdeadbeef" in page
    md = open(paths["md"], encoding="utf-8").read()
    assert "## Stale decisions (1)" in md and "`x_deadbeefdeadbeef`" in md


def test_atomic_write_leaves_no_temp_files_and_overwrites(tmp_path, scenario):
    r = resolve(scenario, DOCS)
    (tmp_path / "report.html").write_text("old", encoding="utf-8")
    write_report(r, scenario, DOCS, tmp_path)
    write_report(r, scenario, DOCS, tmp_path)
    assert sorted(os.listdir(tmp_path)) == ["report.html", "report.md"]
    assert (tmp_path / "report.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_report_is_deterministic(tmp_path, scenario):
    r1 = resolve(scenario, DOCS)
    r2 = resolve(list(reversed(scenario)), DOCS)
    a = write_report(r1, scenario, DOCS, tmp_path / "a")
    b = write_report(r2, scenario, DOCS, tmp_path / "b")
    for k in ("html", "md"):
        assert open(a[k], encoding="utf-8").read() == open(b[k], encoding="utf-8").read()


def test_format_conflicts_text(scenario):
    r = resolve(scenario, DOCS)
    (c,) = r.conflicts
    text = format_conflicts_text(r.conflicts)
    assert text.startswith("1 conflict (1 open, 0 resolved)")
    assert c.conflict_id in text and c.reason in text
    assert "g1" in text and "w1" in text and "MEDIUM" in text
    assert format_conflicts_text([]) == "No conflicts.\n"


@pytest.mark.parametrize("value,unit,expected", [
    (13.2e9, "USD", "$13.2bn"),
    (8.9e9, "GBP", "£8.9bn"),
    (2.6e6, "USD", "$2.6m"),
    (1e12, "USD", "$1tn"),
    (150e6, "W", "150 MW"),
    (22, "percent", "22%"),
    (100000, "GPU", "100,000 GPUs"),
    (5e8, "user", "500 million users"),
    (1, "GPU", "1 GPU"),
    (2.5e6, "person", "2.5 million people"),
])
def test_format_value(value, unit, expected):
    assert format_value(value, unit) == expected


def _section(page: str, sid: str) -> str:
    start = page.index(f'<section id="{sid}">')
    return page[start:page.index("</section>", start)]


def _groups(page: str) -> list[str]:
    """The value groups of the conflicts section, each from its opening tag on."""
    parts = re.split(r'(?=<div class="group[ "])', _section(page, "conflicts"))
    return [p for p in parts if p.startswith('<div class="group')]


def test_summary_says_what_needs_review(tmp_path, scenario):
    r = resolve(scenario, DOCS)
    (c,) = r.conflicts
    page = open(write_report(r, scenario, DOCS, tmp_path)["html"], encoding="utf-8").read()
    summary = _section(page, "summary")
    assert "1 open conflict needs a reviewer's decision" in html.unescape(summary)
    # the open conflict is listed with a link down to its card
    assert f'href="#{c.conflict_id}"' in summary and f'id="{c.conflict_id}"' in page
    assert c.reason in html.unescape(summary)
    md = open(tmp_path / "report.md", encoding="utf-8").read()
    assert "**1 open conflict needs a reviewer's decision.**" in md
    assert f"(`{c.conflict_id}`)" in md.split("## Conflicts")[0]


def test_conflict_values_side_by_side_with_sources(tmp_path, scenario):
    r = resolve(scenario, DOCS)
    page = open(write_report(r, scenario, DOCS, tmp_path)["html"], encoding="utf-8").read()
    groups = _groups(page)
    assert len(groups) == 2
    # each value group holds its own value and its own quoted sentence
    assert '<div class="value">as much as $5bn</div>' in groups[0] and "<mark>$5bn</mark>" in groups[0]
    assert "bound" in groups[0]  # the kind of figure is labelled
    assert '<div class="value">$7bn</div>' in groups[1] and "<mark>$7bn</mark>" in groups[1]
    assert "<mark>$7bn</mark>" not in groups[0]
    # the link text is shortened, the href is the full URL
    assert '>theguardian.com/x?a=1&amp;b=2</a>' in groups[0]
    # no outlet and no URL: the file path names the source
    assert "corpus/w.txt" in groups[1]


def _page_after_decision(tmp_path, scenario, accept_claim, who):
    """The scenario's one conflict, a decision accepting ``accept_claim`` on it, the report page."""
    (c,) = resolve(scenario, DOCS).conflicts
    decisions = [{"conflict_id": c.conflict_id, "accept_claim": accept_claim, "value": None, "note": None,
                  "who": who, "when": "2024-08-01T00:00:00Z"}]
    r = resolve(scenario, DOCS, decisions=decisions)
    return c, open(write_report(r, scenario, DOCS, tmp_path)["html"], encoding="utf-8").read()


def test_resolved_conflict_marks_accepted_value(tmp_path, scenario):
    _, page = _page_after_decision(tmp_path, scenario, "w1", "alice")
    groups = _groups(page)
    assert "accepted" not in groups[0]
    assert groups[1].startswith('<div class="group accepted"') and "✓ accepted" in groups[1] and "<mark>$7bn</mark>" in groups[1]
    assert "All 1 conflict resolved" in _section(page, "summary")
    md = open(tmp_path / "report.md", encoding="utf-8").read()
    assert "| Value A | Value B ✓ |" in md and "#### Value B: $7bn (accepted)" in md.replace("\\$", "$")


def test_stale_decision_links_to_live_conflict(tmp_path, scenario):
    c, page = _page_after_decision(tmp_path, scenario, "nope", "carol")
    stale = _section(page, "stale")
    assert f'<a href="#{c.conflict_id}">' in stale and "accept claim nope" in stale and "carol" in stale
    assert "1 recorded decision no longer applies" in _section(page, "summary")


def test_empty_resolution_renders_empty_states(tmp_path):
    r = resolve([], {})
    paths = write_report(r, [], {}, tmp_path)
    page = open(paths["html"], encoding="utf-8").read()
    assert "No conflicting figures" in _section(page, "conflicts")
    assert "No facts." in _section(page, "facts")
    assert "No stale decisions" in _section(page, "stale")
    assert "<mark>" not in page and "<blockquote>" not in page
    md = open(paths["md"], encoding="utf-8").read()
    assert "## Conflicts (0)" in md and "No stale decisions" in md
