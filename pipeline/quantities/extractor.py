"""Quantities of a parsed document: the grammar's candidates, judged with the parse.

:class:`QuantityExtractor` runs :class:`~.grammar.QuantityGrammar` over the
sentences of a spaCy doc, drops what is not a quantity through the named
filters of :mod:`.filters` (dates, years, ordinals, versions and names such as
"Llama 3.1", "GPT-5", "3G", "Section 427"), and finds the counted noun of a
bare count ("350,000 Nvidia H100 GPUs").
"""
from __future__ import annotations

import math
import re
import warnings

from spacy.lang.en.stop_words import STOP_WORDS
from spacy.tokens import Doc, Span, Token

from ..datafiles import load_json
from ..records import DroppedCandidate, Mention, Quantity
from ..words import plural_name_singular
from .docindex import SpanIndex, doc_index
from .filters import (BARE_NUMBER, BOILERPLATE, LISTICLE, ONE_WITHOUT_NOUN, PARTITIVE_WITHOUT_NOUN, STREET_ADDRESS,
                      VAGUE_WITHOUT_NOUN, WORD_WITHOUT_NOUN, Candidate, drop_reason, is_title_case)
from .grammar import QuantityGrammar, Raw
from .lexicon import Lexicon, _alt

_QW = load_json("quantity_words.json")


def _phrases(words) -> str:
    """An alternation of ``words`` (longest first), any run of spaces inside one matching \\s+."""
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(set(words), key=len, reverse=True))

# --------------------------------------------------------------------------- with the parse


def _token_at(doc: Doc, char: int) -> Token | None:
    span = doc.char_span(char, char + 1, alignment_mode="expand")
    return span[0] if span is not None and len(span) else None


