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
    """One JSON line (no newline) for ``record`` (dataclasses as dicts): sorted keys, UTF-8 kept
    as is, NaN/inf refused (ValueError), so equal records give equal bytes."""
    return json.dumps(to_jsonable(record), ensure_ascii=False, sort_keys=True, allow_nan=False)


def _umask() -> int:
    """The process's umask (read by setting and restoring it; there is no getter)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


class AtomicFile:
    """``with AtomicFile(path) as f: f.write(...)`` -- a text file (UTF-8, ``\\n``) written
    through a temporary file in the same folder and renamed over ``path`` only when the
    block ends without an error (then the temporary file is removed and ``path`` is
    untouched).  The file gets the mode a plain ``open(path, "w")`` would give (0666
    less the umask), not the 0600 of the temporary file."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self._tmp: str | None = None
        self._f = None

    def __enter__(self):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, self._tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent)
        try:
            os.fchmod(fd, 0o666 & ~_umask())
            self._f = os.fdopen(fd, "w", encoding="utf-8", newline="\n")
        except BaseException:
            os.close(fd)
            self._discard()
            raise
        return self._f

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc_type is None:
                self._f.flush()
                os.fsync(self._f.fileno())
            self._f.close()
            if exc_type is None:
                os.replace(self._tmp, self.path)
                self._tmp = None
        finally:
            self._discard()

    def _discard(self) -> None:
        if self._tmp is not None:
            try:
                os.unlink(self._tmp)
            except OSError:
                pass
            self._tmp = None


