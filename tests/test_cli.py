"""The factpipe CLI through click's CliRunner: help, exit codes, bad input, re-runs, review round trip."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from pipeline import __version__
from pipeline.cli import main
from pipeline.store import read_jsonl

OUTPUTS = ["claims.jsonl", "facts.jsonl", "conflicts.jsonl", "entities.jsonl", "documents.jsonl", "errors.jsonl",
           "report.md", "report.html"]


@pytest.fixture(scope="module")
def runner():
    return CliRunner()


@pytest.mark.parametrize("args", [["--help"], ["extract", "--help"], ["review", "--help"], ["resolve", "--help"],
                                  ["evaluate", "quantities", "--help"], ["validate", "--help"]])
def test_help_everywhere(runner, args):
    r = runner.invoke(main, args)
    assert r.exit_code == 0 and "Usage:" in r.output


def test_version(runner):
    r = runner.invoke(main, ["--version"])
    assert r.exit_code == 0 and __version__ in r.output


def test_no_paths_is_a_usage_error(runner, tmp_path):
    r = runner.invoke(main, ["extract", "--out", str(tmp_path / "o")])
    assert r.exit_code == 2 and "corpus" in r.output


def test_only_missing_paths_is_an_input_error(runner, tmp_path):
    # a missing path is reported and the rest processed (tests/test_cli_failures.py); nothing readable fails
    r = runner.invoke(main, ["extract", str(tmp_path / "nope"), "--out", str(tmp_path / "o")])
    assert r.exit_code == 1 and "nothing could be read" in r.output
    assert "no such file" in (tmp_path / "o" / "errors.jsonl").read_text()


@pytest.mark.parametrize("extra, code, message", [
    (["--model", "no_such_model_xyz"], 3, "no_such_model_xyz"),     # model not loadable
    (["--scheduler", "tcp://127.0.0.1:8786"], 2, "--engine dask"),  # a scheduler needs the dask engine
    (["--engine", "spark"], 2, "spark"),                            # unknown engine
    (["--workers", "0"], 2, "workers"),
])
def test_unusable_arguments_exit_with_a_clear_message(runner, tmp_path, extra, code, message):
    (tmp_path / "a.txt").write_text("Acme said revenue rose 5% to $2 billion.")
    r = runner.invoke(main, ["extract", str(tmp_path / "a.txt"), "--out", str(tmp_path / "o"), "--no-progress",
                             *extra])
    assert r.exit_code == code and message in r.output


@pytest.fixture
def mixed_batch(tmp_path):
    c = tmp_path / "batch"
    c.mkdir()
    (c / "good.txt").write_text("Acme Corp said on Monday it would invest $2 billion in a new factory.\n")
    (c / "good2.md").write_text("# Results\n\nGlobex reported revenue of $450 million, up 12%.\n")
    (c / "page.html").write_text("<html><head><script>var x = '$99 billion';</script></head>"
                                 "<body><p>Initech hired 1,200 engineers this year.</p></body></html>")
    (c / "empty.txt").write_text("")
    (c / "blob.txt").write_bytes(b"\x00\x01\x02binary\x00" * 50)
    (c / "latin.txt").write_bytes("Umbrella paid \u20ac5m for the caf\u00e9 chain.".encode("cp1252"))
    (c / "lines.jsonl").write_text('{"text": "Hooli raised $300 million."}\nnot json\n{"title": "no text"}\n')
    (c / "manifest.jsonl").write_text('{"path": "good.txt", "outlet": "Wire", "published": "2024-07"}\n'
                                      '{"path": "missing.txt"}\n{broken\n')
    (c / "copy.txt").write_text("Acme Corp said on Monday it would invest $2 billion in a new factory.\n")
    return c


def test_bad_input_loses_nothing(runner, mixed_batch, tmp_path):
    out = tmp_path / "out"
    r = runner.invoke(main, ["extract", str(mixed_batch), "--out", str(out), "--no-progress"])
    assert r.exit_code == 0, r.output
    errors = read_jsonl(out / "errors.jsonl")
    kinds = {(e["path"].split("/")[-1].split("#")[0], e["kind"]) for e in errors}
    assert ("empty.txt", "empty") in kinds
    assert ("blob.txt", "binary") in kinds
    assert ("latin.txt", "decode") in kinds
    assert ("lines.jsonl", "jsonl") in kinds
    assert ("manifest.jsonl", "manifest") in kinds
    assert all(e["reason"] for e in errors)
    claims = read_jsonl(out / "claims.jsonl")
    surfaces = {c["surface"] for c in claims}
    assert {"$2 billion", "$450 million", "$300 million", "€5m"} <= surfaces
    assert not any("99" in s for s in surfaces)  # script content is not text
    docs = read_jsonl(out / "documents.jsonl")
    acme = [d for d in docs if "Acme" in d["text"]]
    assert len(acme) == 1 and len(acme[0]["paths"]) == 2  # the copy is one document, both paths kept
    for c in claims:
        text = next(d["text"] for d in docs if d["doc_id"] == c["doc_id"])
        assert text[c["provenance"]["char_start"]:c["provenance"]["char_end"]] == c["surface"]
    r = runner.invoke(main, ["extract", str(mixed_batch), "--out", str(tmp_path / "out2"), "--strict",
                             "--no-progress"])
    assert r.exit_code == 1


def test_rerun_is_cached_and_identical(runner, mixed_batch, tmp_path):
    out = tmp_path / "out"
    args = ["extract", str(mixed_batch), "--out", str(out), "--no-progress"]
    assert runner.invoke(main, args).exit_code == 0
    first = {n: (out / n).read_bytes() for n in OUTPUTS}
    r = runner.invoke(main, args)
    assert r.exit_code == 0
    assert {n: (out / n).read_bytes() for n in OUTPUTS} == first
    run = json.loads((out / "run.json").read_text())
    assert run["cached_documents"] == run["counts"]["documents"] > 0
    # a new document is the only new work
    (mixed_batch / "new.txt").write_text("Vandelay Industries sold 40,000 units in June.\n")
    runner.invoke(main, args)
    run = json.loads((out / "run.json").read_text())
    assert run["counts"]["documents"] == run["cached_documents"] + 1


def test_locked_output_folder(runner, tmp_path):
    from pipeline.batch import OutputLock

    (tmp_path / "a.txt").write_text("Acme said revenue was $2 billion.")
    out = tmp_path / "o"
    out.mkdir()
    with OutputLock(out):
        r = runner.invoke(main, ["extract", str(tmp_path / "a.txt"), "--out", str(out), "--no-progress"])
    assert r.exit_code == 4 and "lock" in r.output


def test_review_round_trip(runner, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Globex Corp reported revenue of $5.2 billion in 2023.\n")
    (corpus / "b.txt").write_text("In 2023, Globex Corp reported revenue of $7.9 billion, according to filings.\n")
    out = tmp_path / "out"
    args = ["extract", str(corpus), "--out", str(out), "--no-progress"]
    assert runner.invoke(main, args).exit_code == 0
    conflicts = read_jsonl(out / "conflicts.jsonl")
    assert len(conflicts) == 1
    x = conflicts[0]
    r = runner.invoke(main, ["review", "--out", str(out)])
    assert r.exit_code == 0 and x["conflict_id"] in r.output
    accept = x["groups"][0]["claim_ids"][0]
    r = runner.invoke(main, ["resolve", x["conflict_id"], "--accept", accept, "--note", "checked the filing",
                             "--corpus", str(corpus), "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert (corpus / "decisions.jsonl").exists()
    assert runner.invoke(main, args).exit_code == 0
    facts = [f for f in read_jsonl(out / "facts.jsonl") if f["status"] == "resolved"]
    assert len(facts) == 1 and facts[0]["resolution"]["note"] == "checked the filing"
    assert runner.invoke(main, ["review", "--out", str(out)]).output.strip() == "No open conflicts."
    # a decision for a conflict that no longer exists is reported, not lost
    (corpus / "b.txt").unlink()
    assert runner.invoke(main, args).exit_code == 0
    assert "stale" in (out / "report.md").read_text().lower() or "no longer" in (out / "report.md").read_text().lower()


def test_resolve_rejects_unknown_ids(runner, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "conflicts.jsonl").write_text("")
    r = runner.invoke(main, ["resolve", "x_0000", "--value", "5", "--corpus", str(tmp_path), "--out", str(out)])
    assert r.exit_code == 2
    r = runner.invoke(main, ["resolve", "x_0000", "--corpus", str(tmp_path), "--out", str(out)])
    assert r.exit_code == 2


def test_dask_engine_from_the_cli_matches_local(runner, tmp_path):
    pytest.importorskip("distributed", reason="dask[distributed] not installed")
    c = tmp_path / "c"
    c.mkdir()
    (c / "a.txt").write_text("Acme Corp said it would invest $2 billion in a new factory this year.\n")
    (c / "b.txt").write_text("Acme Corp will invest about $2 billion in the factory, analysts said.\n")
    outs = {}
    for engine in ("local", "dask"):
        out = tmp_path / engine
        r = runner.invoke(main, ["extract", str(c), "--out", str(out), "--engine", engine, "--workers", "2",
                                 "--no-progress"])
        assert r.exit_code == 0, r.output
        outs[engine] = {n: (out / n).read_bytes() for n in ("claims.jsonl", "facts.jsonl", "conflicts.jsonl")}
    assert outs["local"] == outs["dask"]
    assert json.loads((tmp_path / "dask" / "run.json").read_text())["engine"] == "dask"


def test_a_killed_run_leaves_outputs_intact_and_the_next_run_completes(tmp_path):
    """A run killed half way: SIGKILL a real `factpipe extract` while it works, then check that
    the previous outputs are untouched and that the next run takes over the stale lock."""
    import os
    import signal
    import socket
    import subprocess
    import sys
    import time

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(40):
        (corpus / f"a{i:02d}.txt").write_text(
            f"Company {i} said revenue rose {i + 3}% to ${i + 1}.{i % 10} billion in 2023. " * 40)
    out = tmp_path / "out"
    first = CliRunner().invoke(main, ["extract", str(corpus / "a00.txt"), "--out", str(out), "--no-progress"])
    assert first.exit_code == 0
    before = {n: (out / n).read_bytes() for n in OUTPUTS}

    proc = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "extract", str(corpus), "--out", str(out),
                             "--no-progress", "--no-cache"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while not (out / ".factpipe.lock.json").exists() and time.time() < deadline and proc.poll() is None:
        time.sleep(0.05)
    time.sleep(1.0)  # let it get into the work
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert {n: (out / n).read_bytes() for n in OUTPUTS} == before  # nothing half-written
    if proc.returncode == -signal.SIGKILL:
        # the dead run's holder details are still there, but the kernel freed its OS lock ...
        assert json.loads((out / ".factpipe.lock.json").read_text())["host"] == socket.gethostname()
    r = CliRunner().invoke(main, ["extract", str(corpus), "--out", str(out), "--no-progress"])
    assert r.exit_code == 0, r.output  # ... so the next run takes the folder and completes
    assert len(read_jsonl(out / "documents.jsonl")) == 40
    assert not (out / ".factpipe.lock.json").exists()
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


def test_evaluate_prints_scores_and_errors(runner, tmp_path):
    gold = tmp_path / "gold.json"
    gold.write_text(json.dumps([
        {"text": "Revenue rose to $5 billion.", "quantities": [
            {"change": "up", "value": "5000000000.0", "unit": "$", "normalized_unit": "dollar", "referred_concepts": "-"}]},
        {"text": "The truck weighs 7 tonnes.", "quantities": [
            {"change": "=", "value": "8.0", "unit": "t", "normalized_unit": "metric ton", "referred_concepts": "-"}]},
    ]))
    r = runner.invoke(main, ["evaluate", "quantities", str(gold), "--errors", "5"])
    assert r.exit_code == 0, r.output
    assert "factpipe" in r.output and "quantulum3" in r.output
    assert "[1] The truck weighs 7 tonnes." in r.output and "missed:   8 metric ton" in r.output
    r = runner.invoke(main, ["evaluate", "quantities", str(gold), "--json"])
    scores = json.loads(r.output)
    assert scores["factpipe"]["value_unit"]["f1"] == pytest.approx(50.0)
    assert "errors" not in scores["factpipe"]


def test_html_page_without_manifest_dates_its_claims_and_marks_headline_claims(runner, tmp_path):
    """The page's own date resolves "this year"; a number in the headline is a claim marked as such."""
    from test_ingest import PARAS, news_page

    html = news_page(head='<meta property="article:published_time" content="2024-03-05T10:00:00Z">')
    html = html.replace(PARAS[2], "The company expects sales of $18 billion this year, up from $15 billion "
                                  "last year, its finance chief said.")
    html = html.replace("Chipmaker revenue jumps", "Chipmaker to spend $1.5 billion on Arizona plant")
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "page.html").write_text(html)
    out = tmp_path / "out"
    r = runner.invoke(main, ["extract", str(tmp_path / "c"), "--out", str(out), "--no-progress"])
    assert r.exit_code == 0, r.output
    (doc,) = read_jsonl(out / "documents.jsonl")
    assert doc["metadata"]["published"] == "2024-03-05" and doc["metadata_source"]["published"] == "page"
    assert doc["reader"] == "trafilatura"
    h0, h1 = doc["headline"]
    assert doc["text"][h0:h1] == doc["metadata"]["title"] == "Chipmaker to spend $1.5 billion on Arizona plant"
    claims = read_jsonl(out / "claims.jsonl")
    for c in claims:  # provenance stays exact with the headline in the text
        assert doc["text"][c["provenance"]["char_start"]:c["provenance"]["char_end"]] == c["surface"]
    by_surface = {c["surface"]: c for c in claims}
    assert by_surface["$18 billion"]["time"]["start"] == "2024-01-01"
    assert by_surface["$15 billion"]["time"]["start"] == "2023-01-01"
    in_headline = [c for c in claims if c["provenance"]["headline"]]
    assert [c["surface"] for c in in_headline] == ["$1.5 billion"]
    assert in_headline[0]["provenance"]["char_start"] < h1
    assert all(c["provenance"]["char_start"] >= h1 for c in claims if not c["provenance"]["headline"])
    assert runner.invoke(main, ["validate", str(out)]).exit_code == 0


