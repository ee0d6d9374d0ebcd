"""The report on real runs: copies are one source, single-source facts are listed,
values keep their bounds as written (the defects of issue 10)."""
from __future__ import annotations

import json
import re

import pytest

from pipeline.report import build_view, format_quantity, load_output, plural
from pipeline.store import read_jsonl


@pytest.mark.parametrize("word,n,expected", [
    ("user", 5e8, "users"), ("user", 1, "user"), ("GPU", 100000, "GPUs"), ("person", 3, "people"),
    ("company", 2, "companies"), ("box", 2, "boxes"), ("W", 5, "W"), ("USD", 9, "USD"), ("day", 2, "days"),
])
def test_plural(word, n, expected):
    assert plural(word, n) == expected


@pytest.mark.parametrize("value,unit,expected", [
    (5e8, "user", "500 million users"), (1, "user", "1 user"), (100000, "GPU", "100,000 GPUs"),
    (13.2e9, "USD", "$13.2bn"), (150e6, "W", "150 MW"), (22, "percent", "22%"), (4200, "person", "4,200 people"),
])
def test_format_quantity(value, unit, expected):
    assert format_quantity(value, unit) == expected


def _run(tmp_path, extractor, texts: dict[str, str], meta: dict[str, dict] | None = None):
    from pipeline.run import extract

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in texts.items():
        (corpus / name).write_text(text + "\n", encoding="utf-8")
    if meta:
        with open(corpus / "manifest.jsonl", "w", encoding="utf-8") as fh:
            for name, m in meta.items():
                fh.write(json.dumps({"path": name, **m}) + "\n")
    out = tmp_path / "out"
    extract([str(corpus)], out, extractor=extractor)
    return out


ARTICLE = ("Northwind Systems said on Tuesday that its Aurora cluster will use 24,000 Nvidia H100 GPUs and draw "
           "about 30 MW of power when it opens in 2025. The company raised $1.2bn from investors in March 2024, "
           "and its chat assistant now has over 500 million users, chief executive Dana Reyes told reporters.")


def test_fifty_copies_are_one_source_never_agreed(tmp_path, extractor):
    texts = {f"copy{i:02d}.txt": ARTICLE for i in range(50)}
    # the same text under 50 names is one document; the copies here are byte-different re-posts
    texts = {name: ARTICLE + f"\n\nRe-posted by syndication partner number {i} of the wire service."
             for i, name in enumerate(texts)}
    meta = {name: {"outlet": "The Guardian", "published": "2024-07-01"} for name in texts}
    out = _run(tmp_path, extractor, texts, meta)
    facts = read_jsonl(out / "facts.jsonl")
    assert facts and all(f["status"] != "agreed" for f in facts)
    view = build_view(**load_output(out))
    multi = [f for f in view["facts"] if f["n_docs"] > 1]
    assert multi, "the copies were not grouped into facts"
    for f in multi:
        assert f["n_independent"] == 1 and f["sources_text"] == "1 independent source with 50 copies"
        assert len(f["quotes"]) == 1 and f["quotes"][0]["copies"] == 50
    md = (out / "report.md").read_text(encoding="utf-8")
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "1 independent source with 50 copies" in md and "50 copies" in page
    assert "The Guardian = The Guardian" not in md and 'data-status="agreed"' not in page
    assert "0 agreed by two or more independent sources" in md


def test_one_article_run_lists_every_claim(tmp_path, extractor):
    repeat = ARTICLE + "\n\nThe $1.2bn round, Northwind said, will pay for the Aurora cluster's 24,000 Nvidia H100 GPUs."
    out = _run(tmp_path, extractor, {"only.txt": repeat})
    claims = read_jsonl(out / "claims.jsonl")
    facts = read_jsonl(out / "facts.jsonl")
    assert len(claims) >= 6 and len(facts) >= 4
    md = (out / "report.md").read_text(encoding="utf-8")
    page = (out / "report.html").read_text(encoding="utf-8")
    for c in claims:
        assert f"`{c['claim_id']}`" in md, c["surface"]
        assert c["claim_id"] in page, c["surface"]
    assert "single source" in md


