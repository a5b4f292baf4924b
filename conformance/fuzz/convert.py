"""A parser's result back in the wire data model, and the comparison of two wire values as clients read them.

`to_wire` undoes what a client parser does to a JSON response: member names become wire names again,
datetimes become epoch seconds or formatted strings (the schema's `x-aws-timestamp-format`), bytes become
base64 and non-finite floats the strings AWS JSON spells them with. Anything a parser returns that the
schema does not expect is left as it is, so validation sees it.

`difference` compares two wire values the way a client reads them: members set to null or unknown to the
model are absent, timestamps are instants (equal within a microsecond: clients keep microseconds), blobs
are their decoded bytes, numbers compare by value (NaN equals NaN) but never equal a boolean or a string.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import email.utils
import json
import math
from typing import Any

from conformance.fuzz.context import OperationContext
from conformance.spec.derive import Schema
from conformance.spec.validation import json_pointer

UTC = datetime.UTC
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=UTC)
NON_FINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def timestamp_format(schema: Schema) -> str | None:
    fmt = schema.get("x-aws-timestamp-format")
    return None if fmt is None else str(fmt)


def is_float_schema(schema: Schema) -> bool:
    """A float/double member of a JSON protocol: a number, or one of the non-finite spellings."""
    return schema.get("x-aws-type") in ("float", "double", "bigDecimal")


def spells_non_finite(schema: Schema) -> bool:
    """Whether SCHEMA takes "NaN"/"Infinity"/"-Infinity" (an unbounded float member)."""
    return any(isinstance(option, dict) and "NaN" in option.get("enum", ()) for option in schema.get("anyOf", ()))


def bytes_and_floats_in_data_model(schema: Schema, value: Any) -> Any:
    """A parsed scalar as the data model writes it: a blob's bytes as base64 text, a non-finite float of an
    unbounded member by its name ("NaN", "Infinity", "-Infinity"); anything else as it is."""
    if isinstance(value, bytes | bytearray):
        if schema.get("contentEncoding") == "base64":
            return base64.b64encode(bytes(value)).decode("ascii")
        return value
    if isinstance(value, float) and not math.isfinite(value) and spells_non_finite(schema):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    return value


def is_json_value_header(schema: Any) -> bool:
    """A rest member bound to a header and holding JSON (`jsonvalue`: base64 of JSON text on the wire)."""
    return isinstance(schema, dict) and bool(schema.get("x-aws-jsonvalue")) and schema.get("x-aws-location") == "header"


def is_structure(schema: Schema) -> bool:
    """A structure shape, or the empty object the JSON protocols answer for an operation without output."""
    return schema.get("x-aws-type") == "structure" or (schema.get("type") == "object" and "properties" in schema)


def format_timestamp(moment: datetime.datetime, fmt: str) -> Any:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    if fmt == "unixTimestamp":
        micros = (moment - EPOCH) // datetime.timedelta(microseconds=1)
        return micros // 1_000_000 if micros % 1_000_000 == 0 else micros / 1_000_000
    moment = moment.astimezone(UTC)
    if fmt == "rfc822":
        return email.utils.format_datetime(moment, usegmt=True)
    text = (f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}T"
            f"{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}")
    if moment.microsecond:
        text += f".{moment.microsecond:06d}".rstrip("0")
    return text + "Z"


class WireCodec:
    """Conversions guided by one operation's schemas (member-name maps are cached per structure)."""

    def __init__(self, context: OperationContext) -> None:
        self.context = context
        self._wire_names: dict[int, tuple[Schema, dict[str, str]]] = {}

    # -- parse result -> wire model ---------------------------------------------------------------------

    def to_wire(self, schema: Any, value: Any) -> Any:
        if is_json_value_header(schema):
            try:  # a parser hands a jsonvalue header over as the JSON it holds; the wire model has its text
                return json.dumps(value)
            except (TypeError, ValueError):
                return value
        schema = self.context.resolve(schema)
        if isinstance(value, dict):
            return self._dict_to_wire(schema, value)
        if isinstance(value, list):
            items = _member_target(schema.get("items", {}))
            return [self.to_wire(items, item) for item in value]
        if isinstance(value, datetime.datetime):
            fmt = timestamp_format(schema)
            if fmt is None:
                return value
            try:
                return format_timestamp(value, fmt)
            except (ValueError, OverflowError, OSError):
                return value  # no instant (e.g. a UTC offset of 25 hours): left for validation to reject
        return bytes_and_floats_in_data_model(schema, value)

    def _dict_to_wire(self, schema: Schema, value: dict[Any, Any]) -> dict[Any, Any]:
        kind = schema.get("x-aws-type")
        if is_structure(schema):
            names = self._member_names(schema)
            properties = schema.get("properties", {})
            converted: dict[Any, Any] = {}
            for key, member in value.items():
                wire = names.get(key, key) if isinstance(key, str) else key
                converted[wire] = self.to_wire(properties[wire], member) if wire in properties else member
            return converted
        if kind == "map":
            values = _member_target(schema.get("additionalProperties", {}))
            return {key: self.to_wire(values, member) for key, member in value.items()}
        return value

    def _member_names(self, schema: Schema) -> dict[str, str]:
        cached = self._wire_names.get(id(schema))
        if cached is not None and cached[0] is schema:
            return cached[1]
        names = {member.get("x-aws-member", wire): wire for wire, member in schema.get("properties", {}).items()}
        self._wire_names[id(schema)] = (schema, names)
        return names

    # -- comparison ---------------------------------------------------------------------------------------

    def canonical(self, schema: Any, value: Any) -> Any:
        """VALUE as a client reads it, in a form where `==` is the comparison described above."""
        if is_json_value_header(schema) and isinstance(value, str):
            try:  # JSON text: equal to another spelling of the same JSON
                return ("JSON", self.canonical({}, json.loads(value)))
            except ValueError:
                return value
        schema = self.context.resolve(schema)
        kind = schema.get("x-aws-type")
        if kind == "timestamp" and value is not None:
            return _Instant.of(value)
        if kind == "blob" and isinstance(value, str | bytes):
            return _blob_bytes(value)
        if is_float_schema(schema) and isinstance(value, str) and value in NON_FINITE:
            return _Number(NON_FINITE[value])
        if isinstance(value, dict):
            if is_structure(schema):
                properties = schema.get("properties", {})
                return {k: self.canonical(properties[k], v) for k, v in value.items()
                        if v is not None and k in properties}
            if kind == "map":
                values = _member_target(schema.get("additionalProperties", {}))
                return {k: self.canonical(values, v) for k, v in value.items()}
            return {k: self.canonical({}, v) for k, v in value.items()}
        if isinstance(value, list):
            items = _member_target(schema.get("items", {}))
            return [self.canonical(items, item) for item in value]
        if isinstance(value, int | float) and not isinstance(value, bool):
            return _Number(value)
        return value


