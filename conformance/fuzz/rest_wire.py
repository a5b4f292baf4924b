"""Where the members of a rest-json or rest-xml answer travel, and the text they travel as outside the body.

The inverse of the protocol layer's `conformance.protocols.rest` (and of botocore's `BaseRestParser`): a
member bound by `location: header` is one header (its text typed by the member: HTTP dates or the member's
timestamp format, `true`/`false`, lists comma-joined with RFC 9110 quoting, a `jsonvalue` string as base64 of
its JSON), a `headers` member is every header that starts with its prefix, a `statusCode` member is the
HTTP status, and a `payload` member is the whole body (a blob or string as its bytes, anything else in the
protocol's encoding). The other members are the body's.

`Bindings.sendable` turns a value drawn from the schema into one a rest answer can carry exactly (header
text is visible ASCII without surrounding blanks, list items hold no comma or quote, map keys are header
name characters, the status member a 2xx status, an absent raw payload the empty one it reads back as):
what is sent is what a parser can read back, as `xml_safe` does for XML text. A Content-Length member is the
body's length and S3's checksum headers are left out: clients check both against the body.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from dataclasses import dataclass
from typing import Any

from conformance.fuzz.wire import Raw
from conformance.protocols.base import part_root, resolve, shape_kind
from conformance.protocols.rest import payload_member
from conformance.protocols.xml_encode import RawText, RawXml
from conformance.spec.derive import Schema

RAW_PAYLOAD_KINDS = ("blob", "string")  # a payload of these kinds is the body's bytes, not an encoding
SUCCESS_STATUSES = (200, 201, 202, 203, 206, 207, 226)  # 2xx answers that carry a body
CONTENT_LENGTH = "content-length"
# S3's flexible checksums of the body (`x-amz-checksum-crc32`, ...): clients verify them against the body they
# read (botocore's `handle_checksum_body`), so a drawn value would make a valid answer fail a client's check.
CHECKSUM_PREFIX, CHECKSUM_TYPE = "x-amz-checksum-", "x-amz-checksum-type"
_NOT_HEADER_TEXT = re.compile(r"[^\x20-\x7e]")
_NOT_LIST_ITEM = re.compile(r'[^\x20-\x7e]|[,"]')
_NOT_HEADER_NAME = re.compile(r"[^a-z0-9-]")
_SURROGATES = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class Binding:
    """One member bound to HTTP: its name, location, header name (or prefix) and resolved schema."""

    member: str
    location: str  # header, headers or statusCode
    name: str
    schema: Schema
    jsonvalue: bool = False

    @property
    def kind(self) -> str:
        return shape_kind(self.schema)


@dataclass(frozen=True)
class Bindings:
    """How the members of one structure (an output or an error shape) travel."""

    document: Schema
    root: Schema | None
    headers: tuple[Binding, ...]
    maps: tuple[Binding, ...]
    status: Binding | None
    payload: str | None
    payload_schema: Schema | None

    @property
    def raw_payload(self) -> bool:
        """Whether the body is the payload member's bytes (a blob or a string)."""
        return self.payload_schema is not None and shape_kind(self.payload_schema) in RAW_PAYLOAD_KINDS

    @property
    def bound(self) -> frozenset[str]:
        """The members that do not travel in the body."""
        names = {b.member for b in (*self.headers, *self.maps)}
        if self.status is not None:
            names.add(self.status.member)
        return frozenset(names)

    @property
    def has_body(self) -> bool:
        """Whether an answer of this structure has a body at all (a payload, or members for one)."""
        if self.payload is not None:
            return True
        properties = self.root.get("properties", {}) if self.root is not None else {}
        return any(name not in self.bound for name in properties)

    def header(self, name: str) -> Binding | None:
        lowered = name.lower()
        return next((b for b in self.headers if b.name.lower() == lowered), None)

    def sendable(self, body: dict[str, Any], status: int | None = None) -> dict[str, Any]:
        """BODY as a rest answer carries it exactly (see the module docstring); STATUS is an error's."""
        out = dict(body)
        for binding in self.headers:
            value = out.get(binding.member)
            name = binding.name.lower()
            if name == CONTENT_LENGTH:
                out[binding.member] = None  # the body's length, set when the body is written
            elif name.startswith(CHECKSUM_PREFIX) and name != CHECKSUM_TYPE:
                out[binding.member] = None  # left out: a checksum of the body is the body's, not a drawn value
            elif value is not None:
                out[binding.member] = _sendable_header(self.document, binding, value)
        for binding in self.maps:
            value = out.get(binding.member)
            if not binding.name:  # every header is the map's: what they are is known once they are written
                out[binding.member] = None
            elif isinstance(value, dict):
                out[binding.member] = {_header_key(str(key)): header_safe(str(item))
                                       for key, item in value.items() if item is not None}
            else:
                out[binding.member] = {}  # botocore sets the map whether or not a header has the prefix
        if self.status is not None:  # an error's status, or a 2xx status that carries a body
            drawn = out.get(self.status.member)
            number = drawn if isinstance(drawn, int) and not isinstance(drawn, bool) else 0
            chosen = number if number in SUCCESS_STATUSES else SUCCESS_STATUSES[number % len(SUCCESS_STATUSES)]
            out[self.status.member] = status if status is not None else chosen
        if self.payload is not None and self.payload_schema is not None:
            value = out.get(self.payload)
            if shape_kind(self.payload_schema) == "string" and isinstance(value, str):
                out[self.payload] = _SURROGATES.sub("\ufffd", value)
        return self.read_back(out)

    def read_back(self, members: dict[str, Any]) -> dict[str, Any]:
        """MEMBERS as a client reads them back: an absent payload is what an empty body is (an empty blob or
        string, the empty structure: botocore sets the payload member whatever the body)."""
        if self.payload is None or self.payload_schema is None or members.get(self.payload) is not None:
            return members
        kind = shape_kind(self.payload_schema)
        return {**members, self.payload: "" if kind in RAW_PAYLOAD_KINDS else {}}


