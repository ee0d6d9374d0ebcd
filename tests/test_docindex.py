"""Per-document indexes (pipeline/quantities/docindex.py) answer exactly as the scans they replace."""
import random

import pytest

from pipeline.quantities.docindex import DocIndex, SpanIndex, doc_index


def _random_spans(rng, n, width=60):
    out = []
    for k in range(n):
        a = rng.randrange(0, width)
        out.append((a, a + rng.randrange(1, 12), f"p{k}"))
    return out


@pytest.mark.parametrize("seed", range(20))
def test_span_index_matches_linear_scan(seed):
    rng = random.Random(seed)
    spans = _random_spans(rng, rng.randrange(0, 15))  # overlapping, nested, empty lists
    idx = SpanIndex(spans)
    for pos in range(-2, 75):
        linear = [s for s in sorted(spans, key=lambda s: (s[0], s[1])) if s[0] <= pos < s[1]]
        assert idx.covers(pos) == any(x <= pos < y for x, y, _ in spans)
        assert idx.covering(pos) == linear
    for a in range(0, 70, 7):
        for b in range(a, 75, 9):
            assert sorted(idx.starting_in(a, b)) == sorted(s for s in spans if a <= s[0] < b)


def test_span_index_nested_spans():
    # a long span hides a short one ending earlier: the running maximum keeps the long one visible
    idx = SpanIndex([(0, 100, "long"), (10, 12, "short")])
    assert idx.covers(50) and [s[2] for s in idx.covering(50)] == ["long"]
    assert [s[2] for s in idx.covering(11)] == ["long", "short"]
    assert not idx.covers(100)


SENTENCES = [
    "Apple said on Monday that revenue rose 5% to $90 billion in the second quarter. "
    "Microsoft, based in Redmond, hired 3,000 people in March 2024. Nothing else happened.",
    "In 2023 the Bank of England raised rates twice. The Fed did not. Sony sold 5 million units last week.",
]


@pytest.mark.parametrize("text", SENTENCES)
def test_doc_index_text_and_entities(nlp, text):
    doc = nlp(text)
    idx = doc_index(doc)
    assert idx is doc_index(doc)  # built once per document
    assert idx.text == doc.text
    assert [(e.start, e.end, e.label_) for e in idx.ents] == [(e.start, e.end, e.label_) for e in doc.ents]
    spans = list(doc.sents) + [doc[a:b] for a in range(0, len(doc), 5) for b in range(a + 1, len(doc), 7)]
    for sp in spans:
        assert [(e.start, e.end) for e in idx.ents_in(sp)] == [(e.start, e.end) for e in sp.ents]
    for c in range(len(text)):
        assert idx.chars.covers(c) == any(e.start_char <= c < e.end_char for e in doc.ents)
    dates = idx.spans(("DATE",))
    assert list(dates) == [(e.start_char, e.end_char, e.text) for e in doc.ents if e.label_ == "DATE"]
    assert isinstance(DocIndex(doc).chars, SpanIndex)