def test_values_keep_their_bounds_and_plurals_as_written(tmp_path, extractor):
    out = _run(tmp_path, extractor, {
        "a.txt": "Globex Corp has over 500 million users, its chief executive said in a 2023 interview.",
        "b.txt": "By the end of 2023 the social network Globex Corp counted over 500 million users worldwide, "
                 "analysts at Morgan Stanley wrote in a note to clients about the advertising market.",
    }, {"a.txt": {"outlet": "Daily Planet", "published": "2023-11-02"},
        "b.txt": {"outlet": "Market Wire", "published": "2023-11-20"}})
    md = (out / "report.md").read_text(encoding="utf-8")
    head = [line for line in md.splitlines() if line.startswith("### ") and "users" in line]
    assert head and head[0].endswith(": over 500 million users"), head
    assert "500 million user " not in md and not re.search(r"500 million user\b(?!s)", md)
    view = build_view(**load_output(out))
    (f,) = [f for f in view["facts"] if "users" in f["value_text"]]
    assert f["status"] == "agreed" and f["n_independent"] == 2


def test_sixty_copies_are_still_one_source(tmp_path, extractor):
    texts = {f"copy{i:02d}.txt": ARTICLE + f"\n\nRe-posted by syndication partner number {i}." for i in range(60)}
    out = _run(tmp_path, extractor, texts, {n: {"outlet": "The Guardian", "published": "2024-07-01"} for n in texts})
    facts = read_jsonl(out / "facts.jsonl")
    assert all(f["sources"]["n_independent"] == 1 for f in facts if f["sources"]["n_docs"] > 1)


def test_terminal_review_shows_the_approximation_as_written(tmp_path, extractor):
    from click.testing import CliRunner

    from pipeline.cli import main

    out = _run(tmp_path, extractor, {
        "a.txt": "The Colossus supercomputer in Memphis draws about 30 MW of power, xAI said in 2024.",
        "b.txt": "In 2024, the Colossus supercomputer in Memphis draws 35 MW of power, according to utility filings.",
    }, {"a.txt": {"outlet": "Memphis Daily", "published": "2024-06-01"},
        "b.txt": {"outlet": "Grid Watch", "published": "2024-06-03"}})
    text = CliRunner().invoke(main, ["review", str(out)]).output
    assert "A) about 30 MW" in text and "exact figures differ" not in text
    assert "draws [about 30 MW] of power" in text and "Memphis Daily, 2024-06-01" in text


def test_static_report_has_filters_over_every_fact(tmp_path, extractor):
    out = _run(tmp_path, extractor, {"only.txt": ARTICLE}, {"only.txt": {"outlet": "Wire", "published": "2024-03"}})
    page = (out / "report.html").read_text(encoding="utf-8")
    facts = read_jsonl(out / "facts.jsonl")
    assert page.count('<div class="factrow"') == len(facts) > 0
    for key in ("entity", "metric", "status", "outlet", "date", "q"):
        assert f'data-key="{key}"' in page
    assert 'data-outlet="Wire"' in page and "<details" in page and "<script src" not in page


def _row(cid, doc, sentence, surface, merged_into=None, outlet=None):
    i = sentence.index(surface)
    return {"claim_id": cid, "doc_id": doc, "path": f"{doc}.txt", "outlet": outlet, "url": None,
            "published": "2024-05-01", "sentence": sentence, "sentence_start": 0, "char_start": i,
            "char_end": i + len(surface), "surface": surface, "display": surface, "value": 3e7, "unit": "W",
            "group": 0, "merged_into": merged_into}


