"""The response generator: valid and malformed AWS JSON responses of one operation, each labelled.

A response is built from a *base* (a valid output body, or a valid error: code, status, members; both drawn
from the `strategies` package) by one *family* of changes at one *slot* with one *variant*:

- a slot is a place in the base where a value goes: every member of every structure in the body (present
  or not: absent members of present structures, and of absent structures without required members, are
  slots too), every list item and map value;
- a variant picks among the family's values (which wrong type, which broken timestamp, which depth...).

`ResponseGenerator.build(use, success_base, error_base, slot, variant)` is a plain function of its arguments
(a *use* is a family applied to a success or an error base), so any driver can
choose them: Hypothesis strategies (`responses`, `malformed_responses`: what `conformance serve --fuzz`
draws from) or the byte strings of `conformance fuzz-parser`'s runner, which shrink towards slot 0,
variant 0 and the smallest base. Families are listed in FAMILIES; `Family.mode` says how a parser's answer
is judged (see `conformance.fuzz.wire.Expectation`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

from conformance.fuzz.context import DeclaredError, OperationContext, for_operation
from conformance.fuzz.fastcheck import FastCheck
from conformance.fuzz.wire import INTACT, MALFORMED, VALID, Expectation, Raw, WireResponse, encode, shown
from conformance.spec.derive import INT32, INT64, Schema
from conformance.spec.validation import json_pointer

Path = tuple[str | int, ...]
UNKNOWN_MEMBER = "ConformanceUnknownMember"
UNKNOWN_ENUM_VALUE = "CONFORMANCE_UNKNOWN_ENUM_VALUE"
NAMESPACE = "com.amazonaws.conformance"
CORAL_URI = "http://internal.amazon.com/coral/com.amazon.coral.validate/"
VIRTUAL_DEPTH = 3  # how far slots reach into structures and lists the base leaves out
MAX_SLOTS = 256


# -- bases and slots -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    """A place for a value: its path in the body, its (resolved) schema, and what holds it."""

    path: Path
    schema: Schema
    role: str  # member, item or value
    kind: str  # structure, union, list, map, string, enum, integer, float, boolean, blob, timestamp, document
    required: bool = False  # a required member (null would make it absent: not a valid response)
    in_union: bool = False  # a member of a union (exactly one member may be set)

    @property
    def pointer(self) -> str:
        return json_pointer(self.path) or "/"


@dataclass
class Base:
    """A valid response to start from: an output body (`error` None) or an error's members."""

    body: dict[str, Any]
    error: DeclaredError | None = None
    code: str | None = None
    status: int = 200
    slots: list[Slot] = field(default_factory=list)
    structures: list[Path] = field(default_factory=list)

    @property
    def is_error(self) -> bool:
        return self.code is not None


def slot_kind(schema: Schema) -> str:
    kind = str(schema.get("x-aws-type", "document"))
    if kind == "structure" and schema.get("x-aws-union"):
        return "union"
    if kind == "string" and "enum" in schema:
        return "enum"
    if kind in ("long", "short", "byte", "bigInteger"):
        return "integer"
    if kind in ("double", "bigDecimal"):
        return "float"
    return kind


def _member_target(schema: Any) -> tuple[Any, bool]:
    """(member schema, sparse) of a list's `items` or a map's `additionalProperties`."""
    if isinstance(schema, dict):
        for option in schema.get("anyOf", []):
            if isinstance(option, dict) and "$ref" in option:
                return option, True
    return schema, False


