"""Decisions stage: reviewers' decisions applied to the conflicts of a partition.

The decision rules (validation, supersession, reopening) live in :mod:`pipeline.decisions`,
which owns the decisions file; resolution calls :func:`apply_decisions` after clustering."""
from __future__ import annotations

from pipeline.decisions import apply_decisions

NO_CONFLICT = "no current conflict has this id (the claims or figures changed)"

__all__ = ["NO_CONFLICT", "apply_decisions"]
