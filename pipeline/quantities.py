"""Quantity stage: numbers in news text, normalised.

Two layers:

* :class:`QuantityGrammar` reads a sentence as plain text and finds figures
  with everything news writes around them: currency symbols and codes,
  scale words and suffixes (``$1tn``, ``$8.5bn-worth``, ``$21MM``), ranges
  (``between $3.5bn and $4.5bn``, ``$140-150MM``), bounds and hedges
  (``as much as``, ``over``, ``about``), vague magnitudes (``hundreds of
  millions``), units (MW, GWh, %, miles ...), rates (``a month``, ``per
  unit``) and parenthesised conversions (``$10.5bn (£8.9bn)``: one figure
  with an equivalent).  The vocabulary lives in ``data/units.json``,
  ``data/currencies.json`` and ``data/quantity_words.json``.
* :class:`QuantityExtractor` runs the grammar over the sentences of a spaCy
  doc and uses the parse to drop what is not a quantity (dates, years,
  ordinals, versions and names such as "Llama 3.1", "GPT-5", "3G", "Section
  427"), to find the counted noun of a bare count ("350,000 Nvidia H100
  GPUs"), and falls back to quantulum3 for units the grammar does not know,
  on those candidate sentences only.
"""
from __future__ import annotations

import math
import re
import warnings
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Iterable

from spacy.tokens import Doc, Span, Token

from .annotate import load_json
from .records import Equivalent, Mention, Quantity

NUM = r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
DASH = r"(?:-|–|—|‑)"
FRACTION = re.compile(r"(?<![\d/.,])(?:(\d{1,3})\s)?(\d{1,2})\s?[/⁄]\s?(\d{1,3})(?![\d/])|"
                      r"(?<![\d.,])(?:(\d{1,3})\s?)?([½¼¾⅓⅔⅛⅜⅝⅞])")
VULGAR = {"½": 0.5, "¼": 0.25, "¾": 0.75, "⅓": 1 / 3, "⅔": 2 / 3, "⅛": 0.125, "⅜": 0.375, "⅝": 0.625, "⅞": 0.875}
# numbers split by tokenised text: "$1, 799" (only after a currency), "2. 3 GHz" (only before a unit)
SPACED_NUM = re.compile(r"(?<![\d,.])\d{1,3}(?:, \d{3})+(?![\d,])|(?<![\d.])\d{1,3}\. \d{1,3}(?![\d.,])")
METRE_FOLLOWERS = re.compile(r"\s?(?:tall|long|high|deep|wide|away|thick|above|below|under|is|was|are|were|from|and|or|to|in|of|at|by|high|sprint|race|hurdles|freestyle)\b", re.I)
MONEY_CONTEXT = re.compile(r"(?:[$£€]|\b(?:pay|paid|cost|costs|fine|fined|price|prices|worth|spend|spent|fee|fees|salary|wage|"
                           r"sterling|euros?|dollars?|cash|sum|budget|bill|tax|owe|owed|raise|raised|earn|earned|bonus|"
                           r"compensation|funding|loan|grant|sold|buy|bought|charge|charged|million|billion)\b)", re.I)
WEIGHT_CONTEXT = re.compile(r"\b(?:weigh\w*|heav\w*|lighter|lbs?|kilo\w*|kg|ounces?|body|lost|gained|fish|baby)\b", re.I)
VAGUE_CURRENCY = re.compile(r"['’\"”]?\s+of\s+(?:(?:US|U\.S\.|American|Australian|Canadian)\s+)?"
                            r"(dollars|euros|pounds|yen|yuan|rupees)(?![\w])", re.I)
# "$3.5bn-4.5bn": a hyphen after a scaled figure starts the range's upper end
SCALED_BEFORE = re.compile(r"\d(?:bn|mn|tn|m|k|b|M|B|K|MM)$")
# "2-0", "3-1": a score, unless a unit or scale follows
SCORE = re.compile(r"[-–]\d{1,2}(?![\d.,%])(?=\s*(?:$|[,.;:)!?]|(?:at|in|on|down|up|win|victory|lead|defeat|loss|"
                   r"draw|home|away|against|over|to|and|with|for|after|before|scoreline|result|thrashing|"
                   r"triumph|success|first|second)\b))", re.I)


