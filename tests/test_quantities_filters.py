"""Issue 8: every way the extractor drops a candidate is a named filter
(pipeline.quantities.filters.FILTERS), so a test, a log or an explanation can name it."""
from __future__ import annotations

import pytest

from pipeline.annotate import Annotator
from pipeline.quantities import QuantityExtractor
from pipeline.quantities.filters import FILTERS, PARSE_FILTERS
from pipeline.records import Article


def dropped(nlp, sentence, keep_bare=True):
    ann = Annotator(nlp=nlp)
    ex = QuantityExtractor()
    (ad,) = list(ann.annotate([Article(doc_id="t", text=sentence, path="<t>", format="txt")]))
    out, kept = [], []
    for doc, off in ad.pieces:
        kept.extend(ex(doc, ad.mentions, off, keep_bare=keep_bare, dropped=out))
    for d in out:
        assert sentence[d.start:d.end] == d.surface
    return {d.surface: d.reason for d in out}, kept


# (sentence, the dropped figure as written, the filter that must name it)
ROWS = [
    ("Sales peaked in 2019 and then fell.", "2019", "year"),
    ("The company was founded in 1987 in Ohio.", "1987", "year"),
    ("Music from the 80s sold well.", "80", "decade"),
    ("The vote is due on March 14, officials said.", "14", "date_day"),
    ("Results come on 3 June.", "3", "date_day"),
    ("See Section 230 of the act.", "230", "identifier"),
    ("The SMW 4 cable was cut.", "4", "identifier"),
    ("The Nikkei 225 slipped.", "225", "identifier"),
    ("Silva (8) scored twice.", "8", "parenthesised_number"),
    ("Wembley hosted Arsenal (2) and Spurs (3).", "3", "parenthesised_number"),
    ("She lives at 575 Wilbraham Road now.", "575", "named_after"),
    ("The Boeing 787 Dreamliner landed.", "787", "inside_name"),
    ("Most phones now support 5G networks.", "5", "glued_letters"),
    ("The meeting starts at 9 am sharp.", "9", "date_entity"),
    ("Its account number is 4402918837 apparently.", "4402918837", "long_digits"),
    ("The bill took thousands to pass.", "thousands", "vague_without_noun"),
    ("9 Things Every Renter Should Know", "9", "listicle"),
    ("Twelve Surprising Facts About the Moon Landing", "Twelve", "listicle"),
    ("Five questions for the new chancellor after the budget", "Five", "listicle"),
    ("“Six ways to cut your energy bill this winter”", "Six", "listicle"),
]


@pytest.mark.parametrize("sentence,figure,reason", ROWS, ids=[f"{r[2]}|{r[1]}" for r in ROWS])
def test_named_filter(nlp, sentence, figure, reason):
    reasons, kept = dropped(nlp, sentence)
    assert not [q for q in kept if figure in q.surface], kept
    hits = {s: r for s, r in reasons.items() if figure in s}
    assert hits and set(hits.values()) == {reason}, reasons


def test_bare_numbers_are_named_when_dropped(nlp):
    reasons, kept = dropped(nlp, "The committee met 14 times and voted 9 to 3.", keep_bare=False)
    assert "bare_number" in reasons.values() and all(q.surface_unit != "-" for q in kept)


def test_every_filter_is_documented():
    names = [n for n, _ in PARSE_FILTERS]
    assert len(names) == len(set(names))
    assert set(names) <= set(FILTERS)
    for name, text in FILTERS.items():
        assert name.isidentifier() and name.islower(), name
        assert len(text) > 10, name