class _SlotFinder:
    def __init__(self, context: OperationContext) -> None:
        self.context = context
        self.slots: list[Slot] = []
        self.structures: list[Path] = []

    def structure(self, schema: Schema, value: dict[str, Any] | None, path: Path, virtual: int) -> None:
        union = bool(schema.get("x-aws-union"))
        if not union:  # a union holds exactly one member: no room for another
            self.structures.append(path)
        required = set(schema.get("required", ()))
        for name, member in schema.get("properties", {}).items():
            if len(self.slots) >= MAX_SLOTS:
                return
            resolved = self.context.resolve(member)
            self.slots.append(Slot((*path, name), resolved, "member", slot_kind(resolved), name in required, union))
            child = None if value is None else value.get(name)
            if child is not None:
                self.walk(resolved, child, (*path, name), virtual)
            elif virtual > 0 and not union:  # another member of a union is no longer a valid union
                self.virtual(resolved, (*path, name), virtual - 1)

    def walk(self, schema: Schema, value: Any, path: Path, virtual: int) -> None:
        kind = schema.get("x-aws-type")
        if kind == "structure" and isinstance(value, dict):
            self.structure(schema, value, path, virtual)
        elif kind == "list" and isinstance(value, list):
            target, sparse = _member_target(schema.get("items"))
            resolved = self.context.resolve(target)
            for index, item in enumerate(value):
                self.slots.append(Slot((*path, index), resolved, "sparse item" if sparse else "item",
                                       slot_kind(resolved)))
                self.walk(resolved, item, (*path, index), virtual)
        elif kind == "map" and isinstance(value, dict):
            target, sparse = _member_target(schema.get("additionalProperties"))
            resolved = self.context.resolve(target)
            for key, item in value.items():
                self.slots.append(Slot((*path, key), resolved, "sparse value" if sparse else "value",
                                       slot_kind(resolved)))
                self.walk(resolved, item, (*path, key), virtual)

    def virtual(self, schema: Schema, path: Path, virtual: int) -> None:
        kind = schema.get("x-aws-type")
        if kind == "structure" and not schema.get("required") and not schema.get("x-aws-union"):
            self.structure(schema, None, path, virtual)
        elif kind == "list" and not schema.get("minItems", 0) > 1:
            target, sparse = _member_target(schema.get("items"))
            resolved = self.context.resolve(target)
            self.slots.append(Slot((*path, 0), resolved, "sparse item" if sparse else "item", slot_kind(resolved)))
            if virtual > 0:
                self.virtual(resolved, (*path, 0), virtual - 1)


def value_at(body: Any, path: Path) -> Any:
    """The value at PATH in BODY (None where the path leads nowhere): what `replaced` would replace."""
    value = body
    for step in path:
        if isinstance(value, dict) and isinstance(step, str):
            value = value.get(step)
        elif isinstance(value, list) and isinstance(step, int) and step < len(value):
            value = value[step]
        else:
            return None
    return value


def replaced(value: Any, path: Path, new: Any) -> Any:
    """A copy of VALUE with NEW at PATH (copied along the path only; missing containers are created)."""
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(head, int):
        items = list(value) if isinstance(value, list) else []
        if head < len(items):
            items[head] = replaced(items[head], rest, new)
        else:
            items.append(replaced(None, rest, new))
        return items
    members = dict(value) if isinstance(value, dict) else {}
    members[head] = replaced(members.get(head), rest, new)
    return members


def _pick(options: Sequence[Any], choice: int) -> Any:
    return options[choice % len(options)]


# -- families ------------------------------------------------------------------------------------------

Builder = Callable[["ResponseGenerator", Base, int, int], WireResponse | None]


@dataclass(frozen=True)
class Family:
    name: str
    mode: str
    bases: tuple[str, ...]  # "success" and/or "error"
    build: Builder
    needs: frozenset[str] = frozenset()  # slot kinds one of which the operation must have
    weight: int = 1
    doc: str = ""
    # When > 0, the response depends on the variant modulo this alone (not on the base or slot), so a driver
    # may parse each of these few responses once.
    fixed: int = 0


@dataclass(frozen=True)
class Use:
    """A family applied to one kind of base."""

    family: Family
    base: str

    @property
    def name(self) -> str:
        return self.family.name if self.base == "success" else f"{self.family.name} (error)"


def _valid(gen: ResponseGenerator, base: Base, slot: int, variant: int) -> WireResponse:
    if base.is_error:
        return gen.error_response(base, base.body, "declared error", mode=VALID, family="valid", target="error")
    return gen.success(base.body, f"valid {gen.context.operation} output", VALID, "valid", "output",
                       expected=base.body)


def _null_member(gen: ResponseGenerator, base: Base, slot: int, variant: int) -> WireResponse | None:
    members = [s for s in base.slots if s.role == "member" and not s.required and not s.in_union]
    if not members:
        return None
    chosen = _pick(members, slot)
    body = replaced(base.body, chosen.path, None)
    label = f"member {chosen.pointer} set to null (clients read it as absent)"
    if base.is_error:
        return gen.error_response(base, body, label, mode=VALID, family="null-member", target="error member")
    return gen.success(body, label, VALID, "null-member", "member", expected=body)


UNKNOWN_VALUES: tuple[Any, ...] = ("added later", 42, {"Nested": ["a", 1]}, [1, 2], None, True)


def _unknown_member(gen: ResponseGenerator, base: Base, slot: int, variant: int) -> WireResponse:
    where = _pick(base.structures or [()], slot)
    value = _pick(UNKNOWN_VALUES, variant)
    body = replaced(base.body, (*where, UNKNOWN_MEMBER), value)
    label = f"unknown member {json_pointer((*where, UNKNOWN_MEMBER))} = {shown(value)} (clients must ignore it)"
    if base.is_error:
        return gen.error_response(base, body, label, mode=VALID, family="unknown-member", target="error body")
    return gen.success(body, label, VALID, "unknown-member", "structure", expected=body)


