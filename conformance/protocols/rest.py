"""Members the rest protocols bind to HTTP rather than the body: headers, header maps, the status code.

As botocore's `BaseRestParser` reads them: a `header` member is its header's text typed by the member
(a list splits on commas, a `jsonvalue` string is base64 of JSON), a `headers` member collects every header
starting with its prefix, a `statusCode` member is the status. Typed strictly: `X-Count: abc` for an integer
is a wire violation.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from conformance.exchange import HttpResponse
from conformance.protocols.base import Decoded, child_pointer, part_root, resolve, shape_kind
from conformance.protocols.scalars import decode_text
from conformance.spec.derive import Schema

RESPONSE_LOCATIONS = ("header", "headers", "statusCode")


def bound_members(response: HttpResponse, document: Schema, root: Schema, decoded: Decoded) -> dict[str, Any]:
    """The members of ROOT that RESPONSE carries in its headers and status code."""
    value: dict[str, Any] = {}
    lowered = {name.lower(): text for name, text in response.headers.items()}
    for member_name, member in root.get("properties", {}).items():
        location = member.get("x-aws-location")
        if location not in RESPONSE_LOCATIONS:
            continue
        pointer = child_pointer("", member_name)
        target = resolve(document, member)
        if location == "statusCode":
            value[member_name] = response.status
        elif location == "headers":
            # As botocore: the map is there (maybe empty) whether or not any header has the prefix.
            prefix = str(member.get("x-aws-location-name", "")).lower()
            value[member_name] = {name[len(prefix):]: text for name, text in lowered.items()
                                  if name.startswith(prefix)}
        else:
            text = lowered.get(str(member.get("x-aws-location-name", member_name)).lower())
            if text is not None:
                if member.get("x-aws-jsonvalue"):
                    target = {**target, "x-aws-jsonvalue": True}  # the trait is the member's, not the shape's
                value[member_name] = header_value(document, target, text, pointer, decoded)
    return value


def header_value(document: Schema, schema: Schema, text: str, pointer: str, decoded: Decoded) -> Any:
    """One header's text as the member SCHEMA (resolved) describes."""
    kind = shape_kind(schema)
    if kind == "list":
        item = resolve(document, schema.get("items", {}))
        parts = split_header_list(text, shape_kind(item) == "timestamp")
        return [header_value(document, item, part, child_pointer(pointer, index), decoded)
                for index, part in enumerate(parts)]
    if kind == "string" and schema.get("x-aws-jsonvalue"):
        # The member is a string holding JSON; in a header it travels base64-encoded.
        try:
            inner = base64.b64decode(text, validate=True).decode("utf-8")
            json.loads(inner)
        except (binascii.Error, ValueError):
            decoded.wire_error(pointer, "header is not base64-encoded JSON, as a jsonvalue member travels")
            return text
        return inner
    return decode_text(schema, text, pointer, decoded, where="header")


def split_header_list(text: str, timestamps: bool) -> list[str]:
    """A list header's items (RFC 9110 lists: comma-separated, an item may be a quoted string with `\\`
    escapes); HTTP dates carry a comma of their own, so their halves are rejoined."""
    if timestamps:
        parts = [part.strip() for part in text.split(",")]
        if parts and parts[0][:3].isalpha() and len(parts) % 2 == 0:
            return [f"{parts[i]}, {parts[i + 1]}" for i in range(0, len(parts), 2)]
        return parts
    items: list[str] = []
    index, length = 0, len(text)
    while index <= length:
        while index < length and text[index] in " \t":
            index += 1
        if index < length and text[index] == '"':
            index += 1
            item: list[str] = []
            while index < length and text[index] != '"':
                if text[index] == "\\" and index + 1 < length:
                    index += 1
                item.append(text[index])
                index += 1
            items.append("".join(item))
            end = text.find(",", index)
            index = length + 1 if end < 0 else end + 1
        else:
            end = text.find(",", index)
            end = length if end < 0 else end
            items.append(text[index:end].strip())
            index = end + 1
    return items


def payload_member(root: Schema | None) -> str | None:
    """The property the body is, when the structure names one (`payload`). The trait names the member, and a
    rest-json structure keys a member by its wire name, so the two differ where they differ (medialive's
    `Body` member is the property `body`)."""
    if root is None:
        return None
    name = root.get("x-aws-payload")
    if not name:
        return None
    properties = root.get("properties", {})
    if name in properties:
        return str(name)
    return next((str(wire) for wire, member in properties.items() if member.get("x-aws-member") == name), None)


def answers_with_event_stream(document: Schema) -> bool:
    """Whether the operation's output payload is an event stream (S3 SelectObjectContent, Lambda
    InvokeWithResponseStream): a sequence of framed messages, not one document."""
    root = part_root(document, "output")
    name = payload_member(root)
    if root is None or name is None:
        return False
    return bool(resolve(document, root["properties"][name]).get("x-aws-eventstream"))


def body_members(root: Schema) -> dict[str, Schema]:
    """The members of ROOT that travel in the body (no HTTP location)."""
    return {name: member for name, member in root.get("properties", {}).items() if "x-aws-location" not in member}


def raw_payload_value(schema: Schema, body: bytes) -> Any:
    """A blob or string payload as its data-model value: base64 text for a blob, the text for a string."""
    if shape_kind(schema) == "blob":
        return base64.b64encode(body).decode("ascii")
    return body.decode("utf-8", errors="replace")
