"""Blocking: the coarse keys that decide which claims are compared at all."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Iterable

from pipeline.records import Claim, EntityRef
from pipeline.words import singular

from .config import load_config
from .intervals import claim_type, claim_units, norm_unit
from .periods import Period, claim_period, explicit_period, publication_date


def counted_head(c: Claim, cfg: dict) -> str:
    """The counted thing: head noun of ``counted`` (else the unit), singular,
    lower-case, through ``units.counted_aliases``."""
    src = c.counted or norm_unit(c.unit, cfg) or ""
    words = re.findall(r"[A-Za-z0-9]+", src)
    head = singular(words[-1]) if words else ""
    return cfg["units"].get("counted_aliases", {}).get(head, head)


def _canon(e: EntityRef | None) -> str | None:
    if e is None:
        return None
    return (e.canonical or e.text or "").strip() or None


@dataclass
class _P:
    claim: Claim
    order: int
    block: tuple
    period: Period
    units: list[str]
    ctype: str
    subject: str | None
    obj: str | None
    metric: str
    dimension: str
    doc_scope: str | None
    # linking material (see :func:`entity_keys`, :func:`candidate_pairs`)
    ents: list[str] = field(default_factory=list)
    published: date | None = None
    explicit: Period | None = None
    doc_ents: list[str] = field(default_factory=list)  # the article's main names (:func:`attach_doc_names`)
    words: list[str] = field(default_factory=list)  # content words of the sentence (:func:`sentence_words`)


def _block_parts(c: Claim, cfg: dict) -> tuple:
    """(subject, object, metric, dimension, doc_scope): claims are compared only
    inside one such block (module docstring, "Grouping")."""
    subject = _canon(c.subject)
    # a named target ("into Scale AI") separates facts; a descriptive one ("in data centers") does not
    obj = _canon(c.object) if c.object is not None and c.object.label != "NP" else None
    metric = (c.metric or "").strip()
    metric = cfg["metrics"]["aliases"].get(metric, metric)
    group = cfg["kinds"]["groups"].get(c.kind, c.kind)
    dim = group
    if group == "count":
        dim = "count:" + counted_head(c, cfg)
    elif group == "other" and c.unit:
        # measures of different quantities (inches, pounds, hours, gigabytes) never compare: block
        # them apart, so one product's many specs do not crowd each other's blocks past max_block
        dim = "other:" + c.unit
    if c.rate:
        dim += "/" + c.rate
    if getattr(c, "scope", None):
        # "43 RBIs in 54 games" is not the season's 121 RBIs: a scoped figure is its own fact
        nums = re.findall(r"\d[\d,.]*", c.scope)
        words = re.findall(r"[a-z]+", c.scope.lower())
        dim += " @" + " ".join(nums + [singular(words[-1])] if words else nums)
    doc_scope = c.doc_id if (subject is None or not metric) else None
    return (subject, obj, metric, dim, doc_scope)


def block_key(claim: Claim, documents: dict[str, dict] | None = None, cfg: dict | None = None) -> str:
    """The coarse key every pair of compared claims shares: a JSON string of the claim's dimension
    (kind group, counted noun, rate, scope).  Resolution is a group-by on it:
    :func:`resolve_partition` on any union of whole groups, then :func:`merge_partitions`.
    :func:`partition_keys` gives finer groups (chains of shared blocks) for the same purpose.
    ``cfg`` is ``load_config(config)`` (loaded here when None); ``documents`` is accepted for
    symmetry with :func:`resolve_partition`; the key does not depend on it."""
    dim = _block_parts(claim, cfg if cfg is not None else load_config())[3]
    return json.dumps([dim], ensure_ascii=False)


def _prepare(c: Claim, order: int, documents: dict, cfg: dict) -> _P:
    block = _block_parts(c, cfg)
    subject, obj, metric, dim, doc_scope = block
    who = set(_WORDS_RE.findall((subject or "").lower()))
    words = [w for w in sentence_words(c.provenance.sentence if c.provenance else "", c.surface, cfg)
             if w not in who]  # the subject is compared on its own: words say what else
    return _P(c, order, block, claim_period(c, documents, cfg), claim_units(c, cfg), claim_type(c),
              subject, obj, metric, dim, doc_scope, entity_keys(c, cfg),
              publication_date(c, documents), explicit_period(c),
              words=words)


_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9.&'’-]*")
_POSS_RE = re.compile(r"['’]s$")
_SPACE_RE = re.compile(r"\s+")
_FIGURE_RE = re.compile(r"[\d.,$€£%]+[a-z]{0,3}")


def _key(name: str) -> str:
    k = _POSS_RE.sub("", name.strip().lower()).strip(".,;:-'’ ")
    return _SPACE_RE.sub(" ", k)


_WORDS_RE = re.compile(r"[a-z][a-z0-9-]+")


def sentence_words(sentence: str, surface: str, cfg: dict) -> list[str]:
    """Content words of the claim's sentence, lower-cased, without the figure's own words,
    stop words (``dependence.stopwords``, ``names.stop``) and repeats: what the sentence is about
    ('13-inch', 'retina', 'air', 'seed', 'round')."""
    stop = cfg["names"].get("_wordstop")
    if stop is None:
        stop = cfg["names"]["_wordstop"] = frozenset(cfg["dependence"]["stopwords"]) | frozenset(cfg["names"]["stop"])
    own = set(_WORDS_RE.findall((surface or "").lower()))
    out: list[str] = []
    for w in _WORDS_RE.findall((sentence or "").lower()):
        if w in stop or w in own or w in out:
            continue
        out.append(w)
    return out


def sentence_names(sentence: str, cfg: dict) -> list[str]:
    """Names read from a sentence (config ``names``): capitalised words and words mixing capitals
    and digits (H100, GPT-4), lower-cased, in order, without repeats.  The fallback when
    ``Claim.entities`` is empty."""
    stop = cfg["names"].get("_stopset")
    if stop is None:
        stop = cfg["names"]["_stopset"] = frozenset(cfg["names"]["stop"])
    out: list[str] = []
    for m in _NAME_RE.finditer(sentence or ""):
        w = m.group(0)
        if not w[0].isupper() and not (w.lower() != w and any(ch.isdigit() for ch in w)):
            continue
        k = _key(w)
        if len(k) < 2 or k in stop or k.isdigit() or _FIGURE_RE.fullmatch(k):
            continue
        if k not in out:
            out.append(k)
    return out


def entity_keys(c: Claim, cfg: dict) -> list[str]:
    """The claim's canonical entities, best first, lower-cased: subject, named object, then
    ``Claim.entities`` (ranked by the claims stage), else the names of its sentence.  Noun phrases
    (label NP) are not entities."""
    out: list[str] = []

    def add(k: str | None) -> None:
        if k and k not in out:
            out.append(k)

    for e in (c.subject, c.object):
        if e is not None and e.label != "NP":
            add(_key(_canon(e) or ""))
    for e in c.entities or []:
        if e is not None and e.label != "NP":
            add(_key(_canon(e) or ""))
    if not c.entities:
        for k in sentence_names(c.provenance.sentence if c.provenance else "", cfg):
            add(k)
    return out


def attach_doc_names(ps: list[_P], documents: dict[str, dict], cfg: dict) -> None:
    """Set ``doc_ents`` of every claim: its article's ``linking.doc_names`` most frequent names
    (title names count ``title_weight`` times, each claim's names once; ties to the first seen).
    A document's ``_names`` (set by :func:`pipeline.resolve.with_corpus_stats` from all its
    claims) are used as they are, so a partition holding part of a document weighs it alike."""
    n = int(cfg["linking"]["doc_names"])
    tw = int(cfg["linking"]["title_weight"])
    by_doc: dict[str, list[_P]] = {}
    for p in ps:
        by_doc.setdefault(p.claim.doc_id, []).append(p)
    for doc, members in by_doc.items():
        given = (documents.get(doc) or {}).get("_names")
        if given is not None:  # computed over the whole corpus (resolve.with_corpus_stats)
            for p in members:
                p.doc_ents = list(given)
            continue
        counts: dict[str, int] = {}
        title = (documents.get(doc) or {}).get("title") or ""
        for k in sentence_names(title, cfg):
            counts[k] = counts.get(k, 0) + tw
        for p in members:
            for k in p.ents:
                counts[k] = counts.get(k, 0) + 1
        first = {k: i for i, k in enumerate(counts)}
        top = sorted(counts, key=lambda k: (-counts[k], first[k]))[:n]
        for p in members:
            p.doc_ents = top


def blocking_keys(p: _P, cfg: dict) -> list[tuple]:
    """The blocks a claim is compared in: (dimension, 'e', name) for its first
    ``linking.max_keys`` entities, (dimension, 'n', name) for its article's first
    ``linking.doc_keys`` main names (a separate key space: a name common as an article name does
    not crowd out the claims whose own entity it is), (dimension, 'd', document) and
    with ``linking.value_blocks``, (dimension, 'v', unit, value to 3 significant digits): the same
    figure, however worded around it (a common figure such as $1bn fills its block past
    ``max_block`` and is skipped)."""
    lc = cfg["linking"]
    return ([(p.dimension, "e", k) for k in p.ents[:int(lc["max_keys"])]]
            + [(p.dimension, "n", k) for k in p.doc_ents[:int(lc["doc_keys"])]]
            + [(p.dimension, "d", p.claim.doc_id)]
            + ([(p.dimension, "v", p.units[0] if p.units else "", float(f"{float(p.claim.value):.3g}"))]
               if cfg["linking"]["value_blocks"] else []))


def candidate_pairs(ps: list[_P], cfg: dict, stats: dict | None = None) -> list[tuple[int, int]]:
    """Pairs (i, j), i < j, of positions in ``ps`` that share a block.  A block of more than
    ``linking.max_block`` claims is skipped (a name that common does not discriminate; a document
    with that many figures of one dimension is compared through its names only), so the
    pairs are at most ``len(ps) x max_keys x max_block``: linear in the number of claims."""
    cap = int(cfg["linking"]["max_block"])
    blocks: dict[tuple, list[int]] = {}
    for i, p in enumerate(ps):
        for k in blocking_keys(p, cfg):
            blocks.setdefault(k, []).append(i)
    pairs: set[tuple[int, int]] = set()
    skipped = 0
    vcap = int(cfg["linking"].get("max_value_block", cap))
    for k, members in blocks.items():
        if len(members) > (vcap if k[1] == "v" else cap):
            skipped += 1
            continue
        for x in range(len(members)):
            for y in range(x + 1, len(members)):
                pairs.add((members[x], members[y]))
    if stats is not None:
        stats["blocks"] = len(blocks)
        stats["largest_block"] = max((len(v) for k, v in blocks.items() if len(v) <= cap), default=0)
        stats["skipped_blocks"] = skipped
        stats["candidate_pairs"] = len(pairs)
    return sorted(pairs)


def partition_keys(claims: Iterable[Claim], documents: dict[str, dict] | None, cfg: dict) -> dict[str, str]:
    """claim_id -> partition key: claims that can be compared (a chain of shared blocks) share a
    key, so any union of whole key groups can be resolved on its own (:func:`resolve_partition`)."""
    return partition_plan(claims, documents, cfg)[0]


def partition_plan(claims: Iterable[Claim], documents: dict[str, dict] | None, cfg: dict,
                   stats: dict | None = None) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """(claim_id -> partition key, the corpus's candidate pairs as (claim_id, claim_id)).

    Blocking runs once over the whole corpus: a partition compares exactly these pairs (a block
    capped corpus-wide stays capped in a partition that holds part of it), so the facts do not
    depend on how the claims are partitioned.  ``stats`` receives blocking's counts."""
    claims = sorted(claims, key=_claim_sort_key)
    ps = [_prepare(c, i, documents or {}, cfg) for i, c in enumerate(claims)]
    attach_doc_names(ps, documents or {}, cfg)
    parent = list(range(len(ps)))
    pairs = candidate_pairs(ps, cfg, stats)

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i, j in pairs:
        ri, rj = find(i), find(j)
        if ri != rj:
            parent[max(ri, rj)] = min(ri, rj)
    keys = {p.claim.claim_id: ps[find(i)].claim.claim_id for i, p in enumerate(ps)}
    return keys, [(ps[i].claim.claim_id, ps[j].claim.claim_id) for i, j in pairs]


def _claim_sort_key(c: Claim) -> tuple:
    p = c.provenance
    return (c.doc_id, p.char_start if p else 0, p.char_end if p else 0, c.claim_id)

