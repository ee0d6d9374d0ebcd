"""News archives: WARC files (``.warc`` / ``.warc.gz``) read as a stream with warcio.

Every HTTP response record whose payload is HTML becomes one article, read
like an ``.html`` file (main text, headline, page metadata); the record's
``WARC-Target-URI`` is the article's URL (``metadata_source`` ``"warc"``).
The crawl date (``WARC-Date``) is not a publication date -- an archive may
fetch a page years after it appeared -- so it never becomes ``published``:
it is kept as an upper bound, ``source.published_not_after`` (YYYY-MM-DD) in
``documents.jsonl``, with a warning when the page itself gives no date.
The article's path is ``<file>#<byte offset of the record>``.

Records that are not articles are skipped and counted; one non-fatal
:class:`~pipeline.records.IngestError` (kind ``archive``) per reason and
file says how many (``request``/``warcinfo``/... records, not HTML, HTTP
status other than 2xx, the same URL again, no text). A damaged archive
stops that file with a fatal error after the records already read.

Memory: one record at a time (a record's payload is read whole, up to
:data:`MAX_RECORD_BYTES`; larger ones are skipped).
"""
from __future__ import annotations

import contextlib
import gzip
import io
import re
import zlib
from collections import Counter
from typing import Any, Iterator, Protocol

from .decoding import decode_bytes, looks_binary
from .records import Article, IngestError

__all__ = ["iter_warc", "MAX_RECORD_BYTES"]

MAX_RECORD_BYTES = 20 * 1024 * 1024
CHUNK = 64 * 1024
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.IGNORECASE)
_HTML_TYPES = ("text/html", "application/xhtml+xml")


def _iso_day(warc_date: str | None) -> str | None:
    m = re.match(r"(\d{4}-\d{2}-\d{2})", warc_date or "")
    return m.group(1) if m else None


def _read_payload(record) -> bytes | None:
    """The record's decoded payload, read in chunks; None when larger than MAX_RECORD_BYTES."""
    stream = record.content_stream()
    parts: list[bytes] = []
    size = 0
    while True:
        chunk = stream.read(CHUNK)
        if not chunk:
            return b"".join(parts)
        size += len(chunk)
        if size > MAX_RECORD_BYTES:
            return None
        parts.append(chunk)


def _starts_like_warc(path: str) -> bool:
    with open(path, "rb") as fh:
        head = fh.read(2)
        fh.seek(0)
        if head == b"\x1f\x8b":
            try:
                with gzip.GzipFile(fileobj=fh) as gz:
                    head = gz.read(5)
            except (OSError, EOFError, zlib.error):
                return False
        else:
            head = fh.read(5)
    return head == b"WARC/"


def _quiet_records(it) -> Iterator:
    """warcio prints warnings about odd records to stderr; they are our errors to report, not its."""
    while True:
        with contextlib.redirect_stderr(io.StringIO()):
            try:
                record = next(it)
            except StopIteration:
                return
        yield record


class PageReader(Protocol):
    """What :func:`iter_warc` needs of its caller's reader (:mod:`pipeline.ingest`): the URLs
    already read (URL -> where) and the HTML-page-to-article step."""

    seen_urls: dict[str, str]

    def html_article(self, html: str, disp: str, encoding: str, meta: dict[str, Any], extra: dict[str, Any],
                     warnings: list[str], url: str | None = None, page_meta: dict[str, Any] | None = None,
                     page_source: str = "page") -> Iterator[Article | IngestError]:
        """One HTML page -> its article, or an :class:`IngestError` when it has no text."""
        ...


def iter_warc(path: str, disp: str, reader: PageReader) -> Iterator[Article | IngestError]:
    """Articles of one WARC file; errors and skip counts as :class:`IngestError`."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    skipped: Counter[str] = Counter()
    n_records = 0
    try:
        if not _starts_like_warc(path):
            yield IngestError(disp, f"{disp}: not a WARC file (it does not start with a WARC/1.x record); "
                              f"not read", "archive")
            return
        with open(path, "rb") as fh:
            it = ArchiveIterator(fh)
            for record in _quiet_records(it):
                n_records += 1
                if record.rec_type != "response":
                    skipped[f"{record.rec_type} record (not a response)"] += 1
                    continue
                url = record.rec_headers.get_header("WARC-Target-URI")
                http = record.http_headers
                if http is None:
                    skipped["response without HTTP headers"] += 1
                    continue
                status = http.get_statuscode() or ""
                if not status.startswith("2"):
                    skipped[f"HTTP status {status or '?'}"] += 1
                    continue
                ctype = (http.get_header("Content-Type") or "").lower()
                if not any(t in ctype for t in _HTML_TYPES):
                    skipped[f"not HTML ({ctype.split(';')[0].strip() or 'no Content-Type'})"] += 1
                    continue
                if url and url in reader.seen_urls:
                    skipped["same URL as an earlier record"] += 1
                    continue
                data = _read_payload(record)
                if getattr(record.raw_stream, "limit", 0):  # fewer bytes than its Content-Length
                    raise EOFError("the last record is cut short")
                offset = it.get_record_offset()  # only after the payload is read: it reads to the record's end
                where = f"{disp}#{offset}"
                if data is None:
                    skipped[f"page larger than {MAX_RECORD_BYTES // (1024 * 1024)} MB"] += 1
                    continue
                if not data.strip() or looks_binary(data):
                    skipped["empty or binary payload"] += 1
                    continue
                m = _CHARSET.search(ctype)
                declared = m.group(1) if m else None
                html, encoding, problem, _bom = decode_bytes(data, declared)
                warnings = [problem] if problem else []
                got = False
                crawled = _iso_day(record.rec_headers.get_header("WARC-Date"))
                for item in reader.html_article(html, where, encoding, {}, {"source": {
                        "archive": disp, "offset": offset, "url": url,
                        "warc_date": record.rec_headers.get_header("WARC-Date"),
                        "published_not_after": crawled}}, warnings, url=url,
                        page_meta={"url": url}, page_source="warc"):
                    if isinstance(item, Article):
                        got = True
                        if item.published is None and crawled:
                            item.warnings.append(f"no publication date in the page; crawled on {crawled}, so "
                                                 f"published on or before that day (not used as its date)")
                        yield item
                    else:
                        skipped["no text in the page"] += 1
                if got and url:
                    reader.seen_urls[url] = where
    except (ArchiveLoadFailed, zlib.error, EOFError, OSError, ValueError) as exc:
        msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        yield IngestError(disp, f"{disp}: damaged or not a WARC archive after {n_records} record(s) "
                          f"({msg}); the records before it were read", "archive")
    for reason, n in sorted(skipped.items()):
        yield IngestError(disp, f"{disp}: {n} record(s) skipped: {reason}", "archive", fatal=False)
