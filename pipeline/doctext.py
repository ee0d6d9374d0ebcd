"""The text of a spaCy ``Doc``, joined once: shared by the components, the quantity
extractor and the claim builder."""
from __future__ import annotations

from spacy.tokens import Doc

TEXT_KEY = "factpipe.text"


def doc_text(doc: Doc) -> str:
    """``doc.text``, joined once per doc and kept in ``doc.user_data``: spaCy rebuilds the
    string from every token on each ``doc.text`` access, so stages that read the text around
    each figure would rescan the whole document per figure."""
    text = doc.user_data.get(TEXT_KEY)
    if text is None:
        text = doc.user_data[TEXT_KEY] = doc.text
    return text