def _alt(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


@dataclass
class Figure:
    """A number with its scale and currency, before units."""

    start: int
    end: int
    value: float
    currency: str | None = None
    currency_start: int | None = None
    scaled: bool = False
    word: bool = False  # written in words ("two", "a million")
    has_comma: bool = False
    has_decimal: bool = False
    suffix_b: bool = False  # attached "B"/"b" (could be a model size)
    digits: str = ""
    sign_start: int | None = None  # where a minus sign starts


@dataclass
class Raw:
    """A quantity found by the grammar, offsets relative to the sentence."""

    start: int
    end: int
    value: float
    value_min: float | None = None
    value_max: float | None = None
    unit_name: str = "-"  # surface unit
    unit: str = "-"  # normalised
    factor: float = 1.0
    kind: str = "count"
    currency: str | None = None
    approximate: bool = False
    bound: str | None = None
    qualifier: str | None = None
    equivalents: list[Equivalent] = field(default_factory=list)
    rate: str | None = None
    vague: bool = False
    word: bool = False
    bare: bool = True  # no currency, unit or scale: needs the parse to be trusted
    figure: Figure | None = None
    counted_start: int | None = None  # where the text after the figure begins


class Lexicon:
    def __init__(self):
        self.units = load_json("units.json")["units"]
        self.cur = load_json("currencies.json")
        self.words = load_json("quantity_words.json")
        w = self.words
        self.scales: dict[str, float] = w["scales"]
        attached = set(w["attached_only_scales"])
        spaced = [s for s in self.scales if s not in attached]
        self.re_scale_spaced = re.compile(r"(?:\s|-)?(%s)(?![\w])" % _alt(spaced), re.I)
        self.re_scale_attached = re.compile(r"(%s)(?![A-Za-z0-9])" % _alt(attached))
        self.re_hundred = re.compile(r"\s(hundred)(?![\w])", re.I)
        # currency before the figure
        syms = list(self.cur["symbols"]) + list(self.cur["codes"])
        cs = set(self.cur["case_sensitive_symbols"]) | set(self.cur["codes"])
        self.re_cur_before_cs = re.compile(r"(?<![A-Za-z])(%s)\s?$" % _alt([s for s in syms if s in cs]))
        self.re_cur_before = re.compile(r"(?<![A-Za-z])(%s)\s?$" % _alt([s for s in syms if s not in cs]), re.I)
        # currency after the figure: words and codes
        words = list(self.cur["words"])
        self.re_cur_after = re.compile(r"[\s-]?(?:of\s+)?(%s)(?![\w])" % _alt(words), re.I)
        self.re_code_after = re.compile(r"\s?(%s)(?![\w])" % _alt(self.cur["codes"]))
        # units after the figure
        ci, cs_forms = {}, {}
        for u in self.units:
            for f in u["forms"]:
                (cs_forms if u["case_sensitive"] else ci)[f if u["case_sensitive"] else f.lower()] = u
        self.unit_ci, self.unit_cs = ci, cs_forms
        self.re_unit_ci = re.compile(r"(?:[\s-]|\s?-\s?)?(%s)(?![\w])" % _alt(ci), re.I)
        self.re_unit_cs = re.compile(r"(?:[\s-])?(%s)(?![\w])" % _alt(cs_forms))
        self.re_unit_pct = re.compile(r"\s?(%)")
        # qualifiers before the figure
        quals = {q[0]: (q[1], q[2]) for q in w["qualifiers"]}
        self.qualifiers = quals
        intens = w["intensifiers"]
        self.re_qual = re.compile(
            r"(?:^|(?<=[\s(\"'“‘—–-]))(%s)\s+(?:(?:%s)\s+)?$" % (_alt(quals), _alt(intens)), re.I)
        self.re_qual_tight = re.compile(r"(~)\s?$")
        self.re_between = re.compile(r"(?:^|(?<=\s))((?:anywhere\s+)?between)\s+$", re.I)
        self.re_from = re.compile(r"(?:^|(?<=\s))(from)\s+$", re.I)
        # word numbers
        wn = w["word_numbers"]
        self.word_numbers = wn
        tens = [k for k, v in wn.items() if v in (20, 30, 40, 50, 60, 70, 80, 90)]
        ones = [k for k, v in wn.items() if isinstance(v, int) and 1 <= v <= 9 and k not in ("a", "an")]
        self.re_word_num = re.compile(
            r"(?<![\w-])((?:%s)(?:[-\s](?:%s))?|%s)(?![\w])(?!-(?:%s)\b)" % (_alt(tens), _alt(ones), _alt(wn), _alt(ones)),
            re.I)
        self.need_scale = set(w["article_numbers_need_scale"])
        # vague magnitudes
        vb = w["vague_bases"]
        self.vague_bases = vb
        vof = w["vague_of"]
        self.vague_of = vof
        self.re_vague = re.compile(
            r"(?<![\w-])(%s)((?:\s+(?:and\s+(?:many\s+)?|of\s+)(?:%s))*)(?![\w-])" % (_alt(vb), _alt(vof)), re.I)
        mp = w["multi_prefix"]
        self.multi_prefix = mp
        self.re_multi = re.compile(
            r"(?<![\w$£€-])(?<!\d\s)(%s)[\s-](dollar|pound|euro|yen|yuan|rupee)s?(?![\w])" % _alt(mp), re.I)
        # rates
        self.rate_words = w["rate_words"]
        self.rate_adverbs = w["rate_adverbs"]
        self.physical_rates = set(w["physical_rate_units"])
        self.re_rate = re.compile(
            r"(?:\s|-)?(?:per|a|an|each|every|/)[\s-]?(%s)s?(?![\w])(?!\s+(?:earlier|ago|before|later|after)\b)"
            % _alt(self.rate_words), re.I)
        self.re_rate_adv = re.compile(r"\s(%s)(?![\w])(?!\s+(?:earlier|ago|before|later|after)\b)"
                                      % _alt(self.rate_adverbs), re.I)
        self.month_names = set(w["month_names"])
        self.id_prefixes = set(w["identifier_prefixes"])
        self.chip_nouns = set(w["chip_nouns"])
        self.user_nouns = set(w["user_nouns"])
        self.monthly = set(w["monthly_markers"])
        self.daily = set(w["daily_markers"])
        self.param_context = set(w["parameter_context"])
        self.street_words = set(w["street_words"])
        self.re_idiom = re.compile(r"\b(?:%s)\b" % "|".join(w["idioms"]), re.I)

    def currency_name(self, code: str) -> str:
        return self.cur["names"].get(code, code.lower())

    def currency_unit(self, code: str) -> tuple[str, float]:
        """Normalised currency code and factor (cents -> dollars)."""
        if code in self.cur["subunits"]:
            base, f = self.cur["subunits"][code]
            return base, f
        return self.cur["code_alias"].get(code, code), 1.0

    def symbol_code(self, sym: str) -> str:
        s = self.cur["symbols"]
        if sym in s:
            return s[sym]
        for k, v in s.items():
            if k.lower() == sym.lower():
                return v
        return self.cur["code_alias"].get(sym.upper(), sym.upper())


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    return Lexicon()


def parse_number(text: str) -> float:
    return float(text.replace(",", ""))


class QuantityGrammar:
    """Finds figures in a sentence (plain text, no parse needed)."""

    def __init__(self, lex: Lexicon | None = None):
        self.lex = lex or lexicon()
        self.re_num = re.compile(NUM)

    # -- figures -------------------------------------------------------
    def figure_at(self, s: str, m_start: int, m_end: int, value: float, word: bool) -> Figure | None:
        lex = self.lex
        fig = Figure(m_start, m_end, value, word=word, digits=s[m_start:m_end])
        fig.has_comma = "," in fig.digits
        fig.has_decimal = "." in fig.digits
        # currency before
        before = s[max(0, m_start - 6):m_start]
        if before.endswith(("-", "−")) and len(before) > 1 and not before[-2].isdigit():
            before = before[:-1]
        cm = lex.re_cur_before_cs.search(before) or lex.re_cur_before.search(before)
        if cm and not word:
            fig.currency = lex.symbol_code(cm.group(1))
            fig.currency_start = max(0, m_start - 6) + cm.start(1)
        pos = m_end
        # scales: attached single letters, or words (chainable: "three hundred million")
        am = lex.re_scale_attached.match(s, pos)
        if am and not word:
            tok = am.group(1)
            if tok in ("b", "B") and fig.currency is None:
                fig.suffix_b = True
            if tok == "m" and fig.currency is None:
                # "100m" is metres unless a currency or a counted noun follows
                nxt = s[am.end():am.end() + 20]
                if not re.match(r"\s?(?:[a-z]+)", nxt) or lex.re_unit_ci.match(nxt) and not lex.re_cur_after.match(nxt) \
                        or METRE_FOLLOWERS.match(nxt):
                    am = None  # "1.8m tall", "1m is equal to": metres
            if am and fig.currency is None and (re.match(r"\s?[A-Z]{2,}\b", s[am.end():am.end() + 6]) or
                                                re.search(r"(?<![.!?]\s)\b[A-Z][A-Za-z]*\s$", s[max(0, m_start - 20):m_start])):
                return None  # a model name: "9600M GT", "GeForce GT 650M", "5K UHD"
            if am:
                fig.value *= lex.scales[tok]
                fig.scaled = True
                pos = am.end()
        if not fig.scaled:
            while True:
                hm = lex.re_hundred.match(s, pos) if word else None
                sm = hm or lex.re_scale_spaced.match(s, pos)
                if not sm:
                    break
                tok = sm.group(1).lower()
                fig.value *= 100 if tok == "hundred" else lex.scales.get(tok, lex.scales.get(sm.group(1), 1))
                fig.scaled = True
                pos = sm.end()
        fig.end = pos
        if word and s[m_start:m_end].lower() in lex.need_scale and not fig.scaled:
            # "a million", "a dozen", "half a percentage point" stand; a bare "a" does not
            if s[m_start:m_end].lower() not in ("a dozen", "hundred", "a hundred") and not (
                    s[m_start:m_end].lower() == "half a" and (lex.re_unit_ci.match(s, pos) or lex.re_unit_cs.match(s, pos))):
                return None
        return fig

    def figures(self, s: str) -> list[Figure]:
        lex = self.lex
        out: list[Figure] = []
        spaced: list[tuple[int, int]] = []
        # fractions before a unit: "10 1/2 miles", "a 1/4 mile oval", "½ teaspoon"
        for m in FRACTION.finditer(s):
            b = m.end()
            if not (lex.re_unit_ci.match(s, b) or lex.re_unit_cs.match(s, b)):
                continue
            if m.group(5):
                value = float(m.group(4) or 0) + VULGAR[m.group(5)]
            else:
                den = float(m.group(3))
                if den == 0:
                    continue
                value = float(m.group(1) or 0) + float(m.group(2)) / den
            fig = self.figure_at(s, m.start(), b, value, False)
            if fig:
                out.append(fig)
                spaced.append((m.start(), b))
        for m in SPACED_NUM.finditer(s):
            if any(x <= m.start() < y for x, y in spaced):
                continue
            a, b = m.span()
            txt = m.group(0)
            if ", " in txt:
                ok = bool(lex.re_cur_before_cs.search(s[max(0, a - 6):a]) or lex.re_cur_before.search(s[max(0, a - 6):a]))
            else:
                ok = bool(lex.re_unit_ci.match(s, b) or lex.re_unit_cs.match(s, b) or lex.re_unit_pct.match(s, b)
                          or lex.re_scale_spaced.match(s, b) or lex.re_cur_after.match(s, b))
            if ok and not (a > 0 and (s[a - 1].isalnum() or s[a - 1] in ".,")):
                fig = self.figure_at(s, a, b, float(txt.replace(", ", "").replace(". ", ".")), False)
                if fig:
                    out.append(fig)
                    spaced.append((a, b))
        for m in self.re_num.finditer(s):
            a, b = m.span()
            if any(x <= a < y for x, y in spaced):
                continue
            prev = s[a - 1] if a > 0 else " "
            glued_currency = prev.isalpha() and (lex.re_cur_before_cs.search(s[max(0, a - 6):a]) or
                                                 lex.re_cur_before.search(s[max(0, a - 6):a]))
            if glued_currency and len(glued_currency.group(1)) == 1 and a > 1 and \
                    (s[a - 2].isalnum() or s[a - 2] in "-‑"):
                glued_currency = None  # "PLX-R18" is a name, not 18 rand
            if re.search(r"\bminus-$", s[max(0, a - 6):a], re.I):
                prev = " "  # "minus-5 yards"
            if re.match(r"\s?[/⁄]\s?\d", s[b:b + 3]) or prev == "⁄" or re.search(r"[×x]\s?10[−-]?$", s[max(0, a - 5):a]):
                continue  # fractions ("1/16") and exponents ("1.99×10−30")
            if (prev.isalpha() and not glued_currency) or prev in "#_@/:" or \
                    (prev in "-‑" and a > 1 and s[a - 2].isalpha() and s[max(0, a - 3):a - 1].lower() != "to"
                     and not SCALED_BEFORE.search(s[max(0, a - 12):a - 1])):
                continue  # H100, GPT-5, #1, 3/4, 10:30, COVID-19 (but PS2.7m, RM23.50, USD10m)
            if re.match(r"\s?(?:[x×]|-?by-?)\s?\d", s[b:b + 5]) or re.search(r"\d\s?(?:[x×]|-?by-?)\s?$", s[max(0, a - 5):a]):
                continue  # a dimension: "1920 x 1200", "480-by-360"
            if re.fullmatch(r"\d{1,2}", m.group(0)) and SCORE.match(s, b) and not re.search(r"[$£€]\s?$", s[:a]):
                # a score or a fixture ("2-0 down", "won 3-1"): not a range
                continue
            if prev in "-−" and a > 1 and s[a - 2].isdigit() and re.fullmatch(r"\d{1,2}", m.group(0)) and \
                    re.search(r"(?<![\d.,])\d{1,2}[-−]$", s[:a]) and SCORE.match(s, a - 1):
                continue  # the second half of a score
            if prev == "." and a > 1 and s[a - 2].isdigit():
                continue  # second half of 3.1.2
            nxt = s[b:b + 1]
            if nxt == ":" and s[b + 1:b + 2].isdigit():
                continue  # a time, 10:30
            fig = self.figure_at(s, a, b, parse_number(m.group(0)), False)
            if fig:
                # a sign: "minus 130", "minus-1.4", "$-50.8bn", " -5 yards"
                sm = re.search(r"(?:\bminus[\s-]|(?:(?<=[\s$(£€])|^)[-−])$", s[:a], re.I)
                if sm and not (prev in "-−" and a > 1 and s[a - 2].isdigit()):
                    fig.value = -fig.value
                    fig.sign_start = sm.start()
                out.append(fig)
        for m in lex.re_word_num.finditer(s):
            tok = m.group(1).lower()
            if tok in lex.word_numbers:
                v = lex.word_numbers[tok]
            else:  # twenty-five, ninety five
                t, o = re.split(r"[-\s]", tok)
                v = lex.word_numbers[t] + lex.word_numbers[o]
            if any(f.start <= m.start() < f.end for f in out):
                continue
            if re.search(r"\b(?:several|a few|few|many|some)\s+$", s[max(0, m.start() - 10):m.start()], re.I):
                continue  # "several hundred": a vague amount without a stated figure
            w0 = max(0, m.start() - 4)
            if any(w0 + im.start() <= m.start() < w0 + im.end() for im in lex.re_idiom.finditer(s[w0:m.end() + 14])) \
                    or re.match(r"-time\b", s[m.end():m.end() + 6]):
                continue  # "at one point", "no one", "a two-time winner"
            fig = self.figure_at(s, m.start(1), m.end(1), float(v), True)
            if fig:
                out.append(fig)
        out.sort(key=lambda f: f.start)
        return out

    # -- units after a figure ------------------------------------------
    def unit_after(self, s: str, pos: int, fig: Figure) -> tuple[str, str, float, str, int, str | None] | None:
        """(surface unit name, normalised unit, factor, kind, end, currency code)"""
        lex = self.lex
        if fig.currency is None:
            cm = lex.re_cur_after.match(s, pos)
            longer_unit = cm and any(rx.match(s, pos) and rx.match(s, pos).end() > cm.end()
                                     for rx in (lex.re_unit_ci, lex.re_unit_cs))
            if cm and not longer_unit and not (cm.group(1).lower() in ("p", "won", "sen", "pound", "pounds", "rand") and not fig.scaled and
                           cm.group(1).lower() not in ("pounds", "pound")):
                w = cm.group(1).lower()
                # "pounds" after a number: weight, unless money is in the air ("a fine of 500 pounds",
                # "5 million pounds") or the text says weight ("weighs 6.6 pounds", "5 pounds of")
                if w in ("pound", "pounds") and (re.match(r"\s+of\b", s[cm.end():cm.end() + 4]) or
                                                 WEIGHT_CONTEXT.search(s[max(0, pos - 60):pos + 30]) or
                                                 not fig.scaled and not MONEY_CONTEXT.search(s[max(0, pos - 80):pos + 40])):
                    return "pound-mass", "kg", 0.45359237, "mass", cm.end(), None  # "weighs 6.6 pounds"
                elif not (w == "p" and s[pos:pos + 1] == " "):  # "68 p" is ambiguous: not pence
                    code = lex.cur["words"][w]
                    return "", "", 1.0, "money", cm.end(), code
            km = lex.re_code_after.match(s, pos)
            if km:
                return "", "", 1.0, "money", km.end(), lex.symbol_code(km.group(1))
        pm = lex.re_unit_pct.match(s, pos)
        if pm:
            return "percentage", "percent", 1.0, "percentage", pm.end(), None
        matches = []
        for rx, table, ci in ((lex.re_unit_ci, lex.unit_ci, True), (lex.re_unit_cs, lex.unit_cs, False)):
            um = rx.match(s, pos)
            if um:
                matches.append((um.end(), um, table, ci))
        # the longest form wins across both tables ("degrees Celsius" over "degrees")
        for _, um, table, ci in sorted(matches, key=lambda x: -x[0]):
            if um:
                form = um.group(1)
                u = table.get(form.lower() if ci else form) or table.get(form.casefold())
                if u is None:
                    continue
                if u["kind"] == "duration" and fig.currency:
                    continue
                # "25-year-old" -> age
                om = re.match(r"\s?-\s?old\b|\sold\b|\s+of\s+age\b", s[um.end():um.end() + 9])
                if u["name"] in ("year", "month", "week", "day") and om:
                    return f"{u['name']} of age", u["name"], 1.0, "other", um.end() + om.end(), None
                return u["name"], u["unit"], u["factor"], u["kind"], um.end(), None
        return None

    def rate_after(self, s: str, pos: int) -> tuple[str, str, int] | None:
        lex = self.lex
        m = lex.re_rate.match(s, pos)
        if m:
            w = m.group(1).lower()
            if w in lex.rate_words:
                return lex.rate_words[w], m.group(0), m.end()
        m = lex.re_rate_adv.match(s, pos)
        if m:
            return lex.rate_adverbs[m.group(1).lower()], m.group(0), m.end()
        return None

    # -- whole expressions ---------------------------------------------
    def parse(self, s: str) -> list[Raw]:
        lex = self.lex
        out: list[Raw] = []
        taken: list[tuple[int, int]] = []

        def free(a: int, b: int) -> bool:
            return all(b <= x or a >= y for x, y in taken)

        # vague magnitudes: "hundreds of millions (of dollars)"
        for m in lex.re_vague.finditer(s):
            base = m.group(1).lower()
            lo, hi = lex.vague_bases[base]
            tail = m.group(2) or ""
            mult = 1.0
            if not re.search(r"\band\b", tail, re.I):  # "billions and many billions": one magnitude
                for w in re.findall(r"\bof\s+(\w+)", tail, re.I):
                    mult *= lex.vague_of.get(w.lower(), 1.0)
            r = Raw(m.start(), m.end(), lo * mult, lo * mult, hi * mult, vague=True, approximate=True,
                    qualifier=m.group(0), bare=True)
            end = m.end()
            fig = Figure(m.start(), m.end(), lo * mult)
            cm = VAGUE_CURRENCY.match(s, end)
            if cm:
                code = lex.cur["words"][cm.group(1).lower()]
                r.kind, r.currency, r.unit, r.unit_name = "money", code, code, lex.currency_name(code)
                r.bare = False
                end = cm.end()
                rt = self.rate_after(s, end)
                if rt:
                    r.rate, end = rt[0], rt[2]
            # the surface runs to the currency ("hundreds of millions of dollars"), but a figure
            # in quotes keeps its quotes and the words after them out ("'hundreds of millions' of")
            quoted = s[m.end():m.end() + 1] in "'’\"”"
            in_surface = r.kind == "money" and not quoted
            r.end = end if in_surface else m.end()
            r.counted_start = end if r.kind == "money" and quoted else m.end()
            r.figure = fig
            out.append(r)
            taken.append((m.start(), max(end, r.end)))
        for m in lex.re_multi.finditer(s):
            if not free(m.start(), m.end()):
                continue
            pre = m.group(1).lower()
            lo, hi = lex.multi_prefix[pre]
            code = lex.cur["words"].get(m.group(2).lower() + "s", lex.cur["words"].get(m.group(2).lower(), "USD"))
            # "multibillion-dollar" is a vague range; "billion-dollar" means at least a billion
            r = Raw(m.start(), m.end(), lo, lo if hi else None, hi, kind="money", currency=code, unit=code,
                    unit_name=lex.currency_name(code), vague=hi is not None, approximate=hi is not None,
                    bound=None if hi else "lower", qualifier=m.group(1), bare=False)
            r.figure = Figure(m.start(), m.end(), lo)
            out.append(r)
            taken.append((m.start(), m.end()))

        figs = self.figures(s)
        i = 0
        while i < len(figs):
            fig = figs[i]
            i += 1
            start0 = fig.currency_start if fig.currency_start is not None else fig.start
            if fig.sign_start is not None:
                start0 = min(start0, fig.sign_start)
            if not free(start0, fig.end):
                continue
            r = Raw(start0, fig.end, fig.value, figure=fig, word=fig.word, currency=fig.currency)
            pos = fig.end
            # range: "$3.5bn to $4.5bn", "140-150MM", "between 3.5 and 4.5 billion"
            before = s[:start0]
            is_between = lex.re_between.search(before)
            j = i
            if j < len(figs):
                nxt = figs[j]
                gap = s[pos:(nxt.currency_start if nxt.currency_start is not None else nxt.start)]
                u1 = self.unit_after(s, pos, fig)
                # a unit between the two figures ("5 miles to 7 miles") is allowed when both share it
                gap_unit_end = pos
                if u1 and u1[3] != "money":
                    gap_unit_end = u1[4]
                    gap = s[gap_unit_end:(nxt.currency_start if nxt.currency_start is not None else nxt.start)]
                sep = re.fullmatch(r"\s*(?:%s|to|and|or|to-)\s*" % DASH, gap)
                # "rose by $43.6bn to $419.2bn" is a change and a level, not a range
                by_change = re.search(r"\bby\s+(?:\S+\s+)?$", before) and (fig.currency or u1 or fig.scaled)
                if sep and ("and" not in gap or is_between) and not by_change and \
                        (nxt.currency == fig.currency or fig.currency is None or nxt.currency is None):
                    lo_v, hi_v = fig.value, nxt.value
                    if not fig.scaled and nxt.scaled and not nxt.word and not fig.word:
                        # "140-150MM", "between 3.5 and 4.5 billion": the scale applies to both
                        # ("$200 to $4 million" keeps its own: 200 is not below 4)
                        raw_hi = parse_number(nxt.digits)
                        if fig.value < raw_hi:
                            lo_v = fig.value * (nxt.value / raw_hi)
                    u2 = self.unit_after(s, nxt.end, nxt)
                    units_agree = (u1 is None or u2 is None or u1[:2] == u2[:2])
                    if u1 is not None and u1[3] != "money" and nxt.currency:
                        units_agree = False  # "up 9.4 per cent to $84"
                    if fig.currency and u2 is not None and u2[3] != "money":
                        units_agree = False
                    if lo_v < hi_v and units_agree and not (u1 and not u2 and u1[3] != "money"
                                                           and s[nxt.end:nxt.end + 1].isalpha()):
                        r.value_min, r.value_max = lo_v, hi_v
                        r.value = lo_v
                        r.currency = fig.currency or nxt.currency
                        pos = nxt.end
                        i = j + 1
                        if is_between:
                            r.start = is_between.start(1)
                            r.qualifier = is_between.group(1)
            # unit / currency word after
            u = self.unit_after(s, pos, fig)
            if u:
                name, unit, factor, kind, uend, code = u
                if kind == "money":
                    r.currency = r.currency or code
                else:
                    r.unit_name, r.unit, r.factor, r.kind = name, unit, factor, kind
                pos = uend
            if r.currency:
                code, factor = lex.currency_unit(r.currency)
                r.kind, r.unit, r.factor = "money", code, factor
                r.unit_name = lex.currency_name(r.currency)
            if fig.suffix_b and r.kind != "money" and r.unit == "-":
                # "405B", "8B" without a currency: a model size where models are the topic
                ctx = s.lower()
                if any(re.search(r"\b%s\b" % re.escape(w), ctx) for w in lex.param_context):
                    r.kind, r.unit, r.unit_name = "parameter_count", "parameters", "parameter"
            if r.unit == "parameters" and r.kind != "parameter_count":
                r.kind = "parameter_count"
            r.bare = not (r.currency or r.unit != "-" or fig.scaled)
            # "-worth", "-dollar" glued on
            wm = re.match(r"-(?:worth|dollar|pound|euro)\b", s[pos:pos + 8])
            surface_end = pos
            if wm:
                pos += wm.end()
            # rate
            rt = self.rate_after(s, pos)
            # rates belong to amounts ("$20 a month"); "500 million monthly users" is a count
            if rt and (r.kind == "money" or r.unit not in ("-",) and r.kind not in ("count", "percentage")) and \
                    not (r.kind == "other" and r.unit in ("year", "month", "week", "day") and rt[0] in ("year", "month", "week", "day")):
                r.rate = rt[0]
                if r.kind == "money" and rt[0] in lex.physical_rates:
                    r.unit_name = f"{r.unit_name} per {rt[0]}"
                pos = rt[2]
                surface_end = pos
            r.counted_start = pos
            # equivalents: "$10.5bn (£8.9bn)", "2m euros (£1.7m; $2.6m)", "40,000 km (25,000 miles)"
            if r.kind == "money" or r.unit != "-":
                em = re.match(r"\s*\(([^()]{1,80})\)", s[pos:])
                if em:
                    inner = em.group(1)
                    subs = self._equivalent_list(inner, r)
                    if subs:
                        r.equivalents = subs
                        for k in range(i, len(figs)):
                            if figs[k].start < pos + em.end():
                                i = k + 1
                        pos += em.end()
                        r.counted_start = pos
                        rt = self.rate_after(s, pos)  # "9 billion shekels ($2.4 billion) a year"
                        if rt and not r.rate:
                            r.rate = rt[0]
            # qualifier before
            qstart = r.start
            qm = lex.re_qual.search(s[:qstart]) or lex.re_qual_tight.search(s[:qstart])
            if qm and r.qualifier is None:
                q = qm.group(1)
                bound, approx = lex.qualifiers.get(q.lower(), (None, True))
                # "over the next 12 months" is not a bound on 12
                if not (q.lower() in ("over", "under", "above", "below") and r.kind == "other" and r.unit in
                        ("year", "month", "week", "day", "hour", "minute", "second")):
                    r.qualifier = q
                    r.bound, r.approximate = bound, approx
                    r.start = qm.start(1)
            r.end = surface_end
            if r.start < r.end:
                out.append(r)
                taken.append((r.start, max(r.end, pos)))
        out.sort(key=lambda q: q.start)
        return out

    def _equivalent_list(self, inner: str, main: Raw) -> list[Equivalent]:
        """Parse '£8.9bn' / '£1.7m; $2.6m' / 'about €9bn' (money) or '25,000 miles' (the same
        dimension as ``main``) into equivalents, or [] if the parentheses hold anything else."""
        parts = [p.strip() for p in re.split(r"[;/]|,(?!\d{3})|\bor\b", inner) if p.strip()]
        eq: list[Equivalent] = []
        for p in parts:
            if main.kind == "money":
                raws = [r for r in self.parse(p) if r.kind == "money" and not r.vague]
            else:
                raws = [r for r in self.parse(p) if r.unit == main.unit and r.kind == main.kind and not r.vague]
            if len(raws) != 1:
                return []
            r = raws[0]
            rest = (p[:r.start] + p[r.end:]).strip(" .")
            if rest and not re.fullmatch(r"(?:about|around|approx\.?|c\.|roughly|some|or|equivalent to)?", rest, re.I):
                return []
            if r.kind == "money":
                code, f = self.lex.currency_unit(r.currency or "USD")
                eq.append(Equivalent(value=r.value * f, unit=code, surface=p))
            else:
                eq.append(Equivalent(value=r.value * r.factor, unit=r.unit, surface=p))
        return eq


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
            list(lex.multi_prefix) + [w for w in lex.scales if len(w) > 2]
        self.re_number_words = re.compile(r"(?i)\b(?:%s)" % _alt(words))

    def __call__(self, doc: Doc, mentions: list[Mention] = (), offset: int = 0,
                 boilerplate: list[tuple[int, int]] = (), keep_bare: bool = True) -> list[Quantity]:
        out: list[Quantity] = []
        text = doc.text
        named = [(m.start - offset, m.end - offset, m.label) for m in mentions
                 if m.label in ("ACCELERATOR", "AI_MODEL", "SYSTEM", "PRODUCT")]
        dates = [(e.start_char, e.end_char, e.text) for e in doc.ents if e.label_ in ("DATE", "TIME")]
        ordinals = [(e.start_char, e.end_char) for e in doc.ents if e.label_ == "ORDINAL"]
        for sent in doc.sents:
            s = sent.text
            if not self.re_digit_like.search(s) and not self.re_number_words.search(s):
                continue  # no figure in digits or words: nothing for the grammar
            base = sent.start_char
            raws = self.g.parse(s)
            leftovers = []
            for r in raws:
                a, b = base + r.start, base + r.end
                if any(x <= a + offset < y for x, y in boilerplate):
                    continue
                q = self._to_quantity(doc, sent, r, a, b, named, dates, ordinals, text)
                if q is None:
                    continue
                if q.surface_unit == "-" and not keep_bare:
                    continue
                if q.surface_unit == "-" and self.use_quantulum:
                    leftovers.append(q)
                out.append(q)
            if leftovers:
                self._quantulum_units(s, base, leftovers)
        for q in out:
            q.start += offset
            q.end += offset
        return out

    # ------------------------------------------------------------------
    def _to_quantity(self, doc, sent: Span, r: Raw, a: int, b: int, named, dates, ordinals, text) -> Quantity | None:
        lex = self.lex
        fig = r.figure
        fa = sent.start_char + fig.start if fig else a
        fb = sent.start_char + fig.end if fig else b
        in_named = any(x <= fa < y for x, y, _ in named)
        if in_named and r.kind != "parameter_count":
            return None
        tok = _token_at(doc, fa)
        if fa - sent.start_char <= 1 and re.search(r"(?<![\d.,])\d{1,3}\.\s?$", text[max(0, fa - 6):fa]):
            return None  # the decimals of "1. 8GHz", split across a sentence boundary by tokenised text
        if r.bare and not r.vague:
            if any(x <= fa < y for x, y in ordinals):
                return None
            digits = fig.digits if fig else ""
            # years and decades
            if self.re_year.fullmatch(digits) and r.value_min is None:
                return None
            if re.match(r"'?s\b", text[fb:fb + 3]) or text[fb:fb + 1] == "s" and digits.endswith("0"):
                return None  # the 90s, 1990s
            # dates: "March 29", "29 March", inside a DATE entity
            prev_word = re.search(r"([A-Za-z][A-Za-z.&]*)\.?\s*$", text[max(0, fa - 25):fa])
            next_word = re.match(r"\s*([A-Za-z]+)", text[fb:fb + 15])
            if prev_word and prev_word.group(1).lower().rstrip(".") in lex.month_names:
                return None
            if next_word and next_word.group(1).lower() in lex.month_names:
                return None
            if any(x <= fa < y for x, y, _ in dates) and r.unit == "-":
                return None
            # identifiers: "Section 427", "Llama 3.1", "Windows 11", "No. 1"
            if prev_word and fig and not fig.has_comma:
                pw = prev_word.group(1)
                gap = text[fa - 1:fa] if fa > 0 else ""
                if gap in (" ", "\u00a0") or gap == "":
                    if pw.lower().rstrip(".") in lex.id_prefixes or pw.lower() in lex.id_prefixes:
                        return None
                    if len(pw) >= 2 and pw.isupper() and pw not in lex.cur["codes"]:
                        return None  # "SEA-ME-WE 4", "SMW 4", "COVID 19": part of a name
                    if pw[0].isupper() and tok is not None and tok.i > sent.start and (
                            doc[tok.i - 1].pos_ == "PROPN" and not doc[tok.i - 1].is_sent_start or (
                                tok.i + 1 < len(doc) and doc[tok.i + 1].text[:1].isupper() and
                                doc[tok.i + 1].is_alpha)):
                        return None  # "Llama 3.1"; "Core 2 Duo", "Claude 3 Haiku" even at a sentence start
            if tok is not None and tok.i + 1 < len(doc) and doc[tok.i + 1].pos_ == "PROPN" and \
                    doc[tok.i + 1].text[:1].isupper() and doc[tok.i + 1].tag_ != "NNPS" and \
                    doc[tok.i + 1].ent_type_ not in ("ACCELERATOR",) and not doc[tok.i + 1].is_sent_start:
                return None  # a number naming something: "787 Dreamliner", "Route 66 Diner"
            # letters glued after the number: 3G, 4K, 5th, 10am
            if re.match(r"[A-Za-z]", text[fb:fb + 1]):
                return None
            if re.match(r"\s?(?:a\.m\.|p\.m\.|am\b|pm\b|GMT|BST|ET|EST|PT|UTC)", text[fb:fb + 6]):
                return None
            if fig and not fig.has_comma and len(fig.digits.replace(".", "")) >= 10 and not fig.has_decimal:
                return None  # phone numbers, ids
        if r.kind == "other" and r.unit in ("year", "month", "week", "day") and fig is not None and \
                self.re_year.fullmatch(fig.digits):
            return None  # "2019 years" is a misread date
        # word numbers need a unit, a currency or a noun they count
        counted_tok = None
        partitive = None
        if r.unit == "-" and r.kind in ("count",):
            if next_word_is_street(text, fb, lex):
                return None  # an address: "575 Wilbraham Road", "the 90049 ZIP Code"
            counted_tok = self._counted(doc, sent, r, tok, fb)
            if r.word and counted_tok is None and not fig.scaled and not (
                    fig.value == 1 and re.match(r"\s+of\s", text[fb:fb + 5])):
                return None
            if r.word and fig and fig.value == 1 and not fig.scaled:
                # "one of the best speakers": one member of a set (NewsQuant counts it; no claim)
                pm = re.match(r"\s+of\s+(?:the|its|his|her|their|our|these|those)\s+", text[fb:fb + 20])
                if pm:
                    partitive = self._noun_after_of(doc, fb)
                # "one notable feature": only trust "one" with a counted noun right after
                elif counted_tok is None or counted_tok.i != (tok.i + 1 if tok is not None else -1):
                    return None
                if pm and partitive is None:
                    return None
        if r.unit == "-" and r.kind == "count" and r.word and fig and fig.value == 1 and partitive is not None:
            unit_name = counted_unit_name(doc, partitive.left_edge.idx, partitive)
            return Quantity(start=a, end=b, surface=text[a:b], kind="count", value=1.0, unit=noun_lemma(partitive),
                            surface_value=1.0, surface_unit=unit_name, counted=partitive.text, partitive=True,
                            head=tok.i if tok is not None else None)
        # a count quotes its counted noun too: "approximately 350,000 Nvidia Corp. H100 GPUs"
        if counted_tok is not None and counted_tok.idx >= b:
            b = counted_tok.idx + len(counted_tok)
        # the quantity record
        surface = text[a:b]
        value = r.value * r.factor
        vmin = r.value_min * r.factor if r.value_min is not None else None
        vmax = r.value_max * r.factor if r.value_max is not None else None
        kind, unit, unit_name = r.kind, r.unit, r.unit_name
        counted = None
        if counted_tok is not None:
            counted = text[sent.start_char + (r.counted_start or r.end):counted_tok.idx + len(counted_tok)].strip(" '’\"”")
            if not counted:
                counted = counted_tok.text
            lemma = noun_lemma(counted_tok)
            low_phrase = counted.lower()
            if lemma in lex.chip_nouns or counted_tok.text.lower() in lex.chip_nouns or \
                    any(m[2] == "ACCELERATOR" and fb <= m[0] < counted_tok.idx + len(counted_tok) for m in named) and \
                    counted_tok.lower_ in lex.chip_nouns | {"unit", "units"}:
                kind, unit = "chip_count", "GPU"
            elif lemma in lex.user_nouns or counted_tok.lower_ in lex.user_nouns:
                kind, unit = "user_count", "user"
            else:
                kind, unit = "count", lemma
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
                return None  # "thousands" of what? not a usable quantity
        if kind == "count" and unit == "-" and r.word:
            return None
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
        t = tok
        # climb from the number through number words ("500 million")
        for _ in range(3):
            if t.dep_ in ("quantmod", "compound", "nummod") and (t.head.like_num or t.head.lower_ in self.lex.scales) \
                    and t.head.i > t.i:
                t = t.head
            else:
                break
        head = t.head
        if t.dep_ in ("nummod", "amod", "compound", "npadvmod", "dobj", "nsubj") and head.i > t.i and \
                head.pos_ in ("NOUN", "PROPN") and head.i - t.i <= 6 and head.sent == sent:
            # the noun must not be a month or a name: "575 Wilbraham Road", "Boeing 787 Dreamliner"
            if head.lower_ in self.lex.month_names:
                return None
            if head.pos_ == "PROPN" and noun_lemma(head) not in self.lex.chip_nouns and \
                    not (head.text.islower() or head.ent_type_ == "ACCELERATOR" or head.tag_ == "NNPS"):
                return None
            return head
        # "100,000 H100s": the next token is an accelerator name used as a plural noun
        nxt = doc[t.i + 1] if t.i + 1 < len(doc) else None
        if nxt is not None and nxt.pos_ in ("NOUN", "PROPN") and nxt.head == t and nxt.sent == sent:
            return nxt
        return None

    def _noun_after_of(self, doc: Doc, char: int) -> Token | None:
        m = re.match(r"['’\"”]?\s*of\s+", doc.text[char:char + 12])
        if not m:
            return None
        t = _token_at(doc, char + m.end())
        if t is None:
            return None
        for k in range(t.i, min(t.i + 6, len(doc))):
            tk = doc[k]
            if tk.pos_ == "NOUN" or (tk.pos_ == "PROPN" and tk.tag_ == "NNPS"):
                while tk.dep_ == "compound" and tk.head.i > tk.i and tk.head.i - tk.i < 4:
                    tk = tk.head
                return tk
            if tk.is_punct:
                return None
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
                if a <= rel < b and name not in ("dimensionless",) and f.unit.entity.name not in (
                        "unknown", "dimensionless", "currency") and "to the" not in name and \
                        abs(f.value - q.surface_value) < 1e-9 * max(1, abs(q.surface_value)) and b > q.end - base:
                    q.surface_unit = name
                    q.unit = name
                    q.kind = "other"
                    q.end = base + b
                    q.surface = s[rel:b]
                    break


def next_word_is_street(text: str, pos: int, lex: Lexicon) -> bool:
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
    toks = [t for t in doc[head.left_edge.i:head.i] if t.idx >= start_char]

    def flush():
        content = [t for t in chunk if not (t.is_punct or t.like_num or t.is_stop or
                                             t.pos_ in ("DET", "NUM", "CCONJ", "ADP", "PRON") or
                                             t.tag_ in ("VBN", "VBG") or t.ent_type_ in NAME_LABELS)]
        if content and all(t.head.i == head.i or t.head.head.i == head.i or t.head in chunk for t in content):
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
    """Lower-case singular of a counted noun: 'GPUs' -> 'gpu', 'people' -> 'people'."""
    lemma = tok.lemma_.lower()
    if tok.tag_ in ("NNS", "NNPS") and lemma == tok.lower_ and len(lemma) > 3 and lemma.endswith("s") \
            and not lemma.endswith("ss"):
        lemma = lemma[:-1]
    return lemma


def _claim_kind(kind: str) -> str:
    if kind in ("money", "power", "energy", "chip_count", "user_count", "count", "percentage", "parameter_count"):
        return kind
    return "other"


# --------------------------------------------------------------------------- convenience


def extract_quantities_from_texts(texts: list[str], model: str | None = None, nlp=None,
                                  keep_bare: bool = True) -> list[list[Quantity]]:
    """Quantities of each text (used by the evaluation and tests)."""
    from .annotate import Annotator
    from .records import Article

    ann = Annotator(nlp=nlp, model=model)
    ex = QuantityExtractor()
    arts = [Article(doc_id=str(i), text=t, path=f"<text {i}>", format="txt") for i, t in enumerate(texts)]
    result: list[list[Quantity]] = []
    for ad in ann.annotate(arts):
        qs: list[Quantity] = []
        for doc, off in ad.pieces:
            qs.extend(ex(doc, ad.mentions, off, keep_bare=keep_bare))
        result.append(qs)
    return result
