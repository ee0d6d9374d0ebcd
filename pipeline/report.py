"""The report: one view model rendered as HTML, Markdown and terminal text.

:func:`build_view` turns a run's records (plain JSON dicts, as in the output
files) into a view model: summary counts, conflicts (open first) with their
values side by side and quotes, every fact (single-source ones included) with
its independent sources and copies, timelines (facts sharing a ``series``),
sources and stale decisions.  Jinja2 templates under ``pipeline/templates/``
render it (HTML with autoescape; Markdown with every value escaped), and the
review app (:mod:`pipeline.review`) uses the same view and filters.

Entry points: :func:`write_report` (called by ``extract``), :func:`render_html`,
:func:`render_markdown`, :func:`render_terminal`, :func:`load_output` (a run's
files back as view input), :func:`filter_view`.
"""
from __future__ import annotations

import json
import os
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from pipeline.store import atomic_write_text
from pipeline.values import CURRENCY_SYMBOLS, _num, _wording, format_quantity, plural  # noqa: F401  (re-exported)

TEMPLATES = Path(__file__).parent / "templates"
DATA = Path(__file__).parent / "data" / "report.json"
SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
FILTERS = ("entity", "metric", "status", "outlet", "date", "q")


# --------------------------------------------------------------------------
# Values as written, units pluralised


def _period_text(per: dict[str, Any] | None) -> str:
    per = per or {}
    s, e = per.get("start"), per.get("end")
    if not s:
        return "undated"
    txt = s if s == e else f"{s} – {e}"
    if e and s.endswith("-01-01") and e.endswith("-12-31") and s[:4] == e[:4]:
        txt = s[:4]
    elif e and s[:7] == e[:7] and s.endswith("-01") and e[8:].isdigit() and int(e[8:]) >= 28:
        txt = s[:7]
    if per.get("source") == "published":
        txt += " (publication date)"
    return txt


