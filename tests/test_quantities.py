"""Table-driven tests for the quantity stage (pipeline.quantities).

Every expected value below was worked out by hand from what the sentence means
(scale words, currencies, ranges, bounds, hedges, rates, units), not copied from
the extractor's output.  Rows the extractor currently gets wrong keep the
correct expectation and are marked ``xfail(strict=True)``: they document known
gaps and turn into failures (XPASS) the day the gap is closed, so the mark can
be dropped.

Conventions the expectations follow (see README "A claim" and records.Quantity):

* ``value`` is in the normalised unit: USD/GBP/EUR/... for money (cents become
  dollars), W for power, Wh for energy, ``percent`` / ``percentage_point`` /
  ``basis_point`` for percentages, ``parameters`` for model sizes, ``GPU`` for
  chip counts, ``user`` for user counts and the counted noun's singular lemma
  for other counts.
* a range or a vague magnitude ("hundreds of millions") has ``value_min`` /
  ``value_max``; its single ``value`` is not specified by the contract, so the
  tables give ``None`` and the test only asks that it lie inside the interval.
  Vague magnitudes span one order of magnitude (NewsQuant's convention):
  "tens of thousands" is [1e4, 1e5].
* a bound ("more than $1bn") keeps the figure in ``value`` and says which side
  it limits in ``bound``; ``value_min`` (lower) or ``value_max`` (upper) may
  repeat the figure or stay empty, the other side must stay empty.
* a hedge ("about", "around", "nearly") sets ``approximate`` and keeps the word
  as written in ``qualifier``.
"""
from __future__ import annotations

import math

import pytest

from pipeline.annotate import extract_quantities_from_texts

# --------------------------------------------------------------------------- helpers

def row(sentence, surface, value, unit, vmin, vmax, bound, approx, rate, kind, *, xfail=None, **extra):
    """One table row; ``extra`` may hold qualifier, equivalents, vague, only (no other quantity in the sentence)."""
    marks = [pytest.mark.xfail(strict=True, reason=xfail)] if xfail else []
    return pytest.param(sentence, surface, value, unit, vmin, vmax, bound, approx, rate, kind, extra,
                        id=f"{surface}|{sentence[:40]}", marks=marks)


def close(a, b) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def quantities(nlp, sentence):
    (qs,) = extract_quantities_from_texts([sentence], nlp=nlp)
    for q in qs:  # every quantity quotes the text exactly
        assert sentence[q.start:q.end] == q.surface, q
    return qs


def overlapping(qs, sentence, substring):
    i = sentence.index(substring)
    j = i + len(substring)
    return [q for q in qs if q.start < j and i < q.end]


# --------------------------------------------------------------------------- quantities

MONEY_SCALES = [
    # sentence, surface, value, unit, value_min, value_max, bound, approximate, rate, kind
    row("Apple became the first company worth $1tn.", "$1tn",
        1e12, "USD", None, None, None, False, None, "money"),
    row("Nvidia signed an $8.5bn-worth supply deal with the group.", "$8.5bn",
        8.5e9, "USD", None, None, None, False, None, "money"),
    row("The startup raised $281M in its latest round.", "$281M",
        2.81e8, "USD", None, None, None, False, None, "money"),
    row("Analysts put the contract at $21MM.", "$21MM",
        2.1e7, "USD", None, None, None, False, None, "money"),
    row("The city paid 2m euros for the software.", "2m euros",
        2e6, "EUR", None, None, None, False, None, "money"),
    row("SoftBank's investment arm lost 3.5 trillion yen.", "3.5 trillion yen",
        3.5e12, "JPY", None, None, None, False, None, "money"),
    row("The council spent £450k on consultants.", "£450k",
        4.5e5, "GBP", None, None, None, False, None, "money"),
    row("The fund has 1.2bn dollars under management.", "1.2bn dollars",
        1.2e9, "USD", None, None, None, False, None, "money"),
    row("The bank booked 500 million pounds in charges.", "500 million pounds",
        5e8, "GBP", None, None, None, False, None, "money"),
    row("Museum tickets cost 15 euros.", "15 euros",
        15, "EUR", None, None, None, False, None, "money"),
    row("The buyout valued the firm at US$2.3 billion.", "US$2.3 billion",
        2.3e9, "USD", None, None, None, False, None, "money"),
    row("The miner reported a profit of A$1.5bn.", "A$1.5bn",
        1.5e9, "AUD", None, None, None, False, None, "money"),
    row("The listing raised HK$10bn.", "HK$10bn",
        1e10, "HKD", None, None, None, False, None, "money"),
    row("The EU fined the company €4.1bn.", "€4.1bn",
        4.1e9, "EUR", None, None, None, False, None, "money"),
    row("Toyota earned ¥5.35tn in operating profit.", "¥5.35tn",
        5.35e12, "JPY", None, None, None, False, None, "money"),
    row("The research grant totals EUR 20m.", "EUR 20m",
        2e7, "EUR", None, None, None, False, None, "money"),
    row("The seed round brought in USD10m.", "USD10m",
        1e7, "USD", None, None, None, False, None, "money"),
    row("The bank set aside 300 million Swiss francs.", "300 million Swiss francs",
        3e8, "CHF", None, None, None, False, None, "money"),
    row("Reliance will invest ₹75,000 crore in the project.", "₹75,000 crore",
        7.5e11, "INR", None, None, None, False, None, "money"),
    row("The programme will cost two billion dollars.", "two billion dollars",
        2e9, "USD", None, None, None, False, None, "money"),
    # a change and a level, not a range
    row("Its market value rose by $43.6bn to $419.2bn.", "$43.6bn",
        4.36e10, "USD", None, None, None, False, None, "money"),
    row("Its market value rose by $43.6bn to $419.2bn.", "$419.2bn",
        4.192e11, "USD", None, None, None, False, None, "money"),
    row("Revenue grew from $10bn to $15bn.", "$10bn",
        1e10, "USD", None, None, None, False, None, "money"),
    row("Revenue grew from $10bn to $15bn.", "$15bn",
        1.5e10, "USD", None, None, None, False, None, "money"),
    row("Shares in the retailer fell 30p.", "30p",
        0.3, "GBP", None, None, None, False, None, "money"),
]

