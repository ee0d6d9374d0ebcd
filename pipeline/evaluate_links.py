"""Scoring linking: facts/conflicts against a resolution spec, claims against item gold.

``factpipe evaluate resolution SPEC --corpus CORPUS`` and ``factpipe evaluate claims GOLD CORPUS``
call :func:`score_resolution` and :func:`score_claims`.  The rules are those of the reference
scorers ``../shared/eval/score_resolution.py`` and ``score_items.py`` (a test compares them):

Resolution spec (JSON): ``agree`` [{name, ids | docs, value, unit, tolerance_rel?}] -- one fact not in
conflict holds claims with that value from every listed item; ``conflict`` [{name, a: [value, unit],
b, a_ids?, b_ids?, soft?}] -- some conflict holds both; ``update`` [{name, earlier: {value, unit, ids},
later}] and ``never_together`` [{name, a, b, soft?}] -- never in one conflict; ``no_cross_currency``.
Soft entries are listed, not counted.

Items are named by corpus item id (a JSONL corpus, matched on the text) or by file name.

Dev-set halves (:func:`halves`): the groups of a corpus (a JSONL item's ``story``, a folder corpus's
``cluster`` from its ``manifest.jsonl``, else the file's folder) are ordered by the SHA-256 of their
name; the first half (rounded up) is ``tune``, the rest ``check``.  ``half=`` keeps only the claims
of that half's items and the spec entries about them.
"""
from __future__ import annotations

import functools
import hashlib
import json
import os
from pathlib import Path
from typing import Any, Iterable

DATA = Path(__file__).parent / "data" / "eval_links.json"


class EvalInputError(ValueError):
    """An unusable spec, gold, corpus or output folder (one-line message)."""


@functools.cache
def _tables() -> dict[str, Any]:
    with open(DATA, encoding="utf-8") as fh:
        t = json.load(fh)
    aliases = dict(t["unit_aliases"])
    for w in t["people_words"]:
        aliases[w] = "people"
    return {"aliases": aliases, "to_base": {k: tuple(v) for k, v in t["to_base"].items()},
            "money": set(t["money"])}


def norm_unit(u: Any) -> str | None:
    """Lower-case unit name through the aliases, singular ('GPUs' -> 'GPU', 'jobs' -> 'people')."""
    if u is None:
        return None
    aliases = _tables()["aliases"]
    s = str(u).strip().lower()
    s = aliases.get(s, s)
    if s.endswith("s") and len(s) > 3 and not s.endswith("ss") and s not in aliases.values():
        s = aliases.get(s[:-1], s[:-1])
    return s


def gold_in(value: float | None, unit: Any, claim_unit: Any) -> tuple[float | None, Any]:
    """The gold (value, unit) in the claim's SI base unit when the claim uses it ('17 inch' vs m)."""
    u = str(unit or "").strip().lower()
    to_base = _tables()["to_base"]
    base = to_base.get(u) or (to_base["lb"] if u in ("pound", "pounds") and norm_unit(claim_unit) == "kg" else None)
    if base and norm_unit(claim_unit) == base[0] and value is not None:
        return value * base[1], base[0]
    return value, unit


def _interval(c: dict) -> tuple[Any, Any]:
    v = c.get("value")
    lo, hi = c.get("value_min"), c.get("value_max")
    return (v if lo is None else lo), (v if hi is None else hi)


def _close(a: Any, b: Any, rel: float = 1e-3) -> bool:
    if a is None or b is None:
        return False
    return abs(a - b) <= rel * max(abs(a), abs(b), 1e-12)


def _subj_text(c: dict) -> str:
    parts = []
    for key in ("subject", "object"):
        s = c.get(key)
        if isinstance(s, dict):
            parts += [str(s.get("canonical") or ""), str(s.get("text") or "")]
        elif s:
            parts.append(str(s))
    return " ".join(parts).lower()


def _read_jsonl(path: str | os.PathLike) -> list[dict]:
    out = []
    if not os.path.exists(path):
        return out
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            line = line.strip()
            if line:
                try:
                    out.append(json.loads(line))
                except json.JSONDecodeError as e:
                    raise EvalInputError(f"{path}:{n}: not JSON ({e.msg})") from None
    return out


