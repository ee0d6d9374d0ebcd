"""Output stage: JSONL files written atomically, and their JSON Schemas.

Every file goes to a temporary file in the output folder first and is then
renamed over the old one (``os.replace``), so a run killed half way leaves the
previous outputs intact. Records are written with sorted keys in a
deterministic order, so the same inputs give byte-identical files.
"""
from __future__ import annotations

import json
import os
import tempfile
from importlib import resources
from pathlib import Path
from typing import Any, Iterable

from .records import Article, Claim, IngestError, Mention, to_jsonable

SCHEMAS = {
    "claims.jsonl": "claim.schema.json",
    "documents.jsonl": "document.schema.json",
    "entities.jsonl": "entity.schema.json",
    "errors.jsonl": "error.schema.json",
    "facts.jsonl": "fact.schema.json",
    "conflicts.jsonl": "conflict.schema.json",
    "run.json": "run.schema.json",
}


def dumps(record: Any) -> str:
    return json.dumps(to_jsonable(record), ensure_ascii=False, sort_keys=True, allow_nan=False)


def _umask() -> int:
    """The process's umask (read by setting and restoring it; there is no getter)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def atomic_write_text(path: str | os.PathLike, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` through a temporary file and a rename.

    The file gets the mode a plain ``open(path, "w")`` would give (0666 less
    the umask), not the 0600 of the temporary file.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return path


def atomic_write_jsonl(path: str | os.PathLike, records: Iterable[Any]) -> Path:
    return atomic_write_text(path, "".join(dumps(r) + "\n" for r in records))


def read_jsonl(path: str | os.PathLike) -> list[dict]:
    """Records of one of our own output files (jsonlines skips nothing silently: a bad line raises)."""
    import jsonlines

    with jsonlines.open(path) as reader:
        return list(reader.iter(type=dict, skip_empty=True))


def load_schema(name: str) -> dict:
    with (resources.files("pipeline") / "schemas" / name).open(encoding="utf-8") as f:
        return json.load(f)


def validate_file(path: str | os.PathLike) -> int:
    """Validate an output file against its schema; returns the number of records checked."""
    import jsonschema

    path = Path(path)
    schema = load_schema(SCHEMAS[path.name])
    validator = jsonschema.Draft202012Validator(schema)
    if path.suffix == ".json":
        validator.validate(json.loads(path.read_text(encoding="utf-8")))
        return 1
    n = 0
    for rec in read_jsonl(path):
        validator.validate(rec)
        n += 1
    return n


# --------------------------------------------------------------------------- records


def document_record(a: Article) -> dict:
    return {
        "doc_id": a.doc_id,
        "path": a.path,
        "paths": a.paths or [a.path],
        "format": a.format,
        "encoding": a.encoding,
        "metadata": a.metadata(),
        "boilerplate": [list(s) for s in a.boilerplate],
        "warnings": a.warnings,
        "text": a.text,
        "metadata_source": dict(sorted(a.metadata_source.items())),
        "reader": a.reader,
        "headline": list(a.headline) if a.headline else None,
        "source": a.extra.get("source"),
        "extra": {k: v for k, v in sorted(a.extra.items()) if k != "source"},
    }


def error_record(e: IngestError) -> dict:
    return {"path": e.path, "reason": e.reason, "kind": e.kind, "line": e.line, "fatal": e.fatal}


def entity_records(mentions_by_doc: dict[str, list[Mention]]) -> list[dict]:
    """Canonical entities with their mentions and documents."""
    ents: dict[tuple[str, str], dict] = {}
    for doc_id in sorted(mentions_by_doc):
        for m in mentions_by_doc[doc_id]:
            key = (m.canonical, m.label)
            e = ents.setdefault(key, {"canonical": m.canonical, "label": m.label, "surface_forms": set(),
                                      "doc_ids": set(), "mentions": []})
            e["surface_forms"].add(m.text)
            e["doc_ids"].add(doc_id)
            e["mentions"].append({"doc_id": doc_id, "text": m.text, "char_start": m.start, "char_end": m.end})
    out = []
    for (canonical, label), e in sorted(ents.items()):
        out.append({
            "entity_id": "e_" + _short_hash(f"{label}\x1f{canonical}"),
            "canonical": canonical,
            "label": label,
            "surface_forms": sorted(e["surface_forms"]),
            "doc_ids": sorted(e["doc_ids"]),
            "mention_count": len(e["mentions"]),
            "mentions": sorted(e["mentions"], key=lambda m: (m["doc_id"], m["char_start"])),
        })
    return out


def _short_hash(s: str) -> str:
    import hashlib

    return hashlib.sha256(s.encode("utf-8")).hexdigest()[:16]


def claim_sort_key(c: Claim):
    """claims.jsonl's order: by file, then position in it."""
    return (c.provenance.path, c.doc_id, c.provenance.char_start, c.provenance.char_end, c.claim_id)
