"""Scalars that travel as text (XML elements, headers, query strings, forms), read strictly into the data model.

Text that is not what its member's type allows is a wire violation; the text itself is kept as the value, so
validation also shows the member's type where it was wrong.
"""

from __future__ import annotations

import re
from typing import Any

from conformance.protocols.base import Decoded, shape_kind
from conformance.spec.derive import Schema

INTEGER_KINDS = frozenset({"integer", "long", "short", "byte", "bigInteger"})
FLOAT_KINDS = frozenset({"float", "double", "bigDecimal"})
INTEGER_TEXT = re.compile(r"[+-]?[0-9]+")
FLOAT_TEXT = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
NON_FINITE_TEXT = {"NaN": float("nan"), "Infinity": float("inf"), "-Infinity": float("-inf")}


def decode_text(schema: Schema, text: str, pointer: str, decoded: Decoded, where: str = "element") -> Any:
    """TEXT read as the scalar SCHEMA (resolved) describes; a wire violation on DECODED when it cannot be."""
    kind = shape_kind(schema)
    if kind in INTEGER_KINDS:
        stripped = text.strip()
        if INTEGER_TEXT.fullmatch(stripped):
            return int(stripped)
        decoded.wire_error(pointer, f"{where} text {_shown(text)} is not an integer")
        return text
    if kind in FLOAT_KINDS or (kind == "timestamp" and schema.get("x-aws-timestamp-format") == "unixTimestamp"):
        return _number(text, pointer, decoded, where, allow_non_finite=kind in FLOAT_KINDS)
    if kind == "boolean":
        if text in ("true", "false"):
            return text == "true"
        decoded.wire_error(pointer, f"{where} text {_shown(text)} is not a boolean (true or false)")
        return text
    return text  # strings, blobs (base64 text) and formatted timestamps: the schema judges the text


def _number(text: str, pointer: str, decoded: Decoded, where: str, allow_non_finite: bool) -> Any:
    stripped = text.strip()
    if allow_non_finite and stripped in NON_FINITE_TEXT:
        return NON_FINITE_TEXT[stripped]
    if FLOAT_TEXT.fullmatch(stripped):
        number = float(stripped)
        return int(number) if number.is_integer() and "." not in stripped and "e" not in stripped.lower() else number
    decoded.wire_error(pointer, f"{where} text {_shown(text)} is not a number")
    return text


def _shown(text: str, limit: int = 40) -> str:
    return repr(text) if len(text) <= limit else repr(text[: limit - 3] + "...")