def _read_json(path: str | os.PathLike) -> Any:
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    except OSError as e:
        raise EvalInputError(f"{path}: cannot read ({e.strerror})") from None
    except json.JSONDecodeError as e:
        raise EvalInputError(f"{path}: not JSON ({e.msg} at line {e.lineno})") from None


# --------------------------------------------------------------------------
# Halves


def halves(keys: Iterable[str]) -> dict[str, str]:
    """group name -> 'tune' | 'check' (module docstring)."""
    ks = sorted(set(keys), key=lambda k: (hashlib.sha256(k.encode("utf-8")).hexdigest(), k))
    n = (len(ks) + 1) // 2
    return {k: ("tune" if i < n else "check") for i, k in enumerate(ks)}


def item_groups(corpus: str | os.PathLike) -> dict[str, str]:
    """item name (JSONL item id or file name) -> its group (story / cluster / folder)."""
    p = Path(corpus)
    out: dict[str, str] = {}
    if p.is_file():
        for r in _read_jsonl(p):
            if "id" in r:
                out[str(r["id"])] = str(r.get("story") or r["id"])
        return out
    if p.is_dir():
        manifests = {m.parent: {str(r.get("path")): r for r in _read_jsonl(m)} for m in p.rglob("manifest.jsonl")}
        for f in sorted(p.rglob("*")):
            if not f.is_file() or f.name == "manifest.jsonl":
                continue
            group = f.parent.name
            for root, rows in manifests.items():
                try:
                    rel = str(f.relative_to(root))
                except ValueError:
                    continue
                if rel in rows and rows[rel].get("cluster"):
                    group = str(rows[rel]["cluster"])
            out[f.name] = group
    return out


# --------------------------------------------------------------------------
# Resolution spec


def _claim_ids(obj: Any, claims: dict[str, dict]) -> list[dict]:
    """Every claim a record mentions (claim_id, claim_ids, claims), as the reference scorer finds them."""
    found: set[str] = set()

    def walk(x: Any) -> None:
        if isinstance(x, dict):
            for k, v in x.items():
                if k == "claim_id" and isinstance(v, str):
                    found.add(v)
                elif k in ("claim_ids", "claims") and isinstance(v, list):
                    for e in v:
                        if isinstance(e, str):
                            found.add(e)
                        else:
                            walk(e)
                else:
                    walk(v)
        elif isinstance(x, list):
            for e in x:
                walk(e)

    walk(obj)
    return [claims[i] for i in sorted(found) if i in claims]


def _load_out(out_dir: str | os.PathLike) -> tuple[list[dict], list[dict], list[dict], list[dict]]:
    out = Path(out_dir)
    if not (out / "facts.jsonl").exists():
        raise EvalInputError(f"{out}: no facts.jsonl (run `factpipe extract ... --out {out}` first)")
    return (_read_jsonl(out / "claims.jsonl"), _read_jsonl(out / "facts.jsonl"),
            _read_jsonl(out / "conflicts.jsonl"), _read_jsonl(out / "documents.jsonl"))


def _item_of(documents: list[dict], corpus: str | os.PathLike | None) -> dict[str, str]:
    if corpus is None or not Path(corpus).is_file():
        return {}
    text_id = {(r.get("text") or "").strip(): str(r["id"]) for r in _read_jsonl(corpus) if "id" in r}
    return {d.get("doc_id"): text_id[(d.get("text") or "").strip()]
            for d in documents if (d.get("text") or "").strip() in text_id}


def _doc_name(c: dict) -> str:
    p = c.get("provenance") or {}
    p = p[0] if isinstance(p, list) and p else p
    return os.path.basename(str(p.get("path") or ""))


