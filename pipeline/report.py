"""Human-readable report of a :class:`pipeline.resolve.Resolution`.

``write_report`` writes ``report.html`` (self-contained: inline CSS, no
scripts, readable offline) and ``report.md`` with the same content: a summary,
every conflict with its competing values side by side and each source
sentence quoted with the figure highlighted, the agreed facts with their
sources, copied sources, and stale decisions.  ``format_conflicts_text`` is the
plain-text listing used by ``factpipe review``.
"""
from __future__ import annotations

import html
import os
from pathlib import Path
from typing import Any, Iterable

from pipeline.records import Claim, Conflict, Fact
from pipeline.resolve import Resolution, format_value
from pipeline.store import atomic_write_text

SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}

CSS = """
*{box-sizing:border-box}
html{color-scheme:light}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:76rem;margin:0 auto;padding:1.5rem 1.25rem 4rem;color:#1d1d1f;background:#fff;line-height:1.5;font-size:16px}
a{color:#0b57d0}
h1{margin:0 0 .2rem;font-size:1.9rem}
h2{border-bottom:2px solid #ddd;padding-bottom:.25rem;margin:2.6rem 0 1rem;font-size:1.45rem}
h3{margin:0;font-size:1.12rem;line-height:1.35}
.lede{margin:0 0 1rem;color:#555}
code,.ids,.path{font-family:ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace}
.ids{font-size:.75rem;color:#777;margin:.6rem 0 0}
.path{font-size:.8rem;color:#555;overflow-wrap:anywhere}
.muted{color:#666}
.verdict{border-radius:6px;padding:.7rem 1rem;margin:.5rem 0;font-size:1.05rem}
.verdict.warn{background:#fdecea;border:1px solid #f5b7b1}.verdict.ok{background:#eafaf1;border:1px solid #a9dfbf}
.verdict.note{background:#fef5e7;border:1px solid #f8c471}
.stats{display:grid;grid-template-columns:repeat(auto-fill,minmax(10.5rem,1fr));gap:.6rem;margin:1rem 0}
.stat{border:1px solid #e1e1e1;border-radius:6px;padding:.5rem .75rem;background:#fafafa}
.stat .num{display:block;font-size:1.6rem;font-weight:700;line-height:1.2}
.stat .label{display:block;font-weight:600;font-size:.9rem}
.stat .note{display:block;font-size:.78rem;color:#666}
.stat.warn{background:#fdecea;border-color:#f5b7b1}.stat.warn .num{color:#b03a2e}
.stat.note-level{background:#fef5e7;border-color:#f8c471}
.review{margin:.4rem 0 1rem;padding-left:1.6rem}.review li{margin:.3rem 0}
.toc{font-size:.95rem;margin:.8rem 0}.toc a{margin-right:.8rem;white-space:nowrap}
.subhead{font-weight:700;color:#444;margin:1.6rem 0 .4rem;text-transform:uppercase;font-size:.85rem;letter-spacing:.04em}
.conflict,.fact{border:1px solid #d9d9d9;border-radius:6px;padding:.9rem 1.1rem;margin:1rem 0;break-inside:avoid}
.conflict.high{border-left:6px solid #c0392b}.conflict.medium{border-left:6px solid #e67e22}.conflict.low{border-left:6px solid #d4ac0d}
.conflict.resolved{border-left:6px solid #27ae60}
.chead{display:flex;flex-wrap:wrap;align-items:baseline;gap:.3rem .5rem}
.reason{font-weight:600;margin:.35rem 0 .7rem}
.badge{display:inline-block;font-size:.72rem;font-weight:700;text-transform:uppercase;letter-spacing:.03em;padding:.1rem .45rem;border-radius:3px;color:#fff;background:#888;vertical-align:.1em}
.badge.high{background:#c0392b}.badge.medium{background:#d35400}.badge.low{background:#9a7d0a}.badge.resolved{background:#1e8449}.badge.open{background:#555}
.groups{display:grid;grid-template-columns:repeat(auto-fit,minmax(17rem,1fr));gap:.8rem;align-items:start}
.group{background:#f7f7f8;border:1px solid #e3e3e3;border-radius:5px;padding:.6rem .8rem;min-width:0}
.group.accepted{background:#eefaf3;border:2px solid #27ae60}
.glabel{font-size:.8rem;color:#555;font-weight:600;text-transform:uppercase;letter-spacing:.03em}
.glabel .tag{display:inline-block;text-transform:none;font-weight:600;background:#e8e8e8;border-radius:3px;padding:0 .35rem;margin-left:.3rem;color:#333}
.glabel .tag.accepted{background:#27ae60;color:#fff}
.value{font-size:1.4rem;font-weight:700;line-height:1.25;margin:.1rem 0 .3rem;overflow-wrap:anywhere}
.also{font-size:.85rem;color:#555;margin:0 0 .3rem}
.quote{margin:.6rem 0 0}
blockquote{margin:0;padding:.35rem .75rem;border-left:3px solid #aaa;background:#fff;overflow-wrap:anywhere}
mark{background:#ffe066;color:#000;padding:0 .15rem;border-radius:2px;font-weight:700;white-space:nowrap}
.src{font-size:.85rem;color:#444;margin:.25rem 0 0 .8rem}
.src>*{display:block}.src>a,.src>.path{overflow-wrap:anywhere}.src>.ids{margin:0}
.sep{color:#999;margin:0 .35rem}
.src time{white-space:nowrap}
.fhead{display:flex;flex-wrap:wrap;justify-content:space-between;align-items:baseline;gap:.2rem 1rem}
.fhead .value{margin:0}
.sources{margin:.2rem 0 .2rem;color:#555;font-size:.9rem}
.resolution{background:#eafaf1;border:1px solid #a9dfbf;border-radius:4px;padding:.45rem .75rem;margin:0 0 .8rem}
table{border-collapse:collapse;width:100%}
td,th{padding:.35rem .7rem;border-bottom:1px solid #e5e5e5;text-align:left;vertical-align:top;overflow-wrap:break-word}
th{background:#f3f3f3;font-size:.9rem}
td.num,th.num{text-align:right;white-space:nowrap}
.nowrap{white-space:nowrap}
.empty{color:#555;background:#f7f7f8;border:1px dashed #ccc;border-radius:6px;padding:.6rem 1rem}
.empty.ok{background:#eafaf1;border:1px solid #a9dfbf;color:#1e5631}
@media (max-width:40rem){body{padding:1rem .6rem}.groups{grid-template-columns:1fr}.value{font-size:1.2rem}}
@media print{body{max-width:none}a{color:inherit}.conflict,.fact,.group{break-inside:avoid}}
"""


