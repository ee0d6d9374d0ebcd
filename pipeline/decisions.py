"""Reviewers' decisions on conflicts: an append-only JSON Lines file.

One line per decision::

    {"conflict_id": "x_...", "accept_claim": "c_..." | null, "value": 13.9e9 | null,
     "note": "..." | null, "who": "alice", "when": "2024-07-25T10:00:00Z"}

``accept_claim`` picks one claim's figure; ``value`` sets a figure directly (it
wins over the accepted claim's value); with neither the conflict is dismissed
(acknowledged, no value chosen).  When several decisions name the same
conflict the last one wins.  :func:`pipeline.resolve.resolve` applies them;
decisions whose conflict no longer exists come back as ``stale_decisions``.
"""
from __future__ import annotations

import getpass
import json
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

FIELDS = ("conflict_id", "accept_claim", "value", "note", "who", "when")


def _default_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name (containers without passwd entries)
        return os.environ.get("USER") or os.environ.get("USERNAME") or "unknown"


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def load_decisions(path: str | os.PathLike) -> list[dict[str, Any]]:
    """All decisions in file order; [] when the file does not exist.

    Raises ValueError (with the line number) on a line that is not a JSON
    object with a ``conflict_id``."""
    p = Path(path)
    if not p.exists():
        return []
    out = []
    with open(p, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            line = line.strip()
            if not line:
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as e:
                raise ValueError(f"{p}:{n}: not valid JSON: {e.msg}") from None
            if not isinstance(rec, dict) or not isinstance(rec.get("conflict_id"), str):
                raise ValueError(f"{p}:{n}: a decision must be a JSON object with a conflict_id")
            out.append({k: rec.get(k) for k in FIELDS} | {k: v for k, v in rec.items() if k not in FIELDS})
    return out


def append_decision(path: str | os.PathLike, conflict_id: str, accept_claim: str | None = None,
                    value: float | None = None, note: str | None = None,
                    who: str | None = None) -> dict[str, Any]:
    """Append one decision (one JSON line) and return it."""
    if not conflict_id or not isinstance(conflict_id, str):
        raise ValueError("conflict_id is required")
    if value is not None:
        value = float(value)
    rec = {
        "conflict_id": conflict_id,
        "accept_claim": accept_claim,
        "value": value,
        "note": note,
        "who": who or _default_user(),
        "when": _now(),
    }
    p = Path(path)
    if p.parent and not p.parent.exists():
        p.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(rec, ensure_ascii=False, sort_keys=False)
    with open(p, "a+b") as fh:
        # a previous writer may have died mid-line: start on a fresh line
        fh.seek(0, os.SEEK_END)
        if fh.tell() > 0:
            fh.seek(-1, os.SEEK_END)
            if fh.read(1) != b"\n":
                fh.write(b"\n")
        fh.write(line.encode("utf-8") + b"\n")
        fh.flush()
        os.fsync(fh.fileno())
    return rec
