"""Typed records, all in one place.

Data flows one way: Article -> AnnotatedDoc (spaCy Doc + entity mentions)
-> Quantity -> Claim -> Fact / Conflict -> files.

Character offsets are always half-open ``[start, end)`` intervals into
``Article.text``, the exact text that ``documents.jsonl`` stores for the
document (for .txt/.md/.jsonl it is the file's own text; for HTML it is the
visible text extracted from the page).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Article:
    """One input document, as read by :mod:`pipeline.ingest`."""

    doc_id: str  # content hash of ``text``
    text: str
    path: str  # the first path it was read from
    format: str  # txt | md | html | jsonl
    paths: list[str] = field(default_factory=list)  # every path with this content
    title: str | None = None
    outlet: str | None = None
    url: str | None = None
    published: str | None = None  # as given: "2024-07" or "2024-07-23"
    encoding: str = "utf-8"
    # spans of ``text`` that are web boilerplate (comment forms, photo
    # credits, "Previous Post Next Post"): no claims are taken from them.
    boilerplate: list[tuple[int, int]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    author: str | None = None
    # where each metadata field came from: manifest | page | warc | jsonl (absent: unknown)
    metadata_source: dict[str, str] = field(default_factory=dict)
    # HTML: which reader made ``text`` (trafilatura | visible-text); None for other formats
    reader: str | None = None
    # ``[start, end)`` of the headline (the title) in ``text``, when it is there; its claims are marked
    headline: tuple[int, int] | None = None

    def metadata(self) -> dict[str, Any]:
        """Title, outlet, url, published (ISO date or month) and author, None when unknown."""
        return {
            "title": self.title,
            "outlet": self.outlet,
            "url": self.url,
            "published": self.published,
            "author": self.author,
        }


@dataclass
class IngestError:
    """An input that could not be read (or read only in part)."""

    path: str
    reason: str
    kind: str  # empty | binary | decode | not_found | unreadable | manifest | jsonl | loop | ...
    line: int | None = None
    fatal: bool = True  # False: the document was still processed (e.g. decoded as cp1252)


@dataclass
class Mention:
    """An entity mention in a document, with its canonical name."""

    text: str
    canonical: str
    label: str  # spaCy label (ORG, PERSON, ...) or a ruler label (ACCELERATOR, AI_MODEL, SYSTEM)
    start: int
    end: int


@dataclass
class EntityRef:
    """An entity as a claim refers to it: ``text`` as written, ``canonical`` name (aliases,
    coreference and affiliations applied; the key linking compares) and spaCy-style ``label``
    (ORG, PERSON, GPE, PRODUCT, ..., or ``NP`` for a plain noun phrase)."""

    text: str
    canonical: str
    label: str  # entity label, or "NP" for a noun phrase


@dataclass
class Equivalent:
    """A conversion stated next to a figure ("$10.5bn (£8.9bn)"): ``value`` in the normalised
    ``unit`` (GBP, m, ...) and the ``surface`` as written inside the parentheses."""

    value: float
    unit: str
    surface: str | None = None


@dataclass
class Quantity:
    """A normalised quantity found in text (before it becomes a claim)."""

    start: int
    end: int
    surface: str
    kind: str  # money | power | energy | chip_count | user_count | count | percentage | parameter_count | other
    value: float  # in the normalised unit
    unit: str  # USD, W, Wh, percent, parameters, GPU, counted-noun lemma, ...
    surface_value: float  # scaled by scale words, in the unit as written
    surface_unit: str  # "dollar", "megawatt", "percentage", counted noun, "-" when none
    value_min: float | None = None
    value_max: float | None = None
    surface_min: float | None = None
    surface_max: float | None = None
    approximate: bool = False
    bound: str | None = None  # lower | upper | None
    qualifier: str | None = None  # the hedge / bound word as written
    equivalents: list[Equivalent] = field(default_factory=list)
    rate: str | None = None  # month | year | unit | ...
    counted: str | None = None  # the counted noun phrase ("Nvidia H100 GPUs")
    change: str = "="  # = ~ > < up down (NewsQuant's notion)
    vague: bool = False  # "hundreds of millions", "billions"
    partitive: bool = False  # "one of the biggest deals": a quantity, but not a claim
    head: int | None = None  # index of the spaCy token the quantity hangs on

    @property
    def is_range(self) -> bool:
        """True for a stated range ("$3-4bn"), not for a vague magnitude with bounds."""
        return self.value_min is not None and self.value_max is not None and not self.vague


@dataclass
class TimeRef:
    """The period a claim refers to: ``text`` as written ("last quarter"), ISO dates
    ``start``..``end`` (inclusive days), anchored on the publication date."""

    text: str | None
    start: str | None  # ISO date
    end: str | None
    source: str = "text"  # text (claims: always); published (facts only: resolve's fallback to the article's date)


@dataclass
class Provenance:
    """Where a claim comes from: ``Article.text[char_start:char_end] == Claim.surface``;
    ``sentence`` starts at ``sentence_start`` in the same text."""

    doc_id: str
    path: str
    outlet: str | None
    url: str | None
    published: str | None
    sentence: str
    char_start: int
    char_end: int
    sentence_start: int = 0
    headline: bool = False  # the claim is in the document's headline (Article.headline)


@dataclass
class Claim:
    """One quantity stated in one article, with its meaning: subject, metric, value (float in
    the normalised ``unit``; ``value_min``/``value_max`` for ranges, bounds and vague
    magnitudes), hedges, time, attribution and exact provenance. Serialised by
    :meth:`to_dict` as one line of ``claims.jsonl`` (``schemas/claim.schema.json``)."""

    claim_id: str
    doc_id: str
    kind: str
    metric: str
    subject: EntityRef | None
    object: EntityRef | None
    value: float
    value_min: float | None
    value_max: float | None
    unit: str
    surface_value: float
    surface_unit: str
    approximate: bool
    bound: str | None
    qualifier: str | None
    equivalents: list[Equivalent]
    rate: str | None
    surface: str
    time: TimeRef | None
    attribution: str | None
    hedged: bool
    provenance: Provenance
    extractor: dict[str, str]
    vague: bool = False
    counted: str | None = None
    mentions: list[dict[str, Any]] = field(default_factory=list)  # merged repeats in one doc
    scope: str | None = None  # a restricting phrase of the sentence: "in 54 games"
    # ranked canonical entities of the claim's sentence (plus the title for short
    # items): the material record linkage compares. Best first.
    entities: list[EntityRef] = field(default_factory=list)
    # a stated conversion ("$130 million (100 million pounds)") is also a claim of its own, in
    # its own currency and unit, quoting its own surface; this is the claim_id of the figure it
    # converts. Conversions join facts but never make a conflict on their own (pipeline.resolve).
    equivalent_of: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The record as JSON-ready nested dicts and lists (its schema's field names)."""
        return asdict(self)


