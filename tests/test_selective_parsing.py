"""Selective parsing (annotate.SelectiveParser): the parser only around figures, the same claims."""
from __future__ import annotations

import dataclasses

import pytest
import spacy

from pipeline.annotate import UNPARSED, Annotator, SelectiveParser
from pipeline.ingest import make_doc_id
from pipeline.records import Article

TEXTS = [
    "Acme Corp makes robots.\nIt was founded by a former teacher. The sky was grey. "
    "The company said revenue rose 12% to $5 billion in 2023, its chief executive said.\n\nNothing else happened.",
    "Globex, the Paris-based chipmaker, shipped two million processors last quarter. Analysts were impressed. "
    "Its rival Initech has had a hard year.",
    "Weather was calm. Nobody was hurt. Officials said roads reopened quickly.",
    "The startup Quillon raised $675m at a valuation of $2.6bn. It plans to hire 300 engineers by 2026. "
    "Investors include several pension funds.\nShares of Hooli fell 4% on Monday.",
    "A 15.4-inch screen and 16GB of memory come with the $2,499 model. Reviewers liked it.",
]


@pytest.fixture(scope="module")
def selective(nlp):
    return Annotator(nlp=nlp, selective=True)


def figure_tokens(sp: SelectiveParser, doc):
    sents = list(doc.sents)
    return [t for s, fig in zip(sents, sp.figure_sentences(doc)) if fig for t in s]


@pytest.mark.parametrize("text", TEXTS)
def test_same_annotations_where_figures_are(nlp, selective, text):
    full = nlp(text)
    doc = next(iter(selective.pipe([text])))
    assert doc.text == text  # offsets exact
    assert [(e.start_char, e.end_char, e.label_) for e in doc.ents] == \
        [(e.start_char, e.end_char, e.label_) for e in full.ents]
    for t in figure_tokens(selective.selective, doc):
        f = full[t.i]
        assert (t.dep_, t.head.i, t.pos_, t.tag_, t.lemma_) == (f.dep_, f.head.i, f.pos_, f.tag_, f.lemma_), t.text


def test_sentences_without_figures_are_not_parsed(selective):
    text = TEXTS[2]
    doc = next(iter(selective.pipe([text])))
    assert {t.dep_ for t in doc} == {UNPARSED}
    assert [s.text.strip() for s in doc.sents] == ["Weather was calm.", "Nobody was hurt.",
                                                  "Officials said roads reopened quickly."]


def test_same_claims(extractor, selective):
    arts = [Article(doc_id=make_doc_id(t), text=t, path=f"t{i}.txt", format="txt", published="2024-05-01")
            for i, t in enumerate(TEXTS)]
    full = [dataclasses.asdict(c) for c in extractor.claims(arts)]
    got = []
    for ad in selective.annotate(arts):
        qs = [extractor.quantities(doc, ad.mentions, off, ad.article.boilerplate, keep_bare=False)
              for doc, off in ad.pieces]
        got += [dataclasses.asdict(c) for c in extractor.builder.build(ad, qs)]
    assert len(full) >= 8 and got == full


def test_falls_back_without_a_listening_parser():
    assert not SelectiveParser.usable(spacy.blank("en"))
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    a = Annotator(nlp=nlp, selective=True)
    assert a.selective is None and next(iter(a.pipe(["One. Two 3."]))).text == "One. Two 3."
