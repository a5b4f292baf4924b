"""The Smithy RPC v2 CBOR protocol (`smithy-rpc-v2-cbor`): CBOR bodies read into the JSON data model.

As Smithy's rpcv2Cbor specification and botocore's `RpcV2CBORParser` say: requests and answers are
`application/cbor` with a `smithy-protocol: rpc-v2-cbor` header; an error's code is the body's `__type`
(`ns#Name` read as `Name`), and for awsQueryCompatible services the `x-amzn-query-error` header.

The spec's schemas describe the JSON data model for this protocol, so a body decodes into it: a blob (a CBOR
byte string) becomes base64 text, a timestamp (tag 1 around epoch seconds) the epoch number, a non-finite
float the JSON protocols' `"NaN"` / `"Infinity"` / `"-Infinity"`. What only the wire can tell is a wire
violation: a timestamp without tag 1, a text string where a blob belongs (or a byte string where text does),
tags and simple values the protocol does not use. A wrong major type otherwise (a text where an integer
belongs) is left for the schema to flag. Indefinite lengths are legal CBOR and read as such.

Bodies are untrusted: cbor2 is told to refuse nesting deeper than MAX_DEPTH, duplicate map keys and map keys
that are not strings (so no crafted hash collisions), and it reads a declared length only as far as the body
goes (a length of 2^60 ends at the body's end, not in an allocation). Shared-reference tags, which could
make a cyclic value, are kept as tags, never resolved. A truncated or undecodable body is a wire violation,
never an exception.
"""

from __future__ import annotations

import base64
import io
import math
from decimal import Decimal
from typing import Any, ClassVar

import cbor2

from conformance.exchange import HttpRequest, HttpResponse
from conformance.protocols.base import (
    BodyError,
    Decoded,
    ErrorCode,
    Protocol,
    child_pointer,
    part_root,
    resolve,
    sanitize_code,
    shape_kind,
)
from conformance.protocols.json_protocols import query_error_code
from conformance.spec.derive import Schema

PROTOCOL_HEADER = "smithy-protocol"
PROTOCOL_HEADER_VALUE = "rpc-v2-cbor"
MAX_DEPTH = 128  # containers nested deeper than this are refused (AWS data is far shallower)
EPOCH_TAG = 1
# Tags rpcv2Cbor uses besides timestamps: bignums (2, 3) and decimal fractions (4), which cbor2 reads as int
# and Decimal; 55799 (self-described CBOR) is transparent. Every other tag cbor2 knows is kept as a tag,
# never interpreted (28/29 are shared references, which could build a cyclic value).
KEPT_TAGS = (0, EPOCH_TAG, 5, 21, 22, 23, 25, 28, 29, 30, 35, 36, 37, 256, 258, 260, 261, 1004)
NON_FINITE = {math.inf: "Infinity", -math.inf: "-Infinity"}


FLOAT_KINDS = ("float", "double", "bigDecimal")
_FROM_TEXT = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def data_model_scalar_item(kind: str | None, value: Any) -> Any:
    """A scalar VALUE of the JSON data model as the CBOR item rpc-v2-cbor sends for a member of KIND (the
    inverse of the decoder's reading): a timestamp's epoch number under tag 1, a blob's base64 text as its
    bytes, a non-finite float's name as the float. Anything else (text that is no base64, ...) as it is."""
    if kind == "timestamp" and isinstance(value, int | float) and not isinstance(value, bool):
        return cbor2.CBORTag(EPOCH_TAG, value)
    if kind == "blob" and isinstance(value, str):
        try:
            return base64.b64decode(value, validate=True)
        except ValueError:  # binascii.Error among them
            return value
    if kind in FLOAT_KINDS and isinstance(value, str) and value in _FROM_TEXT:
        return _FROM_TEXT[value]
    return value


def _kept(tag: int) -> Any:
    return lambda value, _immutable: cbor2.CBORTag(tag, value)


SEMANTIC_DECODERS = {tag: _kept(tag) for tag in KEPT_TAGS}