def atomic_write_text(path: str | os.PathLike, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` through a temporary file and a rename (:class:`AtomicFile`)."""
    with AtomicFile(path) as f:
        f.write(text)
    return Path(path)


def atomic_write_jsonl(path: str | os.PathLike, records: Iterable[Any]) -> Path:
    """One :func:`dumps` line per record, written as they come (``records`` may be a
    generator: the file is never held in memory whole), then renamed into place."""
    with AtomicFile(path) as f:
        for r in records:
            f.write(dumps(r) + "\n")
    return Path(path)


class _Spool:
    """Byte strings parked on disk under keys while a run streams: an append-only temporary
    file in ``folder`` (``<prefix>*.tmp``, removed by :meth:`close`, and by the next run when
    this one was killed); a later put of the same key replaces it.  Memory: one offset pair
    per key."""

    def __init__(self, folder: str | os.PathLike, prefix: str):
        fd, self.path = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=folder)
        self._f = os.fdopen(fd, "w+b")
        self._where: dict[str, tuple[int, int]] = {}
        self._end = 0

    def _put(self, key: str, data: bytes) -> None:
        self._f.seek(self._end)
        self._f.write(data)
        self._where[key] = (self._end, len(data))
        self._end += len(data)

    def _get(self, key: str) -> bytes:
        start, n = self._where[key]
        self._f.seek(start)
        return self._f.read(n)

    def __contains__(self, key: str) -> bool:
        return key in self._where

    def close(self) -> None:
        """Close and delete the spool file (idempotent)."""
        if self._f is not None:
            self._f.close()
            self._f = None
            try:
                os.unlink(self.path)
            except OSError:
                pass

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class TextSpool(_Spool):
    """Document texts parked on disk while a run streams (``.texts.*.tmp``, see :class:`_Spool`):
    ``put(doc_id, text)``, ``get(doc_id)``."""

    def __init__(self, folder: str | os.PathLike):
        super().__init__(folder, ".texts.")

    def put(self, doc_id: str, text: str) -> None:
        """Park ``text`` (any str, lone surrogates kept) under ``doc_id``; a later put replaces it."""
        self._put(doc_id, text.encode("utf-8", "surrogatepass"))

    def get(self, doc_id: str) -> str:
        """The text of ``doc_id``; KeyError when it was never put."""
        return self._get(doc_id).decode("utf-8", "surrogatepass")


class RecordSpool(_Spool):
    """One JSON value per key parked on disk while a run streams (``.records.*.tmp``, see
    :class:`_Spool`): ``put(key, value)`` appends one :func:`dumps` line; ``get(key)`` reads it
    back as plain JSON values (dicts and lists), KeyError when never put."""

    def __init__(self, folder: str | os.PathLike, prefix: str = ".records."):
        super().__init__(folder, prefix)

    def put(self, key: str, value: Any) -> None:
        """Append ``value`` (anything :func:`dumps` takes) as the record of ``key``."""
        self._put(key, (dumps(value) + "\n").encode("utf-8", "surrogatepass"))

    def get(self, key: str) -> Any:
        """The last value put under ``key``, as plain JSON values; KeyError when never put."""
        return json.loads(self._get(key).decode("utf-8", "surrogatepass"))


def read_jsonl(path: str | os.PathLike) -> list[dict]:
    """Records of one of our own output files (jsonlines skips nothing silently: a bad line raises)."""
    import jsonlines

    with jsonlines.open(path) as reader:
        return list(reader.iter(type=dict, skip_empty=True))


def load_schema(name: str) -> dict:
    """The JSON Schema ``pipeline/schemas/<name>`` as a dict; FileNotFoundError for an unknown name."""
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
    """One line of documents.jsonl (``schemas/document.schema.json``) for ``a``, text included."""
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
    """One line of errors.jsonl: path, reason, kind, line (or None), fatal."""
    return {"path": e.path, "reason": e.reason, "kind": e.kind, "line": e.line, "fatal": e.fatal}


def entity_records(mentions_by_doc: dict[str, list[Mention]]) -> list[dict]:
    """Canonical entities with their mentions and documents."""
    return list(iter_entity_records((d, mentions_by_doc[d]) for d in sorted(mentions_by_doc)))


def iter_entity_records(mentions_by_doc: Iterable[tuple[str, Iterable[Mention | dict]]]) -> Iterable[dict]:
    """:func:`entity_records` from ``(doc_id, mentions)`` pairs in increasing doc_id order
    (mentions as :class:`Mention` or its dict), aggregated as they come: one tuple per
    mention (doc_id, text, start, end), strings shared, so memory is about 80 bytes
    per mention; yields one record per entity, sorted by (canonical, label)."""
    ents: dict[tuple[str, str], tuple[set, list, list]] = {}
    strings: dict[str, str] = {}

    def one(x: str) -> str:
        return strings.setdefault(x, x)

    for doc_id, ms in mentions_by_doc:
        doc_id = one(doc_id)
        for m in ms:
            if isinstance(m, dict):
                text, canonical, label, start, end = m["text"], m["canonical"], m["label"], m["start"], m["end"]
            else:
                text, canonical, label, start, end = m.text, m.canonical, m.label, m.start, m.end
            key = (canonical, label)
            e = ents.get(key)
            if e is None:
                e = ents[(one(canonical), one(label))] = (set(), [], [])
            text = one(text)
            e[0].add(text)
            if not e[1] or e[1][-1] != doc_id:
                e[1].append(doc_id)
            e[2].append((doc_id, text, start, end))
    for (canonical, label) in sorted(ents):
        forms, docs, mentions = ents.pop((canonical, label))
        mentions.sort(key=lambda m: (m[0], m[2]))
        yield {
            "entity_id": "e_" + _short_hash(f"{label}\x1f{canonical}"),
            "canonical": canonical,
            "label": label,
            "surface_forms": sorted(forms),
            "doc_ids": sorted(set(docs)),
            "mention_count": len(mentions),
            "mentions": [{"doc_id": d, "text": t, "char_start": a, "char_end": b} for d, t, a, b in mentions],
        }


def _short_hash(s: str) -> str:
    import hashlib

    return hashlib.sha256(s.encode("utf-8")).hexdigest()[:16]


def claim_sort_key(c: Claim):
    """claims.jsonl's order: by file, then position in it."""
    return (c.provenance.path, c.doc_id, c.provenance.char_start, c.provenance.char_end, c.claim_id)
