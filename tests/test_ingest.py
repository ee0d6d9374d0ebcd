"""Tests for pipeline.ingest: formats, metadata, errors, boilerplate."""
from __future__ import annotations

import builtins
import hashlib
import json
import os
from pathlib import Path

import pytest

from pipeline.ingest import find_boilerplate, html_to_text, iter_corpus, make_doc_id, read_corpus
from pipeline.records import Article, IngestError

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "corpus"


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


def by_kind(errors: list[IngestError], kind: str) -> list[IngestError]:
    return [e for e in errors if e.kind == kind]


def in_boilerplate(article: Article, start: int, end: int) -> bool:
    return any(s <= start and end <= e for s, e in article.boilerplate)


@pytest.fixture
def cwd(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


# ------------------------------------------------------------------ formats

@pytest.mark.parametrize(
    "name, raw, text, fmt",
    [
        ("a.txt", b"Meta spent $10bn.\r\nOn chips.\r\n", "Meta spent $10bn.\r\nOn chips.\r\n", "txt"),
        ("b.md", b"# Title\n\n  Indented *text*  \n", "# Title\n\n  Indented *text*  \n", "md"),
        ("c.TXT", b"upper-case extension\n", "upper-case extension\n", "txt"),
        ("d.txt", b"\xef\xbb\xbfBOM text \xe2\x82\xac5\n", "BOM text \u20ac5\n", "txt"),
        ("e.txt", "UTF-16 text\n".encode("utf-16"), "UTF-16 text\n", "txt"),
        ("f.html", b"<html><body><p>Hello &amp; welcome</p></body></html>", "Hello & welcome", "html"),
        ("g.htm", b"<p>one</p><p>two</p>", "one\n\ntwo", "html"),
    ],
)
def test_formats_text_exact(cwd, name, raw, text, fmt):
    write(cwd / name, raw)
    articles, errors = read_corpus([name])
    assert errors == []
    assert len(articles) == 1
    a = articles[0]
    assert a.text == text
    assert a.format == fmt
    assert a.path == name and a.paths == [name]
    assert a.doc_id == make_doc_id(text)


def test_doc_id_is_sha256_prefix():
    text = "Meta’s $10.5bn bet"
    assert make_doc_id(text) == "d_" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    assert len(make_doc_id(text)) == 18


def test_bom_is_recorded_and_offsets_follow_text(cwd):
    write(cwd / "bom.txt", b"\xef\xbb\xbfAdvertisement\nBody $5bn\n")
    (a,), errors = read_corpus(["bom.txt"])
    assert errors == []
    assert a.extra.get("bom") is True and a.encoding == "utf-8"
    assert a.boilerplate == [(0, len("Advertisement"))]


def test_paths_relative_to_cwd_or_absolute(tmp_path, monkeypatch):
    write(tmp_path / "corp" / "sub" / "x.txt", "text x\n")
    monkeypatch.chdir(tmp_path)
    (a,), _ = read_corpus([tmp_path / "corp"])
    assert a.path == "corp/sub/x.txt"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    (b,), _ = read_corpus(["../corp/sub/x.txt"])
    assert b.path == (tmp_path / "corp" / "sub" / "x.txt").as_posix()
    assert os.path.isabs(b.path)


def test_folder_walk_is_recursive_sorted_and_skips_other_files(cwd):
    write(cwd / "c" / "b.txt", "b\n")
    write(cwd / "c" / "a-x.md", "a-x\n")
    write(cwd / "c" / "a" / "z.txt", "a/z\n")
    write(cwd / "c" / "notes.csv", "x,y\n")
    write(cwd / "c" / "image.png", b"\x89PNG\r\n\x1a\n\x00\x00")
    write(cwd / "c" / ".hidden" / "h.txt", "hidden\n")
    write(cwd / "c" / "decisions.jsonl", '{"fact_id": "f1"}\n')
    articles, errors = read_corpus(["c"])
    # unknown types are listed as skipped (not fatal); hidden files and decisions.jsonl are not
    assert [(e.path, e.kind, e.fatal) for e in errors] == [
        ("c/image.png", "unsupported", False), ("c/notes.csv", "unsupported", False)]
    assert all("skipped" in e.reason for e in errors)
    assert [a.path for a in articles] == ["c/a-x.md", "c/a/z.txt", "c/b.txt"]
    # the same again: deterministic
    assert [a.path for a in read_corpus(["c"])[0]] == ["c/a-x.md", "c/a/z.txt", "c/b.txt"]


def test_single_path_string_and_iter_corpus(cwd):
    write(cwd / "c" / "a.txt", "a\n")
    write(cwd / "c" / "b.txt", "")
    articles, errors = read_corpus("c")  # one path, not an iterable of characters
    assert [a.path for a in articles] == ["c/a.txt"]
    items = list(iter_corpus(["c"]))
    assert [type(i).__name__ for i in items] == ["Article", "IngestError"]
    assert items[1].kind == "empty"


# ------------------------------------------------------------------ HTML

HTML_PAGE = """<!DOCTYPE html>
<html><head><title>Meta&#8217;s   big bet</title>
<style>body { font-family: SECRET_STYLE; }</style>
<script>var SECRET_SCRIPT = "<p>not text</p>";</script>
</head>
<body>
<nav><a href="/">Home</a> | <a href="/tech">NAV_LINK</a></nav>
<header><h1>Meta   spends
  big</h1></header>
<article>
<p>Meta spent <b>$10.5bn</b>&nbsp;on chips &amp; data centres.<br>It said so.</p>
<noscript>NOSCRIPT_TEXT</noscript>
<ul><li>one</li><li>two</li></ul>
<div hidden>HIDDEN_DIV</div><div style="display: none">HIDDEN_STYLE</div>
<form><label>Email</label><input type="email"><button>FORM_BUTTON</button></form>
<table><tr><td>cell a</td><td>cell b</td></tr></table>
</article>
<aside>ASIDE_TEXT</aside>
<footer>FOOTER_TEXT</footer>
<script>document.write("LATE_SCRIPT")</script>
</body></html>
"""


def test_html_visible_text(cwd):
    write(cwd / "page.html", HTML_PAGE)
    (a,), errors = read_corpus(["page.html"], html="full")
    assert errors == []
    assert a.format == "html"
    assert (a.reader, a.title, a.headline) == ("visible-text", "Meta spends big", (0, 15))
    for hidden in ("SECRET_STYLE", "SECRET_SCRIPT", "not text", "NAV_LINK", "NOSCRIPT_TEXT", "HIDDEN_DIV",
                   "HIDDEN_STYLE", "FORM_BUTTON", "ASIDE_TEXT", "FOOTER_TEXT", "LATE_SCRIPT", "big bet"):
        assert hidden not in a.text
    assert a.text == (
        "Meta spends big\n\n"
        "Meta spent $10.5bn\u00a0on chips & data centres.\nIt said so.\n\n"
        "one\ntwo\n\n"
        "cell a cell b"
    )


def test_html_manifest_title_wins_and_unclosed_head(cwd):
    write(cwd / "p.html", "<html><head><title>Page title</title><meta charset=utf-8><body><p>Body text</p>")
    write(cwd / "q.html", "<title>Other</title><p>More text</p>")
    write(cwd / "manifest.jsonl", json.dumps({"path": "p.html", "title": "Manifest title"}) + "\n")
    articles, errors = read_corpus(["."])
    assert errors == []
    got = {a.path: (a.title, a.text) for a in articles}
    # the page's own headline stays in the text (marked), the manifest's title is the document's title
    assert got == {"p.html": ("Manifest title", "Page title\n\nBody text"), "q.html": ("Other", "Other\n\nMore text")}
    assert {a.path: (a.headline, a.metadata_source.get("title")) for a in articles} == {
        "p.html": ((0, 10), "manifest"), "q.html": ((0, 5), "page")}


def test_html_declared_charset_and_no_visible_text(cwd):
    write(cwd / "sj.html", '<meta charset="shift_jis"><p>日本語</p>'.encode("shift_jis"))
    write(cwd / "blank.html", "<html><head><title>T</title></head><body><script>x()</script></body></html>")
    articles, errors = read_corpus(["sj.html", "blank.html"])
    assert [(a.text, a.encoding) for a in articles] == [("日本語", "shift_jis")]
    assert [(e.kind, e.path) for e in errors] == [("empty", "blank.html")]


def test_html_to_text_direct():
    text, title = html_to_text("<div>a<div>b</div></div><p>c  <i>d</i> </p>x<br><br>y<pre>  keep\n  this</pre>")
    assert title is None
    assert text == "a\nb\n\nc d\n\nx\n\ny\n\n  keep\n  this"


# ------------------------------------------------------------------ manifest

def test_manifest_metadata_partial_dates_and_extra(cwd):
    write(cwd / "c" / "a.txt", "Article A\n")
    write(cwd / "c" / "sub" / "b.txt", "Article B\n")
    write(cwd / "c" / "c.txt", "Article C\n")
    lines = [
        {"path": "a.txt", "title": "A title", "outlet": "The Guardian", "url": "https://x.test/a",
         "published": "2024-07", "note": "partial date", "section": "tech"},
        {"path": "sub/b.txt", "outlet": "Wired", "published": "2024-10-03"},
    ]
    write(cwd / "c" / "manifest.jsonl", "".join(json.dumps(l) + "\n" for l in lines))
    articles, errors = read_corpus(["c"])
    assert errors == []
    meta = {a.path: (a.metadata(), a.extra) for a in articles}
    assert meta["c/a.txt"] == (
        {"title": "A title", "outlet": "The Guardian", "url": "https://x.test/a", "published": "2024-07",
         "author": None},
        {"note": "partial date", "section": "tech"},
    )
    assert meta["c/sub/b.txt"][0] == {"title": None, "outlet": "Wired", "url": None, "published": "2024-10-03",
                                      "author": None}
    assert meta["c/c.txt"] == ({"title": None, "outlet": None, "url": None, "published": None, "author": None}, {})


def test_manifest_applies_to_explicit_file(cwd):
    write(cwd / "c" / "a.txt", "Article A\n")
    write(cwd / "c" / "manifest.jsonl", '{"path": "a.txt", "outlet": "Reuters", "published": "2025"}\n')
    (a,), errors = read_corpus(["c/a.txt"])
    assert errors == []
    assert (a.outlet, a.published) == ("Reuters", "2025")


def test_manifest_bad_lines_are_reported_and_do_not_stop(cwd):
    write(cwd / "c" / "a.txt", "Article A\n")
    write(cwd / "c" / "manifest.jsonl",
          '{"path": "a.txt", "outlet": "AP"}\n'
          "this is not json\n"
          '{"path": "missing.txt", "outlet": "X"}\n'
          "\n"
          '["no", "path"]\n')
    (a,), errors = read_corpus(["c"])
    assert a.outlet == "AP"
    assert [(e.kind, e.line, e.fatal, e.path) for e in errors] == [
        ("manifest", 2, False, "c/manifest.jsonl"),
        ("manifest", 3, False, "c/manifest.jsonl"),
        ("manifest", 5, False, "c/manifest.jsonl"),
    ]
    assert "not valid JSON" in errors[0].reason
    assert "missing.txt" in errors[1].reason and "does not exist" in errors[1].reason


def test_explicit_manifest_is_not_an_article(cwd):
    write(cwd / "manifest.jsonl", '{"path": "manifest.jsonl"}\n')
    articles, errors = read_corpus(["manifest.jsonl"])
    assert articles == []
    assert [(e.kind, e.fatal) for e in errors] == [("skipped", False)]


# ------------------------------------------------------------------ jsonl

def test_jsonl_good_and_bad_lines(cwd):
    lines = [
        json.dumps({"id": "s1", "text": "First story: $1bn.", "title": "One", "outlet": "Wired",
                    "url": "https://w.test/1", "published": "2024-07", "lang": "en"}),
        "{not json",
        json.dumps({"id": 7, "text": "Second story."}),
        json.dumps({"title": "no text"}),
        json.dumps({"text": "   "}),
        "",
        json.dumps(["text"]),
        json.dumps({"text": 42}),
        json.dumps({"text": "Third\r\nstory."}),
    ]
    write(cwd / "feed.jsonl", "\n".join(lines) + "\n")
    articles, errors = read_corpus(["feed.jsonl"])
    assert [(a.path, a.text, a.extra.get("source_id")) for a in articles] == [
        ("feed.jsonl#L1", "First story: $1bn.", "s1"),
        ("feed.jsonl#L3", "Second story.", "7"),
        ("feed.jsonl#L9", "Third\r\nstory.", None),
    ]
    first = articles[0]
    assert first.format == "jsonl"
    assert first.metadata() == {"title": "One", "outlet": "Wired", "url": "https://w.test/1", "published": "2024-07",
                                "author": None}
    assert first.metadata_source == {"title": "jsonl", "outlet": "jsonl", "url": "jsonl", "published": "jsonl"}
    assert first.extra["lang"] == "en"
    assert [(e.kind, e.line, e.path) for e in errors] == [
        ("jsonl", 2, "feed.jsonl"), ("jsonl", 4, "feed.jsonl"), ("jsonl", 5, "feed.jsonl"),
        ("jsonl", 7, "feed.jsonl"), ("jsonl", 8, "feed.jsonl"),
    ]
    assert all("feed.jsonl line" in e.reason for e in errors)


def test_jsonl_duplicate_lines_merge(cwd):
    write(cwd / "f.jsonl", '{"text": "same"}\n{"text": "same"}\n')
    (a,), errors = read_corpus(["f.jsonl"])
    assert errors == []
    assert a.paths == ["f.jsonl#L1", "f.jsonl#L2"]


# ------------------------------------------------------------------ duplicates

def test_same_content_two_names_is_one_article(cwd):
    write(cwd / "c" / "b_copy.txt", "Identical story about $5bn.\n")
    write(cwd / "c" / "a_orig.txt", "Identical story about $5bn.\n")
    write(cwd / "c" / "other.txt", "A different story.\n")
    write(cwd / "c" / "manifest.jsonl", '{"path": "b_copy.txt", "outlet": "Copycat"}\n')
    articles, errors = read_corpus(["c"])
    assert errors == []
    assert len(articles) == 2
    dup = articles[0]
    assert dup.path == "c/a_orig.txt"
    assert dup.paths == ["c/a_orig.txt", "c/b_copy.txt"]
    assert dup.outlet == "Copycat"  # filled from the copy, which had metadata
    assert any("c/b_copy.txt" in w for w in dup.warnings)
    assert articles[1].paths == ["c/other.txt"]


def test_same_path_twice_is_read_once(cwd):
    write(cwd / "c" / "a.txt", "x\n")
    articles, errors = read_corpus(["c", "c/a.txt", "./c/a.txt"])
    assert errors == []
    assert [a.paths for a in articles] == [["c/a.txt"]]
    assert articles[0].warnings == []


# ------------------------------------------------------------------ errors

@pytest.mark.parametrize(
    "name, raw, kind",
    [
        ("empty.txt", b"", "empty"),
        ("blank.md", b" \n\t\r\n  ", "empty"),
        ("nul.txt", b"text\x00with a NUL", "binary"),
        ("ctrl.txt", bytes(range(1, 9)) * 20 + b"some text", "binary"),
        ("gz.jsonl", b"\x1f\x8b\x08\x00\x00\x00\x00\x00", "binary"),
        ("empty.jsonl", b"\n\n", "empty"),
        ("doc.pdf", b"%PDF-1.4", "unsupported"),
        ("noext", b"text", "unsupported"),
    ],
)
def test_bad_files_are_errors_not_articles(cwd, name, raw, kind):
    write(cwd / name, raw)
    write(cwd / "ok.txt", "fine\n")
    articles, errors = read_corpus([name, "ok.txt"])
    assert [a.path for a in articles] == ["ok.txt"]
    assert len(errors) == 1
    err = errors[0]
    assert (err.kind, err.path, err.fatal) == (kind, name, True)
    assert name in err.reason


def test_binary_and_empty_in_folder_are_reported(cwd):
    write(cwd / "c" / "a.txt", b"\x00\x01\x02")
    write(cwd / "c" / "b.md", b"")
    articles, errors = read_corpus(["c"])
    assert articles == []
    assert [(e.kind, e.path) for e in errors] == [("binary", "c/a.txt"), ("empty", "c/b.md")]


@pytest.mark.parametrize(
    "raw, text, encoding",
    [
        (b"caf\xe9 \x80 5", "café € 5", "cp1252"),
        (b"na\xefve \x93quoted\x94\n", "naïve “quoted”\n", "cp1252"),
        (b"undefined in cp1252: \x81\xe9", "undefined in cp1252: \x81é", "latin-1"),
    ],
)
def test_decode_fallback(cwd, raw, text, encoding):
    write(cwd / "old.txt", raw)
    (a,), errors = read_corpus(["old.txt"])
    assert a.text == text
    assert a.encoding == encoding
    assert a.doc_id == make_doc_id(text)
    assert [(e.kind, e.fatal, e.path) for e in errors] == [("decode", False, "old.txt")]
    assert encoding in errors[0].reason and "old.txt" in errors[0].reason
    assert any(encoding in w for w in a.warnings)


def test_explicit_missing_path(cwd):
    articles, errors = read_corpus(["nope.txt", "nodir"])
    assert articles == []
    assert [(e.kind, e.path) for e in errors] == [("not_found", "nope.txt"), ("not_found", "nodir")]
    assert "nope.txt" in errors[0].reason


def test_unreadable_file_simulated(cwd, monkeypatch):
    write(cwd / "c" / "locked.txt", "secret\n")
    write(cwd / "c" / "open.txt", "public\n")
    real_open = builtins.open

    def fake_open(file, *args, **kwargs):
        if os.fspath(file).endswith("locked.txt"):
            raise PermissionError(13, "Permission denied", os.fspath(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", fake_open)
    articles, errors = read_corpus(["c"])
    assert [a.path for a in articles] == ["c/open.txt"]
    assert [(e.kind, e.path) for e in errors] == [("unreadable", "c/locked.txt")]
    assert "Permission denied" in errors[0].reason


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root can read any file")
def test_unreadable_file_chmod(cwd):
    p = write(cwd / "locked.txt", "secret\n")
    p.chmod(0)
    try:
        articles, errors = read_corpus(["locked.txt"])
    finally:
        p.chmod(0o644)
    assert articles == []
    assert [e.kind for e in errors] == ["unreadable"]


def test_broken_symlink_in_folder(cwd):
    write(cwd / "c" / "a.txt", "a\n")
    os.symlink(cwd / "c" / "gone.txt", cwd / "c" / "dangling.txt")
    os.symlink(cwd / "c" / "gone.bin", cwd / "c" / "dangling.bin")  # not ours: silent
    articles, errors = read_corpus(["c"])
    assert [a.path for a in articles] == ["c/a.txt"]
    assert [(e.kind, e.path) for e in errors] == [("not_found", "c/dangling.txt")]


def test_symlink_loop_terminates_and_is_reported(cwd):
    write(cwd / "c" / "a.txt", "a\n")
    write(cwd / "c" / "sub" / "b.txt", "b\n")
    os.symlink("..", cwd / "c" / "sub" / "up")  # c/sub/up -> c
    os.symlink("self.txt", cwd / "c" / "self.txt")  # a link to itself
    articles, errors = read_corpus(["c"])
    assert [a.path for a in articles] == ["c/a.txt", "c/sub/b.txt"]
    assert sorted((e.kind, e.path, e.fatal) for e in errors) == [
        ("loop", "c/self.txt", False),
        ("loop", "c/sub/up", False),
    ]


def test_symlinked_folder_twice_reads_once(cwd):
    write(cwd / "real" / "a.txt", "a\n")
    os.symlink(cwd / "real", cwd / "alias")
    articles, errors = read_corpus(["real", "alias"])
    assert errors == []
    assert [a.paths for a in articles] == [["real/a.txt"]]


# ------------------------------------------------------------------ boilerplate

@pytest.mark.parametrize(
    "line",
    [
        "Previous Post Next Post",
        "« Previous article",
        "Next article: Apple unveils a new iPhone",
        "Leave a Comment",
        "Leave a Reply",
        "Required fields are marked *",
        "Your email address will not be published. Required fields are marked *",
        "*",
        "* * *",
        "Contact Form",
        "Share this article",
        "Facebook Twitter LinkedIn Email",
        "Sign up for our newsletter",
        "Skip past newsletter promotion",
        "Photograph: Reuters",
        "Photo: AP",
        "Image credit: NASA",
        "Image credit Getty",
        "(Getty Images)",
        "AFP via Getty Images",
        "Reporting by Jane Doe in London; Editing by Bill Smith",
        "(Reporting by Jane Doe; Editing by Mark Potter)",
        "Click here to subscribe.",
        "Related: Meta unveils Llama 3",
        "Read more: OpenAI could lose $5bn",
        "Advertisement",
        "Story continues below advertisement",
        "© 2024 Guardian News & Media Limited. All rights reserved.",
        "All rights reserved.",
        "We use cookies to improve your experience. By continuing to browse this site you agree.",
        "Accept all cookies",
        "Privacy Policy | Terms of Use",
        "Tags: AI, Meta, Llama",
        # a line telling the reader an offer code; teasers for other stories
        'Try our premium plan for as little as $2 a month. Use the code "SPRING24" at checkout.',
        "Readers save 30% on the first year with code NEWS30.",
        "Enter promo code: WELCOME10 to get £5 off your first order",
        "SEE MORE: Storm leaves 40,000 homes without power",
        "MORE: Why 3 in 4 drivers now choose hybrids",
    ],
)
def test_boilerplate_lines(line):
    text = f"Body before.\n  {line}  \r\nBody after.\n"
    start = text.index(line)
    assert find_boilerplate(text) == [(start, start + len(line))]


@pytest.mark.parametrize(
    "line",
    [
        "Meta spent $10.5bn on chips.",
        "Comments from the CEO suggested revenue would rise 22%.",
        "Reporting by Bloomberg showed Meta spent $10bn on GPUs.",
        "Subscribers to the newsletter grew to 2 million.",
        "“We use cookies,” the spokesperson said, adding that 40% of users object.",
        "Copyright law remains unsettled, critics say.",
        "Image generation costs fell 50% in 2024.",
        "Related companies raised $4bn.",
        "Next year, Meta plans to buy 350,000 H100s.",
        "Previous estimates put the figure at $200bn.",
        "Share prices fell 5% on Tuesday.",
        "Advertising revenue rose 22% to $38bn.",
        "Getty Images shares fell 5 percent",
        "Looking Ahead",
        "The iPhone didn’t have 3G. Photo sharing apps came later.",
        # like an offer or a teaser, but news
        "Shoppers who used the code at checkout spent 12% more, the retailer said.",
        "Shoppers who enter the code SPRING get 15% off, and online sales rose 30%, the chain said.",
        "The bug, tracked with code CVE-2023-4863, affected 5 million devices.",
        "The company said it would use the code name Falcon for the 3nm chip.",
        "More than 40,000 homes lost power.",
        "Analysts see more than $2bn in savings.",
    ],
)
def test_not_boilerplate(line):
    assert find_boilerplate(f"{line}\n") == []


@pytest.mark.parametrize(
    "line, credit",
    [
        ("Zuckerberg said the model would be free. Photograph: Bloomberg/Getty Images",
         "Photograph: Bloomberg/Getty Images"),
        ("Workers assemble chips in Taiwan on Tuesday. (AFP via Getty Images)", "(AFP via Getty Images)"),
        ("A data centre in Oregon. Photo: Jane Doe/Reuters", "Photo: Jane Doe/Reuters"),
    ],
)
def test_caption_credit_tail(line, credit):
    text = f"Intro.\n{line}\r\n"
    start = text.index(credit)
    assert find_boilerplate(text) == [(start, start + len(credit))]


# ------------------------------------------------------------------ sample corpus

@pytest.mark.skipif(not (CORPUS / "manifest.jsonl").exists(), reason="sample corpus not present")
def test_sample_corpus(monkeypatch):
    monkeypatch.chdir(REPO)
    articles, errors = read_corpus(["corpus"])
    assert errors == []
    assert len(articles) == 5
    assert [a.path for a in articles] == sorted(f"corpus/{p.name}" for p in CORPUS.glob("*.txt"))
    manifest = {json.loads(l)["path"]: json.loads(l) for l in (CORPUS / "manifest.jsonl").read_text().splitlines() if l.strip()}
    for a in articles:
        name = a.path.split("/", 1)[1]
        assert a.format == "txt"
        assert a.text == (CORPUS / name).read_bytes().decode("utf-8-sig")
        assert a.doc_id == make_doc_id(a.text)
        assert a.outlet == manifest[name]["outlet"]
        assert a.published == manifest[name]["published"]
        assert a.extra["note"] == manifest[name]["note"]
    by_name = {a.path.split("/", 1)[1][:3]: a for a in articles}
    assert by_name["003"].outlet == "The Guardian" and by_name["003"].published == "2024-07"
    assert by_name["001"].outlet == "Wired (rewrite)"

    a3 = by_name["003"]
    for marker in ("Leave a Comment", "Required fields are marked *", "Photograph: Bloomberg/Getty Images"):
        i = a3.text.index(marker)
        assert in_boilerplate(a3, i, i + len(marker)), marker
    lone = a3.text.rindex("*")  # the lone "*" lines at the end
    assert in_boilerplate(a3, lone, lone + 1)
    money = a3.text.index("$10.5bn")
    assert not any(s < money + 7 and money < e for s, e in a3.boilerplate)
    caption = a3.text.index("Mark Zuckerberg announced this week")
    assert not any(s <= caption < e for s, e in a3.boilerplate)  # only the credit, not the caption

    a4 = by_name["004"]
    for marker in ("Previous Post Next Post", "Contact Form"):
        i = a4.text.index(marker)
        assert in_boilerplate(a4, i, i + len(marker)), marker
    # boilerplate is a small share of each article
    for a in articles:
        assert sum(e - s for s, e in a.boilerplate) < 0.05 * len(a.text)


@pytest.mark.parametrize(
    "line",
    [
        "-" * 5000 + "x",
        "* " * 3000 + "a",
        "Facebook   Twitter   " * 300 + "zz",
        "(" + "abcdefghij" * 200 + "/Getty",
        "x. (" + "word " * 2000 + "via Getty",
        "Reporting by " + "a" * 5000,
        ". Photo: " * 2000,
        "word " * 200000,
    ],
)
def test_boilerplate_patterns_do_not_backtrack(line):
    import time

    t0 = time.perf_counter()
    find_boilerplate(line + "\n")
    assert time.perf_counter() - t0 < 0.5


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs mkfifo")
def test_fifo_is_never_opened(cwd):
    write(cwd / "c" / "a.txt", "a\n")
    os.mkfifo(cwd / "c" / "pipe.txt")
    articles, errors = read_corpus(["c"])  # would hang if the FIFO were opened
    assert [a.path for a in articles] == ["c/a.txt"] and errors == []
    articles, errors = read_corpus(["c/pipe.txt"])
    assert articles == [] and [e.kind for e in errors] == ["unsupported"]


# ------------------------------------------------------------------ real pages: main text and metadata

PARAS = [
    "The chipmaker said on Tuesday that quarterly revenue rose 12% to $4.2 billion, beating forecasts "
    "as demand for data-centre accelerators kept growing across its largest customers.",
    "Chief executive Dana Reyes told analysts the company would spend $1.5 billion on a new plant in "
    "Arizona, which is expected to employ about 2,000 people when it opens in two years.",
    "Shares rose 6 percent in after-hours trading. The company also raised its full-year outlook, "
    "citing strong orders from cloud providers and a recovery in personal computers.",
]


def news_page(head: str = "", body_wrap: str = "{}", widgets: str = "") -> str:
    article = "".join(f"<p>{p}</p>\n" for p in PARAS)
    return (f"<!DOCTYPE html><html><head><title>Chipmaker revenue jumps | The Daily Byte</title>{head}</head>"
            f"<body><header><nav><a href='/'>Home</a> <a href='/tech'>Tech</a> <a href='/deals'>Deals</a></nav>"
            f"</header><main>{body_wrap.format('<article><h1>Chipmaker revenue jumps</h1>' + article + '</article>')}"
            f"</main>{widgets}<footer>© 2024 The Daily Byte. All rights reserved.</footer></body></html>")


# widgets of the kinds that leaked claims from real pages; none is part of the article
WIDGETS = [
    "<aside class='deal-widget'><h3>Today's best deals</h3><ul><li>Laptop Pro 14 — SAVE $250.00</li>"
    "<li>Noise-cancelling headphones, was $349, now $199</li></ul></aside>",
    "<section class='related'><h2>Related stories</h2><ul><li><a href='/a'>5 stocks to buy before 2025</a></li>"
    "<li><a href='/b'>Why 40% of start-ups fail in year one</a></li></ul></section>",
    "<div class='weather-box'><span>BLR 26 °C</span> <span>DEL 31 °C</span> <span>BOM 29 °C</span></div>",
    "<div class='subscribe-banner'><p>Get 40+ digital editions for just $1 a week. Subscribe now.</p></div>",
]


@pytest.mark.parametrize("widget", WIDGETS, ids=["deals", "related", "weather", "subscription"])
def test_main_text_drops_page_widgets(cwd, widget):
    write(cwd / "p.html", news_page(widgets=widget))
    (a,), errors = read_corpus(["p.html"])
    assert [e for e in errors if e.fatal] == []
    assert a.reader == "trafilatura"
    for p in PARAS:
        assert p in a.text
    for leak in ("SAVE $250.00", "$199", "5 stocks", "40%", "26 °C", "40+ digital", "All rights reserved", "Deals"):
        assert leak not in a.text
    # the headline is the document's title and the first line of the text, with its span recorded
    assert a.title == "Chipmaker revenue jumps"
    assert a.headline == (0, len("Chipmaker revenue jumps")) and a.text.startswith("Chipmaker revenue jumps\n\n")
    # --html full keeps every visible word
    (f,), _ = read_corpus(["p.html"], html="full")
    assert f.reader == "visible-text" and all(p in f.text for p in PARAS)
    if not widget.startswith("<aside"):  # the visible-text reader drops <nav>, <aside>, <footer> only
        assert any(w in f.text for w in ("5 stocks", "26 °C", "40+ digital"))


@pytest.mark.parametrize("head, published", [
    ('<meta property="article:published_time" content="2024-03-05T10:00:00Z">', "2024-03-05"),
    ('<script type="application/ld+json">{"@context": "https://schema.org", "@type": "NewsArticle", '
     '"headline": "Chipmaker revenue jumps", "datePublished": "2023-11-20T08:30:00+00:00"}</script>', "2023-11-20"),
    ('<meta name="date" content="2022-07-14">', "2022-07-14"),
    ('<meta itemprop="datePublished" content="2021-01-09">', "2021-01-09"),
])
def test_publication_date_from_the_page(cwd, head, published):
    write(cwd / "p.html", news_page(head=head))
    (a,), _ = read_corpus(["p.html"])
    assert a.published == published
    assert a.metadata_source["published"] == "page"


def test_page_metadata_and_manifest_override(cwd):
    head = ('<meta property="og:site_name" content="The Daily Byte">'
            '<link rel="canonical" href="https://daily-byte.test/2024/chips">'
            '<meta name="author" content="Sam Okafor">'
            '<meta property="article:published_time" content="2024-03-05">')
    write(cwd / "c" / "p.html", news_page(head=head))
    write(cwd / "c" / "q.html", news_page(head=head).replace("Chipmaker revenue jumps", "Chip sales soar"))
    write(cwd / "c" / "manifest.jsonl", json.dumps({"path": "q.html", "outlet": "Wire Service",
                                                    "published": "2024-03"}) + "\n")
    articles, _ = read_corpus(["c"])
    p, q = articles
    assert p.metadata() == {"title": "Chipmaker revenue jumps", "outlet": "The Daily Byte",
                            "url": "https://daily-byte.test/2024/chips", "published": "2024-03-05",
                            "author": "Sam Okafor"}
    assert p.metadata_source == {k: "page" for k in ("title", "outlet", "url", "published", "author")}
    assert (q.outlet, q.published, q.title) == ("Wire Service", "2024-03", "Chip sales soar")
    assert q.metadata_source == {"title": "page", "outlet": "manifest", "url": "page", "published": "manifest",
                                 "author": "page"}


@pytest.mark.parametrize("wrap", [
    "<form action='/comment' method='post'>{}</form>",              # the whole body inside a form
    "<form><div class='content'>{}</div><input type='submit'></form>",
])
def test_page_the_extractor_cannot_handle_falls_back_to_visible_text(cwd, wrap):
    write(cwd / "p.html", news_page(body_wrap=wrap))
    (a,), errors = read_corpus(["p.html"])
    assert errors == []
    assert all(p in a.text for p in PARAS)  # never an empty document for a page with a body
    assert a.reader in ("trafilatura", "visible-text")
    if a.reader == "visible-text":
        assert any("visible-text reader" in w for w in a.warnings)


def test_form_only_page_uses_the_fallback_and_records_it(cwd):
    # the visible-text reader drops <form>; a page that is nothing but a form still yields text
    write(cwd / "p.html", "<html><body><form>" + "".join(f"<p>{p}</p>" for p in PARAS) + "</form></body></html>")
    (a,), errors = read_corpus(["p.html"])
    assert errors == []
    assert all(p in a.text for p in PARAS)


# ------------------------------------------------------------------ archives: WARC, gzip

def write_warc(path: Path, records: list[tuple[str, str, bytes, str]], gz: bool = True) -> Path:
    """A WARC file of ``(warc_type, url, payload, content_type)`` records (responses get HTTP 200,
    or the status in ``content_type`` written as ``"404|text/html"``), built with warcio."""
    from io import BytesIO

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=gz)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "factpipe tests"}))
        for i, (kind, url, payload, ctype) in enumerate(records):
            date = f"2024-05-{1 + i % 28:02d}T12:00:00Z"
            if kind == "response":
                status, _, ctype = ctype.rpartition("|")
                http = StatusAndHeaders(f"{status or '200'} OK", [("Content-Type", ctype)], protocol="HTTP/1.1")
                rec = writer.create_warc_record(url, "response", payload=BytesIO(payload), http_headers=http,
                                                warc_headers_dict={"WARC-Date": date})
            else:
                rec = writer.create_warc_record(url, kind, payload=BytesIO(payload),
                                                warc_content_type=ctype, warc_headers_dict={"WARC-Date": date})
            writer.write_record(rec)
    return path