# How a code travels: (label, __type value or None, `code` member or None, X-Amzn-ErrorType header or None).
def _code_carriers(code: str) -> list[tuple[str, str | None, str | None, str | None]]:
    return [
        ("code in __type", code, None, None),
        ("namespaced code in __type", f"{NAMESPACE}#{code}", None, None),
        ("namespaced code with a URI in __type", f"{NAMESPACE}#{code}:{CORAL_URI}", None, None),
        ("code only in the X-Amzn-ErrorType header", None, None, code),
        ("code with a URI only in the X-Amzn-ErrorType header", None, None, f"{code}:{CORAL_URI}"),
        ("code only in a body `code` member", None, code, None),
        ("namespaced code only in a body `code` member", None, f"{NAMESPACE}#{code}", None),
        ("code in __type and in the X-Amzn-ErrorType header", code, None, code),
    ]


def _error_code(gen: ResponseGenerator, base: Base, slot: int, variant: int) -> WireResponse | None:
    assert base.code is not None
    label, dunder, member, header = _pick(_code_carriers(base.code), variant)
    body = dict(base.body)
    if dunder is not None:
        body = {"__type": dunder, **body}
    if member is not None:
        body = {"code": member, **body}
    headers = gen.context.headers()
    if header is not None:
        headers["X-Amzn-ErrorType"] = header
    return WireResponse(base.status, headers, encode(body), f"{base.code} (HTTP {base.status}): {label}",
                        "error-code", label, gen.error_expectation(base, base.body, VALID))


# Errors any AWS service may answer with, declared or not (conformance.checks.error_codes).
COMMON_ERRORS: tuple[tuple[str, int, dict[str, str]], ...] = (
    ("ThrottlingException", 400, {"message": "Rate exceeded"}),
    ("com.amazon.coral.service#UnrecognizedClientException", 400,
     {"message": "The security token included in the request is invalid."}),
    ("AccessDeniedException", 400, {"Message": "User is not authorized to perform this action"}),
    ("ValidationException", 400, {"message": "1 validation error detected"}),
    ("ServiceUnavailableException", 503, {"message": "Service unavailable"}),
    ("InternalFailure", 500, {}),
)


def _common_error(gen: ResponseGenerator, base: Base, slot: int, variant: int) -> WireResponse | None:
    """Errors any AWS service may answer with, as this service would send them, written as the protocol
    writes an error (`ResponseGenerator.common_error_wire`)."""
    if not gen.common_errors:
        return None
    raw, status, members = _pick(gen.common_errors, variant)
    code = raw.rsplit("#", 1)[-1]
    known = gen.context.error_for_code(code)
    headers, body, expected, shown = gen.common_error_wire(raw, code, status, members, known)
    return WireResponse(status, headers, body, f"common error {shown} (HTTP {status})", "common-error",
                        "error code", Expectation(VALID, expected, code, known.name if known else None))


def _common_errors(context: OperationContext) -> tuple[tuple[str, int, dict[str, str]], ...]:
    """COMMON_ERRORS as this service would send them: when it models a code, the message goes under the
    shape's message member, and a code whose shape needs more than a message is left out."""
    usable = []
    for raw, status, members in COMMON_ERRORS:
        known = context.error_for_code(raw.rsplit("#", 1)[-1])
        if known is not None:
            properties = context.resolve(known.schema).get("properties", {})
            name = next((p for p in properties if p.lower() == "message"), None)
            text = next(iter(members.values()), "")
            members = {name: text} if name else {}
            if not FastCheck(known.schema).check(members):
                continue
        usable.append((raw, status, members))
    return tuple(usable)


WRONG_CONTENT_TYPES: tuple[str | None, ...] = ("text/html", "application/json", "application/xml",
                                               "text/plain; charset=utf-8", None, "")


def _content_type(gen: ResponseGenerator, base: Base, slot: int, variant: int) -> WireResponse:
    chosen = _pick((*WRONG_CONTENT_TYPES, gen.other_json_content_type()), variant)
    label = "no Content-Type header" if chosen is None else f"Content-Type {chosen!r}"
    if base.is_error:
        response = gen.error_response(base, base.body, label, mode=INTACT, family="content-type",
                                      target="error")
    else:
        response = gen.success(base.body, label, INTACT, "content-type", "output", expected=base.body)
    # The answer's other headers stay (the rest protocols carry members in them).
    headers = {name: value for name, value in response.headers.items() if name.lower() != "content-type"}
    if chosen is not None:
        headers = {"Content-Type": chosen, **headers}
    return WireResponse(response.status, headers, response.body, response.label, response.family,
                        response.target, response.expectation)