class QuantityExtractor:
    """Quantities of a parsed document (one piece of an article)."""

    def __init__(self, grammar: QuantityGrammar | None = None, use_quantulum: bool = True):
        self.g = grammar or QuantityGrammar()
        self.lex = self.g.lex
        self.use_quantulum = use_quantulum
        self.re_year = re.compile(r"(?:1[6-9]|20)\d\d")
        self.re_digit_like = re.compile(r"[\d½¼¾⅓⅔⅛⅜⅝⅞]")
        lex = self.lex
        words = [w for w in lex.word_numbers if w not in ("a", "an")] + list(lex.vague_bases) + \
            list(lex.multi_prefix) + [w for w in lex.scales if len(w) > 2] + list(lex.fraction_words) + ["couple"]
        self.re_number_words = re.compile(r"(?i)\b(?:%s)" % _alt(words))

    def may_hold_figure(self, text: str) -> bool:
        """The prefilter: True when ``text`` (a sentence) holds a digit-like character or a
        number word of the lexicon, i.e. something the grammar could read as a figure.
        False means no quantity can come from ``text``."""
        return bool(self.re_digit_like.search(text) or self.re_number_words.search(text))

    def __call__(self, doc: Doc, mentions: list[Mention] = (), offset: int = 0,
                 boilerplate: list[tuple[int, int]] = (), keep_bare: bool = True,
                 dropped: list[DroppedCandidate] | None = None) -> list[Quantity]:
        """Quantities of ``doc`` (offsets shifted by ``offset``, the piece's start in its article).

        ``keep_bare=False`` drops figures with no unit, currency or counted noun. When
        ``dropped`` is a list, every candidate a filter drops is appended to it as a
        :class:`~pipeline.records.DroppedCandidate` naming the filter."""
        out: list[Quantity] = []
        index = doc_index(doc)  # text and entities read once per document, looked up by bisect per figure
        text = index.text
        named = SpanIndex((m.start - offset, m.end - offset, m.label) for m in mentions
                          if m.label in ("ACCELERATOR", "AI_MODEL", "SYSTEM", "PRODUCT"))
        dates = index.spans(("DATE", "TIME"))
        ordinals = index.spans(("ORDINAL",), payload=False)
        for sent in doc.sents:
            s = sent.text
            if not self.may_hold_figure(s):
                continue  # no figure in digits or words: nothing for the grammar
            base = sent.start_char
            raws = self.g.parse(s)
            found: list[tuple[Quantity, int, int]] = []
            for r in raws:
                a, b = base + r.start, base + r.end
                if any(x <= a + offset < y for x, y in boilerplate):
                    self._drop(dropped, text, a, b, offset, BOILERPLATE)
                    continue
                q = self._to_quantity(doc, sent, r, a, b, named, dates, ordinals, text)
                if isinstance(q, str):
                    self._drop(dropped, text, a, b, offset, q)
                    continue
                found.append((q, a, b))
            carry_units(doc, [q for q, _, _ in found])
            # the fallback: quantulum3 may know the unit of a figure the grammar left bare
            leftovers = [q for q, _, _ in found if q.surface_unit == "-" and q.kind == "count" and not q.counted]
            if leftovers and self.use_quantulum:
                self._quantulum_units(s, base, leftovers)
            for q, a, b in found:
                if q.surface_unit == "-" and not keep_bare:
                    self._drop(dropped, text, a, b, offset, BARE_NUMBER)
                    continue
                out.append(q)
        for q in out:
            q.start += offset
            q.end += offset
        return out

    @staticmethod
    def _drop(dropped: list | None, text: str, a: int, b: int, offset: int, reason: str) -> None:
        if dropped is not None:
            dropped.append(DroppedCandidate(start=a + offset, end=b + offset, surface=text[a:b], reason=reason))

    # ------------------------------------------------------------------
    def _to_quantity(self, doc, sent: Span, r: Raw, a: int, b: int, named, dates, ordinals, text) -> Quantity | str:
        """The candidate ``r`` (document offsets ``a``..``b``) as a :class:`Quantity`, or the
        name of the filter (:data:`.filters.FILTERS`) that drops it."""
        lex = self.lex
        fig = r.figure
        fa = sent.start_char + fig.start if fig else a
        fb = sent.start_char + fig.end if fig else b
        tok = _token_at(doc, fa)
        cand = Candidate(doc, sent, r, a, b, fa, fb, tok, lex, named, dates, ordinals, text)
        age = self._age(doc, sent, r, a, b, text, tok)
        if age is not None:
            return age
        reason = drop_reason(cand)
        if reason:
            return reason
        if r.unit == "-" and r.kind == "count":
            sus = self._suspended(doc, sent, r, fa, fb, text, tok)
            if sus is not None:
                return sus
        # word numbers need a unit, a currency or a noun they count
        counted_tok = None
        partitive = None
        if r.unit == "-" and r.kind in ("count",):
            if next_word_is_street(text, fb, lex):
                return STREET_ADDRESS  # an address: "575 Wilbraham Road", "the 90049 ZIP Code"
            # a figure of several tokens counts from its last one: "three-quarters of a million homes",
            # "5, 184, 000 pixels"
            last_tok = _token_at(doc, fb - 1) if fig is not None and fb - 1 > fa else tok
            counted_tok = self._counted(doc, sent, r, last_tok, fb) or (
                self._counted(doc, sent, r, tok, fb) if last_tok is not tok else None)
            if r.word and counted_tok is None and not fig.scaled and not (
                    fig.value == 1 and re.match(r"\s+of\s", text[fb:fb + 5])):
                return self._noun_or_figure(doc, sent, r, fa, fb, text, tok) or WORD_WITHOUT_NOUN
            if r.word and fig and fig.value == 1 and not fig.scaled:
                # "one of the best speakers": one member of a set (NewsQuant counts it; no claim)
                pm = re.match(r"\s+of\s+(?:the|its|his|her|their|our|these|those)\s+", text[fb:fb + 20])
                if pm:
                    partitive = self._noun_after_of(doc, fb)
                # "one notable feature": only trust "one" with a counted noun right after
                elif counted_tok is None or counted_tok.i != (tok.i + 1 if tok is not None else -1):
                    return ONE_WITHOUT_NOUN
                if pm and partitive is None:
                    return PARTITIVE_WITHOUT_NOUN
        if r.unit == "-" and r.kind == "count" and r.word and fig and fig.value == 1 and partitive is not None:
            unit_name = " ".join([counted_unit_name(doc, partitive.left_edge.idx, partitive)] +
                                 _infinitive_tail(doc, partitive))
            return Quantity(start=a, end=b, surface=text[a:b], kind="count", value=1.0, unit=noun_lemma(partitive),
                            surface_value=1.0, surface_unit=unit_name, counted=partitive.text, partitive=True,
                            head=tok.i if tok is not None else None)
        if r.unit_name == "fraction":
            # a share names its group: "two-thirds of the combined 4.3M digital and physical sales"
            group = self._noun_after_of(doc, sent.start_char + r.end)
            q = self._record(r, a, b, text, r.kind, r.unit, r.unit_name, None, tok)
            if group is not None:
                first = group.head if group.dep_ == "conj" and group.head.pos_ == "ADJ" and group.head.i < group.i else group
                q.counted = counted_unit_name(doc, min(group.left_edge.idx, first.left_edge.idx), group)
            return q
        # a count quotes its counted noun too: "approximately 350,000 Nvidia Corp. H100 GPUs"
        if counted_tok is not None and counted_tok.idx >= b:
            b = counted_tok.idx + len(counted_tok)
        # the quantity record
        kind, unit, unit_name = r.kind, r.unit, r.unit_name
        counted = None
        if counted_tok is not None:
            counted = text[sent.start_char + (r.counted_start or r.end):counted_tok.idx + len(counted_tok)].strip(" '’\"”")
            gm = lex.re_group_size.match(counted)
            if gm:  # "2,000-strong workforce": the group is "workforce"
                counted = counted[gm.end():]
            if not counted:
                counted = counted_tok.text
            lemma = noun_lemma(counted_tok)
            low_phrase = counted.lower()
            if lemma in lex.listicle_nouns and not text[sent.start_char:a].strip(" '\"‘“"):
                return LISTICLE
            if lemma in lex.chip_nouns or counted_tok.text.lower() in lex.chip_nouns or lemma in lex.accelerator_names or \
                    any(m[2] == "ACCELERATOR" for m in named.starting_in(fb, counted_tok.idx + len(counted_tok))) and \
                    counted_tok.lower_ in lex.chip_nouns | {"unit", "units"}:
                kind, unit = "chip_count", "GPU"
            elif lemma in lex.user_nouns or counted_tok.lower_ in lex.user_nouns:
                kind, unit = "user_count", "user"
            else:
                kind, unit = "count", lemma
                # "3,900 job cuts", "200 job losses": events of the noun before; the count is of jobs
                prev = doc[counted_tok.i - 1] if counted_tok.i > sent.start else None
                if lemma in lex.change_nouns and prev is not None and prev.pos_ == "NOUN" and \
                        prev.head.i == counted_tok.i and prev.idx >= fb:
                    unit = noun_lemma(prev)
                if gm:  # "the 300-strong sales team": 300 members, not 300 teams
                    unit = "member"
            unit_name = counted_unit_name(doc, fb, counted_tok)
            if kind == "chip_count" and not low_phrase:
                counted = counted_tok.text
        elif r.vague and r.kind == "count":
            ct = self._noun_after_of(doc, sent.start_char + (r.counted_start or r.end))
            if ct is not None:
                lemma = noun_lemma(ct)
                kind = "user_count" if lemma in lex.user_nouns else ("chip_count" if lemma in lex.chip_nouns else "count")
                unit = {"user_count": "user", "chip_count": "GPU"}.get(kind, lemma)
                unit_name = lemma
                counted = ct.text
            else:
                return VAGUE_WITHOUT_NOUN  # "thousands" of what? not a usable quantity
        if kind == "count" and unit == "-" and r.word:
            return WORD_WITHOUT_NOUN
        rate = None
        if counted_tok is not None and r.rate is None and counted_tok.idx + len(counted_tok) >= b and \
                kind != "user_count":
            # a rate after the counted noun: "3,000 tests per day", "40 cars a week", "12 goals per game";
            # not of users: "500 million users each month" are monthly users (the claim's metric), no flow
            rt = self.g.rate_after(sent.text, counted_tok.idx + len(counted_tok) - sent.start_char)
            if rt is not None:
                rate, b = rt[0], sent.start_char + rt[2]
        q = self._record(r, a, b, text, kind, unit, unit_name, counted, tok)
        if rate is not None:
            q.rate = rate
        return q

    def _age(self, doc: Doc, sent: Span, r: Raw, a: int, b: int, text: str, tok: Token | None) -> Quantity | None:
        """A person's age stated with a verb: a bare whole number (1-120) that is the complement of
        ``age_clause`` verbs ("be", "turn") whose subject is a person ("he will be 35 by the end of
        the year", "she turns 40 next week", "Smith, who turned 62 in May"): years of age, as
        "a 3-year-old" reads. None otherwise (a noun after the number, another subject)."""
        fig = r.figure
        if tok is None or fig is None or r.unit != "-" or r.kind != "count" or r.value_min is not None or \
                r.vague or fig.scaled or fig.has_decimal or not 1 <= fig.value <= 120:
            return None
        if tok.dep_ not in ("attr", "dobj", "acomp") or tok.head.lemma_.lower() not in self.lex.age_verbs:
            return None
        nxt = doc[tok.i + 1] if tok.i + 1 < sent.end else None
        if nxt is not None and (nxt.pos_ in ("NOUN", "PROPN") and nxt.head.i == tok.i or
                                nxt.lower_ in self.lex.age_not_before):
            return None  # "3 strokes", "3 under par", "4 for 5", "2 up": a score, not an age
        subj = next((c for c in tok.head.children if c.dep_ in ("nsubj", "nsubjpass")), None)
        if subj is None or not (subj.lower_ in self.lex.age_subjects or subj.ent_type_ == "PERSON"):
            return None
        return Quantity(start=a, end=b, surface=text[a:b], kind="other", value=float(fig.value), unit="year",
                        surface_value=float(fig.value), surface_unit="year of age", head=tok.i)

    RE_NOUN_OR = re.compile(rf"\b(?:{_phrases(_QW['noun_or_determiners'])})\s+([A-Za-z]+)\s+or\s+$", re.I)

    def _noun_or_figure(self, doc: Doc, sent: Span, r: Raw, fa: int, fb: int, text: str,
                        tok: Token | None) -> Quantity | None:
        """"a day or two", "another pick or two", "a game or three": a number word after "a NOUN
        or" counts that noun, about that many (approximate; the surface runs from the article).
        A unit noun makes a measure ("a day or two" is 2 days); None when the pattern is absent
        or a noun follows the figure."""
        m = self.RE_NOUN_OR.search(text[max(sent.start_char, fa - 40):fa])
        if not m or not r.figure or r.figure.value < 2 or r.value_min is not None:
            return None
        nxt = _token_at(doc, fb + len(text[fb:]) - len(text[fb:].lstrip())) if text[fb:].strip() else None
        if nxt is not None and nxt.i < sent.end and nxt.pos_ in ("NOUN", "PROPN") and nxt.idx >= fb:
            return None
        a = max(sent.start_char, fa - 40) + m.start()
        noun = _token_at(doc, max(sent.start_char, fa - 40) + m.start(1))
        if noun is None or noun.pos_ != "NOUN":
            return None
        return self._quantity_of_noun(doc, r.figure.value, noun, a, fb, text, tok, approximate=True)

    def _quantity_of_noun(self, doc: Doc, value: float, noun: Token, a: int, b: int, text: str,
                          tok: Token | None, approximate: bool = False) -> Quantity:
        """``value`` of the unit or counted noun ``noun`` written elsewhere in the sentence; the
        surface is ``text[a:b]``. A noun the grammar reads as a unit ("day", "kilogram") makes a
        measure, any other noun a count."""
        measure = [x for x in self.g.parse(f"{value:g} {noun.text}s") + self.g.parse(f"{value:g} {noun.text}")
                   if x.unit != "-" and x.rate is None]
        if measure:
            x = measure[0]
            kind, unit, unit_name, factor, counted = x.kind, x.unit, x.unit_name, x.factor, None
        else:
            kind, unit, unit_name, factor, counted = "count", noun_lemma(noun), counted_unit_name(doc, noun.idx, noun), \
                1.0, noun.text
        return Quantity(start=a, end=b, surface=text[a:b], kind=_claim_kind(kind), value=value * factor, unit=unit,
                        surface_value=value, surface_unit=unit_name, approximate=approximate, counted=counted,
                        change="~" if approximate else "=", head=tok.i if tok is not None else None)

    RE_SUSPENDED = re.compile(r" ?-\s*(?:,\s*|\s+(?:and|or|to|&)\s+)")
    RE_SERIES_END = re.compile(r"(?:[\w.]+ ?-\s*,?\s*(?:(?:and|or|to|&)\s+)?)*[\w.]*\d[\w.]* ?- ?([A-Za-z]+)|"
                               r"(?:[\w.]+ ?-\s*,?\s*(?:(?:and|or|to|&)\s+)?)*[A-Za-z]+-([A-Za-z]+)")

    def _suspended(self, doc: Doc, sent: Span, r: Raw, fa: int, fb: int, text: str,
                   tok: Token | None) -> Quantity | None:
        """A suspended hyphen: "four-, five- and six-cylinder engines", "two- and three-bedroom
        flats", "5- and 10-kilogram bags": the figure takes the unit or noun after the series'
        last hyphen (the figure alone is its surface). None when no such series follows."""
        if not r.figure or r.value_min is not None or not self.RE_SUSPENDED.match(text, fb):
            return None
        m = self.RE_SERIES_END.match(text, self.RE_SUSPENDED.match(text, fb).end())
        if not m or m.end() - fb > 80:
            return None
        word_start = m.start(1) if m.group(1) else m.start(2)
        noun = _token_at(doc, word_start)
        if noun is None or noun.i >= sent.end or not noun.is_alpha:
            return None
        return self._quantity_of_noun(doc, r.figure.value, noun, fa, fb, text, tok)

    @staticmethod
    def _record(r: Raw, a: int, b: int, text: str, kind: str, unit: str, unit_name: str, counted: str | None,
                tok: Token | None) -> Quantity:
        surface = text[a:b]
        value = r.value * r.factor
        vmin = r.value_min * r.factor if r.value_min is not None else None
        vmax = r.value_max * r.factor if r.value_max is not None else None
        change = "~" if r.approximate and not r.vague else {"lower": ">", "upper": "<"}.get(r.bound, "=")
        smin, smax = r.value_min, r.value_max  # in the unit as written (ranges, vague magnitudes)
        return Quantity(
            start=a, end=b, surface=surface, kind=_claim_kind(kind), value=value, unit=unit,
            surface_value=r.value, surface_unit=unit_name or "-", value_min=vmin, value_max=vmax,
            surface_min=smin, surface_max=smax, approximate=r.approximate, bound=r.bound,
            qualifier=r.qualifier, equivalents=list(r.equivalents), rate=r.rate, counted=counted,
            change=change, vague=r.vague, head=tok.i if tok is not None else None)

    def _counted(self, doc: Doc, sent: Span, r: Raw, tok: Token | None, fb: int) -> Token | None:
        """The noun a bare number counts: '350,000 Nvidia Corp. H100 GPUs' -> GPUs."""
        if tok is None:
            return None
        # a model or product name in the plural right after the figure counts: "100,000 H100s",
        # "40 A350s", "12 F-35s" (whatever the tagger makes of it)
        nxt = doc[tok.i + 1] if tok.i + 1 < sent.end else None
        if nxt is not None and tok.whitespace_ and plural_name_singular(nxt.text):
            return nxt
        # the size of a group: "the 2,000-strong workforce" counts the workforce
        adj = tok.head
        if tok.dep_ in ("advmod", "npadvmod", "amod") and adj.i == tok.i + 2 and doc[tok.i + 1].text == "-" and \
                adj.lower_ in self.lex.group_size_adjectives and adj.head.pos_ == "NOUN" and \
                adj.head.i > adj.i and adj.head.sent == sent:
            return adj.head
        t = tok
        # climb from the number through number words ("500 million")
        for _ in range(3):
            if t.dep_ in ("quantmod", "compound", "nummod") and (t.head.like_num or t.head.lower_ in self.lex.scales) \
                    and t.head.i > t.i:
                t = t.head
            else:
                break
        head = t.head
        deps = ("nummod", "amod", "compound", "npadvmod", "dobj", "nsubj")
        if t is not tok and t.lower_ in self.lex.scales:
            deps += ("nmod",)  # "2.5M digital copies": the scale letter hangs on the noun as nmod
        head = _coordinated_noun(head, t)
        if t.dep_ in deps and head.i > t.i and \
                head.pos_ in ("NOUN", "PROPN") and head.i - t.i <= 6 and head.sent == sent:
            # the noun must not be a month or a name: "575 Wilbraham Road", "Boeing 787 Dreamliner"
            if head.lower_ in self.lex.month_names:
                return None
            # nor the noun of another figure joined to this one: "from 4.8 to 4.7 percent", "5 and 7 hours"
            # (but "three USB 2.0 ports", "two of three requirements" count their noun)
            if any(x.like_num and x.idx >= max(fb, sent.start_char + r.end) and x.i > 0 and
                   doc[x.i - 1].lower_ in ("to", "and", "or", "-", "–", "&") for x in doc[tok.i + 1:head.i]):
                return None
            # nor part of a time expression the figure is not in: "to 240 last year"
            if head.ent_type_ in ("DATE", "TIME") and not any(
                    x <= t.idx < y for x, y, _ in doc_index(doc).chars.covering(head.idx)):
                return None
            if head.pos_ == "PROPN" and noun_lemma(head) not in self.lex.chip_nouns and \
                    not (head.text.islower() or head.ent_type_ == "ACCELERATOR" or head.tag_ == "NNPS") and \
                    not (is_title_case(sent) and head.text[-1:] == "s"):
                return None
            return head
        # "100,000 H100s": the next token is an accelerator name used as a plural noun
        nxt = doc[t.i + 1] if t.i + 1 < len(doc) else None
        if nxt is not None and nxt.pos_ in ("NOUN", "PROPN") and nxt.head == t and nxt.sent == sent:
            return nxt
        return None

    def _noun_after_of(self, doc: Doc, char: int) -> Token | None:
        m = re.match(r"['’\"”]?\s*of\s+", doc_index(doc).text[char:char + 12])
        if not m:
            return None
        t = _token_at(doc, char + m.end())
        if t is None:
            return None
        for k in range(t.i, min(t.i + 6, len(doc))):
            tk = doc[k]
            if (tk.pos_ == "NOUN" or (tk.pos_ == "PROPN" and tk.tag_ == "NNPS")) and not re.match(r"[-‑−]?\d", tk.text):
                while tk.dep_ == "compound" and tk.head.i > tk.i and tk.head.i - tk.i < 4:
                    tk = tk.head
                return tk
            if tk.is_punct:
                return None
        # a long group the scan cannot reach: the object of "of" in the parse ("two-thirds of the
        # combined 4.3M digital and physical sales")
        of = doc[t.i - 1] if t.i > 0 and doc[t.i - 1].lower_ == "of" else None
        obj = next((c for c in of.children if c.dep_ == "pobj"), None) if of is not None else None
        if obj is not None:
            obj = _coordinated_noun(obj, of)
            if obj.pos_ == "NOUN" and obj.i - t.i <= 10:
                return obj
        return None

    def _quantulum_units(self, s: str, base: int, leftovers: list[Quantity]) -> None:
        """Give unitless figures the unit quantulum3 finds right after them."""
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                from quantulum3 import parser as qparser
                found = qparser.parse(s)
        except Exception:  # quantulum3 raises on odd input; the figure stays unitless
            return
        for q in leftovers:
            rel = q.start - base
            for f in found:
                a, b = f.span
                name = f.unit.name
                unit_text = s[q.end - base:b].strip(" -").lower()
                if unit_text in STOP_WORDS or len(unit_text) < 2 and not unit_text.isalpha():
                    continue  # "4K at Launch": quantulum3 reads "at" as ampere-turns
                if a <= rel < b and name not in ("dimensionless",) and f.unit.entity.name not in (
                        "unknown", "dimensionless", "currency") and "to the" not in name and \
                        abs(f.value - q.surface_value) < 1e-9 * max(1, abs(q.surface_value)) and b > q.end - base:
                    q.surface_unit = name
                    q.unit = name
                    q.kind = "other"
                    q.end = base + b
                    q.surface = s[rel:b]
                    break


