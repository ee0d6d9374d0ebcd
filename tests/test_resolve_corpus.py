"""Fact resolution on corpus/: the acceptance checks of the resolution issue, end to end."""
from __future__ import annotations

import pytest

from pipeline.store import read_jsonl

WIRED = ("000_", "001_")  # the two rewrites of one Wired story


@pytest.fixture(scope="module")
def out(corpus_run):
    o = corpus_run["out"]
    docs = {d["doc_id"]: d["path"].split("/")[-1] for d in read_jsonl(o / "documents.jsonl")}
    return {"facts": read_jsonl(o / "facts.jsonl"), "conflicts": read_jsonl(o / "conflicts.jsonl"),
            "claims": {c["claim_id"]: c for c in read_jsonl(o / "claims.jsonl")}, "docs": docs}


def facts_with(out, **want):
    found = []
    for f in out["facts"]:
        subj = (f["subject"] or {}).get("canonical", "")
        if want.get("metric") and f["metric"] != want["metric"]:
            continue
        if want.get("subject") and want["subject"] not in subj:
            continue
        if "value" in want and not (f["value_min"] <= want["value"] <= f["value_max"]):
            continue
        found.append(f)
    return found


@pytest.mark.parametrize("metric, subject, value", [
    ("power_draw", "El Capitan", 3e7),
    ("power_draw", "100,000 H100", 1.5e8),
    ("gpu_count", "100,000 H100", 1e5),
    ("infrastructure_spend", "Meta", 4e10),
    ("operating_cost_growth", "Meta", 9),
    ("revenue_growth", "Meta", 22),
])
def test_wired_rewrites_are_one_fact(out, metric, subject, value):
    (fact,) = facts_with(out, metric=metric, subject=subject, value=value)
    assert fact["status"] == "single"  # two rewrites of one article are one source: not "agreed" (issue 10)
    files = sorted(out["docs"][d] for d in fact["sources"]["doc_ids"])
    assert [f[:4] for f in files] == list(WIRED)
    # the two rewrites are dependent: one independent source
    assert fact["sources"]["n_independent"] == 1
    assert any(len(g) == 2 for g in fact["sources"]["dependent_groups"])


def test_meta_40bn_is_about_2024(out):
    (fact,) = facts_with(out, metric="infrastructure_spend", subject="Meta", value=4e10)
    assert fact["time"]["start"] == "2024-01-01" and fact["time"]["end"] == "2024-12-31"


def test_no_false_conflicts_on_the_sample_corpus(out):
    # 100,000-H100 cluster vs 350,000 H100s; 500M monthly users vs the 700M-MAU licence threshold;
    # $10.5bn vs £8.9bn (one claim with an equivalent): none of them is a disagreement
    assert out["conflicts"] == []
    counts = facts_with(out, metric="gpu_count")
    assert {f["value"] for f in counts} == {1e5, 3.5e5} and len(counts) == 2
    users = [f for f in out["facts"] if f["kind"] == "user_count" and (f["value"] or 0) >= 5e8]
    assert len(users) == 2 and {f["metric"] for f in users} == {"monthly_users", "licence_threshold"}


def test_repeats_within_one_article_merge(out):
    # The Guardian piece says "as much as $5bn" and later "up to $5bn"
    (loss,) = facts_with(out, metric="loss", subject="OpenAI")
    surfaces = {out["claims"][c]["surface"] for c in loss["claim_ids"]}
    assert surfaces == {"as much as $5bn", "up to $5bn"}
    assert loss["status"] == "single" and loss["sources"]["n_docs"] == 1
