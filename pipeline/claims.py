"""Claim stage: a quantity plus who it is about, what it measures, when, and who says so.

Everything here reads the dependency parse of the quantity's sentence:

* **subject**: climb from the quantity to the verb that governs it and take
  that verb's subject; a possessor entity ("Meta's spending") wins over the
  noun it owns; an entity inside the subject phrase ("the El Capitan
  supercomputer") wins over the phrase; a subject with no entity in a
  subordinate clause lets the climb go on to the main clause. Pronouns and
  generic nouns ("it", "the company", "a $2bn start-up") resolve through the
  document's entity model (:mod:`pipeline.mentions`: own clause, previous
  sentence's subject, salient organisation); a person speaking for an
  organisation yields it; a noun phrase the figure modifies is never the
  subject.
* **entities**: the ranked canonical entities of the sentence (plus a short
  item's title), the material linking compares.
* **metric**: the family id of the taxonomy in ``data/metrics.json`` over the lemmas of the
  quantity's local context; otherwise the lemma of the noun or verb it
  attaches to.
* **time**: the stated period of the time expression that governs the quantity
  in the parse (its clause, the figure it follows), resolved against the
  publication date, or None (see :mod:`pipeline.timeref`).
* **attribution** / **hedged**: "according to X", "X reported", "estimates
  suggest"; modal verbs and forecast words on the quantity's path.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from functools import lru_cache

from spacy.tokens import Doc, Span, Token

from .annotate import AnnotatedDoc, doc_text, load_json
from .quantities.grammar import QuantityGrammar
from .quantities.lexicon import lexicon, singular
from .quantities.locale import dollar_currency, localise_dollars
from .mentions import PieceMentions, document_entities
from .records import Claim, EntityRef, Mention, Provenance, Quantity
from .timeref import resolve_time

_COREF = load_json("coref.json")
_WORDS = load_json("claim_words.json")
PRONOUNS_ORG = set(_COREF["org_pronouns"])
PRONOUNS_PERSON = set(_COREF["person_pronouns"])
GENERIC_ORG_NOUNS = set(_COREF["generic_org_nouns"])
GENERIC_NOUNS = {w: label for label, ws in _COREF["generic_nouns"].items() for w in ws} | \
    {w: "ORG" for w in GENERIC_ORG_NOUNS}
DEFINITE = set(_WORDS["definite_determiners"])
GOVERNMENT_NOUNS = set(_COREF["government_nouns"])
SHORT_ITEM_CHARS = 2000  # a title + excerpt item: its title's entities belong to every claim
ENTITY_PRIORITY = {"SYSTEM": 0, "AI_MODEL": 1, "ORG": 2, "PERSON": 3, "PRODUCT": 1, "ACCELERATOR": 5, "GPE": 6,
                   "NORP": 7, "FAC": 4, "LOC": 7, "EVENT": 6, "WORK_OF_ART": 8, "LAW": 8}
SUBJECT_LABELS = {"ORG", "PERSON", "SYSTEM", "AI_MODEL", "PRODUCT", "GPE", "FAC", "NORP"}
# generic chip nouns from the quantity lexicon's one list (model names such as "H100" stay as written)
CHIP_WORDS = {n for n in lexicon().chip_nouns if n.isalpha()}
LINKERS = set(_WORDS["linkers"])
ATTRIBUTIVE = re.compile(r"[\d.,]+\s?-\s?[a-z]+(?:-[a-z]+)?")
MEASURE_NOUNS = set(_WORDS["measure_nouns"])
PERIOD_NOUNS = set(_WORDS["period_nouns"])
NAMING_VERBS = set(_WORDS["naming_verbs"])
RELATIVE_PRONOUNS = set(_WORDS["relative_pronouns"])
DEMONSTRATIVES = set(_WORDS["demonstratives"])
SCOPE_PREPS = set(_WORDS["scope_prepositions"])
SCOPE_NOUNS = set(load_json("quantity_words.json")["scope_nouns"])
DURATION_UNITS = set(_WORDS["duration_units"])
RECIPE_UNITS = set(_WORDS["recipe_units"])  # ingredient amounts: "1 tsp cinnamon"


def stable_id(prefix: str, *parts) -> str:
    """``prefix`` + "_" + 16 hex digits of SHA-256 over ``parts``: ids that do not change between runs."""
    h = hashlib.sha256("\x1f".join(str(p) for p in parts).encode("utf-8")).hexdigest()[:16]
    return f"{prefix}_{h}"


@dataclass
class ClaimConfig:
    """What every claim records in ``extractor``: the extractor version and the model name."""

    extractor_version: str
    model: str



def _slug(words: str) -> str:
    """A metric id part from words: lower case, runs of other characters as one "_"."""
    return re.sub(r"[^a-z0-9]+", "_", words.lower()).strip("_")

def _in_recipe(doc: Doc, off: int, q: Quantity) -> bool:
    """True when ``q`` (article offsets; ``doc`` starts at ``off``) is an ingredient amount: it
    opens its line after at most a bullet ("- 1 tsp cinnamon"), or its sentence is an instruction
    (it starts with a verb in the base form, or has no subject: "Whisk 2 tablespoons of oil ...").
    "Children should eat no more than 6 teaspoons of sugar a day" is a claim."""
    text = doc_text(doc)
    a = q.start - off
    line_start = text.rfind("\n", 0, a) + 1
    if not text[line_start:a].strip(" \t-–—•*·0123456789.)"):
        return True
    span = doc.char_span(a, q.end - off, alignment_mode="expand")
    if span is None:
        return False
    sent = span.sent
    first = next((t for t in sent if not t.is_punct and not t.is_space), None)
    # an instruction has no subject (the small model often tags "Whisk", "Season" as nouns)
    return first is not None and (first.tag_ == "VB" or not any(t.dep_ in ("nsubj", "nsubjpass") for t in sent))

class ClaimBuilder:
    """Turns the quantities of an annotated article into claims (:meth:`build`): subject,
    object, metric (families in ``data/metrics.json``), time, attribution, hedges and linking
    entities, each read from the sentence's parse and the document's entity model."""

    def __init__(self, config: ClaimConfig):
        self.config = config
        m = load_json("metrics.json")
        self.taxonomy = m["families"]  # ordered: the first family that matches names the metric
        self.families = {f["id"]: f for f in self.taxonomy}
        self.growth = set(m["growth_words"])
        self.spend_verbs = set(m.get("spend_verbs", ()))
        self.spend_preps = set(m.get("spend_object_preps", ()))
        self.decline = set(m["decline_words"])
        # verbs of change without a direction of their own ("edged up to", "ticked down 0.1%")
        self.movers = self.growth | self.decline | set(load_json("quantity_words.json")["up_particle_verbs"])
        self.hedges = set(m["hedge_words"])
        self.say_verbs = set(m["attribution_verbs"])
        self.duration_time_words = set(m.get("duration_time_words", ()))
        self.duration_event_heads = set(m.get("duration_event_heads", ()))
        self.duration_task_verbs = set(m.get("duration_task_verbs", ()))
        # explanations: when a dict, ``build`` stores {claim_id: {"subject": rule, "metric": rule}}
        # naming the rule that chose each field (pipeline.explain); it never changes a result
        self.why: dict[str, dict[str, str]] | None = None
        self._trace: dict[str, str] = {}

    def _because(self, field: str, rule: str, value):
        """Return ``value``, noting that ``rule`` chose ``field`` (for :attr:`why`)."""
        self._trace[field] = rule
        return value

    # ------------------------------------------------------------------
    def build(self, ad: AnnotatedDoc, quantities: list[list[Quantity]] | None = None) -> list[Claim]:
        """Claims of one article; ``quantities[i]`` belongs to ``ad.pieces[i]``; by default each
        piece's ``doc.spans["quantities"]`` (the ``quantities`` component's records)."""
        if quantities is None:
            from .components import doc_quantities

            quantities = [doc_quantities(doc) for doc, _ in ad.pieces]
        art = ad.article
        claims: list[Claim] = []
        de = document_entities(ad.mentions, ad.pieces, art.text, art.title)
        dollar = dollar_currency(art.url, art.outlet)  # a bare "$" in an Australian outlet is AUD
        for (doc, off), qs in zip(ad.pieces, quantities):
            localise_dollars(qs, art.text, dollar)
            mentions = PieceMentions(de.index, off, de)
            scopes = self._scopes(doc, off, qs)
            for q in qs:
                if q.surface_unit == "-" or q.partitive:
                    continue  # bare numbers are not claims
                if q.surface_unit in RECIPE_UNITS and _in_recipe(doc, off, q):
                    continue  # a recipe's ingredient amount is not a news claim
                if q.kind == "count" and ATTRIBUTIVE.fullmatch(q.surface):
                    continue  # a count used as a modifier ("a 12-person team") describes, it claims nothing
                # a duration, or a measure used as a modifier ("a 17-inch MacBook"), is a claim only
                # when it measures a spec attribute ("up to eight hours" of battery, "an eight-year
                # offer", "a 512MHz processor"): see ``_spec_metric``
                modifier = q.kind == "other" and (ATTRIBUTIVE.fullmatch(q.surface) or self._attributive(doc, off, q))
                duration = q.kind == "other" and q.unit in DURATION_UNITS
                c = self._claim(art, doc, off, q, mentions)
                if c is not None and (modifier or duration):
                    spec = self._spec_metric(doc, off, q, c.metric, modifier)
                    if spec is None:
                        continue
                    c.metric = spec
                    if self.why is not None and c.claim_id in self.why:
                        self.why[c.claim_id]["metric"] = (
                            f"spec attribute: the modified noun names the family ({spec})" if modifier
                            else f"spec attribute measured in its own units ({spec})")
                if c is not None and self.families.get(c.metric, {}).get("units") and \
                        (c.subject is None or c.subject.label == "NP"):
                    # a spec with no named owner ("other highlights include a 3.2-megapixel camera",
                    # "the new battery system will deliver eight hours") is a spec of what the
                    # article is about: its topic organisation is linking material too (last)
                    topic = de.topic()
                    if topic is not None and all(e.canonical != topic.canonical for e in c.entities):
                        c.entities.append(topic)
                if c is not None:
                    # a scoping figure is scoped by itself: "in 54 games" is not a season total
                    c.scope = next((text for sent_start, q2, text in scopes if q2 is q), None) or \
                        next((text for sent_start, q2, text in scopes
                              if q2 is not q and sent_start == c.provenance.sentence_start), None)
                    claims.append(c)
                    conversions = conversion_claims(c, art.text)
                    if self.why is not None:
                        for e in conversions:
                            self.why[e.claim_id] = {field: f"conversion of '{c.surface}' (its {field})"
                                                    for field in ("subject", "metric", "time")}
                    claims.extend(conversions)
        return claims

    def _spec_metric(self, doc: Doc, off: int, q: Quantity, metric: str, modifier: bool) -> str | None:
        """The spec family (one with ``units`` in ``data/metrics.json``) that a duration or a
        modifying measure measures, or None when it measures none (then it is no claim).

        A modifier is named by the noun it modifies and that noun's compounds only ("an
        eight-hour battery life" -> ``battery_life``, "a 512MHz processor" -> ``clock_speed``),
        never by the rest of the sentence: "the 17-inch MacBook Pro is thin" names a model, it
        states no thickness. A duration is named by its own phrase, the words on its path to its
        clause verb, and the head nouns of that clause's subject and of the clauses it is
        reported in ("a battery that Apple says will last eight hours", "talks over the contract
        lasted three weeks" names no contract's length); a point or offset in time ("two days ago",
        "in 10 days", "after 18 months": ``duration_time_words``) measures nothing."""
        fam = self.families.get(metric)
        span = doc.char_span(q.start - off, q.end - off, alignment_mode="expand")
        if span is None or not len(span):
            return None
        if not modifier:
            if fam is None or not fam.get("units"):
                return None
            root = span.root
            near = {c.lower_ for c in root.children} | ({root.head.lower_} if root.dep_ in ("pobj", "npadvmod") else set())
            if near & self.duration_time_words:
                return None
            words = {w for t in root.subtree for w in (t.lemma_.lower(), t.lower_)}
            t, v = root, None
            for _ in range(8):  # the path to the clause verb, with each token's direct dependents
                words |= {t.lemma_.lower(), t.lower_} | {w for c in t.children for w in (c.lemma_.lower(), c.lower_)}
                if t.pos_ in ("VERB", "AUX") or t.head is t:
                    v = t
                    break
                t = t.head
            def infinitive(t: Token) -> bool:  # "to charge" (the parser hangs it on the verb or the noun)
                return t.dep_ in ("xcomp", "advcl", "relcl", "acl") and any(
                    a.dep_ == "aux" and a.lower_ == "to" for a in t.children)
            if v is not None and v.lemma_.lower() in self.duration_task_verbs and any(
                    infinitive(c) for c in [*v.children, *root.children]):
                return None  # "takes two hours to charge": how long a task takes, not a spec
            for _ in range(4):  # the clause's subject, and the clauses it is reported in or attached to
                if v is None:
                    break
                for c in v.children:
                    if c.dep_ in ("nsubj", "nsubjpass"):
                        if c.lemma_.lower() in self.duration_event_heads:
                            continue  # "the battery recall lasted two weeks": the event's length
                        words |= {w for g in [c, *(g for g in c.children if g.dep_ == "compound")]
                                  for w in (g.lemma_.lower(), g.lower_)}
                if v.pos_ in ("NOUN", "PROPN"):
                    words |= {v.lemma_.lower(), v.lower_} | {
                        w for g in v.children if g.dep_ == "compound" for w in (g.lemma_.lower(), g.lower_)}
                    break
                v = v.head if v.dep_ in ("ccomp", "xcomp", "relcl", "conj", "advcl", "acl") else None
            named = self._match_rules(q, words, words, keywords_only=True)
            return named if named is not None and self.families[named].get("units") else None
        head = span.root.head
        if head.i < span.end:
            # "0.98''" or "eight-year" whose root is inside the figure: its noun follows it
            head = next((t for t in doc[span.end:span.end + 4] if t.pos_ in ("NOUN", "PROPN")), None)
            if head is None:
                return None
        words = {head.lemma_.lower(), head.lower_} | {
            w for c in head.children if c.dep_ in ("compound",) for w in (c.lemma_.lower(), c.lower_)}
        fam = self._match_rules(q, words, words, keywords_only=True)
        return fam if fam is not None and self.families[fam].get("units") else None

    @staticmethod
    def _scopes(doc: Doc, off: int, qs: list[Quantity]) -> list[tuple[int, Quantity, str]]:
        """Quantities that restrict the others of their sentence: "In 54 games ... he hit 43 RBIs"
        is a partial figure, not the season's; such claims carry the phrase as ``scope``."""
        out = []
        for q in qs:
            if q.kind not in ("count", "other"):
                continue
            span = doc.char_span(q.start - off, q.end - off, alignment_mode="expand")
            if span is None or not len(span):
                continue
            root = span.root
            if root.dep_ == "pobj" and root.head.lower_ in SCOPE_PREPS and q.unit in SCOPE_NOUNS:
                prep = root.head
                text = doc_text(doc)[prep.idx:q.end - off]
                out.append((span.sent.start_char + off, q, text))
        return out

    @staticmethod
    def _attributive(doc: Doc, off: int, q: Quantity) -> bool:
        """A measure modifying the noun right after it: "a 2.4GHz processor", "a 15\" display"."""
        span = doc.char_span(q.start - off, q.end - off, alignment_mode="expand")
        if span is None or not len(span):
            return False
        root = span.root
        return root.dep_ in ("amod", "compound", "nmod", "nummod") and root.head.pos_ in ("NOUN", "PROPN") \
            and root.head.i > span.end - 1 and root.head.i - (span.end - 1) <= 3

    def _claim(self, art, doc: Doc, off: int, q: Quantity, ments: PieceMentions) -> Claim | None:
        a, b = q.start - off, q.end - off
        span = doc.char_span(a, b, alignment_mode="expand")
        if span is None or not len(span):
            return None
        sent = span.sent
        root = span.root  # a count's root is its counted noun; money's the scale word or number
        qtoks = {t.i for t in span}
        levels = self._local_levels(root, qtoks)
        context = set().union(*levels)
        self._trace = {}
        # the figure's own words are its bound ("up to 20%", "down to 3%"), not a movement
        moving = set().union(*self._local_levels(root, qtoks, own=False))
        metric = self._metric(q, context, sent, root, levels, moving)
        subject, subj_tok = self._subject(doc, sent, root, qtoks, ments, q)
        speaker = self._speaker_org(subject, metric, ments)
        if speaker is not subject:
            self._because("subject", f"speaker's organisation (a person's {metric} figure is their employer's)", 0)
        subject = speaker
        obj = self._object(root, qtoks, ments, q)
        obj = self._speaker_org(obj, metric, ments)
        if obj is not None and subject is not None and obj.canonical == subject.canonical:
            obj = None  # "AMD ... AMD's purchase": the target is never the buyer
        entities = self._sentence_entities(sent, off, ments, subject, obj, len(art.text))
        time = resolve_time(sent, span, art.published)
        attribution = self._attribution(sent, root)
        hedged = self._hedged(root, sent)
        sentence = sent.text
        prov = Provenance(doc_id=art.doc_id, path=art.path, outlet=art.outlet, url=art.url,
                          published=art.published, sentence=sentence, char_start=q.start, char_end=q.end,
                          sentence_start=sent.start_char + off)
        claim_id = stable_id("c", art.doc_id, q.start, q.end, q.kind, q.unit)
        if self.why is not None:
            self.why[claim_id] = dict(self._trace)
        return Claim(
            claim_id=claim_id, doc_id=art.doc_id, kind=q.kind, metric=metric, subject=subject, object=obj,
            value=q.value, value_min=q.value_min, value_max=q.value_max, unit=q.unit,
            surface_value=q.surface_value, surface_unit=q.surface_unit, approximate=q.approximate,
            bound=q.bound, qualifier=q.qualifier, equivalents=q.equivalents, rate=q.rate, surface=q.surface,
            time=time, attribution=attribution, hedged=hedged, provenance=prov,
            extractor={"version": self.config.extractor_version, "model": self.config.model},
            vague=q.vague, counted=q.counted, entities=entities)

    # ------------------------------------------------------------------ structure
    @staticmethod
    def _entity_for(tok: Token, ments: PieceMentions) -> Mention | None:
        return ments.at(tok.idx)

    def _speaker_org(self, ref: EntityRef | None, metric: str, ments: PieceMentions) -> EntityRef | None:
        """A person speaking for an organisation stands for it when the figure is the
        organisation's (every metric family except the personal ones: pay, net worth)."""
        if ref is None or ref.label != "PERSON" or ments.entities is None:
            return ref
        org = ments.entities.affiliation.get(ref.canonical)
        if org is None or self.families.get(self._family(metric), {}).get("owner") == "person":
            return ref
        return EntityRef(ref.text, org, "ORG")

    @staticmethod
    def _family(metric: str) -> str:
        return re.sub(r"_(growth|decline|change)$", "", metric)

    def _sentence_entities(self, sent: Span, off: int, ments: PieceMentions, subject: EntityRef | None,
                           obj: EntityRef | None, text_len: int) -> list[EntityRef]:
        """The claim's linking material: subject, object, then the sentence's entities by the
        document's salience (a person is followed by the organisation it speaks for), then,
        for a short title + excerpt item, the title's entities. Canonical names, best first."""
        de = ments.entities
        out: list[EntityRef] = []
        seen: set[str] = set()

        def add(ref: EntityRef | None) -> None:
            if ref is not None and ref.label != "NP" and ref.canonical not in seen:
                seen.add(ref.canonical)
                out.append(ref)

        add(subject)
        add(obj)
        if de is None:
            return out
        found = de.index.in_range(sent.start_char + off, sent.end_char + off)
        for m in sorted(found, key=lambda m: (de.rank(m.canonical), m.start)):
            add(EntityRef(m.text, m.canonical, m.label))
            org = de.affiliation.get(m.canonical) if m.label == "PERSON" else None
            if org:
                add(EntityRef(m.text, org, "ORG"))
        if de.title_span is not None and text_len <= SHORT_ITEM_CHARS:
            for ref in de.title_entities:
                add(ref)
        return out

    def _np_ref(self, tok: Token, ments, qtoks: set[int]) -> EntityRef | None:
        """EntityRef for a noun phrase headed by ``tok``."""
        doc = tok.doc
        low = tok.lower_
        if low in RELATIVE_PRONOUNS and tok.head.dep_ == "relcl" and tok.head.head.pos_ in ("NOUN", "PROPN"):
            # "the offer, which is worth $160 million": the clause's noun is the subject
            return self._np_ref(tok.head.head, ments, qtoks)
        if tok.pos_ == "PRON" and low not in PRONOUNS_ORG | PRONOUNS_PERSON or low in DEMONSTRATIVES:
            # "you", "that", "all this": no subject of their own; the last entity named before stands in
            return self._antecedent(tok, ments, labels={"ORG", "PRODUCT", "SYSTEM", "AI_MODEL", "PERSON"})
        # "shares of the company", "the stock of Tesla": the owner is the subject
        if tok.lemma_.lower() in ("share", "stock", "bond", "unit") and tok.lower_ != "unit":
            for c in tok.children:
                if c.dep_ == "prep" and c.lower_ == "of":
                    for p in c.children:
                        if p.dep_ == "pobj":
                            r = self._np_ref(p, ments, qtoks)
                            if r is not None and r.label != "NP":
                                return r
        # possessor entity: "Meta's spending"; a place does not own a named head ("France's Mistral AI")
        head_m = self._entity_for(tok, ments)
        for c in tok.children:
            if c.dep_ == "poss":
                m = self._entity_for(c, ments)
                if m is not None and m.label in ("GPE", "NORP", "LOC") and head_m is not None and \
                        head_m is not m and head_m.label in SUBJECT_LABELS:
                    return EntityRef(head_m.text, head_m.canonical, head_m.label)
                if m is not None and m.label in SUBJECT_LABELS:
                    return EntityRef(m.text, m.canonical, m.label)
                if c.lower_ in PRONOUNS_ORG | PRONOUNS_PERSON:
                    r = self._antecedent(c, ments)
                    if r:
                        return r
                r = self._generic_ref(c, ments, qtoks)  # "the company's revenue"
                if r is not None:
                    return r
        m = self._entity_for(tok, ments)
        if m is not None and m.label in SUBJECT_LABELS:
            return EntityRef(m.text, m.canonical, m.label)
        if tok.lower_ in PRONOUNS_ORG | PRONOUNS_PERSON:
            return self._antecedent(tok, ments)
        r = self._generic_ref(tok, ments, qtoks)
        if r is not None:
            return r
        m = self._entity_inside(tok, ments, qtoks)
        if m is not None:
            return EntityRef(m.text, m.canonical, m.label)
        # a noun phrase: the head with its left modifiers and its prepositional tail
        left, right = tok.left_edge.i, tok.i
        for c in tok.rights:
            if c.dep_ in ("prep", "compound", "amod", "nummod") or (c.dep_ == "acl" and c.lemma_.lower() in LINKERS):
                right = c.right_edge.i
            else:
                break
        right = min(right, tok.i + 8)
        phrase = doc[left:right + 1]
        if not len(phrase) or any(t.i in qtoks for t in doc[left:tok.i + 1]):
            # a noun phrase the figure itself modifies ("$10bn investment", "a 20% stake") is never its
            # subject; a container named by the phrase ("a cluster of 100,000 GPUs") is
            return None
        text = phrase.text.strip(" ,;:—–-")
        return EntityRef(text, self._canonical_np(phrase), "NP")

    @staticmethod
    def _generic_word(tok: Token) -> str:
        """The noun as written, hyphenated compounds rejoined ("start - up" -> "start-up")."""
        doc = tok.doc
        if tok.i >= 2 and doc[tok.i - 1].text == "-" and not doc[tok.i - 1].whitespace_:
            return f"{doc[tok.i - 2].lower_}-{tok.lower_}"
        return tok.lower_

    def _generic_ref(self, tok: Token, ments: PieceMentions, qtoks: set[int]) -> EntityRef | None:
        """A singular generic noun standing for an entity (``data/coref.json``). Definite ("the
        company", "the chipmaker", "the model") refers back: the document's salient entity of that
        kind. Indefinite and holding the figure ("a $2.6bn robot start-up") introduces one: the
        salient entity of that kind not named elsewhere in the sentence. A plural ("the Chinese
        firms") names no single one."""
        label = GENERIC_NOUNS.get(self._generic_word(tok))
        if label is None or tok.tag_ in ("NNS", "NNPS") or self._entity_inside(tok, ments, qtoks) is not None:
            return None
        definite = tok.left_edge.lower_ in DEFINITE or any(c.lower_ in DEFINITE for c in tok.children)
        holds_figure = any(x.i in qtoks for x in tok.subtree) or tok.i in qtoks or \
            any(tok.i == tok.doc[i].head.i for i in qtoks)
        if definite:
            if label == "ORG":
                return self._antecedent(tok, ments, labels={"ORG"})
            t = ments.topic({label})
            return EntityRef(tok.text, t.canonical, t.label) if t is not None else None
        if holds_figure and ments.entities is not None:
            sent = tok.sent
            named = {m.canonical for m in ments.entities.index.in_range(sent.start_char + ments.off,
                                                                        sent.end_char + ments.off)}
            t = ments.topic({label}, exclude=named)
            return EntityRef(tok.text, t.canonical, t.label) if t is not None else None
        return None

    def _entity_inside(self, tok: Token, ments: PieceMentions, qtoks: set[int]) -> Mention | None:
        """An entity inside the phrase headed by ``tok``: compounds, appositions, "known as El
        Capitan"; not inside a relative clause or a complement ("an estimate that AI firms will earn
        $200bn"). An apposition wins a tie: "TikTok-owner ByteDance" is ByteDance."""
        doc = tok.doc
        inside = {tok.i}
        appos: set[int] = set()
        # the figure modifies this noun ("a $10bn investment in OpenAI"): its prepositional tail
        # names the target, not the owner
        figure_modified = any(i in qtoks for i in range(tok.left_edge.i, tok.i))
        for c in tok.children:
            if c.dep_ == "prep" and figure_modified:
                continue
            if c.dep_ in ("compound", "amod", "poss", "appos", "nmod", "prep") or \
                    (c.dep_ == "acl" and c.lemma_.lower() in NAMING_VERBS | LINKERS):
                inside.update(x.i for x in c.subtree)
                if c.dep_ == "appos":
                    appos.update(x.i for x in c.subtree)
        best = None
        for i in sorted(inside):
            t = doc[i]
            if t.i in qtoks:
                continue
            m = self._entity_for(t, ments)
            if m is None or m.label not in SUBJECT_LABELS:
                continue
            if t.head.dep_ == "prep" and t.head.lower_ in ("in", "at", "from", "on", "across") and m.label == "GPE":
                continue
            if tok.lower_ in GOVERNMENT_NOUNS and m.label in ("GPE", "NORP"):
                return m  # "the UK government": the country
            key = (ENTITY_PRIORITY.get(m.label, 9), 0 if i in appos or i == tok.i else 1)
            if best is None or key < best[0]:
                best = (key, m)
        if best and best[0][0] <= 3:
            return best[1]
        return None

    @staticmethod
    def _canonical_np(phrase: Span) -> str:
        words = []
        for t in phrase:
            if t.dep_ in ("det", "advmod", "predet") or t.is_punct and t.text not in ".,":
                continue
            if t.lower_ in LINKERS or t.lemma_.lower() in LINKERS:
                words.append("of")
                continue
            if singular(t.text) in CHIP_WORDS or singular(t.text).rstrip("s") in CHIP_WORDS:
                words.append("GPUs")
                continue
            words.append(t.text if (t.ent_type_ or t.like_num or t.text.isupper()) else t.lower_)
        s = " ".join(words)
        s = re.sub(r"\bof of\b", "of", s)
        return s.strip(" ,")

    def _antecedent(self, tok: Token, ments, labels=None) -> EntityRef | None:
        labels = labels or ({"PERSON"} if tok.lower_ in PRONOUNS_PERSON else {"ORG", "PRODUCT", "SYSTEM"})
        # the subject of the pronoun's own clause comes first: "Via ... saw its shares drop"
        t = tok
        for _ in range(8):
            if t.pos_ in ("VERB", "AUX"):
                for c in t.children:
                    if c.dep_ in ("nsubj", "nsubjpass") and c.i < tok.i:
                        m = self._entity_for(c, ments) or self._entity_inside(c, ments, set())
                        if m is not None and m.label in labels:
                            return EntityRef(tok.text, m.canonical, m.label)
            if t.head == t:
                break
            t = t.head
        # then the subject of the previous sentence (the entity in focus: "Goldman Sachs published a
        # note. It pointed to ...")
        sent = tok.sent
        if sent.start > 0:
            for t in tok.doc[sent.start - 1].sent:
                if t.dep_ in ("nsubj", "nsubjpass"):
                    m = self._entity_for(t, ments) or self._entity_inside(t, ments, set())
                    if m is not None and m.label in labels:
                        return EntityRef(tok.text, m.canonical, m.label)
        best = ments.last_before(tok.idx, labels)
        # else an organisation pronoun stands for the organisation the document is about, unless a
        # system, product or model was named in this or the previous sentence ("El Capitan ... it")
        topic = ments.topic() if "ORG" in labels else None
        if topic is not None and not (best is not None and best.label != "ORG" and
                                      best.end > self._previous_sentence_start(tok) + ments.off):
            return EntityRef(tok.text, topic.canonical, topic.label)
        if best is None:
            return None
        return EntityRef(tok.text, best.canonical, best.label)

    @staticmethod
    def _previous_sentence_start(tok: Token) -> int:
        sent = tok.sent
        return tok.doc[sent.start - 1].sent.start_char if sent.start > 0 else sent.start_char

    def _subject(self, doc: Doc, sent: Span, root: Token, qtoks, ments, q: Quantity):
        # the figure is part of a model's name: "Llama 3.1 405B"
        m = ments.at(doc[min(qtoks)].idx)
        if m is not None and m.label == "AI_MODEL":
            return self._because("subject", "figure inside an AI model's name", (EntityRef(m.text, m.canonical, m.label), None))
        # the figure describes an organisation: "a $2.6bn robot start-up", "the $10bn company"
        h = root
        for _ in range(3):
            if h.dep_ not in ("nummod", "compound", "amod", "nmod", "quantmod") or h.head == h:
                break
            h = h.head
            if h.pos_ in ("NOUN", "PROPN") and h.i not in qtoks:
                r = self._generic_ref(h, ments, qtoks)
                if r is not None:
                    return self._because("subject", "noun the figure modifies", (r, h))
                break
        # a count "of" something: "500 million monthly users of Meta AI"
        for c in root.children:
            if c.dep_ == "prep" and c.lower_ in ("of", "for", "at", "on"):
                for p in c.children:
                    m = self._entity_for(p, ments) if p.dep_ == "pobj" else None
                    if m is not None and m.label in SUBJECT_LABELS and q.kind in ("user_count", "count", "chip_count"):
                        return self._because("subject", "count 'of'/'for' an entity", (EntityRef(m.text, m.canonical, m.label), p))
        # a share of something somewhere: "52 percent (of traffic) in Egypt" -> Egypt
        if q.kind == "percentage":
            r = self._prep_entity(root, qtoks, ments, depth=3)
            if r is not None:
                return self._because("subject", "share's place or owner (preposition)", (r, None))
            # a share of a group: "20% of firms", "a third of adults" -> that group
            for c in root.children:
                if c.dep_ == "prep" and c.lower_ == "of":
                    for p in c.children:
                        if p.dep_ == "pobj" and p.tag_ == "NNS" and p.i not in qtoks:
                            r = self._np_ref(p, ments, qtoks)
                            if r is not None:
                                return self._because("subject", "share of a group ('20% of firms')", (r, p))
        first_np = None
        speaker_verb: Token | None = None  # a verb of saying whose complement clause holds the figure
        t = root
        came_from: Token | None = None  # the child of ``t`` on the path from the quantity
        seen = 0
        while seen < 12:
            seen += 1
            # passing through a noun that has a possessor entity: "Meta's increase in spending"
            if t.i not in qtoks and t.pos_ in ("NOUN", "PROPN"):
                for c in t.children:
                    if c.dep_ == "poss":
                        r = self._np_ref(t, ments, qtoks)
                        if r and r.label != "NP":
                            return self._because("subject", "possessor of a noun on the path", (r, t))
            head = t.head
            if t.dep_ in ("nsubj", "nsubjpass") and t.i not in qtoks and t != root:
                r = self._np_ref(t, ments, qtoks)
                if r and r.label != "NP":
                    return self._because("subject", "grammatical subject on the path (entity)", (r, t))
                if r is not None:
                    first_np = first_np or (r, t)
            # a verb of saying reached from a clause ("..., the Information reported, implying a loss
            # of $5bn") names the source, not the subject; reached through its object
            # ("Meta reported a 22% increase") its subject is the subject
            say_verb = t.pos_ == "VERB" and t.lemma_.lower() in self.say_verbs and t != root and \
                came_from is not None and (came_from.dep_ in ("ccomp", "parataxis") or
                                           (came_from.dep_ in ("advcl", "xcomp", "conj") and came_from.tag_ == "VBG"
                                            and came_from.i > t.i))
            if say_verb and speaker_verb is None and came_from.dep_ == "ccomp":
                speaker_verb = t
            if (t.pos_ in ("VERB", "AUX") or head == t) and not say_verb:
                subj = [c for c in t.children if c.dep_ in ("nsubj", "nsubjpass") and c.i not in qtoks
                        and not (c.i <= root.i <= c.right_edge.i and c.left_edge.i <= root.i)]
                if not subj and t.pos_ == "VERB":
                    # a headline's bare subject, left unattached: "UK to spend £100m"
                    subj = [c for c in t.lefts if c.dep_ == "dep" and c.i not in qtoks
                            and self._entity_for(c, ments) is not None]
                if subj:
                    r = self._np_ref(subj[0], ments, qtoks)
                    if r and r.label != "NP":
                        return self._because("subject", "subject of the governing verb (entity)", (r, subj[0]))
                    if r and first_np is None and not self._bare_measure(subj[0]):
                        first_np = (r, subj[0])
                        # an NP subject of a main or complement clause stands; only an adverbial
                        # clause ("even as costs rise 9%, Meta reported ...") lets the search go on
                        if t.dep_ != "advcl":
                            return self._because("subject", "subject of the governing verb (noun phrase)", first_np)
                # the quantity inside the subject phrase: its possessor or entity
                subj_in = [c for c in t.children if c.dep_ in ("nsubj", "nsubjpass") and
                           c.left_edge.i <= root.i <= c.right_edge.i]
                if subj_in:
                    r = self._np_ref(subj_in[0], ments, qtoks)
                    if r and r.label != "NP":
                        return self._because("subject", "entity of the subject phrase holding the figure", (r, subj_in[0]))
                    # the figure in a passive subject: the agent is the subject ("... was agreed by Oracle")
                    for ag in (c for c in t.children if c.dep_ == "agent"):
                        for p in ag.children:
                            m = self._entity_for(p, ments) if p.dep_ == "pobj" else None
                            if m is not None and m.label in SUBJECT_LABELS:
                                return self._because("subject", "agent of a passive ('by X')", (EntityRef(m.text, m.canonical, m.label), p))
                    if r and first_np is None and subj_in[0].i not in qtoks:
                        first_np = (r, subj_in[0])
            if head == t:
                break
            came_from = t
            t = head
        if first_np and not self._bare_measure(first_np[1]):
            return self._because("subject", "first noun-phrase subject on the path", first_np)
        # no subject in the structure: the entity the passage is about, i.e. the grammatical
        # subject of one of the last few sentences, else the last entity named before. Only for
        # figures that belong to an organisation or product (money, shares, users, chips, power):
        # "about 1,200 people were evacuated" is nobody's figure
        if q.kind in ("count", "other"):
            return self._because("subject", "none: no subject in the structure (plain counts take none from context)", (None, None))
        # before looking at earlier sentences, the figure's own sentence: a possessive pronoun in the
        # figure's phrase ("up to 20% of its code") and the speaker of the verb of saying whose
        # complement holds the figure ("Google said up to 20% ...")
        r = self._own_phrase_owner(root, qtoks, ments, speaker_verb)
        if r is not None:
            return r
        labels = ("ORG", "PERSON", "SYSTEM", "AI_MODEL", "PRODUCT")
        prev = []
        while len(prev) < 3 and (prev[-1] if prev else sent).start > 0:
            prev.append(doc[(prev[-1] if prev else sent).start - 1].sent)
        for ps in prev:
            for tk in ps:
                if tk.dep_ in ("nsubj", "nsubjpass"):
                    for cand in [tk, *[c for c in tk.children if c.dep_ == "poss"]]:
                        m = self._entity_for(cand, ments)
                        if m is not None and m.label in labels:
                            return self._because("subject", "entity subject of one of the 3 previous sentences", (EntityRef(m.text, m.canonical, m.label), None))
        topic = ments.topic()
        if topic is not None:
            return self._because("subject", "document topic (most salient entity)", (topic, None))
        m = ments.last_before(sent.start_char, labels)
        if m is not None:
            return self._because("subject", "last entity named before the sentence", (EntityRef(m.text, m.canonical, m.label), None))
        return self._because("subject", "none found", (None, None))

    def _own_phrase_owner(self, root: Token, qtoks, ments, speaker_verb: Token | None):
        """The owner named in the figure's own sentence when its clause has no entity subject:
        a possessive pronoun in the figure's phrase (its nouns reached through prepositions, up to
        two steps: "20% of its code"), resolved to the speaker of the governing verb of saying
        when there is one, else by :meth:`_antecedent`; then that speaker itself. Returns the
        ``(EntityRef, Token | None)`` pair of :meth:`_subject` or None."""
        speaker = None
        if speaker_verb is not None:
            for c in speaker_verb.children:
                if c.dep_ in ("nsubj", "nsubjpass") and c.i not in qtoks:
                    r = self._np_ref(c, ments, qtoks)
                    if r is not None and r.label in SUBJECT_LABELS:
                        speaker = (r, c)
                    break
        frontier, pron = [root], None
        for _ in range(2):
            nxt = []
            for t in frontier:
                for c in t.children:
                    if c.dep_ == "poss" and c.pos_ == "PRON" and c.i not in qtoks:
                        pron = pron or c
                    if c.dep_ == "prep":
                        nxt += [g for g in c.children if g.dep_ == "pobj"]
            frontier = nxt
        if pron is not None:
            if speaker is not None and (speaker[0].label == "PERSON") == (pron.lower_ in PRONOUNS_PERSON):
                return self._because("subject", "possessive pronoun in the figure's phrase -> the speaker of the governing verb of saying", (EntityRef(pron.text, speaker[0].canonical, speaker[0].label), pron))
            r = self._antecedent(pron, ments)
            if r is not None:
                return self._because("subject", "possessive pronoun in the figure's phrase (antecedent)", (r, pron))
        if speaker is not None:
            return self._because("subject", "speaker of the verb of saying governing the figure's clause", speaker)
        return None

    def _prep_entity(self, tok: Token, qtoks, ments, depth: int) -> EntityRef | None:
        """A named place or organisation in the quantity's own prepositional tail."""
        if depth == 0:
            return None
        for c in tok.children:
            if c.dep_ != "prep" or c.lower_ not in ("of", "in", "for", "at", "across", "among", "with", "to"):
                continue
            for p in c.children:
                if p.dep_ != "pobj" or p.i in qtoks:
                    continue
                m = self._entity_for(p, ments)
                if m is not None and (m.label in ("GPE", "LOC") or
                                      m.label in ("ORG", "NORP") and c.lower_ not in ("with", "to")):
                    return EntityRef(m.text, m.canonical, m.label)
                r = self._prep_entity(p, qtoks, ments, depth - 1)
                if r is not None:
                    return r
        return None

    @staticmethod
    def _bare_measure(tok: Token | None) -> bool:
        """A subject that only names a measure ("Full-year revenue", "sales", "revenue in the
        quarter"): it says what is measured, not whose; the entity the passage is about stands in.
        A possessor or a preposition naming anything but a period ("revenue at Microsoft") makes
        it an owner's measure."""
        def when(prep: Token) -> bool:  # "in its fiscal fourth quarter", "for 2024"
            objs = [g for g in prep.children if g.dep_ == "pobj"]
            return bool(objs) and all(g.ent_type_ in ("DATE", "TIME") or g.lemma_.lower() in PERIOD_NOUNS
                                      for g in objs)

        return tok is not None and (tok.lower_ in MEASURE_NOUNS or tok.lemma_.lower() in MEASURE_NOUNS) and \
            not any(c.dep_ == "poss" or c.dep_ == "prep" and not when(c) for c in tok.children)

    def _object(self, root: Token, qtoks, ments, q: Quantity) -> EntityRef | None:
        """The target of money: 'invested $14.3bn into Scale AI', 'a $10.5bn investment in chips',
        'to acquire X for $1bn'. A named entity when there is one, else the noun phrase."""
        if q.kind != "money":
            return None
        t = root
        for _ in range(4):
            # the prepositions of the amount's own noun ("investment in") or of its verb
            for c in t.children:
                if c.dep_ == "prep" and c.lower_ in ("into", "in", "on") and c.i not in qtoks:
                    for p in c.children:
                        if p.dep_ != "pobj" or p.pos_ not in ("NOUN", "PROPN"):
                            continue
                        m = self._entity_for(p, ments)
                        if m is not None and m.label in ("ORG", "PRODUCT", "AI_MODEL", "SYSTEM"):
                            return EntityRef(m.text, m.canonical, m.label)
                        if m is None and p.ent_type_ not in ("DATE", "TIME", "GPE", "MONEY"):
                            # "in an early-stage funding from investors including Nvidia": the
                            # phrase's own prepositional tail names others, not the target
                            tail = {x.i for c2 in p.children if c2.dep_ == "prep" for x in c2.subtree}
                            return self._np_ref(p, ments, set(qtoks) | tail)
                if c.dep_ == "prep" and c.lower_ == "for" and c.i not in qtoks:
                    # "a $50m round for HiddenLayer", "paid $5.4bn for ATI": a named beneficiary only
                    for p in c.children:
                        m = self._entity_for(p, ments) if p.dep_ == "pobj" and p.i not in qtoks else None
                        if m is not None and m.label in ("ORG", "PRODUCT", "AI_MODEL", "SYSTEM"):
                            return EntityRef(m.text, m.canonical, m.label)
                if t.pos_ == "VERB" and c.dep_ == "dobj" and c.i not in qtoks and \
                        root.i not in {x.i for x in c.subtree}:
                    m = self._entity_for(c, ments)
                    if m is not None and m.label in ("ORG", "PRODUCT"):
                        return EntityRef(m.text, m.canonical, m.label)
            if t.pos_ == "VERB" or t.head == t:
                break
            t = t.head
        return None

    def _path(self, root: Token) -> list[Token]:
        """Tokens from the quantity up to (and including) its clause verb."""
        path = [root]
        t = root
        while t.head != t and len(path) < 8:
            t = t.head
            path.append(t)
            if t.pos_ in ("VERB", "AUX"):
                break
        return path

    def _local_context(self, root: Token, qtoks) -> set[str]:
        """The words of the quantity's local context (see :meth:`_local_levels`), as one set."""
        return set().union(*self._local_levels(root, qtoks))

    def _local_levels(self, root: Token, qtoks, own: bool = True) -> list[set[str]]:
        """The local context level by level: the quantity's own words (unless ``own`` is False) and
        those of each token on its path to the clause verb (with their direct dependents), nearest
        first."""
        path = self._path(root)
        # an adjunct far below its verb ("Despite an increase in costs of 9%, revenue soared")
        # does not borrow the verb's words
        if len(path) > 3 and path[-1].pos_ in ("VERB", "AUX") and path[-2].dep_ in ("prep", "advcl", "npadvmod"):
            path = path[:-2]
        levels: list[set[str]] = []
        for t in path:
            words: set[str] = set()  # the token and its direct dependents
            deeper: set[str] = set()  # what those dependents govern
            levels += [words, deeper]
            if not (t.lower_ == "worth" and t.i + 1 < len(t.doc) and t.doc[t.i + 1].lower_ == "of"):
                words.add(t.lemma_.lower())  # "$8.5bn-worth of costs" is an amount of costs, no valuation
                words.add(t.lower_)
            for c in t.children:
                if c.i in qtoks:
                    continue
                if c.dep_ in ("compound", "amod", "nsubj", "nsubjpass", "dobj", "prep", "pobj", "poss", "attr",
                              "npadvmod", "advmod", "xcomp", "acomp", "nmod", "nummod"):
                    words.add(c.lemma_.lower())
                    words.add(c.lower_)
                    if c.dep_ in ("prep", "nsubj", "nsubjpass", "dobj"):
                        for g in c.children:
                            if g.dep_ in ("pobj", "compound", "amod", "prep"):
                                # a dependent's own modifiers are its phrase ("Series B"); what it
                                # governs through a preposition is one step further
                                near = words if g.dep_ in ("compound", "amod") else deeper
                                near.add(g.lemma_.lower())
                                near.add(g.lower_)
                                for gg in g.children:
                                    if gg.dep_ in ("compound", "amod", "pobj"):
                                        deeper.add(gg.lemma_.lower())
                                        deeper.add(gg.lower_)
        for i in qtoks if own else ():
            t = root.doc[i]
            levels[0].add(t.lemma_.lower())
            levels[0].add(t.lower_)
        return levels

    def _metric(self, q: Quantity, context: set[str], sent: Span, root: Token,
                levels: list[set[str]] | None = None, moving: set[str] | None = None) -> str:
        """The metric id (see ``data/metrics.json``). ``moving``: the words that may make a
        percentage a growth or decline (default ``context``); the figure's own words are left out
        by the caller, since "up to 20%" is a bound, not a rise."""
        moving = context if moving is None else moving
        sentence_words = {t.lemma_.lower() for t in sent} | {t.lower_ for t in sent}
        toks = list(sent)
        sentence_words |= {f"{a.lemma_.lower()} {b.lemma_.lower()}" for a, b in zip(toks, toks[1:])} | \
            {f"{a.lower_} {b.lower_}" for a, b in zip(toks, toks[1:])}  # two-word phrases: "capital expenditure"
        extra = {"monthly"} if q.rate == "month" else set()
        context = context | extra
        by_object = self._spending_family(q, root)
        metric = by_object or self._match_rules(q, context, sentence_words)
        if by_object is not None:
            self._because("metric", f"the object of the spending decides the family ({metric})", 0)
        elif metric is not None:
            self._because("metric", f"family rule on the words around the figure ({metric})", 0)
        if metric is not None and by_object is None and self.families[metric].get("scope") != "sentence":
            # between families named in the local context, the nearest words decide: "raised $675m
            # at a valuation of $2.6bn" is funding for $675m (its verb) and a valuation for $2.6bn
            seen: set[str] = set(extra)
            for level in levels or []:
                seen |= level
                near = self._match_rules(q, seen, sentence_words, keywords_only=True, wider=context)
                if near is not None:
                    if near != metric:
                        self._because("metric", f"nearest family keyword to the figure ({near})", 0)
                    metric = near
                    break
        if metric is None:
            metric = self._match_rules(q, sentence_words, sentence_words)
            if metric is not None:
                self._because("metric", f"family rule on the sentence's words ({metric})", 0)
        if metric is None:
            metric = self._fallback_metric(q, root)
            self._because("metric", f"fallback: named after the counted noun or governing word ({metric})", 0)
        if q.kind == "percentage" and not metric.endswith(("_growth", "_decline")) and not self._is_level(root):
            if moving & self.growth:
                metric += "_growth"
                self._trace["metric"] = self._trace.get("metric", "") + "; _growth: a growth word near the figure"
            elif moving & self.decline:
                metric += "_decline"
                self._trace["metric"] = self._trace.get("metric", "") + "; _decline: a decline word near the figure"
        elif q.kind == "money" and self._is_change(root, set(self.families.get(metric, {}).get("synonyms", ()))):
            metric += "_change"
            self._trace["metric"] = self._trace.get("metric", "") + "; _change: the amount a rise or fall moved by"  # "shares dropped $0.65 to $24.05": $0.65 is a move, $24.05 a level
        return metric

    def _spending_family(self, q: Quantity, root: Token) -> str | None:
        """Family of a money figure spent on something, decided by what it is spent on: the
        on/in/into/for phrases of the nearest spending word (``spend_verbs``, within three steps
        up from the figure) and of the tokens between. "spend/invest/pour $80bn on/in/into data
        centres" are all ``infrastructure_spend``; "invest $2bn in Intel" is ``investment`` (an
        organisation, ``object_labels``). None when the figure is no spending or names no object."""
        if q.kind != "money":
            return None
        chain, t = [root], root
        for _ in range(3):
            if t.lemma_.lower() in self.spend_verbs or t.lower_ in self.spend_verbs:
                break
            if t.head == t:
                return None
            t = t.head
            chain.append(t)
        else:
            return None
        if not (t.lemma_.lower() in self.spend_verbs or t.lower_ in self.spend_verbs):
            return None
        words: set[str] = set()
        labels: set[str] = set()
        for c in (c for h in chain for c in h.children):
            if c.dep_ == "prep" and c.lower_ in self.spend_preps:
                for g in c.children:
                    if g.dep_ == "pobj":
                        for x in g.subtree:
                            words |= {x.lemma_.lower(), x.lower_}
                            if x.ent_type_:
                                labels.add(x.ent_type_)
        if not words:
            return None
        for fam in self.taxonomy:
            if fam.get("kinds") and q.kind not in fam["kinds"]:
                continue
            if fam.get("context") and words & set(fam["context"]) and set(fam.get("synonyms", ())) & self.spend_verbs:
                return fam["id"]
        for fam in self.taxonomy:
            if fam.get("kinds") and q.kind not in fam["kinds"]:
                continue
            if labels & set(fam.get("object_labels", ())):
                return fam["id"]
        return None

    def _is_level(self, root: Token) -> bool:
        """The level a rise or fall went to or came from, not the size of the move: the object of
        "to" or "from" under a verb of change ("unemployment rose to 4.4%", "fell from 5%")."""
        head = root.head
        return root.dep_ == "pobj" and head.lower_ in ("to", "from") and head.head.pos_ in ("VERB", "AUX") and \
            head.head.lemma_.lower() in self.movers

    def _is_change(self, root: Token, family_words: set[str] = frozenset()) -> bool:
        """The amount a rise or fall moved by: the object of the verb or of its "by"."""
        head = root.head
        if root.dep_ in ("npadvmod", "pobj", "dobj", "advmod") and head.lower_ in ("up", "down"):
            return True  # "closed at NT $18, up NT $0.05"
        if root.dep_ == "pobj" and head.lower_ == "by":
            head = head.head
        elif root.dep_ not in ("dobj", "npadvmod", "advmod"):
            return False
        lemma = head.lemma_.lower()
        if lemma in family_words:
            return False  # "raised $675m" is the funding itself, not a rise in it
        return head.pos_ == "VERB" and (lemma in self.growth or lemma in self.decline)

    def _match_rules(self, q: Quantity, context: set[str], sentence_words: set[str],
                     keywords_only: bool = False, wider: set[str] | None = None) -> str | None:
        """Id of the first metric family whose words occur in the local context (or, on the second
        pass, the sentence); see ``data/metrics.json``. ``keywords_only``: only families matched
        by their synonyms in ``context`` (not by kind alone, not by the sentence), their
        ``context`` words being looked up in ``wider``."""
        for fam in self.taxonomy:
            kinds = fam.get("kinds")
            if kinds and q.kind not in kinds:
                continue
            if fam.get("units") and q.unit not in fam["units"]:
                continue  # a spec family measures in its own units ("8 hours" battery life, not "8GB")
            if keywords_only and (fam.get("synonyms") is None or fam.get("scope") == "sentence"):
                continue
            scope = sentence_words if fam.get("scope") == "sentence" else context
            if scope & set(fam.get("alone", ())):
                return fam["id"]
            syn = fam.get("synonyms")
            around = wider if wider is not None else scope
            if syn is None or (scope & set(syn) and (not fam.get("context") or around & set(fam["context"]))):
                return fam["id"]
        return None

    def _fallback_metric(self, q: Quantity, root: Token) -> str:
        """A metric for a figure no family names: a count after its counted noun ("vehicle_count"),
        a share after the noun it is a share of ("traffic_share"), a figure carried by a verb of
        change after what changes ("the economy grew 0.6%" -> "economy"), else after the nearest
        noun or verb above it; ``q.kind`` when there is none."""
        if q.kind in ("count", "user_count", "chip_count") and q.unit:
            # a count is a count of its noun, whatever verb carries it ("had 43 RBIs", "hit 43 RBIs");
            # "home runs" are not "runs"
            noun = q.surface_unit if q.kind == "count" and q.surface_unit not in ("-", "") else q.unit
            if q.kind == "count" and root.pos_ in ("NOUN", "PROPN") and root.lemma_.lower() == q.unit.lower():
                # the counted noun with its noun compounds ("home run", "submarine cable"), without
                # its adjectives: "three undersea cables" and "three cables" count one thing
                mods = [c.lower_ for c in root.children if c.dep_ == "compound" and c.i < root.i and
                        c.pos_ in ("NOUN", "PROPN") and not c.like_num and not c.ent_type_]
                noun = " ".join(mods + [q.unit])
            return _slug(noun) + "_count"
        if q.kind == "percentage":
            # a share is a share of its noun, whatever verb carries it: "account for 90% of the
            # traffic" and "close to 90 percent of all the data traffic is carried" are traffic shares
            for c in root.children:
                if c.dep_ == "prep" and c.lower_ == "of":
                    noun = next((g for g in c.children if g.dep_ == "pobj" and g.pos_ in ("NOUN", "PROPN")
                                 and not g.ent_type_), None)
                    if noun is not None:
                        lemma = _slug(noun.lemma_)
                        if lemma:
                            return lemma + "_share"
        t = root
        for _ in range(4):
            if t.head == t:
                break
            t = t.head
            if t.pos_ == "VERB" and t.lemma_.lower() in self.movers:
                # what changes names the figure, not the verb: "the UK economy grew 0.6%", and with a
                # transitive verb its object: "the firm cut its workforce by half"; a common noun, even
                # where the small model's NER calls it a name ("Ridership" ORG)
                subj = next((c for c in t.children if c.dep_ == "dobj" and c.pos_ == "NOUN" and c != root
                             and not c.like_num), None) or \
                    next((c for c in t.children if c.dep_ in ("nsubj", "nsubjpass") and
                          (c.pos_ == "NOUN" or c.pos_ == "PROPN" and not c.ent_type_)), None)
                if subj is not None:
                    mods = [c.lower_ for c in subj.children if c.dep_ == "compound" and c.i < subj.i and
                            c.pos_ in ("NOUN", "PROPN") and not c.ent_type_]
                    name = _slug(" ".join(mods + [subj.lemma_]))
                    if name:
                        return name
            if t.pos_ in ("NOUN", "VERB") and not t.like_num:
                lemma = _slug(t.lemma_)
                if lemma:
                    return lemma
        return q.kind

    def _attribution(self, sent: Span, root: Token) -> str | None:
        text = sent.text
        m = re.search(r"\b(according to) ((?:[\w.'’&-]+\s?){1,6}?)(?=[,;]|\.?\s*$|\.\s|\s(?:who|which|that|concerned|on|in)\b)",
                      text, re.I)
        if m:
            return f"{m.group(1)} {m.group(2).strip().rstrip('.')}"
        # a verb of saying above the quantity, or the sentence's main verb with a clause complement
        t = root
        cands = []
        while t.head != t:
            t = t.head
            cands.append(t)
        for v in cands + [sent.root]:
            if v.pos_ == "VERB" and v.lemma_.lower() in self.say_verbs:
                subj = [c for c in v.children if c.dep_ in ("nsubj", "nsubjpass")]
                if subj:
                    s = subj[0]
                    left = s.left_edge.i
                    right = s.right_edge.i
                    if right - left > 6:
                        left = max(left, s.i - 3)
                        right = s.i
                    phrase = sent.doc[left:right + 1].text
                    return f"{phrase} {v.text}".strip()
        for t in sent:
            if t.lower_ in ("reportedly", "allegedly"):
                return t.text
        return None

    def _hedged(self, root: Token, sent: Span) -> bool:
        t = root
        toks = [t]
        while t.head != t:
            t = t.head
            toks.append(t)
        for t in toks:
            if t.lemma_.lower() in self.hedges or t.lower_ in self.hedges:
                return True
            for c in t.children:
                if c.dep_ in ("aux", "auxpass", "advmod") and (c.lemma_.lower() in self.hedges or c.lower_ in self.hedges):
                    return True
        return False


