"""The pipeline as a library call: ingest -> annotate -> quantities -> claims -> resolve -> report -> store.

``extract(paths, out_dir)`` is what ``factpipe extract`` runs; the CLI only
parses arguments and prints.
"""
from __future__ import annotations

import contextlib
import dataclasses
import itertools
import json
import os
import platform
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from . import __version__
from . import DEFAULT_MODEL
from .batch import ClaimCache, OutputLock, claim_from_dict, fingerprint
from .engine import DaskEngine, ExtractChunk, ExtractorSpec, Mapper, PoolMap, extract_stream, load_extractor, \
    worker_extractor
from .extractor import LONG_DOC_CHARS, LONG_PIECE_CHARS, Extractor  # noqa: F401 - re-exported
from .ingest import iter_corpus, merge_articles
from .records import Article, Claim, IngestError, Mention
from .resolve import resolve
from .store import (AtomicFile, RecordSpool, TextSpool, atomic_write_text, claim_sort_key,
                    document_record, dumps, error_record, iter_entity_records)


@dataclass
class RunSummary:
    """What one :func:`extract` run did: counts, seconds (``timings`` per stage), the output folder."""

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
    """Run the pipeline on ``paths`` into ``out_dir``; returns the run's :class:`RunSummary`.

    One run at a time per output folder (a lock file); documents whose claims
    are cached for the same extractor code, model and data files are not
    processed again; every output file is replaced atomically.

    Streaming: the inputs are read one article at a time (a WARC record by
    record) and extracted in small chunks as they are read; each article's
    text goes to a temporary file in ``out_dir`` and is read back only to
    write ``documents.jsonl`` and for copy detection, so memory holds the
    claims, mentions and per-document metadata, not the texts.

    Where extraction and resolution run (:mod:`pipeline.engine`):
    ``engine="local"`` with ``workers=1`` in this process (``extractor``, when
    given, is used); with ``workers > 1`` a pool of that many processes, each
    loading the model once; ``engine="dask"`` tasks on a Dask cluster
    (``scheduler`` address, else a LocalCluster of ``workers`` processes).
    The outputs are the same byte for byte whatever the engine.

    ``html`` is how HTML pages are read (``"main"`` text or ``"full"``, see
    :func:`pipeline.ingest.read_corpus`).  ``corpus``: ``(articles, errors)``
    already read, used instead of reading ``paths``.

    Raises :class:`pipeline.ModelNotFound` (model not loadable),
    :class:`pipeline.batch.LockedError` (another run holds ``out_dir``),
    :class:`pipeline.engine.DaskNotInstalled` (``engine="dask"`` without dask),
    ``ValueError`` (unknown engine).
    """
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}: choose one of {', '.join(ENGINES)}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    with OutputLock(out), _Engines(engine, scheduler, workers, model, extractor) as engines:
        return _extract(paths, out, model, progress, extractor, resolve_facts, use_cache, engines, corpus, html)


class _Engines:
    """The run's mapper (:mod:`pipeline.engine`), started on first use: a re-run served
    from the cache starts no pool or cluster and loads no model."""

    def __init__(self, engine: str, scheduler: str | None, workers: int, model: str | None,
                 extractor: Extractor | None):
        self.engine, self.scheduler, self.workers = engine, scheduler, max(1, workers)
        self.extractor = extractor
        self.spec = ExtractorSpec(model if extractor is None else extractor.model_name,
                                  16 if extractor is None else extractor.batch_size,
                                  False if extractor is None else extractor.selective)
        self.dask = None
        self.pool = None
        self.model_label: str | None = None

    @property
    def started(self) -> bool:
        return self.dask is not None or self.pool is not None

    def start(self) -> tuple[Mapper, ExtractChunk]:
        """Start the engine and load the model (in every worker); returns (mapper, extraction task)."""
        if self.engine == "dask":
            if self.dask is None:
                self.dask = DaskEngine(self.scheduler, n_workers=self.workers, model=self.spec.model,
                                       batch_size=self.spec.batch_size)
            self.model_label = self.dask.load_model()
            return self.dask.map, ExtractChunk(self.dask.spec)
        if self.extractor is None and self.workers > 1:
            if self.pool is None:
                self.pool = PoolMap(self.workers, initializer=load_extractor, initargs=(self.spec,))
            return self.pool, ExtractChunk(self.spec)
        ex = self.extractor or worker_extractor(self.spec)  # this process; raises ModelNotFound
        self.model_label = ex.model_label
        return map, ExtractChunk(self.spec, ex)

    def resolve_map(self) -> tuple[Mapper, int]:
        """(mapper, partitions) for resolution: the running pool or cluster, else this process."""
        if self.dask is not None:
            return self.dask.map, 4 * self.workers
        if self.pool is not None:
            return self.pool, 4 * self.workers
        return map, 1

    def __enter__(self) -> "_Engines":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if self.pool is not None:
            self.pool.close(kill=exc_type is not None)  # an error or Ctrl-C: stop the workers now
        if self.dask is not None:
            self.dask.close()


