"""Which bound words exclude their own number (data/resolve.json ``bounds.strict_qualifiers``).

"upwards of £100m" is written for a budget the same outlets call "£100m" and "up to £100m", so it
includes its number, like "at least". Invented sentences (not dev-set texts)."""
from __future__ import annotations

import pytest

from test_resolve_linking import M, claim, fact_of, run

# the third article's sentence, with its lower bound
ROWS = [
    "Norland will spend upwards of £40m on a chip lab, officials said.",
    "Upwards of £40m is earmarked by Norland for the chip lab.",
    "The Norland chip lab has a budget of upwards of £40m, officials said.",
    "Norland will spend at least £40m on a chip lab, officials said.",
]


@pytest.mark.parametrize("sentence", ROWS)
def test_bound_word_and_the_same_number(sentence):
    a = claim("£40m", 40 * M, "Norland will spend £40m on a chip lab, the ministry said.", doc="A",
              subject="Norland", metric="spending", unit="GBP", published="2025-02-03")
    b = claim("up to £40m", 40 * M, "Norland will spend up to £40m on a chip lab.", doc="B", subject="Norland",
              metric="spending", unit="GBP", bound="upper", qualifier="up to", published="2025-02-04")
    qualifier = "at least" if "at least" in sentence else "upwards of"
    surface = sentence[sentence.lower().index(qualifier):sentence.index("£40m") + 4]
    c = claim(surface, 40 * M, sentence, doc="C", subject="Norland", metric="spending", unit="GBP",
              bound="lower", qualifier=qualifier, published="2025-02-05")
    texts = {"A": "The ministry set out its plans for research on Monday in a long statement.",
             "B": "A short wire note on budgets, grants and hiring for the new laboratory.",
             "C": "Officials briefed reporters about the chip programme at a press event."}
    r = run(a, b, c, texts=texts)
    assert fact_of(r, b).fact_id == fact_of(r, c).fact_id
    assert fact_of(r, a).fact_id == fact_of(r, b).fact_id
    assert r.conflicts == []