def bindings_of(document: Schema, part: str) -> Bindings:
    """The bindings of PART ("output" or "error:NAME") of DOCUMENT's operation."""
    return bindings_of_root(document, part_root(document, part))


def bindings_of_root(document: Schema, found: Schema | None) -> Bindings:
    """The bindings of the structure FOUND (resolved through DOCUMENT's `$defs`; None: no structure)."""
    root = resolve(document, found) if found is not None else None
    headers: list[Binding] = []
    maps: list[Binding] = []
    status: Binding | None = None
    for member_name, member in (root or {}).get("properties", {}).items():
        location = member.get("x-aws-location")
        if location not in ("header", "headers", "statusCode"):
            continue
        binding = Binding(member_name, str(location), str(member.get("x-aws-location-name", member_name)),
                          resolve(document, member), bool(member.get("x-aws-jsonvalue")))
        if location == "header":
            headers.append(binding)
        elif location == "headers":
            maps.append(binding)
        else:
            status = binding
    payload = payload_member(root)
    payload_schema = resolve(document, root["properties"][payload]) if root is not None and payload else None
    return Bindings(document, root, tuple(headers), tuple(maps), status, str(payload) if payload else None,
                    payload_schema)


# -- header text ------------------------------------------------------------------------------------------------

def header_safe(text: str) -> str:
    """TEXT as a header value carries it: visible ASCII (anything else a `?`), no surrounding blanks."""
    return _NOT_HEADER_TEXT.sub("?", text).strip()


def _header_key(key: str) -> str:
    return _NOT_HEADER_NAME.sub("-", key.lower()) or "key"