# --------------------------------------------------------------------------
# Shared helpers


def _atomic_write(path: Path, text: str) -> None:
    atomic_write_text(path, text)


def _sentence_parts(row: dict[str, Any]) -> tuple[str, str, str]:
    """(before, figure, after) of the source sentence, using the provenance
    offsets relative to the sentence; falls back to finding the surface."""
    before, fig, after = _split_sentence(row)
    before = " ".join(before.split("\n")).lstrip()
    after = " ".join(after.split("\n")).rstrip()
    return before, fig, after


def _split_sentence(row: dict[str, Any]) -> tuple[str, str, str]:
    sent = row.get("sentence") or ""
    surface = row.get("surface") or ""
    s = (row.get("char_start") or 0) - (row.get("sentence_start") or 0)
    e = (row.get("char_end") or 0) - (row.get("sentence_start") or 0)
    in_range = 0 <= s < e <= len(sent)
    if in_range and (not surface or sent[s:e] == surface):
        return sent[:s], sent[s:e], sent[e:]
    if surface:
        i = sent.find(surface)
        if i >= 0:
            return sent[:i], surface, sent[i + len(surface):]
    if in_range:
        return sent[:s], sent[s:e], sent[e:]
    return sent, "", ""


def _rows(fact: Fact, claims_by_id: dict[str, Claim], documents: dict[str, dict]) -> list[dict[str, Any]]:
    """Provenance rows of a fact, completed from the claims and documents."""
    out = []
    for r in fact.provenance:
        row = dict(r)
        c = claims_by_id.get(row.get("claim_id"))
        if c is not None and c.provenance is not None:
            pv = c.provenance
            row["sentence"] = row.get("sentence") or pv.sentence
            for k in ("outlet", "url", "published", "path"):
                row[k] = row.get(k) or getattr(pv, k)
        doc = documents.get(row.get("doc_id")) or {}
        for k in ("outlet", "url", "published", "path"):
            row[k] = row.get(k) or doc.get(k)
        out.append(row)
    return out


def _source_name(row: dict[str, Any]) -> str:
    if row.get("outlet"):
        return row["outlet"]
    if row.get("path"):
        return Path(row["path"]).name
    return row.get("doc_id") or "unknown source"


def _fact_title(key: dict[str, Any], fact: Fact | None = None) -> str:
    subj = key.get("subject") or (fact.subject.text if fact and fact.subject else None) or "(no subject)"
    parts = [subj]
    if key.get("object"):
        parts.append(key["object"])
    parts.append((key.get("metric") or "?").replace("_", " "))
    parts.append(_period_text(key.get("period") or {}))
    return " · ".join(parts)


