"""Named filters: why a figure the grammar found is not a quantity.

Each filter is a function ``(Candidate) -> bool`` (True: drop) registered under a
stable name in :data:`FILTERS` with a one-line description, so that a test, a log
or ``factpipe explain`` can say *which* rule dropped a candidate. The extractor
runs :data:`PARSE_FILTERS` in order (:func:`drop_reason`); the filters that need the
counted noun are named in :data:`FILTERS` too and applied by the extractor.

Candidate offsets are document characters (``doc.text``), not sentence ones.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

from spacy.tokens import Doc, Span, Token

from ..words import plural_name_singular
from .docindex import SpanIndex, doc_index
from .grammar import Raw
from .lexicon import Lexicon

RE_YEAR = re.compile(r"(?:1[6-9]|20)\d\d")


@dataclass
class Candidate:
    """A grammar candidate in its parsed document.

    ``a``/``b``: the candidate's surface (document characters); ``fa``/``fb``: its
    figure; ``tok``: the spaCy token at ``fa`` (or None); ``named``/``dates``/
    ``ordinals``: entity spans of the document as ``(start, end, ...)`` tuples, a
    :class:`~.docindex.SpanIndex` built once per document (a list is indexed on creation);
    ``doc_text``: ``doc.text``, read once per document (empty: read from ``doc``)."""

    doc: Doc
    sent: Span
    raw: Raw
    a: int
    b: int
    fa: int
    fb: int
    tok: Token | None
    lex: Lexicon
    named: SpanIndex = field(default_factory=SpanIndex)
    dates: SpanIndex = field(default_factory=SpanIndex)
    ordinals: SpanIndex = field(default_factory=SpanIndex)
    doc_text: str = ""

    def __post_init__(self):
        for name in ("named", "dates", "ordinals"):
            if not isinstance(getattr(self, name), SpanIndex):
                setattr(self, name, SpanIndex(getattr(self, name)))
        if not self.doc_text:
            self.doc_text = doc_index(self.doc).text

    @property
    def text(self) -> str:
        """The document's text; ``a``, ``b``, ``fa`` and ``fb`` index into it."""
        return self.doc_text

    @property
    def digits(self) -> str:
        """The figure as written ("1,250"), or "" when the candidate has no figure (a vague magnitude)."""
        return self.raw.figure.digits if self.raw.figure else ""

    @property
    def bare(self) -> bool:
        """No currency, unit or scale, and not a vague magnitude: only the parse can vouch for it."""
        return self.raw.bare and not self.raw.vague

    def prev_word(self) -> re.Match | None:
        """The word right before the figure (within 25 characters; group 1, without a final period), or
        None."""
        return re.search(r"([A-Za-z][A-Za-z.&]*)\.?\s*$", self.text[max(0, self.fa - 25):self.fa])

    def next_word(self) -> re.Match | None:
        """The word right after the figure (within 15 characters; group 1), or None."""
        return re.match(r"\s*([A-Za-z]+)", self.text[self.fb:self.fb + 15])


FILTERS: dict[str, str] = {}
PARSE_FILTERS: list[tuple[str, Callable[[Candidate], bool]]] = []


def _filter(name: str, description: str):
    def register(fn: Callable[[Candidate], bool]):
        FILTERS[name] = description
        PARSE_FILTERS.append((name, fn))
        return fn
    return register


def _named(name: str, description: str) -> str:
    """Register a filter applied inside the extractor (it needs the counted noun)."""
    FILTERS[name] = description
    return name


def is_title_case(sent: Span) -> bool:
    """A headline in title case ("Klarna's AI Assistant Is Doing The Job Of 700 Workers"): four to
    sixteen words, three in four capitalised, so capitals there say nothing about names."""
    words = [t.text for t in sent if t.is_alpha and len(t.text) > 1]
    return 4 <= len(words) <= 16 and sum(w[0].isupper() for w in words) >= 0.75 * len(words)


def drop_reason(c: Candidate) -> str | None:
    """The name of the first of :data:`PARSE_FILTERS` that drops ``c``, or None."""
    for name, fn in PARSE_FILTERS:
        if fn(c):
            return name
    return None


