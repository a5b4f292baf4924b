"""Answers for `conformance serve --fuzz`: valid ones and malformed ones, each reproducible from its seed.

`fuzz_case(service, operation, seed)` is the whole interface: the same (service, operation, seed) always
gives the same `FuzzCase` (status, headers, body, label; the server adds the request id), so a case id
`<Operation>-<seed in hex>` (sent in the `x-conformance-case` header) is enough to replay it
(`conformance serve SERVICE --replay-case ID`).

Valid bodies come from `strategies.responses` and `strategies.error_responses`; every malformed case starts
from a valid body and breaks one thing (see MALFORMATIONS). This is a small first set meant to be merged
with the malformed-response generator of `conformance fuzz-parser` (issue 7): both want the same
`seed -> (status, headers, body, label)` function.
"""

from __future__ import annotations

import copy
import json
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from conformance import spec
from conformance.server.generic import derive_seed, draw
from conformance.spec.derive import Schema, shape_name_of

CASE_HEADER = "x-conformance-case"
LABEL_HEADER = "x-conformance-case-label"
UNKNOWN_ENUM_VALUE = "CONFORMANCE_UNKNOWN_ENUM_VALUE"
CASE_ID = re.compile(r"^(?P<operation>[A-Za-z0-9_]+)-(?P<seed>[0-9a-f]{1,16})$")


@dataclass(frozen=True)
class FuzzCase:
    status: int
    headers: dict[str, str]
    body: bytes
    label: str  # what the case is, in words: "truncated JSON after 12 of 80 bytes"
    kind: str  # its name in KINDS (the kind actually produced)


def case_id(operation: str, seed: int) -> str:
    return f"{operation}-{seed:016x}"


