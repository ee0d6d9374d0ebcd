"""Quantity stage: numbers in news text, normalised.

A small package, one concern per module:

* :mod:`.lexicon` — the vocabulary (data files under ``pipeline/data/``), compiled once;
* :mod:`.figures` — numbers as written, with currency and scale (:class:`Figure`);
* :mod:`.grammar` — figures plus units, ranges, bounds, rates, equivalents (:class:`Raw`);
* :mod:`.filters` — the named reasons a candidate is not a quantity;
* :mod:`.extractor` — the grammar over a parsed doc, judged by the filters (:class:`QuantityExtractor`).
"""
from .extractor import QuantityExtractor, counted_unit_name, next_word_is_street, noun_lemma
from .figures import Figure, FigureReader
from .grammar import QuantityGrammar, Raw
from .lexicon import Lexicon, lexicon, parse_number

__all__ = ["Figure", "FigureReader", "Lexicon", "QuantityExtractor", "QuantityGrammar", "Raw",
           "counted_unit_name", "lexicon", "next_word_is_street",
           "noun_lemma", "parse_number"]