def difference(expected: Any, actual: Any, path: tuple[Any, ...] = ()) -> tuple[str, Any, Any] | None:
    """The first place (JSON pointer, expected, actual) where two canonical values differ, or None."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        for key in sorted(set(expected) | set(actual), key=str):
            if key not in actual:
                return json_pointer((*path, key)), expected[key], _ABSENT
            if key not in expected:
                return json_pointer((*path, key)), _ABSENT, actual[key]
            found = difference(expected[key], actual[key], (*path, key))
            if found:
                return found
        return None
    if isinstance(expected, list) and isinstance(actual, list):
        for index, (left, right) in enumerate(zip(expected, actual, strict=False)):
            found = difference(left, right, (*path, index))
            if found:
                return found
        if len(expected) != len(actual):
            return json_pointer(path), f"{len(expected)} items", f"{len(actual)} items"
        return None
    if type(expected) is not type(actual) or expected != actual:
        return json_pointer(path) or "/", expected, actual
    return None


class _Absent:
    def __repr__(self) -> str:
        return "absent"


_ABSENT = _Absent()


class _Number:
    """A JSON number: equal to another number of the same value (NaN to NaN), never to a bool or a string."""

    __slots__ = ("value",)

    def __init__(self, value: int | float) -> None:
        self.value = value

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, _Number):
            return False
        left, right = self.value, other.value
        if isinstance(left, int) and isinstance(right, int):
            return left == right
        if isinstance(left, float) and isinstance(right, float) and math.isnan(left) and math.isnan(right):
            return True
        return left == right

    def __hash__(self) -> int:
        return 0

    def __repr__(self) -> str:
        return repr(self.value)


class _Instant:
    """A timestamp as microseconds since the epoch; equal within one microsecond (float rounding)."""

    __slots__ = ("micros", "text")

    def __init__(self, micros: int | None, text: str) -> None:
        self.micros = micros
        self.text = text

    @classmethod
    def of(cls, value: Any) -> Any:
        micros = _micros(value)
        return cls(micros, repr(value)) if micros is not None else ("not a timestamp", repr(value))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, _Instant) or self.micros is None or other.micros is None:
            return False
        return abs(self.micros - other.micros) <= 1

    def __hash__(self) -> int:
        return 0

    def __repr__(self) -> str:
        return self.text


def _micros(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            return None
        return round(value * 1_000_000) if isinstance(value, float) else value * 1_000_000
    moment = value if isinstance(value, datetime.datetime) else None
    if isinstance(value, str):
        moment = parse_timestamp_text(value)
    if moment is None:
        return None
    try:
        moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        return (moment - EPOCH) // datetime.timedelta(microseconds=1)
    except (ValueError, OverflowError):
        return None


def parse_timestamp_text(text: str) -> datetime.datetime | None:
    """An ISO 8601 or HTTP-date string as an aware datetime; None when it is neither."""
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError:
        try:
            moment = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _blob_bytes(value: str | bytes) -> Any:
    if isinstance(value, bytes):
        return value
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return ("not base64", value)


def _member_target(schema: Any) -> Any:
    """The member schema of a (possibly sparse: `anyOf [member, null]`) list or map."""
    if isinstance(schema, dict):
        for option in schema.get("anyOf", []):
            if isinstance(option, dict) and "$ref" in option:
                return option
    return schema
