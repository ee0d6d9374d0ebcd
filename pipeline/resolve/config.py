"""Resolution settings: defaults in ``pipeline/data/resolve.json``, overridable key by key."""
from __future__ import annotations

import copy
import json
from pathlib import Path





CONFIG_PATH = Path(__file__).parent.parent / "data" / "resolve.json"


def _merge(base: dict, over: dict) -> dict:
    out = copy.deepcopy(base)
    for k, v in (over or {}).items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = _merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


def load_config(config: dict | None = None) -> dict:
    """Defaults from ``data/resolve.json``, overridden key by key by ``config``."""
    with open(CONFIG_PATH, encoding="utf-8") as fh:
        base = json.load(fh)
    return _merge(base, config or {})