VAGUE = [
    row("The project will cost hundreds of millions of dollars.", "hundreds of millions of dollars",
        None, "USD", 1e8, 1e9, None, True, None, "money", vague=True),
    row("The strike involved tens of thousands of workers.", "tens of thousands",
        None, "worker", 1e4, 1e5, None, True, None, "count", vague=True),
    row("Big tech is pouring billions of dollars into AI.", "billions of dollars",
        None, "USD", 1e9, 1e10, None, True, None, "money", vague=True),
    row("The two firms signed a multibillion-dollar deal.", "multibillion-dollar",
        None, "USD", 1e9, 1e10, None, True, None, "money", vague=True),
    row("Thousands of GPUs sat idle last month.", "Thousands",
        None, "GPU", 1e3, 1e4, None, True, None, "chip_count", vague=True),
    row("Millions of users signed up in a week.", "Millions",
        None, "user", 1e6, 1e7, None, True, None, "user_count", vague=True),
    # "a billion-dollar business" is at least a billion, not an order-of-magnitude range
    row("Cloud gaming is now a billion-dollar business.", "billion-dollar",
        1e9, "USD", None, None, "lower", False, None, "money", vague=False),
]

RANGES = [
    row("The deal is worth between $3.5bn and $4.5bn.", "$3.5bn and $4.5bn",
        None, "USD", 3.5e9, 4.5e9, None, False, None, "money"),
    row("The company expects to raise $145 million to $175 million.", "$145 million to $175 million",
        None, "USD", 1.45e8, 1.75e8, None, False, None, "money"),
    row("The round could value it at $140-150MM.", "$140-150MM",
        None, "USD", 1.4e8, 1.5e8, None, False, None, "money"),
    row("Prices will rise 5-10% next year.", "5-10%",
        None, "percent", 5, 10, None, False, None, "percentage"),
    row("The campus will need 300 to 500 megawatts.", "300 to 500 megawatts",
        None, "W", 3e8, 5e8, None, False, None, "power"),
    row("Analysts expect revenue of €2bn-€2.5bn.", "€2bn-€2.5bn",
        None, "EUR", 2e9, 2.5e9, None, False, None, "money"),
    row("Capital spending will be $3.5bn-4.5bn.", "$3.5bn-4.5bn",
        None, "USD", 3.5e9, 4.5e9, None, False, None, "money"),
    row("Margins should land between 5% and 7%.", "5% and 7%",
        None, "percent", 5, 7, None, False, None, "percentage"),
    row("Costs could climb 20-30% this year.", "20-30%",
        None, "percent", 20, 30, None, False, None, "percentage"),
    row("The bill will come to between 3.5 and 4.5 billion dollars.", "3.5 and 4.5 billion dollars",
        None, "USD", 3.5e9, 4.5e9, None, False, None, "money"),
]

