"""``factpipe explain``: why each number in a short text became a claim, or did not.

:func:`explain` runs the extraction stages on one text (a sentence or a paragraph) exactly
as ``factpipe extract`` does, and keeps what each stage decided:

* the tokens and the entity mentions (label, canonical name, character offsets);
* every *candidate number* the quantity grammar found, with either the quantity it became
  or the named filter (:data:`pipeline.quantities.filters.FILTERS`) that dropped it;
* every claim with its subject, metric and time, and the rule that chose each
  (:attr:`pipeline.claims.ClaimBuilder.why`).

:func:`render_text` prints that for a terminal; :func:`render_html` shows the candidates in
displaCy's span view followed by the claims. Offsets are characters of the text as given.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from .records import Article, Claim, Mention

PUBLISHED_RE = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?)?")


@dataclass
class Candidate:
    """A number the grammar found. ``outcome``: ``quantity`` (kept), ``dropped`` (a filter
    named in ``reason`` dropped it), ``conversion`` (a stated equivalent of a figure in another
    currency, "(£8.9bn)" after "$10.5bn", which is its own claim) or ``equivalent`` (one in the same
    measure, "12 inches (30 cm)", which is not); ``claim_id`` is set when it became a claim."""

    start: int
    end: int
    surface: str
    outcome: str
    reason: str = ""  # the filter name, for dropped candidates
    description: str = ""  # the filter's one-line description, or the quantity in words
    claim_id: str | None = None


@dataclass
class Explanation:
    """What :func:`explain` found in ``text``."""

    text: str
    published: str | None
    tokens: list[tuple[str, str]]  # (token text, entity label or "")
    mentions: list[Mention]
    candidates: list[Candidate]
    claims: list[Claim]
    why: dict[str, dict[str, str]] = field(default_factory=dict)  # claim_id -> field -> rule


@lru_cache(maxsize=2)
def cached_extractor(model: str | None = None):
    """A :class:`pipeline.run.Extractor` per model name, loaded once per process."""
    from .run import Extractor
    return Extractor(model=model)


def check_published(published: str | None) -> None:
    """Raise ``ValueError`` unless ``published`` is None or ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``."""
    if published is None:
        return
    if PUBLISHED_RE.fullmatch(published):
        parts = [int(x) for x in published.split("-")] + [1, 1]
        try:
            date(parts[0], parts[1], parts[2])
            return
        except ValueError:
            pass
    raise ValueError(f"--published {published!r}: expected a date YYYY, YYYY-MM or YYYY-MM-DD")


def explain(text: str, published: str | None = None, extractor=None) -> Explanation:
    """Explain the extraction of ``text``.

    ``extractor``: a :class:`pipeline.run.Extractor` to reuse (its model is loaded once);
    by default a new one with the default model. Raises ``ValueError`` for an empty text
    or a malformed ``published`` date, :class:`pipeline.ModelNotFound` when the model
    cannot be loaded."""
    if not text or not text.strip():
        raise ValueError("TEXT is empty: give a sentence or a paragraph")
    check_published(published)
    from .ingest import make_doc_id
    from .quantities.filters import FILTERS

    ex = extractor or cached_extractor()
    art = Article(doc_id=make_doc_id(text), text=text, path="<explain>", format="txt", published=published)
    ad = next(iter(ex.annotator.annotate([art])))
    dropped_all = []
    quantities = []
    for doc, off in ad.pieces:
        dropped: list = []
        quantities.append(ex.quantities(doc, ad.mentions, off, art.boilerplate, keep_bare=False, dropped=dropped))
        dropped_all.extend(dropped)
    builder = ex.builder
    builder.why = {}
    try:
        claims = builder.build(ad, quantities)
        why = builder.why
    finally:
        builder.why = None
    by_span = {(c.provenance.char_start, c.provenance.char_end): c.claim_id for c in claims}
    cands = [Candidate(q.start, q.end, q.surface, "quantity", description=_quantity_words(q),
                       claim_id=by_span.get((q.start, q.end)))
             for qs in quantities for q in qs]
    cands += [Candidate(d.start, d.end, d.surface, "dropped", d.reason, FILTERS.get(d.reason, ""))
              for d in dropped_all]
    figure_of = {c.claim_id: c for c in claims}
    cands += [Candidate(c.provenance.char_start, c.provenance.char_end, c.surface, "conversion",
                        description=f"of {figure_of[c.equivalent_of].surface!r}: {c.kind} {c.value} {c.unit}"
                        if c.equivalent_of in figure_of else f"{c.kind} {c.value} {c.unit}",
                        claim_id=c.claim_id)
              for c in claims if c.equivalent_of]
    # an equivalent in the figure's own dimension ("12 inches (30 cm)") is no claim of its own
    converted = {(c.provenance.char_start, c.provenance.char_end) for c in claims if c.equivalent_of}
    for c in claims:
        for eq in c.equivalents:
            at = text.find(eq.surface, c.provenance.char_end, c.provenance.char_end + 40) if eq.surface else -1
            if at >= 0 and (at, at + len(eq.surface)) not in converted:
                cands.append(Candidate(at, at + len(eq.surface), eq.surface, "equivalent",
                                       description=f"of {c.surface!r}: {eq.value} {eq.unit}, the same measure"))
    cands.sort(key=lambda c: (c.start, c.end))
    tokens = [(t.text, t.ent_type_) for doc, _ in ad.pieces for t in doc if not t.is_space]
    return Explanation(text, published, tokens, list(ad.mentions), cands, claims, why)


def _quantity_words(q) -> str:
    value = q.value if q.value is not None else f"{q.value_min}..{q.value_max}"
    extra = [x for x in (q.bound and f"bound={q.bound}", q.rate and f"per {q.rate}",
                         q.counted and f"counted={q.counted!r}", q.approximate and "approximate") if x]
    return f"{q.kind}: {value} {q.unit or ''}".rstrip() + (f" ({', '.join(extra)})" if extra else "")


def _tokens_line(e: Explanation) -> str:
    out, run, label = [], [], ""
    for text, ent in e.tokens + [("", "")]:
        if run and ent != label:
            out.append(f"[{' '.join(run)}]{label}")
            run = []
        if ent and text:
            run.append(text)
            label = ent
        elif text:
            out.append(text)
        label = ent if run else ""
    return " ".join(out)


def render_text(e: Explanation) -> str:
    """The explanation as plain text, one section per stage."""
    lines = [f"Text: {e.text!r}" + (f"  (published {e.published})" if e.published else ""), "",
             "Tokens (entities in [brackets]LABEL):", "  " + _tokens_line(e), "", "Entities:"]
    lines += [f"  {m.label:<10} {m.text!r} -> {m.canonical!r}  [{m.start}:{m.end}]" for m in e.mentions] \
        or ["  (none)"]
    lines += ["", "Candidate numbers:"]
    for c in e.candidates:
        head = f"  {c.surface!r} [{c.start}:{c.end}]"
        if c.outcome == "dropped":
            lines.append(f"{head} -> dropped by filter '{c.reason}': {c.description}")
        elif c.outcome == "conversion":
            lines.append(f"{head} -> stated conversion {c.description} -> claim {c.claim_id}")
        elif c.outcome == "equivalent":
            lines.append(f"{head} -> stated equivalent {c.description} -> no claim of its own")
        else:
            fate = f"claim {c.claim_id}" if c.claim_id else \
                "no claim (a bare number, a recipe measure, a duration or a measure used as a modifier)"
            lines.append(f"{head} -> quantity {c.description} -> {fate}")
    if not e.candidates:
        lines.append("  (none: no digit or number word the quantity grammar reads)")
    lines += ["", "Claims:"]
    for c in e.claims:
        why = e.why.get(c.claim_id, {})
        subj = c.subject.canonical if c.subject else None
        lines += [f"  {c.claim_id} {c.surface!r}: {c.kind} {c.value} {c.unit}",
                  f"    subject: {subj!r}  <- {why.get('subject', '?')}",
                  f"    metric:  {c.metric}  <- {why.get('metric', '?')}",
                  f"    time:    {_time_words(c)}"]
    if not e.claims:
        lines.append("  (none)")
    return "\n".join(lines)


def _time_words(c: Claim) -> str:
    t = c.time
    if t is None:
        return "None  <- no time phrase found in the sentence"
    span = t.start if t.start == t.end else f"{t.start}..{t.end}"
    return f"{span}  <- the time phrase {t.text!r} of the sentence ({t.source})"


def render_html(e: Explanation) -> str:
    """An HTML page: displaCy's span view of entities and candidates, then the text report."""
    from spacy import displacy
    from spacy.tokens import Span

    from .annotate import load_model

    nlp = load_model()
    doc = nlp.make_doc(e.text)
    spans = []
    for m in e.mentions:
        s = doc.char_span(m.start, m.end, label=m.label, alignment_mode="expand")
        if s is not None:
            spans.append(s)
    for c in e.candidates:
        label = f"dropped:{c.reason}" if c.outcome == "dropped" else c.outcome if c.outcome in (
            "conversion", "equivalent") else ("claim" if c.claim_id else "quantity")
        s = doc.char_span(c.start, c.end, label=label, alignment_mode="expand")
        if s is not None:
            spans.append(Span(doc, s.start, s.end, label=label))
    doc.spans["explain"] = spans
    view = displacy.render(doc, style="span", options={"spans_key": "explain"}, page=False)
    return ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>factpipe explain</title></head><body>"
            f"{view}<pre>{html.escape(render_text(e))}</pre></body></html>")
