"""Where extraction and resolution run: one seam, a ``map``-like callable.

Every engine is a callable ``mapper(fn, items) -> iterable of fn(item)``, in
the order of ``items``:

* the built-in :func:`map` -- this process (``--workers 1``);
* :class:`PoolMap` -- a pool of local worker processes (``--workers N``);
* :class:`DaskMap` -- tasks on a Dask cluster (``--engine dask``; a
  ``distributed.Client``, or a ``LocalCluster`` of N processes).

The pool and Dask mappers consume ``items`` lazily and keep at most
``window`` items in flight; an idle worker takes the next one (dynamic
scheduling), so a slow item does not hold the others back and a stream of
articles is never read ahead further than the window.

Extraction (:func:`extract_stream`) cuts the articles into small chunks of
about :data:`CHUNK_CHARS` characters each (:func:`chunked`: length-balanced),
maps :class:`ExtractChunk` over them and hands each document's claims and
mentions to ``on_doc`` as chunks come back.  A worker process loads the spaCy
model once (:func:`load_extractor`: the pool's initializer, ``client.run``
on Dask) and keeps it for every chunk it is given; a chunk carries only its
articles, and comes back as plain claim and mention records.

Resolution takes the same mapper: :func:`pipeline.resolve.resolve` with
``map=`` and ``npartitions=`` (the one resolve path; see there).

dask is optional (``pip install "factpipe[dask]"``); without it
:class:`DaskEngine` raises :class:`DaskNotInstalled` (an ImportError) with
that command.  The rest of this module needs only the standard library.
"""
from __future__ import annotations

import importlib.util
import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Callable, Iterable, Iterator, NamedTuple

from .extractor import LONG_DOC_CHARS, Extractor
from .records import Article, Claim, Mention
from .resolve import Resolution, partition_by_block, resolve
from .store import claim_sort_key

__all__ = ["Mapper", "PoolMap", "DaskMap", "DaskEngine", "DaskNotInstalled", "ExtractChunk", "ExtractorSpec",
           "ChunkResult", "DocResult", "chunked", "extract_stream", "load_extractor", "extract_claims_dask",
           "resolve_dask", "partition_by_block", "require_dask", "INSTALL_HINT", "CHUNK_CHARS", "CHUNK_DOCS"]

# a map-like callable: mapper(fn, items) -> fn(item) for each item, in order
Mapper = Callable[[Callable[[Any], Any], Iterable[Any]], Iterable[Any]]

# chunks of about this many characters of text (a few news articles): small enough that two workers
# stay busy to the end of a run, large enough that nlp.pipe batches and per-task overhead stay small
CHUNK_CHARS = 12_000
CHUNK_DOCS = 16

INSTALL_HINT = 'pip install "factpipe[dask]"'
_DASK_ERROR: ImportError | None = None if importlib.util.find_spec("distributed") is not None else \
    ImportError("No module named 'distributed'")


class DaskNotInstalled(ImportError):
    """The Dask engine was asked for but dask[distributed] is not importable."""


def require_dask():
    """The ``distributed`` module, or :class:`DaskNotInstalled` (one line, with the install command)."""
    if _DASK_ERROR is not None:
        raise DaskNotInstalled(f"--engine dask needs the optional dask extra, which is not installed; "
                               f"install it with: {INSTALL_HINT}")
    try:
        import distributed
    except ImportError as exc:  # present but broken
        raise DaskNotInstalled(f"--engine dask: dask[distributed] cannot be imported ({exc}); "
                               f"reinstall it with: {INSTALL_HINT}") from None
    return distributed


# --------------------------------------------------------------------------- worker side


class ExtractorSpec(NamedTuple):
    """What a worker needs to build its :class:`Extractor` (picklable, hashable)."""
    model: str | None = None
    batch_size: int = 16
    selective: bool = False


_EXTRACTORS: dict[ExtractorSpec, Extractor] = {}  # one per spec per process
_LOAD_ERRORS: dict[ExtractorSpec, BaseException] = {}
_LOAD_LOCK = threading.Lock()


def worker_extractor(spec: ExtractorSpec) -> Extractor:
    """This process's Extractor for ``spec``, loaded on first use; a load error
    (e.g. :class:`pipeline.ModelNotFound`) is raised again on every call."""
    with _LOAD_LOCK:
        ex = _EXTRACTORS.get(spec)
        if ex is not None:
            return ex
        err = _LOAD_ERRORS.get(spec)
        if err is not None:
            raise _fresh(err)
        try:
            ex = _EXTRACTORS[spec] = Extractor(model=spec.model, batch_size=spec.batch_size,
                                               selective=spec.selective)
        except Exception as exc:  # noqa: BLE001 - kept and re-raised by every task
            _LOAD_ERRORS[spec] = exc
            raise
        return ex


