"""Batch support: one writer per output folder, and a per-document claim cache.

``OutputLock`` keeps two ``factpipe`` runs from writing the same output folder
at once. ``ClaimCache`` stores each document's extraction result under
``<out>/.cache/`` so a re-run over a grown corpus only annotates new documents.

The lock is an OS file lock (``filelock``).
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import socket
import time
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any, Iterable

from .records import Article, Claim, EntityRef, Equivalent, Mention, Provenance, TimeRef
from .store import atomic_write_text

__all__ = [
    "LOCK_NAME",
    "CACHE_DIR",
    "CACHE_FORMAT",
    "LockedError",
    "OutputLock",
    "ClaimCache",
    "fingerprint",
    "code_hash",
    "claim_from_dict",
    "mention_from_dict",
]

LOCK_NAME = ".factpipe.lock"
CACHE_DIR = ".cache"
CACHE_FORMAT = 2  # bump when the cache entry layout changes

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = PACKAGE_DIR / "data"



# =========================================================================== lock


class LockedError(RuntimeError):
    """The output folder is being written by another (live) factpipe run."""

    def __init__(self, message: str, pid: int | None = None, host: str | None = None,
                 started: str | None = None, path: str | None = None):
        super().__init__(message)
        self.pid = pid
        self.host = host
        self.started = started
        self.path = path


def _now_iso() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime())


class OutputLock:
    """``with OutputLock(out): ...`` -- exclusive right to write ``out``.

    An OS file lock (``filelock``: ``flock`` on ``<out>/.factpipe.lock``), so
    the kernel releases it when the holder dies, however it dies; no stale
    lock is ever left behind. The holder's pid, host and start time go to
    ``<out>/.factpipe.lock.json`` for the message of :class:`LockedError`
    (raised at once, no waiting).
    """

    def __init__(self, out_dir: str | os.PathLike):
        self.out_dir = Path(out_dir)
        self.path = self.out_dir / LOCK_NAME
        self.info_path = self.out_dir / (LOCK_NAME + ".json")
        self._lock = None

    def acquire(self) -> "OutputLock":
        """Take the lock (creating ``out_dir``) and write the holder's pid, host and start time; returns
        ``self``. Raises :class:`LockedError` at once when another process holds it, ``RuntimeError`` when
        this object already does."""
        from filelock import FileLock, Timeout

        if self._lock is not None:
            raise RuntimeError(f"{self.path} is already held by this OutputLock")
        self.out_dir.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(self.path), timeout=0, is_singleton=False, thread_local=False)
        try:
            lock.acquire(timeout=0)
        except Timeout:
            raise self._locked_error() from None
        self._lock = lock
        info = {"pid": os.getpid(), "host": socket.gethostname(), "started": _now_iso()}
        try:
            atomic_write_text(self.info_path, json.dumps(info, sort_keys=True) + "\n")
        except BaseException:
            self.release()
            raise
        return self

    def release(self) -> None:
        """Delete the holder's info file and drop the lock; a no-op when not held."""
        if self._lock is None:
            return
        try:
            self.info_path.unlink(missing_ok=True)
        except OSError:
            pass
        finally:
            self._lock.release(force=True)
            self._lock = None

    @property
    def held(self) -> bool:
        """Whether this object holds the lock now."""
        return self._lock is not None

    def holder(self) -> dict[str, Any] | None:
        """The holder's ``{"pid", "host", "started"}`` as it wrote them, or None."""
        try:
            info = json.loads(self.info_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return info if isinstance(info, dict) else None

    def __enter__(self) -> "OutputLock":
        return self.acquire()

    def __exit__(self, exc_type, exc, tb) -> None:
        self.release()

    def _locked_error(self) -> LockedError:
        out = str(self.out_dir)
        info = self.holder()
        if info is None:
            return LockedError(f"another factpipe run is writing to {out}; wait for it to finish "
                               f"or use another --out", path=str(self.path))
        pid, host, started = info.get("pid"), info.get("host"), info.get("started")
        where = "" if host == socket.gethostname() else f" on host {host}"
        return LockedError(f"another factpipe run (pid {pid}{where}, started {started}) is writing to {out}; "
                           f"wait for it to finish or use another --out", pid=pid, host=host, started=started,
                           path=str(self.path))


# =========================================================================== records from JSON


def _opt(cls, d: dict[str, Any] | None):
    return None if d is None else cls(**d)


def _build(cls, d: dict[str, Any], **nested):
    """``cls`` from a dict: known fields only, nested values already converted in ``nested``."""
    names = {f.name for f in fields(cls)}
    kw = {k: v for k, v in d.items() if k in names}
    kw.update(nested)
    return cls(**kw)


def claim_from_dict(d: dict[str, Any]) -> Claim:
    """Inverse of ``Claim.to_dict()`` / ``dataclasses.asdict``; nested records are rebuilt."""
    return _build(
        Claim, d,
        subject=_opt(EntityRef, d.get("subject")),
        object=_opt(EntityRef, d.get("object")),
        time=_opt(TimeRef, d.get("time")),
        provenance=Provenance(**d["provenance"]),
        equivalents=[Equivalent(**e) for e in d.get("equivalents") or []],
        extractor=dict(d["extractor"]),
        mentions=[dict(m) for m in d.get("mentions") or []],
        entities=[EntityRef(**e) for e in d.get("entities") or []],
    )


def mention_from_dict(d: dict[str, Any]) -> Mention:
    """A :class:`~pipeline.records.Mention` from its JSON record (unknown keys ignored)."""
    return _build(Mention, d)


# =========================================================================== cache


def fingerprint(version: str, model: str, package_dir: str | os.PathLike | None = None) -> str:
    """What a cached result depends on besides the text: factpipe's version, the model
    label, and the contents of every source and data file of the package (``*.py``,
    ``data/``, ``schemas/`` under ``pipeline/``, or ``package_dir``), so any change to
    the code or its rules invalidates the cache."""
    h = hashlib.sha256()
    h.update(f"factpipe-cache/{CACHE_FORMAT}\x00{version}\x00{model}\x00".encode("utf-8"))
    h.update(code_hash(package_dir).encode("ascii"))
    return h.hexdigest()[:32]


_CODE_HASHES: dict[str, str] = {}


def code_hash(package_dir: str | os.PathLike | None = None) -> str:
    """SHA-256 over the relative names and contents of the package's files (cached per process)."""
    root = Path(package_dir) if package_dir is not None else PACKAGE_DIR
    key = str(root)
    if key in _CODE_HASHES and package_dir is None:
        return _CODE_HASHES[key]
    h = hashlib.sha256()
    files = sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts
                   and not any(part.startswith(".") for part in p.relative_to(root).parts)
                   and p.suffix not in (".pyc", ".pyo"))
    for p in files:
        h.update(p.relative_to(root).as_posix().encode("utf-8") + b"\x00")
        h.update(hashlib.sha256(p.read_bytes()).digest())
    out = h.hexdigest()
    if package_dir is None:
        _CODE_HASHES[key] = out
    return out


