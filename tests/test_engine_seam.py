"""The engine seam (pipeline.engine): chunking, the map-like engines, one resolve path,
and the layering of the package's imports."""
from __future__ import annotations

import ast
import dataclasses
import importlib
import operator
from pathlib import Path

import pytest

from pipeline.engine import ExtractChunk, ExtractorSpec, PoolMap, chunked, extract_stream
from pipeline.extractor import LONG_DOC_CHARS
from pipeline.ingest import read_corpus
from pipeline.records import Article
from pipeline.resolve import resolve
from pipeline.store import claim_sort_key

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "pipeline"
CORPUS = ROOT / "corpus"


# --------------------------------------------------------------------------- imports


def _modules() -> dict[str, Path]:
    out = {}
    for p in sorted(PKG.rglob("*.py")):
        parts = p.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = p
    return out


def _imports(name: str, path: Path, known: set[str], module_level: bool) -> set[str]:
    """Package modules ``name`` imports: at module level only, or anywhere (also inside functions)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    pkg = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    nodes = tree.body if module_level else list(ast.walk(tree))
    out: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.ImportFrom):
            base = pkg.split(".")[:len(pkg.split(".")) - (node.level - 1)] if node.level else []
            mod = ".".join(base + ([node.module] if node.module else [])) if node.level else node.module or ""
            cands = [mod] + [f"{mod}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            cands = [a.name for a in node.names]
        else:
            continue
        out |= {c for c in cands if c in known and c != name}
    return out


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_cycle_finder_finds_a_planted_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_module_level_import_cycles_and_every_module_imports():
    mods = _modules()
    graph = {m: _imports(m, p, set(mods), module_level=True) for m, p in mods.items()}
    assert _cycles(graph) == []
    for m in mods:
        importlib.import_module(m)


def test_no_import_cycles_even_inside_functions():
    """Data flows one way: no cycle even through imports inside functions or under
    ``TYPE_CHECKING`` (ingest -> webpage/archive -> decoding/htmltext; annotate -> components
    -> entity_names/datafiles/doctext and quantities; resolve.clustering -> resolve.display)."""
    mods = _modules()
    graph = {m: _imports(m, p, set(mods), module_level=False) for m, p in mods.items()}
    assert _cycles(graph) == []


def test_import_finder_sees_imports_inside_functions_and_type_checking(tmp_path):
    src = tmp_path / "m.py"
    src.write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .b import X\n"
                   "def f():\n    from . import c\n    import pkg.d\n")
    known = {"pkg.m", "pkg.b", "pkg.c", "pkg.d", "pkg.e"}
    assert _imports("pkg.m", src, known, module_level=False) == {"pkg.b", "pkg.c", "pkg.d"}
    assert _imports("pkg.m", src, known, module_level=True) == set()


@pytest.mark.parametrize("module,never", [
    ("pipeline.extractor", {"pipeline.run", "pipeline.engine", "pipeline.cli"}),
    ("pipeline.engine", {"pipeline.run", "pipeline.cli"}),
    ("pipeline.run", {"pipeline.cli"}),
    ("pipeline.resolve", {"pipeline.engine", "pipeline.run", "pipeline.cli"}),
])
def test_the_engine_layers_do_not_import_upwards_even_lazily(module, never):
    """cli -> run -> engine -> extractor / resolve: no import back up, not even inside a function."""
    mods = _modules()
    graph = {m: _imports(m, p, set(mods), module_level=False) for m, p in mods.items()}
    reach, todo = set(), [module]
    while todo:
        for w in graph[todo.pop()] - reach:
            reach.add(w)
            todo.append(w)
    assert not (reach & never), f"{module} reaches {sorted(reach & never)}"


# --------------------------------------------------------------------------- chunks and mappers


def _art(i: int, n: int) -> Article:
    text = (f"Doc {i} " + "x" * n)[:max(n, 1)]
    return Article(doc_id=f"d{i}", text=text, path=f"p{i}", format="txt")


@pytest.mark.parametrize("sizes,max_chars,max_docs", [
    ([100] * 10, 250, 16),                                  # two per chunk by size
    ([100] * 40, 10_000, 16),                               # sixteen per chunk by count
    ([5_000, LONG_DOC_CHARS + 1, 10, 10, LONG_DOC_CHARS + 5, 7], 24_000, 16),  # long ones alone
    ([300, 10, 10, 300, 10], 305, 16),                      # an article bigger than the budget: alone
    ([], 100, 4),
])
def test_chunks_are_small_length_balanced_and_keep_every_article_once_in_order(sizes, max_chars, max_docs):
    arts = [_art(i, n) for i, n in enumerate(sizes)]
    chunks = list(chunked(iter(arts), max_chars, max_docs))
    assert [a.doc_id for c in chunks for a in c] == [a.doc_id for a in arts]
    for c in chunks:
        assert c and len(c) <= max_docs
        if len(c) > 1:
            assert sum(len(a.text) for a in c) <= max_chars
            assert all(len(a.text) <= LONG_DOC_CHARS for a in c)


def _pulled(n: int, log: list[int]):
    for i in range(n):
        log.append(i)
        yield i


def test_pool_map_is_ordered_lazy_and_runs_in_other_processes():
    log: list[int] = []
    with PoolMap(2, window=4) as pool:
        it = iter(pool(operator.neg, _pulled(50, log)))
        first = next(it)
        assert first == 0 and len(log) <= 5  # read ahead at most the window
        rest = list(it)
        pids = set(pool(_pid, range(8)))
    assert [first] + rest == [-i for i in range(50)]
    assert len(log) == 50
    import os
    assert os.getpid() not in pids


def _pid(_):
    import os

    return os.getpid()


def _fail_on_3(x):
    if x == 3:
        raise ValueError("bad item 3")
    return x


def test_pool_map_raises_the_task_error():
    with PoolMap(2) as pool, pytest.raises(ValueError, match="bad item 3"):
        list(pool(_fail_on_3, range(10)))


# --------------------------------------------------------------------------- extraction and resolution


@pytest.fixture(scope="module")
def corpus_articles():
    articles, _ = read_corpus([str(CORPUS)])
    return articles


def test_extract_stream_reads_lazily_and_reports_every_article_in_order(extractor):
    texts = [f"Acme{i} Corp said revenue rose {i + 2}% to ${i + 1} billion in 2023." for i in range(40)]
    arts = [Article(doc_id=f"d_{i:03d}", text=t, path=f"a{i:03d}.txt", format="txt") for i, t in enumerate(texts)]
    log: list[int] = []
    first_doc_at: list[int] = []

    def stream():
        for i, a in enumerate(arts):
            log.append(i)
            yield a

    seen = []

    def on_doc(a, cs, ms):
        if not first_doc_at:
            first_doc_at.append(len(log))
        seen.append((a.doc_id, [c.surface for c in cs]))

    task = ExtractChunk(ExtractorSpec(), extractor)
    extract_stream(stream(), map, task, on_doc, max_chars=400)
    assert [d for d, _ in seen] == [a.doc_id for a in arts]
    assert first_doc_at[0] < 15  # the first results came back long before the stream was read
    assert all(any(f"{i + 1} billion" in s for s in surf) for i, (_, surf) in enumerate(seen))


def test_pool_extraction_and_partitioned_resolution_equal_the_in_process_path(extractor, corpus_articles):
    want = extractor.claims(corpus_articles)
    want.sort(key=claim_sort_key)
    got = []
    with PoolMap(2) as pool:
        extract_stream(corpus_articles, pool, ExtractChunk(ExtractorSpec()),
                       lambda a, cs, ms: got.extend(cs), max_chars=2_000)
        got.sort(key=claim_sort_key)
        assert [c.to_dict() for c in got] == [c.to_dict() for c in want]
        docs = {a.doc_id: {"text": a.text, "path": a.path, **a.metadata()} for a in corpus_articles}
        ref = resolve(want, docs)
        for mapper, n in ((map, 3), (pool, 1), (pool, 5)):
            res = resolve([dataclasses.replace(c) for c in want], docs, map=mapper, npartitions=n)
            assert [f.to_dict() for f in res.facts] == [f.to_dict() for f in ref.facts]
            assert [c.to_dict() for c in res.conflicts] == [c.to_dict() for c in ref.conflicts]
            assert res.dependent_docs == ref.dependent_docs
    assert ref.facts


def test_a_model_that_cannot_load_is_raised_by_the_pool(tmp_path):
    from pipeline import ModelNotFound

    with PoolMap(1, initializer=__import__("pipeline.engine").engine.load_extractor,
                 initargs=(ExtractorSpec(str(tmp_path / "no-such-model")),)) as pool:
        with pytest.raises(ModelNotFound):
            extract_stream([_art(0, 50)], pool, ExtractChunk(ExtractorSpec(str(tmp_path / "no-such-model"))),
                           lambda *a: None)


def test_engine_dask_without_dask_is_one_line_naming_the_extra(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from pipeline import engine
    from pipeline.cli import main

    monkeypatch.setattr(engine, "_DASK_ERROR", ImportError("No module named 'distributed'"))
    (tmp_path / "a.txt").write_text("Acme Corp said it would invest $2 billion in 2024.\n")
    r = CliRunner().invoke(main, ["extract", str(tmp_path / "a.txt"), "--out", str(tmp_path / "o"),
                                  "--engine", "dask", "--no-progress"])
    lines = [x for x in r.stderr.splitlines() if x.strip()]
    assert r.exit_code == 2 and len(lines) == 1, r.stderr
    assert lines[0].startswith("error: --engine dask needs the optional dask extra") and 'factpipe[dask]' in lines[0]