def _fresh(err: BaseException) -> BaseException:
    """A new exception like ``err`` (re-raising a stored one would stack tracebacks)."""
    try:
        return type(err)(*err.args)
    except Exception:  # noqa: BLE001
        return RuntimeError(f"{type(err).__name__}: {err}")


def load_extractor(spec: ExtractorSpec, dask_worker=None) -> str | BaseException:
    """Load this process's Extractor now (a pool initializer, or ``client.run`` on every Dask worker).
    Returns the model label, or the load error (not raised: the caller reports it)."""
    try:
        return worker_extractor(spec).model_label
    except Exception as exc:  # noqa: BLE001
        return exc


class DocResult(NamedTuple):
    """One document's extraction result."""
    doc_id: str
    claims: list[Claim]
    mentions: list[Mention]


class ChunkResult(NamedTuple):
    """What :class:`ExtractChunk` returns: the worker's model label, one :class:`DocResult` per
    article, and (for load balance reports) the worker's pid and the CPU seconds the chunk took."""
    model_label: str
    docs: list[DocResult]
    pid: int = 0
    cpu_seconds: float = 0.0


class ExtractChunk:
    """The extraction task: ``ExtractChunk(spec)(articles) -> ChunkResult``.

    Pickles as its :class:`ExtractorSpec` only; each process uses its own
    loaded Extractor (:func:`worker_extractor`).  ``extractor`` (an already
    loaded one, for this process) is used instead and never pickled.
    """

    def __init__(self, spec: ExtractorSpec, extractor: Extractor | None = None):
        self.spec = spec
        self.extractor = extractor

    def __getstate__(self) -> dict:
        return {"spec": self.spec, "extractor": None}

    def __call__(self, articles: list[Article]) -> ChunkResult:
        cpu = time.process_time()
        ex = self.extractor or worker_extractor(self.spec)
        docs: list[DocResult] = []
        ex.claims(articles, on_doc=lambda a, cs, ms: docs.append(DocResult(a.doc_id, cs, ms)))
        order = {a.doc_id: i for i, a in enumerate(articles)}
        docs.sort(key=lambda d: order[d.doc_id])  # long articles are done first: back to input order
        return ChunkResult(ex.model_label, docs, os.getpid(), time.process_time() - cpu)


def chunked(articles: Iterable[Article], max_chars: int = CHUNK_CHARS, max_docs: int = CHUNK_DOCS
            ) -> Iterator[list[Article]]:
    """Consecutive chunks of ``articles`` (lazily): a chunk ends before the article that
    would take it over ``max_chars`` characters or at ``max_docs`` articles; an article
    longer than :data:`pipeline.extractor.LONG_DOC_CHARS` (processed in pieces) is a
    chunk of its own.  Every article is in exactly one chunk, in input order."""
    chunk: list[Article] = []
    size = 0
    for a in articles:
        n = len(a.text)
        if chunk and (n > LONG_DOC_CHARS or size + n > max_chars or len(chunk) >= max_docs):
            yield chunk
            chunk, size = [], 0
        chunk.append(a)
        size += n
        if n > LONG_DOC_CHARS:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


def extract_stream(articles: Iterable[Article], mapper: Mapper, task: ExtractChunk,
                   on_doc: Callable[[Article, list[Claim], list[Mention]], None],
                   max_chars: int = CHUNK_CHARS, on_chunk: Callable[[ChunkResult], None] | None = None
                   ) -> str | None:
    """Extract ``articles`` (consumed lazily) with ``mapper``; ``on_doc(article, claims,
    mentions)`` is called in this process for every article, in input order, and
    ``on_chunk(result)`` for every chunk (pid and CPU seconds: load balance).
    Returns the workers' model label (None when there was nothing to do).

    Memory: the articles of the chunks in flight (the mapper's window), not the stream. The same
    chunk size serves this process too (larger chunks there gave ~2% less CPU for ~1.8x the peak
    memory of the extraction)."""
    label = None
    pending: deque[list[Article]] = deque()

    def chunks() -> Iterator[list[Article]]:
        for chunk in chunked(articles, max_chars):
            pending.append(chunk)  # the mapper yields results in this order
            yield chunk

    for res in mapper(task, chunks()):
        chunk = pending.popleft()
        label = res.model_label
        if on_chunk:
            on_chunk(res)
        by_id = {d.doc_id: d for d in res.docs}
        for a in chunk:
            d = by_id[a.doc_id]
            on_doc(a, d.claims, d.mentions)
    return label


