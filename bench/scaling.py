"""Scaling: one big document (time per MB, peak memory) and a big WARC (streaming ingest).

    .venv/bin/python bench/scaling.py                 # 100/200/400 KB document; 20/80 MB WARC read; 5..320 MB extract
    .venv/bin/python bench/scaling.py --big           # 100 KB .. 10 MB document; 100 MB / 1 GB WARC; extract + 1 GB
    .venv/bin/python bench/scaling.py --sizes 100,1000 --warc-mb 0 --extract-mb 0
    .venv/bin/python bench/scaling.py --sizes 0 --warc-mb 0 --extract-mb 5,20,80,320   # streaming extract only

Each measurement runs in a fresh child process (``python -c``) so its peak RSS
(``VmHWM``, reset by exec; ``ru_maxrss`` would carry the parent's peak over a fork) is its own:

* document: ``pipeline.run.extract([file], out, use_cache=False)`` on one
  ``.txt`` file of the given size, built from ``corpus/`` articles with their
  numbers varied (so every sentence is new work); prints seconds, seconds per
  MB without the model load (relative to the smallest size) and peak RSS. Target (issue 9): time per MB
  within 1.5x from 100 KB to 10 MB, peak RSS under 1.2 GB at 10 MB.
* WARC: ``pipeline.ingest.read_corpus([warc])`` on a synthetic ``.warc.gz``
  of distinct news pages (article + navigation/related/ad boilerplate, about
  40 KB of HTML each); prints pages, seconds and peak RSS. Only ingestion is
  measured (main-text extraction of every record included); a full ``extract``
  of 1 GB of pages is hours of spaCy on 2 cores. Target: RSS under 1.2 GB
  at 1 GB.
* WARC extract: ``pipeline.run.extract([warc], out)`` -- the streaming path,
  articles read, extracted and parked on disk as they come (texts, claims,
  mentions), then resolution from the claims loaded back and copy detection
  from per-document signatures -- on synthetic ``.warc.gz`` files of 5 / 20 /
  80 / 320 MB of HTML (``--big``: also 1 GB; pages of about 170 KB, like real
  news pages, each with six paragraphs of corpus/ text, digits varied); prints
  documents, claims, seconds, peak RSS and its growth per 100 MB of HTML.
  Target (issue 9): peak RSS flat as the archive grows, < 1.2 GB at 1 GB.
  The pages all retell corpus/'s five stories, so every document lands in the
  same few resolution blocks: a hard case for resolution, whose working set
  (claims, compared pairs) grows with the claims.

A report, not a test: it always exits 0.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MB = 1024 * 1024
RSS_TARGET_MIB = 1200

# peak RSS of this program: VmHWM (reset by exec), not ru_maxrss, which a child started by fork + exec
# inherits from its parent (bench.py's own ~1.3 GB would hide the child's figure)
_PEAK = """
import resource
def peak_mib():
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
"""

_CHILD_DOC = _PEAK + """
import json, resource, sys, time
from pipeline.run import extract
t = time.perf_counter()
s = extract([sys.argv[1]], sys.argv[2], use_cache=False)
print(json.dumps({"seconds": time.perf_counter() - t, "claims": s.claims,
                  "work_seconds": time.perf_counter() - t - s.timings.get("load_model", 0.0),
                  "timings": {k: round(v, 2) for k, v in s.timings.items()},
                  "rss_mib": peak_mib()}))
"""

_CHILD_WARC_EXTRACT = _PEAK + """
import json, resource, sys, time
from pipeline.run import extract
t = time.perf_counter()
s = extract([sys.argv[1]], sys.argv[2], use_cache=False)
print(json.dumps({"seconds": time.perf_counter() - t, "documents": s.documents, "claims": s.claims,
                  "facts": s.facts, "timings": {k: round(v, 1) for k, v in s.timings.items()},
                  "rss_mib": peak_mib()}))