def carry_units(doc: Doc, qs: list[Quantity]) -> None:
    """A unit carried along a list: give a bare figure the unit, currency or counted noun of
    the quantity before it in the same sentence ("435 homes by open sale and 187 by tender";
    "84.75 cents ..., the lowest 74.07"). ``qs``: one sentence's quantities in text order
    (document offsets); changed in place.

    The bare figure takes it when the text between them has no figure, is at most 60
    characters and has a comma, a semicolon or a conjunction, and the figure is not followed
    by a noun of its own; a measure or an amount also needs the same number of decimals (at
    least one) in both figures, or the same preposition before both ("by 2 percent ... by 1").

    Passes repeat while one gives a figure a unit, so a unit written once at the end of a list
    reaches its first figure ("2.5, 2.75 and 3.1 billion euros")."""
    text = doc_index(doc).text
    while True:
        bare = sum(q.surface_unit == "-" for q in qs)
        _carry_pass(doc, text, qs)
        if sum(q.surface_unit == "-" for q in qs) in (bare, 0):
            return


def _carry_pass(doc: Doc, text: str, qs: list[Quantity]) -> None:
    """One left-to-right pass of :func:`carry_units`."""
    for k, q in enumerate(qs):
        if q.surface_unit != "-" or q.vague or q.kind != "count" or q.counted or q.is_range:
            continue
        nxt = _token_at(doc, q.end + len(text[q.end:]) - len(text[q.end:].lstrip()))
        if nxt is not None and nxt.idx >= q.end and nxt.pos_ in ("NOUN", "PROPN", "NUM"):
            continue
        before = _token_at(doc, q.start - 1 - (len(text[:q.start]) - len(text[:q.start].rstrip())))
        if before is not None and before.pos_ in ("NOUN", "PROPN") or re.match(r"[-–]\d", text[q.end:q.end + 2]) or \
                re.search(r"\d[-–]$", text[max(0, q.start - 2):q.start]):
            continue  # "in position 5", "at 5-4": a rank or a score, not one more of the list
        nxt_q = qs[k + 1] if k + 1 < len(qs) else None
        if nxt_q is not None and _carry_to_earlier(text, q, nxt_q):
            continue
        prev = next((p for p in reversed(qs[:k]) if p.surface_unit != "-"), None)
        if prev is None:
            continue
        if _carry_from_previous(text, q, prev) or _carry_from_to(text, q, prev):
            continue
        # a parallel clause with a change in between: "... ended at 1,463.78 points, while the other
        # index lost 1.1% to end at 1,334.20": an earlier measure (not money, not a percentage) with the
        # same preposition before it and the same number of decimals (at least one), within 150 characters
        lead_q = re.search(r"\b(to|at)\s+$", text[max(0, q.start - 6):q.start])
        dec_q = _decimals(q.surface)
        if lead_q and dec_q:
            twin = next((p for p in reversed(qs[:k]) if p is not prev and p.surface_unit != "-" and not p.vague
                         and not p.is_range and not p.partitive and p.kind not in ("money", "percentage", "count")
                         and p.surface_value and q.start - p.end <= 150
                         and re.search(r"\b%s\s+$" % lead_q.group(1), text[max(0, p.start - 6):p.start], re.I)
                         and _decimals(p.surface) == dec_q), None)
            if twin is not None and re.search(r"[,;]|\b(?:and|or|but|while|whereas)\b", text[twin.end:q.start]):
                _take_unit(q, twin)


