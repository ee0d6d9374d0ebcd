"""Read a corpus of news articles into :class:`~pipeline.records.Article` records.

Inputs are files or folders (searched recursively in sorted order). Supported
formats, chosen by extension:

* ``.txt`` / ``.md``: ``Article.text`` is the file's decoded text, exactly
  (no stripping, ``\\r\\n`` kept; only a UTF-8 byte-order mark is removed).
* ``.html`` / ``.htm``: ``Article.text`` is the page's main text
  (:mod:`pipeline.webpage`: trafilatura, falling back to the visible-text
  reader; ``html="full"`` keeps every visible word), preceded by the headline
  (``Article.headline`` is its span) unless the text already starts with it.
  Title, date, site name, canonical URL and author come from the page; a
  manifest entry overrides them (``Article.metadata_source`` says which).
* ``.warc`` / ``.warc.gz``: every HTML response record is one article
  (:mod:`pipeline.archive`, streamed); ``.html.gz`` / ``.jsonl.gz`` (and
  ``.txt.gz`` / ``.md.gz``) are read through gzip.
* ``.jsonl``: one article per line, ``{"text": ..., "id"?, "title"?,
  "outlet"?, "url"?, "published"?}``.

Metadata for files comes from a ``manifest.jsonl`` in the file's folder
(``{"path": <relative to that folder>, "title"?, "outlet"?, "url"?,
"published"?, ...}``; other keys go to ``Article.extra``). ``manifest.jsonl``
and ``decisions.jsonl`` are never read as articles.

Nothing raises out of :func:`read_corpus` for a bad input: every problem
becomes an :class:`~pipeline.records.IngestError` whose ``kind`` is one of

``not_found``   an explicit path that does not exist, or a broken symlink
``unreadable``  the OS refused to read it (permissions, I/O error)
``unsupported`` a file with an extension we do not read (inside a folder:
                ``fatal=False``, listed as skipped), or not a regular file
``archive``     a WARC record skipped (not HTML, not a response, a
                duplicate URL, no text; ``fatal=False``) or a damaged
                archive / gzip stream (fatal)
``skipped``     an explicit ``manifest.jsonl`` / ``decisions.jsonl`` (not
                an article; ``fatal=False``)
``binary``      NUL bytes or many control characters in the first 8 KB
``empty``       empty, whitespace-only, or (HTML) no visible text
``decode``      not UTF-8; decoded as cp1252 or latin-1 (``fatal=False``,
                the article is still produced, ``Article.encoding`` says which)
``html``        the HTML parser failed
``jsonl``       a ``.jsonl`` line that is not a JSON object with a non-empty
                string ``text`` (``line`` set; other lines still read)
``manifest``    a manifest line that is not JSON, has no ``path``, or names a
                missing file (``line`` set, ``fatal=False``)
``loop``        a symbolic link that points back into a folder being walked
                (not followed, ``fatal=False``)

Identical texts read from several paths become ONE article whose ``paths``
lists them all (sorted; ``path`` is the first), with a warning.
"""
from __future__ import annotations

import calendar
import codecs
import errno
import functools
import hashlib
import json
import os
import re
import stat
from importlib import resources
from pathlib import Path
from typing import Any, Iterable, Iterator

from pipeline.records import Article, IngestError

from .decoding import CONTROL_SHARE, SNIFF_BYTES, decode_bytes  # noqa: F401  (re-exported)
from .decoding import looks_binary as _looks_binary
from .htmltext import html_to_text  # noqa: F401  (re-exported)

__all__ = [
    "read_corpus",
    "iter_corpus",
    "merge_articles",
    "make_doc_id",
    "decode_bytes",
    "html_to_text",
    "find_boilerplate",
    "FORMATS",
    "SPECIAL_FILES",
]

# extension -> Article.format
FORMATS = {".txt": "txt", ".md": "md", ".html": "html", ".htm": "html", ".jsonl": "jsonl",
           ".warc": "warc", ".warc.gz": "warc", ".html.gz": "html", ".htm.gz": "html",
           ".jsonl.gz": "jsonl", ".txt.gz": "txt", ".md.gz": "md"}
