"""The response generator for smithy-rpc-v2-cbor: valid and malformed CBOR answers, each labelled.

The same bases, slots and variants as the JSON generator (`conformance.fuzz.generate`); a body is the base's
data-model value written as the protocol says (Smithy's rpcv2Cbor, botocore's `RpcV2CBORParser`):
`Content-Type: application/cbor`, `smithy-protocol: rpc-v2-cbor`, a CBOR map whose timestamps are tag 1
around epoch seconds, blobs byte strings and non-finite doubles floats; an error's code is `__type` (plain
or `ns#Code`), and, for an awsQueryCompatible service (CloudWatch), the `x-amzn-query-error: Code;Sender`
header, which clients read first.

Families shared with JSON (null and unknown members, out-of-enum and out-of-range values, a wrong
Content-Type, HTML pages) are reused as they are: they say *what* to write, this generator writes CBOR.
The CBOR ones: indefinite lengths and every float width (valid: RFC 8949 and Smithy's tests read them as the
same value), wrong major types, floats and integers beyond int64 where integers belong, invalid timestamps,
tags where none belong, invalid UTF-8, map keys that are not text, truncated items and lengths that claim
more than the body holds, declared lengths of 2^63, deep nesting, bodies that are not CBOR or not a map,
and error bodies with a missing or non-text `__type`.

A value a family places as `Wire` (a CBOR item) or `RawCbor` (bytes) is written as it is, never converted.
"""

from __future__ import annotations

import functools
import math
import struct
from collections.abc import Sequence
from typing import Any

import cbor2

from conformance.fuzz import generate as json_families
from conformance.fuzz.context import OperationContext
from conformance.fuzz.convert import spells_non_finite
from conformance.fuzz.generate import (
    BOTH,
    ERROR,
    NAMESPACE,
    UNKNOWN_MEMBER,
    Base,
    Family,
    Path,
    ResponseGenerator,
    Slot,
    Use,
    _member_target,
    _pick,
    replaced,
    value_at,
)
from conformance.fuzz.wire import INTACT, MALFORMED, VALID, Expectation, WireResponse
from conformance.protocols.cbor_protocol import EPOCH_TAG, FLOAT_KINDS, data_model_scalar_item
from conformance.spec.derive import Schema
from conformance.spec.validation import json_pointer

QUERY_ERROR_HEADER = "x-amzn-query-error"


class Wire:
    """A CBOR item (as cbor2 writes it) placed in a body as it is: no schema conversion."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __repr__(self) -> str:
        return f"Wire({self.value!r})"


class RawCbor:
    """CBOR bytes written verbatim where a value goes (a broken item, a huge length, deep nesting)."""

    __slots__ = ("data",)

    def __init__(self, data: bytes) -> None:
        self.data = data

    def __repr__(self) -> str:
        return f"RawCbor({self.data[:16].hex()}{'...' if len(self.data) > 16 else ''})"


def _write_raw(encoder: Any, value: Any) -> None:
    """cbor2's hook for what it cannot encode: our verbatim bytes and placed items."""
    if isinstance(value, RawCbor):
        encoder.write(value.data)
    elif isinstance(value, Wire):
        encoder.encode(value.value)
    else:
        raise cbor2.CBOREncodeTypeError(f"cannot encode {type(value).__name__}")


def dumps(item: Any) -> bytes:
    return cbor2.dumps(item, default=_write_raw)


def head(major: int, length: int) -> bytes:
    """The initial byte(s) of a CBOR item of MAJOR type with argument LENGTH (RFC 8949 §3)."""
    if length < 24:
        return bytes([major << 5 | length])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if length < 1 << (8 * size):
            return bytes([major << 5 | info]) + length.to_bytes(size, "big")
    raise ValueError(f"{length} needs more than 8 bytes")


def _non_null(schema: Any) -> Any:
    return _member_target(schema)[0]


class CborWriter:
    """Data-model values (as the spec's schemas describe them: blobs base64, timestamps epoch numbers,
    non-finite doubles "NaN") into CBOR items, guided by the schema."""

    def __init__(self, context: OperationContext) -> None:
        self.context = context

    def item(self, schema: Any, value: Any) -> Any:
        if value is None or isinstance(value, Wire | RawCbor):
            return value
        schema = self.context.resolve(_non_null(schema))
        kind = schema.get("x-aws-type")
        if isinstance(value, dict):
            if kind == "structure":
                properties = schema.get("properties", {})
                return {key: self.item(properties.get(key, {}), member) for key, member in value.items()}
            if kind == "map":
                values = schema.get("additionalProperties", {})
                return {key: self.item(values, member) for key, member in value.items()}
            return {key: self.item({}, member) for key, member in value.items()}
        if isinstance(value, list):
            items = schema.get("items", {})
            return [self.item(items, member) for member in value]
        return data_model_scalar_item(kind, value)

    def schema_at(self, root: Schema, path: Path) -> Schema:
        """The resolved schema of the value at PATH under ROOT ({} where the model says nothing)."""
        schema = self.context.resolve(root)
        for step in path:
            kind = schema.get("x-aws-type")
            if kind == "structure" and isinstance(step, str):
                target = schema.get("properties", {}).get(step, {})
            elif kind == "list":
                target = schema.get("items", {})
            elif kind == "map":
                target = schema.get("additionalProperties", {})
            else:
                return {}
            schema = self.context.resolve(_non_null(target))
        return schema


