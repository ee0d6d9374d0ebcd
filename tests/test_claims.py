"""Table-driven tests for the claim stage (pipeline.claims) through Extractor.claims.

Expectations are worked out by hand from the sentences: who the figure is
about (the dependency subject), what it was spent on (the object), when, who
says so, and whether it is hedged.  Rows the extractor gets wrong keep the
correct expectation and are marked ``xfail(strict=True)`` (known gaps).
"""
from __future__ import annotations

import hashlib

import pytest

from pipeline.records import Article

PUBLISHED = "2024-07"


def article(text: str, published: str = PUBLISHED) -> Article:
    doc_id = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    return Article(doc_id=doc_id, text=text, path=f"<test {doc_id}>", format="txt", published=published)


def claims_of(extractor, text: str):
    art = article(text)
    cs = extractor.claims([art])
    for c in cs:  # provenance: every claim quotes the text exactly
        assert text[c.provenance.char_start:c.provenance.char_end] == c.surface, c
        assert c.doc_id == art.doc_id == c.provenance.doc_id
    return cs


def claim_over(cs, text: str, figure: str):
    i = text.index(figure)
    j = i + len(figure)
    hits = [c for c in cs if c.provenance.char_start < j and i < c.provenance.char_end]
    assert len(hits) == 1, f"expected one claim over {figure!r}, got {[c.surface for c in cs]}"
    return hits[0]


def case(text, figure, *, xfail=None, **expected):
    marks = [pytest.mark.xfail(strict=True, reason=xfail)] if xfail else []
    return pytest.param(text, figure, expected, id=f"{figure}|{text[:45]}", marks=marks)


YEAR_2024 = ("2024-01-01", "2024-12-31")
YEAR_2023 = ("2023-01-01", "2023-12-31")

CASES = [
    # subject from the dependency structure; "this year" against a 2024-07 article; a plan is hedged
    case("Meta plans to invest $40 billion in data centers this year.", "$40 billion",
         subject="Meta", metric="infrastructure_spend", time=YEAR_2024, hedged=True, value=4e10, unit="USD"),
    # object: what the money went into
    case("Microsoft invested $10 billion in OpenAI.", "$10 billion",
         subject="Microsoft", metric="investment", hedged=False, attribution=None),
    case("Microsoft invested $10 billion in OpenAI.", "$10 billion", object="OpenAI"),
    case("Amazon invested $4 billion in Anthropic last year.", "$4 billion",
         subject="Amazon", object="Anthropic", metric="investment", time=YEAR_2023),
    # attribution: "according to X" and "X reported"
    case("Nvidia's revenue could reach $100 billion next year, according to analysts.", "$100 billion",
         subject="Nvidia", metric="revenue", attribution_contains="according to analysts", hedged=True,
         time=("2025-01-01", "2025-12-31")),
    case("Nvidia's revenue could reach $100 billion next year, according to analysts.", "$100 billion",
         attribution="according to analysts"),
    case("According to analysts, Nvidia's revenue could reach $100 billion next year.", "$100 billion",
         subject="Nvidia", attribution_contains="according to analysts", hedged=True),
    case("Apple will spend $5 billion on AI servers, the Information reported.", "$5 billion",
         subject="Apple", attribution_contains="Information reported"),
    # hedges: modal verbs and forecast words on the figure's path
    case("Google may spend $50 billion on data centres in 2025.", "$50 billion",
         subject="Google", metric="infrastructure_spend", hedged=True, time=("2025-01-01", "2025-12-31")),
    case("Microsoft is expected to spend $80 billion on AI data centers this year.", "$80 billion",
         subject="Microsoft", metric="infrastructure_spend", hedged=True, time=YEAR_2024),
    case("OpenAI's revenue rose 30% in 2023.", "30%",
         subject="OpenAI", metric="revenue_growth", hedged=False, time=YEAR_2023, kind="percentage"),
    # a count with its owner through "of"; the hedge word and qualifier stay on the claim
    case("Meta AI has nearly 400 million monthly users.", "400 million monthly users",
         subject="Meta AI", metric="monthly_users", kind="user_count", unit="user", value=4e8,
         approximate=True, qualifier="nearly"),
    case("Meta will own about 350,000 Nvidia H100 GPUs by the end of the year.", "350,000",
         subject="Meta", metric="gpu_count", kind="chip_count", unit="GPU", value=3.5e5, approximate=True),
    case("The xAI cluster draws around 150 megawatts, estimates suggest.", "150 megawatts",
         metric="power_draw", kind="power", value=1.5e8, unit="W", approximate=True, qualifier="around",
         attribution_contains="estimates suggest"),
    # shares of a company belong to the company; share prices and fines have their own metrics
    case("Tesla delivered more cars. Shares of the company fell 4.5% to $212.42.", "$212.42",
         subject="Tesla", metric="share_price", kind="money"),
    case("Tesla delivered more cars. Shares of the company fell 4.5% to $212.42.", "4.5%",
         subject="Tesla", metric="share_price_decline", kind="percentage"),
    case("The EU fined Apple €1.8bn for breaking competition law.", "€1.8bn",
         metric="fine", unit="EUR", value=1.8e9),
    case("The Fed cut its rate by half a percentage point.", "half a percentage point",
         value=0.5, unit="percentage_point", kind="percentage"),
    # a move is not a level; "its" is the clause's own subject
    case("Samsung, a supplier to Apple, saw its shares drop NT $0.65 to close at NT $24.05.", "NT $0.65",
         subject="Samsung", metric="share_price_change", unit="TWD"),
    case("Samsung, a supplier to Apple, saw its shares drop NT $0.65 to close at NT $24.05.", "NT $24.05",
         subject="Samsung", metric="share_price", unit="TWD"),
    case("UMC yesterday closed at NT $18, up NT $0.05.", "NT $0.05", metric="close_change"),
    case("Combined, ATI and Intel would have 68% overall market share in PC graphics.", "68%",
         metric="market_share"),
    # a count of people in an event is nobody's figure: no subject borrowed from earlier text
    case("Microsoft bought Activision.\n\nAbout 1,200 people were evacuated, officials said.", "1,200 people",
         subject=None, metric="headcount"),
    # a scoping figure: "in 5 games" restricts "10 goals"
    case("Mohamed Salah has scored 10 goals in 5 games this season.", "10 goals",
         subject="Mohamed Salah", scope="in 5 games", metric="goal_count"),
]