def _period_text(per: dict[str, Any]) -> str:
    s, e = per.get("start"), per.get("end")
    if not s:
        return "undated"
    txt = s if s == e else f"{s} – {e}"
    if s and e and s.endswith("-01-01") and e.endswith("-12-31") and s[:4] == e[:4]:
        txt = s[:4]
    elif s and e and s[:7] == e[:7] and s.endswith("-01") and int(e[8:]) >= 28:
        txt = s[:7]
    if per.get("source") == "published":
        txt += " (publication date)"
    return txt


def _group_value(g: dict[str, Any]) -> str:
    if g.get("surfaces"):
        head = g["surfaces"][0]
    else:
        head = format_value(g.get("value"), g.get("unit"))
    return head


def _fact_value(f: Fact) -> str:
    if f.value is None:
        return "—"
    return format_value(f.value, f.unit)


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def _stats(resolution: Resolution, claims: list[Claim], documents: dict) -> dict[str, int]:
    by_status: dict[str, int] = {}
    for f in resolution.facts:
        by_status[f.status] = by_status.get(f.status, 0) + 1
    open_c = [c for c in resolution.conflicts if c.resolution is None]
    dep_docs = {d for p in resolution.dependent_docs for d in p["doc_ids"]}
    groups = {tuple(p.get("group") or p["doc_ids"]) for p in resolution.dependent_docs}
    return {
        "documents": len(documents), "claims": len(claims), "facts": len(resolution.facts),
        "agreed": by_status.get("agreed", 0), "single": by_status.get("single", 0),
        "in_conflict": by_status.get("conflict", 0), "resolved_facts": by_status.get("resolved", 0),
        "conflicts": len(resolution.conflicts), "open": len(open_c),
        "resolved": len(resolution.conflicts) - len(open_c),
        "open_high": sum(1 for c in open_c if c.severity == "high"),
        "dep_docs": len(dep_docs), "dep_groups": len(groups), "stale": len(resolution.stale_decisions),
    }


def _summary(resolution: Resolution, claims: list[Claim], documents: dict) -> list[tuple[str, str, str]]:
    """(label, number, note) rows of the summary, shared by HTML and Markdown."""
    s = _stats(resolution, claims, documents)
    return [
        ("Open conflicts", str(s["open"]),
         f"{s['open_high']} high severity" if s["open"] else "nothing to review"),
        ("Resolved conflicts", str(s["resolved"]), "by a recorded decision"),
        ("Agreed facts", str(s["agreed"]), "same figure from ≥2 sources"),
        ("Single-source facts", str(s["single"]), "stated by one source only"),
        ("Facts", str(s["facts"]), "distinct figures (subject, metric, period)"),
        ("Claims", str(s["claims"]), "numeric statements extracted"),
        ("Documents", str(s["documents"]), "articles read"),
        ("Copied sources", str(s["dep_docs"]),
         f"documents in {_plural(s['dep_groups'], 'group')} of near-copies" if s["dep_docs"] else "none detected"),
        ("Stale decisions", str(s["stale"]),
         "recorded decisions that no longer apply" if s["stale"] else "every decision still applies"),
    ]


def _verdict(resolution: Resolution, claims: list[Claim], documents: dict) -> list[tuple[str, str]]:
    """Headline sentences of the summary as (level, text); level is warn, note or ok."""
    s = _stats(resolution, claims, documents)
    out = []
    if s["open"]:
        txt = (f"{_plural(s['open'], 'open conflict')} {'needs' if s['open'] == 1 else 'need'} a reviewer's decision"
               + (f" ({s['open_high']} high severity)" if s["open_high"] else "") + ".")
        if s["resolved"]:
            txt += f" {s['resolved']} already resolved."
        out.append(("warn", txt))
    elif s["conflicts"]:
        out.append(("ok", f"All {_plural(s['conflicts'], 'conflict')} resolved by a reviewer."))
    else:
        out.append(("ok", "No conflicting figures: no two sources disagree on a figure."))
    if s["stale"]:
        out.append(("note", f"{_plural(s['stale'], 'recorded decision')} no longer "
                            f"{'applies' if s['stale'] == 1 else 'apply'} to the current conflicts and "
                            f"{'was' if s['stale'] == 1 else 'were'} ignored; see Stale decisions."))
    out.append(("", f"{_plural(s['documents'], 'document')}, {_plural(s['claims'], 'claim')} and "
                    f"{_plural(s['facts'], 'fact')}: {s['agreed']} agreed by two or more sources, "
                    f"{s['single']} from a single source, {s['in_conflict']} in conflict, "
                    f"{s['resolved_facts']} resolved."))
    return out