def parse_cbor(body: bytes) -> Any:
    """BODY's one CBOR data item (None when empty); BodyError when it is truncated, malformed, refused or
    followed by more bytes."""
    if not body:
        return None
    stream = io.BytesIO(body)
    decoder = cbor2.CBORDecoder(stream, semantic_decoders=SEMANTIC_DECODERS, max_depth=MAX_DEPTH,
                                allow_duplicate_keys=False, strict_hashable_types=True, str_errors="strict")
    try:
        value = decoder.decode()
    except cbor2.CBORDecodeEOF:
        raise BodyError("the CBOR body is truncated (an item declares more than the body holds)") from None
    except (cbor2.CBORError, ValueError, OverflowError, RecursionError, MemoryError) as error:
        raise BodyError(f"the body is not valid CBOR ({str(error)[:200]})") from None
    if stream.tell() != len(body):
        raise BodyError(f"{len(body) - stream.tell()} bytes after the body's CBOR data item")
    return value


class _DataModel:
    """Converts decoded CBOR into the JSON data model SCHEMA describes, noting wire violations on DECODED."""

    def __init__(self, document: Schema, decoded: Decoded) -> None:
        self.document = document
        self.decoded = decoded

    def value(self, schema: Schema | None, item: Any, pointer: str) -> Any:
        if schema is None:
            return self.untyped(item, pointer)
        schema = resolve(self.document, _non_null(schema))
        kind = shape_kind(schema)
        if kind == "timestamp":
            return self.timestamp(item, pointer)
        if isinstance(item, cbor2.CBORTag) and item.tag == EPOCH_TAG:
            self.decoded.wire_error(pointer, f"a timestamp (tag 1) where a {kind} belongs")
            return self.untyped(item.value, pointer)
        if kind == "blob":
            if isinstance(item, bytes):
                return base64.b64encode(item).decode("ascii")
            if isinstance(item, str):
                self.decoded.wire_error(pointer, "a text string where a blob belongs (CBOR blobs are byte strings)")
                return item
        if kind == "structure" and isinstance(item, dict):
            properties = schema.get("properties", {})
            return {key: self.value(properties.get(key), member, child_pointer(pointer, key))
                    for key, member in self.items(item, pointer)}
        if kind == "list" and isinstance(item, list):
            items = schema.get("items")
            return [self.value(items, member, child_pointer(pointer, index)) for index, member in enumerate(item)]
        if kind == "map" and isinstance(item, dict):
            values = schema.get("additionalProperties")
            return {key: self.value(values if isinstance(values, dict) else None, member,
                                    child_pointer(pointer, key)) for key, member in self.items(item, pointer)}
        if isinstance(item, bytes) and kind != "blob":
            self.decoded.wire_error(pointer, f"a byte string where a {kind} belongs")
        return self.untyped(item, pointer)  # a scalar, or a wrong major type the schema flags

    def timestamp(self, item: Any, pointer: str) -> Any:
        if isinstance(item, cbor2.CBORTag) and item.tag == EPOCH_TAG:
            if isinstance(item.value, int | float) and not isinstance(item.value, bool):
                return item.value
            self.decoded.wire_error(pointer, "tag 1 (epoch timestamp) around something that is not a number")
            return self.untyped(item.value, pointer)
        if isinstance(item, int | float) and not isinstance(item, bool):
            self.decoded.wire_error(pointer, "a timestamp without tag 1 (rpc-v2-cbor sends epoch-seconds "
                                             "timestamps as tag 1)")
            return item
        return self.untyped(item, pointer)

    def items(self, item: dict[Any, Any], pointer: str) -> list[tuple[str, Any]]:
        pairs: list[tuple[str, Any]] = []
        for key, member in item.items():
            if isinstance(key, bytes):
                self.decoded.wire_error(pointer, "a byte-string map key (rpc-v2-cbor keys are text strings)")
                key = key.decode("utf-8", errors="replace")
            pairs.append((str(key), member))
        return pairs

    def untyped(self, item: Any, pointer: str) -> Any:
        """ITEM as a JSON value where no schema says more (unknown members, documents, scalars, wrong types):
        byte strings as base64, non-finite floats as the JSON protocols' strings, decimals as numbers."""
        if isinstance(item, dict):
            return {key: self.untyped(member, child_pointer(pointer, key)) for key, member in self.items(item, pointer)}
        if isinstance(item, list):
            return [self.untyped(member, child_pointer(pointer, index)) for index, member in enumerate(item)]
        if isinstance(item, bytes):
            return base64.b64encode(item).decode("ascii")
        if isinstance(item, float) and not math.isfinite(item):
            return "NaN" if math.isnan(item) else NON_FINITE[item]
        if isinstance(item, Decimal):
            number = float(item)
            return int(number) if item == item.to_integral_value() and abs(number) < 2**53 else number
        if isinstance(item, cbor2.CBORTag) and item.tag == EPOCH_TAG:
            return self.untyped(item.value, pointer)  # a timestamp in a member the model does not have
        if isinstance(item, cbor2.CBORTag):
            self.decoded.wire_error(pointer, f"CBOR tag {item.tag}, which rpc-v2-cbor does not use here")
            return self.untyped(item.value, pointer)
        if isinstance(item, cbor2.CBORSimpleValue) or item is cbor2.undefined:
            self.decoded.wire_error(pointer, f"the CBOR simple value {item!r}, which rpc-v2-cbor does not use")
            return None
        return item