@pytest.mark.parametrize("text, figure, expected", CASES)
def test_claim(extractor, text, figure, expected):
    cs = claims_of(extractor, text)
    c = claim_over(cs, text, figure)
    for key, want in expected.items():
        if key == "subject" and want is None:
            assert c.subject is None, c.subject
        elif key == "subject":
            assert c.subject is not None and c.subject.canonical == want, c.subject
        elif key == "object":
            assert c.object is not None and c.object.canonical == want, c.object
        elif key == "time":
            assert c.time is not None and (c.time.start, c.time.end) == want, c.time
        elif key == "attribution_contains":
            assert c.attribution is not None and want.lower() in c.attribution.lower(), c.attribution
        elif key == "value":
            assert c.value == pytest.approx(want)
        else:
            assert getattr(c, key) == want, (key, getattr(c, key))


PROVENANCE_TEXTS = [
    # several sentences and lines: offsets are into the whole text, not the sentence
    "Meta plans to invest $40 billion in data centers this year.\n\n"
    "Microsoft invested $10 billion in OpenAI, according to people familiar with the matter. "
    "The cluster draws around 150 megawatts (about 2 GW at full build-out).",
    "Zuckerberg said Meta will spend $10.5bn (£8.9bn) on chips. Revenue rose 22% to $39.1bn, "
    "while the company cut 10,000 workers.\nShares jumped as much as 7%.",
]


@pytest.mark.parametrize("text", PROVENANCE_TEXTS)
def test_provenance_quotes_the_text(extractor, text):
    cs = claims_of(extractor, text)
    assert cs, "no claims"
    for c in cs:
        p = c.provenance
        assert text[p.char_start:p.char_end] == c.surface
        assert c.surface in p.sentence
        assert text[p.sentence_start:p.sentence_start + len(p.sentence)] == p.sentence
        assert p.published == PUBLISHED and p.path.startswith("<test ")
