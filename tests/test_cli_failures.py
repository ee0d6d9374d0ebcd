"""Every failure a user can cause: one ``error:`` line naming the file or option, no traceback,
and the documented exit code (pipeline/cli.py: 0 ok, 1 input, 2 usage, 3 model, 4 locked,
70 internal, 130 interrupted)."""
from __future__ import annotations

import json
import os
import signal
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline import cli
from pipeline.cli import main

ARTICLE = "Acme said revenue rose 5% to $2 billion in 2023.\n"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed on exit: nothing listens there


def _setup(tmp: Path, case: str) -> tuple[list[str], Path]:
    """Files for one case; returns (argv, folder to run in)."""
    (tmp / "a.txt").write_text(ARTICLE)
    (tmp / "afile").write_text("not a folder\n")
    (tmp / "empty").mkdir()
    gold = {
        "gold_not_json": "{not json",
        "gold_dict": json.dumps({"text": "x", "quantities": []}),
        "gold_list_of_strings": json.dumps(["a sentence"]),
        "gold_no_text": json.dumps([{"quantities": []}]),
        "gold_bad_value": json.dumps([{"text": "It cost $5.", "quantities": [{"value": "five", "unit": "USD"}]}]),
        "gold_no_value": json.dumps([{"text": "It cost $5.", "quantities": [{"unit": "USD"}]}]),
    }
    for name, content in gold.items():
        (tmp / f"{name}.json").write_text(content)
    out = ["--out", str(tmp / "out"), "--no-progress"]
    return {
        "no paths": ["extract", *out],
        "out is a file": ["extract", str(tmp / "a.txt"), "--out", str(tmp / "afile")],
        "out under a file": ["extract", str(tmp / "a.txt"), "--out", str(tmp / "afile" / "sub")],
        "unreachable scheduler": ["extract", str(tmp / "a.txt"), *out, "--engine", "dask",
                                  "--scheduler", f"tcp://127.0.0.1:{_free_port()}"],
        "malformed scheduler": ["extract", str(tmp / "a.txt"), *out, "--engine", "dask",
                                "--scheduler", "tcp://nohostport"],
        "scheduler without dask": ["extract", str(tmp / "a.txt"), *out, "--scheduler", "tcp://127.0.0.1:8786"],
        "unknown option value": ["extract", str(tmp / "a.txt"), *out, "--html", "everything"],
        "model not loadable": ["extract", str(tmp / "a.txt"), *out, "--model", "no_such_model_xyz"],
        "only missing paths": ["extract", str(tmp / "nope.txt"), *out],
        "empty folder strict": ["extract", str(tmp / "empty"), *out, "--strict"],
        "validate empty folder": ["validate", str(tmp / "empty")],
        "validate missing folder": ["validate", str(tmp / "nope")],
        **{f"evaluate {name}": ["evaluate", "quantities", str(tmp / f"{name}.json")] for name in gold},
    }[case], tmp


# case -> (exit code, words the one error line must hold)
FAILURES = {
    "no paths": (2, ["extract corpus"]),
    "out is a file": (2, ["--out", "afile"]),
    "out under a file": (2, ["--out", "afile", "file"]),
    "unreachable scheduler": (2, ["--scheduler", "cannot connect"]),
    "malformed scheduler": (2, ["--scheduler", "tcp://HOST:8786"]),
    "scheduler without dask": (2, ["--engine dask"]),
    "unknown option value": (2, ["--html", "everything"]),
    "model not loadable": (3, ["--model", "no_such_model_xyz"]),
    "only missing paths": (1, ["nothing could be read", "errors.jsonl"]),
    "empty folder strict": (1, []),  # the warning line says it (checked below)
    "validate empty folder": (1, ["no Factpipe outputs", "factpipe extract"]),
    "validate missing folder": (2, ["nope"]),
    "evaluate gold_not_json": (2, ["gold_not_json.json", "NewsQuant"]),
    "evaluate gold_dict": (2, ["gold_dict.json", "JSON list"]),
    "evaluate gold_list_of_strings": (2, ["gold_list_of_strings.json"]),
    "evaluate gold_no_text": (2, ["gold_no_text.json", "text"]),
    "evaluate gold_bad_value": (2, ["gold_bad_value.json", "five"]),
    "evaluate gold_no_value": (2, ["gold_no_value.json", "value"]),
}


