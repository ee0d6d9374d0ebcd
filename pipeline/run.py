"""The pipeline as a library call: ingest -> annotate -> quantities -> claims -> resolve -> report -> store.

``extract(paths, out_dir)`` is what ``factpipe extract`` runs; the CLI only
parses arguments and prints.
"""
from __future__ import annotations

import json
import os
import platform
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from . import __version__
from . import DEFAULT_MODEL
from .batch import ClaimCache, OutputLock, fingerprint
from .ingest import read_corpus
from .records import Article, Claim, IngestError, Mention
from .store import (atomic_write_jsonl, atomic_write_text, claim_sort_key, document_record, entity_records, error_record)


@dataclass
class RunSummary:
    documents: int = 0
    claims: int = 0
    errors: int = 0
    fatal_errors: int = 0
    facts: int = 0
    conflicts: int = 0
    seconds: float = 0.0
    words: int = 0
    timings: dict[str, float] = field(default_factory=dict)
    out_dir: str = ""
    stale_decisions: int = 0
    cached: int = 0
    open_conflicts: int = 0  # conflicts: all in conflicts.jsonl; open: those with no decision applied

    def line(self) -> str:
        """One line: counts with proper plurals; conflicts as "total (n open)"."""
        def n(k: int, word: str) -> str:
            return f"{k} {word}" if k == 1 else f"{k} {word}s"
        return (f"{n(self.documents, 'document')}, {n(self.claims, 'claim')}, {n(self.facts, 'fact')}, "
                f"{n(self.conflicts, 'conflict')} ({self.open_conflicts} open), {n(self.errors, 'error')} "
                f"in {self.seconds:.1f}s ({n(self.cached, 'document')} from cache) -> {self.out_dir}")


def decisions_path_for(paths: list[str], out: str | os.PathLike = "output") -> Path:
    """The run's decisions file: see :func:`pipeline.decisions.decisions_file`."""
    from .decisions import decisions_file

    return decisions_file(paths, out)


# articles longer than LONG_DOC_CHARS are processed in pieces of at most LONG_PIECE_CHARS
# characters (cut at paragraph, line or sentence ends): each piece's cost does not depend on the
# article's length. Some stages still scan the whole spaCy doc per quantity (quadratic in its
# length), so the pieces are kept small.
LONG_PIECE_CHARS = 10_000
LONG_DOC_CHARS = 2 * LONG_PIECE_CHARS


class Extractor:
    """Articles -> claims. Holds the loaded model; reusable across batches."""

    def __init__(self, model: str | None = None, batch_size: int = 16, n_process: int = 1, nlp=None,
                 selective: bool = True):
        # spaCy is imported here, not at module level: a re-run served from the cache never loads it
        from .annotate import Annotator
        from .claims import ClaimBuilder, ClaimConfig
        from .quantities import QuantityExtractor

        self.annotator = Annotator(nlp=nlp, model=model, batch_size=batch_size, n_process=n_process,
                                   selective=selective)  # selective: parse only where figures are
        self.model_name = model
        self.quantities = QuantityExtractor()
        self.builder = ClaimBuilder(ClaimConfig(extractor_version=__version__, model=self.annotator.model_label))

    @property
    def model_label(self) -> str:
        return self.annotator.model_label

    def claims(self, articles: Iterable[Article],
               on_doc: Callable[[Article, list[Claim], list[Mention]], None] | None = None) -> list[Claim]:
        """Claims of ``articles``; ``on_doc(article, claims, mentions)`` after each one.

        An article longer than :data:`LONG_DOC_CHARS` is processed a piece
        at a time (:meth:`long_article`, pieces of :data:`LONG_PIECE_CHARS`), so
        time grows linearly with its length and memory holds one piece's
        spaCy doc; the others go through the model in batches.
        """
        out: list[Claim] = []
        short: list[Article] = []
        for art in articles:
            if len(art.text) > LONG_DOC_CHARS:
                cs, ms = self.long_article(art)
                out.extend(cs)
                if on_doc:
                    on_doc(art, cs, ms)
            else:
                short.append(art)
        for ad in self.annotator.annotate(short):
            cs = self.builder.build(ad)  # quantities: each doc's doc.spans["quantities"]
            out.extend(cs)
            if on_doc:
                on_doc(ad.article, cs, ad.mentions)
        return out

    def long_article(self, art: Article) -> tuple[list[Claim], list[Mention]]:
        """(claims, mentions) of one long article, built piece by piece with exact offsets.

        Pieces are cut at paragraph, line or sentence ends
        (:func:`pipeline.annotate.split_text`); each is annotated and turned into
        claims on its own, with the piece's offset in ``art.text``, so claim ids
        and provenance are those of the whole text. The title's entity mentions
        (when the text starts with the title) go with every piece; other context
        that crosses a cut (a pronoun's antecedent, a surname's full name,
        entity salience) is the piece's own.
        """
        from .annotate import AnnotatedDoc, resolve_people, split_text
        from .components import doc_mentions
        from .mentions import title_span

        pieces = split_text(art.text, min(LONG_PIECE_CHARS, self.annotator.max_chars))
        span = title_span(art.text, art.title)
        claims: list[Claim] = []
        mentions: list[Mention] = []
        in_title: list[Mention] = []
        docs = self.annotator.docs(pieces, art.boilerplate, batch_size=4)
        for doc, (_, off) in zip(docs, pieces):
            own = doc_mentions(doc)
            resolve_people(own)
            if span and off == 0:
                in_title = [m for m in own if m.end <= span[1]]
            ad = AnnotatedDoc(art, [(doc, off)], (in_title if off else []) + own)
            claims.extend(self.builder.build(ad))
            mentions.extend(own)
        return claims, mentions