def _carry_from_previous(text: str, q: Quantity, prev: Quantity) -> bool:
    """Give bare ``q`` the unit of ``prev``, the quantity right before it, when they form a list
    (see :func:`carry_units`); True when it did."""
    if prev.vague or prev.is_range or prev.partitive:
        return False
    gap = text[prev.end:q.start]
    # no other figure in between; a year may stand there ("a -1.4 degree angle in 2018 and 2.1 last year")
    if len(gap) > 60 or re.search(r"\d", re.sub(r"\b(?:1[89]|20)\d\d\b", "", gap)) or \
            not re.search(r"[,;]|\b(?:and|or|but|while|whereas)\b", gap):
        return False
    if prev.counted and prev.kind in ("count", "chip_count", "user_count"):
        _take_measure(q, prev)
        return True
    dec_q = re.search(r"\.(\d+)$", q.surface.strip())
    dec_p = re.search(r"\d\.(\d+)", prev.surface)
    # or both figures follow the same preposition: "rose by 2 percent but fell by 1"
    lead_q = re.search(r"\b(by|to|at|of)\s+$", text[max(0, q.start - 6):q.start])
    lead_p = re.search(r"\b(by|to|at|of)\s+$", text[max(0, prev.start - 6):prev.start])
    parallel = bool(lead_q and lead_p and lead_q.group(1).lower() == lead_p.group(1).lower())
    if (parallel or dec_q and dec_p and len(dec_q.group(1)) == len(dec_p.group(1))) and prev.surface_value:
        _take_measure(q, prev, with_scale=True)
        return True
    return False


