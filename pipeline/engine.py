"""Extraction and resolution on a Dask cluster (``--engine dask``).

Extraction: the articles are cut into partitions, one task each; every worker
loads the spaCy model once (a ``WorkerPlugin`` holding an
:class:`pipeline.run.Extractor`) and returns plain dicts, rebuilt here with
``claim_from_dict`` / ``mention_from_dict`` and sorted like ``claims.jsonl``.

Resolution: copied sources are found once on the driver over the whole corpus
(:func:`pipeline.resolve.find_dependent_docs`), the claims are grouped by
:func:`pipeline.resolve.partition_keys`, whole groups are packed into partitions
resolved as tasks (:func:`pipeline.resolve.resolve_partition`), and the results
are concatenated in one deterministic order
(:func:`pipeline.resolve.merge_partitions`).  The facts and conflicts are the
same as :func:`pipeline.resolve.resolve`'s.

Without a scheduler address a ``LocalCluster`` (``n_workers`` processes, one
thread each) is started and closed around the call; with one, its workers
must have factpipe and the model installed.  :class:`DaskEngine` keeps one
cluster for both stages.  Needs ``dask[distributed]``.
"""
from __future__ import annotations

import logging
import math
import threading
import time
from dataclasses import asdict
from typing import Any, Callable, Iterable

from . import __version__
from .batch import claim_from_dict, mention_from_dict
from .records import Article, Claim, Mention
from .resolve import (Resolution, copy_groups, find_dependent_docs, load_config, merge_partitions,
                      partition_keys, resolve_partition, series_list, with_corpus_stats)
from .store import claim_sort_key

try:  # optional dependency: everything below raises DaskNotInstalled without it
    from distributed import WorkerPlugin as _WorkerPlugin
    _DASK_ERROR: ImportError | None = None
except ImportError as _exc:  # pragma: no cover - exercised only without dask
    _WorkerPlugin = object  # type: ignore[assignment,misc]
    _DASK_ERROR = _exc

INSTALL_HINT = 'pip install "dask[distributed]==2026.8.0"'

__all__ = ["DaskNotInstalled", "DaskEngine", "ExtractorPlugin", "extract_claims_dask", "resolve_dask",
           "INSTALL_HINT"]


class DaskNotInstalled(ImportError):
    """The Dask engine was asked for but dask[distributed] is not importable."""


def require_dask():
    """The ``distributed`` module, or DaskNotInstalled with the install command."""
    if _DASK_ERROR is not None:
        raise DaskNotInstalled(f"the dask engine needs dask[distributed], which is not installed "
                               f"({_DASK_ERROR}); install it with: {INSTALL_HINT}")
    import distributed

    return distributed


# --------------------------------------------------------------------------- worker side


def plugin_name(model: str | None, batch_size: int) -> str:
    return f"factpipe-extractor-{__version__}-{model or 'default'}-{batch_size}"


class ExtractorPlugin(_WorkerPlugin):
    """Loads one :class:`pipeline.run.Extractor` per worker, when the worker
    starts or joins.  A load error (e.g. ModelNotFound) is kept and raised by
    every task, so the driver sees it."""

    idempotent = True  # the same model on a long-lived cluster is loaded once, not per run

    def __init__(self, model: str | None = None, batch_size: int = 16):
        self.model = model
        self.batch_size = batch_size
        self.name = plugin_name(model, batch_size)
        self.extractor = None
        self.error: BaseException | None = None
        self.lock = None

    def setup(self, worker=None) -> None:
        from .run import Extractor

        self.lock = threading.Lock()  # a worker with several threads runs one extraction at a time
        try:
            self.extractor = Extractor(model=self.model, batch_size=self.batch_size)
        except Exception as exc:  # noqa: BLE001 - re-raised by the tasks
            self.error = exc

    def teardown(self, worker=None) -> None:
        self.extractor = None


def _extract_partition(articles: list[Article], plugin_id: str) -> dict[str, Any]:
    """Task: claims and mentions of ``articles`` as plain dicts, per document."""
    from distributed import get_worker

    plugin = get_worker().plugins[plugin_id]
    if plugin.error is not None:  # a fresh copy: re-raising the stored one would stack tracebacks
        err = plugin.error
        try:
            fresh = type(err)(*err.args)
        except Exception:  # noqa: BLE001
            fresh = RuntimeError(f"{type(err).__name__}: {err}")
        raise fresh
    docs: list[dict[str, Any]] = []

    def on_doc(a: Article, cs: list[Claim], ms: list[Mention]) -> None:
        docs.append({"doc_id": a.doc_id, "claims": [c.to_dict() for c in cs], "mentions": [asdict(m) for m in ms]})

    with plugin.lock:
        plugin.extractor.claims(articles, on_doc=on_doc)
    return {"model_label": plugin.extractor.model_label, "docs": docs}


