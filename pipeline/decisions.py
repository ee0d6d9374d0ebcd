"""Reviewers' decisions on conflicts: an append-only JSON Lines file.

One line per decision::

    {"decision_id": "d_...", "conflict_id": "x_...", "fact_id": "f_...",
     "claim_ids": ["c_...", ...],          # the conflict's claims when decided
     "action": "accept" | "value" | "split" | "dismiss",
     "accept_claim": "c_..." | null,       # action accept: this claim's figure
     "value": 35000000.0 | null,           # action value: in the fact's unit (W, USD, ...)
     "value_text": "35 MW" | null,         # the value as the reviewer typed it
     "unit": "W" | null,
     "note": "..." | null, "who": "alice", "when": "2024-07-25T10:00:00Z",
     "supersedes": "d_..." | null}          # the previous decision on this conflict

Older lines with only ``conflict_id``, ``accept_claim``, ``value``, ``note``,
``who`` and ``when`` are still read.  ``value`` wins over ``accept_claim``;
with neither (``dismiss``) the conflict is acknowledged without a value;
``split`` says the values are not the same fact: each value becomes its own fact.

:func:`make_decision` checks a decision against the conflict it names
(:class:`DecisionError` with a one-line message otherwise); :func:`append_decision`
appends it atomically (one ``write`` under an exclusive lock, fsynced);
:func:`apply_decisions` applies a decisions file to a run's facts and conflicts:
a decision follows its claims when new articles join the conflict (the conflict
id changes), and a new disagreeing value reopens the conflict with the old
decision shown (``Conflict.previous_decision``).
"""
from __future__ import annotations

import getpass
import hashlib
import json
import math
import os
import re
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

FIELDS = ("conflict_id", "accept_claim", "value", "note", "who", "when")
DATA = Path(__file__).parent / "data" / "decisions.json"


class DecisionError(ValueError):
    """A decision that cannot be recorded; ``str()`` is a one-line reason for the user."""


class FarValue(DecisionError):
    """The corrected value is far outside every candidate (record it with ``force=True``)."""


@lru_cache(maxsize=1)
def config() -> dict[str, Any]:
    """``data/decisions.json``: far_factor, nonnegative_kinds, measured_kinds, actions."""
    return json.loads(DATA.read_text(encoding="utf-8"))


def default_user() -> str:
    """The OS login name (``$USER`` when there is no passwd entry), else "unknown"."""
    try:
        return getpass.getuser()
    except Exception:  # no login name (containers without passwd entries)
        return os.environ.get("USER") or os.environ.get("USERNAME") or "unknown"


_default_user = default_user


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


# --------------------------------------------------------------------------
# Reading and writing


def load_decisions(path: str | os.PathLike,
                   on_error: Callable[[int, str], None] | None = None) -> list[dict[str, Any]]:
    """All decisions in file order; [] when the file does not exist.

    A line that is not a JSON object with a ``conflict_id`` (or holds NaN or
    Infinity) raises ValueError with the line number, unless ``on_error`` is
    given: then it is called with (line number, reason) and the line skipped.
    An unreadable file raises ValueError (or calls ``on_error(0, reason)``)."""
    p = Path(path)
    if not p.exists():
        return []
    out = []

    def bad(n: int, reason: str) -> None:
        if on_error is None:
            raise ValueError(f"{p}:{n}: {reason}")
        on_error(n, reason)

    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        bad(0, f"cannot read the decisions file: {exc}")
        return []
    for n, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line:
            continue
        try:
            rec = json.loads(line, parse_constant=_bad_constant)
        except json.JSONDecodeError as e:
            bad(n, f"not valid JSON: {e.msg}")
            continue
        except ValueError as e:
            bad(n, str(e))
            continue
        if not isinstance(rec, dict) or not isinstance(rec.get("conflict_id"), str):
            bad(n, "a decision must be a JSON object with a conflict_id")
            continue
        out.append({k: rec.get(k) for k in FIELDS} | {k: v for k, v in rec.items() if k not in FIELDS})
    return out


def _bad_constant(c: str) -> Any:
    raise ValueError(f"{c} is not valid JSON (not a finite number)")


