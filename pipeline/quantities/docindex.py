"""Per-document lookups built once, so that per-figure code never rescans the document.

spaCy rebuilds ``Doc.text`` (a join over every token) and ``Doc.ents`` (a new Span per entity)
on each access, and ``Span.ents`` walks every entity of the document. Code that runs once per
figure (the quantity filters, the extractor's name checks, :func:`pipeline.timeref.time_for`)
uses these indexes instead:

- :class:`SpanIndex`: character spans ``(start, end, payload)`` with bisect lookups
  (:meth:`~SpanIndex.covers`, :meth:`~SpanIndex.covering`, :meth:`~SpanIndex.starting_in`);
- :class:`DocIndex`: a document's text and entities, built once per document by
  :func:`doc_index` (cached while the document lives).

The answers are exactly those of the linear scans they replace.
"""
from __future__ import annotations

from collections import OrderedDict
from bisect import bisect_left, bisect_right
from typing import Iterable

from spacy.tokens import Doc, Span

from ..doctext import doc_text


class SpanIndex:
    """Spans ``(start, end, ...)`` (ints first; anything after them is payload) sorted by start,
    with the running maximum of ends, so that "which spans hold position p" costs a bisect.
    Spans may overlap. Iterating yields the spans in start order."""

    __slots__ = ("spans", "starts", "_max_end")

    def __init__(self, spans: Iterable[tuple] = ()):
        self.spans: list[tuple] = sorted(spans, key=lambda s: (s[0], s[1]))
        self.starts = [s[0] for s in self.spans]
        self._max_end: list[int] = []
        top = None
        for s in self.spans:
            top = s[1] if top is None or s[1] > top else top
            self._max_end.append(top)

    def __len__(self) -> int:
        return len(self.spans)

    def __iter__(self):
        return iter(self.spans)

    def covers(self, pos: int) -> bool:
        """Some span has ``start <= pos < end`` (``any(x <= pos < y for x, y, *_ in spans)``)."""
        k = bisect_right(self.starts, pos)
        return k > 0 and self._max_end[k - 1] > pos

    def covering(self, pos: int) -> list[tuple]:
        """The spans with ``start <= pos < end``, in start order."""
        k = bisect_right(self.starts, pos)
        out = []
        j = k - 1
        while j >= 0 and self._max_end[j] > pos:  # no span before j ends after pos once the maximum does not
            if self.spans[j][1] > pos:
                out.append(self.spans[j])
            j -= 1
        out.reverse()
        return out

    def starting_in(self, a: int, b: int) -> list[tuple]:
        """The spans with ``a <= start < b``, in start order."""
        return self.spans[bisect_left(self.starts, a):bisect_left(self.starts, b)]


class DocIndex:
    """A parsed document's text and entities, read from spaCy once.

    ``text``: ``doc.text``; ``ents``: ``doc.ents`` (a tuple of Spans, token order);
    ``chars``: a :class:`SpanIndex` of ``(start_char, end_char, ent)``."""

    def __init__(self, doc: Doc):
        self.text: str = doc_text(doc)  # the one cached copy (annotate.doc_text)
        self.ents: tuple[Span, ...] = tuple(doc.ents)
        self._ent_starts = [e.start for e in self.ents]
        self.chars = SpanIndex((e.start_char, e.end_char, e) for e in self.ents)

    def ents_in(self, span: Span) -> list[Span]:
        """The entities inside ``span``: the same list as ``span.ents``, without walking the
        document's entities."""
        out = []
        for k in range(bisect_left(self._ent_starts, span.start), len(self.ents)):
            e = self.ents[k]
            if e.end > span.end:
                break
            out.append(e)
        return out

    def spans(self, labels: Iterable[str], payload: bool = True) -> SpanIndex:
        """A :class:`SpanIndex` of the entities with one of ``labels``: ``(start_char, end_char,
        text)``, or ``(start_char, end_char)`` when ``payload`` is False."""
        keep = set(labels)
        if payload:
            return SpanIndex((e.start_char, e.end_char, e.text) for e in self.ents if e.label_ in keep)
        return SpanIndex((e.start_char, e.end_char) for e in self.ents if e.label_ in keep)


class RecentDocs:
    """A mapping from the ``limit`` most recently used Docs to values computed from them.

    Not a WeakKeyDictionary: a value that holds a Span holds its Doc, so a weak key would never
    be freed. Bounded, it keeps memory flat over a stream of documents; an evicted value is
    computed again if its document is read again."""

    def __init__(self, limit: int = 64):
        self.limit = limit
        self._d: OrderedDict = OrderedDict()

    def get(self, doc: Doc):
        """The value kept for ``doc`` (now the most recent), or None."""
        v = self._d.get(doc)
        if v is not None:
            self._d.move_to_end(doc)
        return v

    def put(self, doc: Doc, value):
        """Keep ``value`` for ``doc``, dropping the least recently used beyond ``limit``; returns ``value``."""
        self._d[doc] = value
        while len(self._d) > self.limit:
            self._d.popitem(last=False)
        return value


# more than one nlp.pipe batch: the claims stage reads a batch after annotating it
_INDEXES = RecentDocs(64)


def doc_index(doc: Doc, refresh: bool = False) -> DocIndex:
    """The :class:`DocIndex` of ``doc``, built on first use and kept for the 64 most recently
    read documents (:class:`RecentDocs`).

    The index reflects the document's entities when it was built: code that sets ``doc.ents``
    afterwards must pass ``refresh=True`` (the pipeline sets entities only while annotating,
    before any figure is read)."""
    idx = None if refresh else _INDEXES.get(doc)
    return idx if idx is not None else _INDEXES.put(doc, DocIndex(doc))
