"""OutputLock (one writer per output folder) and ClaimCache (per-document results)."""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from pipeline.batch import (CACHE_DIR, LOCK_NAME, ClaimCache, LockedError, OutputLock, claim_from_dict,
                            fingerprint, mention_from_dict)
from pipeline.records import Article, Claim, EntityRef, Equivalent, Mention, Provenance, TimeRef

INFO = LOCK_NAME + ".json"


# =========================================================================== lock


def test_lock_is_exclusive_and_names_the_holder(tmp_path):
    out = tmp_path / "out"
    with OutputLock(out) as lock:
        assert lock.held
        info = json.loads((out / INFO).read_text())
        assert info["pid"] == os.getpid()
        assert info["host"] == socket.gethostname()
        assert info["started"]
        with pytest.raises(LockedError) as ei:
            OutputLock(out).acquire()
        msg = str(ei.value)
        assert f"pid {os.getpid()}" in msg
        assert str(out) in msg and "--out" in msg
        assert ei.value.pid == os.getpid()
        # the refused acquire must leave the holder's lock and its details in place
        assert json.loads((out / INFO).read_text())["pid"] == os.getpid()
    assert not (out / INFO).exists()
    with OutputLock(out):  # free again
        pass


def _hold_in_subprocess(out: Path) -> subprocess.Popen:
    code = ("import sys, time; from pipeline.batch import OutputLock\n"
            "with OutputLock(sys.argv[1]):\n"
            "    print('locked', flush=True); time.sleep(60)\n")
    proc = subprocess.Popen([sys.executable, "-c", code, str(out)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "locked"
    return proc


def test_lock_held_by_another_live_process_then_freed_by_the_kernel_when_it_is_killed(tmp_path):
    out = tmp_path / "out"
    proc = _hold_in_subprocess(out)
    try:
        with pytest.raises(LockedError, match=f"pid {proc.pid}\\b"):
            with OutputLock(out):
                pytest.fail("acquired a lock held by a live process")
    finally:
        proc.kill()  # SIGKILL: no cleanup runs in the holder
        proc.wait()
    # the holder's details file is left behind, but the OS lock died with it
    assert (out / INFO).exists()
    with OutputLock(out) as lock:
        assert lock.holder()["pid"] == os.getpid()


def test_lock_without_holder_details_still_refuses(tmp_path):
    out = tmp_path / "out"
    proc = _hold_in_subprocess(out)
    try:
        (out / INFO).unlink()  # e.g. removed by hand
        with pytest.raises(LockedError, match="another factpipe run is writing to"):
            OutputLock(out).acquire()
    finally:
        proc.kill()
        proc.wait()


def test_lock_released_after_exception(tmp_path):
    out = tmp_path / "out"
    with pytest.raises(ZeroDivisionError):
        with OutputLock(out):
            assert (out / INFO).exists()
            1 / 0
    assert not (out / INFO).exists()
    with OutputLock(out):
        pass


# =========================================================================== cache


def make_claim(doc_id: str = "d" * 16, path: str = "corpus/a.txt", n: int = 0) -> Claim:
    return Claim(
        claim_id=f"c_{n:04d}",
        doc_id=doc_id,
        kind="money",
        metric="capex",
        subject=EntityRef(text="Meta", canonical="Meta Platforms", label="ORG"),
        object=EntityRef(text="data centers", canonical="data center", label="NP"),
        value=0.1 + 0.2,  # a float that does not print short
        value_min=1e-300,
        value_max=6.5e10,
        unit="USD",
        surface_value=65.0,
        surface_unit="billion dollar",
        approximate=True,
        bound="lower",
        qualifier="at least",
        equivalents=[Equivalent(value=60.0e9, unit="EUR", surface="€60bn"), Equivalent(value=1.5, unit="GW")],
        rate="year",
        surface="at least $65 billion — “roughly” €60bn",
        time=TimeRef(text="in 2025", start="2025-01-01", end="2025-12-31", source="text"),
        attribution="Zuckerberg",
        hedged=True,
        provenance=Provenance(doc_id=doc_id, path=path, outlet="Reuters", url="https://example.com/a",
                              published="2025-01-24", sentence="Meta will spend at least $65 billion.",
                              char_start=120, char_end=140, sentence_start=100),
        extractor={"version": "0.1.0", "model": "en_core_web_sm-3.8.0"},
        vague=False,
        counted="Nvidia H100 GPUs",
        mentions=[{"char_start": 300, "char_end": 320, "surface": "$65bn", "nested": {"k": [1, 2.5, None]}}],
    )


def make_mentions() -> list[Mention]:
    return [Mention(text="Meta", canonical="Meta Platforms", label="ORG", start=0, end=4),
            Mention(text="H100", canonical="Nvidia H100", label="ACCELERATOR", start=50, end=54)]


def test_claim_and_mention_from_dict_round_trip():
    c = make_claim()
    assert claim_from_dict(c.to_dict()) == c
    assert claim_from_dict(json.loads(json.dumps(c.to_dict()))) == c
    bare = replace(c, subject=None, object=None, time=None, equivalents=[], mentions=[])
    assert claim_from_dict(json.loads(json.dumps(bare.to_dict()))) == bare
    for m in make_mentions():
        assert mention_from_dict(json.loads(json.dumps(m.__dict__))) == m


def test_cache_round_trip(tmp_path):
    cache = ClaimCache(tmp_path, "fp1")
    doc = "d" * 16
    claims = [make_claim(doc, n=0), make_claim(doc, n=1)]
    mentions = make_mentions()
    assert cache.get(doc) is None
    cache.put(doc, claims, mentions)
    assert (tmp_path / CACHE_DIR / f"{doc}.json").is_file()
    assert not [p for p in (tmp_path / CACHE_DIR).iterdir() if p.name.endswith(".tmp")]
    got = ClaimCache(tmp_path, "fp1").get(doc)  # a fresh instance: read from disk
    assert got is not None
    got_claims, got_mentions = got
    assert got_claims == claims
    assert got_mentions == mentions
    c = got_claims[0]
    assert isinstance(c.subject, EntityRef) and isinstance(c.object, EntityRef)
    assert isinstance(c.time, TimeRef) and isinstance(c.provenance, Provenance)
    assert all(isinstance(e, Equivalent) for e in c.equivalents)
    assert c.value == 0.1 + 0.2 and c.value_min == 1e-300
    # a document with no claims is a hit too (not "missing")
    cache.put("e" * 16, [], [])
    assert cache.get("e" * 16) == ([], [])


def test_cache_restamps_provenance_from_article(tmp_path):
    doc = "d" * 16
    cache = ClaimCache(tmp_path, "fp")
    cache.put(doc, [make_claim(doc, path="old/a.txt")], make_mentions())
    art = Article(doc_id=doc, text="...", path="new/b.txt", format="txt", outlet="AP",
                  url="https://example.com/b", published="2025-01-24")
    (c,), _ = cache.get(doc, article=art)
    assert (c.provenance.path, c.provenance.outlet, c.provenance.url) == ("new/b.txt", "AP", "https://example.com/b")
    assert c.provenance.published == "2025-01-24"
    assert c.provenance.sentence == "Meta will spend at least $65 billion."  # the rest untouched
    # another published date changes time resolution: must be re-extracted
    assert cache.get(doc, article=replace(art, published="2024-07")) is None
    with pytest.raises(ValueError):
        cache.get(doc, article=replace(art, doc_id="x" * 16))


def test_fingerprint_change_invalidates(tmp_path):
    doc = "d" * 16
    ClaimCache(tmp_path, "fp-old").put(doc, [make_claim(doc)], make_mentions())
    assert ClaimCache(tmp_path, "fp-old").get(doc) is not None
    assert ClaimCache(tmp_path, "fp-new").get(doc) is None


def test_fingerprint_helper(tmp_path):
    fp = fingerprint("0.1.0", "en_core_web_sm-3.8.0")
    assert fp == fingerprint("0.1.0", "en_core_web_sm-3.8.0")
    assert fp != fingerprint("0.1.1", "en_core_web_sm-3.8.0")
    assert fp != fingerprint("0.1.0", "en_core_web_md-3.8.0")
    # the default is the package folder: any change to a source or data file changes it
    pkg = Path(__file__).resolve().parent.parent / "pipeline"
    copy = tmp_path / "pipeline"
    shutil.copytree(pkg, copy, ignore=shutil.ignore_patterns("__pycache__"))
    base = fingerprint("0.1.0", "m")
    assert fingerprint("0.1.0", "m", copy) == base
    (copy / "__pycache__").mkdir()
    (copy / "__pycache__" / "x.pyc").write_bytes(b"compiled")  # not source: no change
    assert fingerprint("0.1.0", "m", copy) == base
    for edit in ("data/metrics.json", "claims.py", "schemas/claim.schema.json"):
        target = copy / edit
        original = target.read_bytes()
        target.write_bytes(original + b"\n")
        assert fingerprint("0.1.0", "m", copy) != base, edit
        target.write_bytes(original)
    (copy / "data" / "extra.tsv").write_text("a\tb\n")
    assert fingerprint("0.1.0", "m", copy) != base


@pytest.mark.parametrize("content", [
    b"",
    b"\x00\xff\xfe garbage",
    b'{"format": 1, "doc_id": "dddddddddddddddd", "fingerprint": "fp", "claims": [',  # truncated
    b"[1, 2, 3]",
    b'{"format": 1, "doc_id": "dddddddddddddddd", "fingerprint": "fp", "claims": [1], "mentions": []}',
    b'{"format": 1, "doc_id": "dddddddddddddddd", "fingerprint": "fp", "claims": [{"claim_id": "c"}], "mentions": []}',
    b'{"format": 1, "doc_id": "dddddddddddddddd", "fingerprint": "fp", "claims": [], "mentions": [{"text": 1}]}',
    b'{"format": 1, "doc_id": "dddddddddddddddd", "fingerprint": "fp", "claims": null, "mentions": []}',
])
def test_corrupt_cache_file_is_a_miss(tmp_path, content):
    doc = "d" * 16
    cache = ClaimCache(tmp_path, "fp")
    cache.put(doc, [make_claim(doc)], make_mentions())
    (tmp_path / CACHE_DIR / f"{doc}.json").write_bytes(content)
    assert cache.get(doc) is None
    cache.put(doc, [make_claim(doc)], make_mentions())  # and it is simply rewritten
    assert cache.get(doc) == ([make_claim(doc)], make_mentions())


def test_entry_of_another_doc_is_a_miss(tmp_path):
    cache = ClaimCache(tmp_path, "fp")
    cache.put("a" * 16, [make_claim("a" * 16)], [])
    shutil.copy(tmp_path / CACHE_DIR / ("a" * 16 + ".json"), tmp_path / CACHE_DIR / ("b" * 16 + ".json"))
    assert cache.get("b" * 16) is None


def test_unsafe_doc_id_stays_inside_cache(tmp_path):
    cache = ClaimCache(tmp_path / "out", "fp")
    cache.put("../../evil", [], make_mentions())
    assert [p.parent for p in (tmp_path / "out").rglob("*.json")] == [tmp_path / "out" / CACHE_DIR]
    assert not list(tmp_path.glob("*.json"))
    assert cache.get("../../evil") == ([], make_mentions())


def test_prune(tmp_path):
    cache = ClaimCache(tmp_path, "fp")
    ids = ["a" * 16, "b" * 16, "c" * 16]
    for d in ids:
        cache.put(d, [make_claim(d)], make_mentions())
    (tmp_path / CACHE_DIR / "notes.txt").write_text("not an entry")
    assert cache.prune(["a" * 16, "c" * 16, "z" * 16]) == 1
    assert cache.get("a" * 16) is not None and cache.get("c" * 16) is not None
    assert cache.get("b" * 16) is None
    assert sorted(p.name for p in (tmp_path / CACHE_DIR).iterdir()) == \
        sorted([f"{'a' * 16}.json", f"{'c' * 16}.json", "notes.txt"])
    assert cache.prune([]) == 2
    assert ClaimCache(tmp_path / "nowhere", "fp").prune([]) == 0


def test_a_code_change_is_not_served_from_the_cache(tmp_path):
    """Edit a rule in claims.py of a copy of the package: the re-run must not reuse the cached claims."""
    pkg = tmp_path / "pkg"
    shutil.copytree(Path(__file__).resolve().parent.parent / "pipeline", pkg / "pipeline",
                    ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "a.txt").write_text("Acme bought 5,000 chips for its new data centre in 2023.\n")
    env = {**os.environ, "PYTHONPATH": str(pkg)}
    code = ("import sys, pipeline; assert pipeline.__file__.startswith(sys.argv[1]), pipeline.__file__\n"
            "from pipeline.cli import main; sys.argv[1:2] = []; main()\n")

    def run() -> tuple[list[dict], dict]:
        subprocess.run([sys.executable, "-c", code, str(pkg), "extract", "c", "--out", "out", "--no-progress"],
                       cwd=tmp_path, env=env, check=True, capture_output=True)
        claims = [json.loads(x) for x in (tmp_path / "out" / "claims.jsonl").read_text().splitlines()]
        return claims, json.loads((tmp_path / "out" / "run.json").read_text())

    claims, _ = run()
    assert [c["kind"] for c in claims] == ["chip_count"]
    _, info = run()
    assert info["cached_documents"] == 1  # unchanged code: served from the cache
    with open(pkg / "pipeline" / "claims.py", "a", encoding="utf-8") as f:  # a new rule: no chip counts
        f.write("\n_build = ClaimBuilder.build\n"
                "ClaimBuilder.build = lambda self, *a, **k: [c for c in _build(self, *a, **k) "
                "if c.kind != 'chip_count']\n")
    claims, info = run()
    assert info["cached_documents"] == 0 and claims == []