def test_warc_records_become_articles_and_the_rest_is_counted(cwd):
    page = news_page(head='<meta property="article:published_time" content="2024-03-05">').encode()
    other = news_page().replace("Chipmaker revenue jumps", "Second story").replace(
        PARAS[0], "A different first paragraph about a merger worth $3 billion, announced on Monday by both firms "
                  "after months of talks with regulators in several countries.").encode()
    records = [
        ("request", "https://news.test/a", b"GET /a HTTP/1.1\r\nHost: news.test\r\n\r\n", "application/http"),
        ("response", "https://news.test/a", page, "text/html; charset=utf-8"),
        ("response", "https://news.test/logo.png", b"\x89PNG\r\n\x1a\n" + bytes(64), "image/png"),
        ("response", "https://news.test/gone", b"<html><body>Not found</body></html>", "404|text/html"),
        ("response", "https://news.test/a", page, "text/html"),                       # the same URL again
        ("metadata", "https://news.test/a", b"via: crawler", "application/warc-fields"),
        ("response", "https://news.test/b", other, "text/html"),                      # undated page
    ]
    write_warc(cwd / "crawl.warc.gz", records)
    write_warc(cwd / "plain.warc", records[1:2], gz=False)
    articles, errors = read_corpus(["crawl.warc.gz"])
    assert [a.url for a in articles] == ["https://news.test/a", "https://news.test/b"]
    a, b = articles
    assert a.format == "html" and a.path.startswith("crawl.warc.gz#") and a.reader == "trafilatura"
    assert (a.published, a.metadata_source["published"]) == ("2024-03-05", "page")  # the page beats the crawl date
    # the crawl date is an upper bound, never the publication date
    assert b.published is None and "published" not in b.metadata_source
    assert b.extra["source"]["published_not_after"] == "2024-05-07"
    assert any("crawled on 2024-05-07" in w and "not used as its date" in w for w in b.warnings)
    assert a.extra["source"]["published_not_after"] and not any("crawled on" in w for w in a.warnings)
    assert a.metadata_source["url"] == "warc"
    assert a.extra["source"]["archive"] == "crawl.warc.gz" and a.extra["source"]["url"] == "https://news.test/a"
    skipped = sorted(e.reason.split(": ", 1)[1] for e in errors)
    assert skipped == ["1 record(s) skipped: HTTP status 404", "1 record(s) skipped: metadata record (not a response)",
                       "1 record(s) skipped: not HTML (image/png)", "1 record(s) skipped: request record (not a response)",
                       "1 record(s) skipped: same URL as an earlier record",
                       "1 record(s) skipped: warcinfo record (not a response)"]
    assert all(e.kind == "archive" and not e.fatal for e in errors)
    # an uncompressed WARC reads the same; a URL already read from another archive is not read again
    (alone,), _ = read_corpus(["plain.warc"])
    assert alone.doc_id == a.doc_id and alone.path.startswith("plain.warc#")
    both, errs = read_corpus(["crawl.warc.gz", "plain.warc"])
    assert len(both) == 2
    assert [e.reason for e in errs if e.path == "plain.warc"] == [
        "plain.warc: 1 record(s) skipped: same URL as an earlier record",
        "plain.warc: 1 record(s) skipped: warcinfo record (not a response)"]