# Values of each JSON type, for type confusion; the kinds each JSON type is right for.
WRONG_TYPED: tuple[tuple[str, Any], ...] = (
    ("string", "conformance"), ("integer", 7), ("float", 1.5), ("boolean", True), ("array", ["conformance"]),
    ("object", {"conformance": 1}), ("empty array", []), ("empty object", {}), ("null", None),
)
RIGHT_TYPES = {
    "string": {"string"}, "enum": {"string"}, "blob": {"string"},
    "integer": {"integer"}, "float": {"integer", "float"},
    "boolean": {"boolean"},
    "structure": {"object", "empty object"}, "union": {"object"}, "map": {"object", "empty object"},
    "list": {"array", "empty array"},
}


def _wrong_types(slot: Slot) -> list[tuple[str, Any]]:
    if slot.kind == "timestamp":
        right = {"integer", "float"} if slot.schema.get("type") == "number" else {"string"}
    else:
        right = RIGHT_TYPES.get(slot.kind, set())
    nullable = slot.role in ("item", "value")  # null is absent for members and allowed in sparse collections
    return [(name, value) for name, value in WRONG_TYPED if name not in right and (name != "null" or nullable)]


def _wrong_type(gen: ResponseGenerator, base: Base, slot: int, variant: int) -> WireResponse | None:
    slots = [s for s in base.slots if s.kind != "document"]
    if not slots:
        return None
    chosen = _pick(slots, slot)
    given, value = _pick(_wrong_types(chosen), variant)
    label = f"{given} {shown(value)} at {chosen.pointer}, where the model has {chosen.kind} ({chosen.role})"
    return gen.malformed(base, replaced(base.body, chosen.path, value), label, "wrong-type", chosen.kind)


def _in_slots(kinds: set[str]) -> Callable[[Base], list[Slot]]:
    return lambda base: [s for s in base.slots if s.kind in kinds]


def _enum(gen: ResponseGenerator, base: Base, slot: int, variant: int) -> WireResponse | None:
    slots = _in_slots({"enum"})(base)
    if not slots:
        return None
    chosen = _pick(slots, slot)
    allowed = [str(v) for v in chosen.schema.get("enum", [])]
    first = allowed[0] if allowed else "A"
    value = _pick([UNKNOWN_ENUM_VALUE, "", first.lower() if first.lower() != first else first + "_", f" {first}"],
                  variant)
    label = f"{shown(value)} at {chosen.pointer}, outside the enum ({', '.join(allowed[:4])}...)"
    return gen.malformed(base, replaced(base.body, chosen.path, value), label, "enum", "enum")


def _out_of_range(gen: ResponseGenerator, base: Base, slot: int, variant: int) -> WireResponse | None:
    slots = [s for s in _in_slots({"integer", "float"})(base) if "minimum" in s.schema or "maximum" in s.schema]
    if not slots:
        return None
    chosen = _pick(slots, slot)
    low, high = chosen.schema.get("minimum"), chosen.schema.get("maximum")
    candidates: list[int | float] = []
    if high is not None:
        candidates.append(high + 1)
    if low is not None:
        candidates.append(low - 1)
    for extreme in (INT32[1] + 1, INT32[0] - 1, INT64[1] + 1, INT64[0] - 1, 2**64, 10**30):
        if (high is not None and extreme > high) or (low is not None and extreme < low):
            candidates.append(extreme)
    value = _pick(list(dict.fromkeys(candidates)), variant)
    label = f"{value} at {chosen.pointer}, outside [{low}, {high}] ({chosen.kind})"
    return gen.malformed(base, replaced(base.body, chosen.path, value), label, "out-of-range", chosen.kind)


NON_FINITE_LITERALS = ("NaN", "Infinity", "-Infinity", "1e400", "-1e400", "1" + "0" * 400, "-" + "9" * 5000,
                       "1.5e99999999999")


def _numeric_slots(base: Base) -> list[Slot]:
    return [s for s in base.slots
            if s.kind in ("integer", "float") or (s.kind == "timestamp" and s.schema.get("type") == "number")]


def _non_finite(gen: ResponseGenerator, base: Base, slot: int, variant: int) -> WireResponse | None:
    slots = _numeric_slots(base)
    if not slots:
        return None
    chosen = _pick(slots, slot)
    literal = _pick(NON_FINITE_LITERALS, variant)
    what = "a bare non-JSON literal" if literal.lstrip("-") in ("NaN", "Infinity") else "a huge number"
    label = f"{what} {shown(Raw(literal))} at {chosen.pointer} ({chosen.kind})"
    return gen.malformed(base, replaced(base.body, chosen.path, Raw(literal)), label, "non-finite-or-huge-number",
                         chosen.kind)


