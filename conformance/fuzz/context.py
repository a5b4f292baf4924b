"""One operation as the fuzzer sees it: its output and error schemas, its wire protocol, its error codes.

Built from a service name (`for_operation`, through the cached `conformance.spec` documents) or from any
botocore `ServiceModel` (`for_model`, used for the protocol-test fixtures, whose services botocore does not
ship). The AWS JSON 1.0 / 1.1, query, ec2, smithy-rpc-v2-cbor, rest-json and rest-xml protocols are spoken:
their responses are what the generators write. A service whose model lists several protocols (CloudWatch:
rpc-v2-cbor, json, query) is fuzzed in botocore's choice unless `for_operation(..., protocol=...)` names another
one of the JSON data model.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

from botocore.model import ServiceModel

from conformance import spec
from conformance.errors import UsageError
from conformance.spec.derive import (
    SCHEMA_DIALECT,
    UNKNOWN_MEMBER_KEYWORD,
    Schema,
    ServiceDeriver,
    def_pointer,
    shape_name_of,
)

REQUEST_ID_HEADER = "x-amzn-RequestId"
REQUEST_ID = "c0f1e2d3-0000-4000-8000-00000000f022"
XML_PROTOCOLS = ("query", "ec2")  # the XML protocols whose answers conformance.fuzz.xml_generate writes
CBOR_PROTOCOL = "smithy-rpc-v2-cbor"  # written by conformance.fuzz.cbor_generate
# The rest protocols' answers are conformance.fuzz.rest_generate's, with the Content-Type each sends.
REST_CONTENT_TYPES = {"rest-json": "application/json", "rest-xml": "application/xml"}
SPOKEN = ("json", *XML_PROTOCOLS, CBOR_PROTOCOL, *REST_CONTENT_TYPES)
# Protocols whose answers carry the same data model as JSON: one of them can stand in for another (--protocol).
DATA_MODEL_TWINS = ("json", CBOR_PROTOCOL)
PROTOCOL_HEADERS = {CBOR_PROTOCOL: {"smithy-protocol": "rpc-v2-cbor"}}  # headers every answer carries


@dataclass(frozen=True)
class DeclaredError:
    """An error the operation declares: shape name, wire code, HTTP status and its self-contained schema."""

    name: str
    code: str
    status: int
    schema: Schema


@dataclass
class OperationContext:
    service: str
    operation: str
    model: ServiceModel
    deriver: ServiceDeriver
    output: Schema
    errors: dict[str, DeclaredError]
    json_version: str
    protocol: str = "json"
    chosen_protocol: str | None = None  # the protocol a user chose over botocore's (None: botocore's)
    _defs: dict[str, Schema] = field(default_factory=dict, repr=False)
    _by_code: dict[str, DeclaredError | None] = field(default_factory=dict, repr=False)
    _targets: dict[str, Schema] = field(default_factory=dict, repr=False)

    @property
    def content_type(self) -> str:
        if self.protocol in XML_PROTOCOLS:
            return "text/xml"
        if self.protocol == CBOR_PROTOCOL:
            return "application/cbor"
        if self.protocol in REST_CONTENT_TYPES:
            return REST_CONTENT_TYPES[self.protocol]
        return f"application/x-amz-json-{self.json_version}"

    def headers(self, content_type: str | None = "") -> dict[str, str]:
        """Headers of an answer: the protocol's Content-Type (or CONTENT_TYPE; None leaves it out)."""
        headers: dict[str, str] = {}
        chosen = self.content_type if content_type == "" else content_type
        if chosen is not None:
            headers["Content-Type"] = chosen
        headers.update(PROTOCOL_HEADERS.get(self.protocol, {}))
        headers[REQUEST_ID_HEADER] = REQUEST_ID
        return headers

    def resolve(self, schema: Any) -> Schema:
        """SCHEMA with `$ref`s followed through the documents' `$defs` (a `{}` for anything else)."""
        if not isinstance(schema, dict):
            return {}
        ref = schema.get("$ref")
        if ref is None:
            return schema
        target = self._targets.get(ref)
        if target is None:
            seen, target = 0, schema
            while "$ref" in target and seen < 64:
                target = self.shape(shape_name_of(target["$ref"]))
                seen += 1
            self._targets[ref] = target
        return target

    def shape(self, name: str) -> Schema:
        if name not in self._defs:
            self._defs[name] = self.deriver.shape_schema(name)
        return self._defs[name]

    def error_for_code(self, code: str) -> DeclaredError | None:
        """The error shape a client finds for CODE: a declared one, else any of the service (as botocore)."""
        if code not in self._by_code:
            declared = [error for error in self.errors.values() if error.code == code]
            self._by_code[code] = declared[0] if declared else _service_error(self, code)
        return self._by_code[code]


