"""The entities of one document: an ordered mention index, the organisation the
document is about (salience), and who speaks for whom (affiliations).

* :class:`MentionIndex` keeps a document's mentions sorted by start offset;
  ``at(char)`` and ``last_before(char, labels)`` are ``bisect`` lookups, so
  the claim stage costs O(log M) per token instead of a scan of all M mentions.
* :func:`salience` ranks canonical entities with a small, explainable score:
  ``3`` when the entity is named in the title, ``2`` when it is named in the
  lead (the first ``LEAD_CHARS`` characters after the title), ``1`` per
  mention anywhere and ``2`` more per mention that is a grammatical subject.
  A person affiliated with an organisation counts for it. Ties go to the
  entity named first. The best ORG is what "it", "the company" or "the startup"
  stand for when the sentence itself does not say.
* :func:`affiliations` maps a person's canonical name to an organisation's:
  from ``data/affiliations.json`` and from appositions in the document
  ("X, chief executive of Y", "Y's CEO X", "Y CEO X", "X, Y's founder").
  A role title with no organisation ("CEO Jensen Huang said") affiliates the
  person with the document's salient organisation.

All offsets are characters into ``Article.text`` (half-open ``[start, end)``).
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import Iterable

from spacy.tokens import Doc

from .annotate import load_json
from .records import EntityRef, Mention

LEAD_CHARS = 300  # the lead: this many characters after the title
TITLE_WEIGHT, LEAD_WEIGHT, MENTION_WEIGHT, SUBJECT_WEIGHT = 3, 2, 1, 2
SALIENT_LABELS = ("ORG",)


def _coref() -> dict:
    return load_json("coref.json")


def role_words() -> set[str]:
    """Single lower-case words of the role titles in ``data/coref.json`` ("ceo", "chief", ...)."""
    return {w for r in _coref()["role_titles"] for w in r.lower().split()}


def government_words() -> set[str]:
    """Single lower-case words of the government roles ("prime", "minister", ...)."""
    return {w for r in _coref()["government_roles"] for w in r.lower().split()}


class MentionIndex:
    """A document's entity mentions ordered by start offset (non-overlapping, as spaCy's ents are).

    ``at(i)`` returns the mention covering character ``i`` (or None);
    ``last_before(i, labels)`` the last mention ending at or before ``i`` with a label in
    ``labels``. Both are ``bisect`` lookups; ``in_range(a, b)`` lists the mentions starting in
    ``[a, b)``.
    """

    def __init__(self, mentions: Iterable[Mention]):
        self.mentions: list[Mention] = sorted(mentions, key=lambda m: (m.start, m.end))
        self.starts = [m.start for m in self.mentions]
        self._by_label: dict[frozenset, tuple[list[int], list[Mention]]] = {}

    def __len__(self) -> int:
        return len(self.mentions)

    def at(self, i: int) -> Mention | None:
        """The mention covering document character ``i``, or None."""
        k = bisect.bisect_right(self.starts, i) - 1
        if k >= 0 and self.mentions[k].start <= i < self.mentions[k].end:
            return self.mentions[k]
        return None

    def in_range(self, a: int, b: int) -> list[Mention]:
        """The mentions starting in ``[a, b)`` (document characters), in start order."""
        lo = bisect.bisect_left(self.starts, a)
        hi = bisect.bisect_left(self.starts, b)
        return self.mentions[lo:hi]

    def last_before(self, i: int, labels: Iterable[str]) -> Mention | None:
        """The last mention ending at or before document character ``i`` whose label is in ``labels``, or
        None."""
        key = frozenset(labels)
        if key not in self._by_label:
            ms = [m for m in self.mentions if m.label in key]
            self._by_label[key] = ([m.end for m in ms], ms)
        ends, ms = self._by_label[key]
        k = bisect.bisect_right(ends, i) - 1
        return ms[k] if k >= 0 else None


class PieceMentions:
    """A :class:`MentionIndex` seen from one spaCy piece: offsets relative to the piece
    (``tok.idx``), translated by the piece's offset ``off`` in the article."""

    def __init__(self, index: MentionIndex, off: int, entities: "DocEntities | None" = None):
        self.index = index
        self.off = off
        self.entities = entities  # the document's salience and affiliations, when known

    def topic(self, labels: Iterable[str] = SALIENT_LABELS, exclude: Iterable[str] = ()) -> EntityRef | None:
        """The document's best-ranked entity with one of ``labels`` and not in ``exclude``
        (:meth:`DocEntities.topic`); None when the document's entities are not known."""
        return self.entities.topic(labels, exclude) if self.entities is not None else None

    def at(self, i: int) -> Mention | None:
        """The mention covering piece character ``i`` (a ``tok.idx``), or None."""
        return self.index.at(i + self.off)

    def last_before(self, i: int, labels: Iterable[str]) -> Mention | None:
        """The last mention ending at or before piece character ``i`` whose label is in ``labels``, or
        None."""
        return self.index.last_before(i + self.off, labels)