def _short_date(start: str | None, end: str | None = None) -> str:
    """'2023-01-01'..'2023-01-31' -> 'Jan 2023'; a whole year -> '2023'; a day -> '5 Jan 2023'."""
    if not start:
        return "undated"
    m = re.match(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", start)
    if not m:
        return start
    year, month, day = m.groups()
    if not month or (start.endswith("-01-01") and (end or "").endswith("-12-31") and (end or "")[:4] == year):
        return year
    if day and end == start:
        return f"{int(day)} {MONTHS[int(month) - 1]} {year}"
    return f"{MONTHS[int(month) - 1]} {year}"


def safe_url(url: Any) -> str | None:
    """``url`` when it is an absolute http(s) URL, else None: a manifest's
    ``javascript:`` or relative "URL" must not become a link."""
    if isinstance(url, str) and re.match(r"https?://[^\s/]", url.strip(), re.I):
        return url.strip()
    return None


def _short_url(url: str, limit: int = 60) -> str:
    s = url.split("://", 1)[-1]
    if s.startswith("www."):
        s = s[4:]
    s = s.rstrip("/")
    return s if len(s) <= limit else s[: limit - 1] + "…"


def _n(n: int, word: str) -> str:
    return f"{n} {plural(word, n)}"


# --------------------------------------------------------------------------
# Reading a run back


def _doc_meta(rec: dict[str, Any]) -> dict[str, Any]:
    """documents.jsonl record (or the run's in-memory metadata) -> flat metadata."""
    meta = dict(rec.get("metadata") or {})
    for k in ("outlet", "url", "published", "title", "path"):
        if rec.get(k) is not None and meta.get(k) is None:
            meta[k] = rec[k]
    return meta


def load_output(out_dir: str | os.PathLike) -> dict[str, Any]:
    """The files of a run as :func:`build_view` arguments (plus ``run`` and
    ``decisions_path``).  Raises FileNotFoundError when facts.jsonl is missing."""
    from pipeline.decisions import load_decisions
    from pipeline.store import read_jsonl

    out = Path(out_dir)
    if not (out / "facts.jsonl").exists():
        raise FileNotFoundError(f"{out / 'facts.jsonl'} not found: run `factpipe extract` first")

    def rd(name: str) -> list[dict]:
        p = out / name
        return read_jsonl(p) if p.exists() else []

    run = json.loads((out / "run.json").read_text(encoding="utf-8")) if (out / "run.json").exists() else {}
    documents = {d["doc_id"]: _doc_meta(d) for d in rd("documents.jsonl")}
    conflicts = rd("conflicts.jsonl")
    dpath = decisions_path(out, run)
    decisions = load_decisions(dpath, on_error=lambda n, why: None) if dpath else []
    return {"facts": rd("facts.jsonl"), "conflicts": conflicts, "claims": rd("claims.jsonl"),
            "documents": documents, "dependent_docs": [], "stale": stale_from_files(decisions, conflicts),
            "run": run, "decisions_path": str(dpath) if dpath else None}


def decisions_path(out_dir: str | os.PathLike, run: dict | None = None) -> Path | None:
    """The decisions file ``run.json`` records; for a run.json from before it was
    recorded, :func:`pipeline.decisions.decisions_file` of its inputs (what the
    next extract reads).  None only when ``out_dir`` has no run.json."""
    from .decisions import decisions_file

    if run is None:
        p = Path(out_dir) / "run.json"
        run = json.loads(p.read_text(encoding="utf-8")) if p.exists() else {}
    if run.get("decisions"):
        return Path(run["decisions"])
    if "inputs" in run:
        return decisions_file(run.get("inputs") or [], out_dir)
    return None


def _used_decisions(conflicts: list[dict]) -> set[str]:
    used = set()
    for c in conflicts:
        for r in (c.get("resolution"), c.get("previous_decision")):
            if r:
                used.add(r.get("decision_id"))
                used.update(s.get("decision_id") for s in r.get("superseded") or [])
    return used


def pending_decisions(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Decisions recorded after the run (``load_output`` data): their conflict is
    here but the run has not applied them yet."""
    from pipeline.decisions import _legacy_id, load_decisions

    if not data.get("decisions_path"):
        return []
    decisions = load_decisions(data["decisions_path"], on_error=lambda n, why: None)
    used = _used_decisions(data["conflicts"])
    ids = {c["conflict_id"] for c in data["conflicts"]}
    return [_stale_view(d) for d in decisions if _legacy_id(d) not in used and d.get("conflict_id") in ids]


def stale_from_files(decisions: list[dict], conflicts: list[dict]) -> list[dict]:
    """Decisions that apply to no conflict of the run (as the run judged them)."""
    used = _used_decisions(conflicts)
    ids = {c["conflict_id"] for c in conflicts}
    from pipeline.decisions import _legacy_id

    return [dict(d, reason="no current conflict has this id") for d in decisions
            if _legacy_id(d) not in used and d.get("conflict_id") not in ids]


# --------------------------------------------------------------------------
# The view model


NO_OUTLET = "(no outlet)"


def _source_name(row: dict[str, Any]) -> str:
    """The outlet; without one, "(no outlet) FILE" (or the doc id), never a bare
    file name that reads like an outlet."""
    if row.get("outlet"):
        return row["outlet"]
    if row.get("path"):
        return f"{NO_OUTLET} {Path(row['path']).name}"
    return f"{NO_OUTLET} {row.get('doc_id') or 'unknown source'}"


def _split_sentence(row: dict[str, Any]) -> tuple[str, str, str]:
    sent = row.get("sentence") or ""
    surface = row.get("surface") or ""
    s = (row.get("char_start") or 0) - (row.get("sentence_start") or 0)
    e = (row.get("char_end") or 0) - (row.get("sentence_start") or 0)
    in_range = 0 <= s < e <= len(sent)
    if in_range and (not surface or sent[s:e] == surface):
        parts = sent[:s], sent[s:e], sent[e:]
    elif surface and sent.find(surface) >= 0:
        i = sent.find(surface)
        parts = sent[:i], surface, sent[i + len(surface):]
    elif in_range:
        parts = sent[:s], sent[s:e], sent[e:]
    else:
        parts = sent, "", ""
    return " ".join(parts[0].split("\n")).lstrip(), parts[1], " ".join(parts[2].split("\n")).rstrip()


def _clusters(doc_ids: Iterable[str], sources: dict[str, Any]) -> dict[str, list[str]]:
    """Independent source -> the documents it stands for (itself and its copies)."""
    docs = sorted(set(doc_ids))
    rep = {d: d for d in docs}
    independent = set(sources.get("independent") or docs)
    for grp in sources.get("dependent_groups") or []:
        inter = sorted(d for d in grp if d in rep)
        if len(inter) < 2:
            continue
        keep = next((d for d in inter if d in independent), inter[0])
        for d in inter:
            rep[d] = keep
    out: dict[str, list[str]] = {}
    for d in docs:
        out.setdefault(rep[d], []).append(d)
    return out


def _quote(r: dict[str, Any], documents: dict[str, dict]) -> dict[str, Any]:
    doc = documents.get(r["doc_id"]) or {}
    before, fig, after = _split_sentence(r)
    url = safe_url(r.get("url") or doc.get("url"))
    return {"claim_id": r.get("claim_id"), "doc_id": r["doc_id"],
            "outlet": _source_name({**doc, **{k: v for k, v in r.items() if v}}),
            "published": r.get("published") or doc.get("published"), "url": url,
            "path": r.get("path") or doc.get("path"), "short_url": _short_url(url or ""),
            "before": before, "figure": fig, "after": after, "display": r.get("display") or r.get("surface")}


def _quotes(rows: list[dict], sources: dict[str, Any], documents: dict[str, dict]) -> list[dict[str, Any]]:
    """One quote per independent source (its own sentence) with its copies
    counted and listed (``copy_quotes``), and the ids of the claims that repeat
    it in the same article (``repeat_ids``)."""
    clusters = _clusters((r["doc_id"] for r in rows), sources)
    out = []
    for rep_doc in sorted(clusters, key=lambda d: ((documents.get(d) or {}).get("published") or "9999", d)):
        members = clusters[rep_doc]
        mine = [r for r in rows if r["doc_id"] == rep_doc and not r.get("merged_into")] or \
            [r for r in rows if r["doc_id"] in members][:1]
        copy_rows = [r for r in rows if r["doc_id"] in members and r["doc_id"] != rep_doc
                     and not r.get("merged_into") and r not in mine]
        for n, r in enumerate(mine):
            q = _quote(r, documents)
            q["copies"] = len(members)
            q["copy_outlets"] = sorted({_source_name({**(documents.get(d) or {}), "doc_id": d})
                                        for d in members if d != rep_doc})
            q["copy_quotes"] = [dict(_quote(x, documents), repeat_ids=_repeats(rows, x)) for x in copy_rows] \
                if n == 0 else []
            q["repeat_ids"] = _repeats(rows, r)
            q["repeats"] = len(q["repeat_ids"])
            out.append(q)
    return out


def _repeats(rows: list[dict], r: dict[str, Any]) -> list[str]:
    return [x["claim_id"] for x in rows if x.get("merged_into") == r.get("claim_id") and x.get("claim_id")]


def _sources_text(n_ind: int, n_docs: int) -> str:
    """'2 independent sources', '1 independent source with 50 copies'."""
    if n_docs <= n_ind:
        return _n(n_ind, "independent source")
    if n_ind == 1:
        return f"1 independent source with {n_docs} copies"
    return f"{_n(n_ind, 'independent source')} from {n_docs} documents (copies counted once)"


def _written(rows: list[dict]) -> str | None:
    """The figure as the sources wrote it: the most common display, first on ties."""
    shown = [r.get("display") or r.get("surface") for r in rows if not r.get("merged_into")]
    shown = [s for s in shown if s]
    if not shown:
        return None
    counts = Counter(shown)
    return max(shown, key=lambda s: (counts[s], -shown.index(s)))


def _resolution_view(res: dict[str, Any] | None, unit: str) -> dict[str, Any] | None:
    if not res:
        return None
    action = res.get("action") or ("value" if res.get("value") is not None and not res.get("claim_id")
                                   else "accept" if res.get("claim_id") else "dismiss")
    if action == "split":
        what = "not the same fact: each value is its own fact"
    elif res.get("value") is not None:
        what = format_quantity(res["value"], unit)
        if res.get("value_text") and action == "value":
            what += f" (entered as “{res['value_text']}”)"
    else:
        what = "dismissed, no value chosen"
    return {"action": action, "text": what, "claim_id": res.get("claim_id"), "who": res.get("who") or "?",
            "when": res.get("when") or "?", "note": res.get("note"), "decision_id": res.get("decision_id"),
            "supersedes": res.get("supersedes"),
            "superseded": [_resolution_view(s, unit) for s in res.get("superseded") or []],
            "new_claim_ids": res.get("new_claim_ids") or []}


def _title(key: dict[str, Any], fact: dict[str, Any] | None = None) -> str:
    subj = key.get("subject") or ((fact or {}).get("subject") or {}).get("text") or "(no subject)"
    parts = [subj]
    if key.get("object"):
        parts.append(key["object"])
    parts.append((key.get("metric") or "?").replace("_", " "))
    parts.append(_period_text(key.get("period")))
    return " · ".join(parts)


def _fact_view(f: dict[str, Any], documents: dict[str, dict]) -> dict[str, Any]:
    src = f.get("sources") or {}
    rows = f.get("provenance") or []
    docs = src.get("doc_ids") or sorted({r["doc_id"] for r in rows})
    n_ind = len(src.get("independent") or docs)
    status = f.get("status") or "single"
    if status == "agreed" and n_ind < 2:  # copies are one source: never "agreed"
        status = "single"
    quotes = _quotes(rows, src, documents)
    written = _written(rows)
    norm = format_quantity(f.get("value"), f.get("unit")) if f.get("value") is not None else None
    if f.get("value_min") != f.get("value_max") or (f.get("value_min") is not None and f["value_min"] != f.get("value")):
        norm = None  # a bound or a range: the written form says it, a single number would not
    res = _resolution_view(f.get("resolution"), f.get("unit") or "")
    if status == "conflict":
        value_text = "values disagree"
    elif res is not None:
        value_text = res["text"]
    else:
        value_text = written or norm or "?"
    key = f.get("key") or {}
    outlets = sorted({q["outlet"] for q in quotes} | {o for q in quotes for o in q["copy_outlets"]})
    dates = sorted({(documents.get(d) or {}).get("published") or "" for d in docs} - {""})
    entities = [x for x in (key.get("subject"), key.get("object")) if x]
    return {
        "id": f["fact_id"], "title": _title(key, f), "status": status,
        "status_label": _wording()["status_labels"].get(status, status),
        "subject": key.get("subject"), "object": key.get("object"), "metric": key.get("metric") or "",
        "metric_label": (key.get("metric") or "").replace("_", " "), "period": _period_text(key.get("period")),
        "period_start": (key.get("period") or {}).get("start"), "period_end": (key.get("period") or {}).get("end"),
        "unit": f.get("unit"),
        "value_text": value_text, "value_norm": norm if norm and norm != value_text else None,
        "n_independent": n_ind, "n_docs": len(docs), "sources_text": _sources_text(n_ind, len(docs)),
        "quotes": quotes, "outlets": outlets, "dates": dates, "entities": entities,
        "claim_ids": f.get("claim_ids") or [], "resolution": res, "series": f.get("series"),
        "updates": f.get("updates"), "period_source": (key.get("period") or {}).get("source"),
        "search": " ".join(q["before"] + q["figure"] + q["after"] for q in quotes).lower(),
    }


def _conflict_view(c: dict[str, Any], fact: dict[str, Any] | None, documents: dict[str, dict]) -> dict[str, Any]:
    unit = (fact or {}).get("unit") or (c.get("groups") or [{}])[0].get("unit") or ""
    src = (fact or {}).get("sources") or {}
    rows = (fact or {}).get("provenance") or []
    res = _resolution_view(c.get("resolution"), unit)
    accepted = (c.get("resolution") or {}).get("claim_id")
    groups = []
    for gi, g in enumerate(c.get("groups") or []):
        ids = set(g.get("claim_ids") or [])
        grows = [r for r in rows if r.get("claim_id") in ids]
        quotes = _quotes(grows, src, documents)
        n_docs = len(g.get("doc_ids") or [])
        n_ind = len(_clusters(g.get("doc_ids") or [], src))
        groups.append({
            "label": chr(ord("A") + gi) if gi < 26 else str(gi + 1),
            "value_text": (g.get("surfaces") or [None])[0] or format_quantity(g.get("value"), unit),
            "also": (g.get("surfaces") or [])[1:], "value_norm": format_quantity(g.get("value"), unit),
            "type": g.get("type") if g.get("type") not in (None, "exact") else None,
            "sources_text": _sources_text(n_ind, n_docs), "n_independent": n_ind,
            "accepted": accepted is not None and accepted in ids, "quotes": quotes,
            "claim_ids": g.get("claim_ids") or [],
        })
    state = "resolved" if c.get("resolution") else ("reopened" if c.get("previous_decision") else "open")
    fv = _fact_view(fact, documents) if fact else None
    return {
        "id": c["conflict_id"], "fact_id": c.get("fact_id"), "title": _title(c.get("key") or {}, fact),
        "severity": c.get("severity") or "low", "state": state, "reason": c.get("reason") or "",
        "groups": groups, "resolution": res,
        "previous": _resolution_view(c.get("previous_decision"), unit),
        "metric": (c.get("key") or {}).get("metric") or "",
        "entities": fv["entities"] if fv else [], "outlets": fv["outlets"] if fv else [],
        "dates": fv["dates"] if fv else [], "search": fv["search"] if fv else "",
        "status": "resolved" if c.get("resolution") else "conflict",
        # what a Status filter matches: the conflict's state, and "open" for a reopened one too
        "statuses": {"open": ["open", "conflict"], "reopened": ["reopened", "open", "conflict"],
                     "resolved": ["resolved"]}[state],
    }


def _timeline_order(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A timeline's facts in the resolver's order (each fact's ``updates`` names the one before
    it); facts outside that chain follow by stated period, then publication date, then id."""
    from .resolve import timeline_order_key

    def key(f: dict[str, Any]) -> tuple:
        stated = f.get("period_source") == "text"
        return timeline_order_key(f.get("period_start") if stated else None,
                                  f.get("period_end") if stated else None, f.get("dates") or [], f["id"])
    ids = {f["id"] for f in items}
    nxt = {f.get("updates"): f for f in items if f.get("updates") in ids}
    cur = next((f for f in sorted(items, key=key) if f.get("updates") not in ids), None)
    out, seen = [], set()
    while cur is not None and cur["id"] not in seen:
        out.append(cur)
        seen.add(cur["id"])
        cur = nxt.get(cur["id"])
    return out + sorted((f for f in items if f["id"] not in seen), key=key)


def _step_day(f: dict[str, Any]) -> str:
    """A timeline step's day: the stated period's start, else 'published' and the earliest
    publication date of its sources."""
    if f.get("period_source") == "text" and f.get("period_start"):
        return _short_date(f["period_start"], f["period_start"])
    first = (f.get("dates") or [""])[0][:10]
    if first:
        return "published " + _short_date(first, first)
    return _short_date(f.get("period_start"), f.get("period_end"))


def _timelines(facts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    series: dict[str, list[dict]] = {}
    for f in facts:
        if f.get("series") and f["status"] != "conflict":
            series.setdefault(str(f["series"]), []).append(f)
    out = []
    for sid in sorted(series):
        items = _timeline_order(series[sid])
        if len(items) < 2:
            continue
        head = items[0]
        name = " ".join(x for x in (head["subject"], head["object"], head["metric_label"]) if x)
        whens = [_short_date(f.get("period_start"), f.get("period_end")) for f in items]
        # two steps in one month ("Mar 2024" twice) are told apart by their day
        whens = [_step_day(f) if whens.count(w) > 1 else w for f, w in zip(items, whens)]
        steps = [{"value": f["value_text"], "when": w, "fact_id": f["id"]} for f, w in zip(items, whens)]
        text = f"{name}: " + " → ".join(f"{s['value']} ({s['when']})" for s in steps)
        out.append({"id": sid, "name": name, "steps": steps, "text": text,
                    "entities": head["entities"], "metric": head["metric"]})
    return out


def _sources_view(documents: dict[str, dict], facts: list[dict], claims: list[dict]) -> list[dict[str, Any]]:
    n_claims = Counter(c.get("doc_id") for c in claims)
    copy_of: dict[str, set[str]] = {}
    for f in facts:
        for grp in (f.get("sources") or {}).get("dependent_groups") or []:
            for d in grp:
                copy_of.setdefault(d, set()).update(x for x in grp if x != d)
    out = []
    for d, meta in documents.items():
        out.append({"doc_id": d, "outlet": _source_name({**meta, "doc_id": d}), "title": meta.get("title"),
                    "published": meta.get("published"), "url": safe_url(meta.get("url")), "path": meta.get("path"),
                    "n_claims": n_claims.get(d, 0),
                    "copies": sorted(_source_name({**(documents.get(x) or {}), "doc_id": x})
                                     for x in copy_of.get(d, ()))})
    return sorted(out, key=lambda s: (s["published"] or "9999", s["outlet"], s["doc_id"]))


def build_view(facts: list[dict], conflicts: list[dict], claims: list[dict], documents: dict[str, dict],
               dependent_docs: list[dict] | None = None, stale: list[dict] | None = None,
               **_: Any) -> dict[str, Any]:
    """The view model of a run (all inputs are JSON records as in the output
    files; ``documents`` maps doc_id to metadata: path, outlet, url, published,
    title).  Keys: summary (counts), verdict (sentences), conflicts (open,
    reopened, then resolved; by severity), facts (every fact, by status then
    title), timelines, sources, dependent (copy pairs), stale (decisions),
    unplaced (claims in no fact), options (filter choices)."""
    documents = {d: _doc_meta(m) for d, m in (documents or {}).items()}
    fact_by_id = {f["fact_id"]: f for f in facts}
    fviews = [_fact_view(f, documents) for f in facts]
    order = {s: i for i, s in enumerate(_wording()["status_order"])}
    fviews.sort(key=lambda f: (order.get(f["status"], 9), f["title"], f["id"]))
    cpos = {c["conflict_id"]: i for i, c in enumerate(conflicts)}
    cviews = [_conflict_view(c, fact_by_id.get(c.get("fact_id")), documents) for c in conflicts]
    state_order = {"open": 0, "reopened": 0, "resolved": 1}
    cviews.sort(key=lambda c: (state_order[c["state"]], SEVERITY_ORDER.get(c["severity"], 3), cpos[c["id"]]))
    placed = {cid for f in facts for cid in f.get("claim_ids") or []}
    placed |= {r.get("claim_id") for f in facts for r in f.get("provenance") or []}
    unplaced = [c for c in claims if c.get("claim_id") not in placed]
    by_status = Counter(f["status"] for f in fviews)
    n_open = sum(1 for c in cviews if c["state"] != "resolved")
    copied = {d for f in facts for g in (f.get("sources") or {}).get("dependent_groups") or [] for d in g}
    stale = list(stale or [])
    summary = {
        "documents": len(documents), "claims": len(claims), "facts": len(fviews),
        "agreed": by_status.get("agreed", 0), "single": by_status.get("single", 0),
        "in_conflict": by_status.get("conflict", 0), "resolved_facts": by_status.get("resolved", 0),
        "conflicts": len(cviews), "open": n_open, "resolved": len(cviews) - n_open,
        "open_high": sum(1 for c in cviews if c["state"] != "resolved" and c["severity"] == "high"),
        "copied_docs": len(copied), "stale": len(stale),
    }
    verdict = []
    if n_open:
        verdict.append(("warn", f"{_n(n_open, 'open conflict')} {'needs' if n_open == 1 else 'need'} a "
                                f"reviewer's decision" + (f" ({summary['open_high']} high severity)"
                                                          if summary["open_high"] else "") + "."))
    elif cviews:
        verdict.append(("ok", f"All {_n(len(cviews), 'conflict')} resolved by a reviewer."))
    else:
        verdict.append(("ok", "No conflicting figures: no two sources disagree on a figure."))
    if stale:
        one = len(stale) == 1
        verdict.append(("note", f"{_n(len(stale), 'recorded decision')} no longer "
                                f"{'applies' if one else 'apply'} to the current conflicts and "
                                f"{'was' if one else 'were'} ignored; see Stale decisions."))
    verdict.append(("", f"{_n(len(documents), 'document')}, {_n(len(claims), 'claim')} and "
                        f"{_n(len(fviews), 'fact')}: {summary['agreed']} agreed by two or more independent "
                        f"sources, {summary['single']} from a single source (copies count once), "
                        f"{summary['in_conflict']} in conflict, {summary['resolved_facts']} resolved."))
    dependent = [{"names": " ↔ ".join(_source_name({**(documents.get(d) or {}), "doc_id": d}) for d in p["doc_ids"]),
                  "method": p.get("method"), "similarity": p.get("similarity", 0)} for p in dependent_docs or []]
    options = {
        "entity": sorted({e for f in fviews for e in f["entities"]}),
        "metric": sorted({f["metric"] for f in fviews if f["metric"]}),
        "status": [s for s in _wording()["status_order"] if by_status.get(s) or s == "resolved"],
        "outlet": sorted({o for f in fviews for o in f["outlets"]}),
        "date": sorted({d[:7] for f in fviews for d in f["dates"]}),
        # the Status choices of a conflicts page (facts' single/agreed do not apply to conflicts)
        "conflict_status": [s for s in ("open", "reopened", "resolved")
                            if s != "reopened" or any(c["state"] == s for c in cviews)],
    }
    return {"summary": summary, "verdict": verdict, "conflicts": cviews, "facts": fviews,
            "timelines": _timelines(fviews), "sources": _sources_view(documents, facts, claims),
            "dependent": dependent,
            "stale": [dict(_stale_view(d), live=d.get("conflict_id") in cpos) for d in stale], "unplaced": [
                {"claim_id": c.get("claim_id"), "surface": c.get("surface"),
                 "outlet": _source_name({**(documents.get(c.get("doc_id")) or {}), "doc_id": c.get("doc_id")})}
                for c in unplaced], "options": options, "filters": {}}


def _stale_view(d: dict[str, Any]) -> dict[str, Any]:
    if d.get("action") == "split":
        what = "not the same fact"
    elif d.get("value") is not None:
        what = f"set value {d.get('value_text') or d['value']}"
    elif d.get("accept_claim"):
        what = f"accept claim {d['accept_claim']}"
    else:
        what = "dismiss"
    return {"conflict_id": d.get("conflict_id"), "what": what, "who": d.get("who") or "?",
            "when": d.get("when") or "?", "note": d.get("note"), "reason": d.get("reason") or ""}


def _matches(item: dict[str, Any], filters: dict[str, str]) -> bool:
    ent = (filters.get("entity") or "").strip().lower()
    if ent and not any(ent in (e or "").lower() for e in item.get("entities") or []):
        return False
    if filters.get("metric") and item.get("metric") != filters["metric"]:
        return False
    if filters.get("status") and filters["status"] not in (item.get("statuses") or [item.get("status")]):
        return False
    out = (filters.get("outlet") or "").strip().lower()
    if out and not any(out == (o or "").lower() or out in (o or "").lower() for o in item.get("outlets") or []):
        return False
    date = (filters.get("date") or "").strip()
    if date and not any(d.startswith(date) for d in item.get("dates") or []):
        return False
    q = (filters.get("q") or "").strip().lower()
    if q and not all(w in item.get("search", "") for w in q.split()):
        return False
    return True


def filter_view(view: dict[str, Any], filters: dict[str, str] | None) -> dict[str, Any]:
    """The view with conflicts, facts and timelines kept only when they match
    every given filter: entity (substring of subject/object), metric (exact),
    status (facts: single|agreed|conflict|resolved; conflicts: open|reopened|resolved
    or conflict), outlet (substring), date (prefix
    of a source's publication date, e.g. 2024-07) and q (words, all in a quote)."""
    filters = {k: v for k, v in (filters or {}).items() if k in FILTERS and v}
    if not filters:
        return dict(view, filters={})
    facts = [f for f in view["facts"] if _matches(f, filters)]
    keep = {f["id"] for f in facts}
    return dict(view, filters=filters, facts=facts,
                conflicts=[c for c in view["conflicts"] if _matches(c, filters)],
                timelines=[t for t in view["timelines"] if any(s["fact_id"] in keep for s in t["steps"])])


# --------------------------------------------------------------------------
# Rendering


def _md_escape(x: Any) -> str:
    if isinstance(x, _Raw):
        return str(x)
    s = "" if x is None else str(x)
    for ch in ("\\", "`", "*", "_", "[", "]", "<", ">", "|", "$", "#"):
        s = s.replace(ch, "\\" + ch)
    return s.replace("\n", " ")


class _Raw(str):
    """Markdown written by the template itself (code spans), not escaped."""


@lru_cache(maxsize=4)
def environment(kind: str = "html") -> Environment:
    """The Jinja2 environment: ``html`` autoescapes; ``md`` escapes every value
    for Markdown; ``text`` is plain."""
    if kind == "html":
        env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(default=True),
                          undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    elif kind == "md":
        env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=False, finalize=_md_escape,
                          undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
        env.filters["code"] = lambda s: _Raw(f"`{s}`")
    else:
        env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=False,
                          undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["n"] = _n
    env.filters["plural"] = plural
    return env


def _from_resolution(resolution, claims, documents) -> dict[str, Any]:
    from pipeline.records import to_jsonable

    return build_view([f.to_dict() for f in resolution.facts], [c.to_dict() for c in resolution.conflicts],
                      [to_jsonable(c) for c in claims], documents, resolution.dependent_docs,
                      resolution.stale_decisions)


def render_view_html(view: dict[str, Any], standalone: bool = True) -> str:
    """The report view model (:func:`build_view`) as HTML; ``standalone`` adds <html>/<head>."""
    return environment("html").get_template("report.html.j2").render(v=view, standalone=standalone)


def render_view_markdown(view: dict[str, Any]) -> str:
    """The report view model as Markdown (``report.md``)."""
    return environment("md").get_template("report.md.j2").render(v=view).rstrip() + "\n"


def render_view_terminal(view: dict[str, Any], show_all: bool = False) -> str:
    """The report view model as the terminal listing of ``factpipe review`` (conflicts, and
    every fact when ``show_all``)."""
    return environment("text").get_template("review.txt.j2").render(v=view, show_all=show_all).rstrip() + "\n"


def render_html(resolution, claims, documents: dict[str, dict]) -> str:
    """report.html for a :class:`pipeline.resolve.Resolution` (self-contained, inline CSS)."""
    return render_view_html(_from_resolution(resolution, claims, documents))


def render_markdown(resolution, claims, documents: dict[str, dict]) -> str:
    """``report.md`` for a :class:`~pipeline.resolve.Resolution`, its claims and documents by id."""
    return render_view_markdown(_from_resolution(resolution, claims, documents))


def write_report(resolution, claims, documents: dict[str, dict], out_dir: str | os.PathLike) -> dict[str, str]:
    """Write report.html and report.md into ``out_dir`` atomically."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    view = _from_resolution(resolution, claims, documents)
    paths = {"html": out / "report.html", "md": out / "report.md"}
    atomic_write_text(paths["html"], render_view_html(view))
    atomic_write_text(paths["md"], render_view_markdown(view))
    return {k: str(v) for k, v in paths.items()}


def render_terminal(out_dir: str | os.PathLike, show_all: bool = False) -> str:
    """``factpipe review`` in the terminal: each conflict with its values,
    outlets, dates and quotes.  Raises FileNotFoundError without a run."""
    return render_view_terminal(build_view(**load_output(out_dir)), show_all=show_all)


def format_conflicts_text(conflicts, facts=(), documents=None) -> str:
    """Terminal listing of Conflict records (open first, then by severity)."""
    from pipeline.records import to_jsonable

    cs = [to_jsonable(c) for c in conflicts]
    fs = [to_jsonable(f) for f in facts]
    if not cs:
        return "No conflicts.\n"
    return render_view_terminal(build_view(fs, cs, [], documents or {}), show_all=True)