BOUNDS = [
    row("The company spent more than $1bn on chips.", "$1bn",
        1e9, "USD", None, None, "lower", False, None, "money", qualifier="more than"),
    row("The lab employs over 10,000 engineers.", "10,000 engineers",
        10000, "engineer", None, None, "lower", False, None, "count", qualifier="over"),
    row("The company has debts exceeding $500m.", "$500m",
        5e8, "USD", None, None, "lower", False, None, "money", qualifier="exceeding"),
    row("The settlement is in excess of £2bn.", "£2bn",
        2e9, "GBP", None, None, "lower", False, None, "money", qualifier="in excess of"),
    row("The firm expects growth of at least 20%.", "20%",
        20, "percent", None, None, "lower", False, None, "percentage", qualifier="at least"),
    row("The fund could reach up to $100bn.", "$100bn",
        1e11, "USD", None, None, "upper", False, None, "money", qualifier="up to"),
    row("Altman sought as much as $7tn for chip plants.", "$7tn",
        7e12, "USD", None, None, "upper", False, None, "money", qualifier="as much as"),
    row("Inflation is running at less than 5%.", "5%",
        5, "percent", None, None, "upper", False, None, "percentage", qualifier="less than"),
    row("The site may draw no more than 300 MW.", "300 MW",
        3e8, "W", None, None, "upper", False, None, "power", qualifier="no more than"),
    row("The plant will employ as many as 2,000 workers.", "2,000 workers",
        2000, "worker", None, None, "upper", False, None, "count", qualifier="as many as"),
    row("The lab has fewer than 50 employees.", "50 employees",
        50, "employee", None, None, "upper", False, None, "count", qualifier="fewer than"),
    row("The startup is valued at north of $500m.", "$500m",
        5e8, "USD", None, None, "lower", False, None, "money", qualifier="north of"),
    row("The deal was worth just over $1bn.", "$1bn",
        1e9, "USD", None, None, "lower", False, None, "money", qualifier="just over"),
    row("The acquisition cost about $2bn.", "$2bn",
        2e9, "USD", None, None, None, True, None, "money", qualifier="about"),
    row("The cluster draws around 150 megawatts.", "150 megawatts",
        1.5e8, "W", None, None, None, True, None, "power", qualifier="around"),
    row("The lab hired roughly 1,000 engineers.", "1,000 engineers",
        1000, "engineer", None, None, None, True, None, "count", qualifier="roughly"),
    row("The company paid approximately $3.2 billion.", "$3.2 billion",
        3.2e9, "USD", None, None, None, True, None, "money", qualifier="approximately"),
    row("Revenue jumped nearly 40% in the quarter.", "40%",
        40, "percent", None, None, None, True, None, "percentage", qualifier="nearly"),
    # the qualifier is kept as written, capitals included
    row("About $2bn was wiped off its value.", "$2bn",
        2e9, "USD", None, None, None, True, None, "money", qualifier="About"),
]

CONVERSIONS = [
    # a parenthesised conversion is the same amount: one quantity with equivalents
    row("Meta will spend $10.5bn (£8.9bn) on chips.", "$10.5bn",
        1.05e10, "USD", None, None, None, False, None, "money",
        equivalents=[(8.9e9, "GBP")], only=True),
    row("The city paid 2m euros (£1.7m; $2.6m) for the system.", "2m euros",
        2e6, "EUR", None, None, None, False, None, "money",
        equivalents=[(1.7e6, "GBP"), (2.6e6, "USD")], only=True),
    row("The €1.2bn ($1.3bn) fine was upheld.", "€1.2bn",
        1.2e9, "EUR", None, None, None, False, None, "money",
        equivalents=[(1.3e9, "USD")], only=True),
]

RATES = [
    row("The premium tier costs $20 a month.", "$20",
        20, "USD", None, None, None, False, "month", "money"),
    row("Microsoft pays $4bn a year for the cloud deal.", "$4bn",
        4e9, "USD", None, None, None, False, "year", "money"),
    row("The chips sell for $30,000 per unit.", "$30,000",
        30000, "USD", None, None, None, False, "unit", "money"),
    row("The contract is worth $5bn annually.", "$5bn",
        5e9, "USD", None, None, None, False, "year", "money"),
    row("Cleaners earn £12 an hour.", "£12",
        12, "GBP", None, None, None, False, "hour", "money"),
    row("Brent crude traded at $80 a barrel.", "$80",
        80, "USD", None, None, None, False, "barrel", "money"),
    row("The board declared a dividend of 40 cents a share.", "40 cents",
        0.4, "USD", None, None, None, False, "share", "money"),
    row("He signed a £1.2m-a-year contract.", "£1.2m",
        1.2e6, "GBP", None, None, None, False, "year", "money"),
    row("Output rose to 1.5 million barrels a day.", "1.5 million barrels",
        1.5e6, "barrel", None, None, None, False, "day", "other"),
    row("The facility uses 3,000 kilowatt hours a day.", "3,000 kilowatt hours",
        3e6, "Wh", None, None, None, False, "day", "energy"),
]