def model_fingerprint(model: str | None) -> str:
    """What invalidates the cache: factpipe's version, the model (name and package version), the data files."""
    from importlib.metadata import PackageNotFoundError, version

    name = model or DEFAULT_MODEL
    try:
        mver = version(name.replace("_", "-"))
    except (PackageNotFoundError, ValueError):
        mver = str(Path(name).resolve()) if os.path.exists(name) else "?"
    return fingerprint(__version__, f"{name} {mver}")


ENGINES = ("local", "dask")


def mark_headline_claims(articles: Iterable[Article], claims: list[Claim]) -> None:
    """Set ``provenance.headline`` on claims inside their document's headline span."""
    spans = {a.doc_id: a.headline for a in articles if a.headline}
    for c in claims:
        span = spans.get(c.doc_id)
        c.provenance.headline = bool(span and span[0] <= c.provenance.char_start < span[1])


def extract(paths: list[str], out_dir: str | os.PathLike, model: str | None = None, workers: int = 1,
            progress: Callable[[int], None] | None = None, extractor: Extractor | None = None,
            resolve_facts: bool = True, use_cache: bool = True, engine: str = "local",
            scheduler: str | None = None,
            corpus: tuple[list[Article], list[IngestError]] | None = None, html: str = "main") -> RunSummary:
    """Run the pipeline on ``paths`` into ``out_dir``.

    One run at a time per output folder (a lock file); documents whose claims
    are cached for the same extractor version, model and data files are not
    processed again; every output file is replaced atomically.

    ``engine="dask"`` runs extraction as tasks over partitions of documents on
    a Dask cluster (``scheduler`` address, else a LocalCluster of ``workers``
    processes) and resolution as a group-by on the blocking key; the outputs
    are the same as the local engine's.

    ``html`` is how HTML pages are read (``"main"`` text or ``"full"``, see
    :func:`pipeline.ingest.read_corpus`).

    ``corpus`` is ``read_corpus(paths)`` when the caller has read it already
    (the CLI does, to size its progress bar), so it is not read twice.
    """
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}: choose one of {', '.join(ENGINES)}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    with OutputLock(out), _Engines(engine, scheduler, workers, model) as engines:
        return _extract(paths, out, model, workers, progress, extractor, resolve_facts, use_cache, engines,
                        corpus, html)


class _Engines:
    """Starts the Dask engine on first use (a re-run served from the cache starts nothing)."""

    def __init__(self, engine: str, scheduler: str | None, workers: int, model: str | None):
        self.engine, self.scheduler, self.workers, self.model = engine, scheduler, workers, model
        self._dask = None

    @property
    def dask(self):
        if self.engine != "dask":
            return None
        if self._dask is None:
            from .engine import DaskEngine

            self._dask = DaskEngine(self.scheduler, n_workers=max(self.workers, 1), model=self.model)
        return self._dask

    def __enter__(self) -> "_Engines":
        return self

    def __exit__(self, *exc) -> None:
        if self._dask is not None:
            self._dask.close()


