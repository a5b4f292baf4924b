"""A yes/no validator compiled from a spec schema into Python closures: the fast path of validation.

Most answers a check sees are valid, and jsonschema's general validator spends most of its time resolving
`$ref`s and building evolve()d validators for every member. This compiles the subset of JSON Schema 2020-12
the derived documents use (types, properties, required, additionalProperties, propertyNames, items,
lengths, ranges, patterns, enums, anyOf, $ref with recursion) into closures that only answer "valid?".
`conformance.spec.validation.violations` asks it first and runs jsonschema only on an instance it rejects, so
every violation is still jsonschema's, word for word. A schema using a keyword this module does not know
compiles to None, and validation then always takes jsonschema's path.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

from conformance.spec.derive import Schema, shape_name_of

Check = Callable[[Any], bool]

# Keywords that never reject an instance: annotations, and keywords jsonschema does not assert without a
# format checker (`format`, `contentEncoding`).
ANNOTATIONS = frozenset({"$schema", "$defs", "title", "description", "deprecated", "format", "contentEncoding",
                         "$comment", "examples", "default", "readOnly", "writeOnly"})


class _Unsupported(Exception):
    """A keyword the fast path does not implement: the schema is validated by jsonschema alone."""


def compile_schema(schema: Schema) -> Check | None:
    """A function telling whether an instance is valid against SCHEMA, or None when SCHEMA uses a keyword the
    fast path does not implement."""
    try:
        return _Compiler(schema.get("$defs", {})).compile(schema)
    except _Unsupported:
        return None


def _is_integer(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and value.is_integer())


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


TYPE_TESTS: dict[str, Check] = {
    "object": lambda value: isinstance(value, dict),
    "array": lambda value: isinstance(value, list),
    "string": lambda value: isinstance(value, str),
    "integer": _is_integer,
    "number": _is_number,
    "boolean": lambda value: isinstance(value, bool),
    "null": lambda value: value is None,
}


def _equal(one: Any, other: Any) -> bool:
    """jsonschema's equality for enum: booleans are not numbers, NaN is not NaN."""
    if isinstance(one, bool) or isinstance(other, bool):
        return type(one) is type(other) and one == other
    if isinstance(one, float) and isinstance(other, float) and math.isnan(one) and math.isnan(other):
        return False
    return bool(one == other)


class _Compiler:
    def __init__(self, defs: dict[str, Schema]) -> None:
        self.defs = defs
        self.compiled: dict[str, Check] = {}

    def ref(self, pointer: str) -> Check:
        name = shape_name_of(pointer)
        if not pointer.startswith("#/$defs/") or name not in self.defs:
            raise _Unsupported(pointer)
        if name not in self.compiled:
            # Recursive shapes: the entry exists (and resolves lazily) before its own members compile.
            holder: list[Check] = []
            self.compiled[name] = lambda value: holder[0](value)
            holder.append(self.compile(self.defs[name]))
            self.compiled[name] = holder[0]
        return self.compiled[name]

    def compile(self, schema: Schema) -> Check:
        checks: list[Check] = []
        for keyword in schema:
            if keyword in ANNOTATIONS or keyword.startswith("x-"):
                continue
            if keyword not in KNOWN:
                raise _Unsupported(keyword)
        if "$ref" in schema:
            checks.append(self.ref(schema["$ref"]))
        if "type" in schema:
            kind = schema["type"]
            if not isinstance(kind, str) or kind not in TYPE_TESTS:
                raise _Unsupported(f"type {kind!r}")
            checks.append(TYPE_TESTS[kind])
        if "enum" in schema:
            allowed = list(schema["enum"])
            hashable = all(isinstance(item, str) for item in allowed)
            allowed_set = frozenset(allowed) if hashable else frozenset()
            if hashable:
                checks.append(lambda value: isinstance(value, str) and value in allowed_set)
            else:
                checks.append(lambda value: any(_equal(value, item) for item in allowed))
        if "pattern" in schema:
            search = re.compile(schema["pattern"]).search
            checks.append(lambda value: not isinstance(value, str) or search(value) is not None)
        for keyword, bound in BOUNDS.items():
            if keyword in schema:
                checks.append(bound(schema[keyword]))
        if "anyOf" in schema:
            options = [self.compile(option) for option in schema["anyOf"]]
            checks.append(lambda value: any(option(value) for option in options))
        if "items" in schema:
            item = self.compile(schema["items"])
            checks.append(lambda value: not isinstance(value, list) or all(item(entry) for entry in value))
        checks.extend(self._object(schema))
        if not checks:
            return lambda value: True
        if len(checks) == 1:
            return checks[0]
        return lambda value: all(check(value) for check in checks)

    def _object(self, schema: Schema) -> list[Check]:
        checks: list[Check] = []
        properties: dict[str, Check] = {name: self.compile(member)
                                        for name, member in schema.get("properties", {}).items()}
        required = tuple(schema.get("required", ()))
        additional = schema.get("additionalProperties", True)
        names = self.compile(schema["propertyNames"]) if "propertyNames" in schema else None
        if required:
            checks.append(lambda value: not isinstance(value, dict) or all(name in value for name in required))
        if not properties and additional is True and names is None:
            return checks
        others: Check | None
        if additional is False:
            others = None
        elif additional is True:
            others = lambda value: True  # noqa: E731 - a constant check
        else:
            others = self.compile(additional)

        def members(value: Any) -> bool:
            if not isinstance(value, dict):
                return True
            for key, item in value.items():
                if names is not None and not names(key):
                    return False
                member = properties.get(key)
                if member is not None:
                    if not member(item):
                        return False
                elif others is None or not others(item):
                    return False
            return True

        checks.append(members)
        return checks


def _bound(applies: Callable[[Any], bool], measure: Callable[[Any], Any],
           holds: Callable[[Any, Any], bool]) -> Callable[[Any], Check]:
    def make(limit: Any) -> Check:
        return lambda value: not applies(value) or holds(measure(value), limit)
    return make


def _at_least(value: Any, limit: Any) -> bool:
    return bool(value >= limit)


def _at_most(value: Any, limit: Any) -> bool:
    return bool(value <= limit)


def _itself(value: Any) -> Any:
    return value


BOUNDS: dict[str, Callable[[Any], Check]] = {
    "minLength": _bound(TYPE_TESTS["string"], len, _at_least),
    "maxLength": _bound(TYPE_TESTS["string"], len, _at_most),
    "minItems": _bound(TYPE_TESTS["array"], len, _at_least),
    "maxItems": _bound(TYPE_TESTS["array"], len, _at_most),
    "minProperties": _bound(TYPE_TESTS["object"], len, _at_least),
    "maxProperties": _bound(TYPE_TESTS["object"], len, _at_most),
    "minimum": _bound(_is_number, _itself, _at_least),
    "maximum": _bound(_is_number, _itself, _at_most),
}

KNOWN = frozenset({"$ref", "type", "enum", "pattern", "minLength", "maxLength", "minItems", "maxItems",
                   "minProperties", "maxProperties", "minimum", "maximum", "anyOf", "items", "properties",
                   "required", "additionalProperties", "propertyNames"})