@dataclass
class DocEntities:
    """Everything the claim stage knows about a document's entities."""

    index: MentionIndex
    salience: list[tuple[str, str, float]] = field(default_factory=list)  # (canonical, label, score), best first
    affiliation: dict[str, str] = field(default_factory=dict)  # person canonical -> organisation canonical
    title_span: tuple[int, int] | None = None  # the title's characters inside the text, if it is there
    title_entities: list[EntityRef] = field(default_factory=list)

    def topic(self, labels: Iterable[str] = SALIENT_LABELS, exclude: Iterable[str] = ()) -> EntityRef | None:
        """The best-ranked entity with one of ``labels`` (and not in ``exclude``): what the
        document is about."""
        labels, exclude = set(labels), set(exclude)
        for canonical, label, _ in self.salience:
            if label in labels and canonical not in exclude:
                return EntityRef(canonical, canonical, label)
        return None

    def rank(self, canonical: str) -> int:
        """Position of ``canonical`` in the salience ranking (0 = the topic)."""
        if not hasattr(self, "_rank"):
            self._rank = {c: i for i, (c, _, _) in enumerate(self.salience)}
        return self._rank.get(canonical, len(self.salience))


def title_span(text: str, title: str | None) -> tuple[int, int] | None:
    """Where the title sits in the text: a prefix (a title + excerpt item), else None."""
    if title and text.startswith(title.strip()):
        return 0, len(title.strip())
    return None


def salience(index: MentionIndex, pieces: list[tuple[Doc, int]], span: tuple[int, int] | None,
             title: str | None = None, affiliation: dict[str, str] | None = None) -> list[tuple[str, str, float]]:
    """Rank the canonical entities of a document (see the module doc for the score)."""
    affiliation = affiliation or {}
    score: dict[str, float] = {}
    label: dict[str, str] = {}
    first: dict[str, int] = {}
    in_title: set[str] = set()
    in_lead: set[str] = set()
    title_end = span[1] if span else 0
    lead_end = title_end + LEAD_CHARS

    def owner(m: Mention) -> tuple[str, str]:
        org = affiliation.get(m.canonical) if m.label == "PERSON" else None
        return (org, "ORG") if org else (m.canonical, m.label)

    for m in index.mentions:
        c, lab = owner(m)
        score[c] = score.get(c, 0.0) + MENTION_WEIGHT
        label.setdefault(c, lab)
        first.setdefault(c, m.start)
        if span and m.start < title_end:
            in_title.add(c)
        elif m.start < lead_end:
            in_lead.add(c)
    if span is None and title:  # a title kept apart from the text (HTML): names of the text found in it
        low = title.lower()
        names: dict[str, set[str]] = {}
        for m in index.mentions:
            names.setdefault(owner(m)[0], set()).add(m.text.lower())
        for c, ns in names.items():
            if any(re.search(r"\b" + re.escape(n) + r"\b", low) for n in ns | {c.lower()} if n):
                in_title.add(c)
    for c in in_title:
        score[c] += TITLE_WEIGHT
    for c in in_lead:
        score[c] += LEAD_WEIGHT
    for doc, off in pieces:
        for tok in doc:
            if tok.dep_ in ("nsubj", "nsubjpass"):
                m = index.at(tok.idx + off)
                if m is not None:
                    score[owner(m)[0]] += SUBJECT_WEIGHT
    ranked = sorted(score, key=lambda c: (-score[c], first[c]))
    return [(c, label[c], score[c]) for c in ranked]


