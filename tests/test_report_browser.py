"""report.html rendered in a real headless browser (Debian's chromium) by scripts/check_report.py."""
from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "check_report.py"


def _load_checker():
    spec = importlib.util.spec_from_file_location("check_report", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("check_report", mod)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture
def need_chromium():
    if not shutil.which("chromium"):
        pytest.skip("chromium not installed: apt-get install chromium")


@pytest.fixture(scope="module")
def conflict_run(tmp_path_factory, extractor):
    """A small corpus with a real three-way conflict, an agreed figure, outlets, dates and links."""
    from pipeline.run import extract

    base = tmp_path_factory.mktemp("browser")
    corpus = base / "corpus"
    corpus.mkdir()
    texts = {
        "a.txt": "Globex Corp reported revenue of $5.2 billion in 2023.",
        "b.txt": "In 2023, Globex Corp reported revenue of $7.9 billion, according to filings.",
        "c.txt": ("Globex Corp's revenue in 2023 was $6.1 billion, the company's chief financial officer told "
                  "shareholders at an unusually long annual meeting held in a converted aircraft hangar, where "
                  "several investors questioned the accounting treatment of the acquisitions made that year."),
        "f.txt": "Umbrella Ltd employed 4,200 people in 2021, the company said.",
        "g.txt": "In 2021, Umbrella Ltd employed 4,200 people, according to its annual report.",
    }
    meta = {
        "a.txt": ("Business Daily", "https://example.com/business/globex-2023-results?ref=feed&utm=x", "2024-02-10"),
        "b.txt": ("Finance Wire", "https://example.org/wire/globex", "2024-03-01"),
        "c.txt": ("Evening Chronicle & Advertiser", "https://example.net/news/2024/04/12/globex-annual-general-"
                  "meeting-hangar-shareholders-question-accounting-treatment-of-acquisitions", "2024-04-12"),
        "f.txt": ("Umbrella Gazette", "https://example.com/umbrella", "2022-01-05"),
        "g.txt": ("HR Weekly", None, "2022-02"),
    }
    for name, text in texts.items():
        (corpus / name).write_text(text + "\n", encoding="utf-8")
    with open(corpus / "manifest.jsonl", "w", encoding="utf-8") as fh:
        for name, (outlet, url, published) in meta.items():
            fh.write(json.dumps({"path": name, "outlet": outlet, "url": url, "published": published}) + "\n")
    out = base / "output"
    extract([str(corpus)], out, extractor=extractor)
    return out


def test_conflict_report_renders_in_chromium(need_chromium, conflict_run, tmp_path):
    conflicts = [json.loads(line) for line in (conflict_run / "conflicts.jsonl").read_text().splitlines()]
    assert len(conflicts) == 1 and len(conflicts[0]["groups"]) == 3  # the page must show a real conflict
    png = tmp_path / "report.png"
    proc = subprocess.run([sys.executable, str(SCRIPT), str(conflict_run / "report.html"), "--out", str(png)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "OK" in proc.stdout and "conflicts=1 facts=2 agreed=1" in proc.stdout
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_sample_corpus_report_renders_in_chromium(need_chromium, corpus_run, tmp_path):
    checker = _load_checker()
    problems, stats = checker.check_report(corpus_run["out"] / "report.html", tmp_path / "corpus.png")
    assert problems == []
    facts = [json.loads(line) for line in (corpus_run["out"] / "facts.jsonl").read_text().splitlines()]
    # every fact is on the page; "agreed" only with two independent sources (the WIRED rewrites are one)
    agreed = [f for f in facts if f["status"] == "agreed" and len(f["sources"]["independent"]) >= 2]
    assert stats["facts"] == len(facts) > 0 and stats["agreed"] == len(agreed)
    assert all(len(f["sources"]["independent"]) >= 2 for f in facts if f["status"] == "agreed")
    assert stats["conflicts"] == 0 and stats["marks"] == stats["quotes"] > 0


def test_checker_catches_a_broken_page(need_chromium, conflict_run, tmp_path):
    """Missing highlights, a lost value group and a dead in-page link are reported, exit status 1."""
    page = (conflict_run / "report.html").read_text(encoding="utf-8")
    broken = page.replace("<mark>", "<span>").replace("</mark>", "</span>")
    broken = broken.replace('<div class="value">$7.9 billion</div>', '<div class="value"></div>')
    broken = broken.replace('href="#conflicts"', 'href="#nowhere"')
    assert broken != page
    bad = tmp_path / "out"
    shutil.copytree(conflict_run, bad, ignore=shutil.ignore_patterns(".cache"))
    (bad / "report.html").write_text(broken, encoding="utf-8")
    proc = subprocess.run([sys.executable, str(SCRIPT), str(bad / "report.html"), "--out", str(tmp_path / "b.png")],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1
    assert "quote without a highlighted figure" in proc.stderr
    assert "shows no value" in proc.stderr and "'$7.9 billion' not shown" in proc.stderr
    assert "#nowhere points at no element" in proc.stderr


def test_checker_reports_missing_chromium(tmp_path):
    report = tmp_path / "report.html"
    report.write_text("<!DOCTYPE html><html><head><style></style></head><body></body></html>", encoding="utf-8")
    proc = subprocess.run([sys.executable, str(SCRIPT), str(report), "--chromium", str(tmp_path / "no-chromium")],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "chromium not found" in proc.stderr