def for_operation(service: str, operation: str, protocol: str | None = None) -> OperationContext:
    """The context of SERVICE:OPERATION in botocore's protocol (or PROTOCOL, one the service also speaks); a
    UsageError names the closest operation or the protocol spoken."""
    document = spec.document(service, operation)  # one-line UsageError on unknown names
    if protocol is None or protocol == document["x-aws-protocol"]:
        return _cached_context(service, operation, document["x-aws-protocol"])
    return _speaking(service, operation, protocol, tuple(document["x-aws-protocols"]))


@functools.lru_cache(maxsize=32)
def _cached_context(service: str, operation: str, protocol: str) -> OperationContext:
    _require_json(service, protocol)
    deriver = spec.deriver(service)
    errors = {name: _declared(deriver, name, spec.part(service, operation, f"error:{name}"))
              for name in spec.document(service, operation)["x-aws-errors"]}
    return OperationContext(service, operation, deriver.model, deriver, spec.part(service, operation, "output"),
                            errors, _json_version(deriver), protocol)


def for_model(model: ServiceModel, operation: str, service: str | None = None) -> OperationContext:
    """The context of OPERATION in any botocore ServiceModel (e.g. a protocol-test fixture's)."""
    deriver = ServiceDeriver(model)
    name = service or model.service_name
    _require_json(name, deriver.protocol)
    document = deriver.document(operation)
    output = _part(deriver, document["x-aws-output"], f"{name} {operation} output")
    errors = {error: _declared(deriver, error, _part(deriver, pointer, f"{name} {operation} error:{error}"))
              for error, pointer in document["x-aws-errors"].items()}
    return OperationContext(name, operation, model, deriver, output, errors, _json_version(deriver),
                            deriver.protocol)


@functools.lru_cache(maxsize=32)
def _speaking(service: str, operation: str, protocol: str, protocols: tuple[str, ...]) -> OperationContext:
    """The context of an operation in a protocol its service lists beside botocore's choice (CloudWatch in
    rpc-v2-cbor, where botocore prefers json): the model as if it listed that protocol alone."""
    if protocol not in protocols:
        raise UsageError(f"{service} does not speak {protocol}; its model lists {', '.join(protocols)}")
    if protocol not in DATA_MODEL_TWINS:
        raise UsageError(f"fuzz-parser speaks {service} in {protocol} only where botocore does; choose among "
                         f"{', '.join(p for p in protocols if p in DATA_MODEL_TWINS)}")
    raw = spec.deriver(service).raw
    model = ServiceModel({**raw, "metadata": {**raw["metadata"], "protocol": protocol, "protocols": [protocol]}},
                         service_name=service)
    context = for_model(model, operation, service)
    context.chosen_protocol = protocol
    return context


def _require_json(service: str, protocol: str) -> None:
    if protocol not in SPOKEN:
        raise UsageError(f"fuzz-parser writes AWS JSON 1.0/1.1, query, ec2, rpc-v2-cbor, rest-json and rest-xml "
                         f"responses; {service} uses the {protocol} protocol")


def _json_version(deriver: ServiceDeriver) -> str:
    return str(deriver.raw["metadata"].get("jsonVersion", "1.0"))


def _part(deriver: ServiceDeriver, pointer: str | None, title: str) -> Schema:
    header: Schema = {"$schema": SCHEMA_DIALECT, "title": title, "x-aws-unknown-member": UNKNOWN_MEMBER_KEYWORD}
    if pointer is None:
        return {**header, "type": "object", "properties": {}, UNKNOWN_MEMBER_KEYWORD: False}
    return {**header, "$ref": pointer, "$defs": deriver.defs_for([shape_name_of(pointer)])}


def _declared(deriver: ServiceDeriver, name: str, schema: Schema) -> DeclaredError:
    annotation = deriver.shape_schema(name).get("x-aws-error", {})
    fault = annotation.get("fault", "client")
    status = int(annotation.get("httpStatusCode", 500 if fault == "server" else 400))
    return DeclaredError(name, str(annotation.get("code", name)), status, schema)


def _service_error(context: OperationContext, code: str) -> DeclaredError | None:
    shape = context.model.shape_for_error_code(code)
    if shape is None:
        return None
    schema = _part(context.deriver, def_pointer(shape.name), f"{context.service} error:{shape.name}")
    return _declared(context.deriver, shape.name, schema)