def _non_null(schema: Schema) -> Schema:
    """A sparse collection's item schema without its `null` option."""
    if "anyOf" in schema:
        return next((option for option in schema["anyOf"] if "$ref" in option), schema)
    return schema


class RpcV2CborProtocol(Protocol):
    name: ClassVar[str] = "smithy-rpc-v2-cbor"
    response_content_types: ClassVar[tuple[str, ...]] = ("application/cbor",)
    body_format: ClassVar[str] = "cbor"
    # Headers every request and answer of the protocol carries (Smithy's rpcv2Cbor: `smithy-protocol`).
    protocol_headers: ClassVar[dict[str, str]] = {PROTOCOL_HEADER: PROTOCOL_HEADER_VALUE}

    def parse_body(self, body: bytes) -> Any:
        return parse_cbor(body)

    def error_code(self, response: HttpResponse, document: Schema | None = None) -> ErrorCode | None:
        query = query_error_code(response, document)
        if query is not None:
            return query
        try:
            body = parse_cbor(response.body)
        except BodyError:
            return None
        if isinstance(body, dict) and isinstance(body.get("__type"), str) and sanitize_code(body["__type"]):
            return ErrorCode(sanitize_code(body["__type"]), "body __type")
        return None

    def decode_output(self, response: HttpResponse, document: Schema) -> Decoded:
        return self._decode(response.body, document, "output")

    def decode_error(self, response: HttpResponse, document: Schema, shape_name: str) -> Decoded:
        decoded = self._decode(response.body, document, f"error:{shape_name}")
        if isinstance(decoded.value, dict):
            decoded.value.pop("__type", None)
        return decoded

    def decode_request(self, request: HttpRequest, document: Schema) -> Decoded:
        decoded = self._decode(request.body, document, "input")
        headers = {name.lower(): value for name, value in request.headers.items()}
        if headers.get(PROTOCOL_HEADER) != PROTOCOL_HEADER_VALUE:
            decoded.wire_error("", f"the request has no `{PROTOCOL_HEADER}: {PROTOCOL_HEADER_VALUE}` header")
        return decoded

    def _decode(self, body: bytes, document: Schema, part: str) -> Decoded:
        decoded = Decoded({})
        root = part_root(document, part)
        try:
            item = parse_cbor(body)
        except BodyError as error:
            decoded.wire_error("", str(error))
            return decoded
        if item is None:
            return decoded  # an empty body: nothing to say (Smithy's NoOutputClientAllowsEmptyBody)
        decoded.value = _DataModel(document, decoded).value(root, item, "")
        return decoded