def _ordered_conflicts(resolution: Resolution) -> list[Conflict]:
    pos = {c.conflict_id: i for i, c in enumerate(resolution.conflicts)}
    return sorted(resolution.conflicts,
                  key=lambda c: (c.resolution is not None, SEVERITY_ORDER.get(c.severity, 3), pos[c.conflict_id]))


def _group_label(gi: int) -> str:
    """a, b, c ... as in `factpipe review`."""
    return chr(ord("A") + gi) if gi < 26 else str(gi + 1)


def _accepted_group(c: Conflict) -> int | None:
    acc = (c.resolution or {}).get("claim_id")
    if acc is None:
        return None
    return next((i for i, g in enumerate(c.groups) if acc in (g.get("claim_ids") or [])), None)


def _short_url(url: str, limit: int = 60) -> str:
    """Link text: the URL without scheme and www., cut at ``limit`` characters."""
    s = url.split("://", 1)[-1]
    if s.startswith("www."):
        s = s[4:]
    s = s.rstrip("/")
    return s if len(s) <= limit else s[: limit - 1] + "…"


def _doc_label(doc_id: str, documents: dict[str, dict]) -> str:
    d = documents.get(doc_id) or {}
    return d.get("outlet") or (Path(d["path"]).name if d.get("path") else None) or doc_id


def _doc_name(doc_id: str, documents: dict[str, dict]) -> str:
    name = _doc_label(doc_id, documents)
    return f"{name} ({doc_id[:12]})" if name != doc_id else doc_id


def _copies_text(groups: list[list[str]], documents: dict[str, dict]) -> str:
    return "; ".join(" = ".join(_doc_label(d, documents) for d in g) for g in groups)


def _decision_text(d: dict[str, Any]) -> str:
    if d.get("value") is not None:
        return f"set value {d['value']}"
    if d.get("accept_claim"):
        return f"accept claim {d['accept_claim']}"
    return "dismiss"


# --------------------------------------------------------------------------
# HTML


def _h(x: Any) -> str:
    return html.escape("" if x is None else str(x), quote=True)


def _html_quote(row: dict[str, Any]) -> str:
    """The source sentence with the figure in <mark>, then outlet · date, link (or file), claim id."""
    before, fig, after = _sentence_parts(row)
    body = _h(before) + (f"<mark>{_h(fig)}</mark>" if fig else "") + _h(after)
    who = f"<strong>{_h(_source_name(row))}</strong>"
    if row.get("published"):
        who += f"<span class=\"sep\">·</span><time datetime=\"{_h(row['published'])}\">{_h(row['published'])}</time>"
    lines = [f"<span class=\"who\">{who}</span>"]
    if row.get("url"):
        lines.append(f'<a href="{_h(row["url"])}" title="{_h(row["url"])}">{_h(_short_url(row["url"]))}</a>')
    elif row.get("path"):
        lines.append(f"<span class=\"path\">{_h(row['path'])}</span>")
    ids = f"claim {_h(row.get('claim_id'))}"
    if row.get("merged_into"):
        ids += f", repeat of {_h(row['merged_into'])}"
    lines.append(f"<span class=\"ids\">{ids}</span>")
    return (f"<figure class=\"quote\"><blockquote>{body}</blockquote>"
            f"<figcaption class=\"src\">{''.join(lines)}</figcaption></figure>")


def _html_resolution(res: dict[str, Any], unit: str) -> str:
    val = format_value(res.get("value"), unit) if res.get("value") is not None else "no value chosen (dismissed)"
    bits = [f"<strong>Resolved:</strong> {_h(val)}"]
    if res.get("claim_id"):
        bits.append(f"(accepted claim <span class=\"ids\">{_h(res['claim_id'])}</span>)")
    if res.get("who") or res.get("when"):
        bits.append(f"by {_h(res.get('who') or '?')}, <span class=\"nowrap\">{_h(res.get('when') or '?')}</span>")
    if res.get("note"):
        bits.append(f"— “{_h(res['note'])}”")
    return f"<div class=\"resolution\">{' '.join(bits)}</div>"


