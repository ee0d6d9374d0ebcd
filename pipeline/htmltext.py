"""The visible-text reader: every visible word of an HTML page, with its ``<title>``.

:func:`html_to_text` is the fallback of :mod:`pipeline.webpage` (and what
``--html full`` asks for); :mod:`pipeline.ingest` re-exports it.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser

_WS = re.compile(r"[ \t\n\r\f]+")  # HTML whitespace; NBSP is kept
class _VisibleText(HTMLParser):
    # dropped with their content
    SKIP = frozenset({
        "script", "style", "noscript", "template", "head", "title", "nav", "footer", "form",
        "aside", "svg", "math", "iframe", "object", "canvas", "select", "button", "textarea",
        "dialog",
    })
    # dropped elements that still separate the text around them
    SKIP_BLOCK = frozenset({"nav", "footer", "form", "aside", "template", "dialog", "iframe", "object"})
    # block elements: a blank line around them
    PARA = frozenset({
        "p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table", "ul", "ol", "dl",
        "section", "article", "header", "main", "figure", "hr", "hgroup", "fieldset",
    })
    # block elements: a line break around them
    BLOCK = frozenset({
        "div", "li", "tr", "dt", "dd", "figcaption", "caption", "address", "details", "summary",
        "legend", "body", "html", "center", "tbody", "thead", "tfoot", "menu", "picture", "video",
        "audio",
    })
    CELL = frozenset({"td", "th"})
    VOID = frozenset({
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
        "source", "track", "wbr",
    })

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.pending_breaks = 0  # newlines owed before the next text
        self.pending_space = False
        self.at_line_start = True
        self.skipping: list[str] = []  # open elements whose content is dropped
        self.pre = 0
        self.title_parts: list[str] | None = None
        self.title: str | None = None

    # -- output
    def _boundary(self, n: int) -> None:
        if self.out:
            self.pending_breaks = max(self.pending_breaks, n)
        self.pending_space = False

    def _emit(self, s: str) -> None:
        if self.pending_breaks:
            self.out.append("\n" * self.pending_breaks)
            self.pending_breaks = 0
            self.at_line_start = True
            self.pending_space = False
        if self.pending_space and not self.at_line_start:
            self.out.append(" ")
        self.pending_space = False
        self.out.append(s)
        self.at_line_start = s.endswith("\n")

    def text(self) -> str:
        return "".join(self.out)

    # -- parser callbacks
    @staticmethod
    def _hidden(attrs: list[tuple[str, str | None]]) -> bool:
        for name, value in attrs:
            if name == "hidden":
                return True
            if name == "style" and value and re.search(
                r"display\s*:\s*none|visibility\s*:\s*hidden", value, re.IGNORECASE
            ):
                return True
        return False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body" and self.skipping and self.skipping[0] == "head":
            self._end_title()
            self.skipping.clear()  # an unclosed <head> ends where <body> starts
        if self.skipping:
            if tag not in self.VOID and (tag in self.SKIP or tag in self.skipping):
                self.skipping.append(tag)  # nesting, so the right end tag closes it
                if tag == "title":
                    self._start_title()
            return
        if tag in self.SKIP or (tag not in self.VOID and self._hidden(attrs)):
            if tag in self.SKIP_BLOCK or tag in self.PARA or tag in self.BLOCK:
                self._boundary(1)
            self.skipping.append(tag)
            if tag == "title":
                self._start_title()
            return
        self._open_or_close(tag, start=True)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if not self.skipping:
            self._open_or_close(tag, start=True)
            if tag not in self.VOID:
                self._open_or_close(tag, start=False)

    def handle_endtag(self, tag: str) -> None:
        if self.skipping:
            if tag in self.skipping:
                while self.skipping:
                    top = self.skipping.pop()
                    if top == "title":
                        self._end_title()
                    if top == tag:
                        break
            return
        self._open_or_close(tag, start=False)

    def _open_or_close(self, tag: str, start: bool) -> None:
        if tag == "br":
            if start:
                self.pending_breaks += 1
                self.pending_space = False
        elif tag in self.PARA:
            self._boundary(2)
            if tag == "pre":
                self.pre = self.pre + 1 if start else max(0, self.pre - 1)
        elif tag in self.BLOCK:
            self._boundary(1)
        elif tag in self.CELL:
            if not self.at_line_start:
                self.pending_space = True

    def _start_title(self) -> None:
        # only the document title (<head><title>), not <svg><title>
        if self.title is None and all(t in ("head", "title") for t in self.skipping):
            self.title_parts = []

    def _end_title(self) -> None:
        if self.title_parts is not None:
            title = _WS.sub(" ", "".join(self.title_parts)).strip()
            self.title = title or None
            self.title_parts = None

    def handle_data(self, data: str) -> None:
        if self.skipping:
            if self.title_parts is not None and self.skipping[-1] == "title":
                self.title_parts.append(data)
            return
        if self.pre:
            if data:
                self._emit(data)
            return
        s = _WS.sub(" ", data)
        if not s:
            return
        core = s.strip(" ")
        if s[0] == " " and not self.at_line_start:
            self.pending_space = True
        if core:
            self._emit(core)
            if s[-1] == " ":
                self.pending_space = True


def html_to_text(html: str) -> tuple[str, str | None]:
    """The visible text of an HTML page and its ``<title>`` (or ``None``)."""
    parser = _VisibleText()
    parser.feed(html)
    parser.close()
    parser._end_title()
    return parser.text(), parser.title
