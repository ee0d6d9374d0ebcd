"""Copies at any scale: exact and near-exact copies link beyond max_df documents
(content hash first, then MinHash buckets with a bounded number of leaders)."""
from __future__ import annotations

import random

import pytest

from pipeline.resolve import copy_groups, find_dependent_docs

_WORDS = ("harbour ferry tariff council budget turbine reservoir orchard canal bakery glacier "
          "quarry depot vineyard lighthouse foundry tram pier mill dockyard granary kiln sawmill "
          "brewery smelter colliery tannery wharf toll bridge").split()


def _article(seed: int, n_sentences: int = 12) -> str:
    rnd = random.Random(seed)
    out = []
    for k in range(n_sentences):
        words = [rnd.choice(_WORDS) for _ in range(14)]
        out.append(f"The {' '.join(words)} reported {rnd.randint(10, 999)} units in quarter {k}.")
    return " ".join(out)


def _docs(texts: dict[str, str]) -> dict[str, dict]:
    return {d: {"text": t, "published": "2025-03-02"} for d, t in texts.items()}


FOOTER = " ".join(["Sign up to the Riverside Gazette morning briefing for the local headlines you need"] * 3)

CASES = [
    # (name, texts, expected number of copy groups, expected size of the largest group)
    ("120 identical copies", {f"id{i:03d}": _article(1) for i in range(120)}, 1, 120),
    ("75 copies each with its own syndication line",
     {f"syn{i:02d}": _article(2) + f"\n\nCarried by partner desk {i} under licence." for i in range(75)}, 1, 75),
    ("60 copies of one story and 60 of another",
     {**{f"a{i:02d}": _article(3) for i in range(60)},
      **{f"b{i:02d}": _article(4) + f" Updated at {i} past the hour." for i in range(60)}}, 2, 60),
    ("70 different stories sharing one long footer",
     {f"own{i:02d}": _article(100 + i) + " " + FOOTER for i in range(70)}, 0, 0),
]


@pytest.mark.parametrize("name,texts,n_groups,largest", CASES, ids=[c[0] for c in CASES])
def test_copies_link_at_any_scale(name, texts, n_groups, largest):
    stats: dict = {}
    groups = copy_groups(find_dependent_docs(_docs(texts), _stats=stats))
    assert len(groups) == n_groups
    assert max((len(g) for g in groups), default=0) == largest
    # bounded work: each document meets at most max_leaders leaders per band (32 bins / 4 rows = 8 bands)
    assert stats["copy_pairs_compared"] <= len(texts) * 8 * 8


def test_copy_groups_do_not_depend_on_document_order():
    texts = {f"syn{i:02d}": _article(5) + f" Desk {i}." for i in range(55)}
    texts.update({f"zz{i:02d}": _article(200 + i) for i in range(5)})
    fwd = copy_groups(find_dependent_docs(_docs(texts)))
    rev = copy_groups(find_dependent_docs(_docs(dict(reversed(list(texts.items()))))))
    assert fwd == rev and len(fwd) == 1 and len(fwd[0]) == 55