@pytest.mark.parametrize("case", list(FAILURES))
def test_failure_is_one_line_with_its_exit_code(case, tmp_path):
    argv, _ = _setup(tmp_path, case)
    code, words = FAILURES[case]
    r = CliRunner().invoke(main, argv)
    assert r.exit_code == code, (case, r.output)
    assert "Traceback" not in r.output
    assert r.exception is None or isinstance(r.exception, SystemExit), repr(r.exception)
    errors = [line for line in r.stderr.splitlines() if line.startswith("error:")]
    if case == "empty folder strict":
        assert errors == [] and any(line.startswith("warning: no documents") for line in r.stderr.splitlines())
        return
    assert len(errors) == 1, (case, r.stderr)
    for w in words:
        assert w in errors[0], (case, errors[0])


def test_debug_shows_the_traceback(tmp_path):
    argv, _ = _setup(tmp_path, "out under a file")
    r = CliRunner().invoke(main, ["--debug", *argv])
    assert r.exit_code == 2 and "Traceback" in r.stderr and "error: --out" in r.stderr


def test_internal_error_is_one_line_and_exit_70(tmp_path, monkeypatch):
    import pipeline.run

    def boom(*a, **k):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(pipeline.run, "extract", boom)
    (tmp_path / "a.txt").write_text(ARTICLE)
    r = CliRunner().invoke(main, ["extract", str(tmp_path / "a.txt"), "--out", str(tmp_path / "o"), "--no-progress"])
    assert r.exit_code == cli.EXIT_INTERNAL == 70
    assert r.stderr.strip().splitlines() == [
        "error: internal error: ZeroDivisionError: division by zero; run again with `factpipe --debug ...` "
        "for the traceback and report it"]
    r = CliRunner().invoke(main, ["--debug", "extract", str(tmp_path / "a.txt"), "--out", str(tmp_path / "o"),
                                  "--no-progress"])
    assert r.exit_code == 70 and "Traceback" in r.stderr