class _DocMeta(dict):
    """One document's metadata for resolve() and the report; ``text`` is read from the
    run's :class:`~pipeline.store.TextSpool` when asked for (copies of it leave it out)."""

    __slots__ = ("_spool", "_doc_id")

    def __init__(self, spool: TextSpool, doc_id: str, meta: dict):
        super().__init__(meta)
        self._spool, self._doc_id = spool, doc_id

    def __getitem__(self, key):
        return self._spool.get(self._doc_id) if key == "text" else super().__getitem__(key)

    def get(self, key, default=None):
        return self._spool.get(self._doc_id) if key == "text" else super().get(key, default)

    def __contains__(self, key) -> bool:
        return key == "text" or super().__contains__(key)


def _restamp(claims: list[Claim], a: Article) -> None:
    for c in claims:
        c.provenance.path = a.path
        c.provenance.outlet = a.outlet
        c.provenance.url = a.url
        c.provenance.published = a.published


def _extract(paths, out: Path, model, progress, extractor, resolve_facts, use_cache,
             engines: _Engines, corpus, html: str = "main") -> RunSummary:
    t0 = time.perf_counter()
    # we hold the lock: temporary files here are left by a run that was killed mid-write
    for stale in out.glob(".*.tmp"):
        stale.unlink(missing_ok=True)
    summary = RunSummary(out_dir=str(out))
    with TextSpool(out) as spool, RecordSpool(out) as records:
        return _extract_streaming(paths, out, model, progress, resolve_facts, use_cache, engines, corpus, html,
                                  spool, records, summary, t0)


class _Shared:
    """Equal strings (and ``extractor`` dicts) of the claims loaded back for resolution
    are one object: the run's claims repeat their document's path, url, outlet and date,
    their sentence (several figures per sentence), entity names, units and kinds."""

    def __init__(self):
        self._s: dict[str, str] = {}
        self._ex: dict[tuple, dict] = {}

    def s(self, x):
        return self._s.setdefault(x, x) if isinstance(x, str) else x

    def ref(self, e) -> None:
        if e is not None:
            e.text, e.canonical, e.label = self.s(e.text), self.s(e.canonical), self.s(e.label)

    def claim(self, d: dict) -> Claim:
        c = claim_from_dict(d)
        s = self.s
        c.doc_id, c.kind, c.metric, c.unit, c.surface_unit = s(c.doc_id), s(c.kind), s(c.metric), s(c.unit), \
            s(c.surface_unit)
        c.bound, c.qualifier, c.rate, c.attribution, c.counted, c.scope = s(c.bound), s(c.qualifier), s(c.rate), \
            s(c.attribution), s(c.counted), s(c.scope)
        p = c.provenance
        p.doc_id, p.path, p.outlet, p.url, p.published, p.sentence = s(p.doc_id), s(p.path), s(p.outlet), s(p.url), \
            s(p.published), s(p.sentence)
        for e in (c.subject, c.object, *c.entities):
            self.ref(e)
        if c.time is not None:
            t = c.time
            t.text, t.start, t.end, t.source = s(t.text), s(t.start), s(t.end), s(t.source)
        try:
            c.extractor = self._ex.setdefault(tuple(sorted(c.extractor.items())), c.extractor)
        except TypeError:  # an unhashable value: keep its own
            pass
        return c


