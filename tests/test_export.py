"""`factpipe export`: SQLite (with keys), CSV and Parquet round-trips of a run."""
from __future__ import annotations

import csv
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.export import TABLES, load_tables
from pipeline.store import load_schema, read_jsonl

FILES = {"claims": "claims.jsonl", "facts": "facts.jsonl", "conflicts": "conflicts.jsonl",
         "entities": "entities.jsonl", "documents": "documents.jsonl"}


@pytest.fixture(scope="module")
def run(tmp_path_factory, extractor):
    """A run with a conflict, an agreed fact and one recorded decision."""
    from pipeline.decisions import make_decision, write_decision
    from pipeline.run import extract

    base = tmp_path_factory.mktemp("export")
    corpus = base / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Globex Corp reported revenue of $5.2 billion in 2023, up 12%.\n")
    (corpus / "b.txt").write_text("In 2023, Globex Corp reported revenue of $7.9 billion, according to filings.\n")
    (corpus / "c.txt").write_text("Umbrella Ltd employed 4,200 people in 2021, the company said in a statement.\n")
    (corpus / "manifest.jsonl").write_text(json.dumps({"path": "a.txt", "outlet": "Business Daily",
                                                       "published": "2024-02-10"}) + "\n")
    out = base / "out"
    extract([str(corpus)], out, extractor=extractor)
    (x,) = read_jsonl(out / "conflicts.jsonl")
    write_decision(corpus / "decisions.jsonl", make_decision(x, value_text="$6bn", note="filing, \"p. 3\"",
                                                             who="ann"))
    extract([str(corpus)], out, extractor=extractor)
    return out


def _decoded(value, kind):
    if value is None or value == "":
        return None
    return json.loads(value) if kind == "JSON" else value


def _expected(run: Path) -> dict[str, list[dict]]:
    from pipeline.decisions import load_decisions

    exp = {t: read_jsonl(run / f) for t, f in FILES.items()}
    exp["decisions"] = load_decisions(run.parent / "corpus" / "decisions.jsonl")
    return exp


def _same(table: str, got: list[dict], want: list[dict], kinds: dict[str, str]) -> None:
    assert len(got) == len(want), table
    for g, w in zip(got, want):
        for col, val in w.items():
            v = _decoded(g[col], kinds[col])
            if isinstance(val, bool):
                v = bool(v)
            assert v == val, (table, col)


def test_sqlite_round_trip_with_keys(run, tmp_path):
    dest = tmp_path / "fp.sqlite"
    r = CliRunner().invoke(main, ["export", str(run), "--to", "sqlite", "--dest", str(dest)])
    assert r.exit_code == 0, r.output
    tables = load_tables(run)
    db = sqlite3.connect(dest)
    db.row_factory = sqlite3.Row
    for table, want in _expected(run).items():
        cols = [row[1] for row in db.execute(f'PRAGMA table_info("{table}")')]
        schema_cols = list(load_schema(TABLES[table][1])["properties"])
        assert cols[:len(schema_cols)] == schema_cols  # column names are the schema's field names
        got = [dict(row) for row in db.execute(f'SELECT * FROM "{table}" ORDER BY rowid')]
        _same(table, got, want, tables[table][1])
    fks = {(t, row[3], row[2]) for t in ("claims", "conflicts", "fact_claims")
           for row in db.execute(f'PRAGMA foreign_key_list("{t}")')}
    assert ("claims", "doc_id", "documents") in fks and ("conflicts", "fact_id", "facts") in fks
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    n_links = sum(len(f["claim_ids"]) for f in read_jsonl(run / "facts.jsonl"))
    assert db.execute("SELECT count(*) FROM fact_claims").fetchone()[0] == n_links
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_sqlite_utils_lists_the_tables_with_jsonl_row_counts(run, tmp_path):
    exe = Path(sys.executable).parent / "sqlite-utils"
    if not exe.exists():
        pytest.skip("sqlite-utils not installed (pip install '.[test]')")
    dest = tmp_path / "out.sqlite"
    assert CliRunner().invoke(main, ["export", str(run), "--to", "sqlite", "--dest", str(dest)]).exit_code == 0
    proc = subprocess.run([str(exe), "tables", str(dest), "--counts"], capture_output=True, text=True,
                          timeout=60)
    counts = {t["table"]: t["count"] for t in json.loads(proc.stdout)}
    for table, fname in FILES.items():
        assert counts[table] == len(read_jsonl(run / fname)) > 0, table
    assert counts["decisions"] == 1


def test_csv_round_trip(run, tmp_path):
    r = CliRunner().invoke(main, ["export", str(run), "--to", "csv", "--dest", str(tmp_path / "csv")])
    assert r.exit_code == 0, r.output
    tables = load_tables(run)
    for table, want in _expected(run).items():
        with open(tmp_path / "csv" / f"{table}.csv", encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        assert list(rows[0])[:len(load_schema(TABLES[table][1])["properties"])] == \
            list(load_schema(TABLES[table][1])["properties"])
        kinds = tables[table][1]
        conv = []
        for row in rows:
            conv.append({k: (float(v) if kinds[k] in ("REAL",) and v != "" else
                             int(v) if kinds[k] == "INTEGER" and v != "" else v) for k, v in row.items()})
        _same(table, conv, want, kinds)


def test_parquet_round_trip(run, tmp_path):
    pq = pytest.importorskip("pyarrow.parquet", reason="pyarrow not installed: pip install 'factpipe[parquet]'")
    r = CliRunner().invoke(main, ["export", str(run), "--to", "parquet", "--dest", str(tmp_path / "pq")])
    assert r.exit_code == 0, r.output
    tables = load_tables(run)
    for table, want in _expected(run).items():
        got = pq.read_table(tmp_path / "pq" / f"{table}.parquet").to_pylist()
        _same(table, got, want, tables[table][1])


def test_export_errors_are_one_line(tmp_path):
    r = CliRunner().invoke(main, ["export", str(tmp_path / "none"), "--to", "sqlite"])
    assert r.exit_code == 2 and "run `factpipe extract` first" in r.output and "Traceback" not in r.output
    r = CliRunner().invoke(main, ["export", str(tmp_path), "--to", "xml"])
    assert r.exit_code == 2
