"""A disagreement between a figure with no named owner and one whose owner is the first article's
main name is a conflict (issue 7: same fact, same period, incompatible values, independent
sources). Before, such a pair was linked into one cluster but, lacking "the same subject", gave
no conflict evidence, so "150 MW" and "250 MW" stayed two facts.

Invented companies and sentences (not dev-set texts)."""
from __future__ import annotations

import pytest

from pipeline.records import EntityRef
from test_resolve_linking import B, M, claim, fact_of, run


def unnamed(c, phrase: str):
    """The claim with a noun phrase for subject ("a cluster of ..."), as the claims stage gives
    when the sentence names no owner."""
    c.subject = EntityRef(phrase, phrase, "NP")
    return c


def about(owner: str, doc: str, published: str):
    """A claim naming the article's main subject (so the article is about ``owner``)."""
    return claim("40,000 chips", 40000, f"{owner} has ordered 40,000 chips from Tessel.", doc=doc,
                 subject=owner, kind="chip_count", unit="GPU", counted="chips", metric="gpu_count",
                 published=published)


# two independent articles (their own words, so they are not copies of each other)
TEXTS = {"A": "Power grids strain as data centres multiply across the northern plains this spring. "
              "Utilities weigh new gas turbines while regulators ask who pays for the lines.",
         "B": "An analyst note circulated on Friday compared training clusters at four labs, "
              "with tables of electricity use, cooling water and construction budgets."}

# (unnamed sentence, its figure, named sentence, its figure, unit, kind, metric, the unnamed
#  article's main owner, conflict expected)
ROWS = [
    ("Estimates say a cluster of 40,000 Tessel chips needs around 150 megawatts of power.", "around 150 megawatts", 150 * M,
     "Korvane's cluster of 40,000 Tessel chips draws roughly 250 megawatts, analysts say.", "roughly 250 megawatts", 250 * M,
     "W", "power", "power_draw", "Korvane", True),
    ("The new campus for the 40,000 Tessel chips will cost $12bn to build.", "$12bn", 12 * B,
     "Korvane will spend $18bn on its campus for 40,000 Tessel chips.", "$18bn", 18 * B,
     "USD", "money", "infrastructure_spend", "Korvane", True),
    ("The training run on 40,000 Tessel chips used 90 gigawatt hours of electricity.", "90 gigawatt hours", 90e9,
     "Korvane's training run on 40,000 Tessel chips used 140 gigawatt hours.", "140 gigawatt hours", 140e9,
     "Wh", "energy", "energy_use", "Korvane", True),
    # the unnamed figure's article is about another company: no shared owner, no conflict
    ("Estimates say a cluster of 40,000 Tessel chips needs around 150 megawatts of power.", "around 150 megawatts", 150 * M,
     "Korvane's cluster of 40,000 Tessel chips draws roughly 250 megawatts, analysts say.", "roughly 250 megawatts", 250 * M,
     "W", "power", "power_draw", "Brightwater", False),
]


@pytest.mark.parametrize("a_sent, a_surf, a_val, b_sent, b_surf, b_val, unit, kind, metric, owner, expected", ROWS)
def test_unnamed_figure_disagreeing_with_its_articles_owner(a_sent, a_surf, a_val, b_sent, b_surf, b_val, unit,
                                                            kind, metric, owner, expected):
    a = unnamed(claim(a_surf, a_val, a_sent, doc="A", kind=kind, unit=unit, metric=metric,
                      published="2025-05-02"), a_sent.split(" needs")[0])
    b = claim(b_surf, b_val, b_sent, doc="B", subject="Korvane", kind=kind, unit=unit, metric=metric,
              published="2025-05-06")
    r = run(a, about(owner, "A", "2025-05-02"), b, about("Korvane", "B", "2025-05-06"), texts=TEXTS)
    flagged = [x for x in r.conflicts if {a.claim_id, b.claim_id} <= set(fact_of(r, a).claim_ids)]
    assert bool(flagged) is expected
    if expected:
        (x,) = flagged
        assert x.why["evidence"]["signals"]["owner"].startswith("one subject unnamed")
    else:
        assert fact_of(r, a).fact_id != fact_of(r, b).fact_id


def test_two_unnamed_figures_give_no_conflict():
    a = unnamed(claim("around 150 megawatts", 150 * M, "A cluster of 40,000 Tessel chips needs around 150 megawatts.",
                      doc="A", kind="power", unit="W", metric="power_draw", published="2025-05-02"), "cluster")
    b = unnamed(claim("250 megawatts", 250 * M, "Such a cluster of 40,000 chips needs 250 megawatts.",
                      doc="B", kind="power", unit="W", metric="power_draw", published="2025-05-06"), "cluster")
    r = run(a, about("Korvane", "A", "2025-05-02"), b, about("Korvane", "B", "2025-05-06"), texts=TEXTS)
    assert r.conflicts == []


def test_sample_corpus_style_power_estimates_are_one_fact_in_conflict(tmp_path, extractor):
    """End to end, in the sample corpus's style: an estimate for "a cluster of 100,000 GPUs" in an
    article about Korvane and another outlet's figure for Korvane's cluster, the same month."""
    import json

    from pipeline.run import extract
    from pipeline.store import read_jsonl

    texts = {
        "a.txt": "Korvane is training its Zeta 5 model on more than 100,000 H100 GPUs, its chief "
                 "executive said on a call.\nEstimates suggest that a cluster of 100,000 H100 GPUs needs "
                 "around 150 megawatts of power. The largest research computer in Norway needs about 20 megawatts.\n",
        "b.txt": "Korvane's new data centre in Ohio will host the company's next Zeta models, people familiar "
                 "with the plans said.\nAnalysts estimate that Korvane's cluster of 100,000 H100 GPUs draws "
                 "roughly 250 megawatts of electricity.\n",
    }
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in texts.items():
        (corpus / name).write_text(text, encoding="utf-8")
    with open(corpus / "manifest.jsonl", "w", encoding="utf-8") as fh:
        fh.write(json.dumps({"path": "a.txt", "outlet": "Daily Circuit", "published": "2025-10"}) + "\n")
        fh.write(json.dumps({"path": "b.txt", "outlet": "Grid Weekly", "published": "2025-10"}) + "\n")
    out = tmp_path / "out"
    extract([str(corpus)], out, extractor=extractor)
    claims = {c["claim_id"]: c for c in read_jsonl(out / "claims.jsonl")}
    mw = {c["surface"]: cid for cid, c in claims.items() if c["unit"] == "W" and c["value"] in (150e6, 250e6)}
    assert set(mw) == {"around 150 megawatts", "roughly 250 megawatts"}
    (x,) = [x for x in read_jsonl(out / "conflicts.jsonl")
            if set(mw.values()) <= {cid for g in x["groups"] for cid in g["claim_ids"]}]
    (fact,) = [f for f in read_jsonl(out / "facts.jsonl") if f["fact_id"] == x["fact_id"]]
    assert fact["status"] == "conflict"