RE_FROM_BEFORE = re.compile(rf"\bfrom\s+(?:(?:{_phrases(_QW['movement_hedges'])})\s+)?$", re.I)
RE_TO_GAP = re.compile(r"[^;:()\n]{0,40}?\bto\s+$", re.I)


def _carry_from_to(text: str, q: Quantity, prev: Quantity) -> bool:
    """A movement "from X <unit> to Y" names its unit once: bare ``q`` after "to" takes the unit
    of ``prev`` right after "from" ("dropped from 208 pounds to 193", "cut from 40 hours to 35",
    "grew from 1.2 million tonnes to 1.5 million", "from 14-18 mpg to 24"); True when it did.
    ``prev`` is not a vague magnitude, and at most 40 characters stand between them."""
    if prev.vague or prev.partitive or prev.surface_unit == "-":
        return False
    before = text[max(0, prev.start - 30):prev.start]
    if not RE_FROM_BEFORE.search(before) and not RE_FROM_BEFORE.search(
            text[max(0, prev.start - 30):prev.start + len(prev.surface) - len(prev.surface.lstrip())]):
        return False
    if not RE_TO_GAP.fullmatch(text[prev.end:q.start]):
        return False
    _take_measure(q, prev, with_scale=True)
    return True


RE_OF_TOTAL = re.compile(rf"\s+of\s+(?:{_phrases(_QW['total_determiners'])})\s+$", re.I)


