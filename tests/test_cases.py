"""../shared/data/cases/news-idioms.jsonl (issue 8), as `python ../shared/eval/score_cases.py
../shared/data/cases/news-idioms.jsonl .venv/bin/factpipe` scores them.

Runs the cases through `extract` (with the session's model) and checks every expectation,
times included, with the reference scorer's own `matches`; a second test checks the quantity
parts alone, so a failure says which stage broke."""
from __future__ import annotations

import importlib.util
import json

import pytest

from conftest import SHARED

CASES = SHARED / "data" / "cases" / "news-idioms.jsonl"
SCORER = SHARED / "eval" / "score_cases.py"


@pytest.fixture(scope="module")
def case_claims(tmp_path_factory, extractor):
    if not CASES.exists() or not SCORER.exists():
        pytest.skip(f"{CASES} or {SCORER} not found (../shared is not part of a clone)")
    from pipeline.run import extract

    spec = importlib.util.spec_from_file_location("score_cases", SCORER)
    import sys
    sys.path.insert(0, str(SCORER.parent))
    scorer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(scorer)
    cases = [json.loads(line) for line in CASES.read_text(encoding="utf-8").splitlines() if line.strip()]
    base = tmp_path_factory.mktemp("cases")
    corpus = base / "cases.jsonl"
    corpus.write_text("".join(json.dumps({"id": c["id"], "text": c["text"], "published": c["published"]}) + "\n"
                              for c in cases), encoding="utf-8")
    extract([str(corpus)], base / "out", extractor=extractor)
    docs = {json.loads(x)["text"].strip(): json.loads(x)["doc_id"]
            for x in (base / "out" / "documents.jsonl").read_text(encoding="utf-8").splitlines()}
    claims: dict[str, list] = {}
    for x in (base / "out" / "claims.jsonl").read_text(encoding="utf-8").splitlines():
        c = json.loads(x)
        claims.setdefault(c["doc_id"], []).append(c)
    return scorer, [(c, claims.get(docs.get(c["text"].strip()), [])) for c in cases]


@pytest.mark.parametrize("with_time", [False, True], ids=["quantities", "with-times"])
def test_cases(case_claims, with_time):
    scorer, cases = case_claims
    failures = []
    for case, claims in cases:
        for e in case.get("expect", []):
            e = {k: v for k, v in e.items() if k != "note" and (with_time or k != "time")}
            if not any(scorer.matches(c, e) for c in claims):
                failures.append(f"{case['id']}: missing {e}")
        for f in case.get("forbid", []):
            f = {k: v for k, v in f.items() if k != "note"}
            if any(scorer.matches(c, f) for c in claims):
                failures.append(f"{case['id']}: forbidden {f}")
        if "max_claims" in case and len(claims) > case["max_claims"]:
            failures.append(f"{case['id']}: {len(claims)} claims, at most {case['max_claims']}")
    assert len(cases) >= 13
    assert not failures, failures
