"""Resolution scaling on UNRELATED synthetic documents: ``resolve()`` time for 10k -> 100k claims.

Run ``python bench/resolution.py [--sizes 10000,30000,100000]``; ``bench/bench.py`` calls
:func:`run` once at its end.  No spaCy: claims are built directly.

Each synthetic document (10 claims) has its own company and product names, words drawn from a
4,000-word vocabulary, a publication date in 2023-2024, and figures of several kinds (money,
percentages, counts of GPUs / people / users).  To exercise blocking on realistic name
frequencies, 30% of the documents also name one of 3 big companies (a name that common makes
blocks larger than ``linking.max_block``: they are skipped) and 5% one of 200 mid-size ones.
Unrelated documents share no rare name, so candidate pairs -- and time -- should grow about
linearly; the table prints time per claim relative to the smallest size.
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.records import Claim, EntityRef, Provenance, TimeRef  # noqa: E402
from pipeline.resolve import resolve  # noqa: E402

KINDS = [("money", "USD", "raised", 1e6, 1e10), ("money", "USD", "revenue", 1e6, 1e10),
         ("percentage", "percent", "share", 1, 90), ("chip_count", "GPU", "gpu_count", 100, 100000),
         ("count", "person", "headcount", 10, 50000), ("user_count", "user", "users", 1e3, 1e8)]
BIG = ["Nvidia", "Microsoft", "Google"]
MID = [f"Midco{i}" for i in range(200)]


def synthetic(n_claims: int, seed: int = 0, per_doc: int = 10) -> tuple[list[Claim], dict[str, dict]]:
    """``n_claims`` claims in ``n_claims / per_doc`` unrelated documents (module docstring)."""
    rng = random.Random(seed)
    vocab = [f"w{i}" for i in range(4000)]
    claims: list[Claim] = []
    docs: dict[str, dict] = {}
    for d in range(n_claims // per_doc):
        doc = f"d{d:07d}"
        company, product = f"Company{d}x", f"Product{d}y"
        extra = []
        if rng.random() < 0.3:
            extra.append(rng.choice(BIG))
        if rng.random() < 0.05:
            extra.append(rng.choice(MID))
        pub = f"202{rng.randint(3, 4)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        sentences, text_len = [], 0
        for k in range(per_doc):
            kind, unit, metric, lo, hi = KINDS[rng.randrange(len(KINDS))]
            value = round(rng.uniform(lo, hi), -2 if hi > 1000 else 0) or 1.0
            surface = f"{value:,.0f}"
            names = " and ".join([company, product] + extra[:1] if k % 3 == 0 else [company])
            words = " ".join(rng.choice(vocab) for _ in range(12))
            sent = f"{names} {words} {surface} {rng.choice(vocab)}."
            start = text_len + sent.index(surface)
            claims.append(Claim(
                claim_id=f"c_{doc}_{k}", doc_id=doc, kind=kind, metric=metric,
                subject=EntityRef(company, company, "ORG"), object=None, value=float(value),
                value_min=None, value_max=None, unit=unit, surface_value=float(value), surface_unit=unit,
                approximate=False, bound=None, qualifier=None, equivalents=[], rate=None, surface=surface,
                time=TimeRef(None, pub, pub, "published") if k % 2 else None, attribution=None, hedged=False,
                provenance=Provenance(doc_id=doc, path=f"{doc}.txt", outlet="Synthetic", url=None, published=pub,
                                      sentence=sent, char_start=start, char_end=start + len(surface),
                                      sentence_start=text_len),
                extractor={"name": "bench"}, counted=unit if kind in ("chip_count", "count", "user_count") else None,
            ))
            sentences.append(sent)
            text_len += len(sent) + 1
        docs[doc] = {"text": " ".join(sentences), "path": f"{doc}.txt", "outlet": "Synthetic",
                     "published": pub, "url": None, "title": None}
    return claims, docs


def run(sizes: list[int] | None = None) -> list[dict]:
    """Time ``resolve()`` at each size; print a table; return the rows."""
    sizes = sizes or [10_000, 30_000, 100_000]
    rows = []
    for n in sizes:
        claims, docs = synthetic(n)
        t = time.perf_counter()
        res = resolve(claims, docs)
        secs = time.perf_counter() - t
        rows.append({"claims": len(claims), "docs": len(docs), "seconds": secs, "stats": res.stats,
                     "timings": res.timings, "facts": len(res.facts), "conflicts": len(res.conflicts)})
    base = rows[0]["seconds"] / rows[0]["claims"]
    print("\n== Resolution on unrelated synthetic documents (bench/resolution.py)")
    print(f"{'claims':>8} {'docs':>7} {'pairs':>8} {'largest':>7} {'facts':>7} {'confl':>5} "
          f"{'seconds':>8} {'us/claim':>9} {'per-claim vs first':>18}")
    for r in rows:
        per = r["seconds"] / r["claims"]
        print(f"{r['claims']:>8} {r['docs']:>7} {r['stats'].get('comparisons', 0):>8} "
              f"{r['stats'].get('largest_block', 0):>7} {r['facts']:>7} {r['conflicts']:>5} "
              f"{r['seconds']:>8.2f} {1e6 * per:>9.1f} {per / base:>17.2f}x")
    last = rows[-1]
    growth = (last["seconds"] / last["claims"]) / base
    print(f"stages at {last['claims']} claims: " + ", ".join(f"{k} {v:.2f}s" for k, v in last["timings"].items()))
    print(f"per-claim time at {last['claims']} = {growth:.2f}x the {rows[0]['claims']} time "
          f"({'about linear' if growth <= 1.5 else 'super-linear'})")
    return rows


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10000,30000,100000", help="comma-separated claim counts")
    args = ap.parse_args()
    run([int(x) for x in args.sizes.split(",") if x.strip()])