INVALID_TIMESTAMPS: tuple[tuple[str, Any], ...] = (
    ("epoch", 1e20), ("epoch", -1e20), ("epoch", 253402300800), ("epoch", -62135596801), ("epoch", "NaN"),
    ("epoch", "1e400"),
    ("ISO 8601", "2019-13-45T25:61:61Z"), ("ISO 8601", "2019-02-30T00:00:00Z"), ("ISO 8601", "10000-01-01T00:00:00Z"),
    ("ISO 8601", "2019-12-16T22:48:18+25:00"), ("ISO 8601", "not a timestamp"), ("ISO 8601", ""),
    ("HTTP date", "Sun, 32 Foo 2000 25:00:00 GMT"), ("HTTP date", "Mon, 30 Feb 2019 00:00:00 GMT"),
    ("HTTP date", "Sun, 02 Jan 2000"),
)


def _timestamp(gen: ResponseGenerator, base: Base, slot: int, variant: int) -> WireResponse | None:
    slots = _in_slots({"timestamp"})(base)
    if not slots:
        return None
    chosen = _pick(slots, slot)
    representation, value = _pick(INVALID_TIMESTAMPS, variant)
    fmt = chosen.schema.get("x-aws-timestamp-format")
    label = f"invalid {representation} timestamp {shown(value)} at {chosen.pointer} (the model's format: {fmt})"
    return gen.malformed(base, replaced(base.body, chosen.path, value), label, "invalid-timestamp", representation)


INVALID_BASE64 = ("YWJj=", "YWJjZA", "Y", "====", "@@@@", "YW Jj", "YWJj\nZGVm", "YWJj==ZGVm", "ü")


def _base64(gen: ResponseGenerator, base: Base, slot: int, variant: int) -> WireResponse | None:
    slots = [s for s in _in_slots({"blob"})(base) if not s.schema.get("x-aws-streaming")]
    if not slots:
        return None
    chosen = _pick(slots, slot)
    value = _pick(INVALID_BASE64, variant)
    label = f"invalid base64 {shown(value)} at {chosen.pointer}"
    return gen.malformed(base, replaced(base.body, chosen.path, value), label, "invalid-base64", "blob")


NOT_OBJECTS = (b"[]", b'"a string"', b"42", b"null", b"true", b"[{}]", b"1.5")


def _not_an_object(gen: ResponseGenerator, base: Base, slot: int, variant: int) -> WireResponse:
    body = _pick(NOT_OBJECTS, variant)
    where = f"HTTP {base.status} " if base.is_error else ""
    return gen.raw(base, body, f"{where}body {body.decode()} is not a JSON object", "not-an-object", "body")