def decision_id_for(rec: dict[str, Any]) -> str:
    """'d_' + sha256 of the decision's canonical JSON (without its id)[:16]."""
    body = {k: v for k, v in rec.items() if k != "decision_id"}
    return "d_" + hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]


def _append_line(path: Path, line: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        try:
            import fcntl
            fcntl.flock(fd, fcntl.LOCK_EX)
        except ImportError:  # not POSIX: O_APPEND alone
            pass
        data = line.encode("utf-8") + b"\n"
        size = os.fstat(fd).st_size
        if size:
            # a previous writer may have died mid-line: start on a fresh line
            if os.pread(fd, 1, size - 1) != b"\n":
                data = b"\n" + data
        os.write(fd, data)  # one write with O_APPEND: readers never see half a line from us
        os.fsync(fd)
    finally:
        os.close(fd)


def write_decision(path: str | os.PathLike, rec: dict[str, Any]) -> dict[str, Any]:
    """Append an already built decision (see :func:`make_decision`) and return it."""
    line = json.dumps(rec, ensure_ascii=False, allow_nan=False)
    _append_line(Path(path), line)
    return rec


def append_decision(path: str | os.PathLike, conflict_id: str, accept_claim: str | None = None,
                    value: float | None = None, note: str | None = None,
                    who: str | None = None, **extra: Any) -> dict[str, Any]:
    """Append one decision (one JSON line) and return it.  ``extra`` adds fields
    (fact_id, claim_ids, action, supersedes, ...).  Raises DecisionError on a
    value that is not a finite number."""
    if not conflict_id or not isinstance(conflict_id, str):
        raise DecisionError("conflict_id is required")
    if value is not None:
        try:
            value = float(value)
        except (TypeError, ValueError):
            raise DecisionError(f"value {value!r} is not a number") from None
        if not math.isfinite(value):
            raise DecisionError(f"value {value!r} is not a finite value")
    rec = {
        "conflict_id": conflict_id,
        "accept_claim": accept_claim,
        "value": value,
        "note": note,
        "who": who or default_user(),
        "when": extra.pop("when", None) or _now(),
        **extra,
    }
    rec["decision_id"] = decision_id_for(rec)
    return write_decision(path, rec)


def decisions_file(inputs: list[str] | tuple[str, ...], out_dir: str | os.PathLike) -> Path:
    """Where the decisions of a run live (one rule for extract, resolve, the app
    and export): ``FOLDER/decisions.jsonl`` when the run read exactly one corpus
    folder, else ``OUT/decisions.jsonl`` (a JSONL feed, single files, several
    inputs).  ``inputs`` as given to extract; returns a path that may not exist."""
    ins = [str(p) for p in inputs or []]
    if len(ins) == 1 and os.path.isdir(ins[0]):
        return Path(ins[0]) / "decisions.jsonl"
    return Path(out_dir) / "decisions.jsonl"


# --------------------------------------------------------------------------
# Checking a decision


def parse_value(text: str, unit: str, kind: str) -> float:
    """A value typed by a reviewer ("35 MW", "$1.2bn", "12%", "4,200") in the
    fact's ``unit`` (W, Wh, USD, percent, a counted noun ...).

    Parsed by Factpipe's own quantity grammar.  Raises DecisionError when it is
    not one quantity, when its unit is of another dimension or currency, or
    when a measured kind (money, power, ...) comes without its unit."""
    s = (text or "").strip()
    if not s:
        raise DecisionError("give a value with its unit, e.g. '35 MW' or '$1.2bn'")
    for m in _NUMBER_LITERAL.finditer(s):  # what float() reads but the grammar does not: 1e400, inf, nan
        v = float(m.group(0).replace(",", ""))
        if not math.isfinite(v):
            raise DecisionError(f"{text!r} is not a finite value")
        raise DecisionError(f"{text!r}: write the number without an exponent (e.g. '35 MW', '$1.2bn')")
    raws = _grammar().parse(s)
    if len(raws) != 1 or raws[0].vague or raws[0].value_min is not None:
        raise DecisionError(f"{text!r} is not one figure with a unit (e.g. '35 MW', '$1.2bn')")
    r = raws[0]
    extra = (s[:r.start] + s[r.end:]).strip(" .,")
    got = r.unit if r.unit and r.unit != "-" else None
    measured = kind in config()["measured_kinds"]
    if got is None:
        if measured:
            raise DecisionError(f"{text!r} has no unit: the fact is in {unit}; write e.g. "
                                f"'{_example(unit)}'")
        if extra and not _same_noun(extra, unit):
            raise DecisionError(f"{text!r} counts {extra!r}, but the fact counts {unit!r}")
    elif got != unit:
        raise DecisionError(f"{text!r} is in {got}, but the fact is in {unit}")
    value = float(r.value) * float(r.factor or 1.0)
    if not math.isfinite(value):
        raise DecisionError(f"{text!r} is not a finite value")
    return value


_NUMBER_LITERAL = re.compile(
    r"(?<![\w.])[-+]?(?:\d[\d,]*\.?\d*|\.\d+)[eE][-+]?\d+(?![\w.])"  # 1e400, 2.5E-3
    r"|(?<![a-z])[-+]?(?:nan|inf(?:inity)?)(?![a-z])", re.IGNORECASE)


@lru_cache(maxsize=1)
def _grammar():
    from .quantities import QuantityGrammar

    return QuantityGrammar()


def _same_noun(text: str, unit: str) -> bool:
    t = text.lower().rstrip("s")
    u = (unit or "").lower().rstrip("s")
    return bool(u) and (t == u or t.endswith(" " + u) or u in t)


def _example(unit: str) -> str:
    return {"W": "35 MW", "Wh": "2 GWh", "USD": "$1.2bn", "GBP": "£1.2bn", "EUR": "€1.2bn",
            "percent": "12%"}.get(unit, f"12 {unit}")


def check_value(value: float, conflict: dict[str, Any], kind: str, force: bool = False) -> None:
    """Refuse NaN/infinity, a negative value for a kind that cannot be
    negative, and (unless ``force``) a value more than ``far_factor`` times
    outside every candidate value of ``conflict`` (a conflicts.jsonl record)."""
    cfg = config()
    if value is None or not math.isfinite(value):
        raise DecisionError(f"value {value!r} is not a finite value")
    if value < 0 and kind in cfg["nonnegative_kinds"]:
        raise DecisionError(f"a {kind.replace('_', ' ')} cannot be negative ({value:g})")
    cands = [abs(g["value"]) for g in conflict.get("groups") or [] if isinstance(g.get("value"), (int, float))]
    cands = [c for c in cands if math.isfinite(c) and c > 0]
    if cands and not force:
        f = float(cfg["far_factor"])
        lo, hi = min(cands) / f, max(cands) * f
        if not lo <= abs(value) <= hi:
            raise FarValue(f"{value:g} is more than {f:g}x outside every value of the conflict "
                           f"({min(cands):g} .. {max(cands):g}); check the unit, or use --force")


def make_decision(conflict: dict[str, Any], *, fact: dict[str, Any] | None = None,
                  accept_claim: str | None = None, value_text: str | None = None,
                  split: bool = False, dismiss: bool = False, note: str | None = None,
                  who: str | None = None, force: bool = False,
                  previous: list[dict[str, Any]] | None = None, when: str | None = None) -> dict[str, Any]:
    """A checked decision on ``conflict`` (a conflicts.jsonl record) ready for
    :func:`write_decision`.  Exactly one of accept_claim / value_text / split /
    dismiss, else DecisionError (a note alone decides nothing).  ``previous`` are the
    decisions already recorded: the new one ``supersedes`` the last on this
    conflict (or on its claims).  Raises DecisionError."""
    chosen = [x for x in (accept_claim is not None, value_text is not None, split, dismiss) if x]
    if len(chosen) != 1:
        raise DecisionError(("give only one of" if chosen else "give one of") +
                            ": accept a claim, a corrected value, not the same fact, dismiss"
                            + (" (a note only adds the reason to one of them)" if note and not chosen else ""))
    cid = conflict["conflict_id"]
    claim_ids = [c for g in conflict.get("groups") or [] for c in g.get("claim_ids") or []]
    unit = (fact or {}).get("unit") or (conflict.get("key") or {}).get("unit") or \
        ((conflict.get("groups") or [{}])[0].get("unit"))
    kind = (fact or {}).get("kind") or (conflict.get("key") or {}).get("dimension") or ""
    value = None
    if accept_claim is not None:
        if accept_claim not in claim_ids:
            raise DecisionError(f"{accept_claim} is not one of the claims of {cid}")
        action = "accept"
    elif value_text is not None:
        value = parse_value(value_text, unit, kind)
        check_value(value, conflict, kind, force=force)
        action = "value"
    elif split:
        action = "split"
    else:
        action = "dismiss"
    prior = [d for d in previous or [] if d.get("conflict_id") == cid
             or (set(d.get("claim_ids") or []) & set(claim_ids))]
    rec = {
        "conflict_id": cid,
        "fact_id": conflict.get("fact_id"),
        "claim_ids": sorted(claim_ids),
        "action": action,
        "accept_claim": accept_claim,
        "value": value,
        "value_text": value_text.strip() if value_text is not None else None,
        "unit": unit if value is not None else None,
        "note": note or None,
        "who": who or default_user(),
        "when": when or _now(),
        "supersedes": (prior[-1].get("decision_id") or _legacy_id(prior[-1])) if prior else None,
    }
    rec["decision_id"] = decision_id_for(rec)
    return rec


def _legacy_id(d: dict[str, Any]) -> str:
    return d.get("decision_id") or decision_id_for({k: d.get(k) for k in FIELDS})


# --------------------------------------------------------------------------
# Applying decisions to a run


NOT_SAME = "not the same fact"


def _short(res: dict[str, Any]) -> dict[str, Any]:
    return {k: res.get(k) for k in ("decision_id", "action", "value", "value_text", "claim_id", "who", "when",
                                    "note")}


def _action(d: dict[str, Any]) -> str:
    if d.get("action"):
        return d["action"]
    if d.get("value") is not None:
        return "value"
    return "accept" if d.get("accept_claim") else "dismiss"


def _successor(d: dict[str, Any], conflicts: list, by_claim: dict[str, Any]):
    """The conflict a decision follows when its own id is gone: the one holding
    most of the claims the decision was made on."""
    counts: dict[str, int] = {}
    for cid in d.get("claim_ids") or []:
        c = by_claim.get(cid)
        if c is not None:
            counts[c.conflict_id] = counts.get(c.conflict_id, 0) + 1
    if not counts:
        return None
    best = min(counts, key=lambda k: (-counts[k], k))
    return next(c for c in conflicts if c.conflict_id == best)


def apply_decisions(facts: list, conflicts: list, decisions: list[dict]) -> dict[int, str | None]:
    """Apply ``decisions`` (file order) to ``facts`` and ``conflicts`` (Fact and
    Conflict records, changed in place; a split appends facts).

    Returns, for each decision that concerns one of these conflicts (index in
    ``decisions``), None when it applies or the reason it is stale.  Decisions
    about other conflicts are left out (see ``resolve.merge_partitions``).

    A decision names its conflict by id; when that id is gone because claims
    joined, it follows the conflict holding its claims.  If a joining claim
    brings a value none of the decided claims had, the conflict is reopened:
    no resolution, the old decision in ``previous_decision``.  The last valid
    decision on a conflict wins; the earlier ones are listed in its
    resolution's ``superseded``."""
    by_id = {c.conflict_id: c for c in conflicts}
    by_claim = {cl: c for c in conflicts for g in c.groups for cl in g.get("claim_ids") or []}
    fact_by_id = {f.fact_id: f for f in facts}
    chosen: dict[str, list[dict]] = {}
    judged: dict[int, str | None] = {}
    for i, d in enumerate(decisions or []):
        c = by_id.get(d.get("conflict_id")) or _successor(d, conflicts, by_claim)
        if c is None:
            continue
        cid = c.conflict_id
        acc = d.get("accept_claim")
        if acc is not None and not any(acc in g["claim_ids"] for g in c.groups):
            judged[i] = f"claim {acc} is not part of conflict {cid}"
            continue
        if d.get("value") is not None:
            try:
                v = float(d["value"])
            except (TypeError, ValueError):
                v = math.nan
            if not math.isfinite(v):
                judged[i] = f"value {d['value']!r} is not a finite number"
                continue
            kind = getattr(fact_by_id.get(c.fact_id), "kind", None)
            if v < 0 and kind in config()["nonnegative_kinds"]:
                judged[i] = f"value {v:g} is negative, impossible for a {kind.replace('_', ' ')}"
                continue
        judged[i] = None
        chosen.setdefault(cid, []).append(d)
    for cid in sorted(chosen):
        ds = chosen[cid]
        d = ds[-1]
        c = by_id[cid]
        fact = fact_by_id[c.fact_id]
        resolution = _resolution(d, c, fact)
        if len(ds) > 1:
            resolution["superseded"] = [_short(_resolution(x, c, fact)) for x in ds[:-1]]
        if d.get("conflict_id") != cid:
            old = set(d.get("claim_ids") or [])
            new_groups = [g for g in c.groups if not old & set(g.get("claim_ids") or [])]
            if new_groups:  # a value nobody had decided on: open again, with the old decision shown
                prev = dict(resolution)
                prev["conflict_id"] = d.get("conflict_id")
                prev["new_claim_ids"] = sorted(x for g in new_groups for x in g["claim_ids"])
                c.previous_decision = prev
                continue
        c.resolution = dict(resolution)
        fact.resolution = dict(resolution)
        fact.status = "resolved"
        action = _action(d)
        if action == "split":
            fact.value = fact.value_min = fact.value_max = None
            facts.extend(_split(fact, c))
            continue
        fact.value = resolution["value"]
        group = next((g for g in c.groups if d.get("accept_claim") in g["claim_ids"]), None)
        if group is not None and d.get("value") is None:
            fact.value_min, fact.value_max = group["value_min"], group["value_max"]
        else:
            fact.value_min = fact.value_max = fact.value
    return judged


def _resolution(d: dict[str, Any], c, fact) -> dict[str, Any]:
    acc = d.get("accept_claim")
    value = d.get("value")
    if value is not None:
        value = float(value)
    elif acc is not None:
        group = next(g for g in c.groups if acc in g["claim_ids"])
        value = next((r["value"] for r in fact.provenance if r["claim_id"] == acc), group["value"])
    return {
        "value": value,
        "unit": fact.unit,
        "claim_id": acc,
        "who": d.get("who"),
        "when": d.get("when"),
        "note": d.get("note"),
        "action": _action(d),
        "value_text": d.get("value_text"),
        "decision_id": _legacy_id(d),
        "supersedes": d.get("supersedes"),
    }


def _split(fact, c) -> list:
    """One fact per value group of a conflict judged "not the same fact"."""
    from .records import Fact

    out = []
    dep = (fact.sources or {}).get("dependent_groups") or []
    kept = set((fact.sources or {}).get("independent") or [])
    for gi, g in enumerate(c.groups):
        ids = set(g["claim_ids"])
        docs = sorted(set(g.get("doc_ids") or []))
        drop: set[str] = set()
        for grp in dep:
            inter = [x for x in grp if x in docs]
            if len(inter) >= 2:
                keep = next((x for x in inter if x in kept), min(inter))
                drop.update(x for x in inter if x != keep)
        independent = [x for x in docs if x not in drop]
        key = dict(fact.key, split_of=fact.fact_id, split=gi + 1)
        sources = {"doc_ids": docs, "independent": independent,
                   "dependent_groups": [[x for x in grp if x in docs] for grp in dep
                                        if len([x for x in grp if x in docs]) >= 2],
                   "n_docs": len(docs), "n_independent": len(independent)}
        out.append(Fact(
            fact_id="f_" + hashlib.sha256(json.dumps(key, sort_keys=True, ensure_ascii=False).encode()
                                          ).hexdigest()[:16],
            key=key, subject=fact.subject, object=fact.object, metric=fact.metric, kind=fact.kind,
            unit=fact.unit, time=fact.time, value=g.get("value"), value_min=g.get("value_min"),
            value_max=g.get("value_max"), status="agreed" if len(independent) >= 2 else "single",
            claim_ids=[x for x in fact.claim_ids if x in ids], sources=sources,
            provenance=[dict(r, group=0) for r in fact.provenance if r.get("claim_id") in ids],
            series=getattr(fact, "series", None),
        ))
    return out