"""

_CHILD_WARC = _PEAK + """
import json, resource, sys, time
from pipeline.ingest import iter_corpus
from pipeline.records import Article
t = time.perf_counter()
n = chars = 0
for item in iter_corpus([sys.argv[1]]):
    if isinstance(item, Article):
        n += 1
        chars += len(item.text)
print(json.dumps({"seconds": time.perf_counter() - t, "documents": n, "chars": chars,
                  "rss_mib": peak_mib()}))
"""


def _child(code: str, *args: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    r = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env)
    if r.returncode != 0:
        return {"error": (r.stderr.strip().splitlines() or ["?"])[-1]}
    return json.loads(r.stdout.strip().splitlines()[-1])


def _paragraphs() -> list[str]:
    paras = []
    for p in sorted((ROOT / "corpus").glob("*.txt")):
        paras += [x.strip() for x in p.read_text(encoding="utf-8").split("\n\n") if x.strip()]
    return paras or ["Acme said revenue rose 5% to $2 billion in 2023, and it bought 1,000 GPUs."]


def make_text(size: int, seed: int = 0) -> str:
    """About ``size`` characters of news text: corpus paragraphs with their digits varied."""
    rng = random.Random(seed)
    paras = _paragraphs()
    out, n, i = [], 0, 0
    while n < size:
        p = "".join(str(rng.randint(1, 9)) if ch.isdigit() else ch for ch in paras[i % len(paras)])
        out.append(p)
        n += len(p) + 2
        i += 1
    return "\n\n".join(out)[:size]


def bench_document(sizes_kb: list[int]) -> list[dict]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="factpipe-scaling-") as tmp:
        for kb in sizes_kb:
            path = Path(tmp) / f"doc_{kb}kb.txt"
            path.write_text(make_text(kb * 1024), encoding="utf-8")
            r = _child(_CHILD_DOC, str(path), str(Path(tmp) / f"out_{kb}"))
            r["size_kb"] = kb
            rows.append(r)
            print(f"  document {kb} KB: {json.dumps(r)}", flush=True)
    return rows


PAGE = """<!DOCTYPE html><html><head><title>{title} | Example News</title>
<meta property="og:site_name" content="Example News"><meta property="article:published_time" content="2024-{m:02d}-{d:02d}">
<link rel="canonical" href="https://news.example/{i}"></head><body>
<header><nav>{nav}</nav></header><main><article><h1>{title}</h1>{body}</article></main>
<aside class="related"><h2>Related</h2><ul>{related}</ul></aside>
<div class="ad">Subscribe for $1 a week. 40+ digital editions.</div><footer>{nav}</footer>{pad}</body></html>"""


def make_warc(path: Path, target_bytes: int, seed: int = 0, pad_bytes: int = 12_000) -> int:
    """A gzipped WARC of distinct pages, about ``target_bytes`` of (uncompressed) HTML; returns the
    page count.  ``pad_bytes``: markup (an HTML comment) per page besides its navigation, related
    links, ad and six article paragraphs (html-dev's real pages average about 170 KB)."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    rng = random.Random(seed)
    paras = _paragraphs()
    nav = " ".join(f"<a href='/s{k}'>Section {k}</a>" for k in range(60))
    pad = "<!-- " + "x" * pad_bytes + " -->"
    written = pages = 0
    with open(path, "wb") as fh:
        w = WARCWriter(fh, gzip=True)
        while written < target_bytes:
            body = "".join("<p>" + "".join(str(rng.randint(1, 9)) if c.isdigit() else c
                                           for c in paras[rng.randrange(len(paras))]) + "</p>" for _ in range(6))
            related = "".join(f"<li><a href='/r{rng.randint(1, 10**6)}'>Story {rng.randint(1, 10**6)}</a></li>"
                              for _ in range(20))
            html = PAGE.format(title=f"Story {pages}: markets move", m=1 + pages % 12, d=1 + pages % 28, i=pages,
                               nav=nav, body=body, related=related, pad=pad).encode("utf-8")
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            w.write_record(w.create_warc_record(f"https://news.example/{pages}", "response",
                                                payload=io.BytesIO(html), http_headers=http))
            written += len(html)
            pages += 1
    return pages


def bench_warc(sizes_mb: list[int]) -> list[dict]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="factpipe-warc-") as tmp:
        for mb in sizes_mb:
            path = Path(tmp) / f"crawl_{mb}mb.warc.gz"
            t = time.perf_counter()
            pages = make_warc(path, mb * MB)
            build = time.perf_counter() - t
            r = _child(_CHILD_WARC, str(path))
            r.update(html_mb=mb, pages=pages, gz_mb=round(path.stat().st_size / MB, 1), build_seconds=round(build, 1))
            rows.append(r)
            print(f"  WARC {mb} MB: {json.dumps(r)}", flush=True)
            path.unlink()
    return rows