# metadata / user files that live next to articles and are never articles
SPECIAL_FILES = frozenset({"manifest.jsonl", "decisions.jsonl"})
MANIFEST = "manifest.jsonl"
META_FIELDS = ("title", "outlet", "url", "published")



# ---------------------------------------------------------------- helpers

def file_ext(name: str) -> str:
    """The extension that picks the format: ``".warc.gz"`` for ``a.warc.gz``, else the last suffix (lower case)."""
    low = name.lower()
    for ext in FORMATS:
        if ext.count(".") == 2 and low.endswith(ext):
            return ext
    return os.path.splitext(low)[1]


def make_doc_id(text: str) -> str:
    """``"d_"`` + the first 16 hex digits of the SHA-256 of ``text`` (UTF-8)."""
    return "d_" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


# ---------------------------------------------------------------- boilerplate

def _load_boilerplate_json() -> dict[str, Any]:
    try:
        raw = resources.files("pipeline").joinpath("data/boilerplate.json").read_text(encoding="utf-8")
    except (OSError, TypeError, ModuleNotFoundError):
        raw = (Path(__file__).parent / "data" / "boilerplate.json").read_text(encoding="utf-8")
    return json.loads(raw)


_LINE = re.compile(r"[^\n]+")
# a whole-line pattern is only tried on lines up to this long (boilerplate
# lines are short; every pattern in the JSON is bounded well below this) ...
BOILERPLATE_MAX_LINE = 1000
# ... and a tail pattern must start within this many characters of the line end
BOILERPLATE_TAIL_WINDOW = 400


@functools.lru_cache(maxsize=1)
def _boilerplate_regexes() -> dict[str, Any]:
    """The compiled patterns of ``boilerplate.json``: ``line`` and ``tail`` as one alternation
    each (or None), ``line_with`` as a list of (pattern, required pattern or None), ``section`` as
    a list of (pattern, max_share, confirm group or None)."""
    spec = _load_boilerplate_json()

    def compiled(section: str, entry: dict, key: str = "pattern") -> re.Pattern[str]:
        try:
            return re.compile(entry[key], re.IGNORECASE)
        except re.error as exc:  # our own data file: a bug, say where
            raise ValueError(f"boilerplate.json {section} {key} {entry.get('name')!r}: {exc}") from None

    out: dict[str, Any] = {}
    for section in ("line", "tail"):
        entries = spec.get(section, [])
        for entry in entries:
            compiled(section, entry)  # names the entry of a bad pattern
        out[section] = re.compile("|".join(f"(?:{e['pattern']})" for e in entries), re.IGNORECASE) \
            if entries else None
    out["line_with"] = [(compiled("line_with", e), compiled("line_with", e, "requires") if e.get("requires") else None)
                        for e in spec.get("line_with", [])]
    out["section"] = [(compiled("section", e), float(e["max_share"]), e.get("confirm"))
                      for e in spec.get("section", [])]
    return out


def _next_line(text: str, pos: int) -> str:
    """The first non-empty line of ``text`` at or after ``pos``, stripped ("" when none)."""
    for m in _LINE.finditer(text, pos):
        if m.group().strip():
            return m.group().strip()
    return ""


