"""The currency of a bare "$" by where the text was published (pipeline.quantities.locale).

Sentences are our own; expectations worked out by hand: an Australian (or Canadian,
New Zealand) outlet's bare "$" is its own dollar, a qualified symbol ("US$", "A$",
"$US") keeps its currency, and an outlet with no cue stays USD.
"""
from __future__ import annotations

import hashlib

import pytest

from pipeline.quantities.locale import bare_dollar, dollar_currency
from pipeline.records import Article


@pytest.mark.parametrize("url, outlet, code", [
    ("https://www.smh.com.au/business/x.html", "The Sydney Morning Herald", "AUD"),
    ("https://example.com/a", "The Australian Financial Review", "AUD"),  # outlet name cue
    ("https://www.theglobeandmail.ca/business/", None, "CAD"),  # host suffix
    (None, "Canadian Business Daily", "CAD"),
    ("https://www.stuff.co.nz/business/", "Stuff", "NZD"),
    ("https://www.nytimes.com/2024/01/01/x.html", "The New York Times", "USD"),
    (None, None, "USD"),
    ("::not a url::", "Reuters", "USD"),  # malformed URL: no error, no locale
    ("https://www.afr.com/x", "Reuters", "USD"),  # .com is not .com.au
])
def test_dollar_currency_by_host_then_outlet(url, outlet, code):
    assert dollar_currency(url, outlet) == code


@pytest.mark.parametrize("text, bare", [
    ("the deal is worth $4.2 billion", True),
    ("a ~$90m loss", True),
    ("the firm paid US$2 billion", False),
    ("the firm paid US $2 billion", False),
    ("the firm paid U.S.$2 billion", False),
    ("a $US700 million stake", False),
    ("an A$15m grant", False),
    ("it earned C$3.1 million", False),
])
def test_bare_dollar(text, bare):
    i = text.index("$")
    start = text.rfind(" ", 0, i) + 1
    end = text.find(" ", i + 3)
    assert bare_dollar(text, start, end if end > 0 else len(text)) is bare


def _claims(extractor, text, url, outlet):
    art = Article(doc_id=hashlib.sha256(text.encode()).hexdigest()[:16], text=text, path="<locale test>",
                  format="txt", published="2024-05-01", url=url, outlet=outlet)
    cs = extractor.claims([art])
    for c in cs:
        assert text[c.provenance.char_start:c.provenance.char_end] == c.surface
    return {c.surface: c.unit for c in cs if c.kind == "money"}


@pytest.mark.parametrize("text, url, outlet, expect", [
    ("Qantas posted a profit of $1.74 billion for the year.", "https://www.abc.net.au/news/x", "ABC News",
     {"$1.74 billion": "AUD"}),
    ("The miner will spend US$500 million on a new mine and $80 million on roads.",
     None, "The Australian", {"US$500 million": "USD", "$80 million": "AUD"}),
    ("Shopify raised $2.5 billion in new financing.", "https://www.cbc.ca/news/business/x", "CBC",
     {"$2.5 billion": "CAD"}),
    ("Nvidia earned $26 billion in the quarter.", "https://www.reuters.com/x", "Reuters",
     {"$26 billion": "USD"}),
])
def test_claims_take_the_outlets_dollar(extractor, text, url, outlet, expect):
    got = _claims(extractor, text, url, outlet)
    for surface, unit in expect.items():
        assert got.get(surface) == unit, got
