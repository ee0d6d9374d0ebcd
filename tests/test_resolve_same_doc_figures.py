"""Cannot-link: one article's two different stated figures are two facts, even when both are
bounds whose intervals overlap ('up to 16GB' and 'up to 768GB')."""
from __future__ import annotations

import pytest

from pipeline.resolve import resolve
from tests.test_resolve_linking import B, M, claim, docs

GB = 1e9

CASES = [
    # (name, the first article's two claims (surface, value, unit, kind, bound), the second article's claim)
    ("two memory ceilings", "The Lumen 14 laptop takes up to 32GB of memory and up to 2TB of storage.",
     [("up to 32GB", 32 * GB, "upper"), ("up to 2TB", 2000 * GB, "upper")], "B", "byte", "data",
     ("The Lumen 14 ships with up to 32GB of memory.", "up to 32GB", 32 * GB, "upper")),
    ("two funding floors", "Corvid Labs raised at least $40 million and may reach at least $90 million in its round.",
     [("at least $40 million", 40 * M, "lower"), ("at least $90 million", 90 * M, "lower")], "USD", "USD", "money",
     ("Corvid Labs secured at least $40 million in its round.", "at least $40 million", 40 * M, "lower")),
    ("a floor and a plain figure", "Brightwell said it would spend more than $2 billion, after $5 billion last cycle.",
     [("more than $2 billion", 2 * B, "lower"), ("$5 billion", 5 * B, None)], "USD", "USD", "money",
     ("Brightwell plans to spend more than $2 billion.", "more than $2 billion", 2 * B, "lower")),
]


@pytest.mark.parametrize("name,sentence,figs,unit,_u,kind,other", CASES, ids=[c[0] for c in CASES])
def test_one_articles_different_figures_stay_apart(name, sentence, figs, unit, _u, kind, other):
    subject = sentence.split()[1] if sentence.startswith("The ") else sentence.split()[0]
    a = [claim(s, v, sentence, doc="A", subject=subject, kind=kind, unit=unit, bound=b) for s, v, b in figs]
    osent, osurf, oval, obound = other
    b = claim(osurf, oval, osent, doc="B", subject=subject, kind=kind, unit=unit, bound=obound)
    res = resolve(a + [b], docs(*a, b))
    fa = [next(f for f in res.facts if c.claim_id in f.claim_ids) for c in a]
    assert fa[0].fact_id != fa[1].fact_id
    # the other article's figure joins the matching one, never both
    fb = next(f for f in res.facts if b.claim_id in f.claim_ids)
    assert fb.fact_id != fa[1].fact_id
