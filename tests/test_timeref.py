"""Time expressions resolved against the publication date (table-driven)."""
from __future__ import annotations

import pytest

from pipeline.timeref import parse_published, resolve_expression


@pytest.mark.parametrize("published, anchor, granularity", [
    ("2024-07", "2024-07-01", "month"),
    ("2024-07-23", "2024-07-23", "day"),
    ("2024", "2024-01-01", "year"),
    (None, None, None),
    ("unknown", None, None),
])
def test_parse_published(published, anchor, granularity):
    d, g = parse_published(published)
    assert (d.isoformat() if d else None, g) == (anchor, granularity)


@pytest.mark.parametrize("text, published, start, end", [
    ("this year", "2024-07", "2024-01-01", "2024-12-31"),
    ("this year alone", "2024-10", "2024-01-01", "2024-12-31"),
    ("last year", "2024-07", "2023-01-01", "2023-12-31"),
    ("next year", "2024-07-23", "2025-01-01", "2025-12-31"),
    ("year's end", "2024-07", "2024-01-01", "2024-12-31"),
    ("Full-year", "2024-07", "2024-01-01", "2024-12-31"),
    ("this month", "2024-07", "2024-07-01", "2024-07-31"),
    ("last month", "2024-01", "2023-12-01", "2023-12-31"),
    ("this quarter", "2024-08", "2024-07-01", "2024-09-30"),
    ("in 2023", "2024-07", "2023-01-01", "2023-12-31"),
    ("2019", None, "2019-01-01", "2019-12-31"),
    ("fiscal 2024", "2024-07", "2024-01-01", "2024-12-31"),
    ("Q1 2025", "2024-07", "2025-01-01", "2025-03-31"),
    ("the second quarter", "2024-07", "2024-04-01", "2024-06-30"),
    ("Currently", "2024-10", "2024-10-01", "2024-10-31"),
    ("this week", "2024-07", "2024-07-01", "2024-07-31"),
    ("Tuesday", "2024-07", "2024-07-01", "2024-07-31"),
    ("June", "2024-07", "2024-06-01", "2024-06-30"),
    ("March 2024", "2025-01", "2024-03-01", "2024-03-31"),
])
def test_resolve_expression(text, published, start, end):
    assert resolve_expression(text, published) == (start, end)


@pytest.mark.parametrize("text, published", [
    ("the next few years", "2024-07"),   # a span, not a reference period
    ("this year", None),                 # relative, and nothing to anchor it on
    ("several months", "2024-07"),
])
def test_unresolvable_expressions(text, published):
    assert resolve_expression(text, published) is None
