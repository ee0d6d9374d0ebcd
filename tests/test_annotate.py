"""NLP stage: domain entity ruler, alias table, surname resolution, long texts in pieces."""
from __future__ import annotations

import pytest

from pipeline.annotate import AliasTable, split_text
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


# --------------------------------------------------------------------------- document entities

@pytest.mark.parametrize("text, name", [
    ("Robotics startup Quillon said it had raised money. Quillon builds arms.", "Quillon"),
    ("The chipmaker 'Tesserion Labs' opened a plant in Ohio.", "Tesserion Labs"),
    ("Fintech firm Paylumo hired 40 engineers last year.", "Paylumo"),
])
def test_a_generic_noun_introduces_an_organisation(annotator, text, name):
    ad = annotate_one(annotator, text)
    found = [m for m in ad.mentions if m.canonical == name]
    assert found and all(m.label == "ORG" for m in found), ad.mentions
    assert all(text[m.start:m.end] == m.text for m in ad.mentions)
    # every occurrence of the learnt name, not only the first
    assert len(found) == text.count(name)


@pytest.mark.parametrize("text", [
    "AI Startup Raises $10M From Investors",   # title case: the verb is no name
    "Chip Firm Reports Record Sales",
])
def test_no_descriptor_names_in_title_case(annotator, text):
    from pipeline.annotate import named_by_descriptor

    ad = annotate_one(annotator, text)
    (doc, off), = ad.pieces
    assert named_by_descriptor(doc, off, []) == []


@pytest.mark.parametrize("text, word", [
    ("AI will change how Microsoft sells software.", "AI"),
    ("The CPU in the new laptop is fast, Apple said.", "CPU"),
])
def test_generic_acronyms_are_not_entities(annotator, text, word):
    ad = annotate_one(annotator, text)
    assert all(m.text != word for m in ad.mentions), ad.mentions


def test_mention_index_lookups():
    """Bisect lookups agree with a scan over the mentions."""
    from pipeline.mentions import MentionIndex
    from pipeline.records import Mention

    ms = [Mention("Nvidia", "Nvidia", "ORG", 40, 46), Mention("Meta", "Meta", "ORG", 0, 4),
          Mention("Jensen Huang", "Jensen Huang", "PERSON", 20, 32), Mention("H100", "H100", "ACCELERATOR", 60, 64)]
    idx = MentionIndex(ms)
    for i in range(70):
        scan = next((m for m in ms if m.start <= i < m.end), None)
        assert idx.at(i) is scan, i
        for labels in ({"ORG"}, {"PERSON", "ACCELERATOR"}):
            before = [m for m in ms if m.end <= i and m.label in labels]
            want = max(before, key=lambda m: m.end) if before else None
            assert idx.last_before(i, labels) is want, (i, labels)
    assert [m.text for m in idx.in_range(0, 41)] == ["Meta", "Jensen Huang", "Nvidia"]


@pytest.mark.parametrize("title, text, topic", [
    # title and lead outweigh a name repeated in passing
    ("Intel cuts prices", "Intel cut prices on Monday. Rivals AMD and AMD's partners reacted. Intel said more.",
     "Intel"),
    # a person affiliated with an organisation counts for it
    (None, "Lisa Su spoke on Tuesday. Lisa Su said demand was strong. Microsoft listened.", "AMD"),
    # grammatical subjects weigh more than other mentions
    (None, "Samsung makes memory. Samsung sells it to Apple, Dell and Lenovo, and Dell resells it.", "Samsung"),
])
def test_salience_topic(annotator, title, text, topic):
    from pipeline.mentions import document_entities

    full = f"{title}. {text}" if title else text
    ad = annotate_one(annotator, full)
    de = document_entities(ad.mentions, ad.pieces, full, title)
    assert de.topic() is not None and de.topic().canonical == topic, de.salience


@pytest.mark.parametrize("text, person, org", [
    ("Google CEO Sundar Pichai spoke.", "Sundar Pichai", "Google"),
    ("Maria Lopez, chief executive of Voltaro Energy, spoke.", "Maria Lopez", "Voltaro Energy"),
    ("Dell's chief financial officer Yvonne McGill spoke.", "Yvonne McGill", "Dell"),
    ("Pat Gelsinger spoke at a conference.", "Pat Gelsinger", "Intel"),  # from data/affiliations.json
])
def test_affiliations(annotator, text, person, org):
    from pipeline.mentions import document_entities

    ad = annotate_one(annotator, text)
    de = document_entities(ad.mentions, ad.pieces, text, None)
    assert de.affiliation.get(person) == org, (de.affiliation, ad.mentions)