# -- indefinite lengths (valid) ------------------------------------------------------------------------

INDEFINITE_FORMS = ("maps", "arrays", "text strings", "byte strings", "everything")


def indefinite(item: Any, form: str) -> bytes:
    """ITEM written with indefinite lengths for the containers or strings FORM names (RFC 8949 §3.2.2:
    strings as chunks of definite-length strings of the same type, each chunk well-formed on its own)."""
    every = form == "everything"
    if isinstance(item, dict):
        pairs = b"".join(indefinite(key, form) + indefinite(value, form) for key, value in item.items())
        return b"\xbf" + pairs + b"\xff" if every or form == "maps" else head(5, len(item)) + pairs
    if isinstance(item, list):
        items = b"".join(indefinite(value, form) for value in item)
        return b"\x9f" + items + b"\xff" if every or form == "arrays" else head(4, len(item)) + items
    if isinstance(item, str) and (every or form == "text strings"):
        chunks = [item[at:at + 3] for at in range(0, len(item), 3)] + [""]  # an empty chunk is allowed too
        return b"\x7f" + b"".join(dumps(chunk) for chunk in chunks) + b"\xff"
    if isinstance(item, bytes) and (every or form == "byte strings"):
        pieces = [item[at:at + 3] for at in range(0, len(item), 3)] + [b""]
        return b"\x5f" + b"".join(dumps(piece) for piece in pieces) + b"\xff"
    if isinstance(item, cbor2.CBORTag):
        return head(6, item.tag) + indefinite(item.value, form)
    return dumps(item)


def _indefinite(gen: ResponseGenerator, base: Base, slot: int, variant: int) -> WireResponse:
    assert isinstance(gen, CborResponseGenerator)
    form = _pick(INDEFINITE_FORMS, variant)
    label = f"every {form[:-1] if form != 'everything' else 'map, array and string'} in indefinite-length form"
    body = indefinite(gen.base_item(base), form)
    if base.is_error:
        response = gen.error_response(base, base.body, label, mode=VALID, family="indefinite-length",
                                      target=form)
    else:
        response = gen.success(base.body, label, VALID, "indefinite-length", form, expected=base.body)
    return WireResponse(response.status, response.headers, body, response.label, response.family, response.target,
                        response.expectation)


# -- float widths (valid) --------------------------------------------------------------------------------

def _float_options(schema: Schema) -> list[tuple[str, bytes, Any]]:
    """(label, CBOR bytes, data-model value) a double member may hold, in every width that holds it exactly."""
    options: list[tuple[str, bytes, Any]] = [
        ("half-precision 1.5", b"\xf9" + struct.pack(">e", 1.5), 1.5),
        ("single-precision 7.625", b"\xfa" + struct.pack(">f", 7.625), 7.625),
        ("double-precision 1.889", b"\xfb" + struct.pack(">d", 1.889), 1.889),
        ("half-precision subnormal 2^-18 * 1.25", b"\xf9\x00\x50", struct.unpack(">e", b"\x00\x50")[0]),
        ("the integer 3 (upcast to a double)", b"\x03", 3),
        ("half-precision -0.0", b"\xf9\x80\x00", -0.0),
    ]
    low, high = schema.get("minimum"), schema.get("maximum")
    options = [option for option in options
               if (low is None or option[2] >= low) and (high is None or option[2] <= high)]
    if spells_non_finite(schema):
        options += [
            ("half-precision NaN", b"\xf9\x7e\x00", "NaN"),
            ("half-precision NaN with a high LSB", b"\xf9\x7c\x01", "NaN"),
            ("single-precision NaN", b"\xfa\x7f\xc0\x00\x00", "NaN"),
            ("double-precision NaN", b"\xfb\x7f\xf8" + bytes(6), "NaN"),
            ("half-precision Infinity", b"\xf9\x7c\x00", "Infinity"),
            ("single-precision -Infinity", b"\xfa\xff\x80\x00\x00", "-Infinity"),
            ("double-precision Infinity", b"\xfb\x7f\xf0" + bytes(6), "Infinity"),
        ]
    return options


def _float_width(gen: ResponseGenerator, base: Base, slot: int, variant: int) -> WireResponse | None:
    slots = [s for s in base.slots if s.schema.get("x-aws-type") in FLOAT_KINDS]
    if not slots:
        return None
    chosen = _pick(slots, slot)
    options = _float_options(chosen.schema)
    if not options:
        return None
    what, data, value = _pick(options, variant)
    label = f"{what} at {chosen.pointer} ({chosen.role})"
    expected = replaced(base.body, chosen.path, value)
    sent = replaced(base.body, chosen.path, RawCbor(data))
    if base.is_error:
        assert isinstance(gen, CborResponseGenerator)
        response = gen.error_response(base, expected, label, mode=VALID, family="float-width", target="double")
        return WireResponse(response.status, response.headers, gen.error_bytes(base, sent), response.label,
                            response.family, response.target, response.expectation)
    return gen.success(sent, label, VALID, "float-width", "double", expected=expected)


