"""Choose trafilatura settings on html-dev's tune half (text metrics only).

    .venv/bin/python scripts/html_settings.py [tune|check|all]

Pages are split by a hash of the file name (pipeline.webpage.dev_half); prints the
benchmark's shingle precision/recall/F1 and the number of empty outputs per setting.
Needs ../shared (skips with a message without it).
"""
import importlib.util, json, pathlib, statistics, sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT))
from pipeline.webpage import dev_half, extract_page  # noqa: E402


def main(which="tune"):
    truth_path = SHARED / "data/html-dev/truth.jsonl"
    if not truth_path.exists():
        print(f"skipped: {truth_path} not found"); return 0
    spec = importlib.util.spec_from_file_location("html_score", SHARED / "eval/html_score.py")
    hs = importlib.util.module_from_spec(spec); spec.loader.exec_module(hs)
    truth = [json.loads(l) for l in truth_path.open()]
    truth = [t for t in truth if which == "all" or dev_half(t["file"]) == which]
    settings = {
        "default": {"favor_precision": False},
        "precision": {"favor_precision": True},
        "recall": {"favor_recall": True},
        "no_tables": {"include_tables": False},
        "precision_no_tables": {"favor_precision": True, "include_tables": False},
        "no_fallback": {"no_fallback": True},
        "precision_no_fallback": {"favor_precision": True, "no_fallback": True},
    }
    for name, kw in settings.items():
        prs, empty = [], 0
        for t in truth:
            html = (SHARED / "data/html-dev/pages" / t["file"]).read_bytes().decode("utf-8", "replace")
            page = extract_page(html, **kw)
            text = page.body if page else ""
            empty += not text.strip()
            prs.append(hs.shingle_tp_fp_fn(t["articleBody"], text))
        P = statistics.mean(hs.prec(*x) for x in prs if x[0] + x[1] > 0)
        R = statistics.mean(hs.rec(*x) for x in prs if x[0] + x[2] > 0)
        print(f"{which} {len(truth)} pages  {name:22s} P {P:.3f} R {R:.3f} F1 {2*P*R/(P+R):.3f} empty {empty}")


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