def _extract_streaming(paths, out: Path, model, progress, resolve_facts, use_cache, engines: _Engines, corpus,
                       html: str, spool: TextSpool, records: RecordSpool, summary: RunSummary,
                       t0: float) -> RunSummary:
    """The run, streaming: texts go to ``spool`` and each document's claims and mentions
    to ``records`` as they are extracted, so memory holds per-document metadata (the
    article without its text) until the stream ends; then the claims are loaded back
    (strings shared) for resolution and the report, and claims.jsonl, entities.jsonl
    and documents.jsonl are written one document at a time from the spools."""
    cache = ClaimCache(out, model_fingerprint(engines.spec.model)) if use_cache else None
    errors: list[IngestError] = []
    shells: dict[str, Article] = {}  # doc_id -> the article without its text (in the spool)
    merged: set[str] = set()  # documents read again from another path
    used_meta: dict[str, tuple] = {}  # doc_id -> (title, published) its claims were extracted with
    n_claims: dict[str, int] = {}
    ingest_s = [0.0]
    deferred: list[str] = []

    if corpus is not None:
        items: Iterator[Article | IngestError] = iter([*corpus[0], *corpus[1]])
    else:
        items = iter_corpus(paths, html=html, dedupe=False)

    def park(doc_id: str, cs: list[Claim], ms: list[Mention]) -> None:
        records.put(doc_id, {"claims": cs, "mentions": ms})
        n_claims[doc_id] = len(cs)

    def keep(a: Article, cs: list[Claim], ms: list[Mention]) -> None:
        park(a.doc_id, cs, ms)
        used_meta[a.doc_id] = (a.title, a.published)
        if progress:
            progress(1)

    def extracted(a: Article, cs: list[Claim], ms: list[Mention]) -> None:
        keep(a, cs, ms)
        if cache:
            cache.put(a.doc_id, cs, ms)

    def fresh() -> Iterator[Article]:
        """New articles from the input stream; repeats are folded, cached ones kept."""
        while True:
            t = time.perf_counter()
            item = next(items, None)
            ingest_s[0] += time.perf_counter() - t
            if item is None:
                return
            if isinstance(item, IngestError):
                errors.append(item)
                continue
            first = shells.get(item.doc_id)
            if first is not None:
                merge_articles(first, item)
                merged.add(item.doc_id)
                continue
            spool.put(item.doc_id, item.text)
            shells[item.doc_id] = dataclasses.replace(item, text="")
            summary.words += len(item.text.split())
            hit = cache.get(item.doc_id, item) if cache else None
            if hit is not None:
                summary.cached += 1
                keep(item, *hit)
                continue
            if cache and cache.has_entry(item.doc_id):
                # cached with another date: a later path with the same text may give that date
                # (folded in below), so decide once the stream has been read
                deferred.append(item.doc_id)
                continue
            yield item

    stream = fresh()
    first = next(stream, None)
    if first is not None:
        t = time.perf_counter()
        mapper, task = engines.start()
        summary.timings["load_model"] = time.perf_counter() - t
        t, before = time.perf_counter(), ingest_s[0]
        label = extract_stream(itertools.chain([first], stream), mapper, task, extracted)
        engines.model_label = engines.model_label or label
        summary.timings["extract"] = time.perf_counter() - t - (ingest_s[0] - before)
    summary.timings["ingest"] = ingest_s[0]
    todo = []
    for d in deferred:
        a = dataclasses.replace(shells[d], text=spool.get(d))
        hit = cache.get(d, a)
        if hit is not None:
            summary.cached += 1
            keep(a, *hit)
        else:
            todo.append(a)
    if todo:
        mapper, task = engines.start()
        engines.model_label = extract_stream(todo, mapper, task, extracted) or engines.model_label

    # a text read again from another path may have given the document a title or date it lacked
    redo = [d for d in sorted(merged) if d in used_meta and used_meta[d] != (shells[d].title, shells[d].published)]
    if redo:
        mapper, task = engines.start()
        def again(a: Article, cs: list[Claim], ms: list[Mention]) -> None:
            park(a.doc_id, cs, ms)
            if cache:
                cache.put(a.doc_id, cs, ms)

        texts = (dataclasses.replace(shells[d], text=spool.get(d)) for d in redo)
        engines.model_label = extract_stream(texts, mapper, task, again) or engines.model_label
    if cache:
        cache.prune(shells)
    # documents in claims.jsonl's order: every claim of a document carries its (final) path
    order = sorted((d for d in shells if d in records), key=lambda d: (shells[d].path, d))

    def doc_claims(d: str, load=claim_from_dict) -> list[Claim]:
        """Document ``d``'s claims from the spool: re-stamped when it was read again from
        another path, headline marked, in claims.jsonl's order."""
        cs = [load(x) for x in records.get(d)["claims"]]
        if d in merged:
            _restamp(cs, shells[d])
        span = shells[d].headline
        for c in cs:
            c.provenance.headline = bool(span and span[0] <= c.provenance.char_start < span[1])
        cs.sort(key=claim_sort_key)
        return cs

    summary.documents = len(shells)
    summary.claims = sum(n_claims.values())
    summary.errors = len(errors)
    summary.fatal_errors = sum(1 for e in errors if e.fatal)

    with contextlib.ExitStack() as outputs:  # every file is renamed into place only when all are written
        def output(name: str, lines: Iterable) -> None:
            f = outputs.enter_context(AtomicFile(out / name))
            for r in lines:
                f.write(dumps(r) + "\n")

        if resolve_facts:
            from .decisions import load_decisions
            from .report import write_report

            t = time.perf_counter()
            dpath = decisions_path_for(paths, out)
            decisions = load_decisions(dpath, on_error=lambda n, why: errors.append(IngestError(
                str(dpath), f"decision skipped: {why}", "decisions", line=n or None, fatal=False))) \
                if dpath and dpath.exists() else []
            summary.errors = len(errors)  # a bad decision line is reported, not fatal
            docs_meta = {d: _DocMeta(spool, d, {"path": a.path, **a.metadata()}) for d, a in shells.items()}
            shared = _Shared()
            claims = [c for d in order for c in doc_claims(d, shared.claim)]
            del shared
            mapper, npart = engines.resolve_map()
            res = resolve(claims, docs_meta, decisions, map=mapper, npartitions=npart)
            summary.timings["resolve"] = time.perf_counter() - t
            summary.facts = len(res.facts)
            summary.conflicts = len(res.conflicts)
            summary.open_conflicts = sum(1 for c in res.conflicts if c.resolution is None)
            summary.stale_decisions = len(res.stale_decisions)
            t = time.perf_counter()
            output("facts.jsonl", (f.to_dict() for f in res.facts))
            output("conflicts.jsonl", (c.to_dict() for c in res.conflicts))
            write_report(res, claims, docs_meta, out)
            summary.timings["report"] = time.perf_counter() - t
            del res, claims, docs_meta

        t = time.perf_counter()
        doc_order = sorted(shells, key=lambda d: (shells[d].path, d))
        output("documents.jsonl", (document_record(dataclasses.replace(shells[d], text=spool.get(d)))
                                   for d in doc_order))
        output("entities.jsonl", iter_entity_records((d, records.get(d)["mentions"])
                                                     for d in sorted(d for d in shells if d in records)))
        output("errors.jsonl", [error_record(e) for e in sorted(errors, key=lambda e: (e.path, e.line or 0, e.kind))])
        output("claims.jsonl", (c for d in order for c in doc_claims(d)))
    summary.timings["store"] = time.perf_counter() - t
    summary.seconds = time.perf_counter() - t0
    run = {
        "factpipe_version": __version__,
        "python": platform.python_version(),
        "spacy": _version("spacy"),
        "quantulum3": _version("quantulum3"),
        "dateparser": _version("dateparser"),
        "model": engines.model_label or f"{engines.spec.model or DEFAULT_MODEL} (cached)",
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
