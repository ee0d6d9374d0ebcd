"""NLP stage: domain entity ruler, alias table, surname resolution, long texts in pieces."""
from __future__ import annotations

import pytest

from pipeline.annotate import AliasTable, Annotator, split_text
from pipeline.records import Article


@pytest.mark.parametrize("surface, canonical", [
    ("Meta", "Meta"),
    ("Meta Platforms", "Meta"),
    ("Meta Platforms Inc.", "Meta"),
    ("Meta Platforms, Inc.", "Meta"),
    ("Meta's", "Meta"),
    ("Meta’s", "Meta"),
    ("Nvidia Corp.", "Nvidia"),
    ("NVIDIA", "Nvidia"),
    ("Alphabet Inc.", "Alphabet"),
    ("the U.S.", "United States"),
    ("Acme Holdings", "Acme"),          # unknown company: corporate suffix stripped
    ("Scale AI", "Scale AI"),           # a name that ends like a suffix is kept
])
def test_alias_table(surface, canonical):
    assert AliasTable().canonical(surface) == canonical


@pytest.fixture(scope="module")
def annotator(extractor):
    return extractor.annotator


def annotate_one(annotator, text, **kw):
    art = Article(doc_id="d_test", text=text, path="t.txt", format="txt")
    (ad,) = list(annotator.annotate([art]))
    return ad


@pytest.mark.parametrize("text, surface, label", [
    ("Meta bought 350,000 H100 GPUs.", "H100", "ACCELERATOR"),
    ("AMD shipped the MI300X in volume.", "MI300X", "ACCELERATOR"),
    ("El Capitan draws 30 megawatts.", "El Capitan", "SYSTEM"),
    ("OpenAI released GPT-4o mini on Thursday.", "GPT-4o mini", "AI_MODEL"),
    ("Anthropic's Claude 3 Haiku is cheap.", "Claude 3 Haiku", "AI_MODEL"),
])
def test_entity_ruler_adds_domain_names(annotator, text, surface, label):
    ad = annotate_one(annotator, text)
    assert any(m.text == surface and m.label == label for m in ad.mentions), ad.mentions


def test_surname_resolves_to_full_name_within_a_document(annotator):
    text = "Mark Zuckerberg spoke on Tuesday. Later, Zuckerberg said Meta would spend more."
    ad = annotate_one(annotator, text)
    later = [m for m in ad.mentions if m.text == "Zuckerberg"]
    assert later and all(m.canonical == "Mark Zuckerberg" for m in later)


def test_headlines_end_sentences(annotator):
    ad = annotate_one(annotator, "Financial Perspective\nDespite higher costs, revenue rose 22%.")
    doc, _ = ad.pieces[0]
    assert [s.text.strip() for s in doc.sents][0] == "Financial Perspective"


@pytest.mark.parametrize("max_chars", [50, 120, 1000])
def test_split_text_keeps_exact_offsets(max_chars):
    text = ("First paragraph with $5 billion.\n\nSecond one, 30 megawatts. " * 12).strip()
    pieces = split_text(text, max_chars)
    assert "".join(p for p, _ in pieces) == text
    for piece, off in pieces:
        assert text[off:off + len(piece)] == piece
        assert len(piece) <= max_chars


def test_long_text_in_pieces_gives_the_same_claims(extractor):
    from pipeline.run import Extractor

    text = "\n\n".join(f"Acme Corp said it would invest ${i} billion in factory number {i}." for i in range(2, 40))
    art = Article(doc_id="d_long", text=text, path="long.txt", format="txt")
    whole = extractor.claims([art])
    small = Extractor(nlp=extractor.annotator.nlp)
    small.annotator.max_chars = 300  # force many pieces, as a text above spaCy's max_length would be
    pieces = small.claims([art])
    assert len(pieces) == len(whole) == 38
    assert [(c.provenance.char_start, c.provenance.char_end, c.value) for c in pieces] == \
        [(c.provenance.char_start, c.provenance.char_end, c.value) for c in whole]
    for c in pieces:
        assert text[c.provenance.char_start:c.provenance.char_end] == c.surface