POWER_ENERGY = [
    row("The data center will draw 150 megawatts.", "150 megawatts",
        1.5e8, "W", None, None, None, False, None, "power"),
    row("The campus needs 2 GW of power.", "2 GW",
        2e9, "W", None, None, None, False, None, "power"),
    row("The battery stores 5 MWh of energy.", "5 MWh",
        5e6, "Wh", None, None, None, False, None, "energy"),
    row("The reactor produces 1.2 gigawatts.", "1.2 gigawatts",
        1.2e9, "W", None, None, None, False, None, "power"),
    row("Data centres used 460 terawatt-hours of electricity.", "460 terawatt-hours",
        4.6e14, "Wh", None, None, None, False, None, "energy"),
    row("Each rack consumes 120 kW.", "120 kW",
        1.2e5, "W", None, None, None, False, None, "power"),
]

COUNTS = [
    row("xAI has bought 100,000 H100 chips.", "100,000 H100 chips",
        1e5, "GPU", None, None, None, False, None, "chip_count"),
    row("Meta will own 350,000 Nvidia H100 GPUs by the end of the year.", "350,000 Nvidia H100 GPUs",
        3.5e5, "GPU", None, None, None, False, None, "chip_count"),
    row("The chatbot has 700 million monthly active users.", "700 million monthly active users",
        7e8, "user", None, None, None, False, None, "user_count"),
    row("The carmaker will cut 13,000 workers.", "13,000 workers",
        13000, "worker", None, None, None, False, None, "count"),
    row("The bank will close 300 branches.", "300 branches",
        300, "branch", None, None, None, False, None, "count"),
    row("The cluster links 100,000 H100s.", "100,000 H100s",
        1e5, "GPU", None, None, None, False, None, "chip_count"),
    row("Threads has half a million users.", "half a million users",
        5e5, "user", None, None, None, False, None, "user_count"),
    row("The startup hired a dozen engineers.", "a dozen engineers",
        12, "engineer", None, None, None, False, None, "count"),
    row("Threads passed two million users.", "two million users",
        2e6, "user", None, None, None, False, None, "user_count"),
]

PERCENTAGES = [
    row("Shares rose 12% on Friday.", "12%",
        12, "percent", None, None, None, False, None, "percentage"),
    row("Turnover fell 3.5 per cent.", "3.5 per cent",
        3.5, "percent", None, None, None, False, None, "percentage"),
    row("Unemployment stood at 4.1 percent.", "4.1 percent",
        4.1, "percent", None, None, None, False, None, "percentage"),
    row("Margins widened by 2 percentage points.", "2 percentage points",
        2, "percentage_point", None, None, None, False, None, "percentage"),
    row("The central bank cut rates by 25 basis points.", "25 basis points",
        25, "basis_point", None, None, None, False, None, "percentage"),
]

MODEL_SIZES = [
    row("The model has 70 billion parameters.", "70 billion parameters",
        7e10, "parameters", None, None, None, False, None, "parameter_count"),
    row("GPT-3 has 175 billion parameters.", "175 billion parameters",
        1.75e11, "parameters", None, None, None, False, None, "parameter_count"),
    row("Meta released a 405B model.", "405B",
        4.05e11, "parameters", None, None, None, False, None, "parameter_count"),
    row("Llama 3.1 405B outperforms rival models.", "405B",
        4.05e11, "parameters", None, None, None, False, None, "parameter_count"),
    row("The 8-billion-parameter model runs on a phone.", "8-billion",
        8e9, "parameters", None, None, None, False, None, "parameter_count"),
]

