"""The Dask engine gives the same claims, facts and conflicts as the local path."""
from __future__ import annotations

import copy
import dataclasses
from pathlib import Path

import pytest

distributed = pytest.importorskip("distributed", reason="dask[distributed] is not installed")

from pipeline import engine  # noqa: E402
from pipeline.engine import (DaskEngine, DaskNotInstalled, extract_claims_dask, partition_by_block,  # noqa: E402
                             resolve_dask)
from pipeline.ingest import read_corpus  # noqa: E402
from pipeline.resolve import (copy_groups, find_dependent_docs, load_config, merge_partitions, resolve,  # noqa: E402
                              resolve_partition, with_corpus_stats)
from pipeline.store import claim_sort_key  # noqa: E402

CORPUS = Path(__file__).resolve().parents[1] / "corpus"


@pytest.fixture(scope="module")
def cluster():
    """One LocalCluster (2 worker processes, 1 thread each) for the module."""
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  silence_logs=50) as lc, distributed.Client(lc) as client:
        yield lc, client


@pytest.fixture(scope="module")
def local(extractor):
    """The corpus extracted in this process, as ``extract()`` does it."""
    articles, _ = read_corpus([str(CORPUS)])
    mentions = {}
    claims = extractor.claims(articles, on_doc=lambda a, cs, ms: mentions.__setitem__(a.doc_id, ms))
    claims.sort(key=claim_sort_key)
    docs = {a.doc_id: {"text": a.text, "path": a.path, **a.metadata()} for a in articles}
    return {"articles": articles, "claims": claims, "mentions": mentions, "docs": docs}


def _diff(got, want):
    """The first differing record, field by field (for a readable failure)."""
    for i, (g, w) in enumerate(zip(got, want)):
        if g != w:
            return i, {k: (g.get(k), w.get(k)) for k in set(g) | set(w) if g.get(k) != w.get(k)}
    return len(got), len(want)


def _dicts(records):
    return [r.to_dict() if hasattr(r, "to_dict") else dataclasses.asdict(r) for r in records]


def _same_resolution(a, b):
    assert _dicts(a.facts) == _dicts(b.facts)
    assert _dicts(a.conflicts) == _dicts(b.conflicts)
    assert a.dependent_docs == b.dependent_docs
    assert a.stale_decisions == b.stale_decisions


def test_dask_extraction_equals_local(cluster, local):
    _, client = cluster
    seen = []
    claims, mentions = extract_claims_dask(local["articles"], scheduler=client, partition_size=2,
                                           on_doc=lambda a, cs, ms: seen.append((a.doc_id, len(cs))))
    got, want = [c.to_dict() for c in claims], [c.to_dict() for c in local["claims"]]
    assert got == want, _diff(got, want)
    assert {d: _dicts(ms) for d, ms in mentions.items()} == {d: _dicts(ms) for d, ms in local["mentions"].items()}
    assert sorted(d for d, _ in seen) == sorted(a.doc_id for a in local["articles"])
    assert sum(n for _, n in seen) == len(claims) > 0


def test_engine_by_address_reuses_the_loaded_model(cluster, local):
    lc, _ = cluster
    with DaskEngine(lc.scheduler_address) as eng:
        claims, _ = eng.extract_claims(local["articles"][:2])
        assert eng.model_label and "en_core_web_sm" in eng.model_label
    ids = {a.doc_id for a in local["articles"][:2]}
    got, want = [c.to_dict() for c in claims], [c.to_dict() for c in local["claims"] if c.doc_id in ids]
    assert got == want, _diff(got, want)


def test_dask_resolution_equals_resolve_on_corpus(cluster, local):
    _, client = cluster
    ref = resolve(local["claims"], local["docs"])
    for n in (1, 3, 16):
        _same_resolution(resolve_dask(local["claims"], local["docs"], scheduler=client, npartitions=n), ref)
    # the same split without Dask: group-by on partition_keys, resolve_partition each, merge
    cfg = load_config()
    groups = copy_groups(find_dependent_docs(local["docs"], local["claims"], _cfg=cfg))
    cfg, docs = with_corpus_stats(cfg, local["claims"], local["docs"])
    parts = partition_by_block(local["claims"], docs, cfg, 4)
    assert len(parts) == 4
    facts, conflicts, stale, stats, _ = merge_partitions(
        [resolve_partition(p, docs, [], cfg, groups, pairs) for p, pairs in parts])
    assert _dicts(facts) == _dicts(ref.facts) and _dicts(conflicts) == _dicts(ref.conflicts) and stale == []


def _replicas(claims, docs):
    """The corpus three times: replica 1 a copy (same figures), replica 2 an independent
    source (its text is not a copy) with every figure 30% higher (conflicts with the originals)."""
    out_claims, out_docs = list(claims), dict(docs)
    for r in (1, 2):
        for d, meta in docs.items():
            text = meta["text"] + f"\n[copy {r}]" if r == 1 else " ".join(reversed(meta["text"].split()))
            out_docs[f"{d}~{r}"] = {**meta, "text": text}
        for c in claims:
            rc = copy.deepcopy(c)
            rc.claim_id, rc.doc_id = f"{c.claim_id}~{r}", f"{c.doc_id}~{r}"
            rc.provenance.doc_id = rc.doc_id
            if r == 2:
                rc.value *= 1.3
                rc.value_min = None if rc.value_min is None else rc.value_min * 1.3
                rc.value_max = None if rc.value_max is None else rc.value_max * 1.3
                rc.surface = ""
            out_claims.append(rc)
    return out_claims, out_docs


def test_dask_resolution_with_copies_conflicts_and_decisions(cluster, local):
    _, client = cluster
    claims, docs = _replicas(local["claims"], local["docs"])
    first = resolve(claims, docs)
    assert first.conflicts and first.dependent_docs
    x = first.conflicts[0]
    decisions = [{"conflict_id": x.conflict_id, "accept_claim": x.groups[0]["claim_ids"][0], "value": None},
                 {"conflict_id": "x_0000000000000000", "accept_claim": None, "value": 1.0}]
    ref = resolve(claims, docs, decisions)
    assert len(ref.stale_decisions) == 1 and any(f.status == "resolved" for f in ref.facts)
    got = resolve_dask(claims, docs, decisions, scheduler=client, npartitions=5)
    assert got.stats["partitions"] == 5
    _same_resolution(got, ref)


def test_missing_dask_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(engine, "_DASK_ERROR", ImportError("No module named 'distributed'"))
    with pytest.raises(DaskNotInstalled, match=r'pip install "factpipe\[dask\]"') as info:
        DaskEngine()
    assert "\n" not in str(info.value)
    with pytest.raises(ImportError):  # DaskNotInstalled is an ImportError
        extract_claims_dask([])
