"""Bytes to text: the binary sniff and the decoder every reader shares.

:func:`looks_binary` says whether file (or WARC record) bytes are text at all;
:func:`decode_bytes` decodes them (UTF-8, else a declared charset, cp1252,
latin-1). Used by :mod:`pipeline.ingest` (files) and :mod:`pipeline.archive`
(WARC records); neither imports the other for it.
"""
from __future__ import annotations

import codecs

SNIFF_BYTES = 8192
CONTROL_SHARE = 0.10  # above this share of control bytes in the first 8 KB: binary
_CONTROL = bytes(b for b in range(32) if b not in (9, 10, 12, 13)) + b"\x7f"


def looks_binary(data: bytes) -> bool:
    """True when the first :data:`SNIFF_BYTES` of ``data`` hold a NUL byte or more than
    :data:`CONTROL_SHARE` control bytes (tab, newlines and form feed do not count)."""
    sample = data[:SNIFF_BYTES]
    if not sample:
        return False
    if b"\x00" in sample:
        return True
    controls = len(sample) - len(sample.translate(None, _CONTROL))
    return controls / len(sample) > CONTROL_SHARE


def decode_bytes(data: bytes, declared: str | None = None) -> tuple[str, str, str | None, bool]:
    """Decode file bytes: UTF-8 (BOM removed), else ``declared``, cp1252, latin-1.

    Returns ``(text, encoding, problem, had_bom)``; ``problem`` is ``None``
    when the bytes were valid in UTF-8 (or UTF-16 with a BOM, or the
    ``declared`` charset), else a sentence saying what was done.
    """
    if data.startswith(codecs.BOM_UTF8):
        data, bom = data[len(codecs.BOM_UTF8):], True
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16", None, True
        except UnicodeDecodeError:
            bom = False
    else:
        bom = False
    try:
        return data.decode("utf-8"), "utf-8", None, bom
    except UnicodeDecodeError as exc:
        bad = f"byte 0x{data[exc.start]:02x} at offset {exc.start}"
    if declared:
        try:
            name = codecs.lookup(declared).name
        except LookupError:
            name = None
        if name and name not in ("utf-8", "utf-16"):
            try:
                return data.decode(name), name, None, bom
            except UnicodeDecodeError:
                pass
    for enc in ("cp1252", "latin-1"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        return text, enc, f"not valid UTF-8 ({bad}); decoded as {enc}", bom
    raise AssertionError("latin-1 decodes any bytes")  # pragma: no cover