def score_resolution(out_dir: str | os.PathLike, spec: dict | str | os.PathLike,
                     corpus: str | os.PathLike | None = None, half: str | None = None) -> dict[str, Any]:
    """Score ``out_dir``'s facts and conflicts against ``spec`` (a dict or a path).

    Returns {passed, total, problems: [str], by_kind: {agree|conflict|update|never_together|
    no_cross_currency: [passed, total]}, facts, conflicts}.  ``half`` ('tune' | 'check') keeps
    only that half's claims and spec entries (``corpus`` gives the groups).
    Raises :class:`EvalInputError` for unusable inputs."""
    if not isinstance(spec, dict):
        spec = _read_json(spec)
        if not isinstance(spec, dict):
            raise EvalInputError("the spec must be a JSON object")
    claims_l, facts, conflicts, documents = _load_out(out_dir)
    item_of = _item_of(documents, corpus)

    def where(c: dict) -> str:
        return item_of.get(c.get("doc_id")) or _doc_name(c)

    keep_items: set[str] | None = None
    if half:
        if corpus is None:
            raise EvalInputError("--half needs --corpus (it names the stories/clusters)")
        groups = item_groups(corpus)
        which = halves(groups.values())
        keep_items = {i for i, g in groups.items() if which[g] == half}
    claims = {c.get("claim_id"): c for c in claims_l if keep_items is None or where(c) in keep_items}

    def in_half(ids: Iterable[str] | None) -> bool:
        return keep_items is None or not ids or set(ids) <= keep_items

    def matches(c: dict, v: float, u: Any, tol: float = 0.005) -> bool:
        v, u = gold_in(v, u, c.get("unit"))
        if norm_unit(c.get("unit")) != norm_unit(u):
            return False
        lo, hi = _interval(c)
        return _close(c.get("value"), v, tol) or (lo is not None and hi is not None and lo < hi and lo <= v <= hi)

    def has(cs: list[dict], v: float, u: Any, ids: Iterable[str] | None = None) -> bool:
        ids = set(ids or [])
        for c in cs:
            gv, gu = gold_in(v, u, c.get("unit"))
            if _close(gv, c.get("value"), 0.005) and norm_unit(c.get("unit")) == norm_unit(gu) \
                    and (not ids or where(c) in ids):
                return True
        return False

    problems: list[str] = []
    by_kind: dict[str, list[int]] = {}

    def count(kind: str, ok: bool) -> None:
        pk = by_kind.setdefault(kind, [0, 0])
        pk[0] += bool(ok)
        pk[1] += 1

    fact_claims = [(f, _claim_ids(f, claims)) for f in facts]
    for a in spec.get("agree", []):
        want = set(a.get("docs") or a.get("ids") or [])
        if not in_half(want):
            continue
        tol = a.get("tolerance_rel", 0.005)
        ok = False
        for f, cs in fact_claims:
            docs = {where(c) for c in cs if matches(c, a["value"], a["unit"], tol)}
            if want <= docs and str(f.get("status")) != "conflict":
                ok = True
                break
        count("agree", ok)
        if not ok:
            problems.append("not merged: " + a["name"])
    conf_sets = [_claim_ids(c, claims) for c in conflicts]
    for a in spec.get("conflict", []):
        if not in_half(list(a.get("a_ids") or []) + list(a.get("b_ids") or [])):
            continue
        ok = any(has(cs, *a["a"], a.get("a_ids")) and has(cs, *a["b"], a.get("b_ids")) for cs in conf_sets)
        if a.get("soft"):
            if not ok:
                problems.append("(soft) conflict not flagged: " + a["name"])
            continue
        count("conflict", ok)
        if not ok:
            problems.append("conflict missed: " + a["name"])
    for a in spec.get("never_together", []):
        bad = any(has(cs, *a["a"]) and has(cs, *a["b"]) for cs in conf_sets)
        if a.get("soft"):
            if bad:
                problems.append("(soft) flagged: " + a["name"])
            continue
        count("never_together", not bad)
        if bad:
            problems.append("false conflict: " + a["name"])
    for a in spec.get("update", []):
        e, l = a["earlier"], a["later"]
        if not in_half(list(e.get("ids") or []) + list(l.get("ids") or [])):
            continue
        bad = any(has(cs, e["value"], e["unit"], e.get("ids")) and has(cs, l["value"], l["unit"], l.get("ids"))
                  for cs in conf_sets)
        count("update", not bad)
        if bad:
            problems.append("update flagged as conflict: " + a["name"])
    if spec.get("no_cross_currency"):
        money = {norm_unit(m) for m in _tables()["money"]}
        bad = [cs for cs in conf_sets if len({norm_unit(c.get("unit")) for c in cs} & money) > 1]
        count("no_cross_currency", not bad)
        if bad:
            problems.append(f"{len(bad)} conflicts compare different currencies")
    passed = sum(v[0] for v in by_kind.values())
    total = sum(v[1] for v in by_kind.values())
    return {"passed": passed, "total": total, "problems": problems, "by_kind": by_kind,
            "facts": len(facts), "conflicts": len(conflicts), "half": half}


