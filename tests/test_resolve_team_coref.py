"""'the team' / 'the club' / 'the franchise' (data/coref.json generic_org_nouns) refer back to the
organisation named before, so a sports offer reported that way links to the named team's."""
from __future__ import annotations

import pytest

from tests.test_claims import claim_over, claims_of

CASES = [
    ("The New York Yankees made a five-year offer to pitcher Joao Mendes. Sources say the team offered at least "
     "$90 million.", "at least $90 million", "Yankees"),
    ("The Chicago Bulls chased the guard all winter. According to local radio, the franchise offered "
     "$120 million over six years.", "$120 million", "Bulls"),
    ("The Seattle Mariners want the outfielder. The team offered $60 million.", "$60 million", "Mariners"),
]


@pytest.mark.parametrize("text,figure,subject", CASES, ids=[c[2] for c in CASES])
def test_the_team_is_the_team_named_before(extractor, text, figure, subject):
    c = claim_over(claims_of(extractor, text), text, figure)
    assert c.subject is not None and subject in c.subject.canonical, c.subject