INVALID_UTF8 = (b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\xf8\x88\x80\x80\x80", b"\xe2\x82", b"\x80")


def _encoding(gen: ResponseGenerator, base: Base, slot: int, variant: int) -> WireResponse:
    text = gen.base_bytes(base)
    options = len(INVALID_UTF8) + 3
    choice = variant % options
    if choice < len(INVALID_UTF8):
        bad = INVALID_UTF8[choice]
        if b'"' not in text:
            text = b'{"' + UNKNOWN_MEMBER.encode() + b'":""}'
        quotes = [index for index, byte in enumerate(text) if byte == 0x22]  # next to a string literal
        at = _pick(quotes, slot) + 1
        body = text[:at] + bad + text[at:]
        label = f"invalid UTF-8 bytes {bad.hex(' ')} at byte {at}"
    elif choice == len(INVALID_UTF8):
        body, label = text.decode("utf-8").encode("utf-16"), "body encoded in UTF-16 (with a byte order mark)"
    elif choice == len(INVALID_UTF8) + 1:
        body, label = text.decode("utf-8").encode("utf-16-le"), "body encoded in UTF-16LE"
    else:
        body, label = b"\xef\xbb\xbf" + text, "body starting with a UTF-8 byte order mark"
    return gen.raw(base, body, label, "encoding", "body")


def _truncated(gen: ResponseGenerator, base: Base, slot: int, variant: int) -> WireResponse:
    text = gen.base_bytes(base)
    if len(text) < 2:
        text = b'{"' + UNKNOWN_MEMBER.encode() + b'":1}'
    cut = (slot * 7 + variant) % len(text)
    label = f"JSON cut after {cut} of {len(text)} bytes" if cut else f"empty body instead of {len(text)} bytes"
    return gen.raw(base, text[:cut], label, "truncated", "body")


DEPTHS = (2_500, 25_000)  # past Python's default recursion limit, and far past it


@functools.lru_cache(maxsize=8)
def _nested(depth: int, arrays: bool) -> Raw:
    return Raw("[" * depth + "]" * depth if arrays else '{"a":' * depth + "1" + "}" * depth)


def _deep(gen: ResponseGenerator, base: Base, slot: int, variant: int) -> WireResponse:
    depth = _pick(DEPTHS, variant)
    arrays = variant // len(DEPTHS) % 2 == 0
    nested = _nested(depth, arrays)
    shape = "arrays" if arrays else "objects"
    places = [s.path for s in base.slots if s.kind != "document"] + [(UNKNOWN_MEMBER,)]
    path = _pick(places, slot)
    label = f"{depth} nested {shape} at {json_pointer(path)}"
    return gen.malformed(base, replaced(base.body, path, nested), label, "deep-nesting", "body")


NON_STRING_CODES: tuple[Any, ...] = (42, True, None, [], ["{code}"], {"Code": "{code}"}, 1.5, "", " ")


def _bad_code(gen: ResponseGenerator, base: Base, slot: int, variant: int) -> WireResponse:
    assert base.code is not None
    code = base.code
    options: list[tuple[str, dict[str, Any], dict[str, str]]] = [("no code anywhere", {}, {})]
    for value in NON_STRING_CODES:
        filled = _fill(value, code)
        options.append((f"__type {shown(filled)}", {"__type": filled}, {}))
    options.append(("`code` member 42", {"code": 42}, {}))
    options.append(("empty X-Amzn-ErrorType header", {}, {"X-Amzn-ErrorType": ""}))
    options.append(("__type and X-Amzn-ErrorType disagree on the code",
                    {"__type": code}, {"X-Amzn-ErrorType": "ConformanceOtherException"}))
    label, members, extra = _pick(options, variant)
    headers = {**gen.context.headers(), **extra}
    body = {**members, **base.body}
    return WireResponse(base.status, headers, encode(body), f"HTTP {base.status} error, {label}", "bad-error-code",
                        "missing or invalid code", Expectation(MALFORMED))


def _fill(value: Any, code: str) -> Any:
    if isinstance(value, str):
        return value.replace("{code}", code)
    if isinstance(value, list):
        return [_fill(v, code) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, code) for k, v in value.items()}
    return value


EMPTY_STATUSES = (400, 403, 404, 413, 429, 500, 502, 503, 504)
HTML_PAGE = b"<html><head><title>{status}</title></head><body><h1>{status} Bad Gateway</h1></body></html>"


def _empty_error(gen: ResponseGenerator, base: Base, slot: int, variant: int) -> WireResponse:
    status = _pick(EMPTY_STATUSES, variant)
    body = _pick((b"", b" \n", b"{}"), slot)
    label = f"HTTP {status} with body {body!r}"
    return WireResponse(status, gen.context.headers(), body, label, "empty-error", "error body",
                        Expectation(MALFORMED))


def _html(gen: ResponseGenerator, base: Base, slot: int, variant: int) -> WireResponse:
    status = _pick((502, 504, 403, 400, 200, 500), variant)
    page = HTML_PAGE.replace(b"{status}", str(status).encode())
    body = _pick((page, b"<!DOCTYPE html>\n" + page, b"\n  " + page), slot)
    return WireResponse(status, gen.context.headers("text/html"), body, f"HTTP {status} HTML page ({len(body)} bytes)",
                        "html", "body", Expectation(MALFORMED))