# --------------------------------------------------------------------------- mappers


def _windowed(submit: Callable[[Any], Any], result: Callable[[Any], Any], cancel: Callable[[list], None],
              items: Iterable[Any], window: int) -> Iterator[Any]:
    """fn(item) for each item, in order, with at most ``window`` submitted and not yet yielded."""
    pending: deque = deque()
    try:
        for item in items:
            pending.append(submit(item))
            if len(pending) >= window:
                yield result(pending.popleft())
        while pending:
            yield result(pending.popleft())
    finally:  # an error, or the consumer stopped: do not leave work running
        if pending:
            cancel(list(pending))


def _init_worker(initializer: Callable | None, initargs: tuple) -> None:
    """A pool worker's start: Ctrl-C is for the main process (which stops the pool), so a
    worker ignores SIGINT instead of dying with a traceback; then ``initializer(*initargs)``."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if initializer is not None:
        initializer(*initargs)


class PoolMap:
    """``workers`` local processes as a map-like callable (see the module docstring).

    ``initializer(*initargs)`` runs once in each worker when it starts (e.g.
    :func:`load_extractor`).  Processes are forked on Linux (nothing to
    re-import) when this process runs no other thread, else spawned; they
    ignore Ctrl-C.  Use as a context manager (leaving it on an exception stops
    the workers at once), or call :meth:`close`.
    """

    def __init__(self, workers: int, initializer: Callable | None = None, initargs: tuple = (),
                 window: int | None = None):
        self.workers = max(1, int(workers))
        self.window = window or 3 * self.workers
        method = "fork" if sys.platform == "linux" and threading.active_count() == 1 else "spawn"
        self._pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context(method),
                                         initializer=_init_worker, initargs=(initializer, initargs))

    def __call__(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[Any]:
        return _windowed(lambda x: self._pool.submit(fn, x), lambda f: f.result(),
                         lambda fs: [f.cancel() for f in fs], items, self.window)

    def close(self, kill: bool = False) -> None:
        """Stop the pool: after the chunks running now (``kill``: at once, e.g. on Ctrl-C)."""
        if kill:
            for proc in list((getattr(self._pool, "_processes", None) or {}).values()):
                proc.terminate()
        self._pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> "PoolMap":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.close(kill=exc_type is not None)


class DaskMap:
    """A ``distributed.Client`` as a map-like callable: one task per item, at most ``window``
    in flight (default 3 per worker thread), results in order."""

    def __init__(self, client, window: int | None = None):
        self.client = client
        self.window = window or 3 * max(1, sum(client.nthreads().values()))

    def __call__(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[Any]:
        return _windowed(lambda x: self.client.submit(fn, x, pure=False), lambda f: f.result(),
                         lambda fs: self.client.cancel(fs), items, self.window)


# --------------------------------------------------------------------------- Dask


class DaskEngine:
    """One Dask client for extraction and resolution.

    ``scheduler``: an address ("tcp://host:8786"), a ``distributed.Client``
    (used, not closed), or None for a ``LocalCluster`` of ``n_workers``
    processes with one thread each, started on first use and stopped by
    :meth:`close` (or the ``with`` block).  The workers of a cluster given by
    address need factpipe and the model installed.  Raises
    :class:`DaskNotInstalled` without dask."""

    def __init__(self, scheduler: Any = None, n_workers: int = 2, model: str | None = None,
                 batch_size: int = 16):
        self.distributed = require_dask()
        self.scheduler = scheduler
        self.n_workers = n_workers
        self.spec = ExtractorSpec(model, batch_size)
        self.model_label: str | None = None
        self.timings: dict[str, float] = {}
        self._client = None
        self._cluster = None
        self._own_client = False
        self._loaded = False

    @property
    def client(self):
        """The ``distributed.Client``: connected (or its ``LocalCluster`` started) on first access; seconds
        taken go to ``timings["connect"]``."""
        if self._client is None:
            d = self.distributed
            t = time.perf_counter()
            if isinstance(self.scheduler, d.Client):
                self._client = self.scheduler
            elif self.scheduler:
                self._client = d.Client(self.scheduler)
                self._own_client = True
            else:
                self._cluster = d.LocalCluster(n_workers=self.n_workers, threads_per_worker=1, processes=True,
                                               dashboard_address=None, silence_logs=logging.ERROR)
                self._client = d.Client(self._cluster)
                self._own_client = True
            self.timings["connect"] = time.perf_counter() - t
        return self._client

    @property
    def map(self) -> DaskMap:
        """This cluster as a map-like callable."""
        return DaskMap(self.client)

    def load_model(self) -> str:
        """Load the model on every worker now (in parallel); raise the first load error."""
        if not self._loaded:
            t = time.perf_counter()
            got = self.client.run(load_extractor, self.spec)
            errors = [v for _, v in sorted(got.items()) if isinstance(v, BaseException)]
            if errors:
                raise _fresh(errors[0])
            self.model_label = next(iter(got.values()), None)
            self._loaded = True
            self.timings["load_model"] = time.perf_counter() - t
        return self.model_label

    def close(self) -> None:
        """Close the client and cluster this engine started (a ``Client`` passed in stays open); safe to call
        twice."""
        if self._own_client and self._client is not None:
            self._client.close()
        if self._cluster is not None:
            self._cluster.close()
        self._client = self._cluster = None
        self._own_client = self._loaded = False

    def __enter__(self) -> "DaskEngine":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def extract_claims(self, articles: Iterable[Article], partition_size: int | None = None,
                       on_doc: Callable[[Article, list[Claim], list[Mention]], None] | None = None
                       ) -> tuple[list[Claim], dict[str, list[Mention]]]:
        """Claims of ``articles`` (sorted like ``claims.jsonl``) and mentions by doc_id;
        ``on_doc(article, claims, mentions)`` in input order.  ``partition_size``: at
        most this many articles per task (default: :data:`CHUNK_CHARS` per task)."""
        claims: list[Claim] = []
        mentions: dict[str, list[Mention]] = {}

        def keep(a: Article, cs: list[Claim], ms: list[Mention]) -> None:
            claims.extend(cs)
            mentions[a.doc_id] = ms
            if on_doc:
                on_doc(a, cs, ms)

        self.load_model()
        t = time.perf_counter()
        task = ExtractChunk(self.spec)
        if partition_size:
            mapper = self.map
            pending: deque[list[Article]] = deque()
            arts = list(articles)

            def parts():
                for i in range(0, len(arts), partition_size):
                    pending.append(arts[i:i + partition_size])
                    yield pending[-1]

            for res in mapper(task, parts()):
                part = pending.popleft()
                by_id = {d.doc_id: d for d in res.docs}
                for a in part:
                    keep(a, by_id[a.doc_id].claims, by_id[a.doc_id].mentions)
        else:
            extract_stream(articles, self.map, task, keep)
        self.timings["extract"] = time.perf_counter() - t
        claims.sort(key=claim_sort_key)
        return claims, mentions

    def resolve(self, claims: list[Claim], documents: dict[str, dict], decisions: list[dict] | None = None,
                config: dict | None = None, npartitions: int | None = None) -> Resolution:
        """:func:`pipeline.resolve.resolve` with its blocks resolved as Dask tasks."""
        return resolve(claims, documents, decisions, config, map=self.map,
                       npartitions=npartitions or 4 * max(1, sum(self.client.nthreads().values())))


def extract_claims_dask(articles: Iterable[Article], model: str | None = None, scheduler: Any = None,
                        n_workers: int = 2, partition_size: int | None = None,
                        on_doc: Callable[[Article, list[Claim], list[Mention]], None] | None = None,
                        batch_size: int = 16) -> tuple[list[Claim], dict[str, list[Mention]]]:
    """Claims (sorted like ``claims.jsonl``) and mentions by doc_id of ``articles``,
    extracted as Dask tasks.  ``scheduler``: address, Client or None (a LocalCluster
    of ``n_workers`` processes for this call)."""
    with DaskEngine(scheduler, n_workers=n_workers, model=model, batch_size=batch_size) as eng:
        return eng.extract_claims(articles, partition_size=partition_size, on_doc=on_doc)


def resolve_dask(claims: list[Claim], documents: dict[str, dict], decisions: list[dict] | None = None,
                 scheduler: Any = None, config: dict | None = None, n_workers: int = 2,
                 npartitions: int | None = None) -> Resolution:
    """:func:`pipeline.resolve.resolve` with the blocks resolved as Dask tasks;
    same facts, conflicts, copies and stale decisions."""
    with DaskEngine(scheduler, n_workers=n_workers) as eng:
        return eng.resolve(claims, documents, decisions, config=config, npartitions=npartitions)