_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,150}$")


class ClaimCache:
    """Extraction results per document under ``<out>/.cache/<doc_id>.json``.

    An entry is used only when its doc_id and fingerprint match; a missing,
    unreadable or outdated entry is a miss (``None``), never an error.
    """

    def __init__(self, out_dir: str | os.PathLike, fingerprint: str):
        self.dir = Path(out_dir) / CACHE_DIR
        self.fingerprint = fingerprint
        self.hits = 0
        self.misses = 0

    def _file(self, doc_id: str) -> Path:
        name = doc_id if _SAFE_NAME.match(doc_id) else "h_" + hashlib.sha256(doc_id.encode("utf-8")).hexdigest()
        return self.dir / f"{name}.json"

    def get(self, doc_id: str, article: Article | None = None) -> tuple[list[Claim], list[Mention]] | None:
        """Cached (claims, mentions) of ``doc_id``, or None.

        With ``article`` (the same content, possibly read from another path),
        provenance path/outlet/url/published are re-stamped from it. If the
        article's published date differs from the one the claims were
        extracted with, it is a miss: time references fall back to that date
        (a document without claims does not depend on it).
        """
        if article is not None and article.doc_id != doc_id:
            raise ValueError(f"article {article.doc_id} given for doc_id {doc_id}")
        entry = self._load(doc_id)
        if entry is None or (article is not None and entry["claims"]
                             and entry.get("published") != article.published):
            self.misses += 1
            return None
        try:
            claims = [claim_from_dict(c) for c in entry["claims"]]
            mentions = [mention_from_dict(m) for m in entry["mentions"]]
        except (KeyError, TypeError, ValueError, AttributeError):
            self.misses += 1
            return None
        if article is not None:
            for c in claims:
                c.provenance.path = article.path
                c.provenance.outlet = article.outlet
                c.provenance.url = article.url
                c.provenance.published = article.published
        self.hits += 1
        return claims, mentions

    def has_entry(self, doc_id: str) -> bool:
        """Whether a usable entry for ``doc_id`` exists (whatever date it was extracted with)."""
        return self._load(doc_id) is not None

    def _load(self, doc_id: str) -> dict[str, Any] | None:
        try:
            with open(self._file(doc_id), encoding="utf-8") as f:
                entry = json.load(f)
        except (OSError, ValueError):
            return None
        if (not isinstance(entry, dict) or entry.get("format") != CACHE_FORMAT
                or entry.get("doc_id") != doc_id or entry.get("fingerprint") != self.fingerprint
                or not isinstance(entry.get("claims"), list) or not isinstance(entry.get("mentions"), list)):
            return None
        return entry

    def put(self, doc_id: str, claims: list[Claim], mentions: list[Mention]) -> Path:
        """Store one document's result (as extracted: provenance is the article's at that time)."""
        published = claims[0].provenance.published if claims else None
        entry = {
            "format": CACHE_FORMAT,
            "doc_id": doc_id,
            "fingerprint": self.fingerprint,
            "published": published,
            "claims": [asdict(c) for c in claims],
            "mentions": [asdict(m) for m in mentions],
        }
        text = json.dumps(entry, ensure_ascii=False, sort_keys=True)
        return atomic_write_text(self._file(doc_id), text)

    def prune(self, keep_doc_ids: Iterable[str]) -> int:
        """Remove entries of documents not in ``keep_doc_ids`` (and leftover temp files);
        returns the number of entries removed."""
        if not self.dir.is_dir():
            return 0
        keep = {self._file(d).name for d in keep_doc_ids}
        removed = 0
        for p in self.dir.iterdir():
            if not p.is_file():
                continue
            if p.name.endswith(".tmp") and p.name.startswith("."):
                try:
                    if time.time() - p.stat().st_mtime > 3600:
                        p.unlink()
                except OSError:
                    pass
                continue
            if p.suffix == ".json" and p.name not in keep:
                try:
                    p.unlink()
                    removed += 1
                except FileNotFoundError:
                    pass
        return removed