SUCCESS, ERROR = ("success",), ("error",)
BOTH = ("success", "error")
FAMILIES: tuple[Family, ...] = (
    Family("valid", VALID, BOTH, _valid, weight=4, doc="a valid output body or declared error"),
    Family("null-member", VALID, BOTH, _null_member, doc="a member set to null (absent)"),
    Family("unknown-member", VALID, BOTH, _unknown_member, doc="a member the model does not know"),
    Family("error-code", VALID, ERROR, _error_code, weight=2,
           doc="every way the protocol carries an error code: __type (plain, namespaced, with a URI), "
               "X-Amzn-ErrorType header only, body `code` member"),
    Family("common-error", VALID, ERROR, _common_error, doc="undeclared errors any AWS service may send"),
    Family("content-type", INTACT, BOTH, _content_type, doc="a valid body with a wrong or missing Content-Type"),
    Family("wrong-type", MALFORMED, BOTH, _wrong_type, weight=3, doc="type confusion at every member, item, value"),
    Family("enum", MALFORMED, BOTH, _enum, frozenset({"enum"}), doc="string values outside the enum"),
    Family("out-of-range", MALFORMED, BOTH, _out_of_range, frozenset({"integer", "float"}),
           doc="numbers past the model's or the type's range"),
    Family("non-finite-or-huge-number", MALFORMED, BOTH, _non_finite, frozenset({"integer", "float", "timestamp"}),
           doc="NaN/Infinity literals, 1e400, numbers of hundreds or thousands of digits"),
    Family("invalid-timestamp", MALFORMED, BOTH, _timestamp, frozenset({"timestamp"}),
           doc="invalid timestamps as epoch seconds, ISO 8601 and HTTP dates"),
    Family("invalid-base64", MALFORMED, BOTH, _base64, frozenset({"blob"}), doc="blobs that are not base64"),
    Family("not-an-object", MALFORMED, BOTH, _not_an_object, doc="bodies that are JSON but not an object"),
    Family("encoding", MALFORMED, BOTH, _encoding, doc="invalid UTF-8, UTF-16 bodies, a byte order mark"),
    Family("truncated", MALFORMED, BOTH, _truncated, doc="JSON cut short, down to an empty body"),
    Family("deep-nesting", MALFORMED, BOTH, _deep, doc="thousands of nested arrays or objects"),
    Family("bad-error-code", MALFORMED, ERROR, _bad_code, weight=2,
           doc="error bodies with a missing or non-string code, or an empty X-Amzn-ErrorType"),
    Family("empty-error", MALFORMED, ERROR, _empty_error, doc="4xx/5xx answers with an empty body"),
    Family("html", MALFORMED, ERROR, _html, doc="HTML pages (proxies, load balancers) with any status"),
)
FAMILY_NAMES = tuple(family.name for family in FAMILIES)


# -- the generator -------------------------------------------------------------------------------------


class ResponseGenerator:
    """Builds labelled responses of one operation from bases; see the module docstring."""

    def __init__(self, context: OperationContext) -> None:
        self.context = context
        self.common_errors = _common_errors(context)
        kinds = _reachable_kinds(context)
        self.uses: tuple[Use, ...] = tuple(
            Use(family, base) for family in FAMILIES if not family.needs or family.needs & kinds
            for base in family.bases
        )

    def uses_of(self, modes: Sequence[str] = (VALID, INTACT, MALFORMED)) -> tuple[Use, ...]:
        return tuple(use for use in self.uses if use.family.mode in modes)

    def weighted(self, modes: Sequence[str] = (VALID, INTACT, MALFORMED)) -> tuple[Use, ...]:
        """The uses of MODES, each repeated by its family's weight (the first one is a valid response)."""
        return tuple(use for use in self.uses_of(modes) for _ in range(use.family.weight))

    # -- bases -------------------------------------------------------------------------------------------

    def success_base(self, body: Any) -> Base:
        body = body if isinstance(body, dict) else {}
        return self._with_slots(Base(body), self.context.output)

    def error_base(self, error: DeclaredError, body: Any) -> Base:
        body = body if isinstance(body, dict) else {}
        return self._with_slots(Base(body, error, error.code, error.status), error.schema)

    def common_error_base(self) -> Base:
        """A base for error families when the operation declares no error."""
        return Base({"message": "Rate exceeded"}, None, "ThrottlingException", 400)

    def _with_slots(self, base: Base, schema: Schema) -> Base:
        finder = _SlotFinder(self.context)
        root = self.context.resolve(schema)
        if root.get("x-aws-type") == "structure":
            finder.structure(root, base.body, (), VIRTUAL_DEPTH)
        base.slots, base.structures = finder.slots, finder.structures or [()]
        return base

    # -- building ----------------------------------------------------------------------------------------

    def build(self, use: Use, success: Base, error: Base, slot: int = 0, variant: int = 0) -> WireResponse:
        """USE applied to the base it needs. A family with nothing to change in that base (no slot of its
        kind) gives a response of the same mode that always applies: the valid base, or it cut short."""
        base = error if use.base == "error" else success
        built = use.family.build(self, base, slot, variant)
        if built is None:
            fallback = _truncated if use.family.mode == MALFORMED else _valid
            built = fallback(self, base, slot, variant)
        assert built is not None
        return built

    def base_bytes(self, base: Base) -> bytes:
        return encode({"__type": base.code, **base.body} if base.is_error else base.body)

    def common_error_wire(self, raw: str, code: str, status: int, members: dict[str, str],
                          known: DeclaredError | None) -> tuple[dict[str, str], bytes, Any, str]:
        """A common error RAW (CODE without its namespace) with MEMBERS on the wire: its headers, its body,
        the members a client must read from them (KNOWN: the service's shape for CODE), the code as sent."""
        return self.context.headers(), self.document_bytes({"__type": raw, **members}), members, raw

    def document_bytes(self, document: Any) -> bytes:
        """DOCUMENT (a body in the wire data model) in the protocol's encoding: JSON here."""
        return encode(document)

    def other_json_content_type(self) -> str:
        other = "1.0" if self.context.json_version == "1.1" else "1.1"
        return f"application/x-amz-json-{other}"

    def success(self, body: Any, label: str, mode: str, family: str, target: str,
                expected: Any = None) -> WireResponse:
        expectation = Expectation(mode, expected if mode != MALFORMED else None)
        return WireResponse(200, self.context.headers(), encode(body), label, family, target, expectation)

    def error_expectation(self, base: Base, members: Any, mode: str) -> Expectation:
        if mode == MALFORMED:
            return Expectation(MALFORMED)
        return Expectation(mode, members, base.code, base.error.name if base.error else None)

    def error_response(self, base: Base, members: Any, label: str, *, mode: str, family: str,
                       target: str) -> WireResponse:
        body = {"__type": base.code, **members} if isinstance(members, dict) else members
        full = f"{base.code} (HTTP {base.status}): {label}" if family != "valid" else (
            f"{label} {base.code} (HTTP {base.status})")
        return WireResponse(base.status, self.context.headers(), encode(body), full, family, target,
                            self.error_expectation(base, members, mode))

    def malformed(self, base: Base, body: Any, label: str, family: str, target: str) -> WireResponse:
        if base.is_error:
            return self.error_response(base, body, label, mode=MALFORMED, family=family, target=target)
        return self.success(body, label, MALFORMED, family, target)

    def raw(self, base: Base, body: bytes, label: str, family: str, target: str) -> WireResponse:
        status = base.status if base.is_error else 200
        where = f"{base.code} (HTTP {base.status}): " if base.is_error else ""
        return WireResponse(status, self.context.headers(), body, where + label, family, target,
                            Expectation(MALFORMED))