def find_boilerplate(text: str) -> list[tuple[int, int]]:
    """Sorted, non-overlapping ``(start, end)`` spans of ``text`` that are web
    boilerplate, using the patterns in ``pipeline/data/boilerplate.json``.

    Each line is tested on its own: a ``line`` pattern must match the whole
    line (surrounding whitespace aside) and marks it; a ``line_with`` pattern
    found anywhere in a line (with its ``requires`` pattern) marks the whole
    line; a ``tail`` pattern marks from where it matches to the end of the
    line.  A ``section`` pattern matching a whole line (a heading such as
    "About Acme Corp", confirmed by the next paragraph starting "Acme") marks
    from that line to the end of the text, when that part is at most the
    pattern's ``max_share`` of the text.
    """
    rx = _boilerplate_regexes()
    line_re, tail_re = rx["line"], rx["tail"]
    size = len(text.rstrip())
    out: list[tuple[int, int]] = []
    for m in _LINE.finditer(text):
        line = m.group()
        core = line.strip()
        if not core:
            continue
        start = m.start() + (len(line) - len(line.lstrip()))
        if len(core) <= BOILERPLATE_MAX_LINE:
            for pat, share, confirm in rx["section"]:
                h = pat.fullmatch(core)
                if h is None or size - start > share * size:
                    continue
                if confirm and not _next_line(text, m.end()).startswith(h.group(confirm).split()[0]):
                    continue  # "About Face" then an ordinary paragraph: a subheading of the article
                out.append((start, size))
                return out
            if line_re is not None and line_re.fullmatch(core) or any(
                    pat.search(core) and (req is None or req.search(core)) for pat, req in rx["line_with"]):
                out.append((start, start + len(core)))
                continue
        if tail_re is not None:
            # searching from ``pos`` still lets look-behinds see the text before it
            t = tail_re.search(line, max(0, len(line) - BOILERPLATE_TAIL_WINDOW))
            if t:
                end = m.start() + len(line.rstrip())
                if end > m.start() + t.start():
                    out.append((m.start() + t.start(), end))
    return out


# ---------------------------------------------------------------- HTML

_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


# ---------------------------------------------------------------- reading

_NORM_WS = re.compile(r"\s+")


def _with_headline(body: str, title: str | None) -> tuple[str, tuple[int, int] | None]:
    """``body`` with the headline in front (``title + "\\n\\n" + body``) and the headline's span.

    When the body already starts with the headline (whitespace aside), nothing
    is added and the span points at it there. No title: ``(body, None)``.
    """
    if not title:
        return body, None
    lead = len(body) - len(body.lstrip())
    first = body[lead:].split("\n", 1)[0]
    if _NORM_WS.sub(" ", first).strip().casefold() == _NORM_WS.sub(" ", title).strip().casefold():
        end = lead + len(first.rstrip())
        return body, (lead, end)
    return f"{title}\n\n{body}", (0, len(title))


_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(?:[T ][0-9:.]+(?:Z|[+-]\d{2}:?\d{2})?)?")


def is_date(value: str) -> bool:
    """True for an ISO date or partial date as metadata gives it: ``2024``, ``2024-07``,
    ``2024-07-23``, ``2024-07-23T10:00:00Z``; the month and day must exist."""
    m = _DATE.fullmatch(value.strip())
    if not m:
        return False
    y, mo, d = (int(g) if g else None for g in m.groups())
    if mo is None:
        return True
    if not 1 <= mo <= 12:
        return False
    return d is None or 1 <= d <= calendar.monthrange(y, mo)[1]