# news text as it arrives: ASCII-folded symbols, tokenised spacing, signs, hyphenated scales
MESSY_TEXT = [
    row("The bid valued the firm at PS2.7m.", "PS2.7m",
        2.7e6, "GBP", None, None, None, False, None, "money"),
    row("Shares were up 5pc when the deal closed.", "5pc",
        5, "percent", None, None, None, False, None, "percentage"),
    row("Nintendo fell to Y=28,030 in Tokyo.", "Y=28,030",
        28030, "JPY", None, None, None, False, None, "money"),
    row("The house sold for $US1,250,000 last week.", "$US1,250,000",
        1.25e6, "USD", None, None, None, False, None, "money"),
    row("AMD paid US $5.4-billion for ATI.", "$5.4-billion",
        5.4e9, "USD", None, None, None, False, None, "money"),
    row("The laptop costs $1, 799 at launch.", "$1, 799",
        1799, "USD", None, None, None, False, None, "money"),
    row("It runs a 2. 3 GHz processor.", "2. 3 GHz",
        2.3e9, "Hz", None, None, None, False, None, "other"),
    row("The notebook weighs 6.6 pounds.", "6.6 pounds",
        6.6 * 0.45359237, "kg", None, None, None, False, None, "other"),
    row("The offense finished with minus-5 yards.", "minus-5 yards",
        -5 * 0.9144, "m", None, None, None, False, None, "other"),
    row("The trade balance fell to $-50.8bn in April.", "$-50.8bn",
        -5.08e10, "USD", None, None, None, False, None, "money"),
    row("Temperatures fell by 1 to 1.5 degrees Celsius.", "1 to 1.5 degrees Celsius",
        None, "degC", 1, 1.5, None, False, None, "other"),
    row("Prices range from $370,000 to $5.5 million.", "$370,000 to $5.5 million",
        None, "USD", 3.7e5, 5.5e6, None, False, None, "money"),
]

CONVERSIONS_OTHER_UNITS = [
    row("One cable is 40,000 kilometres (25,000 miles) long.", "40,000 kilometres",
        4e7, "m", None, None, None, False, None, "other", equivalents=[(25000 * 1609.344, "m")]),
    row("The truck carries 20 tonnes (44,000 lb) of cargo.", "20 tonnes",
        2e4, "kg", None, None, None, False, None, "other", equivalents=[(44000 * 0.45359237, "kg")]),
]

UNITS_MORE = [
    row("It takes more than 10 1/2 miles of cable.", "10 1/2 miles",
        10.5 * 1609.344, "m", None, None, "lower", False, None, "other"),
    row("Raceway Park is a 1/4 mile paved oval.", "1/4 mile",
        0.25 * 1609.344, "m", None, None, None, False, None, "other"),
    row("Add ½ teaspoon baking powder.", "½ teaspoon",
        0.5 * 0.00492892159, "l", None, None, None, False, None, "other"),
    row("I'm 1.8m tall.", "1.8m", 1.8, "m", None, None, None, False, None, "other"),
    row("She dieted to drop 25 pounds.", "25 pounds", 25 * 0.45359237, "kg", None, None, None, False, None, "other"),
    row("He was fined 500 pounds by the court.", "500 pounds", 500, "GBP", None, None, None, False, None, "money"),
    row("It was 98.6 degrees f outside.", "98.6 degrees f", 98.6, "degF", None, None, None, False, None, "other"),
    row("The 28 - year - old won.", "28 - year - old", 28, "year", None, None, None, False, None, "other"),
]

ALL_ROWS = UNITS_MORE + CONVERSIONS_OTHER_UNITS + (MONEY_SCALES + VAGUE + RANGES + BOUNDS + CONVERSIONS + RATES + POWER_ENERGY + COUNTS
            + PERCENTAGES + MODEL_SIZES + MESSY_TEXT)


@pytest.mark.parametrize(
    "sentence, surface, value, unit, vmin, vmax, bound, approx, rate, kind, extra", ALL_ROWS)
def test_quantity(nlp, sentence, surface, value, unit, vmin, vmax, bound, approx, rate, kind, extra):
    qs = quantities(nlp, sentence)
    hits = overlapping(qs, sentence, surface)
    assert len(hits) == 1, f"expected one quantity over {surface!r}, got {[q.surface for q in qs]}"
    q = hits[0]
    if extra.get("only"):
        assert len(qs) == 1, [q.surface for q in qs]
    assert surface in q.surface
    assert (q.kind, q.unit) == (kind, unit)
    assert q.rate == rate
    assert q.bound == bound
    assert q.approximate is approx
    if vmin is not None or vmax is not None:  # a range or a vague magnitude
        assert close(q.value_min, vmin) and close(q.value_max, vmax), (q.value_min, q.value_max)
        assert vmin <= q.value <= vmax
    else:
        assert close(q.value, value), q.value
        if bound == "lower":
            assert q.value_min is None or close(q.value_min, value)
            assert q.value_max is None
        elif bound == "upper":
            assert q.value_max is None or close(q.value_max, value)
            assert q.value_min is None
        else:
            assert q.value_min is None and q.value_max is None
    if "qualifier" in extra:
        assert q.qualifier == extra["qualifier"]
    if "vague" in extra:
        assert q.vague is extra["vague"]
    if "equivalents" in extra:
        got = [(e.value, e.unit) for e in q.equivalents]
        assert len(got) == len(extra["equivalents"]), got
        for (gv, gu), (ev, eu) in zip(got, extra["equivalents"]):
            assert gu == eu and close(gv, ev), got
    else:
        assert q.equivalents == []