@dataclass
class Fact:
    """Claims judged to state the same thing for the same period (``key``), with the agreed
    value or ``status`` "conflict", the sources (independent vs copied) and the decision that
    resolved it. One line of ``facts.jsonl`` (``schemas/fact.schema.json``)."""

    fact_id: str
    key: dict[str, Any]
    subject: EntityRef | None
    object: EntityRef | None
    metric: str
    kind: str
    unit: str
    time: TimeRef | None
    value: float | None
    value_min: float | None
    value_max: float | None
    status: str  # agreed | single | conflict | resolved
    claim_ids: list[str]
    sources: dict[str, Any]
    provenance: list[dict[str, Any]]
    resolution: dict[str, Any] | None = None
    # timeline: facts with the same ``series`` are the same thing at different times (or
    # figures too far apart in publication to conflict); ``updates`` is the fact_id of the
    # previous fact of the series (ordered by period, then publication)
    series: str | None = None
    updates: str | None = None
    why: dict[str, Any] | None = None  # the links (signals, weights) that made this fact

    def to_dict(self) -> dict[str, Any]:
        """The record as JSON-ready nested dicts and lists (its schema's field names)."""
        return asdict(self)


@dataclass
class Conflict:
    """Incompatible value groups of one fact from independent sources, with a reason,
    severity and the reviewer's resolution if any. One line of ``conflicts.jsonl``
    (``schemas/conflict.schema.json``)."""

    conflict_id: str
    fact_id: str
    key: dict[str, Any]
    groups: list[dict[str, Any]]
    reason: str
    severity: str  # low | medium | high
    resolution: dict[str, Any] | None = None
    why: dict[str, Any] | None = None  # the pair that makes it a conflict: signals, periods, sources
    # a decision made before new claims brought another value: shown, no longer applied
    previous_decision: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        """The record as JSON-ready nested dicts and lists (its schema's field names)."""
        return asdict(self)


def to_jsonable(obj: Any) -> Any:
    """Dataclasses (and lists/dicts of them) to plain JSON values."""
    if hasattr(obj, "__dataclass_fields__"):
        return asdict(obj)
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(o) for o in obj]
    if isinstance(obj, dict):
        return {k: to_jsonable(v) for k, v in obj.items()}
    return obj


@dataclass
class DroppedCandidate:
    """A figure the quantity grammar found but a named filter dropped (for explanations).

    ``start``/``end``: characters of the article text; ``reason``: a name of
    ``pipeline.quantities.filters.FILTERS`` ("year", "identifier", "bare_number", ...)."""

    start: int
    end: int
    surface: str
    reason: str