@lru_cache(maxsize=1)
def _grammar() -> QuantityGrammar:
    return QuantityGrammar()


def conversion_claims(c: Claim, text: str) -> list[Claim]:
    """The stated conversions of claim ``c`` as claims of their own.

    "$130 million (100 million pounds)" is one claim in USD whose ``equivalents`` hold the
    pound figure; this returns a second claim for "100 million pounds" (GBP), quoting its own
    characters of ``text`` (the document text ``c``'s offsets refer to) and pointing back with
    ``equivalent_of``. Subject, metric, time, attribution and linking entities are the figure's
    own; a bound written before the figure ("up to £100m (~$126m)") carries over. An
    equivalent whose surface cannot be found in the parentheses right after ``c`` is skipped,
    so provenance stays exact. Returns [] when ``c`` states no equivalent."""
    out: list[Claim] = []
    end = c.provenance.char_end
    close = text.find(")", end, end + 100)
    cursor = end
    for e in c.equivalents:
        if not e.surface or close < 0 or e.unit == c.unit:
            continue  # "3 pounds (1.4kg)": the same measure again in another unit is no new claim
        at = text.find(e.surface, cursor, close)
        if at < 0:
            continue
        cursor = at + len(e.surface)
        raws = _grammar().parse(e.surface)
        r = raws[0] if len(raws) == 1 else None
        prov = replace(c.provenance, char_start=at, char_end=cursor)
        # a range stays a range ("£2-3bn ($2.5-3.8bn)"): its ends scale like the value
        k = float(e.value) / r.value if r and r.value else None
        vmin = r.value_min * k if k is not None and r.value_min is not None and r.value_max is not None else None
        vmax = r.value_max * k if vmin is not None else None
        out.append(replace(
            c, claim_id=stable_id("c", c.doc_id, at, cursor, c.kind, e.unit),
            value=float(e.value), value_min=vmin, value_max=vmax, unit=e.unit,
            surface_value=float(r.value) if r else float(e.value),
            surface_unit=(r.unit_name if r else e.unit) or e.unit,
            approximate=bool(r and r.approximate) or c.approximate,
            bound=(r.bound if r and r.bound else c.bound),
            qualifier=(r.qualifier if r and r.qualifier else c.qualifier),
            equivalents=[], surface=e.surface, provenance=prov, mentions=[], equivalent_of=c.claim_id))
    return out
