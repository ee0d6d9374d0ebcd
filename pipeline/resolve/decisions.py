"""Reviewers' decisions applied to conflicts (moved here unchanged from resolve.py)."""
from __future__ import annotations

import math

from pipeline.records import Conflict, Fact




NO_CONFLICT = "no current conflict has this id (the claims or figures changed)"


def _apply_decisions(facts: list[Fact], conflicts: list[Conflict], decisions: list[dict]) -> dict[int, str | None]:
    """Apply the decisions whose conflict is in ``conflicts``; returns, for each
    of those (by index in ``decisions``), None when valid or why it is stale.
    The last valid decision for a conflict wins.  Decisions about conflicts not
    here are not judged (see :func:`merge_partitions`)."""
    by_id = {c.conflict_id: c for c in conflicts}
    fact_by_id = {f.fact_id: f for f in facts}
    chosen: dict[str, dict] = {}
    judged: dict[int, str | None] = {}
    for i, d in enumerate(decisions or []):
        cid = d.get("conflict_id")
        c = by_id.get(cid)
        if c is None:
            continue
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
        judged[i] = None
        chosen[cid] = d
    for cid in sorted(chosen):
        d = chosen[cid]
        c = by_id[cid]
        fact = fact_by_id[c.fact_id]
        acc = d.get("accept_claim")
        value = d.get("value")
        group = None
        if acc is not None:
            group = next(g for g in c.groups if acc in g["claim_ids"])
        if value is not None:
            value = float(value)
        elif acc is not None:
            value = next((r["value"] for r in fact.provenance if r["claim_id"] == acc), group["value"])
        resolution = {
            "value": value,
            "unit": fact.unit,
            "claim_id": acc,
            "who": d.get("who"),
            "when": d.get("when"),
            "note": d.get("note"),
        }
        c.resolution = dict(resolution)
        fact.resolution = dict(resolution)
        fact.status = "resolved"
        fact.value = value
        if group is not None and d.get("value") is None:
            fact.value_min, fact.value_max = group["value_min"], group["value_max"]
        else:
            fact.value_min = fact.value_max = fact.value
    return judged

