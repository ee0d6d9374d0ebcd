"""Reviewers' decisions: checked values with units, supersession, decisions that
follow their claims across re-runs, and the `resolve` command's safety."""
from __future__ import annotations

import json
import math
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.decisions import (DecisionError, FarValue, append_decision, check_value,
                                load_decisions, make_decision, parse_value)
from pipeline.records import Claim, EntityRef, Provenance, TimeRef
from pipeline.resolve import resolve
from pipeline.store import read_jsonl

# --------------------------------------------------------------------------- parsing values with units


@pytest.mark.parametrize("text,unit,kind,expected", [
    ("35 MW", "W", "power", 35e6),
    ("1.5 gigawatts", "W", "power", 1.5e9),
    ("$1.2bn", "USD", "money", 1.2e9),
    ("£820 million", "GBP", "money", 820e6),
    ("12%", "percent", "percentage", 12.0),
    ("4,200", "employee", "count", 4200.0),
    ("100,000 GPUs", "GPU", "chip_count", 100000.0),
])
def test_parse_value_with_units(text, unit, kind, expected):
    assert parse_value(text, unit, kind) == pytest.approx(expected)


@pytest.mark.parametrize("text,unit,kind,message", [
    ("35", "W", "power", "no unit"),  # the old `--value 35` recorded 35 W
    ("1.2", "USD", "money", "no unit"),
    ("nan", "W", "power", "not a finite value"),
    ("inf MW", "W", "power", "not a finite value"),
    ("1e400 GW", "W", "power", "not a finite value"),  # float() overflows; used to say "has no unit"
    ("-1E+999 MW", "W", "power", "not a finite value"),
    ("2.5e3 MW", "W", "power", "without an exponent"),
    ("35 MW", "USD", "money", "is in W"),  # wrong dimension
    ("£3bn", "USD", "money", "is in GBP"),  # another currency
    ("30 to 35 MW", "W", "power", "not one figure"),  # a range is not a decision
    ("", "W", "power", "give a value"),
])
def test_parse_value_refuses(text, unit, kind, message):
    with pytest.raises(DecisionError, match=message):
        parse_value(text, unit, kind)


CONFLICT = {"conflict_id": "x_1", "fact_id": "f_1", "key": {"unit": "W"},
            "groups": [{"value": 30e6, "unit": "W", "claim_ids": ["c1"], "doc_ids": ["a"]},
                       {"value": 35e6, "unit": "W", "claim_ids": ["c2"], "doc_ids": ["b"]}]}


@pytest.mark.parametrize("value,kind,force,ok", [
    (32e6, "power", False, True),
    (-5e6, "power", True, False),  # negative power is impossible, even forced
    (-5.0, "percentage", False, False),  # far outside 30..35 (as a ratio), so it needs force ...
    (-5.0, "percentage", True, True),  # ... but a negative percentage is possible
    (35.0, "power", False, False),  # 35 W on a 30 MW vs 35 MW conflict: far outside
    (35.0, "power", True, True),
    (math.nan, "power", True, False),
    (math.inf, "power", True, False),
])
def test_check_value(value, kind, force, ok):
    if ok:
        check_value(value, CONFLICT, kind, force=force)
    else:
        with pytest.raises(DecisionError):
            check_value(value, CONFLICT, kind, force=force)


def test_far_value_is_its_own_error_kind():
    with pytest.raises(FarValue, match="--force"):
        check_value(1e12, CONFLICT, "power")


def test_second_decision_supersedes_the_first():
    fact = {"unit": "W", "kind": "power"}
    d1 = make_decision(CONFLICT, fact=fact, accept_claim="c1", who="ann", when="2024-01-01T00:00:00Z")
    d2 = make_decision(CONFLICT, fact=fact, value_text="34 MW", who="bob", previous=[d1])
    assert d1["supersedes"] is None and d2["supersedes"] == d1["decision_id"]
    assert d2["value"] == 34e6 and d2["unit"] == "W" and d2["value_text"] == "34 MW"
    with pytest.raises(DecisionError, match="not one of the claims"):
        make_decision(CONFLICT, fact=fact, accept_claim="c9")


