"""Exports of a run for downstream tools: SQLite, Parquet or CSV.

``export(out_dir, "sqlite"|"parquet"|"csv", dest=None)`` writes the tables
claims, facts, conflicts, entities, documents and decisions (the decisions file
of the corpus ``run.json`` records), plus ``fact_claims`` (fact_id, claim_id)
linking facts to their claims.  Column names are the JSON Schema field names
(``pipeline/schemas/*.schema.json``), in schema order; objects and arrays are
stored as JSON text, booleans as 0/1 in SQLite.  SQLite gets primary and
foreign keys (claims.doc_id -> documents, conflicts.fact_id -> facts,
fact_claims -> facts and claims), so sqlite-utils and Datasette browse it at
once.  Parquet needs pyarrow (``pip install 'factpipe[parquet]'``).

Every file is written to a temporary name and renamed into place.  Raises
:class:`ExportError` (one-line message) for a missing run, an unwritable
destination or a missing optional dependency.
"""
from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

from pipeline.store import _umask, load_schema, read_jsonl

TABLES = {  # table -> (file, schema, primary key)
    "documents": ("documents.jsonl", "document.schema.json", "doc_id"),
    "claims": ("claims.jsonl", "claim.schema.json", "claim_id"),
    "facts": ("facts.jsonl", "fact.schema.json", "fact_id"),
    "conflicts": ("conflicts.jsonl", "conflict.schema.json", "conflict_id"),
    "entities": ("entities.jsonl", "entity.schema.json", "entity_id"),
    "decisions": (None, "decision.schema.json", None),
}
FOREIGN_KEYS = {"claims": [("doc_id", "documents", "doc_id")], "conflicts": [("fact_id", "facts", "fact_id")],
                "fact_claims": [("fact_id", "facts", "fact_id"), ("claim_id", "claims", "claim_id")]}


class ExportError(RuntimeError):
    """An export that cannot be done; ``str()`` is a one-line reason."""


def _types(schema: dict) -> dict[str, str]:
    """field -> sqlite type (TEXT, REAL, INTEGER) or JSON for objects/arrays."""
    out = {}
    for name, prop in schema.get("properties", {}).items():
        t = prop.get("type")
        ts = set(t if isinstance(t, list) else [t]) - {"null", None}
        if "enum" in prop:
            ts = {type(x).__name__ for x in prop["enum"] if x is not None}
            ts = {"string" if x == "str" else x for x in ts}
        if ts <= {"string"} and ts:
            out[name] = "TEXT"
        elif ts <= {"number", "integer"} and ts:
            out[name] = "INTEGER" if ts == {"integer"} else "REAL"
        elif ts == {"boolean"}:
            out[name] = "INTEGER"
        else:
            out[name] = "JSON"
    return out


def _columns(records: list[dict], schema: dict) -> list[str]:
    cols = list(schema.get("properties", {}))
    for r in records:
        for k in r:
            if k not in cols:
                cols.append(k)
    return cols


def _cell(v: Any, kind: str) -> Any:
    if v is None:
        return None
    if kind == "JSON" or isinstance(v, (dict, list)):
        return json.dumps(v, ensure_ascii=False, sort_keys=True)
    if isinstance(v, bool):
        return int(v)
    return v


def load_tables(out_dir: str | os.PathLike) -> dict[str, tuple[list[str], dict[str, str], list[dict]]]:
    """table -> (columns, column kinds, records) of the run in ``out_dir``."""
    from pipeline.decisions import load_decisions
    from pipeline.report import decisions_path

    out = Path(out_dir)
    if not (out / "claims.jsonl").exists():
        raise ExportError(f"{out / 'claims.jsonl'} not found: run `factpipe extract` first")
    tables = {}
    for name, (fname, sname, _) in TABLES.items():
        schema = load_schema(sname)
        if fname is None:
            try:
                dpath = decisions_path(out)
                recs = load_decisions(dpath) if dpath else []
            except (ValueError, OSError) as exc:
                raise ExportError(f"cannot read the decisions: {exc}") from None
        else:
            p = out / fname
            recs = read_jsonl(p) if p.exists() else []
        cols = _columns(recs, schema)
        kinds = _types(schema)
        kinds.update({c: kinds.get(c) or _guess(recs, c) for c in cols})
        tables[name] = (cols, kinds, recs)
    links = [{"fact_id": f["fact_id"], "claim_id": c} for f in tables["facts"][2] for c in f.get("claim_ids") or []]
    tables["fact_claims"] = (["fact_id", "claim_id"], {"fact_id": "TEXT", "claim_id": "TEXT"}, links)
    return tables


