"""A fast yes/no validity check of parser results against a schema, with jsonschema as the authority.

jsonschema takes a few hundred microseconds per response; the fuzzer checks thousands of parses a second.
`FastCheck` compiles the keywords `conformance.spec` documents use into closures and reads values the way
`conformance.spec.validation.as_clients_read` does (structure members set to null are absent, a union's
`__type` is ignored). It only decides "valid"; when it says "invalid", `explain` asks jsonschema for the
violations, so a message never comes from this module. A subschema with a keyword it does not know is
handed whole to jsonschema.

Two leniencies, both off under `strict`: members unknown to the model (`additionalProperties: false`) and
string values outside an enum are accepted. AWS adds output members and enum values at any time, and
clients must pass both through (Smithy: enums are open), so neither is a parser defect.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from jsonschema import Draft202012Validator

from conformance.spec.derive import Schema, shape_name_of
from conformance.spec.validation import as_clients_read, json_pointer

Check = Callable[[Any], bool]

# Keywords that assert nothing (annotations) or that the compiled checks below implement.
_ANNOTATIONS = frozenset({"$schema", "$defs", "$comment", "title", "description", "default", "examples",
                          "deprecated", "format", "contentEncoding", "contentMediaType", "readOnly", "writeOnly"})
_IMPLEMENTED = frozenset({"$ref", "type", "enum", "properties", "required", "additionalProperties",
                          "propertyNames", "minProperties", "maxProperties", "items", "minItems", "maxItems",
                          "minLength", "maxLength", "pattern", "minimum", "maximum", "exclusiveMinimum",
                          "exclusiveMaximum", "anyOf"})


def _is_integer(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and value.is_integer())


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


_TYPES: dict[str, Check] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": _is_integer,
    "number": _is_number,
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}


class FastCheck:
    """`check(value)`: whether VALUE (a parse in the wire model) is valid against ROOT, read as clients do."""

    def __init__(self, root: Schema, *, strict: bool = False) -> None:
        self.root = root
        self.strict = strict
        self._defs: dict[str, Schema] = root.get("$defs", {})
        self._compiled: dict[str, Check] = {}
        self._validator: Draft202012Validator | None = None
        self.check = self._compile(root)

    # -- explanations (jsonschema) ------------------------------------------------------------------------

    def explain(self, value: Any) -> list[str]:
        """Every violation jsonschema finds, leniencies applied, as `pointer: message` lines."""
        if self._validator is None:
            self._validator = Draft202012Validator(self.root)
        found = []
        for error in self._validator.iter_errors(as_clients_read(self.root, value)):
            if not self.strict and _lenient(error.validator, error.validator_value, error.schema):
                continue
            shape = error.schema.get("x-aws-shape") if isinstance(error.schema, dict) else None
            suffix = f" (shape {shape})" if shape else ""
            found.append(f"{json_pointer(error.absolute_path) or '/'}: {_short(error.message)}{suffix}")
        return sorted(found)

    # -- compilation ---------------------------------------------------------------------------------------

    def _compile(self, schema: Any) -> Check:
        if schema is True or schema == {}:
            return _always
        if schema is False:
            return _never
        if not isinstance(schema, dict):
            return _always
        keywords = {k for k in schema if not k.startswith("x-") and k not in _ANNOTATIONS}
        if keywords - _IMPLEMENTED or _non_string_enum(schema):
            return self._by_jsonschema(schema)
        checks: list[Check] = []
        if "$ref" in schema:
            checks.append(self._reference(schema["$ref"]))
        if "type" in schema:
            checks.append(_type_check(schema["type"]))
        if "enum" in schema and (self.strict or schema.get("type") != "string"):
            allowed = frozenset(schema["enum"])
            checks.append(lambda v: not isinstance(v, str) or v in allowed)
            if schema.get("type") != "string":
                checks.append(lambda v: isinstance(v, str))
        if "anyOf" in schema:
            options = [self._compile(option) for option in schema["anyOf"]]
            checks.append(lambda v: any(option(v) for option in options))
        checks.extend(self._string_checks(schema))
        checks.extend(self._number_checks(schema))
        if "items" in schema or "minItems" in schema or "maxItems" in schema:
            checks.append(self._array_check(schema))
        if keywords & {"properties", "required", "additionalProperties", "propertyNames", "minProperties",
                       "maxProperties"}:
            checks.append(self._object_check(schema))
        if not checks:
            return _always
        if len(checks) == 1:
            return checks[0]
        return lambda v: all(check(v) for check in checks)

    def _by_jsonschema(self, schema: Schema) -> Check:
        validator = Draft202012Validator({**schema, "$defs": self._defs})
        return lambda v: bool(validator.is_valid(as_clients_read({"$defs": self._defs, **schema}, v)))

    def _reference(self, pointer: str) -> Check:
        name = shape_name_of(pointer)
        compiled = self._compiled

        def referenced(value: Any) -> bool:
            return compiled[name](value)

        if name not in compiled:
            compiled[name] = _always  # a placeholder while a recursive shape compiles
            compiled[name] = self._compile(self._defs.get(name, {}))
        return referenced

    @staticmethod
    def _string_checks(schema: Schema) -> list[Check]:
        checks: list[Check] = []
        low, high = schema.get("minLength"), schema.get("maxLength")
        if low is not None:
            checks.append(lambda v: not isinstance(v, str) or len(v) >= low)
        if high is not None:
            checks.append(lambda v: not isinstance(v, str) or len(v) <= high)
        if "pattern" in schema:
            search = re.compile(schema["pattern"]).search
            checks.append(lambda v: not isinstance(v, str) or search(v) is not None)
        return checks

    @staticmethod
    def _number_checks(schema: Schema) -> list[Check]:
        checks: list[Check] = []
        if "minimum" in schema:
            low = schema["minimum"]
            checks.append(lambda v: not _is_number(v) or not v < low)
        if "maximum" in schema:
            high = schema["maximum"]
            checks.append(lambda v: not _is_number(v) or not v > high)
        if "exclusiveMinimum" in schema:
            xlow = schema["exclusiveMinimum"]
            checks.append(lambda v: not _is_number(v) or not v <= xlow)
        if "exclusiveMaximum" in schema:
            xhigh = schema["exclusiveMaximum"]
            checks.append(lambda v: not _is_number(v) or not v >= xhigh)
        return checks

    def _array_check(self, schema: Schema) -> Check:
        items = self._compile(schema.get("items", True))
        low, high = schema.get("minItems", 0), schema.get("maxItems")

        def array(value: Any) -> bool:
            if not isinstance(value, list):
                return True
            if len(value) < low or (high is not None and len(value) > high):
                return False
            return all(items(item) for item in value)

        return array

    def _object_check(self, schema: Schema) -> Check:
        properties = {name: self._compile(member) for name, member in schema.get("properties", {}).items()}
        required = tuple(schema.get("required", ()))
        extra_schema = schema.get("additionalProperties", True)
        closed = extra_schema is False
        extra = None if isinstance(extra_schema, bool) else self._compile(extra_schema)
        names = self._compile(schema["propertyNames"]) if "propertyNames" in schema else None
        low, high = schema.get("minProperties", 0), schema.get("maxProperties")
        structure = schema.get("x-aws-type") == "structure"
        union = bool(schema.get("x-aws-union"))
        enforce_closed = closed and self.strict

        def obj(value: Any) -> bool:
            if not isinstance(value, dict):
                return True
            if structure:  # as clients read it: null members absent, a union's __type ignored
                value = {k: v for k, v in value.items() if v is not None}
                if union:
                    value.pop("__type", None)
            if len(value) < low or (high is not None and len(value) > high):
                return False
            for name in required:
                if name not in value:
                    return False
            for key, member in value.items():
                check = properties.get(key)
                if check is not None:
                    if not check(member):
                        return False
                elif enforce_closed or (extra is not None and not extra(member)):
                    return False
                if names is not None and not names(key):
                    return False
            return True

        return obj


def _lenient(keyword: Any, keyword_value: Any, schema: Any) -> bool:
    if keyword == "additionalProperties" and keyword_value is False:
        return True  # an unknown member
    return keyword == "enum" and isinstance(schema, dict) and schema.get("type") == "string"  # an open enum


def _non_string_enum(schema: Schema) -> bool:
    return "enum" in schema and not all(isinstance(item, str) for item in schema["enum"])


def _type_check(kind: Any) -> Check:
    if isinstance(kind, list):
        checks = [_TYPES[k] for k in kind]
        return lambda v: any(check(v) for check in checks)
    return _TYPES[kind]


def _short(message: str, limit: int = 160) -> str:
    return message if len(message) <= limit else message[: limit - 3] + "..."


def _always(value: Any) -> bool:
    return True


def _never(value: Any) -> bool:
    return False
