"""Quantity-extraction evaluation against NewsQuant-format gold.

The gold format is NewsQuant's (Almasian et al., EMNLP 2023): a JSON list of
``{"text": sentence, "quantities": [{"change", "value", "unit",
"normalized_unit", "referred_concepts"}]}`` where ``value`` is a string,
already scaled ("$800 million" -> "800000000.0"), and a range is written
``"lo-hi"`` ("3500000000.0-4500000000.0").

Everything is scored in one form, a *pair* ``(value, unit)``: ``value`` is a
float, or a ``(lo, hi)`` tuple for a range; ``unit`` is a normalised unit name
in the gold's (quantulum3-style) vocabulary: "dollar", "percentage",
"megawatt", "-" for a bare number, the counted noun's lemma for counts
("13000 workers" -> "worker").

Scoring (the NewsQuant rule of the shared README; ranges end for end as in the
CQE evaluation code):

* per sentence; a system pair matches a gold pair when the values are equal
  (relative tolerance 1e-5; a range matches only a range, end for end, in the
  order written) and, for *value+unit*, the unit names agree (case-insensitive);
* each system pair matches at most one gold pair and vice versa; pairs that
  agree on value and unit are matched first, the rest on value alone;
* precision = matched / system pairs, recall = matched / gold pairs, micro over
  all sentences; reported in percent.

Our quantities are turned into NewsQuant's pairs as NewsQuant writes them
(:func:`from_quantity`, :func:`movement_pairs`): a share of a group is ``(0.5,
"% group")``, a rate joins the unit ("dollar per month"), a stated equivalent is a
pair of its own, and a movement "from X to Y" -- two quantities for the claims, the
earlier and the new level -- is one range ``(X, Y)`` in the order written.
"""
from __future__ import annotations

import functools
import json
import math
import re
import time
from importlib import resources
from pathlib import Path
from typing import Any, Iterable, Sequence

from pipeline.records import Quantity

Value = float | tuple[float, float]
Pair = tuple[Value, str]

REL_TOL = 1e-5  # relative only: 1.99e-29 kg and 3e-29 kg differ

# a number as NewsQuant writes it: optional sign, decimals, optional exponent
_NUM = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
# "lo-hi": two whole numbers around one '-' (or en dash), spaces allowed
# ("3.0 - 4.0"); a '-' that is a sign ("-3--1") or in an exponent ("1e-5-2e-5")
# belongs to a number, so it is never taken as the separator
_RANGE = re.compile(rf"\s*({_NUM})\s*[-\u2013]\s*({_NUM})\s*")


# --------------------------------------------------------------------------- gold


def parse_value(text: str | float | int) -> Value:
    """A gold value string to a float, or a ``(lo, hi)`` tuple for a range.

    >>> parse_value("800000000.0"), parse_value("-5.0"), parse_value("1.99E-29")
    (800000000.0, -5.0, 1.99e-29)
    >>> parse_value("3.0 - 4.0"), parse_value("-3-5"), parse_value("1e-5-2e-5")
    ((3.0, 4.0), (-3.0, 5.0), (1e-05, 2e-05))
    """
    if isinstance(text, (int, float)):
        return float(text)
    s = text.strip().replace("\u2212", "-")  # unicode minus sign
    try:
        return float(s)
    except ValueError:
        pass
    m = _RANGE.fullmatch(s)
    if not m:
        raise ValueError(f"not a value or a 'lo-hi' range: {text!r}")
    return (float(m.group(1)), float(m.group(2)))


def _gold_unit(q: dict[str, Any]) -> str:
    unit = (q.get("normalized_unit") or "").strip().lower()
    return unit or "-"


def load_gold(path: str | Path) -> list[dict[str, Any]]:
    """Read a NewsQuant-format file.

    Returns one dict per sentence: ``text``, ``quantities`` (the records as
    written) and ``gold``, the quantities as scoring pairs ``(value, unit)``.
    """
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    if not isinstance(data, list):
        raise ValueError(f"{path}: expected a JSON list of sentences")
    out = []
    for i, rec in enumerate(data):
        quantities = rec.get("quantities") or []
        try:
            pairs = [(parse_value(q["value"]), _gold_unit(q)) for q in quantities]
        except (KeyError, ValueError) as e:
            raise ValueError(f"{path}: sentence {i}: {e}") from None
        out.append({"text": rec["text"], "quantities": quantities, "gold": pairs})
    return out


