"""Vocabulary around numbers: scales, currencies, units, qualifiers, rates, word numbers.

Everything here is read from ``pipeline/data/units.json``, ``currencies.json`` and
``quantity_words.json``; :func:`lexicon` returns the one shared, compiled :class:`Lexicon`.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable

from ..datafiles import load_json, load_jsonl
from ..words import singular  # noqa: F401  (the one singulariser; re-exported for the quantity stage)


def _alt(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))



class Lexicon:
    """The quantity vocabulary, compiled once: ``units.json``, ``currencies.json`` and ``quantity_words.json``
    as lookup tables and regular expressions. Use the shared one, :func:`lexicon`."""

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
        # units in any case ("2.4Ghz", "49.55 HZ", "15 KHZ", "5 mw", "16 gb"): a case-sensitive form whose
        # case-folded spelling no other unit shares and that is a hertz, watt or byte symbol or in mixed case
        # with three or more characters (not "WAR", "PS", "Pa", "Mt": "5 pa" is per annum)
        folds: dict[str, list] = {}
        for f, u in list(cs_forms.items()) + list(ci.items()):
            folds.setdefault(f.casefold(), []).append((f, u))
        self.unit_fold = {k: v[0][1] for k, v in folds.items()
                          if len({id(u) for _, u in v}) == 1 and len({u["name"] for _, u in v}) == 1 and
                          len(k) >= 2 and k not in ci and
                          (len(k) >= 3 and any(any(c.isupper() for c in f) and any(c.islower() for c in f) for f, _ in v)
                           or v[0][1]["kind"] in ("power", "energy", "data") and v[0][0][-1] in "WBh"
                           or v[0][1]["unit"] == "Hz")}
        self.re_unit_fold = re.compile(r"\s?(%s)(?![\w])" % _alt(self.unit_fold), re.I)
        # a temperature letter glued to the figure ("1.5C", "104F") and the words that make it one
        by_name = {u["name"]: u for u in self.units}
        self.glued_temperature = {k: by_name[v] for k, v in w["glued_temperature"].items()}
        self.re_glued_temperature = re.compile(r"(%s)(?![\w°'’-])" % _alt(self.glued_temperature))
        self.re_temperature_cue = re.compile(r"\b(?:%s)\b" % _alt(w["temperature_cues"]), re.I)
        self.re_temperature_lead = re.compile(r"(?:^|\b(?:%s))[\s(]*[-−+]?$" % _alt(w["temperature_lead_words"]), re.I)
        # a unit alone in brackets right after the figure: "20 (kg)", "20 [kg]", "20 <kg>"
        self.re_unit_bracketed = re.compile(r"\s?[(\[{<]\s?(%s|%s)\s?[)\]}>]" % (_alt(ci), _alt(cs_forms)))
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
        # "edged up to 4.1%": the verb's particle, then "to" the new level (not the bound "up to")
        self.re_up_particle = re.compile(r"\b(?:%s)\s+$" % _alt(w["up_particle_verbs"]), re.I)
        self.re_bound_modal = re.compile(r"(?:^|\s)(?:%s)\s+(?:\w+\s+)?\w+\s+$" % _alt(w["bound_modals"]), re.I)
        # a change verb right before a figure (an optional "by" or "from" and a hedge between)
        self.re_change = re.compile(r"(?<![\w-])(?:%s)\s+(?:by\s+|from\s+)?(?:(?:%s)\s+)?$"
                                    % (_alt(w["change_words"]), _alt(quals)), re.I)
        # fractions of a scale word or a unit: "a quarter million", "half a billion", "one and a half
        # thousand", "three-quarters of a million", "a couple hundred" (about 200), "half a mile", "a half turn"
        fw = w["fraction_words"]
        self.fraction_words = fw
        ones_words = [k for k, v in w["word_numbers"].items() if isinstance(v, int) and 1 <= v <= 19 and " " not in k
                      and k not in ("a", "an")]
        self.ones_words = {k: w["word_numbers"][k] for k in ones_words}
        self.tens_words = {k: v for k, v in w["word_numbers"].items() if v in (20, 30, 40, 50, 60, 70, 80, 90)}
        big = [k for k in self.scales if len(k) > 3 and k.isalpha() and k.islower()]
        whole = r"(?:(?P<whole>%s|\d{1,3})\s+and\s+)?" % _alt(ones_words)
        self.re_fraction_scale = re.compile(
            r"(?<![\w-])(?:%s(?:(?:a|an|one)[\s-](?P<frac1>%s)|half(?P<half>)(?:\s+of)?\s+an?|"
            r"(?P<num>%s|\d)[\s-](?P<frac2>%s))(?:\s+of\s+an?)?|(?P<couple>%s))\s+(?:(?P<scale>%s)(?![\w])|(?=[a-z]))"
            % (whole, _alt(fw), _alt(ones_words), _alt(fw), _alt(w["couple_words"]), _alt(big)), re.I)
        self.couple_words = w["couple_words"]
        # words between a figure and its unit ("US fluid" of "1 US fluid ounce"); "of a" after a fraction
        quals = [q for q in w["unit_qualifiers"]] + [q.capitalize() for q in w["unit_qualifiers"] if q.islower()]
        self.re_unit_qualifiers = re.compile(r"(?:\s+(?:%s)(?![\w.]))+" % "|".join(
            re.escape(q) + ("" if q.endswith(".") else "") for q in sorted(quals, key=len, reverse=True)))
        self.re_fraction_of = re.compile(r"\s+of\s+an?(?=\s)", re.I)
        self.re_duration_qualifiers = re.compile(r"(?:\s+(?:%s)(?![\w-]))+" % _alt(w["duration_qualifiers"]), re.I)
        self.re_number_word_before = re.compile(
            r"(?<![\w-])(?:%s|hundred|dozen)[\s-]+$" % _alt(list(self.ones_words) + list(self.tens_words)), re.I)
        self.video_resolutions = {float(v) for v in w["video_resolutions"]}
        self.change_nouns = set(w["change_nouns"])
        # a share of a group: "half of the staff", "two-thirds of voters", "1 in 5 roles", "nine out of 10"
        self.re_share = re.compile(
            r"(?<![\w-])(?<!(?:the|its|his|her|our|all|and)\s)(?<!first\s|other\s|later\s)(?<!second\s|latter\s|former\s)(?<!and\sa\s)"
            r"(?:(?:(?:a|an|one)[\s-](?P<frac1>%s)|(?P<half>half)|(?P<num>%s|\d)[\s-](?P<frac2>%s))(?=\s+of\s)"
            r"(?!\s+of\s+an?\s)|"
            r"(?P<a>\d{1,2}|%s)\s+(?:in|out\s+of)\s+(?P<b>\d{1,3}|%s)(?![\w.,%%-]))"
            % (_alt(fw), _alt(ones_words), _alt(fw), _alt(ones_words), _alt(ones_words)), re.I)
        # the size of a change as a fraction: "cut by a third", "rose by half", "by two-thirds"
        self.re_share_by = re.compile(
            r"(?<=\bby\s)(?:(?:a|an|one)[\s-](?P<frac1>%s)|(?P<half>half)|(?P<num>%s)[\s-](?P<frac2>%s))"
            r"(?=\s*(?:[,.;:)]|$)|\s+(?:%s)\b)"  # not "by a third party", "by half a point"
            % (_alt(fw), _alt(ones_words), _alt(fw), _alt(w["fraction_change_followers"])), re.I)
        # "2,000-strong workforce": an adjective giving the size of the group after it
        self.group_size_adjectives = set(w["group_size_adjectives"])
        self.re_group_size = re.compile(r"-\s?(?:%s)\s+" % _alt(self.group_size_adjectives), re.I)
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
        self.re_fold_word = re.compile(r"(?<![\w-])(%s)(?=fold\b)" % _alt([k for k, v in wn.items() if isinstance(v, int)
                                                                            and 2 <= v <= 100 and " " not in k]), re.I)
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
            r"(?:\s|-)?(?:(?:per|a|an|each|every)[\s-]|/[\s-]?)(%s)s?(?![\w])(?!\s+(?:earlier|ago|before|later|after)\b)"
            % _alt(self.rate_words), re.I)
        # "per" or "/" takes any denominator: "per acre", "per household", "/ms", "km/ms"
        self.re_rate_any = re.compile(
            r"(?:\s|-)?(?:per[\s-]|/[\s-]?)([A-Za-z]+)(?![\w])", re.I)  # "per acre", "km/h"; not "performance"
        self.rate_stop = set(w["rate_stopwords"])
        self.re_rate_adv = re.compile(r"\s(%s)(?![\w])(?!\s+(?:earlier|ago|before|later|after)\b)"
                                      % _alt(self.rate_adverbs), re.I)
        self.month_names = set(w["month_names"])
        self.id_prefixes = set(w["identifier_prefixes"])
        self.age_verbs = set(w["age_clause"]["verbs"])
        self.age_subjects = set(w["age_clause"]["subjects"])
        self.age_not_before = set(w["age_clause"]["not_followed_by"])
        self.re_figure_prefix = re.compile(r"(?<![A-Za-z])(?:%s)[-‑]$" % _alt(w["figure_prefixes"]["words"]), re.I)
        self.chip_nouns = set(w["chip_nouns"])
        # accelerator names of the entity ruler's gazetteer, lower-case ("h100", "mi300x"): a count
        # of them ("20,000 MI300Xs") counts chips
        self.accelerator_names = {p["pattern"].lower() for p in load_jsonl("entities.jsonl")
                                  if p.get("label") == "ACCELERATOR" and isinstance(p.get("pattern"), str)}
        self.user_nouns = set(w["user_nouns"])
        self.listicle_nouns = set(w["listicle_nouns"]["words"])
        self.monthly = set(w["monthly_markers"])
        self.daily = set(w["daily_markers"])
        self.param_context = set(w["parameter_context"])
        self.street_words = set(w["street_words"])
        self.re_idiom = re.compile(r"\b(?:%s)\b" % "|".join(w["idioms"]), re.I)

    def currency_name(self, code: str) -> str:
        """The word for a currency code (``currencies.json`` ``names``: "USD" -> "dollar"); an unknown code in
        lower case."""
        return self.cur["names"].get(code, code.lower())

    def currency_unit(self, code: str) -> tuple[str, float]:
        """Normalised currency code and factor (cents -> dollars)."""
        if code in self.cur["subunits"]:
            base, f = self.cur["subunits"][code]
            return base, f
        return self.cur["code_alias"].get(code, code), 1.0

    def symbol_code(self, sym: str) -> str:
        """The ISO code of a currency symbol or code as written ("$", "£", "US$", "eur"), matched exactly,
        then ignoring case; anything else upper-cased (through ``code_alias``: "RMB" -> "CNY")."""
        s = self.cur["symbols"]
        if sym in s:
            return s[sym]
        for k, v in s.items():
            if k.lower() == sym.lower():
                return v
        return self.cur["code_alias"].get(sym.upper(), sym.upper())


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """The shared :class:`Lexicon`, built once per process."""
    return Lexicon()


def parse_number(text: str) -> float:
    """A number written in digits with optional thousands commas: ``"1,250.5"`` -> 1250.5. Raises
    ``ValueError`` otherwise."""
    return float(text.replace(",", ""))

