"""Responses botocore has already parsed (placebo recordings, LocalStack snapshots), judged by the checks.

A botocore-parsed response is no longer on the wire: datetimes are `datetime`, blobs are `bytes`, member
names are botocore's. `to_wire` puts the value back into the schema's wire data model (the one every
check validates against; for the XML protocols the schema describes botocore's parse in that same model),
and `judge` gives it the verdicts of the response checks:

- a success: the output validated as `response_schema` and `enum` validate a JSON body
  (`conformance.checks.aws_deviations.output_findings`);
- an error: the code botocore read (`Error.Code`, which already is what a client sees: `__type` without
  its namespace, or a query-compatible service's `x-amzn-query-error` code) judged as `error_code`,
  `error_status` and `not_a_server_error` judge it (`conformance.checks.errors.code_problems`).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from conformance import spec
from conformance.checks.aws_deviations import output_findings
from conformance.checks.errors import error_findings
from conformance.findings import Finding
from conformance.fuzz.convert import bytes_and_floats_in_data_model, format_timestamp
from conformance.spec.derive import Schema, resolve_ref

# What botocore adds to every parse, not part of the output shape.
BOTOCORE_EXTRAS = ("ResponseMetadata",)


@dataclass(frozen=True)
class ParsedResponse:
    """One response as botocore returned it: HTTP status and the parsed dict (`Error` for an error)."""

    service: str
    operation: str
    status: int
    data: Mapping[str, Any]


def judge(response: ParsedResponse, *, strict: bool = False) -> list[Finding]:
    """The findings the response checks give RESPONSE (pointers into the output's wire data model)."""
    if response.status >= 300:
        error = response.data.get("Error")
        error = error if isinstance(error, Mapping) else {}
        # botocore's Error.Code is the code a client sees; QueryErrorCode the `__type` one of a
        # query-compatible service (botocore finds SQS's modeled exception by it).
        names = tuple(dict.fromkeys(str(error[key]) for key in ("Code", "QueryErrorCode") if error.get(key)))
        return error_findings(spec.document(response.service, response.operation), names, response.status,
                              strict=strict)
    schema = spec.part(response.service, response.operation, "output")
    value = {key: member for key, member in response.data.items() if key not in BOTOCORE_EXTRAS}
    return output_findings(schema, to_wire(schema, value), strict=strict)


def to_wire(schema: Schema, value: Any) -> Any:
    """VALUE, a botocore parse of a part described by the self-contained SCHEMA, in its wire data model."""
    return _Converter(schema.get("$defs", {})).convert(schema, value)


class _Converter:
    def __init__(self, defs: dict[str, Schema]) -> None:
        self.defs = defs

    def resolve(self, schema: Schema) -> Schema:
        return resolve_ref(self.defs, schema)

    def convert(self, schema: Schema, value: Any) -> Any:
        schema = self.resolve(schema)
        if isinstance(value, dict):
            kind = schema.get("x-aws-type")
            if kind == "structure" or (kind is None and "properties" in schema):
                properties: dict[str, Schema] = schema.get("properties", {})
                names: dict[str, str] = {member.get("x-aws-member", wire): wire for wire, member in properties.items()}
                converted: dict[str, Any] = {}
                for key, member in value.items():
                    wire_name = str(names.get(key, key))
                    converted[wire_name] = (self.convert(properties[wire_name], member) if wire_name in properties
                                            else member)
                return converted
            if kind == "map":
                values = _member_target(schema.get("additionalProperties", {}))
                return {key: self.convert(values, member) for key, member in value.items()}
            return value
        if isinstance(value, list):
            items = _member_target(schema.get("items", {}))
            return [self.convert(items, item) for item in value]
        fmt = schema.get("x-aws-timestamp-format")
        if isinstance(value, datetime.datetime):
            return value if fmt is None else format_timestamp(value, str(fmt))
        if isinstance(value, str) and schema.get("contentEncoding") == "base64" and not schema.get("x-aws-streaming"):
            value = value.encode("utf-8")  # placebo writes the bytes of a blob as their text
        return bytes_and_floats_in_data_model(schema, value)


def _member_target(schema: Any) -> Schema:
    """The member schema of a (possibly sparse: `anyOf [member, null]`) list or map."""
    if isinstance(schema, dict):
        for option in schema.get("anyOf", []):
            if isinstance(option, dict) and "$ref" in option:
                return option
        return schema
    return {}
