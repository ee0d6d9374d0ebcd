"""Figures: a number as written (digits, words, fractions) with its currency and scale.

:class:`FigureReader` finds them in one sentence of plain text; :class:`Figure` is
one of them, with offsets relative to the sentence.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

from .lexicon import Lexicon, lexicon, parse_number

NUM = r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
DASH = r"(?:-|–|—|‑)"
FRACTION = re.compile(r"(?<![\d/.,])(?:(\d{1,3})\s)?(\d{1,2})\s?[/⁄]\s?(\d{1,3})(?![\d/])|"
                      r"(?<![\d.,])(?:(\d{1,3})\s?)?([½¼¾⅓⅔⅛⅜⅝⅞])")
VULGAR = {"½": 0.5, "¼": 0.25, "¾": 0.75, "⅓": 1 / 3, "⅔": 2 / 3, "⅛": 0.125, "⅜": 0.375, "⅝": 0.625, "⅞": 0.875}
# numbers split by tokenised text: "$1, 799" (only after a currency), "2. 3 GHz" (only before a unit)
# and spaces as thousands separators: "816 000 t", "€1 250 000" (only next to a unit, scale or currency)
SPACED_NUM = re.compile(r"(?<![\d,.])\d{1,3}(?:, \d{3})+(?![\d,])|(?<![\d.])\d{1,3}\. \d{1,3}(?![\d.,])|"
                        r"(?<![\d,.]\s)(?<![\d,.])\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:\.\d+)?(?![\d]|[.,]\d)")
METRE_FOLLOWERS = re.compile(r"\s?(?:tall|long|high|deep|wide|away|thick|above|below|under|is|was|are|were|from|and|or|to|in|of|at|by|high|sprint|race|hurdles|freestyle)\b", re.I)
MONEY_CONTEXT = re.compile(r"(?:[$£€]|\b(?:pay|paid|cost|costs|fine|fined|price|prices|worth|spend|spent|fee|fees|salary|wage|"
                           r"sterling|euros?|dollars?|cash|sum|budget|bill|tax|owe|owed|raise|raised|earn|earned|bonus|"
                           r"compensation|funding|loan|grant|sold|buy|bought|charge|charged|million|billion)\b)", re.I)
WEIGHT_CONTEXT = re.compile(r"\b(?:weigh\w*|heav\w*|lighter|lbs?|kilo\w*|kg|ounces?|body|lost|gained|fish|baby)\b", re.I)
VAGUE_CURRENCY = re.compile(r"['’\"”]?\s+of\s+(?:(?:US|U\.S\.|American|Australian|Canadian)\s+)?"
                            r"(dollars|euros|pounds|yen|yuan|rupees)(?![\w])", re.I)
WORD_IN_NUMBER = re.compile(r"([\s-]+(?:and\s+)?)?([A-Za-z]+)(?:-([A-Za-z]+))?")
PHONE = re.compile(r"(?<![\w.,-])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,4}\)\s?|\d{3}[\s.-])\d{3,4}[\s.-]\d{4}(?![\w,-]|\.\d)")
# "$3.5bn-4.5bn": a hyphen after a scaled figure starts the range's upper end
SCALED_BEFORE = re.compile(r"\d(?:bn|mn|tn|m|k|b|M|B|K|MM)$")
# "2-0", "3-1": a score, unless a unit or scale follows
SCORE = re.compile(r"[-–]\d{1,2}(?![\d,%]|\.\d)(?=\s*(?:$|[,.;:)!?]|(?:(?:overtime|extra-time|away|home|shootout|"
                   r"penalty|road|comeback|opening|final|aggregate|league|cup)\s+)?"
                   r"(?:at|in|on|down|up|win|victory|lead|defeat|loss|"
                   r"draw|home|away|against|over|to|and|with|for|after|before|scoreline|result|thrashing|"
                   r"triumph|success|first|second)\b))", re.I)



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
    approximate: bool = False  # "a couple hundred"
    unscaled: float | None = None  # the figure before its scale ("4.5" of "4.5 billion"), when it has one
    fraction: bool = False  # written as a fraction ("1/16", "¾"): may take "of a" before its unit



class FigureReader:
    """Finds figures in a sentence (plain text, no parse needed)."""

    def __init__(self, lex: Lexicon | None = None):
        self.lex = lex or lexicon()
        self.re_num = re.compile(NUM)

    # -- figures -------------------------------------------------------
    def figure_at(self, s: str, m_start: int, m_end: int, value: float, word: bool) -> Figure | None:
        """The figure whose number is ``s[m_start:m_end]`` (``value``; ``word``: written in words), with a
        currency symbol right before it and its scale after it (attached "bn"/"m", or words, chained: "three
        hundred million"); offsets into ``s``. None when the text is not a figure: a model name ("GeForce GT
        650M") or a word that needs a scale and has none ("a")."""
        lex = self.lex
        fig = Figure(m_start, m_end, value, word=word, digits=s[m_start:m_end], unscaled=value)
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
                # "m" is a metre only where the context is a measure: "1.8m tall", "1m is equal to",
                # "a 35m yacht", "the 100m final"; "35m devices", "1.2m tonnes" are millions
                nxt = s[am.end():am.end() + 20]
                measure = not re.match(r"\s?(?:[a-z]+)", nxt) or METRE_FOLLOWERS.match(nxt) or (
                    re.search(r"(?<![\w])(?:a|an|the)\s+$", s[max(0, m_start - 5):m_start], re.I) and
                    re.match(r"\s?[a-z]+(?<!s)\b", nxt) and not lex.re_unit_ci.match(nxt))
                if measure:
                    am = None
            if am and fig.currency is None and (re.match(r"\s?[A-Z]{2,}\b", s[am.end():am.end() + 6]) or
                                                re.search(r"(?<![.!?]\s)\b(?!(?:A|An|The)\s$)[A-Z][A-Za-z]*\s$",
                                                          s[max(0, m_start - 20):m_start])):
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

    def _fraction_scale(self, s: str, m: re.Match) -> Figure | None:
        """A :data:`Lexicon.re_fraction_scale` match as one figure, chaining any further scale word
        ("half a million" -> 500,000; "a couple hundred thousand" -> 200,000, approximate)."""
        lex = self.lex
        g = m.groupdict()
        whole = 0.0
        if g["whole"]:
            whole = float(g["whole"]) if g["whole"].isdigit() else float(lex.ones_words[g["whole"].lower()])
        approx = False
        if g["couple"]:
            frac, approx = float(lex.couple_words[g["couple"].lower()]), True
        elif g["frac1"]:
            frac = lex.fraction_words[g["frac1"].lower()]
        elif g["half"] is not None:
            frac = 0.5
        else:
            num = g["num"]
            frac = (float(num) if num.isdigit() else float(lex.ones_words[num.lower()])) * \
                lex.fraction_words[g["frac2"].lower()]
        pos = m.end()
        if g["scale"] is None:
            # no scale word: only before a unit ("half a mile", "a quarter mile", "a half turn")
            if g["couple"] or not (lex.re_unit_ci.match(s, pos - 1) or lex.re_unit_cs.match(s, pos - 1)):
                return None
            return Figure(m.start(), pos - 1, whole + frac, word=True, digits=s[m.start():pos - 1])
        value = (whole + frac) * lex.scales[g["scale"].lower()]
        while True:  # "a couple hundred thousand"
            sm = lex.re_scale_spaced.match(s, pos)
            if not sm or sm.group(1).lower() not in lex.scales:
                break
            value *= lex.scales[sm.group(1).lower()]
            pos = sm.end()
        return Figure(m.start(), pos, value, word=True, scaled=True, digits=s[m.start():pos], approximate=approx)

    def figures(self, s: str) -> list[Figure]:
        """Every figure of the sentence ``s``, in start order (offsets into ``s``): fractions before a unit,
        fractions of a scale word, spaced or split numbers next to a unit, scale or currency, then numbers in
        digits and in words. Phone numbers are never figures."""
        lex = self.lex
        out: list[Figure] = []
        spaced: list[tuple[int, int]] = []
        # fractions before a unit: "10 1/2 miles", "a 1/4 mile oval", "½ teaspoon"
        for m in FRACTION.finditer(s):
            b = m.end()
            fm = lex.re_fraction_of.match(s, b)  # "1/16 of a US pint", "3/4 of a mile"
            u = fm.end() if fm else b
            qm = lex.re_unit_qualifiers.match(s, u)
            u = qm.end() if qm else u
            if not (lex.re_unit_ci.match(s, u) or lex.re_unit_cs.match(s, u)):
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
                fig.fraction = True
                out.append(fig)
                spaced.append((m.start(), b))
        # phone numbers are not figures: "555-123-4567", "(212) 555-0199", "+44 20 7946 0958"
        for m in PHONE.finditer(s):
            spaced.append(m.span())
        # fractions and multiples of a scale word: "a quarter million", "one and a half thousand"
        for m in lex.re_fraction_scale.finditer(s):
            if any(x <= m.start() < y for x, y in spaced):
                continue
            fig = self._fraction_scale(s, m)
            if fig:
                out.append(fig)
                spaced.append((m.start(), fig.end))
        for m in SPACED_NUM.finditer(s):
            if any(x <= m.start() < y for x, y in spaced):
                continue
            a, b = m.span()
            txt = m.group(0)
            cur_before = bool(lex.re_cur_before_cs.search(s[max(0, a - 6):a]) or lex.re_cur_before.search(s[max(0, a - 6):a]))
            if re.search(r"\d[ \u00a0\u202f]\d", txt):
                ok = cur_before or bool(lex.re_unit_ci.match(s, b) or lex.re_unit_cs.match(s, b) or
                                        lex.re_unit_pct.match(s, b) or lex.re_scale_spaced.match(s, b) or
                                        lex.re_cur_after.match(s, b))
            elif ", " in txt:
                # "$1, 799" after a currency; "10, 000 monkeys": a group of "000" is never a figure of its own
                ok = cur_before or txt.endswith(", 000")
            else:
                ok = bool(lex.re_unit_ci.match(s, b) or lex.re_unit_cs.match(s, b) or lex.re_unit_pct.match(s, b)
                          or lex.re_scale_spaced.match(s, b) or lex.re_cur_after.match(s, b))
            if ok and not (a > 0 and (s[a - 1].isalnum() or s[a - 1] in ".,")):
                fig = self.figure_at(s, a, b, float(re.sub(r"[ \u00a0\u202f]", "", txt.replace(", ", "").replace(". ", "."))), False)
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
                     and not SCALED_BEFORE.search(s[max(0, a - 12):a - 1])
                     and not lex.re_figure_prefix.search(s[max(0, a - 8):a])):
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
        # multipliers written in one word: "tenfold", "threefold"
        for m in lex.re_fold_word.finditer(s):
            fig = self.figure_at(s, m.start(1), m.end(1), float(lex.word_numbers[m.group(1).lower()]), True)
            if fig:
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
            vague_before = re.search(r"\b(several|a few|few|many|some)\s+$", s[max(0, m.start() - 10):m.start()], re.I)
            if vague_before and (vague_before.group(1).lower() != "some" or v >= 100 or tok in ("dozen", "dozens")):
                continue  # "several hundred", "some thousand": vague; "some seven miles" is about seven
            w0 = max(0, m.start() - 4)
            if any(w0 + im.start() <= m.start() < w0 + im.end() for im in lex.re_idiom.finditer(s[w0:m.end() + 14])) \
                    or re.match(r"-time\b", s[m.end():m.end() + 6]):
                continue  # "at one point", "no one", "a two-time winner"
            fig = self.figure_at(s, m.start(1), m.end(1), float(v), True)
            if fig:
                ext = self.compound_words(s, m.start(1))
                if ext and ext[1] > fig.end:
                    # "twelve thousand four hundred and fifty" is one number
                    compound = self.figure_at(s, fig.start, ext[1], ext[0], True)
                    if compound:
                        compound.scaled = compound.scaled or ext[2]
                        compound.unscaled = None if ext[2] else compound.unscaled
                        fig = compound
                out.append(fig)
        out.sort(key=lambda f: f.start)
        return out

    def compound_words(self, s: str, start: int) -> tuple[float, int, bool] | None:
        """The number written in words from ``start``: ``(value, end, scaled)``, or None.

        Words combine the usual way ("twelve thousand four hundred and fifty" -> 12450,
        "two hundred million" -> 2e8); "and" is taken only between number words after
        "hundred" or a scale; the first word that does not continue the number ends it."""
        lex = self.lex
        total, current, end, scaled = 0.0, 0.0, None, False
        last = None  # kind of the last word: "unit" (1-99), "hundred", "scale"
        last_scale = math.inf
        pos = start
        while True:
            m = WORD_IN_NUMBER.match(s, pos)
            if not m or bool(m.group(1)) != (pos > start):
                break
            pos = m.end()
            w = m.group(2).lower()
            if m.group(1) and "and" in m.group(1) and last not in ("hundred", "scale"):
                break
            if w == "hundred" and last == "unit" and current < 100:
                current *= 100
                last, scaled = "hundred", True
            elif w in lex.scales and w.isalpha() and len(w) > 3 and w != "hundred" and last in ("unit", "hundred") \
                    and lex.scales[w] < last_scale:
                total += current * lex.scales[w]
                current, last, scaled, last_scale = 0.0, "scale", True, lex.scales[w]
            elif w in lex.ones_words or w in lex.tens_words:
                v = lex.ones_words.get(w) or lex.tens_words.get(w)
                if m.group(3):  # twenty-five
                    o = lex.ones_words.get(m.group(3).lower())
                    if o is None or o >= 10 or w not in lex.tens_words:
                        break
                    v += o
                if last == "unit" or (current % 100) and v >= 10:
                    break
                if last == "hundred" and current % 100:
                    break
                current += v
                last = "unit"
            else:
                break
            end = m.end()
        if end is None:
            return None
        return total + current, end, scaled

    # -- units after a figure ------------------------------------------
