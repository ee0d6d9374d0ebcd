"""Shared fixtures: the model is loaded once per test session, the sample corpus extracted once."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def extractor():
    from pipeline.run import Extractor

    return Extractor()


@pytest.fixture(scope="session")
def corpus_run(tmp_path_factory, extractor):
    """`factpipe extract corpus` into a temporary folder (a copy of corpus/, so decisions stay apart)."""
    from pipeline.run import extract

    base = tmp_path_factory.mktemp("corpus_run")
    corpus = base / "corpus"
    shutil.copytree(CORPUS, corpus, ignore=shutil.ignore_patterns("decisions.jsonl"))
    out = base / "output"
    summary = extract([str(corpus)], out, extractor=extractor)
    return {"summary": summary, "out": out, "corpus": corpus}


@pytest.fixture(scope="session")
def nlp(extractor):
    return extractor.annotator.nlp