# ----------------------------------------------------------------------- scoring


def values_equal(a: Value, b: Value) -> bool:
    """Equal within relative tolerance 1e-5; a range equals only a range."""
    a_range, b_range = isinstance(a, tuple), isinstance(b, tuple)
    if a_range != b_range:
        return False
    if a_range:
        return all(math.isclose(x, y, rel_tol=REL_TOL) for x, y in zip(a, b))
    return math.isclose(a, b, rel_tol=REL_TOL)


def _unit_key(unit: str | None) -> str:
    return (unit or "-").strip().lower() or "-"


def match_sentence(gold: Sequence[Pair], system: Sequence[Pair]) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Match one sentence: ``(value_unit_matches, value_only_matches)``.

    Each is a list of ``(system_index, gold_index)``; no index appears twice
    across both lists. Value+unit matches are taken first, then the remaining
    pairs are matched on value alone.
    """
    used_g: set[int] = set()
    used_s: set[int] = set()
    both: list[tuple[int, int]] = []
    value_only: list[tuple[int, int]] = []
    for with_unit, out in ((True, both), (False, value_only)):
        for i, (sv, su) in enumerate(system):
            if i in used_s:
                continue
            for j, (gv, gu) in enumerate(gold):
                if j in used_g or not values_equal(sv, gv):
                    continue
                if with_unit and _unit_key(su) != _unit_key(gu):
                    continue
                used_s.add(i)
                used_g.add(j)
                out.append((i, j))
                break
    return both, value_only


def _prf(matched: int, n_system: int, n_gold: int) -> dict[str, float]:
    p = 100.0 * matched / n_system if n_system else 0.0
    r = 100.0 * matched / n_gold if n_gold else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return {"p": p, "r": r, "f1": f1}


def _pairs(sentence: Any) -> Sequence[Pair]:
    """Gold for one sentence: a :func:`load_gold` dict or a list of pairs."""
    return sentence["gold"] if isinstance(sentence, dict) else sentence


def score(gold: Sequence[Any], system: Sequence[Sequence[Pair]]) -> dict[str, Any]:
    """Micro P/R/F1 (percent) for value and value+unit.

    ``gold``: one entry per sentence, a :func:`load_gold` dict or a list of
    pairs; ``system``: one list of pairs per sentence, in the same order.
    """
    if len(gold) != len(system):
        raise ValueError(f"{len(gold)} gold sentences but {len(system)} system sentences")
    n_gold = n_system = m_value = m_unit = 0
    for g, s in zip(gold, system):
        g = _pairs(g)
        both, value_only = match_sentence(g, s)
        n_gold += len(g)
        n_system += len(s)
        m_unit += len(both)
        m_value += len(both) + len(value_only)
    return {
        "n_gold": n_gold,
        "n_system": n_system,
        "matched": {"value": m_value, "value_unit": m_unit},
        "value": _prf(m_value, n_system, n_gold),
        "value_unit": _prf(m_unit, n_system, n_gold),
    }


def errors(gold: Sequence[dict[str, Any]], system: Sequence[Sequence[Pair]]) -> list[dict[str, Any]]:
    """Sentences where the system missed a gold pair or added a spurious one
    (judged on value+unit). ``missed`` and ``spurious`` list the unmatched
    pairs; ``unit_mismatch`` the (system, gold) pairs that agree on value only.
    """
    if len(gold) != len(system):
        raise ValueError(f"{len(gold)} gold sentences but {len(system)} system sentences")
    out = []
    for k, (sent, s) in enumerate(zip(gold, system)):
        g = _pairs(sent)
        both, value_only = match_sentence(g, s)
        hit_s = {i for i, _ in both}
        hit_g = {j for _, j in both}
        missed = [g[j] for j in range(len(g)) if j not in hit_g]
        spurious = [s[i] for i in range(len(s)) if i not in hit_s]
        if missed or spurious:
            out.append({
                "index": k,
                "text": sent.get("text", "") if isinstance(sent, dict) else "",
                "gold": list(g),
                "system": list(s),
                "missed": missed,
                "spurious": spurious,
                "unit_mismatch": [(s[i], g[j]) for i, j in value_only],
            })
    return out


# ------------------------------------------------------------ our record -> pair


@functools.cache
def _unit_table() -> dict[str, str]:
    raw = json.loads(resources.files("pipeline").joinpath("data/eval_units.json").read_text(encoding="utf-8"))
    return {name: entry["gold"] for name, entry in raw["units"].items()}


@functools.cache
def _gold_names() -> frozenset[str]:
    return frozenset(_unit_table().values())


def singular(noun: str) -> str:
    """A crude lowercase singular for a counted noun's last word ("job cuts"
    -> "job cut", "GPUs" -> "gpu", "companies" -> "company"): the quantity
    stage's own (:func:`pipeline.words.singular`)."""
    from pipeline.words import singular as _singular

    return _singular(noun)