def _plugin_error(plugin_id: str, dask_worker=None) -> BaseException | None:
    """Run on each worker (``client.run``): the model load error, if any."""
    plugin = dask_worker.plugins.get(plugin_id)
    return None if plugin is None else plugin.error


def _strip_text(meta: dict) -> dict:
    return {k: v for k, v in (meta or {}).items() if k != "text"}


# --------------------------------------------------------------------------- driver side


class DaskEngine:
    """One Dask client for extraction and resolution.

    ``scheduler``: an address ("tcp://host:8786"), a ``distributed.Client``
    (used, not closed), or None for a ``LocalCluster`` of ``n_workers``
    processes with one thread each, started on first use and stopped by
    :meth:`close` (or the ``with`` block)."""

    def __init__(self, scheduler: Any = None, n_workers: int = 2, model: str | None = None,
                 batch_size: int = 16):
        self.distributed = require_dask()
        self.scheduler = scheduler
        self.n_workers = n_workers
        self.model = model
        self.batch_size = batch_size
        self.model_label: str | None = None
        self.timings: dict[str, float] = {}
        self._client = None
        self._cluster = None
        self._own_client = False
        self._plugin_registered = False

    # -- connection

    @property
    def client(self):
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

    def workers(self) -> int:
        """Threads across the cluster's workers (at least 1): sizes the partitions."""
        return max(1, sum(self.client.nthreads().values()))

    def close(self) -> None:
        if self._own_client and self._client is not None:
            self._client.close()
        if self._cluster is not None:
            self._cluster.close()
        self._client = self._cluster = None
        self._own_client = self._plugin_registered = False

    def __enter__(self) -> "DaskEngine":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- extraction

    def extract_claims(self, articles: Iterable[Article], partition_size: int | None = None,
                       on_doc: Callable[[Article, list[Claim], list[Mention]], None] | None = None
                       ) -> tuple[list[Claim], dict[str, list[Mention]]]:
        """Claims of ``articles`` (sorted like ``claims.jsonl``) and mentions by
        doc_id.  ``on_doc(article, claims, mentions)`` is called on this process
        as partitions finish (completion order)."""
        articles = list(articles)
        claims: list[Claim] = []
        mentions: dict[str, list[Mention]] = {}
        if not articles:
            return claims, mentions
        client = self.client
        name = plugin_name(self.model, self.batch_size)
        if not self._plugin_registered:
            t = time.perf_counter()
            client.register_plugin(ExtractorPlugin(self.model, self.batch_size), name=name)
            errors = [e for _, e in sorted(client.run(_plugin_error, name).items()) if e is not None]
            if errors:  # e.g. ModelNotFound: raised here, before any task is sent
                try:  # so that a later run (model installed meanwhile) loads it again
                    client.unregister_worker_plugin(name)
                except Exception:  # noqa: BLE001
                    pass
                raise errors[0]
            self._plugin_registered = True
            self.timings["load_model"] = time.perf_counter() - t
        size = partition_size or max(1, min(100, math.ceil(len(articles) / (4 * self.workers()))))
        parts = [articles[i:i + size] for i in range(0, len(articles), size)]
        t = time.perf_counter()
        futures = client.map(_extract_partition, parts, plugin_id=name, pure=False)
        by_id = {a.doc_id: a for a in articles}
        try:
            for fut in self.distributed.as_completed(futures):
                res = fut.result()
                self.model_label = res["model_label"]
                for rec in res["docs"]:
                    cs = [claim_from_dict(c) for c in rec["claims"]]
                    ms = [mention_from_dict(m) for m in rec["mentions"]]
                    claims.extend(cs)
                    mentions[rec["doc_id"]] = ms
                    if on_doc:
                        on_doc(by_id[rec["doc_id"]], cs, ms)
        except BaseException:
            client.cancel(futures)
            raise
        self.timings["extract"] = time.perf_counter() - t
        claims.sort(key=claim_sort_key)
        return claims, mentions

    # -- resolution

    def resolve(self, claims: list[Claim], documents: dict[str, dict], decisions: list[dict] | None = None,
                config: dict | None = None, npartitions: int | None = None) -> Resolution:
        """:func:`pipeline.resolve.resolve`, with the blocks resolved as Dask tasks."""
        t0 = time.perf_counter()
        cfg = load_config(config)
        documents = documents or {}
        stats: dict[str, int] = {}
        timings: dict[str, float] = {}

        t = time.perf_counter()
        dependent = find_dependent_docs(documents, claims, _cfg=cfg, _stats=stats)
        groups = copy_groups(dependent)
        timings["dependence"] = time.perf_counter() - t

        t = time.perf_counter()
        cfg, documents = with_corpus_stats(cfg, claims, documents)
        parts = partition_by_block(claims, documents, cfg, npartitions or 4 * self.workers())
        group_of = {d: g for g in groups for d in g}
        args_docs, args_groups = [], []
        for part in parts:
            doc_ids = {c.doc_id for c in part}
            args_docs.append({d: _strip_text(documents[d]) for d in sorted(doc_ids) if d in documents})
            mine = {tuple(group_of[d]) for d in doc_ids if d in group_of}
            args_groups.append([list(g) for g in sorted(mine)])
        timings["partition"] = time.perf_counter() - t

        t = time.perf_counter()
        n = len(parts)
        futures = self.client.map(resolve_partition, parts, args_docs, [decisions or []] * n, [cfg] * n,
                                  args_groups, pure=False)
        results = self.client.gather(futures)
        timings["tasks"] = time.perf_counter() - t
        facts, conflicts, stale, pstats, ptimes = merge_partitions(results, decisions)
        timings.update({f"{k} (tasks, summed)": v for k, v in ptimes.items()})
        timings["total"] = time.perf_counter() - t0
        stats.update({
            "claims": len(claims),
            "blocks": pstats["blocks"],
            "largest_block": pstats["largest_block"],
            "comparisons": pstats["comparisons"],
            "partitions": pstats["partitions"],
            "facts": len(facts),
            "conflicts": len(conflicts),
        })
        return Resolution(facts=facts, conflicts=conflicts, dependent_docs=dependent, stale_decisions=stale,
                          timings=timings, stats=stats, series=series_list(facts))