def test_damaged_warc_keeps_what_was_read(cwd):
    page = news_page().encode()
    full = write_warc(cwd / "full.warc.gz", [("response", f"https://news.test/{i}", page.replace(
        b"Chipmaker revenue jumps", f"Story {i}".encode()), "text/html") for i in range(3)]).read_bytes()
    (cwd / "cut.warc.gz").write_bytes(full[: len(full) - 300])
    (cwd / "junk.warc").write_bytes(b"this is not a WARC file at all\n" * 10)
    articles, errors = read_corpus(["cut.warc.gz", "junk.warc"])
    assert len(articles) >= 2
    fatal = [e for e in errors if e.fatal]
    assert [e.path for e in fatal] == ["cut.warc.gz", "junk.warc"]
    assert all(e.kind == "archive" and "\n" not in e.reason for e in fatal)


def test_gzipped_html_and_jsonl(cwd):
    import gzip

    (cwd / "p.html.gz").write_bytes(gzip.compress(news_page().encode()))
    lines = [json.dumps({"text": "Acme raised $5 million.", "published": "2024-01"}),
             json.dumps({"text": "Globex sold 300 units."})]
    (cwd / "feed.jsonl.gz").write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    (cwd / "bad.html.gz").write_bytes(b"not gzip at all")
    articles, errors = read_corpus(["."])
    got = {a.path: (a.format, a.text[:12]) for a in articles}
    assert got == {"feed.jsonl.gz#L1": ("jsonl", "Acme raised "), "feed.jsonl.gz#L2": ("jsonl", "Globex sold "),
                   "p.html.gz": ("html", "Chipmaker re")}
    assert [(e.path, e.kind) for e in errors] == [("bad.html.gz", "binary")]