def test_appends_are_whole_lines_even_after_a_torn_write(tmp_path):
    path = tmp_path / "d.jsonl"
    path.write_text('{"conflict_id": "x_0", "who": "a", "when": "t"}\n{"conflict_id": "x_torn', encoding="utf-8")
    threads = [threading.Thread(target=append_decision, args=(path, f"x_{i}"), kwargs={"note": "n" * 500})
               for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[1] == '{"conflict_id": "x_torn'  # the torn line stays visible, on its own
    good = [json.loads(x) for x in lines[:1] + lines[2:]]
    assert sorted(d["conflict_id"] for d in good) == sorted(["x_0"] + [f"x_{i}" for i in range(20)])
    with pytest.raises(DecisionError):
        append_decision(path, "x_1", value=float("nan"))
    assert "NaN" not in path.read_text(encoding="utf-8")


# --------------------------------------------------------------------------- applying decisions


def mk(cid: str, doc: str, value: float, surface: str, sentence: str) -> Claim:
    i = sentence.index(surface)
    return Claim(
        claim_id=cid, doc_id=doc, kind="power", metric="power_draw",
        subject=EntityRef("Colossus", "Colossus", "SYSTEM"), object=None, value=value, value_min=None,
        value_max=None, unit="W", surface_value=value / 1e6, surface_unit="megawatt", approximate=False,
        bound=None, qualifier=None, equivalents=[], rate=None, surface=surface,
        time=TimeRef("2024", "2024-01-01", "2024-12-31", "text"), attribution=None, hedged=False,
        provenance=Provenance(doc_id=doc, path=f"{doc}.txt", outlet=f"Outlet {doc}", url=None,
                              published="2024-05-01", sentence=sentence, char_start=i, char_end=i + len(surface)),
        extractor={},
    )


TEXTS = {
    "a": "Colossus draws 30 MW in 2024, its builder said after the plant was switched on for trials.",
    "b": "Utility filings show that in 2024 Colossus draws 35 MW from the regional grid at peak load.",
    "c": "A county memo says the Colossus site drew 30 MW during 2024, with turbines running on gas.",
    "d": "According to a state regulator, Colossus needed 50 MW in 2024 once the second hall opened.",
}


def _claims(*docs: str) -> list[Claim]:
    vals = {"a": (30e6, "30 MW"), "b": (35e6, "35 MW"), "c": (30e6, "30 MW"), "d": (50e6, "50 MW")}
    return [mk(f"c{d}", d, vals[d][0], vals[d][1], TEXTS[d]) for d in docs]


def _docs(*docs: str) -> dict:
    return {d: {"text": TEXTS[d], "path": f"{d}.txt", "published": "2024-05-01", "outlet": f"Outlet {d}"}
            for d in docs}


def _decide(conflict, **kw) -> dict:
    return make_decision(conflict.to_dict(), fact={"unit": "W", "kind": "power"}, who="ann", **kw)


def test_decision_stays_attached_when_an_agreeing_article_joins():
    (c,) = resolve(_claims("a", "b"), _docs("a", "b")).conflicts
    d = _decide(c, accept_claim="cb", note="filings")
    r = resolve(_claims("a", "b", "c"), _docs("a", "b", "c"), decisions=[d])
    (c2,) = r.conflicts
    assert c2.conflict_id != c.conflict_id  # the id changed with the new claim ...
    assert c2.resolution and c2.resolution["claim_id"] == "cb" and c2.resolution["note"] == "filings"
    assert r.facts[0].status == "resolved" and r.facts[0].value == 35e6 and not r.stale_decisions


def test_a_new_disagreeing_claim_reopens_the_conflict_showing_the_old_decision():
    (c,) = resolve(_claims("a", "b"), _docs("a", "b")).conflicts
    d = _decide(c, accept_claim="ca")
    r = resolve(_claims("a", "b", "d"), _docs("a", "b", "d"), decisions=[d])
    (c2,) = r.conflicts
    assert c2.resolution is None and r.facts[0].status == "conflict"
    assert c2.previous_decision["claim_id"] == "ca" and c2.previous_decision["new_claim_ids"] == ["cd"]
    assert not r.stale_decisions


def test_superseded_decision_is_kept_in_the_resolution():
    (c,) = resolve(_claims("a", "b"), _docs("a", "b")).conflicts
    d1 = _decide(c, accept_claim="ca")
    d2 = _decide(c, value_text="33 MW", previous=[d1])
    r = resolve(_claims("a", "b"), _docs("a", "b"), decisions=[d1, d2])
    res = r.conflicts[0].resolution
    assert res["value"] == 33e6 and res["supersedes"] == d1["decision_id"]
    assert [s["decision_id"] for s in res["superseded"]] == [d1["decision_id"]]


def test_not_the_same_fact_splits_the_conflict():
    (c,) = resolve(_claims("a", "b", "c"), _docs("a", "b", "c")).conflicts
    d = _decide(c, split=True)
    r = resolve(_claims("a", "b", "c"), _docs("a", "b", "c"), decisions=[d])
    assert r.conflicts[0].resolution["action"] == "split"
    parts = sorted((f for f in r.facts if f.key.get("split_of")), key=lambda f: f.value)
    assert [(f.value, f.status, f.claim_ids) for f in parts] == [(30e6, "agreed", ["ca", "cc"]),
                                                                  (35e6, "single", ["cb"])]


def test_old_style_decision_without_claims_goes_stale_when_the_id_changes():
    (c,) = resolve(_claims("a", "b"), _docs("a", "b")).conflicts
    legacy = {"conflict_id": c.conflict_id, "accept_claim": "ca", "value": None, "note": None,
              "who": "x", "when": "t"}
    r = resolve(_claims("a", "b", "d"), _docs("a", "b", "d"), decisions=[legacy])
    assert r.conflicts[0].resolution is None and len(r.stale_decisions) == 1


# --------------------------------------------------------------------------- the resolve command (CLI)


@pytest.fixture(scope="module")
def power_run(tmp_path_factory, extractor):
    """A real extract: Colossus 30 MW vs 35 MW from two outlets."""
    from pipeline.run import extract

    base = tmp_path_factory.mktemp("power")
    corpus = base / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("The Colossus supercomputer in Memphis draws 30 MW of power, xAI said in 2024.\n")
    (corpus / "b.txt").write_text("In 2024, the Colossus supercomputer in Memphis draws 35 MW of power, "
                                  "according to local utility filings.\n")
    (corpus / "manifest.jsonl").write_text(
        json.dumps({"path": "a.txt", "outlet": "Memphis Daily", "published": "2024-06-01",
                    "url": "https://example.com/a"}) + "\n"
        + json.dumps({"path": "b.txt", "outlet": "Grid Watch", "published": "2024-06-03"}) + "\n")
    out = base / "o2"
    extract([str(corpus)], out, extractor=extractor)
    (x,) = read_jsonl(out / "conflicts.jsonl")
    return {"corpus": corpus, "out": out, "conflict": x, "extract": lambda: extract([str(corpus)], out,
                                                                                    extractor=extractor)}


def _resolve(run, *args, cwd: Path | None = None):
    return CliRunner().invoke(main, ["resolve", run["conflict"]["conflict_id"], "--out", str(run["out"]), *args])


def test_resolve_writes_to_the_corpus_run_json_records(power_run, tmp_path, monkeypatch):
    (tmp_path / "corpus").mkdir()  # a `corpus` folder in the working directory must not catch it
    monkeypatch.chdir(tmp_path)
    dfile = power_run["corpus"] / "decisions.jsonl"
    dfile.unlink(missing_ok=True)
    r = _resolve(power_run, "--value", "35 MW", "--note", "utility filing", "--reviewer", "ann")
    assert r.exit_code == 0, r.output
    assert not (tmp_path / "corpus" / "decisions.jsonl").exists()
    (d,) = load_decisions(dfile)
    assert d["value"] == 35e6 and d["who"] == "ann" and d["when"].endswith("Z")
    power_run["extract"]()
    (x,) = read_jsonl(power_run["out"] / "conflicts.jsonl")
    assert x["resolution"]["value"] == 35e6
    assert "Resolved: 35 MW" in (power_run["out"] / "report.md").read_text(encoding="utf-8")
    dfile.unlink()
    power_run["extract"]()


@pytest.mark.parametrize("value,message", [
    ("35", "has no unit"),  # recorded 35 W before
    ("nan", "not a finite value"),  # written as NaN before
    ("1e400 GW", "not a finite value"),  # said "has no unit"
    ("-5 MW", "cannot be negative"),
    ("5 kW", "--force"),
    ("3 GW", "--force"),
    ("$35m", "is in USD"),
])
def test_resolve_refuses_unsafe_values(power_run, value, message):
    dfile = power_run["corpus"] / "decisions.jsonl"
    r = _resolve(power_run, "--value", value)
    assert r.exit_code == 2 and message in r.output and "Traceback" not in r.output
    assert not dfile.exists()


def test_resolve_checks_the_conflict_and_the_output_folder(power_run, tmp_path):
    r = CliRunner().invoke(main, ["resolve", "x_0000000000000000", "--accept", "c_1", "--out", str(power_run["out"])])
    assert r.exit_code == 2 and "is not a conflict" in r.output
    r = CliRunner().invoke(main, ["resolve", power_run["conflict"]["conflict_id"], "--dismiss",
                                  "--out", str(tmp_path / "nowhere")])
    assert r.exit_code == 2 and "run `factpipe extract` first" in r.output
    assert not (power_run["corpus"] / "decisions.jsonl").exists()


def test_forced_far_value_and_visible_supersession(power_run):
    dfile = power_run["corpus"] / "decisions.jsonl"
    try:
        x = power_run["conflict"]
        assert _resolve(power_run, "--accept", x["groups"][0]["claim_ids"][0], "--reviewer", "ann").exit_code == 0
        r = _resolve(power_run, "--value", "3 GW", "--force", "--reviewer", "bob", "--note", "typo in both")
        assert r.exit_code == 0 and "supersedes d_" in r.output
        first, second = load_decisions(dfile)
        assert second["supersedes"] == first["decision_id"]
        power_run["extract"]()
        md = (power_run["out"] / "report.md").read_text(encoding="utf-8")
        assert "Resolved: 3 GW" in md and "superseded: 30 MW" in md and "bob" in md and "ann" in md
        term = CliRunner().invoke(main, ["review", str(power_run["out"]), "--all"]).output
        assert "resolved: 3 GW" in term and "superseded: 30 MW by ann" in term
    finally:
        dfile.unlink(missing_ok=True)
        power_run["extract"]()


def test_review_in_the_terminal_shows_outlets_dates_and_quotes(power_run):
    r = CliRunner().invoke(main, ["review", str(power_run["out"])])
    assert r.exit_code == 0
    for want in ("Memphis Daily", "2024-06-01", "Grid Watch", "2024-06-03", "https://example.com/a",
                 "draws [30 MW] of power", "draws [35 MW] of power", "30 MW", "35 MW"):
        assert want in r.output, want


def test_decision_lines_follow_their_schema():
    import jsonschema

    from pipeline.store import load_schema

    schema = load_schema("decision.schema.json")
    fact = {"unit": "W", "kind": "power"}
    d1 = make_decision(CONFLICT, fact=fact, accept_claim="c1", note="n")
    for d in (d1, make_decision(CONFLICT, fact=fact, value_text="33 MW", previous=[d1]),
              make_decision(CONFLICT, fact=fact, split=True), make_decision(CONFLICT, fact=fact, dismiss=True)):
        jsonschema.validate(json.loads(json.dumps(d, allow_nan=False)), schema)


def test_reopened_conflict_shows_the_old_decision_in_report_and_terminal(tmp_path):
    from pipeline.report import build_view, render_view_html, render_view_markdown, render_view_terminal

    (c,) = resolve(_claims("a", "b"), _docs("a", "b")).conflicts
    d = _decide(c, accept_claim="ca", note="first look")
    r = resolve(_claims("a", "b", "d"), _docs("a", "b", "d"), decisions=[d])
    view = build_view([f.to_dict() for f in r.facts], [x.to_dict() for x in r.conflicts], [], _docs("a", "b", "d"))
    (cv,) = view["conflicts"]
    assert cv["state"] == "reopened" and view["summary"]["open"] == 1
    assert "Reopened:" in render_view_html(view) and "first look" in render_view_html(view)
    assert "Reopened: new claims" in render_view_markdown(view)
    assert "reopened — earlier decision: 30 MW by ann" in render_view_terminal(view)


def test_review_without_a_run_is_a_usage_error(tmp_path):
    r = CliRunner().invoke(main, ["review", str(tmp_path)])
    assert r.exit_code == 2 and "run `factpipe extract` first" in r.output
    r = CliRunner().invoke(main, ["review", "--serve", "--out", str(tmp_path)])
    assert r.exit_code == 2


def test_a_bad_decision_line_is_reported_and_the_run_goes_on(power_run):
    dfile = power_run["corpus"] / "decisions.jsonl"
    x = power_run["conflict"]
    try:
        dfile.write_text('{"conflict_id": "%s", "value": NaN, "who": "old", "when": "t"}\n{oops\n'
                         '{"conflict_id": "%s", "value": -5.0, "who": "old", "when": "t"}\n'
                         % (x["conflict_id"], x["conflict_id"]), encoding="utf-8")
        power_run["extract"]()
        errs = read_jsonl(power_run["out"] / "errors.jsonl")
        assert [(e["kind"], e["line"], e["fatal"]) for e in errs] == [("decisions", 1, False), ("decisions", 2, False)]
        (c,) = read_jsonl(power_run["out"] / "conflicts.jsonl")
        assert c["resolution"] is None  # the hand-written -5 W is not applied ...
        assert "negative" in (power_run["out"] / "report.md").read_text(encoding="utf-8")  # ... but listed as stale
    finally:
        dfile.unlink(missing_ok=True)
        power_run["extract"]()
