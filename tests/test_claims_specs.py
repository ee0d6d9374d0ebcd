"""Spec attributes as claims (pipeline.claims, families with ``units`` in data/metrics.json).

A duration, or a measure used as a modifier, is a claim only when it measures a spec attribute:
the length of a contract or offer, battery life, clock speed, camera resolution, storage or
memory, thickness, weight. A model's size ("the 14-inch laptop") and points or offsets in time
("two days ago", "in 10 days") claim nothing. Sentences written here (invented products and
teams), not dev-set texts."""
from __future__ import annotations

import pytest

from test_claims import claim_over, claims_of

SPEC_CLAIMS = [
    ("Halvo has offered the striker a six-year contract worth about $90 million.", "six-year", "contract_length"),
    ("The Rovers made a five-year offer to the pitcher on Monday.", "five-year", "contract_length"),
    ("The Rovers signed the shortstop to a deal of seven years.", "seven years", "contract_length"),
    ("The Rovers have offered more than eight years to the pitcher.", "more than eight years", "contract_length"),
    ("The Lumo 7 phone's battery lasts up to 30 hours on a charge.", "up to 30 hours", "battery_life"),
    ("Zento says its new tablet gets a 12-hour battery life.", "12-hour", "battery_life"),
    ("The laptop has a battery that the firm said will offer nine hours of operation.", "nine hours", "battery_life"),
    ("The Lumo tablet's battery pack delivers 11 hours between charges.", "11 hours", "battery_life"),
    ("The Orix handset runs on a 2.2GHz processor.", "2.2GHz", "clock_speed"),
    ("The Orix handset has a 48-megapixel camera on the back.", "48-megapixel", "camera_resolution"),
    ("The Orix handset ships with a 128GB memory card.", "128GB", "storage_capacity"),
    ("The Veltra laptop comes with 32GB of RAM.", "32GB", "memory_capacity"),
    ("The Veltra laptop weighs 1.1 kilograms.", "1.1 kilograms", "weight"),
    ("The Veltra laptop is 0.6 inches thick.", "0.6 inches", "thickness"),
]


@pytest.mark.parametrize("text, figure, metric", SPEC_CLAIMS)
def test_spec_attribute_is_a_claim_named_by_its_family(extractor, text, figure, metric):
    assert claim_over(claims_of(extractor, text), text, figure).metric == metric


NO_CLAIM = [
    ("The 14-inch Veltra laptop costs $1,299.", "14-inch"),           # a model's size names the model
    ("A 10-minute walk from the station, the Orix store opened.", "10-minute"),
    ("Sales grew for three years in a row at Quillon.", "three years"),
    ("The deal was signed two days ago.", "two days"),
    ("The offer expires in 10 days.", "10 days"),
    ("Quillon agreed the deal after 18 months of talks.", "18 months"),
    ("Talks over the contract lasted three weeks.", "three weeks"),   # the talks' length, not the contract's
    ("Vexa said the battery recall lasted two weeks.", "two weeks"),  # a recall's length, no battery life
    ("Orix said the battery takes two hours to charge.", "two hours"),  # how long a task takes
    ("Quillon said the merger took five months to close.", "five months"),
    ("The new cell needs 40 minutes to recharge fully.", "40 minutes"),
]


@pytest.mark.parametrize("text, figure", NO_CLAIM)
def test_no_spec_no_claim(extractor, text, figure):
    i = text.index(figure)
    j = i + len(figure)
    cs = claims_of(extractor, text)
    assert not [c for c in cs if c.provenance.char_start < j and i < c.provenance.char_end]


# a percentage that no family names is a share of its "of" noun, whatever verb carries it
SHARE_OF = [
    ("These three circuits account for 90% of the traffic, the engineer added.", "90%", "traffic_share"),
    ("Close to 90 percent of all the data traffic between the two coasts runs on these lines.",
     "Close to 90 percent", "traffic_share"),
    ("Ostrava said 20% of its code is now written by machines.", "20%", "code_share"),
    ("The firm owns 30% of Brightwater.", "30%", "stake"),  # a family still names it
]


@pytest.mark.parametrize("text, figure, metric", SHARE_OF)
def test_percentage_of_a_noun_is_that_nouns_share(extractor, text, figure, metric):
    assert claim_over(claims_of(extractor, text), text, figure).metric == metric
