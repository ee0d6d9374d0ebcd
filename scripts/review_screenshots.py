#!/usr/bin/env python3
"""Drive the review app in headless Chromium (Playwright) and take screenshots.

    python scripts/review_screenshots.py [OUT] [--shots output/]

Without OUT a small demo run (a three-way revenue conflict, an agreed figure)
is extracted into a temporary folder.  The app is started on 127.0.0.1 with a
free port; Playwright drives Debian's chromium (``/usr/bin/chromium`` through
``executable_path``; nothing is downloaded).  Writes
``review-conflicts.png`` (the conflicts page) and ``review-facts-filtered.png``
(the facts page filtered by outlet) into ``--shots``.

Exit status 0 on success, 2 when chromium or Playwright is missing.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import shutil
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]

DEMO = {
    "a.txt": ("Globex Corp reported revenue of $5.2 billion in 2023.",
              ("Business Daily", "https://example.com/business/globex-2023", "2024-02-10")),
    "b.txt": ("In 2023, Globex Corp reported revenue of $7.9 billion, according to filings.",
              ("Finance Wire", "https://example.org/wire/globex", "2024-03-01")),
    "c.txt": ("Globex Corp's revenue in 2023 was $6.1 billion, the company's chief financial officer told "
              "shareholders at the annual meeting.", ("Evening Chronicle", None, "2024-04-12")),
    "f.txt": ("Umbrella Ltd employed 4,200 people in 2021, the company said.",
              ("Umbrella Gazette", "https://example.com/umbrella", "2022-01-05")),
    "g.txt": ("In 2021, Umbrella Ltd employed 4,200 people, according to its annual report.",
              ("HR Weekly", None, "2022-01-20")),
}


class MissingBrowser(RuntimeError):
    pass


def chromium_path() -> str:
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if not exe:
        raise MissingBrowser("chromium not installed: apt-get install chromium")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        raise MissingBrowser("playwright not installed: pip install '.[test]'") from None
    return exe


def write_demo_corpus(corpus: Path) -> None:
    corpus.mkdir(parents=True, exist_ok=True)
    with open(corpus / "manifest.jsonl", "w", encoding="utf-8") as fh:
        for name, (text, (outlet, url, published)) in DEMO.items():
            (corpus / name).write_text(text + "\n", encoding="utf-8")
            fh.write(json.dumps({"path": name, "outlet": outlet, "url": url, "published": published}) + "\n")


@contextlib.contextmanager
def running_app(out: Path, reviewer: str = "reviewer"):
    """The review app on 127.0.0.1:<free port> in a thread; yields its base URL."""
    import logging

    from pipeline.review import make_server

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no request log in tests and screenshots
    server = make_server(out, port=0, reviewer=reviewer)
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        server.shutdown()
        server.server_close()
        t.join(10)


@contextlib.contextmanager
def browser_page(width: int = 1280, height: int = 1000):
    """A Playwright page in a fresh headless chromium (its own user-data-dir)."""
    from playwright.sync_api import sync_playwright

    exe = chromium_path()
    with tempfile.TemporaryDirectory(prefix="factpipe-chromium-") as profile, sync_playwright() as p:
        ctx = p.chromium.launch_persistent_context(profile, executable_path=exe, headless=True,
                                                   args=CHROMIUM_FLAGS, viewport={"width": width, "height": height})
        try:
            page = ctx.pages[0] if ctx.pages else ctx.new_page()
            page.set_default_timeout(30000)
            yield page
        finally:
            ctx.close()


def screenshots(out: Path, shots: Path, outlet: str | None = None) -> dict[str, Path]:
    """Screenshots of the conflicts page and of the facts page filtered by ``outlet``
    (default: the first outlet the app offers)."""
    shots.mkdir(parents=True, exist_ok=True)
    paths = {"conflicts": shots / "review-conflicts.png", "facts": shots / "review-facts-filtered.png"}
    with running_app(out) as url, browser_page() as page:
        page.goto(url + "/conflicts")
        page.screenshot(path=str(paths["conflicts"]), full_page=True)
        page.goto(url + "/facts")
        select = page.locator("select[name=outlet]")
        choice = outlet or select.locator("option").nth(1).get_attribute("value")
        select.select_option(choice)
        page.get_by_role("button", name="Filter").click()
        page.wait_for_url("**/facts?*")
        page.screenshot(path=str(paths["facts"]), full_page=True)
    return paths


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", nargs="?", type=Path, help="a run's output folder (default: a demo run)")
    ap.add_argument("--shots", type=Path, default=ROOT / "output", help="folder for the PNGs [output/]")
    ap.add_argument("--outlet", help="outlet to filter the facts page by")
    args = ap.parse_args(argv)
    try:
        chromium_path()
    except MissingBrowser as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="factpipe-demo-") as tmp:
        out = args.out
        if out is None:
            from pipeline.run import extract

            write_demo_corpus(Path(tmp) / "corpus")
            out = Path(tmp) / "out"
            extract([str(Path(tmp) / "corpus")], out)
        paths = screenshots(out, args.shots, args.outlet)
    for name, p in paths.items():
        print(f"{name}: {p}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
