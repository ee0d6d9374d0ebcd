"""`factpipe explain`: tokens, candidates with the quantity or the named filter, claims with their rules."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.quantities.filters import FILTERS


@pytest.fixture(scope="module")
def runner():
    return CliRunner()


def run(runner, *args):
    r = runner.invoke(main, ["explain", *args])
    return r.exit_code, r.output


# (text, the number, the filter that must drop it, a number that must become a claim)
DROPPED = [
    ("The plant opened in 2019 and employs 300 workers.", "2019", "year", "300 workers"),
    ("Boeing flew its 787 Dreamliner to Tokyo, carrying 240 passengers.", "787", "named_after", "240 passengers"),
    ("The team won 3 games on March 12.", "12", "date_day", "3 games"),
    ("Revenue was $4.2 billion, while the company had two.", "two", "word_without_noun", "$4.2 billion"),
]


@pytest.mark.parametrize("text,number,reason,kept", DROPPED)
def test_dropped_number_names_its_filter(runner, text, number, reason, kept):
    code, out = run(runner, text)
    assert code == 0, out
    line = next(x for x in out.splitlines() if x.strip().startswith(repr(number)))
    assert f"dropped by filter '{reason}'" in line and FILTERS[reason] in line
    kept_line = next(x for x in out.splitlines() if x.strip().startswith(repr(kept)))
    assert "-> quantity" in kept_line and "-> claim c_" in kept_line


def test_claim_lists_subject_metric_time_and_rules(runner):
    code, out = run(runner, "Acme Corp said its revenue rose to $5 billion in 2023.", "--published", "2024-02-01")
    assert code == 0, out
    assert "[Acme Corp]ORG" in out  # tokens with entities
    claims = out.split("Claims:")[1]
    assert "'$5 billion': money 5000000000.0 USD" in claims
    subject = next(x for x in claims.splitlines() if x.strip().startswith("subject:"))
    assert "'Acme'" in subject and "<- subject of the governing verb" in subject
    metric = next(x for x in claims.splitlines() if x.strip().startswith("metric:"))
    assert "revenue" in metric and "<- family rule" in metric
    time = next(x for x in claims.splitlines() if x.strip().startswith("time:"))
    assert "2023-01-01..2023-12-31" in time and "'in 2023'" in time


# a stated conversion is a candidate of its own, pointing at the figure it converts (own sentences)
@pytest.mark.parametrize("text,figure,conversion,unit", [
    ("The insurer paid $130 million (100 million pounds) to settle the case.", "$130 million",
     "100 million pounds", "GBP"),
    ("Shell will invest €2bn ($2.2bn) in the refinery.", "€2bn", "$2.2bn", "USD"),
])
def test_conversion_is_a_candidate_of_its_figure(runner, text, figure, conversion, unit):
    code, out = run(runner, text)
    assert code == 0, out
    candidates = out.split("Candidate numbers:")[1].split("Claims:")[0]
    line = next(x for x in candidates.splitlines() if x.strip().startswith(repr(conversion)))
    assert f"-> stated conversion of {figure!r}: money" in line and f" {unit} -> claim c_" in line


@pytest.mark.parametrize("text,figure,equivalent", [
    ("Floodwater rose 6 feet (1.8 metres) in an hour.", "6 feet", "1.8 metres"),
    ("The parcel weighed 3 pounds (1.4kg) when it left.", "3 pounds", "1.4kg"),
])
def test_same_measure_equivalent_is_listed_without_a_claim(runner, text, figure, equivalent):
    code, out = run(runner, text)
    assert code == 0, out
    candidates = out.split("Candidate numbers:")[1].split("Claims:")[0]
    line = next(x for x in candidates.splitlines() if x.strip().startswith(repr(equivalent)))
    assert f"-> stated equivalent of {figure!r}" in line and "no claim of its own" in line


def test_no_numbers(runner):
    code, out = run(runner, "The weather was pleasant and nobody complained.")
    assert code == 0 and "(none: no digit or number word" in out and "Claims:\n  (none)" in out


@pytest.mark.parametrize("args,needle", [([""], "TEXT"), (["   "], "TEXT"),
                                         (["Sales hit 5 units.", "--published", "last week"], "--published"),
                                         (["Sales hit 5 units.", "--published", "2024-13"], "--published")])
def test_bad_input_is_one_line(runner, args, needle):
    code, out = run(runner, *args)
    assert code == 2 and needle in out and "Traceback" not in out


def test_html_span_view(runner):
    code, out = run(runner, "The plant opened in 2019 and employs 300 workers.", "--html")
    assert code == 0 and out.startswith("<!DOCTYPE html>")
    assert "dropped:year" in out and "claim" in out and "&#x27;300 workers&#x27;" in out


def test_why_trace_does_not_change_claims(extractor):
    """The trace only names rules: the claims built with it equal those built without."""
    from pipeline.explain import explain

    texts = ["Acme Corp said its revenue rose 12% to $5 billion in 2023.",
             "Shares of Foo Inc. fell $2.10 to $30.5 on Monday, and it employs 1,200 people.",
             "Earlier, Bar Ltd. raised $675m at a valuation of $2.6bn."]
    for text in texts:
        e = explain(text, "2024-02-01", extractor)
        assert extractor.builder.why is None
        plain = extractor.claims([_article(text)])
        assert [c.to_dict() if hasattr(c, "to_dict") else vars(c) for c in plain] == \
            [c.to_dict() if hasattr(c, "to_dict") else vars(c) for c in e.claims]
        assert set(e.why) == {c.claim_id for c in e.claims}
        assert all(w.get("subject") and w.get("metric") for w in e.why.values())


def _article(text):
    from pipeline.ingest import make_doc_id
    from pipeline.records import Article
    return Article(doc_id=make_doc_id(text), text=text, path="<explain>", format="txt", published="2024-02-01")