def test_ctrl_c_in_process_exits_130(tmp_path, monkeypatch):
    import pipeline.run

    def interrupted(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(pipeline.run, "extract", interrupted)
    (tmp_path / "a.txt").write_text(ARTICLE)
    r = CliRunner().invoke(main, ["extract", str(tmp_path / "a.txt"), "--out", str(tmp_path / "o"), "--no-progress"])
    assert r.exit_code == 130
    assert [line for line in r.stderr.splitlines() if line.strip()] == [
        "error: interrupted; the output folder keeps its previous files (they are replaced only at the end)"]


def test_ctrl_c_on_a_real_run_exits_130_and_frees_the_folder(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(30):
        (corpus / f"a{i:02d}.txt").write_text(f"Company {i} said revenue rose {i + 3}% to ${i + 1} billion. " * 30)
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "extract", str(corpus), "--out", str(out),
                             "--no-progress", "--no-cache"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 60
    while not (out / ".factpipe.lock.json").exists() and time.time() < deadline and proc.poll() is None:
        time.sleep(0.05)
    if proc.poll() is not None:
        pytest.skip("the run finished before it could be interrupted")
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    if proc.returncode == 0:
        pytest.skip("the run finished before the signal arrived")
    assert proc.returncode == 130, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines == ["error: interrupted; the output folder keeps its previous files (they are replaced only at "
                     "the end)"], err
    assert not (out / ".factpipe.lock.json").exists()  # the lock was released


def test_ctrl_c_with_worker_processes_is_one_line_and_leaves_nothing_behind(tmp_path):
    """Ctrl-C in a terminal reaches the whole process group, pool workers too: still one line,
    exit 130, the lock freed, no temporary file (spooled texts, half-written outputs) left."""
    import os

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(40):
        (corpus / f"a{i:02d}.txt").write_text(f"Company {i} said revenue rose {i + 3}% to ${i + 1} billion. " * 30)
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "extract", str(corpus), "--out", str(out),
                             "--no-progress", "--no-cache", "--workers", "2"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.time() + 90
    while not list(out.glob(".texts.*.tmp")) and time.time() < deadline and proc.poll() is None:
        time.sleep(0.05)
    time.sleep(3.0)  # let the workers start and take chunks
    if proc.poll() is not None:
        pytest.skip("the run finished before it could be interrupted")
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    if proc.returncode == 0:
        pytest.skip("the run finished before the signal arrived")
    assert proc.returncode == 130, err
    assert [line for line in err.splitlines() if line.strip()] == [
        "error: interrupted; the output folder keeps its previous files (they are replaced only at the end)"], err
    assert not (out / ".factpipe.lock.json").exists()
    assert not [p.name for p in out.iterdir() if p.name.endswith(".tmp")]


def test_locked_folder_exits_4_naming_the_holder(tmp_path):
    from pipeline.batch import OutputLock

    (tmp_path / "a.txt").write_text(ARTICLE)
    out = tmp_path / "o"
    with OutputLock(out):
        r = CliRunner().invoke(main, ["extract", str(tmp_path / "a.txt"), "--out", str(out), "--no-progress"])
    assert r.exit_code == 4
    (line,) = [x for x in r.stderr.splitlines() if x.startswith("error:")]
    assert f"pid {os.getpid()}" in line and str(out) in line and "--out" in line


# ------------------------------------------------------------ the batch goes on

@pytest.fixture(scope="module")
def shared_run(tmp_path_factory):
    """One real run over a good file, a missing path, an unknown file type and a folder."""
    tmp = tmp_path_factory.mktemp("batch")
    (tmp / "c").mkdir()
    (tmp / "c" / "a.txt").write_text(ARTICLE)
    (tmp / "c" / "report.pdf").write_bytes(b"%PDF-1.4\n%\xe2\xe3\n")
    (tmp / "c" / "notes.docx").write_bytes(b"PK\x03\x04")
    out = tmp / "out"
    old = os.umask(0o027)
    try:
        r = CliRunner().invoke(main, ["extract", str(tmp / "c"), str(tmp / "missing.txt"), "--out", str(out),
                                      "--no-progress", "--no-cache"])
        strict = CliRunner().invoke(main, ["extract", str(tmp / "c"), str(tmp / "missing.txt"), "--out",
                                           str(tmp / "out2"), "--no-progress", "--strict"])
    finally:
        os.umask(old)
    return r, strict, out


def test_missing_path_is_reported_and_the_rest_processed(shared_run):
    r, strict, out = shared_run
    assert r.exit_code == 0, r.output
    assert "Traceback" not in r.output
    docs = [json.loads(x) for x in (out / "documents.jsonl").read_text().splitlines()]
    assert [d["path"].rsplit("/", 1)[-1] for d in docs] == ["a.txt"]
    errs = {e["path"].rsplit("/", 1)[-1]: e for e in map(json.loads, (out / "errors.jsonl").read_text().splitlines())}
    assert errs["missing.txt"]["kind"] == "not_found" and errs["missing.txt"]["fatal"] is True
    assert strict.exit_code == 1  # the same batch with --strict: input errors


def test_unknown_file_types_are_listed_as_skipped(shared_run):
    _, _, out = shared_run
    errs = {e["path"].rsplit("/", 1)[-1]: e for e in map(json.loads, (out / "errors.jsonl").read_text().splitlines())}
    for name, ext in (("report.pdf", ".pdf"), ("notes.docx", ".docx")):
        assert errs[name]["kind"] == "unsupported" and errs[name]["fatal"] is False
        assert "skipped" in errs[name]["reason"] and ext in errs[name]["reason"]


def test_outputs_follow_the_umask(shared_run):
    _, _, out = shared_run
    for name in ("claims.jsonl", "documents.jsonl", "errors.jsonl", "run.json", "report.html"):
        mode = stat.S_IMODE((out / name).stat().st_mode)
        assert mode == 0o640, (name, oct(mode))  # 0666 less umask 027, not mkstemp's 0600


def test_empty_input_warns_and_exits_0(tmp_path):
    (tmp_path / "empty").mkdir()
    r = CliRunner().invoke(main, ["extract", str(tmp_path / "empty"), "--out", str(tmp_path / "o"), "--no-progress"])
    assert r.exit_code == 0
    warnings = [x for x in r.stderr.splitlines() if x.startswith("warning:")]
    assert len(warnings) == 1 and "no documents found" in warnings[0] and "empty" in warnings[0]