# ----------------------------------------------------------------- every candidate


@_filter("inside_name", "inside a product, model or accelerator name ('Llama 3.1', 'H100')")
def _inside_name(c: Candidate) -> bool:
    return c.raw.kind != "parameter_count" and c.named.covers(c.fa)


@_filter("split_decimal", "the decimals of a number split across a sentence boundary ('1. 8GHz')")
def _split_decimal(c: Candidate) -> bool:
    return c.fa - c.sent.start_char <= 1 and bool(
        re.search(r"(?<![\d.,])\d{1,3}\.\s?$", c.text[max(0, c.fa - 6):c.fa]))


# ----------------------------------------------------------------- bare figures only


@_filter("ordinal", "an ORDINAL entity ('the 3rd')")
def _ordinal(c: Candidate) -> bool:
    return c.bare and c.ordinals.covers(c.fa)


@_filter("year", "a bare year ('in 2019'), not a range")
def _year(c: Candidate) -> bool:
    return c.bare and bool(RE_YEAR.fullmatch(c.digits)) and c.raw.value_min is None


@_filter("decade", "a decade ('the 90s', '1990s')")
def _decade(c: Candidate) -> bool:
    t = c.text
    return c.bare and bool(re.match(r"'?s\b", t[c.fb:c.fb + 3]) or t[c.fb:c.fb + 1] == "s" and c.digits.endswith("0"))


@_filter("date_day", "a day of a month ('March 29', '29 March')")
def _date_day(c: Candidate) -> bool:
    if not c.bare:
        return False
    pw, nw = c.prev_word(), c.next_word()
    return bool(pw and pw.group(1).lower().rstrip(".") in c.lex.month_names or
                nw and nw.group(1).lower() in c.lex.month_names)


def calendar_like(value: float, grouped: bool = False) -> bool:
    """Could this figure be (part of) a date or a time? A year, day, hour ("10.30") or count up to
    9999, or a compact date (YYYYMMDD, years 1800-2199). "1385710" is not, nor a figure written with
    a thousands separator (``grouped``: "1,334.20"): spaCy's DATE label on them is wrong."""
    if grouped:
        return False
    if value != int(value) or value < 10000:
        return True
    d = str(int(value))
    return len(d) == 8 and 1800 <= int(d[:4]) <= 2199 and 1 <= int(d[4:6]) <= 12 and 1 <= int(d[6:]) <= 31


# a figure that shares the unit of the next one: "5 and 7 hours", "13- and 15-inch", "from 40 to 35 hours"
RE_SHARED_UNIT_AFTER = re.compile(r" ?-?\s*(?:,|,?\s+(?:and|or|to))\s+[\d.,]+\s?-?\s?[A-Za-z](?!\.?m\b|\.m\.)", re.I)


@_filter("date_entity", "a unitless figure inside a DATE or TIME entity (one that a calendar can hold), "
                        "unless the next figure's unit is its own ('5 and 7 hours')")
def _date_entity(c: Candidate) -> bool:
    return c.bare and c.raw.unit == "-" and c.dates.covers(c.fa) and not RE_SHARED_UNIT_AFTER.match(c.text, c.fb) and \
        calendar_like(c.raw.value if c.raw.value is not None else 0,
                      bool(c.raw.figure and c.raw.figure.has_comma))


@_filter("identifier", "a number naming something after a word ('Section 427', 'SMW 4', 'Llama 3', 'Core 2 Duo')")
def _identifier(c: Candidate) -> bool:
    fig = c.raw.figure
    # a name written with a stray space before its hyphen: "COVID -19", "MH -17" (not a currency code)
    acronym = re.search(r"\b([A-Z]{2,})\s[-‑]$", c.text[max(0, c.fa - 12):c.fa])
    if c.bare and fig and acronym and acronym.group(1) not in c.lex.cur["codes"]:
        return True
    pwm = c.prev_word()
    if not (c.bare and pwm and fig and not fig.has_comma):
        return False
    pw = pwm.group(1)
    gap = c.text[c.fa - 1:c.fa] if c.fa > 0 else ""
    if gap not in (" ", "\u00a0", ""):
        return False
    lex, tok, doc = c.lex, c.tok, c.doc
    if pw.lower().rstrip(".") in lex.id_prefixes or pw.lower() in lex.id_prefixes:
        return True
    if len(pw) >= 2 and pw.isupper() and pw not in lex.cur["codes"]:
        return True  # "SEA-ME-WE 4", "SMW 4", "COVID 19"
    return bool(pw[0].isupper() and not is_title_case(c.sent) and tok is not None and tok.i > c.sent.start and (
        doc[tok.i - 1].pos_ == "PROPN" and not doc[tok.i - 1].is_sent_start or (
            tok.i + 1 < len(doc) and doc[tok.i + 1].text[:1].isupper() and doc[tok.i + 1].is_alpha)))