def affiliations(index: MentionIndex, pieces: list[tuple[Doc, int]]) -> tuple[dict[str, str], set[str]]:
    """Person canonical -> organisation canonical, from the document's appositions, then the data
    file; and the persons introduced by a bare role title ("CEO Jensen Huang"), whose organisation
    is the document's topic when nothing else says."""
    known = load_json("affiliations.json")["people"]
    roles = role_words()
    gov = government_words()
    out: dict[str, str] = {}
    bare: set[str] = set()
    for doc, off in pieces:
        for ent in doc.ents:
            if ent.label_ != "PERSON":
                continue
            person = index.at(ent.start_char + off)
            if person is None or person.label != "PERSON":
                continue
            org = _apposition_org(doc, ent, off, index, roles) or \
                _apposition_org(doc, ent, off, index, gov, labels=("GPE", "NORP"))
            if org:
                out.setdefault(person.canonical, org)
            elif _has_bare_role(doc, ent, roles) and not _has_bare_role(doc, ent, gov):
                bare.add(person.canonical)
    surnames: dict[str, set[str]] = {}
    for person, org in known.items():
        out.setdefault(person, org)
        surnames.setdefault(person.split()[-1], set()).add(org)
    for m in index.mentions:  # a surname alone ("Zuckerberg revealed"), when it names one known person
        if m.label == "PERSON" and " " not in m.canonical and len(surnames.get(m.canonical, ())) == 1:
            out.setdefault(m.canonical, next(iter(surnames[m.canonical])))
    return out, bare - set(out)


def _org_at(tok, off: int, index: MentionIndex, labels: tuple[str, ...] = ("ORG",)) -> str | None:
    m = index.at(tok.idx + off)
    return m.canonical if m is not None and m.label in labels else None


def _apposition_org(doc: Doc, ent, off: int, index: MentionIndex, roles: set[str],
                    labels: tuple[str, ...] = ("ORG",)) -> str | None:
    """"Y's CEO X" / "Y CEO X" (before the name) and "X, (the) chief executive of Y" /
    "X, Y's founder" (after it)."""
    # before: role words right before the name, and an organisation right before them
    i = ent.start - 1
    saw_role = False
    while i >= 0 and (doc[i].lower_ in roles or doc[i].lower_ in ("-", "and", "&")):
        saw_role = saw_role or doc[i].lower_ in roles
        i -= 1
    if saw_role and i >= 0:
        if doc[i].lower_ in ("'s", "’s", "'") and i > 0:
            i -= 1
        org = _org_at(doc[i], off, index, labels)
        if org:
            return org
    # after: ", [the|its] [Y's] role ... of|at Y" within the apposition
    j = ent.end
    if j < len(doc) and doc[j].text == ",":
        k = j + 1
        stop = min(len(doc), k + 10)
        saw_role = False
        while k < stop and doc[k].text not in (",", ".", ";", "(", ")") and not doc[k].pos_ == "VERB":
            org = _org_at(doc[k], off, index, labels)
            if org and (saw_role or any(doc[x].lower_ in roles for x in range(k, stop) if doc[x].text != ",")):
                return org
            saw_role = saw_role or doc[k].lower_ in roles
            k += 1
    return None


def _has_bare_role(doc: Doc, ent, roles: set[str]) -> bool:
    """A role title right before the name with no organisation: "CEO Jensen Huang"."""
    i = ent.start - 1
    return i >= 0 and doc[i].lower_ in roles


def document_entities(mentions: list[Mention], pieces: list[tuple[Doc, int]], text: str,
                      title: str | None) -> DocEntities:
    """Index, salience ranking, affiliations and title entities of one document."""
    index = MentionIndex(mentions)
    span = title_span(text, title)
    affiliation, bare = affiliations(index, pieces)
    ranked = salience(index, pieces, span, title, affiliation)
    de = DocEntities(index=index, salience=ranked, title_span=span, affiliation=affiliation)
    topic = de.topic()
    if topic is not None:
        for person in bare:
            affiliation[person] = topic.canonical
    if span:
        seen = set()
        for m in index.in_range(span[0], span[1]):
            if m.canonical not in seen:
                seen.add(m.canonical)
                de.title_entities.append(EntityRef(m.text, m.canonical, m.label))
    return de