def _html_summary(resolution: Resolution, claims: list[Claim], documents: dict[str, dict],
                  conflicts: list[Conflict]) -> list[str]:
    out = ["<section id=\"summary\">\n<h2>Summary</h2>\n"]
    for level, text in _verdict(resolution, claims, documents):
        out.append(f"<p class=\"verdict {level}\">{_h(text)}</p>\n" if level else f"<p>{_h(text)}</p>\n")
    out.append("<div class=\"stats\">\n")
    for label, num, note in _summary(resolution, claims, documents):
        cls = ""
        if num != "0" and label == "Open conflicts":
            cls = " warn"
        elif num != "0" and label == "Stale decisions":
            cls = " note-level"
        out.append(f"<div class=\"stat{cls}\"><span class=\"num\">{_h(num)}</span>"
                   f"<span class=\"label\">{_h(label)}</span><span class=\"note\">{_h(note)}</span></div>\n")
    out.append("</div>\n")
    open_c = [c for c in conflicts if c.resolution is None]
    if open_c:
        out.append("<h3>Needs review</h3>\n<ol class=\"review\">\n")
        for c in open_c:
            out.append(f"<li><span class=\"badge {_h(c.severity)}\">{_h(c.severity)}</span> "
                       f"<a href=\"#{_h(c.conflict_id)}\">{_h(_fact_title(c.key))}</a> — "
                       f"<span class=\"muted\">{_h(c.reason)}</span></li>\n")
        out.append("</ol>\n")
    n_agreed = sum(1 for f in resolution.facts if f.status == "agreed")
    out.append("<nav class=\"toc\">Contents: "
               f"<a href=\"#conflicts\">Conflicts ({len(conflicts)})</a> "
               f"<a href=\"#agreed\">Agreed facts ({n_agreed})</a> "
               f"<a href=\"#dependent\">Dependent sources ({len(resolution.dependent_docs)})</a> "
               f"<a href=\"#stale\">Stale decisions ({len(resolution.stale_decisions)})</a></nav>\n")
    out.append("</section>\n")
    return out


def _html_conflict(c: Conflict, fact: Fact | None, rows: list[dict[str, Any]]) -> str:
    out = []
    w = out.append
    state = "resolved" if c.resolution else "open"
    cls = "resolved" if c.resolution else _h(c.severity)
    accepted = _accepted_group(c)
    w(f"<article class=\"conflict {cls}\" id=\"{_h(c.conflict_id)}\">\n")
    w(f"<div class=\"chead\"><span class=\"badge {_h(c.severity)}\">{_h(c.severity)}</span>"
      f"<span class=\"badge {state}\">{state}</span><h3>{_h(_fact_title(c.key, fact))}</h3></div>\n")
    w(f"<p class=\"reason\">{_h(c.reason)}</p>\n")
    if c.resolution:
        w(_html_resolution(c.resolution, fact.unit if fact else (c.groups[0]["unit"] if c.groups else "")) + "\n")
    w(f"<div class=\"groups\" role=\"list\" aria-label=\"{len(c.groups)} competing values\">\n")
    for gi, g in enumerate(c.groups):
        n_docs = len(g.get("doc_ids") or [])
        tags = []
        if g.get("type") and g["type"] != "exact":
            tags.append(f"<span class=\"tag\">{_h(g['type'])}</span>")
        if gi == accepted:
            tags.append("<span class=\"tag accepted\">✓ accepted</span>")
        w(f"<div class=\"group{' accepted' if gi == accepted else ''}\" role=\"listitem\">\n")
        w(f"<div class=\"glabel\">Value {_group_label(gi)} · {_plural(n_docs, 'source')}{''.join(tags)}</div>\n")
        w(f"<div class=\"value\">{_h(_group_value(g))}</div>\n")
        extra = g["surfaces"][1:] if g.get("surfaces") else []
        if extra:
            w(f"<p class=\"also\">also written as {_h(', '.join(extra))}</p>\n")
        ids = set(g.get("claim_ids") or [])
        for row in rows:
            if row.get("claim_id") in ids:
                w(_html_quote(row) + "\n")
        w("</div>\n")
    w("</div>\n")
    w(f"<p class=\"ids\">conflict {_h(c.conflict_id)} · fact {_h(c.fact_id)}</p>\n")
    w("</article>\n")
    return "".join(out)