def format_resolution(result: dict[str, Any], name: str = "spec") -> str:
    """One line per failed check, then '<name>: P/T checks; ...'."""
    lines = [f"  {p}" for p in result["problems"]]
    kinds = ", ".join(f"{k} {v[0]}/{v[1]}" for k, v in result["by_kind"].items())
    half = f" [{result['half']} half]" if result.get("half") else ""
    lines.append(f"{name}{half}: {result['passed']}/{result['total']} checks ({kinds}); "
                 f"{result['facts']} facts, {result['conflicts']} conflicts")
    return "\n".join(lines)


# --------------------------------------------------------------------------
# Item gold


def score_claims(gold: str | os.PathLike, corpus: str | os.PathLike, out_dir: str | os.PathLike,
                 half: str | None = None) -> dict[str, Any]:
    """Claims of ``out_dir`` against item gold (``gold.jsonl``) for a JSONL ``corpus``.

    Returns {recall, subject, matched, gold, claims, misses: ['ID:surface']}: a gold fact is found
    when a claim of its item has a compatible kind, the same unit and the value (or a range holding
    it); ``subject`` is the share of found facts where one such claim's subject or object contains
    one of the gold's subject hints."""
    items = {r["id"]: r for r in _read_jsonl(corpus) if "id" in r}
    if not items:
        raise EvalInputError(f"{corpus}: no items with an id (a JSONL corpus is needed)")
    if not Path(out_dir, "claims.jsonl").exists():
        raise EvalInputError(f"{out_dir}: no claims.jsonl")
    keep = None
    if half:
        groups = item_groups(corpus)
        which = halves(groups.values())
        keep = {i for i, g in groups.items() if which[g] == half}
    docs = _read_jsonl(Path(out_dir, "documents.jsonl"))
    claims = _read_jsonl(Path(out_dir, "claims.jsonl"))
    text_to_doc = {(d.get("text") or "").strip(): d.get("doc_id") for d in docs}
    by_doc: dict[str, list[dict]] = {}
    for c in claims:
        by_doc.setdefault(c.get("doc_id"), []).append(c)

    def kind_ok(g: dict, c: dict) -> bool:
        k = str(c.get("kind") or "").lower()
        return k == g["kind"] or (g["kind"] in ("chip_count", "user_count") and k == "count"
                                  and norm_unit(c.get("unit")) == norm_unit(g["unit"]))

    def value_ok(g: dict, c: dict) -> bool:
        lo, hi = _interval(c)
        if g.get("value_min") is not None:
            return _close(lo, g["value_min"], 0.01) and _close(hi, g["value_max"], 0.01)
        return _close(c.get("value"), g["value"]) or (lo is not None and hi is not None and lo < hi
                                                       and lo <= g["value"] <= hi)

    need = matched = subj = 0
    misses = []
    for g in _read_jsonl(gold):
        item = items.get(g.get("id"))
        if not item or (keep is not None and g["id"] not in keep):
            continue
        need += 1
        did = text_to_doc.get(item["text"].strip())
        cands = [c for c in by_doc.get(did, []) if kind_ok(g, c) and value_ok(g, c)
                 and norm_unit(c.get("unit")) == norm_unit(g["unit"])]
        if not cands:
            misses.append(f'{g["id"]}:{g.get("surface")}')
            continue
        matched += 1
        subj += any(any(h.lower() in _subj_text(c) for h in g.get("subject", [])) for c in cands)
    n_claims = sum(len(by_doc.get(text_to_doc.get(i["text"].strip()), [])) for k, i in items.items()
                   if keep is None or k in keep)
    return {"recall": matched / need if need else 0.0, "subject": subj / matched if matched else 0.0,
            "matched": matched, "gold": need, "claims": n_claims, "misses": misses, "half": half}


def format_claims(result: dict[str, Any], name: str = "gold") -> str:
    """A claims evaluation result (:func:`score_claims`) as the lines ``score_items.py``
    prints: the missed gold surfaces, then recall and subject accuracy."""
    half = f" [{result['half']} half]" if result.get("half") else ""
    lines = [f"  missed: {m}" for m in result["misses"]]
    lines.append(f"{name}{half}: recall {result['recall']:.2f} ({result['matched']}/{result['gold']}), "
                 f"subject ok {result['subject']:.2f}, {result['claims']} claims for {result['gold']} gold facts")
    return "\n".join(lines)