# -- error codes ------------------------------------------------------------------------------------------

def _error_code(gen: ResponseGenerator, base: Base, slot: int, variant: int) -> WireResponse:
    """Every way rpc-v2-cbor carries a code: `__type` plain, namespaced, with a URI, as a chunked string,
    after the members; for a query-compatible service, the x-amzn-query-error header besides."""
    assert isinstance(gen, CborResponseGenerator) and base.code is not None
    name = base.error.name if base.error is not None and gen.query_compatible else base.code
    options: list[tuple[str, Any, bool]] = [
        ("code in __type", name, False),
        ("namespaced code in __type", f"{NAMESPACE}#{name}", False),
        ("namespaced code with a URI in __type", f"{NAMESPACE}#{name}:{json_families.CORAL_URI}", False),
        ("__type as an indefinite-length (chunked) text string", RawCbor(indefinite(f"{NAMESPACE}#{name}",
                                                                                      "text strings")), False),
        ("__type after the members", f"{NAMESPACE}#{name}", True),
    ]
    label, dunder, last = _pick(options, variant)
    members = gen.writer.item(gen.error_schema(base), base.body)
    item = {**members, "__type": dunder} if last else {"__type": dunder, **members}
    where = f" and the {QUERY_ERROR_HEADER} header" if QUERY_ERROR_HEADER in gen.error_headers(base) else ""
    return WireResponse(base.status, gen.error_headers(base), dumps(item),
                        f"{base.code} (HTTP {base.status}): {label}{where}", "error-code", label,
                        gen.error_expectation(base, base.body, VALID))


def _content_type(gen: ResponseGenerator, base: Base, slot: int, variant: int) -> WireResponse:
    """The JSON family's wrong or missing Content-Type, keeping a query-compatible error's code header."""
    assert isinstance(gen, CborResponseGenerator)
    response = json_families._content_type(gen, base, slot, variant)
    query = gen.error_headers(base).get(QUERY_ERROR_HEADER) if base.is_error else None
    if query is not None:
        response.headers[QUERY_ERROR_HEADER] = query
    return response


BAD_CODES: tuple[tuple[str, Any], ...] = (
    ("__type 42", 42), ("__type true", True), ("__type null", None), ("__type []", []), ("__type 1.5", 1.5),
    ("__type {\"Code\": ...}", "{map}"), ("__type as a byte string", "{bytes}"), ("__type \"\"", ""),
    ("__type as a timestamp (tag 1)", cbor2.CBORTag(EPOCH_TAG, 0)),
)


def _bad_code(gen: ResponseGenerator, base: Base, slot: int, variant: int) -> WireResponse:
    assert isinstance(gen, CborResponseGenerator) and base.code is not None
    members = gen.writer.item(gen.error_schema(base), base.body)
    options: list[tuple[str, Any, dict[str, str]]] = [("no __type", members, {})]
    for label, value in BAD_CODES:
        if value == "{map}":
            value = {"Code": base.code}
        elif value == "{bytes}":
            value = base.code.encode()
        options.append((label, {"__type": Wire(value), **members}, {}))
    for header in ("", base.code, ";Sender", f"{base.code};Sender;Extra"):
        options.append((f"{QUERY_ERROR_HEADER}: {header!r}", {"__type": base.code, **members},
                        {QUERY_ERROR_HEADER: header}))
    label, item, extra = _pick(options, variant)
    return WireResponse(base.status, {**gen.context.headers(), **extra}, dumps(item),
                        f"HTTP {base.status} error, {label}", "bad-error-code", "missing or invalid code",
                        Expectation(MALFORMED))


EMPTY_BODIES: tuple[tuple[str, bytes], ...] = (("an empty body", b""), ("an empty map", b"\xa0"),
                                               ("an empty indefinite map", b"\xbf\xff"), ("null", b"\xf6"))


def _empty_error(gen: ResponseGenerator, base: Base, slot: int, variant: int) -> WireResponse:
    status = _pick(json_families.EMPTY_STATUSES, variant)
    label, body = _pick(EMPTY_BODIES, slot)
    return WireResponse(status, gen.context.headers(), body, f"HTTP {status} with {label}", "empty-error",
                        "error body", Expectation(MALFORMED))


# -- wrong major types --------------------------------------------------------------------------------------