@_filter("named_after", "a number before a proper noun it names ('787 Dreamliner', 'Route 66 Diner')")
def _named_after(c: Candidate) -> bool:
    tok, doc = c.tok, c.doc
    return c.bare and tok is not None and tok.i + 1 < len(doc) and doc[tok.i + 1].pos_ == "PROPN" and \
        not is_title_case(c.sent) and \
        doc[tok.i + 1].text[:1].isupper() and doc[tok.i + 1].tag_ != "NNPS" and \
        doc[tok.i + 1].ent_type_ not in ("ACCELERATOR",) and not doc[tok.i + 1].is_sent_start and \
        not plural_name_singular(doc[tok.i + 1].text)  # "100,000 H100s" counts H100s


@_filter("parenthesised_number", "a bare number alone in brackets: a shirt number or a list marker ('Smith (4)')")
def _parenthesised_number(c: Candidate) -> bool:
    t = c.text
    return c.bare and bool(re.search(r"[(\[]\s?$", t[max(0, c.fa - 2):c.fa])) and \
        bool(re.match(r"\s?[)\]]", t[c.fb:c.fb + 2]))


@_filter("glued_letters", "letters glued after the number ('3G', '4K', '5th', '10am')")
def _glued_letters(c: Candidate) -> bool:
    return c.bare and bool(re.match(r"[A-Za-z]", c.text[c.fb:c.fb + 1]))


@_filter("clock_time", "a time of day ('10 a.m.', '9 GMT')")
def _clock_time(c: Candidate) -> bool:
    return c.bare and bool(re.match(r"\s?(?:a\.m\.|p\.m\.|am\b|pm\b|GMT|BST|ET|EST|PT|UTC)", c.text[c.fb:c.fb + 6]))


@_filter("long_digits", "ten or more digits without separators: a phone number or an id")
def _long_digits(c: Candidate) -> bool:
    fig = c.raw.figure
    return c.bare and bool(fig) and not fig.word and not fig.has_comma and len(fig.digits.replace(".", "")) >= 10 \
        and not fig.has_decimal


@_filter("year_as_duration", "a year read as a duration ('2019 years')")
def _year_as_duration(c: Candidate) -> bool:
    r = c.raw
    return r.kind == "other" and r.unit in ("year", "month", "week", "day") and r.figure is not None and \
        bool(RE_YEAR.fullmatch(r.figure.digits))


# ----------------------------------------------------------------- applied by the extractor

STREET_ADDRESS = _named("street_address", "a house number or ZIP code ('575 Wilbraham Road')")
WORD_WITHOUT_NOUN = _named("word_without_noun", "a number word with no unit, currency, scale or counted noun ('two')")
ONE_WITHOUT_NOUN = _named("one_without_noun", "'one' not directly before the noun it counts ('one notable feature')")
PARTITIVE_WITHOUT_NOUN = _named("partitive_without_noun", "'one of the ...' with no noun after 'of'")
VAGUE_WITHOUT_NOUN = _named("vague_without_noun", "a vague magnitude with nothing counted ('thousands' of what?)")
BARE_NUMBER = _named("bare_number", "a figure with no unit, currency or counted noun (dropped from claims)")
LISTICLE = _named("listicle", "a figure opening its sentence or headline that counts a list article's own items ('15 Fun Facts About ...')")
BOILERPLATE = _named("boilerplate", "inside web boilerplate (comment forms, navigation)")