def _guess(recs: list[dict], col: str) -> str:
    vals = [r.get(col) for r in recs if r.get(col) is not None]
    if vals and all(isinstance(v, str) for v in vals):
        return "TEXT"
    if vals and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in vals):
        return "REAL"
    return "JSON"


def _tmp_beside(dest: Path) -> Path:
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    try:
        os.fchmod(fd, 0o666 & ~_umask())  # like every other output (mkstemp makes 0600)
    finally:
        os.close(fd)
    return Path(name)


def _sqlite(tables: dict, dest: Path) -> None:
    tmp = _tmp_beside(dest)
    tmp.unlink()
    try:
        db = sqlite3.connect(tmp)
        order = ["documents", "claims", "facts", "conflicts", "entities", "decisions", "fact_claims"]
        for name in order:
            cols, kinds, recs = tables[name]
            pk = TABLES.get(name, (None, None, None))[2]
            defs = []
            for c in cols:
                t = "TEXT" if kinds[c] == "JSON" else kinds[c]
                defs.append(f'"{c}" {t}' + (" PRIMARY KEY" if c == pk else ""))
            for col, ref, refcol in FOREIGN_KEYS.get(name, []):
                defs.append(f'FOREIGN KEY ("{col}") REFERENCES "{ref}"("{refcol}")')
            if name == "fact_claims":
                defs.append('PRIMARY KEY ("fact_id", "claim_id")')
            db.execute(f'CREATE TABLE "{name}" ({", ".join(defs)})')
            q = f'INSERT INTO "{name}" ({", ".join(chr(34) + c + chr(34) for c in cols)}) VALUES ({", ".join("?" * len(cols))})'
            db.executemany(q, [[_cell(r.get(c), kinds[c]) for c in cols] for r in recs])
        db.commit()
        bad = db.execute("PRAGMA foreign_key_check").fetchall()
        db.close()
        if bad:
            raise ExportError(f"foreign keys do not hold in the run's files: {bad[:3]}")
        os.replace(tmp, dest)
    except sqlite3.Error as exc:
        raise ExportError(f"cannot write {dest}: {exc}") from None
    finally:
        if tmp.exists():
            tmp.unlink()


def _csv(tables: dict, dest: Path) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    for name, (cols, kinds, recs) in tables.items():
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(cols)
        for r in recs:
            w.writerow(["" if (v := _cell(r.get(c), kinds[c])) is None else v for c in cols])
        target = dest / f"{name}.csv"
        tmp = _tmp_beside(target)
        tmp.write_text(buf.getvalue(), encoding="utf-8")
        os.replace(tmp, target)


def _parquet(tables: dict, dest: Path) -> None:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise ExportError("parquet needs pyarrow: pip install 'factpipe[parquet]'") from None
    dest.mkdir(parents=True, exist_ok=True)
    types = {"TEXT": pa.string(), "REAL": pa.float64(), "INTEGER": pa.int64(), "JSON": pa.string()}
    for name, (cols, kinds, recs) in tables.items():
        fields = [pa.field(c, pa.bool_() if _is_bool(recs, c) else types[kinds[c]]) for c in cols]
        data = {c: [(_cell(r.get(c), kinds[c]) if not isinstance(r.get(c), bool) else r.get(c)) for r in recs]
                for c in cols}
        table = pa.table(data, schema=pa.schema(fields))
        target = dest / f"{name}.parquet"
        tmp = _tmp_beside(target)
        pq.write_table(table, tmp)
        os.replace(tmp, target)


def _is_bool(recs: list[dict], col: str) -> bool:
    vals = [r.get(col) for r in recs if r.get(col) is not None]
    return bool(vals) and all(isinstance(v, bool) for v in vals)


def export(out_dir: str | os.PathLike, fmt: str, dest: str | os.PathLike | None = None) -> dict[str, Any]:
    """Export the run in ``out_dir``; returns {"dest": path, "tables": {table: rows}}."""
    out = Path(out_dir)
    tables = load_tables(out)
    if fmt == "sqlite":
        target = Path(dest) if dest else out / "factpipe.sqlite"
        if target.is_dir():
            target = target / "factpipe.sqlite"
        writer = _sqlite
    elif fmt in ("csv", "parquet"):
        target = Path(dest) if dest else out / fmt
        if target.exists() and not target.is_dir():
            raise ExportError(f"{target} is a file: --dest must be a folder for {fmt}")
        writer = _csv if fmt == "csv" else _parquet
    else:
        raise ExportError(f"unknown format {fmt!r}: sqlite, parquet or csv")
    try:
        writer(tables, target)
    except OSError as exc:
        raise ExportError(f"cannot write {target}: {exc.strerror or exc}") from None
    return {"dest": str(target), "tables": {k: len(v[2]) for k, v in tables.items()}}
