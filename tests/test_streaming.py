"""`factpipe extract` on a WARC of a few hundred pages, end to end, through the streaming path.

The WARC is built here: 15 pages of ../shared/data/html-dev (skipped when absent), plus
synthetic pages, a page repeated under a second URL, a URL crawled twice and records that
are not articles.  The streaming run must give what reading everything first and
extracting it in one go gives, and must start extracting before the archive is read."""
from __future__ import annotations

import json
from io import BytesIO
from pathlib import Path

import pytest

HTML_DEV = Path(__file__).resolve().parents[2] / "shared" / "data" / "html-dev" / "pages"

PAGE = ("<html><head><title>{title}</title></head><body><article><h1>{title}</h1>"
        "<p>{company} said on Tuesday that it hired {n} engineers in {year}, and that revenue rose "
        "{pct}% to ${rev} million.</p><p>The company, based in {city}, plans to open {k} offices.</p>"
        "</article></body></html>")
CITIES = ["Lyon", "Austin", "Osaka", "Leeds", "Porto", "Perth"]


def _synthetic(i: int) -> bytes:
    return PAGE.format(title=f"Firm {i} expands", company=f"Norvex{i} Systems", n=100 + i, year=2020 + i % 5,
                       pct=3 + i % 17, rev=10 + i, city=CITIES[i % len(CITIES)], k=2 + i % 7).encode("utf-8")


def _write_warc(path: Path, records: list[tuple[str, str, bytes, str]]) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with open(path, "wb") as fh:
        w = WARCWriter(fh, gzip=True)
        for i, (kind, url, payload, ctype) in enumerate(records):
            date = f"2024-0{1 + i % 9}-1{i % 10}T08:00:00Z"
            if kind == "response":
                http = StatusAndHeaders("200 OK", [("Content-Type", ctype)], protocol="HTTP/1.1")
                rec = w.create_warc_record(url, "response", payload=BytesIO(payload), http_headers=http,
                                           warc_headers_dict={"WARC-Date": date})
            else:
                rec = w.create_warc_record(url, kind, payload=BytesIO(payload), warc_content_type=ctype,
                                           warc_headers_dict={"WARC-Date": date})
            w.write_record(rec)