def map_unit(name: str | None) -> str:
    """Our ``surface_unit`` to the gold's normalised unit name.

    ``pipeline/data/eval_units.json`` maps our names (exact spelling first,
    then lowercased); a name the table lacks is lowercased and, unless it is
    already one of the table's gold names, singularised (a counted noun).
    """
    if name is None or not name.strip():
        return "-"
    key = name.strip()
    table = _unit_table()
    if key in table:
        return table[key]
    low = key.lower()
    if low in table:
        return table[low]
    if low in _gold_names():
        return low
    return singular(key)


def from_quantity(q: Quantity) -> Pair:
    """Our :class:`Quantity` as a scoring pair.

    The value is ``surface_value`` (scaled by scale words, in the unit as
    written, like the gold), or ``(surface_min, surface_max)`` for a range or
    a vague magnitude ("hundreds of millions") when both ends are set. A rate
    becomes part of the unit as NewsQuant writes it ("$20 a month" ->
    "dollar per month").
    """
    if (q.is_range or q.vague) and q.surface_min is not None and q.surface_max is not None:
        value: Value = (float(q.surface_min), float(q.surface_max))
    else:
        value = float(q.surface_value)
    unit = map_unit(q.surface_unit)
    if q.surface_unit == "fraction":  # NewsQuant: 0.5 and "% " with the group ("half of the staff" -> "% staff")
        unit = f"% {q.counted or '-'}"
    if q.rate and unit != "-" and " per " not in unit:
        unit = f"{unit} per {map_unit(q.rate)}"
    return value, unit




def movement_pairs(text: str, qs: Sequence[Quantity]) -> list[Pair]:
    """Scoring pairs of one text's quantities (in text order), with each movement "from X to Y"
    as NewsQuant annotates it: one range ``(X, Y)`` in the order written ("dropped from 208
    pounds to 193" -> ``((208, 193), "pound-mass")``). The two quantities must be single
    figures in the same unit (and rate), X right after "from", Y right after "to", at most 40
    characters apart; anything else is scored as :func:`from_quantity` gives it."""
    from pipeline.quantities.extractor import RE_FROM_BEFORE, RE_TO_GAP

    pairs: list[Pair] = []
    k = 0
    while k < len(qs):
        q = qs[k]
        nxt = qs[k + 1] if k + 1 < len(qs) else None
        if nxt is not None and not (q.is_range or q.vague or nxt.is_range or nxt.vague) and \
                q.surface_unit == nxt.surface_unit and q.rate == nxt.rate and q.surface_unit != "-" and \
                RE_FROM_BEFORE.search(text[max(0, q.start - 30):q.start]) and RE_TO_GAP.fullmatch(text[q.end:nxt.start]):
            unit = from_quantity(q)[1]
            pairs.append(((float(q.surface_value), float(nxt.surface_value)), unit))
            k += 2
            continue
        pairs.append(from_quantity(q))
        k += 1
    return pairs


# ----------------------------------------------------------------------- systems


def ours(texts: Sequence[str], model: Any = None) -> list[list[Pair]]:
    """Factpipe's extractor on each sentence, as scoring pairs."""
    from pipeline.annotate import extract_quantities_from_texts

    from pipeline.quantities import QuantityGrammar

    grammar = QuantityGrammar()
    out = []
    for text, qs in zip(texts, extract_quantities_from_texts(list(texts), model=model)):
        pairs = movement_pairs(text, qs)
        for q in qs:
            # "$10.5bn (£8.9bn)" is one claim, but NewsQuant annotates each stated amount,
            # in its own unit as written: read the equivalent's surface again
            for e in q.equivalents:
                raws = grammar.parse(e.surface or "")
                if len(raws) == 1:
                    pairs.append((float(raws[0].value), map_unit(raws[0].unit_name)))
        out.append(pairs)
    return out