def _extract(paths, out: Path, model, workers, progress, extractor, resolve_facts, use_cache,
             engines: _Engines, corpus, html: str = "main") -> RunSummary:
    t0 = time.perf_counter()
    # we hold the lock: temporary files here are left by a run that was killed mid-write
    for stale in out.glob(".*.tmp"):
        stale.unlink(missing_ok=True)
    summary = RunSummary(out_dir=str(out))

    t = time.perf_counter()
    articles, errors = corpus if corpus is not None else read_corpus(paths, html=html)
    summary.timings["ingest"] = time.perf_counter() - t

    cache = ClaimCache(out, model_fingerprint(model if extractor is None else extractor.model_name)) \
        if use_cache else None
    mentions: dict[str, list[Mention]] = {}
    claims: list[Claim] = []
    todo: list[Article] = []
    for a in articles:
        hit = cache.get(a.doc_id, a) if cache else None
        if hit is None:
            todo.append(a)
            continue
        cs, ms = hit
        claims.extend(cs)
        mentions[a.doc_id] = ms
        if progress:
            progress(1)
    summary.cached = len(articles) - len(todo)

    def on_doc(article: Article, cs: list[Claim], ms: list[Mention]) -> None:
        mentions[article.doc_id] = ms
        if cache:
            cache.put(article.doc_id, cs, ms)
        if progress:
            progress(1)

    ex = extractor
    model_label = extractor.model_label if extractor else None
    if todo and engines.dask is not None:
        t = time.perf_counter()
        cs, ms = engines.dask.extract_claims(todo, on_doc=on_doc)
        claims.extend(cs)
        mentions.update(ms)
        model_label = engines.dask.model_label
        summary.timings["extract"] = time.perf_counter() - t
    elif todo:
        t = time.perf_counter()
        ex = extractor or Extractor(model=model, n_process=workers)
        model_label = ex.model_label
        summary.timings["load_model"] = time.perf_counter() - t
        t = time.perf_counter()
        claims.extend(ex.claims(todo, on_doc=on_doc))
        summary.timings["extract"] = time.perf_counter() - t
    if cache:
        cache.prune(a.doc_id for a in articles)
    mark_headline_claims(articles, claims)
    claims.sort(key=claim_sort_key)

    documents = {a.doc_id: document_record(a) for a in articles}
    summary.documents = len(articles)
    summary.claims = len(claims)
    summary.errors = len(errors)
    summary.fatal_errors = sum(1 for e in errors if e.fatal)
    summary.words = sum(len(a.text.split()) for a in articles)

    facts_recs, conflict_recs = [], []
    if resolve_facts:
        from .decisions import load_decisions
        from .report import write_report
        from .resolve import resolve

        t = time.perf_counter()
        dpath = decisions_path_for(paths, out)
        decisions = load_decisions(dpath, on_error=lambda n, why: errors.append(IngestError(
            str(dpath), f"decision skipped: {why}", "decisions", line=n or None, fatal=False))) \
            if dpath and dpath.exists() else []
        summary.errors = len(errors)  # a bad decision line is reported, not fatal
        docs_meta = {d: {"text": r["text"], "path": r["path"], **r["metadata"]} for d, r in documents.items()}
        resolver = engines.dask.resolve if engines.dask is not None else resolve
        res = resolver(claims, docs_meta, decisions)
        summary.timings["resolve"] = time.perf_counter() - t
        facts_recs = [f.to_dict() for f in res.facts]
        conflict_recs = [c.to_dict() for c in res.conflicts]
        summary.facts = len(facts_recs)
        summary.conflicts = len(conflict_recs)
        summary.open_conflicts = sum(1 for c in res.conflicts if c.resolution is None)
        summary.stale_decisions = len(res.stale_decisions)
        t = time.perf_counter()
        write_report(res, claims, docs_meta, out)
        summary.timings["report"] = time.perf_counter() - t

    t = time.perf_counter()
    atomic_write_jsonl(out / "documents.jsonl", [documents[k] for k in sorted(documents, key=lambda d: (documents[d]["path"], d))])
    atomic_write_jsonl(out / "entities.jsonl", entity_records(mentions))
    atomic_write_jsonl(out / "errors.jsonl", [error_record(e) for e in sorted(errors, key=lambda e: (e.path, e.line or 0, e.kind))])
    if resolve_facts:
        atomic_write_jsonl(out / "facts.jsonl", facts_recs)
        atomic_write_jsonl(out / "conflicts.jsonl", conflict_recs)
    atomic_write_jsonl(out / "claims.jsonl", claims)
    summary.timings["store"] = time.perf_counter() - t
    summary.seconds = time.perf_counter() - t0
    run = {
        "factpipe_version": __version__,
        "python": platform.python_version(),
        "spacy": _version("spacy"),
        "quantulum3": _version("quantulum3"),
        "dateparser": _version("dateparser"),
        "model": model_label or f"{model or DEFAULT_MODEL} (cached)",
        "cached_documents": summary.cached,
        "inputs": [str(p) for p in paths],
        "decisions": str(decisions_path_for(paths, out).resolve()),
        "engine": engines.engine,
        "counts": {"documents": summary.documents, "claims": summary.claims, "errors": summary.errors,
                   "facts": summary.facts, "conflicts": summary.conflicts,
                   "open_conflicts": summary.open_conflicts, "words": summary.words},
        "timings": {k: round(v, 3) for k, v in summary.timings.items()},
        "seconds": round(summary.seconds, 3),
    }
    # run.json holds timings, so it is the one file that differs between identical runs
    atomic_write_text(out / "run.json", json.dumps(run, indent=2, sort_keys=True) + "\n")
    return summary


def _version(pkg: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(pkg)
    except PackageNotFoundError:
        return None