HTML_DEV = Path(__file__).resolve().parents[2] / "shared" / "data" / "html-dev" / "pages"


def test_warc_of_hundreds_of_real_pages_end_to_end(tmp_path):
    """A WARC built here from html-dev's pages: 3 URLs per page (one a repeat), a request per page,
    some images; the run keeps one document per distinct page and exact provenance."""
    if not HTML_DEV.is_dir():
        pytest.skip(f"{HTML_DEV} not found (html-dev is in ../shared); WARC end-to-end test skipped")
    from click.testing import CliRunner

    from pipeline.cli import main

    pages = sorted(HTML_DEV.glob("*.html"))
    records = []
    for i, p in enumerate(pages):
        url = f"https://archive.test/{p.stem[:16]}"
        body = p.read_bytes()
        records += [("request", url, b"GET / HTTP/1.1\r\n\r\n", "application/http"),
                    ("response", url, body, "text/html"),
                    ("response", url, body, "text/html"),    # the same URL again (a re-crawl) ...
                    ("response", url, body, "text/html")]    # ... and again
        if i % 10 == 0:
            records.append(("response", url + "/pic.jpg", b"\xff\xd8\xff" + bytes(100), "image/jpeg"))
    # the same page text under another URL is one document with two paths
    records.append(("response", "https://mirror.test/copy", pages[0].read_bytes(), "text/html"))
    warc = write_warc(tmp_path / "crawl.warc.gz", records)
    assert sum(r[0] == "response" for r in records) >= 300
    direct, _ = read_corpus([str(p) for p in pages])
    out = tmp_path / "out"
    r = CliRunner().invoke(main, ["extract", str(warc), "--out", str(out), "--no-progress"])
    assert r.exit_code == 0, r.output
    docs = [json.loads(x) for x in (out / "documents.jsonl").read_text().splitlines()]
    # the same page texts as reading the .html files themselves, each once, with both URLs' records as paths
    assert sorted(d["doc_id"] for d in docs) == sorted(a.doc_id for a in direct)
    assert all(d["source"]["archive"].endswith("crawl.warc.gz") for d in docs)
    assert sorted(len(d["paths"]) for d in docs) == [1] * (len(pages) - 1) + [2]
    errors = [json.loads(x) for x in (out / "errors.jsonl").read_text().splitlines()]
    reasons = {e["reason"].split(": ", 1)[1] for e in errors}
    assert f"{2 * len(pages)} record(s) skipped: same URL as an earlier record" in reasons
    assert f"{len(pages)} record(s) skipped: request record (not a response)" in reasons
    assert f"{(len(pages) + 9) // 10} record(s) skipped: not HTML (image/jpeg)" in reasons
    text = {d["doc_id"]: d["text"] for d in docs}
    claims = [json.loads(x) for x in (out / "claims.jsonl").read_text().splitlines()]
    assert claims
    for c in claims:
        pv = c["provenance"]
        assert text[c["doc_id"]][pv["char_start"]:pv["char_end"]] == c["surface"]
    assert CliRunner().invoke(main, ["validate", str(out)]).exit_code == 0