def _carry_to_earlier(text: str, q: Quantity, nxt: Quantity) -> bool:
    """A unit written once, after the second figure: bare ``q`` takes the unit of ``nxt``, the
    quantity right after it, in a movement "from X to Y <unit>" ("slow from 4.8 to 4.7 percent",
    "cut from 40 to 35 hours"), a list "X and Y <unit>" ("5 and 7 hours", "3, 4 or 5 days") or a
    part of a total "X of the Y <unit>" ("raised 280 million of the 1.5 billion shekels", "sold 30
    of its 120 stores"); True when it did. ``nxt`` is a single
    figure with a unit, a currency or a counted noun, not vague."""
    if nxt.vague or nxt.partitive or nxt.surface_unit == "-" or not nxt.surface_value:
        return False
    gap = text[q.end:nxt.start]
    movement = RE_FROM_BEFORE.search(text[max(0, q.start - 30):q.start]) and re.fullmatch(r"\s+to\s+", gap)
    listed = re.fullmatch(r"\s*(?:,|,?\s+(?:and|or))\s+", gap) and not re.search(
        r"\bbetween\s+(?:about\s+)?$", text[max(0, q.start - 14):q.start], re.I)  # "5 and 7 hours"
    if listed and re.match(r"\s*,\s*(?:and|or)\b", gap) and not re.search(r"\d\s*,\s*$", text[max(0, q.start - 20):q.start]):
        listed = False  # ", and" after a lone figure joins clauses ("rose 3, and 12 analysts ..."), unless a list runs on ("3, 4, and 5 days")
    if not (movement or listed or RE_OF_TOTAL.fullmatch(gap)):
        return False
    _take_measure(q, nxt, with_scale=bool(movement or listed))  # a part of a total has its own scale
    return True


