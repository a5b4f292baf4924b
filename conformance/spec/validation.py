"""Validate wire values against derived schemas, telling unknown members apart from broken contracts."""

from __future__ import annotations

import functools
import json
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from conformance.spec.derive import UNKNOWN_MEMBER_KEYWORD, Schema, resolve_ref


@dataclass(frozen=True)
class Violation:
    """One way a value breaks its schema: where (JSON pointer), which keyword, and what was wrong."""

    pointer: str
    keyword: str
    message: str
    unknown_member: bool = False
    # What broke, for telling classes of deviation apart (conformance.checks.aws_deviations): the value,
    # the keyword's value (the bound, the pattern, ...) and the schema holding the keyword.
    instance: Any = field(default=None, compare=False, repr=False)
    bound: Any = field(default=None, compare=False, repr=False)
    schema: Any = field(default=None, compare=False, repr=False)


def json_pointer(path: Any) -> str:
    return "".join("/" + str(token).replace("~", "~0").replace("/", "~1") for token in path)


@functools.lru_cache(maxsize=256)
def _validator(schema_json: str) -> Draft202012Validator:
    return Draft202012Validator(json.loads(schema_json))


# Validators of schema objects seen before, by identity. Each entry holds the schema itself, so its id
# cannot be reused by another object while the entry lives; the cached spec documents and parts come
# back as the same objects, so they skip serializing a whole schema to find its validator.
_BY_IDENTITY: OrderedDict[int, tuple[Schema, Draft202012Validator]] = OrderedDict()
_BY_IDENTITY_SIZE = 512


def validator_for(schema: Schema) -> Draft202012Validator:
    """A validator for SCHEMA, compiled once per distinct schema (SCHEMA must not change afterwards)."""
    known = _BY_IDENTITY.get(id(schema))
    if known is not None and known[0] is schema:
        _BY_IDENTITY.move_to_end(id(schema))
        return known[1]
    validator = _validator(json.dumps(schema, sort_keys=True))
    _BY_IDENTITY[id(schema)] = (schema, validator)
    if len(_BY_IDENTITY) > _BY_IDENTITY_SIZE:
        _BY_IDENTITY.popitem(last=False)
    return validator


def violations(schema: Schema, instance: Any) -> list[Violation]:
    """Every violation of SCHEMA by INSTANCE, sorted by pointer; unknown members flagged as such.

    INSTANCE is read as AWS JSON clients read it (see `as_clients_read`)."""
    read = as_clients_read(schema, instance)
    found: list[Violation] = []
    for error in validator_for(schema).iter_errors(read):
        found.extend(_explain(error))
    return sorted(found, key=lambda v: (v.pointer, v.keyword, v.message))


def as_clients_read(schema: Schema, instance: Any) -> Any:
    """INSTANCE with what AWS JSON protocols tell clients to ignore removed, guided by SCHEMA.

    A structure member set to `null` is absent, a `null` value of a dense (not sparse) map is skipped, and a
    union ignores a `__type` member (Smithy's protocol tests AwsJson11StructuresDontDeserializeNullValues,
    AwsJson10DeserializeAllowNulls, RestJsonDeserializesDenseSetMapAndSkipsNull and
    AwsJson11DeserializeIgnoreType). The input is not changed.
    """
    return _Reader(schema.get("$defs", {})).read(schema, instance)


class _Reader:
    def __init__(self, defs: dict[str, Schema]) -> None:
        self.defs = defs

    def resolve(self, schema: Schema) -> Schema:
        return resolve_ref(self.defs, schema)

    def read(self, schema: Schema, value: Any) -> Any:
        schema = self.resolve(schema)
        if isinstance(value, dict):
            return self._object(schema, value)
        if isinstance(value, list) and isinstance(schema.get("items"), dict):
            items = self._nullable_target(schema["items"])
            return [self.read(items, item) for item in value]
        return value

    def _object(self, schema: Schema, value: dict[str, Any]) -> dict[str, Any]:
        if schema.get("x-aws-type") == "structure":
            properties: dict[str, Schema] = schema.get("properties", {})
            kept = {k: v for k, v in value.items() if v is not None}
            if schema.get("x-aws-union"):
                kept.pop("__type", None)
            return {k: self.read(properties[k], v) if k in properties else v for k, v in kept.items()}
        values = schema.get("additionalProperties")
        if schema.get("x-aws-type") == "map" and isinstance(values, dict):
            target = self._nullable_target(values)
            if target is values:
                # A dense map: clients skip a null value, as if the key were absent (Smithy's
                # RestJsonDeserializesDenseSetMapAndSkipsNull); a sparse one keeps it.
                return {k: self.read(target, v) for k, v in value.items() if v is not None}
            return {k: self.read(target, v) for k, v in value.items()}
        return value

    @staticmethod
    def _nullable_target(schema: Schema) -> Schema:
        # Sparse lists and maps allow null beside the member: read through to the member's schema.
        for option in schema.get("anyOf", []):
            if "$ref" in option:
                return option  # type: ignore[no-any-return]
        return schema


def _explain(error: ValidationError) -> list[Violation]:
    pointer = json_pointer(error.absolute_path)
    if error.validator == UNKNOWN_MEMBER_KEYWORD and error.validator_value is False:
        known = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
        extras = sorted(name for name in error.instance if name not in known)
        return [
            Violation(f"{pointer}/{_escape(name)}", UNKNOWN_MEMBER_KEYWORD,
                      f"unknown member {name!r} (not in the model)", unknown_member=True)
            for name in extras
        ]
    return [Violation(pointer, str(error.validator), _message(error), instance=error.instance,
                      bound=error.validator_value, schema=error.schema)]


def _message(error: ValidationError) -> str:
    shape = error.schema.get("x-aws-shape") if isinstance(error.schema, dict) else None
    suffix = f" (shape {shape})" if shape else ""
    return f"{error.message}{suffix}"


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")
