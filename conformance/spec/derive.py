"""Derive JSON Schema 2020-12 documents from botocore's service model, one per operation.

Every botocore shape becomes one entry of `$defs` under its shape name; members point at it with `$ref`,
which also carries recursive shapes. The schemas describe the JSON data model on the wire for the JSON
protocols (json, rest-json, and smithy-rpc-v2-cbor's equivalent data model); for the XML protocols they
describe botocore's parsed result converted to that same data model.

Structures close with `additionalProperties: false` and nothing else in a document does, so a violation
of exactly that keyword is an unknown member (AWS may add output members at any time) and every other
violation is a broken contract.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from botocore.model import ServiceModel

from conformance.spec.docs import one_line
from conformance.spec.models import RawModel, botocore_version, check_operation, raw_model
from conformance.spec.patterns import whole_value_pattern

Schema = dict[str, Any]

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
UNKNOWN_MEMBER_KEYWORD = "additionalProperties"

JSON_PROTOCOLS = frozenset({"json", "rest-json", "smithy-rpc-v2-cbor"})
REST_PROTOCOLS = frozenset({"rest-json", "rest-xml"})
# Protocols whose bodies (answers, and for rest-xml requests too) are XML, and those whose requests are forms.
XML_PROTOCOLS = frozenset({"query", "ec2", "rest-xml"})

INT32 = (-(2**31), 2**31 - 1)
INT64 = (-(2**63), 2**63 - 1)
NON_FINITE_FLOATS = ["NaN", "Infinity", "-Infinity"]

# Wire formats of timestamps, checked with `pattern` so validation needs no optional format checker.
ISO8601_PATTERN = (
    r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:?\d{2})?$"
)
HTTP_DATE_PATTERN = (
    r"^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
    r"\d{4} \d{2}:\d{2}:\d{2} GMT$"
)
BASE64_PATTERN = r"^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$"

# Default timestamp format of each protocol for body members, and of rest protocols by HTTP location.
BODY_TIMESTAMP_FORMAT = {"json": "unixTimestamp", "rest-json": "unixTimestamp",
                         "smithy-rpc-v2-cbor": "unixTimestamp"}
LOCATION_TIMESTAMP_FORMAT = {"header": "rfc822", "headers": "rfc822", "querystring": "iso8601"}
# Protocols with one timestamp format whatever the model's timestampFormat says (rpcv2Cbor: tag 1 around
# epoch seconds; Smithy's RpcV2CborDateTimeWithFractionalSeconds reads a `date-time` shape so).
FIXED_TIMESTAMP_FORMAT = {"smithy-rpc-v2-cbor": "unixTimestamp"}

MEMBER_FLAGS = {
    "idempotencyToken": "x-aws-idempotency-token",
    "hostLabel": "x-aws-host-label",
    "jsonvalue": "x-aws-jsonvalue",
    "eventpayload": "x-aws-event-payload",
    "streaming": "x-aws-streaming",
}


def def_pointer(shape_name: str) -> str:
    escaped = shape_name.replace("~", "~0").replace("/", "~1")
    return f"#/$defs/{escaped}"


def shape_name_of(pointer: str) -> str:
    return pointer.rsplit("/", 1)[-1].replace("~1", "/").replace("~0", "~")


def resolve_ref(defs: dict[str, Schema], schema: Schema) -> Schema:
    """SCHEMA with its `$ref`s followed through DEFS (a document's `$defs`; `{}` for a name it lacks)."""
    while "$ref" in schema:
        schema = defs.get(shape_name_of(schema["$ref"]), {})
    return schema


class ServiceDeriver:
    """Converts the shapes of one service model, each once, and assembles per-operation documents."""

    def __init__(self, model: ServiceModel) -> None:
        self.model = model
        self.raw: RawModel = raw_model(model)
        self.shapes: dict[str, Any] = self.raw["shapes"]
        self.protocol: str = model.resolved_protocol
        self.is_json = self.protocol in JSON_PROTOCOLS
        self.is_rest = self.protocol in REST_PROTOCOLS
        self._schemas: dict[str, Schema] = {}
        self._refs: dict[str, tuple[str, ...]] = {}

    # -- documents --------------------------------------------------------------------------------

    def operation_names(self) -> list[str]:
        return sorted(self.raw["operations"])

    def document(self, operation: str) -> Schema:
        check_operation(self.model, operation)
        op = self.raw["operations"][operation]
        input_name = op.get("input", {}).get("shape")
        output_name = op.get("output", {}).get("shape")
        error_names = [error["shape"] for error in op.get("errors", [])]
        roots = [name for name in (input_name, output_name, *error_names) if name]
        document: Schema = {
            "$schema": SCHEMA_DIALECT,
            "title": f"{self.model.service_name} {operation}",
        }
        if op.get("documentation"):
            document["description"] = one_line(op["documentation"])
        document.update(self._operation_annotations(operation, op))
        document["x-aws-input"] = def_pointer(input_name) if input_name else None
        document["x-aws-output"] = def_pointer(output_name) if output_name else None
        document["x-aws-errors"] = {name: def_pointer(name) for name in error_names}
        document["$defs"] = self.defs_for(roots)
        return document

    def defs_for(self, roots: Iterable[str]) -> dict[str, Schema]:
        """`$defs` holding ROOTS and every shape they reach, sorted by name for stable output."""
        seen: set[str] = set()
        stack = list(roots)
        while stack:
            name = stack.pop()
            if name in seen:
                continue
            seen.add(name)
            self.shape_schema(name)
            stack.extend(self._refs[name])
        return {name: self._schemas[name] for name in sorted(seen)}

    def _operation_annotations(self, operation: str, op: dict[str, Any]) -> Schema:
        metadata = self.raw["metadata"]
        annotations: Schema = {
            "x-aws-service": self.model.service_name,
            "x-aws-service-id": metadata.get("serviceId"),
            "x-aws-api-version": metadata.get("apiVersion"),
            "x-aws-protocol": self.protocol,
            "x-aws-protocols": metadata.get("protocols", [metadata.get("protocol")]),
            "x-aws-operation": operation,
            # A copy: botocore's S3 customization rewrites the model's own `http` in place when a client sends a
            # request (`remove_bucket_from_url_paths_from_model` drops `/{Bucket}` from requestUri), and the
            # target's clients share the loaded model with derivation.
            "x-aws-http": dict(op.get("http", {})),
        }
        if self.protocol == "json":
            annotations["x-aws-json-version"] = metadata.get("jsonVersion", "1.0")
            annotations["x-aws-target"] = f"{metadata.get('targetPrefix')}.{operation}"
        if metadata.get("awsQueryCompatible") is not None:
            annotations["x-aws-query-compatible"] = True
        if self.protocol in XML_PROTOCOLS:
            if metadata.get("xmlNamespace"):
                annotations["x-aws-xml-namespace"] = metadata["xmlNamespace"]
            if op.get("output", {}).get("resultWrapper"):
                annotations["x-aws-result-wrapper"] = op["output"]["resultWrapper"]
        if op.get("endpoint", {}).get("hostPrefix"):
            annotations["x-aws-host-prefix"] = op["endpoint"]["hostPrefix"]
        if op.get("deprecated"):
            annotations["deprecated"] = True
        annotations["x-aws-unknown-member"] = UNKNOWN_MEMBER_KEYWORD
        # The protocol reads a structure member set to null as absent (conformance.spec.validation).
        annotations["x-aws-null-member"] = "absent"
        annotations["x-aws-botocore-version"] = botocore_version()
        return annotations

    # -- shapes -----------------------------------------------------------------------------------

    def shape_schema(self, name: str) -> Schema:
        if name not in self._schemas:
            shape = self.shapes[name]
            schema, refs = self._convert(name, shape)
            self._schemas[name] = schema
            self._refs[name] = tuple(refs)
        return self._schemas[name]

    def _convert(self, name: str, shape: dict[str, Any]) -> tuple[Schema, list[str]]:
        kind = shape["type"]
        schema: Schema = {"x-aws-shape": name, "x-aws-type": kind}
        if shape.get("documentation"):
            description = one_line(shape["documentation"])
            if description:
                schema["description"] = description
        if shape.get("sensitive"):
            schema["x-aws-sensitive"] = True
        if shape.get("deprecated"):
            schema["deprecated"] = True
        refs: list[str] = []
        if kind == "structure":
            refs = self._structure(shape, schema)
        elif kind == "list":
            refs = self._list(shape, schema)
        elif kind == "map":
            refs = self._map(shape, schema)
        elif kind == "string":
            self._string(shape, schema)
        elif kind in ("integer", "long", "byte", "short", "bigInteger"):
            self._integer(kind, shape, schema)
        elif kind in ("float", "double", "bigDecimal"):
            self._float(shape, schema)
        elif kind == "boolean":
            schema["type"] = "boolean"
        elif kind == "blob":
            self._blob(shape, schema)
        elif kind == "timestamp":
            schema.update(self.timestamp_schema(FIXED_TIMESTAMP_FORMAT.get(self.protocol)
                                                or shape.get("timestampFormat") or self._body_timestamp_format()))
        else:
            raise ValueError(f"{self.model.service_name}: shape {name} has unknown type {kind!r}")
        return schema, refs

    def _structure(self, shape: dict[str, Any], schema: Schema) -> list[str]:
        if shape.get("document"):
            # A document is any JSON value: no constraints at all.
            schema["x-aws-type"] = "document"
            return []
        if shape.get("exception"):
            schema["x-aws-error"] = self._error_annotation(schema["x-aws-shape"], shape)
        schema["type"] = "object"
        properties: dict[str, Schema] = {}
        wire_names: dict[str, str] = {}
        refs: list[str] = []
        for member_name, member in shape.get("members", {}).items():
            wire = self._wire_name(member_name, member)
            wire_names[member_name] = wire
            properties[wire] = self._member(member_name, wire, member)
            refs.append(member["shape"])
        schema["properties"] = properties
        schema[UNKNOWN_MEMBER_KEYWORD] = False
        required = [wire_names[m] for m in shape.get("required", []) if m in wire_names]
        if required:
            schema["required"] = required
        if shape.get("union"):
            schema["x-aws-union"] = True
            schema["minProperties"] = 1
            schema["maxProperties"] = 1
        for trait, annotation in (("payload", "x-aws-payload"), ("eventstream", "x-aws-eventstream"),
                                  ("event", "x-aws-event")):
            if shape.get(trait):
                schema[annotation] = shape[trait]
        self._xml_traits(shape, schema)
        return refs

    def _xml_traits(self, shape: dict[str, Any], schema: Schema) -> None:
        """The XML and query-form names of a shape, for the protocols that travel as XML or as forms."""
        if self.is_json:
            return
        if shape.get("locationName"):
            schema["x-aws-xml-name"] = shape["locationName"]
        if shape.get("xmlNamespace"):
            schema["x-aws-xml-namespace"] = shape["xmlNamespace"]
        if shape.get("flattened"):
            schema["x-aws-flattened"] = True

    def _error_annotation(self, name: str, shape: dict[str, Any]) -> Schema:
        error = shape.get("error", {})
        annotation: Schema = {
            "code": error.get("code", name),
            "fault": "server" if shape.get("fault") else "client",
        }
        if "httpStatusCode" in error:
            annotation["httpStatusCode"] = error["httpStatusCode"]
        if shape.get("retryable"):
            annotation["retryable"] = True
        return annotation

    def _wire_name(self, member_name: str, member: dict[str, Any]) -> str:
        # JSON protocols put a body member under its locationName; members bound to HTTP locations and
        # every member of XML protocols (described as botocore parses them) keep the member name.
        if self.is_json and "location" not in member:
            return str(member.get("locationName", member_name))
        return member_name

    def _member(self, member_name: str, wire: str, member: dict[str, Any]) -> Schema:
        target = member["shape"]
        location = member.get("location")
        schema: Schema
        target_shape = self.shapes[target]
        if location in LOCATION_TIMESTAMP_FORMAT and target_shape["type"] == "timestamp":
            # The same timestamp shape has another wire format in a header or query string.
            fmt = target_shape.get("timestampFormat") or LOCATION_TIMESTAMP_FORMAT[location]
            schema = {"x-aws-shape": target, "x-aws-type": "timestamp", **self.timestamp_schema(fmt)}
        elif (location in LOCATION_TIMESTAMP_FORMAT and target_shape["type"] == "list"
              and self.shapes[target_shape["member"]["shape"]]["type"] == "timestamp"):
            # A list of timestamps in a header or query string: each item in that location's format.
            item = self.shapes[target_shape["member"]["shape"]]
            fmt = item.get("timestampFormat") or LOCATION_TIMESTAMP_FORMAT[location]
            schema = {"x-aws-shape": target, "x-aws-type": "list", "type": "array",
                      "items": {"x-aws-shape": target_shape["member"]["shape"], "x-aws-type": "timestamp",
                                **self.timestamp_schema(fmt)}}
            _copy_bounds(target_shape, schema, "minItems", "maxItems")
        else:
            schema = {"$ref": def_pointer(target)}
        if member.get("documentation"):
            description = one_line(member["documentation"])
            if description:
                schema["description"] = description
        if wire != member_name:
            schema["x-aws-member"] = member_name
        if location and self.is_rest:
            schema["x-aws-location"] = location
            if "locationName" in member:
                schema["x-aws-location-name"] = member["locationName"]
        elif not self.is_json:
            self._member_xml_traits(member, schema)
        if (member.get("timestampFormat") and self.shapes[target]["type"] == "timestamp" and "$ref" in schema
                and self.protocol not in FIXED_TIMESTAMP_FORMAT):
            # A member-level format overrides its shape's: the member travels in its own format.
            schema = {"x-aws-shape": target, "x-aws-type": "timestamp",
                      **self.timestamp_schema(member["timestampFormat"]),
                      **{k: v for k, v in schema.items() if k != "$ref"}}
        if member.get("deprecated"):
            schema["deprecated"] = True
        for trait, annotation in MEMBER_FLAGS.items():
            if member.get(trait):
                schema[annotation] = True
        return schema

    @staticmethod
    def _member_xml_traits(member: dict[str, Any], schema: Schema) -> None:
        """Where a body member travels in XML (element or attribute name, namespace, flattened) and in a form."""
        for trait, annotation in (("locationName", "x-aws-xml-name"), ("queryName", "x-aws-query-name"),
                                  ("xmlNamespace", "x-aws-xml-namespace")):
            if member.get(trait):
                schema[annotation] = member[trait]
        for trait, annotation in (("flattened", "x-aws-flattened"), ("xmlAttribute", "x-aws-xml-attribute")):
            if member.get(trait):
                schema[annotation] = True

    def _list(self, shape: dict[str, Any], schema: Schema) -> list[str]:
        target = shape["member"]["shape"]
        if not self.is_json:
            # XML wraps each item in an element named by the member's locationName ("member" by default).
            schema["x-aws-member-name"] = shape["member"].get("locationName", "member")
            self._xml_traits(shape, schema)
        schema["type"] = "array"
        item: Schema = {"$ref": def_pointer(target)}
        schema["items"] = {"anyOf": [item, {"type": "null"}]} if shape.get("sparse") else item
        _copy_bounds(shape, schema, "minItems", "maxItems")
        return [target]

    def _map(self, shape: dict[str, Any], schema: Schema) -> list[str]:
        key, value = shape["key"]["shape"], shape["value"]["shape"]
        if not self.is_json:
            # XML maps are <entry><key/><value/></entry> unless the key and value say their own names.
            schema["x-aws-key-name"] = shape["key"].get("locationName", "key")
            schema["x-aws-value-name"] = shape["value"].get("locationName", "value")
            self._xml_traits(shape, schema)
        schema["type"] = "object"
        schema["propertyNames"] = {"$ref": def_pointer(key)}
        value_schema: Schema = {"$ref": def_pointer(value)}
        schema["additionalProperties"] = (
            {"anyOf": [value_schema, {"type": "null"}]} if shape.get("sparse") else value_schema
        )
        _copy_bounds(shape, schema, "minProperties", "maxProperties")
        return [key, value]

    def _string(self, shape: dict[str, Any], schema: Schema) -> None:
        schema["type"] = "string"
        _copy_bounds(shape, schema, "minLength", "maxLength")
        if "pattern" in shape:
            schema["pattern"] = whole_value_pattern(shape["pattern"])  # AWS matches the whole value
            schema["x-aws-pattern"] = shape["pattern"]
        if "enum" in shape:
            schema["enum"] = list(shape["enum"])

    def _integer(self, kind: str, shape: dict[str, Any], schema: Schema) -> None:
        schema["type"] = "integer"
        # Smithy's integer is 32-bit and long 64-bit; the model's range narrows them.
        low, high = INT64 if kind in ("long", "bigInteger") else INT32
        schema["minimum"] = int(shape["min"]) if "min" in shape else low
        schema["maximum"] = int(shape["max"]) if "max" in shape else high

    def _float(self, shape: dict[str, Any], schema: Schema) -> None:
        number: Schema = {"type": "number"}
        if "min" in shape:
            number["minimum"] = shape["min"]
        if "max" in shape:
            number["maximum"] = shape["max"]
        if self.is_json and "min" not in shape and "max" not in shape:
            # JSON protocols send non-finite floats as these strings; a range excludes them.
            schema["anyOf"] = [number, {"enum": list(NON_FINITE_FLOATS)}]
        else:
            schema.update(number)

    def _blob(self, shape: dict[str, Any], schema: Schema) -> None:
        schema["type"] = "string"
        schema["contentEncoding"] = "base64"
        if shape.get("streaming"):
            # A streaming payload is raw bytes on the wire; only its presence can be described.
            schema["x-aws-streaming"] = True
            return
        schema["pattern"] = BASE64_PATTERN
        # The model bounds bytes; base64 of n bytes is exactly 4*ceil(n/3) characters long.
        if "min" in shape:
            schema["x-aws-min-bytes"] = shape["min"]
            schema["minLength"] = 4 * math.ceil(shape["min"] / 3)
        if "max" in shape:
            schema["x-aws-max-bytes"] = shape["max"]
            schema["maxLength"] = 4 * math.ceil(shape["max"] / 3)

    def _body_timestamp_format(self) -> str:
        return BODY_TIMESTAMP_FORMAT.get(self.protocol, "iso8601")

    @staticmethod
    def timestamp_schema(fmt: str) -> Schema:
        if fmt == "unixTimestamp":
            return {"type": "number", "x-aws-timestamp-format": fmt}
        if fmt == "rfc822":
            return {"type": "string", "pattern": HTTP_DATE_PATTERN, "x-aws-timestamp-format": fmt}
        return {"type": "string", "format": "date-time", "pattern": ISO8601_PATTERN,
                "x-aws-timestamp-format": "iso8601"}


def _copy_bounds(shape: dict[str, Any], schema: Schema, low_keyword: str, high_keyword: str) -> None:
    if "min" in shape and shape["min"] > 0:
        schema[low_keyword] = int(shape["min"])
    if "max" in shape:
        schema[high_keyword] = int(shape["max"])


def derive_operation(model: ServiceModel, operation: str) -> Schema:
    return ServiceDeriver(model).document(operation)
