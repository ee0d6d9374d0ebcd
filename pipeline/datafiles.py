"""Domain data files shipped in the package (``pipeline/data/``): word lists, vocabularies,
patterns and settings, read once per process. The NLP, quantity, claim and linking stages read
them through here (report, resolve config, decisions, values, ingest's boilerplate and the
scorers still open their own file); nothing here imports another pipeline module."""
from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources


def data_path(name: str):
    """The packaged data file ``pipeline/data/<name>`` (an ``importlib.resources`` Traversable; not checked to
    exist)."""
    return resources.files("pipeline") / "data" / name


@lru_cache(maxsize=None)
def load_json(name: str):
    """The parsed JSON of ``pipeline/data/<name>``, read once per process (cached: do not mutate it). Raises
    ``FileNotFoundError`` or ``json.JSONDecodeError`` for a missing or broken data file."""
    with data_path(name).open(encoding="utf-8") as f:
        return json.load(f)


def load_jsonl(name: str) -> list[dict]:
    """The JSON objects of ``pipeline/data/<name>``, one per non-blank line (read again on each call)."""
    with data_path(name).open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]