def _decimals(surface: str) -> int:
    """Digits after the decimal point of the first figure in ``surface`` (0 when none)."""
    m = re.search(r"\d\.(\d+)", surface)
    return len(m.group(1)) if m else 0


def _take_measure(q: Quantity, src: Quantity, with_scale: bool = False) -> None:
    """Give bare ``q`` what ``src`` counts (a count's counted noun) or its unit, and with
    ``with_scale`` the scale word ``src`` was written with (:func:`written_scale`), when ``q`` has
    none of its own: "from 2.5 million barrels a day to 2.1" -> 2.1 million barrels a day, "$4.5bn
    in 2022 and 5.1 in 2023" -> 5.1 bn USD.

    Without ``with_scale`` a count takes the scale only when it has a fractional part (whole things
    are not counted in fractions): "2.5 million people, and 3 were hurt" -> 3 people, "4.5 million
    units in 2022, and 5.1 in 2023" -> 5.1 million units."""
    # the scale only reaches a short figure of its own ("to 2.1"), never one written out ("to 900,000")
    scale = written_scale(src) if written_scale(q) == 1 and abs(q.surface_value) < 1000 else 1.0
    if src.counted and src.kind in ("count", "chip_count", "user_count"):
        q.kind, q.unit, q.surface_unit, q.counted = src.kind, src.unit, src.surface_unit, src.counted
        fractional = q.surface_value != int(q.surface_value)
        q.surface_value *= scale if with_scale or fractional else 1.0
        q.value = q.surface_value
    else:
        if with_scale:
            q.surface_value *= scale
        _take_unit(q, src)


_WRITTEN_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")


def written_scale(q: Quantity) -> float:
    """The scale word's factor in ``q``'s surface ("4.5 million units" -> 1e6, "$3bn" -> 1e9,
    "12 stores" -> 1): its surface value over the first number written in digits (1 when there is
    none, or the ratio is not a power of ten above 1)."""
    m = _WRITTEN_NUMBER.search(q.surface)
    if not m or not q.surface_value:
        return 1.0
    try:
        written = float(m.group().replace(",", ""))
    except ValueError:
        return 1.0
    if not written:
        return 1.0
    ratio = q.surface_value / written
    exp = round(math.log10(ratio)) if ratio > 0 else 0
    return float(10 ** exp) if exp >= 3 and abs(ratio - 10 ** exp) <= 1e-6 * ratio else 1.0


def _take_unit(q: Quantity, prev: Quantity) -> None:
    """Give ``q`` the kind, unit and rate of ``prev`` (its value converted as ``prev``'s is)."""
    factor = prev.value / prev.surface_value
    q.kind, q.unit, q.surface_unit, q.rate = prev.kind, prev.unit, prev.surface_unit, prev.rate
    q.value = q.surface_value * factor


