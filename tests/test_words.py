"""The one singulariser (pipeline/words.py): spaCy-free, used by quantities, evaluation and
resolution's blocking."""
import subprocess
import sys

import pytest

from pipeline.words import singular

SINGULARS = [
    ("GPUs", "gpu"),
    ("H100s", "h100"),
    ("job cuts", "job cut"),
    ("companies", "company"),
    ("boxes", "box"),
    ("watches", "watch"),
    ("acres", "acre"),
    ("status", "status"),
    ("analysis", "analysis"),
    ("glass", "glass"),
    ("gas", "gas"),
    ("Engineers", "engineer"),
    ("", ""),
]


@pytest.mark.parametrize("word,expected", SINGULARS)
def test_singular(word, expected):
    assert singular(word) == expected


def test_words_module_loads_no_spacy():
    code = "import sys, pipeline.words; print('spacy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_quantities_and_evaluation_share_it():
    from pipeline.evaluate import singular as eval_singular
    from pipeline.quantities.lexicon import singular as lex_singular

    assert lex_singular is singular
    assert all(eval_singular(w) == e for w, e in SINGULARS)


BLOCKING_ROWS = [
    ("3 boxes", "box"),          # the old blocking rule gave "boxe"
    ("two classes", "class"),    # ... "classe"
    ("10,000 H100s", "h100"),
    ("40 chips", "gpu"),         # then through counted_aliases
    ("300 workers", "person"),
]


@pytest.mark.parametrize("counted,expected", BLOCKING_ROWS)
def test_blocking_counted_head_uses_it(counted, expected):
    from pipeline.records import Claim
    from pipeline.resolve.blocking import counted_head
    from pipeline.resolve.config import load_config
    import dataclasses

    fields = {f.name: None for f in dataclasses.fields(Claim)
              if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING}
    c = Claim(**fields)
    c.counted, c.unit = counted, "count"
    assert counted_head(c, load_config()) == expected
