"""Defects a new-user trial of review/resolve/export found (issue 10, second pass):
each test failed on the code before the fix."""
from __future__ import annotations

import json
import os
import shutil
import socket
import stat
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.decisions import decisions_file, load_decisions
from pipeline.store import read_jsonl

ROOT = Path(__file__).resolve().parent.parent

# two outlets disagree on one figure, as a JSONL feed (a FILE input, not a corpus folder)
FEED = [
    {"id": "n1", "outlet": "Harbour Times", "published": "2024-03-02",
     "text": "The Colossus supercomputer in Memphis draws 40 MW of power, xAI said in 2024."},
    {"id": "n2", "outlet": "Grid Weekly", "published": "2024-03-05",
     "text": "In 2024, the Colossus supercomputer in Memphis draws 48 MW of power, according to grid filings."},
]


@pytest.fixture
def feed_run(tmp_path, extractor):
    from pipeline.run import extract

    feed = tmp_path / "feed.jsonl"
    feed.write_text("".join(json.dumps(r) + "\n" for r in FEED), encoding="utf-8")
    out = tmp_path / "o"

    def run():
        return extract([str(feed)], out, extractor=extractor)

    summary = run()
    (x,) = read_jsonl(out / "conflicts.jsonl")
    return {"feed": feed, "out": out, "conflict": x, "extract": run, "summary": summary, "tmp": tmp_path}


def _cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def _one_error_line(r) -> str:
    lines = [ln for ln in r.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in r.output, r.output
    return lines[0]


# ---------------------------------------------------------------- 1. decisions file for any input


@pytest.mark.parametrize("inputs,is_dir,expected", [
    (["corpus"], True, "corpus/decisions.jsonl"),  # one corpus folder keeps its decisions
    (["feed.jsonl"], False, "OUT/decisions.jsonl"),  # a feed: beside the run's outputs
    (["a.txt", "b.html"], False, "OUT/decisions.jsonl"),
    (["corpus", "more"], True, "OUT/decisions.jsonl"),  # several folders: no folder is "the" corpus
    ([], False, "OUT/decisions.jsonl"),
])
def test_decisions_file_rule(tmp_path, monkeypatch, inputs, is_dir, expected):
    monkeypatch.chdir(tmp_path)
    for p in inputs:
        (tmp_path / p).mkdir() if is_dir else (tmp_path / p).write_text("x")
    got = decisions_file(inputs, "OUT")
    assert got.as_posix() == expected


def test_file_input_run_records_decisions_and_resolve_round_trips(feed_run):
    out, x = feed_run["out"], feed_run["conflict"]
    run = json.loads((out / "run.json").read_text())
    assert run["decisions"] == str((out / "decisions.jsonl").resolve())
    claim = x["groups"][1]["claim_ids"][0]
    r = _cli("resolve", x["conflict_id"], "--accept", claim, "--out", out)
    assert r.exit_code == 0, r.output
    (d,) = load_decisions(out / "decisions.jsonl")
    assert d["accept_claim"] == claim
    feed_run["extract"]()
    (x2,) = read_jsonl(out / "conflicts.jsonl")
    assert x2["resolution"] and x2["resolution"]["claim_id"] == claim


def test_resolve_corpus_that_the_next_extract_ignores_is_an_error(feed_run, monkeypatch):
    monkeypatch.chdir(feed_run["tmp"])
    x = feed_run["conflict"]
    r = _cli("resolve", x["conflict_id"], "--dismiss", "--out", feed_run["out"], "--corpus", ".")
    assert r.exit_code == 2 and "leave out --corpus" in _one_error_line(r)
    assert not (feed_run["tmp"] / "decisions.jsonl").exists()


def test_app_records_a_decision_for_a_file_input_run(feed_run):
    from pipeline.review import create_app

    app = create_app(feed_run["out"], reviewer="ann")
    client, token = app.test_client(), app.config["FACTPIPE_TOKEN"]
    cid = feed_run["conflict"]["conflict_id"]
    r = client.post(f"/conflict/{cid}/decide", data={"token": token, "action": "split"},
                    base_url="http://127.0.0.1:8765")
    assert r.status_code == 303 and "error" not in r.headers["Location"], r.headers["Location"]
    (d,) = load_decisions(feed_run["out"] / "decisions.jsonl")
    assert d["action"] == "split" and d["who"] == "ann"
    feed_run["extract"]()
    assert read_jsonl(feed_run["out"] / "conflicts.jsonl")[0]["resolution"]["action"] == "split"


# ---------------------------------------------------------------- 2 and 5. one action, clear messages


@pytest.mark.parametrize("args,message", [
    (["--note", "checked with the operator"], "--note only adds the reason"),  # used to record a dismiss
    (["--note", ""], "give one of --accept"),
    ([], "give one of --accept"),
    (["--split", "--dismiss"], "give only one of"),  # used to say "give one of"
    (["--value", "48 MW", "--dismiss"], "give only one of"),
    (["--value", "1e400 GW"], "not a finite value"),  # used to say "has no unit"
    (["--value", "inf MW"], "not a finite value"),
])
def test_resolve_refuses_with_one_clear_line(feed_run, args, message):
    x = feed_run["conflict"]
    dfile = feed_run["out"] / "decisions.jsonl"
    r = _cli("resolve", x["conflict_id"], *args, "--out", feed_run["out"])
    assert r.exit_code == 2 and message in _one_error_line(r)
    assert not dfile.exists()


def test_note_alone_does_not_override_a_decision(feed_run):
    x, out = feed_run["conflict"], feed_run["out"]
    assert _cli("resolve", x["conflict_id"], "--split", "--out", out).exit_code == 0
    r = _cli("resolve", x["conflict_id"], "--note", "just a remark", "--out", out)
    assert r.exit_code == 2
    assert [d["action"] for d in load_decisions(out / "decisions.jsonl")] == ["split"]


def test_port_in_use_is_one_line_naming_the_port_flag(feed_run):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        port = s.getsockname()[1]
        r = _cli("review", feed_run["out"], "--serve", "--port", port)
    assert r.exit_code == 2
    line = _one_error_line(r)
    assert "--port" in line and str(port) in line


# ---------------------------------------------------------------- 3. conflict counts: total and open


def test_counts_say_total_and_open_conflicts_with_plurals(feed_run):
    out, x = feed_run["out"], feed_run["conflict"]
    s = feed_run["summary"]
    assert "1 conflict (1 open)" in s.line() and "1 conflicts" not in s.line()
    assert "2 documents" in s.line()
    assert _cli("resolve", x["conflict_id"], "--dismiss", "--out", out).exit_code == 0
    s = feed_run["extract"]()
    n_total = len(read_jsonl(out / "conflicts.jsonl"))
    counts = json.loads((out / "run.json").read_text())["counts"]
    assert counts["conflicts"] == n_total == 1 and counts["open_conflicts"] == 0
    assert "1 conflict (0 open)" in s.line()


@pytest.mark.parametrize("n,word,text", [(0, "conflicts", "0 conflicts"), (1, "conflict", "1 conflict"),
                                         (3, "conflicts", "3 conflicts")])
def test_summary_line_plurals(n, word, text):
    from pipeline.run import RunSummary as Summary

    line = Summary(documents=n, claims=n, facts=n, conflicts=n, errors=n, cached=n).line()
    assert line.startswith(f"{n} document{'s' if n != 1 else ''}, ") and text + " (0 open)" in line
    assert f"{n} error{'s' if n != 1 else ''} in" in line


# ---------------------------------------------------------------- 4. app filters


def _options(html: str, name: str) -> list[str]:
    import re

    m = re.search(rf'<select name="{name}">(.*?)</select>', html, re.S)
    assert m, name
    return re.findall(r'<option value="([^"]*)"', m.group(1))[1:]


def test_conflicts_page_status_filter_offers_conflict_states(feed_run, tmp_path):
    from pipeline.review import create_app

    client = create_app(feed_run["out"]).test_client()
    html = client.get("/conflicts", base_url="http://127.0.0.1:8765").get_data(as_text=True)
    assert _options(html, "status") == ["open", "resolved"]
    cid = feed_run["conflict"]["conflict_id"]
    shown = client.get("/conflicts?status=open", base_url="http://127.0.0.1:8765").get_data(as_text=True)
    hidden = client.get("/conflicts?status=resolved", base_url="http://127.0.0.1:8765").get_data(as_text=True)
    assert f'id="{cid}"' in shown and f'id="{cid}"' not in hidden
    facts = client.get("/facts", base_url="http://127.0.0.1:8765").get_data(as_text=True)
    assert "open" not in _options(facts, "status")


def test_outlet_filter_labels_files_without_outlet(tmp_path, extractor):
    from pipeline.review import create_app
    from pipeline.run import extract

    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "memo.txt").write_text("The Riverside data centre in Leeds draws 40 MW of power.\n")
    (corpus / "wire.txt").write_text("The Riverside data centre in Leeds draws 40 MW of power, a filing shows.\n")
    (corpus / "manifest.jsonl").write_text(json.dumps({"path": "wire.txt", "outlet": "Wire Desk"}) + "\n")
    extract([str(corpus)], tmp_path / "o", extractor=extractor)
    client = create_app(tmp_path / "o").test_client()
    html = client.get("/facts", base_url="http://127.0.0.1:8765").get_data(as_text=True)
    outlets = _options(html, "outlet")
    assert "Wire Desk" in outlets and "(no outlet) memo.txt" in outlets and "memo.txt" not in outlets


