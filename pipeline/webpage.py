"""A web page's main text and metadata (trafilatura), with a fallback.

:func:`extract_page` takes a decoded HTML page and returns a :class:`Page`:
``body`` is the article's main text as chosen by trafilatura (paragraphs
separated by a blank line), ``title``/``published``/``outlet``/``url``/
``author`` come from the page's own metadata (``<title>``, ``og:*``,
``article:published_time``, JSON-LD, ``<link rel=canonical>``; dates via
htmldate). ``method`` says which reader produced ``body``:

``trafilatura``   main-content extraction (default ``--html main``)
``visible-text``  every visible word (:func:`pipeline.htmltext.html_to_text`):
                  the fallback when trafilatura fails or finds no text (e.g.
                  a page whose body sits inside a ``<form>``), and what
                  ``--html full`` asks for

The settings below were chosen on the tune half of html-dev
(``scripts/html_settings.py``); see README "Web pages and archives".

Never raises for a bad page: the fallback catches the extractor's errors.
"""
from __future__ import annotations

import copy
import hashlib
import logging
import re
from dataclasses import dataclass, field
from typing import Any

from .htmltext import html_to_text

__all__ = ["Page", "extract_page", "page_metadata", "dev_half", "HTML_MODES", "SETTINGS"]

HTML_MODES = ("main", "full")

# chosen on html-dev's tune half (scripts/html_settings.py)
SETTINGS: dict[str, Any] = {"favor_precision": True}

# dates only from the page's markup (meta tags, JSON-LD, <time>, the URL): htmldate's extensive
# search also guesses from free text, e.g. "© 2024" in a footer becomes 2024-01-01
DATE_PARAMS: dict[str, Any] = {"extensive_search": False, "original_date": True}

_BLANKS = re.compile(r"\n{2,}")
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


@dataclass
class Page:
    """One page: ``body`` (the text claims are taken from) and metadata (``None`` when absent)."""

    body: str
    method: str  # trafilatura | visible-text
    title: str | None = None
    published: str | None = None  # ISO date, YYYY-MM-DD
    outlet: str | None = None
    url: str | None = None
    author: str | None = None
    notes: list[str] = field(default_factory=list)


def dev_half(name: str) -> str:
    """``"tune"`` or ``"check"``: a deterministic split of a dev set by a hash of the item's name."""
    return "tune" if hashlib.sha256(name.encode("utf-8")).digest()[0] % 2 == 0 else "check"


def _config():
    from trafilatura.settings import DEFAULT_CONFIG

    cfg = copy.deepcopy(DEFAULT_CONFIG)
    # its timeout uses SIGALRM (main thread only) and would make output depend on the machine's speed
    cfg.set("DEFAULT", "EXTRACTION_TIMEOUT", "0")
    return cfg


_CFG = None


def _clean(value: Any) -> str | None:
    if value is None:
        return None
    s = re.sub(r"\s+", " ", str(value)).strip()
    return s or None


def _quiet() -> None:
    # trafilatura and htmldate log each page they find too short or undated at WARNING
    for name in ("trafilatura", "htmldate", "courlan", "justext"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


def page_metadata(html: str, url: str | None = None) -> dict[str, str | None]:
    """``{"title", "published", "outlet", "url", "author"}`` read from the page (values may be None)."""
    _quiet()
    from trafilatura import extract_metadata

    try:
        md = extract_metadata(html, default_url=url, date_config=DATE_PARAMS, extensive=False)
    except Exception:  # a page trafilatura cannot parse has no metadata we can use
        return {"title": None, "published": None, "outlet": None, "url": url, "author": None}
    return _metadata_of(md, url)


def _metadata_of(doc: Any, url: str | None) -> dict[str, str | None]:
    date = _clean(getattr(doc, "date", None))
    if date and not _DATE.match(date):
        date = None
    outlet = _clean(getattr(doc, "sitename", None))
    return {
        "title": _clean(getattr(doc, "title", None)),
        "published": date,
        "outlet": outlet,
        "url": _clean(getattr(doc, "url", None)) or url,
        "author": _clean(getattr(doc, "author", None)),
    }


def extract_page(html: str, url: str | None = None, mode: str = "main", **settings: Any) -> Page | None:
    """Main text and metadata of ``html``; ``None`` only when no reader finds any text.

    ``mode="full"`` keeps every visible word (metadata is still read);
    ``settings`` override :data:`SETTINGS` (keyword arguments of
    ``trafilatura.bare_extraction``; used to choose them).
    """
    global _CFG
    if mode not in HTML_MODES:
        raise ValueError(f"unknown HTML mode {mode!r}: choose one of {', '.join(HTML_MODES)}")
    _quiet()
    from trafilatura import bare_extraction

    if _CFG is None:
        _CFG = _config()
    kw = dict(SETTINGS) if not settings else dict(settings)
    notes: list[str] = []
    doc = None
    try:
        doc = bare_extraction(html, url=url, with_metadata=True, include_comments=False,
                              date_extraction_params=DATE_PARAMS,
                              include_images=False, include_links=False, include_formatting=False,
                              deduplicate=False, config=_CFG, **kw)
    except Exception as exc:  # lxml/trafilatura errors on odd markup: fall back
        notes.append(f"main-text extractor failed ({type(exc).__name__}); used the visible-text reader")
    meta = _metadata_of(doc, url) if doc is not None else page_metadata(html, url)
    body = ""
    if doc is not None and mode == "main":
        body = _BLANKS.sub("\n", (getattr(doc, "text", None) or "").strip()).replace("\n", "\n\n")
    method = "trafilatura"
    if mode == "full" or not body.strip():
        if mode == "main" and doc is not None:
            notes.append("main-text extractor found no text; used the visible-text reader")
        try:
            body, title = html_to_text(html)
        except Exception:  # html.parser is lenient; a last resort
            return None
        method = "visible-text"
        meta["title"] = meta["title"] or title
    if not body.strip():
        return None
    return Page(body=body, method=method, notes=notes, **meta)
