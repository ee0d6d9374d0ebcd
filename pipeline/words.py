"""Word forms shared by every stage, without spaCy (importing this module loads no model).

:func:`singular` is the project's one singulariser of a counted noun or unit word: the
quantity stage, the evaluation and resolution's blocking use it. Plurals for display live
in :func:`pipeline.values.plural`. Where a spaCy token is at hand, its lemma is preferred
(:func:`pipeline.quantities.extractor.noun_lemma`).
"""
from __future__ import annotations

import re

_ACRONYM_PLURAL = re.compile(r"[A-Z0-9]+s")


def singular(noun: str) -> str:
    """A crude lower-case singular of a noun phrase's last word; the words before it are only
    lower-cased. ``"job cuts"`` -> ``"job cut"``, ``"GPUs"`` -> ``"gpu"``, ``"H100s"`` ->
    ``"h100"``, ``"companies"`` -> ``"company"``, ``"boxes"`` -> ``"box"``, ``"acres"`` ->
    ``"acre"``; ``"status"``, ``"analysis"``, ``"glass"`` and words of three letters or fewer
    stay as they are. ``str`` in, ``str`` out; never raises (``""`` -> ``""``)."""
    head, _, last = noun.strip().rpartition(" ")
    head = head.lower()
    if _ACRONYM_PLURAL.fullmatch(last):  # an acronym's or a model name's plural: GPUs, H100s
        last = last[:-1].lower()
        return f"{head} {last}" if head else last
    last = last.lower()
    if last.endswith("ies") and len(last) > 4:
        last = last[:-3] + "y"
    elif last.endswith(("sses", "xes", "ches", "shes")):
        last = last[:-2]
    elif last.endswith("s") and not last.endswith(("ss", "us", "is")) and len(last) > 3:
        last = last[:-1]
    return f"{head} {last}" if head else last


# a model or product name written in the plural: letters and digits (at least one digit), and the
# letter or digit before the final "s" is a digit or a capital ("H100s", "A350s", "F-35s",
# "MI300Xs", "TPUv5s", "787s"); not a decade ("1990s", "80s")
_PLURAL_NAME = re.compile(r"(?=[A-Za-z0-9-]*\d)[A-Za-z0-9][A-Za-z0-9-]*[0-9A-Z]s")
_DECADE = re.compile(r"'?\d*0s")


def plural_name_singular(word: str) -> str | None:
    """The singular of a model or product name used as a plural noun, as written:
    ``"H100s"`` -> ``"H100"``, ``"F-35s"`` -> ``"F-35"``, ``"787s"`` -> ``"787"``; None for
    anything else (``"GPUs"`` has no digit, ``"1990s"`` is a decade, ``"5s"`` is a figure with
    a letter)."""
    if not _PLURAL_NAME.fullmatch(word) or _DECADE.fullmatch(word) or word[:-1].isdigit() and len(word) < 4:
        return None
    return word[:-1]