def _sendable_header(document: Schema, binding: Binding, value: Any) -> Any:
    if binding.jsonvalue and isinstance(value, str):
        try:
            json.loads(value)
        except ValueError:
            return json.dumps(value)  # a JSON string literal: valid JSON holding the drawn text
        return value
    if binding.kind == "list":
        if not isinstance(value, list):
            return None
        items = [_NOT_LIST_ITEM.sub("?", item).strip() if isinstance(item, str) else item
                 for item in value if item is not None]
        return items or None  # no header carries an empty list: it is absent
    if isinstance(value, str):
        return header_safe(value)
    return value


def header_text(document: Schema, binding: Binding, value: Any) -> str:
    """The header text of VALUE, the data-model value of BINDING's member (raw text as it is)."""
    if binding.jsonvalue and isinstance(value, str):
        return base64.b64encode(value.encode("utf-8")).decode("ascii")
    if binding.kind == "list" and isinstance(value, list):
        items = resolve(document, _member_of(binding.schema.get("items", {})))
        return ", ".join(_list_item(scalar_header_text(items, item)) for item in value if item is not None)
    return scalar_header_text(binding.schema, value)


def scalar_header_text(schema: Schema, value: Any) -> str:
    if isinstance(value, Raw):
        return value.text
    if isinstance(value, RawText):
        return value.text
    if isinstance(value, RawXml):
        return value.xml
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if not math.isfinite(value):
            return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
        return repr(value)
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"), default=repr)  # a wrong value: as JSON text
    if value is None:
        return ""
    return str(value)


def quote_item(text: str) -> str:
    """An RFC 9110 quoted string (backslash escapes for `\\` and `"`)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _list_item(text: str) -> str:
    needs_quotes = "," in text or '"' in text or text != text.strip()
    return quote_item(text) if needs_quotes else text


def _member_of(schema: Any) -> Schema:
    if isinstance(schema, dict) and "anyOf" in schema:  # sparse: the member beside null
        return next((option for option in schema["anyOf"] if "$ref" in option), {})
    return schema if isinstance(schema, dict) else {}


def raw_payload_bytes(schema: Schema, value: Any) -> bytes:
    """The body of a blob or string payload holding VALUE (a blob's base64 decoded, a string's UTF-8)."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, Raw):
        return value.text.encode("utf-8", "surrogatepass")
    if isinstance(value, RawText | RawXml):
        return (value.text if isinstance(value, RawText) else value.xml).encode("utf-8", "surrogatepass")
    if isinstance(value, str):
        if shape_kind(schema) == "blob":
            try:
                return base64.b64decode(value, validate=True)
            except (binascii.Error, ValueError):
                pass
        return value.encode("utf-8", "surrogatepass")
    if value is None:
        return b""
    return json.dumps(value, default=repr).encode("utf-8")


def set_header(headers: dict[str, str], name: str, value: str) -> None:
    """HEADERS with NAME set to VALUE, replacing a header of the same name in any case."""
    for existing in [key for key in headers if key.lower() == name.lower()]:
        del headers[existing]
    headers[name] = value


def bound_headers(document: Schema, bindings: Bindings, members: dict[str, Any]) -> dict[str, str]:
    """The headers MEMBERS' header and header-map members travel in."""
    headers: dict[str, str] = {}
    for binding in bindings.headers:
        value = members.get(binding.member)
        if value is not None:
            headers[binding.name] = header_text(document, binding, value)
    for binding in bindings.maps:
        value = members.get(binding.member)
        if isinstance(value, dict):
            for key, item in value.items():
                if item is not None:
                    headers[f"{binding.name}{key}"] = scalar_header_text({}, item)
    return headers


def bound_status(bindings: Bindings, members: dict[str, Any], default: int) -> int:
    """The status MEMBERS' statusCode member says (DEFAULT when none, or when it cannot be one)."""
    if bindings.status is None:
        return default
    value = members.get(bindings.status.member)
    if isinstance(value, int) and not isinstance(value, bool) and 100 <= value <= 999:
        return value
    return default
