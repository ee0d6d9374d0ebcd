"""Flat memory for a growing WARC: what the streaming run parks on disk or reduces to
signatures gives the same outputs as holding everything in memory.

* A WARC of a few hundred synthetic pages (built here, no shared data) through
  ``extract()``: claims, facts, conflicts and entities equal an in-memory reference
  (read everything, extract, resolve with the texts, aggregate mentions naively).
* Copy detection from hashed signatures decides like comparing the word strings of
  every pair (a naive reference written here), on a table of differently worded corpora.
* The on-disk record spool and the incremental entity aggregation, against plain
  in-memory versions.

Memory itself is measured by ``bench/scaling.py``, not asserted here."""
from __future__ import annotations

import itertools
import json
import random
import re
from io import BytesIO
from pathlib import Path

import pytest

COMPANIES = ["Norvex", "Quellin", "Targa Foods", "Ostrava Rail", "Bellmont", "Kirrin Labs", "Hadley Ports"]
CITIES = ["Lyon", "Austin", "Osaka", "Leeds", "Porto", "Perth"]
SENTENCES = [
    "{co} said on Tuesday that it hired {n} engineers in {year}, and that revenue rose {pct}% to ${rev} million.",
    "The company, based in {city}, plans to open {k} offices and spend ${capex} billion on new plants.",
    "Analysts at a {city} brokerage expect {co} to ship {units} units next year, up from {prev} this year.",
    "Its chief executive told reporters the group now employs about {staff} people across {k} countries.",
    "Shares of {co} fell {drop}% in early trading after the results were published in {city}.",
    "A spokesperson declined to say whether the {n} new hires would work from the {city} site.",
]


def _body(i: int) -> list[str]:
    rng = random.Random(i)
    co = COMPANIES[i % len(COMPANIES)] + f" {i}"
    v = dict(co=co, n=100 + i, year=2020 + i % 5, pct=3 + i % 17, rev=10 + i, city=CITIES[i % len(CITIES)],
             k=2 + i % 7, capex=1 + i % 9, units=1000 * (5 + i % 40), prev=900 * (5 + i % 40), staff=2000 + 37 * i,
             drop=1 + i % 6)
    picked = rng.sample(SENTENCES, 4)
    return [s.format(**v) for s in picked]


def _page(title: str, paras: list[str], date: str) -> bytes:
    body = "".join(f"<p>{p}</p>" for p in paras)
    return (f"<html><head><title>{title}</title><meta property='article:published_time' content='{date}'>"
            f"</head><body><nav><a href='/a'>Markets</a> <a href='/b'>World</a></nav><article><h1>{title}</h1>"
            f"{body}</article><footer>Subscribe for $1 a week.</footer></body></html>").encode("utf-8")


def _write_warc(path: Path, pages: list[tuple[str, bytes]]) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with open(path, "wb") as fh:
        w = WARCWriter(fh, gzip=True)
        for url, html in pages:
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            w.write_record(w.create_warc_record(url, "response", payload=BytesIO(html), http_headers=http,
                                                warc_headers_dict={"WARC-Date": "2024-06-30T08:00:00Z"}))


@pytest.fixture(scope="module")
def crawl(tmp_path_factory) -> Path:
    """~230 pages: distinct stories, syndicated copies (same body, own last line), a page
    repeated under a second URL, and rewrites that reuse a story's figures."""
    pages = []
    for i in range(200):
        date = f"2024-{1 + i % 12:02d}-{1 + i % 27:02d}"
        paras = _body(i)
        pages.append((f"https://wire.test/{i}", _page(f"{COMPANIES[i % 7]} {i} results", paras, date)))
        if i % 9 == 0:  # syndicated: the whole story plus the partner's own line
            pages.append((f"https://partner.test/{i}", _page(f"{COMPANIES[i % 7]} {i} results (partner)",
                                                             paras + [f"Carried under licence by desk {i}."], date)))
        if i % 23 == 0:  # the same page under another URL: one document
            pages.append((f"https://mirror.test/{i}", _page(f"{COMPANIES[i % 7]} {i} results", paras, date)))
        if i % 31 == 5:  # a rewrite: the story's sentences in another order, one dropped
            pages.append((f"https://rewrite.test/{i}", _page(f"What {COMPANIES[i % 7]} {i} said",
                                                             list(reversed(paras[1:])), date)))
    path = tmp_path_factory.mktemp("warc-mem") / "crawl.warc.gz"
    _write_warc(path, pages)
    return path


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def _naive_entities(mentions_by_doc: dict[str, list]) -> list[dict]:
    ents: dict[tuple, dict] = {}
    for d in sorted(mentions_by_doc):
        for m in mentions_by_doc[d]:
            e = ents.setdefault((m.canonical, m.label), {"forms": set(), "docs": set(), "ms": []})
            e["forms"].add(m.text)
            e["docs"].add(d)
            e["ms"].append({"doc_id": d, "text": m.text, "char_start": m.start, "char_end": m.end})
    return [{"canonical": c, "label": lab, "surface_forms": sorted(e["forms"]), "doc_ids": sorted(e["docs"]),
             "mention_count": len(e["ms"]), "mentions": sorted(e["ms"], key=lambda m: (m["doc_id"], m["char_start"]))}
            for (c, lab), e in sorted(ents.items())]