def render_html(resolution: Resolution, claims: list[Claim], documents: dict[str, dict]) -> str:
    claims_by_id = {c.claim_id: c for c in claims}
    facts_by_id = {f.fact_id: f for f in resolution.facts}
    conflicts = _ordered_conflicts(resolution)
    stats = _stats(resolution, claims, documents)
    out: list[str] = []
    w = out.append
    w("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<title>Factpipe report</title>\n<style>" + CSS + "</style>\n</head>\n<body>\n")
    w("<header>\n<h1>Factpipe report</h1>\n"
      f"<p class=\"lede\">Numeric claims from {_plural(stats['documents'], 'document')}: where sources disagree, "
      "what they agree on, and where it was said.</p>\n</header>\n")
    out.extend(_html_summary(resolution, claims, documents, conflicts))

    # conflicts, open ones first
    w(f"<section id=\"conflicts\">\n<h2>Conflicts ({len(conflicts)})</h2>\n")
    if not conflicts:
        w("<p class=\"empty ok\">No conflicting figures: wherever two sources give the same figure, they agree.</p>\n")
    n_open = sum(1 for c in conflicts if c.resolution is None)
    for i, c in enumerate(conflicts):
        if n_open and n_open < len(conflicts) and i in (0, n_open):
            w(f"<p class=\"subhead\">{'Open' if i == 0 else 'Resolved'} "
              f"({n_open if i == 0 else len(conflicts) - n_open})</p>\n")
        fact = facts_by_id.get(c.fact_id)
        rows = _rows(fact, claims_by_id, documents) if fact else []
        w(_html_conflict(c, fact, rows))
    w("</section>\n")

    # agreed facts
    agreed = [f for f in resolution.facts if f.status == "agreed"]
    w(f"<section id=\"agreed\">\n<h2>Agreed facts ({len(agreed)})</h2>\n")
    if not agreed:
        w("<p class=\"empty\">No figure is stated by two or more sources"
          + (f" ({_plural(stats['single'], 'single-source fact')} in facts.jsonl)" if stats["single"] else "")
          + ".</p>\n")
    for f in agreed:
        src = f.sources
        n_docs = src.get("n_docs", len(src.get("doc_ids", [])))
        n_ind = src.get("n_independent", len(src.get("independent", [])))
        w(f"<article class=\"fact\" id=\"{_h(f.fact_id)}\">\n<div class=\"fhead\"><h3>{_h(_fact_title(f.key, f))}</h3>"
          f"<div class=\"value\">{_h(_fact_value(f))}</div></div>\n")
        w(f"<p class=\"sources\">{_plural(n_docs, 'source')}, {n_ind} independent"
          + (f" — near-copies counted once: {_h(_copies_text(src['dependent_groups'], documents))}"
             if src.get("dependent_groups") else "") + "</p>\n")
        for row in _rows(f, claims_by_id, documents):
            w(_html_quote(row) + "\n")
        w(f"<p class=\"ids\">fact {_h(f.fact_id)}</p>\n</article>\n")
    w("</section>\n")

    # dependent sources
    w(f"<section id=\"dependent\">\n<h2>Dependent sources ({_plural(len(resolution.dependent_docs), 'pair')})</h2>\n")
    if resolution.dependent_docs:
        w("<p class=\"muted\">Documents that copy or rewrite each other; their shared figures count as one "
          "independent source.</p>\n")
        w("<table>\n<tr><th>Documents</th><th>Method</th><th class=\"num\">Similarity</th>"
          "<th class=\"num\">Shingle<br>containment</th><th class=\"num\">Shared<br>claims</th>"
          "<th class=\"num\">Vocabulary<br>containment</th></tr>\n")
        for p in resolution.dependent_docs:
            names = [_doc_name(d, documents) for d in p["doc_ids"]]
            w(f"<tr><td>{_h(' ↔ '.join(names))}</td><td class=\"nowrap\">{_h(p.get('method'))}</td>"
              f"<td class=\"num\">{p.get('similarity', 0):.2f}</td><td class=\"num\">{p.get('containment', 0):.2f}</td>"
              f"<td class=\"num\">{_h(p.get('shared_claims', 0))}</td>"
              f"<td class=\"num\">{p.get('vocab_containment', 0):.2f}</td></tr>\n")
        w("</table>\n")
    else:
        w("<p class=\"empty\">No copied sources detected.</p>\n")
    w("</section>\n")

    # stale decisions
    stale = resolution.stale_decisions
    w(f"<section id=\"stale\">\n<h2>Stale decisions ({len(stale)})</h2>\n")
    if stale:
        w("<p class=\"muted\">These lines of <code>decisions.jsonl</code> no longer apply to the current conflicts, "
          "so they were ignored. Check them against the conflicts above and record a new decision with "
          "<code>factpipe resolve</code> where one is still needed.</p>\n")
        w("<table>\n<tr><th>Decision</th><th>By</th><th>Note</th><th>Why it is stale</th></tr>\n")
        for d in stale:
            cid = d.get("conflict_id")
            cid_html = (f"<a href=\"#{_h(cid)}\"><code>{_h(cid)}</code></a>" if cid in {c.conflict_id for c in conflicts}
                        else f"<code>{_h(cid)}</code>")
            who = _h(d.get("who") or "?") + (f"<br><span class=\"nowrap muted\">{_h(d['when'])}</span>"
                                             if d.get("when") else "")
            w(f"<tr><td>conflict {cid_html}<br>{_h(_decision_text(d))}</td><td>{who}</td>"
              f"<td>{_h(d.get('note') or '—')}</td><td>{_h(d.get('reason'))}</td></tr>\n")
        w("</table>\n")
    else:
        w("<p class=\"empty\">No stale decisions: every recorded decision matches a current conflict.</p>\n")
    w("</section>\n</body>\n</html>\n")
    return "".join(out)