def _reachable_kinds(context: OperationContext) -> set[str]:
    kinds: set[str] = set()
    schemas = [context.output, *(error.schema for error in context.errors.values())]
    for schema in schemas:
        for shape in schema.get("$defs", {}).values():
            kinds.add(slot_kind(shape))
    return kinds


# -- Hypothesis strategies -----------------------------------------------------------------------------


@functools.lru_cache(maxsize=64)
def generator_for(service: str, operation: str, protocol: str | None = None) -> ResponseGenerator:
    """The generator of SERVICE:OPERATION in botocore's protocol, or PROTOCOL (one the service also speaks)."""
    from conformance.fuzz.xml_generate import generator_of  # it builds on this module

    return generator_of(for_operation(service, operation, protocol))


def base_strategies(generator: ResponseGenerator) -> tuple[st.SearchStrategy[Base], st.SearchStrategy[Base]]:
    """(valid output bases, valid error bases) of the generator's operation, drawn from `strategies`."""
    import strategies

    context = generator.context
    successes = strategies.from_schema(context.output).map(generator.success_base)
    if not context.errors:
        return successes, st.just(generator.common_error_base())
    errors = st.one_of(*(strategies.from_schema(error.schema).map(functools.partial(generator.error_base, error))
                         for error in context.errors.values()))
    return successes, errors


def _responses(service: str, operation: str, modes: Sequence[str],
               protocol: str | None) -> st.SearchStrategy[WireResponse]:
    generator = generator_for(service, operation, protocol)
    successes, errors = base_strategies(generator)
    uses = generator.weighted(modes)

    @st.composite
    def responses(draw: st.DrawFn) -> WireResponse:
        use = draw(st.sampled_from(uses))
        success = draw(successes) if use.base == "success" else generator.success_base({})
        error = draw(errors) if use.base == "error" else generator.common_error_base()
        return generator.build(use, success, error, draw(st.integers(0, 255)), draw(st.integers(0, 255)))

    return responses()


def responses(service: str, operation: str, protocol: str | None = None) -> st.SearchStrategy[WireResponse]:
    """Every kind of response of SERVICE:OPERATION: valid ones, ones off in the headers, malformed ones
    (families weighted as in FAMILIES: about a third valid). PROTOCOL: one the service speaks beside botocore's
    choice (`smithy-rpc-v2-cbor` for CloudWatch), for a server that answers each request in its own protocol."""
    return _responses(service, operation, (VALID, INTACT, MALFORMED), protocol)


def malformed_responses(service: str, operation: str, protocol: str | None = None) -> st.SearchStrategy[WireResponse]:
    """Malformed responses only (each breaks one thing, said by its label)."""
    return _responses(service, operation, (MALFORMED,), protocol)


def valid_responses(service: str, operation: str, protocol: str | None = None) -> st.SearchStrategy[WireResponse]:
    """Valid responses only: outputs and errors in every form the protocol allows."""
    return _responses(service, operation, (VALID,), protocol)