EXTRACT_PAD = 150_000  # pages of ~170 KB, like real news pages: 80 MB is ~470 pages


def bench_warc_extract(sizes_mb: list[int]) -> list[dict]:
    """``extract()`` (streaming: read, extract, write incrementally; then resolve) of a synthetic
    ``.warc.gz`` of each size, in a child process each: documents, claims, seconds, peak RSS."""
    rows = []
    with tempfile.TemporaryDirectory(prefix="factpipe-warcx-") as tmp:
        for mb in sizes_mb:
            path = Path(tmp) / f"crawl_{mb}mb.warc.gz"
            pages = make_warc(path, mb * MB, seed=mb, pad_bytes=EXTRACT_PAD)
            r = _child(_CHILD_WARC_EXTRACT, str(path), str(Path(tmp) / f"out_{mb}"))
            r.update(html_mb=mb, pages=pages)
            rows.append(r)
            print(f"  WARC extract {mb} MB: {json.dumps(r)}", flush=True)
            path.unlink()
    return rows


def report_warc_extract(rows: list[dict]) -> None:
    if not rows:
        return
    print("\n| WARC extract (HTML MB) | pages | documents | claims | seconds | peak RSS MiB |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        if "seconds" not in r:
            print(f"| {r['html_mb']} | failed: {r['error']} | | | | |")
            continue
        print(f"| {r['html_mb']} | {r['pages']} | {r['documents']} | {r['claims']} | {r['seconds']:.0f} | "
              f"{r['rss_mib']:.0f} |")
    ok = [r for r in rows if "rss_mib" in r]
    if len(ok) > 1:
        a, b = ok[0], ok[-1]
        print(f"peak RSS {a['rss_mib']:.0f} MiB at {a['html_mb']} MB -> {b['rss_mib']:.0f} MiB at "
              f"{b['html_mb']} MB of HTML ({b['rss_mib'] / a['rss_mib']:.2f}x for "
              f"{b['html_mb'] / a['html_mb']:.0f}x the input)")
        a = ok[-2]  # growth between the two largest sizes (the smallest are dominated by fixed costs)
        slope = (b["rss_mib"] - a["rss_mib"]) / (b["html_mb"] - a["html_mb"]) * 100
        line = (f"growth from {a['html_mb']} to {b['html_mb']} MB: {slope:.1f} MiB per 100 MB of HTML, "
                f"{(b['rss_mib'] - a['rss_mib']) * 1024 / max(b['claims'] - a['claims'], 1):.1f} KiB per claim")
        if b["html_mb"] < 1024:
            line += (f"; a linear projection to 1 GB gives {b['rss_mib'] + slope * (1024 - b['html_mb']) / 100:.0f} MiB "
                     f"(target < {RSS_TARGET_MIB}; a low estimate: resolution's compared pairs grow faster than the "
                     f"pages here, and the 1 GB run measured 856 MiB on 2026-12-01)")
        print(line)


def report(doc_rows: list[dict], warc_rows: list[dict]) -> None:
    ok = [r for r in doc_rows if "seconds" in r]
    if ok:
        base = ok[0]["work_seconds"] / ok[0]["size_kb"]
        print("\n| document | seconds (all) | without model load | s per MB | vs smallest | peak RSS MiB | claims |")
        print("|---|---|---|---|---|---|---|")
        for r in doc_rows:
            if "seconds" not in r:
                print(f"| {r['size_kb']} KB | failed: {r['error']} | | | | | |")
                continue
            per = r["work_seconds"] / r["size_kb"]
            print(f"| {r['size_kb']} KB | {r['seconds']:.1f} | {r['work_seconds']:.1f} | {per * 1024:.1f} | "
                  f"{per / base:.2f}x | {r['rss_mib']:.0f} | {r['claims']} |")
        worst = max(r["work_seconds"] / r["size_kb"] for r in ok) / base
        print(f"time per MB: worst {worst:.2f}x the smallest size's (target <= 1.5x); "
              f"peak RSS {max(r['rss_mib'] for r in ok):.0f} MiB (target < {RSS_TARGET_MIB})")
    if warc_rows:
        print("\n| WARC (HTML MB) | .gz MB | pages | documents | ingest s | peak RSS MiB |")
        print("|---|---|---|---|---|---|")
        for r in warc_rows:
            if "seconds" not in r:
                print(f"| {r['html_mb']} | failed: {r['error']} | | | | |")
                continue
            print(f"| {r['html_mb']} | {r['gz_mb']} | {r['pages']} | {r['documents']} | {r['seconds']:.1f} | "
                  f"{r['rss_mib']:.0f} |")


def run(big: bool = False, sizes_kb: list[int] | None = None, warc_mb: list[int] | None = None,
        extract_mb: list[int] | None = None) -> dict:
    """The scaling part of ``bench/bench.py`` (one call) and of this script's ``main``."""
    sizes_kb = sizes_kb if sizes_kb is not None else ([100, 1024, 5 * 1024, 10 * 1024] if big else [100, 200, 400])
    sizes_kb = [k for k in sizes_kb if k > 0]
    warc_mb = warc_mb if warc_mb is not None else ([100, 1024] if big else [20, 80])
    extract_mb = extract_mb if extract_mb is not None else ([5, 20, 80, 320, 1024] if big else [5, 20, 80, 320])
    print(f"\n## Scaling: one document of {', '.join(f'{k} KB' for k in sizes_kb) or 'none'}; "
          f"WARC of {', '.join(f'{m} MB' for m in warc_mb if m > 0) or 'none'}", flush=True)
    doc_rows = bench_document(sizes_kb)
    warc_rows = bench_warc([m for m in warc_mb if m > 0])
    print(f"\n## Streaming extract of a WARC of {', '.join(f'{m} MB' for m in extract_mb if m > 0) or 'none'} "
          f"(pages of ~{EXTRACT_PAD // 1000 + 20} KB)", flush=True)
    x_rows = bench_warc_extract([m for m in extract_mb if m > 0])
    report(doc_rows, warc_rows)
    report_warc_extract(x_rows)
    return {"document": doc_rows, "warc": warc_rows, "warc_extract": x_rows}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--big", action="store_true", help="100 KB .. 10 MB document and a 1 GB WARC (long)")
    ap.add_argument("--sizes", default=None, help="document sizes in KB, comma-separated (0: none)")
    ap.add_argument("--warc-mb", default=None, help="WARC sizes in MB of HTML, comma-separated (0: none)")
    ap.add_argument("--extract-mb", default=None,
                    help="WARC sizes in MB of HTML for the streaming extract() run (default 5,20,80,320; "
                         "--big adds 1024; 0: none)")
    a = ap.parse_args(argv)
    sizes = [int(x) for x in a.sizes.split(",")] if a.sizes else None
    warc = [int(x) for x in a.warc_mb.split(",")] if a.warc_mb else None
    xmb = [int(x) for x in a.extract_mb.split(",")] if a.extract_mb else None
    run(a.big, sizes, warc, xmb)
    return 0


if __name__ == "__main__":
    sys.exit(main())