def test_long_document_is_processed_in_pieces_with_exact_offsets(runner, tmp_path):
    """A document longer than one piece: claims everywhere in it, each quoting the text exactly."""
    firms = ["Acme", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay", "Stark", "Wayne"]
    paras, n = [], 0
    while n < 60_000:  # longer than LONG_DOC_CHARS: the piece-by-piece path
        i = len(paras)
        p = (f"{firms[i % len(firms)]} said on Monday that revenue rose {i % 40 + 2}% to ${i + 1}.5 billion "
             f"in the quarter, and that it would hire {100 + i} engineers.")
        paras.append(p)
        n += len(p) + 2
    text = "\n\n".join(paras)
    (tmp_path / "long.txt").write_text(text)
    out = tmp_path / "out"
    r = runner.invoke(main, ["extract", str(tmp_path / "long.txt"), "--out", str(out), "--no-progress"])
    assert r.exit_code == 0, r.output
    claims = read_jsonl(out / "claims.jsonl")
    for c in claims:
        pv = c["provenance"]
        assert text[pv["char_start"]:pv["char_end"]] == c["surface"]
    assert len({c["claim_id"] for c in claims}) == len(claims)
    money = {c["surface"] for c in claims if c["kind"] == "money"}
    assert {f"${i + 1}.5 billion" for i in range(len(paras))} <= money  # every paragraph, every piece
    assert max(c["provenance"]["char_start"] for c in claims) > 55_000


def test_a_jsonl_id_and_other_fields_reach_documents_jsonl(tmp_path):
    """A feed's own `id` and extra keys are kept in documents.jsonl (`extra`), not dropped."""
    from click.testing import CliRunner

    from pipeline.cli import main

    feed = tmp_path / "feed.jsonl"
    feed.write_text(json.dumps({"id": "wire-7781", "text": "Orbex raised $20m in a funding round.",
                                "desk": "markets"}) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["extract", str(feed), "--out", str(out)])
    assert res.exit_code == 0, res.output
    (doc,) = [json.loads(line) for line in (out / "documents.jsonl").read_text().splitlines()]
    assert doc["extra"] == {"desk": "markets", "line": 1, "source_id": "wire-7781"}