def _meta_value(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        value = str(value)
    return value if value.strip() else None


class _Reader:
    def __init__(self, html: str = "main") -> None:
        self.html = html
        self.seen_urls: dict[str, str] = {}  # archive record URL -> where it was first read
        try:
            self.cwd: str | None = os.getcwd()
        except OSError:
            self.cwd = None
        self.seen_files: set[str] = set()  # display paths already read
        self.walked_dirs: dict[tuple[int, int], str] = {}
        self.manifests: dict[str, list[IngestError]] = {}  # real dir -> its errors
        self.metadata: dict[str, dict[str, Any]] = {}  # real file path -> manifest entry

    # -- paths
    def display(self, path: str) -> str:
        ap = os.path.abspath(path)
        if self.cwd is not None:
            try:
                rel = os.path.relpath(ap, self.cwd)
            except ValueError:  # another drive
                rel = None
            if rel is not None and rel != os.pardir and not rel.startswith(os.pardir + os.sep):
                ap = rel
        return ap.replace(os.sep, "/")

    @staticmethod
    def _key(path: str) -> str:
        return os.path.normcase(os.path.realpath(path))

    # -- manifests
    def load_manifest(self, folder: str) -> Iterator[IngestError]:
        key = self._key(folder)
        if key in self.manifests:
            return
        self.manifests[key] = []
        mpath = os.path.join(folder, MANIFEST)
        if not os.path.isfile(mpath):
            return
        disp = self.display(mpath)
        try:
            with open(mpath, "rb") as fh:
                data = fh.read()
        except OSError as exc:
            yield IngestError(disp, f"{disp}: cannot read manifest: {exc.strerror or exc}", "manifest", fatal=False)
            return
        if _looks_binary(data):
            yield IngestError(disp, f"{disp}: manifest looks like a binary file; ignored", "manifest", fatal=False)
            return
        text, _enc, problem, _bom = decode_bytes(data)
        if problem:
            yield IngestError(disp, f"{disp}: manifest {problem}", "manifest", fatal=False)
        seen: dict[str, int] = {}
        for lineno, line in enumerate(text.split("\n"), start=1):
            if not line.strip():
                continue
            try:
                entry = json.loads(line)
            except (ValueError, RecursionError) as exc:
                yield IngestError(disp, f"{disp} line {lineno}: not valid JSON ({exc}); line ignored",
                                  "manifest", line=lineno, fatal=False)
                continue
            if not isinstance(entry, dict) or not isinstance(entry.get("path"), str) or not entry["path"].strip():
                yield IngestError(disp, f"{disp} line {lineno}: expected a JSON object with a \"path\" string; line ignored",
                                  "manifest", line=lineno, fatal=False)
                continue
            target = os.path.join(folder, entry["path"])
            if not os.path.exists(target):
                yield IngestError(disp, f"{disp} line {lineno}: names {entry['path']!r}, which does not exist "
                                  f"(looked for {self.display(target)})", "manifest", line=lineno, fatal=False)
                continue
            tkey = self._key(target)
            if tkey in seen:
                yield IngestError(disp, f"{disp} line {lineno}: {entry['path']!r} already described on line "
                                  f"{seen[tkey]}; line {lineno} is used", "manifest", line=lineno, fatal=False)
            seen[tkey] = lineno
            self.metadata[tkey] = entry

    def metadata_for(self, path: str) -> dict[str, Any]:
        return self.metadata.get(self._key(path), {})

    # -- walking
    def iter_path(self, raw: str | os.PathLike[str]) -> Iterator[Article | IngestError]:
        path = os.fspath(raw)
        disp = self.display(path)
        try:
            st = os.stat(path)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                yield IngestError(disp, f"{disp}: symbolic link loop ({exc.strerror})", "loop", fatal=False)
            elif isinstance(exc, FileNotFoundError) or exc.errno == errno.ENOTDIR:
                what = "broken symbolic link" if os.path.islink(path) else "no such file or directory"
                yield IngestError(disp, f"{disp}: {what}", "not_found")
            else:
                yield IngestError(disp, f"{disp}: cannot access: {exc.strerror or exc}", "unreadable")
            return
        if stat.S_ISDIR(st.st_mode):
            yield from self.walk(path, [])
            return
        name = os.path.basename(path)
        if name.lower() in SPECIAL_FILES:
            yield IngestError(disp, f"{disp}: {name} is a metadata file, not an article; skipped", "skipped", fatal=False)
            return
        ext = file_ext(name)
        if ext not in FORMATS:
            supported = ", ".join(sorted(FORMATS))
            yield IngestError(disp, f"{disp}: unsupported file type {ext or '(no extension)'!r}; "
                              f"supported: {supported}", "unsupported")
            return
        if not stat.S_ISREG(st.st_mode):
            yield IngestError(disp, f"{disp}: not a regular file", "unsupported")
            return
        yield from self.load_manifest(os.path.dirname(os.path.abspath(path)))
        yield from self.read_file(path, FORMATS[ext], gz=ext.endswith(".gz"))

    def walk(self, folder: str, ancestors: list[tuple[int, int]]) -> Iterator[Article | IngestError]:
        disp = self.display(folder)
        try:
            st = os.stat(folder)
        except OSError as exc:
            yield IngestError(disp, f"{disp}: cannot access folder: {exc.strerror or exc}", "unreadable")
            return
        ident = (st.st_dev, st.st_ino)
        if ident in ancestors:
            yield IngestError(disp, f"{disp}: symbolic link loop: it leads back to "
                              f"{self.walked_dirs.get(ident, 'a folder being read')}; not followed", "loop", fatal=False)
            return
        if ident in self.walked_dirs:
            # the same folder reached by another name: already read, nothing new
            return
        self.walked_dirs[ident] = disp
        try:
            with os.scandir(folder) as it:
                entries = list(it)
        except OSError as exc:
            yield IngestError(disp, f"{disp}: cannot list folder: {exc.strerror or exc}", "unreadable")
            return
        yield from self.load_manifest(folder)
        here = ancestors + [ident]

        def is_dir(e: os.DirEntry[str]) -> bool:
            try:
                return e.is_dir()
            except OSError:
                return False

        # sort so that the walk order is the sorted order of the full paths
        kinds = {e.name: is_dir(e) for e in entries}
        for entry in sorted(entries, key=lambda e: e.name + ("/" if kinds[e.name] else "")):
            if entry.name.startswith("."):
                continue  # hidden files and folders (.git, .DS_Store, ...)
            full = os.path.join(folder, entry.name)
            if kinds[entry.name]:
                yield from self.walk(full, here)
                continue
            ext = file_ext(entry.name)
            try:
                est = os.stat(full)
            except OSError as exc:
                edisp = self.display(full)
                if exc.errno == errno.ELOOP:
                    yield IngestError(edisp, f"{edisp}: symbolic link loop ({exc.strerror}); not followed",
                                      "loop", fatal=False)
                elif ext in FORMATS and entry.name.lower() not in SPECIAL_FILES:
                    if isinstance(exc, FileNotFoundError):
                        yield IngestError(edisp, f"{edisp}: broken symbolic link", "not_found")
                    else:
                        yield IngestError(edisp, f"{edisp}: cannot access: {exc.strerror or exc}", "unreadable")
                continue
            if entry.name.lower() in SPECIAL_FILES or not stat.S_ISREG(est.st_mode):
                continue
            if ext not in FORMATS:
                edisp = self.display(full)
                yield IngestError(edisp, f"{edisp}: unsupported file type {ext or '(no extension)'!r}; skipped "
                                  f"(supported: {', '.join(sorted(FORMATS))})", "unsupported", fatal=False)
                continue
            yield from self.read_file(full, FORMATS[ext], gz=ext.endswith(".gz"))

    # -- files
    def read_file(self, path: str, fmt: str, gz: bool = False) -> Iterator[Article | IngestError]:
        disp = self.display(path)
        if disp in self.seen_files:
            return
        self.seen_files.add(disp)
        if fmt == "warc":
            from .archive import iter_warc

            yield from iter_warc(path, disp, self)
            return
        try:
            if gz:
                import gzip
                import zlib

                try:
                    with gzip.open(path, "rb") as fh:
                        data = fh.read()
                except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
                    yield IngestError(disp, f"{disp}: not a readable gzip file ({exc}); not read", "binary")
                    return
            else:
                with open(path, "rb") as fh:
                    data = fh.read()
        except OSError as exc:
            yield IngestError(disp, f"{disp}: cannot read file: {exc.strerror or exc}", "unreadable")
            return
        if not data:
            yield IngestError(disp, f"{disp}: file is empty", "empty")
            return
        utf16 = data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
        if not utf16 and _looks_binary(data):
            yield IngestError(disp, f"{disp}: looks like a binary file (NUL or control bytes in the first "
                              f"{SNIFF_BYTES} bytes); not read", "binary")
            return
        declared = None
        if fmt == "html":
            m = _CHARSET.search(data[:4096])
            declared = m.group(1).decode("ascii", "replace") if m else None
        text, encoding, problem, bom = decode_bytes(data, declared)
        warnings: list[str] = []
        if problem:
            yield IngestError(disp, f"{disp}: {problem}", "decode", fatal=False)
            warnings.append(problem)
        if not text.strip():
            yield IngestError(disp, f"{disp}: file contains only whitespace", "empty")
            return
        meta = self.metadata_for(path)
        if fmt == "jsonl":
            yield from self._jsonl(disp, text, encoding, meta, warnings)
            return
        extra: dict[str, Any] = {}
        if bom:
            extra["bom"] = True
        if fmt == "html":
            yield from self.html_article(text, disp, encoding, meta, extra, warnings)
            return
        yield self._article(text, disp, fmt, encoding, meta, extra, warnings)

    def html_article(self, html: str, disp: str, encoding: str, meta: dict[str, Any], extra: dict[str, Any],
                     warnings: list[str], url: str | None = None, page_meta: dict[str, Any] | None = None,
                     page_source: str = "page") -> Iterator[Article | IngestError]:
        """One HTML page -> an article: main text (or every visible word), headline, page metadata.

        ``page_meta`` (e.g. a WARC record's URL and date, source ``page_source``)
        fills fields the page itself does not give; ``meta`` (manifest) beats both.
        """
        from .webpage import extract_page

        page = extract_page(html, url=url, mode=self.html)
        if page is None:
            yield IngestError(disp, f"{disp}: HTML page has no visible text", "empty")
            return
        warnings = warnings + page.notes
        text, headline = _with_headline(page.body, page.title)
        found = {"title": page.title, "outlet": page.outlet, "url": page.url,
                 "published": page.published, "author": page.author}
        sources = {k: "page" for k, v in found.items() if v is not None}
        for k, v in (page_meta or {}).items():
            if v is not None and (found.get(k) is None or k == "url"):
                found[k] = v  # the archive's target URI is where the page was fetched
                sources[k] = page_source
        art = self._article(text, disp, "html", encoding, meta, extra, warnings, page=found, page_sources=sources)
        art.reader = page.method
        if headline is not None:
            art.headline = headline
        yield art

    def _article(self, text: str, disp: str, fmt: str, encoding: str, meta: dict[str, Any],
                 extra: dict[str, Any], warnings: list[str], page: dict[str, Any] | None = None,
                 page_sources: dict[str, str] | None = None, own: dict[str, Any] | None = None) -> Article:
        # precedence: a jsonl line's own metadata, then the manifest, then the page (or archive record)
        fields: dict[str, str | None] = {}
        sources: dict[str, str] = {}
        for k in META_FIELDS + ("author",):
            for src, value in (("jsonl", (own or {}).get(k)), ("manifest", meta.get(k)),
                               ((page_sources or {}).get(k, "page"), (page or {}).get(k))):
                if _meta_value(value) is not None:
                    fields[k], sources[k] = _meta_value(value), src
                    break
            else:
                fields[k] = None
        merged = {k: v for k, v in meta.items() if k != "path" and k not in META_FIELDS + ("author",)}
        merged.update(extra)
        warnings = list(warnings)
        if fields.get("published") is not None and not is_date(fields["published"]):
            warnings.append(f"{sources.get('published', 'metadata')} date {fields['published']!r} is not a date "
                            "(YYYY, YYYY-MM or YYYY-MM-DD, optionally with a time); ignored")
            fields["published"] = None
            sources.pop("published", None)
        return Article(
            doc_id=make_doc_id(text),
            text=text,
            path=disp,
            format=fmt,
            paths=[disp],
            encoding=encoding,
            boilerplate=find_boilerplate(text),
            warnings=list(warnings),
            extra=merged,
            metadata_source=sources,
            **fields,
        )

    def _jsonl(self, disp: str, text: str, encoding: str, meta: dict[str, Any],
               warnings: list[str]) -> Iterator[Article | IngestError]:
        for lineno, line in enumerate(text.split("\n"), start=1):
            if not line.strip():
                continue
            where = f"{disp} line {lineno}"
            try:
                obj = json.loads(line)
            except (ValueError, RecursionError) as exc:
                yield IngestError(disp, f"{where}: not valid JSON ({exc})", "jsonl", line=lineno)
                continue
            if not isinstance(obj, dict):
                yield IngestError(disp, f"{where}: expected a JSON object, got {type(obj).__name__}", "jsonl", line=lineno)
                continue
            body = obj.get("text")
            if not isinstance(body, str) or not body.strip():
                what = "no \"text\" field" if "text" not in obj else "\"text\" is not a non-empty string"
                yield IngestError(disp, f"{where}: {what}", "jsonl", line=lineno)
                continue
            extra = {k: v for k, v in obj.items() if k not in META_FIELDS and k not in ("text", "id", "author")}
            extra["line"] = lineno
            if obj.get("id") is not None:
                extra["source_id"] = str(obj["id"])
            yield self._article(body, f"{disp}#L{lineno}", "jsonl", encoding, meta, extra, warnings, own=obj)


def merge_articles(first: Article, dup: Article) -> None:
    """Fold a later article with the same text into the first one (in place): its paths,
    the metadata ``first`` lacks, its extra keys and warnings."""
    for p in dup.paths:
        if p not in first.paths:
            first.paths.append(p)
    first.paths.sort()
    first.path = first.paths[0]
    first.warnings.append(f"same text also read from {dup.path}; kept as one document")
    for k in META_FIELDS + ("author",):
        mine, theirs = getattr(first, k), getattr(dup, k)
        if mine is None and theirs is not None:
            setattr(first, k, theirs)
            if k in dup.metadata_source:
                first.metadata_source[k] = dup.metadata_source[k]
        elif theirs is not None and theirs != mine:
            first.warnings.append(f"{dup.path} gives {k} {theirs!r}; kept {mine!r}")
    for k, v in dup.extra.items():
        first.extra.setdefault(k, v)
    for w in dup.warnings:
        if w not in first.warnings:
            first.warnings.append(w)


def _as_paths(paths: Iterable[str | os.PathLike[str]] | str | os.PathLike[str]) -> list[str | os.PathLike[str]]:
    if isinstance(paths, (str, os.PathLike)):
        return [paths]  # a single path, not an iterable of characters
    return list(paths)


def iter_corpus(paths: Iterable[str | os.PathLike[str]], html: str = "main",
                dedupe: bool = True) -> Iterator[Article | IngestError]:
    """Yield articles and errors in a deterministic order, one input at a time
    (a WARC or JSONL file record by record).

    Inputs are read in the order given; folders in sorted path order. An
    article whose text was already yielded is not yielded again: its path is
    added to the earlier article's ``paths`` (the earlier object is updated in
    place, so consume the articles after the loop if you need final paths).
    That keeps every article yielded in memory; with ``dedupe=False`` every
    article is yielded and none is kept (the caller folds repeats with
    :func:`merge_articles`, as :func:`pipeline.run.extract` does).
    """
    reader = _Reader(html=html)
    by_id: dict[str, Article] = {}
    for raw in _as_paths(paths):
        for item in reader.iter_path(raw):
            if dedupe and isinstance(item, Article):
                first = by_id.get(item.doc_id)
                if first is not None:
                    merge_articles(first, item)
                    continue
                by_id[item.doc_id] = item
            yield item


def read_corpus(paths: Iterable[str | os.PathLike[str]], html: str = "main") -> tuple[list[Article], list[IngestError]]:
    """Read files and folders; return ``(articles, errors)``. Never raises for a bad input.

    ``html``: ``"main"`` (the article's main text) or ``"full"`` (every visible word).
    """
    articles: list[Article] = []
    errors: list[IngestError] = []
    for item in iter_corpus(paths, html=html):
        (articles if isinstance(item, Article) else errors).append(item)
    return articles, errors
