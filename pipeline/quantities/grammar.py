"""Quantity grammar: figures plus what news writes around them.

:class:`QuantityGrammar` reads a sentence as plain text: currency symbols and
codes, scale words and suffixes (``$1tn``, ``$8.5bn-worth``, ``$21MM``), ranges
(``between $3.5bn and $4.5bn``, ``$140-150MM``), bounds and hedges (``as much
as``, ``over``, ``about``), vague magnitudes (``hundreds of millions``), units
(MW, GWh, %, miles ...), rates (``a month``, ``per unit``) and parenthesised
conversions (``$10.5bn (£8.9bn)``: one figure with an equivalent). It returns
:class:`Raw` candidates with offsets relative to the sentence.
"""
from __future__ import annotations

import re
from dataclasses import replace, dataclass, field

from ..records import Equivalent
from .figures import (DASH, MONEY_CONTEXT, VAGUE_CURRENCY, WEIGHT_CONTEXT, Figure,
                      FigureReader)
from .lexicon import singular

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


SUBUNIT_AFTER = re.compile(r",?\s+(?:and\s+)?(\d{1,2})\s?(?:cents?|pence|p)(?![\w])", re.I)


class QuantityGrammar(FigureReader):
    """Finds quantities in a sentence (plain text, no parse needed)."""

    # -- units after a figure ------------------------------------------
    def unit_after(self, s: str, pos: int, fig: Figure) -> tuple[str, str, float, str, int, str | None] | None:
        """(surface unit name, normalised unit, factor, kind, end, currency code)"""
        lex = self.lex
        if fig.currency is None:
            cm = lex.re_cur_after.match(s, pos)
            longer_unit = cm and any(rx.match(s, pos) and rx.match(s, pos).end() > cm.end()
                                     for rx in (lex.re_unit_ci, lex.re_unit_cs))
            # pence glued to the figure ("164p"), but not a video resolution ("1080p")
            pence = cm and cm.group(1) == "p" and s[pos:pos + 1] == "p" and not fig.word and \
                fig.value not in lex.video_resolutions
            if cm and not longer_unit and (pence or not (
                    cm.group(1).lower() in ("p", "won", "sen", "pound", "pounds", "rand") and not fig.scaled and
                    cm.group(1).lower() not in ("pounds", "pound"))):
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
        tm = lex.re_glued_temperature.match(s, pos) if not fig.word and not fig.scaled else None
        if tm and lex.re_temperature_lead.search(s[max(0, fig.start - 30):fig.start]) and (
                fig.sign_start is not None or fig.has_decimal or
                lex.re_temperature_cue.search(s, max(0, fig.start - 60), min(len(s), tm.end() + 40))):
            u = lex.glued_temperature[tm.group(1)]  # "warming of 1.5C", "-5C overnight"
            return u["name"], u["unit"], u["factor"], u["kind"], tm.end(), None
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
                # "pounds of": the "of" only says it is a unit here; it is not part of the quantity
                end = um.end() - 3 if form.lower().endswith(" of") else um.end()
                return u["name"], u["unit"], u["factor"], u["kind"], end, None
        im = re.match(r"\s?(in|inches|\")(?![\w])", s[pos:pos + 8])
        if im and re.search(r"\d\s?(?:ft|feet|foot|')\s*$", s[max(0, fig.start - 12):fig.start]):
            return "inch", "m", 0.0254, "length", pos + im.end(), None  # "12 ft 2 in"
        fm = lex.re_unit_fold.match(s, pos)
        if fm and fm.group(1).casefold() in lex.unit_fold:
            u = lex.unit_fold[fm.group(1).casefold()]
            return u["name"], u["unit"], u["factor"], u["kind"], fm.end(), None
        bm = lex.re_unit_bracketed.match(s, pos)
        if bm:
            form = bm.group(1)
            u = lex.unit_cs.get(form) or lex.unit_ci.get(form.lower())
            if u is not None:
                return u["name"], u["unit"], u["factor"], u["kind"], bm.end(), None
        # qualifiers before the unit ("1 US fluid ounce", "2 imperial gallons"), and "of a" after a
        # fraction ("1/16 of a US pint", "3/4 of a mile"): the unit after them, never money
        lead = pos
        if fig.fraction:
            fm = lex.re_fraction_of.match(s, lead)
            lead = fm.end() if fm else lead
        qm = lex.re_unit_qualifiers.match(s, lead)
        lead = qm.end() if qm else lead
        if lead > pos and fig.currency is None:
            u = self.unit_after(s, lead, replace(fig, fraction=False))
            if u is not None and u[3] not in ("money", "percentage"):
                return u
        # "three straight years", "10 consecutive months": a unit of time after a qualifier
        dm = lex.re_duration_qualifiers.match(s, pos) if fig.currency is None else None
        if dm:
            u = self.unit_after(s, dm.end(), replace(fig, fraction=False))
            if u is not None and u[3] == "duration":
                return u
        return None

    def rate_after(self, s: str, pos: int) -> tuple[str, str, int] | None:
        """The rate starting at ``pos`` in ``s``: ``(rate unit, surface, end)`` or None. A rate word ("a
        year", "per day") gives its unit (``rate_words``), a unit after "per" or "/" its name ("km/ms"),
        another noun its singular ("per acre" -> "acre"), an adverb its unit ("annually")."""
        lex = self.lex
        m = lex.re_rate.match(s, pos)
        if m:
            w = m.group(1).lower()
            if w in lex.rate_words:
                return lex.rate_words[w], m.group(0), m.end()
        m = lex.re_rate_any.match(s, pos)
        if m:
            w = m.group(1)
            low = w.lower().rstrip(".")
            if low not in lex.rate_stop:
                u = lex.unit_cs.get(w) or lex.unit_ci.get(w.lower()) or lex.unit_fold.get(w.casefold())
                if u is not None:
                    return u["name"], m.group(0), m.end()  # "metres per millisecond", "km/ms"
                return lex.rate_words.get(low, singular(low)), m.group(0), m.end()  # "per acre", "per household"
        m = lex.re_rate_adv.match(s, pos)
        if m:
            return lex.rate_adverbs[m.group(1).lower()], m.group(0), m.end()
        return None

    # -- whole expressions ---------------------------------------------
    def parse(self, s: str) -> list[Raw]:
        """The quantities of one sentence of plain text as :class:`Raw` records in start order, offsets into
        ``s``: vague magnitudes, then figures with their currency, unit, range, bound, rate and stated
        equivalents. The extractor's filters judge them against the parse afterwards."""
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
        fraction_spans = [fm.span() for fm in lex.re_fraction_scale.finditer(s)]
        for m in lex.re_multi.finditer(s):
            if not free(m.start(), m.end()) or any(x < m.start() < y for x, y in fraction_spans) or \
                    lex.re_number_word_before.search(s[max(0, m.start() - 12):m.start()]):
                continue  # "a quarter million dollars", "three million dollars": one figure, not "million dollars"
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

        # shares of a group: "more than half of the staff", "1 in 5 roles"; a change by a fraction
        for m in [*lex.re_share.finditer(s), *lex.re_share_by.finditer(s)]:
            if not free(m.start(), m.end()):
                continue
            r = self._share(m)
            if r is None:
                continue
            self._qualify(s, r)
            out.append(r)
            taken.append((r.start, r.end))

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
            r = Raw(start0, fig.end, fig.value, figure=fig, word=fig.word, currency=fig.currency,
                    approximate=fig.approximate)
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
                # "rose by $43.6bn to $419.2bn", "fell 3.2% to 1,250 points": a change and a level,
                # not a range, when the first figure states its own unit, currency or scale
                by_change = (re.search(r"\bby\s+(?:\S+\s+)?$", before) or
                             lex.re_change.search(before) and re.fullmatch(r"\s*to\s*", gap)) and \
                    (fig.currency or u1 or fig.scaled)
                if sep and ("and" not in gap or is_between) and not by_change and \
                        (nxt.currency == fig.currency or fig.currency is None or nxt.currency is None):
                    lo_v, hi_v = fig.value, nxt.value
                    if not fig.scaled and nxt.scaled and nxt.unscaled:
                        # "140-150MM", "between 3.5 and 4.5 billion", "four to five thousand": the scale
                        # applies to both ("$200 to $4 million" keeps its own: 200 is not below 4)
                        raw_hi = nxt.unscaled
                        if fig.value < raw_hi:
                            lo_v = fig.value * (nxt.value / raw_hi)
                        elif not (fig.currency or u1):
                            # a bare figure that cannot share the scale is no lower end: "rose 12% in
                            # 2024 to £500m", "climbed in 2023 to $4bn" (a year, then the level)
                            lo_v = float("inf")
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
                    # money in two parts: "3 dollars 50 cents", "2 pounds and 40 pence"
                    sub = SUBUNIT_AFTER.match(s, uend)
                    if sub and code and r.value_min is None and not fig.scaled and fig.value == int(fig.value) \
                            and lex.currency_unit(code)[1] == 1.0:
                        r.value += int(sub.group(1)) / 100
                        uend = sub.end()
                        while i < len(figs) and figs[i].start < uend:
                            i += 1
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
            elif r.unit != "-" and r.kind not in ("count", "percentage", "duration"):
                # the rate after what is measured: "2.4 billion gallons of jet fuel a year"
                om = re.match(r"\s+of\s+(?:[A-Za-z-]+\s+){1,3}?(?=(?:a|an|per|each|every)\s)", s[pos:pos + 60])
                rt = self.rate_after(s, pos + om.end() - 1) if om else None
                if rt and rt[0] in ("year", "month", "week", "day", "hour", "quarter"):
                    r.rate = rt[0]
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
            self._qualify(s, r)
            r.end = surface_end
            if r.start < r.end:
                out.append(r)
                taken.append((r.start, max(r.end, pos)))
        out.sort(key=lambda q: q.start)
        return out

    def _qualify(self, s: str, r: Raw) -> None:
        """Take a bound or hedge written before ``r`` ("more than", "about", "~") into it."""
        lex = self.lex
        qm = lex.re_qual.search(s[:r.start]) or lex.re_qual_tight.search(s[:r.start])
        if qm and r.qualifier is None:
            q = qm.group(1)
            before = s[max(0, qm.start(1) - 40):qm.start(1)]
            if q.lower() == "up to" and lex.re_up_particle.search(before) and not lex.re_bound_modal.search(before):
                return  # "edged up to 4.1 per cent": a new level, not a bound ("can go up to 4%" is one)
            bound, approx = lex.qualifiers.get(q.lower(), (None, True))
            # "over the next 12 months" is not a bound on 12
            if not (q.lower() in ("over", "under", "above", "below") and r.kind == "other" and r.unit in
                    ("year", "month", "week", "day", "hour", "minute", "second")):
                r.qualifier = q
                r.bound, r.approximate = bound, approx or r.approximate
                r.start = qm.start(1)

    def _share(self, m: re.Match) -> Raw | None:
        """A :data:`Lexicon.re_share` match as a percentage: the share as a fraction in
        ``value`` (unit name "fraction"), times 100 in the normalised unit (percent)."""
        lex = self.lex
        g = m.groupdict()

        def num(w: str) -> float:
            return float(w) if w.isdigit() else float(lex.ones_words[w.lower()])

        if g.get("a"):
            a, b = num(g["a"]), num(g["b"])
            if not 0 < a < b:
                return None
            frac = a / b
        elif g["frac1"]:
            frac = lex.fraction_words[g["frac1"].lower()]
        elif g["half"]:
            frac = 0.5
        else:
            frac = num(g["num"]) * lex.fraction_words[g["frac2"].lower()]
            if not 0 < frac < 1:
                return None
        fig = Figure(m.start(), m.end(), frac, word=True, digits=m.group(0))
        return Raw(m.start(), m.end(), frac, unit_name="fraction", unit="percent", factor=100.0, kind="percentage",
                   bare=False, figure=fig, word=True)

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


