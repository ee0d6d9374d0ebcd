"""Entity names: canonical names from ``data/aliases.json`` (:class:`AliasTable`), the
entity mentions of a parsed piece (:func:`entity_mentions`), organisations a text
introduces with a generic noun (:func:`named_by_descriptor`, ``data/coref.json``) and
surnames resolved to the full name (:func:`resolve_people`). Used by the pipeline's
components (:mod:`pipeline.components`) and the annotator (:mod:`pipeline.annotate`)."""
from __future__ import annotations

import re
from functools import lru_cache

from spacy.tokens import Doc

from .datafiles import load_json
from .doctext import doc_text
from .records import Mention

ENTITY_LABELS = {"PERSON", "ORG", "GPE", "NORP", "PRODUCT", "FAC", "LOC", "EVENT", "WORK_OF_ART", "LAW",
                 "ACCELERATOR", "AI_MODEL", "SYSTEM"}


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