def test_repeats_and_copies_are_counted_once_but_every_claim_is_listed():
    from pipeline.report import render_view_html, render_view_markdown

    rows = [_row("c1", "a", "The plant draws 30 MW at peak.", "30 MW", outlet="Wire"),
            _row("c2", "a", "Again: 30 MW, the operator said.", "30 MW", merged_into="c1", outlet="Wire"),
            _row("c3", "b", "Copied: the plant draws 30 MW at peak.", "30 MW", outlet="Copycat"),
            _row("c4", "c", "A regulator measured 30 MW in May.", "30 MW", outlet="Gazette")]
    fact = {"fact_id": "f_1", "key": {"subject": "Plant", "object": None, "metric": "power_draw",
                                      "period": {"start": "2024-05-01", "end": "2024-05-31", "source": "text"}},
            "subject": None, "unit": "W", "value": 3e7, "value_min": 2.95e7, "value_max": 3.05e7,
            "status": "agreed", "claim_ids": ["c1", "c2", "c3", "c4"], "resolution": None,
            "sources": {"doc_ids": ["a", "b", "c"], "independent": ["a", "c"], "dependent_groups": [["a", "b"]]},
            "provenance": rows}
    docs = {d: {"path": f"{d}.txt", "published": "2024-05-01"} for d in "abc"}
    view = build_view([fact], [], [{"claim_id": r["claim_id"], "doc_id": r["doc_id"]} for r in rows], docs)
    (f,) = view["facts"]
    assert f["status"] == "agreed" and f["sources_text"] == "2 independent sources from 3 documents (copies counted once)"
    assert [q["claim_id"] for q in f["quotes"]] == ["c1", "c4"]
    assert f["quotes"][0]["repeat_ids"] == ["c2"] and [x["claim_id"] for x in f["quotes"][0]["copy_quotes"]] == ["c3"]
    page, md = render_view_html(view), render_view_markdown(view)
    for cid in ("c1", "c2", "c3", "c4"):
        assert cid in page and f"`{cid}`" in md
    assert "1 copy of this source (counted once)" in page and "- copy: Copycat" in md


def _series_fact(fid, start, end, surface, sentence, doc, series="s_openai"):
    return {"fact_id": fid, "key": {"subject": "OpenAI", "object": None, "metric": "valuation",
                                    "period": {"start": start, "end": end, "source": "text"}},
            "subject": None, "unit": "USD", "value": 1.0, "value_min": 1.0, "value_max": 1.0, "status": "single",
            "claim_ids": [fid + "c"], "resolution": None, "series": series,
            "sources": {"doc_ids": [doc], "independent": [doc], "dependent_groups": []},
            "provenance": [_row(fid + "c", doc, sentence, surface)]}


def test_timelines_from_series_in_time_order():
    from pipeline.report import render_view_html, render_view_markdown

    facts = [_series_fact("f_b", "2023-10-01", "2023-10-31", "at least $80bn",
                          "OpenAI was valued at at least $80bn in October.", "b"),
             _series_fact("f_a", "2023-01-01", "2023-01-31", "$29bn", "OpenAI was valued at $29bn in January.", "a"),
             _series_fact("f_c", "2024-01-01", "2024-12-31", "$157bn", "OpenAI is worth $157bn this year.", "c",
                          series=None)]
    view = build_view(facts, [], [], {})
    (t,) = view["timelines"]
    assert t["text"] == "OpenAI valuation: $29bn (Jan 2023) → at least $80bn (Oct 2023)"
    assert "$29bn</a> (Jan 2023) → " in render_view_html(view)
    assert "- OpenAI valuation: \\$29bn (Jan 2023) → at least \\$80bn (Oct 2023)" in render_view_markdown(view)
    assert build_view([{k: v for k, v in f.items() if k != "series"} for f in facts], [], [], {})["timelines"] == []


@pytest.mark.parametrize("url,linked", [
    ("javascript:alert(1)", False), ("JavaScript:alert(document.cookie)", False), ("data:text/html,hi", False),
    ("//evil.example/x", False), ("example.com/page", False), ("https://example.com/a?b=1&c=2", True),
    ("http://example.org/x", True),
])
def test_only_http_urls_become_links(url, linked):
    from pipeline.report import render_view_html, render_view_markdown

    rows = [_row("c1", "a", "The plant draws 30 MW at peak.", "30 MW", outlet="Wire")]
    rows[0]["url"] = url
    fact = {"fact_id": "f_1", "key": {"subject": "Plant", "metric": "power_draw", "period": {}}, "unit": "W",
            "value": 3e7, "value_min": 3e7, "value_max": 3e7, "status": "single", "claim_ids": ["c1"],
            "resolution": None, "sources": {"doc_ids": ["a"], "independent": ["a"], "dependent_groups": []},
            "provenance": rows}
    view = build_view([fact], [], [], {"a": {"path": "a.txt", "url": url}})
    page = render_view_html(view)
    hrefs = re.findall(r'href="([^"#][^"]*)"', page)
    assert all(h.startswith(("http://", "https://")) for h in hrefs)
    assert (len(hrefs) > 0) == linked
    assert "javascript" not in render_view_markdown(view).lower()