def parse_case_id(text: str) -> tuple[str, int]:
    """(operation, seed) of a case id; ValueError when TEXT is not one."""
    match = CASE_ID.match(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not a case id (<Operation>-<hex seed>, as in the {CASE_HEADER} header)")
    return match["operation"], int(match["seed"], 16)


def fuzz_case(service: str, operation: str, seed: int) -> FuzzCase:
    """The case SEED picks for OPERATION of SERVICE: a kind (weighted), then its valid or malformed answer."""
    rng = random.Random(seed)
    kinds = list(KIND_WEIGHTS)
    kind = rng.choices(kinds, weights=[KIND_WEIGHTS[k] for k in kinds])[0]
    context = _Context(service, operation, seed, rng)
    return KINDS[kind](context)  # a kind that cannot apply (no enum member, say) falls back to another


# -- the context a case is built in ----------------------------------------------------------------------


class _Context:
    def __init__(self, service: str, operation: str, seed: int, rng: random.Random) -> None:
        self.service = service
        self.operation = operation
        self.seed = seed
        self.rng = rng
        self.schema = spec.part(service, operation, "output")
        self.defs: dict[str, Schema] = self.schema.get("$defs", {})
        metadata = spec.deriver(service).raw["metadata"]
        self.content_type = f"application/x-amz-json-{metadata.get('jsonVersion', '1.0')}"

    def valid_body(self) -> Any:
        import strategies

        return copy.deepcopy(draw(strategies.responses(self.service, self.operation),
                                  derive_seed(self.seed, "valid-body")))

    def resolve(self, schema: Any) -> Schema:
        seen = 0
        while isinstance(schema, dict) and "$ref" in schema and seen < 64:
            schema = self.defs.get(shape_name_of(schema["$ref"]), {})
            seen += 1
        return schema if isinstance(schema, dict) else {}

    def headers(self, content_type: str | None = None) -> dict[str, str]:
        headers: dict[str, str] = {}
        chosen = self.content_type if content_type is None else content_type
        if chosen:
            headers["Content-Type"] = chosen
        return headers

    def case(self, status: int, body: bytes, label: str, content_type: str | None = None, *, kind: str) -> FuzzCase:
        return FuzzCase(status, self.headers(content_type), body, label, kind)

    def positions(self, value: Any) -> list[tuple[tuple[Any, ...], Schema, Any]]:
        """Every member, item and map value inside VALUE with its (resolved) schema, root excluded."""
        found: list[tuple[tuple[Any, ...], Schema, Any]] = []
        self._walk(self.resolve(self.schema), value, (), found)
        return found

    def _walk(self, schema: Schema, value: Any, path: tuple[Any, ...],
              found: list[tuple[tuple[Any, ...], Schema, Any]]) -> None:
        if path:
            found.append((path, schema, value))
        if isinstance(value, dict):
            properties = schema.get("properties", {})
            values = schema.get("additionalProperties")
            for key, member in value.items():
                child = properties.get(key, values if isinstance(values, dict) else {})
                self._walk(self.resolve(_first_ref(child)), member, (*path, key), found)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                self._walk(self.resolve(_first_ref(schema.get("items", {}))), item, (*path, index), found)

    def absent_members(self, value: Any, wanted: Callable[[Schema], bool]) -> list[tuple[str, Schema]]:
        """Top-level members of the output that VALUE leaves out and whose schema is WANTED."""
        root = self.resolve(self.schema)
        present = value if isinstance(value, dict) else {}
        return [(name, self.resolve(_first_ref(member))) for name, member in root.get("properties", {}).items()
                if name not in present and wanted(self.resolve(_first_ref(member)))]


def _first_ref(schema: Any) -> Any:
    if isinstance(schema, dict) and "anyOf" in schema:
        for option in schema["anyOf"]:
            if isinstance(option, dict) and "$ref" in option:
                return option
    return schema


def _dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _set(value: Any, path: tuple[Any, ...], new: Any) -> None:
    for token in path[:-1]:
        value = value[token]
    value[path[-1]] = new


def _pointer(path: tuple[Any, ...]) -> str:
    return "".join(f"/{token}" for token in path) or "/"


# -- valid answers ---------------------------------------------------------------------------------------


def _valid(context: _Context) -> FuzzCase:
    return context.case(200, _dumps(context.valid_body()), "valid response", kind="valid")


def _declared_error(context: _Context) -> FuzzCase:
    import strategies

    if not spec.document(context.service, context.operation)["x-aws-errors"]:
        return _valid(context)
    error = draw(strategies.error_responses(context.service, context.operation), derive_seed(context.seed, "error"))
    body = {"__type": error.code, **error.body}
    label = f"declared error {error.code} (HTTP {error.status})"
    return context.case(error.status, _dumps(body), label, kind="declared-error")


def _unknown_member(context: _Context) -> FuzzCase:
    body = context.valid_body()
    if not isinstance(body, dict):
        return _valid(context)
    body["ConformanceUnknownMember"] = {"added": "by --fuzz", "n": context.rng.randrange(1000)}
    label = "valid response with an unknown member (clients must ignore it)"
    return context.case(200, _dumps(body), label, kind="unknown-member")


# -- malformed answers -----------------------------------------------------------------------------------

WRONG_TYPED = {"string": 12345, "integer": "12345", "number": "1.5", "boolean": "true", "array": {"not": "a list"},
               "object": ["not", "an", "object"]}


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "null"


def _schema_type(schema: Schema) -> str:
    kind = schema.get("type")
    if isinstance(kind, str):
        return kind
    return "number" if "anyOf" in schema else "string"


def _wrong_type(context: _Context) -> FuzzCase:
    body = context.valid_body()
    positions = [p for p in context.positions(body) if p[2] is not None]
    if positions:
        path, _, value = context.rng.choice(positions)
        kind = _json_type(value)
        _set(body, path, WRONG_TYPED.get(kind, 0))
        return context.case(200, _dumps(body), f"wrong type at {_pointer(path)}: {kind} replaced", kind="wrong-type")
    absent = context.absent_members(body, lambda schema: True)
    if absent and isinstance(body, dict):
        name, schema = context.rng.choice(absent)
        kind = _schema_type(schema)
        body[name] = WRONG_TYPED.get(kind, 0)
        return context.case(200, _dumps(body), f"wrong type at /{name}: not {kind}", kind="wrong-type")
    return _not_an_object(context)


def _unknown_enum(context: _Context) -> FuzzCase:
    body = context.valid_body()
    positions = [p for p in context.positions(body) if "enum" in p[1]]
    if positions:
        path, _, _ = context.rng.choice(positions)
        _set(body, path, UNKNOWN_ENUM_VALUE)
        return context.case(200, _dumps(body), f"unknown enum value at {_pointer(path)}", kind="unknown-enum")
    absent = context.absent_members(body, lambda schema: "enum" in schema)
    if absent and isinstance(body, dict):
        name, _ = context.rng.choice(absent)
        body[name] = UNKNOWN_ENUM_VALUE
        return context.case(200, _dumps(body), f"unknown enum value at /{name}", kind="unknown-enum")
    return _wrong_type(context)


# Literals no 64-bit integer, double or date can hold; written into the JSON text as they are.
OUT_OF_RANGE = {"integer": ("9223372036854775808", "-9223372036854775809", "1e400"),
                "number": ("1e400", "-1e400"),
                "timestamp": ("1e20", "-1e20", "1e400")}
_RAW = "\u0000conformance-raw-literal\u0000"


def _out_of_range(context: _Context) -> FuzzCase:
    body = context.valid_body()
    numeric = [p for p in context.positions(body) if _numeric_kind(p[1]) is not None]
    path: tuple[Any, ...]
    if numeric:
        path, schema, _ = context.rng.choice(numeric)
    else:
        absent = context.absent_members(body, lambda schema: _numeric_kind(schema) is not None)
        if not absent or not isinstance(body, dict):
            return _wrong_type(context)
        name, schema = context.rng.choice(absent)
        path = (name,)
    kind = _numeric_kind(schema) or "number"
    literal = context.rng.choice(OUT_OF_RANGE[kind])
    _set(body, path, _RAW)
    text = _dumps(body).replace(json.dumps(_RAW).encode("utf-8"), literal.encode("ascii"))
    return context.case(200, text, f"out-of-range {kind} {literal} at {_pointer(path)}", kind="out-of-range")


def _numeric_kind(schema: Schema) -> str | None:
    if "x-aws-timestamp-format" in schema and schema.get("type") == "number":
        return "timestamp"
    if schema.get("type") == "integer":
        return "integer"
    if schema.get("type") == "number" or schema.get("x-aws-type") in ("double", "float"):
        return "number"
    return None


def _truncated(context: _Context) -> FuzzCase:
    text = _dumps(context.valid_body())
    if len(text) < 2:
        text = b'{"TruncatedMember": "value"}'
    cut = context.rng.randrange(1, len(text))
    return context.case(200, text[:cut], f"JSON truncated after {cut} of {len(text)} bytes", kind="truncated")


def _invalid_utf8(context: _Context) -> FuzzCase:
    text = _dumps(context.valid_body())
    quotes = [index for index, byte in enumerate(text) if byte == ord('"')]
    bad = context.rng.choice([b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\xf8\x88\x80\x80\x80"])
    if quotes:
        at = context.rng.choice(quotes) + 1
        text = text[:at] + bad + text[at:]
    else:
        text = b'{"Message":"' + bad + b'"}'
    return context.case(200, text, f"invalid UTF-8 bytes {bad.hex()} inside the body", kind="invalid-utf8")


NOT_OBJECTS = (b"[]", b'"a string"', b"42", b"null", b"true", b'[{"TransformId": "x"}]')


def _not_an_object(context: _Context) -> FuzzCase:
    body = context.rng.choice(NOT_OBJECTS)
    return context.case(200, body, f"a body that is not a JSON object: {body.decode()}", kind="not-an-object")


NON_STRING_TYPES: tuple[Any, ...] = (42, None, {"code": "X"}, ["X"], True)


def _non_string_type(context: _Context) -> FuzzCase:
    value = context.rng.choice(NON_STRING_TYPES)
    status = context.rng.choice((400, 500))
    body = {"__type": value, "message": "the error code is not a string"}
    label = f"HTTP {status} error whose __type is {json.dumps(value)}"
    return context.case(status, _dumps(body), label, kind="non-string-type")


WRONG_CONTENT_TYPES = ("text/html", "application/xml", "text/plain", "")


def _wrong_content_type(context: _Context) -> FuzzCase:
    if context.rng.random() < 0.3:
        page = b"<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>"
        return context.case(502, page, "HTTP 502 HTML page from a proxy", "text/html", kind="wrong-content-type")
    content_type = context.rng.choice(WRONG_CONTENT_TYPES)
    shown = content_type or "no Content-Type"
    label = f"valid body sent as {shown}"
    return context.case(200, _dumps(context.valid_body()), label, content_type, kind="wrong-content-type")


def _empty_success(context: _Context) -> FuzzCase:
    return context.case(200, b"", "HTTP 200 with an empty body", kind="empty-success")


Kind = Callable[[_Context], FuzzCase]
KINDS: dict[str, Kind] = {
    "valid": _valid,
    "declared-error": _declared_error,
    "unknown-member": _unknown_member,
    "wrong-type": _wrong_type,
    "unknown-enum": _unknown_enum,
    "out-of-range": _out_of_range,
    "truncated": _truncated,
    "invalid-utf8": _invalid_utf8,
    "not-an-object": _not_an_object,
    "non-string-type": _non_string_type,
    "wrong-content-type": _wrong_content_type,
    "empty-success": _empty_success,
}
MALFORMATIONS = tuple(kind for kind in KINDS if kind not in ("valid", "declared-error", "unknown-member"))
# About a third of the answers are valid (including declared errors); the rest break one thing each.
KIND_WEIGHTS = {"valid": 4, "declared-error": 2, "unknown-member": 1, **dict.fromkeys(MALFORMATIONS, 1)}
