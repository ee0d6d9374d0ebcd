"""Batch support: one writer per output folder, and a per-document claim cache.

``OutputLock`` keeps two ``factpipe`` runs from writing the same output folder
at once. ``ClaimCache`` stores each document's extraction result under
``<out>/.cache/`` so a re-run over a grown corpus only annotates new documents.

Standard library only.
"""
from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import socket
import time
import uuid
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
    "claim_from_dict",
    "mention_from_dict",
]

LOCK_NAME = ".factpipe.lock"
CACHE_DIR = ".cache"
CACHE_FORMAT = 2  # bump when the cache entry layout changes

DATA_DIR = Path(__file__).resolve().parent / "data"

# a lock file that cannot be parsed is taken over only when older than this:
# a younger one may belong to a run that has created it but not yet written it
_UNREADABLE_GRACE_SECONDS = 10.0


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


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    except OSError as exc:
        return exc.errno != errno.ESRCH
    return True


def _now_iso() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime())


class OutputLock:
    """``with OutputLock(out): ...`` -- exclusive right to write ``out``.

    Creates ``<out>/.factpipe.lock`` with ``O_CREAT | O_EXCL`` holding the pid,
    host and start time. A lock whose pid is alive on this host (or that was
    taken on another host, where we cannot check) raises :class:`LockedError`;
    a lock left by a dead process is taken over. The file is removed on exit,
    also when the block raises.
    """

    def __init__(self, out_dir: str | os.PathLike):
        self.out_dir = Path(out_dir)
        self.path = self.out_dir / LOCK_NAME
        self.token: str | None = None
        self.took_over: dict[str, Any] | None = None  # the stale lock replaced, if any

    # ------------------------------------------------------------------ public
    def acquire(self) -> "OutputLock":
        if self.token is not None:
            raise RuntimeError(f"{self.path} is already held by this OutputLock")
        self.out_dir.mkdir(parents=True, exist_ok=True)
        for _ in range(5):
            if self._try_create():
                return self
            info, raw = self._read()
            if self._is_live(info, raw):
                raise self._locked_error(info)
            if not self._remove_stale(raw):
                continue  # someone else changed the lock meanwhile: look again
            self.took_over = info or {"unreadable": raw}
        info, _ = self._read()
        raise self._locked_error(info)

    def release(self) -> None:
        if self.token is None:
            return
        try:
            info, _ = self._read()
            if info is not None and info.get("token") == self.token:
                os.unlink(self.path)
        except FileNotFoundError:
            pass
        finally:
            self.token = None

    @property
    def held(self) -> bool:
        return self.token is not None

    def __enter__(self) -> "OutputLock":
        return self.acquire()

    def __exit__(self, exc_type, exc, tb) -> None:
        self.release()

    # ------------------------------------------------------------------ helpers
    def _try_create(self) -> bool:
        token = uuid.uuid4().hex
        info = {"pid": os.getpid(), "host": socket.gethostname(), "started": _now_iso(),
                "started_epoch": time.time(), "token": token}
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            return False
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(json.dumps(info, sort_keys=True) + "\n")
                f.flush()
                os.fsync(f.fileno())
        except BaseException:
            try:
                os.unlink(self.path)
            except OSError:
                pass
            raise
        self.token = token
        return True

    def _read(self) -> tuple[dict[str, Any] | None, str | None]:
        """(parsed lock, raw text); (None, None) when the file is gone."""
        try:
            raw = self.path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return None, None
        except OSError:
            return None, ""
        try:
            info = json.loads(raw)
            if not isinstance(info, dict) or not isinstance(info.get("pid"), int):
                return None, raw
            return info, raw
        except ValueError:
            return None, raw

    def _is_live(self, info: dict[str, Any] | None, raw: str | None) -> bool:
        if raw is None:
            return False  # vanished: just retry the create
        if info is None:
            try:
                age = time.time() - self.path.stat().st_mtime
            except FileNotFoundError:
                return False
            return age < _UNREADABLE_GRACE_SECONDS
        if info.get("host") != socket.gethostname():
            return True  # cannot tell whether a pid on another host is alive
        return _pid_alive(info["pid"])

    def _remove_stale(self, raw: str | None) -> bool:
        """Remove the stale lock we read (``raw``); False if it changed under us."""
        if raw is None:
            return True
        aside = self.path.with_name(f"{LOCK_NAME}.stale.{os.getpid()}.{uuid.uuid4().hex[:8]}")
        try:
            os.rename(self.path, aside)  # atomic: only one taker gets this file
        except FileNotFoundError:
            return False
        try:
            moved = aside.read_text(encoding="utf-8", errors="replace")
        except OSError:
            moved = raw
        if moved != raw:
            # we moved a fresh lock someone just took: put it back if the slot is still free
            try:
                os.link(aside, self.path)
            except OSError:
                pass
            try:
                os.unlink(aside)
            except OSError:
                pass
            return False
        os.unlink(aside)
        return True

    def _locked_error(self, info: dict[str, Any] | None) -> LockedError:
        out = str(self.out_dir)
        lock = str(self.path)
        if info is None:
            return LockedError(f"another factpipe run is writing to {out} (its lock file is being written); "
                               f"wait for it or remove {lock} if it died", path=lock)
        pid, host, started = info.get("pid"), info.get("host"), info.get("started")
        where = "" if host == socket.gethostname() else f" on host {host}"
        return LockedError(f"another factpipe run (pid {pid}{where}, started {started}) is writing to {out}; "
                           f"wait for it or remove {lock} if it died",
                           pid=pid, host=host, started=started, path=lock)


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
    return _build(Mention, d)


# =========================================================================== cache


def fingerprint(version: str, model: str, data_dir: str | os.PathLike | None = None) -> str:
    """What a cached result depends on besides the text: factpipe version, model label
    and the contents of every file under ``pipeline/data/`` (or ``data_dir``)."""
    h = hashlib.sha256()
    h.update(f"factpipe-cache/{CACHE_FORMAT}\x00{version}\x00{model}\x00".encode("utf-8"))
    root = Path(data_dir) if data_dir is not None else DATA_DIR
    files = sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    for p in files:
        rel = p.relative_to(root).as_posix()
        h.update(rel.encode("utf-8") + b"\x00")
        h.update(hashlib.sha256(p.read_bytes()).digest())
    return h.hexdigest()[:32]


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