def test_streaming_run_equals_holding_everything_in_memory(crawl, extractor, tmp_path):
    from pipeline.ingest import read_corpus
    from pipeline.resolve import resolve
    from pipeline.run import claim_sort_key, extract, mark_headline_claims
    from pipeline.store import dumps

    out = tmp_path / "out"
    s = extract([str(crawl)], out, extractor=extractor, use_cache=False)
    assert not [p.name for p in out.iterdir() if p.name.endswith(".tmp")]  # spools removed

    # the reference: every article, claim and mention in memory at once, texts given to resolve
    articles, _ = read_corpus([str(crawl)])
    mentions: dict[str, list] = {}
    want = extractor.claims(articles, on_doc=lambda a, cs, ms: mentions.__setitem__(a.doc_id, ms))
    mark_headline_claims(articles, want)
    want.sort(key=claim_sort_key)
    docs = {a.doc_id: {"path": a.path, **a.metadata(), "text": a.text} for a in articles}
    res = resolve(want, docs)

    assert s.documents == len(articles) >= 220
    assert [json.loads(dumps(c)) for c in want] == _jsonl(out / "claims.jsonl")
    assert [json.loads(dumps(f)) for f in res.facts] == _jsonl(out / "facts.jsonl")
    assert [json.loads(dumps(c)) for c in res.conflicts] == _jsonl(out / "conflicts.jsonl")
    got_entities = [{k: v for k, v in e.items() if k != "entity_id"} for e in _jsonl(out / "entities.jsonl")]
    assert got_entities == _naive_entities(mentions)
    # the syndicated copies were found (so copy detection's signatures took part), and facts
    # stated by a story and its copy count the copy as dependent, not as another source
    pairs = {tuple(p["doc_ids"]) for p in res.dependent_docs}
    assert len(pairs) >= 20
    assert any(f["sources"]["dependent_groups"] and f["sources"]["n_independent"] < f["sources"]["n_docs"]
               for f in _jsonl(out / "facts.jsonl"))


# ---------------------------------------------------------------------------- copy detection

_W = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def _naive_copies(texts: dict[str, str]) -> list[dict]:
    """Every pair compared on word strings (corpora of <= max_df documents, no claims:
    only the near-copy test can fire), with dependence's thresholds."""
    from pipeline.resolve import load_config

    dc = load_config()["dependence"]
    assert len(texts) <= dc["max_df"]
    n, stop = dc["shingle"], set(dc["stopwords"])
    sh, se, vo = {}, {}, {}
    for d, t in texts.items():
        sents = [_W.findall(s.lower()) for s in re.split(r"(?<=[.!?])\s+|\n+", t)]
        w = [x for s in sents for x in s]
        sh[d] = {tuple(w[i:i + n]) for i in range(len(w) - n + 1)}
        se[d] = {tuple(s) for s in sents if len(s) >= dc["sentence_words"]}
        vo[d] = {x for x in w if x not in stop and len(x) > 2 and not x.isdigit()}
    out = []
    for a, b in itertools.combinations(sorted(texts), 2):
        inter = len(sh[a] & sh[b])
        union = len(sh[a] | sh[b])
        small = min(len(sh[a]), len(sh[b]))
        jac = inter / union if union else 0.0
        cont = inter / small if small else 0.0
        ss = len(se[a] & se[b])
        if jac >= dc["jaccard"] or cont >= dc["containment"] or ss >= dc["shared_sentences"]:
            vmin = min(len(vo[a]), len(vo[b]))
            out.append({"doc_ids": [a, b], "method": "near_copy", "similarity": round(max(cont, jac), 4),
                        "jaccard": round(jac, 4), "containment": round(cont, 4), "shared_sentences": ss,
                        "shared_claims": 0, "claim_overlap": 0.0,
                        "vocab_containment": round(len(vo[a] & vo[b]) / vmin if vmin else 0.0, 4)})
    return out


def _story(seed: int, k: int = 6) -> list[str]:
    return _body(seed)[:k] + [f"{CITIES[seed % 6]} officials said talks with {COMPANIES[seed % 7]} would "
                              f"resume in {2020 + seed % 6}."]