# CBOR items of each major type (and simple values), for type confusion; the kinds each one is right for.
WRONG_ITEMS: tuple[tuple[str, Any], ...] = (
    ("unsigned integer 7", 7), ("negative integer -7", -7), ("byte string", b"conformance"),
    ("text string", "conformance"), ("array", ["conformance"]), ("map", {"conformance": 1}),
    ("empty array", []), ("empty map", {}), ("timestamp (tag 1)", cbor2.CBORTag(EPOCH_TAG, 1700000000)),
    ("true", True), ("double 1.5", 1.5), ("null", None), ("undefined", cbor2.undefined),
    ("simple value 32", cbor2.CBORSimpleValue(32)),
)
RIGHT_ITEMS: dict[str, set[str]] = {
    "string": {"text string"}, "enum": {"text string"}, "blob": {"byte string"},
    "integer": {"unsigned integer 7", "negative integer -7"},
    "float": {"unsigned integer 7", "negative integer -7", "double 1.5"},  # integers upcast to doubles
    "boolean": {"true"}, "timestamp": {"timestamp (tag 1)"},
    "structure": {"map", "empty map"}, "union": {"map"}, "map": {"map", "empty map"},
    "list": {"array", "empty array"},
}


def _wrong_items(slot: Slot) -> list[tuple[str, Any]]:
    right = RIGHT_ITEMS.get(slot.kind, set())
    nullable = slot.role in ("item", "value")  # null is absent for members and allowed in sparse collections
    return [(name, value) for name, value in WRONG_ITEMS
            if name not in right and (name not in ("null", "undefined") or nullable)]


def _wrong_major_type(gen: ResponseGenerator, base: Base, slot: int, variant: int) -> WireResponse | None:
    slots = [s for s in base.slots if s.kind != "document"]
    if not slots:
        return None
    chosen = _pick(slots, slot)
    given, value = _pick(_wrong_items(chosen), variant)
    label = f"{given} at {chosen.pointer}, where the model has {chosen.kind} ({chosen.role})"
    return gen.malformed(base, replaced(base.body, chosen.path, Wire(value)), label, "wrong-major-type", chosen.kind)


# -- numbers --------------------------------------------------------------------------------------------------

FLOATS_FOR_INTEGERS: tuple[tuple[str, bytes], ...] = (
    ("half-precision 1.0", b"\xf9\x3c\x00"), ("single-precision 1.0", b"\xfa\x3f\x80\x00\x00"),
    ("double-precision 1.0", b"\xfb\x3f\xf0" + bytes(6)), ("double-precision 1.5", b"\xfb\x3f\xf8" + bytes(6)),
    ("half-precision NaN", b"\xf9\x7e\x00"), ("half-precision Infinity", b"\xf9\x7c\x00"),
    ("double-precision 1e300", b"\xfb" + struct.pack(">d", 1e300)),
)
BIG_INTEGERS: tuple[tuple[str, bytes], ...] = (
    ("2^64-1 (major type 0, 8 bytes)", b"\x1b" + b"\xff" * 8),
    ("-2^64 (major type 1, 8 bytes)", b"\x3b" + b"\xff" * 8),
    ("2^63 (major type 0, 8 bytes)", b"\x1b\x80" + bytes(7)),
    ("the bignum 2^64 (tag 2)", b"\xc2\x49\x01" + bytes(8)),
    ("the negative bignum -2^64-1 (tag 3)", b"\xc3\x49\x01" + bytes(8)),
    ("a bignum of 8,000 bits (tag 2)", b"\xc2\x59\x03\xe8" + b"\xff" * 1000),
)


def _numbers(family: str, options: Sequence[tuple[str, bytes]]) -> json_families.Builder:
    def build(gen: ResponseGenerator, base: Base, slot: int, variant: int) -> WireResponse | None:
        slots = [s for s in base.slots if s.kind == "integer"]
        if not slots:
            return None
        chosen = _pick(slots, slot)
        what, data = _pick(options, variant)
        label = f"{what} at {chosen.pointer}, where the model has {chosen.schema.get('x-aws-type')}"
        return gen.malformed(base, replaced(base.body, chosen.path, RawCbor(data)), label, family, "integer")

    return build


# -- timestamps -----------------------------------------------------------------------------------------------

INVALID_TIMESTAMPS: tuple[tuple[str, Any], ...] = (
    ("tag 1 around 1e20", cbor2.CBORTag(EPOCH_TAG, 1e20)), ("tag 1 around -1e20", cbor2.CBORTag(EPOCH_TAG, -1e20)),
    ("tag 1 around 253402300800 (year 10000)", cbor2.CBORTag(EPOCH_TAG, 253402300800)),
    ("tag 1 around -62135596801 (year 0)", cbor2.CBORTag(EPOCH_TAG, -62135596801)),
    ("tag 1 around NaN", cbor2.CBORTag(EPOCH_TAG, math.nan)),
    ("tag 1 around Infinity", cbor2.CBORTag(EPOCH_TAG, math.inf)),
    ("tag 1 around a text string", cbor2.CBORTag(EPOCH_TAG, "2019-12-16T23:48:18Z")),
    ("tag 1 around a byte string", cbor2.CBORTag(EPOCH_TAG, b"\x00\x01")),
    ("tag 1 around null", cbor2.CBORTag(EPOCH_TAG, None)),
    ("tag 1 around a bignum", cbor2.CBORTag(EPOCH_TAG, 2**70)),
    ("tag 0 (an RFC 3339 text date)", cbor2.CBORTag(0, "2019-12-16T23:48:18Z")),
    ("an epoch number without tag 1", 1576540098),
    ("tag 1 around tag 1", cbor2.CBORTag(EPOCH_TAG, cbor2.CBORTag(EPOCH_TAG, 0))),
)


