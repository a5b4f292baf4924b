"""boto3 call parameters for a wire-model input value.

The schemas key members by their wire name and carry blobs as base64 and timestamps as epoch numbers or
strings; boto3 takes member names, `bytes` and `datetime`. The walk follows the schema and leaves anything
it does not expect (unknown members, values of the wrong type in invalid cases) as it is, so an invalid
case reaches the endpoint as invalid as it was generated (send it with `parameter_validation=False`).
"""

from __future__ import annotations

import base64
import binascii
import datetime
import email.utils
from typing import Any

from conformance.spec import part
from strategies.compile import Compiler, Schema, compiler_for


def to_params(service: str, operation: str, value: Any) -> Any:
    schema = part(service, operation, "input")
    return _Converter(compiler_for(schema)).convert(schema, value)


class _Converter:
    def __init__(self, compiler: Compiler) -> None:
        self.compiler = compiler

    def convert(self, schema: Schema, value: Any) -> Any:
        schema = self.compiler.resolve(schema)
        if value is None or schema.get("x-aws-type") == "document":
            return value
        if "anyOf" in schema:  # sparse members, non-finite floats: convert by the first option that fits
            return self._any_of(schema["anyOf"], value)
        if isinstance(value, dict):
            return self._object(schema, value)
        if isinstance(value, list) and isinstance(schema.get("items"), dict):
            return [self.convert(schema["items"], item) for item in value]
        fmt = schema.get("x-aws-timestamp-format")
        if fmt is not None:
            return _timestamp(fmt, value)
        if schema.get("contentEncoding") == "base64" and isinstance(value, str):
            return _blob(value)
        return value

    def _any_of(self, options: list[Schema], value: Any) -> Any:
        for option in options:
            target = self.compiler.resolve(option)
            if value is not None and target.get("type") != "null":
                return self.convert(target, value)
        return value

    def _object(self, schema: Schema, value: dict[str, Any]) -> dict[str, Any]:
        properties: dict[str, Schema] = schema.get("properties", {})
        if properties or schema.get("additionalProperties") is False:
            converted: dict[str, Any] = {}
            for key, member in value.items():
                if key in properties:
                    converted[properties[key].get("x-aws-member", key)] = self.convert(properties[key], member)
                else:
                    converted[key] = member
            return converted
        values = schema.get("additionalProperties")
        if isinstance(values, dict):
            return {key: self.convert(values, member) for key, member in value.items()}
        return value


def _timestamp(fmt: str, value: Any) -> Any:
    try:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return datetime.datetime.fromtimestamp(value, tz=datetime.UTC)
        if isinstance(value, str) and fmt == "rfc822":
            return email.utils.parsedate_to_datetime(value)
        if isinstance(value, str):
            return datetime.datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except (ValueError, OverflowError, OSError, TypeError):
        pass  # not a timestamp (an invalid case): send it as it is
    return value


def _blob(value: str) -> Any:
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return value