def _infinitive_tail(doc: Doc, noun: Token) -> list[str]:
    """The content words of an infinitive right after the set a partitive picks from, as
    NewsQuant writes the unit: "one of the largest dinosaurs to ever live" -> ["live"], "one of
    the best sides ever to win the cup" -> ["win", "cup"]; [] when no "to" + verb follows. Verbs
    as lemmas, the rest lower-case; stops at a comma, a conjunction or the sentence's end."""
    k = noun.i + 1
    end = noun.sent.end
    while k < end and doc[k].pos_ == "ADV":
        k += 1
    if not (k + 1 < end and doc[k].lower_ == "to" and doc[k].pos_ == "PART"):
        return []
    words: list[str] = []
    for t in doc[k + 1:end]:
        if t.is_punct or t.pos_ in ("CCONJ", "SCONJ"):
            break
        if t.is_stop or t.like_num or t.pos_ in ("DET", "ADP", "PART", "AUX", "PRON", "ADV"):
            continue
        words.append(t.lemma_.lower() if t.pos_ == "VERB" else t.lower_)
    return words if words and doc[k + 1].pos_ in ("VERB", "AUX", "ADV") else []


def _coordinated_noun(head: Token, t: Token) -> Token:
    """The noun of a coordination the parser hung on its first adjective: in "4.3M digital and
    physical sales" the figure hangs on "digital", whose conjunct is "sales"; else ``head``."""
    if head.pos_ == "ADJ" and head.i > t.i:
        conj = next((c for c in head.children if c.dep_ == "conj" and c.pos_ == "NOUN" and c.i - head.i <= 4), None)
        if conj is not None:
            return conj
    return head


def next_word_is_street(text: str, pos: int, lex: Lexicon) -> bool:
    """True when the words right after ``pos`` in ``text`` (up to four within 40 characters, the first
    capitalised) hold a capitalised street word of ``quantity_words.json`` ("Road", "Avenue", "ZIP"): the
    figure is part of an address."""
    words = re.findall(r"[A-Za-z]+", text[pos:pos + 40])[:4]
    caps = [w for w in words if w[:1].isupper()]
    return bool(caps) and any(w.lower() in lex.street_words for w in words[:4] if w[:1].isupper()) and \
        words[0][:1].isupper()


NAME_LABELS = {"ORG", "PERSON", "GPE", "ACCELERATOR", "AI_MODEL", "PRODUCT", "SYSTEM", "FAC", "LOC"}


def counted_unit_name(doc: Doc, start_char: int, head: Token) -> str:
    """The counted thing as NewsQuant writes units: its modifiers and the singular head,
    lower-cased, without names, numbers or participles ("seven European countries" ->
    "european country", "14 first-team players" -> "first-team player",
    "350,000 Nvidia Corp. H100 GPUs" -> "gpu")."""
    words: list[str] = []
    chunk: list[Token] = []
    # a coordination hung on its first adjective ("digital and physical sales"): from that adjective
    first = head.head if head.dep_ == "conj" and head.head.pos_ == "ADJ" and head.head.i < head.i else head
    toks = [t for t in doc[first.left_edge.i:head.i] if t.idx >= start_char]

    def flush():
        content = [t for t in chunk if not (t.is_punct or t.like_num or t.is_stop or
                                             t.pos_ in ("DET", "NUM", "CCONJ", "ADP", "PRON") or
                                             t.tag_ in ("VBN", "VBG") or t.ent_type_ in NAME_LABELS or
                                             # a scale or unit glued to a figure: the "M" of "3.2M"
                                             t.i > 0 and doc[t.i - 1].like_num and not doc[t.i - 1].whitespace_)]
        if content and all(t.head.i == head.i or t.head.head.i == head.i or t.head in chunk or t.i == first.i
                           for t in content):
            if len(chunk) > 1 and any(t.text in "-‑" for t in chunk):  # "first-team"
                words.append("".join(t.text for t in chunk).lower())
            else:
                t = content[-1]
                words.append(t.lemma_.lower() if t.tag_ in ("JJR", "JJS") else t.lower_)
        chunk.clear()

    for t in toks:
        chunk.append(t)
        if t.whitespace_:
            flush()
    flush()
    words.append(noun_lemma(head))
    return " ".join(words)


def noun_lemma(tok: Token) -> str:
    """Lower-case singular of a counted noun: 'GPUs' -> 'gpu', 'people' -> 'people', 'H100s' -> 'h100'."""
    name = plural_name_singular(tok.text)
    if name:
        return name.lower()
    lemma = tok.lemma_.lower()
    if tok.tag_ in ("NNS", "NNPS") and lemma == tok.lower_ and len(lemma) > 3 and lemma.endswith("s") \
            and not lemma.endswith("ss"):
        lemma = lemma[:-1]
    return lemma


def _claim_kind(kind: str) -> str:
    if kind in ("money", "power", "energy", "chip_count", "user_count", "count", "percentage", "parameter_count"):
        return kind
    return "other"
