"""AWS-style input validation errors, built from the input schema the rest of the project validates with.

AWS (Coral) reports constraint violations as one ValidationException-class error listing all of them:
`2 validation errors detected: Value 'x' at 'inputRecordTables.1.member.tableName' failed to satisfy
constraint: Member must have length less than or equal to 255; Value null at 'role' failed to satisfy
constraint: Member must not be null`. Member paths use lowerCamel member names, `N.member` for the N-th
(1-based) list item, and a map's own path with `Map keys/value must satisfy constraint: [...]`. A value of
the wrong JSON type is not a constraint violation but a deserialization failure: SerializationException.

Judgement comes from `conformance.spec.validation` (the same compiled validator and the same null-member
reading as every check); this module only words what it found.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from typing import Any, Literal

from jsonschema.exceptions import ValidationError, best_match

from conformance import spec
from conformance.spec.derive import INT32, INT64, Schema, shape_name_of
from conformance.spec.validation import as_clients_read, validator_for

Kind = Literal["validation", "serialization", "unknown-member"]

# Longest value quoted in a message; longer ones (and sensitive ones) are left out, as AWS leaves out
# values it must not echo.
MAX_SHOWN_VALUE = 64
# Declared errors an operation answers invalid input with (Glue declares InvalidInputException); an
# operation that declares neither gets ValidationException, which AWS sends to any operation.
VALIDATION_ERROR_NAMES = ("ValidationException", "InvalidInputException")
COMMON_VALIDATION_ERROR = "ValidationException"
INTEGER_TYPES = {"integer": INT32, "short": INT32, "byte": INT32, "long": INT64, "bigInteger": INT64}
SERIALIZED_TYPES = frozenset({"blob", "timestamp"})  # a malformed value of these fails deserialization


@dataclass(frozen=True)
class InputProblem:
    """One thing wrong with an input: what kind, the AWS member path, and the constraint in AWS words."""

    kind: Kind
    path: str
    constraint: str
    value: Any = None
    show_value: bool = False

    def sentence(self) -> str:
        if self.kind == "serialization":
            where = f"Value at '{self.path}'" if self.path else "The input"
            return f"{where} cannot be deserialized: {self.constraint}"
        shown = f" {_shown(self.value)}" if self.show_value else ""
        return f"Value{shown} at '{self.path}' failed to satisfy constraint: {self.constraint}"


def input_problems(schema: Schema, instance: Any) -> list[InputProblem]:
    """Every problem of INSTANCE against the input SCHEMA, sorted by member path."""
    reader = as_clients_read(schema, instance)
    walker = _PathWalker(schema.get("$defs", {}), schema)
    found: dict[tuple[str, str], InputProblem] = {}
    for error in validator_for(schema).iter_errors(reader):
        for problem in _problems(error, walker):
            found.setdefault((problem.path, problem.constraint), problem)
    return sorted(found.values(), key=lambda p: (p.path, p.constraint))


def validation_message(problems: list[InputProblem]) -> str:
    """`N validation error(s) detected: ...; ...` for constraint problems."""
    count = len(problems)
    noun = "validation error" if count == 1 else "validation errors"
    return f"{count} {noun} detected: " + "; ".join(problem.sentence() for problem in problems)


def serialization_message(problem: InputProblem) -> str:
    return problem.sentence()


def unknown_member_message(problems: list[InputProblem]) -> str:
    names = ", ".join(f"'{problem.path}'" for problem in problems)
    return f"Unknown member(s) {names}: the model of this operation does not have them"


@functools.lru_cache(maxsize=1024)
def validation_error_of(service: str, operation: str,
                        candidates: tuple[str, ...] = VALIDATION_ERROR_NAMES) -> tuple[str, int]:
    """(code, HTTP status) of the error OPERATION answers invalid input with: the first of CANDIDATES it
    declares (InvalidInputException for Glue), else ValidationException."""
    document = spec.document(service, operation)
    declared = {shape_name_of(pointer): name for name, pointer in document["x-aws-errors"].items()}
    for candidate in candidates:
        if candidate in declared.values():
            shape = document["$defs"][next(s for s, n in declared.items() if n == candidate)]
            annotation = shape.get("x-aws-error", {})
            return str(annotation.get("code", candidate)), int(annotation.get("httpStatusCode", 400))
    return COMMON_VALIDATION_ERROR, 400


# -- wording ---------------------------------------------------------------------------------------------


def _problems(error: ValidationError, walker: _PathWalker) -> list[InputProblem]:
    tokens = list(error.absolute_path)
    path, final = walker.walk(tokens)
    schema_path = list(error.absolute_schema_path)
    keyword = str(error.validator)
    target = error.schema if isinstance(error.schema, dict) else {}
    if keyword == "additionalProperties" and error.validator_value is False:
        known = target.get("properties", {})
        extra = sorted(name for name in error.instance if name not in known)
        # Named as sent: the client spelled it, the model has no member name for it.
        return [InputProblem("unknown-member", _join(path, name), "unknown member") for name in extra]
    if keyword == "required":
        missing = [name for name in error.validator_value if name not in error.instance]
        properties = target.get("properties", {})
        return [InputProblem("validation", _join(path, _camel(properties.get(n, {}).get("x-aws-member", n))),
                             "Member must not be null", None, True) for n in missing]
    if keyword == "anyOf":
        return _any_of(error, walker, path, final)
    if len(schema_path) >= 2 and schema_path[-2] == "propertyNames":
        constraint = _constraint(keyword, error, target)
        if constraint is None:
            return [InputProblem("serialization", path, f"unexpected map key {_shown(error.instance)}")]
        return [InputProblem("validation", path, f"Map keys must satisfy constraint: [{constraint}]")]
    if _is_serialization(keyword, error, target):
        return [InputProblem("serialization", path, _serialization_words(keyword, error, target))]
    constraint = _constraint(keyword, error, target) or error.message
    if final == "map-value":
        wrapped = f"Map value must satisfy constraint: [{constraint}]"
        return [InputProblem("validation", walker.map_path(tokens), wrapped)]
    show = not target.get("x-aws-sensitive") and _short_scalar(error.instance)
    return [InputProblem("validation", path, constraint, error.instance, show)]


def _any_of(error: ValidationError, walker: _PathWalker, path: str, final: str) -> list[InputProblem]:
    target = error.schema if isinstance(error.schema, dict) else {}
    if target.get("x-aws-type") in ("double", "float", "bigDecimal"):
        # A number or one of the non-finite spellings; anything else cannot be read as a number.
        return [InputProblem("serialization", path,
                             f"expected a number (or NaN, Infinity, -Infinity), got {_kind(error.instance)}")]
    context = list(error.context or [])
    if not context:
        return [InputProblem("serialization", path, f"unexpected {_kind(error.instance)}")]
    chosen = best_match(context)
    return _problems(chosen, walker)


def _is_serialization(keyword: str, error: ValidationError, target: Schema) -> bool:
    if keyword == "type":
        return True
    if target.get("x-aws-type") in SERIALIZED_TYPES and keyword in ("pattern", "format"):
        return True  # not base64, not a timestamp
    # Integers outside their 32/64-bit type cannot be read at all; inside it, the model's range is a constraint.
    bounds = INTEGER_TYPES.get(str(target.get("x-aws-type")))
    value = error.instance
    return keyword in ("minimum", "maximum") and bounds is not None and isinstance(value, int) and \
        not bounds[0] <= value <= bounds[1]


def _serialization_words(keyword: str, error: ValidationError, target: Schema) -> str:
    aws_type = target.get("x-aws-type", target.get("type", "value"))
    if keyword == "type":
        return f"expected {_article(str(aws_type))}, got {_kind(error.instance)}"
    if aws_type == "blob":
        return "expected a base64-encoded blob, got a string that is not base64"
    if aws_type == "timestamp":
        return f"expected a timestamp, got {_shown(error.instance)}"
    return f"numeric value ({error.instance}) out of range of {aws_type}"


def _constraint(keyword: str, error: ValidationError, target: Schema) -> str | None:
    value = error.validator_value
    if keyword in ("maxLength", "maxItems", "maxProperties") or keyword in ("minLength", "minItems", "minProperties"):
        if target.get("x-aws-union") and keyword in ("minProperties", "maxProperties"):
            return "Member must have exactly one member set (it is a union)"
        bound = value
        if target.get("x-aws-type") == "blob":
            bound = target.get("x-aws-max-bytes" if keyword == "maxLength" else "x-aws-min-bytes", value)
        relation = "less than or equal to" if keyword.startswith("max") else "greater than or equal to"
        return f"Member must have length {relation} {bound}"
    if keyword == "maximum":
        return f"Member must have value less than or equal to {_number(value)}"
    if keyword == "minimum":
        return f"Member must have value greater than or equal to {_number(value)}"
    if keyword == "exclusiveMaximum":
        return f"Member must have value less than {_number(value)}"
    if keyword == "exclusiveMinimum":
        return f"Member must have value greater than {_number(value)}"
    if keyword == "pattern":
        return f"Member must satisfy regular expression pattern: {target.get('x-aws-pattern', value)}"
    if keyword == "enum":
        return f"Member must satisfy enum value set: [{', '.join(str(v) for v in value)}]"
    if keyword == "const":
        return f"Member must be {_shown(value)}"
    return None


# -- member paths ----------------------------------------------------------------------------------------


class _PathWalker:
    """Turns a JSON instance path into an AWS member path by following the schema along it."""

    def __init__(self, defs: dict[str, Schema], root: Schema) -> None:
        self.defs = defs
        self.root = root

    def resolve(self, schema: Any) -> Schema:
        seen = 0
        while isinstance(schema, dict) and "$ref" in schema and seen < 64:
            schema = self.defs.get(shape_name_of(schema["$ref"]), {})
            seen += 1
        return schema if isinstance(schema, dict) else {}

    def walk(self, tokens: list[Any]) -> tuple[str, str]:
        """(AWS path, what the last token was: "member", "item", "map-value" or "root")."""
        schema = self.resolve(self.root)
        parts: list[str] = []
        final = "root"
        for token in tokens:
            schema, part, final = self._step(schema, token)
            parts.append(part)
        return ".".join(parts), final

    def map_path(self, tokens: list[Any]) -> str:
        return self.walk(tokens[:-1])[0]

    def _step(self, schema: Schema, token: Any) -> tuple[Schema, str, str]:
        if isinstance(token, int):
            items = schema.get("items", {})
            for option in items.get("anyOf", []) if isinstance(items, dict) else []:
                if "$ref" in option:
                    items = option
            return self.resolve(items), f"{token + 1}.member", "item"
        properties = schema.get("properties")
        if isinstance(properties, dict) and token in properties:
            member = properties[token]
            return self.resolve(member), _camel(member.get("x-aws-member", token)), "member"
        values = schema.get("additionalProperties")
        if isinstance(values, dict):
            for option in values.get("anyOf", []):
                if "$ref" in option:
                    values = option
            return self.resolve(values), str(token), "map-value"
        return {}, str(token), "member"


def _camel(name: str) -> str:
    return name[:1].lower() + name[1:]


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _short_scalar(value: Any) -> bool:
    if isinstance(value, bool) or value is None:
        return True
    if isinstance(value, int | float):
        return True
    return isinstance(value, str) and len(value) <= MAX_SHOWN_VALUE


def _shown(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, int | float):
        return f"'{value}'"
    return json.dumps(value)[:MAX_SHOWN_VALUE]


def _number(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return "null"


def _article(name: str) -> str:
    return f"an {name}" if name[:1] in "aeiou" else f"a {name}"
