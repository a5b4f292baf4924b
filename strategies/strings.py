"""Strategies for the string-like schemas of `conformance.spec`: plain strings, enums, patterns, base64
blobs and timestamps (epoch numbers, ISO 8601 and HTTP-date strings).

Lengths are code points (`len(str)`), as JSON Schema counts them; generated text is not only ASCII.
"""

from __future__ import annotations

import base64
import datetime
import email.utils
import math
from typing import Any

from hypothesis import strategies as st

from strategies.charsets import Ranges, char_strategy, normalize
from strategies.regex import pattern_strings

Schema = dict[str, Any]

# Strings stay short unless the schema demands more: their length is [min, min(max, max(min, SOFT))].
STRING_SOFT_MAX = 64
BLOB_SOFT_MAX_BYTES = 48

# Timestamps between 2000-01-01 and 2100-01-01 UTC: realistic, and every format can spell them.
EPOCH_LOW = 946_684_800
EPOCH_HIGH = 4_102_444_800

_ANY_CHAR = st.characters(codec="utf-8")


def soft_high(low: int, high: int | None, soft: int = STRING_SOFT_MAX) -> int:
    """The largest size to generate: the schema's maximum, capped at SOFT unless the minimum needs more."""
    cap = max(low, soft)
    return cap if high is None else min(high, cap)


# HTTP header values: visible ASCII (no space, which HTTP trims at either end, so " " would arrive as "").
HEADER_VALUE: Ranges = ((0x21, 0x7E),)
# Header names (the keys of a `headers` map, sent as a suffix of the name): a token's usual characters.
HEADER_NAME: Ranges = normalize([(0x30, 0x39), (0x41, 0x5A), (0x61, 0x7A), (0x2D, 0x2D), (0x5F, 0x5F)])


def string_strategy(schema: Schema, alphabet: Ranges | None = None) -> st.SearchStrategy[str]:
    """Valid strings for a `type: string` schema (enum, pattern, length, blob and timestamp keywords);
    with ALPHABET, of its characters where the schema allows (members sent in HTTP headers)."""
    if "enum" in schema or "const" in schema:
        allowed = _allowed_constants(schema)
        return st.sampled_from(allowed) if allowed else st.nothing()
    if schema.get("contentEncoding") == "base64":
        return blob_strategy(schema)
    fmt = schema.get("x-aws-timestamp-format")
    if fmt in ("iso8601", "rfc822") or (fmt is None and schema.get("format") == "date-time"):
        return iso_timestamps() if fmt != "rfc822" else http_dates()
    low = int(schema.get("minLength", 0))
    maximum = schema.get("maxLength")
    pattern = schema.get("pattern")
    if pattern is None:
        chars = _ANY_CHAR if alphabet is None else char_strategy(alphabet)
        return st.text(chars, min_size=low, max_size=soft_high(low, maximum))
    strings = pattern_strings(pattern, alphabet)
    # A pattern with a long fixed part may need more than the soft cap.
    high = soft_high(max(low, strings.shortest), maximum)
    return strings.strategy(low, high)


def _allowed_constants(schema: Schema) -> list[Any]:
    values = list(schema["enum"]) if "enum" in schema else [schema["const"]]
    return [v for v in values if not isinstance(v, str) or string_fits(schema, v)]


def string_fits(schema: Schema, value: str) -> bool:
    """Whether VALUE satisfies the length and pattern keywords of SCHEMA."""
    if len(value) < schema.get("minLength", 0) or len(value) > schema.get("maxLength", math.inf):
        return False
    return "pattern" not in schema or pattern_strings(schema["pattern"]).compiled.search(value) is not None


def byte_bounds(schema: Schema) -> tuple[int, int | None]:
    """Bytes bounds of a base64 blob: stated by `x-aws-min-bytes`/`x-aws-max-bytes`, else implied by the
    length bounds (base64 of n bytes is 4*ceil(n/3) characters)."""
    low = schema.get("x-aws-min-bytes")
    if low is None:
        low = max(0, 3 * math.ceil(schema.get("minLength", 0) / 4) - 2)
    high = schema.get("x-aws-max-bytes")
    if high is None and "maxLength" in schema:
        high = schema["maxLength"] // 4 * 3
    return int(low), None if high is None else int(high)


def encode_blob(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def blob_strategy(schema: Schema) -> st.SearchStrategy[str]:
    low, high = byte_bounds(schema)
    return st.binary(min_size=low, max_size=soft_high(low, high, BLOB_SOFT_MAX_BYTES)).map(encode_blob)


def _instant(milliseconds: int) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(milliseconds / 1000, tz=datetime.UTC)


_SECONDS = st.integers(EPOCH_LOW, EPOCH_HIGH - 1)
_MILLISECONDS = st.integers(EPOCH_LOW * 1000, EPOCH_HIGH * 1000 - 1)


def _epoch(milliseconds: int) -> int | float:
    seconds, fraction = divmod(milliseconds, 1000)
    return seconds if fraction == 0 else milliseconds / 1000


def epoch_timestamps() -> st.SearchStrategy[int | float]:
    """Seconds since the epoch as a JSON number, to the millisecond: an integer when the milliseconds are
    zero (which is where examples shrink to), else a fraction. One choice per value."""
    return _MILLISECONDS.map(_epoch)


def format_iso(moment: datetime.datetime) -> str:
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    if moment.microsecond:
        text += f".{moment.microsecond // 1000:03d}"
    return text + "Z"


def iso_timestamps() -> st.SearchStrategy[str]:
    return _MILLISECONDS.map(lambda ms: format_iso(_instant(ms)))


def http_dates() -> st.SearchStrategy[str]:
    return _SECONDS.map(lambda s: email.utils.format_datetime(_instant(s * 1000), usegmt=True))
