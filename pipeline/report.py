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
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;color:#1d1d1f;line-height:1.45}
h1{margin-bottom:.2rem}h2{border-bottom:2px solid #ddd;padding-bottom:.2rem;margin-top:2.5rem}
h3{margin:.2rem 0 .4rem}
table{border-collapse:collapse}td,th{padding:.25rem .7rem;border-bottom:1px solid #e5e5e5;text-align:left;vertical-align:top}
th{background:#f6f6f6}
.summary td:last-child{font-weight:600;text-align:right}
.conflict,.fact{border:1px solid #ddd;border-radius:6px;padding:.8rem 1rem;margin:1rem 0}
.conflict.high{border-left:6px solid #c0392b}.conflict.medium{border-left:6px solid #e67e22}.conflict.low{border-left:6px solid #f1c40f}
.conflict.resolved{border-left:6px solid #27ae60;opacity:.9}
.reason{font-weight:600}
.badge{display:inline-block;font-size:.75rem;font-weight:700;text-transform:uppercase;padding:.05rem .45rem;border-radius:3px;color:#fff;background:#888;margin-right:.4rem}
.badge.high{background:#c0392b}.badge.medium{background:#e67e22}.badge.low{background:#b7950b}.badge.resolved{background:#27ae60}.badge.open{background:#555}
.groups{display:flex;flex-wrap:wrap;gap:1rem}
.group{flex:1 1 20rem;background:#fafafa;border:1px solid #e3e3e3;border-radius:4px;padding:.5rem .8rem}
.value{font-size:1.35rem;font-weight:700}
blockquote{margin:.4rem 0;padding:.3rem .7rem;border-left:3px solid #bbb;background:#fff}
mark{background:#ffe58a;padding:0 .1rem;font-weight:600}
.src{font-size:.85rem;color:#555;margin:.1rem 0 .6rem}
.ids{font-size:.75rem;color:#888;font-family:ui-monospace,Menlo,Consolas,monospace}
.resolution{background:#eafaf1;border:1px solid #a9dfbf;border-radius:4px;padding:.4rem .7rem;margin-top:.6rem}
.muted{color:#777}
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


def _summary(resolution: Resolution, claims: list[Claim], documents: dict) -> list[tuple[str, str]]:
    facts = resolution.facts
    by_status: dict[str, int] = {}
    for f in facts:
        by_status[f.status] = by_status.get(f.status, 0) + 1
    open_c = sum(1 for c in resolution.conflicts if c.resolution is None)
    res_c = len(resolution.conflicts) - open_c
    dep_docs = sorted({d for p in resolution.dependent_docs for d in p["doc_ids"]})
    groups = {tuple(p.get("group") or p["doc_ids"]) for p in resolution.dependent_docs}
    return [
        ("Documents", str(len(documents))),
        ("Claims", str(len(claims))),
        ("Facts", str(len(facts))),
        ("Agreed facts (≥2 sources)", str(by_status.get("agreed", 0))),
        ("Single-source facts", str(by_status.get("single", 0))),
        ("Conflicts open", str(open_c)),
        ("Conflicts resolved", str(res_c)),
        ("Dependent sources", f"{len(dep_docs)} documents in {len(groups)} group(s)"),
        ("Stale decisions", str(len(resolution.stale_decisions))),
    ]


def _ordered_conflicts(resolution: Resolution) -> list[Conflict]:
    pos = {c.conflict_id: i for i, c in enumerate(resolution.conflicts)}
    return sorted(resolution.conflicts,
                  key=lambda c: (c.resolution is not None, SEVERITY_ORDER.get(c.severity, 3), pos[c.conflict_id]))


# --------------------------------------------------------------------------
# HTML


def _h(x: Any) -> str:
    return html.escape("" if x is None else str(x), quote=True)


def _html_quote(row: dict[str, Any]) -> str:
    before, fig, after = _sentence_parts(row)
    body = _h(before) + (f"<mark>{_h(fig)}</mark>" if fig else "") + _h(after)
    meta = [f"<strong>{_h(_source_name(row))}</strong>"]
    if row.get("published"):
        meta.append(_h(row["published"]))
    if row.get("url"):
        meta.append(f'<a href="{_h(row["url"])}">{_h(row["url"])}</a>')
    elif row.get("path"):
        meta.append(f"<span class=\"ids\">{_h(row['path'])}</span>")
    ids = f"claim {_h(row.get('claim_id'))}"
    if row.get("merged_into"):
        ids += f", repeat of {_h(row['merged_into'])}"
    return (f"<blockquote>{body}</blockquote>"
            f"<p class=\"src\">{' — '.join(meta)} <span class=\"ids\">{ids}</span></p>")


def _html_resolution(res: dict[str, Any], unit: str) -> str:
    val = format_value(res.get("value"), unit) if res.get("value") is not None else "no value chosen (dismissed)"
    bits = [f"<strong>Resolved:</strong> {_h(val)}"]
    if res.get("claim_id"):
        bits.append(f"accepted claim <span class=\"ids\">{_h(res['claim_id'])}</span>")
    if res.get("who") or res.get("when"):
        bits.append(f"by {_h(res.get('who') or '?')} at {_h(res.get('when') or '?')}")
    if res.get("note"):
        bits.append(f"— {_h(res['note'])}")
    return f"<div class=\"resolution\">{' '.join(bits)}</div>"


def render_html(resolution: Resolution, claims: list[Claim], documents: dict[str, dict]) -> str:
    claims_by_id = {c.claim_id: c for c in claims}
    facts_by_id = {f.fact_id: f for f in resolution.facts}
    out: list[str] = []
    w = out.append
    w("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<title>Factpipe report</title>\n<style>" + CSS + "</style>\n</head>\n<body>\n")
    w("<h1>Factpipe report</h1>\n")
    w("<section id=\"summary\">\n<h2>Summary</h2>\n<table class=\"summary\">\n")
    for k, v in _summary(resolution, claims, documents):
        w(f"<tr><td>{_h(k)}</td><td>{_h(v)}</td></tr>\n")
    w("</table>\n</section>\n")

    # conflicts
    conflicts = _ordered_conflicts(resolution)
    w(f"<section id=\"conflicts\">\n<h2>Conflicts ({len(conflicts)})</h2>\n")
    if not conflicts:
        w("<p class=\"muted\">No conflicting figures.</p>\n")
    for c in conflicts:
        fact = facts_by_id.get(c.fact_id)
        rows = _rows(fact, claims_by_id, documents) if fact else []
        state = "resolved" if c.resolution else "open"
        cls = "resolved" if c.resolution else _h(c.severity)
        w(f"<article class=\"conflict {cls}\" id=\"{_h(c.conflict_id)}\">\n")
        w(f"<h3>{_h(_fact_title(c.key, fact))}</h3>\n")
        w(f"<p><span class=\"badge {_h(c.severity)}\">{_h(c.severity)}</span>"
          f"<span class=\"badge {state}\">{state}</span>"
          f"<span class=\"reason\">{_h(c.reason)}</span></p>\n")
        w(f"<p class=\"ids\">conflict {_h(c.conflict_id)} · fact {_h(c.fact_id)}</p>\n")
        w("<div class=\"groups\">\n")
        for gi, g in enumerate(c.groups):
            w("<div class=\"group\">\n")
            w(f"<div class=\"value\">{_h(_group_value(g))}</div>\n")
            extra = g["surfaces"][1:] if g.get("surfaces") else []
            n_docs = len(g.get("doc_ids") or [])
            w(f"<p class=\"muted\">{n_docs} source{'s' if n_docs != 1 else ''}"
              + (f"; also written as {_h(', '.join(extra))}" if extra else "") + "</p>\n")
            ids = set(g.get("claim_ids") or [])
            for row in rows:
                if row.get("claim_id") in ids:
                    w(_html_quote(row) + "\n")
            w("</div>\n")
        w("</div>\n")
        if c.resolution:
            w(_html_resolution(c.resolution, fact.unit if fact else (c.groups[0]["unit"] if c.groups else "")) + "\n")
        w("</article>\n")
    w("</section>\n")

    # agreed facts
    agreed = [f for f in resolution.facts if f.status == "agreed"]
    w(f"<section id=\"agreed\">\n<h2>Agreed facts ({len(agreed)})</h2>\n")
    if not agreed:
        w("<p class=\"muted\">No figure is stated by two or more sources.</p>\n")
    for f in agreed:
        src = f.sources
        w(f"<article class=\"fact\" id=\"{_h(f.fact_id)}\">\n<h3>{_h(_fact_title(f.key, f))}</h3>\n")
        w(f"<p><span class=\"value\">{_h(_fact_value(f))}</span> "
          f"<span class=\"muted\">{src.get('n_docs', len(src.get('doc_ids', [])))} sources, "
          f"{src.get('n_independent', len(src.get('independent', [])))} independent"
          + (f"; copies: {_h('; '.join(', '.join(g) for g in src.get('dependent_groups', [])))}"
             if src.get("dependent_groups") else "")
          + f"</span></p>\n<p class=\"ids\">fact {_h(f.fact_id)}</p>\n")
        for row in _rows(f, claims_by_id, documents):
            w(_html_quote(row) + "\n")
        w("</article>\n")
    w("</section>\n")

    # dependent sources
    w(f"<section id=\"dependent\">\n<h2>Dependent sources ({len(resolution.dependent_docs)} pairs)</h2>\n")
    if resolution.dependent_docs:
        w("<table>\n<tr><th>Documents</th><th>Method</th><th>Similarity</th><th>Shingle containment</th>"
          "<th>Shared claims</th><th>Vocabulary containment</th></tr>\n")
        for p in resolution.dependent_docs:
            names = [_doc_name(d, documents) for d in p["doc_ids"]]
            w(f"<tr><td>{_h(' ↔ '.join(names))}</td><td>{_h(p.get('method'))}</td>"
              f"<td>{p.get('similarity', 0):.2f}</td><td>{p.get('containment', 0):.2f}</td>"
              f"<td>{_h(p.get('shared_claims', 0))}</td><td>{p.get('vocab_containment', 0):.2f}</td></tr>\n")
        w("</table>\n")
    else:
        w("<p class=\"muted\">No copied sources detected.</p>\n")
    w("</section>\n")

    # stale decisions
    stale = resolution.stale_decisions
    w(f"<section id=\"stale\">\n<h2>Stale decisions ({len(stale)})</h2>\n")
    if stale:
        w("<table>\n<tr><th>Conflict</th><th>Accepted claim</th><th>Value</th><th>Who</th><th>When</th>"
          "<th>Note</th><th>Why stale</th></tr>\n")
        for d in stale:
            w("<tr>" + "".join(f"<td>{_h(d.get(k))}</td>" for k in
                               ("conflict_id", "accept_claim", "value", "who", "when", "note", "reason")) + "</tr>\n")
        w("</table>\n")
    else:
        w("<p class=\"muted\">Every recorded decision matches a current conflict.</p>\n")
    w("</section>\n</body>\n</html>\n")
    return "".join(out)


def _doc_name(doc_id: str, documents: dict[str, dict]) -> str:
    d = documents.get(doc_id) or {}
    name = d.get("outlet") or (Path(d["path"]).name if d.get("path") else None) or doc_id
    return f"{name} ({doc_id[:12]})" if name != doc_id else doc_id


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
    return f"> {body}\n>\n> — {' — '.join(meta)} ({ids})\n"


def render_markdown(resolution: Resolution, claims: list[Claim], documents: dict[str, dict]) -> str:
    claims_by_id = {c.claim_id: c for c in claims}
    facts_by_id = {f.fact_id: f for f in resolution.facts}
    out: list[str] = ["# Factpipe report\n", "## Summary\n", "| | |", "|---|---:|"]
    for k, v in _summary(resolution, claims, documents):
        out.append(f"| {_md(k)} | {_md(v)} |")
    out.append("")

    conflicts = _ordered_conflicts(resolution)
    out.append(f"## Conflicts ({len(conflicts)})\n")
    if not conflicts:
        out.append("_No conflicting figures._\n")
    for c in conflicts:
        fact = facts_by_id.get(c.fact_id)
        rows = _rows(fact, claims_by_id, documents) if fact else []
        state = "resolved" if c.resolution else "open"
        out.append(f"### {_md(_fact_title(c.key, fact))}\n")
        out.append(f"**{c.severity.upper()}** · {state} · {_md(c.reason)}\n")
        out.append(f"`conflict {c.conflict_id}` · `fact {c.fact_id}`\n")
        # side by side: one table row with a column per competing value
        out.append("| " + " | ".join(_md(_group_value(g)) for g in c.groups) + " |")
        out.append("|" + "---|" * len(c.groups))
        out.append("| " + " | ".join(f"{len(g.get('doc_ids') or [])} source(s)" for g in c.groups) + " |\n")
        for gi, g in enumerate(c.groups):
            out.append(f"#### Value {gi + 1}: {_md(_group_value(g))}\n")
            ids = set(g.get("claim_ids") or [])
            for row in rows:
                if row.get("claim_id") in ids:
                    out.append(_md_quote(row))
        if c.resolution:
            r = c.resolution
            unit = fact.unit if fact else ""
            val = format_value(r.get("value"), unit) if r.get("value") is not None else "no value chosen (dismissed)"
            line = f"**Resolved:** {_md(val)}"
            if r.get("claim_id"):
                line += f", accepted claim `{r['claim_id']}`"
            line += f", by {_md(r.get('who') or '?')} at {_md(r.get('when') or '?')}"
            if r.get("note"):
                line += f" — {_md(r['note'])}"
            out.append(line + "\n")

    agreed = [f for f in resolution.facts if f.status == "agreed"]
    out.append(f"## Agreed facts ({len(agreed)})\n")
    if not agreed:
        out.append("_No figure is stated by two or more sources._\n")
    for f in agreed:
        src = f.sources
        out.append(f"### {_md(_fact_title(f.key, f))}\n")
        line = (f"**{_md(_fact_value(f))}** — {src.get('n_docs', len(src.get('doc_ids', [])))} sources, "
                f"{src.get('n_independent', len(src.get('independent', [])))} independent")
        if src.get("dependent_groups"):
            line += "; copies: " + "; ".join(", ".join(f"`{d}`" for d in g) for g in src["dependent_groups"])
        out.append(line + f" (`fact {f.fact_id}`)\n")
        for row in _rows(f, claims_by_id, documents):
            out.append(_md_quote(row))

    out.append(f"## Dependent sources ({len(resolution.dependent_docs)} pairs)\n")
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
        out.append("| Conflict | Accepted claim | Value | Who | When | Note | Why stale |")
        out.append("|---|---|---|---|---|---|---|")
        for d in stale:
            out.append("| " + " | ".join(_md(d.get(k)) for k in
                                         ("conflict_id", "accept_claim", "value", "who", "when", "note", "reason")) + " |")
        out.append("")
    else:
        out.append("_Every recorded decision matches a current conflict._\n")
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