COPY_CASES = [
    ("a syndicated copy with its own credit line",
     {"a": " ".join(_story(1)), "b": " ".join(_story(1)) + " Reprinted with permission of the Harbour Courier."}),
    ("a copy cut to its first three sentences",
     {"a": " ".join(_story(2)), "b": " ".join(_story(2)[:3]), "c": " ".join(_story(3))}),
    ("the same sentences in another order, with other paragraph breaks",
     {"a": "\n\n".join(_story(4)), "b": " ".join(reversed(_story(4))), "c": " ".join(_story(5))}),
    ("curly apostrophes and capitals against the plain text",
     {"a": " ".join(_story(6)).replace("'", "’").upper(), "b": " ".join(_story(6))}),
    ("different stories sharing one long footer",
     {f"d{i}": " ".join(_story(10 + i)) + " Sign up to the Riverside Gazette morning briefing for the local "
               "headlines you need, every weekday at seven." for i in range(6)}),
    ("a one-line item, an empty text and a story",
     {"a": "Prices rose.", "b": "", "c": " ".join(_story(20)), "d": " ".join(_story(20)[1:])}),
]


@pytest.mark.parametrize("name,texts", COPY_CASES, ids=[c[0] for c in COPY_CASES])
def test_copy_signatures_decide_like_comparing_word_strings(name, texts):
    from pipeline.resolve import find_dependent_docs

    got = find_dependent_docs({d: {"text": t, "published": "2024-05-01"} for d, t in texts.items()})
    assert [{k: v for k, v in p.items() if k != "group"} for p in got] == _naive_copies(texts)


def test_a_ready_copy_signature_is_used_instead_of_the_text():
    from pipeline.resolve import find_dependent_docs
    from pipeline.resolve.copies import copy_signature

    texts = dict(COPY_CASES[0][1])
    with_sig = {d: {"copy_signature": copy_signature(t), "published": "2024-05-01"} for d, t in texts.items()}
    assert find_dependent_docs(with_sig) == find_dependent_docs({d: {"text": t} for d, t in texts.items()}) != []


# ---------------------------------------------------------------------------- spool, entities


def test_record_spool_round_trips_replaces_and_removes_its_file(tmp_path):
    from pipeline.records import Mention
    from pipeline.store import RecordSpool

    values = {
        "d1": {"claims": [], "mentions": [Mention("Acme", "Acme Corp", "ORG", 0, 4)]},
        "d2": {"claims": [{"value": 1e-7, "big": 12345678901234567890, "neg": -0.0}], "mentions": []},
        "d3": {"text": "naïve “quotes” – and 日本語", "n": [1, 2.5, None, True]},
    }
    with RecordSpool(tmp_path) as sp:
        for k, v in values.items():
            sp.put(k, v)
        sp.put("d1", {"claims": ["replaced"], "mentions": []})
        assert sp.get("d1") == {"claims": ["replaced"], "mentions": []}
        assert sp.get("d2") == values["d2"] and str(sp.get("d2")["claims"][0]["neg"]) == "-0.0"
        assert sp.get("d3") == values["d3"]
        assert "d3" in sp and "d4" not in sp
        with pytest.raises(KeyError):
            sp.get("d4")
        assert len(list(tmp_path.glob(".records.*.tmp"))) == 1
    assert not list(tmp_path.glob(".records.*.tmp"))


def test_incremental_entity_records_equal_the_naive_aggregation():
    from pipeline.records import Mention
    from pipeline.store import entity_records, iter_entity_records

    rng = random.Random(3)
    names = [("Acme Corp", "ORG", ["Acme", "Acme Corp", "ACME"]), ("Jane Roe", "PERSON", ["Roe", "Jane Roe"]),
             ("Lyon", "GPE", ["Lyon"]), ("Acme Corp", "PRODUCT", ["Acme"])]
    by_doc = {}
    for d in range(40):
        ms = []
        for _ in range(rng.randrange(0, 8)):
            canonical, label, forms = rng.choice(names)
            start = rng.randrange(0, 500)
            ms.append(Mention(rng.choice(forms), canonical, label, start, start + 4))
        by_doc[f"doc{d:02d}"] = ms
    got = entity_records(by_doc)
    assert [{k: v for k, v in e.items() if k != "entity_id"} for e in got] == _naive_entities(by_doc)
    as_dicts = ((d, [m.__dict__ for m in by_doc[d]]) for d in sorted(by_doc))
    assert list(iter_entity_records(as_dicts)) == got
    assert len({e["entity_id"] for e in got}) == len(got) == 4