def quantulum_baseline(texts: Iterable[str]) -> list[list[Pair]]:
    """quantulum3's ``parser.parse`` on each sentence (its ranges come as two
    separate quantities, so every value is a single number)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "classifier dependencies not installed"
        from quantulum3 import parser

        out = []
        for text in texts:
            pairs = []
            for q in parser.parse(text):
                unit = q.unit.name
                pairs.append((float(q.value), "-" if unit == "dimensionless" else unit))
            out.append(pairs)
    return out


def half_of(text: str) -> str:
    """``"tune"`` or ``"check"``: the deterministic half a gold sentence belongs to
    (the parity of the first byte of the SHA-1 of its UTF-8 text)."""
    import hashlib

    return "tune" if hashlib.sha1(text.encode("utf-8")).digest()[0] % 2 == 0 else "check"


def select_half(gold: Sequence[dict[str, Any]], half: str | None) -> list[dict[str, Any]]:
    """The sentences of ``gold`` in ``half`` ("tune" or "check"; None or "all" keeps all)."""
    if half in (None, "all"):
        return list(gold)
    if half not in ("tune", "check"):
        raise ValueError(f"half must be 'tune', 'check' or 'all', not {half!r}")
    return [s for s in gold if half_of(s["text"]) == half]


def evaluate_quantities(gold_path: str | Path, model: Any = None, half: str | None = None,
                        baseline: bool = True) -> dict[str, Any]:
    """Score Factpipe and quantulum3 on one gold file, timing both in this run.

    ``half`` ("tune" / "check") keeps one deterministic half of the sentences
    (:func:`half_of`); ``baseline=False`` skips quantulum3."""
    gold = select_half(load_gold(gold_path), half)
    texts = [s["text"] for s in gold]
    result: dict[str, Any] = {
        "gold": str(gold_path),
        "n_sentences": len(gold),
        "n_gold": sum(len(s["gold"]) for s in gold),
        "seconds": {},
    }
    systems = [("factpipe", lambda: ours(texts, model=model)), ("quantulum3", lambda: quantulum_baseline(texts))]
    for name, run in systems[:None if baseline else 1]:
        t0 = time.perf_counter()
        system = run()
        result["seconds"][name] = time.perf_counter() - t0
        result[name] = score(gold, system)
        result[name]["errors"] = errors(gold, system)
    return result


def format_report(result: dict[str, Any]) -> str:
    """A small aligned table of :func:`evaluate_quantities`' result."""
    lines = [
        f"{result.get('gold', 'gold')}: {result['n_sentences']} sentences, {result['n_gold']} gold quantities",
        f"{'system':<11} {'found':>5}  {'value P':>7} {'R':>5} {'F1':>5}  {'value+unit P':>12} {'R':>5} {'F1':>5}  {'seconds':>7}",
    ]
    for name in ("factpipe", "quantulum3"):
        if name not in result:
            continue
        r, v, vu = result[name], result[name]["value"], result[name]["value_unit"]
        lines.append(
            f"{name:<11} {r['n_system']:>5}  {v['p']:>7.1f} {v['r']:>5.1f} {v['f1']:>5.1f}  "
            f"{vu['p']:>12.1f} {vu['r']:>5.1f} {vu['f1']:>5.1f}  {result['seconds'].get(name, float('nan')):>7.2f}"
        )
    lines.append("P/R/F1 in percent, micro over sentences (NewsQuant rule: relative tolerance 1e-5, ranges end for end).")
    return "\n".join(lines)


def _fmt_pair(p: Pair) -> str:
    v, u = p
    vs = f"{v[0]:g}-{v[1]:g}" if isinstance(v, tuple) else f"{v:g}"
    return f"{vs} {u}"


def format_errors(errs: Sequence[dict[str, Any]], limit: int | None = None) -> str:
    """The first ``limit`` error records of an evaluation as text: sentence, then missed and
    spurious (value, unit) pairs."""
    out = []
    for e in errs[:limit]:
        out.append(f"[{e['index']}] {e['text']}")
        out.append("   missed:   " + ("; ".join(map(_fmt_pair, e["missed"])) or "-"))
        out.append("   spurious: " + ("; ".join(map(_fmt_pair, e["spurious"])) or "-"))
    return "\n".join(out)