def _timestamp(gen: ResponseGenerator, base: Base, slot: int, variant: int) -> WireResponse | None:
    slots = [s for s in base.slots if s.kind == "timestamp"]
    if not slots:
        return None
    chosen = _pick(slots, slot)
    what, value = _pick(INVALID_TIMESTAMPS, variant)
    label = f"invalid timestamp: {what} at {chosen.pointer}"
    return gen.malformed(base, replaced(base.body, chosen.path, Wire(value)), label, "invalid-timestamp",
                         what.split(" around")[0])


# -- tags -------------------------------------------------------------------------------------------------------

STRAY_TAGS: tuple[tuple[int, str], ...] = (
    (EPOCH_TAG, "tag 1 (epoch timestamp)"), (42, "the unknown tag 42"), (55799, "tag 55799 (self-described CBOR)"),
    (2, "tag 2 (bignum)"), (32, "tag 32 (URI)"), (2**32, "the tag 2^32"),
)
SAMPLES: dict[str, Any] = {"string": "conformance", "enum": "conformance", "integer": 7, "float": 1.5,
                           "boolean": True, "blob": b"conformance", "structure": {}, "union": {}, "map": {},
                           "list": [], "timestamp": cbor2.CBORTag(EPOCH_TAG, 0)}


def _stray_tag(gen: ResponseGenerator, base: Base, slot: int, variant: int) -> WireResponse:
    assert isinstance(gen, CborResponseGenerator)
    tag, what = _pick(STRAY_TAGS, variant)
    slots = [s for s in base.slots if s.kind not in ("timestamp", "document")]
    places: list[tuple[Path, Schema, str]] = [((), gen.root_schema(base), "the body")]
    places += [(s.path, s.schema, s.kind) for s in slots]
    path, schema, kind = _pick(places, slot)
    current = value_at(base.body, path) if path else gen.body_of(base)
    item = gen.writer.item(schema, current) if current is not None else SAMPLES.get(kind, "conformance")
    label = f"{what} around {json_pointer(path) or 'the body'} ({kind})"
    if not path:
        return gen.raw(base, dumps(cbor2.CBORTag(tag, item)), label, "stray-tag", "body")
    return gen.malformed(base, replaced(base.body, path, Wire(cbor2.CBORTag(tag, item))), label, "stray-tag", kind)


# -- text and keys ------------------------------------------------------------------------------------------------