@pytest.mark.parametrize("published, kept", [
    ("2023", True),
    ("2023-11", True),
    ("2023-11-30", True),
    ("2023-11-30T08:15:00Z", True),
    ("2024-02-29", True),
    ("2023-02-29", False),   # no such day
    ("2023-13-01", False),   # no such month
    ("last Tuesday", False),
    ("30/11/2023", False),   # ambiguous order: not guessed
])
def test_metadata_dates_that_are_not_dates_are_dropped_with_a_warning(cwd, published, kept):
    write(cwd / "d" / "a.txt", "Article A\n")
    write(cwd / "d" / "manifest.jsonl", json.dumps({"path": "a.txt", "published": published}) + "\n")
    (a,), errors = read_corpus(["d"])
    assert errors == []
    assert a.published == (published if kept else None)
    assert any("is not a date" in w for w in a.warnings) is (not kept)


# ------------------------------------------------------------------ boilerplate: closing sections of a
# press release (own sentences)

BODY = ("Northwind Labs said on Tuesday that it had raised $40 million to build three more plants.\n\n"
        "The company expects to hire 200 engineers by the end of next year, its chief executive said.\n\n"
        "Shipments will begin in the spring, and the first plant will open in Ohio in 2026.\n\n")


@pytest.mark.parametrize(
    "heading, tail",
    [
        ("About Northwind Labs", "Northwind Labs employs 1,100 people in 9 countries.\n"),
        ("About NWL:", "NWL, founded in 2011, has offices in 12 cities.\n"),
        ("About the author", "Jo Bloggs has covered energy markets for 15 years.\n"),
        ("Forward-Looking Statements", "This release contains forward-looking statements about 2027 revenue.\n"),
        ("Media Contact:", "Jane Roe, +1 555 0100\n"),
        ("###", "\n"),
    ],
)
def test_press_release_closing_section_is_boilerplate(heading, tail):
    text = f"{BODY}{heading}\n{tail}"
    start = text.index(heading)
    assert find_boilerplate(text) == [(start, len(text.rstrip()))]
    assert "$40 million" not in text[start:]


@pytest.mark.parametrize(
    "text",
    [
        # the heading comes before most of the text: a subheading of the article, never its end
        "About Northwind Labs\n" + BODY,
        BODY.replace("Shipments", "About 300 workers attended.\n\nShipments"),
        BODY + "About the deal\nIt was the largest in the sector this year, worth $3 billion.\n",
        # a Title Case subheading near the end, not followed by the name it gives
        BODY + "About Those Levies\nThe duties add 25% to the cost of imported steel.\n",
        BODY + "Investor Relations\nShareholders will vote on the plan on May 3.\n",
    ],
)
def test_about_lines_that_are_not_a_closing_section(text):
    assert find_boilerplate(text) == []