@pytest.fixture(scope="module")
def crawl(tmp_path_factory):
    if not HTML_DEV.is_dir():
        pytest.skip(f"{HTML_DEV} not found: the streaming WARC test needs the html-dev pages")
    real = sorted(HTML_DEV.glob("*.html"))[:15]
    recs: list[tuple[str, str, bytes, str]] = []
    for i in range(260):
        recs.append(("response", f"https://synthetic.test/{i}", _synthetic(i), "text/html; charset=utf-8"))
        if i % 17 == 0 and real:
            p = real.pop(0)
            recs.append(("response", f"https://real.test/{p.stem[:12]}", p.read_bytes(), "text/html"))
        if i % 50 == 0:
            recs.append(("request", f"https://synthetic.test/{i}", b"GET / HTTP/1.1\r\n\r\n", "application/http"))
            recs.append(("response", f"https://synthetic.test/{i}.png", b"\x89PNG....", "image/png"))
    recs.append(("response", "https://synthetic.test/5", _synthetic(999), "text/html"))  # same URL again: skipped
    recs.append(("response", "https://mirror.test/7", _synthetic(7), "text/html"))       # same text, another URL
    path = tmp_path_factory.mktemp("warc") / "crawl.warc.gz"
    _write_warc(path, recs)
    return path


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def test_warc_streams_end_to_end_like_reading_it_whole(crawl, extractor, tmp_path, monkeypatch):
    import pipeline.run as run
    from pipeline.ingest import read_corpus
    from pipeline.store import dumps

    pulled: list[int] = []
    real_iter = run.iter_corpus

    def counting(*a, **kw):
        for item in real_iter(*a, **kw):
            pulled.append(1)
            yield item

    first_done: list[int] = []
    monkeypatch.setattr(run, "iter_corpus", counting)
    out = tmp_path / "out"
    s = run.extract([str(crawl)], out, extractor=extractor, use_cache=False,
                    progress=lambda k: first_done.append(len(pulled)) if not first_done else None)

    docs = _jsonl(out / "documents.jsonl")
    claims = _jsonl(out / "claims.jsonl")
    errors = _jsonl(out / "errors.jsonl")
    assert s.documents == len(docs) >= 270
    # extraction began long before the archive had been read to its end
    assert first_done and first_done[0] < len(pulled) / 4
    # no temporary file (spooled texts, half-written outputs) is left behind
    assert not [p.name for p in out.iterdir() if p.name.endswith(".tmp")]

    # provenance is exact against the document texts written from the spool
    text = {d["doc_id"]: d["text"] for d in docs}
    for c in claims:
        p = c["provenance"]
        assert text[c["doc_id"]][p["char_start"]:p["char_end"]] == c["surface"]
    surfaces = {c["surface"] for c in claims}
    assert {f"{100 + i} engineers" for i in range(260)} <= surfaces

    # the same text from a second URL is one document with both paths; a URL seen twice is skipped
    twice = [d for d in docs if len(d["paths"]) == 2]
    assert len(twice) == 1 and "Norvex7 Systems" in twice[0]["text"]
    reasons = " | ".join(e["reason"] for e in errors)
    assert "same URL as an earlier record" in reasons and "not HTML (image/png)" in reasons
    assert "request record" in reasons

    # what reading the whole archive first and extracting it in one go gives
    articles, _ = read_corpus([str(crawl)])
    want = extractor.claims(articles)
    run.mark_headline_claims(articles, want)
    want.sort(key=run.claim_sort_key)
    assert [json.loads(dumps(c)) for c in want] == claims
    assert [a.doc_id for a in sorted(articles, key=lambda a: (a.path, a.doc_id))] == [d["doc_id"] for d in docs]
    assert {a.doc_id: a.paths for a in articles} == {d["doc_id"]: d["paths"] for d in docs}


@pytest.mark.parametrize("dated", ["first read", "read later", "neither"])
def test_a_text_read_again_later_is_one_document_as_if_read_all_first(extractor, tmp_path, dated):
    """The same text under b/ (read first) and a/ (read later, sorts first): one document whose
    path is a/'s, its claims stamped with it, and a date from either manifest used for its
    relative times ("this year") -- what reading everything first gives -- also on a re-run."""
    from pipeline.ingest import read_corpus
    from pipeline.run import claim_sort_key, extract, mark_headline_claims
    from pipeline.store import dumps

    text = "Vantorix said this year it would hire 450 engineers and spend $3 billion on a plant.\n"
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "story.txt").write_text(text)
        (tmp_path / folder / "other.txt").write_text(f"Quellin Group in folder {folder} sold 12 ships in 2021.\n")
    where = {"first read": "b", "read later": "a"}.get(dated)
    if where:
        (tmp_path / where / "manifest.jsonl").write_text('{"path": "story.txt", "published": "2023-05-02"}\n')
    inputs = [str(tmp_path / "b"), str(tmp_path / "a")]
    articles, _ = read_corpus(inputs)
    want = extractor.claims(articles)
    mark_headline_claims(articles, want)
    want = [json.loads(dumps(c)) for c in sorted(want, key=claim_sort_key)]
    out = tmp_path / "out"
    for run in ("first", "re-run"):
        s = extract(inputs, out, extractor=extractor)
        claims = _jsonl(out / "claims.jsonl")
        assert claims == want, run
        story = [d for d in _jsonl(out / "documents.jsonl") if len(d["paths"]) == 2]
        assert len(story) == 1 and story[0]["path"].endswith("a/story.txt")
        assert {c["provenance"]["path"] for c in claims if c["doc_id"] == story[0]["doc_id"]} == {story[0]["path"]}
    assert s.cached == s.documents == 3  # the re-run takes every document from the cache
    year = [c for c in claims if c["doc_id"] == story[0]["doc_id"] and c.get("time")]
    assert bool(year) == (where is not None)
