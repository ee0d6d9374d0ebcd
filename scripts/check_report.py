#!/usr/bin/env python3
"""Render a Factpipe ``report.html`` in headless Chromium and check it.

    python scripts/check_report.py OUTPUT/report.html [--out shot.png]

Two Chromium runs: one saves a screenshot (look at it), one dumps the DOM as
the browser parsed it.  The DOM is then checked:

* the page is self-contained (no scripts, stylesheets, images or fonts
  loaded from elsewhere);
* a summary comes first, then the conflicts, facts, timelines, sources and
  stale decisions sections;
* every conflict shows at least two competing values side by side, and every
  quoted source sentence has its figure highlighted in a ``<mark>``;
* every link is an absolute http(s) URL or points at an element of the page;
* when the run's ``conflicts.jsonl`` / ``documents.jsonl`` / ``facts.jsonl``
  sit next to the report, every conflict, each of its values, the outlet and
  link of each of its sources, and every fact appear on the page; facts shown
  as agreed are exactly those with at least two independent sources.

Exit status 0 when everything passes, 1 when a check fails, 2 when Chromium is
missing or fails to run.  Install it with ``apt-get install chromium``.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib
from html.parser import HTMLParser
from pathlib import Path

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--hide-scrollbars", "--mute-audio",
]
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
SECTIONS = ("summary", "conflicts", "facts", "timelines", "sources", "stale")


class ChromiumError(RuntimeError):
    pass


# --------------------------------------------------------------------------
# A small DOM built from Chromium's serialised DOM


class Node:
    def __init__(self, tag: str, attrs: dict[str, str], parent: "Node | None" = None):
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[Node | str] = []

    @property
    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())

    def iter(self):
        yield self
        for c in self.children:
            if isinstance(c, Node):
                yield from c.iter()

    def find_all(self, tag: str | None = None, cls: str | None = None) -> list["Node"]:
        return [n for n in self.iter() if n is not self and (tag is None or n.tag == tag)
                and (cls is None or cls in n.classes)]

    def find(self, tag: str | None = None, cls: str | None = None) -> "Node | None":
        found = self.find_all(tag, cls)
        return found[0] if found else None

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def norm_text(self) -> str:
        return " ".join(self.text().split())


class _Builder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.cur = self.root

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {k: (v or "") for k, v in attrs}, self.cur)
        self.cur.children.append(node)
        if tag not in VOID:
            self.cur = node

    def handle_startendtag(self, tag, attrs):
        self.cur.children.append(Node(tag, {k: (v or "") for k, v in attrs}, self.cur))

    def handle_endtag(self, tag):
        n = self.cur
        while n is not None and n.tag != tag:
            n = n.parent
        if n is not None and n.parent is not None:
            self.cur = n.parent

    def handle_data(self, data):
        self.cur.children.append(data)


def parse_dom(text: str) -> Node:
    b = _Builder()
    b.feed(text)
    b.close()
    return b.root


# --------------------------------------------------------------------------
# Chromium


def find_chromium(explicit: str | None = None) -> str:
    if explicit:
        if shutil.which(explicit) or Path(explicit).is_file():
            return shutil.which(explicit) or explicit
        raise ChromiumError(f"chromium not found at {explicit}")
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    raise ChromiumError("chromium not installed: apt-get install chromium")


def _run_chromium(chromium: str, args: list[str], url: str, timeout: float) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory(prefix="factpipe-chromium-") as profile:
        cmd = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args, url]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                                  env={**os.environ, "HOME": profile})
        except subprocess.TimeoutExpired:
            raise ChromiumError(f"chromium did not finish within {timeout:.0f}s") from None
        except OSError as e:
            raise ChromiumError(f"cannot start chromium: {e}") from None
    if proc.returncode != 0:
        tail = "\n".join(proc.stderr.strip().splitlines()[-5:])
        raise ChromiumError(f"chromium exited with {proc.returncode}:\n{tail}")
    return proc


def render(report: Path, png: Path, *, width: int = 1280, height: int = 2400,
           chromium: str | None = None, timeout: float = 90) -> str:
    """Screenshot ``report`` into ``png`` and return the DOM as Chromium parsed it."""
    exe = find_chromium(chromium)
    url = report.resolve().as_uri()
    png.parent.mkdir(parents=True, exist_ok=True)
    if png.exists():
        png.unlink()
    _run_chromium(exe, [f"--window-size={width},{height}", f"--screenshot={png.resolve()}"], url, timeout)
    if not png.exists():
        raise ChromiumError(f"chromium wrote no screenshot to {png}")
    dom = _run_chromium(exe, ["--dump-dom"], url, timeout).stdout
    if "<html" not in dom:
        raise ChromiumError("chromium --dump-dom returned no document")
    return dom


# --------------------------------------------------------------------------
# Checks


def check_png(png: Path, width: int, height: int) -> list[str]:
    """The screenshot is a PNG of the window size that is not a blank page."""
    data = png.read_bytes()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        return [f"{png} is not a PNG"]
    w, h = struct.unpack(">II", data[16:24])
    problems = []
    if (w, h) != (width, height):
        problems.append(f"screenshot is {w}x{h}, expected {width}x{height}")
    idat, pos = b"", 8
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if kind == b"IDAT":
            idat += data[pos + 8:pos + 8 + n]
        pos += 12 + n
    try:
        pixels = zlib.decompress(idat)
    except zlib.error:
        return problems + ["screenshot pixel data cannot be decompressed"]
    if len(set(pixels[: len(pixels) // 3])) < 16:  # the top third holds the title and summary
        problems.append("screenshot looks blank (the page did not render)")
    return problems


def check_source(html_text: str) -> list[str]:
    """Self-contained: nothing is fetched from elsewhere, no script is needed."""
    problems = []
    low = html_text.lower()
    if re.search(r"<script\b[^>]*\bsrc=", low):
        problems.append("the page loads a script from elsewhere")
    if re.search(r"<link\b[^>]*rel=[\"']?stylesheet", low):
        problems.append("the page links an external stylesheet")
    if re.search(r"<(img|iframe|video|audio|source|embed|object)\b[^>]*\bsrc=[\"']?(https?:|//)", low):
        problems.append("the page loads media from the network")
    if re.search(r"url\(\s*[\"']?(https?:|//)", low) or "@import" in low:
        problems.append("the CSS loads something from the network")
    if "<style" not in low:
        problems.append("no inline <style>: the page would render unstyled")
    return problems


def _read_jsonl(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def check_dom(dom: Node, run_dir: Path | None = None) -> tuple[list[str], dict[str, int]]:
    problems: list[str] = []
    body = dom.find("body")
    if body is None:
        return ["the rendered page has no <body>"], {}
    if dom.find("h1") is None:
        problems.append("no <h1> title")

    # sections, in order, summary first
    sections = [s.attrs.get("id") for s in body.find_all("section")]
    for sid in SECTIONS:
        if sid not in sections:
            problems.append(f"section #{sid} is missing")
    present = [s for s in sections if s in SECTIONS]
    if present != [s for s in SECTIONS if s in present]:
        problems.append(f"sections out of order: {present}")
    if sections and sections[0] != "summary":
        problems.append(f"the first section is #{sections[0]}, not the summary")
    by_id = {n.attrs["id"]: n for n in body.iter() if n.attrs.get("id")}
    summary = by_id.get("summary")
    if summary is not None:
        stext = summary.norm_text()
        for word in ("Documents", "Claims", "Facts", "Conflicts"):
            if word.lower() not in stext.lower():
                problems.append(f"the summary does not mention {word}")

    # conflicts: values side by side, every quote highlighted
    conflicts = body.find_all("article", "conflict")
    for art in conflicts:
        cid = art.attrs.get("id", "?")
        groups = art.find_all(cls="group")
        if len(groups) < 2:
            problems.append(f"conflict {cid}: {len(groups)} value group(s), expected at least 2 side by side")
        for gi, g in enumerate(groups):
            val = g.find(cls="value")
            if val is None or not val.norm_text():
                problems.append(f"conflict {cid}: value group {gi + 1} shows no value")
            if not g.find_all("blockquote"):
                problems.append(f"conflict {cid}: value group {gi + 1} quotes no source sentence")
    quotes = body.find_all("blockquote")
    for q in quotes:
        marks = q.find_all("mark")
        if not marks or not any(m.norm_text() for m in marks):
            problems.append(f"quote without a highlighted figure: {q.norm_text()[:80]!r}")

    # links
    links = [a for a in body.find_all("a") if "href" in a.attrs]
    for a in links:
        href = a.attrs["href"]
        if href.startswith("#"):
            if href[1:] not in by_id:
                problems.append(f"link {href} points at no element of the page")
        elif not re.match(r"https?://", href):
            problems.append(f"link {href!r} is not an absolute http(s) URL")

    fact_nodes = body.find_all("details", "fact")
    stats = {"conflicts": len(conflicts), "facts": len(fact_nodes),
             "agreed": sum(1 for n in fact_nodes if n.attrs.get("data-status") == "agreed"),
             "quotes": len(quotes), "marks": len(body.find_all("mark")),
             "links": sum(1 for a in links if not a.attrs["href"].startswith("#"))}

    # cross-check with the run's own output files
    if run_dir is not None and (run_dir / "conflicts.jsonl").exists():
        docs = {d["doc_id"]: {**d.get("metadata", {}), "path": d.get("path")}
                for d in _read_jsonl(run_dir / "documents.jsonl")}
        recs = _read_jsonl(run_dir / "conflicts.jsonl")
        if len(recs) != len(conflicts):
            problems.append(f"conflicts.jsonl has {len(recs)} conflicts, the page shows {len(conflicts)}")
        for rec in recs:
            art = by_id.get(rec["conflict_id"])
            if art is None:
                problems.append(f"conflict {rec['conflict_id']} is not on the page")
                continue
            shown = " | ".join(v.norm_text() for v in art.find_all(cls="value"))
            hrefs = {a.attrs.get("href") for a in art.find_all("a")}
            text = art.norm_text()
            for g in rec["groups"]:
                want = (g.get("surfaces") or [None])[0]
                if want and " ".join(want.split()) not in shown:
                    problems.append(f"conflict {rec['conflict_id']}: value {want!r} not shown (shown: {shown})")
                for d in g.get("doc_ids") or []:
                    meta = docs.get(d, {})
                    if meta.get("url") and meta["url"] not in hrefs:
                        problems.append(f"conflict {rec['conflict_id']}: no link to {meta['url']}")
                    if meta.get("outlet") and " ".join(meta["outlet"].split()) not in text:
                        problems.append(f"conflict {rec['conflict_id']}: outlet {meta['outlet']!r} not shown")
                    if meta.get("published") and meta["published"] not in text:
                        problems.append(f"conflict {rec['conflict_id']}: date {meta['published']} not shown")
        facts = _read_jsonl(run_dir / "facts.jsonl")
        agreed = [f["fact_id"] for f in facts if f.get("status") == "agreed"
                  and len((f.get("sources") or {}).get("independent") or []) >= 2]
        if facts and len(agreed) != stats["agreed"]:
            problems.append(f"facts.jsonl has {len(agreed)} facts agreed by 2+ independent sources, "
                            f"the page shows {stats['agreed']}")
        for f in facts:
            if f["fact_id"] not in by_id:
                problems.append(f"fact {f['fact_id']} ({f.get('status')}) is not on the page")
    return problems, stats


def check_report(report: Path, png: Path, *, width: int = 1280, height: int = 2400,
                 chromium: str | None = None, timeout: float = 90) -> tuple[list[str], dict[str, int]]:
    """Render and check; returns (problems, counts).  Raises ChromiumError."""
    problems = check_source(report.read_text(encoding="utf-8"))
    dom_text = render(report, png, width=width, height=height, chromium=chromium, timeout=timeout)
    problems += check_png(png, width, height)
    dom_problems, stats = check_dom(parse_dom(dom_text), report.parent)
    return problems + dom_problems, stats


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("report", type=Path, help="report.html written by `factpipe extract`")
    ap.add_argument("--out", type=Path, help="screenshot path (default: report.png next to the report)")
    ap.add_argument("--width", type=int, default=1280)
    ap.add_argument("--height", type=int, default=2400)
    ap.add_argument("--chromium", help="Chromium executable (default: chromium on PATH)")
    ap.add_argument("--timeout", type=float, default=90, help="seconds per Chromium run")
    args = ap.parse_args(argv)
    if not args.report.is_file():
        print(f"error: {args.report} is not a file", file=sys.stderr)
        return 2
    png = args.out or args.report.with_name("report.png")
    try:
        problems, stats = check_report(args.report, png, width=args.width, height=args.height,
                                       chromium=args.chromium, timeout=args.timeout)
    except ChromiumError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(f"screenshot: {png}")
    print("rendered: " + " ".join(f"{k}={v}" for k, v in stats.items()))
    if problems:
        print(f"FAILED: {len(problems)} problem(s)", file=sys.stderr)
        for p in problems:
            print(f"  - {p}", file=sys.stderr)
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