def partition_by_block(claims: list[Claim], documents: dict[str, dict], cfg: dict, npartitions: int
                       ) -> list[list[Claim]]:
    """Group-by on :func:`pipeline.resolve.partition_keys` (claims that can be compared, and
    each document's claims, stay together), whole groups packed into at most
    ``npartitions`` non-empty partitions (largest group first onto the
    lightest partition; deterministic)."""
    keys = partition_keys(claims, documents, cfg)
    by_key: dict[str, list[Claim]] = {}
    for c in claims:
        by_key.setdefault(keys[c.claim_id], []).append(c)
    npartitions = max(1, min(npartitions, len(by_key)))
    parts: list[list[Claim]] = [[] for _ in range(npartitions)]
    for k in sorted(by_key, key=lambda k: (-len(by_key[k]), k)):
        min(parts, key=len).extend(by_key[k])
    return [p for p in parts if p]


# --------------------------------------------------------------------------- functions


def extract_claims_dask(articles: Iterable[Article], model: str | None = None, scheduler: Any = None,
                        n_workers: int = 2, partition_size: int | None = None,
                        on_doc: Callable[[Article, list[Claim], list[Mention]], None] | None = None,
                        batch_size: int = 16) -> tuple[list[Claim], dict[str, list[Mention]]]:
    """Claims (sorted like ``claims.jsonl``) and mentions by doc_id of
    ``articles``, extracted as Dask tasks.  ``scheduler``: address, Client or
    None (a LocalCluster of ``n_workers`` processes for this call)."""
    with DaskEngine(scheduler, n_workers=n_workers, model=model, batch_size=batch_size) as eng:
        return eng.extract_claims(articles, partition_size=partition_size, on_doc=on_doc)


def resolve_dask(claims: list[Claim], documents: dict[str, dict], decisions: list[dict] | None = None,
                 scheduler: Any = None, config: dict | None = None, n_workers: int = 2,
                 npartitions: int | None = None) -> Resolution:
    """:func:`pipeline.resolve.resolve` with the blocks resolved as Dask tasks;
    same facts, conflicts, copies and stale decisions."""
    with DaskEngine(scheduler, n_workers=n_workers) as eng:
        return eng.resolve(claims, documents, decisions, config=config, npartitions=npartitions)