def _invalid_utf8(gen: ResponseGenerator, base: Base, slot: int, variant: int) -> WireResponse:
    bad = _pick(json_families.INVALID_UTF8, variant // 3)
    text = b"conf" + bad + b"ormance"
    where = variant % 3
    strings = [s for s in base.slots if s.kind in ("string", "enum")]
    if where == 0 and strings:
        chosen = _pick(strings, slot)
        label = f"a text string holding invalid UTF-8 {bad.hex(' ')} at {chosen.pointer}"
        body = replaced(base.body, chosen.path, RawCbor(head(3, len(text)) + text))
        return gen.malformed(base, body, label, "invalid-utf8", "text string")
    if where == 1:
        label = f"a map key holding invalid UTF-8 {bad.hex(' ')}"
        return gen.raw(base, _with_pair(gen, base, head(3, len(text)) + text + b"\x01"), label, "invalid-utf8",
                       "map key")
    chunked = b"\x7f" + head(3, len(b"conf" + bad)) + b"conf" + bad + b"\x67ormance\xff"
    label = f"an indefinite-length text string whose chunk ends in invalid UTF-8 {bad.hex(' ')}"
    return gen.malformed(base, replaced(base.body, (UNKNOWN_MEMBER,), RawCbor(chunked)), label, "invalid-utf8",
                         "text string")


def _with_pair(gen: CborResponseGenerator | ResponseGenerator, base: Base, pair: bytes, first: bool = False) -> bytes:
    """The base body (a map) with one more key-value pair, given as CBOR bytes."""
    assert isinstance(gen, CborResponseGenerator)
    item = gen.base_item(base)
    pairs = b"".join(dumps(key) + dumps(value) for key, value in item.items())
    return head(5, len(item) + 1) + (pair + pairs if first else pairs + pair)


def _map_key(gen: ResponseGenerator, base: Base, slot: int, variant: int) -> WireResponse:
    assert isinstance(gen, CborResponseGenerator)
    item = gen.base_item(base)
    member = next((key for key in item if key != "__type"), None)
    options: list[tuple[str, bytes, bool]] = [
        ("an integer key", b"\x01\x61x", False), ("a negative integer key", b"\x20\x61x", False),
        ("an array key", b"\x81\x01\x61x", False), ("a map key", b"\xa1\x01\x02\x61x", False),
        ("a null key", b"\xf6\x61x", False), ("a double key", b"\xfb\x3f\xf8" + bytes(6) + b"\x61x", False),
        ("a tagged key", b"\xc1\x00\x61x", False),
    ]
    if member is not None:
        key = member.encode()
        options.append((f"the key {member!r} as a byte string", head(2, len(key)) + key + b"\x61x", True))
        options.append((f"the member {member!r} twice", dumps(member) + dumps(item[member]), False))
    label, pair, first = _pick(options, variant)
    return gen.raw(base, _with_pair(gen, base, pair, first), f"the body map with {label}", "map-key", label)


# -- broken items ---------------------------------------------------------------------------------------------

def _truncated(gen: ResponseGenerator, base: Base, slot: int, variant: int) -> WireResponse:
    """The body cut at any byte (inside an item's head or its content), or an item that declares more
    than the body holds."""
    assert isinstance(gen, CborResponseGenerator)
    data = gen.base_bytes(base)
    if len(data) < 2:
        data = dumps({UNKNOWN_MEMBER: 1})
    choice = variant % 4
    if choice == 2:
        item = gen.base_item(base)
        pairs = b"".join(dumps(key) + dumps(value) for key, value in item.items())
        return gen.raw(base, head(5, len(item) + 1) + pairs,
                       f"the body map declares {len(item) + 1} pairs and holds {len(item)}", "truncated",
                       "map length")
    if choice == 3:
        strings = [s for s in base.slots if s.kind in ("string", "enum", "blob")]
        path = _pick(strings, slot).path if strings else (UNKNOWN_MEMBER,)
        claimed = len(data) + 1 + 2**16
        short = RawCbor(head(3, claimed) + b"conformance")
        return gen.malformed(base, replaced(base.body, path, short),
                             f"a text string at {json_pointer(path)} declares {claimed} bytes, past the body's end",
                             "truncated", "string length")
    cut = (slot * 7 + variant) % len(data)
    label = f"CBOR cut after {cut} of {len(data)} bytes" if cut else f"empty body instead of {len(data)} bytes"
    return gen.raw(base, data[:cut], label, "truncated", "body")


HUGE_LENGTHS: tuple[tuple[str, int, int], ...] = (
    ("a text string of 2^63 bytes", 3, 2**63), ("a byte string of 2^63 bytes", 2, 2**63),
    ("an array of 2^63 items", 4, 2**63), ("a map of 2^63 pairs", 5, 2**63),
    ("a text string of 2^64-1 bytes", 3, 2**64 - 1), ("a byte string of 2^36 bytes", 2, 2**36),
    ("a text string of 2^31 bytes", 3, 2**31), ("an array of 2^32 items", 4, 2**32),
)


def _huge_length(gen: ResponseGenerator, base: Base, slot: int, variant: int) -> WireResponse:
    what, major, length = _pick(HUGE_LENGTHS, variant)
    places = [s.path for s in base.slots if s.kind != "document"] + [(UNKNOWN_MEMBER,)]
    path = _pick(places, slot)
    data = RawCbor(head(major, length) + b"conformance")
    label = f"{what} declared at {json_pointer(path)}, the body holding a few"
    return gen.malformed(base, replaced(base.body, path, data), label, "huge-length", what.split(" of")[0])


CBOR_DEPTHS = (2_500, 25_000)  # past Python's default recursion limit, and far past it
NESTINGS: tuple[tuple[str, bytes, bytes, bytes], ...] = (
    ("arrays", b"\x81", b"\x00", b""), ("maps", b"\xa1\x61a", b"\x00", b""),
    ("indefinite arrays", b"\x9f", b"\x00", b"\xff"), ("tags", b"\xd8\x2a", b"\x00", b""),
)


@functools.lru_cache(maxsize=16)
def _nested(depth: int, shape: int) -> RawCbor:
    _, opening, middle, closing = NESTINGS[shape]
    return RawCbor(opening * depth + middle + closing * depth)


def _deep(gen: ResponseGenerator, base: Base, slot: int, variant: int) -> WireResponse:
    """The nesting in a member of its own (the same bytes for every base and slot: a parser pays for the
    recursion wherever it is, about 5 ms for botocore, so the runner parses each of these bodies once)."""
    assert isinstance(gen, CborResponseGenerator)
    depth = _pick(CBOR_DEPTHS, variant)
    shape = variant // len(CBOR_DEPTHS) % len(NESTINGS)
    body = {UNKNOWN_MEMBER: _nested(depth, shape)}
    label = f"{depth} nested {NESTINGS[shape][0]} at {json_pointer((UNKNOWN_MEMBER,))}"
    if base.is_error:
        error = Base({}, base.error, base.code, base.status)
        return gen.raw(error, gen.error_bytes(error, body), label, "deep-nesting", NESTINGS[shape][0])
    return gen.raw(base, dumps(body), label, "deep-nesting", NESTINGS[shape][0])


NOT_CBOR: tuple[tuple[str, bytes], ...] = (
    ("a JSON object", b'{"__type": "ThrottlingException", "message": "Rate exceeded"}'),
    ("an XML document", b"<ErrorResponse><Error><Code>Throttling</Code></Error></ErrorResponse>"),
    ("plain text", b"Service Unavailable"), ("binary bytes", bytes(range(256))),
    ("a lone break byte", b"\xff"), ("the reserved additional information 28", b"\x1c"),
    ("an indefinite-length integer", b"\x1f"), ("an indefinite byte string holding an integer", b"\x5f\x01\xff"),
    ("an indefinite text string holding a byte string", b"\x7f\x41a\xff"),
    ("a map followed by another item", b"\xa0\xa0"), ("an indefinite map without its break", b"\xbf"),
    ("a map with a key and no value", b"\xa1\x61a"), ("a break inside a definite map", b"\xa1\xff"),
    ("a truncated double", b"\xfb\x3f"),
)
NOT_A_MAP: tuple[tuple[str, Any], ...] = (
    ("an array", []), ("an array of a map", [{}]), ("a text string", "conformance"), ("an integer", 42),
    ("null", None), ("true", True), ("a double", 1.5), ("a byte string", b"{}"), ("undefined", cbor2.undefined),
    ("a timestamp", cbor2.CBORTag(EPOCH_TAG, 0)),
)


def _not_cbor(gen: ResponseGenerator, base: Base, slot: int, variant: int) -> WireResponse:
    label, body = _pick(NOT_CBOR, variant)
    return gen.raw(base, body, f"a body of {label}", "not-cbor", "body")


def _not_a_map(gen: ResponseGenerator, base: Base, slot: int, variant: int) -> WireResponse:
    label, item = _pick(NOT_A_MAP, variant)
    return gen.raw(base, dumps(item), f"a body that is CBOR {label}, not a map", "not-a-map", "body")


CBOR_FAMILIES: tuple[Family, ...] = (
    Family("valid", VALID, BOTH, json_families._valid, weight=4, doc="a valid output or declared error"),
    Family("null-member", VALID, BOTH, json_families._null_member, doc="a member set to CBOR null (absent)"),
    Family("unknown-member", VALID, BOTH, json_families._unknown_member, doc="a member the model does not know"),
    Family("indefinite-length", VALID, BOTH, _indefinite,
           doc="maps, arrays, text and byte strings in indefinite-length form (chunked strings)"),
    Family("float-width", VALID, BOTH, _float_width, frozenset({"float"}),
           doc="doubles in half, single and double precision, subnormal, -0.0, integers; NaN and ±Infinity"),
    Family("error-code", VALID, ERROR, _error_code, weight=2,
           doc="__type plain, namespaced, with a URI, chunked, after the members; x-amzn-query-error"),
    Family("common-error", VALID, ERROR, json_families._common_error,
           doc="undeclared errors any AWS service may send"),
    Family("content-type", INTACT, BOTH, _content_type,
           doc="a valid body with a wrong or missing Content-Type"),
    Family("wrong-major-type", MALFORMED, BOTH, _wrong_major_type, weight=3,
           doc="every other major type (and simple value) at every member, item, value"),
    Family("enum", MALFORMED, BOTH, json_families._enum, frozenset({"enum"}), doc="strings outside the enum"),
    Family("out-of-range", MALFORMED, BOTH, json_families._out_of_range, frozenset({"integer", "float"}),
           doc="numbers past the model's or the type's range"),
    Family("float-for-integer", MALFORMED, BOTH, _numbers("float-for-integer", FLOATS_FOR_INTEGERS),
           frozenset({"integer"}), doc="half, single and double floats (1.0, 1.5, NaN, Infinity) for integers"),
    Family("big-integer", MALFORMED, BOTH, _numbers("big-integer", BIG_INTEGERS), frozenset({"integer"}),
           doc="integers beyond int64: 8-byte major types 0 and 1, bignums (tags 2 and 3)"),
    Family("invalid-timestamp", MALFORMED, BOTH, _timestamp, frozenset({"timestamp"}),
           doc="tag 1 around out-of-range, non-finite or non-numbers, tag 0, untagged numbers"),
    Family("stray-tag", MALFORMED, BOTH, _stray_tag, doc="tags where none belong: tag 1, unknown tags, on maps"),
    Family("invalid-utf8", MALFORMED, BOTH, _invalid_utf8, doc="text strings and map keys of invalid UTF-8"),
    Family("map-key", MALFORMED, BOTH, _map_key, doc="map keys that are not text strings, duplicate keys"),
    Family("truncated", MALFORMED, BOTH, _truncated,
           doc="the body cut at any byte, a map or string declaring more than the body holds"),
    Family("huge-length", MALFORMED, BOTH, _huge_length, doc="strings, arrays and maps declaring 2^31..2^64-1"),
    Family("deep-nesting", MALFORMED, BOTH, _deep, fixed=len(CBOR_DEPTHS) * len(NESTINGS),
           doc="2,500 and 25,000 nested arrays, maps, indefinite arrays or tags"),
    Family("not-cbor", MALFORMED, BOTH, _not_cbor,
           doc="JSON, XML, text, binary, reserved and misplaced bytes, unfinished items, trailing items"),
    Family("not-a-map", MALFORMED, BOTH, _not_a_map, doc="bodies that are CBOR but not a map"),
    Family("bad-error-code", MALFORMED, ERROR, _bad_code, weight=2,
           doc="error bodies without __type or with a non-text one; a broken x-amzn-query-error header"),
    Family("empty-error", MALFORMED, ERROR, _empty_error, doc="4xx/5xx answers with an empty body, map or null"),
    Family("html", MALFORMED, ERROR, json_families._html, doc="HTML pages (proxies, load balancers)"),
)
CBOR_FAMILY_NAMES = tuple(family.name for family in CBOR_FAMILIES)


class CborResponseGenerator(ResponseGenerator):
    """The JSON generator's driving (bases, slots, `build`) with answers written in smithy-rpc-v2-cbor."""

    def __init__(self, context: OperationContext) -> None:
        super().__init__(context)
        self.writer = CborWriter(context)
        self.query_compatible = context.model.metadata.get("awsQueryCompatible") is not None
        kinds = json_families._reachable_kinds(context)
        families = [family for family in CBOR_FAMILIES if not family.needs or family.needs & kinds]
        self.uses = tuple(Use(family, base) for family in families for base in family.bases)

    def build(self, use: Use, success: Base, error: Base, slot: int = 0, variant: int = 0) -> WireResponse:
        """As the JSON generator's, with this protocol's fallback for a family with nothing to change in the
        base: the valid answer, or the CBOR body cut short."""
        base = error if use.base == "error" else success
        built = use.family.build(self, base, slot, variant)
        if built is None:
            built = (_truncated if use.family.mode == MALFORMED else json_families._valid)(self, base, slot, variant)
        assert built is not None
        return built

    # -- what goes in a body ------------------------------------------------------------------------------

    def root_schema(self, base: Base) -> Schema:
        return self.error_schema(base) if base.is_error else self.context.output

    def error_schema(self, base: Base) -> Schema:
        return base.error.schema if base.error is not None else {}

    def type_value(self, base: Base) -> str:
        """The `__type` of BASE: its code, or for a query-compatible service the shape's id (the header
        carries the code)."""
        assert base.code is not None
        if self.query_compatible and base.error is not None:
            return f"{NAMESPACE}#{base.error.name}"
        return base.code

    def body_of(self, base: Base) -> dict[str, Any]:
        return {"__type": self.type_value(base), **base.body} if base.is_error else base.body

    def base_item(self, base: Base) -> dict[str, Any]:
        """BASE's body as a CBOR item (a dict: an error's holds `__type` first)."""
        item = self.writer.item(self.root_schema(base), base.body)
        if base.is_error:
            return {"__type": self.type_value(base), **item}
        return item if isinstance(item, dict) else {}

    def document_bytes(self, document: Any) -> bytes:
        return dumps(document)

    def base_bytes(self, base: Base) -> bytes:
        return dumps(self.base_item(base))

    def error_headers(self, base: Base) -> dict[str, str]:
        headers = self.context.headers()
        if self.query_compatible and base.error is not None and base.code is not None:
            headers[QUERY_ERROR_HEADER] = f"{base.code};{'Sender' if base.status < 500 else 'Receiver'}"
        return headers

    def other_json_content_type(self) -> str:
        return "application/x-amz-json-1.0"

    # -- responses ------------------------------------------------------------------------------------------

    def success(self, body: Any, label: str, mode: str, family: str, target: str,
                expected: Any = None) -> WireResponse:
        expectation = Expectation(mode, expected if mode != MALFORMED else None)
        item = self.writer.item(self.context.output, body) if isinstance(body, dict) else body
        return WireResponse(200, self.context.headers(), dumps(item), label, family, target, expectation)

    def error_bytes(self, base: Base, members: Any) -> bytes:
        """An error body: `__type` and MEMBERS (anything else than a dict is written as it is)."""
        item = self.writer.item(self.error_schema(base), members) if isinstance(members, dict) else members
        if isinstance(item, dict):
            item = {"__type": self.type_value(base), **item}
        return dumps(item)

    def error_response(self, base: Base, members: Any, label: str, *, mode: str, family: str,
                       target: str) -> WireResponse:
        full = f"{base.code} (HTTP {base.status}): {label}" if family != "valid" else (
            f"{label} {base.code} (HTTP {base.status})")
        return WireResponse(base.status, self.error_headers(base), self.error_bytes(base, members), full, family,
                            target, self.error_expectation(base, members, mode))
