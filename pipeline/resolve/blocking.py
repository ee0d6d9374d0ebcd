"""Blocking: the coarse keys that decide which claims are compared at all."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass

from pipeline.records import Claim, EntityRef

from .config import load_config
from .intervals import claim_type, claim_units, norm_unit
from .periods import Period, claim_period


def _singular(word: str) -> str:
    w = word.lower()
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 3 and w.endswith("s") and not w.endswith("ss"):
        return w[:-1]
    return w


def counted_head(c: Claim, cfg: dict) -> str:
    """The counted thing: head noun of ``counted`` (else the unit), singular,
    lower-case, through ``units.counted_aliases``."""
    src = c.counted or norm_unit(c.unit, cfg) or ""
    words = re.findall(r"[A-Za-z0-9]+", src)
    head = _singular(words[-1]) if words else ""
    return cfg["units"].get("counted_aliases", {}).get(head, head)


def _canon(e: EntityRef | None) -> str | None:
    if e is None:
        return None
    return (e.canonical or e.text or "").strip() or None


@dataclass
class _P:
    claim: Claim
    order: int
    block: tuple
    period: Period
    units: list[str]
    ctype: str
    subject: str | None
    obj: str | None
    metric: str
    dimension: str
    doc_scope: str | None


def _block_parts(c: Claim, cfg: dict) -> tuple:
    """(subject, object, metric, dimension, doc_scope): claims are compared only
    inside one such block (module docstring, "Grouping")."""
    subject = _canon(c.subject)
    # a named target ("into Scale AI") separates facts; a descriptive one ("in data centers") does not
    obj = _canon(c.object) if c.object is not None and c.object.label != "NP" else None
    metric = (c.metric or "").strip()
    metric = cfg["metrics"]["aliases"].get(metric, metric)
    group = cfg["kinds"]["groups"].get(c.kind, c.kind)
    dim = group
    if group == "count":
        dim = "count:" + counted_head(c, cfg)
    if c.rate:
        dim += "/" + c.rate
    if getattr(c, "scope", None):
        # "43 RBIs in 54 games" is not the season's 121 RBIs: a scoped figure is its own fact
        nums = re.findall(r"\d[\d,.]*", c.scope)
        words = re.findall(r"[a-z]+", c.scope.lower())
        dim += " @" + " ".join(nums + [_singular(words[-1])] if words else nums)
    doc_scope = c.doc_id if (subject is None or not metric) else None
    return (subject, obj, metric, dim, doc_scope)


def block_key(claim: Claim, documents: dict[str, dict] | None = None, cfg: dict | None = None) -> str:
    """The key claims must share to be compared: a JSON string of canonical
    subject, metric, dimension and (for a claim without subject or metric) its
    doc_id.  The object is left out on purpose: a claim that names no target
    ("AMD paid $5.4bn") joins the one named target of its family ("... for ATI"),
    which :func:`resolve_partition` decides, so the family must travel together.  ``cfg`` is ``load_config(config)`` (loaded here when
    None; pass it when keying many claims).  ``documents`` is accepted for
    symmetry with :func:`resolve_partition`; the key does not depend on it.

    Resolution is a group-by on this key: :func:`resolve_partition` on any
    union of whole groups, then :func:`merge_partitions`."""
    subject, _obj, metric, dim, doc_scope = _block_parts(claim, cfg if cfg is not None else load_config())
    return json.dumps([subject, metric, dim, doc_scope], ensure_ascii=False)


def _prepare(c: Claim, order: int, documents: dict, cfg: dict) -> _P:
    block = _block_parts(c, cfg)
    subject, obj, metric, dim, doc_scope = block
    return _P(c, order, block, claim_period(c, documents, cfg), claim_units(c, cfg), claim_type(c),
              subject, obj, metric, dim, doc_scope)


def _claim_sort_key(c: Claim) -> tuple:
    p = c.provenance
    return (c.doc_id, p.char_start if p else 0, p.char_end if p else 0, c.claim_id)