# --------------------------------------------------------------------------
# Markdown


def _md(x: Any) -> str:
    s = "" if x is None else str(x)
    for ch in ("\\", "`", "*", "_", "[", "]", "<", ">", "|", "$"):
        s = s.replace(ch, "\\" + ch)
    return s.replace("\n", " ")


def _md_quote(row: dict[str, Any]) -> str:
    before, fig, after = _sentence_parts(row)
    body = _md(before) + (f"**{_md(fig)}**" if fig else "") + _md(after)
    meta = [f"**{_md(_source_name(row))}**"]
    if row.get("published"):
        meta.append(_md(row["published"]))
    if row.get("url"):
        meta.append(f"<{row['url']}>")
    elif row.get("path"):
        meta.append(f"`{row['path']}`")
    ids = f"claim `{row.get('claim_id')}`"
    if row.get("merged_into"):
        ids += f", repeat of `{row['merged_into']}`"
    return f"> {body}\n>\n> — {' · '.join(meta)} ({ids})\n"


def render_markdown(resolution: Resolution, claims: list[Claim], documents: dict[str, dict]) -> str:
    claims_by_id = {c.claim_id: c for c in claims}
    facts_by_id = {f.fact_id: f for f in resolution.facts}
    conflicts = _ordered_conflicts(resolution)
    out: list[str] = ["# Factpipe report\n", "## Summary\n"]
    for level, text in _verdict(resolution, claims, documents):
        out.append((f"**{_md(text)}**" if level == "warn" else _md(text)) + "\n")
    out += ["| | | |", "|---|---:|---|"]
    for label, num, note in _summary(resolution, claims, documents):
        out.append(f"| {_md(label)} | {_md(num)} | {_md(note)} |")
    out.append("")
    open_c = [c for c in conflicts if c.resolution is None]
    if open_c:
        out.append("**Needs review:**\n")
        for n, c in enumerate(open_c, 1):
            out.append(f"{n}. {c.severity.upper()} — {_md(_fact_title(c.key))} — {_md(c.reason)} "
                       f"(`{c.conflict_id}`)")
        out.append("")

    out.append(f"## Conflicts ({len(conflicts)})\n")
    if not conflicts:
        out.append("_No conflicting figures: wherever two sources give the same figure, they agree._\n")
    for c in conflicts:
        fact = facts_by_id.get(c.fact_id)
        rows = _rows(fact, claims_by_id, documents) if fact else []
        state = "resolved" if c.resolution else "open"
        accepted = _accepted_group(c)
        out.append(f"### {_md(_fact_title(c.key, fact))}\n")
        out.append(f"**{c.severity.upper()}** · {state} · {_md(c.reason)}\n")
        if c.resolution:
            r = c.resolution
            unit = fact.unit if fact else ""
            val = format_value(r.get("value"), unit) if r.get("value") is not None else "no value chosen (dismissed)"
            line = f"**Resolved:** {_md(val)}"
            if r.get("claim_id"):
                line += f" (accepted claim `{r['claim_id']}`)"
            line += f", by {_md(r.get('who') or '?')}, {_md(r.get('when') or '?')}"
            if r.get("note"):
                line += f" — “{_md(r['note'])}”"
            out.append(line + "\n")
        # side by side: one table column per competing value
        out.append("| " + " | ".join(f"Value {_group_label(gi)}" + (" ✓" if gi == accepted else "")
                                     for gi in range(len(c.groups))) + " |")
        out.append("|" + "---|" * len(c.groups))
        out.append("| " + " | ".join(f"**{_md(_group_value(g))}**" for g in c.groups) + " |")
        out.append("| " + " | ".join(_md(", ".join(_doc_label(d, documents) for d in g.get("doc_ids") or []))
                                     for g in c.groups) + " |\n")
        for gi, g in enumerate(c.groups):
            tags = [_plural(len(g.get("doc_ids") or []), "source")]
            if g.get("type") and g["type"] != "exact":
                tags.append(g["type"])
            if gi == accepted:
                tags.append("accepted")
            if g.get("surfaces") and len(g["surfaces"]) > 1:
                tags.append("also written as " + ", ".join(g["surfaces"][1:]))
            out.append(f"#### Value {_group_label(gi)}: {_md(_group_value(g))} ({_md('; '.join(tags))})\n")
            ids = set(g.get("claim_ids") or [])
            for row in rows:
                if row.get("claim_id") in ids:
                    out.append(_md_quote(row))
        out.append(f"`conflict {c.conflict_id}` · `fact {c.fact_id}`\n")

    agreed = [f for f in resolution.facts if f.status == "agreed"]
    out.append(f"## Agreed facts ({len(agreed)})\n")
    if not agreed:
        out.append("_No figure is stated by two or more sources._\n")
    for f in agreed:
        src = f.sources
        out.append(f"### {_md(_fact_title(f.key, f))}: {_md(_fact_value(f))}\n")
        line = (f"{_plural(src.get('n_docs', len(src.get('doc_ids', []))), 'source')}, "
                f"{src.get('n_independent', len(src.get('independent', [])))} independent")
        if src.get("dependent_groups"):
            line += " — near-copies counted once: " + _md(_copies_text(src["dependent_groups"], documents))
        out.append(line + f" (`fact {f.fact_id}`)\n")
        for row in _rows(f, claims_by_id, documents):
            out.append(_md_quote(row))

    out.append(f"## Dependent sources ({_plural(len(resolution.dependent_docs), 'pair')})\n")
    if resolution.dependent_docs:
        out.append("| Documents | Method | Similarity | Shingle containment | Shared claims | Vocabulary containment |")
        out.append("|---|---|---:|---:|---:|---:|")
        for p in resolution.dependent_docs:
            names = " ↔ ".join(_doc_name(d, documents) for d in p["doc_ids"])
            out.append(f"| {_md(names)} | {_md(p.get('method'))} | {p.get('similarity', 0):.2f} | "
                       f"{p.get('containment', 0):.2f} | {p.get('shared_claims', 0)} | {p.get('vocab_containment', 0):.2f} |")
        out.append("")
    else:
        out.append("_No copied sources detected._\n")

    stale = resolution.stale_decisions
    out.append(f"## Stale decisions ({len(stale)})\n")
    if stale:
        out.append("These lines of `decisions.jsonl` no longer apply to the current conflicts and were ignored.\n")
        out.append("| Conflict | Decision | Who | When | Note | Why it is stale |")
        out.append("|---|---|---|---|---|---|")
        for d in stale:
            out.append("| " + " | ".join(_md(x) for x in (d.get("conflict_id"), _decision_text(d), d.get("who"),
                                                             d.get("when"), d.get("note") or "—", d.get("reason")))
                       + " |")
        out.append("")
    else:
        out.append("_No stale decisions: every recorded decision matches a current conflict._\n")
    return "\n".join(out).rstrip() + "\n"


