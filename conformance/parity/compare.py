"""Compare two answers to the same request: status, error code, and for successes the whole parsed body.

Compared, in this order: the status class (2xx/4xx/5xx: error), the exact status (warning), the error code
as clients read it (error), and for two successes botocore's parse of each (ResponseMetadata left out),
after normalization: members present at every path (missing on B: error; only on B: warning), their types,
list lengths, and values (an enum member's value is named as such). Each difference has a JSON pointer.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from conformance import spec
from conformance.exchange import Exchange
from conformance.findings import Severity
from conformance.parity.ids import IdMap
from conformance.parity.normalize import Normalizer, normalized
from conformance.protocols import protocol_for

MISSING = object()


@dataclass(frozen=True)
class Difference:
    aspect: str  # status-class, status, error-code, member-missing, member-extra, type, length, enum, value
    severity: Severity
    pointer: str
    a: Any
    b: Any
    message: str


def answer_code(exchange: Exchange) -> str | None:
    """The error code as a client reads it, where the operation's protocol carries it; else botocore's
    reading."""
    if exchange.response is None:
        return None
    document = spec.document(exchange.service, exchange.operation)
    found = protocol_for(document).error_code(exchange.response, document)
    return (found.code if found is not None else None) or exchange.client_error_code or None


def compare(a: Exchange, b: Exchange, normalizers: Sequence[Normalizer], ids: IdMap) -> list[Difference]:
    assert a.response is not None and b.response is not None
    status_a, status_b = a.response.status, b.response.status
    differences: list[Difference] = []
    if status_a // 100 != status_b // 100:
        differences.append(Difference("status-class", "error", "", status_a, status_b,
                                      f"status class differs: A answered HTTP {status_a}, B HTTP {status_b}"))
    elif status_a != status_b:
        differences.append(Difference("status", "warning", "", status_a, status_b,
                                      f"status differs: A answered HTTP {status_a}, B HTTP {status_b}"))
    if status_a >= 300 and status_b >= 300:
        code_a, code_b = answer_code(a), answer_code(b)
        if code_a != code_b:
            differences.append(Difference("error-code", "error", "", code_a, code_b,
                                          f"error code differs: A {code_a!r}, B {code_b!r}"))
        return differences
    if status_a >= 300 or status_b >= 300:
        return differences
    body_a = normalized(ids.to_b(_body(a)), normalizers)  # A's ids as B's partners first: ARNs hold them
    body_b = normalized(_body(b), normalizers)
    walker = _Walker(_output_schema(a.service, a.operation))
    walker.walk(body_a, body_b, "", walker.root)
    # botocore's parse drops members the model does not have: for JSON bodies their presence is read raw.
    raw_a, raw_b = _json(a), _json(b)
    if raw_a is not None and raw_b is not None:
        walker.unknown_members(raw_a, raw_b, "", walker.root)
    return differences + walker.differences


def _json(exchange: Exchange) -> Any:
    assert exchange.response is not None
    if "json" not in (exchange.response.header("content-type") or ""):
        return None
    try:
        return exchange.response.json_body()
    except ValueError:
        return None


def _body(exchange: Exchange) -> Any:
    parsed = exchange.parsed or {}
    return {key: value for key, value in parsed.items() if key != "ResponseMetadata"}


def _output_schema(service: str, operation: str) -> dict[str, Any]:
    try:
        part = spec.part(service, operation, "output")
    except Exception:  # an operation without output, or not in the spec: compared without enums
        return {}
    return part if isinstance(part, dict) else {}


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bytes | bytearray):
        return "blob"
    if isinstance(value, datetime.datetime | datetime.date):
        return "timestamp"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list | tuple):
        return "list"
    return type(value).__name__


class _Walker:
    def __init__(self, root: dict[str, Any]) -> None:
        self.root = root
        self.differences: list[Difference] = []

    def add(self, aspect: str, severity: Severity, pointer: str, a: Any, b: Any, message: str) -> None:
        self.differences.append(Difference(aspect, severity, pointer, a, b, message))

    def walk(self, a: Any, b: Any, pointer: str, schema: dict[str, Any]) -> None:
        kind_a, kind_b = _kind(a), _kind(b)
        where = pointer or "/"
        if kind_a != kind_b:
            self.add("type", "error", pointer, a, b, f"{where}: A sends {kind_a} {_short(a)}, B {kind_b} {_short(b)}")
            return
        if isinstance(a, dict):
            for key in a:
                child = f"{pointer}/{_escape(str(key))}"
                if key not in b:
                    self.add("member-missing", "error", child, a[key], None,
                             f"{child}: A sends {_short(a[key])}, B leaves the member out")
                else:
                    self.walk(a[key], b[key], child, self.member(schema, str(key)))
            for key in b:
                if key not in a:
                    child = f"{pointer}/{_escape(str(key))}"
                    self.add("member-extra", "warning", child, None, b[key],
                             f"{child}: only B sends it ({_short(b[key])})")
            return
        if isinstance(a, list | tuple):
            if len(a) != len(b):
                self.add("length", "error", pointer, len(a), len(b),
                         f"{where}: A lists {len(a)} items, B {len(b)}")
            items = self.items(schema)
            for index, (item_a, item_b) in enumerate(zip(a, b, strict=False)):
                self.walk(item_a, item_b, f"{pointer}/{index}", items)
            return
        if a != b:
            if "enum" in schema:
                self.add("enum", "error", pointer, a, b, f"{where}: enum value differs: A {a!r}, B {b!r}")
            else:
                self.add("value", "error", pointer, a, b, f"{where}: A sends {_short(a)}, B {_short(b)}")

    def unknown_members(self, a: Any, b: Any, pointer: str, schema: dict[str, Any]) -> None:
        """Presence of the members of structures that the model does not declare (the walk above saw none)."""
        schema = self.resolve(schema)
        if isinstance(a, dict) and isinstance(b, dict):
            properties = schema.get("properties")
            for key in a.keys() | b.keys():
                child = f"{pointer}/{_escape(str(key))}"
                if isinstance(properties, dict) and key not in properties:
                    if key not in b:
                        self.add("member-missing", "error", child, a[key], None,
                                 f"{child}: A sends {_short(a[key])} (not in the model), B leaves it out")
                    elif key not in a:
                        self.add("member-extra", "warning", child, None, b[key],
                                 f"{child}: only B sends it ({_short(b[key])}; not in the model)")
                elif key in a and key in b:
                    self.unknown_members(a[key], b[key], child, self.member(schema, str(key)))
        elif isinstance(a, list) and isinstance(b, list):
            items = self.items(schema)
            for index, (item_a, item_b) in enumerate(zip(a, b, strict=False)):
                self.unknown_members(item_a, item_b, f"{pointer}/{index}", items)

    def resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        for _ in range(32):
            reference = schema.get("$ref")
            if not isinstance(reference, str) or not reference.startswith("#/"):
                break
            node: Any = self.root
            for part in reference[2:].split("/"):
                node = node.get(part, {}) if isinstance(node, dict) else {}
            schema = node if isinstance(node, dict) else {}
        for option in schema.get("anyOf", []):  # sparse members, non-finite floats: the non-null option
            option = self.resolve(option) if isinstance(option, dict) else {}
            if option.get("type") != "null":
                return option
        return schema

    def member(self, schema: dict[str, Any], name: str) -> dict[str, Any]:
        schema = self.resolve(schema)
        properties = schema.get("properties", {})
        if name in properties:
            return self.resolve(properties[name])
        for member in properties.values():  # parsed members carry botocore's names, the schema the wire's
            if isinstance(member, dict) and member.get("x-aws-member") == name:
                return self.resolve(member)
        values = schema.get("additionalProperties")
        return self.resolve(values) if isinstance(values, dict) else {}

    def items(self, schema: dict[str, Any]) -> dict[str, Any]:
        items = self.resolve(schema).get("items")
        return self.resolve(items) if isinstance(items, dict) else {}


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def _short(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."