# --------------------------------------------------------------------------- not quantities

NOT_QUANTITIES = [
    # sentence, substring that no quantity may overlap (None: nothing at all may be extracted)
    ("Meta released Llama 3.1 last week.", None),
    ("Apple unveiled the M4 chip.", None),
    ("Nvidia's RTX 4090 sold out.", None),
    ("The F-35 programme was delayed.", None),
    ("Malaysia Airlines Flight 370 vanished.", None),
    ("The motel sits on Route 66.", None),
    ("The hotline offers 24/7 support.", None),
    ("OpenAI is expected to launch GPT-5 this summer.", None),
    ("The handset only supports 3G networks.", None),
    ("The band was popular in the early 90s.", None),
    ("The 1990s saw a boom in PC sales.", None),
    ("The company was founded in 2019.", None),
    ("The deal closed on March 29.", None),
    ("He joined the firm on 29 March.", None),
    ("The rule falls under Section 427 of the tax code.", None),
    ("Demand for the H100 remains strong.", None),
    ("Nvidia's A100 and H100 chips sold out.", None),
    ("Sales fell during COVID-19 lockdowns.", None),
    ("The laptop ships with Windows 11.", None),
    ("Sales of the iPhone 15 slowed.", None),
    ("The airline grounded its Boeing 737 fleet.", None),
    ("The briefing starts at 10:30.", None),
    ("The vote was held on the 5th.", None),
    # a fraction with no unit after it is not a quantity ("1/16 of a US pint" is a volume: test_quantities_kinds)
    ("The ratio was cut to 1/16 last year.", "1/16"),
    ("The mass is approximately 1.99×10−30 kilograms.", "10−30"),
    ("The airline debuted its 787 Dreamliner in 2011.", None),
    ("The Nvidia 9600M GT graphics chip is slower.", None),
    ("The screen runs at 1920 x 1200 resolution.", None),
    ("Video plays on the 480-by-360 display.", None),
    ("Core 2 Duo is expected to win the crown.", None),
    ("Analysts see several hundred megawatts of demand.", None),
    ("At one point the index fell sharply.", None),
    ("The two-time champion retired.", None),
    ("Priority will be to recover the SEA-ME-WE 4 cable.", None),
    ("Arsenal won 3-1 at home.", None),
    ("Chelsea came back from 2-0 down.", None),
    ("The app ranked No. 1 in the store.", None),
    ("The office is at 575 Wilbraham Road.", None),
    ("The Llama 3.1 405B model has 405 billion parameters.", "3.1"),
    ("GPT-4 costs $20 a month.", "GPT-4"),
    ("In 2019, the company raised $1bn.", "2019"),
    ("The H100 sells for $30,000.", "H100"),
]


@pytest.mark.parametrize("sentence, substring", NOT_QUANTITIES)
def test_not_a_quantity(nlp, sentence, substring):
    qs = quantities(nlp, sentence)
    if substring is None:
        assert qs == [], [q.surface for q in qs]
    else:
        assert overlapping(qs, sentence, substring) == [], [q.surface for q in qs]


@pytest.mark.parametrize("sentence, unit", [
    ("It was one of the biggest deals of the decade.", "big deal"),
    ("Are you on the hunt for one of the best wireless speakers around?", "good wireless speaker"),
])
def test_partitive_one_is_a_quantity_but_not_a_claim(nlp, extractor, sentence, unit):
    """NewsQuant counts "one of the N" (value 1, unit N); a claim it is not."""
    from pipeline.records import Article

    (q,) = quantities(nlp, sentence)
    assert (q.value, q.surface_unit, q.partitive) == (1.0, unit, True)
    art = Article(doc_id="d_p", text=sentence, path="p.txt", format="txt")
    assert extractor.claims([art]) == []