# --------------------------------------------------------------------------
# Entry points


def write_report(resolution: Resolution, claims: list[Claim], documents: dict[str, dict],
                 out_dir: str | os.PathLike) -> dict[str, str]:
    """Write report.html and report.md into ``out_dir`` atomically."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"html": out / "report.html", "md": out / "report.md"}
    _atomic_write(paths["html"], render_html(resolution, claims, documents))
    _atomic_write(paths["md"], render_markdown(resolution, claims, documents))
    return {k: str(v) for k, v in paths.items()}


def format_conflicts_text(conflicts: Iterable[Conflict]) -> str:
    """Terminal listing of conflicts (open first, then by severity)."""
    conflicts = list(conflicts)
    if not conflicts:
        return "No conflicts.\n"
    n_open = sum(1 for c in conflicts if c.resolution is None)
    lines = [f"{len(conflicts)} conflict{'s' if len(conflicts) != 1 else ''} "
             f"({n_open} open, {len(conflicts) - n_open} resolved)", ""]
    pos = {id(c): i for i, c in enumerate(conflicts)}
    ordered = sorted(conflicts, key=lambda c: (c.resolution is not None, SEVERITY_ORDER.get(c.severity, 3), pos[id(c)]))
    for n, c in enumerate(ordered, 1):
        state = "resolved" if c.resolution else "open"
        lines.append(f"[{n}] {c.conflict_id}  {c.severity.upper()}  {state}")
        lines.append(f"    {_fact_title(c.key)}")
        lines.append(f"    {c.reason}")
        for gi, g in enumerate(c.groups):
            label = chr(ord("a") + gi) if gi < 26 else str(gi)
            lines.append(f"    {label}) {_group_value(g):<24} claims: {', '.join(g.get('claim_ids') or [])}")
            lines.append(f"       {'':<24} docs:   {', '.join(g.get('doc_ids') or [])}")
        if c.resolution:
            r = c.resolution
            val = format_value(r.get("value"), (c.groups[0]["unit"] if c.groups else None)) \
                if r.get("value") is not None else "dismissed"
            lines.append(f"    resolved: {val}"
                         + (f" (claim {r['claim_id']})" if r.get("claim_id") else "")
                         + f" by {r.get('who') or '?'} at {r.get('when') or '?'}"
                         + (f" — {r['note']}" if r.get("note") else ""))
        lines.append("")
    return "\n".join(lines)