# ---------------------------------------------------------------- 6. file modes, make clean


@pytest.mark.parametrize("fmt", ["csv", "parquet", "sqlite"])
def test_exports_follow_the_umask(feed_run, fmt):
    if fmt == "parquet":
        pytest.importorskip("pyarrow", reason="parquet export needs pyarrow")
    old = os.umask(0o022)
    try:
        r = _cli("export", feed_run["out"], "--to", fmt)
    finally:
        os.umask(old)
    assert r.exit_code == 0, r.output
    dest = feed_run["out"] / {"csv": "csv", "parquet": "parquet", "sqlite": "factpipe.sqlite"}[fmt]
    files = sorted(dest.iterdir()) if dest.is_dir() else [dest]
    assert files
    for f in files:
        assert stat.S_IMODE(f.stat().st_mode) == 0o644, f


def test_make_clean_removes_reports_and_keeps_decisions(tmp_path):
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    out = tmp_path / "out"
    out.mkdir()
    for name in ("report.md", "report.html", "claims.jsonl", "run.json", "decisions.jsonl", "report.md.tmp"):
        (out / name).write_text("x")
    subprocess.run(["make", "-s", "-C", str(ROOT), "clean", f"OUT={out}", f"VENV={tmp_path / 'no-venv'}"],
                   check=True, capture_output=True)
    assert sorted(p.name for p in out.iterdir()) == ["decisions.jsonl"]


# ---------------------------------------------------------------- 7. model message


def test_missing_model_message_has_no_double_full_stop(tmp_path):
    (tmp_path / "a.txt").write_text("The plant makes 40 MW.\n")
    r = _cli("extract", tmp_path / "a.txt", "--out", tmp_path / "o", "--model", "nosuchmodel")
    assert r.exit_code == 3 and "Traceback" not in r.output
    (line,) = [ln for ln in r.output.splitlines() if ln.startswith("error: ")]
    assert "nosuchmodel" in line and ".." not in line and line.endswith(".")
