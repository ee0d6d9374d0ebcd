"""The review app: pages, filters, decisions through forms (Flask test client),
and the whole loop in a real browser (Playwright driving Debian's chromium)."""
from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest

from pipeline.decisions import load_decisions
from pipeline.store import read_jsonl

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "review_screenshots.py"
BASE = "http://127.0.0.1:8765"


def _shots():
    spec = importlib.util.spec_from_file_location("review_screenshots", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("review_screenshots", mod)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture
def demo(tmp_path, extractor):
    """The screenshot script's demo corpus, extracted: a three-way revenue conflict and an agreed figure."""
    from pipeline.run import extract

    corpus = tmp_path / "corpus"
    _shots().write_demo_corpus(corpus)
    out = tmp_path / "out"

    def run():
        extract([str(corpus)], out, extractor=extractor)

    run()
    return {"corpus": corpus, "out": out, "extract": run}


@pytest.fixture
def client(demo):
    from pipeline.review import create_app

    app = create_app(demo["out"], reviewer="ann")
    return app.test_client(), app.config["FACTPIPE_TOKEN"]


def _get(client, url):
    r = client.get(url, base_url=BASE)
    assert r.status_code == 200, url
    return r.get_data(as_text=True)


def test_pages_and_conflict_first(client):
    c, _ = client
    assert c.get("/", base_url=BASE).headers["Location"].endswith("/conflicts")
    page = _get(c, "/conflicts")
    for want in ("Business Daily", "2024-02-10", 'href="https://example.com/business/globex-2023"',
                 "<mark>$5.2 billion</mark>", "<mark>$7.9 billion</mark>", "1 independent source",
                 "Accept value A", "Not the same fact"):
        assert want in page, want
    assert "HR Weekly" in _get(c, "/sources") and "Umbrella" in _get(c, "/facts")
    assert "No figure is tracked over time" in _get(c, "/timelines")
    assert c.get("/nope", base_url=BASE).status_code == 404


@pytest.mark.parametrize("query,shown,hidden", [
    ("outlet=HR+Weekly", "Umbrella", "Globex"),
    ("entity=globex", "Globex", "Umbrella"),
    ("metric=revenue", "Globex", "Umbrella"),
    ("status=conflict", "Globex", "Umbrella"),
    ("date=2022-01", "Umbrella", "Globex"),
    ("q=employed+4%2C200", "Umbrella", "Globex"),
    ("q=chief+financial", "Globex", "Umbrella"),
    ("q=filings", "Globex", "Umbrella"),
])
def test_facts_filters(client, query, shown, hidden):
    c, _ = client
    main = _get(c, "/facts?" + query).split("<main>")[1]
    facts = re.findall(r'<details class="fact".*?</details>', main, re.S)
    assert facts and all(shown in f and hidden not in f for f in facts), query


def test_decisions_from_forms_go_to_the_run_corpus(client, demo):
    c, token = client
    (x,) = read_jsonl(demo["out"] / "conflicts.jsonl")
    url = f"/conflict/{x['conflict_id']}/decide"
    # no token: refused; a foreign Host: refused
    assert c.post(url, data={"action": "dismiss"}, base_url=BASE).status_code == 403
    assert c.post(url, data={"action": "dismiss", "token": token}, base_url="http://evil.example").status_code == 403
    r = c.post(url, data={"action": "value", "value": "6.1", "token": token}, base_url=BASE, follow_redirects=True)
    assert "not recorded" in r.get_data(as_text=True) and "has no unit" in r.get_data(as_text=True)
    r = c.post(url, data={"action": "value", "value": "$6.1bn", "note": "annual report", "token": token},
               base_url=BASE, follow_redirects=True)
    assert "Decision recorded" in r.get_data(as_text=True)
    (d,) = load_decisions(demo["corpus"] / "decisions.jsonl")
    assert d["value"] == 6.1e9 and d["who"] == "ann" and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", d["when"])
    assert "applied at the next" in _get(c, "/conflicts")  # pending until the next extract
    demo["extract"]()
    (x2,) = read_jsonl(demo["out"] / "conflicts.jsonl")
    assert x2["resolution"]["value"] == 6.1e9 and x2["resolution"]["note"] == "annual report"
    page = _get(c, "/conflicts")
    assert "resolved" in page and "$6.1bn" in page and "applied at the next" not in page


def test_split_from_the_app(client, demo):
    c, token = client
    (x,) = read_jsonl(demo["out"] / "conflicts.jsonl")
    r = c.post(f"/conflict/{x['conflict_id']}/decide", data={"action": "split", "token": token}, base_url=BASE)
    assert r.status_code == 303
    demo["extract"]()
    facts = read_jsonl(demo["out"] / "facts.jsonl")
    assert len([f for f in facts if f["key"].get("split_of") == x["fact_id"]]) == 3


def test_browser_filters_resolves_and_sees_it_resolved(demo, tmp_path):
    shots = _shots()
    try:
        shots.chromium_path()
    except shots.MissingBrowser as exc:
        pytest.skip(str(exc))
    with shots.running_app(demo["out"], reviewer="ann") as url, shots.browser_page() as page:
        page.goto(url + "/facts")
        page.locator("select[name=outlet]").select_option("HR Weekly")
        page.get_by_role("button", name="Filter").click()
        page.wait_for_url("**outlet=HR+Weekly*")
        texts = page.locator("details.fact").all_inner_texts()
        assert len(texts) == 1 and "Umbrella" in texts[0] and "2 independent sources" in texts[0]
        page.screenshot(path=str(tmp_path / "facts.png"), full_page=True)

        page.goto(url + "/conflicts")
        card = page.locator("article.conflict")
        assert card.count() == 1 and "open" in card.locator(".chead").inner_text().lower()
        card.get_by_role("button", name="Accept value C").click()
        page.wait_for_load_state()
        assert "Decision recorded" in page.locator(".flash").inner_text()
        page.screenshot(path=str(tmp_path / "conflict.png"), full_page=True)

        demo["extract"]()  # the next extract applies the decision
        page.goto(url + "/conflicts")
        head = page.locator("article.conflict .chead").inner_text().lower()
        assert "resolved" in head
        assert "Resolved:" in page.locator("article.conflict .resolution").inner_text()
        assert page.locator(".group.accepted .value").inner_text() == "$7.9 billion"
    (d,) = load_decisions(demo["corpus"] / "decisions.jsonl")
    assert d["who"] == "ann" and d["action"] == "accept"
    for name in ("facts.png", "conflict.png"):
        assert (tmp_path / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
